// Unary math operators (negative, abs, exp, log, trigonometric, rounding...). Each is a functor
// over a compute type: float for float16/float32, double for float64 and, unless the formula is
// exact on integers (kInt), for integer inputs too, whose results are cast back like MXNet's
// kernels do (sqrt of int32 stays int32). Gradients are graph code over registered operators.
#include "core/ops/elemwise_common.h"

namespace minerva {
namespace {

using elemwise::sample;
using elemwise::scalar_op;
using elemwise::zeros_like;

template <class Op>
void unary_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const int64_t n = in[0].size();
  MV_DTYPE_SWITCH(in[0].dtype, T, {
    using A = std::conditional_t<std::is_integral_v<T> && !Op::kInt, double, elemwise::acc_t<T>>;
    const T* a = in[0].ptr<T>();
    T* o = out[0].ptr<T>();
    parallel_for(n, [&](int64_t i) { o[i] = elemwise::store<T>(Op::template apply<A>(static_cast<A>(a[i]))); });
  });
}

// kInt: the formula is exact in integer arithmetic, so integer inputs skip the double round trip.
#define MV_UNARY(NAME, INT, EXPR)           \
  struct NAME {                             \
    static constexpr bool kInt = INT;       \
    template <class A>                      \
    static A apply(A x) {                   \
      return static_cast<A>(EXPR);          \
    }                                       \
  };

template <class A>
A abs_of(A x) {
  if constexpr (std::is_unsigned_v<A>) return x;
  else if constexpr (std::is_integral_v<A>) return x < 0 ? elemwise::wrapping_neg(x) : x;  // abs(INT_MIN) = INT_MIN
  else return std::fabs(x);
}
template <class A>
A sign_of(A x) {
  if constexpr (std::is_unsigned_v<A>) return static_cast<A>(x > 0);
  else return static_cast<A>((x > 0) - (x < 0));
}
// Rounding is the identity on integers.
template <class A, class F>
A round_with(A x, F f) {
  if constexpr (std::is_integral_v<A>) return x;
  else return f(x);
}
// MXNet's rint picks the nearer of floor and ceil and, on a tie, floor: rint(-2.5) = -3.
template <class A>
A mx_rint(A x) {
  A fl = std::floor(x), ce = std::ceil(x);
  return (x - fl) > (ce - x) ? ce : fl;
}

MV_UNARY(Negative, true, elemwise::wrapping_neg(x))
MV_UNARY(Abs, true, abs_of(x))
MV_UNARY(Sign, true, sign_of(x))
MV_UNARY(Exp, false, std::exp(x))
MV_UNARY(Log, false, std::log(x))
MV_UNARY(Log1p, false, std::log1p(x))
MV_UNARY(Expm1, false, std::expm1(x))
MV_UNARY(Sqrt, false, std::sqrt(x))
MV_UNARY(Rsqrt, false, A(1) / std::sqrt(x))
MV_UNARY(Square, true, elemwise::wrapping_mul(x, x))
MV_UNARY(Reciprocal, false, A(1) / x)
MV_UNARY(Sin, false, std::sin(x))
MV_UNARY(Cos, false, std::cos(x))
MV_UNARY(Tan, false, std::tan(x))
MV_UNARY(Tanh, false, std::tanh(x))
MV_UNARY(Sigmoid, false, A(1) / (A(1) + std::exp(-x)))
MV_UNARY(Relu, true, x > A(0) ? x : A(0))
MV_UNARY(Softsign, false, x / (A(1) + std::fabs(x)))
MV_UNARY(Erf, false, std::erf(x))
MV_UNARY(Floor, true, round_with(x, [](A v) { return std::floor(v); }))
MV_UNARY(Ceil, true, round_with(x, [](A v) { return std::ceil(v); }))
MV_UNARY(Round, true, round_with(x, [](A v) { return std::round(v); }))
MV_UNARY(Rint, true, round_with(x, [](A v) { return mx_rint(v); }))
MV_UNARY(Fix, true, round_with(x, [](A v) { return std::trunc(v); }))
MV_UNARY(Trunc, true, round_with(x, [](A v) { return std::trunc(v); }))
MV_UNARY(Log2, false, std::log2(x))
MV_UNARY(Log10, false, std::log10(x))
MV_UNARY(Cbrt, false, std::cbrt(x))
MV_UNARY(Rcbrt, false, A(1) / std::cbrt(x))
MV_UNARY(Arcsin, false, std::asin(x))
MV_UNARY(Arccos, false, std::acos(x))
MV_UNARY(Arctan, false, std::atan(x))
MV_UNARY(Sinh, false, std::sinh(x))
MV_UNARY(Cosh, false, std::cosh(x))
MV_UNARY(Arcsinh, false, std::asinh(x))
MV_UNARY(Arccosh, false, std::acosh(x))
MV_UNARY(Arctanh, false, std::atanh(x))
MV_UNARY(Degrees, false, x * A(57.295779513082323))
MV_UNARY(Radians, false, x * A(0.017453292519943295))
MV_UNARY(LogicalNot, true, x == A(0))
#undef MV_UNARY

}  // namespace

