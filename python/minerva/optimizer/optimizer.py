"""The optimizer base class, its registry, and the ``Updater`` that keeps per-index state.

MXNet 1.x semantics: an optimizer is created by (case-insensitive) name, keeps a per-index
update count (``num_update`` is the largest), looks up per-parameter ``lr_mult``/``wd_mult``
(from a Gluon ``param_dict``, from ``set_lr_mult``/``set_wd_mult``, or from symbol attributes
``__lr_mult__``/``__wd_mult__``), and updates weights in place.
"""
from __future__ import annotations

import os
import pickle
import warnings
from typing import Any

import numpy as np

from .. import ndarray as nd
from .. import registry
from ..base import py_str  # noqa: F401  (mxnet.optimizer.optimizer's namespace, as below)
from ..ndarray import NDArray
from ..random import normal  # noqa: F401
from ..util import is_np_array  # noqa: F401

# The optimizer classes, defined in sgd.py and adaptive.py, are added by the package's __init__.
__all__ = ["NDabs", "Optimizer", "Updater", "create", "get_updater", "register"]

# mxnet.optimizer.optimizer imports the operators its updates call into its namespace (scripts reach
# ``mx.optimizer.optimizer.sgd_update``); those Minerva's registry has are re-exported the same way.
numpy = np
NDabs = nd.abs
NDnorm = nd.norm
for _name in ("zeros", "clip", "sqrt", "cast", "maximum", "array", "multiply", "square", "multi_sum_sq",
              "multi_lars", "sgd_update", "sgd_mom_update", "adam_update", "rmsprop_update",
              "rmspropalex_update", "mp_sgd_update", "mp_sgd_mom_update", "ftrl_update", "ftml_update",
              "signsgd_update", "signum_update", "nag_mom_update", "mp_nag_mom_update", "multi_sgd_update",
              "multi_sgd_mom_update", "multi_mp_sgd_update", "multi_mp_sgd_mom_update",
              "preloaded_multi_sgd_update", "preloaded_multi_sgd_mom_update", "preloaded_multi_mp_sgd_update",
              "preloaded_multi_mp_sgd_mom_update", "lamb_update_phase1", "lamb_update_phase2",
              "mp_lamb_update_phase1", "mp_lamb_update_phase2", "multi_lamb_update", "multi_mp_lamb_update"):
    _fn = getattr(nd, _name, None) or getattr(nd.contrib, _name, None)  # the LAMB updates live in contrib
    if _fn is not None:
        globals()[_name] = _fn
del _name, _fn


