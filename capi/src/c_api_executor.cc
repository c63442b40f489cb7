// Sections: Executor and CachedOp — binding symbols to arrays, running them, compiled calls.
#include <cctype>
#include <cstring>
#include <map>
#include <string>

#include "capi/src/api_graph.h"
#include "core/base/json.h"

using namespace minerva;
using capi::nd;

namespace {

GradReq grad_req_of(int code, const char* fn, const std::string& who) {
  MV_CHECK(code == 0 || code == 1 || code == 3, kValue)
      << fn << ": grad_req " << code << " of " << who << " is invalid; expected 0 (null), 1 (write) or 3 (add)";
  return static_cast<GradReq>(code);
}

// Optional handle lists: a NULL list or NULL entry is an empty array.
std::vector<NDArray> arrays_of(int num, const MVNDArrayHandle* handles, bool optional, const char* fn,
                               const char* what) {
  MV_CHECK(num >= 0, kValue) << fn << ": negative count " << num << " of " << what;
  std::vector<NDArray> out;
  if (handles == nullptr) {
    MV_CHECK(optional || num == 0, kValue) << fn << ": " << what << " is NULL but its count is " << num;
    out.resize(static_cast<size_t>(num));
    return out;
  }
  for (int i = 0; i < num; ++i) {
    if (handles[i] == nullptr && optional) {
      out.emplace_back();
      continue;
    }
    out.push_back(nd(handles[i], fn, what));
  }
  return out;
}

void publish_arrays(const std::vector<NDArray>& arrays, size_t* out_num, MVNDArrayHandle** out) {
  MV_CHECK_OUT(out_num);
  MV_CHECK_OUT(out);
  auto& b = capi::tls();
  b.handles.clear();
  b.handles.reserve(arrays.size());  // no push_back can throw after a handle is made
  for (const NDArray& a : arrays) b.handles.push_back(a.is_none() ? nullptr : capi::new_handle(a));
  *out_num = arrays.size();
  *out = b.handles.data();
}

MVExecutorHandle new_executor(std::unique_ptr<Executor> exe) {
  auto h = std::make_unique<MVExecutor_>();
  h->num_outputs = exe->outputs().size();
  h->exe = std::move(exe);
  return h.release();
}

// Flags MXNet's Gluon passes to its CachedOp that only tune MXNet's own scheduling: Minerva's
// CachedOp takes every input the same way and runs each node as its own engine operation.
bool is_tuning_flag(const char* key) {
  for (const char* k : {"data_indices", "param_indices", "inline_limit", "forward_bulk_size", "backward_bulk_size"})
    if (std::strcmp(key, k) == 0) return true;
  return false;
}

bool flag_value(const char* key, const char* val) {
  MV_CHECK(val != nullptr, kValue) << "MVCachedOpCreate: the value of flag '" << key << "' is NULL";
  std::string v(val);
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  MV_THROW(kValue) << "MVCachedOpCreate: flag '" << key << "' must be true/false or 1/0, got '" << val << "'";
}

}  // namespace

