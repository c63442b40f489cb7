"""mx.nd.contrib.hawkesll beyond its golden cases (tests/golden/ops/contrib_norm.json): the documented
example and the symbol's names against MXNet 1.9.1 (tests/golden/contrib_norm.json), the log
likelihood against a direct numpy transcription of its definition, padding past valid_length, the
gradient against finite differences, and the errors on bad input."""
import json
import pathlib
import re

import minerva as mx
import numpy as np
import pytest

GOLDEN = json.loads((pathlib.Path(__file__).resolve().parents[1] / "golden/contrib_norm.json").read_text())


def _example():
    return [mx.nd.array([[1.5, 2.0]]), mx.nd.array([0.2, 0.3]), mx.nd.array([1.0, 2.0]), mx.nd.zeros((1, 2)),
            mx.nd.array([[1.0, 1.0]]), mx.nd.array([[0, 0]], dtype="int32"), mx.nd.array([2]), mx.nd.array([3.0])]


def test_documented_example_matches_mxnet():
    ll, state = mx.nd.contrib.hawkesll(*_example())
    np.testing.assert_allclose(ll.asnumpy(), GOLDEN["hawkes_doc_example"]["ll"], rtol=1e-5)
    np.testing.assert_allclose(state.asnumpy(), GOLDEN["hawkes_doc_example"]["state"], rtol=1e-5)
    sym = mx.sym.contrib.hawkesll(name="h")
    assert sym.list_arguments() == GOLDEN["hawkes_doc_example"]["arguments"]
    assert sym.list_outputs() == GOLDEN["hawkes_doc_example"]["outputs"]


def _reference(lda, alpha, beta, state, lags, marks, valid_length, max_time):
    """The log likelihood from the intensity's definition: sum of log intensities at the points minus
    the integral of the intensity over (0, max_time], with state as the decayed memory of the past."""
    n, k = lda.shape
    ll, out_state = np.zeros(n), np.zeros((n, k))
    for i in range(n):
        times = np.cumsum(lags[i, :int(np.ceil(valid_length[i]))])
        m = marks[i, :len(times)]
        total = 0.0
        for c in range(k):
            tc = times[m == c]
            for j, t in enumerate(tc):
                excite = state[i, c] * np.exp(-beta[c] * t) + np.exp(-beta[c] * (t - tc[:j])).sum()
                total += np.log(lda[i, c] + alpha[c] * beta[c] * excite)
            T = max_time[i]
            total -= lda[i, c] * T + alpha[c] * (state[i, c] * (1 - np.exp(-beta[c] * T))
                                                 + (1 - np.exp(-beta[c] * (T - tc))).sum())
            out_state[i, c] = state[i, c] * np.exp(-beta[c] * T) + np.exp(-beta[c] * (T - tc)).sum()
        ll[i] = total
    return ll, out_state


def _random_inputs(n=4, t=6, k=3, seed=0):
    rng = np.random.RandomState(seed)
    lags = rng.uniform(0.1, 1.0, (n, t))
    valid = rng.randint(0, t + 1, n).astype(np.float64)
    return [rng.uniform(0.5, 2.0, (n, k)), rng.uniform(0.1, 0.8, k), rng.uniform(0.5, 3.0, k),
            rng.uniform(0, 1, (n, k)), lags, rng.randint(0, k, (n, t)).astype(np.float64), valid,
            lags.sum(1) + rng.uniform(0.1, 2.0, n)]


def test_log_likelihood_follows_its_definition():
    values = _random_inputs()
    ll, state = mx.nd.contrib.hawkesll(*[mx.nd.array(v, dtype="float64") for v in values])
    want_ll, want_state = _reference(*values)
    np.testing.assert_allclose(ll.asnumpy(), want_ll, rtol=1e-10)
    np.testing.assert_allclose(state.asnumpy(), want_state, rtol=1e-10)


def test_padding_past_valid_length_is_never_read():
    values = _random_inputs(n=3, t=5)
    values[6] = np.array([2.0, 0.0, 3.0])
    padded = [v.copy() for v in values]
    padded[4][:, 3:] = 1e6  # lags
    padded[5][:, 3:] = -7  # marks that are no mark id
    padded[5][1, :] = 99
    a = mx.nd.contrib.hawkesll(*[mx.nd.array(v, dtype="float64") for v in values])
    b = mx.nd.contrib.hawkesll(*[mx.nd.array(v, dtype="float64") for v in padded])
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.asnumpy(), y.asnumpy())


def test_gradient_matches_finite_differences_and_ignores_out_state():
    values = _random_inputs(seed=1)
    nd = [mx.nd.array(v, dtype="float64") for v in values]
    for a in nd[:4]:
        a.attach_grad()
    head = np.random.RandomState(2).uniform(-1, 1, 4)
    with mx.autograd.record():
        ll, state = mx.nd.contrib.hawkesll(*nd)
    # As in MXNet, out_state's head gradient is ignored and state gets no gradient.
    mx.autograd.backward([ll, state], [mx.nd.array(head, dtype="float64"), mx.nd.ones(state.shape, dtype="float64")])
    for which in range(3):
        numeric = np.zeros_like(values[which])
        for idx in np.ndindex(values[which].shape):
            plus = [v.copy() for v in values]
            minus = [v.copy() for v in values]
            plus[which][idx] += 1e-6
            minus[which][idx] -= 1e-6
            numeric[idx] = (head @ _reference(*plus)[0] - head @ _reference(*minus)[0]) / 2e-6
        np.testing.assert_allclose(nd[which].grad.asnumpy(), numeric, rtol=1e-5, atol=1e-7)
    assert not nd[3].grad.asnumpy().any()


def _with(index, value):
    args = _example()
    args[index] = value
    return lambda: [o.wait_to_read() for o in mx.nd.contrib.hawkesll(*args)]


@pytest.mark.parametrize("call,message", [
    (_with(0, mx.nd.ones(2)), "input 'lda' must be 2-D (N, K), got shape (2,)"),
    (_with(4, mx.nd.ones(2)), "input 'lags' must be 2-D (N, T), got shape (2,)"),
    (_with(1, mx.nd.ones(3)), "alpha"),
    (_with(3, mx.nd.ones((2, 2))), "state"),
    (_with(5, mx.nd.zeros((1, 3))), "marks"),
    (_with(7, mx.nd.ones((1, 1))), "max_time"),
    (_with(1, mx.nd.ones(2, dtype="float64")), "input 'alpha' must have lda's dtype float32, got float64"),
    (_with(5, mx.nd.array([[0, 2]])), "marks[0, 1] = 2 is not a mark id in [0, K) = [0, 2)"),
    (_with(5, mx.nd.array([[0, 0.5]])), "marks[0, 1] = 0.5 is not a mark id"),
    (_with(6, mx.nd.array([3])), "valid_length[0] = 3 must lie in [0, T] = [0, 2]"),
    (_with(6, mx.nd.array([-1])), "valid_length[0] = -1"),
])
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(mx.base.MXNetError, match=re.escape("_contrib_hawkesll") + ".*" + re.escape(message)):
        call()


def test_backward_operator_checks_its_inputs():
    args = [x for x in _example()]
    with pytest.raises(mx.base.MXNetError, match="_backward_contrib_hawkesll"):
        for out in mx.nd.invoke("_backward_contrib_hawkesll", [mx.nd.ones(2)] + args):
            out.wait_to_read()
