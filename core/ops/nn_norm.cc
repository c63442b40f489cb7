// Normalization layers of MXNet 1.x: BatchNorm, LayerNorm, InstanceNorm and GroupNorm. BatchNorm
// and LayerNorm save their statistics as hidden outputs (BatchNorm: mean and inverse std;
// LayerNorm: mean and std); all differentiate through internal backward kernels, which reduce
// over many elements per channel. BatchNorm's kernels live in batch_norm.cc, shared with its contrib
// variants (contrib_batch_norm.cc).
#include <cmath>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/backward_shape.h"
#include "core/ops/batch_norm.h"
#include "core/ops/layout_util.h"

namespace minerva {
namespace {

std::vector<double> as_doubles(const TBlob& b) {
  std::vector<double> v(static_cast<size_t>(b.size()));
  cast_copy(b, TBlob{v.data(), b.shape, DType::kFloat64});
  return v;
}
void store_doubles(const std::vector<double>& v, const TBlob& dst) {
  cast_copy(TBlob{const_cast<double*>(v.data()), dst.shape, DType::kFloat64}, dst);
}

// ---- LayerNorm ---------------------------------------------------------------------------------

void layer_norm_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  const int axis = normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(d.size()));
  const Shape c{d[axis]};
  for (size_t i = 1; i < 3; ++i) {
    if ((*in)[i].empty()) (*in)[i] = c;
    if ((*in)[i] != c) shape_mismatch(attrs, i == 1 ? "input 'gamma'" : "input 'beta'", c, (*in)[i]);
  }
  Shape stats = d;
  stats[axis] = 1;
  (*out)[0] = d;
  (*out)[1] = stats;
  (*out)[2] = stats;
}

void layer_norm_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  const TBlob& x = in[0];
  const AxisSplit l = split_at_axis(x.shape, normalize_axis(attrs, attrs.get_int("axis"), x.ndim()));
  const double eps = attrs.get_float("eps");
  std::vector<double> gamma = as_doubles(in[1]), beta = as_doubles(in[2]);
  const int64_t n = l.size;
  MV_FLOAT_SWITCH(x.dtype, "LayerNorm", T, {
    const T* xp = x.ptr<T>();
    T* yp = out[0].ptr<T>();
    T* mp = out[1].ptr<T>();
    T* sp = out[2].ptr<T>();
    parallel_for(
        l.outer * l.inner,
        [&](int64_t r) {
          const int64_t o = r / l.inner, i = r % l.inner;
          double sum = 0, sq = 0;
          for (int64_t k = 0; k < n; ++k) sum += static_cast<double>(xp[l.index(o, k, i)]);
          const double mu = sum / static_cast<double>(n);
          for (int64_t k = 0; k < n; ++k) {
            double d = static_cast<double>(xp[l.index(o, k, i)]) - mu;
            sq += d * d;
          }
          const double sd = std::sqrt(sq / static_cast<double>(n) + eps);
          for (int64_t k = 0; k < n; ++k) {
            int64_t j = l.index(o, k, i);
            size_t ks = static_cast<size_t>(k);
            yp[j] = T((static_cast<double>(xp[j]) - mu) / sd * gamma[ks] + beta[ks]);
          }
          mp[r] = T(mu);  // stats have shape data with axis set to 1: row r is element r
          sp[r] = T(sd);
        },
        norm_grain(n));
  });
}

