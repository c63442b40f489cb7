"""``mx.nd.split_v2``: numpy-style split over the ``_split_v2`` operator (MXNet 1.x's signature)."""
from __future__ import annotations

from .ndarray import NDArray, invoke


def split_v2(ary: NDArray, indices_or_sections, axis: int = 0, squeeze_axis: bool = False):
    """Splits ary along axis into indices_or_sections equal parts (an int), or at the sorted
    boundaries in a tuple: (2, 3) gives ary[:2], ary[2:3] and ary[3:]. squeeze_axis drops the
    split axis from parts of length 1. Returns an NDArray for one part, else a list."""
    axis_size = ary.shape[axis]
    if isinstance(indices_or_sections, int):
        sections = indices_or_sections
        if sections <= 0 or axis_size % sections:
            raise ValueError("array split does not result in an equal division")
        indices = [i * (axis_size // sections) for i in range(sections)]
    elif isinstance(indices_or_sections, tuple):
        indices = [0] + list(indices_or_sections)
    else:
        raise ValueError("indices_or_sections must either int or tuple of ints")
    return invoke("_split_v2", [ary], {"indices": tuple(indices), "axis": axis, "squeeze_axis": squeeze_axis})
