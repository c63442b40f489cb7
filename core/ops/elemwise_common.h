// Scalar functors and loops shared by the element-wise families (elemwise_*.cc, broadcast_*.cc).
// One functor per formula, so the same-shape, broadcasting and scalar forms of an operator
// cannot disagree. Functors compute in acc_t<T>: float for float16 (like MXNet's kernels),
// int32 for bool, and T itself otherwise.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "core/op/kernel_util.h"
#include "core/op/op.h"

namespace minerva {
namespace elemwise {

template <typename T>
struct Acc {
  using type = T;
};
template <>
struct Acc<half_t> {
  using type = float;
};
template <>
struct Acc<bool> {
  using type = int32_t;
};
template <typename T>
using acc_t = typename Acc<T>::type;

// A double converted to T as a C cast compiled for x86 does, which is what MXNet's kernels
// give: integers of at most 32 bits go through int32 (300.0 -> uint8 44, NaN -> 0), and a NaN
// or out-of-range value becomes the "integer indefinite" INT_MIN. Never undefined behaviour.
template <typename T>
inline T from_double(double v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0;
  } else if constexpr (std::is_same_v<T, int64_t>) {
    if (!(v > -9223372036854775808.0 && v < 9223372036854775808.0)) return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(v);
  } else if constexpr (std::is_integral_v<T>) {
    int32_t i = (v > -2147483649.0 && v < 2147483648.0) ? static_cast<int32_t>(v) : std::numeric_limits<int32_t>::min();
    return static_cast<T>(i);
  } else {
    return static_cast<T>(v);
  }
}

// Converts a computed value of type A back to the storage type T.
template <typename T, typename A>
inline T store(A v) {
  if constexpr (std::is_floating_point_v<A> && std::is_integral_v<T>) return from_double<T>(static_cast<double>(v));
  else return static_cast<T>(v);
}

// Signed integer overflow is undefined behaviour in C++; MXNet's and NumPy's integer kernels wrap
// modulo 2^bits (int32 INT_MIN * -1 = INT_MIN). These compute that wrap in unsigned arithmetic,
// so integer kernels are defined for every input; other types use the plain operators.
template <class A>
inline A wrapping_add(A a, A b) {
  if constexpr (std::is_integral_v<A> && std::is_signed_v<A>)
    return static_cast<A>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  else return static_cast<A>(a + b);
}
template <class A>
inline A wrapping_sub(A a, A b) {
  if constexpr (std::is_integral_v<A> && std::is_signed_v<A>)
    return static_cast<A>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
  else return static_cast<A>(a - b);
}
template <class A>
inline A wrapping_mul(A a, A b) {
  if constexpr (std::is_integral_v<A> && std::is_signed_v<A>)
    return static_cast<A>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
  else return static_cast<A>(a * b);
}
template <class A>
inline A wrapping_neg(A x) {
  return wrapping_sub(A(0), x);
}

// ---- binary functors: static A apply(A a, A b) ----------------------------------------------

struct Add {
  template <class A> static A apply(A a, A b) { return wrapping_add(a, b); }
};
struct Sub {
  template <class A> static A apply(A a, A b) { return wrapping_sub(a, b); }
};
struct Mul {
  template <class A> static A apply(A a, A b) { return wrapping_mul(a, b); }
};
// Integer division truncates like C (MXNet: -5 / 3 = -1); an integer division by zero gives 0
// where MXNet would crash the process.
struct Div {
  template <class A>
  static A apply(A a, A b) {
    if constexpr (std::is_integral_v<A>) {
      if (b == 0) return 0;
      if constexpr (std::is_signed_v<A>)
        if (b == -1) return wrapping_neg(a);  // no INT_MIN / -1 trap
    }
    return static_cast<A>(a / b);
  }
};
struct Pow {
  template <class A>
  static A apply(A a, A b) {
    if constexpr (std::is_integral_v<A>)
      return from_double<A>(std::pow(static_cast<double>(a), static_cast<double>(b)));
    else return std::pow(a, b);
  }
};
struct Max {
  template <class A> static A apply(A a, A b) { return a > b ? a : b; }
};
struct Min {
  template <class A> static A apply(A a, A b) { return a < b ? a : b; }
};
// Python's modulo: the result takes the sign of the divisor (MXNet: -5 mod 3 = 1). x mod 0 is 0,
// as MXNet gives for floats.
struct Mod {
  template <class A>
  static A apply(A a, A b) {
    if (b == 0) return 0;
    if constexpr (std::is_integral_v<A>) {
      if constexpr (std::is_signed_v<A>) {
        if (b == -1) return 0;
        A r = static_cast<A>(a % b);
        if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<A>(r + b);
        return r;
      } else {
        return static_cast<A>(a % b);
      }
    } else {
      A r = std::fmod(a, b);
      if (r != 0 && ((r < 0) != (b < 0))) r += b;
      return r;
    }
  }
};
struct Hypot {
  template <class A>
  static A apply(A a, A b) {
    if constexpr (std::is_integral_v<A>)
      return from_double<A>(std::hypot(static_cast<double>(a), static_cast<double>(b)));
    else return std::hypot(a, b);
  }
};
// Comparisons and logical operators give 0/1 in the input dtype (MXNet 1.x).
struct Equal {
  template <class A> static A apply(A a, A b) { return static_cast<A>(a == b); }
};
struct NotEqual {
  template <class A> static A apply(A a, A b) { return static_cast<A>(a != b); }
};
struct Greater {
  template <class A> static A apply(A a, A b) { return static_cast<A>(a > b); }
};
struct GreaterEqual {
  template <class A> static A apply(A a, A b) { return static_cast<A>(a >= b); }
};
struct Lesser {
  template <class A> static A apply(A a, A b) { return static_cast<A>(a < b); }
};
struct LesserEqual {
  template <class A> static A apply(A a, A b) { return static_cast<A>(a <= b); }
};
struct LogicalAnd {
  template <class A> static A apply(A a, A b) { return static_cast<A>(a != A(0) && b != A(0)); }
};
struct LogicalOr {
  template <class A> static A apply(A a, A b) { return static_cast<A>(a != A(0) || b != A(0)); }
};
struct LogicalXor {
  template <class A> static A apply(A a, A b) { return static_cast<A>((a != A(0)) != (b != A(0))); }
};
// Swaps the operands: the scalar forms _rminus_scalar, _rdiv_scalar... compute scalar OP x.
template <class Op>
struct Reversed {
  template <class A> static A apply(A a, A b) { return Op::template apply<A>(b, a); }
};

// ---- loops ---------------------------------------------------------------------------------

// out[i] = Op(lhs[i], rhs[i]) on same-shape blobs of one dtype.
template <class Op>
void binary_same_shape(const TBlob& lhs, const TBlob& rhs, const TBlob& out) {
  const int64_t n = out.size();
  MV_DTYPE_SWITCH(out.dtype, T, {
    using A = acc_t<T>;
    const T* a = lhs.ptr<T>();
    const T* b = rhs.ptr<T>();
    T* o = out.ptr<T>();
    parallel_for(n, [&](int64_t i) { o[i] = static_cast<T>(Op::template apply<A>(A(a[i]), A(b[i]))); });
  });
}

template <class Op>
void binary_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  binary_same_shape<Op>(in[0], in[1], out[0]);
}

