// Dropout and Embedding, the two remaining MXNet 1.x layers that are neither activations nor
// normalizations. Dropout keeps its mask as a hidden second output, so its gradient is the
// graph code ograd * mask; Embedding's weight gradient is a scatter-add kernel.
#include <algorithm>
#include <cstring>
#include <random>

#include "core/op/kernel_util.h"
#include "core/op/op.h"
#include "core/op/random.h"
#include "core/ops/backward_shape.h"

namespace minerva {
namespace {

// ---- Dropout -----------------------------------------------------------------------------------

bool dropout_active(const OpContext& ctx, const Attrs& attrs) {
  return attrs.get_str("mode") == "always" || ctx.is_train;
}

// The mask's shape before broadcasting: data's, with every axis in `axes` reduced to 1, so one
// draw is shared along those axes (variational dropout).
Shape dropout_draw_shape(const Attrs& attrs, const Shape& data) {
  Shape s = data;
  const int64_t nd = static_cast<int64_t>(data.size());
  for (int64_t a : attrs.get_shape("axes")) {
    MV_CHECK(a >= -nd && a < nd, kValue) << "Operator Dropout: axis " << a << " in axes is out of range for data "
                                         << "of shape " << shape_str(data);
    s[static_cast<size_t>(a < 0 ? a + nd : a)] = 1;
  }
  return s;
}

void dropout_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  dropout_draw_shape(attrs, d);  // validates axes
  (*out)[0] = d;
  (*out)[1] = d;  // the mask, broadcast to data's shape
}

// out = data * mask with mask = keep / (1 - p), keep ~ Bernoulli(1 - p); identity (mask 1)
// in prediction unless mode='always'.
void dropout_forward(const OpContext& ctx, const Attrs& attrs, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  const TBlob &x = in[0], &y = out[0], &mask = out[1];
  const double p = attrs.get_float("p");
  if (!dropout_active(ctx, attrs) || p == 0) {
    cast_copy(x, y);
    fill_blob(mask, 1.0);
    return;
  }
  MV_CHECK(ctx.rng != nullptr, kInternal) << "Operator Dropout: no random generator";
  const Shape draw_shape = dropout_draw_shape(attrs, x.shape);
  // p = 1 drops everything; MXNet's 0 * 1/(1-p) would be NaN.
  const double scale = p < 1 ? 1.0 / (1.0 - p) : 0.0;
  std::bernoulli_distribution keep(1.0 - p);
  std::vector<double> draws(static_cast<size_t>(shape_size(draw_shape)));
  for (auto& d : draws) d = keep(ctx.rng->engine) ? scale : 0.0;
  // Broadcast the draws over the shared axes: a zero stride repeats a draw along that axis.
  Shape strides = strides_of(draw_shape);
  for (size_t k = 0; k < draw_shape.size(); ++k)
    if (draw_shape[k] == 1) strides[k] = 0;
  const Shape& shape = x.shape;
  MV_FLOAT_SWITCH(x.dtype, "Dropout", T, {
    const T* xp = x.ptr<T>();
    T* yp = y.ptr<T>();
    T* mp = mask.ptr<T>();
    parallel_for(x.size(), [&](int64_t j) {
      int64_t rest = j, src = 0;
      for (int k = static_cast<int>(shape.size()) - 1; k >= 0; --k) {
        src += (rest % shape[k]) * strides[k];
        rest /= shape[k];
      }
      double m = draws[static_cast<size_t>(src)];
      mp[j] = T(m);
      yp[j] = T(static_cast<double>(xp[j]) * m);
    });
  });
}

// ---- Embedding ---------------------------------------------------------------------------------

// Indices arrive in any dtype: truncated like a C cast and clipped into [0, input_dim), as
// MXNet does when sparse_grad is off.
std::vector<int64_t> embedding_rows(const TBlob& data, int64_t input_dim) {
  std::vector<double> v(static_cast<size_t>(data.size()));
  cast_copy(data, TBlob{v.data(), data.shape, DType::kFloat64});
  std::vector<int64_t> rows(v.size());
  const double last = static_cast<double>(input_dim - 1);
  for (size_t i = 0; i < v.size(); ++i)  // comparisons first keep the cast defined (and NaN at 0)
    rows[i] = v[i] >= last ? input_dim - 1 : v[i] > 0 ? static_cast<int64_t>(v[i]) : 0;
  return rows;
}

void embedding_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape weight{attrs.get_int("input_dim"), attrs.get_int("output_dim")};
  if ((*in)[1].empty()) (*in)[1] = weight;
  if ((*in)[1] != weight) shape_mismatch(attrs, "input 'weight' (input_dim, output_dim)", weight, (*in)[1]);
  if ((*in)[0].empty()) return;
  Shape o = (*in)[0];
  o.push_back(weight[1]);
  (*out)[0] = o;
}

