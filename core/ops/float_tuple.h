// MXNet's "tuple of <float>" parameters (multi_sgd_update's lrs and wds, _multi_lamb_update's
// learning_rates, the image operators' mean and std, MultiBoxPrior's sizes). The registry's parameter types have no float tuple, so these are declared as
// strings (kString) and parsed here, with errors that name the operator and the parameter.
#pragma once
#include <string>
#include <vector>

#include "core/op/op.h"

namespace minerva {

// What a float-tuple parameter accepts beyond the syntax, and how its error describes it.
struct FloatTupleRules {
  bool finite = true;      // infinities and NaN are errors
  bool non_empty = false;  // "()" is an error
  const char* expects = "a tuple of floats such as (0.1, 0.2)";
};

// The floats of parameter `name`: "(0.1, 0.2)", "[0.1,0.2]", "0.1" or "(0.1,)".
std::vector<double> float_tuple(const Attrs& attrs, const std::string& name,
                                const FloatTupleRules& rules = FloatTupleRules{});

// The same, checked to hold exactly `count` values (one per weight, per tensor...).
std::vector<double> float_tuple(const Attrs& attrs, const std::string& name, int64_t count);

}  // namespace minerva
