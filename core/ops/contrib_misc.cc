// Small mx.nd.contrib operators that MXNet's model zoo and examples use: arange_like,
// index_array, index_copy, div_sqrt_dim (the scaling of dot-product attention), quadratic,
// gradientmultiplier (an identity whose gradient is scaled, as in gradient reversal layers) and
// the straight-through estimators round_ste and sign_ste (quantization-aware training).
#include <cmath>
#include <cstring>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"
#include "core/ops/reference_util.h"

namespace minerva {
namespace {

OpSample contrib_sample(std::vector<Shape> shapes, KeyValues params = {}) {
  return op_sample(std::move(shapes), std::move(params));
}

}  // namespace

MV_REGISTER_OP(_contrib_arange_like)
    .describe("Returns an array shaped like data (or, with axis, of length data.shape[axis]) holding evenly spaced "
              "values start, start + step, ..., each repeated `repeat` times, in data's dtype.\n\n"
              "Example::\n\n  x = [[0, 0, 0], [0, 0, 0]]\n  arange_like(x) = [[0, 1, 2], [3, 4, 5]]\n"
              "  arange_like(x, axis=-1) = [0, 1, 2]\n  arange_like(x, start=1, step=0.5, repeat=2) = "
              "[[1, 1, 1.5], [1.5, 2, 2]]")
    .input("data", "The input")
    .param("start", ParamType::kFloat, "0", "Start of interval. The interval includes this value. The default start value is 0.")
    .param("step", ParamType::kFloat, "1", "Spacing between values.")
    .param("repeat", ParamType::kInt, "1", "The repeating time of all elements. E.g repeat=3, the element a will be repeated three times --> a, a, a.")
    .bounds(1, 1e18)
    .param("ctx", ParamType::kString, "", "Context of output, in format [cpu|gpu|cpu_pinned](n).Only used for imperative calls.")
    .param("axis", ParamType::kInt, "None", "Arange elements according to the size of a certain axis of input array. The negative numbers are interpreted counting from the backward. If not provided, will arange elements according to the input shape.")
    .kind(ParamKind::kAxis)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& s = (*in)[0];
      if (s.empty()) return;
      if (attrs.is_none("axis")) {
        (*out)[0] = s;
      } else {
        const int ax = normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(s.size()));
        (*out)[0] = Shape{s[ax]};
      }
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const double start = attrs.get_float("start"), step = attrs.get_float("step");
      const int64_t repeat = attrs.get_int("repeat");
      std::vector<double> v(static_cast<size_t>(out[0].size()));
      for (size_t i = 0; i < v.size(); ++i) v[i] = start + static_cast<double>(static_cast<int64_t>(i) / repeat) * step;
      cast_copy(TBlob{v.data(), out[0].shape, DType::kFloat64}, out[0]);
      (void)in;
    })
    .set_non_differentiable()
    .add_sample(contrib_sample({{2, 3}}, {{"start", "1"}, {"step", "0.5"}, {"repeat", "2"}}))
    .add_sample(contrib_sample({{2, 3}}, {{"axis", "-1"}}));

MV_REGISTER_OP(_contrib_index_array)
    .describe("Returns an int64 array of the indices of data's elements: for data of shape (d0, ..., dn-1), the "
              "output has shape (d0, ..., dn-1, k) and output[i0, ..., in-1] = (i_a for a in axes), k = len(axes) "
              "(all axes by default; negative axes count from the end).\n\n"
              "Example::\n\n  x = [[0, 0], [0, 0], [0, 0]]\n  index_array(x) = [[[0, 0], [0, 1]], [[1, 0], [1, 1]], "
              "[[2, 0], [2, 1]]]\n  index_array(x, axes=(1,)) = [[[0], [1]], [[0], [1]], [[0], [1]]]")
    .input("data", "Input data")
    .param("axes", ParamType::kShape, "None", "The axes to include in the index array. Supports negative values.")
    .kind(ParamKind::kAxes)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& s = (*in)[0];
      if (s.empty()) return;
      Shape o = s;
      if (attrs.is_none("axes")) {
        o.push_back(static_cast<int64_t>(s.size()));
      } else {
        for (int64_t a : attrs.get_shape("axes")) normalize_axis(attrs, a, static_cast<int>(s.size()), "axes");
        o.push_back(static_cast<int64_t>(attrs.get_shape("axes").size()));
      }
      (*out)[0] = o;
    })
    .set_infer_type([](const Attrs&, std::vector<int>*, std::vector<int>* out) {
      (*out)[0] = static_cast<int>(DType::kInt64);
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Shape& s = in[0].shape;
      const int nd = static_cast<int>(s.size());
      std::vector<int> axes;
      if (attrs.is_none("axes")) {
        for (int a = 0; a < nd; ++a) axes.push_back(a);
      } else {
        for (int64_t a : attrs.get_shape("axes")) axes.push_back(normalize_axis(attrs, a, nd, "axes"));
      }
      const Shape strides = strides_of(s);
      int64_t* o = out[0].ptr<int64_t>();
      const int64_t k = static_cast<int64_t>(axes.size());
      parallel_for(in[0].size(), [&](int64_t i) {
        for (int64_t j = 0; j < k; ++j) o[i * k + j] = (i / strides[axes[j]]) % s[axes[j]];
      });
    })
    .set_non_differentiable()
    .add_sample(contrib_sample({{3, 2}}))
    .add_sample(contrib_sample({{2, 3, 2}}, {{"axes", "(-1, 0)"}}));

