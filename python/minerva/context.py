"""Devices (MXNet's ``mxnet.context``): ``cpu(i)`` are distinct logical devices; ``gpu(i)`` can be
named, and fails with a clear error when an array is placed on it in a build without CUDA."""
from __future__ import annotations

import threading

from .base import MinervaUnsupportedError, check_call, classproperty, with_metaclass  # noqa: F401

__all__ = ["Context", "check_call", "classproperty", "cpu", "cpu_pinned", "current_context", "gpu",
           "gpu_memory_info", "num_gpus", "with_metaclass"]


class Context:
    devtype2str = {1: "cpu", 2: "gpu", 3: "cpu_pinned", 5: "cpu_shared"}
    devstr2type = {v: k for k, v in devtype2str.items()}
    _default = threading.local()

    def __init__(self, device_type, device_id: int = 0):
        if isinstance(device_type, Context):
            device_type, device_id = device_type.device_type, device_type.device_id
        if isinstance(device_type, str):
            if device_type not in self.devstr2type:
                raise ValueError(f"unknown device type '{device_type}'; expected one of "
                                 f"{sorted(self.devstr2type)}")
            self.device_typeid = self.devstr2type[device_type]
        else:
            self.device_typeid = int(device_type)
        self.device_id = int(device_id)
        self._old = None

    @property
    def device_type(self) -> str:
        return self.devtype2str[self.device_typeid]

    def __eq__(self, other) -> bool:
        return (isinstance(other, Context) and self.device_typeid == other.device_typeid
                and self.device_id == other.device_id)

    def __hash__(self) -> int:
        return hash((self.device_typeid, self.device_id))

    def __repr__(self) -> str:
        return f"{self.device_type}({self.device_id})"

    __str__ = __repr__

    def __enter__(self) -> Context:
        self._old = current_context()
        Context._default.value = self
        return self

    def __exit__(self, *exc) -> None:
        Context._default.value = self._old


def cpu(device_id: int = 0) -> Context:
    return Context("cpu", device_id)


def cpu_pinned(device_id: int = 0) -> Context:
    return Context("cpu_pinned", device_id)


def gpu(device_id: int = 0) -> Context:
    return Context("gpu", device_id)


def num_gpus() -> int:
    return 0


def gpu_memory_info(device_id=0):
    """(free, total) bytes of GPU device_id in MXNet; Minerva has no GPU backend yet, so this
    raises MinervaUnsupportedError (an MXNetError), as MXNet does when built without CUDA."""
    raise MinervaUnsupportedError(f"gpu_memory_info(device_id={device_id}): this build of Minerva has no "
                                  "GPU support (built without CUDA)")


def current_context() -> Context:
    ctx = getattr(Context._default, "value", None)
    return ctx if ctx is not None else Context("cpu", 0)
