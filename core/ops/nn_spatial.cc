// The spatial transformer family of MXNet 1.x: GridGenerator (affine or optical-flow sampling
// grids), BilinearSampler (sampling a 4-D input at grid points normalised to [-1, 1], zero
// outside) and SpatialTransformer (the two fused: an affine grid from `loc`, then bilinear
// sampling). Hidden outputs keep the grids their backward passes read, as in MXNet.
#include <cmath>

#include "core/ops/nn_extra_util.h"

namespace minerva {
namespace {

void require_rank(const Attrs& attrs, const Shape& s, size_t rank, const std::string& what) {
  MV_CHECK(s.size() == rank, kValue) << "Operator " << attrs.op->name << ": " << what << " must be " << rank
                                     << "-D, got shape " << shape_str(s);
}

// ---- shared kernels (all in double) ---------------------------------------------------------------

// Pixel-space source coordinates of a grid point: x = (gx + 1) * (W - 1) / 2, likewise y.
struct BilinearCorner {
  int64_t x0 = 0, y0 = 0;   // top-left corner
  double wx = 0, wy = 0;    // weights of the top-left corner along x and y
};
BilinearCorner bilinear_corner(double gx, double gy, int64_t h, int64_t w) {
  // Points beyond the image (infinite ones too) are moved to just outside it, where all four
  // neighbours read zero; this keeps the integer conversion defined. NaN stays NaN.
  auto clamp = [](double v, double hi) { return std::isnan(v) ? v : std::fmax(-2.0, std::fmin(v, hi)); };
  const double x = clamp((gx + 1) * static_cast<double>(w - 1) / 2, static_cast<double>(w) + 1);
  const double y = clamp((gy + 1) * static_cast<double>(h - 1) / 2, static_cast<double>(h) + 1);
  const double fx = std::isnan(x) ? -2.0 : std::floor(x), fy = std::isnan(y) ? -2.0 : std::floor(y);
  BilinearCorner c;
  c.x0 = static_cast<int64_t>(fx);
  c.y0 = static_cast<int64_t>(fy);
  c.wx = 1.0 - (x - fx);
  c.wy = 1.0 - (y - fy);
  return c;
}

// out (N, C, Ho, Wo) = data (N, C, H, W) sampled at grid (N, 2, Ho, Wo): channel 0 holds x,
// channel 1 holds y.
void bilinear_sample(const std::vector<double>& data, const Shape& ds, const std::vector<double>& grid, int64_t ho,
                     int64_t wo, std::vector<double>* out) {
  const int64_t c_n = ds[1], h = ds[2], w = ds[3], plane = ho * wo;
  parallel_for(ds[0] * c_n, [&](int64_t nc) {
    const int64_t n = nc / c_n;
    const double* img = data.data() + nc * h * w;
    auto at = [&](int64_t y, int64_t x) { return y >= 0 && y < h && x >= 0 && x < w ? img[y * w + x] : 0.0; };
    for (int64_t p = 0; p < plane; ++p) {
      const double gx = grid[static_cast<size_t>(n * 2 * plane + p)];
      const double gy = grid[static_cast<size_t>((n * 2 + 1) * plane + p)];
      const BilinearCorner k = bilinear_corner(gx, gy, h, w);
      (*out)[static_cast<size_t>(nc * plane + p)] =
          at(k.y0, k.x0) * k.wy * k.wx + at(k.y0, k.x0 + 1) * k.wy * (1 - k.wx) +
          at(k.y0 + 1, k.x0) * (1 - k.wy) * k.wx + at(k.y0 + 1, k.x0 + 1) * (1 - k.wy) * (1 - k.wx);
    }
  });
}

// Gradients of bilinear_sample for the output gradient g: gdata and ggrid (both zeroed here).
void bilinear_sample_backward(const std::vector<double>& g, const std::vector<double>& data, const Shape& ds,
                              const std::vector<double>& grid, int64_t ho, int64_t wo, std::vector<double>* gdata,
                              std::vector<double>* ggrid) {
  const int64_t c_n = ds[1], h = ds[2], w = ds[3], plane = ho * wo;
  gdata->assign(data.size(), 0.0);
  ggrid->assign(grid.size(), 0.0);
  parallel_for(ds[0], [&](int64_t n) {  // samples touch disjoint parts of gdata and ggrid
    for (int64_t p = 0; p < plane; ++p) {
      const size_t gxi = static_cast<size_t>(n * 2 * plane + p), gyi = static_cast<size_t>((n * 2 + 1) * plane + p);
      const BilinearCorner k = bilinear_corner(grid[gxi], grid[gyi], h, w);
      double dwx = 0, dwy = 0;  // d loss / d (top-left weights)
      for (int64_t c = 0; c < c_n; ++c) {
        const int64_t base = (n * c_n + c) * h * w;
        const double go = g[static_cast<size_t>((n * c_n + c) * plane + p)];
        double v[2][2];
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx) {
            const int64_t y = k.y0 + dy, x = k.x0 + dx;
            const bool inside = y >= 0 && y < h && x >= 0 && x < w;
            v[dy][dx] = inside ? data[static_cast<size_t>(base + y * w + x)] : 0.0;
            if (inside)
              (*gdata)[static_cast<size_t>(base + y * w + x)] +=
                  go * (dy ? 1 - k.wy : k.wy) * (dx ? 1 - k.wx : k.wx);
          }
        const double cross = v[0][0] - v[0][1] - v[1][0] + v[1][1];
        dwy += go * (v[0][1] - v[1][1] + cross * k.wx);
        dwx += go * (v[1][0] - v[1][1] + cross * k.wy);
      }
      // The top-left weights fall as the source coordinates grow.
      (*ggrid)[gyi] = -dwy * static_cast<double>(h - 1) / 2;
      (*ggrid)[gxi] = -dwx * static_cast<double>(w - 1) / 2;
    }
  });
}

// The target grid (3, H*W) of an affine transform: rows x, y (from -1 to 1) and ones.
std::vector<double> affine_target_grid(int64_t h, int64_t w) {
  std::vector<double> dst(static_cast<size_t>(3 * h * w));
  const double sx = 2.0 / static_cast<double>(w - 1), sy = 2.0 / static_cast<double>(h - 1);
  for (int64_t i = 0; i < h * w; ++i) {
    dst[static_cast<size_t>(i)] = -1.0 + static_cast<double>(i % w) * sx;
    dst[static_cast<size_t>(h * w + i)] = -1.0 + static_cast<double>(i / w) * sy;
    dst[static_cast<size_t>(2 * h * w + i)] = 1.0;
  }
  return dst;
}

// src (N, 2, H*W) = theta (N, 2, 3) . dst (3, H*W).
std::vector<double> affine_source_grid(const std::vector<double>& theta, int64_t n, const std::vector<double>& dst) {
  const int64_t hw = static_cast<int64_t>(dst.size()) / 3;
  std::vector<double> src(static_cast<size_t>(n * 2 * hw));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t i = 0; i < hw; ++i) {
        double s = 0;
        for (int64_t j = 0; j < 3; ++j)
          s += theta[static_cast<size_t>(b * 6 + r * 3 + j)] * dst[static_cast<size_t>(j * hw + i)];
        src[static_cast<size_t>((b * 2 + r) * hw + i)] = s;
      }
  return src;
}

