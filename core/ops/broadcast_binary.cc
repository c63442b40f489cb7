// Broadcasting binary operators (broadcast_add ... broadcast_logical_xor) with numpy rules, as
// MXNet 1.x applies them: the shorter shape is padded with leading 1s, then each axis must agree
// or be 1. Gradients reduce back to each input's shape with sum_like, i.e. the internal
// _reduce_sum_like, whose own gradient is _broadcast_to_like.
#include "core/ops/elemwise_common.h"

namespace minerva {
namespace elemwise {

bool broadcast_shapes(const Shape& a, const Shape& b, Shape* out) {
  const size_t nd = std::max(a.size(), b.size());
  Shape o(nd);
  for (size_t i = 0; i < nd; ++i) {
    // Axis i counted from the right.
    int64_t x = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t y = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (x != y && x != 1 && y != 1) return false;
    o[nd - 1 - i] = x == 1 ? y : x;
  }
  *out = o;
  return true;
}

Shape broadcast_strides(const Shape& in, const Shape& out) {
  Shape padded(out.size() - in.size(), 1);
  padded.insert(padded.end(), in.begin(), in.end());
  Shape st = strides_of(padded);
  for (size_t d = 0; d < out.size(); ++d)
    if (padded[d] == 1 && out[d] != 1) st[d] = 0;
  return st;
}

}  // namespace elemwise

namespace {

using elemwise::broadcast_forward;
using elemwise::sample;
using elemwise::zeros_like;

void infer_broadcast_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& a = (*in)[0];
  const Shape& b = (*in)[1];
  if (a.empty() || b.empty()) return;  // unknown until both are known
  Shape o;
  if (!elemwise::broadcast_shapes(a, b, &o)) {
    MV_THROW(kValue) << "Operator " << attrs.op->name << ": operands could not be broadcast together with shapes "
                     << shape_str(a) << " and " << shape_str(b);
  }
  (*out)[0] = o;
}

Tensor bop(const char* name, Tensor a, Tensor b) { return op(name, {a, b}); }

std::vector<Tensor> zero_grads(const GradContext& g) { return {zeros_like(g.input(0)), zeros_like(g.input(1))}; }

// One sample with a broadcast axis of equal rank and one with ranks 3 and 2.
const OpSample kSameRank = sample({{2, 3}, {1, 3}});
const OpSample kMixedRank = sample({{2, 1, 3}, {4, 1}});
const OpSample kSameRankPos = sample({{2, 3}, {1, 3}}, {}, 0.5, 2.0);
const OpSample kMixedRankPos = sample({{2, 1, 3}, {4, 1}}, {}, 0.5, 2.0);

// ---- _reduce_sum_like / _broadcast_to_like: the two halves of a broadcast's gradient --------

// `small` padded to the rank of `big`; true when it broadcasts to big (each axis equal or 1).
bool pad_to(const Shape& small, const Shape& big, Shape* padded) {
  if (small.size() > big.size()) {
    for (size_t i = 0; i < small.size() - big.size(); ++i)
      if (small[i] != 1) return false;
    padded->assign(small.end() - static_cast<std::ptrdiff_t>(big.size()), small.end());
  } else {
    padded->assign(big.size() - small.size(), 1);
    padded->insert(padded->end(), small.begin(), small.end());
  }
  for (size_t d = 0; d < big.size(); ++d)
    if ((*padded)[d] != big[d] && (*padded)[d] != 1) return false;
  return true;
}

// Output takes the shape of input 1 (`like`), which input 0 must broadcast with as `big`/`small`.
void infer_like_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out, bool data_is_big) {
  Shape& data = (*in)[0];
  Shape& like = (*in)[1];
  if (like.empty() && !(*out)[0].empty()) like = (*out)[0];
  if (like.empty()) return;
  if (!data.empty()) {
    Shape padded;
    bool ok = data_is_big ? pad_to(like, data, &padded) : pad_to(data, like, &padded);
    if (!ok) {
      MV_THROW(kValue) << "Operator " << attrs.op->name << ": cannot " << (data_is_big ? "sum" : "broadcast")
                       << " data of shape " << shape_str(data) << (data_is_big ? " down" : "") << " to shape "
                       << shape_str(like);
    }
  }
  (*out)[0] = like;
}

// Output dtype is the data's; `like` only lends its shape, so its dtype is free.
void infer_type_of_data(const Attrs&, std::vector<int>* in, std::vector<int>* out) {
  if ((*in)[0] < 0) (*in)[0] = (*out)[0];
  if ((*in)[0] >= 0) (*out)[0] = (*in)[0];
}

