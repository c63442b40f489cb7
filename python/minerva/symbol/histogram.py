"""``mx.sym.histogram`` over the ``_histogram`` operator (MXNet 1.x's signature)."""
from __future__ import annotations

import numbers

from .symbol import Symbol, create_op


def histogram(a: Symbol, bins=10, range=None, **kwargs) -> Symbol:  # noqa: A002 - MXNet's parameter name
    """Histogram of the flattened a: outputs (counts, bin_edges). bins is a Symbol of sorted edges,
    or a number of equal-width bins over range, which symbol mode requires."""
    name = kwargs.pop("name", None)
    if isinstance(bins, Symbol):
        return create_op("_histogram", dict(kwargs), [a, bins], None, name, None)
    if isinstance(bins, numbers.Integral) and not isinstance(bins, bool):
        if range is None:
            raise ValueError("null range is not supported in symbol mode")
        return create_op("_histogram", {"bin_cnt": int(bins), "range": tuple(range), **kwargs}, [a], None, name, None)
    raise ValueError("bins argument should be either an integer or an NDArray")
