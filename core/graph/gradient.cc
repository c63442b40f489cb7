#include "core/graph/gradient.h"

#include <map>
#include <set>
#include <utility>

#include "core/base/error.h"

namespace minerva {

// Note [Symbolic gradient graph]
// build_gradient walks the forward nodes once, outputs before inputs, exactly as autograd's
// backward walks its tape (core/autograd/autograd.cc), and hands each operator's gradient
// function a GradContext whose Tensors stand for graph entries. The same function that autograd
// evaluates on arrays here appends nodes, so the two gradients agree by construction. Choices
// that differ from the tape are only about what never has to be built:
//  - a node gets a gradient only when it lies on a path from some `wrt` variable to an output,
//    so labels, aux states and constants cost nothing;
//  - mutated inputs (auxiliary states such as BatchNorm's moving statistics) receive none;
//  - non-differentiable operators pass none (autograd never records them);
//  - several contributions to one entry are summed by one add_n node.
// An output of a node that needs a gradient but receives none gets zeros_like, as on the tape.

namespace {

using EntryKey = std::pair<const Node*, int>;

// Gradient code applied to Tensors that name graph entries: every apply() appends one node.
class SymbolicGradGraph final : public GradGraph {
 public:
  explicit SymbolicGradGraph(std::string prefix) : prefix_(std::move(prefix)) {}

  Tensor add(const NodeEntry& e) {
    entries_.push_back(e);
    return Tensor{this, static_cast<int>(entries_.size()) - 1};
  }
  const NodeEntry& entry(const Tensor& t) const {
    MV_CHECK(t.graph == this && t.id >= 0 && static_cast<size_t>(t.id) < entries_.size(), kInternal)
        << "gradient code of " << prefix_ << " used a tensor of another graph";
    return entries_[static_cast<size_t>(t.id)];
  }

  std::vector<Tensor> apply(const std::string& name, const std::vector<Tensor>& inputs,
                            const GradParams& params) override {
    return apply_parsed(name, inputs, OpRegistry::get().lookup(name).parse(params));
  }
  std::vector<Tensor> apply_parsed(const std::string& name, const std::vector<Tensor>& inputs,
                                   const AttrsPtr& attrs) override {
    const OpDef& def = OpRegistry::get().lookup(name);
    MV_CHECK(attrs && attrs->op == &def, kInternal) << "gradient code of " << prefix_ << " applied " << name
                                                    << " with another operator's parameters";
    auto node = std::make_shared<Node>();
    node->op = &def;
    node->attrs = attrs;
    // The first node of a gradient keeps MXNet's "<node>_backward"; helpers get a counter.
    node->name = prefix_ + "_backward" + (count_ ? std::to_string(count_) : "");
    ++count_;
    for (const Tensor& t : inputs) node->inputs.push_back(entry(t));
    const size_t expected = def.inputs_for(*node->attrs).size();
    MV_CHECK(node->inputs.size() == expected, kInternal)
        << "gradient code of " << prefix_ << " applied " << name << " to " << node->inputs.size()
        << " inputs; it takes " << expected;
    std::vector<Tensor> outs;
    const int n = def.visible_outputs_for(*node->attrs);  // what imperative apply returns too
    for (int i = 0; i < n; ++i) outs.push_back(add(NodeEntry{node, i}));
    return outs;
  }

