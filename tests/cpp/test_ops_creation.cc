// Value tests for creation.cc, random.cc and optimizer.cc. Expected values come from MXNet 1.9.1
// (arange's float32 arithmetic, full's integer truncation, the optimizer update rules).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "core/op/random.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::make_array;
using testing::run1;
using testing::to_vector;
using testing::expect_values;

using V = std::vector<double>;


NDArray create(const std::string& op, const KeyValues& params) { return run1(op, {}, params); }

ErrorKind error_kind(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "expected an error";
  return ErrorKind::kInternal;
}

// ---- creation.cc ----------------------------------------------------------------------------

TEST(CreationOps, ZerosOnesFull) {
  NDArray z = create("_zeros", {{"shape", "(2, 3)"}});
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.dtype(), DType::kFloat32);
  expect_values(z, V(6, 0), 1e-6);
  NDArray o = create("ones", {{"shape", "(4,)"}, {"dtype", "int32"}});
  EXPECT_EQ(o.dtype(), DType::kInt32);
  expect_values(o, V(4, 1), 1e-6);
  expect_values(create("full", {{"shape", "(2,)"}, {"value", "3.5"}}), {3.5, 3.5}, 1e-6);
  // The value converts to the dtype by truncation, like MXNet.
  expect_values(create("_full", {{"shape", "(2,)"}, {"value", "3.5"}, {"dtype", "int32"}}), {3, 3}, 1e-6);
  expect_values(create("_full", {{"shape", "(2,)"}, {"value", "-3.5"}, {"dtype", "int32"}}), {-3, -3}, 1e-6);
  expect_values(create("_full", {{"shape", "(2,)"}, {"value", "2.7"}, {"dtype", "uint8"}}), {2, 2}, 1e-6);
  // An unknown (empty) shape cannot be created imperatively.
  error_kind([] { create("_zeros", {{"shape", "()"}}); });
  EXPECT_EQ(error_kind([] { create("_zeros", {{"shape", "(2, -1)"}}); }), ErrorKind::kValue);
  EXPECT_EQ(error_kind([] { create("_full", {{"shape", "(2,)"}}); }), ErrorKind::kValue);  // value is required
}

// Runs shape inference with a known output shape, as a symbolic graph pass does.
Shape infer_out(const std::string& name, const KeyValues& params, Shape out) {
  const OpDef& op = OpRegistry::get().lookup(name);
  std::vector<Shape> in, outs{std::move(out)};
  std::vector<int> in_t, out_t{-1};
  infer_shapes_and_types(op, *op.parse(params), &in, &outs, &in_t, &out_t);
  return outs[0];
}

TEST(CreationOps, CreationShapeFromOutput) {
  // A 0 in the shape is unknown (MXNet 1.x): a graph fills it from the output.
  EXPECT_EQ(infer_out("_ones", {{"shape", "(0, 5)"}}, {}), Shape{});
  EXPECT_EQ(infer_out("_ones", {{"shape", "(0, 5)"}}, {3, 5}), (Shape{3, 5}));
  EXPECT_EQ(infer_out("_random_uniform", {}, {2, 2}), (Shape{2, 2}));
  EXPECT_EQ(error_kind([] { infer_out("_zeros", {{"shape", "(0, 5)"}}, {3, 4}); }), ErrorKind::kValue);
  EXPECT_EQ(error_kind([] { infer_out("_zeros", {{"shape", "(2, 5)"}}, {3, 5}); }), ErrorKind::kValue);
}

