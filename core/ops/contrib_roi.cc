// Region-of-interest pooling from mx.nd.contrib. ROIAlign (He et al., Mask R-CNN): each region is
// divided into pooled_size bins, each bin averages bilinear samples of the feature map on a
// regular grid (sample_ratio per side, or ceil(bin size) when adaptive), optionally
// position-sensitive (R-FCN) and optionally half-pixel aligned (Detectron2). PSROIPooling (Dai et
// al., R-FCN): each bin averages the pixels it covers in its own channel group. RROIAlign (rotated
// regions, for text detection): ROIAlign's sampling in the region's own rotated frame, forward only
// as in MXNet. The regions get no gradient, as in MXNet.
#include <algorithm>
#include <cmath>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"
#include "core/ops/reference_util.h"

namespace minerva {
namespace {

struct RoiParams {
  int64_t ph, pw, sample_ratio;
  double scale;
  bool position_sensitive, aligned;
  explicit RoiParams(const Attrs& a) {
    const Shape& p = a.get_shape("pooled_size");
    MV_CHECK(p.size() == 2 && p[0] > 0 && p[1] > 0, kValue)
        << "Operator " << a.op->name << ": pooled_size must be two positive values (h, w), got " << shape_str(p);
    ph = p[0];
    pw = p[1];
    scale = a.get_float("spatial_scale");
    sample_ratio = a.get_int("sample_ratio");
    position_sensitive = a.get_bool("position_sensitive");
    aligned = a.get_bool("aligned");
  }
};

Shape roi_out_shape(const Attrs& attrs, const Shape& data, const Shape& rois) {
  const RoiParams p(attrs);
  MV_CHECK(data.size() == 4, kValue) << "Operator " << attrs.op->name
                                     << ": data must be 4-D (batch, channel, height, width), got " << shape_str(data);
  MV_CHECK(rois.size() == 2 && rois[1] == 5, kValue)
      << "Operator " << attrs.op->name << ": rois must have shape (num_rois, 5) as [batch_index, x1, y1, x2, y2], got "
      << shape_str(rois);
  int64_t channels = data[1];
  if (p.position_sensitive) {
    MV_CHECK(channels % (p.ph * p.pw) == 0, kValue)
        << "Operator " << attrs.op->name << ": position_sensitive needs channels (" << channels
        << ") divisible by pooled_size h * w = " << p.ph * p.pw;
    channels /= p.ph * p.pw;
  }
  return Shape{rois[0], channels, p.ph, p.pw};
}

constexpr int64_t kMaxGrid = 100000;

// Calls visit(out_index, in_index, weight) for every bilinear tap of every output element.
template <typename Visit>
void roi_walk(const RoiParams& p, const Shape& data, const std::vector<double>& rois, int64_t num_rois, int64_t channels,
              Visit visit) {
  const int64_t H = data[2], W = data[3];
  const double offset = p.aligned ? 0.5 : 0.0;
  for (int64_t r = 0; r < num_rois; ++r) {
    const double* roi = rois.data() + r * 5;
    // A negative batch index marks padding: that output stays 0 (as does an index past the batch).
    if (!(roi[0] >= 0 && roi[0] < static_cast<double>(data[0]))) continue;
    const int64_t batch = static_cast<int64_t>(roi[0]);  // a negative batch index marks padding: the output stays 0
    const double x0 = roi[1] * p.scale - offset, y0 = roi[2] * p.scale - offset;
    double rw = roi[3] * p.scale - offset - x0, rh = roi[4] * p.scale - offset - y0;
    if (!p.aligned) {
      rw = std::max(rw, 1.0);
      rh = std::max(rh, 1.0);
    }
    const double bh = rh / static_cast<double>(p.ph), bw = rw / static_cast<double>(p.pw);
    const double grid_h = p.sample_ratio > 0 ? static_cast<double>(p.sample_ratio) : std::ceil(rh / static_cast<double>(p.ph));
    const double grid_w = p.sample_ratio > 0 ? static_cast<double>(p.sample_ratio) : std::ceil(rw / static_cast<double>(p.pw));
    const int64_t gh = std::isfinite(grid_h) && grid_h < kMaxGrid ? static_cast<int64_t>(grid_h) : kMaxGrid + 1;
    const int64_t gw = std::isfinite(grid_w) && grid_w < kMaxGrid ? static_cast<int64_t>(grid_w) : kMaxGrid + 1;
    // Huge or non-finite regions, or a huge sample_ratio, would mean an endless sampling loop.
    MV_CHECK(p.sample_ratio <= kMaxGrid, kValue) << "Operator _contrib_ROIAlign: sample_ratio = " << p.sample_ratio
                                                 << " exceeds " << kMaxGrid << " samples per bin side";
    MV_CHECK(std::isfinite(rh) && std::isfinite(rw) && gh <= kMaxGrid && gw <= kMaxGrid, kValue)
        << "Operator _contrib_ROIAlign: roi " << r << " spans " << rw << " x " << rh
        << " feature-map pixels, too large or not finite for adaptive sampling (at most " << kMaxGrid
        << " samples per bin side); pass sample_ratio or check the rois";
    const double count = static_cast<double>(std::max<int64_t>(gh * gw, 1));
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t py = 0; py < p.ph; ++py)
        for (int64_t px = 0; px < p.pw; ++px) {
          const int64_t c_in = p.position_sensitive ? (c * p.ph + py) * p.pw + px : c;
          const int64_t in_base = (batch * data[1] + c_in) * H * W;
          const int64_t out_index = ((r * channels + c) * p.ph + py) * p.pw + px;
          for (int64_t iy = 0; iy < gh; ++iy) {
            double y = y0 + static_cast<double>(py) * bh + (static_cast<double>(iy) + 0.5) * bh / static_cast<double>(gh);
            for (int64_t ix = 0; ix < gw; ++ix) {
              double x = x0 + static_cast<double>(px) * bw + (static_cast<double>(ix) + 0.5) * bw / static_cast<double>(gw);
              if (y < -1.0 || y > static_cast<double>(H) || x < -1.0 || x > static_cast<double>(W)) continue;
              double yy = std::max(y, 0.0), xx = std::max(x, 0.0);
              int64_t yl = static_cast<int64_t>(yy), xl = static_cast<int64_t>(xx), yh, xh;
              if (yl >= H - 1) yh = yl = H - 1, yy = static_cast<double>(yl);
              else yh = yl + 1;
              if (xl >= W - 1) xh = xl = W - 1, xx = static_cast<double>(xl);
              else xh = xl + 1;
              const double ly = yy - static_cast<double>(yl), lx = xx - static_cast<double>(xl);
              const double hy = 1 - ly, hx = 1 - lx;
              visit(out_index, in_base + yl * W + xl, hy * hx / count);
              visit(out_index, in_base + yl * W + xh, hy * lx / count);
              visit(out_index, in_base + yh * W + xl, ly * hx / count);
              visit(out_index, in_base + yh * W + xh, ly * lx / count);
            }
          }
        }
  }
}

}  // namespace

