"""The multi-tensor optimizer updates against MXNet 1.9.1 (tests/golden/optim/multi_ops.json, made by
tools/golden/make_optimizer_multi_golden.py): the updated weights and every input updated in place, plus
the operators' errors on bad input."""
import json
import pathlib
import re

import minerva as mx
import numpy as np
import pytest

GOLDEN = pathlib.Path(__file__).resolve().parents[1] / "golden/optim/multi_ops.json"
CASES = json.loads(GOLDEN.read_text())["cases"]


# MXNet's _adamw_update also writes the rescaled, clipped gradient into its grad input, a side effect
# Minerva leaves out (as it does for AdaDelta; docs/optim.md): the caller's gradient stays as it was.
_MXNET_SIDE_EFFECTS = {("_adamw_update", 1)}


def _inputs(case):
    return [mx.nd.array(np.array(x, dtype=d).reshape(s), dtype=d)
            for x, s, d in zip(case["inputs"], case["shapes"], case["dtypes"])]


def _params(case):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in case["params"].items()}


def _tol(case):
    # Cases with float16 weights: MXNet accumulates norms and updates in float32 from float16 values.
    return {"rtol": 2e-3, "atol": 2e-3} if "float16" in case["dtypes"] else {"rtol": 1e-5, "atol": 1e-6}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_mxnet_with_out(case):
    inputs = _inputs(case)
    fn = getattr(mx.nd, case["op"], None) or getattr(mx.nd._internal, case["op"])
    outs = fn(*inputs, **_params(case))
    outs = outs if isinstance(outs, list) else [outs]
    assert len(outs) == len(case["outputs"])
    for k, (o, expected) in enumerate(zip(outs, case["outputs"])):
        np.testing.assert_allclose(o.asnumpy().astype(np.float64).ravel(), expected, **_tol(case),
                                   err_msg=f"{case['name']} output {k}")
    for k, (x, expected) in enumerate(zip(inputs, case["inputs_after"])):
        if (case["op"], k) in _MXNET_SIDE_EFFECTS:
            continue
        np.testing.assert_allclose(x.asnumpy().astype(np.float64).ravel(), expected, **_tol(case),
                                   err_msg=f"{case['name']} input {k} after the update")


@pytest.mark.parametrize("case", CASES[:2], ids=[c["name"] for c in CASES[:2]])
def test_out_equal_to_weights_runs_in_place(case):
    inputs = _inputs(case)
    group = len(inputs) // len(case["outputs"])
    weights = inputs[::group]
    fn = getattr(mx.nd, case["op"])
    fn(*inputs, out=weights, **_params(case))
    for k, (w, expected) in enumerate(zip(weights, case["outputs"])):
        np.testing.assert_allclose(w.asnumpy().ravel(), expected, rtol=1e-5, atol=1e-6, err_msg=f"weight {k}")


def test_symbol_input_names_and_outputs():
    s = mx.sym.multi_mp_sgd_mom_update(num_weights=2, lrs=(0.1, 0.2), wds=(0, 0), name="m")
    # The inputs updated in place are auxiliary states, as in MXNet (whose list_arguments agrees).
    assert s.list_arguments() == ["m_weight_0", "m_grad_0", "m_weight_1", "m_grad_1"]
    assert s.list_auxiliary_states() == ["m_mom_0", "m_weight32_0", "m_mom_1", "m_weight32_1"]
    assert len(s.list_outputs()) == 2
    p = mx.sym.preloaded_multi_sgd_update(num_weights=1, name="p")
    assert p.list_arguments() == ["p_weight_0", "p_grad_0", "p_lrs", "p_wds"]


def test_num_weights_is_counted_from_the_inputs():
    w, g = mx.nd.ones((2,)), mx.nd.ones((2,))
    out = mx.nd.multi_sgd_update(w, g, w, g, lrs=(0.5, 0.25), wds=(0, 0))
    np.testing.assert_allclose(out[0].asnumpy(), [0.5, 0.5])
    np.testing.assert_allclose(out[1].asnumpy(), [0.75, 0.75])


