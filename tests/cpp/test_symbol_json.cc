// MXNet's symbol JSON (core/graph/symbol_json.h): round trips, files written by MXNet 1.9.1 and
// by MXNet 0.x, and one test per kind of bad input. The MXNet documents below were produced with
// the 1.9.1 oracle (mx.sym.*.tojson() and mx.sym.load_json(...).tojson()); their expected
// listings are what the oracle printed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "core/base/json_reader.h"
#include "core/graph/symbol_json.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

namespace fs = std::filesystem;
using testing::error_of;
using Strings = std::vector<std::string>;

// data(shape=(4,5)) -> FullyConnected(8, weight with lr_mult and Xavier init) -> BatchNorm ->
// Activation(relu, ctx_group dev1) -> FullyConnected(3) -> SoftmaxOutput, as MXNet 1.9.1 writes it
// (reflowed to one node per line).
const char* const kMXNetMlp = R"js({"nodes":[
{"op":"null","name":"data","attrs":{"__shape__":"(4, 5)"},"inputs":[]},
{"op":"null","name":"fc1_weight","attrs":{"__init__":"[\"xavier\", {\"rnd_type\": \"uniform\", \"factor_type\": \"avg\", \"magnitude\": 3}]","__lr_mult__":"2.0"},"inputs":[]},
{"op":"null","name":"fc1_bias","attrs":{"num_hidden":"8"},"inputs":[]},
{"op":"FullyConnected","name":"fc1","attrs":{"num_hidden":"8"},"inputs":[[0,0,0],[1,0,0],[2,0,0]]},
{"op":"null","name":"bn1_gamma","attrs":{"eps":"0.001","fix_gamma":"False"},"inputs":[]},
{"op":"null","name":"bn1_beta","attrs":{"eps":"0.001","fix_gamma":"False"},"inputs":[]},
{"op":"null","name":"bn1_moving_mean","attrs":{"__init__":"[\"zero\", {}]","eps":"0.001","fix_gamma":"False"},"inputs":[]},
{"op":"null","name":"bn1_moving_var","attrs":{"__init__":"[\"one\", {}]","eps":"0.001","fix_gamma":"False"},"inputs":[]},
{"op":"BatchNorm","name":"bn1","attrs":{"eps":"0.001","fix_gamma":"False"},"inputs":[[3,0,0],[4,0,0],[5,0,0],[6,0,1],[7,0,1]]},
{"op":"Activation","name":"relu1","attrs":{"__ctx_group__":"dev1","act_type":"relu"},"inputs":[[8,0,0]]},
{"op":"null","name":"fc2_weight","attrs":{"num_hidden":"3"},"inputs":[]},
{"op":"null","name":"fc2_bias","attrs":{"num_hidden":"3"},"inputs":[]},
{"op":"FullyConnected","name":"fc2","attrs":{"num_hidden":"3"},"inputs":[[9,0,0],[10,0,0],[11,0,0]]},
{"op":"null","name":"softmax_label","inputs":[]},
{"op":"SoftmaxOutput","name":"softmax","inputs":[[12,0,0],[13,0,0]]}],
"arg_nodes":[0,1,2,4,5,6,7,10,11,13],
"node_row_ptr":[0,1,2,3,4,5,6,7,8,11,12,13,14,15,16,17],
"heads":[[14,0,0]],
"attrs":{"mxnet_version":["int",10901]}})js";

const char* const kXavier = R"js(["xavier", {"rnd_type": "uniform", "factor_type": "avg", "magnitude": 3}])js";

// An MXNet 0.x file: "param"/"attr" per node, [node, index] entries, no aux inputs, no version.
const char* const kLegacy = R"js({"nodes":[
{"op":"null","param":{},"name":"data","inputs":[],"backward_source_id":-1},
{"op":"null","param":{},"name":"fc1_weight","inputs":[],"backward_source_id":-1,"attr":{"lr_mult":"0.5"}},
{"op":"null","param":{},"name":"fc1_bias","inputs":[],"backward_source_id":-1},
{"op":"FullyConnected","param":{"no_bias":"False","num_hidden":"4"},"name":"fc1","inputs":[[0,0],[1,0],[2,0]],"backward_source_id":-1,"attr":{"ctx_group":"stage1"}},
{"op":"null","param":{},"name":"bn_gamma","inputs":[],"backward_source_id":-1},
{"op":"null","param":{},"name":"bn_beta","inputs":[],"backward_source_id":-1},
{"op":"BatchNorm","param":{"eps":"0.001","fix_gamma":"True","momentum":"0.9","use_global_stats":"False"},"name":"bn","inputs":[[3,0],[4,0],[5,0]],"backward_source_id":-1},
{"op":"Activation","param":{"act_type":"relu"},"name":"relu","inputs":[[6,0]],"backward_source_id":-1}
],"arg_nodes":[0,1,2,4,5],"heads":[[7,0]]})js";

