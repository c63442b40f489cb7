// The operator registry (STYLE rule 1): each operator is declared once, in core/ops/<family>.cc,
// with MV_REGISTER_OP(name) and chained setters. Bindings, docs and tests read it through the ABI.
//
//   MV_REGISTER_OP(relu)
//       .describe("Rectified linear unit: max(data, 0).\n\nExample::\n\n  relu([-1, 2]) = [0, 2]")
//       .input("data", "input array")
//       .set_infer_shape(infer_same_shape)
//       .set_forward(relu_forward)
//       .set_gradient([](const GradContext& g) { return grads(g.ograd() * (g.input() > 0)); })
//       .method("relu");
#pragma once
#include <atomic>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/ndarray/ndarray.h"
#include "core/op/grad.h"

namespace minerva {

// The tiny parameter type system of STYLE rule 2.
enum class ParamType { kInt, kFloat, kBool, kString, kEnum, kShape, kDType };
const char* param_type_name(ParamType t);

// Note [Parameter kinds]
// What an int or tuple parameter's value means for the dimensions of the data, declared once
// with the parameter (`.param("axis", ParamType::kInt, "-1", "...").kind(ParamKind::kAxis)`).
// Bindings whose arrays are column-major (R, Julia) derive their order rules from it instead of
// per-operator lists:
//   kAxis        one axis index (int), negative counts from the last axis
//   kAxes        axis indices (a tuple, or one int), each like kAxis
//   kPermutation a permutation of all axes (transpose's axes)
//   kPerDim      one entry per dimension, first dimension first: a shape, kernel/stride/pad,
//                slice's begin/end/step, tile's reps
//   kPadPairs    (before, after) pairs, one pair per dimension (Pad's pad_width)
//   kList        a tuple that is not about dimensions (per-weight values, split indices)
// Every tuple (kShape) parameter declares one; an int parameter that names an axis declares
// kAxis (tests/cpp/test_registry.cc checks both).
enum class ParamKind { kNone, kAxis, kAxes, kPermutation, kPerDim, kPadPairs, kList };
const char* param_kind_name(ParamKind k);  // "" for kNone, else "axis", "axes", "permutation", ...

struct ParamField {
  std::string name;
  ParamType type = ParamType::kInt;
  std::string default_value;  // as MXNet would print it; "None" for an optional absent value
  bool required = false;
  bool allow_none = false;  // "None" is a valid value (optional parameters)
  std::string doc;
  std::vector<std::string> enum_values;
  ParamKind kind = ParamKind::kNone;  // Note [Parameter kinds]
  double lo = -std::numeric_limits<double>::infinity();  // inclusive bounds for kInt/kFloat
  double hi = std::numeric_limits<double>::infinity();
};

// A None entry inside a shape parameter, as in slice(begin=(None, 2)): MXNet's optional<int>
// tuple entries. Only operators that document None entries accept it; others see a huge
// negative value and reject it with their usual range checks.
constexpr int64_t kShapeNone = std::numeric_limits<int64_t>::min();

struct ParamValue {
  bool none = false;
  int64_t i = 0;   // kInt, kBool, kDType (the dtype code)
  double f = 0;    // kFloat
  std::string s;   // kString, kEnum
  Shape shape;     // kShape (may hold negative entries, e.g. Reshape's special values)
};

using KeyValues = std::vector<std::pair<std::string, std::string>>;
struct OpDef;
class Symbol;  // core/graph/symbol.h: the subgraphs of control-flow operators

// Parameters parsed once into typed values (one per declared field, in declaration order).
class Attrs {
 public:
  const OpDef* op = nullptr;
  std::vector<ParamValue> values;
  KeyValues given;  // the strings the caller passed, for JSON round trips and messages
  // The graphs a control-flow operator runs (_foreach's body; _cond's predicate and branches),
  // attached when the node is composed or read from JSON (Note [Subgraph operators]).
  std::vector<std::shared_ptr<const Symbol>> subgraphs;

  int64_t get_int(const std::string& name) const;
  double get_float(const std::string& name) const;
  bool get_bool(const std::string& name) const;
  const std::string& get_str(const std::string& name) const;  // kString and kEnum
  const Shape& get_shape(const std::string& name) const;
  DType get_dtype(const std::string& name) const;
  bool is_none(const std::string& name) const;