// d theta (N, 6) = g (N, 2, H*W) . dst^T.
std::vector<double> affine_theta_grad(const std::vector<double>& g, int64_t n, const std::vector<double>& dst) {
  const int64_t hw = static_cast<int64_t>(dst.size()) / 3;
  std::vector<double> gt(static_cast<size_t>(n * 6), 0.0);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t j = 0; j < 3; ++j) {
        double s = 0;
        for (int64_t i = 0; i < hw; ++i)
          s += g[static_cast<size_t>((b * 2 + r) * hw + i)] * dst[static_cast<size_t>(j * hw + i)];
        gt[static_cast<size_t>(b * 6 + r * 3 + j)] = s;
      }
  return gt;
}

// (H, W) of an affine target_shape, both positive.
std::pair<int64_t, int64_t> target_hw(const Attrs& attrs) {
  const Shape& t = attrs.get_shape("target_shape");
  MV_CHECK(t.size() == 2 && t[0] > 0 && t[1] > 0, kValue)
      << "Operator " << attrs.op->name << ": target_shape must be a positive (height, width), got " << shape_str(t);
  return {t[0], t[1]};
}

void require_affine_theta(const Attrs& attrs, const Shape& s, const char* what) {
  require_rank(attrs, s, 2, std::string(what) + " (batch, 6)");
  MV_CHECK(s[1] == 6, kValue) << "Operator " << attrs.op->name << ": " << what
                              << " must hold 6 affine parameters per sample, got shape " << shape_str(s);
}

