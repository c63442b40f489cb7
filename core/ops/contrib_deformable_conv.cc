// MXNet 1.x's deformable convolutions (contrib): DeformableConvolution (DCN v1) and
// ModulatedDeformableConvolution (DCN v2, with a per-tap mask), as im2col + GEMM where the
// column matrix holds the input bilinearly sampled at the offset positions.
//
// Note [Deformable sampling as MXNet does it]
// Tap (i, j) of output position (oh, ow) reads the input at
//   h = oh * stride_h - pad_h + i * dilate_h + offset[2 * (i * kw + j)]     (likewise w, channel + 1)
// where the offset channels of deformable group g start at g * 2 * kh * kw. The two versions
// sample differently:
//   v1: zero unless 0 <= h < H and 0 <= w < W; in the last row (column) only that row is read;
//   v2: zero unless -1 < h < H and -1 < w < W; corners outside the image count as zero.
// The backward pass is the exact derivative of each (MXNet 1.9.1's CPU v1 backward is; its v2
// backward exists on GPU only, and is the derivative of the v2 sampling).
// Reference kernels compute in double (one loop serves float16/32/64, STYLE rule 13).
#include <algorithm>
#include <cmath>

#include "core/base/checked.h"
#include "core/kernels/blas/gemm.h"
#include "core/ops/nn_extra_util.h"

