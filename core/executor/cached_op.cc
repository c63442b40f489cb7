#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "core/executor/executor.h"
#include "core/op/invoke.h"

namespace minerva {

// Note [CachedOp calls]
// Two paths, picked per call on the calling thread:
//  - While autograd records, the nodes run one by one through invoke (no planned memory), so
//    each is recorded like an mx.nd call and gradients reach the inputs: Gluon's
//    hybridized training relies on this.
//  - Otherwise a forward-only Executor planned for the call's input signature (shapes,
//    dtypes, device) runs them. Executors are pooled per signature: a call checks one out
//    under the mutex, runs it unlocked, and returns it, so concurrent calls never share
//    planned buffers (shared weights, per-call workspaces). Outputs are fresh arrays each
//    call: a later call never overwrites what an earlier one returned.
// Training mode is the thread-local autograd::is_training() on either path.

namespace {

using Signature = std::vector<int64_t>;  // device, then per input: dtype, ndim, dims

Signature signature_of(const std::vector<NDArray>& inputs) {
  Signature sig;
  Context ctx = inputs.empty() ? Context::cpu(0) : inputs[0].ctx();
  sig.push_back(static_cast<int64_t>(ctx.dev_type));
  sig.push_back(ctx.dev_id);
  for (const NDArray& a : inputs) {
    sig.push_back(static_cast<int64_t>(a.dtype()));
    sig.push_back(a.ndim());
    sig.insert(sig.end(), a.shape().begin(), a.shape().end());
  }
  return sig;
}

}  // namespace

struct CachedOp::Impl {
  Symbol sym;
  CachedOpFlags flags;
  std::vector<NodePtr> order;                // topological
  std::vector<NodePtr> inputs;               // list_inputs order
  std::vector<std::string> input_names;
  std::set<const Node*> aux_nodes;
  std::map<const Node*, int> outputs_used;  // node -> how many outputs later nodes or the result read

  std::mutex mu;  // guards pools
  std::map<Signature, std::vector<std::unique_ptr<Executor>>> pools;  // idle executors per signature

  std::vector<NDArray> run_recorded(const std::vector<NDArray>& in) const;
  std::vector<NDArray> run_planned(const std::vector<NDArray>& in);
  std::unique_ptr<Executor> make_executor(const std::vector<NDArray>& in) const;
};

std::vector<NDArray> CachedOp::Impl::run_recorded(const std::vector<NDArray>& in) const {
  std::map<std::pair<const Node*, int>, NDArray> values;
  for (size_t i = 0; i < inputs.size(); ++i) values[{inputs[i].get(), 0}] = in[i];
  for (const NodePtr& n : order) {
    if (n->is_variable()) continue;
    std::vector<NDArray> args;
    for (const NodeEntry& e : n->inputs) args.push_back(values.at({e.node.get(), e.index}));
    std::vector<NDArray> outs;
    auto used = outputs_used.find(n.get());
    if (used != outputs_used.end() && used->second > n->num_visible_outputs()) {
      // A hidden output is read: allocate them all, so invoke fills (and records) every one.
      const int num = n->num_outputs();
      std::vector<Shape> in_shapes, out_shapes(static_cast<size_t>(num));
      std::vector<int> in_types, out_types(static_cast<size_t>(num), -1);
      for (const NDArray& a : args) {
        in_shapes.push_back(a.shape());
        in_types.push_back(static_cast<int>(a.dtype()));
      }
      infer_shapes_and_types(*n->op, *n->attrs, &in_shapes, &out_shapes, &in_types, &out_types);
      Context ctx = args.empty() ? Context::cpu(0) : args[0].ctx();
      for (int k = 0; k < num; ++k)
        outs.push_back(NDArray(out_shapes[static_cast<size_t>(k)], static_cast<DType>(out_types[static_cast<size_t>(k)]),
                               ctx, false));
      minerva::invoke(*n->op, n->attrs, args, outs);
    } else {
      outs = minerva::invoke(*n->op, n->attrs, args);
    }
    for (size_t k = 0; k < outs.size(); ++k) values[{n.get(), static_cast<int>(k)}] = outs[k];
  }
  std::vector<NDArray> result;
  for (const NodeEntry& e : sym.outputs) result.push_back(values.at({e.node.get(), e.index}));
  return result;
}

std::unique_ptr<Executor> CachedOp::Impl::make_executor(const std::vector<NDArray>& in) const {
  std::vector<NDArray> args, aux;
  for (size_t i = 0; i < inputs.size(); ++i) (aux_nodes.count(inputs[i].get()) ? aux : args).push_back(in[i]);
  // aux states keep list_auxiliary_states order: both lists follow the topological order.
  Context ctx = in.empty() ? Context::cpu(0) : in[0].ctx();
  return std::make_unique<Executor>(sym, ctx, std::move(args), std::vector<NDArray>{}, std::vector<GradReq>{},
                                    std::move(aux));
}

std::vector<NDArray> CachedOp::Impl::run_planned(const std::vector<NDArray>& in) {
  const Signature sig = signature_of(in);
  std::unique_ptr<Executor> exe;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = pools.find(sig);
    if (it != pools.end() && !it->second.empty()) {
      exe = std::move(it->second.back());
      it->second.pop_back();
    }
  }
  if (!exe) exe = make_executor(in);  // planning happens outside the lock
  struct Return {  // back to the pool, also when the call fails
    Impl& m;
    const Signature& sig;
    std::unique_ptr<Executor>& exe;
    ~Return() {
      std::lock_guard<std::mutex> lock(m.mu);
      m.pools[sig].push_back(std::move(exe));
    }
  } give_back{*this, sig, exe};
  return exe->forward_on(in, autograd::is_training(), flags.static_alloc);
}

