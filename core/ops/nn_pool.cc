// Pooling (1-D, 2-D and 3-D; NCW, NCHW, NCDHW): max, avg, sum and Lp, and its backward operator.
//
// Note [Pooling windows]
// Output position o of a spatial dimension looks at input indices [o*stride - pad, ... + kernel),
// cut at in + pad (the window may run past the padded input under pooling_convention='full').
// Elements outside [0, in) are padding: they never win a max, add zero to sums, and count in an
// average's divisor only when count_include_pad is true (the default). Under 'same' (MXNet: max
// pooling only, no pad) there are ceil(in / stride) outputs and windows are cut at the input's end.
// Max pooling's gradient goes to the first element of the window equal to the output, as MXNet's.
//
// These kernels are the reference (DESIGN rule 4). In builds with oneDNN, float32 1-D and 2-D
// max and avg pooling run on oneDNN instead (core/kernels/dnnl/pool.h) unless MINERVA_DNNL=0.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/kernels/dnnl/dnnl_util.h"
#include "core/kernels/dnnl/pool.h"
#include "core/op/kernel_util.h"
#include "core/op/op.h"

namespace minerva {
namespace {

enum class PoolType { kMax, kAvg, kSum, kLp };
const Variants<PoolType> kPoolTypes("pool_type", {
    {"avg", PoolType::kAvg}, {"lp", PoolType::kLp}, {"max", PoolType::kMax}, {"sum", PoolType::kSum}});

// The geometry of one pooling; 1-D and 2-D problems are padded to three spatial dimensions
// (size 1, kernel 1, stride 1, pad 0 in front) so one kernel serves every rank.
struct PoolGeom {
  int nd = 0;
  int64_t planes = 0;  // batch * channels
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, p[3] = {0, 0, 0};
  PoolType type = PoolType::kMax;
  bool include_pad = true;
  int p_value = 0;
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
};

const char* default_layout(int nd) { return nd == 1 ? "NCW" : nd == 2 ? "NCHW" : "NCDHW"; }

void spatial_param(const Attrs& attrs, const char* name, int nd, int64_t fallback, int64_t lo, int64_t* dst) {
  const Shape& v = attrs.get_shape(name);
  MV_CHECK(v.empty() || static_cast<int>(v.size()) == nd, kValue)
      << "Operator " << attrs.op->name << ": " << name << " " << shape_str(v) << " must have one entry per spatial "
      << "dimension of the data (" << nd << ")";
  for (int i = 0; i < nd; ++i) {
    int64_t x = v.empty() ? fallback : v[i];
    MV_CHECK(x >= lo, kValue) << "Operator " << attrs.op->name << ": " << name << " " << shape_str(v) << " must be >= " << lo;
    dst[3 - nd + i] = x;
  }
}

PoolGeom pool_geom(const Attrs& attrs, const Shape& data) {
  const std::string& who = attrs.op->name;
  PoolGeom g;
  g.nd = static_cast<int>(data.size()) - 2;
  MV_CHECK(g.nd >= 1 && g.nd <= 3, kValue) << "Operator " << who << ": data must be 3-D (NCW), 4-D (NCHW) or 5-D (NCDHW), "
                                           << "got shape " << shape_str(data);
  if (!attrs.is_none("layout")) {
    const std::string& layout = attrs.get_str("layout");
    MV_CHECK(layout.find('C') == 1, kUnsupported)
        << "Operator " << who << ": layout " << layout << " is not supported on CPU; use " << default_layout(g.nd);
    MV_CHECK(layout == default_layout(g.nd), kValue) << "Operator " << who << ": layout " << layout
                                                     << " does not match data shape " << shape_str(data);
  }
  g.type = kPoolTypes.of(attrs);
  if (g.type == PoolType::kLp) {
    MV_CHECK(!attrs.is_none("p_value"), kValue) << "Operator " << who << ": pool_type='lp' needs p_value (1, 2 or 3)";
    g.p_value = static_cast<int>(attrs.get_int("p_value"));
    MV_CHECK(g.p_value >= 1 && g.p_value <= 3, kUnsupported)
        << "Operator " << who << ": p_value " << g.p_value << " is not supported; use 1, 2 or 3";
  }
  g.include_pad = attrs.is_none("count_include_pad") || attrs.get_bool("count_include_pad");
  g.planes = data[0] * data[1];
  for (int i = 0; i < g.nd; ++i) g.in[3 - g.nd + i] = data[2 + i];
  if (attrs.get_bool("global_pool")) {  // the whole map is one window; kernel, stride and pad are ignored
    for (int j = 3 - g.nd; j < 3; ++j) g.k[j] = g.in[j];
    return g;
  }
  const Shape& kernel = attrs.get_shape("kernel");
  MV_CHECK(static_cast<int>(kernel.size()) == g.nd, kValue)
      << "Operator " << who << ": kernel " << shape_str(kernel) << " must have one entry per spatial dimension of data "
      << shape_str(data) << " (or set global_pool=True)";
  spatial_param(attrs, "kernel", g.nd, 1, 1, g.k);
  spatial_param(attrs, "stride", g.nd, 1, 1, g.s);
  spatial_param(attrs, "pad", g.nd, 0, 0, g.p);
  const std::string& conv = attrs.get_str("pooling_convention");
  if (conv == "same") {
    MV_CHECK(g.type == PoolType::kMax, kUnsupported)
        << "Operator " << who << ": pooling_convention='same' supports only pool_type='max'";
    MV_CHECK(attrs.get_shape("pad").empty() || g.p[0] + g.p[1] + g.p[2] == 0, kValue)
        << "Operator " << who << ": pooling_convention='same' computes its own padding; pad must be 0";
  }
  for (int i = 0; i < g.nd; ++i) {
    int j = 3 - g.nd + i;
    if (conv == "same") {
      g.out[j] = (g.in[j] + g.s[j] - 1) / g.s[j];
      continue;
    }
    int64_t room = g.in[j] + 2 * g.p[j] - g.k[j];
    MV_CHECK(room >= 0, kValue) << "Operator " << who << ": kernel " << shape_str(kernel) << " exceeds the input "
                                << shape_str(data) << " padded by " << g.p[j] << " in dimension " << i;
    g.out[j] = (conv == "full" ? (room + g.s[j] - 1) / g.s[j] : room / g.s[j]) + 1;
  }
  return g;
}

Shape pool_out_shape(const PoolGeom& g, const Shape& data) {
  Shape o{data[0], data[1]};
  for (int j = 3 - g.nd; j < 3; ++j) o.push_back(g.out[j]);
  return o;
}

void pool_infer_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;
  (*out)[0] = pool_out_shape(pool_geom(attrs, (*in)[0]), (*in)[0]);
}

// inputs: ograd, data, output (of the forward); output: the gradient of data.
void pool_backward_infer_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[1].empty()) return;
  Shape y = pool_out_shape(pool_geom(attrs, (*in)[1]), (*in)[1]);
  for (size_t i : {size_t{0}, size_t{2}}) {
    if ((*in)[i].empty()) (*in)[i] = y;
    else if ((*in)[i] != y) shape_mismatch(attrs, i == 0 ? "input 'ograd'" : "input 'output'", y, (*in)[i]);
  }
  (*out)[0] = (*in)[1];
}