MV_REGISTER_OP(_contrib_ROIAlign)
    .describe("Region of interest align (Mask R-CNN): for feature maps data (N, C, H, W) and rois (R, 5) holding "
              "[batch_index, x1, y1, x2, y2] in image coordinates (scaled to the map by spatial_scale), the output "
              "(R, C, pooled_h, pooled_w) averages, per bin, bilinear samples on a grid of sample_ratio points per side "
              "(ceil(bin size) when sample_ratio <= 0). position_sensitive pools bin (i, j) from channel group "
              "c * pooled_h * pooled_w + i * pooled_w + j (R-FCN; C / (pooled_h * pooled_w) output channels); aligned "
              "shifts coordinates by half a pixel (Detectron2). Rows with a negative batch_index give zeros.\n\n"
              "Example::\n\n  ROIAlign(data, rois=[[0, 0, 0, 4, 4]], pooled_size=(2, 2), spatial_scale=1.0)")
    .input("data", "Input data to the pooling operator, a 4D Feature maps")
    .input("rois", "Bounding box coordinates, a 2D array, if batchid is less than 0, it will be ignored.")
    .required_param("pooled_size", ParamType::kShape, "ROI Align output roi feature map height and width: (h, w)")
    .kind(ParamKind::kPerDim)
    .required_param("spatial_scale", ParamType::kFloat, "Ratio of input feature map height (or w) to raw image height (or w). Equals the reciprocal of total stride in convolutional layers")
    .param("sample_ratio", ParamType::kInt, "-1", "Optional sampling ratio of ROI align, using adaptive size by default.")
    .param("position_sensitive", ParamType::kBool, "False", "Whether to perform position-sensitive RoI pooling. PSRoIPooling is first proposaled by R-FCN and it can reduce the input channels by ph*pw times, where (ph, pw) is the pooled_size")
    .param("aligned", ParamType::kBool, "False", "Center-aligned ROIAlign introduced in Detectron2. To enable, set aligned to True.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty() || (*in)[1].empty()) return;
      (*out)[0] = roi_out_shape(attrs, (*in)[0], (*in)[1]);
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const RoiParams p(attrs);
      std::vector<double> x = to_doubles(in[0]), rois = to_doubles(in[1]), y(static_cast<size_t>(out[0].size()), 0.0);
      roi_walk(p, in[0].shape, rois, in[1].shape[0], out[0].shape[1],
               [&](int64_t o, int64_t i, double w) { y[static_cast<size_t>(o)] += w * x[static_cast<size_t>(i)]; });
      store_doubles(y, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_contrib_ROIAlign", {g.ograd(), g.input(0), g.input(1)}, g.forward_params()),
                                 op("zeros_like", {g.input(1)})};
    })
    .add_sample([] {
      OpSample s = op_sample({{2, 3, 6, 5}, {3, 5}}, {{"pooled_size", "(2, 2)"}, {"spatial_scale", "0.5"}, {"sample_ratio", "2"}});
      s.index_inputs = {1};  // batch 0 or 1, coordinates 0..1: small regions
      s.index_high = 2;
      s.no_grad_inputs = {1};
      return s;
    }())
    .add_sample([] {
      OpSample s = op_sample({{1, 8, 4, 4}, {2, 5}}, {{"pooled_size", "(2, 2)"}, {"spatial_scale", "1"},
                                                      {"position_sensitive", "True"}, {"aligned", "True"}});
      s.index_inputs = {1};
      s.index_high = 1;
      s.no_grad_inputs = {1};
      return s;
    }());