// Rounding, sign and logical_not are piecewise constant: MXNet gives them a zero gradient.

MV_REGISTER_OP(negative)
    .describe("Numerical negative, element-wise: -data.\n\nExample::\n\n  negative([1, -2]) = [-1, 2]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Negative>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{-g.ograd()}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(abs)
    .describe("Absolute value, element-wise.\n\nExample::\n\n  abs([-2, 3]) = [2, 3]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Abs>)
    .set_inplace(0, 0)
    .set_method("abs")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * op("sign", {g.input()})}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(sign)
    .describe("Sign of each element: -1, 0 or 1. The gradient is zero.\n\nExample::\n\n  sign([-2, 0, 3]) = [-1, 0, 1]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Sign>)
    .set_inplace(0, 0)
    .set_method("sign")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{zeros_like(g.ograd())}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(exp)
    .describe("Natural exponential, element-wise.\n\nExample::\n\n  exp([0, 1]) = [1, 2.71828]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Exp>)
    .set_inplace(0, 0)
    .set_method("exp")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * g.output()}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(log)
    .describe("Natural logarithm, element-wise.\n\nExample::\n\n  log([1, 2.71828]) = [0, 1]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Log>)
    .set_inplace(0, 0)
    .set_method("log")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() / g.input()}; })
    .add_sample(sample({{2, 3}}, {}, 0.5, 2.0));

MV_REGISTER_OP(log1p)
    .describe("log(1 + data), accurate for small data.\n\nExample::\n\n  log1p([0, 1e-10]) = [0, 1e-10]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Log1p>)
    .set_inplace(0, 0)
    .set_method("log1p")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() / (g.input() + 1.0)}; })
    .add_sample(sample({{2, 3}}, {}, -0.5, 1.0));

MV_REGISTER_OP(expm1)
    .describe("exp(data) - 1, accurate for small data.\n\nExample::\n\n  expm1([0, 1e-10]) = [0, 1e-10]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Expm1>)
    .set_inplace(0, 0)
    .set_method("expm1")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * (g.output() + 1.0)}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(sqrt)
    .describe("Square root, element-wise.\n\nExample::\n\n  sqrt([4, 9]) = [2, 3]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Sqrt>)
    .set_inplace(0, 0)
    .set_method("sqrt")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() / g.output() * 0.5}; })
    .add_sample(sample({{2, 3}}, {}, 0.5, 2.0));

MV_REGISTER_OP(rsqrt)
    .describe("Inverse square root 1/sqrt(data), element-wise.\n\nExample::\n\n  rsqrt([4, 16]) = [0.5, 0.25]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Rsqrt>)
    .set_inplace(0, 0)
    .set_method("rsqrt")
    .set_gradient([](const GradContext& g) {
      // d(x^-1/2)/dx = -0.5 * x^-3/2 = -0.5 * out / x.
      return std::vector<Tensor>{g.ograd() * g.output() / g.input() * -0.5};
    })
    .add_sample(sample({{2, 3}}, {}, 0.5, 2.0));

MV_REGISTER_OP(square)
    .describe("Square, element-wise.\n\nExample::\n\n  square([2, -3]) = [4, 9]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Square>)
    .set_inplace(0, 0)
    .set_method("square")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * g.input() * 2.0}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(reciprocal)
    .describe("Reciprocal 1/data, element-wise.\n\nExample::\n\n  reciprocal([2, -4]) = [0.5, -0.25]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Reciprocal>)
    .set_inplace(0, 0)
    .set_method("reciprocal")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{-(g.ograd() * g.output() * g.output())}; })
    .add_sample(sample({{2, 3}}, {}, 0.5, 2.0));

