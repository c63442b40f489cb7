// trmm/trsm kernels and the backward kernels of the _linalg_* factorizations, with MXNet 1.9.1's
// gradient formulas (copyLTU(M) below mirrors M's lower triangle onto its upper one). Each
// backward operator checks its input shapes itself: a symbol file can call it with anything.
#include <algorithm>
#include <cmath>

#include "core/ops/linalg_la.h"

namespace minerva {

namespace la {

namespace {

// op(tri(A)): the lower (or upper) triangle of a, transposed where `transpose`.
Mat op_triangle(const Mat& a, bool lower, bool transpose) {
  Mat t = triangle(a, lower);
  return transpose ? la::transpose(t) : t;
}

Mat copy_ltu(Mat m) {
  for (int64_t i = 0; i < m.rows; ++i)
    for (int64_t j = i + 1; j < m.cols; ++j) m(i, j) = m(j, i);
  return m;
}

Mat scaled(Mat m, double s) {
  for (double& x : m.v) x *= s;
  return m;
}

Mat plus(Mat a, const Mat& b) {
  for (size_t i = 0; i < a.v.size(); ++i) a.v[i] += b.v[i];
  return a;
}

}  // namespace

void triangular_pair_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &a = (*in)[0], &b = (*in)[1];
  if (a.empty() || b.empty()) return;
  check_matrix(attrs, a, "A", true);
  check_matrix(attrs, b, "B", false);
  MV_CHECK(a.size() == b.size() && std::equal(a.begin(), a.end() - 2, b.begin()), kValue)
      << "Operator " << attrs.op->name << ": A " << shape_str(a) << " and B " << shape_str(b)
      << " must have the same batch dimensions";
  const bool right = attrs.get_bool("rightside");
  const int64_t side = right ? b.back() : b[b.size() - 2];
  MV_CHECK(side == a.back(), kValue) << "Operator " << attrs.op->name << ": B " << shape_str(b) << " has " << side
                                     << (right ? " columns" : " rows") << " but A is " << a.back() << " x " << a.back()
                                     << " (rightside=" << right << ")";
  (*out)[0] = b;
}

void trmm_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const bool t = attrs.get_bool("transpose"), right = attrs.get_bool("rightside"), lower = attrs.get_bool("lower");
  const double alpha = attrs.get_float("alpha");
  const Layout a = matrices(in[0].shape), b = matrices(in[1].shape);
  run_batched(in, {a, b}, out, {b}, a.batch(), [&](int64_t, const std::vector<Mat>& m) {
    const Mat ta = op_triangle(m[0], lower, t);
    return std::vector<Mat>{right ? matmul(m[1], false, ta, false, alpha) : matmul(ta, false, m[1], false, alpha)};
  });
}

void trsm_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const bool t = attrs.get_bool("transpose"), right = attrs.get_bool("rightside"), lower = attrs.get_bool("lower");
  const double alpha = attrs.get_float("alpha");
  const Layout a = matrices(in[0].shape), b = matrices(in[1].shape);
  run_batched(in, {a, b}, out, {b}, a.batch(), [&](int64_t, const std::vector<Mat>& m) {
    return std::vector<Mat>{solve_triangular(op_triangle(m[0], lower, t), lower != t, scaled(m[1], alpha), right)};
  });
}

}  // namespace la

namespace {

using la::Layout;
using la::Mat;

// Input i of a backward operator must have shape `expected`.
void expect(const Attrs& attrs, std::vector<Shape>* in, size_t i, const Shape& expected, const char* what) {
  if ((*in)[i].empty()) (*in)[i] = expected;
  la::check_same(attrs, expected, (*in)[i], what);
}

Shape scalars_of(const Shape& matrices) {
  Shape s = la::batch_shape(matrices);
  if (s.empty()) s.push_back(1);
  return s;
}

// Backward operators whose input 1 is the forward's square matrix A and whose output is dA;
// `others` are (input index, shape kind) pairs checked against A: 'm' like A, 's' one number per
// matrix, 'v' one vector of A's size per matrix.
InferShapeFn square_backward_shape(std::vector<std::pair<size_t, char>> others, size_t a_index = 1) {
  return [others, a_index](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
    const Shape a = (*in)[a_index];
    if (a.empty()) return;
    la::check_matrix(attrs, a, "A", true);
    for (auto [i, kind] : others) {
      Shape want = kind == 'm' ? a : kind == 's' ? scalars_of(a) : Shape(a.begin(), a.end() - 1);
      expect(attrs, in, i, want, attrs.op->inputs_for(attrs)[i].c_str());
    }
    (*out)[0] = a;
  };
}

void square_backward(const std::vector<TBlob>& in, const std::vector<TBlob>& out, size_t a_index, const la::MatFn& body) {
  const Layout a = la::matrices(in[a_index].shape);
  std::vector<Layout> layouts;
  for (const TBlob& b : in)
    layouts.push_back(b.shape == in[a_index].shape ? a : la::vectors(a.batch(), b.size() / std::max<int64_t>(a.batch(), 1)));
  la::run_batched(in, layouts, out, {a}, a.batch(), body);
}

}  // namespace

