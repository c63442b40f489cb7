"""Runs operator cases on the MXNet 1.9.1 oracle; the worker half of make_sample_golden.py.
Reads a JSON list of cases (op, aliases, params, inputs, shapes, heads, wrt) on stdin and writes one
JSON line per case on stdout, as soon as it is computed: outputs (and gradients), or the error
MXNet raised. (Some cases crash MXNet itself; the caller restarts it after the last line.) It imports only
mxnet and numpy, so it runs under the oracle's interpreter."""
import json
import sys

import mxnet as mx
import numpy as np


# MXNet files some registry prefixes under a namespace only (_linalg_gemm is mx.nd.linalg.gemm).
PREFIX_NAMESPACES = (("_linalg_", "linalg"), ("_contrib_", "contrib"), ("_image_", "image"))


def find_function(names):
    """MXNet's Python function for the first of names (the operator's name, then its aliases)."""
    for name in names:
        for ns in (mx.nd, mx.nd._internal, mx.nd.op):
            fn = getattr(ns, name, None)
            if callable(fn):
                return fn
        for prefix, module in PREFIX_NAMESPACES:
            if name.startswith(prefix):
                fn = getattr(getattr(mx.nd, module), name[len(prefix):], None)
                if callable(fn):
                    return fn
    return None


def first_line(e):
    """The line of MXNet's message that says what was wrong (it may start with a traceback)."""
    lines = [ln.strip() for ln in str(e).strip().splitlines() if ln.strip()]
    picked = next((ln for ln in lines if "Error" in ln and not ln.startswith("Traceback")), lines[-1] if lines else "")
    return "MXNet: " + picked[:300]


def run(case):
    fn = find_function([case["op"]] + case.get("aliases", []))
    if fn is None:
        return {"skip": "MXNet 1.9.1 has no operator of this name"}
    inputs = [mx.nd.array(np.array(x, dtype=np.float32).reshape(s)) for x, s in zip(case["inputs"], case["shapes"])]
    for i in case["wrt"]:
        inputs[i].attach_grad()
    try:
        with mx.autograd.record():
            out = fn(*inputs, **case["params"])
        outs = out if isinstance(out, list) else [out]
        result = {"outputs": [o.asnumpy().astype(np.float64).tolist() for o in outs],
                  "output_shapes": [list(o.shape) for o in outs]}
    except mx.MXNetError as e:
        return {"skip": first_line(e)}
    if case["wrt"]:
        try:
            heads = [mx.nd.array(np.array(h, dtype=np.float32).reshape(o.shape)) for h, o in zip(case["heads"], outs)]
            mx.autograd.backward(outs, heads)
            result["grads"] = {str(i): inputs[i].grad.asnumpy().astype(np.float64).tolist() for i in case["wrt"]}
        except (mx.MXNetError, ValueError) as e:
            result["grads_skip"] = first_line(e)
    return result


def main():
    for case in json.load(sys.stdin):
        sys.stdout.write(json.dumps(run(case)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
