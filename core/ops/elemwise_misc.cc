// Element-wise utilities: zeros_like, ones_like, _copy (identity), BlockGrad (stop_gradient),
// Cast, clip, where and add_n (ElementWiseSum).
#include "core/ops/elemwise_common.h"

namespace minerva {
namespace {

using elemwise::sample;
using elemwise::scalar_op;
using elemwise::zeros_like;

void copy_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  if (in[0].data != out[0].data) cast_copy(in[0], out[0]);
}

// Any dtype to any dtype, with float -> integer conversions done as MXNet's compiled kernels do
// (through int32 for narrow types: 300.0 -> uint8 44, -1.0 -> uint8 255), never undefined.
void cast_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const TBlob& x = in[0];
  const TBlob& y = out[0];
  if (!dtype_is_float(x.dtype) || dtype_is_float(y.dtype)) return cast_copy(x, y);
  const int64_t n = x.size();
  MV_FLOAT_SWITCH(x.dtype, "Cast", S, {
    const S* s = x.ptr<S>();
    MV_DTYPE_SWITCH(y.dtype, D, {
      D* d = y.ptr<D>();
      parallel_for(n, [&](int64_t i) { d[i] = elemwise::from_double<D>(static_cast<double>(s[i])); });
    });
  });
}

void infer_cast_type(const Attrs& attrs, std::vector<int>*, std::vector<int>* out) {
  (*out)[0] = static_cast<int>(attrs.get_dtype("dtype"));
}

// _cast_like: data converted to like's dtype, keeping data's shape.
void infer_cast_like_shape(const Attrs&, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) (*in)[0] = (*out)[0];
  (*out)[0] = (*in)[0];
}
void infer_cast_like_type(const Attrs&, std::vector<int>* in, std::vector<int>* out) {
  if ((*in)[1] < 0) (*in)[1] = (*out)[0];
  (*out)[0] = (*in)[1];
}

template <int kValue>
void fill_forward(const OpContext&, const Attrs&, const std::vector<TBlob>&, const std::vector<TBlob>& out) {
  fill_blob(out[0], kValue);
}

void clip_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const double lo = attrs.get_float("a_min"), hi = attrs.get_float("a_max");
  const int64_t n = in[0].size();
  MV_DTYPE_SWITCH(in[0].dtype, T, {
    using A = elemwise::acc_t<T>;
    const A l = elemwise::from_double<A>(lo), h = elemwise::from_double<A>(hi);
    const T* a = in[0].ptr<T>();
    T* o = out[0].ptr<T>();
    // max(min(x, a_max), a_min), as MXNet documents: a_min wins when a_min > a_max.
    parallel_for(n, [&](int64_t i) {
      A v = static_cast<A>(a[i]);
      v = v > h ? h : v;
      o[i] = static_cast<T>(v < l ? l : v);
    });
  });
}

// where: condition has x's shape, or is 1-D of length x.shape[0] and selects whole rows.
void infer_where_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  Shape& cond = (*in)[0];
  Shape& x = (*in)[1];
  Shape& y = (*in)[2];
  if (x.empty()) x = !y.empty() ? y : (*out)[0];
  if (y.empty()) y = x;
  if (x.empty()) return;
  if (y != x) shape_mismatch(attrs, "input 'y' (must match x)", x, y);
  if (cond.empty()) cond = x;
  if (cond != x && !(cond.size() == 1 && cond[0] == x[0])) {
    MV_THROW(kValue) << "Operator where: condition must have the shape of x " << shape_str(x) << " or be 1-D of length "
                     << x[0] << ", got " << shape_str(cond);
  }
  (*out)[0] = x;
}

// The condition may have any dtype; x, y and the output share one.
void infer_where_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  std::vector<int> xy = {(*in)[1], (*in)[2]};
  infer_same_type(attrs, &xy, out);
  (*in)[1] = xy[0];
  (*in)[2] = xy[1];
  if ((*in)[0] < 0) (*in)[0] = xy[0];
}

