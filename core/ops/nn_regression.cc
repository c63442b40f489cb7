// MXNet 1.x's loss layers that end a symbolic network: the regression outputs
// (LinearRegressionOutput, LogisticRegressionOutput, MAERegressionOutput), MakeLoss with its
// normalizations, make_loss, and SVMOutput. Their forward is (almost) the identity; their
// backward ignores the incoming gradient and returns the loss's own gradient, as MXNet's does,
// so a network built for Module.fit trains the same way. Those gradients are not derivatives of
// the forward output, so the registry's numeric check cannot see them: the golden cases in
// tools/golden/op_cases/nn_extra.py and tests/cpp/test_ops_nn_extra.cc check them against MXNet.
#include <algorithm>
#include <cmath>

#include "core/ops/nn_extra_util.h"

namespace minerva {
namespace {

// ---- the regression outputs ----------------------------------------------------------------------

// One row per regression variant: its forward transform and its gradient given out - label.
// MXNet's mae sign is 1 for a positive difference and -1 otherwise (also at 0).
struct RegressionVariant {
  const char* op;
  const char* backward_op;
  double (*forward)(double);
  double (*gradient)(double diff);
};
const RegressionVariant kRegressionVariants[] = {
    {"LinearRegressionOutput", "_backward_linear_reg_out", [](double x) { return x; }, [](double d) { return d; }},
    {"LogisticRegressionOutput", "_backward_logistic_reg_out", [](double x) { return 1.0 / (1.0 + std::exp(-x)); },
     [](double d) { return d; }},
    {"MAERegressionOutput", "_backward_mae_reg_out", [](double x) { return x; },
     [](double d) { return d > 0 ? 1.0 : -1.0; }},
};

const RegressionVariant& regression_variant(const Attrs& attrs) {
  for (const auto& v : kRegressionVariants)
    if (attrs.op->name == v.op || attrs.op->name == v.backward_op) return v;
  MV_THROW(kInternal) << "Operator " << attrs.op->name << " has no regression variant";
}

// The label may be any shape with data's batch size and element count; left unknown, it is
// data's shape, or (batch,) when data is (batch, 1).
void regression_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  Shape& label = (*in)[1];
  if (label.empty()) {
    label = d.size() == 2 && d[1] == 1 ? Shape{d[0]} : d;
  } else if (label[0] != d[0] || shape_size(label) != shape_size(d)) {
    MV_THROW(kValue) << "Operator " << attrs.op->name << ": input 'label' of shape " << shape_str(label)
                     << " does not fit data of shape " << shape_str(d)
                     << ": expected the same first dimension and element count";
  }
  (*out)[0] = d;
}

void regression_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  double (*f)(double) = regression_variant(attrs).forward;
  MV_FLOAT_SWITCH(in[0].dtype, attrs.op->name, T, {
    const T* x = in[0].ptr<T>();
    T* y = out[0].ptr<T>();
    parallel_for(in[0].size(), [&](int64_t i) { y[i] = T(f(static_cast<double>(x[i]))); });
  });
}

// Inputs (label, out): the data gradient is grad(out - label) * grad_scale / (elements per
// sample); the head gradient is not an input.
void regression_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &label = (*in)[0], &y = (*in)[1];
  if (y.empty()) return;
  if (!label.empty() && (label[0] != y[0] || shape_size(label) != shape_size(y)))
    MV_THROW(kValue) << "Operator " << attrs.op->name << ": label of shape " << shape_str(label)
                     << " does not fit the forward output of shape " << shape_str(y);
  (*out)[0] = y;
}

void regression_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  std::vector<double> label = blob_doubles(in[0]), y = blob_doubles(in[1]);
  const int64_t batch = in[0].shape.empty() ? 1 : in[0].shape[0];
  if (batch == 0) return;  // no elements
  const double scale = attrs.get_float("grad_scale") / static_cast<double>(in[0].size() / batch);
  double (*grad)(double) = regression_variant(attrs).gradient;
  for (size_t i = 0; i < y.size(); ++i) y[i] = grad(y[i] - label[i]) * scale;
  store_doubles(y, out[0]);
}

GradientFn regression_gradient(const char* backward_op) {
  return [backward_op](const GradContext& g) {
    return std::vector<Tensor>{op(backward_op, {g.input(1), g.output()}, g.forward_params()), Tensor{}};
  };
}

OpSample loss_sample(std::vector<Shape> shapes, KeyValues params = {}) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  s.no_grad_inputs = {1};
  s.grad_check = false;  // the gradient is the loss's, not the forward's derivative (see the top)
  return s;
}

#define MV_REGRESSION_PARAMS \
  param("grad_scale", ParamType::kFloat, "1", "Scale the gradient by a float factor")

