// Slicing and indexing: slice, slice_axis, _slice_assign(_scalar), take, pick, one_hot, and the
// backward operators of the differentiable ones. Each backward is linear in its ograd, so its
// gradient is the forward operator again and second-order gradients work.
#include <cstring>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"

namespace minerva {
namespace {

// ---- ranges shared by slice, slice_axis and the slice assignments ----------------------------

struct AxisRange {
  int64_t begin = 0, step = 1, len = 0;  // len elements begin, begin+step, ...
};

std::vector<AxisRange> whole(const Shape& d) {
  std::vector<AxisRange> r(d.size());
  for (size_t i = 0; i < d.size(); ++i) r[i].len = d[i];
  return r;
}

// slice's begin/end/step on shape d, numpy style: None entries are open ends, negative entries
// count from the end, end is clipped to the axis; a begin outside the axis is an error (as in
// MXNet). Axes past the end of begin are taken whole.
std::vector<AxisRange> slice_ranges(const Attrs& attrs, const Shape& d) {
  const Shape &begin = attrs.get_shape("begin"), &end = attrs.get_shape("end"), &step = attrs.get_shape("step");
  const std::string& op = attrs.op->name;
  MV_CHECK(begin.size() == end.size(), kValue) << "Operator " << op << ": begin " << shape_str(begin) << " and end "
                                               << shape_str(end) << " must have the same length";
  MV_CHECK(step.empty() || step.size() == begin.size(), kValue)
      << "Operator " << op << ": step " << shape_str(step) << " must be empty or as long as begin " << shape_str(begin);
  MV_CHECK(begin.size() <= d.size(), kValue) << "Operator " << op << ": begin " << shape_str(begin) << " slices "
                                             << begin.size() << " axes, but the input " << shape_str(d) << " has "
                                             << d.size();
  std::vector<AxisRange> r = whole(d);
  for (size_t i = 0; i < begin.size(); ++i) {
    const int64_t n = d[i];
    const int64_t s = step.empty() || step[i] == kShapeNone ? 1 : step[i];
    MV_CHECK(s != 0, kValue) << "Operator " << op << ": step[" << i << "] cannot be 0";
    const bool has_b = begin[i] != kShapeNone, has_e = end[i] != kShapeNone;
    int64_t b, e;
    if (s > 0) {
      b = has_b ? (begin[i] < 0 ? begin[i] + n : begin[i]) : 0;
      e = has_e ? (end[i] < 0 ? end[i] + n : end[i]) : n;
      MV_CHECK(b >= 0 && b <= n, kIndex) << "Operator " << op << ": begin[" << i << "]=" << begin[i]
                                         << " is out of range for axis " << i << " of size " << n;
      e = std::min(std::max<int64_t>(e, 0), n);
      r[i].len = e > b ? (e - b - 1) / s + 1 : 0;
    } else {
      b = has_b ? (begin[i] < 0 ? begin[i] + n : begin[i]) : n - 1;
      e = has_e ? (end[i] < 0 ? end[i] + n : end[i]) : -1;
      MV_CHECK(b >= 0 && b < n, kIndex) << "Operator " << op << ": begin[" << i << "]=" << begin[i]
                                        << " is out of range for axis " << i << " of size " << n;
      e = std::min(std::max<int64_t>(e, -1), n - 1);
      r[i].len = b > e ? (b - e - 1) / (-s) + 1 : 0;
    }
    r[i].begin = b;
    r[i].step = s;
  }
  return r;
}

std::vector<AxisRange> slice_axis_ranges(const Attrs& attrs, const Shape& d) {
  const int ax = normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(d.size()));
  const int64_t n = d[ax];
  int64_t b = attrs.get_int("begin"), e = attrs.is_none("end") ? n : attrs.get_int("end");
  if (b < 0) b += n;
  if (e < 0) e += n;
  const std::string& op = attrs.op->name;
  MV_CHECK(b >= 0, kIndex) << "Operator " << op << ": invalid begin=" << attrs.get_int("begin") << " for axis " << ax
                           << " of size " << n;
  MV_CHECK(e <= n, kIndex) << "Operator " << op << ": invalid end=" << e << " for axis " << ax << " of size " << n;
  MV_CHECK(b < e, kIndex) << "Operator " << op << ": begin=" << b << " must be less than end=" << e;
  std::vector<AxisRange> r = whole(d);
  r[ax].begin = b;
  r[ax].len = e - b;
  return r;
}

Shape range_shape(const std::vector<AxisRange>& r) {
  Shape s(r.size());
  for (size_t i = 0; i < r.size(); ++i) s[i] = r[i].len;
  return s;
}

// The region of `full` selected by r, as (element offset, strides) into the full array.
void region(const Shape& full, const std::vector<AxisRange>& r, int64_t* off, Shape* strides) {
  Shape st = strides_of(full);
  *off = 0;
  strides->assign(r.size(), 0);
  for (size_t i = 0; i < r.size(); ++i) {
    if (r[i].len > 0) *off += r[i].begin * st[i];
    (*strides)[i] = r[i].step * st[i];
  }
}

// part = full[region]
void gather_region(const TBlob& full, const std::vector<AxisRange>& r, const TBlob& part) {
  int64_t off;
  Shape st;
  region(full.shape, r, &off, &st);
  strided_copy(full.data, off, st, part.data, 0, strides_of(part.shape), part.shape, dtype_size(full.dtype));
}

// full[region] = part; a part of one element with zero strides broadcasts a scalar.
void scatter_region(const void* part, const Shape& part_strides, const std::vector<AxisRange>& r, const TBlob& full) {
  int64_t off;
  Shape st;
  region(full.shape, r, &off, &st);
  strided_copy(part, 0, part_strides, full.data, off, st, range_shape(r), dtype_size(full.dtype));
}

using RangesFn = std::vector<AxisRange> (*)(const Attrs&, const Shape&);

// Shape inference of a backward/assignment op: output like input `like`, and the input `part`
// shaped like the selected region.
void assign_shapes(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out, size_t like, size_t part,
                   RangesFn ranges) {
  if ((*in)[like].empty()) return;
  Shape region_shape = range_shape(ranges(attrs, (*in)[like]));
  if ((*in)[part].empty()) (*in)[part] = region_shape;
  if ((*in)[part] != region_shape) shape_mismatch(attrs, "the assigned/gradient input", region_shape, (*in)[part]);
  (*out)[0] = (*in)[like];
}

// ---- index helpers ------------------------------------------------------------------------

// Indices of any dtype, truncated toward zero like MXNet's cast to int.
std::vector<int64_t> read_indices(const TBlob& idx) {
  std::vector<int64_t> v(static_cast<size_t>(idx.size()));
  MV_DTYPE_SWITCH(idx.dtype, T, {
    const T* p = idx.ptr<T>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(static_cast<double>(p[i]));
  });
  return v;
}

// Maps raw indices into [0, n) by mode: clip, wrap, or raise (a kIndex error).
void map_indices(std::vector<int64_t>* idx, int64_t n, const std::string& mode, const char* op) {
  for (auto& j : *idx) {
    if (mode == "wrap") {
      j = n > 0 ? ((j % n) + n) % n : 0;
    } else if (mode == "raise") {
      MV_CHECK(j >= 0 && j < n, kIndex) << "Operator " << op << ": index " << j << " is out of bounds for an axis of size "
                                        << n << " (mode='raise')";
    } else {
      j = j < 0 ? 0 : (j >= n ? n - 1 : j);
    }
  }
}

// The output dtype is input 0's (data, or ograd in backward operators); index inputs and shape
// donors keep their own dtype.
void type_from_first(const Attrs&, std::vector<int>* in, std::vector<int>* out) {
  if ((*in)[0] >= 0) (*out)[0] = (*in)[0];
  else if ((*out)[0] >= 0) (*in)[0] = (*out)[0];
}


struct TakeDims {
  int ax;
  int64_t outer, n, inner;
};
TakeDims take_dims(const Attrs& attrs, const Shape& a) {
  TakeDims t;
  t.ax = normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(a.size()));
  t.outer = 1;
  for (int i = 0; i < t.ax; ++i) t.outer *= a[i];
  t.n = a[t.ax];
  t.inner = 1;
  for (size_t i = t.ax + 1; i < a.size(); ++i) t.inner *= a[i];
  return t;
}

