"""Writes tests/golden/api/contrib_amp.json: MXNet 1.9.1's mx.contrib.amp on fixed graphs: the
graphs convert_symbol/convert_model make (nodes, their operators, names, attributes and inputs,
casts included), the dtypes convert_model gives the parameters, and the LossScaler's scale over a
fixed run of clean and overflowing steps. tests/python/test_contrib_amp.py runs the same
outcomes() with Minerva (where an ``amp_cast`` node of MXNet may be a ``Cast`` node).

Run under the MXNet oracle:
    .oracle-venv/bin/python tools/golden/make_contrib_amp_golden.py
"""
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "api", "contrib_amp.json")


def graphs(mx):
    """name -> (float32 symbol, convert_symbol keyword arguments)."""
    sym = mx.sym
    data = sym.var("data")
    h = sym.FullyConnected(data, num_hidden=8, name="fc1")
    h = sym.Activation(h, act_type="relu", name="relu1")
    h2 = sym.FullyConnected(h, num_hidden=4, name="fc2")
    s = sym.elemwise_add(h2, sym.exp(h2, name="e"), name="plus")
    s = sym.concat(s, h, dim=1, name="cc")
    mlp = sym.SoftmaxOutput(s, name="softmax")
    c = sym.Convolution(data, kernel=(3, 3), num_filter=4, pad=(1, 1), name="conv")
    c = sym.BatchNorm(c, name="bn")
    c = sym.Activation(c, act_type="softrelu", name="sr")
    c = sym.Pooling(c, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool")
    c = sym.Flatten(c, name="flat")
    c = sym.FullyConnected(c, num_hidden=3, name="fc")
    c = sym.log_softmax(c, name="lsm")
    mlp_plain = sym.FullyConnected(sym.Activation(sym.FullyConnected(data, num_hidden=6, name="f1"),
                                                  act_type="tanh", name="t1"), num_hidden=2, name="f2")
    return {
        "mlp": (mlp, {}),
        "convnet": (c, {}),
        "mlp_excluded": (mlp, {"excluded_sym_names": ["fc2"]}),
        "mlp_custom_lists": (mlp, {"target_dtype_ops": ["FullyConnected", "exp"], "fp32_ops": ["SoftmaxOutput"]}),
        "mlp_plain_fp16_output_cast_back": (mlp_plain, {}),
    }


def _structure(converted):
    nodes = json.loads(converted.tojson(remove_amp_cast=False) if "remove_amp_cast" in
                       converted.tojson.__code__.co_varnames else converted.tojson())["nodes"]
    return [[n["op"], n["name"], {k: v for k, v in n.get("attrs", {}).items() if not k.startswith("__")},
             [i[:2] for i in n["inputs"]]] for n in nodes]


def _scaler_run(mx, LossScaler):
    """loss_scale after each has_overflow call for a fixed pattern (doubling every 3 clean steps)."""
    p = mx.gluon.Parameter("w", shape=(2, 3))
    p.initialize(ctx=mx.cpu())
    scaler = LossScaler()
    scaler._scale_seq_len = 3
    seen = []
    for overflow in [False, True, False, False, False, False, True, True, False, False, False, False, False]:
        p.grad()[:] = np.inf if overflow else 0.5
        got = scaler.has_overflow([p])
        seen.append([bool(got), scaler.loss_scale, scaler._next_loss_scale])
    return seen


def outcomes(mx, amp, LossScaler) -> dict:
    out = {}
    for name, (sym, kwargs) in graphs(mx).items():
        out["graph_" + name] = _structure(amp.convert_symbol(sym, **kwargs))
    sym = graphs(mx)["convnet"][0]
    arg_shapes, _, aux_shapes = sym.infer_shape(data=(2, 3, 4, 4))
    args = {n: mx.nd.ones(s) for n, s in zip(sym.list_arguments(), arg_shapes) if n != "data"}
    auxs = {n: mx.nd.ones(s) for n, s in zip(sym.list_auxiliary_states(), aux_shapes)}
    converted, args, auxs = amp.convert_model(sym, args, auxs)
    out["convert_model_structure"] = _structure(converted)
    out["convert_model_param_dtypes"] = sorted([n, np.dtype(v.dtype).name] for n, v in list(args.items()) +
                                               list(auxs.items()))
    out["loss_scaler"] = _scaler_run(mx, LossScaler)
    return out


def main() -> None:
    import mxnet as mx
    from mxnet.contrib import amp
    from mxnet.contrib.amp.loss_scaler import LossScaler
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(outcomes(mx, amp, LossScaler), f, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
