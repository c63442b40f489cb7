// Geometric operators of mx.nd.image: flip_left_right / flip_top_bottom and their random
// forms, crop (with its backward) and resize.
#include <cmath>
#include <cstring>
#include <random>

#include "core/op/random.h"
#include "core/ops/image_util.h"
#include "core/ops/tensor_util.h"

namespace minerva {
namespace {

// ---- flips -------------------------------------------------------------------------------------

void flip_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;
  check_hwc_image(attrs, (*in)[0]);
  (*out)[0] = (*in)[0];
}

// Reverses axis 0 (top-bottom) or 1 (left-right) of an (H, W, C) image. Every output element is
// written (MXNet 1.9.1 leaves the middle column or row of an odd-sized image unwritten).
void flip_image(const Attrs& attrs, const TBlob& x, const TBlob& y, int axis) {
  MV_IMAGE_SWITCH(x.dtype, attrs.op->name, T, { (void)sizeof(T); });  // rejects bool like MXNet
  const Shape& d = x.shape;
  Shape st = strides_of(d);
  int64_t off = 0;
  if (d[axis] > 0) {
    off = (d[axis] - 1) * st[axis];
    st[axis] = -st[axis];
  }
  strided_copy(x.data, off, st, y.data, 0, strides_of(d), d, dtype_size(x.dtype));
}

// The random flips: with probability 1/2 the image is flipped, else copied.
void random_flip(const OpContext& ctx, const Attrs& attrs, const TBlob& x, const TBlob& y, int axis) {
  std::bernoulli_distribution coin(0.5);
  if (coin(ctx.rng->engine)) {
    flip_image(attrs, x, y, axis);
  } else {
    MV_IMAGE_SWITCH(x.dtype, attrs.op->name, T, { (void)sizeof(T); });
    copy_if_distinct(x, y);
  }
}

OpSample random_sample(Shape s, KeyValues params = {}) {
  OpSample sample = op_sample({std::move(s)}, std::move(params));
  sample.grad_check = false;
  return sample;
}

// ---- crop --------------------------------------------------------------------------------------

struct CropBox {
  int64_t x, y, w, h;
};

// The crop window after MXNet's checks (3-D or 4-D input with 1 or 3 channels, a positive
// window inside the image), and the output shape.
CropBox crop_box(const Attrs& attrs, const Shape& d, Shape* out) {
  const std::string& who = attrs.op->name;
  MV_CHECK(d.size() == 3 || d.size() == 4, kValue)
      << "Operator " << who << ": expects an image (h, w, c) or a batch (n, h, w, c), got shape " << shape_str(d);
  const size_t b = d.size() - 3;
  MV_CHECK(d[b + 2] == 1 || d[b + 2] == 3, kValue)
      << "Operator " << who << ": expects 1 or 3 channels (last dimension), got shape " << shape_str(d);
  CropBox box{attrs.get_int("x"), attrs.get_int("y"), attrs.get_int("width"), attrs.get_int("height")};
  MV_CHECK(box.w > 0 && box.h > 0, kValue) << "Operator " << who << ": width and height must be greater than 0, got "
                                           << box.w << " and " << box.h;
  MV_CHECK(box.x >= 0 && box.y >= 0, kValue) << "Operator " << who << ": x and y must not be negative, got "
                                             << box.x << " and " << box.y;
  MV_CHECK(box.x <= d[b + 1] - box.w, kValue) << "Operator " << who << ": x (" << box.x << ") + width (" << box.w
                                              << ") is greater than the input width " << d[b + 1];
  MV_CHECK(box.y <= d[b] - box.h, kValue) << "Operator " << who << ": y (" << box.y << ") + height (" << box.h
                                          << ") is greater than the input height " << d[b];
  *out = d;
  (*out)[b] = box.h;
  (*out)[b + 1] = box.w;
  return box;
}

// Copies the crop window between the full image `full` and the cropped `window` (either way).
void crop_copy(const CropBox& box, const Shape& full, const TBlob& src, const TBlob& dst, bool to_window) {
  const size_t b = full.size() - 3;
  const Shape full_st = strides_of(full);
  Shape window = full;
  window[b] = box.h;
  window[b + 1] = box.w;
  const Shape win_st = strides_of(window);
  const int64_t corner = box.y * full_st[b] + box.x * full_st[b + 1];
  if (to_window)
    strided_copy(src.data, corner, full_st, dst.data, 0, win_st, window, dtype_size(src.dtype));
  else
    strided_copy(src.data, 0, win_st, dst.data, corner, full_st, window, dtype_size(src.dtype));
}

void crop_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;
  crop_box(attrs, (*in)[0], &(*out)[0]);
}