// ---- GridGenerator -------------------------------------------------------------------------------

bool is_affine(const Attrs& attrs) {
  const std::string& t = attrs.get_str("transform_type");
  if (t == "affine") return true;
  MV_CHECK(t == "warp", kValue) << "Operator " << attrs.op->name << ": unknown transform_type '" << t << "'";
  return false;
}

void grid_generator_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  if (is_affine(attrs)) {
    require_affine_theta(attrs, d, "data");
    auto [h, w] = target_hw(attrs);
    (*out)[0] = {d[0], 2, h, w};
    (*out)[1] = {3, h * w};  // grid_dst
  } else {
    require_rank(attrs, d, 4, "data (optical flow: batch, 2, height, width)");
    MV_CHECK(d[1] == 2, kValue) << "Operator GridGenerator: the flow must have 2 channels (x, y), got shape "
                                << shape_str(d);
    (*out)[0] = d;
    (*out)[1] = {2, d[2], d[3]};  // grid_dst
  }
}

// warp: out = (flow + (x, y) pixel coordinates) / ((W - 1) / 2, (H - 1) / 2) - 1.
void grid_generator_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                            const std::vector<TBlob>& out) {
  std::vector<double> d = blob_doubles(in[0]);
  if (is_affine(attrs)) {
    const std::vector<double> dst = affine_target_grid(out[0].shape[2], out[0].shape[3]);
    store_doubles(affine_source_grid(d, in[0].shape[0], dst), out[0]);
    store_doubles(dst, out[1]);
    return;
  }
  const int64_t h = in[0].shape[2], w = in[0].shape[3], plane = h * w;
  const double sx = static_cast<double>(w - 1) / 2, sy = static_cast<double>(h - 1) / 2;
  std::vector<double> dst(static_cast<size_t>(2 * plane));
  for (int64_t i = 0; i < plane; ++i) {
    dst[static_cast<size_t>(i)] = static_cast<double>(i % w);
    dst[static_cast<size_t>(plane + i)] = static_cast<double>(i / w);
  }
  for (size_t j = 0; j < d.size(); ++j) {
    const int64_t ch = (static_cast<int64_t>(j) / plane) % 2;
    d[j] = (d[j] + dst[static_cast<size_t>(ch * plane + static_cast<int64_t>(j) % plane)]) / (ch ? sy : sx) - 1;
  }
  store_doubles(d, out[0]);
  store_doubles(dst, out[1]);
}

// Inputs (ograd, grid_dst): affine d theta = ograd . grid_dst^T; warp d flow = ograd / scale.
void grid_generator_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& g = (*in)[0];
  if (g.empty()) return;
  require_rank(attrs, g, 4, "ograd (batch, 2, height, width)");
  MV_CHECK(g[1] == 2, kValue) << "Operator " << attrs.op->name << ": ograd must have 2 channels, got shape "
                              << shape_str(g);
  if (is_affine(attrs)) {
    expect_input_shape(attrs, *in, 1, {3, g[2] * g[3]});
    (*out)[0] = {g[0], 6};
  } else {
    expect_input_shape(attrs, *in, 1, {2, g[2], g[3]});
    (*out)[0] = g;
  }
}

void grid_generator_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                             const std::vector<TBlob>& out) {
  std::vector<double> g = blob_doubles(in[0]);
  if (is_affine(attrs)) {
    store_doubles(affine_theta_grad(g, in[0].shape[0], blob_doubles(in[1])), out[0]);
    return;
  }
  const int64_t h = in[0].shape[2], w = in[0].shape[3], plane = h * w;
  for (size_t j = 0; j < g.size(); ++j)
    g[j] /= ((static_cast<int64_t>(j) / plane) % 2 ? static_cast<double>(h - 1) : static_cast<double>(w - 1)) / 2;
  store_doubles(g, out[0]);
}

#define MV_GRID_GENERATOR_PARAMS                                                                                \
  enum_param("transform_type", {"affine", "warp"}, "",                                                          \
             "The type of transformation. For `affine`, input data should be an affine matrix of size "         \
             "(batch, 6). For `warp`, input data should be an optical flow of size (batch, 2, h, w).")          \
      .param("target_shape", ParamType::kShape, "(0, 0)",                                                       \
             "Specifies the output shape (H, W). This is required if transformation type is `affine`. If "      \
             "transformation type is `warp`, this parameter is ignored.").kind(ParamKind::kPerDim)

// ---- BilinearSampler -----------------------------------------------------------------------------

