// Softmax family of MXNet 1.x: softmax, log_softmax, softmin, the legacy SoftmaxActivation, the
// legacy loss layer SoftmaxOutput (alias Softmax) and softmax_cross_entropy. softmax, log_softmax,
// softmin and SoftmaxActivation differentiate as graph code; the two loss layers have MXNet's
// fused gradients (softmax - one_hot), computed by internal backward kernels.
#include <algorithm>
#include <cmath>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/backward_shape.h"
#include "core/ops/layout_util.h"

namespace minerva {
namespace {

// Any array's values as doubles (labels, lengths and parameters come in every dtype).
std::vector<double> as_doubles(const TBlob& b) {
  std::vector<double> v(static_cast<size_t>(b.size()));
  cast_copy(b, TBlob{v.data(), b.shape, DType::kFloat64});
  return v;
}

void check_float_input(const Attrs& attrs, int dtype) {
  MV_CHECK(dtype < 0 || dtype_is_float(static_cast<DType>(dtype)), kType)
      << "Operator " << attrs.op->name << " supports float16/float32/float64 inputs, got "
      << dtype_name(static_cast<DType>(dtype));
}

// ---- softmax and log_softmax -----------------------------------------------------------------

bool use_length(const Attrs& a) { return !a.is_none("use_length") && a.get_bool("use_length"); }
// softmin(x / t) is softmax(x / -t): softmin and its backward run the softmax code with the
// temperature negated, forward and gradient alike.
bool is_softmin(const Attrs& a) { return a.op->name == "softmin" || a.op->name == "_backward_softmin"; }
double temperature(const Attrs& a) {
  const double t = a.is_none("temperature") ? 1.0 : a.get_float("temperature");
  return is_softmin(a) ? -t : t;
}

void softmax_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  MV_CHECK(in->size() == 2 || !use_length(attrs), kUnsupported)
      << "Operator " << attrs.op->name << ": use_length=True is not supported (MXNet 1.x has no length input for it)";
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  int axis = normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(d.size()));
  if (use_length(attrs)) {
    Shape len = d;
    len.erase(len.begin() + axis);
    if (len.empty()) len = {1};
    if ((*in)[1].empty()) (*in)[1] = len;
    if ((*in)[1] != len) shape_mismatch(attrs, "input 'length' (data's shape without the softmax axis)", len, (*in)[1]);
  }
  (*out)[0] = d;
}

void softmax_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  check_float_input(attrs, (*in)[0]);
  // MXNet insists on integer lengths; any dtype is read here (truncated), which also lets the
  // registry's float64 samples drive it.
  if (in->size() == 2 && (*in)[1] < 0) (*in)[1] = static_cast<int>(DType::kInt32);
  if (!attrs.is_none("dtype")) (*out)[0] = static_cast<int>(dtype_from_name(attrs.get_str("dtype")));
  else if ((*in)[0] >= 0) (*out)[0] = (*in)[0];
  else if ((*out)[0] >= 0) (*in)[0] = (*out)[0];
}

// out = softmax(x / t) (or its log) along the axis; with lengths, only the first length[row]
// elements of each row take part and the rest of the row is 0.
template <typename T>
void softmax_rows(const T* x, T* y, const AxisSplit& l, double t, bool log, const std::vector<double>* lengths) {
  parallel_for(
      l.outer * l.inner,
      [&](int64_t r) {
        const int64_t o = r / l.inner, i = r % l.inner, base = o * l.size * l.inner + i;
        int64_t len = l.size;
        if (lengths) len = std::clamp<int64_t>(static_cast<int64_t>((*lengths)[static_cast<size_t>(r)]), 0, l.size);
        double mx = -INFINITY;
        for (int64_t k = 0; k < len; ++k) mx = std::max(mx, static_cast<double>(x[base + k * l.inner]) / t);
        double sum = 0;
        for (int64_t k = 0; k < len; ++k) sum += std::exp(static_cast<double>(x[base + k * l.inner]) / t - mx);
        const double log_sum = std::log(sum);
        for (int64_t k = 0; k < l.size; ++k) {
          double z = static_cast<double>(x[base + k * l.inner]) / t - mx;
          double v = k >= len ? 0.0 : log ? z - log_sum : std::exp(z) / sum;
          y[base + k * l.inner] = T(v);
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, l.size)));
}

