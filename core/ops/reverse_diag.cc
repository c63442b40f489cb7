// Reordering without arithmetic: reverse (alias flip) and diag with its backward operator. Both
// are index maps, so one kernel per element size serves every dtype, and each gradient is the
// same map run the other way (so second-order gradients work).
#include <algorithm>

#include "core/base/checked.h"
#include "core/ops/layout_util.h"
#include "core/ops/tensor_util.h"

namespace minerva {
namespace {

// Which axes reverse flips: each listed axis toggles (MXNet flips twice for a repeated axis),
// negative axes count from the end.
std::vector<bool> flipped_axes(const Attrs& attrs, int ndim) {
  std::vector<bool> flip(static_cast<size_t>(ndim), false);
  for (int64_t a : attrs.get_shape("axis")) {
    const int ax = normalize_axis(attrs, a, ndim);
    flip[ax] = !flip[ax];
  }
  return flip;
}

// ---- diag ------------------------------------------------------------------------------------

// The diagonal of axes (axis1, axis2) with offset k, numpy's convention: rows along axis1,
// columns along axis2, k > 0 above the main diagonal.
struct DiagSpec {
  int a1 = 0, a2 = 1;
  int64_t len = 0;  // elements on the diagonal
};

// `built` is the square matrix diag builds from a vector, whose axes are (0, 1) whatever axis1 and
// axis2 say (MXNet ignores them for vectors).
DiagSpec diag_spec(const Attrs& attrs, const Shape& d, bool built = false) {
  const int nd = static_cast<int>(d.size());
  MV_CHECK(nd >= 2, kInternal) << "diag_spec needs a matrix";
  DiagSpec s;
  if (!built) {
    s.a1 = normalize_axis(attrs, attrs.get_int("axis1"), nd, "axis1");
    s.a2 = normalize_axis(attrs, attrs.get_int("axis2"), nd, "axis2");
  }
  MV_CHECK(s.a1 != s.a2, kValue) << "Operator " << attrs.op->name << ": axis1 and axis2 cannot refer to the same axis "
                                 << s.a1;
  const int64_t k = attrs.get_int("k"), rows = d[s.a1], cols = d[s.a2];
  MV_CHECK(k <= cols && k >= -rows, kValue) << "Operator " << attrs.op->name << ": diagonal k=" << k
                                            << " does not exist for axes of sizes " << rows << " and " << cols
                                            << "; expected k in [" << -rows << ", " << cols << "]";
  s.len = std::max<int64_t>(0, k >= 0 ? std::min(rows, cols - k) : std::min(rows + k, cols));
  return s;
}

// diag's output shape for input shape d: a square matrix for a vector, else the other axes
// followed by the diagonal.
Shape diag_shape(const Attrs& attrs, const Shape& d) {
  MV_CHECK(!d.empty(), kValue) << "Operator " << attrs.op->name << ": the input must have at least one dimension";
  const int64_t k = attrs.get_int("k");
  if (d.size() == 1) {
    const std::string too_large = "Operator " + attrs.op->name + ": k=" + std::to_string(k) +
                                  " is too large for a vector of " + std::to_string(d[0]) + " elements";
    MV_CHECK(k != INT64_MIN, kValue) << too_large;
    const int64_t n = checked_add(d[0], k < 0 ? -k : k, too_large + ": the output size");
    shape_size(Shape{n, n});  // throws on overflow
    return Shape{n, n};
  }
  DiagSpec s = diag_spec(attrs, d);
  Shape out;
  for (int i = 0; i < static_cast<int>(d.size()); ++i)
    if (i != s.a1 && i != s.a2) out.push_back(d[i]);
  out.push_back(s.len);
  return out;
}

// For each element of the diagonal view of `matrix` (diag's output order), its offset in matrix.
std::vector<int64_t> diag_offsets(const Attrs& attrs, const Shape& matrix, bool built) {
  DiagSpec s = diag_spec(attrs, matrix, built);
  const int64_t k = attrs.get_int("k");
  const Shape st = strides_of(matrix);
  Shape rest_dims, rest_strides;
  for (int i = 0; i < static_cast<int>(matrix.size()); ++i)
    if (i != s.a1 && i != s.a2) {
      rest_dims.push_back(matrix[i]);
      rest_strides.push_back(st[i]);
    }
  const int64_t start = std::max<int64_t>(0, -k) * st[s.a1] + std::max<int64_t>(0, k) * st[s.a2];
  const int64_t step = st[s.a1] + st[s.a2];
  const int64_t rest = shape_size(rest_dims);
  std::vector<int64_t> off(static_cast<size_t>(rest * s.len));
  for (int64_t r = 0; r < rest; ++r) {
    int64_t base = start, rem = r;
    for (int j = static_cast<int>(rest_dims.size()) - 1; j >= 0; --j) {
      base += (rem % rest_dims[j]) * rest_strides[j];
      rem /= rest_dims[j];
    }
    for (int64_t t = 0; t < s.len; ++t) off[static_cast<size_t>(r * s.len + t)] = base + t * step;
  }
  return off;
}

// A vector input puts its values on the diagonal of a zero matrix; a matrix input gathers its
// diagonal. `backward` runs the opposite direction (scatter for matrices, gather for vectors).
void diag_move(const Attrs& attrs, const TBlob& src, const TBlob& dst, bool backward) {
  const Shape& data = backward ? dst.shape : src.shape;  // diag's input
  const bool vector_data = data.size() == 1;
  // The matrix whose diagonal moves: the input, or the square matrix built from a vector.
  const Shape& matrix = vector_data ? (backward ? src.shape : dst.shape) : data;
  std::vector<int64_t> off = diag_offsets(attrs, matrix, vector_data);
  const bool gather = vector_data == backward;  // read the diagonal out of the matrix
  if (!gather) fill_blob(dst, 0);
  MV_ELEM_SWITCH(dtype_size(src.dtype), T, {
    const T* a = src.ptr<T>();
    T* o = dst.ptr<T>();
    parallel_for(static_cast<int64_t>(off.size()), [&](int64_t e) {
      if (gather) o[e] = a[off[static_cast<size_t>(e)]];
      else o[off[static_cast<size_t>(e)]] = a[e];
    });
  });
}

}  // namespace

MV_REGISTER_OP(reverse)
    .alias("flip")
    .describe(
        "Reverses the order of elements along the given axes (negative axes count from the end). The gradient "
        "is the reversed ograd.\n\n"
        "Example::\n\n  x = [[0, 1, 2], [3, 4, 5]]\n  reverse(x, axis=0) = [[3, 4, 5], [0, 1, 2]]\n"
        "  reverse(x, axis=(0, 1)) = [[5, 4, 3], [2, 1, 0]]")
    .input("data", "Input data array")
    .required_param("axis", ParamType::kShape, "The axis which to reverse elements.").kind(ParamKind::kAxes)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      flipped_axes(attrs, static_cast<int>((*in)[0].size()));
      (*out)[0] = (*in)[0];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const Shape& d = in[0].shape;
      std::vector<bool> flip = flipped_axes(attrs, static_cast<int>(d.size()));
      Shape st = strides_of(d);
      int64_t off = 0;
      for (size_t i = 0; i < d.size(); ++i)
        if (flip[i] && d[i] > 0) {
          off += (d[i] - 1) * st[i];
          st[i] = -st[i];
        }
      strided_copy(in[0].data, off, st, out[0].data, 0, strides_of(d), d, dtype_size(in[0].dtype));
    })
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{op("reverse", {g.ograd()}, g.forward_params())}; })
    .set_method("flip")
    .add_sample(op_sample({{3, 4}}, {{"axis", "(0,)"}}))
    .add_sample(op_sample({{2, 3, 4}}, {{"axis", "(0, -1)"}}));

