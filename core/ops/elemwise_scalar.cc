// Scalar forms of the binary operators: _plus_scalar ... _logical_xor_scalar, with MXNet 1.x's
// `scalar` (a double) and `is_int` parameters. As in MXNet 1.9, `is_int` only matters for
// integer inputs: when true (the default) the scalar is cast to the input's type (int32 + 2.5
// adds 2); when false the operation runs in float64 and so does the output.
#include "core/ops/elemwise_common.h"

namespace minerva {
namespace {

using elemwise::sample;
using elemwise::scalar_op;

const char* const kIsIntDoc = "Indicate whether scalar input is int type";

double scalar_of(const GradContext& g) { return g.attrs->get_float("scalar"); }

bool widens(const Attrs& attrs, int dtype) {
  return dtype >= 0 && !attrs.get_bool("is_int") && !dtype_is_float(static_cast<DType>(dtype));
}

void infer_scalar_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  if ((*in)[0] < 0) (*in)[0] = (*out)[0];
  if ((*in)[0] < 0) return;
  (*out)[0] = widens(attrs, (*in)[0]) ? static_cast<int>(DType::kFloat64) : (*in)[0];
}

template <class Op>
void scalar_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                    const std::vector<TBlob>& out) {
  const double s = attrs.get_float("scalar");
  const TBlob& x = in[0];
  const TBlob& y = out[0];
  const int64_t n = x.size();
  if (y.dtype != x.dtype) {  // an integer input with is_int=False
    double* o = y.ptr<double>();
    MV_DTYPE_SWITCH(x.dtype, T, {
      const T* a = x.ptr<T>();
      parallel_for(n, [&](int64_t i) { o[i] = Op::template apply<double>(static_cast<double>(a[i]), s); });
    });
    return;
  }
  MV_DTYPE_SWITCH(x.dtype, T, {
    using A = elemwise::acc_t<T>;
    // MXNet casts the scalar to the element type before computing.
    const A sv = elemwise::from_double<A>(s);
    const T* a = x.ptr<T>();
    T* o = y.ptr<T>();
    parallel_for(n, [&](int64_t i) { o[i] = static_cast<T>(Op::template apply<A>(A(a[i]), sv)); });
  });
}

// Comparisons are piecewise constant: MXNet gives them a zero gradient.
std::vector<Tensor> zero_grad(const GradContext& g) { return {elemwise::zeros_like(g.ograd())}; }

}  // namespace

MV_REGISTER_OP(_plus_scalar)
    .describe("Adds a scalar to every element: data + scalar.\n\n"
              "Example::\n\n  _plus_scalar([1, 2], scalar=3) = [4, 5]")
    .alias("_PlusScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Add>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd()}; })
    .add_sample(sample({{2, 3}}, {{"scalar", "0.7"}}));

MV_REGISTER_OP(_minus_scalar)
    .describe("Subtracts a scalar from every element: data - scalar.\n\n"
              "Example::\n\n  _minus_scalar([1, 2], scalar=3) = [-2, -1]")
    .alias("_MinusScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Sub>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd()}; })
    .add_sample(sample({{2, 3}}, {{"scalar", "0.7"}}));

MV_REGISTER_OP(_rminus_scalar)
    .describe("Subtracts every element from a scalar: scalar - data.\n\n"
              "Example::\n\n  _rminus_scalar([1, 2], scalar=3) = [2, 1]")
    .alias("_RMinusScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Reversed<elemwise::Sub>>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{-g.ograd()}; })
    .add_sample(sample({{2, 3}}, {{"scalar", "0.7"}}));

MV_REGISTER_OP(_mul_scalar)
    .describe("Multiplies every element by a scalar: data * scalar.\n\n"
              "Example::\n\n  _mul_scalar([1, 2], scalar=3) = [3, 6]")
    .alias("_MulScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Mul>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * scalar_of(g)}; })
    .add_sample(sample({{2, 3}}, {{"scalar", "0.7"}}));

MV_REGISTER_OP(_div_scalar)
    .describe("Divides every element by a scalar: data / scalar.\n\n"
              "Example::\n\n  _div_scalar([3, 6], scalar=3) = [1, 2]")
    .alias("_DivScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Div>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{scalar_op("_div_scalar", g.ograd(), scalar_of(g))};
    })
    .add_sample(sample({{2, 3}}, {{"scalar", "0.7"}}));

MV_REGISTER_OP(_rdiv_scalar)
    .describe("Divides a scalar by every element: scalar / data.\n\n"
              "Example::\n\n  _rdiv_scalar([1, 4], scalar=2) = [2, 0.5]")
    .alias("_RDivScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Reversed<elemwise::Div>>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      // d(s/x)/dx = -s/x^2 = -out/x.
      return std::vector<Tensor>{-(g.ograd() * g.output() / g.input())};
    })
    .add_sample(sample({{2, 3}}, {{"scalar", "0.7"}}, 0.5, 2.0));

MV_REGISTER_OP(_power_scalar)
    .describe("Raises every element to a scalar power: data ^ scalar.\n\n"
              "Example::\n\n  _power_scalar([2, 3], scalar=2) = [4, 9]")
    .alias("_PowerScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Pow>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      double s = scalar_of(g);
      return std::vector<Tensor>{g.ograd() * scalar_op("_power_scalar", g.input(), s - 1) * s};
    })
    .add_sample(sample({{2, 3}}, {{"scalar", "2.5"}}, 0.5, 2.0));

MV_REGISTER_OP(_rpower_scalar)
    .describe("Raises a scalar to the power of every element: scalar ^ data.\n\n"
              "Example::\n\n  _rpower_scalar([2, 3], scalar=2) = [4, 8]")
    .alias("_RPowerScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Reversed<elemwise::Pow>>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      // d(s^x)/dx = s^x * log(s).
      return std::vector<Tensor>{g.ograd() * g.output() * std::log(scalar_of(g))};
    })
    .add_sample(sample({{2, 3}}, {{"scalar", "1.5"}}));

