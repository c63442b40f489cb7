// Value tests of the neural-network layers (core/ops/nn_activation.cc, nn_softmax.cc, nn_norm.cc,
// nn_misc.cc) against MXNet 1.9.1: every expected vector below was printed by the oracle
// (mx.nd.<op> with autograd, float32), so these check MXNet's exact semantics, including the
// gradients the registry's numeric check cannot see (SoftmaxOutput, Dropout, rrelu).
#include <gtest/gtest.h>

#include <cmath>

#include "core/autograd/autograd.h"
#include "core/op/random.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::make_array;
using testing::run1;
using testing::to_vector;

void expect_close(const std::vector<double>& got, const std::vector<double>& want, double tol = 2e-5,
                  const std::string& what = "") {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], tol * std::max(1.0, std::fabs(want[i]))) << what << " [" << i << "]";
}

// Runs `op` while recording, back-propagates `ograd` from output 0 and returns the visible
// outputs and the gradients of the inputs listed in `mark` (MXNet's y.backward(ograd)).
struct GradRun {
  std::vector<NDArray> outs;
  std::vector<std::vector<double>> grads;
};
GradRun run_grad(const std::string& name, std::vector<NDArray> in, const KeyValues& params,
                 const std::vector<int>& mark, const std::vector<double>& ograd, bool train = true) {
  std::vector<NDArray*> vars;
  std::vector<NDArray> bufs;
  for (int i : mark) {
    vars.push_back(&in[static_cast<size_t>(i)]);
    bufs.push_back(NDArray(in[static_cast<size_t>(i)].shape(), in[static_cast<size_t>(i)].dtype(), Context::cpu(0)));
  }
  autograd::mark_variables(vars, bufs, std::vector<GradReq>(vars.size(), GradReq::kWrite));
  bool prev_train = autograd::set_training(train), prev_rec = autograd::set_recording(true);
  GradRun r;
  try {
    r.outs = invoke(name, in, params);
  } catch (...) {
    autograd::set_recording(prev_rec);
    autograd::set_training(prev_train);
    throw;
  }
  autograd::set_recording(prev_rec);
  autograd::set_training(prev_train);
  NDArray og = make_array(r.outs[0].shape(), ograd, r.outs[0].dtype());
  autograd::backward({r.outs[0]}, {og}, {}, false, false, true);
  for (auto& b : bufs) r.grads.push_back(to_vector(b));
  return r;
}

const Shape kX23{2, 3};
const std::vector<double> kX = {1, -2, 3, -0.5, 0.2, -1.5};
const std::vector<double> kOgrad = {1, 2, 3, 0.5, -1, 2};

// ---- activations ---------------------------------------------------------------------------------

struct Case {
  const char* act;
  std::vector<double> out, grad;
};

TEST(OpsNN, ActivationMatchesMXNet) {
  const Case cases[] = {
      {"relu", {1, 0, 3, 0, 0.2, 0}, {1, 0, 3, 0, -1, 0}},
      {"sigmoid",
       {0.7310586, 0.1192029, 0.9525741, 0.3775406, 0.549834, 0.1824255},
       {0.1966119, 0.2099872, 0.13553, 0.1175019, -0.2475166, 0.2982929}},
      {"tanh",
       {0.7615942, -0.9640276, 0.9950548, -0.4621172, 0.1973753, -0.9051483},
       {0.4199743, 0.1413016, 0.02959795, 0.3932239, -0.961043, 0.3614132}},
      {"softrelu",
       {1.313262, 0.1269281, 3.048587, 0.474077, 0.7981389, 0.2014133},
       {0.7310586, 0.2384058, 2.857722, 0.1887703, -0.549834, 0.3648511}},
      {"softsign",
       {0.5, -0.6666667, 0.75, -0.3333333, 0.1666667, -0.6},
       {0.25, 0.2222222, 0.1875, 0.2222222, -0.6944444, 0.32}},
  };
  for (const auto& c : cases) {
    GradRun r = run_grad("Activation", {make_array(kX23, kX)}, {{"act_type", c.act}}, {0}, kOgrad);
    expect_close(to_vector(r.outs[0]), c.out, 2e-5, c.act);
    expect_close(r.grads[0], c.grad, 2e-5, c.act);
  }
}

TEST(OpsNN, ActivationNeedsActType) {
  EXPECT_THROW(run1("Activation", {make_array(kX23, kX)}), Error);
  EXPECT_THROW(run1("Activation", {make_array(kX23, kX)}, {{"act_type", "swish"}}), Error);
}

TEST(OpsNN, LeakyReLUVariantsMatchMXNet) {
  const Case cases[] = {
      {"leaky", {1, -0.6, 3, -0.15, 0.2, -0.45}, {1, 0.6, 3, 0.15, -1, 0.6}},
      {"elu",
       {1, -0.2593994, 3, -0.1180408, 0.2, -0.233061},
       {1, 0.08120117, 3, 0.09097959, -1, 0.1338781}},
      // MXNet 1.9.1's selu gradient for x <= 0 is lambda * (y + alpha), which is not the
      // derivative of its forward; these are lambda * alpha * exp(x) * ograd (the numeric check agrees).
      {"selu",
       {1.050701, -1.520167, 3.152103, -0.6917582, 0.2101402, -1.365814},
       {1.050701, 0.4758656, 3.152103, 0.5331706, -1.050701, 0.7845699}},
      {"gelu",  // the erf form, not the tanh approximation
       {0.8413447, -0.0455001, 2.99595, -0.1542688, 0.115852, -0.1002109},
       {1.083315, -0.1704637, 3.035837, 0.06625246, -0.6574683, -0.2549383}},
  };
  for (const auto& c : cases) {
    GradRun r = run_grad("LeakyReLU", {make_array(kX23, kX)}, {{"act_type", c.act}, {"slope", "0.3"}}, {0}, kOgrad);
    expect_close(to_vector(r.outs[0]), c.out, 2e-5, c.act);
    expect_close(r.grads[0], c.grad, 2e-5, c.act);
  }
  // Default act_type is leaky with slope 0.25.
  expect_close(to_vector(run1("LeakyReLU", {make_array({2}, {-2, 1})})), {-0.5, 1});
}

