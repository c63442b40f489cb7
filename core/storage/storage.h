// Pooled, 64-byte aligned host memory. Blocks are kept in size-class free lists and reused, so a
// training loop allocates from the OS only during its first iteration.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

namespace minerva {

struct StorageStats {
  int64_t bytes_in_use = 0;   // handed out and not yet released
  int64_t peak_bytes = 0;     // high-water mark of bytes_in_use
  int64_t bytes_pooled = 0;   // released to the pool, kept for reuse
  int64_t num_allocs = 0;     // requests served
  int64_t num_os_allocs = 0;  // requests that reached the OS
};

// One block of memory; returns itself to the pool when the last owner lets go.
class StorageBlock {
 public:
  StorageBlock(void* ptr, size_t size, size_t capacity) : ptr_(ptr), size_(size), capacity_(capacity) {}
  ~StorageBlock();
  StorageBlock(const StorageBlock&) = delete;
  StorageBlock& operator=(const StorageBlock&) = delete;
  void* data() const { return ptr_; }
  size_t size() const { return size_; }

 private:
  void* ptr_;
  size_t size_;      // bytes requested
  size_t capacity_;  // bytes of the size class actually reserved
};

// Memory of at least `bytes` (rounded up to the size class); zero-filled when `zero` is set.
// Kernels that overwrite every output element ask for unfilled memory.
std::shared_ptr<StorageBlock> storage_alloc(size_t bytes, bool zero = true);
StorageStats storage_stats();
void storage_release_pool();  // returns pooled blocks to the OS

}  // namespace minerva
