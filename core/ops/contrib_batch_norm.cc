// MXNet 1.x's contrib variants of BatchNorm, on BatchNorm's kernels (batch_norm.cc):
// BatchNormWithReLU (BatchNorm's parameters and outputs, then a ReLU) and SyncBatchNorm (batch
// statistics synchronised across the devices of one process; Minerva's batch is one piece, so
// they are the statistics of the batch it is given).
#include <cmath>

#include "core/ops/batch_norm.h"
#include "core/ops/layout_util.h"
#include "core/ops/nn_extra_util.h"

namespace minerva {
namespace {

OpSample bn_sample(std::vector<Shape> shapes, KeyValues params) {
  OpSample s = op_sample(std::move(shapes), std::move(params));
  s.lo = 0.1;  // positive, so moving_var is a valid variance
  s.hi = 1.0;
  s.no_grad_inputs = {3, 4};  // the moving statistics are auxiliary states
  return s;
}

// ---- BatchNormWithReLU -------------------------------------------------------------------------

// Note [Moving statistics in the backward pass]
// MXNet 1.9.1 updates a batch normalization's moving statistics when it runs the backward pass in
// training, from the statistics its forward saved, so a training forward that is never
// differentiated leaves them unchanged; BatchNormWithReLU and SyncBatchNorm do the same here.
// (Minerva's BatchNorm updates them in its forward: equal after forward and backward, the usual
// training step.) Where the saved statistic is the inverse std, var = 1 / invstd^2 - eps.

// Outputs as MXNet's: out, mean, inverse std, and a hidden `workspace` shaped like data, which
// holds the ReLU's mask (1 where out > 0, else 0) for the backward.
void bn_relu_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  batch_norm_shape(attrs, in, out);
  (*out)[3] = (*in)[0];
}

void bn_relu_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  batch_norm_type(attrs, in, out);
  (*out)[3] = (*out)[0];
}

void bn_relu_forward(const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  const BatchNormConfig cfg = batch_norm_config(ctx, attrs, in[0].ndim());
  const ChannelStats st = batch_norm_normalize(attrs.op->name.c_str(), cfg, in[0], in[1], in[2], in[3], in[4], out[0]);
  store_doubles(st.mean, out[1]);
  store_doubles(inverse_std(st.var, cfg.eps), out[2]);
  const TBlob &y = out[0], &mask = out[3];
  MV_FLOAT_SWITCH(y.dtype, attrs.op->name, T, {
    T* yp = y.ptr<T>();
    T* mp = mask.ptr<T>();
    parallel_for(y.size(), [&](int64_t i) {
      const bool on = static_cast<double>(yp[i]) > 0;
      mp[i] = T(on ? 1.0 : 0.0);
      if (!on) yp[i] = T(0.0);
    });
  });
}

// Inputs: ograd, data, gamma, saved mean, saved inverse std, workspace (the ReLU mask), then
// moving_mean and moving_var (updated in place in training). Outputs: d data, d gamma, d beta.
void bn_relu_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[1];
  if (d.empty()) return;
  const int axis = normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(d.size()));
  const Shape c{d[static_cast<size_t>(axis)]};
  for (size_t i = 0; i < in->size(); ++i)
    if (i != 1) expect_input_shape(attrs, *in, i, i == 0 || i == 5 ? d : c);
  (*out)[0] = d;
  (*out)[1] = c;
  (*out)[2] = c;
}

void bn_relu_backward_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  for (size_t i : {size_t{0}, size_t{5}})
    MV_CHECK((*in)[i] < 0 || (*in)[1] < 0 || (*in)[i] == (*in)[1], kType)
        << "Operator " << attrs.op->name << ": input " << i << " must have data's dtype "
        << dtype_name(static_cast<DType>((*in)[1])) << ", got " << dtype_name(static_cast<DType>((*in)[i]));
  (*out)[0] = (*in)[1];
  (*out)[1] = (*in)[2];
  (*out)[2] = (*in)[2];
}

void bn_relu_backward(const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                      const std::vector<TBlob>& out) {
  const BatchNormConfig cfg = batch_norm_config(ctx, attrs, in[1].ndim());
  const std::vector<double> mean = blob_doubles(in[3]), invstd = blob_doubles(in[4]);
  if (cfg.batch_stats) {
    ChannelStats saved{mean, std::vector<double>(invstd.size())};
    for (size_t c = 0; c < invstd.size(); ++c) saved.var[c] = 1.0 / (invstd[c] * invstd[c]) - cfg.eps;
    update_moving_stats(saved, attrs.get_float("momentum"), in[6], in[7]);
  }
  batch_norm_gradient(attrs.op->name.c_str(), cfg, in[0], in[1], in[2], mean, invstd, out[0], out[1], out[2], &in[5]);
}

