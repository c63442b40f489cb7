// Array creation: _zeros, _ones, _full, _arange, _eye (aliases zeros, ones, full, arange, eye). They take no
// inputs; the device comes from the ctx parameter (read by invoke) and the dtype from dtype.
#include <algorithm>
#include <cmath>

#include "core/base/checked.h"
#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/layout_util.h"

namespace minerva {

// The output shape of a creation operator: the `shape` parameter, where MXNet 1.x treats 0 (and
// an empty or absent shape) as unknown, to be filled from the output (symbolic graphs use
// zeros(shape=(0, hidden)) as a batch-size placeholder). Leaves the output unknown otherwise.
// Shared with core/ops/random.cc.
void creation_infer_shape(const Attrs& attrs, std::vector<Shape>* out) {
  Shape s = attrs.is_none("shape") ? Shape{} : attrs.get_shape("shape");
  bool complete = !s.empty();
  for (int64_t d : s) {
    MV_CHECK(d >= 0, kValue) << "Operator " << attrs.op->name << ": shape " << shape_str(s)
                             << " has a negative dimension";
    complete = complete && d > 0;
  }
  Shape& o = (*out)[0];
  if (complete) {
    if (!o.empty() && o != s) shape_mismatch(attrs, "output", s, o);
    o = s;
    return;
  }
  if (o.empty() || s.empty()) return;  // unknown, or known from the output
  bool fits = o.size() == s.size();
  for (size_t i = 0; fits && i < s.size(); ++i) fits = s[i] == 0 || s[i] == o[i];
  if (!fits) shape_mismatch(attrs, "output", s, o);
}

namespace {

// creation_infer_shape as an operator's infer_shape (the creation operators take no inputs).
void shape_from_param(const Attrs& attrs, std::vector<Shape>*, std::vector<Shape>* out) {
  creation_infer_shape(attrs, out);
}

void dtype_from_param(const Attrs& attrs, std::vector<int>*, std::vector<int>* out) {
  (*out)[0] = static_cast<int>(attrs.get_dtype("dtype"));
}

ForwardFn fill_with(double v) {
  return [v](const OpContext&, const Attrs&, const std::vector<TBlob>&, const std::vector<TBlob>& out) {
    fill_blob(out[0], v);
  };
}

// arange's effective (start, stop): a missing stop means the range [0, start), unless
// infer_range takes the length from the output (stop is then unused).
void arange_bounds(const Attrs& attrs, double* start, double* stop) {
  *start = attrs.get_float("start");
  *stop = 0;
  if (attrs.is_none("stop") && !attrs.get_bool("infer_range")) {
    *stop = *start;
    *start = 0;
  } else if (!attrs.is_none("stop")) {
    *stop = attrs.get_float("stop");
  }
}

OpSample no_input_sample(KeyValues params) { return op_sample({}, std::move(params)); }

}  // namespace

// The parameters every creation operator shares, in MXNet's order (spliced into the chain as
// `.MV_CREATION_PARAMS(default)`).
#define MV_CREATION_PARAMS(SHAPE_DEFAULT)                                                                        \
  param("shape", ParamType::kShape, SHAPE_DEFAULT, "The shape of the output")                                     \
      .kind(ParamKind::kPerDim)                                                                                    \
      .param("ctx", ParamType::kString, "",                                                                        \
             "Context of output, in format [cpu|gpu|cpu_pinned](n). Only used for imperative calls.")              \
      .param("dtype", ParamType::kDType, "float32", "Target data type.")

MV_REGISTER_OP(_zeros)
    .alias("zeros")
    .describe("Returns a new array of the given shape and dtype, filled with zeros.\n\n"
              "Example::\n\n  zeros(shape=(2, 2)) = [[0, 0], [0, 0]]")
    .MV_CREATION_PARAMS("[]")
    .set_infer_shape(shape_from_param)
    .set_infer_type(dtype_from_param)
    .set_forward(fill_with(0))
    .set_non_differentiable()
    .add_sample(no_input_sample({{"shape", "(2, 3)"}}))
    .add_sample(no_input_sample({{"shape", "(4,)"}, {"dtype", "int32"}}));

MV_REGISTER_OP(_ones)
    .alias("ones")
    .describe("Returns a new array of the given shape and dtype, filled with ones.\n\n"
              "Example::\n\n  ones(shape=(2, 2)) = [[1, 1], [1, 1]]")
    .MV_CREATION_PARAMS("[]")
    .set_infer_shape(shape_from_param)
    .set_infer_type(dtype_from_param)
    .set_forward(fill_with(1))
    .set_non_differentiable()
    .add_sample(no_input_sample({{"shape", "(2, 3)"}}))
    .add_sample(no_input_sample({{"shape", "(3,)"}, {"dtype", "float16"}}));

MV_REGISTER_OP(_full)
    .alias("full")
    .describe("Returns a new array of the given shape and dtype, filled with `value` (converted to the dtype, "
              "so 2.7 becomes 2 in an integer array).\n\n"
              "Example::\n\n  full(shape=(2,), value=3.5) = [3.5, 3.5]")
    .MV_CREATION_PARAMS("None")
    .required_param("value", ParamType::kFloat, "Value with which to fill newly created tensor")
    .set_infer_shape(shape_from_param)
    .set_infer_type(dtype_from_param)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>&, const std::vector<TBlob>& out) {
      fill_blob(out[0], attrs.get_float("value"));
    })
    .set_non_differentiable()
    .add_sample(no_input_sample({{"shape", "(2, 3)"}, {"value", "-2.5"}}))
    .add_sample(no_input_sample({{"shape", "(2,)"}, {"value", "7"}, {"dtype", "int64"}}));

