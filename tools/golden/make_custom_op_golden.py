#!/usr/bin/env python3
"""Produces tests/golden/custom_op/custom_op_golden.json: what MXNet 1.9.1 computes for the
custom-operator programs of tests/python/custom_op_cases.py (the very code Minerva runs). Run it
with the oracle:

    MXNET_ENGINE_TYPE=NaiveEngine /path/to/mxnet-venv/bin/python tools/golden/make_custom_op_golden.py
"""
import importlib.util
import json
import pathlib

import mxnet as mx
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/golden/custom_op/custom_op_golden.json"
SYMBOL_OUT = ROOT / "tests/golden/custom_op/mxnet_custom-symbol.json"  # a graph with a Custom node, as MXNet saves it


def main():
    spec = importlib.util.spec_from_file_location("custom_op_cases", ROOT / "tests/python/custom_op_cases.py")
    cases = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cases)
    results = cases.run_all(mx)
    doc = {"_about": "MXNet 1.9.1 results of tests/python/custom_op_cases.py (tools/golden/make_custom_op_golden.py)",
           "cases": {name: {k: {"shape": list(v.shape), "data": [float(x) for x in np.asarray(v, np.float64).ravel()]}
                            for k, v in arrays.items()} for name, arrays in results.items()}}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT} ({len(results)} cases)")
    fc = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=4, name="fc")
    mx.sym.Custom(data=fc, name="sq", op_type="t_scaled_square", scale=3).save(str(SYMBOL_OUT))
    print(f"wrote {SYMBOL_OUT}")


if __name__ == "__main__":
    main()
