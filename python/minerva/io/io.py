"""MXNet 1.x's data-iterator protocol: ``DataDesc``, ``DataBatch``, ``DataIter`` and the
in-memory ``NDArrayIter``, plus the ``ResizeIter`` and ``PrefetchingIter`` wrappers."""
from __future__ import annotations

import threading
from collections import OrderedDict, namedtuple

import numpy as np

from .. import ndarray as nd
from ..base import MinervaValueError
from ..ndarray import NDArray

__all__ = ["DataBatch", "DataDesc", "DataIter", "NDArrayIter", "PrefetchingIter", "ResizeIter"]


class DataDesc(namedtuple("DataDesc", ["name", "shape"])):
    """Name and shape of one input (a tuple, as in MXNet), with its dtype and layout."""

    def __new__(cls, name, shape, dtype=np.float32, layout="NCHW"):
        ret = super().__new__(cls, name, tuple(shape))
        ret.dtype = dtype
        ret.layout = layout
        return ret

    def __repr__(self) -> str:
        return f"DataDesc[{self.name},{self.shape},{self.dtype},{self.layout}]"

    @staticmethod
    def get_batch_axis(layout) -> int:
        """The position of 'N' in the layout; 0 when the layout is None."""
        return 0 if layout is None else layout.find("N")

    @staticmethod
    def get_list(shapes, types):
        """DataDescs from (name, shape) pairs and optional (name, dtype) pairs."""
        if types is None:
            return [DataDesc(name, shape) for name, shape in shapes]
        types = dict(types)
        return [DataDesc(name, shape, types[name]) for name, shape in shapes]


class DataBatch:
    """One batch: lists of data and label arrays, the number of padding samples, and indices."""

    def __init__(self, data, label=None, pad=None, index=None, bucket_key=None,
                 provide_data=None, provide_label=None):
        if data is not None and not isinstance(data, (list, tuple)):
            raise TypeError(f"DataBatch: data must be a list of NDArrays, got {type(data).__name__}")
        if label is not None and not isinstance(label, (list, tuple)):
            raise TypeError(f"DataBatch: label must be a list of NDArrays, got {type(label).__name__}")
        self.data = data
        self.label = label
        self.pad = pad
        self.index = index
        self.bucket_key = bucket_key
        self.provide_data = provide_data
        self.provide_label = provide_label

    def __str__(self) -> str:
        data = [d.shape for d in self.data] if self.data else None
        label = [x.shape for x in self.label] if self.label else None
        return f"{type(self).__name__}: data shapes: {data} label shapes: {label}"


class DataIter:
    """Base class of iterators: ``next()`` returns a DataBatch or raises StopIteration;
    ``reset()`` goes back to the start. Subclasses implement either ``next`` or the
    ``iter_next``/``getdata``/``getlabel``/``getindex``/``getpad`` group."""

    def __init__(self, batch_size: int = 0):
        self.batch_size = batch_size

    def __iter__(self):
        return self

    def reset(self) -> None:
        pass

    def next(self) -> DataBatch:
        if self.iter_next():
            return DataBatch(data=self.getdata(), label=self.getlabel(), pad=self.getpad(), index=self.getindex())
        raise StopIteration

    def __next__(self) -> DataBatch:
        return self.next()

    def iter_next(self) -> bool:
        return False

    def getdata(self):
        return None

    def getlabel(self):
        return None

    def getindex(self):
        return None

    def getpad(self):
        return 0


def _init_data(data, allow_empty: bool, default_name: str):
    """Canonical form of NDArrayIter's inputs: a list of (name, NDArray) pairs."""
    if data is None:
        if not allow_empty:
            raise MinervaValueError("NDArrayIter: data must not be None")
        data = []
    if isinstance(data, (np.ndarray, NDArray)):
        data = [data]
    if isinstance(data, (list, tuple)):
        if not data and not allow_empty:
            raise MinervaValueError("NDArrayIter: data must not be an empty list")
        if len(data) == 1:
            data = OrderedDict([(default_name, data[0])])
        else:
            data = OrderedDict((f"_{i}_{default_name}", d) for i, d in enumerate(data))
    if not isinstance(data, dict):
        raise TypeError("NDArrayIter: input must be an NDArray, a numpy.ndarray, a list of them or a dict "
                        f"of name to array, got {type(data).__name__}")
    out = []
    for name, value in data.items():
        if not isinstance(value, NDArray):
            try:
                value = nd.array(value)
            except Exception as e:  # noqa: BLE001  (any conversion failure is a type error here)
                raise TypeError(f"NDArrayIter: input '{name}' cannot be converted to an NDArray: {e}") from None
        out.append((name, value))
    return out


