"""``mx.model``: checkpoints in MXNet 1.x's format: ``prefix-symbol.json`` for the graph and
``prefix-0001.params`` for the weights, an NDArray file with keys ``arg:<name>`` and
``aux:<name>``."""
from __future__ import annotations

import logging
import os  # noqa: F401  (mxnet.model's namespace: scripts reach these through it)
import time  # noqa: F401
import warnings  # noqa: F401
from collections import namedtuple

import numpy as np

from . import ndarray as nd
from . import symbol as sym
from .context import Context, cpu  # noqa: F401

mx_real_t = np.float32  # MXNet's default real type, as mxnet.base defines it

# What batch-end callbacks receive (mx.model.BatchEndParam in MXNet; mx.callback re-exports it).
BatchEndParam = namedtuple("BatchEndParam", ["epoch", "nbatch", "eval_metric", "locals"])

__all__ = ["BASE_ESTIMATOR", "SKLEARN_INSTALLED", "BatchEndParam", "FeedForward", "load_checkpoint", "load_params",
           "save_checkpoint"]


def save_checkpoint(prefix: str, epoch: int, symbol, arg_params: dict, aux_params: dict,
                    remove_amp_cast: bool = True) -> None:
    """Writes prefix-symbol.json (when symbol is not None) and prefix-%04d.params, both atomically."""
    if symbol is not None:
        symbol.save(f"{prefix}-symbol.json", remove_amp_cast=remove_amp_cast)
    save_dict = {f"arg:{k}": v.as_in_context(cpu()) for k, v in arg_params.items()}
    save_dict.update({f"aux:{k}": v.as_in_context(cpu()) for k, v in (aux_params or {}).items()})
    param_name = f"{prefix}-{epoch:04d}.params"
    nd.save(param_name, save_dict)
    logging.info('Saved checkpoint to "%s"', param_name)


def split_param_dict(save_dict, fname: str):
    """(arg_params, aux_params, other) of a loaded .params dict, by the arg:/aux: key prefixes."""
    if isinstance(save_dict, list):
        if not save_dict:
            return {}, {}, {}
        raise ValueError(f"{fname} holds {len(save_dict)} unnamed arrays; a parameter file needs names")
    arg_params, aux_params, plain = {}, {}, {}
    for key, value in save_dict.items():
        kind, sep, name = key.partition(":")
        if sep and kind == "arg":
            arg_params[name] = value
        elif sep and kind == "aux":
            aux_params[name] = value
        else:
            plain[key] = value  # Gluon 2.x export and save_parameters write bare names
    return arg_params, aux_params, plain


def load_params(prefix: str, epoch: int):
    """(arg_params, aux_params) from prefix-%04d.params. Names without an arg:/aux: prefix go
    into arg_params (load_checkpoint sorts them with the symbol)."""
    fname = f"{prefix}-{epoch:04d}.params"
    arg_params, aux_params, plain = split_param_dict(nd.load(fname), fname)
    if not (arg_params or aux_params or plain):
        logging.warning("Params file '%s' is empty", fname)
    arg_params.update(plain)
    return arg_params, aux_params


def load_checkpoint(prefix: str, epoch: int):
    """(symbol, arg_params, aux_params) saved by save_checkpoint, MXNet or a Gluon export.
    Bare names are auxiliary states when the symbol lists them as such, else arguments."""
    symbol = sym.load(f"{prefix}-symbol.json")
    fname = f"{prefix}-{epoch:04d}.params"
    arg_params, aux_params, plain = split_param_dict(nd.load(fname), fname)
    aux_names = set(symbol.list_auxiliary_states())
    for name, value in plain.items():
        (aux_params if name in aux_names else arg_params)[name] = value
    return symbol, arg_params, aux_params


# FeedForward and the rest of mxnet.model's namespace build on the checkpoint helpers above
# (mx.callback imports them), so they are imported after them.
from . import io  # noqa: E402,F401
from . import kvstore as kvs  # noqa: E402,F401
from . import metric  # noqa: E402,F401
from . import optimizer as opt  # noqa: E402,F401
from .callback import LogValidationMetricsCallback  # noqa: E402,F401
from .feedforward import BASE_ESTIMATOR, SKLEARN_INSTALLED, FeedForward  # noqa: E402
from .initializer import Uniform  # noqa: E402,F401
from .io import DataDesc  # noqa: E402,F401
from .optimizer import get_updater  # noqa: E402,F401
