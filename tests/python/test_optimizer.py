"""mx.optimizer against MXNet 1.9.1's updates (tests/golden/optim, made by
tools/golden/make_optimizer_golden.py), plus the registry and Updater state round trips."""
import json
import pathlib
import pickle

import numpy as np
import pytest

import minerva as mx

GOLDEN = pathlib.Path(__file__).resolve().parents[1] / "golden/optim/optimizer_golden.json"
CASES = json.loads(GOLDEN.read_text())["optimizers"]


def _flat_state(state):
    if state is None:
        return []
    if isinstance(state, mx.nd.NDArray):
        return list(state.asnumpy().astype(np.float32).ravel())
    return [x for s in state for x in _flat_state(s)]


def _flat_json(state):
    if state is None:
        return []
    if state and isinstance(state[0], (int, float)):
        return list(state)
    return [x for s in state for x in _flat_json(s)]


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
    if "wd_mult" in setup:
        opt.set_wd_mult(_int_keys(setup["wd_mult"]))
    return opt


def _array(values, shape, dtype):
    return mx.nd.array(np.array(values, np.float32).reshape(shape), dtype=dtype)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_update_matches_mxnet(case):
    opt = _make(case)
    updater = mx.optimizer.get_updater(opt)
    shapes, dtype = case["shapes"], case["dtype"]
    weights = [_array(w, s, dtype) for w, s in zip(case["weights0"], shapes)]
    for k, expected in enumerate(case["steps"]):
        for i, w in enumerate(weights):
            updater(i, _array(case["grads"][k][i], shapes[i], dtype), w)
        for i, w in enumerate(weights):
            got = w.asnumpy().astype(np.float32).ravel()
            np.testing.assert_allclose(got, expected["weights"][i], rtol=1e-5, atol=1e-6,
                                       err_msg=f"{case['name']} step {k} weight {i}")
            got_state = np.array(_flat_state(updater.states[i]), np.float32)
            want_state = np.array(_flat_json(expected["states"][i]), np.float32)
            assert got_state.shape == want_state.shape
            np.testing.assert_allclose(got_state, want_state, rtol=1e-5, atol=1e-6,
                                       err_msg=f"{case['name']} step {k} state {i}")
        assert opt.num_update == expected["num_update"]


def test_create_is_case_insensitive_and_registered():
    assert isinstance(mx.optimizer.create("SGD"), mx.optimizer.SGD)
    assert isinstance(mx.optimizer.create("AdaM", learning_rate=0.1), mx.optimizer.Adam)
    assert mx.optimizer.create("adam", learning_rate=0.1).learning_rate == 0.1
    assert mx.optimizer.Optimizer.opt_registry["rmsprop"] is mx.optimizer.RMSProp
    assert mx.optimizer.Optimizer.create_optimizer("nag", momentum=0.5).momentum == 0.5
    assert mx.optimizer.optimizer.SGD is mx.optimizer.SGD
    for name in ("sgd", "nag", "adam", "adagrad", "adadelta", "rmsprop", "adamax", "nadam",
                 "ftrl", "signum", "ftml", "dcasgd", "sgld", "test", "ccsgd"):
        assert name in mx.optimizer.Optimizer.opt_registry


def test_defaults_are_mxnets():
    assert mx.optimizer.SGD().learning_rate == 0.01
    adam = mx.optimizer.Adam()
    assert (adam.learning_rate, adam.beta1, adam.beta2, adam.epsilon) == (0.001, 0.9, 0.999, 1e-8)
    rms = mx.optimizer.RMSProp()
    assert (rms.learning_rate, rms.gamma1, rms.gamma2, rms.centered) == (0.001, 0.9, 0.9, False)
    assert mx.optimizer.Ftrl().learning_rate == 0.1
    assert mx.optimizer.Adamax().learning_rate == 0.002
    assert mx.optimizer.Signum().momentum == 0.9
    assert mx.optimizer.AdaDelta().rho == 0.9


def test_unknown_name_lists_registered():
    with pytest.raises(ValueError, match="Cannot find optimizer nosuch.*sgd"):
        mx.optimizer.create("nosuch")


def test_register_custom():
    @mx.optimizer.register
    class HalfStep(mx.optimizer.Optimizer):
        def update(self, index, weight, grad, state):
            weight[:] = weight - 0.5 * grad

    opt = mx.optimizer.create("halfstep")
    w = mx.nd.array([1.0, 2.0])
    mx.optimizer.get_updater(opt)(0, mx.nd.array([2.0, 2.0]), w)
    np.testing.assert_allclose(w.asnumpy(), [0.0, 1.0])
    del mx.optimizer.Optimizer.opt_registry["halfstep"]


