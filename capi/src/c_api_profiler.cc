// Section: Profiler. The process-wide profiler of core/profiler and its user objects.
#include <memory>

#include "capi/src/api_util.h"
#include "core/profiler/profiler.h"

using namespace minerva;
using namespace minerva::capi;

struct MVProfileDomain_ {
  uint64_t tag = kTagProfileDomain;
  profiler::DomainPtr domain;
};
struct MVProfileObject_ {
  uint64_t tag = kTagProfileObject;
  std::unique_ptr<profiler::Object> object;
};

namespace {

const profiler::DomainPtr& domain_of(MVProfileDomainHandle h, const char* fn) {
  return checked(h, kTagProfileDomain, "ProfileDomain", fn, "domain")->domain;
}
profiler::Object& object_of(MVProfileObjectHandle h, const char* fn) {
  return *checked(h, kTagProfileObject, "ProfileObject", fn, "obj")->object;
}
const char* name_arg(const char* name, const char* fn) {
  MV_CHECK(name != nullptr, kValue) << fn << ": name is NULL";
  return name;
}

}  // namespace

extern "C" {

MV_DLL int MVProfilerSetConfig(int num, const char** keys, const char** vals) {
  MV_API_BEGIN();
  MV_CHECK(num >= 0, kValue) << "MVProfilerSetConfig: num must be >= 0, got " << num;
  MV_CHECK(num == 0 || (keys != nullptr && vals != nullptr), kValue) << "MVProfilerSetConfig: keys or vals is NULL";
  std::vector<std::pair<std::string, std::string>> kv;
  for (int i = 0; i < num; ++i) {
    MV_CHECK(keys[i] != nullptr && vals[i] != nullptr, kValue) << "MVProfilerSetConfig: key or value " << i << " is NULL";
    kv.emplace_back(keys[i], vals[i]);
  }
  profiler::set_config(kv);
  MV_API_END();
}

MV_DLL int MVProfilerSetState(int state) {
  MV_API_BEGIN();
  MV_CHECK(state == 0 || state == 1, kValue) << "MVProfilerSetState: state must be 0 (stop) or 1 (run), got " << state;
  profiler::set_state(state == 1);
  MV_API_END();
}

MV_DLL int MVProfilerGetState(int* out_running, int* out_paused) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_running);
  MV_CHECK_OUT(out_paused);
  const int running = profiler::running() ? 1 : 0, paused = profiler::paused() ? 1 : 0;
  *out_running = running;
  *out_paused = paused;
  MV_API_END();
}

MV_DLL int MVProfilerPause(int paused) {
  MV_API_BEGIN();
  MV_CHECK(paused == 0 || paused == 1, kValue) << "MVProfilerPause: paused must be 0 or 1, got " << paused;
  profiler::set_paused(paused == 1);
  MV_API_END();
}

MV_DLL int MVProfilerDump(int finished) {
  MV_API_BEGIN();
  profiler::dump(finished != 0);
  MV_API_END();
}

MV_DLL int MVProfilerDumps(int reset, int format, int sort_by, int ascending, const char** out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  MV_CHECK(format == 0 || format == 1, kValue) << "MVProfilerDumps: format must be 0 (table) or 1 (json), got " << format;
  MV_CHECK(sort_by >= 0 && sort_by <= 4, kValue)
      << "MVProfilerDumps: sort_by must be 0 (total), 1 (avg), 2 (min), 3 (max) or 4 (count), got " << sort_by;
  std::string& text = tls().text;
  text = profiler::dumps(reset != 0, static_cast<profiler::StatsFormat>(format),
                         static_cast<profiler::SortBy>(sort_by), ascending != 0);
  *out = text.c_str();
  MV_API_END();
}

MV_DLL int MVProfilerSetScope(const char* scope) {
  MV_API_BEGIN();
  MV_CHECK(scope != nullptr, kValue) << "MVProfilerSetScope: scope is NULL";
  profiler::set_scope(scope);
  MV_API_END();
}

MV_DLL int MVProfileDomainCreate(const char* name, MVProfileDomainHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  auto h = std::make_unique<MVProfileDomain_>();  // name_arg throws on NULL: nothing may leak then
  h->domain = std::make_shared<profiler::Domain>(profiler::Domain{name_arg(name, "MVProfileDomainCreate")});
  *out = h.release();
  MV_API_END();
}

MV_DLL int MVProfileDomainFree(MVProfileDomainHandle domain) {
  MV_API_BEGIN();
  if (domain == nullptr) return MV_OK;
  release(checked(domain, kTagProfileDomain, "ProfileDomain", "MVProfileDomainFree", "domain"));
  MV_API_END();
}

MV_DLL int MVProfileObjectCreate(MVProfileDomainHandle domain, int kind, const char* name, MVProfileObjectHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  const char* n = name_arg(name, "MVProfileObjectCreate");
  MV_CHECK(kind >= MV_PROFILE_TASK && kind <= MV_PROFILE_COUNTER, kValue)
      << "MVProfileObjectCreate: kind must be an MVProfileObjectKind (0 task, 1 frame, 2 event, 3 counter), got "
      << kind;
  profiler::DomainPtr d;
  if (kind == MV_PROFILE_EVENT && domain == nullptr)
    d = std::make_shared<profiler::Domain>(profiler::Domain{""});
  else
    d = domain_of(domain, "MVProfileObjectCreate");
  auto object = std::make_unique<profiler::Object>(static_cast<profiler::ObjectKind>(kind), d, n);
  auto h = std::make_unique<MVProfileObject_>();
  h->object = std::move(object);
  *out = h.release();
  MV_API_END();
}

MV_DLL int MVProfileObjectFree(MVProfileObjectHandle obj) {
  MV_API_BEGIN();
  if (obj == nullptr) return MV_OK;
  MVProfileObject_* h = checked(obj, kTagProfileObject, "ProfileObject", "MVProfileObjectFree", "obj");
  h->object.reset();
  release(h);
  MV_API_END();
}

MV_DLL int MVProfileObjectStart(MVProfileObjectHandle obj) {
  MV_API_BEGIN();
  object_of(obj, "MVProfileObjectStart").start();
  MV_API_END();
}

MV_DLL int MVProfileObjectStop(MVProfileObjectHandle obj) {
  MV_API_BEGIN();
  object_of(obj, "MVProfileObjectStop").stop();
  MV_API_END();
}

MV_DLL int MVProfileCounterSet(MVProfileObjectHandle counter, int64_t value) {
  MV_API_BEGIN();
  object_of(counter, "MVProfileCounterSet").set_counter(value);
  MV_API_END();
}

MV_DLL int MVProfileCounterAdjust(MVProfileObjectHandle counter, int64_t delta) {
  MV_API_BEGIN();
  object_of(counter, "MVProfileCounterAdjust").adjust_counter(delta);
  MV_API_END();
}

MV_DLL int MVProfileMarkerSet(MVProfileDomainHandle domain, const char* name, const char* scope) {
  MV_API_BEGIN();
  const profiler::DomainPtr& d = domain_of(domain, "MVProfileMarkerSet");
  MV_CHECK(scope != nullptr, kValue) << "MVProfileMarkerSet: scope is NULL";
  profiler::mark(*d, name_arg(name, "MVProfileMarkerSet"), scope);
  MV_API_END();
}

}  // extern "C"