void reduce_sum_like_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in,
                             const std::vector<TBlob>& out) {
  const TBlob& x = in[0];
  const TBlob& y = out[0];
  if (x.size() == y.size()) return cast_copy(x, y);  // nothing to reduce (the common case in gradients)
  Shape lshape;
  pad_to(y.shape, x.shape, &lshape);
  const Shape& dshape = x.shape;
  const Shape dstr = strides_of(dshape);
  const int nd = static_cast<int>(dshape.size());
  // Offsets (in data) of every element summed into one output, relative to its first.
  std::vector<int64_t> red{0};
  for (int d = 0; d < nd; ++d) {
    if (lshape[d] != 1 || dshape[d] == 1) continue;
    std::vector<int64_t> next;
    next.reserve(red.size() * static_cast<size_t>(dshape[d]));
    for (int64_t off : red)
      for (int64_t k = 0; k < dshape[d]; ++k) next.push_back(off + k * dstr[d]);
    red.swap(next);
  }
  const int64_t n_out = y.size(), n_red = static_cast<int64_t>(red.size());
  MV_DTYPE_SWITCH(x.dtype, T, {
    using S = std::conditional_t<std::is_floating_point_v<elemwise::acc_t<T>>, double, int64_t>;
    const T* a = x.ptr<T>();
    T* o = y.ptr<T>();
    parallel_for(
        n_out,
        [&](int64_t i) {
          int64_t base = 0, rem = i;
          for (int d = nd - 1; d >= 0; --d) {
            int64_t idx = rem % lshape[d];
            rem /= lshape[d];
            base += idx * dstr[d];
          }
          S acc = 0;
          for (int64_t r = 0; r < n_red; ++r) acc += static_cast<S>(a[base + red[static_cast<size_t>(r)]]);
          o[i] = static_cast<T>(acc);
        },
        std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, n_red)));
  });
}

void broadcast_to_like_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in,
                               const std::vector<TBlob>& out) {
  const TBlob& x = in[0];
  const TBlob& y = out[0];
  if (x.size() == y.size()) return cast_copy(x, y);
  Shape padded;
  pad_to(x.shape, y.shape, &padded);
  Shape sa = elemwise::broadcast_strides(padded, y.shape);
  MV_DTYPE_SWITCH(x.dtype, T, {
    const T* a = x.ptr<T>();
    T* o = y.ptr<T>();
    elemwise::for_each_broadcast(y.shape, sa, sa, [&](int64_t i, int64_t ia, int64_t) { o[i] = a[ia]; });
  });
}

}  // namespace

MV_REGISTER_OP(_reduce_sum_like)
    .describe("Sums data down to the shape of `like` over the axes where `like` has size 1 (and the\n"
              "leading axes `like` lacks): the reverse of broadcasting, used by broadcast gradients.\n\n"
              "Example::\n\n  _reduce_sum_like([[1, 2], [3, 4]], like=ones((1, 2))) = [[4, 6]]")
    .input("data", "the array to sum").input("like", "an array of the target shape (only its shape is used)")
    .set_infer_shape([](const Attrs& a, std::vector<Shape>* in, std::vector<Shape>* out) {
      infer_like_shape(a, in, out, true);
    })
    .set_infer_type(infer_type_of_data)
    .set_forward(reduce_sum_like_forward)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_broadcast_to_like", {g.ograd(), g.input(0)}), Tensor{}};
    })
    .add_sample(sample({{2, 3, 4}, {3, 1}}))
    .add_sample(sample({{2, 3}, {2, 3}}));

MV_REGISTER_OP(_broadcast_to_like)
    .describe("Broadcasts data to the shape of `like` (numpy rules); the gradient of _reduce_sum_like.\n\n"
              "Example::\n\n  _broadcast_to_like([[1, 2]], like=zeros((2, 2))) = [[1, 2], [1, 2]]")
    .input("data", "the array to broadcast").input("like", "an array of the target shape (only its shape is used)")
    .set_infer_shape([](const Attrs& a, std::vector<Shape>* in, std::vector<Shape>* out) {
      infer_like_shape(a, in, out, false);
    })
    .set_infer_type(infer_type_of_data)
    .set_forward(broadcast_to_like_forward)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{sum_like(g.ograd(), g.input(0)), Tensor{}}; })
    .add_sample(sample({{3, 1}, {2, 3, 4}}));

// ---- arithmetic ----------------------------------------------------------------------------

MV_REGISTER_OP(broadcast_add)
    .describe("Element-wise sum with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_add([[1, 1, 1], [1, 1, 1]], [[0], [1]]) = [[1, 1, 1], [2, 2, 2]]")
    .alias("broadcast_plus")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::Add>)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{sum_like(g.ograd(), g.input(0)), sum_like(g.ograd(), g.input(1))};
    })
    .add_sample(kSameRank).add_sample(kMixedRank);