Shape take_output(const Attrs& attrs, const Shape& a, const Shape& idx) {
  int ax = normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(a.size()));
  Shape out(a.begin(), a.begin() + ax);
  out.insert(out.end(), idx.begin(), idx.end());
  out.insert(out.end(), a.begin() + ax + 1, a.end());
  return out;
}

// pick's axis: None is not supported (as in MXNet).
int pick_axis(const Attrs& attrs, int ndim) {
  MV_CHECK(!attrs.is_none("axis"), kValue) << "Operator " << attrs.op->name << ": axis=None is not supported; specify an axis";
  return normalize_axis(attrs, attrs.get_int("axis"), ndim);
}

Shape pick_output(const Attrs& attrs, const Shape& d) {
  const int ax = pick_axis(attrs, static_cast<int>(d.size()));
  Shape out = d;
  if (attrs.get_bool("keepdims")) {
    out[ax] = 1;
  } else {
    out.erase(out.begin() + ax);
    if (out.empty()) out.push_back(1);
  }
  return out;
}

// The index may have the reduced or the keepdims shape.
void check_pick_index(const Attrs& attrs, const Shape& d, Shape* index) {
  Shape kept = d;
  const int ax = pick_axis(attrs, static_cast<int>(d.size()));
  kept[ax] = 1;
  Shape reduced = d;
  reduced.erase(reduced.begin() + ax);
  if (reduced.empty()) reduced.push_back(1);
  if (index->empty()) *index = attrs.get_bool("keepdims") ? kept : reduced;
  MV_CHECK(*index == kept || *index == reduced, kValue)
      << "Operator " << attrs.op->name << ": index has shape " << shape_str(*index) << ", expected "
      << shape_str(reduced) << " or " << shape_str(kept) << " for data of shape " << shape_str(d) << " and axis=" << ax;
}

