"""The graph pass behind ``amp.convert_symbol``: a float32 symbol rewritten so that its
target-precision operators run in float16, by inserting casts (MXNet 1.x's ReducePrecision pass).

Walking the nodes in order, with the float type of every output known (from the original graph's
type inference, then updated as casts are placed):
- a target-precision operator gets its float32 inputs cast to float16 (its outputs become float16),
  unless this build's operator does not take float16 (the registry's type inference says so):
  then it stays in float32, with a warning;
- a float32 operator (or a conditional one whose parameter matches) gets its float16 inputs cast
  to float32;
- a widest-type operator whose float inputs are mixed gets the narrow ones cast to float32;
- anything else runs in the type its inputs have; excluded nodes run in float32 (their float16
  inputs are cast up, as MXNet's pass does);
- graph outputs that became float16 are cast back to float32, so callers still see float32.
Casts are shared: an output cast to a type once is reused by every consumer. Casts are
``amp_cast`` nodes when the registry has that operator, ``Cast`` otherwise; only float16/float32
entries are ever cast (index inputs stay as they are)."""
from __future__ import annotations

import json
import warnings

import numpy as np

from ... import symbol as sym_mod
from ...base import MXNetError
from ...ndarray.ndarray import DTYPE_CODE_TO_NP
from .lists._registry import has_op

_FLOATS = ("float16", "float32")


def _dtype_name(t) -> str | None:
    return None if t is None else np.dtype(t).name


def _output_types(sym, data_names) -> dict:
    """Dtype name of every visible internal output of ``sym``, by output name (``data``,
    ``fc1_output``, ``split_output1``); float32 where inference cannot tell."""
    internals = sym.get_internals()
    known = {n: "float32" for n in data_names}
    attrs = sym.attr_dict()
    for name in sym.list_inputs():
        dtype = attrs.get(name, {}).get("__dtype__")
        if dtype is not None and name not in known and int(dtype) >= 0:
            known[name] = np.dtype(DTYPE_CODE_TO_NP[int(dtype)]).name
    names = internals.list_outputs()
    try:
        _, out_types, _ = internals.infer_type_partial(**known)
    except MXNetError:  # a graph whose types cannot be inferred: take every output as float32
        out_types = [None] * len(names)
    return {n: _dtype_name(t) if t is not None else "float32" for n, t in zip(names, out_types)}


def _original_type(types, node, out, count):
    if node["op"] == "null":
        return types.get(node["name"], "float32")
    name = node["name"] + "_output"
    if count == 1 or (out == 0 and name in types):
        return types.get(name, "float32")
    return types.get("%s_output%d" % (node["name"], out), "float32")


