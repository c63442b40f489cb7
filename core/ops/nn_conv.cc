// Convolution (1-D, 2-D and 3-D; NCW, NCHW, NCDHW) by im2col + GEMM, and its backward operator.
//
// Note [Convolution as batched GEMM]
// The input of several images is unrolled at once into a column matrix col of shape
// (C * K, nb * P), where K is the kernel volume and P the number of output positions: row
// c*K + kk holds, for every image b of the chunk and output position o, the input element that
// kernel tap kk of channel c sees at o (zero where it falls into the padding). The output of
// group g is then one GEMM  W_g (F/G, C/G*K) x col_g (C/G*K, nb*P). Unrolling a chunk of images
// rather than one makes the GEMM wide even for small feature maps (LeNet's 24x24 maps give
// P = 576); the chunk size nb keeps the scratch buffers under kColBudget elements, which is the
// role MXNet gives its `workspace` parameter on CPU. The backward pass reuses the same column
// matrix: dW_g = dY_g col_g^T, and dcol_g = W_g^T dY_g folded back by col2im.
// float16 computes in float: im2col converts on load and the result is converted on store.
//
// These kernels are the reference (DESIGN rule 4). In builds with oneDNN, float32 1-D and 2-D
// Convolution runs on oneDNN instead (core/kernels/dnnl/conv.h) unless MINERVA_DNNL=0; every
// case it declines, Deconvolution, 3-D and the other dtypes run here.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "core/kernels/blas/gemm.h"
#include "core/kernels/dnnl/conv.h"
#include "core/kernels/dnnl/dnnl_util.h"
#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/storage/storage.h"

namespace minerva {
namespace {

constexpr int64_t kColBudget = int64_t{1} << 21;  // elements per scratch buffer (8 MB in float32)

// The geometry of one convolution. 1-D and 2-D problems are padded to three spatial dimensions
// (size 1, kernel 1, stride 1, dilation 1, pad 0 in front) so one im2col serves every rank.
struct ConvGeom {
  int nd = 0;
  int64_t batch = 0, channels = 0, filters = 0, groups = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1};
  int64_t s[3] = {1, 1, 1}, d[3] = {1, 1, 1}, p[3] = {0, 0, 0};
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t k_size() const { return k[0] * k[1] * k[2]; }
  Shape weight_shape() const {
    Shape w{filters, channels / groups};
    for (int i = 3 - nd; i < 3; ++i) w.push_back(k[i]);
    return w;
  }
  Shape out_shape() const {
    Shape o{batch, filters};
    for (int i = 3 - nd; i < 3; ++i) o.push_back(out[i]);
    return o;
  }
};

const char* default_layout(int nd) { return nd == 1 ? "NCW" : nd == 2 ? "NCHW" : "NCDHW"; }

// Reads a per-dimension shape parameter into dst[3-nd .. 3): "()" means `fallback` everywhere.
void spatial_param(const Attrs& attrs, const char* name, int nd, int64_t fallback, int64_t lo, int64_t* dst) {
  const Shape& v = attrs.get_shape(name);
  MV_CHECK(v.empty() || static_cast<int>(v.size()) == nd, kValue)
      << "Operator " << attrs.op->name << ": " << name << " " << shape_str(v) << " must have as many dimensions as kernel ("
      << nd << ")";
  for (int i = 0; i < nd; ++i) {
    int64_t x = v.empty() ? fallback : v[i];
    MV_CHECK(x >= lo, kValue) << "Operator " << attrs.op->name << ": " << name << " " << shape_str(v) << " must be >= " << lo;
    dst[3 - nd + i] = x;
  }
}

// The number of spatial dimensions (from the kernel), after checking the layout and the data's rank.
int spatial_dims(const Attrs& attrs, const Shape& data) {
  const std::string& who = attrs.op->name;
  const Shape& kernel = attrs.get_shape("kernel");
  const int nd = static_cast<int>(kernel.size());
  MV_CHECK(nd >= 1 && nd <= 3, kValue) << "Operator " << who << ": kernel must have 1, 2 or 3 dimensions, got "
                                       << shape_str(kernel);
  if (!attrs.is_none("layout")) {
    const std::string& layout = attrs.get_str("layout");
    MV_CHECK(layout.find('C') == 1, kUnsupported)
        << "Operator " << who << ": layout " << layout << " is not supported on CPU; use " << default_layout(nd);
    MV_CHECK(layout == default_layout(nd), kValue)
        << "Operator " << who << ": layout " << layout << " does not match the " << nd << "-D kernel "
        << shape_str(kernel) << "; expected " << default_layout(nd);
  }
  MV_CHECK(static_cast<int>(data.size()) == nd + 2, kValue)
      << "Operator " << who << ": kernel " << shape_str(kernel) << " needs " << nd + 2 << "-D data ("
      << default_layout(nd) << "), got data shape " << shape_str(data);
  return nd;
}

ConvGeom conv_geom(const Attrs& attrs, const Shape& data) {
  const std::string& who = attrs.op->name;
  const Shape& kernel = attrs.get_shape("kernel");
  ConvGeom g;
  g.nd = spatial_dims(attrs, data);
  spatial_param(attrs, "kernel", g.nd, 1, 1, g.k);
  spatial_param(attrs, "stride", g.nd, 1, 1, g.s);
  spatial_param(attrs, "dilate", g.nd, 1, 1, g.d);
  spatial_param(attrs, "pad", g.nd, 0, 0, g.p);
  g.batch = data[0];
  g.channels = data[1];
  g.filters = attrs.get_int("num_filter");
  g.groups = attrs.get_int("num_group");
  MV_CHECK(g.channels % g.groups == 0 && g.filters % g.groups == 0, kValue)
      << "Operator " << who << ": num_group " << g.groups << " must divide both the input channels (" << g.channels
      << ", data shape " << shape_str(data) << ") and num_filter (" << g.filters << ")";
  for (int i = 0; i < g.nd; ++i) {
    int j = 3 - g.nd + i;
    g.in[j] = data[2 + i];
    int64_t span = g.d[j] * (g.k[j] - 1) + 1;  // the dilated kernel's extent
    MV_CHECK(g.in[j] + 2 * g.p[j] >= span, kValue)
        << "Operator " << who << ": kernel " << shape_str(kernel) << " (dilated extent " << span
        << ") exceeds the padded input in dimension " << i << " (data shape " << shape_str(data) << ", pad "
        << g.p[j] << ")";
    g.out[j] = (g.in[j] + 2 * g.p[j] - span) / g.s[j] + 1;
  }
  return g;
}

// Fills (or checks) an input shape that inference derives from the data shape.
void fill_input_shape(const Attrs& attrs, std::vector<Shape>* in, size_t i, const char* what, const Shape& expected) {
  if ((*in)[i].empty()) (*in)[i] = expected;
  else if ((*in)[i] != expected) shape_mismatch(attrs, what, expected, (*in)[i]);
}

void conv_infer_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;  // unknown data: nothing to derive yet
  ConvGeom g = conv_geom(attrs, (*in)[0]);
  fill_input_shape(attrs, in, 1, "input 'weight'", g.weight_shape());
  if (!attrs.get_bool("no_bias")) fill_input_shape(attrs, in, 2, "input 'bias'", Shape{g.filters});
  (*out)[0] = g.out_shape();
}