// out[o, k] = data[o, idx[o, k], k] (pick) or its transpose grad[o, idx[o, k], k] = og[o, k].
template <typename T>
void pick_loop(const T* data, T* out, const std::vector<int64_t>& idx, int64_t outer, int64_t n, int64_t inner,
               bool scatter) {
  parallel_for(outer * inner, [&](int64_t i) {
    const int64_t o = i / inner, k = i % inner, src = (o * n + idx[i]) * inner + k;
    if (scatter) out[src] = data[i];
    else out[i] = data[src];
  });
}

OpSample index_sample(std::vector<Shape> shapes, KeyValues params, int index_input, int64_t high) {
  OpSample s = op_sample(std::move(shapes), std::move(params));
  s.index_inputs = {index_input};
  s.no_grad_inputs = {index_input};
  s.index_high = high;
  return s;
}

}  // namespace

// ---- slice ----------------------------------------------------------------------------------

MV_REGISTER_OP(slice)
    .alias("crop")
    .describe(
        "Slices a region of the array: begin, end and step per leading axis, None for an open end, negative "
        "values counting from the end (numpy basic slicing). Axes beyond len(begin) are kept whole.\n\n"
        "Example::\n\n  x = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]\n"
        "  slice(x, begin=(0, 1), end=(2, 4)) = [[2, 3, 4], [6, 7, 8]]\n"
        "  slice(x, begin=(None, 0), end=(None, 3), step=(-1, 2)) = [[9, 11], [5, 7], [1, 3]]")
    .input("data", "Source input")
    .required_param("begin", ParamType::kShape, "starting indices for the slice operation, supports negative indices.")
    .kind(ParamKind::kPerDim)
    .required_param("end", ParamType::kShape, "ending indices for the slice operation, supports negative indices.")
    .kind(ParamKind::kPerDim)
    .param("step", ParamType::kShape, "[]", "step for the slice operation, supports negative values.")
    .kind(ParamKind::kPerDim)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = range_shape(slice_ranges(attrs, (*in)[0]));
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      gather_region(in[0], slice_ranges(attrs, in[0].shape), out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_slice", {g.ograd(), g.input()}, g.forward_params())};
    })
    .set_method("slice")
    .add_sample(op_sample({{3, 4}}, {{"begin", "(None, 1)"}, {"end", "(None, 3)"}}))
    .add_sample(op_sample({{4, 5}}, {{"begin", "(3, None)"}, {"end", "(0, None)"}, {"step", "(-1, 2)"}}))
    .add_sample(op_sample({{3, 4, 2}}, {{"begin", "(-2,)"}, {"end", "(100,)"}}));

