// Section: Symbol — graph construction, listings, attributes, inference, JSON and files.
#include "capi/src/api_util.h"
#include "core/base/json.h"
#include "core/graph/infer.h"
#include "core/graph/symbol_json.h"

using namespace minerva;
using capi::sym;

namespace {

std::vector<Symbol> gather_symbols(int num, const MVSymbolHandle* handles, const char* fn) {
  MV_CHECK(num >= 0, kValue) << fn << ": negative count " << num;
  MV_CHECK(num == 0 || handles != nullptr, kValue) << fn << ": the symbol array is NULL but the count is " << num;
  std::vector<Symbol> out;
  for (int i = 0; i < num; ++i) out.push_back(sym(handles[i], fn, "symbols[i]"));
  return out;
}

std::vector<std::string> gather_names(int num, const char** keys, const char* fn) {
  std::vector<std::string> out;
  if (keys == nullptr) return out;
  for (int i = 0; i < num; ++i) {
    MV_CHECK(keys[i] != nullptr, kValue) << fn << ": keys[" << i << "] is NULL";
    out.emplace_back(keys[i]);
  }
  return out;
}

void publish_names(const std::vector<std::string>& names, size_t* out_num, const char*** out_names) {
  MV_CHECK_OUT(out_num);
  MV_CHECK_OUT(out_names);
  *out_names = capi::to_cstrs(names);
  *out_num = names.size();
}

const char* publish_text(std::string text) {
  auto& b = capi::tls();
  b.text = std::move(text);
  return b.text.c_str();
}

// Shapes given as names, per-shape ndims and concatenated dims (MVSymbolInferShape's layout).
std::map<std::string, Shape> gather_shapes(int num, const char** keys, const int* ndims, const int64_t* dims,
                                           const char* fn) {
  MV_CHECK(num >= 0, kValue) << fn << ": negative count " << num;
  MV_CHECK(num == 0 || (keys && ndims), kValue) << fn << ": keys or ndims is NULL but the count is " << num;
  std::map<std::string, Shape> shapes;
  size_t pos = 0;
  for (int i = 0; i < num; ++i) {
    MV_CHECK(keys[i] != nullptr, kValue) << fn << ": keys[" << i << "] is NULL";
    MV_CHECK(ndims[i] >= 0 && ndims[i] <= 32, kValue) << fn << ": ndims[" << i << "] must be in [0, 32], got " << ndims[i];
    MV_CHECK(ndims[i] == 0 || dims != nullptr, kValue) << fn << ": dims is NULL";
    Shape s(dims + pos, dims + pos + ndims[i]);
    pos += static_cast<size_t>(ndims[i]);
    MV_CHECK(!shapes.count(keys[i]), kValue) << fn << ": the shape of '" << keys[i] << "' is given twice";
    shapes[keys[i]] = s;
  }
  return shapes;
}

std::map<std::string, int> gather_types(int num, const char** keys, const int* dtypes, const char* fn) {
  MV_CHECK(num >= 0, kValue) << fn << ": negative count " << num;
  MV_CHECK(num == 0 || (keys && dtypes), kValue) << fn << ": keys or dtypes is NULL but the count is " << num;
  std::map<std::string, int> types;
  for (int i = 0; i < num; ++i) {
    MV_CHECK(keys[i] != nullptr, kValue) << fn << ": keys[" << i << "] is NULL";
    types[keys[i]] = dtypes[i];
  }
  return types;
}

void write_shapes(JsonWriter& w, const char* key, const std::vector<Shape>& shapes) {
  w.key(key).begin_array();
  for (const Shape& s : shapes) {
    w.begin_array();
    for (int64_t d : s) w.num(static_cast<long long>(d));
    w.end_array();
  }
  w.end_array();
}

void write_types(JsonWriter& w, const char* key, const std::vector<int>& types) {
  w.key(key).begin_array();
  for (int t : types) w.num(t);
  w.end_array();
}

}  // namespace