void softmax_compute(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out, bool log) {
  const TBlob& y = out[0];
  AxisSplit l = split_at_axis(y.shape, normalize_axis(attrs, attrs.get_int("axis"), y.ndim()));
  std::vector<double> lengths;
  if (in.size() == 2) lengths = as_doubles(in[1]);
  // A dtype parameter different from the input's: convert the input first, then compute in
  // the output's type (one kernel instance per type, STYLE 13).
  TBlob x = in[0];
  std::vector<char> converted;
  if (x.dtype != y.dtype) {
    converted.resize(static_cast<size_t>(x.size()) * dtype_size(y.dtype));
    TBlob c{converted.data(), x.shape, y.dtype};
    cast_copy(x, c);
    x = c;
  }
  MV_FLOAT_SWITCH(y.dtype, attrs.op->name, T, {
    softmax_rows<T>(x.ptr<T>(), y.ptr<T>(), l, temperature(attrs), log, lengths.empty() ? nullptr : &lengths);
  });
}

std::string axis_str(const GradContext& g) { return std::to_string(g.attrs->get_int("axis")); }

// d softmax: y * (g - sum(g*y, axis)) / t.
std::vector<Tensor> softmax_gradient(const GradContext& g) {
  const double t = temperature(*g.attrs);
  std::vector<Tensor> grads(g.inputs.size());  // length (if any) gets no gradient
  if (!g.attrs->is_none("dtype")) {
    // The output has another dtype than the input: the fused kernel writes the input's.
    const char* backward = is_softmin(*g.attrs) ? "_backward_softmin" : "_backward_softmax";
    grads[0] = op(backward, {g.ograd(), g.output(), g.input()}, g.forward_params());
    return grads;
  }
  Tensor y = g.output(), og = g.ograd();
  Tensor s = op("sum", {og * y}, {{"axis", axis_str(g)}, {"keepdims", "True"}});
  Tensor gx = y * op("broadcast_sub", {og, s});
  grads[0] = t == 1.0 ? gx : gx * (1.0 / t);
  return grads;
}

// d log_softmax: (g - exp(y) * sum(g, axis)) / t.
std::vector<Tensor> log_softmax_gradient(const GradContext& g) {
  const double t = temperature(*g.attrs);
  if (!g.attrs->is_none("dtype"))
    return {op("_backward_log_softmax", {g.ograd(), g.output(), g.input()}, g.forward_params())};
  Tensor y = g.output(), og = g.ograd();
  Tensor s = op("sum", {og}, {{"axis", axis_str(g)}, {"keepdims", "True"}});
  Tensor gx = og - op("broadcast_mul", {op("exp", {y}), s});
  return {t == 1.0 ? gx : gx * (1.0 / t)};
}

// The fused backward used when the dtype parameter changes the output type; the same
// formulas as the graph code above, evaluated in double and written in the input's dtype.
void softmax_backward(const Attrs& attrs, const std::vector<TBlob>& in, const TBlob& gx, bool log) {
  std::vector<double> og = as_doubles(in[0]), y = as_doubles(in[1]), r(og.size());
  AxisSplit l = split_at_axis(gx.shape, normalize_axis(attrs, attrs.get_int("axis"), gx.ndim()));
  const double t = temperature(attrs);
  for (int64_t row = 0; row < l.outer * l.inner; ++row) {
    const int64_t base = (row / l.inner) * l.size * l.inner + row % l.inner;
    double s = 0;
    for (int64_t k = 0; k < l.size; ++k) {
      size_t j = static_cast<size_t>(base + k * l.inner);
      s += log ? og[j] : og[j] * y[j];
    }
    for (int64_t k = 0; k < l.size; ++k) {
      size_t j = static_cast<size_t>(base + k * l.inner);
      r[j] = (log ? og[j] - std::exp(y[j]) * s : y[j] * (og[j] - s)) / t;
    }
  }
  cast_copy(TBlob{r.data(), gx.shape, DType::kFloat64}, gx);
}

// The parameters softmax and log_softmax share (their backward operators take them with
// params_from).
#define MV_SOFTMAX_PARAMS                                                                                    \
  param("axis", ParamType::kInt, "-1", "The axis along which to compute softmax.")                           \
      .kind(ParamKind::kAxis)                                                                                \
      .param("temperature", ParamType::kFloat, "None", "Temperature parameter in softmax")                   \
      .enum_param("dtype", {"float16", "float32", "float64"}, "None",                                        \
                  "DType of the output in case this can't be inferred. Defaults to the same as input's "      \
                  "dtype if not defined (dtype=None).")                                                      \
      .param("use_length", ParamType::kBool, "False", "Whether to use the length input as a mask over the "  \
             "data input.")                                                                                  \
      .allow_none()

