"""``MXDataIter``: the class of the iterators MXNet implements in C++ (``MNISTIter``,
``CSVIter``, ``LibSVMIter``), and the batch loader they share.

Note [round_batch]
MXNet's batch loader fills a batch row by row from its source. When the source runs out in the
middle of a batch and ``round_batch`` is on, it rewinds the source, fills the rest from the
start and reports those rows as ``pad``; the epoch then ends, and the next ``reset()`` does
*not* rewind again, so the next epoch continues after the rows already used. With
``round_batch`` off, the last batch keeps the previous batch's rows in its unfilled slots and
reports them as ``pad``."""
from __future__ import annotations

import os
import warnings

import numpy as np

from .. import ndarray as nd
from ..base import MinervaIOError, MinervaValueError
from .io import DataBatch, DataDesc, DataIter

__all__ = ["MXDataIter"]


class MXDataIter(DataIter):
    """An iterator whose batches come from a loader rather than from arrays given in Python.
    ``debug_skip_load()`` makes it return its first batch forever (for timing the rest)."""

    def __init__(self, handle, data_name: str = "data", label_name: str = "softmax_label", **_):
        super().__init__()
        self.handle = handle
        self._data_name = data_name
        self._label_name = label_name
        self._debug_skip_load = False
        self._debug_at_begin = True
        self._batch = None

    def debug_skip_load(self) -> None:
        self._debug_skip_load = True
        print("Set debug_skip_load to be true, will simply return first batch")

    def next(self) -> DataBatch:
        if self._debug_skip_load and not self._debug_at_begin:
            return DataBatch(data=self.getdata(), label=self.getlabel(), pad=self.getpad(), index=self.getindex())
        self._debug_at_begin = False
        if self.iter_next():
            return DataBatch(data=self.getdata(), label=self.getlabel(), pad=self.getpad(), index=self.getindex())
        raise StopIteration

    def reset(self) -> None:
        self._debug_at_begin = True


class BatchLoader:
    """Batches of rows (arrays of shape (N, ...)) as MXNet's C++ batch loader makes them, with
    its round_batch rule (Note [round_batch]). Each batch is (rows, pad, row indices)."""

    def __init__(self, what: str, columns: list, batch_size: int, round_batch: bool):
        self.what = what
        self.columns = columns
        self.count = columns[0].shape[0]
        self.batch_size = batch_size
        self.round_batch = bool(round_batch)
        self.cursor = 0
        self.num_overflow = 0
        self.buffers = [np.zeros((batch_size,) + c.shape[1:], dtype=c.dtype) for c in columns]
        self.index = np.zeros(batch_size, dtype=np.uint64)

    def _take(self, top: int) -> None:
        for buf, col in zip(self.buffers, self.columns):
            buf[top] = col[self.cursor]
        self.index[top] = self.cursor
        self.cursor += 1

    def next(self):
        if self.num_overflow:
            return None  # the epoch ended in a wrapped batch; wait for reset()
        top = 0
        while top < self.batch_size and self.cursor < self.count:
            self._take(top)
            top += 1
        if top == 0:
            return None
        pad = 0
        if top < self.batch_size:
            if self.round_batch:
                self.cursor = 0
                while top < self.batch_size:
                    if self.cursor >= self.count:
                        raise MinervaValueError(f"{self.what}: batch_size {self.batch_size} is larger than the "
                                                f"{self.count} records twice over; round_batch cannot fill a batch")
                    self._take(top)
                    top += 1
                    self.num_overflow += 1
                pad = self.num_overflow
            else:
                pad = self.batch_size - top  # the unfilled slots keep the previous batch's rows
        return [b.copy() for b in self.buffers], pad, self.index.copy()

    def reset(self) -> None:
        if not self.round_batch or self.num_overflow == 0:
            self.cursor = 0
        else:
            self.num_overflow = 0


class LoaderIter(MXDataIter):
    """An MXDataIter over a BatchLoader of (data, label) rows."""

    def _setup(self, what: str, data: np.ndarray, label: np.ndarray, batch_size: int, round_batch: bool,
               dtype) -> None:
        self.batch_size = batch_size
        self._dtype = dtype
        self._loader = BatchLoader(what, [data, label], batch_size, round_batch)

    @property
    def provide_data(self):
        return [DataDesc(self._data_name, (self.batch_size,) + self._loader.columns[0].shape[1:], self._dtype)]

    @property
    def provide_label(self):
        return [DataDesc(self._label_name, (self.batch_size,) + self._loader.columns[1].shape[1:], self._dtype)]

    def reset(self) -> None:
        super().reset()
        self._loader.reset()

    def iter_next(self) -> bool:
        self._batch = self._loader.next()
        return self._batch is not None

    def getdata(self):
        return [nd.array(self._batch[0][0], dtype=self._dtype)]

    def getlabel(self):
        return [nd.array(self._batch[0][1], dtype=self._dtype)]

    def getindex(self):
        return self._batch[2]

    def getpad(self) -> int:
        return self._batch[1]


def batch_shape(shape, what: str, name: str) -> tuple:
    try:
        shape = tuple(int(d) for d in shape)
    except TypeError:
        raise TypeError(f"{what}: {name} must be a tuple of ints, got {shape!r}") from None
    if not shape or any(d <= 0 for d in shape):
        raise MinervaValueError(f"{what}: {name} must be a non-empty tuple of positive sizes, got {shape}")
    return shape


def label_row_shape(label_shape: tuple) -> tuple:
    """A label of one value per record is batched as (batch,), as MXNet does."""
    return () if int(np.prod(label_shape)) == 1 else label_shape


def read_sources(path, what: str, name: str) -> list:
    """(file name, bytes) of a file, or of every file in a directory (sorted by name)."""
    path = os.fspath(path)
    if os.path.isdir(path):
        files = sorted(os.path.join(path, f) for f in os.listdir(path) if os.path.isfile(os.path.join(path, f)))
        if not files:
            raise MinervaIOError(f"{what}: {name} '{path}' is a directory with no files")
    elif os.path.isfile(path):
        files = [path]
    else:
        raise MinervaIOError(f"{what}: {name} '{path}': no such file or directory")
    out = []
    for f in files:
        with open(f, "rb") as fh:
            out.append((f, fh.read()))
    return out


def warn_unknown(what: str, kwargs: dict) -> None:
    """MXNet passes unknown arguments to its C++ iterators, which ignore them; say so here."""
    if kwargs:
        warnings.warn(f"{what}: ignoring unknown arguments {sorted(kwargs)}", stacklevel=3)
