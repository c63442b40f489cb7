"""``mx.sym.split_v2``: numpy-style split over the ``_split_v2`` operator (MXNet 1.x's signature)."""
from __future__ import annotations

from .symbol import Symbol, create_op


def split_v2(ary: Symbol, indices_or_sections, axis: int = 0, squeeze_axis: bool = False) -> Symbol:
    """Splits ary along axis into indices_or_sections equal parts (an int) or at the sorted
    boundaries in a tuple; one output per part."""
    if isinstance(indices_or_sections, int):
        params = {"indices": (), "sections": indices_or_sections}
    elif isinstance(indices_or_sections, tuple):
        params = {"indices": (0,) + tuple(indices_or_sections), "sections": 0}
    else:
        raise ValueError("indices_or_sections must either int or tuple of ints")
    params.update(axis=axis, squeeze_axis=squeeze_axis)
    return create_op("_split_v2", params, [ary], None, None, None)
