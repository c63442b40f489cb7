// Helpers shared by the tensor operator families added for MXNet 1.x parity (sort, stats,
// gather/scatter, space/depth, im2col...): reading index arrays of any dtype and size
// arithmetic that cannot wrap around.
#pragma once
#include <cstdint>
#include <vector>

#include "core/base/checked.h"
#include "core/op/kernel_util.h"
#include "core/op/op.h"

namespace minerva {

// a * b, or a kValue error naming the operator and what was being sized: a wrapped product
// would under-allocate and let a kernel write out of bounds (Note [Checked size arithmetic]).
inline int64_t checked_mul(const Attrs& attrs, int64_t a, int64_t b, const char* what) {
  return checked_mul(a, b, "Operator " + attrs.op->name + ": " + what);
}

// Index values of any dtype, truncated toward zero as MXNet's cast to an integer does. A NaN or
// a value beyond int64 becomes INT64_MIN, which every caller's range check rejects.
inline std::vector<int64_t> read_index_values(const TBlob& idx) {
  std::vector<int64_t> v(static_cast<size_t>(idx.size()));
  MV_DTYPE_SWITCH(idx.dtype, T, {
    const T* p = idx.ptr<T>();
    for (size_t i = 0; i < v.size(); ++i) {
      const double d = static_cast<double>(p[i]);
      v[i] = (d > -9223372036854775808.0 && d < 9223372036854775808.0) ? static_cast<int64_t>(d)
                                                                       : INT64_MIN;
    }
  });
  return v;
}

// Writes integer values into a blob of any dtype (index outputs whose dtype is a parameter).
template <typename F>
void write_index_values(const TBlob& out, F&& value_at) {
  MV_DTYPE_SWITCH(out.dtype, T, {
    T* o = out.ptr<T>();
    parallel_for(out.size(), [&](int64_t i) { o[i] = static_cast<T>(static_cast<double>(value_at(i))); });
  });
}

}  // namespace minerva
