"""Writes tests/golden/api/callback.json: the log lines MXNet 1.9.1's mx.callback batch-end and
eval-end callbacks write for a scripted run (Speedometer with and without auto_reset,
log_train_metric, ProgressBar, LogValidationMetricsCallback), measured speeds masked.
tests/python/test_callback.py runs the same outcomes() with Minerva and compares.

Run under the MXNet oracle:
    .oracle-venv/bin/python tools/golden/make_callback_golden.py
"""
import json
import logging
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "api", "callback.json")


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(re.sub(r"Speed: [0-9.inf]+", "Speed: S", record.getMessage()))


def _run(mx, callbacks, epochs=2, batches=5) -> list:
    """Feeds each callback a BatchEndParam per batch; the metric sees one more right answer
    per batch, so the logged values change."""
    import numpy as np
    metric = mx.metric.CompositeEvalMetric([mx.metric.Accuracy(), mx.metric.MSE()])
    handler = _Collect()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        for epoch in range(epochs):
            metric.reset()
            for nbatch in range(batches):
                labels = mx.nd.array(np.arange(4) % 2)
                preds = mx.nd.array(np.eye(2)[(np.arange(4) + (nbatch % 2)) % 2])
                metric.update([labels], [preds])
                param = mx.model.BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=metric, locals=None)
                for cb in callbacks:
                    cb(param)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    return handler.lines


def outcomes(mx) -> dict:
    cb = mx.callback
    return {
        "speedometer_auto_reset": _run(mx, [cb.Speedometer(4, frequent=2)]),
        "speedometer_cumulative": _run(mx, [cb.Speedometer(4, frequent=2, auto_reset=False)]),
        "log_train_metric": _run(mx, [cb.log_train_metric(2)]),
        "log_train_metric_reset": _run(mx, [cb.log_train_metric(2, auto_reset=True)]),
        "progress_bar": _run(mx, [cb.ProgressBar(total=5, length=8)], epochs=1),
        "validation": _run(mx, [cb.LogValidationMetricsCallback()], epochs=1, batches=2),
    }


def main() -> None:
    import mxnet as mx
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(outcomes(mx), f, indent=0, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
