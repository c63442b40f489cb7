"""LAMB, LARS and LBSGD against MXNet 1.9.1 over a few steps (tests/golden/optim/large_batch_golden.json,
made by tools/golden/make_optimizer_large_batch_golden.py): weights and optimizer states after each step."""
import json
import pathlib

import minerva as mx
import numpy as np
import pytest

GOLDEN = pathlib.Path(__file__).resolve().parents[1] / "golden/optim/large_batch_golden.json"
CASES = json.loads(GOLDEN.read_text())["optimizers"]


def _flat(state):
    if state is None:
        return []
    if isinstance(state, mx.nd.NDArray):
        return list(state.asnumpy().astype(np.float32).ravel())
    if state and isinstance(state[0], (int, float)):
        return list(state)
    return [x for s in state for x in _flat(s)]


def _int_keys(d):
    return {int(k): v for k, v in d.items()}


def _make(case):
    kwargs = dict(case["kwargs"])
    if "param_idx2name" in kwargs:
        kwargs["param_idx2name"] = _int_keys(kwargs["param_idx2name"])
    setup = case["setup"]
    if "scheduler" in setup:
        kwargs["lr_scheduler"] = mx.lr_scheduler.FactorScheduler(**setup["scheduler"])
    opt = mx.optimizer.create(case["optimizer"], **kwargs)
    if "lr_mult" in setup:
        opt.set_lr_mult(_int_keys(setup["lr_mult"]))
    return opt


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_update_matches_mxnet(case):
    opt = _make(case)
    updater = mx.optimizer.get_updater(opt)
    shapes, dtype = case["shapes"], case["dtype"]
    tol = {"rtol": 2e-3, "atol": 1e-3} if dtype == "float16" else {"rtol": 1e-5, "atol": 1e-6}
    weights = [mx.nd.array(np.array(w, np.float32).reshape(s), dtype=dtype) for w, s in zip(case["weights0"], shapes)]
    for k, expected in enumerate(case["steps"]):
        for i, w in enumerate(weights):
            updater(i, mx.nd.array(np.array(case["grads"][k][i], np.float32).reshape(shapes[i]), dtype=dtype), w)
        for i, w in enumerate(weights):
            np.testing.assert_allclose(w.asnumpy().astype(np.float32).ravel(), expected["weights"][i], **tol,
                                       err_msg=f"{case['name']} step {k} weight {i}")
            np.testing.assert_allclose(np.array(_flat(updater.states[i]), np.float32),
                                       np.array(_flat(expected["states"][i]), np.float32), **tol,
                                       err_msg=f"{case['name']} step {k} state {i}")
        assert opt.num_update == expected["num_update"]


def test_registered_and_reachable_as_in_mxnet():
    for name, cls in (("lamb", mx.optimizer.LAMB), ("lars", mx.optimizer.LARS), ("lbsgd", mx.optimizer.LBSGD)):
        assert isinstance(mx.optimizer.create(name), cls)
        assert getattr(mx.optimizer.optimizer, cls.__name__) is cls


def test_lamb_updates_a_list_of_weights_with_the_fused_operator():
    # A list goes through _multi_lamb_update; one weight at a time through the two phases: the same result.
    rng = np.random.RandomState(5)
    shapes = [(3,), (2, 2)]
    w0 = [rng.uniform(-1, 1, s).astype(np.float32) for s in shapes]
    g0 = [rng.uniform(-1, 1, s).astype(np.float32) for s in shapes]
    fused, single = mx.optimizer.LAMB(learning_rate=0.1, wd=0.01), mx.optimizer.LAMB(learning_rate=0.1, wd=0.01)
    wf, ws = [mx.nd.array(w) for w in w0], [mx.nd.array(w) for w in w0]
    sf = [fused.create_state(i, w) for i, w in enumerate(wf)]
    ss = [single.create_state(i, w) for i, w in enumerate(ws)]
    fused.update([0, 1], wf, [mx.nd.array(g) for g in g0], sf)
    for i in range(2):
        single.update(i, ws[i], mx.nd.array(g0[i]), ss[i])
    for a, b in zip(wf, ws):
        np.testing.assert_allclose(a.asnumpy(), b.asnumpy(), rtol=1e-5, atol=1e-6)
