// Convolution and Pooling against MXNet 1.9.1: forward values and the gradients of the
// _backward_ operators on small cases (every tricky parameter: stride, pad, dilate, groups, 1-D
// and 3-D, the 'full' and 'same' conventions, count_include_pad, Lp, global pooling), plus
// chunked im2col on a larger problem checked against a direct loop, and the error cases.
#include <gtest/gtest.h>

#include <cmath>

#include "core/autograd/autograd.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::bias_of;
using testing::data_of;
using testing::expect_close;
using testing::make_array;
using testing::ograd_of;
using testing::pattern;
using testing::run1;
using testing::to_vector;
using testing::weight_of;

struct ConvCase {
  const char* name;
  Shape data, weight;
  KeyValues params;
  Shape out_shape;
  std::vector<double> out, dx, dw, db;
};

struct PoolCase {
  const char* name;
  Shape data;
  bool positive;  // inputs |x| + 0.5 (Lp with p = 3 divides by the output)
  KeyValues params;
  Shape out_shape;
  std::vector<double> out, dx;
};

/* The tables below were generated with (MXNET_MKLDNN_ENABLED=0 and =1 agree):
  def pat(shape, a, b, m, sc): i = np.arange(prod(shape)); return ((((i*a + b) % m) - m//2) / sc).reshape(shape)
  x = pat(data, 7, 3, 11, 4.); w = pat(weight, 5, 1, 7, 2.); bias = pat((F,), 1, 0, 3, 1.); og = pat(out, 3, 2, 5, 2.)
  with autograd.record(): y = nd.Convolution(x, w, bias, **params)   # or nd.Pooling(x, **params)
  y.backward(og); print(y, x.grad, w.grad, bias.grad)                 # all float64
*/
// Generated with MXNet 1.9.1 (float64) by the script in the comment above kConvCases.
const ConvCase kConvCases[] = {
    {"basic", {1, 2, 5, 5}, {3, 2, 3, 3}, {{"kernel", "(3, 3)"}, {"num_filter", "3"}, {"no_bias", "False"}},
     {1, 3, 3, 3},
     {4, -3.375, -3.875, -1.25, -0.375, -6.375, -1, 4, -3.375, 0.625, -3.375, -1.875, -0.125, 4.125, 0.125, 3.25, 0.625, -3.375, -1, 4.5, 4.5, 4.5, -1, 3.125, 3.125, -1, 4.5},
     {-2.25, 3.25, 0.25, -1.25, 0.25, -2, -0.25, 3, -2.25, 0.25, 3.75, -3.5, -1.5, 1.25, 0.5, -0.25, 1.25, -2.25, -0.5, 0.5, -1, 3, 0.75, -2, -0.75, 0.25, -1.25, 0.25, 3.25, -2.25, 0.75, 0.5, -3.25, 1, 2, -0.5, 0, 0.5, -1.25, -1, -1.75, 0.5, 5, 1.25, -2, -1, -1.25, -1.5, 1, 1.25},
     {-3.5, 1.625, -0.125, 0.125, -0.25, 0.75, 2.375, -3.5, 1.625, -3.25, 1.875, 0.125, 0.375, 0, 2.375, -0.125, -3.25, 1.875, 1.625, -0.25, -2.125, 0.5, 0, 0.875, -2, 1.625, -0.25, 1.5, -0.375, 0.5, 0.375, -0.125, -2, -2.125, 1.5, -0.375, -0.125, 0.375, 0.875, -0.375, 1.5, -2.125, -2, -0.125, 0.375, 0, 0.5, -0.375, -0.25, 1.625, -2, 0.875, 0, 0.5},
     {-1, 0.5, -0.5}},
    {"stride_pad_dilate", {2, 2, 5, 5}, {2, 2, 2, 2}, {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"pad", "(1, 1)"}, {"dilate", "(2, 2)"}, {"num_filter", "2"}, {"no_bias", "True"}},
     {2, 2, 3, 3},
     {1.75, 0.125, -0.125, -2.5, 1.125, 1.375, -0.25, 2, -1.5, -0.375, 1.375, 0.625, -0.875, -3, -1.75, 0, 0.125, 1.625, -1.625, 2, -0.375, 3.875, -5.25, 2.375, -1.5, 2, -0.25, -0.375, -2, 1.375, 0.25, 3.125, -2.25, -0.25, -1.375, 0.375},
     {0, 0, 0, 0, 0, 0, -4.25, 0, 4, 0, 0, 0, 0, 0, 0, 0, -3.25, 0, 1.25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 4, 0, 0, 0, 0, 0, 0, 0, -1, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -3.25, 0, 1.25, 0, 0, 0, 0, 0, 0, 0, 4, 0, 2.25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, -1, 0, 0, 0, 0, 0, 0, 0, 4, 0, -1, 0, 0, 0, 0, 0, 0},
     {-0.625, -1.5, 1.75, 0.25, -0.625, -1.625, 1.375, 0.375, -1.5, 0.125, 0.25, -0.625, -1.625, 0.5, 0.375, -0.625},
     {}},
    {"groups", {1, 4, 4, 4}, {4, 2, 3, 3}, {{"kernel", "(3, 3)"}, {"pad", "(1, 1)"}, {"num_filter", "4"}, {"num_group", "2"}, {"no_bias", "False"}},
     {1, 4, 4, 4},
     {0.125, -6, -1.5, -0.125, -2.75, 0.125, -3.125, -1, -1.5, -3.25, -1, -0.25, -3.375, -5.875, 3.875, -3.125, -0.625, -0.375, -0.25, -2, -0.75, 4.25, -6.625, 1.875, 0.625, -7.625, 6.25, -1.125, -0.25, -0.375, 2.875, 1.5, 1.875, 0.25, 3.5, -2.375, -2.375, 3.375, -2.125, 3, 0.5, 2, 2, 1.5, -2.125, 5, -1, -2.625, -4.375, 1.5, -1.75, -0.125, -0.875, -4.125, -0.125, 3.75, -6.125, 0.875, 0.75, -5.875, -0.625, 1.75, -1.125, 0},
     {1.5, 1.75, -3.75, 2.25, 0, 1.75, 0.5, -4, 0.5, 1.75, 1.75, 0.5, -3.25, 1.75, 2.25, -1.25, -0.75, 0.5, -0.75, 2.25, -1.75, 1.25, 1, -1, 0, -4.75, 1.25, 1, 1.5, -0.5, -3, 0, 2.25, -0.75, 0.5, -0.75, -4, 2.5, 2, 0, 0.5, -4.5, 2.5, 1.75, -1.25, 1, -3, 0.5, 2.25, -3.75, 1.75, 1.5, -1, -1, -2, 1.25, 1, 1.25, -1, -1.25, 0, 1.5, 1.75, -3},
     {-0.25, -1.375, -0.375, -0.625, 0.75, 1.25, 3, -3.25, -0.25, -0.25, 0.5, -2.375, -1.125, -0.625, -1, 2.25, 0.375, -0.25, -0.25, 1, -0.25, 2.375, -3, -1, -1.75, 4.5, -2.375, -2.375, 0.5, -0.25, 3.5, -0.75, 1.25, -3.375, 2.875, -0.375, 2.625, 0.625, -0.25, -3, 0.25, 2.375, 1.625, -1.375, -1.75, -1.75, 4.5, -2.375, 1.125, -3.625, 3.5, -2.25, 2.75, -3.375, -1.875, 1.375, 0.375, 0.875, -2.375, -0.25, -2, 1.875, -0.25, -0.25, -2.75, 4.25, -0.25, 1.5, -4.375, 0.125, -2, 4.125},
     {0, -1, 0.5, -0.5}},
    {"1d", {2, 3, 7}, {2, 3, 3}, {{"kernel", "(3,)"}, {"stride", "(2,)"}, {"pad", "(1,)"}, {"num_filter", "2"}, {"no_bias", "False"}},
     {2, 2, 4},
     {-0.25, -1.25, 1.875, -2.25, -2.25, 2.875, -2.625, 0.75, 0.375, -0.75, -0.375, -3.375, 0.25, 0.125, -2.625, 1},
     {-0.5, -0.5, -1.5, -1.5, 1.25, 2.5, -1, 0, -0.5, 1.5, -2.25, -0.75, 2.25, 0.75, 0.5, -0.5, 1, -3, -1, 2, 0.75, -1, -2.25, 1.75, 1.75, -0.5, -0.5, -1.5, 0.75, -2, -1.5, 2.5, 0, -0.5, 1.5, 0.75, -1.75, -1.25, 3.25, 0.5, -0.5, 1},
     {-3.125, 1.75, 1.25, 1.125, -0.125, -1.5, -2.875, 2.125, 1.25, 1.25, -3.125, 1.875, -1.5, 1.5, -1, 1.25, -3.5, 1.625},
     {-1.5, 1.5}},
    {"3d", {1, 2, 3, 4, 3}, {2, 2, 2, 2, 2}, {{"kernel", "(2, 2, 2)"}, {"stride", "(1, 2, 1)"}, {"pad", "(0, 1, 1)"}, {"num_filter", "2"}, {"no_bias", "False"}},
     {1, 2, 2, 3, 4},
     {0.625, -4.25, -1.75, 0.125, 0.75, -2.625, 2.375, -2.25, -1.75, 2, -1, -2.5, -3.375, -1.75, 2.125, -1.625, -0.75, 2.375, -5, -4, -0.625, -1, 0.125, -1.125, -0.375, 3.75, -0.125, -2, 1.125, -0.125, -2.875, 0, -1.375, -2.75, 2.5, -0.875, 1.375, -0.125, -2.625, 2, -1.125, -2.875, 1.25, 3.625, -1.25, 2.5, -3.25, 0.125},
     {0.5, 2.25, -2.25, 2.25, 0.5, -2.5, -2.5, 0.5, 2.25, -2.25, 2.25, 0.5, -1.75, 1.5, -2.75, -1, 2.5, -4, 2.5, -1.75, 1.5, -2, -1, 2.5, -0.25, 0, 0.25, -1.75, 2.25, -2.5, -0.5, -0.25, 0, 0.5, -1.75, 2.25, 0.5, 0.25, 0, 0.75, -3, 0.75, -0.5, 0.5, 0.25, 0.75, 0.75, -3, 0.5, -2.75, 1.5, -1, 1.25, 2.25, 2.5, 0.5, -2.75, -0.75, -1, 1.25, 2, -2.25, 2.25, 1.5, -2.5, 2.25, -2.5, 2, -2.25, 0.5, 1.5, -2.5},
     {-3.625, 1, -1, -2.375, 1, -0.75, -1, 2.25, -0.75, -0.125, 1.75, -3.625, 1.125, -0.5, -1, 1, 1, -1.25, -2.375, -0.625, -0.75, 1.875, 2.25, 1.75, -0.125, -0.125, -3.625, 1, -0.5, 1.625, 1, -0.75},
     {-1, 0.5}},
};

