// Helpers shared by the random operators (core/ops/random.cc, random_sample.cc): dtype
// inference from the `dtype` parameter, filling an output from a generator, and the common
// parameters of the scalar-parameter samplers.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"

namespace minerva {

void creation_infer_shape(const Attrs& attrs, std::vector<Shape>* out);  // core/ops/creation.cc

// dtype=None keeps a caller-provided output's dtype, else `dflt`; the result must be one of `allowed`.
inline InferTypeFn sample_type(DType dflt, std::vector<DType> allowed) {
  return [dflt, allowed](const Attrs& attrs, std::vector<int>*, std::vector<int>* out) {
    int t = attrs.is_none("dtype") ? ((*out)[0] >= 0 ? (*out)[0] : static_cast<int>(dflt))
                                   : static_cast<int>(attrs.get_dtype("dtype"));
    bool ok = false;
    std::string names;
    for (DType a : allowed) {
      ok = ok || static_cast<int>(a) == t;
      names += (names.empty() ? "" : ", ") + std::string(dtype_name(a));
    }
    MV_CHECK(ok, kType) << "Operator " << attrs.op->name << ": dtype " << dtype_name(static_cast<DType>(t))
                        << " is not supported; use one of " << names;
    (*out)[0] = t;
  };
}

// Writes draw() into every element of out, in order, converted to the dtype. draw receives a
// null pointer of the element type as a tag, so it can round to that type itself.
template <typename Draw>
void fill_random(const TBlob& out, Draw draw) {
  MV_DTYPE_SWITCH(out.dtype, T, {
    T* o = out.ptr<T>();
    for (int64_t i = 0; i < out.size(); ++i) o[i] = draw(static_cast<T*>(nullptr));
  });
}

// A registry sample of a random operator: no gradient check, random draws are not functions
// of any input.
inline OpSample random_sample(std::vector<Shape> shapes, KeyValues params, double lo = -1.0, double hi = 1.0) {
  OpSample s = op_sample(std::move(shapes), std::move(params));
  s.lo = lo;
  s.hi = hi;
  s.grad_check = false;
  return s;
}

inline const std::vector<DType>& float_types() {
  static const std::vector<DType> types{DType::kFloat16, DType::kFloat32, DType::kFloat64};
  return types;
}

}  // namespace minerva

// The parameters every `_random_<distribution>` operator ends with, in MXNet's order (spliced into
// the declaration chain as `.MV_SAMPLE_PARAMS`).
#define MV_SAMPLE_PARAMS                                                                                       \
  param("shape", ParamType::kShape, "None", "Shape of the output.")                                            \
      .kind(ParamKind::kPerDim)                                                                               \
      .param("ctx", ParamType::kString, "",                                                                   \
             "Context of output, in format [cpu|gpu|cpu_pinned](n). Only used for imperative calls.")         \
      .param("dtype", ParamType::kDType, "None",                                                              \
             "DType of the output in case this can't be inferred. Defaults to float32 if not defined (dtype=None).")
