// The gradient graph of a symbol (DESIGN rule 3): the per-operator gradient functions that
// autograd evaluates imperatively (core/op/grad.h) here build graph nodes instead, so symbolic
// and imperative gradients agree by construction.
#pragma once
#include <vector>

#include "core/graph/symbol.h"

namespace minerva {

struct GradientGraph {
  // One variable per forward output, named "<output>_head_grad": the out_grads of backward.
  std::vector<NodePtr> head_grads;
  // Parallel to `wrt`: the gradient entry of each variable; node == nullptr where no gradient
  // reaches it (the executor writes zeros there).
  std::vector<NodeEntry> grads;
};

// Builds the gradient nodes of sym's outputs with respect to the variables `wrt` (nodes of sym).
// Contributions to one entry are summed; outputs without a gradient get zeros_like.
GradientGraph build_gradient(const Symbol& sym, const std::vector<NodePtr>& wrt);

}  // namespace minerva
