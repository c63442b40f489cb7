// The executor (bind, plan, forward, backward), its memory plan and CachedOp, checked against
// the imperative path (invoke) and imperative autograd on the same arrays.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <thread>

#include "core/executor/executor.h"
#include "core/executor/memory_plan.h"
#include "core/graph/symbol.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::error_of;
using testing::make_array;
using testing::to_vector;

Symbol op_sym(const std::string& op, const std::string& name, const std::vector<Symbol>& args,
              const KeyValues& params = {}) {
  const OpDef& def = OpRegistry::get().lookup(op);
  return Symbol::create(def, def.parse(params), name, args);
}

// data(4, 10) -> fc1(8) -> relu -> fc2(3) -> SoftmaxOutput
Symbol mlp() {
  Symbol fc1 = op_sym("FullyConnected", "fc1", {Symbol::variable("data")}, {{"num_hidden", "8"}});
  Symbol act = op_sym("Activation", "relu1", {fc1}, {{"act_type", "relu"}});
  Symbol fc2 = op_sym("FullyConnected", "fc2", {act}, {{"num_hidden", "3"}});
  return op_sym("SoftmaxOutput", "softmax", {fc2});
}

// The same network imperatively: args in list_arguments order (data, w1, b1, w2, b2, label).
NDArray mlp_imperative(const std::vector<NDArray>& a) {
  NDArray h = testing::run1("FullyConnected", {a[0], a[1], a[2]}, {{"num_hidden", "8"}});
  h = testing::run1("Activation", {h}, {{"act_type", "relu"}});
  h = testing::run1("FullyConnected", {h, a[3], a[4]}, {{"num_hidden", "3"}});
  return testing::run1("SoftmaxOutput", {h, a[5]});
}

std::vector<double> random_values(size_t n, std::mt19937_64* rng, double lo = -1, double hi = 1) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = u(*rng);
  return v;
}

// Fills an executor's arguments with random values (labels get class indices).
void randomize(const std::vector<NDArray>& arrays, const std::vector<std::string>& names, std::mt19937_64* rng) {
  for (size_t i = 0; i < arrays.size(); ++i) {
    std::vector<double> v = random_values(static_cast<size_t>(arrays[i].size()), rng);
    if (names[i].find("label") != std::string::npos)
      for (auto& x : v) x = static_cast<double>((*rng)() % 3);
    copy_array(make_array(arrays[i].shape(), v, arrays[i].dtype()), arrays[i]);
  }
}

void expect_close(const NDArray& got, const NDArray& want, double tol, const std::string& what) {
  std::vector<double> g = to_vector(got), w = to_vector(want);
  ASSERT_EQ(g.size(), w.size()) << what;
  for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], w[i], tol) << what << " element " << i;
}

std::unique_ptr<Executor> bind_mlp(GradReq req, int batch = 4) {
  return Executor::simple_bind(mlp(), Context::cpu(0), {{"data", {batch, 10}}, {"softmax_label", {batch}}}, {},
                               {{"softmax_label", GradReq::kNull}}, req);
}

TEST(Executor, MlpForwardMatchesImperative) {
  std::mt19937_64 rng(1);
  auto exe = bind_mlp(GradReq::kWrite);
  randomize(exe->arg_arrays(), mlp().list_arguments(), &rng);
  exe->forward(true);
  ASSERT_EQ(exe->outputs().size(), 1u);
  expect_close(exe->outputs()[0], mlp_imperative(exe->arg_arrays()), 1e-6, "softmax output");
  NDArray first = exe->outputs()[0];
  exe->forward(false);
  EXPECT_TRUE(exe->outputs()[0].same_chunk(first));  // outputs are stable across calls
  MemoryPlanStats s = exe->memory_stats();
  std::printf("MLP memory plan (forward+backward): planned %zu bytes, unplanned %zu bytes, %zu buffers, %zu in place\n",
              s.planned_bytes, s.unplanned_bytes, s.num_buffers, s.num_inplace);
  EXPECT_LE(s.planned_bytes, s.unplanned_bytes);
}

