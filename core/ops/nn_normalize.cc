// MXNet 1.x's L2Normalization and LRN (local response normalization across channels). Both keep
// the normaliser as a hidden second output, as MXNet does, and their backward operators read
// it instead of recomputing it.
#include <algorithm>
#include <cmath>

#include "core/ops/nn_extra_util.h"

namespace minerva {
namespace {

// ---- L2Normalization -----------------------------------------------------------------------------

// The data seen as (outer, size, inner) with the sum of squares taken over `size`: per instance
// (N, rest, 1), per channel (N, C, positions) — across the channels at each position — or
// spatial (N*C, positions, 1). The norm of (o, i) is at o * inner + i.
AxisSplit l2_layout(const Attrs& attrs, const Shape& d) {
  const std::string& mode = attrs.get_str("mode");
  if (mode == "instance") return {d[0], dims_product(d, 1, d.size()), 1};
  MV_CHECK(d.size() >= 3, kValue) << "Operator " << attrs.op->name << ": mode='" << mode
                                  << "' needs data of at least 3 dimensions (batch, channel, ...), got shape "
                                  << shape_str(d);
  if (mode == "channel") return {d[0], d[1], dims_product(d, 2, d.size())};
  if (mode == "spatial") return {d[0] * d[1], dims_product(d, 2, d.size()), 1};
  MV_THROW(kValue) << "Operator " << attrs.op->name << ": unknown mode '" << mode << "'";
}

// MXNet's shape of the hidden norm output: (N,), (N, 1, d2...) or (N, C).
Shape l2_norm_shape(const Attrs& attrs, const Shape& d) {
  l2_layout(attrs, d);  // validates the mode against the rank
  const std::string& mode = attrs.get_str("mode");
  if (mode == "instance") return {d[0]};
  if (mode == "channel") {
    Shape s = d;
    s[1] = 1;
    return s;
  }
  return {d[0], d[1]};
}

void l2_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  (*out)[0] = d;
  (*out)[1] = l2_norm_shape(attrs, d);
}

// norm = sqrt(sum(x^2) + eps) over the mode's axes; out = x / norm.
void l2_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const AxisSplit l = l2_layout(attrs, in[0].shape);
  const double eps = attrs.get_float("eps");
  std::vector<double> x = blob_doubles(in[0]), norm(static_cast<size_t>(l.outer * l.inner));
  parallel_for(l.outer * l.inner, [&](int64_t r) {
    const int64_t o = r / l.inner, i = r % l.inner;
    double ss = 0;
    for (int64_t k = 0; k < l.size; ++k) {
      const double v = x[static_cast<size_t>(l.index(o, k, i))];
      ss += v * v;
    }
    const double n = std::sqrt(ss + eps);
    norm[static_cast<size_t>(r)] = n;
    for (int64_t k = 0; k < l.size; ++k) x[static_cast<size_t>(l.index(o, k, i))] /= n;
  });
  store_doubles(x, out[0]);
  store_doubles(norm, out[1]);
}

// Inputs (ograd, out, norm): d x = (g - out * sum(g * out)) / norm over the same axes.
void l2_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& y = (*in)[1];
  if (y.empty()) return;
  expect_input_shape(attrs, *in, 0, y);
  expect_input_shape(attrs, *in, 2, l2_norm_shape(attrs, y));
  (*out)[0] = y;
}

void l2_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const AxisSplit l = l2_layout(attrs, in[1].shape);
  std::vector<double> g = blob_doubles(in[0]), y = blob_doubles(in[1]), norm = blob_doubles(in[2]);
  parallel_for(l.outer * l.inner, [&](int64_t r) {
    const int64_t o = r / l.inner, i = r % l.inner;
    double dot = 0;
    for (int64_t k = 0; k < l.size; ++k) {
      const size_t j = static_cast<size_t>(l.index(o, k, i));
      dot += g[j] * y[j];
    }
    const double n = norm[static_cast<size_t>(r)];
    for (int64_t k = 0; k < l.size; ++k) {
      const size_t j = static_cast<size_t>(l.index(o, k, i));
      g[j] = (g[j] - y[j] * dot) / n;
    }
  });
  store_doubles(g, out[0]);
}

#define MV_L2_NORM_PARAMS                                                                               \
  param("eps", ParamType::kFloat, "1e-10", "A small constant for numerical stability.")                 \
      .enum_param("mode", {"channel", "instance", "spatial"}, "instance",                               \
                  "Specify the dimension along which to compute L2 norm.")

// ---- LRN -----------------------------------------------------------------------------------------

