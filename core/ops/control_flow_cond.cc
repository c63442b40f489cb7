// _cond: MXNet's symbolic if-then-else (mx.sym.contrib.cond), and its backward. The node holds
// three graphs: the condition, the then branch and the else branch; each *_input_locs lists,
// for each input of that graph, which node input feeds it. Only the chosen branch runs.
#include "core/ops/control_flow_util.h"

namespace minerva {
namespace {

using namespace control_flow;  // NOLINT: this file's vocabulary

const char* const kOp = "_cond";
const char* const kWhat[3] = {"condition", "then branch", "else branch"};
const char* const kLocs[3] = {"cond_input_locs", "then_input_locs", "else_input_locs"};

struct Layout {
  const Symbol* graph[3] = {nullptr, nullptr, nullptr};
  std::vector<size_t> locs[3];
  size_t num_inputs = 0, num_outputs = 0;
};

Layout layout_of(const Attrs& a) {
  Layout l;
  l.num_inputs = num_array_inputs(a, 3, kOp);
  l.num_outputs = static_cast<size_t>(a.get_int("num_outputs"));
  for (size_t g = 0; g < 3; ++g) {
    l.graph[g] = &subgraph(a, g, 3, kOp, kWhat[g]);
    l.locs[g] = locs(a, kLocs[g], l.num_inputs, kOp);
    MV_CHECK(l.graph[g]->list_inputs().size() == l.locs[g].size(), kValue)
        << kOp << ": the " << kWhat[g] << " graph has " << l.graph[g]->list_inputs().size() << " input(s), "
        << kLocs[g] << " lists " << l.locs[g].size();
  }
  check_num_outputs(*l.graph[0], 1, kOp, kWhat[0]);
  check_num_outputs(*l.graph[1], l.num_outputs, kOp, kWhat[1]);
  check_num_outputs(*l.graph[2], l.num_outputs, kOp, kWhat[2]);
  return l;
}

// Infers graph g from the node's inputs and writes what it learns back to them.
template <typename T, typename Infer, typename Merge>
std::vector<T> infer_one(const Layout& l, size_t g, std::vector<T>* in, T unknown, Infer infer, Merge merge) {
  std::vector<T> sub(l.locs[g].size(), unknown);
  for (size_t i = 0; i < sub.size(); ++i) sub[i] = (*in)[l.locs[g][i]];
  std::vector<T> outs = infer(*l.graph[g], &sub, kOp, kWhat[g]);
  for (size_t i = 0; i < sub.size(); ++i) merge(&(*in)[l.locs[g][i]], sub[i], std::string(kOp) + ": input");
  return outs;
}

void infer_shapes(const Layout& l, std::vector<Shape>* in, std::vector<Shape>* out) {
  infer_one<Shape>(l, 0, in, Shape{}, infer_graph_shapes, merge_shape);
  std::vector<Shape> then_out = infer_one<Shape>(l, 1, in, Shape{}, infer_graph_shapes, merge_shape);
  std::vector<Shape> else_out = infer_one<Shape>(l, 2, in, Shape{}, infer_graph_shapes, merge_shape);
  for (size_t k = 0; k < l.num_outputs; ++k) {
    MV_CHECK(then_out[k].empty() || else_out[k].empty() || then_out[k] == else_out[k], kValue)
        << kOp << ": output " << k << " of the then branch has shape " << shape_str(then_out[k])
        << ", of the else branch " << shape_str(else_out[k]) << "; both branches must give the same shapes";
    merge_shape(&(*out)[k], then_out[k].empty() ? else_out[k] : then_out[k],
                std::string(kOp) + ": output " + std::to_string(k));
  }
}

void infer_types(const Layout& l, std::vector<int>* in, std::vector<int>* out) {
  infer_one<int>(l, 0, in, -1, infer_graph_types, merge_type);
  std::vector<int> then_out = infer_one<int>(l, 1, in, -1, infer_graph_types, merge_type);
  std::vector<int> else_out = infer_one<int>(l, 2, in, -1, infer_graph_types, merge_type);
  for (size_t k = 0; k < l.num_outputs; ++k) {
    MV_CHECK(then_out[k] < 0 || else_out[k] < 0 || then_out[k] == else_out[k], kType)
        << kOp << ": output " << k << " of the then branch has dtype " << dtype_name(static_cast<DType>(then_out[k]))
        << ", of the else branch " << dtype_name(static_cast<DType>(else_out[k]));
    merge_type(&(*out)[k], then_out[k] < 0 ? else_out[k] : then_out[k], std::string(kOp) + ": output");
  }
}

SubgraphProgram::Bindings bind_inputs(const std::vector<NodePtr>& vars, const std::vector<size_t>& locs,
                               const std::vector<TBlob>& in) {
  SubgraphProgram::Bindings b;
  for (size_t i = 0; i < vars.size(); ++i) b.emplace_back(vars[i].get(), in[locs[i]]);
  return b;
}

// 1 for the then branch, 2 for the else branch.
size_t choose(const OpContext& ctx, const Layout& l, const std::vector<TBlob>& in) {
  const SubgraphProgram condition(l.graph[0]->outputs, kOp);
  NDArray pred = condition.run(ctx, bind_inputs(l.graph[0]->input_nodes(), l.locs[0], in)).at(0);
  return scalar_truth(pred, kOp, "the condition") ? 1 : 2;
}

void cond_forward(const OpContext& ctx, const Attrs& a, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const Layout l = layout_of(a);
  const size_t g = choose(ctx, l, in);
  const SubgraphProgram branch(l.graph[g]->outputs, kOp);
  std::vector<NDArray> outs = branch.run(ctx, bind_inputs(l.graph[g]->input_nodes(), l.locs[g], in));
  for (size_t k = 0; k < l.num_outputs; ++k) {
    MV_CHECK(outs[k].shape() == out[k].shape, kValue)
        << kOp << ": the " << kWhat[g] << " gave output " << k << " of shape " << shape_str(outs[k].shape())
        << ", expected " << shape_str(out[k].shape);
    copy_blob(outs[k].blob(), out[k]);
  }
}

// Inputs: the gradient of every output, then the forward's inputs; outputs: the gradient of
// every forward input (zeros for inputs only the other branch or the condition reads).
void cond_backward(const OpContext& ctx, const Attrs& a, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  const Layout l = layout_of(a);
  const std::vector<TBlob> fwd(in.begin() + static_cast<std::ptrdiff_t>(l.num_outputs), in.end());
  const size_t g = choose(ctx, l, fwd);
  const GradProgram gp = grad_program(*l.graph[g], kOp);
  SubgraphProgram::Bindings b = bind_inputs(gp.inputs, l.locs[g], fwd);
  for (size_t k = 0; k < l.num_outputs; ++k) b.emplace_back(gp.heads[k].get(), in[k]);
  std::vector<NDArray> grads = gp.program.run(ctx, b);
  std::vector<NDArray> sums;
  for (size_t i = 0; i < l.num_inputs; ++i) sums.push_back(zeros_like_blob(out[i], ctx.ctx));
  for (size_t i = 0; i < grads.size(); ++i)
    if (!grads[i].is_none()) add_into(ctx, &sums[l.locs[g][i]], grads[i].blob());
  for (size_t i = 0; i < l.num_inputs; ++i) copy_blob(sums[i].blob(), out[i]);
}

bool uses_rng(const Attrs& a) {
  for (const auto& g : a.subgraphs)
    if (subgraph_uses_rng(*g)) return true;
  return false;
}

// cond(sum(p) > 0, x * y, x - y): two samples, one per branch.
OpSample cond_sample(double lo, double hi) {
  OpSample s;
  s.shapes = {{2}, {2, 3}, {2, 3}};
  s.lo = lo;
  s.hi = hi;
  s.no_grad_inputs = {0};
  s.params = {{"num_args", "6"}, {"num_outputs", "1"}, {"cond_input_locs", "[0]"}, {"then_input_locs", "[1, 2]"},
              {"else_input_locs", "[1, 2]"}};
  s.subgraphs = {
      R"({"nodes": [{"op": "null", "name": "p", "inputs": []},
          {"op": "sum", "name": "total", "inputs": [[0, 0, 0]]},
          {"op": "_greater_scalar", "name": "positive", "attrs": {"scalar": "0"}, "inputs": [[1, 0, 0]]}],
        "arg_nodes": [0], "heads": [[2, 0, 0]]})",
      R"({"nodes": [{"op": "null", "name": "x", "inputs": []}, {"op": "null", "name": "y", "inputs": []},
          {"op": "elemwise_mul", "name": "xy", "inputs": [[0, 0, 0], [1, 0, 0]]}],
        "arg_nodes": [0, 1], "heads": [[2, 0, 0]]})",
      R"({"nodes": [{"op": "null", "name": "x", "inputs": []}, {"op": "null", "name": "y", "inputs": []},
          {"op": "elemwise_sub", "name": "x_y", "inputs": [[0, 0, 0], [1, 0, 0]]}],
        "arg_nodes": [0, 1], "heads": [[2, 0, 0]]})"};
  return s;
}

}  // namespace

