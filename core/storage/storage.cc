#include "core/storage/storage.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "core/base/error.h"
#include "core/profiler/profiler.h"

namespace minerva {

namespace {
constexpr size_t kAlign = 64;

// Size classes: powers of two below 1 MiB, then 1 MiB multiples, so big tensors waste little.
size_t size_class(size_t bytes) {
  if (bytes == 0) bytes = 1;
  if (bytes <= (1u << 20)) {
    size_t c = kAlign;
    while (c < bytes) c <<= 1;
    return c;
  }
  const size_t mib = size_t(1) << 20;
  return (bytes + mib - 1) / mib * mib;
}

struct Pool {
  std::mutex mu;
  std::map<size_t, std::vector<void*>> free_blocks;
  StorageStats stats;
};
Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: blocks may be released during static teardown
  return *p;
}
}  // namespace

StorageBlock::~StorageBlock() {
  Pool& p = pool();
  int64_t in_use = 0;
  {
    std::lock_guard<std::mutex> lock(p.mu);
    p.free_blocks[capacity_].push_back(ptr_);
    p.stats.bytes_in_use -= static_cast<int64_t>(capacity_);
    p.stats.bytes_pooled += static_cast<int64_t>(capacity_);
    in_use = p.stats.bytes_in_use;
  }
  if (profiler::recording()) profiler::record_memory(in_use);
}

std::shared_ptr<StorageBlock> storage_alloc(size_t bytes, bool zero) {
  size_t cap = size_class(bytes);
  void* ptr = nullptr;
  Pool& p = pool();
  {
    std::lock_guard<std::mutex> lock(p.mu);
    auto it = p.free_blocks.find(cap);
    if (it != p.free_blocks.end() && !it->second.empty()) {
      ptr = it->second.back();
      it->second.pop_back();
      p.stats.bytes_pooled -= static_cast<int64_t>(cap);
    }
  }
  if (!ptr) {
    ptr = std::aligned_alloc(kAlign, cap);
    if (!ptr) {
      storage_release_pool();
      ptr = std::aligned_alloc(kAlign, cap);
    }
    if (!ptr) throw Error(ErrorKind::kMemory, "out of memory allocating " + std::to_string(cap) + " bytes");
    std::lock_guard<std::mutex> lock(p.mu);
    p.stats.num_os_allocs++;
  }
  if (zero) std::memset(ptr, 0, bytes);
  int64_t in_use = 0;
  {
    std::lock_guard<std::mutex> lock(p.mu);
    p.stats.num_allocs++;
    p.stats.bytes_in_use += static_cast<int64_t>(cap);
    if (p.stats.bytes_in_use > p.stats.peak_bytes) p.stats.peak_bytes = p.stats.bytes_in_use;
    in_use = p.stats.bytes_in_use;
  }
  if (profiler::recording()) profiler::record_memory(in_use);
  return std::make_shared<StorageBlock>(ptr, bytes, cap);
}

StorageStats storage_stats() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  return p.stats;
}

void storage_release_pool() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  for (auto& kv : p.free_blocks) {
    for (void* ptr : kv.second) std::free(ptr);
    p.stats.bytes_pooled -= static_cast<int64_t>(kv.first * kv.second.size());
    kv.second.clear();
  }
}

}  // namespace minerva
