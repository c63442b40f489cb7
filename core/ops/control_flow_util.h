// Shared pieces of the control-flow operators (core/ops/control_flow*.cc): reading the graphs and
// the *_locs parameters a node holds, and inferring a subgraph's shapes and dtypes from its
// inputs'. See Note [Subgraph operators] in core/executor/subgraph_run.h.
#pragma once
#include <string>
#include <vector>

#include "core/executor/subgraph_run.h"
#include "core/graph/gradient.h"

namespace minerva {
namespace control_flow {

// The k-th graph of a node of `owner` that holds `count` of them; an error when the node was
// made without its graphs (parameters alone cannot carry them).
const Symbol& subgraph(const Attrs& a, size_t k, size_t count, const std::string& owner, const std::string& what);
// A *_locs parameter: positions, each in [0, limit).
std::vector<size_t> locs(const Attrs& a, const std::string& param, size_t limit, const std::string& owner);
// num_args less the graphs: the node's array inputs.
size_t num_array_inputs(const Attrs& a, size_t num_graphs, const std::string& owner);
void check_num_outputs(const Symbol& g, size_t expected, const std::string& owner, const std::string& what);

// Infers g from input shapes in list_inputs order (empty: unknown), filling the unknown ones g
// determines; returns its output shapes (empty where unknown). Contradictions are errors
// naming owner and the graph.
std::vector<Shape> infer_graph_shapes(const Symbol& g, std::vector<Shape>* in, const std::string& owner,
                                      const std::string& what);
std::vector<int> infer_graph_types(const Symbol& g, std::vector<int>* in, const std::string& owner,
                                   const std::string& what);
// Sets *slot to value when unknown; an error ("<what> has shape A, expected B") when both are
// known and differ.
void merge_shape(Shape* slot, const Shape& value, const std::string& what);
void merge_type(int* slot, int value, const std::string& what);

// A graph's gradient program: inputs, one head-gradient variable per output, and a program
// giving the gradient of every input (an empty array where none reaches it).
struct GradProgram {
  std::vector<NodePtr> inputs;
  std::vector<NodePtr> heads;
  SubgraphProgram program;
};
GradProgram grad_program(const Symbol& g, const std::string& owner);

// The Attrs of a backward operator: the forward's parameters and graphs.
AttrsPtr backward_attrs(const std::string& backward_op, const GradContext& g);

// The node's array inputs: data0, data1, ... (num_args less the graphs).
std::vector<std::string> array_input_names(const Attrs& a, size_t num_graphs, const std::string& owner);
// A backward node's inputs: one head gradient per forward output (ograd0, ...), then the
// forward's array inputs.
std::vector<std::string> backward_input_names(const Attrs& a, size_t num_graphs, const std::string& backward_op);
// The forward's gradient: the backward operator over (head gradients, forward inputs), given the
// forward's parameters and graphs.
GradientFn gradient_through(const std::string& backward_op);

// Shapes or dtypes of a backward node from its forward's inference `forward(fwd_in, fwd_out)`:
// the inputs are the head gradients (one per forward output) then the forward's inputs; the
// outputs are one gradient per forward input, each shaped as that input.
void merge_into(Shape* slot, const Shape& value, const std::string& what);
void merge_into(int* slot, int value, const std::string& what);
template <typename T, typename Forward>
void infer_backward(size_t num_outputs, size_t num_inputs, std::vector<T>* in, std::vector<T>* out, const T& unknown,
                    Forward forward, const std::string& backward_op) {
  std::vector<T> fwd_in(in->begin() + static_cast<std::ptrdiff_t>(num_outputs), in->end());
  std::vector<T> fwd_out(num_outputs, unknown);
  forward(&fwd_in, &fwd_out);
  for (size_t k = 0; k < num_outputs; ++k)
    merge_into(&(*in)[k], fwd_out[k], backward_op + ": the gradient of output " + std::to_string(k));
  for (size_t i = 0; i < num_inputs; ++i) {
    merge_into(&(*in)[num_outputs + i], fwd_in[i], backward_op);
    merge_into(&(*out)[i], fwd_in[i], backward_op);
  }
}

// The truth of a one-element array (a loop or branch condition).
bool scalar_truth(const NDArray& a, const std::string& owner, const std::string& what);

}  // namespace control_flow
}  // namespace minerva
