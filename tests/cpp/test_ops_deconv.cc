// Deconvolution against MXNet 1.9.1: forward values and the gradients of _backward_Deconvolution
// (bias, stride + pad + adj + dilate, groups, 1-D with target_shape), float32 and float16 agreement,
// the autograd wiring, and the shape errors.
#include <gtest/gtest.h>

#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::data_of;
using testing::error_of;
using testing::expect_close;
using testing::make_array;
using testing::ograd_of;
using testing::run1;
using testing::to_vector;
using testing::weight_of;

struct DeconvCase {
  const char* name;
  Shape data, weight;
  KeyValues params;
  Shape out_shape;
  std::vector<double> out, dx, dw, db;
};

/* The tables were generated with MXNet 1.9.1 (MXNET_SUBGRAPH_BACKEND=NONE) by:
  def pat(shape, a, b, m, sc): i = np.arange(prod(shape)); return ((((i*a + b) % m) - m//2) / sc).reshape(shape)
  x = pat(data, 7, 3, 11, 4.); w = pat(weight, 5, 1, 7, 2.); bias = pat((F,), 1, 0, 3, 1.)
  with autograd.record(): y = nd.Deconvolution(x, w, [bias], **params)     # float64
  y.backward(pat(y.shape, 3, 2, 5, 2.)); print(y, x.grad, w.grad, bias.grad)
*/
const DeconvCase kDeconvCases[] = {
    {"basic", {1, 2, 3, 3}, {2, 3, 2, 2}, {{"kernel", "(2, 2)"}, {"num_filter", "3"}, {"no_bias", "False"}},
     {1, 3, 4, 4},
     {-1.75, -2.5, 0.125, -0.625, 2, -4.375, 0.5, -1.875, -0.625, -0.75, 0, -2.5, -2.5, 1.375, -0.5, -2.375, 0.125, -1.5, 0.375, 0.5, 3.625, -4.25, 0.5, -0.375, 0.125, -1, 1, -0.5, -1.5, 2, 0.75, -0.75, 0.25, 3.875, 1.5, 1.625, -1.75, 1.125, -1.25, 1.125, 1.75, 2.25, -1.5, 1.5, 3, 2.625, -1.5, 0.875},
     {2.25, 0.75, 0.5, -2.5, 2.25, 0.75, -1, -2.5, 2.25, -3.5, -0.5, 0, 1, -3.5, -0.5, 3, 1, -3.5},
     {-0.625, -0.75, -0.5, -0.625, -0.75, -0.25, -0.625, -0.75, -0.25, 2.125, -0.75, -0.25, 0.75, 3.125, -1.625, 0.75, 3.125, -2.625, 0.75, 3.125, -2.625, 0.375, 3.125, -2.625},
     {0, -1, 0.5}},
    {"stride_pad_adj", {2, 2, 3, 3}, {2, 2, 3, 3}, {{"kernel", "(3, 3)"}, {"stride", "(2, 2)"}, {"pad", "(1, 1)"}, {"adj", "(1, 1)"}, {"num_filter", "2"}},
     {2, 2, 6, 6},
     {-1.125, -2.25, -1.125, 1.875, -1.125, 0, 2.5, -4, -0.25, 4.25, -0.25, -0.125, 3, -0.875, -1.125, 1.875, -1.125, -0.375, -1.625, -1.25, -0.25, 4.25, -0.25, -0.875, 3, -0.875, -1.125, 1.875, -1.125, -0.75, -0.5, -0.5, -0.75, 1.625, 1.75, -1.375, 0.625, 3.875, -0.25, -2, 0.25, 0.5, -1.125, 7.375, -0.125, -2.375, 0.875, -0.75, -0.625, 0, -0.125, -1.75, 0.375, 1.125, -0.875, 4.25, 0.125, -2.75, 1.125, -0.375, -0.5, 0.25, 0, -1.5, 0.5, 1.75, -0.5, 0.625, 0.375, -1.75, -0.125, 1.125, -1.125, 1.875, -1.125, -0.875, 3, -0.875, -0.25, 4.25, -0.25, -4, 2.5, -0.5, -1.125, 1.875, -1.125, -2.25, -1.125, 1.5, -0.25, 0.125, 2.5, -4, -0.25, 2.875, -1.125, -0.875, 3, -0.875, -1.125, 1.125, 0.5, -0.75, -1.125, 0, -1.375, 1.75, 0, -1.5, 0.5, 0.875, -0.375, 0.125, 0.375, -3.125, 1.375, -0.5, -1.75, -1.25, 0.125, -1.25, 0.625, 3.875, -0.25, -2, 0.625, -3.5, -1.125, 7.375, -0.125, -2.25, 0.25, 0.375, -0.625, 0, -0.125, -1.375, 0.125, 0.5, -0.375, 0.875, 0.5, -0.75},
     {0.75, 0.5, -1.5, -0.5, -3, -1.5, -3.5, -1.5, 2.5, 1.75, 1.5, 2, -1.25, -0.25, -2.25, 0, -2.25, 3.25, 0.25, -1.5, 0.25, -3.5, -1.5, 2.5, -0.25, 2.5, 2.75, 1, 2, -2.5, 0, -2.25, 3.25, -1.25, 3.25, 0},
     {0, 1.625, -0.5, -0.625, 1.75, -1.25, 2.5, -1.25, 1.375, 0.625, -0.5, -0.125, 2.5, -1.25, 1.375, -1.875, 1.375, -1, -2.75, -1.125, 3.75, 0.75, 1.75, 0, -0.125, 0, 2.625, 0.5, 3.75, -1.375, -0.125, 0, 2.625, -0.375, 2.625, -2.25},
     {}},
    {"dilate_pad", {1, 2, 3, 3}, {2, 2, 3, 2}, {{"kernel", "(3, 2)"}, {"pad", "(1, 0)"}, {"dilate", "(2, 3)"}, {"num_filter", "2"}},
     {1, 2, 5, 6},
     {2, -0.75, -0.75, -1.125, 1.5, 0, 3, -0.625, -0.125, -3.125, 1.25, -1.25, -1.625, 0.25, 0.75, 2.25, -0.125, -1.125, -1.375, -1.25, 0.25, 2.125, 0.625, -0.875, 1.75, -1.375, -0.375, -1.375, 0.875, 0.375, -1.875, -0.375, 1.125, 2, -0.75, -0.75, -2.25, 1.875, 1.875, 3, -0.625, -0.125, -1.125, 1.5, 0, -1.625, 0.25, 0.75, -3.125, 1.25, -1.25, -1.375, -1.25, 0.25, 2.25, -0.125, -1.125, 1.75, -1.375, -0.375},
     {-0.5, -1.25, -0.75, -1.5, 0.75, 3, 0.5, 1.5, 0, 0.5, 1.5, 0, 1, 1.5, -3, 1.5, -1, -1},
     {0.5, 0.625, 1.375, -0.25, 0.75, 0.125, 0.5, 0.625, 1.375, -0.25, 0.75, 0.125, -1.125, 1.625, 1, -1.875, 3.125, 1.5, -1.125, 1.625, 1, -1.875, 3.125, 1.5},
     {}},
    {"groups", {1, 4, 2, 3}, {4, 1, 3, 3}, {{"kernel", "(3, 3)"}, {"pad", "(1, 1)"}, {"num_filter", "2"}, {"num_group", "2"}, {"no_bias", "False"}},
     {1, 2, 2, 3},
     {-1.375, -0.25, -0.875, 1.25, -4, 0.625, 1.625, 2.875, -3, -1.25, 0.875, 0.25},
     {1, 1, -0.25, 1.25, -2.5, 1.25, 0.25, -0.75, 0.5, 0.5, -0.75, 0.25, -2.75, 0, 0.25, 0.5, 0.5, -2.75, -0.25, 2, 0.5, 1.25, 0.75, 1},
     {0, -1, 1.25, -0.75, 0.25, 0.375, -0.375, 1.5, -0.5, 0.5, -0.75, 1.5, -0.5, 0.25, 0.125, -0.625, 1.25, -1, -0.5, -0.5, 0.5, -0.625, 1.25, 0.5, 0.25, 2, -0.25, 1.125, -1.375, 0.5, -0.875, -1, 1, -0.25, 2, 0.25},
     {0, -1}},
    {"1d_target", {2, 3, 4}, {3, 2, 3}, {{"kernel", "(3,)"}, {"stride", "(2,)"}, {"target_shape", "(8,)"}, {"num_filter", "2"}, {"no_bias", "False"}},
     {2, 2, 8},
     {-2.75, -2, 0.875, 1.125, 0.375, -2.625, -2.875, 0.25, 0.125, -4.375, -2.5, 2, 0.375, 1.5, 0.5, -1.625, 0.875, 1.125, 0.375, -2.625, -2.875, 0.5, 0.75, -2.125, -2.5, 2, 0.375, 1.5, 0.5, -0.375, -0.75, 0.75},
     {1.25, 0, 1.25, -2.5, -2.75, 0.75, -1, 1, 0.25, 1.5, -1.5, -0.75, -2.75, 1.25, 0, 0, 1.25, 1.75, -2.5, 0.75, 0, -1.25, 2, 1.5},
     {-3, 0.75, 0.625, 2, 1, -3.5, 1, -1.375, -2.25, 0.75, 0.375, 2, -0.5, 2, 0.375, -0.5, -1.625, -0.75},
     {-1.5, 0.5}},
};

