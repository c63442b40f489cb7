// AdamW (decoupled weight decay) updates with MXNet 1.9.1's semantics: _adamw_update and its
// multi-precision twin _mp_adamw_update. Unlike the updates in optimizer.cc, rescale_grad is an
// input array of one element (so a loss scaler can change it without rebuilding the call), and a
// rescale_grad that is 0, NaN or infinite skips the step: weight and states are left untouched.
// mean, var (and weight32) are written in place; the Python layer passes out=weight.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"

namespace minerva {
namespace {

// The AdamW step for one element, in double; mean and var are updated through the pointers.
struct AdamWStep {
  double lr, beta1, beta2, epsilon, wd, eta, clip;
  // The parameters are float in MXNet: rounding them the same way keeps 1 - beta1 equal to MXNet's.
  explicit AdamWStep(const Attrs& a)
      : lr(f32(a, "lr")), beta1(f32(a, "beta1")), beta2(f32(a, "beta2")), epsilon(f32(a, "epsilon")),
        wd(f32(a, "wd")), eta(f32(a, "eta")), clip(f32(a, "clip_gradient")) {}
  static double f32(const Attrs& a, const char* name) { return static_cast<float>(a.get_float(name)); }
  double operator()(double w, double g, double rescale, double* mean, double* var) const {
    double gr = rescale * g;
    if (clip >= 0) gr = std::min(std::max(gr, -clip), clip);  // a negative bound disables clipping
    *mean = beta1 * *mean + (1 - beta1) * gr;
    *var = beta2 * *var + (1 - beta2) * gr * gr;
    return w - eta * (lr * *mean / (std::sqrt(*var) + epsilon) + wd * w);
  }
};

std::vector<double> load(const TBlob& b) {
  std::vector<double> v(static_cast<size_t>(b.size()));
  cast_copy(b, TBlob{v.data(), b.shape, DType::kFloat64});
  return v;
}

void store(std::vector<double>& v, const TBlob& b) { cast_copy(TBlob{v.data(), b.shape, DType::kFloat64}, b); }

// Rounds x through dtype d, so a float32 master weight keeps float32 values between steps.
double round_to(double x, DType d) {
  if (d == DType::kFloat32) return static_cast<double>(static_cast<float>(x));
  if (d == DType::kFloat16) return static_cast<double>(static_cast<float>(half_t(static_cast<float>(x))));
  return x;
}

// Shared forward. Inputs: weight, grad, mean, var, [weight32,] rescale_grad. With weight32 the
// step runs on the master copy and the output is its cast to the weight's dtype.
void adamw_forward(const Attrs& attrs, const std::vector<TBlob>& in, const TBlob& out, bool multi_precision) {
  const TBlob& rescale_blob = in.back();
  const double rescale = load(rescale_blob)[0];
  if (!std::isfinite(rescale) || rescale == 0) {
    // MXNet skips the whole update. Out-of-place, the output still gets the unchanged weight
    // rather than whatever the fresh buffer held.
    if (out.data != in[0].data) cast_copy(in[0], out);
    return;
  }
  const TBlob& master = multi_precision ? in[4] : in[0];
  std::vector<double> w = load(master), g = load(in[1]), mean = load(in[2]), var = load(in[3]);
  const AdamWStep step(attrs);
  const DType state_dtype = in[2].dtype, master_dtype = master.dtype;
  parallel_for(static_cast<int64_t>(w.size()), [&](int64_t i) {
    const size_t j = static_cast<size_t>(i);
    w[j] = round_to(step(w[j], g[j], rescale, &mean[j], &var[j]), master_dtype);
    mean[j] = round_to(mean[j], state_dtype);
    var[j] = round_to(var[j], state_dtype);
  });
  store(mean, in[2]);
  store(var, in[3]);
  if (multi_precision) store(w, in[4]);
  store(w, out);
}

// weight, grad, mean, var[, weight32] share one shape (and the output has it); rescale_grad holds
// exactly one element.
void adamw_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  Shape& rescale = in->back();
  if (rescale.empty()) rescale = Shape{1};
  // One element: every dimension is 1 (checked per dimension, so no product can overflow).
  for (int64_t d : rescale)
    if (d != 1) shape_mismatch(attrs, "input 'rescale_grad' (one element)", Shape{1}, rescale);
  std::vector<Shape> same(in->begin(), in->end() - 1);
  infer_same_shape(attrs, &same, out);
  std::copy(same.begin(), same.end(), in->begin());
}

// rescale_grad is float32 in MXNet whatever the weight's dtype (float64 accepted, so the registry's
// float64 samples run).
void rescale_type(const Attrs& attrs, int* t) {
  if (*t < 0) *t = static_cast<int>(DType::kFloat32);
  MV_CHECK(*t == static_cast<int>(DType::kFloat32) || *t == static_cast<int>(DType::kFloat64), kType)
      << "Operator " << attrs.op->name << ": input 'rescale_grad' must be float32, got "
      << dtype_name(static_cast<DType>(*t));
}

// _adamw_update: weight, grad, mean, var and the output share one floating dtype.
void adamw_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  std::vector<int> same(in->begin(), in->end() - 1);
  infer_same_type(attrs, &same, out);
  std::copy(same.begin(), same.end(), in->begin());
  rescale_type(attrs, &in->back());
}

