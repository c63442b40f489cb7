#include "core/graph/infer.h"

#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/op/invoke.h"

namespace minerva {

namespace {

// Note [Graph inference sweeps]
// Each operator's inference fills what it can of its inputs and outputs from what is known
// (a weight's shape from the data's, a label's from the prediction's). One sweep in topological
// order settles feed-forward graphs; values that flow backwards (an output fixing an input
// of an earlier node) need further sweeps, so sweeps repeat until nothing changes. An operator
// whose inputs are all known must accept them: its error is raised, prefixed with the node.
// One with unknown inputs may not be able to say anything yet; its complaint is held back and
// raised only if its outputs are still unknown at the end.
template <typename T>
struct Pass {
  using Fn = std::function<void(const Node&, std::vector<T>*, std::vector<T>*)>;
  std::function<bool(const T&)> known;
  Fn infer;
  const char* what;  // "shape" / "dtype"
};

template <typename T>
std::unordered_map<const Node*, std::vector<T>> run_pass(const std::vector<NodePtr>& order,
                                                        std::unordered_map<const Node*, T> var_values,
                                                        const Pass<T>& pass, T unknown) {
  std::unordered_map<const Node*, std::vector<T>> values;
  for (const NodePtr& n : order) {
    values[n.get()].assign(static_cast<size_t>(n->num_outputs()), unknown);
    if (n->is_variable()) {
      auto it = var_values.find(n.get());
      if (it != var_values.end()) values[n.get()][0] = it->second;
    }
  }
  std::unordered_map<const Node*, Error> held;
  bool changed = true;
  for (size_t sweep = 0; changed && sweep < order.size() + 2; ++sweep) {
    changed = false;
    for (const NodePtr& n : order) {
      if (n->is_variable()) continue;
      std::vector<T> in, out = values[n.get()];
      bool inputs_known = true;
      for (const NodeEntry& e : n->inputs) {
        in.push_back(values[e.node.get()][static_cast<size_t>(e.index)]);
        inputs_known = inputs_known && pass.known(in.back());
      }
      bool outputs_known = true;
      for (const T& o : out) outputs_known = outputs_known && pass.known(o);
      if (inputs_known && outputs_known && sweep > 0) continue;
      try {
        pass.infer(*n, &in, &out);
        held.erase(n.get());
      } catch (const Error& e) {
        Error named(e.kind(), "Error in operator " + n->name + " (" + n->op->name + "): " + e.what());
        if (inputs_known) throw named;
        held.insert_or_assign(n.get(), named);  // may succeed once more is known; see the Note
        continue;
      }
      for (size_t i = 0; i < n->inputs.size(); ++i) {
        T& slot = values[n->inputs[i].node.get()][static_cast<size_t>(n->inputs[i].index)];
        if (!pass.known(slot) && pass.known(in[i])) {
          slot = in[i];
          changed = true;
        }
      }
      std::vector<T>& mine = values[n.get()];
      for (size_t i = 0; i < out.size() && i < mine.size(); ++i)
        if (!pass.known(mine[i]) && pass.known(out[i])) {
          mine[i] = out[i];
          changed = true;
        }
    }
  }
  for (const NodePtr& n : order) {
    auto h = held.find(n.get());
    if (h == held.end()) continue;
    for (const T& o : values[n.get()])
      if (!pass.known(o)) throw h->second;
  }
  return values;
}

// Known values by input name, checked against the symbol's inputs.
template <typename T>
std::unordered_map<const Node*, T> by_node(const Symbol& sym, const std::map<std::string, T>& known,
                                           const std::function<bool(const Node&, T*)>& from_attrs, const char* fn) {
  std::unordered_map<const Node*, T> out;
  std::vector<NodePtr> inputs = sym.input_nodes();
  std::set<std::string> names;
  for (const NodePtr& n : inputs) {
    names.insert(n->name);
    T v;
    if (from_attrs(*n, &v)) out[n.get()] = v;
  }
  for (const auto& [name, value] : known) {
    MV_CHECK(names.count(name), kValue) << fn << ": '" << name << "' is not an input of the symbol; its inputs are "
                                        << join_names(sym.list_inputs());
    for (const NodePtr& n : inputs)
      if (n->name == name) out[n.get()] = value;
  }
  return out;
}

template <typename T>
void collect(const Symbol& sym, const std::unordered_map<const Node*, std::vector<T>>& values, std::vector<T>* args,
             std::vector<T>* outputs, std::vector<T>* aux) {
  for (const NodePtr& n : sym.argument_nodes()) args->push_back(values.at(n.get())[0]);
  for (const NodePtr& n : sym.auxiliary_nodes()) aux->push_back(values.at(n.get())[0]);
  for (const NodeEntry& e : sym.outputs) outputs->push_back(values.at(e.node.get())[static_cast<size_t>(e.index)]);
}

// The names of entries still unknown, for the error of a non-partial inference.
template <typename T>
std::vector<std::string> unknown_names(const Symbol& sym, const std::unordered_map<const Node*, std::vector<T>>& values,
                                       const std::function<bool(const T&)>& known) {
  std::vector<std::string> names;
  for (const NodePtr& n : sym.topo_order()) {
    const auto& v = values.at(n.get());
    std::vector<std::string> outs = n->output_names();
    for (size_t i = 0; i < v.size(); ++i)
      if (!known(v[i])) names.push_back(n->is_variable() ? n->name : n->name + "_" + outs.at(i));
  }
  return names;
}

// Whether every entry is known; unless `partial`, unknown entries are an error naming them.
template <typename T>
bool all_known(const Symbol& sym, const std::unordered_map<const Node*, std::vector<T>>& values, const Pass<T>& pass,
               const char* fn, bool partial) {
  std::vector<std::string> missing = unknown_names<T>(sym, values, pass.known);
  MV_CHECK(missing.empty() || partial, kValue)
      << fn << ": cannot infer the " << pass.what << "s of " << join_names(missing) << " from the given inputs; give the "
      << pass.what << "s of more inputs";
  return missing.empty();
}

// The result of infer_shape or infer_type: the values grouped as the symbol lists its entries.
template <typename T, typename Inference>
Inference inference_of(const Symbol& sym, const std::unordered_map<const Node*, std::vector<T>>& values,
                       const Pass<T>& pass, const char* fn, bool partial) {
  Inference r;
  collect(sym, values, &r.args, &r.outputs, &r.aux);
  r.complete = all_known(sym, values, pass, fn, partial);
  return r;
}

bool shape_known(const Shape& s) {
  if (s.empty()) return false;
  for (int64_t d : s)
    if (d <= 0) return false;
  return true;
}
bool shape_known_or_empty_dim(const Shape& s) { return !s.empty(); }
bool type_known(const int& t) { return t >= 0; }

Pass<Shape> shape_pass() {
  Pass<Shape> p;
  p.known = shape_known_or_empty_dim;
  p.what = "shape";
  p.infer = [](const Node& n, std::vector<Shape>* in, std::vector<Shape>* out) {
    MV_CHECK(n.op->infer_shape, kInternal) << "Operator " << n.op->name << " declares no shape inference";
    n.op->infer_shape(*n.attrs, in, out);
  };
  return p;
}

Pass<int> type_pass() {
  Pass<int> p;
  p.known = type_known;
  p.what = "dtype";
  p.infer = [](const Node& n, std::vector<int>* in, std::vector<int>* out) {
    if (n.op->infer_type)
      n.op->infer_type(*n.attrs, in, out);
    else
      infer_same_type(*n.attrs, in, out);
  };
  return p;
}

std::unordered_map<const Node*, std::vector<Shape>> shapes_of(const Symbol& sym, const std::map<std::string, Shape>& known,
                                                             const char* fn) {
  for (const auto& [name, s] : known) {
    for (int64_t d : s)
      MV_CHECK(d >= 0, kValue) << fn << ": the shape of '" << name << "' has a negative dimension: " << shape_str(s);
    shape_size(s);  // throws when the element count overflows
  }
  auto vars = by_node<Shape>(
      sym, known,
      [](const Node& n, Shape* s) {
        auto it = n.user_attrs.find(kShapeAttr);
        if (it == n.user_attrs.end()) return false;
        *s = parse_shape_attr(it->second);
        shape_size(*s);  // a __shape__ from a file must not overflow the element count
        return shape_known(*s);  // MXNet 1.x: a 0 dimension in __shape__ means "unknown"
      },
      fn);
  return run_pass<Shape>(sym.topo_order(), vars, shape_pass(), Shape{});
}

std::unordered_map<const Node*, std::vector<int>> types_of(const Symbol& sym, const std::map<std::string, int>& known,
                                                          const char* fn) {
  for (const auto& [name, t] : known) dtype_from_code(t);  // validates the code
  auto vars = by_node<int>(
      sym, known,
      [](const Node& n, int* t) {
        auto it = n.user_attrs.find(kDTypeAttr);
        if (it == n.user_attrs.end()) return false;
        const std::string& v = it->second;
        bool numeric = !v.empty() && v.size() < 4 && v.find_first_not_of("0123456789") == std::string::npos;
        MV_CHECK(numeric || v.find_first_of("0123456789") != 0, kType)
            << "variable '" << n.name << "': __dtype__ '" << v << "' is neither a dtype code nor a dtype name";
        *t = numeric ? static_cast<int>(dtype_from_code(std::atoi(v.c_str()))) : static_cast<int>(dtype_from_name(v));
        return true;
      },
      fn);
  return run_pass<int>(sym.topo_order(), vars, type_pass(), -1);
}

}  // namespace

ShapeInference infer_shape(const Symbol& sym, const std::map<std::string, Shape>& known, bool partial) {
  return inference_of<Shape, ShapeInference>(sym, shapes_of(sym, known, "infer_shape"), shape_pass(), "infer_shape",
                                             partial);
}

TypeInference infer_type(const Symbol& sym, const std::map<std::string, int>& known, bool partial) {
  return inference_of<int, TypeInference>(sym, types_of(sym, known, "infer_type"), type_pass(), "infer_type", partial);
}

EntryInfo infer_entries(const Symbol& sym, const std::map<std::string, Shape>& shapes,
                        const std::map<std::string, int>& dtypes) {
  auto shape_values = shapes_of(sym, shapes, "infer_shape");
  all_known(sym, shape_values, shape_pass(), "infer_shape", /*partial=*/false);  // an error naming the unknown ones
  // Inputs whose dtype nothing determines default to float32, as MXNet's simple_bind does.
  std::map<std::string, int> types = dtypes;
  auto type_values = types_of(sym, types, "infer_type");
  for (const NodePtr& n : sym.input_nodes())
    if (type_values.at(n.get())[0] < 0) types[n->name] = static_cast<int>(DType::kFloat32);
  type_values = types_of(sym, types, "infer_type");
  std::vector<std::string> missing = unknown_names<int>(sym, type_values, type_known);
  MV_CHECK(missing.empty(), kValue) << "infer_type: cannot infer the dtypes of " << join_names(missing);
  EntryInfo info;
  for (auto& [node, v] : shape_values) info.shapes[node] = v;
  for (auto& [node, v] : type_values) info.dtypes[node] = v;
  return info;
}

}  // namespace minerva
