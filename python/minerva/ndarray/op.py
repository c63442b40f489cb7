"""Every operator function by its registry name; the star import gives the public ones (MXNet's
``mx.nd.op``)."""
from .. import _op
from .._cached_op import CachedOp  # noqa: F401  (MXNet's ndarray.op exports it)
from . import _internal as _all

# Every name is reachable (as Minerva always had it); the star import gives the public ones, as MXNet's.
globals().update({name: fn for name, fn in vars(_all).items() if not name.startswith("__")})
__all__ = sorted(_op.public(vars(_all))) + ["CachedOp"]