void crop_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  MV_IMAGE_SWITCH(in[0].dtype, attrs.op->name, T, { (void)sizeof(T); });
  Shape cropped;
  crop_copy(crop_box(attrs, in[0].shape, &cropped), in[0].shape, in[0], out[0], true);
}

// _backward_image_crop(ograd, data): ograd must be the crop of data's shape.
void crop_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& data = (*in)[1];
  if (data.empty()) return;
  Shape cropped;
  crop_box(attrs, data, &cropped);
  if (!(*in)[0].empty() && (*in)[0] != cropped) shape_mismatch(attrs, "ograd", cropped, (*in)[0]);
  (*out)[0] = data;
}

void crop_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  Shape cropped;
  const CropBox box = crop_box(attrs, in[1].shape, &cropped);
  if (in[0].shape != cropped) shape_mismatch(attrs, "ograd", cropped, in[0].shape);
  fill_blob(out[0], 0);
  crop_copy(box, in[1].shape, in[0], out[0], false);
}

// ---- resize ------------------------------------------------------------------------------------

template <typename T>
using ResizeKernel = void (*)(const T*, int64_t, int64_t, int64_t, T*, int64_t, int64_t);
template <typename T>
ResizeKernel<T> resize_kernel(const Attrs& attrs);

// Output (height, width) from `size` and keep_ratio, MXNet's rules: (width, height), or one value
// for both sides, or with keep_ratio one value for the short side.
std::pair<int64_t, int64_t> resized_hw(const Attrs& attrs, int64_t h, int64_t w) {
  const std::string& who = attrs.op->name;
  const Shape& size = attrs.get_shape("size");
  MV_CHECK(size.size() == 1 || size.size() == 2, kValue)
      << "Operator " << who << ": size must hold 1 or 2 values, (size) or (width, height), got " << shape_str(size);
  for (int64_t v : size)
    MV_CHECK(v > 0, kValue) << "Operator " << who << ": size must be positive, got " << shape_str(size);
  if (size.size() == 2) return {size[1], size[0]};
  if (!attrs.get_bool("keep_ratio")) return {size[0], size[0]};
  MV_CHECK(h > 0 && w > 0, kValue) << "Operator " << who << ": keep_ratio needs a non-empty image, got height " << h
                                   << " and width " << w;
  if (h > w) return {checked_mul(attrs, h, size[0], "the resized height") / w, size[0]};
  return {size[0], checked_mul(attrs, w, size[0], "the resized width") / h};
}

void resize_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  resize_kernel<uint8_t>(attrs);  // an interp value without a kernel fails when the operator is called
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  check_image_or_batch(attrs, d);
  const size_t b = d.size() - 3;
  const auto hw = resized_hw(attrs, d[b], d[b + 1]);
  Shape o = d;
  o[b] = hw.first;
  o[b + 1] = hw.second;
  shape_size(o);  // throws on overflow
  (*out)[0] = o;
}

// One axis of OpenCV's bilinear map (pixel centres aligned): source index pair and the weight of
// the second. Along x OpenCV clamps at the borders (weight 0); along y it does not clamp the
// weight, only the row indices, and that difference is visible in uint8 results.
// OpenCV's source step of a resize: the inverse of dst / src, rounded as OpenCV rounds it (not
// src / dst, which differs in the last bit and moves a nearest-neighbour sample).
double source_step(int64_t src, int64_t dst) { return 1.0 / (static_cast<double>(dst) / static_cast<double>(src)); }

struct LinearTap {
  int64_t i0, i1;
  float frac;
};