Shape sampler_out_shape(const Attrs& attrs, const Shape& d, const Shape& grid) {
  require_rank(attrs, d, 4, "data (batch, channel, height, width)");
  require_rank(attrs, grid, 4, "grid (batch, 2, height, width)");
  MV_CHECK(grid[0] == d[0] && grid[1] == 2, kValue)
      << "Operator " << attrs.op->name << ": grid must have shape (" << d[0] << ", 2, height, width) for data of "
      << "shape " << shape_str(d) << ", got " << shape_str(grid);
  return {d[0], d[1], grid[2], grid[3]};
}

void sampler_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &d = (*in)[0], &grid = (*in)[1];
  if (d.empty() || grid.empty()) return;
  (*out)[0] = sampler_out_shape(attrs, d, grid);
  (*out)[1] = {grid[0], grid[2], grid[3], 2};  // tmp: the grid as (batch, height, width, 2)
}

void sampler_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const std::vector<double> data = blob_doubles(in[0]), grid = blob_doubles(in[1]);
  const int64_t ho = in[1].shape[2], wo = in[1].shape[3], plane = ho * wo;
  std::vector<double> y(static_cast<size_t>(out[0].size())), tmp(grid.size());
  bilinear_sample(data, in[0].shape, grid, ho, wo, &y);
  for (size_t j = 0; j < grid.size(); ++j) {  // (n, k, p) -> (n, p, k)
    const int64_t n = static_cast<int64_t>(j) / (2 * plane), k = (static_cast<int64_t>(j) / plane) % 2,
                  p = static_cast<int64_t>(j) % plane;
    tmp[static_cast<size_t>((n * plane + p) * 2 + k)] = grid[j];
  }
  store_doubles(y, out[0]);
  store_doubles(tmp, out[1]);
}

// Inputs (ograd, data, grid) -> (d data, d grid).
void sampler_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &d = (*in)[1], &grid = (*in)[2];
  if (d.empty() || grid.empty()) return;
  expect_input_shape(attrs, *in, 0, sampler_out_shape(attrs, d, grid));
  (*out)[0] = d;
  (*out)[1] = grid;
}

void sampler_backward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  std::vector<double> gdata, ggrid;
  bilinear_sample_backward(blob_doubles(in[0]), blob_doubles(in[1]), in[1].shape, blob_doubles(in[2]),
                           in[2].shape[2], in[2].shape[3], &gdata, &ggrid);
  store_doubles(gdata, out[0]);
  store_doubles(ggrid, out[1]);
}

#define MV_SAMPLER_PARAMS \
  param("cudnn_off", ParamType::kBool, "None", "whether to turn cudnn off").allow_none()

// ---- SpatialTransformer --------------------------------------------------------------------------

void require_affine_bilinear(const Attrs& attrs) {
  MV_CHECK(attrs.get_str("transform_type") == "affine", kValue)
      << "Operator " << attrs.op->name << ": unknown transform_type '" << attrs.get_str("transform_type") << "'";
  MV_CHECK(attrs.get_str("sampler_type") == "bilinear", kValue)
      << "Operator " << attrs.op->name << ": unknown sampler_type '" << attrs.get_str("sampler_type") << "'";
}

void transformer_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  require_affine_bilinear(attrs);
  const Shape &d = (*in)[0], &loc = (*in)[1];
  if (d.empty()) return;
  require_rank(attrs, d, 4, "data (batch, channel, height, width)");
  const Shape want_loc{d[0], 6};
  if (loc.empty()) (*in)[1] = want_loc;
  else require_affine_theta(attrs, loc, "loc");
  if ((*in)[1] != want_loc) shape_mismatch(attrs, "input 'loc' (batch, 6)", want_loc, (*in)[1]);
  auto [h, w] = target_hw(attrs);
  (*out)[0] = {d[0], d[1], h, w};
  (*out)[1] = {3, h * w};        // grid_dst
  (*out)[2] = {d[0], 2, h * w};  // grid_src
}

void transformer_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  auto [h, w] = target_hw(attrs);
  const std::vector<double> dst = affine_target_grid(h, w);
  const std::vector<double> src = affine_source_grid(blob_doubles(in[1]), in[0].shape[0], dst);
  std::vector<double> y(static_cast<size_t>(out[0].size()));
  bilinear_sample(blob_doubles(in[0]), in[0].shape, src, h, w, &y);
  store_doubles(y, out[0]);
  store_doubles(dst, out[1]);
  store_doubles(src, out[2]);
}

