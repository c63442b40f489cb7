"""Checks over Gluon blocks and optimizers (MXNet 1.x's ``test_utils``)."""
from __future__ import annotations

from copy import deepcopy

from .. import autograd, initializer
from .. import random as mx_random
from ._compare import assert_almost_equal, compare_ndarray_tuple
from ._context import default_context, use_np
from ._random import rand_ndarray


class _NumpyParamDictInit(initializer.Initializer):
    """Initializes each parameter from a dict name -> numpy array."""

    def __init__(self, np_params: dict) -> None:
        super().__init__()
        self._np_params = np_params

    def _init_weight(self, name, arr):
        arr[:] = self._np_params[name]

    _init_default = _init_weight
    _init_bias = _init_weight
    _init_gamma = _init_weight
    _init_beta = _init_weight


@use_np
def check_gluon_hybridize_consistency(net_builder, data_l, numpy_func=None, test_grad=True, rtol=1E-4, atol=1E-4):
    """Builds net_builder(prefix='net_') four ways (imperative or hybridized, with and
    without autograd) with the same parameters, and checks that outputs (and input gradients
    with test_grad) agree, and agree with numpy_func when given."""
    saved_out = None
    saved_grads = None
    params_init = None
    for hybridize in (False, True):
        for use_autograd in ([False, True] if test_grad else [False]):
            net = net_builder(prefix="net_")
            net.initialize(params_init) if params_init is not None else net.initialize()
            if hybridize:
                net.hybridize()
            inputs = [x.copy() for x in data_l]
            if use_autograd:
                for x in inputs:
                    x.attach_grad()
                with autograd.record():
                    out = net(*inputs)
                out.backward(out)
            else:
                out = net(*inputs)
            if params_init is None:
                params_init = _NumpyParamDictInit({k: v.data().asnumpy() for k, v in net.collect_params().items()})
            if saved_out is None:
                saved_out = out.asnumpy()
            else:
                assert_almost_equal(out.asnumpy(), saved_out, rtol=rtol, atol=atol)
            if use_autograd:
                if saved_grads is None:
                    saved_grads = [x.grad.asnumpy() for x in inputs]
                else:
                    for x, saved in zip(inputs, saved_grads):
                        assert_almost_equal(x.grad.asnumpy(), saved, rtol=rtol, atol=atol)
    if numpy_func is not None:
        assert_almost_equal(saved_out, numpy_func(*[x.asnumpy() for x in data_l]), rtol=rtol, atol=atol)


def compare_optimizer(opt1, opt2, shape, dtype, w_stype="default", g_stype="default", rtol=1e-4, atol=1e-5,
                      compare_states=True, ntensors=1) -> None:
    """Runs one update of opt1 and opt2 on the same random weights and gradients and checks
    that states and weights agree. shape may be a list of shapes (opt2 updates them all in
    one multi-tensor call)."""
    if w_stype != "default" or g_stype != "default":
        rand_ndarray(shape, w_stype if w_stype != "default" else g_stype)  # raises: Minerva arrays are dense
    ctx = default_context()
    if not isinstance(shape, list):
        assert ntensors == 1
        w2 = mx_random.uniform(shape=shape, ctx=ctx, dtype=dtype)
        w1 = w2.copyto(ctx)
        g2 = mx_random.uniform(shape=shape, ctx=ctx, dtype=dtype)
        g1 = g2.copyto(ctx)
        state1 = opt1.create_state_multi_precision(0, w1)
        state2 = opt2.create_state_multi_precision(0, w2)
        if compare_states:
            compare_ndarray_tuple(state1, state2)
        opt1.update_multi_precision(0, w1, g1, state1)
        opt2.update_multi_precision(0, w2, g2, state2)
        if compare_states:
            compare_ndarray_tuple(state1, state2, rtol=rtol, atol=atol)
        assert_almost_equal(w1, w2, rtol=rtol, atol=atol)
        return
    w1 = tuple(mx_random.uniform(shape=s, ctx=ctx, dtype=dtype) for s in shape)
    g1 = tuple(mx_random.uniform(shape=s, ctx=ctx, dtype=dtype) for s in shape)
    w2, g2 = deepcopy(w1), deepcopy(g1)
    state2 = [opt2.create_state_multi_precision(0, w2[i]) for i in range(ntensors)]
    opt2.update_multi_precision(list(range(ntensors)), w2, g2, state2)
    for i in range(ntensors):
        state1 = opt1.create_state_multi_precision(i, w1[i])
        opt1.update_multi_precision(i, w1[i], g1[i], state1)
        if compare_states:
            compare_ndarray_tuple(state1, state2[i], rtol, atol)
        compare_ndarray_tuple(w1[i], w2[i], rtol, atol)
