// Pieces shared by the _linalg_* operators (core/ops/linalg_la.cc) and their backward kernels
// (core/ops/linalg_la_backward.cc).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"
#include "core/ops/linalg_dense.h"

namespace minerva {
namespace la {

// float32 or float64 everywhere, as MXNet's LAPACK-backed operators.
void la_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out);
Layout matrices(const Shape& s);              // the last two axes are the matrix
Layout vectors(int64_t batch, int64_t len);   // one row of `len` numbers per batch entry
Shape batch_shape(const Shape& s);            // s without its last two axes
void check_matrix(const Attrs& attrs, const Shape& s, const char* what, bool square);
void check_same(const Attrs& attrs, const Shape& expected, const Shape& got, const char* what);

// Calls body(batch index, input matrices) -> output matrices for each batch entry, reading the
// inputs and writing the outputs through their layouts (in double).
using MatFn = std::function<std::vector<Mat>(int64_t, const std::vector<Mat>&)>;
void run_batched(const std::vector<TBlob>& in, const std::vector<Layout>& in_l, const std::vector<TBlob>& out,
                 const std::vector<Layout>& out_l, int64_t batch, const MatFn& body);

// trmm / trsm: A square triangular, B with A's size on the multiplied side; out like B.
void triangular_pair_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out);
void trmm_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out);
void trsm_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out);

}  // namespace la
}  // namespace minerva
