// MXNet's fused multi-head attention matmuls (contrib interleaved_matmul_*), used by GluonNLP's
// BERT and transformer models. Projections arrive sequence-major, (seq_len, batch, channels),
// with each head's query/key/value vectors interleaved: for self-attention one array holds
// [q, k, v] of head_dim values per head (channels = heads * 3 * head_dim); for encoder-decoder
// attention the queries are one array (heads * head_dim) and the keys/values another, [k, v] per
// head (heads * 2 * head_dim). Attention maps are (batch * heads, query_len, key_len), batch-major.
#include <cmath>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"
#include "core/ops/reference_util.h"

namespace minerva {
namespace {

// One of q, k or v inside an interleaved projection: element (token i, batch b, head h, d) of a
// (seq, batch, heads * group * head_dim) array, taking the `slot`-th of `group` vectors per head.
struct HeadView {
  int64_t seq = 0, batch = 0, heads = 0, dim = 0, group = 1, slot = 0;
  int64_t at(int64_t i, int64_t b, int64_t h, int64_t d) const {
    return ((i * batch + b) * heads + h) * group * dim + slot * dim + d;
  }
};

HeadView view_of(const Shape& s, int64_t heads, int64_t group, int64_t slot) {
  HeadView v;
  v.seq = s[0];
  v.batch = s[1];
  v.heads = heads;
  v.group = group;
  v.dim = s[2] / (heads * group);
  v.slot = slot;
  return v;
}

// scores[bh, i, j] = scale * <q(i, b, h), k(j, b, h)>
void scores(const std::vector<double>& qd, const HeadView& q, const std::vector<double>& kd, const HeadView& k,
            double scale, std::vector<double>* out) {
  const int64_t H = q.heads, S = q.seq, T = k.seq;
  parallel_for(q.batch * H, [&](int64_t bh) {
    const int64_t b = bh / H, h = bh % H;
    for (int64_t i = 0; i < S; ++i)
      for (int64_t j = 0; j < T; ++j) {
        double s = 0;
        for (int64_t d = 0; d < q.dim; ++d) s += qd[q.at(i, b, h, d)] * kd[k.at(j, b, h, d)];
        (*out)[(bh * S + i) * T + j] = scale * s;
      }
  }, 1);
}

// The gradients of scores: dq += scale * og k, dk += scale * og^T q.
void scores_backward(const std::vector<double>& og, const std::vector<double>& qd, const HeadView& q,
                     const std::vector<double>& kd, const HeadView& k, double scale, std::vector<double>* dq,
                     std::vector<double>* dk) {
  const int64_t H = q.heads, S = q.seq, T = k.seq;
  parallel_for(q.batch * H, [&](int64_t bh) {
    const int64_t b = bh / H, h = bh % H;
    for (int64_t i = 0; i < S; ++i)
      for (int64_t j = 0; j < T; ++j) {
        const double g = scale * og[(bh * S + i) * T + j];
        for (int64_t d = 0; d < q.dim; ++d) {
          (*dq)[q.at(i, b, h, d)] += g * kd[k.at(j, b, h, d)];
          (*dk)[k.at(j, b, h, d)] += g * qd[q.at(i, b, h, d)];
        }
      }
  }, 1);
}

// out(i, b, h * dim + d) = sum_j att[bh, i, j] * v(j, b, h, d)
void weighted(const std::vector<double>& att, int64_t S, const std::vector<double>& vd, const HeadView& v,
              std::vector<double>* out) {
  const int64_t H = v.heads, T = v.seq;
  parallel_for(v.batch * H, [&](int64_t bh) {
    const int64_t b = bh / H, h = bh % H;
    for (int64_t i = 0; i < S; ++i)
      for (int64_t d = 0; d < v.dim; ++d) {
        double s = 0;
        for (int64_t j = 0; j < T; ++j) s += att[(bh * S + i) * T + j] * vd[v.at(j, b, h, d)];
        (*out)[((i * v.batch + b) * H + h) * v.dim + d] = s;
      }
  }, 1);
}

void weighted_backward(const std::vector<double>& og, const std::vector<double>& att, int64_t S,
                       const std::vector<double>& vd, const HeadView& v, std::vector<double>* datt,
                       std::vector<double>* dv) {
  const int64_t H = v.heads, T = v.seq;
  parallel_for(v.batch * H, [&](int64_t bh) {
    const int64_t b = bh / H, h = bh % H;
    for (int64_t i = 0; i < S; ++i)
      for (int64_t j = 0; j < T; ++j) {
        double s = 0;
        const double a = att[(bh * S + i) * T + j];
        for (int64_t d = 0; d < v.dim; ++d) {
          const double g = og[((i * v.batch + b) * H + h) * v.dim + d];
          s += g * vd[v.at(j, b, h, d)];
          (*dv)[v.at(j, b, h, d)] += a * g;
        }
        (*datt)[(bh * S + i) * T + j] = s;
      }
  }, 1);
}

// Checks a projection's shape: 3-D, channels divisible by heads * group. Returns head_dim.
int64_t check_projection(const Attrs& attrs, const Shape& s, const char* what, int64_t group) {
  const int64_t heads = attrs.get_int("heads");
  MV_CHECK(s.size() == 3, kValue) << "Operator " << attrs.op->name << ": input '" << what
                                  << "' must be 3-D (seq_length, batch_size, channels), got shape " << shape_str(s);
  MV_CHECK(s[2] % (heads * group) == 0, kValue)
      << "Operator " << attrs.op->name << ": input '" << what << "' has " << s[2] << " channels, which is not a multiple of "
      << (group > 1 ? std::to_string(group) + " * " : "") << "heads = " << heads * group;
  return s[2] / (heads * group);
}

void expect_shape(const Attrs& attrs, std::vector<Shape>* in, size_t k, const Shape& want, const std::string& what) {
  Shape& s = (*in)[k];
  if (s.empty()) s = want;
  else if (s != want) shape_mismatch(attrs, "input '" + what + "'", want, s);
}

OpSample att_sample(std::vector<Shape> shapes) { return op_sample(std::move(shapes), {{"heads", "2"}}); }

OpSample backward_sample(std::vector<Shape> shapes) {
  OpSample s = att_sample(std::move(shapes));
  s.grad_check = false;
  return s;
}

#define MV_HEADS_PARAM required_param("heads", ParamType::kInt, "Set number of heads").bounds(1, 1e9)

}  // namespace

// ---- self-attention ----------------------------------------------------------------------------

MV_REGISTER_OP(_contrib_interleaved_matmul_selfatt_qk)
    .describe("Computes the self-attention scores of interleaved queries and keys: for queries_keys_values of shape "
              "(seq_length, batch_size, heads * 3 * head_dim), [q, k, v] per head, the output has shape "
              "(batch_size * heads, seq_length, seq_length) and\n\n"
              "  output[b * heads + h, i, j] = <q(i, b, h), k(j, b, h)> / sqrt(head_dim)")
    .input("queries_keys_values", "Interleaved queries, keys and values")
    .MV_HEADS_PARAM
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& s = (*in)[0];
      if (s.empty()) return;
      check_projection(attrs, s, "queries_keys_values", 3);
      (*out)[0] = Shape{s[1] * attrs.get_int("heads"), s[0], s[0]};
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const int64_t heads = attrs.get_int("heads");
      const HeadView q = view_of(in[0].shape, heads, 3, 0), k = view_of(in[0].shape, heads, 3, 1);
      std::vector<double> x = to_doubles(in[0]), res(static_cast<size_t>(out[0].size()));
      scores(x, q, x, k, 1.0 / std::sqrt(static_cast<double>(q.dim)), &res);
      store_doubles(res, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return op_all("_backward_interleaved_matmul_selfatt_qk", {g.ograd(), g.input(0)}, g.forward_params());
    })
    .add_sample(att_sample({{3, 2, 12}}));