extern "C" {

MV_DLL int MVSymbolCreateVariable(const char* name, MVSymbolHandle* out) {
  MV_API_BEGIN();
  MV_CHECK(name != nullptr, kValue) << "MVSymbolCreateVariable: name is NULL";
  MV_CHECK_OUT(out);
  *out = capi::new_symbol(Symbol::variable(name));
  MV_API_END();
}

MV_DLL int MVSymbolCreateOp(MVOpParamsHandle params, const char* name, int num_args, const char** keys,
                            const MVSymbolHandle* args, MVSymbolHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  auto* p = capi::checked(params, capi::kTagOpParams, "OpParams", "MVSymbolCreateOp", "params");
  std::vector<Symbol> inputs = gather_symbols(num_args, args, "MVSymbolCreateOp");
  std::vector<std::string> names = gather_names(num_args, keys, "MVSymbolCreateOp");
  *out = capi::new_symbol(Symbol::create(*p->attrs->op, p->attrs, name ? name : "", inputs, names));
  MV_API_END();
}

MV_DLL int MVSymbolCreateGroup(int num, const MVSymbolHandle* symbols, MVSymbolHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  *out = capi::new_symbol(Symbol::group(gather_symbols(num, symbols, "MVSymbolCreateGroup")));
  MV_API_END();
}

MV_DLL int MVSymbolFree(MVSymbolHandle handle) {
  MV_API_BEGIN();
  if (handle == nullptr) return MV_OK;
  sym(handle, "MVSymbolFree");
  capi::release(handle);
  MV_API_END();
}

MV_DLL int MVSymbolCopy(MVSymbolHandle handle, MVSymbolHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  *out = capi::new_symbol(sym(handle, "MVSymbolCopy").copy());
  MV_API_END();
}

MV_DLL int MVSymbolCompose(MVSymbolHandle handle, int num_args, const char** keys, const MVSymbolHandle* args,
                           MVSymbolHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  const Symbol& s = sym(handle, "MVSymbolCompose");
  std::vector<Symbol> inputs = gather_symbols(num_args, args, "MVSymbolCompose");
  *out = capi::new_symbol(s.compose(inputs, gather_names(num_args, keys, "MVSymbolCompose")));
  MV_API_END();
}

MV_DLL int MVSymbolGetNumOutputs(MVSymbolHandle handle, size_t* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  *out = sym(handle, "MVSymbolGetNumOutputs").outputs.size();
  MV_API_END();
}

MV_DLL int MVSymbolGetOutput(MVSymbolHandle handle, size_t index, MVSymbolHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  *out = capi::new_symbol(sym(handle, "MVSymbolGetOutput").output(index));
  MV_API_END();
}

MV_DLL int MVSymbolGetInternals(MVSymbolHandle handle, MVSymbolHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  *out = capi::new_symbol(sym(handle, "MVSymbolGetInternals").internals());
  MV_API_END();
}

MV_DLL int MVSymbolGetChildren(MVSymbolHandle handle, MVSymbolHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  *out = capi::new_symbol(sym(handle, "MVSymbolGetChildren").children());
  MV_API_END();
}

MV_DLL int MVSymbolListArguments(MVSymbolHandle handle, size_t* out_num, const char*** out_names) {
  MV_API_BEGIN();
  publish_names(sym(handle, "MVSymbolListArguments").list_arguments(), out_num, out_names);
  MV_API_END();
}

MV_DLL int MVSymbolListOutputs(MVSymbolHandle handle, size_t* out_num, const char*** out_names) {
  MV_API_BEGIN();
  publish_names(sym(handle, "MVSymbolListOutputs").list_outputs(), out_num, out_names);
  MV_API_END();
}

MV_DLL int MVSymbolListAuxiliaryStates(MVSymbolHandle handle, size_t* out_num, const char*** out_names) {
  MV_API_BEGIN();
  publish_names(sym(handle, "MVSymbolListAuxiliaryStates").list_auxiliary_states(), out_num, out_names);
  MV_API_END();
}

MV_DLL int MVSymbolListInputs(MVSymbolHandle handle, size_t* out_num, const char*** out_names) {
  MV_API_BEGIN();
  publish_names(sym(handle, "MVSymbolListInputs").list_inputs(), out_num, out_names);
  MV_API_END();
}

MV_DLL int MVSymbolGetName(MVSymbolHandle handle, const char** out, int* out_success) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  MV_CHECK_OUT(out_success);
  const Symbol& s = sym(handle, "MVSymbolGetName");
  std::string name = s.name();
  *out_success = name.empty() ? 0 : 1;
  *out = publish_text(name);
  MV_API_END();
}

