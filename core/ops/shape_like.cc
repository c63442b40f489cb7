// Operators driven by another array's shape: slice_like (and its backward), shape_array and
// size_array (the shape and the element count as int64 arrays, like MXNet 1.x).
#include "core/ops/layout_util.h"
#include "core/ops/tensor_util.h"

namespace minerva {
namespace {

// The axes slice_like cuts: every axis when `axes` is empty (the inputs must then have the same
// ndim), else the listed ones, negative counting from the end.
std::vector<bool> sliced_axes(const Attrs& attrs, const Shape& data, const Shape& like) {
  const int nd = static_cast<int>(data.size());
  const Shape& axes = attrs.get_shape("axes");
  std::vector<bool> cut(static_cast<size_t>(nd), axes.empty());
  if (axes.empty()) {
    MV_CHECK(like.size() == data.size(), kValue)
        << "Operator " << attrs.op->name << ": without axes every axis is sliced, so shape_like " << shape_str(like)
        << " must have the same number of dimensions as data " << shape_str(data);
  }
  for (int64_t a : axes) {
    const int ax = normalize_axis(attrs, a, nd, "axes");
    MV_CHECK(ax < static_cast<int>(like.size()), kValue)
        << "Operator " << attrs.op->name << ": axis " << a << " does not exist in shape_like " << shape_str(like);
    cut[ax] = true;
  }
  return cut;
}

Shape slice_like_shape(const Attrs& attrs, const Shape& data, const Shape& like) {
  std::vector<bool> cut = sliced_axes(attrs, data, like);
  Shape out = data;
  for (size_t i = 0; i < data.size(); ++i) {
    if (!cut[i]) continue;
    MV_CHECK(like[i] <= data[i], kValue) << "Operator " << attrs.op->name << ": axis " << i << " of shape_like "
                                         << shape_str(like) << " has size " << like[i]
                                         << ", larger than data's " << data[i] << " (data " << shape_str(data) << ")";
    out[i] = like[i];
  }
  return out;
}

// Copies the leading corner `region` of `full` out of it (gather) or into it (scatter).
void corner_copy(const TBlob& full, const TBlob& part, bool gather) {
  const Shape st = strides_of(full.shape);
  if (gather) strided_copy(full.data, 0, st, part.data, 0, strides_of(part.shape), part.shape, dtype_size(full.dtype));
  else strided_copy(part.data, 0, strides_of(part.shape), full.data, 0, st, part.shape, dtype_size(full.dtype));
}

void type_from_first(const Attrs&, std::vector<int>* in, std::vector<int>* out) {
  if ((*in)[0] >= 0) (*out)[0] = (*in)[0];
}

void int64_output(const Attrs&, std::vector<int>*, std::vector<int>* out) {
  (*out)[0] = static_cast<int>(DType::kInt64);
}

}  // namespace

MV_REGISTER_OP(slice_like)
    .describe(
        "Slices data to the shape of shape_like, starting at index 0 of each sliced axis: every axis by default, "
        "or only `axes` (negative axes count from the end). shape_like's values are not read and get a zero "
        "gradient.\n\n"
        "Example::\n\n  x = [[1, 2, 3], [4, 5, 6]]\n  slice_like(x, zeros((1, 2))) = [[1, 2]]\n"
        "  slice_like(x, zeros((1, 2)), axes=(0,)) = [[1, 2, 3]]")
    .input("data", "Source input")
    .input("shape_like", "Shape like input")
    .param("axes", ParamType::kShape, "[]",
           "List of axes on which input data will be sliced according to the corresponding size of the second "
           "input. By default will slice on all axes. Negative axes are supported.").kind(ParamKind::kAxes)
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty() || (*in)[1].empty()) return;
      (*out)[0] = slice_like_shape(attrs, (*in)[0], (*in)[1]);
    })
    .set_infer_type(type_from_first)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      corner_copy(in[0], out[0], true);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("_backward_slice_like", {g.ograd(), g.input(0)}, g.forward_params()),
                                 op("zeros_like", {g.input(1)})};
    })
    .set_method("slice_like")
    .add_sample([] {
      OpSample s = op_sample({{3, 4}, {2, 3}});
      s.no_grad_inputs = {1};
      return s;
    }())
    .add_sample([] {
      OpSample s = op_sample({{2, 3, 4}, {1, 2}}, {{"axes", "(0, -2)"}});
      s.no_grad_inputs = {1};
      return s;
    }());

MV_REGISTER_OP(_backward_slice_like)
    .describe("Gradient of slice_like: zeros shaped like data with ograd in the leading corner.")
    .input("ograd", "Gradient of slice_like's output.")
    .input("data", "slice_like's input; only its shape is used.")
    .params_from("slice_like")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty() || (*in)[1].empty()) return;
      const Shape &og = (*in)[0], &data = (*in)[1];
      // ograd must be exactly what slice_like gives for data, with ograd standing in for shape_like.
      MV_CHECK(og.size() == data.size(), kValue) << "Operator _backward_slice_like: ograd " << shape_str(og)
                                                  << " and data " << shape_str(data)
                                                  << " must have the same number of dimensions";
      Shape want = slice_like_shape(attrs, data, og);
      if (want != og) shape_mismatch(attrs, "input 'ograd'", want, og);
      (*out)[0] = data;
    })
    .set_infer_type(type_from_first)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      fill_blob(out[0], 0);
      corner_copy(out[0], in[0], false);
    })
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{op("slice_like", {g.ograd(), g.input(0)}, g.forward_params()), Tensor{}};
    })
    .add_sample([] {
      OpSample s = op_sample({{2, 3}, {3, 4}});
      s.no_grad_inputs = {1};
      return s;
    }());

MV_REGISTER_OP(shape_array)
    .describe("Returns the shape of the input as a 1-D int64 array. Its gradient is zero.\n\n"
              "Example::\n\n  shape_array([[1, 2, 3, 4], [5, 6, 7, 8]]) = [2, 4]")
    .input("data", "Input Array.")
    .set_infer_shape([](const Attrs&, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = Shape{static_cast<int64_t>((*in)[0].size())};
    })
    .set_infer_type(int64_output)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      int64_t* o = out[0].ptr<int64_t>();
      for (size_t i = 0; i < in[0].shape.size(); ++i) o[i] = in[0].shape[i];
    })
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{op("zeros_like", {g.input()})}; })
    .set_method("shape_array")
    .add_sample(op_sample({{2, 3, 4}}));

MV_REGISTER_OP(size_array)
    .describe("Returns the number of elements of the input as a 1-element int64 array. Its gradient is zero.\n\n"
              "Example::\n\n  size_array([[1, 2, 3, 4], [5, 6, 7, 8]]) = [8]")
    .input("data", "Input Array.")
    .set_infer_shape([](const Attrs&, std::vector<Shape>* in, std::vector<Shape>* out) {
      if ((*in)[0].empty()) return;
      (*out)[0] = Shape{1};
    })
    .set_infer_type(int64_output)
    .set_forward([](const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
      out[0].ptr<int64_t>()[0] = in[0].size();
    })
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{op("zeros_like", {g.input()})}; })
    .set_method("size_array")
    .add_sample(op_sample({{2, 3, 4}}));

}  // namespace minerva