// Inputs (ograd, data, grid_dst, grid_src) -> (d data, d loc).
void transformer_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  require_affine_bilinear(attrs);
  const Shape& d = (*in)[1];
  if (d.empty()) return;
  require_rank(attrs, d, 4, "data (batch, channel, height, width)");
  auto [h, w] = target_hw(attrs);
  expect_input_shape(attrs, *in, 0, {d[0], d[1], h, w});
  expect_input_shape(attrs, *in, 2, {3, h * w});
  expect_input_shape(attrs, *in, 3, {d[0], 2, h * w});
  (*out)[0] = d;
  (*out)[1] = {d[0], 6};
}

void transformer_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                          const std::vector<TBlob>& out) {
  auto [h, w] = target_hw(attrs);
  std::vector<double> gdata, gsrc;
  bilinear_sample_backward(blob_doubles(in[0]), blob_doubles(in[1]), in[1].shape, blob_doubles(in[3]), h, w, &gdata,
                           &gsrc);
  store_doubles(gdata, out[0]);
  store_doubles(affine_theta_grad(gsrc, in[1].shape[0], blob_doubles(in[2])), out[1]);
}

#define MV_TRANSFORMER_PARAMS                                                                                 \
  param("target_shape", ParamType::kShape, "(0, 0)", "output shape(h, w) of spatial transformer: (y, x)")    \
      .kind(ParamKind::kPerDim)                                                                               \
      .enum_param("transform_type", {"affine"}, "", "transformation type")                                    \
      .enum_param("sampler_type", {"bilinear"}, "", "sampling type")                                          \
      .param("cudnn_off", ParamType::kBool, "None", "whether to turn cudnn off")                              \
      .allow_none()

OpSample sample_of(std::vector<Shape> shapes, KeyValues params = {}) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  return s;
}

void same_type_out(const Attrs&, std::vector<int>* in, std::vector<int>* out) {
  for (auto& t : *out) t = (*in)[0];
}

}  // namespace

MV_REGISTER_OP(GridGenerator)
    .describe(
        "Generates a sampling grid for BilinearSampler: (batch, 2, H, W) source coordinates normalised to\n"
        "[-1, 1], channel 0 holding x and channel 1 holding y.\n\n"
        "- ``affine``: data is (batch, 6), each row a 2x3 matrix applied to the target grid's (x, y, 1),\n"
        "  whose x and y run evenly from -1 to 1 over ``target_shape`` (H, W).\n"
        "- ``warp``: data is an optical flow (batch, 2, H, W) in pixels, added to each pixel's own\n"
        "  coordinates before normalising; ``target_shape`` is ignored.\n\n"
        "A hidden second output holds the target grid (grid_dst).\n\n"
        "Example::\n\n"
        "  GridGenerator([[1, 0, 0, 0, 1, 0]], transform_type='affine', target_shape=(2, 3))\n"
        "  = [[[[-1, 0, 1], [-1, 0, 1]],\n"
        "      [[-1, -1, -1], [1, 1, 1]]]]")
    .input("data", "Input data to the function.")
    .MV_GRID_GENERATOR_PARAMS
    .set_num_outputs(2)
    .set_num_visible_outputs([](const Attrs&) { return 1; })
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "grid_dst"}; })
    .set_infer_shape(grid_generator_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(grid_generator_forward)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_GridGenerator", {g.ograd(), g.output(1)}, g.forward_params())};
    })
    .add_sample(sample_of({{2, 6}}, {{"transform_type", "affine"}, {"target_shape", "(3, 4)"}}))
    .add_sample(sample_of({{2, 2, 3, 4}}, {{"transform_type", "warp"}}));

MV_REGISTER_OP(_backward_GridGenerator)
    .describe("Gradient of GridGenerator, from the output gradient and the hidden target grid.")
    .input("ograd", "gradient of the output")
    .input("grid_dst", "the forward target grid (hidden output)")
    .params_from("GridGenerator")
    .set_infer_shape(grid_generator_backward_shape)
    .set_infer_type(same_type_out)
    .set_forward(grid_generator_backward)
    .set_non_differentiable();

