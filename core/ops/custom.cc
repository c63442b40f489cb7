// Custom operators: the registry operators Custom and _backward_Custom, which forward every
// question to the handler a binding registered for op_type (core/ops/custom.h), and the
// built-in reference type _reference_square that the registry's sample uses.
//
// Note [Custom operator callbacks and the engine]
// Shape and dtype inference call the handler synchronously, on the thread that invokes the
// operator or infers the graph, so a failure is raised at once. forward and backward run inside
// an engine operation (an engine worker, or the calling thread under NaiveEngine and for small
// inline pushes), holding the engine's grants on the real arrays but no engine lock. The
// handler gets fresh arrays aliasing those buffers, with engine variables of their own: what it
// pushes on them is ordered among themselves and never queues behind the operation that holds
// the real arrays (which would deadlock). Autograd recording is paused and the training mode is
// the operation's while it runs. When the handler returns, the operation waits for everything
// pushed on the fresh arrays (a waiting worker runs other ready operations meanwhile: Note
// [Waiting inside an operation] in engine.cc), then poisons their variables, so an array the
// binding kept past the call fails clearly instead of reading memory it no longer owns.
#include "core/ops/custom.h"

#include <cstring>
#include <deque>
#include <map>
#include <mutex>

#include "core/autograd/autograd.h"
#include "core/base/json.h"
#include "core/base/json_reader.h"
#include "core/op/invoke.h"

