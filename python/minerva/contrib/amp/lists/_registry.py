"""Which operator names this build's registry knows (aliases included)."""
from __future__ import annotations

from functools import cache


@cache
def has_op(name: str) -> bool:
    from ...._op import op_handle
    from ....base import MXNetError
    try:
        op_handle(name)
    except MXNetError:
        return False
    return True


def known(names):
    """``names`` without those this registry lacks, order kept."""
    return [n for n in names if has_op(n)]


def known_conditional(entries):
    """(op, parameter, values) entries whose op this registry has."""
    return [e for e in entries if has_op(e[0])]
