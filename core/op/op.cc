#include "core/op/op.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "core/base/checked.h"
#include "core/op/arity.h"
#include "core/base/json.h"

namespace minerva {

const char* param_type_name(ParamType t) {
  switch (t) {
    case ParamType::kInt: return "int";
    case ParamType::kFloat: return "float";
    case ParamType::kBool: return "bool";
    case ParamType::kString: return "string";
    case ParamType::kEnum: return "enum";
    case ParamType::kShape: return "shape";
    case ParamType::kDType: return "dtype";
  }
  return "unknown";
}

const char* param_kind_name(ParamKind k) {
  switch (k) {
    case ParamKind::kNone: return "";
    case ParamKind::kAxis: return "axis";
    case ParamKind::kAxes: return "axes";
    case ParamKind::kPermutation: return "permutation";
    case ParamKind::kPerDim: return "per_dim";
    case ParamKind::kPadPairs: return "pad_pairs";
    case ParamKind::kList: return "list";
  }
  return "unknown";
}

// ---- declaration ---------------------------------------------------------------------------

OpDef& OpDef::alias(const std::string& a) {
  aliases.push_back(a);
  return *this;
}

OpDef& OpDef::param(const std::string& n, ParamType t, const std::string& default_value, const std::string& d) {
  ParamField f;
  f.name = n;
  f.type = t;
  f.default_value = default_value;
  f.doc = d;
  f.allow_none = default_value == "None";
  params.push_back(f);
  return *this;
}

OpDef& OpDef::required_param(const std::string& n, ParamType t, const std::string& d) {
  param(n, t, "", d);
  params.back().required = true;
  return *this;
}

OpDef& OpDef::enum_param(const std::string& n, std::vector<std::string> values, const std::string& default_value,
                         const std::string& d) {
  param(n, ParamType::kEnum, default_value, d);
  params.back().enum_values = std::move(values);
  if (default_value.empty()) params.back().required = true;
  return *this;
}

OpDef& OpDef::bounds(double lo, double hi) {
  params.back().lo = lo;
  params.back().hi = hi;
  return *this;
}

OpDef& OpDef::allow_none() {
  params.back().allow_none = true;
  return *this;
}

OpDef& OpDef::kind(ParamKind k) {
  params.back().kind = k;
  return *this;
}

// Note [Count parameters are bounded]
// A count parameter (num_args, num_outputs, num_weights) sizes vectors of names, shapes and
// arrays before inference has seen an input, so a forged num_args=1e9 must be refused before
// any of that memory is taken: the count is computed with checked arithmetic and bounded by
// kMaxOpArity, naming the operator and the parameter. invoke() then also checks the count
// against the inputs actually given.
int64_t variadic_input_count(const OpDef& op, const Attrs& a) {
  const int64_t n = a.get_int(op.variadic_param);
  const auto what = [&] {
    return "Operator " + op.name + ": the input count for " + op.variadic_param + "=" + std::to_string(n);
  };
  const int64_t count = checked_add(checked_mul(n, op.variadic_group, what), op.variadic_extra, what);
  MV_CHECK(n >= 0 && count <= kMaxOpArity, kValue)
      << "Operator " << op.name << ": " << op.variadic_param << "=" << n << " asks for " << count
      << " inputs; expected between 0 and " << kMaxOpArity;
  return count;
}

int bounded_output_count(const OpDef& op, const Attrs& a) {
  const int n = op.outputs_for(a);
  if (n >= 0 && n <= kMaxOpArity) return n;
  std::string given;
  for (const auto& [k, v] : a.given) given += (given.empty() ? "" : ", ") + k + "=" + v;
  MV_THROW(kValue) << "Operator " << op.name << ": the parameters (" << given << ") ask for " << n
                   << " outputs; expected between 0 and " << kMaxOpArity;
}

std::vector<std::string> OpDef::inputs_for(const Attrs& a) const {
  if (!variadic_param.empty()) variadic_input_count(*this, a);  // bounds the count before a name is built
  if (list_inputs) return list_inputs(a);
  if (!variadic_param.empty()) {
    int64_t n = a.get_int(variadic_param);
    std::string base = input_names.empty() ? "arg" : input_names[0];
    std::vector<std::string> names;
    for (int64_t i = 0; i < n; ++i) names.push_back(base + std::to_string(i));
    return names;
  }
  return input_names;
}

std::vector<std::string> OpDef::output_names_for(const Attrs& a) const {
  if (list_outputs) return list_outputs(a);
  int n = outputs_for(a);
  if (n == 1) return {"output"};
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back("output" + std::to_string(i));
  return names;
}

// ---- parameter parsing ---------------------------------------------------------------------

namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n"), e = s.find_last_not_of(" \t\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool parse_int(const std::string& s, int64_t* out) {
  std::string t = trim(s);
  if (t.empty()) return false;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, 10);
  if (*end == 'L') ++end;  // Python 2 longs in old JSON files
  if (*end != '\0') {
    // Accept integral floats like "2.0", which MXNet writes for some integer fields.
    double d = std::strtod(t.c_str(), &end);
    if (*end != '\0' || d != std::floor(d)) return false;
    v = static_cast<long long>(d);
  }
  *out = v;
  return true;
}

