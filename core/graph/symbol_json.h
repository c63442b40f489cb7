// MXNet's symbol JSON (the -symbol.json of checkpoints and Gluon exports): {"nodes": [{"op",
// "name", "attrs", "inputs": [[node, index, version], ...]}, ...], "arg_nodes", "node_row_ptr",
// "heads", "attrs": {"mxnet_version": ["int", 10901]}}. Reading also accepts MXNet 0.x files,
// whose nodes carry "param" and "attr" instead of "attrs" (and "backward_source_id").
#pragma once
#include <string>

#include "core/graph/symbol.h"

namespace minerva {

std::string symbol_to_json(const Symbol& sym);
// Errors (kValue, naming the node or the position) for malformed or truncated JSON, unknown
// operators (kNotFound, with close matches), bad parameters, inputs that point forward (a
// cycle) or out of range, and heads out of range.
Symbol symbol_from_json(const std::string& json);
// Atomic write: temporary file, flush, rename (core/io/atomic_file.h).
void symbol_save_file(const Symbol& sym, const std::string& path);
Symbol symbol_load_file(const std::string& path);

}  // namespace minerva
