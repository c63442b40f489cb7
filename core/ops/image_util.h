// Helpers shared by the `_image_*` operators (MXNet 1.9.1's mx.nd.image): the shape checks
// MXNet applies to images (H, W, C) / batches (N, H, W, C) and to tensors (C, H, W) /
// (N, C, H, W), float-tuple parameters, and the value conversion MXNet's colour kernels use.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"

namespace minerva {

// Every dtype but bool (MXNet's image kernels reject it): runs body with T bound to the type.
#define MV_IMAGE_SWITCH(DTYPE, WHO, T, ...)                                               \
  switch (DTYPE) {                                                                        \
    MV_DTYPE_SWITCH_CASE(kFloat32, float, T, __VA_ARGS__)                                 \
    MV_DTYPE_SWITCH_CASE(kFloat64, double, T, __VA_ARGS__)                                \
    MV_DTYPE_SWITCH_CASE(kFloat16, ::minerva::half_t, T, __VA_ARGS__)                     \
    MV_DTYPE_SWITCH_CASE(kUint8, uint8_t, T, __VA_ARGS__)                                 \
    MV_DTYPE_SWITCH_CASE(kInt8, int8_t, T, __VA_ARGS__)                                   \
    MV_DTYPE_SWITCH_CASE(kInt32, int32_t, T, __VA_ARGS__)                                 \
    MV_DTYPE_SWITCH_CASE(kInt64, int64_t, T, __VA_ARGS__)                                 \
    default:                                                                              \
      MV_THROW(kType) << "Operator " << (WHO) << " does not support dtype "               \
                      << ::minerva::dtype_name(DTYPE) << "; use a numeric image";        \
  }

// The floats of a "tuple of <float>" parameter (declared kString): "(0.1, 0.2)", "[0.1]",
// "0.5" or "(0.5,)". Errors name the operator and the parameter.
std::vector<double> image_float_tuple(const Attrs& attrs, const std::string& name);

// A single image (H, W, C) with C in {1, 3}: MXNet's check for the colour and flip operators.
void check_hwc_image(const Attrs& attrs, const Shape& s);

// An image (H, W, C) or a batch (N, H, W, C) of any channel count (to_tensor, resize).
void check_image_or_batch(const Attrs& attrs, const Shape& s);

// dtype inference of the image operators, run when an operator is called so that a wrong dtype
// fails there (a kernel error would also mark a random operator's generator): the output has the
// input's dtype, which must be one of `allowed` (every dtype but bool when empty).
InferTypeFn image_type(std::vector<DType> allowed = {});

// Value written back by the colour operators: uint8 saturates to [0, 255] and truncates (as
// MXNet's saturate_cast), every other dtype is a plain conversion.
template <typename T>
inline T image_saturate(float v) {
  if constexpr (std::is_same_v<T, uint8_t>) {
    if (v != v) return 0;  // NaN (from a NaN parameter): converting it would be undefined
    return static_cast<uint8_t>(std::min(std::max(v, 0.f), 255.f));
  } else if constexpr (std::is_integral_v<T>) {
    // Out-of-range conversion is undefined in C++; clamp to the type's range first.
    const double lo = static_cast<double>(std::numeric_limits<T>::lowest());
    const double hi = static_cast<double>(std::numeric_limits<T>::max());
    const double d = v != v ? 0.0 : std::min(std::max(static_cast<double>(v), lo), hi);
    return static_cast<T>(d);
  } else {
    return static_cast<T>(v);
  }
}

}  // namespace minerva
