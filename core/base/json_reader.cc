#include "core/base/json_reader.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>
#include <unordered_set>

#include "core/base/error.h"
#include "core/base/utf8.h"

namespace minerva {

// ---- JsonValue ---------------------------------------------------------------------------------

namespace {

const char* name_of(JsonValue::Kind k) {
  switch (k) {
    case JsonValue::Kind::kNull: return "null";
    case JsonValue::Kind::kBool: return "a boolean";
    case JsonValue::Kind::kNumber: return "a number";
    case JsonValue::Kind::kString: return "a string";
    case JsonValue::Kind::kArray: return "an array";
    case JsonValue::Kind::kObject: return "an object";
  }
  return "?";
}

void expect_kind(const JsonValue& v, JsonValue::Kind want) {
  MV_CHECK(v.kind() == want, kType) << "JSON value at byte " << v.offset() << ": expected " << name_of(want)
                                    << ", got " << v.kind_name();
}

}  // namespace

const char* JsonValue::kind_name() const { return name_of(kind_); }

bool JsonValue::boolean() const {
  expect_kind(*this, Kind::kBool);
  return bool_;
}

double JsonValue::number() const {
  expect_kind(*this, Kind::kNumber);
  return number_;
}

const std::string& JsonValue::str() const {
  expect_kind(*this, Kind::kString);
  return text_;
}

const std::string& JsonValue::number_text() const {
  expect_kind(*this, Kind::kNumber);
  return text_;
}

bool JsonValue::to_int64(int64_t* out) const {
  if (kind_ != Kind::kNumber || text_.find_first_of(".eE") != std::string::npos) return false;
  int64_t v = 0;
  auto res = std::from_chars(text_.data(), text_.data() + text_.size(), v);
  if (res.ec != std::errc() || res.ptr != text_.data() + text_.size()) return false;
  *out = v;
  return true;
}

size_t JsonValue::size() const {
  MV_CHECK(kind_ == Kind::kArray || kind_ == Kind::kObject, kType)
      << "JSON value at byte " << offset_ << ": expected an array or an object, got " << kind_name();
  return items_.size();
}

const JsonValue& JsonValue::operator[](size_t i) const {
  MV_CHECK(i < size(), kIndex) << "JSON value at byte " << offset_ << ": index " << i << " is out of range for "
                               << kind_name() << " of " << items_.size() << " elements";
  return items_[i];
}

const std::string& JsonValue::key(size_t i) const {
  expect_kind(*this, Kind::kObject);
  MV_CHECK(i < keys_.size(), kIndex) << "JSON object at byte " << offset_ << ": index " << i
                                     << " is out of range for " << keys_.size() << " members";
  return keys_[i];
}

const JsonValue* JsonValue::find(const std::string& key) const {
  expect_kind(*this, Kind::kObject);
  for (size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key) return &items_[i];
  return nullptr;
}

// ---- the parser --------------------------------------------------------------------------------

class JsonParser {
 public:
  JsonParser(const std::string& text, int max_depth) : s_(text), max_depth_(max_depth) {}

  JsonValue parse_document() {
    // A UTF-8 byte order mark is not JSON, but editors on Windows add one; it carries no data.
    if (s_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;
    skip_space();
    JsonValue v;
    parse_value(&v, 0);
    skip_space();
    if (pos_ < s_.size()) fail("trailing characters after the JSON value: " + found());
    return v;
  }

 private:
  [[noreturn]] void fail_at(size_t at, const std::string& what) const {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < s_.size(); ++i) {
      if (s_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    MV_THROW(kValue) << "invalid JSON at byte " << at << " (line " << line << ", column " << col << "): " << what;
  }
  [[noreturn]] void fail(const std::string& what) const { fail_at(pos_, what); }

  // What sits at the current position, for "expected X, got Y" messages.
  std::string found() const {
    if (pos_ >= s_.size()) return "got the end of the input (truncated?)";
    unsigned char c = static_cast<unsigned char>(s_[pos_]);
    char buf[32];
    if (c >= 0x20 && c < 0x7f)
      std::snprintf(buf, sizeof buf, "got '%c'", c);
    else
      std::snprintf(buf, sizeof buf, "got byte 0x%02X", c);
    return buf;
  }

  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }

  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++pos_;
  }

