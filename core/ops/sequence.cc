// Variable-length sequence operators of MXNet 1.x: SequenceMask, SequenceLast and SequenceReverse.
//
// Note [Sequence layout]
// data holds a batch of padded sequences with time along `axis` (0: (time, batch, ...); 1 for
// SequenceMask and SequenceLast: (batch, time, ...)). With use_sequence_length the input
// sequence_length (shape (batch,), any dtype, truncated to integers) gives each sequence's
// valid length; without it every sequence is full length and the input is absent. Each element
// is addressed as (t, b, r), r running over the trailing dimensions.
#include <algorithm>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/backward_shape.h"
#include "core/ops/layout_util.h"

namespace minerva {
namespace {

struct SeqLayout {
  int axis = 0;
  int64_t steps = 0, batch = 0, rest = 1;
  int64_t at(int64_t t, int64_t b, int64_t r) const {
    return axis == 0 ? (t * batch + b) * rest + r : (b * steps + t) * rest + r;
  }
};

bool uses_lengths(const Attrs& attrs) { return attrs.get_bool("use_sequence_length"); }

SeqLayout seq_layout(const Attrs& attrs, const Shape& d) {
  const int64_t axis = attrs.get_int("axis");
  MV_CHECK(axis == 0 || axis == 1, kValue) << "Operator " << attrs.op->name << ": axis must be 0 or 1, got " << axis;
  MV_CHECK(d.size() >= 2, kValue) << "Operator " << attrs.op->name
                                  << " needs data with at least 2 dimensions (time and batch), got shape " << shape_str(d);
  SeqLayout l;
  l.axis = static_cast<int>(axis);
  l.steps = d[l.axis];
  l.batch = d[1 - l.axis];
  for (size_t i = 2; i < d.size(); ++i) l.rest *= d[i];
  return l;
}

// SequenceLast's output: one step per sequence, (batch, trailing dims...).
Shape seq_last_shape(const Attrs& attrs, const Shape& d) {
  const SeqLayout l = seq_layout(attrs, d);
  Shape o{l.batch};
  o.insert(o.end(), d.begin() + 2, d.end());
  return o;
}

std::vector<std::string> seq_inputs(const Attrs& attrs) {
  if (uses_lengths(attrs)) return {"data", "sequence_length"};
  return {"data"};
}

// Checks the optional sequence_length input (at index `i` of in) against the batch size.
void check_lengths(const Attrs& attrs, const SeqLayout& l, std::vector<Shape>* in, size_t i) {
  if (!uses_lengths(attrs)) return;
  const Shape want{l.batch};
  if ((*in)[i].empty()) (*in)[i] = want;
  if ((*in)[i] != want) shape_mismatch(attrs, "input 'sequence_length' (one length per sequence)", want, (*in)[i]);
}

// SequenceMask's and SequenceReverse's shape: the output is shaped like data.
void seq_same_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].empty()) return;
  check_lengths(attrs, seq_layout(attrs, (*in)[0]), in, 1);
  (*out)[0] = (*in)[0];
}

// Data and output share a dtype; sequence_length keeps its own (the data's when unknown).
void seq_infer_type(const Attrs&, std::vector<int>* in, std::vector<int>* out) {
  int d = (*in)[0] >= 0 ? (*in)[0] : (*out)[0];
  if (d < 0) return;
  (*in)[0] = (*out)[0] = d;
  for (size_t i = 1; i < in->size(); ++i)
    if ((*in)[i] < 0) (*in)[i] = d;
}

// The valid length of every sequence: sequence_length truncated, or the full length. With
// `at_least_one`, a length outside [1, steps] is an error (SequenceLast reads step length - 1);
// otherwise lengths are clipped to [0, steps].
std::vector<int64_t> seq_lengths(const Attrs& attrs, const SeqLayout& l, const std::vector<TBlob>& in, size_t i,
                                 bool at_least_one) {
  std::vector<int64_t> len(static_cast<size_t>(l.batch), l.steps);
  if (!uses_lengths(attrs)) return len;
  std::vector<double> v(static_cast<size_t>(l.batch));
  cast_copy(in[i], TBlob{v.data(), in[i].shape, DType::kFloat64});
  for (size_t b = 0; b < v.size(); ++b) {
    const int64_t n = static_cast<int64_t>(v[b]);
    if (at_least_one) {
      MV_CHECK(n >= 1 && n <= l.steps, kValue) << "Operator " << attrs.op->name << ": sequence_length[" << b << "] = "
                                               << v[b] << " must lie in [1, " << l.steps << "]";
    }
    len[b] = std::min(std::max<int64_t>(n, 0), l.steps);
  }
  return len;
}

