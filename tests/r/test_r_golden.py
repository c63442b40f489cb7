"""The cross-language golden vectors (tests/golden/ops.json, MXNet 1.9.1's outputs, which
tests/python/test_golden.py checks in Python) through the R package: every case whose operator
has an R function runs there in R's dimension order and must give MXNet's outputs."""
import json
import os
import pathlib

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
RLIB = ROOT / "build" / "rlib"
CASES = json.loads((ROOT / "tests/golden/ops.json").read_text())["cases"]

if not (RLIB / "minerva").is_dir():
    pytest.skip(f"the R package is not installed in {RLIB} (run make build)", allow_module_level=True)
os.environ["R_LIBS"] = str(RLIB)
pytest.importorskip("rpy2")
import rpy2.robjects as ro  # noqa: E402

ro.r(f'.libPaths(c("{RLIB}", .libPaths()))')
ro.r("suppressMessages(library(minerva))")


def r_function(op: str):
    """The R function MXNet-R users call for op ('_' becomes '.'), or None when it is hidden."""
    name = "mx.nd." + op.replace("_", ".")
    return ro.r[name] if bool(ro.r(f'exists("{name}")')[0]) else None


def r_param(op: str, key: str, value):
    if isinstance(value, bool):
        return ro.BoolVector([value])
    if isinstance(value, int):
        return ro.IntVector([value])
    if isinstance(value, float):
        return ro.FloatVector([value])
    if isinstance(value, list) and None in value:  # slice's (0, None): MXNet's string form
        return ro.StrVector(["(" + ", ".join("None" if v is None else str(v) for v in value) + ")"])
    if isinstance(value, list):  # a tuple: R writes it in R's order, reversed for the core (MXNet-R's rule)
        return ro.IntVector(value[::-1])
    return ro.StrVector([str(value)])


def r_array(values, shape):
    """An MXNDArray whose core shape is `shape`: R's dims are the reverse over the same data."""
    flat = np.array(values, dtype=np.float64).reshape(-1)
    return ro.r["mx.nd.array"](ro.r["array"](ro.FloatVector(flat), dim=ro.IntVector(shape[::-1])))


RUNNABLE = [c for c in CASES if r_function(c["op"]) is not None]


def test_most_golden_operators_have_r_functions():
    # Hidden internal names (_power_scalar...) are reached in R through arithmetic instead.
    assert len(RUNNABLE) >= len(CASES) - 5, sorted({c["op"] for c in CASES if c not in RUNNABLE})


@pytest.mark.parametrize("case", RUNNABLE, ids=[f"{c['op']}-{i}" for i, c in enumerate(RUNNABLE)])
def test_r_matches_mxnet(case):
    op = case["op"]
    inputs = [r_array(x, s) for x, s in zip(case["inputs"], case["shapes"])]
    params = {k: r_param(op, k, v) for k, v in case["params"].items()}
    # Python's golden run records under autograd, in training mode (BatchNorm's batch statistics).
    previous = ro.r("minerva:::MVAutogradSetIsTraining")(1)
    try:
        if op in ("concat", "stack"):
            out = r_function(op)(data=ro.r["list"](*inputs), **params)
        else:
            out = r_function(op)(*inputs, **params)
    finally:
        ro.r("minerva:::MVAutogradSetIsTraining")(previous)
    several = ro.r('function(x) is.list(x) && !inherits(x, "MXNDArray")')(out)[0]
    outs = list(out) if several else [out]
    assert len(outs) == len(case["outputs"]), f"{op}: {len(outs)} outputs in R, MXNet gave {len(case['outputs'])}"
    for k, (o, expected, shape) in enumerate(zip(outs, case["outputs"], case["output_shapes"])):
        assert list(ro.r["dim"](o))[::-1] == shape, f"{op} output {k}: R dims {list(ro.r['dim'](o))}"
        got = np.array(ro.r("function(x) as.vector(as.array(x))")(o))
        np.testing.assert_allclose(got, np.array(expected, dtype=np.float64).reshape(-1), rtol=1e-4, atol=1e-5,
                                   err_msg=f"{op} output {k}")
