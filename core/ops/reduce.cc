// Reductions over axes, with MXNet 1.x's parameters (axis, keepdims, exclude) and legacy shapes
// (a full reduction gives shape (1,)): sum, mean, prod, max, min, nansum, nanprod, norm; the
// index reductions argmax, argmin, argmax_channel; and _broadcast_reduced, which carries a
// reduced array back to the input's shape and so writes every reduction's gradient.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/base/checked.h"
#include "core/op/kernel_util.h"
#include "core/ops/reduce.h"

namespace minerva {

namespace {

bool has_param(const Attrs& attrs, const std::string& name) {
  for (const auto& f : attrs.op->params)
    if (f.name == name) return true;
  return false;
}

}  // namespace

std::vector<bool> reduced_axes(const Attrs& attrs, const Shape& in) {
  const int64_t ndim = static_cast<int64_t>(in.size());
  std::vector<bool> red(in.size(), true);
  if (attrs.is_none("axis") || attrs.get_shape("axis").empty()) return red;
  std::vector<bool> listed(in.size(), false);
  for (int64_t a : attrs.get_shape("axis")) {
    int64_t ax = a < 0 ? a + ndim : a;
    MV_CHECK(ax >= 0 && ax < ndim, kValue) << "Operator " << attrs.op->name << ": reduction axis " << a
                                           << " is out of range for an input of shape " << shape_str(in);
    MV_CHECK(!listed[ax], kValue) << "Operator " << attrs.op->name << ": reduction axes "
                                  << shape_str(attrs.get_shape("axis")) << " have duplicates";
    listed[ax] = true;
  }
  bool exclude = has_param(attrs, "exclude") && attrs.get_bool("exclude");
  for (size_t i = 0; i < in.size(); ++i) red[i] = listed[i] != exclude;
  return red;
}

Shape reduced_shape(const Shape& in, const std::vector<bool>& red, bool keepdims) {
  Shape out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!red[i]) out.push_back(in[i]);
    else if (keepdims) out.push_back(1);
  }
  if (out.empty()) out.push_back(1);
  return out;
}

