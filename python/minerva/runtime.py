"""``mx.runtime``: the features this build of the library has (MXNet 1.x's ``mxnet.runtime``).

The answers come from the library's build information (``MVGetBuildInfo``). Every feature name
MXNet 1.9.1 reports is listed, so code asking about any of them gets an answer: a GPU backend
(CUDA, cuDNN, NCCL, TensorRT), distributed KVStore, OpenCV, TVM, jemalloc, Caffe and the profiler
hooks of MXNet's C++ core are not part of Minerva's build; nor are CPU instruction-set flags (the
library is compiled for any x86-64, and oneDNN picks vector instructions at run time)."""
from __future__ import annotations

import collections
import json

from ._capi import ffi, lib
from .base import check_call

__all__ = ["Feature", "Features", "check_call", "feature_list"]

_MXNET_FEATURES = ("CUDA", "CUDNN", "NCCL", "CUDA_RTC", "TENSORRT", "CPU_SSE", "CPU_SSE2", "CPU_SSE3", "CPU_SSE4_1",
                   "CPU_SSE4_2", "CPU_SSE4A", "CPU_AVX", "CPU_AVX2", "OPENMP", "SSE", "F16C", "JEMALLOC",
                   "BLAS_OPEN", "BLAS_ATLAS", "BLAS_MKL", "BLAS_APPLE", "LAPACK", "MKLDNN", "OPENCV", "CAFFE",
                   "PROFILER", "DIST_KVSTORE", "CXX14", "INT64_TENSOR_SIZE", "SIGNAL_HANDLER", "DEBUG", "TVM_OP")


def build_info() -> dict:
    """The library's build information: version, abi, blas, openmp, onednn, cuda, engine."""
    out = ffi.new("const char**")
    check_call(lib.MVGetBuildInfo(out))
    return json.loads(ffi.string(out[0]).decode())


def _enabled(info: dict) -> dict:
    blas = str(info.get("blas", "")).lower()
    cuda = bool(info.get("cuda"))
    on = {name: False for name in _MXNET_FEATURES}
    on.update(CUDA=cuda, OPENMP=bool(info.get("openmp")), MKLDNN=bool(info.get("onednn")),
              BLAS_OPEN=blas == "openblas", BLAS_MKL=blas == "mkl", BLAS_ATLAS=blas == "atlas",
              BLAS_APPLE=blas in ("apple", "accelerate"),
              CXX14=True,  # the core is C++17, which includes C++14
              INT64_TENSOR_SIZE=True)  # shapes and sizes are int64 through the ABI
    return on


class Feature:
    """One build feature: its name and whether it is enabled; shows as '✔ NAME' or '✖ NAME'."""
    __slots__ = ("name", "enabled")

    def __init__(self, name: str, enabled: bool) -> None:
        self.name = name
        self.enabled = bool(enabled)

    def __repr__(self) -> str:
        return ("✔ " if self.enabled else "✖ ") + self.name


def feature_list() -> list:
    """Every feature MXNet reports, as Feature objects, in MXNet's order."""
    return [Feature(name, on) for name, on in _enabled(build_info()).items()]


class Features(collections.OrderedDict):
    """The features by name: ``mx.runtime.Features().is_enabled('OPENMP')``."""

    def __init__(self) -> None:
        super().__init__((f.name, f) for f in feature_list())

    def __repr__(self) -> str:
        return str(list(self.values()))

    def is_enabled(self, feature_name) -> bool:
        """Whether feature_name (any case) is enabled; RuntimeError for a name MXNet does not know."""
        key = str(feature_name).upper()
        if key not in self:
            raise RuntimeError(f"Feature '{feature_name}' is unknown, known features are: {list(self.keys())}")
        return self[key].enabled
