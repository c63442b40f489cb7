"""``mx.mod``: the Module API (MXNet 1.x's ``mxnet.module``)."""
from .base_module import BaseModule, ModuleStateError  # noqa: F401
from .module import Module  # noqa: F401

__all__ = ["BaseModule", "Module", "ModuleStateError"]