namespace minerva {
namespace {

struct DeformGeom {
  bool modulated = false;
  int64_t batch = 0, channels = 0, filters = 0, groups = 1, dgroups = 1;
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0, kh = 0, kw = 0;
  int64_t sh = 1, sw = 1, dh = 1, dw = 1, ph = 0, pw = 0;
  int64_t taps() const { return kh * kw; }
  int64_t positions() const { return out_h * out_w; }
  Shape weight_shape() const { return {filters, channels / groups, kh, kw}; }
  Shape offset_shape() const { return {batch, 2 * taps() * dgroups, out_h, out_w}; }
  Shape mask_shape() const { return {batch, taps() * dgroups, out_h, out_w}; }
  Shape out_shape() const { return {batch, filters, out_h, out_w}; }
};

// Reads a 2-D shape parameter; "()" gives `fallback` for both dimensions.
void pair_param(const Attrs& attrs, const char* name, int64_t fallback, int64_t lo, int64_t* a, int64_t* b) {
  const Shape& v = attrs.get_shape(name);
  MV_CHECK(v.empty() || v.size() == 2, kValue)
      << "Operator " << attrs.op->name << ": " << name << " must be (h, w) like the 2-D kernel, got " << shape_str(v);
  *a = v.empty() ? fallback : v[0];
  *b = v.empty() ? fallback : v[1];
  MV_CHECK(*a >= lo && *b >= lo, kValue)
      << "Operator " << attrs.op->name << ": " << name << " " << shape_str(v) << " must be >= " << lo;
}

DeformGeom deform_geom(const Attrs& attrs, const Shape& data) {
  const std::string& who = attrs.op->name;
  const Shape& kernel = attrs.get_shape("kernel");
  MV_CHECK(kernel.size() == 2, kUnsupported)
      << "Operator " << who << ": only 2-D kernels (h, w) are supported, got kernel " << shape_str(kernel);
  if (!attrs.is_none("layout")) {
    MV_CHECK(attrs.get_str("layout") == "NCHW", kValue)
        << "Operator " << who << ": layout " << attrs.get_str("layout") << " does not match the 2-D kernel; expected NCHW";
  }
  MV_CHECK(data.size() == 4, kValue) << "Operator " << who
                                     << ": data must be 4-D (batch, channel, height, width), got shape " << shape_str(data);
  DeformGeom g;
  g.modulated = attrs.op->name.find("Modulated") != std::string::npos;
  pair_param(attrs, "kernel", 1, 1, &g.kh, &g.kw);
  pair_param(attrs, "stride", 1, 1, &g.sh, &g.sw);
  pair_param(attrs, "dilate", 1, 1, &g.dh, &g.dw);
  pair_param(attrs, "pad", 0, 0, &g.ph, &g.pw);
  g.batch = data[0];
  g.channels = data[1];
  g.in_h = data[2];
  g.in_w = data[3];
  g.filters = attrs.get_int("num_filter");
  g.groups = attrs.get_int("num_group");
  g.dgroups = attrs.get_int("num_deformable_group");
  MV_CHECK(g.channels % g.groups == 0 && g.filters % g.groups == 0, kValue)
      << "Operator " << who << ": num_group " << g.groups << " must divide both the input channels (" << g.channels
      << ", data shape " << shape_str(data) << ") and num_filter (" << g.filters << ")";
  MV_CHECK(g.channels % g.dgroups == 0, kValue)
      << "Operator " << who << ": num_deformable_group " << g.dgroups << " must divide the input channels ("
      << g.channels << ", data shape " << shape_str(data) << ")";
  const int64_t span_h = g.dh * (g.kh - 1) + 1, span_w = g.dw * (g.kw - 1) + 1;
  MV_CHECK(g.in_h + 2 * g.ph >= span_h && g.in_w + 2 * g.pw >= span_w, kValue)
      << "Operator " << who << ": kernel " << shape_str(kernel) << " (dilated extent (" << span_h << ", " << span_w
      << ")) exceeds the padded input (data shape " << shape_str(data) << ")";
  g.out_h = (g.in_h + 2 * g.ph - span_h) / g.sh + 1;
  g.out_w = (g.in_w + 2 * g.pw - span_w) / g.sw + 1;
  MV_CHECK(g.channels / g.groups * g.taps() < (int64_t{1} << 40), kValue)
      << "Operator " << who << ": channels x kernel size is too large";
  return g;
}

void fill_shape(const Attrs& attrs, std::vector<Shape>* in, size_t i, const Shape& want) {
  if ((*in)[i].empty()) (*in)[i] = want;
  else if ((*in)[i] != want)
    shape_mismatch(attrs, "input '" + attrs.op->inputs_for(attrs).at(i) + "'", want, (*in)[i]);
}

// Input positions: data, offset, [mask], weight, [bias].
size_t weight_index(const DeformGeom& g) { return g.modulated ? 3 : 2; }

void deform_infer_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;
  const DeformGeom g = deform_geom(attrs, (*in)[0]);
  fill_shape(attrs, in, 1, g.offset_shape());
  if (g.modulated) fill_shape(attrs, in, 2, g.mask_shape());
  fill_shape(attrs, in, weight_index(g), g.weight_shape());
  if (!attrs.get_bool("no_bias")) fill_shape(attrs, in, weight_index(g) + 1, Shape{g.filters});
  (*out)[0] = g.out_shape();
}

// Backward inputs: ograd, then the forward's inputs without bias; outputs: their gradients (+ bias).
void deform_backward_infer_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[1].empty()) return;
  const DeformGeom g = deform_geom(attrs, (*in)[1]);
  fill_shape(attrs, in, 0, g.out_shape());
  fill_shape(attrs, in, 2, g.offset_shape());
  if (g.modulated) fill_shape(attrs, in, 3, g.mask_shape());
  fill_shape(attrs, in, weight_index(g) + 1, g.weight_shape());
  for (size_t i = 1; i < in->size(); ++i) (*out)[i - 1] = (*in)[i];
  if (!attrs.get_bool("no_bias")) (*out)[in->size() - 1] = Shape{g.filters};
}

// ---- sampling (Note [Deformable sampling as MXNet does it]) ---------------------------------

// The four corners of a sample with their weights (a corner outside the image has weight 0)
// and the derivatives of those weights by h and w. False when the sample is 0 altogether.
struct Corners {
  int64_t at[4] = {-1, -1, -1, -1};  // flat index in the plane, -1 when outside
  double weight[4] = {0, 0, 0, 0};
  double dh[4] = {0, 0, 0, 0}, dw[4] = {0, 0, 0, 0};
};

// v1: inside [0, H) x [0, W) only; a sample in the last row (column) reads that row alone, so
// its weights do not depend on h (w) there.
bool corners_v1(int64_t H, int64_t W, double h, double w, Corners* c) {
  if (!(h >= 0 && w >= 0 && h < H && w < W)) return false;
  int64_t h0 = static_cast<int64_t>(std::floor(h)), w0 = static_cast<int64_t>(std::floor(w));
  const bool clamp_h = h0 >= H - 1, clamp_w = w0 >= W - 1;
  if (clamp_h) h0 = H - 1;
  if (clamp_w) w0 = W - 1;
  const double lh = clamp_h ? 0.0 : h - static_cast<double>(h0), lw = clamp_w ? 0.0 : w - static_cast<double>(w0);
  for (int k = 0; k < 4; ++k) {
    const int64_t y = clamp_h ? h0 : h0 + k / 2, x = clamp_w ? w0 : w0 + k % 2;
    const double wy = k / 2 ? lh : 1 - lh, wx = k % 2 ? lw : 1 - lw;
    c->at[k] = y * W + x;
    c->weight[k] = wy * wx;
    c->dh[k] = clamp_h ? 0.0 : (k / 2 ? 1.0 : -1.0) * wx;
    c->dw[k] = clamp_w ? 0.0 : (k % 2 ? 1.0 : -1.0) * wy;
  }
  return true;
}