// Inputs (ograd, out, data) share one shape; checked because symbol JSON can call these
// operators directly and the kernel reads all three as data's size.
void softmax_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[2];
  if (d.empty()) return;
  for (size_t i : {0, 1}) {
    const Shape& s = (*in)[i];
    if (!s.empty() && s != d) shape_mismatch(attrs, i == 0 ? "input 'ograd'" : "input 'out'", d, s);
  }
  (*out)[0] = d;
}
void softmax_backward_type(const Attrs&, std::vector<int>* in, std::vector<int>* out) { (*out)[0] = (*in)[2]; }

// ---- SoftmaxOutput -----------------------------------------------------------------------------

// How SoftmaxOutput sees its data: `rows` softmax rows of k classes. multi_output keeps the
// classes on axis 1 with `spatial` positions per sample (stride spatial); otherwise the rows
// are contiguous (preserve_shape: the last axis; default: everything after axis 0).
struct SoftmaxOutputLayout {
  bool multi = false;
  int64_t rows = 1, k = 1, spatial = 1;
};
SoftmaxOutputLayout softmax_output_layout(const Attrs& attrs, const Shape& d) {
  SoftmaxOutputLayout l;
  const int64_t size = shape_size(d);
  if (attrs.get_bool("multi_output")) {
    l.multi = true;
    l.rows = d[0];
    l.k = d.size() > 1 ? d[1] : 1;
    l.spatial = l.rows * l.k == 0 ? 0 : size / (l.rows * l.k);
  } else if (attrs.get_bool("preserve_shape")) {
    l.k = d.back();
    l.rows = l.k == 0 ? 0 : size / l.k;
  } else {
    l.rows = d[0];
    l.k = l.rows == 0 ? 0 : size / l.rows;
  }
  return l;
}

void softmax_output_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  MV_CHECK(d.size() >= 2, kValue) << "Operator " << attrs.op->name << ": data must have at least 2 dimensions "
                                  << "(batch, classes...), got shape " << shape_str(d);
  Shape label;
  if (attrs.get_bool("multi_output")) {
    int64_t spatial = 1;
    for (size_t i = 2; i < d.size(); ++i) spatial *= d[i];
    label = {d[0], spatial};
    // A label keeping the spatial axes, (N, d2, d3...), is accepted too.
    const Shape& given = (*in)[1];
    if (!given.empty() && given.size() == d.size() - 1 && given[0] == d[0] && shape_size(given) == d[0] * spatial)
      label = given;
  } else {
    label.assign(d.begin(), d.end() - 1);
  }
  if ((*in)[1].empty()) (*in)[1] = label;
  if ((*in)[1] != label) shape_mismatch(attrs, "input 'label'", label, (*in)[1]);
  (*out)[0] = d;
}

void softmax_output_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  check_float_input(attrs, (*in)[0]);
  if ((*in)[1] < 0) (*in)[1] = (*in)[0];  // labels may have any dtype; default to the data's
  (*out)[0] = (*in)[0];
}

void softmax_output_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                            const std::vector<TBlob>& out) {
  SoftmaxOutputLayout sl = softmax_output_layout(attrs, in[0].shape);
  AxisSplit l{sl.rows, sl.k, sl.multi ? sl.spatial : 1};
  MV_FLOAT_SWITCH(in[0].dtype, "SoftmaxOutput",
                  T, { softmax_rows<T>(in[0].ptr<T>(), out[0].ptr<T>(), l, 1.0, false, nullptr); });
}

