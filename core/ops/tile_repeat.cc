// tile and repeat, with their backward operators (sums over the copies). The backward
// operators are linear in ograd, so their gradients are tile/repeat again.
#include <algorithm>
#include <cstring>

#include "core/base/checked.h"
#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"

namespace minerva {
namespace {

// tile works on input and reps padded with leading 1s to the same rank.
struct TileGeom {
  Shape din, reps, dout;
};

TileGeom tile_geom(const Attrs& attrs, const Shape& d) {
  const Shape& reps = attrs.get_shape("reps");
  for (int64_t r : reps)
    MV_CHECK(r > 0, kValue) << "Operator tile: reps " << shape_str(reps) << " must contain positive values only";
  const size_t nd = std::max(d.size(), reps.size());
  TileGeom g;
  g.din.assign(nd - d.size(), 1);
  g.din.insert(g.din.end(), d.begin(), d.end());
  g.reps.assign(nd - reps.size(), 1);
  g.reps.insert(g.reps.end(), reps.begin(), reps.end());
  g.dout.resize(nd);
  for (size_t i = 0; i < nd; ++i) g.dout[i] = checked_mul(g.din[i], g.reps[i], "Operator tile: output dimension " + std::to_string(i) + " (input dim * reps)");
  return g;
}

void tile_forward(const TileGeom& g, const TBlob& in, const TBlob& out) {
  const int last = static_cast<int>(g.din.size()) - 1;
  const int64_t in_last = g.din[last], out_last = g.dout[last];
  if (out_last == 0 || out.size() == 0) return;
  const Shape in_rows = strides_of(Shape(g.din.begin(), g.din.end() - 1));  // row strides of the input
  const size_t es = dtype_size(in.dtype), bytes = static_cast<size_t>(in_last) * es;
  const char* src = static_cast<const char*>(in.data);
  char* dst = static_cast<char*>(out.data);
  parallel_for(
      out.size() / out_last,
      [&](int64_t r) {
        int64_t rem = r, in_row = 0;
        for (int k = last - 1; k >= 0; --k) {
          in_row += (rem % g.dout[k] % g.din[k]) * in_rows[k];
          rem /= g.dout[k];
        }
        char* d = dst + static_cast<size_t>(r * out_last) * es;
        for (int64_t t = 0; t < g.reps[last]; ++t) std::memcpy(d + t * bytes, src + in_row * bytes, bytes);
      },
      std::max<int64_t>(1, kParallelGrain / out_last));
}

// grad[i] = sum of ograd over every copy of input element i. Each input row gathers its
// copies, so rows run in parallel without collisions.
void tile_backward(const TileGeom& g, const TBlob& ograd, const TBlob& grad) {
  const int last = static_cast<int>(g.din.size()) - 1;
  const int64_t in_last = g.din[last], out_last = g.dout[last];
  if (grad.size() == 0) return;
  const Shape lead_in(g.din.begin(), g.din.end() - 1), lead_reps(g.reps.begin(), g.reps.end() - 1);
  const Shape out_rows = strides_of(Shape(g.dout.begin(), g.dout.end() - 1));
  const int64_t copies = shape_size(lead_reps);
  MV_FLOAT_SWITCH(grad.dtype, "_backward_tile", T, {
    const T* og = ograd.ptr<T>();
    T* gr = grad.ptr<T>();
    parallel_for(grad.size() / in_last, [&](int64_t ir) {
      std::vector<double> acc(static_cast<size_t>(in_last), 0.0);
      for (int64_t c = 0; c < copies; ++c) {
        int64_t rem_i = ir, rem_c = c, out_row = 0;
        for (int k = last - 1; k >= 0; --k) {
          out_row += (rem_i % lead_in[k] + (rem_c % lead_reps[k]) * lead_in[k]) * out_rows[k];
          rem_i /= lead_in[k];
          rem_c /= lead_reps[k];
        }
        const T* src = og + out_row * out_last;
        for (int64_t t = 0; t < g.reps[last]; ++t)
          for (int64_t j = 0; j < in_last; ++j) acc[j] += static_cast<double>(src[t * in_last + j]);
      }
      for (int64_t j = 0; j < in_last; ++j) gr[ir * in_last + j] = static_cast<T>(acc[j]);
    }, 1);
  });
}

// repeat views the input as (outer, n, inner) with n the repeated axis (or the flattened input).
struct RepeatGeom {
  int64_t outer = 1, n = 1, inner = 1, reps = 1;
  Shape out;
};

RepeatGeom repeat_geom(const Attrs& attrs, const Shape& d) {
  RepeatGeom g;
  g.reps = attrs.get_int("repeats");
  MV_CHECK(g.reps >= 0, kValue) << "Operator repeat: repeats=" << g.reps << " cannot be a negative number";
  if (attrs.is_none("axis")) {
    g.n = shape_size(d);
    g.out = Shape{checked_mul(g.n, g.reps, "Operator repeat: output length (input size * repeats)")};
    return g;
  }
  const int ax = normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(d.size()));
  for (int i = 0; i < ax; ++i) g.outer *= d[i];
  g.n = d[ax];
  for (size_t i = ax + 1; i < d.size(); ++i) g.inner *= d[i];
  g.out = d;
  g.out[ax] = checked_mul(g.out[ax], g.reps, "Operator repeat: output axis " + std::to_string(ax) + " (axis length * repeats)");
  return g;
}

// Shape inference of a backward op: ograd (0) must have the forward output's shape, the result
// is shaped like the forward input (1).
template <typename F>
void backward_shapes(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out, F forward_out) {
  if ((*in)[1].empty()) return;
  Shape want = forward_out((*in)[1]);
  if ((*in)[0].empty()) (*in)[0] = want;
  if ((*in)[0] != want) shape_mismatch(attrs, "input 'ograd'", want, (*in)[0]);
  (*out)[0] = (*in)[1];
}

OpSample backward_sample(std::vector<Shape> shapes, KeyValues params) {
  OpSample s = op_sample(std::move(shapes), std::move(params));
  s.no_grad_inputs = {1};
  return s;
}

}  // namespace

