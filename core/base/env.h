// Every MINERVA_* environment switch is read here, once, so docs/env.md has one place to mirror.
#pragma once
#include <string>

namespace minerva {
namespace env {

std::string engine_type();       // MINERVA_ENGINE_TYPE: "ThreadedEngine" (default) or "NaiveEngine"
int cpu_worker_threads();        // MINERVA_CPU_WORKER_NTHREADS: engine workers per CPU context (default 1)
int max_pending_ops();           // MINERVA_ENGINE_MAX_PENDING: run-ahead bound before push blocks (default 128)
bool debug_handles();            // MINERVA_DEBUG_HANDLES=1: freed handles are quarantined, never reused
int debug_level();               // MINERVA_DEBUG=0..3
bool use_dnnl();                 // MINERVA_DNNL=0: the reference kernels instead of oneDNN (default 1)

}  // namespace env
}  // namespace minerva
