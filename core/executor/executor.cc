#include "core/executor/executor.h"

#include <set>
#include <utility>

#include "core/executor/memory_plan.h"
#include "core/graph/gradient.h"
#include "core/graph/infer.h"
#include "core/op/invoke.h"
#include "core/profiler/profiler.h"

namespace minerva {

// Note [Executor schedule]
// Binding turns the symbol into one list of steps: the forward nodes in topological order,
// then (when any argument wants a gradient) the gradient nodes of build_gradient, then one
// write-back step per such argument that puts its gradient into the bound gradient array
// (_copy for write, elemwise_add onto the array for add, _zeros where no gradient reaches a
// write argument). forward() pushes the forward steps, backward() the rest. Every step is an
// ordinary invoke with preallocated outputs, so the engine orders all of them through the
// arrays' chunk variables and shared buffers are safe (Note [Executor memory plan]). A
// gradient that nothing else reads and that a gradient node produces goes straight into a
// write argument's gradient array, skipping the copy.

namespace {

enum class Kind { kArg, kAux, kHeadGrad, kOutput, kInternal, kGrad };

struct Entry {
  Entry(Shape s, int t, Kind k) : shape(std::move(s)), dtype(t), kind(k) {}
  Shape shape;
  int dtype = -1;
  Kind kind = Kind::kInternal;
  int producer = -1;  // step index; -1 for variables and head gradients
  NDArray array;
  size_t bytes() const { return static_cast<size_t>(shape_size(shape)) * dtype_size(static_cast<DType>(dtype)); }
};

struct Step {
  NodePtr node;  // the graph node; null for write-back steps (not shown to the monitor)
  const OpDef* op = nullptr;
  AttrsPtr attrs;
  std::vector<int> in, out;
};

using EntryKey = std::pair<const Node*, int>;

// The executor's pushes run with recording off and the requested training mode; the caller's
// thread-local modes come back afterwards, even when a step throws.
struct ModeScope {
  bool recording, training;
  explicit ModeScope(bool is_train)
      : recording(autograd::set_recording(false)), training(autograd::set_training(is_train)) {}
  ~ModeScope() {
    autograd::set_recording(recording);
    autograd::set_training(training);
  }
};

std::string entry_label(const Node& n, const std::vector<std::string>& output_names, int k) {
  if (n.is_variable()) return n.name;
  return n.name + "_" + output_names.at(static_cast<size_t>(k));
}

// Inference from the bound arrays. When the arrays disagree with the graph, looks for the
// variable (arguments, then aux states) whose shape contradicts what all the others imply, so
// the error names it and both shapes; only this failure path pays for the extra inferences.
EntryInfo infer_bound(const Symbol& sym, const std::vector<NodePtr>& vars, const std::vector<NDArray>& arrays,
                      size_t num_args) {
  std::map<std::string, Shape> shapes;
  std::map<std::string, int> dtypes;
  for (size_t i = 0; i < vars.size(); ++i) {
    shapes[vars[i]->name] = arrays[i].shape();
    dtypes[vars[i]->name] = static_cast<int>(arrays[i].dtype());
  }
  try {
    return infer_entries(sym, shapes, dtypes);
  } catch (const Error& original) {
    for (size_t i = 0; i < vars.size(); ++i) {
      std::map<std::string, Shape> others = shapes;
      others.erase(vars[i]->name);
      Shape expected;
      try {
        ShapeInference r = infer_shape(sym, others, true);
        expected = i < num_args ? r.args.at(i) : r.aux.at(i - num_args);
      } catch (const Error&) {
        continue;  // the others disagree among themselves: not this one alone
      }
      if (expected.empty() || expected == arrays[i].shape()) continue;
      MV_THROW(kValue) << "bind: " << (i < num_args ? "argument" : "auxiliary state") << " '" << vars[i]->name
                       << "' has shape " << shape_str(arrays[i].shape()) << ", but shape inference from the other "
                       << "inputs gives " << shape_str(expected);
    }
    throw Error(original.kind(), std::string("bind: ") + original.what());
  }
}

}  // namespace

struct Executor::Impl {
  Symbol sym;
  Context ctx;
  std::vector<NDArray> args, grads, aux, outputs;
  std::vector<GradReq> reqs;
  std::vector<std::string> output_names;

