"""``mx.io``: data formats and iterators (MXNet 1.x's ``mxnet.io``)."""
from . import io, utils  # noqa: F401
from .idx import read_idx  # noqa: F401
from .io import DataBatch, DataDesc, DataIter, NDArrayIter, PrefetchingIter, ResizeIter  # noqa: F401
from .iter_functions import CSVIter, LibSVMIter, MNISTIter  # noqa: F401
from .mx_data_iter import MXDataIter  # noqa: F401

# mxnet.io.io holds MXDataIter and the iterator functions too (MXNet code imports them from it).
for _name in ("CSVIter", "LibSVMIter", "MNISTIter", "MXDataIter"):
    setattr(io, _name, globals()[_name])
    io.__all__.append(_name)
del _name