namespace minerva {
namespace custom {
namespace {

struct PropInfo {
  std::string op_type, key;
  std::shared_ptr<Handler> handler;
  int64_t id = 0;
  bool created = false;  // the binding answered create_prop: it holds a prop to delete
  std::vector<std::string> args, outputs, aux;
  bool need_top_grad = true;
  ~PropInfo() {
    if (!created) return;
    JsonWriter w;
    w.begin_object().key("request").str("delete_prop").key("prop").num(static_cast<long long>(id)).end_object();
    try {
      (*handler)(Request{w.result(), {}});
    } catch (...) {  // as for Instance: nothing to report to
    }
  }
};
using PropPtr = std::shared_ptr<const PropInfo>;

// An operator instance of the binding; deleting the last reference tells the binding.
struct Instance {
  std::shared_ptr<Handler> handler;
  std::string op_type;
  int64_t id = 0;
  ~Instance() {
    JsonWriter w;
    w.begin_object().key("request").str("delete_operator").key("operator").num(static_cast<long long>(id)).end_object();
    try {
      (*handler)(Request{w.result(), {}});
    } catch (...) {  // a failing delete has no one to report to; the instance is gone either way
    }
  }
};
using InstancePtr = std::shared_ptr<Instance>;

constexpr size_t kMaxCachedInstances = 1024;
constexpr size_t kMaxCachedProps = 4096;  // distinct parameter sets (autograd.Function makes one per call)

struct State {
  std::mutex mu;  // guards the maps; never held while a handler runs
  std::map<std::string, std::shared_ptr<Handler>> types;
  std::map<std::string, PropPtr> props;             // by op_type + kwargs
  std::map<std::string, InstancePtr> instances;     // by prop key + device + input shapes/dtypes
  std::deque<std::string> instance_order;           // oldest first, for eviction
};
State& state() {
  static State* s = new State();  // leaked: handlers may belong to a runtime already torn down at exit
  return *s;
}

[[noreturn]] void fail(ErrorKind kind, const std::string& op_type, const std::string& what, const std::string& msg) {
  throw Error(kind, "Custom operator '" + op_type + "' " + what + ": " + msg);
}

std::string call(const PropInfo& p, const std::string& what, const Request& req) {
  try {
    return (*p.handler)(req);
  } catch (const Error& e) {
    fail(e.kind(), p.op_type, what, e.what());
  }
}

JsonValue parse_answer(const std::string& op_type, const std::string& what, const std::string& text) {
  try {
    JsonValue v = json_parse(text);
    if (!v.is_object()) fail(ErrorKind::kValue, op_type, what, "the binding answered " + std::string(v.kind_name()) + ", expected a JSON object");
    return v;
  } catch (const Error& e) {
    if (std::string(e.what()).find("Custom operator") == 0) throw;
    fail(ErrorKind::kValue, op_type, what, std::string("the binding's answer is not valid JSON: ") + e.what());
  }
}

const JsonValue& member(const JsonValue& doc, const std::string& key, const std::string& op_type, const std::string& what) {
  const JsonValue* v = doc.find(key);
  if (v == nullptr) fail(ErrorKind::kValue, op_type, what, "the binding's answer lacks \"" + key + "\"");
  return *v;
}

int64_t int_member(const JsonValue& doc, const std::string& key, const std::string& op_type, const std::string& what) {
  int64_t out = 0;
  if (!member(doc, key, op_type, what).to_int64(&out))
    fail(ErrorKind::kValue, op_type, what, "\"" + key + "\" must be an integer");
  return out;
}

std::vector<std::string> names_member(const JsonValue& doc, const std::string& key, const std::string& op_type,
                                      const std::string& what) {
  const JsonValue& v = member(doc, key, op_type, what);
  if (!v.is_array()) fail(ErrorKind::kValue, op_type, what, "\"" + key + "\" must be a list of names");
  std::vector<std::string> names;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string() || v[i].str().empty())
      fail(ErrorKind::kValue, op_type, what, "\"" + key + "\" must hold non-empty names");
    names.push_back(v[i].str());
  }
  return names;
}

// A list of shapes ([] = unknown) or dtype codes (-1 = unknown) of exactly `count` entries.
std::vector<Shape> shapes_member(const JsonValue& doc, const std::string& key, size_t count, const std::string& op_type,
                                 const std::string& what, const std::vector<std::string>& names) {
  const JsonValue& v = member(doc, key, op_type, what);
  if (!v.is_array() || v.size() != count)
    fail(ErrorKind::kValue, op_type, what,
         "returned " + (v.is_array() ? std::to_string(v.size()) : std::string(v.kind_name())) + " " + key + ", expected " +
             std::to_string(count) + " (" + join_names(names) + ")");
  std::vector<Shape> out;
  for (size_t i = 0; i < count; ++i) {
    Shape s;
    const JsonValue& e = v[i];
    if (!e.is_array()) fail(ErrorKind::kValue, op_type, what, key + "[" + std::to_string(i) + "] is not a shape");
    for (size_t d = 0; d < e.size(); ++d) {
      int64_t dim = 0;
      if (!e[d].to_int64(&dim) || dim < 0)
        fail(ErrorKind::kValue, op_type, what, key + "[" + std::to_string(i) + "] (" + names[i] +
                                                   ") has a dimension that is not a non-negative integer");
      s.push_back(dim);
    }
    out.push_back(s);
  }
  return out;
}

std::vector<int> types_member(const JsonValue& doc, const std::string& key, size_t count, const std::string& op_type,
                              const std::string& what, const std::vector<std::string>& names) {
  const JsonValue& v = member(doc, key, op_type, what);
  if (!v.is_array() || v.size() != count)
    fail(ErrorKind::kValue, op_type, what,
         "returned " + (v.is_array() ? std::to_string(v.size()) : std::string(v.kind_name())) + " " + key + ", expected " +
             std::to_string(count) + " (" + join_names(names) + ")");
  std::vector<int> out;
  for (size_t i = 0; i < count; ++i) {
    int64_t code = 0;
    if (!v[i].to_int64(&code) || code < -1 || code >= kNumDTypes)
      fail(ErrorKind::kType, op_type, what, key + "[" + std::to_string(i) + "] (" + names[i] + ") is not a dtype code");
    out.push_back(static_cast<int>(code));
  }
  return out;
}

void write_shapes(JsonWriter* w, const std::string& key, const std::vector<Shape>& shapes) {
  w->key(key).begin_array();
  for (const Shape& s : shapes) {
    w->begin_array();
    for (int64_t d : s) w->num(static_cast<long long>(d));
    w->end_array();
  }
  w->end_array();
}
void write_types(JsonWriter* w, const std::string& key, const std::vector<int>& types) {
  w->key(key).begin_array();
  for (int t : types) w->num(t);
  w->end_array();
}

// The binding's prop for (op_type, kwargs): created once per distinct parameter set.
PropPtr prop_for(const Attrs& attrs) {
  const std::string& type = attrs.get_str("op_type");
  std::map<std::string, std::string> kwargs;
  for (const auto& [k, v] : attrs.given)
    if (k != "op_type" && k.rfind("__", 0) != 0) kwargs[k] = v;
  std::string key = type + '\0';
  for (const auto& [k, v] : kwargs) key += k + '\x1f' + v + '\x1e';
  State& st = state();
  std::shared_ptr<Handler> handler;
  {
    std::lock_guard<std::mutex> lock(st.mu);
    auto it = st.props.find(key);
    if (it != st.props.end()) return it->second;
    auto t = st.types.find(type);
    if (t == st.types.end()) {
      std::vector<std::string> known;
      for (const auto& [name, h] : st.types)
        if (name.rfind("_reference_", 0) != 0) known.push_back(name);
      MV_THROW(kNotFound) << "Operator " << attrs.op->name << ": op_type '" << type
                          << "' is not a registered custom operator; registered: "
                          << (known.empty() ? std::string("(none)") : join_names(known))
                          << " (register one with mx.operator.register)";
    }
    handler = t->second;
  }
  auto p = std::make_shared<PropInfo>();
  p->op_type = type;
  p->key = key;
  p->handler = handler;
  JsonWriter w;
  w.begin_object().key("request").str("create_prop").key("op_type").str(type).key("kwargs").begin_object();
  for (const auto& [k, v] : kwargs) w.key(k).str(v);
  w.end_object().end_object();
  const std::string what = "(creating its CustomOpProp)";
  JsonValue doc = parse_answer(type, what, call(*p, what, Request{w.result(), {}}));
  p->id = int_member(doc, "prop", type, what);
  p->created = true;
  p->args = names_member(doc, "arguments", type, what);
  p->outputs = names_member(doc, "outputs", type, what);
  p->aux = names_member(doc, "auxiliary_states", type, what);
  if (p->outputs.empty()) fail(ErrorKind::kValue, type, what, "list_outputs must name at least one output");
  const JsonValue* ntg = doc.find("need_top_grad");
  p->need_top_grad = ntg == nullptr || !ntg->is_bool() || ntg->boolean();
  std::vector<PropPtr> evicted;  // released after unlocking: their destructors call the binding
  std::lock_guard<std::mutex> lock(st.mu);
  if (st.props.size() >= kMaxCachedProps) {
    for (auto& [k, v] : st.props) evicted.push_back(v);
    st.props.clear();  // props in use stay alive through their shared pointers
  }
  return st.props.emplace(key, p).first->second;  // a racing thread's prop wins; both are equivalent
}

std::vector<std::string> arg_and_aux_names(const PropInfo& p) {
  std::vector<std::string> names = p.args;
  names.insert(names.end(), p.aux.begin(), p.aux.end());
  return names;
}

// A node keeps the input and output counts of the prop it was made with; registering the
// op_type again with other list_arguments/list_outputs changes the prop, not the node.
void check_arity(const PropInfo& p, const std::string& op, size_t n_in, size_t n_out, size_t want_in,
                 size_t want_out) {
  MV_CHECK(n_in == want_in && n_out == want_out, kValue)
      << "Operator " << op << "(op_type='" << p.op_type << "'): the node has " << n_in << " inputs and " << n_out
      << " outputs, but op_type '" << p.op_type << "' now declares " << want_in << " and " << want_out
      << " (was it registered again with other list_arguments, list_outputs or list_auxiliary_states? "
      << "build the symbol again)";
}

void custom_infer_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  PropPtr p = prop_for(attrs);
  const size_t na = p->args.size(), nx = p->aux.size();
  check_arity(*p, "Custom", in->size(), out->size(), na + nx, p->outputs.size());
  JsonWriter w;
  w.begin_object().key("request").str("infer_shape").key("prop").num(static_cast<long long>(p->id));
  write_shapes(&w, "in_shapes", std::vector<Shape>(in->begin(), in->begin() + static_cast<long>(na)));
  w.end_object();
  const std::string what = "infer_shape";
  JsonValue doc = parse_answer(p->op_type, what, call(*p, what, Request{w.result(), {}}));
  auto ins = shapes_member(doc, "in_shapes", na, p->op_type, what, p->args);
  auto outs = shapes_member(doc, "out_shapes", p->outputs.size(), p->op_type, what, p->outputs);
  auto aux = shapes_member(doc, "aux_shapes", nx, p->op_type, what, p->aux);
  ins.insert(ins.end(), aux.begin(), aux.end());
  std::vector<std::string> names = arg_and_aux_names(*p);
  for (size_t i = 0; i < ins.size(); ++i) {
    if (ins[i].empty()) continue;
    if (!(*in)[i].empty() && (*in)[i] != ins[i])
      fail(ErrorKind::kValue, p->op_type, what,
           "input '" + names[i] + "' has shape " + shape_str((*in)[i]) + ", but infer_shape returned " + shape_str(ins[i]));
    (*in)[i] = ins[i];
  }
  for (size_t i = 0; i < outs.size(); ++i)
    if (!outs[i].empty()) (*out)[i] = outs[i];
}

