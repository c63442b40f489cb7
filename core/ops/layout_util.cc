#include "core/ops/layout_util.h"

#include <algorithm>
#include <cstring>

#include "core/op/kernel_util.h"

namespace minerva {

int normalize_axis(const Attrs& attrs, int64_t axis, int ndim, const char* what) {
  MV_CHECK(axis >= -ndim && axis < ndim, kValue)
      << "Operator " << attrs.op->name << ": " << what << "=" << axis << " is out of range for an array with "
      << ndim << " dimension(s); expected a value in [" << -ndim << ", " << ndim - 1 << "]";
  return static_cast<int>(axis < 0 ? axis + ndim : axis);
}

namespace {

// The innermost axis runs as a plain loop (memcpy when both sides are contiguous); the outer
// axes are decoded from a row number, so rows can run on any thread.
template <typename T>
void strided_copy_typed(const T* src, int64_t so, const Shape& ss, T* dst, int64_t dof, const Shape& ds,
                        const Shape& shape) {
  const int nd = static_cast<int>(shape.size());
  if (nd == 0) {
    dst[dof] = src[so];
    return;
  }
  const int64_t inner = shape[nd - 1], s_in = ss[nd - 1], d_in = ds[nd - 1];
  if (inner == 0) return;
  const int64_t rows = shape_size(shape) / inner;
  parallel_for(
      rows,
      [&](int64_t r) {
        int64_t sp = so, dp = dof, rem = r;
        for (int k = nd - 2; k >= 0; --k) {
          int64_t i = rem % shape[k];
          rem /= shape[k];
          sp += i * ss[k];
          dp += i * ds[k];
        }
        if (s_in == 1 && d_in == 1) {
          std::memcpy(dst + dp, src + sp, static_cast<size_t>(inner) * sizeof(T));
        } else {
          for (int64_t j = 0; j < inner; ++j) dst[dp + j * d_in] = src[sp + j * s_in];
        }
      },
      std::max<int64_t>(1, kParallelGrain / inner));
}

}  // namespace

void strided_copy(const void* src, int64_t src_off, const Shape& src_strides, void* dst, int64_t dst_off,
                  const Shape& dst_strides, const Shape& shape, size_t elem_size) {
  MV_ELEM_SWITCH(elem_size, T, {
    strided_copy_typed(static_cast<const T*>(src), src_off, src_strides, static_cast<T*>(dst), dst_off, dst_strides,
                       shape);
  });
}

void copy_if_distinct(const TBlob& src, const TBlob& dst) {
  if (src.data == dst.data) return;
  size_t bytes = static_cast<size_t>(src.size()) * dtype_size(src.dtype);
  MV_CHECK(bytes == static_cast<size_t>(dst.size()) * dtype_size(dst.dtype), kInternal)
      << "copy_if_distinct: byte sizes differ";
  if (bytes) std::memcpy(dst.data, src.data, bytes);
}

}  // namespace minerva
