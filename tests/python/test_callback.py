"""mx.callback against MXNet 1.9.1: the log lines of every batch-end and eval-end callback for
a scripted run equal those tools/golden/make_callback_golden.py recorded under the oracle
(speeds masked); the checkpoint callbacks write what load_checkpoint reads back."""
import importlib.util
import json
import pathlib

import minerva as mx
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "api" / "callback.json").read_text())
_spec = importlib.util.spec_from_file_location("make_callback_golden", ROOT / "tools" / "golden" /
                                               "make_callback_golden.py")
_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_golden)


@pytest.fixture(scope="module")
def ours():
    return _golden.outcomes(mx)


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_log_lines_match_mxnet(ours, key):
    assert ours[key] == GOLDEN[key]


def test_star_import_brings_what_mxnet_does():
    namespace = {}
    exec("from minerva.callback import *", namespace)  # noqa: S102
    for name in ("Speedometer", "ProgressBar", "LogValidationMetricsCallback", "do_checkpoint", "module_checkpoint",
                 "log_train_metric", "save_checkpoint", "logging", "math", "time"):
        assert name in namespace, name


def _mlp():
    data = mx.sym.Variable("data")
    fc = mx.sym.FullyConnected(data, num_hidden=3, name="fc")
    return mx.sym.SoftmaxOutput(fc, name="softmax")


def test_do_checkpoint_writes_every_period(tmp_path):
    sym = _mlp()
    arg = {"fc_weight": mx.nd.ones((3, 4)), "fc_bias": mx.nd.zeros((3,))}
    callback = mx.callback.do_checkpoint(str(tmp_path / "net"), period=2)
    for epoch in range(4):
        callback(epoch, sym, arg, {})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net-0002.params", "net-0004.params", "net-symbol.json"]
    _, loaded, _ = mx.model.load_checkpoint(str(tmp_path / "net"), 4)
    assert np.array_equal(loaded["fc_weight"].asnumpy(), np.ones((3, 4)))


def test_module_checkpoint_saves_the_module(tmp_path):
    mod = mx.mod.Module(_mlp(), context=mx.cpu())
    mod.bind(data_shapes=[("data", (2, 4))], label_shapes=[("softmax_label", (2,))])
    mod.init_params()
    mod.init_optimizer()
    callback = mx.callback.module_checkpoint(mod, str(tmp_path / "m"), period=1, save_optimizer_states=True)
    callback(0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-0001.params", "m-0001.states", "m-symbol.json"]
