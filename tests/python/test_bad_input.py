"""Bad input gets a clear MXNetError naming the problem — never a crash or a hang (one test
per category of the issue: handles, shapes, dtypes, operators, parameters, indices, files)."""
import minerva as mx
import numpy as np
import pytest
from minerva._capi import ffi, lib
from minerva.base import check_call


def test_null_handle():
    with pytest.raises(mx.MXNetError, match="NULL"):
        check_call(lib.MVNDArrayWaitToRead(ffi.NULL))


def test_freed_handle_is_detected(tmp_path):
    import subprocess
    import sys
    code = ("import minerva as mx\nfrom minerva._capi import ffi, lib\nfrom minerva.base import check_call\n"
            "h = ffi.new('MVNDArrayHandle*')\ns = ffi.new('int64_t[]', [2])\n"
            "check_call(lib.MVNDArrayCreate(s, 1, 0, 1, 0, h))\ncheck_call(lib.MVNDArrayFree(h[0]))\n"
            "try:\n    check_call(lib.MVNDArrayWaitToRead(h[0]))\nexcept mx.MXNetError as e:\n    print('ERR', e)\n")
    env = dict(__import__("os").environ, MINERVA_DEBUG_HANDLES="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "freed NDArray handle" in out.stdout


def test_wrong_handle_kind():
    from minerva import _op
    params = _op.params_for("relu", {})
    with pytest.raises(mx.MXNetError, match="expected a NDArray handle"):
        check_call(lib.MVNDArrayWaitToRead(ffi.cast("MVNDArrayHandle", params.handle)))


def test_shape_mismatch_names_operator_and_shapes():
    with pytest.raises(mx.MXNetError, match=r"elemwise_add.*\(2, 3\).*\(3, 2\)|elemwise_add.*\(3, 2\).*\(2, 3\)"):
        mx.nd.elemwise_add(mx.nd.zeros((2, 3)), mx.nd.zeros((3, 2)))
    with pytest.raises(mx.MXNetError, match="FullyConnected"):
        mx.nd.FullyConnected(mx.nd.zeros((2, 3)), mx.nd.zeros((4, 5)), mx.nd.zeros((4,)), num_hidden=4)


def test_wrong_dtype_mix():
    with pytest.raises(mx.MXNetError, match="dtype"):
        mx.nd.elemwise_add(mx.nd.zeros((2,), dtype="float32"), mx.nd.zeros((2,), dtype="float64"))
    with pytest.raises(TypeError, match="dtype"):
        mx.nd.zeros((2,), dtype="complex64")


def test_unknown_operator():
    from minerva import _op
    with pytest.raises(mx.MXNetError, match="unknown operator 'FullyConected'.*FullyConnected"):
        _op.op_handle("FullyConected")


def test_unknown_and_malformed_parameters():
    x = mx.nd.zeros((2, 3))
    with pytest.raises(mx.MXNetError, match="unknown parameter 'num_hiden'.*num_hidden"):
        mx.nd.FullyConnected(x, mx.nd.zeros((4, 3)), mx.nd.zeros((4,)), num_hidden=4, num_hiden=3)
    with pytest.raises(mx.MXNetError, match="num_hidden.*expects an integer.*'ten'"):
        mx.nd.FullyConnected(x, mx.nd.zeros((4, 3)), mx.nd.zeros((4,)), num_hidden="ten")
    with pytest.raises(mx.MXNetError, match="act_type"):
        mx.nd.Activation(x, act_type="swishy")
    with pytest.raises(mx.MXNetError, match="required parameter 'num_hidden'"):
        mx.nd.FullyConnected(x, mx.nd.zeros((4, 3)), mx.nd.zeros((4,)))


def test_out_of_range_indices():
    a = mx.nd.array([1.0, 2.0, 3.0])
    with pytest.raises(IndexError):
        a[3]
    with pytest.raises(mx.MXNetError):
        a._slice(2, 7)
    with pytest.raises(mx.MXNetError, match="out of"):
        mx.nd.take(a, mx.nd.array([5]), mode="raise").wait_to_read()


def test_async_error_surfaces_at_wait_with_operator_name():
    a = mx.nd.array([1.0, 2.0, 3.0])
    bad = mx.nd.take(a, mx.nd.array([7]), mode="raise")
    with pytest.raises(mx.MXNetError, match="take"):
        bad.asnumpy()
    # The failure stays with that array; the rest of the system keeps working.
    assert (a + 1).asnumpy().tolist() == [2, 3, 4]
    with pytest.raises(mx.MXNetError, match="take"):
        (bad + 1).wait_to_read()
    try:
        mx.nd.waitall()
    except mx.MXNetError:
        pass
    mx.nd.waitall()


def test_corrupt_and_truncated_files(tmp_path):
    good = tmp_path / "good.params"
    mx.nd.save(str(good), [mx.nd.array(np.arange(10, dtype=np.float32))])
    data = good.read_bytes()
    cases = {"empty": b"", "bad_magic": b"\x00" * len(data), "truncated_header": data[:12],
             "truncated_data": data[:-8]}
    for name, blob in cases.items():
        p = tmp_path / f"{name}.params"
        p.write_bytes(blob)
        with pytest.raises(mx.MXNetError):
            mx.nd.load(str(p))
    with pytest.raises(mx.MXNetError, match="missing.params|No such file|cannot open"):
        mx.nd.load(str(tmp_path / "missing.params"))


def test_wrong_input_count_and_type():
    with pytest.raises(mx.MXNetError, match="expects 2 input"):
        mx.nd.elemwise_add(mx.nd.zeros((2,)))
    with pytest.raises(TypeError, match="NDArray"):
        mx.nd.relu([1, 2, 3])
