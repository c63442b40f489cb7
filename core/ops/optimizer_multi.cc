// Multi-tensor optimizer updates with MXNet's semantics: one call updates num_weights weights.
// The SGD family takes its inputs interleaved per weight ([weight, grad] for multi_sgd_update,
// [weight, grad, mom], [weight, grad, weight32], [weight, grad, mom, weight32] for the momentum
// and multi-precision variants); the preloaded_ variants take the learning rates and weight
// decays as two trailing arrays instead of the lrs/wds tuples. Outputs are the updated weights
// (the optimizers pass out=weights); momenta and weight32 copies are updated in place.
// Beside them: multi_sum_sq, multi_all_finite / all_finite, reset_arrays and multi_lars, the
// helpers of LARS and of mixed-precision loss scaling.
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

// Which member of the SGD family: the inputs per weight follow from it.
struct SgdVariant {
  bool momentum;   // a mom input per weight
  bool mp;         // a float32 weight32 master copy per weight
  bool preloaded;  // lrs and wds arrive as two trailing arrays
  int group() const { return 2 + momentum + mp; }
  int mom_at() const { return 2; }
  int w32_at() const { return 2 + momentum; }
  MultiTensorLayout layout() const {
    MultiTensorLayout l;
    l.count_param = "num_weights";
    l.slots = {"weight", "grad"};
    if (momentum) l.slots.push_back("mom");
    if (mp) l.slots.push_back("weight32");
    if (preloaded) l.extra = {"lrs", "wds"};
    if (mp) l.first_state = 2;  // mom (when present) and weight32 are float32
    for (int k = 2; k < l.group(); ++k) l.mutated.push_back(k);
    return l;
  }
};

int64_t num_weights(const Attrs& a) { return a.get_int("num_weights"); }

// The layout's shapes, after checking that the lrs and wds tuples hold one value per weight.
InferShapeFn sgd_shape(SgdVariant v) {
  const MultiTensorLayout layout = v.layout();
  return [v, layout](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
    if (!v.preloaded) {
      float_tuple(attrs, "lrs", num_weights(attrs));
      float_tuple(attrs, "wds", num_weights(attrs));
    }
    layout.infer_shapes(attrs, in, out);
  };
}

// MXNet's multi-SGD step (the momentum is zero without a mom input):
//   mom = momentum * mom - lr * wd * w - lr * clip(rescale_grad * grad, clip_gradient)
//   w = w + mom
// The multi-precision variants compute on weight32 and cast the result to the weight's dtype.
ForwardFn sgd_forward(SgdVariant v) {
  return [v](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
    const int64_t n = num_weights(attrs);
    std::vector<double> lrs, wds;
    if (v.preloaded) {
      lrs = to_doubles(in[static_cast<size_t>(n * v.group())]);
      wds = to_doubles(in[static_cast<size_t>(n * v.group() + 1)]);
    } else {
      lrs = float_tuple(attrs, "lrs", n);
      wds = float_tuple(attrs, "wds", n);
    }
    const double momentum = v.momentum ? attrs.get_float("momentum") : 0.0;
    const double rescale = attrs.get_float("rescale_grad"), clip = attrs.get_float("clip_gradient");
    for (int64_t i = 0; i < n; ++i) {
      const size_t base = static_cast<size_t>(i * v.group());
      const TBlob& master = v.mp ? in[base + v.w32_at()] : in[base];
      std::vector<double> w = to_doubles(master), g = to_doubles(in[base + 1]);
      std::vector<double> mom = v.momentum ? to_doubles(in[base + v.mom_at()]) : std::vector<double>();
      const double lr = lrs[i], wd = wds[i];
      parallel_for(static_cast<int64_t>(w.size()), [&](int64_t j) {
        const size_t k = static_cast<size_t>(j);
        const double m = (v.momentum ? momentum * mom[k] : 0.0) - lr * wd * w[k] - lr * clip_to(rescale * g[k], clip);
        if (v.momentum) mom[k] = m;
        w[k] += m;
      });
      if (v.momentum) store_doubles(mom, in[base + v.mom_at()]);
      if (v.mp) {
        // The weight is the cast of the stored (rounded) master copy, as in MXNet.
        store_doubles(w, master);
        cast_copy(master, out[i]);
      } else {
        store_doubles(w, out[i]);
      }
    }
  };
}

CountFn count_of(const char* param) {
  return [param](const Attrs& a) { return static_cast<int>(a.get_int(param)); };
}