MV_REGISTER_OP(diag)
    .describe(
        "Extracts a diagonal or builds a diagonal array. For a vector, a square matrix with the vector on "
        "diagonal k; otherwise the diagonal k of the axes (axis1, axis2), appended as the last axis after the "
        "others (numpy.diagonal). k > 0 is above the main diagonal, k < 0 below.\n\n"
        "Example::\n\n  diag([1, 2]) = [[1, 0], [0, 2]]\n  diag([[1, 2, 3], [4, 5, 6]], k=1) = [2, 6]\n"
        "  diag([[1, 2, 3], [4, 5, 6]], k=-1) = [4]")
    .input("data", "Input ndarray")
    .param("k", ParamType::kInt, "0",
           "Diagonal in question. The default is 0. Use k>0 for diagonals above the main diagonal, and k<0 for "
           "diagonals below the main diagonal. If input has shape (S0 S1) k must be between -S0 and S1")
    .param("axis1", ParamType::kInt, "0",
           "The first axis of the sub-arrays of interest. Ignored when the input is a 1-D array.")
    .kind(ParamKind::kAxis)
    .param("axis2", ParamType::kInt, "1",
           "The second axis of the sub-arrays of interest. Ignored when the input is a 1-D array.")
    .kind(ParamKind::kAxis)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = diag_shape(attrs, (*in)[0]);
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      diag_move(attrs, in[0], out[0], false);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_diag", {g.ograd(), g.input()}, g.forward_params())};
    })
    .set_method("diag")
    .add_sample(op_sample({{3, 4}}, {{"k", "1"}}))
    .add_sample(op_sample({{3}}, {{"k", "-2"}}))
    .add_sample(op_sample({{2, 3, 4}}, {{"k", "-1"}, {"axis1", "2"}, {"axis2", "1"}}));

MV_REGISTER_OP(_backward_diag)
    .describe("Gradient of diag: ograd moved back to the diagonal positions of an array shaped like data (zeros "
              "elsewhere), or, for a vector data, the diagonal of ograd.")
    .input("ograd", "Gradient of diag's output.")
    .input("data", "diag's input; only its shape is used.")
    .params_from("diag")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[1].empty()) return;
      Shape want = diag_shape(attrs, (*in)[1]);
      if ((*in)[0].empty()) (*in)[0] = want;
      if ((*in)[0] != want) shape_mismatch(attrs, "input 'ograd'", want, (*in)[0]);
      (*out)[0] = (*in)[1];
    })
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) {
      if ((*in)[0] >= 0) (*out)[0] = (*in)[0];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      diag_move(attrs, in[0], out[0], true);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("diag", {g.ograd()}, g.forward_params()), Tensor{}};
    })
    .add_sample([] {
      OpSample s = op_sample({{3}, {3, 4}}, {{"k", "1"}});
      s.no_grad_inputs = {1};
      return s;
    }());

}  // namespace minerva