  std::vector<Entry> entries;
  std::map<EntryKey, int> ids;
  std::vector<Step> steps;
  size_t num_forward = 0;
  std::vector<int> input_ids, output_ids, head_ids;
  std::vector<NDArray> default_heads;  // ones, made by the first backward without out_grads
  MemoryPlan plan;
  std::vector<NDArray> buffers;
  MonitorFn monitor;
  bool forwarded = false;

  int add_entry(Entry e) {
    entries.push_back(std::move(e));
    return static_cast<int>(entries.size()) - 1;
  }
  void add_step(NodePtr node, const OpDef* op, AttrsPtr attrs, std::vector<int> in, std::vector<int> out) {
    for (int id : out)
      if (entries[static_cast<size_t>(id)].producer < 0)
        entries[static_cast<size_t>(id)].producer = static_cast<int>(steps.size());
    steps.push_back(Step{std::move(node), op, std::move(attrs), std::move(in), std::move(out)});
  }

  void check_arrays(const std::vector<NodePtr>& arg_nodes, const std::vector<NodePtr>& aux_nodes);
  void build_forward(const EntryInfo& info, const std::vector<NodePtr>& arg_nodes,
                     const std::vector<NodePtr>& aux_nodes);
  void build_backward(const std::vector<NodePtr>& arg_nodes);
  void add_write_back(const GradientGraph& gg, const std::vector<int>& wrt_args);
  void plan_memory_and_allocate();
  void allocate_buffers();
  void release_buffers();
  void run(size_t begin, size_t end);
  NDArray head_grad(size_t k, const std::vector<NDArray>& out_grads);
};

void Executor::Impl::check_arrays(const std::vector<NodePtr>& arg_nodes, const std::vector<NodePtr>& aux_nodes) {
  const std::vector<std::string> arg_names = sym.list_arguments(), aux_names = sym.list_auxiliary_states();
  MV_CHECK(args.size() == arg_nodes.size(), kValue)
      << "bind: the symbol has " << arg_nodes.size() << " argument(s) (" << join_names(arg_names) << "), got "
      << args.size() << " array(s)";
  MV_CHECK(aux.size() == aux_nodes.size(), kValue)
      << "bind: the symbol has " << aux_nodes.size() << " auxiliary state(s) (" << join_names(aux_names) << "), got "
      << aux.size() << " array(s)";
  MV_CHECK(grads.empty() || grads.size() == args.size(), kValue)
      << "bind: " << grads.size() << " gradient arrays for " << args.size() << " arguments; give one per argument "
      << "(an empty array where no gradient is wanted)";
  MV_CHECK(reqs.empty() || reqs.size() == args.size(), kValue)
      << "bind: " << reqs.size() << " grad_req values for " << args.size() << " arguments";
  grads.resize(args.size());
  if (reqs.empty()) reqs.assign(args.size(), GradReq::kWrite);
  std::set<std::string> seen;
  auto check_var = [&](const NDArray& a, const std::string& name, const char* what) {
    MV_CHECK(!a.is_none(), kValue) << "bind: " << what << " '" << name << "' is an empty array";
    MV_CHECK(a.ctx() == ctx, kValue) << "bind: " << what << " '" << name << "' is on " << a.ctx().str()
                                     << ", the executor on " << ctx.str();
    MV_CHECK(seen.insert(name).second, kValue) << "bind: two inputs of the symbol are named '" << name
                                               << "'; give variables distinct names";
  };
  for (size_t i = 0; i < args.size(); ++i) {
    check_var(args[i], arg_names[i], "argument");
    GradReq r = reqs[i];
    MV_CHECK(r == GradReq::kNull || r == GradReq::kWrite || r == GradReq::kAdd, kValue)
        << "bind: grad_req " << static_cast<int>(r) << " of '" << arg_names[i]
        << "' is invalid; expected 0 (null), 1 (write) or 3 (add)";
    if (grads[i].is_none()) reqs[i] = GradReq::kNull;  // no array, no gradient (as MXNet)
    if (reqs[i] == GradReq::kNull) continue;
    MV_CHECK(grads[i].shape() == args[i].shape(), kValue)
        << "bind: the gradient array of '" << arg_names[i] << "' has shape " << shape_str(grads[i].shape())
        << ", the argument " << shape_str(args[i].shape());
    MV_CHECK(grads[i].dtype() == args[i].dtype(), kType)
        << "bind: the gradient array of '" << arg_names[i] << "' has dtype " << dtype_name(grads[i].dtype())
        << ", the argument " << dtype_name(args[i].dtype());
    MV_CHECK(grads[i].ctx() == ctx, kValue) << "bind: the gradient array of '" << arg_names[i] << "' is on "
                                            << grads[i].ctx().str() << ", the executor on " << ctx.str();
    MV_CHECK(!grads[i].chunk()->read_only, kValue) << "bind: the gradient array of '" << arg_names[i]
                                                   << "' is read-only";
  }
  for (size_t i = 0; i < aux.size(); ++i) check_var(aux[i], aux_names[i], "auxiliary state");
}

void Executor::Impl::build_forward(const EntryInfo& info, const std::vector<NodePtr>& arg_nodes,
                                   const std::vector<NodePtr>& aux_nodes) {
  std::map<const Node*, std::pair<Kind, size_t>> bound;
  for (size_t i = 0; i < arg_nodes.size(); ++i) bound[arg_nodes[i].get()] = {Kind::kArg, i};
  for (size_t i = 0; i < aux_nodes.size(); ++i) bound[aux_nodes[i].get()] = {Kind::kAux, i};
  const std::vector<NodePtr> order = sym.topo_order();
  for (const NodePtr& n : order) {
    const std::vector<Shape>& shapes = info.shapes.at(n.get());
    const std::vector<int>& dtypes = info.dtypes.at(n.get());
    if (n->is_variable()) {
      auto [kind, index] = bound.at(n.get());
      const NDArray& a = kind == Kind::kArg ? args[index] : aux[index];
      MV_CHECK(static_cast<int>(a.dtype()) == dtypes[0], kType)
          << "bind: '" << n->name << "' has dtype " << dtype_name(a.dtype()) << ", but dtype inference expects "
          << dtype_name(static_cast<DType>(dtypes[0]));
      Entry e(a.shape(), dtypes[0], kind);
      e.array = a.detached();
      ids[{n.get(), 0}] = add_entry(std::move(e));
      continue;
    }
    for (int k = 0; k < n->num_outputs(); ++k) {
      Entry e(shapes.at(static_cast<size_t>(k)), dtypes.at(static_cast<size_t>(k)), Kind::kInternal);
      ids[{n.get(), k}] = add_entry(std::move(e));
    }
  }
  for (const NodeEntry& o : sym.outputs) {
    const int id = ids.at({o.node.get(), o.index});
    Entry& e = entries[static_cast<size_t>(id)];
    if (e.kind == Kind::kInternal) {  // outputs keep their own arrays: valid after forward
      e.kind = Kind::kOutput;
      e.array = NDArray(e.shape, static_cast<DType>(e.dtype), ctx);
    }
    output_ids.push_back(id);
    outputs.push_back(e.array);
  }
  for (const NodePtr& n : sym.input_nodes()) input_ids.push_back(ids.at({n.get(), 0}));
  for (const NodePtr& n : order) {
    if (n->is_variable()) continue;
    std::vector<int> in, out;
    for (const NodeEntry& e : n->inputs) in.push_back(ids.at({e.node.get(), e.index}));
    for (int k = 0; k < n->num_outputs(); ++k) out.push_back(ids.at({n.get(), k}));
    add_step(n, n->op, n->attrs, std::move(in), std::move(out));
  }
  num_forward = steps.size();
}

void Executor::Impl::build_backward(const std::vector<NodePtr>& arg_nodes) {
  std::vector<NodePtr> wrt;
  std::vector<int> wrt_args;
  for (size_t i = 0; i < arg_nodes.size(); ++i)
    if (reqs[i] != GradReq::kNull) {
      wrt.push_back(arg_nodes[i]);
      wrt_args.push_back(static_cast<int>(i));
    }
  if (wrt.empty()) return;
  GradientGraph gg = build_gradient(sym, wrt);
  for (size_t k = 0; k < gg.head_grads.size(); ++k) {
    const Entry& out = entries[static_cast<size_t>(output_ids.at(k))];
    Entry e(out.shape, out.dtype, Kind::kHeadGrad);
    head_ids.push_back(add_entry(std::move(e)));
    ids[{gg.head_grads[k].get(), 0}] = head_ids.back();
  }
  Symbol tail;
  for (const NodeEntry& g : gg.grads)
    if (g.node) tail.outputs.push_back(g);
  for (const NodePtr& n : tail.topo_order()) {
    if (ids.count({n.get(), 0})) continue;  // forward nodes and head gradients
    MV_CHECK(!n->is_variable(), kInternal) << "gradient graph reached variable " << n->name << " of no forward node";
    std::vector<int> in, out;
    std::vector<Shape> in_shapes, out_shapes(static_cast<size_t>(n->num_outputs()));
    std::vector<int> in_types, out_types(static_cast<size_t>(n->num_outputs()), -1);
    for (const NodeEntry& e : n->inputs) {
      in.push_back(ids.at({e.node.get(), e.index}));
      in_shapes.push_back(entries[static_cast<size_t>(in.back())].shape);
      in_types.push_back(entries[static_cast<size_t>(in.back())].dtype);
    }
    try {
      infer_shapes_and_types(*n->op, *n->attrs, &in_shapes, &out_shapes, &in_types, &out_types);
    } catch (const Error& e) {
      MV_THROW(kInternal) << "bind: gradient node " << n->name << " (" << n->op->name << "): " << e.what();
    }
    for (int k = 0; k < n->num_outputs(); ++k) {
      Entry e(out_shapes[static_cast<size_t>(k)], out_types[static_cast<size_t>(k)], Kind::kInternal);
      MV_CHECK(!e.shape.empty() && e.dtype >= 0, kInternal)
          << "bind: cannot infer output " << k << " of gradient node " << n->name << " (" << n->op->name << ")";
      out.push_back(add_entry(std::move(e)));
      ids[{n.get(), k}] = out.back();
    }
    add_step(n, n->op, n->attrs, std::move(in), std::move(out));
  }
  add_write_back(gg, wrt_args);
}

void Executor::Impl::add_write_back(const GradientGraph& gg, const std::vector<int>& wrt_args) {
  std::vector<int> uses(entries.size(), 0);
  for (const Step& s : steps)
    for (int id : s.in) ++uses[static_cast<size_t>(id)];
  for (const NodeEntry& g : gg.grads)
    if (g.node) ++uses[static_cast<size_t>(ids.at({g.node.get(), g.index}))];
  const OpDef& copy_op = OpRegistry::get().lookup("_copy");
  const OpDef& add_op = OpRegistry::get().lookup("elemwise_add");
  const OpDef& zeros_op = OpRegistry::get().lookup("_zeros");
  for (size_t j = 0; j < wrt_args.size(); ++j) {
    const size_t a = static_cast<size_t>(wrt_args[j]);
    const NodeEntry& g = gg.grads[j];
    const GradReq req = reqs[a];
    if (g.node && req == GradReq::kWrite) {
      Entry& src = entries[static_cast<size_t>(ids.at({g.node.get(), g.index}))];
      if (src.kind == Kind::kInternal && src.producer >= static_cast<int>(num_forward) &&
          uses[static_cast<size_t>(ids.at({g.node.get(), g.index}))] == 1 && src.shape == grads[a].shape() &&
          src.dtype == static_cast<int>(grads[a].dtype())) {
        src.kind = Kind::kGrad;
        src.array = grads[a].detached();
        continue;
      }
    }
    Entry dst(grads[a].shape(), static_cast<int>(grads[a].dtype()), Kind::kGrad);
    dst.array = grads[a].detached();
    const int d = add_entry(std::move(dst));
    if (!g.node) {
      if (req == GradReq::kWrite)  // no gradient reaches it: write means zeros
        add_step(nullptr, &zeros_op,
                 zeros_op.parse({{"shape", shape_str(grads[a].shape())}, {"dtype", dtype_name(grads[a].dtype())}}),
                 {}, {d});
      continue;
    }
    const int src = ids.at({g.node.get(), g.index});
    if (req == GradReq::kWrite)
      add_step(nullptr, &copy_op, copy_op.parse({}), {src}, {d});
    else
      add_step(nullptr, &add_op, add_op.parse({}), {d, src}, {d});
  }
}

void Executor::Impl::plan_memory_and_allocate() {
  std::vector<PlanEntry> pe;
  for (const Entry& e : entries) pe.push_back(PlanEntry{e.bytes(), e.dtype, e.kind == Kind::kInternal});
  std::vector<PlanStep> ps;
  for (const Step& s : steps) ps.push_back(PlanStep{s.in, s.out, s.op->inplace});
  plan = plan_memory(pe, ps, num_forward);
  allocate_buffers();
}

void Executor::Impl::allocate_buffers() {
  buffers.clear();
  for (size_t bytes : plan.buffer_bytes)
    buffers.push_back(NDArray(Shape{static_cast<int64_t>(bytes)}, DType::kUint8, ctx));
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry& e = entries[i];
    if (e.kind != Kind::kInternal) continue;
    const int b = plan.buffer_of[i];
    e.array = b >= 0 ? buffers[static_cast<size_t>(b)].view(e.shape, static_cast<DType>(e.dtype), 0)
                     : NDArray(e.shape, static_cast<DType>(e.dtype), ctx);
  }
}