class NDArrayIter(DataIter):
    """Iterates over in-memory arrays in batches (MXNet 1.x semantics).

    ``last_batch_handle``: 'pad' fills the last batch with samples from the start and reports
    their number as ``pad``; 'discard' drops an incomplete last batch; 'roll_over' keeps the
    remainder and puts it first in the next epoch's first batch (after ``reset()``).
    ``shuffle`` permutes the samples with numpy's global generator at creation and at every
    ``reset()``/``hard_reset()``, in the same order as MXNet under the same ``np.random.seed``.
    Batches are sliced along the layout's 'N' axis (the samples are counted on axis 0, as in MXNet)."""

    def __init__(self, data, label=None, batch_size: int = 1, shuffle: bool = False,
                 last_batch_handle: str = "pad", data_name: str = "data", label_name: str = "softmax_label",
                 layout: str = "NCHW"):
        super().__init__(batch_size)
        if last_batch_handle not in ("pad", "discard", "roll_over"):
            raise MinervaValueError(f"NDArrayIter: last_batch_handle must be 'pad', 'discard' or 'roll_over', "
                                    f"got {last_batch_handle!r}")
        if int(batch_size) <= 0:
            raise MinervaValueError(f"NDArrayIter: batch_size must be positive, got {batch_size}")
        self.data = _init_data(data, allow_empty=False, default_name=data_name)
        self.label = _init_data(label, allow_empty=True, default_name=label_name)
        self.num_data = self.data[0][1].shape[0]
        for name, arr in self.data + self.label:
            if arr.shape[0] != self.num_data:
                raise MinervaValueError(f"NDArrayIter: '{name}' has {arr.shape[0]} samples, "
                                        f"'{self.data[0][0]}' has {self.num_data}")
        self.idx = np.arange(self.num_data)
        self.shuffle = shuffle
        self.last_batch_handle = last_batch_handle
        self.batch_size = int(batch_size)
        self.layout = layout
        self.cursor = -self.batch_size
        self._cache_data = None
        self._cache_label = None
        self.reset()

    def _descs(self, pairs):
        axis = self.layout.find("N")
        return [DataDesc(k, v.shape[:axis] + (self.batch_size,) + v.shape[axis + 1:], v.dtype, layout=self.layout)
                for k, v in pairs]

    @property
    def provide_data(self):
        return self._descs(self.data)

    @property
    def provide_label(self):
        return self._descs(self.label)

    def hard_reset(self) -> None:
        """Goes back to the start, dropping any rolled-over samples."""
        if self.shuffle:
            self._shuffle_data()
        self.cursor = -self.batch_size
        self._cache_data = None
        self._cache_label = None

    def reset(self) -> None:
        if self.shuffle:
            self._shuffle_data()
        if self.last_batch_handle == "roll_over" and self.num_data - self.batch_size < self.cursor < self.num_data:
            self.cursor = self.cursor - self.num_data - self.batch_size
        else:
            self.cursor = -self.batch_size

    def iter_next(self) -> bool:
        self.cursor += self.batch_size
        return self.cursor < self.num_data

    def next(self) -> DataBatch:
        if not self.iter_next():
            raise StopIteration
        data = self.getdata()
        label = self.getlabel()
        if data[0].shape[self.layout.find("N")] != self.batch_size:  # roll_over's remainder waits for the next epoch
            self._cache_data = data
            self._cache_label = label
            raise StopIteration
        return DataBatch(data=data, label=label, pad=self.getpad(), index=None)

    def _slice(self, source, start: int, end: int):
        axis = self.layout.find("N")
        if axis == 0:
            return [arr[start:end] for _, arr in source]  # views, no copy
        return [nd.slice_axis(arr, axis=axis, begin=start, end=end) for _, arr in source]

    def _batchify(self, source, cache):
        if not source:
            return []
        n, bs, cur = self.num_data, self.batch_size, self.cursor
        if self.last_batch_handle == "roll_over" and -bs < cur < 0:
            if cache is None:
                raise MinervaValueError("NDArrayIter: the next epoch should have rolled-over data; call reset()")
            rest = self._slice(source, 0, cur + bs)
            return [nd.concat(a, b, dim=self.layout.find("N")) for a, b in zip(cache, rest)]
        if self.last_batch_handle == "pad" and cur + bs > n:
            pad = cur + bs - n
            parts = [self._slice(source, cur, n)]
            while pad > 0:  # the data may be shorter than the padding: repeat it
                take = min(pad, n)
                parts.append(self._slice(source, 0, take))
                pad -= take
            axis = self.layout.find("N")
            return [nd.concat(*cols, dim=axis) if len(cols) > 1 else cols[0] for cols in zip(*parts)]
        return self._slice(source, cur, min(cur + bs, n))

    def getdata(self):
        if self.cursor >= self.num_data:
            raise MinervaValueError("NDArrayIter: the iterator is exhausted; call reset()")
        out = self._batchify(self.data, self._cache_data)
        self._cache_data = None
        return out

    def getlabel(self):
        out = self._batchify(self.label, self._cache_label)
        self._cache_label = None
        return out

    def getpad(self) -> int:
        if self.last_batch_handle == "pad" and self.cursor + self.batch_size > self.num_data:
            return self.cursor + self.batch_size - self.num_data
        if self.last_batch_handle == "roll_over" and -self.batch_size < self.cursor < 0:
            return -self.cursor
        return 0

    def _shuffle_data(self) -> None:
        # As MXNet does: shuffle the index array in place and gather the (already permuted)
        # arrays with it. The index is never reset, so with the same np.random.seed every
        # epoch's order is MXNet's.
        # MXNet rebuilds the arrays with mx.nd.array(numpy), whose default dtype is float32: a
        # shuffled iterator yields float32 whatever the input's dtype, and so does this one.
        np.random.shuffle(self.idx)
        index = nd.array(self.idx, dtype=np.int64)
        self.data = [(k, nd.take(v, index, axis=0).astype(np.float32, copy=False)) for k, v in self.data]
        self.label = [(k, nd.take(v, index, axis=0).astype(np.float32, copy=False)) for k, v in self.label]


