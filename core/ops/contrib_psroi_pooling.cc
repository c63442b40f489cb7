// MXNet 1.x's deformable position-sensitive ROI pooling (contrib): DeformablePSROIPooling
// (Deformable ConvNets), which samples each bin bilinearly at sample_per_part^2 points shifted by a
// learned, per-part translation. The plain PSROIPooling (R-FCN) is in contrib_roi.cc.
//
// Bin (ph, pw) of output channel k reads input channel (k * group_size + gh) * group_size + gw,
// where (gh, gw) is the bin's cell on a group_size x group_size grid; so data needs at least
// output_dim * group_size^2 channels. MXNet does not check that and reads past the data when it
// is short; here it is an error. Coordinates are computed in R, the precision MXNet computes
// them in (float for float16/float32, double for float64: floor/ceil at bin edges depend on it).
#include <algorithm>
#include <cmath>

#include "core/ops/nn_extra_util.h"

namespace minerva {
namespace {

struct PsGeom {
  int64_t batch = 0, channels = 0, height = 0, width = 0, rois = 0;
  int64_t output_dim = 0, pooled = 0, group = 0, part = 0, samples = 1, classes = 1;
  bool deformable = false, trans = false;
};

std::vector<std::string> dpsroi_inputs(const Attrs& attrs) {
  if (attrs.get_bool("no_trans")) return {"data", "rois"};
  return {"data", "rois", "trans"};
}

// Checks data (4-D), rois ((n, 5)) and, for the deformable version, trans; shapes[0..2] are the
// forward's inputs.
PsGeom ps_geom(const Attrs& attrs, const Shape& data, const Shape& rois, const Shape* trans);

// The kernels' geometry: shapes are concrete there, so a trans input must have its full shape
// (inference treats an empty shape as unknown and would let it through).
PsGeom kernel_geom(const Attrs& attrs, const Shape& data, const Shape& rois, const Shape* trans) {
  const bool wants_trans = !attrs.get_bool("no_trans");
  MV_CHECK(!wants_trans || (trans != nullptr && !trans->empty()), kValue)
      << "Operator " << attrs.op->name << ": trans must be (num_rois, 2 * num_classes, part_size, part_size) "
      << "unless no_trans=True, got " << (trans == nullptr ? std::string("no trans input") : shape_str(*trans));
  return ps_geom(attrs, data, rois, trans);
}

PsGeom ps_geom(const Attrs& attrs, const Shape& data, const Shape& rois, const Shape* trans) {
  const std::string& who = attrs.op->name;
  PsGeom g;
  g.deformable = who.find("Deformable") != std::string::npos;
  MV_CHECK(data.size() == 4, kValue) << "Operator " << who << ": data must be 4-D (batch, channel, height, width), "
                                     << "got shape " << shape_str(data);
  MV_CHECK(rois.size() == 2 && rois[1] == 5, kValue)
      << "Operator " << who << ": rois must be 2-D (num_rois, 5) rows of [batch_index, x1, y1, x2, y2], got shape "
      << shape_str(rois);
  g.batch = data[0];
  g.channels = data[1];
  g.height = data[2];
  g.width = data[3];
  g.rois = rois[0];
  g.output_dim = attrs.get_int("output_dim");
  g.pooled = attrs.get_int("pooled_size");
  g.group = attrs.get_int("group_size");
  if (g.group == 0) g.group = g.pooled;  // PSROIPooling's default: one cell per bin
  MV_CHECK(g.channels / g.group / g.group >= g.output_dim, kValue)
      << "Operator " << who << ": data needs at least output_dim * group_size^2 = " << g.output_dim << " * "
      << g.group << "^2 channels, got data shape " << shape_str(data);
  if (!g.deformable) return g;
  g.part = attrs.get_int("part_size");
  if (g.part == 0) g.part = g.pooled;
  g.samples = attrs.get_int("sample_per_part");
  g.trans = !attrs.get_bool("no_trans");
  if (g.trans && trans != nullptr && !trans->empty()) {
    const Shape& t = *trans;
    MV_CHECK(t.size() == 4 && t[0] == g.rois && t[1] >= 2 && t[1] % 2 == 0 && t[2] == g.part && t[3] == g.part,
             kValue)
        << "Operator " << who << ": trans must be (num_rois, 2 * num_classes, part_size, part_size) = (" << g.rois
        << ", 2 * num_classes, " << g.part << ", " << g.part << "), got shape " << shape_str(t);
    g.classes = t[1] / 2;
    MV_CHECK(g.output_dim % g.classes == 0, kValue)
        << "Operator " << who << ": output_dim " << g.output_dim << " must be a multiple of the number of classes in "
        << "trans (" << g.classes << ", trans shape " << shape_str(t) << ")";
  }
  return g;
}

void psroi_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty() || (*in)[1].empty()) return;
  const bool deformable = attrs.op->name.find("Deformable") != std::string::npos;
  const Shape* t = deformable && in->size() > 2 ? &(*in)[2] : nullptr;  // unknown (empty) is checked later
  const PsGeom g = ps_geom(attrs, (*in)[0], (*in)[1], t);
  for (auto& o : *out) o = Shape{g.rois, g.output_dim, g.pooled, g.pooled};
}

