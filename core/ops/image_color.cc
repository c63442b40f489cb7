// Colour operators of mx.nd.image on single images (H x W x C, C being 1 or 3): brightness,
// contrast, saturation and hue jitter, their random combination, and AlexNet-style PCA lighting.
// Each follows MXNet 1.9.1's kernel, arithmetic in float and uint8 results saturated and
// truncated, including its quirks (noted where they matter).
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/op/random.h"
#include "core/ops/image_util.h"

namespace minerva {
namespace {

void image_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;
  check_hwc_image(attrs, (*in)[0]);
  (*out)[0] = (*in)[0];
}

// image_shape after checking that the float parameters `names` are finite. It runs when the
// operator is called, so a bad value fails there rather than in the kernel, where the error
// would also mark the random generator's variable.
InferShapeFn finite_params_shape(std::vector<std::string> names) {
  return [names](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
    for (const std::string& n : names)
      MV_CHECK(std::isfinite(attrs.get_float(n)), kValue)
          << "Operator " << attrs.op->name << ": " << n << " must be finite, got " << attrs.get_float(n);
    image_shape(attrs, in, out);
  };
}

// Runs f(input, output, pixels, channels) with typed pointers; `src` may be the output itself
// (the colour jitter chains adjustments in place).
template <typename F>
void with_image(const Attrs& attrs, const TBlob& src, const TBlob& dst, F&& f) {
  const int64_t pixels = src.shape[0] * src.shape[1], channels = src.shape[2];
  MV_IMAGE_SWITCH(src.dtype, attrs.op->name, T, { f(src.ptr<T>(), dst.ptr<T>(), pixels, channels); });
}

float draw_uniform(std::mt19937_64& eng, double lo, double hi) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  return static_cast<float>(lo + (hi - lo) * u(eng));
}

void adjust_brightness(const Attrs& attrs, const TBlob& src, const TBlob& dst, float alpha) {
  with_image(attrs, src, dst, [&](const auto* in, auto* out, int64_t pixels, int64_t channels) {
    using T = std::remove_pointer_t<decltype(out)>;
    for (int64_t i = 0; i < pixels * channels; ++i) out[i] = image_saturate<T>(static_cast<float>(in[i]) * alpha);
  });
}

// Blends with the mean grey level (ITU-R 601 luma of RGB, the value itself for one channel).
void adjust_contrast(const Attrs& attrs, const TBlob& src, const TBlob& dst, float alpha) {
  static const float kLuma[3] = {0.299f, 0.587f, 0.114f};
  with_image(attrs, src, dst, [&](const auto* in, auto* out, int64_t pixels, int64_t channels) {
    using T = std::remove_pointer_t<decltype(out)>;
    double sum = 0;
    for (int64_t p = 0; p < pixels; ++p) {
      if (channels == 3)
        for (int c = 0; c < 3; ++c) sum += static_cast<float>(in[p * 3 + c]) * kLuma[c];
      else
        sum += static_cast<float>(in[p]);
    }
    const float mean = pixels > 0 ? static_cast<float>(sum / static_cast<double>(pixels)) : 0.f;
    const float beta = (1 - alpha) * mean;
    for (int64_t i = 0; i < pixels * channels; ++i)
      out[i] = image_saturate<T>(static_cast<float>(in[i]) * alpha + beta);
  });
}

// Blends each pixel with a grey level. As MXNet 1.9.1 computes it, that grey level is only the
// blue channel's share (0.114 * b): its loop assigns instead of summing the three terms. Kept so
// results agree with MXNet.
void adjust_saturation(const Attrs& attrs, const TBlob& src, const TBlob& dst, float alpha) {
  with_image(attrs, src, dst, [&](const auto* in, auto* out, int64_t pixels, int64_t channels) {
    using T = std::remove_pointer_t<decltype(out)>;
    if (channels == 1) {
      for (int64_t p = 0; p < pixels; ++p) out[p] = in[p];
      return;
    }
    for (int64_t p = 0; p < pixels; ++p) {
      const float grey = static_cast<float>(in[p * 3 + 2]) * 0.114f * (1.f - alpha);
      for (int c = 0; c < 3; ++c) out[p * 3 + c] = image_saturate<T>(grey + static_cast<float>(in[p * 3 + c]) * alpha);
    }
  });
}