MV_REGISTER_OP(_backward_slice)
    .describe("Gradient of slice: zeros shaped like data, with ograd written into the sliced region.")
    .input("ograd", "Gradient of slice's output.")
    .input("data", "slice's input; only its shape is used.")
    .params_from("slice")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      assign_shapes(attrs, in, out, 1, 0, slice_ranges);
    })
    .set_infer_type(type_from_first)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      fill_blob(out[0], 0);
      scatter_region(in[0].data, strides_of(in[0].shape), slice_ranges(attrs, out[0].shape), out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("slice", {g.ograd()}, g.forward_params()), Tensor{}};
    })
    .add_sample([] {
      OpSample s = op_sample({{3, 3}, {4, 5}}, {{"begin", "(3, None)"}, {"end", "(0, None)"}, {"step", "(-1, 2)"}});
      s.no_grad_inputs = {1};
      return s;
    }());

MV_REGISTER_OP(slice_axis)
    .describe(
        "Slices [begin, end) along one axis. Negative begin/end count from the end; end=None means the end of the "
        "axis.\n\n"
        "Example::\n\n  x = [[1, 2, 3, 4], [5, 6, 7, 8]]\n  slice_axis(x, axis=1, begin=1, end=None) = [[2, 3, 4], [6, 7, 8]]\n"
        "  slice_axis(x, axis=-1, begin=-3, end=-1) = [[2, 3], [6, 7]]")
    .input("data", "Source input")
    .required_param("axis", ParamType::kInt, "Axis along which to be sliced, supports negative indexes.")
    .kind(ParamKind::kAxis)
    .required_param("begin", ParamType::kInt, "The beginning index along the axis to be sliced, supports negative indexes.")
    .required_param("end", ParamType::kInt, "The ending index along the axis to be sliced, supports negative indexes.")
    .allow_none()
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = range_shape(slice_axis_ranges(attrs, (*in)[0]));
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      gather_region(in[0], slice_axis_ranges(attrs, in[0].shape), out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_slice_axis", {g.ograd(), g.input()}, g.forward_params())};
    })
    .set_method("slice_axis")
    .add_sample(op_sample({{3, 4}}, {{"axis", "1"}, {"begin", "1"}, {"end", "None"}}))
    .add_sample(op_sample({{3, 4}}, {{"axis", "-2"}, {"begin", "-3"}, {"end", "-1"}}));

MV_REGISTER_OP(_backward_slice_axis)
    .describe("Gradient of slice_axis: zeros shaped like data, with ograd written into the sliced range.")
    .input("ograd", "Gradient of slice_axis's output.")
    .input("data", "slice_axis's input; only its shape is used.")
    .params_from("slice_axis")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      assign_shapes(attrs, in, out, 1, 0, slice_axis_ranges);
    })
    .set_infer_type(type_from_first)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      fill_blob(out[0], 0);
      scatter_region(in[0].data, strides_of(in[0].shape), slice_axis_ranges(attrs, out[0].shape), out[0]);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("slice_axis", {g.ograd()}, g.forward_params()), Tensor{}};
    })
    .add_sample([] {
      OpSample s = op_sample({{3, 2}, {3, 4}}, {{"axis", "1"}, {"begin", "1"}, {"end", "3"}});
      s.no_grad_inputs = {1};
      return s;
    }());

// x[begin:end:step] = y, the operator behind NDArray.__setitem__ (in place with out=lhs).
MV_REGISTER_OP(_slice_assign)
    .alias("_crop_assign")
    .describe(
        "Returns a copy of lhs whose region [begin:end:step] is replaced by rhs (shaped like the region).\n\n"
        "Example::\n\n  x = [[1, 2, 3], [4, 5, 6]]\n  _slice_assign(x, [[0, 0]], begin=(1, 0), end=(2, 2)) = [[1, 2, 3], [0, 0, 6]]")
    .input("lhs", "Source input")
    .input("rhs", "value to assign")
    .required_param("begin", ParamType::kShape, "starting indices for the slice operation, supports negative indices.")
    .kind(ParamKind::kPerDim)
    .required_param("end", ParamType::kShape, "ending indices for the slice operation, supports negative indices.")
    .kind(ParamKind::kPerDim)
    .param("step", ParamType::kShape, "[]", "step for the slice operation, supports negative values.")
    .kind(ParamKind::kPerDim)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      assign_shapes(attrs, in, out, 0, 1, slice_ranges);
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      copy_if_distinct(in[0], out[0]);
      scatter_region(in[1].data, strides_of(in[1].shape), slice_ranges(attrs, out[0].shape), out[0]);
    })
    .set_gradient([](const GradContext& g) {
      GradParams zero = g.forward_params();
      zero.emplace_back("scalar", "0");
      return std::vector<Tensor>{op("_slice_assign_scalar", {g.ograd()}, zero),
                                 op("slice", {g.ograd()}, g.forward_params())};
    })
    .set_inplace(0, 0)
    .add_sample(op_sample({{3, 4}, {2, 2}}, {{"begin", "(1, None)"}, {"end", "(None, None)"}, {"step", "(1, 2)"}}));

