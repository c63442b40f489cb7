"""Errors, the status-code check and the small helpers MXNet's ``mxnet.base`` gives user code
(``py_str``, ``string_types``, ``numeric_types``, ``classproperty``, ``data_dir``, ``_Null``...).
The ctypes plumbing of MXNet's base (``c_array``, ``*Handle``, ``_LIB``) has no counterpart: the
binding is cffi over libminerva's ABI (docs/api_conformance.md)."""
from __future__ import annotations

import inspect
import os
import platform
import sys

import numpy as np

from . import libinfo  # noqa: F401  (MXNet's base exports it)
from ._capi import ffi, lib

__all__ = ["MXNetError", "MinervaError", "NotImplementedForSymbol", "check_call"]

string_types = (str,)
numeric_types = (float, int, np.generic)
integer_types = (int, np.int32, np.int64)
basestring = str  # Python 2 names that MXNet 1.x still exports
long = int
mx_real_t = np.float32  # the default real type of arrays


class _NullType:
    """The type of ``_Null``: "argument not given", distinct from None (which may be a value)."""

    def __repr__(self) -> str:
        return "_Null"


_Null = _NullType()


def py_str(x) -> str:
    """A bytes value from the library as str (UTF-8)."""
    return x.decode("utf-8")


class MinervaError(RuntimeError):
    """Raised for every failure reported by libminerva. ``MXNetError`` is the same class; as in
    MXNet it is a RuntimeError."""


MXNetError = MinervaError


class MinervaValueError(MinervaError, ValueError):
    pass


class MinervaTypeError(MinervaError, TypeError):
    pass


class MinervaIndexError(MinervaError, IndexError):
    pass


class MinervaKeyError(MinervaError, KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class MinervaNotFoundError(MinervaError, LookupError):
    pass


class MinervaIOError(MinervaError, OSError):
    pass


class MinervaMemoryError(MinervaError, MemoryError):
    pass


class MinervaUnsupportedError(MinervaError, NotImplementedError):
    pass


def _only_in_ndarray(function, alias, args, what: str) -> str:
    name = function if isinstance(function, str) else getattr(function, "__name__", repr(function))
    text = f"Function {name}"
    if alias:
        text += f' (namely operator "{alias}")'
    if args:
        text += " with arguments (" + ", ".join(str(type(a)) for a in args) + ")"
    return text + f" is not {what} and only available in NDArray."


class NotImplementedForSymbol(MinervaError):
    """An NDArray-only function called on a Symbol. function is the function (or its name),
    alias the operator name users know it by."""

    def __init__(self, function, alias=None, *args) -> None:
        super().__init__(_only_in_ndarray(function, alias, args, "implemented for Symbol"))
        self.function, self.alias, self.args_ = function, alias, args


class NotSupportedForSparseNDArray(MinervaError):
    """A dense-only function called on a sparse array (kept for MXNet code that catches it;
    Minerva's arrays are dense)."""

    def __init__(self, function, alias=None, *args) -> None:
        super().__init__(_only_in_ndarray(function, alias, args, "supported for SparseNDArray"))
        self.function, self.alias, self.args_ = function, alias, args


class _ClassProperty:
    def __init__(self, func) -> None:
        self.fget = func
        self.__doc__ = func.__doc__

    def __get__(self, obj, owner):
        return self.fget(owner)


def classproperty(func):
    """Decorator: a read-only property computed from the class itself (``cls.current``)."""
    return _ClassProperty(func)


def with_metaclass(meta, *bases):
    """A base class that makes its subclasses instances of meta (the Python 2 and 3 idiom)."""
    class _Temporary(meta):
        def __new__(mcs, name, this_bases, namespace):
            return meta(name, bases, namespace)
    return type.__new__(_Temporary, "temporary_class", (), {})


def data_dir_default() -> str:
    """Where downloads go unless MXNET_HOME says otherwise: %APPDATA%\\mxnet on Windows, else ~/.mxnet."""
    if platform.system() == "Windows":
        return os.path.join(os.environ.get("APPDATA", ""), "mxnet")
    return os.path.join(os.path.expanduser("~"), ".mxnet")


def data_dir() -> str:
    """The directory for downloaded data and models: $MXNET_HOME, else data_dir_default()."""
    return os.getenv("MXNET_HOME", data_dir_default())


# Indexed by MVErrorKind (c_api.h).
_KIND_TO_CLASS = {
    1: MinervaValueError,
    2: MinervaTypeError,
    3: MinervaIndexError,
    4: MinervaKeyError,
    5: MinervaNotFoundError,
    6: MinervaIOError,
    7: MinervaMemoryError,
    8: MinervaUnsupportedError,
    9: MinervaValueError,
    10: MinervaError,
}


def check_call(ret: int) -> None:
    """Raises the MinervaError subclass for a non-zero ABI status, with the library's message."""
    if ret:
        msg = ffi.string(lib.MVGetLastError()).decode("utf-8", "replace")
        raise _KIND_TO_CLASS.get(ret, MinervaError)(msg)


# Error classes by name (MXNet's error_types): mx.error.register adds to it.
error_types = {"NotImplementedForSymbol": NotImplementedForSymbol, "ValueError": ValueError,
               "TypeError": TypeError, "AttributeError": AttributeError, "IndexError": IndexError,
               "NotImplementedError": NotImplementedError}


def register_error(func_name=None, cls=None):
    """Registers an error class in error_types under func_name (default: the class's name);
    usable as ``@register_error`` or ``@register_error("Name")``."""
    if callable(func_name):
        cls, func_name = func_name, None

    def register(klass):
        error_types[func_name if isinstance(func_name, str) else klass.__name__] = klass
        return klass
    return register if cls is None else register(cls)


def build_param_doc(arg_names, arg_types, arg_descs, remove_dup=True) -> str:
    """A numpydoc "Parameters" section from parallel lists of names, types and descriptions;
    repeated names once when remove_dup; num_args (filled in from the inputs) left out."""
    seen, entries = set(), []
    for name, type_info, desc in zip(arg_names, arg_types, arg_descs):
        if name == "num_args" or (remove_dup and name in seen):
            continue
        seen.add(name)
        entries.append(f"{name} : {type_info}" + (f"\n    {desc}" if desc else ""))
    return "Parameters\n----------\n" + "\n".join(entries) + "\n"


def add_fileline_to_docstring(module, incursive=True) -> None:
    """Appends "From:<file>:<line>" to the docstring of each function (and, when incursive, of
    each class's functions) defined in module (a module or its name)."""
    def add(obj) -> None:
        if not obj.__doc__ or "From:" in obj.__doc__:
            return
        try:
            fname, line = inspect.getsourcefile(obj), inspect.getsourcelines(obj)[-1]
        except (OSError, TypeError):
            return
        if fname:
            obj.__doc__ += f"\n\nFrom:{fname}:{line}"

    if isinstance(module, str):
        module = sys.modules[module]
    for _, obj in inspect.getmembers(module):
        if inspect.isfunction(obj):
            add(obj)
        elif inspect.ismethod(obj):
            add(obj.__func__)
        elif inspect.isclass(obj) and incursive:
            add_fileline_to_docstring(obj, False)
