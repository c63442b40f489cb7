"""mx.mod.BucketingModule, SequentialModule, PythonModule and PythonLossModule against MXNet
1.9.1: the scenarios of tools/golden/module_scenarios.py (same parameters, batches and calls)
must give MXNet's outputs, input gradients, updated weights, metrics and predictions
(fixtures: tools/golden/make_module_golden.py). Plus the errors and the bits MXNet gets wrong."""
import importlib.util
import logging
import pathlib

import minerva as mx
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("module_scenarios", ROOT / "tools" / "golden" / "module_scenarios.py")
scenarios = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenarios)


def _expected(name):
    return dict(np.load(ROOT / "tests" / "golden" / "modules" / f"{name}.npz"))


@pytest.mark.parametrize("name", sorted(scenarios.SCENARIOS))
def test_matches_mxnet(name, tmp_path):
    logging.getLogger().setLevel(logging.WARNING)
    want = _expected(name)
    got = scenarios.SCENARIOS[name](mx, str(tmp_path))
    assert sorted(got) == sorted(want)
    for key in sorted(want):
        g, w = np.asarray(got[key]), want[key]
        assert g.shape == w.shape, key
        if w.dtype.kind in "US":
            assert g.tolist() == w.tolist(), key
        else:
            np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5, err_msg=key)


def test_buckets_share_parameters_and_optimizer():
    mod = mx.mod.BucketingModule(scenarios.bucket_sym_gen(mx), default_bucket_key=5)
    mod.bind(data_shapes=[("data", (2, 5, 4))], label_shapes=[("softmax_label", (2,))])
    mod.init_params()
    mod.init_optimizer(optimizer_params={"learning_rate": 0.1})
    for batch in scenarios.bucket_batches(mx, [3, 5], 0):
        mod.forward_backward(batch)
        mod.update()
    small, large = mod._buckets[3], mod._buckets[5]
    assert small._exec.arg_dict["fc1_weight"] is large._exec.arg_dict["fc1_weight"]
    assert small._optimizer is large._optimizer and mod.symbol is large.symbol
    assert mod.data_names == ["data"] and mod.output_names == ["softmax_output"]


def test_python_module_subclass_and_errors():
    class Doubler(mx.mod.PythonModule):
        def _compute_output_shapes(self):
            return [("double_output", self._data_shapes[0][1])]

        def forward(self, data_batch, is_train=None):
            self._out = data_batch.data[0] * 2

        def get_outputs(self, merge_multi_context=True):
            return [self._out]

    mod = Doubler(["data"], None, ["double_output"])
    mod.bind(data_shapes=[("data", (2, 3))])
    mod.init_params()
    assert mod.output_shapes == [("double_output", (2, 3))] and mod.get_params() == ({}, {})
    out = mod.predict(mx.io.NDArrayIter(np.ones((4, 3), np.float32), batch_size=2))
    np.testing.assert_array_equal(out.asnumpy(), np.full((4, 3), 2.0))
    with pytest.raises(ValueError, match="data_names are"):
        Doubler(["data"], None, ["o"]).bind(data_shapes=[("x", (2, 3))])
    with pytest.raises(ValueError, match="only supports grad_req='write'"):
        Doubler(["data"], None, ["o"]).bind(data_shapes=[("data", (2, 3))], grad_req="add")
    with pytest.raises(ValueError, match="one data and one label"):
        mx.mod.PythonLossModule(data_names=("a", "b"))
    loss = mx.mod.PythonLossModule()
    loss.bind(data_shapes=[("data", (2, 3))], label_shapes=[("softmax_label", (2,))])
    loss.forward(mx.io.DataBatch([mx.nd.ones((2, 3))], [mx.nd.zeros((2,))]))
    with pytest.raises(NotImplementedError, match="grad_func"):
        loss.backward()
    with pytest.raises(ValueError, match="out_grads should be None"):
        loss.backward(out_grads=[mx.nd.ones((2, 3))])


def test_sequential_and_bucketing_errors():
    with pytest.raises(ValueError, match="unknown meta 'take_label'"):
        mx.mod.SequentialModule().add(mx.mod.PythonLossModule(), take_label=True)
    with pytest.raises(mx.mod.ModuleStateError, match="empty SequentialModule"):
        mx.mod.SequentialModule().bind(data_shapes=[("data", (2, 3))])
    seq = mx.mod.SequentialModule()
    for _ in range(2):
        data = mx.sym.Variable("data")
        seq.add(mx.mod.Module(mx.sym.FullyConnected(data, num_hidden=3, name="fc"), label_names=None),
                auto_wiring=True)
    seq.bind(data_shapes=[("data", (2, 3))], for_training=False)
    with pytest.raises(ValueError, match="duplicated parameter names"):
        seq.init_params()
    with pytest.raises(ValueError, match="default_bucket_key"):
        mx.mod.BucketingModule(scenarios.bucket_sym_gen(mx))
    with pytest.raises(TypeError, match="must return \\(symbol, data_names, label_names\\)"):
        mx.mod.BucketingModule(lambda key: mx.sym.Variable("data"), default_bucket_key=1)
    mod = mx.mod.BucketingModule(scenarios.bucket_sym_gen(mx), default_bucket_key=5)
    with pytest.raises(mx.mod.ModuleStateError, match="not bound"):
        mod.forward(scenarios.bucket_batches(mx, [5], 0)[0])
