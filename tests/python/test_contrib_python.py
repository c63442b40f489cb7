"""The Python-level contrib functions (python/minerva/ndarray/_contrib_python.py): boolean_mask, imperative
only, with values and gradients as MXNet 1.9.1 gives them (noted from the oracle), and the list wrappers of
the fused LAMB update."""
import minerva as mx
import numpy as np
import pytest
from minerva.ndarray import _contrib_python as contrib
from minerva.symbol import _contrib_python as sym_contrib


def test_boolean_mask_values_and_gradient():
    data = mx.nd.array(np.arange(12, dtype=np.float32).reshape(4, 3))
    data.attach_grad()
    with mx.autograd.record():
        out = contrib.boolean_mask(data, mx.nd.array([0, 1, 1, 0]))
    out.backward(mx.nd.ones_like(out) * 2)
    np.testing.assert_array_equal(out.asnumpy(), [[3, 4, 5], [6, 7, 8]])
    np.testing.assert_array_equal(data.grad.asnumpy(), [[0, 0, 0], [2, 2, 2], [2, 2, 2], [0, 0, 0]])


def test_boolean_mask_of_nothing_has_no_rows():
    out = contrib.boolean_mask(mx.nd.ones((4, 3)), mx.nd.zeros((4,)))
    assert out.shape == (0, 3)


@pytest.mark.parametrize("kwargs, message", [
    ({"index": mx.nd.ones((3,))}, "one entry per row"),
    ({"index": mx.nd.ones((4,)), "axis": 1}, "axis=1 is not supported"),
])
def test_boolean_mask_bad_input(kwargs, message):
    with pytest.raises(mx.base.MXNetError, match=message):
        contrib.boolean_mask(mx.nd.ones((4, 3)), **kwargs)


def test_symbolic_boolean_mask_says_it_is_imperative_only():
    with pytest.raises(mx.base.MXNetError, match="imperatively only"):
        sym_contrib.boolean_mask(mx.sym.var("a"), mx.sym.var("b"))


def test_multi_lamb_update_wrapper_matches_the_operator():
    rng = np.random.RandomState(3)
    shapes = [(3,), (2, 2)]
    make = [lambda s: mx.nd.array(rng.uniform(-1, 1, s)), lambda s: mx.nd.array(rng.uniform(0, 0.1, s))]
    ws, gs = [make[0](s) for s in shapes], [make[0](s) for s in shapes]
    ms, vs = [make[1](s) for s in shapes], [make[1](s) for s in shapes]
    copies = [[x.copy() for x in group] for group in (ws, gs, ms, vs)]
    out = contrib.multi_lamb_update(ws, gs, ms, vs, step_count=[1, 2], lrs=[0.1, 0.2], wds=[0.0, 0.01])
    flat = [x for group in zip(*copies) for x in group]
    ref = mx.nd._internal._multi_lamb_update(*flat, num_tensors=2, step_count=(1, 2), learning_rates=(0.1, 0.2),
                                             wds=(0.0, 0.01))
    for a, b in zip(out, ref):
        np.testing.assert_allclose(a.asnumpy(), b.asnumpy())
    np.testing.assert_allclose(ms[1].asnumpy(), copies[2][1].asnumpy())  # both updated the means in place