// RGB in [0, 255] to hue (degrees), lightness and saturation in [0, 1] (OpenCV's HLS).
void rgb_to_hls(float r, float g, float b, float* h, float* l, float* s) {
  r /= 255.f, g /= 255.f, b /= 255.f;
  const float vmax = std::fmax(std::fmax(r, g), b), vmin = std::fmin(std::fmin(r, g), b);
  float diff = vmax - vmin;
  *h = 0.f, *s = 0.f;
  *l = (vmax + vmin) * 0.5f;
  if (diff > std::numeric_limits<float>::epsilon()) {
    *s = *l < 0.5f ? diff / (vmax + vmin) : diff / (2.0f - vmax - vmin);
    diff = 60.f / diff;
    if (vmax == r) *h = (g - b) * diff;
    else if (vmax == g) *h = (b - r) * diff + 120.f;
    else *h = (r - g) * diff + 240.f;
    if (*h < 0.f) *h += 360.f;
  }
}

void hls_to_rgb(float h, float l, float s, float* r, float* g, float* b) {
  // Which of (p2, p1, rising, falling) each of b, g, r takes in each 60-degree sector.
  static const int kSector[6][3] = {{1, 3, 0}, {1, 0, 2}, {3, 0, 1}, {0, 2, 1}, {0, 1, 3}, {2, 1, 0}};
  float rv = l, gv = l, bv = l;
  if (s != 0 && std::isfinite(h)) {
    const float p2 = l <= 0.5f ? l * (1 + s) : l + s - l * s;
    const float p1 = 2 * l - p2;
    h *= 1.f / 60.f;
    h = std::fmod(h, 6.f);  // MXNet steps by 6 in a loop; fmod gives the same sector without the loop
    if (h < 0) h += 6.f;
    const int sector = std::min(static_cast<int>(h), 5);
    h -= static_cast<float>(sector);
    const float tab[4] = {p2, p1, p1 + (p2 - p1) * (1 - h), p1 + (p2 - p1) * h};
    bv = tab[kSector[sector][0]];
    gv = tab[kSector[sector][1]];
    rv = tab[kSector[sector][2]];
  }
  *r = rv * 255.f, *g = gv * 255.f, *b = bv * 255.f;
}

// Rotates the hue by alpha turns (alpha * 360 degrees); one-channel images are copied.
void adjust_hue(const Attrs& attrs, const TBlob& src, const TBlob& dst, float alpha) {
  with_image(attrs, src, dst, [&](const auto* in, auto* out, int64_t pixels, int64_t channels) {
    using T = std::remove_pointer_t<decltype(out)>;
    if (channels == 1) {
      for (int64_t p = 0; p < pixels; ++p) out[p] = in[p];
      return;
    }
    for (int64_t p = 0; p < pixels; ++p) {
      float h, l, s, r, g, b;
      rgb_to_hls(static_cast<float>(in[p * 3]), static_cast<float>(in[p * 3 + 1]), static_cast<float>(in[p * 3 + 2]),
                 &h, &l, &s);
      hls_to_rgb(h + alpha * 360.f, l, s, &r, &g, &b);
      out[p * 3] = image_saturate<T>(r);
      out[p * 3 + 1] = image_saturate<T>(g);
      out[p * 3 + 2] = image_saturate<T>(b);
    }
  });
}

// Adds the AlexNet PCA colour offset eigvec * (alpha * eigval) to every RGB pixel; one-channel
// images are copied (MXNet leaves them unwritten).
void adjust_lighting(const Attrs& attrs, const TBlob& src, const TBlob& dst, const double alpha[3]) {
  static const float kEig[3][3] = {{55.46f * -0.5675f, 4.794f * 0.7192f, 1.148f * 0.4009f},
                                   {55.46f * -0.5808f, 4.794f * -0.0045f, 1.148f * -0.8140f},
                                   {55.46f * -0.5836f, 4.794f * -0.6948f, 1.148f * 0.4203f}};
  float a[3], offset[3];
  for (int i = 0; i < 3; ++i) a[i] = static_cast<float>(alpha[i]);
  for (int c = 0; c < 3; ++c) offset[c] = kEig[c][0] * a[0] + kEig[c][1] * a[1] + kEig[c][2] * a[2];
  with_image(attrs, src, dst, [&](const auto* in, auto* out, int64_t pixels, int64_t channels) {
    using T = std::remove_pointer_t<decltype(out)>;
    if (channels == 1) {
      for (int64_t p = 0; p < pixels; ++p) out[p] = in[p];
      return;
    }
    for (int64_t p = 0; p < pixels; ++p)
      for (int c = 0; c < 3; ++c) {
        if constexpr (std::is_same_v<T, double>)  // float64 keeps its precision (the op is differentiable)
          out[p * 3 + c] = in[p * 3 + c] + static_cast<double>(offset[c]);
        else
          out[p * 3 + c] = image_saturate<T>(static_cast<float>(in[p * 3 + c]) + offset[c]);
      }
  });
}

// The random operators drawing one factor in [min_factor, max_factor].
using Adjust = void (*)(const Attrs&, const TBlob&, const TBlob&, float);

