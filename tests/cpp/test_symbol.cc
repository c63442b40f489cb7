// Symbol graphs: composition, naming, listings in MXNet's orders, attributes and inference.
#include <gtest/gtest.h>

#include "core/graph/infer.h"
#include "core/graph/symbol.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::error_of;

Symbol op_sym(const std::string& op, const std::string& name, const std::vector<Symbol>& args,
              const KeyValues& params = {}, const std::vector<std::string>& keys = {}) {
  const OpDef& def = OpRegistry::get().lookup(op);
  return Symbol::create(def, def.parse(params), name, args, keys);
}

// data -> FullyConnected(fc1) -> relu -> BatchNorm(bn) -> FullyConnected(fc2) -> SoftmaxOutput
Symbol mlp_with_bn() {
  Symbol data = Symbol::variable("data");
  Symbol fc1 = op_sym("FullyConnected", "fc1", {data}, {{"num_hidden", "8"}});
  Symbol act = op_sym("Activation", "relu1", {fc1}, {{"act_type", "relu"}});
  Symbol bn = op_sym("BatchNorm", "bn", {act});
  Symbol fc2 = op_sym("FullyConnected", "fc2", {bn}, {{"num_hidden", "3"}});
  return op_sym("SoftmaxOutput", "softmax", {fc2});
}

TEST(Symbol, ListingsFollowMXNetOrder) {
  Symbol net = mlp_with_bn();
  EXPECT_EQ(net.list_arguments(), (std::vector<std::string>{"data", "fc1_weight", "fc1_bias", "bn_gamma", "bn_beta",
                                                            "fc2_weight", "fc2_bias", "softmax_label"}));
  EXPECT_EQ(net.list_auxiliary_states(), (std::vector<std::string>{"bn_moving_mean", "bn_moving_var"}));
  EXPECT_EQ(net.list_outputs(), (std::vector<std::string>{"softmax_output"}));
  EXPECT_EQ(net.list_inputs().size(), 10u);
  Symbol internals = net.internals();
  std::vector<std::string> outs = internals.list_outputs();
  EXPECT_EQ(outs[3], "fc1_output");
  EXPECT_NE(std::find(outs.begin(), outs.end(), "bn_output"), outs.end());
  EXPECT_EQ(std::find(outs.begin(), outs.end(), "bn_mean"), outs.end());  // hidden outputs stay hidden
  EXPECT_EQ(net.children().list_outputs(), (std::vector<std::string>{"fc2_output", "softmax_label"}));
  EXPECT_TRUE(Symbol::variable("x").children().outputs.empty());
}

TEST(Symbol, CreatedInputsCarryParamsAndInitializers) {
  Symbol net = mlp_with_bn();
  auto dict = net.attr_dict();
  EXPECT_EQ(dict["fc1_weight"]["num_hidden"], "8");
  EXPECT_EQ(dict["bn_moving_var"]["__init__"], "[\"one\", {}]");
  EXPECT_EQ(dict["bn_moving_mean"]["__init__"], "[\"zero\", {}]");
  std::string v;
  ASSERT_TRUE(net.internals().output(3).attr("num_hidden", &v));
  EXPECT_EQ(v, "8");
  EXPECT_FALSE(net.attr("no_such_key", &v));
}

TEST(Symbol, KeywordInputsAndErrors) {
  Symbol x = Symbol::variable("x"), w = Symbol::variable("w");
  Symbol fc = op_sym("FullyConnected", "fc", {w, x}, {{"num_hidden", "2"}, {"no_bias", "True"}}, {"weight", "data"});
  EXPECT_EQ(fc.list_arguments(), (std::vector<std::string>{"x", "w"}));
  EXPECT_NE(error_of([&] { op_sym("FullyConnected", "f", {x}, {{"num_hidden", "2"}}, {"dta"}); })
                .find("unknown input 'dta'; its inputs are data, weight, bias"),
            std::string::npos);
  Symbol two = Symbol::group({x, w});
  EXPECT_NE(error_of([&] { op_sym("relu", "r", {two}); }).find("must have exactly one output"), std::string::npos);
}

TEST(Symbol, AutomaticNamesCountPerHint) {
  Symbol x = Symbol::variable("x");
  Symbol a = op_sym("relu", "", {x});
  Symbol b = op_sym("relu", "", {x});
  EXPECT_EQ(a.name().substr(0, 4), "relu");
  EXPECT_NE(a.name(), b.name());
}