void Executor::Impl::release_buffers() {
  buffers.clear();
  for (Entry& e : entries)
    if (e.kind == Kind::kInternal) e.array = NDArray();
}

void Executor::Impl::run(size_t begin, size_t end) {
  profiler::SymbolicScope symbolic;  // the profiler's profile_symbolic covers these pushes
  std::vector<NDArray> in, out;
  for (size_t s = begin; s < end; ++s) {
    const Step& st = steps[s];
    in.clear();
    out.clear();
    for (int id : st.in) in.push_back(entries[static_cast<size_t>(id)].array);
    for (int id : st.out) out.push_back(entries[static_cast<size_t>(id)].array);
    invoke(*st.op, st.attrs, in, out);
    if (!monitor || !st.node) continue;
    // Before the next step may reuse these buffers: see Note [Executor memory plan].
    const std::vector<std::string> names = st.node->output_names();  // once per node, not per output
    for (size_t k = 0; k < out.size(); ++k) {
      out[k].wait_to_read();
      monitor(entry_label(*st.node, names, static_cast<int>(k)), out[k]);
    }
  }
}

NDArray Executor::Impl::head_grad(size_t k, const std::vector<NDArray>& out_grads) {
  const Entry& e = entries[static_cast<size_t>(head_ids[k])];
  if (k < out_grads.size() && !out_grads[k].is_none()) {
    const NDArray& g = out_grads[k];
    if (static_cast<int>(g.dtype()) == e.dtype) return g.detached();
    NDArray cast(e.shape, static_cast<DType>(e.dtype), ctx, false);
    copy_array(g, cast);
    return cast;
  }
  if (default_heads.size() <= k) default_heads.resize(outputs.size());
  if (default_heads[k].is_none()) {
    default_heads[k] = NDArray(e.shape, static_cast<DType>(e.dtype), ctx, false);
    invoke("_ones", {}, {{"shape", shape_str(e.shape)}, {"dtype", dtype_name(static_cast<DType>(e.dtype))}},
           {default_heads[k]});
  }
  return default_heads[k];
}

