// _foreach: MXNet's symbolic for loop over axis 0 (mx.sym.contrib.foreach), and its backward.
// Node inputs: [data..., init states..., remaining (free variables of the body)...]; the
// *_locs parameters give each one's position among the body graph's inputs. Body outputs:
// num_out_data per-step outputs (stacked on a new axis 0), then the new states.
#include "core/ops/control_flow_util.h"

namespace minerva {
namespace {

using namespace control_flow;  // NOLINT: this file's vocabulary

const char* const kOp = "_foreach";

struct Layout {
  const Symbol* body = nullptr;
  size_t num_inputs = 0, num_outputs = 0, num_out_data = 0;
  std::vector<size_t> data, states, remain;  // body positions of the node's inputs, in node order
  std::vector<size_t> position;              // node input i -> body input position
};

Layout layout_of(const Attrs& a) {
  Layout l;
  l.num_inputs = num_array_inputs(a, 1, kOp);
  l.body = &subgraph(a, 0, 1, kOp, "body");
  l.num_outputs = static_cast<size_t>(a.get_int("num_outputs"));
  const int64_t out_data = a.get_int("num_out_data");
  l.data = locs(a, "in_data_locs", l.num_inputs, kOp);
  l.states = locs(a, "in_state_locs", l.num_inputs, kOp);
  l.remain = locs(a, "remain_locs", l.num_inputs, kOp);
  MV_CHECK(!l.data.empty(), kValue) << kOp << ": needs at least one data array to iterate over (in_data_locs is empty)";
  MV_CHECK(l.data.size() + l.states.size() + l.remain.size() == l.num_inputs, kValue)
      << kOp << ": in_data_locs, in_state_locs and remain_locs list " << l.data.size() << " + " << l.states.size()
      << " + " << l.remain.size() << " inputs, the node has " << l.num_inputs;
  l.position = l.data;
  l.position.insert(l.position.end(), l.states.begin(), l.states.end());
  l.position.insert(l.position.end(), l.remain.begin(), l.remain.end());
  std::vector<bool> seen(l.num_inputs, false);
  for (size_t p : l.position) {
    MV_CHECK(!seen[p], kValue) << kOp << ": body input " << p << " is listed twice among the *_locs";
    seen[p] = true;
  }
  MV_CHECK(out_data >= 0 && static_cast<size_t>(out_data) <= l.num_outputs &&
               l.num_outputs - static_cast<size_t>(out_data) == l.states.size(),
           kValue)
      << kOp << ": num_outputs = " << l.num_outputs << " must be num_out_data (" << out_data << ") plus the "
      << l.states.size() << " state(s)";
  l.num_out_data = static_cast<size_t>(out_data);
  MV_CHECK(l.body->list_inputs().size() == l.num_inputs, kValue)
      << kOp << ": the body graph has " << l.body->list_inputs().size() << " input(s), the node " << l.num_inputs;
  check_num_outputs(*l.body, l.num_outputs, kOp, "body");
  return l;
}

Shape row_shape(const Shape& s) { return s.size() > 1 ? Shape(s.begin() + 1, s.end()) : Shape{1}; }
Shape stacked(int64_t len, const Shape& row) {
  Shape s{len};
  s.insert(s.end(), row.begin(), row.end());
  return s;
}

// The shared part of forward and backward shape inference: `in` holds the node's inputs.
void infer_shapes(const Layout& l, std::vector<Shape>* in, std::vector<Shape>* out) {
  int64_t len = -1;
  for (size_t j = 0; j < l.data.size(); ++j) {
    const Shape& s = (*in)[j];
    if (s.empty()) continue;
    MV_CHECK(len < 0 || s[0] == len, kValue) << kOp << ": every data array needs the same length on axis 0; data "
                                             << j << " has shape " << shape_str(s) << ", data 0 length " << len;
    len = s[0];
  }
  std::vector<Shape> body_in(l.num_inputs);
  for (size_t i = 0; i < l.num_inputs; ++i)
    body_in[l.position[i]] = (i < l.data.size() && !(*in)[i].empty()) ? row_shape((*in)[i]) : (*in)[i];
  std::vector<Shape> body_out = infer_graph_shapes(*l.body, &body_in, kOp, "body");
  for (size_t i = l.data.size(); i < l.num_inputs; ++i) merge_shape(&(*in)[i], body_in[l.position[i]], kOp);
  for (size_t k = 0; k < l.num_outputs; ++k) {
    const Shape& b = body_out.at(k);
    if (b.empty()) continue;
    if (k < l.num_out_data) {
      if (len >= 0) merge_shape(&(*out)[k], stacked(len, b), std::string(kOp) + ": output " + std::to_string(k));
      continue;
    }
    const size_t j = k - l.num_out_data;
    const Shape& init = (*in)[l.data.size() + j];
    MV_CHECK(init.empty() || init == b, kValue)
        << kOp << ": loop state " << j << " starts with shape " << shape_str(init) << " but the body returns shape "
        << shape_str(b) << "; a state must keep its shape from step to step";
    merge_shape(&(*out)[k], b, kOp);
  }
}

void infer_types(const Layout& l, std::vector<int>* in, std::vector<int>* out) {
  std::vector<int> body_in(l.num_inputs, -1);
  for (size_t i = 0; i < l.num_inputs; ++i) body_in[l.position[i]] = (*in)[i];
  std::vector<int> body_out = infer_graph_types(*l.body, &body_in, kOp, "body");
  for (size_t i = 0; i < l.num_inputs; ++i) merge_type(&(*in)[i], body_in[l.position[i]], kOp);
  for (size_t k = 0; k < l.num_outputs; ++k) merge_type(&(*out)[k], body_out.at(k), kOp);
  for (size_t j = 0; j < l.states.size(); ++j) {
    int& init = (*in)[l.data.size() + j];
    MV_CHECK(init < 0 || (*out)[l.num_out_data + j] < 0 || init == (*out)[l.num_out_data + j], kType)
        << kOp << ": loop state " << j << " starts as " << dtype_name(static_cast<DType>(init))
        << " but the body returns " << dtype_name(static_cast<DType>((*out)[l.num_out_data + j]));
  }
}

SubgraphProgram::Bindings bind_inputs(const std::vector<NodePtr>& vars, const std::vector<TBlob>& values) {
  SubgraphProgram::Bindings b;
  for (size_t i = 0; i < vars.size(); ++i) b.emplace_back(vars[i].get(), values[i]);
  return b;
}

int64_t length_of(const Layout& l, const std::vector<TBlob>& in) {
  for (size_t j = 0; j < l.data.size(); ++j)
    MV_CHECK(!in[j].shape.empty(), kValue) << kOp << ": data " << j << " has no axis 0 to loop over (a 0-d array)";
  const int64_t len = in[0].shape[0];
  for (size_t j = 1; j < l.data.size(); ++j)
    MV_CHECK(in[j].shape[0] == len, kValue) << kOp << ": data " << j << " has length " << in[j].shape[0]
                                            << " on axis 0, data 0 " << len;
  return len;
}

// Runs the loop; `visit(step, body inputs, body outputs)` sees every step before the states move on.
template <typename Visit>
std::vector<NDArray> run_loop(const OpContext& ctx, const Layout& l, const std::vector<TBlob>& in, Visit visit) {
  const std::vector<NodePtr> vars = l.body->input_nodes();
  const SubgraphProgram program(l.body->outputs, kOp);
  std::vector<TBlob> body_in(l.num_inputs);
  for (size_t i = l.data.size(); i < l.num_inputs; ++i) body_in[l.position[i]] = in[i];
  std::vector<NDArray> states;  // the current states, owned; empty before the first step
  const int64_t len = length_of(l, in);
  for (int64_t t = 0; t < len; ++t) {
    for (size_t j = 0; j < l.data.size(); ++j) body_in[l.data[j]] = row_of(in[j], t);
    std::vector<NDArray> outs = program.run(ctx, bind_inputs(vars, body_in));
    visit(t, body_in, outs);
    states.assign(outs.begin() + static_cast<std::ptrdiff_t>(l.num_out_data), outs.end());
    for (size_t j = 0; j < l.states.size(); ++j) {
      const TBlob& init = in[l.data.size() + j];
      MV_CHECK(states[j].shape() == init.shape, kValue)
          << kOp << ": loop state " << j << " starts with shape " << shape_str(init.shape)
          << " but the body returns shape " << shape_str(states[j].shape());
      body_in[l.states[j]] = states[j].blob();
    }
  }
  if (len == 0)
    for (size_t j = 0; j < l.states.size(); ++j) {
      const TBlob& init = in[l.data.size() + j];
      states.emplace_back(init.shape, init.dtype, ctx.ctx, false);
      copy_blob(init, states.back().blob());
    }
  return states;
}

void foreach_forward(const OpContext& ctx, const Attrs& a, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  const Layout l = layout_of(a);
  std::vector<NDArray> states =
      run_loop(ctx, l, in, [&](int64_t t, const std::vector<TBlob>&, const std::vector<NDArray>& outs) {
        for (size_t k = 0; k < l.num_out_data; ++k) copy_blob(outs[k].blob(), row_of(out[k], t));
      });
  for (size_t j = 0; j < states.size(); ++j) copy_blob(states[j].blob(), out[l.num_out_data + j]);
}

// Inputs: the gradient of every output, then the forward's inputs. Outputs: the gradient of
// every forward input. Recomputes the steps' inputs, then runs the body's gradient backwards.
void foreach_backward(const OpContext& ctx, const Attrs& a, const std::vector<TBlob>& in,
                      const std::vector<TBlob>& out) {
  const Layout l = layout_of(a);
  const std::vector<TBlob> ograds(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(l.num_outputs));
  const std::vector<TBlob> fwd(in.begin() + static_cast<std::ptrdiff_t>(l.num_outputs), in.end());
  std::vector<std::vector<NDArray>> kept;  // per step: the states it read (owned copies)
  run_loop(ctx, l, fwd, [&](int64_t, const std::vector<TBlob>& body_in, const std::vector<NDArray>&) {
    std::vector<NDArray> step;
    for (size_t j = 0; j < l.states.size(); ++j) {
      const TBlob& s = body_in[l.states[j]];
      step.emplace_back(s.shape, s.dtype, ctx.ctx, false);
      copy_blob(s, step.back().blob());
    }
    kept.push_back(std::move(step));
  });
  const GradProgram gp = grad_program(*l.body, kOp);
  const std::vector<NodePtr> vars = l.body->input_nodes();
  std::vector<NDArray> carry;  // gradient of the current states
  for (size_t j = 0; j < l.states.size(); ++j) {
    carry.emplace_back(ograds[l.num_out_data + j].shape, ograds[l.num_out_data + j].dtype, ctx.ctx, false);
    copy_blob(ograds[l.num_out_data + j], carry.back().blob());
  }
  std::vector<NDArray> remain_grads;
  for (size_t j = 0; j < l.remain.size(); ++j)
    remain_grads.push_back(zeros_like_blob(fwd[l.data.size() + l.states.size() + j], ctx.ctx));
  const int64_t len = static_cast<int64_t>(kept.size());
  std::vector<TBlob> body_in(l.num_inputs);
  for (size_t i = l.data.size(); i < l.num_inputs; ++i) body_in[l.position[i]] = fwd[i];
  for (int64_t t = len - 1; t >= 0; --t) {
    for (size_t j = 0; j < l.data.size(); ++j) body_in[l.data[j]] = row_of(fwd[j], t);
    for (size_t j = 0; j < l.states.size(); ++j) body_in[l.states[j]] = kept[static_cast<size_t>(t)][j].blob();
    SubgraphProgram::Bindings b = bind_inputs(vars, body_in);
    for (size_t k = 0; k < l.num_outputs; ++k)
      b.emplace_back(gp.heads[k].get(), k < l.num_out_data ? row_of(ograds[k], t) : carry[k - l.num_out_data].blob());
    std::vector<NDArray> g = gp.program.run(ctx, b);
    for (size_t j = 0; j < l.data.size(); ++j) {
      const TBlob dst = row_of(out[j], t);
      const NDArray& gj = g[l.data[j]];
      if (gj.is_none())
        copy_blob(zeros_like_blob(dst, ctx.ctx).blob(), dst);
      else
        copy_blob(gj.blob(), dst);
    }
    for (size_t j = 0; j < l.states.size(); ++j) {
      const NDArray& gj = g[l.states[j]];
      carry[j] = gj.is_none() ? zeros_like_blob(carry[j].blob(), ctx.ctx) : gj;
    }
    for (size_t j = 0; j < l.remain.size(); ++j)
      if (!g[l.remain[j]].is_none()) add_into(ctx, &remain_grads[j], g[l.remain[j]].blob());
  }
  if (len == 0)
    for (size_t j = 0; j < l.data.size(); ++j) copy_blob(zeros_like_blob(out[j], ctx.ctx).blob(), out[j]);
  for (size_t j = 0; j < l.states.size(); ++j) copy_blob(carry[j].blob(), out[l.data.size() + j]);
  for (size_t j = 0; j < l.remain.size(); ++j)
    copy_blob(remain_grads[j].blob(), out[l.data.size() + l.states.size() + j]);
}

OpSample foreach_sample() {
  // body(x, [s]) = (x * w + s, [sin(x * w + s)]) over 3 steps of a (3, 2) array.
  OpSample s;
  s.shapes = {{3, 2}, {2}, {2}};
  s.params = {{"num_args", "4"}, {"num_outputs", "2"}, {"num_out_data", "1"}, {"in_data_locs", "[0]"},
              {"in_state_locs", "[2]"}, {"remain_locs", "[1]"}};
  s.subgraphs = {R"({"nodes": [{"op": "null", "name": "x", "inputs": []},
      {"op": "null", "name": "w", "inputs": []},
      {"op": "elemwise_mul", "name": "xw", "inputs": [[0, 0, 0], [1, 0, 0]]},
      {"op": "null", "name": "s", "inputs": []},
      {"op": "elemwise_add", "name": "o", "inputs": [[2, 0, 0], [3, 0, 0]]},
      {"op": "sin", "name": "next", "inputs": [[4, 0, 0]]}],
    "arg_nodes": [0, 1, 3], "heads": [[4, 0, 0], [5, 0, 0]]})"};
  return s;
}

}  // namespace