// Numpy broadcasting of two shapes (the shorter is padded with leading 1s); false when they do
// not broadcast. MXNet 1.x broadcast_* accept different ndims this way.
bool broadcast_shapes(const Shape& a, const Shape& b, Shape* out);

// Strides of `in` (padded to out's ndim) in out's index space: 0 along broadcast axes.
Shape broadcast_strides(const Shape& in, const Shape& out);

// Calls f(i, ia, ib) for every output element i with the matching element offsets of two
// broadcast inputs, a row of the last axis at a time so the inner loop is index-math free.
template <typename F>
void for_each_broadcast(const Shape& out, const Shape& sa, const Shape& sb, F&& f) {
  const int nd = static_cast<int>(out.size());
  const int64_t n = shape_size(out);
  if (n == 0) return;
  const int64_t last = nd ? out[nd - 1] : 1;
  const int64_t la = nd ? sa[nd - 1] : 0, lb = nd ? sb[nd - 1] : 0;
  const int64_t rows = n / last;
  parallel_for(
      rows,
      [&](int64_t r) {
        int64_t ia = 0, ib = 0, rem = r;
        for (int d = nd - 2; d >= 0; --d) {
          int64_t idx = rem % out[d];
          rem /= out[d];
          ia += idx * sa[d];
          ib += idx * sb[d];
        }
        const int64_t base = r * last;
        for (int64_t j = 0; j < last; ++j) f(base + j, ia + j * la, ib + j * lb);
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, last)));
}

// Element-wise Op with numpy broadcasting; out has the broadcast shape.
template <class Op>
void binary_broadcast(const TBlob& lhs, const TBlob& rhs, const TBlob& out) {
  if (lhs.shape == rhs.shape) return binary_same_shape<Op>(lhs, rhs, out);
  Shape sa = broadcast_strides(lhs.shape, out.shape), sb = broadcast_strides(rhs.shape, out.shape);
  MV_DTYPE_SWITCH(out.dtype, T, {
    using A = acc_t<T>;
    const T* a = lhs.ptr<T>();
    const T* b = rhs.ptr<T>();
    T* o = out.ptr<T>();
    for_each_broadcast(out.shape, sa, sb, [&](int64_t i, int64_t ia, int64_t ib) {
      o[i] = static_cast<T>(Op::template apply<A>(A(a[ia]), A(b[ib])));
    });
  });
}

template <class Op>
void broadcast_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  binary_broadcast<Op>(in[0], in[1], out[0]);
}

// A sample for the registry tests: input shapes, parameters and the inputs' value domain.
inline OpSample sample(std::vector<Shape> shapes, KeyValues params = {}, double lo = -1.0, double hi = 1.0) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  s.lo = lo;
  s.hi = hi;
  return s;
}

// Gradient helpers: a scalar operator applied with its `scalar` parameter.
inline Tensor scalar_op(const std::string& name, Tensor x, double s) { return op(name, {x}, {{"scalar", fmt_num(s)}}); }
inline Tensor zeros_like(Tensor x) { return op("zeros_like", {x}); }

}  // namespace elemwise
}  // namespace minerva