// ---- MakeLoss ------------------------------------------------------------------------------------

// Rows as MXNet's FlatTo2D sees them: every dimension but the last.
int64_t leading_rows(const Shape& s) { return s.empty() ? 1 : dims_product(s, 0, s.size() - 1); }

// The gradient grad_scale / normalizer, where 'batch' divides by the rows and 'valid' by the
// number of elements above valid_thresh (at least 1).
void make_loss_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  const std::string& norm = attrs.get_str("normalization");
  double denom = 1;
  if (norm == "batch") {
    denom = static_cast<double>(std::max<int64_t>(leading_rows(in[0].shape), 1));
  } else if (norm == "valid") {
    const double thresh = attrs.get_float("valid_thresh");
    int64_t valid = 0;
    for (double v : blob_doubles(in[0])) valid += v > thresh;
    denom = static_cast<double>(std::max<int64_t>(valid, 1));
  } else if (norm != "null") {
    MV_THROW(kValue) << "Operator " << attrs.op->name << ": unknown normalization '" << norm << "'";
  }
  fill_blob(out[0], attrs.get_float("grad_scale") / denom);
}

#define MV_MAKE_LOSS_PARAMS                                                                                     \
  param("grad_scale", ParamType::kFloat, "1", "Gradient scale as a supplement to unary and binary operators")  \
      .param("valid_thresh", ParamType::kFloat, "0",                                                          \
             "clip each element in the array to 0 when it is less than ``valid_thresh``. This is used when "  \
             "``normalization`` is set to ``'valid'``.")                                                      \
      .enum_param("normalization", {"batch", "null", "valid"}, "null",                                        \
                  "If this is set to null, the output gradient will not be normalized. If this is set to "    \
                  "batch, the output gradient will be divided by the batch size. If this is set to valid, "   \
                  "the output gradient will be divided by the number of valid input elements.")

void copy_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  cast_copy(in[0], out[0]);
}

// ---- SVMOutput -----------------------------------------------------------------------------------

void svm_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  MV_CHECK(d.size() >= 2, kValue) << "Operator SVMOutput: data must have at least 2 dimensions (batch, classes), "
                                  << "got shape " << shape_str(d);
  const Shape label(d.begin(), d.end() - 1);
  if ((*in)[1].empty()) (*in)[1] = label;
  if ((*in)[1] != label) shape_mismatch(attrs, "input 'label' (data's shape without the last axis)", label, (*in)[1]);
  (*out)[0] = d;
}

// Inputs (label, out). Row r of the flattened output with class k = int(label[r]): the hinge
// gradient of margin - out[r][k] for the true class and of margin + out[r][c] for the others,
// squared (L2-SVM) unless use_linear, scaled by regularization_coefficient. A label outside
// [0, classes) matches no class.
void svm_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& y = (*in)[1];
  if (y.empty()) return;
  MV_CHECK(y.size() >= 2, kValue) << "Operator " << attrs.op->name << ": the forward output must have at least "
                                  << "2 dimensions, got shape " << shape_str(y);
  const Shape& label = (*in)[0];
  if (!label.empty() && shape_size(label) != leading_rows(y))
    MV_THROW(kValue) << "Operator " << attrs.op->name << ": label of shape " << shape_str(label)
                     << " does not fit the forward output of shape " << shape_str(y);
  (*out)[0] = y;
}

void svm_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  std::vector<double> label = blob_doubles(in[0]), y = blob_doubles(in[1]), g(y.size());
  const int64_t classes = in[1].shape.back(), rows = leading_rows(in[1].shape);
  const double margin = attrs.get_float("margin"), reg = attrs.get_float("regularization_coefficient");
  const bool linear = attrs.get_bool("use_linear");
  for (int64_t r = 0; r < rows; ++r) {
    const double lab = label[static_cast<size_t>(r)];
    // Truncated like MXNet's cast; the range test first keeps the cast defined.
    const int64_t k = lab > -1 && lab < static_cast<double>(classes) ? static_cast<int64_t>(lab) : -1;
    for (int64_t c = 0; c < classes; ++c) {
      const size_t j = static_cast<size_t>(r * classes + c);
      if (c == k) {
        const bool inside = margin > y[j];
        g[j] = linear ? -(inside ? reg : 0.0) : (inside ? -2.0 * (margin - y[j]) * reg : 0.0);
      } else {
        const bool inside = margin > -y[j];
        g[j] = linear ? (inside ? reg : 0.0) : (inside ? 2.0 * (margin + y[j]) * reg : 0.0);
      }
    }
  }
  store_doubles(g, out[0]);
}

