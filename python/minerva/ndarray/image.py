"""The ``_image_*`` operators by their short names: ``_image_to_tensor`` is
``mx.nd.image.to_tensor`` (MXNet's ``mx.nd.image``)."""
from .. import _op
from . import _internal as _all

globals().update(_op.by_prefix(vars(_all), "_image_"))
__all__ = sorted(_op.by_prefix(vars(_all), "_image_"))
