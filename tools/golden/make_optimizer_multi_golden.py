#!/usr/bin/env python3
"""Produces tests/golden/optim/multi_ops.json: what MXNet 1.9.1's multi-tensor optimizer updates
(multi_sgd_*, preloaded_multi_*, _multi_lamb_update, _multi_mp_lamb_update, the AdamW updates) compute, outputs and
the inputs they update in place (momenta, weight32 copies, LAMB's mean and var). MXNet runs them
only with out= (their shape inference leaves the outputs open), so each case passes fresh output
arrays shaped like its weights. Run it with the oracle:

    /path/to/mxnet-venv/bin/python tools/golden/make_optimizer_multi_golden.py

It imports only mxnet and numpy; tests/python/test_optimizer_multi.py reads the JSON.
"""
import json
import pathlib

import mxnet as mx
import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests/golden/optim/multi_ops.json"
rng = np.random.RandomState(11)
F16, F32 = "float16", "float32"


def u(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def per_weight(shapes, kinds):
    """Interleaved inputs for weights of `shapes`: kinds names each input of a group
    ("w", "g", "s" for a non-negative state); returns (inputs, dtypes, weight input indices)."""
    inputs, dtypes, weights = [], [], []
    for shape in shapes:
        for kind, dtype in kinds:
            if kind == "w":
                weights.append(len(inputs))
            inputs.append(u(*shape, lo=0.0, hi=0.1) if kind == "s" else u(*shape))
            dtypes.append(dtype)
    return inputs, dtypes, weights


def arr(*values):
    return np.array(values, np.float32)


SHAPES = [(3,), (2, 2)]
SGD = [("w", F32), ("g", F32)]
SGD_MOM = SGD + [("s", F32)]
MP = [("w", F16), ("g", F16)]
MP_MOM = MP + [("s", F32), ("w32", F32)]
LAMB = [("w", F32), ("g", F32), ("s", F32), ("s", F32)]
MP_LAMB = [("w", F16), ("g", F16), ("s", F32), ("s", F32), ("w32", F32)]
TWO = {"lrs": (0.1, 0.2), "wds": (0.01, 0.0), "num_weights": 2}
LAMB_PARAMS = {"learning_rates": (0.1, 0.2), "wds": (0.01, 0.02), "step_count": (3, 1), "num_tensors": 2}

ADAMW = {"lrs": (0.1, 0.05), "wds": (0.01, 0.1), "etas": (1.0, 0.5), "num_weights": 2}
ONE = [(4, 3)]

# (case name, operator, per-weight input kinds, extra trailing inputs, params[, weight shapes])
CASES = [
    ("sgd", "multi_sgd_update", SGD, [], dict(TWO, clip_gradient=0.5, rescale_grad=2.0)),
    ("sgd_mom", "multi_sgd_mom_update", SGD_MOM, [], dict(TWO, momentum=0.9)),
    ("mp_sgd", "multi_mp_sgd_update", MP + [("w32", F32)], [], dict(TWO)),
    ("mp_sgd_mom", "multi_mp_sgd_mom_update", MP_MOM, [], dict(TWO, momentum=0.9, clip_gradient=0.3)),
    ("pre_sgd", "preloaded_multi_sgd_update", SGD, [arr(0.1, 0.2), arr(0.01, 0.0)], {"num_weights": 2}),
    ("pre_sgd_mom", "preloaded_multi_sgd_mom_update", SGD_MOM, [arr(0.1, 0.2), arr(0.0, 0.1)],
     {"num_weights": 2, "momentum": 0.8}),
    ("pre_mp_sgd", "preloaded_multi_mp_sgd_update", MP + [("w32", F32)], [arr(0.3, 0.1), arr(0.1, 0.0)],
     {"num_weights": 2}),
    ("pre_mp_sgd_mom", "preloaded_multi_mp_sgd_mom_update", MP_MOM, [arr(0.3, 0.1), arr(0.1, 0.0)],
     {"num_weights": 2, "momentum": 0.9}),
    ("lamb", "_multi_lamb_update", LAMB, [], dict(LAMB_PARAMS, rescale_grad=1.5, clip_gradient=0.8)),
    ("lamb_bounds", "_multi_lamb_update", LAMB, [],
     dict(LAMB_PARAMS, lower_bound=0.1, upper_bound=0.5, bias_correction=False)),
    ("mp_lamb", "_multi_mp_lamb_update", MP_LAMB, [], dict(LAMB_PARAMS, epsilon=1e-5)),
    ("adamw", "_adamw_update", LAMB, [arr(2.0)], {"lr": 0.1, "eta": 0.5, "wd": 0.1, "clip_gradient": 0.5}, ONE),
    ("mp_adamw", "_mp_adamw_update", MP_LAMB, [arr(0.5)], {"lr": 0.01, "eta": 2.0, "epsilon": 1e-6}, ONE),
    ("multi_adamw", "_multi_adamw_update", LAMB, [arr(1.5)], dict(ADAMW, beta1=0.8, clip_gradient=0.4)),
    ("multi_mp_adamw", "_multi_mp_adamw_update", MP_LAMB, [arr(1.0)], dict(ADAMW, beta2=0.99)),
]


def run(name, op, kinds, extra, params, shapes=SHAPES):
    inputs, dtypes, weights = per_weight(shapes, kinds)
    inputs += extra
    dtypes += [F32] * len(extra)
    inputs = [x.astype(d) for x, d in zip(inputs, dtypes)]
    if any(k == "w32" for k, _ in kinds):  # the master copy holds the weight's value
        group = len(kinds)
        for w in weights:
            inputs[w + group - 1] = inputs[w].astype(np.float32)
    nd_in = [mx.nd.array(x, dtype=x.dtype) for x in inputs]
    outs = [mx.nd.zeros(inputs[w].shape, dtype=inputs[w].dtype) for w in weights]
    fn = getattr(mx.nd, op, None) or getattr(mx.nd._internal, op)
    fn(*nd_in, out=outs if len(outs) > 1 else outs[0], **params)
    return {"name": name, "op": op, "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
            "inputs": [x.astype(np.float64).ravel().tolist() for x in inputs],
            "shapes": [list(x.shape) for x in inputs], "dtypes": dtypes,
            "outputs": [o.asnumpy().astype(np.float64).ravel().tolist() for o in outs],
            "inputs_after": [x.asnumpy().astype(np.float64).ravel().tolist() for x in nd_in]}


def main():
    results = [run(*c) for c in CASES]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"generator": "tools/golden/make_optimizer_multi_golden.py", "mxnet": mx.__version__,
                               "cases": results}))
    print(f"wrote {len(results)} cases to {OUT}")


if __name__ == "__main__":
    main()
