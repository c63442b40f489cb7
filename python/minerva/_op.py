"""Operator dispatch shared by mx.nd and mx.sym: registry schemas, parameter formatting, a cache
of parsed (operator, parameters) handles so a hot loop parses nothing, and the pieces both
frontends' generated operator functions are built from (signature, docstring, argument split)."""
from __future__ import annotations

import ast
import inspect
import json
from functools import cache

import numpy as np

from ._capi import ffi, lib
from .base import _Null, check_call

_NULL = ffi.NULL


@cache
def op_handle(name: str):
    out = ffi.new("MVOpHandle*")
    check_call(lib.MVOpGetHandle(name.encode(), out))
    return out[0]


@cache
def schema(name: str) -> dict:
    out = ffi.new("const char**")
    check_call(lib.MVOpGetSchemaJSON(op_handle(name), out))
    return json.loads(ffi.string(out[0]).decode())


def list_ops() -> list[str]:
    num = ffi.new("size_t*")
    names = ffi.new("const char***")
    check_call(lib.MVListOps(num, names))
    return [ffi.string(names[0][i]).decode() for i in range(num[0])]


def format_param(value) -> str:
    """Python value -> MXNet's parameter string ("(3, 3)", "True", "float32", "None")."""
    if isinstance(value, str):
        return value
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(format_param(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, type) and issubclass(value, np.generic) or isinstance(value, np.dtype):
        return np.dtype(value).name
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if hasattr(value, "device_type") and hasattr(value, "device_id"):  # a Context
        return f"{value.device_type}({value.device_id})"
    return str(value)


def _freeze(value):
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, np.dtype):
        return value.name
    if isinstance(value, (bool, float, np.generic)):
        # 2 == 2.0 == True as keys, but they format differently ("2", "2.0", "True") and the
        # given strings are what a symbol's attributes and JSON show.
        return (type(value), value)
    return value


class _Params:
    """Owns an MVOpParamsHandle; freed with the object."""
    __slots__ = ("handle", "input_names")

    def __init__(self, op: str, kwargs: dict):
        keys = [k.encode() for k in kwargs]
        vals = [format_param(v).encode() for v in kwargs.values()]
        ckeys = [ffi.new("char[]", k) for k in keys]
        cvals = [ffi.new("char[]", v) for v in vals]
        out = ffi.new("MVOpParamsHandle*")
        check_call(lib.MVOpParamsCreate(op_handle(op), len(keys), ffi.new("const char*[]", ckeys),
                                        ffi.new("const char*[]", cvals), out))
        self.handle = ffi.gc(out[0], lib.MVOpParamsFree)
        num = ffi.new("size_t*")
        names = ffi.new("const char***")
        check_call(lib.MVOpParamsListInputs(self.handle, num, names))
        self.input_names = tuple(ffi.string(names[0][i]).decode() for i in range(num[0]))


_PARAMS_CACHE: dict = {}
_PARAMS_CACHE_LIMIT = 4096


def params_for(op: str, kwargs: dict) -> _Params:
    """The cached parsed parameters of (op, kwargs); parsing happens once per distinct call."""
    try:
        key = (op, tuple(sorted((k, _freeze(v)) for k, v in kwargs.items())))
        hash(key)
    except TypeError:
        return _Params(op, kwargs)
    hit = _PARAMS_CACHE.get(key)
    if hit is None:
        if len(_PARAMS_CACHE) >= _PARAMS_CACHE_LIMIT:
            _PARAMS_CACHE.clear()
        hit = _PARAMS_CACHE[key] = _Params(op, kwargs)
    return hit


def invoke_handles(op: str, params: _Params, in_handles: list, out_handles: list | None):
    """Runs op on raw handles; returns the list of output handles (new, owned) or None when
    the outputs were preallocated."""
    n_in = len(in_handles)
    c_in = ffi.new("MVNDArrayHandle[]", in_handles) if n_in else _NULL
    n_out = ffi.new("int*", len(out_handles) if out_handles else 0)
    if out_handles:
        arr = ffi.new("MVNDArrayHandle[]", out_handles)
        c_out = ffi.new("MVNDArrayHandle**", arr)
        check_call(lib.MVImperativeInvoke(op_handle(op), params.handle, n_in, c_in, n_out, c_out))
        return None
    c_out = ffi.new("MVNDArrayHandle**")
    check_call(lib.MVImperativeInvoke(op_handle(op), params.handle, n_in, c_in, n_out, c_out))
    return [c_out[0][i] for i in range(n_out[0])]


