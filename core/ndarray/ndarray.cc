#include "core/ndarray/ndarray.h"

#include <cstring>

#include "core/base/checked.h"

#include "core/op/kernel_util.h"

namespace minerva {

namespace {
// Bytes of an array; a count past size_t would wrap to a small allocation that kernels overrun.
size_t byte_size(const Shape& shape, DType dtype) {
  for (int64_t d : shape)
    MV_CHECK(d >= 0, kValue) << "array dimensions must be non-negative, got shape " << shape_str(shape);
  return checked_byte_count(shape_size(shape), dtype_size(dtype),
                            [&] { return std::string("shape ") + shape_str(shape) + " of " + dtype_name(dtype); });
}
}  // namespace

NDArray::NDArray(const Shape& shape, DType dtype, Context ctx, bool zero) : shape_(shape), dtype_(dtype) {
  chunk_ = std::make_shared<Chunk>();
  chunk_->bytes = byte_size(shape, dtype);
  chunk_->block = storage_alloc(chunk_->bytes, zero);
  chunk_->data = chunk_->block->data();
  chunk_->ctx = ctx;
}

NDArray NDArray::from_external(void* data, const Shape& shape, DType dtype, Context ctx,
                               std::function<void()> on_release, bool read_only) {
  NDArray a;
  a.shape_ = shape;
  a.dtype_ = dtype;
  a.chunk_ = std::make_shared<Chunk>();
  a.chunk_->data = data;
  a.chunk_->bytes = byte_size(shape, dtype);
  a.chunk_->ctx = ctx;
  a.chunk_->on_release = std::move(on_release);
  a.chunk_->read_only = read_only;
  return a;
}

NDArray NDArray::reshape(const Shape& shape) const {
  MV_CHECK(shape_size(shape) == size(), kValue)
      << "cannot reshape array of shape " << shape_str(shape_) << " (" << size()
      << " elements) to " << shape_str(shape) << " (" << shape_size(shape) << " elements)";
  NDArray v = detached();
  v.shape_ = shape;
  return v;
}

NDArray NDArray::slice(int64_t begin, int64_t end) const {
  MV_CHECK(ndim() >= 1, kIndex) << "cannot slice a 0-d array";
  MV_CHECK(0 <= begin && begin <= end && end <= shape_[0], kIndex)
      << "slice [" << begin << ", " << end << ") is out of range for axis 0 of length " << shape_[0];
  NDArray v = detached();
  v.shape_[0] = end - begin;
  v.offset_ += static_cast<size_t>(begin * (shape_[0] ? size() / shape_[0] : 0)) * dtype_size(dtype_);
  return v;
}

NDArray NDArray::at(int64_t index) const {
  MV_CHECK(ndim() >= 1, kIndex) << "cannot index a 0-d array";
  MV_CHECK(0 <= index && index < shape_[0], kIndex)
      << "index " << index << " is out of range for axis 0 of length " << shape_[0];
  NDArray v = slice(index, index + 1);
  Shape s(shape_.begin() + 1, shape_.end());
  if (s.empty()) s = {1};  // MXNet 1.x: indexing a 1-d array gives shape (1,)
  v.shape_ = s;
  return v;
}

NDArray NDArray::detached() const {
  NDArray v = *this;
  v.ag = nullptr;
  return v;
}

NDArray NDArray::view(const Shape& shape, DType dtype, size_t byte_offset) const {
  MV_CHECK(chunk_ != nullptr, kValue) << "cannot take a view of an empty array";
  for (int64_t d : shape)
    MV_CHECK(d >= 0, kValue) << "array dimensions must be non-negative, got shape " << shape_str(shape);
  const size_t bytes = byte_size(shape, dtype);
  MV_CHECK(offset_ + byte_offset + bytes <= chunk_->bytes, kValue)
      << "a view of shape " << shape_str(shape) << " " << dtype_name(dtype) << " (" << bytes << " bytes) at byte "
      << offset_ + byte_offset << " does not fit in a chunk of " << chunk_->bytes << " bytes";
  NDArray v = detached();
  v.shape_ = shape;
  v.dtype_ = dtype;
  v.offset_ += byte_offset;
  return v;
}

void NDArray::wait_to_read() const { Engine::get()->wait_for_var(chunk_->var); }
void NDArray::wait_to_write() const { Engine::get()->wait_for_var(chunk_->var); }

void copy_array(const NDArray& src, const NDArray& dst) {
  MV_CHECK(src.shape() == dst.shape(), kValue) << "copyto: shape mismatch, source " << shape_str(src.shape())
                                               << " vs destination " << shape_str(dst.shape());
  MV_CHECK(!dst.chunk()->read_only, kValue) << "copyto: the destination array is read-only";
  dst.bump_version();
  if (src.same_chunk(dst) && src.byte_offset() == dst.byte_offset() && src.dtype() == dst.dtype()) return;
  TBlob s = src.blob(), d = dst.blob();
  auto keep_src = src.chunk(), keep_dst = dst.chunk();
  Engine::get()->push([s, d, keep_src, keep_dst] { cast_copy(s, d); }, {src.var()}, {dst.var()}, "_copyto");
}

}  // namespace minerva