namespace {

// ---- the reduction kernel --------------------------------------------------------------------

template <typename V>
bool is_nan(V v) {
  if constexpr (std::is_integral<V>::value) return false;
  else return std::isnan(static_cast<double>(v));
}

// Accumulates in double for floating types (float16 included) and int64 for integers.
template <typename T>
using AccOf = std::conditional_t<std::is_integral<T>::value, int64_t, double>;

// Integer sums and products wrap modulo 2^64 as MXNet's and NumPy's do; computed in unsigned
// arithmetic because signed overflow is undefined behaviour. Doubles add as usual.
template <typename Acc>
Acc acc_add(Acc a, Acc b) {
  if constexpr (std::is_integral<Acc>::value) return static_cast<Acc>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  else return a + b;
}
template <typename Acc>
Acc acc_mul(Acc a, Acc b) {
  if constexpr (std::is_integral<Acc>::value) return static_cast<Acc>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
  else return a * b;
}

// One struct per reduction: init, add one element, merge two partial results, finish.
template <typename T>
struct SumOp {
  using Acc = AccOf<T>;
  Acc init() const { return 0; }
  void add(Acc& a, T x) const { a = acc_add(a, static_cast<Acc>(x)); }
  void merge(Acc& a, Acc b) const { a = acc_add(a, b); }
  Acc done(Acc a, int64_t) const { return a; }
};
template <typename T>
struct MeanOp : SumOp<T> {
  using Acc = AccOf<T>;
  Acc done(Acc a, int64_t n) const {
    if constexpr (std::is_integral<Acc>::value) return n ? a / n : 0;  // integer mean truncates, as MXNet
    else return a / static_cast<double>(n);
  }
};
template <typename T>
struct NanSumOp : SumOp<T> {
  using Acc = AccOf<T>;
  void add(Acc& a, T x) const {
    if (!is_nan(x)) a = acc_add(a, static_cast<Acc>(x));
  }
};
template <typename T>
struct ProdOp {
  using Acc = AccOf<T>;
  Acc init() const { return 1; }
  void add(Acc& a, T x) const { a = acc_mul(a, static_cast<Acc>(x)); }
  void merge(Acc& a, Acc b) const { a = acc_mul(a, b); }
  Acc done(Acc a, int64_t) const { return a; }
};
template <typename T>
struct NanProdOp : ProdOp<T> {
  using Acc = AccOf<T>;
  void add(Acc& a, T x) const {
    if (!is_nan(x)) a = acc_mul(a, static_cast<Acc>(x));
  }
};
// NaN wins, as in MXNet: once the accumulator is NaN no comparison replaces it.
template <typename T, bool kMax>
struct ExtremeOp {
  using Acc = AccOf<T>;
  Acc init() const {
    if constexpr (std::is_integral<T>::value)
      return static_cast<Acc>(kMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max());
    else return kMax ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  void merge(Acc& a, Acc v) const {
    if (is_nan(v) || (kMax ? v > a : v < a)) a = v;
  }
  void add(Acc& a, T x) const { merge(a, static_cast<Acc>(x)); }
  Acc done(Acc a, int64_t) const { return a; }
};
template <typename T>
using MaxOp = ExtremeOp<T, true>;
template <typename T>
using MinOp = ExtremeOp<T, false>;
template <typename T>
struct NormOp {  // ord 1: sum |x|; ord 2: sqrt(sum x^2)
  using Acc = double;
  int ord = 2;
  Acc init() const { return 0; }
  void add(Acc& a, T x) const {
    double v = static_cast<double>(x);
    a += ord == 1 ? std::fabs(v) : v * v;
  }
  void merge(Acc& a, Acc b) const { a += b; }
  Acc done(Acc a, int64_t) const { return ord == 1 ? a : std::sqrt(a); }
};

// The input's dims with size-1 dims dropped and neighbours of the same kind (reduced or kept)
// merged, so any reduction becomes a few loops over contiguous runs.
struct Folded {
  std::vector<int64_t> dims;
  std::vector<bool> red;
  Shape strides;
};

Folded fold(const Shape& shape, const std::vector<bool>& red) {
  Folded f;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (!f.dims.empty() && f.red.back() == red[i]) {
      f.dims.back() *= shape[i];
    } else {
      f.dims.push_back(shape[i]);
      f.red.push_back(red[i]);
    }
  }
  if (f.dims.empty()) {
    f.dims.push_back(1);
    f.red.push_back(true);
  }
  f.strides = strides_of(f.dims);
  return f;
}

// Element offsets of every position over the dims d < end whose kind is `reduced`, row-major.
std::vector<int64_t> offsets(const Folded& f, bool reduced, size_t end) {
  std::vector<int64_t> offs{0};
  for (size_t d = 0; d < end; ++d) {
    if (f.red[d] != reduced) continue;
    std::vector<int64_t> next;
    next.reserve(offs.size() * static_cast<size_t>(f.dims[d]));
    for (int64_t o : offs)
      for (int64_t i = 0; i < f.dims[d]; ++i) next.push_back(o + i * f.strides[d]);
    offs.swap(next);
  }
  return offs;
}

// A few outputs over many elements (a full sum) are split into this many fixed chunks, merged
// in order, so the result does not depend on the thread count.
constexpr int64_t kReduceChunks = 64;

template <typename T, typename O, typename Op>
void reduce_kernel(const T* in, O* out, const Shape& shape, const std::vector<bool>& red, const Op& op) {
  using Acc = typename Op::Acc;
  if (shape_size(shape) == 0) {
    // Nothing to read: each output (the kept dims' product) is the reduction of no elements. The
    // folded offset tables below would hold the product of the non-zero dims instead (~2^62
    // entries for (2^31, 2^31, 0)), so loops here are driven by the real element counts.
    Shape kept;
    for (size_t d = 0; d < shape.size(); ++d)
      if (!red[d]) kept.push_back(shape[d]);
    const int64_t n_out = shape_size(kept);
    for (int64_t o = 0; o < n_out; ++o) out[o] = static_cast<O>(op.done(op.init(), 0));
    return;
  }
  const Folded f = fold(shape, red);
  const size_t nd = f.dims.size();
  const int64_t inner = f.dims.back();
  int64_t count = 1;  // elements folded into each output
  for (size_t d = 0; d < nd; ++d)
    if (f.red[d]) count *= f.dims[d];

  if (f.red.back()) {
    // Each output folds runs.size() contiguous runs of `inner` elements.
    const std::vector<int64_t> outs = offsets(f, false, nd), runs = offsets(f, true, nd - 1);
    const int64_t n_out = static_cast<int64_t>(outs.size());
    if (n_out < 8 && count >= 4 * kParallelGrain) {
      for (int64_t o = 0; o < n_out; ++o) {
        std::array<Acc, kReduceChunks> part;
        parallel_for(
            kReduceChunks,
            [&](int64_t c) {
              Acc acc = op.init();
              int64_t q = count * c / kReduceChunks, hi = count * (c + 1) / kReduceChunks;
              while (q < hi) {  // q indexes (run, position in run) flattened
                int64_t r = q / inner, i = q % inner, len = std::min(inner - i, hi - q);
                const T* p = in + outs[o] + runs[r] + i;
                for (int64_t k = 0; k < len; ++k) op.add(acc, p[k]);
                q += len;
              }
              part[c] = acc;
            },
            1);
        Acc acc = part[0];
        for (int64_t c = 1; c < kReduceChunks; ++c) op.merge(acc, part[c]);
        out[o] = static_cast<O>(op.done(acc, count));
      }
      return;
    }
    parallel_for(
        n_out,
        [&](int64_t o) {
          Acc acc = op.init();
          for (int64_t r : runs) {
            const T* p = in + outs[o] + r;
            for (int64_t i = 0; i < inner; ++i) op.add(acc, p[i]);
          }
          out[o] = static_cast<O>(op.done(acc, count));
        },
        std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, count)));
    return;
  }
  // The innermost dim is kept: output row `row` folds runs.size() input rows, `inner` wide,
  // column block by column block so the reads stay contiguous.
  constexpr int64_t kBlock = 256;
  const std::vector<int64_t> rows = offsets(f, false, nd - 1), runs = offsets(f, true, nd);
  const int64_t nblocks = (inner + kBlock - 1) / kBlock;
  parallel_for(
      static_cast<int64_t>(rows.size()) * nblocks,
      [&](int64_t t) {
        int64_t row = t / nblocks, b0 = (t % nblocks) * kBlock, b1 = std::min(inner, b0 + kBlock);
        std::array<Acc, kBlock> acc;
        for (int64_t j = b0; j < b1; ++j) acc[j - b0] = op.init();
        for (int64_t r : runs) {
          const T* p = in + rows[row] + r;
          for (int64_t j = b0; j < b1; ++j) op.add(acc[j - b0], p[j]);
        }
        for (int64_t j = b0; j < b1; ++j) out[row * inner + j] = static_cast<O>(op.done(acc[j - b0], count));
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, count * kBlock)));
}

