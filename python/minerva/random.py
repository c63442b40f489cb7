"""``mx.random``: seeding, and MXNet 1.x's sampling functions re-exported from ``mx.nd.random``."""
from __future__ import annotations

from . import symbol as _symbol
from ._capi import lib
from .base import check_call
from .context import Context
from .ndarray import random as _nd_random

# mx.nd and mx.sym fill their random modules with generated operators after those modules ran;
# the hand-written MXNet functions must be the ones users get (see ndarray/random.py).
_nd_random._reinstall()
_symbol.random._reinstall()

from .ndarray.random import *  # noqa: E402,F401,F403  (MXNet's mx.random is this star import plus seed)

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