void custom_infer_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  PropPtr p = prop_for(attrs);
  const size_t na = p->args.size(), nx = p->aux.size();
  check_arity(*p, "Custom", in->size(), out->size(), na + nx, p->outputs.size());
  JsonWriter w;
  w.begin_object().key("request").str("infer_type").key("prop").num(static_cast<long long>(p->id));
  write_types(&w, "in_types", std::vector<int>(in->begin(), in->begin() + static_cast<long>(na)));
  w.end_object();
  const std::string what = "infer_type";
  JsonValue doc = parse_answer(p->op_type, what, call(*p, what, Request{w.result(), {}}));
  auto ins = types_member(doc, "in_types", na, p->op_type, what, p->args);
  auto outs = types_member(doc, "out_types", p->outputs.size(), p->op_type, what, p->outputs);
  auto aux = types_member(doc, "aux_types", nx, p->op_type, what, p->aux);
  ins.insert(ins.end(), aux.begin(), aux.end());
  std::vector<std::string> names = arg_and_aux_names(*p);
  for (size_t i = 0; i < ins.size(); ++i) {
    if (ins[i] < 0) continue;
    if ((*in)[i] >= 0 && (*in)[i] != ins[i])
      fail(ErrorKind::kType, p->op_type, what,
           std::string("input '") + names[i] + "' has dtype " + dtype_name(static_cast<DType>((*in)[i])) +
               ", but infer_type returned " + dtype_name(static_cast<DType>(ins[i])));
    (*in)[i] = ins[i];
  }
  for (size_t i = 0; i < outs.size(); ++i)
    if (outs[i] >= 0) (*out)[i] = outs[i];
}

