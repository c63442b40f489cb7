"""Samplers (mx.nd.random, mx.sym.random, mx.random, the _random_*/_sample_* operators): random
draws are not golden-comparable, so this checks shapes and dtypes against MXNet 1.9.1, the
distributions against theory (moments within a few standard errors, per-value frequencies of the
discrete ones against their probability mass), seeding, the multinomial gradient and bad input."""
import math

import numpy as np
import pytest

import minerva as mx
from minerva import nd

# (call, [(shape, dtype) per output]) as MXNet 1.9.1 answers them (recorded with the oracle).
SHAPES = [
    ('nd.random.uniform(0, 1)', [[[1], 'float32']]),
    ("nd.random.uniform(-1, 1, shape=(2, 3), dtype='float64')", [[[2, 3], 'float64']]),
    ('nd.random.uniform(nd.array([0, 1]), nd.array([1, 2]), shape=3)', [[[2, 3], 'float32']]),
    ('nd.random.uniform(nd.array([[0, 1]]), nd.array([[1, 2]]))', [[[1, 2], 'float32']]),
    ("nd.random.normal(0, 1, shape=5, dtype='float16')", [[[5], 'float16']]),
    ("nd.random.normal(nd.array([0, 1]), nd.array([1, 2]), shape=(2, 2), dtype='float64')", [[[2, 2, 2], 'float64']]),
    ('nd.random.randn(2, 3)', [[[2, 3], 'float32']]),
    ('nd.random.randn(4, loc=nd.array([0, 1]), scale=nd.array([1, 1]))', [[[2, 4], 'float32']]),
    ('nd.random.poisson(3, shape=(4,))', [[[4], 'float32']]),
    ("nd.random.poisson(nd.array([1, 8.5], dtype='float64'), shape=2)", [[[2, 2], 'float32']]),
    ('nd.random.exponential(2, shape=(2, 2))', [[[2, 2], 'float32']]),
    ('nd.random.exponential(nd.array([2.0, 4.0]), shape=(3,))', [[[2, 3], 'float32']]),
    ("nd.random.gamma(2, 3, shape=(3,), dtype='float64')", [[[3], 'float64']]),
    ('nd.random.gamma(nd.array([2.0]), nd.array([3.0]))', [[[1], 'float32']]),
    ('nd.random.negative_binomial(3, 0.4, shape=(2,))', [[[2], 'float32']]),
    ('nd.random.negative_binomial(nd.array([3.0, 4.0]), nd.array([0.4, 0.5]), shape=(2,))', [[[2, 2], 'float32']]),
    ('nd.random.generalized_negative_binomial(2, 0.3, shape=(2, 1))', [[[2, 1], 'float32']]),
    ('nd.random.generalized_negative_binomial(nd.array([2.0]), nd.array([0.3]), shape=(5,))', [[[1, 5], 'float32']]),
    ('nd.random.randint(0, 5, shape=(3,))', [[[3], 'int32']]),
    ("nd.random.randint(-3, 5, shape=(2, 2), dtype='int64')", [[[2, 2], 'int64']]),
    ('nd.random.multinomial(nd.array([0.2, 0.8]))', [[[1], 'int32']]),
    ('nd.random.multinomial(nd.array([0.2, 0.8]), shape=(2, 2))', [[[2, 2], 'int32']]),
    ("nd.random.multinomial(nd.array([[0.2, 0.8]] * 3), dtype='float64')", [[[3], 'float64']]),
    ('nd.random.multinomial(nd.array([[0.2, 0.8]] * 3), shape=2, get_prob=True)',
     [[[3, 2], 'int32'], [[3, 2], 'float32']]),
    ("nd.random.uniform_like(nd.zeros((2, 3), dtype='float64'), low=5, high=6)", [[[2, 3], 'float64']]),
    ('nd.random.normal_like(nd.zeros((4,)))', [[[4], 'float32']]),
    ("nd.random.gamma_like(nd.zeros((2,), dtype='float16'), alpha=2)", [[[2], 'float16']]),
    ('nd.random.exponential_like(nd.zeros((3, 1)), lam=2)', [[[3, 1], 'float32']]),
    ('nd.random.poisson_like(nd.zeros((3,)), lam=2)', [[[3], 'float32']]),
    ('nd.random.negative_binomial_like(nd.zeros((3,)), k=2, p=0.5)', [[[3], 'float32']]),
    ('nd.random.generalized_negative_binomial_like(nd.zeros((3,)), mu=2, alpha=0.5)', [[[3], 'float32']]),
    ('nd.random.shuffle(nd.arange(6).reshape((3, 2)))', [[[3, 2], 'float32']]),
    ('nd.sample_uniform(nd.array([0, 1]), nd.array([1, 2]), shape=(3,))', [[[2, 3], 'float32']]),
    ("nd.sample_normal(nd.array([0, 1], dtype='float64'), nd.array([1, 2], dtype='float64'))", [[[2], 'float32']]),
    ("nd.sample_gamma(nd.array([[1, 2]]), nd.array([[1, 2]]), shape=(2, 2), dtype='float16')",
     [[[1, 2, 2, 2], 'float16']]),
    ("nd.sample_multinomial(nd.array([0.5, 0.5], dtype='float64'), get_prob=True)", [[[1], 'int32'], [[1], 'float64']]),
    ('nd.random_gamma(alpha=2, shape=(2,))', [[[2], 'float32']]),
    ('nd.random_poisson(lam=2, shape=(2,))', [[[2], 'float32']]),
    ("nd.random.uniform(0, 1, out=nd.zeros((2, 2), dtype='float64'))", [[[2, 2], 'float64']]),
]


