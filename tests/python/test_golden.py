"""Outputs and gradients of a representative operator set against MXNet 1.9.1's, from
tests/golden/ops.json and tests/golden/ops/*.json (made by tools/golden/make_op_golden.py under
the oracle, one file per operator family)."""
import json
import pathlib

import minerva as mx
import numpy as np
import pytest

_GOLDEN_DIR = pathlib.Path(__file__).resolve().parents[1] / "golden"
CASES = [case for path in [_GOLDEN_DIR / "ops.json", *sorted((_GOLDEN_DIR / "ops").glob("*.json"))]
         for case in json.loads(path.read_text())["cases"]]
MAX_DIFF = {"value": 0.0, "where": ""}


def _id(case):
    return case["op"] + "-" + "-".join(f"{k}={v}" for k, v in case["params"].items())


def _params(case):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in case["params"].items()}


def _run(case):
    fn = getattr(mx.nd, case["op"], None) or getattr(mx.nd._internal, case["op"])
    dtypes = case.get("dtypes") or ["float32"] * len(case["inputs"])
    inputs = [mx.nd.array(np.array(x, dtype=d).reshape(s), dtype=d)
              for x, s, d in zip(case["inputs"], case["shapes"], dtypes)]
    wrt = [int(i) for i in (case["grads"] or {}).get("inputs", {})]
    for i in wrt:
        inputs[i].attach_grad()
    with mx.autograd.record():
        out = fn(*inputs, **_params(case))
    outs = out if isinstance(out, list) else [out]
    return inputs, outs, wrt


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_matches_mxnet(case):
    inputs, outs, wrt = _run(case)
    assert len(outs) == len(case["outputs"]), f"{case['op']}: {len(outs)} outputs, MXNet gave {len(case['outputs'])}"
    for k, (o, expected, shape) in enumerate(zip(outs, case["outputs"], case["output_shapes"])):
        assert list(o.shape) == shape, f"{case['op']} output {k}: shape {o.shape}, MXNet {tuple(shape)}"
        got, exp = o.asnumpy().astype(np.float64), np.array(expected, dtype=np.float64).reshape(shape)
        np.testing.assert_allclose(got, exp, rtol=1e-4, atol=1e-5, err_msg=f"{case['op']} output {k}")
        _track(np.abs(got - exp), f"{_id(case)} output {k}")
    if wrt:
        heads = [mx.nd.array(np.array(h, dtype=o.dtype), dtype=o.dtype) for h, o in zip(case["grads"]["head"], outs)]
        mx.autograd.backward(outs, heads)
        for i in wrt:
            exp = np.array(case["grads"]["inputs"][str(i)], dtype=np.float64)
            got = inputs[i].grad.asnumpy().astype(np.float64)
            np.testing.assert_allclose(got, exp, rtol=1e-4, atol=1e-5, err_msg=f"{case['op']} grad of input {i}")
            _track(np.abs(got - exp), f"{_id(case)} grad {i}")


def _track(diff, where):
    if diff.size and diff.max() > MAX_DIFF["value"]:
        MAX_DIFF.update(value=float(diff.max()), where=where)


def test_zz_report_largest_difference(capsys):
    with capsys.disabled():
        print(f"\nlargest difference from MXNet 1.9.1 over {len(CASES)} golden cases: "
              f"{MAX_DIFF['value']:.3g} ({MAX_DIFF['where']})")