MV_REGISTER_OP(_backward_contrib_ROIAlign)
    .describe("Gradient of ROIAlign with respect to data: scatters ograd back with the bilinear sampling weights.")
    .input("ograd", "Gradient of the output")
    .input("data", "The forward feature maps (only the shape is read)")
    .input("rois", "The forward regions")
    .params_from("_contrib_ROIAlign")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[1].empty() || (*in)[2].empty()) return;
      const Shape want = roi_out_shape(attrs, (*in)[1], (*in)[2]);
      if ((*in)[0].empty()) (*in)[0] = want;
      else if ((*in)[0] != want) shape_mismatch(attrs, "input 'ograd'", want, (*in)[0]);
      (*out)[0] = (*in)[1];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const RoiParams p(attrs);
      std::vector<double> og = to_doubles(in[0]), rois = to_doubles(in[2]), dx(static_cast<size_t>(out[0].size()), 0.0);
      roi_walk(p, in[1].shape, rois, in[2].shape[0], in[0].shape[1],
               [&](int64_t o, int64_t i, double w) { dx[static_cast<size_t>(i)] += w * og[static_cast<size_t>(o)]; });
      store_doubles(dx, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      // Linear in ograd: its gradient is the forward pooling of the head gradient.
      return std::vector<Tensor>{op("_contrib_ROIAlign", {g.ograd(), g.input(2)}, g.forward_params()), Tensor{},
                                 Tensor{}};
    })
    .add_sample([] {
      OpSample s = op_sample({{3, 3, 2, 2}, {2, 3, 6, 5}, {3, 5}}, {{"pooled_size", "(2, 2)"}, {"spatial_scale", "0.5"}});
      s.index_inputs = {2};
      s.index_high = 2;
      s.no_grad_inputs = {1, 2};
      return s;
    }());