MV_REGISTER_OP(_backward_linalg_potrf)
    .describe("Gradient of potrf: dA = 0.5 * L^-T * copyLTU(L^T * dL) * L^-1.")
    .input("dL", "gradient of the Cholesky factor")
    .input("L", "the Cholesky factor")
    .params_from("_linalg_potrf")
    .set_infer_shape(square_backward_shape({{0, 'm'}}))
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      square_backward(in, out, 1, [](int64_t, const std::vector<Mat>& m) {
        const Mat l = la::triangle(m[1], true);
        const Mat x = la::solve_triangular(la::transpose(l), false, la::copy_ltu(la::matmul(l, true, m[0], false)), false);
        return std::vector<Mat>{la::scaled(la::solve_triangular(l, true, x, true), 0.5)};
      });
    })
    .set_non_differentiable();

MV_REGISTER_OP(_backward_linalg_potri)
    .describe("Gradient of potri: dL = -tril((A * dA + A * dA^T) * L^-T) with A = potri(L).")
    .input("dA", "gradient of the inverse")
    .input("L", "the Cholesky factor given to potri")
    .input("A", "the inverse potri returned")
    .params_from("_linalg_potri")
    .set_infer_shape(square_backward_shape({{0, 'm'}, {2, 'm'}}))
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      square_backward(in, out, 1, [](int64_t, const std::vector<Mat>& m) {
        const Mat l = la::triangle(m[1], true);
        const Mat s = la::plus(la::matmul(m[2], false, m[0], false), la::matmul(m[2], false, m[0], true));
        const Mat x = la::solve_triangular(la::transpose(l), false, s, true);
        return std::vector<Mat>{la::scaled(la::triangle(x, true), -1)};
      });
    })
    .set_non_differentiable();

MV_REGISTER_OP(_backward_linalg_trmm)
    .describe("Gradients of trmm with respect to A (its used triangle only) and B.")
    .input("dC", "gradient of the output")
    .input("A", "the triangular matrices")
    .input("B", "the other factor")
    .params_from("_linalg_trmm")
    .set_num_outputs(2)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      std::vector<Shape> pair{(*in)[1], (*in)[2]}, c(1);
      la::triangular_pair_shape(attrs, &pair, &c);
      if (c[0].empty()) return;
      expect(attrs, in, 0, c[0], "dC");
      (*out)[0] = (*in)[1];
      (*out)[1] = (*in)[2];
    })
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const bool t = attrs.get_bool("transpose"), right = attrs.get_bool("rightside"), lower = attrs.get_bool("lower");
      const double alpha = attrs.get_float("alpha");
      const Layout a = la::matrices(in[1].shape), b = la::matrices(in[2].shape);
      la::run_batched(in, {b, a, b}, out, {a, b}, a.batch(), [&](int64_t, const std::vector<Mat>& m) {
        const Mat &dc = m[0], &bm = m[2];
        const Mat da = right == t ? la::matmul(dc, t, bm, !t, alpha) : la::matmul(bm, !t, dc, t, alpha);
        const Mat ta = la::op_triangle(m[1], lower, !t);
        const Mat db = right ? la::matmul(dc, false, ta, false, alpha) : la::matmul(ta, false, dc, false, alpha);
        return std::vector<Mat>{la::triangle(da, lower), db};
      });
    })
    .set_non_differentiable();

