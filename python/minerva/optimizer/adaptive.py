"""Optimizers with per-coordinate step sizes: Adam, AdaGrad, AdaDelta, RMSProp, Adamax, Nadam,
Ftrl and FTML. The formulas and defaults are MXNet 1.9.1's."""
from __future__ import annotations

import math

import numpy as np

from .. import ndarray as nd
from . import _util
from .optimizer import Optimizer, register

__all__ = ["FTML", "AdaDelta", "AdaGrad", "Adam", "Adamax", "Ftrl", "Nadam", "RMSProp"]


def _two_moments(opt, index, weight):  # noqa: ARG001  (an optimizer's create_state)
    """Zero first and second moments like ``weight`` (the Adam family's state)."""
    return (_util.zeros_like(weight), _util.zeros_like(weight))


@register
class Adam(Optimizer):
    """Adam. At step ``t`` (counted per index)::

        g = clip(rescale_grad * grad + wd * weight, clip_gradient)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        weight -= lr * sqrt(1 - beta2**t) / (1 - beta1**t) * m / (sqrt(v) + epsilon)
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8, lazy_update: bool = True, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.lazy_update = lazy_update

    create_state = _two_moments

    def update(self, index, weight, grad, state):
        lr, wd = self._count_update(index)
        t = self._index_update_count[index]
        lr *= math.sqrt(1.0 - self.beta2 ** t) / (1.0 - self.beta1 ** t)
        kwargs = {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon,
                  "rescale_grad": self.rescale_grad}
        if self.clip_gradient:
            kwargs["clip_gradient"] = self.clip_gradient
        mean, var = state
        nd.adam_update(weight, grad, mean, var, out=weight, lr=lr, wd=wd, **kwargs)


@register
class AdaGrad(Optimizer):
    """AdaGrad::

        g = clip(rescale_grad * grad, clip_gradient)
        history += g**2
        weight -= lr * (g / sqrt(history + eps) + wd * weight)
    """

    def __init__(self, eps: float = 1e-7, **kwargs):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index, weight):
        return nd.zeros(weight.shape, weight.context)

    def update(self, index, weight, grad, state):
        lr, wd = self._count_update(index)
        grad = _util.clipped(grad * self.rescale_grad, self.clip_gradient)
        state[:] = state + nd.square(grad)
        div = grad / nd.sqrt(state + self.float_stable_eps)
        weight[:] = weight + (div + weight * wd) * -lr


@register
class AdaDelta(Optimizer):
    """AdaDelta (the learning rate is not used)::

        g = clip(rescale_grad * grad, clip_gradient)
        acc_g = rho * acc_g + (1 - rho) * g**2
        delta = sqrt(acc_delta + epsilon) / sqrt(acc_g + epsilon) * g
        acc_delta = rho * acc_delta + (1 - rho) * delta**2
        weight -= delta + wd * weight
    """

    def __init__(self, rho: float = 0.90, epsilon: float = 1e-5, **kwargs):
        super().__init__(**kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def create_state(self, index, weight):
        return (nd.zeros(weight.shape, weight.context), nd.zeros(weight.shape, weight.context))

    def update(self, index, weight, grad, state):
        wd = self._get_wd(index)
        self._update_count(index)
        # MXNet rescales the caller's gradient in place here; Minerva leaves it untouched.
        grad = _util.clipped(grad * self.rescale_grad, self.clip_gradient)
        acc_g, acc_delta = state
        acc_g[:] = acc_g * self.rho + (1.0 - self.rho) * grad * grad
        delta = nd.sqrt(acc_delta + self.epsilon) / nd.sqrt(acc_g + self.epsilon) * grad
        acc_delta[:] = acc_delta * self.rho + (1.0 - self.rho) * delta * delta
        weight[:] = weight - (delta + wd * weight)


@register
class RMSProp(Optimizer):
    """RMSProp: Tieleman & Hinton's (``centered=False``) or Graves's (``centered=True``)::

        g = clip(rescale_grad * grad + wd * weight, clip_gradient)
        n = (1 - gamma1) * g**2 + gamma1 * n
        not centered: weight -= lr * g / sqrt(n + epsilon)
        centered:     gbar = (1 - gamma1) * g + gamma1 * gbar
                      delta = gamma2 * delta - lr * g / sqrt(n - gbar**2 + epsilon)
                      weight += delta
        weight = clip(weight, clip_weights)
    """

    def __init__(self, learning_rate: float = 0.001, gamma1: float = 0.9, gamma2: float = 0.9,
                 epsilon: float = 1e-8, centered: bool = False, clip_weights=None, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.gamma1 = gamma1
        self.gamma2 = gamma2
        self.centered = centered
        self.epsilon = epsilon
        self.clip_weights = clip_weights

    def create_state(self, index, weight):
        n = 3 if self.centered else 1
        return tuple(nd.zeros(weight.shape, weight.context) for _ in range(n))

    def update(self, index, weight, grad, state):
        lr, wd = self._count_update(index)
        kwargs = {"gamma1": self.gamma1, "epsilon": self.epsilon,
                  "rescale_grad": self.rescale_grad}
        if self.clip_gradient:
            kwargs["clip_gradient"] = self.clip_gradient
        if self.clip_weights:
            kwargs["clip_weights"] = self.clip_weights
        if not self.centered:
            (n,) = state
            nd.rmsprop_update(weight, grad, n, out=weight, lr=lr, wd=wd, **kwargs)
            return
        n, gbar, delta = state
        if _util.fused("rmspropalex_update"):
            nd.rmspropalex_update(weight, grad, n, gbar, delta, out=weight, lr=lr, wd=wd,
                                  gamma2=self.gamma2, **kwargs)
            return
        g = grad * self.rescale_grad + wd * weight
        if self.clip_gradient and self.clip_gradient >= 0:
            g = _util.clip(g, self.clip_gradient)
        g1 = self.gamma1
        n[:] = (1 - g1) * g * g + g1 * n
        gbar[:] = (1 - g1) * g + g1 * gbar
        delta[:] = self.gamma2 * delta - lr * g / nd.sqrt(n - gbar * gbar + self.epsilon)
        new_weight = weight + delta
        if self.clip_weights and self.clip_weights >= 0:
            new_weight = _util.clip(new_weight, self.clip_weights)
        weight[:] = new_weight


@register
class Adamax(Optimizer):
    """AdaMax (Adam with the infinity norm)::

        g = clip(rescale_grad * grad + wd * weight, clip_gradient)
        m = beta1 * m + (1 - beta1) * g
        u = maximum(beta2 * u, |g|)
        weight -= lr / (1 - beta1**t) * m / u
    """

    def __init__(self, learning_rate: float = 0.002, beta1: float = 0.9, beta2: float = 0.999,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2

    create_state = _two_moments

    def update(self, index, weight, grad, state):
        lr, wd = self._count_update(index)
        t = self._index_update_count[index]
        lr /= 1.0 - self.beta1 ** t
        grad = _util.clipped(grad * self.rescale_grad + wd * weight, self.clip_gradient)
        m, u = state
        m[:] = m * self.beta1 + (1.0 - self.beta1) * grad
        u[:] = nd.broadcast_maximum(self.beta2 * u, nd.abs(grad))
        weight[:] = weight - lr * m / u


@register
class Nadam(Optimizer):
    """Adam with Nesterov momentum and a momentum schedule (``schedule_decay``).

    As in MXNet, the running momentum-schedule product is kept on the optimizer, not per
    index, so it advances once per ``update`` call.
    """

    def __init__(self, learning_rate: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8, schedule_decay: float = 0.004, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.schedule_decay = schedule_decay
        self.m_schedule = 1.0

    create_state = _two_moments

    def update(self, index, weight, grad, state):
        lr, wd = self._count_update(index)
        t = self._index_update_count[index]
        grad = _util.clipped(grad * self.rescale_grad + wd * weight, self.clip_gradient)
        momentum_t = self.beta1 * (1.0 - 0.5 * pow(0.96, t * self.schedule_decay))
        momentum_t_1 = self.beta1 * (1.0 - 0.5 * pow(0.96, (t + 1) * self.schedule_decay))
        self.m_schedule = self.m_schedule * momentum_t
        m_schedule_next = self.m_schedule * momentum_t_1
        m, v = state
        m[:] = m * self.beta1 + (1.0 - self.beta1) * grad
        v[:] = v * self.beta2 + (1.0 - self.beta2) * grad * grad
        grad_prime = grad / (1.0 - self.m_schedule)
        m_prime = m / (1.0 - m_schedule_next)
        v_prime = v / (1.0 - pow(self.beta2, t))
        m_bar = (1.0 - momentum_t) * grad_prime + momentum_t_1 * m_prime
        weight[:] = weight - lr * m_bar / (nd.sqrt(v_prime) + self.epsilon)


@register
class Ftrl(Optimizer):
    """FTRL-Proximal::

        g = clip(rescale_grad * grad, clip_gradient)
        z += g - (sqrt(n + g**2) - sqrt(n)) * weight / lr
        n += g**2
        weight = (sign(z) * lamda1 - z) / ((beta + sqrt(n)) / lr + wd) * (|z| > lamda1)
    """

    def __init__(self, lamda1: float = 0.01, learning_rate: float = 0.1, beta: float = 1,
                 **kwargs):
        super().__init__(**kwargs)
        self.lamda1 = lamda1
        self.beta = beta
        self.lr = learning_rate

    def create_state(self, index, weight):
        return (nd.zeros(weight.shape, weight.context), nd.zeros(weight.shape, weight.context))

    def update(self, index, weight, grad, state):
        lr, wd = self._count_update(index)
        z, n = state
        if _util.fused("ftrl_update"):
            kwargs = {"lamda1": self.lamda1, "beta": self.beta,
                      "rescale_grad": self.rescale_grad}
            if self.clip_gradient:
                kwargs["clip_gradient"] = self.clip_gradient
            nd.ftrl_update(weight, grad, z, n, out=weight, lr=lr, wd=wd, **kwargs)
            return
        g = _util.rescaled(grad, self.rescale_grad, self.clip_gradient)
        g2 = g * g
        z[:] = z + g - (nd.sqrt(n + g2) - nd.sqrt(n)) * weight / lr
        n[:] = n + g2
        keep = nd.abs(z) > self.lamda1
        weight[:] = (nd.sign(z) * self.lamda1 - z) / ((self.beta + nd.sqrt(n)) / lr + wd) * keep


@register
class FTML(Optimizer):
    """Follow the Moving Leader. At step ``t``::

        g = clip(rescale_grad * grad + wd * weight, clip_gradient)
        v = beta2 * v + (1 - beta2) * g**2
        d_t = (1 - beta1**t) / lr * (sqrt(v / (1 - beta2**t)) + epsilon)
        z = beta1 * z + (1 - beta1) * g - (d_t - beta1 * d_(t-1)) * weight
        weight = -z / d_t
    """

    def __init__(self, beta1: float = 0.6, beta2: float = 0.999, epsilon: float = 1e-8,
                 **kwargs):
        super().__init__(**kwargs)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon

    def create_state(self, index, weight):
        return tuple(_util.zeros_like(weight) for _ in range(3))  # d, v, z

    def update(self, index, weight, grad, state):
        lr, wd = self._count_update(index)
        t = self._index_update_count[index]
        d, v, z = state
        if _util.fused("ftml_update"):
            kwargs = {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon,
                      "rescale_grad": self.rescale_grad, "t": t}
            if self.clip_gradient:
                kwargs["clip_grad"] = self.clip_gradient
            nd.ftml_update(weight, grad, d, v, z, out=weight, lr=lr, wd=wd, **kwargs)
            return
        g = grad * self.rescale_grad + wd * weight
        if self.clip_gradient and self.clip_gradient >= 0:
            g = _util.clip(g, self.clip_gradient)
        # the fused kernel holds its parameters in float32: 1 - beta2 is rounded there
        one, b1, b2 = np.float32(1), np.float32(self.beta1), np.float32(self.beta2)
        v[:] = float(b2) * v + float(one - b2) * g * g
        bias1 = float((one - b1 ** t) / np.float32(lr))
        d_t = bias1 * (nd.sqrt(v / float(one - b2 ** t)) + self.epsilon)
        z[:] = float(b1) * z + float(one - b1) * g - (d_t - float(b1) * d) * weight
        d[:] = d_t
        weight[:] = -z / d_t