void where_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const TBlob& c = in[0];
  const int64_t n = out[0].size();
  const int64_t row = c.size() == n ? 1 : (c.size() ? n / c.size() : 1);  // 1-D condition: one flag per row
  std::vector<uint8_t> pick(static_cast<size_t>(c.size()));
  MV_DTYPE_SWITCH(c.dtype, C, {
    const C* cp = c.ptr<C>();
    for (int64_t i = 0; i < c.size(); ++i) pick[static_cast<size_t>(i)] = static_cast<double>(cp[i]) != 0;
  });
  MV_DTYPE_SWITCH(out[0].dtype, T, {
    const T* x = in[1].ptr<T>();
    const T* y = in[2].ptr<T>();
    T* o = out[0].ptr<T>();
    parallel_for(n, [&](int64_t i) { o[i] = pick[static_cast<size_t>(i / row)] ? x[i] : y[i]; });
  });
}

void add_n_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const int64_t n = out[0].size();
  MV_DTYPE_SWITCH(out[0].dtype, T, {
    using A = elemwise::acc_t<T>;
    T* o = out[0].ptr<T>();
    // Summed per element in one pass, so out may alias any input (declared in-place with input 0).
    parallel_for(n, [&](int64_t i) {
      A s = 0;
      for (const TBlob& b : in) s = static_cast<A>(s + static_cast<A>(b.ptr<T>()[i]));
      o[i] = static_cast<T>(s);
    });
  });
}

}  // namespace

MV_REGISTER_OP(zeros_like)
    .describe("Returns an array of zeros with the shape and dtype of the input. The gradient is zero.\n\n"
              "Example::\n\n  zeros_like([[1, 2], [3, 4]]) = [[0, 0], [0, 0]]")
    .input("data", "The input")
    .set_infer_shape(infer_same_shape)
    .set_forward(fill_forward<0>)
    .set_method("zeros_like")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{zeros_like(g.ograd())}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(ones_like)
    .describe("Returns an array of ones with the shape and dtype of the input. The gradient is zero.\n\n"
              "Example::\n\n  ones_like([[1, 2], [3, 4]]) = [[1, 1], [1, 1]]")
    .input("data", "The input")
    .set_infer_shape(infer_same_shape)
    .set_forward(fill_forward<1>)
    .set_method("ones_like")
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{zeros_like(g.ograd())}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(_copy)
    .describe("Returns a copy of the input.\n\nExample::\n\n  identity([1, 2]) = [1, 2]")
    .alias("identity")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(copy_forward)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd()}; })
    .add_sample(sample({{2, 3}}));

MV_REGISTER_OP(BlockGrad)
    .describe("Stops gradient computation: the forward pass is the identity and the gradient is zero.\n\n"
              "Example::\n\n  v1 = [1, 2]; v2 = [0, 1]\n  a = v1 + v2; b = stop_gradient(v1) + v2\n"
              "  d a / d v1 = [1, 1]; d b / d v1 = [0, 0]")
    .alias("stop_gradient")
    .input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(copy_forward)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{zeros_like(g.ograd())}; })
    .add_sample([] {
      OpSample s = sample({{2, 3}});
      s.grad_check = false;  // the zero gradient is the point: it deliberately differs from d(identity)
      return s;
    }());

MV_REGISTER_OP(Cast)
    .describe("Casts all elements of the input to a new type. Float to integer conversion truncates\n"
              "toward zero and wraps like MXNet's (through int32 for narrow types).\n\n"
              "Example::\n\n  cast([0.9, 1.3], dtype='int32') = [0, 1]\n"
              "  cast([300, 11.1, 10.9, -1, -3], dtype='uint8') = [44, 11, 10, 255, 253]")
    .alias("cast")
    .input("data", "The input.")
    .required_param("dtype", ParamType::kDType, "Output data type.")
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_cast_type)
    .set_forward(cast_forward)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_cast_like", {g.ograd(), g.input()})};  // back to the input's dtype
    })
    .add_sample(sample({{2, 3}}, {{"dtype", "float64"}}))
    .add_sample([] {
      OpSample s = sample({{2, 3}}, {{"dtype", "int32"}}, -5, 5);
      s.grad_check = false;  // a float -> int32 cast is a step function; only the forward is sampled
      return s;
    }());

