"""Writes tests/golden/api/contrib_rnn.json: MXNet 1.9.1's gluon.contrib.rnn on fixed inputs and
parameters: the nine convolutional cells (1/2/3-D RNN, LSTM, GRU; parameter names and shapes,
repr, unrolled outputs and states, imperative and hybridized, the gradient of Conv2DLSTMCell's
weights, a symbolic unroll), LSTMPCell (with valid_length), VariationalDropoutCell at inference and
dynamic_unroll (both layouts, valid_length). tests/python/test_contrib_rnn.py runs the same
outcomes() with Minerva.

Run under the MXNet oracle:
    .oracle-venv/bin/python tools/golden/make_contrib_rnn_golden.py
"""
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "api", "contrib_rnn.json")

# name, dims, kwargs (besides input_shape/hidden_channels), per-step input shape (channels first)
CONV_CASES = [
    ("Conv1DRNNCell", {"i2h_kernel": 3, "h2h_kernel": 3}, (2, 7)),
    ("Conv1DLSTMCell", {"i2h_kernel": (3,), "h2h_kernel": (5,), "i2h_pad": (1,), "activation": "relu"}, (2, 6)),
    ("Conv1DGRUCell", {"i2h_kernel": 2, "h2h_kernel": 3, "h2h_dilate": 2}, (3, 5)),
    ("Conv2DRNNCell", {"i2h_kernel": (3, 3), "h2h_kernel": (3, 1), "i2h_pad": (1, 0)}, (2, 4, 5)),
    ("Conv2DLSTMCell", {"i2h_kernel": 3, "h2h_kernel": 3, "i2h_pad": 1}, (3, 4, 4)),
    ("Conv2DGRUCell", {"i2h_kernel": (1, 3), "h2h_kernel": 3, "i2h_dilate": (1, 2)}, (2, 3, 6)),
    ("Conv3DRNNCell", {"i2h_kernel": 2, "h2h_kernel": 1}, (2, 3, 3, 3)),
    ("Conv3DLSTMCell", {"i2h_kernel": 3, "h2h_kernel": 3, "i2h_pad": 1}, (1, 3, 3, 3)),
    ("Conv3DGRUCell", {"i2h_kernel": (1, 2, 2), "h2h_kernel": (1, 3, 3)}, (2, 2, 3, 3)),
]
HIDDEN = 3
BATCH, STEPS = 2, 3


def _set_params(block, seed):
    rng = np.random.RandomState(seed)
    for _, p in sorted(block.collect_params().items()):
        p.set_data(rng.uniform(-0.5, 0.5, size=p.shape).astype(np.float32))


def _lists(arrays):
    return [a.asnumpy().tolist() for a in arrays]


def _conv_outcomes(mx, out):
    crnn = mx.gluon.contrib.rnn
    for k, (name, kwargs, step_shape) in enumerate(CONV_CASES):
        rng = np.random.RandomState(100 + k)
        x = mx.nd.array(rng.uniform(-1, 1, size=(BATCH, STEPS) + step_shape).astype(np.float32))
        results = {}
        for hybridize in (False, True):
            cell = getattr(crnn, name)(step_shape, HIDDEN, prefix="cell_", **kwargs)
            cell.initialize()
            _set_params(cell, k)
            if hybridize:
                cell.hybridize()
            outputs, states = cell.unroll(STEPS, x, layout="NTC", merge_outputs=True)
            results["hybridized" if hybridize else "imperative"] = [outputs.asnumpy().tolist(), _lists(states)]
        results["params"] = [[n, list(p.shape)] for n, p in sorted(cell.collect_params().items())]
        results["repr"] = repr(cell)
        results["state_info"] = [list(s["shape"]) for s in cell.state_info(BATCH)]
        out[name] = results
    # gradients through the unrolled Conv2DLSTMCell
    name, kwargs, step_shape = CONV_CASES[4]
    cell = crnn.Conv2DLSTMCell(step_shape, HIDDEN, prefix="cell_", **kwargs)
    cell.initialize()
    _set_params(cell, 4)
    x = mx.nd.array(np.random.RandomState(104).uniform(-1, 1, size=(BATCH, STEPS) + step_shape).astype(np.float32))
    x.attach_grad()
    with mx.autograd.record():
        outputs, states = cell.unroll(STEPS, x, layout="NTC", merge_outputs=True)
        loss = (outputs * outputs).sum() + states[1].sum()
    loss.backward()
    out["conv2d_lstm_grads"] = {n: p.grad().asnumpy().tolist() for n, p in sorted(cell.collect_params().items())}
    out["conv2d_lstm_grads"]["x"] = x.grad.asnumpy().tolist()
    # symbolic unroll (begin states made from the input), bound with the same parameters
    name, kwargs, step_shape = CONV_CASES[3]
    cell = crnn.Conv2DRNNCell(step_shape, HIDDEN, prefix="cell_", **kwargs)
    data = mx.sym.var("data")
    outputs, _ = cell.unroll(STEPS, data, layout="NTC", merge_outputs=True)
    rng = np.random.RandomState(3)
    args = {n: mx.nd.array(rng.uniform(-0.5, 0.5, size=shape).astype(np.float32))
            for n, shape in sorted((n, p.shape) for n, p in cell.collect_params().items())}
    args["data"] = mx.nd.array(np.random.RandomState(103).uniform(-1, 1, size=(BATCH, STEPS) + step_shape)
                               .astype(np.float32))
    exe = outputs.bind(mx.cpu(), {n: args[n] for n in outputs.list_arguments()})
    out["conv2d_rnn_symbol"] = {"arguments": sorted(outputs.list_arguments()),
                                "output": exe.forward()[0].asnumpy().tolist()}