MV_REGISTER_OP(_backward_interleaved_matmul_selfatt_qk)
    .describe("Gradient of interleaved_matmul_selfatt_qk: the gradient of queries_keys_values (zero in the value slots).")
    .input("ograd", "Gradient of the attention scores")
    .input("queries_keys_values", "The forward input")
    .params_from("_contrib_interleaved_matmul_selfatt_qk")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& s = (*in)[1];
      if (s.empty()) return;
      check_projection(attrs, s, "queries_keys_values", 3);
      expect_shape(attrs, in, 0, Shape{s[1] * attrs.get_int("heads"), s[0], s[0]}, "ograd");
      (*out)[0] = s;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const int64_t heads = attrs.get_int("heads");
      const HeadView q = view_of(in[1].shape, heads, 3, 0), k = view_of(in[1].shape, heads, 3, 1);
      std::vector<double> og = to_doubles(in[0]), x = to_doubles(in[1]), dx(x.size(), 0.0);
      scores_backward(og, x, q, x, k, 1.0 / std::sqrt(static_cast<double>(q.dim)), &dx, &dx);
      store_doubles(dx, out[0]);
    })
    .set_non_differentiable()
    .add_sample(backward_sample({{4, 3, 3}, {3, 2, 12}}));

MV_REGISTER_OP(_contrib_interleaved_matmul_selfatt_valatt)
    .describe("Applies self-attention maps to interleaved values: for queries_keys_values of shape (seq_length, "
              "batch_size, heads * 3 * head_dim) and attention of shape (batch_size * heads, seq_length, seq_length), "
              "the output has shape (seq_length, batch_size, heads * head_dim) and\n\n"
              "  output[i, b, h * head_dim + d] = sum_j attention[b * heads + h, i, j] * v(j, b, h)[d]")
    .input("queries_keys_values", "Queries, keys and values interleaved")
    .input("attention", "Attention maps")
    .MV_HEADS_PARAM
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& s = (*in)[0];
      if (s.empty()) return;
      const int64_t dim = check_projection(attrs, s, "queries_keys_values", 3), heads = attrs.get_int("heads");
      expect_shape(attrs, in, 1, Shape{s[1] * heads, s[0], s[0]}, "attention");
      (*out)[0] = Shape{s[0], s[1], heads * dim};
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const HeadView v = view_of(in[0].shape, attrs.get_int("heads"), 3, 2);
      std::vector<double> x = to_doubles(in[0]), att = to_doubles(in[1]), res(static_cast<size_t>(out[0].size()));
      weighted(att, v.seq, x, v, &res);
      store_doubles(res, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return op_all("_backward_interleaved_matmul_selfatt_valatt", {g.ograd(), g.input(0), g.input(1)},
                    g.forward_params());
    })
    .add_sample(att_sample({{3, 2, 12}, {4, 3, 3}}));

