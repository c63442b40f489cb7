// MXNet 1.x's Correlation (FlowNet's correlation layer): compares patches of two feature maps
// over a neighbourhood of displacements, by product or absolute difference. The zero-padded
// inputs in (batch, height, width, channel) order are hidden outputs (tmp1, tmp2), as in MXNet,
// and the backward pass reads them.
#include <cmath>

#include "core/ops/nn_extra_util.h"

namespace minerva {
namespace {

// The layer's geometry for data of shape (N, C, H, W).
struct CorrGeometry {
  int64_t n = 0, c = 0, h = 0, w = 0;
  int64_t pad = 0, kernel = 1, max_disp = 0, stride1 = 1, stride2 = 1;
  int64_t padded_h = 0, padded_w = 0, top_h = 0, top_w = 0, grid_radius = 0, grid_width = 1;
  int64_t top_channels() const { return grid_width * grid_width; }
  Shape out_shape() const { return {n, top_channels(), top_h, top_w}; }
  Shape tmp_shape() const { return {n, padded_h, padded_w, c}; }
};

int64_t ceil_div(int64_t a, int64_t b) { return a > 0 ? (a + b - 1) / b : -((-a) / b); }

CorrGeometry corr_geometry(const Attrs& attrs, const Shape& d) {
  MV_CHECK(d.size() == 4, kValue) << "Operator " << attrs.op->name
                                  << ": data must be 4-D (batch, channel, height, width), got shape " << shape_str(d);
  CorrGeometry g;
  g.n = d[0], g.c = d[1], g.h = d[2], g.w = d[3];
  g.pad = attrs.get_int("pad_size");
  g.kernel = attrs.get_int("kernel_size");
  g.max_disp = attrs.get_int("max_displacement");
  g.stride1 = attrs.get_int("stride1");
  g.stride2 = attrs.get_int("stride2");
  MV_CHECK(g.kernel % 2 == 1, kValue) << "Operator " << attrs.op->name << ": kernel_size must be odd, got "
                                      << g.kernel;
  MV_CHECK(g.stride1 >= 1 && g.stride2 >= 1, kValue)
      << "Operator " << attrs.op->name << ": stride1 and stride2 must be at least 1, got " << g.stride1 << " and "
      << g.stride2;
  g.padded_h = g.h + 2 * g.pad;
  g.padded_w = g.w + 2 * g.pad;
  const int64_t border = g.max_disp + (g.kernel - 1) / 2;
  g.top_h = ceil_div(g.padded_h - 2 * border, g.stride1);
  g.top_w = ceil_div(g.padded_w - 2 * border, g.stride1);
  MV_CHECK(g.top_h >= 1 && g.top_w >= 1, kValue)
      << "Operator " << attrs.op->name << ": the neighbourhood (max_displacement " << g.max_disp << ") and kernel ("
      << g.kernel << ") do not fit in data of shape " << shape_str(d) << " padded by " << g.pad;
  g.grid_radius = g.max_disp / g.stride2;
  g.grid_width = 2 * g.grid_radius + 1;
  return g;
}

void corr_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &d1 = (*in)[0], &d2 = (*in)[1];
  if (d1.empty()) return;
  if (d2.empty()) (*in)[1] = d1;
  else if (d2 != d1) shape_mismatch(attrs, "input 'data2' (data1's shape)", d1, d2);
  const CorrGeometry g = corr_geometry(attrs, d1);
  (*out)[0] = g.out_shape();
  (*out)[1] = g.tmp_shape();
  (*out)[2] = g.tmp_shape();
}

// (N, C, H, W) -> zero-padded (N, H + 2p, W + 2p, C).
std::vector<double> pad_nhwc(const std::vector<double>& x, const CorrGeometry& g) {
  std::vector<double> t(static_cast<size_t>(g.n * g.padded_h * g.padded_w * g.c), 0.0);
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t c = 0; c < g.c; ++c)
      for (int64_t y = 0; y < g.h; ++y)
        for (int64_t xx = 0; xx < g.w; ++xx)
          t[static_cast<size_t>(((n * g.padded_h + y + g.pad) * g.padded_w + xx + g.pad) * g.c + c)] =
              x[static_cast<size_t>(((n * g.c + c) * g.h + y) * g.w + xx)];
  return t;
}