// v2: inside (-1, H) x (-1, W); corners outside the image count as zero.
bool corners_v2(int64_t H, int64_t W, double h, double w, Corners* c) {
  if (!(h > -1 && w > -1 && h < H && w < W)) return false;
  const int64_t h0 = static_cast<int64_t>(std::floor(h)), w0 = static_cast<int64_t>(std::floor(w));
  const double lh = h - static_cast<double>(h0), lw = w - static_cast<double>(w0);
  for (int k = 0; k < 4; ++k) {
    const int64_t y = h0 + k / 2, x = w0 + k % 2;
    if (y < 0 || y >= H || x < 0 || x >= W) continue;
    const double wy = k / 2 ? lh : 1 - lh, wx = k % 2 ? lw : 1 - lw;
    c->at[k] = y * W + x;
    c->weight[k] = wy * wx;
    c->dh[k] = (k / 2 ? 1.0 : -1.0) * wx;
    c->dw[k] = (k % 2 ? 1.0 : -1.0) * wy;
  }
  return true;
}

bool corners(const DeformGeom& g, double h, double w, Corners* c) {
  return g.modulated ? corners_v2(g.in_h, g.in_w, h, w, c) : corners_v1(g.in_h, g.in_w, h, w, c);
}

double sample_at(const DeformGeom& g, const double* plane, double h, double w) {
  Corners c;
  if (!corners(g, h, w, &c)) return 0.0;
  double v = 0;
  for (int k = 0; k < 4; ++k)
    if (c.at[k] >= 0) v += c.weight[k] * plane[c.at[k]];
  return v;
}

// Visits every (channel, tap, output position) of image n: f(row of col, position, h, w, offset
// index of the h offset, mask index) with h, w the sampling position.
template <typename F>
void for_each_sample(const DeformGeom& g, const std::vector<double>& offset, int64_t n, F&& f) {
  const int64_t K = g.taps(), P = g.positions(), per_group = g.channels / g.dgroups;
  parallel_for(g.channels, [&](int64_t c) {
    const int64_t dg = c / per_group;
    for (int64_t kk = 0; kk < K; ++kk) {
      const int64_t i = kk / g.kw, j = kk % g.kw;
      const int64_t off_h = ((n * g.dgroups + dg) * 2 * K + 2 * kk) * P, mask_at = ((n * g.dgroups + dg) * K + kk) * P;
      for (int64_t p = 0; p < P; ++p) {
        const int64_t oh = p / g.out_w, ow = p % g.out_w;
        const double h = static_cast<double>(oh * g.sh - g.ph + i * g.dh) + offset[static_cast<size_t>(off_h + p)];
        const double w = static_cast<double>(ow * g.sw - g.pw + j * g.dw) + offset[static_cast<size_t>(off_h + P + p)];
        f(c, c * K + kk, p, h, w, off_h + p, mask_at + p);
      }
    }
  });
}

// col (C*K, P) of image n: the sampled input, times the mask for v2.
void deform_im2col(const DeformGeom& g, const std::vector<double>& x, const std::vector<double>& offset,
                   const std::vector<double>* mask, int64_t n, std::vector<double>* col) {
  const int64_t P = g.positions(), HW = g.in_h * g.in_w;
  for_each_sample(g, offset, n, [&](int64_t c, int64_t row, int64_t p, double h, double w, int64_t, int64_t m) {
    const double* plane = x.data() + (n * g.channels + c) * HW;
    const double v = sample_at(g, plane, h, w);
    (*col)[static_cast<size_t>(row * P + p)] = g.modulated ? v * (*mask)[static_cast<size_t>(m)] : v;
  });
}

