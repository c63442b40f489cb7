// Section: Custom operators. Turns a binding's C callback into a core custom-operator handler
// (core/ops/custom.h); see the header's section comment for threads and requests.
#include "capi/src/api_util.h"
#include "core/ops/custom.h"

using namespace minerva;
using namespace minerva::capi;

struct MVCustomOpCall_ {
  uint64_t tag = kTagCustomOpCall;
  const custom::Request* request = nullptr;
  std::string result = "{}";
  std::string error;
  int error_kind = MV_ERR_VALUE;
};

namespace {

MVCustomOpCall_* call_of(MVCustomOpCallHandle h, const char* fn) {
  return checked(h, kTagCustomOpCall, "CustomOpCall", fn, "call");
}

custom::Handler c_handler(MVCustomOpCallback callback, void* user_data) {
  return [callback, user_data](const custom::Request& req) {
    // The handle dies with the callback, even one that unwinds (a C++ caller's callback): a later
    // use is a use of a freed handle (an invalid-handle error under MINERVA_DEBUG_HANDLES=1).
    struct Owned {
      MVCustomOpCall_* call = new MVCustomOpCall_();
      ~Owned() { release(call); }
    } owned;
    MVCustomOpCall_* call = owned.call;
    call->request = &req;
    int rc = callback(call, user_data);
    std::string result = std::move(call->result), error = std::move(call->error);
    int kind = call->error_kind;
    if (rc != 0) {
      if (error.empty()) error = "the callback failed (returned " + std::to_string(rc) + ") without a message";
      throw Error(static_cast<ErrorKind>(kind), error);
    }
    return result;
  };
}

}  // namespace

MV_DLL int MVCustomOpRegister(const char* op_type, MVCustomOpCallback callback, void* user_data) {
  MV_API_BEGIN();
  MV_CHECK(op_type != nullptr && op_type[0] != '\0', kValue) << "MVCustomOpRegister: op_type is NULL or empty";
  MV_CHECK(callback != nullptr, kValue) << "MVCustomOpRegister: callback is NULL";
  custom::register_type(op_type, c_handler(callback, user_data));
  MV_API_END();
}

MV_DLL int MVCustomOpListRegistered(size_t* out_num, const char*** out_names) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_num);
  MV_CHECK_OUT(out_names);
  const std::vector<std::string> names = custom::registered_types();
  *out_names = to_cstrs(names);
  *out_num = names.size();
  MV_API_END();
}

MV_DLL int MVCustomOpCallGetRequest(MVCustomOpCallHandle call, const char** out_json) {
  MV_API_BEGIN();
  MVCustomOpCall_* c = call_of(call, "MVCustomOpCallGetRequest");
  MV_CHECK_OUT(out_json);
  *out_json = c->request->json.c_str();
  MV_API_END();
}

MV_DLL int MVCustomOpCallGetArray(MVCustomOpCallHandle call, int index, MVNDArrayHandle* out) {
  MV_API_BEGIN();
  MVCustomOpCall_* c = call_of(call, "MVCustomOpCallGetArray");
  MV_CHECK_OUT(out);
  const size_t n = c->request->arrays.size();
  MV_CHECK(index >= 0 && static_cast<size_t>(index) < n, kIndex)
      << "MVCustomOpCallGetArray: index " << index << " is out of range; this call carries " << n << " array(s)";
  *out = new_handle(c->request->arrays[static_cast<size_t>(index)]);
  MV_API_END();
}

MV_DLL int MVCustomOpCallSetResult(MVCustomOpCallHandle call, const char* result_json) {
  MV_API_BEGIN();
  MVCustomOpCall_* c = call_of(call, "MVCustomOpCallSetResult");
  MV_CHECK(result_json != nullptr, kValue) << "MVCustomOpCallSetResult: result_json is NULL";
  c->result = result_json;
  MV_API_END();
}

MV_DLL int MVCustomOpCallSetError(MVCustomOpCallHandle call, int kind, const char* message) {
  MV_API_BEGIN();
  MVCustomOpCall_* c = call_of(call, "MVCustomOpCallSetError");
  MV_CHECK(kind >= MV_ERR_VALUE && kind <= MV_ERR_INTERNAL, kValue)
      << "MVCustomOpCallSetError: kind " << kind << " is not an MVErrorKind (expected " << MV_ERR_VALUE << ".."
      << MV_ERR_INTERNAL << ")";
  MV_CHECK(message != nullptr, kValue) << "MVCustomOpCallSetError: message is NULL";
  c->error_kind = kind;
  c->error = message;
  MV_API_END();
}
