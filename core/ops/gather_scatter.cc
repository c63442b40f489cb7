// Multi-dimensional indexing: gather_nd, scatter_nd, _scatter_set_nd, batch_take, and the index
// arithmetic of _ravel_multi_index / _unravel_index. Index arrays may have any dtype; values are
// truncated toward zero. gather_nd and scatter_nd wrap negative indices (-1 is the last) and
// reject anything outside [-size, size) with an IndexError, where MXNet 1.9.1's scatter_nd
// silently drops such points.
#include <cstring>

#include "core/ops/layout_util.h"
#include "core/ops/tensor_util.h"

namespace minerva {
namespace {

// indices (M, Y...) addressing the first M axes of an array shaped `full`: the points are the
// Y... positions, each selecting a block of the trailing axes full[M:].
struct NdIndex {
  int64_t m = 0;       // axes addressed
  int64_t points = 0;  // prod(Y)
  int64_t block = 1;   // elements per point: prod(full[M:])
  Shape point_shape;   // Y
};

NdIndex nd_index(const Attrs& attrs, const Shape& full, const Shape& idx) {
  const std::string& op = attrs.op->name;
  MV_CHECK(idx.size() >= 2, kValue) << "Operator " << op << ": indices must have at least 2 dimensions (M, ...), got "
                                    << shape_str(idx);
  NdIndex r;
  r.m = idx[0];
  MV_CHECK(r.m >= 1 && r.m <= static_cast<int64_t>(full.size()), kValue)
      << "Operator " << op << ": indices address " << r.m << " axes (indices.shape[0]), but the array "
      << shape_str(full) << " has " << full.size();
  r.point_shape.assign(idx.begin() + 1, idx.end());
  r.points = shape_size(r.point_shape);
  r.block = shape_size(Shape(full.begin() + r.m, full.end()));
  return r;
}

// Y + full[M:]: gather_nd's output, scatter_nd's data.
Shape nd_value_shape(const NdIndex& r, const Shape& full) {
  Shape s = r.point_shape;
  s.insert(s.end(), full.begin() + r.m, full.end());
  return s;
}

// The element offset (in units of blocks) of every point, checked against the axes.
std::vector<int64_t> nd_offsets(const Attrs& attrs, const NdIndex& r, const Shape& full, const TBlob& indices) {
  std::vector<int64_t> v = read_index_values(indices);
  std::vector<int64_t> off(static_cast<size_t>(r.points), 0);
  for (int64_t j = 0; j < r.m; ++j) {
    const int64_t n = full[j];
    for (int64_t p = 0; p < r.points; ++p) {
      int64_t i = v[static_cast<size_t>(j * r.points + p)];
      MV_CHECK(i >= -n && i < n, kIndex) << "Operator " << attrs.op->name << ": index " << i
                                         << " is out of bounds for axis " << j << " with size " << n;
      if (i < 0) i += n;
      off[static_cast<size_t>(p)] = off[static_cast<size_t>(p)] * n + i;
    }
  }
  return off;
}

// Copies point blocks between the indexed array `full` and the packed values: gather reads
// full, scatter writes it (later points overwrite earlier ones), accumulate adds into it.
enum class Move { kGather, kScatter, kAccumulate };

void nd_move(const Attrs& attrs, const TBlob& full, const TBlob& values, const TBlob& indices, Move how) {
  NdIndex r = nd_index(attrs, full.shape, indices.shape);
  std::vector<int64_t> off = nd_offsets(attrs, r, full.shape, indices);
  const size_t bytes = static_cast<size_t>(r.block) * dtype_size(full.dtype);
  char* f = static_cast<char*>(full.data);
  char* v = static_cast<char*>(values.data);
  switch (how) {
    case Move::kGather:
      parallel_for(r.points, [&](int64_t p) { std::memcpy(v + p * bytes, f + off[static_cast<size_t>(p)] * bytes, bytes); },
                   std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, r.block)));
      break;
    case Move::kScatter:
      for (int64_t p = 0; p < r.points; ++p) std::memcpy(f + off[static_cast<size_t>(p)] * bytes, v + p * bytes, bytes);
      break;
    case Move::kAccumulate:
      MV_DTYPE_SWITCH(full.dtype, T, {
        T* dst = full.ptr<T>();
        const T* src = values.ptr<T>();
        for (int64_t p = 0; p < r.points; ++p)
          for (int64_t k = 0; k < r.block; ++k) {
            T& d = dst[off[static_cast<size_t>(p)] * r.block + k];
            d = static_cast<T>(d + src[p * r.block + k]);
          }
      });
      break;
  }
}

