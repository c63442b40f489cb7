// _while_loop: MXNet's symbolic while loop (mx.sym.contrib.while_loop), and its backward. The
// node holds the condition graph and the body ("func") graph; cond_input_locs / func_input_locs
// say which node input feeds each graph input, func_var_locs which func inputs are the loop
// variables. func's outputs: num_out_data step outputs, then the new loop variables. The step
// outputs are stacked on a new axis 0 of length max_iterations; rows after the last step are
// zeros (MXNet leaves them unspecified).
#include <algorithm>

#include "core/ops/control_flow_util.h"

namespace minerva {
namespace {

using namespace control_flow;  // NOLINT: this file's vocabulary

const char* const kOp = "_while_loop";

struct Layout {
  const Symbol* cond = nullptr;
  const Symbol* func = nullptr;
  size_t num_inputs = 0, num_outputs = 0, num_out_data = 0;
  int64_t max_iterations = 0;
  std::vector<size_t> cond_locs, func_locs, var_locs;
  std::vector<size_t> var_input;  // loop variable j -> the node input holding its initial value
};

Layout layout_of(const Attrs& a) {
  Layout l;
  l.num_inputs = num_array_inputs(a, 2, kOp);
  l.cond = &subgraph(a, 0, 2, kOp, "condition");
  l.func = &subgraph(a, 1, 2, kOp, "loop body");
  l.num_outputs = static_cast<size_t>(a.get_int("num_outputs"));
  const int64_t out_data = a.get_int("num_out_data");
  l.max_iterations = a.get_int("max_iterations");
  l.cond_locs = locs(a, "cond_input_locs", l.num_inputs, kOp);
  l.func_locs = locs(a, "func_input_locs", l.num_inputs, kOp);
  l.var_locs = locs(a, "func_var_locs", l.func_locs.size(), kOp);
  MV_CHECK(l.cond->list_inputs().size() == l.cond_locs.size(), kValue)
      << kOp << ": the condition graph has " << l.cond->list_inputs().size() << " input(s), cond_input_locs lists "
      << l.cond_locs.size();
  MV_CHECK(l.func->list_inputs().size() == l.func_locs.size(), kValue)
      << kOp << ": the loop body graph has " << l.func->list_inputs().size() << " input(s), func_input_locs lists "
      << l.func_locs.size();
  MV_CHECK(out_data >= 0 && static_cast<size_t>(out_data) <= l.num_outputs &&
               l.num_outputs - static_cast<size_t>(out_data) == l.var_locs.size(),
           kValue)
      << kOp << ": num_outputs = " << l.num_outputs << " must be num_out_data (" << out_data << ") plus the "
      << l.var_locs.size() << " loop variable(s)";
  l.num_out_data = static_cast<size_t>(out_data);
  check_num_outputs(*l.cond, 1, kOp, "condition");
  check_num_outputs(*l.func, l.num_outputs, kOp, "loop body");
  std::vector<bool> seen(l.func_locs.size(), false);
  for (size_t v : l.var_locs) {
    MV_CHECK(!seen[v], kValue) << kOp << ": func_var_locs lists body input " << v << " twice";
    seen[v] = true;
    // Two loop variables fed from one node input would overwrite each other's carried value.
    const size_t input = l.func_locs[v];
    MV_CHECK(std::find(l.var_input.begin(), l.var_input.end(), input) == l.var_input.end(), kValue)
        << kOp << ": loop variables " << v << " and another both come from node input " << input
        << " (func_input_locs repeats it)";
    l.var_input.push_back(input);
  }
  return l;
}

template <typename T, typename Infer, typename Merge>
std::vector<T> infer_graph(const Symbol& g, const std::vector<size_t>& locs, std::vector<T>* in, T unknown,
                           const char* what, Infer infer, Merge merge) {
  std::vector<T> sub(locs.size(), unknown);
  for (size_t i = 0; i < sub.size(); ++i) sub[i] = (*in)[locs[i]];
  std::vector<T> outs = infer(g, &sub, kOp, what);
  for (size_t i = 0; i < sub.size(); ++i) merge(&(*in)[locs[i]], sub[i], std::string(kOp) + ": input");
  return outs;
}

void infer_shapes(const Layout& l, std::vector<Shape>* in, std::vector<Shape>* out) {
  // A loop variable's shape is fixed: what func returns for it is its input's shape too.
  for (size_t j = 0; j < l.var_input.size(); ++j) merge_shape(&(*in)[l.var_input[j]], (*out)[l.num_out_data + j], kOp);
  std::vector<Shape> fo = infer_graph<Shape>(*l.func, l.func_locs, in, Shape{}, "loop body", infer_graph_shapes,
                                             merge_shape);
  infer_graph<Shape>(*l.cond, l.cond_locs, in, Shape{}, "condition", infer_graph_shapes, merge_shape);
  for (size_t k = 0; k < l.num_out_data; ++k) {
    if (fo[k].empty()) continue;
    Shape s{l.max_iterations};
    s.insert(s.end(), fo[k].begin(), fo[k].end());
    merge_shape(&(*out)[k], s, std::string(kOp) + ": output " + std::to_string(k));
  }
  for (size_t j = 0; j < l.var_input.size(); ++j) {
    const Shape& init = (*in)[l.var_input[j]];
    const Shape& next = fo[l.num_out_data + j];
    MV_CHECK(init.empty() || next.empty() || init == next, kValue)
        << kOp << ": loop variable " << j << " starts with shape " << shape_str(init)
        << " but the body returns shape " << shape_str(next) << "; a loop variable must keep its shape";
    merge_shape(&(*out)[l.num_out_data + j], next.empty() ? init : next, kOp);
  }
}

void infer_types(const Layout& l, std::vector<int>* in, std::vector<int>* out) {
  std::vector<int> fo = infer_graph<int>(*l.func, l.func_locs, in, -1, "loop body", infer_graph_types, merge_type);
  infer_graph<int>(*l.cond, l.cond_locs, in, -1, "condition", infer_graph_types, merge_type);
  for (size_t k = 0; k < l.num_outputs; ++k) merge_type(&(*out)[k], fo[k], kOp);
  for (size_t j = 0; j < l.var_input.size(); ++j)
    merge_type(&(*in)[l.var_input[j]], (*out)[l.num_out_data + j], std::string(kOp) + ": loop variable");
}

SubgraphProgram::Bindings bind_inputs(const std::vector<NodePtr>& vars, const std::vector<size_t>& locs,
                               const std::vector<TBlob>& current) {
  SubgraphProgram::Bindings b;
  for (size_t i = 0; i < vars.size(); ++i) b.emplace_back(vars[i].get(), current[locs[i]]);
  return b;
}

// Runs the loop over `in`; visit(step, current node-input values, func outputs) sees each step.
// Returns the final loop variables (owned).
template <typename Visit>
std::vector<NDArray> run_loop(const OpContext& ctx, const Layout& l, const std::vector<TBlob>& in, Visit visit) {
  const SubgraphProgram cond(l.cond->outputs, kOp), func(l.func->outputs, kOp);
  const std::vector<NodePtr> cond_vars = l.cond->input_nodes(), func_vars = l.func->input_nodes();
  std::vector<TBlob> current = in;
  std::vector<NDArray> vars;
  for (size_t j = 0; j < l.var_input.size(); ++j) {
    vars.emplace_back(in[l.var_input[j]].shape, in[l.var_input[j]].dtype, ctx.ctx, false);
    copy_blob(in[l.var_input[j]], vars.back().blob());
  }
  for (int64_t step = 0; step < l.max_iterations; ++step) {
    NDArray pred = cond.run(ctx, bind_inputs(cond_vars, l.cond_locs, current)).at(0);
    if (!scalar_truth(pred, kOp, "the condition")) break;
    std::vector<NDArray> outs = func.run(ctx, bind_inputs(func_vars, l.func_locs, current));
    visit(step, current, outs);
    for (size_t j = 0; j < l.var_input.size(); ++j) {
      const NDArray& next = outs[l.num_out_data + j];
      MV_CHECK(next.shape() == vars[j].shape(), kValue)
          << kOp << ": loop variable " << j << " has shape " << shape_str(vars[j].shape())
          << " but the body returns shape " << shape_str(next.shape()) << " at step " << step;
      vars[j] = next;
      current[l.var_input[j]] = vars[j].blob();
    }
  }
  return vars;
}

void while_forward(const OpContext& ctx, const Attrs& a, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  const Layout l = layout_of(a);
  for (size_t k = 0; k < l.num_out_data; ++k) copy_blob(zeros_like_blob(out[k], ctx.ctx).blob(), out[k]);
  std::vector<NDArray> vars = run_loop(ctx, l, in, [&](int64_t step, const std::vector<TBlob>&,
                                                       const std::vector<NDArray>& outs) {
    for (size_t k = 0; k < l.num_out_data; ++k) {
      const TBlob row = row_of(out[k], step);
      MV_CHECK(outs[k].shape() == row.shape, kValue)
          << kOp << ": step output " << k << " has shape " << shape_str(outs[k].shape()) << " at step " << step
          << ", expected " << shape_str(row.shape) << "; every step must give the same shapes";
      copy_blob(outs[k].blob(), row);
    }
  });
  for (size_t j = 0; j < vars.size(); ++j) copy_blob(vars[j].blob(), out[l.num_out_data + j]);
}

// Inputs: the gradient of every output, then the forward's inputs; outputs: the gradient of
// every forward input. Recomputes the loop variables of every step, then runs the body's
// gradient graph from the last step to the first.
void while_backward(const OpContext& ctx, const Attrs& a, const std::vector<TBlob>& in,
                    const std::vector<TBlob>& out) {
  const Layout l = layout_of(a);
  const std::vector<TBlob> ograds(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(l.num_outputs));
  const std::vector<TBlob> fwd(in.begin() + static_cast<std::ptrdiff_t>(l.num_outputs), in.end());
  std::vector<std::vector<NDArray>> kept;  // per step: the loop variables it read
  run_loop(ctx, l, fwd, [&](int64_t, const std::vector<TBlob>& current, const std::vector<NDArray>&) {
    std::vector<NDArray> step;
    for (size_t input : l.var_input) {
      step.emplace_back(current[input].shape, current[input].dtype, ctx.ctx, false);
      copy_blob(current[input], step.back().blob());
    }
    kept.push_back(std::move(step));
  });
  const GradProgram gp = grad_program(*l.func, kOp);
  std::vector<NDArray> sums;
  for (size_t i = 0; i < l.num_inputs; ++i) sums.push_back(zeros_like_blob(out[i], ctx.ctx));
  std::vector<NDArray> carry;
  for (size_t j = 0; j < l.var_input.size(); ++j) {
    const TBlob& og = ograds[l.num_out_data + j];
    carry.emplace_back(og.shape, og.dtype, ctx.ctx, false);
    copy_blob(og, carry.back().blob());
  }
  std::vector<int> var_of_func_input(l.func_locs.size(), -1);
  for (size_t j = 0; j < l.var_locs.size(); ++j) var_of_func_input[l.var_locs[j]] = static_cast<int>(j);
  std::vector<TBlob> current = fwd;
  for (int64_t step = static_cast<int64_t>(kept.size()) - 1; step >= 0; --step) {
    for (size_t j = 0; j < l.var_input.size(); ++j) current[l.var_input[j]] = kept[static_cast<size_t>(step)][j].blob();
    SubgraphProgram::Bindings b = bind_inputs(gp.inputs, l.func_locs, current);
    for (size_t k = 0; k < l.num_outputs; ++k)
      b.emplace_back(gp.heads[k].get(), k < l.num_out_data ? row_of(ograds[k], step) : carry[k - l.num_out_data].blob());
    std::vector<NDArray> g = gp.program.run(ctx, b);
    for (size_t i = 0; i < g.size(); ++i) {
      const int var = var_of_func_input[i];
      if (var >= 0)
        carry[static_cast<size_t>(var)] = g[i].is_none() ? zeros_like_blob(carry[static_cast<size_t>(var)].blob(), ctx.ctx) : g[i];
      else if (!g[i].is_none())
        add_into(ctx, &sums[l.func_locs[i]], g[i].blob());
    }
  }
  for (size_t j = 0; j < l.var_input.size(); ++j) add_into(ctx, &sums[l.var_input[j]], carry[j].blob());
  for (size_t i = 0; i < l.num_inputs; ++i) copy_blob(sums[i].blob(), out[i]);
}

bool uses_rng(const Attrs& a) {
  for (const auto& g : a.subgraphs)
    if (subgraph_uses_rng(*g)) return true;
  return false;
}

// while i < 3: (out = x * w, (i + 1, x * w)) with max_iterations 4: three steps, one padded row.
OpSample while_sample() {
  OpSample s;
  s.shapes = {{1}, {2}, {2}};
  s.lo = 0.0;
  s.hi = 0.5;
  s.no_grad_inputs = {0};
  s.params = {{"num_args", "5"}, {"num_outputs", "3"}, {"num_out_data", "1"}, {"max_iterations", "4"},
              {"cond_input_locs", "[0]"}, {"func_input_locs", "[1, 2, 0]"}, {"func_var_locs", "[2, 0]"}};
  s.subgraphs = {
      R"({"nodes": [{"op": "null", "name": "i", "inputs": []},
          {"op": "_lesser_scalar", "name": "more", "attrs": {"scalar": "2.5"}, "inputs": [[0, 0, 0]]}],
        "arg_nodes": [0], "heads": [[1, 0, 0]]})",
      R"({"nodes": [{"op": "null", "name": "x", "inputs": []}, {"op": "null", "name": "w", "inputs": []},
          {"op": "elemwise_mul", "name": "xw", "inputs": [[0, 0, 0], [1, 0, 0]]},
          {"op": "null", "name": "i", "inputs": []},
          {"op": "_plus_scalar", "name": "next_i", "attrs": {"scalar": "1"}, "inputs": [[3, 0, 0]]},
          {"op": "sin", "name": "next_x", "inputs": [[2, 0, 0]]}],
        "arg_nodes": [0, 1, 3], "heads": [[2, 0, 0], [4, 0, 0], [5, 0, 0]]})"};
  return s;
}

}  // namespace

