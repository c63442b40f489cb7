// MXNet 1.9.1's batched linear algebra, the _linalg_* operators (mx.nd.linalg.*): every axis
// but the last two is a batch axis (gemm/gemm2 take the rows' axis as `axis`). Kernels are the
// double-precision reference routines of core/ops/linalg_dense.h, one matrix at a time; float32
// and float64 are accepted, as in MXNet. Gradients follow MXNet's formulas: gemm/gemm2 and the
// diagonal/triangle reshuffles as graph code, the factorizations as _backward_linalg_* kernels
// (core/ops/linalg_la_backward.cc).
#include <cmath>
#include <functional>

#include "core/ops/linalg_dense.h"
#include "core/ops/linalg_la.h"

namespace minerva {

namespace la {

void la_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  infer_same_type(attrs, in, out);
  for (int t : *in)
    MV_CHECK(t < 0 || t == static_cast<int>(DType::kFloat32) || t == static_cast<int>(DType::kFloat64), kType)
        << "Operator " << attrs.op->name << " supports float32 and float64 inputs, got "
        << dtype_name(static_cast<DType>(t));
}

Layout matrices(const Shape& s) { return layout_of(s, static_cast<int>(s.size()) - 2); }

Layout vectors(int64_t batch, int64_t len) {
  Layout l;
  l.outer = batch;
  l.rows = 1;
  l.cols = len;
  return l;
}

void check_matrix(const Attrs& attrs, const Shape& s, const char* what, bool square) {
  MV_CHECK(s.size() >= 2, kValue) << "Operator " << attrs.op->name << ": input " << what
                                  << " must have at least 2 dimensions, got shape " << shape_str(s);
  MV_CHECK(!square || s[s.size() - 1] == s[s.size() - 2], kValue)
      << "Operator " << attrs.op->name << ": input " << what << " must hold square matrices in its last two "
      << "dimensions, got shape " << shape_str(s);
}

void check_same(const Attrs& attrs, const Shape& expected, const Shape& got, const char* what) {
  if (expected != got) shape_mismatch(attrs, std::string("input ") + what, expected, got);
}

void run_batched(const std::vector<TBlob>& in, const std::vector<Layout>& in_l, const std::vector<TBlob>& out,
                 const std::vector<Layout>& out_l, int64_t batch, const MatFn& body) {
  std::vector<std::vector<double>> src;
  for (const TBlob& b : in) src.push_back(to_double(b));
  std::vector<std::vector<double>> dst;
  for (const TBlob& b : out) dst.emplace_back(static_cast<size_t>(b.size()), 0.0);
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<Mat> mats;
    for (size_t k = 0; k < in.size(); ++k) mats.push_back(get(src[k], in_l[k], b));
    std::vector<Mat> res = body(b, mats);
    for (size_t k = 0; k < out.size(); ++k) put(res[k], &dst[k], out_l[k], b);
  }
  for (size_t k = 0; k < out.size(); ++k) from_double(dst[k], out[k]);
}

Shape batch_shape(const Shape& s) { return Shape(s.begin(), s.end() - 2); }

}  // namespace la

namespace {

using la::Layout;
using la::Mat;

const char* kTransposeADoc = "Multiply with transposed of first input (A).";
const char* kTransposeBDoc = "Multiply with transposed of second input (B).";
const char* kAlphaDoc = "Scalar factor multiplied with A*B.";
const char* kAxisDoc =
    "Axis corresponding to the matrix rows (the columns are the last axis; every other axis is a batch axis).";

OpSample la_sample(std::vector<Shape> shapes, KeyValues params = {}, double lo = -1, double hi = 1) {
  OpSample s = op_sample(std::move(shapes), std::move(params));
  s.lo = lo;
  s.hi = hi;
  return s;
}

// ---- gemm / gemm2 ------------------------------------------------------------------------------

struct GemmGeom {
  int axis;
  Layout a, b, c;
  Shape out;
};

// A, B (and C) are (..., rows at `axis`, ..., cols) with equal batch axes.
GemmGeom gemm_geom(const Attrs& attrs, const Shape& a, const Shape& b) {
  la::check_matrix(attrs, a, "A", false);
  la::check_matrix(attrs, b, "B", false);
  MV_CHECK(a.size() == b.size(), kValue) << "Operator " << attrs.op->name << ": A " << shape_str(a) << " and B "
                                         << shape_str(b) << " must have the same number of dimensions";
  const int nd = static_cast<int>(a.size());
  GemmGeom g;
  g.axis = normalize_axis(attrs, attrs.get_int("axis"), nd, "axis");
  MV_CHECK(g.axis < nd - 1, kValue) << "Operator " << attrs.op->name << ": axis " << attrs.get_int("axis")
                                    << " is the column axis; it must name the rows, before the last axis";
  for (int d = 0; d < nd - 1; ++d)
    MV_CHECK(d == g.axis || a[d] == b[d], kValue)
        << "Operator " << attrs.op->name << ": A " << shape_str(a) << " and B " << shape_str(b)
        << " differ in batch axis " << d;
  g.a = la::layout_of(a, g.axis);
  g.b = la::layout_of(b, g.axis);
  const bool ta = attrs.get_bool("transpose_a"), tb = attrs.get_bool("transpose_b");
  const int64_t m = ta ? g.a.cols : g.a.rows, k1 = ta ? g.a.rows : g.a.cols;
  const int64_t k2 = tb ? g.b.cols : g.b.rows, n = tb ? g.b.rows : g.b.cols;
  MV_CHECK(k1 == k2, kValue) << "Operator " << attrs.op->name << ": op(A) of " << shape_str(a) << " has " << k1
                             << " columns but op(B) of " << shape_str(b) << " has " << k2 << " rows (transpose_a="
                             << ta << ", transpose_b=" << tb << ")";
  g.out = a;
  g.out[g.axis] = m;
  g.out[nd - 1] = n;
  g.c = la::layout_of(g.out, g.axis);
  return g;
}

void gemm_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty() || (*in)[1].empty()) return;
  GemmGeom g = gemm_geom(attrs, (*in)[0], (*in)[1]);
  if (in->size() == 3) {
    if ((*in)[2].empty()) (*in)[2] = g.out;
    la::check_same(attrs, g.out, (*in)[2], "C");
  }
  (*out)[0] = g.out;
}

