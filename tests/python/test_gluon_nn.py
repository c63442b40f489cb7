"""gluon.nn layers: MXNet 1.9.1 parity (tests/golden/gluon/layers.*, from tools/golden/make_gluon_golden.py),
hybridized against imperative, deferred shapes, MXNet's parameter and node names, and errors."""
import json
import os

import numpy as np
import pytest

import minerva as mx
from minerva import autograd
from minerva.gluon import nn

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden", "gluon")
with open(os.path.join(GOLDEN, "layers.json")) as _f:
    SPEC = json.load(_f)
ARRAYS = dict(np.load(os.path.join(GOLDEN, "layers.npz")))
NETS = ("lenet", "bnnet")
LAYER_CASES = sorted(k for k in SPEC if k not in NETS)

# Operators some layers need that this build may not have yet.
NEEDS_OP = {"InstanceNorm": "InstanceNorm", "GroupNorm": "GroupNorm", "Conv2DTranspose": "Deconvolution"}


def _skip_without_op(cls):
    op = NEEDS_OP.get(cls)
    if op is not None and not hasattr(mx.nd, op):
        pytest.skip(f"mx.nd.{op} is not in this build (needed by nn.{cls})")


def _tuples(kwargs):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}


def _close(got, want):
    # atol scales with the array: large gradients (LeNet's dense weights reach ~200) keep float32 sums' noise.
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5 * max(1.0, float(np.abs(want).max())))


def build_net(name):
    """The fixture nets, built as tools/golden/make_gluon_golden.py builds them."""
    net = nn.HybridSequential()
    with net.name_scope():
        if name == "lenet":
            net.add(nn.Conv2D(6, kernel_size=5, activation="relu"),
                    nn.MaxPool2D(pool_size=2, strides=2),
                    nn.Conv2D(16, kernel_size=3, activation="relu"),
                    nn.MaxPool2D(pool_size=2, strides=2),
                    nn.Flatten(),
                    nn.Dense(32, activation="relu"),
                    nn.Dense(10))
        else:
            net.add(nn.Conv2D(4, kernel_size=3, use_bias=False),
                    nn.BatchNorm(),
                    nn.Activation("relu"),
                    nn.Dense(3))
    return net


def _init(block, seed=0):
    """Initialises, then sets seeded values for every parameter (running_var and gamma stay positive)."""
    block.initialize()
    rng = np.random.RandomState(seed)
    for name, p in block.collect_params().items():
        lo = 0.5 if name.endswith(("running_var", "gamma")) else -0.5
        p.set_data(mx.nd.array(rng.uniform(lo, 1.0, p.shape)))
    return block


# ---- MXNet parity ------------------------------------------------------------------------------
@pytest.mark.parametrize("hybridize", [False, True], ids=["imperative", "hybridized"])
@pytest.mark.parametrize("case", LAYER_CASES)
def test_layer_matches_mxnet(case, hybridize):
    spec = SPEC[case]
    _skip_without_op(spec["cls"])
    layer = getattr(nn, spec["cls"])(**_tuples(spec["kwargs"]))
    if spec["params"]:
        layer.load_parameters(os.path.join(GOLDEN, case + ".params"))
    if hybridize:
        layer.hybridize()
    x = mx.nd.array(ARRAYS[case + "/x"])
    if not spec["grad"]:
        _close(layer(x).asnumpy(), ARRAYS[case + "/y"])
    else:
        x.attach_grad()
        with autograd.record(train_mode=spec["mode"] == "train"):
            y = layer(x)
        y.backward(mx.nd.array(ARRAYS[case + "/dy"]))
        _close(y.asnumpy(), ARRAYS[case + "/y"])
        _close(x.grad.asnumpy(), ARRAYS[case + "/dx"])
    if spec["cls"] == "BatchNorm" and spec["mode"] == "train":
        _close(layer.running_mean.data().asnumpy(), ARRAYS[case + "/running_mean_after"])
        _close(layer.running_var.data().asnumpy(), ARRAYS[case + "/running_var_after"])
    assert repr(layer) == spec["repr"]


