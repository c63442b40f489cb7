// Errors inside the core. Every failure is a minerva::Error carrying a kind that maps 1:1 onto
// the ABI's MVErrorKind, so the C boundary can return a typed code without guessing.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace minerva {

// Values match MVErrorKind in c_api.h; never renumber.
enum class ErrorKind : int {
  kValue = 1,
  kType = 2,
  kIndex = 3,
  kKey = 4,
  kNotFound = 5,
  kIO = 6,
  kMemory = 7,
  kUnsupported = 8,
  kInvalidHandle = 9,
  kInternal = 10,
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& msg) : std::runtime_error(msg), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// Collects a message with operator<< and throws on destruction of the full expression.
class ErrorBuilder {
 public:
  explicit ErrorBuilder(ErrorKind kind) : kind_(kind) {}
  template <typename T>
  ErrorBuilder& operator<<(const T& v) {
    os_ << v;
    return *this;
  }
  [[noreturn]] void raise() const { throw Error(kind_, os_.str()); }

 private:
  ErrorKind kind_;
  std::ostringstream os_;
};

// Helper so `MV_THROW(kValue) << "..."` reads naturally and still throws.
struct ErrorThrower {
  [[noreturn]] void operator&(const ErrorBuilder& b) const { b.raise(); }
};

}  // namespace minerva

// MV_THROW(kValue) << "what was wrong";
#define MV_THROW(KIND) ::minerva::ErrorThrower() & ::minerva::ErrorBuilder(::minerva::ErrorKind::KIND)
// MV_CHECK(cond, kValue) << "message";   never aborts, always throws.
#define MV_CHECK(COND, KIND) \
  if (COND) {                \
  } else                     \
    MV_THROW(KIND)