// inputs: ograd, data, weight; outputs: the gradients of data, weight and (unless no_bias) bias.
void conv_backward_infer_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[1].empty()) return;
  ConvGeom g = conv_geom(attrs, (*in)[1]);
  fill_input_shape(attrs, in, 0, "input 'ograd'", g.out_shape());
  fill_input_shape(attrs, in, 2, "input 'weight'", g.weight_shape());
  (*out)[0] = (*in)[1];
  (*out)[1] = g.weight_shape();
  if (!attrs.get_bool("no_bias")) (*out)[2] = Shape{g.filters};
}

// ---- kernels ---------------------------------------------------------------------------------

// C = op(A) op(B) + beta C on the shared BLAS path (OpenBLAS for float32/float64).
template <typename A>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const A* a, int64_t lda, const A* b, int64_t ldb,
          double beta, A* c, int64_t ldc) {
  blas::gemm_typed(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc, "Convolution");
}

// Runs f(i) for i in [0, n) in parallel when the whole job (n * work_each elements) is big enough.
template <typename F>
void parallel_items(int64_t n, int64_t work_each, F&& f) {
  parallel_for(n, std::forward<F>(f), n * work_each > kParallelGrain ? 0 : n);
}

// Scratch memory from the pooled allocator: cheap to ask for again in every call.
template <typename A>
A* scratch(std::shared_ptr<StorageBlock>* holder, int64_t n) {
  *holder = storage_alloc(static_cast<size_t>(std::max<int64_t>(n, 1)) * sizeof(A), false);
  return static_cast<A*>((*holder)->data());
}

// The output positions o in [0, out) whose input index o*s + off falls inside [0, in).
void valid_range(int64_t out, int64_t s, int64_t off, int64_t in, int64_t* lo, int64_t* hi) {
  *lo = off >= 0 ? 0 : (-off + s - 1) / s;
  *hi = in - off <= 0 ? 0 : (in - off + s - 1) / s;
  *lo = std::min(*lo, out);
  *hi = std::max(*lo, std::min(*hi, out));
}

// Visits every (kernel tap, output row) pair of one input plane: f(kk, row offset in the
// column block, pointer offset of the input row or -1 when the row lies in the padding, off, lo, hi).
template <typename F>
void for_each_tap_row(const ConvGeom& g, F&& f) {
  int64_t kk = 0;
  for (int64_t a = 0; a < g.k[0]; ++a)
    for (int64_t i = 0; i < g.k[1]; ++i)
      for (int64_t j = 0; j < g.k[2]; ++j, ++kk) {
        int64_t off = j * g.d[2] - g.p[2], lo, hi;
        valid_range(g.out[2], g.s[2], off, g.in[2], &lo, &hi);
        for (int64_t od = 0; od < g.out[0]; ++od) {
          int64_t id = od * g.s[0] - g.p[0] + a * g.d[0];
          for (int64_t oh = 0; oh < g.out[1]; ++oh) {
            int64_t ih = oh * g.s[1] - g.p[1] + i * g.d[1];
            bool inside = id >= 0 && id < g.in[0] && ih >= 0 && ih < g.in[1];
            f(kk, (od * g.out[1] + oh) * g.out[2], inside ? (id * g.in[1] + ih) * g.in[2] : -1, off, lo, hi);
          }
        }
      }
}