MV_REGISTER_OP(_cast_like)
    .describe("Casts data to the dtype of `like`, keeping data's shape; the gradient of Cast.\n\n"
              "Example::\n\n  _cast_like([1.7, 2.2], like=int32 array) = [1, 2]")
    .input("data", "The input.").input("like", "an array of the target dtype (only its dtype is used)")
    .set_infer_shape(infer_cast_like_shape)
    .set_infer_type(infer_cast_like_type)
    .set_forward(cast_forward)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_cast_like", {g.ograd(), g.input(0)}), Tensor{}};
    })
    .add_sample(sample({{2, 3}, {4}}));

MV_REGISTER_OP(clip)
    .describe("Clips (limits) the values of an array: clip(x, a_min, a_max) = max(min(x, a_max), a_min).\n"
              "The gradient passes where a_min <= x <= a_max and is zero elsewhere.\n\n"
              "Example::\n\n  clip([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 8) = [1, 1, 2, 3, 4, 5, 6, 7, 8, 8]")
    .input("data", "Input array.")
    .required_param("a_min", ParamType::kFloat, "Minimum value")
    .required_param("a_max", ParamType::kFloat, "Maximum value")
    .set_infer_shape(infer_same_shape)
    .set_forward(clip_forward)
    .set_inplace(0, 0)
    .set_method("clip")
    .set_gradient([](const GradContext& g) {
      Tensor x = g.input();
      Tensor inside = scalar_op("_greater_equal_scalar", x, g.attrs->get_float("a_min")) *
                      scalar_op("_lesser_equal_scalar", x, g.attrs->get_float("a_max"));
      return std::vector<Tensor>{g.ograd() * inside};
    })
    .add_sample(sample({{2, 3}}, {{"a_min", "-0.5"}, {"a_max", "0.5"}}));

MV_REGISTER_OP(where)
    .describe("Takes elements from x where condition is nonzero and from y elsewhere. condition has x's\n"
              "shape, or is 1-D with length x.shape[0] and then selects whole rows.\n\n"
              "Example::\n\n  where([1, 0], [[1, 2], [3, 4]], [[5, 6], [7, 8]]) = [[1, 2], [7, 8]]")
    .input("condition", "condition array").input("x", "values where condition is true")
    .input("y", "values where condition is false")
    .set_infer_shape(infer_where_shape)
    .set_infer_type(infer_where_type)
    .set_forward(where_forward)
    .set_gradient([](const GradContext& g) {
      Tensor c = g.input(0), og = g.ograd(), z = zeros_like(og);
      return std::vector<Tensor>{zeros_like(c), op("where", {c, og, z}), op("where", {c, z, og})};
    })
    .add_sample([] {
      OpSample s = sample({{2, 3}, {2, 3}, {2, 3}});
      s.index_inputs = {0};  // a 0/1 condition, so both branches are taken
      s.index_high = 2;
      return s;
    }())
    .add_sample([] {
      OpSample s = sample({{2}, {2, 3}, {2, 3}});
      s.index_inputs = {0};
      s.index_high = 2;
      return s;
    }());

MV_REGISTER_OP(add_n)
    .describe("Adds all input arguments element-wise: add_n(a1, a2, ..., an) = a1 + a2 + ... + an.\n\n"
              "Example::\n\n  add_n([1, 2], [3, 4], [5, 6]) = [9, 12]")
    .alias("ElementWiseSum")
    .input("arg", "Positional input arguments")
    .set_variadic("num_args")
    .required_param("num_args", ParamType::kInt, "Number of inputs to be summed.")
    .bounds(1, 1e9)
    .set_infer_shape(infer_same_shape)
    .set_forward(add_n_forward)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>(g.inputs.size(), g.ograd());
    })
    .add_sample(sample({{2, 3}, {2, 3}, {2, 3}}, {{"num_args", "3"}}));

}  // namespace minerva
