"""``mx.visualization`` (``mx.viz``): MXNet 1.x's network summary table and Graphviz drawing of
a Symbol, read from the symbol's JSON as MXNet does, so both show what MXNet's show. No
``__all__``, as in MXNet."""
from __future__ import annotations

import copy
import json
import re
import warnings

from .symbol import Symbol

def _str2tuple(string: str) -> list:
    """The numbers of a shape string such as '(3, 3)', as strings."""
    return re.findall(r"\d+", string)


def _shape_dict(symbol: Symbol, shape: dict) -> dict:
    """Output shape of every internal output (and input) of symbol, by name."""
    internals = symbol.get_internals()
    _, out_shapes, _ = internals.infer_shape(**shape)
    if out_shapes is None:
        raise ValueError("Input shape is incomplete")
    return dict(zip(internals.list_outputs(), out_shapes))


def _print_row(fields, positions) -> None:
    """One table row: field i is cut or padded to end at column positions[i]."""
    line = ""
    for field, end in zip(fields, positions):
        line = (line + str(field))[:end]
        line += " " * (end - len(line))
    print(line)


def _output_key(node: dict) -> str:
    return node["name"] + "_output" if node["op"] != "null" else node["name"]


def _layer_params(node: dict, pre_filter: int, shape_dict) -> int:
    """Parameters of one layer as MXNet's summary counts them: Convolution, FullyConnected,
    BatchNorm (with shapes) and Embedding; every other layer counts 0."""
    op, attrs = node["op"], node.get("attrs", {})
    no_bias = attrs.get("no_bias") == "True"
    if op == "Convolution":
        params = pre_filter * int(attrs["num_filter"]) // int(attrs.get("num_group", "1"))
        for k in _str2tuple(attrs["kernel"]):
            params *= int(k)
        return params if no_bias else params + int(attrs["num_filter"])
    if op == "FullyConnected":
        return (pre_filter if no_bias else pre_filter + 1) * int(attrs["num_hidden"])
    if op == "BatchNorm":
        return int(shape_dict[node["name"] + "_output"][1]) * 2 if shape_dict is not None else 0
    if op == "Embedding":
        return int(attrs["input_dim"]) * int(attrs["output_dim"])
    return 0


def print_summary(symbol, shape=None, line_length=120, positions=[.44, .64, .74, 1.]):  # noqa: B006  (MXNet's default)
    """Prints a table of symbol's layers: name (type), output shape (without the batch
    axis; needs shape, a dict input name -> shape), parameter count and previous layers, and
    the total parameter count. positions: where each column ends, as fractions of line_length
    or as absolute columns."""
    if not isinstance(symbol, Symbol):
        raise TypeError("symbol must be Symbol")
    shape_dict = _shape_dict(symbol, shape) if shape is not None else None
    conf = json.loads(symbol.tojson())
    nodes = conf["nodes"]
    heads = set(conf["heads"][0])
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    print("_" * line_length)
    _print_row(["Layer (type)", "Output Shape", "Param #", "Previous Layer"], positions)
    print("=" * line_length)

    def layer_row(node, out_shape) -> int:
        previous = []
        pre_filter = 0
        if node["op"] != "null":
            for item in node["inputs"]:
                source = nodes[item[0]]
                if source["op"] != "null" or item[0] in heads:
                    previous.append(source["name"])
                    key = _output_key(source)
                    if shape_dict is not None and key in shape_dict:
                        pre_filter += int(shape_dict[key][1:][0])
        params = _layer_params(node, pre_filter, shape_dict)
        shape_text = "x".join(str(x) for x in out_shape)
        _print_row([f"{node['name']}({node['op']})", shape_text, params, previous[0] if previous else ""], positions)
        for name in previous[1:]:
            _print_row(["", "", "", name], positions)
        return params

    total_params = 0
    for i, node in enumerate(nodes):
        if node["op"] == "null" and i > 0:
            continue
        out_shape = []
        if shape_dict is not None and (node["op"] != "null" or i in heads):
            out_shape = shape_dict.get(_output_key(node), [None])[1:]
        total_params += layer_row(node, out_shape)
        print(("=" if i == len(nodes) - 1 else "_") * line_length)
    print(f"Total params: {total_params}")
    print("_" * line_length)


_COLORS = ("#8dd3c7", "#fb8072", "#ffffb3", "#bebada", "#80b1d3", "#fdb462", "#b3de69", "#fccde5")
_WEIGHT_SUFFIXES = ("_weight", "_bias", "_beta", "_gamma", "_moving_var", "_moving_mean", "_running_var",
                    "_running_mean")


