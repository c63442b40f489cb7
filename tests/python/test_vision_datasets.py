"""gluon.data.vision datasets on files the tests write (valid and corrupt), and on the installed
real data (the image transforms are tested in test_vision_transforms.py)."""
import gzip
import os
import struct

import minerva as mx
import numpy as np
import pytest
from minerva.gluon.data.vision import CIFAR10, CIFAR100, MNIST, FashionMNIST

TRAIN = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
TEST = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def idx_bytes(array, code=0x08):
    return bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape) + array.tobytes()


def write_mnist(root, count, names=TEST, gz=False, images=None, labels=None):
    os.makedirs(root, exist_ok=True)
    images = np.random.randint(0, 256, size=(count, 28, 28)).astype(np.uint8) if images is None else images
    labels = np.random.randint(0, 10, size=count).astype(np.uint8) if labels is None else labels
    for name, body in zip(names, (idx_bytes(images), idx_bytes(labels))):
        path = os.path.join(root, name + (".gz" if gz else ""))
        with open(path, "wb") as f:
            f.write(gzip.compress(body) if gz else body)
    return images, labels


@pytest.mark.parametrize("count", [1, 7, 1000])
@pytest.mark.parametrize("gz", [False, True])
def test_mnist_round_trip(tmp_path, count, gz):
    images, labels = write_mnist(str(tmp_path), count, gz=gz)
    ds = MNIST(root=str(tmp_path), train=False)
    assert len(ds) == count
    data, label = ds[count - 1]
    assert isinstance(data, mx.nd.NDArray) and data.shape == (28, 28, 1) and data.dtype == np.uint8
    assert isinstance(label, np.int32) and label == labels[-1]
    np.testing.assert_array_equal(data.asnumpy()[:, :, 0], images[-1])


def test_mnist_train_split_transform_and_env_root(tmp_path, monkeypatch):
    images, labels = write_mnist(str(tmp_path / "mnist"), 3, names=TRAIN)
    monkeypatch.setenv("MINERVA_DATA", str(tmp_path))
    ds = MNIST(transform=lambda x, y: (x.astype("float32") / 255, int(y) + 100))  # default root from the env
    x, y = ds[1]
    assert y == labels[1] + 100
    np.testing.assert_allclose(x.asnumpy()[:, :, 0], images[1] / 255.0, rtol=1e-6)
    assert ds.root == str(tmp_path / "mnist")


def test_fashion_mnist_reads_gz_from_its_root(tmp_path):
    _, labels = write_mnist(str(tmp_path), 4, gz=True)
    ds = FashionMNIST(root=str(tmp_path), train=False)
    assert [int(ds[i][1]) for i in range(4)] == labels.tolist()


@pytest.mark.parametrize("corrupt,message", [
    (lambda img, lab: (img[:-5], lab), "truncated"),
    (lambda img, lab: (img + b"\0", lab), "trailing"),
    (lambda img, lab: (b"\1" + img[1:], lab), "bad magic"),
    (lambda img, lab: (img, lab[:-1] + b"\x0a"), "label 10 at record 6 is out of range"),
    (lambda img, lab: (img, idx_bytes(np.zeros(6, np.uint8))), "count mismatch"),
    (lambda img, lab: (gzip.compress(img)[:-20], lab), "gzip"),
    (lambda img, lab: (idx_bytes(np.zeros((7, 27, 27), np.uint8)), lab), "28x28"),
    (lambda img, lab: (b"", lab), "shorter than"),
])
def test_mnist_bad_files(tmp_path, corrupt, message):
    images = np.random.randint(0, 256, size=(7, 28, 28)).astype(np.uint8)
    labels = np.arange(7, dtype=np.uint8)
    img, lab = corrupt(idx_bytes(images), idx_bytes(labels))
    (tmp_path / TEST[0]).write_bytes(img)
    (tmp_path / TEST[1]).write_bytes(lab)
    with pytest.raises(mx.MXNetError, match=message):
        MNIST(root=str(tmp_path), train=False)


def test_missing_files_name_files_and_directories(tmp_path, monkeypatch):
    monkeypatch.setenv("MINERVA_DATA", str(tmp_path / "data"))
    with pytest.raises(OSError) as info:
        MNIST(root=str(tmp_path / "nowhere"))
    msg = str(info.value)
    assert "train-images-idx3-ubyte[.gz]" in msg and "train-labels-idx1-ubyte[.gz]" in msg
    assert str(tmp_path / "nowhere") in msg
    assert str(tmp_path / "data" / "mnist") not in msg  # a given root is the only place searched
    assert "never downloads" in msg
    with pytest.raises(OSError) as info:
        MNIST()
    assert str(tmp_path / "data" / "mnist") in str(info.value)  # without a root: the installed sets
    with pytest.raises(OSError, match="test_batch.bin"):
        CIFAR10(root=str(tmp_path), train=False)