// ---- kernels ---------------------------------------------------------------------------------

// The window of one output position: clipped bounds [lo, hi) per dimension, and the divisor
// of an average (see Note [Pooling windows]).
struct Window {
  int64_t lo[3], hi[3];
  int64_t size;
};

// The windows of every output index of each dimension, computed once per call rather than once
// per output element: lo/hi are clipped to the input, span counts padding too.
struct PoolPlan {
  std::vector<int64_t> lo[3], hi[3], span[3];
};

PoolPlan plan_of(const PoolGeom& g) {
  PoolPlan plan;
  for (int j = 0; j < 3; ++j)
    for (int64_t o = 0; o < g.out[j]; ++o) {
      int64_t start = o * g.s[j] - g.p[j];
      int64_t end = std::min(start + g.k[j], g.in[j] + g.p[j]);
      int64_t lo = std::max<int64_t>(start, 0);
      plan.lo[j].push_back(lo);
      plan.hi[j].push_back(std::max(lo, std::min(end, g.in[j])));
      plan.span[j].push_back(std::max<int64_t>(end - start, 0));
    }
  return plan;
}

// Calls f(flat input index) for every element of the window, in row-major order.
template <typename F>
void for_window(const PoolGeom& g, const Window& w, F&& f) {
  for (int64_t a = w.lo[0]; a < w.hi[0]; ++a)
    for (int64_t b = w.lo[1]; b < w.hi[1]; ++b)
      for (int64_t c = w.lo[2]; c < w.hi[2]; ++c) f((a * g.in[1] + b) * g.in[2] + c);
}

