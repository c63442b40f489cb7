// Activation functions of MXNet 1.x: Activation (relu, sigmoid, tanh, softrelu, softsign) and
// LeakyReLU (leaky, elu, selu, gelu, prelu, rrelu). Gradients are graph code over registered
// element-wise operators, so second derivatives work (a gradient penalty through a LeakyReLU
// discriminator, for example); only prelu, whose slope gradient is a per-channel reduction,
// uses an internal backward kernel.
#include <cmath>
#include <random>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/op/random.h"
#include "core/ops/backward_shape.h"

namespace minerva {
namespace {

// SELU's constants (Klambauer et al. 2017), as MXNet uses them.
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluLambda = 1.0507009873554804934193349852946;
constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;

// y[i] = f(x[i]) over a floating array; f works in double whatever the storage type.
template <typename F>
void map_float(const TBlob& in, const TBlob& out, const char* who, F f) {
  MV_FLOAT_SWITCH(in.dtype, who, T, {
    const T* x = in.ptr<T>();
    T* y = out.ptr<T>();
    parallel_for(in.size(), [&](int64_t i) { y[i] = T(f(static_cast<double>(x[i]))); });
  });
}

Tensor scalar_op(const char* name, Tensor a, double s) { return op(name, {a}, {{"scalar", fmt_num(s)}}); }
// 1 where x > 0, else 0: the branch selector of every ReLU variant (x == 0 takes the negative
// branch, as in MXNet).
Tensor positive_mask(Tensor x) { return scalar_op("_greater_scalar", x, 0.0); }

double softrelu(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

// ---- Activation ------------------------------------------------------------------------------

// One act_type: its element-wise function and its gradient as graph code over (x, y, ograd).
struct ActivationVariant {
  double (*fn)(double);
  Tensor (*gradient)(Tensor x, Tensor y, Tensor og);
};

const Variants<ActivationVariant> kActivations("act_type", {
    {"relu", {[](double x) { return x > 0 ? x : 0.0; },
              [](Tensor, Tensor y, Tensor og) { return og * positive_mask(y); }}},
    {"sigmoid", {[](double x) { return 1.0 / (1.0 + std::exp(-x)); },
                 [](Tensor, Tensor y, Tensor og) { return og * (y * (1.0 - y)); }}},
    {"softrelu", {softrelu,
                  [](Tensor x, Tensor, Tensor og) { return og * op("Activation", {x}, {{"act_type", "sigmoid"}}); }}},
    // d/dx x/(1+|x|) = 1/(1+|x|)^2 = (1-|y|)^2.
    {"softsign", {[](double x) { return x / (1.0 + std::fabs(x)); },
                  [](Tensor, Tensor y, Tensor og) {
                    Tensor d = 1.0 - op("abs", {y});
                    return og * (d * d);
                  }}},
    {"tanh", {[](double x) { return std::tanh(x); },
              [](Tensor, Tensor y, Tensor og) { return og * (1.0 - y * y); }}},
});

void activation_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  map_float(in[0], out[0], "Activation", kActivations.of(attrs).fn);
}

std::vector<Tensor> activation_gradient(const GradContext& g) {
  return {kActivations.of(*g.attrs).gradient(g.input(), g.output(), g.ograd())};
}

OpSample activation_sample(const char* act) {
  OpSample s;
  s.shapes = {{2, 3, 4}};
  s.params = {{"act_type", act}};
  s.lo = -2.0;
  s.hi = 2.0;
  return s;
}

// ---- LeakyReLU -------------------------------------------------------------------------------

bool is_prelu(const Attrs& a) { return a.get_str("act_type") == "prelu"; }
bool is_rrelu(const Attrs& a) { return a.get_str("act_type") == "rrelu"; }

void leaky_relu_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  if (is_prelu(attrs)) {
    MV_CHECK(d.size() >= 2, kValue) << "Operator LeakyReLU(act_type='prelu'): data must have at least 2 "
                                    << "dimensions (gamma is per channel, axis 1), got shape " << shape_str(d);
    Shape& gamma = (*in)[1];
    if (gamma.empty()) gamma = {d[1]};
    MV_CHECK(gamma == Shape{d[1]} || gamma == Shape{1}, kValue)
        << "Operator LeakyReLU(act_type='prelu'): gamma must have shape (" << d[1] << ",) (one slope per channel "
        << "of data " << shape_str(d) << ") or (1,), got " << shape_str(gamma);
  }
  for (auto& o : *out) o = d;  // output, and rrelu's mask
}

void prelu_forward(const TBlob& x, const TBlob& gamma, const TBlob& y) {
  AxisSplit l = split_at_axis(x.shape, 1);
  const bool shared = gamma.size() == 1;
  MV_FLOAT_SWITCH(x.dtype, "LeakyReLU", T, {
    const T* xp = x.ptr<T>();
    const T* gp = gamma.ptr<T>();
    T* yp = y.ptr<T>();
    parallel_for(x.size(), [&](int64_t i) {
      double v = static_cast<double>(xp[i]);
      double slope = static_cast<double>(gp[shared ? 0 : (i / l.inner) % l.size]);
      yp[i] = T(v > 0 ? v : slope * v);
    });
  });
}

// rrelu draws one slope per element in training; in prediction every slope is the midpoint.
// The mask output holds the slopes (MXNet's second output).
void rrelu_forward(const OpContext& ctx, const Attrs& attrs, const TBlob& x, const TBlob& y, const TBlob& mask) {
  const double lo = attrs.get_float("lower_bound"), hi = attrs.get_float("upper_bound");
  std::vector<double> slopes(static_cast<size_t>(x.size()), (lo + hi) / 2);
  if (ctx.is_train) {
    MV_CHECK(ctx.rng != nullptr, kInternal) << "Operator LeakyReLU: no random generator";
    std::uniform_real_distribution<double> u(lo, hi);
    for (auto& s : slopes) s = u(ctx.rng->engine);
  }
  MV_FLOAT_SWITCH(x.dtype, "LeakyReLU", T, {
    const T* xp = x.ptr<T>();
    T* yp = y.ptr<T>();
    T* mp = mask.ptr<T>();
    parallel_for(x.size(), [&](int64_t i) {
      double v = static_cast<double>(xp[i]);
      yp[i] = T(v > 0 ? v : slopes[i] * v);
      mp[i] = T(slopes[i]);
    });
  });
}

// One LeakyReLU act_type: its forward kernel and its gradient.
struct LeakyVariant {
  void (*forward)(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out);
  std::vector<Tensor> (*gradient)(const GradContext& g);
};

// The gradients of leaky, elu and selu: pos_scale where x > 0; elsewhere neg_offset, plus the
// output itself when the negative branch is exponential (d/dx s*(e^x - 1) = y + s).
std::vector<Tensor> leaky_family_gradient(const GradContext& g, bool exponential, double neg_offset,
                                          double pos_scale) {
  Tensor x = g.input(), y = g.output(), og = g.ograd();
  Tensor pos = positive_mask(x), neg = 1.0 - pos;
  if (!exponential) return {og * (pos * (pos_scale - neg_offset) + neg_offset)};
  return {og * (pos * pos_scale + neg * (y + neg_offset))};
}

const Variants<LeakyVariant> kLeakyReLUs("act_type", {
    {"elu", {[](const OpContext&, const Attrs& a, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
               const double slope = a.get_float("slope");
               map_float(in[0], out[0], "LeakyReLU", [slope](double x) { return x > 0 ? x : slope * std::expm1(x); });
             },
             [](const GradContext& g) { return leaky_family_gradient(g, true, g.attrs->get_float("slope"), 1); }}},
    {"gelu", {[](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
                map_float(in[0], out[0], "LeakyReLU",
                          [](double x) { return 0.5 * x * (1.0 + std::erf(x * kInvSqrt2)); });
              },
              [](const GradContext& g) -> std::vector<Tensor> {
                // d/dx x*Phi(x) = Phi(x) + x*phi(x), with Phi the normal CDF and phi its density.
                Tensor x = g.input();
                Tensor cdf = scalar_op("_plus_scalar", scalar_op("_mul_scalar", op("erf", {x * kInvSqrt2}), 0.5), 0.5);
                Tensor pdf = op("exp", {op("square", {x}) * -0.5}) * kInvSqrt2Pi;
                return {g.ograd() * (cdf + x * pdf)};
              }}},
    {"leaky", {[](const OpContext&, const Attrs& a, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
                 const double slope = a.get_float("slope");
                 map_float(in[0], out[0], "LeakyReLU", [slope](double x) { return x > 0 ? x : slope * x; });
               },
               [](const GradContext& g) { return leaky_family_gradient(g, false, g.attrs->get_float("slope"), 1); }}},
    {"prelu", {[](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
                 prelu_forward(in[0], in[1], out[0]);
               },
               [](const GradContext& g) -> std::vector<Tensor> {
                 auto grads = op_all("_backward_LeakyReLU", {g.ograd(), g.input(), g.input(1)}, g.forward_params());
                 return {grads[0], grads[1]};
               }}},
    {"rrelu", {[](const OpContext& ctx, const Attrs& a, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
                 rrelu_forward(ctx, a, in[0], out[0], out[1]);
               },
               [](const GradContext& g) -> std::vector<Tensor> {
                 // The drawn slopes are the mask output.
                 Tensor pos = positive_mask(g.input()), neg = 1.0 - pos;
                 return {g.ograd() * (pos + neg * g.output(1))};
               }}},
    {"selu", {[](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
                map_float(in[0], out[0], "LeakyReLU",
                          [](double x) { return kSeluLambda * (x > 0 ? x : kSeluAlpha * std::expm1(x)); });
              },
              [](const GradContext& g) { return leaky_family_gradient(g, true, kSeluLambda * kSeluAlpha, kSeluLambda); }}},
});

void leaky_relu_forward(const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  kLeakyReLUs.of(attrs).forward(ctx, attrs, in, out);
}

std::vector<Tensor> leaky_relu_gradient(const GradContext& g) { return kLeakyReLUs.of(*g.attrs).gradient(g); }

// prelu's backward: data gradient g*(x>0 ? 1 : gamma) and the per-channel slope gradient
// sum(g*x over x<=0), reduced to gamma's shape ((C,) or the shared (1,)).
void prelu_backward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const TBlob &og = in[0], &x = in[1], &gamma = in[2];
  AxisSplit l = split_at_axis(x.shape, 1);
  const bool shared = gamma.size() == 1;
  MV_FLOAT_SWITCH(x.dtype, "_backward_LeakyReLU", T, {
    const T* gp = og.ptr<T>();
    const T* xp = x.ptr<T>();
    const T* wp = gamma.ptr<T>();
    T* gx = out[0].ptr<T>();
    parallel_for(x.size(), [&](int64_t i) {
      double slope = static_cast<double>(wp[shared ? 0 : (i / l.inner) % l.size]);
      gx[i] = T(static_cast<double>(xp[i]) > 0 ? static_cast<double>(gp[i]) : slope * static_cast<double>(gp[i]));
    });
    std::vector<double> acc(static_cast<size_t>(l.size), 0.0);
    for (int64_t i = 0; i < x.size(); ++i) {
      double v = static_cast<double>(xp[i]);
      if (v <= 0) acc[static_cast<size_t>((i / l.inner) % l.size)] += static_cast<double>(gp[i]) * v;
    }
    T* gg = out[1].ptr<T>();
    if (shared) {
      double total = 0;
      for (double a : acc) total += a;
      gg[0] = T(total);
    } else {
      for (int64_t c = 0; c < l.size; ++c) gg[c] = T(acc[static_cast<size_t>(c)]);
    }
  });
}

