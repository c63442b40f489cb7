"""mx.io iterators: DataDesc/DataBatch, NDArrayIter's last-batch modes, MNISTIter on files the
tests write and on the real MNIST, ResizeIter and PrefetchingIter. Expected values are
MXNet 1.9.1's (checked against the oracle)."""
import gzip
import os
import struct

import minerva as mx
import numpy as np
import pytest


def firsts(it):
    return [b.data[0].asnumpy()[:, 0, 0].tolist() for b in it]


def test_data_desc_and_batch():
    d = mx.io.DataDesc("data", (3, 784))
    assert d.name == "data" and d.shape == (3, 784) and d.dtype == np.float32 and d.layout == "NCHW"
    assert d == ("data", (3, 784)) and repr(d) == "DataDesc[data,(3, 784),<class 'numpy.float32'>,NCHW]"
    assert mx.io.DataDesc.get_batch_axis("TNC") == 1
    b = mx.io.DataBatch(data=[mx.nd.zeros((2, 3))], label=[mx.nd.zeros((2,))], pad=1)
    assert b.pad == 1 and "data shapes: [(2, 3)]" in str(b)
    with pytest.raises(TypeError):
        mx.io.DataBatch(data=mx.nd.zeros((2, 3)))


def test_ndarrayiter_pad_discard_rollover():
    data = np.arange(40).reshape((10, 2, 2))
    labels = np.ones([10, 1])
    it = mx.io.NDArrayIter(data, labels, 3, last_batch_handle="pad")
    batches = list(it)
    assert [b.data[0].asnumpy()[:, 0, 0].tolist() for b in batches][-1] == [36, 0, 4]
    assert [b.pad for b in batches] == [0, 0, 0, 2]
    assert it.provide_data == [("data", (3, 2, 2))] and it.provide_label == [("softmax_label", (3, 1))]
    assert batches[0].data[0].dtype == np.float32
    it = mx.io.NDArrayIter(data, labels, 3, last_batch_handle="discard")
    assert firsts(it) == [[0, 4, 8], [12, 16, 20], [24, 28, 32]]
    it = mx.io.NDArrayIter(data, labels, 3, last_batch_handle="roll_over")
    assert len(firsts(it)) == 3
    it.reset()
    b = it.next()
    assert b.data[0].asnumpy()[:, 0, 0].tolist() == [36, 0, 4] and b.pad == 1
    assert b.label[0].shape == (3, 1)
    it.hard_reset()
    assert firsts(it)[0] == [0, 4, 8]
    small = mx.io.NDArrayIter(np.arange(2, dtype=np.float32), batch_size=5)  # padding repeats the data
    b = small.next()
    assert b.data[0].asnumpy().tolist() == [0, 1, 0, 1, 0] and b.pad == 3


def test_ndarrayiter_inputs_shuffle_and_errors():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    it = mx.io.NDArrayIter({"a": x, "b": x * 10}, {"y": np.arange(6)}, batch_size=2)
    assert [d.name for d in it.provide_data] == ["a", "b"] and it.provide_label[0].name == "y"
    it = mx.io.NDArrayIter([x, x], [np.arange(6)], batch_size=2)
    assert [d.name for d in it.provide_data] == ["_0_data", "_1_data"]
    np.random.seed(0)
    it = mx.io.NDArrayIter(x, np.arange(6), batch_size=2, shuffle=True)
    seen = []
    for b in it:
        d, lab = b.data[0].asnumpy(), b.label[0].asnumpy()
        np.testing.assert_array_equal(d[:, 0] / 2, lab)  # data and label stay aligned
        seen += lab.tolist()
    assert sorted(seen) == list(range(6)) and seen != list(range(6))
    with pytest.raises(mx.MXNetError, match="last_batch_handle"):
        mx.io.NDArrayIter(x, batch_size=2, last_batch_handle="keep")
    with pytest.raises(mx.MXNetError, match="'softmax_label' has 5 samples"):
        mx.io.NDArrayIter(x, np.arange(5), batch_size=2)
    with pytest.raises(TypeError):
        mx.io.NDArrayIter("not an array")


