"""mx.rnn (the symbolic cells, BucketSentenceIter, encode_sentences, RNN checkpoints) scenarios
whose numbers Minerva must reproduce, written once for both frameworks: ``run(mx, name, folder)``
returns a dict of numpy arrays. make_rnn_sym_golden.py runs them under MXNet 1.9.1
(tests/golden/rnn_sym/<name>.npz); tests/python/test_rnn_sym.py runs them under Minerva."""
import os
import random

import numpy as np

N, T, C = 2, 3, 5


def _bind_and_run(mx, sym, data_shape, seed, grad=True):
    """Forward (inference) and, with grad, backward with ones: outputs, input and weight grads."""
    r = np.random.RandomState(seed)
    arg_shapes, out_shapes, _ = sym.infer_shape(data=data_shape)
    names = sym.list_arguments()
    args = {n: mx.nd.array(r.uniform(-0.5, 0.5, s).astype(np.float32)) for n, s in zip(names, arg_shapes)}
    out = {"arg_names": np.array(names), "output_names": np.array(sym.list_outputs())}
    for n, s in zip(names, arg_shapes):
        out[f"shape_{n}"] = np.array(s)
    grads = {n: mx.nd.zeros(s) for n, s in zip(names, arg_shapes)} if grad else None
    exe = sym.bind(mx.cpu(), args=args, args_grad=grads, grad_req="write" if grad else "null")
    exe.forward(is_train=grad)
    for i, o in enumerate(exe.outputs):
        out[f"out{i}"] = o.asnumpy()
    if grad:
        exe.backward([mx.nd.ones(s) for s in out_shapes])
        for n in names:
            out[f"grad_{n}"] = grads[n].asnumpy()
    return out


def _unrolled(mx, cell, layout, merge, with_states=True):
    data = mx.sym.Variable("data")
    outputs, states = cell.unroll(T, data, layout=layout, merge_outputs=merge)
    outputs = [outputs] if isinstance(outputs, mx.sym.Symbol) else list(outputs)
    flat_states = []
    for s in states:
        flat_states.extend(s if isinstance(s, list) else [s])
    if len(outputs) > 1:
        # With per-step outputs the last output is also the first state; MXNet 1.9.1 then drops
        # one of the two head gradients of that entry (Minerva adds both), so leave the states out.
        with_states = False
    return mx.sym.Group(outputs + (flat_states if with_states else []))


def cells(mx, name):
    return {
        "rnn_tanh": lambda: mx.rnn.RNNCell(4, prefix="r_"),
        "rnn_relu": lambda: mx.rnn.RNNCell(4, activation="relu", prefix="rr_"),
        "lstm": lambda: mx.rnn.LSTMCell(4, prefix="l_", forget_bias=0.5),
        "gru": lambda: mx.rnn.GRUCell(3, prefix="g_"),
        "stack": lambda: _stack(mx),
        "bidirectional": lambda: mx.rnn.BidirectionalCell(mx.rnn.LSTMCell(3, prefix="bl_"),
                                                          mx.rnn.GRUCell(3, prefix="br_"), output_prefix="bo_"),
        "residual": lambda: mx.rnn.ResidualCell(mx.rnn.GRUCell(C, prefix="res_")),
        "zoneout": lambda: mx.rnn.ZoneoutCell(mx.rnn.LSTMCell(4, prefix="z_"), zoneout_outputs=0.3,
                                              zoneout_states=0.2),
        "dropout_stack": lambda: _dropout_stack(mx),
        "unfused_lstm_bi_2l": lambda: mx.rnn.FusedRNNCell(3, num_layers=2, mode="lstm", bidirectional=True,
                                                          prefix="f_").unfuse(),
        "unfused_gru": lambda: mx.rnn.FusedRNNCell(4, num_layers=1, mode="gru", prefix="fg_").unfuse(),
    }[name]()


def _stack(mx):
    stack = mx.rnn.SequentialRNNCell()
    stack.add(mx.rnn.LSTMCell(4, prefix="s0_"))
    stack.add(mx.rnn.GRUCell(3, prefix="s1_"))
    stack.add(mx.rnn.RNNCell(2, prefix="s2_"))
    return stack


