"""``mx.error``: MXNet 1.x's error classes and their registry (``mxnet.error``)."""
from __future__ import annotations

from .base import MXNetError, register_error

__all__ = ["MXNetError", "register"]

register = register_error


@register_error
class InternalError(MXNetError):
    """An internal error of the library (a bug, not bad input)."""
