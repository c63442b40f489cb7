"""The tensor operators added for MXNet 1.x parity: output dtypes as MXNet 1.9.1 gives them (the
golden cases in tests/golden/ops/tensor_extra.json check values and gradients), symbolic use,
and clear errors for bad axes, shapes and indices."""
import json
import pathlib

import minerva as mx
import numpy as np
import pytest


def _nd(a, dtype="float32"):
    return mx.nd.array(np.asarray(a), dtype=dtype)


# ---- ordering --------------------------------------------------------------------------------

def test_topk_dtypes_follow_mxnet():
    x = _nd([[3, 1, 3, 2], [1, 1, 0, 1]], "int32")
    assert mx.nd.topk(x).dtype == np.float32  # indices default to float32
    assert mx.nd.topk(x, dtype="int64").dtype == np.int64
    vals, inds = mx.nd.topk(x, k=2, ret_typ="both")
    assert vals.dtype == np.int32 and inds.dtype == np.float32
    assert mx.nd.topk(x, k=2, ret_typ="mask").dtype == np.int32
    assert mx.nd.argsort(x).dtype == np.float32
    assert mx.nd.sort(x).dtype == np.int32


def test_sort_ties_keep_their_order():
    x = _nd([[3, 1, 3, 2], [1, 1, 0, 1]])
    np.testing.assert_array_equal(mx.nd.argsort(x, is_ascend=False).asnumpy(), [[0, 2, 3, 1], [0, 1, 3, 2]])
    np.testing.assert_array_equal(mx.nd.topk(x, k=2, is_ascend=True).asnumpy(), [[1, 3], [2, 0]])


def test_sort_puts_nan_last_like_numpy():
    # MXNet 1.9.1's order around NaN is inconsistent; Minerva ranks NaN above every number.
    x = _nd([[3, np.nan, 1, 2]])
    np.testing.assert_array_equal(mx.nd.sort(x).asnumpy(), np.sort(x.asnumpy()))
    np.testing.assert_array_equal(mx.nd.argsort(x).asnumpy(), [[2, 3, 0, 1]])
    np.testing.assert_array_equal(mx.nd.topk(x, k=2).asnumpy(), [[1, 0]])


def test_sort_symbol_shows_one_output_topk_both_two():
    x = mx.sym.var("x")
    assert len(mx.sym.sort(x).list_outputs()) == 1
    assert len(mx.sym.topk(x, ret_typ="both").list_outputs()) == 2
    _, out, _ = mx.sym.topk(x, axis=None, k=3, ret_typ="value").infer_shape(x=(2, 5))
    assert out == [(3,)]


@pytest.mark.parametrize("kwargs, match", [
    ({"k": 5}, r"topk: k=5 must be at most .* 4"),
    ({"axis": 2}, r"topk: axis=2 is out of range"),
    ({"ret_typ": "values"}, r"ret_typ"),
    ({"dtype": "int8"}, r"dtype"),
])
def test_topk_bad_parameters(kwargs, match):
    with pytest.raises(mx.MXNetError, match=match):
        mx.nd.topk(_nd(np.zeros((2, 4))), **kwargs).wait_to_read()


def test_backward_topk_rejects_out_of_range_indices():
    with pytest.raises(mx.MXNetError, match=r"_backward_topk: index 7 is out of range for an axis of size 4"):
        mx.nd._internal._backward_topk(_nd([[1.0]]), _nd([[7]]), _nd(np.zeros((1, 4))), k=1).wait_to_read()
    mx.nd.waitall()  # the error was seen at wait_to_read: waitall does not raise it again


# ---- reversal, diagonals, shape-driven ------------------------------------------------------

def test_shape_and_size_arrays_are_int64():
    x = mx.nd.zeros((2, 3, 4), dtype="int32")
    assert mx.nd.shape_array(x).dtype == np.int64 and mx.nd.shape_array(x).asnumpy().tolist() == [2, 3, 4]
    assert mx.nd.size_array(x).dtype == np.int64 and mx.nd.size_array(x).asnumpy().tolist() == [24]