void embedding_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  if ((*in)[0] < 0) (*in)[0] = static_cast<int>(DType::kFloat32);
  if ((*in)[1] < 0) (*in)[1] = (*out)[0] >= 0 ? (*out)[0] : static_cast<int>(attrs.get_dtype("dtype"));
  (*out)[0] = (*in)[1];
}

void embedding_forward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  const int64_t input_dim = attrs.get_int("input_dim"), dim = attrs.get_int("output_dim");
  std::vector<int64_t> rows = embedding_rows(in[0], input_dim);
  const size_t row_bytes = static_cast<size_t>(dim) * dtype_size(in[1].dtype);
  const char* w = static_cast<const char*>(in[1].data);
  char* y = static_cast<char*>(out[0].data);
  parallel_for(
      static_cast<int64_t>(rows.size()),
      [&](int64_t i) {
        std::memcpy(y + static_cast<size_t>(i) * row_bytes, w + static_cast<size_t>(rows[i]) * row_bytes, row_bytes);
      },
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, dim)));
}

// d weight: row r gets the sum of the output gradients of every index that maps to r.
void embedding_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  const int64_t input_dim = attrs.get_int("input_dim"), dim = attrs.get_int("output_dim");
  std::vector<int64_t> rows = embedding_rows(in[1], input_dim);
  MV_FLOAT_SWITCH(in[0].dtype, "_backward_Embedding", T, {
    const T* g = in[0].ptr<T>();
    T* gw = out[0].ptr<T>();
    std::fill(gw, gw + input_dim * dim, T(0.0f));
    // Columns are independent, so threads split them; each walks the indices in order.
    parallel_for(
        dim,
        [&](int64_t d) {
          for (size_t i = 0; i < rows.size(); ++i) {
            T& dst = gw[rows[i] * dim + d];
            dst = T(static_cast<double>(dst) + static_cast<double>(g[static_cast<int64_t>(i) * dim + d]));
          }
        },
        std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, static_cast<int64_t>(rows.size()))));
  });
}

}  // namespace

MV_REGISTER_OP(Dropout)
    .describe(
        "Applies dropout operation to input array.\n\n"
        "- During training, each element of the input is set to zero with probability p.\n"
        "  The whole array is rescaled by 1/(1-p) to keep the expected\n"
        "  sum of the input unchanged.\n"
        "- During testing, this operator does not change the input if mode is 'training'.\n"
        "  If mode is 'always', the same computation as during training will be applied.\n"
        "- With ``axes``, one draw is shared along those axes (variational dropout).\n\n"
        "The random draws come from the device's generator (mx.random.seed). A hidden second output "
        "holds the mask (0 or 1/(1-p)) the gradient multiplies by.\n\n"
        "Example::\n\n"
        "  random.seed(998)\n"
        "  input_array = array([[3., 0.5,  -0.5,  2., 7.],\n"
        "                      [2., -0.4,   7.,  3., 0.2]])\n"
        "  ## If training, p=0.2: every element is either 0 or input/0.8, e.g.\n"
        "  [[ 3.75   0.625 -0.     2.5    8.75 ]\n"
        "   [ 2.5   -0.5    8.75   3.75   0.   ]]\n"
        "  ## If testing\n"
        "  [[ 3.     0.5   -0.5    2.     7.   ]\n"
        "   [ 2.    -0.4    7.     3.     0.2  ]]")
    .input("data", "Input array to which dropout will be applied.")
    .param("p", ParamType::kFloat, "0.5", "Fraction of the input that gets dropped out during training time.")
    .bounds(0, 1)
    .enum_param("mode", {"always", "training"}, "training",
                "Whether to only turn on dropout during training or to also turn on for inference.")
    .param("axes", ParamType::kShape, "()", "Axes for variational dropout kernel.").kind(ParamKind::kAxes)
    .param("cudnn_off", ParamType::kBool, "False",
           "Whether to turn off cudnn in dropout operator. This option is ignored if axes is specified.")
    .allow_none()
    .set_num_outputs(2)
    .set_num_visible_outputs([](const Attrs&) { return 1; })
    .set_list_outputs([](const Attrs&) { return std::vector<std::string>{"output", "mask"}; })
    .set_infer_shape(dropout_shape)
    .set_forward(dropout_forward)
    .set_gradient([](const GradContext& g) { return std::vector<Tensor>{g.ograd() * g.output(1)}; })
    .set_uses_rng()
    // A fresh mask is drawn on every training-mode call, so finite differences see a different
    // function each time; tests/cpp/test_ops_nn.cc checks the mask, the scaling and the gradient.
    .add_sample([] {
      OpSample s;
      s.shapes = {{4, 5}};
      s.grad_check = false;
      return s;
    }())
    .add_sample([] {
      OpSample s;
      s.shapes = {{2, 3, 4}};
      s.params = {{"p", "0.3"}, {"axes", "(1,)"}};
      s.grad_check = false;  // random, as above
      return s;
    }());

