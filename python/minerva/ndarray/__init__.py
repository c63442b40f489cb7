"""``mx.nd``: imperative arrays and one function per registered operator."""
import types as _types

import numpy as _np

from . import register as _register
from . import utils as _utils
from .._cached_op import CachedOp  # noqa: F401
from ._ufunc import (add, divide, equal, greater, greater_equal, lesser, lesser_equal, logical_and,  # noqa: F401
                     logical_or, logical_xor, maximum, minimum, modulo, multiply, not_equal, power, subtract,
                     true_divide)
from .ndarray import DTYPE_CODE_TO_NP, NDArray, invoke, waitall  # noqa: F401
from .utils import arange, array, concatenate, empty, full, load, load_frombuffer, moveaxis, ones, save, zeros  # noqa: F401

from . import _internal  # noqa: F401  (filled by populate below; contrib, linalg, image and op read it)
from . import random  # noqa: E402, F401  (MXNet's hand-written sampling functions)

# MXNet's dtype-code tables (exported by mx.nd's star import; -1 is "no dtype"). bfloat16 (12) has
# no NumPy type and no Minerva kernels, so it is left out.
_DTYPE_MX_TO_NP = {-1: None, **DTYPE_CODE_TO_NP}
_DTYPE_NP_TO_MX = {v: k for k, v in _DTYPE_MX_TO_NP.items()}
_GRAD_REQ_MAP = {"null": 0, "write": 1, "add": 3}  # MXNet's OpReqType codes
__all__ = ["_DTYPE_MX_TO_NP", "_DTYPE_NP_TO_MX", "_GRAD_REQ_MAP"]  # completed at the end of the module



def eye(N, M=0, k=0, ctx=None, dtype=None, **kwargs):  # noqa: N803 - MXNet's parameter names
    """An N x M (M=0: N x N) array with ones on diagonal k and zeros elsewhere (the ``_eye``
    operator), on ctx (default: the current context), float32 unless dtype says otherwise."""
    return invoke("_eye", [], {"N": N, "M": M, "k": k, "ctx": str(_utils._ctx(ctx)),
                               "dtype": _np.dtype(dtype or _np.float32).name, **kwargs})


_generated = {}
NUM_OPERATORS = _register.populate(_generated, _internal.__dict__, random.__dict__)
# Hand-written creation functions (MXNet's utils signatures) win over the generated ones.
for _name, _fn in _generated.items():
    if _name not in globals():
        globals()[_name] = _fn
del _name, _fn
from . import contrib, image, linalg, op  # noqa: E402, F401  (after populate: they read _internal)
from .histogram import histogram  # noqa: E402, F401  (MXNet's Python wrappers win over the generated ones)
from .linspace import linspace  # noqa: E402, F401
from .split_v2 import split_v2  # noqa: E402, F401
# Keep last: the star import gives every public name, as before, plus MXNet's three tables above.
__all__ += sorted(n for n in globals() if not n.startswith("_"))
