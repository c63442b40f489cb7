"""MXNet 1.x's symbolic-era layers where the golden cases (tests/golden/ops/nn_extra.json) cannot
reach: IdentityAttachKLSparseReg, which MXNet 1.9.1 runs only in a symbolic executor and which
updates its auxiliary state in the backward pass, and the symbol-level names of the new operators.
Expected values were printed by the MXNet 1.9.1 oracle running the same graphs."""
import minerva as mx
import numpy as np

DATA = np.array([[0.2, 0.7, 0.4], [0.6, 0.1, 0.5]], np.float32)
HEAD = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
# MXNet 1.9.1: kl = IdentityAttachKLSparseReg(data, penalty=0.01, momentum=0.8, sparseness_target=0.2),
# moving_avg starting at [0.3, 0.2, 0.5]; two forward/backward passes in training mode.
MXNET_GRADS = [
    [[1.0055147409439087, 2.002192974090576, 3.0116045475006104],
     [4.005514621734619, 5.002192974090576, 6.0116047859191895]],
    [[1.0060957670211792, 2.003636121749878, 3.0112946033477783],
     [4.006095886230469, 5.003635883331299, 6.011294841766357]],
]
MXNET_MOVING_AVG = [[0.32, 0.24, 0.49], [0.336, 0.272, 0.482]]
KL_PARAMS = {"penalty": 0.01, "momentum": 0.8, "sparseness_target": 0.2}


def test_kl_sparse_reg_in_an_executor_matches_mxnet():
    sym = mx.sym.IdentityAttachKLSparseReg(mx.sym.var("data"), name="kl", **KL_PARAMS)
    assert sym.list_arguments() == ["data"]
    assert sym.list_auxiliary_states() == ["kl_moving_avg"]
    ex = sym.simple_bind(mx.cpu(), data=(2, 3))
    ex.aux_dict["kl_moving_avg"][:] = np.array([0.3, 0.2, 0.5])
    ex.arg_dict["data"][:] = DATA
    for grads, avg in zip(MXNET_GRADS, MXNET_MOVING_AVG):
        out = ex.forward(is_train=True)[0]
        np.testing.assert_array_equal(out.asnumpy(), DATA)
        ex.backward(mx.nd.array(HEAD))
        np.testing.assert_allclose(ex.grad_dict["data"].asnumpy(), grads, rtol=1e-6)
        np.testing.assert_allclose(ex.aux_dict["kl_moving_avg"].asnumpy(), avg, rtol=1e-6)


def test_kl_sparse_reg_under_autograd_updates_moving_avg():
    data, moving_avg = mx.nd.array(DATA), mx.nd.array([0.3, 0.2, 0.5])
    data.attach_grad()
    with mx.autograd.record():
        # MXNet's signature has no moving_avg (its own imperative call cannot run); Minerva takes it by keyword.
        out = mx.nd.IdentityAttachKLSparseReg(data, moving_avg=moving_avg, **KL_PARAMS)
    out.backward(mx.nd.array(HEAD))
    np.testing.assert_allclose(data.grad.asnumpy(), MXNET_GRADS[0], rtol=1e-6)
    np.testing.assert_allclose(moving_avg.asnumpy(), MXNET_MOVING_AVG[0], rtol=1e-6)


def test_symbol_names_follow_mxnet():
    # MXNet 1.9.1's argument and output names for the same calls.
    up = mx.sym.UpSampling(mx.sym.var("a"), scale=2, sample_type="bilinear", num_filter=3, num_args=2, name="up")
    assert up.list_arguments() == ["a", "up_weight"]
    assert up.infer_shape(a=(2, 3, 4, 4))[0] == [(2, 3, 4, 4), (3, 1, 4, 4)]
    assert mx.sym.Crop(mx.sym.var("a"), num_args=2, name="c").list_arguments() == ["a", "c_arg1"]
    assert mx.sym.make_loss(mx.sym.var("d"), name="x").list_outputs() == ["x_loss"]
    reg = mx.sym.LinearRegressionOutput(mx.sym.var("d"), name="r")
    assert reg.list_arguments() == ["d", "r_label"]
    assert reg.infer_shape(d=(4, 1))[0] == [(4, 1), (4,)]
    for op, kwargs in [("LRN", {"nsize": 3}), ("ROIPooling", {"pooled_size": (2, 2), "spatial_scale": 1.0}),
                       ("Correlation", {}), ("L2Normalization", {})]:
        assert getattr(mx.sym, op)(name="x", **kwargs).list_outputs() == ["x_output"], op


def test_regression_output_trains_with_the_loss_gradient():
    # The executor's backward needs no head gradient: the layer supplies the loss's own.
    sym = mx.sym.LinearRegressionOutput(mx.sym.var("d"), name="r")
    ex = sym.simple_bind(mx.cpu(), d=(2, 3))
    ex.forward(is_train=True, d=mx.nd.ones((2, 3)), r_label=mx.nd.zeros((2, 3)))
    ex.backward()
    np.testing.assert_allclose(ex.grad_dict["d"].asnumpy(), np.full((2, 3), 1 / 3), rtol=1e-6)
