"""The ``_contrib_*`` operators by their short names: ``_contrib_box_nms`` is
``mx.nd.contrib.box_nms`` (MXNet's ``mx.nd.contrib``)."""
import numpy as np  # noqa: F401  (MXNet's ndarray.contrib exports np, current_context, ndarray, uniform)

from .. import _op
from ..context import current_context  # noqa: F401
from . import _internal as _all
from . import ndarray  # noqa: F401
from . import random as _random

uniform = _random.uniform

globals().update(_op.by_prefix(vars(_all), "_contrib_"))
__all__ = sorted(_op.by_prefix(vars(_all), "_contrib_"))