void gemm_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  GemmGeom g = gemm_geom(attrs, in[0].shape, in[1].shape);
  const bool ta = attrs.get_bool("transpose_a"), tb = attrs.get_bool("transpose_b");
  const double alpha = attrs.get_float("alpha");
  const bool has_c = in.size() == 3;
  const double beta = has_c ? attrs.get_float("beta") : 0.0;
  std::vector<Layout> layouts{g.a, g.b};
  if (has_c) layouts.push_back(g.c);
  la::run_batched(in, layouts, out, {g.c}, g.c.batch(), [&](int64_t, const std::vector<Mat>& m) {
    Mat r = la::matmul(m[0], ta, m[1], tb, alpha);
    if (has_c)
      for (size_t i = 0; i < r.v.size(); ++i) r.v[i] += beta * m[2].v[i];
    return std::vector<Mat>{r};
  });
}

// d op(A)B / dA and d / dB for gemm and gemm2, written with gemm2 itself (MXNet's formulas).
std::vector<Tensor> gemm_input_grads(const GradContext& g, Tensor dc) {
  const bool ta = g.attrs->get_bool("transpose_a"), tb = g.attrs->get_bool("transpose_b");
  const std::string alpha = fmt_num(g.attrs->get_float("alpha"));
  const std::string axis = std::to_string(g.attrs->get_int("axis"));
  auto gemm2 = [&](Tensor x, Tensor y, bool tx, bool ty) {
    return op("_linalg_gemm2", {x, y},
              {{"transpose_a", tx ? "True" : "False"}, {"transpose_b", ty ? "True" : "False"}, {"alpha", alpha},
               {"axis", axis}});
  };
  Tensor a = g.input(0), b = g.input(1);
  Tensor da = ta ? gemm2(b, dc, tb, true) : gemm2(dc, b, false, !tb);
  Tensor db = tb ? gemm2(dc, a, true, ta) : gemm2(a, dc, !ta, false);
  return {da, db};
}

// ---- square-matrix helpers ------------------------------------------------------------------------

// One square-matrix input, one output of the same shape.
void square_same_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;
  la::check_matrix(attrs, (*in)[0], "A", true);
  (*out)[0] = (*in)[0];
}

// One square-matrix input, outputs holding one number per matrix.
void square_to_scalars(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;
  la::check_matrix(attrs, (*in)[0], "A", true);
  Shape s = la::batch_shape((*in)[0]);
  if (s.empty()) s.push_back(1);
  for (Shape& o : *out) o = s;
}

// Runs body on each square matrix of in[0], with every output either matrices like in[0] or
// one number per matrix.
void square_forward(const std::vector<TBlob>& in, const std::vector<TBlob>& out, const la::MatFn& body) {
  const Layout a = la::matrices(in[0].shape);
  std::vector<Layout> outs;
  for (const TBlob& o : out) outs.push_back(o.shape == in[0].shape ? a : la::vectors(a.batch(), 1));
  la::run_batched(in, {a}, out, outs, a.batch(), body);
}

Mat scalar(double v) {
  Mat m(1, 1);
  m(0, 0) = v;
  return m;
}

la::LU lu_of(const Mat& a) { return la::lu_factor(a); }

// ---- diagonal and triangle reshuffles ---------------------------------------------------------------