// A region in feature-map coordinates: MXNet rounds the image coordinates, scales them, and
// (deformable version) shifts by half a pixel so that samples sit on pixel centres.
template <typename R>
struct Region {
  int64_t batch = 0;
  R start_h = 0, start_w = 0, height = 0, width = 0;
};

template <typename R>
Region<R> region(const Attrs& attrs, const PsGeom& g, const std::vector<double>& rois, int64_t r) {
  const double* row = rois.data() + r * 5;
  MV_CHECK(row[0] >= 0 && row[0] < static_cast<double>(g.batch), kValue)
      << "Operator " << attrs.op->name << ": roi " << r << " has batch index " << row[0] << ", outside [0, " << g.batch
      << ")";
  const R scale = static_cast<R>(attrs.get_float("spatial_scale")), shift = g.deformable ? R(0.5) : R(0);
  auto coord = [&](double v, R extra) {
    const R c = std::round(static_cast<R>(std::fmax(-1e15, std::fmin(v, 1e15))));
    return (c + extra) * scale - shift;
  };
  Region<R> b;
  b.batch = static_cast<int64_t>(row[0]);
  b.start_w = coord(row[1], 0);
  b.start_h = coord(row[2], 0);
  b.width = std::max(coord(row[3], 1) - b.start_w, R(0.1));
  b.height = std::max(coord(row[4], 1) - b.start_h, R(0.1));
  return b;
}

// The input channel bin (ph, pw) of output channel k reads.
int64_t group_channel(const PsGeom& g, int64_t k, int64_t ph, int64_t pw) {
  auto cell = [&](int64_t p) {
    const int64_t c = static_cast<int64_t>(std::floor(static_cast<double>(p) * g.group / g.pooled));
    return std::clamp<int64_t>(c, 0, g.group - 1);
  };
  return (k * g.group + cell(ph)) * g.group + cell(pw);
}

// ---- DeformablePSROIPooling ------------------------------------------------------------------

// One sampling point of a bin: the plane it reads, its position (clamped into the image) and
// the (trans) indices of the part's x and y translation, -1 without trans.
struct PsSample {
  int64_t out = 0, plane = 0, trans_x = -1, trans_y = -1;
  double h = 0, w = 0, roi_h = 0, roi_w = 0;
};

