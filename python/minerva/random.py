"""``mx.random``: seeding, and MXNet 1.x's sampling functions re-exported from ``mx.nd.random``."""
from __future__ import annotations

from ._capi import lib
from .base import check_call
from .context import Context
from .ndarray.random import *  # noqa: F401,F403  (MXNet's mx.random is this star import plus seed)

integer_types = (int,)


def seed(seed_state: int, ctx="all") -> None:
    """Seeds the generators of every device (ctx='all') or of one device. The same seed gives the
    same draws, in the same order, under either engine."""
    if not isinstance(seed_state, int):
        raise ValueError(f"seed_state must be an int, got {type(seed_state).__name__}")
    if ctx == "all":
        check_call(lib.MVRandomSeed(seed_state & (2**64 - 1)))
    else:
        ctx = ctx if isinstance(ctx, Context) else Context(ctx)
        check_call(lib.MVRandomSeedContext(seed_state & (2**64 - 1), ctx.device_typeid, ctx.device_id))
