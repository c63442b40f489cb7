// Optimizer updates with MXNet's semantics: the SGD family (plain, momentum, Nesterov, and their
// multi-precision mp_ variants), sign SGD and Signum, Adam, RMSProp (plain and Graves'), FTRL and
// FTML. The result is the updated weight; the Python layer passes out=weight, which
// runs in place (declared with set_inplace(0, 0)). State inputs (mom, mean, var, n) are updated
// in place and declared with set_mutate_inputs, so the engine orders later reads after them.
#include <algorithm>
#include <cmath>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"

namespace minerva {
namespace {

// x clipped to [-bound, bound]; a bound < 0 disables clipping (clip_gradient, clip_weights).
double clip_to(double x, double bound) { return bound >= 0 ? std::min(std::max(x, -bound), bound) : x; }

// The hyper-parameters every update shares (see MV_UPDATE_TAIL_PARAMS). FTML names its
// clipping parameter clip_grad.
struct Common {
  double lr, wd, rescale, clip;
  explicit Common(const Attrs& a, const char* clip_param = "clip_gradient")
      : lr(a.get_float("lr")), wd(a.get_float("wd")), rescale(a.get_float("rescale_grad")),
        clip(a.get_float(clip_param)) {}
  // The gradient as the updates see it: rescaled, then clipped.
  double grad(double g) const { return clip_to(rescale * g, clip); }
  // The same with weight decay folded in before clipping (Adam, RMSProp, FTML).
  double decayed_grad(double g, double w) const { return clip_to(rescale * g + wd * w, clip); }
};

// Runs body(w, g, st) over the elements in the floating dtype of the weight, where st[k] holds
// state input 2 + k (read before, written back after); body returns the new weight.
template <typename Body>
void update_loop(const Attrs& attrs, const std::vector<TBlob>& in, const TBlob& out, Body body) {
  constexpr size_t kMaxStates = 3;
  MV_FLOAT_SWITCH(out.dtype, attrs.op->name, T, {
    const T* w = in[0].ptr<T>();
    const T* g = in[1].ptr<T>();
    T* states[kMaxStates] = {nullptr, nullptr, nullptr};
    const size_t ns = std::min(in.size() - 2, kMaxStates);
    for (size_t k = 0; k < ns; ++k) states[k] = in[2 + k].ptr<T>();
    T* o = out.ptr<T>();
    parallel_for(out.size(), [&](int64_t i) {
      double st[kMaxStates] = {0, 0, 0};
      for (size_t k = 0; k < ns; ++k) st[k] = static_cast<double>(states[k][i]);
      double nw = body(static_cast<double>(w[i]), static_cast<double>(g[i]), st);
      for (size_t k = 0; k < ns; ++k) states[k][i] = static_cast<T>(st[k]);
      o[i] = static_cast<T>(nw);
    });
  });
}

// The multi-precision variant: weight and grad in the weight's dtype (float16 in practice), the
// momentum (when has_mom) and the master weight `weight32` (the last input) in float32; float64
// states are accepted too, so the registry's float64 samples run. body(w32, g, &mom) returns the
// new master weight; the weight output is its cast. The states go through double copies, so one
// loop per weight dtype serves both state dtypes.
template <typename Body>
void mp_update_loop(const Attrs& attrs, const std::vector<TBlob>& in, const TBlob& out, bool has_mom, Body body) {
  const TBlob& w32b = in.back();
  auto load = [](const TBlob& b) {
    std::vector<double> v(static_cast<size_t>(b.size()));
    cast_copy(b, TBlob{v.data(), b.shape, DType::kFloat64});
    return v;
  };
  std::vector<double> w32 = load(w32b), mom = has_mom ? load(in[2]) : std::vector<double>();
  MV_FLOAT_SWITCH(out.dtype, attrs.op->name, T, {
    const T* g = in[1].ptr<T>();
    T* o = out.ptr<T>();
    const bool single = w32b.dtype == DType::kFloat32;
    parallel_for(out.size(), [&](int64_t i) {
      const size_t j = static_cast<size_t>(i);
      double m = has_mom ? mom[j] : 0;
      double nw = body(w32[j], static_cast<double>(g[i]), &m);
      if (has_mom) mom[j] = m;
      w32[j] = single ? static_cast<double>(static_cast<float>(nw)) : nw;
      o[i] = static_cast<T>(w32[j]);
    });
  });
  cast_copy(TBlob{w32.data(), w32b.shape, DType::kFloat64}, w32b);
  if (has_mom) cast_copy(TBlob{mom.data(), in[2].shape, DType::kFloat64}, in[2]);
}

// Weight and grad share a dtype; the remaining inputs (momentum, weight32) are float32 (or float64).
void mp_update_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  int w = (*in)[0] >= 0 ? (*in)[0] : (*in)[1] >= 0 ? (*in)[1] : (*out)[0];
  if (w >= 0) (*in)[0] = (*in)[1] = (*out)[0] = w;
  for (size_t i = 2; i < in->size(); ++i) {
    if ((*in)[i] < 0) (*in)[i] = static_cast<int>(DType::kFloat32);
    MV_CHECK((*in)[i] == static_cast<int>(DType::kFloat32) || (*in)[i] == static_cast<int>(DType::kFloat64), kType)
        << "Operator " << attrs.op->name << ": input " << i << " (momentum or weight32) must be float32, got "
        << dtype_name(static_cast<DType>((*in)[i]));
  }
}

// Note [NAG reads the new weight]
// MXNet's NAG kernels write the weight before the momentum's last step, which reads the weight
// again; the optimizers call them in place (out=weight, and weight32 always is), so that step sees
// the updated weight. Minerva reproduces this whether or not the call runs in place.
double nag_step(const Common& c, double momentum, double w, double g, double* mom) {
  const double gr = c.grad(g);
  *mom *= momentum;
  const double nw = w - *mom + (momentum + 1) * (*mom - c.lr * (gr + c.wd * w));
  *mom -= c.lr * (gr + c.wd * nw);
  return nw;
}

// The steps of sgd_update and sgd_mom_update, shared with their multi-precision variants.
double sgd_step(const Common& c, double w, double g) { return (1 - c.lr * c.wd) * w - c.lr * c.grad(g); }
double sgd_mom_step(const Common& c, double momentum, double w, double g, double* mom) {
  *mom = momentum * *mom - c.lr * c.wd * w - c.lr * c.grad(g);
  return w + *mom;
}

// The forwards of the momentum updates, plain (the momentum is input 2) and multi-precision (input
// 2, beside weight32), for a step such as sgd_mom_step or nag_step.
using MomentumStep = double (*)(const Common& c, double momentum, double w, double g, double* mom);
ForwardFn momentum_forward(MomentumStep step) {
  return [step](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
    Common c(attrs);
    const double momentum = attrs.get_float("momentum");
    update_loop(attrs, in, out[0], [&](double w, double g, double* st) { return step(c, momentum, w, g, &st[0]); });
  };
}
ForwardFn mp_momentum_forward(MomentumStep step) {
  return [step](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
    Common c(attrs);
    const double momentum = attrs.get_float("momentum");
    mp_update_loop(attrs, in, out[0], true,
                   [&](double w, double g, double* mom) { return step(c, momentum, w, g, mom); });
  };
}

int sign_of(double x) { return (x > 0) - (x < 0); }

OpSample update_sample(int n_inputs, KeyValues params) {
  OpSample s = op_sample(std::vector<Shape>(n_inputs, Shape{3, 4}), std::move(params));
  s.lo = 0.1;  // states such as Adam's var and RMSProp's n are non-negative
  s.hi = 1.0;
  s.grad_check = false;
  return s;
}

// The state inputs, 2 .. 2 + count - 1, that an update writes in place.
IndicesFn states_mutated(int count) {
  return [count](const Attrs&) {
    std::vector<int> v;
    for (int i = 0; i < count; ++i) v.push_back(2 + i);
    return v;
  };
}

// The parameters that follow each update's own: weight decay, gradient rescaling and clipping
// (read back by Common). FTML calls the clipping parameter clip_grad.
#define MV_UPDATE_TAIL_PARAMS_CLIP(CLIP_NAME)                                                                      \
  param("wd", ParamType::kFloat, "0",                                                                              \
        "Weight decay augments the objective function with a regularization term that penalizes large weights. "  \
        "The penalty scales with the square of the magnitude of each weight.")                                    \
      .param("rescale_grad", ParamType::kFloat, "1", "Rescale gradient to grad = rescale_grad*grad.")              \
      .param(CLIP_NAME, ParamType::kFloat, "-1",                                                                  \
             "Clip gradient to the range of [-clip_gradient, clip_gradient] If clip_gradient <= 0, gradient "     \
             "clipping is turned off. grad = max(min(grad, clip_gradient), -clip_gradient).")
#define MV_UPDATE_TAIL_PARAMS MV_UPDATE_TAIL_PARAMS_CLIP("clip_gradient")

// RMSProp's and RMSPropAlex's bound on the new weight (clip_to).
#define MV_CLIP_WEIGHTS_PARAM                                                                                      \
  param("clip_weights", ParamType::kFloat, "-1",                                                                   \
        "Clip weights to the range of [-clip_weights, clip_weights] If clip_weights <= 0, weight clipping is "    \
        "turned off. weights = max(min(weights, clip_weights), -clip_weights).")

}  // namespace

