// Registry-driven tests (STYLE rules 1 and 15): every operator is complete, and every sample of
// every differentiable operator passes a float64 numeric gradient check. ctest runs this binary
// under both engines (see the Makefile's test-cpp target).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/autograd/autograd.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::make_array;
using testing::to_vector;

bool is_backward_helper(const std::string& name) { return name.rfind("_backward_", 0) == 0; }

TEST(Registry, EveryOperatorIsComplete) {
  auto names = OpRegistry::get().names();
  ASSERT_GT(names.size(), 0u);
  for (const auto& name : names) {
    const OpDef& op = OpRegistry::get().lookup(name);
    EXPECT_FALSE(op.doc.empty()) << name << " has no documentation";
    EXPECT_TRUE(static_cast<bool>(op.infer_shape)) << name << " has no shape inference";
    EXPECT_TRUE(static_cast<bool>(op.forward)) << name << " has no forward kernel";
    EXPECT_TRUE(op.non_differentiable || static_cast<bool>(op.gradient))
        << name << " has neither a gradient nor the non_differentiable flag";
    if (!is_backward_helper(name)) EXPECT_FALSE(op.samples.empty()) << name << " declares no test sample";
  }
}

// Note [Variant tables] in core/op/op.h: the enum accepts exactly the table's values.
TEST(Registry, VariantTablesDeclareTheirEnums) {
  const Variants<int> table("mode", {{"first", 1}, {"second", 2}});
  EXPECT_EQ(table.values(), (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(table.at("second"), 2);
  EXPECT_THROW(table.at("third"), Error);
  const OpDef& act = OpRegistry::get().lookup("Activation");
  for (const auto& f : act.params)
    if (f.name == "act_type")
      EXPECT_EQ(f.enum_values, (std::vector<std::string>{"relu", "sigmoid", "softrelu", "softsign", "tanh"}));
  EXPECT_THROW(act.parse({{"act_type", "gelu"}}), Error);
}

// Every backward operator takes its forward's parameters from the forward's declaration.
TEST(Registry, BackwardOperatorsTakeTheirForwardsParameters) {
  int checked = 0;
  for (const auto& name : OpRegistry::get().names()) {
    if (!is_backward_helper(name)) continue;
    const OpDef& bwd = OpRegistry::get().lookup(name);
    // _backward_X belongs to X, or to _X for internal forwards (_backward_np_cumsum).
    const std::string stem = name.substr(std::string("_backward_").size());
    const OpDef* fwd = OpRegistry::get().find(stem);
    if (fwd == nullptr) fwd = OpRegistry::get().find("_" + stem);
    if (fwd == nullptr) continue;
    EXPECT_EQ(bwd.params_source, fwd->name) << name << " declares its own parameters instead of params_from";
    ASSERT_GE(bwd.params.size(), fwd->params.size()) << name;
    for (size_t i = 0; i < fwd->params.size(); ++i) {
      EXPECT_EQ(bwd.params[i].name, fwd->params[i].name) << name;
      EXPECT_EQ(bwd.params[i].default_value, fwd->params[i].default_value) << name;
    }
    ++checked;
  }
  EXPECT_GT(checked, 20);
}

// Note [Parameter kinds] in core/op/op.h: the R and Julia order rules come from these, so a
// parameter about dimensions without a kind would silently keep the core's order there.
bool names_an_axis(const std::string& n) {
  static const std::vector<std::string> kNames = {"axis", "axes", "dim", "dim1", "dim2", "axis1", "axis2"};
  const bool suffix = n.size() > 5 && (n.compare(n.size() - 5, 5, "_axes") == 0);
  return suffix || std::find(kNames.begin(), kNames.end(), n) != kNames.end();
}

TEST(Registry, ParameterKinds) {
  int kinded = 0;
  for (const auto& name : OpRegistry::get().names()) {
    const OpDef& op = OpRegistry::get().lookup(name);
    const std::string where = "Operator " + name + " (" + op.file + ":" + std::to_string(op.line) + "): parameter '";
    const std::string see = " (see Note [Parameter kinds] in core/op/op.h and docs/CONTRIBUTING.md)";
    for (const ParamField& f : op.params) {
      const bool is_int = f.type == ParamType::kInt, is_tuple = f.type == ParamType::kShape;
      if (names_an_axis(f.name) && is_int) {
        EXPECT_EQ(f.kind, ParamKind::kAxis) << where << f.name << "' names an axis: declare .kind(ParamKind::kAxis)"
                                            << see;
      }
      if (names_an_axis(f.name) && is_tuple) {
        EXPECT_TRUE(f.kind == ParamKind::kAxes || f.kind == ParamKind::kPermutation)
            << where << f.name << "' names axes: declare .kind(ParamKind::kAxes) (or kPermutation)" << see;
      }
      if (is_tuple) {
        EXPECT_NE(f.kind, ParamKind::kNone)
            << where << f.name << "' is a tuple without a kind: declare .kind(ParamKind::kPerDim), kAxes, "
            << "kPermutation, kPadPairs or kList" << see;
      }
      if (f.kind == ParamKind::kNone) continue;
      ++kinded;
      if (f.kind == ParamKind::kAxis) {
        EXPECT_TRUE(is_int) << where << f.name << "' has kind axis but type " << param_type_name(f.type)
                            << "; axis is for one int, axes for a tuple" << see;
      } else {
        EXPECT_TRUE(is_tuple) << where << f.name << "' has kind " << param_kind_name(f.kind) << " but type "
                              << param_type_name(f.type) << "; that kind is for tuple parameters" << see;
      }
    }
  }
  EXPECT_GT(kinded, 100);
}

ParamKind kind_of(const std::string& op, const std::string& param) {
  for (const ParamField& f : OpRegistry::get().lookup(op).params)
    if (f.name == param) return f.kind;
  ADD_FAILURE() << op << " has no parameter " << param;
  return ParamKind::kNone;
}

TEST(Registry, ParameterKindsReachTheSchema) {
  const std::string json = OpRegistry::get().lookup("Convolution").schema_json();
  const size_t kernel = json.find(R"("name":"kernel")"), no_bias = json.find(R"("name":"no_bias")");
  ASSERT_NE(kernel, std::string::npos);
  ASSERT_NE(no_bias, std::string::npos);
  EXPECT_EQ(json.find(R"("kind":)", kernel), json.find(R"("kind":"per_dim")", kernel));
  EXPECT_EQ(json.find(R"("kind":)", no_bias), json.find(R"("kind":"")", no_bias));
  EXPECT_EQ(kind_of("Convolution", "kernel"), ParamKind::kPerDim);
  EXPECT_EQ(kind_of("transpose", "axes"), ParamKind::kPermutation);
  EXPECT_EQ(kind_of("Pad", "pad_width"), ParamKind::kPadPairs);
  EXPECT_EQ(kind_of("sum", "axis"), ParamKind::kAxes);
  EXPECT_EQ(kind_of("softmax", "axis"), ParamKind::kAxis);
  EXPECT_EQ(kind_of("Convolution", "no_bias"), ParamKind::kNone);
  // A backward operator's parameters are its forward's, kinds included.
  EXPECT_EQ(kind_of("_backward_Convolution", "kernel"), ParamKind::kPerDim);
  EXPECT_STREQ(param_kind_name(ParamKind::kNone), "");
  EXPECT_STREQ(param_kind_name(ParamKind::kPadPairs), "pad_pairs");
}

struct Inputs {
  std::vector<NDArray> arrays;
  std::vector<bool> checked;
};

Inputs make_inputs(const OpSample& s, std::mt19937_64* rng) {
  Inputs in;
  for (size_t i = 0; i < s.shapes.size(); ++i) {
    bool is_index = std::find(s.index_inputs.begin(), s.index_inputs.end(), static_cast<int>(i)) != s.index_inputs.end();
    std::vector<double> v(static_cast<size_t>(shape_size(s.shapes[i])));
    std::uniform_real_distribution<double> u(s.lo, s.hi);
    for (auto& x : v) x = is_index ? static_cast<double>((*rng)() % static_cast<uint64_t>(s.index_high)) : u(*rng);
    in.arrays.push_back(make_array(s.shapes[i], v, DType::kFloat64));
    bool skip = is_index || std::find(s.no_grad_inputs.begin(), s.no_grad_inputs.end(), static_cast<int>(i)) !=
                                s.no_grad_inputs.end();
    in.checked.push_back(!skip);
  }
  return in;
}

// f(x) = sum_k <w_k, out_k(x)>, evaluated without recording.
double objective(const OpDef& op, const AttrsPtr& attrs, const std::vector<NDArray>& in, const std::vector<std::vector<double>>& w) {
  auto outs = invoke(op, attrs, in);
  double f = 0;
  for (size_t k = 0; k < outs.size(); ++k) {
    auto v = to_vector(outs[k]);
    for (size_t j = 0; j < v.size(); ++j) f += w[k][j] * v[j];
  }
  return f;
}

TEST(Registry, ForwardRunsOnEverySample) {
  std::mt19937_64 rng(7);
  autograd::set_training(true);
  for (const auto& name : OpRegistry::get().names()) {
    const OpDef& op = OpRegistry::get().lookup(name);
    for (const auto& s : op.samples) {
      Inputs in = make_inputs(s, &rng);
      try {
        auto outs = invoke(op, testing::sample_attrs(op, s), in.arrays);
        for (auto& o : outs) to_vector(o);
      } catch (const Error& e) {
        ADD_FAILURE() << name << ": sample failed: " << e.what();
      }
    }
  }
  autograd::set_training(false);
}

TEST(Registry, NumericGradientFloat64) {
  std::mt19937_64 rng(11);
  int checked_ops = 0;
  for (const auto& name : OpRegistry::get().names()) {
    const OpDef& op = OpRegistry::get().lookup(name);
    if (op.non_differentiable) continue;
    bool op_checked = false;
    for (const auto& s : op.samples) {
      if (!s.grad_check) continue;
      Inputs in = make_inputs(s, &rng);
      AttrsPtr attrs = testing::sample_attrs(op, s);
      autograd::set_training(true);
      // Analytic gradient.
      std::vector<NDArray*> vars;
      std::vector<NDArray> grads;
      for (size_t i = 0; i < in.arrays.size(); ++i)
        if (in.checked[i]) {
          vars.push_back(&in.arrays[i]);
          grads.push_back(NDArray(in.arrays[i].shape(), DType::kFloat64, Context::cpu(0)));
        }
      autograd::mark_variables(vars, grads, std::vector<GradReq>(vars.size(), GradReq::kWrite));
      bool prev = autograd::set_recording(true);
      std::vector<NDArray> outs;
      try {
        outs = invoke(op, attrs, in.arrays);
      } catch (const Error& e) {
        autograd::set_recording(prev);
        ADD_FAILURE() << name << ": " << e.what();
        continue;
      }
      autograd::set_recording(prev);
      std::vector<std::vector<double>> w;
      std::vector<NDArray> head_grads;
      std::normal_distribution<double> nd;
      for (size_t k = 0; k < outs.size(); ++k) {
        const NDArray& o = outs[k];
        std::vector<double> wk(static_cast<size_t>(o.size()));
        // An output the gradient ignores gets weight 0: the objective is then what it differentiates.
        const bool ignored = std::find(s.no_grad_outputs.begin(), s.no_grad_outputs.end(), static_cast<int>(k)) !=
                             s.no_grad_outputs.end();
        for (auto& x : wk) x = ignored ? 0.0 : nd(rng);
        w.push_back(wk);
        head_grads.push_back(make_array(o.shape(), wk, DType::kFloat64));
      }
      try {
        autograd::backward(outs, head_grads, {}, false, false, true);
      } catch (const Error& e) {
        ADD_FAILURE() << name << ": backward failed: " << e.what();
        continue;
      }
      // Numeric gradient by central differences on up to 24 elements per input.
      const double eps = 1e-6;
      size_t g = 0;
      for (size_t i = 0; i < in.arrays.size(); ++i) {
        if (!in.checked[i]) continue;
        auto analytic = to_vector(grads[g++]);
        std::vector<double> x = to_vector(in.arrays[i]);
        size_t n = x.size(), step = std::max<size_t>(1, n / 24);
        for (size_t j = 0; j < n; j += step) {
          std::vector<NDArray> probe = in.arrays;
          std::vector<double> xp = x, xm = x;
          xp[j] += eps;
          xm[j] -= eps;
          probe[i] = make_array(in.arrays[i].shape(), xp, DType::kFloat64);
          double fp = objective(op, attrs, probe, w);
          probe[i] = make_array(in.arrays[i].shape(), xm, DType::kFloat64);
          double fm = objective(op, attrs, probe, w);
          double numeric = (fp - fm) / (2 * eps);
          double tol = 1e-4 * std::max(1.0, std::fabs(numeric));
          EXPECT_NEAR(analytic[j], numeric, tol) << name << ": d/d input " << i << "[" << j << "]";
        }
      }
      autograd::set_training(false);
      op_checked = true;
    }
    checked_ops += op_checked;
  }
  std::printf("numeric gradient check passed on %d differentiable operators\n", checked_ops);
}

}  // namespace
}  // namespace minerva
