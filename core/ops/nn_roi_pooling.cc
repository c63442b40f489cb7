// MXNet 1.x's ROIPooling (Fast R-CNN): max pooling of each region of interest of a 4-D feature
// map into a fixed (pooled_h, pooled_w) grid of bins. The arg-max positions are kept as a hidden
// output (maxidx), which the backward pass scatters the gradient through, as MXNet does.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/ops/nn_extra_util.h"

namespace minerva {
namespace {

// One region in feature-map pixels: corners rounded from the scaled image coordinates,
// malformed (inverted) regions forced to 1 x 1, as in MXNet.
struct RoiBox {
  int64_t batch = 0, x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int64_t height() const { return std::max<int64_t>(y1 - y0 + 1, 1); }
  int64_t width() const { return std::max<int64_t>(x1 - x0 + 1, 1); }
};

// R is the precision MXNet computes the coordinates in: float for float16/float32 data,
// double for float64 (rounding at .5 boundaries depends on it).
template <typename R>
int64_t scaled_corner(double v, double scale) {
  const R p = static_cast<R>(static_cast<R>(v) * static_cast<R>(scale));
  // Clamped so that absurd coordinates stay defined when converted; they pool nothing.
  return static_cast<int64_t>(std::round(std::fmax(-1e15, std::fmin(static_cast<double>(p), 1e15))));
}

template <typename R>
RoiBox roi_box(const Attrs& attrs, const std::vector<double>& rois, int64_t r, int64_t batch) {
  const double* row = rois.data() + r * 5;
  const double scale = attrs.get_float("spatial_scale");
  MV_CHECK(row[0] >= 0 && row[0] < static_cast<double>(batch), kValue)
      << "Operator " << attrs.op->name << ": roi " << r << " has batch index " << row[0] << ", outside [0, " << batch
      << ")";
  RoiBox b;
  b.batch = static_cast<int64_t>(row[0]);
  b.x0 = scaled_corner<R>(row[1], scale);
  b.y0 = scaled_corner<R>(row[2], scale);
  b.x1 = scaled_corner<R>(row[3], scale);
  b.y1 = scaled_corner<R>(row[4], scale);
  return b;
}

// The pixel range [begin, end) of bin k of `bins` over a region of `size` starting at `start`,
// clipped to [0, limit).
template <typename R>
std::pair<int64_t, int64_t> bin_range(int64_t k, int64_t bins, int64_t size, int64_t start, int64_t limit) {
  const R bin = static_cast<R>(size) / static_cast<R>(bins);
  const int64_t b = static_cast<int64_t>(std::floor(static_cast<R>(k) * bin)) + start;
  const int64_t e = static_cast<int64_t>(std::ceil(static_cast<R>(k + 1) * bin)) + start;
  return {std::clamp<int64_t>(b, 0, limit), std::clamp<int64_t>(e, 0, limit)};
}

Shape pooled_hw(const Attrs& attrs) {
  const Shape& p = attrs.get_shape("pooled_size");
  MV_CHECK(p.size() == 2 && p[0] > 0 && p[1] > 0, kValue)
      << "Operator " << attrs.op->name << ": pooled_size must be a positive (height, width), got " << shape_str(p);
  return p;
}

Shape roi_out_shape(const Attrs& attrs, const Shape& d, const Shape& rois) {
  MV_CHECK(d.size() == 4, kValue) << "Operator " << attrs.op->name
                                  << ": data must be 4-D (batch, channel, height, width), got shape " << shape_str(d);
  MV_CHECK(rois.size() == 2 && rois[1] == 5, kValue)
      << "Operator " << attrs.op->name << ": rois must be 2-D (num_rois, 5) rows of [batch_index, x1, y1, x2, y2], "
      << "got shape " << shape_str(rois);
  const Shape p = pooled_hw(attrs);
  return {rois[0], d[1], p[0], p[1]};
}

void roi_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty() || (*in)[1].empty()) return;
  (*out)[0] = roi_out_shape(attrs, (*in)[0], (*in)[1]);
  (*out)[1] = (*out)[0];  // maxidx
}

// Each bin holds the maximum of its pixels (0 for an empty bin) and, in maxidx, the flat
// position h * W + w of that maximum within its channel (-1 for an empty bin).
template <typename R>
void roi_forward_impl(const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const Shape& d = in[0].shape;
  const std::vector<double> x = blob_doubles(in[0]), rois = blob_doubles(in[1]);
  const int64_t num_rois = in[1].shape[0], ch = d[1], h = d[2], w = d[3], ph = out[0].shape[2], pw = out[0].shape[3];
  std::vector<RoiBox> boxes;
  for (int64_t r = 0; r < num_rois; ++r) boxes.push_back(roi_box<R>(attrs, rois, r, d[0]));
  std::vector<double> y(static_cast<size_t>(out[0].size())), idx(y.size());
  parallel_for(num_rois * ch, [&](int64_t rc) {
    const RoiBox& b = boxes[static_cast<size_t>(rc / ch)];
    const double* plane = x.data() + (b.batch * ch + rc % ch) * h * w;
    for (int64_t i = 0; i < ph; ++i) {
      const auto rows = bin_range<R>(i, ph, b.height(), b.y0, h);
      for (int64_t j = 0; j < pw; ++j) {
        const auto cols = bin_range<R>(j, pw, b.width(), b.x0, w);
        double best = -std::numeric_limits<double>::max(), at = -1;
        for (int64_t yy = rows.first; yy < rows.second; ++yy)
          for (int64_t xx = cols.first; xx < cols.second; ++xx)
            if (plane[yy * w + xx] > best) best = plane[yy * w + xx], at = static_cast<double>(yy * w + xx);
        const size_t o = static_cast<size_t>((rc * ph + i) * pw + j);
        y[o] = at < 0 ? 0.0 : best;
        idx[o] = at;
      }
    }
  });
  store_doubles(y, out[0]);
  store_doubles(idx, out[1]);
}

