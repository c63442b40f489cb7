"""gluon.contrib.estimator against MXNet 1.9.1: fitting a tiny network on synthetic data with
fixed initial parameters (checkpoints with save_best and max_checkpoints, batch-interval
logging, validation, early stopping, training by batches, resuming from a checkpoint) gives
the log lines, trained parameters, metric values, checkpoint files and errors that
tools/golden/make_estimator_golden.py recorded under the oracle."""
import importlib.util
import json
import pathlib

import minerva as mx
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "api" / "estimator.json").read_text())
_spec = importlib.util.spec_from_file_location("make_estimator_golden", ROOT / "tools" / "golden" /
                                               "make_estimator_golden.py")
_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_golden)
NUMERIC = {"fit_params", "batches_params", "fit_train_metrics", "fit_val_metrics", "evaluate_metrics"}


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    return _golden.outcomes(mx, str(tmp_path_factory.mktemp("estimator")))


def _close(a, b):
    if isinstance(a, str):
        assert a == b
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y)
    else:
        assert a == pytest.approx(b, rel=1e-4, abs=1e-5)


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_matches_mxnet(ours, key):
    if key in NUMERIC:
        _close(ours[key], GOLDEN[key])
    elif key == "resume":
        assert ours[key][0] == GOLDEN[key][0] and ours[key][2] == GOLDEN[key][2]
        _close(ours[key][1], GOLDEN[key][1])
    else:
        assert ours[key] == GOLDEN[key]


def test_default_trainer_and_custom_batch_processor(tmp_path):
    class Doubling(mx.gluon.contrib.estimator.BatchProcessor):
        calls = 0

        def fit_batch(self, estimator, train_batch, batch_axis=0):
            Doubling.calls += 1
            return super().fit_batch(estimator, train_batch, batch_axis)

    net = mx.gluon.nn.Dense(2, in_units=3)
    with pytest.warns(UserWarning, match="default SGD optimizer with learning rate 0.001"):
        est = mx.gluon.contrib.estimator.Estimator(net, mx.gluon.loss.SoftmaxCrossEntropyLoss(),
                                                   batch_processor=Doubling())
    assert est.trainer.learning_rate == 0.001 and est.context == [mx.cpu()]
    x = np.random.rand(8, 3).astype(np.float32)
    loader = mx.gluon.data.DataLoader(mx.gluon.data.ArrayDataset(x, np.zeros(8, np.float32)), batch_size=4)
    before = net.weight.data().asnumpy().copy()
    est.fit(loader, batches=3)
    assert Doubling.calls == 3 and not np.array_equal(before, net.weight.data().asnumpy())
