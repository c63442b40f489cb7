"""Every declared operator sample against MXNet 1.9.1: tests/golden/samples.json holds the oracle's
outputs and input gradients for each sample of the registry (tools/golden/make_sample_golden.py
derives the cases from the declarations, so a new operator's samples are checked here once the
file is regenerated). Samples the oracle cannot run are listed in the file with the reason."""
import json
import pathlib

import minerva as mx
import numpy as np
import pytest

GOLDEN = json.loads((pathlib.Path(__file__).resolve().parents[1] / "golden/samples.json").read_text())
CASES = GOLDEN["cases"]
LARGEST = {"value": 0.0, "where": ""}


def _id(case):
    return f"{case['op']}-{case['sample']}"


def _compare(got, expected, shape, what):
    exp = np.array(expected, dtype=np.float64).reshape(shape)
    got = got.astype(np.float64)
    both_nan = np.isnan(got) & np.isnan(exp)
    np.testing.assert_allclose(np.where(both_nan, 0, got), np.where(both_nan, 0, exp), rtol=1e-4, atol=1e-5,
                               err_msg=what)
    diff = np.abs(np.where(both_nan, 0, got - exp))
    if diff.size and diff.max() > LARGEST["value"]:
        LARGEST.update(value=float(diff.max()), where=what)


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_sample_matches_mxnet(case):
    inputs = [mx.nd.array(np.array(x, dtype=np.float32).reshape(s)) for x, s in zip(case["inputs"], case["shapes"])]
    wrt = [int(i) for i in case.get("grads", {})]
    for i in wrt:
        inputs[i].attach_grad()
    with mx.autograd.record():
        out = mx.nd.invoke(case["op"], inputs, case["params"])
    outs = out if isinstance(out, list) else [out]
    assert [list(o.shape) for o in outs] == case["output_shapes"], f"{_id(case)}: output shapes differ from MXNet's"
    for k, (o, expected) in enumerate(zip(outs, case["outputs"])):
        _compare(o.asnumpy(), expected, case["output_shapes"][k], f"{_id(case)} output {k}")
    if wrt:
        heads = [mx.nd.array(np.array(h, dtype=np.float32).reshape(o.shape)) for h, o in zip(case["heads"], outs)]
        mx.autograd.backward(outs, heads)
        for i in wrt:
            _compare(inputs[i].grad.asnumpy(), case["grads"][str(i)], case["shapes"][i], f"{_id(case)} grad {i}")


def test_zz_report_sample_coverage(capsys):
    ops = {c["op"] for c in CASES}
    with capsys.disabled():
        print(f"\n{len(CASES)} operator samples ({len(ops)} operators) compared with MXNet 1.9.1, largest difference "
              f"{LARGEST['value']:.3g} ({LARGEST['where']}); {len(GOLDEN['skipped'])} samples the oracle cannot run "
              "(tests/golden/samples.json lists why)")
    assert len(ops) > 100