def test_learning_rate_and_scheduler():
    opt = mx.optimizer.SGD(learning_rate=0.5)
    opt.set_learning_rate(0.25)
    assert opt.learning_rate == 0.25
    sched = mx.lr_scheduler.FactorScheduler(step=1, factor=0.5, base_lr=1.0)
    opt = mx.optimizer.SGD(lr_scheduler=sched)
    assert opt.lr_scheduler is sched and opt.learning_rate == 1.0
    with pytest.raises(UserWarning):
        opt.set_learning_rate(0.1)


def test_wd_mult_from_idx2name_and_param_dict():
    opt = mx.optimizer.SGD(wd=0.1, param_idx2name={0: "fc_weight", 1: "fc_bias", 2: "bn_gamma"})
    assert [opt._get_wd(i) for i in range(3)] == [0.1, 0.0, 0.1]
    opt.set_lr_mult({"fc_weight": 2.0})
    assert opt._get_lr(0) == pytest.approx(0.02)

    class P:
        lr_mult, wd_mult = 3.0, 0.5
    opt = mx.optimizer.SGD(learning_rate=0.1, wd=0.2, param_dict={0: P()})
    assert opt._get_lr(0) == pytest.approx(0.3) and opt._get_wd(0) == pytest.approx(0.1)
    assert "param_dict" not in opt.__getstate__()


def test_updater_states_round_trip():
    opt = mx.optimizer.create("adam", learning_rate=0.1)
    updater = mx.optimizer.get_updater(opt)
    w = mx.nd.array([1.0, -1.0, 0.5])
    for _ in range(2):
        updater(0, mx.nd.array([0.1, 0.2, -0.3]), w)
    blob = updater.get_states()
    restored = mx.optimizer.get_updater(mx.optimizer.create("adam", learning_rate=0.1))
    restored.set_states(blob)
    mean, var = restored.states[0]
    np.testing.assert_allclose(mean.asnumpy(), updater.states[0][0].asnumpy())
    np.testing.assert_allclose(var.asnumpy(), updater.states[0][1].asnumpy())
    assert restored.states_synced == {0: False}
    w2 = w.copy()
    updater(0, mx.nd.array([0.1, 0.2, -0.3]), w)
    restored.optimizer._index_update_count[0] = 2  # the count travels with the optimizer only
    restored(0, mx.nd.array([0.1, 0.2, -0.3]), w2)
    np.testing.assert_allclose(w2.asnumpy(), w.asnumpy(), rtol=1e-6)

    with_opt = mx.optimizer.get_updater(mx.optimizer.create("sgd"))
    with_opt.set_states(updater.get_states(dump_optimizer=True))
    assert isinstance(with_opt.optimizer, mx.optimizer.Adam)
    assert with_opt.optimizer.num_update == 3
    states, optimizer = pickle.loads(updater.get_states(dump_optimizer=True))
    assert optimizer.learning_rate == 0.1 and set(states) == {0}


def test_updater_accepts_lists():
    opt = mx.optimizer.SGD(learning_rate=0.1, momentum=0.9)
    updater = mx.optimizer.get_updater(opt)
    ws = [mx.nd.array([1.0]), mx.nd.array([2.0, 3.0])]
    updater([0, 1], [mx.nd.array([1.0]), mx.nd.array([1.0, -1.0])], ws)
    np.testing.assert_allclose(ws[0].asnumpy(), [0.9])
    np.testing.assert_allclose(ws[1].asnumpy(), [1.9, 3.1])
    assert opt.num_update == 1 and set(updater.states) == {0, 1}


def test_mults_from_symbol_attributes():
    w = mx.sym.Variable("fc_weight", lr_mult=2.0, wd_mult=0.5)
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), weight=w, num_hidden=3, name="fc")
    opt = mx.optimizer.create("sgd", sym=net, learning_rate=1.0, wd=0.1,
                              param_idx2name={0: "data", 1: "fc_weight", 2: "fc_bias"})
    assert opt._get_lr(1) == 2.0 and opt._get_lr(2) == 1.0
    assert opt._get_wd(1) == pytest.approx(0.05) and opt._get_wd(2) == 0.0


def test_registries_share_one_implementation():
    @mx.optimizer.register
    class QuarterStep(mx.optimizer.SGD):
        pass

    assert isinstance(mx.optimizer.create("QUARTERSTEP"), QuarterStep)
    with pytest.warns(UserWarning, match="overriding existing optimizer"):
        mx.optimizer.register(mx.optimizer.SGD, "quarterstep")
    with pytest.raises(TypeError, match="subclasses of Optimizer"):
        mx.optimizer.register(int)
    del mx.optimizer.Optimizer.opt_registry["quarterstep"]
    assert "quarterstep" not in mx.registry.get_registry(mx.optimizer.Optimizer)
    with pytest.raises(ValueError, match="Cannot find initializer nosuch"):
        mx.init.create('["nosuch", {}]')
