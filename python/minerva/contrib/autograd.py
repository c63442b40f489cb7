"""``mx.contrib.autograd``: MXNet's first, experimental autograd interface, kept for old code.
``train_section()`` records and trains (``mx.autograd.record()``), ``test_section()`` pauses;
``grad``/``grad_and_loss`` turn a function of NDArrays into one returning its gradients. It runs
on ``mx.autograd``."""
from __future__ import annotations

import functools

from .. import autograd as _autograd
from ..base import check_call, string_types  # noqa: F401  (MXNet's contrib.autograd exports them)
from ..ndarray import NDArray, zeros_like

__all__ = ["NDArray", "TrainingStateScope", "backward", "check_call", "compute_gradient", "grad", "grad_and_loss",
           "mark_variables", "set_is_training", "string_types", "test_section", "train_section", "zeros_like"]


def set_is_training(is_train) -> bool:
    """Turns recording and training mode on or off together; returns the previous training state."""
    previous = _autograd.set_training(bool(is_train))
    _autograd.set_recording(bool(is_train))
    return previous


class TrainingStateScope:
    """``with TrainingStateScope(True):`` records and trains inside the block (False: neither),
    restoring the previous state afterwards."""

    def __init__(self, enter_state) -> None:
        self._enter_state = bool(enter_state)
        self._prev = None
        self._prev_recording = None

    def __enter__(self):
        self._prev_recording = _autograd.is_recording()
        self._prev = set_is_training(self._enter_state)
        return self

    def __exit__(self, *exc) -> None:
        _autograd.set_training(self._prev)
        _autograd.set_recording(self._prev_recording)


def train_section() -> TrainingStateScope:
    """A scope that records operations for gradients, in training mode."""
    return TrainingStateScope(True)


def test_section() -> TrainingStateScope:
    """A scope that neither records nor trains (inside a train_section: evaluation steps)."""
    return TrainingStateScope(False)


def mark_variables(variables, gradients, grad_reqs="write") -> None:
    """Attaches gradients (arrays of the same shapes) to variables; see mx.autograd.mark_variables."""
    _autograd.mark_variables(variables, gradients, grad_reqs)


def backward(outputs, out_grads=None, retain_graph=False) -> None:
    """Back-propagates from outputs (with head gradients out_grads) into the marked variables."""
    _autograd.backward(outputs, out_grads, retain_graph=retain_graph)


def compute_gradient(outputs) -> None:
    """backward(outputs) with unit head gradients."""
    backward(outputs)


def grad_and_loss(func, argnum=None):
    """A function returning (gradients, outputs) of func: gradients of the arguments at argnum
    (an int or a list of ints; default: all), which must be NDArrays."""
    @functools.wraps(func)
    def wrapped(*args):
        positions = range(len(args)) if argnum is None else (argnum if isinstance(argnum, list) else [argnum])
        variables = [args[i] for i in positions]
        for i, x in zip(positions, variables):
            if not isinstance(x, NDArray):
                raise TypeError(f"grad_and_loss: argument {i} must be an NDArray to take its gradient, "
                                f"got {type(x).__name__}")
        grads = [zeros_like(x) for x in variables]
        mark_variables(variables, grads)
        with train_section():
            outputs = func(*args)
        compute_gradient([outputs] if isinstance(outputs, NDArray) else outputs)
        return grads, outputs
    return wrapped


def grad(func, argnum=None):
    """A function returning the gradients of func's arguments at argnum (see grad_and_loss)."""
    with_loss = grad_and_loss(func, argnum)

    @functools.wraps(with_loss)
    def wrapped(*args):
        return with_loss(*args)[0]
    return wrapped
