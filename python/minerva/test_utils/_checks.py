"""Checking symbols (MXNet 1.x's ``test_utils``): forward and backward against expected values,
gradients against finite differences, consistency across contexts and dtypes, speed.

``location`` is a list in ``list_arguments()`` order or a dict by argument name; numpy arrays
become NDArrays of ``dtype`` ("asnumpy" keeps each array's own dtype)."""
from __future__ import annotations

import time
import traceback
from collections import OrderedDict

import numpy as np

from .. import ndarray as nd
from ..ndarray import NDArray
from ._compare import assert_almost_equal, default_numeric_eps, get_tolerance, get_tols
from ._context import default_context

_FLOAT_TYPES = (np.float16, np.float32, np.float64)


def _check_dtype(dtype, allow_asnumpy: bool = True) -> None:
    if not ((allow_asnumpy and isinstance(dtype, str) and dtype == "asnumpy") or dtype in _FLOAT_TYPES):
        choices = ("'asnumpy', " if allow_asnumpy else "") + "np.float16, np.float32 or np.float64"
        raise ValueError(f"dtype must be {choices}; got {dtype!r}")


def _to_nd(v, ctx, dtype):
    if isinstance(v, NDArray):
        return v
    v = np.asarray(v)
    return nd.array(v, ctx=ctx, dtype=v.dtype if isinstance(dtype, str) else dtype)


def _sorted_items(d) -> list:
    """d's (key, value) pairs sorted by key, for a reproducible order."""
    return sorted(d.items(), key=lambda t: t[0])


def _sorted_dict(d) -> OrderedDict:
    return OrderedDict(_sorted_items(d))


def _parse_location(sym, location, ctx, dtype=np.float32) -> OrderedDict:
    """location (a list in list_arguments() order or a dict naming every argument) as an
    ordered dict of NDArrays by argument name."""
    assert isinstance(location, (dict, list, tuple))
    _check_dtype(dtype)
    names = sym.list_arguments()
    if isinstance(location, dict):
        if set(location) != set(names):
            raise ValueError("Symbol arguments and keys of the given location do not match."
                             f"symbol args:{set(names)}, location.keys():{set(location)}")
    else:
        if len(location) != len(names):
            raise ValueError("Symbol arguments and keys of the given location do not match."
                             f"symbol args:{names}, location: {len(location)} arrays")
        location = dict(zip(names, location))
    return _sorted_dict({k: _to_nd(v, ctx, dtype) for k, v in location.items()})


def _parse_aux_states(sym, aux_states, ctx, dtype=np.float32):
    """aux_states (None, a list in list_auxiliary_states() order or a dict naming every
    state) as a dict of NDArrays by name, or None."""
    _check_dtype(dtype)
    if aux_states is None:
        return None
    names = sym.list_auxiliary_states()
    if isinstance(aux_states, dict):
        if set(aux_states) != set(names):
            raise ValueError("Symbol aux_states names and given aux_states do not match."
                             f"symbol aux_names:{set(names)}, aux_states.keys:{set(aux_states)}")
    else:
        if len(aux_states) != len(names):
            raise ValueError("Symbol aux_states names and given aux_states do not match."
                             f"symbol aux_names:{names}, aux_states: {len(aux_states)} arrays")
        aux_states = dict(zip(names, aux_states))
    return {k: _to_nd(v, ctx, dtype) for k, v in aux_states.items()}


def _aux_list(sym, aux):
    return None if aux is None else [aux[n] for n in sym.list_auxiliary_states()]