// What MXNet 1.9.1 writes after loading kLegacy (its upgrader adds the moving_mean/var inputs).
const char* const kLegacyResaved = R"js({"nodes":[
{"op":"null","name":"data","inputs":[]},
{"op":"null","name":"fc1_weight","attrs":{"__lr_mult__":"0.5"},"inputs":[]},
{"op":"null","name":"fc1_bias","inputs":[]},
{"op":"FullyConnected","name":"fc1","attrs":{"__ctx_group__":"stage1","no_bias":"False","num_hidden":"4"},"inputs":[[0,0,0],[1,0,0],[2,0,0]]},
{"op":"null","name":"bn_gamma","inputs":[]},
{"op":"null","name":"bn_beta","inputs":[]},
{"op":"null","name":"bn_moving_mean","attrs":{"__init__":"[\"zero\", {}]","eps":"0.001","fix_gamma":"True","momentum":"0.9","use_global_stats":"False"},"inputs":[]},
{"op":"null","name":"bn_moving_var","attrs":{"__init__":"[\"one\", {}]","eps":"0.001","fix_gamma":"True","momentum":"0.9","use_global_stats":"False"},"inputs":[]},
{"op":"BatchNorm","name":"bn","attrs":{"eps":"0.001","fix_gamma":"True","momentum":"0.9","use_global_stats":"False"},"inputs":[[3,0,0],[4,0,0],[5,0,0],[6,0,0],[7,0,0]]},
{"op":"Activation","name":"relu","attrs":{"act_type":"relu"},"inputs":[[8,0,0]]}],
"arg_nodes":[0,1,2,4,5,6,7],"node_row_ptr":[0,1,2,3,4,5,6,7,8,11,12],"heads":[[9,0,0]],
"attrs":{"mxnet_version":["int",10901]}})js";

Symbol make(const std::string& op_name, const KeyValues& params, const std::string& name,
            const std::vector<Symbol>& args, const Strings& keys = {}, const StrMap& user = {}) {
  const OpDef& op = OpRegistry::get().lookup(op_name);
  return Symbol::create(op, op.parse(params), name, args, keys, user);
}

// The graph of kMXNetMlp, composed in Minerva.
Symbol mlp() {
  Symbol data = Symbol::variable("data", {{"__shape__", "(4, 5)"}});
  Symbol w = Symbol::variable("fc1_weight", {{"__init__", kXavier}, {"__lr_mult__", "2.0"}});
  Symbol fc1 = make("FullyConnected", {{"num_hidden", "8"}}, "fc1", {data, w}, {"data", "weight"});
  Symbol bn = make("BatchNorm", {{"fix_gamma", "False"}, {"eps", "0.001"}}, "bn1", {fc1});
  Symbol act = make("Activation", {{"act_type", "relu"}}, "relu1", {bn}, {}, {{"__ctx_group__", "dev1"}});
  Symbol fc2 = make("FullyConnected", {{"num_hidden", "3"}}, "fc2", {act});
  return make("SoftmaxOutput", {}, "softmax", {fc2});
}

// A JSON value written back with sorted object keys, so two documents compare as trees. Input
// versions are left out with `versions` false (MXNet's loader ignores them).
std::string canonical(const JsonValue& v, bool versions = true, bool in_inputs = false) {
  switch (v.kind()) {
    case JsonValue::Kind::kArray: {
      size_t n = v.size();
      if (in_inputs && !versions && n == 3 && v[0].is_number()) n = 2;
      std::string s = "[";
      for (size_t i = 0; i < n; ++i)
        s += (i ? "," : "") + canonical(v[i], versions, in_inputs && !v[i].is_number());
      return s + "]";
    }
    case JsonValue::Kind::kObject: {
      std::map<std::string, std::string> m;
      for (size_t i = 0; i < v.size(); ++i) m[v.key(i)] = canonical(v[i], versions, v.key(i) == "inputs");
      std::string s = "{";
      for (const auto& [k, x] : m) s += (s.size() > 1 ? "," : "") + ("\"" + k + "\":") + x;
      return s + "}";
    }
    case JsonValue::Kind::kString: return "\"" + v.str() + "\"";
    case JsonValue::Kind::kNumber: return v.number_text();
    case JsonValue::Kind::kBool: return v.boolean() ? "true" : "false";
    case JsonValue::Kind::kNull: return "null";
  }
  return "";
}