// Unrolls images [0, nb) of x (already offset to the chunk) into col; see Note [Convolution as
// batched GEMM]. Parallel over (image, channel) pairs, which write disjoint rows/columns.
template <typename T, typename A>
void im2col(const ConvGeom& g, const T* x, int64_t nb, A* col) {
  const int64_t C = g.channels, K = g.k_size(), P = g.out_size(), ld = nb * P, plane = g.in_size();
  const int64_t s = g.s[2], ow_n = g.out[2];
  parallel_items(nb * C, K * P, [&](int64_t bc) {
    const int64_t b = bc / C, c = bc % C;
    const T* xp = x + bc * plane;
    A* base = col + c * K * ld + b * P;
    for_each_tap_row(g, [&](int64_t kk, int64_t orow, int64_t irow, int64_t off, int64_t lo, int64_t hi) {
      A* dst = base + kk * ld + orow;
      if (irow < 0) {
        std::fill(dst, dst + ow_n, A(0));
        return;
      }
      const T* src = xp + irow + off;
      std::fill(dst, dst + lo, A(0));
      if (s == 1)
        for (int64_t o = lo; o < hi; ++o) dst[o] = static_cast<A>(src[o]);
      else
        for (int64_t o = lo; o < hi; ++o) dst[o] = static_cast<A>(src[o * s]);
      std::fill(dst + hi, dst + ow_n, A(0));
    });
  });
}

// The adjoint of im2col: writes dx (every element) for images [0, nb) from col.
template <typename T, typename A>
void col2im(const ConvGeom& g, const A* col, int64_t nb, T* dx) {
  const int64_t C = g.channels, K = g.k_size(), P = g.out_size(), ld = nb * P, plane = g.in_size();
  const int64_t s = g.s[2];
  parallel_items(nb * C, K * P, [&](int64_t bc) {
    const int64_t b = bc / C, c = bc % C;
    // float16 accumulates in a float plane, converted once at the end.
    std::vector<A> acc_buf(std::is_same<T, A>::value ? 0 : plane);
    A* acc = std::is_same<T, A>::value ? reinterpret_cast<A*>(dx + bc * plane) : acc_buf.data();
    std::fill(acc, acc + plane, A(0));
    const A* base = col + c * K * ld + b * P;
    for_each_tap_row(g, [&](int64_t kk, int64_t orow, int64_t irow, int64_t off, int64_t lo, int64_t hi) {
      if (irow < 0) return;
      const A* src = base + kk * ld + orow;
      A* dst = acc + irow + off;
      for (int64_t o = lo; o < hi; ++o) dst[o * s] += src[o];
    });
    if (!std::is_same<T, A>::value)
      for (int64_t i = 0; i < plane; ++i) dx[bc * plane + i] = static_cast<T>(acc[i]);
  });
}

// Images per chunk so that the column matrix and the GEMM output each fit kColBudget.
int64_t chunk_images(const ConvGeom& g) {
  int64_t per_image = std::max(g.channels * g.k_size(), g.filters) * g.out_size();
  return std::max<int64_t>(1, std::min(g.batch, kColBudget / std::max<int64_t>(per_image, 1)));
}

// Returns src as an A array: the pointer itself when no conversion is needed.
template <typename T, typename A>
const A* as_compute(const T* src, int64_t n, std::shared_ptr<StorageBlock>* holder) {
  if constexpr (std::is_same<T, A>::value) {
    return src;
  } else {
    A* dst = scratch<A>(holder, n);
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<A>(src[i]);
    return dst;
  }
}

template <typename T, typename A>
void conv_forward(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y) {
  const int64_t C = g.channels, F = g.filters, G = g.groups, P = g.out_size(), K = g.k_size();
  const int64_t Fg = F / G, Kg = C / G * K, nb_max = chunk_images(g);
  std::shared_ptr<StorageBlock> hw, hcol, hy;
  const A* wa = as_compute<T, A>(w, F * Kg, &hw);
  A* col = scratch<A>(&hcol, C * K * nb_max * P);
  A* ybuf = scratch<A>(&hy, F * nb_max * P);
  for (int64_t b0 = 0; b0 < g.batch; b0 += nb_max) {
    const int64_t nb = std::min(nb_max, g.batch - b0), ld = nb * P;
    im2col(g, x + b0 * C * g.in_size(), nb, col);
    for (int64_t grp = 0; grp < G; ++grp)
      gemm(false, false, Fg, ld, Kg, wa + grp * Fg * Kg, Kg, col + grp * Kg * ld, ld, 0.0, ybuf + grp * Fg * ld, ld);
    // ybuf is (F, nb, P); y is (nb, F, P): scatter rows, adding the bias.
    T* yc = y + b0 * F * P;
    parallel_items(nb * F, P, [&](int64_t bf) {
      const int64_t b = bf / F, f = bf % F;
      const A* src = ybuf + f * ld + b * P;
      const A bv = bias ? static_cast<A>(bias[f]) : A(0);
      T* dst = yc + bf * P;
      for (int64_t i = 0; i < P; ++i) dst[i] = static_cast<T>(src[i] + bv);
    });
  }
}