MV_REGISTER_OP(_backward_linalg_trsm)
    .describe("Gradients of trsm with respect to A (its used triangle only) and B.")
    .input("dC", "gradient of the output")
    .input("A", "the triangular matrices")
    .input("B", "the right-hand sides")
    .input("C", "the solution trsm returned")
    .params_from("_linalg_trsm")
    .set_num_outputs(2)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      std::vector<Shape> pair{(*in)[1], (*in)[2]}, c(1);
      la::triangular_pair_shape(attrs, &pair, &c);
      if (c[0].empty()) return;
      expect(attrs, in, 0, c[0], "dC");
      expect(attrs, in, 3, c[0], "C");
      (*out)[0] = (*in)[1];
      (*out)[1] = (*in)[2];
    })
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const bool t = attrs.get_bool("transpose"), right = attrs.get_bool("rightside"), lower = attrs.get_bool("lower");
      const double alpha = attrs.get_float("alpha");
      MV_CHECK(alpha != 0, kValue) << "Operator " << attrs.op->name << ": the gradient needs alpha != 0";
      const Layout a = la::matrices(in[1].shape), b = la::matrices(in[2].shape);
      la::run_batched(in, {b, a, b, b}, out, {a, b}, a.batch(), [&](int64_t, const std::vector<Mat>& m) {
        const Mat &dc = m[0], &c = m[3];
        const Mat ta = la::op_triangle(m[1], lower, !t);
        const Mat db = la::solve_triangular(ta, lower == t, la::scaled(dc, alpha), right);
        const double scale = -1 / alpha;
        const Mat da = right == t ? la::matmul(db, t, c, !t, scale) : la::matmul(c, !t, db, t, scale);
        return std::vector<Mat>{la::triangle(da, lower), db};
      });
    })
    .set_non_differentiable();

MV_REGISTER_OP(_backward_linalg_sumlogdiag)
    .describe("Gradient of sumlogdiag: dA = diag(dB / diag(A)).")
    .input("dB", "gradient of the sums")
    .input("A", "the square matrices")
    .params_from("_linalg_sumlogdiag")
    .set_infer_shape(square_backward_shape({{0, 's'}}))
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      square_backward(in, out, 1, [](int64_t, const std::vector<Mat>& m) {
        Mat da(m[1].rows, m[1].cols);
        for (int64_t i = 0; i < da.rows; ++i) da(i, i) = m[0](0, 0) / m[1](i, i);
        return std::vector<Mat>{da};
      });
    })
    .set_non_differentiable();

MV_REGISTER_OP(_backward_linalg_syrk)
    .describe("Gradient of syrk: dA = alpha * (dB + dB^T) * A, or alpha * A * (dB + dB^T) with transpose.")
    .input("dB", "gradient of the output")
    .input("A", "the input matrices")
    .params_from("_linalg_syrk")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& a = (*in)[1];
      if (a.empty()) return;
      la::check_matrix(attrs, a, "A", false);
      Shape b = a;
      const int64_t k = attrs.get_bool("transpose") ? a.back() : a[a.size() - 2];
      b[b.size() - 2] = k;
      b.back() = k;
      expect(attrs, in, 0, b, "dB");
      (*out)[0] = a;
    })
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const bool t = attrs.get_bool("transpose");
      const double alpha = attrs.get_float("alpha");
      const Layout a = la::matrices(in[1].shape);
      la::run_batched(in, {la::matrices(in[0].shape), a}, out, {a}, a.batch(), [&](int64_t, const std::vector<Mat>& m) {
        const Mat sym = la::plus(m[0], la::transpose(m[0]));
        return std::vector<Mat>{t ? la::matmul(m[1], false, sym, false, alpha) : la::matmul(sym, false, m[1], false, alpha)};
      });
    })
    .set_non_differentiable();

MV_REGISTER_OP(_backward_linalg_gelqf)
    .describe("Gradient of gelqf: dA = L^-T * (dQ + copyLTU(M) * Q) with M = L^T * dL - dQ * Q^T.")
    .input("dQ", "gradient of Q")
    .input("dL", "gradient of L")
    .input("Q", "the Q factor")
    .input("L", "the L factor")
    .params_from("_linalg_gelqf")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &q = (*in)[2], &l = (*in)[3];
      if (q.empty() || l.empty()) return;
      la::check_matrix(attrs, q, "Q", false);
      Shape want_l = q;
      want_l.back() = q[q.size() - 2];
      la::check_same(attrs, want_l, l, "L");
      expect(attrs, in, 0, q, "dQ");
      expect(attrs, in, 1, l, "dL");
      (*out)[0] = q;
    })
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Layout q = la::matrices(in[2].shape), l = la::matrices(in[3].shape);
      la::run_batched(in, {q, l, q, l}, out, {q}, q.batch(), [](int64_t, const std::vector<Mat>& m) {
        const Mat &dq = m[0], &dl = m[1], &qm = m[2], lm = la::triangle(m[3], true);
        Mat mm = la::matmul(lm, true, dl, false);
        mm = la::plus(mm, la::matmul(dq, false, qm, true, -1.0));
        const Mat rhs = la::plus(dq, la::matmul(la::copy_ltu(mm), false, qm, false));
        return std::vector<Mat>{la::solve_triangular(la::transpose(lm), false, rhs, false)};
      });
    })
    .set_non_differentiable();

