#include "core/ops/linalg_dense.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "core/op/kernel_util.h"

namespace minerva {
namespace la {

Layout layout_of(const Shape& shape, int axis) {
  Layout l;
  const int last = static_cast<int>(shape.size()) - 1;
  for (int d = 0; d < axis; ++d) l.outer *= shape[d];
  l.rows = shape[axis];
  for (int d = axis + 1; d < last; ++d) l.inner *= shape[d];
  l.cols = shape[last];
  return l;
}

std::vector<double> to_double(const TBlob& b) {
  std::vector<double> v(static_cast<size_t>(b.size()));
  cast_copy(b, TBlob{v.data(), b.shape, DType::kFloat64});
  return v;
}

void from_double(const std::vector<double>& v, const TBlob& b) {
  cast_copy(TBlob{const_cast<double*>(v.data()), b.shape, DType::kFloat64}, b);
}

Mat get(const std::vector<double>& data, const Layout& l, int64_t b) {
  Mat m(l.rows, l.cols);
  for (int64_t i = 0; i < l.rows; ++i)
    for (int64_t j = 0; j < l.cols; ++j) m(i, j) = data[static_cast<size_t>(l.offset(b, i, j))];
  return m;
}

void put(const Mat& m, std::vector<double>* data, const Layout& l, int64_t b) {
  for (int64_t i = 0; i < l.rows; ++i)
    for (int64_t j = 0; j < l.cols; ++j) (*data)[static_cast<size_t>(l.offset(b, i, j))] = m(i, j);
}

Mat transpose(const Mat& a) {
  Mat t(a.cols, a.rows);
  for (int64_t i = 0; i < a.rows; ++i)
    for (int64_t j = 0; j < a.cols; ++j) t(j, i) = a(i, j);
  return t;
}

Mat matmul(const Mat& a, bool ta, const Mat& b, bool tb, double alpha) {
  const Mat& x = ta ? transpose(a) : a;
  const Mat& y = tb ? transpose(b) : b;
  Mat c(x.rows, y.cols);
  for (int64_t i = 0; i < x.rows; ++i)
    for (int64_t k = 0; k < x.cols; ++k) {
      const double s = alpha * x(i, k);
      for (int64_t j = 0; j < y.cols; ++j) c(i, j) += s * y(k, j);
    }
  return c;
}

Mat triangle(const Mat& a, bool lower) {
  Mat t(a.rows, a.cols);
  for (int64_t i = 0; i < a.rows; ++i)
    for (int64_t j = 0; j < a.cols; ++j)
      if (lower ? j <= i : j >= i) t(i, j) = a(i, j);
  return t;
}

Mat solve_triangular(const Mat& t, bool lower, const Mat& b, bool right) {
  if (right) return transpose(solve_triangular(transpose(t), !lower, transpose(b), false));
  const int64_t n = t.rows;
  Mat x = b;
  for (int64_t c = 0; c < b.cols; ++c) {
    for (int64_t s = 0; s < n; ++s) {
      const int64_t i = lower ? s : n - 1 - s;
      double v = x(i, c);
      if (lower)
        for (int64_t k = 0; k < i; ++k) v -= t(i, k) * x(k, c);
      else
        for (int64_t k = i + 1; k < n; ++k) v -= t(i, k) * x(k, c);
      x(i, c) = v / t(i, i);
    }
  }
  return x;
}

bool cholesky(const Mat& a, Mat* l) {
  const int64_t n = a.rows;
  *l = Mat(n, n);
  for (int64_t j = 0; j < n; ++j) {
    double d = a(j, j);
    for (int64_t k = 0; k < j; ++k) d -= (*l)(j, k) * (*l)(j, k);
    if (!(d > 0)) return false;
    (*l)(j, j) = std::sqrt(d);
    for (int64_t i = j + 1; i < n; ++i) {
      double s = a(i, j);
      for (int64_t k = 0; k < j; ++k) s -= (*l)(i, k) * (*l)(j, k);
      (*l)(i, j) = s / (*l)(j, j);
    }
  }
  return true;
}

LU lu_factor(const Mat& a) {
  LU f;
  f.lu = a;
  const int64_t n = a.rows;
  f.perm.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) f.perm[static_cast<size_t>(i)] = i;
  Mat& m = f.lu;
  for (int64_t k = 0; k < n; ++k) {
    int64_t p = k;
    for (int64_t i = k + 1; i < n; ++i)
      if (std::abs(m(i, k)) > std::abs(m(p, k))) p = i;
    if (p != k) {
      for (int64_t j = 0; j < n; ++j) std::swap(m(k, j), m(p, j));
      std::swap(f.perm[static_cast<size_t>(k)], f.perm[static_cast<size_t>(p)]);
      f.perm_sign = -f.perm_sign;
    }
    if (m(k, k) == 0) {
      f.singular = true;
      continue;
    }
    for (int64_t i = k + 1; i < n; ++i) {
      const double r = m(i, k) / m(k, k);
      m(i, k) = r;
      for (int64_t j = k + 1; j < n; ++j) m(i, j) -= r * m(k, j);
    }
  }
  return f;
}

Mat inverse(const LU& f) {
  const int64_t n = f.lu.rows;
  Mat pb(n, n);  // P * I: row i of the permuted identity
  for (int64_t i = 0; i < n; ++i) pb(i, f.perm[static_cast<size_t>(i)]) = 1;
  Mat unit_lower = triangle(f.lu, true);
  for (int64_t i = 0; i < n; ++i) unit_lower(i, i) = 1;
  return solve_triangular(triangle(f.lu, false), false, solve_triangular(unit_lower, true, pb, false), false);
}

void signed_log_det(const LU& f, double* sign, double* logabs) {
  if (f.singular) {
    *sign = 0;
    *logabs = -std::numeric_limits<double>::infinity();
    return;
  }
  double s = f.perm_sign, acc = 0;
  for (int64_t i = 0; i < f.lu.rows; ++i) {
    const double d = f.lu(i, i);
    s *= d < 0 ? -1 : 1;
    acc += std::log(std::abs(d));
  }
  *sign = s;
  *logabs = acc;
}

void lq(const Mat& a, Mat* l, Mat* q) {
  const int64_t m = a.rows, n = a.cols;
  Mat w = a;
  Mat qf(n, n);  // H_k ... H_1, built by left multiplication
  for (int64_t i = 0; i < n; ++i) qf(i, i) = 1;
  for (int64_t i = 0; i < m; ++i) {
    const double alpha = w(i, i);
    double xnorm = 0;
    for (int64_t j = i + 1; j < n; ++j) xnorm = std::hypot(xnorm, w(i, j));
    if (xnorm == 0) continue;  // H_i = I, as LAPACK's dlarfg leaves it
    const double beta = -std::copysign(std::hypot(alpha, xnorm), alpha);
    const double tau = (beta - alpha) / beta;
    std::vector<double> v(static_cast<size_t>(n), 0.0);
    v[static_cast<size_t>(i)] = 1;
    for (int64_t j = i + 1; j < n; ++j) v[static_cast<size_t>(j)] = w(i, j) / (alpha - beta);
    // W <- W * H_i on rows i.. (row i becomes [beta, 0, ...]).
    for (int64_t r = i; r < m; ++r) {
      double dot = 0;
      for (int64_t j = i; j < n; ++j) dot += w(r, j) * v[static_cast<size_t>(j)];
      for (int64_t j = i; j < n; ++j) w(r, j) -= tau * dot * v[static_cast<size_t>(j)];
    }
    // Qf <- H_i * Qf.
    for (int64_t c = 0; c < n; ++c) {
      double dot = 0;
      for (int64_t j = i; j < n; ++j) dot += v[static_cast<size_t>(j)] * qf(j, c);
      for (int64_t j = i; j < n; ++j) qf(j, c) -= tau * dot * v[static_cast<size_t>(j)];
    }
  }
  *l = Mat(m, m);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j <= i; ++j) (*l)(i, j) = w(i, j);
  *q = Mat(m, n);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) (*q)(i, j) = qf(i, j);
}