// The binding's operator instance for these argument shapes and dtypes on ctx; forward and
// backward of one configuration share it, as an executor node shares its operator in MXNet.
InstancePtr instance_for(const PropPtr& p, const Context& ctx, const std::vector<TBlob>& args) {
  std::string key = p->key + '\x1d' + ctx.str();
  for (const TBlob& b : args) key += shape_str(b.shape) + dtype_name(b.dtype);
  State& st = state();
  {
    std::lock_guard<std::mutex> lock(st.mu);
    auto it = st.instances.find(key);
    if (it != st.instances.end()) return it->second;
  }
  JsonWriter w;
  w.begin_object().key("request").str("create_operator").key("prop").num(static_cast<long long>(p->id));
  w.key("ctx").str(ctx.str());
  std::vector<Shape> shapes;
  std::vector<int> types;
  for (const TBlob& b : args) {
    shapes.push_back(b.shape);
    types.push_back(static_cast<int>(b.dtype));
  }
  write_shapes(&w, "in_shapes", shapes);
  write_types(&w, "in_types", types);
  w.end_object();
  const std::string what = "(create_operator)";
  JsonValue doc = parse_answer(p->op_type, what, call(*p, what, Request{w.result(), {}}));
  auto inst = std::make_shared<Instance>();
  inst->handler = p->handler;
  inst->op_type = p->op_type;
  inst->id = int_member(doc, "operator", p->op_type, what);
  std::vector<InstancePtr> evicted;  // released after unlocking: their destructors call the binding
  {
    std::lock_guard<std::mutex> lock(st.mu);
    auto [it, inserted] = st.instances.emplace(key, inst);
    if (!inserted) return it->second;
    st.instance_order.push_back(key);
    while (st.instance_order.size() > kMaxCachedInstances) {
      auto old = st.instances.find(st.instance_order.front());
      if (old != st.instances.end()) {
        evicted.push_back(old->second);
        st.instances.erase(old);
      }
      st.instance_order.pop_front();
    }
  }
  return inst;
}

