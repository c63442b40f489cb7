"""``mx.contrib.io``: a Gluon DataLoader used where a DataIter is expected (Module.fit...)."""
from __future__ import annotations

from .. import ndarray as nd
from ..io import DataDesc, DataIter

__all__ = ["DataDesc", "DataIter", "DataLoaderIter", "nd"]


class DataLoaderIter(DataIter):
    """Iterates over a DataLoader yielding (data, label) batches, casting both to dtype. The
    batch size is the first batch's; a shorter last batch is padded with zeros to it and its
    ``pad`` says how many rows are padding."""

    def __init__(self, loader, data_name="data", label_name="softmax_label", dtype="float32") -> None:
        super().__init__()
        self._loader = loader
        self._iter = iter(loader)
        try:
            data, label = next(self._iter)
        except StopIteration:
            raise ValueError("DataLoaderIter: the DataLoader yields no batch") from None
        self.batch_size = data.shape[0]
        self.dtype = dtype
        self.provide_data = [DataDesc(data_name, data.shape, dtype)]
        self.provide_label = [DataDesc(label_name, label.shape, dtype)]
        self._current_batch = None
        self.reset()

    def reset(self) -> None:
        self._iter = iter(self._loader)

    def iter_next(self) -> bool:
        self._current_batch = next(self._iter, None)
        return self._current_batch is not None

    def _padded(self, part):
        part = part.astype(self.dtype)
        if not self.getpad():
            return [part]
        out = nd.zeros((self.batch_size,) + tuple(part.shape[1:]), dtype=self.dtype)
        out[:part.shape[0]] = part
        return [out]

    def getdata(self):
        return self._padded(self._current_batch[0])

    def getlabel(self):
        return self._padded(self._current_batch[1])

    def getpad(self) -> int:
        return self.batch_size - self._current_batch[0].shape[0]

    def getindex(self):
        return None