MV_REGISTER_OP(_contrib_index_copy)
    .describe("Copies the rows of new_tensor into a copy of old_tensor at the rows given by index_vector: "
              "output = old_tensor; output[index_vector[i]] = new_tensor[i]. index_vector is 1-D with one entry per "
              "row of new_tensor, whose other dimensions match old_tensor's.\n\n"
              "Example::\n\n  index_copy([[0, 0], [0, 0], [0, 0]], [2, 0], [[1, 2], [3, 4]]) = [[3, 4], [0, 0], [1, 2]]")
    .input("old_tensor", "Old tensor")
    .input("index_vector", "Index vector")
    .input("new_tensor", "New tensor to be copied")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &old_s = (*in)[0], &idx = (*in)[1], &new_s = (*in)[2];
      if (old_s.empty()) return;
      if (!idx.empty()) {
        MV_CHECK(idx.size() == 1, kValue) << "Operator _contrib_index_copy: index_vector must be 1-D, got shape "
                                          << shape_str(idx);
      }
      if (!new_s.empty()) {
        Shape expect = old_s;
        expect[0] = new_s[0];
        if (new_s != expect) shape_mismatch(attrs, "input 'new_tensor' (rows of old_tensor)", expect, new_s);
        if (!idx.empty() && idx[0] != new_s[0])
          shape_mismatch(attrs, "input 'index_vector' (one index per row of new_tensor)", Shape{new_s[0]}, idx);
      }
      (*out)[0] = old_s;
    })
    .set_infer_type([](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
      std::vector<int> data{(*in)[0], (*in)[2]};
      infer_same_type(attrs, &data, out);
      (*in)[0] = data[0];
      (*in)[2] = data[1];
      if ((*in)[1] < 0) (*in)[1] = static_cast<int>(DType::kFloat32);
    })
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const TBlob &old_t = in[0], &new_t = in[2];
      const std::vector<double> idx = to_doubles(in[1]);
      const int64_t rows = old_t.shape[0];
      const size_t row_bytes = static_cast<size_t>(old_t.size() / std::max<int64_t>(rows, 1)) * dtype_size(old_t.dtype);
      for (double x : idx)
        MV_CHECK(x >= 0 && x < static_cast<double>(rows) && x == std::floor(x), kIndex)
            << "Operator _contrib_index_copy: index " << x << " is out of range for old_tensor with " << rows << " rows";
      auto* dst = static_cast<char*>(out[0].data);
      if (out[0].data != old_t.data) std::memcpy(dst, old_t.data, static_cast<size_t>(old_t.size()) * dtype_size(old_t.dtype));
      const auto* src = static_cast<const char*>(new_t.data);
      for (size_t i = 0; i < idx.size(); ++i)
        std::memcpy(dst + static_cast<size_t>(idx[i]) * row_bytes, src + i * row_bytes, row_bytes);
    })
    .set_gradient([](const GradContext& g) {
      // old_tensor's gradient is ograd with the overwritten rows zeroed; new_tensor's is those rows.
      Tensor old_grad = op("_contrib_index_copy", {g.ograd(), g.input(1), op("zeros_like", {g.input(2)})});
      Tensor new_grad = op("take", {g.ograd(), g.input(1)}, {{"axis", "0"}});
      return std::vector<Tensor>{old_grad, Tensor{}, new_grad};
    })
    .add_sample([] {
      OpSample s = contrib_sample({{4, 3}, {2}, {2, 3}});
      s.index_inputs = {1};
      s.index_high = 2;  // rows 0 and 1 at most, possibly twice: the gradient check stays exact only for distinct rows
      s.no_grad_inputs = {1};
      s.grad_check = false;
      return s;
    }())
    .add_sample([] {
      OpSample s = contrib_sample({{3}, {1}, {1}});
      s.index_inputs = {1};
      s.index_high = 3;
      s.no_grad_inputs = {1};
      return s;
    }());