Executor::Executor(const Symbol& sym, Context ctx, std::vector<NDArray> args, std::vector<NDArray> arg_grads,
                   std::vector<GradReq> grad_reqs, std::vector<NDArray> aux)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.sym = sym;
  m.ctx = ctx;
  m.args = std::move(args);
  m.grads = std::move(arg_grads);
  m.reqs = std::move(grad_reqs);
  m.aux = std::move(aux);
  MV_CHECK(!sym.outputs.empty(), kValue) << "bind: the symbol has no outputs";
  const std::vector<NodePtr> arg_nodes = sym.argument_nodes(), aux_nodes = sym.auxiliary_nodes();
  m.check_arrays(arg_nodes, aux_nodes);
  std::vector<NodePtr> vars = arg_nodes;
  vars.insert(vars.end(), aux_nodes.begin(), aux_nodes.end());
  std::vector<NDArray> arrays = m.args;
  arrays.insert(arrays.end(), m.aux.begin(), m.aux.end());
  EntryInfo info = infer_bound(sym, vars, arrays, arg_nodes.size());
  m.output_names = sym.list_outputs();
  m.build_forward(info, arg_nodes, aux_nodes);
  m.build_backward(arg_nodes);
  m.plan_memory_and_allocate();
}

Executor::~Executor() = default;

