"""Writes tests/golden/rnn/: Gluon recurrent layers and cells as MXNet 1.9.1 runs them.

Run under the MXNet oracle:
    /work/main/.oracle-venv/bin/python tools/golden/make_rnn_golden.py [out_dir]

For every case, from a seeded MXNet instance whose parameters are drawn uniformly from [-0.5, 0.5]
(biases too, so the bias paths are checked):
  <case>.params   the block's ``save_parameters`` file (MXNet's own key names, e.g. the layers'
                  ``_unfused.0.l_cell.i2h_weight`` form)
  <case>.nd       ``mx.nd.save`` dict: ``input``, ``begin<i>`` (begin states), ``valid_length`` where
                  used (cells' unroll), ``output``, ``state<i>`` (final states); for cases with ``grad: true`` also
                  ``head`` (the output gradient fed to backward), ``grad_input``, ``grad_begin<i>``
                  and ``grad_<parameter>`` for every parameter (structured names as in the .params)
  cases.json      per case: kind ('layer' or 'cell'), the constructor's arguments, layout, T, N, C
                  and the files

Layers run through MXNet's fused ``RNN`` operator (the numbers Minerva's unrolled layers must give);
cells through ``unroll`` with merged outputs.
"""
import json
import os
import sys

os.environ.setdefault("MXNET_SUBGRAPH_BACKEND", "NONE")
os.environ.setdefault("MXNET_ENGINE_TYPE", "NaiveEngine")

import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402
from mxnet.gluon import rnn  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "golden", "rnn")

T, N, C = 4, 2, 3

LAYER_CASES = [
    # name, class, kwargs, layout, grad
    ("rnn_relu_1l", "RNN", dict(hidden_size=4, activation="relu"), "TNC", False),
    ("rnn_tanh_2l_bi_ntc", "RNN", dict(hidden_size=3, num_layers=2, activation="tanh",
                                       bidirectional=True), "NTC", False),
    ("lstm_1l_bi", "LSTM", dict(hidden_size=3, bidirectional=True), "TNC", False),
    ("lstm_2l_ntc", "LSTM", dict(hidden_size=4, num_layers=2), "NTC", False),
    ("lstm_2l_bi_grad", "LSTM", dict(hidden_size=3, num_layers=2, bidirectional=True), "TNC", True),
    ("lstm_proj_bi", "LSTM", dict(hidden_size=3, projection_size=2, bidirectional=True), "TNC", False),
    ("gru_1l_ntc", "GRU", dict(hidden_size=4), "NTC", False),
    ("gru_2l_bi", "GRU", dict(hidden_size=3, num_layers=2, bidirectional=True), "TNC", False),
    ("gru_1l_grad", "GRU", dict(hidden_size=3), "TNC", True),
]
# No layer case uses use_sequence_length: MXNet 1.9.1's CPU RNN kernel ignores sequence_length
# (its outputs and states equal those of a call without it), so it cannot serve as the oracle.

# name, builder, layout, valid_length?, grad
CELL_CASES = [
    ("cell_rnn_tanh", lambda: rnn.RNNCell(4, activation="tanh", input_size=C), "NTC", False, False),
    ("cell_rnn_relu", lambda: rnn.RNNCell(4, activation="relu", input_size=C), "TNC", False, False),
    ("cell_lstm", lambda: rnn.LSTMCell(4, input_size=C), "NTC", False, True),
    ("cell_gru", lambda: rnn.GRUCell(4, input_size=C), "TNC", False, True),
    ("cell_seq", lambda: _seq(), "NTC", False, False),
    ("cell_bi_lstm", lambda: rnn.BidirectionalCell(rnn.LSTMCell(3, input_size=C),
                                                   rnn.LSTMCell(3, input_size=C)), "TNC", False, False),
    ("cell_lstm_vl", lambda: rnn.LSTMCell(3, input_size=C), "NTC", True, False),
    ("cell_bi_gru_vl", lambda: rnn.BidirectionalCell(rnn.GRUCell(3, input_size=C),
                                                     rnn.GRUCell(3, input_size=C)), "NTC", True, False),
    ("cell_residual_gru", lambda: rnn.ResidualCell(rnn.GRUCell(C, input_size=C)), "TNC", False, False),
]


def _seq():
    stack = rnn.HybridSequentialRNNCell()
    with stack.name_scope():
        stack.add(rnn.LSTMCell(4, input_size=C))
        stack.add(rnn.GRUCell(3, input_size=4))
    return stack


def randomise(block, rng):
    block.initialize()
    for p in block.collect_params().values():
        p.set_data(mx.nd.array(rng.uniform(-0.5, 0.5, size=p.shape).astype(np.float32)))