 private:
  const ParamValue& value(const std::string& name) const;
};
using AttrsPtr = std::shared_ptr<const Attrs>;

// Note [Variant tables]
// An enum parameter that selects behaviour (Activation's act_type, Pooling's pool_type) is
// declared from a table that maps each accepted value to its implementation:
//
//   const Variants<UnaryFn> kActs("act_type", {{"relu", relu}, {"tanh", tanh_fn}});
//   MV_REGISTER_OP(Activation).enum_param(kActs, "", "Activation function.") ...
//   ... kActs.of(attrs)(x) ...
//
// The parameter accepts exactly the table's keys, so a value cannot be added without its
// implementation, and no if-chain ends in a catch-all branch that silently handles a value it
// was not written for.
template <typename Impl>
class Variants {
 public:
  Variants(std::string param, std::vector<std::pair<std::string, Impl>> entries)
      : param_(std::move(param)), entries_(std::move(entries)) {}
  const std::string& param() const { return param_; }
  std::vector<std::string> values() const {
    std::vector<std::string> v;
    for (const auto& e : entries_) v.push_back(e.first);
    return v;
  }
  // The implementation the parsed parameter selects.
  const Impl& of(const Attrs& attrs) const { return at(attrs.get_str(param_)); }
  const Impl& at(const std::string& value) const {
    for (const auto& e : entries_)
      if (e.first == value) return e.second;
    // parse() accepts only values(), so only a table used with the wrong operator gets here.
    throw Error(ErrorKind::kInternal, "no variant '" + value + "' for parameter " + param_);
  }

 private:
  std::string param_;
  std::vector<std::pair<std::string, Impl>> entries_;
};

struct RandomGenerator;  // core/op/random.h

struct OpContext {
  bool is_train = false;
  Context ctx;
  RandomGenerator* rng = nullptr;  // set for operators declared with .uses_rng()
};

// Shape inference. An unknown shape is the empty Shape (MXNet 1.x: ndim 0 means unknown); an
// operator fills every output and may fill unknown inputs (a weight's shape from the data's).
using InferShapeFn = std::function<void(const Attrs&, std::vector<Shape>* in, std::vector<Shape>* out)>;
// dtype inference over dtype codes; -1 is unknown.
using InferTypeFn = std::function<void(const Attrs&, std::vector<int>* in, std::vector<int>* out)>;
using ForwardFn = std::function<void(const OpContext&, const Attrs&, const std::vector<TBlob>& in,
                                     const std::vector<TBlob>& out)>;
using CountFn = std::function<int(const Attrs&)>;
using NamesFn = std::function<std::vector<std::string>(const Attrs&)>;
using IndicesFn = std::function<std::vector<int>(const Attrs&)>;

// A test sample declared with the operator (STYLE rule 15): the registry-driven tests run the
// forward pass and, for differentiable operators, a float64 numeric gradient check on it.
struct OpSample {
  std::vector<Shape> shapes;        // one per input
  KeyValues params;
  double lo = -1.0, hi = 1.0;       // uniform domain of the float inputs (positive for log...)
  std::vector<int> index_inputs;    // inputs holding integer indices in [0, index_high)
  int64_t index_high = 0;
  std::vector<int> no_grad_inputs;  // inputs the gradient check leaves out (labels, indices)
  std::vector<int> no_grad_outputs; // outputs the gradient ignores, as in MXNet (hawkesll's out_state)
  bool grad_check = true;           // false where the forward is not a smooth function (random ops)
  std::vector<std::string> subgraphs;  // MXNet symbol JSON of each subgraph (control-flow operators)
};

struct OpDef {
  std::string name;
  std::vector<std::string> aliases;
  std::string doc;
  std::string file;
  int line = 0;
  std::vector<ParamField> params;
  std::vector<std::string> input_names;  // fixed inputs (when list_inputs is unset)
  std::vector<std::string> input_docs;
  NamesFn list_inputs;                   // inputs that depend on parameters (no_bias, num_args)
  std::string variadic_param;            // e.g. "num_args": the count of a variadic input list
  int variadic_group = 1;                // inputs per counted item (multi_sgd_mom_update: weight, grad, mom)
  int variadic_extra = 0;                // inputs after the items (preloaded_multi_sgd_update: lrs, wds)
  CountFn num_outputs;                   // default 1
  CountFn num_visible_outputs;           // default num_outputs (BatchNorm hides mean/var)
  NamesFn list_outputs;                  // default "output" / "output0".. when several
  IndicesFn mutate_inputs;               // inputs the op writes (aux states, optimizer state)
  InferShapeFn infer_shape;
  InferTypeFn infer_type;                // default: every input and output shares one dtype
  ForwardFn forward;
  GradientFn gradient;
  bool non_differentiable = false;
  bool uses_rng = false;
  bool accepts_extra_params = false;     // unknown parameters are kept in Attrs::given (Custom)
  // When set, the generator is taken only for parameters it accepts (RNN draws only with dropout),
  // so that a failing kernel of an operator that draws nothing does not mark the generator failed.
  std::function<bool(const Attrs&)> uses_rng_when;
  std::string method;                    // fluent NDArray/Symbol method name, "" for none
  std::vector<std::pair<int, int>> inplace;  // (input, output) pairs that may share memory
  std::vector<OpSample> samples;
  // Initializer (MXNet's "__init__" attribute) of inputs a symbol creates on its own, such as
  // BatchNorm's moving_var starting at one: (input name, init JSON).
  std::vector<std::pair<std::string, std::string>> input_inits;
  // Auxiliary-state inputs that MXNet's generated functions leave out of their signatures (legacy
  // operators list only their arguments): a symbol creates them itself; a caller may still name them.
  std::vector<std::string> hidden_inputs;
  // A backward operator's forward (params_from): its parameters are the forward's, copied when
  // the registry is finalized, so the two declarations cannot drift apart.
  std::string params_source;
  // Control-flow operators: how many subgraphs a node holds. They come first among the
  // arguments of a composition, as in MXNet (_foreach(body, *inputs)), and are not inputs.
  CountFn num_subgraphs;