// Runs f(t, b) for every time step t of every sequence b, in parallel.
template <typename F>
void for_each_step(const SeqLayout& l, F f) {
  parallel_for(l.steps * l.batch, [&](int64_t tb) { f(tb / l.batch, tb % l.batch); });
}

// Which time step of sequence b feeds position t under SequenceReverse.
int64_t reversed_step(int64_t t, int64_t len) { return t < len ? len - 1 - t : t; }

OpSample seq_sample(std::vector<Shape> shapes, KeyValues params) {
  OpSample s = op_sample(std::move(shapes), std::move(params));
  // sequence_length, when present, draws from the same domain: lengths 1 or 2 of 3 steps.
  s.lo = 1.0;
  s.hi = 2.9;
  if (s.shapes.size() > 1) s.no_grad_inputs = {1};
  return s;
}

// The gradient with respect to data, and none for sequence_length.
std::vector<Tensor> data_grad_only(const GradContext& g, Tensor d) {
  std::vector<Tensor> r{d};
  if (uses_lengths(*g.attrs)) r.push_back(Tensor{});
  return r;
}

}  // namespace

#define MV_SEQUENCE_LENGTH_PARAM                                                                                 \
  param("use_sequence_length", ParamType::kBool, "False",                                                       \
        "If set to true, this layer takes in an extra input parameter `sequence_length` to specify variable "  \
        "length sequence")
#define MV_SEQUENCE_AXIS_PARAM(AXIS_DOC) param("axis", ParamType::kInt, "0", AXIS_DOC).kind(ParamKind::kAxis)
#define MV_SEQUENCE_PARAMS(AXIS_DOC) MV_SEQUENCE_LENGTH_PARAM.MV_SEQUENCE_AXIS_PARAM(AXIS_DOC)

MV_REGISTER_OP(SequenceMask)
    .describe(
        "Sets all elements outside the sequence to a constant value.\n\n"
        "Takes an n-dimensional input array of the form [max_sequence_length, batch_size, other_feature_dims] "
        "(axis=0) or [batch_size, max_sequence_length, other_feature_dims] (axis=1), and with "
        "use_sequence_length the lengths of the sequences (shape [batch_size]); every step at or beyond a "
        "sequence's length is set to ``value``. Without use_sequence_length the output is the input. See "
        "Note [Sequence layout] in the source.\n\n"
        "Example::\n\n"
        "  x = [[1, 2], [3, 4], [5, 6]]   (3 steps, batch 2)\n"
        "  SequenceMask(x, sequence_length=[1, 2], use_sequence_length=True, value=-1) = [[1, 2], [-1, 4], [-1, -1]]")
    .input("data", "n-dimensional input array of the form [max_sequence_length, batch_size, other_feature_dims] "
                   "where n>2")
    .input("sequence_length", "vector of sequence lengths of the form [batch_size]")
    .set_list_inputs(seq_inputs)
    // MXNet declares value before axis (SequenceMaskParam): positional calls depend on the order.
    .MV_SEQUENCE_LENGTH_PARAM
    .param("value", ParamType::kFloat, "0", "The value to be used as a mask.")
    .MV_SEQUENCE_AXIS_PARAM("The sequence axis. Only values of 0 and 1 are currently supported.")
    .set_infer_shape(seq_same_shape)
    .set_infer_type(seq_infer_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const SeqLayout l = seq_layout(attrs, in[0].shape);
      const std::vector<int64_t> len = seq_lengths(attrs, l, in, 1, false);
      const double value = attrs.get_float("value");
      MV_DTYPE_SWITCH(out[0].dtype, T, {
        const T* x = in[0].ptr<T>();
        T* y = out[0].ptr<T>();
        const T v = static_cast<T>(value);
        for_each_step(l, [&](int64_t t, int64_t b) {
          const bool keep = t < len[static_cast<size_t>(b)];
          for (int64_t r = 0; r < l.rest; ++r) {
            const int64_t j = l.at(t, b, r);
            y[j] = keep ? x[j] : v;
          }
        });
      });
    })
    .set_gradient([](const GradContext& g) {
      if (!uses_lengths(*g.attrs)) return data_grad_only(g, g.ograd());
      GradParams p = g.forward_params();
      for (auto& kv : p)
        if (kv.first == "value") kv.second = "0";
      return data_grad_only(g, op("SequenceMask", {g.ograd(), g.input(1)}, p));
    })
    .set_inplace(0, 0)
    .add_sample(seq_sample({{3, 2, 2}, {2}}, {{"use_sequence_length", "True"}, {"value", "-1"}}))
    .add_sample(seq_sample({{2, 3}, {2}}, {{"use_sequence_length", "True"}, {"axis", "1"}}))
    .add_sample(seq_sample({{3, 2}}, {}));

