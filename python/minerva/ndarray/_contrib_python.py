"""mx.nd.contrib functions that MXNet writes in Python rather than as registered operators:
boolean_mask, whose output shape depends on the mask's values (the registry's shape inference
sees shapes only, so it is imperative: the mask is read, then ``take`` gathers the rows, which
also gives the gradient), and the wrappers of the fused LAMB and AdamW updates (lists of arrays,
a number for AdamW's rescale_grad). mx.nd.contrib re-exports them."""
from __future__ import annotations

import numpy as np

from ..base import MXNetError
from .ndarray import NDArray, invoke
from .utils import array


def boolean_mask(data: NDArray = None, index: NDArray = None, axis: int = 0, out=None, name=None,
                 **kwargs) -> NDArray:
    """Selects the rows of ``data`` (along axis 0, as in MXNet 1.9.1) where ``index`` is non-zero.

    ``index`` is 1-D with one entry per row. The result has as many rows as ``index`` has non-zero
    entries; the gradient flows back to the selected rows. Imperative only: a symbol cannot hold an
    output whose shape depends on values.

    Example::

        boolean_mask([[1, 2], [3, 4], [5, 6]], [0, 1, 1]) = [[3, 4], [5, 6]]
    """
    if not isinstance(data, NDArray) or not isinstance(index, NDArray):
        raise TypeError("boolean_mask(): data and index must be NDArrays")
    if kwargs:
        raise MXNetError(f"boolean_mask: unknown parameter(s) {sorted(kwargs)}; it takes data, index, axis")
    if axis != 0:
        raise MXNetError(f"boolean_mask: axis={axis} is not supported; MXNet 1.9.1 masks along axis 0 only")
    if data.ndim < 1 or index.ndim != 1 or index.shape[0] != data.shape[0]:
        raise MXNetError(f"boolean_mask: index must be 1-D with one entry per row of data {data.shape}, "
                         f"got shape {index.shape}")
    rows = np.flatnonzero(index.asnumpy())
    positions = array(rows.astype(np.float32), ctx=data.context)
    return invoke("take", [data, positions], {"axis": 0}, out)


def _flatten(lists):
    return [x for group in zip(*lists) for x in group]


def multi_lamb_update(weights, grads, mean, var, step_count, lrs, wds, out=None, num_tensors=0, **kwargs):
    """The LAMB update of several tensors in one call (MXNet's mx.nd.contrib.multi_lamb_update): lists of
    weights, gradients, means and variances, with one step count, learning rate and weight decay per
    tensor; further keyword arguments go to the _multi_lamb_update operator."""
    num_tensors = num_tensors or len(weights)
    return invoke("_multi_lamb_update", _flatten([weights, grads, mean, var]),
                  dict(kwargs, num_tensors=num_tensors, step_count=tuple(step_count), learning_rates=tuple(lrs),
                       wds=tuple(wds)), out)


def multi_mp_lamb_update(weights, grads, mean, var, weights32, step_count, lrs, wds, out=None, num_tensors=0,
                         **kwargs):
    """multi_lamb_update for float16 weights with float32 master copies ``weights32``
    (MXNet's mx.nd.contrib.multi_mp_lamb_update)."""
    num_tensors = num_tensors or len(weights)
    return invoke("_multi_mp_lamb_update", _flatten([weights, grads, mean, var, weights32]),
                  dict(kwargs, num_tensors=num_tensors, step_count=tuple(step_count), learning_rates=tuple(lrs),
                       wds=tuple(wds)), out)


def _rescale_array(rescale_grad, ctx):
    """AdamW's gradient scale as the (1,) array its operators take (a number is wrapped)."""
    if isinstance(rescale_grad, NDArray):
        return rescale_grad.as_in_context(ctx)
    return array(np.array([rescale_grad], np.float32), ctx=ctx)


def multi_adamw_update(weights, grads, mean, var, rescale_grad, lrs, wds, etas, out=None, name=None, size=0,
                       **kwargs):
    """The AdamW update of several weights in one call (MXNet's mx.nd.contrib.multi_adamw_update)."""
    data = _flatten([weights, grads, mean, var]) + [_rescale_array(rescale_grad, weights[0].context)]
    return invoke("_multi_adamw_update", data, dict(kwargs, num_weights=size or len(weights), lrs=tuple(lrs),
                                                    wds=tuple(wds), etas=tuple(etas)), out)


def multi_mp_adamw_update(weights, grads, mean, var, weights32, rescale_grad, lrs, wds, etas, out=None, name=None,
                          size=0, **kwargs):
    """multi_adamw_update for float16 weights with float32 master copies weights32."""
    data = _flatten([weights, grads, mean, var, weights32]) + [_rescale_array(rescale_grad, weights[0].context)]
    return invoke("_multi_mp_adamw_update", data, dict(kwargs, num_weights=size or len(weights), lrs=tuple(lrs),
                                                       wds=tuple(wds), etas=tuple(etas)), out)