// Inputs: ograd, data, gamma, saved mean, saved std. Outputs: d data, d gamma, d beta.
void layer_norm_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  const TBlob &og = in[0], &x = in[1];
  const AxisSplit l = split_at_axis(x.shape, normalize_axis(attrs, attrs.get_int("axis"), x.ndim()));
  std::vector<double> g = as_doubles(og), xv = as_doubles(x), gamma = as_doubles(in[2]);
  std::vector<double> mean = as_doubles(in[3]), sd = as_doubles(in[4]);
  const int64_t n = l.size, rows = l.outer * l.inner;
  std::vector<double> xhat(xv.size()), gx(xv.size());
  parallel_for(
      rows,
      [&](int64_t r) {
        const int64_t o = r / l.inner, i = r % l.inner;
        const size_t rs = static_cast<size_t>(r);
        double mean_d = 0, mean_dx = 0;  // row means of dxhat and dxhat * xhat, dxhat = g * gamma
        for (int64_t k = 0; k < n; ++k) {
          size_t j = static_cast<size_t>(l.index(o, k, i));
          xhat[j] = (xv[j] - mean[rs]) / sd[rs];
          double d = g[j] * gamma[static_cast<size_t>(k)];
          mean_d += d;
          mean_dx += d * xhat[j];
        }
        mean_d /= static_cast<double>(n);
        mean_dx /= static_cast<double>(n);
        for (int64_t k = 0; k < n; ++k) {
          size_t j = static_cast<size_t>(l.index(o, k, i));
          gx[j] = (g[j] * gamma[static_cast<size_t>(k)] - mean_d - xhat[j] * mean_dx) / sd[rs];
        }
      },
      norm_grain(n));
  std::vector<double> ggamma(static_cast<size_t>(n), 0.0), gbeta(static_cast<size_t>(n), 0.0);
  parallel_for(
      n,
      [&](int64_t k) {
        for (int64_t r = 0; r < rows; ++r) {
          size_t j = static_cast<size_t>(l.index(r / l.inner, k, r % l.inner));
          ggamma[static_cast<size_t>(k)] += g[j] * xhat[j];
          gbeta[static_cast<size_t>(k)] += g[j];
        }
      },
      norm_grain(rows));
  store_doubles(gx, out[0]);
  store_doubles(ggamma, out[1]);
  store_doubles(gbeta, out[2]);
}

// Backward kernels produce gradients shaped like data, gamma and beta (inputs 1 and 2 of the
// backward: data, gamma; beta has gamma's shape).
void norm_backward_shape(const Attrs&, std::vector<Shape>* in, std::vector<Shape>* out) {
  (*out)[0] = (*in)[1];
  (*out)[1] = (*in)[2];
  (*out)[2] = (*in)[2];
}
// The backward kernels read ograd with data's element type.
void norm_backward_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  if ((*in)[1] < 0) (*in)[1] = (*in)[0];
  expect_input_type(attrs, in, 0, (*in)[1]);
  (*out)[0] = (*in)[1];
  (*out)[1] = (*in)[2];
  (*out)[2] = (*in)[2];
}

// _backward_LayerNorm (ograd, data, gamma, mean, std): the forward's own inference on (data,
// gamma) gives the shapes the other inputs must have, so a hand-written graph cannot make the
// kernels index past them. (_backward_BatchNorm's check is batch_norm.cc's, shared with the
// contrib variants.)
void stats_norm_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out,
                               void (*forward_shape)(const Attrs&, std::vector<Shape>*, std::vector<Shape>*),
                               size_t forward_inputs) {
  if ((*in)[1].empty()) (*in)[1] = (*in)[0];
  if ((*in)[1].empty()) return;
  std::vector<Shape> fin(forward_inputs), fout(3);
  fin[0] = (*in)[1];
  fin[1] = (*in)[2];
  forward_shape(attrs, &fin, &fout);  // checks axis and gamma
  expect_input_shape(attrs, in, 0, fout[0]);
  expect_input_shape(attrs, in, 2, fin[1]);
  expect_input_shape(attrs, in, 3, fout[1]);
  expect_input_shape(attrs, in, 4, fout[2]);
  norm_backward_shape(attrs, in, out);
}
void layer_norm_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  stats_norm_backward_shape(attrs, in, out, layer_norm_shape, 3);
}

OpSample norm_sample(std::vector<Shape> shapes, KeyValues params) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  s.lo = 0.1;  // positive, so moving_var is a valid variance
  s.hi = 1.0;
  return s;
}

// ---- InstanceNorm and GroupNorm ----------------------------------------------------------------

