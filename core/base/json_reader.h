// A small, strict JSON reader (RFC 8259) into a value tree, for the documents Minerva reads:
// MXNet's -symbol.json first of all. JsonWriter (core/base/json.h) is its writing half.
//
// Strict means: no comments, no trailing commas, no NaN/Infinity, no duplicate object keys,
// strings must be valid UTF-8 without raw control characters. Every failure is an Error(kValue)
// naming the byte offset, line and column and what was expected there; nothing crashes, and
// nesting is capped (kJsonMaxDepth) so the recursive descent can never exhaust the stack.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace minerva {

constexpr int kJsonMaxDepth = 512;

class JsonValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind() const { return kind_; }
  const char* kind_name() const;  // "null", "a boolean", "a number", ... for messages
  size_t offset() const { return offset_; }  // byte offset of the value in its document

  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }

  // Typed access; the wrong kind is an Error(kType) naming both kinds.
  bool boolean() const;
  double number() const;
  const std::string& str() const;
  // The number as an int64, exactly (from its text, not via double). False unless it is written
  // as an integer (no fraction or exponent) that fits.
  bool to_int64(int64_t* out) const;
  const std::string& number_text() const;  // the number as written in the document

  // Arrays and objects: elements in document order. For an object, key(i) names element i.
  size_t size() const;
  const JsonValue& operator[](size_t i) const;  // kIndex when out of range
  const std::string& key(size_t i) const;       // objects only
  const JsonValue* find(const std::string& key) const;  // nullptr when absent; objects only

 private:
  friend class JsonParser;
  Kind kind_ = Kind::kNull;
  size_t offset_ = 0;
  bool bool_ = false;
  double number_ = 0;
  std::string text_;  // string value, or a number's text
  std::vector<std::string> keys_;  // objects: parallel to items_
  std::vector<JsonValue> items_;
};

// Parses one whole document (surrounding whitespace allowed, nothing else after it).
JsonValue json_parse(const std::string& text, int max_depth = kJsonMaxDepth);

}  // namespace minerva
