// The casts that MXNet's automatic mixed precision (AMP) inserts into graphs: amp_cast, which
// casts only floating inputs of the AMP widths (float16, float32) and passes every other dtype
// through, and amp_multicast, which brings several inputs to one of those widths. Both are the
// identity on values that need no cast, and their gradients cast back to the input's dtype.
#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"

namespace minerva {
namespace {

bool is_amp_width(int t) { return t == static_cast<int>(DType::kFloat16) || t == static_cast<int>(DType::kFloat32); }

// amp_cast's target dtype; MXNet's bfloat16 exists in the parameter's values but not in Minerva.
int amp_target(const Attrs& attrs) {
  const std::string& name = attrs.get_str("dtype");
  MV_CHECK(name != "bfloat16", kType) << "Operator " << attrs.op->name
                                      << ": dtype 'bfloat16' is not supported (Minerva has no bfloat16 arrays)";
  return static_cast<int>(dtype_from_name(name));
}

void copy_cast(const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i].data == out[i].data && in[i].dtype == out[i].dtype) continue;  // ran in place
    cast_copy(in[i], out[i]);
  }
}

// The gradient of each input: its output gradient cast back to the input's dtype.
std::vector<Tensor> cast_back(const GradContext& g) {
  std::vector<Tensor> grads;
  for (size_t i = 0; i < g.inputs.size(); ++i) grads.push_back(op("_cast_like", {g.ograd(i), g.input(i)}));
  return grads;
}

OpSample amp_sample(std::vector<Shape> shapes, KeyValues params) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  return s;
}

}  // namespace

MV_REGISTER_OP(amp_cast)
    .describe("Cast function between low precision float/FP32 used by AMP. It casts only float16 and float32 "
              "inputs to `dtype`; inputs of any other dtype (float64, integers) pass through unchanged.\n\n"
              "Example::\n\n  amp_cast(float32 array, dtype='float16')  # float16\n"
              "  amp_cast(int32 array, dtype='float16')    # int32, unchanged")
    .input("data", "The input.")
    .enum_param("dtype", {"bfloat16", "float16", "float32", "float64", "int32", "int64", "int8", "uint8"}, "",
                "Output data type.")
    .set_infer_shape(infer_same_shape)
    .set_infer_type([](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
      const int target = amp_target(attrs);
      if ((*in)[0] < 0) return;
      (*out)[0] = is_amp_width((*in)[0]) ? target : (*in)[0];
    })
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      copy_cast(in, out);
    })
    .set_inplace(0, 0)
    .set_gradient(cast_back)
    .add_sample(amp_sample({{2, 3}}, {{"dtype", "float16"}}))
    .add_sample(amp_sample({{4}}, {{"dtype", "float32"}}));

MV_REGISTER_OP(amp_multicast)
    .describe("Cast function used by AMP, that casts its inputs to the common widest type. Only float16 and "
              "float32 inputs are cast; others pass through. Without cast_narrow the common type is float32 if "
              "any input is float32, else the dtype of the first input; with cast_narrow it is float16 if any "
              "input is float16, else float32 (MXNet 1.9.1's rule, kept as is).\n\n"
              "Example::\n\n  amp_multicast(float16 array, float32 array, num_outputs=2)  # both float32\n"
              "  amp_multicast(float16 array, float32 array, num_outputs=2, cast_narrow=True)  # both float16")
    .input("data", "Weights")
    .set_variadic("num_outputs")
    .required_param("num_outputs", ParamType::kInt, "Number of input/output pairs to be casted to the widest type.")
    .bounds(1, 1e6)
    .param("cast_narrow", ParamType::kBool, "False", "Whether to cast to the narrowest type")
    .set_num_outputs([](const Attrs& a) { return static_cast<int>(a.get_int("num_outputs")); })
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      for (size_t i = 0; i < in->size(); ++i) {
        if ((*in)[i].empty()) (*in)[i] = (*out)[i];
        else if (!(*out)[i].empty() && (*out)[i] != (*in)[i])
          shape_mismatch(attrs, "output " + std::to_string(i), (*in)[i], (*out)[i]);
        (*out)[i] = (*in)[i];
      }
    })
    .set_infer_type([](const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
      const bool narrow = attrs.get_bool("cast_narrow");
      const int f16 = static_cast<int>(DType::kFloat16), f32 = static_cast<int>(DType::kFloat32);
      // Note [amp_multicast's common type]: MXNet 1.9.1 starts from float32 with cast_narrow and
      // from the first input's dtype without; float32 (float16 with cast_narrow) anywhere wins.
      int common = narrow ? f32 : (*in)[0];
      for (size_t i = 0; i < in->size(); ++i) {
        if (!narrow && ((*in)[i] == f32 || (*out)[i] == f32)) common = f32;
        if (narrow && ((*in)[i] == f16 || (*out)[i] == f16)) common = f16;
      }
      for (size_t i = 0; i < in->size(); ++i) {
        if ((*in)[i] < 0) continue;
        (*out)[i] = is_amp_width((*in)[i]) && common >= 0 ? common : (*in)[i];
      }
    })
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      copy_cast(in, out);
    })
    .set_gradient(cast_back)
    .add_sample(amp_sample({{2, 3}, {4}}, {{"num_outputs", "2"}}))
    .add_sample(amp_sample({{3}}, {{"num_outputs", "1"}, {"cast_narrow", "True"}}));

}  // namespace minerva