NDArray alias(const TBlob& b, const Context& ctx, bool read_only) {
  return NDArray::from_external(b.data, b.shape, b.dtype, ctx, nullptr, read_only);
}

// Runs forward or backward through the handler under Note [Custom operator callbacks and the engine].
void run_arrays(const PropInfo& p, const std::string& what, const Request& req, bool is_train) {
  const bool was_recording = autograd::set_recording(false);
  const bool was_training = autograd::set_training(is_train);
  std::exception_ptr err;
  try {
    (*p.handler)(req);
  } catch (...) {
    err = std::current_exception();
  }
  for (const NDArray& a : req.arrays) {
    try {
      Engine::get()->wait_for_var(a.var());
    } catch (...) {
      if (!err) err = std::current_exception();
    }
  }
  autograd::set_recording(was_recording);
  autograd::set_training(was_training);
  // Poison the aliases (see the Note). No operation is pending on them any more, and only the
  // binding's handles reach them, so their variables are written without the engine's lock.
  auto expired = std::make_exception_ptr(
      Error(ErrorKind::kValue, "this array was given to custom operator '" + p.op_type + "' " + what +
                                   " and is valid only during that call; copy it (x.copy()) to keep it"));
  for (const NDArray& a : req.arrays) a.var()->error = expired;
  if (!err) return;
  try {
    std::rethrow_exception(err);
  } catch (const Error& e) {
    fail(e.kind(), p.op_type, what, e.what());
  }
}

void write_req(JsonWriter* w, size_t n) {
  w->key("req").begin_array();
  for (size_t i = 0; i < n; ++i) w->str("write");
  w->end_array();
}

void zero(const TBlob& b) {
  if (b.data) std::memset(b.data, 0, static_cast<size_t>(b.size()) * dtype_size(b.dtype));
}

void custom_forward(const OpContext& octx, const Attrs& attrs, const std::vector<TBlob>& in,
                    const std::vector<TBlob>& out) {
  PropPtr p = prop_for(attrs);
  const size_t na = p->args.size(), nx = p->aux.size();
  MV_CHECK(in.size() == na + nx && out.size() == p->outputs.size(), kInternal) << "Custom: array count mismatch";
  InstancePtr inst = instance_for(p, octx.ctx, std::vector<TBlob>(in.begin(), in.begin() + static_cast<long>(na)));
  Request req;
  for (size_t i = 0; i < na; ++i) req.arrays.push_back(alias(in[i], octx.ctx, true));
  for (const TBlob& b : out) {
    zero(b);  // never hand out uninitialised memory, even if forward skips an output
    req.arrays.push_back(alias(b, octx.ctx, false));
  }
  for (size_t i = 0; i < nx; ++i) req.arrays.push_back(alias(in[na + i], octx.ctx, false));
  JsonWriter w;
  w.begin_object().key("request").str("forward").key("operator").num(static_cast<long long>(inst->id));
  w.key("is_train").boolean(octx.is_train);
  write_req(&w, out.size());
  w.key("in_data").num(static_cast<long long>(na)).key("out_data").num(static_cast<long long>(out.size()));
  w.key("aux").num(static_cast<long long>(nx)).end_object();
  req.json = w.result();
  run_arrays(*p, "forward", req, octx.is_train);
}

