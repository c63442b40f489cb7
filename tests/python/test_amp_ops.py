"""amp_cast and amp_multicast output dtypes and gradients, as MXNet 1.9.1 gives them (values are in
tests/golden/ops/amp.json; the dtypes below were read from the oracle)."""
import minerva as mx
import numpy as np
import pytest

F16, F32, F64, I32, U8 = "float16", "float32", "float64", "int32", "uint8"


@pytest.mark.parametrize("src, target, expected", [
    (F16, F32, F32), (F32, F16, F16), (F16, I32, I32), (F32, F64, F64),
    (F64, F16, F64), (F64, F32, F64), (I32, F16, I32), (U8, F32, U8),
])
def test_amp_cast_casts_only_float16_and_float32(src, target, expected):
    out = mx.nd.amp_cast(mx.nd.ones((2,), dtype=src), dtype=target)
    assert np.dtype(out.dtype).name == expected


@pytest.mark.parametrize("narrow, a, b, expected", [
    (False, F16, F16, [F16, F16]), (False, F16, F32, [F32, F32]), (False, F16, F64, [F16, F64]),
    (False, F64, F16, [F64, F64]), (False, I32, F16, [I32, I32]), (False, F64, F32, [F64, F32]),
    (True, F32, F32, [F32, F32]), (True, F16, F32, [F16, F16]), (True, F64, F16, [F64, F16]),
    (True, I32, F32, [I32, F32]), (True, U8, F16, [U8, F16]),
])
def test_amp_multicast_common_type_is_mxnets(narrow, a, b, expected):
    outs = mx.nd.amp_multicast(mx.nd.ones((2,), dtype=a), mx.nd.ones((3,), dtype=b), num_outputs=2,
                               cast_narrow=narrow)
    assert [np.dtype(o.dtype).name for o in outs] == expected
    assert [o.shape for o in outs] == [(2,), (3,)]


def test_gradients_come_back_in_the_input_dtype():
    x = mx.nd.array([0.5, -1.0], dtype=F16)
    y = mx.nd.array([2.0], dtype=F32)
    x.attach_grad()
    y.attach_grad()
    with mx.autograd.record():
        a, b = mx.nd.amp_multicast(x, y, num_outputs=2)
        loss = (a * 3).sum() + (b * 2).sum()
    loss.backward()
    assert x.grad.dtype == np.float16 and y.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.asnumpy(), [3, 3])
    np.testing.assert_allclose(y.grad.asnumpy(), [2])


def test_bad_input_is_a_clear_error():
    with pytest.raises(mx.base.MXNetError, match="dtype 'bfloat16' is not supported"):
        mx.nd.amp_cast(mx.nd.ones((2,)), dtype="bfloat16").wait_to_read()
    with pytest.raises(mx.base.MXNetError, match="parameter 'dtype' expects one of"):
        mx.nd.amp_cast(mx.nd.ones((2,)), dtype="complex64")
    with pytest.raises(mx.base.MXNetError, match="amp_multicast expects 2 input"):
        mx.nd.amp_multicast(mx.nd.ones((2,)), num_outputs=2)
