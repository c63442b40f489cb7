"""``mx.random``: seeding and sampling (MXNet 1.x API)."""
from __future__ import annotations

from ._capi import lib
from .base import check_call
from .context import Context
from .ndarray import random as _nd_random

__all__ = ["normal", "randint", "seed", "shuffle", "uniform"]


def seed(seed_state: int, ctx="all") -> None:
    """Seeds the generators of every device (ctx='all') or of one device."""
    if not isinstance(seed_state, int):
        raise ValueError(f"seed_state must be an int, got {type(seed_state).__name__}")
    if ctx == "all":
        check_call(lib.MVRandomSeed(seed_state & (2**64 - 1)))
    else:
        ctx = ctx if isinstance(ctx, Context) else Context(ctx)
        check_call(lib.MVRandomSeedContext(seed_state & (2**64 - 1), ctx.device_typeid, ctx.device_id))


def _forward(name):
    def fn(*args, **kwargs):
        return getattr(_nd_random, name)(*args, **kwargs)
    fn.__name__ = name
    fn.__doc__ = getattr(_nd_random, name).__doc__ if hasattr(_nd_random, name) else None
    return fn


uniform = _forward("uniform")
normal = _forward("normal")
randint = _forward("randint")
shuffle = _forward("shuffle")