TEST(OpsNN, PReLUPerChannelAndShared) {
  GradRun r = run_grad("LeakyReLU", {make_array(kX23, kX), make_array({3}, {0.1, 0.5, 2})}, {{"act_type", "prelu"}},
                       {0, 1}, kOgrad);
  expect_close(to_vector(r.outs[0]), {1, -1, 3, -0.05, 0.2, -3});
  expect_close(r.grads[0], {1, 1, 3, 0.05, -1, 4});
  expect_close(r.grads[1], {-0.25, -4, -3});

  GradRun s = run_grad("LeakyReLU",
                       {make_array({2, 2, 2}, {1, -2, 3, -1, -0.5, 0.2, -1.5, 4}), make_array({1}, {0.3})},
                       {{"act_type", "prelu"}}, {0, 1}, std::vector<double>(8, 2.0));
  expect_close(to_vector(s.outs[0]), {1, -0.6, 3, -0.3, -0.15, 0.2, -0.45, 4});
  expect_close(s.grads[0], {2, 0.6, 2, 0.6, 0.6, 2, 0.6, 2});
  expect_close(s.grads[1], {-10});

  // gamma's shape is inferred as (channels,) and checked.
  const OpDef& op = OpRegistry::get().lookup("LeakyReLU");
  AttrsPtr a = op.parse({{"act_type", "prelu"}});
  std::vector<Shape> in{{4, 5, 6}, {}}, out(1);
  op.infer_shape(*a, &in, &out);
  EXPECT_EQ(in[1], Shape{5});
  EXPECT_EQ(op.inputs_for(*a).size(), 2u);
  EXPECT_EQ(op.inputs_for(*op.parse({})).size(), 1u);
  EXPECT_THROW(run1("LeakyReLU", {make_array(kX23, kX), make_array({2}, {0.1, 0.2})}, {{"act_type", "prelu"}}), Error);
}

TEST(OpsNN, RReLURandomSlopesInTrainingMidpointInPrediction) {
  // Prediction: slope (0.125 + 0.334) / 2 = 0.2295; two visible outputs (output, mask).
  auto pred = invoke("LeakyReLU", {make_array(kX23, kX)}, {{"act_type", "rrelu"}});
  ASSERT_EQ(pred.size(), 2u);
  expect_close(to_vector(pred[0]), {1, -0.459, 3, -0.11475, 0.2, -0.34425}, 1e-6);
  // Training: each negative element gets its own slope in [lower_bound, upper_bound).
  std::vector<double> x(200);
  for (size_t i = 0; i < x.size(); ++i) x[i] = (i % 2 ? -1.0 : 1.0) * (1 + static_cast<double>(i) / 100);
  GradRun r = run_grad("LeakyReLU", {make_array({200}, x)}, {{"act_type", "rrelu"}}, {0}, std::vector<double>(200, 1.0));
  auto y = to_vector(r.outs[0]), mask = to_vector(r.outs[1]);
  double lo = 1, hi = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_GE(mask[i], 0.125 - 1e-7);
    EXPECT_LT(mask[i], 0.334);
    lo = std::min(lo, mask[i]);
    hi = std::max(hi, mask[i]);
    EXPECT_NEAR(y[i], x[i] > 0 ? x[i] : mask[i] * x[i], 1e-5);
    EXPECT_NEAR(r.grads[0][i], x[i] > 0 ? 1.0 : mask[i], 1e-6);
  }
  EXPECT_LT(lo, 0.16);  // the slopes really vary
  EXPECT_GT(hi, 0.30);
}

// ---- softmax family --------------------------------------------------------------------------------

TEST(OpsNN, SoftmaxAndLogSoftmaxMatchMXNet) {
  GradRun r = run_grad("softmax", {make_array(kX23, kX)}, {}, {0}, kOgrad);
  expect_close(to_vector(r.outs[0]), {0.1184997, 0.00589975, 0.8756006, 0.2957152, 0.5954973, 0.1087875});
  expect_close(r.grads[0], {-0.2082159, -0.004466707, 0.2126825, 0.2158912, -0.4584944, 0.2426032});

  r = run_grad("softmax", {make_array(kX23, kX)}, {{"axis", "0"}, {"temperature", "2"}}, {0}, kOgrad);
  expect_close(to_vector(r.outs[0]), {0.6791787, 0.2497399, 0.9046505, 0.3208213, 0.7502601, 0.09534946});
  expect_close(r.grads[0], {0.05447375, 0.2810548, 0.04312901, -0.05447375, -0.2810548, -0.04312897});

  r = run_grad("log_softmax", {make_array(kX23, kX)}, {}, {0}, kOgrad);
  expect_close(to_vector(r.outs[0]), {-2.132842, -5.132842, -0.1328421, -1.218355, -0.5183552, -2.218355});
  expect_close(r.grads[0], {0.2889998, 1.964601, -2.25362, 0.05642579, -1.893249, 1.836818});

  r = run_grad("log_softmax", {make_array(kX23, kX)}, {{"axis", "0"}, {"temperature", "0.5"}}, {0}, kOgrad);
  expect_close(to_vector(r.outs[0]), {-0.04858733, -4.412203, -0.000123374, -3.048587, -0.01220261, -9.000123});
  expect_close(r.grads[0], {-0.8577223, 3.975743, -3.998766, 0.8577224, -3.975743, 3.998766});
}

