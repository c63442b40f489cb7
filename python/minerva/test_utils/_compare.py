"""Comparing arrays (MXNet 1.x's ``test_utils`` tolerances, ``almost_equal`` and its asserts).

Tolerances left as None come from the dtype of the compared data, the larger of the two sides,
as in MXNet; ``almost_equal`` alone uses the float64 defaults, as MXNet's does."""
from __future__ import annotations

import json
import numbers

import numpy as np
import numpy.testing as npt

from ..ndarray import NDArray


_EXACT_TYPES = (np.bool_, np.int8, np.uint8, np.int32, np.uint32, np.int64, np.uint64)
_FLOAT64 = np.dtype(np.float64)


def default_rtols() -> dict:
    """Relative tolerance per dtype for comparisons involving that dtype."""
    floats = {np.dtype(np.float16): 1e-2, np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-5}
    return {**floats, **{np.dtype(t): 0 for t in _EXACT_TYPES}}


def default_atols() -> dict:
    """Absolute tolerance per dtype for comparisons involving that dtype."""
    floats = {np.dtype(np.float16): 1e-1, np.dtype(np.float32): 1e-3, np.dtype(np.float64): 1e-20}
    return {**floats, **{np.dtype(t): 0 for t in _EXACT_TYPES}}


def default_numeric_eps() -> dict:
    """Finite-difference step per dtype; powers of two so that x + eps drops no bits."""
    return {np.dtype(np.float16): 1.0 / 2 ** 6, np.dtype(np.float32): 1.0 / 2 ** 9,
            np.dtype(np.float64): 1.0 / 2 ** 14}


def effective_dtype(dat) -> np.dtype:
    """The dtype whose tolerances apply to dat. On a CPU-only build this is dat's own dtype
    (MXNet lowers float32 to float16 only for TF32 GPUs)."""
    return np.dtype(dat.dtype)


def get_tolerance(dat, tol, default_tol: dict):
    """tol when it is a number; else tol's (a dict's) entry for dat's dtype, else the default."""
    if isinstance(tol, numbers.Number):
        return tol
    dtype = effective_dtype(dat)
    tol = {} if tol is None else tol
    return tol.get(dtype, default_tol[dtype])


def get_tols(x, y, rtol, atol) -> tuple:
    """(rtol, atol) for comparing x with y: the looser of the two sides' tolerances."""
    x = np.array(x) if isinstance(x, numbers.Number) else x
    y = np.array(y) if isinstance(y, numbers.Number) else y
    rtol = max(get_tolerance(x, rtol, default_rtols()), get_tolerance(y, rtol, default_rtols()))
    atol = max(get_tolerance(x, atol, default_atols()), get_tolerance(y, atol, default_atols()))
    return rtol, atol


def get_atol(atol=None, dtype=_FLOAT64):
    return default_atols()[dtype] if atol is None else atol


def get_rtol(rtol=None, dtype=_FLOAT64):
    return default_rtols()[dtype] if rtol is None else rtol


def get_etol(etol=None):
    """Tolerated fraction of mismatching elements (0 unless given)."""
    return 0 if etol is None else etol


def _as_numpy(a):
    return a.asnumpy() if isinstance(a, NDArray) else a


def same(a, b) -> bool:
    """Whether a and b hold equal values in equal shapes."""
    return np.array_equal(_as_numpy(a), _as_numpy(b))


def checkShapes(a, b) -> None:  # noqa: N802  (MXNet's name)
    if a.shape != b.shape:
        raise AssertionError(npt.build_err_msg(
            [a, b], err_msg=f"a.shape = {a.shape} and b.shape = {b.shape} are not equal"))


def almost_equal(a, b, rtol=None, atol=None, equal_nan=False, use_broadcast=True) -> bool:
    """np.allclose with MXNet's float64 default tolerances; shapes must match exactly unless
    use_broadcast."""
    a, b = _as_numpy(a), _as_numpy(b)
    if not use_broadcast:
        checkShapes(np.asarray(a), np.asarray(b))
    return bool(np.allclose(a, b, rtol=get_rtol(rtol), atol=get_atol(atol), equal_nan=equal_nan))