// Note [Row normalization]
// InstanceNorm and GroupNorm both view data (N, C, spatial...) as N*G rows of C/G * spatial
// contiguous elements (InstanceNorm: G = C) and normalize each row by its own mean and variance;
// gamma and beta hold one value per group (MXNet 1.x's GroupNorm scales per group, not per
// channel), so row r uses gamma[r % G]. The backward recomputes the statistics from data.
struct RowNorm {
  int64_t rows = 0, len = 0, groups = 1;
};

RowNorm row_norm(const Attrs& attrs, const Shape& d, int64_t groups, size_t min_ndim) {
  MV_CHECK(d.size() >= min_ndim, kValue) << "Operator " << attrs.op->name << " needs data with at least " << min_ndim
                                         << " dimensions (batch, channel, ...), got shape " << shape_str(d);
  MV_CHECK(groups >= 1 && d[1] % groups == 0, kValue)
      << "Operator " << attrs.op->name << ": num_groups " << groups << " must divide the channels (" << d[1]
      << ", data shape " << shape_str(d) << ")";
  RowNorm r;
  r.groups = groups;
  r.rows = d[0] * groups;
  r.len = r.rows == 0 ? 0 : shape_size(d) / r.rows;
  return r;
}

// InstanceNorm's group count is the channel dim, so the rank is checked before d[1] is read.
int64_t norm_groups(const Attrs& attrs, const Shape& d) {
  if (attrs.op->name.find("InstanceNorm") == std::string::npos) return attrs.get_int("num_groups");
  MV_CHECK(d.size() >= 2, kValue) << "Operator " << attrs.op->name
                                  << " needs data with at least 3 dimensions (batch, channel, ...), got shape "
                                  << shape_str(d);
  return d[1];
}

void row_norm_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  const bool instance = attrs.op->name == "InstanceNorm";
  const int64_t groups = norm_groups(attrs, d);
  row_norm(attrs, d, groups, instance ? 3 : 2);
  const Shape g{groups};
  for (size_t i = 1; i < 3; ++i) {
    if ((*in)[i].empty()) (*in)[i] = g;
    if ((*in)[i] != g) shape_mismatch(attrs, i == 1 ? "input 'gamma'" : "input 'beta'", g, (*in)[i]);
  }
  (*out)[0] = d;
  if (out->size() == 3) (*out)[1] = (*out)[2] = Shape{d[0], groups};
}

// _backward_InstanceNorm and _backward_GroupNorm (ograd, data, gamma): data as the forward
// accepts it (rank checked before any axis is read), gamma one value per group, ograd like data.
void row_norm_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[1].empty()) (*in)[1] = (*in)[0];
  const Shape& d = (*in)[1];
  if (d.empty()) return;
  const size_t min_ndim = attrs.op->name.find("InstanceNorm") != std::string::npos ? 3 : 2;
  MV_CHECK(d.size() >= min_ndim, kValue) << "Operator " << attrs.op->name << " needs data with at least " << min_ndim
                                         << " dimensions (batch, channel, ...), got shape " << shape_str(d);
  const int64_t groups = norm_groups(attrs, d);
  row_norm(attrs, d, groups, min_ndim);
  expect_input_shape(attrs, in, 0, d);
  expect_input_shape(attrs, in, 2, Shape{groups});
  norm_backward_shape(attrs, in, out);
}

// Per-row mean and sqrt(var + eps) of x.
void row_stats(const RowNorm& r, const std::vector<double>& x, double eps, std::vector<double>* mean,
               std::vector<double>* sd) {
  mean->assign(static_cast<size_t>(r.rows), 0.0);
  sd->assign(static_cast<size_t>(r.rows), 0.0);
  parallel_for(
      r.rows,
      [&](int64_t row) {
        const double* p = x.data() + row * r.len;
        double m = 0, v = 0;
        for (int64_t k = 0; k < r.len; ++k) m += p[k];
        m /= static_cast<double>(std::max<int64_t>(r.len, 1));
        for (int64_t k = 0; k < r.len; ++k) v += (p[k] - m) * (p[k] - m);
        v /= static_cast<double>(std::max<int64_t>(r.len, 1));
        (*mean)[static_cast<size_t>(row)] = m;
        (*sd)[static_cast<size_t>(row)] = std::sqrt(v + eps);
      },
      norm_grain(r.len));
}

