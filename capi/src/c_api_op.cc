// Section: Operators — registry introspection, parameter parsing, imperative invoke.
#include <map>
#include <memory>
#include <mutex>

#include "capi/src/api_util.h"
#include "core/op/invoke.h"

using namespace minerva;
using capi::nd;

namespace minerva {
namespace capi {

MVOpHandle op_handle_of(const OpDef& def) {
  // Registry entries live for the whole process, and so do their handles.
  static std::mutex mu;
  static std::map<const OpDef*, std::unique_ptr<MVOp_>> handles;
  std::lock_guard<std::mutex> lock(mu);
  std::unique_ptr<MVOp_>& h = handles[&def];
  if (!h) {
    h = std::make_unique<MVOp_>();
    h->def = &def;
  }
  return h.get();
}

}  // namespace capi
}  // namespace minerva

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
  *out = capi::op_handle_of(def);
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
  AttrsPtr attrs = def.parse(kv);  // parse first: a failing parse leaves nothing behind
  auto h = std::make_unique<MVOpParams_>();
  h->attrs = std::move(attrs);
  *out = h.release();
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
  // Counts before arrays: neither list is read past what the operator takes.
  const std::vector<std::string> names = def.inputs_for(*p->attrs);
  MV_CHECK(static_cast<size_t>(num_inputs) == names.size(), kValue)
      << "Operator " << def.name << " expects " << names.size() << " input(s) (" << join_names(names) << "), got "
      << num_inputs;
  std::vector<NDArray> in;
  in.reserve(static_cast<size_t>(num_inputs));
  for (int i = 0; i < num_inputs; ++i) in.push_back(nd(inputs[i], def.name.c_str(), "input"));
  std::vector<NDArray> preset;
  int num_preset = *inout_num_outputs;
  MV_CHECK(num_preset >= 0, kValue) << "MVImperativeInvoke: negative number of outputs " << num_preset;
  if (num_preset > 0) {
    MV_CHECK(*inout_outputs != nullptr, kValue) << "MVImperativeInvoke: " << num_preset
                                                << " outputs announced but the output array is NULL";
    const int all = def.outputs_for(*p->attrs), visible = def.visible_outputs_for(*p->attrs);
    MV_CHECK(num_preset == all || num_preset == visible, kValue)
        << "Operator " << def.name << " produces " << visible << " output(s), but " << num_preset
        << " output arrays were given";
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
    b.handles.reserve(outs.size());
    for (auto& o : outs) b.handles.push_back(capi::new_handle(o));
    *inout_num_outputs = static_cast<int>(outs.size());
    *inout_outputs = b.handles.data();
  }
  MV_API_END();
}

}  // extern "C"
