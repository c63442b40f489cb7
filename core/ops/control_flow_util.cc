#include "core/ops/control_flow_util.h"

#include <map>

#include "core/graph/infer.h"
#include "core/op/kernel_util.h"

namespace minerva {
namespace control_flow {

const Symbol& subgraph(const Attrs& a, size_t k, size_t count, const std::string& owner, const std::string& what) {
  MV_CHECK(a.subgraphs.size() == count, kValue)
      << owner << ": the node holds " << a.subgraphs.size() << " graph(s), it needs " << count
      << "; control-flow operators are made by mx.sym.contrib.foreach / while_loop / cond (or read from "
         "symbol JSON with \"subgraphs\"), not from parameters alone";
  const Symbol& g = *a.subgraphs.at(k);
  check_subgraph(g, owner, what);
  return g;
}

std::vector<size_t> locs(const Attrs& a, const std::string& param, size_t limit, const std::string& owner) {
  std::vector<size_t> out;
  for (int64_t v : a.get_shape(param)) {
    MV_CHECK(v >= 0 && static_cast<uint64_t>(v) < limit, kValue)
        << owner << ": " << param << " holds " << v << ", outside [0, " << limit << ")";
    out.push_back(static_cast<size_t>(v));
  }
  return out;
}

size_t num_array_inputs(const Attrs& a, size_t num_graphs, const std::string& owner) {
  const int64_t num_args = a.get_int("num_args");
  MV_CHECK(num_args >= static_cast<int64_t>(num_graphs), kValue)
      << owner << ": num_args = " << num_args << " counts its " << num_graphs << " graph(s) and the inputs, so it "
      << "must be at least " << num_graphs;
  return static_cast<size_t>(num_args) - num_graphs;
}

void check_num_outputs(const Symbol& g, size_t expected, const std::string& owner, const std::string& what) {
  MV_CHECK(g.outputs.size() == expected, kValue)
      << owner << ": the " << what << " graph has " << g.outputs.size() << " output(s), the node declares " << expected;
}

std::vector<Shape> infer_graph_shapes(const Symbol& g, std::vector<Shape>* in, const std::string& owner,
                                      const std::string& what) {
  const std::vector<std::string> names = g.list_inputs();
  MV_CHECK(names.size() == in->size(), kValue)
      << owner << ": the " << what << " graph has " << names.size() << " input(s), the node gives it " << in->size();
  std::map<std::string, Shape> known;
  for (size_t i = 0; i < names.size(); ++i)
    if (!(*in)[i].empty()) known[names[i]] = (*in)[i];
  ShapeInference r;
  try {
    r = infer_shape(g, known, true);
  } catch (const Error& e) {
    throw Error(e.kind(), owner + ": in the " + what + " graph: " + e.what());
  }
  for (size_t i = 0; i < names.size(); ++i)
    if ((*in)[i].empty()) (*in)[i] = r.args.at(i);
  return r.outputs;
}

std::vector<int> infer_graph_types(const Symbol& g, std::vector<int>* in, const std::string& owner,
                                   const std::string& what) {
  const std::vector<std::string> names = g.list_inputs();
  MV_CHECK(names.size() == in->size(), kValue)
      << owner << ": the " << what << " graph has " << names.size() << " input(s), the node gives it " << in->size();
  std::map<std::string, int> known;
  for (size_t i = 0; i < names.size(); ++i)
    if ((*in)[i] >= 0) known[names[i]] = (*in)[i];
  TypeInference r;
  try {
    r = infer_type(g, known, true);
  } catch (const Error& e) {
    throw Error(e.kind(), owner + ": in the " + what + " graph: " + e.what());
  }
  for (size_t i = 0; i < names.size(); ++i)
    if ((*in)[i] < 0) (*in)[i] = r.args.at(i);
  return r.outputs;
}

void merge_shape(Shape* slot, const Shape& value, const std::string& what) {
  if (value.empty()) return;
  if (slot->empty()) {
    *slot = value;
    return;
  }
  MV_CHECK(*slot == value, kValue) << what << " has shape " << shape_str(*slot) << ", expected " << shape_str(value);
}

void merge_type(int* slot, int value, const std::string& what) {
  if (value < 0) return;
  if (*slot < 0) {
    *slot = value;
    return;
  }
  MV_CHECK(*slot == value, kType) << what << " has dtype " << dtype_name(static_cast<DType>(*slot)) << ", expected "
                                  << dtype_name(static_cast<DType>(value));
}

GradProgram grad_program(const Symbol& g, const std::string& owner) {
  std::vector<NodePtr> inputs = g.input_nodes();
  GradientGraph gg = build_gradient(g, inputs);
  return GradProgram{inputs, gg.head_grads, SubgraphProgram(gg.grads, owner)};
}

AttrsPtr backward_attrs(const std::string& backward_op, const GradContext& g) {
  const OpDef& def = OpRegistry::get().lookup(backward_op);
  auto attrs = std::make_shared<Attrs>(*def.parse(g.forward_params()));
  attrs->subgraphs = g.attrs->subgraphs;
  return attrs;
}

std::vector<std::string> array_input_names(const Attrs& a, size_t num_graphs, const std::string& owner) {
  std::vector<std::string> names;
  const size_t n = num_array_inputs(a, num_graphs, owner);
  for (size_t i = 0; i < n; ++i) names.push_back("data" + std::to_string(i));
  return names;
}

std::vector<std::string> backward_input_names(const Attrs& a, size_t num_graphs, const std::string& backward_op) {
  std::vector<std::string> names;
  for (int64_t k = 0; k < a.get_int("num_outputs"); ++k) names.push_back("ograd" + std::to_string(k));
  for (std::string& n : array_input_names(a, num_graphs, backward_op)) names.push_back(std::move(n));
  return names;
}

GradientFn gradient_through(const std::string& backward_op) {
  return [backward_op](const GradContext& g) {
    std::vector<Tensor> ins = g.out_grads;
    ins.insert(ins.end(), g.inputs.begin(), g.inputs.end());
    return op_all_parsed(backward_op, ins, backward_attrs(backward_op, g));
  };
}

void merge_into(Shape* slot, const Shape& value, const std::string& what) { merge_shape(slot, value, what); }
void merge_into(int* slot, int value, const std::string& what) { merge_type(slot, value, what); }

bool scalar_truth(const NDArray& a, const std::string& owner, const std::string& what) {
  MV_CHECK(a.shape().size() >= 1 && shape_size(a.shape()) == 1, kValue)
      << owner << ": " << what << " must give one element, got shape " << shape_str(a.shape());
  bool truth = false;
  MV_DTYPE_SWITCH(a.dtype(), T, truth = static_cast<float>(static_cast<const T*>(a.data())[0]) != 0.0f);
  return truth;
}

}  // namespace control_flow
}  // namespace minerva
