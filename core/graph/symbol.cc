#include "core/graph/symbol.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/op/arity.h"

namespace minerva {

Node::~Node() {
  static thread_local std::vector<NodePtr> pending;
  static thread_local bool draining = false;
  for (NodeEntry& e : inputs)
    if (e.node && e.node.use_count() == 1) pending.push_back(std::move(e.node));
  if (draining) return;
  draining = true;
  while (!pending.empty()) {
    NodePtr n = std::move(pending.back());
    pending.pop_back();
    n.reset();  // its own inputs go onto `pending` instead of recursing
  }
  draining = false;
}

int Node::num_outputs() const { return op ? op->outputs_for(*attrs) : 1; }
int Node::num_visible_outputs() const { return op ? op->visible_outputs_for(*attrs) : 1; }
std::vector<std::string> Node::output_names() const {
  return op ? op->output_names_for(*attrs) : std::vector<std::string>{name};
}
std::vector<int> Node::mutated_inputs() const { return op ? op->mutated_for(*attrs) : std::vector<int>{}; }

std::string auto_name(const std::string& hint) {
  static std::mutex mu;
  static std::map<std::string, int> counters;
  std::lock_guard<std::mutex> lock(mu);
  return hint + std::to_string(counters[hint]++);
}

Shape parse_shape_attr(const std::string& text) {
  Shape s;
  std::string num;
  auto flush = [&] {
    if (num.empty()) return;
    if (num == "None") {
      s.push_back(0);
    } else {
      size_t used = 0;
      int64_t v = 0;
      try {
        v = std::stoll(num, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      MV_CHECK(used == num.size(), kValue) << "shape attribute '" << text << "': '" << num << "' is not an integer";
      s.push_back(v);
    }
    num.clear();
  };
  for (char c : text) {
    if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || std::isspace(static_cast<unsigned char>(c)))
      flush();
    else
      num += c;
  }
  flush();
  return s;
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const NodeEntry& single_entry(const Symbol& s, const std::string& what) {
  MV_CHECK(s.outputs.size() == 1, kValue) << what << " must have exactly one output, got " << s.outputs.size()
                                          << "; select one with sym[i]";
  return s.outputs[0];
}

// Variables that some operator writes in place: auxiliary states, as in MXNet.
std::unordered_set<const Node*> aux_set(const std::vector<NodePtr>& order) {
  std::unordered_set<const Node*> aux;
  for (const NodePtr& n : order)
    for (int i : n->mutated_inputs())
      if (i >= 0 && i < static_cast<int>(n->inputs.size()) && n->inputs[i].node->is_variable())
        aux.insert(n->inputs[i].node.get());
  return aux;
}

}  // namespace

Symbol Symbol::variable(const std::string& name, const StrMap& attrs) {
  MV_CHECK(!name.empty(), kValue) << "Variable: the name must not be empty";
  auto n = std::make_shared<Node>();
  n->name = name;
  n->user_attrs = attrs;
  Symbol s;
  s.outputs.push_back(NodeEntry{n, 0});
  return s;
}

Symbol Symbol::create(const OpDef& op, const AttrsPtr& attrs, const std::string& name,
                      const std::vector<Symbol>& args, const std::vector<std::string>& keys,
                      const StrMap& user_attrs) {
  MV_CHECK(attrs && attrs->op == &op, kInternal) << "Symbol::create: parameters of another operator for " << op.name;
  bounded_output_count(op, *attrs);  // Note [Count parameters are bounded]: before outputs are listed
  auto n = std::make_shared<Node>();
  n->op = &op;
  n->attrs = attrs;
  n->name = name.empty() ? auto_name(lower(op.name)) : name;
  n->user_attrs = user_attrs;
  const std::string where = "Operator " + op.name + " ('" + n->name + "')";
  MV_CHECK(keys.empty() || keys.size() == args.size(), kValue)
      << where << ": " << keys.size() << " input names for " << args.size() << " inputs";
  const size_t num_subgraphs = static_cast<size_t>(op.subgraphs_for(*attrs));
  if (num_subgraphs > 0 && attrs->subgraphs.empty()) {
    // Note [Subgraph operators]: the first arguments are the graphs the node runs (whole
    // symbols, copied so later attribute changes of the caller's symbol do not reach them).
    MV_CHECK(args.size() >= num_subgraphs, kValue)
        << where << " takes " << num_subgraphs << " subgraph(s) before its inputs, got " << args.size()
        << " argument(s)";
    auto with_graphs = std::make_shared<Attrs>(*attrs);
    with_graphs->subgraphs.clear();
    for (size_t i = 0; i < num_subgraphs; ++i) {
      MV_CHECK(!args[i].outputs.empty(), kValue) << where << ": subgraph " << i << " has no outputs";
      with_graphs->subgraphs.push_back(std::make_shared<const Symbol>(args[i].copy()));
    }
    n->attrs = with_graphs;
    std::vector<Symbol> rest(args.begin() + static_cast<std::ptrdiff_t>(num_subgraphs), args.end());
    std::vector<std::string> rest_keys;
    if (!keys.empty()) rest_keys.assign(keys.begin() + static_cast<std::ptrdiff_t>(num_subgraphs), keys.end());
    const std::vector<std::string> names = op.inputs_for(*attrs);
    MV_CHECK(rest.size() == names.size(), kValue)
        << where << " takes " << names.size() << " input(s) after its subgraph(s), got " << rest.size();
    return create(op, n->attrs, n->name, rest, rest_keys, user_attrs);
  }
  MV_CHECK(attrs->subgraphs.size() == num_subgraphs, kValue)
      << where << " holds " << attrs->subgraphs.size() << " subgraph(s); it needs " << num_subgraphs;
  const std::vector<std::string> names = op.inputs_for(*attrs);
  MV_CHECK(args.size() <= names.size(), kValue)
      << where << " takes " << names.size() << " input(s) (" << join_names(names) << "), got " << args.size();
  std::vector<NodeEntry> slots(names.size());
  for (size_t i = 0; i < args.size(); ++i) {
    size_t slot = i;
    if (!keys.empty()) {
      auto it = std::find(names.begin(), names.end(), keys[i]);
      MV_CHECK(it != names.end(), kValue)
          << where << ": unknown input '" << keys[i] << "'; its inputs are " << join_names(names);
      slot = static_cast<size_t>(it - names.begin());
      MV_CHECK(!slots[slot].node, kValue) << where << ": input '" << keys[i] << "' is given twice";
    }
    slots[slot] = single_entry(args[i], where + ": input '" + names[slot] + "'");
  }
  // Inputs created here carry the node's parameters as attributes, as MXNet's do (its JSON and
  // attr_dict show them), plus the operator's initializer for that input, if it declares one.
  StrMap inherited(attrs->given.begin(), attrs->given.end());
  for (size_t i = 0; i < names.size(); ++i) {
    if (slots[i].node) continue;
    StrMap var_attrs = inherited;
    for (const auto& [input, init] : op.input_inits)
      if (input == names[i]) var_attrs["__init__"] = init;
    slots[i] = variable(n->name + "_" + names[i], var_attrs).outputs[0];
  }
  n->inputs = std::move(slots);
  Symbol s;
  for (int i = 0; i < n->num_visible_outputs(); ++i) s.outputs.push_back(NodeEntry{n, i});
  return s;
}

Symbol Symbol::group(const std::vector<Symbol>& symbols) {
  Symbol s;
  for (const Symbol& x : symbols) s.outputs.insert(s.outputs.end(), x.outputs.begin(), x.outputs.end());
  return s;
}

std::vector<NodePtr> Symbol::topo_order() const {
  std::vector<NodePtr> order;
  std::unordered_set<const Node*> seen;
  std::vector<std::pair<NodePtr, size_t>> stack;  // node, next input to visit
  for (const NodeEntry& head : outputs) {
    if (!head.node || seen.count(head.node.get())) continue;
    seen.insert(head.node.get());
    stack.emplace_back(head.node, 0);
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < node->inputs.size()) {
        const NodePtr& child = node->inputs[next++].node;
        if (child && seen.insert(child.get()).second) stack.emplace_back(child, 0);
      } else {
        order.push_back(node);
        stack.pop_back();
      }
    }
  }
  return order;
}