const PoolCase kPoolCases[] = {
    {"max_pad", {1, 2, 5, 5}, false, {{"kernel", "(3, 3)"}, {"stride", "(2, 2)"}, {"pad", "(1, 1)"}},
     {1, 2, 3, 3},
     {1.25, 1.25, 1, 1, 1.25, 0.75, 1, 1.25, 1.25, 1, 1, 1.25, 0.75, 1, 1.25, 1.25, 1, 1},
     {0, -1, 0, 0, 0.5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, -1.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.5, 0, 0, 0.5, 0, 0, 0, 0, 0, 0, 0, -0.5, 0}},
    {"max_full", {1, 1, 5, 5}, false, {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"pooling_convention", "full"}},
     {1, 1, 3, 3},
     {1.25, 0.75, 1, 1, 1.25, -0.25, 0.5, 1.25, 0.25},
     {0, 0, 0, 0, 0.5, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, -0.5, 0, 0, 0, 0, 0, -1, 0, 0.5, -0.5}},
    {"avg_full", {1, 1, 5, 5}, false, {{"kernel", "(3, 3)"}, {"stride", "(2, 2)"}, {"pad", "(1, 1)"}, {"pool_type", "avg"}, {"pooling_convention", "full"}},
     {1, 1, 3, 3},
     {-0.0277777778, 0.0277777778, -0.138888889, 0, 0.0277777778, -0.166666667, 0.0277777778, 0.111111111, 0.222222222},
     {0, -0.111111111, -0.111111111, -0.0555555556, 0.0555555556, -0.0555555556, -0.0555555556, 0, 0.0555555556, 0.0555555556, -0.0555555556, 0.0555555556, 0.111111111, 0.111111111, 0, -0.166666667, 0, 0.166666667, 0.111111111, -0.0555555556, -0.111111111, -0.0555555556, 0.0555555556, 0, -0.0555555556}},
    {"avg_full_exclude_pad", {1, 1, 5, 5}, false, {{"kernel", "(3, 3)"}, {"stride", "(2, 2)"}, {"pad", "(1, 1)"}, {"pool_type", "avg"}, {"pooling_convention", "full"}, {"count_include_pad", "False"}},
     {1, 1, 3, 3},
     {-0.0625, 0.0416666667, -0.3125, 0, 0.0277777778, -0.25, 0.0625, 0.166666667, 0.5},
     {0, -0.166666667, -0.166666667, -0.0416666667, 0.125, -0.0833333333, -0.138888889, -0.0555555556, 0.0694444444, 0.125, -0.0833333333, 0.0277777778, 0.111111111, 0.111111111, 0, -0.333333333, -0.138888889, 0.194444444, 0.0694444444, -0.125, -0.25, -0.166666667, 0.0833333333, -0.0416666667, -0.125}},
    {"avg_clipped_window", {1, 1, 5, 5}, false, {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"pool_type", "avg"}, {"pooling_convention", "full"}},
     {1, 1, 3, 3},
     {-0.0625, 0, -0.125, 0.25, 0.3125, -0.5, -0.375, 0.375, 0.25},
     {0, 0, -0.25, -0.25, 0.25, 0, 0, -0.25, -0.25, 0.25, -0.125, -0.125, 0.25, 0.25, 0, -0.125, -0.125, 0.25, 0.25, 0, -0.5, -0.5, 0.25, 0.25, -0.5}},
    {"sum_pad", {1, 1, 5, 5}, false, {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"pad", "(1, 1)"}, {"pool_type", "sum"}},
     {1, 1, 3, 3},
     {-0.5, 1.5, 0.25, 0.5, 0.5, -2, -0.25, -1, 2},
     {0, -1, -1, 0.5, 0.5, -0.5, 1, 1, 0, 0, -0.5, 1, 1, 0, 0, -1, 0.5, 0.5, -0.5, -0.5, -1, 0.5, 0.5, -0.5, -0.5}},
    {"lp1", {1, 1, 4, 4}, false, {{"kernel", "(2, 2)"}, {"pool_type", "lp"}, {"p_value", "1"}},
     {1, 1, 3, 3},
     {1.75, 0.5, -0.75, -0.5, -1.75, -0.25, 0, -1.25, 0.25},
     {0, -1, -0.5, 0.5, -0.5, -0.5, 0.5, 0.5, -1.5, 0, 1, -0.5, -1, -0.5, 0, -0.5}},
    {"lp2", {1, 1, 4, 4}, false, {{"kernel", "(2, 2)"}, {"pool_type", "lp"}, {"p_value", "2"}},
     {1, 1, 3, 3},
     {1.67705098, 1.62018517, 1.47901995, 1.62018517, 1.67705098, 1.43614066, 1.80277564, 1.5612495, 1.43614066},
     {0, -0.77151675, -0.0697879245, -0.253546276, -0.3086067, 0, -0.317133096, 0.253546276, 0.215826724, -0.0665427568, 0.284192895, 0.174077656, -0.693375245, -0.0586109722, 0.0209242532, -0.348155312}},
    {"lp3", {1, 1, 4, 4}, true, {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"pool_type", "lp"}, {"p_value", "3"}},
     {1, 1, 2, 2},
     {2.14428807, 1.97494792, 2.26126042, 1.9423655},
     {0, 0, -0.144215264, -0.400597956, 0, 0, -0.576861057, -0.400597956, 0.0550036319, 0.299464218, -0.132528137, -0.132528137, 0.299464218, 0.0550036319, -0.207075214, -0.298188307}},
    {"global_avg", {2, 2, 3, 4}, false, {{"kernel", "(2, 2)"}, {"pad", "(1, 1)"}, {"global_pool", "True"}, {"pool_type", "avg"}},
     {2, 2, 1, 1},
     {-0.0416666667, 0.104166667, 0.0208333333, -0.0625},
     {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.0833333333, -0.0833333333, -0.0833333333, -0.0833333333, -0.0833333333, -0.0833333333, -0.0833333333, -0.0833333333, -0.0833333333, -0.0833333333, -0.0833333333, -0.0833333333, 0.0416666667, 0.0416666667, 0.0416666667, 0.0416666667, 0.0416666667, 0.0416666667, 0.0416666667, 0.0416666667, 0.0416666667, 0.0416666667, 0.0416666667, 0.0416666667, -0.0416666667, -0.0416666667, -0.0416666667, -0.0416666667, -0.0416666667, -0.0416666667, -0.0416666667, -0.0416666667, -0.0416666667, -0.0416666667, -0.0416666667, -0.0416666667}},
    {"global_max", {2, 2, 3, 4}, false, {{"global_pool", "True"}},
     {2, 2, 1, 1},
     {1.25, 1.25, 1.25, 1.25},
     {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -0.5, 0, 0}},
    {"max_1d_full", {2, 1, 7}, false, {{"kernel", "(3,)"}, {"stride", "(2,)"}, {"pooling_convention", "full"}},
     {2, 1, 3},
     {1.25, 1, 1, 0.75, 0.5, 1.25},
     {0, 0, 0, 0, -0.5, 0, 0, -0.5, 0, 0, 1, 0, 0, 0}},
    {"avg_3d", {1, 1, 3, 4, 4}, false, {{"kernel", "(2, 2, 2)"}, {"stride", "(1, 2, 2)"}, {"pad", "(1, 0, 1)"}, {"pool_type", "avg"}},
     {1, 1, 4, 2, 3},
     {0.0625, 0.0625, 0, 0.125, -0.15625, 0.0625, -0.09375, 0.03125, 0.125, 0.03125, -0.0625, -0.09375, -0.1875, 0.1875, 0.03125, -0.0625, 0.09375, -0.1875, -0.03125, 0.21875, -0.09375, 0.03125, 0, -0.03125},
     {-0.125, -0.0625, -0.0625, 0, -0.125, -0.0625, -0.0625, 0, 0.0625, 0.125, 0.125, -0.125, 0.0625, 0.125, 0.125, -0.125, -0.0625, 0, 0, 0.0625, -0.0625, 0, 0, 0.0625, 0.125, -0.125, -0.125, -0.0625, 0.125, -0.125, -0.125, -0.0625, 0, 0.0625, 0.0625, 0.125, 0, 0.0625, 0.0625, 0.125, -0.125, -0.0625, -0.0625, 0, -0.125, -0.0625, -0.0625, 0}},
};