// Entry k of the triangle vector of an n x n matrix at `offset`: the lower region (offset < 0, or
// 0 with lower) row by row; the upper region as the lower one of the transpose, i.e. column by
// column (MXNet's order).
bool trian_is_upper(const Attrs& attrs) {
  const int64_t off = attrs.get_int("offset");
  return off > 0 || (off == 0 && !attrs.get_bool("lower"));
}

std::vector<std::pair<int64_t, int64_t>> trian_entries(int64_t n, int64_t offset, bool upper) {
  const int64_t d = offset < 0 ? -offset : offset;
  std::vector<std::pair<int64_t, int64_t>> e;
  for (int64_t i = d; i < n; ++i)
    for (int64_t j = 0; j <= i - d; ++j) e.emplace_back(upper ? j : i, upper ? i : j);
  return e;
}

}  // namespace

// ================================================================================================

MV_REGISTER_OP(_linalg_gemm)
    .alias("linalg_gemm")
    .describe("Performs general matrix multiplication and accumulation: out = alpha * op(A) * op(B) + beta * C, "
              "with op the transpose where transpose_a / transpose_b is set, on every matrix of the batch (the "
              "rows on `axis`, the columns on the last axis).\n\n"
              "Example::\n\n  A = [[1.0, 1.0], [1.0, 1.0]]\n  B = [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]\n"
              "  C = [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]\n"
              "  gemm(A, B, C, transpose_b=True, alpha=2.0, beta=10.0) = [[14.0, 14.0, 14.0], [14.0, 14.0, 14.0]]")
    .input("A", "Tensor of input matrices")
    .input("B", "Tensor of input matrices")
    .input("C", "Tensor of input matrices")
    .param("transpose_a", ParamType::kBool, "False", kTransposeADoc)
    .param("transpose_b", ParamType::kBool, "False", kTransposeBDoc)
    .param("alpha", ParamType::kFloat, "1", kAlphaDoc)
    .param("beta", ParamType::kFloat, "1", "Scalar factor multiplied with C.")
    .param("axis", ParamType::kInt, "-2", kAxisDoc).kind(ParamKind::kAxis)
    .set_infer_shape(gemm_shape)
    .set_infer_type(la::la_type)
    .set_forward(gemm_forward)
    .set_gradient([](const GradContext& g) {
      std::vector<Tensor> r = gemm_input_grads(g, g.ograd());
      r.push_back(g.ograd() * g.attrs->get_float("beta"));
      return r;
    })
    .add_sample(la_sample({{2, 3}, {3, 4}, {2, 4}}, {{"alpha", "2"}, {"beta", "0.5"}}))
    .add_sample(la_sample({{2, 3, 2}, {2, 4, 3}, {2, 2, 4}}, {{"transpose_a", "True"}, {"transpose_b", "True"}}))
    .add_sample(la_sample({{3, 2, 4}, {4, 2, 5}, {3, 2, 5}}, {{"axis", "-3"}}));

MV_REGISTER_OP(_linalg_gemm2)
    .alias("linalg_gemm2")
    .describe("Performs general matrix multiplication: out = alpha * op(A) * op(B), with op the transpose where "
              "transpose_a / transpose_b is set, on every matrix of the batch (the rows on `axis`, the columns on "
              "the last axis).\n\n"
              "Example::\n\n  A = [[1.0, 1.0], [1.0, 1.0]]\n  B = [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]\n"
              "  gemm2(A, B, transpose_b=True, alpha=2.0) = [[4.0, 4.0, 4.0], [4.0, 4.0, 4.0]]")
    .input("A", "Tensor of input matrices")
    .input("B", "Tensor of input matrices")
    .param("transpose_a", ParamType::kBool, "False", kTransposeADoc)
    .param("transpose_b", ParamType::kBool, "False", kTransposeBDoc)
    .param("alpha", ParamType::kFloat, "1", kAlphaDoc)
    .param("axis", ParamType::kInt, "-2", kAxisDoc).kind(ParamKind::kAxis)
    .set_infer_shape(gemm_shape)
    .set_infer_type(la::la_type)
    .set_forward(gemm_forward)
    .set_gradient([](const GradContext& g) { return gemm_input_grads(g, g.ograd()); })
    .add_sample(la_sample({{2, 3}, {3, 4}}, {{"alpha", "1.5"}}))
    .add_sample(la_sample({{2, 3, 2}, {2, 4, 3}}, {{"transpose_a", "True"}, {"transpose_b", "True"}}))
    .add_sample(la_sample({{3, 2, 4}, {5, 2, 4}}, {{"axis", "0"}, {"transpose_b", "True"}}));