TEST(Executor, MlpBackwardMatchesAutograd) {
  std::mt19937_64 rng(2);
  auto exe = bind_mlp(GradReq::kWrite);
  const std::vector<std::string> names = mlp().list_arguments();
  randomize(exe->arg_arrays(), names, &rng);
  exe->forward(true);
  exe->backward({});

  std::vector<NDArray> vars;
  for (const NDArray& a : exe->arg_arrays()) vars.push_back(make_array(a.shape(), to_vector(a)));
  std::vector<NDArray*> marked;
  std::vector<NDArray> grads;
  for (size_t i = 0; i + 1 < vars.size(); ++i) {  // not the label
    marked.push_back(&vars[i]);
    grads.push_back(NDArray(vars[i].shape(), DType::kFloat32, Context::cpu(0)));
  }
  autograd::mark_variables(marked, grads, std::vector<GradReq>(marked.size(), GradReq::kWrite));
  bool prev_rec = autograd::set_recording(true), prev_train = autograd::set_training(true);
  NDArray out = mlp_imperative(vars);
  autograd::set_recording(prev_rec);
  autograd::set_training(prev_train);
  autograd::backward({out}, {}, {}, false, false, true);

  for (size_t i = 0; i < grads.size(); ++i) expect_close(exe->grad_arrays()[i], grads[i], 1e-5, names[i] + " gradient");
  EXPECT_TRUE(exe->grad_arrays()[5].is_none());  // the label's grad_req is null
}

TEST(Executor, GradReqAddAccumulatesAndNullLeavesBuffer) {
  std::mt19937_64 rng(3);
  Symbol net = mlp();
  auto write = bind_mlp(GradReq::kWrite);
  randomize(write->arg_arrays(), net.list_arguments(), &rng);
  write->forward(true);
  write->backward({});

  // bind() with explicit arrays: add for the weights, null (with a buffer of 7s) for fc1_bias.
  std::vector<NDArray> args, grads;
  std::vector<GradReq> reqs;
  for (size_t i = 0; i < write->arg_arrays().size(); ++i) {
    const NDArray& a = write->arg_arrays()[i];
    args.push_back(a);
    grads.push_back(make_array(a.shape(), std::vector<double>(static_cast<size_t>(a.size()), i == 2 ? 7.0 : 0.0)));
    reqs.push_back(i == 2 || i == 5 ? GradReq::kNull : GradReq::kAdd);
  }
  Executor add(net, Context::cpu(0), args, grads, reqs, {});
  for (int round = 0; round < 2; ++round) {
    add.forward(true);
    add.backward({});
  }
  for (size_t i : {0u, 1u, 3u, 4u}) {
    std::vector<double> once = to_vector(write->grad_arrays()[i]), twice = to_vector(add.grad_arrays()[i]);
    for (size_t j = 0; j < once.size(); ++j) EXPECT_NEAR(twice[j], 2 * once[j], 1e-5) << "argument " << i;
  }
  for (double v : to_vector(add.grad_arrays()[2])) EXPECT_EQ(v, 7.0);
  // Backward twice after one forward gives the same gradient: the forward entries it reads stay intact.
  write->backward({});
  NDArray again = make_array(write->grad_arrays()[1].shape(), to_vector(write->grad_arrays()[1]));
  write->backward({});
  expect_close(write->grad_arrays()[1], again, 0, "repeated backward");
}

TEST(Executor, WriteGivesZerosWhereNoGradientFlows) {
  // y = BlockGrad(x) * w: x gets no gradient, so its write buffer is zeroed.
  Symbol x = Symbol::variable("x"), w = Symbol::variable("w");
  Symbol y = op_sym("elemwise_mul", "mul", {op_sym("BlockGrad", "stop", {x}), w});
  NDArray xa = make_array({3}, {1, 2, 3}), wa = make_array({3}, {4, 5, 6});
  NDArray gx = make_array({3}, {9, 9, 9}), gw = make_array({3}, {});
  Executor exe(y, Context::cpu(0), {xa, wa}, {gx, gw}, {GradReq::kWrite, GradReq::kWrite}, {});
  exe.forward(true);
  exe.backward({make_array({3}, {1, 1, 2})});
  testing::expect_values(gx, {0, 0, 0});
  testing::expect_values(gw, {1, 2, 6});
  testing::expect_values(exe.outputs()[0], {4, 10, 18});
}

