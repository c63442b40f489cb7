"""``mx.nd.histogram`` over the ``_histogram`` operator (MXNet 1.x's signature and behaviour)."""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from .ndarray import NDArray, invoke
from .utils import array


def histogram(a: NDArray, bins=10, range=None):  # noqa: A002 - MXNet's parameter name
    """Histogram of the flattened a: returns (counts, bin_edges). bins is a number of equal-width
    bins over range, or an NDArray of sorted edges. Without a range, numpy computes it from the
    data (as MXNet does, with a warning) and both results come back as float32 arrays."""
    if isinstance(bins, NDArray):
        return invoke("_histogram", [a, bins], {})
    if isinstance(bins, numbers.Integral) and not isinstance(bins, bool):
        if range is None:
            warnings.warn("range is not specified, using numpy's result to ensure consistency with numpy",
                          stacklevel=2)
            counts, edges = np.histogram(a.asnumpy(), bins=int(bins))
            return array(counts), array(edges)
        return invoke("_histogram", [a], {"bin_cnt": int(bins), "range": tuple(range)})
    raise ValueError("bins argument should be either an integer or an NDArray")
