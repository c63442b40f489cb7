// Value tests for the reduction and explicit-broadcast families (reduce.cc, broadcast_to.cc).
// Expected values come from MXNet 1.9.1: axis/keepdims/exclude shapes, integer mean truncation,
// NaN handling, argmax ties and dtypes, and the max/prod/norm gradient rules.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "core/autograd/autograd.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::make_array;
using testing::run1;
using testing::to_vector;
using testing::error_of;
using testing::expect_values;

using V = std::vector<double>;


// x = arange(24).reshape(2, 3, 4) * 0.5 - 3
NDArray x234(DType dt = DType::kFloat32) {
  V v(24);
  for (int i = 0; i < 24; ++i) v[i] = i * 0.5 - 3;
  return make_array({2, 3, 4}, v, dt);
}

NDArray grad_of(NDArray x, double head, const std::function<NDArray(const NDArray&)>& f) {
  NDArray g(x.shape(), x.dtype(), Context::cpu(0));
  autograd::mark_variables({&x}, {g}, {GradReq::kWrite});
  bool prev = autograd::set_recording(true);
  NDArray y = f(x);
  autograd::set_recording(prev);
  V h(static_cast<size_t>(y.size()), head);
  autograd::backward({y}, {make_array(y.shape(), h, y.dtype())}, {}, false, false, true);
  return g;
}


