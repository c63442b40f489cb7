"""Datasets: indexable collections of samples, and their lazy transformations."""
from __future__ import annotations

from ... import ndarray  # noqa: F401  (MXNet's dataset module exports it)
from ... import ndarray as nd
from .sampler import FilterSampler, SequentialSampler

__all__ = ["ArrayDataset", "Dataset", "SimpleDataset"]


class Dataset:
    """Abstract dataset: ``__getitem__(idx)`` returns a sample, ``__len__`` the count."""

    def __getitem__(self, idx):
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def filter(self, fn) -> Dataset:
        """The samples for which ``fn(sample)`` is true (evaluated once, now)."""
        return _SampledDataset(self, FilterSampler(fn, self))

    def shard(self, num_shards: int, index: int) -> Dataset:
        """Shard ``index`` of ``num_shards`` contiguous shards; the first ``len % num_shards``
        shards hold one sample more than the others."""
        if not 0 <= index < num_shards:
            raise ValueError(f"Dataset.shard: index must be in [0, {num_shards}), got {index}")
        if num_shards > len(self):
            raise ValueError(f"Dataset.shard: {num_shards} shards of a dataset of {len(self)} samples")
        size, extra = divmod(len(self), num_shards)
        start = index * size + min(index, extra)
        length = size + (1 if index < extra else 0)
        return _SampledDataset(self, SequentialSampler(length, start))

    def take(self, count) -> Dataset:
        """The first ``count`` samples (all of them when count is None or larger)."""
        if count is None or count > len(self):
            count = len(self)
        return _SampledDataset(self, SequentialSampler(count))

    def sample(self, sampler) -> Dataset:
        """The samples at the indices the sampler yields."""
        return _SampledDataset(self, sampler)

    def transform(self, fn, lazy: bool = True) -> Dataset:
        """Applies ``fn`` to each sample (``fn(*sample)`` when the sample is a tuple)."""
        trans = _LazyTransformDataset(self, fn)
        return trans if lazy else SimpleDataset([trans[i] for i in range(len(trans))])

    def transform_first(self, fn, lazy: bool = True) -> Dataset:
        """Applies ``fn`` to the first element of each sample only (the data, not the label)."""
        return self.transform(_TransformFirstClosure(fn), lazy)


class SimpleDataset(Dataset):
    """Wraps any object with ``__getitem__`` and ``__len__`` (a list, an array)."""

    def __init__(self, data):
        self._data = data

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, idx):
        return self._data[idx]


class _LazyTransformDataset(Dataset):
    def __init__(self, data, fn):
        self._data = data
        self._fn = fn

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, idx):
        item = self._data[idx]
        return self._fn(*item) if isinstance(item, tuple) else self._fn(item)


class _TransformFirstClosure:
    """A picklable closure (worker processes receive it) applying fn to the first element."""

    def __init__(self, fn):
        self._fn = fn

    def __call__(self, x, *args):
        return (self._fn(x),) + args if args else self._fn(x)


class _SampledDataset(Dataset):
    def __init__(self, dataset, sampler):
        self._dataset = dataset
        self._indices = list(sampler)

    def __len__(self) -> int:
        return len(self._indices)

    def __getitem__(self, idx):
        return self._dataset[self._indices[idx]]


class ArrayDataset(Dataset):
    """Zips arrays of equal length: sample i is ``(a[i], b[i], ...)``, or ``a[i]`` for one array.
    One-dimensional NDArrays are read as numpy, so their samples are scalars as in MXNet."""

    def __init__(self, *args):
        if not args:
            raise ValueError("ArrayDataset needs at least one array")
        self._length = len(args[0])
        self._data = []
        for i, data in enumerate(args):
            if len(data) != self._length:
                raise ValueError(f"ArrayDataset: all arrays must have the same length; array 0 has "
                                 f"{self._length} samples, array {i} has {len(data)}")
            if isinstance(data, nd.NDArray) and data.ndim == 1:
                data = data.asnumpy()
            self._data.append(data)

    def __getitem__(self, idx):
        if len(self._data) == 1:
            return self._data[0][idx]
        return tuple(data[idx] for data in self._data)

    def __len__(self) -> int:
        return self._length
