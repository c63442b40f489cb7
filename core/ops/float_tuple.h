// MXNet's "tuple of <float>" parameters (multi_sgd_update's lrs and wds, _multi_lamb_update's
// learning_rates). The registry's parameter types have no float tuple, so these are declared as
// strings (kString) and parsed here, with errors that name the operator and the parameter.
#pragma once
#include <string>
#include <vector>

#include "core/op/op.h"

namespace minerva {

// The floats of parameter `name`: "(0.1, 0.2)", "[0.1,0.2]", "0.1" or "(0.1,)".
std::vector<double> float_tuple(const Attrs& attrs, const std::string& name);

// The same, checked to hold exactly `count` values (one per weight, per tensor...).
std::vector<double> float_tuple(const Attrs& attrs, const std::string& name, int64_t count);

}  // namespace minerva
