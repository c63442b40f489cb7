"""Recorded programs whose autograd.get_symbol Minerva must match, written once for both
frameworks: each ``program(mx)`` records a computation and returns (head, arrays): the arrays are
the values of the variables of the symbol that get_symbol returns, in list_arguments() order. Their
names (var<k> for arrays marked with attach_grad, null<k> for other inputs) carry process-wide
counters in both frameworks, so only their prefixes are compared.

make_autograd_symbol_golden.py runs them under MXNet 1.9.1 (tests/golden/autograd/get_symbol.json);
tests/python/test_autograd_get_symbol.py runs them under Minerva and compares."""
import numpy as np


def _arrays(mx, *shapes, seed=0):
    rng = np.random.RandomState(seed)
    return [mx.nd.array(rng.uniform(-1, 1, s).astype(np.float32)) for s in shapes]


def elementwise_chain(mx):
    x, w = _arrays(mx, (2, 3), (3, 4), seed=1)
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.relu(mx.nd.dot(x, w)) + mx.nd.sum(mx.nd.sin(x) * 2, axis=1, keepdims=True)
        z = mx.nd.sum(y, axis=1)
    return z, [x, w]


def mlp_with_parameters(mx):
    data, w1, b1, w2 = _arrays(mx, (4, 5), (6, 5), (6,), (3, 6), seed=2)
    for p in (w1, b1, w2):
        p.attach_grad()
    with mx.autograd.record():
        h = mx.nd.FullyConnected(data, w1, b1, num_hidden=6)
        h = mx.nd.Activation(h, act_type="tanh")
        out = mx.nd.FullyConnected(h, w2, num_hidden=3, no_bias=True)
        loss = mx.nd.mean(mx.nd.square(out))
    return loss, [data, w1, b1, w2]


def multi_output_and_reshape(mx):
    (x,) = _arrays(mx, (2, 6), seed=3)
    x.attach_grad()
    with mx.autograd.record():
        parts = mx.nd.split(x, num_outputs=3, axis=1)
        y = mx.nd.concat(parts[2], parts[0], dim=1)
        y = mx.nd.transpose(mx.nd.reshape(y, shape=(4, 2)))
        y = mx.nd.exp(y) - mx.nd.reshape(parts[1], shape=(-1,)).sum()
    return y, [x]


PROGRAMS = {"elementwise_chain": elementwise_chain, "mlp_with_parameters": mlp_with_parameters,
            "multi_output_and_reshape": multi_output_and_reshape}