// ---- SyncBatchNorm -----------------------------------------------------------------------------

// Note [SyncBatchNorm on one process]
// MXNet 1.9.1's SyncBatchNorm is its older BatchNorm with the batch statistics averaged over the
// `ndev` devices that share `key`: the channel axis is 1, the hidden outputs are the mean and the
// variance (not the inverse std), and the moving statistics are updated in the backward pass (Note
// [Moving statistics in the backward pass]). Minerva keeps all of that; its batch is never split across devices, so ndev must be 1 where batch statistics are
// computed (MXNet waits for the other devices there, which in one call would never return). In
// inference the hidden outputs hold the moving statistics (MXNet leaves them unwritten), and with
// fix_gamma gamma is read as 1 without being overwritten (MXNet writes ones into it).
BatchNormConfig sync_bn_config(const OpContext& ctx, const Attrs& attrs) {
  BatchNormConfig cfg;
  cfg.axis = 1;
  cfg.eps = attrs.get_float("eps");
  cfg.fix_gamma = attrs.get_bool("fix_gamma");
  cfg.batch_stats = ctx.is_train && !attrs.get_bool("use_global_stats");
  return cfg;
}

void sync_bn_check_data(const Attrs& attrs, const Shape& d) {
  MV_CHECK(d.size() >= 2, kValue) << "Operator " << attrs.op->name
                                  << ": data must have at least 2 dimensions (batch, channel, ...), got shape "
                                  << shape_str(d);
}

void sync_bn_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  sync_bn_check_data(attrs, d);
  const Shape c{infer_channel_inputs(attrs, 1, in)};
  (*out)[0] = d;
  (*out)[1] = c;
  (*out)[2] = c;
}

void sync_bn_forward(const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  const BatchNormConfig cfg = sync_bn_config(ctx, attrs);
  MV_CHECK(!cfg.batch_stats || attrs.get_int("ndev") == 1, kValue)
      << "Operator " << attrs.op->name << ": ndev=" << attrs.get_int("ndev")
      << " asks for batch statistics synchronised across that many devices; Minerva's batch is never split "
         "across devices, so training needs ndev=1 (see Note [SyncBatchNorm on one process])";
  const ChannelStats st = batch_norm_normalize(attrs.op->name.c_str(), cfg, in[0], in[1], in[2], in[3], in[4], out[0]);
  store_doubles(st.mean, out[1]);
  store_doubles(st.var, out[2]);
}

// Inputs: ograd, data, gamma, saved mean, saved variance, moving_mean, moving_var (the last two
// updated in place in training). Outputs: d data, d gamma, d beta.
void sync_bn_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[1];
  if (d.empty()) return;
  sync_bn_check_data(attrs, d);
  const Shape c{d[1]};
  expect_input_shape(attrs, *in, 0, d);
  for (size_t i = 2; i < in->size(); ++i) expect_input_shape(attrs, *in, i, c);
  (*out)[0] = d;
  (*out)[1] = c;
  (*out)[2] = c;
}

void sync_bn_backward_type(const Attrs&, std::vector<int>* in, std::vector<int>* out) {
  (*out)[0] = (*in)[1];
  (*out)[1] = (*in)[2];
  (*out)[2] = (*in)[2];
}

void sync_bn_backward(const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                      const std::vector<TBlob>& out) {
  const BatchNormConfig cfg = sync_bn_config(ctx, attrs);
  ChannelStats used;
  if (cfg.batch_stats) {
    used = {blob_doubles(in[3]), blob_doubles(in[4])};
    update_moving_stats(used, attrs.get_float("momentum"), in[5], in[6]);
  } else {
    used = {blob_doubles(in[5]), blob_doubles(in[6])};
  }
  batch_norm_gradient(attrs.op->name.c_str(), cfg, in[0], in[1], in[2], used.mean, inverse_std(used.var, cfg.eps),
                      out[0], out[1], out[2]);
}

}  // namespace