# ---- generated operator functions (STYLE rule 3), shared by mx.nd and mx.sym ---------------------
# Both frontends build one closure per operator with an inspect.Signature and the registry's
# docstring; what differs is only the value type of inputs and what a call finally does.

_KW = inspect.Parameter.KEYWORD_ONLY
_POS = inspect.Parameter.POSITIONAL_OR_KEYWORD
_VAR = inspect.Parameter.VAR_POSITIONAL
_VARKW = inspect.Parameter.VAR_KEYWORD


def _python_default(p: dict):
    # A required parameter shows MXNet's _Null ("not given"), as MXNet's generated functions do:
    # it keeps the declaration order in the signature, and a call that omits it still gets the
    # registry's "required parameter" error.
    if p["required"]:
        return _Null
    try:  # the registry's default string as the Python value a caller would pass ("(1, 1)" -> (1, 1))
        return ast.literal_eval(p["default"])
    except (ValueError, SyntaxError):
        return p["default"]  # an enum or dtype name


def signature_inputs(s: dict) -> list:
    """The inputs a generated function's signature lists: all but the hidden ones (auxiliary states
    that MXNet's signature leaves out, such as IdentityAttachKLSparseReg's moving_avg)."""
    hidden = s.get("hidden_inputs") or ()
    return [n for n in s["inputs"] if n not in hidden]


def docstring(s: dict, kind: str, extras: tuple = ()) -> str:
    """The registry's documentation in numpydoc form; kind is "NDArray" or "Symbol"; extras are
    (name, type, doc) lines for the frontend's own keyword arguments."""
    lines = [s["doc"].strip(), "", "Parameters", "----------"]
    for name in signature_inputs(s) or ([s["variadic"] and "*data"] if s["variadic"] else []):
        lines.append(f"{name} : {kind}\n    input {kind.lower()}")
    for name in s.get("hidden_inputs") or ():
        made = "created with the symbol when not given" if kind == "Symbol" else "required"
        lines.append(f"{name} : {kind}, keyword only\n    auxiliary state ({made}); not in MXNet's signature")
    for p in s["params"]:
        kind_str = p["type"] + ("" if p["type"] != "enum" else " {" + ", ".join(repr(v) for v in p["values"]) + "}")
        default = "required" if p["required"] else f"default={p['default']}"
        lines.append(f"{p['name']} : {kind_str}, {default}\n    {p['doc']}")
    for name, type_, doc in extras:
        lines.append(f"{name} : {type_}\n    {doc}")
    lines += ["", "Returns", "-------", f"out : {kind} or list of {kind}s", "", f"Defined in {s['file']}"]
    return "\n".join(lines)


def signature(s: dict, extras: tuple) -> inspect.Signature:
    """MXNet's generated-function signature: inputs (default None), then parameters in declaration
    order (their defaults; _Null when required), then the frontend's extras (out, name, attr...),
    then **kwargs. A variadic operator takes ``*data`` and everything else by keyword; its count
    parameter (num_args) is filled in from the inputs."""
    variadic = s["variadic"]
    params = [inspect.Parameter("data", _VAR)] if variadic else \
        [inspect.Parameter(n, _POS, default=None) for n in signature_inputs(s)]
    kind = _KW if variadic else _POS
    params += [inspect.Parameter(p["name"], kind, default=_Null if p["name"] == variadic else _python_default(p))
               for p in s["params"]]
    taken = {p.name for p in params}
    params += [inspect.Parameter(n, kind, default=None) for n in extras if n not in taken]
    params.append(inspect.Parameter("kwargs", _VARKW))
    return inspect.Signature(params)


