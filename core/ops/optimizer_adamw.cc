// AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization") with MXNet's contrib
// operators: _adamw_update and _mp_adamw_update for one weight, _multi_adamw_update and
// _multi_mp_adamw_update for many. The gradient scale is an input array (rescale_grad, shape (1,))
// so that dynamic loss scaling can skip a step on the device: when it is 0, NaN or infinite,
// nothing is updated and the output is the unchanged weight. mx.nd.contrib.adamw_update and
// friends (python/minerva/ndarray/_contrib_python.py) take a number or an array.
#include <cmath>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/float_tuple.h"
#include "core/ops/layout_util.h"
#include "core/ops/multi_tensor.h"
#include "core/ops/reference_util.h"

namespace minerva {
namespace {

// The AdamW step on one tensor, in double: with g = clip(rescale * grad, clip_gradient),
//   mean = beta1 * mean + (1 - beta1) * g;  var = beta2 * var + (1 - beta2) * g^2
//   weight -= eta * (lr * mean / (sqrt(var) + epsilon) + wd * weight)
// `master` is the weight updated (weight32, itself updated in place, when mp); `out` receives it.
void adamw_tensor(const Attrs& attrs, bool mp, double lr, double wd, double eta, double rescale, const TBlob& master,
                  const TBlob& grad, const TBlob& mean_b, const TBlob& var_b, const TBlob& out) {
  const double b1 = attrs.get_float("beta1"), b2 = attrs.get_float("beta2"), eps = attrs.get_float("epsilon");
  const double clip = attrs.get_float("clip_gradient");
  std::vector<double> w = to_doubles(master);
  if (rescale != 0 && std::isfinite(rescale)) {
    std::vector<double> g = to_doubles(grad), mean = to_doubles(mean_b), var = to_doubles(var_b);
    parallel_for(static_cast<int64_t>(w.size()), [&](int64_t j) {
      const size_t k = static_cast<size_t>(j);
      const double gr = clip_to(rescale * g[k], clip);
      mean[k] = b1 * mean[k] + (1 - b1) * gr;
      var[k] = b2 * var[k] + (1 - b2) * gr * gr;
      w[k] -= eta * (lr * mean[k] / (std::sqrt(var[k]) + eps) + wd * w[k]);
    });
    store_doubles(mean, mean_b);
    store_doubles(var, var_b);
  }
  if (mp) {
    store_doubles(w, master);  // weight32, updated in place; the weight is its cast, as in MXNet
    cast_copy(master, out);
  } else {
    store_doubles(w, out);
  }
}

double rescale_of(const TBlob& b) { return to_doubles(b)[0]; }

#define MV_ADAMW_PARAMS                                                                                          \
  param("beta1", ParamType::kFloat, "0.899999976", "The decay rate for the 1st moment estimates.")               \
      .param("beta2", ParamType::kFloat, "0.999000013", "The decay rate for the 2nd moment estimates.")          \
      .param("epsilon", ParamType::kFloat, "9.99999994e-09", "A small constant for numerical stability.")
#define MV_ADAMW_CLIP_PARAM                                                                                      \
  param("clip_gradient", ParamType::kFloat, "-1",                                                                \
        "Clip gradient to the range of [-clip_gradient, clip_gradient] If clip_gradient <= 0, gradient "        \
        "clipping is turned off. grad = max(min(grad, clip_gradient), -clip_gradient).")
#define MV_WD_DOC                                                                                                \
  "Weight decay augments the objective function with a regularization term that penalizes large weights. The " \
  "penalty scales with the square of the magnitude of each weight."

const char* const kAdamwDoc =
    "  g = clip(rescale_grad * grad, clip_gradient)\n"
    "  mean = beta1 * mean + (1 - beta1) * g\n"
    "  var = beta2 * var + (1 - beta2) * g^2\n"
    "  weight = weight - eta * (lr * mean / (sqrt(var) + epsilon) + wd * weight)\n\n"
    "mean and var are updated in place. rescale_grad is an array of shape (1,); when it holds 0, NaN or an "
    "infinity the update is skipped and the output is the unchanged weight (MXNet leaves a fresh output "
    "unwritten).";

// The single-weight variants' kernel: inputs weight, grad, mean, var (, weight32), rescale_grad.
void single_forward(const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out, bool mp) {
  const size_t rs = mp ? 5 : 4;
  adamw_tensor(attrs, mp, attrs.get_float("lr"), attrs.get_float("wd"), attrs.get_float("eta"), rescale_of(in[rs]),
               mp ? in[4] : in[0], in[1], in[2], in[3], out[0]);
}

OpSample single_sample(bool mp) {
  std::vector<Shape> shapes(mp ? 5 : 4, Shape{3, 4});
  shapes.push_back(Shape{1});
  OpSample s = op_sample(shapes, {{"lr", "0.01"}, {"eta", "0.5"}, {"wd", "0.01"}, {"clip_gradient", "0.5"}});
  s.lo = 0.1;
  s.grad_check = false;
  return s;
}

}  // namespace

MV_REGISTER_OP(_adamw_update)
    .describe(std::string("Update function for the AdamW optimizer (Adam with decoupled weight decay):\n\n") +
              kAdamwDoc + "\n\nmx.nd.contrib.adamw_update is the Python entry point.")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("mean", "Moving mean")
    .input("var", "Moving variance")
    .input("rescale_grad", "Rescale gradient to rescale_grad * grad. If NaN, Inf, or 0, the update is skipped.")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .MV_ADAMW_PARAMS
    .param("wd", ParamType::kFloat, "0", MV_WD_DOC)
    .required_param("eta", ParamType::kFloat, "Learning rate schedule multiplier")
    .MV_ADAMW_CLIP_PARAM
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      std::vector<Shape> tensors(in->begin(), in->begin() + 4);
      infer_same_shape(attrs, &tensors, out);
      std::copy(tensors.begin(), tensors.end(), in->begin());
      if ((*in)[4].empty()) (*in)[4] = Shape{1};
      else if ((*in)[4] != Shape{1}) shape_mismatch(attrs, "input 'rescale_grad'", Shape{1}, (*in)[4]);
    })
    .set_infer_type([](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
      std::vector<int> tensors(in->begin(), in->begin() + 4);
      infer_same_type(attrs, &tensors, out);
      std::copy(tensors.begin(), tensors.end(), in->begin());
      if ((*in)[4] < 0) (*in)[4] = static_cast<int>(DType::kFloat32);
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      single_forward(attrs, in, out, false);
    })
    .set_mutate_inputs([](const Attrs&) { return std::vector<int>{2, 3}; })
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(single_sample(false));