@pytest.mark.parametrize("hybridize", [False, True], ids=["imperative", "hybridized"])
@pytest.mark.parametrize("case", NETS)
def test_net_matches_mxnet(case, hybridize):
    spec = SPEC[case]
    with mx.name.NameManager():
        net = build_net(case)
    assert list(net.collect_params().keys()) == spec["param_names"]
    net.load_parameters(os.path.join(GOLDEN, case + ".params"))
    assert repr(net) == spec["repr"]
    if hybridize:
        net.hybridize()
    x = mx.nd.array(ARRAYS[case + "/x"])
    _close(net(x).asnumpy(), ARRAYS[case + "/y"])  # predict mode
    x.attach_grad()
    with autograd.record():
        y = net(x)
    y.backward(mx.nd.array(ARRAYS[case + "/dy"]))
    _close(y.asnumpy(), ARRAYS[case + "/y_train"])
    _close(x.grad.asnumpy(), ARRAYS[case + "/dx"])
    for name, p in net.collect_params().items():
        if p.grad_req != "null":
            _close(p.grad().asnumpy(), ARRAYS[f"{case}/grad/{name}"])
        else:
            _close(p.data().asnumpy(), ARRAYS[f"{case}/after/{name}"])


@pytest.mark.parametrize("case", NETS)
def test_exported_graph_has_mxnet_node_names(case, tmp_path):
    with mx.name.NameManager():
        net = build_net(case)
    net.load_parameters(os.path.join(GOLDEN, case + ".params"))
    net.hybridize()
    net(mx.nd.array(ARRAYS[case + "/x"]))
    net.export(str(tmp_path / case))
    with open(tmp_path / f"{case}-symbol.json") as f:
        nodes = [n["name"] for n in json.load(f)["nodes"]]
    assert nodes == SPEC[case]["graph_nodes"]
    loaded = mx.nd.load(str(tmp_path / f"{case}-0000.params"))
    kinds = {k.split(":")[0] for k in loaded}
    assert kinds == ({"arg", "aux"} if case == "bnnet" else {"arg"})


# ---- hybridized == imperative ------------------------------------------------------------------
def _mixed_net():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(4, 3, padding=1, activation="relu"),
                nn.BatchNorm(),
                nn.PReLU(),
                nn.AvgPool2D(2),
                nn.Flatten(),
                nn.Dense(8, activation="sigmoid"),
                nn.Dropout(0.0),
                nn.LayerNorm(),
                nn.ELU(0.7),
                nn.Swish(),
                nn.Dense(2, flatten=False))
    return net


def test_hybridized_matches_imperative_outputs_and_gradients():
    x = mx.nd.array(np.random.uniform(-1, 1, (3, 2, 6, 6)))
    results = []
    for hybrid in (False, True):
        with mx.name.NameManager():
            net = _mixed_net()
        with autograd.pause():  # complete the deferred shapes before setting values
            net.infer_shape(x)
        _init(net, seed=3)
        if hybrid:
            net.hybridize()
        xi = x.copy()
        xi.attach_grad()
        with autograd.record():
            y = net(xi)
        y.backward()
        grads = {k: p.grad().asnumpy() for k, p in net.collect_params().items() if p.grad_req != "null"}
        stats = {k: p.data().asnumpy() for k, p in net.collect_params().items() if p.grad_req == "null"}
        results.append((y.asnumpy(), xi.grad.asnumpy(), grads, stats))
    (y0, dx0, g0, s0), (y1, dx1, g1, s1) = results
    _close(y1, y0)
    _close(dx1, dx0)
    assert g0.keys() == g1.keys() and len(g0) == 11
    for k in g0:
        _close(g1[k], g0[k])
    for k in s0:
        _close(s1[k], s0[k])


# ---- deferred shapes and names -----------------------------------------------------------------
def test_deferred_shapes_are_completed_by_the_first_forward():
    cases = [
        (nn.Dense(4), (2, 3, 5), {"weight": ((4, 0), (4, 15)), "bias": ((4,), (4,))}),
        (nn.Dense(4, flatten=False), (2, 3, 5), {"weight": ((4, 0), (4, 5))}),
        (nn.Conv2D(3, 3, groups=1), (1, 5, 6, 6), {"weight": ((3, 0, 3, 3), (3, 5, 3, 3))}),
        (nn.Conv1D(4, 2, groups=2), (1, 6, 5), {"weight": ((4, 0, 2), (4, 3, 2))}),
        (nn.BatchNorm(), (2, 7, 3), {"gamma": ((0,), (7,)), "running_var": ((0,), (7,))}),
        (nn.BatchNorm(axis=-1), (2, 7, 3), {"beta": ((0,), (3,))}),
        (nn.LayerNorm(), (2, 7, 3), {"gamma": ((0,), (3,))}),
    ]
    for layer, shape, params in cases:
        for attr, (before, _) in params.items():
            assert getattr(layer, attr).shape == before, (layer, attr)
        with autograd.pause():
            layer.infer_shape(mx.nd.ones(shape))
        for attr, (_, after) in params.items():
            assert getattr(layer, attr).shape == after, (layer, attr)


