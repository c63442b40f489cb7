"""``mx.autograd``: record imperative computation and differentiate it (MXNet 1.x API)."""
from __future__ import annotations

from contextlib import contextmanager

from ._capi import ffi, lib
from .base import check_call, string_types  # noqa: F401  (string_types: mxnet.autograd's namespace)
from .ndarray.ndarray import NDArray, _new_from_handle
from .symbol import Symbol  # noqa: F401  (mxnet.autograd's namespace)
from .symbol.symbol import _new as _new_symbol

# MXNet's module defines no __all__: its star import binds NDArray, Symbol... as well.
__all__ = [
    "NDArray",
    "Symbol",
    "check_call",
    "string_types",
    "Function",
    "backward",
    "get_symbol",
    "grad",
    "is_recording",
    "is_training",
    "mark_variables",
    "pause",
    "predict_mode",
    "record",
    "set_recording",
    "set_training",
    "train_mode",
]

_GRAD_REQ = {"null": 0, "write": 1, "add": 3, "inplace": 1}


def set_recording(is_recording: bool) -> bool:
    prev = ffi.new("int*")
    check_call(lib.MVAutogradSetIsRecording(int(bool(is_recording)), prev))
    return bool(prev[0])


def set_training(train_mode: bool) -> bool:
    prev = ffi.new("int*")
    check_call(lib.MVAutogradSetIsTraining(int(bool(train_mode)), prev))
    return bool(prev[0])


def is_recording() -> bool:
    out = ffi.new("int*")
    check_call(lib.MVAutogradIsRecording(out))
    return bool(out[0])


def is_training() -> bool:
    out = ffi.new("int*")
    check_call(lib.MVAutogradIsTraining(out))
    return bool(out[0])


@contextmanager
def _scope(recording, training):
    prev_rec = set_recording(recording) if recording is not None else None
    prev_train = set_training(training) if training is not None else None
    try:
        yield
    finally:
        if prev_rec is not None:
            set_recording(prev_rec)
        if prev_train is not None:
            set_training(prev_train)


def record(train_mode: bool = True):
    """Scope in which operations are recorded for backward (training mode by default)."""
    return _scope(True, train_mode)


def pause(train_mode: bool = False):
    """Scope in which recording stops (e.g. for metrics inside a recorded block)."""
    return _scope(False, train_mode)


def train_mode():
    return _scope(None, True)


def predict_mode():
    return _scope(None, False)


def mark_variables(variables, gradients, grad_reqs="write") -> None:
    if isinstance(variables, NDArray):
        variables, gradients = [variables], [gradients]
    if isinstance(grad_reqs, str):
        grad_reqs = [grad_reqs] * len(variables)
    if not len(variables) == len(gradients) == len(grad_reqs):
        raise ValueError("mark_variables: variables, gradients and grad_reqs must have one length")
    try:
        reqs = [_GRAD_REQ[r] for r in grad_reqs]
    except KeyError as e:
        raise ValueError(f"grad_req must be one of {sorted(_GRAD_REQ)}, got {e.args[0]!r}") from None
    check_call(lib.MVAutogradMarkVariables(len(variables), [v.handle for v in variables], reqs,
                                           [g.handle for g in gradients]))


def _head_grads(heads, head_grads):
    if head_grads is None:
        return ffi.NULL
    if isinstance(head_grads, NDArray):
        head_grads = [head_grads]
    if len(head_grads) != len(heads):
        raise ValueError(f"backward: {len(heads)} heads but {len(head_grads)} head gradients")
    return ffi.new("MVNDArrayHandle[]", [ffi.NULL if g is None else g.handle for g in head_grads])


def backward(heads, head_grads=None, retain_graph: bool = False, train_mode: bool = True) -> None:
    """Computes the gradients of heads into the marked variables' .grad buffers."""
    if isinstance(heads, NDArray):
        heads = [heads]
    check_call(lib.MVAutogradBackward(len(heads), [h.handle for h in heads], _head_grads(heads, head_grads),
                                      0, ffi.NULL, int(retain_graph), 0, int(train_mode), ffi.NULL))


def grad(heads, variables, head_grads=None, retain_graph=None, create_graph: bool = False,
         train_mode: bool = True):
    """Returns the gradients of heads with respect to variables (buffers untouched). With
    create_graph the result is itself recorded, for higher-order gradients."""
    single = isinstance(variables, NDArray)
    if isinstance(heads, NDArray):
        heads = [heads]
    if single:
        variables = [variables]
    if retain_graph is None:
        retain_graph = create_graph
    out = ffi.new("MVNDArrayHandle**")
    check_call(lib.MVAutogradBackward(len(heads), [h.handle for h in heads], _head_grads(heads, head_grads),
                                      len(variables), [v.handle for v in variables], int(retain_graph),
                                      int(create_graph), int(train_mode), out))
    grads = [_new_from_handle(out[0][i]) for i in range(len(variables))]
    return grads


def get_symbol(x) -> Symbol:
    """The recorded computation that produced x, as a Symbol (MXNet's ``autograd.get_symbol``).
    As in MXNet, recorded operators are named ``node_<k>``, arrays marked with attach_grad
    ``var<k>`` and other inputs ``null<k>``, numbered by process-wide counters when they were
    recorded or marked; bind the variables to evaluate it. An array not computed under
    ``record()`` is an error."""
    if not isinstance(x, NDArray):
        raise TypeError(f"get_symbol: expected an NDArray, got {type(x).__name__}")
    out = ffi.new("MVSymbolHandle*")
    check_call(lib.MVAutogradGetSymbol(x.handle, out))
    return _new_symbol(out[0])


class Function:
    """A differentiable function written in Python (MXNet's ``mx.autograd.Function``): subclass
    it, define ``forward(*inputs)`` and ``backward(*output_grads)`` (one gradient per input),
    and call an instance once. forward runs at once with recording paused; while recording the
    call is recorded as one node whose gradient calls backward (through the ``Custom`` operator;
    backward runs on an engine thread). ``save_for_backward`` keeps arrays for backward."""

    def __init__(self):
        self._used = False
        self.saved_tensors = ()

    def save_for_backward(self, *args):
        self.saved_tensors = args

    def forward(self, *inputs):
        raise NotImplementedError

    def backward(self, *output_grads):
        raise NotImplementedError

    def __call__(self, *inputs):
        if self._used:
            raise RuntimeError("Each Function instance can only be called once. Please create another instance.")
        self._used = True
        prev = set_recording(False)
        try:
            outputs = self.forward(*inputs)
        finally:
            set_recording(prev)
        if not prev:
            return outputs
        single = isinstance(outputs, NDArray)
        outs = (outputs,) if single else tuple(outputs)
        for i, x in enumerate(list(inputs) + list(outs)):
            if not isinstance(x, NDArray):
                raise TypeError(f"Function: inputs and outputs must be NDArrays; got {type(x).__name__} at {i}")
        from . import _autograd_function
        recorded = _autograd_function.record(self, inputs, outs)
        return recorded[0] if single else recorded