std::string canonical(const std::string& json, bool versions = true) { return canonical(json_parse(json), versions); }

const Node& node_named(const Symbol& s, const std::string& name) {
  for (const NodePtr& n : s.topo_order())
    if (n->name == name) return *n;
  throw std::runtime_error("no node " + name);
}

StrMap given(const Node& n) { return StrMap(n.attrs->given.begin(), n.attrs->given.end()); }

// ---- writing and round trips

TEST(SymbolJson, WritesWhatMXNetWrites) {
  std::string json = symbol_to_json(mlp());
  EXPECT_EQ(canonical(json), canonical(kMXNetMlp)) << json;
}

TEST(SymbolJson, OutputIsIndentedOneNodePerLine) {
  std::string json = symbol_to_json(Symbol::variable("x"));
  EXPECT_EQ(json,
            "{\n  \"nodes\": [\n    {\"op\":\"null\",\"name\":\"x\",\"inputs\":[]}\n  ],\n"
            "  \"arg_nodes\": [0],\n  \"node_row_ptr\": [0,1],\n  \"heads\": [[0,0,0]],\n"
            "  \"attrs\": {\"mxnet_version\": [\"int\", 10901]}\n}");
}

TEST(SymbolJson, RoundTripKeepsListingsAndAttributes) {
  Symbol a = mlp();
  Symbol b = symbol_from_json(symbol_to_json(a));
  EXPECT_EQ(b.list_arguments(), a.list_arguments());
  EXPECT_EQ(b.list_outputs(), a.list_outputs());
  EXPECT_EQ(b.list_auxiliary_states(), a.list_auxiliary_states());
  EXPECT_EQ(b.attr_dict(), a.attr_dict());
  EXPECT_EQ(symbol_to_json(b), symbol_to_json(a));
  const Node& relu = node_named(b, "relu1");
  EXPECT_EQ(relu.user_attrs, (StrMap{{"__ctx_group__", "dev1"}}));
  EXPECT_EQ(given(relu), (StrMap{{"act_type", "relu"}}));
  EXPECT_EQ(node_named(b, "fc1_weight").user_attrs.at("__lr_mult__"), "2.0");
}

TEST(SymbolJson, RoundTripKeepsSharedNodesShared) {
  Symbol x = Symbol::variable("x");
  Symbol p = make("elemwise_add", {}, "p", {x, x});
  Symbol q = make("elemwise_mul", {}, "q", {p, p});
  Symbol r = symbol_from_json(symbol_to_json(q));
  const Node& qn = *r.outputs[0].node;
  ASSERT_EQ(qn.inputs.size(), 2u);
  EXPECT_EQ(qn.inputs[0].node, qn.inputs[1].node);
  const Node& pn = *qn.inputs[0].node;
  EXPECT_EQ(pn.inputs[0].node, pn.inputs[1].node);
  EXPECT_EQ(r.list_arguments(), Strings{"x"});
  EXPECT_EQ(r.topo_order().size(), 3u);
}

TEST(SymbolJson, GroupsAndHiddenOutputs) {
  Symbol fc = make("FullyConnected", {{"num_hidden", "3"}}, "fc1", {Symbol::variable("data")});
  Symbol bn = make("BatchNorm", {{"fix_gamma", "False"}}, "bn", {fc});
  Symbol g = symbol_from_json(symbol_to_json(Symbol::group({bn, fc})));
  EXPECT_EQ(g.list_outputs(), (Strings{"bn_output", "fc1_output"}));  // MXNet 1.9.1's listing
  EXPECT_EQ(g.list_arguments(), (Strings{"data", "fc1_weight", "fc1_bias", "bn_gamma", "bn_beta"}));
  EXPECT_EQ(g.list_auxiliary_states(), (Strings{"bn_moving_mean", "bn_moving_var"}));
  // Heads may name a hidden output (BatchNorm's mean and var), as get_internals does.
  Symbol stats;
  stats.outputs = {NodeEntry{bn.outputs[0].node, 1}, NodeEntry{bn.outputs[0].node, 2}};
  Symbol s = symbol_from_json(symbol_to_json(stats));
  EXPECT_EQ(s.list_outputs(), (Strings{"bn_mean", "bn_var"}));
}