// MXNet's fused gradient: (softmax - one_hot(label)) * grad_scale / normalizer, with ignored
// labels giving zero rows, optional label smoothing, and the incoming gradient used only
// when out_grad is set (a loss layer is a head: its gradient is the loss's).
void softmax_output_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                             const std::vector<TBlob>& out) {
  const TBlob &ograd = in[0], &y = in[1], &gx = out[0];
  SoftmaxOutputLayout l = softmax_output_layout(attrs, y.shape);
  std::vector<double> label = as_doubles(in[2]), p = as_doubles(y), og;
  if (attrs.get_bool("out_grad")) og = as_doubles(ograd);
  const bool use_ignore = attrs.get_bool("use_ignore");
  const int64_t ignore = static_cast<int64_t>(attrs.get_float("ignore_label"));
  const double alpha = l.multi ? 0.0 : attrs.get_float("smooth_alpha");  // MXNet smooths 2-D rows only
  auto ignored = [&](double lab) { return use_ignore && static_cast<int64_t>(lab) == ignore; };

  const std::string& norm = attrs.get_str("normalization");
  double denom = 1;
  if (norm == "batch") {
    denom = l.multi ? static_cast<double>(l.rows) : static_cast<double>(label.size());
  } else if (norm == "valid") {
    int64_t valid = 0;
    for (double lab : label) valid += !ignored(lab);
    denom = static_cast<double>(std::max<int64_t>(valid, 1));
  }
  // multi_output also averages over the spatial positions, except under 'valid'.
  if (l.multi && norm != "valid") denom *= static_cast<double>(std::max<int64_t>(l.spatial, 1));
  const double scale = attrs.get_float("grad_scale") / denom;

  std::vector<double> r(p.size());
  for (int64_t row = 0; row < l.rows; ++row) {
    for (int64_t s = 0; s < l.spatial; ++s) {
      const double lab = label[static_cast<size_t>(l.multi ? row * l.spatial + s : row)];
      const int64_t cls = static_cast<int64_t>(lab);
      for (int64_t c = 0; c < l.k; ++c) {
        size_t j = static_cast<size_t>((row * l.k + c) * l.spatial + s);
        double target = c == cls ? 1.0 - alpha : (l.k > 1 ? alpha / static_cast<double>(l.k - 1) : 0.0);
        double v = ignored(lab) ? 0.0 : (p[j] - target) * scale;
        r[j] = og.empty() ? v : v * og[j];
      }
    }
  }
  cast_copy(TBlob{r.data(), gx.shape, DType::kFloat64}, gx);
}

// ---- softmax_cross_entropy --------------------------------------------------------------------

void softmax_ce_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  MV_CHECK(d.size() == 2, kValue) << "Operator " << attrs.op->name << ": data must be 2-D (batch, classes), got shape "
                                  << shape_str(d);
  if ((*in)[1].empty()) (*in)[1] = {d[0]};
  if ((*in)[1] != Shape{d[0]}) shape_mismatch(attrs, "input 'label'", {d[0]}, (*in)[1]);
  (*out)[0] = {1};
}

// _backward_softmax_cross_entropy (ograd, data, label): data and label as the forward checks
// them, ograd the forward's (1,) loss.
void softmax_ce_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[1].empty()) return;
  std::vector<Shape> fin{(*in)[1], (*in)[2]}, fout(1);
  softmax_ce_shape(attrs, &fin, &fout);
  expect_input_shape(attrs, in, 0, fout[0]);
  expect_input_shape(attrs, in, 2, fin[1]);
  (*out)[0] = (*in)[1];
}

// Row r's class, truncated like a C cast and clipped into [0, k) (out-of-range labels read
// past the row in MXNet; clipping keeps the result defined).
int64_t class_of(double label, int64_t k) { return std::clamp<int64_t>(static_cast<int64_t>(label), 0, k - 1); }

void softmax_ce_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  std::vector<double> x = as_doubles(in[0]), label = as_doubles(in[1]);
  const int64_t n = in[0].shape[0], k = in[0].shape[1];
  double loss = 0;
  for (int64_t r = 0; r < n; ++r) {
    const double* row = x.data() + r * k;
    double mx = *std::max_element(row, row + k), sum = 0;
    for (int64_t c = 0; c < k; ++c) sum += std::exp(row[c] - mx);
    loss -= row[class_of(label[static_cast<size_t>(r)], k)] - mx - std::log(sum);
  }
  fill_blob(out[0], loss);
}

void softmax_ce_backward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const double og = as_doubles(in[0])[0];
  std::vector<double> x = as_doubles(in[1]), label = as_doubles(in[2]);
  const int64_t n = in[1].shape[0], k = in[1].shape[1];
  for (int64_t r = 0; r < n; ++r) {
    double* row = x.data() + r * k;
    double mx = *std::max_element(row, row + k), sum = 0;
    for (int64_t c = 0; c < k; ++c) sum += std::exp(row[c] - mx);
    const int64_t cls = class_of(label[static_cast<size_t>(r)], k);
    for (int64_t c = 0; c < k; ++c) row[c] = (std::exp(row[c] - mx) / sum - (c == cls)) * og;
  }
  cast_copy(TBlob{x.data(), out[0].shape, DType::kFloat64}, out[0]);
}

