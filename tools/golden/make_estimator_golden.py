"""Writes tests/golden/api/estimator.json: MXNet 1.9.1's gluon.contrib.estimator on a tiny
network and synthetic data with fixed initial parameters: the Estimator's log lines (times
masked), the trained parameters, metric values, the checkpoint files kept, where early
stopping stops, and the errors for bad arguments. tests/python/test_gluon_estimator.py runs
the same outcomes() with Minerva and compares.

Run under the MXNet oracle:
    .oracle-venv/bin/python tools/golden/make_estimator_golden.py
"""
import json
import logging
import os
import re
import sys
import tempfile
import warnings

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "api", "estimator.json")


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(re.sub(r"\d+\.\d+s|\d+s ", "Ts", record.getMessage()))


def _data(mx, n, seed):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1, 1, size=(n, 3)).astype(np.float32)
    y = (x.sum(axis=1) > 0).astype(np.float32)
    return mx.gluon.data.DataLoader(mx.gluon.data.ArrayDataset(x, y), batch_size=4, shuffle=False)


def _net(mx, hybridize=False):
    net = mx.gluon.nn.HybridSequential()
    net.add(mx.gluon.nn.Dense(4, activation="tanh", in_units=3), mx.gluon.nn.Dense(2, in_units=4))
    net.initialize()
    rng = np.random.RandomState(42)
    for _, p in sorted(net.collect_params().items(), key=lambda kv: kv[0].split("_", 1)[1]):
        p.set_data(rng.uniform(-0.5, 0.5, size=p.shape).astype(np.float32))
    if hybridize:
        net.hybridize()
    return net


def _estimator(mx, net, lr=0.5):
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr})
    est = mx.gluon.contrib.estimator.Estimator(net, mx.gluon.loss.SoftmaxCrossEntropyLoss(), trainer=trainer,
                                               context=mx.cpu())
    lines = _Lines()
    est.logger.handlers = [lines]
    return est, lines


def _params(net):
    return [p.data().asnumpy().tolist() for _, p in sorted(net.collect_params().items(),
                                                           key=lambda kv: kv[0].split("_", 1)[1])]


def _metrics(metrics):
    return [[m.get()[0], float(m.get()[1])] for m in metrics]


def _error(fn):
    try:
        fn()
        return "ok"
    except Exception as e:  # noqa: BLE001  (the outcome is the record)
        return [type(e).__name__, str(e)]


def outcomes(mx, workdir) -> dict:
    ev = mx.gluon.contrib.estimator
    train, val = _data(mx, 16, 0), _data(mx, 8, 1)
    out = {}
    warnings.simplefilter("ignore")
    net = _net(mx, hybridize=True)
    est, lines = _estimator(mx, net)
    out["metric_names"] = [m.name for m in est.train_metrics + est.val_metrics]
    ckpt_dir = os.path.join(workdir, "ckpt")
    est.fit(train, val_data=val, epochs=3, event_handlers=[
        ev.CheckpointHandler(ckpt_dir, "net", monitor=est.val_metrics[0], save_best=True, mode="max",
                             max_checkpoints=2, verbose=1),
        ev.LoggingHandler(log_interval=2, metrics=est.train_metrics)])
    out["fit_log"] = lines.lines
    out["fit_params"] = _params(net)
    out["fit_train_metrics"] = _metrics(est.train_metrics)
    out["fit_val_metrics"] = _metrics(est.val_metrics)
    out["checkpoint_files"] = sorted(os.listdir(ckpt_dir))

    net2 = _net(mx)
    est2, lines2 = _estimator(mx, net2, lr=0.1)
    stopper = ev.EarlyStoppingHandler(monitor=est2.train_metrics[1], mode="min", min_delta=10, patience=1)
    est2.fit(train, epochs=10, event_handlers=[stopper])
    out["early_stop"] = [stopper.stopped_epoch, stopper.current_epoch, lines2.lines]

    net3 = _net(mx)
    est3, lines3 = _estimator(mx, net3)
    est3.fit(train, batches=6)
    est3.evaluate(val)
    out["batches_params"] = _params(net3)
    out["batches_log"] = lines3.lines
    out["evaluate_metrics"] = _metrics(est3.val_metrics)

    resume_dir = os.path.join(workdir, "resume")
    net4 = _net(mx)
    est4, _ = _estimator(mx, net4)
    est4.fit(train, epochs=2, event_handlers=[ev.CheckpointHandler(resume_dir, "r")])
    net5 = _net(mx)
    est5, lines5 = _estimator(mx, net5)
    est5.fit(train, epochs=3, event_handlers=[ev.CheckpointHandler(resume_dir, "r", resume_from_checkpoint=True)])
    out["resume"] = [sorted(os.listdir(resume_dir)), _params(net5), lines5.lines[:3]]

    loss = mx.gluon.loss.L2Loss()
    out["errors"] = [
        _error(lambda: est3.fit(train, epochs=1, batches=2)),
        _error(lambda: est3.fit([1, 2], epochs=1)),
        _error(lambda: est3.evaluate([1, 2])),
        _error(lambda: ev.Estimator(net3, "l2")),
        _error(lambda: ev.Estimator(net3, loss, trainer="sgd")),
        _error(lambda: ev.Estimator(net3, loss, context="cpu")),
        _error(lambda: ev.Estimator(net3, loss, train_metrics=["acc"])),
        _error(lambda: ev.Estimator(net3, loss, batch_processor=object())),
        _error(lambda: ev.LoggingHandler(log_interval="batch")),
        _error(lambda: ev.EarlyStoppingHandler(monitor="acc")),
        _error(lambda: ev.CheckpointHandler(os.path.join(workdir, "x"), save_best=True)),
        _error(lambda: est3.fit(train, epochs=1, event_handlers=[ev.MetricHandler([mx.metric.Accuracy()])])),
        _error(lambda: est3.fit(train, epochs=1, event_handlers=["handler"])),
    ]
    out["default_l2_metrics"] = [m.name for m in ev.Estimator(_net(mx), loss, trainer=est3.trainer).train_metrics]
    warnings.resetwarnings()
    return json.loads(json.dumps(out).replace(workdir, "<workdir>"))


def main() -> None:
    import mxnet as mx
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        result = outcomes(mx, workdir)
    with open(OUT, "w") as f:
        json.dump(result, f, sort_keys=True, indent=0)
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