// The channel window of LRN: channels [c - nsize/2, c + nsize/2] clipped to [0, C).
struct LrnWindow {
  int64_t half;
  int64_t channels;
  int64_t begin(int64_t c) const { return std::max<int64_t>(0, c - half); }
  int64_t end(int64_t c) const { return std::min<int64_t>(channels, c + half + 1); }
};

void lrn_check(const Attrs& attrs, const Shape& d) {
  MV_CHECK(d.size() == 4, kValue) << "Operator " << attrs.op->name
                                  << ": data must be 4-D (batch, channel, height, width), got shape " << shape_str(d);
  MV_CHECK(attrs.get_int("nsize") % 2 == 1, kValue)
      << "Operator " << attrs.op->name << ": nsize must be odd (LRN only supports odd window sizes), got "
      << attrs.get_int("nsize");
}

void lrn_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  lrn_check(attrs, d);
  (*out)[0] = d;
  (*out)[1] = d;  // tmp_norm
}

// Runs f(n, c, p) for every element, p the position within the (height, width) plane.
template <typename F>
void for_each_nchw(const Shape& d, F&& f) {
  const int64_t plane = d[2] * d[3];
  parallel_for(d[0] * d[1], [&](int64_t nc) {
    for (int64_t p = 0; p < plane; ++p) f(nc / d[1], nc % d[1], p);
  });
}

// tmp_norm = knorm + alpha / nsize * sum over the window of x^2; out = x * tmp_norm^-beta.
void lrn_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const Shape& d = in[0].shape;
  const int64_t nsize = attrs.get_int("nsize"), plane = d[2] * d[3];
  const double salpha = attrs.get_float("alpha") / static_cast<double>(nsize), beta = attrs.get_float("beta"),
               knorm = attrs.get_float("knorm");
  const LrnWindow w{nsize / 2, d[1]};
  std::vector<double> x = blob_doubles(in[0]), y(x.size()), norm(x.size());
  for_each_nchw(d, [&](int64_t n, int64_t c, int64_t p) {
    double ss = 0;
    for (int64_t k = w.begin(c); k < w.end(c); ++k) {
      const double v = x[static_cast<size_t>((n * d[1] + k) * plane + p)];
      ss += v * v;
    }
    const size_t j = static_cast<size_t>((n * d[1] + c) * plane + p);
    norm[j] = knorm + salpha * ss;
    y[j] = x[j] * std::pow(norm[j], -beta);
  });
  store_doubles(y, out[0]);
  store_doubles(norm, out[1]);
}

// Inputs (ograd, data, tmp_norm):
// d x = g * norm^-beta - 2 beta alpha / nsize * x * sum over the window of g * x * norm^(-beta-1).
void lrn_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[1];
  if (d.empty()) return;
  lrn_check(attrs, d);
  expect_input_shape(attrs, *in, 0, d);
  expect_input_shape(attrs, *in, 2, d);
  (*out)[0] = d;
}

void lrn_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const Shape& d = in[1].shape;
  const int64_t nsize = attrs.get_int("nsize"), plane = d[2] * d[3];
  const double salpha = attrs.get_float("alpha") / static_cast<double>(nsize), beta = attrs.get_float("beta");
  const LrnWindow w{nsize / 2, d[1]};
  std::vector<double> g = blob_doubles(in[0]), x = blob_doubles(in[1]), norm = blob_doubles(in[2]), t(g.size()),
                      gx(g.size());
  for (size_t j = 0; j < g.size(); ++j) t[j] = g[j] * x[j] * std::pow(norm[j], -beta - 1.0);
  for_each_nchw(d, [&](int64_t n, int64_t c, int64_t p) {
    double s = 0;
    for (int64_t k = w.begin(c); k < w.end(c); ++k) s += t[static_cast<size_t>((n * d[1] + k) * plane + p)];
    const size_t j = static_cast<size_t>((n * d[1] + c) * plane + p);
    gx[j] = g[j] * std::pow(norm[j], -beta) - 2.0 * beta * salpha * x[j] * s;
  });
  store_doubles(gx, out[0]);
}

#define MV_LRN_PARAMS                                                                                        \
  param("alpha", ParamType::kFloat, "0.0001", "The variance scaling parameter :math:`alpha` in the LRN expression.") \
      .param("beta", ParamType::kFloat, "0.75", "The power parameter :math:`beta` in the LRN expression.")    \
      .param("knorm", ParamType::kFloat, "2", "The parameter :math:`k` in the LRN expression.")                \
      .required_param("nsize", ParamType::kInt, "normalization window width in elements.")                    \
      .bounds(0, 4294967295.0)

std::vector<std::string> hidden_norm_outputs(const char* second) { return {"output", second}; }

OpSample op_sample_of(std::vector<Shape> shapes, KeyValues params = {}) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  return s;
}

}  // namespace