class Optimizer:
    """Base class of all optimizers.

    Parameters
    ----------
    rescale_grad : float
        Gradients are multiplied by this before use (often ``1/batch_size``).
    param_idx2name : dict of int to str
        Names of the indices; with it, weight decay is 0 for names that do not end with
        ``_weight`` or ``_gamma``.
    wd : float
        Weight decay (L2 penalty) coefficient.
    clip_gradient : float or None
        Clip the rescaled gradient into ``[-clip_gradient, clip_gradient]``.
    learning_rate : float or None
        Initial learning rate; overrides ``lr_scheduler.base_lr``. 0.01 when both are None.
    lr_scheduler : LRScheduler or None
        Called with ``num_update`` to give the learning rate.
    sym : Symbol or None
        Symbol whose argument attributes give ``__lr_mult__`` / ``__wd_mult__``.
    begin_num_update : int
        The starting update count.
    multi_precision : bool
        Keep a float32 master copy of float16 weights and update that.
    param_dict : dict of int to gluon.Parameter
        Parameters whose ``lr_mult``/``wd_mult`` take precedence.
    """

    def __init__(self, rescale_grad: float = 1.0, param_idx2name: dict | None = None,
                 wd: float = 0.0, clip_gradient: float | None = None,
                 learning_rate: float | None = None, lr_scheduler=None, sym=None,
                 begin_num_update: int = 0, multi_precision: bool = False,
                 param_dict: dict | None = None):
        self.rescale_grad = rescale_grad
        self.lr_scheduler = lr_scheduler
        if lr_scheduler is None and learning_rate is None:
            learning_rate = 0.01
        self.lr = learning_rate
        if lr_scheduler is not None and learning_rate is not None:
            if lr_scheduler.base_lr != learning_rate:
                print(UserWarning("learning rate from ``lr_scheduler`` has been overwritten "
                                  "by ``learning_rate`` in optimizer."))
                lr_scheduler.base_lr = learning_rate
        self.wd = wd
        self.lr_mult: dict = {}
        self.wd_mult: dict = {}
        self.begin_num_update = begin_num_update
        self.num_update = begin_num_update
        self._all_index_update_counts: dict = {0: {}}
        self._index_update_count = self._all_index_update_counts[0]
        self.clip_gradient = clip_gradient
        self.multi_precision = multi_precision
        self.aggregate_num = 0
        if param_idx2name is None:
            param_idx2name = {}
        if not isinstance(param_idx2name, dict):
            raise TypeError("param_idx2name should be a dict of param indexes to names, got "
                            f"{type(param_idx2name).__name__}")
        self.idx2name = param_idx2name.copy()
        self.sym_info = (sym.attr_dict(), sym.list_arguments()) if sym is not None else ()
        self.param_dict = param_dict if param_dict else {}
        self.allow_np_array = False
        self.set_lr_mult({})
        self.set_wd_mult({})

    # ---- registry: mx.registry's, keyed on Optimizer; ``register`` and ``opt_registry`` (the
    # live name -> class dict) are set below the class ------------------------------------------
    @staticmethod
    def create_optimizer(name: str, **kwargs) -> Optimizer:
        """Instantiates the optimizer registered as ``name`` (case-insensitive)."""
        if not isinstance(name, str):
            raise TypeError(f"optimizer name must be a str, got {type(name).__name__}")
        return registry.lookup(Optimizer, "optimizer", name)(**kwargs)

    # ---- learning rate --------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The current learning rate (from the scheduler when there is one)."""
        if self.lr_scheduler is not None:
            return self.lr_scheduler(self.num_update)
        return self.lr

    def set_learning_rate(self, lr: float) -> None:
        """Sets the learning rate; not allowed when an ``lr_scheduler`` is set."""
        if self.lr_scheduler is not None:
            raise UserWarning("LRScheduler of the optimizer has already been defined. Note that "
                              "set_learning_rate can mutate the value of the learning rate of "
                              "the optimizer only when the LRScheduler of the optimizer is "
                              "undefined.")
        self.lr = lr

    def set_lr_scale(self, args_lrscale):  # noqa: ARG002
        """[DEPRECATED] Use ``set_lr_mult``."""
        raise DeprecationWarning

    def _sym_mults(self, key: str) -> dict:
        """The multipliers the symbol's arguments carry as attribute key (``__lr_mult__``)."""
        if not self.sym_info:
            return {}
        attr, arg_names = self.sym_info
        return {name: float(attr[name][key]) for name in arg_names if name in attr and key in attr[name]}

    def set_lr_mult(self, args_lr_mult: dict) -> None:
        """Sets learning-rate multipliers by parameter name or index."""
        self.lr_mult = self._sym_mults("__lr_mult__")
        self.lr_mult.update(args_lr_mult)

    def set_wd_mult(self, args_wd_mult: dict) -> None:
        """Sets weight-decay multipliers by parameter name or index.

        Names given through ``param_idx2name`` that end with neither ``_weight`` nor ``_gamma``
        get 0 (no decay for biases and the like).
        """
        self.wd_mult = {}
        for n in self.idx2name.values():
            if not (n.endswith("_weight") or n.endswith("_gamma")):
                self.wd_mult[n] = 0.0
        self.wd_mult.update(self._sym_mults("__wd_mult__"))
        self.wd_mult.update(args_wd_mult)

    # ---- update counting and per-index lr / wd --------------------------------------------
    def _set_current_context(self, device_id: int) -> None:
        """Switches the per-index update counts to those of device ``device_id``."""
        if device_id not in self._all_index_update_counts:
            self._all_index_update_counts[device_id] = {}
        self._index_update_count = self._all_index_update_counts[device_id]

    def _update_count(self, index) -> None:
        """Counts one more update of ``index`` (or of each index in a list)."""
        indices = index if isinstance(index, (list, tuple)) else [index]
        for idx in indices:
            if idx not in self._index_update_count:
                self._index_update_count[idx] = self.begin_num_update
            self._index_update_count[idx] += 1
            self.num_update = max(self._index_update_count[idx], self.num_update)

    def _times_mult(self, value: float, indices, mult: str) -> list[float]:
        """value for each index, times its multiplier ``mult`` ('lr_mult' or 'wd_mult'): its Gluon
        Parameter's, else the one set for the index, else the one set for its name."""
        table = getattr(self, mult)
        out = [value for _ in indices]
        for i, index in enumerate(indices):
            if index in self.param_dict:
                out[i] *= getattr(self.param_dict[index], mult)
            elif index in table:
                out[i] *= table[index]
            elif index in self.idx2name:
                out[i] *= table.get(self.idx2name[index], 1.0)
        return out

    def _get_lrs(self, indices) -> list[float]:
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        return self._times_mult(lr, indices, "lr_mult")

    def _get_lr(self, index) -> float:
        return self._get_lrs([index])[0]

    def _get_wds(self, indices) -> list[float]:
        return self._times_mult(self.wd, indices, "wd_mult")

    def _get_wd(self, index) -> float:
        return self._get_wds([index])[0]

    def _count_update(self, index) -> tuple[float, float]:
        """Counts one more update of ``index`` and returns its (lr, wd): how an update starts."""
        self._update_count(index)
        return self._get_lr(index), self._get_wd(index)

    # ---- state and update -----------------------------------------------------------------
    def create_state(self, index, weight: NDArray) -> Any:
        """Creates the auxiliary state (momentum, moments, ...) of one weight; None here."""
        return None

    def create_state_multi_precision(self, index, weight: NDArray) -> Any:
        """Like ``create_state``; for float16 weights with ``multi_precision`` the state is
        ``(float32 master copy, state of the master copy)``."""
        if self.multi_precision and weight.dtype == np.float16:
            master = weight.astype(np.float32)
            return (master, self.create_state(index, master))
        if weight.dtype == np.float16 and not self.multi_precision:
            warnings.warn("Accumulating with float16 in optimizer can lead to poor accuracy or "
                          "slow convergence. Consider using multi_precision=True option of the "
                          "optimizer", stacklevel=3)
        return self.create_state(index, weight)

    def update(self, index, weight: NDArray, grad: NDArray, state) -> None:
        """Updates ``weight`` in place from ``grad`` and ``state``."""
        raise NotImplementedError(f"{type(self).__name__}.update is not implemented")

    def update_multi_precision(self, index, weight: NDArray, grad: NDArray, state) -> None:
        """``update``, through the float32 master copy for float16 multi-precision weights."""
        if self.multi_precision and weight.dtype == np.float16:
            master, inner = state
            self.update(index, master, grad.astype(np.float32), inner)
            nd.cast(master, dtype=weight.dtype, out=weight)
        else:
            self.update(index, weight, grad, state)

    def __getstate__(self):
        ret = self.__dict__.copy()
        del ret["param_dict"]  # Gluon parameters are not pickled with the optimizer
        return ret

    def __setstate__(self, state):
        self.__dict__ = state
        self.param_dict = {}


