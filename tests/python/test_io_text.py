"""mx.io.CSVIter and LibSVMIter on files the tests write: what bad files and arguments raise,
and the MXDataIter behaviour they share. Their batches, epoch after epoch, are compared with
MXNet 1.9.1 in test_io_order.py."""
import minerva as mx
import numpy as np
import pytest


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_csviter_errors(tmp_path):
    data = write(tmp_path, "d.csv", "1,2,3\n4,5,6\n")
    with pytest.raises(mx.base.MXNetError, match=r"d.csv line 1 has 3 values, but the data_shape needs 2"):
        mx.io.CSVIter(data_csv=data, data_shape=(2,), batch_size=1)
    with pytest.raises(mx.base.MXNetError, match="no such file or directory"):
        mx.io.CSVIter(data_csv=str(tmp_path / "missing.csv"), data_shape=(3,), batch_size=1)
    with pytest.raises(mx.base.MXNetError, match="dtype float64 is not supported for CSVIter"):
        mx.io.CSVIter(data_csv=data, data_shape=(3,), batch_size=1, dtype="float64")
    with pytest.raises(mx.base.MXNetError, match="batch_size must be positive"):
        mx.io.CSVIter(data_csv=data, data_shape=(3,), batch_size=0)
    with pytest.raises(mx.base.MXNetError, match="data_shape must be a non-empty tuple of positive sizes"):
        mx.io.CSVIter(data_csv=data, data_shape=(3, 0), batch_size=1)
    bad = write(tmp_path, "bad.csv", "1,x,3\n")
    with pytest.raises(mx.base.MXNetError, match="line 1: '1,x,3' is not 3 float32 numbers"):
        mx.io.CSVIter(data_csv=bad, data_shape=(3,), batch_size=1)
    short = write(tmp_path, "l.csv", "1\n")
    with pytest.raises(mx.base.MXNetError, match="label_csv has 1 records, data_csv has 2"):
        mx.io.CSVIter(data_csv=data, data_shape=(3,), label_csv=short, batch_size=1)
    with pytest.raises(mx.base.MXNetError, match="batch_size 5 is larger than the 2 records twice over"):
        mx.io.CSVIter(data_csv=data, data_shape=(3,), batch_size=5).next()
    with pytest.warns(UserWarning, match=r"ignoring unknown arguments \['shuffle'\]"):
        mx.io.CSVIter(data_csv=data, data_shape=(3,), batch_size=1, shuffle=True)


def test_libsvmiter_errors(tmp_path):
    data = write(tmp_path, "d.t", "1 0:1 3:2\n")
    with pytest.raises(mx.base.MXNetError, match="column 3 is out of range for a row of 3 values"):
        mx.io.LibSVMIter(data_libsvm=data, data_shape=(3,), batch_size=1)
    bad = write(tmp_path, "bad.t", "1 0-1\n")
    with pytest.raises(mx.base.MXNetError, match="cannot parse '1 0-1'"):
        mx.io.LibSVMIter(data_libsvm=bad, data_shape=(3,), batch_size=1)
    with pytest.raises(mx.base.MXNetError, match="part_index must be in"):
        mx.io.LibSVMIter(data_libsvm=data, data_shape=(4,), batch_size=1, num_parts=2, part_index=2)
    with pytest.raises(mx.base.MXNetError, match="only round_batch=True"):
        mx.io.LibSVMIter(data_libsvm=data, data_shape=(4,), batch_size=1, round_batch=False)
    with pytest.raises(mx.base.MXNetError, match="dtype int32 is not supported"):
        mx.io.LibSVMIter(data_libsvm=data, data_shape=(4,), batch_size=1, dtype="int32")
    with pytest.raises(mx.base.MXNetError, match="must have one dimension"):
        mx.io.LibSVMIter(data_libsvm=data, data_shape=(2, 2), batch_size=1)
    with pytest.raises(mx.base.MXNetError, match="holds no records"):
        mx.io.LibSVMIter(data_libsvm=write(tmp_path, "empty.t", "\n"), data_shape=(4,), batch_size=1)


def test_dense_values_and_mxdataiter_behaviour(tmp_path):
    data = write(tmp_path, "d.t", "1 0:0.5 2:1.5\n2\n3 1:-1\n")
    it = mx.io.LibSVMIter(data_libsvm=data, data_shape=(3,), batch_size=2)
    assert isinstance(it, mx.io.MXDataIter)
    b = it.next()
    np.testing.assert_array_equal(b.data[0].asnumpy(), [[0.5, 0, 1.5], [0, 0, 0]])
    np.testing.assert_array_equal(b.label[0].asnumpy(), [1, 2])
    it.reset()
    it.debug_skip_load()
    first = it.next().data[0].asnumpy()
    for _ in range(5):  # the first batch, forever
        np.testing.assert_array_equal(it.next().data[0].asnumpy(), first)
