// Subgraph operators (Note [Subgraph operators] in core/executor/subgraph_run.h): composition
// with graphs as the first arguments, symbol JSON with "subgraphs", SubgraphProgram, the
// executor's forward and backward through _foreach / _cond / _while_loop, and bad input.
#include <gtest/gtest.h>

#include <string>

#include "core/executor/executor.h"
#include "core/executor/subgraph_run.h"
#include "core/graph/infer.h"
#include "core/graph/symbol_json.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::error_of;
using testing::make_array;
using testing::to_vector;

Symbol op_sym(const std::string& op, const std::vector<Symbol>& args, const KeyValues& params = {},
              const std::string& name = "") {
  const OpDef& def = OpRegistry::get().lookup(op);
  return Symbol::create(def, def.parse(params), name, args);
}

// body(x, [s]) = (x * w + s, [x * w + s]) with body inputs (x, w, s): a running sum of x * w.
Symbol foreach_body() {
  Symbol x = Symbol::variable("x"), w = Symbol::variable("w"), s = Symbol::variable("s");
  Symbol o = op_sym("elemwise_add", {op_sym("elemwise_mul", {x, w}), s});
  return Symbol::group({o, op_sym("_copy", {o})});
}

Symbol foreach_node() {
  const OpDef& def = OpRegistry::get().lookup("_foreach");
  KeyValues params{{"num_args", "4"}, {"num_outputs", "2"}, {"num_out_data", "1"}, {"in_data_locs", "[0]"},
                   {"in_state_locs", "[2]"}, {"remain_locs", "[1]"}};
  // Node inputs: data, init state, then the body's other input (w).
  return Symbol::create(def, def.parse(params), "loop",
                        {foreach_body(), Symbol::variable("data"), Symbol::variable("s0"), Symbol::variable("w")});
}

TEST(ControlFlow, CompositionTakesTheGraphFirst) {
  Symbol loop = foreach_node();
  EXPECT_EQ(loop.list_arguments(), (std::vector<std::string>{"data", "s0", "w"}));
  EXPECT_EQ(loop.list_outputs(), (std::vector<std::string>{"loop_output0", "loop_output1"}));
  const Node& n = *loop.outputs[0].node;
  ASSERT_EQ(n.attrs->subgraphs.size(), 1u);
  EXPECT_EQ(n.attrs->subgraphs[0]->list_inputs(), (std::vector<std::string>{"x", "w", "s"}));
  ShapeInference r = infer_shape(loop, {{"data", {3, 2}}, {"s0", {2}}}, false);
  EXPECT_EQ(r.args[2], (Shape{2}));  // w, inferred through the body
  EXPECT_EQ(r.outputs[0], (Shape{3, 2}));
  EXPECT_EQ(r.outputs[1], (Shape{2}));
}

TEST(ControlFlow, ExecutorRunsForeachForwardAndBackward) {
  Symbol loop = foreach_node();
  auto exe = Executor::simple_bind(loop, Context::cpu(0), {{"data", {3, 2}}, {"s0", {2}}, {"w", {2}}}, {}, {},
                                   GradReq::kWrite);
  const std::vector<NDArray>& args = exe->arg_arrays();
  copy_array(make_array({3, 2}, {1, 2, 3, 4, 5, 6}), args[0]);
  copy_array(make_array({2}, {10, 20}), args[1]);
  copy_array(make_array({2}, {2, 3}), args[2]);
  exe->forward(true);
  // s_t = s_{t-1} + x_t * w: (12, 26), (18, 38), (28, 56).
  testing::expect_values(exe->outputs()[0], {12, 26, 18, 38, 28, 56});
  testing::expect_values(exe->outputs()[1], {28, 56});
  // Loss = sum(outputs[0]) + sum(final state): d/dx_t = w * (steps from t on + 1).
  exe->backward({make_array({3, 2}, {1, 1, 1, 1, 1, 1}), make_array({2}, {1, 1})});
  testing::expect_values(exe->grad_arrays()[0], {8, 12, 6, 9, 4, 6});
  testing::expect_values(exe->grad_arrays()[1], {4, 4});
  // d/dw = sum_t x_t * (4 - t)
  testing::expect_values(exe->grad_arrays()[2], {1 * 4 + 3 * 3 + 5 * 2, 2 * 4 + 4 * 3 + 6 * 2});
}

