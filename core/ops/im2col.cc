// im2col and col2im: sliding blocks of an (N, C, spatial...) image as columns of an
// (N, C * prod(kernel), L) array, L the number of block positions, and back (summing overlaps).
// 1, 2 or 3 spatial axes; MXNet 1.9.1 only computes the 2-D case correctly. _backward_im2col is
// col2im sized by the forward input, because a gradient cannot read shapes.
#include "core/base/checked.h"
#include "core/ops/layout_util.h"
#include "core/ops/tensor_util.h"

namespace minerva {
namespace {

// The sliding-window geometry: per spatial axis the image size, kernel, stride, dilation,
// padding and the number of block positions.
struct Windows {
  int nd = 0;
  int64_t n = 0, c = 0;
  Shape image, kernel, stride, dilate, pad, out;
  int64_t k_size = 1, positions = 1, image_size = 1;
};

Shape per_axis(const Attrs& attrs, const char* name, size_t nd, int64_t fallback, int64_t lo) {
  Shape v = attrs.get_shape(name);
  if (v.empty()) v.assign(nd, fallback);
  MV_CHECK(v.size() == nd, kValue) << "Operator " << attrs.op->name << ": " << name << " " << shape_str(v)
                                   << " must have one entry per spatial axis of kernel (" << nd << ")";
  for (int64_t x : v)
    MV_CHECK(x >= lo, kValue) << "Operator " << attrs.op->name << ": " << name << " " << shape_str(v)
                              << " must have entries >= " << lo;
  return v;
}

// `image` is (N, C, spatial...) for im2col, (N, C, output_size...) for col2im.
Windows windows(const Attrs& attrs, int64_t n, int64_t c, const Shape& spatial) {
  Windows w;
  w.kernel = attrs.get_shape("kernel");
  const size_t nd = w.kernel.size();
  MV_CHECK(nd >= 1 && nd <= 3, kValue) << "Operator " << attrs.op->name << ": kernel " << shape_str(w.kernel)
                                       << " must have 1, 2 or 3 entries";
  per_axis(attrs, "kernel", nd, 1, 1);
  w.nd = static_cast<int>(nd);
  w.n = n;
  w.c = c;
  w.stride = per_axis(attrs, "stride", nd, 1, 1);
  w.dilate = per_axis(attrs, "dilate", nd, 1, 1);
  w.pad = per_axis(attrs, "pad", nd, 0, 0);
  MV_CHECK(spatial.size() == nd, kValue) << "Operator " << attrs.op->name << ": the image has " << spatial.size()
                                         << " spatial axes " << shape_str(spatial) << " but kernel " << shape_str(w.kernel)
                                         << " has " << nd;
  w.image = spatial;
  for (size_t i = 0; i < nd; ++i) {
    const int64_t span = checked_mul(attrs, w.dilate[i], w.kernel[i] - 1, "the dilated kernel") + 1;
    const int64_t padded = checked_add(spatial[i], checked_mul(attrs, 2, w.pad[i], "the padding"),
                                       "Operator " + attrs.op->name + ": the padded size of spatial axis " +
                                           std::to_string(i));
    MV_CHECK(span <= padded, kValue) << "Operator " << attrs.op->name << ": the dilated kernel (" << span
                                     << ") exceeds the padded input (" << padded << ") on spatial axis " << i;
    w.out.push_back((padded - span) / w.stride[i] + 1);
    w.k_size = checked_mul(attrs, w.k_size, w.kernel[i], "the kernel size");
    w.positions = checked_mul(attrs, w.positions, w.out.back(), "the number of block positions");
    w.image_size = checked_mul(attrs, w.image_size, spatial[i], "the image size");
  }
  checked_mul(attrs, checked_mul(attrs, c, w.k_size, "the column rows"), w.positions, "the column size");
  return w;
}

Windows im2col_windows(const Attrs& attrs, const Shape& d) {
  MV_CHECK(d.size() >= 3, kValue) << "Operator " << attrs.op->name << ": data must be (N, C, spatial...), got "
                                  << shape_str(d);
  return windows(attrs, d[0], d[1], Shape(d.begin() + 2, d.end()));
}

Shape col_shape(const Attrs& attrs, const Windows& w) {
  return Shape{w.n, checked_mul(attrs, w.c, w.k_size, "the column rows"), w.positions};
}

// col2im's geometry from its columns input and output_size.
Windows col2im_windows(const Attrs& attrs, const Shape& cols) {
  MV_CHECK(cols.size() == 3, kValue) << "Operator " << attrs.op->name << ": data must be (N, C * prod(kernel), L), got "
                                     << shape_str(cols);
  const Shape& kernel = attrs.get_shape("kernel");
  int64_t k = 1;
  for (int64_t x : kernel) k = checked_mul(attrs, k, std::max<int64_t>(x, 1), "the kernel size");
  MV_CHECK(cols[1] % k == 0, kValue) << "Operator " << attrs.op->name << ": the second axis of data (" << cols[1]
                                     << ") must be a multiple of the kernel size " << k;
  Windows w = windows(attrs, cols[0], cols[1] / k, attrs.get_shape("output_size"));
  MV_CHECK(cols[2] == w.positions, kValue) << "Operator " << attrs.op->name << ": data has " << cols[2]
                                           << " block positions but output_size " << shape_str(w.image)
                                           << " with these kernel/stride/dilate/pad gives " << w.positions;
  return w;
}

Shape image_shape(const Windows& w) {
  Shape s{w.n, w.c};
  s.insert(s.end(), w.image.begin(), w.image.end());
  return s;
}

// Calls f(column element, image element) for every column element that lands inside the image
// (padding positions are skipped), one image/channel pair per task so writes never collide.
template <typename F>
void for_each_window(const Windows& w, F&& f) {
  parallel_for(w.n * w.c, [&](int64_t nc) {
    const int64_t col_base = nc * w.k_size * w.positions, img_base = nc * w.image_size;
    for (int64_t k = 0; k < w.k_size; ++k) {
      int64_t kidx[3] = {0, 0, 0}, krem = k;
      for (int i = w.nd - 1; i >= 0; --i) {
        kidx[i] = krem % w.kernel[i];
        krem /= w.kernel[i];
      }
      for (int64_t p = 0; p < w.positions; ++p) {
        int64_t rem = p, img = 0, scale = 1;
        bool inside = true;
        for (int i = w.nd - 1; i >= 0; --i) {
          const int64_t o = rem % w.out[i];
          rem /= w.out[i];
          const int64_t at = o * w.stride[i] - w.pad[i] + kidx[i] * w.dilate[i];
          inside = inside && at >= 0 && at < w.image[i];
          img += at * scale;
          scale *= w.image[i];
        }
        if (inside) f(col_base + k * w.positions + p, img_base + img);
      }
    }
  }, 1);
}

// cols = im2col(image), or image += col2im(cols) (overlaps summed).
void im2col_run(const Windows& w, const TBlob& image, const TBlob& cols, bool to_cols, const char* who) {
  if (to_cols) fill_blob(cols, 0);
  else fill_blob(image, 0);
  MV_FLOAT_SWITCH(image.dtype, who, T, {
    T* im = image.ptr<T>();
    T* co = cols.ptr<T>();
    if (to_cols) for_each_window(w, [&](int64_t ci, int64_t ii) { co[ci] = im[ii]; });
    else for_each_window(w, [&](int64_t ci, int64_t ii) { im[ii] = static_cast<T>(im[ii] + co[ci]); });
  });
}

#define MV_WINDOW_PARAMS()                                                                                        \
  required_param("kernel", ParamType::kShape, "Sliding kernel size: (w,), (h, w) or (d, h, w).")                   \
      .kind(ParamKind::kPerDim)                                                                                    \
      .param("stride", ParamType::kShape, "[]",                                                                    \
             "The stride between adjacent sliding blocks in spatial dimension: (w,), (h, w) or (d, h, w). "         \
             "Defaults to 1 for each dimension.")                                                                  \
      .kind(ParamKind::kPerDim)                                                                                    \
      .param("dilate", ParamType::kShape, "[]",                                                                    \
             "The spacing between adjacent kernel points: (w,), (h, w) or (d, h, w). Defaults to 1 for each "       \
             "dimension.")                                                                                         \
      .kind(ParamKind::kPerDim)                                                                                    \
      .param("pad", ParamType::kShape, "[]",                                                                       \
             "The zero-value padding size on both sides of spatial dimension: (w,), (h, w) or (d, h, w). "          \
             "Defaults to no padding.").kind(ParamKind::kPerDim)

// The window parameters alone, for building im2col from col2im's parameters.
GradParams window_params(const GradContext& g) {
  GradParams p;
  for (const auto& kv : g.forward_params())
    if (kv.first != "output_size") p.push_back(kv);
  return p;
}

}  // namespace

MV_REGISTER_OP(im2col)
    .describe(
        "Extracts sliding blocks of an (N, C, spatial...) image into columns: the output is (N, C * prod(kernel), "
        "L), row c * prod(kernel) + k holding kernel point k of channel c at each of the L block positions "
        "(row-major), zeros where the block covers padding. Floating-point inputs.\n\n"
        "Example::\n\n  x = [[[[0, 1, 2], [3, 4, 5], [6, 7, 8]]]]\n"
        "  im2col(x, kernel=(2, 2)) = [[[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]]]")
    .input("data", "Input array to extract sliding blocks.")
    .MV_WINDOW_PARAMS()
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = col_shape(attrs, im2col_windows(attrs, (*in)[0]));
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      im2col_run(im2col_windows(attrs, in[0].shape), in[0], out[0], true, "im2col");
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_im2col", {g.ograd(), g.input()}, g.forward_params())};
    })
    .add_sample(op_sample({{2, 2, 3, 4}}, {{"kernel", "(2, 2)"}}))
    .add_sample(op_sample({{1, 2, 4, 5}}, {{"kernel", "(2, 3)"}, {"stride", "(2, 1)"}, {"pad", "(1, 1)"}, {"dilate", "(1, 2)"}}))
    .add_sample(op_sample({{1, 2, 7}}, {{"kernel", "(3,)"}, {"stride", "(2,)"}}));

