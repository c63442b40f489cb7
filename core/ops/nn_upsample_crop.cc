// MXNet 1.x's UpSampling (nearest neighbour, over one or several inputs, and bilinear as a
// depthwise Deconvolution with a given weight, as MXNet computes it) and Crop (to a fixed size
// or to the size of a second input). Both work on 4-D (batch, channel, height, width) data.
#include <algorithm>
#include <limits>

#include "core/base/checked.h"
#include "core/ops/nn_extra_util.h"

namespace minerva {
namespace {

void require_4d(const Attrs& attrs, const Shape& s, const std::string& what) {
  MV_CHECK(s.size() == 4, kValue) << "Operator " << attrs.op->name << ": " << what
                                  << " must be 4-D (batch, channel, height, width), got shape " << shape_str(s);
}

int64_t checked_mul(const Attrs& attrs, int64_t a, int64_t b) {  // Note [Checked size arithmetic]
  return ::minerva::checked_mul(a, b, "Operator " + attrs.op->name + ": output size");
}

// ---- UpSampling ----------------------------------------------------------------------------------

bool is_bilinear(const Attrs& attrs) {
  const std::string& t = attrs.get_str("sample_type");
  if (t == "bilinear") return true;
  MV_CHECK(t == "nearest", kValue) << "Operator " << attrs.op->name << ": unknown sample_type '" << t << "'";
  return false;
}

bool sums_inputs(const Attrs& attrs) {
  const std::string& m = attrs.get_str("multi_input_mode");
  if (m == "sum") return true;
  MV_CHECK(m == "concat", kValue) << "Operator " << attrs.op->name << ": unknown multi_input_mode '" << m << "'";
  return false;
}

// Nearest: the output is (N, C, H * scale, W * scale) of the first input, with the channels of
// every input concatenated (or, under 'sum', shared); input i is repeated output_h / h_i times
// along the height (and likewise the width), which must divide evenly.
Shape nearest_out_shape(const Attrs& attrs, const std::vector<Shape>& ins) {
  const int64_t scale = attrs.get_int("scale");
  const bool sum = sums_inputs(attrs);
  for (size_t i = 0; i < ins.size(); ++i) require_4d(attrs, ins[i], "input " + std::to_string(i));
  Shape out = ins[0];
  out[1] = 0;
  out[2] = checked_mul(attrs, ins[0][2], scale);
  out[3] = checked_mul(attrs, ins[0][3], scale);
  for (size_t i = 0; i < ins.size(); ++i) {
    const Shape& s = ins[i];
    MV_CHECK(s[0] == out[0], kValue) << "Operator UpSampling: input " << i << " has batch size " << s[0]
                                     << ", input 0 has " << out[0];
    for (int ax : {2, 3})
      MV_CHECK(s[ax] > 0 && out[ax] % s[ax] == 0, kValue)
          << "Operator UpSampling: the " << (ax == 2 ? "height" : "width") << " " << s[ax] << " of input " << i
          << " does not divide the output " << (ax == 2 ? "height" : "width") << " " << out[ax];
    // MXNet 1.9.1 repeats each input by one factor for both axes.
    MV_CHECK(out[2] / s[2] == out[3] / s[3], kValue)
        << "Operator UpSampling: input " << i << " of shape " << shape_str(s) << " would be scaled by "
        << out[2] / s[2] << " in height and " << out[3] / s[3] << " in width to " << shape_str({out[2], out[3]})
        << "; the two factors must be equal";
    if (sum) {
      MV_CHECK(out[1] == 0 || out[1] == s[1], kValue)
          << "Operator UpSampling: multi_input_mode='sum' needs the same number of channels in every input; "
          << "input " << i << " has " << s[1] << ", the ones before " << out[1];
      out[1] = s[1];
    } else {
      out[1] += s[1];
    }
  }
  return out;
}

// Bilinear upsampling is MXNet's depthwise Deconvolution with a (C, 1, k, k) weight,
// k = 2 * scale - scale % 2, stride scale and pad ceil((scale - 1) / 2).
int64_t bilinear_kernel(int64_t scale) { return 2 * scale - scale % 2; }

KeyValues bilinear_deconv_params(const Attrs& attrs) {
  const int64_t s = attrs.get_int("scale"), k = bilinear_kernel(s), pad = s / 2;  // ceil((s-1)/2)
  const std::string c = std::to_string(attrs.get_int("num_filter"));
  auto pair = [](int64_t v) { return "(" + std::to_string(v) + ", " + std::to_string(v) + ")"; };
  return {{"kernel", pair(k)}, {"stride", pair(s)}, {"pad", pair(pad)}, {"num_filter", c},
          {"num_group", c},    {"no_bias", "True"}, {"workspace", std::to_string(attrs.get_int("workspace"))}};
}

void upsampling_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if (!is_bilinear(attrs)) {
    for (const auto& s : *in)
      if (s.empty()) return;
    (*out)[0] = nearest_out_shape(attrs, *in);
    return;
  }
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  require_4d(attrs, d, "data");
  const int64_t s = attrs.get_int("scale"), k = bilinear_kernel(s);
  MV_CHECK(attrs.get_int("num_filter") == d[1], kValue)
      << "Operator UpSampling: sample_type='bilinear' needs num_filter equal to the channels of data (" << d[1]
      << "), got " << attrs.get_int("num_filter");
  const Shape weight{d[1], 1, k, k};
  if ((*in)[1].empty()) (*in)[1] = weight;
  if ((*in)[1] != weight) shape_mismatch(attrs, "input 'weight' (channels, 1, kernel, kernel)", weight, (*in)[1]);
  (*out)[0] = {d[0], d[1], checked_mul(attrs, d[2], s), checked_mul(attrs, d[3], s)};
}

std::vector<std::string> upsampling_inputs(const Attrs& attrs) {
  if (is_bilinear(attrs)) return {"data", "weight"};
  std::vector<std::string> names;
  for (int64_t i = 0; i < attrs.get_int("num_args"); ++i) names.push_back("arg" + std::to_string(i));
  return names;
}

// Adds (sum) or writes input `x` repeated (sh, sw) times into channels [c0, c0 + C) of `y`.
template <typename T>
void nearest_scatter(const T* x, const Shape& xs, T* y, const Shape& ys, int64_t c0, bool add) {
  const int64_t sh = ys[2] / xs[2], sw = ys[3] / xs[3];
  parallel_for(xs[0] * xs[1], [&](int64_t nc) {
    const int64_t n = nc / xs[1], c = nc % xs[1];
    const T* src = x + nc * xs[2] * xs[3];
    T* dst = y + (n * ys[1] + c0 + c) * ys[2] * ys[3];
    for (int64_t oy = 0; oy < ys[2]; ++oy)
      for (int64_t ox = 0; ox < ys[3]; ++ox) {
        const T v = src[(oy / sh) * xs[3] + ox / sw];
        T& d = dst[oy * ys[3] + ox];
        d = add ? T(static_cast<double>(d) + static_cast<double>(v)) : v;
      }
  });
}

// The gradient of nearest_scatter: each input element gets the sum of its (sh, sw) block.
template <typename T>
void nearest_gather(const T* g, const Shape& gs, T* gx, const Shape& xs, int64_t c0) {
  const int64_t sh = gs[2] / xs[2], sw = gs[3] / xs[3];
  parallel_for(xs[0] * xs[1], [&](int64_t nc) {
    const int64_t n = nc / xs[1], c = nc % xs[1];
    const T* src = g + (n * gs[1] + c0 + c) * gs[2] * gs[3];
    for (int64_t iy = 0; iy < xs[2]; ++iy)
      for (int64_t ix = 0; ix < xs[3]; ++ix) {
        double s = 0;
        for (int64_t dy = 0; dy < sh; ++dy)
          for (int64_t dx = 0; dx < sw; ++dx) s += static_cast<double>(src[(iy * sh + dy) * gs[3] + ix * sw + dx]);
        gx[(nc * xs[2] + iy) * xs[3] + ix] = T(s);
      }
  });
}

void upsampling_forward(const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  if (is_bilinear(attrs)) {
    const OpDef& deconv = OpRegistry::get().lookup("Deconvolution");
    deconv.forward(ctx, *deconv.parse(bilinear_deconv_params(attrs)), in, out);
    return;
  }
  const bool sum = sums_inputs(attrs);
  MV_FLOAT_SWITCH(out[0].dtype, attrs.op->name, T, {
    int64_t c0 = 0;
    for (size_t i = 0; i < in.size(); ++i) {
      nearest_scatter<T>(in[i].ptr<T>(), in[i].shape, out[0].ptr<T>(), out[0].shape, sum ? 0 : c0, sum && i > 0);
      c0 += in[i].shape[1];
    }
  });
}

std::vector<Tensor> upsampling_gradient(const GradContext& g) {
  if (is_bilinear(*g.attrs)) {
    GradParams p = bilinear_deconv_params(*g.attrs);
    return op_all("_backward_Deconvolution", {g.ograd(), g.input(0), g.input(1)}, p);
  }
  std::vector<Tensor> ins{g.ograd()};
  ins.insert(ins.end(), g.inputs.begin(), g.inputs.end());
  return op_all("_backward_UpSampling", ins, g.forward_params());
}

// Inputs (ograd, arg0, ...): the forward inputs give the gradients' shapes and must produce
// ograd's shape.
void upsampling_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  MV_CHECK(!is_bilinear(attrs), kValue) << "Operator " << attrs.op->name << " serves sample_type='nearest' only "
                                        << "(bilinear upsampling differentiates as a Deconvolution)";
  std::vector<Shape> args(in->begin() + 1, in->end());
  for (const auto& s : args)
    if (s.empty()) return;
  expect_input_shape(attrs, *in, 0, nearest_out_shape(attrs, args));
  for (size_t i = 0; i < args.size(); ++i) (*out)[i] = args[i];
}

