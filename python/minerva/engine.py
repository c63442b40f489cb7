"""``mx.engine``: engine bulking controls (MXNet 1.x's ``mxnet.engine``).

MXNet's threaded engine can fuse up to ``size`` consecutive operators into one engine task
("bulk execution") to save scheduling overhead; it never changes results. Minerva's engine
schedules every operator on its own (its C ABI offers no bulking control), so these functions
keep MXNet's interface and bookkeeping — ``set_bulk_size`` returns the previous size, ``bulk``
restores it — and have no further effect."""
from __future__ import annotations

import threading

from .base import check_call  # noqa: F401  (MXNet's engine exports it)

__all__ = ["bulk", "check_call", "set_bulk_size"]

_state = threading.local()


def set_bulk_size(size) -> int:
    """Sets the bulk size for this thread and returns the previous one (0 at first)."""
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError(f"set_bulk_size: size must be a non-negative int, got {size!r}")
    previous = getattr(_state, "size", 0)
    _state.size = size
    return previous


class _BulkScope:
    def __init__(self, size) -> None:
        self._size = size
        self._old = None

    def __enter__(self):
        self._old = set_bulk_size(self._size)
        return self

    def __exit__(self, *exc) -> None:
        set_bulk_size(self._old)


def bulk(size):
    """``with mx.engine.bulk(size):`` — the bulk size for the block, restored afterwards."""
    return _BulkScope(size)
