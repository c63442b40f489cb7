// Section: Autograd — modes, variables, backward, the recorded graph as a symbol.
#include "capi/src/api_util.h"
#include "core/autograd/autograd.h"

using namespace minerva;
using capi::nd;

extern "C" {

MV_DLL int MVAutogradSetIsRecording(int is_recording, int* prev) {
  MV_API_BEGIN();
  MV_CHECK_OUT(prev);
  *prev = autograd::set_recording(is_recording != 0);
  MV_API_END();
}

MV_DLL int MVAutogradSetIsTraining(int is_training, int* prev) {
  MV_API_BEGIN();
  MV_CHECK_OUT(prev);
  *prev = autograd::set_training(is_training != 0);
  MV_API_END();
}

MV_DLL int MVAutogradIsRecording(int* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  *out = autograd::is_recording();
  MV_API_END();
}

MV_DLL int MVAutogradIsTraining(int* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  *out = autograd::is_training();
  MV_API_END();
}

MV_DLL int MVAutogradMarkVariables(int num, MVNDArrayHandle* vars, const int* reqs, MVNDArrayHandle* grads) {
  MV_API_BEGIN();
  MV_CHECK(num >= 0 && (num == 0 || (vars && reqs && grads)), kValue)
      << "MVAutogradMarkVariables: vars, reqs or grads is NULL but num is " << num;
  std::vector<NDArray*> v;
  std::vector<NDArray> g;
  std::vector<GradReq> r;
  for (int i = 0; i < num; ++i) {
    v.push_back(&nd(vars[i], "MVAutogradMarkVariables", "vars[i]"));
    g.push_back(nd(grads[i], "MVAutogradMarkVariables", "grads[i]"));
    MV_CHECK(reqs[i] == 0 || reqs[i] == 1 || reqs[i] == 3, kValue)
        << "MVAutogradMarkVariables: grad_req " << reqs[i] << " is invalid; expected 0 (null), 1 (write) or 3 (add)";
    r.push_back(static_cast<GradReq>(reqs[i]));
  }
  autograd::mark_variables(v, g, r);
  MV_API_END();
}

MV_DLL int MVAutogradBackward(int num_heads, const MVNDArrayHandle* heads, const MVNDArrayHandle* head_grads,
                              int num_vars, const MVNDArrayHandle* vars, int retain_graph, int create_graph,
                              int is_train, MVNDArrayHandle** out_grads) {
  MV_API_BEGIN();
  MV_CHECK(num_heads > 0 && heads, kValue) << "MVAutogradBackward: at least one head is needed";
  MV_CHECK(num_vars >= 0 && (num_vars == 0 || vars), kValue) << "MVAutogradBackward: vars is NULL but num_vars is "
                                                             << num_vars;
  MV_CHECK(num_vars == 0 || out_grads, kValue) << "MVAutogradBackward: out_grads is NULL";
  std::vector<NDArray> h, hg, v;
  for (int i = 0; i < num_heads; ++i) {
    h.push_back(nd(heads[i], "MVAutogradBackward", "heads[i]"));
    hg.push_back(head_grads && head_grads[i] ? nd(head_grads[i], "MVAutogradBackward", "head_grads[i]") : NDArray());
  }
  for (int i = 0; i < num_vars; ++i) v.push_back(nd(vars[i], "MVAutogradBackward", "vars[i]"));
  auto grads = autograd::backward(h, hg, v, retain_graph != 0, create_graph != 0, is_train != 0);
  if (num_vars > 0) {
    auto& b = capi::tls();
    b.handles.clear();
    b.handles.reserve(grads.size());
    for (auto& g : grads) b.handles.push_back(capi::new_handle(g));
    *out_grads = b.handles.data();
  }
  MV_API_END();
}

MV_DLL int MVAutogradGetSymbol(MVNDArrayHandle handle, MVSymbolHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  *out = capi::new_symbol(autograd::get_symbol(nd(handle, "MVAutogradGetSymbol", "handle")));
  MV_API_END();
}

}  // extern "C"
