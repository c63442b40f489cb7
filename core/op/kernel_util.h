// Small helpers shared by reference kernels: one dtype switch at the kernel entry (STYLE 13),
// an OpenMP loop that only goes parallel when the work pays for the threads, and dtype casts.
#pragma once
#include <cstdint>

#include "core/base/half.h"
#include "core/ndarray/ndarray.h"

namespace minerva {

// Elements below this run on one thread: forking costs more than it saves.
constexpr int64_t kParallelGrain = 16384;

// MV_DTYPE_SWITCH(dtype, T, body): runs body with T bound to the C++ type of dtype.
// float16 is half_t, which converts to float for arithmetic. `who` names the operator in errors.
#define MV_DTYPE_SWITCH_CASE(CODE, TYPE, T, ...) \
  case ::minerva::DType::CODE: {                  \
    using T = TYPE;                               \
    __VA_ARGS__;                                  \
    break;                                        \
  }
#define MV_DTYPE_SWITCH(DTYPE, T, ...)                                        \
  switch (DTYPE) {                                                            \
    MV_DTYPE_SWITCH_CASE(kFloat32, float, T, __VA_ARGS__)                     \
    MV_DTYPE_SWITCH_CASE(kFloat64, double, T, __VA_ARGS__)                    \
    MV_DTYPE_SWITCH_CASE(kFloat16, ::minerva::half_t, T, __VA_ARGS__)         \
    MV_DTYPE_SWITCH_CASE(kUint8, uint8_t, T, __VA_ARGS__)                     \
    MV_DTYPE_SWITCH_CASE(kInt8, int8_t, T, __VA_ARGS__)                       \
    MV_DTYPE_SWITCH_CASE(kInt32, int32_t, T, __VA_ARGS__)                     \
    MV_DTYPE_SWITCH_CASE(kInt64, int64_t, T, __VA_ARGS__)                     \
    MV_DTYPE_SWITCH_CASE(kBool, bool, T, __VA_ARGS__)                         \
    default:                                                                  \
      MV_THROW(kType) << "unsupported dtype code " << static_cast<int>(DTYPE); \
  }
// Floating types only; other dtypes are a kType error naming `WHO` (the operator).
#define MV_FLOAT_SWITCH(DTYPE, WHO, T, ...)                                                   \
  switch (DTYPE) {                                                                            \
    MV_DTYPE_SWITCH_CASE(kFloat32, float, T, __VA_ARGS__)                                     \
    MV_DTYPE_SWITCH_CASE(kFloat64, double, T, __VA_ARGS__)                                    \
    MV_DTYPE_SWITCH_CASE(kFloat16, ::minerva::half_t, T, __VA_ARGS__)                         \
    default:                                                                                  \
      MV_THROW(kType) << "Operator " << (WHO) << " supports float16/float32/float64 inputs, got " \
                      << ::minerva::dtype_name(DTYPE);                                        \
  }

// Runs f(i) for i in [0, n), on OpenMP threads when n is large enough to pay for them.
// Use this rather than a bare #pragma: pragmas cannot appear inside MV_DTYPE_SWITCH's body.
template <typename F>
inline void parallel_for(int64_t n, F&& f, int64_t grain = kParallelGrain) {
#pragma omp parallel for if (n > grain) schedule(static)
  for (int64_t i = 0; i < n; ++i) f(i);
}

// Converts element-wise between any two dtypes (same element count).
void cast_copy(const TBlob& src, const TBlob& dst);

// Fills every element of dst with value (converted to dst's dtype).
void fill_blob(const TBlob& dst, double value);

// A shape seen as (outer, size, inner) around one axis: element (o, k, i) of the axis walk is at
// (o * size + k) * inner + i. Softmax, the normalisations and PReLU all walk data this way.
struct AxisSplit {
  int64_t outer = 1, size = 1, inner = 1;
  int64_t index(int64_t o, int64_t k, int64_t i) const { return (o * size + k) * inner + i; }
};
AxisSplit split_at_axis(const Shape& shape, int axis);

// Row-major strides (in elements) of a shape.
Shape strides_of(const Shape& shape);

}  // namespace minerva
