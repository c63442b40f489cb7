// LAMB (You et al., "Large Batch Optimization for Deep Learning", 2019) with MXNet's operators:
// the two phases that the LAMB optimizer calls per weight (phase 1 computes the Adam-style
// direction g and updates mean and var in place; the caller takes r1 = ||weight|| and
// r2 = ||g||; phase 2 applies the trust ratio r1 / r2), their multi-precision mp_ variants, and
// the fused multi-tensor _multi_lamb_update / _multi_mp_lamb_update that do both phases for
// many weights in one call.
#include <algorithm>
#include <cmath>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/float_tuple.h"
#include "core/ops/layout_util.h"
#include "core/ops/multi_tensor.h"
#include "core/ops/reference_util.h"

namespace minerva {
namespace {

// Phase 1's hyper-parameters and its step on one element (mean and var updated through pointers):
//   g' = clip(rescale_grad * grad, clip_gradient)
//   mean = beta1 * mean + (1 - beta1) * g';  var = beta2 * var + (1 - beta2) * g'^2
//   g = mean_hat / (sqrt(var_hat) + epsilon) + wd * weight
// where mean_hat, var_hat are mean / (1 - beta1^t), var / (1 - beta2^t) with bias_correction,
// else mean and var.
struct Phase1 {
  double beta1, beta2, eps, wd, rescale, clip, c1 = 1, c2 = 1;
  Phase1(const Attrs& a, double t, double wd_)
      : beta1(a.get_float("beta1")), beta2(a.get_float("beta2")), eps(a.get_float("epsilon")), wd(wd_),
        rescale(a.get_float("rescale_grad")), clip(a.get_float("clip_gradient")) {
    if (a.get_bool("bias_correction")) {
      c1 = 1 - std::pow(beta1, t);
      c2 = 1 - std::pow(beta2, t);
    }
  }
  double step(double w, double grad, double* mean, double* var) const {
    const double g = clip_to(rescale * grad, clip);
    *mean = beta1 * *mean + (1 - beta1) * g;
    *var = beta2 * *var + (1 - beta2) * g * g;
    return (*mean / c1) / (std::sqrt(*var / c2) + eps) + wd * w;
  }
};

// Phase 2's learning rate for trust ratio r1 / r2: r1 is first clamped to [lower_bound,
// upper_bound] (a negative bound is unset); a zero r1 or r2 leaves lr unscaled.
double trust_lr(double lr, double r1, double r2, double lower, double upper) {
  if (lower >= 0) r1 = std::max(r1, lower);
  if (upper >= 0) r1 = std::min(r1, upper);
  return (r1 == 0 || r2 == 0) ? lr : lr * r1 / r2;
}

void phase1_forward(const Attrs& attrs, const std::vector<TBlob>& in, const TBlob& out, bool mp) {
  Phase1 p(attrs, static_cast<double>(attrs.get_int("t")), attrs.get_float("wd"));
  std::vector<double> w = to_doubles(mp ? in[4] : in[0]), g = to_doubles(in[1]);
  std::vector<double> mean = to_doubles(in[2]), var = to_doubles(in[3]), res(w.size());
  parallel_for(static_cast<int64_t>(w.size()), [&](int64_t j) {
    const size_t k = static_cast<size_t>(j);
    res[k] = p.step(w[k], g[k], &mean[k], &var[k]);
  });
  store_doubles(mean, in[2]);
  store_doubles(var, in[3]);
  store_doubles(res, out);
}

void phase2_forward(const Attrs& attrs, const std::vector<TBlob>& in, const TBlob& out, bool mp) {
  const double r1 = to_doubles(in[2])[0], r2 = to_doubles(in[3])[0];
  const double lr = trust_lr(attrs.get_float("lr"), r1, r2, attrs.get_float("lower_bound"),
                             attrs.get_float("upper_bound"));
  const TBlob& master = mp ? in[4] : in[0];
  std::vector<double> w = to_doubles(master), g = to_doubles(in[1]);
  for (size_t k = 0; k < w.size(); ++k) w[k] -= lr * g[k];
  if (mp) {
    store_doubles(w, master);
    cast_copy(master, out);
  } else {
    store_doubles(w, out);
  }
}

// weight, grad (and g) share a shape; r1 and r2 have shape (1,).
void phase2_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  std::vector<Shape> tensors{(*in)[0], (*in)[1]};
  if (in->size() == 5) tensors.push_back((*in)[4]);
  infer_same_shape(attrs, &tensors, out);
  (*in)[0] = tensors[0];
  (*in)[1] = tensors[1];
  if (in->size() == 5) (*in)[4] = tensors[2];
  for (size_t k : {size_t{2}, size_t{3}}) {
    if ((*in)[k].empty()) (*in)[k] = Shape{1};
    MV_CHECK((*in)[k] == Shape{1}, kValue) << "Operator " << attrs.op->name << ": input '"
                                           << (k == 2 ? "r1" : "r2") << "' must have shape (1,), got "
                                           << shape_str((*in)[k]);
  }
}

// The multi-precision phases: weight (and grad in phase 1) share the weight's dtype; the other
// inputs are float32 (float64 accepted for the registry's samples). `out_is_weight` says whether
// the output takes the weight's dtype (phase 2) or float32 (phase 1's g).
InferTypeFn mp_type(bool out_is_weight) {
  return [out_is_weight](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
    const std::vector<std::string> names = attrs.op->inputs_for(attrs);
    const bool phase1 = !out_is_weight;
    int w = (*in)[0];
    if (phase1 && w < 0) w = (*in)[1];
    if (w < 0 && out_is_weight) w = (*out)[0];
    if (w >= 0) {
      MV_CHECK(is_float_dtype(w), kType) << "Operator " << attrs.op->name
                                         << ": input 'weight' must be floating point, got "
                                         << dtype_name(static_cast<DType>(w));
      (*in)[0] = w;
      if (phase1) {
        if ((*in)[1] < 0) (*in)[1] = w;
        MV_CHECK((*in)[1] == w, kType) << "Operator " << attrs.op->name << ": input 'grad' has dtype "
                                       << dtype_name(static_cast<DType>((*in)[1])) << ", expected "
                                       << dtype_name(static_cast<DType>(w)) << " like 'weight'";
      }
      if (out_is_weight) (*out)[0] = w;
    }
    const int f32 = static_cast<int>(DType::kFloat32);
    for (size_t k = phase1 ? 2 : 1; k < in->size(); ++k) {
      if ((*in)[k] < 0) (*in)[k] = f32;
      MV_CHECK((*in)[k] == f32 || (*in)[k] == static_cast<int>(DType::kFloat64), kType)
          << "Operator " << attrs.op->name << ": input '" << names[k] << "' must be float32, got "
          << dtype_name(static_cast<DType>((*in)[k]));
    }
    if (!out_is_weight) (*out)[0] = (*in)[4] >= 0 ? (*in)[4] : f32;
  };
}

// Phase 2 without multi-precision: weight, g and the output share a dtype; r1 and r2 are
// floating (the weight's dtype unless given).
void phase2_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  std::vector<int> tensors{(*in)[0], (*in)[1]};
  infer_same_type(attrs, &tensors, out);
  (*in)[0] = tensors[0];
  (*in)[1] = tensors[1];
  for (size_t k : {size_t{2}, size_t{3}}) {
    int& t = (*in)[k];
    if (t < 0) t = tensors[0];
    MV_CHECK(t < 0 || is_float_dtype(t), kType) << "Operator " << attrs.op->name << ": input '"
                                                << (k == 2 ? "r1" : "r2") << "' must be floating point, got "
                                                << dtype_name(static_cast<DType>(t));
  }
}