std::vector<LinearTap> linear_taps(int64_t src, int64_t dst, bool clamp_weight) {
  const double scale = source_step(src, dst);
  std::vector<LinearTap> taps(static_cast<size_t>(dst));
  for (int64_t d = 0; d < dst; ++d) {
    float f = static_cast<float>((static_cast<double>(d) + 0.5) * scale - 0.5);
    int64_t s = static_cast<int64_t>(std::floor(f));
    f -= static_cast<float>(s);
    if (clamp_weight && s < 0) f = 0, s = 0;
    if (clamp_weight && s >= src - 1) f = 0, s = src - 1;
    taps[static_cast<size_t>(d)] = {std::min(std::max<int64_t>(s, 0), src - 1),
                                    std::min(std::max<int64_t>(s + 1, 0), src - 1), f};
  }
  return taps;
}

// OpenCV's 11-bit fixed-point weights of uint8 bilinear resizing.
int32_t fixed_weight(float w) { return static_cast<int32_t>(std::nearbyint(w * 2048.0f)); }

// Bilinear resize of one image (H, W, C) -> (h, w, C): for each output row, the horizontal pass
// of its two source rows, then the vertical blend; in float for float images and in OpenCV's
// fixed point for uint8 (bit-exact with MXNet's OpenCV build in our checks). Working memory is
// two output rows, whatever the scale.
template <typename T>
void resize_bilinear(const T* src, int64_t H, int64_t W, int64_t C, T* dst, int64_t h, int64_t w) {
  const std::vector<LinearTap> tx = linear_taps(W, w, true), ty = linear_taps(H, h, false);
  using Acc = std::conditional_t<std::is_same_v<T, uint8_t>, int32_t,
                                 std::conditional_t<std::is_same_v<T, double>, double, float>>;
  auto horizontal = [&](int64_t r, Acc* o) {
    for (int64_t x = 0; x < w; ++x) {
      const LinearTap& t = tx[static_cast<size_t>(x)];
      const T* p0 = src + (r * W + t.i0) * C;
      const T* p1 = src + (r * W + t.i1) * C;
      for (int64_t c = 0; c < C; ++c, ++o) {
        if constexpr (std::is_same_v<T, uint8_t>)
          *o = p0[c] * fixed_weight(1.0f - t.frac) + p1[c] * fixed_weight(t.frac);
        else
          *o = static_cast<Acc>(p0[c]) * (1.0f - t.frac) + static_cast<Acc>(p1[c]) * t.frac;
      }
    }
  };
  parallel_for(h, [&](int64_t y) {
    const LinearTap& t = ty[static_cast<size_t>(y)];
    std::vector<Acc> r0(static_cast<size_t>(w * C)), r1(static_cast<size_t>(w * C));
    horizontal(t.i0, r0.data());
    horizontal(t.i1, r1.data());
    T* o = dst + y * w * C;
    if constexpr (std::is_same_v<T, uint8_t>) {
      // OpenCV's vectorised rounding: each product is shifted down separately.
      const int32_t b0 = fixed_weight(1.0f - t.frac), b1 = fixed_weight(t.frac);
      for (int64_t i = 0; i < w * C; ++i) {
        const int32_t v = (((b0 * (r0[i] >> 4)) >> 16) + ((b1 * (r1[i] >> 4)) >> 16) + 2) >> 2;
        o[i] = static_cast<uint8_t>(std::min(std::max(v, 0), 255));
      }
    } else {
      for (int64_t i = 0; i < w * C; ++i) o[i] = static_cast<T>(r0[i] * (1.0f - t.frac) + r1[i] * t.frac);
    }
  }, 16);
}

// Nearest neighbour, OpenCV's INTER_NEAREST: source index floor(d * step).
template <typename T>
void resize_nearest(const T* src, int64_t H, int64_t W, int64_t C, T* dst, int64_t h, int64_t w) {
  const double fy = source_step(H, h), fx = source_step(W, w);
  for (int64_t y = 0; y < h; ++y) {
    const int64_t sy = std::min(static_cast<int64_t>(std::floor(static_cast<double>(y) * fy)), H - 1);
    for (int64_t x = 0; x < w; ++x) {
      const int64_t sx = std::min(static_cast<int64_t>(std::floor(static_cast<double>(x) * fx)), W - 1);
      std::memcpy(dst + (y * w + x) * C, src + (sy * W + sx) * C, static_cast<size_t>(C) * sizeof(T));
    }
  }
}