MV_REGISTER_OP(_mp_adamw_update)
    .describe(std::string("Multi-precision AdamW update: the step runs on the float32 master copy weight32 "
                          "(updated in place, with mean and var, both float32) and the output is its cast to the "
                          "weight's dtype:\n\n") +
              kAdamwDoc + "\n\nmx.nd.contrib.mp_adamw_update is the Python entry point.")
    .input("weight", "Weight")
    .input("grad", "Gradient")
    .input("mean", "Moving mean")
    .input("var", "Moving variance")
    .input("weight32", "Weight32")
    .input("rescale_grad", "Rescale gradient to rescale_grad * grad. If NaN, Inf, or 0, the update is skipped.")
    .required_param("lr", ParamType::kFloat, "Learning rate")
    .MV_ADAMW_PARAMS
    .param("wd", ParamType::kFloat, "0", MV_WD_DOC)
    .required_param("eta", ParamType::kFloat, "Learning rate schedule multiplier")
    .MV_ADAMW_CLIP_PARAM
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      std::vector<Shape> tensors(in->begin(), in->begin() + 5);
      infer_same_shape(attrs, &tensors, out);
      std::copy(tensors.begin(), tensors.end(), in->begin());
      if ((*in)[5].empty()) (*in)[5] = Shape{1};
      else if ((*in)[5] != Shape{1}) shape_mismatch(attrs, "input 'rescale_grad'", Shape{1}, (*in)[5]);
    })
    .set_infer_type([](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
      // weight and grad in one dtype, which the output takes; mean, var, weight32 and rescale_grad float32.
      const std::vector<std::string> names = attrs.op->inputs_for(attrs);
      const int f32 = static_cast<int>(DType::kFloat32), f64 = static_cast<int>(DType::kFloat64);
      int t = (*in)[0] >= 0 ? (*in)[0] : (*in)[1] >= 0 ? (*in)[1] : (*out)[0];
      for (size_t k = 2; k < in->size(); ++k) {
        int& s = (*in)[k];
        if (s < 0) s = f32;
        MV_CHECK(s == f32 || s == f64, kType) << "Operator _mp_adamw_update: input '" << names[k]
                                              << "' must be float32, got " << dtype_name(static_cast<DType>(s));
      }
      if (t < 0) return;
      MV_CHECK(is_float_dtype(t), kType) << "Operator _mp_adamw_update: input 'weight' must be floating point, got "
                                         << dtype_name(static_cast<DType>(t));
      for (size_t k = 0; k < 2; ++k) {
        if ((*in)[k] < 0) (*in)[k] = t;
        MV_CHECK((*in)[k] == t, kType) << "Operator _mp_adamw_update: input '" << names[k] << "' has dtype "
                                       << dtype_name(static_cast<DType>((*in)[k])) << ", expected "
                                       << dtype_name(static_cast<DType>(t));
      }
      (*out)[0] = t;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      single_forward(attrs, in, out, true);
    })
    .set_mutate_inputs([](const Attrs&) { return std::vector<int>{2, 3, 4}; })
    .set_non_differentiable()
    .add_sample(single_sample(true));

