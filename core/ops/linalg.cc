// Matrix products of MXNet 1.x: dot (with MXNet's N-d flattening), batch_dot and
// FullyConnected, on the GEMM wrapper of core/kernels/blas (OpenBLAS for float32/float64, a
// reference loop for float16 and integers).
#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>

#include "core/kernels/blas/gemm.h"
#include "core/op/op.h"
#include "core/op/kernel_util.h"

namespace minerva {

namespace {

int64_t prod(Shape::const_iterator b, Shape::const_iterator e) {
  return std::accumulate(b, e, int64_t{1}, [](int64_t x, int64_t y) { return x * y; });
}

// A row-major matrix as stored in memory.
struct Mat {
  void* p;
  int64_t rows, cols;
};

// out = op(x) * op(y), with op the transpose where tx / ty.
void matmul(DType dtype, Mat x, bool tx, Mat y, bool ty, Mat out, const char* who) {
  blas::GemmArgs g;
  g.trans_a = tx;
  g.trans_b = ty;
  g.m = tx ? x.cols : x.rows;
  g.k = tx ? x.rows : x.cols;
  g.n = ty ? y.rows : y.cols;
  MV_CHECK((ty ? y.cols : y.rows) == g.k && out.rows == g.m && out.cols == g.n, kInternal)
      << who << ": inconsistent matrix product sizes";
  g.a = x.p;
  g.lda = x.cols;
  g.b = y.p;
  g.ldb = y.cols;
  g.c = out.p;
  g.ldc = out.cols;
  blas::gemm(dtype, g, who);
}

bool transpose_a(const Attrs& a) { return a.get_bool("transpose_a"); }
bool transpose_b(const Attrs& a) { return a.get_bool("transpose_b"); }

void check_dense(const Attrs& attrs) {
  if (attrs.is_none("forward_stype")) return;
  const std::string& st = attrs.get_str("forward_stype");
  MV_CHECK(st == "default", kUnsupported) << "Operator " << attrs.op->name << ": forward_stype='" << st
                                          << "' is not supported; Minerva has dense arrays only";
}

// One dtype for every input and the output; bool has no products.
void infer_matmul_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  infer_same_type(attrs, in, out);
  for (int t : *in)
    MV_CHECK(t != static_cast<int>(DType::kBool), kType) << "Operator " << attrs.op->name << " does not support bool inputs";
}

// ---- dot -----------------------------------------------------------------------------------

// MXNet's dot on N-d arrays multiplies 2-d views: lhs is (prod(shape[:-1]), shape[-1]), or
// (shape[0], prod(shape[1:])) transposed with transpose_a; rhs is (shape[0], prod(shape[1:])),
// or (prod(shape[:-1]), shape[-1]) transposed with transpose_b. The output keeps the
// uncontracted dims of both: lhs's then rhs's.
struct DotGeom {
  Mat a, b, c;  // stored views: a is (k, m) when transposed, b is (n, k) when transposed
  Shape out;
};

DotGeom dot_geom(const Attrs& attrs, const Shape& l, const Shape& r) {
  const bool ta = transpose_a(attrs), tb = transpose_b(attrs);
  MV_CHECK(!(l.size() == 1 && r.size() == 1 && (ta || tb)), kValue)
      << "Operator dot: cannot transpose vectors (lhs " << shape_str(l) << ", rhs " << shape_str(r) << ")";
  DotGeom g;
  int64_t m, k1, k2, n;
  Shape out;
  if (ta) {
    k1 = l[0];
    m = prod(l.begin() + 1, l.end());
    out.assign(l.begin() + 1, l.end());
    g.a = Mat{nullptr, k1, m};
  } else {
    m = prod(l.begin(), l.end() - 1);
    k1 = l.back();
    out.assign(l.begin(), l.end() - 1);
    g.a = Mat{nullptr, m, k1};
  }
  if (tb) {
    n = prod(r.begin(), r.end() - 1);
    k2 = r.back();
    out.insert(out.end(), r.begin(), r.end() - 1);
    g.b = Mat{nullptr, n, k2};
  } else {
    k2 = r[0];
    n = prod(r.begin() + 1, r.end());
    out.insert(out.end(), r.begin() + 1, r.end());
    g.b = Mat{nullptr, k2, n};
  }
  MV_CHECK(k1 == k2, kValue) << "Operator dot: shape mismatch: lhs " << shape_str(l) << " x rhs " << shape_str(r)
                             << " with transpose_a=" << ta << ", transpose_b=" << tb << " contracts " << k1
                             << " against " << k2 << " elements";
  if (out.empty()) out.push_back(1);
  g.c = Mat{nullptr, m, n};
  g.out = out;
  return g;
}

void infer_dot_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  check_dense(attrs);
  if ((*in)[0].empty() || (*in)[1].empty()) return;
  (*out)[0] = dot_geom(attrs, (*in)[0], (*in)[1]).out;
}

