"""``mx.sym.random``: MXNet 1.x's sampling functions on symbols. Scalar distribution parameters
create a ``_random_<dist>`` node; Symbol parameters create ``_sample_<dist>``, which draws
``shape`` samples per parameter element (output shape = parameter shape + ``shape``). The
``*_like`` functions are the generated ``_random_<dist>_like`` operators, added to this module
when mx.sym is populated."""
from __future__ import annotations

import numpy as np

from . import _internal
from .symbol import Symbol

__all__ = ["uniform", "normal", "randn", "poisson", "exponential", "gamma", "multinomial", "negative_binomial",
           "generalized_negative_binomial", "shuffle", "randint",
           # generated when the package is populated (see the module docstring)
           "exponential_like", "gamma_like", "generalized_negative_binomial_like", "negative_binomial_like",  # noqa: F822
           "normal_like", "poisson_like", "uniform_like"]  # noqa: F822

numeric_types = (float, int, np.generic)  # as mxnet.base defines them


def _random_helper(random, sampler, params, shape, dtype, kwargs):
    """Creates a `random` node (scalar parameters) or a `sampler` node (Symbol parameters)."""
    if isinstance(params[0], Symbol):
        for p in params[1:]:
            if not isinstance(p, Symbol):
                raise TypeError("Distribution parameters must all have the same type, but got "
                                f"both {type(params[0])} and {type(p)}.")
        if sampler is None:
            raise TypeError("randint takes numbers for low and high, not Symbols")
        return sampler(*params, shape=() if shape is None else shape, dtype=dtype, **kwargs)
    if isinstance(params[0], numeric_types):
        for p in params[1:]:
            if not isinstance(p, numeric_types):
                raise TypeError("Distribution parameters must all have the same type, but got "
                                f"both {type(params[0])} and {type(p)}.")
        return random(*params, shape=shape, dtype=dtype, **kwargs)
    raise ValueError(f"Distribution parameters must be either Symbol or numbers, but got {type(params[0])}.")


def uniform(low=0, high=1, shape=None, dtype=None, **kwargs):
    """Samples from uniform distributions on [low, high) (numbers, or Symbols of one shape)."""
    return _random_helper(_internal._random_uniform, _internal._sample_uniform, [low, high], shape, dtype, kwargs)


def normal(loc=0, scale=1, shape=None, dtype=None, **kwargs):
    """Samples from normal distributions with means `loc` and standard deviations `scale`."""
    return _random_helper(_internal._random_normal, _internal._sample_normal, [loc, scale], shape, dtype, kwargs)


def randn(*shape, **kwargs):
    """Samples from a normal distribution; the positional arguments are the output shape, and
    `loc`, `scale`, `dtype` are keywords."""
    loc = kwargs.pop("loc", 0)
    scale = kwargs.pop("scale", 1)
    dtype = kwargs.pop("dtype", None)
    for name, value in (("loc", loc), ("scale", scale)):
        if not isinstance(value, (int, float, Symbol)):
            raise TypeError(f"randn: {name} must be a number or a Symbol, got {type(value).__name__}")
    return _random_helper(_internal._random_normal, _internal._sample_normal, [loc, scale], shape, dtype, kwargs)


def poisson(lam=1, shape=None, dtype=None, **kwargs):
    """Samples from Poisson distributions with means `lam`."""
    return _random_helper(_internal._random_poisson, _internal._sample_poisson, [lam], shape, dtype, kwargs)


def exponential(scale=1, shape=None, dtype=None, **kwargs):
    """Samples from exponential distributions with scale `scale` (the rate is 1 / scale)."""
    return _random_helper(_internal._random_exponential, _internal._sample_exponential,
                          [1.0 / scale], shape, dtype, kwargs)


def gamma(alpha=1, beta=1, shape=None, dtype=None, **kwargs):
    """Samples from gamma distributions with shapes `alpha` and scales `beta`."""
    return _random_helper(_internal._random_gamma, _internal._sample_gamma, [alpha, beta], shape, dtype, kwargs)


def negative_binomial(k=1, p=1, shape=None, dtype=None, **kwargs):
    """Samples from negative binomial distributions (failures before the `k`-th success)."""
    return _random_helper(_internal._random_negative_binomial, _internal._sample_negative_binomial,
                          [k, p], shape, dtype, kwargs)


def generalized_negative_binomial(mu=1, alpha=1, shape=None, dtype=None, **kwargs):
    """Samples from generalized negative binomial distributions with means `mu` and dispersions `alpha`."""
    return _random_helper(_internal._random_generalized_negative_binomial,
                          _internal._sample_generalized_negative_binomial, [mu, alpha], shape, dtype, kwargs)


def multinomial(data, shape=None, get_prob=True, dtype="int32", **kwargs):
    """Draws category indices from the probability rows of `data`; with get_prob (the default
    for symbols, as in MXNet) a second output holds each draw's log-probability."""
    return _internal._sample_multinomial(data, () if shape is None else shape, get_prob, dtype=dtype, **kwargs)


def shuffle(data, **kwargs):
    """`data` with its rows (first axis) in random order."""
    return _internal._shuffle(data, **kwargs)


def randint(low, high, shape=None, dtype=None, **kwargs):
    """Samples integers uniformly from [low, high)."""
    return _random_helper(_internal._random_randint, None, [low, high], shape, dtype, kwargs)
