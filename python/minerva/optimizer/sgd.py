"""SGD-family optimizers: SGD, NAG, Signum, DCASGD, SGLD, ccSGD and Test.

Each uses the registry's fused update operator when this build has it and otherwise the same
arithmetic in ``mx.nd`` operators. Momentum states follow MXNet's sign convention: the state
holds the (negative) step, ``weight += mom``.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import ndarray as nd
from ..ndarray import NDArray
from . import _util
from .optimizer import Optimizer, _aggregation_size, register

__all__ = ["DCASGD", "NAG", "SGD", "SGLD", "Signum", "Test", "ccSGD"]


def _warn_fp16(name: str) -> None:
    warnings.warn("Accumulating with float16 in optimizer can lead to poor accuracy or slow "
                  "convergence. Consider using multi_precision=True option of the "
                  f"{name} optimizer", stacklevel=3)


def _momentum_master_state(opt, index, weight):
    """(momentum state, float32 master copy) for float16 multi-precision weights."""
    if opt.multi_precision and _util.is_fp16(weight):
        master = weight.astype(np.float32)
        return (opt.create_state(index, master), master)
    if _util.is_fp16(weight) and not opt.multi_precision:
        _warn_fp16(type(opt).__name__)
    return opt.create_state(index, weight)


def _momentum_state(opt, index, weight):  # noqa: ARG001  (an optimizer's create_state)
    """A zero momentum like ``weight``; None without momentum."""
    return _util.zeros_like(weight) if opt.momentum != 0.0 else None


def _fused_kwargs(opt) -> dict:
    """The fused SGD-family kernels' common arguments: momentum and clipping only when on."""
    kwargs = {"rescale_grad": opt.rescale_grad}
    if opt.momentum > 0:
        kwargs["momentum"] = opt.momentum
    if opt.clip_gradient:
        kwargs["clip_gradient"] = opt.clip_gradient
    return kwargs


def _as_list(index, weight, grad, state):
    if isinstance(index, (list, tuple)):
        return list(index), list(weight), list(grad), list(state)
    return [index], [weight], [grad], [state]


