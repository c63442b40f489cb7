#include "core/graph/symbol_json.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <unordered_map>

#include "core/base/json.h"
#include "core/base/json_reader.h"
#include "core/io/atomic_file.h"

namespace minerva {

// Note [Parameters and user attributes in symbol JSON]
// MXNet keeps one string dict per node ("attrs"), holding both the operator's parameters and
// user attributes; Minerva keeps them apart (Node::attrs->given and Node::user_attrs). Writing
// merges them. Reading splits them: a key the operator declares is a parameter; a key starting
// with "__" (__ctx_group__, __lr_mult__, __init__...) or one of MXNet's plain hidden keys
// (kPlainUserKeys) is a user attribute; anything else goes to OpDef::parse, which rejects it as
// an unknown parameter, as MXNet does ("Cannot find argument"). On a variable every key is a user
// attribute: MXNet copies the consumer's parameters onto the variables it creates (fc1_weight
// carries num_hidden), and we keep those as they are, like MXNet's attr_dict does.

namespace {

constexpr int kMXNetVersion = 10901;  // what MXNet 1.9.1 writes; load_json upgrades older files
constexpr int kFirstNnvmVersion = 900;  // MXNet 0.9.0: files before it lack aux inputs and "attrs"
constexpr int kUnversioned = 800;       // what MXNet assumes for a file without "mxnet_version"

// User attributes MXNet 0.x wrote without underscores; its loader renames them to "__key__".
const char* const kPlainUserKeys[] = {"ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage"};

bool is_plain_user_key(const std::string& key) {
  for (const char* k : kPlainUserKeys)
    if (key == k) return true;
  return false;
}

bool declares_param(const OpDef& op, const std::string& key) {
  for (const ParamField& f : op.params)
    if (f.name == key) return true;
  return false;
}

// ---- writing -----------------------------------------------------------------------------------

void write_entry(JsonWriter* w, int node, int index, int version) {
  w->begin_array().num(node).num(index).num(version).end_array();
}

std::string graph_json(const Symbol& sym, bool top_level);

std::string node_json(const Node& n, const std::unordered_map<const Node*, int>& index_of,
                      std::unordered_map<const Node*, int>* mutation_count) {
  // MXNet writes attrs sorted by key (a std::map); parameters win over a same-named user
  // attribute, as in Symbol::list_attr.
  StrMap attrs = n.user_attrs;
  if (n.attrs)
    for (const auto& [k, v] : n.attrs->given) attrs[k] = v;
  JsonWriter w;
  w.begin_object();
  w.key("op").str(n.op ? n.op->name : "null");
  w.key("name").str(n.name);
  if (!attrs.empty()) {
    w.key("attrs").begin_object();
    for (const auto& [k, v] : attrs) w.key(k).str(v);
    w.end_object();
  }
  // An input the operator writes in place gets the variable's next version, as MXNet numbers
  // them (aux states read [6, 0, 1]); every other input is version 0.
  std::vector<int> mutated = n.mutated_inputs();
  w.key("inputs").begin_array();
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const Node* src = n.inputs[i].node.get();
    int version = 0;
    for (int m : mutated)
      if (m == static_cast<int>(i) && src->is_variable()) version = ++(*mutation_count)[src];
    write_entry(&w, index_of.at(src), n.inputs[i].index, version);
  }
  w.end_array();
  w.end_object();
  std::string out = w.result();
  if (n.attrs && !n.attrs->subgraphs.empty()) {
    // MXNet 1.9.1 writes a control-flow node's graphs in "subgraphs", each a symbol document
    // without the top-level "attrs".
    std::string graphs = ", \"subgraphs\": [";
    for (size_t i = 0; i < n.attrs->subgraphs.size(); ++i)
      graphs += (i ? ", " : "") + graph_json(*n.attrs->subgraphs[i], false);
    out.insert(out.size() - 1, graphs + "]");
  }
  return out;
}

template <typename Int>
std::string int_list_json(const std::vector<Int>& v) {
  JsonWriter w;
  w.begin_array();
  for (Int x : v) w.num(static_cast<long long>(x));
  w.end_array();
  return w.result();
}

std::string graph_json(const Symbol& sym, bool top_level) {
  std::vector<NodePtr> order = sym.topo_order();
  std::unordered_map<const Node*, int> index_of;
  for (size_t i = 0; i < order.size(); ++i) index_of[order[i].get()] = static_cast<int>(i);

  std::unordered_map<const Node*, int> mutation_count;
  std::vector<int> arg_nodes;
  std::vector<long long> row_ptr{0};
  // One node per line, like MXNet's indented output, so saved files read and diff well.
  std::string out = "{\n  \"nodes\": [";
  for (size_t i = 0; i < order.size(); ++i) {
    out += i ? ",\n    " : "\n    ";
    out += node_json(*order[i], index_of, &mutation_count);
    if (order[i]->is_variable()) arg_nodes.push_back(static_cast<int>(i));
    row_ptr.push_back(row_ptr.back() + order[i]->num_outputs());
  }
  out += "\n  ],\n  \"arg_nodes\": " + int_list_json(arg_nodes);
  out += ",\n  \"node_row_ptr\": " + int_list_json(row_ptr);
  JsonWriter heads;
  heads.begin_array();
  for (const NodeEntry& e : sym.outputs) write_entry(&heads, index_of.at(e.node.get()), e.index, 0);
  heads.end_array();
  out += ",\n  \"heads\": " + heads.result();
  if (top_level) out += ",\n  \"attrs\": {\"mxnet_version\": [\"int\", " + std::to_string(kMXNetVersion) + "]}";
  return out + "\n}";
}

}  // namespace