void row_norm_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const RowNorm r = row_norm(attrs, in[0].shape, norm_groups(attrs, in[0].shape), 2);
  const std::vector<double> x = as_doubles(in[0]), gamma = as_doubles(in[1]), beta = as_doubles(in[2]);
  std::vector<double> mean, sd, y(x.size());
  row_stats(r, x, attrs.get_float("eps"), &mean, &sd);
  parallel_for(
      r.rows,
      [&](int64_t row) {
        const size_t i = static_cast<size_t>(row), gi = static_cast<size_t>(row % r.groups);
        for (int64_t k = 0; k < r.len; ++k) {
          const size_t j = static_cast<size_t>(row * r.len + k);
          y[j] = (x[j] - mean[i]) / sd[i] * gamma[gi] + beta[gi];
        }
      },
      norm_grain(r.len));
  store_doubles(y, out[0]);
  if (out.size() == 3) {
    store_doubles(mean, out[1]);
    store_doubles(sd, out[2]);
  }
}

// inputs: ograd, data, gamma; outputs: the gradients of data, gamma and beta.
void row_norm_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const RowNorm r = row_norm(attrs, in[1].shape, norm_groups(attrs, in[1].shape), 2);
  const std::vector<double> g = as_doubles(in[0]), x = as_doubles(in[1]), gamma = as_doubles(in[2]);
  std::vector<double> mean, sd, gx(x.size());
  std::vector<double> row_gg(static_cast<size_t>(r.rows)), row_gb(static_cast<size_t>(r.rows));
  row_stats(r, x, attrs.get_float("eps"), &mean, &sd);
  const double n = static_cast<double>(std::max<int64_t>(r.len, 1));
  parallel_for(
      r.rows,
      [&](int64_t row) {
        const size_t i = static_cast<size_t>(row);
        const double gm = gamma[static_cast<size_t>(row % r.groups)];
        double mean_d = 0, mean_dx = 0, gg = 0, gb = 0;  // dxhat = g * gamma
        for (int64_t k = 0; k < r.len; ++k) {
          const size_t j = static_cast<size_t>(row * r.len + k);
          const double xhat = (x[j] - mean[i]) / sd[i];
          mean_d += g[j] * gm;
          mean_dx += g[j] * gm * xhat;
          gg += g[j] * xhat;
          gb += g[j];
        }
        mean_d /= n;
        mean_dx /= n;
        for (int64_t k = 0; k < r.len; ++k) {
          const size_t j = static_cast<size_t>(row * r.len + k);
          gx[j] = (g[j] * gm - mean_d - (x[j] - mean[i]) / sd[i] * mean_dx) / sd[i];
        }
        row_gg[i] = gg;
        row_gb[i] = gb;
      },
      norm_grain(r.len));
  std::vector<double> ggamma(static_cast<size_t>(r.groups), 0.0), gbeta(static_cast<size_t>(r.groups), 0.0);
  for (int64_t row = 0; row < r.rows; ++row) {
    ggamma[static_cast<size_t>(row % r.groups)] += row_gg[static_cast<size_t>(row)];
    gbeta[static_cast<size_t>(row % r.groups)] += row_gb[static_cast<size_t>(row)];
  }
  store_doubles(gx, out[0]);
  store_doubles(ggamma, out[1]);
  store_doubles(gbeta, out[2]);
}

}  // namespace