bool parse_float(const std::string& s, double* out) {
  std::string t = trim(s);
  if (t.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (*end != '\0') {
    if (t == "inf" || t == "Infinity") v = INFINITY;
    else if (t == "-inf" || t == "-Infinity") v = -INFINITY;
    else if (t == "nan" || t == "NaN") v = NAN;
    else return false;
  }
  *out = v;
  return true;
}

bool parse_bool(const std::string& s, int64_t* out) {
  std::string t = trim(s);
  if (t == "True" || t == "true" || t == "1") return *out = 1, true;
  if (t == "False" || t == "false" || t == "0") return *out = 0, true;
  return false;
}

// "(3, 3)", "[3,3]", "3", "(3,)", "()"; entries may be negative (Reshape's special values) or
// None (slice's open ends), which is stored as kShapeNone.
bool parse_shape(const std::string& s, Shape* out) {
  std::string t = trim(s);
  if (!t.empty() && (t.front() == '(' || t.front() == '[')) {
    char close = t.front() == '(' ? ')' : ']';
    if (t.back() != close) return false;
    t = t.substr(1, t.size() - 2);
  }
  Shape shape;
  std::stringstream ss(t);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (trim(item).empty()) continue;  // "(3,)"
    int64_t v;
    if (trim(item) == "None") v = kShapeNone;
    else if (!parse_int(item, &v)) return false;
    shape.push_back(v);
  }
  *out = shape;
  return true;
}

}  // namespace