MV_REGISTER_OP(_linalg_potrf)
    .alias("linalg_potrf")
    .describe("Performs Cholesky factorization of a symmetric positive-definite matrix: out = L with "
              "A = L * L^T and L lower triangular. Only the lower triangle of A is read.\n\n"
              "Example::\n\n  potrf([[4.0, 2.0], [2.0, 10.0]]) = [[2.0, 0], [1.0, 3.0]]")
    .input("A", "Tensor of input matrices to be decomposed")
    .set_infer_shape(square_same_shape)
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      square_forward(in, out, [&](int64_t b, const std::vector<Mat>& m) {
        Mat l;
        MV_CHECK(la::cholesky(m[0], &l), kValue) << "Operator " << attrs.op->name << ": matrix " << b
                                                 << " of the batch is not symmetric positive-definite";
        return std::vector<Mat>{l};
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_linalg_potrf", {g.ograd(), g.output()})};
    })
    .add_sample([] {
      // Uniform random matrices are seldom positive-definite: 1 x 1 ones are; golden cases check
      // the gradient on real matrices.
      OpSample s = la_sample({{2, 1, 1}}, {}, 1, 2);
      s.grad_check = false;
      return s;
    }());

MV_REGISTER_OP(_linalg_potri)
    .alias("linalg_potri")
    .describe("Performs matrix inversion from a Cholesky factorization: given the lower triangular L of "
              "A = L * L^T, out = A^-1. Only the lower triangle of the input is read.\n\n"
              "Example::\n\n  potri([[2.0, 0], [0.5, 2.0]]) = [[0.26563, -0.0625], [-0.0625, 0.25]]")
    .input("A", "Tensor of lower triangular matrices")
    .set_infer_shape(square_same_shape)
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      square_forward(in, out, [&](int64_t, const std::vector<Mat>& m) {
        const Mat l = la::triangle(m[0], true);
        const int64_t n = l.rows;
        Mat eye(n, n);
        for (int64_t i = 0; i < n; ++i) eye(i, i) = 1;
        const Mat linv = la::solve_triangular(l, true, eye, false);
        return std::vector<Mat>{la::matmul(linv, true, linv, false)};
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_linalg_potri", {g.ograd(), g.input(), g.output()})};
    })
    .add_sample([] {
      OpSample s = la_sample({{2, 3, 3}}, {}, 1, 2);
      s.grad_check = false;  // the upper triangle does not matter; golden cases check the gradient
      return s;
    }());

MV_REGISTER_OP(_linalg_trmm)
    .alias("linalg_trmm")
    .describe("Performs multiplication with a lower (or upper) triangular matrix: out = alpha * op(A) * B, or "
              "alpha * B * op(A) with rightside; op is the transpose where `transpose` is set, and only the lower "
              "(lower=True) or upper triangle of A is read.\n\n"
              "Example::\n\n  A = [[1.0, 0], [1.0, 1.0]]\n  B = [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]\n"
              "  trmm(A, B, alpha=2.0) = [[2.0, 2.0, 2.0], [4.0, 4.0, 4.0]]")
    .input("A", "Tensor of lower triangular matrices")
    .input("B", "Tensor of matrices")
    .param("transpose", ParamType::kBool, "False", "Use transposed of the triangular matrix")
    .param("rightside", ParamType::kBool, "False", "Multiply triangular matrix from the right to non-triangular one.")
    .param("lower", ParamType::kBool, "True", "True if the triangular matrix is lower triangular, false if it is upper "
                                              "triangular.")
    .param("alpha", ParamType::kFloat, "1", "Scalar factor to be applied to the result.")
    .set_infer_shape(la::triangular_pair_shape)
    .set_infer_type(la::la_type)
    .set_forward(la::trmm_forward)
    .set_gradient([](const GradContext& g) {
      auto r = op_all("_backward_linalg_trmm", {g.ograd(), g.input(0), g.input(1)}, g.forward_params());
      return std::vector<Tensor>{r[0], r[1]};
    })
    .add_sample(la_sample({{3, 3}, {3, 2}}, {{"alpha", "2"}}))
    .add_sample(la_sample({{2, 3, 3}, {2, 2, 3}}, {{"rightside", "True"}, {"transpose", "True"}, {"lower", "False"}}));

