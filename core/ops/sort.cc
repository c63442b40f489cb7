// Ordering operators: topk, sort and argsort, and _backward_topk (the gradient of the values they
// return). All three are one walk: along `axis` (or over the flattened array when axis is None),
// a stable sort of the positions by value, ascending or descending; ties keep their original
// order, as MXNet's CPU kernels do. NaN ranks above every number (numpy's order; MXNet's is
// inconsistent around NaN).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/ops/layout_util.h"
#include "core/ops/tensor_util.h"

namespace minerva {
namespace {

// The index dtypes MXNet lets topk/argsort write.
const std::vector<std::string> kIndexDTypes = {"float16", "float32", "float64", "int32", "int64", "uint8"};

// The sorted axis seen as (outer, n, inner) and the number k of positions kept.
struct SortSpec {
  bool flat = false;  // axis=None: the flattened array is one row
  int axis = 0;
  AxisSplit split;
  int64_t k = 0;
};

// k <= 0 means the whole axis (MXNet: "a global sort is performed if set k < 1").
SortSpec sort_spec(const Attrs& attrs, const Shape& d, int64_t k_param) {
  SortSpec s;
  s.flat = attrs.is_none("axis");
  if (s.flat) {
    s.split.size = shape_size(d);
  } else {
    MV_CHECK(!d.empty(), kValue) << "Operator " << attrs.op->name << ": the input must have at least one dimension";
    s.axis = normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(d.size()));
    s.split = split_at_axis(d, s.axis);
  }
  const int64_t n = s.split.size;
  s.k = k_param < 1 ? n : k_param;
  MV_CHECK(s.k <= n, kValue) << "Operator " << attrs.op->name << ": k=" << k_param
                             << " must be at most the number of elements along the axis, " << n
                             << " (input shape " << shape_str(d) << ")";
  return s;
}

// The shape of the values/indices output: the axis shrunk to k, or (k,) for axis=None.
Shape kept_shape(const SortSpec& s, const Shape& d) {
  if (s.flat) return Shape{s.k};
  Shape out = d;
  out[s.axis] = s.k;
  return out;
}

int64_t topk_k(const Attrs& attrs) { return attrs.op->name == "topk" || attrs.op->name == "_backward_topk" ? attrs.get_int("k") : 0; }

// topk's ret_typ, as a value every caller switches on exhaustively.
enum class RetTyp { kValue, kIndices, kMask, kBoth };
RetTyp ret_typ(const Attrs& attrs) {
  if (attrs.op->name == "sort") return RetTyp::kValue;
  if (attrs.op->name == "argsort") return RetTyp::kIndices;
  const std::string& r = attrs.get_str("ret_typ");
  if (r == "value") return RetTyp::kValue;
  if (r == "indices") return RetTyp::kIndices;
  if (r == "mask") return RetTyp::kMask;
  if (r == "both") return RetTyp::kBoth;
  MV_THROW(kValue) << "Operator " << attrs.op->name << ": unknown ret_typ '" << r << "'";
  return RetTyp::kValue;  // not reached
}

// topk and sort compute values plus (hidden for value) indices; indices and mask have one output.
int topk_outputs(const Attrs& attrs) {
  switch (ret_typ(attrs)) {
    case RetTyp::kValue:
    case RetTyp::kBoth: return 2;
    case RetTyp::kIndices:
    case RetTyp::kMask: return 1;
  }
  return 1;
}

DType index_dtype(const Attrs& attrs) {
  return attrs.op->name == "sort" ? DType::kFloat32 : dtype_from_name(attrs.get_str("dtype"));
}

void topk_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;
  SortSpec s = sort_spec(attrs, (*in)[0], topk_k(attrs));
  switch (ret_typ(attrs)) {
    case RetTyp::kMask: (*out)[0] = (*in)[0]; break;
    case RetTyp::kIndices: (*out)[0] = kept_shape(s, (*in)[0]); break;
    case RetTyp::kValue:
    case RetTyp::kBoth: (*out)[0] = (*out)[1] = kept_shape(s, (*in)[0]); break;
  }
}

