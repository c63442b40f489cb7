// Value tests for dot, batch_dot and FullyConnected (linalg.cc) and the GEMM wrapper
// (core/kernels/blas). Expected values come from MXNet 1.9.1: dot's N-d flattening with
// transposes, FullyConnected's flatten rule and its gradients; OpenBLAS is compared with the
// reference loop.
#include <array>

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

#include "core/autograd/autograd.h"
#include "core/kernels/blas/gemm.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::make_array;
using testing::run1;
using testing::to_vector;
using testing::error_of;
using testing::expect_values;
using testing::grads_of;

using V = std::vector<double>;


V arange(int n, double scale = 1, double shift = 0) {
  V v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[i] = i * scale + shift;
  return v;
}



// X = arange(24).reshape(2, 3, 4) * 0.1
NDArray x234() { return make_array({2, 3, 4}, arange(24, 0.1)); }

TEST(LinalgOps, Dot2d) {
  NDArray a = make_array({2, 3}, arange(6, 1, -2.5)), b = make_array({3, 4}, arange(12, 0.25));
  expect_values(run1("dot", {a, b}), {-2.5, -3.625, -4.75, -5.875, 6.5, 7.625, 8.75, 9.875});
  NDArray t = run1("dot", {b, a}, {{"transpose_a", "True"}, {"transpose_b", "True"}});
  EXPECT_EQ(t.shape(), (Shape{4, 2}));
  expect_values(t, {-2.5, 6.5, -3.625, 7.625, -4.75, 8.75, -5.875, 9.875});
}

TEST(LinalgOps, DotNdFlattening) {
  NDArray x = x234();
  NDArray y = make_array({4, 2, 3}, arange(24, 0.1, -1));
  NDArray xy = run1("dot", {x, y});
  EXPECT_EQ(xy.shape(), (Shape{2, 3, 2, 3}));
  V v = to_vector(xy);
  EXPECT_NEAR(v[0], 0.24, 1e-5);
  EXPECT_NEAR(v[7], 0.3, 1e-5);
  EXPECT_NEAR(v[35], 3.74, 1e-5);
  // transpose_a contracts lhs's first axis: (2, 3, 4) x (2, 5) -> (3, 4, 5).
  NDArray ta = run1("dot", {x, make_array({2, 5}, arange(10))}, {{"transpose_a", "True"}});
  EXPECT_EQ(ta.shape(), (Shape{3, 4, 5}));
  V tv = to_vector(ta);
  EXPECT_NEAR(tv[0], 6.0, 1e-5);
  EXPECT_NEAR(tv[59], 25.1, 1e-4);
  // transpose_b contracts rhs's last axis: (2, 3, 4) x (5, 3, 4) -> (2, 3, 5, 3).
  EXPECT_EQ(run1("dot", {x, make_array({5, 3, 4}, {})}, {{"transpose_b", "True"}}).shape(), (Shape{2, 3, 5, 3}));
  // Vectors: inner product of shape (1,); vector x matrix either way.
  expect_values(run1("dot", {make_array({3}, {1, 2, 3}), make_array({3}, {4, 5, 6})}), {32});
  EXPECT_EQ(run1("dot", {make_array({4, 3}, {}), make_array({4}, {})}, {{"transpose_a", "True"}}).shape(),
            (Shape{3}));
  EXPECT_EQ(run1("dot", {make_array({3}, {}), make_array({4, 3}, {})}, {{"transpose_b", "True"}}).shape(),
            (Shape{4}));
}

TEST(LinalgOps, DotErrors) {
  std::string e = error_of([] { run1("dot", {make_array({2, 3, 4}, {}), make_array({5, 12}, {})}, {{"transpose_b", "True"}}); });
  EXPECT_NE(e.find("dot"), std::string::npos) << e;
  EXPECT_NE(e.find("(2, 3, 4)"), std::string::npos) << e;
  EXPECT_NE(error_of([] { run1("dot", {make_array({3}, {}), make_array({3}, {})}, {{"transpose_a", "True"}}); }), "");
  EXPECT_NE(error_of([] { run1("dot", {make_array({2, 3}, {}), make_array({3, 2}, {})}, {{"forward_stype", "csr"}}); }),
            "");
  EXPECT_NE(error_of([] { run1("batch_dot", {make_array({3, 4}, {}), make_array({4, 5}, {})}); }), "");
  EXPECT_NE(error_of([] { run1("batch_dot", {make_array({2, 3, 4}, {}), make_array({1, 4, 5}, {})}); }), "");
}