MV_REGISTER_OP(_maximum_scalar)
    .describe("Element-wise maximum of data and a scalar (the gradient flows where data >= scalar).\n\n"
              "Example::\n\n  _maximum_scalar([1, 5], scalar=3) = [3, 5]")
    .alias("_MaximumScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Max>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{g.ograd() * scalar_op("_greater_equal_scalar", g.input(), scalar_of(g))};
    })
    .add_sample(sample({{2, 3}}, {{"scalar", "0.1"}}));

MV_REGISTER_OP(_minimum_scalar)
    .describe("Element-wise minimum of data and a scalar (the gradient flows where data <= scalar).\n\n"
              "Example::\n\n  _minimum_scalar([1, 5], scalar=3) = [1, 3]")
    .alias("_MinimumScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Min>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{g.ograd() * scalar_op("_lesser_equal_scalar", g.input(), scalar_of(g))};
    })
    .add_sample(sample({{2, 3}}, {{"scalar", "0.1"}}));

MV_REGISTER_OP(_mod_scalar)
    .describe("data mod scalar with Python's sign rule (the result has the sign of scalar; x mod 0 is 0).\n\n"
              "Example::\n\n  _mod_scalar([-5, 5], scalar=3) = [1, 2]")
    .alias("_ModScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Mod>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd()}; })
    .add_sample(sample({{2, 3}}, {{"scalar", "0.7"}}, 0.8, 1.3));

MV_REGISTER_OP(_rmod_scalar)
    .describe("scalar mod data with Python's sign rule (the result has the sign of data; x mod 0 is 0).\n\n"
              "Example::\n\n  _rmod_scalar([2, -2], scalar=5) = [1, -1]")
    .alias("_RModScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Reversed<elemwise::Mod>>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) {
      // s mod x = s - floor(s / x) * x.
      Tensor q = op("floor", {scalar_op("_rdiv_scalar", g.input(), scalar_of(g))});
      return std::vector<Tensor>{-(g.ograd() * q)};
    })
    .add_sample(sample({{2, 3}}, {{"scalar", "1.5"}}, 0.8, 1.4));

MV_REGISTER_OP(_hypot_scalar)
    .describe("sqrt(data^2 + scalar^2) element-wise.\n\nExample::\n\n  _hypot_scalar([3, 5], scalar=4) = [5, 6.40312]")
    .alias("_HypotScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Hypot>)
    .set_inplace(0, 0)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * g.input() / g.output()}; })
    .add_sample(sample({{2, 3}}, {{"scalar", "0.7"}}));

// ---- comparisons and logical operators: 1/0 in the input dtype, zero gradients --------------

