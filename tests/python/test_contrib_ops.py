"""The contrib operators beyond their golden values (tests/golden/ops/contrib.json): where Minerva
deliberately differs from MXNet 1.9.1, input lists that depend on parameters, aliases, and the
errors on bad input."""
import re

import minerva as mx
import numpy as np
import pytest

_internal = mx.nd._internal


def test_roialign_ignores_rois_with_a_negative_batch_index():
    # MXNet leaves such rows unwritten (and its CPU kernel then corrupts another row); Minerva gives zeros
    # and leaves the other rows as they are without the ignored one.
    data = mx.nd.array(np.arange(2 * 3 * 6 * 7, dtype=np.float32).reshape(2, 3, 6, 7))
    rois = np.array([[0, 1.0, 1.5, 9.0, 7.0], [-1, 0, 0, 3, 4], [1, 0.0, 0.0, 3.0, 4.0]], np.float32)
    out = _internal._contrib_ROIAlign(data, mx.nd.array(rois), pooled_size=(2, 3), spatial_scale=0.5).asnumpy()
    alone = _internal._contrib_ROIAlign(data, mx.nd.array(rois[[0, 2]]), pooled_size=(2, 3), spatial_scale=0.5)
    assert np.all(out[1] == 0)
    np.testing.assert_allclose(out[[0, 2]], alone.asnumpy())


def test_psroipooling_gives_zeros_and_no_gradient_for_a_negative_batch_index():
    data = mx.nd.array(np.arange(2 * 8 * 5 * 5, dtype=np.float32).reshape(2, 8, 5, 5))
    data.attach_grad()
    with mx.autograd.record():
        out = _internal._contrib_PSROIPooling(data, mx.nd.array([[-1, 0, 0, 3, 3], [1, 0, 0, 3, 3]]),
                                              spatial_scale=1.0, output_dim=2, pooled_size=2)
    out.backward(mx.nd.ones_like(out))
    assert np.all(out.asnumpy()[0] == 0) and np.all(out.asnumpy()[1] > 0)
    assert data.grad.asnumpy()[0].sum() == 0 and data.grad.asnumpy()[1].sum() == 8  # each bin's weights sum to 1


def test_bilinear_resize_takes_like_only_in_like_mode():
    s = _sym_op("_contrib_BilinearResize2D")(mx.sym.var("x"), mx.sym.var("y"), mode="like")
    assert s.list_arguments() == ["x", "y"]
    s = _sym_op("_contrib_BilinearResize2D")(mx.sym.var("x"), height=4, width=5)
    assert s.list_arguments() == ["x"]
    _, out_shapes, _ = s.infer_shape(x=(1, 2, 3, 3))
    assert out_shapes == [(1, 2, 4, 5)]


def test_box_nms_alias_and_hidden_record_output():
    rows = mx.nd.array([[[0, 0.9, 0, 0, 2, 2], [0, 0.8, 0.1, 0.1, 2, 2], [0, 0.5, 5, 5, 6, 6]]])
    a = _internal._contrib_box_nms(rows, overlap_thresh=0.5)
    b = _internal._contrib_box_non_maximum_suppression(rows, overlap_thresh=0.5)
    assert isinstance(a, mx.nd.NDArray)  # the row record of the gradient stays hidden, as in MXNet
    np.testing.assert_array_equal(a.asnumpy(), b.asnumpy())
    np.testing.assert_array_equal(a.asnumpy()[0, 2], [-1] * 6)


def test_index_copy_gradients():
    old, new = mx.nd.zeros((4, 2)), mx.nd.ones((2, 2))
    old.attach_grad()
    new.attach_grad()
    with mx.autograd.record():
        out = _internal._contrib_index_copy(old, mx.nd.array([3, 1]), new)
    out.backward(mx.nd.array(np.arange(8, dtype=np.float32).reshape(4, 2)))
    np.testing.assert_array_equal(old.grad.asnumpy(), [[0, 1], [0, 0], [4, 5], [0, 0]])
    np.testing.assert_array_equal(new.grad.asnumpy(), [[6, 7], [2, 3]])


def _sym_op(name):
    return getattr(mx.sym._internal, name)