def test_flip_is_reverse_and_repeated_axes_toggle():
    x = _nd(np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(mx.nd.flip(x, axis=1).asnumpy(), mx.nd.reverse(x, axis=1).asnumpy())
    np.testing.assert_array_equal(mx.nd.flip(x, axis=(0, 0)).asnumpy(), x.asnumpy())
    assert '"op":"reverse"' in mx.sym.flip(mx.sym.var("x"), axis=0).tojson().replace(" ", "")


def test_fluent_methods_mxnet_has():
    x = _nd([[1, 2], [3, 4]])
    assert x.flip(axis=0).asnumpy().tolist() == [[3, 4], [1, 2]]
    assert x.diag().asnumpy().tolist() == [1, 4]
    assert x.shape_array().asnumpy().tolist() == [2, 2] and x.size_array().asnumpy().tolist() == [4]
    assert x.reshape((1, 4, 1, 1)).depth_to_space(2).space_to_depth(2).shape == (1, 4, 1, 1)
    for name in ["flip", "diag", "shape_array", "size_array", "depth_to_space", "space_to_depth", "slice_like"]:
        assert hasattr(mx.sym.Symbol, name), name


def test_diag_builds_and_extracts_like_numpy():
    v = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    np.testing.assert_array_equal(mx.nd.diag(_nd(v), k=-1).asnumpy(), np.diag(v, k=-1))
    m = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(mx.nd.diag(_nd(m), k=1, axis1=1, axis2=2).asnumpy(),
                                  np.diagonal(m, offset=1, axis1=1, axis2=2))


@pytest.mark.parametrize("call, match", [
    (lambda: mx.nd.flip(_nd(np.zeros((2, 3))), axis=2), r"reverse: axis=2 is out of range"),
    (lambda: mx.nd.diag(_nd(np.zeros((3, 4))), k=5), r"diag: diagonal k=5 does not exist .* \[-3, 4\]"),
    (lambda: mx.nd.diag(_nd(np.zeros((2, 3, 4))), axis1=1, axis2=-2), r"axis1 and axis2 cannot refer to the same"),
    (lambda: mx.nd.diag(_nd(np.zeros((2, 3, 4))), axis1=3), r"diag: axis1=3 is out of range"),
    (lambda: mx.nd.slice_like(_nd(np.zeros((2, 3))), _nd(np.zeros((3, 3)))), r"slice_like: axis 0 .* larger than"),
    (lambda: mx.nd.slice_like(_nd(np.zeros((2, 3))), _nd(np.zeros((3,)))), r"same number of dimensions"),
    (lambda: mx.nd.slice_like(_nd(np.zeros((2, 3, 4))), _nd(np.zeros((1, 2))), axes=(-1,)), r"does not exist"),
    (lambda: mx.nd._internal._backward_slice_like(_nd(np.zeros((3, 3))), _nd(np.zeros((2, 3)))), r"larger than"),
    (lambda: mx.nd._internal._backward_diag(_nd(np.zeros((2,))), _nd(np.zeros((3, 4)))), r"_backward_diag.*ograd"),
    (lambda: mx.nd.hard_sigmoid(mx.nd.zeros((2,), dtype="int32")), r"hard_sigmoid supports float.*int32"),
    (lambda: mx.nd._internal._backward_gamma(_nd(np.zeros((2,))), _nd(np.zeros((3,)))), r"_backward_gamma"),
])
def test_layout_and_special_bad_input(call, match):
    with pytest.raises(mx.MXNetError, match=match):
        call().wait_to_read()


def test_special_functions_on_integers_cast_like_mxnet():
    x = mx.nd.array([1, 2, 3, 4], dtype="int32")
    assert mx.nd.gamma(x).asnumpy().tolist() == [1, 1, 2, 6]
    assert mx.nd.gammaln(x).asnumpy().tolist() == [0, 0, 0, 1]
    assert mx.nd.smooth_l1(mx.nd.array([0, 3], dtype="int32")).asnumpy().tolist() == [0, 2]
    e = mx.nd.erfinv(_nd([-1.0, 0.0, 1.0, 1.5])).asnumpy()
    assert e[0] == -np.inf and e[1] == 0 and e[2] == np.inf and np.isnan(e[3])


# ---- statistics ----------------------------------------------------------------------------

def test_cumsum_dtypes_and_symbol_name_follow_mxnet():
    assert mx.nd.cumsum(mx.nd.array([1, 0, 1], dtype="bool")).dtype == np.int64
    wrapped = mx.nd.cumsum(mx.nd.array([200, 100], dtype="uint8"))
    assert wrapped.dtype == np.uint8 and wrapped.asnumpy().tolist() == [200, 44]
    assert mx.nd.cumsum(mx.nd.array([1, 2], dtype="int32"), dtype="float64").dtype == np.float64
    assert '"op":"_np_cumsum"' in mx.sym.cumsum(mx.sym.var("a")).tojson().replace(" ", "")


def test_moments_and_histogram_outputs():
    x = mx.sym.var("x")
    assert len(mx.sym.moments(x, axes=(1,)).list_outputs()) == 2
    counts, edges = mx.nd._internal._histogram(mx.nd.array([1, 2, 3], dtype="int32"), bin_cnt=3, range=(0, 3))
    assert counts.dtype == np.int64 and edges.dtype == np.int32
    assert counts.asnumpy().tolist() == [0, 1, 2] and edges.asnumpy().tolist() == [0, 1, 2, 3]
    counts, edges = mx.nd._internal._histogram(_nd([1.0, 2.0, 3.0]), bin_cnt=2, range=(1, 1))
    assert counts.asnumpy().tolist() == [0, 1] and edges.asnumpy().tolist() == [0.5, 1.0, 1.5]


@pytest.mark.parametrize("call, match", [
    (lambda: mx.nd.cumsum(_nd(np.zeros((2, 3))), axis=2), r"_np_cumsum: axis=2 is out of range"),
    (lambda: mx.nd.cumsum(_nd(np.zeros((2, 3))), dtype="uint8"), r"dtype"),
    (lambda: mx.nd.moments(_nd(np.zeros((2, 3)))), r"moments: axes must be given"),
    (lambda: mx.nd.moments(_nd(np.zeros((2, 3))), axes=(0, -2)), r"moments: axes .* duplicates"),
    (lambda: mx.nd.moments(_nd(np.zeros((2, 3))), axes=(2,)), r"moments: axes=2 is out of range"),
    (lambda: mx.nd._internal._histogram(_nd([1.0]), bin_cnt=3), r"bin_cnt and range must both be given"),
    (lambda: mx.nd._internal._histogram(_nd([1.0]), bin_cnt=3, range=(3, 0)), r"range \(3, 0\) must have"),
    (lambda: mx.nd._internal._histogram(_nd([1.0]), bin_cnt=0, range=(0, 1)), r"bin_cnt"),
    (lambda: mx.nd._internal._histogram(_nd([1.0]), mx.nd.array([0, 1], dtype="int32")), r"bins must have data's"),
    (lambda: mx.nd._internal._histogram(_nd([1.0]), _nd([0.0])), r"at least 2 edges"),
    (lambda: mx.nd._internal._backward_np_cumsum(_nd(np.zeros(5)), _nd(np.zeros((2, 3)))), r"ograd"),
    (lambda: mx.nd._internal._backward_moments(_nd(np.zeros(2)), _nd(np.zeros(3)), _nd(np.zeros((2, 3))),
                                               _nd(np.zeros(2)), axes=(1,)), r"_backward_moments"),
])
def test_statistics_bad_input(call, match):
    with pytest.raises(mx.MXNetError, match=match):
        out = call()
        for o in out if isinstance(out, list) else [out]:
            o.wait_to_read()


# ---- gather/scatter and index arithmetic ------------------------------------------------------

def test_gather_nd_gradient_accumulates_repeated_points_and_wraps_negatives():
    x = _nd(np.zeros((3, 2)))
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.gather_nd(x, _nd([[0, 0, -1]]))
    y.backward(_nd([[1, 2], [3, 4], [5, 6]]))
    np.testing.assert_array_equal(x.grad.asnumpy(), [[4, 6], [0, 0], [5, 6]])


def test_unravel_converts_every_element_like_numpy():
    flat = np.array([[5, 39], [17, 0]])
    got = mx.nd.unravel_index(mx.nd.array(flat, dtype="int64"), shape=(2, 4, 5))
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got.asnumpy(), np.array(np.unravel_index(flat, (2, 4, 5))))


