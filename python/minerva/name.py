"""``mx.name``: automatic names for symbols (MXNet 1.x's NameManager and Prefix).

An operator created without ``name=`` is named by the current manager from a hint, the called
function's name in lower case: ``fullyconnected0``, ``_plus1``. Each manager counts per hint, so
``with mx.name.NameManager():`` starts the numbering afresh; ``mx.name.Prefix('net_')`` also
prefixes every operator name, explicit ones included (variables keep their names)."""
from __future__ import annotations

import threading

from .base import classproperty, with_metaclass  # noqa: F401  (MXNet's name module exports them)

__all__ = ["NameManager", "Prefix", "classproperty", "with_metaclass"]


class _CurrentScope(type):
    """Makes ``cls.current`` a class-level property, as in MXNet: this thread's innermost scope,
    a default one of the stack's class made on first use."""

    @property
    def current(cls):
        local = cls._stack._local
        scope = getattr(local, "value", None)
        if scope is None:
            scope = local.value = cls._stack()
        return scope


class _Scope(metaclass=_CurrentScope):
    """Base of a per-thread stack of scopes (NameManager, AttrScope): each direct subclass is one
    stack; ``with scope:`` makes scope its stack's current one for the block."""
    _old_scope = None

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if _Scope in cls.__bases__:
            cls._stack = cls
            cls._local = threading.local()

    def __enter__(self):
        self._old_scope = self._stack.current
        self._local.value = self
        return self

    def __exit__(self, *exc) -> None:
        self._local.value = self._old_scope


class NameManager(_Scope):
    """Hands out names ``<hint><n>`` with one counter per hint; a context manager that makes
    itself the current manager of this thread for its scope."""

    def __init__(self) -> None:
        self._counter: dict = {}

    def get(self, name, hint: str) -> str:
        """name when given, else the hint with this manager's next number for it."""
        if name:
            return name
        n = self._counter.get(hint, 0)
        self._counter[hint] = n + 1
        return f"{hint}{n}"


class Prefix(NameManager):
    """A NameManager that puts prefix in front of every name it returns."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self._prefix = prefix

    def get(self, name, hint: str) -> str:
        return self._prefix + super().get(name, hint)
