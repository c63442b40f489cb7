"""Golden cases of the densities _random_pdf_* (public names random_pdf_*): values and log-values,
gradients with respect to the sample and the parameters. u, idx and rng come from make_op_golden.py."""
import numpy as np


def counts(*shape, high=6):
    return idx(high, *shape)  # noqa: F821 (injected)


def simplex(*shape):
    x = u(*shape, lo=0.1, hi=1.0)  # noqa: F821
    return (x / x.sum(axis=-1, keepdims=True)).astype(np.float32)


CASES = []
for is_log in (False, True):
    p = {"is_log": is_log}
    CASES += [
        ("random_pdf_uniform", [u(2, 3, lo=0, hi=1), u(2, lo=-1, hi=0), u(2, lo=1, hi=2)], p, [0, 1, 2]),  # noqa: F821
        ("random_pdf_normal", [u(2, 4), u(2), u(2, lo=0.5, hi=2)], p, [0, 1, 2]),  # noqa: F821
        ("random_pdf_normal", [u(2, 3, 2), u(2, 3), u(2, 3, lo=0.5, hi=2)], p, [0, 1, 2]),  # noqa: F821
        ("random_pdf_gamma", [u(2, 3, lo=0.2, hi=3), u(2, lo=0.5, hi=3), u(2, lo=0.5, hi=2)], p, [0, 1, 2]),  # noqa: F821
        ("random_pdf_exponential", [u(3, 2, lo=0, hi=2), u(3, lo=0.5, hi=2)], p, [0, 1]),  # noqa: F821
        ("random_pdf_poisson", [counts(2, 4), u(2, lo=0.5, hi=4)], p, [0, 1]),  # noqa: F821
        ("random_pdf_negative_binomial", [counts(2, 3), u(2, lo=1, hi=4), u(2, lo=0.2, hi=0.8)], p, [0, 1, 2]),  # noqa: F821
        ("random_pdf_generalized_negative_binomial", [counts(2, 3), u(2, lo=0.5, hi=3), u(2, lo=0.2, hi=1.5)],  # noqa: F821
         p, [0, 1, 2]),
        ("random_pdf_dirichlet", [simplex(2, 3, 4), u(2, 4, lo=0.5, hi=3)], p, [0, 1]),  # noqa: F821
    ]