TEST(SymbolJson, WritesThePrimaryOperatorName) {
  // MXNet 1.9.1 reads "_Plus" and writes it back as "elemwise_add".
  Symbol s = symbol_from_json(R"({"nodes":[{"op":"null","name":"x","inputs":[]},
      {"op":"_Plus","name":"p","inputs":[[0,0,0],[0,0,0]]}],"arg_nodes":[0],"heads":[[1,0,0]],
      "attrs":{"mxnet_version":["int",10901]}})");
  EXPECT_EQ(canonical(symbol_to_json(s)),
            canonical(R"({"nodes":[{"op":"null","name":"x","inputs":[]},{"op":"elemwise_add","name":"p",
                "inputs":[[0,0,0],[0,0,0]]}],"arg_nodes":[0],"node_row_ptr":[0,1,2],"heads":[[1,0,0]],
                "attrs":{"mxnet_version":["int",10901]}})"));
}

// ---- reading files written by MXNet

TEST(SymbolJson, ReadsMXNetJson) {
  Symbol s = symbol_from_json(kMXNetMlp);
  EXPECT_EQ(s.list_arguments(), (Strings{"data", "fc1_weight", "fc1_bias", "bn1_gamma", "bn1_beta", "fc2_weight",
                                         "fc2_bias", "softmax_label"}));
  EXPECT_EQ(s.list_outputs(), Strings{"softmax_output"});
  EXPECT_EQ(s.list_auxiliary_states(), (Strings{"bn1_moving_mean", "bn1_moving_var"}));
  EXPECT_EQ(node_named(s, "data").user_attrs, (StrMap{{"__shape__", "(4, 5)"}}));
  EXPECT_EQ(node_named(s, "fc1_weight").user_attrs, (StrMap{{"__init__", kXavier}, {"__lr_mult__", "2.0"}}));
  // MXNet copies the consumer's parameters onto the variables it creates; they stay attributes.
  EXPECT_EQ(node_named(s, "fc1_bias").user_attrs, (StrMap{{"num_hidden", "8"}}));
  const Node& bn = node_named(s, "bn1");
  EXPECT_EQ(bn.op->name, "BatchNorm");
  EXPECT_EQ(given(bn), (StrMap{{"eps", "0.001"}, {"fix_gamma", "False"}}));
  EXPECT_TRUE(bn.user_attrs.empty());
  EXPECT_DOUBLE_EQ(bn.attrs->get_float("eps"), 0.001);
  const Node& relu = node_named(s, "relu1");
  EXPECT_EQ(relu.user_attrs, (StrMap{{"__ctx_group__", "dev1"}}));
  EXPECT_EQ(relu.attrs->get_str("act_type"), "relu");
  // Writing it again gives MXNet's document back.
  EXPECT_EQ(canonical(symbol_to_json(s)), canonical(kMXNetMlp));
}

TEST(SymbolJson, ReadsLegacyFormat) {
  Symbol s = symbol_from_json(kLegacy);
  EXPECT_EQ(s.list_arguments(), (Strings{"data", "fc1_weight", "fc1_bias", "bn_gamma", "bn_beta"}));
  EXPECT_EQ(s.list_outputs(), Strings{"relu_output"});
  EXPECT_EQ(s.list_auxiliary_states(), (Strings{"bn_moving_mean", "bn_moving_var"}));
  // 0.x's plain user keys become the hidden "__key__" form, as MXNet's upgrader does.
  EXPECT_EQ(node_named(s, "fc1_weight").user_attrs, (StrMap{{"__lr_mult__", "0.5"}}));
  const Node& fc1 = node_named(s, "fc1");
  EXPECT_EQ(fc1.user_attrs, (StrMap{{"__ctx_group__", "stage1"}}));
  EXPECT_EQ(given(fc1), (StrMap{{"no_bias", "False"}, {"num_hidden", "4"}}));
  // Ignoring input versions (MXNet's upgrader leaves the added aux inputs at version 0).
  EXPECT_EQ(canonical(symbol_to_json(s), false), canonical(kLegacyResaved, false));
}