def numeric_grad(executor, location, aux_states=None, eps=1e-4, use_forward_train=True, dtype=np.float32):
    """Central differences of sum(executor.outputs[0]) with respect to each floating-point
    array of location (a dict name -> numpy array); aux_states (dict) are reset before each
    forward. Returns a dict name -> numpy gradient."""
    _check_dtype(dtype, allow_asnumpy=False)
    approx_grads = {k: np.zeros(v.shape, dtype=dtype) for k, v in location.items()}
    for k, v in location.items():
        executor.arg_dict[k][:] = nd.array(v, dtype=dtype)
    location = {k: np.array(v, order="C") for k, v in location.items()}

    def objective(name, value):
        executor.arg_dict[name][:] = nd.array(value, dtype=dtype)
        for key, val in (aux_states or {}).items():
            executor.aux_dict[key][:] = nd.array(val, dtype=dtype)
        executor.forward(is_train=use_forward_train)
        return executor.outputs[0].asnumpy()

    for k, v in location.items():
        if v.dtype.kind != "f":
            continue
        flat = v.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps / 2.0
            f_plus = objective(k, v)
            flat[i] = old - eps / 2.0
            f_minus = objective(k, v)
            flat[i] = old
            approx_grads[k].reshape(-1)[i] = (f_plus - f_minus).sum() / eps
        executor.arg_dict[k][:] = nd.array(v, dtype=dtype)
    return approx_grads


def _grad_nodes_and_reqs(sym, grad_nodes) -> tuple:
    if grad_nodes is None:
        names = sym.list_arguments()
        return names, {k: "write" for k in names}
    if isinstance(grad_nodes, (list, tuple)):
        return list(grad_nodes), {k: "write" for k in grad_nodes}
    if isinstance(grad_nodes, dict):
        return list(grad_nodes), dict(grad_nodes)
    raise ValueError(f"grad_nodes must be None, a list or a dict of grad_req; got {type(grad_nodes).__name__}")


def _compare_grad(name, req, reference, got, start, rtol, atol, labels, equal_nan=False) -> None:
    """Compares one gradient under its grad_req: 'write' got itself, 'add' got minus the
    starting buffer, 'null' the starting buffer left untouched."""
    got = got.asnumpy() if isinstance(got, NDArray) else got
    if req == "write":
        assert_almost_equal(reference, got, rtol, atol, labels, equal_nan=equal_nan)
    elif req == "add":
        assert_almost_equal(reference, got - start, rtol, atol, labels, equal_nan=equal_nan)
    elif req == "null":
        assert_almost_equal(start, got, rtol, atol, labels, equal_nan=equal_nan)
    else:
        raise ValueError(f"Invalid grad_req {req} for argument {name}")


def check_numeric_gradient(sym, location, aux_states=None, numeric_eps=None, rtol=None, atol=None,
                           grad_nodes=None, use_forward_train=True, ctx=None, grad_stype_dict=None,
                           dtype=np.float32):
    """Compares the backward pass of sym with central differences of sum(out * proj) for a
    random projection proj > 0.1. numeric_eps, rtol and atol default by dtype
    (default_numeric_eps, default_rtols, default_atols); grad_nodes names the arguments to
    check (a list, or a dict of grad_req), all of them by default.

    Minerva extension: a plain function of NDArrays (not a Symbol) is checked through
    autograd instead, with rtol 1e-2 and atol 1e-4 by default."""
    from ..symbol import Symbol
    if not isinstance(sym, Symbol) and callable(sym):
        from ._imperative import check_imperative_gradient
        return check_imperative_gradient(sym, location, rtol=1e-2 if rtol is None else rtol,
                                         atol=1e-4 if atol is None else atol, ctx=ctx)
    _check_dtype(dtype, allow_asnumpy=False)
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dtype)
    location_npy = {k: v.asnumpy() for k, v in location.items()}
    aux = _parse_aux_states(sym, aux_states, ctx, dtype)
    aux_npy = None if aux is None else {k: v.asnumpy() for k, v in aux.items()}
    grad_nodes, grad_req = _grad_nodes_and_reqs(sym, grad_nodes)
    _, out_shapes, _ = sym.infer_shape(**{k: v.shape for k, v in location.items()})
    # Projection entries not too small, or precision is lost in the numeric gradient.
    projs = [np.random.rand(*shape) + 0.1 for shape in out_shapes]
    start = {k: np.random.normal(0, 0.01, size=location[k].shape) for k in grad_nodes}
    grads = {k: nd.array(v, ctx=ctx, dtype=dtype) for k, v in start.items()}
    exe = sym.bind(ctx, args=location, args_grad=grads, grad_req=grad_req, aux_states=_aux_list(sym, aux))
    exe.forward(is_train=True)
    eps = get_tolerance(exe.outputs[0], numeric_eps, default_numeric_eps())
    if dtype in (np.float32, np.float16) and eps < 1e-5:
        raise ValueError(f"numeric_eps={eps} is too small for finite differences in {np.dtype(dtype).name}")
    exe.backward([nd.array(p, ctx=ctx, dtype=dtype) for p in projs])
    symbolic = {k: grads[k].asnumpy() for k in grad_nodes}
    projected = _ProjectedExecutor(exe, projs)
    numeric = numeric_grad(projected, location_npy, aux_npy, eps=eps, use_forward_train=use_forward_train,
                           dtype=dtype)
    for name in grad_nodes:
        start_value = start[name].astype(symbolic[name].dtype)
        _compare_grad(name, grad_req[name], numeric[name], symbolic[name], start_value, rtol, atol,
                      (f"NUMERICAL_{name}", f"BACKWARD_{name}"))