// ---- many weights ----------------------------------------------------------------------------------

namespace {

// [weight, grad, mean, var] per weight (and weight32 when mp), then rescale_grad of shape (1,).
MultiTensorLayout multi_layout(bool mp) {
  MultiTensorLayout l;
  l.count_param = "num_weights";
  l.slots = {"weight", "grad", "mean", "var"};
  if (mp) l.slots.push_back("weight32");
  l.extra = {"rescale_grad"};
  l.extra_per_item = false;
  if (mp) l.first_state = 2;
  for (int k = 2; k < l.group(); ++k) l.mutated.push_back(k);
  return l;
}

InferShapeFn multi_shape(bool mp) {
  const MultiTensorLayout layout = multi_layout(mp);
  return [layout](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
    const int64_t n = layout.items(attrs);
    for (const char* p : {"lrs", "wds", "etas"}) float_tuple(attrs, p, n);
    layout.infer_shapes(attrs, in, out);
  };
}

ForwardFn multi_forward(bool mp) {
  const MultiTensorLayout layout = multi_layout(mp);
  return [layout, mp](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                      const std::vector<TBlob>& out) {
    const int64_t n = layout.items(attrs);
    const std::vector<double> lrs = float_tuple(attrs, "lrs", n), wds = float_tuple(attrs, "wds", n),
                              etas = float_tuple(attrs, "etas", n);
    const double rescale = rescale_of(in.back());
    for (int64_t i = 0; i < n; ++i) {
      const size_t b = static_cast<size_t>(i * layout.group());
      adamw_tensor(attrs, mp, lrs[i], wds[i], etas[i], rescale, mp ? in[b + 4] : in[b], in[b + 1], in[b + 2], in[b + 3],
                   out[i]);
    }
  };
}

OpSample multi_sample(bool mp) {
  return multi_layout(mp).sample(
      {{"lrs", "(0.1, 0.2)"}, {"wds", "(0.01, 0)"}, {"etas", "(1, 0.5)"}, {"clip_gradient", "0.5"}});
}

#define MV_MULTI_ADAMW_PARAMS                                                                                  \
  required_param("lrs", ParamType::kString, "Learning rates (a tuple of floats, one per weight)")              \
      .MV_ADAMW_PARAMS                                                                                         \
      .required_param("wds", ParamType::kString, MV_WD_DOC " A tuple of floats, one per weight.")             \
      .required_param("etas", ParamType::kString, "Learning rates schedule multiplier (a tuple of floats, one per weight)") \
      .MV_ADAMW_CLIP_PARAM                                                                                     \
      .param("num_weights", ParamType::kInt, "1", "Number of updated weights.")                                \
      .bounds(1, 1e6)
#define MV_MULTI_ADAMW_BODY(MP)                                     \
  set_variadic("num_weights", multi_layout(MP).group(), 1)          \
      .set_list_inputs(multi_layout(MP).input_names())              \
      .set_num_outputs([](const Attrs& a) { return static_cast<int>(a.get_int("num_weights")); }) \
      .set_infer_shape(multi_shape(MP))                             \
      .set_infer_type(multi_layout(MP).type_fn())                   \
      .set_forward(multi_forward(MP))                               \
      .set_mutate_inputs(multi_layout(MP).mutated_inputs())         \
      .set_non_differentiable()                                     \
      .add_sample(multi_sample(MP))

}  // namespace

MV_REGISTER_OP(_multi_adamw_update)
    .describe(std::string("The AdamW update of num_weights weights in one call. The inputs are interleaved weight_0, "
                          "grad_0, mean_0, var_0, weight_1, ..., then rescale_grad (shape (1,)); lrs, wds and etas "
                          "hold one value per weight; the outputs are the updated weights. Per weight:\n\n") +
              kAdamwDoc + "\n\nmx.nd.contrib.multi_adamw_update is the Python entry point.")
    .MV_MULTI_ADAMW_PARAMS
    .MV_MULTI_ADAMW_BODY(false);

MV_REGISTER_OP(_multi_mp_adamw_update)
    .describe(std::string("Multi-precision _multi_adamw_update: the inputs are interleaved weight_0, grad_0, mean_0, "
                          "var_0, weight32_0, ..., then rescale_grad; each step runs on the float32 master copy "
                          "weight32 and the output is its cast to the weight's dtype. Per weight:\n\n") +
              kAdamwDoc + "\n\nmx.nd.contrib.multi_mp_adamw_update is the Python entry point.")
    .MV_MULTI_ADAMW_PARAMS
    .MV_MULTI_ADAMW_BODY(true);

#undef MV_MULTI_ADAMW_BODY
#undef MV_MULTI_ADAMW_PARAMS
#undef MV_WD_DOC
#undef MV_ADAMW_CLIP_PARAM
#undef MV_ADAMW_PARAMS

}  // namespace minerva
