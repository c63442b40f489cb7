"""MXNet's module-level arithmetic, comparison and logical functions of ``mx.nd`` (``add``,
``subtract``, ``equal``, ``logical_xor``...): two NDArrays go to the broadcasting operator
(``broadcast_add``), an NDArray and a number to the scalar one (``_plus_scalar``, or its reflected
form such as ``_rminus_scalar`` when the number comes first), and two numbers are computed in
Python (comparisons give 1 or 0, as in MXNet)."""
from __future__ import annotations

import numbers
import operator

import numpy as np

from .ndarray import NDArray, invoke

__all__ = ["add", "divide", "equal", "greater", "greater_equal", "lesser", "lesser_equal", "logical_and",
           "logical_or", "logical_xor", "maximum", "minimum", "modulo", "multiply", "not_equal", "power",
           "subtract", "true_divide"]


def _is_number(x) -> bool:
    return isinstance(x, (numbers.Number, np.generic)) and not isinstance(x, NDArray)


def _dispatch(fname, lhs, rhs, array_op, scalar_op, rscalar_op, python_fn, names=("lhs", "rhs")):
    for value, arg in ((lhs, names[0]), (rhs, names[1])):
        if not (isinstance(value, NDArray) or _is_number(value)):
            raise TypeError(f"{fname}(): {arg} must be an NDArray or a number, got {type(value).__name__}")
    if _is_number(lhs) and _is_number(rhs):
        return python_fn(lhs, rhs)
    if _is_number(lhs):
        return invoke(rscalar_op, [rhs], {"scalar": float(lhs)})
    if _is_number(rhs):
        return invoke(scalar_op, [lhs], {"scalar": float(rhs)})
    return invoke(array_op, [lhs, rhs])


def _truth(fn):
    return lambda x, y: 1 if fn(x, y) else 0


def _make(fname, array_op, scalar_op, rscalar_op, python_fn, doc):
    def fn(lhs, rhs):
        return _dispatch(fname, lhs, rhs, array_op, scalar_op, rscalar_op, python_fn)
    fn.__name__ = fn.__qualname__ = fname
    fn.__doc__ = (f"{doc}, element-wise with broadcasting: ``{array_op}`` for two NDArrays, "
                  f"``{scalar_op}`` for an NDArray and a number; two numbers give a number.")
    return fn


add = _make("add", "broadcast_add", "_plus_scalar", "_plus_scalar", operator.add, "lhs + rhs")
subtract = _make("subtract", "broadcast_sub", "_minus_scalar", "_rminus_scalar", operator.sub, "lhs - rhs")
multiply = _make("multiply", "broadcast_mul", "_mul_scalar", "_mul_scalar", operator.mul, "lhs * rhs")
divide = _make("divide", "broadcast_div", "_div_scalar", "_rdiv_scalar", operator.truediv, "lhs / rhs")
true_divide = _make("true_divide", "broadcast_div", "_div_scalar", "_rdiv_scalar", operator.truediv,
                    "lhs / rhs (the same as divide)")
modulo = _make("modulo", "broadcast_mod", "_mod_scalar", "_rmod_scalar", operator.mod, "lhs % rhs")
maximum = _make("maximum", "broadcast_maximum", "_maximum_scalar", "_maximum_scalar", max, "max(lhs, rhs)")
minimum = _make("minimum", "broadcast_minimum", "_minimum_scalar", "_minimum_scalar", min, "min(lhs, rhs)")
equal = _make("equal", "broadcast_equal", "_equal_scalar", "_equal_scalar", _truth(operator.eq),
              "1 where lhs == rhs, else 0")
not_equal = _make("not_equal", "broadcast_not_equal", "_not_equal_scalar", "_not_equal_scalar",
                  _truth(operator.ne), "1 where lhs != rhs, else 0")
greater = _make("greater", "broadcast_greater", "_greater_scalar", "_lesser_scalar", _truth(operator.gt),
                "1 where lhs > rhs, else 0")
greater_equal = _make("greater_equal", "broadcast_greater_equal", "_greater_equal_scalar",
                      "_lesser_equal_scalar", _truth(operator.ge), "1 where lhs >= rhs, else 0")
lesser = _make("lesser", "broadcast_lesser", "_lesser_scalar", "_greater_scalar", _truth(operator.lt),
               "1 where lhs < rhs, else 0")
lesser_equal = _make("lesser_equal", "broadcast_lesser_equal", "_lesser_equal_scalar", "_greater_equal_scalar",
                     _truth(operator.le), "1 where lhs <= rhs, else 0")
logical_and = _make("logical_and", "broadcast_logical_and", "_logical_and_scalar", "_logical_and_scalar",
                    _truth(lambda x, y: x and y), "1 where both lhs and rhs are non-zero, else 0")
logical_or = _make("logical_or", "broadcast_logical_or", "_logical_or_scalar", "_logical_or_scalar",
                   _truth(lambda x, y: x or y), "1 where lhs or rhs is non-zero, else 0")
logical_xor = _make("logical_xor", "broadcast_logical_xor", "_logical_xor_scalar", "_logical_xor_scalar",
                    _truth(lambda x, y: bool(x) != bool(y)), "1 where exactly one of lhs and rhs is non-zero, else 0")


def power(base, exp):
    """base ** exp, element-wise with broadcasting: ``broadcast_power`` for two NDArrays,
    ``_power_scalar``/``_rpower_scalar`` for an NDArray and a number; two numbers give a number."""
    return _dispatch("power", base, exp, "broadcast_power", "_power_scalar", "_rpower_scalar", operator.pow,
                     ("base", "exp"))