MV_REGISTER_OP(_linalg_trsm)
    .alias("linalg_trsm")
    .describe("Solves a triangular system: out = alpha * op(A)^-1 * B, or alpha * B * op(A)^-1 with rightside; "
              "op is the transpose where `transpose` is set, and only the lower (lower=True) or upper triangle of "
              "A is read.\n\n"
              "Example::\n\n  A = [[1.0, 0], [1.0, 1.0]]\n  B = [[2.0, 2.0, 2.0], [4.0, 4.0, 4.0]]\n"
              "  trsm(A, B, alpha=0.5) = [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]")
    .input("A", "Tensor of lower triangular matrices")
    .input("B", "Tensor of matrices")
    .param("transpose", ParamType::kBool, "False", "Use transposed of the triangular matrix")
    .param("rightside", ParamType::kBool, "False", "Multiply triangular matrix from the right to non-triangular one.")
    .param("lower", ParamType::kBool, "True", "True if the triangular matrix is lower triangular, false if it is upper "
                                              "triangular.")
    .param("alpha", ParamType::kFloat, "1", "Scalar factor to be applied to the result.")
    .set_infer_shape(la::triangular_pair_shape)
    .set_infer_type(la::la_type)
    .set_forward(la::trsm_forward)
    .set_gradient([](const GradContext& g) {
      auto r = op_all("_backward_linalg_trsm", {g.ograd(), g.input(0), g.input(1), g.output()}, g.forward_params());
      return std::vector<Tensor>{r[0], r[1]};
    })
    .add_sample(la_sample({{3, 3}, {3, 2}}, {{"alpha", "2"}}, 1, 2))
    .add_sample(la_sample({{2, 3, 3}, {2, 2, 3}}, {{"rightside", "True"}, {"transpose", "True"}, {"lower", "False"}},
                          1, 2));

MV_REGISTER_OP(_linalg_sumlogdiag)
    .alias("linalg_sumlogdiag")
    .describe("Computes the sum of the logarithms of the diagonal elements of each square matrix.\n\n"
              "Example::\n\n  sumlogdiag([[1.0, 1.0], [1.0, 7.0]]) = [1.9459]")
    .input("A", "Tensor of square matrices")
    .set_infer_shape(square_to_scalars)
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      square_forward(in, out, [](int64_t, const std::vector<Mat>& m) {
        double s = 0;
        for (int64_t i = 0; i < m[0].rows; ++i) s += std::log(m[0](i, i));
        return std::vector<Mat>{scalar(s)};
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_linalg_sumlogdiag", {g.ograd(), g.input()})};
    })
    .add_sample(la_sample({{2, 3, 3}}, {}, 0.5, 2));

MV_REGISTER_OP(_linalg_syrk)
    .alias("linalg_syrk")
    .describe("Multiplies a matrix by its own transpose: out = alpha * A * A^T, or alpha * A^T * A with "
              "transpose.\n\n"
              "Example::\n\n  syrk([[1.0, 0, 1.0], [0, 1.0, 0]], alpha=2.0) = [[4.0, 0], [0, 2.0]]")
    .input("A", "Tensor of input matrices")
    .param("transpose", ParamType::kBool, "False", "Use transpose of input matrix.")
    .param("alpha", ParamType::kFloat, "1", "Scalar factor to be applied to the result.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      la::check_matrix(attrs, (*in)[0], "A", false);
      Shape s = (*in)[0];
      const int64_t k = attrs.get_bool("transpose") ? s.back() : s[s.size() - 2];
      s[s.size() - 2] = k;
      s.back() = k;
      (*out)[0] = s;
    })
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const bool t = attrs.get_bool("transpose");
      const double alpha = attrs.get_float("alpha");
      const Layout a = la::matrices(in[0].shape);
      la::run_batched(in, {a}, out, {la::matrices(out[0].shape)}, a.batch(), [&](int64_t, const std::vector<Mat>& m) {
        return std::vector<Mat>{la::matmul(m[0], t, m[0], !t, alpha)};
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_linalg_syrk", {g.ograd(), g.input()}, g.forward_params())};
    })
    .add_sample(la_sample({{2, 3}}, {{"alpha", "2"}}))
    .add_sample(la_sample({{2, 3, 2}}, {{"transpose", "True"}}));

MV_REGISTER_OP(_linalg_gelqf)
    .alias("linalg_gelqf")
    .describe("LQ factorization of each matrix A (rows <= columns): A = L * Q with Q's rows orthonormal and L "
              "lower triangular. Returns (Q, L). Signs follow LAPACK's Householder reflectors.\n\n"
              "Example::\n\n  gelqf([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]]) =\n"
              "    Q = [[-0.26726, -0.53452, -0.80178], [0.94868, 0, -0.31623]],\n"
              "    L = [[-3.74166, 0], [-9.35414, 1.58114]]")
    .input("A", "Tensor of input matrices to be factorized")
    .set_num_outputs(2)
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"Q", "L"}; })
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& a = (*in)[0];
      if (a.empty()) return;
      la::check_matrix(attrs, a, "A", false);
      MV_CHECK(a[a.size() - 2] <= a.back(), kValue) << "Operator " << attrs.op->name << ": A " << shape_str(a)
                                                    << " must have at most as many rows as columns";
      (*out)[0] = a;
      Shape l = a;
      l.back() = a[a.size() - 2];
      (*out)[1] = l;
    })
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Layout a = la::matrices(in[0].shape);
      la::run_batched(in, {a}, out, {a, la::matrices(out[1].shape)}, a.batch(), [](int64_t, const std::vector<Mat>& m) {
        Mat l, q;
        la::lq(m[0], &l, &q);
        return std::vector<Mat>{q, l};
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{
          op("_backward_linalg_gelqf", {g.ograd(0), g.ograd(1), g.output(0), g.output(1)})};
    })
    .add_sample(la_sample({{2, 3}}, {}))
    .add_sample(la_sample({{2, 2, 4}}, {}));