TEST(OpsNN, SoftmaxDtypeParameter) {
  // Output in float64, gradient back in the input's float32.
  GradRun r = run_grad("softmax", {make_array(kX23, kX)}, {{"dtype", "float64"}}, {0}, kOgrad);
  EXPECT_EQ(r.outs[0].dtype(), DType::kFloat64);
  expect_close(to_vector(r.outs[0]), {0.1184997, 0.00589975, 0.8756006, 0.2957152, 0.5954973, 0.1087875});
  expect_close(r.grads[0], {-0.2082158, -0.004466705, 0.2126827, 0.2158912, -0.4584944, 0.2426032});

  r = run_grad("log_softmax", {make_array(kX23, kX)}, {{"dtype", "float64"}, {"axis", "0"}}, {0}, kOgrad);
  EXPECT_EQ(r.outs[0].dtype(), DType::kFloat64);
  expect_close(to_vector(r.outs[0]), {-0.2014133, -2.305083, -0.01104774, -1.701413, -0.1050833, -4.511048});
  expect_close(r.grads[0], {-0.2263616, 1.900249, -1.945065, 0.2263618, -1.900249, 1.945065});

  // Integer data is a type error before anything runs.
  EXPECT_THROW(run1("softmax", {make_array(kX23, kX, DType::kInt32)}), Error);
}

TEST(OpsNN, SoftmaxUseLength) {
  NDArray len = make_array({2}, {2, 0}, DType::kInt32);
  GradRun r = run_grad("softmax", {make_array(kX23, kX), len}, {{"use_length", "True"}, {"temperature", "2"}}, {0},
                       kOgrad);
  expect_close(to_vector(r.outs[0]), {0.8175744, 0.1824255, 0, 0, 0, 0});
  expect_close(r.grads[0], {-0.07457321, 0.07457323, 0, 0, 0, 0});
  // Along axis 0: lengths per column.
  expect_close(to_vector(run1("softmax", {make_array(kX23, kX), make_array({3}, {1, 2, 1}, DType::kInt32)},
                              {{"axis", "0"}, {"use_length", "True"}})),
               {1, 0.09975048, 1, 0, 0.9002495, 0});
  // log_softmax has no length input in MXNet 1.x.
  EXPECT_THROW(run1("log_softmax", {make_array(kX23, kX)}, {{"use_length", "True"}}), Error);
  // The length input is required with use_length.
  EXPECT_THROW(run1("softmax", {make_array(kX23, kX)}, {{"use_length", "True"}}), Error);
}

const Shape kX34{3, 4};
const std::vector<double> kS = {1, -2, 3, 0.5, -0.5, 0.2, -1.5, 1, 0, 1, 2, 3};
const std::vector<double> kSoftmaxS = {0.1105537, 0.005504147, 0.8168878, 0.06705423, 0.1271727, 0.2560944,
                                       0.04678423, 0.5699486,  0.0320586, 0.08714432, 0.2368828, 0.6439143};

// SoftmaxOutput's gradient ignores the head gradient (3 everywhere here), as in MXNet.
GradRun softmax_output(const Shape& shape, const std::vector<double>& x, const Shape& lshape,
                       const std::vector<double>& label, const KeyValues& params) {
  return run_grad("SoftmaxOutput", {make_array(shape, x), make_array(lshape, label)}, params, {0},
                  std::vector<double>(static_cast<size_t>(shape_size(shape)), 3.0));
}

TEST(OpsNN, SoftmaxOutputGradientIsSoftmaxMinusOneHot) {
  GradRun r = softmax_output(kX34, kS, {3}, {2, 0, 3}, {});
  expect_close(to_vector(r.outs[0]), kSoftmaxS);
  expect_close(r.grads[0], {0.1105537, 0.005504147, -0.1831122, 0.06705423, -0.8728273, 0.2560944, 0.04678423,
                            0.5699486, 0.0320586, 0.08714432, 0.2368828, -0.3560857});
  // grad_scale and batch normalization; label 7 is out of range and subtracts nothing.
  r = softmax_output(kX34, kS, {3}, {2, 0, 7}, {{"grad_scale", "2"}, {"normalization", "batch"}});
  expect_close(r.grads[0], {0.0737025, 0.003669431, -0.1220748, 0.04470282, -0.5818849, 0.1707296, 0.03118949,
                            0.3799658, 0.0213724, 0.05809622, 0.1579219, 0.4292762});
  // Ignored rows get zero and 'valid' divides by the number of the others.
  r = softmax_output(kX34, kS, {3}, {2, 0, 3},
                     {{"use_ignore", "True"}, {"ignore_label", "0"}, {"normalization", "valid"}});
  expect_close(r.grads[0], {0.05527687, 0.002752073, -0.0915561, 0.03352712, 0, 0, 0, 0, 0.0160293, 0.04357216,
                            0.1184414, -0.1780429});
  // Label smoothing.
  r = softmax_output(kX34, kS, {3}, {2, 0, 3}, {{"smooth_alpha", "0.1"}});
  expect_close(r.grads[0], {0.07722041, -0.02782919, -0.0831122, 0.0337209, -0.7728273, 0.2227611, 0.01345089,
                            0.5366153, -0.001274731, 0.05381099, 0.2035495, -0.2560857});
  // out_grad multiplies by the head gradient (3 here), as documented. (MXNet 1.9.1 multiplies by
  // the softmax output instead, a bug this does not copy.)
  r = softmax_output(kX34, kS, {3}, {2, 0, 3}, {{"out_grad", "True"}});
  std::vector<double> want = {0.1105537, 0.005504147, -0.1831122, 0.06705423, -0.8728273, 0.2560944, 0.04678423,
                              0.5699486, 0.0320586,  0.08714432, 0.2368828,  -0.3560857};
  for (double& w : want) w *= 3;
  expect_close(r.grads[0], want);
  // The alias.
  expect_close(to_vector(run1("Softmax", {make_array(kX34, kS), make_array({3}, {2, 0, 3})})), kSoftmaxS);
}