def _dropout_stack(mx):
    stack = mx.rnn.SequentialRNNCell()
    stack.add(mx.rnn.LSTMCell(4, prefix="d0_"))
    stack.add(mx.rnn.DropoutCell(0.5, prefix="drop_"))
    stack.add(mx.rnn.LSTMCell(3, prefix="d1_"))
    return stack


CELL_CASES = [  # (case, cell, layout, merge_outputs, gradients)
    ("rnn_tanh_ntc", "rnn_tanh", "NTC", True, True),
    ("rnn_relu_tnc_list", "rnn_relu", "TNC", False, True),
    ("lstm_ntc", "lstm", "NTC", True, True),
    ("lstm_tnc_list", "lstm", "TNC", None, True),
    ("gru_ntc", "gru", "NTC", True, True),
    ("stack_ntc", "stack", "NTC", True, True),
    ("bidirectional_merged", "bidirectional", "NTC", True, True),
    ("bidirectional_list", "bidirectional", "TNC", False, True),
    ("residual_ntc", "residual", "NTC", True, True),
    ("zoneout_predict", "zoneout", "NTC", True, False),
    ("dropout_stack_predict", "dropout_stack", "NTC", True, False),
    ("unfused_lstm_bi_2l", "unfused_lstm_bi_2l", "TNC", True, True),
    ("unfused_gru_list", "unfused_gru", "NTC", False, True),
]


def cell_case(mx, case, _folder):
    _, name, layout, merge, grad = next(c for c in CELL_CASES if c[0] == case)
    cell = cells(mx, name)
    sym = _unrolled(mx, cell, layout, merge)
    shape = (N, T, C) if layout == "NTC" else (T, N, C)
    out = _bind_and_run(mx, sym, shape, seed=len(case), grad=grad)
    out["state_shapes"] = np.array([str(s) for s in cell.state_shape])
    return out


def conv_case(mx, kind, _folder):
    """A convolutional cell unrolled over (N, T, C, H, W) frames."""
    make = {"conv_rnn": mx.rnn.ConvRNNCell, "conv_lstm": mx.rnn.ConvLSTMCell, "conv_gru": mx.rnn.ConvGRUCell}[kind]
    cell = make(input_shape=(N, 2, 4, 4), num_hidden=3, prefix=f"{kind}_")
    sym = _unrolled(mx, cell, "NTC", True)
    out = _bind_and_run(mx, sym, (N, T, 2, 4, 4), seed=len(kind))
    out["state_shapes"] = np.array([str(s) for s in cell.state_shape])
    return out


def explicit_begin_state(mx, _folder):
    """begin_state() called by the user, then passed to unroll."""
    cell = mx.rnn.LSTMCell(3, prefix="e_")
    begin = cell.begin_state()
    outputs, states = cell.unroll(T, mx.sym.Variable("data"), begin_state=begin, merge_outputs=True)
    out = _bind_and_run(mx, mx.sym.Group([outputs] + states), (N, T, C), seed=3)
    out["begin_names"] = np.array([b.name for b in begin])
    return out


def weights(mx, _folder):
    """unpack_weights / pack_weights of a LSTMCell and of a FusedRNNCell's packed vector."""
    r = np.random.RandomState(1)
    out = {}
    lstm = mx.rnn.LSTMCell(2, prefix="w_")
    args = {"w_i2h_weight": mx.nd.array(r.randn(8, 3)), "w_i2h_bias": mx.nd.array(r.randn(8)),
            "w_h2h_weight": mx.nd.array(r.randn(8, 2)), "w_h2h_bias": mx.nd.array(r.randn(8))}
    unpacked = lstm.unpack_weights(args)
    for k in sorted(unpacked):
        out[f"lstm_{k}"] = unpacked[k].asnumpy()
    repacked = lstm.pack_weights(unpacked)
    for k in sorted(repacked):
        out[f"lstm_repacked_{k}"] = repacked[k].asnumpy()
    fused = mx.rnn.FusedRNNCell(2, num_layers=2, mode="gru", bidirectional=True, prefix="fw_")
    size = (3 + 2 + 2) * 2 * 3 * 2 + (2 - 1) * 3 * 2 * (2 + 2 * 2 + 2) * 2
    packed = {"fw_parameters": mx.nd.array(r.randn(size)), "other": mx.nd.array(r.randn(2))}
    unpacked = fused.unpack_weights(packed)
    for k in sorted(unpacked):
        out[f"fused_{k}"] = unpacked[k].asnumpy()
    out["fused_repacked"] = fused.pack_weights(unpacked)["fw_parameters"].asnumpy()
    out["fused_state_shapes"] = np.array([str(s) for s in fused.state_shape])
    return out