TEST(LinalgOps, DotOtherDtypes) {
  // float16 and integers take the reference loop (MXNet's CPU dot has float32/float64 only).
  NDArray a = make_array({2, 3}, {1, 2, 3, 4, 5, 6}, DType::kFloat16);
  NDArray b = make_array({3, 2}, {1, 0, 0, 1, 1, 1}, DType::kFloat16);
  NDArray h = run1("dot", {a, b});
  EXPECT_EQ(h.dtype(), DType::kFloat16);
  expect_values(h, {4, 5, 10, 11});
  expect_values(run1("dot", {make_array({2, 3}, {1, 2, 3, 4, 5, 6}, DType::kInt32),
                             make_array({3, 2}, {1, 0, 0, 1, 1, 1}, DType::kInt32)}),
                {4, 5, 10, 11});
  expect_values(run1("batch_dot", {make_array({1, 2, 3}, {1, 2, 3, 4, 5, 6}, DType::kInt64),
                                   make_array({1, 2, 3}, {1, 0, 0, 1, 1, 1}, DType::kInt64)},
                     {{"transpose_b", "True"}}),
                {1, 6, 4, 15});
  EXPECT_NE(error_of([] {
              run1("dot", {make_array({2, 2}, {}, DType::kBool), make_array({2, 2}, {}, DType::kBool)});
            }),
            "");
}

TEST(LinalgOps, BatchDot) {
  NDArray x = x234();
  expect_values(run1("batch_dot", {x, make_array({2, 4, 5}, arange(40, 0.1))}),
                {0.7, 0.76, 0.82, 0.88, 0.94, 1.9, 2.12, 2.34, 2.56, 2.78, 3.1, 3.48, 3.86, 4.24, 4.62,
                 15.1, 15.64, 16.18, 16.72, 17.26, 19.5, 20.2, 20.9, 21.6, 22.3, 23.9, 24.76, 25.62, 26.48, 27.34});
  expect_values(run1("batch_dot", {x, make_array({2, 5, 4}, arange(40, 0.1))}, {{"transpose_b", "True"}}),
                {0.14, 0.38, 0.62, 0.86, 1.1, 0.38, 1.26, 2.14, 3.02, 3.9, 0.62, 2.14, 3.66, 5.18, 6.7,
                 11.66, 13.82, 15.98, 18.14, 20.3, 15.1, 17.9, 20.7, 23.5, 26.3, 18.54, 21.98, 25.42, 28.86, 32.3});
  EXPECT_EQ(run1("batch_dot", {make_array({2, 2, 3, 4}, {}), make_array({2, 2, 4, 2}, {})}).shape(),
            (Shape{2, 2, 3, 2}));
}

TEST(LinalgOps, FullyConnected) {
  NDArray x = x234();
  NDArray w = make_array({5, 4}, arange(20, 0.1, -1)), b = make_array({5}, {1, 2, 3, 4, 5});
  NDArray nf = run1("FullyConnected", {x, w, b}, {{"num_hidden", "5"}, {"flatten", "False"}});
  EXPECT_EQ(nf.shape(), (Shape{2, 3, 5}));
  expect_values(nf, {0.54, 1.78, 3.02, 4.26, 5.5, -0.82, 1.06, 2.94, 4.82, 6.7, -2.18, 0.34, 2.86, 5.38, 7.9,
                     -3.54, -0.38, 2.78, 5.94, 9.1, -4.9, -1.1, 2.7, 6.5, 10.3, -6.26, -1.82, 2.62, 7.06, 11.5});
  // flatten=True folds all but axis 0; no_bias drops the bias input.
  NDArray w2 = make_array({3, 12}, arange(36, 0.05, -0.5));
  expect_values(run1("FullyConnected", {x, w2}, {{"num_hidden", "3"}, {"no_bias", "True"}}),
                {-0.77, 3.19, 7.15, -4.01, 8.59, 21.19});
  EXPECT_NE(error_of([&] { run1("FullyConnected", {x, w, b}, {{"num_hidden", "5"}}); }), "");
  std::string missing = error_of([&] { run1("FullyConnected", {x, w2}, {{"num_hidden", "3"}}); });
  EXPECT_NE(missing, "");
}

