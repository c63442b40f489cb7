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
    "check_symbolic_backward",
    "check_symbolic_forward",
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


def _imperative_numeric_gradient(f, location, rtol=1e-2, atol=None, eps=1e-4, dtype=np.float64,
                                 grad_req="write", ctx=None):
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


# ---- symbolic checks (MXNet's signatures) -----------------------------------------------------------
def _parse_location(sym, location, ctx, dtype) -> dict:
    """location as a list (list_arguments order) or a dict -> {name: NDArray}."""
    names = sym.list_arguments()
    if isinstance(location, dict):
        if set(location) != set(names):
            raise ValueError(f"Symbol arguments and keys of the given location do not match. "
                             f"symbol args:{names}, location.keys():{list(location)}")
    else:
        if len(location) != len(names):
            raise ValueError(f"Symbol arguments and keys of the given location do not match. "
                             f"symbol args:{names}, location:{len(location)} arrays")
        location = dict(zip(names, location))
    return {k: v if isinstance(v, NDArray) else array(v, ctx=ctx, dtype=dtype) for k, v in location.items()}


def _parse_aux_states(sym, aux_states, ctx, dtype) -> dict:
    names = sym.list_auxiliary_states()
    if aux_states is None:
        aux_states = {}
    elif not isinstance(aux_states, dict):
        if len(aux_states) != len(names):
            raise ValueError(f"Symbol aux_states names and given aux_states do not match. "
                             f"symbol aux_names:{names}, aux_states:{len(aux_states)} arrays")
        aux_states = dict(zip(names, aux_states))
    elif set(aux_states) != set(names):
        raise ValueError(f"Symbol aux_states names and given aux_states do not match. "
                         f"symbol aux_names:{names}, aux_states.keys:{list(aux_states)}")
    return {k: v if isinstance(v, NDArray) else array(v, ctx=ctx, dtype=dtype) for k, v in aux_states.items()}


def _aux_list(sym, aux: dict):
    """The auxiliary states in list_auxiliary_states order; None when some are missing, which
    bind reports."""
    names = sym.list_auxiliary_states()
    return [aux[n] for n in names] if set(aux) == set(names) else None


def check_symbolic_forward(sym, location, expected, rtol=None, atol=None, aux_states=None, ctx=None,
                           equal_nan=False, dtype=np.float32):
    """Binds sym to location (a list in list_arguments order or a dict), runs forward in
    inference mode and compares each output with expected (a list, or a dict by output name).
    Returns the outputs."""
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dtype)
    aux = _parse_aux_states(sym, aux_states, ctx, dtype)
    if isinstance(expected, dict):
        expected = [expected[k] for k in sym.list_outputs()]
    grads = {k: array(np.zeros(v.shape), ctx=ctx, dtype=v.dtype) for k, v in location.items()}
    exe = sym.bind(ctx, args=location, args_grad=grads, aux_states=_aux_list(sym, aux))
    outputs = exe.forward(is_train=False)
    for name, exp, out in zip(sym.list_outputs(), expected, outputs):
        assert_almost_equal(exp, out, rtol, atol, (f"EXPECTED_{name}", f"FORWARD_{name}"), equal_nan=equal_nan)
    return outputs


def check_symbolic_backward(sym, location, out_grads, expected, rtol=None, atol=None, aux_states=None,
                            grad_req="write", ctx=None, grad_stypes=None, equal_nan=False, dtype=np.float32):
    """Runs forward (training mode) and backward with out_grads (a list, or a dict by output
    name, or None for ones) and compares the gradients with expected (a list in
    list_arguments order, or a dict naming some arguments). grad_req may be one str, a list or
    a dict; gradient buffers start random, so 'add' and 'null' are checked against that start.
    Returns the gradient arrays by name."""
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dtype)
    aux = _parse_aux_states(sym, aux_states, ctx, dtype)
    names = sym.list_arguments()
    if isinstance(expected, (list, tuple)):
        expected = dict(zip(names, expected))
    start = {k: np.random.normal(size=location[k].shape) for k in expected}
    grads = {k: array(v, ctx=ctx, dtype=dtype) for k, v in start.items()}
    if isinstance(grad_req, str):
        grad_req = {k: grad_req for k in names}
    elif isinstance(grad_req, (list, tuple)):
        grad_req = dict(zip(names, grad_req))
    exe = sym.bind(ctx, args=location, args_grad=grads, grad_req=grad_req,
                   aux_states=_aux_list(sym, aux))
    exe.forward(is_train=True)
    if isinstance(out_grads, dict):
        out_grads = [out_grads[k] for k in sym.list_outputs()]
    if out_grads is not None:
        out_grads = [v if isinstance(v, NDArray) else array(v, ctx=ctx, dtype=dtype) for v in out_grads]
    exe.backward(out_grads)
    got = {k: grads[k].asnumpy() for k in expected}
    for name, exp in expected.items():
        req = grad_req.get(name, "null")
        labels = (f"EXPECTED_{name}", f"BACKWARD_{name}")
        if req == "write":
            assert_almost_equal(exp, got[name], rtol, atol, labels, equal_nan=equal_nan)
        elif req == "add":
            assert_almost_equal(exp, got[name] - start[name].astype(got[name].dtype), rtol, atol, labels,
                                equal_nan=equal_nan)
        elif req == "null":
            assert_almost_equal(start[name].astype(got[name].dtype), got[name], rtol, atol, labels,
                                equal_nan=equal_nan)
        else:
            raise ValueError(f"Invalid grad_req {req} for argument {name}")
    return grads