Symbol Symbol::compose(const std::vector<Symbol>& args, const std::vector<std::string>& keys) const {
  std::vector<NodePtr> order = topo_order();
  std::unordered_map<const Node*, NodeEntry> replace;
  if (keys.empty()) {
    std::vector<NodePtr> targets = argument_nodes();
    MV_CHECK(args.size() <= targets.size(), kValue) << "compose: " << args.size() << " inputs given, but the symbol has "
                                                    << targets.size() << " arguments (" << join_names(list_arguments()) << ")";
    for (size_t i = 0; i < args.size(); ++i)
      replace[targets[i].get()] = single_entry(args[i], "compose: input for '" + targets[i]->name + "'");
  } else {
    MV_CHECK(keys.size() == args.size(), kValue) << "compose: " << keys.size() << " names for " << args.size() << " inputs";
    for (size_t i = 0; i < keys.size(); ++i) {
      bool found = false;
      for (const NodePtr& n : order) {
        if (!n->is_variable() || n->name != keys[i]) continue;
        MV_CHECK(!replace.count(n.get()), kValue) << "compose: input '" << keys[i] << "' is given twice";
        replace[n.get()] = single_entry(args[i], "compose: input '" + keys[i] + "'");
        found = true;
      }
      MV_CHECK(found, kValue) << "compose: the symbol has no input named '" << keys[i] << "'; its inputs are "
                              << join_names(list_inputs());
    }
  }
  // Rebuild only the nodes downstream of a replaced variable; the rest stay shared.
  std::unordered_map<const Node*, NodePtr> rebuilt;
  auto map_entry = [&](const NodeEntry& e) -> NodeEntry {
    auto r = replace.find(e.node.get());
    if (r != replace.end()) return r->second;
    auto b = rebuilt.find(e.node.get());
    return b != rebuilt.end() ? NodeEntry{b->second, e.index} : e;
  };
  for (const NodePtr& n : order) {
    if (n->is_variable()) continue;
    std::vector<NodeEntry> inputs;
    bool changed = false;
    for (const NodeEntry& e : n->inputs) {
      inputs.push_back(map_entry(e));
      changed = changed || !(inputs.back() == e);
    }
    if (!changed) continue;
    auto copy = std::make_shared<Node>(*n);
    copy->inputs = std::move(inputs);
    rebuilt[n.get()] = copy;
  }
  Symbol s;
  for (const NodeEntry& e : outputs) s.outputs.push_back(map_entry(e));
  return s;
}