void upsampling_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  const bool sum = sums_inputs(attrs);
  MV_FLOAT_SWITCH(in[0].dtype, attrs.op->name, T, {
    int64_t c0 = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      nearest_gather<T>(in[0].ptr<T>(), in[0].shape, out[i].ptr<T>(), out[i].shape, sum ? 0 : c0);
      c0 += out[i].shape[1];
    }
  });
}

#define MV_UPSAMPLING_PARAMS                                                                                     \
  required_param("scale", ParamType::kInt, "Up sampling scale")                                                  \
      .bounds(1, 1e9)                                                                                            \
      .param("num_filter", ParamType::kInt, "0",                                                                 \
             "Input filter. Only used by bilinear sample_type.Since bilinear upsampling uses deconvolution, "    \
             "num_filters is set to the number of channels.")                                                    \
      .bounds(0, 1e9)                                                                                            \
      .enum_param("sample_type", {"bilinear", "nearest"}, "", "upsampling method")                               \
      .enum_param("multi_input_mode", {"concat", "sum"}, "concat",                                               \
                  "How to handle multiple input. concat means concatenate upsampled images along the channel "   \
                  "dimension. sum means add all images together, only available for nearest neighbor "          \
                  "upsampling.")                                                                                 \
      .required_param("num_args", ParamType::kInt,                                                               \
                      "Number of inputs to be upsampled. For nearest neighbor upsampling, this can be 1-N; the " \
                      "size of output will be(scale*h_0,scale*w_0) and all other inputs will be upsampled to "   \
                      "the same size. For bilinear upsampling this must be 2; 1 input and 1 weight.")            \
      .bounds(1, 1e9)                                                                                            \
      .param("workspace", ParamType::kInt, "512", "Tmp workspace for deconvolution (MB)")                        \
      .bounds(0, 1e18)