MV_REGISTER_OP(_equal_scalar)
    .describe("Returns data == scalar element-wise as 1/0 in the input dtype.\n\n"
              "Example::\n\n  _equal_scalar([1, 2], scalar=2) = [0, 1]")
    .alias("_EqualScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Equal>)
    .set_inplace(0, 0)
    .set_gradient(zero_grad)
    .add_sample(sample({{2, 3}}, {{"scalar", "0.1"}}));

MV_REGISTER_OP(_not_equal_scalar)
    .describe("Returns data != scalar element-wise as 1/0 in the input dtype.\n\n"
              "Example::\n\n  _not_equal_scalar([1, 2], scalar=2) = [1, 0]")
    .alias("_NotEqualScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::NotEqual>)
    .set_inplace(0, 0)
    .set_gradient(zero_grad)
    .add_sample(sample({{2, 3}}, {{"scalar", "0.1"}}));

MV_REGISTER_OP(_greater_scalar)
    .describe("Returns data > scalar element-wise as 1/0 in the input dtype.\n\n"
              "Example::\n\n  _greater_scalar([1, 3], scalar=2) = [0, 1]")
    .alias("_GreaterScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Greater>)
    .set_inplace(0, 0)
    .set_gradient(zero_grad)
    .add_sample(sample({{2, 3}}, {{"scalar", "0.1"}}));

MV_REGISTER_OP(_greater_equal_scalar)
    .describe("Returns data >= scalar element-wise as 1/0 in the input dtype.\n\n"
              "Example::\n\n  _greater_equal_scalar([1, 2], scalar=2) = [0, 1]")
    .alias("_GreaterEqualScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::GreaterEqual>)
    .set_inplace(0, 0)
    .set_gradient(zero_grad)
    .add_sample(sample({{2, 3}}, {{"scalar", "0.1"}}));

MV_REGISTER_OP(_lesser_scalar)
    .describe("Returns data < scalar element-wise as 1/0 in the input dtype.\n\n"
              "Example::\n\n  _lesser_scalar([1, 3], scalar=2) = [1, 0]")
    .alias("_LesserScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::Lesser>)
    .set_inplace(0, 0)
    .set_gradient(zero_grad)
    .add_sample(sample({{2, 3}}, {{"scalar", "0.1"}}));

MV_REGISTER_OP(_lesser_equal_scalar)
    .describe("Returns data <= scalar element-wise as 1/0 in the input dtype.\n\n"
              "Example::\n\n  _lesser_equal_scalar([2, 3], scalar=2) = [1, 0]")
    .alias("_LesserEqualScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::LesserEqual>)
    .set_inplace(0, 0)
    .set_gradient(zero_grad)
    .add_sample(sample({{2, 3}}, {{"scalar", "0.1"}}));

MV_REGISTER_OP(_logical_and_scalar)
    .describe("Returns data AND scalar (nonzero is true) element-wise as 1/0 in the input dtype.\n\n"
              "Example::\n\n  _logical_and_scalar([0, 2], scalar=1) = [0, 1]")
    .alias("_LogicalAndScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::LogicalAnd>)
    .set_inplace(0, 0)
    .set_gradient(zero_grad)
    .add_sample(sample({{2, 3}}, {{"scalar", "0.1"}}));

MV_REGISTER_OP(_logical_or_scalar)
    .describe("Returns data OR scalar (nonzero is true) element-wise as 1/0 in the input dtype.\n\n"
              "Example::\n\n  _logical_or_scalar([0, 2], scalar=0) = [0, 1]")
    .alias("_LogicalOrScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::LogicalOr>)
    .set_inplace(0, 0)
    .set_gradient(zero_grad)
    .add_sample(sample({{2, 3}}, {{"scalar", "0.1"}}));

MV_REGISTER_OP(_logical_xor_scalar)
    .describe("Returns data XOR scalar (nonzero is true) element-wise as 1/0 in the input dtype.\n\n"
              "Example::\n\n  _logical_xor_scalar([0, 2], scalar=1) = [1, 0]")
    .alias("_LogicalXorScalar")
    .input("data", "source input")
    .param("scalar", ParamType::kFloat, "1", "Scalar input value")
    .param("is_int", ParamType::kBool, "True", kIsIntDoc)
    .set_infer_shape(infer_same_shape)
    .set_infer_type(infer_scalar_type)
    .set_forward(scalar_forward<elemwise::LogicalXor>)
    .set_inplace(0, 0)
    .set_gradient(zero_grad)
    .add_sample(sample({{2, 3}}, {{"scalar", "0.1"}}));

}  // namespace minerva
