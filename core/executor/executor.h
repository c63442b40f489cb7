// The executor (DESIGN "Executor"): a symbol bound to arrays. Binding builds the gradient graph
// from the same per-operator gradient functions autograd uses (core/graph/gradient.h), plans
// memory for every intermediate entry (core/executor/memory_plan.h) and then runs the nodes
// through the ordinary imperative invoke with preallocated outputs, so kernels, shape checks
// and engine ordering are the imperative path's.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/autograd/autograd.h"
#include "core/graph/symbol.h"

namespace minerva {

struct MemoryPlanStats {
  size_t planned_bytes = 0;    // bytes of the buffers the plan allocates for internal entries
  size_t unplanned_bytes = 0;  // sum of every internal entry's bytes, as if each had its own buffer
  size_t num_buffers = 0;
  size_t num_entries = 0;
  size_t num_inplace = 0;      // entries that share their input's buffer in place
};

// Called after each node runs (in engine order) with "<node>_<output>" and the array, when a
// monitor is installed; runs on the calling thread after waiting for that array.
using MonitorFn = std::function<void(const std::string& name, const NDArray& array)>;

class Executor {
 public:
  // args / aux in list_arguments / list_auxiliary_states order; arg_grads parallel to args
  // (an empty NDArray where no gradient is wanted); grad_reqs parallel to args. Shapes and
  // dtypes are checked against inference; errors name the argument.
  Executor(const Symbol& sym, Context ctx, std::vector<NDArray> args, std::vector<NDArray> arg_grads,
           std::vector<GradReq> grad_reqs, std::vector<NDArray> aux);
  ~Executor();
  // Infers every shape and dtype from the given inputs, allocates arguments, gradients (for
  // grad_req != null) and auxiliary states (zeros), then binds. Unnamed entries of grad_reqs
  // use default_req.
  static std::unique_ptr<Executor> simple_bind(const Symbol& sym, Context ctx,
                                               const std::map<std::string, Shape>& shapes,
                                               const std::map<std::string, int>& dtypes,
                                               const std::map<std::string, GradReq>& grad_reqs,
                                               GradReq default_req);

  // Pushes the forward nodes; returns before the math runs (outputs are engine-ordered).
  void forward(bool is_train);
  // Pushes the backward nodes. out_grads parallel to the outputs; missing or empty entries
  // mean ones (loss layers ignore theirs). Gradients land in grad arrays per grad_req.
  void backward(const std::vector<NDArray>& out_grads, bool is_train = true);

  // CachedOp's per-call path: runs the forward nodes on `inputs` (sym.list_inputs() order, the
  // bound shapes and dtypes) instead of the bound arrays, into fresh output arrays it returns;
  // outputs() and the bound arrays stay as they were. Without keep_buffers the planned buffers
  // are dropped once the nodes are pushed (pending operations keep them alive) and allocated
  // again by the next call.
  std::vector<NDArray> forward_on(const std::vector<NDArray>& inputs, bool is_train, bool keep_buffers);

  const std::vector<NDArray>& outputs() const;
  const std::vector<NDArray>& arg_arrays() const;
  const std::vector<NDArray>& grad_arrays() const;
  const std::vector<NDArray>& aux_arrays() const;
  const Symbol& symbol() const;
  MemoryPlanStats memory_stats() const;
  void set_monitor(MonitorFn fn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A graph compiled once and called imperatively (CachedOp, behind HybridBlock.hybridize()).
// Inputs come in sym.list_inputs() order. While autograd records on the calling thread, the
// nodes run through invoke one by one and so are recorded like any mx.nd call; otherwise a
// forward-only executor planned for the input shapes runs them. Plans are cached per input
// shape/dtype signature. invoke is thread-safe: concurrent calls take distinct executors from
// the signature's pool (shared weights, per-call workspaces).
struct CachedOpFlags {
  bool static_alloc = false;  // keep each signature's planned buffers between calls
  bool static_shape = false;  // expect one signature: a second one is planned anew, not an error
};

class CachedOp {
 public:
  CachedOp(const Symbol& sym, CachedOpFlags flags);
  ~CachedOp();
  std::vector<NDArray> invoke(const std::vector<NDArray>& inputs);
  const Symbol& symbol() const;
  size_t num_plans() const;  // distinct input signatures planned so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace minerva
