"""Operator dispatch shared by mx.nd (and later mx.sym): registry schemas, parameter
formatting, and a cache of parsed (operator, parameters) handles so a hot loop parses nothing."""
from __future__ import annotations

import json
from functools import cache

import numpy as np

from ._capi import ffi, lib
from .base import check_call

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
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, np.dtype):
        return value.name
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
