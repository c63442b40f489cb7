// khatri_rao: the column-wise Kronecker product of matrices with a common number of columns.
// MXNet 1.9.1 declares no gradient for it; neither does Minerva.
#include "core/ops/layout_util.h"
#include "core/ops/tensor_util.h"

namespace minerva {

MV_REGISTER_OP(khatri_rao)
    .describe(
        "Column-wise Kronecker product of matrices A1 (M1, N), ..., Ak (Mk, N): an (M1 * ... * Mk, N) matrix whose "
        "column n is the Kronecker product of the inputs' columns n (the first input varies slowest). "
        "Floating-point inputs; not differentiable, as in MXNet.\n\n"
        "Example::\n\n  A = [[1, -1], [2, -3]], B = [[1, 4], [2, 5], [3, 6]]\n"
        "  khatri_rao(A, B) = [[1, -4], [2, -5], [3, -6], [2, -12], [4, -15], [6, -18]]")
    .input("args", "Positional input matrices")
    .set_variadic("num_args")
    .required_param("num_args", ParamType::kInt, "Number of input matrices.")
    .bounds(1, 1e9)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      int64_t rows = 1, cols = -1;
      for (size_t i = 0; i < in->size(); ++i) {
        const Shape& s = (*in)[i];
        if (s.empty()) return;
        MV_CHECK(s.size() == 2, kValue) << "Operator khatri_rao: input " << i << " must be a matrix, got shape "
                                        << shape_str(s);
        MV_CHECK(cols < 0 || s[1] == cols, kValue) << "Operator khatri_rao: input " << i << " has " << s[1]
                                                   << " columns, but input 0 has " << cols;
        cols = s[1];
        rows = checked_mul(attrs, rows, s[0], "the number of output rows");
      }
      (*out)[0] = Shape{rows, cols};
      shape_size((*out)[0]);
    })
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const int64_t rows = out[0].shape[0], cols = out[0].shape[1];
      MV_FLOAT_SWITCH(out[0].dtype, "khatri_rao", T, {
        T* o = out[0].ptr<T>();
        parallel_for(rows, [&](int64_t r) {
          for (int64_t n = 0; n < cols; ++n) o[r * cols + n] = static_cast<T>(1);
          // Row r splits into one row index per input, the last input varying fastest.
          int64_t rem = r;
          for (size_t k = in.size(); k-- > 0;) {
            const int64_t m = in[k].shape[0], i = rem % m;
            rem /= m;
            const T* a = in[k].ptr<T>() + i * cols;
            for (int64_t n = 0; n < cols; ++n) o[r * cols + n] = static_cast<T>(o[r * cols + n] * a[n]);
          }
        }, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, cols)));
      });
    })
    .set_non_differentiable()
    .add_sample(op_sample({{2, 3}, {4, 3}}, {{"num_args", "2"}}))
    .add_sample(op_sample({{2, 2}, {3, 2}, {2, 2}}, {{"num_args", "3"}}));

}  // namespace minerva