TEST(LinalgOps, FullyConnectedInfersParameterShapes) {
  const OpDef& fc = OpRegistry::get().lookup("FullyConnected");
  AttrsPtr attrs = fc.parse({{"num_hidden", "7"}});
  std::vector<Shape> in{{8, 3, 4}, {}, {}}, out{{}};
  std::vector<int> it{0, -1, -1}, ot{-1};
  infer_shapes_and_types(fc, *attrs, &in, &out, &it, &ot);
  EXPECT_EQ(in[1], (Shape{7, 12}));
  EXPECT_EQ(in[2], (Shape{7}));
  EXPECT_EQ(out[0], (Shape{8, 7}));
  AttrsPtr nf = fc.parse({{"num_hidden", "7"}, {"flatten", "False"}, {"no_bias", "True"}});
  EXPECT_EQ(fc.inputs_for(*nf), (std::vector<std::string>{"data", "weight"}));
  std::vector<Shape> in2{{8, 3, 4}, {}}, out2{{}};
  std::vector<int> it2{0, -1}, ot2{-1};
  infer_shapes_and_types(fc, *nf, &in2, &out2, &it2, &ot2);
  EXPECT_EQ(in2[1], (Shape{7, 4}));
  EXPECT_EQ(out2[0], (Shape{8, 3, 7}));
}

TEST(LinalgOps, FullyConnectedGradients) {
  NDArray x = x234();
  auto g = grads_of({x, make_array({3, 12}, arange(36, 0.05, -0.5)), make_array({3}, {1, 2, 3})},
                    make_array({2, 3}, arange(6, 0.5, -1)), [](const std::vector<NDArray>& in) {
                      return run1("FullyConnected", in, {{"num_hidden", "3"}});
                    });
  expect_values(g[0], {0.45, 0.375, 0.3, 0.225, 0.15, 0.075, 0, -0.075, -0.15, -0.225, -0.3, -0.375,
                       0.9, 1.05, 1.2, 1.35, 1.5, 1.65, 1.8, 1.95, 2.1, 2.25, 2.4, 2.55});
  V w(36);
  for (int i = 0; i < 12; ++i) {
    w[i] = 0.6 - 0.05 * i;
    w[12 + i] = 1.2 + 0.05 * i;
    w[24 + i] = 1.8 + 0.15 * i;
  }
  expect_values(g[1], w);
  expect_values(g[2], {-0.5, 0.5, 1.5});
  auto h = grads_of({x, make_array({5, 4}, arange(20, 0.1, -1)), make_array({5}, {1, 2, 3, 4, 5})},
                    make_array({2, 3, 5}, arange(30, 0.1)), [](const std::vector<NDArray>& in) {
                      return run1("FullyConnected", in, {{"num_hidden", "5"}, {"flatten", "False"}});
                    });
  expect_values(h[0], {0.2, 0.3, 0.4, 0.5, -0.3, 0.05, 0.4, 0.75, -0.8, -0.2, 0.4, 1.0,
                       -1.3, -0.45, 0.4, 1.25, -1.8, -0.7, 0.4, 1.5, -2.3, -0.95, 0.4, 1.75});
  expect_values(h[1], {11, 11.75, 12.5, 13.25, 11.6, 12.41, 13.22, 14.03, 12.2, 13.07, 13.94, 14.81,
                       12.8, 13.73, 14.66, 15.59, 13.4, 14.39, 15.38, 16.37});
  expect_values(h[2], {7.5, 8.1, 8.7, 9.3, 9.9});
}

TEST(LinalgOps, DotNdGradient) {
  auto g = grads_of({x234(), make_array({4, 2, 3}, arange(24, 0.1, -1))}, make_array({2, 3, 2, 3}, arange(36, 0.1)),
                    [](const std::vector<NDArray>& in) { return run1("dot", in); });
  expect_values(g[0], {-0.95, -0.05, 0.85, 1.75, -3.65, -0.59, 2.47, 5.53, -6.35, -1.13, 4.09, 9.31,
                       -9.05, -1.67, 5.71, 13.09, -11.75, -2.21, 7.33, 16.87, -14.45, -2.75, 8.95, 20.65});
  expect_values(g[1], {13.2, 13.8, 14.4, 15, 15.6, 16.2, 14.1, 14.76, 15.42, 16.08, 16.74, 17.4,
                       15, 15.72, 16.44, 17.16, 17.88, 18.6, 15.9, 16.68, 17.46, 18.24, 19.02, 19.8});
}

