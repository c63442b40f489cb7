"""``mx.io.LibSVMIter``: batches from LibSVM text files with zero-based, sorted column indices.
MXNet returns the data as CSR arrays; Minerva arrays are dense, so the same values come dense."""
from __future__ import annotations

import numpy as np

from ..base import MinervaIOError, MinervaValueError
from .mx_data_iter import LoaderIter, batch_shape, label_row_shape, read_sources, warn_unknown

__all__ = ["LibSVMIter"]

_EOL = b"\n\r"


def _record_begin(raw: bytes, pos: int) -> int:
    """Where dmlc's line splitter starts reading from byte pos: after the end of the line that
    holds pos (a line starting exactly at pos belongs to the part before)."""
    n = len(raw)
    while pos < n and raw[pos] not in _EOL:
        pos += 1
    pos += 1
    while pos < n and raw[pos] in _EOL:
        pos += 1
    return min(pos, n)


def part_bytes(raw: bytes, num_parts: int, part_index: int) -> bytes:
    """The lines of part ``part_index`` of ``num_parts``, split by bytes as MXNet (dmlc) does:
    the parts are not guaranteed to hold equal numbers of lines."""
    size = len(raw)
    step = (size + num_parts - 1) // num_parts
    begin, end = min(step * part_index, size), min(step * (part_index + 1), size)
    if begin != 0:
        begin = _record_begin(raw, begin)
    if end != size:
        end = _record_begin(raw, end)
    return raw[begin:end] if begin < end else b""


def parse_libsvm(raw: bytes, fname: str, width: int):
    """(labels, dense rows) of LibSVM text: each line ``label idx:value idx:value ...``."""
    labels, rows = [], []
    for lineno, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        fields = line.split()
        if not fields:
            continue
        row = np.zeros(width, dtype=np.float32)
        try:
            labels.append(float(fields[0]))
            for item in fields[1:]:
                col, _, value = item.partition(":")
                col = int(col)
                if not 0 <= col < width:
                    raise MinervaValueError(f"LibSVMIter: {fname} line {lineno}: column {col} is out of range for "
                                            f"a row of {width} values (indices are zero-based)")
                row[col] = float(value)
        except ValueError as e:
            if isinstance(e, MinervaValueError):
                raise
            raise MinervaValueError(f"LibSVMIter: {fname} line {lineno}: cannot parse '{line.strip()}' as "
                                    "'label index:value ...'") from None
        rows.append(row)
    return labels, rows


def read_libsvm(path, width: int, name: str, num_parts: int, part_index: int):
    labels, rows = [], []
    sources = read_sources(path, "LibSVMIter", name)
    raw = b"".join(r if r.endswith(b"\n") or not r else r + b"\n" for _, r in sources)
    fname = sources[0][0] if len(sources) == 1 else path
    lab, row = parse_libsvm(part_bytes(raw, num_parts, part_index), fname, width)
    labels += lab
    rows += row
    if not rows:
        raise MinervaIOError(f"LibSVMIter: {path} (part {part_index} of {num_parts}) holds no records")
    return np.asarray(labels, dtype=np.float32), np.stack(rows)


class LibSVMIter(LoaderIter):
    """Batches of the rows of ``data_libsvm`` as dense float32 arrays of ``data_shape``; labels
    are each line's first value, or, with ``label_libsvm``, the rows of that file
    (``label_shape``). ``num_parts``/``part_index`` read one byte-range part, as in MXNet.
    MXNet's LibSVMIter supports only ``round_batch=True`` and float32."""

    def __init__(self, data_libsvm, data_shape, batch_size, label_libsvm="NULL", label_shape=(1,), num_parts=1,
                 part_index=0, round_batch=True, prefetch_buffer=4, ctx="gpu", dtype=None, data_name="data",
                 label_name="softmax_label", **kwargs):
        super().__init__(None, data_name, label_name)
        warn_unknown("LibSVMIter", kwargs)
        if dtype not in (None, "None", "float32"):
            raise MinervaValueError(f"LibSVMIter: dtype {dtype} is not supported (MXNet reads float32 only)")
        if int(batch_size) <= 0:
            raise MinervaValueError(f"LibSVMIter: batch_size must be positive, got {batch_size}")
        if not round_batch:
            raise MinervaValueError("LibSVMIter: only round_batch=True is supported (as in MXNet)")
        if not 0 <= int(part_index) < int(num_parts):
            raise MinervaValueError(f"LibSVMIter: part_index must be in [0, num_parts={num_parts}), got {part_index}")
        data_shape = batch_shape(data_shape, "LibSVMIter", "data_shape")
        label_shape = batch_shape(label_shape, "LibSVMIter", "label_shape")
        if len(data_shape) != 1 or len(label_shape) != 1:
            raise MinervaValueError(f"LibSVMIter: data_shape and label_shape must have one dimension, got "
                                    f"{data_shape} and {label_shape}")
        labels, data = read_libsvm(data_libsvm, data_shape[0], "data_libsvm", int(num_parts), int(part_index))
        if label_libsvm is None or str(label_libsvm) == "NULL":
            label = labels
        else:
            _, label = read_libsvm(label_libsvm, label_shape[0], "label_libsvm", int(num_parts), int(part_index))
            if label.shape[0] < data.shape[0]:
                raise MinervaValueError(f"LibSVMIter: label_libsvm has {label.shape[0]} records, data_libsvm has "
                                        f"{data.shape[0]}")
            label = label[:data.shape[0]].reshape((-1,) + label_row_shape(label_shape))
        self._setup("LibSVMIter", data, label, int(batch_size), True, np.float32)
