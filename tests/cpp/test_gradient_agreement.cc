// Registry-driven (STYLE rule 15): for every differentiable operator with samples, the symbolic
// gradient (a one-node symbol bound in an Executor, forward + backward) equals imperative
// autograd's on the same float64 inputs and head gradients. Random operators draw the same
// numbers on both paths: the generator is reseeded before each.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "core/executor/executor.h"
#include "core/graph/symbol.h"
#include "core/op/random.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::make_array;
using testing::to_vector;

bool contains(const std::vector<int>& v, size_t i) {
  return std::find(v.begin(), v.end(), static_cast<int>(i)) != v.end();
}

struct Case {
  std::vector<std::vector<double>> values;  // per input
  std::vector<bool> wants_grad;             // per input
};

Case make_case(const OpSample& s, const std::vector<int>& mutated, std::mt19937_64* rng) {
  Case c;
  std::uniform_real_distribution<double> u(s.lo, s.hi);
  for (size_t i = 0; i < s.shapes.size(); ++i) {
    const bool is_index = contains(s.index_inputs, i);
    std::vector<double> v(static_cast<size_t>(shape_size(s.shapes[i])));
    for (auto& x : v) x = is_index ? static_cast<double>((*rng)() % static_cast<uint64_t>(s.index_high)) : u(*rng);
    c.values.push_back(v);
    c.wants_grad.push_back(!is_index && !contains(s.no_grad_inputs, i) && !contains(mutated, i));
  }
  return c;
}

std::vector<NDArray> arrays_of(const OpSample& s, const Case& c) {
  std::vector<NDArray> a;
  for (size_t i = 0; i < s.shapes.size(); ++i) a.push_back(make_array(s.shapes[i], c.values[i], DType::kFloat64));
  return a;
}

constexpr uint64_t kSeed = 20240607;
constexpr size_t kHeadValues = 4096;

NDArray head_array(const NDArray& out, const std::vector<double>& values) {
  MV_CHECK(static_cast<size_t>(out.size()) <= values.size(), kValue)
      << "output of " << out.size() << " elements: raise kHeadValues";
  return make_array(out.shape(), values, out.dtype());
}

// Gradients of the inputs that want one, through the executor (empty arrays elsewhere).
std::vector<NDArray> symbolic_grads(const OpDef& op, const AttrsPtr& attrs, const OpSample& s, const Case& c,
                                    const std::vector<std::vector<double>>& heads) {
  std::vector<Symbol> vars;
  for (size_t i = 0; i < s.shapes.size(); ++i) vars.push_back(Symbol::variable("in" + std::to_string(i)));
  Symbol sym = Symbol::create(op, attrs, "node", vars);
  std::vector<NDArray> inputs = arrays_of(s, c);
  std::vector<NDArray> args, grads, aux;
  std::vector<GradReq> reqs;
  std::vector<int> grad_slot;  // argument -> input index
  for (const std::string& name : sym.list_arguments()) {
    size_t i = std::stoul(name.substr(2));
    args.push_back(inputs[i]);
    reqs.push_back(c.wants_grad[i] ? GradReq::kWrite : GradReq::kNull);
    grads.push_back(c.wants_grad[i] ? NDArray(s.shapes[i], DType::kFloat64, Context::cpu(0)) : NDArray());
    grad_slot.push_back(static_cast<int>(i));
  }
  for (const std::string& name : sym.list_auxiliary_states()) aux.push_back(inputs[std::stoul(name.substr(2))]);
  Executor exe(sym, Context::cpu(0), args, grads, reqs, aux);
  random_seed(kSeed);
  exe.forward(true);
  std::vector<NDArray> head_arrays;
  for (size_t k = 0; k < exe.outputs().size(); ++k)
    head_arrays.push_back(head_array(exe.outputs()[k], heads.at(k)));
  exe.backward(head_arrays, true);
  std::vector<NDArray> result(s.shapes.size());
  for (size_t a = 0; a < args.size(); ++a) result[static_cast<size_t>(grad_slot[a])] = exe.grad_arrays()[a];
  return result;
}

