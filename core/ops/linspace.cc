// _linspace: num evenly spaced values from start to stop (the Python mx.nd.linspace and
// mx.sym.linspace wrap it). Its parameters are MXNet's LinspaceParam, the ones it parses
// (MXNet 1.9.1 documents arange's by mistake).
#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/ops/elemwise_common.h"
#include "core/ops/layout_util.h"

namespace minerva {

MV_REGISTER_OP(_linspace)
    .describe(
        "Returns num evenly spaced values over [start, stop] (endpoint=True) or [start, stop) (endpoint=False), "
        "computed as start + i * step and converted to dtype (integers truncate).\n\n"
        "Example::\n\n  _linspace(start=0, stop=1, num=5) = [0, 0.25, 0.5, 0.75, 1]\n"
        "  _linspace(start=0, stop=1, num=5, endpoint=False) = [0, 0.2, 0.4, 0.6, 0.8]")
    .required_param("start", ParamType::kFloat, "Start of interval.")
    .required_param("stop", ParamType::kFloat, "End of interval, included unless endpoint is False.")
    .required_param("num", ParamType::kInt, "Number of samples to generate. Must be non-negative.")
    .bounds(0, 1e15)
    .param("endpoint", ParamType::kBool, "True", "If True, stop is the last sample. Otherwise, it is not included.")
    .param("ctx", ParamType::kString, "", "Context of output, in format [cpu|gpu|cpu_pinned](n).Only used for imperative calls.")
    .param("dtype", ParamType::kDType, "float32", "Target data type.")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>*, std::vector<Shape>* out) {
      const Shape s{attrs.get_int("num")};
      if (!(*out)[0].empty() && (*out)[0] != s) shape_mismatch(attrs, "output", s, (*out)[0]);
      (*out)[0] = s;
    })
    .set_infer_type([](const Attrs& attrs, std::vector<int>*, std::vector<int>* out) {
      (*out)[0] = static_cast<int>(attrs.get_dtype("dtype"));
    })
    .set_forward([](const OpContext&, const Attrs& attrs, const std::vector<TBlob>&, const std::vector<TBlob>& out) {
      const double start = attrs.get_float("start"), stop = attrs.get_float("stop");
      const int64_t num = attrs.get_int("num");
      const int64_t intervals = attrs.get_bool("endpoint") ? num - 1 : num;
      const double step = intervals > 0 ? (stop - start) / static_cast<double>(intervals) : 0.0;
      MV_DTYPE_SWITCH(out[0].dtype, T, {
        T* o = out[0].ptr<T>();
        parallel_for(num, [&](int64_t i) { o[i] = elemwise::store<T>(start + step * static_cast<double>(i)); });
      });
    })
    .set_non_differentiable()
    .add_sample(op_sample({}, {{"start", "0"}, {"stop", "1"}, {"num", "5"}}))
    .add_sample(op_sample({}, {{"start", "2"}, {"stop", "-1"}, {"num", "4"}, {"endpoint", "False"}, {"dtype", "int32"}}));

}  // namespace minerva
