// Value tests for the data-movement families (shape.cc, join_split.cc, slice.cc, tile_repeat.cc).
// Expected values come from MXNet 1.9.1: Reshape's special values, slice's None/negative steps,
// take/pick index modes, and the scatter-add gradients of take, tile and repeat.
#include <gtest/gtest.h>

#include <functional>

#include "core/autograd/autograd.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::make_array;
using testing::run1;
using testing::to_vector;
using testing::expect_values;

using V = std::vector<double>;

V iota(int n, double start = 0) {
  V v(n);
  for (int i = 0; i < n; ++i) v[i] = start + i;
  return v;
}

NDArray arange(const Shape& s) { return make_array(s, iota(static_cast<int>(shape_size(s)))); }


Shape shape_of(const std::string& op, const Shape& in, const KeyValues& params) {
  return run1(op, {make_array(in, {})}, params).shape();
}

// Runs f, waits on its result, and returns the error kind and message (fails if none).
std::pair<ErrorKind, std::string> error_of(const std::function<NDArray()>& f) {
  try {
    NDArray r = f();
    r.wait_to_read();
  } catch (const Error& e) {
    return {e.kind(), e.what()};
  }
  ADD_FAILURE() << "expected an error";
  return {ErrorKind::kInternal, ""};
}

// Gradient of f at x for head gradient `head`.
NDArray grad_of(NDArray x, const NDArray& head, const std::function<NDArray(const NDArray&)>& f) {
  std::vector<NDArray*> vars{&x};
  std::vector<NDArray> grads{NDArray(x.shape(), x.dtype(), Context::cpu(0))};
  autograd::mark_variables(vars, grads, {GradReq::kWrite});
  bool prev = autograd::set_recording(true);
  NDArray y = f(x);
  autograd::set_recording(prev);
  autograd::backward({y}, {head}, {}, false, false, true);
  return grads[0];
}

// ---- shape.cc -------------------------------------------------------------------------------

TEST(ShapeOps, ReshapeSpecialValues) {
  const Shape d{2, 3, 4};
  EXPECT_EQ(shape_of("Reshape", d, {{"shape", "(0, -1)"}}), (Shape{2, 12}));
  EXPECT_EQ(shape_of("reshape", d, {{"shape", "(-2,)"}}), (Shape{2, 3, 4}));
  EXPECT_EQ(shape_of("reshape", d, {{"shape", "(-3, 4)"}}), (Shape{6, 4}));
  EXPECT_EQ(shape_of("reshape", d, {{"shape", "(-4, 1, 2, -2)"}}), (Shape{1, 2, 3, 4}));
  EXPECT_EQ(shape_of("reshape", d, {{"shape", "(2, -4, -1, 3, -2)"}}), (Shape{2, 1, 3, 4}));
  EXPECT_EQ(shape_of("reshape", d, {{"shape", "(4, 0, -1)"}}), (Shape{4, 3, 2}));
  EXPECT_EQ(shape_of("reshape", d, {{"shape", "(-1,)"}}), (Shape{24}));
  // reverse matches the special values from the right.
  EXPECT_EQ(shape_of("reshape", d, {{"shape", "(0, -1)"}, {"reverse", "True"}}), (Shape{3, 8}));
  EXPECT_EQ(shape_of("reshape", {10, 5, 4}, {{"shape", "(-1, 0)"}, {"reverse", "True"}}), (Shape{50, 4}));
  EXPECT_EQ(shape_of("reshape", {10, 5, 4}, {{"shape", "(-1, 0)"}}), (Shape{40, 5}));
  // Legacy target_shape: one 0 is inferred.
  EXPECT_EQ(shape_of("reshape", d, {{"target_shape", "(4, 0)"}}), (Shape{4, 6}));
  EXPECT_EQ(shape_of("reshape", d, {{"target_shape", "(4, 0, 3)"}}), (Shape{4, 2, 3}));
  // Data order is kept.
  expect_values(run1("reshape", {arange({2, 3})}, {{"shape", "(3, 2)"}}), iota(6), 1e-6);
}

