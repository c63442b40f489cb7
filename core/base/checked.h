// Note [Checked size arithmetic]
// Every size, count and shape product in Minerva goes through these helpers: a product that
// wraps past int64 (or a byte count past size_t) would turn into a small or zero size, and a
// kernel would then write past an allocation or a loop would run ~2^62 times. The helpers
// throw a kValue error that names what was being computed, so the caller sees which operator
// and which parameter asked for the impossible size.
//
//   out[ax] = checked_mul(d[ax], reps, "repeat: axis length * repeats");
//   const size_t bytes = checked_bytes(shape, dtype, "zeros");
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "core/base/error.h"

namespace minerva {

// `what` is a string, or a callable returning one: a callable runs only when a check fails, so
// a hot path (shape_size, called for every allocation and kernel) builds no message.
template <typename What>
std::string checked_what(const What& what) {
  if constexpr (std::is_invocable_v<const What&>) {
    return what();
  } else {
    return std::string(what);
  }
}

// a * b, or a kValue error "<what> overflows: a * b does not fit in 64 bits".
template <typename What>
int64_t checked_mul(int64_t a, int64_t b, const What& what) {
  int64_t r = 0;
  MV_CHECK(!__builtin_mul_overflow(a, b, &r), kValue)
      << checked_what(what) << " overflows: " << a << " * " << b << " does not fit in 64 bits";
  return r;
}

// a + b, or a kValue error naming what was being computed.
template <typename What>
int64_t checked_add(int64_t a, int64_t b, const What& what) {
  int64_t r = 0;
  MV_CHECK(!__builtin_add_overflow(a, b, &r), kValue)
      << checked_what(what) << " overflows: " << a << " + " << b << " does not fit in 64 bits";
  return r;
}

// count * itemsize as a byte count, or a kValue error naming what was being allocated.
template <typename What>
size_t checked_byte_count(int64_t count, size_t itemsize, const What& what) {
  size_t r = 0;
  MV_CHECK(count >= 0 && !__builtin_mul_overflow(static_cast<size_t>(count), itemsize, &r), kValue)
      << checked_what(what) << " needs more bytes than memory can address (" << count << " elements of " << itemsize
      << " bytes)";
  return r;
}

}  // namespace minerva
