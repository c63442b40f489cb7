"""MXNet's Python-level AdamW updates for symbols (``mx.sym.contrib.adamw_update``,
``mp_adamw_update``): a number given as ``rescale_grad`` becomes a one-element constant."""
from . import _internal
from .symbol import Symbol


def _rescale_symbol(rescale_grad):
    if isinstance(rescale_grad, Symbol):
        return rescale_grad
    return _internal._full(shape=(1,), value=float(rescale_grad), dtype="float32")


def adamw_update(weight, grad, mean, var, rescale_grad, lr, eta, beta1=0.9, beta2=0.999,
                 epsilon=1e-8, wd=0, clip_gradient=-1, out=None, name=None, **kwargs):
    """AdamW step as a symbol (the ``_adamw_update`` operator)."""
    return _internal._adamw_update(weight=weight, grad=grad, mean=mean, var=var,
                                   rescale_grad=_rescale_symbol(rescale_grad), lr=lr, eta=eta, beta1=beta1,
                                   beta2=beta2, epsilon=epsilon, wd=wd, clip_gradient=clip_gradient, out=out,
                                   name=name, **kwargs)


def mp_adamw_update(weight, grad, mean, var, weight32, rescale_grad, lr, eta, beta1=0.9,
                    beta2=0.999, epsilon=1e-8, wd=0, clip_gradient=-1, out=None,
                    name=None, **kwargs):
    """Multi-precision AdamW step as a symbol (the ``_mp_adamw_update`` operator)."""
    return _internal._mp_adamw_update(weight=weight, grad=grad, mean=mean, var=var, weight32=weight32,
                                      rescale_grad=_rescale_symbol(rescale_grad), lr=lr, eta=eta, beta1=beta1,
                                      beta2=beta2, epsilon=epsilon, wd=wd, clip_gradient=clip_gradient,
                                      out=out, name=name, **kwargs)
