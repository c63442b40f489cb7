// Shared by the reduction family (reduce.cc) and the broadcast family (broadcast_to.cc): the
// gradient of a reduction broadcasts, and the gradient of a broadcast reduces.
#pragma once
#include <vector>

#include "core/op/op.h"

namespace minerva {

// Which axes of `in` a reduction folds, from MXNet's `axis` (Shape or None) and `exclude`
// parameters: an absent or empty axis means every axis (whatever exclude says, as MXNet).
// Negative axes count from the end. Out-of-range or duplicate axes throw naming the operator.
std::vector<bool> reduced_axes(const Attrs& attrs, const Shape& in);

// The shape left after folding `red`: size-1 dims where keepdims, else dropped; (1,) when no
// dim is left (legacy MXNet never makes 0-d arrays).
Shape reduced_shape(const Shape& in, const std::vector<bool>& red, bool keepdims);

// out = in repeated along the dims where in has size 1 (same ndim; every other dim equal).
void broadcast_blob(const TBlob& in, const TBlob& out);

}  // namespace minerva