// Visits every output bin: begin(out index), then sample(PsSample) for each in-image sample point,
// then end(out index, count of those points).
template <typename R, typename B, typename S, typename E>
void for_each_dps_bin(const Attrs& attrs, const PsGeom& g, const std::vector<double>& rois,
                      const std::vector<double>& trans, B&& begin, S&& sample, E&& end) {
  const int64_t P = g.pooled, HW = g.height * g.width, per_class = g.output_dim / g.classes;
  const R trans_std = static_cast<R>(attrs.get_float("trans_std"));
  for (int64_t r = 0; r < g.rois; ++r) {
    const Region<R> b = region<R>(attrs, g, rois, r);
    const R bin_h = b.height / static_cast<R>(P), bin_w = b.width / static_cast<R>(P);
    const R sub_h = bin_h / static_cast<R>(g.samples), sub_w = bin_w / static_cast<R>(g.samples);
    for (int64_t k = 0; k < g.output_dim; ++k)
      for (int64_t ph = 0; ph < P; ++ph)
        for (int64_t pw = 0; pw < P; ++pw) {
          PsSample s;
          s.out = ((r * g.output_dim + k) * P + ph) * P + pw;
          s.plane = (b.batch * g.channels + group_channel(g, k, ph, pw)) * HW;
          s.roi_h = static_cast<double>(b.height);
          s.roi_w = static_cast<double>(b.width);
          R tx = 0, ty = 0;
          if (g.trans) {
            const int64_t part_h = static_cast<int64_t>(std::floor(static_cast<R>(ph) / static_cast<R>(P) * g.part));
            const int64_t part_w = static_cast<int64_t>(std::floor(static_cast<R>(pw) / static_cast<R>(P) * g.part));
            const int64_t base = (r * g.classes + k / per_class) * 2;
            s.trans_x = (base * g.part + part_h) * g.part + part_w;
            s.trans_y = ((base + 1) * g.part + part_h) * g.part + part_w;
            tx = static_cast<R>(trans[static_cast<size_t>(s.trans_x)]) * trans_std;
            ty = static_cast<R>(trans[static_cast<size_t>(s.trans_y)]) * trans_std;
          }
          const R wstart = static_cast<R>(pw) * bin_w + b.start_w + tx * b.width;
          const R hstart = static_cast<R>(ph) * bin_h + b.start_h + ty * b.height;
          begin(s.out);
          int64_t count = 0;
          for (int64_t ih = 0; ih < g.samples; ++ih)
            for (int64_t iw = 0; iw < g.samples; ++iw) {
              R w = wstart + static_cast<R>(iw) * sub_w, h = hstart + static_cast<R>(ih) * sub_h;
              // Points more than half a pixel outside are skipped; the rest move onto the border.
              if (!(w >= R(-0.5) && w <= static_cast<R>(g.width) - R(0.5) && h >= R(-0.5) &&
                    h <= static_cast<R>(g.height) - R(0.5)))
                continue;
              s.w = static_cast<double>(std::min(std::max(w, R(0)), static_cast<R>(g.width - 1)));
              s.h = static_cast<double>(std::min(std::max(h, R(0)), static_cast<R>(g.height - 1)));
              sample(s);
              ++count;
            }
          end(s.out, count);
        }
  }
}

// Bilinear interpolation between the floor and ceil pixels (one pixel at integer positions).
struct Bilinear {
  int64_t x0, x1, y0, y1;
  double dx, dy;
  Bilinear(double h, double w) {
    x0 = static_cast<int64_t>(std::floor(w));
    x1 = static_cast<int64_t>(std::ceil(w));
    y0 = static_cast<int64_t>(std::floor(h));
    y1 = static_cast<int64_t>(std::ceil(h));
    dx = w - static_cast<double>(x0);
    dy = h - static_cast<double>(y0);
  }
};

template <typename R>
void dpsroi_forward_impl(const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const PsGeom g = kernel_geom(attrs, in[0].shape, in[1].shape, in.size() > 2 ? &in[2].shape : nullptr);
  const std::vector<double> x = blob_doubles(in[0]), rois = blob_doubles(in[1]);
  const std::vector<double> trans = g.trans ? blob_doubles(in[2]) : std::vector<double>{};
  std::vector<double> y(static_cast<size_t>(out[0].size()), 0.0), counts(y.size(), 0.0);
  double sum = 0;
  for_each_dps_bin<R>(
      attrs, g, rois, trans, [&](int64_t) { sum = 0; },
      [&](const PsSample& s) {
        const Bilinear q(s.h, s.w);
        const double* p = x.data() + s.plane;
        sum += (1 - q.dx) * (1 - q.dy) * p[q.y0 * g.width + q.x0] + (1 - q.dx) * q.dy * p[q.y1 * g.width + q.x0] +
               q.dx * (1 - q.dy) * p[q.y0 * g.width + q.x1] + q.dx * q.dy * p[q.y1 * g.width + q.x1];
      },
      [&](int64_t o, int64_t count) {
        y[static_cast<size_t>(o)] = count == 0 ? 0.0 : sum / static_cast<double>(count);
        counts[static_cast<size_t>(o)] = static_cast<double>(count);
      });
  store_doubles(y, out[0]);
  store_doubles(counts, out[1]);
}

void dpsroi_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  if (in[0].dtype == DType::kFloat64) dpsroi_forward_impl<double>(attrs, in, out);
  else dpsroi_forward_impl<float>(attrs, in, out);
}