MV_REGISTER_OP(_backward_interleaved_matmul_selfatt_valatt)
    .describe("Gradient of interleaved_matmul_selfatt_valatt: the gradients of queries_keys_values (zero in the query "
              "and key slots) and of attention.")
    .input("ograd", "Gradient of the output")
    .input("queries_keys_values", "The forward input")
    .input("attention", "The forward attention maps")
    .params_from("_contrib_interleaved_matmul_selfatt_valatt")
    .set_num_outputs(2)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& s = (*in)[1];
      if (s.empty()) return;
      const int64_t dim = check_projection(attrs, s, "queries_keys_values", 3), heads = attrs.get_int("heads");
      expect_shape(attrs, in, 2, Shape{s[1] * heads, s[0], s[0]}, "attention");
      expect_shape(attrs, in, 0, Shape{s[0], s[1], heads * dim}, "ograd");
      (*out)[0] = s;
      (*out)[1] = (*in)[2];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const HeadView v = view_of(in[1].shape, attrs.get_int("heads"), 3, 2);
      std::vector<double> og = to_doubles(in[0]), x = to_doubles(in[1]), att = to_doubles(in[2]);
      std::vector<double> dx(x.size(), 0.0), datt(att.size(), 0.0);
      weighted_backward(og, att, v.seq, x, v, &datt, &dx);
      store_doubles(dx, out[0]);
      store_doubles(datt, out[1]);
    })
    .set_non_differentiable()
    .add_sample(backward_sample({{3, 2, 4}, {3, 2, 12}, {4, 3, 3}}));