// Elements of the column matrix (C*K, P), checked: it can be far larger than the inputs.
size_t col_elements(const DeformGeom& g) {
  const char* name = g.modulated ? "_contrib_ModulatedDeformableConvolution" : "_contrib_DeformableConvolution";
  const std::string what = std::string("Operator ") + name + ": the column buffer";
  const int64_t n = checked_mul(checked_mul(g.channels, g.taps(), what), g.positions(), what);
  MV_CHECK(n < (int64_t{1} << 36), kValue)
      << "Operator " << (g.modulated ? "_contrib_ModulatedDeformableConvolution" : "_contrib_DeformableConvolution")
      << ": the column buffer (channels x kernel taps x output positions = " << g.channels << " x " << g.taps()
      << " x " << g.positions() << ") is too large";
  return static_cast<size_t>(n);
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
          int64_t ldb, double beta, double* c, int64_t ldc) {
  blas::gemm_typed(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc, "DeformableConvolution");
}

void deform_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const DeformGeom g = deform_geom(attrs, in[0].shape);
  const size_t wi = weight_index(g);
  const std::vector<double> x = blob_doubles(in[0]), offset = blob_doubles(in[1]), wt = blob_doubles(in[wi]);
  std::vector<double> mask;
  if (g.modulated) mask = blob_doubles(in[2]);
  std::vector<double> bias;
  if (!attrs.get_bool("no_bias")) bias = blob_doubles(in[wi + 1]);
  const int64_t P = g.positions(), K = g.taps(), Fg = g.filters / g.groups, Kg = g.channels / g.groups * K;
  std::vector<double> col(col_elements(g)), y(static_cast<size_t>(out[0].size()));
  for (int64_t n = 0; n < g.batch; ++n) {
    deform_im2col(g, x, offset, &mask, n, &col);
    double* yn = y.data() + n * g.filters * P;
    for (int64_t grp = 0; grp < g.groups; ++grp)
      gemm(false, false, Fg, P, Kg, wt.data() + grp * Fg * Kg, Kg, col.data() + grp * Kg * P, P, 0.0,
           yn + grp * Fg * P, P);
    if (!bias.empty())
      for (int64_t f = 0; f < g.filters; ++f)
        for (int64_t p = 0; p < P; ++p) yn[f * P + p] += bias[static_cast<size_t>(f)];
  }
  store_doubles(y, out[0]);
}