class _ProjectedExecutor:
    """An executor seen through the loss sum(out_i * proj_i): numeric_grad differentiates
    outputs[0] of what it is given, and this makes that the projected loss of every output."""

    def __init__(self, exe, projs) -> None:
        self._exe = exe
        self._projs = projs
        self.arg_dict = exe.arg_dict
        self.aux_dict = exe.aux_dict
        self.outputs = []

    def forward(self, is_train=False):
        outs = self._exe.forward(is_train=is_train)
        loss = sum(np.sum(o.asnumpy().astype(np.float64) * p) for o, p in zip(outs, self._projs))
        self.outputs = [nd.array(np.array([loss]), dtype=np.float64)]
        return self.outputs


def check_symbolic_forward(sym, location, expected, rtol=None, atol=None, aux_states=None, ctx=None,
                           equal_nan=False, dtype=np.float32):
    """Runs sym forward (inference mode) at location and compares each output with expected
    (a list, or a dict by output name). Returns the outputs."""
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dtype)
    aux = _parse_aux_states(sym, aux_states, ctx, dtype)
    if isinstance(expected, dict):
        expected = [expected[k] for k in sym.list_outputs()]
    grads = {k: nd.zeros(v.shape, ctx=ctx, dtype=v.dtype) for k, v in location.items()}
    exe = sym.bind(ctx, args=location, args_grad=grads, aux_states=_aux_list(sym, aux))
    outputs = exe.forward(is_train=False)
    for name, expect, output in zip(sym.list_outputs(), expected, outputs):
        assert_almost_equal(expect, output, rtol, atol, (f"EXPECTED_{name}", f"FORWARD_{name}"), equal_nan=equal_nan)
    return outputs


def check_symbolic_backward(sym, location, out_grads, expected, rtol=None, atol=None, aux_states=None,
                            grad_req="write", ctx=None, grad_stypes=None, equal_nan=False, dtype=np.float32):
    """Runs sym forward (training mode) and backward with out_grads (a list, a dict by output
    name, or None) and compares the gradients with expected (a list in list_arguments() order
    or a dict naming some arguments). Gradient buffers start random, so grad_req 'add' and
    'null' are checked against that start. Returns the gradient NDArrays by name."""
    ctx = ctx or default_context()
    location = _parse_location(sym, location, ctx, dtype)
    aux = _parse_aux_states(sym, aux_states, ctx, dtype)
    names = sym.list_arguments()
    if isinstance(expected, (list, tuple)):
        expected = dict(zip(names, expected))
    if grad_stypes and any(s not in (None, "default") for s in grad_stypes.values()):
        raise ValueError(f"check_symbolic_backward: grad_stypes {grad_stypes} asks for sparse gradients; "
                         "Minerva arrays are dense")
    # Dirty the gradient buffers deterministically, for reproducibility.
    start = {k: np.random.normal(size=np.shape(v)) for k, v in _sorted_items(expected)}
    grads = {k: nd.array(v, ctx=ctx, dtype=np.asarray(expected[k]).dtype if isinstance(dtype, str) else dtype)
             for k, v in start.items()}
    if isinstance(grad_req, str):
        grad_req = {k: grad_req for k in names}
    elif isinstance(grad_req, (list, tuple)):
        grad_req = dict(zip(names, grad_req))
    exe = sym.bind(ctx, args=location, args_grad=grads, grad_req=grad_req, aux_states=_aux_list(sym, aux))
    exe.forward(is_train=True)
    if isinstance(out_grads, dict):
        out_grads = [out_grads[k] for k in sym.list_outputs()]
    if out_grads is not None:
        out_grads = [_to_nd(v, ctx, dtype) for v in out_grads]
    exe.backward(out_grads)
    for name in expected:
        got = grads[name].asnumpy()
        _compare_grad(name, grad_req.get(name, "null"), expected[name], got, start[name].astype(got.dtype),
                      rtol, atol, (f"EXPECTED_{name}", f"BACKWARD_{name}"), equal_nan)
    return grads


