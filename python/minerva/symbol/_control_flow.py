"""MXNet's symbolic control flow: ``mx.sym.contrib.foreach``, ``while_loop`` and ``cond``.

Each builds one node of the core's control-flow operators (``_foreach``, ``_while_loop``,
``_cond``) that holds the traced Python functions as graphs (MXNet's subgraphs). The functions
are called once, on placeholder variables, inside ``AttrScope(__subgraph_name__=...)``; whatever
they read from outside (free variables, or results computed outside the loop) becomes an input
of the node, so the subgraph is self-contained. Symbol JSON keeps the graphs in the node's
``"subgraphs"`` field, as MXNet 1.9.1 writes it.
"""
from __future__ import annotations

import collections
import json

from ..attribute import AttrScope
from . import symbol as _symbol
from .symbol import Symbol

_subgraph_counts: collections.Counter = collections.Counter()


def _flatten(args, what: str):
    """(flat list, format) as MXNet's: a Symbol's format is its output count when it has
    several, else 0; a list's is the list of its items' formats."""
    if isinstance(args, Symbol):
        length = len(args.list_outputs())
        return [args], (length if length > 1 else 0)
    if not isinstance(args, (list, tuple)):
        raise TypeError(f"{what} must be a Symbol or a (nested) list of Symbols, got {type(args).__name__}")
    flat, fmts = [], []
    for item in args:
        sub, fmt = _flatten(item, what)
        flat.extend(sub)
        fmts.append(fmt)
    return flat, fmts


def _regroup(args, fmt):
    if isinstance(fmt, int):
        if fmt == 0:
            return args[0], args[1:]
        return args[:fmt], args[fmt:]
    out = []
    for item in fmt:
        res, args = _regroup(args, item)
        out.append(res)
    return out, args


def _check_symbols(items, what: str) -> None:
    for item in items:
        if not isinstance(item, Symbol):
            raise TypeError(f"{what} must be Symbols, got {type(item).__name__}")


def _unique_subgraph_name(name: str) -> str:
    outer = AttrScope.current._attr.get("__subgraph_name__", "")
    if outer:
        name = outer + "$" + name
    _subgraph_counts[name] += 1
    return name + str(_subgraph_counts[name] - 1)


def _placeholder_name(sym: Symbol) -> str:
    """The name of the variable that stands for sym inside a subgraph ("data-0", as MXNet's)."""
    out = sym.list_outputs()[0]
    return (sym.name if out == sym.name else out) + "-0"


def _in_scope(sym: Symbol, scope: str) -> bool:
    return sym.list_attr().get("__subgraph_name__", "") == scope


def _graph_of(outputs: list, scope: str) -> Symbol:
    """Groups a traced function's outputs; one that is an input, or was computed outside the
    function, goes through identity so that every output is a node of the subgraph."""
    input_names = set(_symbol.Group(outputs).list_inputs()) if outputs else set()
    seen = set()
    heads = []
    for out in outputs:
        key = out.list_outputs()[0]
        if out.name in input_names or not _in_scope(out, scope) or key in seen:
            with AttrScope(__subgraph_name__=scope):
                out = _symbol.op.identity(out)
        seen.add(out.list_outputs()[0])
        heads.append(out)
    return _symbol.Group(heads)


