// Shape operators: Reshape, Flatten, transpose, expand_dims, squeeze, reshape_like, SwapAxis.
// The reshape family only reinterprets the element order, so its kernel is a copy (skipped when
// the executor runs it in place) and its gradient reshapes the output gradient back.
#include <algorithm>
#include <numeric>

#include "core/base/checked.h"
#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"

namespace minerva {
namespace {

[[noreturn]] void bad_reshape(const Attrs& attrs, const Shape& dshape, const std::string& why) {
  std::string spec;
  for (auto& [k, v] : attrs.given) spec += (spec.empty() ? "" : ", ") + k + "=" + v;
  MV_THROW(kValue) << "Operator " << attrs.op->name << ": cannot reshape array of shape " << shape_str(dshape)
                   << " with (" << spec << "): " << why;
}

// MXNet's special values, applied left to right while walking the input dims:
//   d>0 copies d; 0 copies the current input dim; -1 is inferred from the total size;
//   -2 copies all remaining dims; -3 merges two input dims; -4 a b splits one input dim into
//   a*b (one of a, b may be -1).
Shape reshape_special(const Attrs& attrs, const Shape& dshape, const Shape& spec) {
  Shape out;
  size_t src = 0;
  int infer_at = -1;
  auto need = [&](size_t n) {
    if (src + n > dshape.size()) bad_reshape(attrs, dshape, "the shape consumes more dimensions than the input has");
  };
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t v = spec[i];
    if (v > 0) {
      out.push_back(v);
      ++src;
    } else if (v == 0) {
      need(1);
      out.push_back(dshape[src++]);
    } else if (v == -1) {
      if (infer_at >= 0) bad_reshape(attrs, dshape, "at most one dimension can be -1");
      infer_at = static_cast<int>(out.size());
      out.push_back(1);
      ++src;
    } else if (v == -2) {
      for (; src < dshape.size(); ++src) out.push_back(dshape[src]);
    } else if (v == -3) {
      need(2);
      out.push_back(checked_mul(dshape[src], dshape[src + 1], "Operator Reshape: -3 merge of two dimensions"));
      src += 2;
    } else if (v == -4) {
      need(1);
      if (i + 2 >= spec.size()) bad_reshape(attrs, dshape, "-4 must be followed by two dimensions");
      int64_t d = dshape[src++], a = spec[i + 1], b = spec[i + 2];
      i += 2;
      if (a == -1 && b > 0 && d % b == 0) a = d / b;
      else if (b == -1 && a > 0 && d % a == 0) b = d / a;
      if (a <= 0 || b <= 0 || checked_mul(a, b, "Operator Reshape: -4 split") != d)
        bad_reshape(attrs, dshape, "-4 split of dimension " + std::to_string(d) + " into (" + std::to_string(spec[i - 1]) +
                                       ", " + std::to_string(spec[i]) + ") does not match");
      out.push_back(a);
      out.push_back(b);
    } else {
      bad_reshape(attrs, dshape, "invalid special value " + std::to_string(v));
    }
  }
  if (infer_at >= 0) {
    int64_t known = 1;
    for (size_t k = 0; k < out.size(); ++k)
      if (static_cast<int>(k) != infer_at) known = checked_mul(known, out[k], "Operator Reshape: product of the known dimensions");
    if (known == 0 || shape_size(dshape) % known != 0)
      bad_reshape(attrs, dshape, "the size " + std::to_string(shape_size(dshape)) + " is not divisible by the known dimensions");
    out[infer_at] = shape_size(dshape) / known;
  }
  return out;
}

Shape reshape_output(const Attrs& attrs, const Shape& dshape) {
  Shape out;
  const Shape& shape = attrs.get_shape("shape");
  if (!shape.empty()) {
    if (attrs.get_bool("reverse")) {
      Shape rd(dshape.rbegin(), dshape.rend()), rs(shape.rbegin(), shape.rend());
      out = reshape_special(attrs, rd, rs);
      std::reverse(out.begin(), out.end());
    } else {
      out = reshape_special(attrs, dshape, shape);
    }
  } else {
    // Legacy target_shape: one 0 entry is inferred; keep_highest keeps the first input dim.
    out = attrs.get_shape("target_shape");
    if (out.empty()) bad_reshape(attrs, dshape, "give the target shape in 'shape'");
    size_t start = attrs.get_bool("keep_highest") ? 1 : 0;
    if (start) out[0] = dshape[0];
    int zero_at = -1;
    for (size_t k = start; k < out.size(); ++k)
      if (out[k] == 0) zero_at = static_cast<int>(k);
    if (zero_at >= 0) {
      out[zero_at] = 1;
      out[zero_at] = shape_size(dshape) / std::max<int64_t>(1, shape_size(out));
    }
  }
  if (shape_size(out) != shape_size(dshape))
    bad_reshape(attrs, dshape, "the result " + shape_str(out) + " has " + std::to_string(shape_size(out)) +
                                   " elements, the input " + std::to_string(shape_size(dshape)));
  return out;
}

// Forward of every operator that only reinterprets the shape.
void copy_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  copy_if_distinct(in[0], out[0]);
}

