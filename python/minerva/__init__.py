"""Minerva: MXNet 1.x's API on a new core. ``import minerva as mx``."""
from . import base, context  # noqa: F401  (base loads the library first)
from . import ndarray  # noqa: F401
from . import ndarray as nd  # noqa: F401
from . import autograd, io, random  # noqa: F401
from . import random as rnd  # noqa: F401
from . import engine, error, libinfo, log, misc, runtime, util  # noqa: F401
from .util import is_np_array, is_np_shape, np_shape, set_np_shape, use_np, use_np_shape  # noqa: F401
from . import name, attribute  # noqa: F401
from . import symbol  # noqa: F401
from . import symbol as sym  # noqa: F401
from . import executor, model, test_utils  # noqa: F401
from . import callback, monitor, visualization  # noqa: F401
from . import monitor as mon  # noqa: F401
from . import visualization as viz  # noqa: F401
from . import operator  # noqa: F401  (mx.nd.Custom / mx.sym.Custom and custom operators)
from . import initializer, lr_scheduler, optimizer, metric, kvstore, module, gluon  # noqa: F401
from . import rnn  # noqa: F401  (after gluon: mx.rnn and mx.gluon.rnn are different modules)
from . import initializer as init  # noqa: F401
from . import kvstore as kv  # noqa: F401
from . import module as mod  # noqa: F401
from . import contrib  # noqa: F401  (after gluon: contrib.io wraps its DataLoader)
from . import notebook  # noqa: F401  (Jupyter charts; pandas/bokeh optional)
from .attribute import AttrScope  # noqa: F401
from ._capi import ffi as _ffi
from ._capi import lib as _lib
from .base import MinervaError, MXNetError  # noqa: F401
from .context import Context, cpu, cpu_pinned, current_context, gpu, num_gpus  # noqa: F401


def _version() -> str:
    v = _ffi.new("MVVersion*")
    base.check_call(_lib.MVGetVersion(v))
    return f"{v.major}.{v.minor}.{v.patch}"


__version__ = _version()