TEST(ReduceOps, AxisKeepdimsExcludeShapes) {
  NDArray x = x234();
  NDArray all = run1("sum", {x});
  EXPECT_EQ(all.shape(), (Shape{1}));  // legacy MXNet: a full reduction is (1,)
  expect_values(all, {66});
  expect_values(run1("sum", {x}, {{"axis", "1"}}), {-3, -1.5, 0, 1.5, 15, 16.5, 18, 19.5});
  NDArray k = run1("sum", {x}, {{"axis", "(0, 2)"}, {"keepdims", "True"}});
  EXPECT_EQ(k.shape(), (Shape{1, 3, 1}));
  expect_values(k, {6, 22, 38});
  NDArray e = run1("sum_axis", {x}, {{"axis", "1"}, {"exclude", "True"}});
  EXPECT_EQ(e.shape(), (Shape{3}));
  expect_values(e, {6, 22, 38});
  // axis=() reduces everything, whatever exclude says; excluding every axis reduces nothing.
  EXPECT_EQ(run1("sum", {x}, {{"axis", "()"}, {"exclude", "True"}}).shape(), (Shape{1}));
  EXPECT_EQ(run1("sum", {x}, {{"axis", "(0, 1, 2)"}, {"exclude", "True"}}).shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(run1("sum", {x}, {{"keepdims", "True"}}).shape(), (Shape{1, 1, 1}));
  expect_values(run1("mean", {x}, {{"axis", "-1"}}), {-2.25, -0.25, 1.75, 3.75, 5.75, 7.75});
  expect_values(run1("prod", {x}, {{"axis", "0"}}), {-9, -8.75, -8, -6.75, -5, -2.75, 0, 3.25, 7, 11.25, 16, 21.25});
  expect_values(run1("max_axis", {x}, {{"axis", "(1, 2)"}}), {2.5, 8.5});
  NDArray mn = run1("min", {x}, {{"axis", "0"}, {"keepdims", "True"}});
  EXPECT_EQ(mn.shape(), (Shape{1, 3, 4}));
  expect_values(mn, {-3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5});
}

TEST(ReduceOps, BadAxesAreClearErrors) {
  NDArray x = x234();
  std::string dup = error_of([&] { run1("sum", {x}, {{"axis", "(0, -3)"}}); });
  EXPECT_NE(dup.find("duplicates"), std::string::npos) << dup;
  std::string range = error_of([&] { run1("max", {x}, {{"axis", "3"}}); });
  EXPECT_NE(range.find("max"), std::string::npos) << range;
  EXPECT_NE(range.find("(2, 3, 4)"), std::string::npos) << range;
  EXPECT_NE(error_of([&] { run1("argmax", {x}, {{"axis", "-4"}}); }), "");
  EXPECT_NE(error_of([&] { run1("norm", {x}, {{"ord", "3"}}); }), "");
}

TEST(ReduceOps, IntegerAndHalfInputs) {
  // Integer mean truncates toward zero, in the input dtype, as MXNet.
  NDArray m = run1("mean", {make_array({2, 3}, {1, 2, 4, -3, -4, 0}, DType::kInt32)}, {{"axis", "1"}});
  EXPECT_EQ(m.dtype(), DType::kInt32);
  expect_values(m, {2, -2});
  expect_values(run1("sum", {make_array({2, 2}, {100, 100, 27, 1}, DType::kInt8)}, {{"axis", "1"}}), {-56, 28});
  expect_values(run1("max", {x234(DType::kFloat16)}), {8.5});
  expect_values(run1("mean", {make_array({1, 2}, {1, 2}, DType::kFloat16)}), {1.5});
}

TEST(ReduceOps, NaNHandling) {
  const double nan = std::nan("");
  NDArray x = make_array({2, 3}, {1, nan, 5, 7, 7, 0});
  expect_values(run1("max", {x}, {{"axis", "1"}}), {nan, 7});
  expect_values(run1("min", {x}, {{"axis", "1"}}), {nan, 0});
  expect_values(run1("nansum", {x}, {{"axis", "1"}}), {6, 14});
  expect_values(run1("nanprod", {x}, {{"axis", "1"}}), {5, 0});
  // argmax/argmin: the first NaN wins; ties take the first index.
  expect_values(run1("argmax", {x}, {{"axis", "1"}}), {1, 0});
  expect_values(run1("argmin", {x}, {{"axis", "1"}}), {1, 2});
  expect_values(run1("argmax", {x}), {1});
}

TEST(ReduceOps, ArgmaxShapesAndDtypes) {
  NDArray x = x234();
  NDArray a = run1("argmax", {x}, {{"axis", "1"}});
  EXPECT_EQ(a.shape(), (Shape{2, 4}));
  expect_values(a, V(8, 2));
  expect_values(run1("argmin", {x}), {0});
  EXPECT_EQ(run1("argmax", {x}, {{"keepdims", "True"}}).shape(), (Shape{1, 1, 1}));
  EXPECT_EQ(run1("argmax", {x}, {{"axis", "-1"}, {"keepdims", "True"}}).shape(), (Shape{2, 3, 1}));
  NDArray i = run1("argmax", {make_array({2, 3}, {0, 5, 5, 7, 7, 0}, DType::kInt32)}, {{"axis", "1"}});
  EXPECT_EQ(i.dtype(), DType::kInt32);  // indices in the input dtype
  expect_values(i, {1, 0});
  // argmax_channel is argmax over axis 1.
  V c(24);
  for (int k = 0; k < 24; ++k) c[k] = k % 5;
  NDArray ch = run1("argmax_channel", {make_array({2, 3, 4}, c)});
  EXPECT_EQ(ch.shape(), (Shape{2, 4}));
  expect_values(ch, {1, 2, 0, 0, 0, 0, 0, 1});
}

TEST(ReduceOps, Norm) {
  NDArray x = x234();
  expect_values(run1("norm", {x}), {21.656408}, 1e-4);
  expect_values(run1("norm", {x}, {{"ord", "1"}, {"axis", "2"}}), {9, 2, 7, 15, 23, 31});
  expect_values(run1("norm", {x}, {{"axis", "(0, 1)"}}), {9.69536, 10.368221, 11.135529, 11.979149}, 1e-4);
  EXPECT_EQ(run1("norm", {x}, {{"axis", "(0, 1)"}, {"keepdims", "True"}}).shape(), (Shape{1, 1, 4}));
  NDArray d = run1("norm", {make_array({1, 2}, {3, -4})}, {{"out_dtype", "float64"}});
  EXPECT_EQ(d.dtype(), DType::kFloat64);
  expect_values(d, {5});
}

TEST(ReduceOps, LargeReductionsMatchALoop) {
  // Exercises the chunked full reduction and the column-block path against plain sums.
  const int64_t n = 70001;
  V v(static_cast<size_t>(n * 3));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i % 7) - 3;
  NDArray x = make_array({n, 3}, v, DType::kFloat64);
  double total = 0;
  V col(3, 0.0), row_max(static_cast<size_t>(n), -1e9);
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < 3; ++j) {
      double e = v[static_cast<size_t>(i * 3 + j)];
      total += e;
      col[j] += e;
      row_max[i] = std::max(row_max[i], e);
    }
  expect_values(run1("sum", {x}), {total});
  expect_values(run1("sum", {x}, {{"axis", "0"}}), col);
  expect_values(run1("max", {x}, {{"axis", "1"}}), row_max);
  expect_values(run1("mean", {x.reshape({1, n * 3})}, {{"axis", "1"}}), {total / (n * 3)}, 1e-9);
}