void topk_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  const int idx = static_cast<int>(index_dtype(attrs));
  switch (ret_typ(attrs)) {
    case RetTyp::kMask: (*out)[0] = (*in)[0]; break;
    case RetTyp::kIndices: (*out)[0] = idx; break;
    case RetTyp::kValue:
    case RetTyp::kBoth: (*out)[0] = (*in)[0]; (*out)[1] = idx; break;
  }
}

// For each row, the first k positions of a stable sort by value.
template <typename T>
void sorted_positions(const T* x, const SortSpec& s, bool ascend, std::vector<int64_t>* pos) {
  const AxisSplit& sp = s.split;
  pos->assign(static_cast<size_t>(sp.outer * sp.inner * s.k), 0);
  parallel_for(sp.outer * sp.inner, [&](int64_t row) {
    const int64_t o = row / sp.inner, i = row % sp.inner;
    std::vector<int64_t> order(static_cast<size_t>(sp.size));
    std::iota(order.begin(), order.end(), 0);
    auto at = [&](int64_t j) { return static_cast<double>(x[sp.index(o, j, i)]); };
    // NaN ranks above every number, so the comparison is a strict weak order (which the sort
    // requires): last when ascending, first when descending.
    auto less = [](double a, double b) { return std::isnan(b) ? !std::isnan(a) : a < b; };
    if (ascend) std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return less(at(a), at(b)); });
    else std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return less(at(b), at(a)); });
    for (int64_t j = 0; j < s.k; ++j) (*pos)[static_cast<size_t>((o * s.k + j) * sp.inner + i)] = order[j];
  }, 1);
}

void topk_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  SortSpec s = sort_spec(attrs, in[0].shape, topk_k(attrs));
  const bool ascend = attrs.get_bool("is_ascend");
  const AxisSplit& sp = s.split;
  std::vector<int64_t> pos;
  MV_DTYPE_SWITCH(in[0].dtype, T, { sorted_positions(in[0].ptr<T>(), s, ascend, &pos); });
  // Element e of a kept-shape output sits at (o, j, i); its source is (o, pos[e], i).
  auto source = [&](int64_t e) {
    const int64_t i = e % sp.inner, o = e / (s.k * sp.inner);
    return sp.index(o, pos[static_cast<size_t>(e)], i);
  };
  auto write_values = [&](const TBlob& dst) {
    MV_ELEM_SWITCH(dtype_size(in[0].dtype), T, {
      const T* x = in[0].ptr<T>();
      T* o = dst.ptr<T>();
      parallel_for(dst.size(), [&](int64_t e) { o[e] = x[source(e)]; });
    });
  };
  auto write_indices = [&](const TBlob& dst) {
    write_index_values(dst, [&](int64_t e) { return pos[static_cast<size_t>(e)]; });
  };
  switch (ret_typ(attrs)) {
    case RetTyp::kValue:
    case RetTyp::kBoth:
      write_values(out[0]);
      write_indices(out[1]);
      break;
    case RetTyp::kIndices: write_indices(out[0]); break;
    case RetTyp::kMask: {
      fill_blob(out[0], 0);
      MV_DTYPE_SWITCH(out[0].dtype, T, {
        T* o = out[0].ptr<T>();
        for (size_t e = 0; e < pos.size(); ++e) o[source(static_cast<int64_t>(e))] = static_cast<T>(1);
      });
      break;
    }
  }
}

// The gradient of the values: ograd scattered back to the positions the values came from.
std::vector<Tensor> topk_gradient(const GradContext& g) {
  switch (ret_typ(*g.attrs)) {
    case RetTyp::kValue:
    case RetTyp::kBoth: {
      GradParams p;
      if (g.attrs->is_none("axis")) p.emplace_back("axis", "None");
      else p.emplace_back("axis", std::to_string(g.attrs->get_int("axis")));
      p.emplace_back("k", std::to_string(topk_k(*g.attrs)));
      return {op("_backward_topk", {g.ograd(0), g.output(1), g.input()}, p)};
    }
    case RetTyp::kIndices:
    case RetTyp::kMask: return {op("zeros_like", {g.input()})};
  }
  return {Tensor{}};
}