// Inputs: ograd, data, offset, [mask], weight; outputs: their gradients after ograd's, then bias's.
void deform_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const DeformGeom g = deform_geom(attrs, in[1].shape);
  const size_t wi = weight_index(g) + 1;
  const std::vector<double> dy = blob_doubles(in[0]), x = blob_doubles(in[1]), offset = blob_doubles(in[2]),
                            wt = blob_doubles(in[wi]);
  std::vector<double> mask;
  if (g.modulated) mask = blob_doubles(in[3]);
  const int64_t P = g.positions(), K = g.taps(), Fg = g.filters / g.groups, Kg = g.channels / g.groups * K;
  const int64_t HW = g.in_h * g.in_w;
  std::vector<double> col(col_elements(g)), dcol(col.size());
  std::vector<double> dx(x.size(), 0.0), doff(offset.size(), 0.0), dmask(mask.size(), 0.0), dw(wt.size(), 0.0);
  // Per-channel partial sums of the offset and mask gradients (channels of one deformable group
  // share an offset), reduced serially so the parallel loop writes only its own channel.
  std::vector<double> doff_c(static_cast<size_t>(g.channels * 2 * K * P)), dmask_c(static_cast<size_t>(g.channels * K * P));
  for (int64_t n = 0; n < g.batch; ++n) {
    deform_im2col(g, x, offset, &mask, n, &col);
    const double* dyn = dy.data() + n * g.filters * P;
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      gemm(false, true, Fg, Kg, P, dyn + grp * Fg * P, P, col.data() + grp * Kg * P, P, 1.0,
           dw.data() + grp * Fg * Kg, Kg);
      gemm(true, false, Kg, P, Fg, wt.data() + grp * Fg * Kg, Kg, dyn + grp * Fg * P, P, 0.0,
           dcol.data() + grp * Kg * P, P);
    }
    double* dxn = dx.data() + n * g.channels * HW;
    for_each_sample(g, offset, n, [&](int64_t c, int64_t row, int64_t p, double h, double w, int64_t, int64_t m) {
      const double* plane = x.data() + (n * g.channels + c) * HW;
      const double m_val = g.modulated ? mask[static_cast<size_t>(m)] : 1.0;
      const double grad = dcol[static_cast<size_t>(row * P + p)];
      const int64_t kk = row % K;
      double gh = 0, gw = 0, v = 0;
      Corners cs;
      if (corners(g, h, w, &cs))
        for (int k = 0; k < 4; ++k) {
          if (cs.at[k] < 0) continue;
          dxn[c * HW + cs.at[k]] += grad * m_val * cs.weight[k];
          gh += cs.dh[k] * plane[cs.at[k]];
          gw += cs.dw[k] * plane[cs.at[k]];
          v += cs.weight[k] * plane[cs.at[k]];
        }
      doff_c[static_cast<size_t>((c * 2 * K + 2 * kk) * P + p)] = grad * m_val * gh;
      doff_c[static_cast<size_t>((c * 2 * K + 2 * kk + 1) * P + p)] = grad * m_val * gw;
      dmask_c[static_cast<size_t>((c * K + kk) * P + p)] = grad * v;
    });
    const int64_t per_group = g.channels / g.dgroups;
    for (int64_t c = 0; c < g.channels; ++c) {
      const int64_t dg = c / per_group;
      for (int64_t r = 0; r < 2 * K * P; ++r)
        doff[static_cast<size_t>((n * g.dgroups + dg) * 2 * K * P + r)] += doff_c[static_cast<size_t>(c * 2 * K * P + r)];
      if (g.modulated)
        for (int64_t r = 0; r < K * P; ++r)
          dmask[static_cast<size_t>((n * g.dgroups + dg) * K * P + r)] += dmask_c[static_cast<size_t>(c * K * P + r)];
    }
  }
  size_t o = 0;
  store_doubles(dx, out[o++]);
  store_doubles(doff, out[o++]);
  if (g.modulated) store_doubles(dmask, out[o++]);
  store_doubles(dw, out[o++]);
  if (!attrs.get_bool("no_bias")) {
    std::vector<double> db(static_cast<size_t>(g.filters), 0.0);
    for (int64_t n = 0; n < g.batch; ++n)
      for (int64_t f = 0; f < g.filters; ++f)
        for (int64_t p = 0; p < P; ++p) db[static_cast<size_t>(f)] += dy[static_cast<size_t>((n * g.filters + f) * P + p)];
    store_doubles(db, out[o]);
  }
}

std::vector<std::string> dcn_inputs(const Attrs& attrs) {
  if (attrs.get_bool("no_bias")) return {"data", "offset", "weight"};
  return {"data", "offset", "weight", "bias"};
}

std::vector<std::string> mdcn_inputs(const Attrs& attrs) {
  if (attrs.get_bool("no_bias")) return {"data", "offset", "mask", "weight"};
  return {"data", "offset", "mask", "weight", "bias"};
}

OpSample dcn_sample(std::vector<Shape> shapes, KeyValues params, double lo, double hi, bool grad_check = true) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  s.lo = lo;
  s.hi = hi;
  s.grad_check = grad_check;
  return s;
}

#define MV_DEFORMABLE_CONV_PARAMS                                                                             \
  required_param("kernel", ParamType::kShape, "Convolution kernel size: (h, w) or (d, h, w)")                   \
      .kind(ParamKind::kPerDim)                                                                                 \
      .param("stride", ParamType::kShape, "()",                                                                 \
             "Convolution stride: (h, w) or (d, h, w). Defaults to 1 for each dimension.")                      \
      .kind(ParamKind::kPerDim)                                                                                 \
      .param("dilate", ParamType::kShape, "()",                                                                 \
             "Convolution dilate: (h, w) or (d, h, w). Defaults to 1 for each dimension.")                      \
      .kind(ParamKind::kPerDim)                                                                                 \
      .param("pad", ParamType::kShape, "()", "Zero pad for convolution: (h, w) or (d, h, w). Defaults to no padding.") \
      .kind(ParamKind::kPerDim)                                                                                 \
      .required_param("num_filter", ParamType::kInt, "Convolution filter(channel) number")                     \
      .bounds(1, 1e9)                                                                                           \
      .param("num_group", ParamType::kInt, "1", "Number of group partitions.")                                  \
      .bounds(1, 1e9)                                                                                           \
      .param("num_deformable_group", ParamType::kInt, "1", "Number of deformable group partitions.")            \
      .bounds(1, 1e9)                                                                                           \
      .param("workspace", ParamType::kInt, "1024",                                                              \
             "Maximum temperal workspace allowed for convolution (MB). Accepted for compatibility; the CPU "    \
             "kernel sizes its scratch memory itself.")                                                         \
      .bounds(0, 1e18)                                                                                          \
      .param("no_bias", ParamType::kBool, "False", "Whether to disable bias parameter.")

}  // namespace