MV_REGISTER_OP(sin)
    .describe("Sine (radians), element-wise.\n\nExample::\n\n  sin([0, 1.5708]) = [0, 1]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Sin>)
    .set_inplace(0, 0)
    .set_method("sin")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * op("cos", {g.input()})}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(cos)
    .describe("Cosine (radians), element-wise.\n\nExample::\n\n  cos([0, 3.14159]) = [1, -1]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Cos>)
    .set_inplace(0, 0)
    .set_method("cos")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{-(g.ograd() * op("sin", {g.input()}))}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(tan)
    .describe("Tangent (radians), element-wise.\n\nExample::\n\n  tan([0, 0.785398]) = [0, 1]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Tan>)
    .set_inplace(0, 0)
    .set_method("tan")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * (g.output() * g.output() + 1.0)}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(tanh)
    .describe("Hyperbolic tangent, element-wise.\n\nExample::\n\n  tanh([0, 1]) = [0, 0.761594]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Tanh>)
    .set_inplace(0, 0)
    .set_method("tanh")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * (1.0 - g.output() * g.output())}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(sigmoid)
    .describe("Logistic sigmoid 1 / (1 + exp(-data)), element-wise.\n\n"
              "Example::\n\n  sigmoid([0, 2]) = [0.5, 0.880797]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Sigmoid>)
    .set_inplace(0, 0)
    .set_method("sigmoid")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * g.output() * (1.0 - g.output())}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(relu)
    .describe("Rectified linear unit max(data, 0), element-wise.\n\nExample::\n\n  relu([-1, 2]) = [0, 2]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Relu>)
    .set_inplace(0, 0)
    .set_method("relu")
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{g.ograd() * scalar_op("_greater_scalar", g.output(), 0)};
    })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(softsign)
    .describe("data / (1 + abs(data)), element-wise.\n\nExample::\n\n  softsign([1, -3]) = [0.5, -0.75]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Softsign>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      Tensor d = op("abs", {g.input()}) + 1.0;
      return std::vector<Tensor>{g.ograd() / (d * d)};
    })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(erf)
    .describe("Gauss error function, element-wise.\n\nExample::\n\n  erf([0, 0.5]) = [0, 0.5205]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Erf>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      // d erf(x)/dx = 2/sqrt(pi) * exp(-x^2).
      Tensor x = g.input();
      return std::vector<Tensor>{g.ograd() * op("exp", {-(x * x)}) * 1.1283791670955126};
    })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(floor)
    .describe("Largest integer not greater than each element. The gradient is zero.\n\n"
              "Example::\n\n  floor([-2.1, 1.9]) = [-3, 1]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Floor>)
    .set_inplace(0, 0)
    .set_method("floor")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{zeros_like(g.ograd())}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(ceil)
    .describe("Smallest integer not less than each element. The gradient is zero.\n\n"
              "Example::\n\n  ceil([-2.1, 1.1]) = [-2, 2]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Ceil>)
    .set_inplace(0, 0)
    .set_method("ceil")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{zeros_like(g.ograd())}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(round)
    .describe("Rounds to the nearest integer, halves away from zero. The gradient is zero.\n\n"
              "Example::\n\n  round([-2.5, 1.5, 0.4]) = [-3, 2, 0]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Round>)
    .set_inplace(0, 0)
    .set_method("round")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{zeros_like(g.ograd())}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(rint)
    .describe("Rounds to the nearest integer; as in MXNet, a half rounds toward -inf. The gradient is zero.\n\n"
              "Example::\n\n  rint([-2.5, 1.5, 0.6]) = [-3, 1, 1]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Rint>)
    .set_inplace(0, 0)
    .set_method("rint")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{zeros_like(g.ograd())}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(fix)
    .describe("Rounds toward zero. The gradient is zero.\n\nExample::\n\n  fix([-2.7, 1.7]) = [-2, 1]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Fix>)
    .set_inplace(0, 0)
    .set_method("fix")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{zeros_like(g.ograd())}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(trunc)
    .describe("Truncates toward zero (drops the fractional part). The gradient is zero.\n\n"
              "Example::\n\n  trunc([-2.7, 1.7]) = [-2, 1]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Trunc>)
    .set_inplace(0, 0)
    .set_method("trunc")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{zeros_like(g.ograd())}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(log2)
    .describe("Base-2 logarithm, element-wise.\n\nExample::\n\n  log2([1, 8]) = [0, 3]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Log2>)
    .set_inplace(0, 0)
    .set_method("log2")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() / g.input() * 1.4426950408889634}; })
    .add_sample(sample({{2, 3}}, {}, 0.5, 2.0));

MV_REGISTER_OP(log10)
    .describe("Base-10 logarithm, element-wise.\n\nExample::\n\n  log10([1, 1000]) = [0, 3]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Log10>)
    .set_inplace(0, 0)
    .set_method("log10")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() / g.input() * 0.43429448190325176}; })
    .add_sample(sample({{2, 3}}, {}, 0.5, 2.0));

MV_REGISTER_OP(cbrt)
    .describe("Cube root, element-wise.\n\nExample::\n\n  cbrt([8, -27]) = [2, -3]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Cbrt>)
    .set_inplace(0, 0)
    .set_method("cbrt")
    .set_gradient([](const GradContext& g) {
      // d x^(1/3)/dx = 1 / (3 out^2).
      return std::vector<Tensor>{g.ograd() / (g.output() * g.output() * 3.0)};
    })
    .add_sample(sample({{2, 3}}, {}, 0.5, 2.0));

MV_REGISTER_OP(rcbrt)
    .describe("Inverse cube root 1/cbrt(data), element-wise.\n\nExample::\n\n  rcbrt([8, 27]) = [0.5, 0.333333]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Rcbrt>)
    .set_inplace(0, 0)
    .set_method("rcbrt")
    .set_gradient([](const GradContext& g) {
      // d x^(-1/3)/dx = -out / (3 x).
      return std::vector<Tensor>{g.ograd() * g.output() / g.input() * (-1.0 / 3.0)};
    })
    .add_sample(sample({{2, 3}}, {}, 0.5, 2.0));

MV_REGISTER_OP(arcsin)
    .describe("Inverse sine, element-wise; the result is in [-pi/2, pi/2].\n\n"
              "Example::\n\n  arcsin([0, 1]) = [0, 1.5708]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Arcsin>)
    .set_inplace(0, 0)
    .set_method("arcsin")
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{g.ograd() / op("sqrt", {1.0 - g.input() * g.input()})};
    })
    .add_sample(sample({{2, 3}}, {}, -0.8, 0.8));

MV_REGISTER_OP(arccos)
    .describe("Inverse cosine, element-wise; the result is in [0, pi].\n\nExample::\n\n  arccos([1, 0]) = [0, 1.5708]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Arccos>)
    .set_inplace(0, 0)
    .set_method("arccos")
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{-(g.ograd() / op("sqrt", {1.0 - g.input() * g.input()}))};
    })
    .add_sample(sample({{2, 3}}, {}, -0.8, 0.8));

MV_REGISTER_OP(arctan)
    .describe("Inverse tangent, element-wise; the result is in [-pi/2, pi/2].\n\n"
              "Example::\n\n  arctan([0, 1]) = [0, 0.785398]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Arctan>)
    .set_inplace(0, 0)
    .set_method("arctan")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() / (g.input() * g.input() + 1.0)}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(sinh)
    .describe("Hyperbolic sine, element-wise.\n\nExample::\n\n  sinh([0, 1]) = [0, 1.1752]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Sinh>)
    .set_inplace(0, 0)
    .set_method("sinh")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * op("cosh", {g.input()})}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(cosh)
    .describe("Hyperbolic cosine, element-wise.\n\nExample::\n\n  cosh([0, 1]) = [1, 1.54308]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Cosh>)
    .set_inplace(0, 0)
    .set_method("cosh")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * op("sinh", {g.input()})}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(arcsinh)
    .describe("Inverse hyperbolic sine, element-wise.\n\nExample::\n\n  arcsinh([0, 1]) = [0, 0.881374]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Arcsinh>)
    .set_inplace(0, 0)
    .set_method("arcsinh")
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{g.ograd() / op("sqrt", {g.input() * g.input() + 1.0})};
    })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(arccosh)
    .describe("Inverse hyperbolic cosine, element-wise (data >= 1).\n\nExample::\n\n  arccosh([1, 2]) = [0, 1.31696]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Arccosh>)
    .set_inplace(0, 0)
    .set_method("arccosh")
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{g.ograd() / op("sqrt", {g.input() * g.input() + (-1.0)})};
    })
    .add_sample(sample({{2, 3}}, {}, 1.5, 3.0));

