"""``mx.AttrScope``: user attributes attached to every symbol created inside a scope (MXNet 1.x).

``with mx.AttrScope(ctx_group='dev1'):`` gives each variable and operator made in the block the
attribute ``ctx_group='dev1'``; nested scopes add to (and override) the outer ones, and an
explicit ``attr=`` argument overrides both."""
from __future__ import annotations

import threading

__all__ = ["AttrScope"]


class _CurrentScope(type):
    @property
    def current(cls) -> AttrScope:
        scope = getattr(AttrScope._local, "value", None)
        if scope is None:
            scope = AttrScope._local.value = AttrScope()
        return scope


class AttrScope(metaclass=_CurrentScope):
    """Attributes (strings) for the symbols created in its scope."""
    _local = threading.local()

    def __init__(self, **kwargs) -> None:
        for value in kwargs.values():
            if not isinstance(value, str):
                raise ValueError("Attributes need to be string")
        self._attr = kwargs
        self._old_scope = None

    def get(self, attr) -> dict:
        """The scope's attributes updated with attr (a new dict; {} when both are empty)."""
        if not self._attr:
            return dict(attr) if attr else {}
        merged = dict(self._attr)
        if attr:
            merged.update(attr)
        return merged

    def __enter__(self) -> AttrScope:
        self._old_scope = AttrScope.current
        merged = dict(self._old_scope._attr)
        merged.update(self._attr)
        self._attr = merged
        AttrScope._local.value = self
        return self

    def __exit__(self, *exc) -> None:
        AttrScope._local.value = self._old_scope