// Output dtype follows input 0; other inputs (reshape_like's rhs) may have any dtype.
void type_from_first(const Attrs&, std::vector<int>* in, std::vector<int>* out) {
  if ((*in)[0] >= 0) (*out)[0] = (*in)[0];
  else if ((*out)[0] >= 0) (*in)[0] = (*out)[0];
}

std::vector<Tensor> reshape_back(const GradContext& g) {
  std::vector<Tensor> grads(g.inputs.size());
  grads[0] = op("reshape_like", {g.ograd(), g.input(0)});
  return grads;
}

// Permutes the dims of in[0] into out[0]: out.shape[i] = in.shape[perm[i]].
void permute(const TBlob& in, const TBlob& out, const std::vector<int>& perm) {
  Shape istr = strides_of(in.shape), src_strides(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) src_strides[i] = istr[perm[i]];
  strided_copy(in.data, 0, src_strides, out.data, 0, strides_of(out.shape), out.shape, dtype_size(in.dtype));
}

std::vector<int> transpose_axes(const Attrs& attrs, int ndim) {
  const Shape& axes = attrs.get_shape("axes");
  std::vector<int> perm(ndim);
  if (axes.empty()) {
    for (int i = 0; i < ndim; ++i) perm[i] = ndim - 1 - i;
    return perm;
  }
  MV_CHECK(static_cast<int>(axes.size()) == ndim, kValue)
      << "Operator transpose: axes " << shape_str(axes) << " must list all " << ndim << " dimensions of the input";
  std::vector<bool> seen(ndim, false);
  for (int i = 0; i < ndim; ++i) {
    perm[i] = normalize_axis(attrs, axes[i], ndim, "axes entry");
    MV_CHECK(!seen[perm[i]], kValue) << "Operator transpose: axes " << shape_str(axes) << " repeats axis " << perm[i];
    seen[perm[i]] = true;
  }
  return perm;
}

std::vector<int> swap_perm(const Attrs& attrs, int ndim) {
  std::vector<int> perm(ndim);
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[normalize_axis(attrs, attrs.get_int("dim1"), ndim, "dim1")],
            perm[normalize_axis(attrs, attrs.get_int("dim2"), ndim, "dim2")]);
  return perm;
}

Shape permuted(const Shape& s, const std::vector<int>& perm) {
  Shape out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = s[perm[i]];
  return out;
}

