"""The ``_contrib_*`` operators by their short names: ``_contrib_box_nms`` is
``mx.sym.contrib.box_nms`` (MXNet's ``mx.sym.contrib``)."""
from .. import _op
from ..attribute import AttrScope  # noqa: F401  (MXNet's symbol.contrib exports them)
from ..base import check_call  # noqa: F401
from . import _internal as _all
from . import symbol  # noqa: F401
from . import random as _random
from .symbol import Symbol  # noqa: F401

uniform = _random.uniform

globals().update(_op.by_prefix(vars(_all), "_contrib_"))
from ._contrib_python import boolean_mask  # noqa: E402, F401  (imperative only: raises, saying so)
from ._adamw import adamw_update, mp_adamw_update  # noqa: E402, F401  (MXNet's Python-level AdamW updates)
from ._zipfian import rand_zipfian  # noqa: E402, F401
from ._control_flow import cond, foreach, while_loop  # noqa: E402, F401  (nodes holding subgraphs)

__all__ = sorted(set(_op.by_prefix(vars(_all), "_contrib_")) | {"boolean_mask", "rand_zipfian", "foreach",
                                                                "while_loop", "cond"})
