"""Data helpers (MXNet 1.x's ``test_utils``): downloads, MNIST and CIFAR-10 readers, DummyIter.

MXNet's MNIST and CIFAR-10 helpers download from data.mxnet.io into the current directory.
Minerva never fetches data sets: the MNIST helpers use files already in the current directory
(where MXNet would have put them) or Minerva's installed copy (``$MINERVA_DATA/mnist``,
installed by tools/fetch_data.sh), and fail naming the places they looked otherwise."""
from __future__ import annotations

import bz2
import gzip
import os
import pickle
import shutil
import zipfile

import numpy as np

from .. import io as mx_io
from ..base import MinervaIOError
from ..io.idx import read_idx, read_idx_bytes

_MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte")


def download(url, fname=None, dirname=None, overwrite=False, retries=5) -> str:
    """Downloads url to dirname/fname (fname defaults to the URL's last component) unless the
    file exists and not overwrite; returns the file's path. See gluon.utils.download."""
    from ..gluon.utils import download as gluon_download
    assert retries >= 0, "Number of retries should be at least 0"
    fname = fname or url.split("/")[-1]
    if dirname is not None:
        fname = os.path.join(dirname, fname)
    return gluon_download(url, path=fname, overwrite=overwrite, retries=retries)


def _installed_mnist_dir() -> str:
    from ..gluon.data.vision.datasets import data_root
    return os.path.join(data_root(), "mnist")


def _find_mnist(name: str, dirs: list) -> str:
    """The path of MNIST file name (raw or .gz) in the first of dirs that has it."""
    for d in dirs:
        for candidate in (os.path.join(d, name), os.path.join(d, name + ".gz")):
            if os.path.isfile(candidate):
                return candidate
    raise MinervaIOError(f"MNIST: cannot find {name}[.gz]; looked in: {', '.join(dirs)}. Minerva never downloads "
                         "data sets: run tools/fetch_data.sh (it installs MNIST into $MINERVA_DATA/mnist)")


def _mnist_arrays(dirs: list) -> dict:
    def images(name):
        raw = read_idx(_find_mnist(name, dirs))
        return raw.reshape(raw.shape[0], 1, 28, 28).astype(np.float32) / 255

    def labels(name):
        return read_idx(_find_mnist(name, dirs)).astype(np.int8)

    return {"train_data": images(_MNIST_FILES[0]), "train_label": labels(_MNIST_FILES[1]),
            "test_data": images(_MNIST_FILES[2]), "test_label": labels(_MNIST_FILES[3])}


def get_mnist() -> dict:
    """MNIST as numpy arrays: train_data/test_data (N, 1, 28, 28) float32 in [0, 1],
    train_label/test_label int8."""
    return _mnist_arrays([os.getcwd(), _installed_mnist_dir()])


def get_mnist_ubyte() -> None:
    """Makes sure ./data holds the four raw MNIST IDX files, copying them from the installed
    data set when missing."""
    os.makedirs("data", exist_ok=True)
    for name in _MNIST_FILES:
        target = os.path.join("data", name)
        if os.path.exists(target):
            continue
        source = _find_mnist(name, [_installed_mnist_dir()])
        temp = target + ".part"
        # Validated as read_idx validates: the decompressed size is what the IDX header promises.
        with open(temp, "wb") as dst:
            dst.write(read_idx_bytes(source))
        os.replace(temp, target)


def get_mnist_pkl() -> None:
    """Makes sure ./data/mnist.pkl.gz exists: the classic pickle of (train, valid, test) sets,
    each (images (N, 784) float32 in [0, 1], labels int64), train and valid being the first
    50,000 and last 10,000 MNIST training images. Built from the installed data set."""
    os.makedirs("data", exist_ok=True)
    target = os.path.join("data", "mnist.pkl.gz")
    if os.path.exists(target):
        return
    arrays = _mnist_arrays([os.path.join(os.getcwd(), "data"), _installed_mnist_dir()])

    def flat(images, labels):
        return images.reshape(len(images), 784), labels.astype(np.int64)

    train = flat(arrays["train_data"], arrays["train_label"])
    sets = ((train[0][:50000], train[1][:50000]), (train[0][50000:], train[1][50000:]),
            flat(arrays["test_data"], arrays["test_label"]))
    temp = target + ".part"
    with gzip.open(temp, "wb") as f:
        pickle.dump(sets, f, protocol=2)
    os.replace(temp, target)


def get_cifar10() -> None:
    """Checks that ./data/cifar holds CIFAR-10 as RecordIO (train.rec, test.rec, train.lst,
    test.lst); Minerva never downloads data sets and none of its installed sets is CIFAR-10."""
    names = ["train.rec", "test.rec", "train.lst", "test.lst"]
    missing = [n for n in names if not os.path.exists(os.path.join("data", "cifar", n))]
    if missing:
        raise MinervaIOError(f"get_cifar10: data/cifar lacks {', '.join(missing)}; Minerva never downloads data "
                             "sets: put MXNet's cifar10.zip contents in data/cifar")