void type_from_first(const Attrs&, std::vector<int>* in, std::vector<int>* out) {
  if ((*in)[0] >= 0) (*out)[0] = (*in)[0];
}

OpSample index_sample(std::vector<Shape> shapes, KeyValues params, std::vector<int> index_inputs, int64_t high) {
  OpSample s = op_sample(std::move(shapes), std::move(params));
  s.index_inputs = index_inputs;
  s.no_grad_inputs = index_inputs;
  s.index_high = high;
  return s;
}

// The only input is an index array: the (zero) gradient has no variable to check.
OpSample zero_grad_sample(OpSample s) {
  s.grad_check = false;
  return s;
}

// scatter_nd's output shape, from its `shape` parameter.
const Shape& output_shape_param(const Attrs& attrs) {
  const Shape& s = attrs.get_shape("shape");
  for (int64_t d : s)
    MV_CHECK(d >= 0, kValue) << "Operator " << attrs.op->name << ": shape " << shape_str(s)
                             << " has a negative dimension";
  MV_CHECK(!s.empty(), kValue) << "Operator " << attrs.op->name << ": shape must have at least one dimension";
  shape_size(s);  // throws on overflow
  return s;
}

// ---- ravel / unravel -------------------------------------------------------------------------

Shape index_space(const Attrs& attrs) {
  MV_CHECK(!attrs.is_none("shape") && !attrs.get_shape("shape").empty(), kValue)
      << "Operator " << attrs.op->name << ": shape must be given";
  const Shape& s = attrs.get_shape("shape");
  for (int64_t d : s)
    MV_CHECK(d >= 1, kValue) << "Operator " << attrs.op->name << ": shape " << shape_str(s)
                             << " must have positive dimensions";
  shape_size(s);  // throws on overflow
  return s;
}

}  // namespace

MV_REGISTER_OP(gather_nd)
    .describe(
        "Gathers blocks of data addressed by the columns of indices: indices has shape (M, Y...), and "
        "out[y...] = data[indices[0, y...], ..., indices[M-1, y...]], shape Y + data.shape[M:]. Negative indices "
        "count from the end; others out of range are an IndexError.\n\n"
        "Example::\n\n  data = [[0, 1], [2, 3]]\n  gather_nd(data, [[1, 1, 0], [0, 1, 0]]) = [2, 3, 0]\n"
        "  gather_nd(data, [[1, 0]]) = [[2, 3], [0, 1]]")
    .input("data", "data")
    .input("indices", "indices")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty() || (*in)[1].empty()) return;
      (*out)[0] = nd_value_shape(nd_index(attrs, (*in)[0], (*in)[1]), (*in)[0]);
    })
    .set_infer_type(type_from_first)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      nd_move(attrs, in[0], out[0], in[1], Move::kGather);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_gather_nd", {g.ograd(), g.input(1), g.input(0)}),
                                 op("zeros_like", {g.input(1)})};
    })
    .add_sample(index_sample({{3, 4}, {2, 5}}, {}, {1}, 3))
    .add_sample(index_sample({{3, 2, 2}, {1, 2, 2}}, {}, {1}, 2));

MV_REGISTER_OP(_backward_gather_nd)
    .describe("Gradient of gather_nd: zeros shaped like data with each ograd block added at its point "
              "(repeated points accumulate).")
    .input("ograd", "Gradient of gather_nd's output.")
    .input("indices", "gather_nd's indices.")
    .input("data", "gather_nd's data; only its shape is used.")
    .params_from("gather_nd")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[2].empty() || (*in)[1].empty()) return;
      const Shape want = nd_value_shape(nd_index(attrs, (*in)[2], (*in)[1]), (*in)[2]);
      if ((*in)[0].empty()) (*in)[0] = want;
      if ((*in)[0] != want) shape_mismatch(attrs, "input 'ograd'", want, (*in)[0]);
      (*out)[0] = (*in)[2];
    })
    .set_infer_type(type_from_first)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      fill_blob(out[0], 0);
      nd_move(attrs, out[0], in[0], in[1], Move::kAccumulate);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("gather_nd", {g.ograd(), g.input(1)}), Tensor{}, Tensor{}};
    })
    .add_sample([] {
      OpSample s = index_sample({{5}, {2, 5}, {3, 4}}, {}, {1}, 3);
      s.no_grad_inputs = {1, 2};
      return s;
    }());