MV_REGISTER_OP(SequenceLast)
    .describe(
        "Takes the last element of a sequence.\n\n"
        "For an n-dimensional input of the form [max_sequence_length, batch_size, other_feature_dims] (axis=0) or "
        "[batch_size, max_sequence_length, other_feature_dims] (axis=1), returns the (n-1)-dimensional array "
        "[batch_size, other_feature_dims] holding each sequence's last valid step: step sequence_length - 1 with "
        "use_sequence_length, the final step otherwise.\n\n"
        "Example::\n\n"
        "  x = [[1, 2], [3, 4], [5, 6]]   (3 steps, batch 2)\n"
        "  SequenceLast(x) = [5, 6]\n"
        "  SequenceLast(x, sequence_length=[1, 2], use_sequence_length=True) = [1, 4]")
    .input("data", "n-dimensional input array of the form [max_sequence_length, batch_size, other_feature_dims] "
                   "where n>2")
    .input("sequence_length", "vector of sequence lengths of the form [batch_size]")
    .set_list_inputs(seq_inputs)
    .MV_SEQUENCE_PARAMS("The sequence axis. Only values of 0 and 1 are currently supported.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      check_lengths(attrs, seq_layout(attrs, (*in)[0]), in, 1);
      (*out)[0] = seq_last_shape(attrs, (*in)[0]);
    })
    .set_infer_type(seq_infer_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const SeqLayout l = seq_layout(attrs, in[0].shape);
      const std::vector<int64_t> len = seq_lengths(attrs, l, in, 1, true);
      MV_ELEM_SWITCH(dtype_size(out[0].dtype), T, {
        const T* x = in[0].ptr<T>();
        T* y = out[0].ptr<T>();
        for (int64_t b = 0; b < l.batch; ++b)
          for (int64_t r = 0; r < l.rest; ++r) y[b * l.rest + r] = x[l.at(len[static_cast<size_t>(b)] - 1, b, r)];
      });
    })
    .set_gradient([](const GradContext& g) {
      std::vector<Tensor> in{g.ograd(), g.input(0)};
      if (uses_lengths(*g.attrs)) in.push_back(g.input(1));
      return data_grad_only(g, op("_backward_SequenceLast", in, g.forward_params()));
    })
    .add_sample(seq_sample({{3, 2, 2}, {2}}, {{"use_sequence_length", "True"}}))
    .add_sample(seq_sample({{2, 3}, {2}}, {{"use_sequence_length", "True"}, {"axis", "1"}}))
    .add_sample(seq_sample({{3, 2}}, {}));

