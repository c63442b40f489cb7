#include "core/kernels/dnnl/conv.h"

#include "core/kernels/dnnl/primitive_cache.h"

#ifdef MINERVA_WITH_DNNL

namespace minerva {
namespace onednn {

namespace {

using dnnl::memory;
using tag = memory::format_tag;

struct ConvDescs {
  memory::dims strides, dilates, pad_l, pad_r;
  memory::desc x, w, bias, y;                 // the user's plain layouts
  memory::desc x_any, w_any, bias_any, y_any;  // "pick your own" for the primitives
};

// Weights are (filters, channels/groups, kh, kw) in Minerva: exactly oneDNN's goihw once the
// filters are split into (groups, filters/groups).
ConvDescs descs_of(const ConvDims& d) {
  ConvDescs s;
  s.strides = {d.stride_h, d.stride_w};
  s.dilates = {d.dilate_h - 1, d.dilate_w - 1};  // oneDNN counts the gaps: 0 is dense
  s.pad_l = {d.pad_h, d.pad_w};
  // Symmetric, as MXNet's: oneDNN's output size formula floors like ours, so the padding at the
  // end that no stride reaches is never read.
  s.pad_r = s.pad_l;
  const memory::dims x{d.batch, d.channels, d.in_h, d.in_w}, y{d.batch, d.filters, d.out_h, d.out_w};
  const memory::dims w = d.groups == 1 ? memory::dims{d.filters, d.channels, d.k_h, d.k_w}
                                       : memory::dims{d.groups, d.filters / d.groups, d.channels / d.groups, d.k_h, d.k_w};
  const auto f32 = memory::data_type::f32;
  s.x = plain_desc(x);
  s.w = plain_desc(w);
  s.bias = plain_desc({d.filters});
  s.y = plain_desc(y);
  s.x_any = memory::desc(x, f32, tag::any);
  s.w_any = memory::desc(w, f32, tag::any);
  s.bias_any = memory::desc({d.filters}, f32, tag::any);
  s.y_any = memory::desc(y, f32, tag::any);
  return s;
}

std::vector<int64_t> key_of(const ConvDims& d, int64_t kind, bool bias) {
  return {kind,       bias,       d.batch,    d.channels, d.filters,  d.groups,   d.in_h,     d.in_w,    d.out_h,
          d.out_w,    d.k_h,      d.k_w,      d.stride_h, d.stride_w, d.dilate_h, d.dilate_w, d.pad_h,   d.pad_w};
}

using dnnl::algorithm;
using dnnl::convolution_backward_data;
using dnnl::convolution_backward_weights;
using dnnl::convolution_forward;

convolution_forward::primitive_desc forward_pd(const ConvDescs& s, bool bias) {
  const auto prop = dnnl::prop_kind::forward_training;  // also the backward primitives' hint
  const auto algo = algorithm::convolution_direct;
  convolution_forward::desc desc =
      bias ? convolution_forward::desc(prop, algo, s.x_any, s.w_any, s.bias_any, s.y_any, s.strides, s.dilates,
                                       s.pad_l, s.pad_r)
           : convolution_forward::desc(prop, algo, s.x_any, s.w_any, s.y_any, s.strides, s.dilates, s.pad_l, s.pad_r);
  return convolution_forward::primitive_desc(desc, user_scratchpad_attr(), cpu_engine());
}

struct ForwardEntry {
  convolution_forward::primitive_desc pd;
  convolution_forward prim;
  ArgLayout x, w, bias, y;
};

struct BackwardEntry {
  convolution_backward_data::primitive_desc data_pd;
  convolution_backward_data data_prim;
  ArgLayout data_dy, data_w, data_dx;
  convolution_backward_weights::primitive_desc weights_pd;
  convolution_backward_weights weights_prim;
  ArgLayout weights_dy, weights_x, weights_dw, weights_db;
};

std::shared_ptr<const ForwardEntry> make_forward(const ConvDims& d, bool bias) {
  const ConvDescs s = descs_of(d);
  auto e = std::make_shared<ForwardEntry>();
  e->pd = forward_pd(s, bias);
  e->prim = convolution_forward(e->pd);
  e->x = input_layout(s.x, e->pd.src_desc());
  e->w = input_layout(s.w, e->pd.weights_desc());
  if (bias) e->bias = input_layout(s.bias, e->pd.bias_desc());
  e->y = output_layout(s.y, e->pd.dst_desc());
  return e;
}

std::shared_ptr<const BackwardEntry> make_backward(const ConvDims& d, bool bias) {
  const ConvDescs s = descs_of(d);
  const auto algo = algorithm::convolution_direct;
  const convolution_forward::primitive_desc hint = forward_pd(s, bias);
  auto e = std::make_shared<BackwardEntry>();
  convolution_backward_data::desc data_desc(algo, s.x_any, s.w_any, s.y_any, s.strides, s.dilates, s.pad_l, s.pad_r);
  e->data_pd = convolution_backward_data::primitive_desc(data_desc, user_scratchpad_attr(), cpu_engine(), hint);
  e->data_prim = convolution_backward_data(e->data_pd);
  e->data_dy = input_layout(s.y, e->data_pd.diff_dst_desc());
  e->data_w = input_layout(s.w, e->data_pd.weights_desc());
  e->data_dx = output_layout(s.x, e->data_pd.diff_src_desc());
  convolution_backward_weights::desc weights_desc =
      bias ? convolution_backward_weights::desc(algo, s.x_any, s.w_any, s.bias_any, s.y_any, s.strides, s.dilates,
                                                s.pad_l, s.pad_r)
           : convolution_backward_weights::desc(algo, s.x_any, s.w_any, s.y_any, s.strides, s.dilates, s.pad_l,
                                                s.pad_r);
  e->weights_pd =
      convolution_backward_weights::primitive_desc(weights_desc, user_scratchpad_attr(), cpu_engine(), hint);
  e->weights_prim = convolution_backward_weights(e->weights_pd);
  e->weights_dy = input_layout(s.y, e->weights_pd.diff_dst_desc());
  e->weights_x = input_layout(s.x, e->weights_pd.src_desc());
  e->weights_dw = output_layout(s.w, e->weights_pd.diff_weights_desc());
  if (bias) e->weights_db = output_layout(s.bias, e->weights_pd.diff_bias_desc());
  return e;
}

// The cases handed to oneDNN at all; anything else (and anything oneDNN then declines) runs the
// reference kernel.
bool usable(const ConvDims& d) {
  return enabled() && d.batch > 0 && d.channels > 0 && d.filters > 0 && d.groups > 0 && d.in_h > 0 && d.in_w > 0 &&
         d.out_h > 0 && d.out_w > 0;
}

PrimitiveCache<ForwardEntry>& forward_cache() {
  static PrimitiveCache<ForwardEntry> cache;
  return cache;
}

PrimitiveCache<BackwardEntry>& backward_cache() {
  static PrimitiveCache<BackwardEntry> cache;
  return cache;
}

}  // namespace

bool conv_forward(const ConvDims& d, const float* x, const float* w, const float* bias, float* y) {
  if (!usable(d)) return false;
  const bool has_bias = bias != nullptr;
  auto e = forward_cache().get(key_of(d, 0, has_bias), [&] { return make_forward(d, has_bias); });
  if (!e) return false;
  try {
    Call call;
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, call.input(e->x, x)},
                                            {DNNL_ARG_WEIGHTS, call.input(e->w, w)},
                                            {DNNL_ARG_DST, call.output(e->y, y)},
                                            {DNNL_ARG_SCRATCHPAD, call.scratchpad(e->pd)}};
    if (has_bias) args[DNNL_ARG_BIAS] = call.input(e->bias, bias);
    call.run(e->prim, args);
    call.finish();
  } catch (const dnnl::error&) {
    return false;
  }
  return true;
}

