// Optimizer updates with MXNet's semantics: sgd_update, sgd_mom_update, adam_update and
// rmsprop_update. The result is the updated weight; the Python layer passes out=weight, which
// runs in place (declared with set_inplace(0, 0)). State inputs (mom, mean, var, n) are updated
// in place and declared with set_mutate_inputs, so the engine orders later reads after them.
#include <cmath>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"

namespace minerva {
namespace {

// The hyper-parameters every update shares.
struct Common {
  double lr, wd, rescale, clip;
  explicit Common(const Attrs& a)
      : lr(a.get_float("lr")), wd(a.get_float("wd")), rescale(a.get_float("rescale_grad")),
        clip(a.get_float("clip_gradient")) {}
  // clip_gradient < 0 disables clipping.
  double clipped(double g) const { return clip >= 0 ? std::min(std::max(g, -clip), clip) : g; }
};

// Runs body(i, w, g, s1, s2) over the elements in the floating dtype of the weight, with the
// state pointers (nullptr when absent) already typed; body returns the new weight.
template <typename Body>
void update_loop(const char* who, const std::vector<TBlob>& in, const TBlob& out, Body body) {
  MV_FLOAT_SWITCH(out.dtype, who, T, {
    const T* w = in[0].ptr<T>();
    const T* g = in[1].ptr<T>();
    T* s1 = in.size() > 2 ? in[2].ptr<T>() : nullptr;
    T* s2 = in.size() > 3 ? in[3].ptr<T>() : nullptr;
    T* o = out.ptr<T>();
    parallel_for(out.size(), [&](int64_t i) {
      double st1 = s1 ? static_cast<double>(s1[i]) : 0, st2 = s2 ? static_cast<double>(s2[i]) : 0;
      double nw = body(static_cast<double>(w[i]), static_cast<double>(g[i]), &st1, &st2);
      if (s1) s1[i] = static_cast<T>(st1);
      if (s2) s2[i] = static_cast<T>(st2);
      o[i] = static_cast<T>(nw);
    });
  });
}

OpSample update_sample(int n_inputs, KeyValues params) {
  OpSample s = op_sample(std::vector<Shape>(n_inputs, Shape{3, 4}), std::move(params));
  s.lo = 0.1;  // states such as Adam's var and RMSProp's n are non-negative
  s.hi = 1.0;
  s.grad_check = false;
  return s;
}

std::vector<int> mutate_from(int first, int count) {
  std::vector<int> v;
  for (int i = 0; i < count; ++i) v.push_back(first + i);
  return v;
}

#define MV_UPDATE_TAIL_PARAMS                                                                                      \
  param("wd", ParamType::kFloat, "0",                                                                              \
        "Weight decay augments the objective function with a regularization term that penalizes large weights. "  \
        "The penalty scales with the square of the magnitude of each weight.")                                    \
      .param("rescale_grad", ParamType::kFloat, "1", "Rescale gradient to grad = rescale_grad*grad.")              \
      .param("clip_gradient", ParamType::kFloat, "-1",                                                            \
             "Clip gradient to the range of [-clip_gradient, clip_gradient] If clip_gradient <= 0, gradient "     \
             "clipping is turned off. grad = max(min(grad, clip_gradient), -clip_gradient).")

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
      update_loop("sgd_update", in, out[0], [&](double w, double g, double*, double*) {
        return (1 - c.lr * c.wd) * w - c.lr * c.clipped(c.rescale * g);
      });
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
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      Common c(attrs);
      const double momentum = attrs.get_float("momentum");
      update_loop("sgd_mom_update", in, out[0], [&](double w, double g, double* mom, double*) {
        *mom = momentum * *mom - c.lr * c.wd * w - c.lr * c.clipped(c.rescale * g);
        return w + *mom;
      });
    })
    .set_mutate_inputs([](const Attrs&) { return mutate_from(2, 1); })
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
      update_loop("adam_update", in, out[0], [&](double w, double g, double* mean, double* var) {
        const double gr = c.clipped(c.rescale * g + c.wd * w);
        *mean = b1 * *mean + (1 - b1) * gr;
        *var = b2 * *var + (1 - b2) * gr * gr;
        return w - c.lr * *mean / (std::sqrt(*var) + eps);
      });
    })
    .set_mutate_inputs([](const Attrs&) { return mutate_from(2, 2); })
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
    .param("clip_weights", ParamType::kFloat, "-1",
           "Clip weights to the range of [-clip_weights, clip_weights] If clip_weights <= 0, weight clipping is "
           "turned off. weights = max(min(weights, clip_weights), -clip_weights).")
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      Common c(attrs);
      const double gamma1 = attrs.get_float("gamma1"), eps = attrs.get_float("epsilon");
      const double cw = attrs.get_float("clip_weights");
      update_loop("rmsprop_update", in, out[0], [&](double w, double g, double* n, double*) {
        const double gr = c.clipped(c.rescale * g + c.wd * w);
        *n = (1 - gamma1) * gr * gr + gamma1 * *n;
        const double nw = w - c.lr * gr / std::sqrt(*n + eps);
        return cw >= 0 ? std::min(std::max(nw, -cw), cw) : nw;
      });
    })
    .set_mutate_inputs([](const Attrs&) { return mutate_from(2, 1); })
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(update_sample(3, {{"lr", "0.01"}, {"clip_weights", "0.5"}}));

}  // namespace minerva
