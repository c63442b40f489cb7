"""mx.init: dispatch, exact values and dumps() strings from MXNet 1.9.1
(tests/golden/optim/optimizer_golden.json), statistics of the random initializers."""
import json
import pathlib
import warnings

import numpy as np
import pytest

import minerva as mx

GOLDEN = pathlib.Path(__file__).resolve().parents[1] / "golden/optim/optimizer_golden.json"
INIT = json.loads(GOLDEN.read_text())["initializers"]

DUMPS = {
    "Zero()": lambda: mx.init.Zero(),
    "One()": lambda: mx.init.One(),
    "Constant(0.5)": lambda: mx.init.Constant(0.5),
    "Uniform()": lambda: mx.init.Uniform(),
    "Uniform(0.1)": lambda: mx.init.Uniform(0.1),
    "Normal()": lambda: mx.init.Normal(),
    "Normal(0.5)": lambda: mx.init.Normal(0.5),
    "Xavier()": lambda: mx.init.Xavier(),
    "Xavier(gaussian,in,2.34)": lambda: mx.init.Xavier(rnd_type="gaussian", factor_type="in",
                                                       magnitude=2.34),
    "MSRAPrelu()": lambda: mx.init.MSRAPrelu(),
    "MSRAPrelu(in,0.1)": lambda: mx.init.MSRAPrelu("in", 0.1),
    "Orthogonal()": lambda: mx.init.Orthogonal(),
    "Orthogonal(2,normal)": lambda: mx.init.Orthogonal(2.0, "normal"),
    "LSTMBias(2)": lambda: mx.init.LSTMBias(2.0),
    "Bilinear()": lambda: mx.init.Bilinear(),
}


def _init(init, name, shape, attrs=None):
    arr = mx.nd.zeros(shape)
    init(mx.init.InitDesc(name, attrs=attrs), arr)
    return arr.asnumpy()


@pytest.mark.parametrize("key", sorted(DUMPS))
def test_dumps_identical_to_mxnet(key):
    assert DUMPS[key]().dumps() == INIT["dumps"][key]
    recreated = mx.init.create(INIT["dumps"][key])
    assert recreated == DUMPS[key]()


def test_exact_values_match_mxnet():
    v = INIT["values"]
    cases = {
        "Constant(0.5) fc_weight": (mx.init.Constant(0.5), "fc_weight", (2, 3), None),
        "One fc_weight": (mx.init.One(), "fc_weight", (2, 3), None),
        "Xavier fc_bias": (mx.init.Xavier(), "fc_bias", (3,), None),
        "Xavier bn_gamma": (mx.init.Xavier(), "bn_gamma", (3,), None),
        "Xavier bn_beta": (mx.init.Xavier(), "bn_beta", (3,), None),
        "Uniform attr_one": (mx.init.Uniform(), "fc_weight", (2, 2),
                             {"__init__": '["one", {}]'}),
        "Uniform attr_constant": (mx.init.Uniform(), "x_weight", (2, 2),
                                  {"__init__": '["constant", {"value": 3.0}]'}),
        "LSTMBias(2) lstm_bias": (mx.init.LSTMBias(2.0), "lstm_weight", (8,), None),
        "Bilinear up_weight": (mx.init.Bilinear(), "up_weight", (1, 1, 4, 4), None),
    }
    for key, (init, name, shape, attrs) in cases.items():
        np.testing.assert_allclose(_init(init, name, shape, attrs).ravel(), v[key], rtol=1e-6,
                                   err_msg=key)


def test_zero_and_array_constant():
    assert not _init(mx.init.Zero(), "a_weight", (3, 2)).any()
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    const = mx.init.Constant(mx.nd.array(value))
    np.testing.assert_array_equal(_init(const, "b_weight", (2, 3)), value)
    assert const.dumps() == '["constant", {"value": [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]}]'
    np.testing.assert_array_equal(_init(mx.init.create(const.dumps()), "c_weight", (2, 3)), value)


@pytest.mark.parametrize("rnd, factor, mag, shape", [
    ("uniform", "avg", 3, (64, 32)), ("uniform", "in", 2, (16, 8, 3, 3)),
    ("gaussian", "out", 2, (64, 128)), ("gaussian", "avg", 3, (32, 16, 3, 3))])
def test_xavier_scale_matches_mxnet(rnd, factor, mag, shape):
    ref = INIT["xavier"][f"{rnd},{factor},{mag},{tuple(shape)}"]
    a = _init(mx.init.Xavier(rnd, factor, mag), "w_weight", shape)
    if rnd == "uniform":
        assert np.abs(a).max() <= ref["scale"] * (1 + 1e-6)
        assert np.abs(a).max() > 0.95 * ref["scale"]
        assert a.std() == pytest.approx(ref["scale"] / np.sqrt(3), rel=0.08)
    else:
        assert a.std() == pytest.approx(ref["scale"], rel=0.08)
    assert abs(a.mean()) < 0.1 * ref["scale"]


