"""``mx.nd``: imperative arrays and one function per registered operator."""
import types as _types

from . import register as _register
from .._cached_op import CachedOp  # noqa: F401
from .ndarray import NDArray, empty, invoke, waitall  # noqa: F401
from .utils import arange, array, concatenate, full, load, load_frombuffer, moveaxis, ones, save, zeros  # noqa: F401

_internal = _types.ModuleType("minerva.ndarray._internal", "Operators whose names start with '_'.")
from . import random  # noqa: E402  (MXNet's hand-written sampling functions)
op = _types.ModuleType("minerva.ndarray.op", "Every operator by its registry name.")

_generated = {}
NUM_OPERATORS = _register.populate(_generated, _internal.__dict__, random.__dict__)
# Hand-written creation functions (MXNet's utils signatures) win over the generated ones.
for _name, _fn in _generated.items():
    if _name not in globals():
        globals()[_name] = _fn
op.__dict__.update(_internal.__dict__)
del _name, _fn