// ---- PSROIPooling --------------------------------------------------------------------------------

namespace {

struct PsParams {
  double scale;
  int64_t out_dim, pooled, group;
  explicit PsParams(const Attrs& a)
      : scale(a.get_float("spatial_scale")), out_dim(a.get_int("output_dim")), pooled(a.get_int("pooled_size")),
        group(a.get_int("group_size") > 0 ? a.get_int("group_size") : a.get_int("pooled_size")) {}
};

Shape ps_out_shape(const Attrs& attrs, const Shape& data, const Shape& rois) {
  const PsParams p(attrs);
  MV_CHECK(data.size() == 4, kValue) << "Operator " << attrs.op->name
                                     << ": data must be 4-D (batch, channel, height, width), got " << shape_str(data);
  MV_CHECK(data[1] == p.out_dim * p.group * p.group, kValue)
      << "Operator " << attrs.op->name << ": data has " << data[1] << " channels, expected output_dim * group_size^2 = "
      << p.out_dim * p.group * p.group;
  MV_CHECK(rois.size() == 2 && rois[1] == 5, kValue)
      << "Operator " << attrs.op->name << ": rois must have shape (num_rois, 5) as [batch_index, x1, y1, x2, y2], got "
      << shape_str(rois);
  return Shape{rois[0], p.out_dim, p.pooled, p.pooled};
}

// Calls visit(out_index, in_index, weight) for every pixel of every non-empty bin (weight 1 / area).
template <typename Visit>
void psroi_walk(const PsParams& p, const Shape& data, const std::vector<double>& rois, int64_t num_rois, Visit visit) {
  const int64_t H = data[2], W = data[3], P = p.pooled, G = p.group;
  for (int64_t r = 0; r < num_rois; ++r) {
    const double* roi = rois.data() + r * 5;
    if (!(roi[0] >= 0 && roi[0] < static_cast<double>(data[0]))) continue;  // ignored, as in ROIAlign: output 0
    const int64_t batch = static_cast<int64_t>(roi[0]);
    const double x0 = std::round(roi[1]) * p.scale, y0 = std::round(roi[2]) * p.scale;
    const double x1 = (std::round(roi[3]) + 1) * p.scale, y1 = (std::round(roi[4]) + 1) * p.scale;
    for (double v : {x0, y0, x1, y1})  // bin edges are cast to integers below
      MV_CHECK(std::isfinite(v) && std::fabs(v) < 1e15, kValue)
          << "Operator _contrib_PSROIPooling: roi " << r << " maps to a feature-map coordinate out of range (" << v << ")";
    const double bh = std::max(y1 - y0, 0.1) / static_cast<double>(P), bw = std::max(x1 - x0, 0.1) / static_cast<double>(P);
    auto clamp = [](double v, int64_t hi) { return std::min(std::max(static_cast<int64_t>(v), int64_t{0}), hi); };
    for (int64_t c = 0; c < p.out_dim; ++c)
      for (int64_t ph = 0; ph < P; ++ph)
        for (int64_t pw = 0; pw < P; ++pw) {
          const int64_t hs = clamp(std::floor(static_cast<double>(ph) * bh + y0), H);
          const int64_t he = clamp(std::ceil(static_cast<double>(ph + 1) * bh + y0), H);
          const int64_t ws = clamp(std::floor(static_cast<double>(pw) * bw + x0), W);
          const int64_t we = clamp(std::ceil(static_cast<double>(pw + 1) * bw + x0), W);
          if (he <= hs || we <= ws) continue;
          const int64_t gh = std::min(std::max(ph * G / P, int64_t{0}), G - 1);
          const int64_t gw = std::min(std::max(pw * G / P, int64_t{0}), G - 1);
          const int64_t base = (batch * data[1] + (c * G + gh) * G + gw) * H * W;
          const int64_t o = ((r * p.out_dim + c) * P + ph) * P + pw;
          const double w = 1.0 / static_cast<double>((he - hs) * (we - ws));
          for (int64_t y = hs; y < he; ++y)
            for (int64_t x = ws; x < we; ++x) visit(o, base + y * W + x, w);
        }
  }
}

#define MV_PSROI_PARAMS                                                                                          \
  required_param("spatial_scale", ParamType::kFloat,                                                             \
                 "Ratio of input feature map height (or w) to raw image height (or w). Equals the reciprocal of " \
                 "total stride in convolutional layers")                                                         \
      .required_param("output_dim", ParamType::kInt, "fix output dim")                                           \
      .bounds(1, 1e9)                                                                                            \
      .required_param("pooled_size", ParamType::kInt, "fix pooled size")                                         \
      .bounds(1, 1e6)                                                                                            \
      .param("group_size", ParamType::kInt, "0", "fix group size")                                               \
      .bounds(0, 1e6)

}  // namespace

