"""Writes tests/golden/api/test_utils.json: what MXNet 1.9.1's mx.test_utils answers on a
battery of cases (almost_equal's edge cases, tolerances, error messages, seeded random shapes
and arrays). tests/python/test_test_utils.py runs the same outcomes() with Minerva and compares.

Run under the MXNet oracle:
    .oracle-venv/bin/python tools/golden/make_test_utils_golden.py
"""
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "api", "test_utils.json")

NAN, INF = float("nan"), float("inf")
# (a, b, dtype, kwargs) for almost_equal
ALMOST_EQUAL = [
    ([1.0, 2.0], [1.0, 2.0], "float32", {}),
    ([1.0], [1.0 + 1e-6], "float64", {}),
    ([1.0], [1.0 + 2e-5], "float64", {}),
    ([1.0], [1.0 + 2e-5], "float32", {"rtol": 1e-4}),
    ([0.0], [1e-21], "float64", {}),
    ([0.0], [1e-3], "float64", {"atol": 1e-2}),
    ([NAN], [NAN], "float64", {}),
    ([NAN], [NAN], "float64", {"equal_nan": True}),
    ([INF], [INF], "float64", {}),
    ([INF], [-INF], "float64", {}),
    ([[1.0, 2.0, 3.0]], [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], "float32", {}),
    ([1, 2, 3], [1, 2, 4], "int32", {}),
    ([1.0, 2.0], [1.0, 2.001], "float16", {}),
]
# (a, b, dtype_a, dtype_b, kwargs) for assert_almost_equal: passes, or the first lines of the message
ASSERT_CASES = [
    ([1.0, 2.0, 3.0, 4.0], [1.01, 2.0, 3.1, 4.0], "float32", "float32", {"names": ("x", "y")}),
    ([1.0, 2.0], [1.0005, 2.0], "float32", "float32", {}),
    ([1.0, 2.0], [1.0005, 2.0], "float64", "float64", {}),
    ([1.0, 2.0], [1.0005, 2.0], "float64", "float32", {}),
    ([1.0, 2.0], [1.05, 2.0], "float16", "float16", {}),
    ([1.0, 2.0], [1.05, 2.0], "float32", "float32", {"rtol": {"float32": 0.1}}),
    ([1.0, 2.0, 3.0], [2.0, 3.0, 4.0], "float32", "float32", {"mismatches": (1, 2)}),
    ([1.0, 2.0, 3.0], [2.0, 3.0, 4.0], "float32", "float32", {"mismatches": (5, 0)}),
    ([NAN, 1.0], [NAN, 1.0], "float32", "float32", {}),
    ([NAN, 1.0], [NAN, 1.0], "float32", "float32", {"equal_nan": True}),
    ([1, 2], [1, 3], "int64", "int64", {}),
]
TOLS = [("float16", "float32"), ("float32", "float64"), ("float64", "float64"), ("int32", "float32"),
        ("float16", "float16"), ("uint8", "int64")]


def _error(fn):
    """'ok', or the exception's type and the message lines that do not print arrays."""
    try:
        fn()
        return "ok"
    except Exception as e:  # noqa: BLE001  (the outcome is the record)
        lines = [ln for ln in str(e).split("\n") if ln and not ln.startswith((" ACTUAL", " DESIRED", "     "))]
        return [type(e).__name__] + lines


