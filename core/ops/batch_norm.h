// Batch normalization's kernels and inference, shared by BatchNorm (nn_norm.cc) and its contrib
// variants BatchNormWithReLU and SyncBatchNorm (contrib_batch_norm.cc): one normalization loop
// and one gradient loop, whatever the variant stores as its hidden outputs or when it updates
// the moving statistics.
#pragma once
#include <algorithm>
#include <vector>

#include "core/op/kernel_util.h"
#include "core/op/op.h"

namespace minerva {

// Threads over channels (or rows) only when each has enough elements to pay for them.
inline int64_t norm_grain(int64_t per_item) { return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, per_item)); }

// How one normalization pass runs.
struct BatchNormConfig {
  int axis = 1;               // the channel axis, already in [0, ndim)
  double eps = 1e-3;
  bool fix_gamma = true;      // gamma is taken as 1 and gets a zero gradient
  bool batch_stats = false;   // the batch's statistics (training), else the moving ones
};

// Per-channel statistics a forward pass normalized with: the mean and the biased variance.
struct ChannelStats {
  std::vector<double> mean, var;
};

// y = (x - mean) / sqrt(var + eps) * gamma + beta per channel, with the batch's statistics when
// cfg.batch_stats and moving_mean/moving_var otherwise. Returns the statistics used. `who` names
// the operator in dtype errors.
ChannelStats batch_norm_normalize(const char* who, const BatchNormConfig& cfg, const TBlob& x, const TBlob& gamma,
                                  const TBlob& beta, const TBlob& moving_mean, const TBlob& moving_var,
                                  const TBlob& y);

// moving = moving * momentum + stat * (1 - momentum), written in place.
void update_moving_stats(const ChannelStats& stats, double momentum, const TBlob& moving_mean,
                         const TBlob& moving_var);

// 1 / sqrt(var + eps) per channel.
std::vector<double> inverse_std(const std::vector<double>& var, double eps);

// The gradients of the normalization with respect to data, gamma and beta, given the mean and
// inverse standard deviation the forward used; with cfg.batch_stats they differentiate through
// the batch statistics, otherwise the statistics are constants. The output gradient is ograd,
// times relu_mask where one is given (BatchNormWithReLU's ReLU: 1 where it passed, else 0).
void batch_norm_gradient(const char* who, const BatchNormConfig& cfg, const TBlob& ograd, const TBlob& x,
                         const TBlob& gamma, const std::vector<double>& mean, const std::vector<double>& invstd,
                         const TBlob& gx, const TBlob& ggamma, const TBlob& gbeta, const TBlob* relu_mask = nullptr);

// The channel count of data for the channel axis `axis`; fills gamma, beta, moving_mean and
// moving_var (inputs 1-4) with (channels,) and checks them.
int64_t infer_channel_inputs(const Attrs& attrs, int axis, std::vector<Shape>* in);
// float16 data keeps float32 parameters, statistics and hidden outputs, as in MXNet; output 0
// has data's dtype.
void batch_norm_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out);

// BatchNorm's parameters, which BatchNormWithReLU shares: `.MV_BATCH_NORM_PARAMS` in a declaration.
#define MV_BATCH_NORM_PARAMS                                                                                     \
  param("eps", ParamType::kFloat, "0.0010000000474974513",                                                      \
        "Epsilon to prevent div 0. Must be no less than CUDNN_BN_MIN_EPSILON defined in cudnn.h when using "    \
        "cudnn (usually 1e-5)")                                                                                  \
      .param("momentum", ParamType::kFloat, "0.899999976", "Momentum for moving average")                        \
      .param("fix_gamma", ParamType::kBool, "True", "Fix gamma while training")                                  \
      .param("use_global_stats", ParamType::kBool, "False",                                                      \
             "Whether use global moving statistics instead of local batch-norm. This will force change "        \
             "batch-norm into a scale shift operator.")                                                          \
      .param("output_mean_var", ParamType::kBool, "False", "Output the mean and inverse std ")                   \
      .param("axis", ParamType::kInt, "1", "Specify which shape axis the channel is specified")                  \
      .kind(ParamKind::kAxis)                                                                                    \
      .param("cudnn_off", ParamType::kBool, "False", "Do not select CUDNN operator, if available")               \
      .param("min_calib_range", ParamType::kFloat, "None",                                                       \
             "The minimum scalar value in the form of float32 obtained through calibration (quantized "          \
             "batch norm only; accepted and ignored).")                                                          \
      .param("max_calib_range", ParamType::kFloat, "None",                                                       \
             "The maximum scalar value in the form of float32 obtained through calibration (quantized "          \
             "batch norm only; accepted and ignored).")

// BatchNorm itself (parameters eps, momentum, fix_gamma, use_global_stats, axis...): inputs data,
// gamma, beta, moving_mean, moving_var; outputs out, mean, inverse std. See Note [BatchNorm
// statistics] in batch_norm.cc. BatchNormWithReLU shares these through its identical parameters.
BatchNormConfig batch_norm_config(const OpContext& ctx, const Attrs& attrs, int ndim);
void batch_norm_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out);
void batch_norm_forward(const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out);
// Inputs: ograd, data, gamma, saved mean, saved inverse std. Outputs: d data, d gamma, d beta.
void batch_norm_backward(const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out);
void batch_norm_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out);

}  // namespace minerva
