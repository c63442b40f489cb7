"""Generates one Python function per registered operator at import (STYLE rule 3): real
signatures via inspect.Signature and docstrings from the registry, built from closures — no
source text is executed."""
from __future__ import annotations

import inspect

import numpy as np

from .. import _op
from .ndarray import NDArray, invoke

_KW = inspect.Parameter.KEYWORD_ONLY
_POS = inspect.Parameter.POSITIONAL_OR_KEYWORD
_NoValue = inspect.Parameter.empty


def _python_default(p: dict):
    if p["required"]:
        return _NoValue
    return None if p["default"] == "None" else p["default"]


def _docstring(s: dict) -> str:
    lines = [s["doc"].strip(), "", "Parameters", "----------"]
    for name in s["inputs"] or ([s["variadic"] and "*data"] if s["variadic"] else []):
        lines.append(f"{name} : NDArray\n    input array")
    for p in s["params"]:
        kind = p["type"] + ("" if p["type"] != "enum" else " {" + ", ".join(repr(v) for v in p["values"]) + "}")
        default = "required" if p["required"] else f"default={p['default']}"
        lines.append(f"{p['name']} : {kind}, {default}\n    {p['doc']}")
    lines.append("out : NDArray, optional\n    The output array.")
    lines += ["", "Returns", "-------", "out : NDArray or list of NDArrays", "",
              f"Defined in {s['file']}"]
    return "\n".join(lines)


def make_function(name: str, s: dict):
    """The mx.nd function of one operator."""
    param_names = [p["name"] for p in s["params"]]
    param_set = set(param_names)
    fixed_inputs = s["inputs"]
    variadic = s["variadic"]
    depends = s["inputs_depend_on_params"]

    def fn(*args, out=None, name=None, **kwargs):
        inputs = []
        rest = list(args)
        if variadic:
            while rest and isinstance(rest[0], NDArray):
                inputs.append(rest.pop(0))
            if len(rest) == 1 and not inputs and isinstance(rest[0], (list, tuple)):
                inputs = list(rest.pop(0))
            kwargs.setdefault(variadic, len(inputs))
        else:
            # Arrays (or array-likes, which are then refused below) fill inputs; numbers fill params.
            while rest and len(inputs) < len(fixed_inputs) and (
                    rest[0] is None or isinstance(rest[0], (NDArray, list, np.ndarray))):
                inputs.append(rest.pop(0))
        # Remaining positional values fill parameters in declaration order, as in MXNet.
        for pname, value in zip([p for p in param_names if p not in kwargs], rest):
            kwargs[pname] = value
        if len(rest) > len(param_names):
            raise TypeError(f"{name_}() got {len(args)} positional arguments, more than it accepts")
        named_inputs = {k: kwargs.pop(k) for k in list(kwargs) if k not in param_set and k in fixed_inputs}
        # Unknown names go on to the registry, whose error lists the valid parameters.
        params = {k: v for k, v in kwargs.items() if v is not None or k in param_set}
        if named_inputs or depends:
            wanted = _op.params_for(name_, params).input_names
            positional = dict(zip(fixed_inputs, inputs))
            positional.update(named_inputs)
            missing = [n for n in wanted if positional.get(n) is None]
            if missing:
                raise TypeError(f"{name_}() is missing input(s) {missing}")
            inputs = [positional[n] for n in wanted]
        else:
            inputs = [x for x in inputs if x is not None]
        for i, x in enumerate(inputs):
            if not isinstance(x, NDArray):
                raise TypeError(f"{name_}(): input {i} must be an NDArray, got {type(x).__name__}")
        return invoke(name_, inputs, params, out)

    name_ = name
    params = []
    if variadic:
        params.append(inspect.Parameter("data", inspect.Parameter.VAR_POSITIONAL))
    else:
        params += [inspect.Parameter(n, _POS, default=None) for n in fixed_inputs]
    kind = _KW if variadic else _POS
    params += [inspect.Parameter(p["name"], kind, default=_python_default(p)) for p in s["params"]]
    # Required parameters may follow optional inputs: make the signature valid by keyword-only.
    fixed = []
    seen_default = False
    for p in params:
        if p.kind == _POS and p.default is _NoValue and seen_default:
            p = p.replace(kind=_KW)
        seen_default = seen_default or (p.kind == _POS and p.default is not _NoValue)
        fixed.append(p)
    taken = {p.name for p in fixed}
    fixed += [inspect.Parameter(n, _KW, default=None) for n in ("out", "name") if n not in taken]
    fixed.sort(key=lambda p: 0 if p.kind in (_POS, inspect.Parameter.VAR_POSITIONAL) else 1)
    fn.__signature__ = inspect.Signature(fixed)
    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = _docstring(s)
    return fn


def make_method(fn):
    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__
    return method


def populate(namespace: dict, internal: dict, random_ns: dict) -> int:
    """Adds every operator to the module namespaces; returns how many were generated."""
    count = 0
    for name in _op.list_ops():
        s = _op.schema(name)
        fn = make_function(name, s)
        target = internal if name.startswith("_") else namespace
        target[name] = fn
        internal[name] = fn
        for alias in s["aliases"]:
            (internal if alias.startswith("_") else namespace)[alias] = fn
            internal[alias] = fn
        if name.startswith("_random_") or name in ("_shuffle",):
            random_ns[name[len("_random_"):] if name.startswith("_random_") else "shuffle"] = fn
        if s["method"] and not hasattr(NDArray, s["method"]):
            setattr(NDArray, s["method"], make_method(fn))
        count += 1
    return count