MV_REGISTER_OP(_contrib_div_sqrt_dim)
    .describe("Rescales data by the square root of its last dimension: data / sqrt(data.shape[-1]), the scaling of "
              "dot-product attention.\n\nExample::\n\n  div_sqrt_dim([[1, 1, 1, 1]]) = [[0.5, 0.5, 0.5, 0.5]]")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const double scale = in[0].ndim() ? 1.0 / std::sqrt(static_cast<double>(in[0].shape.back())) : 1.0;
      MV_FLOAT_SWITCH(in[0].dtype, attrs.op->name, T, {
        const T* x = in[0].ptr<T>();
        T* y = out[0].ptr<T>();
        parallel_for(in[0].size(), [&](int64_t i) { y[i] = static_cast<T>(static_cast<double>(x[i]) * scale); });
      });
    })
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{op("_contrib_div_sqrt_dim", {g.ograd()})}; })
    .add_sample(contrib_sample({{2, 4}}));

MV_REGISTER_OP(_contrib_quadratic)
    .describe("Computes a * data^2 + b * data + c element-wise.\n\n"
              "Example::\n\n  quadratic([1, 2, 3], a=1, b=1, c=1) = [3, 7, 13]")
    .input("data", "Input ndarray")
    .param("a", ParamType::kFloat, "0", "Coefficient of the quadratic term in the quadratic function.")
    .param("b", ParamType::kFloat, "0", "Coefficient of the linear term in the quadratic function.")
    .param("c", ParamType::kFloat, "0", "Constant term in the quadratic function.")
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const double a = attrs.get_float("a"), b = attrs.get_float("b"), c = attrs.get_float("c");
      MV_FLOAT_SWITCH(in[0].dtype, attrs.op->name, T, {
        const T* x = in[0].ptr<T>();
        T* y = out[0].ptr<T>();
        parallel_for(in[0].size(), [&](int64_t i) {
          const double v = static_cast<double>(x[i]);
          y[i] = static_cast<T>(a * v * v + b * v + c);
        });
      });
    })
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      // d/dx = 2 a x + b, which is quadratic with a' = 0, b' = 2a, c' = b.
      Tensor slope = op("_contrib_quadratic", {g.input()},
                        {{"b", fmt_num(2 * g.attrs->get_float("a"))}, {"c", fmt_num(g.attrs->get_float("b"))}});
      return std::vector<Tensor>{g.ograd() * slope};
    })
    .add_sample(contrib_sample({{2, 3}}, {{"a", "1.5"}, {"b", "-2"}, {"c", "0.5"}}));

MV_REGISTER_OP(_contrib_gradientmultiplier)
    .describe("The identity in the forward pass; the backward pass multiplies the gradient by `scalar` (a negative "
              "scalar makes a gradient reversal layer).\n\n"
              "Example::\n\n  gradientmultiplier(x, scalar=-1)  # forward x, backward -ograd")
    .input("data", "The input array.")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", "Indicate whether scalar input is int type")
    .set_infer_shape(infer_same_shape)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      copy_if_distinct(in[0], out[0]);
    })
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{g.ograd() * g.attrs->get_float("scalar")};
    })
    .add_sample([] {
      OpSample s = contrib_sample({{2, 3}}, {{"scalar", "-0.5"}, {"is_int", "False"}});
      s.grad_check = false;  // the gradient is deliberately not the forward's derivative
      return s;
    }());

// ---- straight-through estimators -------------------------------------------------------------------

namespace {

// An element-wise forward whose gradient passes through unchanged (the straight-through estimator).
template <typename F>
ForwardFn ste_forward(F f) {
  return [f](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
    MV_FLOAT_SWITCH(in[0].dtype, attrs.op->name, T, {
      const T* x = in[0].ptr<T>();
      T* y = out[0].ptr<T>();
      parallel_for(in[0].size(), [&](int64_t i) { y[i] = static_cast<T>(f(static_cast<double>(x[i]))); });
    });
  };
}

OpSample ste_sample() {
  OpSample s = contrib_sample({{2, 5}});
  s.lo = -3;
  s.hi = 3;
  s.grad_check = false;  // the gradient is the identity by design, not the step function's derivative
  return s;
}

}  // namespace

MV_REGISTER_OP(_contrib_round_ste)
    .describe("Rounds to the nearest integer (halves away from zero) in the forward pass; the gradient passes "
              "through unchanged (straight-through estimator).\n\n"
              "Example::\n\n  round_ste([-1.5, -0.4, 0.5, 2.5]) = [-2, -0, 1, 3]  # gradient [1, 1, 1, 1] * ograd")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(ste_forward([](double x) { return std::round(x); }))
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd()}; })
    .add_sample(ste_sample());

MV_REGISTER_OP(_contrib_sign_ste)
    .describe("Takes the sign (-1, 0 or 1) in the forward pass; the gradient passes through unchanged "
              "(straight-through estimator).\n\n"
              "Example::\n\n  sign_ste([-1.5, 0, 0.5]) = [-1, 0, 1]  # gradient ograd")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(ste_forward([](double x) { return static_cast<double>((x > 0) - (x < 0)); }))
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd()}; })
    .add_sample(ste_sample());

}  // namespace minerva
