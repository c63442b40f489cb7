"""mx.nd.NDArray semantics: operators, indexing, views, conversions, contexts."""
import minerva as mx
import numpy as np
import pytest
from minerva.test_utils import assert_almost_equal


def test_binary_operators_broadcast_and_scalars():
    a = mx.nd.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = mx.nd.array([[10.0, 20.0, 30.0]])
    an, bn = a.asnumpy(), b.asnumpy()
    assert_almost_equal(a + b, an + bn)
    assert_almost_equal(a - b, an - bn)
    assert_almost_equal(a * b, an * bn)
    assert_almost_equal(a / b, an / bn)
    assert_almost_equal(a ** 2, an ** 2)
    assert_almost_equal(2 ** a, 2 ** an)
    assert_almost_equal(1 - a, 1 - an)
    assert_almost_equal(6 / a, 6 / an)
    assert_almost_equal(a % 4, an % 4)
    assert_almost_equal(-a, -an)
    assert_almost_equal(abs(-a), an)


def test_comparisons_give_zero_one_arrays():
    a = mx.nd.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal((a > 2).asnumpy(), [0, 0, 1])
    np.testing.assert_array_equal((a <= 2).asnumpy(), [1, 1, 0])
    np.testing.assert_array_equal((a == mx.nd.array([1.0, 0.0, 3.0])).asnumpy(), [1, 0, 1])


def test_inplace_operators_keep_the_array():
    a = mx.nd.array([1.0, 2.0])
    handle = a.handle
    a += 1
    a *= mx.nd.array([2.0, 3.0])
    assert a.handle == handle
    np.testing.assert_array_equal(a.asnumpy(), [4, 9])


def test_reflected_operators_with_numpy():
    a = mx.nd.array([1.0, 2.0])
    res = a + np.array([1.0, 1.0], dtype=np.float32)
    assert isinstance(res, mx.nd.NDArray)
    np.testing.assert_array_equal(res.asnumpy(), [2, 3])


def test_integer_index_and_slice_are_views():
    a = mx.nd.array(np.arange(12).reshape(3, 4))
    row = a[1]
    np.testing.assert_array_equal(row.asnumpy(), [4, 5, 6, 7])
    row[:] = 0
    np.testing.assert_array_equal(a.asnumpy()[1], [0, 0, 0, 0])
    part = a[1:3]
    part[:] = 7
    assert (a.asnumpy()[1:] == 7).all()


def test_one_d_index_gives_shape_one():
    a = mx.nd.array([5.0, 6.0])
    assert a[1].shape == (1,)
    assert a[1].asscalar() == 6.0


def test_general_indexing_and_assignment():
    base = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    a = mx.nd.array(base)
    np.testing.assert_array_equal(a[1, 1:3].asnumpy(), base[1, 1:3])
    np.testing.assert_array_equal(a[:, :, 2].asnumpy(), base[:, :, 2])
    np.testing.assert_array_equal(a[mx.nd.array([1, 0])].asnumpy(), base[[1, 0]])
    a[0, 1, 2] = 100
    base[0, 1, 2] = 100
    np.testing.assert_array_equal(a.asnumpy(), base)
    a[1] = mx.nd.ones((3, 4))
    base[1] = 1
    np.testing.assert_array_equal(a.asnumpy(), base)


def test_index_out_of_range_is_index_error():
    a = mx.nd.zeros((2, 3))
    with pytest.raises(IndexError):
        a[5]
    with pytest.raises(IndexError):
        a[0, 9]


def test_reshape_view_and_special_values():
    a = mx.nd.array(np.arange(24).reshape(2, 3, 4))
    assert a.reshape((6, 4)).shape == (6, 4)
    assert a.reshape(-1, 4).shape == (6, 4)
    assert a.reshape((0, -1)).shape == (2, 12)
    assert a.reshape((-3, 4)).shape == (6, 4)
    v = a.reshape((24,))
    v[:] = 1
    assert a.asnumpy().sum() == 24
    with pytest.raises(mx.MXNetError):
        a.reshape((5, 5))


def test_conversions_and_properties():
    a = mx.nd.array([[1.5, 2.5]], dtype="float64")
    assert a.dtype == np.float64
    assert a.size == 2 and a.ndim == 2
    assert a.astype("int32").dtype == np.int32
    np.testing.assert_array_equal(a.astype(np.int32).asnumpy(), [[1, 2]])
    assert a.T.shape == (2, 1)
    assert np.asarray(a).shape == (1, 2)
    assert float(mx.nd.array([3.0])) == 3.0
    c = a.copy()
    c[:] = 0
    assert a.asnumpy().sum() == 4.0
    assert "NDArray 1x2 @cpu(0)" in repr(a)


def test_copyto_and_distinct_cpu_contexts():
    a = mx.nd.array([1.0, 2.0], ctx=mx.cpu(0))
    b = a.as_in_context(mx.cpu(1))
    assert b.context == mx.cpu(1)
    np.testing.assert_array_equal(b.asnumpy(), [1, 2])
    with pytest.raises(mx.MXNetError, match="one device"):
        (a + b).wait_to_read()
    dst = mx.nd.zeros((2,))
    a.copyto(dst)
    np.testing.assert_array_equal(dst.asnumpy(), [1, 2])


def test_gpu_is_a_clear_error():
    with pytest.raises(mx.MXNetError, match="without CUDA"):
        mx.nd.zeros((2,), ctx=mx.gpu(0))