// Calls f(flat output index, window) for every output position of a plane.
template <typename F>
void for_outputs(const PoolGeom& g, const PoolPlan& plan, F&& f) {
  int64_t idx = 0;
  Window w;
  for (int64_t a = 0; a < g.out[0]; ++a)
    for (int64_t b = 0; b < g.out[1]; ++b)
      for (int64_t c = 0; c < g.out[2]; ++c) {
        const int64_t o[3] = {a, b, c};
        int64_t with_pad = 1, inside = 1;
        for (int j = 0; j < 3; ++j) {
          w.lo[j] = plan.lo[j][o[j]];
          w.hi[j] = plan.hi[j][o[j]];
          with_pad *= plan.span[j][o[j]];
          inside *= w.hi[j] - w.lo[j];
        }
        w.size = g.include_pad ? with_pad : inside;
        f(idx++, w);
      }
}

// The start value of a max: MXNet's lowest finite value of the storage type (what a window made
// only of padding produces).
template <typename T>
double lowest_of() {
  if constexpr (std::is_same<T, half_t>::value) return -65504.0;
  else return static_cast<double>(std::numeric_limits<T>::lowest());
}

template <typename A>
A lp_power(A x, int p) { return p == 1 ? x : p == 2 ? x * x : x * x * x; }
template <typename A>
A lp_root(A x, int p) { return p == 1 ? x : p == 2 ? std::sqrt(x) : std::cbrt(x); }

int64_t kernel_volume(const PoolGeom& g) { return g.k[0] * g.k[1] * g.k[2]; }

template <typename T, typename A>
void pool_forward(const PoolGeom& g, const T* x, T* y) {
  const int64_t in_size = g.in_size(), out_size = g.out_size();
  const A lowest = static_cast<A>(lowest_of<T>());
  const PoolPlan plan = plan_of(g);
  parallel_for(g.planes, [&](int64_t pl) {
    const T* xp = x + pl * in_size;
    T* yp = y + pl * out_size;
    for_outputs(g, plan, [&](int64_t idx, const Window& w) {
      A r = 0;
      switch (g.type) {
        case PoolType::kMax:
          r = lowest;
          for_window(g, w, [&](int64_t i) { r = std::max(r, static_cast<A>(xp[i])); });
          break;
        case PoolType::kAvg:
        case PoolType::kSum:
          for_window(g, w, [&](int64_t i) { r += static_cast<A>(xp[i]); });
          if (g.type == PoolType::kAvg) r = w.size > 0 ? r / static_cast<A>(w.size) : A(0);
          break;
        case PoolType::kLp:
          for_window(g, w, [&](int64_t i) { r += lp_power(static_cast<A>(xp[i]), g.p_value); });
          r = lp_root(r, g.p_value);
          break;
      }
      yp[idx] = static_cast<T>(r);
    });
  }, out_size * kernel_volume(g) * g.planes > kParallelGrain ? 0 : g.planes);
}

template <typename T, typename A>
void pool_backward(const PoolGeom& g, const T* dy, const T* x, const T* y, T* dx) {
  const int64_t in_size = g.in_size(), out_size = g.out_size();
  const PoolPlan plan = plan_of(g);
  parallel_for(g.planes, [&](int64_t pl) {
    const T* xp = x + pl * in_size;
    const T* yp = y + pl * out_size;
    const T* dyp = dy + pl * out_size;
    // float16 accumulates in a float plane, converted once at the end.
    std::vector<A> acc_buf(std::is_same<T, A>::value ? 0 : in_size);
    A* acc = std::is_same<T, A>::value ? reinterpret_cast<A*>(dx + pl * in_size) : acc_buf.data();
    std::fill(acc, acc + in_size, A(0));
    for_outputs(g, plan, [&](int64_t idx, const Window& w) {
      const A og = static_cast<A>(dyp[idx]);
      switch (g.type) {
        case PoolType::kMax: {
          int64_t arg = -1;  // the first element equal to the output wins
          for_window(g, w, [&](int64_t i) {
            if (arg < 0 && xp[i] == yp[idx]) arg = i;
          });
          if (arg >= 0) acc[arg] += og;
          break;
        }
        case PoolType::kAvg:
        case PoolType::kSum: {
          const A share = g.type == PoolType::kSum ? og : w.size > 0 ? og / static_cast<A>(w.size) : A(0);
          for_window(g, w, [&](int64_t i) { acc[i] += share; });
          break;
        }
        case PoolType::kLp: {  // d/dx (sum x^p)^(1/p) = (x / y)^(p-1)
          const A out = static_cast<A>(yp[idx]);
          for_window(g, w, [&](int64_t i) {
            const A ratio = static_cast<A>(xp[i]) / out;
            acc[i] += g.p_value == 1 ? og : g.p_value == 2 ? og * ratio : og * ratio * ratio;
          });
          break;
        }
      }
    });
    if (!std::is_same<T, A>::value)
      for (int64_t i = 0; i < in_size; ++i) dx[pl * in_size + i] = static_cast<T>(acc[i]);
  }, out_size * kernel_volume(g) * g.planes > kParallelGrain ? 0 : g.planes);
}