class ResizeIter(DataIter):
    """Makes an iterator yield exactly ``size`` batches per epoch, restarting it when it runs out."""

    def __init__(self, data_iter: DataIter, size: int, reset_internal: bool = True):
        super().__init__(data_iter.batch_size)
        self.data_iter = data_iter
        self.size = size
        self.reset_internal = reset_internal
        self.cur = 0
        self.current_batch = None
        self.provide_data = data_iter.provide_data
        self.provide_label = data_iter.provide_label
        if hasattr(data_iter, "default_bucket_key"):
            self.default_bucket_key = data_iter.default_bucket_key

    def reset(self) -> None:
        self.cur = 0
        if self.reset_internal:
            self.data_iter.reset()

    def iter_next(self) -> bool:
        if self.cur == self.size:
            return False
        try:
            self.current_batch = self.data_iter.next()
        except StopIteration:
            self.data_iter.reset()
            self.current_batch = self.data_iter.next()
        self.cur += 1
        return True

    def getdata(self):
        return self.current_batch.data

    def getlabel(self):
        return self.current_batch.label

    def getindex(self):
        return self.current_batch.index

    def getpad(self):
        return self.current_batch.pad


class PrefetchingIter(DataIter):
    """Reads the next batch of one or more iterators on a background thread. With several
    iterators, each batch joins their data and label lists (optionally renamed)."""

    def __init__(self, iters, rename_data=None, rename_label=None):
        iters = iters if isinstance(iters, list) else [iters]
        if not iters:
            raise MinervaValueError("PrefetchingIter: iters must hold at least one iterator, got an empty list")
        super().__init__(iters[0].batch_size)
        self.iters = iters
        self.rename_data = rename_data
        self.rename_label = rename_label
        self._batch = None
        self._thread = None
        self._start()

    def _renamed(self, attr, renames):
        out = []
        for i, it in enumerate(self.iters):
            for d in getattr(it, attr):
                name = renames[i].get(d.name, d.name) if renames else d.name
                out.append(DataDesc(name, d.shape, d.dtype, d.layout) if isinstance(d, DataDesc) else (name, d[1]))
        return out

    @property
    def provide_data(self):
        return self._renamed("provide_data", self.rename_data)

    @property
    def provide_label(self):
        return self._renamed("provide_label", self.rename_label)

    def _start(self) -> None:
        result = {}

        def fetch():
            try:
                batches = []
                for it in self.iters:
                    try:
                        batches.append(it.next())
                    except StopIteration:
                        batches.append(None)
                result["batches"] = None if all(b is None for b in batches) else batches
            except BaseException as e:  # noqa: BLE001  (handed to the consumer thread)
                result["error"] = e
        self._result = result
        self._thread = threading.Thread(target=fetch, daemon=True)
        self._thread.start()

    def _take(self):
        self._thread.join()
        result = self._result
        if "error" in result:
            raise result["error"]
        return result["batches"]

    def reset(self) -> None:
        self._take()
        for it in self.iters:
            it.reset()
        self._start()

    def iter_next(self) -> bool:
        batches = self._take()
        if batches is None:
            self._result = {"batches": None}  # stay exhausted until reset
            self._thread = threading.Thread(target=lambda: None)
            self._thread.start()
            return False
        if any(b is None for b in batches) or any(b.pad != batches[0].pad for b in batches):
            raise MinervaValueError("PrefetchingIter: the iterators gave different numbers of samples "
                                    f"(pads {[None if b is None else b.pad for b in batches]})")
        self._batch = DataBatch(data=sum((list(b.data) for b in batches), []),
                                label=sum((list(b.label or []) for b in batches), []),
                                pad=batches[0].pad, index=batches[0].index,
                                provide_data=self.provide_data, provide_label=self.provide_label)
        self._start()
        return True

    def next(self) -> DataBatch:
        if self.iter_next():
            return self._batch
        raise StopIteration

    def getdata(self):
        return self._batch.data

    def getlabel(self):
        return self._batch.label

    def getindex(self):
        return self._batch.index

    def getpad(self):
        return self._batch.pad
