// Small dense linear algebra for the _linalg_* operators (core/ops/linalg_la.cc): plain
// reference code in double precision on one row-major matrix at a time. MXNet calls LAPACK;
// these textbook routines (Cholesky, LU with partial pivoting, Householder LQ, cyclic Jacobi for
// symmetric eigenproblems, triangular solves) give the same results on the matrix sizes these
// operators see, with no Fortran-order plumbing, and float32 inputs gain accuracy from the
// double arithmetic.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/ndarray/ndarray.h"

namespace minerva {
namespace la {

struct Mat {
  int64_t rows = 0, cols = 0;
  std::vector<double> v;
  Mat() = default;
  Mat(int64_t r, int64_t c) : rows(r), cols(c), v(static_cast<size_t>(r * c), 0.0) {}
  double& operator()(int64_t i, int64_t j) { return v[static_cast<size_t>(i * cols + j)]; }
  double operator()(int64_t i, int64_t j) const { return v[static_cast<size_t>(i * cols + j)]; }
};

// Where the matrices of a batched tensor lie: rows on axis `axis`, columns on the last axis, and
// every other axis a batch axis (MXNet's `axis` parameter of gemm/gemm2; -2 elsewhere).
struct Layout {
  int64_t outer = 1, rows = 0, inner = 1, cols = 0;  // shape = outer.. x rows x inner.. x cols
  int64_t batch() const { return outer * inner; }
  int64_t offset(int64_t b, int64_t i, int64_t j) const {
    return ((b / inner * rows + i) * inner + b % inner) * cols + j;
  }
};
Layout layout_of(const Shape& shape, int axis);  // axis already normalized, < ndim - 1

// The whole tensor in double, and back (with conversion to the output's dtype).
std::vector<double> to_double(const TBlob& b);
void from_double(const std::vector<double>& v, const TBlob& b);
Mat get(const std::vector<double>& data, const Layout& l, int64_t b);
void put(const Mat& m, std::vector<double>* data, const Layout& l, int64_t b);

Mat transpose(const Mat& a);
// alpha * op(a) * op(b), op the transpose where ta / tb.
Mat matmul(const Mat& a, bool ta, const Mat& b, bool tb, double alpha = 1.0);
// The lower (or upper) triangle of a, zeros elsewhere.
Mat triangle(const Mat& a, bool lower);
// Solves t * x = b (left) or x * t = b (right) for a triangular t (lower or upper).
Mat solve_triangular(const Mat& t, bool lower, const Mat& b, bool right);
// Lower Cholesky factor of the symmetric matrix whose lower triangle is a; false when a is not
// positive definite.
bool cholesky(const Mat& a, Mat* l);
// LU with partial pivoting: sign of the permutation, the factors in place, and whether a pivot
// was exactly zero.
struct LU {
  Mat lu;
  std::vector<int64_t> perm;
  double perm_sign = 1;
  bool singular = false;
};
LU lu_factor(const Mat& a);
Mat inverse(const LU& f);  // f must not be singular
// (sign of det, log|det|) from an LU factorization; (0, -inf) when singular.
void signed_log_det(const LU& f, double* sign, double* logabs);
// A = L * Q with Q's rows orthonormal (rows <= cols), L lower triangular, LAPACK's sign convention
// (Householder reflectors: L's diagonal is minus the sign of the pivot times the row norm).
void lq(const Mat& a, Mat* l, Mat* q);
// Eigenvectors (as rows of u) and ascending eigenvalues of the symmetric matrix whose lower
// triangle is a; each row's largest-magnitude entry (the first on ties) is made positive.
void symmetric_eigen(const Mat& a, Mat* u, std::vector<double>* w);

}  // namespace la
}  // namespace minerva