AttrsPtr OpDef::parse(const KeyValues& kv) const {
  auto attrs = std::make_shared<Attrs>();
  attrs->op = this;
  attrs->given = kv;
  attrs->values.resize(params.size());
  std::vector<bool> seen(params.size(), false);
  std::vector<std::string> text(params.size());
  for (const auto& [key, val] : kv) {
    size_t idx = params.size();
    for (size_t i = 0; i < params.size(); ++i)
      if (params[i].name == key) idx = i;
    if (idx == params.size()) {
      // MXNet writes a few graph-level attributes into node attrs; they are not parameters.
      if (key.size() >= 2 && key.substr(0, 2) == "__") continue;
      if (accepts_extra_params) continue;  // passed on through Attrs::given
      MV_THROW(kValue) << "Operator " << name << ": unknown parameter '" << key << "'. Valid parameters: "
                       << signature_help();
    }
    seen[idx] = true;
    text[idx] = val;
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const ParamField& f = params[i];
    if (!seen[i]) {
      MV_CHECK(!f.required, kValue) << "Operator " << name << ": required parameter '" << f.name
                                    << "' is missing. Valid parameters: " << signature_help();
      text[i] = f.default_value;
    }
    ParamValue& v = attrs->values[i];
    std::string t = trim(text[i]);
    if (t == "None" && (f.allow_none || !seen[i])) {
      v.none = true;
      continue;
    }
    bool ok = true;
    std::string expected;
    switch (f.type) {
      case ParamType::kInt:
        ok = parse_int(t, &v.i);
        expected = "an integer";
        if (ok && (v.i < f.lo || v.i > f.hi)) {
          MV_THROW(kValue) << "Operator " << name << ": parameter '" << f.name << "' = " << v.i
                           << " is out of range [" << fmt_num(f.lo) << ", " << fmt_num(f.hi) << "]";
        }
        break;
      case ParamType::kFloat:
        ok = parse_float(t, &v.f);
        expected = "a number";
        if (ok && (v.f < f.lo || v.f > f.hi)) {
          MV_THROW(kValue) << "Operator " << name << ": parameter '" << f.name << "' = " << t
                           << " is out of range [" << fmt_num(f.lo) << ", " << fmt_num(f.hi) << "]";
        }
        break;
      case ParamType::kBool:
        ok = parse_bool(t, &v.i);
        expected = "a boolean (True/False/1/0)";
        break;
      case ParamType::kString:
        v.s = t;
        break;
      case ParamType::kEnum: {
        std::string u = t;
        if (u.size() >= 2 && (u.front() == '\'' || u.front() == '"')) u = u.substr(1, u.size() - 2);
        ok = std::find(f.enum_values.begin(), f.enum_values.end(), u) != f.enum_values.end();
        v.s = u;
        std::ostringstream os;
        os << "one of {";
        for (size_t k = 0; k < f.enum_values.size(); ++k) os << (k ? ", " : "") << "'" << f.enum_values[k] << "'";
        os << "}";
        expected = os.str();
        break;
      }
      case ParamType::kShape:
        ok = parse_shape(t, &v.shape);
        expected = "a shape such as (2, 3)";
        break;
      case ParamType::kDType:
        try {
          v.i = static_cast<int64_t>(dtype_from_name(t));
        } catch (const Error&) {
          ok = false;
        }
        expected = "a dtype name such as float32";
        break;
    }
    if (!ok) {
      ErrorBuilder err(f.type == ParamType::kDType ? ErrorKind::kType : ErrorKind::kValue);
      err << "Operator " << name << ": parameter '" << f.name << "' expects " << expected << ", got '" << text[i]
          << "'";
      err.raise();
    }
  }
  return attrs;
}

std::string OpDef::signature_help() const {
  std::ostringstream os;
  if (params.empty()) return "(none)";
  for (size_t i = 0; i < params.size(); ++i) {
    const ParamField& f = params[i];
    os << (i ? ", " : "") << f.name << " (" << param_type_name(f.type);
    if (f.required) os << ", required";
    else os << ", default=" << f.default_value;
    os << ")";
  }
  return os.str();
}