extern "C" {

MV_DLL int MVExecutorBind(MVSymbolHandle sym, int dev_type, int dev_id, int num_args, const MVNDArrayHandle* args,
                          const MVNDArrayHandle* arg_grads, const int* grad_reqs, int num_aux,
                          const MVNDArrayHandle* aux, MVExecutorHandle* out) {
  MV_API_BEGIN();
  const char* fn = "MVExecutorBind";
  MV_CHECK_OUT(out);
  const Symbol& s = capi::sym(sym, fn);
  Context ctx = Context::make(dev_type, dev_id);
  const std::vector<std::string> names = s.list_arguments();
  capi::check_count(fn, "argument arrays (num_args; one per symbol argument)", num_args, names.size());
  capi::check_count(fn, "auxiliary arrays (num_aux; one per auxiliary state)", num_aux,
                    s.list_auxiliary_states().size());
  std::vector<NDArray> a = arrays_of(num_args, args, false, fn, "args[i]");
  std::vector<NDArray> g = arrays_of(num_args, arg_grads, true, fn, "arg_grads[i]");
  std::vector<NDArray> x = arrays_of(num_aux, aux, false, fn, "aux[i]");
  std::vector<GradReq> reqs;
  for (int i = 0; i < num_args; ++i) {
    std::string who = static_cast<size_t>(i) < names.size() ? "'" + names[static_cast<size_t>(i)] + "'"
                                                            : "argument " + std::to_string(i);
    reqs.push_back(grad_reqs ? grad_req_of(grad_reqs[i], fn, who) : GradReq::kWrite);
  }
  *out = new_executor(std::make_unique<Executor>(s, ctx, std::move(a), std::move(g), std::move(reqs), std::move(x)));
  MV_API_END();
}

MV_DLL int MVExecutorSimpleBind(MVSymbolHandle sym, int dev_type, int dev_id, int num_shapes, const char** shape_keys,
                                const int* ndims, const int64_t* dims, int num_dtypes, const char** dtype_keys,
                                const int* dtypes, int num_reqs, const char** req_keys, const int* reqs,
                                int default_req, MVExecutorHandle* out) {
  MV_API_BEGIN();
  const char* fn = "MVExecutorSimpleBind";
  MV_CHECK_OUT(out);
  const Symbol& s = capi::sym(sym, fn);
  Context ctx = Context::make(dev_type, dev_id);
  MV_CHECK(num_shapes >= 0 && num_dtypes >= 0 && num_reqs >= 0, kValue) << fn << ": negative count";
  MV_CHECK(num_shapes == 0 || (shape_keys && ndims), kValue) << fn << ": shape_keys or ndims is NULL";
  MV_CHECK(num_dtypes == 0 || (dtype_keys && dtypes), kValue) << fn << ": dtype_keys or dtypes is NULL";
  MV_CHECK(num_reqs == 0 || (req_keys && reqs), kValue) << fn << ": req_keys or reqs is NULL";
  std::map<std::string, Shape> shapes;
  size_t pos = 0;
  for (int i = 0; i < num_shapes; ++i) {
    MV_CHECK(shape_keys[i] != nullptr, kValue) << fn << ": shape_keys[" << i << "] is NULL";
    MV_CHECK(ndims[i] >= 0 && ndims[i] <= 32, kValue) << fn << ": ndims[" << i << "] must be in [0, 32], got "
                                                      << ndims[i];
    MV_CHECK(ndims[i] == 0 || dims != nullptr, kValue) << fn << ": dims is NULL";
    MV_CHECK(!shapes.count(shape_keys[i]), kValue) << fn << ": the shape of '" << shape_keys[i] << "' is given twice";
    shapes[shape_keys[i]] = Shape(dims + pos, dims + pos + ndims[i]);
    pos += static_cast<size_t>(ndims[i]);
  }
  std::map<std::string, int> types;
  for (int i = 0; i < num_dtypes; ++i) {
    MV_CHECK(dtype_keys[i] != nullptr, kValue) << fn << ": dtype_keys[" << i << "] is NULL";
    dtype_from_code(dtypes[i]);  // a clear error for unknown codes
    types[dtype_keys[i]] = dtypes[i];
  }
  std::map<std::string, GradReq> req_map;
  for (int i = 0; i < num_reqs; ++i) {
    MV_CHECK(req_keys[i] != nullptr, kValue) << fn << ": req_keys[" << i << "] is NULL";
    req_map[req_keys[i]] = grad_req_of(reqs[i], fn, std::string("'") + req_keys[i] + "'");
  }
  GradReq def = grad_req_of(default_req, fn, "default_req");
  *out = new_executor(Executor::simple_bind(s, ctx, shapes, types, req_map, def));
  MV_API_END();
}

MV_DLL int MVExecutorFree(MVExecutorHandle exe) {
  MV_API_BEGIN();
  if (exe == nullptr) return MV_OK;
  capi::executor(exe, "MVExecutorFree");
  exe->exe.reset();
  capi::release(exe);
  MV_API_END();
}

MV_DLL int MVExecutorForward(MVExecutorHandle exe, int is_train) {
  MV_API_BEGIN();
  MVExecutor_& h = capi::executor(exe, "MVExecutorForward");
  h.calling = "MVExecutorForward";
  h.exe->forward(is_train != 0);
  MV_API_END();
}

MV_DLL int MVExecutorBackward(MVExecutorHandle exe, int num, const MVNDArrayHandle* out_grads, int is_train) {
  MV_API_BEGIN();
  const char* fn = "MVExecutorBackward";
  MVExecutor_& h = capi::executor(exe, fn);
  h.calling = fn;
  if (out_grads != nullptr && num != 0)
    capi::check_count(fn, "out_grads (num; one per executor output, or 0 for none)", num, h.num_outputs);
  std::vector<NDArray> g = out_grads ? arrays_of(num, out_grads, true, fn, "out_grads[i]") : std::vector<NDArray>{};
  h.exe->backward(g, is_train != 0);
  MV_API_END();
}

MV_DLL int MVExecutorOutputs(MVExecutorHandle exe, size_t* out_num, MVNDArrayHandle** out) {
  MV_API_BEGIN();
  publish_arrays(capi::executor(exe, "MVExecutorOutputs").exe->outputs(), out_num, out);
  MV_API_END();
}

MV_DLL int MVExecutorArgArrays(MVExecutorHandle exe, size_t* out_num, MVNDArrayHandle** out) {
  MV_API_BEGIN();
  publish_arrays(capi::executor(exe, "MVExecutorArgArrays").exe->arg_arrays(), out_num, out);
  MV_API_END();
}

MV_DLL int MVExecutorGradArrays(MVExecutorHandle exe, size_t* out_num, MVNDArrayHandle** out) {
  MV_API_BEGIN();
  publish_arrays(capi::executor(exe, "MVExecutorGradArrays").exe->grad_arrays(), out_num, out);
  MV_API_END();
}

MV_DLL int MVExecutorAuxArrays(MVExecutorHandle exe, size_t* out_num, MVNDArrayHandle** out) {
  MV_API_BEGIN();
  publish_arrays(capi::executor(exe, "MVExecutorAuxArrays").exe->aux_arrays(), out_num, out);
  MV_API_END();
}

MV_DLL int MVExecutorGetMemoryStats(MVExecutorHandle exe, const char** out_json) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_json);
  MemoryPlanStats s = capi::executor(exe, "MVExecutorGetMemoryStats").exe->memory_stats();
  JsonWriter w;
  w.begin_object();
  w.key("planned_bytes").num(static_cast<long long>(s.planned_bytes));
  w.key("unplanned_bytes").num(static_cast<long long>(s.unplanned_bytes));
  w.key("num_buffers").num(static_cast<long long>(s.num_buffers));
  w.key("num_entries").num(static_cast<long long>(s.num_entries));
  w.key("num_inplace").num(static_cast<long long>(s.num_inplace));
  w.end_object();
  auto& b = capi::tls();
  b.text = w.result();
  *out_json = b.text.c_str();
  MV_API_END();
}