// interp values: 0 and 1 are implemented; OpenCV's 2 (area), 3 (cubic) and 4 (Lanczos) are not.
template <typename T>
ResizeKernel<T> resize_kernel(const Attrs& attrs) {
  const int64_t interp = attrs.get_int("interp");
  switch (interp) {
    case 0: return resize_nearest<T>;
    case 1: return resize_bilinear<T>;
    case 2:
    case 3:
    case 4:
      MV_THROW(kUnsupported) << "Operator " << attrs.op->name << ": interp=" << interp
                             << " (OpenCV's " << (interp == 2 ? "INTER_AREA" : interp == 3 ? "INTER_CUBIC" : "INTER_LANCZOS4")
                             << ") is not supported; use 0 (nearest) or 1 (bilinear)";
    default:
      MV_THROW(kValue) << "Operator " << attrs.op->name << ": interp must be 0 (nearest) or 1 (bilinear), got "
                       << interp;
  }
}

void resize_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const Shape& d = in[0].shape;
  const Shape& o = out[0].shape;
  const size_t b = d.size() - 3;
  const int64_t images = b ? d[0] : 1, H = d[b], W = d[b + 1], C = d[b + 2], h = o[b], w = o[b + 1];
  MV_CHECK((H > 0 && W > 0) || out[0].size() == 0, kValue)
      << "Operator " << attrs.op->name << ": cannot resize an empty image of shape " << shape_str(d);
  auto run = [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const ResizeKernel<T> kernel = resize_kernel<T>(attrs);
    if (out[0].size() == 0) return;
    const T* x = in[0].ptr<T>();
    T* y = out[0].ptr<T>();
    for (int64_t n = 0; n < images; ++n) kernel(x + n * H * W * C, H, W, C, y + n * h * w * C, h, w);
  };
  switch (in[0].dtype) {
    case DType::kFloat32: run(static_cast<float*>(nullptr)); break;
    case DType::kFloat64: run(static_cast<double*>(nullptr)); break;
    case DType::kUint8: run(static_cast<uint8_t*>(nullptr)); break;
    default:
      MV_THROW(kType) << "Operator " << attrs.op->name << " supports uint8, float32 and float64 images, got "
                      << dtype_name(in[0].dtype);
  }
}

}  // namespace

MV_REGISTER_OP(_image_flip_left_right)
    .describe("Flips an image (H x W x C, C being 1 or 3) left to right: the width axis is reversed. The gradient "
              "is the flipped ograd.\n\nExample::\n\n  flip_left_right([[[1], [2], [3]]]) = [[[3], [2], [1]]]")
    .input("data", "The input.")
    .set_infer_shape(flip_shape)
    .set_infer_type(image_type())
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      flip_image(attrs, in[0], out[0], 1);
    })
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{op("_image_flip_left_right", {g.ograd()})}; })
    .add_sample(op_sample({{2, 4, 3}}))
    .add_sample(op_sample({{3, 2, 1}}));

MV_REGISTER_OP(_image_flip_top_bottom)
    .describe("Flips an image (H x W x C, C being 1 or 3) top to bottom: the height axis is reversed. The gradient "
              "is the flipped ograd.\n\nExample::\n\n  flip_top_bottom([[[1]], [[2]], [[3]]]) = [[[3]], [[2]], [[1]]]")
    .input("data", "The input.")
    .set_infer_shape(flip_shape)
    .set_infer_type(image_type())
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      flip_image(attrs, in[0], out[0], 0);
    })
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{op("_image_flip_top_bottom", {g.ograd()})}; })
    .add_sample(op_sample({{4, 2, 3}}))
    .add_sample(op_sample({{2, 3, 1}}));

MV_REGISTER_OP(_image_random_flip_left_right)
    .describe("Flips an image (H x W x C) left to right with probability 1/2, drawn from the seeded generator.\n\n"
              "Example::\n\n  random_flip_left_right([[[1], [2]]]) = [[[2], [1]]] or [[[1], [2]]]")
    .input("data", "The input.")
    .set_infer_shape(flip_shape)
    .set_infer_type(image_type())
    .set_forward([](const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      random_flip(ctx, attrs, in[0], out[0], 1);
    })
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({2, 3, 3}));