TEST(OpsNN, SoftmaxOutputMultiOutputAndPreserveShape) {
  std::vector<double> x(24);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.1 * static_cast<double>(i);
  x[6] = 1.0;  // element [0, 1, 2]
  const Shape s{2, 3, 4};
  const std::vector<double> multi_out = {0.2119827, 0.2119827, 0.1834498, 0.2119827, 0.3162411, 0.3162411,
                                         0.4082751, 0.3162411, 0.4717762, 0.4717762, 0.4082751, 0.4717762,
                                         0.2119827, 0.2119827, 0.2119827, 0.2119827, 0.3162411, 0.3162411,
                                         0.316241,  0.3162411, 0.4717762, 0.4717762, 0.4717762, 0.4717762};
  GradRun r = softmax_output(s, x, {2, 4}, {0, 1, 2, 0, 2, 2, 1, 1}, {{"multi_output", "True"}});
  expect_close(to_vector(r.outs[0]), multi_out);
  // 'null' still averages over the 4 spatial positions.
  expect_close(r.grads[0], {-0.1970043, 0.05299569, 0.04586245, -0.1970043, 0.07906026, -0.1709397, 0.1020688,
                            0.07906026, 0.1179441,  0.1179441,  -0.1479312, 0.1179441,  0.05299569, 0.05299568,
                            0.05299568, 0.05299569, 0.07906026, 0.07906027, -0.1709397, -0.1709397, -0.1320559,
                            -0.132056,  0.1179441,  0.1179441});
  r = softmax_output(s, x, {2, 4}, {0, 1, 2, 0, 2, 2, 1, 1},
                     {{"multi_output", "True"}, {"normalization", "valid"}, {"use_ignore", "True"}, {"ignore_label", "1"}});
  expect_close(r.grads[0], {-0.1576035, 0, 0.03668996, -0.1576035, 0.06324821, 0, 0.08165502, 0.06324821,
                            0.09435525, 0, -0.118345,  0.09435525, 0.04239655, 0.04239654, 0, 0,
                            0.06324821, 0.06324822, 0, 0, -0.1056448, -0.1056448, 0, 0});
  r = softmax_output(s, x, {2, 3}, {0, 1, 2, 2, 2, 1}, {{"preserve_shape", "True"}, {"normalization", "batch"}});
  expect_close(to_vector(r.outs[0]),
               {0.2138382, 0.2363278, 0.2611826, 0.2886514, 0.1894963, 0.2094258, 0.3452847, 0.2557932,
                0.2138382, 0.2363278, 0.2611826, 0.2886514, 0.2138382, 0.2363278, 0.2611826, 0.2886514,
                0.2138382, 0.2363278, 0.2611826, 0.2886514, 0.2138382, 0.2363278, 0.2611826, 0.2886514});
  expect_close(r.grads[0], {-0.131027, 0.03938796, 0.04353043, 0.04810857, 0.03158271, -0.1317624, 0.05754746,
                            0.0426322, 0.0356397,  0.03938796, -0.1231362, 0.04810857, 0.03563971, 0.03938796,
                            -0.1231362, 0.04810857, 0.03563971, 0.03938797, -0.1231362, 0.04810857, 0.03563971,
                            -0.1272787, 0.04353043, 0.04810857});
  // Label shapes are inferred, and checked.
  const OpDef& op = OpRegistry::get().lookup("SoftmaxOutput");
  std::vector<Shape> in{{2, 3, 4, 5}, {}}, out(1);
  op.infer_shape(*op.parse({{"multi_output", "True"}}), &in, &out);
  EXPECT_EQ(in[1], (Shape{2, 20}));
  in = {{2, 3, 4, 5}, {}};
  op.infer_shape(*op.parse({{"preserve_shape", "True"}}), &in, &out);
  EXPECT_EQ(in[1], (Shape{2, 3, 4}));
  EXPECT_THROW(run1("SoftmaxOutput", {make_array(kX34, kS), make_array({4}, {0, 1, 2, 3})}), Error);
}

TEST(OpsNN, SoftmaxCrossEntropy) {
  GradRun r = run_grad("softmax_cross_entropy",
                       {make_array({3, 3}, {1, 2, 3, 11, 7, 5, 0.5, 0.1, -1}), make_array({3}, {2, 0, 1})}, {}, {0},
                       {2.0});
  EXPECT_EQ(r.outs[0].shape(), Shape{1});
  expect_close(to_vector(r.outs[0]), {1.466588});
  expect_close(r.grads[0], {0.1800611, 0.489457, -0.6695181, -0.04074156, 0.03588507, 0.004856516, 1.056273,
                            -1.291959, 0.2356863});
  EXPECT_THROW(run1("softmax_cross_entropy", {make_array({2, 3, 4}, {}), make_array({2}, {0, 1})}), Error);
}

// ---- normalization -------------------------------------------------------------------------------

