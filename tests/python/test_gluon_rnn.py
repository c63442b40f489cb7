"""gluon.rnn layers and cells against MXNet 1.9.1 (tests/golden/rnn, made by
tools/golden/make_rnn_golden.py): MXNet's parameter files load and give MXNet's outputs, final
states and gradients, imperatively and hybridized; plus numeric gradients, symbolic use and
bad-input errors."""
import json
import pathlib

import minerva as mx
import numpy as np
import pytest
from minerva.gluon import rnn

GOLDEN = pathlib.Path(__file__).resolve().parents[1] / "golden" / "rnn"
CASES = json.loads((GOLDEN / "cases.json").read_text())["cases"]
LAYERS = sorted(k for k, v in CASES.items() if v["kind"] == "layer")
CELLS = sorted(k for k, v in CASES.items() if v["kind"] == "cell")
TOL = dict(rtol=1e-4, atol=1e-5)


def _data(name):
    return mx.nd.load(str(GOLDEN / CASES[name]["files"]["data"]))


def _close(got, want, what):
    np.testing.assert_allclose(got.asnumpy(), want.asnumpy(), err_msg=what, **TOL)


def _make_layer(name):
    spec = CASES[name]
    layer = getattr(rnn, spec["class"])(layout=spec["layout"], **spec["kwargs"])
    layer.load_parameters(str(GOLDEN / spec["files"]["params"]))  # input size is deferred until here
    return layer


def _make_cell(name):
    c = CASES[name]["C"]
    if name == "cell_rnn_tanh":
        return rnn.RNNCell(4, activation="tanh")
    if name == "cell_rnn_relu":
        return rnn.RNNCell(4, activation="relu")
    if name == "cell_lstm":
        return rnn.LSTMCell(4)
    if name == "cell_gru":
        return rnn.GRUCell(4)
    if name == "cell_seq":
        stack = rnn.HybridSequentialRNNCell()
        with stack.name_scope():
            stack.add(rnn.LSTMCell(4))
            stack.add(rnn.GRUCell(3))
        return stack
    if name == "cell_bi_lstm":
        return rnn.BidirectionalCell(rnn.LSTMCell(3), rnn.LSTMCell(3))
    if name == "cell_lstm_vl":
        return rnn.LSTMCell(3)
    if name == "cell_bi_gru_vl":
        return rnn.BidirectionalCell(rnn.GRUCell(3), rnn.GRUCell(3))
    if name == "cell_residual_gru":
        return rnn.ResidualCell(rnn.GRUCell(c))
    raise KeyError(name)


def _states(data):
    return [data["begin%d" % i] for i in range(len([k for k in data if k.startswith("begin")]))]


@pytest.mark.parametrize("hybridize", [False, True], ids=["imperative", "hybridized"])
@pytest.mark.parametrize("name", LAYERS)
def test_layer_matches_mxnet(name, hybridize):
    data = _data(name)
    layer = _make_layer(name)
    if hybridize:
        layer.hybridize()
    extra = [data["valid_length"]] if "valid_length" in data else []
    out, states = layer(data["input"], _states(data), *extra)
    _close(out, data["output"], name + " output")
    assert len(states) == len(_states(data))
    for i, s in enumerate(states):
        _close(s, data["state%d" % i], "%s state %d" % (name, i))


@pytest.mark.parametrize("hybridize", [False, True], ids=["imperative", "hybridized"])
@pytest.mark.parametrize("name", CELLS)
def test_cell_unroll_matches_mxnet(name, hybridize):
    spec = CASES[name]
    data = _data(name)
    cell = _make_cell(name)
    cell.load_parameters(str(GOLDEN / spec["files"]["params"]))
    if hybridize:
        cell.hybridize()
    out, states = cell.unroll(spec["T"], data["input"], _states(data), layout=spec["layout"],
                              merge_outputs=True, valid_length=data.get("valid_length"))
    _close(out, data["output"], name + " output")
    for i, s in enumerate(states):
        _close(s, data["state%d" % i], "%s state %d" % (name, i))


