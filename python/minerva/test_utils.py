"""``mx.test_utils``: MXNet 1.x's testing helpers."""
from __future__ import annotations

import os
from contextlib import contextmanager

import numpy as np

from .context import Context, cpu, current_context
from .ndarray import NDArray, array

__all__ = [
    "almost_equal",
    "assert_almost_equal",
    "assert_exception",
    "check_numeric_gradient",
    "default_atols",
    "default_context",
    "default_rtols",
    "environment",
    "numeric_grad",
    "rand_ndarray",
    "rand_shape_2d",
    "rand_shape_3d",
    "rand_shape_nd",
    "same",
    "set_default_context",
]

_default_ctx = [None]


def default_context() -> Context:
    return _default_ctx[0] or current_context() or cpu()


def set_default_context(ctx: Context) -> None:
    _default_ctx[0] = ctx


def _np(a):
    return a.asnumpy() if isinstance(a, NDArray) else np.asarray(a)


def default_rtols():
    return {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-5,
            np.dtype(np.bool_): 0, np.dtype(np.int8): 0, np.dtype(np.uint8): 0, np.dtype(np.int32): 0,
            np.dtype(np.int64): 0}


def default_atols():
    return {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3, np.dtype(np.float64): 1e-20,
            np.dtype(np.bool_): 0, np.dtype(np.int8): 0, np.dtype(np.uint8): 0, np.dtype(np.int32): 0,
            np.dtype(np.int64): 0}


def _tols(a, b, rtol, atol):
    dt = np.result_type(a.dtype, b.dtype)
    if rtol is None:
        rtol = default_rtols().get(np.dtype(dt), 1e-5)
    if atol is None:
        atol = default_atols().get(np.dtype(dt), 1e-20)
    return rtol, atol


def almost_equal(a, b, rtol=None, atol=None, equal_nan=False) -> bool:
    a, b = _np(a), _np(b)
    rtol, atol = _tols(a, b, rtol, atol)
    return a.shape == b.shape and np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def assert_almost_equal(a, b, rtol=None, atol=None, names=("a", "b"), equal_nan=False, mismatches=(10, 10)):
    """Fails with the location and size of the largest relative difference."""
    a, b = _np(a), _np(b)
    if a.shape != b.shape:
        raise AssertionError(f"shape mismatch: {names[0]} {a.shape} vs {names[1]} {b.shape}")
    rtol, atol = _tols(a, b, rtol, atol)
    if np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan):
        return
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    err = np.abs(a64 - b64) / (atol + rtol * np.abs(b64))
    idx = np.unravel_index(np.nanargmax(err), err.shape) if err.size else ()
    raise AssertionError(f"Items are not equal (rtol={rtol}, atol={atol}): largest error at {idx}: "
                         f"{names[0]}={a64[idx]!r}, {names[1]}={b64[idx]!r}\n{names[0]}: {a}\n{names[1]}: {b}")


def same(a, b) -> bool:
    return np.array_equal(_np(a), _np(b))


def assert_exception(f, exception_type, *args, **kwargs):
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError(f"{f.__name__} did not raise {exception_type.__name__}")


def rand_shape_nd(num_dim: int, dim: int = 10, allow_zero_size: bool = False) -> tuple:
    low = 0 if allow_zero_size else 1
    return tuple(np.random.randint(low, dim + 1, size=num_dim).tolist())


def rand_shape_2d(dim0: int = 10, dim1: int = 10, allow_zero_size: bool = False) -> tuple:
    low = 0 if allow_zero_size else 1
    return (np.random.randint(low, dim0 + 1), np.random.randint(low, dim1 + 1))


def rand_shape_3d(dim0: int = 10, dim1: int = 10, dim2: int = 10, allow_zero_size: bool = False) -> tuple:
    low = 0 if allow_zero_size else 1
    return tuple(np.random.randint(low, d + 1) for d in (dim0, dim1, dim2))


def rand_ndarray(shape, stype: str = "default", density=None, dtype=None, ctx=None, **kwargs) -> NDArray:
    if stype != "default":
        raise ValueError(f"storage type '{stype}' is not supported; Minerva arrays are dense")
    data = np.random.uniform(-1, 1, size=shape).astype(dtype or np.float32)
    return array(data, ctx=ctx or default_context(), dtype=dtype or np.float32)


def numeric_grad(f, location, eps=1e-4, dtype=np.float64):
    """Central-difference gradient of sum(f(*location)) w.r.t. each numpy array in location."""
    grads = []
    for _i, x in enumerate(location):
        g = np.zeros_like(x, dtype=dtype)
        flat = x.reshape(-1)
        for j in range(flat.size):
            old = flat[j]
            flat[j] = old + eps
            fp = float(np.sum(f(*location)))
            flat[j] = old - eps
            fm = float(np.sum(f(*location)))
            flat[j] = old
            g.reshape(-1)[j] = (fp - fm) / (2 * eps)
        grads.append(g)
    return grads


def check_numeric_gradient(f, location, rtol=1e-2, atol=None, eps=1e-4, dtype=np.float64, grad_req="write",
                           ctx=None):
    """Checks autograd's gradient of an imperative function against central differences.

    f takes NDArrays and returns an NDArray; the objective is the sum of f's output weighted by
    a fixed random projection, so every output element matters."""
    from . import autograd
    ctx = ctx or default_context()
    loc = [np.asarray(_np(x), dtype=dtype) for x in location]
    arrays = [array(x, ctx=ctx, dtype=dtype) for x in loc]
    for a in arrays:
        a.attach_grad(grad_req)
    with autograd.record():
        out = f(*arrays)
    rng = np.random.RandomState(1234)
    proj = rng.normal(size=out.shape).astype(dtype)
    out.backward(array(proj, ctx=ctx, dtype=dtype))
    analytic = [a.grad.asnumpy() for a in arrays]

    def objective(*xs):
        with autograd.train_mode():
            res = f(*[array(x, ctx=ctx, dtype=dtype) for x in xs]).asnumpy()
        return np.sum(res * proj)

    numeric = numeric_grad(objective, loc, eps=eps, dtype=dtype)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        assert_almost_equal(a, n, rtol=rtol, atol=atol if atol is not None else 1e-4,
                            names=(f"analytic grad of input {i}", f"numeric grad of input {i}"))


@contextmanager
def environment(*args):
    """Temporarily sets environment variables: environment('K', 'v') or environment({'K': 'v'})."""
    if len(args) == 2:
        updates = {args[0]: args[1]}
    elif len(args) == 1 and isinstance(args[0], dict):
        updates = args[0]
    else:
        raise ValueError("environment() takes (name, value) or a dict")
    saved = {k: os.environ.get(k) for k in updates}
    try:
        for k, v in updates.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = str(v)
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