def test_adamw_skips_the_step_on_a_zero_or_non_finite_scale():
    contrib = mx.nd.contrib
    for scale in (0.0, float("inf"), float("nan")):
        w, g, m, v = mx.nd.array([0.5, -1.0]), mx.nd.array([1.0, 2.0]), mx.nd.zeros((2,)), mx.nd.ones((2,))
        out = contrib.adamw_update(w, g, m, v, rescale_grad=scale, lr=0.1, eta=1.0, wd=0.1)
        np.testing.assert_array_equal(out.asnumpy(), [0.5, -1.0])
        np.testing.assert_array_equal(m.asnumpy(), [0, 0])
        np.testing.assert_array_equal(v.asnumpy(), [1, 1])
    outs = contrib.multi_adamw_update([w], [g], [m], [v], rescale_grad=mx.nd.array([np.inf]), lrs=[0.1], wds=[0],
                                      etas=[1])
    np.testing.assert_array_equal(outs.asnumpy() if not isinstance(outs, list) else outs[0].asnumpy(), [0.5, -1.0])


def test_reset_arrays_zeroes_in_place_and_returns_nothing():
    a, b = mx.nd.ones((2, 3)), mx.nd.ones((4,))
    assert mx.nd.reset_arrays(a, b, num_arrays=2) == []
    assert a.asnumpy().sum() == 0 and b.asnumpy().sum() == 0


def test_multi_all_finite_keeps_out_without_init_output():
    out = mx.nd.array([5.0])
    mx.nd.multi_all_finite(mx.nd.ones((3,)), num_arrays=1, init_output=False, out=out)
    assert out.asnumpy()[0] == 5.0
    mx.nd.multi_all_finite(mx.nd.array([np.inf]), num_arrays=1, init_output=False, out=out)
    assert out.asnumpy()[0] == 0.0


@pytest.mark.parametrize("call, message", [
    (lambda w: mx.nd.multi_sgd_update(w, w, w, w, lrs=(0.1,), wds=(0, 0), num_weights=2),
     "parameter 'lrs' holds 1 value(s), expected 2"),
    (lambda w: mx.nd.multi_sgd_update(w, w, lrs="(0.1, x)", wds=(0,), num_weights=1),
     "parameter 'lrs' expects a tuple of floats"),
    (lambda w: mx.nd.multi_sgd_update(w, mx.nd.ones((3,)), lrs=(0.1,), wds=(0,), num_weights=1),
     "shape mismatch for input 'grad_0'"),
    (lambda w: mx.nd.multi_sgd_update(w, w, w, lrs=(0.1,), wds=(0,), num_weights=1),
     "multi_sgd_update expects 2 input(s)"),
    (lambda w: mx.nd.multi_mp_sgd_update(w, w, w.astype("float16"), lrs=(0.1,), wds=(0,), num_weights=1),
     "input 'weight32_0' must be float32"),
    (lambda w: mx.nd.preloaded_multi_sgd_update(w, w, mx.nd.ones((2,)), mx.nd.ones((1,)), num_weights=1),
     "input 'lrs' (one value per tensor)"),
    (lambda w: mx.nd._internal._multi_lamb_update(w, w, w, w, learning_rates=(0.1,), wds=(0,), step_count=(0,)),
     "'step_count' entries must be >= 1"),
    (lambda w: mx.nd.multi_sum_sq(w, w.astype("float64"), num_arrays=2), "has dtype float64"),
    (lambda w: mx.nd.lamb_update_phase2(w, w, mx.nd.ones((2,)), mx.nd.ones((1,)), lr=0.1),
     "input 'r1' must have shape (1,)"),
])
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(mx.base.MXNetError, match=re.escape(message)):
        _force(call(mx.nd.ones((2,))))
    _drain_async_errors()


def _drain_async_errors():
    # An error raised inside the engine is reported at the next wait on the array and once more by
    # waitall; consume it here so it does not surface in a later, unrelated test.
    try:
        mx.nd.waitall()
    except mx.base.MXNetError:
        pass


def _force(result):
    for r in result if isinstance(result, list) else [result]:
        r.wait_to_read()