@pytest.mark.parametrize("call,expected", SHAPES)
def test_shape_and_dtype_match_mxnet(call, expected):
    res = eval(call, {"nd": nd})
    outs = res if isinstance(res, list) else [res]
    assert [[list(o.shape), np.dtype(o.dtype).name] for o in outs] == expected


def _moments_close(x, mean, var, what):
    """Sample mean and variance within 6 standard errors of the theory (fourth moment bounded
    by the sample's own)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    m, v = x.mean(), x.var()
    assert abs(m - mean) < 6 * math.sqrt(var / n) + 1e-9, f"{what}: mean {m} vs {mean}"
    m4 = ((x - m) ** 4).mean()
    assert abs(v - var) < 6 * math.sqrt(max(m4 - v * v, 1e-12) / n) + 1e-9, f"{what}: variance {v} vs {var}"


N = 200000

CONTINUOUS = [
    ("uniform", dict(low=-2, high=3), 0.5, 25 / 12),
    ("normal", dict(loc=1.5, scale=2), 1.5, 4.0),
    ("gamma", dict(alpha=2.5, beta=0.5), 1.25, 0.625),
    ("gamma", dict(alpha=0.4, beta=2), 0.8, 1.6),
    ("exponential", dict(scale=4), 4.0, 16.0),
]


@pytest.mark.parametrize("name,kw,mean,var", CONTINUOUS)
def test_continuous_moments(name, kw, mean, var):
    mx.random.seed(11)
    x = getattr(nd.random, name)(shape=(N,), dtype="float64", **kw).asnumpy()
    _moments_close(x, mean, var, name)
    if name == "uniform":
        assert x.min() >= kw["low"] and x.max() < kw["high"]
    if name in ("gamma", "exponential"):
        assert x.min() >= 0


def _pmf_poisson(lam, k):
    return math.exp(k * math.log(lam) - lam - math.lgamma(k + 1))


def _pmf_negative_binomial(r, p, k):
    # failures before the r-th success, success probability p
    return math.exp(math.lgamma(k + r) - math.lgamma(k + 1) - math.lgamma(r) + r * math.log(p) + k * math.log1p(-p))


def _frequencies_match(x, pmf, what):
    """Each value's frequency within 5 standard errors of its probability."""
    x = np.asarray(x).ravel()
    assert np.all(x == np.round(x)) and x.min() >= 0, f"{what}: draws are not counts"
    counts = np.bincount(x.astype(np.int64))
    for k in range(min(len(counts), 30)):
        p = pmf(k)
        se = math.sqrt(p * (1 - p) / x.size)
        assert abs(counts[k] / x.size - p) < 5 * se + 1e-4, f"{what}: P({k}) {counts[k] / x.size} vs {p}"


