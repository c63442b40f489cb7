// Spatial resizing of NCHW images from mx.nd.contrib: BilinearResize2D (bilinear interpolation
// to a size, a scale, another array's size, or the nearest even/odd size) and
// AdaptiveAvgPooling2D (average pooling to a fixed output size). Both have backward operators
// that scatter the output gradient with the forward's weights.
#include <algorithm>
#include <cmath>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"
#include "core/ops/reference_util.h"

namespace minerva {
namespace {

void check_nchw(const Attrs& attrs, const Shape& s, const char* what) {
  MV_CHECK(s.size() == 4, kValue) << "Operator " << attrs.op->name << ": input '" << what
                                  << "' must be 4-D (batch, channel, height, width), got shape " << shape_str(s);
}

// ---- BilinearResize2D ------------------------------------------------------------------------------

// One output coordinate's two source taps and their weights.
struct Tap {
  int64_t lo = 0, hi = 0;
  double w_lo = 1, w_hi = 0;
};

// The source taps of every output row (or column): with align_corners the corners of input and
// output coincide; without, pixel centres do (source = (dst + 0.5) * in / out - 0.5, clamped at 0).
std::vector<Tap> taps(int64_t in, int64_t out, bool align_corners) {
  std::vector<Tap> t(static_cast<size_t>(out));
  double ratio;
  if (align_corners) ratio = out > 1 ? static_cast<double>(in - 1) / static_cast<double>(out - 1) : 0.0;
  else ratio = static_cast<double>(in) / static_cast<double>(out);
  for (int64_t o = 0; o < out; ++o) {
    double src = align_corners ? ratio * static_cast<double>(o) : std::max(ratio * (static_cast<double>(o) + 0.5) - 0.5, 0.0);
    int64_t lo = std::min(static_cast<int64_t>(src), in - 1);
    Tap& tap = t[static_cast<size_t>(o)];
    tap.lo = lo;
    tap.hi = lo < in - 1 ? lo + 1 : lo;
    tap.w_hi = src - static_cast<double>(lo);
    tap.w_lo = 1 - tap.w_hi;
  }
  return t;
}

// The output height or width for one mode; `scale` is the optional scale of that dimension.
int64_t resized(const Attrs& attrs, const std::string& mode, int64_t in, int64_t size, const char* scale_param) {
  const bool has_scale = !attrs.is_none(scale_param);
  const double scale = has_scale ? attrs.get_float(scale_param) : 0.0;
  // A scaled size, truncated as MXNet does; one that no array could have is an error, not an overflow.
  auto scaled = [&](int64_t n) {
    const double v = scale * static_cast<double>(n);
    MV_CHECK(std::isfinite(v) && v < 1e15, kValue) << "Operator " << attrs.op->name << ": " << scale_param << " = "
                                                   << scale << " gives an output size out of range (" << v << ")";
    return static_cast<int64_t>(v);
  };
  if (mode == "size") return has_scale ? scaled(in) : size;
  if (mode == "odd_scale") {
    MV_CHECK(has_scale, kValue) << "Operator " << attrs.op->name << ": mode 'odd_scale' needs " << scale_param;
    return in % 2 == 0 ? scaled(in) : scaled(in - 1) + 1;
  }
  if (mode == "to_even_down") return in % 2 == 0 ? in : in - 1;
  if (mode == "to_even_up") return in % 2 == 0 ? in : in + 1;
  if (mode == "to_odd_down") return in % 2 == 1 ? in : in - 1;
  if (mode == "to_odd_up") return in % 2 == 1 ? in : in + 1;
  MV_THROW(kInternal) << "Operator " << attrs.op->name << ": unhandled mode '" << mode << "'";  // 'like' is the caller's
}

// The output shape; `like` is the like input's shape (mode 'like').
Shape bilinear_out_shape(const Attrs& attrs, const Shape& data, const Shape& like) {
  const std::string& mode = attrs.get_str("mode");
  Shape o = data;
  if (mode == "like") {
    check_nchw(attrs, like, "like");
    o[2] = like[2];
    o[3] = like[3];
  } else {
    o[2] = resized(attrs, mode, data[2], attrs.get_int("height"), "scale_height");
    o[3] = resized(attrs, mode, data[3], attrs.get_int("width"), "scale_width");
  }
  MV_CHECK(o[2] > 0 && o[3] > 0, kValue) << "Operator " << attrs.op->name << ": the output size (" << o[2] << ", "
                                         << o[3] << ") from input " << shape_str(data) << " must be positive";
  return o;
}

// Runs body(plane, oy, ox, ty, tx) over the output; ty and tx are the taps of that row and column.
template <typename Body>
void bilinear_walk(const Shape& in, const Shape& out, bool align, Body body) {
  const std::vector<Tap> ty = taps(in[2], out[2], align), tx = taps(in[3], out[3], align);
  parallel_for(in[0] * in[1], [&](int64_t p) {
    for (int64_t y = 0; y < out[2]; ++y)
      for (int64_t x = 0; x < out[3]; ++x) body(p, y, x, ty[static_cast<size_t>(y)], tx[static_cast<size_t>(x)]);
  }, 1);
}

// ---- AdaptiveAvgPooling2D ----------------------------------------------------------------------------

Shape adaptive_out_shape(const Attrs& attrs, const Shape& data) {
  const Shape& size = attrs.get_shape("output_size");
  MV_CHECK(size.size() <= 2, kValue) << "Operator " << attrs.op->name
                                     << ": output_size must hold 1 or 2 values (or none for 1x1), got " << shape_str(size);
  Shape o = data;
  o[2] = size.empty() ? 1 : size[0];
  o[3] = size.empty() ? 1 : size.size() == 1 ? size[0] : size[1];
  MV_CHECK(o[2] > 0 && o[3] > 0, kValue) << "Operator " << attrs.op->name << ": output_size entries must be positive, got "
                                         << shape_str(size);
  return o;
}

// The input rows [start, end) averaged into output row o of `out` rows: floor(o * in / out) to
// ceil((o + 1) * in / out).
int64_t region_start(int64_t o, int64_t in, int64_t out) { return (o * in) / out; }
int64_t region_end(int64_t o, int64_t in, int64_t out) { return ((o + 1) * in + out - 1) / out; }

template <typename Body>
void adaptive_walk(const Shape& in, const Shape& out, Body body) {
  parallel_for(in[0] * in[1], [&](int64_t p) {
    for (int64_t y = 0; y < out[2]; ++y) {
      const int64_t y0 = region_start(y, in[2], out[2]), y1 = region_end(y, in[2], out[2]);
      for (int64_t x = 0; x < out[3]; ++x) {
        const int64_t x0 = region_start(x, in[3], out[3]), x1 = region_end(x, in[3], out[3]);
        body(p, y, x, y0, y1, x0, x1);
      }
    }
  }, 1);
}

}  // namespace

MV_REGISTER_OP(_contrib_BilinearResize2D)
    .describe("Resizes NCHW images by bilinear interpolation. The output size depends on mode:\n\n"
              "- 'size': (height, width), or the input size times (scale_height, scale_width) when the scales are given;\n"
              "- 'odd_scale': an even size times the scale, an odd size n as (n - 1) * scale + 1;\n"
              "- 'like': the height and width of the second input `like`;\n"
              "- 'to_even_down', 'to_even_up', 'to_odd_down', 'to_odd_up': the nearest even or odd size below or above.\n\n"
              "With align_corners (the default) the corner pixels of input and output coincide; without, pixel "
              "centres do.\n\nExample::\n\n  BilinearResize2D(x of shape (1, 3, 4, 4), height=8, width=8)  # (1, 3, 8, 8)")
    .input("data", "Input data")
    .input("like", "Resize data to it's shape")
    .set_list_inputs([](const Attrs& a) {
      return a.get_str("mode") == "like" ? std::vector<std::string>{"data", "like"} : std::vector<std::string>{"data"};
    })
    .param("height", ParamType::kInt, "1", "output height (required, but ignored if scale_height is defined or mode is not \"size\")")
    .bounds(1, 1e9)
    .param("width", ParamType::kInt, "1", "output width (required, but ignored if scale_width is defined or mode is not \"size\")")
    .bounds(1, 1e9)
    .param("scale_height", ParamType::kFloat, "None", "sampling scale of the height (optional, used in modes \"scale\" and \"odd_scale\")")
    .param("scale_width", ParamType::kFloat, "None", "sampling scale of the width (optional, used in modes \"scale\" and \"odd_scale\")")
    .enum_param("mode", {"like", "odd_scale", "size", "to_even_down", "to_even_up", "to_odd_down", "to_odd_up"}, "size",
                "resizing mode. \"size\" - output height and width are (height, width), or the input's times the "
                "scales if they are defined; \"odd_scale\" - even sizes are multiplied by the scale, odd sizes n "
                "become (n - 1) * scale + 1; \"like\" - the height and width of the second input; \"to_even_down\", "
                "\"to_even_up\", \"to_odd_down\", \"to_odd_up\" - the nearest even or odd size below or above.")
    .param("align_corners", ParamType::kBool, "True", "With align_corners = True, the interpolating doesn't proportionally align theoutput and input pixels, and thus the output values can depend on the input size.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& data = (*in)[0];
      if (data.empty() || (in->size() == 2 && (*in)[1].empty())) return;
      check_nchw(attrs, data, "data");
      (*out)[0] = bilinear_out_shape(attrs, data, in->size() == 2 ? (*in)[1] : Shape{});
    })
    .set_infer_type([](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
      std::vector<int> data{(*in)[0]};
      infer_same_type(attrs, &data, out);
      (*in)[0] = data[0];
      if (in->size() == 2 && (*in)[1] < 0) (*in)[1] = data[0];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Shape &is = in[0].shape, &os = out[0].shape;
      std::vector<double> x = to_doubles(in[0]), y(static_cast<size_t>(out[0].size()));
      const int64_t ip = is[2] * is[3], op_ = os[2] * os[3], W = is[3];
      bilinear_walk(is, os, attrs.get_bool("align_corners"), [&](int64_t p, int64_t oy, int64_t ox, const Tap& ty, const Tap& tx) {
        const double* src = x.data() + p * ip;
        y[static_cast<size_t>(p * op_ + oy * os[3] + ox)] =
            ty.w_lo * (tx.w_lo * src[ty.lo * W + tx.lo] + tx.w_hi * src[ty.lo * W + tx.hi]) +
            ty.w_hi * (tx.w_lo * src[ty.hi * W + tx.lo] + tx.w_hi * src[ty.hi * W + tx.hi]);
      });
      store_doubles(y, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      std::vector<Tensor> grads{op("_backward_contrib_BilinearResize2D", {g.ograd(), g.input(0)}, g.forward_params())};
      if (g.inputs.size() == 2) grads.push_back(op("zeros_like", {g.input(1)}));  // only like's shape is used
      return grads;
    })
    .add_sample(op_sample({{1, 2, 3, 4}}, {{"height", "5"}, {"width", "3"}}))
    .add_sample(op_sample({{2, 1, 4, 3}}, {{"scale_height", "1.5"}, {"scale_width", "2"}, {"align_corners", "False"}}))
    .add_sample([] {
      OpSample s = op_sample({{1, 1, 3, 3}, {1, 1, 5, 4}}, {{"mode", "like"}});
      s.no_grad_inputs = {1};
      return s;
    }())
    .add_sample(op_sample({{1, 2, 3, 4}}, {{"mode", "to_even_up"}}));

MV_REGISTER_OP(_backward_contrib_BilinearResize2D)
    .describe("Gradient of BilinearResize2D: scatters ograd onto data's pixels with the interpolation weights.")
    .input("ograd", "Gradient of the output")
    .input("data", "The forward input (only its shape is read)")
    .params_from("_contrib_BilinearResize2D")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &og = (*in)[0], &data = (*in)[1];
      if (data.empty() || og.empty()) return;
      check_nchw(attrs, data, "data");
      check_nchw(attrs, og, "ograd");
      if (attrs.get_str("mode") != "like") {
        const Shape want = bilinear_out_shape(attrs, data, Shape{});
        if (og != want) shape_mismatch(attrs, "input 'ograd'", want, og);
      } else {
        MV_CHECK(og[0] == data[0] && og[1] == data[1], kValue)
            << "Operator " << attrs.op->name << ": ograd " << shape_str(og) << " and data " << shape_str(data)
            << " disagree on batch or channels";
      }
      (*out)[0] = data;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Shape &os = in[0].shape, &is = in[1].shape;
      std::vector<double> og = to_doubles(in[0]), dx(static_cast<size_t>(out[0].size()), 0.0);
      const int64_t ip = is[2] * is[3], op_ = os[2] * os[3], W = is[3];
      bilinear_walk(is, os, attrs.get_bool("align_corners"), [&](int64_t p, int64_t oy, int64_t ox, const Tap& ty, const Tap& tx) {
        double* dst = dx.data() + p * ip;
        const double g = og[static_cast<size_t>(p * op_ + oy * os[3] + ox)];
        dst[ty.lo * W + tx.lo] += ty.w_lo * tx.w_lo * g;
        dst[ty.lo * W + tx.hi] += ty.w_lo * tx.w_hi * g;
        dst[ty.hi * W + tx.lo] += ty.w_hi * tx.w_lo * g;
        dst[ty.hi * W + tx.hi] += ty.w_hi * tx.w_hi * g;
      });
      store_doubles(dx, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      // Linear in ograd: its gradient is the forward resize (to ograd's size) of the head gradient.
      return std::vector<Tensor>{op("_contrib_BilinearResize2D", {g.ograd(), g.input(0)}, {{"mode", "like"},
                                  {"align_corners", g.attrs->get_bool("align_corners") ? "True" : "False"}}),
                                 Tensor{}};
    })
    .add_sample([] {
      OpSample s = op_sample({{1, 2, 5, 3}, {1, 2, 3, 4}}, {{"height", "5"}, {"width", "3"}});
      s.no_grad_inputs = {1};
      return s;
    }());

