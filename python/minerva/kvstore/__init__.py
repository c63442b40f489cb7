"""``mx.kv``: key-value stores for gradient aggregation (MXNet 1.x's ``mxnet.kvstore`` package:
the interface and ``create`` in base.py, the single-process ``KVStore`` in kvstore.py)."""
from . import base, kvstore  # noqa: F401
from .base import KVStoreBase, create  # noqa: F401
from .kvstore import KVStore  # noqa: F401

__all__ = ["KVStore", "KVStoreBase", "base", "create", "kvstore"]
