"""Generates one Python function per registered operator at import (STYLE rule 3): real
signatures via inspect.Signature and docstrings from the registry, built from closures — no
source text is executed. The signature, docstring and argument split are shared with mx.sym
(``_op``)."""
from __future__ import annotations

import numpy as np

from .. import _op
from .ndarray import NDArray, invoke

_EXTRAS = (("out", "NDArray, optional", "The output array."),)


def _is_input(x) -> bool:
    # Arrays (or array-likes, which are then refused below) fill inputs; numbers fill params.
    return x is None or isinstance(x, (NDArray, list, np.ndarray))


def _is_nd(x) -> bool:
    return isinstance(x, NDArray)


def make_function(name: str, s: dict):
    """The mx.nd function of one operator."""
    fixed_inputs = s["inputs"]
    depends = s["inputs_depend_on_params"]
    variadic = s["variadic"]  # a positional list, however list_inputs names its members

    def fn(*args, out=None, name=None, **kwargs):
        inputs, named_inputs, params = _op.split_arguments(name_, s, args, kwargs, _is_input, _is_nd)
        if named_inputs or (depends and not variadic):
            wanted = _op.params_for(name_, params).input_names
            positional = dict(zip(fixed_inputs, inputs))
            positional.update(named_inputs)
            missing = [n for n in wanted if positional.get(n) is None]
            if missing:
                raise TypeError(f"{name_}() is missing input(s) {missing}")
            inputs = [positional[n] for n in wanted]
        else:
            inputs = [x for x in inputs if x is not None]
        for i, x in enumerate(inputs):
            if not isinstance(x, NDArray):
                raise TypeError(f"{name_}(): input {i} must be an NDArray, got {type(x).__name__}")
        return invoke(name_, inputs, params, out)

    name_ = name
    fn.__signature__ = _op.signature(s, ("out", "name"))
    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = _op.docstring(s, "NDArray", _EXTRAS)
    return fn


def populate(namespace: dict, internal: dict, random_ns: dict) -> int:
    """Adds every operator to mx.nd's namespaces; returns how many were generated."""
    return _op.populate(make_function, NDArray, namespace, internal, random_ns)