def test_scatter_set_nd_writes_into_lhs():
    lhs = _nd(np.ones((2, 2)))
    out = mx.nd._internal._scatter_set_nd(lhs, _nd([5, 6]), _nd([[0, 1], [1, 0]]), shape=(2, 2), out=lhs)
    np.testing.assert_array_equal(out.asnumpy(), [[1, 5], [6, 1]])
    np.testing.assert_array_equal(lhs.asnumpy(), [[1, 5], [6, 1]])


@pytest.mark.parametrize("call, match", [
    (lambda: mx.nd.gather_nd(_nd(np.zeros((3, 4))), _nd([[3], [1]])), r"gather_nd: index 3 is out of bounds for axis"),
    (lambda: mx.nd.gather_nd(_nd(np.zeros((3, 4))), _nd([[0], [-5]])), r"index -5 is out of bounds for axis 1"),
    (lambda: mx.nd.gather_nd(_nd(np.zeros((3, 4))), _nd([1, 2])), r"at least 2 dimensions"),
    (lambda: mx.nd.gather_nd(_nd(np.zeros((3, 4))), _nd([[0], [1], [1]])), r"address 3 axes .* has 2"),
    (lambda: mx.nd.scatter_nd(_nd([1, 2]), _nd([[0, 5], [1, 3]]), shape=(3, 4)), r"scatter_nd: index 5 is out of"),
    (lambda: mx.nd.scatter_nd(_nd([1, 2, 3]), _nd([[0, 2], [1, 3]]), shape=(3, 4)), r"scatter_nd.*data"),
    (lambda: mx.nd._internal._scatter_set_nd(_nd(np.zeros((3, 4))), _nd([1, 2]), _nd([[0, 2], [1, 3]]),
                                             shape=(4, 4)), r"_scatter_set_nd.*lhs"),
    (lambda: mx.nd._internal._backward_gather_nd(_nd(np.zeros(3)), _nd([[0, 1]]), _nd(np.zeros((3, 4)))),
     r"_backward_gather_nd.*ograd"),
    (lambda: mx.nd.batch_take(_nd(np.zeros(4)), _nd([0])), r"batch_take: a must have at least 2 dimensions"),
    (lambda: mx.nd.batch_take(_nd(np.zeros((3, 4))), _nd([0, 1])), r"one index per row .* \(3 rows\)"),
    (lambda: mx.nd.ravel_multi_index(_nd([[1, 2], [3, 4], [0, 0]]), shape=(7, 6)), r"one row per axis"),
    (lambda: mx.nd.ravel_multi_index(_nd([[1, 2], [3, 4]])), r"shape must be given"),
    (lambda: mx.nd.unravel_index(_nd([1, 2]), shape=(3, 0)), r"positive dimensions"),
    (lambda: mx.nd.scatter_nd(_nd([1, 2]), _nd([[0, 1]]), shape=(-2, 2)), r"scatter_nd: shape .* negative"),
    (lambda: mx.nd.scatter_nd(_nd([1, 2]), _nd([[0, 1]]), shape=(2 ** 40, 2 ** 40)), r"too many elements"),
    (lambda: mx.nd.diag(_nd([1, 2]), k=-2 ** 63), r"diag: k=.* too large"),
    (lambda: mx.nd.im2col(_nd(np.zeros((1, 1, 3, 3))), kernel=(2, 2), pad=(2 ** 62, 0)), r"overflow"),
])
def test_gather_scatter_bad_input(call, match):
    with pytest.raises(mx.MXNetError, match=match):
        call().wait_to_read()