Symbol Symbol::copy() const {
  std::unordered_map<const Node*, NodePtr> copies;
  for (const NodePtr& n : topo_order()) {
    auto c = std::make_shared<Node>(*n);
    for (NodeEntry& e : c->inputs) e.node = copies.at(e.node.get());
    copies[n.get()] = c;
  }
  Symbol s;
  for (const NodeEntry& e : outputs) s.outputs.push_back(NodeEntry{copies.at(e.node.get()), e.index});
  return s;
}

Symbol Symbol::output(size_t i) const {
  MV_CHECK(i < outputs.size(), kIndex) << "symbol output index " << i << " is out of range: the symbol has "
                                       << outputs.size() << " output(s) (" << join_names(list_outputs()) << ")";
  Symbol s;
  s.outputs.push_back(outputs[i]);
  return s;
}

Symbol Symbol::internals() const {
  Symbol s;
  for (const NodePtr& n : topo_order())
    for (int i = 0; i < n->num_visible_outputs(); ++i) s.outputs.push_back(NodeEntry{n, i});
  return s;
}

Symbol Symbol::children() const {
  Symbol s;
  for (const NodeEntry& e : outputs) s.outputs.insert(s.outputs.end(), e.node->inputs.begin(), e.node->inputs.end());
  return s;
}

std::vector<NodePtr> Symbol::input_nodes() const {
  std::vector<NodePtr> v;
  for (const NodePtr& n : topo_order())
    if (n->is_variable()) v.push_back(n);
  return v;
}

