"""``mx.util``: process-wide switches and small helpers (MXNet 1.x's ``mxnet.util``).

MXNet's NumPy semantics (``set_np_shape(True)``: zero-size dimensions and 0-d arrays are real
shapes; ``mx.np`` arrays) are later work: Minerva's arrays follow MXNet 1.x's classic shapes, where
0 means "unknown". So the switches report "off", switching them off is accepted, and switching
them on, entering ``np_shape(True)`` or calling a function decorated with ``use_np``/
``use_np_shape`` raises a clear error instead of silently computing with other semantics."""
from __future__ import annotations

import functools
import inspect
import os

from .base import MinervaUnsupportedError, check_call, py_str  # noqa: F401  (MXNet's util exports them)

__all__ = ["check_call", "getenv", "is_np_array", "is_np_shape", "np_shape", "py_str", "set_module",
           "set_np_shape", "setenv", "use_np", "use_np_shape"]


def _numpy_semantics_unsupported(what: str) -> MinervaUnsupportedError:
    return MinervaUnsupportedError(
        f"{what}: NumPy shape/array semantics (zero-size dimensions, 0-d arrays, mx.np) are not supported yet; "
        "Minerva's arrays follow MXNet 1.x's classic shapes, where a 0 dimension means unknown")


def is_np_shape() -> bool:
    """Whether NumPy shape semantics are on: always False in Minerva (see the module's note)."""
    return False


def is_np_array() -> bool:
    """Whether mx.np array semantics are on: always False in Minerva (see the module's note)."""
    return False


def set_np_shape(active) -> bool:
    """Turns NumPy shape semantics on or off; returns the previous state. Only "off" is
    supported: turning them on raises MinervaUnsupportedError."""
    if active:
        raise _numpy_semantics_unsupported("set_np_shape(True)")
    return False


class _NumpyShapeScope:
    def __init__(self, active: bool) -> None:
        self._active = bool(active)

    def __enter__(self):
        set_np_shape(self._active)
        return self

    def __exit__(self, *exc) -> None:
        return None


def np_shape(active=True):
    """A scope with NumPy shape semantics on (active=True) or off. Off is what Minerva always
    does; entering an "on" scope raises MinervaUnsupportedError."""
    return _NumpyShapeScope(active)


def _refusing_when_called(func, what: str):
    if inspect.isclass(func):
        original_init = func.__init__

        @functools.wraps(original_init)
        def init(self, *args, **kwargs):
            raise _numpy_semantics_unsupported(f"{what} on {func.__name__}")
        func.__init__ = init
        func.__init__.__wrapped_original__ = original_init
        return func
    if not callable(func):
        raise TypeError(f"{what} decorates a function or a class, got {type(func).__name__}")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        raise _numpy_semantics_unsupported(f"{what} on {func.__name__}")
    return wrapper


def use_np_shape(func):
    """Decorator running func (or every instance of a class) under NumPy shape semantics. Not
    supported yet: decorating works, calling raises MinervaUnsupportedError."""
    return _refusing_when_called(func, "use_np_shape")


def use_np(func):
    """Decorator running func (or a class, e.g. a HybridBlock) under NumPy shape and array
    semantics (mx.np). Not supported yet: decorating works, calling raises MinervaUnsupportedError."""
    return _refusing_when_called(func, "use_np")


def getenv(name):
    """The value of environment variable name as the library sees it, or None when unset."""
    return os.environ.get(name)


def setenv(name, value) -> None:
    """Sets environment variable name for this process and libminerva (None unsets it). Options
    the library reads once at start-up (docs/env.md) keep the value they started with."""
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = str(value)


def set_module(module):
    """Decorator setting the ``__module__`` of a function or class (how it shows in docs and reprs)."""
    def decorator(func):
        if module is not None:
            func.__module__ = module
        return func
    return decorator