# ---- space/depth and sliding blocks -------------------------------------------------------------

def test_depth_space_round_trip_and_col2im_is_im2col_adjoint():
    x = _nd(np.random.rand(2, 8, 3, 2))
    np.testing.assert_array_equal(mx.nd.space_to_depth(mx.nd.depth_to_space(x, 2), 2).asnumpy(), x.asnumpy())
    img, cols = np.random.rand(1, 2, 5, 5), np.random.rand(1, 18, 9)
    kw = {"kernel": (3, 3), "stride": (2, 2), "pad": (1, 1)}
    lhs = (mx.nd.im2col(_nd(img), **kw).asnumpy() * cols).sum()
    rhs = (img * mx.nd.col2im(_nd(cols), output_size=(5, 5), **kw).asnumpy()).sum()
    np.testing.assert_allclose(lhs, rhs, rtol=1e-5)


def test_im2col_one_and_three_spatial_axes():
    x = np.arange(14, dtype=np.float32).reshape(1, 2, 7)
    cols = mx.nd.im2col(_nd(x), kernel=(3,), stride=(2,)).asnumpy()
    assert cols.shape == (1, 6, 3)
    np.testing.assert_array_equal(cols[0, :3, 1], x[0, 0, 2:5])
    assert mx.nd.im2col(_nd(np.zeros((1, 1, 3, 4, 4))), kernel=(2, 2, 2)).shape == (1, 8, 18)


