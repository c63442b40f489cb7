"""The IDX format of MNIST and Fashion-MNIST: raw or gzipped, validated before allocating.

Layout: two zero bytes, a type code, the number of dimensions, one big-endian uint32 per
dimension, then the row-major, big-endian payload."""
from __future__ import annotations

import gzip
import os
import zlib

import numpy as np

from ..base import MinervaIOError

_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
          0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
MAX_NDIM = 4


_CHUNK = 1 << 20


def _open(path: str):
    """The file, or a streaming gzip reader over it when it starts with the gzip magic."""
    try:
        f = open(path, "rb")
    except OSError as e:
        raise MinervaIOError(f"{path}: cannot open file: {e.strerror}") from None
    if f.read(2) == b"\x1f\x8b":  # gzip, whatever the file is called
        f.seek(0)
        return gzip.GzipFile(fileobj=f, mode="rb"), f
    f.seek(0)
    return f, f


def _read_at_most(stream, path: str, n: int) -> bytes:
    """Up to n bytes, decompressed in bounded chunks: memory follows the bytes really there."""
    out = bytearray()
    try:
        while len(out) < n:
            chunk = stream.read(min(_CHUNK, n - len(out)))
            if not chunk:
                break
            out += chunk
    except (OSError, EOFError, zlib.error) as e:
        raise MinervaIOError(f"{path}: corrupt or truncated gzip stream ({e})") from None
    return bytes(out)


def _read_bytes(path: str, limit: int) -> bytes:
    """The file's bytes, gunzipped when gzipped; more than `limit` bytes is an error raised before
    decompressing further (so a small gzip bomb cannot fill memory)."""
    stream, raw = _open(path)
    with raw, stream:
        data = _read_at_most(stream, path, limit + 1)
    if len(data) > limit:
        raise MinervaIOError(f"{path}: holds more than {limit} bytes (after decompression), more than this "
                             "format can hold; refusing to read further")
    return data


def _idx_header(name: str, head: bytes) -> tuple:
    """(dtype, dims) from the 4-byte prefix and the dimensions, checking every field."""
    if len(head) < 4:
        raise MinervaIOError(f"{name}: file has {len(head)} bytes, shorter than the 4-byte IDX header")
    if head[0] != 0 or head[1] != 0:
        raise MinervaIOError(f"{name}: bad magic: the first two bytes must be zero, got {head[0]:#x} {head[1]:#x}")
    code, ndim = head[2], head[3]
    if code not in _TYPES:
        raise MinervaIOError(f"{name}: unknown IDX type code {code:#04x}; expected one of "
                             + ", ".join(f"{c:#04x}" for c in _TYPES))
    if not 1 <= ndim <= MAX_NDIM:
        raise MinervaIOError(f"{name}: header says {ndim} dimensions; expected 1 to {MAX_NDIM}")
    return _TYPES[code], ndim


def _read_idx_parts(path) -> tuple:
    """(header bytes, dtype, dims, payload): the header is read first, then exactly the payload it
    promises; a shorter or longer file is an error, and no more than the promise plus one byte is
    ever decompressed (a gzip bomb stops there)."""
    path = os.fspath(path)
    name = os.path.basename(path)
    stream, raw = _open(path)
    with raw, stream:
        head = _read_at_most(stream, name, 4)
        dtype, ndim = _idx_header(name, head)
        header = 4 + 4 * ndim
        dims_bytes = _read_at_most(stream, name, 4 * ndim)
        if len(dims_bytes) < 4 * ndim:
            raise MinervaIOError(f"{name}: truncated header: {ndim} dimensions need {header} bytes, "
                                 f"file has {4 + len(dims_bytes)}")
        dims = [int.from_bytes(dims_bytes[4 * i:4 * i + 4], "big") for i in range(ndim)]
        if any(d == 0 for d in dims):
            raise MinervaIOError(f"{name}: header has a zero dimension {tuple(dims)}")
        expected = int(np.prod(dims, dtype=object)) * dtype.itemsize
        payload = _read_at_most(stream, name, expected + 1)
    got = len(payload)
    if got != expected:
        what = "truncated" if got < expected else "has trailing bytes"
        shown = f"{got}" if got <= expected else f"more than {expected}"
        raise MinervaIOError(f"{name}: {what}: header says {'x'.join(map(str, dims))} = {expected} bytes, "
                             f"file has {shown}")
    return head + dims_bytes, dtype, dims, payload


def read_idx_bytes(path) -> bytes:
    """The IDX file's bytes (gunzipped when gzipped), validated as read_idx validates them."""
    header, _, _, payload = _read_idx_parts(path)
    return header + payload


def read_idx(path) -> np.ndarray:
    """Reads an IDX file into a native-endian numpy array, checking every field first."""
    _, dtype, dims, payload = _read_idx_parts(path)
    return np.frombuffer(payload, dtype=dtype).reshape(dims).astype(dtype.newbyteorder("="))