MV_REGISTER_OP(_cond)
    .describe("Runs the then branch or the else branch (graphs the node holds) as the condition graph "
              "gives a true or false one-element array (MXNet's symbolic cond; made by "
              "mx.sym.contrib.cond). Both branches must give outputs of the same shapes and dtypes.")
    .set_list_inputs([](const Attrs& a) { return array_input_names(a, 3, kOp); })
    .required_param("num_args", ParamType::kInt, "Number of inputs, the three graphs included.")
    .bounds(3, 1 << 20)
    .required_param("num_outputs", ParamType::kInt, "The number of outputs of the subgraph.")
    .bounds(0, 1 << 20)
    .required_param("cond_input_locs", ParamType::kShape, "The locations of cond's inputs in the given inputs.")
    .kind(ParamKind::kList)
    .required_param("then_input_locs", ParamType::kShape, "The locations of then's inputs in the given inputs.")
    .kind(ParamKind::kList)
    .required_param("else_input_locs", ParamType::kShape, "The locations of else's inputs in the given inputs.")
    .kind(ParamKind::kList)
    .set_num_subgraphs(3)
    .set_num_outputs([](const Attrs& a) { return static_cast<int>(a.get_int("num_outputs")); })
    .set_infer_shape([](const Attrs& a, std::vector<Shape>* in, std::vector<Shape>* out) {
      infer_shapes(layout_of(a), in, out);
    })
    .set_infer_type([](const Attrs& a, std::vector<int>* in, std::vector<int>* out) {
      infer_types(layout_of(a), in, out);
    })
    .set_uses_rng(uses_rng)
    .set_forward(cond_forward)
    .set_gradient(gradient_through("_backward_cond"))
    .add_sample(cond_sample(0.1, 1.0))
    .add_sample(cond_sample(-1.0, -0.1));

MV_REGISTER_OP(_backward_cond)
    .describe("Gradient of _cond: the gradient graph of the branch the condition chooses.")
    .params_from("_cond")
    .set_list_inputs([](const Attrs& a) { return backward_input_names(a, 3, "_backward_cond"); })
    .set_num_subgraphs(3)
    .set_num_outputs([](const Attrs& a) { return static_cast<int>(num_array_inputs(a, 3, "_backward_cond")); })
    .set_infer_shape([](const Attrs& a, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Layout l = layout_of(a);
      infer_backward(l.num_outputs, l.num_inputs, in, out, Shape{},
                     [&l](std::vector<Shape>* i, std::vector<Shape>* o) { infer_shapes(l, i, o); }, "_backward_cond");
    })
    .set_infer_type([](const Attrs& a, std::vector<int>* in, std::vector<int>* out) {
      const Layout l = layout_of(a);
      infer_backward(l.num_outputs, l.num_inputs, in, out, -1,
                     [&l](std::vector<int>* i, std::vector<int>* o) { infer_types(l, i, o); }, "_backward_cond");
    })
    .set_uses_rng(uses_rng)
    .set_forward(cond_backward)
    .set_non_differentiable();

}  // namespace minerva
