"""MXNet's Python-level functions of ``mx.nd.contrib``: the imperative control flow (``foreach``,
``while_loop``, ``cond``: plain Python loops over NDArrays, so autograd records every step), the
float checks ``isinf``/``isnan``/``isfinite`` and the log-uniform sampler ``rand_zipfian``."""
from __future__ import annotations

import math

import numpy as np

from .ndarray import NDArray
from .utils import empty


def _flatten(value, what: str):
    """(flat list of NDArrays, format): format is None for one NDArray, else a list of the
    formats of the items of a (nested) list or tuple."""
    if value is None:
        return [], []
    if isinstance(value, NDArray):
        return [value], None
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{what} must be an NDArray or a (nested) list of NDArrays, got {type(value).__name__}")
    flat, fmt = [], []
    for item in value:
        sub_flat, sub_fmt = _flatten(item, what)
        flat += sub_flat
        fmt.append((len(sub_flat), sub_fmt))
    return flat, fmt


def _regroup(flat: list, fmt):
    """The inverse of _flatten."""
    if fmt is None:
        return flat[0]
    out, start = [], 0
    for count, sub_fmt in fmt:
        out.append(_regroup(flat[start:start + count], sub_fmt))
        start += count
    return out


def _scalar(value, type_, what: str):
    if isinstance(value, NDArray):
        if value.size != 1:
            raise ValueError(f"{what} must be a scalar (an NDArray of one element), got shape {value.shape}")
        value = value.asscalar()
    return type_(value)


def foreach(body, data, init_states):
    """Runs ``outputs, states = body(data[i], states)`` for each i along axis 0 of data (an
    NDArray or a list of them, sliced together); returns (the outputs of every step stacked on
    a new axis 0, the final states)."""
    from . import stack
    data_flat, _ = _flatten(data, "foreach: data")
    _flatten(init_states, "foreach: init_states")
    if not data_flat:
        raise ValueError("foreach: data must hold at least one NDArray")
    num_iters = data_flat[0].shape[0]
    if any(d.shape[0] != num_iters for d in data_flat):
        raise ValueError(f"foreach: every data array needs the same length on axis 0, got "
                         f"{[d.shape[0] for d in data_flat]}")
    states, steps, fmt = init_states, [], None
    for i in range(num_iters):
        slices = data[i] if isinstance(data, NDArray) else [d[i] for d in data]
        outs, states = body(slices, states)
        outs, fmt = _flatten(outs, "foreach: body's outputs")
        if steps and len(outs) != len(steps[0]):
            raise ValueError("foreach: body must return the same number of outputs at every step")
        steps.append(outs)
    stacked = [stack(*column) for column in zip(*steps)]
    return (_regroup(stacked, fmt) if steps and (stacked or fmt is not None) else []), states


def while_loop(cond, func, loop_vars, max_iterations=None):
    """While ``cond(*loop_vars)`` holds and fewer than max_iterations steps ran:
    ``step_output, loop_vars = func(*loop_vars)``. Returns (each output stacked over the steps on
    axis 0 and padded to max_iterations rows, the final loop_vars)."""
    from . import concat
    if max_iterations is None:
        raise ValueError("while_loop: max_iterations must be given")
    max_iterations = _scalar(max_iterations, int, "while_loop: max_iterations")
    single = isinstance(loop_vars, NDArray)
    loop_vars = [loop_vars] if single else list(loop_vars)
    if not loop_vars:
        raise ValueError("while_loop: loop_vars must hold at least one element")
    steps, fmt = [], None
    while len(steps) < max_iterations and _scalar(cond(*loop_vars), bool, "while_loop: cond's result"):
        step_output, new_vars = func(*loop_vars)
        new_vars = [] if new_vars is None else ([new_vars] if isinstance(new_vars, NDArray) else list(new_vars))
        if len(new_vars) != len(loop_vars):
            raise ValueError(f"while_loop: func returned {len(new_vars)} loop variables, expected {len(loop_vars)}")
        loop_vars = new_vars
        flat, fmt = _flatten([] if step_output is None else step_output, "while_loop: func's step output")
        if steps and len(flat) != len(steps[0]):
            raise ValueError("while_loop: func must return the same number of step outputs at every step")
        steps.append(flat)
    stacked = []
    for column in zip(*steps):
        rows = [x.expand_dims(0) for x in column]
        if len(steps) < max_iterations:
            rows.append(empty((max_iterations - len(steps),) + tuple(column[0].shape), ctx=column[0].context,
                              dtype=column[0].dtype))
        stacked.append(concat(*rows, dim=0))
    outputs = _regroup(stacked, fmt) if fmt is not None or stacked else []
    return outputs, (loop_vars[0] if single else loop_vars)


def cond(pred, then_func, else_func):
    """then_func() if pred (a number or a one-element NDArray) is true, else else_func()."""
    return then_func() if _scalar(pred, bool, "cond: pred") else else_func()


def isinf(data):
    """1 where data is +inf or -inf, else 0."""
    return data.abs() == np.inf


def isnan(data):
    """1 where data is NaN, else 0."""
    return data != data


def isfinite(data):
    """1 where data is neither infinite nor NaN, else 0."""
    return (data == data) * (data.abs() != np.inf)


def rand_zipfian(true_classes, num_sampled, range_max, ctx=None):
    """Draws num_sampled classes in [0, range_max) from the log-uniform (Zipfian) distribution
    P(c) = (log(c + 2) - log(c + 1)) / log(range_max + 1). Returns (the sampled classes, int64;
    the expected count of each true class; the expected count of each sampled class)."""
    from . import random
    from ..context import current_context
    ctx = current_context() if ctx is None else ctx
    log_range = math.log(range_max + 1)
    draws = random.uniform(0, log_range, shape=(num_sampled,), dtype="float64", ctx=ctx)
    sampled = (draws.exp() - 1).astype("int64") % range_max
    true = true_classes.as_in_context(ctx).astype("float64")
    expected_true = ((true + 2.0) / (true + 1.0)).log() / log_range * num_sampled
    sampled_f = sampled.astype("float64")
    expected_sampled = ((sampled_f + 2.0) / (sampled_f + 1.0)).log() / log_range * num_sampled
    return sampled, expected_true, expected_sampled
