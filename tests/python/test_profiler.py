"""mx.profiler: per-operator events from the engine in a Chrome trace that parses, aggregate
statistics whose counts match the calls, pause/resume, scopes, user objects, MXNet's errors,
threads, and both engines."""
import json
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import minerva as mx
from minerva import autograd, gluon, profiler

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture
def trace_file(tmp_path):
    path = tmp_path / "trace.json"
    profiler.set_config(filename=str(path), aggregate_stats=True, continuous_dump=False, profile_all=False,
                        profile_symbolic=True, profile_imperative=True, profile_memory=True)
    profiler.dumps(reset=True)
    profiler.dump(finished=True)  # forget events of earlier tests
    yield path
    profiler.set_state("stop")
    mx.nd.waitall()
    profiler.dumps(reset=True)
    profiler.dump(finished=True)


def _trace(path):
    profiler.dump(finished=True)
    with open(path) as f:
        doc = json.load(f)
    assert doc["displayTimeUnit"] == "ms"
    return doc["traceEvents"]


def _ops(events):
    return [e for e in events if e.get("cat") == "operator"]


def _stats():
    return json.loads(profiler.dumps(format="json"))["Time"]


def _mlp():
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(16, activation="relu"), gluon.nn.Dense(4))
    net.initialize(mx.init.Xavier())
    return net


def _train_step(net, trainer, x, y):
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    with autograd.record():
        loss = loss_fn(net(x), y)
    loss.backward()
    trainer.step(x.shape[0])
    loss.wait_to_read()
    mx.nd.waitall()


def test_imperative_mlp_step_gives_one_event_per_operator(trace_file):
    net = _mlp()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    x, y = mx.nd.ones((8, 10)), mx.nd.array(np.arange(8) % 4)
    _train_step(net, trainer, x, y)  # shapes settle, parameters allocated
    profiler.set_state("run")
    _train_step(net, trainer, x, y)
    profiler.set_state("stop")
    ops = _ops(_trace(trace_file))
    names = [e["name"] for e in ops]
    assert names.count("FullyConnected") == 2
    assert names.count("Activation") == 1
    assert any(n.startswith("_backward_") or n == "sgd_update" for n in names)
    assert names.count("sgd_update") == 4  # two weights, two biases
    for e in ops:
        assert e["ph"] == "X" and e["dur"] >= 0 and e["ts"] > 0
        assert isinstance(e["pid"], int) and isinstance(e["tid"], int)
    fc = next(e for e in ops if e["name"] == "FullyConnected")
    assert fc["args"]["inputs"].startswith("(8, 10);(16, 10);(16,)")
    stats = _stats()["operator"]
    for name in set(names):
        assert stats[name]["Count"] == names.count(name)


def test_hybridized_block_and_executor_are_symbolic(trace_file):
    net = _mlp()
    net.hybridize()
    x = mx.nd.ones((2, 10))
    net(x).wait_to_read()
    data = mx.sym.var("data")
    exe = mx.sym.relu(data * 3).simple_bind(mx.cpu(), data=(2, 3))
    profiler.set_config(profile_symbolic=True, profile_imperative=False)
    profiler.set_state("run")
    net(x).wait_to_read()
    exe.forward(data=mx.nd.ones((2, 3)))[0].wait_to_read()
    mx.nd.ones((3,)).wait_to_read()  # imperative: left out
    profiler.set_state("stop")
    names = [e["name"] for e in _ops(_trace(trace_file))]
    assert names.count("FullyConnected") == 2
    assert "_mul_scalar" in names and "relu" in names
    assert "_ones" not in names


def test_dumps_counts_match_calls_sorting_and_reset(trace_file):
    a = mx.nd.ones((4, 4))
    profiler.set_state("run")
    for _ in range(5):
        a = mx.nd.relu(a)
    for _ in range(3):
        a = mx.nd.abs(a)
    a.wait_to_read()
    profiler.set_state("stop")
    table = profiler.dumps()
    assert table.startswith("\nProfile Statistics:\n\tNote the difference in units for different entries.\n")
    assert "operator\n=================\nName                          Total Count        Time (ms)" in table
    rows = [line.split() for line in table.splitlines() if line.startswith(("relu ", "abs "))]
    assert sorted((r[0], int(r[1])) for r in rows) == [("abs", 3), ("relu", 5)]
    by_count = json.loads(profiler.dumps(format="json", sort_by="count"))["Time"]["operator"]
    assert list(by_count)[:2] == ["relu", "abs"]
    ascending = json.loads(profiler.dumps(format="json", sort_by="count", ascending=True))["Time"]["operator"]
    assert list(ascending)[-2:] == ["abs", "relu"]
    row = by_count["relu"]
    assert row["Min"] <= row["Avg"] <= row["Max"] and row["Total"] >= row["Max"]
    profiler.dumps(reset=True)
    assert "relu" not in profiler.dumps()


