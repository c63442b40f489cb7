"""AdamW updates (mx.nd.contrib.adamw_update / mp_adamw_update and their _adamw_update operators),
the legacy fill_element_0index, and mx.nd.op.CachedOp. Three chained AdamW steps, with the
in-place states, are checked against tests/golden/optim/adamw_steps.json (made under MXNet 1.9.1
by tools/golden/make_adamw_golden.py); single calls are in tests/golden/ops/small_ops.json."""
import json
import pathlib

import minerva as mx
import numpy as np
import pytest

_STEPS = json.loads((pathlib.Path(__file__).resolve().parents[1] / "golden/optim/adamw_steps.json").read_text())


@pytest.mark.parametrize("scenario", _STEPS["scenarios"], ids=lambda s: "mp" if s["multi_precision"] else "plain")
def test_adamw_three_steps_match_mxnet(scenario):
    wdtype = scenario["weight_dtype"]
    w0 = np.array(scenario["w0"], dtype=np.float32)
    weight = mx.nd.array(w0, dtype=wdtype)
    mean, var, weight32 = mx.nd.zeros(w0.shape), mx.nd.zeros(w0.shape), mx.nd.array(w0)
    tol = 2e-3 if wdtype == "float16" else 1e-5
    for step, (g, r, want) in enumerate(zip(scenario["grads"], scenario["rescale_grad"], scenario["steps"])):
        grad = mx.nd.array(np.array(g, dtype=np.float32), dtype=wdtype)
        if scenario["multi_precision"]:
            out = mx.nd.contrib.mp_adamw_update(weight, grad, mean, var, weight32, r, out=weight, **scenario["params"])
            # The kernel steps in double; MXNet steps the float32 master weight in float32, so three
            # steps drift apart by a few float32 ulps (2e-6 on 0.1).
            np.testing.assert_allclose(weight32.asnumpy(), want["weight32"], rtol=1e-4, atol=1e-6,
                                       err_msg=f"weight32 after step {step}")
        else:
            out = mx.nd.contrib.adamw_update(weight, grad, mean, var, r, out=weight, **scenario["params"])
        assert out is weight
        assert weight.dtype == np.dtype(wdtype)
        np.testing.assert_allclose(weight.asnumpy().astype(np.float32), want["weight"], rtol=tol, atol=tol,
                                   err_msg=f"weight after step {step}")
        np.testing.assert_allclose(mean.asnumpy(), want["mean"], rtol=1e-5, atol=1e-6, err_msg=f"mean, step {step}")
        np.testing.assert_allclose(var.asnumpy(), want["var"], rtol=1e-5, atol=1e-7, err_msg=f"var, step {step}")


@pytest.mark.parametrize("bad", [0.0, float("nan"), float("inf")])
def test_adamw_skip_leaves_everything_and_fills_a_fresh_output(bad):
    w = mx.nd.array([1.0, -2.0, 3.0])
    mean, var = mx.nd.array([0.1, 0.2, 0.3]), mx.nd.array([0.01, 0.02, 0.03])
    out = mx.nd.contrib.adamw_update(w, mx.nd.ones(3), mean, var, mx.nd.array([bad]), lr=0.1, eta=1.0)
    # MXNet leaves the output unwritten; Minerva gives it the unchanged weight rather than garbage.
    np.testing.assert_array_equal(out.asnumpy(), [1.0, -2.0, 3.0])
    np.testing.assert_allclose(mean.asnumpy(), [0.1, 0.2, 0.3])
    np.testing.assert_allclose(var.asnumpy(), [0.01, 0.02, 0.03])


def test_adamw_takes_rescale_grad_as_array_or_number():
    def step(r):
        w, mean, var = mx.nd.array([0.5, -0.5]), mx.nd.zeros(2), mx.nd.zeros(2)
        return mx.nd.contrib.adamw_update(w, mx.nd.array([1.0, 2.0]), mean, var, r, lr=0.1, eta=1.0, wd=0.01).asnumpy()
    np.testing.assert_array_equal(step(0.5), step(mx.nd.array([0.5])))
    # mean = 0.1 * g * r, var = 0.001 * (g * r)^2: the step is lr * 0.1 / sqrt(0.001) plus weight decay.
    expected = np.array([0.5, -0.5]) - (0.1 * 0.1 / np.sqrt(0.001) * np.array([1, 1]) + 0.01 * np.array([0.5, -0.5]))
    np.testing.assert_allclose(step(0.5), expected, rtol=1e-4)