  // Chained declaration.
  OpDef& describe(const std::string& d) { doc = d; return *this; }
  OpDef& alias(const std::string& a);
  OpDef& input(const std::string& n, const std::string& d) { input_names.push_back(n); input_docs.push_back(d); return *this; }
  OpDef& set_list_inputs(NamesFn f) { list_inputs = std::move(f); return *this; }
  OpDef& set_variadic(const std::string& count_param) { variadic_param = count_param; return *this; }
  // A variadic list of `group` inputs per counted item, then `extra` fixed ones; list_inputs names them.
  OpDef& set_variadic(const std::string& count_param, int group, int extra) {
    variadic_param = count_param; variadic_group = group; variadic_extra = extra; return *this;
  }
  OpDef& param(const std::string& n, ParamType t, const std::string& default_value, const std::string& d);
  OpDef& required_param(const std::string& n, ParamType t, const std::string& d);
  OpDef& enum_param(const std::string& n, std::vector<std::string> values, const std::string& default_value, const std::string& d);
  template <typename Impl>
  OpDef& enum_param(const Variants<Impl>& table, const std::string& default_value, const std::string& d) {
    return enum_param(table.param(), table.values(), default_value, d);
  }
  // Takes every parameter of the named forward operator, ahead of any declared here.
  OpDef& params_from(const std::string& forward_op) { params_source = forward_op; return *this; }
  OpDef& bounds(double lo, double hi);   // applies to the last declared parameter
  OpDef& allow_none();                   // applies to the last declared parameter
  OpDef& kind(ParamKind k);              // applies to the last declared parameter
  OpDef& set_num_outputs(int n) { num_outputs = [n](const Attrs&) { return n; }; return *this; }
  OpDef& set_num_outputs(CountFn f) { num_outputs = std::move(f); return *this; }
  OpDef& set_num_visible_outputs(CountFn f) { num_visible_outputs = std::move(f); return *this; }
  OpDef& set_list_outputs(NamesFn f) { list_outputs = std::move(f); return *this; }
  OpDef& set_mutate_inputs(IndicesFn f) { mutate_inputs = std::move(f); return *this; }
  OpDef& set_infer_shape(InferShapeFn f) { infer_shape = std::move(f); return *this; }
  OpDef& set_infer_type(InferTypeFn f) { infer_type = std::move(f); return *this; }
  OpDef& set_forward(ForwardFn f) { forward = std::move(f); return *this; }
  OpDef& set_gradient(GradientFn f) { gradient = std::move(f); return *this; }
  OpDef& set_non_differentiable() { non_differentiable = true; return *this; }
  OpDef& set_uses_rng() { uses_rng = true; return *this; }
  OpDef& set_accepts_extra_params() { accepts_extra_params = true; return *this; }
  OpDef& set_uses_rng(std::function<bool(const Attrs&)> when) { uses_rng = true; uses_rng_when = std::move(when); return *this; }
  bool rng_for(const Attrs& a) const { return uses_rng && (!uses_rng_when || uses_rng_when(a)); }
  OpDef& set_method(const std::string& m) { method = m; return *this; }
  OpDef& set_inplace(int in, int out) { inplace.emplace_back(in, out); return *this; }
  OpDef& add_sample(OpSample s) { samples.push_back(std::move(s)); return *this; }
  OpDef& input_init(const std::string& input, const std::string& init) { input_inits.emplace_back(input, init); return *this; }
  OpDef& set_num_subgraphs(int n) { num_subgraphs = [n](const Attrs&) { return n; }; return *this; }
  OpDef& hide_input(const std::string& input) { hidden_inputs.push_back(input); return *this; }

