// CTCLoss against MXNet 1.9.1: losses and data gradients (blank first and last, padding, data and
// label lengths, empty labels, impossible alignments), float64 agreement, aliases, and the
// bad-input errors (see Note [CTC conventions] in core/ops/ctc.cc).
#include <gtest/gtest.h>

#include <cmath>

#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::error_of;
using testing::make_array;
using testing::run1;
using testing::to_vector;

// x[i] = 2 sin(0.7 i + 0.3) over the flat (T, B, A) data, as in the oracle script below.
NDArray ctc_data(const Shape& shape, DType dtype = DType::kFloat32) {
  std::vector<double> v(static_cast<size_t>(shape_size(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = 2 * std::sin(0.7 * static_cast<double>(i) + 0.3);
  return make_array(shape, v, dtype);
}

struct LossAndGrad {
  std::vector<double> loss, grad;
};

// The loss and d(sum head * loss)/d data; inputs after data are not differentiated.
LossAndGrad loss_and_grad(const std::string& op, std::vector<NDArray> in, const std::vector<double>& head,
                          const KeyValues& params) {
  NDArray dx(in[0].shape(), in[0].dtype(), Context::cpu(0));
  autograd::mark_variables({&in[0]}, {dx}, {GradReq::kWrite});
  bool prev = autograd::set_recording(true);
  NDArray y = run1(op, in, params);
  autograd::set_recording(prev);
  autograd::backward({y}, {make_array(y.shape(), head, y.dtype())}, {}, false, false, true);
  return {to_vector(y), to_vector(dx)};
}

void expect_near_all(const std::vector<double>& got, const std::vector<double>& want, double tol, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << what << " element " << i;
}

struct CtcCase {
  const char* name;
  Shape data;
  Shape label_shape;
  std::vector<double> label, data_lengths, label_lengths;  // lengths empty: input absent
  std::vector<double> head;
  KeyValues params;
  std::vector<double> loss, grad;
};

/* Generated with MXNet 1.9.1 (MXNET_SUBGRAPH_BACKEND=NONE MXNET_ENGINE_TYPE=NaiveEngine):
  x = nd.array(2 * np.sin(0.7 * np.arange(T * B * A) + 0.3).reshape(T, B, A)); x.attach_grad()
  with autograd.record(): l = nd.CTCLoss(x, nd.array(label), [nd.array(data_lengths)],
                                         label_lengths=[nd.array(label_lengths)], **params)
  l.backward(nd.array(head)); print(l, x.grad)
*/
const CtcCase kCases[] = {
    {"first_padded", {4, 2, 5}, {2, 3}, {1, 2, 2, 3, 0, 0}, {}, {}, {1.0, 2.0}, {},
     {6.31391621, 4.68943548},
     {0.0930770263, -0.722635984, 0.374546736, 0.199001715, 0.0560110137, -0.601022243, 0.0961445719, 0.116048001,
      -0.877649188, 1.26647913, 0.307531804, 0.406027853, -0.788622379, 0.0589834042, 0.0160798021, -0.0221843459,
      0.0418207385, 0.11766459, -1.48024464, 1.34294474, -0.415063024, 0.298430204, 0.0825898424, 0.0226859748,
      0.0113569563, 0.0169072822, 0.0650749803, 0.256500661, -1.262115, 0.92363292, 0.694642663, 0.190728277,
      -0.947193861, 0.0269698948, 0.0348529667, -0.085316442, 0.21662645, 0.60900104, -1.10857916, 0.36826843}},
    {"last_with_lengths", {5, 3, 4}, {3, 3}, {0, 1, -1, 2, 2, 0, 1, 0, 2}, {5, 4, 3}, {2, 2, 1}, {0.5, -1.0, 1.5},
     {{"use_data_lengths", "True"}, {"use_label_lengths", "True"}, {"blank_label", "last"}},
     {3.91999817, 5.82031965, 2.19811416},
     {-0.115648702, 0.146910354, 0.198385119, -0.229646832, -0.641786695, -0.173708543, 0.87561512, -0.0601193979,
      0.0471847393, -0.132069498, 0.546042621, -0.461158007, -0.128127605, 0.0958782583, 0.0273157395,
      0.00493355654, -0.0212705471, -0.0598456711, -0.161268294, 0.242384791, 0.88748467, -1.01058078, 0.125307873,
      -0.00221200939, -0.0119406804, 0.00208169594, 0.0897842124, -0.0799250603, -0.326153457, -0.411534667,
      0.621755719, 0.115932241, 0.367312491, -0.139406383, 0.242432535, -0.470338643, 0.0472897477, -0.172307879,
      0.193090647, -0.0680724084, -0.61843878, -0.172648385, 0.438885301, 0.352201968, 0, 0, 0, 0, 0.360418469,
      -0.355552077, 0.0274597127, -0.0323261544, 0, 0, 0, 0, 0, 0, 0, 0}},
    {"empty_label", {3, 2, 4}, {2, 2}, {0, 0, 2, 0}, {}, {}, {1.0, 1.0}, {},
     {9.62626839, 2.29479432},
     {-0.901400328, 0.293820709, 0.396770239, 0.21080935, 0.0248436332, 0.173708543, -0.299457699, 0.100905582,
      -0.96854353, 0.123895869, 0.364028424, 0.480619192, -0.0163456202, 0.200397432, -0.210864425, 0.0268127974,
      -0.978729427, 0.0598456711, 0.235845372, 0.683038414, 0.00655007362, 0.301858395, -0.331354946,
      0.0229465794}},
};

std::vector<NDArray> case_inputs(const CtcCase& c, DType dtype) {
  std::vector<NDArray> in{ctc_data(c.data, dtype), make_array(c.label_shape, c.label)};
  const int64_t batch = c.data[1];
  if (!c.data_lengths.empty()) in.push_back(make_array({batch}, c.data_lengths));
  if (!c.label_lengths.empty()) in.push_back(make_array({batch}, c.label_lengths));
  return in;
}

TEST(CTCOps, MatchMXNet) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    LossAndGrad r = loss_and_grad("CTCLoss", case_inputs(c, DType::kFloat32), c.head, c.params);
    expect_near_all(r.loss, c.loss, 2e-5, "loss");
    expect_near_all(r.grad, c.grad, 2e-6, "grad");
  }
}

TEST(CTCOps, Float64AgreesAndAliasesResolve) {
  const CtcCase& c = kCases[1];
  LossAndGrad r32 = loss_and_grad("CTCLoss", case_inputs(c, DType::kFloat32), c.head, c.params);
  for (const char* name : {"CTCLoss", "ctc_loss", "_contrib_CTCLoss", "_contrib_ctc_loss"}) {
    SCOPED_TRACE(name);
    LossAndGrad r64 = loss_and_grad(name, case_inputs(c, DType::kFloat64), c.head, c.params);
    expect_near_all(r64.loss, r32.loss, 2e-6, "loss");
    expect_near_all(r64.grad, r32.grad, 1e-6, "grad");
  }
  NDArray y = run1("CTCLoss", case_inputs(c, DType::kFloat64), c.params);
  EXPECT_EQ(y.dtype(), DType::kFloat64);
  EXPECT_EQ(y.shape(), (Shape{3}));
}

// The doc example: uniform probabilities over {blank, 1, 2} for two steps.
TEST(CTCOps, DocExample) {
  NDArray x = make_array({2, 1, 3}, {});
  EXPECT_NEAR(to_vector(run1("CTCLoss", {x, make_array({1, 2}, {1, 0})}))[0], std::log(3.0), 1e-6);
  EXPECT_NEAR(to_vector(run1("CTCLoss", {x, make_array({1, 2}, {1, 2})}))[0], std::log(9.0), 1e-6);
}

// A label needing more steps than the sequence has: loss 0 (as MXNet) and zero gradient. Row 0's
// four equal tokens need 7 steps of 4; row 1 fits exactly.
TEST(CTCOps, ImpossibleAlignmentGivesZero) {
  NDArray label = make_array({2, 4}, {1, 1, 1, 1, 1, 2, 3, 4});
  LossAndGrad r = loss_and_grad("CTCLoss", {ctc_data({4, 2, 5}), label}, {1.0, 2.0}, {});
  EXPECT_EQ(r.loss[0], 0.0);
  EXPECT_NEAR(r.loss[1], 8.5653162, 2e-5);  // MXNet 1.9.1, as kCases
  const std::vector<double> row1 = {0.199776143, -1.90385354, 0.116048001,  0.321552247, 1.26647913,
                                    0.0338664241, 0.0418207385, -1.88233352, 0.463703483, 1.34294474,
                                    0.0227848794, 0.0650749803, 0.256500661,  -1.26799345, 0.92363292,
                                    0.0549700037, 0.21662645,  0.60900104,   0.751134217, -1.63173151};
  for (size_t t = 0; t < 4; ++t)
    for (size_t k = 0; k < 5; ++k) {
      EXPECT_EQ(r.grad[t * 10 + k], 0.0);  // MXNet leaves these unset
      EXPECT_NEAR(r.grad[t * 10 + 5 + k], row1[t * 5 + k], 2e-6);
    }
  // Repeated tokens fit once a blank separates them: 3 tokens + 1 repeat in 4 steps.
  NDArray fits = make_array({1, 3}, {2, 2, 3});
  EXPECT_GT(to_vector(run1("CTCLoss", {ctc_data({4, 1, 5}), fits}))[0], 0.0);
  // Zero data length with an empty label has probability one.
  NDArray empty = make_array({1, 1}, {0});
  NDArray y = run1("CTCLoss", {ctc_data({3, 1, 4}), empty, make_array({1}, {0})}, {{"use_data_lengths", "True"}});
  EXPECT_EQ(to_vector(y)[0], 0.0);
}

// The gradient rows of one step sum to zero (softmax and the occupancy both sum to one), and the
// loss is invariant to shifting a step's activations.
TEST(CTCOps, GradientRowsSumToZeroAndShiftInvariance) {
  NDArray label = make_array({2, 3}, {1, 2, 1, 3, 3, 0});
  LossAndGrad r = loss_and_grad("CTCLoss", {ctc_data({6, 2, 4}, DType::kFloat64), label}, {1, 1}, {});
  for (size_t row = 0; row < 12; ++row) {
    double s = 0;
    for (size_t k = 0; k < 4; ++k) s += r.grad[row * 4 + k];
    EXPECT_NEAR(s, 0.0, 1e-12) << "row " << row;
  }
  std::vector<double> shifted = to_vector(ctc_data({6, 2, 4}, DType::kFloat64));
  for (auto& v : shifted) v += 100.0;
  NDArray y = run1("CTCLoss", {make_array({6, 2, 4}, shifted, DType::kFloat64), label});
  expect_near_all(to_vector(y), r.loss, 1e-9, "shifted loss");
}

TEST(CTCOps, BadInputErrorsNameTheOperatorAndInput) {
  NDArray x = ctc_data({4, 2, 5});
  auto err = [&](std::vector<NDArray> in, KeyValues p = {}) {
    return error_of([&] { to_vector(run1("CTCLoss", in, p)); });
  };
  auto expect_has = [](const std::string& msg, std::initializer_list<const char*> parts) {
    EXPECT_NE(msg.find("CTCLoss"), std::string::npos) << msg;
    for (const char* p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "missing '" << p << "' in: " << msg;
  };
  // Shapes.
  expect_has(err({make_array({4, 10}, {}), make_array({2, 2}, {})}), {"'data'", "3-D"});
  expect_has(err({x, make_array({2}, {})}), {"'label'", "2-D"});
  expect_has(err({x, make_array({3, 2}, {})}), {"'label'", "batch size 3"});
  expect_has(err({x, make_array({2, 5}, {})}), {"'label'", "more than the 4 steps"});
  expect_has(err({x, make_array({2, 2}, {}), make_array({3}, {1, 2, 3})}, {{"use_data_lengths", "True"}}),
             {"'data_lengths'"});
  // Label values: 0 is the blank with 'first' once label_lengths says it is inside the label; 4
  // is the blank with 'last'; -1 pads only with 'last'.
  NDArray lab = make_array({2, 2}, {0, 1, 1, 0});
  expect_has(err({x, lab, make_array({2}, {2, 1})}, {{"use_label_lengths", "True"}}),
             {"'label'[0, 0] = 0", "[1, 4]"});
  expect_has(err({x, make_array({2, 2}, {4, 1, 1, -1})}, {{"blank_label", "last"}}), {"'label'[0, 0] = 4", "[0, 3]"});
  expect_has(err({x, make_array({2, 2}, {3, -1, 1, 0})}), {"'label'[0, 1] = -1"});
  expect_has(err({x, make_array({2, 2}, {7, 0, 1, 0})}), {"'label'[0, 0] = 7"});
  expect_has(err({x, make_array({2, 2}, {NAN, 0, 1, 0})}), {"'label'[0, 0]"});
  // Lengths beyond the padded sizes.
  expect_has(err({x, lab, make_array({2}, {5, 4})}, {{"use_data_lengths", "True"}}), {"'data_lengths'[0] = 5", "[0, 4]"});
  expect_has(err({x, lab, make_array({2}, {-1, 4})}, {{"use_data_lengths", "True"}}), {"'data_lengths'[0] = -1"});
  expect_has(err({x, make_array({2, 2}, {1, 2, 3, 4}), make_array({2}, {1, 3})}, {{"use_label_lengths", "True"}}),
             {"'label_lengths'[1] = 3", "[0, 2]"});
  // dtype and parameters.
  expect_has(err({make_array({4, 2, 5}, {}, DType::kInt32), lab}), {"'data'", "int32"});
  EXPECT_NE(err({x, lab}, {{"blank_label", "middle"}}).find("blank_label"), std::string::npos);
  // Without the flag the lengths input does not exist.
  EXPECT_FALSE(err({x, lab, make_array({2}, {4, 4})}).empty());
}

}  // namespace
}  // namespace minerva