void random_adjust(const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out, Adjust adjust) {
  const float alpha = draw_uniform(ctx.rng->engine, attrs.get_float("min_factor"), attrs.get_float("max_factor"));
  adjust(attrs, in[0], out[0], alpha);
}

// The jitters of random_color_jitter, applied in a random order; each whose amount is positive
// draws its factor 1 + U(-amount, amount) and works on the previous one's result.
void random_color_jitter(const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  struct Jitter {
    const char* param;
    Adjust adjust;
    bool hue;
  };
  Jitter jitters[4] = {{"brightness", adjust_brightness, false},
                       {"contrast", adjust_contrast, false},
                       {"saturation", adjust_saturation, false},
                       {"hue", adjust_hue, true}};
  std::mt19937_64& eng = ctx.rng->engine;
  std::shuffle(jitters, jitters + 4, eng);
  bool adjusted = false;
  for (const Jitter& j : jitters) {
    const double amount = attrs.get_float(j.param);
    if (!(amount > 0)) continue;
    const float draw = draw_uniform(eng, -amount, amount);
    j.adjust(attrs, adjusted ? out[0] : in[0], out[0], j.hue ? draw : 1.f + draw);
    adjusted = true;
  }
  // No jitter at all: the image unchanged (MXNet leaves the output unwritten).
  if (!adjusted) with_image(attrs, in[0], out[0], [](const auto* i, auto* o, int64_t p, int64_t c) {
      std::copy(i, i + p * c, o);
    });
}

OpSample random_sample(Shape s, KeyValues params) {
  OpSample sample = op_sample({std::move(s)}, std::move(params));
  sample.lo = 0;
  sample.hi = 255;
  sample.grad_check = false;
  return sample;
}

}  // namespace

#define MV_IMAGE_RANDOM_FACTOR_PARAMS                                                  \
  required_param("min_factor", ParamType::kFloat, "Minimum factor.")                  \
      .bounds(0, std::numeric_limits<double>::infinity())                              \
      .required_param("max_factor", ParamType::kFloat, "Maximum factor.")             \
      .bounds(0, std::numeric_limits<double>::infinity())

MV_REGISTER_OP(_image_random_brightness)
    .describe("Multiplies an image (H x W x C, C being 1 or 3) by a factor drawn uniformly from [min_factor, "
              "max_factor]. uint8 results saturate to [0, 255].\n\n"
              "Example::\n\n  random_brightness([[[10, 20, 30]]], min_factor=2, max_factor=2) = [[[20, 40, 60]]]")
    .input("data", "The input.")
    .MV_IMAGE_RANDOM_FACTOR_PARAMS
    .set_infer_shape(finite_params_shape({"min_factor", "max_factor"}))
    .set_infer_type(image_type())
    .set_forward([](const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      random_adjust(ctx, attrs, in, out, adjust_brightness);
    })
    .set_inplace(0, 0)
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({2, 3, 3}, {{"min_factor", "0.5"}, {"max_factor", "1.5"}}));

MV_REGISTER_OP(_image_random_contrast)
    .describe("Blends an image (H x W x C, C being 1 or 3) with its mean grey level: alpha * x + (1 - alpha) * "
              "mean(grey), alpha drawn uniformly from [min_factor, max_factor]; grey is 0.299 R + 0.587 G + 0.114 B.\n\n"
              "Example::\n\n  random_contrast([[[0], [10]]], min_factor=0.5, max_factor=0.5) = [[[2.5], [7.5]]]")
    .input("data", "The input.")
    .MV_IMAGE_RANDOM_FACTOR_PARAMS
    .set_infer_shape(finite_params_shape({"min_factor", "max_factor"}))
    .set_infer_type(image_type())
    .set_forward([](const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      random_adjust(ctx, attrs, in, out, adjust_contrast);
    })
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({2, 3, 3}, {{"min_factor", "0.5"}, {"max_factor", "1.5"}}));

MV_REGISTER_OP(_image_random_saturation)
    .describe("Blends each pixel of an RGB image (H x W x 3) with a grey level: alpha * x + (1 - alpha) * grey, "
              "alpha drawn uniformly from [min_factor, max_factor]. As in MXNet 1.9.1, grey is 0.114 * B (MXNet's "
              "kernel keeps only the last luma term); one-channel images are returned unchanged.\n\n"
              "Example::\n\n  random_saturation([[[0, 10, 100]]], min_factor=0.5, max_factor=0.5)\n"
              "    = [[[5.7, 10.7, 55.7]]]")
    .input("data", "The input.")
    .MV_IMAGE_RANDOM_FACTOR_PARAMS
    .set_infer_shape(finite_params_shape({"min_factor", "max_factor"}))
    .set_infer_type(image_type())
    .set_forward([](const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      random_adjust(ctx, attrs, in, out, adjust_saturation);
    })
    .set_inplace(0, 0)
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({2, 3, 3}, {{"min_factor", "0.5"}, {"max_factor", "1.5"}}));