std::vector<NDArray> deconv_inputs(const DeconvCase& c, DType t) {
  std::vector<NDArray> in{data_of(c.data, t), weight_of(c.weight, t)};
  if (!c.db.empty()) in.push_back(testing::bias_of({c.out_shape[1]}, t));
  return in;
}

TEST(DeconvOps, DeconvolutionMatchesMXNet) {
  for (const auto& c : kDeconvCases) {
    for (DType t : {DType::kFloat64, DType::kFloat32, DType::kFloat16}) {
      const double tol = t == DType::kFloat64 ? 1e-10 : t == DType::kFloat32 ? 1e-5 : 1e-2;
      const std::string what = std::string(c.name) + " " + dtype_name(t);
      auto in = deconv_inputs(c, t);
      NDArray y = run1("Deconvolution", in, c.params);
      EXPECT_EQ(y.shape(), c.out_shape) << what;
      expect_close(to_vector(y), c.out, tol, what + " forward");
      NDArray og = ograd_of(c.out_shape, t);
      auto g = invoke("_backward_Deconvolution", {og, in[0], in[1]}, c.params);
      ASSERT_EQ(g.size(), c.db.empty() ? 2u : 3u) << what;
      expect_close(to_vector(g[0]), c.dx, tol, what + " data gradient");
      expect_close(to_vector(g[1]), c.dw, tol, what + " weight gradient");
      if (!c.db.empty()) expect_close(to_vector(g[2]), c.db, tol, what + " bias gradient");
    }
  }
}

