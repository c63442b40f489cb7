"""``mx.io.CSVIter``, ``LibSVMIter`` and ``MNISTIter`` as MXNet 1.x has them: functions that take
keyword arguments only and return the iterator, an ``MXDataIter`` (MXNet generates one such
function per iterator of its C++ registry). The classes behind them stay importable from
csv_iter.py, libsvm_iter.py and mnist_iter.py."""
from __future__ import annotations

import inspect

from ..base import MinervaValueError
from . import csv_iter, libsvm_iter, mnist_iter

__all__ = ["CSVIter", "LibSVMIter", "MNISTIter"]


def _iterator_function(cls):
    name = cls.__name__
    required = [p.name for p in inspect.signature(cls).parameters.values()
                if p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD]

    def create(*args, **kwargs):
        # MXNet parses the keyword arguments first (a missing one is an MXNetError, whether or not
        # it was given by position), then refuses positional ones.
        missing = [p for p in required if p not in kwargs]
        if missing:
            raise MinervaValueError(f"{name}: Required parameter {missing[0]} is not presented")
        if args:
            raise TypeError(f"{name} can only accept keyword arguments")
        return cls(**kwargs)

    create.__name__ = create.__qualname__ = name
    create.__module__ = "minerva.io.io"
    create.__doc__ = (f"{cls.__doc__}\n\n    Keyword arguments only: {name}{inspect.signature(cls)}.\n"
                      f"    Returns an MXDataIter (the class {cls.__module__}.{name}).")
    return create


CSVIter = _iterator_function(csv_iter.CSVIter)
LibSVMIter = _iterator_function(libsvm_iter.LibSVMIter)
MNISTIter = _iterator_function(mnist_iter.MNISTIter)