def outcomes(mx, tu) -> dict:
    """Every recorded outcome, computed with the given mx and its test_utils."""
    out = {}
    out["almost_equal"] = [bool(tu.almost_equal(np.array(a, dtype=d), np.array(b, dtype=d), **kw))
                           for a, b, d, kw in ALMOST_EQUAL]

    def fix(kw):
        kw = dict(kw)
        for key in ("rtol", "atol"):
            if isinstance(kw.get(key), dict):
                kw[key] = {np.dtype(k): v for k, v in kw[key].items()}
        return kw

    out["assert_almost_equal"] = [
        _error(lambda a=a, b=b, da=da, db=db, kw=kw: tu.assert_almost_equal(
            np.array(a, dtype=da), np.array(b, dtype=db), **fix(kw)))
        for a, b, da, db, kw in ASSERT_CASES]
    out["assert_almost_equal_nd"] = _error(lambda: tu.assert_almost_equal(
        mx.nd.array([1.0, 2.0]), mx.nd.array([1.0, 2.5]), names=("p", "q")))
    out["use_broadcast_false"] = _error(lambda: tu.assert_almost_equal(np.ones((2, 3)), np.ones((3, 2)),
                                                                       use_broadcast=False))
    out["almost_equal_no_broadcast"] = _error(lambda: tu.almost_equal(np.ones((1, 3)), np.ones((2, 3)),
                                                                      use_broadcast=False))
    out["with_err"] = [
        _error(lambda: tu.assert_almost_equal_with_err(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0, 9.0]),
                                                       etol=0.3)),
        _error(lambda: tu.assert_almost_equal_with_err(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 8.0, 9.0]),
                                                       etol=0.3)),
    ]
    out["ignore_nan"] = [
        _error(lambda: tu.assert_almost_equal_ignore_nan(np.array([NAN, 1.0]), np.array([5.0, 1.0]))),
        _error(lambda: tu.assert_almost_equal_ignore_nan(np.array([NAN, 1.0]), np.array([5.0, 2.0]))),
    ]
    out["assert_allclose"] = [
        _error(lambda: tu.assert_allclose(np.array([NAN, 1.0]), np.array([NAN, 1.0]))),
        _error(lambda: tu.assert_allclose(np.array([1.0]), np.array([1.0 + 1e-6]))),
    ]
    out["get_tols"] = [list(tu.get_tols(np.ones(1, dtype=a), np.ones(1, dtype=b), None, None)) for a, b in TOLS]
    out["get_tols_numbers"] = list(tu.get_tols(1.0, np.float32(1), None, None))
    out["default_numeric_eps"] = {str(k): v for k, v in tu.default_numeric_eps().items()}
    out["default_rtols"] = {str(k): v for k, v in tu.default_rtols().items()}
    out["default_atols"] = {str(k): v for k, v in tu.default_atols().items()}
    out["get_rtol_atol_etol"] = [tu.get_rtol(), tu.get_atol(), tu.get_etol(), tu.get_rtol(0.5), tu.get_etol(0.2)]
    dat = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    out["np_reduce"] = [tu.np_reduce(dat, axis, keep, f).tolist()
                        for axis, keep, f in [(1, False, np.sum), ((0, 2), True, np.max), (None, False, np.sum)]]
    out["collapse_sum_like"] = [tu.collapse_sum_like(dat, shape).tolist() for shape in [(3, 1), (1, 4), (2, 1, 4)]]
    np.random.seed(7)
    out["rand_shapes"] = [[int(v) for v in tu.rand_shape_nd(4)], [int(v) for v in tu.rand_shape_2d()],
                          [int(v) for v in tu.rand_shape_3d(5, 6, 7)], [int(v) for v in tu.rand_shape_nd(3, 2, True)]]
    np.random.seed(11)
    arrays = tu.random_arrays((2, 3), (), (4,))
    out["random_arrays"] = [[a.tolist() for a in arrays], [str(a.dtype) for a in arrays]]
    np.random.seed(3)
    nd_arr = tu.rand_ndarray((2, 2), dtype="float64")
    out["rand_ndarray"] = [nd_arr.asnumpy().tolist(), str(nd_arr.dtype.__name__ if hasattr(nd_arr.dtype, "__name__")
                                                          else nd_arr.dtype)]
    np.random.seed(5)
    out["random_sample"] = tu.random_sample(list(range(10)), 4)
    out["buckets"] = [list(map(list, tu.gen_buckets_probs_with_ppf(lambda p: 2 * p - 1, 4)[0])),
                      tu.gen_buckets_probs_with_ppf(lambda p: 2 * p - 1, 4)[1]]
    out["create_vector"] = [tu.create_vector(5).asnumpy().tolist(), tu.create_2d_tensor(2, 3).asnumpy().tolist()]
    out["identity"] = [tu.get_identity_mat(2).asnumpy().tolist(), list(tu.get_identity_mat_batch(3).shape)]
    out["same"] = [bool(tu.same(np.array([1, 2]), np.array([1, 2]))), bool(tu.same(np.array([1, 2]), np.array([1])))]
    out["list_gpus"] = list(tu.list_gpus())
    out["is_op_runnable"] = bool(tu.is_op_runnable())
    out["has_tvm_ops"] = bool(tu.has_tvm_ops())
    out["default_dtype"] = np.dtype(tu.default_dtype()).name
    out["simple_forward"] = tu.simple_forward(mx.sym.Variable("x") * 2 + 1, x=np.array([1.0, 2.0])).tolist()
    out["mean_var_check"] = [bool(tu.mean_check(lambda n: np.linspace(-1, 1, n), 0.0, 1.0, nsamples=1001)),
                             bool(tu.var_check(lambda n: np.tile([-1.0, 1.0], n // 2), 1.0, nsamples=1000))]
    return out


def main() -> None:
    import mxnet as mx
    import mxnet.test_utils as tu
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(outcomes(mx, tu), f, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
