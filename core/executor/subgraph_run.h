// Running the graphs a control-flow operator holds (_foreach, _while_loop, _cond).
//
// Note [Subgraph operators]
// A control-flow node holds whole graphs in Attrs::subgraphs (MXNet's NodeAttrs::subgraphs):
// composition takes them as its first arguments (_foreach(body, *inputs), as MXNet's
// FInputGraph) and symbol JSON keeps them in the node's "subgraphs" list. To the executor,
// CachedOp and autograd such a node is an ordinary operator: its kernel is pushed like any other
// and its gradient is a _backward_ operator with the same subgraphs. The kernel runs a subgraph
// with SubgraphProgram: node by node, each operator's forward called directly on buffers the
// program owns, inside the kernel. Pushing the inner nodes to the engine instead would have an
// engine worker wait for work queued behind itself (a loop's next step needs this step's values).
// Backward kernels recompute the forward steps they need and run the subgraph's gradient graph
// (build_gradient, the same per-operator gradients) once per step, so no state is kept between
// the forward and backward calls.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/graph/symbol.h"

namespace minerva {

class SubgraphProgram {
 public:
  // Computes `outputs`; an entry with a null node stands for "no value" (a gradient that does
  // not reach an input) and comes back as an empty NDArray. owner names the operator in errors.
  SubgraphProgram(std::vector<NodeEntry> outputs, std::string owner);

  using Bindings = std::vector<std::pair<const Node*, TBlob>>;
  // Runs the nodes with the variables bound to the given buffers (which must outlive the call).
  // Returns one fresh array per output.
  std::vector<NDArray> run(const OpContext& ctx, const Bindings& bindings) const;

 private:
  std::vector<NodeEntry> outputs_;
  std::vector<NodePtr> order_;
  std::string owner_;
};

// What a control-flow operator checks of each graph it holds before using it: at least one
// output, distinct input names, and no operator that updates its inputs in place (BatchNorm's
// moving statistics), which a loop body's inputs cannot be.
void check_subgraph(const Symbol& g, const std::string& owner, const std::string& what);
// Whether any node, at any depth, draws random numbers.
bool subgraph_uses_rng(const Symbol& g);

// Buffer helpers for the kernels: a row of axis 0, a copy, an owned zero array.
TBlob row_of(const TBlob& b, int64_t row);
void copy_blob(const TBlob& src, const TBlob& dst);
NDArray zeros_like_blob(const TBlob& b, Context ctx);
// dst += src with the registry's elemwise_add kernel (any dtype).
void add_into(const OpContext& ctx, NDArray* dst, const TBlob& src);

}  // namespace minerva