MV_REGISTER_OP(_backward_im2col)
    .describe("Gradient of im2col: col2im of ograd into an array shaped like data.")
    .input("ograd", "Gradient of im2col's output.")
    .input("data", "im2col's input; only its shape is used.")
    .params_from("im2col")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[1].empty()) return;
      const Shape want = col_shape(attrs, im2col_windows(attrs, (*in)[1]));
      if ((*in)[0].empty()) (*in)[0] = want;
      if ((*in)[0] != want) shape_mismatch(attrs, "input 'ograd'", want, (*in)[0]);
      (*out)[0] = (*in)[1];
    })
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) {
      if ((*in)[0] >= 0) (*out)[0] = (*in)[0];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      im2col_run(im2col_windows(attrs, out[0].shape), out[0], in[0], false, "_backward_im2col");
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("im2col", {g.ograd()}, g.forward_params()), Tensor{}};
    })
    .add_sample([] {
      OpSample s = op_sample({{1, 8, 6}, {1, 2, 3, 4}}, {{"kernel", "(2, 2)"}});
      s.no_grad_inputs = {1};
      return s;
    }());

MV_REGISTER_OP(col2im)
    .describe(
        "Combines columns of sliding blocks (N, C * prod(kernel), L) into an (N, C, output_size...) image, "
        "summing where blocks overlap: the adjoint of im2col with the same kernel/stride/dilate/pad. "
        "Floating-point inputs.\n\n"
        "Example::\n\n  col2im(ones((1, 4, 4)), output_size=(3, 3), kernel=(2, 2)) = "
        "[[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]]")
    .input("data", "Input array to combine sliding blocks.")
    .required_param("output_size", ParamType::kShape, "The spatial dimension of image array: (w,), (h, w) or (d, h, w).")
    .kind(ParamKind::kPerDim)
    .MV_WINDOW_PARAMS()
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = image_shape(col2im_windows(attrs, (*in)[0]));
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      im2col_run(col2im_windows(attrs, in[0].shape), out[0], in[0], false, "col2im");
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("im2col", {g.ograd()}, window_params(g))};
    })
    .add_sample(op_sample({{2, 8, 6}}, {{"output_size", "(3, 4)"}, {"kernel", "(2, 2)"}}))
    .add_sample(op_sample({{1, 6, 9}}, {{"output_size", "(5, 3)"}, {"kernel", "(3, 1)"}, {"stride", "(2, 1)"},
                                        {"pad", "(1, 0)"}}));

}  // namespace minerva