std::string symbol_to_json(const Symbol& sym) { return graph_json(sym, true); }

// ---- reading -----------------------------------------------------------------------------------

namespace {

[[noreturn]] void fail(const std::string& what) { MV_THROW(kValue) << "symbol JSON: " << what; }

int64_t int_of(const JsonValue& v, const std::string& what) {
  int64_t x = 0;
  if (!v.to_int64(&x))
    fail(what + " must be an integer, got " + (v.is_number() ? v.number_text() : std::string(v.kind_name())) +
         " (at byte " + std::to_string(v.offset()) + ")");
  return x;
}

class SymbolReader {
 public:
  explicit SymbolReader(const JsonValue& root, int depth = 0) : root_(root), depth_(depth) {}

  // A subgraph document has no version of its own: it is read as its enclosing document.
  Symbol read(const bool* inherited_legacy = nullptr) {
    if (!root_.is_object()) fail(std::string("the document must be an object with \"nodes\" and \"heads\", got ") +
                                 root_.kind_name());
    legacy_ = inherited_legacy ? *inherited_legacy : read_version() < kFirstNnvmVersion;
    const JsonValue* nodes = root_.find("nodes");
    if (!nodes) fail("the document has no \"nodes\" list");
    if (!nodes->is_array()) fail(std::string("\"nodes\" must be a list, got ") + nodes->kind_name());
    total_ = nodes->size();
    for (size_t i = 0; i < total_; ++i) read_node(i, (*nodes)[i]);
    check_arg_nodes();
    return read_heads();
  }

 private:
  // ["int", 10901] in the top-level "attrs"; MXNet treats a file without it as 0.8.0.
  int64_t read_version() const {
    const JsonValue* attrs = root_.find("attrs");
    if (!attrs) return kUnversioned;
    if (!attrs->is_object()) fail(std::string("the top-level \"attrs\" must be an object, got ") + attrs->kind_name());
    const JsonValue* v = attrs->find("mxnet_version");
    if (!v) return kUnversioned;
    if (!v->is_array() || v->size() != 2 || !(*v)[0].is_string())
      fail("\"mxnet_version\" must look like [\"int\", 10901]");
    return int_of((*v)[1], "\"mxnet_version\"");
  }

  // Reads one [node, output(, version)] entry whose node must be below `limit`.
  NodeEntry read_entry(const JsonValue& e, size_t limit, const std::string& what, bool is_input) const {
    if (!e.is_array() || (e.size() != 2 && e.size() != 3))
      fail(what + " must be [node, output, version] (or [node, output]), got " +
           (e.is_array() ? "a list of " + std::to_string(e.size()) : std::string(e.kind_name())));
    int64_t node = int_of(e[0], what + ": the node index");
    int64_t index = int_of(e[1], what + ": the output index");
    if (e.size() == 3) int_of(e[2], what + ": the version");
    if (node < 0 || static_cast<size_t>(node) >= limit) {
      if (is_input && node >= 0 && static_cast<size_t>(node) < total_)
        fail(what + " refers to node " + std::to_string(node) +
             ", which does not come before it (inputs must refer to earlier nodes, or the graph has a cycle)");
      fail(what + " refers to node " + std::to_string(node) + ", out of range (the document has " +
           std::to_string(total_) + " nodes)");
    }
    const NodePtr& src = nodes_[static_cast<size_t>(node)];
    int n_out = src->num_outputs();
    if (index < 0 || index >= n_out)
      fail(what + " asks for output " + std::to_string(index) + " of node " + std::to_string(node) + " '" +
           src->name + "' (" + (src->op ? src->op->name : "variable") + "), which has " + std::to_string(n_out) +
           " output(s)");
    return NodeEntry{src, static_cast<int>(index)};
  }

