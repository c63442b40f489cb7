"""MNIST, Fashion-MNIST, CIFAR-10 and CIFAR-100 read from local files (MXNet 1.x's
``gluon.data.vision`` datasets). Nothing is ever downloaded: missing files are an error that
names the files and the directories searched (tools/fetch_data.sh installs MNIST and
Fashion-MNIST). Files are validated by their content (header, sizes, label ranges), not by
the SHA-1 of a particular compressed copy, so re-gzipped copies (Debian's) load too."""
from __future__ import annotations

import os

import numpy as np

from .... import base  # noqa: F401  (base, dataset, check_sha1, download, is_np_array: MXNet's module has them)
from .... import ndarray as nd
from ....base import MinervaIOError, data_dir
from ....util import is_np_array  # noqa: F401
from ...utils import check_sha1, download  # noqa: F401
from .. import dataset  # noqa: F401
from ....io.idx import _read_bytes
from ....io.mnist_iter import load_mnist_pair
from ..dataset import Dataset

__all__ = ["CIFAR10", "CIFAR100", "MNIST", "FashionMNIST", "data_root"]

DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


def data_root() -> str:
    """``$MINERVA_DATA``, or ``~/.minerva/datasets``: where tools/fetch_data.sh installs data."""
    return os.environ.get("MINERVA_DATA") or os.path.join(os.path.expanduser("~"), ".minerva", "datasets")


def _mxnet_default_root(name: str) -> str:
    """MXNet's default ``root`` of a data set: ``<data_dir>/datasets/<name>`` (``data_dir`` is
    ``$MXNET_HOME``, else ``~/.mxnet``), fixed when the module is imported, as in MXNet."""
    return os.path.join(data_dir(), "datasets", name)


# MXNet's default roots, fixed at import as MXNet's are.
_MNIST_ROOT = _mxnet_default_root("mnist")
_FASHION_MNIST_ROOT = _mxnet_default_root("fashion-mnist")
_CIFAR10_ROOT = _mxnet_default_root("cifar10")
_CIFAR100_ROOT = _mxnet_default_root("cifar100")


def _under(path: str, directory: str) -> bool:
    path, directory = os.path.abspath(path), os.path.abspath(directory)
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _search_dirs(root, name: str, extra=()) -> list:
    """Where to look: the given root alone, so a mistyped root is an error rather than other data;
    with no root, or MXNet's default (``<data_dir>/datasets/...``, ``~/.mxnet/datasets/...``),
    which MXNet would download into, Minerva's installed data sets too."""
    if root is not None:
        given = os.path.expanduser(os.fspath(root))
        mxnet_defaults = (os.path.join(data_dir(), "datasets"),
                          os.path.join(os.path.expanduser("~"), ".mxnet", "datasets"))
        if not any(_under(given, d) for d in mxnet_defaults):
            return [given]
    dirs = [] if root is None else [given]
    dirs.append(os.path.join(data_root(), name))
    dirs.extend(extra)
    return list(dict.fromkeys(dirs))  # keep order, drop repeats


def _find(what: str, dirs: list, names: list, gz: bool) -> list:
    """Paths of ``names`` (each as is or, with gz, with '.gz') from the first directory that
    has all of them."""
    for d in dirs:
        found = []
        for n in names:
            options = [os.path.join(d, n)] + ([os.path.join(d, n + ".gz")] if gz else [])
            hit = next((p for p in options if os.path.isfile(p)), None)
            if hit is None:
                break
            found.append(hit)
        else:
            return found
    wanted = ", ".join(n + ("[.gz]" if gz else "") for n in names)
    raise MinervaIOError(f"{what}: cannot find {wanted}; looked in: {', '.join(dirs)}. Minerva never downloads "
                         f"data: run tools/fetch_data.sh, or pass root= a directory holding these files")


class _LocalDataset(Dataset):
    """Images in one NDArray (N, H, W, C) uint8 and labels in a numpy int32 array."""

    def __init__(self, transform):
        self._transform = transform
        self._data = None
        self._label = None

    def __getitem__(self, idx):
        if self._transform is not None:
            return self._transform(self._data[idx], self._label[idx])
        return self._data[idx], self._label[idx]

    def __len__(self) -> int:
        return len(self._label)


