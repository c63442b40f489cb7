// Imperative execution of one operator: the path every mx.nd call takes.
#pragma once
#include <vector>

#include "core/op/op.h"

namespace minerva {

// Infers output shapes and dtypes, allocates the outputs (or checks `outputs`, when the caller
// preallocated them), pushes the kernel to the engine and, while autograd records, records the
// call. Returns the visible outputs. Throws on bad input before anything is pushed.
std::vector<NDArray> invoke(const OpDef& op, const AttrsPtr& attrs, const std::vector<NDArray>& inputs,
                            const std::vector<NDArray>& outputs = {});

// Convenience for internal callers: looks the operator up and parses string parameters.
std::vector<NDArray> invoke(const std::string& op, const std::vector<NDArray>& inputs, const KeyValues& params = {},
                            const std::vector<NDArray>& outputs = {});

// Runs inference only (used by invoke and by graph passes). Fills unknown entries.
void infer_shapes_and_types(const OpDef& op, const Attrs& attrs, std::vector<Shape>* in_shapes,
                            std::vector<Shape>* out_shapes, std::vector<int>* in_types, std::vector<int>* out_types);

}  // namespace minerva