const Shape kBN{2, 3, 2, 2};
const std::vector<double> kBX = {0.1,  0.43, 0.21,  0.09,  -0.15, 0.29, -0.12, 0.78, 0.93, -0.23, 0.58, 0.06,
                                 0.14, 0.85, -0.86, -0.83, -0.96, 0.67, 0.56,  0.74, 0.96, 0.6,   -0.08, 0.56};
std::vector<double> bn_ograd() {
  std::vector<double> w(24);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.1 * static_cast<double>(i) - 0.5;
  return w;
}

struct BatchNormRun {
  GradRun r;
  std::vector<double> moving_mean, moving_var;
};
BatchNormRun batch_norm(const KeyValues& params, bool train, const Shape& shape = kBN) {
  NDArray mm = make_array({3}, {0.1, -0.2, 0.3}), mv = make_array({3}, {1.0, 2.0, 0.5});
  BatchNormRun b;
  b.r = run_grad("BatchNorm",
                 {make_array(shape, kBX), make_array({3}, {0.5, 1.5, -1.0}), make_array({3}, {0.1, 0.2, 0.3}), mm, mv},
                 params, {0, 1, 2}, bn_ograd(), train);
  b.moving_mean = to_vector(mm);
  b.moving_var = to_vector(mv);
  return b;
}

TEST(OpsNN, BatchNormTrainingUsesBatchStatsAndUpdatesMovingStats) {
  BatchNormRun b = batch_norm({{"fix_gamma", "False"}, {"output_mean_var", "True"}}, true);
  ASSERT_EQ(b.r.outs.size(), 3u);
  expect_close(to_vector(b.r.outs[0]),
               {0.17608,    0.4758579, 0.276006,  0.1669958,  -0.7977639, 0.3690563,   -0.718208, 1.66847,
                -0.8964589, 1.838305,  -0.07131478, 1.154614, 0.2124167,  0.8573934,   -0.6960011, -0.6687486,
                -2.945774,  1.376765,  1.08506,   1.562395,   -0.9671856, -0.118466,   1.484671,  -0.02416372});
  expect_close(to_vector(b.r.outs[1]), {0.01625001, 0.22625, 0.4225});    // batch mean
  expect_close(to_vector(b.r.outs[2]), {1.816836, 1.767909, 2.357555});   // inverse std
  expect_close(b.moving_mean, {0.091625, -0.157375, 0.31225});            // momentum 0.9
  expect_close(b.moving_var, {0.9301949, 1.831895, 0.4678919});           // biased batch variance
  expect_close(b.r.grads[0], {-0.6448522, -0.4103424, -0.4152793, -0.3766804, -1.796135, -1.756373, -1.281132,
                              -1.47704,   1.964341,   1.280186,   1.357537,   0.9207749, 0.4626635, 0.8626092,
                              0.2089895,  0.312892,   1.801088,   1.23118,    1.552722,  1.72569,   -0.8531281,
                              -1.228042,  -1.726653,  -1.715015});
  expect_close(b.r.grads[1], {-2.110255, 0.8742313, 0.5563827});
  expect_close(b.r.grads[2], {2, 5.2, 8.400001});
}

TEST(OpsNN, BatchNormFixGammaIgnoresGamma) {
  BatchNormRun b = batch_norm({}, true);
  EXPECT_EQ(b.r.outs.size(), 1u);
  expect_close(to_vector(b.r.outs[0]),
               {0.25216,   0.8517157, 0.4520119, 0.2339916,  -0.4651759, 0.3127042, -0.4121386, 1.17898,
                1.496459,  -1.238304, 0.6713148, -0.5546136, 0.3248334,  1.614787,  -1.492002,  -1.437497,
                -1.897182, 0.9845098, 0.7900398, 1.108263,   1.567186,   0.718466,  -0.8846712, 0.6241637});
  expect_close(b.r.grads[0], {-1.289704, -0.8206847, -0.8305585, -0.7533608, -1.197423, -1.170915, -0.854088,
                              -0.9846935, -1.964341, -1.280186,  -1.357537,  -0.9207749, 0.9253271, 1.725218,
                              0.4179789,  0.625784,  1.200725,   0.8207868,  1.035148,   1.15046,   0.8531281,
                              1.228042,   1.726653,  1.715015});
  expect_close(b.r.grads[1], {0, 0, 0});
}

TEST(OpsNN, BatchNormPredictionAndGlobalStats) {
  const std::vector<double> out = {0.1,        0.2649176,  0.1549725, 0.0950025, 0.2530198,  0.7195936,
                                   0.2848316,  1.239187,   -0.5900649, 1.048785, -0.09558436, 0.6390724,
                                   0.11999,    0.4748127,  -0.3797602, -0.3647677, -0.6059003, 1.122544,
                                   1.0059,     1.196771,   -0.6324489, -0.1238405, 0.8368646,  -0.06732836};
  // Prediction: moving statistics, left unchanged. MXNet's backward (train_mode=True by default)
  // then applies the batch formula around the moving statistics.
  BatchNormRun p = batch_norm({{"fix_gamma", "False"}}, false);
  expect_close(to_vector(p.r.outs[0]), out);
  expect_close(p.moving_mean, {0.1, -0.2, 0.3});
  expect_close(p.moving_var, {1, 2, 0.5});
  expect_close(p.r.grads[0], {-0.3748127, -0.2974681, -0.2657394, -0.2257169, -0.8042753, -0.7772515, -0.5975838,
                              -0.6531671, 1.340522,   0.6819906,  0.9018949,  0.5287431,  0.2282051,  0.3370662,
                              0.2452171,  0.2976802,  0.6136593,  0.426982,   0.5527753,  0.6264903,  -0.3414623,
                              -0.6432687, -1.087765,  -0.9436653});
  expect_close(p.r.grads[1], {-1.328336, 1.916487, 1.787194});
  // use_global_stats in training: a fixed affine map, its gradient gamma / sqrt(moving_var + eps).
  BatchNormRun g = batch_norm({{"fix_gamma", "False"}, {"use_global_stats", "True"}}, true);
  expect_close(to_vector(g.r.outs[0]), out);
  expect_close(g.moving_mean, {0.1, -0.2, 0.3});
  expect_close(g.r.grads[0], {-0.2498751, -0.1999001, -0.1499251, -0.09995004, -0.1060395, 0, 0.1060395, 0.212079,
                              -0.4238405, -0.5651206, -0.7064008, -0.8476809, 0.3498251, 0.3998002, 0.4497752,
                              0.4997502,  1.166435,   1.272474,   1.378514,   1.484553,  -2.119202, -2.260483,
                              -2.401763,  -2.543043});
  expect_close(g.r.grads[1], {-1.328336, 1.916487, 1.787194});
  expect_close(g.r.grads[2], {2, 5.2, 8.400001});
}