def _find_max_violation(a, b, rtol, atol) -> tuple:
    """(index, violation) of the element furthest outside the tolerance; equal infinities count
    as equal, as in np.allclose."""
    with np.errstate(invalid="ignore", over="ignore"):
        absdiff = np.where(np.equal(a, b), 0, np.abs(a - b))
        violation = absdiff / (atol + rtol * np.abs(b) + 1e-20)
    idx = np.unravel_index(np.argmax(violation), violation.shape)
    return tuple(int(i) for i in idx), np.max(violation)


def locationError(a, b, index, names, maxError=False) -> str:  # noqa: N802,N803  (MXNet's names)
    """The line that names where a and b differ."""
    maximum = "maximum " if maxError else ""
    return "Location of %serror: %s, %s=%.8f, %s=%.8f" % (maximum, index, names[0], a[index], names[1], b[index])


def _mismatch_report(a, b, rtol, atol, names, equal_nan, mismatches) -> str:
    """Prints the worst mismatches (at most mismatches[0], counting up to mismatches[1]) and
    returns the message of the AssertionError."""
    index, rel = _find_max_violation(a, b, rtol, atol)
    if index == ():
        return "Error %f exceeds tolerance rtol=%e, atol=%e.\n" % (rel, rtol, atol)
    first_index, first_rel = index, rel
    print(f"\n*** Maximum errors for vector of size {a.size}:  rtol={rtol}, atol={atol}\n")
    a_left, b_left = a.copy(), b.copy()
    count = 1
    while count <= a.size:
        if count <= mismatches[0]:
            print("%3d: Error %f  %s" % (count, rel, locationError(a, b, index, names)))
        a_left[index] = b_left[index] = 0
        if almost_equal(a_left, b_left, rtol, atol, equal_nan=equal_nan):
            break
        count += 1
        if not (count <= mismatches[1] or mismatches[1] <= 0):
            break
        index, rel = _find_max_violation(a_left, b_left, rtol, atol)
    degree = "at least " if mismatches[1] > 0 and count > mismatches[1] else ""
    return "Error %f exceeds tolerance rtol=%e, atol=%e (mismatch %s%f%%).\n%s" % (
        first_rel, rtol, atol, degree, 100 * count / a.size,
        locationError(a, b, first_index, names, maxError=True))


def _raise_mismatch(a, b, message: str) -> None:
    with np.printoptions(threshold=4, suppress=True):
        raise AssertionError(npt.build_err_msg([a, b], err_msg=message))


def assert_almost_equal(a, b, rtol=None, atol=None, names=("a", "b"), equal_nan=False,
                        use_broadcast=True, mismatches=(10, 10)) -> None:
    """Raises AssertionError naming the worst mismatches unless a and b (NDArrays, numpy arrays
    or numbers) agree within rtol/atol (numbers, dicts of dtype -> tolerance, or None for the
    dtype defaults). mismatches: how many to print and how many to count."""
    if not use_broadcast:
        checkShapes(a, b)
    rtol, atol = get_tols(a, b, rtol, atol)
    a, b = np.asarray(_as_numpy(a)), np.asarray(_as_numpy(b))
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        np.testing.assert_equal(a, b)
        return
    if almost_equal(a, b, rtol, atol, equal_nan=equal_nan):
        return
    a, b = np.broadcast_arrays(a, b) if a.shape != b.shape else (a, b)
    _raise_mismatch(a, b, _mismatch_report(np.array(a), np.array(b), rtol, atol, names, equal_nan, mismatches))


