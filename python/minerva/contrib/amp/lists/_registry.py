"""Which operator names this build's registry knows (aliases included)."""
from __future__ import annotations

from functools import cache


@cache
def _registry_names() -> frozenset:
    from ...._op import list_ops, schema
    names = set(list_ops())
    for name in list(names):
        names.update(schema(name).get("aliases", []))
    return frozenset(names)


def has_op(name: str) -> bool:
    return name in _registry_names()


def known(names):
    """``names`` without those this registry lacks, order kept."""
    return [n for n in names if has_op(n)]


def known_conditional(entries):
    """(op, parameter, values) entries whose op this registry has."""
    return [e for e in entries if has_op(e[0])]