MV_REGISTER_OP(sgd_update)
    .describe("Update function for Stochastic Gradient Descent (SGD) optimizer:\n\n"
              "  weight = (1 - lr * wd) * weight - lr * clip(rescale_grad * grad, clip_gradient)\n\n"
              "Example::\n\n  sgd_update(weight, grad, lr=0.1, out=weight)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .MV_UPDATE_TAIL_PARAMS
    .param("lazy_update", ParamType::kBool, "True", "If true, lazy updates are applied if gradient's stype is row_sparse.")
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      Common c(attrs);
      update_loop(attrs, in, out[0], [&](double w, double g, double*) { return sgd_step(c, w, g); });
    })
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(update_sample(2, {{"lr", "0.1"}, {"wd", "0.01"}, {"clip_gradient", "0.5"}}));

MV_REGISTER_OP(sgd_mom_update)
    .describe("Momentum update function for Stochastic Gradient Descent (SGD) optimizer:\n\n"
              "  mom = momentum * mom - lr * wd * weight - lr * clip(rescale_grad * grad, clip_gradient)\n"
              "  weight = weight + mom\n\n"
              "`mom` is updated in place.\n\n"
              "Example::\n\n  sgd_mom_update(weight, grad, mom, lr=0.1, momentum=0.9, out=weight)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("mom", "Momentum")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .param("momentum", ParamType::kFloat, "0", "The decay rate of momentum estimates at each epoch.")
    .MV_UPDATE_TAIL_PARAMS
    .param("lazy_update", ParamType::kBool, "True", "If true, lazy updates are applied if gradient's stype is row_sparse and both weight and momentum have the same stype")
    .set_infer_shape(infer_same_shape)
    .set_forward(momentum_forward(sgd_mom_step))
    .set_mutate_inputs(states_mutated(1))
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(update_sample(3, {{"lr", "0.1"}, {"momentum", "0.9"}, {"wd", "0.01"}}));

MV_REGISTER_OP(adam_update)
    .describe("Update function for Adam optimizer:\n\n"
              "  g = clip(rescale_grad * grad + wd * weight, clip_gradient)\n"
              "  mean = beta1 * mean + (1 - beta1) * g\n"
              "  var = beta2 * var + (1 - beta2) * g^2\n"
              "  weight = weight - lr * mean / (sqrt(var) + epsilon)\n\n"
              "`mean` and `var` are updated in place; bias correction is the caller's (it folds into lr).\n\n"
              "Example::\n\n  adam_update(weight, grad, mean, var, lr=0.01, out=weight)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("mean", "Moving mean")
    .input("var", "Moving variance")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .param("beta1", ParamType::kFloat, "0.899999976", "The decay rate for the 1st moment estimates.")
    .param("beta2", ParamType::kFloat, "0.999000013", "The decay rate for the 2nd moment estimates.")
    .param("epsilon", ParamType::kFloat, "9.99999994e-09", "A small constant for numerical stability.")
    .MV_UPDATE_TAIL_PARAMS
    .param("lazy_update", ParamType::kBool, "True", "If true, lazy updates are applied if gradient's stype is row_sparse and all of w, m and v have the same stype")
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      Common c(attrs);
      const double b1 = attrs.get_float("beta1"), b2 = attrs.get_float("beta2"), eps = attrs.get_float("epsilon");
      update_loop(attrs, in, out[0], [&](double w, double g, double* st) {
        const double gr = c.decayed_grad(g, w);
        st[0] = b1 * st[0] + (1 - b1) * gr;  // mean
        st[1] = b2 * st[1] + (1 - b2) * gr * gr;  // var
        return w - c.lr * st[0] / (std::sqrt(st[1]) + eps);
      });
    })
    .set_mutate_inputs(states_mutated(2))
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(update_sample(4, {{"lr", "0.01"}, {"wd", "0.001"}, {"clip_gradient", "0.3"}}));