SENTENCES = [[1, 2, 3], [4, 5], [6, 7, 8, 9], [1, 3], [2, 2, 2], [5, 6, 7, 8], [9, 1], [3, 4, 5, 6, 7],
             [8, 8], [1, 2, 3, 4], [2, 3, 4], [7, 7, 7], [1], [4, 4, 4, 4], [5, 5]]


def bucket_sentence_iter(mx, _folder):
    out = {}
    for layout in ("NT", "TN"):
        random.seed(0)
        np.random.seed(0)
        it = mx.rnn.BucketSentenceIter(SENTENCES, batch_size=2, buckets=[2, 3, 4], invalid_label=0,
                                       layout=layout)
        out[f"{layout}_provide"] = np.array([list(d.shape) for d in it.provide_data + it.provide_label])
        out[f"{layout}_default_key"] = np.array(it.default_bucket_key)
        for epoch in range(2):
            for i, b in enumerate(it):
                out[f"{layout}_e{epoch}_b{i}_data"] = b.data[0].asnumpy()
                out[f"{layout}_e{epoch}_b{i}_label"] = b.label[0].asnumpy()
                out[f"{layout}_e{epoch}_b{i}_key"] = np.array(b.bucket_key)
            it.reset()
    random.seed(1)
    np.random.seed(1)
    auto = mx.rnn.BucketSentenceIter(SENTENCES, batch_size=3)
    out["auto_buckets"] = np.array(auto.buckets)
    out["auto_batches"] = np.array(len(auto.idx))
    return out


def encode(mx, _folder):
    words = [["the", "cat", "sat"], ["the", "dog"], ["a", "cat", "ran", "far"]]
    coded, vocab = mx.rnn.encode_sentences(words, invalid_label=1, start_label=0)
    out = {"coded": np.array([c + [-9] * (4 - len(c)) for c in coded]),
           "vocab": np.array(sorted(f"{k}={v}" for k, v in vocab.items()))}
    coded2, vocab2 = mx.rnn.encode_sentences([["the", "zebra"]], vocab=dict(vocab), unknown_token="<unk>")
    out["coded_unknown"] = np.array(coded2)
    out["vocab_unknown"] = np.array(sorted(f"{k}={v}" for k, v in vocab2.items()))
    return out


def checkpoint(mx, folder):
    cell = mx.rnn.LSTMCell(2, prefix="ck_")
    sym = _unrolled(mx, cell, "NTC", True, with_states=False)
    r = np.random.RandomState(2)
    arg_shapes, _, _ = sym.infer_shape(data=(N, T, C))
    args = {n: mx.nd.array(r.randn(*s)) for n, s in zip(sym.list_arguments(), arg_shapes) if n != "data"}
    prefix = os.path.join(folder, "rnnck")
    mx.rnn.do_rnn_checkpoint(cell, prefix, period=2)(1, sym, args, {})
    saved = mx.nd.load(f"{prefix}-0002.params")
    out = {f"saved_{k}": v.asnumpy() for k, v in saved.items()}
    _, loaded, _ = mx.rnn.load_rnn_checkpoint(cell, prefix, 2)
    for k in sorted(loaded):
        out[f"loaded_{k}"] = loaded[k].asnumpy()
    return out


SCENARIOS = {**{case[0]: (cell_case, case[0]) for case in CELL_CASES},
             **{kind: (conv_case, kind) for kind in ("conv_rnn", "conv_lstm", "conv_gru")},
             "explicit_begin_state": (explicit_begin_state, None), "weights": (weights, None),
             "bucket_sentence_iter": (bucket_sentence_iter, None), "encode": (encode, None),
             "checkpoint": (checkpoint, None)}


def run(mx, name, folder):
    fn, arg = SCENARIOS[name]
    with mx.name.NameManager():  # automatic node names count from 0 in every scenario
        return fn(mx, arg, folder) if arg is not None else fn(mx, folder)