MV_REGISTER_OP(_contrib_PSROIPooling)
    .describe("Position-sensitive region of interest pooling (R-FCN): for data (N, output_dim * group_size^2, H, W) "
              "and rois (R, 5) rows [batch_index, x1, y1, x2, y2] (rounded, then scaled by spatial_scale), output "
              "(R, output_dim, pooled_size, pooled_size) bin (i, j) of channel c averages the pixels the bin covers in "
              "channel (c * group_size + gi) * group_size + gj, (gi, gj) the bin's group cell (group_size 0 means "
              "pooled_size). Empty bins and rows with a negative batch index give 0.\n\n"
              "Example::\n\n  PSROIPooling(data of shape (1, 8, 5, 5), rois=[[0, 0, 0, 3, 3]], spatial_scale=1, "
              "output_dim=2, pooled_size=2)  # (1, 2, 2, 2)")
    .input("data", "Input data to the pooling operator, a 4D Feature maps")
    .input("rois", "Bounding box coordinates, a 2D array")
    .MV_PSROI_PARAMS
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty() || (*in)[1].empty()) return;
      (*out)[0] = ps_out_shape(attrs, (*in)[0], (*in)[1]);
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      std::vector<double> x = to_doubles(in[0]), rois = to_doubles(in[1]), y(static_cast<size_t>(out[0].size()), 0.0);
      psroi_walk(PsParams(attrs), in[0].shape, rois, in[1].shape[0],
                 [&](int64_t o, int64_t i, double w) { y[static_cast<size_t>(o)] += w * x[static_cast<size_t>(i)]; });
      store_doubles(y, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{
          op("_backward_contrib_PSROIPooling", {g.ograd(), g.input(0), g.input(1)}, g.forward_params()),
          op("zeros_like", {g.input(1)})};
    })
    .add_sample([] {
      OpSample s = op_sample({{2, 8, 5, 5}, {3, 5}}, {{"spatial_scale", "0.5"}, {"output_dim", "2"}, {"pooled_size", "2"}});
      s.index_inputs = {1};
      s.index_high = 2;
      s.no_grad_inputs = {1};
      return s;
    }());

MV_REGISTER_OP(_backward_contrib_PSROIPooling)
    .describe("Gradient of PSROIPooling with respect to data: each bin's gradient spread evenly over its pixels.")
    .input("ograd", "Gradient of the output")
    .input("data", "The forward feature maps (only the shape is read)")
    .input("rois", "The forward regions")
    .params_from("_contrib_PSROIPooling")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[1].empty() || (*in)[2].empty()) return;
      const Shape want = ps_out_shape(attrs, (*in)[1], (*in)[2]);
      if ((*in)[0].empty()) (*in)[0] = want;
      else if ((*in)[0] != want) shape_mismatch(attrs, "input 'ograd'", want, (*in)[0]);
      (*out)[0] = (*in)[1];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      std::vector<double> og = to_doubles(in[0]), rois = to_doubles(in[2]), dx(static_cast<size_t>(out[0].size()), 0.0);
      psroi_walk(PsParams(attrs), in[1].shape, rois, in[2].shape[0],
                 [&](int64_t o, int64_t i, double w) { dx[static_cast<size_t>(i)] += w * og[static_cast<size_t>(o)]; });
      store_doubles(dx, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      // Linear in ograd: its gradient is the forward pooling of the head gradient.
      return std::vector<Tensor>{op("_contrib_PSROIPooling", {g.ograd(), g.input(2)}, g.forward_params()), Tensor{},
                                 Tensor{}};
    })
    .add_sample([] {
      OpSample s = op_sample({{3, 2, 2, 2}, {2, 8, 5, 5}, {3, 5}},
                             {{"spatial_scale", "0.5"}, {"output_dim", "2"}, {"pooled_size", "2"}});
      s.index_inputs = {2};
      s.index_high = 2;
      s.no_grad_inputs = {1, 2};
      return s;
    }());