std::vector<NDArray> conv_inputs(const ConvCase& c, DType t) {
  std::vector<NDArray> in{data_of(c.data, t), weight_of(c.weight, t)};
  if (!c.db.empty()) in.push_back(bias_of({c.weight[0]}, t));
  return in;
}

TEST(ConvOps, ConvolutionMatchesMXNet) {
  for (const auto& c : kConvCases) {
    auto in = conv_inputs(c, DType::kFloat64);
    NDArray y = run1("Convolution", in, c.params);
    EXPECT_EQ(y.shape(), c.out_shape) << c.name;
    expect_close(to_vector(y), c.out, 1e-8, std::string(c.name) + " forward");
    auto g = invoke("_backward_Convolution", {ograd_of(c.out_shape), in[0], in[1]}, c.params);
    ASSERT_EQ(g.size(), c.db.empty() ? 2u : 3u) << c.name;
    expect_close(to_vector(g[0]), c.dx, 1e-8, std::string(c.name) + " data gradient");
    expect_close(to_vector(g[1]), c.dw, 1e-8, std::string(c.name) + " weight gradient");
    if (!c.db.empty()) expect_close(to_vector(g[2]), c.db, 1e-8, std::string(c.name) + " bias gradient");
  }
}

TEST(ConvOps, ConvolutionFloat32AndFloat16) {
  for (const auto& c : kConvCases) {
    for (DType t : {DType::kFloat32, DType::kFloat16}) {
      double tol = t == DType::kFloat32 ? 1e-5 : 1e-2;
      auto in = conv_inputs(c, t);
      NDArray y = run1("Convolution", in, c.params);
      EXPECT_EQ(y.dtype(), t);
      expect_close(to_vector(y), c.out, tol, std::string(c.name) + " forward " + dtype_name(t));
      auto g = invoke("_backward_Convolution", {ograd_of(c.out_shape, t), in[0], in[1]}, c.params);
      expect_close(to_vector(g[0]), c.dx, tol, std::string(c.name) + " data gradient " + dtype_name(t));
      expect_close(to_vector(g[1]), c.dw, tol, std::string(c.name) + " weight gradient " + dtype_name(t));
    }
  }
}