TEST(Executor, GroupedOutputsSumTheirGradients) {
  // Outputs (x, y, y) with y = x * x: dx = h0 + 2x * (h1 + h2), the variable's own head included.
  Symbol x = Symbol::variable("x");
  Symbol y = op_sym("elemwise_mul", "sq", {x, x});
  Symbol net = Symbol::group({x, y, y});
  NDArray xa = make_array({2}, {1.5, -2}), gx = make_array({2}, {});
  Executor exe(net, Context::cpu(0), {xa}, {gx}, {GradReq::kWrite}, {});
  exe.forward(true);
  ASSERT_EQ(exe.outputs().size(), 3u);
  EXPECT_TRUE(exe.outputs()[0].same_chunk(xa));
  testing::expect_values(exe.outputs()[2], {2.25, 4});
  exe.backward({make_array({2}, {1, 10}), make_array({2}, {2, 3}), make_array({2}, {0.5, 1})});
  testing::expect_values(gx, {1 + 2 * 1.5 * 2.5, 10 + 2 * -2.0 * 4});
  exe.backward({});  // ones everywhere
  testing::expect_values(gx, {1 + 2 * 1.5 * 2, 1 + 2 * -2.0 * 2});
}

TEST(Executor, BatchNormUpdatesAuxInTrainingForward) {
  Symbol net = op_sym("BatchNorm", "bn", {Symbol::variable("data")}, {{"fix_gamma", "False"}});
  auto exe = Executor::simple_bind(net, Context::cpu(0), {{"data", {4, 2}}}, {}, {}, GradReq::kWrite);
  ASSERT_EQ(exe->aux_arrays().size(), 2u);
  copy_array(make_array({4, 2}, {1, 10, 2, 20, 3, 30, 6, 60}), exe->arg_arrays()[0]);
  copy_array(make_array({2}, {1, 1}), exe->arg_arrays()[1]);   // gamma
  copy_array(make_array({2}, {1, 1}), exe->aux_arrays()[1]);   // moving_var
  exe->forward(false);
  testing::expect_values(exe->aux_arrays()[0], {0, 0});  // inference leaves the statistics alone
  exe->forward(true);
  // momentum 0.9: moving = 0.9 * moving + 0.1 * batch statistic (mean 3 and 30).
  testing::expect_values(exe->aux_arrays()[0], {0.3, 3.0}, 1e-5);
  std::vector<double> var = to_vector(exe->aux_arrays()[1]);
  EXPECT_NE(var[0], 1.0);
  exe->backward({make_array({4, 2}, {1, 0, 0, 1, 1, 0, 0, 1})});
  testing::expect_values(exe->aux_arrays()[0], {0.3, 3.0}, 1e-5);  // backward does not touch them
}

TEST(Executor, MonitorSeesEveryNode) {
  std::mt19937_64 rng(4);
  auto exe = bind_mlp(GradReq::kWrite);
  randomize(exe->arg_arrays(), mlp().list_arguments(), &rng);
  std::vector<std::string> seen;
  exe->set_monitor([&](const std::string& name, const NDArray& a) {
    EXPECT_FALSE(a.is_none());
    seen.push_back(name);
  });
  exe->forward(true);
  EXPECT_EQ(seen, (std::vector<std::string>{"fc1_output", "relu1_output", "fc2_output", "softmax_output"}));
  seen.clear();
  exe->backward({});
  EXPECT_FALSE(seen.empty());
  for (const char* node : {"softmax_backward", "fc2_backward", "relu1_backward", "fc1_backward"}) {
    bool found = false;
    for (const std::string& s : seen) found = found || s.rfind(node, 0) == 0;
    EXPECT_TRUE(found) << node << " was not monitored";
  }
}

