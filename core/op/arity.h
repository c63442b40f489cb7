// Bounded count parameters: Note [Count parameters are bounded] in op.cc.
#pragma once
#include <cstdint>

#include "core/op/op.h"

namespace minerva {

// The most inputs or outputs one operator node may have (2^20: far above any real model's
// Concat or add_n, far below a count that exhausts memory when names or shapes are built).
constexpr int64_t kMaxOpArity = int64_t{1} << 20;

// The inputs a variadic operator's count parameter asks for (count * group + extra), computed
// with checked arithmetic and refused past kMaxOpArity; names neither built nor allocated.
int64_t variadic_input_count(const OpDef& op, const Attrs& a);

// op.outputs_for(a), refused when negative or past kMaxOpArity, naming the parameters given.
int bounded_output_count(const OpDef& op, const Attrs& a);

}  // namespace minerva
