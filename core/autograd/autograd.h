// Imperative autograd: while recording, every differentiable invoke appends a node that points
// at the nodes of its inputs. backward() walks that graph iteratively from the heads and calls
// each operator's gradient function (core/op/grad.h).
#pragma once
#include <memory>
#include <vector>

#include "core/graph/symbol.h"
#include "core/op/op.h"

namespace minerva {

// MXNet's OpReqType codes for grad_req.
enum class GradReq : int { kNull = 0, kWrite = 1, kAdd = 3 };

struct AGNode;
struct AGEntry {
  std::shared_ptr<AGNode> node;  // producer (a leaf node for marked variables)
  int index = 0;                 // which output of the producer
};

namespace autograd {

// Thread-local modes (ABI rule 15). The setters return the previous value.
bool is_recording();
bool is_training();
bool set_recording(bool on);
bool set_training(bool on);

// Marks arrays as variables: gradients flow into `grads` per `reqs`.
void mark_variables(const std::vector<NDArray*>& vars, const std::vector<NDArray>& grads,
                    const std::vector<GradReq>& reqs);
// Gradient buffer of a marked variable (none when unmarked).
NDArray get_grad(const NDArray& var);

void record(const OpDef& op, const AttrsPtr& attrs, const std::vector<NDArray>& inputs,
            const std::vector<NDArray>& outputs);

// Back-propagates from heads (head_grads entries may be none: ones). With `variables` empty,
// writes into every reachable variable's buffer per its grad_req; otherwise returns the
// gradients of `variables` without touching buffers (autograd.grad).
std::vector<NDArray> backward(const std::vector<NDArray>& heads, const std::vector<NDArray>& head_grads,
                              const std::vector<NDArray>& variables, bool retain_graph, bool create_graph,
                              bool is_train);

// The recorded computation of `head` as a Symbol (MXNet's autograd.get_symbol): each recorded
// operator becomes a node "node_<k>" with its parameters, each marked variable a variable
// "var<k>", and each untracked input a variable "null<k>", numbered by process-wide counters when
// they were recorded or marked, as MXNet names them. An array that was not computed under record() (nor marked) is a kValue error.
Symbol get_symbol(const NDArray& head);

}  // namespace autograd
}  // namespace minerva