MV_REGISTER_OP(_while_loop)
    .describe("Runs a loop body (a graph the node holds) while the condition graph gives a true one-element "
              "array, at most max_iterations times (MXNet's symbolic while_loop; made by "
              "mx.sym.contrib.while_loop). Outputs: the body's step outputs stacked on a new axis 0 of length "
              "max_iterations (rows after the last step are zeros), then the final loop variables.")
    .set_list_inputs([](const Attrs& a) { return array_input_names(a, 2, kOp); })
    .required_param("num_args", ParamType::kInt, "Number of input arguments, including cond and func as two "
                                                 "symbol inputs.")
    .bounds(2, 1 << 20)
    .required_param("num_outputs", ParamType::kInt, "The number of outputs of the subgraph.")
    .bounds(0, 1 << 20)
    .required_param("num_out_data", ParamType::kInt, "The number of outputs from the function body.")
    .bounds(0, 1 << 20)
    .required_param("max_iterations", ParamType::kInt, "Maximum number of iterations.")
    .bounds(0, 1 << 30)
    .required_param("cond_input_locs", ParamType::kShape, "The locations of cond's inputs in the given inputs.")
    .kind(ParamKind::kList)
    .required_param("func_input_locs", ParamType::kShape, "The locations of func's inputs in the given inputs.")
    .kind(ParamKind::kList)
    .required_param("func_var_locs", ParamType::kShape, "The locations of loop_vars among func's inputs.")
    .kind(ParamKind::kList)
    .set_num_subgraphs(2)
    .set_num_outputs([](const Attrs& a) { return static_cast<int>(a.get_int("num_outputs")); })
    .set_infer_shape([](const Attrs& a, std::vector<Shape>* in, std::vector<Shape>* out) {
      infer_shapes(layout_of(a), in, out);
    })
    .set_infer_type([](const Attrs& a, std::vector<int>* in, std::vector<int>* out) {
      infer_types(layout_of(a), in, out);
    })
    .set_uses_rng(uses_rng)
    .set_forward(while_forward)
    .set_gradient(gradient_through("_backward_while_loop"))
    .add_sample(while_sample());

MV_REGISTER_OP(_backward_while_loop)
    .describe("Gradient of _while_loop: the body's gradient graph from the last step run to the first.")
    .params_from("_while_loop")
    .set_list_inputs([](const Attrs& a) { return backward_input_names(a, 2, "_backward_while_loop"); })
    .set_num_subgraphs(2)
    .set_num_outputs([](const Attrs& a) { return static_cast<int>(num_array_inputs(a, 2, "_backward_while_loop")); })
    .set_infer_shape([](const Attrs& a, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Layout l = layout_of(a);
      infer_backward(l.num_outputs, l.num_inputs, in, out, Shape{},
                     [&l](std::vector<Shape>* i, std::vector<Shape>* o) { infer_shapes(l, i, o); }, "_backward_while_loop");
    })
    .set_infer_type([](const Attrs& a, std::vector<int>* in, std::vector<int>* out) {
      const Layout l = layout_of(a);
      infer_backward(l.num_outputs, l.num_inputs, in, out, -1,
                     [&l](std::vector<int>* i, std::vector<int>* o) { infer_types(l, i, o); }, "_backward_while_loop");
    })
    .set_uses_rng(uses_rng)
    .set_forward(while_backward)
    .set_non_differentiable();

}  // namespace minerva