// ---- SoftmaxActivation -------------------------------------------------------------------------

// MXNet's 'instance' mode takes the softmax over the last axis (its rows are FlatTo2D's);
// 'channel' over axis 1 of an input of at least 3 dimensions.
int softmax_activation_axis(const Attrs& attrs, int ndim) {
  const std::string& mode = attrs.get_str("mode");
  if (mode == "instance") return ndim - 1;
  if (mode == "channel") {
    MV_CHECK(ndim >= 3, kValue) << "Operator SoftmaxActivation: mode='channel' needs an input of at least 3 "
                                << "dimensions (batch, channel, ...), got " << ndim;
    return 1;
  }
  MV_THROW(kValue) << "Operator SoftmaxActivation: unknown mode '" << mode << "'";
}

void softmax_activation_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  softmax_activation_axis(attrs, static_cast<int>(d.size()));  // validates the mode against the rank
  (*out)[0] = d;
}

void softmax_activation_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                                const std::vector<TBlob>& out) {
  AxisSplit l = split_at_axis(in[0].shape, softmax_activation_axis(attrs, in[0].ndim()));
  MV_FLOAT_SWITCH(in[0].dtype, attrs.op->name,
                  T, { softmax_rows<T>(in[0].ptr<T>(), out[0].ptr<T>(), l, 1.0, false, nullptr); });
}

// d softmax along the mode's axis: y * (g - sum(g*y, axis)).
std::vector<Tensor> softmax_activation_gradient(const GradContext& g) {
  const std::string axis = g.attrs->get_str("mode") == "channel" ? "1" : "-1";
  Tensor y = g.output(), og = g.ograd();
  Tensor s = op("sum", {og * y}, {{"axis", axis}, {"keepdims", "True"}});
  return {y * op("broadcast_sub", {og, s})};
}

OpSample softmax_sample(KeyValues params, Shape shape = {2, 3, 4}) {
  OpSample s;
  s.shapes = {shape};
  s.params = std::move(params);
  s.lo = -2.0;
  s.hi = 2.0;
  return s;
}

}  // namespace

MV_REGISTER_OP(softmax)
    .describe(
        "Applies the softmax function.\n\n"
        "The resulting array contains elements in the range (0,1) and the elements along the given axis sum "
        "up to 1.\n\n"
        "  softmax(z/t)_j = exp(z_j/t) / sum_k exp(z_k/t)\n\n"
        "t is the temperature parameter in softmax function. By default, t equals 1.0.\n"
        "With use_length=True a second input `length` (integers, data's shape without `axis`) limits each "
        "row to its first length elements; the rest of the row is 0.\n\n"
        "Example::\n\n"
        "  x = [[ 1.  1.  1.]\n"
        "       [ 1.  1.  1.]]\n"
        "  softmax(x,axis=0) = [[ 0.5  0.5  0.5]\n"
        "                       [ 0.5  0.5  0.5]]\n"
        "  softmax(x,axis=1) = [[ 0.33333334,  0.33333334,  0.33333334],\n"
        "                       [ 0.33333334,  0.33333334,  0.33333334]]")
    .input("data", "The input array.")
    .input("length", "The length array.")
    .set_list_inputs([](const Attrs& a) {
      return use_length(a) ? std::vector<std::string>{"data", "length"} : std::vector<std::string>{"data"};
    })
    .MV_SOFTMAX_PARAMS
    .set_infer_shape(softmax_shape)
    .set_infer_type(softmax_type)
    .set_forward([](const OpContext& c, const Attrs& a, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      softmax_compute(c, a, in, out, false);
    })
    .set_gradient(softmax_gradient)
    .set_method("softmax")
    .add_sample(softmax_sample({}))
    .add_sample(softmax_sample({{"axis", "1"}, {"temperature", "2.5"}}))
    .add_sample([] {
      OpSample s = softmax_sample({{"axis", "0"}, {"use_length", "True"}}, {4, 3});
      s.shapes.push_back({3});
      s.index_inputs = {1};
      s.index_high = 5;  // lengths 0..4: empty, partial and full rows
      return s;
    }())
    .add_sample(softmax_sample({{"dtype", "float64"}}, {3, 4}));