Optimizer.opt_registry = registry._registry(Optimizer)
Optimizer.register = staticmethod(registry.get_register_func(Optimizer, "optimizer"))
register = Optimizer.register
create = Optimizer.create_optimizer


def _aggregation_size() -> int:
    return int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "4"))


class Updater:
    """Applies an optimizer by index, creating and keeping each index's state.

    ``updater(index, grad, weight)`` (index, grad and weight may also be equal-length lists).
    ``get_states``/``set_states`` pickle the states (and optionally the optimizer), as MXNet's
    ``Trainer.save_states``/``load_states`` and ``Module.save_optimizer_states`` expect.
    """

    def __init__(self, optimizer: Optimizer):
        self.optimizer = optimizer
        self.states: dict = {}
        self.states_synced: dict = {}
        self.aggregate_updates = optimizer.aggregate_num > 0

    def __call__(self, index, grad, weight) -> None:
        if isinstance(index, (list, tuple)):
            indices, grads, weights = list(index), list(grad), list(weight)
        else:
            indices, grads, weights = [index], [grad], [weight]
        if weights:
            self.optimizer._set_current_context(weights[0].context.device_id)
        for i, idx in enumerate(indices):
            if isinstance(idx, bytes):
                idx = indices[i] = idx.decode()
            if idx not in self.states:
                self.states[idx] = self.optimizer.create_state_multi_precision(idx, weights[i])
                self.states_synced[idx] = True
            elif not self.states_synced[idx]:
                self.states[idx] = self.sync_state_context(self.states[idx], weights[i].context)
                self.states_synced[idx] = True
        for idx, w, g in zip(indices, weights, grads):
            self.optimizer.update_multi_precision(idx, w, g, self.states[idx])

    def sync_state_context(self, state, context):
        """Moves a (possibly nested) state to ``context``."""
        if isinstance(state, NDArray):
            return state.as_in_context(context)
        if isinstance(state, (tuple, list)):
            synced = [self.sync_state_context(s, context) for s in state]
            return tuple(synced) if isinstance(state, tuple) else synced
        return state

    def set_states(self, states: bytes) -> None:
        """Restores states (and the optimizer, when it was dumped) from ``get_states`` bytes."""
        states = pickle.loads(states)
        if isinstance(states, tuple) and len(states) == 2:
            self.states, self.optimizer = states
        else:
            self.states = states
        self.states_synced = dict.fromkeys(self.states.keys(), False)

    def get_states(self, dump_optimizer: bool = False) -> bytes:
        """Pickles the states; with ``dump_optimizer`` also the optimizer (lr, schedule, ...)."""
        return pickle.dumps((self.states, self.optimizer) if dump_optimizer else self.states)


def get_updater(optimizer: Optimizer) -> Updater:
    """Returns an ``Updater`` for ``optimizer`` (what a KVStore or Trainer calls)."""
    return Updater(optimizer)