OpSample lamb_sample(std::vector<Shape> shapes, KeyValues params) {
  OpSample s = op_sample(std::move(shapes), std::move(params));
  s.lo = 0.1;  // var is non-negative
  s.hi = 1.0;
  s.grad_check = false;
  return s;
}

#define MV_LAMB_PHASE1_PARAMS                                                                                    \
  param("beta1", ParamType::kFloat, "0.899999976", "The decay rate for the 1st moment estimates.")               \
      .param("beta2", ParamType::kFloat, "0.999000013", "The decay rate for the 2nd moment estimates.")          \
      .param("epsilon", ParamType::kFloat, "9.99999997e-07", "A small constant for numerical stability.")        \
      .required_param("t", ParamType::kInt, "Index update count.")                                              \
      .bounds(1, 1e18)                                                                                           \
      .param("bias_correction", ParamType::kBool, "True", "Whether to use bias correction.")                    \
      .required_param("wd", ParamType::kFloat,                                                                  \
                      "Weight decay augments the objective function with a regularization term that penalizes " \
                      "large weights. The penalty scales with the square of the magnitude of each weight.")      \
      .param("rescale_grad", ParamType::kFloat, "1", "Rescale gradient to grad = rescale_grad*grad.")            \
      .param("clip_gradient", ParamType::kFloat, "-1",                                                          \
             "Clip gradient to the range of [-clip_gradient, clip_gradient] If clip_gradient <= 0, gradient "  \
             "clipping is turned off. grad = max(min(grad, clip_gradient), -clip_gradient).")