MV_REGISTER_OP(rmsprop_update)
    .describe("Update function for RMSProp optimizer:\n\n"
              "  g = clip(rescale_grad * grad + wd * weight, clip_gradient)\n"
              "  n = (1 - gamma1) * g^2 + gamma1 * n\n"
              "  weight = clip(weight - lr * g / sqrt(n + epsilon), clip_weights)\n\n"
              "`n` is updated in place; clip_weights < 0 disables weight clipping.\n\n"
              "Example::\n\n  rmsprop_update(weight, grad, n, lr=0.01, out=weight)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("n", "n")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .param("gamma1", ParamType::kFloat, "0.949999988", "The decay rate of momentum estimates.")
    .param("epsilon", ParamType::kFloat, "9.99999994e-09", "A small constant for numerical stability.")
    .MV_UPDATE_TAIL_PARAMS
    .MV_CLIP_WEIGHTS_PARAM
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      Common c(attrs);
      const double gamma1 = attrs.get_float("gamma1"), eps = attrs.get_float("epsilon");
      const double cw = attrs.get_float("clip_weights");
      update_loop(attrs, in, out[0], [&](double w, double g, double* st) {
        const double gr = c.decayed_grad(g, w);
        st[0] = (1 - gamma1) * gr * gr + gamma1 * st[0];  // n
        const double nw = w - c.lr * gr / std::sqrt(st[0] + eps);
        return clip_to(nw, cw);
      });
    })
    .set_mutate_inputs(states_mutated(1))
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(update_sample(3, {{"lr", "0.01"}, {"clip_weights", "0.5"}}));