TEST(ControlFlow, JsonKeepsSubgraphs) {
  Symbol loop = foreach_node();
  const std::string json = symbol_to_json(loop);
  EXPECT_NE(json.find("\"subgraphs\": [{"), std::string::npos);
  Symbol again = symbol_from_json(json);
  EXPECT_EQ(symbol_to_json(again), json);
  ASSERT_EQ(again.outputs[0].node->attrs->subgraphs.size(), 1u);
  // A subgraph document has no "mxnet_version" of its own, as MXNet writes it.
  const std::string sub = symbol_to_json(*again.outputs[0].node->attrs->subgraphs[0]);
  EXPECT_EQ(json.find("mxnet_version"), json.rfind("mxnet_version"));
  EXPECT_NE(sub.find("mxnet_version"), std::string::npos);
}

TEST(ControlFlow, JsonSubgraphCountIsChecked) {
  const std::string without = R"({"nodes": [{"op": "null", "name": "d", "inputs": []},
      {"op": "_foreach", "name": "f", "attrs": {"num_args": "2", "num_outputs": "1", "num_out_data": "1",
       "in_data_locs": "[0]", "in_state_locs": "[]", "remain_locs": "[]"}, "inputs": [[0, 0, 0]]}],
    "heads": [[1, 0, 0]]})";
  std::string msg = error_of([&] { symbol_from_json(without); });
  EXPECT_NE(msg.find("node 1 'f' (_foreach): operator _foreach holds 1 subgraph(s), the node lists 0"),
            std::string::npos)
      << msg;
  // A graph nested past the depth limit is an error, not a stack overflow.
  std::string deep = R"({"nodes": [{"op": "null", "name": "x", "inputs": []}], "heads": [[0, 0, 0]]})";
  for (int level = 0; level < 70; ++level)
    deep = R"({"nodes": [{"op": "null", "name": "d", "inputs": []}, {"op": "_foreach", "name": "f", "attrs":
        {"num_args": "2", "num_outputs": "1", "num_out_data": "1", "in_data_locs": "[0]", "in_state_locs": "[]",
         "remain_locs": "[]"}, "inputs": [[0, 0, 0]], "subgraphs": [)" + deep + "]}], \"heads\": [[1, 0, 0]]}";
  msg = error_of([&] { symbol_from_json(deep); });
  EXPECT_NE(msg.find("subgraphs nest deeper than 64 levels"), std::string::npos) << msg.substr(0, 300);
}

TEST(ControlFlow, SubgraphProgramRunsAGraph) {
  Symbol body = foreach_body();
  SubgraphProgram program(body.outputs, "test");
  std::vector<NodePtr> vars = body.input_nodes();
  NDArray x = make_array({2}, {1, 2}), w = make_array({2}, {3, 4}), s = make_array({2}, {10, 10});
  OpContext ctx;
  ctx.ctx = Context::cpu(0);
  std::vector<NDArray> outs =
      program.run(ctx, {{vars[0].get(), x.blob()}, {vars[1].get(), w.blob()}, {vars[2].get(), s.blob()}});
  testing::expect_values(outs[0], {13, 18});
  testing::expect_values(outs[1], {13, 18});
  EXPECT_NE(error_of([&] { program.run(ctx, {{vars[0].get(), x.blob()}}); }).find("subgraph input 'w' has no value"),
            std::string::npos);
}