// The gradient function wires Convolution to _backward_Convolution: autograd gives the same numbers.
TEST(ConvOps, ConvolutionAutograd) {
  const ConvCase& c = kConvCases[2];  // groups, with bias
  auto in = conv_inputs(c, DType::kFloat64);
  std::vector<NDArray*> vars;
  std::vector<NDArray> grads;
  for (auto& a : in) {
    vars.push_back(&a);
    grads.push_back(NDArray(a.shape(), DType::kFloat64, Context::cpu(0)));
  }
  autograd::mark_variables(vars, grads, std::vector<GradReq>(vars.size(), GradReq::kWrite));
  bool prev = autograd::set_recording(true);
  NDArray y = run1("Convolution", in, c.params);
  autograd::set_recording(prev);
  autograd::backward({y}, {ograd_of(c.out_shape)}, {}, false, false, true);
  expect_close(to_vector(grads[0]), c.dx, 1e-12, "autograd data gradient");
  expect_close(to_vector(grads[1]), c.dw, 1e-12, "autograd weight gradient");
  expect_close(to_vector(grads[2]), c.db, 1e-12, "autograd bias gradient");
}

// A batch large enough to be unrolled in several chunks (see Note [Convolution as batched GEMM]),
// checked against a direct loop, forward and backward.
TEST(ConvOps, ChunkedBatchMatchesDirectLoop) {
  const int64_t N = 6, C = 16, H = 40, Wd = 40, F = 4, G = 2, K = 5, P = 2, Cg = C / G, Fg = F / G;
  const int64_t OH = H + 2 * P - K + 1, OW = Wd + 2 * P - K + 1;
  KeyValues params{{"kernel", "(5, 5)"}, {"pad", "(2, 2)"}, {"num_filter", "4"}, {"num_group", "2"}};
  NDArray x = data_of({N, C, H, Wd}), w = weight_of({F, Cg, K, K}), b = bias_of({F}), og = ograd_of({N, F, OH, OW});
  auto xv = to_vector(x), wv = to_vector(w), bv = to_vector(b), gv = to_vector(og);
  std::vector<double> y(static_cast<size_t>(N * F * OH * OW)), dx(xv.size(), 0.0), dw(wv.size(), 0.0), db(F, 0.0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t f = 0; f < F; ++f)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          size_t yi = static_cast<size_t>(((n * F + f) * OH + oh) * OW + ow);
          double acc = bv[f];
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t i = 0; i < K; ++i)
              for (int64_t j = 0; j < K; ++j) {
                int64_t ih = oh - P + i, iw = ow - P + j;
                if (ih < 0 || ih >= H || iw < 0 || iw >= Wd) continue;
                size_t xi = static_cast<size_t>(((n * C + f / Fg * Cg + c) * H + ih) * Wd + iw);
                size_t wi = static_cast<size_t>(((f * Cg + c) * K + i) * K + j);
                acc += xv[xi] * wv[wi];
                dx[xi] += wv[wi] * gv[yi];
                dw[wi] += xv[xi] * gv[yi];
              }
          y[yi] = acc;
          db[f] += gv[yi];
        }
  expect_close(to_vector(run1("Convolution", {x, w, b}, params)), y, 1e-10, "chunked forward");
  auto g = invoke("_backward_Convolution", {og, x, w}, params);
  expect_close(to_vector(g[0]), dx, 1e-10, "chunked data gradient");
  expect_close(to_vector(g[1]), dw, 1e-10, "chunked weight gradient");
  expect_close(to_vector(g[2]), db, 1e-10, "chunked bias gradient");
}

