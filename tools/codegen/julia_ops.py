#!/usr/bin/env python3
"""Renders the operator registry into julia/src/ops.jl, Minerva.jl's operator functions
(ABI.md rule 22, STYLE rules 3 and 19).

Every public operator name (common.hidden rules of tools/codegen/overrides.yaml) becomes a Julia
function with methods for NDArray (runs imperatively through MVImperativeInvoke) and for
SymbolicNode (composes a graph node through MVSymbolCreateOp). Parameters are keyword arguments
with the registry's names and defaults; Julia's column-major order for a parameter comes from its
registry kind (KIND_REMAPS), and per-op exceptions (a flipped bool, swapped inputs, Base methods,
renames) from the julia section of overrides.yaml. The registry is read through the
C ABI (the Python package's MVOpGetSchemaJSON). This module also holds what scala_ops.py shares:
the public-name rules and registry defaults. Run with --check to fail when the file is stale.
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import overrides  # noqa: E402
import emit  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
OUTPUT = ROOT / "julia/src/ops.jl"
JULIA_RESERVED = {"baremodule", "begin", "break", "catch", "const", "continue", "do", "else", "elseif", "end",
                  "export", "false", "finally", "for", "function", "global", "if", "import", "let", "local",
                  "macro", "module", "quote", "return", "struct", "true", "try", "using", "while"}


class OpGenError(Exception):
    """A registry entry the generator cannot render; the message names the op and the field."""


# ---- shared with scala_ops.py -------------------------------------------------------------------

def section(name: str) -> dict:
    """A section of overrides.yaml without its "_about" notes (op names starting with '_' are kept,
    unlike overrides.load, because rules here are keyed by operator name)."""
    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "_about"}
        return node
    data = json.loads(overrides.PATH.read_text())
    if name not in data:
        raise overrides.OverridesError(f"{overrides.PATH.name}: no top-level section '{name}'")
    return strip(data[name])


def registry() -> tuple[str, list[dict]]:
    """(library version, schemas of every operator) read through the C ABI."""
    from minerva import _op
    from minerva._capi import ffi, lib
    info = ffi.new("const char**")
    if lib.MVGetBuildInfo(info) != 0:
        raise OpGenError("MVGetBuildInfo failed")
    version = json.loads(ffi.string(info[0]).decode())["version"]
    return version, [_op.schema(n) for n in _op.list_ops()]


def public_names(schemas: list[dict]) -> list[tuple[str, dict]]:
    """(public name, schema) for every public operator name, sorted: primary names that do not
    start with '_', and aliases not starting with '_' of public or common.shown operators."""
    common = section("common")
    hidden, shown = set(common.get("hidden", {})), set(common.get("shown", {}))
    out = {}
    for s in schemas:
        name = s["name"]
        if name.startswith("_backward_") or name in hidden:
            continue
        if name.startswith("_") and name not in shown:
            continue
        for called in [name] + s["aliases"]:
            if not called.startswith("_"):
                out[called] = s
    return sorted(out.items(), key=lambda kv: kv[0])


def parse_default(op: str, p: dict):
    """The registry default as a Python value: None (no value), bool, int, float, str or tuple.
    Required parameters have no default: the caller must not ask."""
    text, kind = p["default"], p["type"]
    where = f"{op}.{p['name']}"
    if text == "None":
        return None
    if kind == "bool":
        if text not in ("True", "False", "true", "false", "1", "0"):
            raise OpGenError(f"{where}: bool default {text!r}")
        return text in ("True", "true", "1")
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise OpGenError(f"{where}: int default {text!r}") from None
    if kind == "float":
        try:
            return float(text)
        except ValueError:
            raise OpGenError(f"{where}: float default {text!r}") from None
    if kind == "shape":
        inner = text.strip()
        if not (inner[:1] in "([" and inner[-1:] in ")]"):
            raise OpGenError(f"{where}: shape default {text!r}")
        items = [t.strip() for t in inner[1:-1].split(",") if t.strip()]
        try:
            return tuple(None if t == "None" else int(t) for t in items)
        except ValueError:
            raise OpGenError(f"{where}: shape default {text!r}") from None
    return text  # string, enum, dtype


def variadic_count(s: dict) -> str | None:
    return s["variadic"] or None


def optional_inputs(s: dict) -> set:
    """Inputs a caller may leave out: those after the first of an operator whose inputs depend on
    its parameters (bias with no_bias, gamma of LeakyReLU, sequence_length, softmax's length)."""
    return set(s["inputs"][1:]) if s["inputs_depend_on_params"] else set()


# ---- Julia ---------------------------------------------------------------------------------------

def julia_ident(name: str) -> str:
    return f'var"{name}"' if name in JULIA_RESERVED else name


def julia_literal(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Inf" if value > 0 else "-Inf"
        return repr(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(julia_literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return json.dumps(value).replace("$", "\\$")  # json's escapes are Julia's; $ would interpolate


def _julia_axis(c):
    return None if c is None else (-c if c < 0 else -c - 1)


def _julia_pairs(t):
    return None if t is None else tuple(v for i in range(len(t) - 2, -1, -2) for v in t[i:i + 2])


# Julia's order for each registry parameter kind (Note [Parameter kinds] in core/op/op.h):
# kind -> (Julia helper applied at call time, default transform to Julia's order). Kind "list"
# (a tuple not about dimensions) and parameters without a kind keep the core's order.
KIND_REMAPS = {
    "axis": ("_core_axis", _julia_axis),
    "axes": ("_core_axes", lambda t: None if t is None else tuple(_julia_axis(c) for c in t)),
    "per_dim": ("_core_reversed", lambda t: None if t is None else tuple(reversed(t))),
    "pad_pairs": ("_core_pairs", _julia_pairs),
    "permutation": ("_core_perm", lambda t: None if t is None else tuple(len(t) - c for c in reversed(t))),
}
# Julia-only exceptions that no kind expresses, from overrides.yaml's julia section.
EXCEPTION_REMAPS = (("flipped_bool_params", "!", lambda v: v),)


def remap_of(julia: dict, op: str, called: str, p: dict):
    """(helper, default transform) for a parameter remapped to Julia's order, else None: from the
    parameter's registry kind, or from a Julia exception keyed by the primary or called name.
    julia.core_order_params keeps a parameter in the core's order whatever its kind."""
    if p["name"] in julia.get("core_order_params", {}).get(op, {}):
        return None
    kind = p.get("kind", "")
    if kind in KIND_REMAPS:
        return KIND_REMAPS[kind]
    if kind not in ("", "list"):
        raise OpGenError(f"{op}.{p['name']}: unknown parameter kind '{kind}'")
    for key, helper, transform in EXCEPTION_REMAPS:
        table = julia.get(key, {})
        if p["name"] in table.get(op, []) or p["name"] in table.get(called, []):
            return helper, transform
    return None


def julia_default(julia: dict, s: dict, called: str, p: dict) -> str | None:
    """The Julia default of a parameter as source text, None when required."""
    if s["variadic"] and p["name"] == s["variadic"]:
        return "Base.length(arg)"
    if p["required"]:
        return None
    value = parse_default(s["name"], p)
    remap = remap_of(julia, s["name"], called, p)
    if remap is not None:
        value = remap[1](value)
    return julia_literal(value)


def _doc_text(s: dict) -> str:
    text = s["doc"].strip().replace("\\", "\\\\").replace("$", "\\$").replace('"""', '\\"\\"\\"')
    return text + f"\n\nDefined in {s['file']}."


def _param_lines(julia: dict, s: dict, called: str) -> list[str]:
    """Body lines that collect the parameters (keys, vals) to send."""
    swapped = julia.get("swapped_inputs", {}).get(s["name"], {}).get("params", [])
    lines = []
    for p in s["params"]:
        name = p["name"]
        if s["variadic"] and name == s["variadic"]:
            lines.append(f'    _setparam!(keys, vals, "{name}", {name})')
            continue
        target = name
        if len(swapped) == 2 and name in swapped:
            target = swapped[1 - swapped.index(name)]
        ident = julia_ident(name)
        remap = remap_of(julia, s["name"], called, p)
        helper = remap[0] if remap else None
        default = julia_default(julia, s, called, p)
        if helper == "!":
            lines.append(f'    _setparam!(keys, vals, "{target}", !{ident})')
        elif default is None:
            value = f"{helper}({ident})" if helper else ident
            lines.append(f'    _setparam!(keys, vals, "{target}", {value})')
        else:
            conv = f", {helper}" if helper else ""
            lines.append(f'    _setparam!(keys, vals, "{target}", {ident}, {default}{conv})')
    return lines


def _kwargs(julia: dict, s: dict, called: str, extra: str) -> str:
    parts = []
    for p in s["params"]:
        default = julia_default(julia, s, called, p)
        ident = julia_ident(p["name"])
        parts.append(ident if default is None else f"{ident}={default}")
    parts.append(extra)
    return "; " + ", ".join(parts)


def render_op(julia: dict, called: str, s: dict) -> str:
    op = s["name"]
    clash = {"out", "name", "keys", "vals", "arg"} & ({p["name"] for p in s["params"]} | set(s["inputs"]))
    if clash - ({"arg"} if s["variadic"] else set()):
        raise OpGenError(f"{called}: parameter or input named {sorted(clash)} clashes with the wrapper's own names")
    fname = julia.get("renames", {}).get(called, called)
    if fname in set(julia.get("extend_base", {}).get("names", [])):
        fname = f"Base.{fname}"
    swapped = julia.get("swapped_inputs", {}).get(op, {}).get("inputs", [])
    params = _param_lines(julia, s, called)
    head = ["    keys = String[]", "    vals = String[]"]
    doc = f'"""\n    {fname.removeprefix("Base.")}(...)\n\n{_doc_text(s)}\n"""'
    methods = []
    if s["variadic"]:
        methods.append("\n".join([
            f"function {fname}(arg::NDArray...{_kwargs(julia, s, called, 'out=nothing')})",
            *head, *params,
            f'    return _invoke_op("{called}", collect(Any, arg), keys, vals, out)', "end"]))
        methods.append("\n".join([
            f"function {fname}(arg::SymbolicNode...{_kwargs(julia, s, called, 'name=nothing')})",
            *head, *params,
            f'    return _compose_op("{called}", name, String[], collect(Any, arg), keys, vals)', "end"]))
    elif s["inputs"]:
        inputs = s["inputs"]
        optional = optional_inputs(s)
        nd_args = ", ".join(f"{julia_ident(n)}::Union{{NDArray,Nothing}}=nothing" if n in optional
                            else f"{julia_ident(n)}::NDArray" for n in inputs)
        sym_args = ", ".join([f"{julia_ident(inputs[0])}::SymbolicNode"] +
                             [f"{julia_ident(n)}::Union{{SymbolicNode,Nothing}}=nothing" for n in inputs[1:]])
        order = [julia_ident(n) for n in inputs]
        if len(swapped) == 2:
            order = [julia_ident(swapped[1]) if n == swapped[0] else julia_ident(swapped[0]) if n == swapped[1]
                     else julia_ident(n) for n in inputs]
        values = "Any[" + ", ".join(order) + "]"
        names = "[" + ", ".join(f'"{n}"' for n in inputs) + "]"
        methods.append("\n".join([
            f"function {fname}({nd_args}{_kwargs(julia, s, called, 'out=nothing')})",
            *head, *params,
            f'    return _invoke_op("{called}", {values}, keys, vals, out)', "end"]))
        methods.append("\n".join([
            f"function {fname}({sym_args}{_kwargs(julia, s, called, 'name=nothing')})",
            *head, *params,
            f'    return _compose_op("{called}", name, {names}, {values}, keys, vals)', "end"]))
    else:
        methods.append("\n".join([
            f"function {fname}({_kwargs(julia, s, called, 'out=nothing')})",
            *head, *params,
            f'    return _invoke_op("{called}", Any[], keys, vals, out)', "end"]))
        methods.append("\n".join([
            f"function {fname}(::Type{{SymbolicNode}}{_kwargs(julia, s, called, 'name=nothing')})",
            *head, *params,
            f'    return _compose_op("{called}", name, String[], Any[], keys, vals)', "end"]))
    return doc + "\n" + "\n\n".join(methods)


def render() -> str:
    version, schemas = registry()
    julia = section("julia")
    skip = julia.get("skip_names", {})
    names = public_names(schemas)
    known = {n for n, _ in names}
    for table in ("renames", "skip_names"):
        for name in julia.get(table, {}):
            if name not in known:
                raise OpGenError(f"overrides.yaml julia.{table}: '{name}' is not a public operator")
    by_name = {s["name"]: s for s in schemas}
    for op, params in julia.get("core_order_params", {}).items():
        declared = {p["name"] for p in by_name[op]["params"]} if op in by_name else set()
        for pname in params:
            if pname not in declared:
                raise OpGenError(f"overrides.yaml julia.core_order_params: {op} has no parameter '{pname}'")
    rendered = [render_op(julia, called, s) for called, s in names if called not in skip]
    header = [f"# generated by tools/codegen/julia_ops.py from the registry of libminerva {version}; do not edit",
              "#",
              f"# {len(rendered)} operator functions. Each has an NDArray method (imperative, through",
              "# MVImperativeInvoke) and a SymbolicNode method (graph composition, through MVSymbolCreateOp);",
              "# operators without inputs take `SymbolicNode` as a type argument for the symbolic form.",
              "# Parameters are keyword arguments with the registry's names and defaults; those whose",
              "# registry kind is axis, axes, per_dim, pad_pairs or permutation are written in Julia's",
              "# order (docs/julia.md), as are the exceptions in tools/codegen/overrides.yaml's julia section.",
              "# Deliberately not generated: " + (", ".join(f"{k} ({v})" for k, v in skip.items()) or "none"), ""]
    return "\n".join(header) + "\n" + "\n\n".join(rendered) + "\n"


def main() -> int:
    try:
        text = render()
    except (OpGenError, overrides.OverridesError) as err:
        print(f"julia_ops.py: {err}", file=sys.stderr)
        return 1
    return emit.write_or_check({OUTPUT: text}, "julia_ops.py")


if __name__ == "__main__":
    sys.exit(main())

