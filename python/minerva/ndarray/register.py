"""Generates one Python function per registered operator at import (STYLE rule 3): real
signatures via inspect.Signature and docstrings from the registry, built from closures — no
source text is executed. The signature, docstring and argument split are shared with mx.sym
(``_op``)."""
from __future__ import annotations

import numpy as np

from .. import _op
from ..base import check_call, py_str  # noqa: F401  (MXNet's ndarray.register exports them)
from ..util import use_np_shape  # noqa: F401
from .ndarray import NDArray, invoke

_EXTRAS = (("out", "NDArray, optional", "The output array."),
           ("name", "str, optional", "Accepted as in MXNet; an imperative result has no name."))
_FRONTEND_ARGS = ("out", "name")


def _is_input(x) -> bool:
    # Arrays (or array-likes, which are then refused below) fill inputs; numbers fill params.
    return x is None or isinstance(x, (NDArray, list, np.ndarray))


def _is_nd(x) -> bool:
    return isinstance(x, NDArray)


def make_function(name: str, s: dict):
    """The mx.nd function of one operator."""
    fixed_inputs = _op.signature_inputs(s)
    hidden = tuple(s.get("hidden_inputs") or ())
    depends = s["inputs_depend_on_params"]

    def fn(*args, **kwargs):
        inputs, named_inputs, params, extras = _op.split_arguments(name_, s, args, kwargs, _is_input, _is_nd,
                                                                   _FRONTEND_ARGS)
        out = extras.get("out")
        by_name = named_inputs or depends or hidden
        wanted = _op.params_for(name_, params).input_names if by_name else ()
        if s["variadic"] and not named_inputs and len(inputs) != len(wanted):
            pass  # more or fewer arrays than the parameters name: the registry's error says so
        elif by_name:
            if s["variadic"]:
                # A variadic operator's inputs are named by its parameters (UpSampling: arg0.. or data, weight).
                given = dict(zip(wanted, inputs))
            else:
                # As MXNet: arrays fill the signature's inputs in order, and the given ones are passed
                # in that order, so RNN(data, params, state, seq_len, mode='gru') needs no keywords.
                given = {n: x for n, x in zip(fixed_inputs, inputs) if x is not None}
                if not named_inputs and len(given) > len(wanted):
                    raise TypeError(f"{name_}() takes {len(wanted)} input(s) {wanted} with these parameters, "
                                    f"got {len(given)} arrays")
                if not named_inputs and len(given) == len(wanted):
                    given = dict(zip(wanted, given.values()))
            given.update(named_inputs)
            missing = [n for n in wanted if given.get(n) is None]
            unlisted = [n for n in missing if n in hidden]
            if unlisted:
                # MXNet's own function cannot take it at all (it fails with "expects 2 inputs").
                raise TypeError(f"{name_}() needs the auxiliary state(s) {unlisted}, which MXNet's signature leaves "
                                f"out: pass it by keyword ({unlisted[0]}=NDArray)")
            if missing:
                raise TypeError(f"{name_}() is missing input(s) {missing}")
            inputs = [given[n] for n in wanted]
        else:
            inputs = [x for x in inputs if x is not None]
        for i, x in enumerate(inputs):
            if not isinstance(x, NDArray):
                raise TypeError(f"{name_}(): input {i} must be an NDArray, got {type(x).__name__}")
        return invoke(name_, inputs, params, out)

    name_ = name
    fn.__signature__ = _op.signature(s, _FRONTEND_ARGS)
    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = _op.docstring(s, "NDArray", _EXTRAS)
    return fn


def populate(namespace: dict, internal: dict, random_ns: dict) -> int:
    """Adds every operator to mx.nd's namespaces; returns how many were generated."""
    return _op.populate(make_function, NDArray, namespace, internal, random_ns)


# MXNet's register module re-exports the Python-level AdamW updates of its contrib module.
from ._adamw import adamw_update, mp_adamw_update  # noqa: E402, F401
