"""``mx.io``: data formats and iterators (MXNet 1.x's ``mxnet.io``)."""
from .csv_iter import CSVIter  # noqa: F401
from .idx import read_idx  # noqa: F401
from .io import DataBatch, DataDesc, DataIter, NDArrayIter, PrefetchingIter, ResizeIter  # noqa: F401
from .libsvm_iter import LibSVMIter  # noqa: F401
from .mnist_iter import MNISTIter  # noqa: F401
from .mx_data_iter import MXDataIter  # noqa: F401
