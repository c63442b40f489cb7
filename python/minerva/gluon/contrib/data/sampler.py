"""``IntervalSampler``: indices of ``[0, length)`` taken every ``interval`` items."""
from __future__ import annotations

from ...data import sampler

__all__ = ["IntervalSampler"]


class IntervalSampler(sampler.Sampler):
    """Yields ``0, interval, 2*interval, ...`` below ``length``; with ``rollover`` (default) it
    then starts again from 1, 2, ... until every index was yielded once, e.g. for length 7 and
    interval 3: ``0 3 6 1 4 2 5``. Without ``rollover`` only the first pass is yielded (``len``
    still reports ``length``, as MXNet's does)."""

    def __init__(self, length, interval, rollover=True):
        if interval > length:
            raise AssertionError("Interval {} must be smaller than or equal to length {}".format(interval, length))
        if interval < 1:
            raise ValueError("IntervalSampler: interval must be a positive integer; got %r" % (interval,))
        self._length = length
        self._interval = interval
        self._rollover = rollover

    def __iter__(self):
        starts = self._interval if self._rollover else 1
        for start in range(starts):
            yield from range(start, self._length, self._interval)

    def __len__(self):
        return self._length