// ---- operator glue ---------------------------------------------------------------------------

void infer_reduce_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& s = (*in)[0];
  if (s.empty()) return;
  (*out)[0] = reduced_shape(s, reduced_axes(attrs, s), attrs.get_bool("keepdims"));
}

// One dtype in and out (norm's out_dtype aside); bool has no arithmetic.
void infer_numeric_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  infer_same_type(attrs, in, out);
  MV_CHECK((*in)[0] != static_cast<int>(DType::kBool), kType)
      << "Operator " << attrs.op->name << " does not support bool inputs";
}

void check_not_bool(const TBlob& b, const Attrs& attrs) {
  MV_CHECK(b.dtype != DType::kBool, kType) << "Operator " << attrs.op->name << " does not support bool inputs";
}

template <template <typename> class R>
void reduce_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                    const std::vector<TBlob>& out) {
  check_not_bool(in[0], attrs);
  auto red = reduced_axes(attrs, in[0].shape);
  MV_DTYPE_SWITCH(in[0].dtype, T, { reduce_kernel(in[0].ptr<T>(), out[0].ptr<T>(), in[0].shape, red, R<T>{}); });
}

void norm_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  auto red = reduced_axes(attrs, in[0].shape);
  int ord = static_cast<int>(attrs.get_int("ord"));
  // With out_dtype the norm is taken in double and converted once at the end.
  std::vector<double> tmp(in[0].dtype == out[0].dtype ? 0 : static_cast<size_t>(out[0].size()));
  MV_FLOAT_SWITCH(in[0].dtype, "norm", T, {
    NormOp<T> op;
    op.ord = ord;
    if (tmp.empty()) reduce_kernel(in[0].ptr<T>(), out[0].ptr<T>(), in[0].shape, red, op);
    else reduce_kernel(in[0].ptr<T>(), tmp.data(), in[0].shape, red, op);
  });
  if (!tmp.empty()) cast_copy(TBlob{tmp.data(), out[0].shape, DType::kFloat64}, out[0]);
}

