"""``mx.sym``: symbolic graphs and one function per registered operator."""
import numbers as _numbers
import types as _types

import numpy as _np

from . import register as _register
from .symbol import Group, Symbol, Variable, load, load_json, var  # noqa: F401

_internal = _types.ModuleType("minerva.symbol._internal", "Operators whose names start with '_'.")
from . import random  # noqa: E402  (MXNet's hand-written sampling functions)
op = _types.ModuleType("minerva.symbol.op", "Every operator by its registry name.")

_generated = {}
NUM_OPERATORS = _register.populate(_generated, _internal.__dict__, random.__dict__)


# Hand-written functions with MXNet's mx.sym signatures; they win over the generated ones.
def zeros(shape, dtype=None, **kwargs) -> Symbol:
    """A constant symbol of zeros (the ``_zeros`` operator)."""
    return _internal._zeros(shape=shape, dtype=_np.dtype(dtype or _np.float32).name, **kwargs)


def ones(shape, dtype=None, **kwargs) -> Symbol:
    """A constant symbol of ones (the ``_ones`` operator)."""
    return _internal._ones(shape=shape, dtype=_np.dtype(dtype or _np.float32).name, **kwargs)


def full(shape, val, dtype=None, **kwargs) -> Symbol:
    """A constant symbol filled with val (the ``_full`` operator)."""
    return _internal._full(shape=shape, value=float(val), dtype=_np.dtype(dtype or _np.float32).name, **kwargs)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=False, name=None, dtype=None) -> Symbol:
    """Evenly spaced values in [start, stop) (the ``_arange`` operator)."""
    return _internal._arange(start=start, stop=stop, step=step, repeat=repeat, name=name,
                             dtype=_np.dtype(dtype or _np.float32).name)


def _symbol_or_scalar(sym_op, scalar_op, rscalar_op, py_fn):
    def fn(left, right):
        if isinstance(left, Symbol) and isinstance(right, Symbol):
            return getattr(_internal, sym_op)(left, right)
        if isinstance(left, Symbol) and isinstance(right, _numbers.Number):
            return getattr(_internal, scalar_op)(left, scalar=right)
        if isinstance(left, _numbers.Number) and isinstance(right, Symbol):
            return getattr(_internal, rscalar_op)(right, scalar=left)
        if isinstance(left, _numbers.Number) and isinstance(right, _numbers.Number):
            return py_fn(left, right)
        raise TypeError(f"types ({type(left)}, {type(right)}) not supported")
    return fn


pow = _symbol_or_scalar("_Power", "_PowerScalar", "_RPowerScalar", lambda a, b: a ** b)  # noqa: A001
power = pow
maximum = _symbol_or_scalar("_Maximum", "_MaximumScalar", "_MaximumScalar", max)
minimum = _symbol_or_scalar("_Minimum", "_MinimumScalar", "_MinimumScalar", min)
hypot = _symbol_or_scalar("_Hypot", "_HypotScalar", "_HypotScalar", lambda a, b: (a * a + b * b) ** 0.5)

for _name, _fn in _generated.items():
    if _name not in globals():
        globals()[_name] = _fn
op.__dict__.update(_internal.__dict__)
del _name, _fn
