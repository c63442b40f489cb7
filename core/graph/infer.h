// Shape and dtype inference over a whole graph (MXNet's InferShape/InferType passes): sweeps the
// nodes in topological order, letting each operator fill unknown inputs and outputs, until
// nothing changes. Weights get their shapes from the data; labels from the predictions.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/graph/symbol.h"

namespace minerva {

struct ShapeInference {
  std::vector<Shape> args, outputs, aux;  // in list_arguments / list_outputs / list_auxiliary_states order
  bool complete = false;                  // every entry known; unknown entries are empty shapes
};
struct TypeInference {
  std::vector<int> args, outputs, aux;    // dtype codes; -1 unknown
  bool complete = false;
};

// `known` maps input names (arguments or auxiliary states) to shapes; variables' __shape__
// attributes count too. Unknown names are errors listing the inputs. Incompatible shapes are
// errors naming the node, its operator, the input and both shapes. With partial, entries that
// cannot be inferred stay empty; otherwise they are an error naming them.
ShapeInference infer_shape(const Symbol& sym, const std::map<std::string, Shape>& known, bool partial);
TypeInference infer_type(const Symbol& sym, const std::map<std::string, int>& known, bool partial);

// Every entry of every node in sym.topo_order(): shapes[node][output], for the executor.
struct EntryInfo {
  std::map<const Node*, std::vector<Shape>> shapes;
  std::map<const Node*, std::vector<int>> dtypes;
};
// Full inference from the input shapes and dtypes (by name); unknown entries are errors.
EntryInfo infer_entries(const Symbol& sym, const std::map<std::string, Shape>& shapes,
                        const std::map<std::string, int>& dtypes);

}  // namespace minerva