MV_REGISTER_OP(BatchNorm)
    .describe(
        "Batch normalization.\n\n"
        "Normalizes a data batch by mean and variance, and applies a scale ``gamma`` as\n"
        "well as offset ``beta``.\n\n"
        "  data_mean[c] = mean(data[:, c, ...]),  data_var[c] = var(data[:, c, ...])   (biased)\n"
        "  out = (data - data_mean) / sqrt(data_var + eps) * gamma + beta\n\n"
        "in training (autograd train mode or executor is_train) with use_global_stats=False; the moving "
        "statistics, which are auxiliary states updated in place, then become\n\n"
        "  moving_mean = moving_mean * momentum + data_mean * (1 - momentum)\n"
        "  moving_var = moving_var * momentum + data_var * (1 - momentum)\n\n"
        "Otherwise (inference, or use_global_stats=True) ``moving_mean`` and ``moving_var`` are used "
        "instead of ``data_mean`` and ``data_var``.\n"
        "The parameter ``axis`` specifies which axis of the input shape denotes the 'channel' (-1 is the "
        "last axis). If ``fix_gamma`` is true, gamma is taken as 1 and its gradient is 0.\n"
        "With ``output_mean_var`` the outputs are (out, mean, inverse std); otherwise only out.\n\n"
        "Example::\n\n"
        "  data = [[1, 2], [3, 6]]   (batch 2, channels 2), gamma = [1, 1], beta = [0, 0]\n"
        "  training: BatchNorm(data, gamma, beta, moving_mean, moving_var, eps=0) = [[-1, -1], [1, 1]]")
    .input("data", "Input data to batch normalization")
    .input("gamma", "gamma array")
    .input("beta", "beta array")
    .input("moving_mean", "running mean of input")
    .input("moving_var", "running variance of input")
    .MV_BATCH_NORM_PARAMS
    .set_num_outputs(3)
    .set_num_visible_outputs([](const Attrs& a) { return a.get_bool("output_mean_var") ? 3 : 1; })
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "mean", "var"}; })
    .set_mutate_inputs([](const Attrs&) { return std::vector<int>{3, 4}; })
    .input_init("moving_mean", "[\"zero\", {}]")
    .input_init("moving_var", "[\"one\", {}]")
    .set_infer_shape(batch_norm_shape)
    .set_infer_type(batch_norm_type)
    .set_forward(batch_norm_forward)
    .set_gradient([](const GradContext& g) {
      auto d = op_all("_backward_BatchNorm", {g.ograd(), g.input(0), g.input(1), g.output(1), g.output(2)},
                      g.forward_params());
      return std::vector<Tensor>{d[0], d[1], d[2], Tensor{}, Tensor{}};  // moving stats: aux states
    })
    // The gradient check runs in training mode: batch statistics, differentiated through.
    .add_sample([] {
      OpSample s = norm_sample({{2, 3, 2, 2}, {3}, {3}, {3}, {3}}, {{"fix_gamma", "False"}});
      s.no_grad_inputs = {3, 4};
      return s;
    }())
    .add_sample([] {
      OpSample s = norm_sample({{4, 3}, {3}, {3}, {3}, {3}}, {});  // fix_gamma=True: gamma's gradient is 0
      s.no_grad_inputs = {3, 4};
      return s;
    }())
    .add_sample([] {
      OpSample s = norm_sample({{2, 2, 3}, {3}, {3}, {3}, {3}},
                               {{"fix_gamma", "False"}, {"use_global_stats", "True"}, {"axis", "-1"}});
      s.no_grad_inputs = {3, 4};
      return s;
    }())
    .add_sample([] {
      // The mean and inverse std outputs pass no gradient back (as in MXNet), so a weighted sum
      // over all three outputs is not what the gradient differentiates: forward only.
      OpSample s = norm_sample({{3, 2}, {2}, {2}, {2}, {2}}, {{"output_mean_var", "True"}});
      s.grad_check = false;
      return s;
    }());

MV_REGISTER_OP(_backward_BatchNorm)
    .describe("Gradient of BatchNorm with respect to data, gamma and beta; see Note [BatchNorm statistics].")
    .input("ograd", "gradient of the output")
    .input("data", "the forward input")
    .input("gamma", "the forward gamma")
    .input("mean", "the saved mean")
    .input("invstd", "the saved inverse standard deviation")
    .params_from("BatchNorm")
    .set_num_outputs(3)
    .set_infer_shape(batch_norm_backward_shape)
    .set_infer_type(norm_backward_type)
    .set_forward(batch_norm_backward)
    .set_non_differentiable();