def _cut(graph: Symbol, scope: str):
    """Cuts the traced graph where it reads values computed outside the scope: each such value
    becomes a variable named after it. Returns (the self-contained subgraph, {input name: the
    outer Symbol that feeds it}) for every input of the subgraph."""
    doc = json.loads(graph.tojson())
    nodes = doc["nodes"]
    internals = graph.get_internals()
    outer_names = internals.list_outputs()

    def inside(node) -> bool:
        return node["op"] != "null" and node.get("attrs", {}).get("__subgraph_name__", "") == scope

    # The output name of every visible (node, output) entry, for naming cut variables:
    # internals lists them node by node in the document's (topological) order.
    node_of = [internals[k].name for k in range(len(outer_names))]
    entry_name, k = {}, 0
    for i, node in enumerate(nodes):
        j = 0
        while k < len(outer_names) and node_of[k] == node["name"] and (j == 0 or node["op"] != "null"):
            entry_name[(i, j)] = outer_names[k]
            k, j = k + 1, j + 1

    new_nodes, remap, feeds = [], {}, {}

    def cut_var(i, j):
        key = ("cut", i, j)
        if key not in remap:
            name = entry_name.get((i, j), f"{nodes[i]['name']}_output{j}")
            remap[key] = len(new_nodes)
            new_nodes.append({"op": "null", "name": name, "inputs": []})
            feeds[name] = internals[name]
        return remap[key]

    def entry(e):
        i, j = e[0], e[1]
        src = nodes[i]
        if src["op"] != "null" and not inside(src):
            return [cut_var(i, j), 0, 0]
        return [remap[("node", i)], j, 0]

    for i, node in enumerate(nodes):
        if node["op"] != "null" and not inside(node):
            continue
        copy = dict(node)
        copy["inputs"] = [entry(e) for e in node.get("inputs", [])]
        remap[("node", i)] = len(new_nodes)
        new_nodes.append(copy)
        if node["op"] == "null" and node["name"] not in feeds:
            feeds[node["name"]] = internals[node["name"]]
    heads = [entry(h) for h in doc["heads"]]
    # Keep only what the heads reach (variables read only outside the scope drop out).
    reach, stack = set(), [h[0] for h in heads]
    while stack:
        n = stack.pop()
        if n in reach:
            continue
        reach.add(n)
        stack.extend(e[0] for e in new_nodes[n]["inputs"])
    order = [n for n in range(len(new_nodes)) if n in reach]
    index = {n: k for k, n in enumerate(order)}
    final = []
    for n in order:
        node = dict(new_nodes[n])
        node["inputs"] = [[index[e[0]], e[1], 0] for e in node["inputs"]]
        final.append(node)
    sub_doc = {"nodes": final, "arg_nodes": [k for k, node in enumerate(final) if node["op"] == "null"],
               "heads": [[index[h[0]], h[1], 0] for h in heads], "attrs": {"mxnet_version": ["int", 10901]}}
    sub = _symbol.load_json(json.dumps(sub_doc))
    names = sub.list_inputs()
    if len(set(names)) != len(names):
        raise ValueError(f"The inputs of the subgraph don't have unique names: {names}")
    return sub, {name: feeds[name] for name in names}


def _create(op: str, graphs: list, inputs: list, params: dict, name) -> Symbol:
    params = {k: (str(list(v)) if isinstance(v, (list, tuple)) else str(v)) for k, v in params.items()}
    params["num_args"] = str(len(graphs) + len(inputs))
    return _symbol.create_op(op, params, list(graphs) + list(inputs), None, name, None)