MV_REGISTER_OP(_slice_assign_scalar)
    .alias("_crop_assign_scalar")
    .describe(
        "Returns a copy of data whose region [begin:end:step] is set to `scalar`.\n\n"
        "Example::\n\n  x = [[1, 2, 3], [4, 5, 6]]\n  _slice_assign_scalar(x, scalar=0, begin=(None, 1), end=(None, None)) = "
        "[[1, 0, 0], [4, 0, 0]]")
    .input("data", "Source input")
    .param("scalar", ParamType::kFloat, "0", "The scalar value for assignment.")
    .required_param("begin", ParamType::kShape, "starting indices for the slice operation, supports negative indices.")
    .kind(ParamKind::kPerDim)
    .required_param("end", ParamType::kShape, "ending indices for the slice operation, supports negative indices.")
    .kind(ParamKind::kPerDim)
    .param("step", ParamType::kShape, "[]", "step for the slice operation, supports negative values.")
    .kind(ParamKind::kPerDim)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      slice_ranges(attrs, (*in)[0]);  // validates the region
      (*out)[0] = (*in)[0];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      copy_if_distinct(in[0], out[0]);
      uint64_t value = 0;  // one element of out's dtype, broadcast by zero strides
      fill_blob(TBlob{&value, {1}, out[0].dtype}, attrs.get_float("scalar"));
      scatter_region(&value, Shape(out[0].ndim(), 0), slice_ranges(attrs, out[0].shape), out[0]);
    })
    .set_gradient([](const GradContext& g) {
      GradParams zero;
      for (auto& kv : g.forward_params())
        if (kv.first != "scalar") zero.push_back(kv);
      zero.emplace_back("scalar", "0");
      return std::vector<Tensor>{op("_slice_assign_scalar", {g.ograd()}, zero)};
    })
    .set_inplace(0, 0)
    .add_sample(op_sample({{3, 4}}, {{"scalar", "2.5"}, {"begin", "(None, -1)"}, {"end", "(2, 0)"}, {"step", "(1, -1)"}}));

// ---- take / pick / one_hot ------------------------------------------------------------------

MV_REGISTER_OP(take)
    .describe(
        "Takes elements of `a` along `axis` at the given indices: the output shape is "
        "a.shape[:axis] + indices.shape + a.shape[axis+1:]. Indices are truncated to integers; out-of-range "
        "indices are clipped (mode='clip'), wrapped around (mode='wrap'), or an error (mode='raise').\n\n"
        "Example::\n\n  x = [[1, 2], [3, 4], [5, 6]]\n  take(x, [[0, 1], [1, 2]]) = [[[1, 2], [3, 4]], [[3, 4], [5, 6]]]\n"
        "  take(x, [-1, 3], mode='wrap') = [[5, 6], [1, 2]]")
    .input("a", "The input array.")
    .input("indices", "The indices of the values to be extracted.")
    .param("axis", ParamType::kInt, "0", "The axis of input array to be taken. For input tensor of rank r, it could be in the range of [-r, r-1]")
    .kind(ParamKind::kAxis)
    .enum_param("mode", {"clip", "raise", "wrap"}, "clip",
                "Specify how out-of-bound indices bahave. 'clip' clips to the range, 'wrap' wraps around, "
                "'raise' raises an error.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty() || (*in)[1].empty()) return;
      (*out)[0] = take_output(attrs, (*in)[0], (*in)[1]);
    })
    .set_infer_type(type_from_first)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      TakeDims t = take_dims(attrs, in[0].shape);
      std::vector<int64_t> idx = read_indices(in[1]);
      map_indices(&idx, t.n, attrs.get_str("mode"), "take");  // throws before any thread starts
      const int64_t m = static_cast<int64_t>(idx.size());
      const size_t bytes = static_cast<size_t>(t.inner) * dtype_size(in[0].dtype);
      const char* a = static_cast<const char*>(in[0].data);
      char* o = static_cast<char*>(out[0].data);
      parallel_for(t.outer * m, [&](int64_t r) {
        const int64_t oi = r / m, j = r % m;
        std::memcpy(o + r * bytes, a + (oi * t.n + idx[j]) * bytes, bytes);
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_take", {g.ograd(), g.input(1), g.input(0)}, g.forward_params()), Tensor{}};
    })
    .set_method("take")
    .add_sample(index_sample({{4, 3}, {2, 2}}, {}, 1, 4))
    .add_sample(index_sample({{2, 3, 2}, {5}}, {{"axis", "-2"}, {"mode", "wrap"}}, 1, 6))
    .add_sample(index_sample({{3, 2}, {4}}, {{"axis", "0"}, {"mode", "clip"}}, 1, 5));