MV_REGISTER_OP(LayerNorm)
    .describe(
        "Layer normalization.\n\n"
        "Normalizes the channels of the input tensor by mean and variance, and applies a scale ``gamma`` as\n"
        "well as offset ``beta``:\n\n"
        "  out = (data - mean(data, axis)) / sqrt(var(data, axis) + eps) * gamma + beta\n\n"
        "Unlike BatchNorm, the mean and variance are computed along ``axis`` (default -1, the last axis), "
        "and gamma and beta have shape (data.shape[axis],).\n"
        "If ``output_mean_var`` is set to be true, the outputs also include ``mean`` and ``std`` (data's "
        "shape with axis set to 1); no gradient is passed through these two outputs.\n\n"
        "Example::\n\n"
        "  LayerNorm([[1, 3], [2, 6]], gamma=[1, 1], beta=[0, 0], eps=0) = [[-1, 1], [-1, 1]]")
    .input("data", "Input data to layer normalization")
    .input("gamma", "gamma array")
    .input("beta", "beta array")
    .param("axis", ParamType::kInt, "-1",
        "The axis to perform layer normalization. Usually, this should be be axis of the channel dimension. "
        "Negative values means indexing from right to left.").kind(ParamKind::kAxis)
    .param("eps", ParamType::kFloat, "9.99999975e-06", "An `epsilon` parameter to prevent division by 0.")
    .param("output_mean_var", ParamType::kBool, "False",
        "Output the mean and std calculated along the given axis.")
    .set_num_outputs(3)
    .set_num_visible_outputs([](const Attrs& a) { return a.get_bool("output_mean_var") ? 3 : 1; })
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "mean", "std"}; })
    .set_infer_shape(layer_norm_shape)
    .set_forward(layer_norm_forward)
    .set_gradient([](const GradContext& g) {
      auto d = op_all("_backward_LayerNorm", {g.ograd(), g.input(0), g.input(1), g.output(1), g.output(2)},
                      g.forward_params());
      return std::vector<Tensor>{d[0], d[1], d[2]};
    })
    .add_sample(norm_sample({{2, 3, 4}, {4}, {4}}, {}))
    .add_sample(norm_sample({{2, 3, 2}, {3}, {3}}, {{"axis", "1"}, {"eps", "0.01"}}))
    .add_sample([] {
      OpSample s = norm_sample({{3, 2}, {2}, {2}}, {{"output_mean_var", "True"}});
      s.grad_check = false;  // mean and std pass no gradient back, as in MXNet: forward only
      return s;
    }());

MV_REGISTER_OP(_backward_LayerNorm)
    .describe("Gradient of LayerNorm with respect to data, gamma and beta.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward input")
    .input("gamma", "the forward gamma")
    .input("mean", "the saved mean")
    .input("std", "the saved standard deviation")
    .params_from("LayerNorm")
    .set_num_outputs(3)
    .set_infer_shape(layer_norm_backward_shape)
    .set_infer_type(norm_backward_type)
    .set_forward(layer_norm_backward)
    .set_non_differentiable();


MV_REGISTER_OP(InstanceNorm)
    .describe(
        "Applies instance normalization to the n-dimensional input array.\n\n"
        "Each channel of each sample is normalized by its own mean and variance over the spatial dimensions, "
        "then scaled and shifted per channel:\n\n"
        "  out[n, c] = (data[n, c] - mean(data[n, c])) / sqrt(var(data[n, c]) + eps) * gamma[c] + beta[c]\n\n"
        "data has shape (batch, channel, spatial...) with at least one spatial dimension; gamma and beta have "
        "shape (channel,). See Note [Row normalization] in the source.\n\n"
        "Example::\n\n"
        "  InstanceNorm([[[1, 3]], [[2, 6]]], gamma=[1], beta=[0], eps=0) = [[[-1, 1]], [[-1, 1]]]")
    .input("data", "An n-dimensional input array (n > 2) of the form [batch, channel, spatial_dim1, spatial_dim2, ...].")
    .input("gamma", "A vector of length 'channel', which multiplies the normalized input.")
    .input("beta", "A vector of length 'channel', which is added to the product of the normalized input and the weight.")
    .param("eps", ParamType::kFloat, "0.00100000005", "An `epsilon` parameter to prevent division by 0.")
    .set_infer_shape(row_norm_shape)
    .set_forward(row_norm_forward)
    .set_gradient([](const GradContext& g) {
      return op_all("_backward_InstanceNorm", {g.ograd(), g.input(0), g.input(1)}, g.forward_params());
    })
    .add_sample(norm_sample({{2, 3, 4}, {3}, {3}}, {}))
    .add_sample(norm_sample({{1, 2, 2, 3}, {2}, {2}}, {{"eps", "0.01"}}));

