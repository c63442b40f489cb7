"""Every public operator function by its registry name (MXNet's ``mx.nd.op``)."""
from .. import _op
from . import _internal as _all

globals().update(_op.public(vars(_all)))
__all__ = sorted(_op.public(vars(_all)))