TEST(ConvOps, ConvolutionInfersWeightAndBiasShapes) {
  const OpDef& op = OpRegistry::get().lookup("Convolution");
  auto attrs = op.parse({{"kernel", "(3, 2)"}, {"num_filter", "6"}, {"num_group", "2"}, {"stride", "(2, 1)"}});
  std::vector<Shape> in{{2, 4, 9, 5}, {}, {}}, out(1);
  op.infer_shape(*attrs, &in, &out);
  EXPECT_EQ(in[1], (Shape{6, 2, 3, 2}));
  EXPECT_EQ(in[2], (Shape{6}));
  EXPECT_EQ(out[0], (Shape{2, 6, 4, 4}));
  // Without bias there are two inputs.
  auto nb = op.parse({{"kernel", "(3,)"}, {"num_filter", "2"}, {"no_bias", "True"}});
  EXPECT_EQ(op.inputs_for(*nb), (std::vector<std::string>{"data", "weight"}));
  std::vector<Shape> in2{{1, 3, 8}, {}}, out2(1);
  op.infer_shape(*nb, &in2, &out2);
  EXPECT_EQ(in2[1], (Shape{2, 3, 3}));
  EXPECT_EQ(out2[0], (Shape{1, 2, 6}));
}

ErrorKind error_kind(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  return ErrorKind::kInternal;  // no error at all: fails the comparison below
}

