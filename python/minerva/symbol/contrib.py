"""The ``_contrib_*`` operators by their short names: ``_contrib_box_nms`` is
``mx.sym.contrib.box_nms`` (MXNet's ``mx.sym.contrib``)."""
from .. import _op
from . import _internal as _all

globals().update(_op.by_prefix(vars(_all), "_contrib_"))
__all__ = sorted(_op.by_prefix(vars(_all), "_contrib_"))