MV_REGISTER_OP(broadcast_sub)
    .describe("Element-wise difference with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_sub([[1, 1, 1], [1, 1, 1]], [[0], [1]]) = [[1, 1, 1], [0, 0, 0]]")
    .alias("broadcast_minus")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::Sub>)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{sum_like(g.ograd(), g.input(0)), sum_like(-g.ograd(), g.input(1))};
    })
    .add_sample(kSameRank).add_sample(kMixedRank);

MV_REGISTER_OP(broadcast_mul)
    .describe("Element-wise product with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_mul([[1, 2], [3, 4]], [[2], [10]]) = [[2, 4], [30, 40]]")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::Mul>)
    .set_gradient([](const GradContext& g) {
      Tensor a = g.input(0), b = g.input(1), og = g.ograd();
      return std::vector<Tensor>{sum_like(bop("broadcast_mul", og, b), a), sum_like(bop("broadcast_mul", og, a), b)};
    })
    .add_sample(kSameRank).add_sample(kMixedRank);

MV_REGISTER_OP(broadcast_div)
    .describe("Element-wise division with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_div([[6, 6], [6, 6]], [[2], [3]]) = [[3, 3], [2, 2]]")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::Div>)
    .set_gradient([](const GradContext& g) {
      Tensor a = g.input(0), b = g.input(1), og = g.ograd();
      // d(a/b)/db = -(a/b)/b = -out/b.
      return std::vector<Tensor>{sum_like(bop("broadcast_div", og, b), a),
                                 sum_like(-bop("broadcast_div", og * g.output(), b), b)};
    })
    .add_sample(kSameRankPos).add_sample(kMixedRankPos);

MV_REGISTER_OP(broadcast_power)
    .describe("First array raised to the powers of the second, with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_power([[2, 3]], [[2], [3]]) = [[4, 9], [8, 27]]")
    .input("lhs", "base").input("rhs", "exponent")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::Pow>)
    .set_gradient([](const GradContext& g) {
      Tensor a = g.input(0), b = g.input(1), og = g.ograd();
      // d(a^b)/da = b * a^(b-1); d(a^b)/db = a^b * log(a).
      Tensor da = og * bop("broadcast_mul", bop("broadcast_power", a, b + (-1.0)), b);
      Tensor db = bop("broadcast_mul", og * g.output(), op("log", {a}));
      return std::vector<Tensor>{sum_like(da, a), sum_like(db, b)};
    })
    .add_sample(kSameRankPos).add_sample(kMixedRankPos);

MV_REGISTER_OP(broadcast_maximum)
    .describe("Element-wise maximum with numpy broadcasting. On ties the gradient goes to lhs.\n\n"
              "Example::\n\n  broadcast_maximum([[1, 5]], [[3], [0]]) = [[3, 5], [1, 5]]")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::Max>)
    .set_gradient([](const GradContext& g) {
      Tensor a = g.input(0), b = g.input(1), og = g.ograd();
      return std::vector<Tensor>{sum_like(og * bop("broadcast_greater_equal", a, b), a),
                                 sum_like(og * bop("broadcast_lesser", a, b), b)};
    })
    .add_sample(kSameRank).add_sample(kMixedRank);

MV_REGISTER_OP(broadcast_minimum)
    .describe("Element-wise minimum with numpy broadcasting. On ties the gradient goes to lhs.\n\n"
              "Example::\n\n  broadcast_minimum([[1, 5]], [[3], [0]]) = [[1, 3], [0, 0]]")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::Min>)
    .set_gradient([](const GradContext& g) {
      Tensor a = g.input(0), b = g.input(1), og = g.ograd();
      return std::vector<Tensor>{sum_like(og * bop("broadcast_lesser_equal", a, b), a),
                                 sum_like(og * bop("broadcast_greater", a, b), b)};
    })
    .add_sample(kSameRank).add_sample(kMixedRank);

MV_REGISTER_OP(broadcast_mod)
    .describe("Element-wise modulo with numpy broadcasting and Python's sign rule (the result has the\n"
              "sign of rhs; x mod 0 is 0).\n\n"
              "Example::\n\n  broadcast_mod([[5, -5]], [[3], [-3]]) = [[2, 1], [-1, -2]]")
    .input("lhs", "dividend").input("rhs", "divisor")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::Mod>)
    .set_gradient([](const GradContext& g) {
      Tensor a = g.input(0), b = g.input(1), og = g.ograd();
      return std::vector<Tensor>{sum_like(og, a), sum_like(-(og * op("floor", {bop("broadcast_div", a, b)})), b)};
    })
    // In [1.1, 1.9] floor(a / b) is 0 or 1; its jump at a == b is hit with negligible probability.
    .add_sample(sample({{2, 3}, {1, 3}}, {}, 1.1, 1.9))
    .add_sample(sample({{2, 1, 3}, {4, 1}}, {}, 1.1, 1.9));

