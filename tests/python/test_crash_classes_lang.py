"""Issue 12, Python rows: bad input gives a Python error, never a crash or unbounded memory.

F11 the IDX reader decompresses only what the header promises (gzip bombs stop at once);
F17 params names that are not UTF-8 or hold a NUL are refused naming the file and the entry, and
advanced indexing out of range raises IndexError as in MXNet 1.9.1 and NumPy;
Deliver 4: creating and dropping arrays and symbols in a loop keeps memory flat."""
import gzip
import os
import struct
import time
import tracemalloc

import numpy as np
import pytest

import minerva as mx
from minerva.base import MinervaIOError
from minerva.gluon.data.vision import datasets
from minerva.io import read_idx


def _gz(path, payload: bytes):
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(payload)
    return path


# ---- F11: decompression bounded by the header's promise ------------------------------------

def test_idx_gzip_bomb_stops_after_the_promised_bytes(tmp_path):
    # A header promising 4 uint8 values, then 256 MiB of zeros: about 250 KB gzipped.
    path = tmp_path / "bomb-idx1-ubyte.gz"
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(b"\x00\x00\x08\x01" + struct.pack(">I", 4) + b"\x01\x02\x03\x04")
        zeros = bytes(1 << 20)
        for _ in range(256):
            f.write(zeros)
    assert os.path.getsize(path) < 2 << 20
    tracemalloc.start()
    try:
        with pytest.raises(MinervaIOError, match=r"bomb-idx1-ubyte.gz: has trailing bytes: header says 4 = 4 bytes"):
            read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"reading the bomb allocated {peak} bytes"


def test_idx_header_promising_more_than_the_file_holds(tmp_path):
    # 2^32-1 x 2^32-1 x 255 promised, 3 bytes present: an error, and no allocation of the promise.
    path = _gz(tmp_path / "huge.gz", b"\x00\x00\x08\x03" + b"\xff\xff\xff\xff" * 2 + struct.pack(">I", 255) + b"abc")
    with pytest.raises(MinervaIOError, match=r"huge.gz: truncated: header says 4294967295x4294967295x255 = \d+ bytes, "
                                             r"file has 3"):
        read_idx(path)


