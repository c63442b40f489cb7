"""Minerva's gradient check for plain functions of NDArrays (check_numeric_gradient given a
callable instead of a Symbol): autograd's gradient against central differences."""
from __future__ import annotations

import numpy as np

from .. import autograd
from .. import ndarray as nd
from ..ndarray import NDArray
from ._compare import assert_almost_equal
from ._context import default_context


def _central_differences(objective, location: list, eps: float) -> list:
    """d objective / d x for each numpy array x of location (changed in place, then restored)."""
    grads = []
    for x in location:
        g = np.zeros_like(x, dtype=np.float64)
        flat = x.reshape(-1)
        for j in range(flat.size):
            old = flat[j]
            flat[j] = old + eps
            f_plus = objective(*location)
            flat[j] = old - eps
            f_minus = objective(*location)
            flat[j] = old
            g.reshape(-1)[j] = (f_plus - f_minus) / (2 * eps)
        grads.append(g)
    return grads


def check_imperative_gradient(f, location, rtol=1e-2, atol=1e-4, eps=1e-4, dtype=np.float64, ctx=None) -> None:
    """f takes NDArrays and returns an NDArray; the objective is sum(f(*x) * proj) for a fixed
    random projection, so every output element counts."""
    ctx = ctx or default_context()
    loc = [np.array(x.asnumpy() if isinstance(x, NDArray) else x, dtype=dtype) for x in location]
    arrays = [nd.array(x, ctx=ctx, dtype=dtype) for x in loc]
    for a in arrays:
        a.attach_grad()
    with autograd.record():
        out = f(*arrays)
    proj = np.random.RandomState(1234).normal(size=out.shape).astype(dtype)
    out.backward(nd.array(proj, ctx=ctx, dtype=dtype))
    analytic = [a.grad.asnumpy() for a in arrays]

    def objective(*xs):
        with autograd.train_mode():
            res = f(*[nd.array(x, ctx=ctx, dtype=dtype) for x in xs]).asnumpy()
        return float(np.sum(res * proj))

    numeric = _central_differences(objective, loc, eps)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        names = (f"analytic grad of input {i}", f"numeric grad of input {i}")
        assert_almost_equal(a, n, rtol=rtol, atol=atol, names=names)
