#include "core/kernels/dnnl/pool.h"

#include "core/kernels/dnnl/primitive_cache.h"

#ifdef MINERVA_WITH_DNNL

namespace minerva {
namespace onednn {

namespace {

using dnnl::algorithm;
using dnnl::memory;
using dnnl::pooling_backward;
using dnnl::pooling_forward;

struct PoolDescs {
  memory::dims strides, kernel, pad_l, pad_r;
  memory::desc x, y;
  algorithm algo = algorithm::pooling_max;
};

// oneDNN's right padding: whatever the last window needs beyond the input. When the output
// size formula with symmetric padding already floors to the caller's size, the symmetric pad is
// used (it is never read); otherwise (pooling_convention 'full' or 'same') the exact one.
int64_t right_pad(int64_t in, int64_t out, int64_t k, int64_t s, int64_t p) {
  const int64_t exact = (out - 1) * s + k - in - p;
  return (in + 2 * p - k) >= 0 && (in + 2 * p - k) / s + 1 == out ? p : exact;
}

PoolDescs descs_of(const PoolDims& d) {
  PoolDescs s;
  s.strides = {d.stride_h, d.stride_w};
  s.kernel = {d.k_h, d.k_w};
  s.pad_l = {d.pad_h, d.pad_w};
  s.pad_r = {right_pad(d.in_h, d.out_h, d.k_h, d.stride_h, d.pad_h),
             right_pad(d.in_w, d.out_w, d.k_w, d.stride_w, d.pad_w)};
  s.x = plain_desc({d.batch, d.channels, d.in_h, d.in_w});
  s.y = plain_desc({d.batch, d.channels, d.out_h, d.out_w});
  s.algo = d.kind == PoolKind::kMax             ? algorithm::pooling_max
           : d.kind == PoolKind::kAvgIncludePad ? algorithm::pooling_avg_include_padding
                                                : algorithm::pooling_avg_exclude_padding;
  return s;
}

std::vector<int64_t> key_of(const PoolDims& d, int64_t kind) {
  return {kind,    static_cast<int64_t>(d.kind), d.batch, d.channels, d.in_h,     d.in_w,     d.out_h,
          d.out_w, d.k_h,                        d.k_w,   d.stride_h, d.stride_w, d.pad_h,    d.pad_w};
}

// Plain layouts on both sides: a pooling reads each element about once, so reordering to a
// blocked layout and back would cost more than the pooling itself.
pooling_forward::primitive_desc forward_pd(const PoolDescs& s, dnnl::prop_kind prop) {
  pooling_forward::desc desc(prop, s.algo, s.x, s.y, s.strides, s.kernel, s.pad_l, s.pad_r);
  return pooling_forward::primitive_desc(desc, user_scratchpad_attr(), cpu_engine());
}

struct ForwardEntry {
  pooling_forward::primitive_desc pd;
  pooling_forward prim;
};

// Max pooling's backward needs the forward's workspace (where each maximum was), which the
// operator does not keep: the entry reruns a training forward into scratch memory first.
struct BackwardEntry {
  pooling_forward::primitive_desc fwd_pd;
  pooling_forward fwd;
  pooling_backward::primitive_desc pd;
  pooling_backward prim;
  bool needs_workspace = false;
};

std::shared_ptr<const ForwardEntry> make_forward(const PoolDims& d) {
  auto e = std::make_shared<ForwardEntry>();
  e->pd = forward_pd(descs_of(d), dnnl::prop_kind::forward_inference);
  e->prim = pooling_forward(e->pd);
  return e;
}

std::shared_ptr<const BackwardEntry> make_backward(const PoolDims& d) {
  const PoolDescs s = descs_of(d);
  auto e = std::make_shared<BackwardEntry>();
  e->fwd_pd = forward_pd(s, dnnl::prop_kind::forward_training);
  e->fwd = pooling_forward(e->fwd_pd);
  pooling_backward::desc desc(s.algo, s.x, s.y, s.strides, s.kernel, s.pad_l, s.pad_r);
  e->pd = pooling_backward::primitive_desc(desc, user_scratchpad_attr(), cpu_engine(), e->fwd_pd);
  e->prim = pooling_backward(e->pd);
  e->needs_workspace = d.kind == PoolKind::kMax;
  return e;
}

// Every window of the dimension touches the input (oneDNN rejects a window made only of
// padding, which 'full' can produce; the reference gives it the lowest value or 0).
bool windows_touch_input(int64_t in, int64_t out, int64_t k, int64_t s, int64_t p) {
  return p < k && (out - 1) * s - p < in;
}

// The cases oneDNN computes exactly as the reference kernel (Note [Pooling windows] in
// core/ops/nn_pool.cc): an average that counts padding divides by the full kernel size in
// oneDNN, but by the window cut at in + pad in the reference, so it is handed over only when no
// window runs past in + pad.
bool usable(const PoolDims& d) {
  if (!enabled() || d.batch <= 0 || d.channels <= 0 || d.in_h <= 0 || d.in_w <= 0 || d.out_h <= 0 || d.out_w <= 0)
    return false;
  if (!windows_touch_input(d.in_h, d.out_h, d.k_h, d.stride_h, d.pad_h) ||
      !windows_touch_input(d.in_w, d.out_w, d.k_w, d.stride_w, d.pad_w))
    return false;
  if (d.kind == PoolKind::kAvgIncludePad)
    return (d.out_h - 1) * d.stride_h + d.k_h <= d.in_h + 2 * d.pad_h &&
           (d.out_w - 1) * d.stride_w + d.k_w <= d.in_w + 2 * d.pad_w;
  return true;
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

bool pool_forward(const PoolDims& d, const float* x, float* y) {
  if (!usable(d)) return false;
  auto e = forward_cache().get(key_of(d, 0), [&] { return make_forward(d); });
  if (!e) return false;
  try {
    Call call;
    call.run(e->prim, {{DNNL_ARG_SRC, call.wrap(e->pd.src_desc(), x)},
                       {DNNL_ARG_DST, call.wrap(e->pd.dst_desc(), y)},
                       {DNNL_ARG_SCRATCHPAD, call.scratchpad(e->pd)}});
    call.finish();
  } catch (const dnnl::error&) {
    return false;
  }
  return true;
}

bool pool_backward(const PoolDims& d, const float* dy, const float* x, float* dx) {
  if (!usable(d)) return false;
  auto e = backward_cache().get(key_of(d, 1), [&] { return make_backward(d); });
  if (!e) return false;
  try {
    Call call;
    std::unordered_map<int, memory> args = {{DNNL_ARG_DIFF_DST, call.wrap(e->pd.diff_dst_desc(), dy)},
                                            {DNNL_ARG_DIFF_SRC, call.wrap(e->pd.diff_src_desc(), dx)},
                                            {DNNL_ARG_SCRATCHPAD, call.scratchpad(e->pd)}};
    if (e->needs_workspace) {
      memory workspace = call.scratch(e->fwd_pd.workspace_desc());
      call.run(e->fwd, {{DNNL_ARG_SRC, call.wrap(e->fwd_pd.src_desc(), x)},
                        {DNNL_ARG_DST, call.scratch(e->fwd_pd.dst_desc())},
                        {DNNL_ARG_WORKSPACE, workspace},
                        {DNNL_ARG_SCRATCHPAD, call.scratchpad(e->fwd_pd)}});
      args[DNNL_ARG_WORKSPACE] = workspace;
    }
    call.run(e->prim, args);
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

bool pool_forward(const PoolDims&, const float*, float*) { return false; }
bool pool_backward(const PoolDims&, const float*, const float*, float*) { return false; }

}  // namespace onednn
}  // namespace minerva

#endif  // MINERVA_WITH_DNNL