MV_REGISTER_OP(L2Normalization)
    .describe(
        "Divides the input by its L2 norm, sqrt(sum(x ** 2) + eps), taken over the axes ``mode`` names.\n\n"
        "- ``instance`` (default): one norm per sample, over every axis but the first (a 1-D input is\n"
        "  one sample per element).\n"
        "- ``channel``: one norm per sample and position, across the channels (axis 1).\n"
        "- ``spatial``: one norm per sample and channel, across the positions (axes 2 and up).\n\n"
        "``channel`` and ``spatial`` need at least 3 dimensions. A hidden second output holds the norms:\n"
        "shape (N,), (N, 1, d2, ...) or (N, C) for the three modes, as in MXNet.\n\n"
        "Example::\n\n"
        "  x = [[[1, 2], [3, 4]], [[2, 2], [5, 6]]]\n"
        "  L2Normalization(x) = [[[0.1826, 0.3651], [0.5477, 0.7303]],\n"
        "                        [[0.2408, 0.2408], [0.6019, 0.7223]]]\n"
        "  L2Normalization(x, mode='channel')[0] = [[0.3162, 0.4472], [0.9487, 0.8944]]")
    .input("data", "Input array to normalize.")
    .MV_L2_NORM_PARAMS
    .set_num_outputs(2)
    .set_num_visible_outputs([](const Attrs&) { return 1; })
    .set_list_outputs([](const Attrs&) { return hidden_norm_outputs("norm"); })
    .set_infer_shape(l2_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(l2_forward)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{
          op("_backward_L2Normalization", {g.ograd(), g.output(0), g.output(1)}, g.forward_params())};
    })
    .add_sample(op_sample_of({{3, 4}}))
    .add_sample(op_sample_of({{2, 3, 2, 2}}, {{"mode", "channel"}}))
    .add_sample(op_sample_of({{2, 3, 4}}, {{"mode", "spatial"}, {"eps", "0.01"}}));

MV_REGISTER_OP(_backward_L2Normalization)
    .describe("Gradient of L2Normalization: (ograd - out * sum(ograd * out)) / norm over the mode's axes.")
    .input("ograd", "gradient of the output")
    .input("out", "the forward output")
    .input("norm", "the forward norms (hidden output)")
    .params_from("L2Normalization")
    .set_infer_shape(l2_backward_shape)
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) { (*out)[0] = (*in)[1]; })
    .set_forward(l2_backward)
    .set_non_differentiable();

MV_REGISTER_OP(LRN)
    .describe(
        "Local response normalization across channels (AlexNet's lateral inhibition).\n\n"
        "Each element of a 4-D (batch, channel, height, width) input is divided by a power of the sum of\n"
        "squares of the nsize channels centred on its own at the same position (fewer at the borders)::\n\n"
        "  out[n, c, h, w] = data[n, c, h, w] / (knorm + alpha / nsize * S[n, c, h, w]) ** beta\n"
        "  S[n, c, h, w]   = sum of data[n, k, h, w] ** 2 for |k - c| <= nsize // 2\n\n"
        "nsize must be odd. A hidden second output holds the normaliser knorm + alpha / nsize * S.\n\n"
        "Example::\n\n"
        "  x = [[[[1]], [[2]], [[3]]]]                    # shape (1, 3, 1, 1)\n"
        "  LRN(x, nsize=3, alpha=3, beta=1, knorm=1)   = [[[[0.1667]], [[0.1333]], [[0.2143]]]]")
    .input("data", "Input data to LRN")
    .MV_LRN_PARAMS
    .set_num_outputs(2)
    .set_num_visible_outputs([](const Attrs&) { return 1; })
    .set_list_outputs([](const Attrs&) { return hidden_norm_outputs("tmp_norm"); })
    .set_infer_shape(lrn_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(lrn_forward)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_LRN", {g.ograd(), g.input(0), g.output(1)}, g.forward_params())};
    })
    .add_sample(op_sample_of({{2, 5, 2, 3}}, {{"nsize", "3"}, {"alpha", "0.5"}}))
    .add_sample(op_sample_of({{1, 4, 2, 2}}, {{"nsize", "5"}, {"alpha", "2"}, {"beta", "0.5"}, {"knorm", "1"}}));

MV_REGISTER_OP(_backward_LRN)
    .describe("Gradient of LRN, from the forward data and its hidden normaliser.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward input")
    .input("tmp_norm", "the forward normaliser (hidden output)")
    .params_from("LRN")
    .set_infer_shape(lrn_backward_shape)
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) { (*out)[0] = (*in)[1]; })
    .set_forward(lrn_backward)
    .set_non_differentiable();

}  // namespace minerva