TEST(CreationOps, Arange) {
  expect_values(create("_arange", {{"start", "0"}, {"stop", "5"}}), {0, 1, 2, 3, 4}, 1e-6);
  expect_values(create("arange", {{"start", "5"}}), {0, 1, 2, 3, 4}, 1e-6);
  expect_values(create("arange", {{"start", "1"}, {"stop", "3"}, {"repeat", "2"}}), {1, 1, 2, 2}, 1e-6);
  expect_values(create("arange", {{"start", "5"}, {"stop", "1"}, {"step", "-1.5"}}), {5, 3.5, 2}, 1e-6);
  NDArray i = create("arange", {{"start", "0.5"}, {"stop", "3"}, {"dtype", "int32"}});
  EXPECT_EQ(i.dtype(), DType::kInt32);
  expect_values(i, {0, 1, 2}, 1e-6);
  // float32 values are computed in float32: element 6 is 0.1f + 6 * 0.1f = 0.70000005.
  NDArray f = create("arange", {{"start", "0.1"}, {"stop", "1.0"}, {"step", "0.1"}});
  ASSERT_EQ(f.shape(), (Shape{9}));
  V fv = to_vector(f);
  EXPECT_EQ(static_cast<float>(fv[6]), 0.7000000476837158f);
  EXPECT_EQ(static_cast<float>(fv[2]), 0.30000001192092896f);
  NDArray d = create("arange", {{"start", "0.1"}, {"stop", "1.0"}, {"step", "0.1"}, {"dtype", "float64"}});
  EXPECT_DOUBLE_EQ(to_vector(d)[6], 0.1 + 6 * 0.1);
  EXPECT_EQ(create("arange", {{"start", "0"}, {"stop", "2.1"}, {"step", "0.7"}}).shape(), (Shape{4}));
  EXPECT_EQ(error_kind([] { create("arange", {{"start", "5"}, {"stop", "1"}}); }), ErrorKind::kValue);
  EXPECT_EQ(error_kind([] { create("arange", {{"start", "0"}, {"stop", "1"}, {"step", "0"}}); }), ErrorKind::kValue);
  // infer_range takes the length from the output.
  const KeyValues inferred{{"start", "2"}, {"step", "0.5"}, {"infer_range", "True"}};
  EXPECT_EQ(infer_out("_arange", inferred, {}), Shape{});
  EXPECT_EQ(infer_out("_arange", inferred, {4}), Shape{4});
  const OpDef& op = OpRegistry::get().lookup("_arange");
  NDArray out(Shape{4}, DType::kFloat32, Context::cpu(0));
  op.forward(OpContext{}, *op.parse(inferred), {}, {out.blob()});
  expect_values(out, {2, 2.5, 3, 3.5}, 1e-6);
}

// ---- random.cc ------------------------------------------------------------------------------

V draw(const std::string& op, const KeyValues& params) { return to_vector(create(op, params)); }

