#!/usr/bin/env python3
"""Symbols using the tensor operators added for MXNet 1.x parity, saved by MXNet 1.9.1 as JSON
with their forward outputs, so tests/python/test_ops_tensor.py checks that Minerva loads MXNet's
graphs (operator names such as _np_cumsum and _histogram, MXNet's parameter strings) and computes
the same values. Run it with the oracle's interpreter:

    /path/to/mxnet-venv/bin/python tools/golden/make_tensor_symbol_golden.py

It imports only mxnet and numpy and writes tests/golden/symbols/tensor_extra.json.
"""
import json
import pathlib

import mxnet as mx
import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests/golden/symbols/tensor_extra.json"


def symbols(x):
    return {
        "cumsum": mx.sym.cumsum(x, axis=1),
        "histogram": mx.sym.histogram(x, bins=3, range=(0, 1)),
        "split_v2_sections": mx.sym.split_v2(x, 2, axis=1),
        "split_v2_indices": mx.sym.split_v2(x, (1,), axis=0, squeeze_axis=True),
        "topk_both": mx.sym.topk(x, k=2, ret_typ="both", dtype="int32"),
        "sort": mx.sym.sort(x, axis=0, is_ascend=False),
        "moments": mx.sym.moments(x, axes=(0,), keepdims=True),
        "linspace": mx.sym.broadcast_add(mx.sym.linspace(0, 1, 4), mx.sym.sum(x)),
        "flip": mx.sym.flip(x, axis=(0, 1)),
        "diag": mx.sym.diag(x, k=1),
        "im2col": mx.sym.im2col(mx.sym.reshape(x, shape=(1, 1, 2, 4)), kernel=(2, 2)),
        "depth_to_space": mx.sym.depth_to_space(mx.sym.reshape(x, shape=(1, 8, 1, 1)), block_size=2),
        "slice_like": mx.sym.slice_like(x, mx.sym.zeros((1, 3)), axes=(1,)),
        "gamma": mx.sym.gammaln(x) + mx.sym.erfinv(x * 0.5),
    }


def main():
    xv = np.random.RandomState(0).rand(2, 4).astype(np.float32)
    cases = {}
    for name, sym in symbols(mx.sym.var("x")).items():
        outs = sym.bind(mx.cpu(), {"x": mx.nd.array(xv)}).forward()
        cases[name] = {"json": sym.tojson(), "outputs": [o.asnumpy().tolist() for o in outs],
                       "dtypes": [np.dtype(o.dtype).name for o in outs]}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"generator": "tools/golden/make_tensor_symbol_golden.py", "mxnet": mx.__version__,
                               "x": xv.tolist(), "cases": cases}))
    print(f"wrote {len(cases)} symbols to {OUT}")


if __name__ == "__main__":
    main()