MV_REGISTER_OP(_linalg_syevd)
    .describe("Eigendecomposition of each symmetric matrix A (only its lower triangle is read): A = U^T * "
              "diag(L) * U, with the eigenvectors as the rows of U and the eigenvalues L ascending. Each row of U "
              "has its largest-magnitude entry positive. Returns (U, L).\n\n"
              "Example::\n\n  syevd([[1.0, 2.0], [2.0, 4.0]]) =\n"
              "    U = [[0.89443, -0.44721], [0.44721, 0.89443]], L = [0, 5.0]")
    .input("A", "Tensor of input matrices to be factorized")
    .set_num_outputs(2)
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"U", "L"}; })
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& a = (*in)[0];
      if (a.empty()) return;
      la::check_matrix(attrs, a, "A", true);
      (*out)[0] = a;
      (*out)[1] = Shape(a.begin(), a.end() - 1);
    })
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Layout a = la::matrices(in[0].shape);
      la::run_batched(in, {a}, out, {a, la::vectors(a.batch(), a.rows)}, a.batch(),
                      [](int64_t, const std::vector<Mat>& m) {
                        Mat u;
                        std::vector<double> w;
                        la::symmetric_eigen(m[0], &u, &w);
                        Mat wm(1, static_cast<int64_t>(w.size()));
                        wm.v = w;
                        return std::vector<Mat>{u, wm};
                      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{
          op("_backward_linalg_syevd", {g.ograd(0), g.ograd(1), g.output(0), g.output(1)})};
    })
    .add_sample([] {
      OpSample s = la_sample({{2, 3, 3}}, {});
      s.grad_check = false;  // eigenvectors of close eigenvalues are unstable; golden cases check the gradient
      return s;
    }());

MV_REGISTER_OP(_linalg_inverse)
    .alias("linalg_inverse")
    .describe("Computes the inverse of each square matrix.\n\n"
              "Example::\n\n  inverse([[1.0, 2.0], [3.0, 4.0]]) = [[-2.0, 1.0], [1.5, -0.5]]")
    .input("A", "Tensor of square matrix")
    .set_infer_shape(square_same_shape)
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      square_forward(in, out, [&](int64_t b, const std::vector<Mat>& m) {
        la::LU f = lu_of(m[0]);
        MV_CHECK(!f.singular, kValue) << "Operator " << attrs.op->name << ": matrix " << b
                                      << " of the batch is singular";
        return std::vector<Mat>{la::inverse(f)};
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_linalg_inverse", {g.ograd(), g.output()})};
    })
    .add_sample(la_sample({{2, 3, 3}}, {}, 1, 2));

MV_REGISTER_OP(_linalg_det)
    .alias("linalg_det")
    .describe("Computes the determinant of each square matrix (LU factorization with partial pivoting).\n\n"
              "Example::\n\n  det([[1.0, 2.0], [3.0, 4.0]]) = [-2.0]")
    .input("A", "Tensor of square matrix")
    .set_infer_shape(square_to_scalars)
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      square_forward(in, out, [](int64_t, const std::vector<Mat>& m) {
        double sign, logabs;
        la::signed_log_det(lu_of(m[0]), &sign, &logabs);
        return std::vector<Mat>{scalar(sign * std::exp(logabs))};
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_linalg_det", {g.ograd(), g.input(), g.output()})};
    })
    .add_sample(la_sample({{2, 3, 3}}, {}, 1, 2));

MV_REGISTER_OP(_linalg_slogdet)
    .alias("linalg_slogdet")
    .describe("Computes the sign and the logarithm of the absolute value of the determinant of each square "
              "matrix. Returns (sign, logabsdet); a singular matrix gives (0, -inf).\n\n"
              "Example::\n\n  slogdet([[2.0, 3.0], [1.0, 4.0]]) = ([1.0], [1.609438])")
    .input("A", "Tensor of square matrix")
    .set_num_outputs(2)
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"sign", "logdet"}; })
    .set_infer_shape(square_to_scalars)
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      square_forward(in, out, [](int64_t, const std::vector<Mat>& m) {
        double sign, logabs;
        la::signed_log_det(lu_of(m[0]), &sign, &logabs);
        return std::vector<Mat>{scalar(sign), scalar(logabs)};
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_linalg_slogdet", {g.ograd(1), g.input(), g.output(1)})};
    })
    .add_sample(la_sample({{2, 3, 3}}, {}, 1, 2));