// The parameters _broadcast_reduced needs to undo a reduction: axis, keepdims and exclude as
// given to the forward operator (norm's ord and out_dtype are not passed on).
GradParams undo_params(const GradContext& g, bool normalize = false) {
  GradParams p;
  for (const auto& [k, v] : g.forward_params())
    if (k == "axis" || k == "keepdims" || k == "exclude") p.emplace_back(k, v);
  if (normalize) p.emplace_back("normalize", "True");
  return p;
}

// ograd (reduced shape) broadcast back to the shape of the forward input.
Tensor unreduce(const GradContext& g, Tensor t, bool normalize = false) {
  return op("_broadcast_reduced", {t, g.input()}, undo_params(g, normalize));
}

std::vector<Tensor> grads(Tensor t) { return {t}; }

// max/min: every element equal to the extreme gets the whole output gradient (ties included),
// which is MXNet's rule.
std::vector<Tensor> extreme_gradient(const GradContext& g) {
  Tensor hit = op("_equal", {g.input(), unreduce(g, g.output())});
  return grads(unreduce(g, g.ograd()) * hit);
}

const char* kAxisDoc =
    "The axis or axes along which to perform the reduction. The default, axis=() or None, reduces\n"
    "over all elements into a (1,) array. Negative values count from the end. If `exclude` is\n"
    "true, the reduction is over the axes NOT in axis.";

OpSample sample(std::vector<Shape> shapes, KeyValues params = {}, double lo = -1, double hi = 1) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  s.lo = lo;
  s.hi = hi;
  return s;
}

}  // namespace

// The input and the parameters every axis reduction shares (MXNet's ReduceAxesParam).
#define MV_REDUCE_AXES_DECL                                                                  \
  input("data", "The input")                                                                 \
      .param("axis", ParamType::kShape, "None", kAxisDoc).kind(ParamKind::kAxes)             \
      .param("keepdims", ParamType::kBool, "False",                                          \
             "If True, the reduced axes are left in the result as dimensions of size one.")  \
      .param("exclude", ParamType::kBool, "False",                                           \
             "Whether to perform reduction on axes that are NOT in axis instead.")           \
      .set_infer_shape(infer_reduce_shape)                                                   \
      .set_infer_type(infer_numeric_type)

// Samples shared by the smooth reductions: all axes, some axes kept, excluded axes, negative.
#define MV_REDUCE_SAMPLES(LO, HI)                                                              \
  add_sample(sample({{2, 3, 4}}, {}, LO, HI))                                                 \
      .add_sample(sample({{2, 3, 4}}, {{"axis", "(0, 2)"}, {"keepdims", "True"}}, LO, HI))   \
      .add_sample(sample({{2, 3, 4}}, {{"axis", "1"}, {"exclude", "True"}}, LO, HI))         \
      .add_sample(sample({{3, 4}}, {{"axis", "-1"}}, LO, HI))

