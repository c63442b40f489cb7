"""``mx.libinfo``: where the native library and the C headers are (MXNet 1.x's ``mxnet.libinfo``).

MXNet's library is libmxnet; here the library behind the same API is libminerva, so the default
prefix 'libmxnet' means "the library this package runs on"."""
from __future__ import annotations

import os
import pathlib

from ._capi import LIBRARY_PATH

__all__ = ["find_include_path", "find_lib_path"]

_HERE = pathlib.Path(__file__).resolve().parent


def find_lib_path(prefix="libmxnet") -> list:
    """Paths of the native library: the loaded libminerva for prefix 'libmxnet' or 'libminerva';
    for another prefix, ``<prefix>.so`` next to it, if it exists. Raises RuntimeError when none
    is found."""
    if prefix in ("libmxnet", "libminerva"):
        return [str(LIBRARY_PATH)]
    candidate = pathlib.Path(LIBRARY_PATH).parent / f"{prefix}.so"
    if candidate.is_file():
        return [str(candidate)]
    raise RuntimeError(f"find_lib_path: cannot find {prefix}.so next to {LIBRARY_PATH}")


def find_include_path() -> str:
    """The directory holding ``minerva/c_api.h``: $MINERVA_INCLUDE_PATH, the installed package's
    include/, or capi/include of a source checkout. Raises RuntimeError when none has it."""
    candidates = [os.environ.get("MINERVA_INCLUDE_PATH"), _HERE / "include", _HERE.parent.parent / "capi" / "include"]
    for path in candidates:
        if path and (pathlib.Path(path) / "minerva" / "c_api.h").is_file():
            return str(pathlib.Path(path)) + os.sep
    raise RuntimeError("find_include_path: cannot find minerva/c_api.h (looked in: "
                       + ", ".join(str(p) for p in candidates if p) + ")")
