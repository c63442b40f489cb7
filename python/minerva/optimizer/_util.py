"""Small helpers shared by the optimizers."""
from __future__ import annotations

import numpy as np

from .. import ndarray as nd
from ..ndarray import NDArray


def fused(name: str):
    """The registry's fused update operator ``name``, or None when this build lacks it."""
    return getattr(nd, name, None)


def zeros_like(weight: NDArray, dtype=None) -> NDArray:
    """A zero array shaped and placed like ``weight`` (its dtype unless ``dtype`` is given)."""
    return nd.zeros(weight.shape, weight.context, dtype=weight.dtype if dtype is None else dtype)


def clip(x: NDArray, bound: float) -> NDArray:
    """``x`` clipped into ``[-bound, bound]``."""
    return nd.clip(x, -bound, bound)


def clipped(x: NDArray, clip_gradient) -> NDArray:
    """``x`` clipped into ``[-clip_gradient, clip_gradient]`` whenever ``clip_gradient`` is not
    None: the rule of MXNet's Python-side updates (the fused kernels' is ``rescaled``'s)."""
    return x if clip_gradient is None else clip(x, clip_gradient)


def rescaled(grad: NDArray, rescale_grad: float, clip_gradient) -> NDArray:
    """``clip(rescale_grad * grad, clip_gradient)`` as the fused kernels do it: clipping is on
    when ``clip_gradient`` is truthy and non-negative."""
    g = grad * rescale_grad
    if clip_gradient and clip_gradient >= 0:
        g = clip(g, clip_gradient)
    return g


def is_fp16(weight: NDArray) -> bool:
    return weight.dtype == np.float16