MV_REGISTER_OP(sum)
    .describe("Computes the sum of array elements over given axes.\n\n"
              "Example::\n\n  data = [[1, 2], [3, 4]]\n  sum(data, axis=1) = [3, 7]\n"
              "  sum(data) = [10]\n  sum(data, axis=0, keepdims=True) = [[4, 6]]")
    .alias("sum_axis")
    .MV_REDUCE_AXES_DECL
    .set_forward(reduce_forward<SumOp>)
    .set_gradient([](const GradContext& g) { return grads(unreduce(g, g.ograd())); })
    .set_method("sum")
    .MV_REDUCE_SAMPLES(-1, 1);

MV_REGISTER_OP(mean)
    .describe("Computes the mean of array elements over given axes (integer inputs truncate).\n\n"
              "Example::\n\n  mean([[1, 2], [3, 4]], axis=1) = [1.5, 3.5]")
    .MV_REDUCE_AXES_DECL
    .set_forward(reduce_forward<MeanOp>)
    .set_gradient([](const GradContext& g) { return grads(unreduce(g, g.ograd(), true)); })
    .set_method("mean")
    .MV_REDUCE_SAMPLES(-1, 1);

MV_REGISTER_OP(prod)
    .describe("Computes the product of array elements over given axes.\n\n"
              "Example::\n\n  prod([[1, 2], [3, 4]], axis=1) = [2, 12]")
    .MV_REDUCE_AXES_DECL
    .set_forward(reduce_forward<ProdOp>)
    // d prod / d x_i = prod / x_i (NaN where x_i = 0, as MXNet).
    .set_gradient([](const GradContext& g) { return grads(unreduce(g, g.ograd() * g.output()) / g.input()); })
    .set_method("prod")
    .MV_REDUCE_SAMPLES(0.5, 1.5);

MV_REGISTER_OP(nansum)
    .describe("Computes the sum of array elements over given axes, treating NaN as zero.\n\n"
              "Example::\n\n  nansum([[1, nan], [3, 4]], axis=1) = [1, 7]")
    .MV_REDUCE_AXES_DECL
    .set_forward(reduce_forward<NanSumOp>)
    // NaN elements get no gradient: x == x is 0 exactly there.
    .set_gradient([](const GradContext& g) {
      return grads(unreduce(g, g.ograd()) * op("_equal", {g.input(), g.input()}));
    })
    .set_method("nansum")
    .MV_REDUCE_SAMPLES(-1, 1);

MV_REGISTER_OP(nanprod)
    .describe("Computes the product of array elements over given axes, treating NaN as one.\n\n"
              "Example::\n\n  nanprod([[1, nan], [3, 4]], axis=1) = [1, 12]")
    .MV_REDUCE_AXES_DECL
    .set_forward(reduce_forward<NanProdOp>)
    // prod / x_i where x_i is a number, 0 where it is NaN (a mask multiply would give NaN * 0).
    .set_gradient([](const GradContext& g) {
      Tensor x = g.input(), dense = unreduce(g, g.ograd() * g.output()) / x;
      return grads(op("where", {op("_equal", {x, x}), dense, op("zeros_like", {x})}));
    })
    .set_method("nanprod")
    .MV_REDUCE_SAMPLES(0.5, 1.5);


MV_REGISTER_OP(max)
    .describe("Computes the max of array elements over given axes (NaN propagates).\n\n"
              "Example::\n\n  max([[1, 5], [3, 4]], axis=1) = [5, 4]")
    .alias("max_axis")
    .MV_REDUCE_AXES_DECL
    .set_forward(reduce_forward<MaxOp>)
    .set_gradient(extreme_gradient)
    .set_method("max")
    .MV_REDUCE_SAMPLES(-1, 1);

MV_REGISTER_OP(min)
    .describe("Computes the min of array elements over given axes (NaN propagates).\n\n"
              "Example::\n\n  min([[1, 5], [3, 4]], axis=1) = [1, 3]")
    .alias("min_axis")
    .MV_REDUCE_AXES_DECL
    .set_forward(reduce_forward<MinOp>)
    .set_gradient(extreme_gradient)
    .set_method("min")
    .MV_REDUCE_SAMPLES(-1, 1);