MV_REGISTER_OP(_contrib_AdaptiveAvgPooling2D)
    .describe("Applies 2-D adaptive average pooling to NCHW data: output pixel (y, x) averages input rows "
              "floor(y * H / OH) .. ceil((y + 1) * H / OH) - 1 and the matching columns, so any input size pools to "
              "output_size (one value for a square, two for (height, width), none for 1x1).\n\n"
              "Example::\n\n  AdaptiveAvgPooling2D(x of shape (1, 3, 7, 7), output_size=2)  # (1, 3, 2, 2)")
    .input("data", "Input data")
    .param("output_size", ParamType::kShape, "[]", "int (output size) or a tuple of int for output (height, width).")
    .kind(ParamKind::kPerDim)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      check_nchw(attrs, (*in)[0], "data");
      (*out)[0] = adaptive_out_shape(attrs, (*in)[0]);
    })
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Shape &is = in[0].shape, &os = out[0].shape;
      std::vector<double> x = to_doubles(in[0]), y(static_cast<size_t>(out[0].size()));
      adaptive_walk(is, os, [&](int64_t p, int64_t oy, int64_t ox, int64_t y0, int64_t y1, int64_t x0, int64_t x1) {
        double s = 0;
        for (int64_t r = y0; r < y1; ++r)
          for (int64_t c = x0; c < x1; ++c) s += x[static_cast<size_t>((p * is[2] + r) * is[3] + c)];
        y[static_cast<size_t>((p * os[2] + oy) * os[3] + ox)] = s / static_cast<double>((y1 - y0) * (x1 - x0));
      });
      store_doubles(y, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_contrib_AdaptiveAvgPooling2D", {g.ograd(), g.input(0)}, g.forward_params())};
    })
    .add_sample(op_sample({{1, 2, 5, 7}}, {{"output_size", "(2, 3)"}}))
    .add_sample(op_sample({{2, 1, 4, 4}}, {{"output_size", "3"}}))
    .add_sample(op_sample({{1, 2, 3, 3}}, {}));

