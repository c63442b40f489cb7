"""The iterator scenarios whose batch orders Minerva must reproduce: each function takes the
framework module (``mxnet`` or ``minerva``) and a scratch folder, runs an iterator or sampler
for a few epochs under a fixed ``np.random.seed`` and returns what it saw as plain lists.

make_iter_golden.py runs them under MXNet 1.9.1 and writes tests/golden/iter/orders.json;
tests/python/test_io_order.py runs them under Minerva and compares."""
import os
import struct

import numpy as np

EPOCHS = 3
MNIST_N = 20


def _col(arr):
    """A batch array as a list of one number per sample (the first element of each row)."""
    a = arr.asnumpy()
    return a.reshape(a.shape[0], -1)[:, 0].tolist()


def _epochs(it, epochs=EPOCHS, reset=True):
    out = []
    for _ in range(epochs):
        out.append([[_col(b.data[0]), [_col(x) for x in (b.label or [])], int(b.pad or 0)] for b in it])
        if reset:
            it.reset()
    return out


def ndarrayiter(mx, _tmp, handle, shuffle):
    np.random.seed(0)
    x = np.arange(14, dtype=np.float32).reshape(7, 2)
    it = mx.io.NDArrayIter(x, np.arange(7, dtype=np.float32) * 10, batch_size=3, shuffle=shuffle,
                           last_batch_handle=handle)
    seen = _epochs(it)
    it.hard_reset()
    seen.append(_epochs(it, 1)[0])
    return seen


def ndarrayiter_dict_big_pad(mx, _tmp):
    np.random.seed(1)
    data = {"a": np.arange(5, dtype=np.float32), "b": np.arange(5, dtype=np.float32) + 100}
    it = mx.io.NDArrayIter(data, {"y": np.arange(5, dtype=np.float32)}, batch_size=12, shuffle=True)
    out = []
    for _ in range(2):
        out.append([[_col(b.data[0]), _col(b.data[1]), _col(b.label[0]), b.pad] for b in it])
        it.reset()
    return out


def ndarrayiter_layout_tn(mx, _tmp):
    """layout 'TN': batches are cut along axis 1 (MXNet counts the samples on axis 0 all the same)."""
    it = mx.io.NDArrayIter(np.arange(28, dtype=np.float32).reshape(4, 7), batch_size=2, layout="TN")
    return [[[d.name, list(d.shape)] for d in it.provide_data]] + [
        [b.data[0].asnumpy().tolist(), b.pad] for b in it]


def _full_epochs(it, epochs):
    out = []
    for _ in range(epochs):
        out.append([[b.data[0].asnumpy().tolist(), b.label[0].asnumpy().tolist(), int(b.pad),
                     [int(i) for i in b.index], str(b.data[0].dtype), str(b.label[0].dtype)] for b in it])
        it.reset()
    return out


def _descs(it):
    return [[d.name, list(d.shape), np.dtype(d.dtype).name] for d in it.provide_data + it.provide_label]


def _write(folder, name, text):
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        f.write(text)
    return path


CSV_ROWS = "".join(f"{i},{i + 1},{i * 2},{-i}\n" for i in range(7))


def csviter(mx, tmp, batch_size, round_batch, dtype=None, labels=False, data_shape=(4,), label_shape=(1,)):
    data = _write(tmp, "data.csv", CSV_ROWS)
    kwargs = {} if dtype is None else {"dtype": dtype}  # MXNet rejects an explicit dtype=None
    if labels:
        width = int(np.prod(label_shape))
        kwargs["label_csv"] = _write(tmp, "label.csv", "".join(",".join(str(i * 10 + j) for j in range(width)) + "\n"
                                                               for i in range(7)))
    it = mx.io.CSVIter(data_csv=data, data_shape=data_shape, batch_size=batch_size, round_batch=round_batch,
                       label_shape=label_shape, **kwargs)
    return [_descs(it)] + _full_epochs(it, 4)


def csviter_directory(mx, tmp):
    folder = os.path.join(tmp, "csvs")
    os.makedirs(folder)
    _write(folder, "b.csv", "3,3\n4,4\n")
    _write(folder, "a.csv", "1,1\n2,2\n")
    it = mx.io.CSVIter(data_csv=folder, data_shape=(2,), batch_size=3, data_name="x", label_name="y")
    return [_descs(it)] + _full_epochs(it, 2)