void roi_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  if (in[0].dtype == DType::kFloat64) roi_forward_impl<double>(attrs, in, out);
  else roi_forward_impl<float>(attrs, in, out);
}

// Inputs (ograd, data, rois, maxidx): each bin's gradient goes to the position of its maximum
// on the region's image (MXNet 1.9.1's scatter, also for inverted regions).
void roi_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &d = (*in)[1], &rois = (*in)[2];
  if (d.empty() || rois.empty()) return;
  const Shape o = roi_out_shape(attrs, d, rois);
  expect_input_shape(attrs, *in, 0, o);
  expect_input_shape(attrs, *in, 3, o);
  (*out)[0] = d;
}

template <typename R>
void roi_backward_impl(const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const Shape& d = in[1].shape;
  const std::vector<double> g = blob_doubles(in[0]), rois = blob_doubles(in[2]), idx = blob_doubles(in[3]);
  const int64_t num_rois = in[2].shape[0], ch = d[1], h = d[2], w = d[3], bins = in[0].shape[2] * in[0].shape[3];
  std::vector<double> gx(static_cast<size_t>(shape_size(d)), 0.0);
  for (int64_t r = 0; r < num_rois; ++r) {  // regions may overlap: accumulate serially
    const RoiBox b = roi_box<R>(attrs, rois, r, d[0]);
    for (int64_t c = 0; c < ch; ++c)
      for (int64_t k = 0; k < bins; ++k) {
        const size_t o = static_cast<size_t>((r * ch + c) * bins + k);
        const double at = idx[o];
        if (!(at >= 0 && at < static_cast<double>(h * w))) continue;  // empty bin (or a foreign maxidx)
        const int64_t p = static_cast<int64_t>(at);
        gx[static_cast<size_t>((b.batch * ch + c) * h * w + p)] += g[o];
      }
  }
  store_doubles(gx, out[0]);
}

void roi_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  if (in[1].dtype == DType::kFloat64) roi_backward_impl<double>(attrs, in, out);
  else roi_backward_impl<float>(attrs, in, out);
}

#define MV_ROI_POOLING_PARAMS                                                                                  \
  required_param("pooled_size", ParamType::kShape, "ROI pooling output shape (h,w) ")                          \
      .kind(ParamKind::kPerDim)                                                                                \
      .required_param("spatial_scale", ParamType::kFloat,                                                      \
                      "Ratio of input feature map height (or w) to raw image height (or w). Equals the "       \
                      "reciprocal of total stride in convolutional layers")                                    \
      .bounds(0, 1)

}  // namespace

MV_REGISTER_OP(ROIPooling)
    .describe(
        "Performs region of interest (ROI) pooling on the input array, the pooling layer of Fast R-CNN.\n\n"
        "Each row of ``rois`` is [batch_index, x1, y1, x2, y2]: a box, in image coordinates, on image\n"
        "batch_index of the 4-D (batch, C, H, W) feature map. The box is scaled by ``spatial_scale`` and\n"
        "rounded to feature-map pixels (corners included; an inverted box becomes one pixel), divided into a\n"
        "``pooled_size`` (h, w) grid of bins that need not divide it evenly, and each bin is max-pooled (an\n"
        "empty bin gives 0). The output is (num_rois, C, h, w). A hidden second output holds the position of\n"
        "each maximum, through which the gradient flows.\n\n"
        "Example::\n\n"
        "  x = arange(48).reshape((1, 1, 8, 6))\n"
        "  ROIPooling(x, [[0, 0, 0, 4, 4]], pooled_size=(2, 2), spatial_scale=1.0) = [[[[14, 16], [26, 28]]]]\n"
        "  ROIPooling(x, [[0, 0, 0, 4, 4]], pooled_size=(2, 2), spatial_scale=0.7) = [[[[ 7,  9], [19, 21]]]]")
    .input("data", "The input array to the pooling operator,  a 4D Feature maps ")
    .input("rois", "Bounding box coordinates, a 2D array of [[batch_index, x1, y1, x2, y2]], where (x1, y1) and "
                   "(x2, y2) are top left and bottom right corners of designated region of interest. `batch_index` "
                   "indicates the index of corresponding image in the input array")
    .MV_ROI_POOLING_PARAMS
    .set_num_outputs(2)
    .set_num_visible_outputs([](const Attrs&) { return 1; })
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "maxidx"}; })
    .set_infer_shape(roi_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(roi_forward)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{
          op("_backward_ROIPooling", {g.ograd(), g.input(0), g.input(1), g.output(1)}, g.forward_params()), Tensor{}};
    })
    // Random data has distinct values, so each bin's maximum is unique and finite differences see
    // the max's gradient; the rois are fixed integers (an index input of range 1 on batch 1).
    .add_sample([] {
      OpSample s;
      s.shapes = {{1, 2, 6, 5}, {3, 5}};
      s.params = {{"pooled_size", "(2, 2)"}, {"spatial_scale", "1"}};
      s.index_inputs = {1};
      s.index_high = 1;  // every roi is [0, 0, 0, 0, 0]: one pixel, pooled into 2 x 2 bins
      return s;
    }());

MV_REGISTER_OP(_backward_ROIPooling)
    .describe("Gradient of ROIPooling: each bin's gradient added at the position of its maximum.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward data")
    .input("rois", "the regions")
    .input("maxidx", "the forward arg-max positions (hidden output)")
    .params_from("ROIPooling")
    .set_infer_shape(roi_backward_shape)
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) { (*out)[0] = (*in)[1]; })
    .set_forward(roi_backward)
    .set_non_differentiable();

}  // namespace minerva