@pytest.mark.parametrize("call, match", [
    (lambda: mx.nd.depth_to_space(_nd(np.zeros((1, 8, 2, 3))), 3), r"depth_to_space: the channel axis \(8\)"),
    (lambda: mx.nd.depth_to_space(_nd(np.zeros((8, 2, 3))), 2), r"requires a 4-D"),
    (lambda: mx.nd.depth_to_space(_nd(np.zeros((1, 8, 2, 3))), 0), r"block_size must be a positive"),
    (lambda: mx.nd.space_to_depth(_nd(np.zeros((1, 2, 4, 6))), 4), r"space_to_depth: height 4 and width 6"),
    (lambda: mx.nd.space_to_depth(_nd(np.zeros((1, 1, 2, 2))), 2 ** 40), r"overflows|multiples"),
    (lambda: mx.nd.im2col(_nd(np.zeros((1, 2, 3, 4))), kernel=(4, 4)), r"dilated kernel \(4\) exceeds"),
    (lambda: mx.nd.im2col(_nd(np.zeros((1, 2, 3, 4))), kernel=(2, 2), stride=(0, 1)), r"stride .* >= 1"),
    (lambda: mx.nd.im2col(_nd(np.zeros((1, 2, 3, 4))), kernel=(2, 2, 2)), r"3 spatial axes|has 2 spatial"),
    (lambda: mx.nd.im2col(mx.nd.zeros((1, 2, 3, 4), dtype="int32"), kernel=(2, 2)), r"im2col supports float"),
    (lambda: mx.nd.col2im(_nd(np.zeros((1, 8, 6))), output_size=(3, 5), kernel=(2, 2)), r"6 block positions"),
    (lambda: mx.nd.col2im(_nd(np.zeros((1, 7, 6))), output_size=(3, 4), kernel=(2, 2)), r"multiple of the kernel"),
    (lambda: mx.nd._internal._backward_im2col(_nd(np.zeros((1, 8, 5))), _nd(np.zeros((1, 2, 3, 4))),
                                              kernel=(2, 2)), r"_backward_im2col.*ograd"),
])
def test_space_and_window_bad_input(call, match):
    with pytest.raises(mx.MXNetError, match=match):
        call().wait_to_read()


# ---- khatri_rao, linspace, split_v2 and the Python wrappers --------------------------------------

from minerva.ndarray.histogram import histogram as nd_histogram  # noqa: E402
from minerva.ndarray.linspace import linspace as nd_linspace  # noqa: E402
from minerva.ndarray.split_v2 import split_v2 as nd_split_v2  # noqa: E402
from minerva.symbol.histogram import histogram as sym_histogram  # noqa: E402
from minerva.symbol.linspace import linspace as sym_linspace  # noqa: E402
from minerva.symbol.split_v2 import split_v2 as sym_split_v2  # noqa: E402


def test_split_v2_wrapper_matches_numpy_split():
    x = np.arange(12, dtype=np.float32).reshape(2, 6)
    for spec in [3, (1, 4), (2, 2, 5)]:
        got = nd_split_v2(_nd(x), spec, axis=1)
        want = np.split(x, spec if isinstance(spec, int) else list(spec), axis=1)
        assert [g.shape for g in got] == [w.shape for w in want]
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g.asnumpy(), w)
    parts = nd_split_v2(_nd(x), 2, axis=0, squeeze_axis=True)
    assert [p.shape for p in parts] == [(6,), (6,)]
    with pytest.raises(ValueError, match="equal division"):
        nd_split_v2(_nd(x), 4, axis=1)
    with pytest.raises(ValueError, match="int or tuple"):
        nd_split_v2(_nd(x), [1, 2], axis=1)


def test_split_v2_symbol_and_gradient():
    s = sym_split_v2(mx.sym.var("x"), (2,), axis=-1)
    _, outs, _ = s.infer_shape(x=(3, 5))
    assert outs == [(3, 2), (3, 3)]
    x = _nd(np.random.rand(3,))
    x.attach_grad()
    with mx.autograd.record():
        parts = nd_split_v2(x, 3, axis=0, squeeze_axis=True)
    mx.autograd.backward(parts, [_nd([1.0]), _nd([2.0]), _nd([3.0])])
    np.testing.assert_array_equal(x.grad.asnumpy(), [1, 2, 3])