def test_idx_valid_gzip_and_raw_files_still_read(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    payload = b"\x00\x00\x08\x03" + b"".join(struct.pack(">I", d) for d in images.shape) + images.tobytes()
    (tmp_path / "raw").write_bytes(payload)
    np.testing.assert_array_equal(read_idx(tmp_path / "raw"), images)
    np.testing.assert_array_equal(read_idx(_gz(tmp_path / "img.gz", payload)), images)
    # Two gzip members (a concatenated .gz) are one stream, as gzip(1) reads them.
    with open(tmp_path / "two.gz", "wb") as f:
        f.write(gzip.compress(payload[:10]) + gzip.compress(payload[10:]))
    np.testing.assert_array_equal(read_idx(tmp_path / "two.gz"), images)


def test_cifar_reader_stops_at_the_largest_cifar_file(tmp_path, monkeypatch):
    # CIFAR batches have no header: the bound is the largest CIFAR file (50,000 records).
    monkeypatch.setattr(datasets, "_CIFAR_MAX_RECORDS", 2)
    path = _gz(tmp_path / "data_batch_1.bin", bytes(3073 * 3))
    with pytest.raises(MinervaIOError, match=r"data_batch_1.bin: holds more than 6146 bytes"):
        datasets._read_cifar(str(path), 3073, (("label", 10),))
    ok = _gz(tmp_path / "test_batch.bin", bytes(3073 * 2))
    images, labels = datasets._read_cifar(str(ok), 3073, (("label", 10),))
    assert images.shape == (2, 32, 32, 3) and labels.shape == (2, 1)


def test_wikitext_archive_declaring_too_much_is_not_extracted(tmp_path, monkeypatch):
    # zipfile stops each member at its declared size; the declared total is checked before writing.
    import zipfile

    from minerva.gluon.contrib.data import text
    monkeypatch.setattr(text, "_MAX_EXTRACTED_BYTES", 1000)
    with zipfile.ZipFile(tmp_path / "wikitext-2-v1.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("wikitext-2/wiki.test.tokens", "a b c\n" * 400)
    with pytest.raises(MinervaIOError, match=r"wikitext-2-v1.zip: its members declare 2400 bytes in all, more than"):
        text.WikiText2(root=str(tmp_path), segment="test", seq_len=3)
    assert not (tmp_path / "wiki.test.tokens").exists()


# ---- F17: names in params files --------------------------------------------------------------

def _file_with_name(tmp_path, raw_name: bytes):
    mx.nd.save(str(tmp_path / "ok.params"), {"abc": mx.nd.array([1, 2, 3])})
    raw = (tmp_path / "ok.params").read_bytes()
    bad = raw.replace(struct.pack("<Q", 3) + b"abc", struct.pack("<Q", len(raw_name)) + raw_name)
    path = tmp_path / "bad.params"
    path.write_bytes(bad)
    return path


@pytest.mark.parametrize("raw_name, why", [
    (b"a\xffc", r"name 0 is not valid UTF-8 \(byte 0xFF at offset 1\)"),
    (b"a\x00c", r"name 0 holds a NUL byte at offset 1"),
    (b"\xc0\x80", r"name 0 is not valid UTF-8 \(byte 0xC0 at offset 0\)"),
])
def test_load_refuses_names_that_are_not_utf8_text(tmp_path, raw_name, why):
    # MXNet 1.9.1 raises a bare UnicodeDecodeError for 0xFF and silently truncates at a NUL ("a").
    path = _file_with_name(tmp_path, raw_name)
    with pytest.raises(MinervaIOError, match=f"bad.params'?: {why}; array names must be UTF-8 text"):
        mx.nd.load(str(path))
    with pytest.raises(MinervaIOError, match=f"buffer: {why}"):
        mx.nd.load_frombuffer(path.read_bytes())


def test_save_refuses_a_nul_in_a_name(tmp_path):
    x = mx.nd.ones((2,))
    with pytest.raises(ValueError, match=r"name 'a\\x00c' holds a NUL character"):
        mx.nd.save(str(tmp_path / "n.params"), {"a\x00c": x, "a": x})
    assert not (tmp_path / "n.params").exists()
    names = {"é": x, "日本": x, "😀": x}
    mx.nd.save(str(tmp_path / "u.params"), names)
    assert list(mx.nd.load(str(tmp_path / "u.params"))) == list(names)


# ---- F17: advanced indexing out of range ----------------------------------------------------

@pytest.mark.parametrize("key", [[10, 20], [1, 7], [-6], np.array([1, 9]), np.array([[0], [5]])])
def test_reading_out_of_range_indices_raises_index_error(key):
    # MXNet 1.9.1: IndexError "index 20 is out of bounds for axis 0 with size 5"; it used to clamp.
    x = mx.nd.arange(5)
    first_bad = next(int(i) for i in np.asarray(key).ravel() if not -5 <= i < 5)
    with pytest.raises(IndexError, match=f"index {first_bad} is out of bounds for axis 0 with size 5"):
        x[key]
    with pytest.raises(IndexError, match=f"index {first_bad} is out of bounds for axis 0 with size 5"):
        x[mx.nd.array(np.asarray(key))].asnumpy()


@pytest.mark.parametrize("key", [[0, 4, -1, -5], [[1, 2], [-2, 0]], np.array([3, 3, 0])])
def test_reading_in_range_indices_matches_numpy(key):
    data = np.arange(20, dtype=np.float32).reshape(5, 4)
    x = mx.nd.array(data)
    np.testing.assert_array_equal(x[key].asnumpy(), data[np.asarray(key)])
    np.testing.assert_array_equal(x[mx.nd.array(np.asarray(key))].asnumpy(), data[np.asarray(key)])


def test_ndarray_index_gradient_scatters_back():
    x = mx.nd.arange(5)
    x.attach_grad()
    with mx.autograd.record():
        y = x[mx.nd.array([1, -1, 1])]
    y.backward()
    np.testing.assert_array_equal(x.grad.asnumpy(), [0, 2, 0, 0, 1])


# ---- Deliver 4: memory flat under discard loops ---------------------------------------------

def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc (Linux)")
def test_create_and_discard_arrays_and_symbols_keeps_memory_flat():
    # 50,000 arrays (with an operator call each) and 50,000 symbols, dropped at once. After a
    # warm-up (pools, caches), RSS may grow by at most 24 MiB: a leak of one 4 KiB array per
    # iteration would be 200 MiB, one of 500 bytes 24 MiB.
    def churn(n):
        for _ in range(n):
            a = mx.nd.ones((32, 32))
            b = a * 2
            s = mx.sym.FullyConnected(mx.sym.Variable("x"), num_hidden=4, name="fc")
            del a, b, s
        mx.nd.waitall()

    churn(5000)
    before = _rss_bytes()
    start = time.monotonic()
    churn(50_000)
    grown = _rss_bytes() - before
    assert time.monotonic() - start < 300
    assert grown < 24 << 20, f"RSS grew by {grown / 2**20:.1f} MiB over 50,000 create/discard rounds"
