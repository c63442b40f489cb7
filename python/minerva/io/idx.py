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


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise MinervaIOError(f"{path}: cannot open IDX file: {e.strerror}") from None
    if raw[:2] == b"\x1f\x8b":  # gzip, whatever the file is called
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise MinervaIOError(f"{path}: corrupt or truncated gzip stream ({e})") from None
    return raw


def read_idx(path: str) -> np.ndarray:
    """Reads an IDX file into a native-endian numpy array, checking every field first."""
    data = _read_bytes(os.fspath(path))
    name = os.path.basename(path)
    if len(data) < 4:
        raise MinervaIOError(f"{name}: file has {len(data)} bytes, shorter than the 4-byte IDX header")
    if data[0] != 0 or data[1] != 0:
        raise MinervaIOError(f"{name}: bad magic: the first two bytes must be zero, got {data[0]:#x} {data[1]:#x}")
    code, ndim = data[2], data[3]
    if code not in _TYPES:
        raise MinervaIOError(f"{name}: unknown IDX type code {code:#04x}; expected one of "
                             + ", ".join(f"{c:#04x}" for c in _TYPES))
    if not 1 <= ndim <= MAX_NDIM:
        raise MinervaIOError(f"{name}: header says {ndim} dimensions; expected 1 to {MAX_NDIM}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise MinervaIOError(f"{name}: truncated header: {ndim} dimensions need {header} bytes, file has {len(data)}")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    if any(d == 0 for d in dims):
        raise MinervaIOError(f"{name}: header has a zero dimension {tuple(dims)}")
    dtype = _TYPES[code]
    expected = int(np.prod(dims, dtype=object)) * dtype.itemsize
    got = len(data) - header
    if got != expected:
        what = "truncated" if got < expected else "has trailing bytes"
        raise MinervaIOError(f"{name}: {what}: header says {'x'.join(map(str, dims))} = {expected} bytes, "
                             f"file has {got}")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))