def test_linspace_wrappers():
    np.testing.assert_allclose(nd_linspace(2.0, 3.0, 5).asnumpy(), np.linspace(2.0, 3.0, 5), rtol=1e-6)
    got = nd_linspace(2.0, 3.0, 5, endpoint=False, dtype="float64")
    assert got.dtype == np.float64
    np.testing.assert_allclose(got.asnumpy(), np.linspace(2.0, 3.0, 5, endpoint=False))
    assert nd_linspace(0, 10, 4, dtype=np.int32).asnumpy().tolist() == [0, 3, 6, 10]
    assert nd_linspace(1, 2, 0).shape == (0,)
    _, outs, _ = sym_linspace(0, 1, 7).infer_shape()
    assert outs == [(7,)]
    with pytest.raises(mx.MXNetError, match="num"):
        nd_linspace(0, 1, -1)


def test_histogram_wrappers():
    a = _nd([0.1, 0.5, 0.9, 1.0, 1.5, -0.2])
    counts, edges = nd_histogram(a, bins=4, range=(0, 1))
    assert counts.asnumpy().tolist() == [1, 0, 1, 2] and edges.asnumpy().tolist() == [0, 0.25, 0.5, 0.75, 1]
    counts, edges = nd_histogram(a, bins=_nd([0, 0.25, 0.5, 2]))
    assert counts.asnumpy().tolist() == [1, 0, 4]
    with pytest.warns(UserWarning, match="range is not specified"):
        counts, edges = nd_histogram(a, bins=3)
    want_counts, want_edges = np.histogram(a.asnumpy(), bins=3)
    assert counts.dtype == np.float32 and counts.asnumpy().tolist() == want_counts.tolist()
    np.testing.assert_allclose(edges.asnumpy(), want_edges, rtol=1e-6)
    s = sym_histogram(mx.sym.var("a"), bins=5, range=(0, 1))
    _, outs, _ = s.infer_shape(a=(3, 4))
    assert outs == [(5,), (6,)]
    with pytest.raises(ValueError, match="null range"):
        sym_histogram(mx.sym.var("a"), bins=5)


@pytest.mark.parametrize("call, match", [
    (lambda: mx.nd.khatri_rao(_nd(np.ones((2, 2))), _nd(np.ones((3, 3)))), r"khatri_rao: input 1 has 3 columns"),
    (lambda: mx.nd.khatri_rao(_nd(np.ones(3)), _nd(np.ones(3))), r"khatri_rao: input 0 must be a matrix"),
    (lambda: mx.nd.khatri_rao(mx.nd.ones((2, 2), dtype="int32")), r"khatri_rao supports float"),
    (lambda: mx.nd._internal._split_v2(_nd(np.zeros((2, 6))), indices=(2, 3)), r"must start with 0"),
    (lambda: mx.nd._internal._split_v2(_nd(np.zeros((2, 6))), indices=(0, 4, 2)), r"must be sorted"),
    (lambda: mx.nd._internal._split_v2(_nd(np.zeros((2, 6))), indices=(0, 8)), r"index 8 is past the end"),
    (lambda: mx.nd._internal._split_v2(_nd(np.zeros((2, 6))), indices=(), sections=4), r"4 equal sections"),
    (lambda: mx.nd._internal._split_v2(_nd(np.zeros((2, 6))), indices=(), sections=2, squeeze_axis=True),
     r"squeeze_axis needs every output to have length 1"),
    (lambda: mx.nd._internal._split_v2(_nd(np.zeros((2, 6))), indices=(0,), axis=2), r"axis=2 is out of range"),
])
def test_khatri_rao_split_v2_bad_input(call, match):
    with pytest.raises(mx.MXNetError, match=match):
        out = call()
        for o in out if isinstance(out, list) else [out]:
            o.wait_to_read()


# ---- MXNet's own graphs ----------------------------------------------------------------------

_SYMBOLS = json.loads((pathlib.Path(__file__).resolve().parents[1] / "golden/symbols/tensor_extra.json").read_text())


@pytest.mark.parametrize("name", sorted(_SYMBOLS["cases"]))
def test_mxnet_symbol_json_loads_and_matches(name):
    case = _SYMBOLS["cases"][name]
    sym = mx.sym.load_json(case["json"])
    outs = sym.bind(mx.cpu(), {"x": _nd(_SYMBOLS["x"])}).forward()
    assert len(outs) == len(case["outputs"])
    for got, want, dtype in zip(outs, case["outputs"], case["dtypes"]):
        assert np.dtype(got.dtype).name == dtype, name
        np.testing.assert_allclose(got.asnumpy().astype(np.float64), np.array(want, dtype=np.float64),
                                   rtol=1e-5, atol=1e-6, err_msg=name)