#define MV_SVM_PARAMS                                                                                        \
  param("margin", ParamType::kFloat, "1",                                                                    \
        "The loss function penalizes outputs that lie outside this margin. Default margin is 1.")           \
      .param("regularization_coefficient", ParamType::kFloat, "1",                                           \
             "Regularization parameter for the SVM. This balances the tradeoff between coefficient size "   \
             "and error.")                                                                                  \
      .param("use_linear", ParamType::kBool, "False",                                                       \
             "Whether to use L1-SVM objective. L2-SVM objective is used by default.")

}  // namespace

MV_REGISTER_OP(LinearRegressionOutput)
    .describe(
        "Computes and optimizes for squared loss during backward propagation.\n"
        "Just outputs ``data`` during forward propagation.\n\n"
        "If :math:`\\hat{y}_i` is the predicted value of the i-th sample, and :math:`y_i` is the corresponding "
        "target value, then the squared loss estimated over :math:`n` samples is defined as\n\n"
        "  SquaredLoss(y, y_hat) = 1/n * sum_i ||y_i - y_hat_i||^2 / 2\n\n"
        "The backward pass ignores the incoming gradient and returns (data - label) * grad_scale / m, "
        "where m is the number of elements per sample. The label may have any shape with data's first "
        "dimension and element count; the label gets no gradient.\n\n"
        "Example::\n\n"
        "  data = [[1, 2], [3, 4]], label = [[1, 1], [1, 1]]\n"
        "  LinearRegressionOutput(data, label) = [[1, 2], [3, 4]]\n"
        "  gradient w.r.t. data                = [[0, 0.5], [1, 1.5]]")
    .input("data", "Input data to the function.")
    .input("label", "Input label to the function.")
    .MV_REGRESSION_PARAMS
    .set_infer_shape(regression_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(regression_forward)
    .set_gradient(regression_gradient("_backward_linear_reg_out"))
    .add_sample(loss_sample({{3, 4}, {3, 4}}))
    .add_sample(loss_sample({{3, 1}, {3}}, {{"grad_scale", "2"}}));

MV_REGISTER_OP(LogisticRegressionOutput)
    .describe(
        "Applies a logistic function to the input.\n\n"
        "The logistic function, also known as the sigmoid function, is computed as "
        "1 / (1 + exp(-x)). It is commonly used to predict probabilities in binary classification.\n\n"
        "The backward pass ignores the incoming gradient and returns (sigmoid(data) - label) * grad_scale / m, "
        "the gradient of the log loss, where m is the number of elements per sample. The label may have any "
        "shape with data's first dimension and element count; the label gets no gradient.\n\n"
        "Example::\n\n"
        "  data = [[0, 2]], label = [[1, 0]]\n"
        "  LogisticRegressionOutput(data, label) = [[0.5, 0.8808]]\n"
        "  gradient w.r.t. data                  = [[-0.25, 0.4404]]")
    .input("data", "Input data to the function.")
    .input("label", "Input label to the function.")
    .MV_REGRESSION_PARAMS
    .set_infer_shape(regression_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(regression_forward)
    .set_gradient(regression_gradient("_backward_logistic_reg_out"))
    .add_sample(loss_sample({{3, 4}, {3, 4}}));

MV_REGISTER_OP(MAERegressionOutput)
    .describe(
        "Computes mean absolute error of the input.\n"
        "Just outputs ``data`` during forward propagation.\n\n"
        "  MAE(y, y_hat) = 1/n * sum_i |y_i - y_hat_i|\n\n"
        "The backward pass ignores the incoming gradient and returns sign(data - label) * grad_scale / m, "
        "where m is the number of elements per sample and the sign is -1 where data equals label (as in MXNet). "
        "The label may have any shape with data's first dimension and element count; the label gets no "
        "gradient.\n\n"
        "Example::\n\n"
        "  data = [[1, 2], [3, 4]], label = [[2, 1], [3, 0]]\n"
        "  MAERegressionOutput(data, label) = [[1, 2], [3, 4]]\n"
        "  gradient w.r.t. data             = [[-0.5, 0.5], [-0.5, 0.5]]")
    .input("data", "Input data to the function.")
    .input("label", "Input label to the function.")
    .MV_REGRESSION_PARAMS
    .set_infer_shape(regression_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(regression_forward)
    .set_gradient(regression_gradient("_backward_mae_reg_out"))
    .add_sample(loss_sample({{2, 3, 2}, {2, 6}}));

#define MV_REGRESSION_BACKWARD(NAME, WHAT)                                                     \
  MV_REGISTER_OP(NAME)                                                                         \
      .describe("Gradient of " WHAT ": ignores the head gradient (see the forward operator).") \
      .input("label", "the labels")                                                           \
      .input("out", "the forward output")                                                     \
      .params_from(WHAT)                                                                       \
      .set_infer_shape(regression_backward_shape)                                              \
      .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) { (*out)[0] = (*in)[1]; }) \
      .set_forward(regression_backward)                                                        \
      .set_non_differentiable()
MV_REGRESSION_BACKWARD(_backward_linear_reg_out, "LinearRegressionOutput");
MV_REGRESSION_BACKWARD(_backward_logistic_reg_out, "LogisticRegressionOutput");
MV_REGRESSION_BACKWARD(_backward_mae_reg_out, "MAERegressionOutput");

MV_REGISTER_OP(MakeLoss)
    .describe(
        "Make your own loss function in network construction.\n\n"
        "The output is the input; the backward pass ignores the incoming gradient and starts "
        "back-propagation from this node with grad_scale / normalizer, so any differentiable expression "
        "becomes a terminal loss. ``normalization``: 'null' leaves the gradient at grad_scale, 'batch' "
        "divides it by the batch size (every dimension but the last), 'valid' by the number of input "
        "elements greater than ``valid_thresh`` (at least 1).\n\n"
        "Example::\n\n"
        "  cross_entropy = label * log(out) + (1 - label) * log(1 - out)\n"
        "  loss = MakeLoss(cross_entropy)")
    .input("data", "Input array.")
    .MV_MAKE_LOSS_PARAMS
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(copy_forward)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_MakeLoss", {g.input()}, g.forward_params())};
    })
    .add_sample(loss_sample({{2, 3}}, {{"normalization", "valid"}, {"valid_thresh", "0.1"}}))
    .add_sample(loss_sample({{2, 3, 4}}, {{"normalization", "batch"}, {"grad_scale", "3"}}));