// Backward inputs (ograd, data, rois, [trans]); outputs the gradients of data and, with trans, of
// trans (MXNet's: the bilinear weights' derivatives at the clamped point, scaled by trans_std
// and the region's size).
void dpsroi_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[1].empty() || (*in)[2].empty()) return;
  const bool trans = !attrs.get_bool("no_trans");
  const PsGeom g = ps_geom(attrs, (*in)[1], (*in)[2], trans ? &(*in)[3] : nullptr);
  expect_input_shape(attrs, *in, 0, Shape{g.rois, g.output_dim, g.pooled, g.pooled});
  (*out)[0] = (*in)[1];
  if (trans) (*out)[1] = (*in)[3];
}

template <typename R>
void dpsroi_backward_impl(const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const bool has_trans = !attrs.get_bool("no_trans");
  const PsGeom g = kernel_geom(attrs, in[1].shape, in[2].shape, has_trans ? &in[3].shape : nullptr);
  const std::vector<double> dy = blob_doubles(in[0]), x = blob_doubles(in[1]), rois = blob_doubles(in[2]);
  const std::vector<double> trans = has_trans ? blob_doubles(in[3]) : std::vector<double>{};
  const double trans_std = attrs.get_float("trans_std");
  std::vector<double> dx(x.size(), 0.0), dtrans(trans.size(), 0.0);
  // The count of a bin is known only after its samples; collect them first.
  std::vector<PsSample> pending;
  for_each_dps_bin<R>(
      attrs, g, rois, trans, [&](int64_t) { pending.clear(); }, [&](const PsSample& s) { pending.push_back(s); },
      [&](int64_t o, int64_t count) {
        if (count == 0) return;
        const double diff = dy[static_cast<size_t>(o)] / static_cast<double>(count);
        for (const PsSample& s : pending) {
          const Bilinear q(s.h, s.w);
          double* d = dx.data() + s.plane;
          d[q.y0 * g.width + q.x0] += (1 - q.dx) * (1 - q.dy) * diff;
          d[q.y1 * g.width + q.x0] += (1 - q.dx) * q.dy * diff;
          d[q.y0 * g.width + q.x1] += q.dx * (1 - q.dy) * diff;
          d[q.y1 * g.width + q.x1] += q.dx * q.dy * diff;
          if (s.trans_x < 0) continue;
          const double* p = x.data() + s.plane;
          const double u00 = p[q.y0 * g.width + q.x0], u01 = p[q.y1 * g.width + q.x0];
          const double u10 = p[q.y0 * g.width + q.x1], u11 = p[q.y1 * g.width + q.x1];
          dtrans[static_cast<size_t>(s.trans_x)] +=
              (u11 * q.dy + u10 * (1 - q.dy) - u01 * q.dy - u00 * (1 - q.dy)) * trans_std * diff * s.roi_w;
          dtrans[static_cast<size_t>(s.trans_y)] +=
              (u11 * q.dx + u01 * (1 - q.dx) - u10 * q.dx - u00 * (1 - q.dx)) * trans_std * diff * s.roi_h;
        }
      });
  store_doubles(dx, out[0]);
  if (has_trans) store_doubles(dtrans, out[1]);
}

void dpsroi_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  if (in[1].dtype == DType::kFloat64) dpsroi_backward_impl<double>(attrs, in, out);
  else dpsroi_backward_impl<float>(attrs, in, out);
}

OpSample ps_sample(std::vector<Shape> shapes, KeyValues params, std::vector<int> no_grad) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  s.index_inputs = {1};
  s.index_high = 1;  // every roi is [0, 0, 0, 0, 0]
  s.no_grad_inputs = std::move(no_grad);
  return s;
}

#define MV_PS_SCALE_PARAM                                                                                 \
  required_param("spatial_scale", ParamType::kFloat,                                                    \
                 "Ratio of input feature map height (or w) to raw image height (or w). Equals the "     \
                 "reciprocal of total stride in convolutional layers")                                  \
      .required_param("output_dim", ParamType::kInt, "fix output dim")                                  \
      .bounds(1, 1e9)

}  // namespace

