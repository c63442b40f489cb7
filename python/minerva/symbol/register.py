"""Generates one ``mx.sym`` function per registered operator and alias at import, from the
same registry schemas, signatures and docstrings as ``mx.nd`` (``_op``): closures with an
inspect.Signature, no source text executed. A call creates one graph node; its automatic name
comes from the called name (``mx.sym.Concat`` -> concat0, ``_internal._Plus`` -> _plus0)."""
from __future__ import annotations

import numpy as np

from .. import _op
from ..attribute import AttrScope  # noqa: F401  (MXNet's symbol.register exports them)
from ..base import check_call, py_str  # noqa: F401
from ..name import NameManager  # noqa: F401
from ..ndarray.ndarray import NDArray
from .symbol import Symbol, create_op

_EXTRAS = (("name", "str, optional", "Name of the resulting symbol."),
           ("attr", "dict of str to str, optional", "User attributes of the resulting symbol."),
           ("out", "None", "Accepted and ignored, as in MXNet: a symbol has no output buffer."))
_FRONTEND_ARGS = ("name", "attr", "out")


def _is_input(x) -> bool:
    # Arrays fill inputs too, to be refused with a clear message; numbers and lists fill params.
    return x is None or isinstance(x, (Symbol, NDArray, np.ndarray))


def _is_symbol(x) -> bool:
    return isinstance(x, Symbol)


def make_function(called: str, s: dict):
    """The mx.sym function of one operator, called by name `called` (the operator or an alias)."""
    fixed_inputs = _op.signature_inputs(s)
    hidden = s.get("hidden_inputs")

    def fn(*args, **kwargs):
        inputs, named_inputs, params, extras = _op.split_arguments(called, s, args, kwargs, _is_input, _is_symbol,
                                                                   _FRONTEND_ARGS)
        name, attr = extras.get("name"), extras.get("attr")
        for k, v in params.items():
            if isinstance(v, Symbol):
                raise TypeError(f"{called}() got the Symbol {v.name!r} for '{k}', which is not an input "
                                f"of {s['name']} (inputs: {s['inputs']})")
        # Positional symbols fill the signature's inputs; hidden ones (auxiliary states) are named or
        # created by composition, so with hidden inputs every input is passed by name.
        if s["variadic"] or (not named_inputs and not hidden and all(x is not None for x in inputs)):
            args_, keys = inputs, None
        else:
            given = {n: x for n, x in zip(fixed_inputs, inputs) if x is not None}
            given.update(named_inputs)
            given = {n: x for n, x in given.items() if x is not None}
            args_, keys = list(given.values()), list(given)
        for i, x in enumerate(args_):
            if not isinstance(x, Symbol):
                raise TypeError(f"{called}(): input {keys[i] if keys else i} must be a Symbol, "
                                f"got {type(x).__name__}")
        return create_op(called, params, args_, keys, name, attr)

    fn.__signature__ = _op.signature(s, _FRONTEND_ARGS)
    fn.__name__ = called
    fn.__qualname__ = called
    fn.__doc__ = _op.docstring(s, "Symbol", _EXTRAS)
    return fn


def populate(namespace: dict, internal: dict, random_ns: dict) -> int:
    """Adds every operator to mx.sym's namespaces; returns how many were generated."""
    return _op.populate(make_function, Symbol, namespace, internal, random_ns, per_alias=True)


# MXNet's register module re-exports the Python-level AdamW updates of its contrib module.
from ._adamw import adamw_update, mp_adamw_update  # noqa: E402, F401
