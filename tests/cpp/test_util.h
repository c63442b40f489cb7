// Helpers for C++ tests: build arrays from values and read them back as doubles.
#pragma once
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/autograd/autograd.h"
#include "core/graph/symbol_json.h"

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

// A sample's parameters, with the graphs of a control-flow operator's sample attached.
inline AttrsPtr sample_attrs(const OpDef& op, const OpSample& s) {
  AttrsPtr parsed = op.parse(s.params);
  if (s.subgraphs.empty()) return parsed;
  auto attrs = std::make_shared<Attrs>(*parsed);
  for (const std::string& json : s.subgraphs) attrs->subgraphs.push_back(std::make_shared<const Symbol>(symbol_from_json(json)));
  return attrs;
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

// Element-wise comparison of read-back values, relative to the larger of 1 and |want|; `what`
// names the case in a failure.
inline void expect_close(const std::vector<double>& got, const std::vector<double>& want, double tol,
                         const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tol * std::max(1.0, std::fabs(want[i]))) << what << " [" << i << "]";
}

// Deterministic inputs, exactly representable in float16: ((i*a + b) % m - m/2) / scale. The
// MXNet oracle scripts build the same arrays with numpy.
inline std::vector<double> pattern(int64_t n, int a, int b, int m, double scale) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<double>((i * a + b) % m - m / 2) / scale;
  return v;
}

// The oracle scripts' standard patterns for data, weights (and gamma), head gradients, and biases (and beta).
inline NDArray data_of(const Shape& s, DType t = DType::kFloat64) {
  return make_array(s, pattern(shape_size(s), 7, 3, 11, 4.0), t);
}
inline NDArray weight_of(const Shape& s, DType t = DType::kFloat64) {
  return make_array(s, pattern(shape_size(s), 5, 1, 7, 2.0), t);
}
inline NDArray ograd_of(const Shape& s, DType t = DType::kFloat64) {
  return make_array(s, pattern(shape_size(s), 3, 2, 5, 2.0), t);
}
inline NDArray bias_of(const Shape& s, DType t = DType::kFloat64) {
  return make_array(s, pattern(shape_size(s), 1, 0, 3, 1.0), t);
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
