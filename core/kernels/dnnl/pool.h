// oneDNN fast path for float32 1-D and 2-D max and average Pooling (NCW/NCHW): forward and the
// data gradient. The reference kernels live in core/ops/nn_pool.cc; tests/cpp/test_dnnl_conv.cc
// checks that both agree. See Note [oneDNN fast paths] in dnnl_util.h.
#pragma once
#include <cstdint>

namespace minerva {
namespace onednn {

enum class PoolKind { kMax, kAvgIncludePad, kAvgExcludePad };

// A 2-D pooling's geometry (a 1-D one has in_h = out_h = k_h = 1). Window o of a dimension
// starts at o * stride - pad; the output sizes are the caller's (any pooling convention).
struct PoolDims {
  PoolKind kind = PoolKind::kMax;
  int64_t batch = 0, channels = 0;
  int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1, k_h = 1, k_w = 1;
  int64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
};

// Each returns false when oneDNN is off or cannot do the case exactly as the reference kernel
// does (an average whose window runs past the padded input, for instance); the caller then
// runs the reference kernel. x and dx are (batch, channels, in_h, in_w), y and dy (batch,
// channels, out_h, out_w); dx is written, never accumulated. Max pooling's gradient goes to
// the first maximum of each window, as the reference's.
bool pool_forward(const PoolDims& d, const float* x, float* y);
bool pool_backward(const PoolDims& d, const float* dy, const float* x, float* dx);

}  // namespace onednn
}  // namespace minerva