MV_REGISTER_OP(_backward_contrib_AdaptiveAvgPooling2D)
    .describe("Gradient of AdaptiveAvgPooling2D: spreads each output gradient evenly over its input region.")
    .input("ograd", "Gradient of the output")
    .input("data", "The forward input (only its shape is read)")
    .params_from("_contrib_AdaptiveAvgPooling2D")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &og = (*in)[0], &data = (*in)[1];
      if (data.empty()) return;
      check_nchw(attrs, data, "data");
      const Shape want = adaptive_out_shape(attrs, data);
      if (!og.empty() && og != want) shape_mismatch(attrs, "input 'ograd'", want, og);
      (*in)[0] = want;
      (*out)[0] = data;
    })
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Shape &os = in[0].shape, &is = in[1].shape;
      std::vector<double> og = to_doubles(in[0]), dx(static_cast<size_t>(out[0].size()), 0.0);
      adaptive_walk(is, os, [&](int64_t p, int64_t oy, int64_t ox, int64_t y0, int64_t y1, int64_t x0, int64_t x1) {
        const double g = og[static_cast<size_t>((p * os[2] + oy) * os[3] + ox)] / static_cast<double>((y1 - y0) * (x1 - x0));
        for (int64_t r = y0; r < y1; ++r)
          for (int64_t c = x0; c < x1; ++c) dx[static_cast<size_t>((p * is[2] + r) * is[3] + c)] += g;
      });
      store_doubles(dx, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_contrib_AdaptiveAvgPooling2D", {g.ograd()}, g.forward_params()), Tensor{}};
    })
    .add_sample([] {
      OpSample s = op_sample({{1, 2, 2, 3}, {1, 2, 5, 7}}, {{"output_size", "(2, 3)"}});
      s.no_grad_inputs = {1};
      return s;
    }());

}  // namespace minerva
