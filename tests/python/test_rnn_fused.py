"""The fused RNN operator beyond its golden cases (tests/golden/ops/rnn_fused.json): what MXNet
1.9.1 runs only with cuDNN (sequence lengths, LSTM state clipping) against a NumPy reference,
dropout between layers, the symbolic interface, and the errors for bad input."""
import minerva as mx
import numpy as np
import pytest

GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def param_count(mode, inputs, hidden, layers, dirs):
    gh = GATES[mode] * hidden
    return sum(dirs * gh * ((inputs if layer == 0 else dirs * hidden) + hidden + 2) for layer in range(layers))


def unpack(flat, mode, inputs, hidden, layers, dirs):
    """Splits MXNet's packed vector: all weights (layer, direction: i2h, h2h), then all biases."""
    gh, weights, off = GATES[mode] * hidden, {}, 0
    for layer in range(layers):
        width = inputs if layer == 0 else dirs * hidden
        for d in range(dirs):
            wi = flat[off:off + gh * width].reshape(gh, width)
            off += gh * width
            wh = flat[off:off + gh * hidden].reshape(gh, hidden)
            off += gh * hidden
            weights[layer, d] = [wi, wh]
    for layer in range(layers):
        for d in range(dirs):
            weights[layer, d] += [flat[off:off + gh], flat[off + gh:off + 2 * gh]]
            off += 2 * gh
    assert off == flat.size
    return weights


def reference(mode, x, flat, h0, c0, hidden, layers, dirs, lengths=None, clip=None):
    """A per-sequence NumPy RNN: sequence b runs over its first lengths[b] steps only."""
    steps, batch, inputs = x.shape
    weights = unpack(flat, mode, inputs, hidden, layers, dirs)
    lengths = [steps] * batch if lengths is None else lengths
    out = np.zeros((steps, batch, dirs * hidden))
    hy, cy = np.zeros_like(h0), np.zeros_like(h0)
    for b in range(batch):
        seq = x[:lengths[b], b]
        for layer in range(layers):
            outs = []
            for d in range(dirs):
                wi, wh, bi, bh = weights[layer, d]
                h, c = h0[layer * dirs + d, b], c0[layer * dirs + d, b] if c0 is not None else None
                ys = [None] * len(seq)
                for t in (range(len(seq)) if d == 0 else reversed(range(len(seq)))):
                    xg, hg = wi @ seq[t] + bi, wh @ h + bh
                    if mode == "lstm":
                        i, f, g, o = np.split(xg + hg, 4)
                        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
                        if clip is not None:
                            c = np.clip(c, *clip)
                        h = sigmoid(o) * np.tanh(c)
                    elif mode == "gru":
                        (xr, xz, xn), (hr, hz, hn) = np.split(xg, 3), np.split(hg, 3)
                        r, z = sigmoid(xr + hr), sigmoid(xz + hz)
                        h = (1 - z) * np.tanh(xn + r * hn) + z * h
                    else:
                        h = np.tanh(xg + hg) if mode == "rnn_tanh" else np.maximum(xg + hg, 0)
                    ys[t] = h
                outs.append(np.array(ys).reshape(len(seq), hidden))
                hy[layer * dirs + d, b] = h
                if c is not None:
                    cy[layer * dirs + d, b] = c
            seq = np.concatenate(outs, axis=1)
        out[:lengths[b], b] = seq
    return out, hy, cy


def make_inputs(mode, steps, batch, inputs, hidden, layers, dirs, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1, 1, (steps, batch, inputs))
    flat = rng.uniform(-0.6, 0.6, param_count(mode, inputs, hidden, layers, dirs))
    h0 = rng.uniform(-1, 1, (layers * dirs, batch, hidden))
    c0 = rng.uniform(-1, 1, h0.shape) if mode == "lstm" else None
    return x, flat, h0, c0


def run(mode, x, flat, h0, c0, hidden, layers, dirs, dtype="float64", **params):
    args = [mx.nd.array(a, dtype=dtype) for a in (x, flat, h0) + ((c0,) if c0 is not None else ())]
    if "sequence_length" in params:
        params["sequence_length"] = mx.nd.array(params["sequence_length"], dtype="int32")
        params["use_sequence_length"] = True
    return mx.nd.RNN(*args, mode=mode, state_size=hidden, num_layers=layers, bidirectional=dirs == 2,
                     state_outputs=True, **params)


