// MXNet 1.x's IdentityAttachKLSparseReg: the identity in the forward pass; in the backward pass it
// updates a running average of each unit's mean activation (the auxiliary state moving_avg) and
// adds the gradient of a KL-divergence sparseness penalty to the incoming gradient (Hinton's
// practical guide to RBMs, section 11). Meant to follow a sigmoid, whose outputs lie in (0, 1).
#include "core/ops/nn_extra_util.h"

namespace minerva {
namespace {

void sparse_reg_check(const Attrs& attrs, const Shape& d) {
  MV_CHECK(d.size() == 2, kValue) << "Operator " << attrs.op->name
                                  << ": data must be 2-D (batch, units) as MXNet computes it, got shape "
                                  << shape_str(d);
}

void sparse_reg_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[0];
  if (d.empty()) return;
  sparse_reg_check(attrs, d);
  if ((*in)[1].empty()) (*in)[1] = {d[1]};
  if ((*in)[1] != Shape{d[1]}) shape_mismatch(attrs, "auxiliary state 'moving_avg' (units,)", {d[1]}, (*in)[1]);
  (*out)[0] = d;
}

void sparse_reg_forward(const OpContext&, const Attrs&, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  cast_copy(in[0], out[0]);
}

// Inputs (ograd, data, moving_avg); moving_avg is updated in place:
//   moving_avg = momentum * moving_avg + (1 - momentum) * mean(data, axis=0)
//   d data     = ograd + penalty * (-target / moving_avg + (1 - target) / (1 - moving_avg))
void sparse_reg_backward_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& d = (*in)[1];
  if (d.empty()) return;
  sparse_reg_check(attrs, d);
  expect_input_shape(attrs, *in, 0, d);
  expect_input_shape(attrs, *in, 2, {d[1]});
  (*out)[0] = d;
}

void sparse_reg_backward(const OpContext&, const Attrs& attrs, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  std::vector<double> g = blob_doubles(in[0]), x = blob_doubles(in[1]), avg = blob_doubles(in[2]);
  const int64_t rows = in[1].shape[0], units = in[1].shape[1];
  const double momentum = attrs.get_float("momentum"), target = attrs.get_float("sparseness_target"),
               penalty = attrs.get_float("penalty");
  for (int64_t u = 0; u < units; ++u) {
    double mean = 0;
    for (int64_t r = 0; r < rows; ++r) mean += x[static_cast<size_t>(r * units + u)];
    if (rows > 0) mean /= static_cast<double>(rows);
    double& a = avg[static_cast<size_t>(u)];
    a = momentum * a + (1 - momentum) * mean;
    const double extra = penalty * (-target / a + (1 - target) / (1 - a));
    for (int64_t r = 0; r < rows; ++r) g[static_cast<size_t>(r * units + u)] += extra;
  }
  store_doubles(avg, in[2]);
  store_doubles(g, out[0]);
}

#define MV_SPARSE_REG_PARAMS                                                                                 \
  param("sparseness_target", ParamType::kFloat, "0.100000001", "The sparseness target")                      \
      .bounds(0, 1)                                                                                          \
      .param("penalty", ParamType::kFloat, "0.00100000005", "The tradeoff parameter for the sparseness penalty") \
      .param("momentum", ParamType::kFloat, "0.899999976", "The momentum for running average")                \
      .bounds(0, 1)

}  // namespace

MV_REGISTER_OP(IdentityAttachKLSparseReg)
    .describe(
        "Apply a sparse regularization to the output of a sigmoid activation function.\n\n"
        "The forward output is the input. The backward pass first updates the auxiliary state moving_avg, the\n"
        "running mean activation of each unit (data is 2-D (batch, units))::\n\n"
        "  moving_avg = momentum * moving_avg + (1 - momentum) * mean(data, axis=0)\n\n"
        "then adds the gradient of the KL divergence between the sparseness target and moving_avg::\n\n"
        "  d data = ograd + penalty * (-sparseness_target / moving_avg\n"
        "                              + (1 - sparseness_target) / (1 - moving_avg))\n\n"
        "moving_avg must stay inside (0, 1): follow a sigmoid, or the result is infinite or NaN.")
    .input("data", "Input data.")
    .input("moving_avg", "Running average of the mean activation of each unit (auxiliary state).")
    .MV_SPARSE_REG_PARAMS
    .set_mutate_inputs([](const Attrs&) { return std::vector<int>{1}; })
    // As in MXNet, a symbol creates moving_avg (zeros) itself: it is not in the functions' signatures.
    .hide_input("moving_avg")
    .input_init("moving_avg", "[\"zero\", {}]")
    .set_infer_shape(sparse_reg_shape)
    .set_infer_type(infer_same_float_type)
    .set_forward(sparse_reg_forward)
    .set_gradient([](const GradContext& g) {
      return std::vector<Tensor>{
          op("_backward_IdentityAttachKLSparseReg", {g.ograd(), g.input(0), g.input(1)}, g.forward_params()),
          Tensor{}};
    })
    // The backward adds a penalty that is not the forward's derivative and updates moving_avg, so
    // finite differences cannot check it; tests/cpp/test_ops_nn_extra.cc compares with MXNet.
    .add_sample([] {
      OpSample s;
      s.shapes = {{3, 4}, {4}};
      s.lo = 0.1;
      s.hi = 0.9;
      s.no_grad_inputs = {1};
      s.grad_check = false;
      return s;
    }());

MV_REGISTER_OP(_backward_IdentityAttachKLSparseReg)
    .describe("Gradient of IdentityAttachKLSparseReg; updates moving_avg in place.")
    .input("ograd", "gradient of the output")
    .input("data", "the forward input")
    .input("moving_avg", "the running mean activations, updated in place")
    .params_from("IdentityAttachKLSparseReg")
    .set_mutate_inputs([](const Attrs&) { return std::vector<int>{2}; })
    .set_infer_shape(sparse_reg_backward_shape)
    .set_infer_type([](const Attrs&, std::vector<int>* in, std::vector<int>* out) { (*out)[0] = (*in)[1]; })
    .set_forward(sparse_reg_backward)
    .set_non_differentiable();

}  // namespace minerva
