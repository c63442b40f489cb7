#include "core/base/env.h"

#include <cstdlib>

namespace minerva {
namespace env {

namespace {
int int_var(const char* name, int fallback, int lo) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  long x = std::strtol(v, &end, 10);
  if (*end != '\0' || x < lo) return fallback;
  return static_cast<int>(x);
}
}  // namespace

std::string engine_type() {
  const char* v = std::getenv("MINERVA_ENGINE_TYPE");
  return (v && *v) ? std::string(v) : std::string("ThreadedEngine");
}
int cpu_worker_threads() { return int_var("MINERVA_CPU_WORKER_NTHREADS", 1, 1); }
int max_pending_ops() { return int_var("MINERVA_ENGINE_MAX_PENDING", 128, 1); }
bool debug_handles() { return int_var("MINERVA_DEBUG_HANDLES", 0, 0) != 0; }
int debug_level() { return int_var("MINERVA_DEBUG", 0, 0); }
bool use_dnnl() { return int_var("MINERVA_DNNL", 1, 0) != 0; }

}  // namespace env
}  // namespace minerva