OpSample leaky_sample(const char* act, bool grad_check = true) {
  OpSample s;
  s.shapes = {{2, 3, 4}};
  s.params = {{"act_type", act}, {"slope", "0.3"}};
  s.lo = -2.0;
  s.hi = 2.0;
  s.grad_check = grad_check;
  return s;
}

}  // namespace

MV_REGISTER_OP(Activation)
    .describe(
        "Applies an activation function element-wise to the input.\n\n"
        "The following activation functions are supported:\n\n"
        "- `relu`: Rectified Linear Unit, y = max(x, 0)\n"
        "- `sigmoid`: y = 1 / (1 + exp(-x))\n"
        "- `tanh`: Hyperbolic tangent, y = (exp(x) - exp(-x)) / (exp(x) + exp(-x))\n"
        "- `softrelu`: Soft ReLU, or SoftPlus, y = log(1 + exp(x))\n"
        "- `softsign`: y = x / (1 + abs(x))\n\n"
        "Example::\n\n"
        "  Activation([-1, 0, 2], act_type='relu') = [0, 0, 2]\n"
        "  Activation([0], act_type='sigmoid') = [0.5]")
    .input("data", "The input array.")
    .enum_param(kActivations, "", "Activation function to be applied.")
    .set_infer_shape(infer_same_shape)
    .set_forward(activation_forward)
    .set_gradient(activation_gradient)
    .set_inplace(0, 0)
    .add_sample(activation_sample("relu"))
    .add_sample(activation_sample("sigmoid"))
    .add_sample(activation_sample("tanh"))
    .add_sample(activation_sample("softrelu"))
    .add_sample(activation_sample("softsign"));

