#include "core/base/types.h"

#include <sstream>

#include "core/base/checked.h"

namespace minerva {

namespace {
struct DTypeInfo {
  const char* name;
  size_t size;
  bool is_float;
};
const DTypeInfo kDTypes[kNumDTypes] = {
    {"float32", 4, true}, {"float64", 8, true}, {"float16", 2, true}, {"uint8", 1, false},
    {"int32", 4, false},  {"int8", 1, false},   {"int64", 8, false},  {"bool", 1, false},
};
const DTypeInfo& info(DType t) {
  int c = static_cast<int>(t);
  MV_CHECK(c >= 0 && c < kNumDTypes, kType) << "unknown dtype code " << c;
  return kDTypes[c];
}
}  // namespace

size_t dtype_size(DType t) { return info(t).size; }
const char* dtype_name(DType t) { return info(t).name; }
bool dtype_is_float(DType t) { return info(t).is_float; }

DType dtype_from_code(int code) {
  MV_CHECK(code >= 0 && code < kNumDTypes, kType)
      << "unknown dtype code " << code << "; valid codes are 0..7 (MXNet numbering)";
  return static_cast<DType>(code);
}

DType dtype_from_name(const std::string& name) {
  for (int i = 0; i < kNumDTypes; ++i)
    if (name == kDTypes[i].name) return static_cast<DType>(i);
  if (name == "float" || name == "real_t") return DType::kFloat32;
  if (name == "double") return DType::kFloat64;
  if (name == "half") return DType::kFloat16;
  std::ostringstream os;
  os << "unknown dtype '" << name << "'; expected one of";
  for (int i = 0; i < kNumDTypes; ++i) os << (i ? ", " : " ") << kDTypes[i].name;
  throw Error(ErrorKind::kType, os.str());
}

std::string Context::str() const {
  std::ostringstream os;
  os << (dev_type == DeviceType::kGPU ? "gpu(" : "cpu(") << dev_id << ")";
  return os.str();
}

Context Context::make(int dev_type, int dev_id) {
  MV_CHECK(dev_id >= 0, kValue) << "device id must be >= 0, got " << dev_id;
  if (dev_type == static_cast<int>(DeviceType::kGPU))
    MV_THROW(kUnsupported) << "gpu(" << dev_id
                           << ") requested, but Minerva was built without CUDA; use cpu()";
  // MXNet's cpu_pinned (3) and cpu_shared (5) are host memory here.
  MV_CHECK(dev_type == 1 || dev_type == 3 || dev_type == 5, kValue)
      << "unknown device type " << dev_type << "; expected 1 (cpu) or 2 (gpu)";
  return Context{DeviceType::kCPU, dev_id};
}

int64_t shape_size(const Shape& s) {
  // A product past int64 would wrap into a small size and under-allocate: a shape from a file or
  // a caller (__shape__, simple_bind) must never get that far.
  // A zero dimension makes the array empty whatever the others are: (2^40, 2^40, 0) holds 0
  // elements, and its partial product must not be reported as an overflow.
  for (int64_t d : s)
    if (d == 0) return 0;
  int64_t n = 1;
  for (int64_t d : s)
    n = checked_mul(n, d, [&s] { return "shape " + shape_str(s) + " has too many elements: its element count"; });
  return n;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
  return s;
}

std::string shape_str(const Shape& s) {
  std::ostringstream os;
  os << "(";
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  if (s.size() == 1) os << ",";
  os << ")";
  return os.str();
}

}  // namespace minerva