template <typename T, typename A>
void conv_backward(const ConvGeom& g, const T* dy, const T* x, const T* w, T* dx, T* dw, T* db) {
  const int64_t C = g.channels, F = g.filters, G = g.groups, P = g.out_size(), K = g.k_size();
  const int64_t Fg = F / G, Kg = C / G * K, nb_max = chunk_images(g);
  std::shared_ptr<StorageBlock> hw, hdw, hcol, hdy;
  const A* wa = as_compute<T, A>(w, F * Kg, &hw);
  A* dwa = std::is_same<T, A>::value ? reinterpret_cast<A*>(dw) : scratch<A>(&hdw, F * Kg);
  A* col = scratch<A>(&hcol, C * K * nb_max * P);
  A* dyb = scratch<A>(&hdy, F * nb_max * P);
  std::vector<A> row_sums(static_cast<size_t>(nb_max * F)), bias_sums(static_cast<size_t>(F), A(0));
  if (g.batch == 0) std::fill(dwa, dwa + F * Kg, A(0));  // the first chunk's GEMM would set it
  for (int64_t b0 = 0; b0 < g.batch; b0 += nb_max) {
    const int64_t nb = std::min(nb_max, g.batch - b0), ld = nb * P;
    im2col(g, x + b0 * C * g.in_size(), nb, col);
    // Gather dy from (nb, F, P) into (F, nb, P), the layout of the forward GEMM's output, summing
    // each row on the way for the bias gradient (four partial sums, so the loop vectorises).
    const T* dyc = dy + b0 * F * P;
    parallel_items(nb * F, P, [&](int64_t bf) {
      const int64_t b = bf / F, f = bf % F;
      A* dst = dyb + f * ld + b * P;
      const T* src = dyc + bf * P;
      A part[4] = {0, 0, 0, 0};
      int64_t i = 0;
      for (; i + 4 <= P; i += 4)
        for (int64_t j = 0; j < 4; ++j) part[j] += dst[i + j] = static_cast<A>(src[i + j]);
      for (; i < P; ++i) part[0] += dst[i] = static_cast<A>(src[i]);
      row_sums[bf] = (part[0] + part[1]) + (part[2] + part[3]);
    });
    for (int64_t bf = 0; bf < nb * F; ++bf) bias_sums[bf % F] += row_sums[bf];
    for (int64_t grp = 0; grp < G; ++grp) {
      const A* dy_g = dyb + grp * Fg * ld;
      A* col_g = col + grp * Kg * ld;
      // dW_g (+)= dY_g col_g^T, then col_g is overwritten with W_g^T dY_g.
      gemm(false, true, Fg, Kg, ld, dy_g, ld, col_g, ld, b0 == 0 ? 0.0 : 1.0, dwa + grp * Fg * Kg, Kg);
      gemm(true, false, Kg, ld, Fg, wa + grp * Fg * Kg, Kg, dy_g, ld, 0.0, col_g, ld);
    }
    col2im(g, col, nb, dx + b0 * C * g.in_size());
  }
  if (!std::is_same<T, A>::value)
    for (int64_t i = 0; i < F * Kg; ++i) dw[i] = static_cast<T>(dwa[i]);
  if (db)
    for (int64_t f = 0; f < F; ++f) db[f] = static_cast<T>(bias_sums[f]);
}

// float16 computes in float; float32 and float64 in their own type.
template <typename T>
using ComputeType = std::conditional_t<std::is_same<T, double>::value, double, float>;

// The oneDNN fast path's view of a 1-D or 2-D geometry (ConvGeom keeps them in its last two
// dimensions); nd 3 is not handed to it.
onednn::ConvDims dnnl_dims(const ConvGeom& g) {
  onednn::ConvDims d;
  d.batch = g.batch;
  d.channels = g.channels;
  d.filters = g.filters;
  d.groups = g.groups;
  d.in_h = g.in[1], d.in_w = g.in[2], d.out_h = g.out[1], d.out_w = g.out[2], d.k_h = g.k[1], d.k_w = g.k[2];
  d.stride_h = g.s[1], d.stride_w = g.s[2], d.dilate_h = g.d[1], d.dilate_w = g.d[2], d.pad_h = g.p[1], d.pad_w = g.p[2];
  return d;
}

bool dnnl_case(const ConvGeom& g, DType dtype) { return dtype == DType::kFloat32 && g.nd <= 2 && onednn::enabled(); }

void conv_forward_op(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  ConvGeom g = conv_geom(attrs, in[0].shape);
  const bool has_bias = !attrs.get_bool("no_bias");
  if (dnnl_case(g, in[0].dtype) &&
      onednn::conv_forward(dnnl_dims(g), in[0].ptr<float>(), in[1].ptr<float>(),
                           has_bias ? in[2].ptr<float>() : nullptr, out[0].ptr<float>()))
    return;
  MV_FLOAT_SWITCH(in[0].dtype, "Convolution", T, {
    conv_forward<T, ComputeType<T>>(g, in[0].ptr<T>(), in[1].ptr<T>(), has_bias ? in[2].ptr<T>() : nullptr,
                                    out[0].ptr<T>());
  });
}

void conv_backward_op(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  ConvGeom g = conv_geom(attrs, in[1].shape);
  const bool has_bias = !attrs.get_bool("no_bias");
  if (dnnl_case(g, in[1].dtype) &&
      onednn::conv_backward(dnnl_dims(g), in[0].ptr<float>(), in[1].ptr<float>(), in[2].ptr<float>(),
                            out[0].ptr<float>(), out[1].ptr<float>(), has_bias ? out[2].ptr<float>() : nullptr))
    return;
  MV_FLOAT_SWITCH(in[1].dtype, "_backward_Convolution", T, {
    conv_backward<T, ComputeType<T>>(g, in[0].ptr<T>(), in[1].ptr<T>(), in[2].ptr<T>(), out[0].ptr<T>(),
                                     out[1].ptr<T>(), has_bias ? out[2].ptr<T>() : nullptr);
  });
}

OpSample sample(std::vector<Shape> shapes, KeyValues params) {
  OpSample s;
  s.shapes = std::move(shapes);
  s.params = std::move(params);
  return s;
}

std::vector<std::string> conv_inputs(const Attrs& attrs) {
  if (attrs.get_bool("no_bias")) return {"data", "weight"};
  return {"data", "weight", "bias"};
}

}  // namespace