TEST(ConvOps, ConvolutionErrors) {
  NDArray x = data_of({1, 2, 5, 5}), w = weight_of({3, 2, 3, 3}), b = bias_of({3});
  auto conv = [&](KeyValues p, std::vector<NDArray> in) { return [=] { to_vector(run1("Convolution", in, p)); }; };
  EXPECT_EQ(error_kind(conv({{"kernel", "(3, 3)"}}, {x, w, b})), ErrorKind::kValue);  // num_filter missing
  EXPECT_EQ(error_kind(conv({{"kernel", "(3, 3)"}, {"num_filter", "3"}, {"layout", "NHWC"}}, {x, w, b})),
            ErrorKind::kUnsupported);
  EXPECT_EQ(error_kind(conv({{"kernel", "(3, 3)"}, {"num_filter", "4"}}, {x, w, b})), ErrorKind::kValue);  // weight
  EXPECT_EQ(error_kind(conv({{"kernel", "(3, 3)"}, {"num_filter", "3"}, {"num_group", "2"}}, {x, w, b})),
            ErrorKind::kValue);  // 3 filters in 2 groups
  EXPECT_EQ(error_kind(conv({{"kernel", "(6, 6)"}, {"num_filter", "3"}}, {x, weight_of({3, 2, 6, 6}), b})),
            ErrorKind::kValue);  // kernel larger than the input
  EXPECT_EQ(error_kind(conv({{"kernel", "(3,)"}, {"num_filter", "3"}}, {x, w, b})), ErrorKind::kValue);  // rank
  EXPECT_EQ(error_kind(conv({{"kernel", "(3, 3)"}, {"num_filter", "3"}, {"stride", "(1,)"}}, {x, w, b})),
            ErrorKind::kValue);
  try {
    run1("Convolution", {x, weight_of({3, 2, 2, 2}), b}, {{"kernel", "(3, 3)"}, {"num_filter", "3"}});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("weight"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("(3, 2, 3, 3)"), std::string::npos) << e.what();
  }
}