MV_REGISTER_OP(_arange)
    .alias("arange")
    .describe("Returns evenly spaced values in [start, stop) (or [0, start) without stop), each repeated `repeat` "
              "times. The values are computed in the output dtype: start + i * step.\n\n"
              "Example::\n\n  arange(start=3) = [0, 1, 2]\n  arange(start=2, stop=6, step=2) = [2, 4]\n"
              "  arange(start=0, stop=2, repeat=2) = [0, 0, 1, 1]")
    .required_param("start", ParamType::kFloat, "Start of interval. The interval includes this value. The default start value is 0.")
    .param("stop", ParamType::kFloat, "None", "End of interval. The interval does not include this value, except in some cases where step is not an integer and floating point round-off affects the length of out.")
    .param("step", ParamType::kFloat, "1", "Spacing between values.")
    .param("repeat", ParamType::kInt, "1", "The repeating time of all elements. E.g repeat=3, the element a will be repeated three times --> a, a, a.")
    .bounds(1, 1e18)
    .param("infer_range", ParamType::kBool, "False", "When set to True, infer the stop position from the start, step, repeat, and output tensor size.")
    .param("ctx", ParamType::kString, "", "Context of output, in format [cpu|gpu|cpu_pinned](n). Only used for imperative calls.")
    .param("dtype", ParamType::kDType, "float32", "Target data type.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>*, std::vector<Shape>* out) {
      if (attrs.get_bool("infer_range") && attrs.is_none("stop")) return;  // the length comes from the output
      double start, stop, step = attrs.get_float("step");
      arange_bounds(attrs, &start, &stop);
      MV_CHECK(step != 0, kValue) << "Operator _arange: step cannot be 0";
      MV_CHECK(step > 0 ? start < stop : start > stop, kValue)
          << "Operator _arange: invalid range (start, stop, step) = (" << start << ", " << stop << ", " << step
          << "): it contains no values";
      // The count is a double first: casting one past int64 is undefined, then the repeat product is checked.
      const double values = std::ceil((stop - start) / step);
      MV_CHECK(values < 9223372036854775807.0, kValue)
          << "Operator _arange: (start, stop, step) = (" << start << ", " << stop << ", " << step << ") gives "
          << values << " values, more than an array can hold";
      const int64_t n = checked_mul(static_cast<int64_t>(values), attrs.get_int("repeat"),
                                    "Operator _arange: output length (values * repeat)");
      if (!(*out)[0].empty() && (*out)[0] != Shape{n}) shape_mismatch(attrs, "output", Shape{n}, (*out)[0]);
      (*out)[0] = Shape{n};
    })
    .set_infer_type(dtype_from_param)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>&, const std::vector<TBlob>& out) {
      double start, stop;
      arange_bounds(attrs, &start, &stop);
      const int64_t rep = attrs.get_int("repeat");
      MV_CHECK(out[0].dtype != DType::kBool, kType) << "Operator _arange does not support dtype bool";
      MV_DTYPE_SWITCH(out[0].dtype, T, {
        // In T's own arithmetic, like MXNet: float32 arange(0.1, 1, 0.1)[6] is 0.70000005.
        const T s = static_cast<T>(start), st = static_cast<T>(attrs.get_float("step"));
        T* o = out[0].ptr<T>();
        parallel_for(out[0].size(), [&](int64_t i) {
          o[i] = static_cast<T>(s + static_cast<T>(static_cast<double>(i / rep)) * st);
        });
      });
    })
    .set_non_differentiable()
    .add_sample(no_input_sample({{"start", "3"}}))
    .add_sample(no_input_sample({{"start", "5"}, {"stop", "1"}, {"step", "-1.5"}, {"repeat", "2"}}))
    .add_sample(no_input_sample({{"start", "0.5"}, {"stop", "3"}, {"dtype", "int32"}}));

MV_REGISTER_OP(_eye)
    .alias("eye")
    .describe("Returns a 2-D array of shape (N, M) with ones on the k-th diagonal and zeros elsewhere (M = 0 means "
              "M = N; k > 0 is above the main diagonal, k < 0 below).\n\n"
              "Example::\n\n  eye(N=2, M=3, k=1) = [[0, 1, 0], [0, 0, 1]]")
    .required_param("N", ParamType::kInt, "Number of rows in the output.")
    .bounds(0, 1e18)
    .param("M", ParamType::kInt, "0", "Number of columns in the output. If 0, defaults to N")
    .bounds(0, 1e18)
    .param("k", ParamType::kInt, "0",
           "Index of the diagonal. 0 (the default) refers to the main diagonal.A positive value refers to an upper "
           "diagonal.A negative value to a lower diagonal.")
    .param("ctx", ParamType::kString, "", "Context of output, in format [cpu|gpu|cpu_pinned](n).Only used for imperative calls.")
    .param("dtype", ParamType::kDType, "float32", "Target data type.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>*, std::vector<Shape>* out) {
      const int64_t n = attrs.get_int("N"), m = attrs.get_int("M");
      (*out)[0] = Shape{n, m == 0 ? n : m};
    })
    .set_infer_type(dtype_from_param)
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>&, const std::vector<TBlob>& out) {
      const int64_t rows = out[0].shape[0], cols = out[0].shape[1], k = attrs.get_int("k");
      fill_blob(out[0], 0);
      MV_DTYPE_SWITCH(out[0].dtype, T, {
        T* o = out[0].ptr<T>();
        for (int64_t i = std::max<int64_t>(0, -k); i < rows && i + k < cols; ++i) o[i * cols + i + k] = static_cast<T>(1);
      });
    })
    .set_non_differentiable()
    .add_sample(no_input_sample({{"N", "3"}}))
    .add_sample(no_input_sample({{"N", "2"}, {"M", "4"}, {"k", "-1"}, {"dtype", "int32"}}));

}  // namespace minerva
