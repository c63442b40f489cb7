#include "core/op/kernel_util.h"

#include <cstring>

namespace minerva {

void cast_copy(const TBlob& src, const TBlob& dst) {
  int64_t n = src.size();
  MV_CHECK(n == dst.size(), kValue) << "cast_copy: " << n << " vs " << dst.size() << " elements";
  if (src.dtype == dst.dtype) {
    std::memmove(dst.data, src.data, static_cast<size_t>(n) * dtype_size(src.dtype));
    return;
  }
  MV_DTYPE_SWITCH(src.dtype, S, {
    const S* s = src.ptr<S>();
    MV_DTYPE_SWITCH(dst.dtype, D, {
      D* d = dst.ptr<D>();
      parallel_for(n, [&](int64_t i) { d[i] = static_cast<D>(s[i]); });
    });
  });
}

void fill_blob(const TBlob& dst, double value) {
  int64_t n = dst.size();
  MV_DTYPE_SWITCH(dst.dtype, T, {
    T* d = dst.ptr<T>();
    T v = static_cast<T>(value);
    parallel_for(n, [&](int64_t i) { d[i] = v; });
  });
}

AxisSplit split_at_axis(const Shape& shape, int axis) {
  AxisSplit split;
  for (int i = 0; i < static_cast<int>(shape.size()); ++i) {
    if (i < axis) split.outer *= shape[i];
    else if (i == axis) split.size = shape[i];
    else split.inner *= shape[i];
  }
  return split;
}

Shape strides_of(const Shape& shape) {
  Shape st(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i) st[i] = st[i + 1] * shape[i + 1];
  return st;
}

}  // namespace minerva
