"""``mx.log``: loggers with MXNet 1.x's format (``mxnet.log``): a level letter, the time, the
source file and line, then the message — ``I1207 19:52:01 3412 train.py:10] epoch 1``."""
from __future__ import annotations

import logging
import os
import sys
import time
import warnings

CRITICAL = logging.CRITICAL
ERROR = logging.ERROR
WARNING = logging.WARNING
INFO = logging.INFO
DEBUG = logging.DEBUG
NOTSET = logging.NOTSET

_LETTER = {CRITICAL: "C", ERROR: "E", WARNING: "W", INFO: "I", DEBUG: "D"}
_COLOUR = {CRITICAL: "\x1b[35m", ERROR: "\x1b[31m", WARNING: "\x1b[33m", INFO: "\x1b[32m", DEBUG: "\x1b[34m"}


class _Formatter(logging.Formatter):
    """MXNet's one-line format; coloured when writing to a terminal."""

    def __init__(self, colored: bool) -> None:
        super().__init__(datefmt="%m%d %H:%M:%S")
        self._colored = colored

    def format(self, record) -> str:
        letter = _LETTER.get(record.levelno, "U")
        if self._colored:
            letter = _COLOUR.get(record.levelno, "") + letter + "\x1b[0m"
        stamp = time.strftime(self.datefmt, time.localtime(record.created))
        head = f"{letter}{stamp} {record.process} {os.path.basename(record.pathname)}:{record.lineno}]"
        return f"{head} {record.getMessage()}" + (("\n" + self.formatException(record.exc_info))
                                                   if record.exc_info else "")


def get_logger(name=None, filename=None, filemode=None, level=WARNING):
    """The logger called name (the root logger for None), set up once with MXNet's format:
    to filename (opened with filemode, default 'a') or else to stderr, at level."""
    logger = logging.getLogger(name)
    if name is not None and not getattr(logger, "_init_done", False):
        logger._init_done = True
        if filename:
            handler = logging.FileHandler(filename, filemode or "a")
        else:
            handler = logging.StreamHandler()
        stream = getattr(handler, "stream", None)
        colored = not filename and sys.platform != "win32" and hasattr(stream, "isatty") and stream.isatty()
        handler.setFormatter(_Formatter(colored))
        logger.addHandler(handler)
    logger.setLevel(level)
    return logger


def getLogger(name=None, filename=None, filemode=None, level=WARNING):  # noqa: N802 - MXNet's name
    """Deprecated spelling of get_logger."""
    warnings.warn("getLogger is deprecated, use get_logger instead", DeprecationWarning, stacklevel=2)
    return get_logger(name, filename, filemode, level)