MV_REGISTER_OP(_backward_take)
    .describe("Gradient of take: zeros shaped like a, with each ograd block added at its (mapped) index.")
    .input("ograd", "Gradient of take's output.")
    .input("indices", "take's indices.")
    .input("a", "take's input; only its shape is used.")
    .params_from("take")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[2].empty() || (*in)[1].empty()) return;
      Shape want = take_output(attrs, (*in)[2], (*in)[1]);
      if ((*in)[0].empty()) (*in)[0] = want;
      if ((*in)[0] != want) shape_mismatch(attrs, "input 'ograd'", want, (*in)[0]);
      (*out)[0] = (*in)[2];
    })
    .set_infer_type(type_from_first)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      TakeDims t = take_dims(attrs, out[0].shape);
      std::vector<int64_t> idx = read_indices(in[1]);
      map_indices(&idx, t.n, attrs.get_str("mode"), "take");
      const int64_t m = static_cast<int64_t>(idx.size());
      fill_blob(out[0], 0);
      MV_FLOAT_SWITCH(out[0].dtype, "_backward_take", T, {
        const T* og = in[0].ptr<T>();
        T* g = out[0].ptr<T>();
        // Rows of different outer indices never collide, so they run in parallel; repeated
        // indices within a row accumulate serially.
        parallel_for(t.outer, [&](int64_t oi) {
          for (int64_t j = 0; j < m; ++j) {
            T* dst = g + (oi * t.n + idx[j]) * t.inner;
            const T* src = og + (oi * m + j) * t.inner;
            for (int64_t k = 0; k < t.inner; ++k) dst[k] = static_cast<T>(dst[k] + src[k]);
          }
        }, 1);
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("take", {g.ograd(), g.input(1)}, g.forward_params()), Tensor{}, Tensor{}};
    })
    .add_sample([] {
      OpSample s = index_sample({{2, 2, 3}, {2, 2}, {4, 3}}, {}, 1, 4);
      s.no_grad_inputs = {1, 2};
      return s;
    }());

MV_REGISTER_OP(pick)
    .alias("choose_element_0index")
    .describe(
        "Picks one element per position along `axis`: out[i, k] = data[i, index[i, k], k]. Indices are truncated "
        "to integers and clipped or wrapped by `mode`; index has the output shape (with or without the kept "
        "axis).\n\n"
        "Example::\n\n  x = [[1, 2], [3, 4], [5, 6]]\n  pick(x, index=[0, 1, 0], axis=1) = [1, 4, 5]\n"
        "  pick(x, index=[0, 1, 0], axis=1, keepdims=True) = [[1], [4], [5]]")
    .input("data", "The input array")
    .input("index", "The index array")
    .param("axis", ParamType::kInt, "-1", "int or None. The axis to picking the elements. Negative values means indexing from right to left. If is `None`, the elements in the index w.r.t the flattened input will be picked.")
    .kind(ParamKind::kAxis)
    .allow_none()
    .param("keepdims", ParamType::kBool, "False", "If true, the axis where we pick the elements is left in the result as dimension with size one.")
    .enum_param("mode", {"clip", "wrap"}, "clip", "Specify how out-of-bound indices behave. Default is \"clip\".")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      check_pick_index(attrs, (*in)[0], &(*in)[1]);
      (*out)[0] = pick_output(attrs, (*in)[0]);
    })
    .set_infer_type(type_from_first)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      TakeDims t = take_dims(attrs, in[0].shape);
      std::vector<int64_t> idx = read_indices(in[1]);
      map_indices(&idx, t.n, attrs.get_str("mode"), "pick");
      MV_ELEM_SWITCH(dtype_size(in[0].dtype), T, {
        pick_loop(in[0].ptr<T>(), out[0].ptr<T>(), idx, t.outer, t.n, t.inner, false);
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_pick", {g.ograd(), g.input(1), g.input(0)}, g.forward_params()), Tensor{}};
    })
    .set_method("pick")
    .add_sample(index_sample({{3, 4}, {3}}, {}, 1, 4))
    .add_sample(index_sample({{3, 4}, {1, 4}}, {{"axis", "0"}, {"keepdims", "True"}}, 1, 3))
    .add_sample(index_sample({{2, 3, 2}, {2, 2}}, {{"axis", "1"}, {"mode", "wrap"}}, 1, 7));