NDArray pool_input(const PoolCase& c, DType t) {
  auto v = pattern(shape_size(c.data), 7, 3, 11, 4.0);
  if (c.positive)
    for (auto& x : v) x = std::fabs(x) + 0.5;
  return make_array(c.data, v, t);
}

TEST(ConvOps, PoolingMatchesMXNet) {
  for (const auto& c : kPoolCases) {
    for (DType t : {DType::kFloat64, DType::kFloat32, DType::kFloat16}) {
      double tol = t == DType::kFloat64 ? 1e-8 : t == DType::kFloat32 ? 1e-5 : 3e-3;  // the table has 9 digits
      std::string what = std::string(c.name) + " " + dtype_name(t);
      NDArray x = pool_input(c, t);
      NDArray y = run1("Pooling", {x}, c.params);
      EXPECT_EQ(y.shape(), c.out_shape) << what;
      expect_close(to_vector(y), c.out, tol, what + " forward");
      NDArray dx = run1("_backward_Pooling", {ograd_of(c.out_shape, t), x, y}, c.params);
      expect_close(to_vector(dx), c.dx, tol, what + " gradient");
    }
  }
}

// MXNet 1.9.1 computes 'same' only for 1-D max pooling, and only when pad is spelled (0, 0, 0)
// (with the default pad its shape check indexes past the pad tuple); the values below come from
// Pooling(x, kernel=(3,), stride=(2,), pad=(0, 0, 0), pooling_convention='same').
TEST(ConvOps, PoolingSameConvention) {
  NDArray x = data_of({1, 2, 7});
  KeyValues p{{"kernel", "(3,)"}, {"stride", "(2,)"}, {"pooling_convention", "same"}};
  NDArray y = run1("Pooling", {x}, p);
  EXPECT_EQ(y.shape(), (Shape{1, 2, 4}));
  expect_close(to_vector(y), {1.25, 1, 1, -1, 0.75, 0.5, 1.25, 0.25}, 1e-12, "same forward");
  NDArray dx = run1("_backward_Pooling", {ograd_of({1, 2, 4}), x, y}, p);
  expect_close(to_vector(dx), {0, 0, 0, 0, -0.5, 0, -0.5, 1, 0, 0, 0, 0, -1, 0.5}, 1e-12, "same gradient");
}