std::string OpDef::schema_json() const {
  JsonWriter w;
  w.begin_object();
  w.key("name").str(name);
  w.key("aliases").begin_array();
  for (auto& a : aliases) w.str(a);
  w.end_array();
  w.key("doc").str(doc);
  w.key("file").str(file + ":" + std::to_string(line));
  w.key("params").begin_array();
  for (auto& f : params) {
    w.begin_object();
    w.key("name").str(f.name);
    w.key("type").str(param_type_name(f.type));
    w.key("required").boolean(f.required);
    w.key("default").str(f.default_value);
    w.key("optional").boolean(f.allow_none);
    w.key("doc").str(f.doc);
    w.key("kind").str(param_kind_name(f.kind));
    if (f.type == ParamType::kEnum) {
      w.key("values").begin_array();
      for (auto& e : f.enum_values) w.str(e);
      w.end_array();
    }
    if (std::isfinite(f.lo)) w.key("min").num(f.lo);
    if (std::isfinite(f.hi)) w.key("max").num(f.hi);
    w.end_object();
  }
  w.end_array();
  w.key("inputs").begin_array();
  for (auto& n : input_names) w.str(n);
  w.end_array();
  w.key("hidden_inputs").begin_array();
  for (auto& n : hidden_inputs) w.str(n);
  w.end_array();
  w.key("variadic").str(variadic_param);
  w.key("variadic_group").num(variadic_group);
  w.key("variadic_extra").num(variadic_extra);
  w.key("inputs_depend_on_params").boolean(static_cast<bool>(list_inputs));
  // The output count when it does not depend on parameters (the default Attrs), else -1.
  int nout = -1;
  try {
    nout = outputs_for(*parse({}));
    if (num_visible_outputs) nout = visible_outputs_for(*parse({}));
  } catch (const Error&) {
  }
  w.key("num_outputs").num(nout);
  w.key("differentiable").boolean(!non_differentiable);
  w.key("uses_rng").boolean(uses_rng);
  w.key("method").str(method);
  // The declared samples, so tools outside the core (the oracle's golden generator,
  // tools/golden/make_sample_golden.py) can run the same cases.
  w.key("samples").begin_array();
  for (const auto& s : samples) {
    w.begin_object();
    w.key("shapes").begin_array();
    for (const auto& shape : s.shapes) {
      w.begin_array();
      for (int64_t d : shape) w.num(static_cast<long long>(d));
      w.end_array();
    }
    w.end_array();
    w.key("params").begin_object();
    for (const auto& [k, v] : s.params) w.key(k).str(v);
    w.end_object();
    w.key("lo").num(s.lo);
    w.key("hi").num(s.hi);
    w.key("index_inputs").begin_array();
    for (int i : s.index_inputs) w.num(i);
    w.end_array();
    w.key("index_high").num(static_cast<long long>(s.index_high));
    w.key("no_grad_inputs").begin_array();
    for (int i : s.no_grad_inputs) w.num(i);
    w.end_array();
    w.key("grad_check").boolean(s.grad_check);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.result();
}

// ---- Attrs ---------------------------------------------------------------------------------

const ParamValue& Attrs::value(const std::string& name) const {
  for (size_t i = 0; i < op->params.size(); ++i)
    if (op->params[i].name == name) return values[i];
  MV_THROW(kInternal) << "Operator " << op->name << " has no parameter '" << name << "'";
}
int64_t Attrs::get_int(const std::string& n) const { return value(n).i; }
double Attrs::get_float(const std::string& n) const { return value(n).f; }
bool Attrs::get_bool(const std::string& n) const { return value(n).i != 0; }
const std::string& Attrs::get_str(const std::string& n) const { return value(n).s; }
const Shape& Attrs::get_shape(const std::string& n) const { return value(n).shape; }
DType Attrs::get_dtype(const std::string& n) const { return static_cast<DType>(value(n).i); }
bool Attrs::is_none(const std::string& n) const { return value(n).none; }

// ---- registry ------------------------------------------------------------------------------

OpRegistry& OpRegistry::get() {
  static OpRegistry* r = new OpRegistry();
  return *r;
}

OpDef& OpRegistry::add(const std::string& name, const char* file, int line) {
  auto& slot = ops_[name];
  if (!slot) slot = std::make_unique<OpDef>();
  slot->name = name;
  std::string f = file;
  size_t pos = f.find("core/");
  slot->file = pos == std::string::npos ? f : f.substr(pos);
  slot->line = line;
  finalized_ = false;
  return *slot;
}

void OpRegistry::finalize() {
  if (finalized_.load(std::memory_order_acquire)) return;
  std::lock_guard<std::mutex> lock(finalize_mutex_);
  if (finalized_.load(std::memory_order_relaxed)) return;
  by_alias_.clear();
  for (auto& [n, def] : ops_) {
    by_alias_[n] = def.get();
    for (auto& a : def->aliases) by_alias_.emplace(a, def.get());
  }
  for (auto& [n, def] : ops_) {
    if (def->params_source.empty()) continue;
    auto src = by_alias_.find(def->params_source);
    MV_CHECK(src != by_alias_.end(), kInternal)
        << "Operator " << n << " takes its parameters from the unknown operator " << def->params_source;
    // Forward parameters first, then the backward's own; a name already present is not repeated,
    // so finalizing again after a later add() changes nothing.
    std::vector<ParamField> merged = src->second->params;
    for (auto& f : def->params) {
      bool dup = false;
      for (auto& m : merged) dup = dup || m.name == f.name;
      if (!dup) merged.push_back(f);
    }
    def->params = std::move(merged);
  }
  finalized_.store(true, std::memory_order_release);
}

const OpDef* OpRegistry::find(const std::string& name) const {
  const_cast<OpRegistry*>(this)->finalize();
  auto it = by_alias_.find(name);
  return it == by_alias_.end() ? nullptr : it->second;
}

namespace {
size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (std::tolower(a[i - 1]) != std::tolower(b[j - 1]))});
    prev.swap(cur);
  }
  return prev[b.size()];
}
}  // namespace