MV_REGISTER_OP(norm)
    .describe("Computes the L1 (ord=1: sum of absolute values) or L2 (ord=2: square root of the sum\n"
              "of squares) norm over the given axes; with two axes, the Frobenius norm of each matrix.\n\n"
              "Example::\n\n  x = [[1, 2], [3, 4]]\n  norm(x) = [5.477226]\n  norm(x, ord=1, axis=1) = [3, 7]")
    .input("data", "The input")
    .param("ord", ParamType::kInt, "2", "Order of the norm. Currently ord=1 and ord=2 are supported.")
    .bounds(1, 2)
    .param("axis", ParamType::kShape, "None", kAxisDoc).kind(ParamKind::kAxes)
    .enum_param("out_dtype", {"None", "float16", "float32", "float64", "int32", "int64", "int8"}, "None",
                "The data type of the output (default: the input's).")
    .param("keepdims", ParamType::kBool, "False",
           "If True, the reduced axes are left in the result as dimensions of size one.")
    .set_infer_shape(infer_reduce_shape)
    .set_infer_type([](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
      MV_CHECK((*in)[0] < 0 || dtype_is_float(static_cast<DType>((*in)[0])), kType)
          << "Operator norm supports float16/float32/float64 inputs, got " << dtype_name(static_cast<DType>((*in)[0]));
      if (attrs.is_none("out_dtype")) return infer_same_type(attrs, in, out);
      (*out)[0] = static_cast<int>(dtype_from_name(attrs.get_str("out_dtype")));
    })
    .set_forward(norm_forward)
    // ord 2: x / norm * ograd (NaN where the norm is 0, as MXNet); ord 1: sign(x) * ograd.
    .set_gradient([](const GradContext& g) {
      if (g.attrs->get_int("ord") == 1) return grads(unreduce(g, g.ograd()) * op("sign", {g.input()}));
      return grads(unreduce(g, g.ograd() / g.output()) * g.input());
    })
    .set_method("norm")
    .add_sample(sample({{2, 3, 4}}))
    .add_sample(sample({{2, 3, 4}}, {{"axis", "(1, 2)"}, {"keepdims", "True"}}))
    .add_sample(sample({{3, 4}}, {{"ord", "1"}, {"axis", "0"}}, 0.5, 1.5));

// ---- the gradient of every reduction -----------------------------------------------------------

MV_REGISTER_OP(_broadcast_reduced)
    .describe("Broadcasts `data`, the result of reducing `like` with the same axis/keepdims/exclude\n"
              "parameters, back to the shape of `like`; with normalize=True it also divides by the\n"
              "number of elements folded into each output. This is the gradient of sum (and of mean).\n\n"
              "Example::\n\n  _broadcast_reduced([3, 7], like=zeros((2, 2)), axis=1) = [[3, 3], [7, 7]]")
    .input("data", "the reduced array")
    .input("like", "the array that was reduced (only its shape is used)")
    .param("axis", ParamType::kShape, "None", kAxisDoc).kind(ParamKind::kAxes)
    .param("keepdims", ParamType::kBool, "False", "Whether the reduction kept the reduced axes.")
    .param("exclude", ParamType::kBool, "False", "Whether the reduction was over the axes NOT in axis.")
    .param("normalize", ParamType::kBool, "False", "Divide by the number of reduced elements (mean).")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& like = (*in)[1];
      if (like.empty()) return;
      Shape expect = reduced_shape(like, reduced_axes(attrs, like), attrs.get_bool("keepdims"));
      if ((*in)[0].empty()) (*in)[0] = expect;
      else if ((*in)[0] != expect) shape_mismatch(attrs, "input 'data' (the reduced shape of 'like')", expect, (*in)[0]);
      (*out)[0] = like;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      auto red = reduced_axes(attrs, out[0].shape);
      TBlob kept = in[0];
      kept.shape = reduced_shape(out[0].shape, red, true);
      broadcast_blob(kept, out[0]);
      if (!attrs.get_bool("normalize")) return;
      int64_t n = out[0].size() / std::max<int64_t>(1, in[0].size());
      MV_DTYPE_SWITCH(out[0].dtype, T, {
        T* p = out[0].ptr<T>();
        parallel_for(out[0].size(), [&](int64_t i) { p[i] = static_cast<T>(static_cast<double>(p[i]) / n); });
      });
    })
    .set_gradient([](const GradContext& g) {
      GradParams p;
      for (const auto& [k, v] : g.forward_params())
        if (k != "normalize") p.emplace_back(k, v);
      bool mean = g.attrs->get_bool("normalize");
      return std::vector<Tensor>{op(mean ? "mean" : "sum", {g.ograd()}, p), Tensor{}};
    })
    .add_sample([] {
      OpSample s = sample({{2, 4}, {2, 3, 4}}, {{"axis", "1"}});
      s.no_grad_inputs = {1};
      return s;
    }())
    .add_sample([] {
      OpSample s = sample({{1, 3, 1}, {2, 3, 4}}, {{"axis", "1"}, {"exclude", "True"}, {"keepdims", "True"},
                                                   {"normalize", "True"}});
      s.no_grad_inputs = {1};
      return s;
    }());