def test_conv_transpose_weight_shape():
    layer = nn.Conv2DTranspose(6, 3, in_channels=4, groups=2)
    assert layer.weight.shape == (4, 3, 3, 3)
    assert nn.Conv2DTranspose(6, 3).weight.shape == (0, 6, 3, 3)
    assert nn.Conv2D(6, (3, 2), in_channels=4, groups=2).weight.shape == (6, 2, 3, 2)


def test_parameter_names_and_prefixes():
    with mx.name.NameManager():
        dense = nn.Dense(3, activation="relu")
        conv = nn.Conv2D(2, 3, use_bias=False)
        bn = nn.BatchNorm(scale=False)
        emb = nn.Embedding(5, 2)
        prelu = nn.PReLU()
        ln = nn.LayerNorm()
        pool = nn.MaxPool2D()
        act = nn.Activation("tanh")
        dense2 = nn.Dense(1)
    assert sorted(dense.collect_params().keys()) == ["dense0_bias", "dense0_weight"]
    assert dense.act.prefix == "dense0_relu_"
    assert list(conv.collect_params().keys()) == ["conv0_weight"]
    assert list(bn.collect_params().keys()) == ["batchnorm0_gamma", "batchnorm0_beta", "batchnorm0_running_mean",
                                                "batchnorm0_running_var"]
    assert [p.grad_req for p in bn.collect_params().values()] == ["null", "write", "null", "null"]
    assert list(emb.collect_params().keys()) == ["embedding0_weight"]
    assert list(prelu.collect_params().keys()) == ["prelu0_alpha"]
    assert list(ln.collect_params().keys()) == ["layernorm0_gamma", "layernorm0_beta"]
    assert (pool.name, act.name, dense2.name) == ("pool0", "tanh0", "dense1")


def test_symbol_node_names():
    with mx.name.NameManager():
        net = nn.HybridSequential(prefix="net_")
        with net.name_scope():
            net.add(nn.Dense(3, activation="relu"), nn.Dropout(0.5), nn.BatchNorm(), nn.LayerNorm(), nn.ELU())
    out = net(mx.sym.var("data"))
    names = out.get_internals().list_outputs()
    for want in ("net_dense0_fwd_output", "net_dense0_relu_fwd_output", "net_dropout0_fwd_output",
                 "net_batchnorm0_fwd_output", "net_layernorm0_layernorm0_output",
                 "net_elu0_leakyrelu0_output"):
        assert want in names, (want, names)
    assert out.list_auxiliary_states() == ["net_batchnorm0_running_mean", "net_batchnorm0_running_var"]


# ---- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("hybridize", [False, True], ids=["imperative", "hybridized"])
def test_wrong_input_shape_names_layer_and_shapes(hybridize):
    with mx.name.NameManager():
        net = nn.HybridSequential(prefix="model_")
        with net.name_scope():
            net.add(nn.Dense(3, in_units=5))
    _init(net)
    if hybridize:
        net.hybridize()
    with pytest.raises(mx.MXNetError) as info:
        net(mx.nd.ones((2, 7))).wait_to_read()
    msg = str(info.value)
    assert "model_dense0" in msg
    assert "(3, 5)" in msg and "7" in msg


def test_wrong_conv_channels_names_layer():
    with mx.name.NameManager():
        conv = nn.Conv2D(4, 3, in_channels=2)
    _init(conv)
    with pytest.raises(mx.MXNetError, match=r"conv0 \(Conv2D\).*Convolution"):
        conv(mx.nd.ones((1, 3, 5, 5)))


def test_bad_constructor_arguments():
    with pytest.raises(AssertionError, match="Only supports 'NCW'"):
        nn.Conv1D(2, 3, layout="NWC")
    with pytest.raises(AssertionError, match="kernel_size must be a number or a list of 2 ints"):
        nn.Conv2D(2, (3, 3, 3))
    with pytest.raises(AssertionError, match="no less than 0"):
        nn.LeakyReLU(-0.1)
    with pytest.raises(ValueError, match="Unrecognized function"):
        nn.Lambda(3)
    with pytest.raises(AssertionError, match="not found in ndarray"):
        nn.Lambda("no_such_op")


