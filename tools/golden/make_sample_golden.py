#!/usr/bin/env python3
"""Derives golden cases from the operators' declared samples (STYLE rule 15): every sample in
the registry (read through MVOpGetSchemaJSON) gets deterministic float32 inputs, and the MXNet
1.9.1 oracle computes its outputs and input gradients. Writes tests/golden/samples.json, which
tests/python/test_golden_samples.py compares Minerva against. Run it with Minerva's venv after
adding an operator or a sample:

    .venv/bin/python tools/golden/make_sample_golden.py [--oracle .oracle-venv/bin/python]

The oracle runs tools/golden/oracle_run_samples.py (mxnet and numpy only). Samples MXNet cannot
run (an operator it lacks, a parameter Minerva adds, random operators) are recorded with the
reason, so the test reports how much of the registry the oracle checks.
"""
import argparse
import json
import pathlib
import subprocess
import sys
import zlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
OUT = ROOT / "tests/golden/samples.json"

import minerva as mx  # noqa: E402
from minerva import _op  # noqa: E402


# Samples where MXNet 1.9.1 is wrong and Minerva deliberately differs, with the evidence.
MXNET_WRONG = {
    ("CTCLoss", 1): "MXNet 1.9.1's CPU CTCLoss with use_data_lengths gives losses 6.88 and 6.83 where the sum "
                    "over all alignments of the truncated sequences, enumerated by brute force, gives 8.315 and "
                    "8.348 (Minerva's values)",
    ("SoftmaxActivation", 0): "MXNet 1.9.1's backward of mode='instance' on 3-D input sums over axis 1 while its "
                              "forward normalises the last axis, so its gradient is not the derivative; the "
                              "forward is golden-checked in tests/golden/ops/nn_extra.json",
    **{(flip, k): "MXNet 1.9.1's gradient of the image flips passes ograd through unflipped (its "
                  "ElemwiseGradUseNone{_copy}); Minerva's is the flipped ograd, the derivative. The forward is "
                  "golden-checked in tests/golden/ops/image.json"
       for flip in ("_image_flip_left_right", "_image_flip_top_bottom") for k in (0, 1)},
}
# Samples that cannot be compared, and why: random inputs that leave the result unspecified,
# or a deliberate difference documented with the operator.
NOT_COMPARABLE = {
    **{(op, k): "a control-flow operator's sample holds its graphs (OpSample::subgraphs), which the schema "
                "does not carry; tests/golden/control_flow/golden.json compares mx.sym.contrib.foreach / "
                "while_loop / cond with MXNet instead"
       for op, k in (("_foreach", 0), ("_while_loop", 0), ("_cond", 0), ("_cond", 1))},
    ("_histogram", 1): "the bin edges are drawn at random, so they are not sorted; "
                       "tools/golden/op_cases/tensor_extra.py checks sorted explicit edges",
    ("_split_v2", 3): "squeezing a 1-D split gives MXNet 1.9.1 0-d arrays, a shape its legacy (non-NumPy) "
                      "semantics otherwise treats as unknown; Minerva has no 0-d arrays outside mx.np and "
                      "keeps shape (1,)",
}


def make_case(name, schema, k, sample):
    """Inputs, head gradients and the inputs to differentiate, drawn from a per-sample seed."""
    rng = np.random.RandomState(zlib.crc32(f"{name}/{k}".encode()))
    inputs = []
    for i, shape in enumerate(sample["shapes"]):
        if i in sample["index_inputs"]:
            x = rng.randint(0, max(sample["index_high"], 1), size=shape)
        else:
            x = rng.uniform(sample["lo"], sample["hi"], size=shape)
        inputs.append(np.asarray(x, dtype=np.float32).ravel().tolist())
    skip = set(sample["index_inputs"]) | set(sample["no_grad_inputs"])
    wrt = [] if not (schema["differentiable"] and sample["grad_check"]) else \
        [i for i in range(len(sample["shapes"])) if i not in skip]
    return {"op": name, "aliases": schema["aliases"], "sample": k, "params": sample["params"], "inputs": inputs,
            "shapes": sample["shapes"],
            "wrt": wrt, "seed": zlib.crc32(f"{name}/{k}/heads".encode())}


def heads_for(case, output_shapes):
    rng = np.random.RandomState(case["seed"])
    return [rng.uniform(-1, 1, size=s).astype(np.float32).ravel().tolist() for s in output_shapes]


def minerva_output_shapes(case):
    ins = [mx.nd.array(np.array(x, dtype=np.float32).reshape(s)) for x, s in zip(case["inputs"], case["shapes"])]
    with mx.autograd.record():
        out = mx.nd.invoke(case["op"], ins, case["params"])
    return [list(o.shape) for o in (out if isinstance(out, list) else [out])]


def run_oracle(oracle, cases):
    """One result per case. MXNet 1.9.1 itself crashes on a few inputs (a segmentation fault
    in its oneDNN pooling, for one): the crashing case is recorded as such and the worker is
    restarted on the cases after it."""
    results = []
    while len(results) < len(cases):
        proc = subprocess.run([oracle, str(ROOT / "tools/golden/oracle_run_samples.py")],
                              input=json.dumps(cases[len(results):]), capture_output=True, text=True)
        results += [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        if proc.returncode != 0 and len(results) < len(cases):
            if not proc.stdout.strip() and "import" in proc.stderr and "Error" in proc.stderr:
                sys.exit(f"make_sample_golden: the oracle does not start:\n{proc.stderr[-2000:]}")
            results.append({"skip": f"MXNet 1.9.1 crashes on this case (exit status {proc.returncode})"})
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--oracle", default=str(ROOT / ".oracle-venv/bin/python"))
    args = ap.parse_args()
    cases, skipped = [], []
    for name in _op.list_ops():
        schema = _op.schema(name)
        for k, sample in enumerate(schema["samples"]):
            if name.startswith("_backward_"):
                skipped.append({"op": name, "sample": k, "skip": "internal backward operator: MXNet's are not "
                                "callable on their own; checked through its forward's gradient"})
                continue
            reason = MXNET_WRONG.get((name, k)) or NOT_COMPARABLE.get((name, k))
            if reason:
                skipped.append({"op": name, "sample": k, "skip": reason})
                continue
            if schema["uses_rng"]:
                skipped.append({"op": name, "sample": k, "skip": "random operator: outputs are draws"})
                continue
            case = make_case(name, schema, k, sample)
            try:
                case["heads"] = heads_for(case, minerva_output_shapes(case))
            except mx.MXNetError as e:
                skipped.append({"op": name, "sample": k, "skip": f"Minerva: {str(e).splitlines()[0][:300]}"})
                continue
            cases.append(case)
    results = run_oracle(args.oracle, cases)
    golden = []
    for case, res in zip(cases, results):
        case.pop("seed")
        case.update(res)
        (skipped if "skip" in res else golden).append(case)
    for s in skipped:
        for key in ("inputs", "heads", "wrt", "shapes", "params", "aliases"):
            s.pop(key, None)
    OUT.write_text(json.dumps({"generator": "tools/golden/make_sample_golden.py", "mxnet": "1.9.1",
                               "cases": golden, "skipped": skipped}, separators=(",", ":")))
    print(f"wrote {len(golden)} sample cases ({len({c['op'] for c in golden})} operators) to {OUT}; "
          f"{len(skipped)} samples the oracle cannot run")


if __name__ == "__main__":
    main()