template <typename T>
using ComputeType = std::conditional_t<std::is_same<T, double>::value, double, float>;

OpSample sample(Shape shape, KeyValues params, double lo = -1.0, double hi = 1.0) {
  OpSample s;
  s.shapes = {std::move(shape)};
  s.params = std::move(params);
  s.lo = lo;
  s.hi = hi;
  return s;
}

// The oneDNN fast path takes float32 1-D and 2-D max and average pooling (PoolGeom keeps 1-D
// and 2-D in its last two dimensions); sum and Lp pooling, 3-D and other dtypes run the
// reference kernels, as does any case onednn::pool_* declines.
bool dnnl_case(const PoolGeom& g, DType dtype) {
  return dtype == DType::kFloat32 && g.nd <= 2 && (g.type == PoolType::kMax || g.type == PoolType::kAvg) &&
         onednn::enabled();
}

onednn::PoolDims dnnl_dims(const PoolGeom& g, const Shape& data) {
  onednn::PoolDims d;
  d.kind = g.type == PoolType::kMax ? onednn::PoolKind::kMax
           : g.include_pad          ? onednn::PoolKind::kAvgIncludePad
                                    : onednn::PoolKind::kAvgExcludePad;
  d.batch = data[0];
  d.channels = data[1];
  d.in_h = g.in[1], d.in_w = g.in[2], d.out_h = g.out[1], d.out_w = g.out[2], d.k_h = g.k[1], d.k_w = g.k[2];
  d.stride_h = g.s[1], d.stride_w = g.s[2], d.pad_h = g.p[1], d.pad_w = g.p[2];
  return d;
}

void pool_forward_op(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  PoolGeom g = pool_geom(attrs, in[0].shape);
  if (dnnl_case(g, in[0].dtype) &&
      onednn::pool_forward(dnnl_dims(g, in[0].shape), in[0].ptr<float>(), out[0].ptr<float>()))
    return;
  MV_FLOAT_SWITCH(in[0].dtype, "Pooling", T, { pool_forward<T, ComputeType<T>>(g, in[0].ptr<T>(), out[0].ptr<T>()); });
}

void pool_backward_op(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  PoolGeom g = pool_geom(attrs, in[1].shape);
  if (dnnl_case(g, in[1].dtype) &&
      onednn::pool_backward(dnnl_dims(g, in[1].shape), in[0].ptr<float>(), in[1].ptr<float>(), out[0].ptr<float>()))
    return;
  MV_FLOAT_SWITCH(in[1].dtype, "_backward_Pooling", T, {
    pool_backward<T, ComputeType<T>>(g, in[0].ptr<T>(), in[1].ptr<T>(), in[2].ptr<T>(), out[0].ptr<T>());
  });
}

}  // namespace