void dot_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  DotGeom g = dot_geom(attrs, in[0].shape, in[1].shape);
  g.a.p = in[0].data;
  g.b.p = in[1].data;
  g.c.p = out[0].data;
  matmul(in[0].dtype, g.a, transpose_a(attrs), g.b, transpose_b(attrs), g.c, "dot");
}

// Inputs (ograd, lhs, rhs) -> (lhs gradient, rhs gradient) on the stored 2-d views.
void backward_dot_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                          const std::vector<TBlob>& out) {
  DotGeom g = dot_geom(attrs, in[1].shape, in[2].shape);
  const DType dt = in[0].dtype;
  Mat dc{in[0].data, g.c.rows, g.c.cols}, a = g.a, b = g.b, da = g.a, db = g.b;
  a.p = in[1].data;
  b.p = in[2].data;
  da.p = out[0].data;
  db.p = out[1].data;
  const char* who = "_backward_dot";
  if (!transpose_a(attrs) && !transpose_b(attrs)) {  // C = A B
    matmul(dt, dc, false, b, true, da, who);         // dA = dC B^T
    matmul(dt, a, true, dc, false, db, who);         // dB = A^T dC
  } else if (transpose_a(attrs) && !transpose_b(attrs)) {  // C = A^T B
    matmul(dt, b, false, dc, true, da, who);               // dA = B dC^T
    matmul(dt, a, false, dc, false, db, who);              // dB = A dC
  } else if (!transpose_a(attrs)) {                        // C = A B^T
    matmul(dt, dc, false, b, false, da, who);              // dA = dC B
    matmul(dt, dc, true, a, false, db, who);               // dB = dC^T A
  } else {                                                 // C = A^T B^T
    matmul(dt, b, true, dc, true, da, who);                // dA = B^T dC^T
    matmul(dt, dc, true, a, true, db, who);                // dB = dC^T A^T
  }
}

// ---- batch_dot -----------------------------------------------------------------------------

struct BatchGeom {
  int64_t batch, m, k, n;
  Shape out;
};

BatchGeom batch_geom(const Attrs& attrs, const Shape& l, const Shape& r) {
  const bool ta = transpose_a(attrs), tb = transpose_b(attrs);
  MV_CHECK(l.size() >= 3 && l.size() == r.size(), kValue)
      << "Operator batch_dot: needs two arrays of the same number (>= 3) of dims, got lhs " << shape_str(l)
      << " and rhs " << shape_str(r);
  const size_t nd = l.size();
  for (size_t i = 0; i + 2 < nd; ++i)
    MV_CHECK(l[i] == r[i], kValue) << "Operator batch_dot: the leading (batch) dims must be equal: lhs "
                                   << shape_str(l) << ", rhs " << shape_str(r);
  BatchGeom g;
  g.batch = prod(l.begin(), l.end() - 2);
  g.m = ta ? l[nd - 1] : l[nd - 2];
  int64_t k1 = ta ? l[nd - 2] : l[nd - 1];
  int64_t k2 = tb ? r[nd - 1] : r[nd - 2];
  g.n = tb ? r[nd - 2] : r[nd - 1];
  MV_CHECK(k1 == k2, kValue) << "Operator batch_dot: shape mismatch: lhs " << shape_str(l) << " x rhs "
                             << shape_str(r) << " with transpose_a=" << ta << ", transpose_b=" << tb;
  g.k = k1;
  g.out.assign(l.begin(), l.end() - 2);
  g.out.push_back(g.m);
  g.out.push_back(g.n);
  return g;
}