@pytest.mark.parametrize("name", [k for k in sorted(CASES) if CASES[k]["grad"]])
def test_gradients_match_mxnet(name):
    spec = CASES[name]
    data = _data(name)
    block = _make_layer(name) if spec["kind"] == "layer" else _make_cell(name)
    if spec["kind"] == "cell":
        block.load_parameters(str(GOLDEN / spec["files"]["params"]))
    x = data["input"].copy()
    begin = [b.copy() for b in _states(data)]
    x.attach_grad()
    for b in begin:
        b.attach_grad()
    with mx.autograd.record():
        if spec["kind"] == "layer":
            out, _ = block(x, begin)
        else:
            out, _ = block.unroll(spec["T"], x, begin, layout=spec["layout"], merge_outputs=True)
    out.backward(data["head"])
    _close(x.grad, data["grad_input"], name + " input gradient")
    for i, b in enumerate(begin):
        _close(b.grad, data["grad_begin%d" % i], "%s begin state %d gradient" % (name, i))
    params = block._collect_params_with_prefix()
    for key, p in params.items():
        _close(p.grad(), data["grad_" + key], "%s gradient of %s" % (name, key))


@pytest.mark.parametrize("name", sorted(CASES))
def test_saved_parameter_names_match_mxnet(name, tmp_path):
    spec = CASES[name]
    block = _make_layer(name) if spec["kind"] == "layer" else _make_cell(name)
    if spec["kind"] == "cell":
        block.load_parameters(str(GOLDEN / spec["files"]["params"]))
    path = str(tmp_path / "p.params")
    block.save_parameters(path)
    saved = mx.nd.load(path)
    assert sorted(saved) == spec["param_keys"]
    original = mx.nd.load(str(GOLDEN / spec["files"]["params"]))
    for key in saved:
        np.testing.assert_array_equal(saved[key].asnumpy(), original[key].asnumpy())


def test_layer_parameter_names_and_shapes():
    layer = rnn.LSTM(5, num_layers=2, bidirectional=True, input_size=3)
    assert layer.prefix == "lstm0_" or layer.prefix.startswith("lstm")
    shapes = {k[len(layer.prefix):]: v.shape for k, v in layer.collect_params().items()}
    assert shapes["l0_i2h_weight"] == (20, 3)
    assert shapes["r0_h2h_weight"] == (20, 5)
    assert shapes["l1_i2h_weight"] == (20, 10)
    assert shapes["r1_h2h_bias"] == (20,)
    gru = rnn.GRU(4, input_size=2)
    assert gru.collect_params()[gru.prefix + "l0_i2h_weight"].shape == (12, 2)
    proj = rnn.LSTM(4, projection_size=2, input_size=3)
    assert proj.collect_params()[proj.prefix + "l0_h2r_weight"].shape == (2, 4)
    assert proj.collect_params()[proj.prefix + "l0_h2h_weight"].shape == (16, 2)
    assert [i["shape"] for i in proj.state_info(7)] == [(1, 7, 2), (1, 7, 4)]


def test_cell_prefixes_and_names():
    with mx.name.NameManager():
        cells = [rnn.RNNCell(2), rnn.LSTMCell(2), rnn.GRUCell(2)]
    for cell, alias in zip(cells, ["rnn", "lstm", "gru"]):
        assert cell.prefix.startswith(alias)
        assert sorted(k[len(cell.prefix):] for k in cell.collect_params()) == \
            ["h2h_bias", "h2h_weight", "i2h_bias", "i2h_weight"]