OpSample sort_sample(std::vector<Shape> shapes, KeyValues params) { return op_sample(std::move(shapes), std::move(params)); }

}  // namespace

MV_REGISTER_OP(topk)
    .describe(
        "Returns the top k elements along an axis (the flattened array when axis is None): their values, their "
        "indices (in the float dtype `dtype` by default), a 0/1 mask over the input marking them, or both values "
        "and indices. Largest first unless is_ascend; equal values keep their order. k < 1 sorts the whole axis. "
        "The values' gradient flows back to the positions they came from; indices and masks have zero "
        "gradient.\n\n"
        "Example::\n\n  x = [[0.3, 0.2, 0.4], [0.1, 0.3, 0.2]]\n  topk(x) = [[2], [1]]\n"
        "  topk(x, k=2, ret_typ='value') = [[0.4, 0.3], [0.3, 0.2]]\n"
        "  topk(x, k=2, ret_typ='mask') = [[1, 0, 1], [0, 1, 1]]\n"
        "  topk(x, axis=None, k=2, ret_typ='both') = [[0.4, 0.3], [2, 0]]")
    .input("data", "The input array")
    .param("axis", ParamType::kInt, "-1",
           "Axis along which to choose the top k indices. If not given, the flattened array is used. Default is -1.")
    .kind(ParamKind::kAxis)
    .allow_none()
    .param("k", ParamType::kInt, "1",
           "Number of top elements to select, should be always smaller than or equal to the element number in the "
           "given axis. A global sort is performed if set k < 1.")
    .enum_param("ret_typ", {"both", "indices", "mask", "value"}, "indices",
                "The return type. \"value\" means to return the top k values, \"indices\" means to return the indices "
                "of the top k values, \"mask\" means to return a mask array containing 0 and 1. 1 means the top k "
                "values. \"both\" means to return a list of both values and indices of top k elements.")
    .param("is_ascend", ParamType::kBool, "False",
           "Whether to choose k largest or k smallest elements. Top K largest elements will be chosen if set to false.")
    .enum_param("dtype", kIndexDTypes, "float32",
                "DType of the output indices when ret_typ is \"indices\" or \"both\".")
    .set_num_outputs(topk_outputs)
    .set_num_visible_outputs([](const Attrs& a) { return ret_typ(a) == RetTyp::kBoth ? 2 : 1; })
    .set_infer_shape(topk_shape)
    .set_infer_type(topk_type)
    .set_forward(topk_forward)
    .set_gradient(topk_gradient)
    .set_method("topk")
    .add_sample(sort_sample({{3, 5}}, {{"k", "2"}, {"ret_typ", "value"}}))
    .add_sample(sort_sample({{3, 4, 2}}, {{"axis", "1"}, {"k", "3"}, {"ret_typ", "both"}, {"is_ascend", "True"}}))
    .add_sample(sort_sample({{2, 3}}, {{"axis", "None"}, {"k", "4"}, {"ret_typ", "value"}}))
    .add_sample(sort_sample({{3, 4}}, {{"k", "2"}, {"dtype", "int64"}}))
    .add_sample(sort_sample({{3, 4}}, {{"axis", "0"}, {"k", "2"}, {"ret_typ", "mask"}}));

MV_REGISTER_OP(sort)
    .describe(
        "Sorts the array along an axis (the flattened array when axis is None), ascending unless is_ascend is "
        "False. The gradient flows back to each value's original position.\n\n"
        "Example::\n\n  x = [[1, 4], [3, 1]]\n  sort(x) = [[1, 4], [1, 3]]\n  sort(x, axis=0) = [[1, 1], [3, 4]]\n"
        "  sort(x, axis=None, is_ascend=False) = [4, 3, 1, 1]")
    .input("data", "The input array")
    .param("axis", ParamType::kInt, "-1",
           "Axis along which to choose sort the input tensor. If not given, the flattened array is used. Default is -1.")
    .kind(ParamKind::kAxis)
    .allow_none()
    .param("is_ascend", ParamType::kBool, "True", "Whether to sort in ascending or descending order.")
    .set_num_outputs(2)
    .set_num_visible_outputs([](const Attrs&) { return 1; })
    .set_infer_shape(topk_shape)
    .set_infer_type(topk_type)
    .set_forward(topk_forward)
    .set_gradient(topk_gradient)
    .set_method("sort")
    .add_sample(sort_sample({{3, 4}}, {}))
    .add_sample(sort_sample({{3, 4, 2}}, {{"axis", "0"}, {"is_ascend", "False"}}))
    .add_sample(sort_sample({{2, 3}}, {{"axis", "None"}}));