Shape squeeze_output(const Attrs& attrs, const Shape& d) {
  const int nd = static_cast<int>(d.size());
  std::vector<bool> drop(nd, false);
  if (attrs.is_none("axis") || attrs.get_shape("axis").empty()) {
    for (int i = 0; i < nd; ++i) drop[i] = d[i] == 1;
  } else {
    for (int64_t a : attrs.get_shape("axis")) {
      int ax = normalize_axis(attrs, a, nd);
      MV_CHECK(d[ax] == 1, kValue) << "Operator squeeze: cannot squeeze axis " << a << " of shape " << shape_str(d)
                                   << ": its size is " << d[ax] << ", not 1";
      drop[ax] = true;
    }
  }
  Shape out;
  for (int i = 0; i < nd; ++i)
    if (!drop[i]) out.push_back(d[i]);
  if (out.empty()) out.push_back(1);  // no 0-d arrays in MXNet 1.x
  return out;
}

// reshape_like: lhs.shape[:lb] + rhs.shape[rb:re] + lhs.shape[le:]; None bounds mean the ends.
Shape reshape_like_output(const Attrs& attrs, const Shape& lhs, const Shape& rhs) {
  auto bound = [&](const char* name, int64_t dflt, int nd) -> int64_t {
    if (attrs.is_none(name)) return dflt;
    int64_t v = attrs.get_int(name);
    if (v < 0) v += nd;
    MV_CHECK(v >= 0 && v <= nd, kValue) << "Operator reshape_like: " << name << "=" << attrs.get_int(name)
                                        << " is out of range for " << nd << " dimension(s)";
    return v;
  };
  const int ln = static_cast<int>(lhs.size()), rn = static_cast<int>(rhs.size());
  int64_t lb = bound("lhs_begin", 0, ln), le = bound("lhs_end", ln, ln);
  int64_t rb = bound("rhs_begin", 0, rn), re = bound("rhs_end", rn, rn);
  MV_CHECK(lb <= le && rb <= re, kValue) << "Operator reshape_like: begin must not exceed end (lhs [" << lb << ", "
                                         << le << "), rhs [" << rb << ", " << re << "))";
  Shape out(lhs.begin(), lhs.begin() + lb);
  out.insert(out.end(), rhs.begin() + rb, rhs.begin() + re);
  out.insert(out.end(), lhs.begin() + le, lhs.end());
  MV_CHECK(shape_size(out) == shape_size(lhs), kValue)
      << "Operator reshape_like: cannot reshape lhs of shape " << shape_str(lhs) << " into " << shape_str(out)
      << " (from rhs " << shape_str(rhs) << "): the element counts differ";
  if (out.empty()) out.push_back(1);
  return out;
}

}  // namespace

MV_REGISTER_OP(Reshape)
    .alias("reshape")
    .describe(
        "Reshapes the input array without changing its data.\n\n"
        "Special values in `shape`: 0 copies this input dimension, -1 infers it from the size, -2 copies all "
        "remaining dimensions, -3 merges two consecutive dimensions, -4 splits one dimension into the next two "
        "values (one of which may be -1). With reverse=True the special values are matched from the right.\n\n"
        "Example::\n\n  x.shape = (2, 3, 4)\n  reshape(x, shape=(4, 0, -1)).shape = (4, 3, 2)\n"
        "  reshape(x, shape=(-3, -2)).shape = (6, 4)\n  reshape(x, shape=(-1, 0), reverse=True).shape = (6, 4)")
    .input("data", "Input data to reshape.")
    .param("shape", ParamType::kShape, "[]", "The target shape, with special values 0, -1, -2, -3, -4.")
    .kind(ParamKind::kPerDim)
    .param("reverse", ParamType::kBool, "False", "Match the special values from right to left.")
    .param("target_shape", ParamType::kShape, "[]", "(Deprecated, use shape) Target shape; one 0 is inferred.")
    .kind(ParamKind::kPerDim)
    .param("keep_highest", ParamType::kBool, "False",
           "(Deprecated, use shape) With target_shape: keep the first input dimension.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = reshape_output(attrs, (*in)[0]);
    })
    .set_forward(copy_forward)
    .set_gradient(reshape_back)
    .set_inplace(0, 0)
    .set_method("reshape")
    .add_sample(op_sample({{2, 3, 4}}, {{"shape", "(4, 0, -1)"}}))
    .add_sample(op_sample({{2, 3, 4}}, {{"shape", "(-4, 1, 2, -3)"}}))
    .add_sample(op_sample({{2, 3, 4}}, {{"shape", "(-1, 0)"}, {"reverse", "True"}}));

