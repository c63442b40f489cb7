"""mx.gluon.data: datasets, samplers and the DataLoader, in-process and with worker processes."""
import gc
import os
import time
import warnings

import minerva as mx
import numpy as np
import pytest
from minerva.gluon.data import (ArrayDataset, BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler,
                                SimpleDataset)


# Module-level classes: worker processes receive them by pickling (by reference to this module).
class SquareDataset(Dataset):
    """Sample i is (NDArray [i, i*i] float32, int label i)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return mx.nd.array([i, i * i]), i


class RaisingDataset(SquareDataset):
    def __getitem__(self, i):
        if i == 5:
            raise ValueError(f"bad sample {i}")
        return super().__getitem__(i)


class DyingDataset(SquareDataset):
    def __getitem__(self, i):
        if i == 5:
            os._exit(3)
        return super().__getitem__(i)


class SlowDataset(SquareDataset):
    def __getitem__(self, i):
        time.sleep(30)
        return super().__getitem__(i)


def numpy_batches(loader):
    out = []
    for batch in loader:
        fields = batch if isinstance(batch, list) else [batch]
        out.append([f.asnumpy() for f in fields])
    return out


def is_running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pids, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(is_running(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if is_running(p)]


# ---- datasets ---------------------------------------------------------------------------------
def test_simple_and_array_dataset():
    s = SimpleDataset([10, 11, 12])
    assert len(s) == 3 and s[1] == 11
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    y = mx.nd.array([0, 1, 2, 3])
    ds = ArrayDataset(x, y)
    assert len(ds) == 4
    data, label = ds[2]
    np.testing.assert_array_equal(data, x[2])
    assert isinstance(label, np.float32) and label == 2  # 1-D NDArrays are read as numpy, like MXNet
    single = ArrayDataset(x)
    np.testing.assert_array_equal(single[1], x[1])
    with pytest.raises(ValueError, match="same length"):
        ArrayDataset(x, np.arange(5))


def test_transform_filter_shard_take():
    ds = ArrayDataset(np.arange(10), np.arange(10) * 10)
    t = ds.transform(lambda a, b: a + b)
    assert [t[i] for i in range(3)] == [0, 11, 22]
    first = ds.transform_first(lambda a: -a)
    assert first[3] == (-3, 30)
    eager = ds.transform_first(lambda a: a * 2, lazy=False)
    assert isinstance(eager, SimpleDataset) and eager[4] == (8, 40)
    single = SimpleDataset([1, 2, 3]).transform_first(lambda v: v + 100)
    assert single[0] == 101
    evens = SimpleDataset(list(range(10))).filter(lambda v: v % 2 == 0)
    assert [evens[i] for i in range(len(evens))] == [0, 2, 4, 6, 8]
    shards = [SimpleDataset(list(range(10))).shard(3, k) for k in range(3)]
    assert [[s[i] for i in range(len(s))] for s in shards] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    with pytest.raises(ValueError):
        SimpleDataset([1, 2]).shard(2, 2)
    assert len(SimpleDataset(list(range(10))).take(4)) == 4
    assert len(SimpleDataset(list(range(3))).take(None)) == 3
    assert len(SimpleDataset(list(range(3))).take(7)) == 3


# ---- samplers ---------------------------------------------------------------------------------
def test_samplers():
    assert list(SequentialSampler(4)) == [0, 1, 2, 3]
    assert list(SequentialSampler(3, start=5)) == [5, 6, 7]
    np.random.seed(1)
    a = list(RandomSampler(50))
    np.random.seed(1)
    b = list(RandomSampler(50))
    assert a == b and sorted(a) == list(range(50)) and a != list(range(50))


def test_batch_sampler_last_batch_modes():
    keep = BatchSampler(SequentialSampler(7), 3, "keep")
    assert list(keep) == [[0, 1, 2], [3, 4, 5], [6]] and len(keep) == 3
    discard = BatchSampler(SequentialSampler(7), 3, "discard")
    assert list(discard) == [[0, 1, 2], [3, 4, 5]] and len(discard) == 2
    roll = BatchSampler(SequentialSampler(7), 3, "rollover")
    assert len(roll) == 2
    assert list(roll) == [[0, 1, 2], [3, 4, 5]]
    assert len(roll) == 2  # (1 held back + 7) // 3
    assert list(roll) == [[6, 0, 1], [2, 3, 4]]
    assert list(roll) == [[5, 6, 0], [1, 2, 3], [4, 5, 6]]
    with pytest.raises(ValueError, match="last_batch"):
        BatchSampler(SequentialSampler(3), 2, "pad")


# ---- DataLoader in this process ---------------------------------------------------------------
def test_dataloader_batches_and_batchify_of_tuples():
    loader = DataLoader(SquareDataset(7), batch_size=3)
    assert len(loader) == 3
    batches = list(loader)
    data, label = batches[0]
    assert isinstance(data, mx.nd.NDArray) and data.shape == (3, 2) and data.dtype == np.float32
    assert label.dtype == np.int64 or label.dtype == np.int32
    np.testing.assert_array_equal(data.asnumpy(), [[0, 0], [1, 1], [2, 4]])
    np.testing.assert_array_equal(batches[-1][1].asnumpy(), [6])
    x = np.arange(20, dtype=np.float64).reshape(10, 2)
    y = np.arange(10, dtype=np.int32)
    d, lab = next(iter(DataLoader(ArrayDataset(x, y), batch_size=4)))
    assert d.dtype == np.float64 and lab.dtype == np.int32 and d.shape == (4, 2)


@pytest.mark.parametrize("mode,sizes", [("keep", [3, 3, 1]), ("discard", [3, 3]), ("rollover", [3, 3])])
def test_dataloader_last_batch(mode, sizes):
    loader = DataLoader(SimpleDataset(np.arange(7, dtype=np.float32)), batch_size=3, last_batch=mode)
    assert [b.shape[0] for b in loader] == sizes
    if mode == "rollover":
        np.testing.assert_array_equal(next(iter(loader)).asnumpy(), [6, 0, 1])


def test_dataloader_shuffle_covers_all_and_is_seeded():
    ds = SimpleDataset(np.arange(100, dtype=np.int32))
    np.random.seed(3)
    first = np.concatenate([b.asnumpy() for b in DataLoader(ds, batch_size=8, shuffle=True)])
    np.random.seed(3)
    again = np.concatenate([b.asnumpy() for b in DataLoader(ds, batch_size=8, shuffle=True)])
    assert sorted(first.tolist()) == list(range(100)) and first.tolist() != list(range(100))
    np.testing.assert_array_equal(first, again)


def test_dataloader_argument_errors_and_custom_batchify():
    ds = SimpleDataset(list(range(5)))
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(ds)
    with pytest.raises(ValueError, match="must not be specified"):
        DataLoader(ds, batch_size=2, batch_sampler=BatchSampler(SequentialSampler(5), 2))
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(ds, batch_size=2, shuffle=True, sampler=SequentialSampler(5))
    loader = DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(5), 2), batchify_fn=lambda b: sum(b))
    assert list(loader) == [1, 5, 4]


# ---- DataLoader with workers ------------------------------------------------------------------
def test_workers_give_the_same_batches_and_leave_no_process():
    ds = SquareDataset(23)
    np.random.seed(7)
    serial = numpy_batches(DataLoader(ds, batch_size=4, shuffle=True))
    np.random.seed(7)
    it = iter(DataLoader(ds, batch_size=4, shuffle=True, num_workers=2))
    pids = list(it._pids)
    assert len(pids) == 2 and all(is_running(p) for p in pids)
    parallel = []
    for data, label in it:
        assert isinstance(data, mx.nd.NDArray) and isinstance(label, mx.nd.NDArray)
        parallel.append([data.asnumpy(), label.asnumpy()])
    assert len(parallel) == len(serial) == 6
    for (a, b), (c, d) in zip(serial, parallel):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
        assert a.dtype == c.dtype and b.dtype == d.dtype
    assert wait_gone(pids) == []


def test_workers_with_transform_and_custom_batchify():
    ds = ArrayDataset(np.arange(12, dtype=np.uint8).reshape(6, 2), np.arange(6, dtype=np.int32))
    ds = ds.transform_first(mx.gluon.data.vision.transforms.Cast("float32"))
    loader = DataLoader(ds, batch_size=4, num_workers=2, batchify_fn=mx.gluon.data.dataloader.default_batchify_fn)
    (d0, l0), (d1, l1) = list(loader)
    assert d0.dtype == np.float32 and l1.dtype == np.int32
    np.testing.assert_array_equal(d1.asnumpy(), [[8, 9], [10, 11]])


def test_worker_exception_reaches_the_parent_quickly():
    loader = DataLoader(RaisingDataset(12), batch_size=2, num_workers=2)
    start = time.monotonic()
    with pytest.raises(ValueError, match="bad sample 5") as info:
        list(loader)
    assert time.monotonic() - start < 10
    assert "worker" in str(info.value) and "batch 2" in str(info.value)


def test_dead_worker_is_an_error_not_a_hang():
    loader = DataLoader(DyingDataset(12), batch_size=2, num_workers=2, timeout=60)
    start = time.monotonic()
    with pytest.raises(mx.MXNetError, match="exit code 3"):
        list(loader)
    assert time.monotonic() - start < 10


def test_timeout_and_cleanup_of_a_stuck_worker():
    it = iter(DataLoader(SlowDataset(4), batch_size=2, num_workers=1, timeout=0.5))
    pids = list(it._pids)
    with pytest.raises(mx.MXNetError, match="timeout"):
        next(it)
    assert wait_gone(pids) == []


def test_abandoned_iterator_is_cleaned_up_by_gc():
    it = iter(DataLoader(SquareDataset(40), batch_size=2, num_workers=2))
    next(it)
    pids = list(it._pids)
    del it
    gc.collect()
    assert wait_gone(pids) == []


def test_thread_pool_and_unpicklable_fallback():
    ds = SquareDataset(9)
    serial = numpy_batches(DataLoader(ds, batch_size=4))
    threaded = numpy_batches(DataLoader(ds, batch_size=4, num_workers=2, thread_pool=True))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fallback = numpy_batches(DataLoader(ds.transform_first(lambda x: x), batch_size=4, num_workers=2))
    assert any("cannot be pickled" in str(w.message) for w in caught)
    for other in (threaded, fallback):
        for a, b in zip(serial, other):
            for x, y in zip(a, b):
                np.testing.assert_array_equal(x, y)
