// Same-shape binary operators: elemwise_add/sub/mul/div, _power, _maximum, _minimum, _mod,
// _hypot, the comparisons (_equal...) and the logical operators (_logical_and...). The
// broadcasting forms live in broadcast_binary.cc and the scalar forms in elemwise_scalar.cc; all
// three share the functors of elemwise_common.h.
#include "core/ops/elemwise_common.h"

namespace minerva {
namespace {

using elemwise::binary_forward;
using elemwise::sample;
using elemwise::zeros_like;

// Comparisons and logical operators are piecewise constant: MXNet gives both inputs a zero
// gradient (rather than refusing to differentiate), so a graph through them still runs.
std::vector<Tensor> zero_grads(const GradContext& g) {
  Tensor z = zeros_like(g.ograd());
  return {z, z};
}

const std::vector<Shape> kPair = {{2, 3}, {2, 3}};

}  // namespace

MV_REGISTER_OP(elemwise_add)
    .describe("Adds arguments element-wise; both inputs must have the same shape.\n\n"
              "Example::\n\n  elemwise_add([1, 2], [3, 4]) = [4, 6]")
    .alias("_add").alias("_plus").alias("_Plus")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::Add>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd(), g.ograd()}; })
    .add_sample(sample(kPair));

MV_REGISTER_OP(elemwise_sub)
    .describe("Subtracts arguments element-wise; both inputs must have the same shape.\n\n"
              "Example::\n\n  elemwise_sub([5, 2], [3, 4]) = [2, -2]")
    .alias("_sub").alias("_minus").alias("_Minus")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::Sub>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd(), -g.ograd()}; })
    .add_sample(sample(kPair));

MV_REGISTER_OP(elemwise_mul)
    .describe("Multiplies arguments element-wise; both inputs must have the same shape.\n\n"
              "Example::\n\n  elemwise_mul([1, 2], [3, 4]) = [3, 8]")
    .alias("_mul").alias("_Mul")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::Mul>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{g.ograd() * g.input(1), g.ograd() * g.input(0)};
    })
    .add_sample(sample(kPair));

MV_REGISTER_OP(elemwise_div)
    .describe("Divides arguments element-wise; both inputs must have the same shape. Integer division\n"
              "truncates toward zero; an integer division by zero gives 0.\n\n"
              "Example::\n\n  elemwise_div([3, 8], [2, 4]) = [1.5, 2]")
    .alias("_div").alias("_Div")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::Div>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient([](const GradContext& g) {
      Tensor a = g.input(0), b = g.input(1), og = g.ograd();
      return std::vector<Tensor>{og / b, -(og * a) / (b * b)};  // d(a/b)/db = -a/b^2
    })
    .add_sample(sample(kPair, {}, 0.5, 2.0));

MV_REGISTER_OP(_power)
    .describe("First array raised to the powers of the second, element-wise (same shapes).\n\n"
              "Example::\n\n  _power([2, 3], [3, 2]) = [8, 9]")
    .alias("_Power")
    .input("lhs", "base").input("rhs", "exponent")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::Pow>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient([](const GradContext& g) {
      Tensor a = g.input(0), b = g.input(1), og = g.ograd();
      // d(a^b)/da = b * a^(b-1); d(a^b)/db = a^b * log(a).
      return std::vector<Tensor>{og * b * op("_power", {a, b + (-1.0)}), og * g.output() * op("log", {a})};
    })
    .add_sample(sample(kPair, {}, 0.5, 2.0));

MV_REGISTER_OP(_maximum)
    .describe("Element-wise maximum of two same-shape arrays. On ties the gradient goes to lhs.\n\n"
              "Example::\n\n  _maximum([1, 5], [3, 2]) = [3, 5]")
    .alias("_Maximum")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::Max>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient([](const GradContext& g) {
      Tensor a = g.input(0), b = g.input(1), og = g.ograd();
      return std::vector<Tensor>{og * op("_greater_equal", {a, b}), og * op("_lesser", {a, b})};
    })
    .add_sample(sample(kPair));

MV_REGISTER_OP(_minimum)
    .describe("Element-wise minimum of two same-shape arrays. On ties the gradient goes to lhs.\n\n"
              "Example::\n\n  _minimum([1, 5], [3, 2]) = [1, 2]")
    .alias("_Minimum")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::Min>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient([](const GradContext& g) {
      Tensor a = g.input(0), b = g.input(1), og = g.ograd();
      return std::vector<Tensor>{og * op("_lesser_equal", {a, b}), og * op("_greater", {a, b})};
    })
    .add_sample(sample(kPair));