def assert_allclose(a, b, rtol=1e-07, atol=0, equal_nan=True) -> None:
    assert_almost_equal(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


def assert_almost_equal_with_err(a, b, rtol=None, atol=None, etol=None, names=("a", "b"), equal_nan=False,
                                 mismatches=(10, 10)) -> None:
    """Like assert_almost_equal, but passes while at most a fraction etol of the elements
    mismatch."""
    etol = get_etol(etol)
    if etol <= 0:
        assert_almost_equal(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
        return
    rtol, atol = get_tols(a, b, rtol, atol)
    a, b = np.asarray(_as_numpy(a)), np.asarray(_as_numpy(b))
    equals = np.isclose(a, b, rtol=rtol, atol=atol)
    if 1 - np.count_nonzero(equals) / equals.size > etol:
        _raise_mismatch(a, b, _mismatch_report(a, b, rtol, atol, names, equal_nan, mismatches))


def assert_almost_equal_ignore_nan(a, b, rtol=None, atol=None, names=("a", "b")) -> None:
    """assert_almost_equal after zeroing every position where either side is NaN."""
    a, b = np.copy(_as_numpy(a)), np.copy(_as_numpy(b))
    nan_mask = np.logical_or(np.isnan(a), np.isnan(b))
    a[nan_mask] = 0
    b[nan_mask] = 0
    assert_almost_equal(a, b, rtol, atol, names)


def assert_exception(f, exception_type, *args, **kwargs) -> None:
    """Fails unless f(*args, **kwargs) raises exception_type."""
    try:
        f(*args, **kwargs)
    except exception_type:
        return
    raise AssertionError(f"{getattr(f, '__name__', f)} did not raise {exception_type.__name__}")


def compare_ndarray_tuple(t1, t2, rtol=None, atol=None) -> None:
    """assert_almost_equal over (nested) tuples of arrays; None on either side skips."""
    if t1 is None or t2 is None:
        return
    if isinstance(t1, tuple):
        for s1, s2 in zip(t1, t2):
            compare_ndarray_tuple(s1, s2, rtol, atol)
    else:
        assert_almost_equal(t1, t2, rtol=rtol, atol=atol)


def same_array(array1, array2) -> bool:
    """Whether two NDArrays share memory: a change through one shows through the other."""
    array1[:] += 1
    if not same(array1.asnumpy(), array2.asnumpy()):
        array1[:] -= 1
        return False
    array1[:] -= 1
    return same(array1.asnumpy(), array2.asnumpy())


def same_symbol_structure(sym1, sym2) -> bool:
    """Whether the two symbols' graphs have the same operator at every node position."""
    nodes1 = json.loads(sym1.tojson())["nodes"]
    nodes2 = json.loads(sym2.tojson())["nodes"]
    return all(n1["op"] == n2["op"] for n1, n2 in zip(nodes1, nodes2))


def np_reduce(dat, axis, keepdims, numpy_reduce_func):
    """Reduces dat over axis (None, an int or a list) one axis at a time with
    numpy_reduce_func (np.sum, np.max, ...), keeping reduced axes as 1 if keepdims."""
    if isinstance(axis, int):
        axis = [axis]
    else:
        axis = list(axis) if axis is not None else range(len(dat.shape))
    ret = dat
    for i in reversed(sorted(axis)):
        ret = numpy_reduce_func(ret, axis=i)
    if keepdims:
        keep_shape = list(dat.shape)
        for i in axis:
            keep_shape[i] = 1
        ret = ret.reshape(tuple(keep_shape))
    return ret


def collapse_sum_like(a, shape):
    """Sums numpy array a over the axes that broadcasting shape up to a.shape added or
    stretched, giving an array of shape."""
    assert len(a.shape) >= len(shape)
    if np.prod(shape) == 0 or a.size == 0:
        return np.zeros(shape, dtype=a.dtype)
    ndim_diff = len(a.shape) - len(shape)
    axes = list(range(ndim_diff))
    for i, s in enumerate(shape):
        if s != a.shape[i + ndim_diff]:
            assert s == 1
            axes.append(i + ndim_diff)
    return np.sum(a, axis=tuple(axes)).reshape(shape)