TEST(Executor, BadBindingsAreErrors) {
  Symbol net = mlp();
  auto ok = bind_mlp(GradReq::kWrite);
  std::vector<NDArray> args = ok->arg_arrays();
  std::string msg = error_of([&] { Executor e(net, Context::cpu(0), {args[0]}, {}, {}, {}); });
  EXPECT_NE(msg.find("6 argument(s)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("fc1_weight"), std::string::npos) << msg;

  std::vector<NDArray> bad = args;
  bad[1] = NDArray({8, 3}, DType::kFloat32, Context::cpu(0));
  msg = error_of([&] { Executor e(net, Context::cpu(0), bad, {}, {}, {}); });
  EXPECT_NE(msg.find("'fc1_weight'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(8, 3)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(8, 10)"), std::string::npos) << msg;

  std::vector<NDArray> grads(args.size());
  grads[3] = NDArray({2, 2}, DType::kFloat32, Context::cpu(0));
  msg = error_of([&] { Executor e(net, Context::cpu(0), args, grads, {}, {}); });
  EXPECT_NE(msg.find("gradient array of 'fc2_weight'"), std::string::npos) << msg;

  Executor fresh(net, Context::cpu(0), args, ok->grad_arrays(), {}, {});
  msg = error_of([&] { fresh.backward({}); });
  EXPECT_NE(msg.find("call forward before backward"), std::string::npos) << msg;
  fresh.forward(true);
  NDArray two_outputs = NDArray({4, 3}, DType::kFloat32, Context::cpu(0));
  msg = error_of([&] { fresh.backward({two_outputs, two_outputs}); });
  EXPECT_NE(msg.find("got 2 out_grads"), std::string::npos) << msg;
  msg = error_of([&] { fresh.backward({NDArray({4, 2}, DType::kFloat32, Context::cpu(0))}); });
  EXPECT_NE(msg.find("(4, 2)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("softmax_output"), std::string::npos) << msg;

  msg = error_of([&] { Executor::simple_bind(net, Context::cpu(0), {{"data", {4, 10}}}, {}, {{"nope", GradReq::kAdd}}, GradReq::kWrite); });
  EXPECT_NE(msg.find("'nope'"), std::string::npos) << msg;
}

// ---- Memory plan ------------------------------------------------------------------------------

Symbol deep_chain(int layers) {
  Symbol h = Symbol::variable("data");
  for (int i = 0; i < layers; ++i) {
    h = op_sym("FullyConnected", "fc" + std::to_string(i), {h}, {{"num_hidden", "16"}});
    h = op_sym("relu", "relu" + std::to_string(i), {h});
  }
  return h;
}

TEST(MemoryPlan, DeepChainPlansFewerBytesAndStaysCorrect) {
  std::mt19937_64 rng(5);
  Symbol net = deep_chain(20);
  for (GradReq req : {GradReq::kNull, GradReq::kWrite}) {
    auto exe = Executor::simple_bind(net, Context::cpu(0), {{"data", {8, 16}}}, {}, {{"data", GradReq::kNull}}, req);
    std::vector<std::string> names = net.list_arguments();
    randomize(exe->arg_arrays(), names, &rng);
    exe->forward(req != GradReq::kNull);
    MemoryPlanStats s = exe->memory_stats();
    std::printf("deep chain (20 FC+relu, %s): planned %zu bytes, unplanned %zu bytes, %zu buffers, %zu in place\n",
                req == GradReq::kNull ? "forward only" : "forward+backward", s.planned_bytes, s.unplanned_bytes,
                s.num_buffers, s.num_inplace);
    EXPECT_LT(s.planned_bytes, s.unplanned_bytes);
    EXPECT_GT(s.num_inplace, 0u);  // each relu runs in its FC's buffer
    NDArray h = exe->arg_arrays()[0];
    for (int i = 0; i < 20; ++i) {
      h = testing::run1("FullyConnected", {h, exe->arg_arrays()[1 + 2 * i], exe->arg_arrays()[2 + 2 * i]},
                        {{"num_hidden", "16"}});
      h = testing::run1("relu", {h});
    }
    expect_close(exe->outputs()[0], h, 1e-5, "deep chain output");
    if (req == GradReq::kNull) {
      EXPECT_LT(s.planned_bytes * 4, s.unplanned_bytes);  // a chain needs ~2 buffers
      continue;
    }
    NDArray head = make_array({8, 16}, random_values(128, &rng));
    exe->backward({head});
    std::vector<NDArray> params(exe->arg_arrays().begin() + 1, exe->arg_arrays().end());
    std::vector<NDArray> want = testing::grads_of(params, head, [&](const std::vector<NDArray>& p) {
      NDArray x = exe->arg_arrays()[0];
      for (int i = 0; i < 20; ++i)
        x = testing::run1("relu", {testing::run1("FullyConnected", {x, p[2 * i], p[2 * i + 1]}, {{"num_hidden", "16"}})});
      return x;
    });
    for (size_t i = 0; i < want.size(); ++i)
      expect_close(exe->grad_arrays()[i + 1], want[i], 1e-4, names[i + 1] + " gradient");
  }
}

TEST(MemoryPlan, InplaceForDeclaredOps) {
  // sigmoid, negative and abs declare (0, 0) in place: a forward-only chain needs one buffer.
  Symbol x = Symbol::variable("x");
  Symbol y = op_sym("abs", "a", {op_sym("negative", "n", {op_sym("sigmoid", "s", {op_sym("exp", "e", {x})})})});
  NDArray xa = make_array({2, 2}, {-1, 0, 1, 2});
  Executor exe(y, Context::cpu(0), {xa}, {}, {}, {});
  exe.forward(false);
  MemoryPlanStats s = exe.memory_stats();
  EXPECT_EQ(s.num_entries, 3u);  // e, s, n; a is the output
  EXPECT_EQ(s.num_inplace, 2u);
  EXPECT_EQ(s.num_buffers, 1u);
  std::vector<double> want;
  for (double v : {-1.0, 0.0, 1.0, 2.0}) want.push_back(1.0 / (1.0 + std::exp(-std::exp(v))));
  testing::expect_values(exe.outputs()[0], want, 1e-6);
}

TEST(MemoryPlan, ParallelBranchesNeverShareBuffers) {
  // x -> a; branch 1: a -> b1 -> b2; branch 2: a -> c1 -> c2; d = b2 + c2. In schedule order b1
  // dies before c1 is made, but c1's step does not depend on b1's readers: no sharing allowed.
  enum { X, A, B1, B2, C1, C2, D };
  std::vector<PlanEntry> entries(7, PlanEntry{64, 0, true});
  entries[X].internal = entries[D].internal = false;
  std::vector<PlanStep> steps = {
      {{X}, {A}, {}}, {{A}, {B1}, {}}, {{B1}, {B2}, {}}, {{A}, {C1}, {}}, {{C1}, {C2}, {}}, {{B2, C2}, {D}, {}}};
  MemoryPlan plan = plan_memory(entries, steps, steps.size());
  for (int b : {B1, B2})
    for (int c : {C1, C2})
      EXPECT_NE(plan.buffer_of[b], plan.buffer_of[c]) << "branch entries " << b << " and " << c << " share";
  // The same steps as one chain (c1 reads b2) may reuse b1's buffer.
  steps[3].inputs = {B2};
  MemoryPlan chain = plan_memory(entries, steps, steps.size());
  EXPECT_EQ(chain.buffer_of[C1], chain.buffer_of[B1]);
  EXPECT_LT(chain.stats.planned_bytes, plan.stats.planned_bytes);

  // An executor on a real diamond computes the right values.
  Symbol xs = Symbol::variable("x");
  Symbol a = op_sym("exp", "a", {xs});
  Symbol b = op_sym("sin", "b2", {op_sym("cos", "b1", {a})});
  Symbol c = op_sym("tanh", "c2", {op_sym("sigmoid", "c1", {a})});
  Symbol d = op_sym("elemwise_add", "d", {b, c});
  NDArray xa = make_array({3}, {0.1, 0.2, 0.3});
  Executor exe(d, Context::cpu(0), {xa}, {}, {}, {});
  exe.forward(false);
  std::vector<double> want;
  for (double v : {0.1, 0.2, 0.3}) want.push_back(std::sin(std::cos(std::exp(v))) + std::tanh(1 / (1 + std::exp(-std::exp(v)))));
  testing::expect_values(exe.outputs()[0], want, 1e-6);
}

// ---- CachedOp ---------------------------------------------------------------------------------

// Inputs of mlp() in list_inputs order with random values.
std::vector<NDArray> mlp_inputs(int batch, std::mt19937_64* rng) {
  std::vector<Shape> shapes = {{batch, 10}, {8, 10}, {8}, {3, 8}, {3}, {batch}};
  std::vector<NDArray> in;
  for (size_t i = 0; i < shapes.size(); ++i) {
    std::vector<double> v = random_values(static_cast<size_t>(shape_size(shapes[i])), rng);
    if (i == 5)
      for (auto& x : v) x = static_cast<double>((*rng)() % 3);
    in.push_back(make_array(shapes[i], v));
  }
  return in;
}

TEST(CachedOp, MatchesExecutor) {
  std::mt19937_64 rng(6);
  Symbol net = mlp();
  CachedOp cop(net, {});
  std::vector<NDArray> in = mlp_inputs(4, &rng);
  Executor exe(net, Context::cpu(0), in, {}, {}, {});
  exe.forward(false);
  std::vector<NDArray> out = cop.invoke(in);
  ASSERT_EQ(out.size(), 1u);
  expect_close(out[0], exe.outputs()[0], 1e-6, "CachedOp output");
  std::vector<NDArray> again = cop.invoke(mlp_inputs(4, &rng));
  EXPECT_FALSE(again[0].same_chunk(out[0]));  // fresh outputs: the first result is not overwritten
  expect_close(out[0], exe.outputs()[0], 1e-6, "first CachedOp output after a second call");
}

TEST(CachedOp, RecordingGivesAutogradGradients) {
  std::mt19937_64 rng(7);
  // fc -> tanh -> fc, with a random head gradient.
  Symbol fc1 = op_sym("FullyConnected", "fc1", {Symbol::variable("data")}, {{"num_hidden", "5"}});
  Symbol net = op_sym("FullyConnected", "fc2", {op_sym("tanh", "t", {fc1})}, {{"num_hidden", "2"}});
  CachedOp cop(net, {});
  std::vector<Shape> shapes = {{3, 4}, {5, 4}, {5}, {2, 5}, {2}};
  NDArray head = make_array({3, 2}, random_values(6, &rng));
  std::vector<NDArray> values;
  for (const Shape& s : shapes) values.push_back(make_array(s, random_values(static_cast<size_t>(shape_size(s)), &rng)));

  auto run = [&](bool cached) {
    std::vector<NDArray> in, grads;
    std::vector<NDArray*> vars;
    for (const NDArray& v : values) {
      in.push_back(make_array(v.shape(), to_vector(v)));
      grads.push_back(NDArray(v.shape(), DType::kFloat32, Context::cpu(0)));
    }
    for (NDArray& a : in) vars.push_back(&a);
    autograd::mark_variables(vars, grads, std::vector<GradReq>(vars.size(), GradReq::kWrite));
    bool prev = autograd::set_recording(true);
    NDArray out;
    if (cached) {
      out = cop.invoke(in)[0];
    } else {
      NDArray h = testing::run1("FullyConnected", {in[0], in[1], in[2]}, {{"num_hidden", "5"}});
      out = testing::run1("FullyConnected", {testing::run1("tanh", {h}), in[3], in[4]}, {{"num_hidden", "2"}});
    }
    autograd::set_recording(prev);
    autograd::backward({out}, {head}, {}, false, false, true);
    return grads;
  };
  std::vector<NDArray> cached = run(true), imperative = run(false);
  for (size_t i = 0; i < cached.size(); ++i) expect_close(cached[i], imperative[i], 1e-6, "input " + std::to_string(i));
  EXPECT_EQ(cop.num_plans(), 0u);  // recording never plans
}

TEST(CachedOp, PlansPerSignature) {
  std::mt19937_64 rng(8);
  CachedOp cop(mlp(), {});
  EXPECT_EQ(cop.num_plans(), 0u);
  cop.invoke(mlp_inputs(4, &rng));
  EXPECT_EQ(cop.num_plans(), 1u);
  cop.invoke(mlp_inputs(4, &rng));
  EXPECT_EQ(cop.num_plans(), 1u);
  std::vector<NDArray> in = mlp_inputs(6, &rng);
  std::vector<NDArray> out = cop.invoke(in);
  EXPECT_EQ(cop.num_plans(), 2u);
  EXPECT_EQ(out[0].shape(), (Shape{6, 3}));
  expect_close(out[0], mlp_imperative(in), 1e-6, "batch 6");
}

TEST(CachedOp, ConcurrentCallsAgree) {
  std::mt19937_64 rng(9);
  for (bool static_alloc : {false, true}) {
    CachedOpFlags flags;
    flags.static_alloc = static_alloc;
    CachedOp cop(mlp(), flags);
    constexpr int kThreads = 8, kCalls = 20;
    std::vector<std::vector<NDArray>> inputs;
    std::vector<std::vector<double>> expected;
    for (int t = 0; t < kThreads; ++t) {
      inputs.push_back(mlp_inputs(4, &rng));
      expected.push_back(to_vector(mlp_imperative(inputs.back())));
    }
    std::atomic<int> mismatches{0}, errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        try {
          for (int c = 0; c < kCalls; ++c) {
            std::vector<double> got = to_vector(cop.invoke(inputs[static_cast<size_t>(t)])[0]);
            for (size_t j = 0; j < got.size(); ++j)
              if (std::fabs(got[j] - expected[static_cast<size_t>(t)][j]) > 1e-6) ++mismatches;
          }
        } catch (const Error&) {
          ++errors;
        }
      });
    for (auto& th : threads) th.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(mismatches.load(), 0) << "static_alloc=" << static_alloc;
    EXPECT_EQ(cop.num_plans(), 1u);
  }
}

TEST(CachedOp, HonoursTrainingMode) {
  Symbol net = op_sym("Dropout", "drop", {Symbol::variable("x")}, {{"p", "0.5"}});
  CachedOp cop(net, {});
  NDArray x = make_array({64}, std::vector<double>(64, 1.0));
  testing::expect_values(cop.invoke({x})[0], std::vector<double>(64, 1.0));
  bool prev = autograd::set_training(true);
  std::vector<double> y = to_vector(cop.invoke({x})[0]);
  autograd::set_training(prev);
  int zeros = 0;
  for (double v : y) {
    EXPECT_TRUE(v == 0.0 || std::fabs(v - 2.0) < 1e-6) << v;
    zeros += v == 0.0;
  }
  EXPECT_GT(zeros, 0);
  EXPECT_LT(zeros, 64);
}

TEST(CachedOp, BadInputsAreErrors) {
  std::mt19937_64 rng(10);
  CachedOp cop(mlp(), {});
  std::vector<NDArray> in = mlp_inputs(4, &rng);
  std::string msg = error_of([&] { cop.invoke({in[0], in[1]}); });
  EXPECT_NE(msg.find("6 input(s)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("softmax_label"), std::string::npos) << msg;
  in[3] = make_array({3, 7}, {});
  msg = error_of([&] { cop.invoke(in); });
  EXPECT_NE(msg.find("'fc2_weight'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(3, 7)"), std::string::npos) << msg;
  EXPECT_EQ(cop.num_plans(), 0u);  // a failed signature is not kept
  in[3] = NDArray();
  msg = error_of([&] { cop.invoke(in); });
  EXPECT_NE(msg.find("empty"), std::string::npos) << msg;
}

}  // namespace
}  // namespace minerva