def check_speed(sym, location=None, ctx=None, N=20, grad_req=None, typ="whole", **kwargs) -> float:  # noqa: N803
    """Seconds per run of sym, averaged over N runs after a warm-up: forward and backward
    (typ='whole') or forward only (typ='forward'). Without location the inputs are random,
    with shapes from kwargs."""
    ctx = ctx or default_context()
    grad_req = grad_req or "write"
    if typ not in ("whole", "forward"):
        raise ValueError('typ can only be "whole" or "forward".')
    if location is None:
        exe = sym.simple_bind(ctx=ctx, grad_req=grad_req, **kwargs)
        location = {k: np.random.normal(size=arr.shape, scale=1.0) for k, arr in exe.arg_dict.items()}
    else:
        assert isinstance(location, dict), f'Expect dict, get "location"={location}'
        exe = sym.simple_bind(ctx=ctx, grad_req=grad_req, **{k: v.shape for k, v in location.items()})
    for name, value in location.items():
        exe.arg_dict[name][:] = value.astype(np.dtype(exe.arg_dict[name].dtype))
    is_train = typ == "whole"

    def run_once():
        exe.forward(is_train=is_train)
        if is_train:
            exe.backward(out_grads=exe.outputs)

    run_once()
    nd.waitall()
    tic = time.time()
    for _ in range(N):
        run_once()
    nd.waitall()
    return (time.time() - tic) / N


def _smaller_dtype(dt1, dt2):
    """The less precise of two dtypes (dt1 when dt2 is None)."""
    return dt1 if dt2 is None or np.dtype(dt1).itemsize < np.dtype(dt2).itemsize else dt2


def _report(message: str, error: AssertionError, raise_on_err: bool) -> None:
    print(message)
    traceback.print_exc()
    if raise_on_err:
        raise error
    print(str(error))


