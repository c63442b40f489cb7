#include "core/autograd/autograd.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <unordered_map>

#include "core/op/invoke.h"

namespace minerva {

// Note [Autograd version check]
// A node keeps the arrays its gradient may read, with each chunk's version at recording time.
// The gradient graph checks the version when it first reads one: an in-place write since then
// would give a silently wrong gradient, so it is an error naming the operator instead.
struct AGNode {
  const OpDef* op = nullptr;  // nullptr: a marked variable (leaf)
  AttrsPtr attrs;
  std::vector<AGEntry> inputs;  // entry.node is null for inputs autograd does not track
  std::vector<NDArray> saved_inputs, saved_outputs;
  std::vector<uint64_t> input_versions, output_versions;
  bool freed = false;
  // The numbers in MXNet's names for get_symbol, taken when the node is recorded or marked:
  // "node_<id>" for an operator, "var<id>" for a leaf, and "null<id>" for each untracked input
  // (untracked_ids is parallel to inputs, -1 where the input is tracked).
  int64_t name_id = -1;
  std::vector<int64_t> untracked_ids;
  // Leaf only.
  GradReq req = GradReq::kNull;
  NDArray grad;

  ~AGNode();
};

// Long chains would otherwise free recursively, one stack frame per node (micrograd #91).
AGNode::~AGNode() {
  static thread_local std::vector<std::shared_ptr<AGNode>> pending;
  static thread_local bool draining = false;
  for (auto& e : inputs)
    if (e.node && e.node.use_count() == 1) pending.push_back(std::move(e.node));
  if (draining) return;
  draining = true;
  while (!pending.empty()) {
    auto n = std::move(pending.back());
    pending.pop_back();
    n.reset();
  }
  draining = false;
}

namespace autograd {

namespace {
thread_local bool tl_recording = false;
thread_local bool tl_training = false;
// Process-wide, as MXNet's Imperative counters: variables (marked and untracked) share one.
std::atomic<int64_t> g_variable_count{0};
std::atomic<int64_t> g_node_count{0};

NDArray with_entry(const NDArray& a, std::shared_ptr<AGNode> node, int index) {
  NDArray v = a.detached();
  v.ag = std::make_shared<AGEntry>(AGEntry{std::move(node), index});
  return v;
}

// Evaluates gradient code on NDArrays. Recording stays on only under create_graph, so second
// derivatives see the gradient computation as ordinary recorded operations.
class ImperativeGradGraph final : public GradGraph {
 public:
  Tensor add(const NDArray& a, uint64_t expected_version, const OpDef* owner) {
    values_.push_back(a);
    versions_.push_back(expected_version);
    owners_.push_back(owner);
    return Tensor{this, static_cast<int>(values_.size()) - 1};
  }
  Tensor add(const NDArray& a) { return add(a, 0, nullptr); }
  const NDArray& value(const Tensor& t) {
    MV_CHECK(t.graph == this && t.id >= 0, kInternal) << "gradient code used a tensor of another graph";
    size_t i = static_cast<size_t>(t.id);
    if (owners_[i] && values_[i].version() != versions_[i]) {
      MV_THROW(kValue) << "an array needed to compute the gradient of operator " << owners_[i]->name
                       << " was modified in-place after it was recorded (version " << versions_[i] << " -> "
                       << values_[i].version() << "); compute on a copy instead";
    }
    owners_[i] = nullptr;
    return values_[i];
  }
  std::vector<Tensor> apply(const std::string& name, const std::vector<Tensor>& inputs,
                            const GradParams& params) override {
    return apply_parsed(name, inputs, OpRegistry::get().lookup(name).parse(params));
  }
  std::vector<Tensor> apply_parsed(const std::string& name, const std::vector<Tensor>& inputs,
                                   const AttrsPtr& attrs) override {
    std::vector<NDArray> in;
    for (auto& t : inputs) in.push_back(value(t));
    const OpDef& def = OpRegistry::get().lookup(name);
    MV_CHECK(attrs && attrs->op == &def, kInternal) << "gradient code applied " << name
                                                    << " with another operator's parameters";
    std::vector<NDArray> out = invoke(def, attrs, in);
    std::vector<Tensor> ts;
    for (auto& o : out) ts.push_back(add(o));
    return ts;
  }

