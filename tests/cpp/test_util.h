// Helpers for C++ tests: build arrays from values and read them back as doubles.
#pragma once
#include <vector>

#include "core/op/invoke.h"
#include "core/op/kernel_util.h"

namespace minerva {
namespace testing {

inline NDArray make_array(const Shape& shape, const std::vector<double>& values, DType dtype = DType::kFloat32) {
  NDArray a(shape, dtype, Context::cpu(0));
  std::vector<double> v = values;
  if (v.empty()) v.assign(static_cast<size_t>(a.size()), 0.0);
  TBlob src{v.data(), shape, DType::kFloat64};
  cast_copy(src, a.blob());
  return a;
}

inline std::vector<double> to_vector(const NDArray& a) {
  a.wait_to_read();
  std::vector<double> out(static_cast<size_t>(a.size()));
  cast_copy(a.blob(), TBlob{out.data(), a.shape(), DType::kFloat64});
  return out;
}

inline NDArray run1(const std::string& op, const std::vector<NDArray>& in, const KeyValues& params = {}) {
  return invoke(op, in, params).at(0);
}

}  // namespace testing
}  // namespace minerva
