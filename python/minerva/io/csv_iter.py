"""``mx.io.CSVIter``: batches from CSV files of numbers (MXNet 1.x's C++ iterator, in Python)."""
from __future__ import annotations

import numpy as np

from ..base import MinervaIOError, MinervaValueError
from .mx_data_iter import LoaderIter, batch_shape, label_row_shape, read_sources, warn_unknown

__all__ = ["CSVIter"]

_DTYPES = {None: np.float32, "None": np.float32, "float32": np.float32, "int32": np.int32, "int64": np.int64}


def read_csv_rows(path, width: int, dtype, name: str) -> np.ndarray:
    """Every non-empty line of the CSV file(s) as a row of ``width`` numbers."""
    rows = []
    parse = float if np.dtype(dtype).kind == "f" else int
    for fname, raw in read_sources(path, "CSVIter", name):
        for lineno, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            fields = line.split(",")
            if len(fields) != width:
                raise MinervaValueError(f"CSVIter: {fname} line {lineno} has {len(fields)} values, but the "
                                        f"{name.replace('_csv', '_shape')} needs {width}")
            try:
                rows.append([parse(f) for f in fields])
            except ValueError:
                raise MinervaValueError(f"CSVIter: {fname} line {lineno}: '{line}' is not {width} "
                                        f"{np.dtype(dtype).name} numbers") from None
    if not rows:
        raise MinervaIOError(f"CSVIter: {path} holds no records")
    return np.asarray(rows, dtype=dtype)


class CSVIter(LoaderIter):
    """Batches of the rows of ``data_csv`` (a file or a directory of files), each reshaped to
    ``data_shape``, with labels from ``label_csv`` (zeros when it is 'NULL'). ``round_batch``
    as in MXNet (Note [round_batch] in mx_data_iter.py). dtype: float32 (default), int32 or
    int64, as MXNet allows."""

    def __init__(self, data_csv, data_shape, batch_size, label_csv="NULL", label_shape=(1,), round_batch=True,
                 prefetch_buffer=4, ctx="gpu", dtype=None, data_name="data", label_name="softmax_label",
                 **kwargs):
        super().__init__(None, data_name, label_name)
        warn_unknown("CSVIter", kwargs)
        if dtype not in _DTYPES:
            raise MinervaValueError(f"CSVIter: dtype {dtype} is not supported for CSVIter "
                                    "(expected None, 'float32', 'int32' or 'int64')")
        if int(batch_size) <= 0:
            raise MinervaValueError(f"CSVIter: batch_size must be positive, got {batch_size}")
        dtype = _DTYPES[dtype]
        data_shape = batch_shape(data_shape, "CSVIter", "data_shape")
        label_shape = batch_shape(label_shape, "CSVIter", "label_shape")
        data = read_csv_rows(data_csv, int(np.prod(data_shape)), dtype, "data_csv").reshape((-1,) + data_shape)
        if label_csv is None or str(label_csv) == "NULL":
            label = np.zeros((data.shape[0],) + label_row_shape(label_shape), dtype=dtype)
        else:
            label = read_csv_rows(label_csv, int(np.prod(label_shape)), dtype, "label_csv")
            label = label.reshape((-1,) + label_row_shape(label_shape))
            if label.shape[0] < data.shape[0]:
                raise MinervaValueError(f"CSVIter: label_csv has {label.shape[0]} records, data_csv has "
                                        f"{data.shape[0]}")
            label = label[:data.shape[0]]
        self._setup("CSVIter", data, label, int(batch_size), round_batch, dtype)
