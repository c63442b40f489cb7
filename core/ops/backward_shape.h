// Input checks for `_backward_*` operators. They are public (MXNet lists them and a symbol JSON
// may call them; see docs/bad_input.md, "C ABI and graphs"), so each one checks every input
// against the shape its forward implies, with these helpers, before a kernel indexes it.
#pragma once
#include <string>
#include <vector>

#include "core/op/op.h"

namespace minerva {

// Fills an unknown input shape, or checks a known one against `expected`, naming the input.
inline void expect_input_shape(const Attrs& attrs, std::vector<Shape>* in, size_t i, const Shape& expected) {
  Shape& s = (*in)[i];
  if (s.empty()) {
    s = expected;
    return;
  }
  if (s == expected) return;
  const std::vector<std::string> names = attrs.op->inputs_for(attrs);
  shape_mismatch(attrs, "input '" + (i < names.size() ? names[i] : std::to_string(i)) + "'", expected, s);
}

// Fills an unknown input dtype, or checks a known one against `expected` (a kernel reads both
// inputs with one element type).
inline void expect_input_type(const Attrs& attrs, std::vector<int>* in, size_t i, int expected) {
  int& t = (*in)[i];
  if (expected < 0) return;
  if (t < 0) {
    t = expected;
    return;
  }
  if (t == expected) return;
  const std::vector<std::string> names = attrs.op->inputs_for(attrs);
  MV_THROW(kType) << "Operator " << attrs.op->name << ": input '" << (i < names.size() ? names[i] : std::to_string(i))
                  << "' has dtype " << dtype_name(static_cast<DType>(t)) << ", expected "
                  << dtype_name(static_cast<DType>(expected));
}

}  // namespace minerva
