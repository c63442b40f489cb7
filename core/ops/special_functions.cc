// Special functions and piecewise activations: erfinv, gamma, gammaln, smooth_l1, hard_sigmoid,
// and the backward operators of gamma and gammaln (they need the digamma function, which is no
// registered operator). Values are computed in double for float64 and integer inputs (cast back
// like MXNet's kernels: gamma of int32 stays int32) and in float for float16/float32.
#include <cmath>
#include <limits>

#include "core/ops/elemwise_common.h"

namespace minerva {
namespace {

using elemwise::sample;
using elemwise::scalar_op;

constexpr double kPi = 3.14159265358979323846;

// Inverse error function: Giles' single-precision approximation as a start, then two Newton
// steps on erf(x) - y in double, accurate to double rounding on (-1, 1).
double erfinv_of(double y) {
  if (std::isnan(y) || y < -1 || y > 1) return std::numeric_limits<double>::quiet_NaN();
  if (y == 1) return std::numeric_limits<double>::infinity();
  if (y == -1) return -std::numeric_limits<double>::infinity();
  double w = -std::log((1.0 - y) * (1.0 + y)), x;
  if (w < 5.0) {
    w -= 2.5;
    double p = 2.81022636e-08;
    for (double c : {3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                     -0.00417768164, 0.246640727, 1.50140941})
      p = c + p * w;
    x = p * y;
  } else {
    w = std::sqrt(w) - 3.0;
    double p = -0.000200214257;
    for (double c : {0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                     0.00943887047, 1.00167406, 2.83297682})
      p = c + p * w;
    x = p * y;
  }
  for (int i = 0; i < 2; ++i) {
    const double slope = 2.0 / std::sqrt(kPi) * std::exp(-x * x);
    if (slope == 0) break;
    x -= (std::erf(x) - y) / slope;
  }
  return x;
}

// Digamma psi(x) = d/dx ln|Gamma(x)|: reflection below 0, recurrence up to 6, then the
// asymptotic series. Poles (0, -1, -2, ...) give NaN.
double digamma_of(double x) {
  if (std::isnan(x)) return x;
  if (x <= 0 && x == std::floor(x)) return std::numeric_limits<double>::quiet_NaN();
  if (x < 0) return digamma_of(1.0 - x) - kPi / std::tan(kPi * x);
  double r = 0;
  while (x < 6) {
    r -= 1.0 / x;
    x += 1;
  }
  const double f = 1.0 / (x * x);
  return r + std::log(x) - 0.5 / x -
         f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
}

// out[i] = f(in[i]) in the compute type described above.
template <typename F>
void unary_apply(const TBlob& in, const TBlob& out, F f) {
  MV_DTYPE_SWITCH(in.dtype, T, {
    using A = std::conditional_t<std::is_same_v<T, double> || std::is_integral_v<T>, double, float>;
    const T* a = in.ptr<T>();
    T* o = out.ptr<T>();
    parallel_for(out.size(), [&](int64_t i) {
      o[i] = elemwise::store<T>(static_cast<A>(f(static_cast<double>(static_cast<A>(a[i])))));
    });
  });
}

template <double (*F)(double)>
void unary_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  unary_apply(in[0], out[0], F);
}

double gamma_of(double x) { return std::tgamma(x); }
double gammaln_of(double x) { return std::lgamma(x); }

// The backward operators: ograd * f'(data), with data validated against ograd's shape.
void backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  Shape s = !(*in)[0].empty() ? (*in)[0] : (*in)[1];
  if (s.empty()) return;
  for (int i : {0, 1}) {
    if ((*in)[i].empty()) (*in)[i] = s;
    if ((*in)[i] != s) shape_mismatch(attrs, i == 0 ? "input 'ograd'" : "input 'data'", s, (*in)[i]);
  }
  (*out)[0] = s;
}

template <double (*Deriv)(double)>
void backward_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                      const std::vector<TBlob>& out) {
  MV_CHECK(in[0].dtype == in[1].dtype, kType) << "Operator " << attrs.op->name << ": ograd is "
                                              << dtype_name(in[0].dtype) << " but data is " << dtype_name(in[1].dtype);
  MV_DTYPE_SWITCH(in[0].dtype, T, {
    using A = std::conditional_t<std::is_same_v<T, double> || std::is_integral_v<T>, double, float>;
    const T* og = in[0].ptr<T>();
    const T* x = in[1].ptr<T>();
    T* o = out[0].ptr<T>();
    parallel_for(out[0].size(), [&](int64_t i) {
      const double d = static_cast<double>(static_cast<A>(Deriv(static_cast<double>(static_cast<A>(x[i])))));
      o[i] = elemwise::store<T>(static_cast<A>(static_cast<double>(static_cast<A>(og[i])) * d));
    });
  });
}

double gamma_deriv(double x) { return std::tgamma(x) * digamma_of(x); }

// smooth_l1 with sigma = scalar: 0.5 (sigma x)^2 where |x| < 1/sigma^2, |x| - 0.5/sigma^2 elsewhere.
double smooth_l1_of(double x, double sigma) {
  const double s2 = sigma * sigma;
  return std::fabs(x) < 1.0 / s2 ? 0.5 * s2 * x * x : std::fabs(x) - 0.5 / s2;
}

}  // namespace