  // A string -> string object: "attrs", or the 0.x "param" / "attr".
  static KeyValues string_dict(const JsonValue& node, const char* field) {
    KeyValues out;
    const JsonValue* d = node.find(field);
    if (!d) return out;
    if (!d->is_object()) fail(std::string("\"") + field + "\" must be an object, got " + d->kind_name());
    for (size_t i = 0; i < d->size(); ++i) {
      if (!(*d)[i].is_string())
        fail(std::string("\"") + field + "\"['" + d->key(i) + "'] must be a string, got " + (*d)[i].kind_name());
      out.emplace_back(d->key(i), (*d)[i].str());
    }
    return out;
  }

  std::string user_key(const std::string& key) const {
    return legacy_ && is_plain_user_key(key) ? "__" + key + "__" : key;
  }

  void read_node(size_t i, const JsonValue& jn) {
    std::string where = "node " + std::to_string(i);
    if (!jn.is_object()) fail(where + " must be an object, got " + std::string(jn.kind_name()));
    const JsonValue* op_name = jn.find("op");
    const JsonValue* name = jn.find("name");
    if (!op_name || !op_name->is_string()) fail(where + " needs a string \"op\" (\"null\" for a variable)");
    if (!name || !name->is_string()) fail(where + " needs a string \"name\"");
    where += " '" + name->str() + "' (" + (op_name->str() == "null" ? "variable" : op_name->str()) + ")";
    try {
      nodes_.push_back(build_node(i, jn, op_name->str(), name->str()));
    } catch (const Error& e) {
      // Keep the kind (kNotFound for an unknown operator, kType for a bad dtype...).
      std::string msg = e.what();
      if (msg.rfind("symbol JSON: ", 0) == 0) msg = msg.substr(13);
      throw Error(e.kind(), "symbol JSON: " + where + ": " + msg);
    }
  }

  NodePtr build_node(size_t i, const JsonValue& jn, const std::string& op_name, const std::string& name) {
    auto node = std::make_shared<Node>();
    node->name = name;
    const JsonValue* inputs = jn.find("inputs");
    if (inputs && !inputs->is_array()) fail(std::string("\"inputs\" must be a list, got ") + inputs->kind_name());
    size_t n_inputs = inputs ? inputs->size() : 0;

    auto attrs = string_dict(jn, "attrs");
    auto params = string_dict(jn, "param");  // MXNet 0.x: operator parameters
    auto user = string_dict(jn, "attr");     // MXNet 0.x: user attributes
    for (const auto& [k, v] : user) node->user_attrs[user_key(k)] = v;

    if (op_name == "null") {
      if (n_inputs != 0) fail("a variable cannot have inputs, got " + std::to_string(n_inputs));
      for (const auto& [k, v] : attrs) node->user_attrs[user_key(k)] = v;
      for (const auto& [k, v] : params) node->user_attrs[k] = v;
      return node;
    }

    const OpDef& op = OpRegistry::get().lookup(op_name);
    // See Note [Parameters and user attributes in symbol JSON].
    for (const auto& [k, v] : attrs) {
      if (declares_param(op, k) || (k.rfind("__", 0) != 0 && !is_plain_user_key(k)))
        params.emplace_back(k, v);
      else
        node->user_attrs[user_key(k)] = v;
    }
    node->op = &op;
    node->attrs = op.parse(params);
    read_subgraphs(jn, node.get());
    // Checked before inputs_for() builds num_args names, so a forged "num_args": "1e12" is an
    // error rather than an allocation that takes the process down.
    if (!op.variadic_param.empty()) {
      int64_t declared = node->attrs->get_int(op.variadic_param);
      const int64_t listed = static_cast<int64_t>(n_inputs);
      if (declared < 0 || declared > listed || declared * op.variadic_group + op.variadic_extra != listed)
        fail(op.variadic_param + " = " + std::to_string(declared) + ", but the node lists " +
             std::to_string(n_inputs) + " input(s)");
    }

    for (size_t k = 0; k < n_inputs; ++k)
      node->inputs.push_back(read_entry((*inputs)[k], i, "input " + std::to_string(k), true));
    std::vector<std::string> names = op.inputs_for(*node->attrs);
    if (legacy_ && node->inputs.size() < names.size()) add_legacy_inputs(node.get(), names);
    if (node->inputs.size() != names.size()) {
      std::string list;
      for (size_t k = 0; k < names.size(); ++k) list += (k ? ", " : "") + names[k];
      fail("expects " + std::to_string(names.size()) + " input(s) (" + list + "), got " +
           std::to_string(node->inputs.size()));
    }
    return node;
  }