MV_REGISTER_OP(_contrib_BatchNormWithReLU)
    .describe(
        "Batch normalization followed by a ReLU, fused.\n\n"
        "Computes BatchNorm with the same inputs, parameters, auxiliary states and hidden outputs, then\n"
        "max(out, 0)::\n\n"
        "  out = max((data - mean) / sqrt(var + eps) * gamma + beta, 0)\n\n"
        "with the batch statistics in training (use_global_stats=False) and the moving ones otherwise. As in\n"
        "MXNet, the moving statistics are updated (as BatchNorm's) by the backward pass in training, not by the\n"
        "forward. With ``output_mean_var`` the outputs are (out, mean, inverse std) as BatchNorm's. MXNet 1.9.1\n"
        "runs it only through oneDNN (4-D float32 data, channel axis 1); Minerva takes float16/float32/float64\n"
        "data of any rank and any axis.\n\n"
        "Example::\n\n"
        "  data = [[1, 2], [3, 6]], gamma = [1, 1], beta = [0, 0]   (training, eps=0)\n"
        "  BatchNormWithReLU(data, gamma, beta, moving_mean, moving_var, eps=0) = [[0, 0], [1, 1]]")
    .input("data", "Input data to batch normalization")
    .input("gamma", "gamma array")
    .input("beta", "beta array")
    .input("moving_mean", "running mean of input")
    .input("moving_var", "running variance of input")
    .MV_BATCH_NORM_PARAMS
    .set_num_outputs(4)
    .set_num_visible_outputs([](const Attrs& a) { return a.get_bool("output_mean_var") ? 3 : 1; })
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "mean", "var", "workspace"}; })
    .set_mutate_inputs([](const Attrs&) { return std::vector<int>{3, 4}; })
    .input_init("moving_mean", "[\"zero\", {}]")
    .input_init("moving_var", "[\"one\", {}]")
    .set_infer_shape(bn_relu_shape)
    .set_infer_type(bn_relu_type)
    .set_forward(bn_relu_forward)
    .set_gradient([](const GradContext& g) {
      auto d = op_all("_backward_contrib_BatchNormWithReLU",
                      {g.ograd(), g.input(0), g.input(1), g.output(1), g.output(2), g.output(3), g.input(3), g.input(4)},
                      g.forward_params());
      return std::vector<Tensor>{d[0], d[1], d[2], Tensor{}, Tensor{}};  // moving stats: aux states
    })
    // The gradient check runs in training mode: batch statistics, differentiated through; the
    // normalized values have mean beta, so the ReLU cuts part of each channel.
    .add_sample(bn_sample({{2, 3, 2, 2}, {3}, {3}, {3}, {3}}, {{"fix_gamma", "False"}}))
    .add_sample(bn_sample({{4, 3}, {3}, {3}, {3}, {3}}, {}))
    .add_sample(bn_sample({{2, 2, 3}, {3}, {3}, {3}, {3}},
                          {{"fix_gamma", "False"}, {"use_global_stats", "True"}, {"axis", "-1"}}))
    .add_sample([] {
      OpSample s = bn_sample({{3, 2}, {2}, {2}, {2}, {2}}, {{"output_mean_var", "True"}});
      s.grad_check = false;  // mean and inverse std pass no gradient back, as BatchNorm's: forward only
      return s;
    }());

MV_REGISTER_OP(_backward_contrib_BatchNormWithReLU)
    .describe(
        "Gradient of BatchNormWithReLU with respect to data, gamma and beta; in training it also updates\n"
        "moving_mean and moving_var in place (see Note [Moving statistics in the backward pass]).")
    .input("ograd", "gradient of the output")
    .input("data", "the forward input")
    .input("gamma", "the forward gamma")
    .input("mean", "the saved mean")
    .input("invstd", "the saved inverse standard deviation")
    .input("workspace", "the saved ReLU mask")
    .input("moving_mean", "the running mean, updated in place in training")
    .input("moving_var", "the running variance, updated in place in training")
    .params_from("_contrib_BatchNormWithReLU")
    .set_num_outputs(3)
    .set_mutate_inputs([](const Attrs&) { return std::vector<int>{6, 7}; })
    .set_infer_shape(bn_relu_backward_shape)
    .set_infer_type(bn_relu_backward_type)
    .set_forward(bn_relu_backward)
    .set_non_differentiable();