TEST(ControlFlow, CondRunsOnlyTheChosenBranch) {
  Symbol p = Symbol::variable("p"), a = Symbol::variable("a");
  Symbol pred = op_sym("_greater_scalar", {Symbol::variable("q")}, {{"scalar", "0"}});
  Symbol then_g = op_sym("_mul_scalar", {Symbol::variable("a")}, {{"scalar", "2"}});
  Symbol else_g = op_sym("log", {Symbol::variable("a")});  // NaN for negative a: must not run then
  const OpDef& def = OpRegistry::get().lookup("_cond");
  Symbol node = Symbol::create(def,
                               def.parse({{"num_args", "5"}, {"num_outputs", "1"}, {"cond_input_locs", "[0]"},
                                          {"then_input_locs", "[1]"}, {"else_input_locs", "[1]"}}),
                               "branch", {pred, then_g, else_g, p, a});
  for (double pv : {1.0, -1.0}) {
    auto exe = Executor::simple_bind(node, Context::cpu(0), {{"p", {1}}, {"a", {2}}}, {}, {}, GradReq::kWrite);
    copy_array(make_array({1}, {pv}), exe->arg_arrays()[0]);
    copy_array(make_array({2}, pv > 0 ? std::vector<double>{-1, 2} : std::vector<double>{1, 4}),
                        exe->arg_arrays()[1]);
    exe->forward(true);
    exe->backward({make_array({2}, {1, 1})});
    if (pv > 0) {
      testing::expect_values(exe->outputs()[0], {-2, 4});
      testing::expect_values(exe->grad_arrays()[1], {2, 2});
    } else {
      testing::expect_values(exe->outputs()[0], {0, std::log(4.0)}, 1e-6);
      testing::expect_values(exe->grad_arrays()[1], {1, 0.25});
    }
    testing::expect_values(exe->grad_arrays()[0], {0});
  }
}

TEST(ControlFlow, BackwardValidatesItsInputs) {
  // A hand-written _backward_foreach whose output gradient has the wrong shape.
  const OpDef& def = OpRegistry::get().lookup("_backward_foreach");
  auto attrs = std::make_shared<Attrs>(*def.parse({{"num_args", "4"}, {"num_outputs", "2"}, {"num_out_data", "1"},
                                                   {"in_data_locs", "[0]"}, {"in_state_locs", "[2]"},
                                                   {"remain_locs", "[1]"}}));
  attrs->subgraphs.push_back(std::make_shared<const Symbol>(foreach_body()));
  std::vector<NDArray> in{make_array({5, 2}, {}), make_array({2}, {}), make_array({3, 2}, {}), make_array({2}, {}),
                          make_array({2}, {})};
  std::string msg = error_of([&] { invoke(def, attrs, in); });
  EXPECT_NE(msg.find("_backward_foreach: the gradient of output 0 has shape (5, 2), expected (3, 2)"), std::string::npos) << msg;
  // Without its graph the operator says how it is made.
  msg = error_of([&] { invoke(def, def.parse(attrs->given), in); });
  EXPECT_NE(msg.find("_foreach: the node holds 0 graph(s), it needs 1"), std::string::npos) << msg;
}

TEST(ControlFlow, SubgraphsWithAuxiliaryStatesAreRejected) {
  Symbol bn = op_sym("BatchNorm", {Symbol::variable("x")}, {}, "bn");
  const OpDef& def = OpRegistry::get().lookup("_foreach");
  Symbol node = Symbol::create(def,
                               def.parse({{"num_args", "6"}, {"num_outputs", "1"}, {"num_out_data", "1"},
                                          {"in_data_locs", "[0]"}, {"in_state_locs", "[]"},
                                          {"remain_locs", "[1, 2, 3, 4]"}}),
                               "loop",
                               {bn, Symbol::variable("d"), Symbol::variable("g"), Symbol::variable("b"),
                                Symbol::variable("m"), Symbol::variable("v")});
  std::string msg = error_of([&] { infer_shape(node, {{"d", {3, 2, 4}}}, true); });
  EXPECT_NE(msg.find("uses operator BatchNorm ('bn'), which updates its inputs in place"), std::string::npos) << msg;
}

}  // namespace
}  // namespace minerva