MV_REGISTER_OP(_image_random_flip_top_bottom)
    .describe("Flips an image (H x W x C) top to bottom with probability 1/2, drawn from the seeded generator.\n\n"
              "Example::\n\n  random_flip_top_bottom([[[1]], [[2]]]) = [[[2]], [[1]]] or [[[1]], [[2]]]")
    .input("data", "The input.")
    .set_infer_shape(flip_shape)
    .set_infer_type(image_type())
    .set_forward([](const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      random_flip(ctx, attrs, in[0], out[0], 0);
    })
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({3, 2, 3}));

MV_REGISTER_OP(_image_crop)
    .describe("Crops an image (H x W x C) or a batch (N x H x W x C), C being 1 or 3, to the window of `width` x "
              "`height` pixels whose top-left corner is (x, y). The window must lie inside the image.\n\n"
              "Example::\n\n  image = 4 x 2 x 3 array\n  crop(image, x=1, y=1, width=1, height=2)  # 2 x 1 x 3")
    .input("data", "The input.")
    .required_param("x", ParamType::kInt, "Left boundary of the cropping area.")
    .required_param("y", ParamType::kInt, "Top boundary of the cropping area.")
    .required_param("width", ParamType::kInt, "Width of the cropping area.")
    .required_param("height", ParamType::kInt, "Height of the cropping area.")
    .set_infer_shape(crop_shape)
    .set_infer_type(image_type())
    .set_forward(crop_forward)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_image_crop", {g.ograd(), g.input(0)}, g.forward_params())};
    })
    .add_sample(op_sample({{4, 5, 3}}, {{"x", "1"}, {"y", "2"}, {"width", "3"}, {"height", "2"}}))
    .add_sample(op_sample({{2, 3, 3, 1}}, {{"x", "0"}, {"y", "1"}, {"width", "2"}, {"height", "2"}}));

MV_REGISTER_OP(_backward_image_crop)
    .describe("Gradient of _image_crop: ograd placed at the crop window of a zero array shaped like data.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward input")
    .params_from("_image_crop")
    .set_infer_shape(crop_backward_shape)
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) { (*out)[0] = (*in)[0]; })
    .set_forward(crop_backward)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_image_crop", {g.ograd()}, g.forward_params()), Tensor{}};
    })
    .add_sample([] {
      OpSample s = op_sample({{2, 3, 3}, {4, 5, 3}}, {{"x", "1"}, {"y", "2"}, {"width", "3"}, {"height", "2"}});
      s.no_grad_inputs = {1};
      return s;
    }());

MV_REGISTER_OP(_image_resize)
    .describe("Resizes an image (H x W x C) or a batch (N x H x W x C) to `size`: (width, height), or one value for "
              "both sides, or with keep_ratio one value for the short side (the long side keeps the aspect ratio, "
              "rounded down). interp 1 (default) is OpenCV's bilinear interpolation and 0 nearest neighbour, with "
              "MXNet's (OpenCV's) values, uint8 included; OpenCV's area (2), cubic (3) and Lanczos (4) modes are not "
              "supported. uint8, float32 and float64 images.\n\n"
              "Example::\n\n  image = 4 x 2 x 3 array\n  resize(image, size=(3, 3))       # 3 x 3 x 3\n"
              "  resize(image, size=4, keep_ratio=True)   # 8 x 4 x 3")
    .input("data", "The input.")
    .param("size", ParamType::kShape, "()", "Size of new image. Could be (width, height) or (size)")
    .kind(ParamKind::kList)
    .param("keep_ratio", ParamType::kBool, "False",
           "Whether to resize the short edge or both edges to `size`, if size is give as an integer.")
    .param("interp", ParamType::kInt, "1",
           "Interpolation method for resizing: 0 nearest neighbour, 1 bilinear (default). OpenCV's 2 (area), "
           "3 (bicubic) and 4 (Lanczos) are not supported.")
    .set_infer_shape(resize_shape)
    .set_infer_type(image_type({DType::kUint8, DType::kFloat32, DType::kFloat64}))
    .set_forward(resize_forward)
    .set_non_differentiable()  // MXNet 1.9.1 has no usable gradient either (its backward fails)
    .add_sample(op_sample({{4, 2, 3}}, {{"size", "(3, 3)"}}))
    .add_sample(op_sample({{2, 4, 6, 1}}, {{"size", "(3,)"}, {"keep_ratio", "True"}, {"interp", "0"}}));

}  // namespace minerva