MV_REGISTER_OP(arctanh)
    .describe("Inverse hyperbolic tangent, element-wise (-1 < data < 1).\n\n"
              "Example::\n\n  arctanh([0, 0.5]) = [0, 0.549306]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Arctanh>)
    .set_inplace(0, 0)
    .set_method("arctanh")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() / (1.0 - g.input() * g.input())}; })
    .add_sample(sample({{2, 3}}, {}, -0.8, 0.8));

MV_REGISTER_OP(degrees)
    .describe("Converts radians to degrees, element-wise.\n\nExample::\n\n  degrees([0, 3.14159]) = [0, 180]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Degrees>)
    .set_inplace(0, 0)
    .set_method("degrees")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * 57.295779513082323}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(radians)
    .describe("Converts degrees to radians, element-wise.\n\nExample::\n\n  radians([0, 180]) = [0, 3.14159]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<Radians>)
    .set_inplace(0, 0)
    .set_method("radians")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * 0.017453292519943295}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(logical_not)
    .describe("Logical NOT (nonzero is true) as 1/0 in the input dtype. The gradient is zero.\n\n"
              "Example::\n\n  logical_not([0, 2]) = [1, 0]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<LogicalNot>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{zeros_like(g.ograd())}; })
    .add_sample(sample({{2, 3}}));

}  // namespace minerva