MV_REGISTER_OP(_contrib_SyncBatchNorm)
    .describe(
        "Batch normalization with the statistics of the whole mini-batch across devices (Zhang et al.,\n"
        "\"Context Encoding for Semantic Segmentation\", CVPR 2018).\n\n"
        "Normalizes each channel (axis 1) of data, then scales by ``gamma`` and shifts by ``beta``::\n\n"
        "  out[:, c, ...] = (data[:, c, ...] - mean[c]) / sqrt(var[c] + eps) * gamma[c] + beta[c]\n\n"
        "In training (use_global_stats=False) mean and var are the batch's (var biased), and the backward\n"
        "pass updates the auxiliary states::\n\n"
        "  moving_mean = moving_mean * momentum + mean * (1 - momentum)\n"
        "  moving_var = moving_var * momentum + var * (1 - momentum)\n\n"
        "otherwise moving_mean and moving_var are used. With ``output_mean_var`` the outputs are (out, mean,\n"
        "var). With ``fix_gamma`` gamma is taken as 1 and gets a zero gradient. Devices sharing ``key``\n"
        "would average their statistics; a Minerva batch is never split across devices, so training\n"
        "requires ndev=1 and the statistics are those of the given batch (see Note [SyncBatchNorm on one\n"
        "process] in the source).\n\n"
        "Example::\n\n"
        "  data = [[1, 2], [3, 6]], gamma = [1, 1], beta = [0, 0]   (training, eps=0)\n"
        "  SyncBatchNorm(data, gamma, beta, moving_mean, moving_var, eps=0, key='bn') = [[-1, -1], [1, 1]]")
    .input("data", "Input data, (batch, channel, ...)")
    .input("gamma", "gamma array, one value per channel")
    .input("beta", "beta array, one value per channel")
    .input("moving_mean", "running mean of each channel (auxiliary state)")
    .input("moving_var", "running variance of each channel (auxiliary state)")
    .param("eps", ParamType::kFloat, "0.00100000005", "Added to the variance before its square root.")
    .param("momentum", ParamType::kFloat, "0.899999976", "Weight of the old value in the moving statistics.")
    .param("fix_gamma", ParamType::kBool, "True", "Take gamma as 1 and give it no gradient.")
    .param("use_global_stats", ParamType::kBool, "False",
        "Normalize with the moving statistics in training too (a fixed scale and shift).")
    .param("output_mean_var", ParamType::kBool, "False", "Also output the mean and the variance.")
    .param("ndev", ParamType::kInt, "1", "The number of devices whose batches form the mini-batch.")
    .required_param("key", ParamType::kString,
        "The name shared by the copies of one layer on the devices that synchronise (a Gluon block's prefix).")
    .set_num_outputs(3)
    .set_num_visible_outputs([](const Attrs& a) { return a.get_bool("output_mean_var") ? 3 : 1; })
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "mean", "var"}; })
    .set_mutate_inputs([](const Attrs&) { return std::vector<int>{3, 4}; })
    .input_init("moving_mean", "[\"zero\", {}]")
    .input_init("moving_var", "[\"one\", {}]")
    .set_infer_shape(sync_bn_shape)
    .set_infer_type(batch_norm_type)
    .set_forward(sync_bn_forward)
    .set_gradient([](const GradContext& g) {
      auto d = op_all("_backward_contrib_SyncBatchNorm",
                      {g.ograd(), g.input(0), g.input(1), g.output(1), g.output(2), g.input(3), g.input(4)},
                      g.forward_params());
      return std::vector<Tensor>{d[0], d[1], d[2], Tensor{}, Tensor{}};  // moving stats: aux states
    })
    .add_sample(bn_sample({{2, 3, 2, 2}, {3}, {3}, {3}, {3}}, {{"fix_gamma", "False"}, {"key", "s0"}}))
    .add_sample(bn_sample({{4, 3}, {3}, {3}, {3}, {3}}, {{"key", "s1"}}))
    .add_sample(bn_sample({{2, 2, 3}, {2}, {2}, {2}, {2}},
                          {{"fix_gamma", "False"}, {"use_global_stats", "True"}, {"key", "s2"}}))
    .add_sample([] {
      OpSample s = bn_sample({{3, 2}, {2}, {2}, {2}, {2}}, {{"output_mean_var", "True"}, {"key", "s3"}});
      s.grad_check = false;  // mean and var pass no gradient back, as in MXNet: forward only
      return s;
    }());

MV_REGISTER_OP(_backward_contrib_SyncBatchNorm)
    .describe(
        "Gradient of SyncBatchNorm with respect to data, gamma and beta; in training it also updates\n"
        "moving_mean and moving_var in place (see Note [SyncBatchNorm on one process]).")
    .input("ograd", "gradient of the output")
    .input("data", "the forward input")
    .input("gamma", "the forward gamma")
    .input("mean", "the saved mean")
    .input("var", "the saved variance")
    .input("moving_mean", "the running mean, updated in place in training")
    .input("moving_var", "the running variance, updated in place in training")
    .params_from("_contrib_SyncBatchNorm")
    .set_num_outputs(3)
    .set_mutate_inputs([](const Attrs&) { return std::vector<int>{5, 6}; })
    .set_infer_shape(sync_bn_backward_shape)
    .set_infer_type(sync_bn_backward_type)
    .set_forward(sync_bn_backward)
    .set_non_differentiable();

}  // namespace minerva