MV_REGISTER_OP(erfinv)
    .describe("Inverse error function, element-wise: erfinv(erf(x)) = x on (-1, 1); erfinv(+-1) = +-inf and NaN "
              "outside [-1, 1].\n\nExample::\n\n  erfinv([0, 0.5, -0.5]) = [0, 0.4769, -0.4769]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<erfinv_of>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      // d erfinv(y)/dy = sqrt(pi)/2 * exp(erfinv(y)^2)
      return std::vector<Tensor>{g.ograd() * op("exp", {op("square", {g.output()})}) * (std::sqrt(kPi) / 2)};
    })
    .add_sample(sample({{2, 3}}, {}, -0.9, 0.9));

MV_REGISTER_OP(gamma)
    .describe("The gamma function, element-wise: gamma(n) = (n-1)! on positive integers; infinite at 0 and NaN "
              "at the negative integers.\n\nExample::\n\n  gamma([1, 2, 3, 0.5]) = [1, 1, 2, 1.7725]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<gamma_of>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_gamma", {g.ograd(), g.input()})};
    })
    .add_sample(sample({{2, 3}}, {}, 0.5, 3.0))
    .add_sample(sample({{4}}, {}, -0.9, -0.1));

MV_REGISTER_OP(_backward_gamma)
    .describe("Gradient of gamma: ograd * gamma(data) * digamma(data).")
    .input("ograd", "Gradient of gamma's output.")
    .input("data", "gamma's input.")
    .params_from("gamma")
    .set_infer_shape(backward_shape)
    .set_forward(backward_forward<gamma_deriv>)
    .set_non_differentiable();

MV_REGISTER_OP(gammaln)
    .describe("The natural logarithm of the absolute value of the gamma function, element-wise.\n\n"
              "Example::\n\n  gammaln([1, 3, 0.5, -1.5]) = [0, 0.6931, 0.5724, 0.8600]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(unary_forward<gammaln_of>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_gammaln", {g.ograd(), g.input()})};
    })
    .add_sample(sample({{2, 3}}, {}, 0.5, 4.0))
    .add_sample(sample({{4}}, {}, -1.9, -1.1));

MV_REGISTER_OP(_backward_gammaln)
    .describe("Gradient of gammaln: ograd * digamma(data).")
    .input("ograd", "Gradient of gammaln's output.")
    .input("data", "gammaln's input.")
    .params_from("gammaln")
    .set_infer_shape(backward_shape)
    .set_forward(backward_forward<digamma_of>)
    .set_non_differentiable();

MV_REGISTER_OP(smooth_l1)
    .describe(
        "Smooth L1 loss, element-wise, with sigma = scalar: 0.5 * (sigma * x)^2 where |x| < 1 / sigma^2, and "
        "|x| - 0.5 / sigma^2 elsewhere.\n\n"
        "Example::\n\n  smooth_l1([-2, -0.5, 0.3, 1.5]) = [1.5, 0.125, 0.045, 1]\n"
        "  smooth_l1([-2, -0.5, 0.3, 1.5], scalar=2) = [1.875, 0.375, 0.18, 1.375]")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "scalar input")
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const double sigma = attrs.get_float("scalar");
      unary_apply(in[0], out[0], [sigma](double x) { return smooth_l1_of(x, sigma); });
    })
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      // sigma^2 x inside the quadratic zone, sign(x) outside it.
      const double s2 = g.attrs->get_float("scalar") * g.attrs->get_float("scalar");
      Tensor x = g.input();
      Tensor inside = scalar_op("_lesser_scalar", op("abs", {x}), 1.0 / s2);
      Tensor outside = scalar_op("_rminus_scalar", inside, 1.0);
      return std::vector<Tensor>{g.ograd() * (x * inside * s2 + op("sign", {x}) * outside)};
    })
    .add_sample(sample({{3, 4}}, {}, -2.0, 2.0))
    .add_sample(sample({{2, 3}}, {{"scalar", "2.5"}}, -0.5, 0.5));

MV_REGISTER_OP(hard_sigmoid)
    .describe("Hard sigmoid, element-wise: max(0, min(1, alpha * x + beta)). Floating-point inputs only.\n\n"
              "Example::\n\n  hard_sigmoid([-3, -1, 0, 1, 3]) = [0, 0.3, 0.5, 0.7, 1]")
    .input("data", "The input array.")
    .param("alpha", ParamType::kFloat, "0.200000003", "Slope of hard sigmoid")
    .param("beta", ParamType::kFloat, "0.5", "Bias of hard sigmoid.")
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      MV_CHECK(dtype_is_float(in[0].dtype), kType)
          << "Operator hard_sigmoid supports float16/float32/float64 inputs, got " << dtype_name(in[0].dtype);
      const double alpha = attrs.get_float("alpha"), beta = attrs.get_float("beta");
      unary_apply(in[0], out[0], [=](double x) { return std::max(0.0, std::min(1.0, alpha * x + beta)); });
    })
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      // alpha where the output is strictly between 0 and 1, zero on the clipped parts.
      Tensor y = g.output();
      Tensor linear = scalar_op("_greater_scalar", y, 0.0) * scalar_op("_lesser_scalar", y, 1.0);
      return std::vector<Tensor>{g.ograd() * linear * g.attrs->get_float("alpha")};
    })
    .add_sample(sample({{3, 4}}, {}, -4.0, 4.0))
    .add_sample(sample({{2, 3}}, {{"alpha", "0.5"}, {"beta", "0.2"}}, -3.0, 3.0));

}  // namespace minerva
