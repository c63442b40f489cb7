"""mx.monitor.Monitor: the statistics it reports equal a manual computation of
norm(x)/sqrt(size) (or the given stat_func) on the executor's outputs, arguments and auxiliary
states; interval, pattern and sort as in MXNet; Module.fit(monitor=...) logs them."""
import logging

import minerva as mx
import numpy as np
import pytest


def _net():
    data = mx.sym.Variable("data")
    fc = mx.sym.FullyConnected(data, num_hidden=3, name="fc")
    return mx.sym.Activation(fc, act_type="tanh", name="act")


def _bound(rng):
    exe = _net().simple_bind(mx.cpu(), data=(2, 4))
    values = {k: rng.uniform(-1, 1, size=v.shape) for k, v in exe.arg_dict.items()}
    for k, v in values.items():
        exe.arg_dict[k][:] = v
    return exe, values


def _stat(x):
    x = np.asarray(x, dtype=np.float64)
    return np.linalg.norm(x) / np.sqrt(x.size)


def test_default_stats_match_a_manual_computation():
    exe, v = _bound(np.random.RandomState(0))
    mon = mx.mon.Monitor(1)
    mon.install(exe)
    mon.tic()
    exe.forward(is_train=False)
    got = {name: float(text.rstrip("\t")) for _, name, text in mon.toc()}
    fc = v["data"] @ v["fc_weight"].T + v["fc_bias"]
    expected = {"fc_output": _stat(fc), "act_output": _stat(np.tanh(fc)), "data": _stat(v["data"]),
                "fc_weight": _stat(v["fc_weight"]), "fc_bias": _stat(v["fc_bias"])}
    assert set(got) == set(expected)
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-5), name


def test_interval_pattern_sort_and_custom_stat():
    exe, v = _bound(np.random.RandomState(1))
    mon = mx.monitor.Monitor(2, stat_func=lambda x: [mx.nd.max(x), mx.nd.min(x)], pattern=".*weight|.*output",
                             sort=True)
    mon.install(exe)
    results = []
    for _ in range(4):
        mon.tic()
        exe.forward(is_train=True)
        exe.backward(mx.nd.ones((2, 3)))
        results.append(mon.toc())
    assert results[1] == [] and results[3] == []
    names = [name for _, name, _ in results[0]]
    assert names == sorted(names) and "fc_weight" in names and "data" not in names and "fc_bias" not in names
    assert all(step == 1 for step, _, _ in results[0]) and {s for s, _, _ in results[2]} == {3}
    weight = dict((n, t) for _, n, t in results[0])["fc_weight"].split("\t")
    assert float(weight[0]) == pytest.approx(v["fc_weight"].max(), rel=1e-6)
    assert float(weight[1]) == pytest.approx(v["fc_weight"].min(), rel=1e-6) and weight[2] == ""


def test_stat_func_of_the_wrong_type_is_named():
    exe, _ = _bound(np.random.RandomState(2))
    mon = mx.monitor.Monitor(1, stat_func=lambda x: 3.0, pattern="data")
    mon.install(exe)
    mon.tic()
    exe.forward()
    with pytest.raises(TypeError, match="stat_func must return an NDArray or a list of NDArrays; for 'data'"):
        mon.toc()


def test_module_fit_logs_the_monitor(caplog):
    x = np.random.RandomState(3).rand(8, 4).astype(np.float32)
    it = mx.io.NDArrayIter(x, np.arange(8) % 3, batch_size=4)
    sym = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=3, name="fc"),
                               name="softmax")
    mod = mx.mod.Module(sym, context=mx.cpu())
    with caplog.at_level(logging.INFO):
        mod.fit(it, num_epoch=1, monitor=mx.mon.Monitor(1, pattern="fc_weight"))
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Batch:")]
    assert len(lines) == 2 and all("fc_weight" in line for line in lines)
    assert lines[0].startswith("Batch:       1 fc_weight")