TEST(SymbolJson, PlainUserKeysInCurrentFiles) {
  // In a 1.x file a plain "ctx_group" is a user attribute kept as written; "lr_mult" likewise.
  const char* doc = R"({"nodes":[{"op":"null","name":"x","inputs":[]},{"op":"Activation","name":"a",
      "attrs":{"act_type":"relu","ctx_group":"d1","lr_mult":"2"},"inputs":[[0,0,0]]}],"heads":[[1,0,0]]%s})";
  char buf[512];
  std::snprintf(buf, sizeof buf, doc, R"(,"attrs":{"mxnet_version":["int",10901]})");
  EXPECT_EQ(node_named(symbol_from_json(buf), "a").user_attrs, (StrMap{{"ctx_group", "d1"}, {"lr_mult", "2"}}));
  // Without a version the file is 0.8-era and MXNet renames them.
  std::snprintf(buf, sizeof buf, doc, "");
  EXPECT_EQ(node_named(symbol_from_json(buf), "a").user_attrs,
            (StrMap{{"__ctx_group__", "d1"}, {"__lr_mult__", "2"}}));
}

// ---- files

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("minerva_symjson_" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

TEST(SymbolJson, SaveAndLoadFile) {
  TempDir dir;
  std::string path = (dir.path / "net-symbol.json").string();
  symbol_save_file(mlp(), path);
  Symbol s = symbol_load_file(path);
  EXPECT_EQ(s.list_arguments(), mlp().list_arguments());
  EXPECT_EQ(symbol_to_json(s), symbol_to_json(mlp()));
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, symbol_to_json(mlp()));
}

