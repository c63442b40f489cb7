// fill_element_0index, one of MXNet's legacy NDArray functions: writes one element per row of a
// matrix, at a column read from an index vector, with a value read from a value vector.
#include <cmath>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"

namespace minerva {
namespace {

// lhs is (rows, cols), mhs and rhs are (rows,); the output has lhs's shape.
void fill_element_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& lhs = (*in)[0];
  if (lhs.empty()) return;
  if (lhs.size() != 2) shape_mismatch(attrs, "input 'lhs' (a 2-D matrix)", Shape{-1, -1}, lhs);
  for (int i = 1; i < 3; ++i) {
    Shape& v = (*in)[static_cast<size_t>(i)];
    const Shape want{lhs[0]};
    if (v.empty()) v = want;
    else if (v != want) shape_mismatch(attrs, std::string("input '") + (i == 1 ? "mhs" : "rhs") + "' (one per row of lhs)", want, v);
  }
  (*out)[0] = lhs;
}

}  // namespace

MV_REGISTER_OP(fill_element_0index)
    .describe("Fill one element of each line (row for python, column for R/Julia) in lhs according to the index "
              "in rhs and the value in mhs; rhs holds 0-based column indices (a fractional index is truncated).\n\n"
              "Example::\n\n"
              "  lhs = [[1, 2, 3], [4, 5, 6]]\n"
              "  fill_element_0index(lhs, mhs=[10, 20], rhs=[2, 0]) = [[1, 2, 10], [20, 5, 6]]")
    .input("lhs", "Left operand to the function.")
    .input("mhs", "Middle operand to the function.")
    .input("rhs", "Right operand to the function.")
    .set_infer_shape(fill_element_shape)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const TBlob& lhs = in[0];
      const int64_t rows = lhs.shape[0], cols = lhs.shape[1];
      if (out[0].data != lhs.data) cast_copy(lhs, out[0]);
      MV_FLOAT_SWITCH(lhs.dtype, attrs.op->name, T, {
        const T* value = in[1].ptr<T>();
        const T* index = in[2].ptr<T>();
        T* o = out[0].ptr<T>();
        // Check every index before writing, so a bad one leaves the output a plain copy of lhs.
        for (int64_t r = 0; r < rows; ++r) {
          const double c = std::trunc(static_cast<double>(index[r]));
          MV_CHECK(std::isfinite(c) && c >= 0 && c < static_cast<double>(cols), kIndex)
              << "Operator fill_element_0index: rhs[" << r << "] = " << static_cast<double>(index[r])
              << " is not a column index of lhs, which has " << cols << " columns";
        }
        for (int64_t r = 0; r < rows; ++r) o[r * cols + static_cast<int64_t>(index[r])] = value[r];
      });
    })
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample([] {
      OpSample s = op_sample({Shape{4, 3}, Shape{4}, Shape{4}});
      s.index_inputs = {2};
      s.index_high = 3;
      s.grad_check = false;
      return s;
    }());

}  // namespace minerva