def foreach(body, data, init_states, name="foreach"):
    """Runs ``out, states = body(data[i], states)`` over axis 0 of data and returns (the outputs of
    every step stacked on a new axis 0, the final states), as one ``_foreach`` node.

    ``data`` is a Symbol or a (nested) list of Symbols, sliced together; ``init_states`` a Symbol
    or a (nested) list; ``body`` returns ``(outputs, new_states)`` with new_states shaped like
    init_states (``([], states)`` for states only, ``(out, [])`` for outputs only).

    Example::

        step = lambda data, states: (data + states[0], [states[0] * 2])
        outs, states = mx.sym.contrib.foreach(step, mx.sym.var('data'), [mx.sym.var('state')])
    """
    flat_data, data_fmt = _flatten(data, "foreach input")
    _check_symbols(flat_data, "foreach: data")
    flat_states, state_fmt = _flatten(init_states, "foreach states")
    _check_symbols(flat_states, "foreach: init_states")
    if not flat_data:
        raise ValueError("foreach: data must hold at least one Symbol")
    scope = _unique_subgraph_name(name)
    with AttrScope(__subgraph_name__=scope):
        data_vars, _ = _regroup([_symbol.var(_placeholder_name(s)) for s in flat_data], data_fmt)
        state_vars, _ = _regroup([_symbol.var(_placeholder_name(s)) for s in flat_states], state_fmt)
        result = body(data_vars, state_vars)
        if not isinstance(result, (list, tuple)) or len(result) != 2:
            raise TypeError("foreach: body must return a pair (outputs, new_states)")
        outs, out_fmt = _flatten(result[0], "foreach output")
        new_states, new_fmt = _flatten(result[1], "foreach loop_vars")
        _check_symbols(outs, "foreach: the outputs of body")
        _check_symbols(new_states, "foreach: the states body returns")
        if new_fmt != state_fmt:
            raise ValueError("foreach: body returns states of another structure than init_states "
                             f"({new_fmt} vs {state_fmt})")
    graph, feeds = _cut(_graph_of(outs + new_states, scope), scope)
    names = graph.list_inputs()
    data_names = [_placeholder_name(s) for s in flat_data]
    state_names = [_placeholder_name(s) for s in flat_states]
    for kind, group in (("data", data_names), ("state", state_names)):
        for n in group:
            if n not in names:
                raise ValueError(f"foreach: the {kind} array '{n[:-2]}' has to be used in the loop body")
    remain = [n for n in names if n not in data_names and n not in state_names]
    node = _create("_foreach", [graph], flat_data + flat_states + [feeds[n] for n in remain],
                   {"num_outputs": len(outs) + len(new_states), "num_out_data": len(outs),
                    "in_data_locs": [names.index(n) for n in data_names],
                    "in_state_locs": [names.index(n) for n in state_names],
                    "remain_locs": [names.index(n) for n in remain]}, None)
    out_list = [node[i] for i in range(len(outs))]
    state_list = [node[len(outs) + i] for i in range(len(new_states))]
    outputs, _ = _regroup(out_list, out_fmt)
    states, _ = _regroup(state_list, state_fmt)
    return outputs, states


def _to_int(value, what: str) -> int:
    if hasattr(value, "asscalar"):
        value = value.asscalar()
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"Cannot convert {what} to python int") from None


def _union_inputs(cuts):
    """The node's inputs: every graph input, once per name; and each graph's positions in it."""
    inputs, position, locs = [], {}, []
    for _, feeds in cuts:
        graph_locs = []
        for name, sym in feeds.items():
            if name not in position:
                position[name] = len(inputs)
                inputs.append(sym)
            graph_locs.append(position[name])
        locs.append(graph_locs)
    return inputs, locs