MV_REGISTER_OP(broadcast_hypot)
    .describe("sqrt(lhs^2 + rhs^2) element-wise, with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_hypot([[3, 5]], [[4], [12]]) = [[5, 6.40312], [12.3693, 13]]")
    .input("lhs", "first leg").input("rhs", "second leg")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::Hypot>)
    .set_gradient([](const GradContext& g) {
      Tensor a = g.input(0), b = g.input(1), og = g.ograd() / g.output();
      return std::vector<Tensor>{sum_like(bop("broadcast_mul", og, a), a), sum_like(bop("broadcast_mul", og, b), b)};
    })
    .add_sample(kSameRankPos).add_sample(kMixedRankPos);

// ---- comparisons and logical operators: 1/0 in the input dtype, zero gradients --------------

MV_REGISTER_OP(broadcast_equal)
    .describe("Returns lhs == rhs as 1/0 in the input dtype, with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_equal([[1, 2]], [[1], [2]]) = [[1, 0], [0, 1]]")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::Equal>)
    .set_gradient(zero_grads)
    .add_sample(kSameRank).add_sample(kMixedRank);

MV_REGISTER_OP(broadcast_not_equal)
    .describe("Returns lhs != rhs as 1/0 in the input dtype, with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_not_equal([[1, 2]], [[1], [2]]) = [[0, 1], [1, 0]]")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::NotEqual>)
    .set_gradient(zero_grads)
    .add_sample(kSameRank).add_sample(kMixedRank);

MV_REGISTER_OP(broadcast_greater)
    .describe("Returns lhs > rhs as 1/0 in the input dtype, with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_greater([[1, 2]], [[1], [2]]) = [[0, 1], [0, 0]]")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::Greater>)
    .set_gradient(zero_grads)
    .add_sample(kSameRank).add_sample(kMixedRank);

MV_REGISTER_OP(broadcast_greater_equal)
    .describe("Returns lhs >= rhs as 1/0 in the input dtype, with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_greater_equal([[1, 2]], [[1], [2]]) = [[1, 1], [0, 1]]")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::GreaterEqual>)
    .set_gradient(zero_grads)
    .add_sample(kSameRank).add_sample(kMixedRank);

MV_REGISTER_OP(broadcast_lesser)
    .describe("Returns lhs < rhs as 1/0 in the input dtype, with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_lesser([[1, 2]], [[1], [2]]) = [[0, 0], [1, 0]]")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::Lesser>)
    .set_gradient(zero_grads)
    .add_sample(kSameRank).add_sample(kMixedRank);

MV_REGISTER_OP(broadcast_lesser_equal)
    .describe("Returns lhs <= rhs as 1/0 in the input dtype, with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_lesser_equal([[1, 2]], [[1], [2]]) = [[1, 0], [1, 1]]")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::LesserEqual>)
    .set_gradient(zero_grads)
    .add_sample(kSameRank).add_sample(kMixedRank);

MV_REGISTER_OP(broadcast_logical_and)
    .describe("Logical AND (nonzero is true) as 1/0 in the input dtype, with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_logical_and([[1, 0]], [[1], [0]]) = [[1, 0], [0, 0]]")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::LogicalAnd>)
    .set_gradient(zero_grads)
    .add_sample(kSameRank).add_sample(kMixedRank);

MV_REGISTER_OP(broadcast_logical_or)
    .describe("Logical OR (nonzero is true) as 1/0 in the input dtype, with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_logical_or([[1, 0]], [[1], [0]]) = [[1, 1], [1, 0]]")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::LogicalOr>)
    .set_gradient(zero_grads)
    .add_sample(kSameRank).add_sample(kMixedRank);

MV_REGISTER_OP(broadcast_logical_xor)
    .describe("Logical XOR (nonzero is true) as 1/0 in the input dtype, with numpy broadcasting.\n\n"
              "Example::\n\n  broadcast_logical_xor([[1, 0]], [[1], [0]]) = [[0, 1], [1, 0]]")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_broadcast_shape)
    .set_forward(broadcast_forward<elemwise::LogicalXor>)
    .set_gradient(zero_grads)
    .add_sample(kSameRank).add_sample(kMixedRank);

}  // namespace minerva