def structured_grads(block):
    """Gradients keyed like save_parameters' keys."""
    out = {}
    for key, p in block._collect_params_with_prefix().items():
        out["grad_" + key] = p.grad()
    return out


def shape_in(layout):
    return (T, N, C) if layout == "TNC" else (N, T, C)


def run_layer(name, cls, kwargs, layout, grad, rng, cases):
    layer = getattr(rnn, cls)(layout=layout, input_size=C, **kwargs)
    randomise(layer, rng)
    x = mx.nd.array(rng.uniform(-1, 1, size=shape_in(layout)).astype(np.float32))
    begin = [mx.nd.array(rng.uniform(-0.5, 0.5, size=info["shape"]).astype(np.float32))
             for info in layer.state_info(N)]
    data = {"input": x}
    data.update({"begin%d" % i: b for i, b in enumerate(begin)})
    extra = []
    if kwargs.get("use_sequence_length"):
        data["valid_length"] = mx.nd.array([T - 1, 2][:N], dtype=np.float32)
        extra = [data["valid_length"]]
    if grad:
        x.attach_grad()
        for b in begin:
            b.attach_grad()
        with mx.autograd.record():
            out, states = layer(x, begin, *extra)
        head = mx.nd.array(rng.uniform(-1, 1, size=out.shape).astype(np.float32))
        out.backward(head)
        data["head"] = head
        data["grad_input"] = x.grad
        data.update({"grad_begin%d" % i: b.grad for i, b in enumerate(begin)})
        data.update(structured_grads(layer))
    else:
        out, states = layer(x, begin, *extra)
    data["output"] = out
    data.update({"state%d" % i: s for i, s in enumerate(states)})
    layer.save_parameters(os.path.join(OUT, name + ".params"))
    mx.nd.save(os.path.join(OUT, name + ".nd"), data)
    cases[name] = {"kind": "layer", "class": cls, "kwargs": kwargs, "layout": layout,
                   "T": T, "N": N, "C": C, "grad": grad,
                   "param_keys": sorted(layer._collect_params_with_prefix().keys()),
                   "files": {"params": name + ".params", "data": name + ".nd"}}


def run_cell(name, build, layout, use_vl, grad, rng, cases):
    cell = build()
    randomise(cell, rng)
    x = mx.nd.array(rng.uniform(-1, 1, size=shape_in(layout)).astype(np.float32))
    begin = [mx.nd.array(rng.uniform(-0.5, 0.5, size=info["shape"]).astype(np.float32))
             for info in cell.state_info(N)]
    data = {"input": x}
    data.update({"begin%d" % i: b for i, b in enumerate(begin)})
    vl = None
    if use_vl:
        vl = mx.nd.array([T - 1, 2][:N], dtype=np.float32)
        data["valid_length"] = vl
    if grad:
        x.attach_grad()
        for b in begin:
            b.attach_grad()
        with mx.autograd.record():
            out, states = cell.unroll(T, x, begin, layout=layout, merge_outputs=True, valid_length=vl)
        head = mx.nd.array(rng.uniform(-1, 1, size=out.shape).astype(np.float32))
        out.backward(head)
        data["head"] = head
        data["grad_input"] = x.grad
        data.update({"grad_begin%d" % i: b.grad for i, b in enumerate(begin)})
        data.update(structured_grads(cell))
    else:
        out, states = cell.unroll(T, x, begin, layout=layout, merge_outputs=True, valid_length=vl)
    data["output"] = out
    data.update({"state%d" % i: s for i, s in enumerate(states)})
    cell.save_parameters(os.path.join(OUT, name + ".params"))
    mx.nd.save(os.path.join(OUT, name + ".nd"), data)
    cases[name] = {"kind": "cell", "layout": layout, "T": T, "N": N, "C": C, "grad": grad,
                   "valid_length": use_vl, "cell_class": type(cell).__name__,
                   "param_keys": sorted(cell._collect_params_with_prefix().keys()),
                   "files": {"params": name + ".params", "data": name + ".nd"}}


def main():
    os.makedirs(OUT, exist_ok=True)
    mx.random.seed(7)
    rng = np.random.RandomState(7)
    cases = {}
    for name, cls, kwargs, layout, grad in LAYER_CASES:
        run_layer(name, cls, kwargs, layout, grad, rng, cases)
    for name, build, layout, use_vl, grad in CELL_CASES:
        run_cell(name, build, layout, use_vl, grad, rng, cases)
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"mxnet_version": mx.__version__, "cases": cases}, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