class MNIST(_LocalDataset):
    """MNIST handwritten digits: samples are (28, 28, 1) uint8 NDArrays, labels int32 scalars.

    ``root`` holds ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``, raw or gzipped (``.gz``). A given
    root is the only place searched, except MXNet's default (``<data_dir>/datasets/mnist``, the
    default here too) or None, after which Minerva's installed data sets
    (``$MINERVA_DATA/mnist``, i.e. ``~/.minerva/datasets/mnist``) are searched. Minerva never
    downloads. ``transform(data, label)`` is applied to each sample."""

    _name = "mnist"
    _files = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
              False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
    _extra_dirs: tuple = ()

    def __init__(self, root=_MNIST_ROOT, train: bool = True, transform=None):
        super().__init__(transform)
        self._train = bool(train)
        dirs = _search_dirs(root, self._name, self._extra_dirs)
        image, label = _find(type(self).__name__, dirs, list(self._files[self._train]), gz=True)
        self.root = os.path.dirname(image)
        images, labels = load_mnist_pair(image, label)
        if images.shape[1:] != (28, 28):
            raise MinervaIOError(f"{os.path.basename(image)}: expected 28x28 images, "
                                 f"got {images.shape[1]}x{images.shape[2]}")
        self._data = nd.array(images.reshape(-1, 28, 28, 1), dtype=np.uint8)
        self._label = labels.astype(np.int32)


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando, MIT): the MNIST layout and file names; installed data in
    ``$MINERVA_DATA/fashion-mnist``, and Debian's ``/usr/share/datasets/fashion-mnist``
    (package dataset-fashion-mnist, gzipped files) is searched last."""

    _name = "fashion-mnist"
    _extra_dirs = (DEBIAN_FASHION_MNIST,)

    def __init__(self, root=_FASHION_MNIST_ROOT, train: bool = True, transform=None):
        super().__init__(root, train, transform)


# The largest CIFAR binary file (CIFAR-100's train.bin) holds 50,000 records; a (gzipped) file
# that decompresses to more is not a CIFAR batch, and reading stops there.
_CIFAR_MAX_RECORDS = 50_000


def _read_cifar(path: str, record: int, label_limits: tuple) -> tuple:
    """Reads a CIFAR binary batch: records of len(label_limits) label bytes then 3x32x32 pixels."""
    raw = _read_bytes(path, _CIFAR_MAX_RECORDS * record)
    name = os.path.basename(path)
    if len(raw) == 0 or len(raw) % record:
        raise MinervaIOError(f"{name}: size {len(raw)} is not a nonzero multiple of the {record}-byte record "
                             f"({len(raw) // record} records and {len(raw) % record} bytes left over)")
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(-1, record)
    nlab = len(label_limits)
    for col, (field, limit) in enumerate(label_limits):
        labels = rows[:, col]
        if int(labels.max()) >= limit:
            bad = int(np.argmax(labels >= limit))
            raise MinervaIOError(f"{name}: {field} {int(labels[bad])} at record {bad} is out of range "
                                 f"(expected 0 to {limit - 1})")
    images = rows[:, nlab:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # NCHW planes -> NHWC
    return images, rows[:, :nlab]


class CIFAR10(_LocalDataset):
    """CIFAR-10 from the binary version: samples are (32, 32, 3) uint8 NDArrays (NHWC, as in
    MXNet), labels int32. ``root`` (searched as MNIST's; installed data: ``$MINERVA_DATA/cifar10``) holds
    ``cifar-10-batches-bin/`` with ``data_batch_1.bin`` .. ``data_batch_5.bin`` and
    ``test_batch.bin`` (3,073-byte records: the label, then the R, G and B planes); the files
    may also lie in root itself."""

    _name = "cifar10"
    _subdir = "cifar-10-batches-bin"
    _record = 3073
    _files = {True: [f"data_batch_{i}.bin" for i in range(1, 6)], False: ["test_batch.bin"]}

    def __init__(self, root=_CIFAR10_ROOT, train: bool = True, transform=None):
        super().__init__(transform)
        self._train = bool(train)
        dirs = []
        for d in _search_dirs(root, self._name):
            dirs += [os.path.join(d, self._subdir), d]
        paths = _find(type(self).__name__, dirs, self._files[self._train], gz=False)
        self.root = os.path.dirname(paths[0])
        parts = [_read_cifar(p, self._record, self._label_limits()) for p in paths]
        images = np.concatenate([p[0] for p in parts])
        labels = np.concatenate([p[1] for p in parts])
        self._data = nd.array(np.ascontiguousarray(images), dtype=np.uint8)
        self._label = labels[:, self._label_column()].astype(np.int32)

    def _label_limits(self) -> tuple:
        return (("label", 10),)

    def _label_column(self) -> int:
        return 0


class CIFAR100(CIFAR10):
    """CIFAR-100 from the binary version: ``cifar-100-binary/train.bin`` and ``test.bin``
    (3,074-byte records: coarse label, fine label, pixels). ``fine_label`` picks the 100 fine
    classes instead of the 20 coarse ones."""

    _name = "cifar100"
    _subdir = "cifar-100-binary"
    _record = 3074
    _files = {True: ["train.bin"], False: ["test.bin"]}

    def __init__(self, root=_CIFAR100_ROOT, fine_label: bool = False, train: bool = True,
                 transform=None):
        self._fine_label = bool(fine_label)
        super().__init__(root, train, transform)

    def _label_limits(self) -> tuple:
        return (("coarse label", 20), ("fine label", 100))

    def _label_column(self) -> int:
        return 1 if self._fine_label else 0