def test_every_dtype_round_trips():
    for dt in [np.float32, np.float64, np.float16, np.uint8, np.int8, np.int32, np.int64, np.bool_]:
        src = np.array([[0, 1], [1, 0]], dtype=dt)
        a = mx.nd.array(src, dtype=dt)
        assert a.dtype == dt
        np.testing.assert_array_equal(a.asnumpy(), src)


def test_creation_functions():
    assert mx.nd.zeros((2, 3)).asnumpy().sum() == 0
    assert mx.nd.ones((2, 3), dtype="int32").dtype == np.int32
    np.testing.assert_array_equal(mx.nd.full((2,), 7).asnumpy(), [7, 7])
    np.testing.assert_array_equal(mx.nd.arange(0, 5, 2).asnumpy(), [0, 2, 4])
    assert mx.nd.empty((3, 1)).shape == (3, 1)


def test_generated_functions_accept_mxnet_calling_conventions():
    x = mx.nd.array([[-2.0, 0.5, 3.0]])
    np.testing.assert_allclose(mx.nd.clip(x, -1, 1).asnumpy(), [[-1, 0.5, 1]])
    np.testing.assert_allclose(mx.nd.clip(x, a_min=-1, a_max=1).asnumpy(), [[-1, 0.5, 1]])
    np.testing.assert_allclose(mx.nd.sum(x, axis=1).asnumpy(), [1.5])
    np.testing.assert_allclose(x.sum().asnumpy(), [1.5])
    np.testing.assert_allclose(mx.nd.concat(x, x, dim=0).asnumpy(), np.concatenate([x.asnumpy()] * 2))
    out = mx.nd.zeros((1, 3))
    mx.nd.relu(x, out=out)
    np.testing.assert_allclose(out.asnumpy(), [[0, 0.5, 3]])


def test_fully_connected_against_numpy():
    x = np.random.randn(4, 5).astype(np.float32)
    w = np.random.randn(3, 5).astype(np.float32)
    b = np.random.randn(3).astype(np.float32)
    y = mx.nd.FullyConnected(mx.nd.array(x), mx.nd.array(w), mx.nd.array(b), num_hidden=3)
    assert_almost_equal(y, x @ w.T + b, rtol=1e-5, atol=1e-5)
    y2 = mx.nd.FullyConnected(data=mx.nd.array(x), weight=mx.nd.array(w), no_bias=True, num_hidden=3)
    assert_almost_equal(y2, x @ w.T, rtol=1e-5, atol=1e-5)


def test_waitall_and_storage_stats():
    import json

    from minerva._capi import ffi, lib
    a = mx.nd.ones((256, 256))
    for _ in range(10):
        a = a + 1
    mx.nd.waitall()
    out = ffi.new("const char**")
    assert lib.MVStorageGetStats(out) == 0
    stats = json.loads(ffi.string(out[0]))
    assert stats["bytes_in_use"] > 0 and stats["peak_bytes"] >= stats["bytes_in_use"]


def test_strided_slice_assignment_matches_numpy():
    a = mx.nd.zeros((3, 4, 5))
    b = np.zeros((3, 4, 5), dtype=np.float32)
    a[1:, ::2, 3] = mx.nd.ones((2, 2)) * 4
    b[1:, ::2, 3] = 4
    a[:, 1:3] = mx.nd.arange(5)
    b[:, 1:3] = np.arange(5)
    a[2, ::-1, 0] = mx.nd.array([1, 2, 3, 4])
    b[2, ::-1, 0] = [1, 2, 3, 4]
    a[1, 2, 3] = 9
    b[1, 2, 3] = 9
    a[0, :, 1:4] = np.full((4, 3), 2.5)
    b[0, :, 1:4] = 2.5
    np.testing.assert_array_equal(a.asnumpy(), b)


def test_inputs_that_depend_on_parameters_fill_in_order_as_in_mxnet():
    # MXNet passes the given arrays in signature order: RNN's sequence_length may follow state
    # positionally when mode='gru' has no state_cell.
    x, h = mx.nd.ones((3, 2, 4)), mx.nd.zeros((1, 2, 5))
    params = mx.nd.ones((3 * 5 * (4 + 5 + 2),)) * 0.1
    lengths = mx.nd.array([3, 2])
    by_position = mx.nd.RNN(x, params, h, lengths, state_size=5, num_layers=1, mode="gru", use_sequence_length=True)
    by_name = mx.nd.RNN(x, params, h, sequence_length=lengths, state_size=5, num_layers=1, mode="gru",
                        use_sequence_length=True)
    np.testing.assert_array_equal(by_position.asnumpy(), by_name.asnumpy())
    assert np.all(by_position.asnumpy()[2, 1] == 0)  # the second sequence ends after 2 steps
    with pytest.raises(TypeError, match=r"missing input\(s\) \['state'\]"):
        mx.nd.RNN(x, params, state_size=5, num_layers=1, mode="gru")
    # An array too many is an error, as in MXNet, not silently dropped.
    with pytest.raises(TypeError, match=r"FullyConnected\(\) takes 2 input\(s\).*got 3 arrays"):
        mx.nd.FullyConnected(mx.nd.ones((2, 3)), mx.nd.ones((4, 3)), mx.nd.ones((4,)), num_hidden=4, no_bias=True)