// _backward_Custom's inputs: out_grad (one per output), in_data, out_data, aux; outputs: in_grad.
void backward_forward(const OpContext& octx, const Attrs& attrs, const std::vector<TBlob>& in,
                      const std::vector<TBlob>& out) {
  PropPtr p = prop_for(attrs);
  const size_t na = p->args.size(), nx = p->aux.size(), no = p->outputs.size();
  MV_CHECK(in.size() == 2 * no + na + nx && out.size() == na, kInternal) << "_backward_Custom: array count mismatch";
  InstancePtr inst = instance_for(p, octx.ctx, std::vector<TBlob>(in.begin() + static_cast<long>(no),
                                                                   in.begin() + static_cast<long>(no + na)));
  Request req;
  for (size_t i = 0; i < 2 * no + na; ++i) req.arrays.push_back(alias(in[i], octx.ctx, true));
  for (const TBlob& b : out) {
    zero(b);
    req.arrays.push_back(alias(b, octx.ctx, false));
  }
  for (size_t i = 0; i < nx; ++i) req.arrays.push_back(alias(in[2 * no + na + i], octx.ctx, false));
  // Reorder to MXNet's backward order: out_grad, in_data, out_data, in_grad, aux.
  std::vector<NDArray> ordered;
  for (size_t i = 0; i < no; ++i) ordered.push_back(req.arrays[i]);
  for (size_t i = 0; i < na; ++i) ordered.push_back(req.arrays[no + i]);
  for (size_t i = 0; i < no; ++i) ordered.push_back(req.arrays[no + na + i]);
  for (size_t i = 0; i < na; ++i) ordered.push_back(req.arrays[2 * no + na + i]);
  for (size_t i = 0; i < nx; ++i) ordered.push_back(req.arrays[2 * no + 2 * na + i]);
  req.arrays = std::move(ordered);
  JsonWriter w;
  w.begin_object().key("request").str("backward").key("operator").num(static_cast<long long>(inst->id));
  w.key("is_train").boolean(true);
  write_req(&w, na);
  w.key("out_grad").num(static_cast<long long>(no)).key("in_data").num(static_cast<long long>(na));
  w.key("out_data").num(static_cast<long long>(no)).key("in_grad").num(static_cast<long long>(na));
  w.key("aux").num(static_cast<long long>(nx)).end_object();
  req.json = w.result();
  run_arrays(*p, "backward", req, true);
}

std::vector<std::string> backward_inputs(const Attrs& attrs) {
  PropPtr p = prop_for(attrs);
  std::vector<std::string> names;
  for (const auto& o : p->outputs) names.push_back(o + "_grad");
  names.insert(names.end(), p->args.begin(), p->args.end());
  names.insert(names.end(), p->outputs.begin(), p->outputs.end());
  names.insert(names.end(), p->aux.begin(), p->aux.end());
  return names;
}

// Checks what a (possibly hand-written) graph feeds _backward_Custom against the prop's shapes.
void backward_infer_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  PropPtr p = prop_for(attrs);
  const size_t na = p->args.size(), nx = p->aux.size(), no = p->outputs.size();
  check_arity(*p, "_backward_Custom", in->size(), out->size(), 2 * no + na + nx, na);
  std::vector<Shape> fin(in->begin() + static_cast<long>(no), in->begin() + static_cast<long>(no + na));
  for (size_t i = 0; i < nx; ++i) fin.push_back((*in)[2 * no + na + i]);
  std::vector<Shape> fout(no);
  custom_infer_shape(attrs, &fin, &fout);
  std::vector<std::string> names = backward_inputs(attrs);
  auto settle = [&](size_t slot, const Shape& want) {
    if (want.empty()) return;
    if (!(*in)[slot].empty() && (*in)[slot] != want) shape_mismatch(attrs, "input '" + names[slot] + "'", want, (*in)[slot]);
    (*in)[slot] = want;
  };
  for (size_t i = 0; i < no; ++i) {
    settle(i, fout[i]);
    settle(no + na + i, fout[i]);
  }
  for (size_t i = 0; i < na; ++i) {
    settle(no + i, fin[i]);
    (*out)[i] = fin[i];
  }
  for (size_t i = 0; i < nx; ++i) settle(2 * no + na + i, fin[na + i]);
}

