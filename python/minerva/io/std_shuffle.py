"""The permutation that MXNet's C++ iterators draw: ``std::shuffle`` over ``std::mt19937(seed)``
as libstdc++ implements it (one ``uniform_int_distribution`` draw per position, by rejection and
downscaling). Reproducing it lets ``MNISTIter(shuffle=True, seed=s)`` give MXNet's exact order.

numpy's legacy ``RandomState(seed)`` seeds MT19937 the way ``std::mt19937(seed)`` does, and a
full-range uint32 draw returns the generator's raw 32-bit outputs in sequence."""
from __future__ import annotations

import numpy as np

__all__ = ["std_shuffle_order"]

_URNG_MAX = 2**32 - 1
_CHUNK = 4096


class _RawMT19937:
    """The raw 32-bit outputs of std::mt19937(seed), read in chunks."""

    def __init__(self, seed: int):
        self._rs = np.random.RandomState(seed % 2**32)
        self._buf: list[int] = []
        self._pos = 0

    def __call__(self) -> int:
        if self._pos == len(self._buf):
            self._buf = self._rs.randint(0, 2**32, size=_CHUNK, dtype=np.uint32).tolist()
            self._pos = 0
        self._pos += 1
        return self._buf[self._pos - 1]


def _uniform_at_most(draw: _RawMT19937, high: int) -> int:
    """libstdc++'s uniform_int_distribution(0, high) for a 32-bit generator and high < 2**32 - 1."""
    scaling = _URNG_MAX // (high + 1)
    past = (high + 1) * scaling
    while True:
        r = draw()
        if r < past:
            return r // scaling


def std_shuffle_order(n: int, seed: int) -> np.ndarray:
    """``inst = 0..n-1; std::shuffle(inst, std::mt19937(seed))`` as MXNet 1.9.1's wheel computes it."""
    order = list(range(n))
    draw = _RawMT19937(seed)
    for i in range(1, n):
        j = _uniform_at_most(draw, i)
        order[i], order[j] = order[j], order[i]
    return np.asarray(order, dtype=np.int64)