// Ties: the gradient goes to the first maximal element of each window (MXNet's rule).
TEST(ConvOps, MaxPoolingGradientGoesToFirstMax) {
  NDArray x = make_array({1, 1, 3, 3}, {1, 3, 3, 3, 0, 1, 2, 3, 1}, DType::kFloat64);
  std::vector<NDArray*> vars{&x};
  std::vector<NDArray> grads{NDArray(x.shape(), DType::kFloat64, Context::cpu(0))};
  autograd::mark_variables(vars, grads, {GradReq::kWrite});
  bool prev = autograd::set_recording(true);
  NDArray y = run1("Pooling", {x}, {{"kernel", "(2, 2)"}});
  autograd::set_recording(prev);
  autograd::backward({y}, {make_array({1, 1, 2, 2}, {1, 1, 1, 1}, DType::kFloat64)}, {}, false, false, true);
  expect_close(to_vector(y), {3, 3, 3, 3}, 0, "tie forward");
  expect_close(to_vector(grads[0]), {0, 2, 0, 1, 0, 0, 0, 1, 0}, 0, "tie gradient");
}

TEST(ConvOps, PoolingErrors) {
  NDArray x = data_of({1, 2, 5, 5});
  auto pool = [&](KeyValues p) { return [=] { to_vector(run1("Pooling", {x}, p)); }; };
  EXPECT_EQ(error_kind(pool({})), ErrorKind::kValue);  // no kernel and no global_pool
  EXPECT_EQ(error_kind(pool({{"kernel", "(2,)"}})), ErrorKind::kValue);
  EXPECT_EQ(error_kind(pool({{"kernel", "(6, 6)"}})), ErrorKind::kValue);
  EXPECT_EQ(error_kind(pool({{"kernel", "(2, 2)"}, {"pool_type", "lp"}})), ErrorKind::kValue);  // no p_value
  EXPECT_EQ(error_kind(pool({{"kernel", "(2, 2)"}, {"pool_type", "lp"}, {"p_value", "4"}})), ErrorKind::kUnsupported);
  EXPECT_EQ(error_kind(pool({{"kernel", "(2, 2)"}, {"layout", "NHWC"}})), ErrorKind::kUnsupported);
  EXPECT_EQ(error_kind(pool({{"kernel", "(2, 2)"}, {"pool_type", "avg"}, {"pooling_convention", "same"}})),
            ErrorKind::kUnsupported);
  EXPECT_EQ(error_kind(pool({{"kernel", "(2, 2)"}, {"pool_type", "median"}})), ErrorKind::kValue);
  // Global pooling needs no kernel; any given kernel, pad and stride are ignored.
  NDArray g = run1("Pooling", {x}, {{"global_pool", "True"}, {"kernel", "(9, 9)"}, {"pad", "(3, 3)"}});
  EXPECT_EQ(g.shape(), (Shape{1, 2, 1, 1}));
}

}  // namespace
}  // namespace minerva