MV_REGISTER_OP(Embedding)
    .describe(
        "Maps integer indices to vector representations (embeddings).\n\n"
        "This operator maps words to real-valued vectors in a high-dimensional space,\n"
        "called word embeddings. These embeddings can capture semantic and syntactic properties of the words.\n"
        "For an input array of shape (d1, ..., dK),\n"
        "the shape of an output array is (d1, ..., dK, output_dim).\n"
        "All the input values should be integers in the range [0, input_dim); an index out of that range is\n"
        "replaced by the nearest valid one (the last row for too large indices), and fractional indices are\n"
        "truncated. The weight matrix has shape (input_dim, output_dim).\n\n"
        "Examples::\n\n"
        "  input_dim = 4\n"
        "  output_dim = 5\n"
        "  y = [[  0.,   1.,   2.,   3.,   4.],\n"
        "       [  5.,   6.,   7.,   8.,   9.],\n"
        "       [ 10.,  11.,  12.,  13.,  14.],\n"
        "       [ 15.,  16.,  17.,  18.,  19.]]\n"
        "  x = [[ 1.,  3.],\n"
        "       [ 0.,  2.]]\n"
        "  Embedding(x, y, 4, 5) = [[[  5.,   6.,   7.,   8.,   9.],\n"
        "                            [ 15.,  16.,  17.,  18.,  19.]],\n"
        "                           [[  0.,   1.,   2.,   3.,   4.],\n"
        "                            [ 10.,  11.,  12.,  13.,  14.]]]")
    .input("data", "The input array to the embedding operator.")
    .input("weight", "The embedding weight matrix.")
    .required_param("input_dim", ParamType::kInt, "Vocabulary size of the input indices.")
    .bounds(1, 9.2e18)
    .required_param("output_dim", ParamType::kInt, "Dimension of the embedding vectors.")
    .bounds(1, 9.2e18)
    .param("dtype", ParamType::kDType, "float32", "Data type of weight.")
    .param("sparse_grad", ParamType::kBool, "False",
        "Compute row sparse gradient in the backward calculation (accepted; the gradient is dense).")
    .set_infer_shape(embedding_shape)
    .set_infer_type(embedding_type)
    .set_forward(embedding_forward)
    .set_gradient([](const GradContext& g) {
      // Indices get no gradient.
      return std::vector<Tensor>{Tensor{}, op("_backward_Embedding", {g.ograd(), g.input(0)}, g.forward_params())};
    })
    .add_sample([] {
      OpSample s;
      s.shapes = {{2, 3}, {5, 4}};
      s.params = {{"input_dim", "5"}, {"output_dim", "4"}};
      s.index_inputs = {0};
      s.index_high = 5;
      return s;
    }());

MV_REGISTER_OP(_backward_Embedding)
    .describe("Gradient of Embedding with respect to its weight: a scatter-add of the output gradient.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward indices")
    .params_from("Embedding")
    .set_infer_shape([](const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
      // ograd is the forward's output: the indices' shape plus output_dim (the kernel reads
      // output_dim gradient values per index).
      (*out)[0] = {attrs.get_int("input_dim"), attrs.get_int("output_dim")};
      if ((*in)[1].empty()) return;
      Shape og = (*in)[1];
      og.push_back(attrs.get_int("output_dim"));
      expect_input_shape(attrs, in, 0, og);
    })
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) { (*out)[0] = (*in)[0]; })
    .set_forward(embedding_backward)
    .set_non_differentiable();

}  // namespace minerva