def split_arguments(op: str, s: dict, args: tuple, kwargs: dict, is_input, is_variadic_input, extras=()):
    """Sorts a call's arguments as MXNet's generated functions do. Returns (inputs given by
    position, in signature_inputs order; inputs given by name, parameters, extras). is_input(x)
    says whether a positional value fills the next fixed input; is_variadic_input(x) the same for variadic operators;
    extras are the frontend's own arguments (out, name...), which positional values past the
    parameters fill, in order, as in MXNet's signature."""
    param_names = [p["name"] for p in s["params"]]
    param_set = set(param_names)
    fixed_inputs = s["inputs"]
    positional_inputs = signature_inputs(s)  # hidden inputs are given by name only
    variadic = s["variadic"]
    inputs = []
    rest = list(args)
    if variadic:
        while rest and is_variadic_input(rest[0]):
            inputs.append(rest.pop(0))
        if len(rest) == 1 and not inputs and isinstance(rest[0], (list, tuple)):
            inputs = list(rest.pop(0))
        # The count is of items of variadic_group inputs each, before variadic_extra fixed ones.
        group, extra = s.get("variadic_group", 1), s.get("variadic_extra", 0)
        kwargs.setdefault(variadic, max(len(inputs) - extra, 0) // group)
    else:
        while rest and len(inputs) < len(positional_inputs) and is_input(rest[0]):
            inputs.append(rest.pop(0))
        hidden = s.get("hidden_inputs")
        if hidden and rest and rest[0] is not None and is_input(rest[0]):
            # Not a parameter value: the auxiliary state, which MXNet's signature has no place for.
            raise TypeError(f"{op}() takes the auxiliary state(s) {hidden} by keyword only ({hidden[0]}=...): "
                            f"MXNet's signature lists only {positional_inputs} as inputs")
    # Remaining positional values fill parameters in declaration order, then the extras, as in
    # MXNet (a variadic operator's extras are keyword-only).
    slots = [p for p in param_names if p not in kwargs]
    slots += [] if variadic else [e for e in extras if e not in param_set and e not in fixed_inputs]
    if len(rest) > len(slots):
        raise TypeError(f"{op}() got {len(args)} positional arguments, more than it accepts")
    for pname, value in zip(slots, rest):
        if pname in kwargs:
            raise TypeError(f"{op}() got multiple values for argument '{pname}'")
        kwargs[pname] = value
    # An input named like a frontend extra (the `out` input of _backward_softmax) is an input.
    given_extras = {e: kwargs.pop(e) for e in extras if e in kwargs and e not in param_set and e not in fixed_inputs}
    named_inputs = {k: kwargs.pop(k) for k in list(kwargs) if k not in param_set and k in fixed_inputs}
    # Unknown names go on to the registry, whose error lists the valid parameters.
    # _Null (MXNet's "not given", which wrapper code passes on) and None for a name the operator
    # does not declare both mean "leave it out".
    params = {k: v for k, v in kwargs.items() if v is not _Null and (v is not None or k in param_set)}
    return inputs, named_inputs, params, given_extras


def by_prefix(functions: dict, prefix: str) -> dict:
    """The functions whose registry name starts with prefix, by the rest of the name: how the
    contrib, linalg and image submodules of mx.nd and mx.sym are filled (``_contrib_box_nms`` ->
    ``contrib.box_nms``), so an operator registered with the prefix appears there by itself."""
    return {name[len(prefix):]: fn for name, fn in functions.items()
            if name.startswith(prefix) and len(name) > len(prefix)}


def public(functions: dict) -> dict:
    """The functions whose names do not start with '_' (what mx.nd.op and mx.sym.op export)."""
    return {name: fn for name, fn in functions.items() if not name.startswith("_")}


def make_method(fn):
    """A fluent method (``x.reshape(...)``) calling an operator function with self first."""
    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    method.__name__ = fn.__name__
    method.__qualname__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


def populate(make_function, cls, namespace: dict, internal: dict, random_ns: dict, per_alias: bool = False) -> int:
    """Puts one function per operator (and alias) into a frontend's namespaces: public names
    into namespace, every name into internal, ``_random_*_like`` into random_ns, and a fluent method
    on cls where the schema names one. per_alias builds a function per alias (mx.sym names its
    nodes after the called name); otherwise aliases share the operator's function. Returns the
    number of operators."""
    count = 0
    for name in list_ops():
        s = schema(name)
        fns = {}
        for called in [name] + s["aliases"]:
            fn = fns[called] = make_function(called, s) if per_alias or not fns else fns[name]
            (internal if called.startswith("_") else namespace)[called] = fn
            internal[called] = fn
        # MXNet's random module holds hand-written samplers (defined before this pass, and kept)
        # plus the generated `*_like` operators; the other _random_/_sample_ ones stay internal.
        if name.startswith("_random_") and name.endswith("_like"):
            random_ns.setdefault(name[len("_random_"):], fns[name])
        elif name == "_shuffle":
            random_ns.setdefault("shuffle", fns[name])
        if s["method"] and not hasattr(cls, s["method"]):
            setattr(cls, s["method"], make_method(fns.get(s["method"], fns[name])))
        count += 1
    return count