// ---- encoder-decoder attention -------------------------------------------------------------------

MV_REGISTER_OP(_contrib_interleaved_matmul_encdec_qk)
    .describe("Computes the encoder-decoder attention scores: for queries of shape (query_length, batch_size, heads * "
              "head_dim) and keys_values of shape (key_length, batch_size, heads * 2 * head_dim), [k, v] per head, the "
              "output has shape (batch_size * heads, query_length, key_length) and\n\n"
              "  output[b * heads + h, i, j] = <q(i, b, h), k(j, b, h)> / sqrt(head_dim)")
    .input("queries", "Queries")
    .input("keys_values", "Keys and values interleaved")
    .MV_HEADS_PARAM
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &q = (*in)[0], &kv = (*in)[1];
      if (q.empty() || kv.empty()) return;
      const int64_t dq = check_projection(attrs, q, "queries", 1), dk = check_projection(attrs, kv, "keys_values", 2);
      MV_CHECK(dq == dk && q[1] == kv[1], kValue)
          << "Operator " << attrs.op->name << ": queries " << shape_str(q) << " and keys_values " << shape_str(kv)
          << " disagree on batch_size or head_dim (keys_values holds 2 * head_dim channels per head)";
      (*out)[0] = Shape{q[1] * attrs.get_int("heads"), q[0], kv[0]};
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const int64_t heads = attrs.get_int("heads");
      const HeadView q = view_of(in[0].shape, heads, 1, 0), k = view_of(in[1].shape, heads, 2, 0);
      std::vector<double> qd = to_doubles(in[0]), kd = to_doubles(in[1]), res(static_cast<size_t>(out[0].size()));
      scores(qd, q, kd, k, 1.0 / std::sqrt(static_cast<double>(q.dim)), &res);
      store_doubles(res, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return op_all("_backward_interleaved_matmul_encdec_qk", {g.ograd(), g.input(0), g.input(1)}, g.forward_params());
    })
    .add_sample(att_sample({{3, 2, 4}, {5, 2, 8}}));

MV_REGISTER_OP(_backward_interleaved_matmul_encdec_qk)
    .describe("Gradient of interleaved_matmul_encdec_qk: the gradients of queries and of keys_values (zero in the value "
              "slots).")
    .input("ograd", "Gradient of the attention scores")
    .input("queries", "The forward queries")
    .input("keys_values", "The forward keys and values")
    .params_from("_contrib_interleaved_matmul_encdec_qk")
    .set_num_outputs(2)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &q = (*in)[1], &kv = (*in)[2];
      if (q.empty() || kv.empty()) return;
      const int64_t dq = check_projection(attrs, q, "queries", 1), dk = check_projection(attrs, kv, "keys_values", 2);
      MV_CHECK(dq == dk && q[1] == kv[1], kValue) << "Operator " << attrs.op->name << ": queries " << shape_str(q)
                                                  << " and keys_values " << shape_str(kv) << " disagree";
      expect_shape(attrs, in, 0, Shape{q[1] * attrs.get_int("heads"), q[0], kv[0]}, "ograd");
      (*out)[0] = q;
      (*out)[1] = kv;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const int64_t heads = attrs.get_int("heads");
      const HeadView q = view_of(in[1].shape, heads, 1, 0), k = view_of(in[2].shape, heads, 2, 0);
      std::vector<double> og = to_doubles(in[0]), qd = to_doubles(in[1]), kd = to_doubles(in[2]);
      std::vector<double> dq(qd.size(), 0.0), dk(kd.size(), 0.0);
      scores_backward(og, qd, q, kd, k, 1.0 / std::sqrt(static_cast<double>(q.dim)), &dq, &dk);
      store_doubles(dq, out[0]);
      store_doubles(dk, out[1]);
    })
    .set_non_differentiable()
    .add_sample(backward_sample({{4, 3, 5}, {3, 2, 4}, {5, 2, 8}}));