#define MV_LAMB_BOUNDS_PARAMS                                                                                  \
  param("lower_bound", ParamType::kFloat, "-1",                                                                \
        "Lower limit of norm of weight. If lower_bound <= 0, Lower limit is not set")                          \
      .param("upper_bound", ParamType::kFloat, "-1",                                                           \
             "Upper limit of norm of weight. If upper_bound <= 0, Upper limit is not set")

const char* const kPhase1Doc =
    "  grad = clip(rescale_grad * grad, clip_gradient)\n"
    "  mean = beta1 * mean + (1 - beta1) * grad\n"
    "  var = beta2 * var + (1 - beta2) * grad^2\n"
    "  g = mean / (1 - beta1^t) / (sqrt(var / (1 - beta2^t)) + epsilon) + wd * weight\n\n"
    "Without bias_correction the (1 - beta^t) factors are left out. mean and var are updated in place.";
const char* const kPhase2Doc =
    "  r1 = min(max(r1, lower_bound), upper_bound)   (a negative bound is not applied)\n"
    "  weight = weight - lr * r1 / r2 * g             (weight - lr * g when r1 or r2 is 0)\n\n"
    "r1 and r2 are the norms of the weight and of g, each of shape (1,).";

}  // namespace

MV_REGISTER_OP(lamb_update_phase1)
    .describe(std::string("Phase I of the LAMB update: the direction g of weight, whose norm the caller divides "
                          "into the weight's in phase II (lamb_update_phase2):\n\n") +
              kPhase1Doc + "\n\nExample::\n\n  g = lamb_update_phase1(weight, grad, mean, var, t=1, wd=0.01)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("mean", "Moving mean")
    .input("var", "Moving variance")
    .MV_LAMB_PHASE1_PARAMS
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      phase1_forward(attrs, in, out[0], false);
    })
    .set_mutate_inputs([](const Attrs&) { return std::vector<int>{2, 3}; })
    .set_non_differentiable()
    .add_sample(lamb_sample({{3, 4}, {3, 4}, {3, 4}, {3, 4}}, {{"t", "2"}, {"wd", "0.01"}, {"clip_gradient", "0.5"}}));

MV_REGISTER_OP(lamb_update_phase2)
    .describe(std::string("Phase II of the LAMB update: scales the learning rate by the trust ratio r1 / r2 and "
                          "applies the direction g of phase I (lamb_update_phase1):\n\n") +
              kPhase2Doc + "\n\nExample::\n\n  lamb_update_phase2(weight, g, r1, r2, lr=0.01, out=weight)")
    .input("weight", "Weight")
    .input("g", "Output of lamb_update_phase 1")
    .input("r1", "r1")
    .input("r2", "r2")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .MV_LAMB_BOUNDS_PARAMS
    .set_infer_shape(phase2_shape)
    .set_infer_type(phase2_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      phase2_forward(attrs, in, out[0], false);
    })
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(lamb_sample({{3, 4}, {3, 4}, {1}, {1}}, {{"lr", "0.1"}, {"lower_bound", "0.2"}}));

MV_REGISTER_OP(mp_lamb_update_phase1)
    .describe(std::string("Multi-precision phase I of the LAMB update: lamb_update_phase1 on the float32 master "
                          "copy weight32, with a float32 g:\n\n") +
              kPhase1Doc + " (weight in the last line is weight32.)")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("mean", "Moving mean")
    .input("var", "Moving variance")
    .input("weight32", "Weight32")
    .MV_LAMB_PHASE1_PARAMS
    .set_infer_shape(infer_same_shape)
    .set_infer_type(mp_type(false))
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      phase1_forward(attrs, in, out[0], true);
    })
    .set_mutate_inputs([](const Attrs&) { return std::vector<int>{2, 3}; })
    .set_non_differentiable()
    .add_sample(lamb_sample({{3, 4}, {3, 4}, {3, 4}, {3, 4}, {3, 4}}, {{"t", "1"}, {"wd", "0.01"}}));