bool conv_backward(const ConvDims& d, const float* dy, const float* x, const float* w, float* dx, float* dw,
                   float* db) {
  if (!usable(d)) return false;
  const bool has_bias = db != nullptr;
  auto e = backward_cache().get(key_of(d, 1, has_bias), [&] { return make_backward(d, has_bias); });
  if (!e) return false;
  try {
    Call call;
    memory dy_data = call.input(e->data_dy, dy);
    call.run(e->data_prim, {{DNNL_ARG_DIFF_DST, dy_data},
                            {DNNL_ARG_WEIGHTS, call.input(e->data_w, w)},
                            {DNNL_ARG_DIFF_SRC, call.output(e->data_dx, dx)},
                            {DNNL_ARG_SCRATCHPAD, call.scratchpad(e->data_pd)}});
    // Both primitives usually want dy in the same layout: reorder it once.
    memory dy_weights = e->weights_dy.prim == e->data_dy.prim ? dy_data : call.input(e->weights_dy, dy);
    std::unordered_map<int, memory> args = {{DNNL_ARG_DIFF_DST, dy_weights},
                                            {DNNL_ARG_SRC, call.input(e->weights_x, x)},
                                            {DNNL_ARG_DIFF_WEIGHTS, call.output(e->weights_dw, dw)},
                                            {DNNL_ARG_SCRATCHPAD, call.scratchpad(e->weights_pd)}};
    if (has_bias) args[DNNL_ARG_DIFF_BIAS] = call.output(e->weights_db, db);
    call.run(e->weights_prim, args);
    call.finish();
  } catch (const dnnl::error&) {
    return false;
  }
  return true;
}

}  // namespace onednn
}  // namespace minerva

#else  // built without oneDNN: every case runs the reference kernel

namespace minerva {
namespace onednn {

bool conv_forward(const ConvDims&, const float*, const float*, const float*, float*) { return false; }
bool conv_backward(const ConvDims&, const float*, const float*, const float*, float*, float*, float*) { return false; }

}  // namespace onednn
}  // namespace minerva

#endif  // MINERVA_WITH_DNNL