std::unique_ptr<Executor> Executor::simple_bind(const Symbol& sym, Context ctx,
                                                const std::map<std::string, Shape>& shapes,
                                                const std::map<std::string, int>& dtypes,
                                                const std::map<std::string, GradReq>& grad_reqs,
                                                GradReq default_req) {
  const std::vector<NodePtr> arg_nodes = sym.argument_nodes(), aux_nodes = sym.auxiliary_nodes();
  const std::vector<std::string> arg_names = sym.list_arguments();
  for (const auto& [name, req] : grad_reqs) {
    bool found = false;
    for (const std::string& a : arg_names) found = found || a == name;
    MV_CHECK(found, kValue) << "simple_bind: grad_req names '" << name << "', which is not an argument; "
                            << "the arguments are " << join_names(arg_names);
  }
  EntryInfo info = infer_entries(sym, shapes, dtypes);
  auto make = [&](const NodePtr& n) {
    return NDArray(info.shapes.at(n.get())[0], static_cast<DType>(info.dtypes.at(n.get())[0]), ctx);
  };
  std::vector<NDArray> args, grads, aux;
  std::vector<GradReq> reqs;
  for (const NodePtr& n : arg_nodes) {
    args.push_back(make(n));
    auto it = grad_reqs.find(n->name);
    reqs.push_back(it != grad_reqs.end() ? it->second : default_req);
    grads.push_back(reqs.back() != GradReq::kNull ? make(n) : NDArray());
  }
  for (const NodePtr& n : aux_nodes) aux.push_back(make(n));
  return std::make_unique<Executor>(sym, ctx, std::move(args), std::move(grads), std::move(reqs), std::move(aux));
}