void batch_dot_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  BatchGeom g = batch_geom(attrs, in[0].shape, in[1].shape);
  blas::GemmArgs a;
  a.trans_a = transpose_a(attrs);
  a.trans_b = transpose_b(attrs);
  a.m = g.m;
  a.n = g.n;
  a.k = g.k;
  a.a = in[0].data;
  a.lda = a.trans_a ? g.m : g.k;
  a.b = in[1].data;
  a.ldb = a.trans_b ? g.k : g.n;
  a.c = out[0].data;
  a.ldc = g.n;
  blas::gemm_batched(in[0].dtype, a, g.batch, g.m * g.k, g.k * g.n, g.m * g.n, "batch_dot");
}

// batch_dot with the given transposes, as a gradient expression.
Tensor bdot(Tensor x, Tensor y, bool tx, bool ty) {
  return op("batch_dot", {x, y}, {{"transpose_a", tx ? "True" : "False"}, {"transpose_b", ty ? "True" : "False"}});
}

// ---- FullyConnected ------------------------------------------------------------------------

// data as a (rows, in_dim) matrix: flatten keeps axis 0 and folds the rest; otherwise the last
// axis is the feature axis.
std::pair<int64_t, int64_t> fc_rows_cols(const Shape& data, bool flatten) {
  if (flatten) return {data[0], prod(data.begin() + 1, data.end())};
  return {prod(data.begin(), data.end() - 1), data.back()};
}

void infer_fc_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& data = (*in)[0];
  if (data.empty()) return;
  const int64_t h = attrs.get_int("num_hidden");
  const bool flatten = attrs.get_bool("flatten");
  Shape w{h, fc_rows_cols(data, flatten).second};
  if ((*in)[1].empty()) (*in)[1] = w;
  else if ((*in)[1] != w) shape_mismatch(attrs, "input 'weight' (for data " + shape_str(data) + ")", w, (*in)[1]);
  if (!attrs.get_bool("no_bias")) {
    if ((*in)[2].empty()) (*in)[2] = Shape{h};
    else if ((*in)[2] != Shape{h}) shape_mismatch(attrs, "input 'bias'", Shape{h}, (*in)[2]);
  }
  Shape o{data[0]};
  if (!flatten) o.assign(data.begin(), data.end() - 1);
  o.push_back(h);
  (*out)[0] = o;
}

void fc_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  auto [rows, cols] = fc_rows_cols(in[0].shape, attrs.get_bool("flatten"));
  const int64_t h = attrs.get_int("num_hidden");
  const bool bias = !attrs.get_bool("no_bias");
  const size_t es = dtype_size(out[0].dtype);
  if (bias) {  // every output row starts as the bias, then the product is added (beta = 1)
    char* o = static_cast<char*>(out[0].data);
    parallel_for(rows, [&](int64_t i) { std::memcpy(o + i * h * es, in[2].data, h * es); },
                 std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, h)));
  }
  blas::GemmArgs g;
  g.trans_b = true;  // out = data W^T (+ bias)
  g.m = rows;
  g.n = h;
  g.k = cols;
  g.a = in[0].data;
  g.lda = cols;
  g.b = in[1].data;
  g.ldb = cols;
  g.c = out[0].data;
  g.ldc = h;
  g.beta = bias ? 1.0 : 0.0;
  blas::gemm(in[0].dtype, g, "FullyConnected");
}

OpSample sample(std::vector<Shape> shapes, KeyValues params = {}) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  return s;
}

const char* kTransADoc = "If true then transpose the first input before dot.";
const char* kTransBDoc = "If true then transpose the second input before dot.";
const char* kStypeDoc = "Storage type hint for the output; only dense ('default') is supported.";

}  // namespace