MV_REGISTER_OP(_contrib_interleaved_matmul_encdec_valatt)
    .describe("Applies encoder-decoder attention maps to interleaved values: for keys_values of shape (key_length, "
              "batch_size, heads * 2 * head_dim) and attention of shape (batch_size * heads, query_length, "
              "key_length), the output has shape (query_length, batch_size, heads * head_dim) and\n\n"
              "  output[i, b, h * head_dim + d] = sum_j attention[b * heads + h, i, j] * v(j, b, h)[d]")
    .input("keys_values", "Keys and values interleaved")
    .input("attention", "Attention maps")
    .MV_HEADS_PARAM
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &kv = (*in)[0], &att = (*in)[1];
      if (kv.empty() || att.empty()) return;
      const int64_t dim = check_projection(attrs, kv, "keys_values", 2), heads = attrs.get_int("heads");
      MV_CHECK(att.size() == 3 && att[0] == kv[1] * heads && att[2] == kv[0], kValue)
          << "Operator " << attrs.op->name << ": attention must have shape (batch_size * heads, query_length, "
          << kv[0] << ") = (" << kv[1] * heads << ", query_length, " << kv[0] << "), got " << shape_str(att);
      (*out)[0] = Shape{att[1], kv[1], heads * dim};
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const HeadView v = view_of(in[0].shape, attrs.get_int("heads"), 2, 1);
      std::vector<double> kd = to_doubles(in[0]), att = to_doubles(in[1]), res(static_cast<size_t>(out[0].size()));
      weighted(att, in[1].shape[1], kd, v, &res);
      store_doubles(res, out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return op_all("_backward_interleaved_matmul_encdec_valatt", {g.ograd(), g.input(0), g.input(1)},
                    g.forward_params());
    })
    .add_sample(att_sample({{5, 2, 8}, {4, 3, 5}}));

MV_REGISTER_OP(_backward_interleaved_matmul_encdec_valatt)
    .describe("Gradient of interleaved_matmul_encdec_valatt: the gradients of keys_values (zero in the key slots) and "
              "of attention.")
    .input("ograd", "Gradient of the output")
    .input("keys_values", "The forward keys and values")
    .input("attention", "The forward attention maps")
    .params_from("_contrib_interleaved_matmul_encdec_valatt")
    .set_num_outputs(2)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &kv = (*in)[1], &att = (*in)[2];
      if (kv.empty() || att.empty()) return;
      const int64_t dim = check_projection(attrs, kv, "keys_values", 2), heads = attrs.get_int("heads");
      MV_CHECK(att.size() == 3 && att[0] == kv[1] * heads && att[2] == kv[0], kValue)
          << "Operator " << attrs.op->name << ": attention must have shape (" << kv[1] * heads << ", query_length, "
          << kv[0] << "), got " << shape_str(att);
      expect_shape(attrs, in, 0, Shape{att[1], kv[1], heads * dim}, "ograd");
      (*out)[0] = kv;
      (*out)[1] = att;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const HeadView v = view_of(in[1].shape, attrs.get_int("heads"), 2, 1);
      std::vector<double> og = to_doubles(in[0]), kd = to_doubles(in[1]), att = to_doubles(in[2]);
      std::vector<double> dkv(kd.size(), 0.0), datt(att.size(), 0.0);
      weighted_backward(og, att, in[2].shape[1], kd, v, &datt, &dkv);
      store_doubles(dkv, out[0]);
      store_doubles(datt, out[1]);
    })
    .set_non_differentiable()
    .add_sample(backward_sample({{3, 2, 4}, {5, 2, 8}, {4, 3, 5}}));

#undef MV_HEADS_PARAM

}  // namespace minerva