TEST(RandomOps, SeedMakesDrawsReproducible) {
  const KeyValues u{{"shape", "(50,)"}};
  random_seed(42);
  V a = draw("_random_uniform", u), a2 = draw("normal", u), a3 = draw("randint", {{"low", "0"}, {"high", "1000"}, {"shape", "(20,)"}});
  random_seed(42);
  V b = draw("uniform", u), b2 = draw("random_normal", u), b3 = draw("_random_randint", {{"low", "0"}, {"high", "1000"}, {"shape", "(20,)"}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a2, b2);
  EXPECT_EQ(a3, b3);
  random_seed(43);
  EXPECT_NE(draw("uniform", u), a);
  // Successive draws differ.
  EXPECT_NE(draw("uniform", u), draw("uniform", u));
}

TEST(RandomOps, UniformRangeAndDtype) {
  random_seed(1);
  NDArray x = create("uniform", {{"low", "-2"}, {"high", "3"}, {"shape", "(10000,)"}});
  EXPECT_EQ(x.dtype(), DType::kFloat32);
  V v = to_vector(x);
  double mean = 0;
  for (double e : v) {
    EXPECT_GE(e, -2);
    EXPECT_LT(e, 3);
    mean += e / v.size();
  }
  EXPECT_NEAR(mean, 0.5, 0.05);
  EXPECT_EQ(create("uniform", {{"shape", "(2,)"}, {"dtype", "float64"}}).dtype(), DType::kFloat64);
  EXPECT_EQ(error_kind([] { create("uniform", {{"low", "3"}, {"high", "1"}, {"shape", "(2,)"}}); }), ErrorKind::kValue);
  EXPECT_EQ(error_kind([] { create("uniform", {{"shape", "(2,)"}, {"dtype", "int32"}}); }), ErrorKind::kType);
}

TEST(RandomOps, NormalMoments) {
  random_seed(2);
  V v = draw("normal", {{"loc", "1.5"}, {"scale", "2"}, {"shape", "(100, 100)"}});
  double mean = 0, var = 0;
  for (double e : v) mean += e / v.size();
  for (double e : v) var += (e - mean) * (e - mean) / v.size();
  EXPECT_NEAR(mean, 1.5, 0.08);
  EXPECT_NEAR(std::sqrt(var), 2.0, 0.08);
  EXPECT_EQ(error_kind([] { create("normal", {{"scale", "-1"}, {"shape", "(2,)"}}); }), ErrorKind::kValue);
}

TEST(RandomOps, RandintAndShuffle) {
  random_seed(3);
  NDArray r = create("randint", {{"low", "-3"}, {"high", "4"}, {"shape", "(1000,)"}});
  EXPECT_EQ(r.dtype(), DType::kInt32);
  std::set<double> seen;
  for (double e : to_vector(r)) {
    EXPECT_GE(e, -3);
    EXPECT_LT(e, 4);
    seen.insert(e);
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(create("randint", {{"low", "0"}, {"high", "5"}, {"shape", "(3,)"}, {"dtype", "int64"}}).dtype(), DType::kInt64);
  EXPECT_EQ(error_kind([] { create("randint", {{"low", "5"}, {"high", "5"}, {"shape", "(3,)"}}); }), ErrorKind::kValue);

  // shuffle permutes whole rows.
  V rows(20);
  for (int i = 0; i < 20; ++i) rows[i] = i;
  NDArray x = make_array({10, 2}, rows, DType::kInt32);
  random_seed(4);
  V s = to_vector(run1("shuffle", {x}));
  random_seed(4);
  EXPECT_EQ(to_vector(run1("_shuffle", {x})), s);
  EXPECT_NE(s, rows);
  std::vector<double> firsts;
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(s[2 * i + 1], s[2 * i] + 1);
    firsts.push_back(s[2 * i]);
  }
  std::sort(firsts.begin(), firsts.end());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(firsts[i], 2 * i);
}

// ---- optimizer.cc ---------------------------------------------------------------------------

struct State {
  NDArray w, g, s, v;
};
State make_state() {
  return {make_array({4}, {1.0, -2.0, 3.0, 0.5}, DType::kFloat64), make_array({4}, {0.5, 4.0, -3.0, 0.1}, DType::kFloat64),
          make_array({4}, {0.1, 0.2, -0.3, 0.0}, DType::kFloat64), make_array({4}, {0.01, 0.2, 0.3, 0.0}, DType::kFloat64)};
}
const KeyValues kCommon{{"lr", "0.1"}, {"wd", "0.01"}, {"rescale_grad", "0.5"}};
KeyValues with(KeyValues kv, const KeyValues& more) {
  kv.insert(kv.end(), more.begin(), more.end());
  return kv;
}

TEST(OptimizerOps, SgdUpdate) {
  State st = make_state();
  invoke("sgd_update", {st.w, st.g}, with(kCommon, {{"clip_gradient", "1.0"}}), {st.w});
  expect_values(st.w, {0.974, -2.098, 3.097, 0.4945}, 1e-6);
  st = make_state();
  invoke("sgd_update", {st.w, st.g}, kCommon, {st.w});
  expect_values(st.w, {0.974, -2.198, 3.147, 0.4945}, 1e-6);
  // Without out, the weight is left alone and the result is a new array.
  st = make_state();
  NDArray r = run1("sgd_update", {st.w, st.g}, {{"lr", "0.1"}});
  expect_values(r, {0.95, -2.4, 3.3, 0.49}, 1e-6);
  expect_values(st.w, {1.0, -2.0, 3.0, 0.5}, 1e-6);
}

TEST(OptimizerOps, SgdMomUpdate) {
  State st = make_state();
  invoke("sgd_mom_update", {st.w, st.g, st.s}, with(kCommon, {{"momentum", "0.9"}, {"clip_gradient", "1.0"}}), {st.w});
  expect_values(st.w, {1.064, -1.918, 2.827, 0.4945}, 1e-6);
  expect_values(st.s, {0.064, 0.082, -0.173, -0.0055}, 1e-6);
  st = make_state();
  invoke("sgd_mom_update", {st.w, st.g, st.s}, with(kCommon, {{"momentum", "0.9"}}), {st.w});
  expect_values(st.w, {1.064, -2.018, 2.877, 0.4945}, 1e-6);
  expect_values(st.s, {0.064, -0.018, -0.123, -0.0055}, 1e-6);
}

TEST(OptimizerOps, AdamUpdate) {
  State st = make_state();
  invoke("adam_update", {st.w, st.g, st.s, st.v}, with(kCommon, {{"clip_gradient", "1.0"}}), {st.w});
  expect_values(st.w, {0.884332645431, -2.062485063371, 3.06747377905, 0.183771936398}, 1e-5);
  expect_values(st.s, {0.116, 0.28, -0.37, 0.0055}, 1e-6);
  expect_values(st.v, {0.0100576, 0.2008, 0.3007, 3.025e-06}, 1e-6);
  st = make_state();
  invoke("adam_update", {st.w, st.g, st.s, st.v},
         with(kCommon, {{"beta1", "0.8"}, {"beta2", "0.9"}, {"epsilon", "1e-3"}}), {st.w});
  expect_values(st.w, {0.895684205928, -2.073415492682, 3.07648220924, 0.440193111255}, 1e-5);
  expect_values(st.s, {0.132, 0.556, -0.534, 0.011}, 1e-6);
  expect_values(st.v, {0.01576, 0.57204, 0.48609, 0.0003025}, 1e-6);
}

TEST(OptimizerOps, RmspropUpdate) {
  State st = make_state();
  invoke("rmsprop_update", {st.w, st.g, st.v}, with(kCommon, {{"clip_gradient", "1.0"}, {"clip_weights", "2.0"}}),
         {st.w});
  expect_values(st.w, {0.770905194296, -2.0, 2.0, 0.05280123433}, 1e-5);
  expect_values(st.v, {0.01288, 0.24, 0.335, 0.00015125}, 1e-6);
  st = make_state();
  invoke("rmsprop_update", {st.w, st.g, st.v}, with(kCommon, {{"gamma1", "0.9"}, {"epsilon", "1e-3"}}), {st.w});
  expect_values(st.w, {0.799166420587, -2.261560822313, 3.210626356273, 0.347603915323}, 1e-5);
  expect_values(st.v, {0.01576, 0.57204, 0.48609, 0.0003025}, 1e-6);
}

TEST(OptimizerOps, Float32InPlaceChain) {
  // Repeated in-place updates through the engine see each other's results.
  NDArray w = make_array({3}, {1, 1, 1}), g = make_array({3}, {1, 2, 3}), m = make_array({3}, {0, 0, 0});
  for (int i = 0; i < 3; ++i) invoke("sgd_mom_update", {w, g, m}, {{"lr", "0.1"}, {"momentum", "0.5"}}, {w});
  // mom: -0.1g, -0.15g, -0.175g; w = 1 - 0.425g
  expect_values(w, {0.575, 0.15, -0.275}, 1e-6);
  expect_values(m, {-0.175, -0.35, -0.525}, 1e-6);
}

// From MXNet 1.9.1: nd.eye(3, 4, k=1), nd.eye(3, k=-1).
TEST(CreationOps, Eye) {
  NDArray a = run1("eye", {}, {{"N", "3"}, {"M", "4"}, {"k", "1"}});
  EXPECT_EQ(a.shape(), (Shape{3, 4}));
  expect_values(a, {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1});
  NDArray b = run1("_eye", {}, {{"N", "3"}, {"k", "-1"}, {"dtype", "int32"}});
  EXPECT_EQ(b.dtype(), DType::kInt32);
  expect_values(b, {0, 0, 0, 1, 0, 0, 0, 1, 0});
}

}  // namespace
}  // namespace minerva
