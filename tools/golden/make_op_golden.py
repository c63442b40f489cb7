#!/usr/bin/env python3
"""Produces tests/golden/ops.json: outputs (and input gradients) of a representative operator
set computed by the MXNet 1.9.1 oracle. Run it with the oracle's interpreter:

    /path/to/mxnet-venv/bin/python tools/golden/make_op_golden.py            # tests/golden/ops.json
    /path/to/mxnet-venv/bin/python tools/golden/make_op_golden.py FAMILY     # tests/golden/ops/FAMILY.json

A FAMILY is a module tools/golden/op_cases/FAMILY.py holding a CASES list of the same form as
below (it may use ``u``, ``idx`` and ``rng`` from this module), so each operator family keeps
its golden cases beside the others without editing one shared list. A case may add a fifth
element: the numpy dtype name of each input (float32 when absent).

It imports only mxnet and numpy; the committed JSON is what the tests read.
"""
import importlib.util
import json
import pathlib
import sys

import mxnet as mx
import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests/golden/ops.json"
rng = np.random.RandomState(2024)


def u(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def idx(high, *shape):
    return rng.randint(0, high, size=shape).astype(np.float32)


# (operator, inputs, params, differentiate w.r.t. these input indices)
CASES = [
    ("broadcast_add", [u(2, 3), u(1, 3)], {}, [0, 1]),
    ("broadcast_mul", [u(2, 1, 3), u(1, 4, 1)], {}, [0, 1]),
    ("broadcast_div", [u(2, 3), u(2, 1, lo=0.5, hi=2)], {}, [0, 1]),
    ("broadcast_power", [u(2, 3, lo=0.5, hi=2), u(2, 3)], {}, [0, 1]),
    ("broadcast_maximum", [u(3, 4), u(3, 1)], {}, [0, 1]),
    ("broadcast_mod", [u(2, 3, lo=1, hi=5), u(2, 3, lo=0.5, hi=2)], {}, []),
    ("elemwise_sub", [u(4), u(4)], {}, [0, 1]),
    ("_rminus_scalar", [u(3)], {"scalar": 2.5}, [0]),
    ("_rdiv_scalar", [u(3, lo=0.5, hi=2)], {"scalar": 3.0}, [0]),
    ("_power_scalar", [u(3, lo=0.5, hi=2)], {"scalar": 2.5}, [0]),
    ("sigmoid", [u(2, 3)], {}, [0]),
    ("tanh", [u(2, 3)], {}, [0]),
    ("exp", [u(5)], {}, [0]),
    ("log", [u(5, lo=0.1, hi=3)], {}, [0]),
    ("rsqrt", [u(5, lo=0.1, hi=3)], {}, [0]),
    ("erf", [u(5)], {}, [0]),
    ("softsign", [u(5)], {}, [0]),
    ("round", [u(6, lo=-3, hi=3)], {}, []),
    ("clip", [u(6, lo=-2, hi=2)], {"a_min": -0.5, "a_max": 0.7}, [0]),
    ("where", [(u(2, 3) > 0).astype(np.float32), u(2, 3), u(2, 3)], {}, [1, 2]),
    ("sum", [u(2, 3, 4)], {"axis": (0, 2)}, [0]),
    ("sum", [u(2, 3, 4)], {"axis": 1, "keepdims": True}, [0]),
    ("mean", [u(2, 3, 4)], {"axis": 1, "exclude": True}, [0]),
    ("max", [u(3, 4)], {"axis": 1}, [0]),
    ("prod", [u(2, 3, lo=0.5, hi=1.5)], {"axis": 0}, [0]),
    ("norm", [u(3, 4)], {}, [0]),
    ("argmax", [u(3, 4)], {"axis": 1}, []),
    ("dot", [u(2, 3), u(3, 4)], {}, [0, 1]),
    ("dot", [u(3, 2), u(4, 3)], {"transpose_a": True, "transpose_b": True}, [0, 1]),
    ("batch_dot", [u(2, 3, 4), u(2, 4, 2)], {}, [0, 1]),
    ("FullyConnected", [u(2, 3, 2), u(4, 6), u(4)], {"num_hidden": 4}, [0, 1, 2]),
    ("FullyConnected", [u(2, 5), u(3, 5)], {"num_hidden": 3, "no_bias": True}, [0, 1]),
    ("Convolution", [u(2, 3, 6, 6), u(4, 3, 3, 3), u(4)], {"kernel": (3, 3), "num_filter": 4}, [0, 1, 2]),
    ("Convolution", [u(1, 4, 7, 7), u(4, 2, 3, 3), u(4)],
     {"kernel": (3, 3), "num_filter": 4, "stride": (2, 2), "pad": (1, 1), "dilate": (1, 1), "num_group": 2},
     [0, 1, 2]),
    ("Convolution", [u(2, 2, 9), u(3, 2, 3)], {"kernel": (3,), "num_filter": 3, "no_bias": True,
                                               "dilate": (2,)}, [0, 1]),
    ("Pooling", [u(1, 2, 6, 6)], {"kernel": (2, 2), "stride": (2, 2), "pool_type": "max"}, [0]),
    ("Pooling", [u(1, 2, 7, 7)], {"kernel": (3, 3), "stride": (2, 2), "pool_type": "avg",
                                  "pooling_convention": "full"}, [0]),
    ("Pooling", [u(2, 3, 5, 5)], {"kernel": (1, 1), "global_pool": True, "pool_type": "avg"}, [0]),
    ("Pooling", [u(1, 1, 6, 6)], {"kernel": (3, 3), "stride": (1, 1), "pad": (1, 1), "pool_type": "sum"}, [0]),
    ("Activation", [u(2, 5)], {"act_type": "softrelu"}, [0]),
    ("LeakyReLU", [u(2, 5)], {"act_type": "leaky", "slope": 0.1}, [0]),
    ("LeakyReLU", [u(2, 5)], {"act_type": "elu", "slope": 0.3}, [0]),
    ("LeakyReLU", [u(2, 5)], {"act_type": "gelu"}, [0]),
    ("softmax", [u(2, 5)], {"axis": -1}, [0]),
    ("softmax", [u(3, 4)], {"axis": 0, "temperature": 2.0}, [0]),
    ("log_softmax", [u(2, 5)], {}, [0]),
    ("LayerNorm", [u(2, 5), u(5), u(5)], {}, [0, 1, 2]),
    ("BatchNorm", [u(4, 3, 2, 2), u(3), u(3), u(3), u(3, lo=0.5, hi=1.5)], {"fix_gamma": False}, [0, 1, 2]),
    ("Embedding", [idx(5, 2, 3), u(5, 4)], {"input_dim": 5, "output_dim": 4}, [1]),
    ("Reshape", [u(2, 3, 4)], {"shape": (-1, 0)}, [0]),
    ("Reshape", [u(2, 3, 4)], {"shape": (0, -3)}, [0]),
    ("Reshape", [u(2, 12)], {"shape": (0, -4, 3, -1)}, [0]),
    ("Reshape", [u(2, 3, 4)], {"shape": (-2,)}, [0]),
    ("transpose", [u(2, 3, 4)], {"axes": (2, 0, 1)}, [0]),
    ("expand_dims", [u(2, 3)], {"axis": 1}, [0]),
    ("concat", [u(2, 3), u(2, 2)], {"dim": 1, "num_args": 2}, [0, 1]),
    ("stack", [u(2, 3), u(2, 3)], {"axis": 1, "num_args": 2}, [0, 1]),
    ("split", [u(2, 6)], {"num_outputs": 3, "axis": 1}, [0]),
    ("slice", [u(3, 4, 5)], {"begin": (0, 1, None), "end": (2, 3, None), "step": (1, 1, 2)}, [0]),
    ("slice_axis", [u(3, 4)], {"axis": 1, "begin": 1, "end": -1}, [0]),
    ("take", [u(4, 3), idx(4, 5)], {"axis": 0}, [0]),
    ("pick", [u(3, 4), idx(4, 3)], {"axis": 1}, [0]),
    ("one_hot", [idx(5, 4)], {"depth": 5}, []),
    ("tile", [u(2, 3)], {"reps": (2, 1, 2)}, [0]),
    ("repeat", [u(2, 3)], {"repeats": 2, "axis": 1}, [0]),
    ("broadcast_to", [u(1, 3)], {"shape": (4, 3)}, [0]),
    ("squeeze", [u(2, 1, 3)], {}, [0]),
    ("Flatten", [u(2, 3, 4)], {}, [0]),
    ("sgd_mom_update", [u(5), u(5), u(5)], {"lr": 0.1, "momentum": 0.9, "wd": 0.01}, []),
    ("adam_update", [u(5), u(5), u(5, lo=0, hi=0.1), u(5, lo=0, hi=0.1)], {"lr": 0.01, "wd": 0.001}, []),
    ("rmsprop_update", [u(5), u(5), u(5, lo=0, hi=0.1)], {"lr": 0.01}, []),
]


def run(op, inputs, params, wrt, dtypes=None):
    dtypes = dtypes or ["float32"] * len(inputs)
    inputs = [np.asarray(x).astype(d) for x, d in zip(inputs, dtypes)]
    nd_in = [mx.nd.array(x, dtype=x.dtype) for x in inputs]
    for i in wrt:
        nd_in[i].attach_grad()
    if hasattr(mx.nd, op):
        fn = getattr(mx.nd, op)
    elif op.startswith("_image_"):  # MXNet exposes these only as mx.nd.image.<short name>
        fn = getattr(mx.nd.image, op[len("_image_"):])
    elif op.startswith("_contrib_"):  # MXNet puts these in mx.nd.contrib only
        fn = getattr(mx.nd.contrib, op[len("_contrib_"):])
    else:
        fn = getattr(mx.nd._internal, op)
    with mx.autograd.record():
        out = fn(*nd_in, **params)
    outs = out if isinstance(out, list) else [out]
    grads = None
    if wrt:
        head = [mx.nd.array(rng.uniform(-1, 1, o.shape).astype(np.float32)) for o in outs]
        mx.autograd.backward(outs, head)
        grads = {"head": [h.asnumpy().tolist() for h in head],
                 "inputs": {str(i): nd_in[i].grad.asnumpy().tolist() for i in wrt}}
    return {"op": op, "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
            "inputs": [x.tolist() for x in inputs], "shapes": [list(x.shape) for x in inputs],
            "dtypes": dtypes,
            "outputs": [o.asnumpy().tolist() for o in outs], "output_shapes": [list(o.shape) for o in outs],
            "grads": grads}


def family_cases(family):
    """The CASES of tools/golden/op_cases/<family>.py, which may use this module's helpers."""
    path = pathlib.Path(__file__).resolve().parent / "op_cases" / f"{family}.py"
    if not path.is_file():
        sys.exit(f"make_op_golden: no case file {path}")
    spec = importlib.util.spec_from_file_location(f"op_cases_{family}", path)
    module = importlib.util.module_from_spec(spec)
    module.u, module.idx, module.rng = u, idx, rng
    spec.loader.exec_module(module)
    return module.CASES


def main(argv):
    if argv:
        cases, out, generator = family_cases(argv[0]), OUT.parent / "ops" / f"{argv[0]}.json", \
            f"tools/golden/make_op_golden.py {argv[0]}"
    else:
        cases, out, generator = CASES, OUT, "tools/golden/make_op_golden.py"
    results = [run(*c) for c in cases]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"generator": generator, "mxnet": mx.__version__, "cases": results}))
    print(f"wrote {len(results)} cases to {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
