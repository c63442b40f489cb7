"""``mx.io``: data formats and iterators (MXNet 1.x's ``mxnet.io``)."""
from .idx import read_idx  # noqa: F401
from .io import DataBatch, DataDesc, DataIter, NDArrayIter, PrefetchingIter, ResizeIter  # noqa: F401
from .mnist_iter import MNISTIter  # noqa: F401
