"""``mx.mod``: the Module API (MXNet 1.x's ``mxnet.module``)."""
from .base_module import BaseModule, ModuleStateError  # noqa: F401
from .bucketing_module import BucketingModule  # noqa: F401
from .module import Module  # noqa: F401
from .python_module import PythonLossModule, PythonModule  # noqa: F401
from .sequential_module import SequentialModule  # noqa: F401

__all__ = ["BaseModule", "BucketingModule", "Module", "ModuleStateError", "PythonLossModule", "PythonModule",
           "SequentialModule"]