MV_REGISTER_OP(scatter_nd)
    .describe(
        "Scatters data into a zero array of the given shape at the points in indices (the inverse of gather_nd): "
        "indices has shape (M, Y...), data shape Y + shape[M:]. When points repeat, the last one wins. Negative "
        "indices count from the end; others out of range are an IndexError (MXNet 1.9.1 silently drops "
        "them).\n\n"
        "Example::\n\n  scatter_nd([2, 3], [[1, 1], [0, 1]], shape=(2, 2)) = [[0, 0], [2, 3]]")
    .input("data", "data")
    .input("indices", "indices")
    .required_param("shape", ParamType::kShape, "Shape of output.").kind(ParamKind::kPerDim)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& full = output_shape_param(attrs);
      if (!(*in)[1].empty()) {
        const Shape want = nd_value_shape(nd_index(attrs, full, (*in)[1]), full);
        if ((*in)[0].empty()) (*in)[0] = want;
        if ((*in)[0] != want) shape_mismatch(attrs, "input 'data' (indices.shape[1:] + shape[M:])", want, (*in)[0]);
      }
      (*out)[0] = full;
    })
    .set_infer_type(type_from_first)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      fill_blob(out[0], 0);
      nd_move(attrs, out[0], in[0], in[1], Move::kScatter);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("gather_nd", {g.ograd(), g.input(1)}), op("zeros_like", {g.input(1)})};
    })
    // Distinct points, so the gradient check does not see a last-write-wins tie.
    .add_sample([] {
      OpSample s = index_sample({{1}, {2, 1}}, {{"shape", "(3, 4)"}}, {1}, 3);
      return s;
    }())
    .add_sample(index_sample({{1, 4}, {1, 1}}, {{"shape", "(3, 4)"}}, {1}, 3));

MV_REGISTER_OP(_scatter_set_nd)
    .describe(
        "Returns a copy of lhs with rhs written at the points in indices (scatter_nd into lhs instead of zeros); "
        "shape must be lhs's shape. The operator behind advanced-index assignment; use it in place with "
        "out=lhs.\n\n"
        "Example::\n\n  _scatter_set_nd([[1, 1], [1, 1]], [5, 6], [[0, 1], [1, 0]], shape=(2, 2)) = [[1, 5], [6, 1]]")
    .input("lhs", "source input")
    .input("rhs", "value to assign")
    .input("indices", "indices")
    .required_param("shape", ParamType::kShape, "Shape of output.").kind(ParamKind::kPerDim)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& full = output_shape_param(attrs);
      if ((*in)[0].empty()) (*in)[0] = full;
      if ((*in)[0] != full) shape_mismatch(attrs, "input 'lhs' (the shape parameter)", full, (*in)[0]);
      if (!(*in)[2].empty()) {
        const Shape want = nd_value_shape(nd_index(attrs, full, (*in)[2]), full);
        if ((*in)[1].empty()) (*in)[1] = want;
        if ((*in)[1] != want) shape_mismatch(attrs, "input 'rhs'", want, (*in)[1]);
      }
      (*out)[0] = full;
    })
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) {
      if ((*in)[0] >= 0) (*out)[0] = (*in)[0];
      if ((*in)[0] >= 0 && (*in)[1] < 0) (*in)[1] = (*in)[0];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      MV_CHECK(in[0].dtype == in[1].dtype, kType) << "Operator _scatter_set_nd: rhs is " << dtype_name(in[1].dtype)
                                                  << " but lhs is " << dtype_name(in[0].dtype);
      copy_if_distinct(in[0], out[0]);
      nd_move(attrs, out[0], in[1], in[2], Move::kScatter);
    })
    .set_inplace(0, 0)
    .set_non_differentiable()
    .add_sample(index_sample({{3, 4}, {2}, {2, 2}}, {{"shape", "(3, 4)"}}, {2}, 3));

MV_REGISTER_OP(batch_take)
    .describe(
        "Takes one element per row of the last axis: with a seen as rows of its last axis (a.size / "
        "a.shape[-1] of them), out[i] = row i at indices[i], indices clipped to the row. indices must have one "
        "entry per row; the output has indices' shape. (For inputs of more than 2 dimensions MXNet 1.9.1 reads "
        "past the array; Minerva takes the rows as described.)\n\n"
        "Example::\n\n  x = [[1, 2], [3, 4], [5, 6]]\n  batch_take(x, [0, 1, 0]) = [1, 4, 5]")
    .input("a", "The input array")
    .input("indices", "The index array")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape &a = (*in)[0], &idx = (*in)[1];
      if (a.empty() || idx.empty()) return;
      MV_CHECK(a.size() >= 2, kValue) << "Operator batch_take: a must have at least 2 dimensions, got " << shape_str(a);
      MV_CHECK(a.back() > 0 && shape_size(idx) == shape_size(a) / a.back(), kValue)
          << "Operator batch_take: indices " << shape_str(idx) << " must hold one index per row of a " << shape_str(a)
          << " (" << (a.back() > 0 ? shape_size(a) / a.back() : 0) << " rows)";
      (*out)[0] = idx;
      (void)attrs;
    })
    .set_infer_type(type_from_first)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const int64_t row = in[0].shape.back();
      std::vector<int64_t> idx = read_index_values(in[1]);
      MV_ELEM_SWITCH(dtype_size(in[0].dtype), T, {
        const T* a = in[0].ptr<T>();
        T* o = out[0].ptr<T>();
        parallel_for(out[0].size(), [&](int64_t i) {
          const int64_t j = std::min(std::max<int64_t>(idx[static_cast<size_t>(i)], 0), row - 1);
          o[i] = a[i * row + j];
        });
      });
    })
    .set_non_differentiable()
    .add_sample(index_sample({{3, 4}, {3}}, {}, {1}, 6));

