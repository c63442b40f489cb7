"""mx.lr_scheduler against MXNet 1.9.1's values (tests/golden/optim/optimizer_golden.json)."""
import json
import pathlib

import pytest

import minerva as mx

GOLDEN = pathlib.Path(__file__).resolve().parents[1] / "golden/optim/optimizer_golden.json"
CASES = json.loads(GOLDEN.read_text())["schedulers"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_schedule_matches_mxnet(case):
    sched = getattr(mx.lr_scheduler, case["class"])(**case["kwargs"])
    got = [sched(i) for i in range(len(case["values"]))]
    assert got == pytest.approx(case["values"], rel=1e-12, abs=1e-15)


def test_warmup_modes():
    lin = mx.lr_scheduler.PolyScheduler(max_update=10, base_lr=1.0, warmup_steps=4,
                                        warmup_begin_lr=0.2)
    assert [lin(i) for i in range(4)] == pytest.approx([0.2, 0.4, 0.6, 0.8])
    const = mx.lr_scheduler.CosineScheduler(max_update=10, base_lr=1.0, warmup_steps=3,
                                            warmup_begin_lr=0.1, warmup_mode="constant")
    assert [const(i) for i in range(3)] == [0.1, 0.1, 0.1]
    assert const(10) == pytest.approx(0.0) and const(50) == pytest.approx(0.0)


@pytest.mark.parametrize("make, match", [
    (lambda: mx.lr_scheduler.FactorScheduler(step=0), "greater or equal than 1"),
    (lambda: mx.lr_scheduler.FactorScheduler(step=2, factor=1.5), "no more than 1"),
    (lambda: mx.lr_scheduler.MultiFactorScheduler(step=[5, 3]), "increasing"),
    (lambda: mx.lr_scheduler.PolyScheduler(max_update=0), "strictly positive"),
    (lambda: mx.lr_scheduler.CosineScheduler(max_update=5, warmup_mode="cubic"), "linear"),
    (lambda: mx.lr_scheduler.LRScheduler(base_lr=0.1, warmup_begin_lr=0.5), "higher"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_drives_optimizer_learning_rate():
    sched = mx.lr_scheduler.MultiFactorScheduler(step=[2, 4], factor=0.1, base_lr=1.0)
    opt = mx.optimizer.SGD(lr_scheduler=sched)
    updater = mx.optimizer.get_updater(opt)
    w = mx.nd.zeros((1,))
    deltas = []
    for _ in range(5):
        before = w.asscalar()
        updater(0, mx.nd.ones((1,)), w)
        deltas.append(before - w.asscalar())
    assert deltas == pytest.approx([1.0, 1.0, 0.1, 0.1, 0.01], rel=1e-5)