void backward_infer_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  PropPtr p = prop_for(attrs);
  const size_t na = p->args.size(), nx = p->aux.size(), no = p->outputs.size();
  check_arity(*p, "_backward_Custom", in->size(), out->size(), 2 * no + na + nx, na);
  std::vector<int> fin(in->begin() + static_cast<long>(no), in->begin() + static_cast<long>(no + na));
  for (size_t i = 0; i < nx; ++i) fin.push_back((*in)[2 * no + na + i]);
  std::vector<int> fout(no, -1);
  custom_infer_type(attrs, &fin, &fout);
  std::vector<std::string> names = backward_inputs(attrs);
  auto settle = [&](size_t slot, int want) {
    if (want < 0) return;
    MV_CHECK((*in)[slot] < 0 || (*in)[slot] == want, kType)
        << "Operator _backward_Custom: input '" << names[slot] << "' has dtype "
        << dtype_name(static_cast<DType>((*in)[slot])) << ", expected " << dtype_name(static_cast<DType>(want));
    (*in)[slot] = want;
  };
  for (size_t i = 0; i < no; ++i) {
    settle(i, fout[i]);
    settle(no + na + i, fout[i]);
  }
  for (size_t i = 0; i < na; ++i) {
    settle(no + i, fin[i]);
    (*out)[i] = fin[i];
  }
  for (size_t i = 0; i < nx; ++i) settle(2 * no + na + i, fin[na + i]);
}

// ---- the built-in reference type -------------------------------------------------------------
// _reference_square: y = x * x, answered in C++ through the same requests a binding answers.
// It gives Custom a registry sample (gradient-checked like every operator) and documents the
// protocol by example.
std::string reference_square(const Request& req) {
  JsonValue r = json_parse(req.json);
  const std::string& kind = r.find("request")->str();
  if (kind == "create_prop")
    return R"({"prop": 1, "arguments": ["data"], "outputs": ["output"], "auxiliary_states": [], "need_top_grad": true})";
  if (kind == "infer_shape") {
    JsonWriter w;
    const JsonValue& s = (*r.find("in_shapes"))[0];
    Shape shape;
    for (size_t i = 0; i < s.size(); ++i) shape.push_back(static_cast<int64_t>(s[i].number()));
    w.begin_object();
    write_shapes(&w, "in_shapes", {shape});
    write_shapes(&w, "out_shapes", {shape});
    write_shapes(&w, "aux_shapes", {});
    w.end_object();
    return w.result();
  }
  if (kind == "infer_type") {
    int t = static_cast<int>((*r.find("in_types"))[0].number());
    JsonWriter w;
    w.begin_object();
    write_types(&w, "in_types", {t});
    write_types(&w, "out_types", {t});
    write_types(&w, "aux_types", {});
    w.end_object();
    return w.result();
  }
  if (kind == "create_operator") return R"({"operator": 1})";
  if (kind == "forward") {  // arrays: in_data[0], out_data[0]
    invoke("elemwise_mul", {req.arrays[0], req.arrays[0]}, {}, {req.arrays[1]});
    return "{}";
  }
  if (kind == "backward") {  // arrays: out_grad[0], in_data[0], out_data[0], in_grad[0]
    NDArray t = invoke("elemwise_mul", {req.arrays[0], req.arrays[1]})[0];
    invoke("_mul_scalar", {t}, {{"scalar", "2"}}, {req.arrays[3]});
    return "{}";
  }
  if (kind == "delete_operator") return "{}";
  MV_THROW(kValue) << "_reference_square: unknown request '" << kind << "'";
}

[[maybe_unused]] const bool kReferenceRegistered = [] {
  register_type("_reference_square", reference_square);
  return true;
}();

}  // namespace

