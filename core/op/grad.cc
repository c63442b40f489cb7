#include "core/op/grad.h"

#include <cstdio>
#include <string>

#include "core/base/error.h"
#include "core/op/op.h"

namespace minerva {

namespace {
GradGraph* graph_of(const std::vector<Tensor>& ts) {
  for (auto& t : ts)
    if (t.defined()) return t.graph;
  MV_THROW(kInternal) << "gradient code applied an operator to undefined tensors";
}
}  // namespace

std::string fmt_num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::vector<Tensor> op_all(const std::string& name, const std::vector<Tensor>& inputs, const GradParams& params) {
  return graph_of(inputs)->apply(name, inputs, params);
}
std::vector<Tensor> op_all_parsed(const std::string& name, const std::vector<Tensor>& inputs,
                                  const std::shared_ptr<const Attrs>& attrs) {
  return graph_of(inputs)->apply_parsed(name, inputs, attrs);
}
Tensor op(const std::string& name, const std::vector<Tensor>& inputs, const GradParams& params) {
  return op_all(name, inputs, params).at(0);
}

Tensor operator+(Tensor a, Tensor b) { return op("elemwise_add", {a, b}); }
Tensor operator-(Tensor a, Tensor b) { return op("elemwise_sub", {a, b}); }
Tensor operator*(Tensor a, Tensor b) { return op("elemwise_mul", {a, b}); }
Tensor operator/(Tensor a, Tensor b) { return op("elemwise_div", {a, b}); }
Tensor operator-(Tensor a) { return op("negative", {a}); }
Tensor operator*(Tensor a, double s) { return op("_mul_scalar", {a}, {{"scalar", fmt_num(s)}}); }
Tensor operator*(double s, Tensor a) { return a * s; }
Tensor operator+(Tensor a, double s) { return op("_plus_scalar", {a}, {{"scalar", fmt_num(s)}}); }
Tensor operator-(double s, Tensor a) { return op("_rminus_scalar", {a}, {{"scalar", fmt_num(s)}}); }
Tensor sum_like(Tensor grad, Tensor like) { return op("_reduce_sum_like", {grad, like}); }

GradParams GradContext::forward_params() const { return attrs->given; }

}  // namespace minerva