MV_REGISTER_OP(Pooling)
    .describe(
        "Performs pooling on the input.\n\n"
        "data and out are *(batch_size, channel, width)*, *(batch_size, channel, height, width)* or "
        "*(batch_size, channel, depth, height, width)*. Each output dimension is f(x, kernel, pad, stride) with\n\n"
        "- **valid** (default): f(x, k, p, s) = floor((x+2*p-k)/s)+1\n"
        "- **full** (Caffe): f(x, k, p, s) = ceil((x+2*p-k)/s)+1\n"
        "- **same** (max pooling without pad): f(x, k, p, s) = ceil(x/s)\n\n"
        "pool_type is max, avg (padding counted in the divisor unless count_include_pad=False), sum, or lp: "
        "(sum x^p)^(1/p) for p_value 1, 2 or 3. global_pool=True pools each whole feature map to one value.\n\n"
        "Example::\n\n"
        "  x = [[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]\n"
        "  Pooling(x, kernel=(2, 2), pool_type='max') = [[[[5, 6], [8, 9]]]]\n"
        "  Pooling(x, kernel=(2, 2), stride=(2, 2), pool_type='avg', pooling_convention='full') = [[[[3, 4.5], [7.5, 9]]]]")
    .input("data", "Input data to the pooling operator.")
    .param("kernel", ParamType::kShape, "()", "Pooling kernel size: (y, x) or (d, y, x)").kind(ParamKind::kPerDim)
    .enum_param(kPoolTypes, "max", "Pooling type to be applied.")
    .param("global_pool", ParamType::kBool, "False",
        "Ignore kernel size, do global pooling based on current input feature map.")
    .param("cudnn_off", ParamType::kBool, "False", "Turn off cudnn pooling (ignored).")
    .enum_param("pooling_convention", {"full", "same", "valid"}, "valid", "Pooling convention to be applied.")
    .param("stride", ParamType::kShape, "()", "Stride: for pooling (y, x) or (d, y, x). Defaults to 1 for each "
        "dimension.").kind(ParamKind::kPerDim)
    .param("pad", ParamType::kShape, "()", "Pad for pooling: (y, x) or (d, y, x). Defaults to no padding.")
    .kind(ParamKind::kPerDim)
    .param("p_value", ParamType::kInt, "None", "Value of p for Lp pooling, can be 1, 2 or 3, required for Lp "
        "Pooling.")
    .param("count_include_pad", ParamType::kBool, "None",
        "Only used for AvgPool, specify whether to count padding elements for average calculation. "
        "Defaults to true.")
    .enum_param("layout", {"NCDHW", "NCHW", "NCW", "NDHWC", "NHWC", "NWC"}, "None",
        "Set layout for input and output. Empty for default layout: NCW for 1d, NCHW for 2d and NCDHW "
        "for 3d. Only the default layouts are supported.")
    .set_infer_shape(pool_infer_shape)
    .set_forward(pool_forward_op)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_Pooling", {g.ograd(), g.input(0), g.output(0)}, g.forward_params())};
    })
    .add_sample(sample({1, 2, 4, 4}, {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}}))
    .add_sample(sample({1, 2, 5, 5}, {{"kernel", "(3, 3)"}, {"stride", "(2, 2)"}, {"pad", "(1, 1)"},
                                      {"pool_type", "avg"}, {"pooling_convention", "full"}}))
    .add_sample(sample({1, 2, 5, 5}, {{"kernel", "(3, 3)"}, {"stride", "(2, 2)"}, {"pad", "(1, 1)"},
                                      {"pool_type", "avg"}, {"count_include_pad", "False"}}))
    .add_sample(sample({1, 1, 5, 5}, {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"pad", "(1, 1)"}, {"pool_type", "sum"}}))
    // Lp pooling divides by the output in its gradient: keep the inputs away from zero.
    .add_sample(sample({1, 2, 3, 3}, {{"kernel", "(2, 2)"}, {"pool_type", "lp"}, {"p_value", "2"}}, 0.2, 1.0))
    .add_sample(sample({1, 2, 3, 3}, {{"kernel", "(2, 2)"}, {"pool_type", "lp"}, {"p_value", "3"}}, 0.2, 1.0))
    .add_sample(sample({2, 2, 3, 3}, {{"global_pool", "True"}, {"pool_type", "avg"}}))
    .add_sample(sample({2, 2, 3, 3}, {{"global_pool", "True"}}))
    .add_sample(sample({2, 2, 7}, {{"kernel", "(3,)"}, {"stride", "(2,)"}, {"pooling_convention", "full"}}))
    .add_sample(sample({1, 2, 7}, {{"kernel", "(3,)"}, {"stride", "(2,)"}, {"pooling_convention", "same"}}))
    .add_sample(sample({1, 1, 3, 4, 4}, {{"kernel", "(2, 2, 2)"}, {"pool_type", "avg"}, {"pad", "(1, 0, 1)"}}));

MV_REGISTER_OP(_backward_Pooling)
    .describe("Gradient of Pooling: from (ograd, data, output) computes the gradient of data. Takes Pooling's "
              "parameters.")
    .input("ograd", "gradient of Pooling's output")
    .input("data", "Pooling's data input")
    .input("output", "Pooling's output")
    .params_from("Pooling")
    .set_infer_shape(pool_backward_infer_shape)
    .set_forward(pool_backward_op)
    .set_non_differentiable()
    .add_sample([] {
      OpSample s = sample({1, 2, 2, 2}, {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}});
      s.shapes = {{1, 2, 2, 2}, {1, 2, 4, 4}, {1, 2, 2, 2}};
      return s;
    }());

}  // namespace minerva