MV_REGISTER_OP(_image_random_hue)
    .describe("Rotates the hue of an RGB image (H x W x 3, values in [0, 255]) by alpha * 360 degrees in HLS space, "
              "alpha drawn uniformly from [min_factor, max_factor]; one-channel images are returned unchanged.\n\n"
              "Example::\n\n  random_hue([[[0, 10, 20]]], min_factor=0.25, max_factor=0.25) = [[[20, 0, 20]]]")
    .input("data", "The input.")
    .MV_IMAGE_RANDOM_FACTOR_PARAMS
    .set_infer_shape(finite_params_shape({"min_factor", "max_factor"}))
    .set_infer_type(image_type())
    .set_forward([](const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      random_adjust(ctx, attrs, in, out, adjust_hue);
    })
    .set_inplace(0, 0)
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({2, 3, 3}, {{"min_factor", "0"}, {"max_factor", "0.5"}}));

MV_REGISTER_OP(_image_random_color_jitter)
    .describe("Applies, in a random order, brightness, contrast, saturation and hue jitters to an image "
              "(H x W x C): each amount that is positive draws a factor 1 + U(-amount, amount) (hue: U(-hue, hue) "
              "turns) and adjusts the result of the previous one; with every amount 0 the image is unchanged.\n\n"
              "Example::\n\n  random_color_jitter(image, brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1)")
    .input("data", "The input.")
    .required_param("brightness", ParamType::kFloat, "How much to jitter brightness.")
    .required_param("contrast", ParamType::kFloat, "How much to jitter contrast.")
    .required_param("saturation", ParamType::kFloat, "How much to jitter saturation.")
    .required_param("hue", ParamType::kFloat, "How much to jitter hue.")
    .set_infer_shape(finite_params_shape({"brightness", "contrast", "saturation", "hue"}))
    .set_infer_type(image_type())
    .set_forward(random_color_jitter)
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({2, 3, 3}, {{"brightness", "0.2"}, {"contrast", "0.2"}, {"saturation", "0.2"},
                                          {"hue", "0.1"}}));

MV_REGISTER_OP(_image_adjust_lighting)
    .describe("Adds AlexNet-style PCA lighting noise to an RGB image (H x W x 3): the offset eigvec * (alpha * "
              "eigval) with ImageNet's RGB eigenvalues (55.46, 4.794, 1.148) is added to every pixel. One-channel "
              "images are returned unchanged. The gradient passes ograd through (MXNet's).\n\n"
              "Example::\n\n  adjust_lighting(image, alpha=(0.1, 0.2, 0.3))")
    .input("data", "The input.")
    .required_param("alpha", ParamType::kString, "The lighting alphas for the R, G, B channels.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const std::vector<double> alpha = image_float_tuple(attrs, "alpha");
      MV_CHECK(alpha.size() == 3 && std::all_of(alpha.begin(), alpha.end(), [](double a) { return std::isfinite(a); }),
               kValue)
          << "Operator " << attrs.op->name << ": alpha must hold 3 finite values (R, G, B), got " << attrs.get_str("alpha");
      image_shape(attrs, in, out);
    })
    .set_infer_type(image_type())
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const std::vector<double> a = image_float_tuple(attrs, "alpha");
      MV_CHECK(a.size() == 3, kValue) << "Operator " << attrs.op->name << ": alpha must hold 3 values";
      adjust_lighting(attrs, in[0], out[0], a.data());
    })
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd()}; })
    .add_sample(op_sample({{2, 3, 3}}, {{"alpha", "(0.1, -0.2, 0.3)"}}));

MV_REGISTER_OP(_image_random_lighting)
    .describe("adjust_lighting with the three alphas drawn from a normal distribution of mean 0 and standard "
              "deviation alpha_std.\n\nExample::\n\n  random_lighting(image, alpha_std=0.05)")
    .input("data", "The input.")
    .param("alpha_std", ParamType::kFloat, "0.05", "Level of the lighting noise.")
    .set_infer_shape(finite_params_shape({"alpha_std"}))
    .set_infer_type(image_type())
    .set_forward([](const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      std::normal_distribution<double> z(0.0, 1.0);
      const double sd = attrs.get_float("alpha_std");
      double alpha[3];
      for (double& a : alpha) a = static_cast<float>(sd * z(ctx.rng->engine));
      adjust_lighting(attrs, in[0], out[0], alpha);
    })
    .set_uses_rng()
    .set_non_differentiable()
    .add_sample(random_sample({2, 3, 3}, {{"alpha_std", "0.1"}}));

}  // namespace minerva
