"""Golden cases of the _linalg_* operators (mx.nd.linalg): batched, with MXNet's parameters;
factorizations get well-conditioned inputs (positive-definite, triangular with a dominant diagonal,
symmetric with separated eigenvalues). u, idx and rng come from make_op_golden.py."""
import numpy as np


def spd(*batch, n=3):
    m = u(*batch, n, n)  # noqa: F821 (injected)
    return (m @ np.swapaxes(m, -1, -2) + n * np.eye(n)).astype(np.float32)


def lower(*batch, n=3):
    m = np.tril(u(*batch, n, n, lo=-0.5, hi=0.5))  # noqa: F821
    return (m + 2 * np.eye(n)).astype(np.float32)


def symmetric(*batch, n=3):
    m = u(*batch, n, n)  # noqa: F821
    return (m + np.swapaxes(m, -1, -2) + np.diag(np.arange(n) * 3.0)).astype(np.float32)


CASES = [
    ("linalg_gemm", [u(2, 3), u(3, 4), u(2, 4)], {"alpha": 2.0, "beta": 0.5}, [0, 1, 2]),  # noqa: F821
    ("linalg_gemm", [u(2, 3, 2), u(2, 4, 3), u(2, 2, 4)],  # noqa: F821
     {"transpose_a": True, "transpose_b": True}, [0, 1, 2]),
    ("linalg_gemm", [u(3, 2, 4), u(4, 2, 5), u(3, 2, 5)], {"axis": -3, "beta": -1.0}, [0, 1, 2]),  # noqa: F821
    ("linalg_gemm2", [u(2, 3), u(3, 4)], {"alpha": 1.5}, [0, 1]),  # noqa: F821
    ("linalg_gemm2", [u(2, 3, 2), u(2, 3, 4)], {"transpose_a": True}, [0, 1]),  # noqa: F821
    ("linalg_gemm2", [u(3, 2, 4), u(5, 2, 4)], {"axis": 0, "transpose_b": True}, [0, 1]),  # noqa: F821
    ("linalg_gemm2", [u(2, 2, 3), u(2, 4, 3)], {"transpose_b": True}, [0, 1]),  # noqa: F821
    ("linalg_potrf", [spd()], {}, [0]),
    ("linalg_potrf", [spd(2, n=4)], {}, [0]),
    ("linalg_potri", [lower(2)], {}, [0]),
    ("linalg_trmm", [lower(), u(3, 2)], {"alpha": 2.0}, [0, 1]),  # noqa: F821
    ("linalg_trmm", [lower(2), u(2, 4, 3)], {"rightside": True, "transpose": True}, [0, 1]),  # noqa: F821
    ("linalg_trmm", [lower(), u(3, 2)], {"lower": False, "transpose": True}, [0, 1]),  # noqa: F821
    ("linalg_trsm", [lower(), u(3, 2)], {"alpha": 0.5}, [0, 1]),  # noqa: F821
    ("linalg_trsm", [lower(2), u(2, 4, 3)], {"rightside": True, "transpose": True, "alpha": 2.0}, [0, 1]),  # noqa: F821
    ("linalg_trsm", [np.swapaxes(lower(), 0, 1).copy(), u(3, 2)], {"lower": False}, [0, 1]),  # noqa: F821
    ("linalg_sumlogdiag", [spd(2)], {}, [0]),
    ("linalg_syrk", [u(2, 3)], {"alpha": 2.0}, [0]),  # noqa: F821
    ("linalg_syrk", [u(2, 3, 2)], {"transpose": True}, [0]),  # noqa: F821
    ("linalg_gelqf", [u(2, 3)], {}, [0]),  # noqa: F821
    ("linalg_gelqf", [u(2, 3, 4)], {}, [0]),  # noqa: F821
    ("linalg_inverse", [spd(2)], {}, [0]),
    ("linalg_det", [spd(2) - 2 * np.eye(3, dtype=np.float32)], {}, [0]),
    ("linalg_slogdet", [u(2, 3, 3) + 2 * np.eye(3, dtype=np.float32)], {}, [0]),  # noqa: F821
    ("linalg_extractdiag", [u(3, 3)], {}, [0]),  # noqa: F821
    ("linalg_extractdiag", [u(2, 4, 4)], {"offset": -1}, [0]),  # noqa: F821
    ("linalg_makediag", [u(3)], {"offset": 1}, [0]),  # noqa: F821
    ("linalg_makediag", [u(2, 3)], {}, [0]),  # noqa: F821
    ("linalg_extracttrian", [u(4, 4)], {}, [0]),  # noqa: F821
    ("linalg_extracttrian", [u(2, 4, 4)], {"lower": False}, [0]),  # noqa: F821
    ("linalg_extracttrian", [u(4, 4)], {"offset": 1}, [0]),  # noqa: F821
    ("linalg_extracttrian", [u(4, 4)], {"offset": -2}, [0]),  # noqa: F821
    ("linalg_maketrian", [u(6)], {}, [0]),  # noqa: F821
    ("linalg_maketrian", [u(2, 6)], {"lower": False}, [0]),  # noqa: F821
    ("linalg_maketrian", [u(3)], {"offset": 2}, [0]),  # noqa: F821
    ("linalg_maketrian", [u(3)], {"offset": -1}, [0]),  # noqa: F821
    ("linalg_gemm2", [u(2, 3), u(3, 4)], {}, [], ["float64", "float64"]),  # noqa: F821
    ("linalg_inverse", [spd()], {}, [], ["float64"]),
]