LIBSVM_ROWS = ("1.0 0:0.5 2:1.2\n-2.0\n-3.0 0:0.6 1:2.4 2:1.2\n4 2:-1.2\n5 1:3\n"
               "6 0:1 1:2 2:3\n7 1:0.25\n")


def libsvmiter(mx, tmp, batch_size, num_parts=1, part_index=0, label_file=False):
    data = _write(tmp, "data.t", LIBSVM_ROWS)
    kwargs = {}
    if label_file:
        kwargs = {"label_libsvm": _write(tmp, "label.t", "0 1:1\n0 0:2\n0\n0 0:4 1:4\n0 1:5\n0 0:6\n0 1:7\n"),
                  "label_shape": (2,)}
    try:
        it = mx.io.LibSVMIter(data_libsvm=data, data_shape=(3,), batch_size=batch_size, num_parts=num_parts,
                              part_index=part_index, **kwargs)
    except Exception:  # noqa: BLE001  (an empty part: MXNet raises StopIteration, Minerva a clear error)
        return ["no records"]
    return [_descs(it)] + _full_epochs(it, 3)


def ndarrayiter_dtypes(mx, _tmp):
    """The dtypes of batches from int32 NDArrays, ordered and shuffled."""
    out = []
    for shuffle in (False, True):
        np.random.seed(5)
        data = mx.nd.array(np.arange(6), dtype="int32")
        it = mx.io.NDArrayIter(data, mx.nd.array(np.arange(6), dtype="int32"), batch_size=4, shuffle=shuffle)
        b = it.next()
        out.append([np.dtype(b.data[0].dtype).name, np.dtype(b.label[0].dtype).name,
                    np.dtype(it.provide_data[0].dtype).name, b.data[0].asnumpy().tolist()])
    return out