 private:
  std::string prefix_;
  int count_ = 0;
  std::vector<NodeEntry> entries_;
};

NodeEntry make_node(const char* op, const std::string& name, std::vector<NodeEntry> inputs,
                    const KeyValues& params) {
  const OpDef& def = OpRegistry::get().lookup(op);
  auto node = std::make_shared<Node>();
  node->op = &def;
  node->attrs = def.parse(params);
  node->name = name;
  node->inputs = std::move(inputs);
  return NodeEntry{node, 0};
}

// One entry for all contributions: itself when alone, else their add_n.
NodeEntry sum_of(const std::vector<NodeEntry>& parts, const std::string& name) {
  if (parts.size() == 1) return parts[0];
  return make_node("add_n", name, parts, {{"num_args", std::to_string(parts.size())}});
}

std::string entry_label(const NodeEntry& e) {
  return e.index == 0 ? e.node->name : e.node->name + "_" + std::to_string(e.index);
}

}  // namespace

GradientGraph build_gradient(const Symbol& sym, const std::vector<NodePtr>& wrt) {
  const std::vector<NodePtr> order = sym.topo_order();
  const std::vector<std::string> out_names = sym.list_outputs();

  // Which nodes depend on a wrt variable: only those can pass a gradient on.
  std::set<const Node*> wanted;
  for (const NodePtr& w : wrt) wanted.insert(w.get());
  std::set<const Node*> needs;
  for (const NodePtr& n : order) {
    if (n->is_variable()) {
      if (wanted.count(n.get())) needs.insert(n.get());
      continue;
    }
    for (const NodeEntry& e : n->inputs)
      if (needs.count(e.node.get())) {
        needs.insert(n.get());
        break;
      }
  }

  GradientGraph result;
  std::map<EntryKey, std::vector<NodeEntry>> grads;
  for (size_t i = 0; i < sym.outputs.size(); ++i) {
    const std::string label = i < out_names.size() ? out_names[i] : "output" + std::to_string(i);
    NodePtr head = Symbol::variable(label + "_head_grad").outputs.at(0).node;
    result.head_grads.push_back(head);
    const NodeEntry& out = sym.outputs[i];
    grads[{out.node.get(), out.index}].push_back(NodeEntry{head, 0});
  }

  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Node* n = it->get();
    if (n->is_variable() || n->op->non_differentiable || !needs.count(n)) continue;
    const int num_out = n->op->outputs_for(*n->attrs);
    bool any = false;
    for (int k = 0; k < num_out; ++k) any = any || grads.count({n, k});
    if (!any) continue;
    MV_CHECK(n->op->gradient, kInternal) << "operator " << n->op->name << " (node " << n->name
                                         << ") has no gradient";

    SymbolicGradGraph g(n->name);
    GradContext ctx;
    ctx.attrs = n->attrs.get();
    for (const NodeEntry& e : n->inputs) ctx.inputs.push_back(g.add(e));
    for (int k = 0; k < num_out; ++k) {
      NodeEntry self{*it, k};
      ctx.outputs.push_back(g.add(self));
      auto found = grads.find({n, k});
      NodeEntry og = found != grads.end()
                         ? sum_of(found->second, entry_label(self) + "_grad_sum")
                         : make_node("zeros_like", entry_label(self) + "_zero_grad", {self}, {});
      ctx.out_grads.push_back(g.add(og));
    }
    std::vector<Tensor> in_grads = n->op->gradient(ctx);
    MV_CHECK(in_grads.size() == n->inputs.size(), kInternal)
        << "gradient of " << n->op->name << " (node " << n->name << ") returned " << in_grads.size()
        << " values for " << n->inputs.size() << " inputs";
    std::vector<int> mutated = n->op->mutated_for(*n->attrs);
    for (size_t i = 0; i < in_grads.size(); ++i) {
      const NodeEntry& in = n->inputs[i];
      if (!in_grads[i].defined() || !needs.count(in.node.get())) continue;
      bool is_aux = false;
      for (int m : mutated) is_aux = is_aux || m == static_cast<int>(i);
      if (is_aux) continue;
      grads[{in.node.get(), in.index}].push_back(g.entry(in_grads[i]));
    }
    // The gradients of this node's outputs are consumed; drop them so memory of the map stays small.
    for (int k = 0; k < num_out; ++k) grads.erase({n, k});
  }

  for (const NodePtr& w : wrt) {
    auto found = grads.find({w.get(), 0});
    if (found == grads.end()) {
      result.grads.push_back(NodeEntry{});
      continue;
    }
    result.grads.push_back(sum_of(found->second, w->name + "_grad_sum"));
  }
  return result;
}

}  // namespace minerva