def _lstmp_outcomes(mx, out):
    crnn = mx.gluon.contrib.rnn
    rng = np.random.RandomState(11)
    x = mx.nd.array(rng.uniform(-1, 1, size=(BATCH, 4, 5)).astype(np.float32))
    valid = mx.nd.array([2, 4])
    res = {}
    for hybridize in (False, True):
        cell = crnn.LSTMPCell(6, 3, input_size=5, prefix="lstmp_")
        cell.initialize()
        _set_params(cell, 12)
        if hybridize:
            cell.hybridize()
        outputs, states = cell.unroll(4, x, layout="NTC", merge_outputs=True)
        masked, mstates = cell.unroll(4, x, layout="NTC", merge_outputs=True, valid_length=valid)
        res["hybridized" if hybridize else "imperative"] = [outputs.asnumpy().tolist(), _lists(states),
                                                            masked.asnumpy().tolist(), _lists(mstates)]
    res["params"] = [[n, list(p.shape)] for n, p in sorted(cell.collect_params().items())]
    res["repr"] = repr(cell)
    out["LSTMPCell"] = res


def _vardrop_and_dynamic_outcomes(mx, out):
    crnn = mx.gluon.contrib.rnn
    rng = np.random.RandomState(21)
    x_ntc = rng.uniform(-1, 1, size=(BATCH, 4, 5)).astype(np.float32)
    base = mx.gluon.rnn.LSTMCell(4, input_size=5, prefix="lstm_")
    base.initialize()
    _set_params(base, 22)
    cell = crnn.VariationalDropoutCell(base, drop_inputs=0.3, drop_states=0.2, drop_outputs=0.4)
    outputs, states = cell.unroll(4, mx.nd.array(x_ntc), layout="NTC", merge_outputs=True)
    out["vardrop_inference"] = [outputs.asnumpy().tolist(), _lists(states), repr(cell)]
    cell2 = crnn.VariationalDropoutCell(mx.gluon.rnn.GRUCell(4, input_size=5, prefix="gru_"), drop_inputs=0.5)
    cell2.initialize()
    _set_params(cell2, 23)
    outputs, states = cell2.unroll(4, mx.nd.array(x_ntc), layout="NTC", merge_outputs=False,
                                   valid_length=mx.nd.array([3, 1]))
    out["vardrop_no_state_drop"] = [_lists(outputs), _lists(states), repr(cell2)]
    dyn = {}
    base = mx.gluon.rnn.LSTMCell(4, input_size=5, prefix="lstm_")
    base.initialize()
    _set_params(base, 24)
    for layout in ("NTC", "TNC"):
        x = x_ntc if layout == "NTC" else x_ntc.transpose(1, 0, 2)
        begin = base.begin_state(BATCH)
        o, s = crnn.rnn_cell.dynamic_unroll(base, mx.nd.array(x), begin, layout=layout)
        dyn[layout] = [o.asnumpy().tolist(), _lists(s)]
        o, s = crnn.rnn_cell.dynamic_unroll(base, mx.nd.array(x), begin, layout=layout,
                                            valid_length=mx.nd.array([3, 2]))
        dyn[layout + "_valid"] = [o.asnumpy().tolist(), _lists(s)]
    out["dynamic_unroll"] = dyn


def outcomes(mx) -> dict:
    out = {}
    _conv_outcomes(mx, out)
    _lstmp_outcomes(mx, out)
    _vardrop_and_dynamic_outcomes(mx, out)
    return out


def main() -> None:
    import mxnet as mx
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(outcomes(mx), f, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