def test_pause_resume_excludes_the_paused_region(trace_file):
    a = mx.nd.ones((3,))
    profiler.set_state("run")
    mx.nd.relu(a).wait_to_read()
    profiler.pause()
    mx.nd.abs(a).wait_to_read()
    profiler.resume()
    mx.nd.sqrt(a).wait_to_read()
    profiler.set_state("stop")
    names = [e["name"] for e in _ops(_trace(trace_file))]
    assert "relu" in names and "sqrt" in names and "abs" not in names


def test_scope_prefixes_names_and_nests(trace_file):
    a = mx.nd.ones((3,))
    profiler.set_state("run")
    with profiler.scope("outer"):
        mx.nd.relu(a).wait_to_read()
        with profiler.scope("inner", append_mode=True):
            mx.nd.abs(a).wait_to_read()
        with profiler.scope("other:"):
            mx.nd.sqrt(a).wait_to_read()
    mx.nd.exp(a).wait_to_read()
    profiler.set_state("stop")
    names = {e["name"] for e in _ops(_trace(trace_file))}
    assert {"outer:relu", "outer:inner:abs", "other:sqrt", "exp"} <= names


def test_user_objects_appear_in_trace_and_stats(trace_file):
    dom = profiler.Domain("mydomain")
    assert str(dom) == "mydomain"
    task, frame, event = dom.new_task("load"), dom.new_frame("step"), profiler.Event("io")
    counter = dom.new_counter("items", 5)
    profiler.set_state("run")
    task.start()
    frame.start()
    event.start()
    event.stop()
    frame.stop()
    task.stop()
    counter += 3
    counter -= 1
    counter.increment(10)
    counter.decrement()
    counter.set_value(2)
    dom.new_marker("here").mark("global")
    profiler.Marker(dom, "there").mark()
    profiler.set_state("stop")
    events = _trace(trace_file)
    by_name = {}
    for e in events:
        by_name.setdefault(e["name"], []).append(e)
    assert by_name["load"][0]["cat"] == "mydomain" and by_name["load"][0]["ph"] == "X"
    assert by_name["step"][0]["cat"] == "mydomain,frame"
    assert by_name["io"][0]["cat"] == "event"
    assert [e["args"]["items"] for e in by_name["items"]] == [8, 7, 17, 16, 2]  # set at creation: not running
    assert by_name["here"][0]["ph"] == "i" and by_name["here"][0]["s"] == "g"
    assert by_name["there"][0]["s"] == "p"
    load, step = by_name["load"][0], by_name["step"][0]
    assert load["ts"] <= step["ts"] and step["ts"] + step["dur"] <= load["ts"] + load["dur"]
    stats = _stats()
    assert stats["mydomain"]["load"]["Count"] == 1 and stats["event"]["io"]["Count"] == 1
    assert stats["mydomain"]["items"]["Count"] == 5 and stats["mydomain"]["items"]["Total"] == 2
    with pytest.raises(mx.MXNetError, match="valid values are"):
        dom.new_marker("m").mark("bogus")


def test_nothing_recorded_when_off(trace_file):
    a = mx.nd.ones((3,))
    mx.nd.relu(a).wait_to_read()
    profiler.Event("idle").start()
    assert _ops(_trace(trace_file)) == []
    assert "relu" not in profiler.dumps()


def test_trace_is_chrome_trace_json_with_thread_names(trace_file):
    profiler.set_state("run")
    mx.nd.relu(mx.nd.ones((64, 64))).wait_to_read()
    profiler.set_state("stop")
    events = _trace(trace_file)
    meta = [e for e in events if e["ph"] == "M"]
    assert {e["name"] for e in meta} == {"process_name", "thread_name"}
    tids = {e["tid"] for e in _ops(events)}
    named = {e["tid"] for e in meta if e["name"] == "thread_name" and e["pid"] == 0}
    assert tids <= named


def test_bad_input_gives_mxnet_like_errors(trace_file):
    with pytest.raises(mx.MXNetError, match="Cannot find argument 'bogus'"):
        profiler.set_config(bogus=1)
    with pytest.raises(mx.MXNetError, match="expect boolean but value='maybe'"):
        profiler.set_config(profile_all="maybe")
    with pytest.raises(mx.MXNetError, match="expect float"):
        profiler.set_config(dump_period="x")
    with pytest.raises(KeyError, match="bogus"):
        profiler.set_state("bogus")
    with pytest.raises(AssertionError, match="Invalid value provided for format: x"):
        profiler.dumps(format="x")
    with pytest.raises(AssertionError, match="Invalid value provided for sort_by"):
        profiler.dumps(sort_by="median")
    with pytest.raises(KeyError):
        profiler.pause("nobody")
    with pytest.raises(mx.MXNetError, match="no server process"):
        profiler.set_state("run", profile_process="server")
    profiler.set_config(filename=os.path.join(str(trace_file), "missing", "x.json"))
    with pytest.raises(OSError):
        profiler.dump()
    profiler.set_config(filename=str(trace_file))


def test_four_threads_record_every_operator(trace_file):
    profiler.set_state("run")

    def work():
        a = mx.nd.ones((16,))
        for _ in range(20):
            a = mx.nd.relu(a)
        a.wait_to_read()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    mx.nd.waitall()
    profiler.set_state("stop")
    assert _stats()["operator"]["relu"]["Count"] == 80
    assert sum(e["name"] == "relu" for e in _ops(_trace(trace_file))) == 80