def idx(array):
    return bytes([0, 0, 8, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape) + array.tobytes()


def write_pair(tmp_path, count, gz=False, labels=None):
    images = np.random.randint(0, 256, size=(count, 28, 28)).astype(np.uint8)
    images[0, 0, 0] = 255
    labels = (np.arange(count) % 10).astype(np.uint8) if labels is None else labels
    img, lab = tmp_path / "img", tmp_path / "lab"
    img.write_bytes(gzip.compress(idx(images)) if gz else idx(images))
    lab.write_bytes(gzip.compress(idx(labels)) if gz else idx(labels))
    return str(img), str(lab), images, labels


@pytest.mark.parametrize("gz", [False, True])
def test_mnistiter_values_and_batches(tmp_path, gz):
    img, lab, images, labels = write_pair(tmp_path, 7, gz=gz)
    it = mx.io.MNISTIter(image=img, label=lab, batch_size=3, shuffle=False, silent=True)
    batches = list(it)
    assert len(batches) == 2  # the incomplete last batch is dropped, as in MXNet
    d = batches[0].data[0].asnumpy()
    assert d.shape == (3, 1, 28, 28) and d.dtype == np.float32
    assert d[0, 0, 0, 0] == np.float32(0.99609375)  # 255/256: MXNet scales by 1/256
    np.testing.assert_array_equal(d[:, 0] * 256, images[:3])
    assert batches[1].label[0].asnumpy().tolist() == [3, 4, 5] and batches[1].pad == 0
    assert it.provide_data == [("data", (3, 1, 28, 28))] and it.provide_label == [("softmax_label", (3,))]
    it.reset()
    assert len(list(it)) == 2
    flat = mx.io.MNISTIter(image=img, label=lab, batch_size=3, shuffle=False, flat=True, silent=True)
    assert flat.next().data[0].shape == (3, 784)


def test_mnistiter_parts_and_shuffle(tmp_path):
    img, lab, _, _ = write_pair(tmp_path, 7)
    p0 = mx.io.MNISTIter(image=img, label=lab, batch_size=3, shuffle=False, num_parts=2, part_index=0, silent=True)
    p1 = mx.io.MNISTIter(image=img, label=lab, batch_size=3, shuffle=False, num_parts=2, part_index=1, silent=True)
    assert [b.label[0].asnumpy().tolist() for b in p0] == [[0, 1, 2]]
    assert [b.label[0].asnumpy().tolist() for b in p1] == [[3, 4, 5]]
    img, lab, _, _ = write_pair(tmp_path, 1000, labels=np.arange(1000, dtype=np.uint8) % 10)
    a = mx.io.MNISTIter(image=img, label=lab, batch_size=100, seed=5, silent=True)
    b = mx.io.MNISTIter(image=img, label=lab, batch_size=100, seed=5, silent=True)
    ia = np.concatenate([x.index for x in a])
    assert sorted(ia.tolist()) == list(range(1000)) and ia.tolist() != list(range(1000))
    np.testing.assert_array_equal(ia, np.concatenate([x.index for x in b]))


@pytest.mark.parametrize("kind,message", [
    ("count", "count mismatch"), ("range", "label 12 at record 2 is out of range"), ("batch", "larger than"),
    ("trailing", "trailing"), ("part", "part_index"),
])
def test_mnistiter_errors(tmp_path, kind, message):
    img, lab, _, labels = write_pair(tmp_path, 5)
    kwargs = {"image": img, "label": lab, "batch_size": 2, "silent": True}
    if kind == "count":
        (tmp_path / "lab").write_bytes(idx(labels[:4]))
    elif kind == "range":
        labels[2] = 12
        (tmp_path / "lab").write_bytes(idx(labels))
    elif kind == "batch":
        kwargs["batch_size"] = 6
    elif kind == "trailing":
        (tmp_path / "img").write_bytes((tmp_path / "img").read_bytes() + b"\0")
    elif kind == "part":
        kwargs.update(num_parts=2, part_index=2)
    with pytest.raises(mx.MXNetError, match=message):
        mx.io.MNISTIter(**kwargs)


def test_mnistiter_real_mnist_head():
    root = os.path.join(os.environ.get("MINERVA_DATA") or os.path.expanduser("~/.minerva/datasets"), "mnist")
    image, label = os.path.join(root, "t10k-images-idx3-ubyte"), os.path.join(root, "t10k-labels-idx1-ubyte")
    if not (os.path.exists(image) and os.path.exists(label)):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{root} lacks the MNIST files: tools/fetch_data.sh installs them")
        pytest.skip("MNIST is not installed (tools/fetch_data.sh installs it)")
    it = mx.io.MNISTIter(image=image, label=label, batch_size=100, shuffle=False, silent=True)
    b = it.next()
    assert b.data[0].shape == (100, 1, 28, 28)
    assert b.label[0].asnumpy()[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert b.data[0].asnumpy().max() == np.float32(0.99609375)


def test_resize_and_prefetching_iter():
    x = np.arange(10, dtype=np.float32)
    r = mx.io.ResizeIter(mx.io.NDArrayIter(x, batch_size=4, last_batch_handle="discard"), 5)
    assert [b.data[0].asnumpy()[0] for b in r] == [0, 4, 0, 4, 0]
    p = mx.io.PrefetchingIter(mx.io.NDArrayIter(x, np.arange(10), batch_size=5))
    got = [(b.data[0].asnumpy()[0], b.label[0].asnumpy()[0]) for b in p]
    assert got == [(0, 0), (5, 5)] and p.provide_data == [("data", (5,))]
    p.reset()
    assert len(list(p)) == 2
    two = mx.io.PrefetchingIter([mx.io.NDArrayIter(x, batch_size=5), mx.io.NDArrayIter(x * 2, batch_size=5)],
                                rename_data=[{"data": "a"}, {"data": "b"}])
    b = two.next()
    assert len(b.data) == 2 and b.data[1].asnumpy()[1] == 2 and [d.name for d in two.provide_data] == ["a", "b"]
