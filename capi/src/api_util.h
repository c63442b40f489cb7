// The exception -> error-code boundary and the handle objects behind the ABI's opaque types.
#pragma once
#include <cstdint>
#include <new>
#include <string>
#include <vector>

#include "core/base/env.h"
#include "core/base/error.h"
#include "core/graph/symbol.h"
#include "core/ndarray/ndarray.h"
#include "core/op/op.h"
#include "minerva/c_api.h"

namespace minerva {
namespace capi {

// Each handle object starts with a tag naming its kind (ABI rule 8); free poisons it.
constexpr uint64_t kTagNDArray = 0x4d56'4e44'4172'7279ull;   // "MVNDArry"
constexpr uint64_t kTagOpParams = 0x4d56'4f70'5061'7273ull;  // "MVOpPars"
constexpr uint64_t kTagSymbol = 0x4d56'5379'6d62'6f6cull;    // "MVSymbol"
constexpr uint64_t kTagExecutor = 0x4d56'4578'6563'7574ull;  // "MVExecut"
constexpr uint64_t kTagCachedOp = 0x4d56'4361'6368'4f70ull;  // "MVCachOp"
constexpr uint64_t kTagCustomOpCall = 0x4d56'4375'7374'4f70ull;  // "MVCustOp"
constexpr uint64_t kTagFreed = 0xdead'dead'dead'deadull;

void set_last_error(const std::string& msg);
const char* last_error_cstr();
const char* tag_name(uint64_t tag);

}  // namespace capi
}  // namespace minerva

struct MVNDArray_ {
  uint64_t tag = minerva::capi::kTagNDArray;
  minerva::NDArray array;
};
struct MVOpParams_ {
  uint64_t tag = minerva::capi::kTagOpParams;
  minerva::AttrsPtr attrs;
};
struct MVSymbol_ {
  uint64_t tag = minerva::capi::kTagSymbol;
  minerva::Symbol sym;
};
// MVOpHandle points straight at the registry's OpDef (static, never freed).
struct MVOp_ {};

namespace minerva {
namespace capi {

template <typename T>
T* checked(T* h, uint64_t tag, const char* kind, const char* fn, const char* arg) {
  if (h == nullptr) MV_THROW(kInvalidHandle) << fn << ": " << arg << " (" << kind << " handle) is NULL";
  uint64_t got = *reinterpret_cast<const uint64_t*>(h);
  if (got == kTagFreed)
    MV_THROW(kInvalidHandle) << fn << ": " << arg << " is a freed " << kind << " handle (use after free)";
  if (got != tag)
    MV_THROW(kInvalidHandle) << fn << ": " << arg << " expected a " << kind << " handle, got " << tag_name(got);
  return h;
}
inline NDArray& nd(MVNDArrayHandle h, const char* fn, const char* arg = "handle") {
  return checked(h, kTagNDArray, "NDArray", fn, arg)->array;
}
inline Symbol& sym(MVSymbolHandle h, const char* fn, const char* arg = "sym") {
  return checked(h, kTagSymbol, "Symbol", fn, arg)->sym;
}
inline MVSymbolHandle new_symbol(Symbol s) {
  auto* h = new MVSymbol_();
  h->sym = std::move(s);
  return h;
}
inline const OpDef& op_of(MVOpHandle h, const char* fn) {
  if (h == nullptr) MV_THROW(kInvalidHandle) << fn << ": op (Op handle) is NULL";
  return *reinterpret_cast<const OpDef*>(h);
}
inline MVNDArrayHandle new_handle(NDArray a) {
  auto* h = new MVNDArray_();
  h->array = std::move(a);
  return h;
}
// Frees a handle object; under MINERVA_DEBUG_HANDLES=1 the memory is quarantined (never reused),
// so a later use is reported deterministically.
template <typename T>
void release(T* h) {
  *reinterpret_cast<uint64_t*>(h) = kTagFreed;
  if (env::debug_handles()) return;
  delete h;
}

// Per-thread buffers behind MV_OUT_BORROWED(thread) results.
struct ThreadBuffers {
  std::vector<int64_t> shape;
  std::vector<MVNDArrayHandle> handles;
  std::vector<std::string> strings;
  std::vector<const char*> cstrs;
  std::string text;
};
ThreadBuffers& tls();
const char** to_cstrs(const std::vector<std::string>& names);

}  // namespace capi
}  // namespace minerva

// Wraps every exported body (ABI rule 7): no exception leaves the library; failures become a
// positive MVErrorKind plus the thread-local message.
#define MV_API_BEGIN() try {
#define MV_API_END()                                                         \
  }                                                                          \
  catch (const ::minerva::Error& e) {                                        \
    ::minerva::capi::set_last_error(e.what());                               \
    return static_cast<int>(e.kind());                                       \
  }                                                                          \
  catch (const std::bad_alloc&) {                                            \
    ::minerva::capi::set_last_error(std::string(__func__) + ": out of memory"); \
    return MV_ERR_MEMORY;                                                    \
  }                                                                          \
  catch (const std::exception& e) {                                          \
    ::minerva::capi::set_last_error(std::string(__func__) + ": " + e.what()); \
    return MV_ERR_INTERNAL;                                                  \
  }                                                                          \
  catch (...) {                                                              \
    ::minerva::capi::set_last_error(std::string(__func__) + ": unknown failure"); \
    return MV_ERR_INTERNAL;                                                  \
  }                                                                          \
  return MV_OK;

#define MV_CHECK_OUT(PTR) MV_CHECK((PTR) != nullptr, kValue) << __func__ << ": output pointer " #PTR " is NULL"
