"""``mx.sym``: symbolic graphs and one function per registered operator."""
import numbers as _numbers
import types as _types

import numpy as _np

from . import register as _register
from .symbol import Group, Symbol, Variable, load, load_json, var  # noqa: F401

from . import _internal  # noqa: F401  (filled by populate below; contrib, linalg, image and op read it)
from . import random  # noqa: E402, F401  (MXNet's hand-written sampling functions)

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


def eye(N, M=0, k=0, dtype=None, **kwargs) -> Symbol:  # noqa: N803 - MXNet's parameter names
    """An N x M (M=0: N x N) symbol with ones on diagonal k (the ``_eye`` operator)."""
    return _internal._eye(N=N, M=M, k=k, dtype=_np.dtype(dtype or _np.float32).name, **kwargs)


def arange(start, stop=None, step=1.0, repeat=1, infer_range=False, name=None, dtype=None) -> Symbol:
    """Evenly spaced values in [start, stop) (the ``_arange`` operator)."""
    return _internal._arange(start=start, stop=stop, step=step, repeat=repeat, name=name,
                             dtype=_np.dtype(dtype or _np.float32).name)


def _symbol_or_scalar(fname, sym_op, scalar_op, rscalar_op, py_fn, names=("left", "right")):
    """MXNet's mx.sym binary functions: two Symbols -> sym_op, a Symbol and a number -> the scalar
    operator (rscalar_op when the number comes first), two numbers -> py_fn."""
    def dispatch(left, right):
        if isinstance(left, Symbol) and isinstance(right, Symbol):
            return getattr(_internal, sym_op)(left, right)
        if isinstance(left, Symbol) and isinstance(right, _numbers.Number):
            return getattr(_internal, scalar_op)(left, scalar=right)
        if isinstance(left, _numbers.Number) and isinstance(right, Symbol):
            return getattr(_internal, rscalar_op)(right, scalar=left)
        if isinstance(left, _numbers.Number) and isinstance(right, _numbers.Number):
            return py_fn(left, right)
        raise TypeError(f"{fname}(): types ({type(left).__name__}, {type(right).__name__}) of ({names[0]}, "
                        f"{names[1]}) not supported; expected Symbols or numbers")
    if names == ("left", "right"):
        def fn(left, right):
            return dispatch(left, right)
    else:
        def fn(base, exp):
            return dispatch(base, exp)
    fn.__name__ = fn.__qualname__ = fname
    fn.__doc__ = f"Element-wise {fname} of two Symbols, a Symbol and a number, or two numbers."
    return fn


pow = _symbol_or_scalar("pow", "_Power", "_PowerScalar", "_RPowerScalar", lambda a, b: a ** b,  # noqa: A001
                        ("base", "exp"))
power = _symbol_or_scalar("power", "_Power", "_PowerScalar", "_RPowerScalar", lambda a, b: a ** b,
                          ("base", "exp"))
maximum = _symbol_or_scalar("maximum", "_Maximum", "_MaximumScalar", "_MaximumScalar", max)
minimum = _symbol_or_scalar("minimum", "_Minimum", "_MinimumScalar", "_MinimumScalar", min)
hypot = _symbol_or_scalar("hypot", "_Hypot", "_HypotScalar", "_HypotScalar", lambda a, b: (a * a + b * b) ** 0.5)

for _name, _fn in _generated.items():
    if _name not in globals():
        globals()[_name] = _fn
del _name, _fn
from . import contrib, image, linalg, op  # noqa: E402, F401  (after populate: they read _internal)
from .histogram import histogram  # noqa: E402, F401  (MXNet's Python wrappers win over the generated ones)
from .linspace import linspace  # noqa: E402, F401
from .split_v2 import split_v2  # noqa: E402, F401
