// _split_v2: numpy-style split along an axis, into `sections` equal parts or at the boundaries in
// `indices` (which start at 0; the Python split_v2 adds that 0). Its gradient concatenates the
// output gradients, so it is differentiable to any order.
#include "core/ops/layout_util.h"
#include "core/ops/tensor_util.h"

namespace minerva {
namespace {

// The [begin, end) of every output along the axis.
std::vector<std::pair<int64_t, int64_t>> split_ranges(const Attrs& attrs, int64_t n) {
  std::vector<std::pair<int64_t, int64_t>> r;
  const int64_t sections = attrs.get_int("sections");
  if (sections > 0) {
    MV_CHECK(n % sections == 0, kValue) << "Operator _split_v2: an axis of size " << n << " does not split into "
                                        << sections << " equal sections";
    for (int64_t i = 0; i < sections; ++i) r.emplace_back(i * (n / sections), (i + 1) * (n / sections));
    return r;
  }
  const Shape& idx = attrs.get_shape("indices");
  MV_CHECK(!idx.empty() && idx[0] == 0, kValue)
      << "Operator _split_v2: indices " << shape_str(idx) << " must start with 0 (or give sections > 0)";
  for (size_t i = 0; i < idx.size(); ++i) {
    const int64_t b = idx[i], e = i + 1 < idx.size() ? idx[i + 1] : n;
    MV_CHECK(b <= e, kValue) << "Operator _split_v2: indices " << shape_str(idx) << " must be sorted";
    MV_CHECK(e <= n, kValue) << "Operator _split_v2: index " << e << " is past the end of the axis (size " << n << ")";
    r.emplace_back(b, e);
  }
  return r;
}

int split_outputs(const Attrs& attrs) {
  const int64_t sections = attrs.get_int("sections");
  return static_cast<int>(sections > 0 ? sections : static_cast<int64_t>(attrs.get_shape("indices").size()));
}

}  // namespace

MV_REGISTER_OP(_split_v2)
    .describe(
        "Splits data along `axis` into `sections` equal parts, or (sections=0) at the boundaries in `indices`, "
        "which start at 0: output i covers [indices[i], indices[i+1]) and the last one runs to the end. "
        "squeeze_axis drops the split axis, which every output must then have of length 1.\n\n"
        "Example::\n\n  x = [[1, 2, 3, 4], [5, 6, 7, 8]]\n"
        "  _split_v2(x, indices=(0, 1), axis=1) = [[[1], [5]], [[2, 3, 4], [6, 7, 8]]]\n"
        "  _split_v2(x, indices=(), sections=2, axis=0, squeeze_axis=True) = [[1, 2, 3, 4], [5, 6, 7, 8]]")
    .input("data", "The input")
    .required_param("indices", ParamType::kShape,
                    "Indices of splits. The elements should denote the boundaries of at which split is performed "
                    "along the `axis`.").kind(ParamKind::kList)
    .param("axis", ParamType::kInt, "1", "Axis along which to split.").kind(ParamKind::kAxis)
    .param("squeeze_axis", ParamType::kBool, "False",
           "If true, Removes the axis with length 1 from the shapes of the output arrays.")
    .param("sections", ParamType::kInt, "0", "Number of sections if equally splitted. Default to 0 which means split by indices.")
    .bounds(0, 1e9)
    .set_num_outputs(split_outputs)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& d = (*in)[0];
      if (d.empty()) return;
      const int ax = normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(d.size()));
      auto ranges = split_ranges(attrs, d[ax]);
      MV_CHECK(ranges.size() == out->size(), kInternal) << "_split_v2: output count mismatch";
      for (size_t i = 0; i < ranges.size(); ++i) {
        Shape s = d;
        s[ax] = ranges[i].second - ranges[i].first;
        if (attrs.get_bool("squeeze_axis")) {
          MV_CHECK(s[ax] == 1, kValue) << "Operator _split_v2: squeeze_axis needs every output to have length 1 on "
                                       << "axis " << ax << ", but output " << i << " has " << s[ax];
          s.erase(s.begin() + ax);
          if (s.empty()) s.push_back(1);
        }
        (*out)[i] = s;
      }
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Shape& d = in[0].shape;
      const int ax = normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(d.size()));
      auto ranges = split_ranges(attrs, d[ax]);
      const Shape st = strides_of(d);
      for (size_t i = 0; i < ranges.size(); ++i) {
        Shape part = d;
        part[ax] = ranges[i].second - ranges[i].first;
        strided_copy(in[0].data, ranges[i].first * st[ax], st, out[i].data, 0, strides_of(part), part,
                     dtype_size(in[0].dtype));
      }
    })
    .set_gradient([](const GradContext& g) {
      std::vector<Tensor> parts = g.out_grads;
      const std::string axis = std::to_string(g.attrs->get_int("axis"));
      if (!g.attrs->get_bool("squeeze_axis"))
        return std::vector<Tensor>{op("Concat", parts, {{"num_args", std::to_string(parts.size())}, {"dim", axis}})};
      // Squeezed parts get their axis back; reshape_like covers 1-D data, whose parts are (1,), not ().
      for (auto& p : parts) p = op("expand_dims", {p}, {{"axis", axis}});
      Tensor joined = op("Concat", parts, {{"num_args", std::to_string(parts.size())}, {"dim", axis}});
      return std::vector<Tensor>{op("reshape_like", {joined, g.input()})};
    })
    .add_sample(op_sample({{2, 6}}, {{"indices", "(0, 2, 3)"}}))
    .add_sample(op_sample({{4, 3}}, {{"indices", "()"}, {"sections", "2"}, {"axis", "0"}}))
    .add_sample(op_sample({{2, 3, 2}}, {{"indices", "()"}, {"sections", "3"}, {"axis", "-2"}, {"squeeze_axis", "True"}}))
    .add_sample(op_sample({{3}}, {{"indices", "(0, 1, 2)"}, {"axis", "0"}, {"squeeze_axis", "True"}}));

}  // namespace minerva
