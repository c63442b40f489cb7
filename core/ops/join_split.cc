// Joining and splitting: Concat, stack, SliceChannel (split) and Concat's backward.
// All of them move contiguous blocks: seen as (outer, rest) matrices, every part owns a column
// block of each output row, so one memcpy per (row, part) does the work for any dtype.
#include <algorithm>
#include <cstring>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"

namespace minerva {
namespace {

int64_t prod(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= s[i];
  return p;
}

// whole[o] = concat(parts[0][o], parts[1][o], ...) for each of `outer` rows.
void join_blocks(const std::vector<TBlob>& parts, const TBlob& whole, int64_t outer) {
  if (outer == 0) return;
  const size_t es = dtype_size(whole.dtype);
  std::vector<int64_t> row(parts.size());
  int64_t whole_row = 0;
  for (size_t p = 0; p < parts.size(); ++p) whole_row += row[p] = parts[p].size() / outer;
  char* dst = static_cast<char*>(whole.data);
  parallel_for(
      outer,
      [&](int64_t o) {
        char* d = dst + static_cast<size_t>(o * whole_row) * es;
        for (size_t p = 0; p < parts.size(); ++p) {
          const size_t bytes = static_cast<size_t>(row[p]) * es;
          std::memcpy(d, static_cast<const char*>(parts[p].data) + o * bytes, bytes);
          d += bytes;
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, whole_row)));
}

// The inverse of join_blocks: parts[p][o] = the p-th column block of whole[o].
void split_blocks(const TBlob& whole, const std::vector<TBlob>& parts, int64_t outer) {
  if (outer == 0) return;
  const size_t es = dtype_size(whole.dtype);
  std::vector<int64_t> row(parts.size());
  int64_t whole_row = 0;
  for (size_t p = 0; p < parts.size(); ++p) whole_row += row[p] = parts[p].size() / outer;
  const char* src = static_cast<const char*>(whole.data);
  parallel_for(
      outer,
      [&](int64_t o) {
        const char* s = src + static_cast<size_t>(o * whole_row) * es;
        for (size_t p = 0; p < parts.size(); ++p) {
          const size_t bytes = static_cast<size_t>(row[p]) * es;
          std::memcpy(static_cast<char*>(parts[p].data) + o * bytes, s, bytes);
          s += bytes;
        }
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, whole_row)));
}

std::string input_name(size_t i) { return "arg" + std::to_string(i); }

// Concat's shapes: all dims but `dim` agree. Fills one unknown input from a known output.
void concat_shapes(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out, size_t first) {
  const Shape* ref = nullptr;
  size_t ref_i = 0;
  for (size_t i = first; i < in->size() && !ref; ++i)
    if (!(*in)[i].empty()) ref = &(*in)[i], ref_i = i;
  if (!ref) return;
  const int nd = static_cast<int>(ref->size());
  const int ax = normalize_axis(attrs, attrs.get_int("dim"), nd, "dim");
  int64_t total = 0;
  int unknown = -1, n_unknown = 0;
  for (size_t i = first; i < in->size(); ++i) {
    const Shape& s = (*in)[i];
    if (s.empty()) {
      unknown = static_cast<int>(i);
      ++n_unknown;
      continue;
    }
    bool ok = static_cast<int>(s.size()) == nd;
    for (int k = 0; ok && k < nd; ++k) ok = k == ax || s[k] == (*ref)[k];
    MV_CHECK(ok, kValue) << "Operator " << attrs.op->name << ": input '" << input_name(i - first) << "' has shape "
                         << shape_str(s) << ", input '" << input_name(ref_i - first) << "' has "
                         << shape_str(*ref) << "; all dimensions except dim=" << ax << " must agree";
    total += s[ax];
  }
  Shape o = *ref;
  if (n_unknown == 0) {
    o[ax] = total;
    (*out)[0] = o;
  } else if (n_unknown == 1 && !(*out)[0].empty() && (*out)[0].size() == o.size()) {
    o[ax] = (*out)[0][ax] - total;
    (*in)[unknown] = o;
  }
}

}  // namespace

