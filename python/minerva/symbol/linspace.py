"""``mx.sym.linspace`` over the ``_linspace`` operator (MXNet 1.x's signature)."""
from __future__ import annotations

import numpy as np

from .symbol import Symbol, create_op


def linspace(start, stop, num, endpoint=True, name=None, dtype=None) -> Symbol:
    """A symbol of num evenly spaced values from start to stop (stop included unless endpoint is False)."""
    params = {"start": start, "stop": stop, "num": num, "endpoint": endpoint,
              "dtype": np.dtype(dtype or np.float32).name}
    return create_op("_linspace", params, [], None, name, None)