MV_REGISTER_OP(BilinearSampler)
    .describe(
        "Applies bilinear sampling to input feature map, the sampler of \"Spatial Transformer Networks\"\n"
        "(NIPS 2015), like OpenCV's remap but differentiable with respect to the data and the grid.\n\n"
        "For every output position (y, x) the grid gives a source point, channel 0 its x and channel 1 its y,\n"
        "normalised to [-1, 1] over the data's width and height; the output interpolates the four\n"
        "neighbouring pixels of data, reading zeros outside it. data is (batch, C, H, W) and grid\n"
        "(batch, 2, Ho, Wo); the output is (batch, C, Ho, Wo). GridGenerator makes grids. A hidden second\n"
        "output holds the grid as (batch, Ho, Wo, 2).\n\n"
        "Example::\n\n"
        "  data = [[[[1, 2], [3, 4]]]]\n"
        "  grid = [[[[0]], [[0]]]]                 # the centre of the image\n"
        "  BilinearSampler(data, grid) = [[[[2.5]]]]")
    .input("data", "Input data to the BilinearsamplerOp.")
    .input("grid", "Input grid to the BilinearsamplerOp.grid has two channels: x_src, y_src")
    .MV_SAMPLER_PARAMS
    .set_num_outputs(2)
    .set_num_visible_outputs([](const Attrs&) { return 1; })
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "tmp"}; })
    .set_infer_shape(sampler_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(sampler_forward)
    .set_gradient([](const GradContext& g) {
      return op_all("_backward_BilinearSampler", {g.ograd(), g.input(0), g.input(1)}, g.forward_params());
    })
    // Grid points away from pixel borders (|g| < 0.9 on a 4x5 image) keep finite differences
    // inside one interpolation cell.
    .add_sample([] {
      OpSample s = sample_of({{2, 3, 4, 5}, {2, 2, 3, 3}});
      s.lo = -0.9;
      s.hi = 0.9;
      return s;
    }());

MV_REGISTER_OP(_backward_BilinearSampler)
    .describe("Gradients of BilinearSampler with respect to data and grid.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward data")
    .input("grid", "the forward grid")
    .params_from("BilinearSampler")
    .set_num_outputs(2)
    .set_infer_shape(sampler_backward_shape)
    .set_infer_type(same_type_out)
    .set_forward(sampler_backward)
    .set_non_differentiable();

MV_REGISTER_OP(SpatialTransformer)
    .describe(
        "Applies a spatial transformer to the input: an affine sampling grid of ``target_shape`` from the\n"
        "six parameters per sample in ``loc`` (as GridGenerator with transform_type='affine'), then\n"
        "bilinear sampling of data on it (as BilinearSampler). Initialise the localisation network to the\n"
        "identity transform [1, 0, 0, 0, 1, 0]. Hidden outputs hold the target and source grids.\n\n"
        "Example::\n\n"
        "  data = [[[[1, 2], [3, 4]]]]\n"
        "  SpatialTransformer(data, [[1, 0, 0, 0, 1, 0]], target_shape=(2, 2),\n"
        "                     transform_type='affine', sampler_type='bilinear') = [[[[1, 2], [3, 4]]]]")
    .input("data", "Input data to the SpatialTransformerOp.")
    .input("loc", "localisation net, the output dim should be 6 when transform_type is affine. You shold "
                  "initialize the weight and bias with identity tranform.")
    .MV_TRANSFORMER_PARAMS
    .set_num_outputs(3)
    .set_num_visible_outputs([](const Attrs&) { return 1; })
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "grid_dst", "grid_src"}; })
    .set_infer_shape(transformer_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(transformer_forward)
    .set_gradient([](const GradContext& g) {
      return op_all("_backward_SpatialTransformer", {g.ograd(), g.input(0), g.output(1), g.output(2)},
                    g.forward_params());
    })
    .add_sample([] {
      OpSample s = sample_of({{2, 2, 4, 5}, {2, 6}},
                             {{"target_shape", "(3, 3)"}, {"transform_type", "affine"}, {"sampler_type", "bilinear"}});
      s.lo = -0.4;  // small affine parameters keep source points inside, away from cell borders
      s.hi = 0.4;
      return s;
    }());

MV_REGISTER_OP(_backward_SpatialTransformer)
    .describe("Gradients of SpatialTransformer with respect to data and loc.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward data")
    .input("grid_dst", "the forward target grid (hidden output)")
    .input("grid_src", "the forward source grid (hidden output)")
    .params_from("SpatialTransformer")
    .set_num_outputs(2)
    .set_infer_shape(transformer_backward_shape)
    .set_infer_type(same_type_out)
    .set_forward(transformer_backward)
    .set_non_differentiable();

}  // namespace minerva