  void parse_value(JsonValue* v, int depth) {
    if (at_end()) fail("expected a value, " + found());
    v->offset_ = pos_;
    char c = peek();
    if (c == '{') return parse_object(v, depth + 1);
    if (c == '[') return parse_array(v, depth + 1);
    if (c == '"') {
      v->kind_ = JsonValue::Kind::kString;
      return parse_string(&v->text_);
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(v);
    if (literal("true")) {
      v->kind_ = JsonValue::Kind::kBool;
      v->bool_ = true;
    } else if (literal("false")) {
      v->kind_ = JsonValue::Kind::kBool;
    } else if (literal("null")) {
      v->kind_ = JsonValue::Kind::kNull;
    } else {
      fail("expected a value (object, array, string, number, true, false or null), " + found());
    }
  }

  bool literal(const char* word) {
    size_t n = std::char_traits<char>::length(word);
    if (s_.compare(pos_, n, word) != 0) return false;
    pos_ += n;
    return true;
  }

  void enter(int depth) const {
    if (depth > max_depth_)
      fail("nesting is deeper than " + std::to_string(max_depth_) + " arrays/objects");
  }

  void parse_array(JsonValue* v, int depth) {
    enter(depth);
    v->kind_ = JsonValue::Kind::kArray;
    ++pos_;  // '['
    skip_space();
    if (!at_end() && peek() == ']') {
      ++pos_;
      return;
    }
    for (;;) {
      skip_space();
      v->items_.emplace_back();
      parse_value(&v->items_.back(), depth);
      skip_space();
      if (at_end()) fail("expected ',' or ']' in the array that starts at byte " + std::to_string(v->offset_) +
                         ", " + found());
      if (peek() == ']') {
        ++pos_;
        return;
      }
      if (peek() != ',')
        fail("expected ',' or ']' in the array that starts at byte " + std::to_string(v->offset_) + ", " + found());
      ++pos_;
    }
  }

  void parse_object(JsonValue* v, int depth) {
    enter(depth);
    v->kind_ = JsonValue::Kind::kObject;
    ++pos_;  // '{'
    skip_space();
    if (!at_end() && peek() == '}') {
      ++pos_;
      return;
    }
    std::unordered_set<std::string> seen;
    for (;;) {
      skip_space();
      if (at_end() || peek() != '"') fail("expected a string key in the object that starts at byte " +
                                          std::to_string(v->offset_) + ", " + found());
      size_t key_at = pos_;
      std::string key;
      parse_string(&key);
      if (!seen.insert(key).second) fail_at(key_at, "duplicate key \"" + key + "\" in the object");
      skip_space();
      if (at_end() || peek() != ':') fail("expected ':' after the key \"" + key + "\", " + found());
      ++pos_;
      skip_space();
      v->keys_.push_back(std::move(key));
      v->items_.emplace_back();
      parse_value(&v->items_.back(), depth);
      skip_space();
      if (at_end()) fail("expected ',' or '}' in the object that starts at byte " + std::to_string(v->offset_) +
                         ", " + found());
      if (peek() == '}') {
        ++pos_;
        return;
      }
      if (peek() != ',')
        fail("expected ',' or '}' in the object that starts at byte " + std::to_string(v->offset_) + ", " + found());
      ++pos_;
    }
  }

  // ---- strings

  static void append_utf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // The four hex digits after "\u" (pos_ is on the 'u').
  uint32_t hex4() {
    size_t start = pos_ - 1;  // the backslash
    ++pos_;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      if (at_end()) fail_at(start, "truncated \\u escape: expected 4 hex digits, " + found());
      char c = peek();
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
      else fail("bad \\u escape: expected 4 hex digits, " + found());
    }
    return v;
  }

  // A \uXXXX escape; a UTF-16 surrogate pair (\uD83D\uDE00) becomes one code point.
  void parse_unicode_escape(std::string* out) {
    size_t start = pos_ - 1;
    uint32_t cp = hex4();
    if (cp >= 0xDC00 && cp <= 0xDFFF)
      fail_at(start, "lone low surrogate \\u" + hex_text(cp) + " (it must follow a high surrogate)");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (s_.compare(pos_, 2, "\\u") != 0)
        fail_at(start, "high surrogate \\u" + hex_text(cp) + " must be followed by a \\u low surrogate");
      size_t low_at = pos_;
      pos_ += 1;  // onto the 'u'
      uint32_t low = hex4();
      if (low < 0xDC00 || low > 0xDFFF)
        fail_at(low_at, "high surrogate \\u" + hex_text(cp) + " must be followed by a low surrogate, got \\u" +
                            hex_text(low));
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(cp, out);
  }