MV_REGISTER_OP(_contrib_DeformableConvolution)
    .describe(
        "Computes 2-D deformable convolution (Dai et al., Deformable Convolutional Networks, 2017): every kernel "
        "tap reads the input at its regular position plus a learned fractional offset, bilinearly interpolated.\n\n"
        "- **data**: *(batch_size, channel, height, width)*\n"
        "- **offset**: *(batch_size, 2 * kernel[0] * kernel[1] * num_deformable_group, out_height, out_width)*: "
        "for deformable group g and tap (i, j), channel g*2*kh*kw + 2*(i*kw + j) holds the vertical offset and "
        "the next channel the horizontal one\n"
        "- **weight**: *(num_filter, channel / num_group, kernel[0], kernel[1])*\n"
        "- **bias**: *(num_filter,)*\n"
        "- **out**: *(batch_size, num_filter, out_height, out_width)*, sized as for Convolution\n\n"
        "The channels are split into num_deformable_group groups that each have their own offsets. A sample "
        "outside the input is 0.\n\n"
        "Example::\n\n"
        "  x = arange(16).reshape((1, 1, 4, 4)); w = ones((1, 1, 3, 3))\n"
        "  DeformableConvolution(x, zeros((1, 18, 2, 2)) + 0.5, w, kernel=(3, 3), num_filter=1, no_bias=True)\n"
        "    = [[[[67.5, 75.], [97.5, 105.]]]]")
    .input("data", "Input data to the DeformableConvolutionOp.")
    .input("offset", "Input offset to the DeformableConvolutionOp.")
    .input("weight", "Weight matrix.")
    .input("bias", "Bias parameter.")
    .set_list_inputs(dcn_inputs)
    .MV_DEFORMABLE_CONV_PARAMS
    .enum_param("layout", {"NCDHW", "NCHW", "NCW"}, "None",
                "Set layout for input, output and weight. Empty for default layout: NCW for 1d, NCHW for 2d and "
                "NCDHW for 3d. Only 2-D NCHW is supported.")
    .set_infer_shape(deform_infer_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(deform_forward)
    .set_gradient([](const GradContext& g) {
      return op_all("_backward_DeformableConvolution", {g.ograd(), g.input(0), g.input(1), g.input(2)},
                    g.forward_params());
    })
    // Sampling positions stay strictly inside (offsets in (0.1, 0.4), the far border out of reach),
    // where the bilinear sampling is smooth and MXNet's backward is its exact derivative.
    .add_sample(dcn_sample({{1, 2, 7, 7}, {1, 8, 3, 3}, {3, 2, 2, 2}, {3}},
                           {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"num_filter", "3"}}, 0.1, 0.4))
    .add_sample(dcn_sample({{2, 4, 5, 5}, {2, 36, 5, 5}, {4, 2, 3, 3}},
                           {{"kernel", "(3, 3)"}, {"pad", "(1, 1)"}, {"num_filter", "4"}, {"num_group", "2"},
                            {"num_deformable_group", "2"}, {"no_bias", "True"}},
                           -1.0, 1.0, false));

MV_REGISTER_OP(_backward_DeformableConvolution)
    .describe("Gradients of DeformableConvolution: from (ograd, data, offset, weight) computes the gradients of "
              "data, offset, weight and, unless no_bias, bias. Takes DeformableConvolution's parameters.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward data")
    .input("offset", "the forward offset")
    .input("weight", "the forward weight")
    .params_from("_contrib_DeformableConvolution")
    .set_num_outputs([](const Attrs& attrs) { return attrs.get_bool("no_bias") ? 3 : 4; })
    .set_infer_shape(deform_backward_infer_shape)
    .set_forward(deform_backward)
    .set_non_differentiable()
    .add_sample(dcn_sample({{1, 3, 3, 3}, {1, 2, 7, 7}, {1, 8, 3, 3}, {3, 2, 2, 2}},
                           {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"num_filter", "3"}}, 0.1, 0.4, false));

