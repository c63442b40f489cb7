// Symbolic graphs (DESIGN "Graph / Symbol"). A Symbol is a list of output entries of a DAG of
// nodes; a node is a variable (op == nullptr) or an operator applied to entries of other nodes.
// Nodes are immutable once other nodes point at them, so symbols share subgraphs freely and
// composing never changes an existing symbol (MXNet's Python __call__ copies for the same reason).
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/op/op.h"

namespace minerva {

struct Node;
using NodePtr = std::shared_ptr<Node>;
using StrMap = std::map<std::string, std::string>;

struct NodeEntry {
  NodePtr node;
  int index = 0;  // which output of node
  bool operator==(const NodeEntry& o) const { return node == o.node && index == o.index; }
};

struct Node {
  const OpDef* op = nullptr;  // nullptr: a variable (an argument or auxiliary state)
  AttrsPtr attrs;             // parsed operator parameters; null for variables
  std::string name;
  std::vector<NodeEntry> inputs;
  // User attributes: MXNet's "__shape__", "__dtype__", "__init__", "__lr_mult__", "__wd_mult__",
  // "ctx_group", ... Operator parameters live in attrs->given, not here.
  StrMap user_attrs;

  // Releases a long chain of inputs without one stack frame per node (micrograd #91).
  ~Node();

  bool is_variable() const { return op == nullptr; }
  int num_outputs() const;          // every output, hidden ones included (BatchNorm: 3)
  int num_visible_outputs() const;  // what a user sees (BatchNorm: 1 unless output_mean_var)
  std::vector<std::string> output_names() const;  // "output", or the op's names; {name} for a variable
  // Indices of inputs the operator writes in place: those inputs are auxiliary states.
  std::vector<int> mutated_inputs() const;
};

// MXNet's shape-inference hint for a variable: "__shape__" = "(2, 3)".
constexpr const char* kShapeAttr = "__shape__";
constexpr const char* kDTypeAttr = "__dtype__";

class Symbol {
 public:
  std::vector<NodeEntry> outputs;

  // A free variable. attrs holds user attributes (__shape__, __lr_mult__...).
  static Symbol variable(const std::string& name, const StrMap& attrs = {});
  // An operator node. Inputs come by position (keys empty) or by input name (keys[i] names
  // args[i]); each arg must have exactly one output. Inputs not given become new variables named
  // "<name>_<input>" (fc1_weight), as MXNet's composition does. An empty name is replaced by
  // the automatic "<op lower-cased><n>" (fullyconnected0).
  static Symbol create(const OpDef& op, const AttrsPtr& attrs, const std::string& name,
                       const std::vector<Symbol>& args, const std::vector<std::string>& keys = {},
                       const StrMap& user_attrs = {});
  static Symbol group(const std::vector<Symbol>& symbols);

  // Substitutes free variables: by name (keys[i] names the variable args[i] replaces) or, with
  // keys empty, by position in list_arguments(). Unknown names and too many args are errors.
  // The result shares every untouched node with this symbol.
  Symbol compose(const std::vector<Symbol>& args, const std::vector<std::string>& keys) const;
  // A deep copy: new nodes, same structure (MXNet's Symbol.__copy__).
  Symbol copy() const;

  Symbol output(size_t i) const;  // one output, range-checked
  Symbol internals() const;       // every visible output of every node, in topological order
  Symbol children() const;        // the inputs of the output nodes (empty for variables)

  // Nodes reachable from the outputs, inputs before their users (post-order DFS, iterative;
  // input order is respected so listings match MXNet's).
  std::vector<NodePtr> topo_order() const;

  std::vector<std::string> list_arguments() const;  // variables that are not auxiliary states
  std::vector<std::string> list_outputs() const;    // "fc1_output", "bn_mean", or a variable's name
  std::vector<std::string> list_auxiliary_states() const;
  std::vector<std::string> list_inputs() const;     // every variable, in topological order
  std::vector<NodePtr> argument_nodes() const;
  std::vector<NodePtr> auxiliary_nodes() const;
  std::vector<NodePtr> input_nodes() const;

  // Attributes of the single output node: its parameters and user attributes in one map, as
  // MXNet's list_attr(). attr() returns false when the key is absent.
  bool attr(const std::string& key, std::string* value) const;
  StrMap list_attr() const;
  // node name -> that node's attributes, for every node with any (MXNet's attr_dict()).
  std::map<std::string, StrMap> attr_dict() const;
  // Sets user attributes on the node of a one-node symbol (MXNet's _set_attr); a group of
  // several nodes and operator parameters are errors.
  void set_attrs(const StrMap& attrs);
  std::string name() const;  // the name of the one node all outputs come from; "" for a group

 private:
  const Node& single_node(const char* what) const;
};

// A process-wide counter per hint, as MXNet's NameManager: "fullyconnected" -> fullyconnected0,
// fullyconnected1, ... Bindings with their own name manager pass explicit names.
std::string auto_name(const std::string& hint);

// Parses "(2, 3)" / "[2,3]" / "()" into a shape (used for __shape__ and JSON attributes).
Shape parse_shape_attr(const std::string& text);

}  // namespace minerva
