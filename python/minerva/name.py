"""``mx.name``: automatic names for symbols (MXNet 1.x's NameManager and Prefix).

An operator created without ``name=`` is named by the current manager from a hint, the called
function's name in lower case: ``fullyconnected0``, ``_plus1``. Each manager counts per hint, so
``with mx.name.NameManager():`` starts the numbering afresh; ``mx.name.Prefix('net_')`` also
prefixes every operator name, explicit ones included (variables keep their names)."""
from __future__ import annotations

import threading

__all__ = ["NameManager", "Prefix"]


class _CurrentManager(type):
    """Makes ``NameManager.current`` a class-level property, as in MXNet."""

    @property
    def current(cls) -> NameManager:
        manager = getattr(NameManager._local, "value", None)
        if manager is None:
            manager = NameManager._local.value = NameManager()
        return manager


class NameManager(metaclass=_CurrentManager):
    """Hands out names ``<hint><n>`` with one counter per hint; a context manager that makes
    itself the current manager of this thread for its scope."""
    _local = threading.local()

    def __init__(self) -> None:
        self._counter: dict = {}
        self._old_manager = None

    def get(self, name, hint: str) -> str:
        """name when given, else the hint with this manager's next number for it."""
        if name:
            return name
        n = self._counter.get(hint, 0)
        self._counter[hint] = n + 1
        return f"{hint}{n}"

    def __enter__(self) -> NameManager:
        self._old_manager = NameManager.current
        NameManager._local.value = self
        return self

    def __exit__(self, *exc) -> None:
        NameManager._local.value = self._old_manager


class Prefix(NameManager):
    """A NameManager that puts prefix in front of every name it returns."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self._prefix = prefix

    def get(self, name, hint: str) -> str:
        return self._prefix + super().get(name, hint)
