"""The _linalg_* operators beyond their golden cases (tests/golden/ops/linalg.json): syevd, which
has no public alias the golden harness could call in both libraries, and bad input."""
import numpy as np
import pytest

import minerva as mx
from minerva import nd

syevd = nd._internal._linalg_syevd


def test_syevd_matches_mxnet_example():
    # MXNet 1.9.1: syevd([[1, 2], [2, 1]]) = (U [[0.70710677, -0.70710677], [0.70710677, 0.70710677]], L [-1, 3]);
    # only the lower triangle is read, so [[1, 5], [2, 1]] gives the same.
    for a in ([[1.0, 2.0], [2.0, 1.0]], [[1.0, 5.0], [2.0, 1.0]]):
        u, w = syevd(nd.array(a))
        np.testing.assert_allclose(u.asnumpy(), [[0.70710677, -0.70710677], [0.70710677, 0.70710677]], rtol=1e-6)
        np.testing.assert_allclose(w.asnumpy(), [-1.0, 3.0], rtol=1e-6)


def test_syevd_decomposes_batches():
    rng = np.random.RandomState(3)
    m = rng.uniform(-1, 1, (2, 4, 4))
    a = m + m.transpose(0, 2, 1)
    u, w = syevd(nd.array(a, dtype="float64"))
    u, w = u.asnumpy(), w.asnumpy()
    for k in range(2):
        np.testing.assert_allclose(w[k], np.linalg.eigvalsh(a[k]), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(u[k].T @ np.diag(w[k]) @ u[k], a[k], atol=1e-10)
        np.testing.assert_allclose(u[k] @ u[k].T, np.eye(4), atol=1e-10)
        big = np.argmax(np.abs(u[k]), axis=1)
        assert np.all(u[k][np.arange(4), big] > 0)  # MXNet's sign convention


def test_syevd_gradient_matches_finite_differences():
    rng = np.random.RandomState(4)
    m = rng.uniform(-1, 1, (3, 3))
    a = np.tril(m + m.T + np.diag([0.0, 3.0, 6.0]))  # only the lower triangle is read
    hu, hw = rng.uniform(-1, 1, (3, 3)), rng.uniform(-1, 1, 3)

    def objective(x):
        u, w = syevd(nd.array(x, dtype="float64"))
        return float((u.asnumpy() * hu).sum() + (w.asnumpy() * hw).sum())

    x = nd.array(a, dtype="float64")
    x.attach_grad()
    with mx.autograd.record():
        u, w = syevd(x)
    mx.autograd.backward([u, w], [nd.array(hu, dtype="float64"), nd.array(hw, dtype="float64")])
    # MXNet's gradient is the symmetric one: a perturbation e_ij of the lower triangle moves both
    # (i, j) and (j, i), so its directional derivative is g_ij + g_ji off the diagonal.
    g = x.grad.asnumpy()
    eps = 1e-6
    for i in range(3):
        for j in range(i + 1):
            d = np.zeros((3, 3))
            d[i, j] = eps
            numeric = (objective(a + d) - objective(a - d)) / (2 * eps)
            analytic = g[i, j] + (g[j, i] if i != j else 0.0)
            assert abs(numeric - analytic) < 1e-5, (i, j, numeric, analytic)


def test_mxnet_public_aliases():
    for name in ["gemm", "gemm2", "potrf", "potri", "trmm", "trsm", "sumlogdiag", "syrk", "gelqf", "inverse",
                 "det", "slogdet", "extractdiag", "makediag", "extracttrian", "maketrian"]:
        assert callable(getattr(nd, "linalg_" + name)) and callable(getattr(mx.sym, "linalg_" + name))
    assert not hasattr(nd, "linalg_syevd")  # MXNet 1.9.1 has no such alias either


def test_symbolic_shapes():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    s = mx.sym.linalg_gemm2(a, b, axis=-3)
    assert s.infer_shape(a=(3, 2, 4), b=(4, 2, 5))[1] == [(3, 2, 5)]
    q, lfac = mx.sym.linalg_gelqf(a)
    assert mx.sym.Group([q, lfac]).infer_shape(a=(5, 2, 3))[1] == [(5, 2, 3), (5, 2, 2)]


@pytest.mark.parametrize("call,message", [
    ("nd.linalg_potrf(nd.array([[1.0, 2.0], [2.0, 1.0]]))", "not symmetric positive-definite"),
    ("nd.linalg_inverse(nd.array([[1.0, 2.0], [2.0, 4.0]]))", "singular"),
    ("nd.linalg_det(nd.ones((2, 3)))", "square matrices"),
    ("nd.linalg_sumlogdiag(nd.ones((3,)))", "at least 2 dimensions"),
    ("nd.linalg_gemm2(nd.ones((2, 3)), nd.ones((4, 5)))", "has 3 columns but op(B)"),
    ("nd.linalg_gemm2(nd.ones((2, 3)), nd.ones((3, 5)), axis=-1)", "column axis"),
    ("nd.linalg_gemm(nd.ones((2, 3)), nd.ones((3, 5)), nd.ones((2, 4)))", "C"),
    ("nd.linalg_trsm(nd.ones((3, 3)), nd.ones((2, 2)))", "has 2 rows but A is 3 x 3"),
    ("nd.linalg_inverse(nd.ones((2, 2), dtype='float16'))", "float32 and float64"),
    ("nd.linalg_gemm2(nd.ones((2, 2), dtype='int32'), nd.ones((2, 2), dtype='int32'))", "float32 and float64"),
    ("nd.linalg_extractdiag(nd.ones((3, 3)), offset=3)", "offset 3 is outside"),
    ("nd.linalg_maketrian(nd.ones((5,)))", "not a triangular number"),
    ("nd.linalg_gelqf(nd.ones((3, 2)))", "at most as many rows as columns"),
    ("nd._internal._backward_linalg_potrf(nd.ones((2, 2)), nd.ones((3, 3)))", "dL"),
    ("nd._internal._backward_linalg_det(nd.ones((4,)), nd.ones((3, 3)), nd.ones((1,)))", "ddet"),
])
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(mx.MXNetError) as err:
        eval(call, {"nd": nd}).asnumpy()
    assert message in str(err.value)