TEST(OpsNN, BatchNormLastAxis) {
  BatchNormRun b = batch_norm({{"fix_gamma", "False"}, {"axis", "-1"}}, true, {2, 2, 2, 3});
  expect_close(to_vector(b.r.outs[0]),
               {0.1716022, 0.5991143, 0.5583261,  0.1599121, -0.8823977, 0.413301,   -0.08558131, 1.49313,
                -0.7469006, -0.2141731, 0.9822638, 0.8302484, 0.2183629, 1.671933,  2.498038,    -0.9155827,
                -2.951406, -0.2755688, 0.7093497, 1.390957,   -0.8012851, 0.7561104, -0.7035945, -0.07615915});
  expect_close(b.moving_mean, {0.093875, -0.152625, 0.30525});
  expect_close(b.moving_var, {0.9181936, 1.834385, 0.4803294});
  expect_close(b.r.grads[0], {-1.257483, -2.593726, 1.838194,  -0.9018775, -2.155275, 1.330988,  -0.4482608,
                              -0.8632885, 1.08025,  -0.04364976, -0.2100401, 0.1379633, 0.1257342, 0.708878,
                              -0.827222, 0.9517937, 0.4520655, -0.6703584, 0.6213201, 2.179298,  -1.081389,
                              0.9524227, 2.482089,  -1.808425});
  expect_close(b.r.grads[1], {1.434383, -1.039613, 1.114882});
  expect_close(b.r.grads[2], {4.4, 5.2, 6});
}

TEST(OpsNN, BatchNormShapeInferenceAndErrors) {
  const OpDef& op = OpRegistry::get().lookup("BatchNorm");
  std::vector<Shape> in{{2, 3, 4}, {}, {}, {}, {}}, out(3);
  op.infer_shape(*op.parse({}), &in, &out);
  for (size_t i = 1; i < 5; ++i) EXPECT_EQ(in[i], Shape{3});
  EXPECT_EQ(op.mutated_for(*op.parse({})), (std::vector<int>{3, 4}));
  EXPECT_EQ(op.visible_outputs_for(*op.parse({})), 1);
  EXPECT_EQ(op.visible_outputs_for(*op.parse({{"output_mean_var", "True"}})), 3);
  std::vector<NDArray> bad = {make_array({2, 3}, {}), make_array({2}, {}), make_array({3}, {}), make_array({3}, {}),
                              make_array({3}, {})};
  EXPECT_THROW(invoke("BatchNorm", bad), Error);
  EXPECT_THROW(invoke("BatchNorm", {make_array({2, 3}, {}), make_array({3}, {}), make_array({3}, {}),
                                    make_array({3}, {}), make_array({3}, {})},
                      {{"axis", "2"}}),
               Error);
}

