// Value tests for the element-wise families (elemwise_*.cc, broadcast_binary.cc). Expected values
// come from MXNet 1.9.1 where its semantics are not obvious: Python-style mod, truncating integer
// division, the `is_int` scalar rule, MXNet's rint, Cast wrapping, and broadcast gradients.
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
using testing::expect_values;
using testing::grads_of;

using V = std::vector<double>;



TEST(ElemwiseOps, BroadcastPadsTheShorterShape) {
  V a(6);
  for (int i = 0; i < 6; ++i) a[i] = i;
  NDArray y = run1("broadcast_add", {make_array({2, 1, 3}, a), make_array({4, 1}, {10, 20, 30, 40})});
  EXPECT_EQ(y.shape(), (Shape{2, 4, 3}));
  expect_values(y, {10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42, 13, 14, 15, 23, 24, 25, 33, 34, 35, 43, 44, 45});
  // The alias resolves to the same operator.
  expect_values(run1("broadcast_plus", {make_array({2, 1}, {1, 2}), make_array({1, 2}, {10, 20})}), {11, 21, 12, 22});
}

TEST(ElemwiseOps, BroadcastRejectsIncompatibleShapes) {
  try {
    run1("broadcast_mul", {make_array({2, 3}, {}), make_array({4}, {})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("broadcast_mul"), std::string::npos) << msg;
    EXPECT_NE(msg.find("(2, 3)"), std::string::npos) << msg;
  }
  EXPECT_THROW(run1("elemwise_add", {make_array({2, 3}, {}), make_array({3, 2}, {})}), Error);
}

TEST(ElemwiseOps, ModFollowsPythonSignRule) {
  NDArray a = make_array({6}, {-5, 5, -5, 5, 5.5, -5.5});
  NDArray b = make_array({6}, {3, 3, -3, -3, 2, 2});
  expect_values(run1("_mod", {a, b}), {1, 2, -2, -1, 1.5, 0.5});
  NDArray ai = make_array({6}, {-5, 5, -5, 5, 5, -5}, DType::kInt32);
  NDArray bi = make_array({6}, {3, 3, -3, -3, 2, 2}, DType::kInt32);
  expect_values(run1("_mod", {ai, bi}), {1, 2, -2, -1, 1, 1});
  expect_values(run1("_mod_scalar", {a}, {{"scalar", "3"}}), {1, 2, 1, 2, 2.5, 0.5});
  expect_values(run1("_rmod_scalar", {a}, {{"scalar", "3"}}), {-2, 3, -2, 3, 3, -2.5});
  // x mod 0 is 0 (MXNet for floats; for integers MXNet would crash, Minerva gives 0 too).
  expect_values(run1("_mod", {make_array({2}, {5, -5}), make_array({2}, {0, 0})}), {0, 0});
  NDArray zero_i = make_array({2}, {0, 0}, DType::kInt32);
  expect_values(run1("_mod", {make_array({2}, {5, -5}, DType::kInt32), zero_i}), {0, 0});
  expect_values(run1("broadcast_mod", {make_array({1, 2}, {5, -5}), make_array({2, 1}, {3, -3})}), {2, 1, -1, -2});
}

TEST(ElemwiseOps, IntegerDivisionTruncates) {
  NDArray a = make_array({6}, {-5, 5, -5, 5, 5, -5}, DType::kInt32);
  NDArray b = make_array({6}, {3, 3, -3, -3, 2, 2}, DType::kInt32);
  NDArray y = run1("elemwise_div", {a, b});
  EXPECT_EQ(y.dtype(), DType::kInt32);
  expect_values(y, {-1, 1, 1, -1, 2, -2});
  // Division by zero must not crash the process.
  expect_values(run1("_div", {a, make_array({6}, {}, DType::kInt32)}), {0, 0, 0, 0, 0, 0});
  expect_values(run1("_rdiv_scalar", {make_array({2}, {3, -3}, DType::kInt32)}, {{"scalar", "7"}}), {2, -2});
}

TEST(ElemwiseOps, ScalarIsIntRule) {
  NDArray x = make_array({4}, {1, 2, 3, -3}, DType::kInt32);
  // Default is_int=True: the scalar is cast to int32 first (2.5 -> 2).
  NDArray y = run1("_plus_scalar", {x}, {{"scalar", "2.5"}});
  EXPECT_EQ(y.dtype(), DType::kInt32);
  expect_values(y, {3, 4, 5, -1});
  expect_values(run1("_greater_scalar", {x}, {{"scalar", "1.5"}}), {0, 1, 1, 0});
  expect_values(run1("_maximum_scalar", {x}, {{"scalar", "1.5"}}), {1, 2, 3, 1});
  expect_values(run1("_power_scalar", {x}, {{"scalar", "2"}}), {1, 4, 9, 9});
  expect_values(run1("_rpower_scalar", {x}, {{"scalar", "2"}}), {2, 4, 8, 0});
  // is_int=False: computed and returned in float64.
  NDArray z = run1("_plus_scalar", {x}, {{"scalar", "2.5"}, {"is_int", "False"}});
  EXPECT_EQ(z.dtype(), DType::kFloat64);
  expect_values(z, {3.5, 4.5, 5.5, -0.5});
  expect_values(run1("_rdiv_scalar", {x}, {{"scalar", "2.5"}, {"is_int", "0"}}), {2.5, 1.25, 2.5 / 3, -2.5 / 3});
  // Float inputs keep the fractional scalar whatever is_int says.
  expect_values(run1("_plus_scalar", {make_array({1}, {1.5})}, {{"scalar", "2.7"}}), {4.2});
  expect_values(run1("_rminus_scalar", {make_array({2}, {1, 2})}, {{"scalar", "3"}}), {2, 1});
  // Unsigned arithmetic wraps.
  expect_values(run1("_rminus_scalar", {make_array({3}, {1, 2, 3}, DType::kUint8)}, {{"scalar", "1"}}), {0, 255, 254});
  expect_values(run1("negative", {make_array({3}, {1, 2, 3}, DType::kUint8)}), {255, 254, 253});
}

TEST(ElemwiseOps, ComparisonsKeepTheInputDtype) {
  NDArray a = make_array({2}, {1, 2}, DType::kInt32), b = make_array({2}, {1, 3}, DType::kInt32);
  NDArray eq = run1("_equal", {a, b});
  EXPECT_EQ(eq.dtype(), DType::kInt32);
  expect_values(eq, {1, 0});
  NDArray beq = run1("broadcast_greater_equal", {make_array({1, 2}, {1, 2}), make_array({2, 1}, {1, 2})});
  EXPECT_EQ(beq.dtype(), DType::kFloat32);
  expect_values(beq, {1, 1, 0, 1});
  expect_values(run1("_logical_and", {make_array({3}, {1, 0, 2}), make_array({3}, {1, 1, 0})}), {1, 0, 0});
  expect_values(run1("_logical_xor", {make_array({3}, {1, 0, 2}), make_array({3}, {1, 1, 0})}), {0, 1, 1});
  expect_values(run1("logical_not", {make_array({3}, {1, 0, 2})}), {0, 1, 0});
  expect_values(run1("_logical_and_scalar", {make_array({3}, {1, 0, 2})}, {{"scalar", "1"}}), {1, 0, 1});
  expect_values(run1("_not_equal_scalar", {make_array({3}, {1, 0, 2})}, {{"scalar", "2"}}), {1, 1, 0});
}

TEST(ElemwiseOps, RoundingMatchesMXNet) {
  NDArray x = make_array({6}, {0.5, 1.5, 2.5, -0.5, -1.5, -2.5});
  expect_values(run1("round", {x}), {1, 2, 3, -1, -2, -3});
  // MXNet's rint breaks ties toward -inf (not to even).
  expect_values(run1("rint", {x}), {0, 1, 2, -1, -2, -3});
  expect_values(run1("rint", {make_array({3}, {3.5, 0.51, -0.51})}), {3, 1, -1});
  expect_values(run1("fix", {make_array({2}, {-1.7, 1.7})}), {-1, 1});
  expect_values(run1("trunc", {make_array({2}, {-1.7, 1.7})}), {-1, 1});
  expect_values(run1("floor", {make_array({2}, {-2.1, 1.9})}), {-3, 1});
  expect_values(run1("ceil", {make_array({2}, {-2.1, 1.1})}), {-2, 2});
  expect_values(run1("round", {make_array({1}, {2.5}, DType::kFloat16)}), {3});
}

TEST(ElemwiseOps, UnaryValues) {
  expect_values(run1("sigmoid", {make_array({2}, {0, 2})}), {0.5, 0.880797});
  expect_values(run1("softsign", {make_array({2}, {1, -3})}), {0.5, -0.75});
  expect_values(run1("erf", {make_array({1}, {0.5})}), {0.5204999});
  expect_values(run1("rsqrt", {make_array({1}, {4})}), {0.5});
  expect_values(run1("cbrt", {make_array({1}, {-8})}), {-2});
  expect_values(run1("rcbrt", {make_array({1}, {8})}), {0.5});
  expect_values(run1("reciprocal", {make_array({2}, {2, -4})}), {0.5, -0.25});
  expect_values(run1("log2", {make_array({1}, {8})}), {3});
  expect_values(run1("degrees", {make_array({1}, {3.141592653589793})}), {180}, 1e-4);
  expect_values(run1("relu", {make_array({3}, {-1, 0, 2})}), {0, 0, 2});
  expect_values(run1("sign", {make_array({3}, {-2, 0, 3}, DType::kInt32)}), {-1, 0, 1});
  // Integer inputs compute in double and truncate back, as MXNet does.
  expect_values(run1("exp", {make_array({4}, {1, 2, 3, -3}, DType::kInt32)}), {2, 7, 20, 0});
  expect_values(run1("sqrt", {make_array({2}, {4, 9}, DType::kInt32)}), {2, 3});
}

TEST(ElemwiseOps, CastWrapsLikeMXNet) {
  NDArray x = make_array({9}, {300, 11.1, 10.9, -1, -3, NAN, 1e10, -129, 200});
  NDArray u8 = run1("Cast", {x}, {{"dtype", "uint8"}});
  EXPECT_EQ(u8.dtype(), DType::kUint8);
  expect_values(u8, {44, 11, 10, 255, 253, 0, 0, 127, 200});
  expect_values(run1("cast", {x}, {{"dtype", "int8"}}), {44, 11, 10, -1, -3, 0, 0, 127, -56});
  const double kIntMin = -2147483648.0;  // x86's "integer indefinite" for NaN and overflow
  expect_values(run1("Cast", {x}, {{"dtype", "int32"}}), {300, 11, 10, -1, -3, kIntMin, kIntMin, -129, 200});
  V b = to_vector(run1("Cast", {make_array({3}, {0, 0.5, -2})}, {{"dtype", "bool"}}));
  EXPECT_EQ(b, (V{0, 1, 1}));
  EXPECT_THROW(run1("Cast", {x}, {}), Error);  // dtype is required
  // The gradient flows back in the input's dtype.
  auto g = grads_of({make_array({2}, {1, 2})}, make_array({2}, {3, 4}, DType::kFloat64),
                    [](const std::vector<NDArray>& in) { return run1("Cast", {in[0]}, {{"dtype", "float64"}}); });
  EXPECT_EQ(g[0].dtype(), DType::kFloat32);
  expect_values(g[0], {3, 4});
}

TEST(ElemwiseOps, ClipWhereAddN) {
  expect_values(run1("clip", {make_array({4}, {-3, 0.2, 3, 1})}, {{"a_min", "-1"}, {"a_max", "1"}}), {-1, 0.2, 1, 1});
  expect_values(run1("clip", {make_array({3}, {-3, 0, 3}, DType::kInt32)}, {{"a_min", "-1.5"}, {"a_max", "1.5"}}),
                {-1, 0, 1});
  EXPECT_THROW(run1("clip", {make_array({1}, {0})}, {{"a_min", "0"}}), Error);
  NDArray x = make_array({2, 2}, {1, 2, 3, 4}), y = make_array({2, 2}, {5, 6, 7, 8});
  expect_values(run1("where", {make_array({2}, {1, 0}), x, y}), {1, 2, 7, 8});
  expect_values(run1("where", {make_array({2, 2}, {1, 0, 0, 1}, DType::kInt32), x, y}), {1, 6, 7, 4});
  EXPECT_THROW(run1("where", {make_array({3}, {1, 0, 1}), x, y}), Error);
  NDArray s = invoke("add_n", {x, y, x}, {{"num_args", "3"}}).at(0);
  expect_values(s, {7, 10, 13, 16});
  expect_values(invoke("ElementWiseSum", {x}, {{"num_args", "1"}}).at(0), {1, 2, 3, 4});
  EXPECT_THROW(invoke("add_n", {x, y}, {{"num_args", "3"}}), Error);
}

TEST(ElemwiseOps, ZerosOnesCopy) {
  NDArray x = make_array({2, 2}, {1, 2, 3, 4}, DType::kInt64);
  NDArray z = run1("zeros_like", {x}), o = run1("ones_like", {x});
  EXPECT_EQ(z.dtype(), DType::kInt64);
  expect_values(z, {0, 0, 0, 0});
  expect_values(o, {1, 1, 1, 1});
  expect_values(run1("identity", {x}), {1, 2, 3, 4});
  expect_values(run1("stop_gradient", {x}), {1, 2, 3, 4});
}

TEST(ElemwiseOps, ReduceSumLikeAndBroadcastToLike) {
  V a(24);
  for (int i = 0; i < 24; ++i) a[i] = i;
  NDArray data = make_array({2, 3, 4}, a);
  NDArray r = run1("_reduce_sum_like", {data, make_array({3, 1}, {})});
  EXPECT_EQ(r.shape(), (Shape{3, 1}));
  expect_values(r, {0 + 1 + 2 + 3 + 12 + 13 + 14 + 15, 4 + 5 + 6 + 7 + 16 + 17 + 18 + 19,
                    8 + 9 + 10 + 11 + 20 + 21 + 22 + 23});
  expect_values(run1("_reduce_sum_like", {data, make_array({1}, {})}), {276});
  NDArray b = run1("_broadcast_to_like", {make_array({1, 2}, {1, 2}), make_array({3, 2}, {})});
  EXPECT_EQ(b.shape(), (Shape{3, 2}));
  expect_values(b, {1, 2, 1, 2, 1, 2});
  EXPECT_THROW(run1("_reduce_sum_like", {data, make_array({2, 1}, {})}), Error);
}

// Arrays big enough for the multi-threaded paths, checked against plain loops.
TEST(ElemwiseOps, LargeBroadcastAndReduce) {
  const int64_t r = 300, c = 200;
  V a(static_cast<size_t>(r * c)), row(static_cast<size_t>(c)), col(static_cast<size_t>(r));
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<double>(i % 7) - 3;
  for (size_t j = 0; j < row.size(); ++j) row[j] = static_cast<double>(j);
  for (size_t i = 0; i < col.size(); ++i) col[i] = static_cast<double>(i) * 1000;
  NDArray x = make_array({r, c}, a, DType::kFloat64);
  V y = to_vector(
      run1("broadcast_add", {make_array({r, 1}, col, DType::kFloat64), make_array({1, c}, row, DType::kFloat64)}));
  V s = to_vector(run1("_reduce_sum_like", {x, make_array({1, c}, {}, DType::kFloat64)}));
  V t = to_vector(run1("_reduce_sum_like", {x, make_array({r, 1}, {}, DType::kFloat64)}));
  V m = to_vector(run1("broadcast_mul", {x, make_array({c}, row, DType::kFloat64)}));
  for (int64_t i = 0; i < r; ++i) {
    double rs = 0;
    for (int64_t j = 0; j < c; ++j) {
      size_t k = static_cast<size_t>(i * c + j);
      ASSERT_EQ(y[k], col[static_cast<size_t>(i)] + row[static_cast<size_t>(j)]);
      ASSERT_EQ(m[k], a[k] * row[static_cast<size_t>(j)]);
      rs += a[k];
    }
    ASSERT_EQ(t[static_cast<size_t>(i)], rs);
  }
  for (int64_t j = 0; j < c; ++j) {
    double cs = 0;
    for (int64_t i = 0; i < r; ++i) cs += a[static_cast<size_t>(i * c + j)];
    ASSERT_EQ(s[static_cast<size_t>(j)], cs);
  }
}

TEST(ElemwiseOps, BroadcastGradientsReduceToInputShapes) {
  NDArray head = make_array({2, 3}, {1, 1, 1, 2, 2, 2});
  auto mul = grads_of({make_array({2, 3}, {1, 2, 3, 4, 5, 6}), make_array({1, 3}, {2, 4, 8})}, head,
                      [](const std::vector<NDArray>& in) { return run1("broadcast_mul", in); });
  expect_values(mul[0], {2, 4, 8, 4, 8, 16});
  expect_values(mul[1], {9, 12, 15});
  auto div = grads_of({make_array({2, 3}, {1, 2, 3, 4, 5, 6}), make_array({1, 3}, {2, 4, 8})}, head,
                      [](const std::vector<NDArray>& in) { return run1("broadcast_div", in); });
  expect_values(div[0], {0.5, 0.25, 0.125, 1.0, 0.5, 0.25});
  expect_values(div[1], {-2.25, -0.75, -0.234375});
}

TEST(ElemwiseOps, GradientsAtTiesAndStepsFollowMXNet) {
  NDArray head = make_array({3}, {1, 1, 1});
  // clip passes the gradient at both edges.
  auto c = grads_of({make_array({3}, {1, 2, 3})}, head,
                    [](const std::vector<NDArray>& in) { return run1("clip", in, {{"a_min", "1"}, {"a_max", "2"}}); });
  expect_values(c[0], {1, 1, 0});
  // _maximum sends a tie's gradient to lhs; _maximum_scalar to data where data >= scalar.
  auto m = grads_of({make_array({3}, {1, 2, 3}), make_array({3}, {1, 2, 3})}, head,
                    [](const std::vector<NDArray>& in) { return run1("_maximum", in); });
  expect_values(m[0], {1, 1, 1});
  expect_values(m[1], {0, 0, 0});
  auto ms = grads_of({make_array({3}, {1, 2, 3})}, head,
                     [](const std::vector<NDArray>& in) { return run1("_maximum_scalar", in, {{"scalar", "2"}}); });
  expect_values(ms[0], {0, 1, 1});
  // Comparisons, rounding and BlockGrad give zero gradients rather than refusing.
  for (const char* name : {"sign", "floor", "round", "BlockGrad", "zeros_like", "logical_not"}) {
    auto z = grads_of({make_array({3}, {1.2, 2.7, 3.1})}, head,
                      [&](const std::vector<NDArray>& in) { return run1(name, in); });
    expect_values(z[0], {0, 0, 0});
  }
  auto eq = grads_of({make_array({3}, {1, 2, 3}), make_array({3}, {1, 0, 3})}, head,
                     [](const std::vector<NDArray>& in) { return run1("broadcast_equal", in); });
  expect_values(eq[0], {0, 0, 0});
  // where: x gets the gradient where the condition holds, y elsewhere.
  auto w = grads_of({make_array({3}, {1, 0, 1}), make_array({3}, {1, 2, 3}), make_array({3}, {4, 5, 6})}, head,
                    [](const std::vector<NDArray>& in) { return run1("where", in); });
  expect_values(w[0], {0, 0, 0});
  expect_values(w[1], {1, 0, 1});
  expect_values(w[2], {0, 1, 0});
  // d(a mod b)/db = -floor(a / b).
  auto md = grads_of({make_array({2}, {5, 1}), make_array({2}, {1.5, 2})}, make_array({2}, {1, 1}),
                     [](const std::vector<NDArray>& in) { return run1("_mod", in); });
  expect_values(md[0], {1, 1});
  expect_values(md[1], {-3, 0});
}

TEST(ElemwiseOps, SecondOrderGradient) {
  // d2/dx2 sigmoid(x) = s (1 - s) (1 - 2 s); MXNet gives [-0.0575568, -0.0908578] at [0.5, 1].
  NDArray x = make_array({2}, {0.5, 1.0});
  NDArray gx(x.shape(), x.dtype(), Context::cpu(0));
  autograd::mark_variables({&x}, {gx}, {GradReq::kWrite});
  bool prev = autograd::set_recording(true);
  NDArray y = run1("sigmoid", {x});
  NDArray dy = autograd::backward({y}, {NDArray()}, {x}, true, true, true).at(0);
  autograd::set_recording(prev);
  expect_values(dy, {0.235004, 0.196612});
  autograd::backward({dy}, {NDArray()}, {}, false, false, true);
  expect_values(gx, {-0.0575568, -0.0908578});
}

TEST(ElemwiseOps, InPlaceAddAndFloat16) {
  NDArray a = make_array({3}, {1, 2, 3}), b = make_array({3}, {10, 20, 30});
  invoke("elemwise_add", {a, b}, {}, {a});
  expect_values(a, {11, 22, 33});
  invoke("_mul_scalar", {a}, {{"scalar", "2"}}, {a});
  expect_values(a, {22, 44, 66});
  NDArray h = run1("elemwise_mul",
                   {make_array({2}, {1.5, 2}, DType::kFloat16), make_array({2}, {2, 0.25}, DType::kFloat16)});
  EXPECT_EQ(h.dtype(), DType::kFloat16);
  expect_values(h, {3, 0.5});
  expect_values(run1("_hypot", {make_array({2}, {3, 5}), make_array({2}, {4, 12})}), {5, 13});
}

}  // namespace
}  // namespace minerva
