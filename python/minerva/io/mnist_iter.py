"""``mx.io.MNISTIter``: MXNet 1.x's MNIST iterator over IDX image and label files."""
from __future__ import annotations

import os
import sys

import numpy as np

from .. import ndarray as nd
from ..base import MinervaIOError, MinervaValueError
from .idx import read_idx
from .io import DataBatch, DataDesc
from .mx_data_iter import MXDataIter
from .std_shuffle import std_shuffle_order

__all__ = ["MNISTIter", "load_mnist_pair"]


def load_mnist_pair(image: str, label: str, num_classes: int = 10):
    """Reads an MNIST-style images file (N, rows, cols) and labels file (N,), checking that the
    counts agree and every label is below ``num_classes``. Raw or gzipped IDX."""
    images = read_idx(image)
    labels = read_idx(label)
    iname, lname = os.path.basename(image), os.path.basename(label)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise MinervaIOError(f"{iname}: expected a uint8 images file of 3 dimensions (N, rows, cols), "
                             f"got {images.dtype} with shape {images.shape}")
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise MinervaIOError(f"{lname}: expected a uint8 labels file of 1 dimension (N,), "
                             f"got {labels.dtype} with shape {labels.shape}")
    if images.shape[0] != labels.shape[0]:
        raise MinervaIOError(f"count mismatch: {iname} has {images.shape[0]} images, "
                             f"{lname} has {labels.shape[0]} labels")
    if labels.size and int(labels.max()) >= num_classes:
        bad = int(np.argmax(labels >= num_classes))
        raise MinervaIOError(f"{lname}: label {int(labels[bad])} at record {bad} is out of range "
                             f"(expected 0 to {num_classes - 1})")
    return images, labels


class MNISTIter(MXDataIter):
    """Batches of MNIST: data (batch, 1, 28, 28) or, with ``flat``, (batch, 784), float32 pixels
    scaled by 1/256 exactly as MXNet 1.9.1 does (255 becomes 0.99609375); labels float32 (batch,).

    As in MXNet, an incomplete last batch is dropped, ``shuffle`` defaults to True, and
    ``num_parts``/``part_index`` give this reader the records ``[n/parts*k, n/parts*(k+1))``
    (computed in double precision, as MXNet does). ``shuffle`` permutes the records once, at
    creation, in MXNet's exact order for ``seed`` (``std::shuffle`` over ``std::mt19937``);
    ``reset()`` only rewinds, so two passes see the same order (code that predicts in one pass
    and reads the labels in another relies on that). Unlike MXNet, gzipped files are accepted
    too (MXNet 1.9.1 fails on them)."""

    def __init__(self, image: str = "./train-images-idx3-ubyte", label: str = "./train-labels-idx1-ubyte",
                 batch_size: int = 128, shuffle: bool = True, flat: bool = False, seed: int = 0,
                 silent: bool = False, num_parts: int = 1, part_index: int = 0, data_name: str = "data",
                 label_name: str = "softmax_label", **kwargs):
        super().__init__(None, data_name, label_name)
        self.batch_size = int(batch_size)
        if self.batch_size <= 0:
            raise MinervaValueError(f"MNISTIter: batch_size must be positive, got {batch_size}")
        if not 0 <= int(part_index) < int(num_parts):
            raise MinervaValueError(f"MNISTIter: part_index must be in [0, num_parts={num_parts}), got {part_index}")
        images, labels = load_mnist_pair(os.fspath(image), os.fspath(label))
        n, parts, part = images.shape[0], int(num_parts), int(part_index)
        lo, hi = int(n / parts * part), int(n / parts * (part + 1))
        images, labels = images[lo:hi], labels[lo:hi]
        if images.shape[0] < self.batch_size:
            raise MinervaValueError(f"MNISTIter: batch_size {self.batch_size} is larger than the {images.shape[0]} "
                                    f"images of this part; no full batch can be made")
        pixels = images.astype(np.float32) * np.float32(1.0 / 256.0)  # exact: a power of two
        self._data = pixels.reshape(-1, images.shape[1] * images.shape[2]) if flat else pixels[:, None, :, :]
        self._label = labels.astype(np.float32)
        self._shuffle = bool(shuffle)
        count = self._data.shape[0]
        self._order = std_shuffle_order(count, int(seed)) if self._shuffle else np.arange(count)
        self._names = (data_name, label_name)
        self._cursor = 0
        self._batch = None
        if not silent:
            shape = (self.batch_size,) + self._data.shape[1:]
            print(f"MNISTIter: load {self._data.shape[0]} images, shuffle={int(self._shuffle)}, shape={shape}",
                  file=sys.stderr)
        self.reset()

    @property
    def provide_data(self):
        return [DataDesc(self._names[0], (self.batch_size,) + self._data.shape[1:], np.float32)]

    @property
    def provide_label(self):
        return [DataDesc(self._names[1], (self.batch_size,), np.float32)]

    def reset(self) -> None:
        super().reset()
        self._cursor = 0  # the order was drawn once, at creation

    def iter_next(self) -> bool:
        if self._cursor + self.batch_size > self._data.shape[0]:
            return False
        self._batch = self._order[self._cursor:self._cursor + self.batch_size]
        self._cursor += self.batch_size
        return True

    def getdata(self):
        return [nd.array(self._data[self._batch])]

    def getlabel(self):
        return [nd.array(self._label[self._batch])]

    def getindex(self):
        return self._batch.copy()

    def getpad(self) -> int:
        return 0

    def next(self) -> DataBatch:
        if not self.iter_next():
            raise StopIteration
        return DataBatch(data=self.getdata(), label=self.getlabel(), pad=0, index=self.getindex(),
                         provide_data=self.provide_data, provide_label=self.provide_label)