// ---- argmax / argmin ------------------------------------------------------------------------------

namespace {

// Index of the first extreme along the middle axis of (outer, n, inner); a NaN counts as the
// extreme (the first NaN wins), as MXNet. Indices are stored in the input dtype, as MXNet.
template <typename T, bool kMax>
void arg_kernel(const T* in, T* out, int64_t outer, int64_t n, int64_t inner) {
  using C = std::conditional_t<std::is_same<T, half_t>::value, float, T>;
  parallel_for(
      outer * inner,
      [&](int64_t t) {
        const T* p = in + (t / inner) * n * inner + t % inner;
        int64_t best = 0;
        C bv = n > 0 ? static_cast<C>(p[0]) : C(0);
        for (int64_t r = 1; r < n && !is_nan(bv); ++r) {
          C v = static_cast<C>(p[r * inner]);
          if (is_nan(v) || (kMax ? v > bv : v < bv)) {
            best = r;
            bv = v;
          }
        }
        out[t] = static_cast<T>(best);
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, n)));
}

// The axis of argmax/argmin, or -1 for None (the flattened array).
int64_t arg_axis(const Attrs& attrs, const Shape& s) {
  if (attrs.is_none("axis")) return -1;
  int64_t ndim = static_cast<int64_t>(s.size()), a = attrs.get_int("axis");
  MV_CHECK(a >= -ndim && a < ndim, kValue) << "Operator " << attrs.op->name << ": axis " << a
                                           << " is out of range for an input of shape " << shape_str(s);
  return a < 0 ? a + ndim : a;
}

// An index reduction over nothing has no answer: NumPy raises "attempt to get argmax of an empty
// sequence", and an output element must never be left unwritten (axis -1: the flattened array).
void check_arg_not_empty(const Attrs& attrs, const Shape& s, int64_t axis) {
  const int64_t len = axis >= 0 ? s[axis] : shape_size(s);
  MV_CHECK(len != 0, kValue) << "Operator " << attrs.op->name << ": attempt to get "
                             << (attrs.op->name == "argmin" ? "argmin" : "argmax") << " of an empty sequence ("
                             << (axis >= 0 ? "axis " + std::to_string(axis) : std::string("the flattened input"))
                             << " of shape " << shape_str(s) << " has length 0)";
}

void infer_arg_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& s = (*in)[0];
  if (s.empty()) return;
  int64_t axis = arg_axis(attrs, s);
  check_arg_not_empty(attrs, s, axis);
  std::vector<bool> red(s.size(), axis < 0);
  if (axis >= 0) red[axis] = true;
  (*out)[0] = reduced_shape(s, red, attrs.get_bool("keepdims"));
}

