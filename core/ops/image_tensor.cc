// Image-to-tensor operators of mx.nd.image: to_tensor (HWC uint8 pixels to CHW float32 in [0, 1])
// and normalize (per-channel (x - mean) / std of CHW tensors), with normalize's backward.
#include <cmath>
#include <type_traits>

#include "core/ops/image_util.h"

namespace minerva {
namespace {

// ---- to_tensor ---------------------------------------------------------------------------------

void to_tensor_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  check_image_or_batch(attrs, d);
  (*out)[0] = d.size() == 3 ? Shape{d[2], d[0], d[1]} : Shape{d[0], d[3], d[1], d[2]};
}

void to_tensor_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  const Shape& d = in[0].shape;
  const bool batch = d.size() == 4;
  const int64_t images = batch ? d[0] : 1, pixels = d[batch + 0] * d[batch + 1], channels = d[batch + 2];
  float* o = out[0].ptr<float>();
  MV_IMAGE_SWITCH(in[0].dtype, attrs.op->name, T, {
    const T* x = in[0].ptr<T>();
    parallel_for(images * channels, [&](int64_t nc) {
      const int64_t n = nc / channels, c = nc % channels;
      const T* src = x + n * pixels * channels + c;
      float* dst = o + nc * pixels;
      for (int64_t p = 0; p < pixels; ++p) dst[p] = static_cast<float>(src[p * channels]) / 255.0f;
    }, 64);
  });
}

// ---- normalize ---------------------------------------------------------------------------------

// The channel count of a (C, H, W) or (N, C, H, W) tensor after MXNet's checks of the shape and
// of the mean/std lengths.
int64_t normalize_channels(const Attrs& attrs, const Shape& d) {
  const std::string& who = attrs.op->name;
  MV_CHECK(d.size() == 3 || d.size() == 4, kValue)
      << "Operator " << who << ": input tensor must have shape (channels, height, width) or "
      << "(N, channels, height, width), got " << shape_str(d);
  const int64_t c = d[d.size() - 3];
  MV_CHECK(c == 1 || c == 3, kValue) << "Operator " << who << ": the channel dimension of the input tensor must have "
                                     << "1 or 3 elements, got shape " << shape_str(d);
  for (const char* name : {"mean", "std"}) {
    const size_t n = image_float_tuple(attrs, name).size();
    MV_CHECK(n == 1 || static_cast<int64_t>(n) == c, kValue)
        << "Operator " << who << ": " << name << " must have 1 or " << c << " elements for input of shape "
        << shape_str(d) << ", got " << attrs.get_str(name) << " (" << n << " elements)";
  }
  return c;
}

// The integer checks of normalize_apply, at dtype inference (when the operator is called).
void normalize_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out);

void normalize_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;
  normalize_channels(attrs, (*in)[0]);
  (*out)[0] = (*in)[0];
}

// Value of a per-channel parameter (one value, or one per channel).
double channel_value(const std::vector<double>& v, int64_t c) { return v[v.size() > 1 ? c : 0]; }

// y = (x - mean[c]) / std[c]; `gradient` computes dx = dy / std[c] instead. Integer tensors work
// as MXNet's kernel does: mean and std are converted to the dtype and the arithmetic is integral
// (truncating division), so a std that converts to zero is an error rather than a crash.
// The mean and std of an integer tensor, converted as MXNet converts them; they must fit int64
// and std must not become zero.
void check_integer_normalize(const Attrs& attrs, DType dtype) {
  const std::vector<double> mean = image_float_tuple(attrs, "mean"), stdv = image_float_tuple(attrs, "std");
  for (const auto* v : {&mean, &stdv})
    for (double x : *v) {
      const double f = static_cast<float>(x);
      MV_CHECK(std::isfinite(f) && std::fabs(f) < 9.2e18, kValue)
          << "Operator " << attrs.op->name << ": " << (v == &mean ? "mean " : "std ") << f
          << " cannot be converted to the integer dtype " << dtype_name(dtype);
    }
  for (size_t c = 0; c < stdv.size(); ++c)
    MV_CHECK(static_cast<int64_t>(static_cast<float>(stdv[c])) != 0, kValue)
        << "Operator " << attrs.op->name << ": std " << stdv[c] << " of channel " << c
        << " is zero once converted to the integer dtype " << dtype_name(dtype);
}

void normalize_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  image_type()(attrs, in, out);
  if ((*in)[0] < 0) return;
  const DType d = static_cast<DType>((*in)[0]);
  if (d != DType::kFloat32 && d != DType::kFloat64 && d != DType::kFloat16) check_integer_normalize(attrs, d);
}