TEST(Symbol, ComposeSubstitutesVariablesAndSharesTheRest) {
  Symbol x = Symbol::variable("x");
  Symbol net = op_sym("relu", "r", {op_sym("_plus_scalar", "p", {x}, {{"scalar", "1"}})});
  Symbol y = Symbol::variable("y");
  Symbol composed = net.compose({y}, {"x"});
  EXPECT_EQ(composed.list_arguments(), std::vector<std::string>{"y"});
  EXPECT_EQ(net.list_arguments(), std::vector<std::string>{"x"});  // unchanged
  EXPECT_EQ(net.compose({y}, {}).list_arguments(), std::vector<std::string>{"y"});
  EXPECT_NE(error_of([&] { net.compose({y}, {"z"}); }).find("no input named 'z'"), std::string::npos);
  Symbol copy = net.copy();
  EXPECT_NE(copy.outputs[0].node, net.outputs[0].node);
  EXPECT_EQ(copy.list_outputs(), net.list_outputs());
}

TEST(Symbol, SetAttrRefusesParameters) {
  Symbol fc = op_sym("FullyConnected", "fc", {Symbol::variable("x")}, {{"num_hidden", "2"}});
  fc.set_attrs({{"ctx_group", "dev1"}});
  std::string v;
  ASSERT_TRUE(fc.attr("ctx_group", &v));
  EXPECT_EQ(v, "dev1");
  EXPECT_NE(error_of([&] { fc.set_attrs({{"num_hidden", "3"}}); }).find("is a parameter of operator FullyConnected"),
            std::string::npos);
}

TEST(Symbol, DeepChainWalksWithoutRecursion) {
  Symbol s = Symbol::variable("x");
  for (int i = 0; i < 100000; ++i) s = op_sym("relu", "r" + std::to_string(i), {s});
  EXPECT_EQ(s.topo_order().size(), 100001u);
  EXPECT_EQ(s.list_arguments(), std::vector<std::string>{"x"});
  s = Symbol();  // freeing the chain must not recurse once per node either
  Symbol deep = Symbol::variable("y");
  for (int i = 0; i < 1000000; ++i) deep = op_sym("relu", "d" + std::to_string(i), {deep});
  deep = Symbol();
  EXPECT_TRUE(deep.outputs.empty());
}

TEST(SymbolInfer, HugeShapesAndBadDTypesAreErrors) {
  Symbol x = Symbol::variable("x", {{kShapeAttr, "(4294967296, 4294967296, 2)"}});
  EXPECT_NE(error_of([&] { infer_shape(op_sym("relu", "r", {x}), {}, true); }).find("too many elements"),
            std::string::npos);
  Symbol y = Symbol::variable("y", {{kDTypeAttr, "99999999999"}});
  EXPECT_NE(error_of([&] { infer_type(op_sym("relu", "r2", {y}), {}, true); }).find("__dtype__ '99999999999'"),
            std::string::npos);
}

TEST(SymbolInfer, ShapesFlowToWeightsAndLabels) {
  ShapeInference r = infer_shape(mlp_with_bn(), {{"data", {4, 5}}}, false);
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.args[1], (Shape{8, 5}));   // fc1_weight
  EXPECT_EQ(r.args[3], (Shape{8}));      // bn_gamma
  EXPECT_EQ(r.args[7], (Shape{4}));      // softmax_label
  EXPECT_EQ(r.aux[1], (Shape{8}));
  EXPECT_EQ(r.outputs[0], (Shape{4, 3}));
}

TEST(SymbolInfer, PartialAndMissing) {
  Symbol net = mlp_with_bn();
  ShapeInference r = infer_shape(net, {}, true);
  EXPECT_FALSE(r.complete);
  EXPECT_TRUE(r.args[1].empty());
  EXPECT_NE(error_of([&] { infer_shape(net, {}, false); }).find("cannot infer the shapes of data"), std::string::npos);
  EXPECT_NE(error_of([&] { infer_shape(net, {{"dta", {1, 2}}}, false); }).find("'dta' is not an input"),
            std::string::npos);
}

TEST(SymbolInfer, IncompatibleShapesNameNodeAndShapes) {
  std::string e = error_of([&] { infer_shape(mlp_with_bn(), {{"data", {4, 5}}, {"fc1_weight", {8, 6}}}, false); });
  EXPECT_NE(e.find("Error in operator fc1 (FullyConnected)"), std::string::npos) << e;
  EXPECT_NE(e.find("(8, 5)"), std::string::npos) << e;
  EXPECT_NE(e.find("(8, 6)"), std::string::npos) << e;
}

TEST(SymbolInfer, ShapeAttributeAndTypes) {
  Symbol x = Symbol::variable("x", {{kShapeAttr, "(2, 3)"}, {kDTypeAttr, "float64"}});
  Symbol y = op_sym("relu", "r", {x});
  ShapeInference s = infer_shape(y, {}, false);
  EXPECT_EQ(s.outputs[0], (Shape{2, 3}));
  TypeInference t = infer_type(y, {}, false);
  EXPECT_EQ(t.outputs[0], static_cast<int>(DType::kFloat64));
  TypeInference u = infer_type(mlp_with_bn(), {{"data", 0}}, false);
  EXPECT_TRUE(u.complete);
  EXPECT_EQ(u.args[7], 0);
}

}  // namespace
}  // namespace minerva