template <bool kMax>
void arg_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  check_not_bool(in[0], attrs);
  const Shape& s = in[0].shape;
  int64_t axis = arg_axis(attrs, s), outer = 1, n = in[0].size(), inner = 1;
  if (axis >= 0) {
    n = s[axis];
    for (int64_t d = 0; d < axis; ++d) outer *= s[d];
    for (size_t d = axis + 1; d < s.size(); ++d) inner *= s[d];
  }
  MV_DTYPE_SWITCH(in[0].dtype, T, { arg_kernel<T, kMax>(in[0].ptr<T>(), out[0].ptr<T>(), outer, n, inner); });
}

}  // namespace

MV_REGISTER_OP(argmax)
    .describe("Returns the indices of the maximum values along an axis (the first one on ties; a NaN\n"
              "counts as the maximum), in the input's dtype.\n\n"
              "Example::\n\n  argmax([[0, 5, 2], [3, 1, 4]], axis=1) = [1, 2]\n"
              "  argmax([[0, 5, 2], [3, 1, 4]]) = [1]")
    .input("data", "The input")
    .param("axis", ParamType::kInt, "None",
           "The axis along which to perform the reduction; None reduces the flattened array. "
           "Negative values count from the end.").kind(ParamKind::kAxis)
    .param("keepdims", ParamType::kBool, "False",
           "If True, the reduced axis is left in the result as a dimension of size one.")
    .set_infer_shape(infer_arg_shape)
    .set_infer_type(infer_numeric_type)
    .set_forward(arg_forward<true>)
    .set_non_differentiable()
    .set_method("argmax")
    .add_sample(sample({{2, 3, 4}}, {{"axis", "1"}}))
    .add_sample(sample({{2, 3}}, {{"keepdims", "True"}}));

MV_REGISTER_OP(argmin)
    .describe("Returns the indices of the minimum values along an axis (the first one on ties; a NaN\n"
              "counts as the minimum), in the input's dtype.\n\n"
              "Example::\n\n  argmin([[0, 5, 2], [3, 1, 4]], axis=1) = [0, 1]")
    .input("data", "The input")
    .param("axis", ParamType::kInt, "None",
           "The axis along which to perform the reduction; None reduces the flattened array. "
           "Negative values count from the end.").kind(ParamKind::kAxis)
    .param("keepdims", ParamType::kBool, "False",
           "If True, the reduced axis is left in the result as a dimension of size one.")
    .set_infer_shape(infer_arg_shape)
    .set_infer_type(infer_numeric_type)
    .set_forward(arg_forward<false>)
    .set_non_differentiable()
    .set_method("argmin")
    .add_sample(sample({{2, 3, 4}}, {{"axis", "-1"}, {"keepdims", "True"}}));

MV_REGISTER_OP(argmax_channel)
    .describe("Returns the argmax along axis 1 (the channel axis): argmax(data, axis=1).\n\n"
              "Example::\n\n  argmax_channel([[0, 1, 2], [3, 4, 5]]) = [2, 2]")
    .input("data", "The input array")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& s = (*in)[0];
      if (s.empty()) return;
      MV_CHECK(s.size() >= 2, kValue) << "Operator argmax_channel: needs an input of at least 2 dims, got "
                                      << shape_str(s);
      check_arg_not_empty(attrs, s, 1);
      std::vector<bool> red(s.size(), false);
      red[1] = true;
      (*out)[0] = reduced_shape(s, red, false);
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      check_not_bool(in[0], attrs);
      const Shape& s = in[0].shape;
      if (in[0].size() == 0) return;
      int64_t inner = in[0].size() / (s[0] * s[1]);
      MV_DTYPE_SWITCH(in[0].dtype, T, { arg_kernel<T, true>(in[0].ptr<T>(), out[0].ptr<T>(), s[0], s[1], inner); });
    })
    .set_non_differentiable()
    .set_method("argmax_channel")
    .add_sample(sample({{2, 3, 4}}));

}  // namespace minerva
