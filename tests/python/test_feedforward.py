"""mx.model.FeedForward against MXNet 1.9.1: the same script (tools/golden/feedforward_scenario.py)
trains an MLP on scikit-learn's digits from the same initial parameters and seed in both, and
every number it records must agree: callbacks, trained weights, predict/score, save/load, the
functional create with epoch_size, and resuming from a checkpoint."""
import importlib.util
import os
import pathlib
import pickle
import warnings

import minerva as mx
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("feedforward_scenario",
                                               ROOT / "tools" / "golden" / "feedforward_scenario.py")
scenario = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenario)
EXPECTED = dict(np.load(ROOT / "tests" / "golden" / "feedforward" / "digits.npz"))


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    if not os.path.exists(scenario.digits_path()):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{scenario.digits_path()} is missing (tools/fetch_data.sh installs it)")
        pytest.skip("the digits data set is not installed (tools/fetch_data.sh installs it)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return scenario.run(mx, scenario.load_digits(), str(tmp_path_factory.mktemp("ff")))


def test_same_keys(results):
    assert sorted(results) == sorted(EXPECTED)


@pytest.mark.parametrize("key", ["batch_calls", "eval_calls", "predict_label", "loaded_begin_epoch",
                                 "resumed_epochs"])
def test_callbacks_and_bookkeeping_equal(results, key):
    np.testing.assert_allclose(results[key], EXPECTED[key], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("key", ["epoch_calls", "fc1_weight", "fc2_bias", "predict", "predict_iter",
                                 "predict_data_rows", "predict_2_batches", "score", "score_ce", "loaded_predict",
                                 "create_predict", "resumed_predict"])
def test_numbers_match_mxnet(results, key):
    assert results[key].shape == EXPECTED[key].shape
    np.testing.assert_allclose(results[key], EXPECTED[key], rtol=1e-4, atol=2e-5)


def test_trains_to_a_useful_accuracy(results):
    _, _, _, y_te = scenario.load_digits()
    assert (results["predict"].argmax(axis=1) == y_te).mean() > 0.8  # 0.864 in MXNet after these 4 epochs


def _model(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return mx.model.FeedForward(scenario.mlp(mx), **kwargs)


def test_initializer_fills_missing_parameters_and_pickles():
    x = np.random.RandomState(0).rand(20, 64).astype(np.float32)
    y = np.arange(20) % 10
    model = _model(num_epoch=1, numpy_batch_size=8, initializer=mx.init.Xavier(),
                   arg_params={"fc2_bias": mx.nd.ones((10,))})
    model.fit(x, y, eval_end_callback=None)
    assert sorted(model.arg_params) == sorted(scenario.SHAPES)
    assert {k: v.shape for k, v in model.arg_params.items()} == scenario.SHAPES
    assert float(np.abs(model.arg_params["fc1_weight"].asnumpy()).sum()) > 0
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)


def test_deprecation_warning_and_errors():
    with pytest.warns(DeprecationWarning, match="FeedForward has been deprecated"):
        mx.model.FeedForward(scenario.mlp(mx))
    model = _model(num_epoch=1)
    x = np.zeros((4, 64), np.float32)
    with pytest.raises(ValueError, match="y must be specified"):
        model.fit(x)
    with pytest.raises(ValueError, match="numbers of data points and labels not equal"):
        model.fit(x, np.zeros(3))
    with pytest.raises(TypeError, match="X must be DataIter"):
        model.fit([[0.0] * 64], np.zeros(1))
    with pytest.raises(ValueError, match="no parameters yet"):
        model.predict(x)
    with pytest.raises(ValueError, match="num_epoch"):
        _model().fit(x, np.zeros(4))
    with pytest.raises(mx.base.MXNetError, match="one context"):
        _model(num_epoch=1, ctx=[mx.cpu(0), mx.cpu(1)]).fit(x, np.zeros(4))
    with pytest.raises(TypeError, match="symbol must be a Symbol"), pytest.warns(DeprecationWarning):
        mx.model.FeedForward(3)