MV_REGISTER_OP(dot)
    .describe("Dot product of two arrays. For 2-d arrays it is the matrix product; an N-d lhs is used as\n"
              "a matrix of its last axis (its first with transpose_a) and an N-d rhs as a matrix of its\n"
              "first axis (its last with transpose_b), so dot(x, y) has shape x.shape[:-1] + y.shape[1:].\n"
              "Two vectors give their inner product, of shape (1,).\n\n"
              "Example::\n\n  dot([[1, 2], [3, 4]], [[1], [1]]) = [[3], [7]]\n"
              "  dot(ones((2, 3, 4)), ones((4, 5))).shape = (2, 3, 5)")
    .input("lhs", "The first input")
    .input("rhs", "The second input")
    .param("transpose_a", ParamType::kBool, "False", kTransADoc)
    .param("transpose_b", ParamType::kBool, "False", kTransBDoc)
    .enum_param("forward_stype", {"None", "csr", "default", "row_sparse"}, "None", kStypeDoc)
    .set_infer_shape(infer_dot_shape)
    .set_infer_type(infer_matmul_type)
    .set_forward(dot_forward)
    // N-d gradients need the 2-d views, which only a kernel knows: _backward_dot computes them,
    // and is itself differentiable, so higher-order gradients still work.
    .set_gradient([](const GradContext& g) {
      auto r = op_all("_backward_dot", {g.ograd(), g.input(0), g.input(1)}, g.forward_params());
      return std::vector<Tensor>{r[0], r[1]};
    })
    .add_sample(sample({{2, 3}, {3, 4}}))
    .add_sample(sample({{3, 2}, {4, 3}}, {{"transpose_a", "True"}, {"transpose_b", "True"}}))
    .add_sample(sample({{2, 3, 4}, {4, 2, 3}}))
    .add_sample(sample({{2, 3, 4}, {2, 5}}, {{"transpose_a", "True"}}))
    .add_sample(sample({{2, 3, 4}, {5, 3, 4}}, {{"transpose_b", "True"}}))
    .add_sample(sample({{3}, {3}}))
    .add_sample(sample({{4, 3}, {4}}, {{"transpose_a", "True"}}));

MV_REGISTER_OP(_backward_dot)
    .describe("Gradients of dot(lhs, rhs) given the output gradient: returns (d lhs, d rhs). It is\n"
              "bilinear, so its own gradient is written with dot and _backward_dot.\n\n"
              "Example::\n\n  _backward_dot(ones((2, 2)), lhs, rhs) = (ones((2, 2)) . rhs^T, lhs^T . ones((2, 2)))")
    .input("ograd", "gradient of the dot output")
    .input("lhs", "the first input of dot")
    .input("rhs", "the second input of dot")
    .params_from("dot")
    .set_num_outputs(2)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &l = (*in)[1], &r = (*in)[2];
      if (l.empty() || r.empty()) return;
      Shape c = dot_geom(attrs, l, r).out;
      if ((*in)[0].empty()) (*in)[0] = c;
      else if ((*in)[0] != c) shape_mismatch(attrs, "input 'ograd'", c, (*in)[0]);
      (*out)[0] = l;
      (*out)[1] = r;
    })
    .set_infer_type(infer_matmul_type)
    .set_forward(backward_dot_forward)
    // With F = <ograd, dot(lhs, rhs)> and output gradients (gl, gr), the backward pass computes
    // <gl, dF/dlhs> + <gr, dF/drhs> = <ograd, dot(gl, rhs) + dot(lhs, gr)>.
    .set_gradient([](const GradContext& g) {
      auto p = g.forward_params();
      Tensor dc = g.input(0), a = g.input(1), b = g.input(2), ga = g.ograd(0), gb = g.ograd(1);
      Tensor d_dc = op("dot", {ga, b}, p) + op("dot", {a, gb}, p);
      Tensor d_a = op_all("_backward_dot", {dc, a, gb}, p)[0];
      Tensor d_b = op_all("_backward_dot", {dc, ga, b}, p)[1];
      return std::vector<Tensor>{d_dc, d_a, d_b};
    })
    .add_sample(sample({{2, 4}, {2, 3}, {3, 4}}))
    .add_sample(sample({{2, 4}, {3, 2}, {4, 3}}, {{"transpose_a", "True"}, {"transpose_b", "True"}}))
    .add_sample(sample({{2, 2, 3}, {2, 2, 4}, {4, 3}}));