  // Queries used by invoke, the graph and the ABI.
  std::vector<std::string> inputs_for(const Attrs& a) const;
  int outputs_for(const Attrs& a) const { return num_outputs ? num_outputs(a) : 1; }
  int visible_outputs_for(const Attrs& a) const { return num_visible_outputs ? num_visible_outputs(a) : outputs_for(a); }
  std::vector<std::string> output_names_for(const Attrs& a) const;
  std::vector<int> mutated_for(const Attrs& a) const { return mutate_inputs ? mutate_inputs(a) : std::vector<int>{}; }
  int subgraphs_for(const Attrs& a) const { return num_subgraphs ? num_subgraphs(a) : 0; }
  // Parses the ABI's string parameters; unknown names, malformed or out-of-range values are
  // errors listing the valid parameters.
  AttrsPtr parse(const KeyValues& kv) const;
  std::string signature_help() const;  // "name(type, default=...)" list for error messages
  std::string schema_json() const;     // MVOpGetSchemaJSON's document
};

class OpRegistry {
 public:
  static OpRegistry& get();
  OpDef& add(const std::string& name, const char* file, int line);
  const OpDef* find(const std::string& name) const;  // nullptr when unknown; aliases resolve
  const OpDef& lookup(const std::string& name) const;  // throws kNotFound with close matches
  std::vector<std::string> names() const;              // primary names, sorted
  // Resolves aliases and params_from once all static registrations are in; thread-safe, and
  // done again after a later add().
  void finalize();

 private:
  std::map<std::string, std::unique_ptr<OpDef>> ops_;
  std::map<std::string, OpDef*> by_alias_;
  std::atomic<bool> finalized_{false};
  std::mutex finalize_mutex_;
};

// Shared inference helpers.
void infer_same_shape(const Attrs&, std::vector<Shape>* in, std::vector<Shape>* out);
void infer_same_type(const Attrs&, std::vector<int>* in, std::vector<int>* out);
// Error naming the operator, the input index and both shapes.
[[noreturn]] void shape_mismatch(const Attrs& attrs, const std::string& what, const Shape& expected,
                                 const Shape& got);

}  // namespace minerva

#define MV_OP_CONCAT_(a, b) a##b
#define MV_OP_CONCAT(a, b) MV_OP_CONCAT_(a, b)
#define MV_REGISTER_OP(NAME)                                                      \
  static ::minerva::OpDef& MV_OP_CONCAT(mv_op_reg_, __COUNTER__) [[maybe_unused]] = \
      ::minerva::OpRegistry::get().add(#NAME, __FILE__, __LINE__)