def cifar_records(n, nlabels=1, labels=None):
    labels = np.random.randint(0, 10, size=(n, nlabels)).astype(np.uint8) if labels is None else labels
    pixels = np.random.randint(0, 256, size=(n, 3072)).astype(np.uint8)
    return np.concatenate([labels, pixels], axis=1), pixels


@pytest.mark.parametrize("count", [1, 3, 10000])
def test_cifar10_round_trip(tmp_path, count):
    d = tmp_path / "cifar-10-batches-bin"
    d.mkdir()
    rows, pixels = cifar_records(count)
    (d / "test_batch.bin").write_bytes(rows.tobytes())
    ds = CIFAR10(root=str(tmp_path), train=False)
    assert len(ds) == count
    x, y = ds[count - 1]
    assert x.shape == (32, 32, 3) and x.dtype == np.uint8 and isinstance(y, np.int32) and y == rows[-1, 0]
    planes = pixels[-1].reshape(3, 32, 32)
    got = x.asnumpy()
    assert got[5, 7, 0] == planes[0, 5, 7] and got[5, 7, 1] == planes[1, 5, 7] and got[31, 0, 2] == planes[2, 31, 0]
    np.testing.assert_array_equal(got, planes.transpose(1, 2, 0))


def test_cifar10_train_batches_in_order(tmp_path):
    for i in range(1, 6):
        rows, _ = cifar_records(1, labels=np.array([[i]], np.uint8))
        (tmp_path / f"data_batch_{i}.bin").write_bytes(rows.tobytes())  # files directly in root work too
    ds = CIFAR10(root=str(tmp_path))
    assert [int(ds[i][1]) for i in range(5)] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("make,message", [
    (lambda: cifar_records(2)[0].tobytes()[:-1], "not a nonzero multiple of the 3073-byte record"),
    (lambda: cifar_records(2, nlabels=2)[0].tobytes(), "3073-byte record"),
    (lambda: cifar_records(3, labels=np.array([[1], [10], [2]], np.uint8))[0].tobytes(),
     "label 10 at record 1 is out of range"),
    (lambda: b"", "not a nonzero multiple"),
])
def test_cifar10_bad_files(tmp_path, make, message):
    (tmp_path / "test_batch.bin").write_bytes(make())
    with pytest.raises(mx.MXNetError, match=message):
        CIFAR10(root=str(tmp_path), train=False)


def test_cifar100_labels(tmp_path):
    d = tmp_path / "cifar-100-binary"
    d.mkdir()
    rows, _ = cifar_records(3, nlabels=2, labels=np.array([[1, 50], [19, 99], [0, 7]], np.uint8))
    (d / "test.bin").write_bytes(rows.tobytes())
    assert [int(CIFAR100(root=str(tmp_path), train=False)[i][1]) for i in range(3)] == [1, 19, 0]
    fine = CIFAR100(root=str(tmp_path), train=False, fine_label=True)
    assert [int(fine[i][1]) for i in range(3)] == [50, 99, 7] and fine[0][0].shape == (32, 32, 3)
    bad, _ = cifar_records(1, nlabels=2, labels=np.array([[20, 3]], np.uint8))
    (d / "test.bin").write_bytes(bad.tobytes())
    with pytest.raises(mx.MXNetError, match="coarse label 20"):
        CIFAR100(root=str(tmp_path), train=False)


def require(path):
    if not os.path.exists(path):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing: tools/fetch_data.sh installs it")
        pytest.skip(f"{path} is not installed (tools/fetch_data.sh installs it)")


def test_real_mnist_and_fashion_mnist_heads():
    root = os.path.join(os.environ.get("MINERVA_DATA") or os.path.expanduser("~/.minerva/datasets"), "mnist")
    require(os.path.join(root, TEST[1]))
    ds = MNIST(train=False)
    assert len(ds) == 10000 and [int(ds[i][1]) for i in range(10)] == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    require("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
    fashion = FashionMNIST(train=False)
    assert len(fashion) == 10000 and [int(fashion[i][1]) for i in range(10)] == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]