MV_REGISTER_OP(_ravel_multi_index)
    .alias("ravel_multi_index")
    .describe(
        "Converts a batch of multi-indices (a 2-D array, one row per axis of `shape`, one column per index) into "
        "flat indices of an array of that shape, row-major. The arithmetic is not range-checked, as in MXNet: "
        "out[j] = sum_i data[i, j] * stride_i.\n\n"
        "Example::\n\n  ravel_multi_index([[3, 6, 6], [4, 5, 1]], shape=(7, 6)) = [22, 41, 37]")
    .input("data", "Batch of multi-indices")
    .param("shape", ParamType::kShape, "None", "Shape of the array into which the multi-indices apply.")
    .kind(ParamKind::kPerDim)
    .allow_none()
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape space = index_space(attrs);
      const Shape& d = (*in)[0];
      if (d.empty()) return;
      MV_CHECK(d.size() == 2 && d[0] == static_cast<int64_t>(space.size()), kValue)
          << "Operator _ravel_multi_index: data must be 2-D with one row per axis of shape " << shape_str(space)
          << ", i.e. (" << space.size() << ", N); got " << shape_str(d);
      (*out)[0] = Shape{d[1]};
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Shape space = index_space(attrs), st = strides_of(space);
      const int64_t n = out[0].size();
      std::vector<int64_t> v = read_index_values(in[0]);
      write_index_values(out[0], [&](int64_t j) {
        uint64_t flat = 0;  // wraps instead of overflowing, like the unchecked arithmetic it mirrors
        for (size_t i = 0; i < space.size(); ++i)
          flat += static_cast<uint64_t>(v[i * static_cast<size_t>(n) + static_cast<size_t>(j)]) *
                  static_cast<uint64_t>(st[i]);
        return static_cast<int64_t>(flat);
      });
    })
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{op("zeros_like", {g.input()})}; })
    .add_sample(zero_grad_sample(index_sample({{2, 5}}, {{"shape", "(3, 4)"}}, {0}, 3)));

MV_REGISTER_OP(_unravel_index)
    .alias("unravel_index")
    .describe(
        "Converts flat indices into multi-indices of an array of the given shape: the output has shape "
        "(len(shape),) + data.shape. As in MXNet, the first coordinate is not wrapped (an index past the end "
        "gives a first coordinate past its axis). For N-D data MXNet 1.9.1 returns unconverted values in a "
        "(len(shape), data.shape[0]) array; Minerva converts every element, as numpy.unravel_index does.\n\n"
        "Example::\n\n  unravel_index([22, 41, 37], shape=(7, 6)) = [[3, 6, 6], [4, 5, 1]]")
    .input("data", "Array of flat indices")
    .param("shape", ParamType::kShape, "None", "Shape of the array into which the multi-indices apply.")
    .kind(ParamKind::kPerDim)
    .allow_none()
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape space = index_space(attrs);
      if ((*in)[0].empty()) return;
      Shape s{static_cast<int64_t>(space.size())};
      s.insert(s.end(), (*in)[0].begin(), (*in)[0].end());
      shape_size(s);
      (*out)[0] = s;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Shape space = index_space(attrs);
      const int64_t n = in[0].size(), nd = static_cast<int64_t>(space.size());
      std::vector<int64_t> v = read_index_values(in[0]);
      write_index_values(out[0], [&](int64_t e) {
        const int64_t axis = e / n, j = e % n;
        int64_t rest = v[static_cast<size_t>(j)], coord = 0;
        for (int64_t k = nd - 1; k >= axis; --k) {
          coord = k == 0 ? rest : rest % space[k];
          rest = k == 0 ? 0 : rest / space[k];
        }
        return coord;
      });
    })
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{op("zeros_like", {g.input()})}; })
    .add_sample(zero_grad_sample(index_sample({{5}}, {{"shape", "(3, 4)"}}, {0}, 12)));

}  // namespace minerva
