"""Layer-wise adaptive learning rates for large batches, with MXNet 1.9.1's parameters: LARS (You
et al., "Large Batch Training of Convolutional Networks"; SGD whose per-layer learning rate is scaled
by eta * ||w|| / (||g|| + wd * ||w|| + eps), through multi_sum_sq, multi_lars and the
preloaded_multi_*sgd* updates) and LBSGD (SGD with gradient accumulation over batch_scale steps and a
warm-up of the learning-rate multiplier, or LARS-style scaling)."""
from __future__ import annotations

import logging
import math
import os
import warnings

import numpy as np

from .. import ndarray as nd
from . import _util
from . import optimizer as _optimizer_module
from .optimizer import Optimizer, register

__all__ = ["LARS", "LBSGD"]

_NO_LARS_SUFFIXES = ("gamma", "beta", "bias")  # batch-norm and bias parameters keep their learning rate


def _warn_fp16() -> None:
    warnings.warn("Accumulating with float16 in optimizer can lead to poor accuracy or slow convergence. "
                  "Consider using multi_precision=True option of the SGD optimizer", stacklevel=3)


@register
class LARS(Optimizer):
    """LARS: SGD with momentum and weight decay whose learning rate is scaled per layer::

        w_norm = ||weight||, g_norm = ||rescale_grad * grad||
        lr_layer = lr * eta * w_norm / (g_norm + wd * w_norm + eps)   if w_norm > 0 and g_norm > 0

    Parameters whose names end in gamma, beta or bias keep lr. With momentum_correction and an
    lr_scheduler the momentum is scaled by the ratio of the current to the previous learning rate.
    """

    def __init__(self, momentum: float = 0.0, lazy_update: bool = True, eta: float = 0.001, eps: float = 0,
                 momentum_correction: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.momentum_correction = momentum_correction
        self.lazy_update = lazy_update
        self.aggregate_num = int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "4"))
        self.eta = eta
        self.eps = eps
        self.skip = 0
        self.last_lr = None
        self.cur_lr = None

    def _get_lrs(self, indices):
        # Remembers the previous and current base learning rates for momentum_correction.
        if self.cur_lr is not None:
            self.last_lr = self.cur_lr
        lr = self.lr_scheduler(self.num_update) if self.lr_scheduler is not None else self.lr
        if self.cur_lr is None:
            self.last_lr = lr
        self.cur_lr = lr
        return self._times_mult(lr, indices, "lr_mult")

    def set_wd_mult(self, args_wd_mult):
        # LARS exempts every name not ending in _weight (gamma included, unlike the base class).
        self.wd_mult = {n: 0.0 for n in self.idx2name.values() if not n.endswith("_weight")}
        self.wd_mult.update(self._sym_mults("__wd_mult__"))
        self.wd_mult.update(args_wd_mult)

    def create_state_multi_precision(self, index, weight):
        if self.multi_precision and _util.is_fp16(weight):
            master = weight.astype(np.float32)
            return (self.create_state(index, master), master)
        if _util.is_fp16(weight) and not self.multi_precision:
            _warn_fp16()
        return self.create_state(index, weight)

    def create_state(self, index, weight):
        return _util.zeros_like(weight) if self.momentum != 0.0 else None

    def _name(self, index) -> str:
        return self.idx2name[index] if index in self.idx2name else str(index)

    def _update_impl(self, indices, weights, grads, states, multi_precision=False):
        if not isinstance(indices, (tuple, list)):
            indices, weights, grads, states = [indices], [weights], [grads], [states]
        self._update_count(indices)
        lrs = self._get_lrs(indices)
        wds = self._get_wds(indices)
        kwargs = {"rescale_grad": self.rescale_grad}
        if self.momentum > 0:
            corrected = self.momentum_correction and self.last_lr != 0
            kwargs["momentum"] = self.momentum * (self.cur_lr / self.last_lr) if corrected else self.momentum
        if self.clip_gradient:
            kwargs["clip_gradient"] = self.clip_gradient
        # The LARS layers first, then the exempt ones, so one multi_lars call covers a prefix.
        exempt = [self._name(i).endswith(_NO_LARS_SUFFIXES) for i in indices]
        order = [k for k in range(len(indices)) if not exempt[k]] + [k for k in range(len(indices)) if exempt[k]]
        n_lars = exempt.count(False)
        ctx = weights[0].context
        new_lrs = nd.array([lrs[k] for k in order], ctx=ctx, dtype="float32")
        new_wds = nd.array([wds[k] for k in order], ctx=ctx, dtype="float32")
        ws, gs, ss = [weights[k] for k in order], [grads[k] for k in order], [states[k] for k in order]
        if n_lars > 0:
            w_sum_sq = nd.multi_sum_sq(*ws[:n_lars], num_arrays=n_lars)
            g_sum_sq = nd.multi_sum_sq(*gs[:n_lars], num_arrays=n_lars)
            scaled = nd.multi_lars(new_lrs[:n_lars], w_sum_sq, g_sum_sq, new_wds[:n_lars], eta=self.eta,
                                   eps=self.eps, rescale_grad=self.rescale_grad)
            new_lrs = nd.concat(scaled, new_lrs[n_lars:], dim=0) if n_lars < len(order) else scaled
        step = max(self.aggregate_num, 1)
        for start in range(0, len(order), step):
            part = slice(start, start + step)
            self._sgd(ws[part], gs[part], ss[part], new_lrs[part], new_wds[part], multi_precision, kwargs)

    def _sgd(self, ws, gs, ss, lrs, wds, multi_precision, kwargs):
        data = []
        if not multi_precision:
            with_mom = self.momentum > 0
            for w, g, s in zip(ws, gs, ss):
                data += [w, g, s] if with_mom else [w, g]
            op = nd.preloaded_multi_sgd_mom_update if with_mom else nd.preloaded_multi_sgd_update
        else:
            with_mom = self.momentum > 0
            for w, g, (mom, master) in zip(ws, gs, ss):
                data += [w, g, mom, master] if with_mom else [w, g, master]
            op = nd.preloaded_multi_mp_sgd_mom_update if with_mom else nd.preloaded_multi_mp_sgd_update
        op(*data, lrs, wds, out=list(ws), num_weights=len(ws), **kwargs)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        first = weight[0] if isinstance(index, (tuple, list)) else weight
        self._update_impl(index, weight, grad, state, multi_precision=self.multi_precision and _util.is_fp16(first))


