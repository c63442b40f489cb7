"""mx.contrib.svrg_optimization against MXNet 1.9.1: tools/golden/make_contrib_svrg_golden.py ran
outcomes() with the oracle (SVRGModule fitting a linear regression from fixed initial parameters);
this runs it with Minerva and compares weights epoch by epoch, the full-gradient averages, the
optimizer's routing and the update_freq errors. Plus the routing of _SVRGOptimizer itself."""
import importlib.util
import json
import os

import numpy as np
import pytest

import minerva as mx
from minerva.contrib.svrg_optimization.svrg_optimizer import _AssignmentOptimizer, _SVRGOptimizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = os.path.join(ROOT, "tests", "golden", "api", "contrib_svrg.json")


@pytest.fixture(scope="module")
def pair():
    spec = importlib.util.spec_from_file_location(
        "make_contrib_svrg_golden", os.path.join(ROOT, "tools", "golden", "make_contrib_svrg_golden.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with open(GOLDEN) as f:
        expected = json.load(f)
    return expected, json.loads(json.dumps(module.outcomes(mx)))


@pytest.mark.parametrize("setting", ["sgd_freq2", "sgd_freq1_padded", "momentum_wd"])
def test_svrg_fit_matches_mxnet(pair, setting):
    expected, got = pair
    exp, res = expected[setting], got[setting]
    assert len(res["epochs"]) == len(exp["epochs"])
    for epoch, (e, r) in enumerate(zip(exp["epochs"], res["epochs"])):
        for name in e:
            np.testing.assert_allclose(r[name], e[name], rtol=1e-4, atol=1e-5, err_msg=f"{setting} epoch {epoch}")
    for name in exp["full_grads"]:
        np.testing.assert_allclose(res["full_grads"][name], exp["full_grads"][name], rtol=1e-4, atol=1e-5)
    assert res["idx2name"] == exp["idx2name"]
    assert res["default_opt"] == exp["default_opt"]
    np.testing.assert_allclose(res["rescale_grad"], exp["rescale_grad"])
    np.testing.assert_allclose(res["score"], exp["score"], rtol=1e-4)


def test_update_freq_errors_and_param_split_match_mxnet(pair):
    expected, got = pair
    assert got["errors"] == expected["errors"]
    assert got["check_params"] == expected["check_params"]


def test_svrg_optimizer_routes_full_keys_to_assignment():
    names = {0: "fc_weight", 1: "fc_weight_full"}
    opt = mx.optimizer.create("_SVRGOptimizer", default_optimizer="sgd", learning_rate=0.5, momentum=0.9,
                              param_idx2name=names)
    assert isinstance(opt, _SVRGOptimizer) and isinstance(opt.aux_opt, _AssignmentOptimizer)
    assert opt.default_opt.momentum == 0.9 and opt.lr == 0.5
    weight, grad = mx.nd.array([1.0, 2.0]), mx.nd.array([0.5, -1.0])
    opt.update(1, weight, grad, opt.create_state(1, weight))  # "full": the weight becomes the gradient
    np.testing.assert_array_equal(weight.asnumpy(), [0.5, -1.0])
    weight = mx.nd.array([1.0, 2.0])
    state = opt.create_state(0, weight)
    assert state is not None  # SGD momentum
    opt.update("fc_weight", weight, grad, state)  # a name (KVStore string key) works as an index
    np.testing.assert_allclose(weight.asnumpy(), [0.75, 2.5])
    with pytest.raises(KeyError, match="index 7 is not in param_idx2name"):
        opt.update(7, weight, grad, state)


def test_forward_without_training_leaves_snapshot_alone():
    data = mx.sym.Variable("data")
    net = mx.sym.LinearRegressionOutput(mx.sym.FullyConnected(data, num_hidden=1, name="fc"),
                                        label=mx.sym.Variable("lin_reg_label"))
    mod = mx.contrib.svrg_optimization.svrg_module.SVRGModule(net, label_names=["lin_reg_label"], update_freq=1)
    mod.bind([("data", (2, 3))], [("lin_reg_label", (2,))], for_training=False)
    assert not mod._mod_aux.binded  # MXNet binds the snapshot for training only
    mod.init_params()
    mod.forward(mx.io.DataBatch([mx.nd.ones((2, 3))], [mx.nd.zeros((2,))]))
    assert mod.get_outputs()[0].shape == (2, 1)