def check_numeric_gradient(sym, location, aux_states=None, numeric_eps=1e-3, rtol=1e-2, atol=None,
                           grad_nodes=None, use_forward_train=True, ctx=None, grad_stype_dict=None,
                           dtype=np.float32):
    """Compares the executor's gradients of sym with central differences of a random
    projection of its outputs, sum(out * proj). grad_nodes: the arguments to check (a list, or
    a dict of grad_req); default all. location as a list (list_arguments order) or a dict.

    For compatibility with Minerva's earlier helper, a plain function of NDArrays is checked
    through autograd instead (see _imperative_numeric_gradient)."""
    from .symbol import Symbol
    if not isinstance(sym, Symbol) and callable(sym):
        kwargs = {"rtol": rtol, "atol": atol, "ctx": ctx}
        return _imperative_numeric_gradient(sym, location, **kwargs)
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dtype)
    location_np = {k: v.asnumpy() for k, v in location.items()}
    aux = _parse_aux_states(sym, aux_states, ctx, dtype)
    aux_np = {k: v.asnumpy() for k, v in aux.items()}
    if grad_nodes is None:
        grad_nodes = sym.list_arguments()
        grad_req = {k: "write" for k in grad_nodes}
    elif isinstance(grad_nodes, dict):
        grad_req = dict(grad_nodes)
        grad_nodes = list(grad_nodes)
    else:
        grad_nodes = list(grad_nodes)
        grad_req = {k: "write" for k in grad_nodes}
    _, out_shapes, _ = sym.infer_shape(**{k: v.shape for k, v in location.items()})
    projs = [np.random.rand(*shape) + 0.1 for shape in out_shapes]
    start = {k: np.random.normal(0, 0.01, size=location[k].shape) for k in grad_nodes}
    grads = {k: array(v, ctx=ctx, dtype=dtype) for k, v in start.items()}
    exe = sym.bind(ctx, args=location, args_grad=grads, grad_req=grad_req,
                   aux_states=_aux_list(sym, aux))
    exe.forward(is_train=True)
    exe.backward([array(p, ctx=ctx, dtype=dtype) for p in projs])
    symbolic = {k: grads[k].asnumpy() for k in grad_nodes}

    def objective() -> float:
        for k, v in aux_np.items():
            exe.aux_dict[k][:] = v
        outs = exe.forward(is_train=use_forward_train)
        return sum(float(np.sum(o.asnumpy().astype(np.float64) * p)) for o, p in zip(outs, projs))

    for name in grad_nodes:
        x = location_np[name].astype(np.float64)
        numeric = np.zeros_like(x)
        target = exe.arg_dict[name]
        for i in range(x.size):
            old = x.flat[i]
            x.flat[i] = old + numeric_eps / 2
            target[:] = x
            f_plus = objective()
            x.flat[i] = old - numeric_eps / 2
            target[:] = x
            f_minus = objective()
            x.flat[i] = old
            numeric.flat[i] = (f_plus - f_minus) / numeric_eps
        target[:] = x
        labels = (f"NUMERICAL_{name}", f"BACKWARD_{name}")
        req = grad_req[name]
        if req == "write":
            assert_almost_equal(numeric, symbolic[name], rtol, atol, labels)
        elif req == "add":
            assert_almost_equal(numeric, symbolic[name] - start[name], rtol, atol, labels)
        elif req == "null":
            assert_almost_equal(start[name].astype(symbolic[name].dtype), symbolic[name], rtol, atol, labels)
        else:
            raise ValueError(f"Invalid grad_req {req} for argument {name}")


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