def test_deprecated_names_and_mxnet_signatures(tmp_path):
    with pytest.warns(UserWarning, match="deprecated"):
        profiler.profiler_set_config(mode="all", filename=str(tmp_path / "p.json"))
    with pytest.warns(UserWarning, match="deprecated"):
        profiler.profiler_set_state("stop")
    with pytest.warns(UserWarning, match="deprecated"):
        profiler.dump_profile()
    assert json.load(open(tmp_path / "p.json"))["traceEvents"]
    assert mx.profiler is profiler


_ENGINE_SCRIPT = """
import json, sys
import minerva as mx
path = sys.argv[1]
mx.profiler.set_config(filename=path, aggregate_stats=True)
mx.profiler.set_state('run')
a = mx.nd.ones((32, 32))
for _ in range(3):
    a = mx.nd.dot(a, a) / 32
a.wait_to_read()
mx.profiler.set_state('stop')   # continuous_dump writes the file
ops = [e for e in json.load(open(path))['traceEvents'] if e.get('cat') == 'operator']
assert sum(e['name'] == 'dot' for e in ops) == 3, ops
stats = json.loads(mx.profiler.dumps(format='json'))['Time']['operator']
assert stats['dot']['Count'] == 3 and stats['_div_scalar']['Count'] == 3
print('ok')
"""


@pytest.mark.parametrize("engine", ["NaiveEngine", "ThreadedEngine"])
def test_under_each_engine(engine, tmp_path):
    env = dict(os.environ, MINERVA_ENGINE_TYPE=engine)
    proc = subprocess.run([sys.executable, "-c", _ENGINE_SCRIPT, str(tmp_path / "t.json")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("ok")


def test_profile_memory_adds_a_bytes_in_use_counter(trace_file):
    profiler.set_state("run")
    a = mx.nd.ones((256, 256))
    a.wait_to_read()
    del a
    mx.nd.waitall()
    profiler.set_state("stop")
    memory = [e for e in _trace(trace_file) if e["name"] == "Memory: cpu/0"]
    assert memory and all(e["ph"] == "C" and e["cat"] == "Device Storage" for e in memory)
    values = [e["args"]["Memory: cpu/0"] for e in memory]
    assert max(values) - min(values) >= 256 * 256 * 4  # the array's allocation and release
    table = profiler.dumps()
    assert ("Device Storage\n=================\nName                          Total Count    Min Use  (kB)    "
            "Max Use  (kB)    Avg Use  (kB)\n") in table
    row = json.loads(profiler.dumps(format="json"))["Memory"]["Device Storage"]["Memory: cpu/0"]
    assert row["Count"] == len(memory) and set(row) == {"Count", "Min", "Max", "Avg"}
    assert row["Max"] == pytest.approx(max(values) / 1000) and row["Min"] == pytest.approx(min(values) / 1000)
    profiler.set_config(profile_memory=False)
    profiler.set_state("run")
    mx.nd.ones((64, 64)).wait_to_read()
    profiler.set_state("stop")
    assert not [e for e in _trace(trace_file) if e["name"] == "Memory: cpu/0"]


def test_profile_api_times_c_api_calls_around_their_operators(trace_file):
    profiler.set_config(profile_api=True, profile_memory=False)
    profiler.set_state("run")
    mx.nd.relu(mx.nd.ones((3,))).wait_to_read()
    profiler.set_state("stop")
    events = _trace(trace_file)
    api = [e for e in events if e.get("cat") == "MINERVA_C_API"]
    assert sum(e["name"] == "MVImperativeInvoke" for e in api) == 2
    assert any(e["name"] == "MVNDArrayWaitToRead" for e in api)
    assert all(e["ph"] == "X" and e["dur"] >= 0 for e in api)
    assert _stats()["MINERVA_C_API"]["MVImperativeInvoke"]["Count"] == 2
    profiler.set_config(profile_api=False)
    profiler.set_state("run")
    mx.nd.relu(mx.nd.ones((3,))).wait_to_read()
    profiler.set_state("stop")
    assert not [e for e in _trace(trace_file) if e.get("cat") == "MINERVA_C_API"]


def test_continuous_dump_writes_the_file_every_dump_period(trace_file):
    os.remove(trace_file)  # the fixture's dump wrote it
    profiler.set_config(continuous_dump=True, dump_period=0.1)
    profiler.set_state("run")
    mx.nd.relu(mx.nd.ones((3,))).wait_to_read()
    deadline = time.time() + 10
    while not os.path.exists(trace_file) and time.time() < deadline:
        time.sleep(0.05)
    with open(trace_file) as f:  # written while still running
        assert any(e["name"] == "relu" for e in json.load(f)["traceEvents"])
    mx.nd.abs(mx.nd.ones((3,))).wait_to_read()
    profiler.set_state("stop")  # stops the writer and writes the file once more
    with open(trace_file) as f:
        names = [e["name"] for e in json.load(f)["traceEvents"]]
    assert "relu" in names and "abs" in names
    profiler.set_config(continuous_dump=False)