def check_consistency(sym, ctx_list, scale=1.0, grad_req="write", arg_params=None, aux_params=None, rtol=None,
                      atol=None, raise_on_err=True, ground_truth=None, equal_nan=False, use_uniform=False,
                      rand_type=np.float64):
    """Runs sym (or one symbol per entry) under each entry of ctx_list (dicts of simple_bind
    arguments: ctx, input shapes, type_dict) on the same random inputs, and checks outputs and
    gradients against the most precise one (or ground_truth). Returns the reference values by
    name."""
    from ..symbol import Symbol
    assert len(ctx_list) > 1
    syms = [sym] * len(ctx_list) if isinstance(sym, Symbol) else list(sym)
    assert len(syms) == len(ctx_list)
    output_names = syms[0].list_outputs()
    arg_names = syms[0].list_arguments()
    exe_list = []
    for s, spec in zip(syms, ctx_list):
        assert s.list_arguments() == arg_names and s.list_outputs() == output_names
        exe_list.append(s.simple_bind(grad_req=grad_req, **spec))
    arg_params = {} if arg_params is None else arg_params
    aux_params = {} if aux_params is None else aux_params
    for n, arr in _sorted_items(exe_list[0].arg_dict):
        if n not in arg_params:
            if use_uniform:
                arg_params[n] = np.random.uniform(-0.92 * scale, 0.92 * scale, size=arr.shape).astype(rand_type)
            else:
                arg_params[n] = np.random.normal(size=arr.shape, scale=scale).astype(rand_type)
    for n in exe_list[0].aux_dict:
        aux_params.setdefault(n, 0)
    for exe in exe_list:
        for name, arr in exe.arg_dict.items():
            arr[:] = arg_params[name]
        for name, arr in exe.aux_dict.items():
            arr[:] = aux_params[name]
        if grad_req == "add":
            for arr in exe.grad_arrays:
                if arr is not None:
                    arr[:] = 0
    dtypes = [np.dtype(exe.outputs[0].dtype) for exe in exe_list]
    gt_idx = int(np.argmax([d.itemsize for d in dtypes]))
    for exe in exe_list:
        exe.forward(is_train=False)
    gt = ground_truth
    if gt is None:
        gt = {k: v.copy() for k, v in exe_list[gt_idx].output_dict.items()}
    for i, exe in enumerate(exe_list):
        if i == gt_idx:
            continue
        for name, arr in zip(output_names, exe.outputs):
            try:
                assert_almost_equal(arr, gt[name], rtol=rtol, atol=atol, equal_nan=equal_nan)
            except AssertionError as e:
                _report(f"Predict Err: ctx {i} vs ctx {gt_idx} at {name}", e, raise_on_err)
    if grad_req == "null":
        return gt
    for exe in exe_list:
        exe.forward(is_train=True)
    # The first executor's outputs, cast to the least precise dtype, are every executor's head gradients.
    least = [out.dtype for out in exe_list[0].outputs]
    for exe in exe_list:
        least = [_smaller_dtype(out.dtype, dt) for out, dt in zip(exe.outputs, least)]
    heads = [out.astype(dt).asnumpy() for out, dt in zip(exe_list[0].outputs, least)]
    for exe in exe_list:
        exe.backward([nd.array(h, ctx=exe._ctx, dtype=out.dtype) for h, out in zip(heads, exe.outputs)])
    if ground_truth is None:
        gt.update({k: v.copy() for k, v in exe_list[gt_idx].output_dict.items()})
        gt.update({k: (v.copy() if v is not None else None) for k, v in exe_list[gt_idx].grad_dict.items()})
    for i, exe in enumerate(exe_list):
        if i == gt_idx:
            continue
        for name, arr in zip(output_names + arg_names, list(exe.outputs) + list(exe.grad_arrays)):
            if gt.get(name) is None:
                assert arr is None
                continue
            gtarr = gt[name]
            rt, at = rtol, atol
            # float16 data makes the tolerance of float32 inputs' gradients (say, BatchNorm's gamma) float16's.
            small_arr = _smaller_dtype(arr.dtype, dtypes[i])
            small_gt = _smaller_dtype(gtarr.dtype, dtypes[gt_idx])
            if small_arr != arr.dtype or small_gt != gtarr.dtype:
                rt, at = get_tols(arr.astype(small_arr), gtarr.astype(small_gt), rtol, atol)
            try:
                assert_almost_equal(arr, gtarr, rtol=rt, atol=at, equal_nan=equal_nan)
            except AssertionError as e:
                _report(f"Train Err: {np.dtype(arr.dtype).name} {arr.context} ctx {i} vs "
                        f"{np.dtype(gtarr.dtype).name} {gtarr.context} ctx {gt_idx} at {name}", e, raise_on_err)
    return gt


def simple_forward(sym, ctx=None, is_train=False, **inputs):
    """Runs sym forward on numpy inputs given by argument name; returns the output as numpy
    (a list when there are several)."""
    ctx = ctx or default_context()
    exe = sym.bind(ctx, args={k: nd.array(v, ctx=ctx) for k, v in inputs.items()})
    exe.forward(is_train=is_train)
    outputs = [x.asnumpy() for x in exe.outputs]
    return outputs[0] if len(outputs) == 1 else outputs