// _mp_adamw_update: weight, grad and the output share a dtype (float16 in practice); mean, var,
// weight32 and rescale_grad are float32 (float64 accepted, so the registry's float64 samples run).
void mp_adamw_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  static const char* const kNames[] = {"weight", "grad", "mean", "var", "weight32"};
  int w = (*in)[0] >= 0 ? (*in)[0] : (*in)[1] >= 0 ? (*in)[1] : (*out)[0];
  if (w >= 0) {
    for (int i = 0; i < 2; ++i)
      MV_CHECK((*in)[i] < 0 || (*in)[i] == w, kType)
          << "Operator " << attrs.op->name << ": input '" << kNames[i] << "' must have dtype "
          << dtype_name(static_cast<DType>(w)) << ", got " << dtype_name(static_cast<DType>((*in)[i]));
    (*in)[0] = (*in)[1] = (*out)[0] = w;
  }
  rescale_type(attrs, &in->back());
  for (size_t i = 2; i + 1 < in->size(); ++i) {
    if ((*in)[i] < 0) (*in)[i] = static_cast<int>(DType::kFloat32);
    MV_CHECK((*in)[i] == static_cast<int>(DType::kFloat32) || (*in)[i] == static_cast<int>(DType::kFloat64), kType)
        << "Operator " << attrs.op->name << ": input '" << kNames[i] << "' must be float32, got "
        << dtype_name(static_cast<DType>((*in)[i]));
  }
}

OpSample adamw_sample(int n_inputs) {
  std::vector<Shape> shapes(static_cast<size_t>(n_inputs - 1), Shape{3, 4});
  shapes.push_back(Shape{1});
  OpSample s = op_sample(shapes, {{"lr", "0.01"}, {"eta", "0.5"}, {"wd", "0.1"}, {"clip_gradient", "0.8"}});
  s.lo = 0.1;  // var is non-negative, and a positive rescale_grad makes the step run
  s.hi = 1.0;
  s.grad_check = false;
  return s;
}

}  // namespace

#define MV_ADAMW_PARAMS                                                                                          \
  required_param("lr", ParamType::kFloat, "Learning rate")                                                       \
      .param("beta1", ParamType::kFloat, "0.899999976", "The decay rate for the 1st moment estimates.")           \
      .param("beta2", ParamType::kFloat, "0.999000013", "The decay rate for the 2nd moment estimates.")           \
      .param("epsilon", ParamType::kFloat, "9.99999994e-09", "A small constant for numerical stability.")         \
      .param("wd", ParamType::kFloat, "0",                                                                        \
             "Weight decay augments the objective function with a regularization term that penalizes large "      \
             "weights. The penalty scales with the square of the magnitude of each weight.")                     \
      .required_param("eta", ParamType::kFloat, "Learning rate schedule multiplier")                              \
      .param("clip_gradient", ParamType::kFloat, "-1",                                                            \
             "Clip gradient to the range of [-clip_gradient, clip_gradient] If clip_gradient <= 0, gradient "     \
             "clipping is turned off. grad = max(min(grad, clip_gradient), -clip_gradient).")

MV_REGISTER_OP(_adamw_update)
    .describe("Update function for the AdamW optimizer, Adam with the weight decay taken out of the gradient "
              "(decoupled):\n\n"
              "  g = clip(rescale_grad * grad, clip_gradient)\n"
              "  mean = beta1 * mean + (1 - beta1) * g\n"
              "  var = beta2 * var + (1 - beta2) * g^2\n"
              "  weight = weight - eta * (lr * mean / (sqrt(var) + epsilon) + wd * weight)\n\n"
              "`mean` and `var` are updated in place. `rescale_grad` is a one-element array; when it holds 0, "
              "NaN or infinity the update is skipped.\n\n"
              "Example::\n\n  _adamw_update(weight, grad, mean, var, rescale_grad, lr=0.01, eta=1.0, out=weight)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("mean", "Moving mean")
    .input("var", "Moving variance")
    .input("rescale_grad", "Rescale gradient to rescale_grad * grad. If NaN, Inf, or 0, the update is skipped.")
    .MV_ADAMW_PARAMS
    .set_infer_shape(adamw_shape)
    .set_infer_type(adamw_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      adamw_forward(attrs, in, out[0], false);
    })
    .set_mutate_inputs([](const Attrs&) { return std::vector<int>{2, 3}; })
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(adamw_sample(5));

MV_REGISTER_OP(_mp_adamw_update)
    .describe("Multi-precision update function for the AdamW optimizer: _adamw_update applied to the float32 "
              "master copy `weight32`, with the result cast to the weight's dtype (float16 in practice):\n\n"
              "  g = clip(rescale_grad * grad, clip_gradient)\n"
              "  mean = beta1 * mean + (1 - beta1) * g\n"
              "  var = beta2 * var + (1 - beta2) * g^2\n"
              "  weight32 = weight32 - eta * (lr * mean / (sqrt(var) + epsilon) + wd * weight32)\n"
              "  weight = weight32\n\n"
              "`mean`, `var` and `weight32` (float32) are updated in place. `rescale_grad` is a one-element "
              "float32 array; when it holds 0, NaN or infinity the update is skipped.\n\n"
              "Example::\n\n  _mp_adamw_update(weight, grad, mean, var, weight32, rescale_grad, lr=0.01, eta=1.0, "
              "out=weight)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("mean", "Moving mean")
    .input("var", "Moving variance")
    .input("weight32", "Weight32")
    .input("rescale_grad", "Rescale gradient to rescale_grad * grad. If NaN, Inf, or 0, the update is skipped.")
    .MV_ADAMW_PARAMS
    .set_infer_shape(adamw_shape)
    .set_infer_type(mp_adamw_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      adamw_forward(attrs, in, out[0], true);
    })
    .set_mutate_inputs([](const Attrs&) { return std::vector<int>{2, 3, 4}; })
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(adamw_sample(6));

}  // namespace minerva
