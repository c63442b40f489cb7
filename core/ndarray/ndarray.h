// NDArray: a shape, a dtype and a byte offset into a shared, engine-tracked chunk of memory.
// Views (reshape, slice on axis 0, at) share the chunk, and so its engine variable and its
// version counter. Arrays are never 0-d: MXNet 1.x gives scalars shape (1,).
#pragma once
#include <atomic>
#include <functional>
#include <memory>

#include "core/base/types.h"
#include "core/engine/engine.h"
#include "core/storage/storage.h"

namespace minerva {

struct Chunk {
  std::shared_ptr<StorageBlock> block;  // pooled memory, or null for adopted external memory
  void* data = nullptr;
  size_t bytes = 0;
  Context ctx;
  EngineVarPtr var = Engine::new_var();
  // Bumped (synchronously, at push time) by every operation that writes the chunk. Autograd
  // compares it with the value saved at recording; see Note [Autograd version check].
  std::atomic<uint64_t> version{0};
  bool read_only = false;
  std::function<void()> on_release;  // deleter of adopted external memory
  ~Chunk() {
    if (on_release) on_release();
  }
};

// What kernels see: a raw pointer with its shape and dtype; no ownership.
struct TBlob {
  void* data = nullptr;
  Shape shape;
  DType dtype = DType::kFloat32;
  int64_t size() const { return shape_size(shape); }
  int ndim() const { return static_cast<int>(shape.size()); }
  template <typename T>
  T* ptr() const {
    return static_cast<T*>(data);
  }
};

struct AGEntry;  // autograd bookkeeping of one array; core/autograd/autograd.h

class NDArray {
 public:
  NDArray() = default;
  NDArray(const Shape& shape, DType dtype, Context ctx, bool zero = true);
  // Adopts or borrows memory that outlives every pending operation on the array.
  static NDArray from_external(void* data, const Shape& shape, DType dtype, Context ctx,
                               std::function<void()> on_release, bool read_only);

  bool is_none() const { return chunk_ == nullptr; }
  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  Context ctx() const { return chunk_->ctx; }
  int64_t size() const { return shape_size(shape_); }
  int ndim() const { return static_cast<int>(shape_.size()); }
  size_t nbytes() const { return static_cast<size_t>(size()) * dtype_size(dtype_); }
  size_t byte_offset() const { return offset_; }
  void* data() const { return static_cast<char*>(chunk_->data) + offset_; }
  TBlob blob() const { return TBlob{data(), shape_, dtype_}; }
  const std::shared_ptr<Chunk>& chunk() const { return chunk_; }
  const EngineVarPtr& var() const { return chunk_->var; }
  bool same_chunk(const NDArray& o) const { return chunk_ == o.chunk_; }

  // Views; share memory, engine variable and version counter.
  NDArray reshape(const Shape& shape) const;        // same number of elements
  NDArray slice(int64_t begin, int64_t end) const;  // [begin, end) on axis 0
  NDArray at(int64_t index) const;                  // index on axis 0, drops that axis
  NDArray detached() const;                         // same view, no autograd history
  // Another shape and dtype at byte_offset from this view's start, inside the chunk: how the
  // executor places planned entries in shared buffers (Note [Executor memory plan]).
  NDArray view(const Shape& shape, DType dtype, size_t byte_offset) const;

  void wait_to_read() const;
  void wait_to_write() const;
  uint64_t version() const { return chunk_->version.load(); }
  void bump_version() const { chunk_->version.fetch_add(1); }

  // Autograd bookkeeping (null when the array was never recorded nor marked).
  std::shared_ptr<AGEntry> ag;

 private:
  std::shared_ptr<Chunk> chunk_;
  Shape shape_;
  DType dtype_ = DType::kFloat32;
  size_t offset_ = 0;
};

// Copies src into dst (same shape; dtype converted) through the engine.
void copy_array(const NDArray& src, const NDArray& dst);

}  // namespace minerva