void symmetric_eigen(const Mat& a, Mat* u, std::vector<double>* w) {
  const int64_t n = a.rows;
  Mat s(n, n), vecs(n, n);  // s: the symmetric matrix; vecs: eigenvectors as columns
  for (int64_t i = 0; i < n; ++i) {
    vecs(i, i) = 1;
    for (int64_t j = 0; j <= i; ++j) s(i, j) = s(j, i) = a(i, j);
  }
  // Cyclic Jacobi rotations until the off-diagonal part is negligible.
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0, total = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) (i == j ? total : off) += s(i, j) * s(i, j);
    if (off <= 1e-30 * (total + off) || off == 0) break;
    for (int64_t p = 0; p < n; ++p)
      for (int64_t q = p + 1; q < n; ++q) {
        if (s(p, q) == 0) continue;
        const double theta = (s(q, q) - s(p, p)) / (2 * s(p, q));
        const double t = std::copysign(1.0, theta) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), sn = t * c;
        for (int64_t k = 0; k < n; ++k) {  // s <- s * J
          const double skp = s(k, p), skq = s(k, q);
          s(k, p) = c * skp - sn * skq;
          s(k, q) = sn * skp + c * skq;
        }
        for (int64_t k = 0; k < n; ++k) {  // s <- J^T * s
          const double spk = s(p, k), sqk = s(q, k);
          s(p, k) = c * spk - sn * sqk;
          s(q, k) = sn * spk + c * sqk;
        }
        for (int64_t k = 0; k < n; ++k) {
          const double vkp = vecs(k, p), vkq = vecs(k, q);
          vecs(k, p) = c * vkp - sn * vkq;
          vecs(k, q) = sn * vkp + c * vkq;
        }
      }
  }
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return s(x, x) < s(y, y); });
  *u = Mat(n, n);
  w->assign(static_cast<size_t>(n), 0.0);
  for (int64_t r = 0; r < n; ++r) {
    const int64_t col = order[static_cast<size_t>(r)];
    (*w)[static_cast<size_t>(r)] = s(col, col);
    int64_t big = 0;
    for (int64_t k = 0; k < n; ++k) {
      (*u)(r, k) = vecs(k, col);
      if (std::abs(vecs(k, col)) > std::abs(vecs(big, col))) big = k;
    }
    if ((*u)(r, big) < 0)
      for (int64_t k = 0; k < n; ++k) (*u)(r, k) = -(*u)(r, k);
  }
}

}  // namespace la
}  // namespace minerva