// ---- Nesterov momentum, multi-precision SGD ----------------------------------------------------

MV_REGISTER_OP(nag_mom_update)
    .describe("Update function for Nesterov Accelerated Gradient (NAG) optimizer:\n\n"
              "  g = clip(rescale_grad * grad, clip_gradient)\n"
              "  mom = momentum * mom\n"
              "  weight' = weight + momentum * mom - (1 + momentum) * lr * (g + wd * weight)\n"
              "  mom = mom - lr * (g + wd * weight')\n\n"
              "`mom` is updated in place. Its last step reads the updated weight, as MXNet's kernel does when it "
              "runs in place (out=weight, the optimizers' call); see Note [NAG reads the new weight].\n\n"
              "Example::\n\n  nag_mom_update(weight, grad, mom, lr=0.1, momentum=0.9, out=weight)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("mom", "Momentum")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .param("momentum", ParamType::kFloat, "0", "The decay rate of momentum estimates at each epoch.")
    .MV_UPDATE_TAIL_PARAMS
    .set_infer_shape(infer_same_shape)
    .set_forward(momentum_forward(nag_step))
    .set_mutate_inputs(states_mutated(1))
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(update_sample(3, {{"lr", "0.1"}, {"momentum", "0.9"}, {"wd", "0.01"}, {"clip_gradient", "0.5"}}));

MV_REGISTER_OP(mp_sgd_update)
    .describe("Updater function for multi-precision sgd optimizer: sgd_update applied to the float32 master copy "
              "`weight32` (updated in place), with the result cast to the weight's dtype (float16 in practice):\n\n"
              "  weight32 = (1 - lr * wd) * weight32 - lr * clip(rescale_grad * grad, clip_gradient)\n"
              "  weight = weight32\n\n"
              "Example::\n\n  mp_sgd_update(weight, grad, weight32, lr=0.1, out=weight)")
    .input("weight", "Weight")
    .input("grad", "gradient")
    .input("weight32", "Weight32")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .MV_UPDATE_TAIL_PARAMS
    .param("lazy_update", ParamType::kBool, "True", "If true, lazy updates are applied if gradient's stype is row_sparse.")
    .set_infer_shape(infer_same_shape)
    .set_infer_type(mp_update_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      Common c(attrs);
      mp_update_loop(attrs, in, out[0], false, [&](double w, double g, double*) { return sgd_step(c, w, g); });
    })
    .set_mutate_inputs(states_mutated(1))
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(update_sample(3, {{"lr", "0.1"}, {"wd", "0.01"}}));