@register
class SGD(Optimizer):
    """SGD with momentum and weight decay::

        rescaled_grad = lr * (rescale_grad * clip(grad, clip_gradient) + wd * weight)
        state = momentum * state + rescaled_grad
        weight = weight - state

    (the state is kept negated, as MXNet's ``sgd_mom_update`` does). ``lazy_update`` only
    matters for sparse gradients, which Minerva does not have; it is accepted and ignored.
    """

    def __init__(self, momentum: float = 0.0, lazy_update: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.lazy_update = lazy_update
        self.aggregate_num = _aggregation_size()

    def create_state_multi_precision(self, index, weight):
        return _momentum_master_state(self, index, weight)

    create_state = _momentum_state

    def _update_impl(self, index, weight, grad, state, multi_precision=False):
        indices, weights, grads, states = _as_list(index, weight, grad, state)
        self._update_count(indices)
        lrs = self._get_lrs(indices)
        wds = self._get_wds(indices)
        kwargs = _fused_kwargs(self)
        for w, g, s, lr, wd in zip(weights, grads, states, lrs, wds):
            if not multi_precision:
                if s is not None:
                    nd.sgd_mom_update(w, g, s, out=w, lr=lr, wd=wd, **kwargs)
                else:
                    nd.sgd_update(w, g, out=w, lr=lr, wd=wd, **kwargs)
                continue
            mom, master = s
            if mom is not None and _util.fused("mp_sgd_mom_update"):
                nd.mp_sgd_mom_update(w, g, mom, master, out=w, lr=lr, wd=wd, **kwargs)
            elif mom is None and _util.fused("mp_sgd_update"):
                kw = {k: v for k, v in kwargs.items() if k != "momentum"}
                nd.mp_sgd_update(w, g, master, out=w, lr=lr, wd=wd, **kw)
            else:
                g32 = g.astype(np.float32)
                if mom is not None:
                    nd.sgd_mom_update(master, g32, mom, out=master, lr=lr, wd=wd, **kwargs)
                else:
                    nd.sgd_update(master, g32, out=master, lr=lr, wd=wd, **kwargs)
                nd.cast(master, dtype=w.dtype, out=w)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        first = weight[0] if isinstance(index, (list, tuple)) else weight
        self._update_impl(index, weight, grad, state,
                          multi_precision=self.multi_precision and _util.is_fp16(first))


@register
class ccSGD(SGD):  # noqa: N801  (MXNet's name)
    """[DEPRECATED] Same as ``SGD``."""

    def __init__(self, *args, **kwargs):  # MXNet's signature: SGD's parameters, by position too
        super().__init__(*args, **kwargs)


@register
class NAG(Optimizer):
    """Nesterov accelerated gradient::

        g = clip(rescale_grad * grad, clip_gradient) + wd * weight
        mom = momentum * mom - lr * g
        weight = weight + momentum * mom - lr * g
    """

    def __init__(self, momentum: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum

    def create_state_multi_precision(self, index, weight):
        return _momentum_master_state(self, index, weight)

    create_state = _momentum_state

    def _nag_step(self, weight, grad, mom, lr, wd):
        g = _util.rescaled(grad, self.rescale_grad, self.clip_gradient) + wd * weight
        momentum = self.momentum if self.momentum > 0 else 0.0
        mom[:] = momentum * mom
        weight[:] = weight + momentum * mom - (momentum + 1) * lr * g
        # MXNet's kernel writes the weight before it reads it again for the momentum's weight
        # decay (out aliases weight), so the decay term uses the new weight; kept for parity.
        g_new = _util.rescaled(grad, self.rescale_grad, self.clip_gradient) + wd * weight
        mom[:] = mom - lr * g_new

    def _update_impl(self, index, weight, grad, state, multi_precision=False):
        lr, wd = self._count_update(index)
        kwargs = _fused_kwargs(self)
        if not multi_precision:
            if state is None:
                nd.sgd_update(weight, grad, out=weight, lr=lr, wd=wd,
                              **{k: v for k, v in kwargs.items() if k != "momentum"})
            elif _util.fused("nag_mom_update"):
                nd.nag_mom_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
            else:
                self._nag_step(weight, grad, state, lr, wd)
            return
        mom, master = state
        if mom is not None and _util.fused("mp_nag_mom_update"):
            nd.mp_nag_mom_update(weight, grad, mom, master, out=weight, lr=lr, wd=wd, **kwargs)
            return
        g32 = grad.astype(np.float32)
        if mom is None:
            nd.sgd_update(master, g32, out=master, lr=lr, wd=wd,
                          **{k: v for k, v in kwargs.items() if k != "momentum"})
        else:
            self._nag_step(master, g32, mom, lr, wd)
        nd.cast(master, dtype=weight.dtype, out=weight)

    def update(self, index, weight, grad, state):
        self._update_impl(index, weight, grad, state, multi_precision=False)

    def update_multi_precision(self, index, weight, grad, state):
        use_mp = (self.multi_precision and _util.is_fp16(weight)
                  and isinstance(state, (tuple, list)))
        self._update_impl(index, weight, grad, state, multi_precision=use_mp)


@register
class Signum(Optimizer):
    """Signum (sign of momentum); SignSGD when ``momentum`` is 0::

        mom = momentum * mom - (1 - momentum) * (clip(rescale_grad * grad) + wd * weight)
        weight = (1 - lr * wd_lh) * weight + lr * sign(mom)

    and without momentum ``weight = (1 - lr * wd) * weight - lr * sign(grad)``.
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9, wd_lh: float = 0.0,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.momentum = momentum
        self.wd_lh = wd_lh

    create_state = _momentum_state

    def update(self, index, weight, grad, state):
        lr, wd = self._count_update(index)
        kwargs = _fused_kwargs(self)
        if self.wd_lh:
            kwargs["wd_lh"] = self.wd_lh
        if state is not None:
            if _util.fused("signum_update"):
                nd.signum_update(weight, grad, state, out=weight, lr=lr, wd=wd, **kwargs)
                return
            momentum = kwargs.get("momentum", 0.0)
            g = _util.rescaled(grad, self.rescale_grad, self.clip_gradient)
            state[:] = momentum * state - (1 - momentum) * (wd * weight + g)
            weight[:] = (1 - lr * kwargs.get("wd_lh", 0.0)) * weight + lr * nd.sign(state)
        elif _util.fused("signsgd_update"):
            kwargs.pop("wd_lh", None)
            nd.signsgd_update(weight, grad, out=weight, lr=lr, wd=wd, **kwargs)
        else:
            # the sign of a positively rescaled, clipped gradient is the gradient's sign
            weight[:] = (1 - lr * wd) * weight - lr * nd.sign(grad)


@register
class DCASGD(Optimizer):
    """Delay-compensated asynchronous SGD::

        mom = momentum * mom - lr * (g + wd * weight + lamda * g * g * (weight - prev_weight))
        prev_weight = weight
        weight += mom
    """

    def __init__(self, momentum: float = 0.0, lamda: float = 0.04, **kwargs):
        super().__init__(**kwargs)
        self.momentum = momentum
        self.weight_previous: dict = {}
        self.lamda = lamda

    def create_state(self, index, weight):
        if self.momentum == 0.0:
            return (None, weight.copy())
        return (_util.zeros_like(weight), weight.copy())

    def update(self, index, weight, grad, state):
        lr, wd = self._count_update(index)
        grad = _util.clipped(grad * self.rescale_grad, self.clip_gradient)
        mom, previous = state
        step = -lr * (grad + wd * weight + self.lamda * grad * grad * (weight - previous))
        if mom is not None:
            mom[:] = mom * self.momentum + step
        else:
            mom = step
        previous[:] = weight
        weight[:] = weight + mom


@register
class SGLD(Optimizer):
    """Stochastic gradient Langevin dynamics: a half SGD step plus N(0, lr) noise."""

    def __init__(self, **kwargs):  # MXNet's signature: the Optimizer parameters, by name only
        super().__init__(**kwargs)

    def update(self, index, weight, grad, state):
        lr, wd = self._count_update(index)
        grad = _util.clipped(grad * self.rescale_grad, self.clip_gradient)
        weight[:] = weight - lr / 2 * (grad + wd * weight)
        noise = nd.random.normal(0, math.sqrt(lr), shape=weight.shape, dtype=weight.dtype,
                                 ctx=weight.context)
        weight[:] = weight + noise


@register
class Test(Optimizer):
    """The test optimizer: ``weight += rescale_grad * grad``; the state copies the weight."""

    def __init__(self, **kwargs):  # MXNet's signature: the Optimizer parameters, by name only
        super().__init__(**kwargs)

    def create_state(self, index, weight: NDArray):
        return nd.zeros(weight.shape, weight.context)

    def update(self, index, weight, grad, state):
        weight[:] = weight + grad * self.rescale_grad
        state[:] = weight