MV_REGISTER_OP(tile)
    .describe(
        "Repeats the whole array `reps` times along each axis. When reps has more entries than the input has "
        "dimensions, the input is promoted with leading 1s; when fewer, reps is.\n\n"
        "Example::\n\n  x = [[1, 2], [3, 4]]\n  tile(x, reps=(2,)) = [[1, 2, 1, 2], [3, 4, 3, 4]]\n"
        "  tile(x, reps=(2, 1)) = [[1, 2], [3, 4], [1, 2], [3, 4]]")
    .input("data", "Input data array")
    .required_param("reps", ParamType::kShape,
                    "The number of times for repeating the tensor a. Each dim size of reps must be a positive integer.")
    .kind(ParamKind::kPerDim)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = tile_geom(attrs, (*in)[0]).dout;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      tile_forward(tile_geom(attrs, in[0].shape), in[0], out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_tile", {g.ograd(), g.input()}, g.forward_params())};
    })
    .set_method("tile")
    .add_sample(op_sample({{2, 3}}, {{"reps", "(2,)"}}))
    .add_sample(op_sample({{2, 3}}, {{"reps", "(2, 1, 2)"}}))
    .add_sample(op_sample({{2, 1, 2}}, {{"reps", "(3, 1)"}}));

MV_REGISTER_OP(_backward_tile)
    .describe("Gradient of tile: sums ograd over the tiled copies into the input's shape.")
    .input("ograd", "Gradient of tile's output.")
    .input("data", "tile's input; only its shape is used.")
    .params_from("tile")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      backward_shapes(attrs, in, out, [&](const Shape& d) { return tile_geom(attrs, d).dout; });
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      tile_backward(tile_geom(attrs, out[0].shape), in[0], out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("tile", {g.ograd()}, g.forward_params()), Tensor{}};
    })
    .add_sample(backward_sample({{2, 2, 6}, {2, 3}}, {{"reps", "(2, 1, 2)"}}));

MV_REGISTER_OP(repeat)
    .describe(
        "Repeats each element `repeats` times along `axis`; with axis=None the input is flattened first.\n\n"
        "Example::\n\n  x = [[1, 2], [3, 4]]\n  repeat(x, repeats=2) = [1, 1, 2, 2, 3, 3, 4, 4]\n"
        "  repeat(x, repeats=2, axis=1) = [[1, 1, 2, 2], [3, 3, 4, 4]]")
    .input("data", "Input data array")
    .required_param("repeats", ParamType::kInt, "The number of repetitions for each element.")
    .param("axis", ParamType::kInt, "None",
           "The axis along which to repeat values. The negative numbers are interpreted counting from the backward. "
           "By default, use the flattened input array, and return a flat output array.").kind(ParamKind::kAxis)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = repeat_geom(attrs, (*in)[0]).out;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      RepeatGeom g = repeat_geom(attrs, in[0].shape);
      const size_t bytes = static_cast<size_t>(g.inner) * dtype_size(in[0].dtype);
      const char* src = static_cast<const char*>(in[0].data);
      char* dst = static_cast<char*>(out[0].data);
      parallel_for(g.outer * g.n, [&](int64_t i) {
        for (int64_t r = 0; r < g.reps; ++r) std::memcpy(dst + (i * g.reps + r) * bytes, src + i * bytes, bytes);
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_repeat", {g.ograd(), g.input()}, g.forward_params())};
    })
    .set_method("repeat")
    .add_sample(op_sample({{2, 3}}, {{"repeats", "2"}}))
    .add_sample(op_sample({{2, 3}}, {{"repeats", "3"}, {"axis", "1"}}))
    .add_sample(op_sample({{2, 3, 2}}, {{"repeats", "2"}, {"axis", "-2"}}));

MV_REGISTER_OP(_backward_repeat)
    .describe("Gradient of repeat: sums ograd over the repeated copies into the input's shape.")
    .input("ograd", "Gradient of repeat's output.")
    .input("data", "repeat's input; only its shape is used.")
    .params_from("repeat")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      backward_shapes(attrs, in, out, [&](const Shape& d) { return repeat_geom(attrs, d).out; });
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      RepeatGeom g = repeat_geom(attrs, out[0].shape);
      MV_FLOAT_SWITCH(out[0].dtype, "_backward_repeat", T, {
        const T* og = in[0].ptr<T>();
        T* gr = out[0].ptr<T>();
        parallel_for(g.outer * g.n * g.inner, [&](int64_t e) {
          const int64_t i = e / g.inner, k = e % g.inner;
          double acc = 0;
          for (int64_t r = 0; r < g.reps; ++r) acc += static_cast<double>(og[(i * g.reps + r) * g.inner + k]);
          gr[e] = static_cast<T>(acc);
        });
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("repeat", {g.ograd()}, g.forward_params()), Tensor{}};
    })
    .add_sample(backward_sample({{2, 9}, {2, 3}}, {{"repeats", "3"}, {"axis", "1"}}));

}  // namespace minerva