def write_mnist(folder, n=MNIST_N, name="toy"):
    """An IDX image file (n, 2, 2) whose first pixel is the record number, and a label file."""
    img = (np.arange(n * 4) % 251).astype(np.uint8).reshape(n, 2, 2)
    img[:, 0, 0] = np.arange(n) % 256
    img[:, 0, 1] = np.arange(n) // 256 % 256
    image, label = os.path.join(folder, f"{name}-images"), os.path.join(folder, f"{name}-labels")
    with open(image, "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 2, 2) + img.tobytes())
    with open(label, "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + (np.arange(n) % 10).astype(np.uint8).tobytes())
    return image, label


def mnistiter(mx, tmp, shuffle, seed, num_parts=1, part_index=0, flat=False):
    image, label = write_mnist(tmp)
    it = mx.io.MNISTIter(image=image, label=label, batch_size=4, shuffle=shuffle, seed=seed, silent=True,
                         flat=flat, num_parts=num_parts, part_index=part_index)
    return [[[int(round(v * 256)) for v in batch[0]], batch[1], batch[2]] for epoch in _epochs(it, 2)
            for batch in epoch]


def mnistiter_large(mx, tmp):
    """70,000 records: more than 65,535, where a newer libstdc++ would shuffle differently."""
    image, label = write_mnist(tmp, n=70000, name="large")
    it = mx.io.MNISTIter(image=image, label=label, batch_size=1000, shuffle=True, seed=11, silent=True, flat=True)
    batches = [np.rint(b.data[0].asnumpy()[:, :2] * 256).astype(int) for b in it]
    record = [p[:, 0] + 256 * p[:, 1] for p in batches]
    return [len(record), record[0][:20].tolist(), record[-1][-20:].tolist()]


def mnistiter_real(mx, _tmp):
    """The first labels of the 60,000 MNIST training images after MNISTIter's seeded shuffle."""
    root = os.path.join(os.environ.get("MINERVA_DATA") or os.path.expanduser("~/.minerva/datasets"), "mnist")
    image, label = os.path.join(root, "train-images-idx3-ubyte"), os.path.join(root, "train-labels-idx1-ubyte")
    if not os.path.exists(image):
        return None
    out = []
    for seed in (0, 7):
        it = mx.io.MNISTIter(image=image, label=label, batch_size=50, shuffle=True, seed=seed, silent=True)
        b = it.next()
        out.append([b.label[0].asnumpy().astype(int).tolist(), float(b.data[0].asnumpy().sum())])
    return out


def dataloader(mx, _tmp, last_batch):
    np.random.seed(0)
    dataset = mx.gluon.data.ArrayDataset(np.arange(10, dtype=np.float32))
    loader = mx.gluon.data.DataLoader(dataset, batch_size=3, shuffle=True, last_batch=last_batch)
    return [[b.asnumpy().tolist() for b in loader] for _ in range(EPOCHS)]


def samplers(mx, _tmp):
    np.random.seed(2)
    s = mx.gluon.data.RandomSampler(7)
    out = [list(map(int, s)) for _ in range(2)]
    b = mx.gluon.data.BatchSampler(mx.gluon.data.RandomSampler(7), 3, "rollover")
    out += [[list(map(int, batch)) for batch in b] for _ in range(3)]
    b = mx.gluon.data.BatchSampler(mx.gluon.data.SequentialSampler(7), 3, "keep")
    out += [[list(map(int, batch)) for batch in b]]
    return out


def resizeiter(mx, _tmp):
    np.random.seed(3)
    inner = mx.io.NDArrayIter(np.arange(7, dtype=np.float32), batch_size=3, shuffle=True, last_batch_handle="pad")
    return _epochs(mx.io.ResizeIter(inner, 4), 2)


def prefetchingiter(mx, _tmp):
    np.random.seed(4)
    a = mx.io.NDArrayIter(np.arange(6, dtype=np.float32), np.arange(6, dtype=np.float32), batch_size=4,
                          shuffle=True)
    b = mx.io.NDArrayIter(np.arange(6, dtype=np.float32) + 50, batch_size=4, shuffle=True)
    it = mx.io.PrefetchingIter([a, b], rename_data=[{"data": "x"}, {"data": "z"}])
    out = [[d.name for d in it.provide_data], [list(d.shape) for d in it.provide_data]]
    for _ in range(2):
        out.append([[_col(batch.data[0]), _col(batch.data[1]), _col(batch.label[0]), batch.pad] for batch in it])
        it.reset()
    return out


SCENARIOS = {
    **{f"ndarrayiter_{h}_{'shuffle' if s else 'ordered'}": (ndarrayiter, (h, s))
       for h in ("pad", "discard", "roll_over") for s in (False, True)},
    "ndarrayiter_dict_big_pad": (ndarrayiter_dict_big_pad, ()),
    "ndarrayiter_layout_tn": (ndarrayiter_layout_tn, ()),
    "ndarrayiter_dtypes": (ndarrayiter_dtypes, ()),
    "csviter_round": (csviter, (3, True)),
    "csviter_no_round_int32": (csviter, (3, False, "int32", True)),
    "csviter_labels_int64_shape": (csviter, (2, True, "int64", True, (2, 2), (3,))),
    "csviter_batch5": (csviter, (5, True)),
    "csviter_exact": (csviter, (7, True, None, True)),
    "csviter_directory": (csviter_directory, ()),
    "libsvmiter": (libsvmiter, (3,)),
    "libsvmiter_label_file": (libsvmiter, (2, 1, 0, True)),
    **{f"libsvmiter_part{k}of{n}": (libsvmiter, (1, n, k)) for n in (2, 3, 4) for k in range(n)},
    "mnistiter_ordered": (mnistiter, (False, 0)),
    "mnistiter_seed0": (mnistiter, (True, 0)),
    "mnistiter_seed3_flat": (mnistiter, (True, 3, 1, 0, True)),
    "mnistiter_part1of3": (mnistiter, (True, 5, 3, 1)),
    "mnistiter_part2of3_ordered": (mnistiter, (False, 0, 3, 2)),
    "mnistiter_large": (mnistiter_large, ()),
    "mnistiter_real": (mnistiter_real, ()),
    **{f"dataloader_{k}": (dataloader, (k,)) for k in ("keep", "discard", "rollover")},
    "samplers": (samplers, ()),
    "resizeiter": (resizeiter, ()),
    "prefetchingiter": (prefetchingiter, ()),
}


def run(mx, name, tmp):
    fn, args = SCENARIOS[name]
    return fn(mx, tmp, *args)


__all__ = ["SCENARIOS", "run", "write_mnist"]
