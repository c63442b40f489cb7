// NDArray views, version counters and the pooled allocator.
#include <gtest/gtest.h>

#include "core/storage/storage.h"
#include "tests/cpp/test_util.h"

namespace minerva {
namespace {

using testing::make_array;
using testing::to_vector;

TEST(NDArray, ViewsShareMemoryVersionAndVariable) {
  NDArray a = make_array({3, 2}, {1, 2, 3, 4, 5, 6});
  NDArray row = a.at(1);
  EXPECT_EQ(row.shape(), (Shape{2}));
  EXPECT_EQ(to_vector(row), (std::vector<double>{3, 4}));
  NDArray tail = a.slice(1, 3);
  EXPECT_EQ(to_vector(tail), (std::vector<double>{3, 4, 5, 6}));
  NDArray flat = a.reshape({6});
  EXPECT_EQ(flat.var(), a.var());
  uint64_t v = a.version();
  flat.bump_version();
  EXPECT_EQ(a.version(), v + 1);
  EXPECT_EQ(a.at(0).shape(), (Shape{2}));
  EXPECT_EQ(make_array({4}, {1, 2, 3, 4}).at(2).shape(), (Shape{1}));  // MXNet: 1-d index -> (1,)
}

TEST(NDArray, BadViewsAreErrors) {
  NDArray a = make_array({3, 2}, {});
  EXPECT_THROW(a.at(3), Error);
  EXPECT_THROW(a.slice(2, 1), Error);
  EXPECT_THROW(a.slice(0, 4), Error);
  EXPECT_THROW(a.reshape({4, 2}), Error);
  EXPECT_THROW(NDArray({-1}, DType::kFloat32, Context::cpu(0)), Error);
}

TEST(NDArray, ByteCountsPastSizeTAreErrors) {
  // 2^62 float32 elements fit int64 but their 2^64 bytes wrap to 0: it must not allocate.
  EXPECT_THROW(NDArray({int64_t{1} << 31, int64_t{1} << 31}, DType::kFloat32, Context::cpu(0)), Error);
}

TEST(Storage, ReleasedBlocksAreReused) {
  StorageStats before = storage_stats();
  for (int i = 0; i < 10; ++i) {
    auto block = storage_alloc(3000);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(block->data()) % 64, 0u);  // aligned for SIMD
  }
  StorageStats after = storage_stats();
  EXPECT_EQ(after.num_allocs - before.num_allocs, 10);
  EXPECT_LE(after.num_os_allocs - before.num_os_allocs, 1);
  EXPECT_GE(after.peak_bytes, 4096);
}

TEST(Context, GpuIsAClearError) {
  try {
    Context::make(2, 0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("CUDA"), std::string::npos);
  }
}

TEST(DType, NamesAndCodesFollowMXNet) {
  EXPECT_EQ(static_cast<int>(dtype_from_name("float16")), 2);
  EXPECT_EQ(static_cast<int>(dtype_from_name("int64")), 6);
  EXPECT_EQ(dtype_size(DType::kBool), 1u);
  EXPECT_THROW(dtype_from_name("complex64"), Error);
  EXPECT_THROW(dtype_from_code(8), Error);
}

}  // namespace
}  // namespace minerva