// Calls f(n, top_channel, i, j, y1, x1, y2, x2) for every output element: the patch of data1 at
// (y1, x1) and the patch of data2 at (y2, x2), both in padded coordinates.
template <typename F>
void for_each_pair(const CorrGeometry& g, F&& f) {
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t tc = 0; tc < g.top_channels(); ++tc) {
      const int64_t dx = (tc % g.grid_width - g.grid_radius) * g.stride2;
      const int64_t dy = (tc / g.grid_width - g.grid_radius) * g.stride2;
      for (int64_t i = 0; i < g.top_h; ++i)
        for (int64_t j = 0; j < g.top_w; ++j) {
          const int64_t y1 = i * g.stride1 + g.max_disp, x1 = j * g.stride1 + g.max_disp;
          f(n, tc, i, j, y1, x1, y1 + dy, x1 + dx);
        }
    }
}

// out = mean over the kernel window and channels of t1 * t2 (or |t1 - t2|).
void corr_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const CorrGeometry g = corr_geometry(attrs, in[0].shape);
  const std::vector<double> t1 = pad_nhwc(blob_doubles(in[0]), g), t2 = pad_nhwc(blob_doubles(in[1]), g);
  const bool multiply = attrs.get_bool("is_multiply");
  const double count = static_cast<double>(g.kernel * g.kernel * g.c);
  std::vector<double> y(static_cast<size_t>(shape_size(g.out_shape())));
  for_each_pair(g, [&](int64_t n, int64_t tc, int64_t i, int64_t j, int64_t y1, int64_t x1, int64_t y2, int64_t x2) {
    double s = 0;
    for (int64_t kh = 0; kh < g.kernel; ++kh)
      for (int64_t kw = 0; kw < g.kernel; ++kw) {
        const double* a = t1.data() + ((n * g.padded_h + y1 + kh) * g.padded_w + x1 + kw) * g.c;
        const double* b = t2.data() + ((n * g.padded_h + y2 + kh) * g.padded_w + x2 + kw) * g.c;
        for (int64_t c = 0; c < g.c; ++c) s += multiply ? a[c] * b[c] : std::fabs(a[c] - b[c]);
      }
    y[static_cast<size_t>(((n * g.top_channels() + tc) * g.top_h + i) * g.top_w + j)] = s / count;
  });
  store_doubles(y, out[0]);
  store_doubles(t1, out[1]);
  store_doubles(t2, out[2]);
}

// Inputs (ograd, tmp1, tmp2) -> (d data1, d data2); only unpadded positions get gradients.
// Under is_multiply=False a tie t1 == t2 counts as t1 > t2, as in MXNet.
Shape corr_data_shape(const Attrs& attrs, const Shape& tmp) {
  MV_CHECK(tmp.size() == 4, kValue) << "Operator " << attrs.op->name << ": tmp1 must be 4-D, got shape "
                                    << shape_str(tmp);
  const int64_t pad = attrs.get_int("pad_size");
  return {tmp[0], tmp[3], tmp[1] - 2 * pad, tmp[2] - 2 * pad};
}

void corr_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& t1 = (*in)[1];
  if (t1.empty()) return;
  const Shape d = corr_data_shape(attrs, t1);
  const CorrGeometry g = corr_geometry(attrs, d);
  expect_input_shape(attrs, *in, 0, g.out_shape());
  expect_input_shape(attrs, *in, 2, t1);
  (*out)[0] = d;
  (*out)[1] = d;
}

void corr_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const CorrGeometry g = corr_geometry(attrs, corr_data_shape(attrs, in[1].shape));
  const std::vector<double> og = blob_doubles(in[0]), t1 = blob_doubles(in[1]), t2 = blob_doubles(in[2]);
  const bool multiply = attrs.get_bool("is_multiply");
  const double count = static_cast<double>(g.kernel * g.kernel * g.c);
  std::vector<double> g1(static_cast<size_t>(g.n * g.c * g.h * g.w), 0.0), g2(g1.size(), 0.0);
  // The unpadded position of padded (y, x), or -1 outside the data.
  auto unpadded = [&](int64_t n, int64_t c, int64_t y, int64_t x) -> int64_t {
    y -= g.pad;
    x -= g.pad;
    if (y < 0 || y >= g.h || x < 0 || x >= g.w) return -1;
    return ((n * g.c + c) * g.h + y) * g.w + x;
  };
  for_each_pair(g, [&](int64_t n, int64_t tc, int64_t i, int64_t j, int64_t y1, int64_t x1, int64_t y2, int64_t x2) {
    const double go = og[static_cast<size_t>(((n * g.top_channels() + tc) * g.top_h + i) * g.top_w + j)] / count;
    for (int64_t kh = 0; kh < g.kernel; ++kh)
      for (int64_t kw = 0; kw < g.kernel; ++kw) {
        const double* a = t1.data() + ((n * g.padded_h + y1 + kh) * g.padded_w + x1 + kw) * g.c;
        const double* b = t2.data() + ((n * g.padded_h + y2 + kh) * g.padded_w + x2 + kw) * g.c;
        for (int64_t c = 0; c < g.c; ++c) {
          const double sign = a[c] >= b[c] ? 1.0 : -1.0;
          const int64_t p1 = unpadded(n, c, y1 + kh, x1 + kw), p2 = unpadded(n, c, y2 + kh, x2 + kw);
          if (p1 >= 0) g1[static_cast<size_t>(p1)] += go * (multiply ? b[c] : sign);
          if (p2 >= 0) g2[static_cast<size_t>(p2)] += go * (multiply ? a[c] : -sign);
        }
      }
  });
  store_doubles(g1, out[0]);
  store_doubles(g2, out[1]);
}