OpSample sgd_sample(SgdVariant v, KeyValues params) {
  if (!v.preloaded) {
    params.emplace_back("lrs", "(0.1, 0.2)");
    params.emplace_back("wds", "(0.01, 0)");
  }
  return v.layout().sample(std::move(params));
}

// The parameters every member shares, after its own (lrs/wds tuples, momentum).
#define MV_MULTI_SGD_TAIL_PARAMS                                                                                    \
  param("rescale_grad", ParamType::kFloat, "1", "Rescale gradient to grad = rescale_grad*grad.")                    \
      .param("clip_gradient", ParamType::kFloat, "-1",                                                             \
             "Clip gradient to the range of [-clip_gradient, clip_gradient] If clip_gradient <= 0, gradient "     \
             "clipping is turned off. grad = max(min(grad, clip_gradient), -clip_gradient).")                     \
      .param("num_weights", ParamType::kInt, "1", "Number of updated weights.")                                    \
      .bounds(1, 1e6)
#define MV_MULTI_SGD_TUPLES                                                                                         \
  required_param("lrs", ParamType::kString, "Learning rates (a tuple of floats, one per weight).")                  \
      .required_param("wds", ParamType::kString,                                                                   \
                      "Weight decay augments the objective function with a regularization term that penalizes "    \
                      "large weights. The penalty scales with the square of the magnitude of each weight. A tuple " \
                      "of floats, one per weight.")
#define MV_MULTI_SGD_MOMENTUM \
  param("momentum", ParamType::kFloat, "0", "The decay rate of momentum estimates at each epoch.")
// Everything but the doc, the parameters and the sample.
#define MV_MULTI_SGD_BODY(V)                                     \
  set_variadic("num_weights", (V).group(), (V).preloaded ? 2 : 0) \
      .set_list_inputs((V).layout().input_names())       \
      .set_num_outputs(count_of("num_weights"))         \
      .set_infer_shape(sgd_shape(V))                    \
      .set_infer_type((V).layout().type_fn())           \
      .set_forward(sgd_forward(V))                      \
      .set_mutate_inputs((V).layout().mutated_inputs()) \
      .set_non_differentiable()

constexpr SgdVariant kSgd{false, false, false}, kSgdMom{true, false, false}, kMpSgd{false, true, false},
    kMpSgdMom{true, true, false}, kPreSgd{false, false, true}, kPreSgdMom{true, false, true},
    kPreMpSgd{false, true, true}, kPreMpSgdMom{true, true, true};

const char* const kSgdFormula =
    "Per weight i, with lr and wd its learning rate and weight decay:\n\n"
    "  weight = (1 - lr * wd) * weight - lr * clip(rescale_grad * grad, clip_gradient)\n\n";
const char* const kSgdMomFormula =
    "Per weight i, with lr and wd its learning rate and weight decay:\n\n"
    "  mom = momentum * mom - lr * wd * weight - lr * clip(rescale_grad * grad, clip_gradient)\n"
    "  weight = weight + mom\n\n"
    "Each mom is updated in place.\n\n";

}  // namespace

MV_REGISTER_OP(multi_sgd_update)
    .describe(std::string("Update function for Stochastic Gradient Descent (SGD) optimizer over num_weights weights "
                          "at once. The inputs are interleaved: weight_0, grad_0, weight_1, grad_1, ...; the outputs "
                          "are the updated weights.\n\n") +
              kSgdFormula + "Example::\n\n  multi_sgd_update(w0, g0, w1, g1, lrs=(0.1, 0.2), wds=(0, 0), num_weights=2, "
                            "out=[w0, w1])")
    .MV_MULTI_SGD_TUPLES
    .MV_MULTI_SGD_TAIL_PARAMS
    .MV_MULTI_SGD_BODY(kSgd)
    .add_sample(sgd_sample(kSgd, {{"clip_gradient", "0.5"}}));

MV_REGISTER_OP(multi_sgd_mom_update)
    .describe(std::string("Momentum update function for Stochastic Gradient Descent (SGD) optimizer over num_weights "
                          "weights at once. The inputs are interleaved: weight_0, grad_0, mom_0, weight_1, ...; the "
                          "outputs are the updated weights.\n\n") +
              kSgdMomFormula + "Example::\n\n  multi_sgd_mom_update(w0, g0, m0, w1, g1, m1, lrs=(0.1, 0.1), "
                               "wds=(0, 0), momentum=0.9, num_weights=2, out=[w0, w1])")
    .MV_MULTI_SGD_TUPLES
    .MV_MULTI_SGD_MOMENTUM
    .MV_MULTI_SGD_TAIL_PARAMS
    .MV_MULTI_SGD_BODY(kSgdMom)
    .add_sample(sgd_sample(kSgdMom, {{"momentum", "0.9"}}));