DISCRETE = [
    ("poisson", dict(lam=3.5), 3.5, 3.5, lambda k: _pmf_poisson(3.5, k)),
    ("negative_binomial", dict(k=3, p=0.4), 4.5, 11.25, lambda k: _pmf_negative_binomial(3, 0.4, k)),
    # mu=2, alpha=0.5 is a negative binomial with r = 1/alpha = 2 and p = 1 / (1 + alpha mu) = 0.5
    ("generalized_negative_binomial", dict(mu=2, alpha=0.5), 2.0, 4.0, lambda k: _pmf_negative_binomial(2, 0.5, k)),
    ("generalized_negative_binomial", dict(mu=2, alpha=0), 2.0, 2.0, lambda k: _pmf_poisson(2, k)),
]


@pytest.mark.parametrize("name,kw,mean,var,pmf", DISCRETE)
def test_discrete_distributions(name, kw, mean, var, pmf):
    mx.random.seed(12)
    x = getattr(nd.random, name)(shape=(N,), **kw).asnumpy()
    _moments_close(x, mean, var, name)
    _frequencies_match(x, pmf, name)


def test_sample_ops_use_one_parameter_set_per_element():
    mx.random.seed(13)
    n = 50000
    lam = nd.array([1.0, 8.5, 0.0])
    x = nd.random.poisson(lam, shape=n).asnumpy()
    assert x.shape == (3, n)
    for row, m in zip(x, [1.0, 8.5]):
        _moments_close(row, m, m, "sample_poisson")
    assert np.all(x[2] == 0)
    mu, sigma = nd.array([[0.0, 10.0]]), nd.array([[1.0, 0.5]])
    y = nd.random.normal(mu, sigma, shape=(n,), dtype="float64").asnumpy()
    _moments_close(y[0, 0], 0.0, 1.0, "sample_normal row 0")
    _moments_close(y[0, 1], 10.0, 0.25, "sample_normal row 1")
    g = nd.random.gamma(nd.array([2.0, 9.0]), nd.array([3.0, 0.5]), shape=n).asnumpy()
    _moments_close(g[0], 6.0, 18.0, "sample_gamma row 0")
    _moments_close(g[1], 4.5, 2.25, "sample_gamma row 1")
    e = nd.random.exponential(nd.array([2.0, 0.25]), shape=n).asnumpy()  # scales, as MXNet's function takes
    _moments_close(e[0], 2.0, 4.0, "sample_exponential row 0")
    _moments_close(e[1], 0.25, 0.0625, "sample_exponential row 1")
    u = nd.random.uniform(nd.array([0.0, 5.0]), nd.array([1.0, 6.0]), shape=n).asnumpy()
    assert u[0].min() >= 0 and u[0].max() < 1 and u[1].min() >= 5 and u[1].max() < 6
    nb = nd.random.negative_binomial(nd.array([3.0]), nd.array([0.4]), shape=n).asnumpy()
    _frequencies_match(nb, lambda k: _pmf_negative_binomial(3, 0.4, k), "sample_negative_binomial")
    gnb = nd.random.generalized_negative_binomial(nd.array([2.0]), nd.array([0.5]), shape=n).asnumpy()
    _frequencies_match(gnb, lambda k: _pmf_negative_binomial(2, 0.5, k), "sample_generalized_negative_binomial")


def test_like_variants_take_shape_and_dtype_of_data():
    mx.random.seed(14)
    data = nd.zeros((400, 250), dtype="float64")
    _moments_close(nd.random.normal_like(data, loc=3, scale=0.5).asnumpy(), 3, 0.25, "normal_like")
    _moments_close(nd.random.poisson_like(data, lam=2).asnumpy(), 2, 2, "poisson_like")
    _moments_close(nd.random.exponential_like(data, lam=4).asnumpy(), 0.25, 0.0625, "exponential_like")
    x = nd.random.uniform_like(data, low=5, high=6)
    assert x.dtype == np.float64 and x.shape == (400, 250)
    assert 5 <= x.asnumpy().min() and x.asnumpy().max() < 6