MV_REGISTER_OP(argsort)
    .describe(
        "Returns the indices that sort the array along an axis (the flattened array when axis is None), in the "
        "dtype `dtype` (float32 by default). Equal values keep their order. Its gradient is zero.\n\n"
        "Example::\n\n  x = [[0.3, 0.2, 0.4], [0.1, 0.3, 0.2]]\n  argsort(x) = [[1, 0, 2], [0, 2, 1]]\n"
        "  argsort(x, axis=0, is_ascend=False) = [[0, 1, 0], [1, 0, 1]]")
    .input("data", "The input array")
    .param("axis", ParamType::kInt, "-1",
           "Axis along which to sort the input tensor. If not given, the flattened array is used. Default is -1.")
    .kind(ParamKind::kAxis)
    .allow_none()
    .param("is_ascend", ParamType::kBool, "True", "Whether to sort in ascending or descending order.")
    .enum_param("dtype", kIndexDTypes, "float32", "DType of the output indices.")
    .set_infer_shape(topk_shape)
    .set_infer_type(topk_type)
    .set_forward(topk_forward)
    .set_gradient(topk_gradient)
    .set_method("argsort")
    .add_sample(sort_sample({{3, 4}}, {}))
    .add_sample(sort_sample({{2, 3, 2}}, {{"axis", "None"}, {"is_ascend", "False"}, {"dtype", "int32"}}));

MV_REGISTER_OP(_backward_topk)
    .describe(
        "Gradient of the values of topk and sort: zeros shaped like data, with ograd[e] added at the position "
        "indices[e] names along the axis. Indices must lie in [0, size of the axis).")
    .input("ograd", "Gradient of the values output.")
    .input("indices", "The indices output of the forward operator (any dtype).")
    .input("data", "The forward input; only its shape is used.")
    .params_from("topk")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[2].empty()) return;
      const Shape want = kept_shape(sort_spec(attrs, (*in)[2], attrs.get_int("k")), (*in)[2]);
      for (int i : {0, 1}) {
        if ((*in)[i].empty()) (*in)[i] = want;
        if ((*in)[i] != want) shape_mismatch(attrs, i == 0 ? "input 'ograd'" : "input 'indices'", want, (*in)[i]);
      }
      (*out)[0] = (*in)[2];
    })
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) {
      if ((*in)[0] >= 0) (*out)[0] = (*in)[0];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      SortSpec s = sort_spec(attrs, out[0].shape, attrs.get_int("k"));
      const AxisSplit& sp = s.split;
      std::vector<int64_t> pos = read_index_values(in[1]);
      for (int64_t p : pos)
        MV_CHECK(p >= 0 && p < sp.size, kIndex) << "Operator _backward_topk: index " << p
                                                << " is out of range for an axis of size " << sp.size;
      fill_blob(out[0], 0);
      MV_FLOAT_SWITCH(out[0].dtype, "_backward_topk", T, {
        const T* og = in[0].ptr<T>();
        T* g = out[0].ptr<T>();
        for (size_t e = 0; e < pos.size(); ++e) {
          const int64_t i = static_cast<int64_t>(e) % sp.inner, o = static_cast<int64_t>(e) / (s.k * sp.inner);
          T& dst = g[sp.index(o, pos[e], i)];
          dst = static_cast<T>(dst + og[e]);
        }
      });
    })
    .set_non_differentiable();

}  // namespace minerva