std::vector<NDArray> imperative_grads(const OpDef& op, const AttrsPtr& attrs, const OpSample& s, const Case& c,
                                      const std::vector<std::vector<double>>& heads) {
  std::vector<NDArray> inputs = arrays_of(s, c);
  std::vector<NDArray*> vars;
  std::vector<NDArray> grads(s.shapes.size()), marked_grads;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (c.wants_grad[i]) {
      vars.push_back(&inputs[i]);
      grads[i] = NDArray(s.shapes[i], DType::kFloat64, Context::cpu(0));
      marked_grads.push_back(grads[i]);
    }
  autograd::mark_variables(vars, marked_grads, std::vector<GradReq>(vars.size(), GradReq::kWrite));
  random_seed(kSeed);
  bool prev_rec = autograd::set_recording(true), prev_train = autograd::set_training(true);
  std::vector<NDArray> outs;
  try {
    outs = invoke(op, attrs, inputs);
  } catch (...) {
    autograd::set_recording(prev_rec);
    autograd::set_training(prev_train);
    throw;
  }
  autograd::set_recording(prev_rec);
  autograd::set_training(prev_train);
  std::vector<NDArray> head_arrays;
  for (size_t k = 0; k < outs.size(); ++k) head_arrays.push_back(head_array(outs[k], heads.at(k)));
  autograd::backward(outs, head_arrays, {}, false, false, true);
  return grads;
}

TEST(SymbolicGradient, AgreesWithAutogradOnEveryDifferentiableOperator) {
  std::mt19937_64 rng(17);
  int expected = 0, agreed = 0;
  std::vector<std::string> failed;
  for (const std::string& name : OpRegistry::get().names()) {
    const OpDef& op = OpRegistry::get().lookup(name);
    if (op.non_differentiable || op.samples.empty()) continue;
    bool ok = true, compared = false;
    for (size_t si = 0; si < op.samples.size() && ok; ++si) {
      const OpSample& s = op.samples[si];
      AttrsPtr attrs = testing::sample_attrs(op, s);
      Case c = make_case(s, op.mutated_for(*attrs), &rng);
      // Index-only operators (ravel_multi_index) have zero gradients in MXNet and no input to
      // differentiate here: nothing to compare.
      if (std::none_of(c.wants_grad.begin(), c.wants_grad.end(), [](bool w) { return w; })) continue;
      compared = true;
      std::vector<std::vector<double>> heads;
      std::normal_distribution<double> nd;
      for (size_t k = 0; k < 8; ++k) {  // enough head gradients for any output count; sized on use
        std::vector<double> h(kHeadValues);
        for (auto& x : h) x = nd(rng);
        heads.push_back(h);
      }
      std::vector<NDArray> sym_g, imp_g;
      try {
        sym_g = symbolic_grads(op, attrs, s, c, heads);
        imp_g = imperative_grads(op, attrs, s, c, heads);
      } catch (const Error& e) {
        ADD_FAILURE() << name << " sample " << si << ": " << e.what();
        ok = false;
        break;
      }
      for (size_t i = 0; i < sym_g.size(); ++i) {
        if (!c.wants_grad[i]) continue;
        std::vector<double> a = to_vector(sym_g[i]), b = to_vector(imp_g[i]);
        for (size_t j = 0; j < a.size(); ++j) {
          double tol = 1e-9 * std::max(1.0, std::fabs(b[j]));
          if (std::fabs(a[j] - b[j]) > tol) {
            ADD_FAILURE() << name << " sample " << si << ": d/d input " << i << "[" << j << "]: symbolic " << a[j]
                          << ", imperative " << b[j];
            ok = false;
            break;
          }
        }
      }
    }
    if (!compared) continue;
    ++expected;
    if (ok) ++agreed;
    else failed.push_back(name);
  }
  std::printf("symbolic and imperative gradients agree on %d differentiable operators\n", agreed);
  for (const std::string& f : failed) std::printf("  disagree: %s\n", f.c_str());
  EXPECT_GT(expected, 0);
  EXPECT_EQ(agreed, expected);
}

}  // namespace
}  // namespace minerva
