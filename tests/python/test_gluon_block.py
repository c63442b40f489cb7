"""Gluon Block/HybridBlock/SymbolBlock: naming, deferred init, hybridize equivalence, hooks,
save/load and export in MXNet 1.9.1's formats, and MXNet's exported fixture."""
import json
import os

import numpy as np
import pytest

import minerva as mx
from minerva import gluon

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden", "models")


class Dense(gluon.HybridBlock):
    """A Dense-like test layer declared the way gluon.nn layers declare parameters."""

    def __init__(self, units, in_units=0, activation=None, **kwargs):
        super().__init__(**kwargs)
        self._units, self._act = units, activation
        with self.name_scope():
            self.weight = self.params.get("weight", shape=(units, in_units), allow_deferred_init=True)
            self.bias = self.params.get("bias", shape=(units,), init="zeros", allow_deferred_init=True)

    def hybrid_forward(self, F, x, weight, bias):
        out = F.FullyConnected(x, weight, bias, num_hidden=self._units, name="fwd")
        if self._act:
            out = F.Activation(out, act_type=self._act, name=self._act + "_fwd")
        return out


class MLP(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.dense0 = Dense(8, activation="relu")
            self.dense1 = Dense(3)

    def hybrid_forward(self, F, x):
        return self.dense1(self.dense0(x))


class TwoIn(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.scale = self.params.get("scale", shape=(4,), init="ones")

    def hybrid_forward(self, F, a, b, scale):
        return F.broadcast_mul(a + b, scale), a * b


def _data(shape=(5, 6), seed=1):
    return mx.nd.array(np.random.RandomState(seed).uniform(-1, 1, shape))


def test_names_and_collect_params():
    with mx.name.NameManager():
        net = MLP(prefix="mlp_")
        assert net.prefix == "mlp_" and net.name == "mlp"
        assert list(net.collect_params().keys()) == ["mlp_dense0_weight", "mlp_dense0_bias",
                                                     "mlp_dense1_weight", "mlp_dense1_bias"]
        assert list(net.collect_params(".*bias").keys()) == ["mlp_dense0_bias", "mlp_dense1_bias"]
        assert list(net.params.keys()) == []
        auto = Dense(2)
        assert auto.prefix == "dense0_" and Dense(2).prefix == "dense1_"
    assert net._collect_params_with_prefix().keys() == {"dense0.weight", "dense0.bias", "dense1.weight",
                                                        "dense1.bias"}


def test_deferred_init_and_uninitialized_error():
    net = MLP(prefix="m_")
    with pytest.raises(RuntimeError, match="Parameter 'm_dense0_weight' has not been initialized"):
        net.collect_params()["m_dense0_weight"].data()
    net.initialize()
    w = net.collect_params()["m_dense0_weight"]
    assert w.shape == (8, 0)
    with pytest.raises(gluon.DeferredInitializationError, match="m_dense0_weight"):
        w.data()
    out = net(_data())
    assert out.shape == (5, 3)
    assert w.shape == (8, 6) and w.data().shape == (8, 6)
    assert net.collect_params()["m_dense1_weight"].shape == (3, 8)
    assert (net.collect_params()["m_dense0_bias"].data().asnumpy() == 0).all()


@pytest.mark.parametrize("static", [False, True])
def test_hybridize_matches_imperative_outputs_and_grads(static):
    net = MLP(prefix="h_")
    net.initialize()
    x = _data()
    with mx.autograd.record():
        ref = net(x)
        ref.sum().backward()
    ref_grads = {k: p.grad().asnumpy().copy() for k, p in net.collect_params().items()}
    net.hybridize(static_alloc=static, static_shape=static)
    for _ in range(2):  # the second call reuses the CachedOp
        with mx.autograd.record():
            out = net(x)
            out.sum().backward()
        np.testing.assert_allclose(out.asnumpy(), ref.asnumpy(), rtol=1e-6, atol=1e-6)
        for k, p in net.collect_params().items():
            np.testing.assert_allclose(p.grad().asnumpy(), ref_grads[k], rtol=1e-5, atol=1e-6)
    assert net._cached_op is not None


def test_hybridize_deferred_init_on_first_call():
    net = MLP(prefix="d_")
    net.initialize()
    net.hybridize()
    assert net(_data((2, 7))).shape == (2, 3)
    assert net.collect_params()["d_dense0_weight"].shape == (8, 7)


def test_multiple_inputs_outputs_hybridized():
    net = TwoIn(prefix="t_")
    net.initialize()
    a, b = _data((3, 4), 1), _data((3, 4), 2)
    s, p = net(a, b)
    net.hybridize()
    hs, hp = net(a, b)
    np.testing.assert_allclose(hs.asnumpy(), (a + b).asnumpy(), rtol=1e-6)
    np.testing.assert_allclose(hp.asnumpy(), p.asnumpy(), rtol=1e-6)
    assert net._cached_graph[1].list_inputs() == ["data0", "data1", "t_scale"]


class SumFirstRows(gluon.HybridBlock):
    """A graph that depends on the input's shape: it sums the first ``rows`` rows, one slice per
    row, reading ``rows`` from the input symbol's inferred shape, as the RNN layers do."""
    _needs_input_shapes = True

    def hybrid_forward(self, F, x):
        rows = x.shape[0] if isinstance(x, mx.nd.NDArray) else x.infer_shape_partial()[1][0][0]
        return F.add_n(*[F.slice_axis(x, axis=0, begin=i, end=i + 1) for i in range(rows)])


class Wrapper(gluon.HybridBlock):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.inner = SumFirstRows()
            self.dense = Dense(2)

    def hybrid_forward(self, F, x):
        return self.dense(self.inner(x * 2))


def test_graph_keyed_on_input_shapes_only_when_a_child_needs_them():
    net = Wrapper(prefix="w_")
    net.initialize()
    xs = [_data((n, 3), n) for n in (3, 5, 3)]
    want = [net(x).asnumpy() for x in xs]
    net.hybridize()
    graphs = []
    for x, w in zip(xs, want):
        np.testing.assert_allclose(net(x).asnumpy(), w, rtol=1e-6)
        graphs.append(net._cached_graph)
    assert graphs[0] is graphs[2] and graphs[0] is not graphs[1]
    assert graphs[0][0][0].attr("__shape__") == "(3, 3)"

    static = MLP(prefix="s_")  # no child needs shapes: one graph, variables without hints
    static.initialize()
    static.hybridize()
    static(_data((2, 7)))
    graph = static._cached_graph
    static(_data((4, 7)))
    assert static._cached_graph is graph and graph[0][0].attr("__shape__") is None


def test_wrong_input_shape_names_block_and_shapes():
    net = Dense(4, in_units=6, prefix="fc_")
    net.initialize()
    net.hybridize()
    net(_data((2, 6)))
    with pytest.raises(mx.MXNetError, match=r"fc.*\(2, 5\)"):
        net(_data((2, 5)))


def test_symbolic_call_names_nodes_like_mxnet():
    net = MLP(prefix="s_")
    out = net(mx.sym.var("data"))
    assert out.list_arguments() == ["data", "s_dense0_weight", "s_dense0_bias", "s_dense1_weight", "s_dense1_bias"]
    assert out.name == "s_dense1_fwd"
    assert "s_dense0_relu_fwd_output" in out.get_internals().list_outputs()


def test_forward_hooks_and_register_child():
    class Plain(gluon.Block):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.register_child(Dense(2, in_units=3))

        def forward(self, x):
            return self._children["0"](x) * 2

    net = Plain(prefix="p_")
    assert list(net.collect_params().keys()) == ["p_dense0_weight", "p_dense0_bias"] or \
        len(net.collect_params()) == 2
    net.initialize()
    seen = []
    pre = net.register_forward_pre_hook(lambda blk, inp: seen.append(("pre", inp[0].shape)))
    post = net.register_forward_hook(lambda blk, inp, out: seen.append(("post", out.shape)))
    net(_data((4, 3)))
    assert seen == [("pre", (4, 3)), ("post", (4, 2))]
    pre.detach()
    post.detach()
    net(_data((4, 3)))
    assert len(seen) == 2
    with pytest.raises(ValueError, match="must also be HybridBlock"):
        MLP().register_child(Plain())


def test_save_load_parameters_mxnet_names(tmp_path):
    net = MLP(prefix="a_")
    net.initialize()
    x = _data()
    ref = net(x).asnumpy()
    fname = str(tmp_path / "net.params")
    net.save_parameters(fname)
    assert sorted(mx.nd.load(fname).keys()) == ["dense0.bias", "dense0.weight", "dense1.bias", "dense1.weight"]
    other = MLP(prefix="b_")  # a different prefix loads too: names are structural
    other.load_parameters(fname)
    np.testing.assert_allclose(other(x).asnumpy(), ref, rtol=1e-6)
    # the deprecated save_params writes names without the block prefix
    legacy = str(tmp_path / "legacy.params")
    with pytest.warns(UserWarning):
        net.save_params(legacy)
    assert sorted(mx.nd.load(legacy).keys()) == ["dense0_bias", "dense0_weight", "dense1_bias", "dense1_weight"]
    third = MLP(prefix="c_")
    third.load_parameters(legacy)
    np.testing.assert_allclose(third(x).asnumpy(), ref, rtol=1e-6)


def test_load_parameters_errors(tmp_path):
    net = MLP(prefix="e_")
    net.initialize()
    net(_data())
    fname = str(tmp_path / "p.params")
    mx.nd.save(fname, {"dense0.weight": mx.nd.zeros((8, 6)), "dense0.bias": mx.nd.zeros((8,)),
                       "dense1.weight": mx.nd.zeros((3, 8)), "extra.weight": mx.nd.zeros((1,))})
    with pytest.raises(ValueError, match="'dense1.bias' is missing"):
        net.load_parameters(fname)
    with pytest.raises(ValueError, match="'extra.weight'.*not present"):
        net.load_parameters(fname, allow_missing=True)
    net.load_parameters(fname, allow_missing=True, ignore_extra=True)
    assert (net.collect_params()["e_dense1_weight"].data().asnumpy() == 0).all()
    mx.nd.save(fname, {"dense0.weight": mx.nd.zeros((8, 5)), "dense0.bias": mx.nd.zeros((8,)),
                       "dense1.weight": mx.nd.zeros((3, 8)), "dense1.bias": mx.nd.zeros((3,))})
    with pytest.raises(ValueError, match=r"e_dense0_weight.*shape incompatible expected \(8, 6\) vs saved \(8, 5\)"):
        net.load_parameters(fname)


def test_export_matches_mxnet_format_and_reloads(tmp_path):
    with mx.name.NameManager():
        net = MLP(prefix="gmlp_")
    net.initialize()
    x = _data((3, 5))
    with pytest.raises(RuntimeError, match="hybridize"):
        net.export(str(tmp_path / "none"))
    net.hybridize()
    ref = net(x).asnumpy()
    path = str(tmp_path / "gmlp")
    net.export(path, epoch=3)
    assert os.path.exists(path + "-symbol.json") and os.path.exists(path + "-0003.params")
    assert sorted(mx.nd.load(path + "-0003.params")) == ["arg:gmlp_dense0_bias", "arg:gmlp_dense0_weight",
                                                          "arg:gmlp_dense1_bias", "arg:gmlp_dense1_weight"]
    mine = json.load(open(path + "-symbol.json"))
    theirs = json.load(open(os.path.join(GOLDEN, "gluon_mlp-symbol.json")))
    # same graph as MXNet 1.9.1's export of the same network (its last layer has 2 units)
    names = [n["name"] for n in mine["nodes"]]
    assert names == [n["name"] for n in theirs["nodes"]]
    assert [n["op"] for n in mine["nodes"]] == [n["op"] for n in theirs["nodes"]]
    assert mine["nodes"][1]["attrs"] == theirs["nodes"][1]["attrs"]  # gmlp_dense0_weight: (8, 0) etc.
    assert mine["nodes"][2]["attrs"] == theirs["nodes"][2]["attrs"]  # bias with __init__ "zeros"
    assert mine["arg_nodes"] == theirs["arg_nodes"] and mine["heads"] == theirs["heads"]
    sym, args, aux = mx.model.load_checkpoint(path, 3)
    exe = sym.bind(mx.cpu(), dict(args, data=x))
    np.testing.assert_allclose(exe.forward()[0].asnumpy(), ref, rtol=1e-6)
    back = gluon.SymbolBlock.imports(path + "-symbol.json", ["data"], path + "-0003.params")
    np.testing.assert_allclose(back(x).asnumpy(), ref, rtol=1e-6)


def test_symbolblock_imports_mxnet_fixture():
    expected = json.load(open(os.path.join(GOLDEN, "expected.json")))["models"]["gluon_mlp"]
    net = gluon.SymbolBlock.imports(os.path.join(GOLDEN, "gluon_mlp-symbol.json"), ["data"],
                                    os.path.join(GOLDEN, "gluon_mlp-0000.params"))
    assert sorted(net.collect_params().keys()) == sorted(expected["arg_params"])
    x = mx.nd.array(np.array(expected["inputs"]["data"]["values"]).reshape(expected["inputs"]["data"]["shape"]))
    want = np.array(expected["predict_outputs"][0]["values"]).reshape(expected["predict_outputs"][0]["shape"])
    np.testing.assert_allclose(net(x).asnumpy(), want, rtol=1e-5, atol=1e-6)
    net.hybridize()
    np.testing.assert_allclose(net(x).asnumpy(), want, rtol=1e-5, atol=1e-6)
    # symbolic use composes the graph with a new input
    out = net(mx.sym.var("feat"))
    assert out.list_arguments()[0] == "feat"


def test_symbolblock_shares_params_and_trains():
    net = MLP(prefix="sb_")
    net.initialize()
    x = _data()
    ref = net(x)
    data = mx.sym.var("data")
    internals = net(data).get_internals()
    feat = gluon.SymbolBlock(internals["sb_dense0_relu_fwd_output"], data, params=net.collect_params())
    assert feat(x).shape == (5, 8)
    np.testing.assert_allclose(net.dense1(feat(x)).asnumpy(), ref.asnumpy(), rtol=1e-6)
    with mx.autograd.record():
        feat(x).sum().backward()
    assert np.abs(net.collect_params()["sb_dense0_weight"].grad().asnumpy()).sum() > 0


def test_infer_shape_and_cast():
    net = MLP(prefix="i_")
    net.infer_shape(_data((2, 9)))
    assert net.collect_params()["i_dense0_weight"].shape == (8, 9)
    net.initialize()
    net.cast("float64")
    out = net(mx.nd.array(np.ones((2, 9)), dtype="float64"))
    assert out.dtype == np.float64
    assert net.collect_params()["i_dense1_weight"].data().dtype == np.float64


def test_nn_export_equals_mxnet_fixture_json(tmp_path):
    nn = gluon.nn
    if not hasattr(nn, "HybridSequential") or not hasattr(nn, "Dense"):
        pytest.skip("gluon.nn layers not available")
    net = nn.HybridSequential(prefix="gmlp_")
    with net.name_scope():
        net.add(nn.Dense(8, activation="relu"), nn.Dense(2))
    net.initialize()
    net.hybridize()
    net(mx.nd.ones((3, 5)))
    path = str(tmp_path / "nn")
    net.export(path)
    assert json.load(open(path + "-symbol.json")) == json.load(open(os.path.join(GOLDEN, "gluon_mlp-symbol.json")))
    net.save_parameters(path + ".params")
    assert sorted(mx.nd.load(path + ".params")) == ["0.bias", "0.weight", "1.bias", "1.weight"]
