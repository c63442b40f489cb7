#include "core/kernels/blas/gemm.h"

#include <cblas.h>
#include <omp.h>

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

namespace {

// Note [One threading layer]
// OpenBLAS's own (pthread) workers spin after each call, and an OpenMP region that follows runs
// at a fraction of its speed while they do: a symbolic MLP step took 17 ms with 2 OpenBLAS
// threads and 2.2 ms with one (bench/README pitfall). So OpenBLAS runs single-threaded and a
// large product is cut into row or column blocks of C, one single-threaded BLAS call per
// OpenMP thread: OpenMP is the only layer that owns threads (OMP_NUM_THREADS).
void use_single_threaded_blas() {
  static const bool once = [] {
    openblas_set_num_threads(1);
    return true;
  }();
  (void)once;
}

// Products below this many multiply-adds run as one call: splitting costs more than it saves.
constexpr int64_t kSplitWork = int64_t{1} << 21;

void blas_call(DType dtype, const GemmArgs& g) {
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

// Block `part` of `parts` of C along its longer side: rows of C are rows of op(A), columns of C
// are columns of op(B); the block keeps the leading dimensions and moves the base pointers.
GemmArgs block_of(const GemmArgs& g, int64_t es, int part, int parts) {
  GemmArgs b = g;
  const bool by_rows = g.m >= g.n;
  const int64_t len = by_rows ? g.m : g.n;
  const int64_t begin = len * part / parts, end = len * (part + 1) / parts;
  if (by_rows) {
    b.m = end - begin;
    b.a = static_cast<const char*>(g.a) + (g.trans_a ? begin : begin * g.lda) * es;
    b.c = static_cast<char*>(g.c) + begin * g.ldc * es;
  } else {
    b.n = end - begin;
    b.b = static_cast<const char*>(g.b) + (g.trans_b ? begin * g.ldb : begin) * es;
    b.c = static_cast<char*>(g.c) + begin * es;
  }
  return b;
}

}  // namespace

void gemm(DType dtype, const GemmArgs& g, const char* who) {
  bool blas_type = dtype == DType::kFloat32 || dtype == DType::kFloat64;
  if (!blas_type || g.m == 0 || g.n == 0 || g.k == 0 || !fits_blas_int(g)) return gemm_reference(dtype, g, who);
  use_single_threaded_blas();
  const int64_t work = g.m * g.n * g.k;
  const int64_t longer = std::max(g.m, g.n);
  const int parts = static_cast<int>(std::min<int64_t>(omp_get_max_threads(), longer));
  if (work < kSplitWork || parts < 2 || omp_in_parallel()) return blas_call(dtype, g);
  const int64_t es = static_cast<int64_t>(dtype_size(dtype));
#pragma omp parallel for num_threads(parts) schedule(static)
  for (int p = 0; p < parts; ++p) blas_call(dtype, block_of(g, es, p, parts));
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
