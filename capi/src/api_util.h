// The exception -> error-code boundary and the handle objects behind the ABI's opaque types.
#pragma once
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "core/base/env.h"
#include "core/base/error.h"
#include "core/graph/symbol.h"
#include "core/ndarray/ndarray.h"
#include "core/op/op.h"
#include "core/profiler/profiler.h"
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
constexpr uint64_t kTagProfileDomain = 0x4d56'5072'6f44'6f6dull;  // "MVProDom"
constexpr uint64_t kTagProfileObject = 0x4d56'5072'6f4f'626aull;  // "MVProObj"
constexpr uint64_t kTagOp = 0x4d56'4f70'4465'6621ull;             // "MVOpDef!"
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
// One per registry entry, made on first lookup and never freed (MVOpHandle is static), so an op
// handle carries a tag like every other kind and a wrong-kind pointer is caught on entry.
struct MVOp_ {
  uint64_t tag = minerva::capi::kTagOp;
  const minerva::OpDef* def = nullptr;
};

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
inline Symbol& sym(MVSymbolHandle h, const char* fn, const char* arg = "sym") {
  return checked(h, kTagSymbol, "Symbol", fn, arg)->sym;
}
inline MVSymbolHandle new_symbol(Symbol s) {
  auto h = std::make_unique<MVSymbol_>();
  h->sym = std::move(s);
  return h.release();
}
inline const OpDef& op_of(MVOpHandle h, const char* fn) { return *checked(h, kTagOp, "Op", fn, "op")->def; }
MVOpHandle op_handle_of(const OpDef& def);  // the one tagged handle of a registry entry

// Note [None arrays]
// A none array (no chunk: shape (), no data) is what loading a record of unknown shape gives,
// as in MXNet. Every NDArray function goes through nd(), which rejects it with one message, so no
// function can reach its missing data; the few with a defined answer for it (free, shape, dtype,
// waits, grad, save) use nd_or_none() instead.
inline NDArray& nd_or_none(MVNDArrayHandle h, const char* fn, const char* arg = "handle") {
  return checked(h, kTagNDArray, "NDArray", fn, arg)->array;
}
inline NDArray& nd(MVNDArrayHandle h, const char* fn, const char* arg = "handle") {
  NDArray& a = nd_or_none(h, fn, arg);
  if (a.is_none())
    MV_THROW(kValue) << fn << ": " << arg << " is a none array (no shape and no data, as loaded from a record of "
                     << "unknown shape); it can only be freed, saved, waited on or asked its shape";
  return a;
}
inline MVNDArrayHandle new_handle(NDArray a) {
  auto h = std::make_unique<MVNDArray_>();
  h->array = std::move(a);
  return h.release();
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
#define MV_API_BEGIN() \
  try {                \
    ::minerva::profiler::ApiSpan mv_api_span_(__func__);
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