MV_REGISTER_OP(_backward_pick)
    .describe("Gradient of pick: zeros shaped like data, with ograd written at the picked positions.")
    .input("ograd", "Gradient of pick's output.")
    .input("index", "pick's index.")
    .input("data", "pick's input; only its shape is used.")
    .params_from("pick")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[2].empty()) return;
      check_pick_index(attrs, (*in)[2], &(*in)[1]);
      Shape want = pick_output(attrs, (*in)[2]);
      if ((*in)[0].empty()) (*in)[0] = want;
      if ((*in)[0] != want) shape_mismatch(attrs, "input 'ograd'", want, (*in)[0]);
      (*out)[0] = (*in)[2];
    })
    .set_infer_type(type_from_first)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      TakeDims t = take_dims(attrs, out[0].shape);
      std::vector<int64_t> idx = read_indices(in[1]);
      map_indices(&idx, t.n, attrs.get_str("mode"), "pick");
      fill_blob(out[0], 0);
      MV_ELEM_SWITCH(dtype_size(out[0].dtype), T, {
        pick_loop(in[0].ptr<T>(), out[0].ptr<T>(), idx, t.outer, t.n, t.inner, true);
      });
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("pick", {g.ograd(), g.input(1)}, g.forward_params()), Tensor{}, Tensor{}};
    })
    .add_sample([] {
      OpSample s = index_sample({{3}, {3}, {3, 4}}, {}, 1, 4);
      s.no_grad_inputs = {1, 2};
      return s;
    }());

MV_REGISTER_OP(one_hot)
    .describe(
        "One-hot encoding: output shape indices.shape + (depth,), on_value where the last index equals the "
        "(truncated) index, off_value elsewhere. Indices outside [0, depth) give a row of off_value.\n\n"
        "Example::\n\n  one_hot([1, 0, 2, 5], 3) = [[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 0, 0]]")
    .input("indices", "array of locations where to set on_value")
    .required_param("depth", ParamType::kInt, "Depth of the one hot dimension.")
    .bounds(0, 1e18)
    .param("on_value", ParamType::kFloat, "1", "The value assigned to the locations represented by indices.")
    .param("off_value", ParamType::kFloat, "0", "The value assigned to the locations not represented by indices.")
    .param("dtype", ParamType::kDType, "float32", "DType of the output")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      Shape s = (*in)[0];
      s.push_back(attrs.get_int("depth"));
      (*out)[0] = s;
    })
    .set_infer_type([](const Attrs& attrs, std::vector<int>*, std::vector<int>* out) {
      (*out)[0] = static_cast<int>(attrs.get_dtype("dtype"));
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const int64_t depth = attrs.get_int("depth");
      std::vector<int64_t> idx = read_indices(in[0]);
      const double on = attrs.get_float("on_value"), off = attrs.get_float("off_value");
      MV_DTYPE_SWITCH(out[0].dtype, T, {
        T* o = out[0].ptr<T>();
        const T on_v = static_cast<T>(on), off_v = static_cast<T>(off);
        parallel_for(static_cast<int64_t>(idx.size()), [&](int64_t i) {
          T* row = o + i * depth;
          for (int64_t k = 0; k < depth; ++k) row[k] = off_v;
          if (idx[i] >= 0 && idx[i] < depth) row[idx[i]] = on_v;
        }, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, depth)));
      });
    })
    .set_non_differentiable()
    .set_method("one_hot")
    .add_sample(index_sample({{2, 3}}, {{"depth", "4"}}, 0, 5))
    .add_sample(index_sample({{4}}, {{"depth", "3"}, {"on_value", "8"}, {"off_value", "-1"}, {"dtype", "int32"}}, 0, 3));

}  // namespace minerva
