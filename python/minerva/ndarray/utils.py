"""Array creation and files, with MXNet 1.x signatures (``mx.nd.array``, ``zeros``, ``save``...)."""
from __future__ import annotations

import numbers
import os
import warnings

import numpy as np

from .._capi import ffi, lib
from ..base import MinervaUnsupportedError, check_call
from ..base import py_str, string_types  # noqa: F401  (mxnet.ndarray.utils's namespace)
from ..context import Context, current_context
from .ndarray import NDArray, _new_from_handle, invoke
from .ndarray import empty as _empty

__all__ = [
    "arange",
    "array",
    "concatenate",
    "empty",
    "full",
    "load",
    "load_frombuffer",
    "moveaxis",
    "ones",
    "ones_like",
    "save",
    "zeros",
    "zeros_like",
]


def _ctx(ctx):
    if ctx is None:
        return current_context()
    return ctx if isinstance(ctx, Context) else Context(ctx)


def _shape(shape):
    return (int(shape),) if isinstance(shape, numbers.Integral) else tuple(int(s) for s in shape)


def _dense_only(fname: str, stype) -> None:
    if stype not in (None, "default"):
        raise MinervaUnsupportedError(f"{fname}: stype={stype!r} needs sparse storage, which Minerva does not have "
                                      "yet; leave stype unset (dense 'default' storage)")


def empty(shape, ctx=None, dtype=None, stype=None) -> NDArray:
    """An array of the given shape (zero-filled: Minerva never hands out stale memory); stype
    other than 'default' (sparse) is refused."""
    _dense_only("empty", stype)
    return _empty(shape, ctx, dtype)


def array(source_array, ctx=None, dtype=None) -> NDArray:
    """Creates an array from any array-like (numpy, lists, NDArray). As in MXNet 1.x the dtype
    defaults to float32, except that an NDArray source keeps its dtype."""
    if isinstance(source_array, NDArray):
        dtype = source_array.dtype if dtype is None else dtype
        return source_array.astype(dtype).as_in_context(_ctx(ctx)) if dtype != source_array.dtype \
            else source_array.copyto(_ctx(ctx))
    if dtype is None:
        dtype = np.float32
    src = np.ascontiguousarray(np.asarray(source_array, dtype=dtype))
    if src.ndim == 0:
        src = src.reshape(1)
    out = empty(src.shape, ctx=_ctx(ctx), dtype=src.dtype)
    check_call(lib.MVNDArraySyncCopyFromCPU(out.handle, ffi.from_buffer(src), src.nbytes))
    return out


def zeros(shape, ctx=None, dtype=None, stype=None, **kwargs) -> NDArray:
    _dense_only("zeros", stype)
    return invoke("_zeros", [], {"shape": _shape(shape), "ctx": str(_ctx(ctx)),
                                 "dtype": np.dtype(dtype or np.float32).name})


def ones(shape, ctx=None, dtype=None, **kwargs) -> NDArray:
    return invoke("_ones", [], {"shape": _shape(shape), "ctx": str(_ctx(ctx)),
                                "dtype": np.dtype(dtype or np.float32).name})


def full(shape, val, ctx=None, dtype=np.float32, out=None) -> NDArray:
    return invoke("_full", [], {"shape": _shape(shape), "value": float(val), "ctx": str(_ctx(ctx)),
                                "dtype": np.dtype(dtype or np.float32).name}, out=out)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=None, ctx=None, dtype=np.float32) -> NDArray:
    if infer_range is not None:  # as in MXNet 1.9, where it no longer does anything
        warnings.warn("`infer_range` argument has been deprecated", DeprecationWarning, stacklevel=2)
    return invoke("_arange", [], {"start": start, "stop": stop, "step": step, "repeat": repeat,
                                  "ctx": str(_ctx(ctx)), "dtype": np.dtype(dtype or np.float32).name})


def zeros_like(data: NDArray, **kwargs) -> NDArray:
    return invoke("zeros_like", [data])


def ones_like(data: NDArray, **kwargs) -> NDArray:
    return invoke("ones_like", [data])


def concatenate(arrays, axis: int = 0, always_copy: bool = True) -> NDArray:
    return invoke("concat", list(arrays), {"num_args": len(arrays), "dim": axis})


def moveaxis(tensor: NDArray, source: int, destination: int) -> NDArray:
    axes = list(range(tensor.ndim))
    axes.insert(destination % tensor.ndim, axes.pop(source % tensor.ndim))
    return invoke("transpose", [tensor], {"axes": tuple(axes)})


def save(fname: str, data) -> None:
    """Saves an NDArray, a list of NDArrays or a dict of str -> NDArray in MXNet's format."""
    if isinstance(data, NDArray):
        data = [data]
    if isinstance(data, dict):
        keys = list(data.keys())
        arrays = [data[k] for k in keys]
        if not all(isinstance(k, str) for k in keys):
            raise TypeError("save: dict keys must be str")
        for k in keys:  # C strings end at a NUL: "a\0b" would be written as "a"
            if "\x00" in k:
                raise ValueError(f"save: {fname}: name {k!r} holds a NUL character; array names must not")
        c_keys = [ffi.new("char[]", k.encode()) for k in keys]
        keys_arg = ffi.new("const char*[]", c_keys)
    elif isinstance(data, (list, tuple)):
        arrays, keys_arg = list(data), ffi.NULL
    else:
        raise TypeError(f"save: data must be an NDArray, a list or a dict of NDArrays, got {type(data).__name__}")
    for i, a in enumerate(arrays):
        if not isinstance(a, NDArray):
            raise TypeError(f"save: element {i} is a {type(a).__name__}, not an NDArray")
    handles = ffi.new("MVNDArrayHandle[]", [a.handle for a in arrays]) if arrays else ffi.NULL
    check_call(lib.MVNDArraySave(os.fsencode(fname), len(arrays), handles, keys_arg))


def _collect(num, arrays, num_names, names):
    out = [_new_from_handle(arrays[0][i]) for i in range(num[0])]
    if num_names[0] == 0:
        return out
    return {ffi.string(names[0][i]).decode(): out[i] for i in range(num_names[0])}


def load(fname: str):
    """Loads a file written by ``save`` (or by MXNet): a list, or a dict when names were saved."""
    num, arrays = ffi.new("size_t*"), ffi.new("MVNDArrayHandle**")
    num_names, names = ffi.new("size_t*"), ffi.new("const char***")
    check_call(lib.MVNDArrayLoad(os.fsencode(fname), num, arrays, num_names, names))
    return _collect(num, arrays, num_names, names)


def load_frombuffer(buf: bytes):
    num, arrays = ffi.new("size_t*"), ffi.new("MVNDArrayHandle**")
    num_names, names = ffi.new("size_t*"), ffi.new("const char***")
    check_call(lib.MVNDArrayLoadFromBuffer(ffi.from_buffer(buf), len(buf), num, arrays, num_names, names))
    return _collect(num, arrays, num_names, names)