MV_REGISTER_OP(_backward_MakeLoss)
    .describe("Gradient of MakeLoss: grad_scale / normalizer everywhere; reads the forward input for 'valid'.")
    .input("data", "the forward input")
    .params_from("MakeLoss")
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(make_loss_backward)
    .set_non_differentiable();

MV_REGISTER_OP(make_loss)
    .describe(
        "Make your own loss function in network construction.\n\n"
        "The output, named ``loss``, is the input; the backward pass ignores the incoming gradient and "
        "returns ones, so any expression becomes a terminal loss.\n\n"
        "Example::\n\n"
        "  cross_entropy = label * log(out) + (1 - label) * log(1 - out)\n"
        "  loss = make_loss(cross_entropy)")
    .input("data", "The input array.")
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"loss"}; })
    .set_infer_shape(infer_same_shape)
    .set_forward(copy_forward)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{op("ones_like", {g.input()})}; })
    .add_sample(loss_sample({{2, 3}}));

MV_REGISTER_OP(SVMOutput)
    .describe(
        "Computes support vector machine based transformation of the input.\n\n"
        "The forward output is the input. The backward pass ignores the incoming gradient and returns "
        "the gradient of the one-vs-rest hinge loss for rows of classes (the last axis) and one label "
        "per row: with k the row's class, -d/dx of max(0, margin - x_k)^2 (or of max(0, margin - x_k) "
        "with use_linear) for the true class and of max(0, margin + x_c)^2 for the others, times "
        "regularization_coefficient. The label has data's shape without the last axis and gets no gradient.\n\n"
        "Example::\n\n"
        "  data = [[0.5, -2, 0.3]], label = [0]\n"
        "  SVMOutput(data, label)  = [[0.5, -2, 0.3]]\n"
        "  gradient w.r.t. data    = [[-1, 0, 2.6]]")
    .input("data", "Input data for SVM transformation.")
    .input("label", "Class label for the input data.")
    .MV_SVM_PARAMS
    .set_infer_shape(svm_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(copy_forward)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_SVMOutput", {g.input(1), g.output()}, g.forward_params()), Tensor{}};
    })
    .add_sample([] {
      OpSample s = loss_sample({{3, 4}, {3}});
      s.index_inputs = {1};
      s.index_high = 4;
      return s;
    }())
    .add_sample([] {
      OpSample s = loss_sample({{2, 2, 3}, {2, 2}}, {{"use_linear", "True"}, {"margin", "0.5"}});
      s.index_inputs = {1};
      s.index_high = 3;
      return s;
    }());

MV_REGISTER_OP(_backward_SVMOutput)
    .describe("Gradient of SVMOutput: the hinge loss's, ignoring the head gradient.")
    .input("label", "the labels")
    .input("out", "the forward output")
    .params_from("SVMOutput")
    .set_infer_shape(svm_backward_shape)
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) { (*out)[0] = (*in)[1]; })
    .set_forward(svm_backward)
    .set_non_differentiable();

}  // namespace minerva