TEST(DeconvOps, DeconvolutionAutograd) {
  const DeconvCase& c = kDeconvCases[3];  // groups, with bias
  auto in = deconv_inputs(c, DType::kFloat64);
  NDArray og = ograd_of(c.out_shape);
  auto g = testing::grads_of(in, og, [&](const std::vector<NDArray>& x) { return run1("Deconvolution", x, c.params); });
  expect_close(to_vector(g[0]), c.dx, 1e-12, "autograd data gradient");
  expect_close(to_vector(g[1]), c.dw, 1e-12, "autograd weight gradient");
  expect_close(to_vector(g[2]), c.db, 1e-12, "autograd bias gradient");
}

// Note [Deconvolution with stride and dilation]: MXNet 1.9.1's CPU Deconvolution disagrees with its
// own Convolution's data gradient when both stride and dilate exceed 1 (an upstream bug), so that
// combination is checked here for what Deconvolution is defined as: the adjoint of Convolution.
TEST(DeconvOps, DeconvolutionIsConvolutionDataGradient) {
  const KeyValues p{{"kernel", "(3, 3)"}, {"stride", "(2, 2)"}, {"dilate", "(2, 2)"}, {"pad", "(1, 1)"},
                    {"adj", "(1, 0)"}, {"num_filter", "2"}};
  NDArray x = data_of({2, 3, 3, 2});
  NDArray w = weight_of({3, 2, 3, 3});
  NDArray y = run1("Deconvolution", {x, w}, p);
  EXPECT_EQ(y.shape(), (Shape{2, 2, 8, 5}));
  // Convolution with the same geometry maps y's shape back to x's; its data gradient for
  // ograd = x is the deconvolution of x.
  KeyValues cp{{"kernel", "(3, 3)"}, {"stride", "(2, 2)"}, {"dilate", "(2, 2)"}, {"pad", "(1, 1)"}, {"num_filter", "3"},
               {"no_bias", "True"}};
  auto g = invoke("_backward_Convolution", {x, make_array(y.shape(), {}, DType::kFloat64), w}, cp);
  expect_close(to_vector(y), to_vector(g[0]), 1e-12, "deconvolution vs convolution data gradient");
}

TEST(DeconvOps, DeconvolutionErrors) {
  NDArray x = make_array({1, 2, 3, 3}, {}, DType::kFloat32), w = make_array({2, 2, 3, 3}, {}, DType::kFloat32);
  auto err = [&](KeyValues p) { return error_of([&] { run1("Deconvolution", {x, w}, p); }); };
  EXPECT_NE(err({{"kernel", "(3, 3)"}, {"num_filter", "2"}, {"stride", "(2, 2)"}, {"adj", "(2, 2)"}}).find("adj"), std::string::npos);
  EXPECT_NE(err({{"kernel", "(3, 3)"}, {"num_filter", "2"}, {"target_shape", "(6, 6)"}}).find("target_shape"), std::string::npos);
  EXPECT_NE(err({{"kernel", "(3, 3)"}, {"num_filter", "2"}, {"pad", "(3, 3)"}}).find("pad"), std::string::npos);
  EXPECT_NE(err({{"kernel", "(3,)"}, {"num_filter", "2"}}).find("needs 3-D data"), std::string::npos);
  EXPECT_NE(err({{"kernel", "(3, 3)"}, {"num_filter", "3"}, {"num_group", "2"}}).find("num_group"), std::string::npos);
}

}  // namespace
}  // namespace minerva