void register_type(const std::string& op_type, Handler handler) {
  MV_CHECK(!op_type.empty(), kValue) << "custom operator registration: op_type is empty";
  MV_CHECK(static_cast<bool>(handler), kValue) << "custom operator registration: '" << op_type << "' has no handler";
  State& st = state();
  std::vector<InstancePtr> dropped;  // released after unlocking: their destructors call the old handler
  std::vector<PropPtr> dropped_props;
  {
    std::lock_guard<std::mutex> lock(st.mu);
    st.types[op_type] = std::make_shared<Handler>(std::move(handler));
    // Re-registering replaces the type (a notebook re-running its cell): forget its props.
    const std::string prefix = op_type + '\0';
    auto has_prefix = [&](const std::string& key) { return key.compare(0, prefix.size(), prefix) == 0; };
    for (auto it = st.props.begin(); it != st.props.end();) {
      if (has_prefix(it->first)) {
        dropped_props.push_back(it->second);
        it = st.props.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = st.instances.begin(); it != st.instances.end();) {
      if (has_prefix(it->first)) {
        dropped.push_back(it->second);
        it = st.instances.erase(it);
      } else {
        ++it;
      }
    }
  }
}

std::vector<std::string> registered_types() {
  State& st = state();
  std::lock_guard<std::mutex> lock(st.mu);
  std::vector<std::string> names;
  for (const auto& [name, h] : st.types) names.push_back(name);
  return names;
}

}  // namespace custom

MV_REGISTER_OP(Custom)
    .describe(
        "Applies a custom operator that a binding registered by name (MXNet's CustomOp / CustomOpProp).\n\n"
        "The inputs are the operator's arguments followed by its auxiliary states, as its "
        "list_arguments and list_auxiliary_states name them. Every parameter other than op_type is "
        "passed to the binding as a string. See docs/custom_op.md.\n\n"
        "Example::\n\n  Custom(x, op_type='_reference_square') = x * x")
    .required_param("op_type", ParamType::kString, "Name of the custom operator type (mx.operator.register)")
    .set_accepts_extra_params()
    .set_list_inputs([](const Attrs& a) { return custom::arg_and_aux_names(*custom::prop_for(a)); })
    .set_num_outputs([](const Attrs& a) { return static_cast<int>(custom::prop_for(a)->outputs.size()); })
    .set_list_outputs([](const Attrs& a) { return custom::prop_for(a)->outputs; })
    .set_mutate_inputs([](const Attrs& a) {
      auto p = custom::prop_for(a);
      std::vector<int> aux;
      for (size_t i = 0; i < p->aux.size(); ++i) aux.push_back(static_cast<int>(p->args.size() + i));
      return aux;
    })
    .set_infer_shape(custom::custom_infer_shape)
    .set_infer_type(custom::custom_infer_type)
    .set_forward(custom::custom_forward)
    .set_gradient([](const GradContext& g) {
      auto p = custom::prop_for(*g.attrs);
      const size_t na = p->args.size();
      std::vector<Tensor> ins = g.out_grads;
      ins.insert(ins.end(), g.inputs.begin(), g.inputs.begin() + static_cast<long>(na));
      ins.insert(ins.end(), g.outputs.begin(), g.outputs.end());
      ins.insert(ins.end(), g.inputs.begin() + static_cast<long>(na), g.inputs.end());
      std::vector<Tensor> grads = op_all("_backward_Custom", ins, g.forward_params());
      std::vector<Tensor> result(g.inputs.size());  // auxiliary states get no gradient
      for (size_t i = 0; i < na; ++i) result[i] = grads[i];
      return result;
    })
    .add_sample([] {
      OpSample s;
      s.shapes = {{2, 3}};
      s.params = {{"op_type", "_reference_square"}};
      return s;
    }());

MV_REGISTER_OP(_backward_Custom)
    .describe("Gradient of Custom: asks the binding's operator to run backward.")
    .params_from("Custom")
    .set_accepts_extra_params()
    .set_list_inputs(custom::backward_inputs)
    .set_num_outputs([](const Attrs& a) { return static_cast<int>(custom::prop_for(a)->args.size()); })
    .set_list_outputs([](const Attrs& a) {
      std::vector<std::string> names;
      for (const auto& n : custom::prop_for(a)->args) names.push_back(n + "_grad");
      return names;
    })
    .set_infer_shape(custom::backward_infer_shape)
    .set_infer_type(custom::backward_infer_type)
    .set_forward(custom::backward_forward)
    .set_non_differentiable();

}  // namespace minerva
