"""R's operator parameter order against Python's: a tuple written in R's order (MXNet-R's rule,
R-package/src/base.h toPyString: every vector is reversed for the core) must build the same node
as Python given the reversed tuple, for every tuple parameter of every operator R exposes; and R
arrays through Convolution/Pooling/slice/transpose give Python's results on the transposed data.
The package must be installed in build/rlib (`make build`)."""
import json
import os
import pathlib

import numpy as np
import pytest

import minerva as mx
from minerva import _op

ROOT = pathlib.Path(__file__).resolve().parents[2]
RLIB = ROOT / "build" / "rlib"

if not (RLIB / "minerva").is_dir():
    pytest.skip(f"the R package is not installed in {RLIB} (run make build)", allow_module_level=True)
os.environ["R_LIBS"] = str(RLIB)
pytest.importorskip("rpy2")
import rpy2.robjects as ro  # noqa: E402

ro.r(f'.libPaths(c("{RLIB}", .libPaths()))')
ro.r("suppressMessages(library(minerva))")


def _r_literal(value, ptype):
    if ptype in ("int", "float"):
        return repr(float(value))
    if ptype == "bool":
        return "TRUE" if value in ("True", "true", "1") else "FALSE"
    return json.dumps(value)


def _cases():
    """(R function, operator name, tuple parameter, other required parameters as strings, variadic)."""
    cases = []
    for name in _op.list_ops():
        s = _op.schema(name)
        tuples = [p for p in s["params"] if p["type"] == "shape"]
        public = [n for n in [name, *s["aliases"]] if not n.startswith("_")]
        rname = next((n.replace("_", ".") for n in public
                      if bool(ro.r(f'exists("mx.symbol.{n.replace("_", ".")}")')[0])), None)
        if not tuples or rname is None:
            continue
        sample = s["samples"][0]["params"] if s["samples"] else {}
        for p in tuples:
            others = {q["name"]: (sample[q["name"]], q["type"]) for q in s["params"]
                      if q["required"] and q["name"] != p["name"]}
            cases.append((rname, name, p["name"], others, bool(s["variadic"])))
    return cases


CASES = _cases()


def test_the_cases_cover_the_operators_mxnet_r_users_call():
    covered = {(py, p) for _, py, p, _, _ in CASES}
    for case in [("Convolution", "kernel"), ("Convolution", "stride"), ("Convolution", "pad"), ("Pooling", "kernel"),
                 ("slice", "begin"), ("slice", "end"), ("transpose", "axes"), ("Crop", "h_w"), ("Crop", "offset"),
                 ("Pad", "pad_width"), ("Deconvolution", "adj"), ("tile", "reps"), ("Reshape", "shape")]:
        assert case in covered, case
    assert len(CASES) > 50


@pytest.mark.parametrize("rname,pyname,param,others,variadic", CASES, ids=[f"{c[1]}.{c[2]}" for c in CASES])
def test_r_order_tuple_reaches_the_core_as_pythons_reversed_tuple(rname, pyname, param, others, variadic):
    r_value = [0, 0, 0, 0, 1, 2] if param == "pad_width" else [1, 2, 3]
    args = [f"{k} = {_r_literal(v, t)}" for k, (v, t) in others.items()]
    args.append(f"{param} = c({', '.join(str(v) for v in r_value)})")
    if variadic:
        args.append('data = list(mx.symbol.Variable("x"))')
    r_json = ro.r(f"mx.symbol.save.json(mx.symbol.{rname}({', '.join(args)}))")[0]
    r_attrs = json.loads(r_json)["nodes"][-1]["attrs"]
    py_kwargs = {k: v for k, (v, _) in others.items()}
    py_kwargs[param] = tuple(reversed(r_value))
    py_inputs = [mx.sym.Variable("x")] if variadic else []
    # The operator itself, not a Python-level helper of the same name (mx.sym.full takes val).
    py_op = getattr(mx.sym._internal, pyname, None) or getattr(mx.sym, pyname)
    py_attrs = json.loads(py_op(*py_inputs, **py_kwargs).tojson())["nodes"][-1]["attrs"]
    assert r_attrs[param] == py_attrs[param]


def _r_array(x: np.ndarray) -> str:
    """R source for an R array holding the core array x (R's dims are x's reversed)."""
    flat = ", ".join(repr(float(v)) for v in x.reshape(-1))
    return f"array(c({flat}), dim = c({', '.join(str(d) for d in x.shape[::-1])}))"


def _from_r(code: str) -> np.ndarray:
    """The core-order array of an R expression giving an MXNDArray."""
    dims = [int(d) for d in ro.r(f"dim(as.array({code}))")][::-1]
    return np.array(ro.r(f"as.vector(as.array({code}))")).reshape(dims)


def test_convolution_pooling_slice_and_transpose_match_python():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 1, 6, 9))
    w = rng.standard_normal((4, 1, 1, 3))
    ro.r(f"x <- mx.nd.array({_r_array(x)}); w <- mx.nd.array({_r_array(w)})")
    # MXNet-R: kernel = c(3, 1) is (width 3, height 1), the core's (1, 3); the weight is c(3, 1, 1, 4).
    got = _from_r("mx.nd.Convolution(x, w, kernel = c(3, 1), stride = c(2, 1), pad = c(1, 0), num_filter = 4, "
                  "no_bias = TRUE)")
    want = mx.nd.Convolution(mx.nd.array(x), mx.nd.array(w), kernel=(1, 3), stride=(1, 2), pad=(0, 1), num_filter=4,
                             no_bias=True).asnumpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    got = _from_r('mx.nd.Pooling(x, kernel = c(2, 3), stride = c(2, 3), pool_type = "avg")')
    want = mx.nd.Pooling(mx.nd.array(x), kernel=(3, 2), stride=(3, 2), pool_type="avg").asnumpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    got = _from_r("mx.nd.slice(x, begin = c(1, 0, 0, 0), end = c(4, 5, 1, 2))")
    want = mx.nd.slice(mx.nd.array(x), begin=(0, 0, 0, 1), end=(2, 1, 5, 4)).asnumpy()
    np.testing.assert_allclose(got, want, rtol=1e-6)
    got = _from_r("mx.nd.transpose(x, axes = c(0, 2, 1, 3))")
    want = mx.nd.transpose(mx.nd.array(x), axes=(3, 1, 2, 0)).asnumpy()
    np.testing.assert_allclose(got, want, rtol=1e-6)