void Executor::forward(bool is_train) {
  ModeScope mode(is_train);
  impl_->run(0, impl_->num_forward);
  impl_->forwarded = true;
}

void Executor::backward(const std::vector<NDArray>& out_grads, bool is_train) {
  Impl& m = *impl_;
  MV_CHECK(m.forwarded, kValue) << "Executor.backward: call forward before backward";
  MV_CHECK(out_grads.empty() || out_grads.size() == m.outputs.size(), kValue)
      << "Executor.backward: the symbol has " << m.outputs.size() << " output(s) (" << join_names(m.output_names)
      << "), got " << out_grads.size() << " out_grads";
  for (size_t k = 0; k < out_grads.size(); ++k)
    MV_CHECK(out_grads[k].is_none() || out_grads[k].shape() == m.outputs[k].shape(), kValue)
        << "Executor.backward: out_grads[" << k << "] has shape " << shape_str(out_grads[k].shape())
        << ", the output '" << m.output_names[k] << "' has shape " << shape_str(m.outputs[k].shape());
  if (m.head_ids.empty()) return;  // no argument wants a gradient
  ModeScope mode(is_train);
  for (size_t k = 0; k < m.head_ids.size(); ++k)
    m.entries[static_cast<size_t>(m.head_ids[k])].array = m.head_grad(k, out_grads);
  struct DropHeads {  // the caller's arrays are not kept past the pushes
    Impl& m;
    ~DropHeads() {
      for (int id : m.head_ids) m.entries[static_cast<size_t>(id)].array = NDArray();
    }
  } drop{m};
  m.run(m.num_forward, m.steps.size());
}

