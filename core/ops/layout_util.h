// Helpers shared by the data-movement operators (shape, join/split, slice, tile/repeat): they
// move elements without arithmetic, so one kernel per element size serves every dtype.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/ndarray/ndarray.h"
#include "core/op/op.h"

namespace minerva {

// MV_ELEM_SWITCH(elem_size, T, body): runs body with T an unsigned integer type of that size.
// Data movement does not care what the bytes mean, so one instantiation per size serves every
// dtype (STYLE rule 13).
#define MV_ELEM_SWITCH_CASE(SIZE, TYPE, T, ...) \
  case SIZE: {                                  \
    using T = TYPE;                             \
    __VA_ARGS__;                                \
    break;                                      \
  }
#define MV_ELEM_SWITCH(ELEM_SIZE, T, ...)                                        \
  switch (ELEM_SIZE) {                                                           \
    MV_ELEM_SWITCH_CASE(1, uint8_t, T, __VA_ARGS__)                              \
    MV_ELEM_SWITCH_CASE(2, uint16_t, T, __VA_ARGS__)                             \
    MV_ELEM_SWITCH_CASE(4, uint32_t, T, __VA_ARGS__)                             \
    MV_ELEM_SWITCH_CASE(8, uint64_t, T, __VA_ARGS__)                             \
    default:                                                                     \
      MV_THROW(kInternal) << "unsupported element size " << (ELEM_SIZE);         \
  }

// A registry test sample (OpSample) with default domain and flags.
inline OpSample op_sample(std::vector<Shape> shapes, KeyValues params = {}) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  return s;
}

// Maps axis in [-ndim, ndim) to [0, ndim); otherwise a kValue error naming the operator and
// the parameter (`what`, e.g. "axis").
int normalize_axis(const Attrs& attrs, int64_t axis, int ndim, const char* what = "axis");

// Copies the index space `shape` element by element:
//   dst[dst_off + sum_k i_k * dst_strides[k]] = src[src_off + sum_k i_k * src_strides[k]]
// Offsets and strides are in elements of size elem_size bytes (strides may be negative).
// Transpose, slice, slice assignment and their gradients are all this one loop.
void strided_copy(const void* src, int64_t src_off, const Shape& src_strides, void* dst, int64_t dst_off,
                  const Shape& dst_strides, const Shape& shape, size_t elem_size);

// Copies src to dst when they are distinct buffers of equal byte size (reshape-like views
// computed into a fresh output; a no-op when the op ran in place).
void copy_if_distinct(const TBlob& src, const TBlob& dst);

}  // namespace minerva