MV_DLL int MVSymbolGetAttr(MVSymbolHandle handle, const char* key, const char** out, int* out_success) {
  MV_API_BEGIN();
  MV_CHECK(key != nullptr, kValue) << "MVSymbolGetAttr: key is NULL";
  MV_CHECK_OUT(out);
  MV_CHECK_OUT(out_success);
  std::string value;
  bool found = sym(handle, "MVSymbolGetAttr").attr(key, &value);
  *out = publish_text(found ? value : "");
  *out_success = found ? 1 : 0;
  MV_API_END();
}

MV_DLL int MVSymbolSetAttr(MVSymbolHandle handle, const char* key, const char* value) {
  MV_API_BEGIN();
  MV_CHECK(key != nullptr && value != nullptr, kValue) << "MVSymbolSetAttr: key or value is NULL";
  sym(handle, "MVSymbolSetAttr").set_attrs({{key, value}});
  MV_API_END();
}

MV_DLL int MVSymbolListAttr(MVSymbolHandle handle, int recursive, size_t* out_num, const char*** out_kv) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_num);
  MV_CHECK_OUT(out_kv);
  const Symbol& s = sym(handle, "MVSymbolListAttr");
  std::vector<std::string> kv;
  if (recursive) {
    for (const auto& [node, attrs] : s.attr_dict())
      for (const auto& [k, v] : attrs) {
        kv.push_back(node + "$" + k);
        kv.push_back(v);
      }
  } else {
    for (const auto& [k, v] : s.list_attr()) {
      kv.push_back(k);
      kv.push_back(v);
    }
  }
  *out_kv = capi::to_cstrs(kv);
  *out_num = kv.size() / 2;
  MV_API_END();
}

MV_DLL int MVSymbolInferShape(MVSymbolHandle handle, int num, const char** keys, const int* ndims, const int64_t* dims,
                              int partial, const char** out_json) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_json);
  const Symbol& s = sym(handle, "MVSymbolInferShape");
  ShapeInference r = infer_shape(s, gather_shapes(num, keys, ndims, dims, "MVSymbolInferShape"), partial != 0);
  JsonWriter w;
  w.begin_object();
  write_shapes(w, "arg_shapes", r.args);
  write_shapes(w, "out_shapes", r.outputs);
  write_shapes(w, "aux_shapes", r.aux);
  w.key("complete").boolean(r.complete);
  w.end_object();
  *out_json = publish_text(w.result());
  MV_API_END();
}

MV_DLL int MVSymbolInferType(MVSymbolHandle handle, int num, const char** keys, const int* dtypes, int partial,
                             const char** out_json) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_json);
  const Symbol& s = sym(handle, "MVSymbolInferType");
  TypeInference r = infer_type(s, gather_types(num, keys, dtypes, "MVSymbolInferType"), partial != 0);
  JsonWriter w;
  w.begin_object();
  write_types(w, "arg_types", r.args);
  write_types(w, "out_types", r.outputs);
  write_types(w, "aux_types", r.aux);
  w.key("complete").boolean(r.complete);
  w.end_object();
  *out_json = publish_text(w.result());
  MV_API_END();
}

MV_DLL int MVSymbolSaveToJSON(MVSymbolHandle handle, const char** out_json) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_json);
  *out_json = publish_text(symbol_to_json(sym(handle, "MVSymbolSaveToJSON")));
  MV_API_END();
}

MV_DLL int MVSymbolCreateFromJSON(const char* json, MVSymbolHandle* out) {
  MV_API_BEGIN();
  MV_CHECK(json != nullptr, kValue) << "MVSymbolCreateFromJSON: json is NULL";
  MV_CHECK_OUT(out);
  *out = capi::new_symbol(symbol_from_json(json));
  MV_API_END();
}

MV_DLL int MVSymbolSaveToFile(MVSymbolHandle handle, const char* fname) {
  MV_API_BEGIN();
  MV_CHECK(fname != nullptr, kValue) << "MVSymbolSaveToFile: fname is NULL";
  symbol_save_file(sym(handle, "MVSymbolSaveToFile"), fname);
  MV_API_END();
}

MV_DLL int MVSymbolCreateFromFile(const char* fname, MVSymbolHandle* out) {
  MV_API_BEGIN();
  MV_CHECK(fname != nullptr, kValue) << "MVSymbolCreateFromFile: fname is NULL";
  MV_CHECK_OUT(out);
  *out = capi::new_symbol(symbol_load_file(fname));
  MV_API_END();
}

}  // extern "C"
