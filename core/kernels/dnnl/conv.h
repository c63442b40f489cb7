// oneDNN fast path for float32 1-D and 2-D Convolution (NCW/NCHW data, OIW/OIHW weights, any
// num_group): forward, and the gradients of data, weight and bias. The reference kernels live
// in core/ops/nn_conv.cc; tests/cpp/test_dnnl_conv.cc checks that both agree. See Note [oneDNN
// fast paths] in dnnl_util.h.
#pragma once
#include <cstdint>

namespace minerva {
namespace onednn {

// A 2-D convolution's geometry (a 1-D one has in_h = out_h = k_h = 1). pad is symmetric, as
// MXNet's; dilate is MXNet's (1 = dense).
struct ConvDims {
  int64_t batch = 0, channels = 0, filters = 0, groups = 1;
  int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1, k_h = 1, k_w = 1;
  int64_t stride_h = 1, stride_w = 1, dilate_h = 1, dilate_w = 1, pad_h = 0, pad_w = 0;
};

// Each returns false, having written nothing that matters, when oneDNN is off or cannot do the
// case; the caller then runs the reference kernel. bias / db may be null (no_bias). Arrays are
// dense: x (batch, channels, in_h, in_w), w (filters, channels/groups, k_h, k_w),
// y (batch, filters, out_h, out_w). The gradients are written, never accumulated.
bool conv_forward(const ConvDims& d, const float* x, const float* w, const float* bias, float* y);
bool conv_backward(const ConvDims& d, const float* dy, const float* x, const float* w, float* dx, float* dw,
                   float* db);

}  // namespace onednn
}  // namespace minerva