MV_REGISTER_OP(Convolution)
    // MXNet's deprecated Convolution_v1 has this operator's parameters and results; it refuses 1-D
    // kernels and dilation, which the alias computes.
    .alias("Convolution_v1")
    .describe(
        "Compute *N*-D convolution on *(N+2)*-D input.\n\n"
        "For 2-D convolution the shapes are\n\n"
        "- **data**: *(batch_size, channel, height, width)*\n"
        "- **weight**: *(num_filter, channel/num_group, kernel[0], kernel[1])*\n"
        "- **bias**: *(num_filter,)*\n"
        "- **out**: *(batch_size, num_filter, out_height, out_width)*\n\n"
        "where out_height = floor((height + 2*pad[0] - dilate[0]*(kernel[0]-1) - 1) / stride[0]) + 1, and likewise "
        "for the width. 1-D convolution takes *(batch_size, channel, width)* data, 3-D convolution "
        "*(batch_size, channel, depth, height, width)*. With num_group *g* > 1 the channels are split into *g* "
        "equal parts, each convolved with its own 1/g of the filters, and the results concatenated.\n\n"
        "Example::\n\n"
        "  data = ones((1, 1, 3, 3)); weight = ones((1, 1, 2, 2)); bias = [1]\n"
        "  Convolution(data, weight, bias, kernel=(2, 2), num_filter=1) = [[[[5, 5], [5, 5]]]]")
    .input("data", "Input data to the ConvolutionOp.")
    .input("weight", "Weight matrix.")
    .input("bias", "Bias parameter.")
    .set_list_inputs(conv_inputs)
    .required_param("kernel", ParamType::kShape, "Convolution kernel size: (w,), (h, w) or (d, h, w)")
    .kind(ParamKind::kPerDim)
    .param("stride", ParamType::kShape, "()",
        "Convolution stride: (w,), (h, w) or (d, h, w). Defaults to 1 for each dimension.").kind(ParamKind::kPerDim)
    .param("dilate", ParamType::kShape, "()",
        "Convolution dilate: (w,), (h, w) or (d, h, w). Defaults to 1 for each dimension.").kind(ParamKind::kPerDim)
    .param("pad", ParamType::kShape, "()",
        "Zero pad for convolution: (w,), (h, w) or (d, h, w). Defaults to no padding.").kind(ParamKind::kPerDim)
    .required_param("num_filter", ParamType::kInt, "Convolution filter(channel) number")
    .bounds(1, 1e9)
    .param("num_group", ParamType::kInt, "1", "Number of group partitions.")
    .bounds(1, 1e9)
    .param("workspace", ParamType::kInt, "1024",
        "Maximum temporary workspace allowed (MB) in convolution. Accepted for compatibility; the CPU kernel "
        "bounds its scratch memory itself.")
    .bounds(0, 1e18)
    .param("no_bias", ParamType::kBool, "False", "Whether to disable bias parameter.")
    .enum_param("cudnn_tune", {"fastest", "limited_workspace", "off"}, "None",
        "Whether to pick convolution algo by running performance test (GPU only; ignored).")
    .param("cudnn_off", ParamType::kBool, "False", "Turn off cudnn for this layer (ignored).")
    .enum_param("layout", {"NCDHW", "NCHW", "NCW", "NDHWC", "NHWC"}, "None",
        "Set layout for input, output and weight. Empty for default layout: NCW for 1d, NCHW for 2d and "
        "NCDHW for 3d. Only the default layouts are supported.")
    .set_infer_shape(conv_infer_shape)
    .set_forward(conv_forward_op)
    .set_gradient([](const GradContext& g) {
      return op_all("_backward_Convolution", {g.ograd(), g.input(0), g.input(1)}, g.forward_params());
    })
    .add_sample(sample({{1, 2, 5, 5}, {3, 2, 3, 3}, {3}}, {{"kernel", "(3, 3)"}, {"num_filter", "3"}}))
    .add_sample(sample({{1, 2, 5, 5}, {2, 2, 2, 2}},
                 {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}, {"pad", "(1, 1)"}, {"dilate", "(2, 2)"},
                  {"num_filter", "2"}, {"no_bias", "True"}}))
    .add_sample(sample({{1, 4, 4, 4}, {4, 2, 3, 3}, {4}},
                 {{"kernel", "(3, 3)"}, {"pad", "(1, 1)"}, {"num_filter", "4"}, {"num_group", "2"}}))
    .add_sample(sample({{2, 3, 7}, {2, 3, 3}, {2}}, {{"kernel", "(3,)"}, {"stride", "(2,)"}, {"pad", "(1,)"}, {"num_filter", "2"}}))
    .add_sample(sample({{1, 1, 3, 4, 3}, {2, 1, 2, 2, 2}, {2}}, {{"kernel", "(2, 2, 2)"}, {"num_filter", "2"}}));

MV_REGISTER_OP(_backward_Convolution)
    .describe("Gradients of Convolution: from (ograd, data, weight) computes the gradients of data, weight and, "
              "unless no_bias, bias. Takes Convolution's parameters.")
    .input("ograd", "gradient of Convolution's output")
    .input("data", "Convolution's data input")
    .input("weight", "Convolution's weight input")
    .params_from("Convolution")
    .set_num_outputs([](const Attrs& attrs) { return attrs.get_bool("no_bias") ? 2 : 3; })
    .set_infer_shape(conv_backward_infer_shape)
    .set_forward(conv_backward_op)
    .set_non_differentiable()
    .add_sample(sample({{1, 3, 3, 3}, {1, 2, 5, 5}, {3, 2, 3, 3}}, {{"kernel", "(3, 3)"}, {"num_filter", "3"}}));


// ---- Deconvolution ---------------------------------------------------------------------------