def while_loop(cond, func, loop_vars, max_iterations=None, name="while_loop"):
    """While ``cond(*loop_vars)`` is true and fewer than max_iterations steps ran:
    ``step_output, loop_vars = func(*loop_vars)``. Returns (each step output stacked on a new axis
    0 of length max_iterations, the final loop_vars), as one ``_while_loop`` node. Rows after the
    last step are zeros (MXNet leaves them unspecified).

    Example::

        cond = lambda i, s: i <= 5
        func = lambda i, s: ([i + s], [i + 1, s + i])
        outputs, states = mx.sym.contrib.while_loop(cond, func, (mx.sym.var('i'), mx.sym.var('s')),
                                                    max_iterations=10)
    """
    flat_vars, var_fmt = _flatten(loop_vars, "while loop_vars")
    _check_symbols(flat_vars, "while_loop: loop_vars")
    if max_iterations is None:
        raise ValueError("max_iterations should be specified")
    max_iterations = _to_int(max_iterations, "max_iteration")
    if len(loop_vars if isinstance(loop_vars, (list, tuple)) else [loop_vars]) == 0:
        raise ValueError("loop_vars should contain at least one element")
    var_names = [_placeholder_name(s) for s in flat_vars]

    def trace(fn, scope_name):
        scope = _unique_subgraph_name(scope_name)
        with AttrScope(__subgraph_name__=scope):
            placeholders, _ = _regroup([_symbol.var(n) for n in var_names], var_fmt)
            if not isinstance(placeholders, list):
                placeholders = [placeholders]
            result = fn(placeholders)
        return scope, result

    cond_scope, pred = trace(lambda vs: cond(*vs), name + "_cond")
    if not isinstance(pred, Symbol):
        raise ValueError("Return of cond must be a Symbol")
    func_scope, result = trace(lambda vs: func(*vs), name + "_func")
    if not isinstance(result, (list, tuple)) or len(result) != 2:
        raise TypeError("while_loop: func must return a pair (step_output, new_loop_vars)")
    step_output, new_vars = result
    step_output = [] if step_output is None else (list(step_output) if isinstance(step_output, tuple)
                                                  else step_output)
    new_vars = [] if new_vars is None else (list(new_vars) if isinstance(new_vars, tuple) else new_vars)
    outs, out_fmt = _flatten(step_output, "while output")
    new_flat, _ = _flatten(new_vars, "while loop_vars")
    _check_symbols(outs, "while_loop: the step outputs of func")
    _check_symbols(new_flat, "while_loop: the loop_vars func returns")
    if len(new_flat) != len(flat_vars):
        raise ValueError("The number of loop_vars should be consistent during the loop")
    cuts = [_cut(_graph_of([pred], cond_scope), cond_scope),
            _cut(_graph_of(outs + new_flat, func_scope), func_scope)]
    # Placeholders are fed by the loop variables' initial values.
    for _, feeds in cuts:
        for n, sym in zip(var_names, flat_vars):
            if n in feeds:
                feeds[n] = sym
    inputs, (cond_locs, func_locs) = _union_inputs(cuts)
    func_names = cuts[1][0].list_inputs()
    var_locs = []
    for i, n in enumerate(var_names, 1):
        if n not in func_names:
            raise ValueError("The %d-th loop_var doesn't involve into the computation" % i)
        var_locs.append(func_names.index(n))
    node = _create("_while_loop", [cuts[0][0], cuts[1][0]], inputs,
                   {"max_iterations": max_iterations, "cond_input_locs": cond_locs, "func_input_locs": func_locs,
                    "func_var_locs": var_locs, "num_out_data": len(outs), "num_outputs": len(outs) + len(new_flat)},
                   None)
    outputs, _ = _regroup([node[i] for i in range(len(outs))], out_fmt)
    final, _ = _regroup([node[len(outs) + i] for i in range(len(new_flat))], var_fmt)
    return outputs, final


def cond(pred, then_func, else_func, name="cond"):
    """``then_func()`` if the one-element Symbol pred is true, else ``else_func()``, as one
    ``_cond`` node; only the chosen branch runs. Both functions return a Symbol or a (nested)
    list of Symbols of the same shapes and dtypes.

    Example::

        a, b = mx.sym.var('a'), mx.sym.var('b')
        out = mx.sym.contrib.cond(a * b < 5, lambda: (a + 5) * (b + 5), lambda: (a - 5) * (b - 5))
    """
    if not isinstance(pred, Symbol):
        raise TypeError(f"cond: pred must be a Symbol, got {type(pred).__name__}")

    def trace(fn, scope_name, what):
        scope = _unique_subgraph_name(scope_name)
        with AttrScope(__subgraph_name__=scope):
            outs, fmt = _flatten(fn(), what)
        _check_symbols(outs, f"cond: the outputs of {what}")
        return _cut(_graph_of(outs, scope), scope), len(outs), fmt

    pred_cut, num_pred, _ = trace(lambda: pred, name + "_pred", "pred")
    if num_pred != 1:
        raise ValueError("pred should always be a single output")
    then_cut, then_num, then_fmt = trace(then_func, name + "_then", "then_func")
    else_cut, else_num, _ = trace(else_func, name + "_else", "else_func")
    if then_num != else_num:
        raise ValueError("Number of outputs differs between then-branch and else-branch")
    inputs, (cond_locs, then_locs, else_locs) = _union_inputs([pred_cut, then_cut, else_cut])
    node = _create("_cond", [pred_cut[0], then_cut[0], else_cut[0]], inputs,
                   {"cond_input_locs": cond_locs, "then_input_locs": then_locs, "else_input_locs": else_locs,
                    "num_outputs": then_num}, None)
    outputs, _ = _regroup([node[i] for i in range(then_num)], then_fmt)
    return outputs