MV_REGISTER_OP(mp_sgd_mom_update)
    .describe("Updater function for multi-precision sgd optimizer with momentum: sgd_mom_update applied to the "
              "float32 master copy `weight32`, with the result cast to the weight's dtype:\n\n"
              "  mom = momentum * mom - lr * wd * weight32 - lr * clip(rescale_grad * grad, clip_gradient)\n"
              "  weight32 = weight32 + mom\n"
              "  weight = weight32\n\n"
              "`mom` and `weight32` (both float32) are updated in place.\n\n"
              "Example::\n\n  mp_sgd_mom_update(weight, grad, mom, weight32, lr=0.1, momentum=0.9, out=weight)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("mom", "Momentum")
    .input("weight32", "Weight32")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .param("momentum", ParamType::kFloat, "0", "The decay rate of momentum estimates at each epoch.")
    .MV_UPDATE_TAIL_PARAMS
    .param("lazy_update", ParamType::kBool, "True", "If true, lazy updates are applied if gradient's stype is row_sparse and both weight and momentum have the same stype")
    .set_infer_shape(infer_same_shape)
    .set_infer_type(mp_update_type)
    .set_forward(mp_momentum_forward(sgd_mom_step))
    .set_mutate_inputs(states_mutated(2))
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(update_sample(4, {{"lr", "0.1"}, {"momentum", "0.9"}, {"wd", "0.01"}}));

MV_REGISTER_OP(mp_nag_mom_update)
    .describe("Update function for multi-precision Nesterov Accelerated Gradient (NAG) optimizer: nag_mom_update "
              "applied to the float32 master copy `weight32`, with the result cast to the weight's dtype.\n\n"
              "Example::\n\n  mp_nag_mom_update(weight, grad, mom, weight32, lr=0.1, momentum=0.9, out=weight)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("mom", "Momentum")
    .input("weight32", "Weight32")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .param("momentum", ParamType::kFloat, "0", "The decay rate of momentum estimates at each epoch.")
    .MV_UPDATE_TAIL_PARAMS
    .set_infer_shape(infer_same_shape)
    .set_infer_type(mp_update_type)
    .set_forward(mp_momentum_forward(nag_step))
    .set_mutate_inputs(states_mutated(2))
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(update_sample(4, {{"lr", "0.1"}, {"momentum", "0.9"}, {"wd", "0.01"}}));

// ---- sign-based updates ----------------------------------------------------------------------

MV_REGISTER_OP(signsgd_update)
    .describe("Update function for SignSGD optimizer:\n\n"
              "  weight = (1 - lr * wd) * weight - lr * sign(grad)\n\n"
              "rescale_grad and clip_gradient do not change the sign and are accepted for uniformity.\n\n"
              "Example::\n\n  signsgd_update(weight, grad, lr=0.01, out=weight)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .MV_UPDATE_TAIL_PARAMS
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      Common c(attrs);
      update_loop(attrs, in, out[0], [&](double w, double g, double*) {
        return (1 - c.lr * c.wd) * w - c.lr * sign_of(g);
      });
    })
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(update_sample(2, {{"lr", "0.1"}, {"wd", "0.01"}}));

MV_REGISTER_OP(signum_update)
    .describe("SIGN momentUM (Signum) optimizer:\n\n"
              "  mom = momentum * mom - (1 - momentum) * (wd * weight + clip(rescale_grad * grad, clip_gradient))\n"
              "  weight = (1 - lr * wd_lh) * weight + lr * sign(mom)\n\n"
              "`mom` is updated in place; wd_lh is the decoupled weight decay of Loshchilov and Hutter.\n\n"
              "Example::\n\n  signum_update(weight, grad, mom, lr=0.01, momentum=0.9, out=weight)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("mom", "Momentum")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .param("momentum", ParamType::kFloat, "0", "The decay rate of momentum estimates at each epoch.")
    .MV_UPDATE_TAIL_PARAMS
    .param("wd_lh", ParamType::kFloat, "0",
           "The amount of weight decay that does not go into gradient/momentum calculationsotherwise do weight "
           "decay algorithmically only.")
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      Common c(attrs);
      const double momentum = attrs.get_float("momentum"), wd_lh = attrs.get_float("wd_lh");
      update_loop(attrs, in, out[0], [&](double w, double g, double* st) {
        st[0] = momentum * st[0] - (1 - momentum) * (c.wd * w + c.grad(g));
        return (1 - c.lr * wd_lh) * w + c.lr * sign_of(st[0]);
      });
    })
    .set_mutate_inputs(states_mutated(1))
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(update_sample(3, {{"lr", "0.1"}, {"momentum", "0.9"}, {"wd", "0.01"}, {"wd_lh", "0.1"}}));