@register
class LBSGD(Optimizer):
    """Large-batch SGD with momentum and weight decay: gradients are accumulated over batch_scale
    updates, and every batch_scale-th update applies their mean with the learning rate times a
    multiplier that warms up from 1 to batch_scale over warmup_epochs * updates_per_epoch updates
    (warmup_strategy 'linear', 'power2' or 'sqrt'; any other value keeps 1), or with 'lars' a
    layer-wise sqrt(||w||^2 / (||g||^2 + wd ||w||^2)) clipped to [0.01, 100]. In between, the
    weight is left unchanged (MXNet runs sgd_update with lr 0, whose decay term is scaled by lr too).
    With multi_precision, float16 weights are updated through a float32 master copy by the base
    class's update_multi_precision, as in MXNet.
    """

    def __init__(self, momentum: float = 0.0, multi_precision: bool = False, warmup_strategy: str = "linear",
                 warmup_epochs: int = 5, batch_scale: int = 1, updates_per_epoch: int = 32, begin_epoch: int = 0,
                 num_epochs: int = 60, **kwargs):
        super().__init__(**kwargs)
        logging.info("Running Large-Batch SGD Algorithm")
        logging.info("(Batch_scale=%f, warmup_epochs=%d, warmup_strategy=%s, updates_per_epoch=%d)",
                     batch_scale, warmup_epochs, warmup_strategy, updates_per_epoch)
        self.momentum = momentum
        self.multi_precision = multi_precision
        self.warmup_strategy = warmup_strategy
        self.warmup_epochs = warmup_epochs
        self.batch_scale = batch_scale
        self.updates_per_epoch = updates_per_epoch
        self.init_updates = begin_epoch * updates_per_epoch
        self.num_epochs = num_epochs
        self.lbmult = 1
        self.cumgrads: dict = {}
        self.adaptive = False
        self.admult = 1

    def create_state(self, index, weight):
        momentum = None
        if self.multi_precision and _util.is_fp16(weight):
            master = weight.astype(np.float32)
            if self.momentum != 0.0:
                momentum = _util.zeros_like(weight, dtype=np.float32)
            return (momentum, master)
        if _util.is_fp16(weight) and not self.multi_precision:
            _warn_fp16()
        if self.momentum != 0.0:
            momentum = _util.zeros_like(weight)
        return momentum

    def _get_lbmult(self, nup):
        """The warm-up multiplier of the learning rate after nup accumulated updates."""
        nwup = self.warmup_epochs * self.updates_per_epoch
        maxmult = float(self.batch_scale)
        if nup >= nwup:
            return maxmult
        if nwup <= 1:
            return 1.0
        if self.warmup_strategy == "linear":
            return 1.0 + (maxmult - 1) * nup / nwup
        if self.warmup_strategy == "power2":
            return 1.0 + (maxmult - 1) * (nup * nup) / (nwup * nwup)
        if self.warmup_strategy == "sqrt":
            return 1.0 + (maxmult - 1) * math.sqrt(float(nup) / nwup)
        return 1.0  # MXNet's rule for any other strategy ('lars' is handled by the caller)

    def _get_lars(self, weight, g, wd):
        weight2, grad2 = self._l2norm(weight), self._l2norm(g)
        lars = math.sqrt(weight2 / (grad2 + wd * weight2 + 1e-18))
        return min(max(lars, 0.01), 100)

    def _l2norm(self, v):
        """The squared norm (MXNet names it so)."""
        return float((v * v).asnumpy().sum())

    def _reset_cum_gradient(self, index):
        self.cumgrads[index]["cum_grad"] = 0

    def _get_cum_gradient(self, index):
        return self.cumgrads.get(index, {})

    def _put_cum_gradient(self, index, cgrad):
        self.cumgrads[index] = cgrad

    def _cumulate_gradient(self, grad, index):
        cgrad = self._get_cum_gradient(index)
        if cgrad and cgrad["num_cums"] > 0:
            cgrad = {"cum_grad": cgrad["cum_grad"] + grad, "num_cums": cgrad["num_cums"] + 1}
        else:
            cgrad = {"cum_grad": grad, "num_cums": self.init_updates + 1}
        self._put_cum_gradient(index, cgrad)
        return cgrad

    def update(self, index, weight, grad, state):
        lr, wd = self._get_lr(index), self._get_wd(index)
        self._update_count(index)
        cgrad = self._cumulate_gradient(grad, index)
        if cgrad["num_cums"] % self.batch_scale != 0:
            nd.sgd_update(weight, grad, out=weight, lr=0.0, wd=wd)
            return
        grad = cgrad["cum_grad"] / self.batch_scale
        if self.warmup_strategy == "lars":
            lr *= self._get_lars(weight, grad, wd)
        else:
            lr *= self._get_lbmult(cgrad["num_cums"])
        kwargs = {"rescale_grad": self.rescale_grad}
        if self.momentum > 0:
            kwargs["momentum"] = self.momentum
        if self.clip_gradient:
            kwargs["clip_gradient"] = self.clip_gradient
        if isinstance(state, (list, tuple)):
            mom, master = state
            if mom is not None:
                nd.mp_sgd_mom_update(weight, grad, mom, master, out=weight, lr=lr, wd=wd, **kwargs)
            else:
                nd.mp_sgd_update(weight, grad, master, out=weight, lr=lr, wd=wd, **kwargs)
        elif state is not None:
            nd.sgd_mom_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
        else:
            nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)
        self._reset_cum_gradient(index)


# MXNet scripts also reach the classes as mx.optimizer.optimizer.LARS.
_optimizer_module.LARS = LARS
_optimizer_module.LBSGD = LBSGD
