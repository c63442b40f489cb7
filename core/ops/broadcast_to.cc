// Explicit broadcasts of MXNet 1.x: broadcast_to, broadcast_like and broadcast_axis. Each one
// repeats the input along axes of size 1 (same number of dims, no numpy-style padding); the
// gradient sums back down to the input's shape.
#include <algorithm>

#include "core/op/kernel_util.h"
#include "core/ops/reduce.h"

namespace minerva {

void broadcast_blob(const TBlob& in, const TBlob& out) {
  MV_CHECK(in.ndim() == out.ndim() && in.dtype == out.dtype, kInternal)
      << "broadcast_blob: " << shape_str(in.shape) << " to " << shape_str(out.shape);
  if (out.size() == 0) return;
  // Fold: drop output dims of size 1 and merge neighbours of the same kind (copied/repeated).
  std::vector<int64_t> dims;
  std::vector<bool> rep;
  for (int i = 0; i < out.ndim(); ++i) {
    if (out.shape[i] == 1) continue;
    bool r = in.shape[i] == 1;
    MV_CHECK(r || in.shape[i] == out.shape[i], kInternal)
        << "broadcast_blob: " << shape_str(in.shape) << " to " << shape_str(out.shape);
    if (!dims.empty() && rep.back() == r) {
      dims.back() *= out.shape[i];
    } else {
      dims.push_back(out.shape[i]);
      rep.push_back(r);
    }
  }
  if (dims.empty()) {
    dims.push_back(1);
    rep.push_back(false);
  }
  const int nd = static_cast<int>(dims.size());
  std::vector<int64_t> in_strides(dims.size());  // 0 along repeated dims
  for (int64_t d = nd - 1, stride = 1; d >= 0; --d) {
    in_strides[d] = rep[d] ? 0 : stride;
    if (!rep[d]) stride *= dims[d];
  }
  const int64_t inner = dims.back(), rows = out.size() / inner;
  const bool repeat_inner = rep.back();
  MV_DTYPE_SWITCH(out.dtype, T, {
    const T* src = in.ptr<T>();
    T* dst = out.ptr<T>();
    parallel_for(
        rows,
        [&](int64_t row) {
          int64_t off = 0;
          for (int64_t d = nd - 2, r = row; d >= 0; --d) {
            off += (r % dims[d]) * in_strides[d];
            r /= dims[d];
          }
          T* o = dst + row * inner;
          if (repeat_inner) std::fill(o, o + inner, src[off]);
          else std::copy(src + off, src + off + inner, o);
        },
        std::max<int64_t>(1, kParallelGrain / inner));
  });
}

namespace {

int64_t normalize_axis(const Attrs& attrs, int64_t axis, size_t ndim) {
  int64_t n = static_cast<int64_t>(ndim);
  MV_CHECK(axis >= -n && axis < n, kValue) << "Operator " << attrs.op->name << ": axis " << axis
                                           << " is out of range for " << ndim << " dims";
  return axis < 0 ? axis + n : axis;
}

void broadcast_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  broadcast_blob(in[0], out[0]);
}

std::vector<Tensor> sum_back(const GradContext& g) { return {sum_like(g.ograd(), g.input())}; }

[[noreturn]] void cannot_broadcast(const Attrs& attrs, const Shape& from, const Shape& to, const std::string& why) {
  MV_THROW(kValue) << "Operator " << attrs.op->name << ": an array of shape " << shape_str(from)
                   << " cannot be broadcast to " << shape_str(to) << " (" << why << ")";
}

OpSample sample(std::vector<Shape> shapes, KeyValues params, std::vector<int> no_grad = {}) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  s.no_grad_inputs = std::move(no_grad);
  return s;
}

}  // namespace

MV_REGISTER_OP(broadcast_to)
    .describe("Broadcasts the input array to a new shape: axes of size 1 are repeated. A 0 in `shape`\n"
              "keeps that axis of the input, so broadcast_to(B, shape=(10, 0, 0)) is\n"
              "broadcast_axis(B, axis=0, size=10).\n\n"
              "Example::\n\n  broadcast_to([[1, 2, 3]], shape=(2, 0)) = [[1, 2, 3], [1, 2, 3]]")
    .input("data", "The input")
    .param("shape", ParamType::kShape, "[]",
           "The shape of the desired array; 0 keeps the input's dim. Must have the input's number of dims.")
    .kind(ParamKind::kPerDim)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& s = (*in)[0];
      if (s.empty()) return;
      const Shape& target = attrs.get_shape("shape");
      if (target.size() != s.size()) cannot_broadcast(attrs, s, target, "the number of dims differs");
      Shape o(s.size());
      for (size_t i = 0; i < s.size(); ++i) {
        o[i] = target[i] == 0 ? s[i] : target[i];
        if (o[i] < 0 || (s[i] != o[i] && s[i] != 1)) cannot_broadcast(attrs, s, target, "only axes of size 1 grow");
      }
      (*out)[0] = o;
    })
    .set_forward(broadcast_forward)
    .set_gradient(sum_back)
    .set_method("broadcast_to")
    .add_sample(sample({{1, 3}}, {{"shape", "(2, 3)"}}))
    .add_sample(sample({{2, 1, 3}}, {{"shape", "(0, 4, 0)"}}));