def test_multinomial_frequencies_and_log_probabilities():
    mx.random.seed(15)
    probs = np.array([[0.1, 0.2, 0.3, 0.4], [0.5, 0.0, 0.25, 0.25]])
    idx, logp = nd.random.multinomial(nd.array(probs), shape=N // 4, get_prob=True)
    idx = idx.asnumpy()
    assert idx.dtype == np.int32 and idx.shape == (2, N // 4)
    for row, p in zip(idx, probs):
        _frequencies_match(row, lambda k, p=p: p[k], "multinomial")
    np.testing.assert_allclose(logp.asnumpy(), np.log(np.take_along_axis(probs, idx, 1)), rtol=1e-6)


def test_multinomial_gradient_matches_mxnet():
    # MXNet 1.9.1: every draw adds ograd / p[drawn] to the drawn category's gradient; with the
    # log-probabilities' gradient at 1, p = [[0.2, 0.8], [0.5, 0.5]] and draws [[1, 1, 1], [1, 1, 1]]
    # give [[0, 3.75], [0, 6]].
    p = nd.array([[0.2, 0.8], [0.5, 0.5]])
    p.attach_grad()
    with mx.autograd.record():
        idx, logp = nd.random.multinomial(p, shape=3, get_prob=True)
    logp.backward()
    counts = np.stack([np.bincount(r, minlength=2) for r in idx.asnumpy()])
    np.testing.assert_allclose(p.grad.asnumpy(), counts / p.asnumpy(), rtol=1e-6)


def test_seed_reproduces_every_sampler():
    calls = [
        lambda: nd.random.uniform(0, 1, shape=(5,)),
        lambda: nd.random.normal(nd.array([0.0, 1.0]), nd.array([1.0, 2.0]), shape=3),
        lambda: nd.random.gamma(2, 2, shape=(5,)),
        lambda: nd.random.exponential(2, shape=(5,)),
        lambda: nd.random.poisson(4, shape=(5,)),
        lambda: nd.random.negative_binomial(3, 0.4, shape=(5,)),
        lambda: nd.random.generalized_negative_binomial(2, 0.3, shape=(5,)),
        lambda: nd.random.multinomial(nd.array([0.25, 0.25, 0.5]), shape=8),
        lambda: nd.random.randint(0, 100, shape=(5,)),
        lambda: nd.random.shuffle(nd.arange(10)),
        lambda: nd.random.gamma_like(nd.zeros((5,)), alpha=3),
    ]
    def run():
        return [c().asnumpy() for c in calls]
    mx.random.seed(42)
    first = run()
    mx.random.seed(42)
    second = run()
    mx.random.seed(43)
    third = run()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, c) for a, c in zip(first, third))


def test_mx_random_reexports_nd_random():
    for name in ["uniform", "normal", "randn", "poisson", "exponential", "gamma", "multinomial", "negative_binomial",
                 "generalized_negative_binomial", "shuffle", "randint"]:
        assert getattr(mx.random, name) is getattr(nd.random, name)
        assert getattr(nd.random, name).__module__ == "minerva.ndarray.random"
        assert getattr(mx.sym.random, name).__module__ == "minerva.symbol.random"
    for name in ["uniform_like", "normal_like", "gamma_like", "exponential_like", "poisson_like",
                 "negative_binomial_like", "generalized_negative_binomial_like"]:
        assert callable(getattr(nd.random, name)) and callable(getattr(mx.sym.random, name))
    for name in ["_random_gamma", "_sample_gamma", "_sample_multinomial", "_random_poisson_like"]:
        assert callable(getattr(nd._internal, name))


def test_out_and_ctx():
    out = nd.zeros((3, 4), dtype="float64")
    res = nd.random.normal(2, 1, out=out)
    assert res is out and out.asnumpy().std() > 0
    x = nd.random.uniform(0, 1, shape=(2,), ctx=mx.cpu(1))
    assert x.context == mx.cpu(1)


def test_symbolic_samplers():
    mu, sigma = mx.sym.var("mu"), mx.sym.var("sigma")
    s = mx.sym.random.normal(mu, sigma, shape=(1000,))
    _, out_shapes, _ = s.infer_shape(mu=(2,), sigma=(2,))
    assert out_shapes == [(2, 1000)]
    exe = s.bind(mx.cpu(), {"mu": nd.array([0.0, 100.0]), "sigma": nd.array([1.0, 1.0])})
    y = exe.forward()[0].asnumpy()
    assert abs(y[0].mean()) < 0.2 and abs(y[1].mean() - 100) < 0.2
    g = mx.sym.random.gamma(2, 3, shape=(2, 2))
    assert g.infer_shape()[1] == [(2, 2)]
    m = mx.sym.random.multinomial(mx.sym.var("p"))
    assert len(m.list_outputs()) == 2  # get_prob defaults to True for symbols, as in MXNet


