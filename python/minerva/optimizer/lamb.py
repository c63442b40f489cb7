"""LAMB (You et al., "Large Batch Optimization for Deep Learning: Training BERT in 76 minutes"):
Adam's direction scaled per layer by the trust ratio ||weight|| / ||direction||, with MXNet 1.9.1's
parameters and operators (lamb_update_phase1/2, their mp_ variants, and the fused
_multi_lamb_update when a list of weights is updated at once)."""
from __future__ import annotations

import os

import numpy as np

from .. import ndarray as nd
from ..ndarray import _contrib_python as contrib
from . import _util
from . import optimizer as _optimizer_module
from .optimizer import Optimizer, register

__all__ = ["LAMB"]


@register
class LAMB(Optimizer):
    """LAMB optimizer::

        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
        r = m_hat / (sqrt(v_hat) + epsilon) + wd * weight      (hats: bias-corrected)
        weight -= lr * min(max(||weight||, lower_bound), upper_bound) / ||r|| * r

    where g = clip(rescale_grad * grad, clip_gradient). Bounds left at None are not applied;
    ``bias_correction`` False uses m and v as they are.
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-6, lower_bound: float | None = None, upper_bound: float | None = None,
                 bias_correction: bool = True, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound
        self.bias_correction = bias_correction
        self.aggregate_num = max(1, min(45, int(os.getenv("MXNET_OPTIMIZER_AGGREGATION_SIZE", "45"))))

    def create_state(self, index, weight):
        return (_util.zeros_like(weight), _util.zeros_like(weight))

    def _bounds(self) -> dict:
        kwargs = {}
        if self.lower_bound:
            kwargs["lower_bound"] = self.lower_bound
        if self.upper_bound:
            kwargs["upper_bound"] = self.upper_bound
        return kwargs

    def _phase1_kwargs(self) -> dict:
        kwargs = {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon,
                  "bias_correction": self.bias_correction, "rescale_grad": self.rescale_grad}
        if self.clip_gradient:
            kwargs["clip_gradient"] = self.clip_gradient
        return kwargs

    def _update_one(self, index, weight, grad, state, multi_precision):
        self._update_count(index)
        lr, wd = self._get_lr(index), self._get_wd(index)
        kwargs = dict(self._phase1_kwargs(), t=self._index_update_count[index], wd=wd)
        if multi_precision:
            weight32, (mean, var) = state
            g = nd.mp_lamb_update_phase1(weight, grad, mean, var, weight32, **kwargs)
            # MXNet takes r1 from the float32 master copy on this path.
            nd.mp_lamb_update_phase2(weight, g, weight32.norm(), g.norm(), weight32, lr=lr, out=weight,
                                     **self._bounds())
        else:
            mean, var = state
            g = nd.lamb_update_phase1(weight, grad, mean, var, **kwargs)
            nd.lamb_update_phase2(weight, g, weight.norm(), g.norm(), lr=lr, out=weight, **self._bounds())

    def _update_many(self, indices, weights, grads, states, multi_precision):
        steps, lrs, wds = [], [], []
        for i in indices:
            self._update_count(i)
            steps.append(self._index_update_count[i])
            lrs.append(self._get_lr(i))
            wds.append(self._get_wd(i))
        kwargs = dict(self._phase1_kwargs(), **self._bounds())
        for start in range(0, len(weights), self.aggregate_num):
            part = slice(start, start + self.aggregate_num)
            ws = weights[part]
            if multi_precision:
                masters = [s[0] for s in states[part]]
                means = [s[1][0] for s in states[part]]
                variances = [s[1][1] for s in states[part]]
                contrib.multi_mp_lamb_update(ws, grads[part], means, variances, masters, step_count=steps[part],
                                             lrs=lrs[part], wds=wds[part], out=ws, **kwargs)
            else:
                means = [s[0] for s in states[part]]
                variances = [s[1] for s in states[part]]
                contrib.multi_lamb_update(ws, grads[part], means, variances, step_count=steps[part], lrs=lrs[part],
                                          wds=wds[part], out=ws, **kwargs)

    def _update_impl(self, index, weight, grad, state, multi_precision=False):
        if self.aggregate_num > 1 and isinstance(index, (list, tuple)):
            self._update_many(list(index), list(weight), list(grad), list(state), multi_precision)
            return
        if isinstance(index, (list, tuple)):
            index, weight, grad, state = index[0], weight[0], grad[0], state[0]
        self._update_one(index, weight, grad, state, multi_precision)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        first = weight[0] if isinstance(index, (list, tuple)) else weight
        self._update_impl(index, weight, grad, state,
                          multi_precision=self.multi_precision and first.dtype == np.float16)


# MXNet scripts also reach the classes as mx.optimizer.optimizer.LAMB.
_optimizer_module.LAMB = LAMB
