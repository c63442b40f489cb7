// What the golden cases (tools/golden/op_cases/contrib_norm.py) and the registry's sample checks
// cannot show about contrib_batch_norm.cc, contrib_hawkes.cc and hidden inputs: shape inference of
// partially known inputs, the moving statistics updated by the backward pass, and the registry
// invariant that a hidden input is a declared input.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/autograd/autograd.h"
#include "core/op/invoke.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::error_of;
using testing::make_array;
using testing::run1;
using testing::to_vector;

std::pair<std::vector<Shape>, std::vector<Shape>> infer(const std::string& name, std::vector<Shape> in,
                                                        const KeyValues& params = {}) {
  const OpDef& op = OpRegistry::get().lookup(name);
  AttrsPtr attrs = op.parse(params);
  std::vector<Shape> out(static_cast<size_t>(op.outputs_for(*attrs)));
  std::vector<int> in_types(in.size(), static_cast<int>(DType::kFloat32)), out_types(out.size(), -1);
  infer_shapes_and_types(op, *attrs, &in, &out, &in_types, &out_types);
  return {in, out};
}

void expect_error(const std::string& msg, const std::vector<std::string>& parts) {
  ASSERT_FALSE(msg.empty()) << "no error raised";
  for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
}

TEST(OpsContribNorm, HiddenInputsAreDeclaredInputs) {
  int hidden = 0;
  for (const auto& name : OpRegistry::get().names()) {
    const OpDef& op = OpRegistry::get().lookup(name);
    for (const auto& h : op.hidden_inputs) {
      EXPECT_NE(std::find(op.input_names.begin(), op.input_names.end(), h), op.input_names.end())
          << name << " hides '" << h << "', which is not one of its inputs";
      ++hidden;
    }
  }
  EXPECT_GE(hidden, 1);  // IdentityAttachKLSparseReg's moving_avg
}

TEST(OpsContribNorm, ShapesFollowTheData) {
  auto bn = infer("_contrib_BatchNormWithReLU", {{2, 3, 4}, {}, {}, {}, {}});
  EXPECT_EQ(bn.first[4], (Shape{3}));
  EXPECT_EQ(bn.second, (std::vector<Shape>{{2, 3, 4}, {3}, {3}, {2, 3, 4}}));  // workspace: data's shape
  auto sync = infer("_contrib_SyncBatchNorm", {{2, 5}, {}, {}, {}, {}}, {{"key", "k"}});
  EXPECT_EQ(sync.first[3], (Shape{5}));
  EXPECT_EQ(sync.second, (std::vector<Shape>{{2, 5}, {5}, {5}}));
  auto hawkes = infer("_contrib_hawkesll", {{4, 3}, {}, {}, {}, {4, 6}, {}, {}, {}});
  EXPECT_EQ(hawkes.first, (std::vector<Shape>{{4, 3}, {3}, {3}, {4, 3}, {4, 6}, {4, 6}, {4}, {4}}));
  EXPECT_EQ(hawkes.second, (std::vector<Shape>{{4}, {4, 3}}));
}

// The moving statistics change when the backward pass runs in training, not in the forward (MXNet
// 1.9.1's behaviour): Note [Moving statistics in the backward pass].
TEST(OpsContribNorm, MovingStatisticsUpdateInTheBackwardPass) {
  for (const char* name : {"_contrib_BatchNormWithReLU", "_contrib_SyncBatchNorm"}) {
    NDArray data = make_array({4, 1}, {1, 2, 3, 6}), gamma = make_array({1}, {1}), beta = make_array({1}, {0});
    NDArray mean = make_array({1}, {0}), var = make_array({1}, {1});
    NDArray grad = make_array({4, 1}, {});
    autograd::mark_variables({&data}, {grad}, {GradReq::kWrite});
    const bool prev_train = autograd::set_training(true), prev_rec = autograd::set_recording(true);
    KeyValues params{{"momentum", "0.5"}, {"eps", "0"}};
    if (std::string(name) == "_contrib_SyncBatchNorm") params.emplace_back("key", "k");
    const OpDef& op = OpRegistry::get().lookup(name);
    auto outs = invoke(op, op.parse(params), {data, gamma, beta, mean, var});
    autograd::set_recording(prev_rec);
    EXPECT_EQ(to_vector(mean), (std::vector<double>{0})) << name;
    autograd::backward({outs[0]}, {}, {}, false, false, true);
    autograd::set_training(prev_train);
    // batch mean 3, biased variance 3.5: moving = 0.5 * old + 0.5 * batch
    EXPECT_NEAR(to_vector(mean)[0], 1.5, 1e-6) << name;
    EXPECT_NEAR(to_vector(var)[0], 2.25, 1e-5) << name;
  }
}

TEST(OpsContribNorm, HawkesRefusesMarksAndLengthsOutsideTheirRange) {
  auto args = [](std::vector<double> marks, double valid) {
    return std::vector<NDArray>{make_array({1, 2}, {1.5, 2}), make_array({2}, {0.2, 0.3}), make_array({2}, {1, 2}),
                                make_array({1, 2}, {0, 0}), make_array({1, 2}, {1, 1}), make_array({1, 2}, marks),
                                make_array({1}, {valid}), make_array({1}, {3})};
  };
  expect_error(error_of([&] { to_vector(run1("_contrib_hawkesll", args({0, 5}, 2))); }),
               {"_contrib_hawkesll", "marks[0, 1] = 5", "[0, 2)"});
  expect_error(error_of([&] { to_vector(run1("_contrib_hawkesll", args({0, 0}, 2.5))); }),
               {"_contrib_hawkesll", "valid_length[0] = 2.5", "[0, 2]"});
  // Marks past valid_length are padding: never read, so any value passes.
  EXPECT_EQ(to_vector(run1("_contrib_hawkesll", args({1, -4}, 1))).size(), 1u);
}

}  // namespace
}  // namespace minerva