def test_hybridized_layer_follows_sequence_length_and_equals_imperative():
    layer = rnn.GRU(3, num_layers=2, layout="NTC")
    layer.initialize()
    xs = [mx.nd.random.uniform(-1, 1, shape=(2, t, 4)) for t in (4, 6, 4)]
    want = [layer(x).asnumpy() for x in xs]
    layer.hybridize()
    for x, w in zip(xs, want):
        np.testing.assert_allclose(layer(x).asnumpy(), w, **TOL)
    out, states = layer(xs[0], layer.begin_state(2))  # with states after a call without: one graph
    np.testing.assert_allclose(out.asnumpy(), want[0], **TOL)
    assert states[0].shape == (2, 2, 3)


def test_default_states_are_zeros_and_states_optional():
    layer = rnn.LSTM(3, input_size=2)
    layer.initialize()
    x = mx.nd.random.uniform(shape=(5, 4, 2))
    out = layer(x)
    assert isinstance(out, mx.nd.NDArray) and out.shape == (5, 4, 3)
    out2, states = layer(x, layer.begin_state(4))
    np.testing.assert_allclose(out.asnumpy(), out2.asnumpy(), **TOL)
    assert [s.shape for s in states] == [(1, 4, 3), (1, 4, 3)]


def test_deferred_input_size():
    layer = rnn.RNN(4, num_layers=2, bidirectional=True)
    layer.initialize()
    assert layer.l0_i2h_weight.shape == (4, 0)
    out = layer(mx.nd.ones((3, 2, 7)))
    assert out.shape == (3, 2, 8)
    assert layer.l0_i2h_weight.shape == (4, 7) and layer.l1_i2h_weight.shape == (4, 8)
    cell = rnn.LSTMCell(3)
    cell.initialize()
    out, _ = cell(mx.nd.ones((2, 5)), cell.begin_state(2))
    assert out.shape == (2, 3) and cell.i2h_weight.shape == (12, 5)