MV_DLL int MVExecutorSetMonitorCallback(MVExecutorHandle exe, MVMonitorCallback callback, void* user_data) {
  MV_API_BEGIN();
  MVExecutor_& h = capi::executor(exe, "MVExecutorSetMonitorCallback");
  if (callback == nullptr) {
    h.exe->set_monitor(nullptr);
    return MV_OK;
  }
  MVExecutor_* self = &h;
  h.exe->set_monitor([self, callback, user_data](const std::string& name, const NDArray& array) {
    MVNDArray_ borrowed;  // valid during the call only, as documented
    borrowed.array = array;
    int rc = callback(name.c_str(), &borrowed, user_data);
    MV_CHECK(rc == 0, kValue) << self->calling << ": the monitor callback returned " << rc << " for '" << name << "'";
  });
  MV_API_END();
}

MV_DLL int MVCachedOpCreate(MVSymbolHandle sym, int num_flags, const char** keys, const char** vals,
                            MVCachedOpHandle* out) {
  MV_API_BEGIN();
  const char* fn = "MVCachedOpCreate";
  MV_CHECK_OUT(out);
  const Symbol& s = capi::sym(sym, fn);
  MV_CHECK(num_flags >= 0, kValue) << fn << ": negative count " << num_flags;
  MV_CHECK(num_flags == 0 || (keys && vals), kValue) << fn << ": keys or vals is NULL but num_flags is " << num_flags;
  CachedOpFlags flags;
  for (int i = 0; i < num_flags; ++i) {
    MV_CHECK(keys[i] != nullptr, kValue) << fn << ": keys[" << i << "] is NULL";
    if (std::strcmp(keys[i], "static_alloc") == 0)
      flags.static_alloc = flag_value(keys[i], vals[i]);
    else if (std::strcmp(keys[i], "static_shape") == 0)
      flags.static_shape = flag_value(keys[i], vals[i]);
    else if (!is_tuning_flag(keys[i]))
      MV_THROW(kValue) << fn << ": unknown flag '" << keys[i] << "'; valid flags are static_alloc, static_shape "
                       << "and MXNet's tuning flags data_indices, param_indices, inline_limit, forward_bulk_size, "
                       << "backward_bulk_size (accepted, no effect)";
  }
  auto h = std::make_unique<MVCachedOp_>();  // owned until handed out: a throwing CachedOp leaks nothing
  h->op = std::make_unique<CachedOp>(s, flags);
  h->num_inputs = s.list_inputs().size();
  *out = h.release();
  MV_API_END();
}

MV_DLL int MVCachedOpFree(MVCachedOpHandle op) {
  MV_API_BEGIN();
  if (op == nullptr) return MV_OK;
  capi::cached_op(op, "MVCachedOpFree");
  op->op.reset();
  capi::release(op);
  MV_API_END();
}

MV_DLL int MVCachedOpInvoke(MVCachedOpHandle op, int num_inputs, const MVNDArrayHandle* inputs, int* out_num,
                            MVNDArrayHandle** out_outputs) {
  MV_API_BEGIN();
  const char* fn = "MVCachedOpInvoke";
  MV_CHECK_OUT(out_num);
  MV_CHECK_OUT(out_outputs);
  CachedOp& c = capi::cached_op(op, fn);
  capi::check_count(fn, "inputs (num_inputs; one per symbol input)", num_inputs, op->num_inputs);
  std::vector<NDArray> in = arrays_of(num_inputs, inputs, false, fn, "inputs[i]");
  std::vector<NDArray> outs = c.invoke(in);
  auto& b = capi::tls();
  b.handles.clear();
  b.handles.reserve(outs.size());
  for (const NDArray& a : outs) b.handles.push_back(capi::new_handle(a));
  *out_num = static_cast<int>(outs.size());
  *out_outputs = b.handles.data();
  MV_API_END();
}

}  // extern "C"