def test_adamw_bad_input_errors():
    w, g, m, v = (mx.nd.ones((2, 3)) for _ in range(4))
    with pytest.raises(mx.base.MXNetError, match="_adamw_update.*rescale_grad"):
        mx.nd._internal._adamw_update(w, g, m, v, mx.nd.ones((2,)), lr=0.1, eta=1.0).wait_to_read()
    with pytest.raises(mx.base.MXNetError, match="_adamw_update.*var"):
        mx.nd._internal._adamw_update(w, g, m, mx.nd.ones((3, 2)), mx.nd.ones((1,)), lr=0.1, eta=1.0).wait_to_read()
    with pytest.raises(mx.base.MXNetError, match="eta"):
        mx.nd._internal._adamw_update(w, g, m, v, mx.nd.ones((1,)), lr=0.1).wait_to_read()
    with pytest.raises(mx.base.MXNetError, match="_mp_adamw_update.*mean.*float32"):
        h = mx.nd.ones((2, 3), dtype="float16")
        mx.nd._internal._mp_adamw_update(h, h, h, h, w, mx.nd.ones((1,)), lr=0.1, eta=1.0).wait_to_read()


def test_adamw_symbol_runs_like_ndarray():
    names = ["weight", "grad", "mean", "var"]
    sym = mx.sym.contrib.adamw_update(*[mx.sym.var(n) for n in names], 0.5, lr=0.1, eta=0.5, wd=0.1)
    rng = np.random.RandomState(0)
    vals = {n: rng.uniform(0.1, 1, (2, 3)).astype(np.float32) for n in names}
    # mean and var are written in place, so they are the symbol's auxiliary states. (MXNet 1.9.1's own
    # symbol wrapper fails at composition with "Not enough argument"; Minerva's builds.)
    assert sym.list_auxiliary_states() == ["mean", "var"]
    exe = sym.bind(mx.cpu(), {n: mx.nd.array(vals[n]) for n in sym.list_arguments() if n in vals},
                   aux_states={n: mx.nd.array(vals[n]) for n in ["mean", "var"]})
    got = exe.forward()[0].asnumpy()
    want = mx.nd.contrib.adamw_update(*[mx.nd.array(vals[n]) for n in names], 0.5, lr=0.1, eta=0.5, wd=0.1)
    np.testing.assert_allclose(got, want.asnumpy(), rtol=1e-6)


def test_adamw_names_where_mxnet_has_them():
    assert mx.nd.register.adamw_update is mx.nd.contrib.adamw_update
    assert mx.nd.register.mp_adamw_update is mx.nd.contrib.mp_adamw_update
    assert mx.sym.register.adamw_update is mx.sym.contrib.adamw_update
    assert "adamw_update" not in mx.nd.contrib.__all__  # as MXNet's star import


def test_fill_element_0index():
    lhs = mx.nd.array([[1, 2, 3], [4, 5, 6]])
    out = mx.nd.fill_element_0index(lhs, mx.nd.array([10, 20]), mx.nd.array([2, 0]))
    np.testing.assert_array_equal(out.asnumpy(), [[1, 2, 10], [20, 5, 6]])
    np.testing.assert_array_equal(lhs.asnumpy(), [[1, 2, 3], [4, 5, 6]])  # out-of-place leaves lhs alone
    sym = mx.sym.fill_element_0index(mx.sym.var("a"), mx.sym.var("b"), mx.sym.var("c"))
    assert sym.list_arguments() == ["a", "b", "c"]
    assert sym.infer_shape(a=(2, 3))[1] == [(2, 3)]


def test_fill_element_0index_bad_input():
    lhs = mx.nd.ones((2, 3))
    with pytest.raises(mx.base.MXNetError, match="fill_element_0index.*rhs\\[0\\] = 3.*3 columns"):
        mx.nd.fill_element_0index(lhs, mx.nd.ones(2), mx.nd.array([3, 0])).wait_to_read()
    with pytest.raises(mx.base.MXNetError, match="fill_element_0index.*rhs\\[1\\] = -1"):
        mx.nd.fill_element_0index(lhs, mx.nd.ones(2), mx.nd.array([0, -1])).wait_to_read()
    with pytest.raises(mx.base.MXNetError, match="fill_element_0index.*mhs"):
        mx.nd.fill_element_0index(lhs, mx.nd.ones(3), mx.nd.array([0, 1])).wait_to_read()
    with pytest.raises(mx.base.MXNetError, match="fill_element_0index.*lhs"):
        mx.nd.fill_element_0index(mx.nd.ones((2, 3, 1)), mx.nd.ones(2), mx.nd.ones(2)).wait_to_read()


def test_nd_op_exports_cached_op():
    assert mx.nd.op.CachedOp is mx.nd.CachedOp