MV_REGISTER_OP(multi_mp_sgd_update)
    .describe(std::string("Multi-precision multi_sgd_update: the inputs are interleaved weight_0, grad_0, weight32_0, "
                          "...; the update runs on the float32 master copies weight32 (updated in place) and each "
                          "output is its cast to the weight's dtype (float16 in practice).\n\n") +
              kSgdFormula)
    .MV_MULTI_SGD_TUPLES
    .MV_MULTI_SGD_TAIL_PARAMS
    .MV_MULTI_SGD_BODY(kMpSgd)
    .add_sample(sgd_sample(kMpSgd, {}));

MV_REGISTER_OP(multi_mp_sgd_mom_update)
    .describe(std::string("Multi-precision multi_sgd_mom_update: the inputs are interleaved weight_0, grad_0, mom_0, "
                          "weight32_0, ...; the update runs on the float32 master copies weight32, mom and weight32 "
                          "are updated in place, and each output is weight32 cast to the weight's dtype.\n\n") +
              kSgdMomFormula)
    .MV_MULTI_SGD_TUPLES
    .MV_MULTI_SGD_MOMENTUM
    .MV_MULTI_SGD_TAIL_PARAMS
    .MV_MULTI_SGD_BODY(kMpSgdMom)
    .add_sample(sgd_sample(kMpSgdMom, {{"momentum", "0.9"}}));

MV_REGISTER_OP(preloaded_multi_sgd_update)
    .describe(std::string("multi_sgd_update with the learning rates and weight decays in arrays: the inputs are "
                          "weight_0, grad_0, weight_1, grad_1, ..., lrs, wds, where lrs and wds hold one value per "
                          "weight (shape (num_weights,)).\n\n") +
              kSgdFormula)
    .MV_MULTI_SGD_TAIL_PARAMS
    .MV_MULTI_SGD_BODY(kPreSgd)
    .add_sample(sgd_sample(kPreSgd, {}));

MV_REGISTER_OP(preloaded_multi_sgd_mom_update)
    .describe(std::string("multi_sgd_mom_update with the learning rates and weight decays in arrays: the inputs are "
                          "weight_0, grad_0, mom_0, ..., lrs, wds, where lrs and wds have shape (num_weights,).\n\n") +
              kSgdMomFormula)
    .MV_MULTI_SGD_MOMENTUM
    .MV_MULTI_SGD_TAIL_PARAMS
    .MV_MULTI_SGD_BODY(kPreSgdMom)
    .add_sample(sgd_sample(kPreSgdMom, {{"momentum", "0.9"}}));

MV_REGISTER_OP(preloaded_multi_mp_sgd_update)
    .describe(std::string("multi_mp_sgd_update with the learning rates and weight decays in arrays: the inputs are "
                          "weight_0, grad_0, weight32_0, ..., lrs, wds, where lrs and wds have shape "
                          "(num_weights,).\n\n") +
              kSgdFormula)
    .MV_MULTI_SGD_TAIL_PARAMS
    .MV_MULTI_SGD_BODY(kPreMpSgd)
    .add_sample(sgd_sample(kPreMpSgd, {}));

MV_REGISTER_OP(preloaded_multi_mp_sgd_mom_update)
    .describe(std::string("multi_mp_sgd_mom_update with the learning rates and weight decays in arrays: the inputs "
                          "are weight_0, grad_0, mom_0, weight32_0, ..., lrs, wds, where lrs and wds have shape "
                          "(num_weights,).\n\n") +
              kSgdMomFormula)
    .MV_MULTI_SGD_MOMENTUM
    .MV_MULTI_SGD_TAIL_PARAMS
    .MV_MULTI_SGD_BODY(kPreMpSgdMom)
    .add_sample(sgd_sample(kPreMpSgdMom, {{"momentum", "0.9"}}));

#undef MV_MULTI_SGD_BODY
#undef MV_MULTI_SGD_MOMENTUM
#undef MV_MULTI_SGD_TUPLES
#undef MV_MULTI_SGD_TAIL_PARAMS

// ---- helpers of LARS and loss scaling -------------------------------------------------------------

