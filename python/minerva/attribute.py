"""``mx.AttrScope``: user attributes attached to every symbol created inside a scope (MXNet 1.x).

``with mx.AttrScope(ctx_group='dev1'):`` gives each variable and operator made in the block the
attribute ``ctx_group='dev1'``; nested scopes add to (and override) the outer ones, and an
explicit ``attr=`` argument overrides both."""
from __future__ import annotations

from .base import classproperty, string_types, with_metaclass  # noqa: F401  (MXNet's attribute exports them)
from .name import _Scope

__all__ = ["AttrScope", "classproperty", "string_types", "with_metaclass"]


class AttrScope(_Scope):
    """Attributes (strings) for the symbols created in its scope."""

    def __init__(self, **kwargs) -> None:
        for value in kwargs.values():
            if not isinstance(value, str):
                raise ValueError("Attributes need to be string")
        self._attr = kwargs

    def get(self, attr) -> dict:
        """The scope's attributes updated with attr (a new dict; {} when both are empty)."""
        if not self._attr:
            return dict(attr) if attr else {}
        merged = dict(self._attr)
        if attr:
            merged.update(attr)
        return merged

    def __enter__(self) -> AttrScope:
        merged = dict(AttrScope.current._attr)
        merged.update(self._attr)
        self._attr = merged
        return super().__enter__()