MV_REGISTER_OP(_contrib_ModulatedDeformableConvolution)
    .describe(
        "Computes 2-D modulated deformable convolution (Zhu et al., Deformable ConvNets v2, 2018): as "
        "DeformableConvolution, and every sample is also multiplied by a learned mask value.\n\n"
        "- **mask**: *(batch_size, kernel[0] * kernel[1] * num_deformable_group, out_height, out_width)*, "
        "channel g*kh*kw + i*kw + j for deformable group g and tap (i, j)\n\n"
        "The other inputs are those of DeformableConvolution. A sample reads the four neighbouring pixels with "
        "those outside the input counting as 0, so it is 0 only beyond one pixel outside.\n\n"
        "Example::\n\n"
        "  x = arange(16).reshape((1, 1, 4, 4)); w = ones((1, 1, 1, 1))\n"
        "  off = zeros((1, 2, 4, 4)); off[0, 0] = 0.5\n"
        "  ModulatedDeformableConvolution(x, off, ones((1, 1, 4, 4)), w, kernel=(1, 1), num_filter=1,\n"
        "                                 no_bias=True)[0, 0, 3] = [6, 6.5, 7, 7.5]")
    .input("data", "Input data to the ModulatedDeformableConvolutionOp.")
    .input("offset", "Input offset to ModulatedDeformableConvolutionOp.")
    .input("mask", "Input mask to the ModulatedDeformableConvolutionOp.")
    .input("weight", "Weight matrix.")
    .input("bias", "Bias parameter.")
    .set_list_inputs(mdcn_inputs)
    .MV_DEFORMABLE_CONV_PARAMS
    .param("im2col_step", ParamType::kInt, "64",
           "Maximum number of images per im2col computation; The total batch size should be divisable by this "
           "value or smaller than this value; if you face out of memory problem, you can try to use a smaller value "
           "here.")
    .bounds(1, 1e9)
    .enum_param("layout", {"NCDHW", "NCHW", "NCW"}, "None",
                "Set layout for input, output and weight. Empty for default layout: NCW for 1d, NCHW for 2d and "
                "NCDHW for 3d. Only 2-D NCHW is supported.")
    .set_infer_shape(deform_infer_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(deform_forward)
    .set_gradient([](const GradContext& g) {
      return op_all("_backward_ModulatedDeformableConvolution",
                    {g.ograd(), g.input(0), g.input(1), g.input(2), g.input(3)}, g.forward_params());
    })
    .add_sample(dcn_sample({{1, 2, 7, 7}, {1, 8, 3, 3}, {1, 4, 3, 3}, {3, 2, 2, 2}, {3}},
                           {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"num_filter", "3"}}, 0.1, 0.4))
    .add_sample(dcn_sample({{2, 4, 5, 5}, {2, 36, 5, 5}, {2, 18, 5, 5}, {4, 2, 3, 3}},
                           {{"kernel", "(3, 3)"}, {"pad", "(1, 1)"}, {"num_filter", "4"}, {"num_group", "2"},
                            {"num_deformable_group", "2"}, {"no_bias", "True"}},
                           -1.0, 1.0, false));

MV_REGISTER_OP(_backward_ModulatedDeformableConvolution)
    .describe("Gradients of ModulatedDeformableConvolution: from (ograd, data, offset, mask, weight) computes the "
              "gradients of data, offset, mask, weight and, unless no_bias, bias. Takes "
              "ModulatedDeformableConvolution's parameters.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward data")
    .input("offset", "the forward offset")
    .input("mask", "the forward mask")
    .input("weight", "the forward weight")
    .params_from("_contrib_ModulatedDeformableConvolution")
    .set_num_outputs([](const Attrs& attrs) { return attrs.get_bool("no_bias") ? 4 : 5; })
    .set_infer_shape(deform_backward_infer_shape)
    .set_forward(deform_backward)
    .set_non_differentiable()
    .add_sample(dcn_sample({{1, 3, 3, 3}, {1, 2, 7, 7}, {1, 8, 3, 3}, {1, 4, 3, 3}, {3, 2, 2, 2}},
                           {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"num_filter", "3"}}, 0.1, 0.4, false));

}  // namespace minerva