// ---- RMSProp (Graves), FTRL, FTML ---------------------------------------------------------------

MV_REGISTER_OP(rmspropalex_update)
    .describe("Update function for RMSPropAlex optimizer (the variant of Graves, 2013):\n\n"
              "  g' = clip(rescale_grad * grad + wd * weight, clip_gradient)\n"
              "  n = (1 - gamma1) * g'^2 + gamma1 * n\n"
              "  g = (1 - gamma1) * g' + gamma1 * g\n"
              "  delta = gamma2 * delta - lr * g' / sqrt(n - g^2 + epsilon)\n"
              "  weight = clip(weight + delta, clip_weights)\n\n"
              "`n`, `g` and `delta` are updated in place; clip_weights < 0 disables weight clipping.\n\n"
              "Example::\n\n  rmspropalex_update(weight, grad, n, g, delta, lr=0.01, out=weight)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("n", "n")
    .input("g", "g")
    .input("delta", "delta")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .param("gamma1", ParamType::kFloat, "0.949999988", "Decay rate.")
    .param("gamma2", ParamType::kFloat, "0.899999976", "Decay rate.")
    .param("epsilon", ParamType::kFloat, "9.99999994e-09", "A small constant for numerical stability.")
    .MV_UPDATE_TAIL_PARAMS
    .MV_CLIP_WEIGHTS_PARAM
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      Common c(attrs);
      const double gamma1 = attrs.get_float("gamma1"), gamma2 = attrs.get_float("gamma2");
      const double eps = attrs.get_float("epsilon"), cw = attrs.get_float("clip_weights");
      update_loop(attrs, in, out[0], [&](double w, double g, double* st) {
        const double gr = c.decayed_grad(g, w);
        st[0] = (1 - gamma1) * gr * gr + gamma1 * st[0];  // n
        st[1] = (1 - gamma1) * gr + gamma1 * st[1];       // g
        st[2] = gamma2 * st[2] - c.lr * gr / std::sqrt(st[0] - st[1] * st[1] + eps);  // delta
        const double nw = w + st[2];
        return clip_to(nw, cw);
      });
    })
    .set_mutate_inputs(states_mutated(3))
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample([] {
      OpSample s = update_sample(5, {{"lr", "0.01"}, {"clip_weights", "0.5"}});
      s.lo = 0.0;  // n - g^2 stays positive when n >= g^2 holds before the step; small g keeps it so
      s.hi = 0.1;
      return s;
    }());

