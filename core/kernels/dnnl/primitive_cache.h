// The helpers the oneDNN wrappers share (builds with MINERVA_WITH_DNNL only): the engine, a
// thread-safe cache of primitives, and a per-call helper that moves arguments between Minerva's
// plain layouts and a primitive's own. See Note [oneDNN fast paths] in dnnl_util.h.
#pragma once
#include "core/kernels/dnnl/dnnl_util.h"

#ifdef MINERVA_WITH_DNNL
#include <oneapi/dnnl/dnnl.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/storage/storage.h"

namespace minerva {
namespace onednn {

const dnnl::engine& cpu_engine();

// The primitive attributes every fast path uses: a scratchpad the caller provides.
dnnl::primitive_attr user_scratchpad_attr();

// A plain float32 descriptor (NCHW for 4 dims, OIHW/GOIHW for weights, x for a vector).
dnnl::memory::desc plain_desc(const dnnl::memory::dims& dims);

// One argument of a primitive: the user's plain layout, the primitive's layout and, when they
// differ, the reorder between them (user -> primitive for inputs, primitive -> user for outputs).
struct ArgLayout {
  dnnl::memory::desc user, prim;
  bool same = true;
  dnnl::reorder convert;
};
ArgLayout input_layout(const dnnl::memory::desc& user, const dnnl::memory::desc& prim);
ArgLayout output_layout(const dnnl::memory::desc& user, const dnnl::memory::desc& prim);

// One execution: a stream, scratch buffers from the storage pool (freed with the call) and the
// output reorders still to run.
class Call {
 public:
  Call();
  // The argument as the primitive reads it: the user's memory, or a reordered copy of it.
  dnnl::memory input(const ArgLayout& arg, const void* data);
  // Memory for the primitive to write; finish() copies it back when the layouts differ.
  dnnl::memory output(const ArgLayout& arg, void* data);
  // The user's memory as it is (the primitive reads or writes this layout itself).
  dnnl::memory wrap(const dnnl::memory::desc& d, const void* data);
  // Memory from the storage pool, freed when the call ends.
  dnnl::memory scratch(const dnnl::memory::desc& d);
  dnnl::memory scratchpad(const dnnl::primitive_desc_base& pd);
  void run(const dnnl::primitive& p, const std::unordered_map<int, dnnl::memory>& args);
  void finish();

 private:
  dnnl::stream stream_;
  std::vector<std::shared_ptr<StorageBlock>> blocks_;
  std::vector<std::pair<const ArgLayout*, std::pair<dnnl::memory, dnnl::memory>>> pending_;
};

// A cache from a key (the shape and parameters, as integers) to an immutable entry built by
// `make`. A key whose `make` threw dnnl::error (oneDNN has no implementation for it) maps to
// nullptr, so the caller falls back to the reference kernel without asking oneDNN again.
// Thread-safe; `make` runs outside the lock (two threads may build the same entry once each).
template <typename Entry>
class PrimitiveCache {
 public:
  using Make = std::function<std::shared_ptr<const Entry>()>;
  std::shared_ptr<const Entry> get(const std::vector<int64_t>& key, const Make& make) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = map_.find(key);
      if (it != map_.end()) return it->second;
    }
    std::shared_ptr<const Entry> entry;
    try {
      entry = make();
    } catch (const dnnl::error&) {
      entry = nullptr;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (map_.size() >= kMaxEntries) map_.clear();  // a shape-varying workload must not grow it forever
    map_.emplace(key, entry);
    return entry;
  }

 private:
  static constexpr size_t kMaxEntries = 1024;
  std::mutex mu_;
  std::map<std::vector<int64_t>, std::shared_ptr<const Entry>> map_;
};

}  // namespace onednn
}  // namespace minerva
#endif  // MINERVA_WITH_DNNL
