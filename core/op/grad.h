// Gradients as graph code (STYLE rule 5). A gradient function receives Tensors standing for the
// forward inputs, outputs and output gradients, and builds the input gradients from registered
// operators. Autograd evaluates the builder imperatively (recording when create_graph is set);
// the symbolic graph builds nodes. Both use the same gradient function, so the two agree by
// construction, and gradients of gradients work wherever the ops used are differentiable.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace minerva {

class GradGraph;
class Attrs;

struct Tensor {
  GradGraph* graph = nullptr;
  int id = -1;
  bool defined() const { return graph != nullptr; }
};

using GradParams = std::vector<std::pair<std::string, std::string>>;

class GradGraph {
 public:
  virtual ~GradGraph() = default;
  // Applies a registered operator; returns all of its outputs.
  virtual std::vector<Tensor> apply(const std::string& op, const std::vector<Tensor>& inputs,
                                    const GradParams& params) = 0;
  // The same with parameters already parsed: a control-flow operator's backward takes the
  // subgraphs that its forward's Attrs hold, which strings cannot carry.
  virtual std::vector<Tensor> apply_parsed(const std::string& op, const std::vector<Tensor>& inputs,
                                           const std::shared_ptr<const Attrs>& attrs) = 0;
};

// Applies op and returns its first output.
Tensor op(const std::string& name, const std::vector<Tensor>& inputs, const GradParams& params = {});
std::vector<Tensor> op_all(const std::string& name, const std::vector<Tensor>& inputs,
                           const GradParams& params = {});
std::vector<Tensor> op_all_parsed(const std::string& name, const std::vector<Tensor>& inputs,
                                  const std::shared_ptr<const Attrs>& attrs);
// Element-wise operators on same-shape tensors.
Tensor operator+(Tensor a, Tensor b);
Tensor operator-(Tensor a, Tensor b);
Tensor operator*(Tensor a, Tensor b);
Tensor operator/(Tensor a, Tensor b);
Tensor operator-(Tensor a);
Tensor operator*(Tensor a, double s);
Tensor operator*(double s, Tensor a);
Tensor operator+(Tensor a, double s);
Tensor operator-(double s, Tensor a);
// Sums a broadcast gradient back down to the shape of `like` (a no-op when shapes agree).
Tensor sum_like(Tensor grad, Tensor like);
std::string fmt_num(double v);  // parameter string for a number, exact for doubles

struct GradContext {
  const Attrs* attrs = nullptr;
  std::vector<Tensor> inputs, outputs, out_grads;
  Tensor input(size_t i = 0) const { return inputs.at(i); }
  Tensor output(size_t i = 0) const { return outputs.at(i); }
  Tensor ograd(size_t i = 0) const { return out_grads.at(i); }
  // The forward operator's parameters as given, to pass on to a backward operator.
  GradParams forward_params() const;
};

// One entry per input; an undefined Tensor means "no gradient flows to this input".
using GradientFn = std::function<std::vector<Tensor>(const GradContext&)>;

}  // namespace minerva