// ---- Crop ----------------------------------------------------------------------------------------

// The (y, x) corner of the crop window of `out` (N, C, h, w) inside `data` (N, C, H, W): centred
// with center_crop, else `offset`, which must keep the window inside.
std::pair<int64_t, int64_t> crop_corner(const Attrs& attrs, const Shape& data, const Shape& out) {
  for (int ax : {2, 3})
    MV_CHECK(out[ax] <= data[ax], kValue)
        << "Operator Crop: the crop " << (ax == 2 ? "height " : "width ") << out[ax] << " exceeds the input's "
        << data[ax];
  if (attrs.get_bool("center_crop")) return {(data[2] - out[2]) / 2, (data[3] - out[3]) / 2};
  const Shape& off = attrs.get_shape("offset");
  MV_CHECK(off.size() == 2, kValue) << "Operator Crop: offset must be (y, x), got " << shape_str(off);
  for (int k : {0, 1})
    MV_CHECK(off[k] >= 0 && off[k] <= data[2 + k] - out[2 + k], kValue)
        << "Operator Crop: offset[" << k << "] = " << off[k] << " must lie in [0, " << data[2 + k] - out[2 + k]
        << "] for a crop of " << shape_str({out[2], out[3]}) << " from " << shape_str({data[2], data[3]});
  return {off[0], off[1]};
}

void crop_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  require_4d(attrs, d, "data");
  Shape o = d;
  if (attrs.get_int("num_args") == 1) {
    const Shape& hw = attrs.get_shape("h_w");
    MV_CHECK(hw.size() == 2 && hw[0] >= 1 && hw[1] >= 1, kValue)
        << "Operator Crop: h_w must be a positive (height, width) with one input, got " << shape_str(hw);
    o[2] = hw[0];
    o[3] = hw[1];
  } else {
    const Shape& like = (*in)[1];
    if (like.empty()) return;
    require_4d(attrs, like, "crop_like (input 1)");
    o[2] = like[2];
    o[3] = like[3];
  }
  crop_corner(attrs, d, o);  // validates the window
  (*out)[0] = o;
}