  static std::string hex_text(uint32_t v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", v);
    return buf;
  }


  void parse_string(std::string* out) {
    size_t start = pos_;
    ++pos_;  // opening quote
    for (;;) {
      if (at_end()) fail_at(start, "unterminated string (the input ends before its closing quote)");
      unsigned char c = static_cast<unsigned char>(peek());
      if (c == '"') {
        ++pos_;
        return;
      }
      if (c < 0x20) fail("raw control character in a string (escape it, e.g. \\n), " + found());
      if (c >= 0x80) {
        size_t n = utf8_sequence_length(s_, pos_);
        if (n == 0) fail("invalid UTF-8 in a string, " + found());
        out->append(s_, pos_, n);
        pos_ += n;
        continue;
      }
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      ++pos_;
      if (at_end()) fail_at(start, "unterminated string (the input ends inside an escape)");
      switch (peek()) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': parse_unicode_escape(out); continue;  // hex4 moved past the digits
        default: fail_at(pos_ - 1, "bad escape in a string: expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX, " +
                                       found());
      }
      ++pos_;
    }
  }

  // ---- numbers

  size_t digits() {
    size_t n = 0;
    while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_, ++n;
    return n;
  }

  void parse_number(JsonValue* v) {
    size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (at_end() || peek() < '0' || peek() > '9') fail("expected a digit in the number, " + found());
    if (peek() == '0') {
      ++pos_;
      if (!at_end() && peek() >= '0' && peek() <= '9') fail("a number cannot have a leading zero");
    } else {
      digits();
    }
    if (!at_end() && peek() == '.') {
      ++pos_;
      if (digits() == 0) fail("expected a digit after the decimal point, " + found());
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++pos_;
      if (digits() == 0) fail("expected a digit in the exponent, " + found());
    }
    v->kind_ = JsonValue::Kind::kNumber;
    v->text_ = s_.substr(start, pos_ - start);
    const char* b = v->text_.data();
    const char* e = b + v->text_.size();
    auto res = std::from_chars(b, e, v->number_);  // locale-independent, unlike strtod
    if (res.ec == std::errc::result_out_of_range) {
      // Tiny magnitudes round to zero as every JSON reader does; huge ones would be infinite,
      // which JSON cannot express and no Minerva document means.
      if (decimal_exponent(v->text_) > 0)
        fail_at(start, "number " + v->text_ + " is too large for a double (not finite)");
      v->number_ = v->text_[0] == '-' ? -0.0 : 0.0;
    } else if (res.ec != std::errc() || res.ptr != e) {
      fail_at(start, "malformed number " + v->text_);
    }
  }

  // Roughly log10 of |number| for a grammatical JSON number: only its sign matters (out of
  // range with a positive exponent is an overflow, with a negative one an underflow).
  static long long decimal_exponent(const std::string& t) {
    size_t i = t[0] == '-' ? 1 : 0;
    long long mag = 0;
    bool nonzero = false;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
      if (t[i] != '0') nonzero = true;
      if (nonzero) ++mag;
    }
    if (i < t.size() && t[i] == '.') {
      for (++i; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
        if (nonzero) continue;
        --mag;
        if (t[i] != '0') nonzero = true;
      }
    }
    long long exp = 0;
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
      ++i;
      bool neg = t[i] == '-';
      if (t[i] == '+' || t[i] == '-') ++i;
      for (; i < t.size(); ++i) exp = std::min(exp * 10 + (t[i] - '0'), 1LL << 40);  // clamped, no overflow
      if (neg) exp = -exp;
    }
    return mag + exp;
  }

  const std::string& s_;
  int max_depth_;
  size_t pos_ = 0;
};

JsonValue json_parse(const std::string& text, int max_depth) {
  return JsonParser(text, max_depth).parse_document();
}

}  // namespace minerva