TEST(ReduceOps, GradientsFollowMXNet) {
  // max: every tied maximum gets the whole gradient.
  expect_values(grad_of(make_array({2, 3}, {1, 3, 3, 2, 0, 1}), 2, [](const NDArray& x) {
                  return run1("max", {x}, {{"axis", "1"}});
                }),
                {0, 2, 2, 2, 0, 0});
  // prod: out / x, so a zero element gives NaN for itself.
  expect_values(grad_of(make_array({2, 3}, {1, 0, 3, 2, 4, 1}), 2, [](const NDArray& x) {
                  return run1("prod", {x}, {{"axis", "1"}});
                }),
                {0, std::nan(""), 0, 8, 4, 16});
  expect_values(grad_of(make_array({2, 2}, {3, 4, 1, 2}), 2, [](const NDArray& x) {
                  return run1("norm", {x}, {{"axis", "1"}, {"keepdims", "True"}});
                }),
                {1.2, 1.6, 0.8944272, 1.7888544});
  expect_values(grad_of(make_array({2, 3, 2}, V(12, 1)), 2, [](const NDArray& x) {
                  return run1("mean", {x}, {{"axis", "(0, 2)"}});
                }),
                V(12, 0.5));
  expect_values(grad_of(make_array({2, 2}, {3, std::nan(""), 2, 5}), 2, [](const NDArray& x) {
                  return run1("nanprod", {x}, {{"axis", "1"}});
                }),
                {2, 0, 10, 4});
  expect_values(grad_of(make_array({2, 2}, {3, std::nan(""), 2, 5}), 2, [](const NDArray& x) {
                  return run1("nansum", {x}, {{"axis", "1"}});
                }),
                {2, 0, 2, 2});
}

TEST(BroadcastOps, ShapesAndValues) {
  NDArray row = make_array({1, 3}, {1, 2, 3});
  NDArray b = run1("broadcast_to", {row}, {{"shape", "(2, 0)"}});
  EXPECT_EQ(b.shape(), (Shape{2, 3}));
  expect_values(b, {1, 2, 3, 1, 2, 3});
  EXPECT_EQ(run1("broadcast_to", {make_array({2, 1, 3}, {})}, {{"shape", "(0, 5, 0)"}}).shape(), (Shape{2, 5, 3}));
  NDArray col = make_array({1, 2, 1}, {1, 2});
  NDArray a = run1("broadcast_axes", {col}, {{"axis", "(0, 2)"}, {"size", "(2, 3)"}});
  EXPECT_EQ(a.shape(), (Shape{2, 2, 3}));
  expect_values(a, {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2});
  NDArray l = run1("broadcast_like", {make_array({2, 1, 1}, {1, 2}), make_array({5, 6}, {})},
                   {{"lhs_axes", "(1, 2)"}, {"rhs_axes", "(0, 1)"}});
  EXPECT_EQ(l.shape(), (Shape{2, 5, 6}));
  EXPECT_EQ(run1("broadcast_like", {make_array({2, 1, 1}, {}), make_array({5, 6}, {})},
                 {{"lhs_axes", "(-1,)"}, {"rhs_axes", "(-1,)"}})
                .shape(),
            (Shape{2, 1, 6}));
  EXPECT_EQ(run1("broadcast_like", {row, make_array({4, 3}, {})}).shape(), (Shape{4, 3}));
}

TEST(BroadcastOps, Errors) {
  NDArray row = make_array({1, 3}, {1, 2, 3});
  std::string nd = error_of([&] { run1("broadcast_to", {row}, {{"shape", "(4, 2, 3)"}}); });
  EXPECT_NE(nd.find("broadcast_to"), std::string::npos) << nd;
  EXPECT_NE(nd.find("(1, 3)"), std::string::npos) << nd;
  EXPECT_NE(error_of([&] { run1("broadcast_to", {row}, {{"shape", "(2, 4)"}}); }), "");
  EXPECT_NE(error_of([&] { run1("broadcast_axis", {make_array({2, 1}, {})}, {{"axis", "0"}, {"size", "4"}}); }), "");
  EXPECT_NE(error_of([&] { run1("broadcast_axis", {make_array({2, 1}, {})}, {{"axis", "(0, 1)"}, {"size", "4"}}); }),
            "");
  EXPECT_NE(error_of([&] { run1("broadcast_like", {make_array({2, 1, 1}, {}), make_array({3, 4}, {})}); }), "");
  EXPECT_NE(error_of([&] {
              run1("broadcast_like", {make_array({2, 3}, {}), make_array({5, 3}, {})},
                   {{"lhs_axes", "(0,)"}, {"rhs_axes", "(0,)"}});
            }),
            "");
}

TEST(BroadcastOps, GradientSumsBack) {
  expect_values(grad_of(make_array({1, 3}, {1, 2, 3}), 1, [](const NDArray& x) {
                  return run1("broadcast_to", {x}, {{"shape", "(4, 3)"}});
                }),
                {4, 4, 4});
  expect_values(grad_of(make_array({2, 1}, {1, 2}), 0.5, [](const NDArray& x) {
                  return run1("broadcast_axis", {x}, {{"axis", "1"}, {"size", "3"}});
                }),
                {1.5, 1.5});
}

}  // namespace
}  // namespace minerva
