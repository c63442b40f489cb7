"""The IDX reader on files the test writes, valid and corrupt (shared/DATA.md's list)."""
import gzip
import struct

import minerva as mx
import numpy as np
import pytest
from minerva.io import read_idx


def write_idx(path, array, code=0x08, gz=False):
    dt = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    body = bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    body += array.astype(dt).tobytes()
    path.write_bytes(gzip.compress(body) if gz else body)
    return path


@pytest.mark.parametrize("count", [1, 7, 1000])
def test_uint8_round_trip(tmp_path, count):
    images = np.random.randint(0, 256, size=(count, 28, 28)).astype(np.uint8)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "img", images)), images)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "img.gz", images, gz=True)), images)


def test_big_endian_types(tmp_path):
    f32 = np.random.randn(3, 4).astype(np.float32)
    i32 = np.arange(-5, 5, dtype=np.int32)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "f", f32, code=0x0D)), f32)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "i", i32, code=0x0C)), i32)


def test_real_mnist_head_if_installed():
    import os
    root = os.path.join(os.environ.get("MINERVA_DATA", os.path.expanduser("~/.minerva/datasets")), "mnist")
    path = os.path.join(root, "t10k-labels-idx1-ubyte")
    if not os.path.exists(path):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing: make setup installs it")
        pytest.skip("MNIST not installed (make setup installs it)")
    labels = read_idx(path)
    assert labels.shape == (10000,)
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


@pytest.mark.parametrize("blob, message", [
    (b"", "shorter than the 4-byte IDX header"),
    (b"\x01\x00\x08\x01\x00\x00\x00\x01\x00", "bad magic"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x00", "unknown IDX type code"),
    (b"\x00\x00\x08\x00", "header says 0 dimensions"),
    (b"\x00\x00\x08\xff", "header says 255 dimensions"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", "truncated header"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x04\x01\x02", "truncated: header says 4"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x01\x01\x02", "trailing bytes"),
    (gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x01\x05")[:-6], "gzip"),
])
def test_corrupt_files_are_clear_errors(tmp_path, blob, message):
    path = tmp_path / "bad-idx"
    path.write_bytes(blob)
    with pytest.raises(mx.MXNetError, match=message):
        read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(mx.MXNetError, match="cannot open"):
        read_idx(tmp_path / "nope")
