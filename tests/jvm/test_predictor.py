"""The Java Predictor and the JNI binding through jpype: a Gluon model exported by Python's
Minerva gives the same outputs through org.minerva.infer.Predictor from 8 threads at once; its
throughput at 1, 2, 4 and 8 threads is printed; one million NDArrays created and freed through
LibMinerva leave the storage statistics where they started."""
import json
import threading
import time

import numpy as np
import pytest

import minerva as mx
from minerva.gluon import nn


def _export_mlp(path, prefix, sizes, features, batch, seed):
    mx.random.seed(seed)
    net = nn.HybridSequential(prefix=prefix)
    in_units = features
    with net.name_scope():
        for i, units in enumerate(sizes):
            net.add(nn.Dense(units, activation="relu" if i < len(sizes) - 1 else None, in_units=in_units))
            in_units = units
    net.initialize(mx.init.Xavier())
    net.hybridize()
    net(mx.nd.zeros((batch, features)))
    net.export(str(path))
    return net


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A small MLP exported as <tmp>/mlp-symbol.json + mlp-0000.params, and Python's outputs."""
    path = tmp_path_factory.mktemp("jvm_model") / "mlp"
    batch, features = 4, 10
    net = _export_mlp(path, "jmlp_", [16, 16, 3], features, batch, seed=7)
    rng = np.random.default_rng(0)
    inputs = [rng.uniform(-1, 1, (batch, features)).astype(np.float32) for _ in range(16)]
    expected = [net(mx.nd.array(x)).asnumpy() for x in inputs]
    return {"symbol": f"{path}-symbol.json", "params": f"{path}-0000.params", "shape": [batch, features],
            "inputs": inputs, "expected": expected}


def _predictor(jvm, model):
    Predictor = jvm.JClass("org.minerva.infer.Predictor")
    return Predictor.load(model["symbol"], model["params"], "data", jvm.JArray(jvm.JInt)(model["shape"]))


def _jfloats(jvm, x):
    return jvm.JArray(jvm.JFloat)(np.ascontiguousarray(x, dtype=np.float32).ravel())


def test_predictor_from_8_threads_equals_python(jvm, model):
    p = _predictor(jvm, model)
    try:
        assert list(p.outputShape()) == list(model["expected"][0].shape)
        jinputs = [_jfloats(jvm, x) for x in model["inputs"]]
        worst = [0.0] * 8
        failures = []

        def work(t):
            try:
                for call in range(200):
                    k = (t * 5 + call) % len(jinputs)
                    got = np.array(p.predict(jinputs[k]), dtype=np.float32).reshape(model["expected"][k].shape)
                    worst[t] = max(worst[t], float(np.max(np.abs(got - model["expected"][k]))))
            except Exception as e:  # reported below, with the thread
                failures.append((t, repr(e)))

        threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert not failures, failures
        print(f"\nPredictor vs Python Minerva: max |difference| over 8 threads x 200 calls = {max(worst):.3g}")
        assert max(worst) <= 1e-5
    finally:
        p.close()


def test_predictor_errors(jvm, model, tmp_path):
    IllegalArgumentException = jvm.JClass("java.lang.IllegalArgumentException")
    IllegalStateException = jvm.JClass("java.lang.IllegalStateException")
    MinervaIOException = jvm.JClass("org.minerva.MinervaIOException")
    Predictor = jvm.JClass("org.minerva.infer.Predictor")
    missing = str(tmp_path / "nothing-symbol.json")
    with pytest.raises(MinervaIOException) as e:
        Predictor.load(missing, model["params"], "data", jvm.JArray(jvm.JInt)(model["shape"]))
    assert "nothing-symbol.json" in str(e.value.getMessage())
    p = _predictor(jvm, model)
    with pytest.raises(IllegalArgumentException) as e:
        p.predict(jvm.JArray(jvm.JFloat)(3))
    assert "3" in str(e.value.getMessage()) and "40" in str(e.value.getMessage())
    p.close()
    p.close()
    with pytest.raises(IllegalStateException):
        p.predict(_jfloats(jvm, model["inputs"][0]))