@pytest.mark.parametrize("call,message", [
    ("nd.random.gamma(0, 1, shape=(2,))", "alpha=0 must be greater than 0"),
    ("nd.random.exponential(-1.0, shape=(2,))", "lam=-1 must be greater than 0"),
    ("nd.random.poisson(-1, shape=(2,))", "lam=-1 must be greater than or equal to 0"),
    ("nd.random.negative_binomial(3, 0, shape=(2,))", "p=0 must be in (0, 1]"),
    ("nd.random.generalized_negative_binomial(1, -1, shape=(2,))", "alpha=-1 must be greater than or equal to 0"),
    ("nd.random.gamma(nd.array([1.0, -2.0]), nd.array([1.0, 1.0]))", "_sample_gamma: alpha=-2"),
    ("nd.random.uniform(nd.array([1.0]), nd.array([0.0]))", "_sample_uniform: low=1 must be less than or equal"),
    ("nd.random.normal(nd.array([1.0, 2.0]), nd.array([1.0]))", "_sample_normal"),
    ("nd.random.multinomial(nd.array([0.5, -0.5]))", "probabilities must be finite and non-negative"),
    ("nd.random.poisson(nd.array([1], dtype='int32'))", "must be float16, float32 or float64"),
    ("nd.random.uniform(nd.array([0.0]), 1)", "must all have the same type"),
    ("nd.random.uniform('a')", "must be either NDArray or numbers"),
])
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises((mx.MXNetError, TypeError, ValueError)) as err:
        eval(call, {"nd": nd}).asnumpy()
    assert message in str(err.value)


def test_a_rejected_draw_leaves_the_generator_usable():
    # The parameter check of _sample_* runs inside the asynchronous kernel; its error goes to the
    # output only, not to the device generator every later draw writes.
    bad = nd.random.gamma(nd.array([-1.0]), nd.array([1.0]))
    with pytest.raises(mx.MXNetError, match="alpha=-1"):
        bad.asnumpy()
    mx.random.seed(5)
    a = nd.random.uniform(0, 1, shape=(4,)).asnumpy()
    mx.random.seed(5)
    np.testing.assert_array_equal(nd.random.uniform(0, 1, shape=(4,)).asnumpy(), a)


def test_sample_unique_zipfian():
    zipf = nd._internal._sample_unique_zipfian
    s, t = zipf(range_max=1000, shape=(2, 10))
    # MXNet 1.9.1: two int64 outputs of shapes (2, 10) and (2,)
    assert (s.shape, s.dtype, t.shape, t.dtype) == ((2, 10), np.int64, (2,), np.int64)
    s, t = zipf(range_max=50, shape=(300, 50))
    s, t = s.asnumpy(), t.asnumpy()
    assert all(sorted(row) == list(range(50)) for row in s) and np.all(t >= 50)
    # A row's first draw comes from the base distribution P(c) = log((c + 2) / (c + 1)) / log(range_max + 1).
    mx.random.seed(16)
    first = zipf(range_max=20, shape=(N // 4, 1))[0].asnumpy()
    _frequencies_match(first, lambda c: math.log((c + 2) / (c + 1)) / math.log(21), "unique_zipfian")
    with pytest.raises(mx.MXNetError, match="cannot draw 6 distinct classes of range_max=5"):
        zipf(range_max=5, shape=(1, 6))


def test_float16_uniform_draws_stay_below_high():
    # Rounding to float16 maps draws just under 1 to 1.0; they are drawn again, as MXNet's interval is [low, high).
    x = nd.random.uniform(nd.array([0.0]), nd.array([1.0]), shape=100000, dtype="float16").asnumpy()
    y = nd.random.uniform_like(nd.zeros((100000,), dtype="float16")).asnumpy()
    assert x.max() < 1 and y.max() < 1 and x.min() >= 0


def test_star_imports_bind_the_like_samplers():
    # MXNet 1.9.1 lists the seven *_like samplers in mx.nd.random.__all__ and mx.sym.random.__all__.
    like = {"exponential_like", "gamma_like", "generalized_negative_binomial_like", "negative_binomial_like",
            "normal_like", "poisson_like", "uniform_like"}
    for module in ("minerva.ndarray.random", "minerva.symbol.random"):
        scope = {}
        exec(f"from {module} import *", scope)
        assert like <= set(scope), module
    x = scope["normal_like"](mx.sym.var("x"))
    assert x.infer_shape(x=(2, 3))[1] == [(2, 3)]
