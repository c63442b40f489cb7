// Element types, devices and shapes: the small value types every layer shares.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/error.h"

namespace minerva {

// MXNet 1.x type codes, so saved files and the ABI agree with MXNet.
enum class DType : int {
  kFloat32 = 0,
  kFloat64 = 1,
  kFloat16 = 2,
  kUint8 = 3,
  kInt32 = 4,
  kInt8 = 5,
  kInt64 = 6,
  kBool = 7,
};
constexpr int kNumDTypes = 8;

size_t dtype_size(DType t);
const char* dtype_name(DType t);
DType dtype_from_name(const std::string& name);  // throws kType naming the valid names
DType dtype_from_code(int code);                 // throws kType on unknown codes
bool dtype_is_float(DType t);

enum class DeviceType : int { kCPU = 1, kGPU = 2 };

struct Context {
  DeviceType dev_type = DeviceType::kCPU;
  int dev_id = 0;
  bool operator==(const Context& o) const { return dev_type == o.dev_type && dev_id == o.dev_id; }
  bool operator!=(const Context& o) const { return !(*this == o); }
  std::string str() const;
  static Context cpu(int id = 0) { return Context{DeviceType::kCPU, id}; }
  // Validates a device request: gpu(i) is a clear error in a build without CUDA.
  static Context make(int dev_type, int dev_id);
};

using Shape = std::vector<int64_t>;
int64_t shape_size(const Shape& s);  // product; 1 for a scalar shape
std::string shape_str(const Shape& s);  // "(2, 3)" like MXNet/numpy
std::string join_names(const std::vector<std::string>& names);  // "data, weight, bias" for messages

}  // namespace minerva
