"""The ``_linalg_*`` operators by their short names: ``_linalg_gemm`` is ``mx.nd.linalg.gemm``
(MXNet's ``mx.nd.linalg``)."""
from .. import _op
from . import _internal as _all

globals().update(_op.by_prefix(vars(_all), "_linalg_"))
__all__ = sorted(_op.by_prefix(vars(_all), "_linalg_"))
