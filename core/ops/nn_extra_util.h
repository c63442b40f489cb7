// Helpers shared by the loss layers, normalizations and spatial operators of MXNet 1.x that
// live in nn_regression.cc, nn_normalize.cc, nn_upsample_crop.cc and nn_spatial.cc. Their
// reference kernels compute in double: these layers are small next to convolutions, and one
// double loop per op serves float16, float32 and float64 alike (STYLE rule 13).
#pragma once
#include <string>
#include <vector>

#include "core/op/kernel_util.h"
#include "core/op/op.h"

namespace minerva {

// Any array's values as doubles.
inline std::vector<double> blob_doubles(const TBlob& b) {
  std::vector<double> v(static_cast<size_t>(b.size()));
  cast_copy(b, TBlob{v.data(), b.shape, DType::kFloat64});
  return v;
}

// Writes doubles into dst, converting to its dtype (v has dst's element count).
inline void store_doubles(const std::vector<double>& v, const TBlob& dst) {
  cast_copy(TBlob{const_cast<double*>(v.data()), dst.shape, DType::kFloat64}, dst);
}

// A kType error naming the operator when a known dtype is not a floating type.
inline void require_float_dtype(const Attrs& attrs, int dtype, const char* what = "data") {
  MV_CHECK(dtype < 0 || dtype_is_float(static_cast<DType>(dtype)), kType)
      << "Operator " << attrs.op->name << ": input '" << what << "' must be float16, float32 or float64, got "
      << dtype_name(static_cast<DType>(dtype));
}

// Every input and output shares one floating dtype (MXNet's uniform-type layers).
inline void infer_same_float_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  infer_same_type(attrs, in, out);
  require_float_dtype(attrs, (*in)[0]);
}

// A kValue error when an input of a `_backward_*` operator does not have the expected shape:
// those operators can be called directly (from symbol JSON), so they check what they read.
// An unknown (empty) shape passes: graph inference may not know it yet.
inline void expect_input_shape(const Attrs& attrs, const std::vector<Shape>& in, size_t i, const Shape& want) {
  if (!in[i].empty() && in[i] != want)
    shape_mismatch(attrs, "input " + std::to_string(i) + " (" + attrs.op->inputs_for(attrs).at(i) + ")", want, in[i]);
}

// Product of the dimensions of s in [begin, end).
inline int64_t dims_product(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end && i < s.size(); ++i) p *= s[i];
  return p;
}

}  // namespace minerva