# ---- containers, dropout, lambdas ------------------------------------------------------------------
def test_sequential_containers():
    for cls, child in ((nn.Sequential, nn.Dense), (nn.HybridSequential, nn.Dense)):
        with mx.name.NameManager():
            net = cls()
            with net.name_scope():
                net.add(child(3, in_units=2), child(4, in_units=3))
                net.add(child(5, in_units=4))
        assert len(net) == 3
        assert net[1] is list(net._children.values())[1]
        part = net[1:]
        assert isinstance(part, cls) and len(part) == 2 and part.prefix == net.prefix
        assert part[0] is net[1]
        _init(net)
        assert net(mx.nd.ones((6, 2))).shape == (6, 5)
        assert repr(net).startswith(f"{cls.__name__}(\n  (0): Dense(2 -> 3, linear)\n  (1): Dense(3 -> 4")
    with pytest.raises(ValueError, match="HybridBlock"):
        nn.HybridSequential().add(nn.Lambda("tanh"))
    with pytest.warns(UserWarning, match="Consider using HybridSequential"):
        seq = nn.Sequential()
        seq.add(nn.Dense(2))
        seq.hybridize()


def test_dropout_modes():
    x = mx.nd.ones((200, 50))
    drop = nn.Dropout(0.4)
    np.testing.assert_array_equal(drop(x).asnumpy(), x.asnumpy())  # predict: identity
    with autograd.record():
        y = drop(x).asnumpy()
    kept = y != 0
    assert 0.5 < kept.mean() < 0.7
    np.testing.assert_allclose(y[kept], 1 / 0.6, rtol=1e-6)
    with autograd.record():
        y = nn.Dropout(0.5, axes=(1,))(x).asnumpy()
    assert all(len(set(row)) == 1 for row in y)  # one draw per row, shared along axis 1
    with autograd.record():
        np.testing.assert_array_equal(nn.Dropout(0.0)(x).asnumpy(), x.asnumpy())
    assert repr(nn.Dropout(0.3)) == "Dropout(p = 0.3, axes=())"


def test_lambdas():
    x = mx.nd.array([[-1.0, 0.5]])
    np.testing.assert_allclose(nn.Lambda("tanh")(x).asnumpy(), np.tanh(x.asnumpy()), rtol=1e-6)
    np.testing.assert_allclose(nn.Lambda(lambda a: a * 2)(x).asnumpy(), [[-2.0, 1.0]])
    for hybrid in (False, True):
        block = nn.HybridLambda(lambda F, a: F.LeakyReLU(a, slope=0.1))
        named = nn.HybridLambda("relu")
        if hybrid:
            block.hybridize()
            named.hybridize()
        np.testing.assert_allclose(block(x).asnumpy(), [[-0.1, 0.5]], rtol=1e-6)
        np.testing.assert_allclose(named(x).asnumpy(), [[0.0, 0.5]])
    assert repr(nn.HybridLambda("relu")) == "HybridLambda(relu)"
    assert repr(nn.Lambda("tanh")) == "Lambda(tanh)"


def test_batchnorm_scale_false_keeps_gamma_fixed():
    bn = nn.BatchNorm(scale=False, center=False, in_channels=2)
    _init(bn)
    x = mx.nd.array(np.random.uniform(-1, 1, (4, 2)))
    x.attach_grad()
    with autograd.record():
        y = bn(x)
    y.backward()
    out = y.asnumpy()
    xs = x.asnumpy()
    want = (xs - xs.mean(0)) / np.sqrt(xs.var(0) + 1e-5) + bn.beta.data().asnumpy()
    _close(out, want)  # gamma ignored (fix_gamma); beta added but not trained (MXNet's center=False)
    assert bn.gamma.grad_req == "null" and bn.beta.grad_req == "null"


def test_embedding_and_global_pool_shapes():
    emb = nn.Embedding(6, 3)
    _init(emb)
    assert emb(mx.nd.array([[0, 5], [2, 1]])).shape == (2, 2, 3)
    assert nn.GlobalAvgPool1D()(mx.nd.ones((2, 3, 7))).shape == (2, 3, 1)
    assert nn.GlobalMaxPool2D()(mx.nd.ones((2, 3, 4, 7))).shape == (2, 3, 1, 1)
    assert nn.MaxPool2D(3, 2, ceil_mode=True)(mx.nd.ones((1, 1, 8, 8))).shape == (1, 1, 4, 4)
    assert nn.MaxPool2D(3, 2)(mx.nd.ones((1, 1, 8, 8))).shape == (1, 1, 3, 3)