TEST(LinalgOps, SecondOrderThroughBackwardDot) {
  // f(A) = sum(dot(A, A)) has df/dA[i][j] = (row sum j) + (column sum i). With create_graph that
  // gradient is recorded, and z = sum(g1 * g1) is differentiated again through _backward_dot.
  V av = {0.5, -1, 2, 0.25};
  NDArray a = make_array({2, 2}, av, DType::kFloat64);
  NDArray ga(a.shape(), DType::kFloat64, Context::cpu(0));
  autograd::mark_variables({&a}, {ga}, {GradReq::kWrite});
  bool prev = autograd::set_recording(true);
  NDArray y = run1("sum", {run1("dot", {a, a})});
  NDArray g1 = autograd::backward({y}, {}, {a}, true, true, true)[0];
  NDArray z = run1("sum", {run1("elemwise_mul", {g1, g1})});
  autograd::set_recording(prev);
  autograd::backward({z}, {}, {}, false, false, true);
  auto g1v = to_vector(g1);
  auto num = [&](const V& x) {
    V g(4);
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) g[i * 2 + j] = x[j * 2 + 0] + x[j * 2 + 1] + x[0 * 2 + i] + x[1 * 2 + i];
    double s = 0;
    for (double v : g) s += v * v;
    return s;
  };
  V expect_g1(4);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) expect_g1[i * 2 + j] = av[j * 2] + av[j * 2 + 1] + av[i] + av[2 + i];
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(g1v[k], expect_g1[k], 1e-9);
  auto gz = to_vector(ga);
  for (int k = 0; k < 4; ++k) {
    V p = av, m = av;
    p[k] += 1e-6;
    m[k] -= 1e-6;
    EXPECT_NEAR(gz[k], (num(p) - num(m)) / 2e-6, 1e-4) << k;
  }
}

// Small products run as one BLAS call; the two large ones are cut into row blocks (m > n) and
// column blocks (n > m) across OpenMP threads (Note [One threading layer]).
TEST(Gemm, OpenBlasMatchesReference) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(-1, 1);
  const std::vector<std::array<int64_t, 3>> sizes = {{7, 5, 9}, {300, 97, 100}, {61, 310, 120}};
  for (auto [m, n, k] : sizes) {
    for (DType dt : {DType::kFloat32, DType::kFloat64}) {
      for (int t = 0; t < 4; ++t) {
        bool ta = t & 1, tb = t & 2;
        V a(m * k), b(k * n), c0(m * n);
        for (auto& v : a) v = u(rng);
        for (auto& v : b) v = u(rng);
        for (auto& v : c0) v = u(rng);
        NDArray A = make_array({m * k}, a, dt), B = make_array({k * n}, b, dt);
        NDArray fast = make_array({m * n}, c0, dt), ref = make_array({m * n}, c0, dt);
        blas::GemmArgs g;
        g.trans_a = ta;
        g.trans_b = tb;
        g.m = m;
        g.n = n;
        g.k = k;
        g.alpha = 0.5;
        g.beta = 2.0;
        g.a = A.data();
        g.lda = ta ? m : k;
        g.b = B.data();
        g.ldb = tb ? k : n;
        g.c = fast.data();
        g.ldc = n;
        blas::gemm(dt, g, "test");
        g.c = ref.data();
        blas::gemm_reference(dt, g, "test");
        auto f = to_vector(fast), r = to_vector(ref);
        for (size_t i = 0; i < f.size(); ++i)
          ASSERT_NEAR(f[i], r[i], dt == DType::kFloat32 ? 1e-4 : 1e-11)
              << "m=" << m << " n=" << n << " ta=" << ta << " tb=" << tb << " i=" << i;
      }
    }
  }
}

TEST(Gemm, EmptyInnerDimensionZeroes) {
  NDArray c = make_array({2, 3}, {1, 2, 3, 4, 5, 6});
  blas::GemmArgs g;
  g.m = 2;
  g.n = 3;
  g.k = 0;
  g.c = c.data();
  g.ldc = 3;
  blas::gemm(DType::kFloat32, g, "test");
  expect_values(c, V(6, 0));
}

}  // namespace
}  // namespace minerva