def _node_label_and_color(node: dict) -> tuple:
    """MXNet's label and fill colour for an operator node."""
    op, attrs, name = node["op"], node.get("attrs", {}), node["name"]

    def joined(key, missing):
        return "x".join(_str2tuple(attrs[key])) if key in attrs else missing

    if op == "Convolution":
        return f"Convolution\n{joined('kernel', '')}/{joined('stride', '1')}, {attrs['num_filter']}", _COLORS[1]
    if op == "FullyConnected":
        return f"FullyConnected\n{attrs['num_hidden']}", _COLORS[1]
    if op == "BatchNorm":
        return name, _COLORS[3]
    if op == "Activation":
        return f"Activation\n{attrs['act_type']}", _COLORS[2]
    if op == "LeakyReLU":
        return f"LeakyReLU\n{attrs.get('act_type', 'Leaky')}", _COLORS[2]
    if op == "Pooling":
        return f"Pooling\n{attrs['pool_type']}, {joined('kernel', '[]')}/{joined('stride', '1')}", _COLORS[4]
    if op in ("Concat", "Flatten", "Reshape"):
        return name, _COLORS[5]
    if op == "Softmax":
        return name, _COLORS[6]
    return (attrs["op_type"] if op == "Custom" else name), _COLORS[7]


def _edge_key(node: dict) -> str:
    """The internal-output name of node's (last) output, as MXNet labels edges."""
    if node["op"] == "null":
        return node["name"]
    key = node["name"] + "_output"
    if "num_outputs" in node.get("attrs", {}):
        key += str(int(node["attrs"]["num_outputs"]) - 1)
    return key


def plot_network(symbol, title="plot", save_format="pdf", shape=None, dtype=None, node_attrs={},  # noqa: B006
                 hide_weights=True):
    """A ``graphviz.Digraph`` of symbol's graph: inputs as ovals, operators as boxes
    coloured and labelled by kind, edges labelled with shapes (given shape, input name ->
    shape) and dtypes (given dtype, input name -> numpy type). Weights and biases are hidden
    unless hide_weights=False. node_attrs override the Graphviz node attributes. Needs the
    ``graphviz`` Python package."""
    try:
        from graphviz import Digraph
    except ImportError:
        raise ImportError("Draw network requires graphviz library: plot_network needs the 'graphviz' Python "
                          "package (pip install graphviz)") from None
    if not isinstance(symbol, Symbol):
        raise TypeError("symbol must be a Symbol")
    shape_dict = _shape_dict(symbol, shape) if shape is not None else None
    type_dict = None
    if dtype is not None:
        internals = symbol.get_internals()
        _, out_types, _ = internals.infer_type(**dtype)
        if out_types is None:
            raise ValueError("Input type is incomplete")
        type_dict = dict(zip(internals.list_outputs(), out_types))
    nodes = json.loads(symbol.tojson())["nodes"]
    names = [n["name"] for n in nodes]
    if len(names) != len(set(names)):
        repeated = sorted({n for n in names if names.count(n) > 1})
        warnings.warn("There are multiple variables with the same name in your graph, this may result in cyclic "
                      "graph. Repeated names: " + ",".join(repeated), RuntimeWarning, stacklevel=2)
    node_attr = {"shape": "box", "fixedsize": "true", "width": "1.3", "height": "0.8034", "style": "filled"}
    node_attr.update(node_attrs)
    dot = Digraph(name=title, format=save_format)
    hidden = set()
    for node in nodes:
        attr = copy.deepcopy(node_attr)
        if node["op"] == "null":
            if node["name"].endswith(_WEIGHT_SUFFIXES):
                # Hidden weights drop their edges too; shown ones get an edge to an empty node.
                if hide_weights:
                    hidden.add(node["name"])
                continue
            label = node["name"]
            attr["shape"] = "oval"
            attr["fillcolor"] = _COLORS[0]
        else:
            label, attr["fillcolor"] = _node_label_and_color(node)
        dot.node(name=node["name"], label=label, **attr)
    for node in nodes:
        if node["op"] == "null":
            continue
        inputs = node["inputs"][:1] if node["op"] == "_contrib_BilinearResize2D" else node["inputs"]
        for item in inputs:
            source = nodes[item[0]]
            if source["name"] in hidden:
                continue
            attr = {"dir": "back", "arrowtail": "open", "label": ""}
            if shape_dict is not None:
                attr["label"] = "x".join(str(x) for x in shape_dict[_edge_key(source)][1:])
            if type_dict is not None:
                attr["label"] += "(" + type_dict[_edge_key(source)].__name__ + ")"
            dot.edge(tail_name=node["name"], head_name=source["name"], **attr)
    return dot