MV_REGISTER_OP(Flatten)
    .alias("flatten")
    .describe(
        "Flattens the input into a 2-D array, keeping the first dimension: (d1, d2*...*dk).\n\n"
        "Example::\n\n  x.shape = (2, 3, 4)\n  flatten(x).shape = (2, 12)")
    .input("data", "Input array.")
    .set_infer_shape([](const Attrs&, std::vector<Shape>* in, std::vector<Shape>* out) {
      const Shape& d = (*in)[0];
      if (d.empty()) return;
      (*out)[0] = Shape{d[0], shape_size(Shape(d.begin() + 1, d.end()))};
    })
    .set_forward(copy_forward)
    .set_gradient(reshape_back)
    .set_inplace(0, 0)
    .set_method("flatten")
    .add_sample(op_sample({{2, 3, 2}}, {}));

MV_REGISTER_OP(transpose)
    .describe(
        "Permutes the dimensions of an array. With no axes the dimensions are reversed.\n\n"
        "Example::\n\n  x = [[1, 2], [3, 4]]\n  transpose(x) = [[1, 3], [2, 4]]\n"
        "  transpose(ones((2, 3, 4)), axes=(1, 0, 2)).shape = (3, 2, 4)")
    .input("data", "Source input.")
    .param("axes", ParamType::kShape, "[]", "Target axis order; by default the axes are reversed.")
    .kind(ParamKind::kPermutation)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = permuted((*in)[0], transpose_axes(attrs, static_cast<int>((*in)[0].size())));
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      permute(in[0], out[0], transpose_axes(attrs, in[0].ndim()));
    })
    .set_gradient([](const GradContext& g) {
      // The inverse permutation; the default reversal is its own inverse (and the rank is
      // not known here without an axes list).
      const Shape& axes = g.attrs->get_shape("axes");
      if (axes.empty()) return std::vector<Tensor>{op("transpose", {g.ograd()})};
      const int nd = static_cast<int>(axes.size());
      Shape inv(nd);
      for (int i = 0; i < nd; ++i) inv[axes[i] < 0 ? axes[i] + nd : axes[i]] = i;
      return std::vector<Tensor>{op("transpose", {g.ograd()}, {{"axes", shape_str(inv)}})};
    })
    .set_method("transpose")
    .add_sample(op_sample({{2, 3, 4}}, {}))
    .add_sample(op_sample({{2, 3, 4}}, {{"axes", "(1, 2, 0)"}}));

MV_REGISTER_OP(SwapAxis)
    .alias("swapaxes")
    .describe(
        "Interchanges two axes of an array.\n\n"
        "Example::\n\n  x = [[1, 2, 3]]\n  swapaxes(x, dim1=0, dim2=1) = [[1], [2], [3]]")
    .input("data", "Input array.")
    .param("dim1", ParamType::kInt, "0", "The first axis to swap.").kind(ParamKind::kAxis)
    .param("dim2", ParamType::kInt, "0", "The second axis to swap.").kind(ParamKind::kAxis)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = permuted((*in)[0], swap_perm(attrs, static_cast<int>((*in)[0].size())));
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      permute(in[0], out[0], swap_perm(attrs, in[0].ndim()));
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("SwapAxis", {g.ograd()}, g.forward_params())};
    })
    .set_method("swapaxes")
    .add_sample(op_sample({{2, 3, 4}}, {{"dim1", "0"}, {"dim2", "2"}}));

