"""The tensor operators added for MXNet 1.x parity: output dtypes as MXNet 1.9.1 gives them (the
golden cases in tests/golden/ops/tensor_extra.json check values and gradients), symbolic use,
and clear errors for bad axes, shapes and indices."""
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
