"""mx.test_utils against MXNet 1.9.1: the outcomes recorded by
tools/golden/make_test_utils_golden.py under the oracle (almost_equal's edge cases, tolerances,
error messages, seeded random data) must come out the same with Minerva; plus the helpers
whose outcome is a behaviour (environment, discard_stderr, the checks, the statistics)."""
import importlib.util
import json
import math
import os
import pathlib
import subprocess
import sys

import minerva as mx
import minerva.test_utils as tu
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "api" / "test_utils.json").read_text())
_spec = importlib.util.spec_from_file_location("make_test_utils_golden", ROOT / "tools" / "golden" /
                                               "make_test_utils_golden.py")
_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_golden)
OURS = _golden.outcomes(mx, tu)


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_outcome_matches_mxnet(key):
    assert json.loads(json.dumps(OURS[key])) == GOLDEN[key]


def test_star_import_brings_what_mxnet_does():
    namespace = {}
    exec("from minerva.test_utils import *", namespace)  # noqa: S102
    for name in ("mx", "np", "OrderedDict", "assert_almost_equal", "rand_ndarray", "environment", "DummyIter",
                 "check_consistency", "npt", "rnd", "contextmanager", "Context", "Symbol", "array"):
        assert name in namespace, name
    assert namespace["mx"] is mx


def test_broadcast_mismatch_is_an_assertion_error():
    # MXNet 1.9.1 fails here with an IndexError while reporting; Minerva reports the mismatch.
    with pytest.raises(AssertionError, match=r"Location of maximum error: \(1, 1\)"):
        tu.assert_almost_equal(np.array([[1.0, 2.0]]), np.array([[1.0, 2.0], [1.0, 2.5]]))


def test_sparse_storage_is_refused_clearly():
    with pytest.raises(mx.MXNetError, match="storage type 'csr' is not supported; Minerva arrays are dense"):
        tu.rand_ndarray((3, 3), stype="csr")
    with pytest.raises(mx.MXNetError, match="row_sparse"):
        tu.create_sparse_array((3, 3), "row_sparse")


def test_default_context_follows_set_default_context():
    try:
        tu.set_default_context(mx.cpu(1))
        assert tu.default_context() == mx.cpu(1) == mx.current_context()
        assert tu.rand_ndarray((2,)).context == mx.cpu(1)
    finally:
        tu.set_default_context(mx.cpu(0))


def test_environment_sets_and_restores(monkeypatch):
    monkeypatch.setenv("MV_TU_KEEP", "old")
    monkeypatch.delenv("MV_TU_NEW", raising=False)
    with tu.environment({"MV_TU_KEEP": "new", "MV_TU_NEW": "1"}):
        assert os.environ["MV_TU_KEEP"] == "new" and os.environ["MV_TU_NEW"] == "1"
    assert os.environ["MV_TU_KEEP"] == "old" and "MV_TU_NEW" not in os.environ
    with pytest.raises(RuntimeError), tu.environment("MV_TU_KEEP", None):
        assert "MV_TU_KEEP" not in os.environ
        raise RuntimeError("body fails")
    assert os.environ["MV_TU_KEEP"] == "old"

    @tu.environment("MV_TU_NEW", "decorated")
    def read():
        return os.environ.get("MV_TU_NEW")
    assert read() == "decorated" and "MV_TU_NEW" not in os.environ


