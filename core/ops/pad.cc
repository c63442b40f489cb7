// Pad (alias pad): constant, edge and reflect padding of any axes, and its backward operator.
//
// Note [Padding as an index map]
// Each output coordinate along axis k reads input coordinate map_k(o): o - before inside the
// input, and in the padding the nearest edge (edge), the mirror image without repeating the edge
// (reflect, as numpy.pad's 'reflect'), or nothing (constant: -1). The forward gathers through the
// maps; the backward scatters ograd back through them, adding where several outputs read one input.
#include <algorithm>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"

namespace minerva {
namespace {

struct PadMaps {
  Shape out;
  std::vector<std::vector<int64_t>> src;  // per axis: output coordinate -> input coordinate or -1
};

// Each mode maps a coordinate i outside [0, n) to the input coordinate it reads, or -1 for the
// constant.
using OutsideMap = int64_t (*)(int64_t i, int64_t n);
const Variants<OutsideMap> kPadModes("mode", {
    {"constant", [](int64_t, int64_t) -> int64_t { return -1; }},
    {"edge", [](int64_t i, int64_t n) -> int64_t { return std::min(std::max<int64_t>(i, 0), n - 1); }},
    {"reflect", [](int64_t i, int64_t n) -> int64_t { return i < 0 ? -i : 2 * (n - 1) - i; }},
});

PadMaps pad_maps(const Attrs& attrs, const Shape& d) {
  const Shape& w = attrs.get_shape("pad_width");
  const std::string& mode = attrs.get_str("mode");
  const OutsideMap outside = kPadModes.of(attrs);
  MV_CHECK(w.size() == 2 * d.size(), kValue)
      << "Operator Pad: pad_width " << shape_str(w) << " must hold (before, after) for each of the " << d.size()
      << " axes of data shape " << shape_str(d);
  PadMaps m;
  for (size_t k = 0; k < d.size(); ++k) {
    const int64_t n = d[k], before = w[2 * k], after = w[2 * k + 1];
    MV_CHECK(before >= 0 && after >= 0, kValue) << "Operator Pad: pad_width " << shape_str(w) << " must be non-negative";
    MV_CHECK(mode != "reflect" || (before < n && after < n), kValue)
        << "Operator Pad: reflect padding of axis " << k << " needs pads smaller than its size " << n << ", got "
        << shape_str(w);
    MV_CHECK(mode == "constant" || n > 0 || before + after == 0, kValue)
        << "Operator Pad: mode " << mode << " cannot pad the empty axis " << k;
    std::vector<int64_t> src(static_cast<size_t>(n + before + after));
    for (int64_t o = 0; o < n + before + after; ++o) {
      int64_t i = o - before;
      if (i < 0 || i >= n) i = outside(i, n);
      src[static_cast<size_t>(o)] = i;
    }
    m.out.push_back(n + before + after);
    m.src.push_back(std::move(src));
  }
  return m;
}

// Visits every output element: f(output offset, input offset or -1).
template <typename F>
void for_each_padded(const PadMaps& m, const Shape& in_shape, F&& f) {
  const size_t nd = m.out.size();
  if (nd == 0) {
    f(0, 0);
    return;
  }
  const Shape in_strides = strides_of(in_shape);
  const int64_t last = m.out[nd - 1], rows = last == 0 ? 0 : shape_size(m.out) / last;
  for (int64_t row = 0; row < rows; ++row) {
    int64_t base = 0, rem = row;  // input offset of the row's leading coordinates, -1 when padded
    for (size_t k = nd - 1; k-- > 0;) {
      const int64_t o = rem % m.out[k];
      rem /= m.out[k];
      const int64_t i = m.src[k][static_cast<size_t>(o)];
      base = (i < 0 || base < 0) ? -1 : base + i * in_strides[k];
    }
    const std::vector<int64_t>& s = m.src[nd - 1];
    for (int64_t o = 0; o < last; ++o) {
      const int64_t i = s[static_cast<size_t>(o)];
      f(row * last + o, (base < 0 || i < 0) ? -1 : base + i);
    }
  }
}

}  // namespace

MV_REGISTER_OP(Pad)
    .alias("pad")
    .describe(
        "Pads an input array with a constant or edge values of the array.\n\n"
        "pad_width holds a (before, after) pair for every axis, like numpy.pad's pad_width flattened; MXNet "
        "pads only the spatial axes of 4-D and 5-D arrays, which Minerva extends to any axis. Modes: constant "
        "(constant_value), edge (repeat the edge) and reflect (mirror without repeating the edge).\n\n"
        "Example::\n\n"
        "  x = [[1, 2, 3]]\n"
        "  pad(x, mode='constant', pad_width=(0, 0, 1, 2)) = [[0, 1, 2, 3, 0, 0]]\n"
        "  pad(x, mode='edge', pad_width=(0, 0, 1, 2)) = [[1, 1, 2, 3, 3, 3]]\n"
        "  pad(x, mode='reflect', pad_width=(0, 0, 1, 2)) = [[2, 1, 2, 3, 2, 1]]")
    .input("data", "An n-dimensional input array.")
    .enum_param(kPadModes, "",
        "Padding type to use. \"constant\" pads with `constant_value`, \"edge\" pads using the edge values "
        "of the input array, \"reflect\" pads by reflecting values with respect to the edges.")
    .required_param("pad_width", ParamType::kShape,
        "Widths of the padding regions applied to the edges of each axis, in the format "
        "(before_1, after_1, ..., before_N, after_N): numpy.pad's pad_width, flattened.").kind(ParamKind::kPadPairs)
    .param("constant_value", ParamType::kFloat, "0", "The value used for padding when `mode` is \"constant\".")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = pad_maps(attrs, (*in)[0]).out;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const PadMaps m = pad_maps(attrs, in[0].shape);
      const double cv = attrs.get_float("constant_value");
      MV_DTYPE_SWITCH(out[0].dtype, T, {
        const T* x = in[0].ptr<T>();
        T* y = out[0].ptr<T>();
        const T c = static_cast<T>(cv);
        for_each_padded(m, in[0].shape, [&](int64_t o, int64_t i) { y[o] = i < 0 ? c : x[i]; });
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_Pad", {g.ograd(), g.input(0)}, g.forward_params())};
    })
    .set_method("pad")
    .add_sample(op_sample({{1, 2, 3, 3}}, {{"mode", "constant"}, {"pad_width", "(0, 0, 0, 0, 1, 2, 2, 1)"}, {"constant_value", "0.5"}}))
    .add_sample(op_sample({{1, 1, 3, 4}}, {{"mode", "edge"}, {"pad_width", "(0, 0, 0, 0, 2, 1, 1, 3)"}}))
    .add_sample(op_sample({{2, 1, 3, 4}}, {{"mode", "reflect"}, {"pad_width", "(0, 0, 0, 0, 2, 1, 1, 3)"}}))
    .add_sample(op_sample({{1, 1, 2, 3, 3}}, {{"mode", "reflect"}, {"pad_width", "(0, 0, 0, 0, 1, 1, 1, 0, 0, 2)"}}));

MV_REGISTER_OP(_backward_Pad)
    .describe("Gradient of Pad: ograd summed back onto the input elements each padded element was read from.")
    .input("ograd", "gradient of Pad's output")
    .input("data", "Pad's input; only its shape is used")
    .params_from("Pad")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[1].empty()) return;
      // ograd is read at every padded position: it must have the padded shape of data.
      const Shape padded = pad_maps(attrs, (*in)[1]).out;
      if (!(*in)[0].empty() && (*in)[0] != padded) shape_mismatch(attrs, "ograd", padded, (*in)[0]);
      (*out)[0] = (*in)[1];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const PadMaps m = pad_maps(attrs, out[0].shape);
      fill_blob(out[0], 0);
      MV_DTYPE_SWITCH(out[0].dtype, T, {
        const T* dy = in[0].ptr<T>();
        T* dx = out[0].ptr<T>();
        for_each_padded(m, out[0].shape, [&](int64_t o, int64_t i) {
          if (i >= 0) dx[i] = static_cast<T>(dx[i] + dy[o]);
        });
      });
    })
    .set_non_differentiable();

}  // namespace minerva