MV_REGISTER_OP(log_softmax)
    .describe(
        "Computes the log softmax of the input.\n"
        "This is equivalent to computing softmax followed by log.\n\n"
        "Examples::\n\n"
        "  >>> x = mx.nd.array([1, 2, .1])\n"
        "  >>> mx.nd.log_softmax(x).asnumpy()\n"
        "  array([-1.41702998, -0.41702995, -2.31702995], dtype=float32)\n"
        "  >>> x = mx.nd.array( [[1, 2, .1],[.1, 2, 1]] )\n"
        "  >>> mx.nd.log_softmax(x, axis=0).asnumpy()\n"
        "  array([[-0.34115392, -0.69314718, -1.24115396],\n"
        "         [-1.24115396, -0.69314718, -0.34115392]], dtype=float32)")
    .input("data", "The input array.")
    .MV_SOFTMAX_PARAMS
    .set_infer_shape(softmax_shape)
    .set_infer_type(softmax_type)
    .set_forward([](const OpContext& c, const Attrs& a, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      softmax_compute(c, a, in, out, true);
    })
    .set_gradient(log_softmax_gradient)
    .set_method("log_softmax")
    .add_sample(softmax_sample({}))
    .add_sample(softmax_sample({{"axis", "0"}, {"temperature", "0.5"}}))
    .add_sample(softmax_sample({{"dtype", "float64"}}, {3, 4}));

MV_REGISTER_OP(softmin)
    .describe(
        "Applies the softmin function.\n\n"
        "The resulting array contains elements in the range (0,1) and the elements along the given axis sum "
        "up to 1.\n\n"
        "  softmin(z/t)_j = exp(-z_j/t) / sum_k exp(-z_k/t)\n\n"
        "t is the temperature parameter in softmax function. By default, t equals 1.0. As in MXNet 1.x, "
        "softmin takes no length input: use_length must stay False.\n\n"
        "Example::\n\n"
        "  x = [[ 1.  2.  3.]\n"
        "       [ 3.  2.  1.]]\n"
        "  softmin(x,axis=0) = [[ 0.88079703,  0.5,  0.11920292],\n"
        "                       [ 0.11920292,  0.5,  0.88079703]]\n"
        "  softmin(x,axis=1) = [[ 0.66524094,  0.24472848,  0.09003057],\n"
        "                       [ 0.09003057,  0.24472848,  0.66524094]]")
    .input("data", "The input array.")
    .MV_SOFTMAX_PARAMS
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      MV_CHECK(!use_length(attrs), kValue) << "Operator softmin: use_length=True is not supported: softmin has "
                                           << "no length input (as in MXNet 1.x)";
      softmax_shape(attrs, in, out);
    })
    .set_infer_type(softmax_type)
    .set_forward([](const OpContext& c, const Attrs& a, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      softmax_compute(c, a, in, out, false);
    })
    .set_gradient(softmax_gradient)
    .set_method("softmin")
    .add_sample(softmax_sample({}))
    .add_sample(softmax_sample({{"axis", "0"}, {"temperature", "0.5"}}))
    .add_sample(softmax_sample({{"dtype", "float64"}}, {3, 4}));

MV_REGISTER_OP(_backward_softmin)
    .describe("Gradient of softmin when its dtype parameter changes the output type.")
    .input("ograd", "gradient of the output")
    .input("out", "the forward output")
    .input("data", "the forward input")
    .params_from("softmin")
    .set_infer_shape(softmax_backward_shape)
    .set_infer_type(softmax_backward_type)
    .set_forward([](const OpContext&, const Attrs& a, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      softmax_backward(a, in, out[0], false);
    })
    .set_non_differentiable();

MV_REGISTER_OP(SoftmaxActivation)
    .describe(
        "Applies softmax activation to input. This is intended for internal layers.\n\n"
        ".. note::\n\n"
        "  This operator has been deprecated, please use `softmax`.\n\n"
        "If `mode` = ``instance``, this operator computes a softmax for each row of the input: over the last "
        "axis, as MXNet 1.x does. This is the default mode.\n\n"
        "If `mode` = ``channel``, this operator computes a k-class softmax at each position of each instance, "
        "where `k` = ``num_channel`` (axis 1). This mode can only be used when the input array has at least 3 "
        "dimensions. This can be used for `fully convolutional network`, `image segmentation`, etc.\n\n"
        "Example::\n\n"
        "  >>> input_array = mx.nd.array([[3., 0.5, -0.5, 2., 7.],\n"
        "  >>>                            [2., -.4, 7.,   3., 0.2]])\n"
        "  >>> softmax_act = mx.nd.SoftmaxActivation(input_array)\n"
        "  >>> print softmax_act.asnumpy()\n"
        "  [[  1.78322066e-02   1.46375655e-03   5.38485940e-04   6.56010211e-03   9.73605454e-01]\n"
        "   [  6.56221947e-03   5.95310994e-04   9.73919690e-01   1.78379621e-02   1.08472735e-03]]")
    .input("data", "The input array.")
    .enum_param("mode", {"channel", "instance"}, "instance",
                "Specifies how to compute the softmax. If set to ``instance``, it computes softmax for each "
                "instance. If set to ``channel``, It computes cross channel softmax for each position of each "
                "instance.")
    .set_infer_shape(softmax_activation_shape)
    .set_infer_type([](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
      check_float_input(attrs, (*in)[0]);
      infer_same_type(attrs, in, out);
    })
    .set_forward(softmax_activation_forward)
    .set_gradient(softmax_activation_gradient)
    .add_sample(softmax_sample({}))
    .add_sample(softmax_sample({{"mode", "channel"}}, {2, 3, 2, 2}))
    .add_sample(softmax_sample({}, {5}));

