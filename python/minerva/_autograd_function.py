"""How ``mx.autograd.Function`` records its call: as a ``Custom`` node (op type
``_autograd_function``) whose forward copies the outputs Function.forward already computed and
whose backward calls Function.backward. Each call has its own prop (parameter function_id); the
core's prop and operator caches own the Function afterwards and release it when they drop them."""
from __future__ import annotations

import itertools

from . import operator
from .ndarray.ndarray import NDArray

_pending: dict = {}  # function_id -> _Entry, until the core creates its prop
_ids = itertools.count(1)
_TYPE = "_autograd_function"


class _Entry:
    def __init__(self, func, n_inputs, outs):
        self.func = func
        self.n_inputs = n_inputs
        self.outs = outs
        self.shapes = [list(o.shape) for o in outs]
        self.dtypes = [o.dtype for o in outs]


class _FunctionOp(operator.CustomOp):
    def __init__(self, entry):
        self.entry = entry

    def forward(self, is_train, req, in_data, out_data, aux):
        for dst, r, src in zip(out_data, req, self.entry.outs):
            self.assign(dst, r, src)
        self.entry.outs = ()  # copied: the caches that keep this entry need not keep the arrays

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        grads = self.entry.func.backward(*out_grad)
        if isinstance(grads, NDArray):
            grads = (grads,)
        grads = tuple(grads)
        if len(grads) != len(in_grad):
            raise ValueError(f"{type(self.entry.func).__name__}.backward returned {len(grads)} gradient(s), "
                             f"expected {len(in_grad)} (one per input of forward)")
        for dst, r, g in zip(in_grad, req, grads):
            self.assign(dst, r, g)


class _FunctionProp(operator.CustomOpProp):
    def __init__(self, function_id):
        super().__init__(need_top_grad=True)
        self.entry = _pending.pop(int(function_id))

    def list_arguments(self):
        return [f"input{i}" for i in range(self.entry.n_inputs)]

    def list_outputs(self):
        return [f"output{i}" for i in range(len(self.entry.shapes))]

    def infer_shape(self, in_shape):
        return in_shape, self.entry.shapes, []

    def infer_type(self, in_type):
        return in_type, self.entry.dtypes, []

    def create_operator(self, ctx, in_shapes, in_dtypes):
        return _FunctionOp(self.entry)


_registered = False


def record(func, inputs, outs):
    """Records func's call on inputs (whose results are outs); returns the recorded outputs."""
    global _registered
    if not _registered:
        operator.register(_TYPE)(_FunctionProp)
        _registered = True
    fid = next(_ids)
    _pending[fid] = _Entry(func, len(inputs), outs)
    try:
        res = operator.nd_custom(*inputs, op_type=_TYPE, function_id=str(fid))
    finally:
        _pending.pop(fid, None)
    return [res] if isinstance(res, NDArray) else list(res)
