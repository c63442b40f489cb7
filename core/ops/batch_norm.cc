#include "core/ops/batch_norm.h"

#include <cmath>

#include "core/ops/layout_util.h"
#include "core/ops/nn_extra_util.h"

namespace minerva {

// Note [BatchNorm statistics]
// BatchNorm's hidden outputs `mean` and `var` hold the statistics the forward normalized with and
// the inverse standard deviation 1/sqrt(var + eps) (as MXNet saves them): the batch's in training,
// the moving ones otherwise. The backward re-reads them, and like MXNet picks the batch formula
// (which differentiates through the statistics) when it runs in training mode without
// use_global_stats, and the plain scale gamma/sqrt(var + eps) otherwise. BatchNorm updates the
// moving statistics in its forward pass; BatchNormWithReLU and SyncBatchNorm, as MXNet's, in their
// backward pass (Note [Moving statistics in the backward pass] in contrib_batch_norm.cc).

ChannelStats batch_norm_normalize(const char* who, const BatchNormConfig& cfg, const TBlob& x, const TBlob& gamma,
                                  const TBlob& beta, const TBlob& moving_mean, const TBlob& moving_var,
                                  const TBlob& y) {
  const AxisSplit l = split_at_axis(x.shape, cfg.axis);
  const std::vector<double> g = blob_doubles(gamma), b = blob_doubles(beta);
  ChannelStats st{blob_doubles(moving_mean), blob_doubles(moving_var)};
  const int64_t m = l.outer * l.inner;  // elements per channel
  MV_FLOAT_SWITCH(x.dtype, who, T, {
    const T* xp = x.ptr<T>();
    T* yp = y.ptr<T>();
    parallel_for(
        l.size,
        [&](int64_t c) {
          const size_t cs = static_cast<size_t>(c);
          if (cfg.batch_stats) {
            double sum = 0, sq = 0;
            for (int64_t o = 0; o < l.outer; ++o)
              for (int64_t i = 0; i < l.inner; ++i) sum += static_cast<double>(xp[l.index(o, c, i)]);
            const double mu = m > 0 ? sum / static_cast<double>(m) : 0.0;
            for (int64_t o = 0; o < l.outer; ++o)
              for (int64_t i = 0; i < l.inner; ++i) {
                const double d = static_cast<double>(xp[l.index(o, c, i)]) - mu;
                sq += d * d;
              }
            st.mean[cs] = mu;
            st.var[cs] = m > 0 ? sq / static_cast<double>(m) : 0.0;  // biased, also for the moving update
          }
          const double mu = st.mean[cs];
          const double scale = (cfg.fix_gamma ? 1.0 : g[cs]) / std::sqrt(st.var[cs] + cfg.eps);
          for (int64_t o = 0; o < l.outer; ++o)
            for (int64_t i = 0; i < l.inner; ++i) {
              const int64_t j = l.index(o, c, i);
              yp[j] = T((static_cast<double>(xp[j]) - mu) * scale + b[cs]);
            }
        },
        norm_grain(m));
  });
  return st;
}

void update_moving_stats(const ChannelStats& stats, double momentum, const TBlob& moving_mean,
                         const TBlob& moving_var) {
  std::vector<double> mean = blob_doubles(moving_mean), var = blob_doubles(moving_var);
  for (size_t c = 0; c < mean.size(); ++c) {
    mean[c] = mean[c] * momentum + stats.mean[c] * (1 - momentum);
    var[c] = var[c] * momentum + stats.var[c] * (1 - momentum);
  }
  store_doubles(mean, moving_mean);
  store_doubles(var, moving_var);
}

std::vector<double> inverse_std(const std::vector<double>& var, double eps) {
  std::vector<double> r(var.size());
  for (size_t c = 0; c < var.size(); ++c) r[c] = 1.0 / std::sqrt(var[c] + eps);
  return r;
}

void batch_norm_gradient(const char* who, const BatchNormConfig& cfg, const TBlob& ograd, const TBlob& x,
                         const TBlob& gamma, const std::vector<double>& mean, const std::vector<double>& invstd,
                         const TBlob& gx, const TBlob& ggamma, const TBlob& gbeta, const TBlob* relu_mask) {
  const AxisSplit l = split_at_axis(x.shape, cfg.axis);
  const std::vector<double> g = blob_doubles(gamma);
  std::vector<double> dgamma(mean.size()), dbeta(mean.size());
  const int64_t m = l.outer * l.inner;
  MV_FLOAT_SWITCH(x.dtype, who, T, {
    const T* xp = x.ptr<T>();
    T* gxp = gx.ptr<T>();
    const T* og = ograd.ptr<T>();
    const T* mask = relu_mask ? relu_mask->ptr<T>() : nullptr;
    auto grad_at = [&](int64_t j) {
      const double v = static_cast<double>(og[j]);
      return mask && !(static_cast<double>(mask[j]) > 0) ? 0.0 : v;
    };
    parallel_for(
        l.size,
        [&](int64_t c) {
          const size_t cs = static_cast<size_t>(c);
          double sum_g = 0, sum_gxhat = 0;
          for (int64_t o = 0; o < l.outer; ++o)
            for (int64_t i = 0; i < l.inner; ++i) {
              const int64_t j = l.index(o, c, i);
              const double gj = grad_at(j);
              sum_g += gj;
              sum_gxhat += gj * (static_cast<double>(xp[j]) - mean[cs]) * invstd[cs];
            }
          dbeta[cs] = sum_g;
          dgamma[cs] = cfg.fix_gamma ? 0.0 : sum_gxhat;
          const double scale = (cfg.fix_gamma ? 1.0 : g[cs]) * invstd[cs];
          const double mg = m > 0 ? sum_g / static_cast<double>(m) : 0.0;
          const double mgx = m > 0 ? sum_gxhat / static_cast<double>(m) : 0.0;
          for (int64_t o = 0; o < l.outer; ++o)
            for (int64_t i = 0; i < l.inner; ++i) {
              const int64_t j = l.index(o, c, i);
              const double gj = grad_at(j);
              if (cfg.batch_stats) {
                const double xhat = (static_cast<double>(xp[j]) - mean[cs]) * invstd[cs];
                gxp[j] = T(scale * (gj - mg - xhat * mgx));
              } else {
                gxp[j] = T(scale * gj);
              }
            }
        },
        norm_grain(m));
  });
  store_doubles(dgamma, ggamma);
  store_doubles(dbeta, gbeta);
}

int64_t infer_channel_inputs(const Attrs& attrs, int axis, std::vector<Shape>* in) {
  const Shape c{(*in)[0][static_cast<size_t>(axis)]};
  static const char* names[] = {"data", "gamma", "beta", "moving_mean", "moving_var"};
  for (size_t i = 1; i < 5; ++i) {
    if ((*in)[i].empty()) (*in)[i] = c;
    if ((*in)[i] != c) shape_mismatch(attrs, std::string("input '") + names[i] + "' (one value per channel)", c, (*in)[i]);
  }
  return c[0];
}

void batch_norm_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  const int data = (*in)[0] >= 0 ? (*in)[0] : (*out)[0];
  if (data < 0) return;
  MV_CHECK(dtype_is_float(static_cast<DType>(data)), kType)
      << "Operator " << attrs.op->name << " supports float16/float32/float64 data, got "
      << dtype_name(static_cast<DType>(data));
  (*in)[0] = data;
  const int param = data == static_cast<int>(DType::kFloat16) ? static_cast<int>(DType::kFloat32) : data;
  for (size_t i = 1; i < in->size(); ++i) {
    if ((*in)[i] < 0) (*in)[i] = param;
    MV_CHECK(dtype_is_float(static_cast<DType>((*in)[i])), kType)
        << "Operator " << attrs.op->name << ": input " << i << " must have a floating dtype, got "
        << dtype_name(static_cast<DType>((*in)[i]));
  }
  (*out)[0] = data;
  for (size_t i = 1; i < out->size(); ++i) (*out)[i] = (*in)[1];
}

