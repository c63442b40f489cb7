// Section: Library — versions, build info, the error slot.
#include <cstdio>
#include <string>

#include "capi/src/api_util.h"
#include "core/engine/engine.h"
#include "core/kernels/dnnl/dnnl_util.h"

namespace minerva {
namespace capi {

namespace {
thread_local std::string tl_last_error;
}

void set_last_error(const std::string& msg) { tl_last_error = msg; }
const char* last_error_cstr() { return tl_last_error.c_str(); }

const char* tag_name(uint64_t tag) {
  switch (tag) {
    case kTagNDArray: return "an NDArray handle";
    case kTagOpParams: return "an OpParams handle";
    case kTagSymbol: return "a Symbol handle";
    case kTagExecutor: return "an Executor handle";
    case kTagCachedOp: return "a CachedOp handle";
    case kTagCustomOpCall: return "a CustomOpCall handle";
    case kTagProfileDomain: return "a ProfileDomain handle";
    case kTagProfileObject: return "a ProfileObject handle";
    case kTagOp: return "an Op handle";
    default: return "an unknown object (not a Minerva handle)";
  }
}

ThreadBuffers& tls() {
  static thread_local ThreadBuffers buffers;
  return buffers;
}

const char** to_cstrs(const std::vector<std::string>& names) {
  ThreadBuffers& b = tls();
  b.strings = names;
  b.cstrs.clear();
  for (auto& s : b.strings) b.cstrs.push_back(s.c_str());
  return b.cstrs.data();
}

}  // namespace capi
}  // namespace minerva

using namespace minerva;

extern "C" {

MV_DLL int MVGetABIVersion(int* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  *out = MV_ABI_VERSION;
  MV_API_END();
}

MV_DLL int MVGetVersion(MVVersion* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  MVVersion v{0, 0, 0};
  std::sscanf(MINERVA_VERSION, "%d.%d.%d", &v.major, &v.minor, &v.patch);
  *out = v;
  MV_API_END();
}

MV_DLL int MVGetBuildInfo(const char** out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  static const std::string info = std::string("{\"version\":\"") + MINERVA_VERSION + "\",\"abi\":" +
                                  std::to_string(MV_ABI_VERSION) +
                                  ",\"blas\":\"openblas\",\"openmp\":true,\"onednn\":" +
                                  (onednn::available() ? "true" : "false") + ",\"cuda\":false,\"engine\":\"" +
                                  Engine::get()->type_name() + "\"}";
  *out = info.c_str();
  MV_API_END();
}

MV_DLL const char* MVGetLastError(void) { return capi::last_error_cstr(); }

}  // extern "C"