void normalize_apply(const Attrs& attrs, const TBlob& x, const TBlob& y, bool gradient) {
  const Shape& d = x.shape;
  const int64_t channels = normalize_channels(attrs, d);
  const int64_t plane = d[d.size() - 2] * d[d.size() - 1];
  const int64_t planes = x.size() / (plane == 0 ? 1 : plane);
  const std::vector<double> mean = image_float_tuple(attrs, "mean"), stdv = image_float_tuple(attrs, "std");
  MV_IMAGE_SWITCH(x.dtype, attrs.op->name, T, {
    const T* in = x.ptr<T>();
    T* out = y.ptr<T>();
    if constexpr (std::is_integral_v<T>) check_integer_normalize(attrs, x.dtype);  // also done at inference
    parallel_for(planes, [&](int64_t pc) {
      const int64_t c = pc % channels;
      const float m = static_cast<float>(channel_value(mean, c)), s = static_cast<float>(channel_value(stdv, c));
      const T* src = in + pc * plane;
      T* dst = out + pc * plane;
      for (int64_t i = 0; i < plane; ++i) {
        if constexpr (std::is_integral_v<T>) {
          const int64_t mi = gradient ? 0 : static_cast<int64_t>(m), si = static_cast<int64_t>(s);
          dst[i] = static_cast<T>((static_cast<int64_t>(src[i]) - mi) / si);
        } else if constexpr (std::is_same_v<T, double>) {
          dst[i] = gradient ? src[i] / static_cast<double>(s) : (src[i] - static_cast<double>(m)) / s;
        } else {
          const float v = static_cast<float>(src[i]);
          dst[i] = static_cast<T>(gradient ? v / s : (v - m) / s);
        }
      }
    }, 16);
  });
}

}  // namespace

MV_REGISTER_OP(_image_to_tensor)
    .describe(
        "Converts an image (H x W x C) or a batch (N x H x W x C) with values in [0, 255] to a float32 tensor "
        "(C x H x W) or (N x C x H x W) with values in [0, 1]: every value is divided by 255. Any numeric input "
        "dtype is accepted; the output is always float32.\n\n"
        "Example::\n\n  image = [[[0, 255, 51]]]            # 1 x 1 x 3 uint8\n"
        "  to_tensor(image) = [[[0.]], [[1.]], [[0.2]]]   # 3 x 1 x 1 float32")
    .input("data", "Input ndarray")
    .set_infer_shape(to_tensor_shape)
    .set_infer_type([](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
      std::vector<int> same_out{-1};
      image_type()(attrs, in, &same_out);  // rejects bool
      (*out)[0] = static_cast<int>(DType::kFloat32);
    })
    .set_forward(to_tensor_forward)
    .set_non_differentiable()  // MXNet 1.9.1 declares no usable gradient either (its backward fails)
    .add_sample(op_sample({{4, 2, 3}}))
    .add_sample(op_sample({{2, 3, 2, 1}}));

MV_REGISTER_OP(_image_normalize)
    .describe(
        "Normalizes a tensor of shape (C x H x W) or (N x C x H x W), C being 1 or 3, with a mean and a standard "
        "deviation per channel: output[c] = (input[c] - mean[c]) / std[c]. A mean or std of one value applies to "
        "every channel. The defaults hold four values, which MXNet rejects for 1- and 3-channel tensors alike: "
        "pass mean and std. Integer tensors use integer arithmetic, as MXNet.\n\n"
        "Example::\n\n  x = [[[1, 2]], [[3, 4]], [[5, 6]]]     # 3 x 1 x 2\n"
        "  normalize(x, mean=(0, 1, 2), std=(1, 2, 4)) = [[[1, 2]], [[1, 1.5]], [[0.75, 1]]]")
    .input("data", "Input ndarray")
    .param("mean", ParamType::kString, "(0,0,0,0)", "Sequence of means for each channel. Default value is 0.")
    .param("std", ParamType::kString, "(1,1,1,1)",
           "Sequence of standard deviations for each channel. Default value is 1.")
    .set_infer_shape(normalize_shape)
    .set_infer_type(normalize_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      normalize_apply(attrs, in[0], out[0], false);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_image_normalize", {g.ograd()}, g.forward_params())};
    })
    .add_sample(op_sample({{3, 2, 4}}, {{"mean", "(0.5, -1, 2)"}, {"std", "(2, 0.5, 4)"}}))
    .add_sample(op_sample({{2, 1, 3, 2}}, {{"mean", "0.25"}, {"std", "(3,)"}}));

MV_REGISTER_OP(_backward_image_normalize)
    .describe("Gradient of _image_normalize: ograd[c] / std[c].")
    .input("ograd", "gradient of the output")
    .params_from("_image_normalize")
    .set_infer_shape(normalize_shape)
    .set_infer_type(normalize_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      normalize_apply(attrs, in[0], out[0], true);
    })
    .set_gradient([](const GradContext& g) {  // linear in ograd
      return std::vector<Tensor>{op("_backward_image_normalize", {g.ograd()}, g.forward_params())};
    })
    .add_sample(op_sample({{3, 2, 2}}, {{"mean", "(1, 2, 3)"}, {"std", "(2, 0.5, 4)"}}));

}  // namespace minerva