def test_binding_errors_are_typed_not_crashes(jvm):
    LibMinerva = jvm.JClass("org.minerva.capi.LibMinerva")
    Invalid = jvm.JClass("org.minerva.MinervaInvalidHandleException")
    NotFound = jvm.JClass("org.minerva.MinervaNotFoundException")
    with pytest.raises(Invalid) as e:
        LibMinerva.MVNDArrayGetShape(0)
    assert "NULL" in str(e.value.getMessage())
    sym = LibMinerva.MVSymbolCreateVariable("x")
    try:
        with pytest.raises(Invalid):
            LibMinerva.MVNDArrayGetShape(sym)  # a Symbol where an NDArray is expected
    finally:
        LibMinerva.MVSymbolFree(sym)
    with pytest.raises(NotFound):
        LibMinerva.MVOpGetHandle("no_such_operator")
    IllegalArgumentException = jvm.JClass("java.lang.IllegalArgumentException")
    NullPointerException = jvm.JClass("java.lang.NullPointerException")
    with pytest.raises(NullPointerException):
        LibMinerva.MVSymbolCreateVariable(None)
    with pytest.raises(IllegalArgumentException):  # keys and vals must have equal lengths
        LibMinerva.MVOpParamsCreate(LibMinerva.MVOpGetHandle("relu"), ["a"], [])
    assert LibMinerva.ABI_VERSION == LibMinerva.MVGetABIVersion() == 3


def test_predictor_throughput(jvm, tmp_path):
    """Requests per second at 1, 2, 4 and 8 threads (printed, not asserted: machines vary)."""
    path = tmp_path / "bench"
    batch, features = 8, 256
    _export_mlp(path, "jbench_", [256, 256, 10], features, batch, seed=3)
    Predictor = jvm.JClass("org.minerva.infer.Predictor")
    p = Predictor.load(f"{path}-symbol.json", f"{path}-0000.params", "data", jvm.JArray(jvm.JInt)([batch, features]))
    x = _jfloats(jvm, np.random.default_rng(1).uniform(-1, 1, (batch, features)))
    try:
        for _ in range(50):
            p.predict(x)
        rates = {}
        for n in (1, 2, 4, 8):
            counts = [0] * n
            stop = time.perf_counter() + 1.5

            def work(t, counts=counts, stop=stop):
                while time.perf_counter() < stop:
                    p.predict(x)
                    counts[t] += 1

            start = time.perf_counter()
            threads = [threading.Thread(target=work, args=(t,)) for t in range(n)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            rates[n] = sum(counts) / (time.perf_counter() - start)
        print("\nPredictor throughput (MLP 256-256-256-10, batch 8, requests/s): "
              + ", ".join(f"{n} threads {r:.0f}" for n, r in rates.items()))
    finally:
        p.close()


def test_soak_million_ndarrays_storage_flat(jvm):
    LibMinerva = jvm.JClass("org.minerva.capi.LibMinerva")

    def in_use():
        LibMinerva.MVNDArrayWaitAll()
        return json.loads(str(LibMinerva.MVStorageGetStats()))["bytes_in_use"]

    shape = jvm.JArray(jvm.JLong)([64])
    create, free = LibMinerva.MVNDArrayCreate, LibMinerva.MVNDArrayFree
    f32, cpu = LibMinerva.MV_DTYPE_FLOAT32, LibMinerva.MV_DEV_CPU
    for _ in range(1000):
        free(create(shape, f32, cpu, 0))
    baseline = in_use()
    held = create(shape, f32, cpu, 0)  # the statistics are live: one held array shows
    LibMinerva.MVNDArrayWaitToRead(held)
    one_array = in_use() - baseline
    free(held)
    assert one_array >= 64 * 4, one_array
    samples = []
    start = time.perf_counter()
    for _ in range(10):
        for _i in range(100_000):
            free(create(shape, f32, cpu, 0))
        samples.append(json.loads(str(LibMinerva.MVStorageGetStats()))["bytes_in_use"])
    seconds = time.perf_counter() - start
    final = in_use()
    print(f"\nsoak: 1,000,000 NDArrays (64 float32) created and freed through LibMinerva in {seconds:.1f} s; "
          f"bytes_in_use baseline {baseline} (one held array: +{one_array}), per 100k {samples}, after {final}")
    assert final == baseline
    assert max(samples) - baseline < 1 << 20
    assert seconds < 60
