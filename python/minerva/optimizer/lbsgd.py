"""``LBSGD``: MXNet 1.x's large-batch SGD. It emulates a batch ``batch_scale`` times larger by
summing the gradients of ``batch_scale`` consecutive updates of an index and applying their mean
once (the other updates leave the weight as it is), with the learning rate scaled by a warm-up
schedule or, with ``warmup_strategy='lars'``, by the layer's LARS ratio."""
from __future__ import annotations

import logging
import math
import warnings

import numpy as np

from .. import ndarray as nd
from . import _util
from .optimizer import Optimizer, register

__all__ = ["LBSGD"]


@register
class LBSGD(Optimizer):
    """Large-batch SGD with momentum and weight decay (the ``sgd_update``/``sgd_mom_update`` step).

    ``warmup_strategy`` is 'linear', 'power2' or 'sqrt' (the learning-rate multiplier grows from 1
    to ``batch_scale`` over ``warmup_epochs * updates_per_epoch`` updates), or 'lars'; any other
    value keeps the multiplier 1, as in MXNet. ``begin_epoch`` starts the count of accumulated
    gradients at ``begin_epoch * updates_per_epoch``. ``num_epochs`` is kept, unused, as in MXNet.
    """

    def __init__(self, momentum=0.0, multi_precision=False, warmup_strategy="linear", warmup_epochs=5,
                 batch_scale=1, updates_per_epoch=32, begin_epoch=0, num_epochs=60, **kwargs):
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
        self.cumgrads = {}
        self.adaptive = False
        self.admult = 1

    def create_state(self, index, weight):
        """The momentum (None without momentum); for a float16 weight with ``multi_precision``,
        (momentum, float32 master copy)."""
        momentum = None
        if self.multi_precision and _util.is_fp16(weight):
            master = weight.astype(np.float32)
            if self.momentum != 0.0:
                momentum = _util.zeros_like(weight, dtype=np.float32)
            return (momentum, master)
        if _util.is_fp16(weight) and not self.multi_precision:
            warnings.warn("Accumulating with float16 in optimizer can lead to poor accuracy or slow convergence. "
                          "Consider using multi_precision=True option of the SGD optimizer", stacklevel=2)
        if self.momentum != 0.0:
            momentum = _util.zeros_like(weight)
        return momentum

    def _get_lbmult(self, nup):
        """The warm-up multiplier of the learning rate after ``nup`` accumulated gradients."""
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
        return 1.0  # MXNet's rule for any other name

    def _get_lars(self, weight, g, wd):
        """The LARS ratio sqrt(|w|^2 / (|g|^2 + wd |w|^2)), kept within [0.01, 100]."""
        weight2 = self._l2norm(weight)
        grad2 = self._l2norm(g)
        lars = math.sqrt(weight2 / (grad2 + wd * weight2 + 1e-18))
        return min(max(lars, 0.01), 100)

    def _l2norm(self, v):
        return float(nd.multiply(v, v).asnumpy().sum())

    def _reset_cum_gradient(self, index):
        self.cumgrads[index]["cum_grad"] = 0

    def _get_cum_gradient(self, index):
        return self.cumgrads.get(index, {})

    def _put_cum_gradient(self, index, cgrad):
        self.cumgrads[index] = cgrad

    def _cumulate_gradient(self, grad, index):
        """Adds ``grad`` to ``index``'s running sum; returns {'cum_grad', 'num_cums'}."""
        cgrad = self._get_cum_gradient(index)
        if cgrad and cgrad["num_cums"] > 0:
            cgrad = {"cum_grad": cgrad["cum_grad"] + grad, "num_cums": cgrad["num_cums"] + 1}
        else:
            cgrad = {"cum_grad": grad, "num_cums": self.init_updates + 1}
        self._put_cum_gradient(index, cgrad)
        return cgrad

    def update(self, index, weight, grad, state):
        if not isinstance(weight, nd.NDArray) or not isinstance(grad, nd.NDArray):
            raise TypeError("LBSGD.update: weight and grad must be NDArrays")
        lr = self._get_lr(index)  # before counting the update, as MXNet's LBSGD does
        wd = self._get_wd(index)
        self._update_count(index)
        cgrad = self._cumulate_gradient(grad, index)
        if cgrad["num_cums"] % self.batch_scale != 0:
            # as MXNet: a step with lr=0, which leaves the weight as it is (a non-finite gradient
            # still makes it NaN)
            nd.sgd_update(weight, grad, out=weight, lr=0.0, wd=wd)
            return
        grad = cgrad["cum_grad"] / self.batch_scale
        if self.warmup_strategy == "lars":
            lbmult = self._get_lars(weight, grad, wd)
        else:
            lbmult = self._get_lbmult(cgrad["num_cums"])
        lr = lr * lbmult
        kwargs = {"rescale_grad": self.rescale_grad}
        if self.momentum > 0:
            kwargs["momentum"] = self.momentum
        if self.clip_gradient:
            kwargs["clip_gradient"] = self.clip_gradient
        if isinstance(state, (list, tuple)):  # (momentum, float32 master copy) of a float16 weight
            mom, master = state
            g32 = grad.astype(np.float32)
            if mom is not None:
                nd.sgd_mom_update(master, g32, mom, out=master, lr=lr, wd=wd, **kwargs)
            else:
                nd.sgd_update(master, g32, out=master, lr=lr, wd=wd, **kwargs)
            nd.cast(master, dtype=weight.dtype, out=weight)
        elif state is not None:
            nd.sgd_mom_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
        else:
            nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)
        self._reset_cum_gradient(index)
