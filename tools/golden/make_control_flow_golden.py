#!/usr/bin/env python3
"""Golden values for MXNet's symbolic control flow (tests/python/test_control_flow_symbolic.py).

For every program of control_flow_programs.py, MXNet 1.9.1 builds the symbol, saves its JSON
(with the "subgraphs" of its control-flow nodes), binds it to seeded inputs, runs forward and
backward (seeded head gradients) and records outputs and input gradients. It also loads the
symbol JSON that Minerva writes for the same program (tests/golden/control_flow/minerva/*.json,
written by make_control_flow_minerva_json.py) and records what MXNet computes from it, so the
test checks both directions of the JSON exchange. Run it with the oracle's interpreter:

    .oracle-venv/bin/python tools/golden/make_control_flow_golden.py

It imports only mxnet, numpy and the programs module; it writes tests/golden/control_flow/golden.json.
"""
import json
import pathlib
import sys

import mxnet as mx
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from control_flow_programs import PREDICATE_VALUES, PROGRAMS  # noqa: E402

OUT_DIR = HERE.parents[1] / "tests/golden/control_flow"


def inputs_for(name, shapes, variant):
    rng = np.random.RandomState(sum(map(ord, name)))
    values = {}
    for arg, shape in sorted(shapes.items()):
        values[arg] = rng.uniform(-1, 1, size=shape).astype(np.float32)
    if "i" in values and name.startswith("while"):
        values["i"] = np.zeros((1,), np.float32)
    if variant in PREDICATE_VALUES:
        values["p"] = np.array(PREDICATE_VALUES[variant], np.float32)
    return values


def run(sym, values, heads_seed):
    args = {k: mx.nd.array(v) for k, v in values.items()}
    grads = {k: mx.nd.zeros(v.shape) for k, v in values.items()}
    exe = sym.bind(mx.cpu(), args, args_grad=grads, grad_req="write")
    outs = exe.forward(is_train=True)
    rng = np.random.RandomState(heads_seed)
    heads = [rng.uniform(-1, 1, size=o.shape).astype(np.float32) for o in outs]
    exe.backward([mx.nd.array(h) for h in heads])
    return ([o.asnumpy() for o in outs], heads, {k: g.asnumpy() for k, g in grads.items()})


def main():
    cases = []
    for name, build in PROGRAMS.items():
        variants = ["then", "else"] if name == "cond_branches" else [""]
        for variant in variants:
            sym, shapes, rows = build(mx)
            values = inputs_for(name, shapes, variant)
            outs, heads, grads = run(sym, values, 7)
            case = {"program": name, "variant": variant, "rows": {str(k): v for k, v in rows.items()},
                    "inputs": {k: v.tolist() for k, v in values.items()},
                    "input_shapes": {k: list(v.shape) for k, v in values.items()},
                    "outputs": [o.tolist() for o in outs], "output_shapes": [list(o.shape) for o in outs],
                    "head_grads": [h.tolist() for h in heads],
                    "grads": {k: g.tolist() for k, g in grads.items()},
                    "mxnet_json": sym.tojson()}
            minerva_file = OUT_DIR / "minerva" / f"{name}.json"
            if minerva_file.exists():
                loaded = mx.sym.load_json(minerva_file.read_text())
                m_outs, _, m_grads = run(loaded, values, 7)
                case["from_minerva_json"] = {"outputs": [o.tolist() for o in m_outs],
                                             "grads": {k: g.tolist() for k, g in m_grads.items()}}
            cases.append(case)
    (OUT_DIR / "golden.json").write_text(json.dumps({"mxnet": mx.__version__, "cases": cases}) + "\n")
    print(f"wrote {len(cases)} cases")


if __name__ == "__main__":
    main()