namespace {

NamesFn array_inputs(const char* count_param) {
  return [count_param](const Attrs& a) {
    std::vector<std::string> names;
    for (int64_t i = 0; i < a.get_int(count_param); ++i) names.push_back("array_" + std::to_string(i));
    return names;
  };
}

IndicesFn all_inputs(const char* count_param) {
  return [count_param](const Attrs& a) {
    std::vector<int> idx;
    for (int64_t i = 0; i < a.get_int(count_param); ++i) idx.push_back(static_cast<int>(i));
    return idx;
  };
}

// Every input one floating dtype (MXNet requires a uniform type); the outputs are float32.
InferTypeFn uniform_float_inputs_float32_outputs() {
  return [](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
    std::vector<int> none;
    infer_same_type(attrs, in, &none);
    for (int t : *in)
      MV_CHECK(t < 0 || is_float_dtype(t), kType) << "Operator " << attrs.op->name
                                            << " supports float16/float32/float64 inputs, got "
                                            << dtype_name(static_cast<DType>(t));
    for (auto& t : *out) t = static_cast<int>(DType::kFloat32);
  };
}

// 1 when every element of every input is finite; with init_output=False the output keeps its
// value unless a non-finite element is found (accumulating over calls with out=).
void all_finite_forward(const Attrs& attrs, const std::vector<TBlob>& in, const TBlob& out) {
  bool finite = true;
  for (const TBlob& b : in) {
    MV_FLOAT_SWITCH(b.dtype, attrs.op->name, T, {
      const T* p = b.ptr<T>();
      for (int64_t i = 0; i < b.size() && finite; ++i) finite = std::isfinite(static_cast<double>(p[i]));
    });
  }
  if (!finite) fill_blob(out, 0.0);
  else if (attrs.get_bool("init_output")) fill_blob(out, 1.0);
}

OpSample plain_sample(std::vector<Shape> shapes, KeyValues params) {
  OpSample s = op_sample(std::move(shapes), std::move(params));
  s.grad_check = false;
  return s;
}

}  // namespace

MV_REGISTER_OP(multi_sum_sq)
    .describe("Computes the sum of squares of each of num_arrays arrays: output[i] = sum(array_i ** 2), a float32 "
              "array of shape (num_arrays,). The arrays share one floating dtype.\n\n"
              "Example::\n\n  multi_sum_sq([1, 2], [3], num_arrays=2) = [5, 9]")
    .set_variadic("num_arrays", 1, 0)
    .set_list_inputs(array_inputs("num_arrays"))
    .required_param("num_arrays", ParamType::kInt, "number of input arrays.")
    .bounds(1, 1e6)
    .set_infer_shape([](const Attrs&, std::vector<Shape>* in, std::vector<Shape>* out) {
      (*out)[0] = Shape{static_cast<int64_t>(in->size())};
    })
    .set_infer_type(uniform_float_inputs_float32_outputs())
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      std::vector<double> sums(in.size(), 0.0);
      for (size_t k = 0; k < in.size(); ++k) {
        MV_FLOAT_SWITCH(in[k].dtype, attrs.op->name, T, {
          const T* p = in[k].ptr<T>();
          double s = 0;
          for (int64_t i = 0; i < in[k].size(); ++i) s += static_cast<double>(p[i]) * static_cast<double>(p[i]);
          sums[k] = s;
        });
      }
      store_doubles(sums, out[0]);
    })
    .set_non_differentiable()
    .add_sample(plain_sample({{3, 4}, {5}}, {{"num_arrays", "2"}}));

MV_REGISTER_OP(multi_all_finite)
    .describe("Checks whether every element of num_arrays arrays is finite: a float32 array of shape (1,) holding 1 "
              "if so and 0 otherwise. With init_output=False the output is only written (with 0) when a non-finite "
              "element is found, so calls with out= can accumulate.\n\n"
              "Example::\n\n  multi_all_finite([1, 2], [inf], num_arrays=2) = [0]")
    .set_variadic("num_arrays", 1, 0)
    .set_list_inputs(array_inputs("num_arrays"))
    .param("num_arrays", ParamType::kInt, "1", "Number of arrays.")
    .bounds(1, 1e6)
    .param("init_output", ParamType::kBool, "True", "Initialize output to 1.")
    .set_infer_shape([](const Attrs&, std::vector<Shape>*, std::vector<Shape>* out) { (*out)[0] = Shape{1}; })
    .set_infer_type([](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
      for (int t : *in)
        MV_CHECK(t < 0 || is_float_dtype(t), kType) << "Operator " << attrs.op->name
                                              << " supports floating point inputs only, got "
                                              << dtype_name(static_cast<DType>(t));
      (*out)[0] = static_cast<int>(DType::kFloat32);
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      all_finite_forward(attrs, in, out[0]);
    })
    .set_non_differentiable()
    .add_sample(plain_sample({{3, 4}, {5}}, {{"num_arrays", "2"}}));