MV_REGISTER_OP(Concat)
    .alias("concat")
    .describe(
        "Joins arrays along an existing axis. All dimensions except `dim` must agree.\n\n"
        "Example::\n\n  x = [[1, 1], [2, 2]], y = [[3, 3]]\n  concat(x, y, dim=0) = [[1, 1], [2, 2], [3, 3]]\n"
        "  concat(x, x, dim=1) = [[1, 1, 1, 1], [2, 2, 2, 2]]")
    .input("arg", "List of arrays to concatenate.")
    .set_variadic("num_args")
    .required_param("num_args", ParamType::kInt, "Number of inputs to be concatenated.")
    .bounds(1, 1e9)
    .param("dim", ParamType::kInt, "1", "The dimension to be concatenated along.").kind(ParamKind::kAxis)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      concat_shapes(attrs, in, out, 0);
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      int ax = normalize_axis(attrs, attrs.get_int("dim"), out[0].ndim(), "dim");
      join_blocks(in, out[0], prod(out[0].shape, 0, ax));
    })
    .set_gradient([](const GradContext& g) {
      std::vector<Tensor> args{g.ograd()};
      args.insert(args.end(), g.inputs.begin(), g.inputs.end());
      return op_all("_backward_Concat", args, g.forward_params());
    })
    .add_sample(op_sample({{2, 3}, {2, 2}, {2, 1}}, {{"num_args", "3"}, {"dim", "1"}}))
    .add_sample(op_sample({{1, 2, 2}, {3, 2, 2}}, {{"num_args", "2"}, {"dim", "0"}}))
    .add_sample(op_sample({{2, 2, 1}, {2, 2, 3}}, {{"num_args", "2"}, {"dim", "-1"}}));

// Concat's gradient: splits ograd into pieces shaped like the forward inputs (which are read
// only for their shapes). Linear in ograd, so its own gradient is a Concat.
MV_REGISTER_OP(_backward_Concat)
    .describe("Gradient of Concat: splits ograd along `dim` into pieces shaped like arg0, arg1, ...")
    .params_from("Concat")
    .set_list_inputs([](const Attrs& a) {
      std::vector<std::string> names{"ograd"};
      for (int64_t i = 0; i < a.get_int("num_args"); ++i) names.push_back(input_name(i));
      return names;
    })
    .required_param("num_args", ParamType::kInt, "Number of forward inputs.")
    .bounds(1, 1e9)
    .param("dim", ParamType::kInt, "1", "The concatenation dimension.").kind(ParamKind::kAxis)
    .set_num_outputs([](const Attrs& a) { return static_cast<int>(a.get_int("num_args")); })
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      std::vector<Shape> cat(1);
      concat_shapes(attrs, in, &cat, 1);
      if (!cat[0].empty() && !(*in)[0].empty() && cat[0] != (*in)[0]) shape_mismatch(attrs, "input 'ograd'", cat[0], (*in)[0]);
      for (size_t i = 0; i < out->size(); ++i) (*out)[i] = (*in)[i + 1];
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      int ax = normalize_axis(attrs, attrs.get_int("dim"), in[0].ndim(), "dim");
      split_blocks(in[0], out, prod(in[0].shape, 0, ax));
    })
    .set_gradient([](const GradContext& g) {
      std::vector<Tensor> grads(g.inputs.size());
      grads[0] = op("Concat", g.out_grads, g.forward_params());
      return grads;
    })
    .add_sample([] {
      OpSample s = op_sample({{2, 5}, {2, 3}, {2, 2}}, {{"num_args", "2"}, {"dim", "1"}});
      s.no_grad_inputs = {1, 2};
      return s;
    }());

MV_REGISTER_OP(stack)
    .describe(
        "Joins arrays of the same shape along a new axis (in [-ndim-1, ndim]).\n\n"
        "Example::\n\n  x = [1, 2], y = [3, 4]\n  stack(x, y) = [[1, 2], [3, 4]]\n  stack(x, y, axis=1) = [[1, 3], [2, 4]]")
    .input("arg", "List of arrays to stack.")
    .set_variadic("num_args")
    .param("axis", ParamType::kInt, "0", "The axis in the result array along which the input arrays are stacked.")
    .kind(ParamKind::kAxis)
    .required_param("num_args", ParamType::kInt, "Number of inputs to be stacked.")
    .bounds(1, 1e9)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      Shape ref;
      size_t ref_i = 0;
      for (size_t i = 0; i < in->size() && ref.empty(); ++i) ref = (*in)[i], ref_i = i;
      if (ref.empty()) return;
      for (size_t i = 0; i < in->size(); ++i) {
        if ((*in)[i].empty()) (*in)[i] = ref;
        MV_CHECK((*in)[i] == ref, kValue) << "Operator stack: input '" << input_name(i) << "' has shape "
                                          << shape_str((*in)[i]) << ", input '" << input_name(ref_i) << "' has "
                                          << shape_str(ref) << "; all inputs must have the same shape";
      }
      const int nd = static_cast<int>(ref.size());
      int64_t axis = attrs.get_int("axis");
      MV_CHECK(axis >= -nd - 1 && axis <= nd, kValue) << "Operator stack: axis=" << axis << " is out of range for inputs of shape "
                                                      << shape_str(ref) << "; expected [" << -nd - 1 << ", " << nd << "]";
      if (axis < 0) axis += nd + 1;
      ref.insert(ref.begin() + axis, static_cast<int64_t>(in->size()));
      (*out)[0] = ref;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      int ax = normalize_axis(attrs, attrs.get_int("axis"), out[0].ndim());
      join_blocks(in, out[0], prod(out[0].shape, 0, ax));
    })
    .set_gradient([](const GradContext& g) {
      return op_all("SliceChannel", {g.ograd()},
                    {{"num_outputs", std::to_string(g.inputs.size())},
                     {"axis", std::to_string(g.attrs->get_int("axis"))},
                     {"squeeze_axis", "True"}});
    })
    .add_sample(op_sample({{2, 3}, {2, 3}}, {{"num_args", "2"}, {"axis", "1"}}))
    .add_sample(op_sample({{3}, {3}, {3}}, {{"num_args", "3"}, {"axis", "-1"}}));

