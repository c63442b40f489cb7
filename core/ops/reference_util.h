// Helpers of reference kernels that compute in double whatever the arrays' dtype (the contrib
// and multi-tensor optimizer operators): a blob's values as doubles and back, the floating-dtype
// test of their type inference, and the symmetric clipping of the optimizers.
#pragma once
#include <algorithm>
#include <vector>

#include "core/op/kernel_util.h"

namespace minerva {

// The values of b, converted to double.
inline std::vector<double> to_doubles(const TBlob& b) {
  std::vector<double> v(static_cast<size_t>(b.size()));
  cast_copy(b, TBlob{v.data(), b.shape, DType::kFloat64});
  return v;
}

// Writes v (b.size() values) into b, converting to b's dtype.
inline void store_doubles(std::vector<double>& v, const TBlob& b) {
  cast_copy(TBlob{v.data(), b.shape, DType::kFloat64}, b);
}

// Whether a dtype code is float16, float32 or float64.
inline bool is_float_dtype(int t) {
  return t == static_cast<int>(DType::kFloat16) || t == static_cast<int>(DType::kFloat32) ||
         t == static_cast<int>(DType::kFloat64);
}

// x clipped to [-bound, bound]; a negative bound disables clipping (clip_gradient's rule).
inline double clip_to(double x, double bound) { return bound >= 0 ? std::min(std::max(x, -bound), bound) : x; }

}  // namespace minerva