TEST(OpsNN, LayerNormMatchesMXNet) {
  const Shape s{2, 3, 4};
  GradRun r = run_grad("LayerNorm",
                       {make_array(s, kBX), make_array({4}, {0.5, 0.8333333, 1.166667, 1.5}),
                        make_array({4}, {-0.1, -0.03333334, 0.03333334, 0.1})},
                       {}, {0, 1, 2}, bn_ograd());
  ASSERT_EQ(r.outs.size(), 1u);
  expect_close(to_vector(r.outs[0]),
               {-0.4927571, 1.321526,  0.05464559, -1.187878, -0.5638142, 0.1654442,  -0.9561369, 2.405819,
                0.5615441,  -1.080315, 0.6689346,  -0.8172669, 0.1201054, 1.16036,    -1.083498,  -1.273039,
                -0.9624019, 0.4615846, 0.5436619,  1.140217,   0.5006731, 0.1668911,  -1.804281,  0.3002244});
  expect_close(r.grads[0], {0.2908117,  0.09764385, -0.3013133, -0.08714268, -0.1243283, -0.3075293, 0.2958733,
                            0.1359843,  -0.4266428, -0.6684004, 0.3410015,   0.7540418,  -0.5617822, 0.320719,
                            -0.2031996, 0.4442629,  0.02759504, -0.7876831,  0.04550275, 0.7145849,  -1.27742,
                            -0.7093257, -0.8425483, 2.829295});
  expect_close(r.grads[1], {1.095329, 1.090175, -2.788463, 0.4080321});
  expect_close(r.grads[2], {3, 3.6, 4.2, 4.8});

  r = run_grad("LayerNorm",
               {make_array(s, kBX), make_array({3}, {0.5, 1, 1.5}), make_array({3}, {-0.1, 0, 0.1})},
               {{"axis", "1"}, {"eps", "0.01"}, {"output_mean_var", "True"}}, {0, 1, 2}, bn_ograd());
  ASSERT_EQ(r.outs.size(), 3u);
  EXPECT_EQ(r.outs[1].shape(), (Shape{2, 1, 4}));
  expect_close(to_vector(r.outs[0]),
               {-0.3046623, 0.342916,   -0.1220086, -0.4167517, -0.9386235, 0.4207701,  -1.133443, 1.353394,
                2.121922,   -1.859903,  1.866191,   -0.9798354, -0.04114737, 0.3935035, -0.7223138, -0.7961797,
                -1.269535,  -0.2524904, 1.165424,   0.8231853,  1.827745,   -1.001776,  0.2188053, 0.9537609});
  expect_close(to_vector(r.outs[1]),
               {0.2933333, 0.1633333, 0.2233333, 0.31, 0.04666667, 0.7066667, -0.1266667, 0.1566667});
  expect_close(to_vector(r.outs[2]), {0.4723229, 0.3010353, 0.3029118, 0.3472751, 0.792941, 0.1452201, 0.5891991,
                                      0.7086294});
  expect_close(r.grads[0], {-0.3679732, -0.1645459, -1.22789,   -1.438666,  0.2494755, 0.004887372, 0.5281546,
                            0.0237973,  0.1184977,  0.1596584,  0.6997352,  1.414869,  -1.17517,    -2.641243,
                            -0.8542918, -0.1528583, 0.4916546,  -1.886603,  -0.989096, -0.9599041,  0.6835157,
                            4.527844,   1.843388,   1.112762});
  expect_close(r.grads[1], {-1.650289, 1.21923, 1.750216});
  expect_close(r.grads[2], {2, 5.2, 8.4});
}

// ---- Dropout and Embedding --------------------------------------------------------------------------

TEST(OpsNN, DropoutTrainingScalesKeptElementsAndMasksTheGradient) {
  random_seed(42);
  std::vector<double> x(1000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 1.0 + static_cast<double>(i % 7);
  GradRun r = run_grad("Dropout", {make_array({10, 100}, x)}, {{"p", "0.3"}}, {0}, std::vector<double>(1000, 2.0));
  ASSERT_EQ(r.outs.size(), 1u);
  auto y = to_vector(r.outs[0]);
  int dropped = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const bool kept = y[i] != 0;
    dropped += !kept;
    if (kept) EXPECT_NEAR(y[i], x[i] / 0.7, 1e-5);
    EXPECT_NEAR(r.grads[0][i], kept ? 2.0 / 0.7 : 0.0, 1e-5);  // the gradient follows the same mask
  }
  EXPECT_GT(dropped, 240);
  EXPECT_LT(dropped, 360);
  // The same seed gives the same mask.
  random_seed(42);
  bool prev = autograd::set_training(true);
  auto again = to_vector(run1("Dropout", {make_array({10, 100}, x)}, {{"p", "0.3"}}));
  autograd::set_training(prev);
  EXPECT_EQ(again, y);
}

TEST(OpsNN, DropoutPredictionIsIdentityUnlessAlways) {
  std::vector<double> x(200, 1.5);
  GradRun r = run_grad("Dropout", {make_array({200}, x)}, {}, {0}, std::vector<double>(200, 1.0), false);
  EXPECT_EQ(to_vector(r.outs[0]), x);
  EXPECT_EQ(r.grads[0], std::vector<double>(200, 1.0));
  auto y = to_vector(run1("Dropout", {make_array({200}, x)}, {{"mode", "always"}}));
  int dropped = 0;
  for (double v : y) {
    EXPECT_TRUE(v == 0 || std::fabs(v - 3.0) < 1e-6) << v;
    dropped += v == 0;
  }
  EXPECT_GT(dropped, 50);
  EXPECT_LT(dropped, 150);
  // p = 1 drops everything (MXNet gives NaN from 0 * 1/(1-p)).
  EXPECT_EQ(to_vector(run1("Dropout", {make_array({4}, {1, 2, 3, 4})}, {{"p", "1"}, {"mode", "always"}})),
            std::vector<double>(4, 0.0));
  EXPECT_THROW(run1("Dropout", {make_array({4}, {})}, {{"p", "1.5"}}), Error);
}

TEST(OpsNN, DropoutAxesShareTheMask) {
  std::vector<double> x(4 * 5 * 6, 1.0);
  auto y = to_vector(run1("Dropout", {make_array({4, 5, 6}, x)}, {{"axes", "(1,)"}, {"mode", "always"}}));
  for (int a = 0; a < 4; ++a)
    for (int c = 0; c < 6; ++c)
      for (int b = 1; b < 5; ++b) EXPECT_EQ(y[(a * 5 + b) * 6 + c], y[a * 5 * 6 + c]);
  EXPECT_THROW(run1("Dropout", {make_array({4, 5}, {})}, {{"axes", "(2,)"}}), Error);
}