// Copies the window of `big` at `corner` to or from `small` (same N and C).
void crop_copy(const TBlob& big, const TBlob& small, std::pair<int64_t, int64_t> corner, bool to_small) {
  const Shape &bs = big.shape, &ss = small.shape;
  const size_t es = dtype_size(big.dtype), row = static_cast<size_t>(ss[3]) * es;
  char* b = static_cast<char*>(big.data);
  char* s = static_cast<char*>(small.data);
  parallel_for(ss[0] * ss[1] * ss[2], [&](int64_t r) {
    const int64_t nc = r / ss[2], y = r % ss[2];
    char* bp = b + static_cast<size_t>((nc * bs[2] + y + corner.first) * bs[3] + corner.second) * es;
    char* sp = s + static_cast<size_t>(r) * row;
    if (to_small) std::copy(bp, bp + row, sp);
    else std::copy(sp, sp + row, bp);
  });
}

void crop_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  crop_copy(in[0], out[0], crop_corner(attrs, in[0].shape, out[0].shape), true);
}

// Inputs (ograd, data): the data gradient is zero outside the window.
void crop_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &g = (*in)[0], &d = (*in)[1];
  if (g.empty() || d.empty()) return;
  require_4d(attrs, g, "ograd");
  require_4d(attrs, d, "data");
  MV_CHECK(g[0] == d[0] && g[1] == d[1], kValue) << "Operator " << attrs.op->name << ": ograd of shape "
                                                 << shape_str(g) << " does not fit data of shape " << shape_str(d);
  crop_corner(attrs, d, g);
  (*out)[0] = d;
}

void crop_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  fill_blob(out[0], 0.0);
  crop_copy(out[0], in[0], crop_corner(attrs, out[0].shape, in[0].shape), false);
}

#define MV_CROP_PARAMS                                                                                          \
  required_param("num_args", ParamType::kInt,                                                                   \
                 "Number of inputs for crop, if equals one, then we will use the h_wfor crop height and width, " \
                 "else if equals two, then we will use the heightand width of the second input symbol, we name " \
                 "crop_like here")                                                                              \
      .bounds(1, 2)                                                                                             \
      .param("offset", ParamType::kShape, "(0, 0)", "crop offset coordinate: (y, x)")                           \
      .kind(ParamKind::kPerDim)                                                                                 \
      .param("h_w", ParamType::kShape, "(0, 0)", "crop height and width: (h, w)")                               \
      .kind(ParamKind::kPerDim)                                                                                 \
      .param("center_crop", ParamType::kBool, "False",                                                          \
             "If set to true, then it will use be the center_crop,or it will crop using the shape of crop_like")

OpSample sample_of(std::vector<Shape> shapes, KeyValues params) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  return s;
}

}  // namespace

