// Helpers shared by the detection operators of mx.nd.contrib (contrib_multibox.cc,
// contrib_proposal.cc): MXNet 1.9.1's float32-only dtype rule, its zero gradients, and
// float-tuple parameters of a fixed length.
#pragma once
#include <string>
#include <vector>

#include "core/op/grad.h"
#include "core/op/op.h"
#include "core/ops/image_util.h"

namespace minerva {

// MXNet gives these operators a zero gradient for every input.
inline std::vector<Tensor> zero_gradients(const GradContext& g) {
  std::vector<Tensor> grads;
  for (const Tensor& x : g.inputs) grads.push_back(op("zeros_like", {x}));
  return grads;
}

// MXNet 1.9.1 runs these operators on float32 only. Minerva also takes float64 (the registry's
// samples and numeric checks run in float64); every other dtype is an error naming the input.
// All inputs and outputs share one dtype.
inline void detection_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  const auto names = attrs.op->inputs_for(attrs);
  for (size_t i = 0; i < in->size(); ++i) {
    const int t = (*in)[i];
    MV_CHECK(t < 0 || t == static_cast<int>(DType::kFloat32) || t == static_cast<int>(DType::kFloat64), kType)
        << "Operator " << attrs.op->name << ": input '" << names.at(i) << "' must be float32 (as in MXNet 1.9.1) or "
        << "float64, got " << dtype_name(static_cast<DType>(t));
  }
  infer_same_type(attrs, in, out);
}

// A float-tuple parameter that must hold exactly `count` values.
inline std::vector<double> float_tuple_of(const Attrs& attrs, const char* name, size_t count) {
  std::vector<double> v = image_float_tuple(attrs, name);
  MV_CHECK(v.size() == count, kValue) << "Operator " << attrs.op->name << ": parameter '" << name << "' must have "
                                      << count << " values, got " << attrs.get_str(name) << " (" << v.size()
                                      << " values)";
  return v;
}

}  // namespace minerva
