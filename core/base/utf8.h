// UTF-8 validation shared by the readers of text that crosses the C ABI (symbol JSON strings,
// array names in params files).
#pragma once
#include <cstddef>
#include <string>

namespace minerva {

// Length of the well-formed UTF-8 sequence that starts at s[pos] (a lead byte >= 0x80), or 0 when
// it is malformed or runs past the end (RFC 3629: overlong forms, UTF-16 surrogates and code
// points past U+10FFFF are malformed too).
inline size_t utf8_sequence_length(const std::string& s, size_t pos) {
  auto byte = [&](size_t i) { return pos + i < s.size() ? static_cast<unsigned char>(s[pos + i]) : 0u; };
  const unsigned lead = byte(0);
  size_t n = 0;
  unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    if (lead == 0xE0) lo = 0xA0;  // overlong
    if (lead == 0xED) hi = 0x9F;  // UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    if (lead == 0xF0) lo = 0x90;  // overlong
    if (lead == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (byte(1) < lo || byte(1) > hi) return 0;
  for (size_t i = 2; i < n; ++i)
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  return n;
}

}  // namespace minerva
