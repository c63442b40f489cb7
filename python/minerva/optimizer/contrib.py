"""``mx.optimizer.contrib``: MXNet 1.x's contributed optimizers (``GroupAdaGrad``)."""
from __future__ import annotations

from .. import ndarray as nd
from ..ndarray import clip, contrib, mean, sqrt, square, zeros  # noqa: F401  (in MXNet's namespace)
from ..ndarray import NDArray
from . import _util
from .optimizer import Optimizer, register

__all__ = ["GroupAdaGrad"]


@register
class GroupAdaGrad(Optimizer):
    """AdaGrad with one step size per row of a 2-D weight (embedding tables)::

        g = clip(rescale_grad * grad, clip_gradient)
        history += mean(g**2, axis=1, keepdims=True)      # history has shape (rows, 1)
        weight -= lr * g / sqrt(history + eps)

    Weight decay is not supported (``wd`` must be 0), as in MXNet.
    """

    def __init__(self, eps: float = 1e-5, **kwargs):
        super().__init__(**kwargs)
        self.float_stable_eps = eps

    def create_state(self, index, weight: NDArray) -> NDArray:
        if len(weight.shape) != 2:
            raise ValueError("GroupAdaGrad: weight %r must be 2-D (rows, columns); got shape %s"
                             % (index, tuple(weight.shape)))
        return nd.zeros((weight.shape[0], 1), weight.context, dtype=weight.dtype)

    def update(self, index, weight, grad, state):
        if not isinstance(weight, NDArray) or not isinstance(grad, NDArray):
            raise TypeError("GroupAdaGrad.update: weight and grad must be NDArrays; got %s and %s"
                            % (type(weight).__name__, type(grad).__name__))
        lr, wd = self._count_update(index)
        if wd != 0:
            raise ValueError("GroupAdaGrad: weight decay is not supported; got wd=%s for index %r"
                             % (wd, index))
        grad = _util.clipped(grad * self.rescale_grad, self.clip_gradient)
        state[:] = state + nd.mean(nd.square(grad), axis=1, keepdims=True)
        div = lr * grad / nd.sqrt(state + self.float_stable_eps)
        weight[:] = weight - div
