#include "core/kernels/blas/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <type_traits>
#include <vector>

#include "core/op/kernel_util.h"

namespace minerva {
namespace blas {

namespace {

// double for floating types (float16 included), int64 for integers.
template <typename T>
using AccOf = std::conditional_t<std::is_integral<T>::value, int64_t, double>;

template <typename T>
void gemm_loop(const GemmArgs& g) {
  using Acc = AccOf<T>;
  const T* a = static_cast<const T*>(g.a);
  const T* b = static_cast<const T*>(g.b);
  T* c = static_cast<T*>(g.c);
  const int64_t n = g.n, k = g.k;
  // Row i of C accumulates sum_p A(i, p) * B(p, :), so the inner loop walks a row of B when B
  // is not transposed; the loop order is the readable one otherwise.
  int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, n * k));
  parallel_for(
      g.m,
      [&](int64_t i) {
        std::vector<Acc> acc(static_cast<size_t>(n), Acc(0));
        for (int64_t p = 0; p < k; ++p) {
          Acc aip = static_cast<Acc>(g.trans_a ? a[p * g.lda + i] : a[i * g.lda + p]);
          if (g.trans_b) {
            for (int64_t j = 0; j < n; ++j) acc[j] += aip * static_cast<Acc>(b[j * g.ldb + p]);
          } else {
            const T* brow = b + p * g.ldb;
            for (int64_t j = 0; j < n; ++j) acc[j] += aip * static_cast<Acc>(brow[j]);
          }
        }
        T* crow = c + i * g.ldc;
        for (int64_t j = 0; j < n; ++j) {
          if constexpr (std::is_integral<T>::value) {  // integers wrap like C arithmetic
            int64_t v = static_cast<int64_t>(acc[j]) * static_cast<int64_t>(g.alpha);
            if (g.beta != 0) v += static_cast<int64_t>(g.beta) * static_cast<int64_t>(crow[j]);
            crow[j] = static_cast<T>(v);
          } else {
            double v = acc[j] * g.alpha;
            if (g.beta != 0) v += g.beta * static_cast<double>(crow[j]);
            crow[j] = static_cast<T>(v);
          }
        }
      },
      grain);
}

// C = beta * C when there is nothing to multiply (k == 0), without reading C when beta == 0.
void scale_c(DType dtype, const GemmArgs& g) {
  for (int64_t i = 0; i < g.m; ++i) {
    TBlob row{static_cast<char*>(g.c) + i * g.ldc * static_cast<int64_t>(dtype_size(dtype)), Shape{g.n}, dtype};
    if (g.beta == 0) {
      fill_blob(row, 0.0);
    } else {
      MV_DTYPE_SWITCH(dtype, T, {
        T* r = row.ptr<T>();
        for (int64_t j = 0; j < g.n; ++j) {
          double v = g.beta * static_cast<double>(r[j]);
          r[j] = static_cast<T>(v);
        }
      });
    }
  }
}

bool fits_blas_int(const GemmArgs& g) {
  for (int64_t v : {g.m, g.n, g.k, g.lda, g.ldb, g.ldc})
    if (v > INT_MAX) return false;
  return true;
}

}  // namespace

void gemm_reference(DType dtype, const GemmArgs& g, const char* who) {
  MV_CHECK(dtype != DType::kBool, kType) << "Operator " << who << " does not support bool inputs";
  if (g.m == 0 || g.n == 0) return;
  if (g.k == 0) return scale_c(dtype, g);
  switch (dtype) {
    case DType::kFloat32: gemm_loop<float>(g); break;
    case DType::kFloat64: gemm_loop<double>(g); break;
    case DType::kFloat16: gemm_loop<half_t>(g); break;
    case DType::kUint8: gemm_loop<uint8_t>(g); break;
    case DType::kInt8: gemm_loop<int8_t>(g); break;
    case DType::kInt32: gemm_loop<int32_t>(g); break;
    case DType::kInt64: gemm_loop<int64_t>(g); break;
    default: MV_THROW(kType) << "Operator " << who << ": unsupported dtype " << dtype_name(dtype);
  }
}

void gemm(DType dtype, const GemmArgs& g, const char* who) {
  bool blas_type = dtype == DType::kFloat32 || dtype == DType::kFloat64;
  if (!blas_type || g.m == 0 || g.n == 0 || g.k == 0 || !fits_blas_int(g)) return gemm_reference(dtype, g, who);
  auto ta = g.trans_a ? CblasTrans : CblasNoTrans, tb = g.trans_b ? CblasTrans : CblasNoTrans;
  int m = static_cast<int>(g.m), n = static_cast<int>(g.n), k = static_cast<int>(g.k);
  int lda = static_cast<int>(g.lda), ldb = static_cast<int>(g.ldb), ldc = static_cast<int>(g.ldc);
  if (dtype == DType::kFloat32) {
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, static_cast<float>(g.alpha), static_cast<const float*>(g.a), lda,
                static_cast<const float*>(g.b), ldb, static_cast<float>(g.beta), static_cast<float*>(g.c), ldc);
  } else {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, g.alpha, static_cast<const double*>(g.a), lda,
                static_cast<const double*>(g.b), ldb, g.beta, static_cast<double*>(g.c), ldc);
  }
}

void gemm_batched(DType dtype, const GemmArgs& args, int64_t batch, int64_t stride_a, int64_t stride_b,
                  int64_t stride_c, const char* who) {
  const int64_t es = static_cast<int64_t>(dtype_size(dtype));
  for (int64_t i = 0; i < batch; ++i) {
    GemmArgs g = args;
    g.a = static_cast<const char*>(args.a) + i * stride_a * es;
    g.b = static_cast<const char*>(args.b) + i * stride_b * es;
    g.c = static_cast<char*>(args.c) + i * stride_c * es;
    gemm(dtype, g, who);
  }
}

}  // namespace blas
}  // namespace minerva