TEST(ShapeOps, ReshapeErrorsNameTheOperatorAndShapes) {
  auto [kind, msg] = error_of([] { return run1("reshape", {arange({2, 3, 4})}, {{"shape", "(5, -1)"}}); });
  EXPECT_EQ(kind, ErrorKind::kValue);
  EXPECT_NE(msg.find("Reshape"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(2, 3, 4)"), std::string::npos) << msg;
  EXPECT_EQ(error_of([] { return run1("reshape", {arange({2, 3})}, {{"shape", "(-1, -1)"}}); }).first, ErrorKind::kValue);
  EXPECT_EQ(error_of([] { return run1("reshape", {arange({2, 3})}, {{"shape", "(7,)"}}); }).first, ErrorKind::kValue);
}

TEST(ShapeOps, FlattenExpandSqueeze) {
  EXPECT_EQ(shape_of("Flatten", {2, 3, 4}, {}), (Shape{2, 12}));
  EXPECT_EQ(shape_of("flatten", {5}, {}), (Shape{5, 1}));
  EXPECT_EQ(shape_of("expand_dims", {2, 3, 4}, {{"axis", "-1"}}), (Shape{2, 3, 4, 1}));
  EXPECT_EQ(shape_of("expand_dims", {2, 3, 4}, {{"axis", "3"}}), (Shape{2, 3, 4, 1}));
  EXPECT_EQ(shape_of("expand_dims", {2, 3, 4}, {{"axis", "-4"}}), (Shape{1, 2, 3, 4}));
  EXPECT_EQ(shape_of("squeeze", {1, 3, 1}, {}), (Shape{3}));
  EXPECT_EQ(shape_of("squeeze", {1, 1}, {}), (Shape{1}));  // never 0-d
  EXPECT_EQ(shape_of("squeeze", {1, 3, 1}, {{"axis", "(0,)"}}), (Shape{3, 1}));
  EXPECT_EQ(shape_of("squeeze", {1, 3, 1}, {{"axis", "-1"}}), (Shape{1, 3}));
  EXPECT_EQ(error_of([] { return run1("squeeze", {arange({1, 3, 1})}, {{"axis", "1"}}); }).first, ErrorKind::kValue);
  EXPECT_EQ(error_of([] { return run1("expand_dims", {arange({2})}, {{"axis", "3"}}); }).first, ErrorKind::kValue);
}

TEST(ShapeOps, TransposeAndSwapAxis) {
  NDArray y = run1("transpose", {arange({2, 3, 4})}, {{"axes", "(1, 2, 0)"}});
  EXPECT_EQ(y.shape(), (Shape{3, 4, 2}));
  expect_values(y, {0, 12, 1, 13, 2, 14, 3, 15, 4, 16, 5, 17, 6, 18, 7, 19, 8, 20, 9, 21, 10, 22, 11, 23}, 1e-6);
  EXPECT_EQ(shape_of("transpose", {2, 3, 4}, {}), (Shape{4, 3, 2}));
  NDArray s = run1("swapaxes", {arange({1, 2, 3})}, {{"dim1", "0"}, {"dim2", "2"}});
  EXPECT_EQ(s.shape(), (Shape{3, 2, 1}));
  expect_values(s, {0, 3, 1, 4, 2, 5}, 1e-6);
  EXPECT_EQ(shape_of("SwapAxis", {2, 3, 4}, {{"dim1", "-1"}, {"dim2", "0"}}), (Shape{4, 3, 2}));
  EXPECT_EQ(error_of([] { return run1("transpose", {arange({2, 3})}, {{"axes", "(0, 0)"}}); }).first, ErrorKind::kValue);
  // The gradient applies the inverse permutation.
  NDArray g = grad_of(arange({2, 3, 4}), arange({3, 4, 2}),
                      [](const NDArray& x) { return run1("transpose", {x}, {{"axes", "(1, 2, 0)"}}); });
  V expect(24);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) expect[i * 12 + j * 4 + k] = j * 8 + k * 2 + i;
  expect_values(g, expect, 1e-6);
}

TEST(ShapeOps, ReshapeLike) {
  NDArray lhs = arange({30, 7}), rhs = make_array({15, 2, 4}, {});
  auto like = [&](KeyValues p) { return run1("reshape_like", {lhs, rhs}, p).shape(); };
  EXPECT_EQ(like({{"lhs_begin", "0"}, {"lhs_end", "1"}, {"rhs_begin", "0"}, {"rhs_end", "2"}}), (Shape{15, 2, 7}));
  EXPECT_EQ(like({{"lhs_begin", "-2"}, {"lhs_end", "-1"}, {"rhs_begin", "0"}, {"rhs_end", "-1"}}), (Shape{15, 2, 7}));
  EXPECT_EQ(run1("reshape_like", {arange({6}), make_array({2, 3}, {}, DType::kInt32)}).shape(), (Shape{2, 3}));
  EXPECT_EQ(run1("reshape_like", {arange({6}), make_array({2, 3}, {}, DType::kInt32)}).dtype(), DType::kFloat32);
}

// ---- join_split.cc --------------------------------------------------------------------------

TEST(JoinSplitOps, ConcatAndStack) {
  NDArray x = arange({2, 3}), y = make_array({2, 2}, {10, 11, 12, 13});
  NDArray c = run1("concat", {x, y}, {{"num_args", "2"}, {"dim", "1"}});
  EXPECT_EQ(c.shape(), (Shape{2, 5}));
  expect_values(c, {0, 1, 2, 10, 11, 3, 4, 5, 12, 13}, 1e-6);
  expect_values(run1("Concat", {x, make_array({1, 3}, {20, 21, 22})}, {{"num_args", "2"}, {"dim", "0"}}),
                {0, 1, 2, 3, 4, 5, 20, 21, 22}, 1e-6);
  EXPECT_EQ(run1("concat", {x, x}, {{"num_args", "2"}, {"dim", "-1"}}).shape(), (Shape{2, 6}));
  auto [kind, msg] = error_of([&] { return run1("concat", {x, y}, {{"num_args", "2"}, {"dim", "0"}}); });
  EXPECT_EQ(kind, ErrorKind::kValue);
  EXPECT_NE(msg.find("Concat"), std::string::npos) << msg;

  NDArray s = run1("stack", {x, make_array({2, 3}, iota(6, 10))}, {{"num_args", "2"}, {"axis", "1"}});
  EXPECT_EQ(s.shape(), (Shape{2, 2, 3}));
  expect_values(s, {0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15}, 1e-6);
  EXPECT_EQ(run1("stack", {x, x}, {{"num_args", "2"}, {"axis", "-1"}}).shape(), (Shape{2, 3, 2}));
}

TEST(JoinSplitOps, SplitOutputsAndErrors) {
  auto outs = invoke("split", {arange({2, 6})}, {{"num_outputs", "3"}});
  ASSERT_EQ(outs.size(), 3u);
  expect_values(outs[0], {0, 1, 6, 7}, 1e-6);
  expect_values(outs[2], {4, 5, 10, 11}, 1e-6);
  auto sq = invoke("SliceChannel", {arange({3, 4})}, {{"num_outputs", "3"}, {"axis", "0"}, {"squeeze_axis", "True"}});
  ASSERT_EQ(sq.size(), 3u);
  EXPECT_EQ(sq[1].shape(), (Shape{4}));
  expect_values(sq[1], {4, 5, 6, 7}, 1e-6);
  EXPECT_EQ(error_of([] { return invoke("split", {arange({2, 3, 4})}, {{"num_outputs", "2"}})[0]; }).first,
            ErrorKind::kValue);
  EXPECT_EQ(error_of([] {
              return invoke("split", {arange({2, 3, 4})}, {{"num_outputs", "1"}, {"squeeze_axis", "1"}})[0];
            }).first,
            ErrorKind::kValue);
}

TEST(JoinSplitOps, ConcatGradientSplitsTheHead) {
  NDArray y = make_array({2, 2}, {10, 11, 12, 13});
  NDArray g = grad_of(arange({2, 3}), arange({2, 5}), [&](const NDArray& x) {
    return run1("concat", {x, y}, {{"num_args", "2"}, {"dim", "1"}});
  });
  expect_values(g, {0, 1, 2, 5, 6, 7}, 1e-6);
}

// ---- slice.cc -------------------------------------------------------------------------------

TEST(SliceOps, SliceWithNoneAndNegativeSteps) {
  NDArray x = arange({3, 4});
  expect_values(run1("slice", {x}, {{"begin", "(None, 1)"}, {"end", "(None, 3)"}}), {1, 2, 5, 6, 9, 10}, 1e-6);
  expect_values(run1("slice", {x}, {{"begin", "(2,)"}, {"end", "(0,)"}, {"step", "(-1,)"}}),
                {8, 9, 10, 11, 4, 5, 6, 7}, 1e-6);
  expect_values(run1("slice", {x}, {{"begin", "(None, None)"}, {"end", "(None, None)"}, {"step", "(-1, -2)"}}),
                {11, 9, 7, 5, 3, 1}, 1e-6);
  expect_values(run1("slice", {x}, {{"begin", "(-1, -3)"}, {"end", "(None, -1)"}}), {9, 10}, 1e-6);
  expect_values(run1("slice", {x}, {{"begin", "(None, -1)"}, {"end", "(None, 0)"}, {"step", "(2, -2)"}}),
                {3, 1, 11, 9}, 1e-6);
  expect_values(run1("crop", {x}, {{"begin", "(0, 0)"}, {"end", "(2, 30)"}}), iota(8), 1e-6);  // end is clipped
  EXPECT_EQ(run1("slice", {x}, {{"begin", "(2,)"}, {"end", "(1,)"}}).shape(), (Shape{0, 4}));
  NDArray t = run1("slice", {arange({2, 3, 4})}, {{"begin", "(1,)"}, {"end", "(2,)"}});
  EXPECT_EQ(t.shape(), (Shape{1, 3, 4}));
  expect_values(t, iota(12, 12), 1e-6);
  EXPECT_EQ(error_of([&] { return run1("slice", {x}, {{"begin", "(None,)"}, {"end", "(None,)"}, {"step", "(0,)"}}); }).first,
            ErrorKind::kValue);
  EXPECT_EQ(error_of([&] { return run1("slice", {x}, {{"begin", "(0, 0, 0)"}, {"end", "(1, 1, 1)"}}); }).first,
            ErrorKind::kValue);
  EXPECT_EQ(error_of([&] { return run1("slice", {x}, {{"begin", "(-5,)"}, {"end", "(2,)"}}); }).first, ErrorKind::kIndex);
  // Gradient: the head lands in the sliced positions.
  NDArray g = grad_of(arange({3, 4}), make_array({2, 2}, {1, 2, 3, 4}), [](const NDArray& a) {
    return run1("slice", {a}, {{"begin", "(None, -1)"}, {"end", "(None, 0)"}, {"step", "(2, -2)"}});
  });
  expect_values(g, {0, 2, 0, 1, 0, 0, 0, 0, 0, 4, 0, 3}, 1e-6);
}

TEST(SliceOps, SliceAxis) {
  NDArray x = arange({3, 4});
  expect_values(run1("slice_axis", {x}, {{"axis", "1"}, {"begin", "1"}, {"end", "None"}}), {1, 2, 3, 5, 6, 7, 9, 10, 11}, 1e-6);
  expect_values(run1("slice_axis", {x}, {{"axis", "-1"}, {"begin", "-3"}, {"end", "-1"}}), {1, 2, 5, 6, 9, 10}, 1e-6);
  for (const KeyValues& bad : {KeyValues{{"axis", "0"}, {"begin", "2"}, {"end", "1"}},
                               KeyValues{{"axis", "0"}, {"begin", "0"}, {"end", "10"}},
                               KeyValues{{"axis", "0"}, {"begin", "-10"}, {"end", "2"}},
                               KeyValues{{"axis", "0"}, {"begin", "1"}, {"end", "1"}}})
    EXPECT_EQ(error_of([&] { return run1("slice_axis", {x}, bad); }).first, ErrorKind::kIndex);
  EXPECT_EQ(error_of([&] { return run1("slice_axis", {x}, {{"axis", "2"}, {"begin", "0"}, {"end", "1"}}); }).first,
            ErrorKind::kValue);
}

TEST(SliceOps, SliceAssignInPlace) {
  NDArray x = arange({3, 4});
  NDArray y = invoke("_slice_assign", {x, make_array({2, 2}, {-1, -2, -3, -4})},
                     {{"begin", "(1, None)"}, {"end", "(None, None)"}, {"step", "(1, 2)"}}, {x})[0];
  EXPECT_TRUE(y.same_chunk(x));
  expect_values(x, {0, 1, 2, 3, -1, 5, -2, 7, -3, 9, -4, 11}, 1e-6);
  expect_values(run1("_slice_assign_scalar", {arange({3, 4})},
                     {{"scalar", "7"}, {"begin", "(None, -1)"}, {"end", "(2, 0)"}, {"step", "(1, -1)"}}),
                {0, 7, 7, 7, 4, 7, 7, 7, 8, 9, 10, 11}, 1e-6);
}

TEST(SliceOps, TakeModes) {
  NDArray x = arange({3, 4});
  NDArray idx = make_array({2, 2}, {0, 2, -1, 5});
  NDArray c0 = run1("take", {x, idx}, {});
  EXPECT_EQ(c0.shape(), (Shape{2, 2, 4}));
  expect_values(c0, {0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}, 1e-6);
  expect_values(run1("take", {x, idx}, {{"mode", "wrap"}}), {0, 1, 2, 3, 8, 9, 10, 11, 8, 9, 10, 11, 8, 9, 10, 11}, 1e-6);
  NDArray w1 = run1("take", {x, idx}, {{"axis", "-1"}, {"mode", "wrap"}});
  EXPECT_EQ(w1.shape(), (Shape{3, 2, 2}));
  expect_values(w1, {0, 2, 3, 1, 4, 6, 7, 5, 8, 10, 11, 9}, 1e-6);
  expect_values(run1("take", {x, idx}, {{"axis", "1"}}), {0, 2, 0, 3, 4, 6, 4, 7, 8, 10, 8, 11}, 1e-6);
  // Float indices truncate toward zero; integer index arrays work and keep a's dtype.
  expect_values(run1("take", {x, make_array({4}, {0.7, 1.6, -0.5, 2.4})}, {}),
                {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 8, 9, 10, 11}, 1e-6);
  NDArray ti = run1("take", {x, make_array({1}, {1}, DType::kInt32)}, {});
  EXPECT_EQ(ti.dtype(), DType::kFloat32);
  expect_values(ti, {4, 5, 6, 7}, 1e-6);
  // mode='raise': the kernel's error surfaces at the next wait, naming the operator.
  auto [kind, msg] = error_of([&] { return run1("take", {x, make_array({2}, {0, 3})}, {{"mode", "raise"}}); });
  EXPECT_EQ(kind, ErrorKind::kIndex);
  EXPECT_NE(msg.find("take"), std::string::npos) << msg;
  EXPECT_EQ(error_of([&] { return run1("take", {x, make_array({1}, {-1})}, {{"mode", "raise"}}); }).first, ErrorKind::kIndex);
  expect_values(run1("take", {x, make_array({2}, {0, 1})}, {{"mode", "raise"}}), iota(8), 1e-6);
}

TEST(SliceOps, TakeGradientAccumulatesRepeatedIndices) {
  NDArray g = grad_of(arange({3, 4}), arange({4, 4}), [](const NDArray& a) {
    return run1("take", {a, make_array({4}, {0, 2, 0, -1})}, {});
  });
  expect_values(g, {20, 23, 26, 29, 0, 0, 0, 0, 4, 5, 6, 7}, 1e-6);
}

TEST(SliceOps, PickAndOneHot) {
  NDArray x = arange({3, 4});
  expect_values(run1("pick", {x, make_array({3}, {0, 3, 5})}, {{"axis", "1"}}), {0, 7, 11}, 1e-6);
  expect_values(run1("pick", {x, make_array({3}, {0, 3, 5})}, {{"axis", "1"}, {"mode", "wrap"}}), {0, 7, 9}, 1e-6);
  expect_values(run1("pick", {x, make_array({3}, {0, -1, -5})}, {{"axis", "1"}, {"mode", "wrap"}}), {0, 7, 11}, 1e-6);
  expect_values(run1("pick", {x, make_array({3}, {0, -1, -5})}, {{"axis", "1"}}), {0, 4, 8}, 1e-6);
  NDArray k = run1("pick", {x, make_array({4}, {0, 2, 1, 1})}, {{"axis", "0"}, {"keepdims", "True"}});
  EXPECT_EQ(k.shape(), (Shape{1, 4}));
  expect_values(k, {0, 9, 6, 7}, 1e-6);
  expect_values(run1("pick", {x, make_array({3, 1}, {0, 2, 1})}, {{"axis", "1"}}), {0, 6, 9}, 1e-6);
  expect_values(run1("pick", {x, make_array({3}, {1.7, 2.2, 0.9})}, {}), {1, 6, 8}, 1e-6);
  NDArray p3 = run1("pick", {arange({3, 2, 2}), make_array({3, 2}, {1, 0, 0, 1, 1, 1})}, {{"axis", "1"}});
  expect_values(p3, {2, 1, 4, 7, 10, 11}, 1e-6);
  EXPECT_EQ(error_of([&] { return run1("pick", {x, make_array({3}, {0, 0, 0})}, {{"axis", "None"}}); }).first,
            ErrorKind::kValue);
  NDArray g = grad_of(arange({3, 4}), make_array({3}, {1, 2, 3}), [](const NDArray& a) {
    return run1("pick", {a, make_array({3}, {3, 0, 1})}, {{"axis", "1"}});
  });
  expect_values(g, {0, 0, 0, 1, 2, 0, 0, 0, 0, 3, 0, 0}, 1e-6);

  NDArray oh = run1("one_hot", {make_array({5}, {1, 0, 2, -1, 5})}, {{"depth", "3"}});
  EXPECT_EQ(oh.shape(), (Shape{5, 3}));
  EXPECT_EQ(oh.dtype(), DType::kFloat32);
  expect_values(oh, {0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, 1e-6);
  NDArray oi = run1("one_hot", {make_array({2, 2}, {1, 0, 2, 0})},
                    {{"depth", "3"}, {"on_value", "8"}, {"off_value", "-1"}, {"dtype", "int32"}});
  EXPECT_EQ(oi.dtype(), DType::kInt32);
  EXPECT_EQ(oi.shape(), (Shape{2, 2, 3}));
  expect_values(oi, {-1, 8, -1, 8, -1, -1, -1, -1, 8, 8, -1, -1}, 1e-6);
}

// ---- tile_repeat.cc -------------------------------------------------------------------------

TEST(TileRepeatOps, Values) {
  NDArray x = arange({2, 3});
  expect_values(run1("tile", {x}, {{"reps", "(2,)"}}), {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}, 1e-6);
  NDArray t = run1("tile", {x}, {{"reps", "(2, 1, 2)"}});
  EXPECT_EQ(t.shape(), (Shape{2, 2, 6}));
  expect_values(t, {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5, 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}, 1e-6);
  expect_values(run1("tile", {x}, {{"reps", "()"}}), iota(6), 1e-6);
  EXPECT_EQ(shape_of("tile", {2, 3}, {{"reps", "(1, 2, 2)"}}), (Shape{1, 4, 6}));
  EXPECT_EQ(error_of([&] { return run1("tile", {x}, {{"reps", "(0, 2)"}}); }).first, ErrorKind::kValue);

  expect_values(run1("repeat", {x}, {{"repeats", "2"}}), {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5}, 1e-6);
  expect_values(run1("repeat", {x}, {{"repeats", "2"}, {"axis", "1"}}), {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5}, 1e-6);
  expect_values(run1("repeat", {x}, {{"repeats", "2"}, {"axis", "-2"}}), {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}, 1e-6);
  EXPECT_EQ(shape_of("repeat", {2, 3}, {{"repeats", "0"}, {"axis", "0"}}), (Shape{0, 3}));
  EXPECT_EQ(error_of([&] { return run1("repeat", {x}, {{"repeats", "-1"}}); }).first, ErrorKind::kValue);
}

TEST(TileRepeatOps, GradientsSumTheCopies) {
  NDArray gt = grad_of(arange({3, 4}), arange({6, 8}), [](const NDArray& a) {
    return run1("tile", {a}, {{"reps", "(2, 2)"}});
  });
  expect_values(gt, {56, 60, 64, 68, 88, 92, 96, 100, 120, 124, 128, 132}, 1e-6);
  NDArray gr = grad_of(arange({3, 4}), arange({36}), [](const NDArray& a) {
    return run1("repeat", {a}, {{"repeats", "3"}});
  });
  expect_values(gr, {3, 12, 21, 30, 39, 48, 57, 66, 75, 84, 93, 102}, 1e-6);
}

TEST(ShapeOps, WorkOnIntegerDtypes) {
  NDArray xi = make_array({2, 3}, iota(6), DType::kInt64);
  NDArray t = run1("transpose", {xi});
  EXPECT_EQ(t.dtype(), DType::kInt64);
  expect_values(t, {0, 3, 1, 4, 2, 5}, 1e-6);
  expect_values(run1("slice", {make_array({2, 3}, iota(6), DType::kUint8)}, {{"begin", "(None, 1)"}, {"end", "(None, None)"}}),
                {1, 2, 4, 5}, 1e-6);
  expect_values(run1("tile", {make_array({2}, {1, 0}, DType::kBool)}, {{"reps", "(2,)"}}), {1, 0, 1, 0}, 1e-6);
  expect_values(run1("concat", {xi, xi}, {{"num_args", "2"}, {"dim", "0"}}), {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5}, 1e-6);
}

}  // namespace
}  // namespace minerva
