"""Errors and the status-code check shared by every module (MXNet's ``mxnet.base``)."""
from __future__ import annotations

from ._capi import ffi, lib

__all__ = ["MXNetError", "MinervaError", "NotImplementedForSymbol", "check_call"]


class MinervaError(Exception):
    """Raised for every failure reported by libminerva. ``MXNetError`` is the same class."""


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


class NotImplementedForSymbol(MinervaError):
    pass


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


def check_call(rc: int) -> None:
    """Raises the MinervaError subclass for a non-zero ABI status, with the library's message."""
    if rc:
        msg = ffi.string(lib.MVGetLastError()).decode("utf-8", "replace")
        raise _KIND_TO_CLASS.get(rc, MinervaError)(msg)
