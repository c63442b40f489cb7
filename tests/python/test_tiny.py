"""The smoke file (STYLE rule 16): create, op, autograd, save/load — first thing run anywhere."""
import minerva as mx
import numpy as np


def test_create_and_read_back():
    a = mx.nd.array([[1, 2], [3, 4]])
    assert a.shape == (2, 2)
    assert a.dtype == np.float32
    assert a.context == mx.cpu(0)
    np.testing.assert_array_equal(a.asnumpy(), [[1, 2], [3, 4]])


def test_arithmetic_runs_on_the_engine():
    a = mx.nd.array([1.0, 2.0, 3.0])
    b = mx.nd.array([10.0, 20.0, 30.0])
    c = (a + b) * 2 - 1
    np.testing.assert_allclose(c.asnumpy(), [21, 43, 65])


def test_autograd_of_a_small_function():
    x = mx.nd.array([1.0, 2.0, 3.0])
    x.attach_grad()
    with mx.autograd.record():
        y = (x * x).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [2, 4, 6])


def test_save_and_load(tmp_path):
    path = str(tmp_path / "arrays.params")
    mx.nd.save(path, {"w": mx.nd.array([[1, 2]]), "b": mx.nd.array([3])})
    loaded = mx.nd.load(path)
    assert sorted(loaded) == ["b", "w"]
    np.testing.assert_array_equal(loaded["w"].asnumpy(), [[1, 2]])


def test_registry_generated_functions_have_signatures_and_docs():
    import inspect
    sig = inspect.signature(mx.nd.FullyConnected)
    assert "num_hidden" in sig.parameters
    assert "FullyConnected" in mx.nd.FullyConnected.__doc__ or "fully" in mx.nd.FullyConnected.__doc__.lower()
