// A small row-major GEMM used by dot, batch_dot and FullyConnected (STYLE rule 14): the fast
// path is OpenBLAS for float32/float64, and one plain reference loop serves the other dtypes and
// the tests that compare the fast path against it.
//
//   C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C[m, n]
//
// op(X) is X or X^T. A, B and C are row-major; lda, ldb and ldc are the row strides (in
// elements) of the matrices as stored, so a transposed A is stored as k rows of lda >= m.
#pragma once
#include <cstdint>
#include <type_traits>

#include "core/base/types.h"

namespace minerva {
namespace blas {

struct GemmArgs {
  bool trans_a = false, trans_b = false;
  int64_t m = 0, n = 0, k = 0;
  double alpha = 1.0, beta = 0.0;  // beta = 0 overwrites C (NaNs in C do not leak through)
  const void* a = nullptr;
  int64_t lda = 0;
  const void* b = nullptr;
  int64_t ldb = 0;
  void* c = nullptr;
  int64_t ldc = 0;
};

// Dispatches on dtype: OpenBLAS for float32/float64, the reference loop otherwise. bool is a
// kType error naming `who` (the operator).
void gemm(DType dtype, const GemmArgs& args, const char* who);

// The reference loop for every dtype but bool. Accumulates in double for floating types (float16
// included) and in int64 for integers, then converts once on store.
void gemm_reference(DType dtype, const GemmArgs& args, const char* who);

// gemm() on float or double pointers, C = op(A) op(B) + beta C, with the dtype taken from T: the
// form the im2col-style kernels (Convolution, RNN) call in their loops.
template <typename T>
void gemm_typed(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b,
                int64_t ldb, double beta, T* c, int64_t ldc, const char* who) {
  static_assert(std::is_same<T, float>::value || std::is_same<T, double>::value, "gemm_typed: float or double");
  GemmArgs args;
  args.trans_a = trans_a;
  args.trans_b = trans_b;
  args.m = m;
  args.n = n;
  args.k = k;
  args.a = a;
  args.lda = lda;
  args.b = b;
  args.ldb = ldb;
  args.beta = beta;
  args.c = c;
  args.ldc = ldc;
  gemm(std::is_same<T, double>::value ? DType::kFloat64 : DType::kFloat32, args, who);
}

// `batch` independent products; matrix i starts at a + i * stride_a elements (likewise b, c).
void gemm_batched(DType dtype, const GemmArgs& args, int64_t batch, int64_t stride_a, int64_t stride_b,
                  int64_t stride_c, const char* who);

}  // namespace blas
}  // namespace minerva