class _Rewriter:
    def __init__(self, graph, types, target, lp16_ops, fp32_ops, conditional, widest, excluded):
        self.old_nodes = graph["nodes"]
        self.row_ptr = graph["node_row_ptr"]
        self.types = types
        self.target = target
        self.lp16_ops, self.fp32_ops, self.widest = set(lp16_ops), set(fp32_ops), set(widest)
        self.conditional = {}
        for op, param, values in conditional:
            self.conditional.setdefault(op, []).append((param, set(values)))
        self.excluded = set(excluded)
        self.nodes, self.num_outputs = [], []
        self.new_index = {}          # old node index -> new node index
        self.entry_type = {}         # (new node, output) -> dtype name
        self.entry_name = {}         # (new node, output) -> (node name, its output count, is a variable)
        self.casts = {}              # (new node, output, dtype) -> new node index of the cast
        self.cast_op = "amp_cast" if has_op("amp_cast") else "Cast"
        self.target_ok = {}          # (op, attrs) -> whether the op takes target-precision inputs

    def _category(self, node) -> str:
        op, name = node["op"], node["name"]
        if name in self.excluded:
            return "fp32"
        if op in self.lp16_ops:
            return "lp16" if self._runs_in_target(node) else "fp32"
        if op in self.fp32_ops:
            return "fp32"
        for param, values in self.conditional.get(op, []):
            if node.get("attrs", {}).get(param) in values:
                return "fp32"
        if op in self.widest:
            return "widest"
        return "keep"

    def _runs_in_target(self, node) -> bool:
        """Whether this build's ``node["op"]`` accepts target-precision float inputs, asked of the
        registry's type inference on the node alone; if not, the node stays in float32 (with a
        warning) rather than producing a graph that cannot be bound."""
        key = (node["op"], json.dumps(node.get("attrs", {}), sort_keys=True))
        if key not in self.target_ok:
            nodes = [{"op": "null", "name": "in%d" % i, "inputs": []} for i in range(len(node["inputs"]))]
            nodes.append({"op": node["op"], "name": "probe", "attrs": node.get("attrs", {}),
                          "inputs": [[i, 0, 0] for i in range(len(node["inputs"]))]})
            probe = sym_mod.load_json(json.dumps({"nodes": nodes, "arg_nodes": list(range(len(node["inputs"]))),
                                                  "heads": [[len(nodes) - 1, 0, 0]], "attrs": {}}))
            types = {}
            for i, (src, out, _) in enumerate(node["inputs"]):
                count = self.row_ptr[src + 1] - self.row_ptr[src]
                if _original_type(self.types, self.old_nodes[src], out, count) in _FLOATS:
                    types["in%d" % i] = self.target
            try:
                probe.infer_type_partial(**{n: t for n, t in types.items() if n in probe.list_arguments()})
                self.target_ok[key] = True
            except MXNetError as err:
                warnings.warn("amp: operator %s cannot run in %s in this build (%s); its nodes stay in float32"
                              % (node["op"], self.target, str(err).splitlines()[0]), stacklevel=6)
                self.target_ok[key] = False
        return self.target_ok[key]

    def _cast(self, entry, dtype):
        node, out = entry
        if self.entry_type.get((node, out)) not in _FLOATS or self.entry_type[(node, out)] == dtype:
            return entry
        key = (node, out, dtype)
        if key not in self.casts:
            self.nodes.append({"op": self.cast_op, "name": "%s_amp_cast_%s" % (self._cast_source_name(node, out, dtype),
                                                                             dtype),
                               "attrs": {"dtype": dtype}, "inputs": [[node, out, 0]]})
            self.num_outputs.append(1)
            new = len(self.nodes) - 1
            self.entry_type[(new, 0)] = dtype
            self.entry_name[(new, 0)] = (self.nodes[-1]["name"], 1, False)
            self.casts[key] = new
        return (self.casts[key], 0)

    def _cast_source_name(self, node, out, dtype):
        """MXNet's names: a variable's own name; an operator output cast down is ``<node>_<i>``,
        cast up ``<node>_output`` (``<node>_output<i>`` for one of several outputs)."""
        name, count, is_var = self.entry_name[(node, out)]
        if is_var:
            return name
        if dtype != "float32":
            return "%s_%d" % (name, out)
        single = count == 1 or (out == 0 and name + "_output" in self.types)  # one visible output
        return name + "_output" if single else "%s_output%d" % (name, out)

    def run(self, heads):
        for old, node in enumerate(self.old_nodes):
            count = self.row_ptr[old + 1] - self.row_ptr[old]
            inputs = [(self.new_index[i[0]], i[1]) for i in node["inputs"]]
            category = self._category(node)
            floats = [self.entry_type.get(e) for e in inputs if self.entry_type.get(e) in _FLOATS]
            if category == "lp16":
                inputs = [self._cast(e, self.target) for e in inputs]
            elif category == "fp32":
                inputs = [self._cast(e, "float32") for e in inputs]
            elif category == "widest" and len(set(floats)) > 1:
                inputs = [self._cast(e, "float32") for e in inputs]
            new_node = dict(node)
            new_node["inputs"] = [[n, o, 0] for n, o in inputs]
            self.nodes.append(new_node)
            self.num_outputs.append(count)
            new = len(self.nodes) - 1
            self.new_index[old] = new
            first_float = next((self.entry_type[e] for e in inputs if self.entry_type.get(e) in _FLOATS), None)
            for out in range(count):
                original = _original_type(self.types, node, out, count)
                if node["op"] == "null" or original not in _FLOATS:
                    dtype = original
                elif category == "lp16":
                    dtype = self.target
                elif category == "fp32":
                    dtype = "float32"
                else:
                    dtype = first_float or original
                self.entry_type[(new, out)] = dtype
                self.entry_name[(new, out)] = (node["name"], count, node["op"] == "null")
        new_heads = []
        for h in heads:
            entry = (self.new_index[h[0]], h[1])
            count = self.row_ptr[h[0] + 1] - self.row_ptr[h[0]]
            if _original_type(self.types, self.old_nodes[h[0]], h[1], count) == "float32":
                entry = self._cast(entry, "float32")
            new_heads.append([entry[0], entry[1], 0])
        return new_heads

    def graph(self, heads, attrs):
        row_ptr = [0]
        for count in self.num_outputs:
            row_ptr.append(row_ptr[-1] + count)
        return {"nodes": self.nodes, "arg_nodes": [i for i, n in enumerate(self.nodes) if n["op"] == "null"],
                "node_row_ptr": row_ptr, "heads": heads, "attrs": attrs}


def reduce_precision(sym, target, lp16_ops, fp32_ops, conditional, widest, excluded, data_names):
    """``sym`` with casts placed as described above."""
    graph = json.loads(sym.tojson())
    types = _output_types(sym, data_names)
    rewriter = _Rewriter(graph, types, target, lp16_ops, fp32_ops, conditional, widest, excluded)
    heads = rewriter.run(graph["heads"])
    return sym_mod.load_json(json.dumps(rewriter.graph(heads, graph.get("attrs", {}))))