MV_REGISTER_OP(LeakyReLU)
    .describe(
        "Applies Leaky rectified linear unit activation element-wise to the input.\n\n"
        "Leaky ReLUs attempt to fix the \"dying ReLU\" problem by allowing a small `slope`\n"
        "when the input is negative and has a slope of one when input is positive.\n\n"
        "The following modified ReLU Activation functions are supported:\n\n"
        "- *elu*: Exponential Linear Unit. `y = x > 0 ? x : slope * (exp(x)-1)`\n"
        "- *selu*: Scaled Exponential Linear Unit. `y = lambda * (x > 0 ? x : alpha * (exp(x) - 1))` where\n"
        "  *lambda = 1.0507009873554804934193349852946* and *alpha = 1.6732632423543772848170429916717*.\n"
        "- *leaky*: Leaky ReLU. `y = x > 0 ? x : slope * x`\n"
        "- *prelu*: Parametric ReLU. This is same as *leaky* except that `slope` is learnt during training:\n"
        "  the input `gamma` holds one slope per channel (axis 1), or a single shared slope.\n"
        "- *rrelu*: Randomized ReLU. same as *leaky* but the `slope` is uniformly and randomly chosen from\n"
        "  *[lower_bound, upper_bound)* for training, while fixed to be\n"
        "  *(lower_bound+upper_bound)/2* for inference. Its second output `mask` holds the slopes.\n"
        "- *gelu*: Gaussian Error Linear Unit. `y = 0.5 * x * (1 + erf(x / sqrt(2)))`\n\n"
        "Example::\n\n"
        "  LeakyReLU([-2, 1], act_type='leaky', slope=0.25) = [-0.5, 1]")
    .input("data", "Input data to activation function.")
    .input("gamma", "Slope of the negative part, per channel (prelu only).")
    .set_list_inputs([](const Attrs& a) {
      return is_prelu(a) ? std::vector<std::string>{"data", "gamma"} : std::vector<std::string>{"data"};
    })
    .enum_param(kLeakyReLUs, "leaky", "Activation function to be applied.")
    .param("slope", ParamType::kFloat, "0.25", "Init slope for the activation. (For leaky and elu only)")
    .param("lower_bound", ParamType::kFloat, "0.125", "Lower bound of random slope. (For rrelu only)")
    .param("upper_bound", ParamType::kFloat, "0.333999991", "Upper bound of random slope. (For rrelu only)")
    .set_num_outputs([](const Attrs& a) { return is_rrelu(a) ? 2 : 1; })
    .set_list_outputs([](const Attrs& a) {
      return is_rrelu(a) ? std::vector<std::string>{"output", "mask"} : std::vector<std::string>{"output"};
    })
    .set_infer_shape(leaky_relu_shape)
    .set_forward(leaky_relu_forward)
    .set_gradient(leaky_relu_gradient)
    .set_uses_rng()  // rrelu draws its slopes
    .add_sample(leaky_sample("leaky"))
    .add_sample(leaky_sample("elu"))
    .add_sample(leaky_sample("selu"))
    .add_sample(leaky_sample("gelu"))
    .add_sample([] {
      OpSample s = leaky_sample("prelu");
      s.shapes = {{2, 3, 4}, {3}};
      return s;
    }())
    .add_sample([] {
      OpSample s = leaky_sample("prelu");
      s.shapes = {{2, 3}, {1}};  // one slope shared by every channel
      return s;
    }())
    // rrelu's forward redraws its slopes on every call in training mode, so finite differences
    // of it are noise; tests/cpp/test_ops_nn.cc checks its values and gradient instead.
    .add_sample(leaky_sample("rrelu", false));

MV_REGISTER_OP(_backward_LeakyReLU)
    .describe("Gradient of LeakyReLU(act_type='prelu') with respect to data and gamma. Takes LeakyReLU's "
              "parameters.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward input")
    .input("gamma", "the forward slopes")
    .params_from("LeakyReLU")
    .set_num_outputs(2)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      // data and gamma as the forward checks them; ograd shaped like data (the kernel reads
      // one gradient per data element).
      if ((*in)[1].empty()) (*in)[1] = (*in)[0];
      if ((*in)[1].empty()) return;
      std::vector<Shape> fin{(*in)[1], (*in)[2]}, fout(1);
      leaky_relu_shape(attrs, &fin, &fout);
      expect_input_shape(attrs, in, 0, (*in)[1]);
      expect_input_shape(attrs, in, 2, fin[1].empty() ? Shape{1} : fin[1]);
      (*out)[0] = (*in)[1];
      (*out)[1] = (*in)[2];
    })
    .set_forward([](const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                    const std::vector<TBlob>& out) {
      MV_CHECK(is_prelu(attrs), kValue) << "Operator _backward_LeakyReLU only handles act_type='prelu'";
      prelu_backward(ctx, attrs, in, out);
    })
    .set_non_differentiable();

}  // namespace minerva
