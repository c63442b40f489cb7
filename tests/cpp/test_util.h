// Helpers for C++ tests: build arrays from values and read them back as doubles.
#pragma once
#include <cmath>
#include <functional>
#include <vector>

#include <gtest/gtest.h>

#include "core/autograd/autograd.h"

#include "core/op/invoke.h"
#include "core/op/kernel_util.h"

namespace minerva {
namespace testing {

inline NDArray make_array(const Shape& shape, const std::vector<double>& values, DType dtype = DType::kFloat32) {
  NDArray a(shape, dtype, Context::cpu(0));
  std::vector<double> v = values;
  if (v.empty()) v.assign(static_cast<size_t>(a.size()), 0.0);
  TBlob src{v.data(), shape, DType::kFloat64};
  cast_copy(src, a.blob());
  return a;
}

inline std::vector<double> to_vector(const NDArray& a) {
  a.wait_to_read();
  std::vector<double> out(static_cast<size_t>(a.size()));
  cast_copy(a.blob(), TBlob{out.data(), a.shape(), DType::kFloat64});
  return out;
}

// Element-wise comparison with a tolerance; an expected NaN must be matched by a NaN.
inline void expect_values(const NDArray& a, const std::vector<double>& expected, double tol = 1e-5) {
  std::vector<double> got = to_vector(a);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(expected[i]))
      EXPECT_TRUE(std::isnan(got[i])) << "element " << i << " = " << got[i];
    else
      EXPECT_NEAR(got[i], expected[i], tol) << "element " << i;
  }
}

// Gradients of `f` with respect to `inputs` for head gradient `head`.
inline std::vector<NDArray> grads_of(std::vector<NDArray> inputs, const NDArray& head,
                                     const std::function<NDArray(const std::vector<NDArray>&)>& f) {
  std::vector<NDArray*> vars;
  std::vector<NDArray> grads;
  for (auto& a : inputs) {
    vars.push_back(&a);
    grads.push_back(NDArray(a.shape(), a.dtype(), Context::cpu(0)));
  }
  autograd::mark_variables(vars, grads, std::vector<GradReq>(vars.size(), GradReq::kWrite));
  bool prev = autograd::set_recording(true);
  NDArray y = f(inputs);
  autograd::set_recording(prev);
  autograd::backward({y}, {head}, {}, false, false, true);
  return grads;
}

// The message of the minerva::Error that f throws ("" when it throws none).
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

inline NDArray run1(const std::string& op, const std::vector<NDArray>& in, const KeyValues& params = {}) {
  return invoke(op, in, params).at(0);
}

}  // namespace testing
}  // namespace minerva
