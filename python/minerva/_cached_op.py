"""``mx.nd.CachedOp``: a symbol compiled once and called like an imperative function (MXNet's
``_CachedOp``; Gluon's ``hybridize()`` runs on it). Inputs come in the symbol's list_inputs()
order. Calls made while autograd records are recorded, so gradients flow through them; plans
are cached per input shapes and dtypes, and one CachedOp may be called from many threads."""
from __future__ import annotations

from ._capi import ffi, lib
from .base import check_call
from .ndarray.ndarray import NDArray, _new_from_handle

__all__ = ["CachedOp"]


def _flag_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class CachedOp:
    """CachedOp(sym, flags=()): flags as (name, value) pairs or a dict; Minerva knows
    static_alloc and static_shape and refuses other names."""

    def __init__(self, sym, flags=()) -> None:
        items = list(flags.items()) if isinstance(flags, dict) else list(flags)
        keys = [ffi.new("char[]", str(k).encode()) for k, _ in items]
        vals = [ffi.new("char[]", _flag_value(v).encode()) for _, v in items]
        out = ffi.new("MVCachedOpHandle*")
        check_call(lib.MVCachedOpCreate(sym.handle, len(items), ffi.new("const char*[]", keys),
                                        ffi.new("const char*[]", vals), out))
        self.handle = ffi.gc(out[0], lib.MVCachedOpFree)
        self._input_names = sym.list_inputs()

    def __call__(self, *args, out=None, default_ctx=None):
        """Runs the graph on NDArrays (list_inputs order); returns an NDArray for one output,
        else a list. With out (an NDArray or a list), results are copied there and out returned."""
        if len(args) != len(self._input_names):
            raise ValueError(f"CachedOp expects {len(self._input_names)} inputs {self._input_names}, "
                             f"got {len(args)}")
        for name, a in zip(self._input_names, args):
            if not isinstance(a, NDArray):
                raise TypeError(f"CachedOp: input '{name}' must be an NDArray, got {type(a).__name__}")
        num, outs = ffi.new("int*"), ffi.new("MVNDArrayHandle**")
        c_in = ffi.new("MVNDArrayHandle[]", [a.handle for a in args]) if args else ffi.NULL
        check_call(lib.MVCachedOpInvoke(self.handle, len(args), c_in, num, outs))
        results = [_new_from_handle(outs[0][i]) for i in range(num[0])]
        if out is not None:
            targets = out if isinstance(out, (list, tuple)) else [out]
            if len(targets) != len(results):
                raise ValueError(f"CachedOp: out has {len(targets)} arrays for {len(results)} outputs")
            for r, t in zip(results, targets):
                r.copyto(t)
            return out
        return results[0] if len(results) == 1 else results