  // A control-flow node's "subgraphs": each a symbol document, read recursively (to a bounded
  // depth, so a forged file cannot exhaust the stack).
  void read_subgraphs(const JsonValue& jn, Node* node) const {
    const JsonValue* graphs = jn.find("subgraphs");
    const size_t expected = static_cast<size_t>(node->op->subgraphs_for(*node->attrs));
    if (graphs && !graphs->is_array()) fail(std::string("\"subgraphs\" must be a list, got ") + graphs->kind_name());
    const size_t given = graphs ? graphs->size() : 0;
    if (given != expected)
      fail("operator " + node->op->name + " holds " + std::to_string(expected) + " subgraph(s), the node lists " +
           std::to_string(given));
    if (expected == 0) return;
    constexpr int kMaxDepth = 64;
    if (depth_ >= kMaxDepth) fail("subgraphs nest deeper than " + std::to_string(kMaxDepth) + " levels");
    auto attrs = std::make_shared<Attrs>(*node->attrs);
    for (size_t k = 0; k < given; ++k) {
      try {
        attrs->subgraphs.push_back(std::make_shared<const Symbol>(SymbolReader((*graphs)[k], depth_ + 1).read(&legacy_)));
      } catch (const Error& e) {
        std::string msg = e.what();
        if (msg.rfind("symbol JSON: ", 0) == 0) msg = msg.substr(13);
        throw Error(e.kind(), "symbol JSON: subgraph " + std::to_string(k) + ": " + msg);
      }
    }
    node->attrs = attrs;
  }

  // MXNet 0.x files leave out inputs that were not arguments then (BatchNorm's moving_mean and
  // moving_var). Like MXNet's loader, create them as the composition would: "<node>_<input>",
  // carrying the node's parameters and the operator's initializer for that input.
  static void add_legacy_inputs(Node* node, const std::vector<std::string>& names) {
    for (size_t k = node->inputs.size(); k < names.size(); ++k) {
      StrMap var_attrs(node->attrs->given.begin(), node->attrs->given.end());
      for (const auto& [input, init] : node->op->input_inits)
        if (input == names[k]) var_attrs["__init__"] = init;
      node->inputs.push_back(Symbol::variable(node->name + "_" + names[k], var_attrs).outputs[0]);
    }
  }

  // "arg_nodes" is derived data (every variable); it is checked, not trusted, and may be absent.
  void check_arg_nodes() const {
    const JsonValue* args = root_.find("arg_nodes");
    if (!args) return;
    if (!args->is_array()) fail(std::string("\"arg_nodes\" must be a list, got ") + args->kind_name());
    for (size_t k = 0; k < args->size(); ++k) {
      std::string what = "\"arg_nodes\"[" + std::to_string(k) + "]";
      int64_t idx = int_of((*args)[k], what);
      if (idx < 0 || static_cast<size_t>(idx) >= nodes_.size())
        fail(what + " = " + std::to_string(idx) + " is out of range (" + std::to_string(nodes_.size()) + " nodes)");
      const Node& n = *nodes_[static_cast<size_t>(idx)];
      if (!n.is_variable())
        fail(what + " = " + std::to_string(idx) + " names node '" + n.name + "' (" + n.op->name +
             "), which is not a variable");
    }
  }

  Symbol read_heads() const {
    const JsonValue* heads = root_.find("heads");
    if (!heads) fail("the document has no \"heads\" list (the symbol's outputs)");
    if (!heads->is_array()) fail(std::string("\"heads\" must be a list, got ") + heads->kind_name());
    if (heads->size() == 0) fail("\"heads\" is empty: the symbol has no outputs");
    Symbol sym;
    for (size_t k = 0; k < heads->size(); ++k)
      sym.outputs.push_back(read_entry((*heads)[k], nodes_.size(), "\"heads\"[" + std::to_string(k) + "]", false));
    return sym;
  }

  const JsonValue& root_;
  int depth_ = 0;
  bool legacy_ = false;
  size_t total_ = 0;            // nodes in the document
  std::vector<NodePtr> nodes_;  // by JSON index; one Node per entry, so shared inputs stay shared
};

}  // namespace

Symbol symbol_from_json(const std::string& json) {
  JsonValue root;
  try {
    root = json_parse(json);
  } catch (const Error& e) {
    throw Error(e.kind(), std::string("symbol JSON: ") + e.what());
  }
  return SymbolReader(root).read();
}

void symbol_save_file(const Symbol& sym, const std::string& path) { atomic_write_file(path, symbol_to_json(sym)); }

Symbol symbol_load_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) MV_THROW(kIO) << "cannot read symbol file '" << path << "': " << std::strerror(errno);
  std::string text;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  int err = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (err) MV_THROW(kIO) << "cannot read symbol file '" << path << "': " << std::strerror(err);
  try {
    return symbol_from_json(text);
  } catch (const Error& e) {
    throw Error(e.kind(), "symbol file '" + path + "': " + e.what());
  }
}

}  // namespace minerva
