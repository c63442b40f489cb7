"""``mx.contrib.ndarray``: the ``_contrib_*`` operators of ``mx.nd.contrib`` under their short names."""
from ..ndarray.contrib import *  # noqa: F401, F403
from ..ndarray.contrib import __all__  # noqa: F401