 private:
  std::vector<NDArray> values_;
  std::vector<uint64_t> versions_;
  std::vector<const OpDef*> owners_;
};

NDArray sum_all(std::vector<NDArray>& parts) {
  NDArray total = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) total = invoke("elemwise_add", {total, parts[i]})[0];
  return total;
}

// Post-order over the nodes reachable from `roots`, without recursion.
std::vector<AGNode*> topo_order(const std::vector<AGNode*>& roots) {
  std::vector<AGNode*> order;
  std::unordered_map<AGNode*, int> state;  // 1 = on stack, 2 = done
  std::vector<std::pair<AGNode*, size_t>> stack;
  for (AGNode* r : roots) {
    if (state[r]) continue;
    stack.emplace_back(r, 0);
    state[r] = 1;
    while (!stack.empty()) {
      auto& [n, next] = stack.back();
      if (next < n->inputs.size()) {
        AGNode* child = n->inputs[next++].node.get();
        if (child && !state[child]) {
          state[child] = 1;
          stack.emplace_back(child, 0);
        }
      } else {
        state[n] = 2;
        order.push_back(n);
        stack.pop_back();
      }
    }
  }
  return order;
}
}  // namespace

bool is_recording() { return tl_recording; }
bool is_training() { return tl_training; }
bool set_recording(bool on) { return std::exchange(tl_recording, on); }
bool set_training(bool on) { return std::exchange(tl_training, on); }

void mark_variables(const std::vector<NDArray*>& vars, const std::vector<NDArray>& grads,
                    const std::vector<GradReq>& reqs) {
  MV_CHECK(vars.size() == grads.size() && vars.size() == reqs.size(), kValue)
      << "mark_variables: " << vars.size() << " variables, " << grads.size() << " gradients and " << reqs.size()
      << " grad_req values must have one length";
  for (size_t i = 0; i < vars.size(); ++i) {
    MV_CHECK(!vars[i]->is_none() && !grads[i].is_none(), kValue) << "mark_variables: variable " << i << " is empty";
    MV_CHECK(vars[i]->shape() == grads[i].shape(), kValue)
        << "mark_variables: gradient buffer " << i << " has shape " << shape_str(grads[i].shape())
        << ", the variable " << shape_str(vars[i]->shape());
    auto leaf = std::make_shared<AGNode>();
    leaf->req = reqs[i];
    leaf->grad = grads[i].detached();
    leaf->name_id = g_variable_count++;
    vars[i]->ag = std::make_shared<AGEntry>(AGEntry{leaf, 0});
  }
}

NDArray get_grad(const NDArray& var) {
  if (!var.ag || !var.ag->node || var.ag->node->op) return NDArray();
  return var.ag->node->grad;
}

void record(const OpDef& op, const AttrsPtr& attrs, const std::vector<NDArray>& inputs,
            const std::vector<NDArray>& outputs) {
  bool tracked = false;
  for (auto& a : inputs) tracked = tracked || (a.ag && a.ag->node);
  if (!tracked) return;
  auto node = std::make_shared<AGNode>();
  node->op = &op;
  node->attrs = attrs;
  node->name_id = g_node_count++;
  for (auto& a : inputs) {
    const bool input_tracked = a.ag && a.ag->node;
    node->untracked_ids.push_back(input_tracked ? -1 : g_variable_count++);
    node->inputs.push_back(a.ag ? *a.ag : AGEntry{});
    node->saved_inputs.push_back(a.detached());
    node->input_versions.push_back(a.version());
  }
  for (auto& o : outputs) {
    node->saved_outputs.push_back(o.detached());
    node->output_versions.push_back(o.version());
  }
  for (size_t i = 0; i < outputs.size(); ++i)
    const_cast<NDArray&>(outputs[i]).ag = std::make_shared<AGEntry>(AGEntry{node, static_cast<int>(i)});
}

Symbol get_symbol(const NDArray& head) {
  MV_CHECK(!head.is_none(), kValue) << "get_symbol: the array is empty";
  MV_CHECK(head.ag && head.ag->node, kValue)
      << "get_symbol: the array is not part of a recorded computation; compute it inside autograd.record() "
      << "from arrays that had attach_grad() called";
  std::vector<AGNode*> order = topo_order({head.ag->node.get()});  // inputs before their users
  std::unordered_map<AGNode*, NodePtr> built;
  auto variable = [](const std::string& name) {
    auto v = std::make_shared<Node>();
    v->name = name;
    return v;
  };
  for (AGNode* n : order) {
    if (!n->op) {
      built[n] = variable("var" + std::to_string(n->name_id));
      continue;
    }
    auto node = std::make_shared<Node>();
    node->op = n->op;
    node->attrs = n->attrs;
    node->name = "node_" + std::to_string(n->name_id);
    for (size_t i = 0; i < n->inputs.size(); ++i) {
      const AGEntry& e = n->inputs[i];
      node->inputs.push_back(e.node ? NodeEntry{built.at(e.node.get()), e.index}
                                    : NodeEntry{variable("null" + std::to_string(n->untracked_ids[i])), 0});
    }
    built[n] = node;
  }
  Symbol s;
  s.outputs.push_back(NodeEntry{built.at(head.ag->node.get()), head.ag->index});
  return s;
}

std::vector<NDArray> backward(const std::vector<NDArray>& heads, const std::vector<NDArray>& head_grads,
                              const std::vector<NDArray>& variables, bool retain_graph, bool create_graph,
                              bool is_train) {
  MV_CHECK(head_grads.empty() || head_grads.size() == heads.size(), kValue)
      << "backward: " << heads.size() << " heads but " << head_grads.size() << " head gradients";
  std::vector<AGNode*> roots;
  std::map<std::pair<AGNode*, int>, std::vector<NDArray>> grads;
  bool prev_rec = set_recording(create_graph), prev_train = set_training(is_train);
  struct Restore {
    bool r, t;
    ~Restore() { set_recording(r); set_training(t); }
  } restore{prev_rec, prev_train};

  for (size_t i = 0; i < heads.size(); ++i) {
    const NDArray& h = heads[i];
    MV_CHECK(!h.is_none(), kValue) << "backward: head " << i << " is an empty array";
    MV_CHECK(h.ag && h.ag->node, kValue)
        << "backward: head " << i << " is not part of a recorded graph; compute it inside autograd.record() "
        << "from arrays that had attach_grad() called";
    NDArray g;
    if (!head_grads.empty() && !head_grads[i].is_none()) {
      g = head_grads[i];
      MV_CHECK(g.shape() == h.shape(), kValue) << "backward: head gradient " << i << " has shape "
                                               << shape_str(g.shape()) << ", the head " << shape_str(h.shape());
    } else {
      g = invoke("ones_like", {h.detached()})[0];
    }
    grads[{h.ag->node.get(), h.ag->index}].push_back(g);
    roots.push_back(h.ag->node.get());
  }

  std::vector<AGNode*> order = topo_order(roots);
  std::map<AGNode*, std::shared_ptr<AGNode>> owners;  // keep nodes alive while walking
  for (AGNode* n : order)
    for (auto& e : n->inputs)
      if (e.node) owners[e.node.get()] = e.node;
  for (auto& h : heads) owners[h.ag->node.get()] = h.ag->node;

  std::map<AGNode*, NDArray> leaf_grads;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    AGNode* n = *it;
    if (!n->op) {
      auto found = grads.find({n, 0});
      if (found != grads.end()) leaf_grads[n] = sum_all(found->second);
      continue;
    }
    MV_CHECK(!n->freed, kValue) << "backward through operator " << n->op->name
                                << " a second time: its saved arrays were freed by the first backward; "
                                << "pass retain_graph=True to the first backward";
    ImperativeGradGraph g;
    GradContext ctx;
    ctx.attrs = n->attrs.get();
    std::shared_ptr<AGNode> self = owners[n];
    for (size_t i = 0; i < n->saved_inputs.size(); ++i) {
      NDArray a = create_graph && n->inputs[i].node ? with_entry(n->saved_inputs[i], n->inputs[i].node, n->inputs[i].index)
                                                    : n->saved_inputs[i];
      ctx.inputs.push_back(g.add(a, n->input_versions[i], n->op));
    }
    bool any = false;
    for (size_t i = 0; i < n->saved_outputs.size(); ++i) {
      NDArray o = create_graph ? with_entry(n->saved_outputs[i], self, static_cast<int>(i)) : n->saved_outputs[i];
      ctx.outputs.push_back(g.add(o, n->output_versions[i], n->op));
      auto found = grads.find({n, static_cast<int>(i)});
      NDArray og;
      if (found != grads.end()) {
        og = sum_all(found->second);
        any = true;
      } else {
        og = invoke("zeros_like", {n->saved_outputs[i]})[0];
      }
      ctx.out_grads.push_back(g.add(og));
    }
    if (!any) continue;
    MV_CHECK(n->op->gradient, kInternal) << "operator " << n->op->name << " has no gradient";
    std::vector<Tensor> in_grads = n->op->gradient(ctx);
    MV_CHECK(in_grads.size() == n->inputs.size(), kInternal)
        << "gradient of " << n->op->name << " returned " << in_grads.size() << " values for "
        << n->inputs.size() << " inputs";
    for (size_t i = 0; i < in_grads.size(); ++i) {
      const AGEntry& e = n->inputs[i];
      if (!e.node || !in_grads[i].defined()) continue;
      if (!e.node->op && e.node->req == GradReq::kNull) continue;
      grads[{e.node.get(), e.index}].push_back(g.value(in_grads[i]));
    }
  }

  std::vector<NDArray> results;
  if (!variables.empty()) {
    for (size_t i = 0; i < variables.size(); ++i) {
      const NDArray& v = variables[i];
      MV_CHECK(v.ag && v.ag->node && !v.ag->node->op, kValue)
          << "autograd.grad: variable " << i << " was not marked with attach_grad()/mark_variables";
      auto found = leaf_grads.find(v.ag->node.get());
      results.push_back(found != leaf_grads.end() ? found->second : invoke("zeros_like", {v.detached()})[0]);
    }
  } else {
    set_recording(false);
    for (auto& [leaf, g] : leaf_grads) {
      if (leaf->req == GradReq::kWrite) copy_array(g, leaf->grad);
      else if (leaf->req == GradReq::kAdd) invoke("elemwise_add", {leaf->grad, g}, {}, {leaf->grad});
    }
  }
  if (!retain_graph) {
    for (AGNode* n : order) {
      if (!n->op) continue;
      n->freed = true;
      n->saved_inputs.clear();
      n->saved_outputs.clear();
    }
  }
  return results;
}

}  // namespace autograd
}  // namespace minerva