#undef MV_PSROI_PARAMS

// ---- RROIAlign --------------------------------------------------------------------------------------

namespace {

// Bilinear sample of one (H, W) plane at (y, x), MXNet's border rule: 0 beyond a pixel outside,
// clamped to the last row/column inside.
double bilinear_at(const double* plane, int64_t H, int64_t W, double y, double x) {
  if (y < -1.0 || y > static_cast<double>(H) || x < -1.0 || x > static_cast<double>(W)) return 0.0;
  y = std::max(y, 0.0), x = std::max(x, 0.0);
  int64_t yl = static_cast<int64_t>(y), xl = static_cast<int64_t>(x), yh, xh;
  if (yl >= H - 1) yh = yl = H - 1, y = static_cast<double>(yl);
  else yh = yl + 1;
  if (xl >= W - 1) xh = xl = W - 1, x = static_cast<double>(xl);
  else xh = xl + 1;
  const double ly = y - static_cast<double>(yl), lx = x - static_cast<double>(xl), hy = 1 - ly, hx = 1 - lx;
  return hy * hx * plane[yl * W + xl] + hy * lx * plane[yl * W + xh] + ly * hx * plane[yh * W + xl] +
         ly * lx * plane[yh * W + xh];
}

}  // namespace

MV_REGISTER_OP(_contrib_RROIAlign)
    .describe("Rotated region of interest align (text detection): for data (N, C, H, W) and rois (R, 6) rows "
              "[batch_index, x_center, y_center, width, height, theta in degrees] in image coordinates (scaled by "
              "spatial_scale; sizes below 1 become 1), the output (R, C, pooled_h, pooled_w) averages, per bin, "
              "bilinear samples on a grid of sampling_ratio points per side (ceil(bin size) when sampling_ratio <= 0) "
              "taken in the region's frame rotated by theta around its centre. Rows with a negative batch index give "
              "0. There is no gradient, as in MXNet.\n\n"
              "Example::\n\n  RROIAlign(data, rois=[[0, 3, 3, 4, 2, 90]], pooled_size=(2, 2), spatial_scale=1.0)")
    .input("data", "Input data to the pooling operator, a 4D Feature maps")
    .input("rois", "Bounding box coordinates, a 2D array")
    .required_param("pooled_size", ParamType::kShape, "RROI align output shape (h,w) ").kind(ParamKind::kPerDim)
    .required_param("spatial_scale", ParamType::kFloat, "Ratio of input feature map height (or width) to raw image height (or width). Equals the reciprocal of total stride in convolutional layers")
    .param("sampling_ratio", ParamType::kInt, "-1", "Optional sampling ratio of RROI align, using adaptive size by default.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &data = (*in)[0], &rois = (*in)[1];
      if (data.empty() || rois.empty()) return;
      const Shape& ps = attrs.get_shape("pooled_size");
      MV_CHECK(ps.size() == 2 && ps[0] > 0 && ps[1] > 0, kValue)
          << "Operator " << attrs.op->name << ": pooled_size must be two positive values (h, w), got " << shape_str(ps);
      MV_CHECK(data.size() == 4, kValue) << "Operator " << attrs.op->name
                                         << ": data must be 4-D (batch, channel, height, width), got " << shape_str(data);
      MV_CHECK(rois.size() == 2 && rois[1] == 6, kValue)
          << "Operator " << attrs.op->name << ": rois must have shape (num_rois, 6) as [batch_index, x, y, w, h, theta], "
          << "got " << shape_str(rois);
      (*out)[0] = Shape{rois[0], data[1], ps[0], ps[1]};
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Shape& ds = in[0].shape;
      const int64_t C = ds[1], H = ds[2], W = ds[3], PH = out[0].shape[2], PW = out[0].shape[3];
      const double scale = attrs.get_float("spatial_scale");
      const int64_t ratio = attrs.get_int("sampling_ratio");
      constexpr int64_t kMaxGrid = 100000;
      MV_CHECK(ratio <= kMaxGrid, kValue) << "Operator " << attrs.op->name << ": sampling_ratio = " << ratio
                                          << " exceeds " << kMaxGrid << " samples per bin side";
      const std::vector<double> x = to_doubles(in[0]), rois = to_doubles(in[1]);
      std::vector<double> y(static_cast<size_t>(out[0].size()), 0.0);
      for (int64_t r = 0; r < in[1].shape[0]; ++r) {
        const double* roi = rois.data() + r * 6;
        if (!(roi[0] >= 0 && roi[0] < static_cast<double>(ds[0]))) continue;  // padding: the output stays 0
        const int64_t batch = static_cast<int64_t>(roi[0]);
        const double cx = roi[1] * scale, cy = roi[2] * scale, theta = roi[5] * M_PI / 180.0;
        const double rw = std::max(roi[3] * scale, 1.0), rh = std::max(roi[4] * scale, 1.0);
        const double bh = rh / static_cast<double>(PH), bw = rw / static_cast<double>(PW);
        const double grid_h = ratio > 0 ? static_cast<double>(ratio) : std::ceil(rh / static_cast<double>(PH));
        const double grid_w = ratio > 0 ? static_cast<double>(ratio) : std::ceil(rw / static_cast<double>(PW));
        MV_CHECK(std::isfinite(cx) && std::isfinite(cy) && std::isfinite(theta) && grid_h <= kMaxGrid &&
                     grid_w <= kMaxGrid,
                 kValue)
            << "Operator " << attrs.op->name << ": roi " << r << " spans " << rw << " x " << rh
            << " feature-map pixels, too large or not finite for adaptive sampling; pass sampling_ratio or check the rois";
        const int64_t gh = static_cast<int64_t>(grid_h), gw = static_cast<int64_t>(grid_w);
        const double c = std::cos(theta), s = std::sin(theta), count = static_cast<double>(gh * gw);
        for (int64_t ch = 0; ch < C; ++ch) {
          const double* plane = x.data() + (batch * C + ch) * H * W;
          for (int64_t ph = 0; ph < PH; ++ph)
            for (int64_t pw = 0; pw < PW; ++pw) {
              double sum = 0;
              for (int64_t iy = 0; iy < gh; ++iy) {
                const double yy = -rh / 2 + static_cast<double>(ph) * bh + (static_cast<double>(iy) + 0.5) * bh / grid_h;
                for (int64_t ix = 0; ix < gw; ++ix) {
                  const double xx = -rw / 2 + static_cast<double>(pw) * bw + (static_cast<double>(ix) + 0.5) * bw / grid_w;
                  sum += bilinear_at(plane, H, W, yy * c - xx * s + cy, xx * c + yy * s + cx);
                }
              }
              y[static_cast<size_t>(((r * C + ch) * PH + ph) * PW + pw)] = sum / count;
            }
        }
      }
      store_doubles(y, out[0]);
    })
    .set_non_differentiable()
    .add_sample([] {
      OpSample s = op_sample({{2, 3, 6, 5}, {3, 6}}, {{"pooled_size", "(2, 2)"}, {"spatial_scale", "0.5"}});
      s.index_inputs = {1};
      s.index_high = 2;
      s.grad_check = false;
      return s;
    }());

}  // namespace minerva