MV_REGISTER_OP(_backward_softmax)
    .describe("Gradient of softmax when its dtype parameter changes the output type.")
    .input("ograd", "gradient of the output")
    .input("out", "the forward output")
    .input("data", "the forward input")
    .params_from("softmax")
    .set_infer_shape(softmax_backward_shape)
    .set_infer_type(softmax_backward_type)
    .set_forward([](const OpContext&, const Attrs& a, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      softmax_backward(a, in, out[0], false);
    })
    .set_non_differentiable();

MV_REGISTER_OP(_backward_log_softmax)
    .describe("Gradient of log_softmax when its dtype parameter changes the output type.")
    .input("ograd", "gradient of the output")
    .input("out", "the forward output")
    .input("data", "the forward input")
    .params_from("log_softmax")
    .set_infer_shape(softmax_backward_shape)
    .set_infer_type(softmax_backward_type)
    .set_forward([](const OpContext&, const Attrs& a, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      softmax_backward(a, in, out[0], true);
    })
    .set_non_differentiable();

MV_REGISTER_OP(SoftmaxOutput)
    .alias("Softmax")
    .describe(
        "Computes the gradient of cross entropy loss with respect to softmax output.\n\n"
        "- This operator computes the gradient in two steps. The cross entropy loss does not actually need to "
        "be computed.\n"
        "  - Applies softmax function on the input array.\n"
        "  - Computes and returns the gradient of cross entropy loss w.r.t. the softmax output.\n\n"
        "- The forward output is softmax(data) over all axes but the first (the last axis with "
        "`preserve_shape`, axis 1 with `multi_output`, where the label has shape (batch, spatial...)).\n"
        "- The backward pass ignores the incoming gradient (unless `out_grad`) and returns\n"
        "  (softmax(data) - one_hot(label)) * grad_scale / normalizer; the label gets no gradient.\n"
        "- With `use_ignore`, instances whose label equals `ignore_label` get zero gradient.\n"
        "- `normalization`: 'null' does nothing, 'batch' divides by the batch size, 'valid' divides by "
        "the number of instances which are not ignored.\n"
        "- `smooth_alpha` subtracts alpha from the one-hot target and spreads it over the other classes.\n\n"
        "Example::\n\n"
        "  data = [[1, 2, 3], [1, 1, 1]], label = [2, 0]\n"
        "  SoftmaxOutput(data, label) = [[0.0900, 0.2447, 0.6652], [0.3333, 0.3333, 0.3333]]\n"
        "  gradient w.r.t. data       = [[0.0900, 0.2447, -0.3348], [-0.6667, 0.3333, 0.3333]]")
    .input("data", "Input array.")
    .input("label", "Ground truth label.")
    .param("grad_scale", ParamType::kFloat, "1", "Scales the gradient by a float factor.")
    .param("ignore_label", ParamType::kFloat, "-1",
        "The instances whose `labels` == `ignore_label` will be ignored during backward, if "
        "`use_ignore` is set to ``true``).")
    .param("multi_output", ParamType::kBool, "False",
        "If set to ``true``, the softmax function will be computed along axis ``1``. This is applied "
        "when the shape of input array differs from the shape of label array.")
    .param("use_ignore", ParamType::kBool, "False",
        "If set to ``true``, the `ignore_label` value will not contribute to the backward gradient.")
    .param("preserve_shape", ParamType::kBool, "False",
        "If set to ``true``, the softmax function will be computed along the last axis (``-1``).")
    .enum_param("normalization", {"batch", "null", "valid"}, "null", "Normalizes the gradient.")
    .param("out_grad", ParamType::kBool, "False", "Multiplies gradient with output gradient element-wise.")
    .param("smooth_alpha", ParamType::kFloat, "0",
        "Constant for computing a label smoothed version of cross-entropy for the backwards pass. This "
        "constant gets subtracted from the one-hot encoding of the gold label and distributed "
        "uniformly to all other labels.")
    .set_infer_shape(softmax_output_shape)
    .set_infer_type(softmax_output_type)
    .set_forward(softmax_output_forward)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{
          op("_backward_SoftmaxOutput", {g.ograd(), g.output(), g.input(1)}, g.forward_params()), Tensor{}};
    })
    // The gradient is (softmax - one_hot(label)), the cross-entropy loss's, not the derivative
    // of the softmax output: finite differences cannot check it. tests/cpp/test_ops_nn.cc does.
    .add_sample([] {
      OpSample s;
      s.shapes = {{3, 4}, {3}};
      s.index_inputs = {1};
      s.index_high = 4;
      s.no_grad_inputs = {1};
      s.grad_check = false;
      return s;
    }())
    .add_sample([] {
      OpSample s;
      s.shapes = {{2, 3, 2}, {2, 2}};
      s.params = {{"multi_output", "True"}, {"normalization", "valid"}};
      s.index_inputs = {1};
      s.index_high = 3;
      s.grad_check = false;  // see above
      return s;
    }());