std::vector<NodePtr> Symbol::argument_nodes() const {
  std::vector<NodePtr> order = topo_order();
  auto aux = aux_set(order);
  std::vector<NodePtr> v;
  for (const NodePtr& n : order)
    if (n->is_variable() && !aux.count(n.get())) v.push_back(n);
  return v;
}

std::vector<NodePtr> Symbol::auxiliary_nodes() const {
  std::vector<NodePtr> order = topo_order();
  auto aux = aux_set(order);
  std::vector<NodePtr> v;
  for (const NodePtr& n : order)
    if (aux.count(n.get())) v.push_back(n);
  return v;
}

namespace {
std::vector<std::string> names_of(const std::vector<NodePtr>& nodes) {
  std::vector<std::string> v;
  for (const NodePtr& n : nodes) v.push_back(n->name);
  return v;
}

StrMap attrs_of(const Node& n) {
  StrMap m = n.user_attrs;
  if (n.attrs)
    for (const auto& [k, v] : n.attrs->given) m[k] = v;
  return m;
}
}  // namespace

std::vector<std::string> Symbol::list_arguments() const { return names_of(argument_nodes()); }
std::vector<std::string> Symbol::list_auxiliary_states() const { return names_of(auxiliary_nodes()); }
std::vector<std::string> Symbol::list_inputs() const { return names_of(input_nodes()); }

std::vector<std::string> Symbol::list_outputs() const {
  std::vector<std::string> v;
  v.reserve(outputs.size());
  // Each node's output names are listed once, not once per entry: a node with n outputs (all of
  // them in get_internals()) would otherwise cost n^2.
  std::unordered_map<const Node*, std::vector<std::string>> names_of;
  for (const NodeEntry& e : outputs) {
    if (e.node->is_variable()) {
      v.push_back(e.node->name);
      continue;
    }
    auto it = names_of.find(e.node.get());
    if (it == names_of.end()) it = names_of.emplace(e.node.get(), e.node->output_names()).first;
    v.push_back(e.node->name + "_" + it->second.at(static_cast<size_t>(e.index)));
  }
  return v;
}

const Node& Symbol::single_node(const char* what) const {
  MV_CHECK(!outputs.empty(), kValue) << what << ": the symbol has no outputs";
  for (const NodeEntry& e : outputs)
    MV_CHECK(e.node == outputs[0].node, kValue)
        << what << " works on a symbol of one node; this one groups " << outputs.size() << " outputs ("
        << join_names(list_outputs()) << ")";
  return *outputs[0].node;
}

bool Symbol::attr(const std::string& key, std::string* value) const {
  if (outputs.empty() || outputs.size() > 1) return false;
  StrMap m = attrs_of(*outputs[0].node);
  auto it = m.find(key);
  if (it == m.end()) return false;
  *value = it->second;
  return true;
}

StrMap Symbol::list_attr() const {
  MV_CHECK(!outputs.empty(), kValue) << "list_attr: the symbol has no outputs";
  return attrs_of(*outputs[0].node);
}

std::map<std::string, StrMap> Symbol::attr_dict() const {
  std::map<std::string, StrMap> d;
  for (const NodePtr& n : topo_order()) {
    StrMap m = attrs_of(*n);
    if (!m.empty()) d[n->name] = std::move(m);
  }
  return d;
}

void Symbol::set_attrs(const StrMap& attrs) {
  Node& n = const_cast<Node&>(single_node("set_attr"));
  for (const auto& [k, v] : attrs) {
    if (n.op) {
      for (const ParamField& f : n.op->params) {
        MV_CHECK(f.name != k, kValue) << "set_attr: '" << k << "' is a parameter of operator " << n.op->name
                                      << " ('" << n.name << "'); parameters are fixed when the node is created";
      }
    }
    n.user_attrs[k] = v;
  }
}

std::string Symbol::name() const {
  if (outputs.empty()) return "";
  for (const NodeEntry& e : outputs)
    if (e.node != outputs[0].node) return "";  // a group of several nodes has no name
  return outputs[0].node->name;
}

}  // namespace minerva