MV_REGISTER_OP(ftrl_update)
    .describe("Update function for Ftrl optimizer (Follow the Regularized Leader, McMahan et al. 2013):\n\n"
              "  g = clip(rescale_grad * grad, clip_gradient)\n"
              "  z = z + g - (sqrt(n + g^2) - sqrt(n)) * weight / lr\n"
              "  n = n + g^2\n"
              "  weight = (sign(z) * lamda1 - z) / ((beta + sqrt(n)) / lr + wd) * (|z| > lamda1)\n\n"
              "`z` and `n` are updated in place.\n\n"
              "Example::\n\n  ftrl_update(weight, grad, z, n, lr=0.1, out=weight)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("z", "z")
    .input("n", "Square of grad")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .param("lamda1", ParamType::kFloat, "0.00999999978", "The L1 regularization coefficient.")
    .param("beta", ParamType::kFloat, "1", "Per-Coordinate Learning Rate beta.")
    .MV_UPDATE_TAIL_PARAMS
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      Common c(attrs);
      const double lamda1 = attrs.get_float("lamda1"), beta = attrs.get_float("beta");
      update_loop(attrs, in, out[0], [&](double w, double g, double* st) {
        const double gr = c.grad(g);
        st[0] += gr - (std::sqrt(st[1] + gr * gr) - std::sqrt(st[1])) * w / c.lr;  // z
        st[1] += gr * gr;                                                         // n
        if (std::fabs(st[0]) <= lamda1) return 0.0;
        return (sign_of(st[0]) * lamda1 - st[0]) / ((beta + std::sqrt(st[1])) / c.lr + c.wd);
      });
    })
    .set_mutate_inputs(states_mutated(2))
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(update_sample(4, {{"lr", "0.1"}, {"lamda1", "0.3"}, {"wd", "0.01"}}));

MV_REGISTER_OP(ftml_update)
    .describe("The FTML optimizer (Follow the Moving Leader, Zheng and Kwok 2017), at step t (from 1):\n\n"
              "  g = clip(rescale_grad * grad + wd * weight, clip_grad)\n"
              "  v = beta2 * v + (1 - beta2) * g^2\n"
              "  d_t = (1 - beta1^t) / lr * (sqrt(v / (1 - beta2^t)) + epsilon)\n"
              "  z = beta1 * z + (1 - beta1) * g - (d_t - beta1 * d) * weight\n"
              "  d = d_t\n"
              "  weight = -z / d_t\n\n"
              "`d`, `v` and `z` are updated in place.\n\n"
              "Example::\n\n  ftml_update(weight, grad, d, v, z, lr=0.0025, t=1, out=weight)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("d", "Internal state ``d_t``")
    .input("v", "Internal state ``v_t``")
    .input("z", "Internal state ``z_t``")
    .required_param("lr", ParamType::kFloat, "Learning rate.")
    .param("beta1", ParamType::kFloat, "0.600000024", "Generally close to 0.5.")
    .param("beta2", ParamType::kFloat, "0.999000013", "Generally close to 1.")
    .param("epsilon", ParamType::kFloat, "9.9999999392252903e-09", "Epsilon to prevent div 0.")
    .required_param("t", ParamType::kInt, "Number of update.")
    .bounds(1, 1e18)
    .MV_UPDATE_TAIL_PARAMS_CLIP("clip_grad")
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      Common c(attrs, "clip_grad");
      const double b1 = attrs.get_float("beta1"), b2 = attrs.get_float("beta2"), eps = attrs.get_float("epsilon");
      const double t = static_cast<double>(attrs.get_int("t"));
      const double c1 = 1 - std::pow(b1, t), c2 = 1 - std::pow(b2, t);
      update_loop(attrs, in, out[0], [&](double w, double g, double* st) {
        const double gr = c.decayed_grad(g, w);
        st[1] = b2 * st[1] + (1 - b2) * gr * gr;                       // v
        const double d_t = c1 / c.lr * (std::sqrt(st[1] / c2) + eps);
        st[2] = b1 * st[2] + (1 - b1) * gr - (d_t - b1 * st[0]) * w;   // z
        st[0] = d_t;                                                   // d
        return -st[2] / d_t;
      });
    })
    .set_mutate_inputs(states_mutated(3))
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(update_sample(5, {{"lr", "0.01"}, {"t", "3"}, {"wd", "0.01"}}));

#undef MV_CLIP_WEIGHTS_PARAM
#undef MV_UPDATE_TAIL_PARAMS
#undef MV_UPDATE_TAIL_PARAMS_CLIP

}  // namespace minerva