def get_mnist_iterator(batch_size, input_shape, num_parts=1, part_index=0) -> tuple:
    """(train, validation) MNISTIter over ./data (see get_mnist_ubyte); flat images unless
    input_shape has three dimensions."""
    get_mnist_ubyte()
    flat = len(input_shape) != 3
    common = {"batch_size": batch_size, "flat": flat, "num_parts": num_parts, "part_index": part_index}
    train = mx_io.MNISTIter(image="data/train-images-idx3-ubyte", label="data/train-labels-idx1-ubyte",
                            input_shape=input_shape, shuffle=True, **common)
    val = mx_io.MNISTIter(image="data/t10k-images-idx3-ubyte", label="data/t10k-labels-idx1-ubyte",
                          input_shape=input_shape, **common)
    return train, val


def get_zip_data(data_dir, url, data_origin_name) -> None:
    """Downloads url into data_dir as data_origin_name unless it is there, and extracts it."""
    archive = os.path.join(data_dir, data_origin_name)
    if not os.path.exists(archive):
        download(url, dirname=data_dir, overwrite=False)
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(path=data_dir)


def get_bz2_data(data_dir, data_name, url, data_origin_name) -> None:
    """Downloads url into data_dir as data_origin_name unless data_dir/data_name exists, then
    decompresses it to data_name and removes the archive."""
    target = os.path.join(data_dir, data_name)
    archive = os.path.join(data_dir, data_origin_name)
    if not os.path.exists(target):
        download(url, fname=archive, overwrite=False)
        with bz2.BZ2File(archive, "rb") as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.remove(archive)


_MODEL_URL = "http://data.mxnet.io/models/"
_DEFAULT_MODELS = {
    "imagenet1k-inception-bn": "imagenet/inception-bn/Inception-BN",
    "imagenet1k-resnet-18": "imagenet/resnet/18-layers/resnet-18",
    "imagenet1k-resnet-34": "imagenet/resnet/34-layers/resnet-34",
    "imagenet1k-resnet-50": "imagenet/resnet/50-layers/resnet-50",
    "imagenet1k-resnet-101": "imagenet/resnet/101-layers/resnet-101",
    "imagenet1k-resnet-152": "imagenet/resnet/152-layers/resnet-152",
    "imagenet1k-resnext-50": "imagenet/resnext/50-layers/resnext-50",
    "imagenet1k-resnext-101": "imagenet/resnext/101-layers/resnext-101",
    "imagenet1k-resnext-101-64x4d": "imagenet/resnext/101-layers/resnext-101-64x4d",
    "imagenet11k-resnet-152": "imagenet-11k/resnet-152/resnet-152",
    "imagenet11k-place365ch-resnet-152": "imagenet-11k-place365-ch/resnet-152",
    "imagenet11k-place365ch-resnet-50": "imagenet-11k-place365-ch/resnet-50",
}


def download_model(model_name, dst_dir="./", meta_info=None) -> tuple:
    """Downloads model_name's symbol and parameters (URLs from meta_info, {name: {'symbol':
    url, 'params': url}}, or MXNet's model list) into dst_dir as NAME-symbol.json and
    NAME-0000.params; returns (path prefix, 0), or (None, 0) for an unknown name."""
    if meta_info is None:
        epoch = {"imagenet1k-inception-bn": "0126"}
        meta_info = {name: {"symbol": f"{_MODEL_URL}{stem}-symbol.json",
                            "params": f"{_MODEL_URL}{stem}-{epoch.get(name, '0000')}.params"}
                     for name, stem in _DEFAULT_MODELS.items()}
    meta_info = dict(meta_info)
    if model_name not in meta_info:
        return (None, 0)
    if not os.path.isdir(dst_dir):
        os.mkdir(dst_dir)
    meta = dict(meta_info[model_name])
    prefix = os.path.join(dst_dir, model_name)
    assert "symbol" in meta, "missing symbol url"
    download(meta["symbol"], prefix + "-symbol.json")
    assert "params" in meta, "missing parameter file url"
    download(meta["params"], prefix + "-0000.params")
    return (prefix, 0)


def get_im2rec_path(home_env="MXNET_HOME") -> str:
    """The path of tools/im2rec.py under $home_env, or under the package directory."""
    import minerva
    root = os.environ.get(home_env) or os.path.dirname(minerva.__file__)
    for candidate in (os.path.join(root, "tools", "im2rec.py"), os.path.join(root, "..", "..", "tools", "im2rec.py")):
        if os.path.isfile(candidate):
            return candidate
    raise OSError("Could not find path to tools/im2rec.py")


class DummyIter(mx_io.DataIter):
    """Returns the first batch of real_iter forever (for speed tests); never raises
    StopIteration."""

    def __init__(self, real_iter) -> None:
        super().__init__()
        self.real_iter = real_iter
        self.provide_data = real_iter.provide_data
        self.provide_label = real_iter.provide_label
        self.batch_size = real_iter.batch_size
        self.the_batch = next(real_iter)

    def __iter__(self):
        return self

    def next(self):
        return self.the_batch