@pytest.mark.parametrize("mode", sorted(GATES))
def test_matches_numpy_reference(mode):
    x, flat, h0, c0 = make_inputs(mode, 5, 3, 4, 3, 2, 2)
    outs = run(mode, x, flat, h0, c0, 3, 2, 2)
    for got, exp in zip(outs, reference(mode, x, flat, h0, c0, 3, 2, 2)):
        np.testing.assert_allclose(got.asnumpy(), exp, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh"])
def test_sequence_length_runs_each_sequence_over_its_valid_steps(mode):
    lengths = [5, 2, 0, 3]
    x, flat, h0, c0 = make_inputs(mode, 5, 4, 3, 2, 2, 2, seed=1)
    outs = run(mode, x, flat, h0, c0, 2, 2, 2, sequence_length=lengths)
    expected = reference(mode, x, flat, h0, c0, 2, 2, 2, lengths=lengths)
    for k, (got, exp) in enumerate(zip(outs, expected)):
        if k == 2 and mode != "lstm":
            continue
        np.testing.assert_allclose(got.asnumpy(), exp, rtol=1e-10, atol=1e-10)
    # A sequence with no valid step keeps its initial state.
    np.testing.assert_array_equal(outs[1].asnumpy()[:, 2], h0[:, 2])


def test_sequence_length_gradient_ignores_padding():
    x, flat, h0, c0 = make_inputs("lstm", 4, 2, 3, 2, 1, 2, seed=2)
    data = mx.nd.array(x, dtype="float64")
    data.attach_grad()
    args = [data] + [mx.nd.array(a, dtype="float64") for a in (flat, h0, c0)] + [mx.nd.array([4, 2])]
    with mx.autograd.record():
        out = mx.nd.RNN(*args, mode="lstm", state_size=2, num_layers=1, bidirectional=True,
                        use_sequence_length=True)
    out.backward(mx.nd.ones(out.shape, dtype="float64"))
    grad = data.grad.asnumpy()
    assert np.all(grad[2:, 1] == 0) and np.all(grad[:2, 1] != 0) and np.all(grad[:, 0] != 0)


def test_lstm_state_clipping():
    x, flat, h0, c0 = make_inputs("lstm", 6, 2, 3, 3, 1, 1, seed=3)
    flat *= 4  # large gates: the cell leaves [-0.4, 0.4]
    outs = run("lstm", x, flat, h0, c0, 3, 1, 1, lstm_state_clip_min=-0.4, lstm_state_clip_max=0.4)
    expected = reference("lstm", x, flat, h0, c0, 3, 1, 1, clip=(-0.4, 0.4))
    for got, exp in zip(outs, expected):
        np.testing.assert_allclose(got.asnumpy(), exp, rtol=1e-10, atol=1e-10)
    assert np.abs(outs[2].asnumpy()).max() == pytest.approx(0.4)


def test_dropout_between_layers_only_in_training():
    x, flat, h0, c0 = make_inputs("gru", 4, 3, 3, 5, 2, 1, seed=4)
    args = [mx.nd.array(a) for a in (x, flat, h0)]
    plain = mx.nd.RNN(*args, mode="gru", state_size=5, num_layers=2).asnumpy()
    predicted = mx.nd.RNN(*args, mode="gru", state_size=5, num_layers=2, p=0.5).asnumpy()
    np.testing.assert_allclose(predicted, plain, rtol=1e-6)
    args[0].attach_grad()
    with mx.autograd.record():
        trained = mx.nd.RNN(*args, mode="gru", state_size=5, num_layers=2, p=0.5)
    assert not np.allclose(trained.asnumpy(), plain)
    trained.backward()
    assert np.all(np.isfinite(args[0].grad.asnumpy())) and np.abs(args[0].grad.asnumpy()).sum() > 0


def test_dropout_mask_is_hidden_and_used_by_backward():
    sym = mx.sym.RNN(mx.sym.var("data"), mx.sym.var("parameters"), mx.sym.var("state"), mx.sym.var("state_cell"),
                     mode="lstm", state_size=2, num_layers=2, p=0.3, state_outputs=True, name="rnn")
    assert sym.list_outputs() == ["rnn_output", "rnn_state_output", "rnn_statecell_output"]
    # With the generator reseeded before each training forward the same mask is drawn, so the
    # analytic gradient must match central differences only if backward used that mask.
    x, flat, h0, _ = make_inputs("rnn_tanh", 3, 2, 2, 4, 2, 1, seed=7)
    head = np.random.RandomState(8).uniform(-1, 1, (3, 2, 4))

    def forward(data):
        mx.random.seed(42)
        with mx.autograd.record():
            out = mx.nd.RNN(data, mx.nd.array(flat, dtype="float64"), mx.nd.array(h0, dtype="float64"),
                            mode="rnn_tanh", state_size=4, num_layers=2, p=0.5)
        return out

    data = mx.nd.array(x, dtype="float64")
    data.attach_grad()
    out = forward(data)
    out.backward(mx.nd.array(head, dtype="float64"))
    analytic = data.grad.asnumpy()
    eps = 1e-6
    for idx in [(0, 0, 0), (1, 1, 1), (2, 0, 1)]:
        plus, minus = x.copy(), x.copy()
        plus[idx] += eps
        minus[idx] -= eps
        numeric = ((forward(mx.nd.array(plus, dtype="float64")).asnumpy() * head).sum()
                   - (forward(mx.nd.array(minus, dtype="float64")).asnumpy() * head).sum()) / (2 * eps)
        assert analytic[idx] == pytest.approx(numeric, rel=1e-5, abs=1e-8)


def test_symbolic_executor_matches_imperative():
    x, flat, h0, c0 = make_inputs("lstm", 3, 2, 4, 3, 2, 2, seed=5)
    sym = mx.sym.RNN(mx.sym.var("data"), mx.sym.var("parameters"), mx.sym.var("state"), mx.sym.var("state_cell"),
                     mode="lstm", state_size=3, num_layers=2, bidirectional=True)
    arrays = {k: mx.nd.array(v) for k, v in zip(["data", "parameters", "state", "state_cell"], (x, flat, h0, c0))}
    grads = {k: mx.nd.zeros(v.shape) for k, v in arrays.items()}
    exe = sym.bind(mx.cpu(), arrays, args_grad=grads)
    out = exe.forward(is_train=True)[0]
    head = mx.nd.array(np.random.RandomState(6).uniform(-1, 1, out.shape))
    exe.backward([head])
    imperative = {k: mx.nd.array(v) for k, v in zip(["data", "parameters", "state", "state_cell"], (x, flat, h0, c0))}
    for v in imperative.values():
        v.attach_grad()
    with mx.autograd.record():
        y = mx.nd.RNN(*imperative.values(), mode="lstm", state_size=3, num_layers=2, bidirectional=True)
    y.backward(head)
    np.testing.assert_allclose(out.asnumpy(), y.asnumpy(), rtol=1e-5, atol=1e-6)
    for k in arrays:
        np.testing.assert_allclose(grads[k].asnumpy(), imperative[k].grad.asnumpy(), rtol=1e-5, atol=1e-6)


def _rnn(**overrides):
    kw = dict(data=mx.nd.ones((3, 2, 4)), parameters=mx.nd.ones((108,)), state=mx.nd.zeros((1, 2, 3)),
              state_cell=mx.nd.zeros((1, 2, 3)), mode="lstm", state_size=3, num_layers=1)
    kw.update(overrides)
    mx.nd.RNN(**{k: v for k, v in kw.items() if v is not None})
    # Kernel errors are asynchronous; waitall reports each one not yet seen by a wait.
    mx.nd.waitall()


@pytest.mark.parametrize("overrides, message", [
    (dict(parameters=mx.nd.ones((10,))),
     r"input 'parameters' must have shape \(108,\), got \(10,\).*G\*H\*\(in \+ H \+ 2\) = 4\*3\*\(in \+ 3 \+ 2\)"),
    (dict(state=mx.nd.zeros((2, 2, 3))), r"input 'state'.*expected \(1, 2, 3\), got \(2, 2, 3\)"),
    (dict(state_cell=mx.nd.zeros((1, 3, 3))), r"input 'state_cell'.*expected \(1, 2, 3\), got \(1, 3, 3\)"),
    (dict(data=mx.nd.ones((3, 4))), r"input 'data' must be 3-D"),
    (dict(projection_size=2), r"projection_size is not supported"),
    (dict(lstm_state_clip_min=-1.0), r"lstm_state_clip_min and lstm_state_clip_max must be given together"),
    (dict(lstm_state_clip_min=1.0, lstm_state_clip_max=-1.0), r"must be greater than or equal"),
    (dict(mode="gru", state_cell=None, parameters=mx.nd.ones((81,)), lstm_state_clip_min=-1.0,
          lstm_state_clip_max=1.0), r"state clipping is only supported for mode='lstm'"),
    (dict(mode="lstmm"), r"parameter 'mode' expects one of"),
    (dict(p=1.0), r"Operator RNN.*p"),
    (dict(use_sequence_length=True, sequence_length=mx.nd.array([1, 4])), r"sequence_length\[1\] = 4 must be"),
    (dict(use_sequence_length=True, sequence_length=mx.nd.array([1, 2, 3])), r"input 'sequence_length'"),
    (dict(data=mx.nd.ones((3, 2, 4), dtype="int32")), r"supports float32 and float64"),
])
def test_bad_input_is_a_clear_error(overrides, message):
    with pytest.raises(mx.base.MXNetError, match=message):
        _rnn(**overrides)


def test_backward_operator_validates_its_inputs():
    def backward(**overrides):
        # The trace of a one-layer LSTM, T=3, N=2, H=3: gate activations (3*2*12) and the
        # previous state, previous cell and new cell (3*2*3 each).
        kw = dict(data=mx.nd.ones((3, 2, 4)), parameters=mx.nd.ones((108,)), state=mx.nd.zeros((1, 2, 3)),
                  state_cell=mx.nd.zeros((1, 2, 3)), trace=mx.nd.zeros((126,)), ograd=mx.nd.ones((3, 2, 3)),
                  mode="lstm", state_size=3, num_layers=1)
        kw.update(overrides)
        grads = mx.nd._internal._backward_RNN(**kw)
        mx.nd.waitall()
        return grads

    with pytest.raises(mx.base.MXNetError, match=r"input 'ograd'.*expected \(3, 2, 3\), got \(3, 2, 2\)"):
        backward(ograd=mx.nd.ones((3, 2, 2)))
    with pytest.raises(mx.base.MXNetError, match=r"input 'parameters' must have shape \(108,\)"):
        backward(parameters=mx.nd.ones((100,)))
    with pytest.raises(mx.base.MXNetError, match=r"input 'ograd_state'.*expected \(1, 2, 3\), got \(2, 2, 3\)"):
        backward(state_outputs=True, ograd_state=mx.nd.ones((2, 2, 3)), ograd_state_cell=mx.nd.ones((1, 2, 3)))
    with pytest.raises(mx.base.MXNetError, match=r"input 'dropout_mask'.*expected \(1, 3, 2, 3\)"):
        backward(num_layers=2, p=0.5, parameters=mx.nd.ones((204,)), state=mx.nd.zeros((2, 2, 3)),
                 state_cell=mx.nd.zeros((2, 2, 3)), dropout_mask=mx.nd.ones((3, 2, 3)))
    with pytest.raises(mx.base.MXNetError, match=r"input 'trace'.*expected \(126,\), got \(125,\)"):
        backward(trace=mx.nd.zeros((125,)))
    assert [g.shape for g in backward()] == [(3, 2, 4), (108,), (1, 2, 3), (1, 2, 3)]


def test_kernel_error_leaves_later_calls_working():
    with pytest.raises(mx.base.MXNetError, match="sequence_length"):
        _rnn(use_sequence_length=True, sequence_length=mx.nd.array([-1, 2]))
    _rnn()  # a failed call without dropout must not mark the random generator failed
    out = mx.nd.Dropout(mx.nd.ones((4, 4)), p=0.5, mode="always")
    mx.nd.waitall()
    assert set(np.unique(out.asnumpy())) <= {0.0, 2.0}


def test_symbol_json_round_trip_with_hidden_outputs():
    x, flat, h0, c0 = make_inputs("lstm", 4, 2, 3, 2, 2, 2, seed=9)
    sym = mx.sym.RNN(mx.sym.var("data"), mx.sym.var("parameters"), mx.sym.var("state"), mx.sym.var("state_cell"),
                     mode="lstm", state_size=2, num_layers=2, bidirectional=True, p=0.2, state_outputs=True)
    loaded = mx.sym.load_json(sym.tojson())
    assert loaded.list_outputs() == sym.list_outputs()
    args = {k: mx.nd.array(v) for k, v in zip(["data", "parameters", "state", "state_cell"], (x, flat, h0, c0))}
    outs = loaded.bind(mx.cpu(), args).forward()  # prediction: no dropout
    for got, exp in zip(outs, reference("lstm", x, flat, h0, c0, 2, 2, 2)):
        np.testing.assert_allclose(got.asnumpy(), exp, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_hybridized_gluon_layer_with_dropout_trains(cls):
    layer = getattr(mx.gluon.rnn, cls)(4, num_layers=2, dropout=0.3, bidirectional=True, input_size=3)
    layer.initialize()
    layer.hybridize()
    x = mx.nd.random.uniform(-1, 1, shape=(5, 2, 3))
    x.attach_grad()
    with mx.autograd.record():
        out = layer(x)
    out.backward()
    grads = [x.grad.asnumpy()] + [p.grad().asnumpy() for p in layer.collect_params().values()]
    assert all(np.all(np.isfinite(g)) for g in grads) and np.abs(grads[0]).sum() > 0
    np.testing.assert_allclose(layer(x).asnumpy(), layer(x).asnumpy())  # prediction is deterministic