MV_REGISTER_OP(_foreach)
    .describe("Runs a loop body (a graph the node holds) over axis 0 of its data arrays, carrying loop "
              "states from step to step (MXNet's symbolic foreach; made by mx.sym.contrib.foreach).\n\n"
              "Inputs are the data arrays, the initial states and the body's other inputs, in that order; "
              "in_data_locs, in_state_locs and remain_locs give their positions among the body's inputs. "
              "Outputs are the body's num_out_data per-step outputs stacked on a new axis 0, then the final "
              "states.")
    .set_list_inputs([](const Attrs& a) { return array_input_names(a, 1, kOp); })
    .required_param("num_args", ParamType::kInt, "Number of inputs, the body graph included.")
    .bounds(1, 1 << 20)
    .required_param("num_outputs", ParamType::kInt, "The number of outputs of the subgraph.")
    .bounds(0, 1 << 20)
    .required_param("num_out_data", ParamType::kInt, "The number of output data of the subgraph.")
    .bounds(0, 1 << 20)
    .required_param("in_state_locs", ParamType::kShape, "The locations of loop states among the inputs.")
    .kind(ParamKind::kList)
    .required_param("in_data_locs", ParamType::kShape, "The locations of input data among the inputs.")
    .kind(ParamKind::kList)
    .required_param("remain_locs", ParamType::kShape, "The locations of remaining data among the inputs.")
    .kind(ParamKind::kList)
    .set_num_subgraphs(1)
    .set_num_outputs([](const Attrs& a) { return static_cast<int>(a.get_int("num_outputs")); })
    .set_infer_shape([](const Attrs& a, std::vector<Shape>* in, std::vector<Shape>* out) {
      infer_shapes(layout_of(a), in, out);
    })
    .set_infer_type([](const Attrs& a, std::vector<int>* in, std::vector<int>* out) {
      infer_types(layout_of(a), in, out);
    })
    .set_uses_rng([](const Attrs& a) { return a.subgraphs.size() == 1 && subgraph_uses_rng(*a.subgraphs[0]); })
    .set_forward(foreach_forward)
    .set_gradient(gradient_through("_backward_foreach"))
    .add_sample(foreach_sample());