MV_REGISTER_OP(mp_lamb_update_phase2)
    .describe(std::string("Multi-precision phase II of the LAMB update: lamb_update_phase2 applied to the float32 "
                          "master copy weight32 (updated in place); the output is its cast to the weight's dtype:\n\n") +
              kPhase2Doc)
    .input("weight", "Weight")
    .input("g", "Output of mp_lamb_update_phase 1")
    .input("r1", "r1")
    .input("r2", "r2")
    .input("weight32", "Weight32")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .MV_LAMB_BOUNDS_PARAMS
    .set_infer_shape(phase2_shape)
    .set_infer_type(mp_type(true))
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      phase2_forward(attrs, in, out[0], true);
    })
    .set_mutate_inputs([](const Attrs&) { return std::vector<int>{4}; })
    .set_non_differentiable()
    .add_sample(lamb_sample({{3, 4}, {3, 4}, {1}, {1}, {3, 4}}, {{"lr", "0.1"}, {"upper_bound", "0.5"}}));

// ---- the fused multi-tensor update ---------------------------------------------------------------

namespace {

int64_t num_tensors(const Attrs& a) { return a.get_int("num_tensors"); }

// [weight, grad, mean, var] per tensor, and weight32 in the multi-precision variant; mean, var
// and weight32 are updated in place (and float32 in the multi-precision variant).
MultiTensorLayout lamb_layout(bool mp) {
  MultiTensorLayout l;
  l.count_param = "num_tensors";
  l.slots = {"weight", "grad", "mean", "var"};
  if (mp) l.slots.push_back("weight32");
  if (mp) l.first_state = 2;
  for (int k = 2; k < l.group(); ++k) l.mutated.push_back(k);
  return l;
}
int lamb_group(bool mp) { return lamb_layout(mp).group(); }

// The per-tensor tuples, checked against num_tensors; step counts are at least 1.
struct MultiLambParams {
  std::vector<double> lrs, wds;
  Shape steps;
  explicit MultiLambParams(const Attrs& a) {
    const int64_t n = num_tensors(a);
    lrs = float_tuple(a, "learning_rates", n);
    wds = float_tuple(a, "wds", n);
    steps = a.get_shape("step_count");
    MV_CHECK(static_cast<int64_t>(steps.size()) == n, kValue)
        << "Operator " << a.op->name << ": parameter 'step_count' holds " << steps.size() << " value(s), expected "
        << n << " (one per tensor)";
    for (int64_t s : steps)
      MV_CHECK(s >= 1, kValue) << "Operator " << a.op->name << ": parameter 'step_count' entries must be >= 1, got "
                               << s;
  }
};

// The layout's shapes, after checking the per-tensor parameters.
InferShapeFn multi_lamb_shape(bool mp) {
  const MultiTensorLayout layout = lamb_layout(mp);
  return [layout](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
    MultiLambParams check(attrs);
    layout.infer_shapes(attrs, in, out);
  };
}

// Both phases per tensor; r1 is the norm of the weight input (the float16 weight in the
// multi-precision variant, as in MXNet), r2 the norm of the direction g.
ForwardFn multi_lamb_forward(bool mp) {
  return [mp](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
    MultiLambParams prm(attrs);
    const int grp = lamb_group(mp);
    const double lower = attrs.get_float("lower_bound"), upper = attrs.get_float("upper_bound");
    for (int64_t i = 0; i < num_tensors(attrs); ++i) {
      const size_t base = static_cast<size_t>(i * grp);
      Phase1 p(attrs, static_cast<double>(prm.steps[i]), prm.wds[i]);
      const TBlob& master = mp ? in[base + 4] : in[base];
      std::vector<double> w = to_doubles(master), grad = to_doubles(in[base + 1]);
      std::vector<double> mean = to_doubles(in[base + 2]), var = to_doubles(in[base + 3]), dir(w.size());
      double wsq = 0, gsq = 0;
      const std::vector<double> w_norm_src = mp ? to_doubles(in[base]) : std::vector<double>();
      for (size_t k = 0; k < w.size(); ++k) {
        dir[k] = p.step(w[k], grad[k], &mean[k], &var[k]);
        const double wn = mp ? w_norm_src[k] : w[k];
        wsq += wn * wn;
        gsq += dir[k] * dir[k];
      }
      const double lr = trust_lr(prm.lrs[i], std::sqrt(wsq), std::sqrt(gsq), lower, upper);
      for (size_t k = 0; k < w.size(); ++k) w[k] -= lr * dir[k];
      store_doubles(mean, in[base + 2]);
      store_doubles(var, in[base + 3]);
      if (mp) {
        store_doubles(w, master);
        cast_copy(master, out[i]);
      } else {
        store_doubles(w, out[i]);
      }
    }
  };
}

OpSample multi_lamb_sample(bool mp) {
  return lamb_layout(mp).sample({{"learning_rates", "(0.1, 0.2)"}, {"wds", "(0.01, 0)"}, {"step_count", "(3, 1)"},
                                 {"clip_gradient", "0.5"}});
}

#define MV_MULTI_LAMB_PARAMS                                                                                      \
  required_param("learning_rates", ParamType::kString, "List of learning rates (a tuple of floats, one per tensor)") \
      .param("beta1", ParamType::kFloat, "0.899999976", "Exponential decay rate for the first moment estimates.")  \
      .param("beta2", ParamType::kFloat, "0.999000013", "Exponential decay rate for the second moment estimates.") \
      .param("epsilon", ParamType::kFloat, "9.99999997e-07", "Small value to avoid division by 0.")                \
      .required_param("wds", ParamType::kString,                                                                  \
                      "List of Weight decays (a tuple of floats, one per tensor). Weight decay augments the "     \
                      "objective function with a regularization term that penalizes large weights.")             \
      .param("rescale_grad", ParamType::kFloat, "1", "Gradient rescaling factor")                                  \
      .MV_LAMB_BOUNDS_PARAMS                                                                                       \
      .param("clip_gradient", ParamType::kFloat, "-1",                                                            \
             "Clip gradient to the range of [-clip_gradient, clip_gradient] If clip_gradient <= 0, gradient "    \
             "clipping is turned off. grad = max(min(grad, clip_gradient), -clip_gradient).")                    \
      .param("bias_correction", ParamType::kBool, "True", "Whether to use bias correction.")                      \
      .required_param("step_count", ParamType::kShape, "Step count for each tensor")                              \
      .kind(ParamKind::kList)                                                                                     \
      .param("num_tensors", ParamType::kInt, "1", "Number of tensors")                                             \
      .bounds(1, 1e6)

#define MV_MULTI_LAMB_BODY(MP)                                   \
  set_variadic("num_tensors", lamb_group(MP), 0)                 \
      .set_list_inputs(lamb_layout(MP).input_names())            \
      .set_num_outputs([](const Attrs& a) { return static_cast<int>(num_tensors(a)); }) \
      .set_infer_shape(multi_lamb_shape(MP))                     \
      .set_infer_type(lamb_layout(MP).type_fn())                 \
      .set_forward(multi_lamb_forward(MP))                       \
      .set_mutate_inputs(lamb_layout(MP).mutated_inputs())       \
      .set_non_differentiable()                                  \
      .add_sample(multi_lamb_sample(MP))

}  // namespace