std::vector<NDArray> Executor::forward_on(const std::vector<NDArray>& inputs, bool is_train, bool keep_buffers) {
  Impl& m = *impl_;
  const std::vector<std::string> names = m.sym.list_inputs();
  MV_CHECK(inputs.size() == m.input_ids.size(), kValue)
      << "the symbol has " << m.input_ids.size() << " input(s) (" << join_names(names) << "), got " << inputs.size();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Entry& e = m.entries[static_cast<size_t>(m.input_ids[i])];
    MV_CHECK(!inputs[i].is_none(), kValue) << "input '" << names[i] << "' is an empty array";
    MV_CHECK(inputs[i].shape() == e.shape && static_cast<int>(inputs[i].dtype()) == e.dtype, kValue)
        << "input '" << names[i] << "' is " << shape_str(inputs[i].shape()) << " " << dtype_name(inputs[i].dtype())
        << ", the plan was made for " << shape_str(e.shape) << " " << dtype_name(static_cast<DType>(e.dtype));
  }
  // Swap the call's arrays in, and the bound ones back whatever happens.
  struct Restore {
    Impl& m;
    bool keep;
    std::vector<NDArray> bound;
    ~Restore() {
      for (size_t i = 0; i < bound.size(); ++i) m.entries[static_cast<size_t>(m.input_ids[i])].array = bound[i];
      for (size_t k = 0; k < m.output_ids.size(); ++k) m.entries[static_cast<size_t>(m.output_ids[k])].array = m.outputs[k];
      if (!keep) m.release_buffers();
    }
  } restore{m, keep_buffers, {}};
  for (size_t i = 0; i < inputs.size(); ++i) {
    Entry& e = m.entries[static_cast<size_t>(m.input_ids[i])];
    restore.bound.push_back(e.array);
    e.array = inputs[i].detached();
  }
  std::set<int> fresh;  // an output listed twice gets one array
  for (int id : m.output_ids) {
    Entry& e = m.entries[static_cast<size_t>(id)];
    if (e.kind == Kind::kOutput && fresh.insert(id).second)
      e.array = NDArray(e.shape, static_cast<DType>(e.dtype), m.ctx, false);
  }
  if (m.buffers.empty() && !m.plan.buffer_bytes.empty()) m.allocate_buffers();
  {
    ModeScope mode(is_train);
    m.run(0, m.num_forward);
  }
  std::vector<NDArray> result;
  for (int id : m.output_ids) result.push_back(m.entries[static_cast<size_t>(id)].array);
  return result;
}

const std::vector<NDArray>& Executor::outputs() const { return impl_->outputs; }
const std::vector<NDArray>& Executor::arg_arrays() const { return impl_->args; }
const std::vector<NDArray>& Executor::grad_arrays() const { return impl_->grads; }
const std::vector<NDArray>& Executor::aux_arrays() const { return impl_->aux; }
const Symbol& Executor::symbol() const { return impl_->sym; }
MemoryPlanStats Executor::memory_stats() const { return impl_->plan.stats; }
void Executor::set_monitor(MonitorFn fn) { impl_->monitor = std::move(fn); }

}  // namespace minerva
