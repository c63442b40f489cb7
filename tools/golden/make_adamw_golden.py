#!/usr/bin/env python3
"""Three chained AdamW steps under the MXNet 1.9.1 oracle, plain and multi-precision, with
out=weight as MXNet's optimizer calls them: the weight, mean, var (and weight32) after each step,
for tests/python/test_small_ops.py. Run with the oracle's interpreter:

    /path/to/mxnet-venv/bin/python tools/golden/make_adamw_golden.py
"""
import json
import pathlib

import mxnet as mx
import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests/golden/optim/adamw_steps.json"
rng = np.random.RandomState(7)


def scenario(multi_precision):
    wdtype = "float16" if multi_precision else "float32"
    w0 = rng.uniform(-1, 1, (3, 4)).astype(np.float32)
    grads = [rng.uniform(-2, 2, (3, 4)).astype(np.float32) for _ in range(3)]
    rescales = [0.5, 0.0, 2.0]  # the middle step is skipped
    params = {"lr": 0.05, "eta": 0.7, "wd": 0.02, "beta1": 0.85, "clip_gradient": 1.5}
    weight = mx.nd.array(w0, dtype=wdtype)
    mean, var = mx.nd.zeros((3, 4)), mx.nd.zeros((3, 4))
    weight32 = mx.nd.array(w0)
    steps = []
    for g, r in zip(grads, rescales):
        grad = mx.nd.array(g, dtype=wdtype)
        if multi_precision:
            mx.nd.contrib.mp_adamw_update(weight, grad, mean, var, weight32, r, out=weight, **params)
        else:
            mx.nd.contrib.adamw_update(weight, grad, mean, var, r, out=weight, **params)
        state = {"weight": weight.asnumpy().astype(np.float32).tolist(), "mean": mean.asnumpy().tolist(),
                 "var": var.asnumpy().tolist()}
        if multi_precision:
            state["weight32"] = weight32.asnumpy().tolist()
        steps.append(state)
    return {"multi_precision": multi_precision, "weight_dtype": wdtype, "params": params, "w0": w0.tolist(),
            "grads": [g.tolist() for g in grads], "rescale_grad": rescales, "steps": steps}


def main():
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = {"generator": "tools/golden/make_adamw_golden.py", "mxnet": mx.__version__,
            "scenarios": [scenario(False), scenario(True)]}
    OUT.write_text(json.dumps(data))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