TEST(SymbolJson, FileErrorsNameThePath) {
  TempDir dir;
  std::string missing = (dir.path / "nope.json").string();
  try {
    symbol_load_file(missing);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIO);
    EXPECT_NE(std::string(e.what()).find("'" + missing + "'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
  }
  std::string msg = error_of([&] { symbol_load_file(dir.path.string()); });
  EXPECT_NE(msg.find(dir.path.string()), std::string::npos) << msg;
  std::string bad = (dir.path / "bad.json").string();
  std::ofstream(bad) << "{\"nodes\": [";
  msg = error_of([&] { symbol_load_file(bad); });
  EXPECT_NE(msg.find("symbol file '" + bad + "': symbol JSON: invalid JSON"), std::string::npos) << msg;
  msg = error_of([&] { symbol_save_file(mlp(), (dir.path / "no" / "dir.json").string()); });
  EXPECT_NE(msg.find("no/dir.json"), std::string::npos) << msg;
}

// ---- bad input: an error naming the problem, never a crash

// A 1.x document from node and head lists.
std::string doc(const std::string& nodes, const std::string& heads) {
  return "{\"nodes\":[" + nodes + "],\"heads\":" + heads + ",\"attrs\":{\"mxnet_version\":[\"int\",10901]}}";
}
const std::string kVarX = R"({"op":"null","name":"x","inputs":[]})";

std::string load_error(const std::string& json, ErrorKind kind = ErrorKind::kValue) {
  try {
    symbol_from_json(json);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error for " << json;
  return "";
}

#define EXPECT_HAS(msg, text) EXPECT_NE((msg).find(text), std::string::npos) << (msg)

TEST(SymbolJson, MalformedOrTruncatedJson) {
  std::string full = kMXNetMlp;
  for (size_t cut : {size_t{0}, size_t{1}, full.size() / 3, full.size() / 2, full.size() - 1}) {
    std::string msg = load_error(full.substr(0, cut));
    EXPECT_HAS(msg, "symbol JSON: invalid JSON at byte");
  }
  EXPECT_HAS(load_error(full + "x"), "trailing characters");
}

TEST(SymbolJson, DocumentShape) {
  EXPECT_HAS(load_error("[]"), "symbol JSON: the document must be an object with \"nodes\" and \"heads\", got an array");
  EXPECT_HAS(load_error(R"({"heads":[[0,0,0]]})"), "the document has no \"nodes\" list");
  EXPECT_HAS(load_error(R"({"nodes":{},"heads":[]})"), "\"nodes\" must be a list, got an object");
  EXPECT_HAS(load_error("{\"nodes\":[" + kVarX + "]}"), "no \"heads\" list");
  EXPECT_HAS(load_error(doc(kVarX, "[]")), "\"heads\" is empty");
  EXPECT_HAS(load_error(doc(kVarX, "{}")), "\"heads\" must be a list, got an object");
  EXPECT_HAS(load_error(doc("3", "[]")), "node 0 must be an object, got a number");
  EXPECT_HAS(load_error(doc(R"({"name":"x","inputs":[]})", "[[0,0,0]]")), "node 0 needs a string \"op\"");
  EXPECT_HAS(load_error(doc(R"({"op":"null","inputs":[]})", "[[0,0,0]]")), "node 0 needs a string \"name\"");
  EXPECT_HAS(load_error(R"({"nodes":[],"heads":[],"attrs":{"mxnet_version":10901}})"),
             "\"mxnet_version\" must look like [\"int\", 10901]");
}

TEST(SymbolJson, InputsMustPointBackwards) {
  std::string self = load_error(doc(kVarX + R"(,{"op":"relu","name":"r","inputs":[[1,0,0]]})", "[[1,0,0]]"));
  EXPECT_HAS(self, "symbol JSON: node 1 'r' (relu): input 0 refers to node 1, which does not come before it");
  EXPECT_HAS(self, "cycle");
  std::string later = load_error(doc(kVarX + R"(,{"op":"relu","name":"r","inputs":[[2,0,0]]},)" +
                                         R"({"op":"relu","name":"s","inputs":[[1,0,0]]})",
                                     "[[2,0,0]]"));
  EXPECT_HAS(later, "node 1 'r' (relu): input 0 refers to node 2, which does not come before it");
  EXPECT_HAS(load_error(doc(kVarX + R"(,{"op":"relu","name":"r","inputs":[[7,0,0]]})", "[[1,0,0]]")),
             "node 1 'r' (relu): input 0 refers to node 7, out of range (the document has 2 nodes)");
  EXPECT_HAS(load_error(doc(kVarX + R"(,{"op":"relu","name":"r","inputs":[[-1,0,0]]})", "[[1,0,0]]")),
             "refers to node -1, out of range");
}

TEST(SymbolJson, OutputIndexOutOfRange) {
  EXPECT_HAS(load_error(doc(kVarX + R"(,{"op":"relu","name":"r","inputs":[[0,1,0]]})", "[[1,0,0]]")),
             "node 1 'r' (relu): input 0 asks for output 1 of node 0 'x' (variable), which has 1 output(s)");
  // BatchNorm has 3 outputs, hidden ones included: 2 is fine, 3 is not.
  std::string bn = kVarX + R"(,{"op":"BatchNorm","name":"bn","inputs":[[0,0,0],[0,0,0],[0,0,0],[0,0,0],[0,0,0]]})";
  EXPECT_EQ(symbol_from_json(doc(bn, "[[1,2,0]]")).list_outputs(), Strings{"bn_var"});
  EXPECT_HAS(load_error(doc(bn + R"(,{"op":"relu","name":"r","inputs":[[1,3,0]]})", "[[2,0,0]]")),
             "input 0 asks for output 3 of node 1 'bn' (BatchNorm), which has 3 output(s)");
}

TEST(SymbolJson, BadEntries) {
  EXPECT_HAS(load_error(doc(kVarX + R"(,{"op":"relu","name":"r","inputs":[[0]]})", "[[1,0,0]]")),
             "node 1 'r' (relu): input 0 must be [node, output, version] (or [node, output]), got a list of 1");
  EXPECT_HAS(load_error(doc(kVarX + R"(,{"op":"relu","name":"r","inputs":[[0.5,0,0]]})", "[[1,0,0]]")),
             "input 0: the node index must be an integer, got 0.5");
  EXPECT_HAS(load_error(doc(kVarX + R"(,{"op":"relu","name":"r","inputs":[[0,"0",0]]})", "[[1,0,0]]")),
             "input 0: the output index must be an integer, got a string");
  EXPECT_HAS(load_error(doc(kVarX + R"(,{"op":"relu","name":"r","inputs":{}})", "[[1,0,0]]")),
             "node 1 'r' (relu): \"inputs\" must be a list, got an object");
}

TEST(SymbolJson, UnknownOperator) {
  std::string msg = load_error(doc(kVarX + R"(,{"op":"FullyConected","name":"fc","inputs":[[0,0,0]]})", "[[1,0,0]]"),
                               ErrorKind::kNotFound);
  EXPECT_HAS(msg, "symbol JSON: node 1 'fc' (FullyConected): unknown operator 'FullyConected'");
  EXPECT_HAS(msg, "'FullyConnected'");
}

TEST(SymbolJson, BadParameters) {
  std::string unknown = load_error(
      doc(kVarX + R"(,{"op":"Activation","name":"a","attrs":{"act_type":"relu","zzz":"1"},"inputs":[[0,0,0]]})",
          "[[1,0,0]]"));
  EXPECT_HAS(unknown, "node 1 'a' (Activation): ");
  EXPECT_HAS(unknown, "unknown parameter 'zzz'");
  std::string bad_value = load_error(
      doc(kVarX + R"(,{"op":"Activation","name":"a","attrs":{"act_type":"bogus"},"inputs":[[0,0,0]]})", "[[1,0,0]]"));
  EXPECT_HAS(bad_value, "node 1 'a' (Activation): ");
  EXPECT_HAS(bad_value, "'act_type'");
  EXPECT_HAS(load_error(doc(kVarX + R"(,{"op":"Activation","name":"a","attrs":{"act_type":1},"inputs":[[0,0,0]]})",
                            "[[1,0,0]]")),
             "node 1 'a' (Activation): \"attrs\"['act_type'] must be a string, got a number");
  EXPECT_HAS(load_error(doc(R"({"op":"null","name":"x","attrs":[],"inputs":[]})", "[[0,0,0]]")),
             "node 0 'x' (variable): \"attrs\" must be an object, got an array");
}

TEST(SymbolJson, WrongInputCount) {
  EXPECT_HAS(load_error(doc(kVarX + R"(,{"op":"FullyConnected","name":"fc","attrs":{"num_hidden":"2"},)" +
                                R"("inputs":[[0,0,0]]})",
                            "[[1,0,0]]")),
             "node 1 'fc' (FullyConnected): expects 3 input(s) (data, weight, bias), got 1");
  EXPECT_HAS(load_error(doc(R"({"op":"null","name":"x","inputs":[[0,0,0]]})", "[[0,0,0]]")),
             "node 0 'x' (variable): a variable cannot have inputs, got 1");
  // A variadic operator's count must match its inputs; a forged huge count is an error, not an
  // attempt to allocate a name for each.
  std::string add_n = kVarX + R"(,{"op":"add_n","name":"s","attrs":{"num_args":"%s"},"inputs":[[0,0,0],[0,0,0]]})";
  char buf[256];
  std::snprintf(buf, sizeof buf, add_n.c_str(), "2");
  EXPECT_EQ(symbol_from_json(doc(buf, "[[1,0,0]]")).outputs[0].node->inputs.size(), 2u);
  std::snprintf(buf, sizeof buf, add_n.c_str(), "1000000000");
  EXPECT_HAS(load_error(doc(buf, "[[1,0,0]]")),
             "node 1 's' (add_n): num_args = 1000000000, but the node lists 2 input(s)");
}

TEST(SymbolJson, HeadsOutOfRange) {
  EXPECT_HAS(load_error(doc(kVarX, "[[5,0,0]]")), "symbol JSON: \"heads\"[0] refers to node 5, out of range");
  EXPECT_HAS(load_error(doc(kVarX, "[[0,0,0],[0,2,0]]")),
             "\"heads\"[1] asks for output 2 of node 0 'x' (variable), which has 1 output(s)");
  EXPECT_HAS(load_error(doc(kVarX, "[0]")), "\"heads\"[0] must be [node, output, version]");
}

TEST(SymbolJson, ArgNodesAreChecked) {
  std::string nodes = kVarX + R"(,{"op":"relu","name":"r","inputs":[[0,0,0]]})";
  std::string base = "{\"nodes\":[" + nodes + "],\"heads\":[[1,0,0]],\"arg_nodes\":";
  EXPECT_HAS(load_error(base + "[0,1]}"), "\"arg_nodes\"[1] = 1 names node 'r' (relu), which is not a variable");
  EXPECT_HAS(load_error(base + "[4]}"), "\"arg_nodes\"[0] = 4 is out of range (2 nodes)");
  EXPECT_HAS(load_error(base + "{}}"), "\"arg_nodes\" must be a list");
  EXPECT_EQ(symbol_from_json(base + "[0]}").list_arguments(), Strings{"x"});
}

}  // namespace
}  // namespace minerva