MV_REGISTER_OP(_backward_SequenceLast)
    .describe("Gradient of SequenceLast: zeros shaped like data, with ograd written at each sequence's last step.")
    .input("ograd", "gradient of SequenceLast's output")
    .input("data", "SequenceLast's input; only its shape is used")
    .input("sequence_length", "SequenceLast's sequence lengths")
    .params_from("SequenceLast")
    .set_list_inputs([](const Attrs& attrs) {
      std::vector<std::string> names{"ograd", "data"};
      if (uses_lengths(attrs)) names.push_back("sequence_length");
      return names;
    })
    .MV_SEQUENCE_PARAMS("As in SequenceLast.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      // ograd must be SequenceLast's output for this data: the kernel reads batch * rest values.
      const Shape& d = (*in)[1];
      if (d.empty()) return;
      check_lengths(attrs, seq_layout(attrs, d), in, 2);
      expect_input_shape(attrs, in, 0, seq_last_shape(attrs, d));
      (*out)[0] = d;
    })
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) { (*out)[0] = (*in)[0]; })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const SeqLayout l = seq_layout(attrs, out[0].shape);
      const std::vector<int64_t> len = seq_lengths(attrs, l, in, 2, true);
      fill_blob(out[0], 0);
      MV_ELEM_SWITCH(dtype_size(out[0].dtype), T, {
        const T* dy = in[0].ptr<T>();
        T* dx = out[0].ptr<T>();
        for (int64_t b = 0; b < l.batch; ++b)
          for (int64_t r = 0; r < l.rest; ++r) dx[l.at(len[static_cast<size_t>(b)] - 1, b, r)] = dy[b * l.rest + r];
      });
    })
    .set_non_differentiable();

MV_REGISTER_OP(SequenceReverse)
    .describe(
        "Reverses the elements of each sequence.\n\n"
        "Takes an n-dimensional input array of the form [max_sequence_length, batch_size, other_feature_dims] and "
        "reverses the first sequence_length steps of every sequence (all steps without use_sequence_length); "
        "steps beyond a sequence's length stay in place.\n\n"
        "Example::\n\n"
        "  x = [[1, 2], [3, 4], [5, 6]]   (3 steps, batch 2)\n"
        "  SequenceReverse(x) = [[5, 6], [3, 4], [1, 2]]\n"
        "  SequenceReverse(x, sequence_length=[1, 2], use_sequence_length=True) = [[1, 4], [3, 2], [5, 6]]")
    .input("data", "n-dimensional input array of the form [max_sequence_length, batch_size, other dims] where n>2")
    .input("sequence_length", "vector of sequence lengths of the form [batch_size]")
    .set_list_inputs(seq_inputs)
    .MV_SEQUENCE_PARAMS("The sequence axis. Only 0 is currently supported.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      MV_CHECK((*in)[0].empty() || attrs.get_int("axis") == 0, kValue)
          << "Operator SequenceReverse: only axis 0 is supported";
      seq_same_shape(attrs, in, out);
    })
    .set_infer_type(seq_infer_type)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      const SeqLayout l = seq_layout(attrs, in[0].shape);
      const std::vector<int64_t> len = seq_lengths(attrs, l, in, 1, false);
      MV_ELEM_SWITCH(dtype_size(out[0].dtype), T, {
        const T* x = in[0].ptr<T>();
        T* y = out[0].ptr<T>();
        for_each_step(l, [&](int64_t t, int64_t b) {
          const int64_t src = reversed_step(t, len[static_cast<size_t>(b)]);
          for (int64_t r = 0; r < l.rest; ++r) y[l.at(t, b, r)] = x[l.at(src, b, r)];
        });
      });
    })
    // The permutation is its own inverse, so the gradient is the same reversal of ograd.
    .set_gradient([](const GradContext& g) {
      std::vector<Tensor> in{g.ograd()};
      if (uses_lengths(*g.attrs)) in.push_back(g.input(1));
      return data_grad_only(g, op("SequenceReverse", in, g.forward_params()));
    })
    .add_sample(seq_sample({{3, 2, 2}, {2}}, {{"use_sequence_length", "True"}}))
    .add_sample(seq_sample({{3, 2}}, {}));

#undef MV_SEQUENCE_PARAMS
#undef MV_SEQUENCE_AXIS_PARAM
#undef MV_SEQUENCE_LENGTH_PARAM

}  // namespace minerva