def test_uniform_normal_msra_statistics():
    mx.random.seed(7)
    u = _init(mx.init.Uniform(0.2), "u_weight", (200, 100))
    assert -0.2 <= u.min() and u.max() <= 0.2
    assert u.mean() == pytest.approx(0.0, abs=0.005)
    assert u.std() == pytest.approx(0.2 / np.sqrt(3), rel=0.02)
    n = _init(mx.init.Normal(0.5), "n_weight", (200, 100))
    assert n.mean() == pytest.approx(0.0, abs=0.02)
    assert n.std() == pytest.approx(0.5, rel=0.02)
    m = _init(mx.init.MSRAPrelu("in", 0.0), "m_weight", (100, 50, 2, 2))
    assert m.std() == pytest.approx(np.sqrt(2.0 / 200), rel=0.03)


def test_seed_reproduces():
    mx.random.seed(11)
    a = _init(mx.init.Xavier(), "w_weight", (8, 5))
    mx.random.seed(11)
    b = _init(mx.init.Xavier(), "w_weight", (8, 5))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("rand_type, shape", [("uniform", (6, 10)), ("normal", (12, 3, 2)),
                                               ("uniform", (5, 5))])
def test_orthogonal(rand_type, shape):
    a = _init(mx.init.Orthogonal(scale=2.0, rand_type=rand_type), "o_weight", shape)
    m = a.reshape(shape[0], -1)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-4)


def test_name_dispatch_and_global_init():
    desc = mx.init.InitDesc("bn_moving_mean")
    with pytest.raises(ValueError, match="Unknown initialization pattern for bn_moving_mean"):
        mx.init.Uniform()(desc, mx.nd.zeros((2,)))
    zero_attr = mx.init.InitDesc("bn_moving_mean", attrs={"__init__": '["zero", {}]'})
    arr = mx.nd.ones((2,))
    mx.init.Uniform()(zero_attr, arr)
    assert not arr.asnumpy().any() and zero_attr.global_init is not None
    assert _init(mx.init.Uniform(), "q_max", (2,)).tolist() == [1.0, 1.0]
    assert _init(mx.init.Uniform(), "q_min", (2,)).tolist() == [0.0, 0.0]


def test_legacy_string_names():
    init = mx.init.Normal(1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for name, expected in (("bn_moving_mean", 0.0), ("bn_moving_var", 1.0),
                               ("fc_bias", 0.0), ("bn_gamma", 1.0), ("bn_beta", 0.0)):
            arr = mx.nd.full((3,), 5.0)
            init(name, arr)
            assert arr.asnumpy().tolist() == [expected] * 3, name
        with pytest.raises(TypeError, match="arr must be NDArray"):
            init("fc_weight", np.zeros(3))


def test_create_register_and_errors():
    assert isinstance(mx.init.create("zeros"), mx.init.Zero)
    assert isinstance(mx.init.create("ones"), mx.init.One)
    assert isinstance(mx.init.create("Xavier", magnitude=2), mx.init.Xavier)
    assert mx.init.create('["normal", {"sigma": 0.3}]').sigma == 0.3
    inst = mx.init.Uniform(0.3)
    assert mx.init.create(inst) is inst
    with pytest.raises(ValueError, match="Cannot find initializer nosuch.*xavier"):
        mx.init.create("nosuch")

    @mx.init.register
    @mx.init.alias("myinit")
    class CustomInit(mx.init.Initializer):
        def _init_weight(self, _, arr):
            arr[:] = 0.1

    assert _init(mx.init.create("myinit"), "c_weight", (2,)).tolist() == pytest.approx([0.1] * 2)
    with pytest.raises(ValueError, match="requires at least 2D"):
        _init(mx.init.Xavier(), "v_weight", (4,))


def test_mixed_and_load(tmp_path):
    mixed = mx.init.Mixed(["bias", ".*"], [mx.init.Zero(), mx.init.One()])
    b, w = mx.nd.full((2,), 3.0), mx.nd.zeros((2,))
    mixed(mx.init.InitDesc("fc_bias"), b)
    mixed(mx.init.InitDesc("fc_weight"), w)
    assert b.asnumpy().tolist() == [0, 0] and w.asnumpy().tolist() == [1, 1]
    with pytest.raises(ValueError, match="did not match any pattern"):
        mx.init.Mixed(["^a"], [mx.init.Zero()])(mx.init.InitDesc("b"), w)

    fname = str(tmp_path / "p.params")
    mx.nd.save(fname, {"arg:fc_weight": mx.nd.array([[1.0, 2.0]])})
    load = mx.init.Load(fname, default_init=mx.init.Constant(7.0))
    w = mx.nd.zeros((1, 2))
    load(mx.init.InitDesc("fc_weight"), w)
    assert w.asnumpy().tolist() == [[1.0, 2.0]]
    other = mx.nd.zeros((2,))
    load(mx.init.InitDesc("other_weight"), other)
    assert other.asnumpy().tolist() == [7.0, 7.0]
    with pytest.raises(ValueError, match="Shape mismatch"):
        load(mx.init.InitDesc("fc_weight"), mx.nd.zeros((3,)))
