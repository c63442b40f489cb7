"""``mx.contrib.symbol``: the ``_contrib_*`` operators of ``mx.sym.contrib`` under their short names."""
from ..symbol.contrib import *  # noqa: F401, F403
from ..symbol.contrib import __all__  # noqa: F401
