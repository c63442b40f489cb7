"""mx.sym's generated operator functions, and a few operators checked symbolically with
check_symbolic_forward/backward and check_numeric_gradient against numpy."""
import inspect

import minerva as mx
import numpy as np
import pytest
from minerva import _op
from minerva.test_utils import check_numeric_gradient, check_symbolic_backward, check_symbolic_forward


def test_every_operator_has_a_symbol_function_with_nds_parameters():
    for name in _op.list_ops():
        s = _op.schema(name)
        for called in [name] + s["aliases"]:
            public = mx.sym._internal if called.startswith("_") else mx.sym
            assert callable(getattr(public, called)), called
            # _internal holds the generated function of every name (mx.sym.zeros is hand-written).
            fn = getattr(mx.sym._internal, called)
            declared = set(s["inputs"]) | {p["name"] for p in s["params"]}
            # Each frontend's own extras (nd: out; sym: attr, and out as MXNet accepts it) aside.
            nd_params = [p for p in inspect.signature(getattr(mx.nd._internal, called)).parameters
                         if p != "out" or p in declared]
            sym_params = [p for p in inspect.signature(fn).parameters if p not in ("attr", "out") or p in declared]
            assert sym_params == nd_params, called
            assert s["doc"].strip()[:20] in fn.__doc__, called
        assert getattr(mx.sym.op, name) is getattr(mx.sym._internal, name)


def test_generated_functions_have_signatures_and_fluent_methods():
    sig = inspect.signature(mx.sym.FullyConnected)
    assert list(sig.parameters)[:3] == ["data", "weight", "bias"]
    assert "num_hidden" in sig.parameters and "name" in sig.parameters and "attr" in sig.parameters
    assert list(inspect.signature(mx.sym.Concat).parameters)[0] == "data"
    x = mx.sym.var("x")
    assert x.reshape((2, 3)).list_attr() == {"shape": "(2, 3)"}
    assert x.exp().list_outputs()[0].startswith("exp")
    assert x.astype("float64").attr("dtype") == "float64"
    assert callable(mx.sym.random.uniform)


def test_positional_parameters_follow_the_inputs():
    x = mx.sym.var("x")
    r = mx.sym.reshape(x, (2, 3))
    assert r.attr("shape") == "(2, 3)"
    c = mx.sym.Concat(x, x, x, dim=1)
    assert c.attr("num_args") == "3"
    assert mx.sym.add_n(*[x, x]).attr("num_args") == "2"


def test_fully_connected_forward_backward_and_numeric_gradient():
    data, w, b = np.random.randn(3, 4), np.random.randn(5, 4), np.random.randn(5)
    sym = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=5, name="fc")
    out = data @ w.T + b
    check_symbolic_forward(sym, [data, w, b], [out], rtol=1e-4, atol=1e-5)
    head = np.random.randn(3, 5)
    expected = {"data": head @ w, "fc_weight": head.T @ data, "fc_bias": head.sum(0)}
    check_symbolic_backward(sym, {"data": data, "fc_weight": w, "fc_bias": b}, [head], expected, rtol=1e-4,
                            atol=1e-5)
    check_symbolic_backward(sym, [data, w, b], [head], expected, rtol=1e-4, atol=1e-5, grad_req="add")
    check_symbolic_backward(sym, [data, w, b], [head], expected, rtol=1e-4, atol=1e-5,
                            grad_req={"data": "null", "fc_weight": "write", "fc_bias": "add"})
    check_numeric_gradient(sym, [data, w, b], numeric_eps=1e-3, rtol=1e-2, atol=1e-3)
    check_numeric_gradient(sym, [data, w, b], grad_nodes=["fc_weight"], dtype=np.float64, rtol=1e-4, atol=1e-6)


def test_checks_fail_on_wrong_values():
    sym = mx.sym.var("a") * 2
    with pytest.raises(AssertionError):
        check_symbolic_forward(sym, [np.ones(3)], [np.ones(3)])
    with pytest.raises(AssertionError):
        check_symbolic_backward(sym, [np.ones(3)], [np.ones(3)], [np.ones(3)])
    with pytest.raises(ValueError, match="do not match"):
        check_symbolic_forward(sym, {"b": np.ones(3)}, [np.ones(3)])
    # A wrong analytic gradient (the op's own) is what the numeric check exists to catch.
    a = mx.sym.var("a")
    lie = mx.sym.BlockGrad(a) * a
    with pytest.raises(AssertionError):
        check_numeric_gradient(lie, [np.random.rand(3) + 1])


@pytest.mark.parametrize("act,fn", [("tanh", np.tanh), ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
                                    ("relu", lambda x: np.maximum(x, 0))])