def _numeric_grad(f, arr, eps=1e-6):
    base = arr.asnumpy()
    grad = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        for sign in (1, -1):
            moved = base.copy()
            moved[idx] += sign * eps
            arr[:] = moved
            grad[idx] += sign * f()
        grad[idx] /= 2 * eps
    arr[:] = base
    return grad


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_autograd_matches_numeric_gradient(cls):
    layer = getattr(rnn, cls)(2, bidirectional=True, input_size=2, dtype="float64",
                              i2h_bias_initializer="uniform", h2h_bias_initializer="uniform")
    layer.initialize(mx.init.Uniform(0.5))
    x = mx.nd.array(np.random.uniform(-1, 1, (3, 2, 2)), dtype="float64")
    head = mx.nd.array(np.random.uniform(-1, 1, (3, 2, 4)), dtype="float64")
    w = layer.l0_h2h_weight.data()

    def loss():
        return float((layer(x) * head).sum().asscalar())

    x.attach_grad()
    with mx.autograd.record():
        y = layer(x)
    y.backward(head)
    np.testing.assert_allclose(x.grad.asnumpy(), _numeric_grad(loss, x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(layer.l0_h2h_weight.grad().asnumpy(), _numeric_grad(loss, w),
                               rtol=1e-5, atol=1e-7)


def test_symbolic_layer_shapes():
    layer = rnn.LSTM(3, num_layers=2, bidirectional=True, layout="NTC")
    out = layer(mx.sym.var("data", shape=(2, 5, 4)))
    _, out_shapes, _ = out.infer_shape()
    assert out_shapes == [(2, 5, 6)]
    # Fused, a layer that knows its input size needs no sequence length in the graph (as in MXNet).
    known = rnn.GRU(3, input_size=4)
    sym = known(mx.sym.var("data"))
    for steps in (2, 7):
        assert sym.infer_shape(data=(steps, 5, 4))[1] == [(steps, 5, 3)]
    fresh = rnn.GRU(3)
    with pytest.raises(ValueError, match="does not know its input size"):
        fresh(mx.sym.var("data"))
    # An LSTM with a projection is unrolled over time, so its symbolic input needs a known length.
    projected = rnn.LSTM(4, projection_size=2, input_size=3)
    with pytest.raises(ValueError, match="known sequence length"):
        projected(mx.sym.var("data"))


def test_symbolic_cell_unroll():
    cell = rnn.LSTMCell(3, input_size=4)
    out, states = cell.unroll(5, mx.sym.var("data"), layout="NTC", merge_outputs=True)
    _, shapes, _ = mx.sym.Group([out] + states).infer_shape(data=(2, 5, 4))
    assert shapes == [(2, 5, 3), (2, 3), (2, 3)]


def test_dropout_between_layers_only_in_training():
    layer = rnn.LSTM(8, num_layers=2, dropout=0.5, input_size=4)
    layer.initialize()
    x = mx.nd.random.uniform(shape=(3, 2, 4))
    a, b = layer(x).asnumpy(), layer(x).asnumpy()
    np.testing.assert_array_equal(a, b)
    with mx.autograd.record(train_mode=True):
        c = layer(x).asnumpy()
    assert c.shape == a.shape and not np.allclose(a, c)


def test_sequential_dropout_zoneout_cells():
    stack = rnn.SequentialRNNCell()
    with stack.name_scope():
        stack.add(rnn.GRUCell(3, input_size=2))
        stack.add(rnn.DropoutCell(0.5))
        stack.add(rnn.ZoneoutCell(rnn.RNNCell(3, input_size=3), zoneout_outputs=0.5))
    stack.initialize()
    assert len(stack) == 3 and len(stack.state_info(2)) == 2
    x = mx.nd.random.uniform(shape=(2, 4, 2))
    out, states = stack.unroll(4, x, layout="NTC", merge_outputs=False)
    assert len(out) == 4 and out[0].shape == (2, 3) and [s.shape for s in states] == [(2, 3)] * 2
    # predict mode: dropout and zoneout are the identity, so the stack equals its cells chained
    gru, rnn_cell = stack[0], stack[2].base_cell
    h1, h2 = gru.begin_state(2), [mx.nd.zeros((2, 3))]
    for t in range(4):
        step = mx.nd.slice_axis(x, axis=1, begin=t, end=t + 1).reshape((2, 2))
        o1, h1 = gru(step, h1)
        rnn_cell._modified = False
        o2, h2 = rnn_cell(o1, h2)
        rnn_cell._modified = True
        np.testing.assert_allclose(out[t].asnumpy(), o2.asnumpy(), **TOL)


def test_bad_inputs_give_clear_errors():
    layer = rnn.LSTM(3, input_size=4)
    layer.initialize()
    with pytest.raises(ValueError, match="3-D input"):
        layer(mx.nd.ones((5, 4)))
    with pytest.raises(ValueError, match="4"):
        layer(mx.nd.ones((5, 2, 6)))
    with pytest.raises(ValueError, match="Invalid recurrent state shape"):
        layer(mx.nd.ones((5, 2, 4)), [mx.nd.zeros((1, 3, 3)), mx.nd.zeros((1, 2, 3))])
    with pytest.raises(ValueError, match="2 state"):
        layer(mx.nd.ones((5, 2, 4)), [mx.nd.zeros((1, 2, 3))])
    with pytest.raises(ValueError, match="layout"):
        rnn.GRU(3, layout="CTN")
    cell = rnn.GRUCell(3, input_size=4)
    cell.initialize()
    with pytest.raises(ValueError, match="step input"):
        cell(mx.nd.ones((2, 5, 4)), cell.begin_state(2))
    with pytest.raises(ValueError, match="length=3"):
        cell.unroll(3, mx.nd.ones((2, 5, 4)), layout="NTC")
    with pytest.raises(NotImplementedError):
        rnn.BidirectionalCell(rnn.GRUCell(2), rnn.GRUCell(2))(mx.nd.ones((2, 3)), [])


@pytest.mark.parametrize("hybridize", [False, True], ids=["imperative", "hybridized"])
def test_layer_sequence_length_equals_running_each_sequence_alone(hybridize):
    # MXNet 1.9.1's CPU kernel ignores sequence_length, so the reference is the layer itself
    # run on each sequence cut to its valid length (cuDNN's semantics).
    layer = rnn.LSTM(3, num_layers=2, bidirectional=True, layout="NTC", use_sequence_length=True,
                     input_size=2)
    layer.initialize(mx.init.Uniform(0.5))
    plain = rnn.LSTM(3, num_layers=2, bidirectional=True, layout="NTC", input_size=2,
                     params=layer.collect_params())
    if hybridize:
        layer.hybridize()
    x = mx.nd.random.uniform(-1, 1, shape=(3, 5, 2))
    lengths = [5, 2, 4]
    begin = [mx.nd.random.uniform(-0.5, 0.5, shape=(4, 3, 3)) for _ in range(2)]
    out, states = layer(x, begin, mx.nd.array(lengths))
    for n, t in enumerate(lengths):
        xn = mx.nd.slice_axis(mx.nd.slice_axis(x, axis=0, begin=n, end=n + 1), axis=1, begin=0, end=t)
        bn = [mx.nd.slice_axis(b, axis=1, begin=n, end=n + 1) for b in begin]
        want, want_states = plain(xn, bn)
        np.testing.assert_allclose(out.asnumpy()[n, :t], want.asnumpy()[0], **TOL)
        assert not out.asnumpy()[n, t:].any()
        for s, w in zip(states, want_states):
            np.testing.assert_allclose(s.asnumpy()[:, n], w.asnumpy()[:, 0], **TOL)


def _stacked_net(cls, **kwargs):
    """A Dense projection, a 2-layer bidirectional recurrent layer and a Dense head, with every
    input size deferred, so the hybridized first call also infers the shapes."""
    net = mx.gluon.nn.HybridSequential()
    with net.name_scope():
        net.add(mx.gluon.nn.Dense(5, flatten=False))
        net.add(getattr(rnn, cls)(3, num_layers=2, bidirectional=True, layout="NTC", **kwargs))
        net.add(mx.gluon.nn.Dense(2, flatten=False))
    return net


def _twins(cls):
    """The same network twice, sharing parameters: one imperative, one hybridized before any
    call (the unrolled layer sees only symbols there, so it needs the graph's input shapes)."""
    imperative = _stacked_net(cls)
    hybrid = _stacked_net(cls)
    hybrid.hybridize()
    x = mx.nd.random.uniform(-1, 1, shape=(2, 3, 4))
    hybrid.initialize(mx.init.Uniform(0.5))
    hybrid(x)
    imperative.initialize()
    imperative(x)
    for mine, theirs in zip(imperative.collect_params().values(), hybrid.collect_params().values()):
        mine.set_data(theirs.data())
    return imperative, hybrid


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_layer_inside_hybridized_parent_equals_imperative_and_follows_length(cls):
    imperative, hybrid = _twins(cls)
    for t in (4, 7, 4, 1):
        x = mx.nd.random.uniform(-1, 1, shape=(2, t, 4))
        got = hybrid(x)
        assert got.shape == (2, t, 2)
        np.testing.assert_allclose(got.asnumpy(), imperative(x).asnumpy(), **TOL)
    x = mx.nd.random.uniform(-1, 1, shape=(5, 4, 4))  # another batch size too
    np.testing.assert_allclose(hybrid(x).asnumpy(), imperative(x).asnumpy(), **TOL)


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_layer_inside_hybridized_parent_gradients_equal_imperative(cls):
    imperative, hybrid = _twins(cls)
    for t in (3, 6):
        x = mx.nd.random.uniform(-1, 1, shape=(2, t, 4))
        head = mx.nd.random.uniform(-1, 1, shape=(2, t, 2))
        grads = []
        for net in (imperative, hybrid):
            xg = x.copy()
            xg.attach_grad()
            with mx.autograd.record():
                y = net(xg)
            y.backward(head)
            grads.append([xg.grad.asnumpy()] + [p.grad().asnumpy()
                                                for p in net.collect_params().values()])
        for want, got in zip(*grads):
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_layer_inside_custom_hybridized_parent():
    class Wrap(mx.gluon.HybridBlock):
        def __init__(self):
            super().__init__()
            with self.name_scope():
                self.gru = rnn.GRU(3, input_size=2)

        def hybrid_forward(self, F, x, states):
            out, new_states = self.gru(x, states)
            return out, new_states[0]

    net = Wrap()
    net.initialize()
    x = mx.nd.random.uniform(-1, 1, shape=(4, 2, 2))
    begin = [mx.nd.random.uniform(-1, 1, shape=(1, 2, 3))]
    want_out, want_h = net(x, begin)
    net.hybridize()
    got_out, got_h = net(x, begin)  # hybridized before the layer ever saw an NDArray
    np.testing.assert_allclose(got_out.asnumpy(), want_out.asnumpy(), **TOL)
    np.testing.assert_allclose(got_h.asnumpy(), want_h.asnumpy(), **TOL)


def test_hybridized_parent_keeps_one_graph_per_input_shapes():
    # An LSTM with a projection is unrolled over time: one graph per input shapes.
    net = _stacked_net("LSTM", projection_size=2)
    net.initialize()
    net.hybridize()
    net(mx.nd.ones((2, 3, 4)))
    graph3 = net._cached_graph
    net(mx.nd.ones((2, 5, 4)))
    graph5 = net._cached_graph
    assert graph5 is not graph3
    net(mx.nd.ones((2, 3, 4)))
    assert net._cached_graph is graph3  # taken back, not rebuilt
    assert graph3[0][0].attr("__shape__") == "(2, 3, 4)"


def test_hybridized_parent_of_fused_layer_keeps_one_graph_for_every_length():
    net = _stacked_net("GRU")
    net.initialize()
    net.hybridize()
    net(mx.nd.ones((2, 3, 4)))  # deferred input sizes: built from shape-hinted inputs once
    net(mx.nd.ones((2, 5, 4)))
    graph = net._cached_graph
    for steps in (3, 8, 1):
        assert net(mx.nd.ones((2, steps, 4))).shape == (2, steps, 2)
        assert net._cached_graph is graph
    assert graph[0][0].attr("__shape__") is None


@pytest.mark.parametrize("kwargs", [{}, {"projection_size": 2}], ids=["fused", "unrolled"])
def test_export_of_hybridized_parent_loads_and_runs(tmp_path, kwargs):
    net = _stacked_net("LSTM", **kwargs)
    net.initialize(mx.init.Uniform(0.5))
    net.hybridize()
    net(mx.nd.ones((2, 6, 4)))
    x = mx.nd.random.uniform(-1, 1, shape=(3, 5, 4))
    want = net(x)  # the exported graph is the one of the last call: length 5 when unrolled
    path = str(tmp_path / "stacked")
    net.export(path)
    imported = mx.gluon.SymbolBlock.imports(path + "-symbol.json", ["data"], path + "-0000.params")
    np.testing.assert_allclose(imported(x).asnumpy(), want.asnumpy(), **TOL)
    other_batch = mx.nd.random.uniform(-1, 1, shape=(1, 5, 4))
    np.testing.assert_allclose(imported(other_batch).asnumpy(), net(other_batch).asnumpy(), **TOL)

    sym = mx.sym.load(path + "-symbol.json")
    if kwargs:
        assert sym.infer_shape()[1] == [(3, 5, 2)]  # the data variable carries the exported shape
    else:  # the fused graph serves every length
        assert sym.infer_shape(data=(3, 9, 4))[1] == [(3, 9, 2)]
    saved = mx.nd.load(path + "-0000.params")
    args = {name: saved["arg:" + name] for name in sym.list_arguments() if name != "data"}
    args["data"] = x
    out = sym.bind(mx.cpu(), args).forward()[0]
    np.testing.assert_allclose(out.asnumpy(), want.asnumpy(), **TOL)
