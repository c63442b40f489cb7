// Sections: Random and Storage.
#include "capi/src/api_util.h"
#include "core/base/json.h"
#include "core/op/random.h"
#include "core/storage/storage.h"

using namespace minerva;

extern "C" {

MV_DLL int MVRandomSeed(uint64_t seed) {
  MV_API_BEGIN();
  random_seed(seed);
  MV_API_END();
}

MV_DLL int MVRandomSeedContext(uint64_t seed, int dev_type, int dev_id) {
  MV_API_BEGIN();
  random_seed(seed, Context::make(dev_type, dev_id));
  MV_API_END();
}

MV_DLL int MVStorageGetStats(const char** out_json) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_json);
  StorageStats s = storage_stats();
  JsonWriter w;
  w.begin_object();
  w.key("bytes_in_use").num(static_cast<long long>(s.bytes_in_use));
  w.key("peak_bytes").num(static_cast<long long>(s.peak_bytes));
  w.key("bytes_pooled").num(static_cast<long long>(s.bytes_pooled));
  w.key("num_allocs").num(static_cast<long long>(s.num_allocs));
  w.key("num_os_allocs").num(static_cast<long long>(s.num_os_allocs));
  w.end_object();
  auto& b = capi::tls();
  b.text = w.result();
  *out_json = b.text.c_str();
  MV_API_END();
}

MV_DLL int MVStorageReleasePool(void) {
  MV_API_BEGIN();
  storage_release_pool();
  MV_API_END();
}

}  // extern "C"