const OpDef& OpRegistry::lookup(const std::string& name) const {
  if (const OpDef* d = find(name)) return *d;
  std::vector<std::pair<size_t, std::string>> close;
  for (auto& [n, def] : by_alias_) close.emplace_back(edit_distance(name, n), n);
  std::sort(close.begin(), close.end());
  std::ostringstream os;
  os << "unknown operator '" << name << "'";
  if (!close.empty() && close[0].first <= 3) {
    os << "; did you mean";
    for (size_t i = 0; i < close.size() && i < 3 && close[i].first <= 3; ++i)
      os << (i ? ", " : " ") << "'" << close[i].second << "'";
    os << "?";
  }
  throw Error(ErrorKind::kNotFound, os.str());
}

std::vector<std::string> OpRegistry::names() const {
  const_cast<OpRegistry*>(this)->finalize();
  std::vector<std::string> out;
  for (auto& kv : ops_) out.push_back(kv.first);
  return out;
}

// ---- shared inference helpers ----------------------------------------------------------------

void shape_mismatch(const Attrs& attrs, const std::string& what, const Shape& expected, const Shape& got) {
  MV_THROW(kValue) << "Operator " << attrs.op->name << ": shape mismatch for " << what << ": expected "
                   << shape_str(expected) << ", got " << shape_str(got);
}

void infer_same_shape(const Attrs& attrs, std::vector<Shape>* in, std::vector<Shape>* out) {
  Shape known;
  auto names = attrs.op->inputs_for(attrs);
  for (auto& s : *in)
    if (!s.empty()) { known = s; break; }
  if (known.empty())
    for (auto& s : *out)
      if (!s.empty()) { known = s; break; }
  if (known.empty()) return;
  for (size_t i = 0; i < in->size(); ++i) {
    if ((*in)[i].empty()) (*in)[i] = known;
    else if ((*in)[i] != known)
      shape_mismatch(attrs, "input '" + (i < names.size() ? names[i] : std::to_string(i)) + "'", known, (*in)[i]);
  }
  for (auto& s : *out) s = known;
}

void infer_same_type(const Attrs& attrs, std::vector<int>* in, std::vector<int>* out) {
  int known = -1;
  for (int t : *in)
    if (t >= 0) { known = t; break; }
  if (known < 0)
    for (int t : *out)
      if (t >= 0) { known = t; break; }
  if (known < 0) return;
  auto names = attrs.op->inputs_for(attrs);
  for (size_t i = 0; i < in->size(); ++i) {
    if ((*in)[i] < 0) (*in)[i] = known;
    else if ((*in)[i] != known)
      MV_THROW(kType) << "Operator " << attrs.op->name << ": input '"
                      << (i < names.size() ? names[i] : std::to_string(i)) << "' has dtype "
                      << dtype_name(static_cast<DType>((*in)[i])) << ", expected "
                      << dtype_name(static_cast<DType>(known)) << " like the other inputs";
  }
  for (auto& t : *out) t = known;
}

}  // namespace minerva