CachedOp::CachedOp(const Symbol& sym, CachedOpFlags flags) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  MV_CHECK(!sym.outputs.empty(), kValue) << "CachedOp: the symbol has no outputs";
  m.sym = sym;
  m.flags = flags;
  m.order = sym.topo_order();
  m.inputs = sym.input_nodes();
  m.input_names = sym.list_inputs();
  for (const NodePtr& n : sym.auxiliary_nodes()) m.aux_nodes.insert(n.get());
  auto note_use = [&](const NodeEntry& e) {
    int& used = m.outputs_used[e.node.get()];
    used = std::max(used, e.index + 1);
  };
  for (const NodePtr& n : m.order)
    for (const NodeEntry& e : n->inputs) note_use(e);
  for (const NodeEntry& e : sym.outputs) note_use(e);
}

CachedOp::~CachedOp() = default;

std::vector<NDArray> CachedOp::invoke(const std::vector<NDArray>& inputs) {
  Impl& m = *impl_;
  MV_CHECK(inputs.size() == m.inputs.size(), kValue)
      << "CachedOp: the symbol has " << m.inputs.size() << " input(s) (" << join_names(m.input_names) << "), got "
      << inputs.size();
  for (size_t i = 0; i < inputs.size(); ++i) {
    MV_CHECK(!inputs[i].is_none(), kValue) << "CachedOp: input '" << m.input_names[i] << "' is an empty array";
    MV_CHECK(inputs[i].ctx() == inputs[0].ctx(), kValue)
        << "CachedOp: all inputs must be on one device; '" << m.input_names[i] << "' is on "
        << inputs[i].ctx().str() << ", '" << m.input_names[0] << "' on " << inputs[0].ctx().str();
  }
  if (autograd::is_recording()) return m.run_recorded(inputs);
  try {
    return m.run_planned(inputs);
  } catch (const Error& e) {
    throw Error(e.kind(), std::string("CachedOp: ") + e.what());
  }
}

const Symbol& CachedOp::symbol() const { return impl_->sym; }

size_t CachedOp::num_plans() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->pools.size();
}

}  // namespace minerva