TEST(OpsNN, EmbeddingClipsIndicesAndScatterAddsTheGradient) {
  std::vector<double> w(20);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<double>(i);
  std::vector<double> og(30);
  for (size_t i = 0; i < og.size(); ++i) og[i] = static_cast<double>(i);
  // 9 and -2 are out of range (clipped); 2.7 truncates to 2.
  GradRun r = run_grad("Embedding", {make_array({2, 3}, {1, 3, 1, 9, -2, 2.7}), make_array({4, 5}, w)},
                       {{"input_dim", "4"}, {"output_dim", "5"}}, {1}, og);
  EXPECT_EQ(r.outs[0].shape(), (Shape{2, 3, 5}));
  expect_close(to_vector(r.outs[0]), {5, 6, 7, 8, 9, 15, 16, 17, 18, 19, 5,  6,  7,  8,  9,
                                      15, 16, 17, 18, 19, 0, 1, 2, 3, 4,   10, 11, 12, 13, 14});
  expect_close(r.grads[0], {20, 21, 22, 23, 24, 10, 12, 14, 16, 18, 25, 26, 27, 28, 29, 20, 22, 24, 26, 28});
  // Integer indices, weight shape inference and checks.
  expect_close(to_vector(run1("Embedding", {make_array({2}, {1, 3}, DType::kInt32), make_array({4, 5}, w)},
                              {{"input_dim", "4"}, {"output_dim", "5"}})),
               {5, 6, 7, 8, 9, 15, 16, 17, 18, 19});
  const OpDef& op = OpRegistry::get().lookup("Embedding");
  std::vector<Shape> in{{2, 3}, {}}, out(1);
  op.infer_shape(*op.parse({{"input_dim", "7"}, {"output_dim", "2"}}), &in, &out);
  EXPECT_EQ(in[1], (Shape{7, 2}));
  EXPECT_EQ(out[0], (Shape{2, 3, 2}));
  EXPECT_THROW(run1("Embedding", {make_array({2}, {1, 3}), make_array({4, 5}, w)},
                    {{"input_dim", "4"}, {"output_dim", "6"}}),
               Error);
  EXPECT_THROW(run1("Embedding", {make_array({2}, {1, 3}), make_array({4, 5}, w)}, {{"input_dim", "4"}}), Error);
}

}  // namespace
}  // namespace minerva

namespace minerva {
namespace {

// Activation gradients are graph code, so they differentiate again (create_graph).
std::vector<double> second_derivative(const std::string& name, const KeyValues& params, const std::vector<double>& xs) {
  NDArray x = testing::make_array({static_cast<int64_t>(xs.size())}, xs, DType::kFloat64);
  NDArray gx(x.shape(), DType::kFloat64, Context::cpu(0));
  std::vector<NDArray*> vars{&x};
  autograd::mark_variables(vars, {gx}, {GradReq::kWrite});
  bool prev_rec = autograd::set_recording(true), prev_train = autograd::set_training(true);
  NDArray y = invoke(name, {x}, params)[0];
  autograd::set_recording(prev_rec);
  std::vector<NDArray> dy = autograd::backward({y}, {}, {x}, true, true, true);
  autograd::backward({dy[0]}, {}, {}, false, false, true);
  autograd::set_training(prev_train);
  return testing::to_vector(gx);
}

TEST(OpsNN, ActivationSecondDerivatives) {
  const std::vector<double> xs = {-1.0, 0.5, 2.0};
  std::vector<double> want;
  for (double x : xs) {
    double s = 1 / (1 + std::exp(-x));
    want.push_back(s * (1 - s) * (1 - 2 * s));
  }
  expect_close(second_derivative("Activation", {{"act_type", "sigmoid"}}, xs), want, 1e-9);
  for (double& w : want) w = 0;
  want[0] = 0.3 * std::exp(-1.0);  // elu: slope * e^x below 0, 0 above
  expect_close(second_derivative("LeakyReLU", {{"act_type", "elu"}, {"slope", "0.3"}}, xs), want, 1e-9);
  for (size_t i = 0; i < xs.size(); ++i)  // gelu: phi(x) * (2 - x^2)
    want[i] = std::exp(-xs[i] * xs[i] / 2) / std::sqrt(2 * M_PI) * (2 - xs[i] * xs[i]);
  expect_close(second_derivative("LeakyReLU", {{"act_type", "gelu"}}, xs), want, 1e-9);
  for (size_t i = 0; i < xs.size(); ++i) want[i] = -2 * std::tanh(xs[i]) * (1 - std::tanh(xs[i]) * std::tanh(xs[i]));
  expect_close(second_derivative("Activation", {{"act_type", "tanh"}}, xs), want, 1e-9);
}

// float16 runs through the same kernels (computing in float or double) and agrees with float32
// to half precision.
TEST(OpsNN, Float16Inputs) {
  std::vector<double> x(24);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<double>(i)) * 2;
  const Shape s{2, 3, 4};
  auto check = [&](const std::string& op, const KeyValues& params, const std::vector<Shape>& extra_shapes) {
    std::vector<NDArray> in32{make_array(s, x)}, in16{make_array(s, x, DType::kFloat16)};
    for (const Shape& e : extra_shapes) {
      std::vector<double> v(static_cast<size_t>(shape_size(e)), 1.0);
      in32.push_back(make_array(e, v));
      in16.push_back(make_array(e, v, op == "BatchNorm" ? DType::kFloat32 : DType::kFloat16));
    }
    auto a = to_vector(invoke(op, in32, params)[0]);
    NDArray h = invoke(op, in16, params)[0];
    EXPECT_EQ(h.dtype(), DType::kFloat16) << op;
    expect_close(to_vector(h), a, 4e-3, op);
  };
  check("Activation", {{"act_type", "softrelu"}}, {});
  check("LeakyReLU", {{"act_type", "gelu"}}, {});
  check("softmax", {{"axis", "1"}}, {});
  check("log_softmax", {}, {});
  check("LayerNorm", {}, {{4}, {4}});
  check("BatchNorm", {{"use_global_stats", "True"}}, {{3}, {3}, {3}, {3}});  // float32 parameters
  check("Dropout", {}, {});
}

}  // namespace
}  // namespace minerva
