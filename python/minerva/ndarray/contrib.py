"""The ``_contrib_*`` operators by their short names: ``_contrib_box_nms`` is
``mx.nd.contrib.box_nms`` (MXNet's ``mx.nd.contrib``)."""
import numpy as np  # noqa: F401  (MXNet's ndarray.contrib exports np, mx, current_context, ndarray, uniform)

import minerva as mx  # noqa: F401

from .. import _op
from ..context import current_context  # noqa: F401
from . import _internal as _all
from . import ndarray  # noqa: F401
from . import random as _random

uniform = _random.uniform

globals().update(_op.by_prefix(vars(_all), "_contrib_"))
# MXNet's Python-level contrib functions (they take precedence over an operator of the same name);
# as in MXNet, the AdamW updates stay out of the star import.
from ._adamw import _get_rescale_grad, adamw_update, mp_adamw_update  # noqa: E402, F401
from ._control_flow import cond, foreach, isfinite, isinf, isnan, rand_zipfian, while_loop  # noqa: E402, F401
from ._contrib_python import (boolean_mask, multi_adamw_update, multi_lamb_update,  # noqa: E402, F401
                              multi_mp_adamw_update, multi_mp_lamb_update)

__all__ = sorted(set(_op.by_prefix(vars(_all), "_contrib_"))
                 | {"cond", "foreach", "isfinite", "isinf", "isnan", "rand_zipfian", "while_loop"}
                 | {"boolean_mask"})
