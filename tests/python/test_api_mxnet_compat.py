"""Behaviour behind API-conformance fixes (issue 10): constructors, defaults and namespaces that now
match MXNet 1.9.1's, checked for what they do, not only for their signatures."""
import gc
import inspect

import numpy as np
import pytest

import minerva as mx
from minerva._capi import ffi, lib


def _raw_handle(shape):
    """A handle straight from the C ABI, owned by nobody yet."""
    out = ffi.new("MVNDArrayHandle*")
    c_shape = ffi.new("int64_t[]", list(shape))
    assert lib.MVNDArrayCreate(c_shape, len(shape), 0, 1, 0, out) == 0
    return out[0]


def test_ndarray_wraps_a_c_handle():
    arr = mx.nd.NDArray(_raw_handle((2, 3)))
    assert arr.shape == (2, 3) and arr.writable
    arr[:] = 4
    np.testing.assert_array_equal(arr.asnumpy(), np.full((2, 3), 4, np.float32))
    assert str(inspect.signature(mx.nd.NDArray)) == "(handle, writable=True)"


def test_ndarray_shares_another_arrays_handle_without_freeing_it_twice():
    a = mx.nd.array([1.0, 2.0])
    b = mx.nd.NDArray(a.handle)
    b += 1
    np.testing.assert_array_equal(a.asnumpy(), [2.0, 3.0])
    del a
    gc.collect()
    np.testing.assert_array_equal(b.asnumpy(), [2.0, 3.0])


def test_readonly_ndarray_refuses_in_place_arithmetic_as_mxnet():
    a = mx.nd.ones((2,))
    b = mx.nd.NDArray(a.handle, writable=False)
    for stmt, verb in (("b += 1", "add to"), ("b -= 1", "subtract from"), ("b *= 2", "multiply to"),
                       ("b /= 2", "divide from"), ("b %= 2", "take modulo from")):
        with pytest.raises(ValueError, match=f"trying to {verb} a readonly NDArray"):
            exec(stmt, {"b": b})
    np.testing.assert_array_equal(a.asnumpy(), [1.0, 1.0])


def test_ipow_rebinds_as_mxnet_which_has_no_in_place_power():
    a = mx.nd.array([2.0, 3.0])
    b = a
    b **= 2
    np.testing.assert_array_equal(a.asnumpy(), [2.0, 3.0])
    np.testing.assert_array_equal(b.asnumpy(), [4.0, 9.0])


def test_ndarray_handle_errors():
    with pytest.raises(TypeError, match="MVNDArrayHandle"):
        mx.nd.NDArray(3)
    with pytest.raises(ValueError, match="NULL"):
        mx.nd.NDArray(ffi.cast("MVNDArrayHandle", 0))


def test_module_default_context_is_cpu0():
    sig = inspect.signature(mx.mod.Module)
    assert repr(sig.parameters["context"].default) == "cpu(0)"
    data = mx.sym.Variable("data")
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(data, num_hidden=2, name="fc"), name="softmax")
    mod = mx.mod.Module(net)
    mod.bind(data_shapes=[("data", (1, 3))], label_shapes=[("softmax_label", (1,))])
    assert mod._context == mx.cpu(0)


def test_module_namespaces_star_import_what_mxnet_binds():
    ns = {}
    exec("from minerva.module.module import *", ns)
    assert ns["Module"] is mx.mod.Module and ns["zeros"] is mx.nd.zeros and ns["ctx"] is mx.context
    exec("from minerva.module import *", ns)
    assert ns["bucketing_module"].BucketingModule is mx.mod.BucketingModule
    exec("from minerva.model import *", ns)
    assert ns["kvs"] is mx.kvstore and ns["Uniform"] is mx.init.Uniform and ns["mx_real_t"] is np.float32


def test_optimizer_namespace_and_signatures():
    ns = {}
    exec("from minerva.optimizer.optimizer import *", ns)
    assert ns["SGD"] is mx.optimizer.SGD and ns["NDabs"] is mx.nd.abs
    assert mx.optimizer.optimizer.sgd_update is mx.nd.sgd_update
    # ccSGD takes SGD's parameters by position, as MXNet's (*args, **kwargs) passes them on
    opt = mx.optimizer.ccSGD(0.9, learning_rate=0.5)
    assert opt.momentum == 0.9 and opt.lr == 0.5
    assert mx.optimizer.Test(rescale_grad=2.0).rescale_grad == 2.0
    assert mx.optimizer.SGLD(learning_rate=0.1).lr == 0.1
    with pytest.raises(TypeError):
        mx.optimizer.SGLD(0.1)  # keyword-only in MXNet too