MV_REGISTER_OP(_mod)
    .describe("Element-wise modulo with Python's sign rule: the result has the sign of rhs; x mod 0 is 0.\n\n"
              "Example::\n\n  _mod([-5, 5, 5.5], [3, -3, 2]) = [1, -1, 1.5]")
    .alias("_Mod")
    .input("lhs", "dividend").input("rhs", "divisor")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::Mod>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient([](const GradContext& g) {
      Tensor a = g.input(0), b = g.input(1), og = g.ograd();
      // a mod b = a - floor(a / b) * b.
      return std::vector<Tensor>{og, -(og * op("floor", {a / b}))};
    })
    // Both in [1.1, 1.9]: floor(a / b) is 0 or 1, so both gradient branches are checked; the
    // jump at a == b is hit with negligible probability.
    .add_sample(sample(kPair, {}, 1.1, 1.9));

MV_REGISTER_OP(_hypot)
    .describe("Hypotenuse of a right triangle with legs lhs and rhs: sqrt(lhs^2 + rhs^2), element-wise.\n\n"
              "Example::\n\n  _hypot([3, 5], [4, 12]) = [5, 13]")
    .alias("_Hypot")
    .input("lhs", "first leg").input("rhs", "second leg")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::Hypot>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient([](const GradContext& g) {
      Tensor og = g.ograd() / g.output();
      return std::vector<Tensor>{og * g.input(0), og * g.input(1)};
    })
    .add_sample(sample(kPair, {}, 0.5, 2.0));

// ---- comparisons: 1 where the relation holds, else 0, in the input dtype ---------------------

MV_REGISTER_OP(_equal)
    .describe("Returns lhs == rhs element-wise as 1/0 in the input dtype (same shapes).\n\n"
              "Example::\n\n  _equal([1, 2], [1, 3]) = [1, 0]")
    .alias("_Equal")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::Equal>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient(zero_grads)
    .add_sample(sample(kPair));

MV_REGISTER_OP(_not_equal)
    .describe("Returns lhs != rhs element-wise as 1/0 in the input dtype (same shapes).\n\n"
              "Example::\n\n  _not_equal([1, 2], [1, 3]) = [0, 1]")
    .alias("_Not_Equal")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::NotEqual>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient(zero_grads)
    .add_sample(sample(kPair));

MV_REGISTER_OP(_greater)
    .describe("Returns lhs > rhs element-wise as 1/0 in the input dtype (same shapes).\n\n"
              "Example::\n\n  _greater([1, 4], [2, 3]) = [0, 1]")
    .alias("_Greater")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::Greater>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient(zero_grads)
    .add_sample(sample(kPair));

MV_REGISTER_OP(_greater_equal)
    .describe("Returns lhs >= rhs element-wise as 1/0 in the input dtype (same shapes).\n\n"
              "Example::\n\n  _greater_equal([1, 3], [2, 3]) = [0, 1]")
    .alias("_Greater_Equal")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::GreaterEqual>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient(zero_grads)
    .add_sample(sample(kPair));

MV_REGISTER_OP(_lesser)
    .describe("Returns lhs < rhs element-wise as 1/0 in the input dtype (same shapes).\n\n"
              "Example::\n\n  _lesser([1, 4], [2, 3]) = [1, 0]")
    .alias("_Lesser")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::Lesser>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient(zero_grads)
    .add_sample(sample(kPair));

MV_REGISTER_OP(_lesser_equal)
    .describe("Returns lhs <= rhs element-wise as 1/0 in the input dtype (same shapes).\n\n"
              "Example::\n\n  _lesser_equal([1, 4], [1, 3]) = [1, 0]")
    .alias("_Lesser_Equal")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::LesserEqual>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient(zero_grads)
    .add_sample(sample(kPair));

// ---- logical operators: nonzero is true; the result is 1/0 in the input dtype ----------------

MV_REGISTER_OP(_logical_and)
    .describe("Logical AND of two same-shape arrays, element-wise (nonzero is true).\n\n"
              "Example::\n\n  _logical_and([1, 0, 2], [1, 1, 0]) = [1, 0, 0]")
    .alias("_Logical_And")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::LogicalAnd>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient(zero_grads)
    .add_sample(sample(kPair));

MV_REGISTER_OP(_logical_or)
    .describe("Logical OR of two same-shape arrays, element-wise (nonzero is true).\n\n"
              "Example::\n\n  _logical_or([1, 0, 0], [0, 0, 2]) = [1, 0, 1]")
    .alias("_Logical_Or")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::LogicalOr>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient(zero_grads)
    .add_sample(sample(kPair));

MV_REGISTER_OP(_logical_xor)
    .describe("Logical XOR of two same-shape arrays, element-wise (nonzero is true).\n\n"
              "Example::\n\n  _logical_xor([1, 0, 2], [1, 1, 0]) = [0, 1, 1]")
    .alias("_Logical_Xor")
    .input("lhs", "first input").input("rhs", "second input")
    .set_infer_shape(infer_same_shape)
    .set_forward(binary_forward<elemwise::LogicalXor>)
    .set_inplace(0, 0).set_inplace(1, 0)
    .set_gradient(zero_grads)
    .add_sample(sample(kPair));

}  // namespace minerva
