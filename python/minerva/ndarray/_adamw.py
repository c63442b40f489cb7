"""MXNet's Python-level AdamW updates (``mx.nd.contrib.adamw_update``, ``mp_adamw_update``): they
accept ``rescale_grad`` as a number or an NDArray and call the ``_adamw_update`` operators, which
take it as a one-element array so that a changing loss scale needs no new call."""
from . import _internal
from .ndarray import NDArray
from .utils import full


def _get_rescale_grad(rescale_grad, ctx=None):
    """rescale_grad as a one-element array on ctx (MXNet's helper of the same name)."""
    if isinstance(rescale_grad, NDArray):
        return rescale_grad if ctx is None else rescale_grad.as_in_context(ctx)
    return full(shape=(1,), val=rescale_grad, ctx=ctx)


def adamw_update(weight, grad, mean, var, rescale_grad, lr, eta, beta1=0.9, beta2=0.999,
                 epsilon=1e-8, wd=0, clip_gradient=-1, out=None, name=None, **kwargs):
    """AdamW step (the ``_adamw_update`` operator); mean and var are updated in place, and
    rescale_grad 0, NaN or infinity skips the step. See ``mx.nd._internal._adamw_update``."""
    rescale_grad = _get_rescale_grad(rescale_grad, ctx=weight.context)
    return _internal._adamw_update(weight=weight, grad=grad, mean=mean, var=var, rescale_grad=rescale_grad,
                                   lr=lr, eta=eta, beta1=beta1, beta2=beta2, epsilon=epsilon, wd=wd,
                                   clip_gradient=clip_gradient, out=out, name=name, **kwargs)


def mp_adamw_update(weight, grad, mean, var, weight32, rescale_grad, lr, eta, beta1=0.9,
                    beta2=0.999, epsilon=1e-8, wd=0, clip_gradient=-1, out=None,
                    name=None, **kwargs):
    """Multi-precision AdamW step on the float32 master copy weight32 (the ``_mp_adamw_update``
    operator); mean, var and weight32 are updated in place."""
    rescale_grad = _get_rescale_grad(rescale_grad, ctx=weight.context)
    return _internal._mp_adamw_update(weight=weight, grad=grad, mean=mean, var=var, weight32=weight32,
                                      rescale_grad=rescale_grad, lr=lr, eta=eta, beta1=beta1, beta2=beta2,
                                      epsilon=epsilon, wd=wd, clip_gradient=clip_gradient, out=out,
                                      name=name, **kwargs)
