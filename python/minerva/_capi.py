"""The only module that touches libminerva: finds the library, loads it with cffi and checks
its ABI level (ABI.md rule 4). Everything else imports ``ffi`` and ``lib`` from here."""
from __future__ import annotations

import os
import pathlib

import cffi

_HERE = pathlib.Path(__file__).resolve().parent
ABI_VERSION = 3  # the MV_ABI_VERSION this package was written against

ffi = cffi.FFI()
ffi.cdef((_HERE / "_cdef.h").read_text())


def _candidates() -> list[pathlib.Path]:
    env = os.environ.get("MINERVA_LIBRARY_PATH")
    paths = [pathlib.Path(env)] if env else []
    paths.append(_HERE / "lib" / "libminerva.so")  # installed by pip / scikit-build-core
    repo = _HERE.parent.parent
    paths.append(repo / "build" / "libminerva.so")  # a source checkout after `make build`
    return paths


def _load():
    # Note [One threading layer] (core/kernels/blas/gemm.cc): the core parallelises GEMM with
    # OpenMP and keeps OpenBLAS single-threaded. OpenBLAS reads this variable when it loads,
    # before any call could change it; workers it started would spin against OpenMP's.
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    # libgomp's idle workers spin up to 300,000 rounds before sleeping; on a busy machine (a
    # DataLoader's workers, another process) that spinning took the cores the next operator
    # needed: a LeNet step went from 53 ms to 128 ms. 100,000 rounds keeps the idle-machine
    # speed and the busy-machine one (docs/env.md). Read once, when libgomp loads.
    os.environ.setdefault("GOMP_SPINCOUNT", "100000")
    tried = []
    for path in _candidates():
        if path.is_file():
            return ffi.dlopen(str(path)), path
        tried.append(str(path))
    raise ImportError("libminerva.so not found; run `make build` or `pip install .` (looked in: "
                      + ", ".join(tried) + ")")


lib, LIBRARY_PATH = _load()


def _check_abi() -> None:
    level = ffi.new("int*")
    if lib.MVGetABIVersion(level) != 0 or level[0] < ABI_VERSION:
        raise ImportError(f"{LIBRARY_PATH} provides ABI level {level[0]}, but this minerva package "
                          f"needs level {ABI_VERSION}; rebuild the library")
    # Resolve every declared function now, so a missing symbol fails at import, not mid-run.
    missing = [name for name in dir(lib) if name.startswith("MV") and not name.startswith("MV_")
               and _missing(name)]
    if missing:
        raise ImportError(f"{LIBRARY_PATH} lacks functions: {', '.join(missing)}")


def _missing(name: str) -> bool:
    try:
        getattr(lib, name)
        return False
    except (AttributeError, NotImplementedError):
        return True


_check_abi()