namespace {

// Note [Deconvolution as the adjoint of Convolution]
// Deconvolution (transposed convolution) is Convolution's data gradient: its output plays the
// convolution's input and its input the convolution's output. deconv_geom fills a ConvGeom in
// those roles (channels = num_filter, filters = the data's channels, `in` = the output's spatial
// size, `out` = the data's), so the weight (data channels, num_filter/num_group, kernel...) is
// exactly the convolution's and im2col/col2im serve unchanged: the forward is col = W^T x
// folded by col2im, the data gradient is Convolution's forward (W im2col(dy)), and the weight
// gradient is x im2col(dy)^T.
ConvGeom deconv_geom(const Attrs& attrs, const Shape& data) {
  const std::string& who = attrs.op->name;
  ConvGeom g;
  g.nd = spatial_dims(attrs, data);
  int64_t adj[3] = {0, 0, 0};
  spatial_param(attrs, "kernel", g.nd, 1, 1, g.k);
  spatial_param(attrs, "stride", g.nd, 1, 1, g.s);
  spatial_param(attrs, "dilate", g.nd, 1, 1, g.d);
  spatial_param(attrs, "pad", g.nd, 0, 0, g.p);
  spatial_param(attrs, "adj", g.nd, 0, 0, adj);
  const Shape& target = attrs.get_shape("target_shape");
  bool use_target = false;  // as in MXNet: a target of all zeros means none
  for (int64_t t : target) use_target = use_target || t != 0;
  MV_CHECK(!use_target || static_cast<int>(target.size()) == g.nd, kValue)
      << "Operator " << who << ": target_shape " << shape_str(target) << " must have as many dimensions as kernel ("
      << g.nd << ")";
  g.batch = data[0];
  g.filters = data[1];
  g.channels = attrs.get_int("num_filter");
  g.groups = attrs.get_int("num_group");
  MV_CHECK(g.channels % g.groups == 0 && g.filters % g.groups == 0, kValue)
      << "Operator " << who << ": num_group " << g.groups << " must divide both the input channels (" << g.filters
      << ", data shape " << shape_str(data) << ") and num_filter (" << g.channels << ")";
  for (int i = 0; i < g.nd; ++i) {
    const int j = 3 - g.nd + i;
    g.out[j] = data[2 + i];
    const int64_t full = g.s[j] * (g.out[j] - 1) + g.d[j] * (g.k[j] - 1) + 1;  // the output before padding
    if (use_target) {  // the symmetric pad (and one extra row at the end) that reaches the target
      MV_CHECK(target[i] >= 1 && full >= target[i], kValue)
          << "Operator " << who << ": target_shape " << shape_str(target) << " cannot be reached in dimension " << i
          << " (data shape " << shape_str(data) << " gives at most " << full << ")";
      g.p[j] = (full - target[i] + 1) / 2;
      adj[j] = (full - target[i]) % 2;
    }
    MV_CHECK(adj[j] < g.s[j], kValue) << "Operator " << who << ": adj " << adj[j] << " must be smaller than stride "
                                      << g.s[j] << " in dimension " << i;
    g.in[j] = full - 2 * g.p[j] + adj[j];
    MV_CHECK(g.in[j] >= 1, kValue) << "Operator " << who << ": pad " << g.p[j] << " leaves no output in dimension "
                                   << i << " (data shape " << shape_str(data) << ")";
  }
  return g;
}

Shape deconv_out_shape(const ConvGeom& g) {
  Shape o{g.batch, g.channels};
  for (int i = 3 - g.nd; i < 3; ++i) o.push_back(g.in[i]);
  return o;
}

void deconv_infer_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;
  ConvGeom g = deconv_geom(attrs, (*in)[0]);
  fill_input_shape(attrs, in, 1, "input 'weight'", g.weight_shape());
  if (!attrs.get_bool("no_bias")) fill_input_shape(attrs, in, 2, "input 'bias'", Shape{g.channels});
  (*out)[0] = deconv_out_shape(g);
}

// inputs: ograd, data, weight; outputs: the gradients of data, weight and (unless no_bias) bias.
void deconv_backward_infer_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[1].empty()) return;
  ConvGeom g = deconv_geom(attrs, (*in)[1]);
  fill_input_shape(attrs, in, 0, "input 'ograd'", deconv_out_shape(g));
  fill_input_shape(attrs, in, 2, "input 'weight'", g.weight_shape());
  (*out)[0] = (*in)[1];
  (*out)[1] = g.weight_shape();
  if (!attrs.get_bool("no_bias")) (*out)[2] = Shape{g.channels};
}

// src (nb, R, P) -> dst (R, nb, P), converting to the compute type.
template <typename T, typename A>
void gather_planes(const T* src, int64_t nb, int64_t R, int64_t P, A* dst) {
  parallel_items(nb * R, P, [&](int64_t br) {
    const T* s = src + br * P;
    A* d = dst + ((br % R) * nb + br / R) * P;
    for (int64_t i = 0; i < P; ++i) d[i] = static_cast<A>(s[i]);
  });
}

// src (R, nb, P) -> dst (nb, R, P): the inverse of gather_planes.
template <typename T, typename A>
void scatter_planes(const A* src, int64_t nb, int64_t R, int64_t P, T* dst) {
  parallel_items(nb * R, P, [&](int64_t br) {
    const A* s = src + ((br % R) * nb + br / R) * P;
    T* d = dst + br * P;
    for (int64_t i = 0; i < P; ++i) d[i] = static_cast<T>(s[i]);
  });
}