def test_discard_stderr_silences_file_descriptor_2():
    script = ("import os, sys, minerva.test_utils as tu\n"
              "with tu.discard_stderr():\n    os.write(2, b'hidden\\n'); print('also hidden', file=sys.stderr)\n"
              "os.write(2, b'shown\\n')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == "shown\n"


def test_assert_exception_and_retry():
    tu.assert_exception(int, ValueError, "x")
    with pytest.raises(AssertionError, match="did not raise"):
        tu.assert_exception(int, ValueError, "3")
    calls = []

    @tu.retry(3)
    def flaky():
        calls.append(1)
        assert len(calls) == 3
    flaky()
    assert len(calls) == 3


def test_chi_square_pvalue_matches_closed_forms():
    # With 2 degrees of freedom the chi-square survival function is exp(-x/2); with 4, exp(-x/2)(1 + x/2).
    samples = np.array([0] * 120 + [1] * 90 + [2] * 90)
    p, obs, expected = tu.chi_square_check(lambda n: samples[:n], [0, 1, 2], [1 / 3] * 3, nsamples=300)
    stat = sum((o - 100) ** 2 / 100 for o in (120, 90, 90))
    assert obs.tolist() == [120, 90, 90] and expected.tolist() == [100, 100, 100]
    assert p == pytest.approx(math.exp(-stat / 2), rel=1e-10)
    samples = np.array([0.1] * 130 + [0.3] * 70 + [0.5] * 110 + [0.7] * 90 + [0.9] * 100)
    buckets, probs = tu.gen_buckets_probs_with_ppf(lambda q: q, 5)
    p, obs, _ = tu.chi_square_check(lambda n: samples[:n], buckets, probs, nsamples=500)
    stat = sum((o - 100) ** 2 / 100 for o in (130, 70, 110, 90, 100))
    assert obs.tolist() == [130, 70, 110, 90, 100]
    assert p == pytest.approx(math.exp(-stat / 2) * (1 + stat / 2), rel=1e-10)


def test_verify_generator_accepts_a_good_generator_and_rejects_a_bad_one():
    rng = np.random.RandomState(0)
    buckets, probs = tu.gen_buckets_probs_with_ppf(lambda q: q, 10)
    pvalues = tu.verify_generator(lambda n: rng.uniform(size=n), buckets, probs, nsamples=20000)
    assert len(pvalues) == 5 and sum(p > 0.05 for p in pvalues) >= 1
    with pytest.raises(AssertionError, match="Generator test fails, Chi-square p="):
        tu.verify_generator(lambda n: rng.uniform(size=n) ** 2, buckets, probs, nsamples=20000)


def test_symbolic_checks():
    x, w = mx.sym.Variable("x"), mx.sym.Variable("w")
    y = mx.sym.FullyConnected(x, weight=w, num_hidden=3, no_bias=True, name="fc")
    xv, wv = np.random.rand(2, 4), np.random.rand(3, 4)
    tu.check_symbolic_forward(y, [xv, wv], [xv @ wv.T], rtol=1e-5, atol=1e-6)
    og = np.random.rand(2, 3)
    tu.check_symbolic_backward(y, {"x": xv, "w": wv}, [og], {"x": og @ wv, "w": og.T @ xv}, rtol=1e-5, atol=1e-6)
    tu.check_symbolic_backward(y, [xv, wv], [og], [og @ wv, og.T @ xv], grad_req="add", rtol=1e-5, atol=1e-5)
    tu.check_numeric_gradient(y, [xv, wv], dtype=np.float64, rtol=1e-5, atol=1e-7)
    with pytest.raises(AssertionError, match="FORWARD_fc_output"):
        tu.check_symbolic_forward(y, [xv, wv], [xv @ wv.T + 1])
    with pytest.raises(ValueError, match="Symbol arguments and keys of the given location do not match"):
        tu.check_symbolic_forward(y, {"x": xv}, [xv @ wv.T])
    assert tu.simple_forward(y, x=xv, w=wv) == pytest.approx(xv @ wv.T, rel=1e-5)


def test_check_consistency_over_dtypes_and_contexts():
    sym = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=4, name="fc")
    specs = [{"ctx": mx.cpu(0), "data": (3, 5), "type_dict": {"data": np.float64}},
             {"ctx": mx.cpu(1), "data": (3, 5), "type_dict": {"data": np.float32}}]
    gt = tu.check_consistency(sym, specs)
    assert set(gt) >= {"fc_output", "data", "fc_weight", "fc_bias"}
    assert gt["fc_output"].dtype == np.float64
    wrong = {"fc_output": gt["fc_output"] + 1, **{k: v for k, v in gt.items() if k != "fc_output"}}
    with pytest.raises(AssertionError, match="Error"):
        tu.check_consistency(sym, specs, ground_truth=wrong)


def test_check_speed_and_numeric_grad():
    sym = mx.sym.tanh(mx.sym.Variable("a"))
    assert tu.check_speed(sym, a=(4, 4), N=3) > 0
    assert tu.check_speed(sym, location={"a": np.ones((4, 4))}, typ="forward", N=3) > 0
    with pytest.raises(ValueError, match="whole"):
        tu.check_speed(sym, a=(4, 4), typ="backward")
    exe = sym.simple_bind(mx.cpu(), a=(3,), grad_req="null", type_dict={"a": np.float64})
    loc = {"a": np.array([0.1, 0.2, 0.3])}
    grads = tu.numeric_grad(exe, loc, eps=1e-6, dtype=np.float64)
    assert grads["a"] == pytest.approx(1 - np.tanh(loc["a"]) ** 2, rel=1e-5)


def test_same_array_and_dummy_iter():
    a = mx.nd.zeros((2, 2))
    assert tu.same_array(a, a[0:2]) and not tu.same_array(a, a.copy())
    it = tu.DummyIter(mx.io.NDArrayIter(np.arange(12).reshape(6, 2), batch_size=2))
    first = next(it).data[0].asnumpy()
    assert [next(it).data[0].asnumpy().tolist() for _ in range(5)] == [first.tolist()] * 5


def test_cuda_only_helpers_answer_as_a_cpu_build():
    assert list(tu.list_gpus()) == [] and not tu.has_tvm_ops() and tu.is_op_runnable()
    with pytest.raises(ValueError, match="Expecting a gpu context"):
        tu.get_cuda_compute_capability(mx.cpu())
    with pytest.raises(mx.MXNetError, match="without CUDA"):
        tu.get_cuda_compute_capability(mx.gpu())


def test_get_mnist_reads_installed_data(tmp_path, monkeypatch):
    from minerva.gluon.data.vision.datasets import data_root
    if not os.path.exists(os.path.join(data_root(), "mnist", "t10k-labels-idx1-ubyte")):
        pytest.skip("MNIST is not installed (tools/fetch_data.sh installs it)")
    monkeypatch.chdir(tmp_path)
    data = tu.get_mnist()
    assert data["train_data"].shape == (60000, 1, 28, 28) and data["train_data"].dtype == np.float32
    assert data["test_label"][:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert 0.0 <= data["test_data"].min() and data["test_data"].max() == 1.0
    train, val = tu.get_mnist_iterator(100, (784,))
    assert (tmp_path / "data" / "t10k-images-idx3-ubyte").stat().st_size == 7840016
    assert next(iter(val)).data[0].shape == (100, 784)
    monkeypatch.setenv("MINERVA_DATA", str(tmp_path / "nowhere"))
    (tmp_path / "data" / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(mx.MXNetError, match="never downloads"):
        tu.get_mnist_ubyte()