def test_activations(act, fn):
    x = np.random.uniform(-2, 2, (3, 4))
    x[np.abs(x) < 0.05] = 0.3  # keep away from relu's kink for the numeric check
    sym = mx.sym.Activation(mx.sym.var("x"), act_type=act)
    check_symbolic_forward(sym, [x], [fn(x)], rtol=1e-5, atol=1e-6)
    check_numeric_gradient(sym, [x], dtype=np.float64, rtol=1e-4, atol=1e-6)


def test_broadcast_and_reduce_ops():
    a, b = np.random.rand(2, 3, 1), np.random.rand(1, 3, 4)
    prod = mx.sym.broadcast_mul(mx.sym.var("a"), mx.sym.var("b"))
    check_symbolic_forward(prod, [a, b], [a * b], rtol=1e-5, atol=1e-6)
    head = np.random.rand(2, 3, 4)
    check_symbolic_backward(prod, [a, b], [head], [(head * b).sum(2, keepdims=True), (head * a).sum(0, keepdims=True)],
                            rtol=1e-4, atol=1e-5)
    total = mx.sym.sum(mx.sym.var("a"), axis=1, keepdims=True)
    check_symbolic_forward(total, [b], [b.sum(1, keepdims=True)], rtol=1e-5, atol=1e-6)
    check_numeric_gradient(total, [b], dtype=np.float64, rtol=1e-4, atol=1e-6)


def test_concat_and_slice_channel_multi_output():
    a, b = np.random.rand(2, 3), np.random.rand(2, 2)
    cat = mx.sym.Concat(mx.sym.var("a"), mx.sym.var("b"), dim=1)
    check_symbolic_forward(cat, {"a": a, "b": b}, [np.concatenate([a, b], 1)])
    split = mx.sym.SliceChannel(mx.sym.var("x"), num_outputs=2, axis=1)
    x = np.random.rand(2, 4)
    check_symbolic_forward(split, [x], [x[:, :2], x[:, 2:]])
    check_numeric_gradient(split, [x], dtype=np.float64, rtol=1e-4, atol=1e-6)


def test_batchnorm_with_aux_states():
    x = np.random.uniform(0, 2, (4, 3, 2, 2))
    gamma, beta = np.random.uniform(0.5, 1.5, 3), np.random.uniform(-1, 1, 3)
    mean, var = np.random.rand(3), np.random.rand(3) + 0.5
    sym = mx.sym.BatchNorm(mx.sym.var("x"), fix_gamma=False, eps=1e-5, name="bn")
    shape = (1, 3, 1, 1)
    expected = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + 1e-5) * gamma.reshape(shape) \
        + beta.reshape(shape)
    check_symbolic_forward(sym, [x, gamma, beta], [expected], aux_states=[mean, var], rtol=1e-4, atol=1e-5)
    check_numeric_gradient(sym, [x, gamma, beta], aux_states={"bn_moving_mean": mean, "bn_moving_var": var},
                           dtype=np.float64, rtol=1e-3, atol=1e-5)
    with pytest.raises(ValueError, match="aux_states"):
        check_symbolic_forward(sym, [x, gamma, beta], [expected])


def test_convolution_and_pooling_gradients():
    x, w, b = np.random.rand(1, 2, 5, 5), np.random.rand(3, 2, 3, 3), np.random.rand(3)
    conv = mx.sym.Convolution(mx.sym.var("x"), kernel=(3, 3), num_filter=3, name="c")
    ref = np.zeros((1, 3, 3, 3))
    for f in range(3):
        for i in range(3):
            for j in range(3):
                ref[0, f, i, j] = (x[0, :, i:i + 3, j:j + 3] * w[f]).sum() + b[f]
    check_symbolic_forward(conv, [x, w, b], [ref], rtol=1e-4, atol=1e-5)
    check_numeric_gradient(conv, [x, w, b], dtype=np.float64, rtol=1e-4, atol=1e-6)
    pool = mx.sym.Pooling(mx.sym.var("x"), kernel=(2, 2), stride=(2, 2), pool_type="avg")
    y = np.random.rand(1, 2, 4, 4)
    check_symbolic_forward(pool, [y], [y.reshape(1, 2, 2, 2, 2, 2).mean((3, 5))], rtol=1e-5, atol=1e-6)
    check_numeric_gradient(pool, [y], dtype=np.float64, rtol=1e-4, atol=1e-6)


def test_an_input_named_out_is_an_input_not_the_output_buffer():
    # _backward_softmax takes its forward's output as an input called `out`.
    g, y = mx.sym.var("g"), mx.sym.var("y")
    s = mx.sym._internal._backward_softmax(ograd=g, out=y, data=mx.sym.var("d"))
    assert s.list_arguments() == ["g", "y", "d"]
    og, out = mx.nd.ones((2, 3)), mx.nd.softmax(mx.nd.ones((2, 3)))
    grad = mx.nd._internal._backward_softmax(ograd=og, out=out, data=mx.nd.ones((2, 3)))
    assert grad.shape == (2, 3) and grad is not out