MV_REGISTER_OP(UpSampling)
    .describe(
        "Upsamples the given input data.\n\n"
        "Two algorithms (``sample_type``) are available for upsampling:\n\n"
        "- Nearest Neighbor: each pixel is repeated scale x scale times. Several inputs (num_args of them) may\n"
        "  be given: the output has the first input's height and width times scale, every other input is\n"
        "  repeated to that size (its size must divide it), and ``multi_input_mode`` concatenates the results\n"
        "  along the channels ('concat') or adds them ('sum', same channels required).\n"
        "- Bilinear: a depthwise transposed convolution with a second input, the weight, of shape\n"
        "  (channels, 1, 2 * scale - scale % 2, 2 * scale - scale % 2), stride scale and padding\n"
        "  ceil((scale - 1) / 2), as MXNet computes it; num_filter must equal the channels. Initialise the\n"
        "  weight with mx.init.Bilinear() for bilinear interpolation.\n\n"
        "Inputs are 4-D (batch, channel, height, width).\n\n"
        "Example::\n\n"
        "  x = [[[[1, 2],\n"
        "         [3, 4]]]]\n"
        "  UpSampling(x, scale=2, sample_type='nearest') = [[[[1, 1, 2, 2],\n"
        "                                                    [1, 1, 2, 2],\n"
        "                                                    [3, 3, 4, 4],\n"
        "                                                    [3, 3, 4, 4]]]]")
    .input("data", "Array of tensors to upsample. For bilinear upsampling, there should be 2 inputs - 1 data and "
                   "1 weight.")
    .set_variadic("num_args")
    .set_list_inputs(upsampling_inputs)
    .MV_UPSAMPLING_PARAMS
    .set_infer_shape(upsampling_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(upsampling_forward)
    .set_gradient(upsampling_gradient)
    .add_sample(sample_of({{2, 3, 2, 3}}, {{"scale", "2"}, {"sample_type", "nearest"}, {"num_args", "1"}}))
    .add_sample(
        sample_of({{1, 2, 2, 2}, {1, 3, 4, 4}}, {{"scale", "2"}, {"sample_type", "nearest"}, {"num_args", "2"}}))
    .add_sample(sample_of({{1, 2, 1, 2}, {1, 2, 3, 6}},
                          {{"scale", "3"}, {"sample_type", "nearest"}, {"num_args", "2"}, {"multi_input_mode", "sum"}}))
    .add_sample(sample_of({{1, 2, 3, 3}, {2, 1, 4, 4}},
                          {{"scale", "2"}, {"sample_type", "bilinear"}, {"num_filter", "2"}, {"num_args", "2"}}))
    .add_sample(sample_of({{1, 2, 2, 2}, {2, 1, 5, 5}},
                          {{"scale", "3"}, {"sample_type", "bilinear"}, {"num_filter", "2"}, {"num_args", "2"}}));

MV_REGISTER_OP(_backward_UpSampling)
    .describe("Gradient of nearest-neighbour UpSampling: each input element gets the sum of its repeated block.")
    .params_from("UpSampling")
    .set_list_inputs([](const Attrs& attrs) {
      std::vector<std::string> names{"ograd"};
      for (int64_t i = 0; i < attrs.get_int("num_args"); ++i) names.push_back("arg" + std::to_string(i));
      return names;
    })
    .set_num_outputs([](const Attrs& attrs) { return static_cast<int>(attrs.get_int("num_args")); })
    .set_infer_shape(upsampling_backward_shape)
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) {
      for (auto& t : *out) t = (*in)[0];
    })
    .set_forward(upsampling_backward)
    .set_non_differentiable();

MV_REGISTER_OP(Crop)
    .describe(
        "Crops a 4-D (batch, channel, height, width) input to a window of its height and width.\n\n"
        "With num_args=1 the window has the size ``h_w``; with num_args=2 it has the height and width of the\n"
        "second input (crop_like, whose values are not read). The window starts at ``offset`` (y, x), or is\n"
        "centred (rounding towards the top left) with ``center_crop``; it must lie inside the input.\n\n"
        "Example::\n\n"
        "  x = [[[[ 0,  1,  2],\n"
        "         [ 3,  4,  5],\n"
        "         [ 6,  7,  8]]]]\n"
        "  Crop(x, h_w=(2, 2), offset=(1, 0)) = [[[[3, 4],\n"
        "                                          [6, 7]]]]")
    .input("arg", "Tensor or List of Tensors, the second input will be used as crop_like shape reference")
    .set_variadic("num_args")
    .MV_CROP_PARAMS
    .set_infer_shape(crop_shape)
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) {
      // Any dtype: only crop_like's shape is read.
      if ((*in)[0] >= 0) (*out)[0] = (*in)[0];
      for (size_t i = 1; i < in->size(); ++i)
        if ((*in)[i] < 0) (*in)[i] = (*in)[0];
    })
    .set_forward(crop_forward)
    .set_gradient([](const GradContext& g) {
      std::vector<Tensor> grads(g.inputs.size());  // crop_like gets no gradient
      grads[0] = op("_backward_Crop", {g.ograd(), g.input(0)}, g.forward_params());
      return grads;
    })
    .add_sample(sample_of({{2, 2, 4, 5}}, {{"num_args", "1"}, {"h_w", "(2, 3)"}, {"offset", "(1, 2)"}}))
    .add_sample(sample_of({{1, 2, 5, 5}, {1, 1, 3, 2}}, {{"num_args", "2"}, {"center_crop", "True"}}));

MV_REGISTER_OP(_backward_Crop)
    .describe("Gradient of Crop: ograd placed at the crop window of a zero array shaped like data.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward input")
    .params_from("Crop")
    .set_infer_shape(crop_backward_shape)
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) { (*out)[0] = (*in)[0]; })
    .set_forward(crop_backward)
    .set_non_differentiable();

}  // namespace minerva
