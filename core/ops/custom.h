// Custom operators (MXNet's CustomOp/CustomOpProp): operator types a binding registers at run
// time, by name, with one handler that answers requests. The registry operator `Custom`
// (param op_type plus any string parameters, passed through) asks the handler for its argument,
// output and auxiliary-state names, shapes, dtypes, an operator instance, forward and backward.
// The C ABI (MVCustomOpRegister, capi/src/c_api_custom.cc) turns a C callback into a handler;
// docs/custom_op.md describes the requests and their JSON.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/ndarray/ndarray.h"

namespace minerva {
namespace custom {

// One request: `json` says what is asked; forward and backward also carry arrays (fresh arrays
// aliasing the operator's buffers, valid only during the call), in the order the JSON's counts
// give.
struct Request {
  std::string json;
  std::vector<NDArray> arrays;
};

// Answers a request with a JSON document, or throws Error carrying the binding's message.
// Called without any engine or registry lock held; may call operators and wait on arrays.
using Handler = std::function<std::string(const Request&)>;

// Registers (or replaces) the handler of op_type. Thread-safe.
void register_type(const std::string& op_type, Handler handler);
// The registered op_type names, sorted. Thread-safe.
std::vector<std::string> registered_types();

}  // namespace custom
}  // namespace minerva