#define MV_CORRELATION_PARAMS                                                                                  \
  param("kernel_size", ParamType::kInt, "1", "kernel size for Correlation must be an odd number")              \
      .bounds(0, 1e9)                                                                                          \
      .param("max_displacement", ParamType::kInt, "1", "Max displacement of Correlation ")                     \
      .bounds(0, 1e9)                                                                                          \
      .param("stride1", ParamType::kInt, "1", "stride1 quantize data1 globally")                               \
      .bounds(0, 1e9)                                                                                          \
      .param("stride2", ParamType::kInt, "1", "stride2 quantize data2 within the neighborhood centered around " \
             "data1")                                                                                          \
      .bounds(0, 1e9)                                                                                          \
      .param("pad_size", ParamType::kInt, "0", "pad for Correlation")                                          \
      .bounds(0, 1e9)                                                                                          \
      .param("is_multiply", ParamType::kBool, "True", "operation type is either multiplication or subduction")

OpSample corr_sample(KeyValues params) {
  OpSample s;
  s.shapes = {{1, 2, 5, 6}, {1, 2, 5, 6}};
  s.params = std::move(params);
  return s;
}

}  // namespace

MV_REGISTER_OP(Correlation)
    .describe(
        "Applies correlation to inputs: the correlation layer of FlowNet, comparing two feature maps.\n\n"
        "For every position of data1 (on a grid of step stride1, inside a border of max_displacement plus the\n"
        "kernel radius of the inputs zero-padded by pad_size) and every displacement (dy, dx) on a grid of step\n"
        "stride2 within max_displacement, the output holds the mean over a kernel_size x kernel_size patch and\n"
        "all channels of data1 * data2 shifted by the displacement (or of |data1 - data2| with\n"
        "is_multiply=False)::\n\n"
        "  out[n, d, i, j] = sum_{kh, kw, c} f(data1[n, c, y1 + kh, x1 + kw],\n"
        "                                     data2[n, c, y1 + dy + kh, x1 + dx + kw]) / (kernel_size**2 * C)\n\n"
        "with y1 = i * stride1 + max_displacement - pad_size (likewise x1) and the displacement index d running\n"
        "over (2 * (max_displacement // stride2) + 1) ** 2 displacements, dx fastest. data1 and data2 are\n"
        "(batch, C, H, W) of the same shape; kernel_size must be odd. Hidden outputs hold the padded inputs.\n\n"
        "Example::\n\n"
        "  x = ones((1, 1, 3, 3))\n"
        "  Correlation(x, x, max_displacement=1).shape = (1, 9, 1, 1)   # all ones")
    .input("data1", "Input data1 to the correlation.")
    .input("data2", "Input data2 to the correlation.")
    .MV_CORRELATION_PARAMS
    .set_num_outputs(3)
    .set_num_visible_outputs([](const Attrs&) { return 1; })
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "tmp1", "tmp2"}; })
    .set_infer_shape(corr_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(corr_forward)
    .set_gradient([](const GradContext& g) {
      return op_all("_backward_Correlation", {g.ograd(), g.output(1), g.output(2)}, g.forward_params());
    })
    .add_sample(corr_sample({}))
    .add_sample(corr_sample({{"kernel_size", "3"}, {"max_displacement", "2"}, {"stride2", "2"}, {"pad_size", "2"},
                             {"stride1", "2"}}))
    // |a - b| is smooth away from ties, which random inputs avoid.
    .add_sample(corr_sample({{"is_multiply", "False"}, {"pad_size", "1"}}));

MV_REGISTER_OP(_backward_Correlation)
    .describe("Gradients of Correlation with respect to data1 and data2, from its padded hidden outputs.")
    .input("ograd", "gradient of the output")
    .input("tmp1", "the forward's padded data1 (hidden output)")
    .input("tmp2", "the forward's padded data2 (hidden output)")
    .params_from("Correlation")
    .set_num_outputs(2)
    .set_infer_shape(corr_backward_shape)
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) {
      (*out)[0] = (*out)[1] = (*in)[1];
    })
    .set_forward(corr_backward)
    .set_non_differentiable();

}  // namespace minerva