MV_REGISTER_OP(_backward_SoftmaxOutput)
    .describe("Gradient of SoftmaxOutput: (softmax - one_hot(label)) * grad_scale / normalizer.")
    .input("ograd", "gradient of the output (used with out_grad=True)")
    .input("out", "the forward output (the softmax)")
    .input("label", "the labels")
    .params_from("SoftmaxOutput")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      // out is the forward's output (data's shape): the forward's inference checks the label
      // against it, and ograd has its shape.
      if ((*in)[1].empty()) (*in)[1] = (*in)[0];
      if ((*in)[1].empty()) return;
      std::vector<Shape> fin{(*in)[1], (*in)[2]}, fout(1);
      softmax_output_shape(attrs, &fin, &fout);
      expect_input_shape(attrs, in, 0, fout[0]);
      expect_input_shape(attrs, in, 2, fin[1]);
      (*out)[0] = (*in)[1];
    })
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) { (*out)[0] = (*in)[1]; })
    .set_forward(softmax_output_backward)
    .set_non_differentiable();
MV_REGISTER_OP(softmax_cross_entropy)
    .describe(
        "Calculate cross entropy of softmax output and one-hot label.\n\n"
        "  softmax_cross_entropy(data, label) = -sum_i log(softmax(data_i)[label_i])\n\n"
        "data is 2-D (batch, classes) and label holds one class index per row; the result has shape (1,).\n\n"
        "Example::\n\n"
        "  x = [[1, 2, 3],\n"
        "       [11, 7, 5]]\n"
        "  label = [2, 0]\n"
        "  softmax_cross_entropy(x, label) = - log(0.66524084) - log(0.97962922) = 0.4281871")
    .input("data", "Input data")
    .input("label", "Input label")
    .set_infer_shape(softmax_ce_shape)
    .set_infer_type([](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
      check_float_input(attrs, (*in)[0]);
      if ((*in)[1] < 0) (*in)[1] = (*in)[0];
      (*out)[0] = (*in)[0];
    })
    .set_forward(softmax_ce_forward)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_softmax_cross_entropy", {g.ograd(), g.input(0), g.input(1)}),
                                 Tensor{}};
    })
    .add_sample([] {
      OpSample s;
      s.shapes = {{3, 4}, {3}};
      s.lo = -2.0;
      s.hi = 2.0;
      s.index_inputs = {1};
      s.index_high = 4;
      return s;
    }());

MV_REGISTER_OP(_backward_softmax_cross_entropy)
    .describe("Gradient of softmax_cross_entropy: (softmax(data) - one_hot(label)) * ograd.")
    .input("ograd", "gradient of the (1,) output")
    .input("data", "the forward data")
    .input("label", "the labels")
    .params_from("softmax_cross_entropy")
    .set_infer_shape(softmax_ce_backward_shape)
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) { (*out)[0] = (*in)[1]; })
    .set_forward(softmax_ce_backward)
    .set_non_differentiable();

}  // namespace minerva