// x: (N, filters, out...), y: (N, channels, in...) in deconv_geom's roles.
template <typename T, typename A>
void deconv_forward(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y) {
  const int64_t C = g.channels, F = g.filters, G = g.groups, P = g.out_size(), K = g.k_size(), S = g.in_size();
  const int64_t Fg = F / G, Kg = C / G * K, nb_max = chunk_images(g);
  std::shared_ptr<StorageBlock> hw, hcol, hx;
  const A* wa = as_compute<T, A>(w, F * Kg, &hw);
  A* col = scratch<A>(&hcol, C * K * nb_max * P);
  A* xb = scratch<A>(&hx, F * nb_max * P);
  for (int64_t b0 = 0; b0 < g.batch; b0 += nb_max) {
    const int64_t nb = std::min(nb_max, g.batch - b0), ld = nb * P;
    gather_planes(x + b0 * F * P, nb, F, P, xb);
    for (int64_t grp = 0; grp < G; ++grp)
      gemm(true, false, Kg, ld, Fg, wa + grp * Fg * Kg, Kg, xb + grp * Fg * ld, ld, 0.0, col + grp * Kg * ld, ld);
    col2im(g, col, nb, y + b0 * C * S);
  }
  if (bias)
    parallel_items(g.batch * C, S, [&](int64_t bc) {
      const A bv = static_cast<A>(bias[bc % C]);
      T* dst = y + bc * S;
      for (int64_t i = 0; i < S; ++i) dst[i] = static_cast<T>(static_cast<A>(dst[i]) + bv);
    });
}

template <typename T, typename A>
void deconv_backward(const ConvGeom& g, const T* dy, const T* x, const T* w, T* dx, T* dw, T* db) {
  const int64_t C = g.channels, F = g.filters, G = g.groups, P = g.out_size(), K = g.k_size(), S = g.in_size();
  const int64_t Fg = F / G, Kg = C / G * K, nb_max = chunk_images(g);
  std::shared_ptr<StorageBlock> hw, hdw, hcol, hx, hdx;
  const A* wa = as_compute<T, A>(w, F * Kg, &hw);
  A* dwa = std::is_same<T, A>::value ? reinterpret_cast<A*>(dw) : scratch<A>(&hdw, F * Kg);
  A* col = scratch<A>(&hcol, C * K * nb_max * P);
  A* xb = scratch<A>(&hx, F * nb_max * P);
  A* dxb = scratch<A>(&hdx, F * nb_max * P);
  if (g.batch == 0) std::fill(dwa, dwa + F * Kg, A(0));
  for (int64_t b0 = 0; b0 < g.batch; b0 += nb_max) {
    const int64_t nb = std::min(nb_max, g.batch - b0), ld = nb * P;
    im2col(g, dy + b0 * C * S, nb, col);
    gather_planes(x + b0 * F * P, nb, F, P, xb);
    for (int64_t grp = 0; grp < G; ++grp) {
      const A* col_g = col + grp * Kg * ld;
      gemm(false, true, Fg, Kg, ld, xb + grp * Fg * ld, ld, col_g, ld, b0 == 0 ? 0.0 : 1.0, dwa + grp * Fg * Kg, Kg);
      gemm(false, false, Fg, ld, Kg, wa + grp * Fg * Kg, Kg, col_g, ld, 0.0, dxb + grp * Fg * ld, ld);
    }
    scatter_planes(dxb, nb, F, P, dx + b0 * F * P);
  }
  if (!std::is_same<T, A>::value)
    for (int64_t i = 0; i < F * Kg; ++i) dw[i] = static_cast<T>(dwa[i]);
  if (db)
    parallel_items(C, g.batch * S, [&](int64_t c) {
      A sum = 0;
      for (int64_t b = 0; b < g.batch; ++b)
        for (int64_t i = 0; i < S; ++i) sum += static_cast<A>(dy[(b * C + c) * S + i]);
      db[c] = static_cast<T>(sum);
    });
}

void deconv_forward_op(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  ConvGeom g = deconv_geom(attrs, in[0].shape);
  const bool has_bias = !attrs.get_bool("no_bias");
  MV_FLOAT_SWITCH(in[0].dtype, "Deconvolution", T, {
    deconv_forward<T, ComputeType<T>>(g, in[0].ptr<T>(), in[1].ptr<T>(), has_bias ? in[2].ptr<T>() : nullptr,
                                      out[0].ptr<T>());
  });
}

void deconv_backward_op(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  ConvGeom g = deconv_geom(attrs, in[1].shape);
  const bool has_bias = !attrs.get_bool("no_bias");
  MV_FLOAT_SWITCH(in[1].dtype, "_backward_Deconvolution", T, {
    deconv_backward<T, ComputeType<T>>(g, in[0].ptr<T>(), in[1].ptr<T>(), in[2].ptr<T>(), out[0].ptr<T>(),
                                       out[1].ptr<T>(), has_bias ? out[2].ptr<T>() : nullptr);
  });
}

}  // namespace