MV_REGISTER_OP(_contrib_DeformablePSROIPooling)
    .describe(
        "Deformable position-sensitive region-of-interest pooling (Deformable ConvNets). As PSROIPooling, but the "
        "region starts half a pixel earlier (pixel centres), and bin (i, j) averages sample_per_part^2 bilinear "
        "samples on a regular grid within it, shifted by trans_std * trans * (region width, height), where "
        "``trans`` (num_rois, 2 * num_classes, part_size, part_size) holds an (x, y) translation per part of the "
        "region and class (output channels are split evenly among the classes). Points more than half a pixel "
        "outside the map are skipped and the bin is their average (0 when none is left). With no_trans=True "
        "there is no trans input. A hidden second output holds each bin's sample count.\n\n"
        "Example::\n\n"
        "  x = arange(128).reshape((1, 8, 4, 4))\n"
        "  DeformablePSROIPooling(x, [[0, 0, 0, 3, 3]], spatial_scale=1, output_dim=2, pooled_size=2,\n"
        "                         group_size=2, no_trans=True)[0, 0] = [[0, 17.5], [38, 55.5]]")
    .input("data", "Input data to the pooling operator, a 4D Feature maps")
    .input("rois", "Bounding box coordinates, a 2D array of [[batch_index, x1, y1, x2, y2]]. (x1, y1) and (x2, y2) "
                   "are top left and down right corners of designated region of interest. batch_index indicates "
                   "the index of corresponding image in the input data")
    .input("trans", "transition parameter")
    .set_list_inputs(dpsroi_inputs)
    .MV_PS_SCALE_PARAM
    .required_param("group_size", ParamType::kInt, "fix group size")
    .bounds(1, 1e6)
    .required_param("pooled_size", ParamType::kInt, "fix pooled size")
    .bounds(1, 1e6)
    .param("part_size", ParamType::kInt, "0", "fix part size")
    .bounds(0, 1e6)
    .param("sample_per_part", ParamType::kInt, "1", "fix samples per part")
    .bounds(1, 1e4)
    .param("trans_std", ParamType::kFloat, "0", "fix transition std")
    .param("no_trans", ParamType::kBool, "False", "Whether to disable trans parameter.")
    .set_num_outputs(2)
    .set_num_visible_outputs([](const Attrs&) { return 1; })
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "top_count"}; })
    .set_infer_shape(psroi_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(dpsroi_forward)
    .set_gradient([](const GradContext& g) {
      if (g.attrs->get_bool("no_trans"))
        return std::vector<Tensor>{
            op("_backward_DeformablePSROIPooling", {g.ograd(), g.input(0), g.input(1)}, g.forward_params()), Tensor{}};
      std::vector<Tensor> d = op_all("_backward_DeformablePSROIPooling", {g.ograd(), g.input(0), g.input(1), g.input(2)},
                                     g.forward_params());
      return std::vector<Tensor>{d[0], Tensor{}, d[1]};
    })
    // Rois are all [0, 0, 0, 0, 0] (one pixel, so the samples sit on the clamped border where
    // MXNet's trans gradient ignores the clamp): trans is left out of the numeric check; the
    // golden cases compare its gradient with MXNet's.
    .add_sample(ps_sample({{1, 8, 4, 5}, {3, 5}, {3, 2, 2, 2}},
                          {{"spatial_scale", "1"}, {"output_dim", "2"}, {"pooled_size", "2"}, {"group_size", "2"},
                           {"trans_std", "0.1"}, {"sample_per_part", "2"}},
                          {2}))
    .add_sample(ps_sample({{1, 8, 4, 5}, {2, 5}},
                          {{"spatial_scale", "1"}, {"output_dim", "2"}, {"pooled_size", "3"}, {"group_size", "2"},
                           {"no_trans", "True"}},
                          {}));

MV_REGISTER_OP(_backward_DeformablePSROIPooling)
    .describe("Gradients of DeformablePSROIPooling: from (ograd, data, rois[, trans]) computes the gradients of data "
              "and, unless no_trans, trans. Takes DeformablePSROIPooling's parameters.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward data")
    .input("rois", "the regions")
    .input("trans", "the forward trans")
    .set_list_inputs([](const Attrs& attrs) {
      if (attrs.get_bool("no_trans")) return std::vector<std::string>{"ograd", "data", "rois"};
      return std::vector<std::string>{"ograd", "data", "rois", "trans"};
    })
    .params_from("_contrib_DeformablePSROIPooling")
    .set_num_outputs([](const Attrs& attrs) { return attrs.get_bool("no_trans") ? 1 : 2; })
    .set_infer_shape(dpsroi_backward_shape)
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) {
      for (auto& o : *out) o = (*in)[1];
    })
    .set_forward(dpsroi_backward)
    .set_non_differentiable();

}  // namespace minerva