MV_REGISTER_OP(_backward_linalg_syevd)
    .describe("Gradient of syevd: dA = U^T * Y * U, Y's diagonal dL and Y[i, j] = (X[i, j] - X[j, i]) / "
              "(2 * max(L[i] - L[j], eps)) off it, X = dU * U^T.")
    .input("dU", "gradient of the eigenvectors")
    .input("dL", "gradient of the eigenvalues")
    .input("U", "the eigenvectors (rows)")
    .input("L", "the eigenvalues")
    .params_from("_linalg_syevd")
    .set_infer_shape(square_backward_shape({{0, 'm'}, {1, 'v'}, {3, 'v'}}, 2))
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      // MXNet's floor on eigenvalue gaps, per dtype (equal eigenvalues would divide by zero).
      const double eps = in[2].dtype == DType::kFloat32 ? 1e-30 : 1e-100;
      square_backward(in, out, 2, [eps](int64_t, const std::vector<Mat>& m) {
        const Mat &du = m[0], &dl = m[1], &u = m[2], &w = m[3];
        const int64_t n = u.rows;
        const Mat x = la::matmul(du, false, u, true);
        Mat y(n, n);
        for (int64_t i = 0; i < n; ++i) {
          y(i, i) = dl(0, i);
          for (int64_t j = 0; j < i; ++j) {
            const double denom = 2 * std::max(w(0, i) - w(0, j), eps);
            y(i, j) = y(j, i) = (x(i, j) - x(j, i)) / denom;
          }
        }
        return std::vector<Mat>{la::matmul(la::matmul(u, true, y, false), false, u, false)};
      });
    })
    .set_non_differentiable();

MV_REGISTER_OP(_backward_linalg_inverse)
    .describe("Gradient of inverse: dA = -B^T * dB * B^T with B = inverse(A).")
    .input("dB", "gradient of the inverse")
    .input("B", "the inverse")
    .params_from("_linalg_inverse")
    .set_infer_shape(square_backward_shape({{0, 'm'}}))
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      square_backward(in, out, 1, [](int64_t, const std::vector<Mat>& m) {
        return std::vector<Mat>{la::matmul(m[1], true, la::matmul(m[0], false, m[1], true), false, -1.0)};
      });
    })
    .set_non_differentiable();

MV_REGISTER_OP(_backward_linalg_det)
    .describe("Gradient of det (Jacobi's formula): dA = ddet * det * A^-T; zero where det = 0.")
    .input("ddet", "gradient of the determinants")
    .input("A", "the square matrices")
    .input("det", "the determinants")
    .params_from("_linalg_det")
    .set_infer_shape(square_backward_shape({{0, 's'}, {2, 's'}}))
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      square_backward(in, out, 1, [](int64_t, const std::vector<Mat>& m) {
        const double det = m[2](0, 0);
        if (det == 0) return std::vector<Mat>{Mat(m[1].rows, m[1].cols)};
        return std::vector<Mat>{la::scaled(la::transpose(la::inverse(la::lu_factor(m[1]))), m[0](0, 0) * det)};
      });
    })
    .set_non_differentiable();

MV_REGISTER_OP(_backward_linalg_slogdet)
    .describe("Gradient of slogdet's log|det| (Jacobi's formula): dA = dlogabsdet * A^-T; zero where det = 0. The "
              "sign output has no gradient.")
    .input("dlogabsdet", "gradient of log|det|")
    .input("A", "the square matrices")
    .input("logabsdet", "log|det| of each matrix")
    .params_from("_linalg_slogdet")
    .set_infer_shape(square_backward_shape({{0, 's'}, {2, 's'}}))
    .set_infer_type(la::la_type)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      square_backward(in, out, 1, [](int64_t, const std::vector<Mat>& m) {
        if (std::isinf(m[2](0, 0)) && m[2](0, 0) < 0) return std::vector<Mat>{Mat(m[1].rows, m[1].cols)};
        return std::vector<Mat>{la::scaled(la::transpose(la::inverse(la::lu_factor(m[1]))), m[0](0, 0))};
      });
    })
    .set_non_differentiable();

}  // namespace minerva