MV_REGISTER_OP(broadcast_axis)
    .describe("Broadcasts the input array over particular axes, each of which must have size 1.\n\n"
              "Example::\n\n  x = [[[1], [2]]]            # shape (1, 2, 1)\n"
              "  broadcast_axis(x, axis=2, size=3) = [[[1, 1, 1], [2, 2, 2]]]\n"
              "  broadcast_axis(x, axis=(0, 2), size=(2, 3))  # shape (2, 2, 3)")
    .alias("broadcast_axes")
    .input("data", "The input")
    .param("axis", ParamType::kShape, "[]", "The axes to perform the broadcasting.").kind(ParamKind::kAxes)
    .param("size", ParamType::kShape, "[]", "Target sizes of the broadcasting axes.").kind(ParamKind::kList)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& s = (*in)[0];
      if (s.empty()) return;
      const Shape &axes = attrs.get_shape("axis"), &sizes = attrs.get_shape("size");
      MV_CHECK(axes.size() == sizes.size(), kValue) << "Operator broadcast_axis: axis " << shape_str(axes)
                                                    << " and size " << shape_str(sizes) << " differ in length";
      Shape o = s;
      for (size_t i = 0; i < axes.size(); ++i) {
        int64_t a = normalize_axis(attrs, axes[i], s.size());
        MV_CHECK(s[a] == 1, kValue) << "Operator broadcast_axis: axis " << axes[i] << " of the input of shape "
                                    << shape_str(s) << " must have size 1 to be broadcast";
        MV_CHECK(sizes[i] >= 0, kValue) << "Operator broadcast_axis: negative size " << sizes[i];
        o[a] = sizes[i];
      }
      (*out)[0] = o;
    })
    .set_forward(broadcast_forward)
    .set_gradient(sum_back)
    .set_method("broadcast_axes")
    .add_sample(sample({{2, 1, 1}}, {{"axis", "(1, 2)"}, {"size", "(3, 4)"}}))
    .add_sample(sample({{1, 3}}, {{"axis", "0"}, {"size", "2"}}));

MV_REGISTER_OP(broadcast_like)
    .describe("Broadcasts lhs to the shape of rhs. With lhs_axes and rhs_axes, only axis lhs_axes[i]\n"
              "(of size 1) takes the size of rhs's axis rhs_axes[i].\n\n"
              "Example::\n\n  broadcast_like([[1, 2, 3]], zeros((2, 3))) = [[1, 2, 3], [1, 2, 3]]\n"
              "  broadcast_like(ones((2, 1, 1)), zeros((5, 6)), lhs_axes=(1, 2), rhs_axes=(0, 1))\n"
              "    # shape (2, 5, 6)")
    .input("lhs", "First input.")
    .input("rhs", "Second input (only its shape is used).")
    .param("lhs_axes", ParamType::kShape, "None", "Axes to perform broadcast on in the first input array")
    .kind(ParamKind::kAxes)
    .param("rhs_axes", ParamType::kShape, "None", "Axes to copy from the second input array").kind(ParamKind::kAxes)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &l = (*in)[0], &r = (*in)[1];
      if (l.empty() || r.empty()) return;
      Shape o = l;
      // As MXNet, the axes are used only when both are given.
      if (!attrs.is_none("lhs_axes") && !attrs.is_none("rhs_axes")) {
        const Shape &la = attrs.get_shape("lhs_axes"), &ra = attrs.get_shape("rhs_axes");
        MV_CHECK(!la.empty() && la.size() == ra.size(), kValue)
            << "Operator broadcast_like: lhs_axes " << shape_str(la) << " and rhs_axes " << shape_str(ra)
            << " must be non-empty and of the same length";
        for (size_t i = 0; i < la.size(); ++i) {
          int64_t a = normalize_axis(attrs, la[i], l.size()), b = normalize_axis(attrs, ra[i], r.size());
          if (l[a] != 1 && l[a] != r[b]) cannot_broadcast(attrs, l, r, "lhs axis " + std::to_string(la[i]) + " is not 1");
          o[a] = r[b];
        }
      } else {
        if (l.size() != r.size()) cannot_broadcast(attrs, l, r, "the number of dims differs");
        for (size_t i = 0; i < l.size(); ++i) {
          if (l[i] != r[i] && l[i] != 1) cannot_broadcast(attrs, l, r, "only axes of size 1 grow");
          o[i] = r[i];
        }
      }
      (*out)[0] = o;
    })
    .set_forward(broadcast_forward)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{sum_like(g.ograd(), g.input(0)), Tensor{}}; })
    .set_method("broadcast_like")
    .add_sample(sample({{1, 3}, {2, 3}}, {}, {1}))
    .add_sample(sample({{2, 1, 1}, {3, 2}}, {{"lhs_axes", "(1, 2)"}, {"rhs_axes", "(0, -1)"}}, {1}));

}  // namespace minerva