BatchNormConfig batch_norm_config(const OpContext& ctx, const Attrs& attrs, int ndim) {
  BatchNormConfig cfg;
  cfg.axis = normalize_axis(attrs, attrs.get_int("axis"), ndim);
  cfg.eps = attrs.get_float("eps");
  cfg.fix_gamma = attrs.get_bool("fix_gamma");
  cfg.batch_stats = ctx.is_train && !attrs.get_bool("use_global_stats");
  return cfg;
}

void batch_norm_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  const int axis = normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(d.size()));
  const Shape c{infer_channel_inputs(attrs, axis, in)};
  (*out)[0] = d;
  (*out)[1] = c;
  (*out)[2] = c;
}

void batch_norm_forward(const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  const BatchNormConfig cfg = batch_norm_config(ctx, attrs, in[0].ndim());
  const ChannelStats st = batch_norm_normalize(attrs.op->name.c_str(), cfg, in[0], in[1], in[2], in[3], in[4], out[0]);
  store_doubles(st.mean, out[1]);
  store_doubles(inverse_std(st.var, cfg.eps), out[2]);
  if (cfg.batch_stats) update_moving_stats(st, attrs.get_float("momentum"), in[3], in[4]);
}

void batch_norm_backward(const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  const BatchNormConfig cfg = batch_norm_config(ctx, attrs, in[1].ndim());
  batch_norm_gradient(attrs.op->name.c_str(), cfg, in[0], in[1], in[2], blob_doubles(in[3]), blob_doubles(in[4]),
                      out[0], out[1], out[2]);
}

// A backward operator can be called directly (from symbol JSON): it checks that ograd has data's
// shape and gamma and the saved statistics one value per channel before its kernel reads them.
void batch_norm_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[1];
  if (d.empty()) return;
  const int axis = normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(d.size()));
  const Shape c{d[static_cast<size_t>(axis)]};
  expect_input_shape(attrs, *in, 0, d);
  for (size_t i = 2; i < in->size(); ++i) expect_input_shape(attrs, *in, i, c);
  (*out)[0] = d;
  (*out)[1] = c;
  (*out)[2] = c;
}

}  // namespace minerva