MV_REGISTER_OP(_backward_InstanceNorm)
    .describe("Gradient of InstanceNorm with respect to data, gamma and beta.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward input")
    .input("gamma", "the forward gamma")
    .params_from("InstanceNorm")
    .set_num_outputs(3)
    .set_infer_shape(row_norm_backward_shape)
    .set_infer_type(norm_backward_type)
    .set_forward(row_norm_backward)
    .set_non_differentiable();

MV_REGISTER_OP(GroupNorm)
    .describe(
        "Group normalization.\n\n"
        "The channels of data (batch, channel, ...) are split into ``num_groups`` groups; each group of each "
        "sample is normalized by its own mean and variance, then scaled and shifted per group:\n\n"
        "  out[n, g] = (data[n, g] - mean(data[n, g])) / sqrt(var(data[n, g]) + eps) * gamma[g] + beta[g]\n\n"
        "gamma and beta have shape (num_groups,), as in MXNet 1.x. With ``output_mean_var`` the outputs also "
        "include ``mean`` and ``std`` (shape (batch, num_groups)); no gradient is passed through these two.\n\n"
        "Example::\n\n"
        "  GroupNorm([[[1, 2], [3, 6]]], gamma=[2, 3], beta=[1, 0], num_groups=2, eps=0) = [[[-1, 3], [-3, 3]]]")
    .input("data", "Input data")
    .input("gamma", "gamma array")
    .input("beta", "beta array")
    .param("num_groups", ParamType::kInt, "1", "Total number of groups.")
    .bounds(1, 1e9)
    .param("eps", ParamType::kFloat, "9.99999975e-06", "An `epsilon` parameter to prevent division by 0.")
    .param("output_mean_var", ParamType::kBool, "False",
        "Output the mean and std calculated along the given axis.")
    .set_num_outputs(3)
    .set_num_visible_outputs([](const Attrs& a) { return a.get_bool("output_mean_var") ? 3 : 1; })
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "mean", "std"}; })
    .set_infer_shape(row_norm_shape)
    .set_forward(row_norm_forward)
    .set_gradient([](const GradContext& g) {
      return op_all("_backward_GroupNorm", {g.ograd(), g.input(0), g.input(1)}, g.forward_params());
    })
    .add_sample(norm_sample({{2, 4, 3}, {2}, {2}}, {{"num_groups", "2"}}))
    .add_sample(norm_sample({{1, 3, 2, 2}, {1}, {1}}, {{"eps", "0.01"}}))
    .add_sample([] {
      OpSample s = norm_sample({{2, 2, 2}, {2}, {2}}, {{"num_groups", "2"}, {"output_mean_var", "True"}});
      s.grad_check = false;  // mean and std pass no gradient back, as in MXNet: forward only
      return s;
    }());

MV_REGISTER_OP(_backward_GroupNorm)
    .describe("Gradient of GroupNorm with respect to data, gamma and beta.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward input")
    .input("gamma", "the forward gamma")
    .params_from("GroupNorm")
    .set_num_outputs(3)
    .set_infer_shape(row_norm_backward_shape)
    .set_infer_type(norm_backward_type)
    .set_forward(row_norm_backward)
    .set_non_differentiable();


}  // namespace minerva