MV_REGISTER_OP(batch_dot)
    .describe("Batchwise dot product: for N-d arrays (N >= 3) with equal leading dims, multiplies the\n"
              "matrices held in the last two axes: (B, M, K) x (B, K, N) gives (B, M, N).\n\n"
              "Example::\n\n  batch_dot(ones((2, 3, 4)), ones((2, 4, 5))).shape = (2, 3, 5)")
    .input("lhs", "The first input")
    .input("rhs", "The second input")
    .param("transpose_a", ParamType::kBool, "False", kTransADoc)
    .param("transpose_b", ParamType::kBool, "False", kTransBDoc)
    .enum_param("forward_stype", {"None", "csr", "default", "row_sparse"}, "None", kStypeDoc)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      check_dense(attrs);
      if ((*in)[0].empty() || (*in)[1].empty()) return;
      (*out)[0] = batch_geom(attrs, (*in)[0], (*in)[1]).out;
    })
    .set_infer_type(infer_matmul_type)
    .set_forward(batch_dot_forward)
    .set_gradient([](const GradContext& g) {
      const bool ta = transpose_a(*g.attrs), tb = transpose_b(*g.attrs);
      Tensor dc = g.ograd(), a = g.input(0), b = g.input(1);
      if (!ta && !tb) return std::vector<Tensor>{bdot(dc, b, false, true), bdot(a, dc, true, false)};
      if (ta && !tb) return std::vector<Tensor>{bdot(b, dc, false, true), bdot(a, dc, false, false)};
      if (!ta) return std::vector<Tensor>{bdot(dc, b, false, false), bdot(dc, a, true, false)};
      return std::vector<Tensor>{bdot(b, dc, true, true), bdot(dc, a, true, true)};
    })
    .add_sample(sample({{2, 2, 3}, {2, 3, 4}}))
    .add_sample(sample({{2, 3, 2}, {2, 3, 4}}, {{"transpose_a", "True"}}))
    .add_sample(sample({{2, 2, 3}, {2, 4, 3}}, {{"transpose_b", "True"}}))
    .add_sample(sample({{2, 1, 3, 2}, {2, 1, 4, 3}}, {{"transpose_a", "True"}, {"transpose_b", "True"}}));

MV_REGISTER_OP(FullyConnected)
    .describe("Applies a linear transformation: Y = X W^T + b. With flatten=True, X of shape\n"
              "(x1, ..., xn) is used as (x1, x2 * ... * xn) and Y has shape (x1, num_hidden); with\n"
              "flatten=False the transformation applies to the last axis and Y has shape\n"
              "(x1, ..., x(n-1), num_hidden). weight has shape (num_hidden, in_dim), bias (num_hidden,).\n\n"
              "Example::\n\n  FullyConnected(ones((2, 3)), ones((4, 3)), zeros((4,)), num_hidden=4) = 3 * ones((2, 4))")
    .input("data", "Input data.")
    .input("weight", "Weight matrix.")
    .input("bias", "Bias parameter.")
    .set_list_inputs([](const Attrs& a) {
      return a.get_bool("no_bias") ? std::vector<std::string>{"data", "weight"}
                                   : std::vector<std::string>{"data", "weight", "bias"};
    })
    .required_param("num_hidden", ParamType::kInt, "Number of hidden nodes of the output.")
    .bounds(1, std::numeric_limits<double>::infinity())
    .param("no_bias", ParamType::kBool, "False", "Whether to disable bias parameter.")
    .param("flatten", ParamType::kBool, "True", "Whether to collapse all but the first axis of the input data tensor.")
    .set_infer_shape(infer_fc_shape)
    .set_infer_type(infer_matmul_type)
    .set_forward(fc_forward)
    .set_gradient([](const GradContext& g) {
      Tensor og = g.ograd(), x = g.input(0), w = g.input(1);
      std::vector<Tensor> out;
      if (g.attrs->get_bool("flatten")) {
        // On the (batch, in_dim) view of x: dx = og W, dW = og^T x, shaped back by reshape_like.
        out.push_back(op("reshape_like", {op("dot", {og, w}), x}));
        out.push_back(op("reshape_like", {op("dot", {og, x}, {{"transpose_a", "True"}}), w}));
        if (!g.attrs->get_bool("no_bias")) out.push_back(op("sum", {og}, {{"axis", "0"}}));
      } else {
        // Y = dot(x, W^T) on the last axis, so dot's own gradient applies.
        auto r = op_all("_backward_dot", {og, x, w}, {{"transpose_b", "True"}});
        out = {r[0], r[1]};
        if (!g.attrs->get_bool("no_bias")) out.push_back(op("sum", {og}, {{"axis", "-1"}, {"exclude", "True"}}));
      }
      return out;
    })
    .add_sample(sample({{2, 3}, {4, 3}, {4}}, {{"num_hidden", "4"}}))
    .add_sample(sample({{2, 2, 3}, {4, 6}, {4}}, {{"num_hidden", "4"}}))
    .add_sample(sample({{2, 2, 3}, {4, 3}, {4}}, {{"num_hidden", "4"}, {"flatten", "False"}}))
    .add_sample(sample({{3, 2}, {2, 2}}, {{"num_hidden", "2"}, {"no_bias", "True"}}));

}  // namespace minerva