MV_REGISTER_OP(_linalg_extractdiag)
    .alias("linalg_extractdiag")
    .describe("Extracts the diagonal at `offset` (positive: above the main diagonal, negative: below) of each "
              "square matrix as a vector.\n\n"
              "Example::\n\n  extractdiag([[1.0, 2.0], [3.0, 4.0]]) = [1.0, 4.0]\n"
              "  extractdiag([[1.0, 2.0], [3.0, 4.0]], offset=1) = [2.0]")
    .input("A", "Tensor of square matrices")
    .param("offset", ParamType::kInt, "0",
           "Offset of the diagonal versus the main diagonal. 0 corresponds to the main diagonal, a negative/positive "
           "value to diagonals below/above the main diagonal.")
    .bounds(-2147483648.0, 2147483647.0)  // MXNet's int: |offset| stays far from int64 overflow
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& a = (*in)[0];
      if (a.empty()) return;
      la::check_matrix(attrs, a, "A", true);
      const int64_t off = attrs.get_int("offset"), n = a.back();
      MV_CHECK(std::abs(off) < n, kValue) << "Operator " << attrs.op->name << ": offset " << off
                                          << " is outside the " << n << " x " << n << " matrices";
      Shape s(a.begin(), a.end() - 1);
      s.back() = n - std::abs(off);
      (*out)[0] = s;
    })
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const int64_t off = attrs.get_int("offset");
      const Layout a = la::matrices(in[0].shape);
      const int64_t k = a.rows - std::abs(off);
      la::run_batched(in, {a}, out, {la::vectors(a.batch(), k)}, a.batch(), [&](int64_t, const std::vector<Mat>& m) {
        Mat d(1, k);
        for (int64_t i = 0; i < k; ++i) d(0, i) = off >= 0 ? m[0](i, i + off) : m[0](i - off, i);
        return std::vector<Mat>{d};
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_linalg_makediag", {g.ograd()}, g.forward_params())};
    })
    .add_sample(la_sample({{3, 3}}, {}))
    .add_sample(la_sample({{2, 3, 3}}, {{"offset", "-1"}}));

MV_REGISTER_OP(_linalg_makediag)
    .alias("linalg_makediag")
    .describe("Constructs square matrices with the input vectors on the diagonal at `offset` and zeros "
              "elsewhere.\n\n"
              "Example::\n\n  makediag([1.0, 2.0]) = [[1.0, 0], [0, 2.0]]\n"
              "  makediag([1.0, 2.0], offset=1) = [[0, 1.0, 0], [0, 0, 2.0], [0, 0, 0]]")
    .input("A", "Tensor of diagonal entries")
    .param("offset", ParamType::kInt, "0",
           "Offset of the diagonal versus the main diagonal. 0 corresponds to the main diagonal, a negative/positive "
           "value to diagonals below/above the main diagonal.")
    .bounds(-2147483648.0, 2147483647.0)  // MXNet's int: |offset| stays far from int64 overflow
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& a = (*in)[0];
      if (a.empty()) return;
      const int64_t n = a.back() + std::abs(attrs.get_int("offset"));
      Shape s = a;
      s.back() = n;
      s.push_back(n);
      (*out)[0] = s;
    })
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const int64_t off = attrs.get_int("offset");
      const int64_t k = in[0].shape.back();
      const Layout o = la::matrices(out[0].shape);
      la::run_batched(in, {la::vectors(o.batch(), k)}, out, {o}, o.batch(), [&](int64_t, const std::vector<Mat>& m) {
        Mat r(o.rows, o.cols);
        for (int64_t i = 0; i < k; ++i) (off >= 0 ? r(i, i + off) : r(i - off, i)) = m[0](0, i);
        return std::vector<Mat>{r};
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_linalg_extractdiag", {g.ograd()}, g.forward_params())};
    })
    .add_sample(la_sample({{3}}, {}))
    .add_sample(la_sample({{2, 2}}, {{"offset", "1"}}));

