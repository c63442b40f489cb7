// Section: Operators — registry introspection, parameter parsing, imperative invoke.
#include <map>
#include <mutex>

#include "capi/src/api_util.h"
#include "core/op/invoke.h"

using namespace minerva;
using capi::nd;

extern "C" {

MV_DLL int MVListOps(size_t* out_num, const char*** out_names) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_num);
  MV_CHECK_OUT(out_names);
  // The registry is complete once the library is loaded, so the list is built once.
  static const std::vector<std::string> names = OpRegistry::get().names();
  static const std::vector<const char*> cstrs = [] {
    std::vector<const char*> v;
    for (auto& n : names) v.push_back(n.c_str());
    return v;
  }();
  *out_num = cstrs.size();
  *out_names = const_cast<const char**>(cstrs.data());
  MV_API_END();
}

MV_DLL int MVOpGetHandle(const char* name, MVOpHandle* out) {
  MV_API_BEGIN();
  MV_CHECK(name != nullptr, kValue) << "MVOpGetHandle: name is NULL";
  MV_CHECK_OUT(out);
  const OpDef& def = OpRegistry::get().lookup(name);
  *out = reinterpret_cast<MVOpHandle>(const_cast<OpDef*>(&def));
  MV_API_END();
}

MV_DLL int MVOpGetSchemaJSON(MVOpHandle op, const char** out_json) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_json);
  const OpDef& def = capi::op_of(op, "MVOpGetSchemaJSON");
  // Schemas are immutable after registration; cache one string per operator.
  static std::mutex mu;
  static std::map<const OpDef*, std::string> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(&def);
  if (it == cache.end()) it = cache.emplace(&def, def.schema_json()).first;
  *out_json = it->second.c_str();
  MV_API_END();
}

MV_DLL int MVOpParamsCreate(MVOpHandle op, int num, const char** keys, const char** vals,
                            MVOpParamsHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  const OpDef& def = capi::op_of(op, "MVOpParamsCreate");
  MV_CHECK(num >= 0, kValue) << "MVOpParamsCreate: num must be >= 0, got " << num;
  MV_CHECK(num == 0 || (keys && vals), kValue) << "MVOpParamsCreate: keys or vals is NULL but num is " << num;
  KeyValues kv;
  for (int i = 0; i < num; ++i) {
    MV_CHECK(keys[i] && vals[i], kValue) << "MVOpParamsCreate: key or value " << i << " is NULL";
    kv.emplace_back(keys[i], vals[i]);
  }
  auto* h = new MVOpParams_();
  h->attrs = def.parse(kv);
  *out = h;
  MV_API_END();
}

MV_DLL int MVOpParamsFree(MVOpParamsHandle params) {
  MV_API_BEGIN();
  if (params == nullptr) return MV_OK;
  capi::checked(params, capi::kTagOpParams, "OpParams", "MVOpParamsFree", "params");
  capi::release(params);
  MV_API_END();
}

MV_DLL int MVOpParamsListInputs(MVOpParamsHandle params, size_t* out_num, const char*** out_names) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_num);
  MV_CHECK_OUT(out_names);
  auto* p = capi::checked(params, capi::kTagOpParams, "OpParams", "MVOpParamsListInputs", "params");
  auto names = p->attrs->op->inputs_for(*p->attrs);
  *out_names = capi::to_cstrs(names);
  *out_num = names.size();
  MV_API_END();
}

MV_DLL int MVImperativeInvoke(MVOpHandle op, MVOpParamsHandle params, int num_inputs, const MVNDArrayHandle* inputs,
                              int* inout_num_outputs, MVNDArrayHandle** inout_outputs) {
  MV_API_BEGIN();
  const OpDef& def = capi::op_of(op, "MVImperativeInvoke");
  MV_CHECK_OUT(inout_num_outputs);
  MV_CHECK_OUT(inout_outputs);
  auto* p = capi::checked(params, capi::kTagOpParams, "OpParams", "MVImperativeInvoke", "params");
  MV_CHECK(p->attrs->op == &def, kValue) << "MVImperativeInvoke: params were created for operator "
                                         << p->attrs->op->name << ", not " << def.name;
  MV_CHECK(num_inputs >= 0 && (num_inputs == 0 || inputs), kValue)
      << "MVImperativeInvoke: inputs is NULL but num_inputs is " << num_inputs;
  std::vector<NDArray> in;
  in.reserve(static_cast<size_t>(num_inputs));
  for (int i = 0; i < num_inputs; ++i) in.push_back(nd(inputs[i], def.name.c_str(), "input"));
  std::vector<NDArray> preset;
  int num_preset = *inout_num_outputs;
  MV_CHECK(num_preset >= 0, kValue) << "MVImperativeInvoke: negative number of outputs " << num_preset;
  if (num_preset > 0) {
    MV_CHECK(*inout_outputs != nullptr, kValue) << "MVImperativeInvoke: " << num_preset
                                                << " outputs announced but the output array is NULL";
    for (int i = 0; i < num_preset; ++i) preset.push_back(nd((*inout_outputs)[i], def.name.c_str(), "output"));
  }
  std::vector<NDArray> outs = invoke(def, p->attrs, in, preset);
  if (num_preset > 0) {
    // Outputs were the caller's; recorded autograd history now lives on their handles.
    for (int i = 0; i < num_preset && i < static_cast<int>(outs.size()); ++i) (*inout_outputs)[i]->array = outs[i];
    *inout_num_outputs = static_cast<int>(outs.size());
  } else {
    auto& b = capi::tls();
    b.handles.clear();
    for (auto& o : outs) b.handles.push_back(capi::new_handle(o));
    *inout_num_outputs = static_cast<int>(outs.size());
    *inout_outputs = b.handles.data();
  }
  MV_API_END();
}

}  // extern "C"
