"""mx.autograd: recording, grad_req, head gradients, retain_graph, higher order, sharp edges."""
import minerva as mx
import numpy as np
import pytest
from minerva.test_utils import assert_almost_equal, check_numeric_gradient


def test_modes_and_scopes():
    assert not mx.autograd.is_recording() and not mx.autograd.is_training()
    with mx.autograd.record():
        assert mx.autograd.is_recording() and mx.autograd.is_training()
        with mx.autograd.pause():
            assert not mx.autograd.is_recording() and not mx.autograd.is_training()
    with mx.autograd.record(train_mode=False):
        assert mx.autograd.is_recording() and not mx.autograd.is_training()
    with mx.autograd.train_mode():
        assert mx.autograd.is_training()
    with mx.autograd.predict_mode():
        assert not mx.autograd.is_training()
    assert not mx.autograd.is_recording()


def test_reused_node_accumulates():  # micrograd PR #64
    a = mx.nd.array([3.0])
    a.attach_grad()
    with mx.autograd.record():
        b = a + a
        c = b + b
    c.backward()
    assert a.grad.asscalar() == 4.0


def test_head_gradient_and_chain():
    x = mx.nd.array([[1.0, -2.0], [0.5, 4.0]])
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.exp(x) * 3
    hg = mx.nd.array([[1.0, 2.0], [3.0, 4.0]])
    y.backward(hg)
    assert_almost_equal(x.grad, 3 * np.exp(x.asnumpy()) * hg.asnumpy(), rtol=1e-5)


def test_grad_req_add_and_null():
    x = mx.nd.array([1.0, 2.0])
    x.attach_grad(grad_req="add")
    for _ in range(3):
        with mx.autograd.record():
            y = (x * 2).sum()
        y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [6, 6])
    z = mx.nd.array([1.0])
    z.attach_grad(grad_req="null")
    w = mx.nd.array([1.0])
    w.attach_grad()
    with mx.autograd.record():
        out = z * w
    out.backward()
    assert z.grad.asscalar() == 0 and w.grad.asscalar() == 1


def test_second_backward_needs_retain_graph():  # micrograd #53
    x = mx.nd.array([2.0])
    x.attach_grad()
    with mx.autograd.record():
        y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.asscalar() == 4.0
    with pytest.raises(mx.MXNetError, match="retain_graph"):
        y.backward()


def test_inplace_change_of_saved_input_is_an_error():
    x = mx.nd.array([1.0, 2.0])
    x.attach_grad()
    with mx.autograd.record():
        h = x * 1
        y = h * h
    h += 1  # h was saved for y's gradient
    with pytest.raises(mx.MXNetError, match="modified in-place"):
        y.backward()


def test_autograd_grad_and_second_order():
    x = mx.nd.array([1.0, 2.0, 3.0])
    x.attach_grad()
    with mx.autograd.record():
        y = x * x * x
        (dx,) = mx.autograd.grad(y, [x], create_graph=True)
        z = dx.sum()
    assert_almost_equal(dx, 3 * x.asnumpy() ** 2)
    z.backward()
    assert_almost_equal(x.grad, 6 * x.asnumpy())


def test_deep_chain_does_not_overflow_the_stack():
    x = mx.nd.array([1.0])
    x.attach_grad()
    with mx.autograd.record():
        y = x
        for _ in range(100000):
            y = y + 0
    y.backward()
    assert x.grad.asscalar() == 1.0
    del y


def test_backward_of_unrecorded_array_is_an_error():
    with pytest.raises(mx.MXNetError, match="not part of a recorded graph"):
        mx.nd.array([1.0]).backward()


def test_check_numeric_gradient_helper():
    check_numeric_gradient(lambda a, b: mx.nd.tanh(a) * b, [np.random.rand(3, 2), np.random.rand(3, 2)])


def test_views_under_recording_keep_gradients():
    x = mx.nd.array([[1.0, 2.0], [3.0, 4.0]])
    x.attach_grad()
    with mx.autograd.record():
        y = (x[1] * 2).sum() + x.reshape((4,)).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [[1, 1], [3, 3]])
