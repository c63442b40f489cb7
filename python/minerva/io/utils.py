"""``mx.io.utils``: the names of MXNet's module of NDArrayIter's input helpers (Minerva's NDArrayIter
takes its inputs in io.py). ``h5py`` is the module when it is installed, else None, as in MXNet."""
import numpy as np  # noqa: F401

from ..ndarray import NDArray, array  # noqa: F401

try:
    import h5py
except ImportError:
    h5py = None

__all__ = ["NDArray", "array", "h5py", "np"]