MV_REGISTER_OP(_multi_lamb_update)
    .describe("The LAMB update of num_tensors weights in one call (both phases of lamb_update_phase1 and "
              "lamb_update_phase2 per tensor, with r1 = ||weight|| and r2 = ||g||). The inputs are interleaved: "
              "weight_0, grad_0, mean_0, var_0, weight_1, ...; the outputs are the updated weights; mean and var "
              "are updated in place. learning_rates, wds and step_count hold one value per tensor. "
              "mx.nd.contrib.multi_lamb_update is the Python entry point.")
    .MV_MULTI_LAMB_PARAMS
    .MV_MULTI_LAMB_BODY(false);

MV_REGISTER_OP(_multi_mp_lamb_update)
    .describe("Multi-precision _multi_lamb_update: the inputs are interleaved weight_0, grad_0, mean_0, var_0, "
              "weight32_0, ...; the update runs on the float32 master copies weight32 (updated in place, with mean "
              "and var) and each output is weight32 cast to the weight's dtype. r1 is the norm of the weight input "
              "itself, as in MXNet. mx.nd.contrib.multi_mp_lamb_update is the Python entry point.")
    .MV_MULTI_LAMB_PARAMS
    .MV_MULTI_LAMB_BODY(true);

#undef MV_MULTI_LAMB_BODY
#undef MV_MULTI_LAMB_PARAMS
#undef MV_LAMB_BOUNDS_PARAMS
#undef MV_LAMB_PHASE1_PARAMS

}  // namespace minerva