MV_REGISTER_OP(_linalg_extracttrian)
    .alias("linalg_extracttrian")
    .describe("Extracts a triangle of each square matrix as a vector: offset=0 takes the lower (lower=True) or "
              "upper triangle with the diagonal; offset=k>0 the upper triangle above the k-th upper diagonal; "
              "offset=k<0 the lower triangle below the k-th lower diagonal. Lower triangles are read row by row, "
              "upper ones column by column.\n\n"
              "Example::\n\n  A = [[1.0, 2.0], [3.0, 4.0]]\n  extracttrian(A) = [1.0, 3.0, 4.0]\n"
              "  extracttrian(A, lower=False) = [1.0, 2.0, 4.0]\n  extracttrian(A, 1) = [2.0]\n"
              "  extracttrian(A, -1) = [3.0]")
    .input("A", "Tensor of square matrices")
    .param("offset", ParamType::kInt, "0",
           "Offset of the diagonal versus the main diagonal. 0 corresponds to the main diagonal, a negative/positive "
           "value to diagonals below/above the main diagonal.")
    .bounds(-2147483648.0, 2147483647.0)  // MXNet's int: |offset| stays far from int64 overflow
    .param("lower", ParamType::kBool, "True",
           "Refer to the lower triangular matrix if lower=true, refer to the upper otherwise. Only relevant when "
           "offset=0")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& a = (*in)[0];
      if (a.empty()) return;
      la::check_matrix(attrs, a, "A", true);
      const int64_t off = attrs.get_int("offset"), n = a.back();
      MV_CHECK(std::abs(off) < n, kValue) << "Operator " << attrs.op->name << ": offset " << off
                                          << " is outside the " << n << " x " << n << " matrices";
      const int64_t m = n - std::abs(off);
      Shape s(a.begin(), a.end() - 1);
      s.back() = m * (m + 1) / 2;
      (*out)[0] = s;
    })
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Layout a = la::matrices(in[0].shape);
      const auto entries = trian_entries(a.rows, attrs.get_int("offset"), trian_is_upper(attrs));
      const int64_t len = static_cast<int64_t>(entries.size());
      la::run_batched(in, {a}, out, {la::vectors(a.batch(), len)}, a.batch(), [&](int64_t, const std::vector<Mat>& m) {
        Mat v(1, len);
        for (int64_t k = 0; k < len; ++k) v(0, k) = m[0](entries[k].first, entries[k].second);
        return std::vector<Mat>{v};
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_linalg_maketrian", {g.ograd()}, g.forward_params())};
    })
    .add_sample(la_sample({{3, 3}}, {}))
    .add_sample(la_sample({{2, 4, 4}}, {{"offset", "1"}}))
    .add_sample(la_sample({{3, 3}}, {{"lower", "False"}}));

MV_REGISTER_OP(_linalg_maketrian)
    .alias("linalg_maketrian")
    .describe("Constructs square matrices from triangle vectors, the inverse of extracttrian with the same "
              "offset and lower; the rest of each matrix is zero.\n\n"
              "Example::\n\n  maketrian([1.0, 2.0, 3.0]) = [[1.0, 0], [2.0, 3.0]]\n"
              "  maketrian([1.0, 2.0, 3.0], lower=False) = [[1.0, 2.0], [0, 3.0]]\n"
              "  maketrian([1.0], offset=1) = [[0, 1.0], [0, 0]]")
    .input("A", "Tensor of triangular matrices stored as vectors")
    .param("offset", ParamType::kInt, "0",
           "Offset of the diagonal versus the main diagonal. 0 corresponds to the main diagonal, a negative/positive "
           "value to diagonals below/above the main diagonal.")
    .bounds(-2147483648.0, 2147483647.0)  // MXNet's int: |offset| stays far from int64 overflow
    .param("lower", ParamType::kBool, "True",
           "Refer to the lower triangular matrix if lower=true, refer to the upper otherwise. Only relevant when "
           "offset=0")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& a = (*in)[0];
      if (a.empty()) return;
      const int64_t len = a.back();
      int64_t m = static_cast<int64_t>(std::floor((std::sqrt(8.0 * static_cast<double>(len) + 1) - 1) / 2));
      while (m * (m + 1) / 2 < len) ++m;
      MV_CHECK(m * (m + 1) / 2 == len, kValue) << "Operator " << attrs.op->name << ": the last dimension " << len
                                               << " of A is not a triangular number m * (m + 1) / 2";
      const int64_t n = m + std::abs(attrs.get_int("offset"));
      Shape s = a;
      s.back() = n;
      s.push_back(n);
      (*out)[0] = s;
    })
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Layout o = la::matrices(out[0].shape);
      const auto entries = trian_entries(o.rows, attrs.get_int("offset"), trian_is_upper(attrs));
      const int64_t len = static_cast<int64_t>(entries.size());
      la::run_batched(in, {la::vectors(o.batch(), len)}, out, {o}, o.batch(), [&](int64_t, const std::vector<Mat>& m) {
        Mat r(o.rows, o.cols);
        for (int64_t k = 0; k < len; ++k) r(entries[k].first, entries[k].second) = m[0](0, k);
        return std::vector<Mat>{r};
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_linalg_extracttrian", {g.ograd()}, g.forward_params())};
    })
    .add_sample(la_sample({{6}}, {}))
    .add_sample(la_sample({{2, 3}}, {{"offset", "-1"}}))
    .add_sample(la_sample({{3}}, {{"lower", "False"}}));

}  // namespace minerva