def _drain_async_errors():
    # An error raised inside the engine is reported at the next wait on the array and once more by
    # waitall; consume it here so it does not surface in a later, unrelated test.
    try:
        mx.nd.waitall()
    except mx.base.MXNetError:
        pass


def _force(result):
    for r in result if isinstance(result, list) else [result]:
        r.wait_to_read()


@pytest.mark.parametrize("call, message", [
    (lambda: _internal._contrib_BilinearResize2D(mx.nd.ones((2, 3, 4)), height=2, width=2),
     "input 'data' must be 4-D"),
    (lambda: _internal._contrib_BilinearResize2D(mx.nd.ones((1, 1, 2, 2)), mode="odd_scale"),
     "mode 'odd_scale' needs scale_height"),
    (lambda: _internal._contrib_BilinearResize2D(mx.nd.ones((1, 1, 2, 2)), mode="bicubic"),
     "parameter 'mode' expects one of"),
    (lambda: _internal._contrib_AdaptiveAvgPooling2D(mx.nd.ones((1, 1, 4, 4)), output_size=(1, 2, 3)),
     "output_size must hold 1 or 2 values"),
    (lambda: _internal._contrib_box_nms(mx.nd.ones((2, 5)), coord_start=3), "coord_start (needs 4 columns) = 3"),
    (lambda: _internal._contrib_box_iou(mx.nd.ones((2, 4)), mx.nd.ones((2, 3))), "last dimension of 'rhs' must be 4"),
    (lambda: _internal._contrib_index_copy(mx.nd.ones((3, 2)), mx.nd.array([5]), mx.nd.ones((1, 2))),
     "index 5 is out of range for old_tensor with 3 rows"),
    (lambda: _internal._contrib_index_copy(mx.nd.ones((3, 2)), mx.nd.array([0]), mx.nd.ones((1, 3))),
     "shape mismatch for input 'new_tensor'"),
    (lambda: _internal._contrib_interleaved_matmul_selfatt_qk(mx.nd.ones((3, 2, 10)), heads=4),
     "10 channels, which is not a multiple of 3 * heads = 12"),
    (lambda: _internal._contrib_interleaved_matmul_selfatt_valatt(mx.nd.ones((3, 2, 12)), mx.nd.ones((4, 3, 2)),
                                                                  heads=2),
     "shape mismatch for input 'attention'"),
    (lambda: _internal._contrib_ROIAlign(mx.nd.ones((1, 1, 4, 4)), mx.nd.ones((2, 4)), pooled_size=(2, 2),
                                         spatial_scale=1.0), "rois must have shape (num_rois, 5)"),
    (lambda: _internal._contrib_ROIAlign(mx.nd.ones((1, 1, 4, 4)), mx.nd.array([[0, 0, 0, 1e12, 1e12]]),
                                         pooled_size=(2, 2), spatial_scale=1.0), "too large or not finite"),
    (lambda: _internal._contrib_arange_like(mx.nd.ones((2, 3)), axis=2), "axis"),
    (lambda: _internal._contrib_BilinearResize2D(mx.nd.ones((1, 1, 2, 2)), scale_height=1e30, scale_width=1.0),
     "scale_height = 1e+30 gives an output size out of range"),
    (lambda: _internal._contrib_ROIAlign(mx.nd.ones((1, 1, 4, 4)), mx.nd.array([[0, 0, 0, 2, 2]]), pooled_size=(2, 2),
                                         spatial_scale=1.0, sample_ratio=10 ** 9), "sample_ratio = 1000000000 exceeds"),
    (lambda: _internal._contrib_MultiBoxTarget(mx.nd.ones((1, 2, 4)), mx.nd.array([[[-1, 0, 0, 0, 0]]]),
                                               mx.nd.ones((1, 2, 2))),
     "has class -1 (padding) but box value 0 at column 1"),
    (lambda: _internal._contrib_MultiBoxDetection(mx.nd.ones((1, 2, 3)), mx.nd.ones((1, 8)), mx.nd.ones((1, 3, 4))),
     "shape mismatch for input 1 (loc_pred"),
    (lambda: _internal._contrib_bipartite_matching(mx.nd.ones((3,)), threshold=0.1), "at least 2-D"),
])
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(mx.base.MXNetError, match=re.escape(message)):
        _force(call())
    _drain_async_errors()