MV_REGISTER_OP(expand_dims)
    .describe(
        "Inserts a new axis of size 1 at position `axis` (in [-ndim-1, ndim]).\n\n"
        "Example::\n\n  x.shape = (2, 3)\n  expand_dims(x, axis=1).shape = (2, 1, 3)\n"
        "  expand_dims(x, axis=-1).shape = (2, 3, 1)")
    .input("data", "Source input.")
    .required_param("axis", ParamType::kInt, "Position of the new axis; negative counts from the end.")
    .kind(ParamKind::kAxis)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      Shape d = (*in)[0];
      if (d.empty()) return;
      const int nd = static_cast<int>(d.size());
      int64_t axis = attrs.get_int("axis");
      MV_CHECK(axis >= -nd - 1 && axis <= nd, kValue)
          << "Operator expand_dims: axis=" << axis << " is out of range for input shape " << shape_str(d)
          << "; expected a value in [" << -nd - 1 << ", " << nd << "]";
      if (axis < 0) axis += nd + 1;
      d.insert(d.begin() + axis, 1);
      (*out)[0] = d;
    })
    .set_forward(copy_forward)
    .set_gradient(reshape_back)
    .set_inplace(0, 0)
    .set_method("expand_dims")
    .add_sample(op_sample({{2, 3}}, {{"axis", "1"}}));

MV_REGISTER_OP(squeeze)
    .describe(
        "Removes axes of size 1: all of them, or those listed in `axis` (which must have size 1). "
        "Squeezing every axis of a (1, 1) array gives shape (1,).\n\n"
        "Example::\n\n  x.shape = (1, 3, 1)\n  squeeze(x).shape = (3,)\n  squeeze(x, axis=0).shape = (3, 1)")
    .input("data", "Input array.")
    .param("axis", ParamType::kShape, "None", "Axes to remove; None removes every axis of size 1.")
    .kind(ParamKind::kAxes)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = squeeze_output(attrs, (*in)[0]);
    })
    .set_forward(copy_forward)
    .set_gradient(reshape_back)
    .set_inplace(0, 0)
    .set_method("squeeze")
    .add_sample(op_sample({{2, 1, 3, 1}}, {}))
    .add_sample(op_sample({{2, 1, 3, 1}}, {{"axis", "(-1,)"}}));

MV_REGISTER_OP(reshape_like)
    .describe(
        "Reshapes lhs to the shape of rhs, or replaces lhs dimensions [lhs_begin, lhs_end) with rhs dimensions "
        "[rhs_begin, rhs_end). rhs only provides its shape and gets no gradient.\n\n"
        "Example::\n\n  lhs.shape = (30, 7), rhs.shape = (15, 2, 4)\n"
        "  reshape_like(lhs, rhs, lhs_begin=0, lhs_end=1, rhs_begin=0, rhs_end=2).shape = (15, 2, 7)")
    .input("lhs", "First input.")
    .input("rhs", "Second input; only its shape is used.")
    .param("lhs_begin", ParamType::kInt, "None", "Defaults to 0. The first lhs dimension to replace.")
    .param("lhs_end", ParamType::kInt, "None", "Defaults to ndim. One past the last lhs dimension to replace.")
    .param("rhs_begin", ParamType::kInt, "None", "Defaults to 0. The first rhs dimension to use.")
    .param("rhs_end", ParamType::kInt, "None", "Defaults to ndim. One past the last rhs dimension to use.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty() || (*in)[1].empty()) return;
      (*out)[0] = reshape_like_output(attrs, (*in)[0], (*in)[1]);
    })
    .set_infer_type(type_from_first)
    .set_forward(copy_forward)
    .set_gradient(reshape_back)
    .set_inplace(0, 0)
    .set_method("reshape_like")
    .add_sample([] {
      OpSample s = op_sample({{6}, {2, 3}}, {});
      s.no_grad_inputs = {1};
      return s;
    }())
    .add_sample([] {
      OpSample s = op_sample({{6, 2}, {3, 2, 5}}, {{"lhs_begin", "0"}, {"lhs_end", "1"}, {"rhs_begin", "0"}, {"rhs_end", "-1"}});
      s.no_grad_inputs = {1};
      return s;
    }());

}  // namespace minerva
