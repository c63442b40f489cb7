"""The ``_image_*`` operators by their short names: ``_image_to_tensor`` is
``mx.sym.image.to_tensor`` (MXNet's ``mx.sym.image``)."""
from .. import _op
from . import _internal as _all

globals().update(_op.by_prefix(vars(_all), "_image_"))
__all__ = sorted(_op.by_prefix(vars(_all), "_image_"))
