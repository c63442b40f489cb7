"""The order of samples that Minerva's iterators and samplers give, epoch after epoch, against
MXNet 1.9.1 running the same scenarios (tools/golden/iter_scenarios.py; fixtures written by
tools/golden/make_iter_golden.py). Covers NDArrayIter's shuffle and last-batch modes across
resets, MNISTIter's shuffle-once-at-creation (in MXNet's exact std::shuffle order), DataLoader
and the samplers per epoch, ResizeIter and PrefetchingIter."""
import importlib.util
import json
import pathlib

import minerva as mx
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXPECTED = json.loads((ROOT / "tests" / "golden" / "iter" / "orders.json").read_text())
_spec = importlib.util.spec_from_file_location("iter_scenarios", ROOT / "tools" / "golden" / "iter_scenarios.py")
scenarios = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenarios)


@pytest.mark.parametrize("name", sorted(scenarios.SCENARIOS))
def test_same_batches_as_mxnet(name, tmp_path):
    want = EXPECTED[name]
    got = scenarios.run(mx, name, str(tmp_path))
    if want is None or got is None:
        pytest.skip("the MNIST training files are not installed here or were not when the fixture was made")
    assert json.loads(json.dumps(got)) == want


def test_mnistiter_two_passes_see_the_same_order(tmp_path):
    """MXNet's module/mnist_mlp.py predicts in one pass and reads the labels in a second."""
    image, label = scenarios.write_mnist(str(tmp_path), n=40)
    it = mx.io.MNISTIter(image=image, label=label, batch_size=8, shuffle=True, silent=True)
    first = np.concatenate([b.label[0].asnumpy() for b in it])
    it.reset()
    second = np.concatenate([b.label[0].asnumpy() for b in it])
    assert first.tolist() == second.tolist() and sorted(first.tolist()) != first.tolist()


def test_prefetchingiter_rejects_iterators_of_different_lengths():
    a = mx.io.NDArrayIter(np.arange(8, dtype=np.float32), batch_size=4)
    b = mx.io.NDArrayIter(np.arange(4, dtype=np.float32), batch_size=4)
    it = mx.io.PrefetchingIter([a, b])
    it.next()
    with pytest.raises(mx.base.MXNetError, match="PrefetchingIter: the iterators gave different numbers"):
        it.next()
    with pytest.raises(mx.base.MXNetError, match="at least one iterator"):
        mx.io.PrefetchingIter([])