MV_REGISTER_OP(_backward_foreach)
    .describe("Gradient of _foreach: runs the body's gradient graph from the last step to the first.")
    .params_from("_foreach")
    .set_list_inputs([](const Attrs& a) { return backward_input_names(a, 1, "_backward_foreach"); })
    .set_num_subgraphs(1)
    .set_num_outputs([](const Attrs& a) { return static_cast<int>(num_array_inputs(a, 1, "_backward_foreach")); })
    .set_infer_shape([](const Attrs& a, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Layout l = layout_of(a);
      infer_backward(l.num_outputs, l.num_inputs, in, out, Shape{},
                     [&l](std::vector<Shape>* i, std::vector<Shape>* o) { infer_shapes(l, i, o); }, "_backward_foreach");
    })
    .set_infer_type([](const Attrs& a, std::vector<int>* in, std::vector<int>* out) {
      const Layout l = layout_of(a);
      infer_backward(l.num_outputs, l.num_inputs, in, out, -1,
                     [&l](std::vector<int>* i, std::vector<int>* o) { infer_types(l, i, o); }, "_backward_foreach");
    })
    .set_uses_rng([](const Attrs& a) { return a.subgraphs.size() == 1 && subgraph_uses_rng(*a.subgraphs[0]); })
    .set_forward(foreach_backward)
    .set_non_differentiable();

}  // namespace minerva