MV_REGISTER_OP(SliceChannel)
    .alias("split")
    .describe(
        "Splits an array along `axis` into num_outputs equal parts. With squeeze_axis=True the split axis "
        "(whose size must then equal num_outputs) is removed from the outputs.\n\n"
        "Example::\n\n  x = [[1, 2], [3, 4], [5, 6]]\n  split(x, num_outputs=2, axis=1) = [[1], [3], [5]], [[2], [4], [6]]\n"
        "  split(x, num_outputs=3, axis=0, squeeze_axis=True) = [1, 2], [3, 4], [5, 6]")
    .input("data", "The input")
    .required_param("num_outputs", ParamType::kInt, "Number of splits. Note that this should evenly divide the length of the `axis`.")
    .bounds(1, 1e9)
    .param("axis", ParamType::kInt, "1", "Axis along which to split.").kind(ParamKind::kAxis)
    .param("squeeze_axis", ParamType::kBool, "False", "If true, removes the axis with length 1 from the shapes of the output arrays.")
    .set_num_outputs([](const Attrs& a) { return static_cast<int>(a.get_int("num_outputs")); })
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      Shape d = (*in)[0];
      if (d.empty()) return;
      const int64_t n = attrs.get_int("num_outputs");
      const int ax = normalize_axis(attrs, attrs.get_int("axis"), static_cast<int>(d.size()));
      MV_CHECK(d[ax] % n == 0, kValue) << "Operator SliceChannel: cannot split axis " << ax << " of shape "
                                       << shape_str(d) << " into num_outputs=" << n << " equal parts";
      if (attrs.get_bool("squeeze_axis")) {
        MV_CHECK(d[ax] == n, kValue) << "Operator SliceChannel: with squeeze_axis=True the split axis must have size "
                                     << "num_outputs=" << n << ", but axis " << ax << " of " << shape_str(d)
                                     << " has size " << d[ax];
        d.erase(d.begin() + ax);
        if (d.empty()) d.push_back(1);
      } else {
        d[ax] /= n;
      }
      for (auto& o : *out) o = d;
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      int ax = normalize_axis(attrs, attrs.get_int("axis"), in[0].ndim());
      split_blocks(in[0], out, prod(in[0].shape, 0, ax));
    })
    .set_gradient([](const GradContext& g) {
      std::vector<Tensor> parts = g.out_grads;
      const std::string axis = std::to_string(g.attrs->get_int("axis"));
      if (g.attrs->get_bool("squeeze_axis"))
        for (auto& p : parts) p = op("expand_dims", {p}, {{"axis", axis}});
      // A squeezed 1-d input gave (1,)-shaped parts: reshape the join back to the input.
      Tensor joined = op("Concat", parts, {{"num_args", std::to_string(parts.size())}, {"dim", axis}});
      return std::vector<Tensor>{op("reshape_like", {joined, g.input()})};
    })
    .set_method("split")
    .add_sample(op_sample({{2, 6}}, {{"num_outputs", "3"}}))
    .add_sample(op_sample({{3, 4}}, {{"num_outputs", "3"}, {"axis", "0"}, {"squeeze_axis", "True"}}))
    .add_sample(op_sample({{2, 2, 3}}, {{"num_outputs", "3"}, {"axis", "-1"}, {"squeeze_axis", "1"}}));

}  // namespace minerva
