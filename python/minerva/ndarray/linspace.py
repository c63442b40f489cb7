"""``mx.nd.linspace`` over the ``_linspace`` operator (MXNet 1.x's signature)."""
from __future__ import annotations

import numpy as np

from ..context import Context, current_context
from .ndarray import NDArray, invoke


def linspace(start, stop, num, endpoint=True, ctx=None, dtype=np.float32) -> NDArray:
    """num evenly spaced values from start to stop, stop included unless endpoint is False
    (numpy.linspace, as an NDArray of dtype on ctx)."""
    if ctx is None:
        ctx = current_context()
    ctx = ctx if isinstance(ctx, Context) else Context(ctx)
    return invoke("_linspace", [], {"start": start, "stop": stop, "num": num, "endpoint": endpoint,
                                    "ctx": str(ctx), "dtype": np.dtype(dtype or np.float32).name})
