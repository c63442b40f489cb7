"""``mx.nd.random``: MXNet 1.x's sampling functions. Scalar distribution parameters call the
``_random_<dist>`` operators (shape from ``shape``, device from ``ctx``); NDArray parameters call
``_sample_<dist>``, which draws ``shape`` samples per parameter element (output shape =
parameter shape + ``shape``). The ``*_like`` functions are the generated ``_random_<dist>_like``
operators, added to this module when mx.nd is populated."""
from __future__ import annotations

import numpy as np

from ..context import current_context
from . import _internal
from .ndarray import NDArray

__all__ = ["uniform", "normal", "randn", "poisson", "exponential", "gamma", "multinomial", "negative_binomial",
           "generalized_negative_binomial", "shuffle", "randint",
           # generated when the package is populated (see the module docstring)
           "exponential_like", "gamma_like", "generalized_negative_binomial_like", "negative_binomial_like",  # noqa: F822
           "normal_like", "poisson_like", "uniform_like"]  # noqa: F822

numeric_types = (float, int, np.generic)  # as mxnet.base defines them


def _random_helper(random, sampler, params, shape, dtype, ctx, out, kwargs):
    """Calls `random` (scalar parameters) or `sampler` (NDArray parameters), as MXNet does."""
    if isinstance(params[0], NDArray):
        for p in params[1:]:
            if not isinstance(p, NDArray):
                raise TypeError("Distribution parameters must all have the same type, but got "
                                f"both {type(params[0])} and {type(p)}.")
        if sampler is None:
            raise TypeError("randint takes numbers for low and high, not NDArrays")
        return sampler(*params, shape=() if shape is None else shape, dtype=dtype, out=out, **kwargs)
    if isinstance(params[0], numeric_types):
        ctx = current_context() if ctx is None else ctx
        if shape is None:
            # MXNet infers the shape from `out`; Minerva's imperative inference reads parameters only.
            shape = 1 if out is None else out.shape
        for p in params[1:]:
            if not isinstance(p, numeric_types):
                raise TypeError("Distribution parameters must all have the same type, but got "
                                f"both {type(params[0])} and {type(p)}.")
        return random(*params, shape=shape, dtype=dtype, ctx=ctx, out=out, **kwargs)
    raise ValueError(f"Distribution parameters must be either NDArray or numbers, but got {type(params[0])}.")


def uniform(low=0, high=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from uniform distributions on [low, high).

    low, high: numbers, or NDArrays of one shape (then `shape` samples per element).
    shape: int or tuple, the output shape (scalar parameters) or the samples per element.
    dtype: 'float16', 'float32' (default) or 'float64'. ctx: the device (scalar parameters).
    out: an NDArray to write into.
    """
    return _random_helper(_internal._random_uniform, _internal._sample_uniform,
                          [low, high], shape, dtype, ctx, out, kwargs)


def normal(loc=0, scale=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from normal distributions with means `loc` and standard deviations `scale`
    (numbers, or NDArrays of one shape); the other arguments are as in :func:`uniform`."""
    return _random_helper(_internal._random_normal, _internal._sample_normal,
                          [loc, scale], shape, dtype, ctx, out, kwargs)


def randn(*shape, **kwargs):
    """Samples from a normal distribution; the positional arguments are the output shape, and
    `loc`, `scale`, `dtype`, `ctx`, `out` are keywords: ``randn(2, 3, loc=1)``."""
    loc = kwargs.pop("loc", 0)
    scale = kwargs.pop("scale", 1)
    dtype = kwargs.pop("dtype", None)
    ctx = kwargs.pop("ctx", None)
    out = kwargs.pop("out", None)
    for name, value in (("loc", loc), ("scale", scale)):
        if not isinstance(value, (int, float, NDArray)):
            raise TypeError(f"randn: {name} must be a number or an NDArray, got {type(value).__name__}")
    return _random_helper(_internal._random_normal, _internal._sample_normal,
                          [loc, scale], shape, dtype, ctx, out, kwargs)


def poisson(lam=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from Poisson distributions with means `lam` (a number or an NDArray); the samples
    are whole numbers in a floating dtype."""
    return _random_helper(_internal._random_poisson, _internal._sample_poisson,
                          [lam], shape, dtype, ctx, out, kwargs)


def exponential(scale=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from exponential distributions with scale `scale` (mean; the rate is 1 / scale)."""
    return _random_helper(_internal._random_exponential, _internal._sample_exponential,
                          [1.0 / scale], shape, dtype, ctx, out, kwargs)


def gamma(alpha=1, beta=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from gamma distributions with shapes `alpha` and scales `beta`."""
    return _random_helper(_internal._random_gamma, _internal._sample_gamma,
                          [alpha, beta], shape, dtype, ctx, out, kwargs)


def negative_binomial(k=1, p=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from negative binomial distributions: failures before the `k`-th success, each
    trial succeeding with probability `p`."""
    return _random_helper(_internal._random_negative_binomial, _internal._sample_negative_binomial,
                          [k, p], shape, dtype, ctx, out, kwargs)


def generalized_negative_binomial(mu=1, alpha=1, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples from generalized negative binomial distributions with means `mu` and dispersions
    `alpha` (variance mu + alpha * mu**2)."""
    return _random_helper(_internal._random_generalized_negative_binomial,
                          _internal._sample_generalized_negative_binomial,
                          [mu, alpha], shape, dtype, ctx, out, kwargs)


def multinomial(data, shape=None, get_prob=False, out=None, dtype="int32", **kwargs):
    """Draws category indices from the probability rows of `data` (last axis); the output shape
    is data.shape[:-1] + shape. With get_prob=True, also returns the log-probability of each
    draw, whose gradient reaches `data`."""
    return _internal._sample_multinomial(data, () if shape is None else shape, get_prob, out=out, dtype=dtype,
                                         **kwargs)


def shuffle(data, **kwargs):
    """A copy of `data` with its rows (first axis) in random order."""
    return _internal._shuffle(data, **kwargs)


def randint(low, high, shape=None, dtype=None, ctx=None, out=None, **kwargs):
    """Samples integers uniformly from [low, high); dtype 'int32' (default) or 'int64'."""
    return _random_helper(_internal._random_randint, None, [low, high], shape, dtype, ctx, out, kwargs)
