"""Writes tests/golden/api/contrib_optim.json: MXNet 1.9.1's mx.optimizer.contrib.GroupAdaGrad
over a few steps (plain, with rescale_grad and clip_gradient, with a learning-rate multiplier):
weights and row histories after each step. tests/python/test_contrib_optimizer.py runs the same
outcomes() with Minerva.

Run under the MXNet oracle:
    .oracle-venv/bin/python tools/golden/make_contrib_optim_golden.py
"""
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "api", "contrib_optim.json")

SETTINGS = {
    "plain": {"learning_rate": 0.1},
    "rescale_clip": {"learning_rate": 0.05, "eps": 1e-3, "rescale_grad": 2.0, "clip_gradient": 0.3},
    "lr_mult": {"learning_rate": 0.2, "eps": 1e-6},
}


def outcomes(mx) -> dict:
    out = {}
    for name, kwargs in sorted(SETTINGS.items()):
        rng = np.random.RandomState(7)
        opt = mx.optimizer.create("groupadagrad", **kwargs)
        if name == "lr_mult":
            opt.set_lr_mult({1: 0.5})
        updater = mx.optimizer.get_updater(opt)
        weights = [mx.nd.array(rng.uniform(-1, 1, size=s).astype(np.float32)) for s in [(4, 3), (2, 5)]]
        steps = []
        for _ in range(3):
            for i, w in enumerate(weights):
                updater(i, mx.nd.array(rng.uniform(-1, 1, size=w.shape).astype(np.float32)), w)
            steps.append({"weights": [w.asnumpy().tolist() for w in weights],
                          "history": [updater.states[i].asnumpy().tolist() for i in range(2)]})
        out[name] = steps
    return out


def main() -> None:
    import mxnet as mx
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(outcomes(mx), f, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