MV_REGISTER_OP(Deconvolution)
    .describe(
        "Computes 1-D, 2-D or 3-D transposed convolution (aka fractionally strided convolution) of the input "
        "tensor: the gradient of Convolution with respect to its data, so a Deconvolution with the parameters of a "
        "Convolution maps that convolution's output shape back to its input shape.\n\n"
        "For 2-D deconvolution the shapes are\n\n"
        "- **data**: *(batch_size, channel, height, width)*\n"
        "- **weight**: *(channel, num_filter/num_group, kernel[0], kernel[1])*\n"
        "- **bias**: *(num_filter,)*\n"
        "- **out**: *(batch_size, num_filter, out_height, out_width)*\n\n"
        "where out_height = stride[0] * (height - 1) + dilate[0] * (kernel[0] - 1) + 1 - 2 * pad[0] + adj[0], and "
        "likewise for the width. With target_shape set, pad and adj are chosen to produce it.\n\n"
        "Example::\n\n"
        "  data = [[[[1, 2], [3, 4]]]]; weight = ones((1, 1, 2, 2))\n"
        "  Deconvolution(data, weight, kernel=(2, 2), num_filter=1) = [[[[1, 3, 2], [4, 10, 6], [3, 7, 4]]]]")
    .input("data", "Input tensor to the deconvolution operation.")
    .input("weight", "Weights representing the kernel.")
    .input("bias", "Bias added to the result after the deconvolution operation.")
    .set_list_inputs(conv_inputs)
    .required_param("kernel", ParamType::kShape,
        "Deconvolution kernel size: (w,), (h, w) or (d, h, w). This is same as the kernel size used for "
        "the corresponding convolution").kind(ParamKind::kPerDim)
    .param("stride", ParamType::kShape, "()",
        "The stride used for the corresponding convolution: (w,), (h, w) or (d, h, w). Defaults to 1 for "
        "each dimension.").kind(ParamKind::kPerDim)
    .param("dilate", ParamType::kShape, "()",
        "Dilation factor for each dimension of the input: (w,), (h, w) or (d, h, w). Defaults to 1 for each "
        "dimension.").kind(ParamKind::kPerDim)
    .param("pad", ParamType::kShape, "()",
        "The amount of implicit zero padding added during convolution for each dimension of the input: (w,), "
        "(h, w) or (d, h, w). If `target_shape` is set, `pad` is ignored and a padding that generates the "
        "target shape is used. Defaults to no padding.").kind(ParamKind::kPerDim)
    .param("adj", ParamType::kShape, "()",
        "Adjustment for output shape: (w,), (h, w) or (d, h, w); each must be smaller than the stride. If "
        "`target_shape` is set, `adj` is ignored and computed accordingly.").kind(ParamKind::kPerDim)
    .param("target_shape", ParamType::kShape, "()", "Shape of the output tensor: (w,), (h, w) or (d, h, w).")
    .kind(ParamKind::kPerDim)
    .required_param("num_filter", ParamType::kInt, "Number of output filters.")
    .bounds(1, 1e9)
    .param("num_group", ParamType::kInt, "1", "Number of groups partition.")
    .bounds(1, 1e9)
    .param("workspace", ParamType::kInt, "512",
        "Maximum temporary workspace allowed (MB) in deconvolution. Accepted for compatibility; the CPU "
        "kernel bounds its scratch memory itself.")
    .bounds(0, 1e18)
    .param("no_bias", ParamType::kBool, "True", "Whether to disable bias parameter.")
    .enum_param("cudnn_tune", {"fastest", "limited_workspace", "off"}, "None",
        "Whether to pick convolution algorithm by running performance test (GPU only; ignored).")
    .param("cudnn_off", ParamType::kBool, "False", "Turn off cudnn for this layer (ignored).")
    .enum_param("layout", {"NCDHW", "NCHW", "NCW", "NDHWC", "NHWC"}, "None",
        "Set layout for input, output and weight. Empty for default layout: NCW for 1d, NCHW for 2d and "
        "NCDHW for 3d. Only the default layouts are supported.")
    .set_infer_shape(deconv_infer_shape)
    .set_forward(deconv_forward_op)
    .set_gradient([](const GradContext& g) {
      return op_all("_backward_Deconvolution", {g.ograd(), g.input(0), g.input(1)}, g.forward_params());
    })
    .add_sample(sample({{1, 2, 3, 3}, {2, 3, 2, 2}, {3}}, {{"kernel", "(2, 2)"}, {"num_filter", "3"}, {"no_bias", "False"}}))
    .add_sample(sample({{1, 2, 3, 3}, {2, 2, 3, 3}},
                       {{"kernel", "(3, 3)"}, {"stride", "(2, 2)"}, {"pad", "(1, 1)"}, {"adj", "(1, 1)"},
                        {"dilate", "(1, 2)"}, {"num_filter", "2"}}))
    .add_sample(sample({{2, 4, 2, 3}, {4, 1, 3, 3}, {2}},
                       {{"kernel", "(3, 3)"}, {"pad", "(1, 1)"}, {"num_filter", "2"}, {"num_group", "2"}, {"no_bias", "False"}}))
    .add_sample(sample({{2, 3, 4}, {3, 2, 3}, {2}},
                       {{"kernel", "(3,)"}, {"stride", "(2,)"}, {"target_shape", "(8,)"}, {"num_filter", "2"}, {"no_bias", "False"}}))
    .add_sample(sample({{1, 2, 2, 2, 2}, {2, 1, 2, 2, 2}}, {{"kernel", "(2, 2, 2)"}, {"num_filter", "1"}}));

MV_REGISTER_OP(_backward_Deconvolution)
    .describe("Gradients of Deconvolution: from (ograd, data, weight) computes the gradients of data, weight and, "
              "unless no_bias, bias. Takes Deconvolution's parameters.")
    .input("ograd", "gradient of Deconvolution's output")
    .input("data", "Deconvolution's data input")
    .input("weight", "Deconvolution's weight input")
    .params_from("Deconvolution")
    .set_num_outputs([](const Attrs& attrs) { return attrs.get_bool("no_bias") ? 2 : 3; })
    .set_infer_shape(deconv_backward_infer_shape)
    .set_forward(deconv_backward_op)
    .set_non_differentiable()
    .add_sample(sample({{1, 3, 4, 4}, {1, 2, 3, 3}, {2, 3, 2, 2}}, {{"kernel", "(2, 2)"}, {"num_filter", "3"}}));


}  // namespace minerva