MV_REGISTER_OP(all_finite)
    .describe("Checks whether every element of data is finite: a float32 array of shape (1,) holding 1 if so and 0 "
              "otherwise. With init_output=False the output is only written (with 0) when a non-finite element is "
              "found.\n\nExample::\n\n  all_finite([1, nan]) = [0]")
    .input("data", "Array")
    .param("init_output", ParamType::kBool, "True", "Initialize output to 1.")
    .set_infer_shape([](const Attrs&, std::vector<Shape>*, std::vector<Shape>* out) { (*out)[0] = Shape{1}; })
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) {
      MV_CHECK((*in)[0] < 0 || is_float_dtype((*in)[0]), kType)
          << "Operator all_finite supports floating point inputs only, got " << dtype_name(static_cast<DType>((*in)[0]));
      (*out)[0] = static_cast<int>(DType::kFloat32);
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      all_finite_forward(attrs, in, out[0]);
    })
    .set_non_differentiable()
    .add_sample(plain_sample({{3, 4}}, {}));

MV_REGISTER_OP(reset_arrays)
    .describe("Sets every element of num_arrays arrays to zero, in place. It has no outputs.\n\n"
              "Example::\n\n  reset_arrays(a, b, num_arrays=2)  # a and b are now all zeros")
    .set_variadic("num_arrays", 1, 0)
    .set_list_inputs(array_inputs("num_arrays"))
    .required_param("num_arrays", ParamType::kInt, "number of input arrays.")
    .bounds(1, 1e6)
    .set_num_outputs(0)
    .set_infer_shape([](const Attrs&, std::vector<Shape>*, std::vector<Shape>*) {})
    .set_infer_type([](const Attrs&, std::vector<int>*, std::vector<int>*) {})
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>&) {
      for (const TBlob& b : in) fill_blob(b, 0.0);
    })
    .set_mutate_inputs(all_inputs("num_arrays"))
    .set_non_differentiable()
    .add_sample(plain_sample({{3, 4}, {5}}, {{"num_arrays", "2"}}));

MV_REGISTER_OP(multi_lars)
    .describe("Computes the LARS learning rates of several weights from their learning rates, squared weight norms, "
              "squared gradient norms and weight decays (all of shape (n,)):\n\n"
              "  w = sqrt(weights_sum_sq), g = sqrt(grads_sum_sq)\n"
              "  out = lrs * eta * w / (g * rescale_grad + wds * w + eps)   where w > 0 and g > 0\n"
              "  out = lrs                                                 elsewhere\n\n"
              "Example::\n\n  multi_lars(lrs, weights_sum_sq, grads_sum_sq, wds, eta=0.001, eps=1e-8)")
    .input("lrs", "Learning rates to scale by LARS coefficient")
    .input("weights_sum_sq", "sum of square of weights arrays")
    .input("grads_sum_sq", "sum of square of gradients arrays")
    .input("wds", "weight decays")
    .required_param("eta", ParamType::kFloat, "LARS eta")
    .required_param("eps", ParamType::kFloat, "LARS eps")
    .param("rescale_grad", ParamType::kFloat, "1", "Gradient rescaling factor")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      infer_same_shape(attrs, in, out);
      if (!(*out)[0].empty()) {
        MV_CHECK((*out)[0].size() == 1, kValue) << "Operator multi_lars: the inputs must be 1-D (one value per weight), "
                                                << "got shape " << shape_str((*out)[0]);
      }
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const double eta = attrs.get_float("eta"), eps = attrs.get_float("eps"), rescale = attrs.get_float("rescale_grad");
      std::vector<double> lrs = to_doubles(in[0]), wsq = to_doubles(in[1]), gsq = to_doubles(in[2]), wds = to_doubles(in[3]);
      std::vector<double> res(lrs.size());
      for (size_t i = 0; i < lrs.size(); ++i) {
        const double w = std::sqrt(wsq[i]), g = std::sqrt(gsq[i]);
        res[i] = (w > 0 && g > 0) ? lrs[i] * eta * w / (g * rescale + wds[i] * w + eps) : lrs[i];
      }
      store_doubles(res, out[0]);
    })
    .set_non_differentiable()
    .add_sample([] {
      OpSample s = plain_sample({{4}, {4}, {4}, {4}}, {{"eta", "0.5"}, {"eps", "0.001"}});
      s.lo = 0.0;
      return s;
    }());

}  // namespace minerva
