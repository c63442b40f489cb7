"""``mx.kvstore.base``: the key-value store interface, its registry of store classes, ``create``,
and ``TestStore`` (MXNet 1.x's ``mxnet.kvstore.base``).

A class decorated with ``KVStoreBase.register`` is created by ``create(name)`` when ``name`` is its
class name in lower case; other names are Minerva's built-in single-process stores."""
from __future__ import annotations

import warnings

from ..base import MXNetError, check_call, string_types  # noqa: F401  (check_call: MXNet's module has it)
from ..ndarray.ndarray import NDArray

__all__ = ["KVStoreBase", "create"]


class KVStoreBase:
    """The interface of a key-value store for data-parallel training; every method of a store that
    does not implement it raises NotImplementedError."""

    OPTIMIZER = "optimizer"
    kv_registry: dict = {}

    def broadcast(self, key, value, out, priority=0):
        """Stores ``value`` under ``key`` (rank 0's) and copies it into every array of ``out``."""
        raise NotImplementedError()

    def pushpull(self, key, value, out=None, priority=0):
        """Sums the values pushed for ``key`` and writes the result to ``out`` (``value`` when None)."""
        raise NotImplementedError()

    def set_optimizer(self, optimizer):
        """Makes pushes update the stored values with ``optimizer``."""
        raise NotImplementedError()

    def is_capable(self, capability):
        """Whether the store supports ``capability`` (such as ``KVStoreBase.OPTIMIZER``)."""
        raise NotImplementedError()

    def save_optimizer_states(self, fname, dump_optimizer=False):
        """Writes the optimizer's state (and, with ``dump_optimizer``, the optimizer) to ``fname``."""
        raise NotImplementedError()

    def load_optimizer_states(self, fname):
        """Reads the optimizer's state from ``fname``."""
        raise NotImplementedError()

    @property
    def type(self):
        """The store's type name."""
        raise NotImplementedError()

    @property
    def rank(self):
        """This worker's rank, in ``[0, num_workers)``."""
        raise NotImplementedError()

    @property
    def num_workers(self):
        """The number of workers."""
        raise NotImplementedError()

    @staticmethod
    def register(klass):
        """Class decorator: ``create(klass.__name__.lower())`` makes a ``klass()`` from now on
        (a class registered under a name already taken replaces it, with a warning)."""
        if not isinstance(klass, type):
            raise TypeError(f"KVStoreBase.register expects a class, got {type(klass).__name__}")
        name = klass.__name__.lower()
        if name in KVStoreBase.kv_registry:
            old = KVStoreBase.kv_registry[name]
            warnings.warn(f"WARNING: New kvstore {klass.__module__}.{klass.__name__} is overriding existing kvstore "
                          f"{old.__module__}.{old.__name__}", stacklevel=2)
        KVStoreBase.kv_registry[name] = klass
        return klass


@KVStoreBase.register
class TestStore(KVStoreBase):
    """A store for tests: ``pushpull`` sums a list of values (on the first one's context) and
    writes the sum to ``out`` (to every value when ``out`` is None); one array is copied as it is.
    It has no optimizer."""

    def broadcast(self, key, value, out, priority=0):
        for o in out if isinstance(out, list) else [out]:
            o[:] = value

    def pushpull(self, key, value, out=None, priority=0):
        if isinstance(value, NDArray):
            if out is not None:
                for o in out if isinstance(out, list) else [out]:
                    o[:] = value
            return
        ctx = value[0].context
        total = value[0].as_in_context(ctx)
        for v in value[1:]:
            total = total + v.as_in_context(ctx)
        for o in value if out is None else (out if isinstance(out, list) else [out]):
            o[:] = total

    @staticmethod
    def is_capable(capability):
        if capability.lower() == KVStoreBase.OPTIMIZER:
            return False
        raise ValueError(f"Unknown capability: {capability}")

    @property
    def type(self):
        return "teststore"

    @property
    def rank(self):
        return 0

    @property
    def num_workers(self):
        return 1


def create(name="local"):
    """A new store: a registered class by its lower-case name (``'teststore'``), else one of
    Minerva's single-process stores ('local', 'device' and MXNet's local_* variants, which behave
    the same). Distributed types ('dist_*', 'nccl', 'horovod', 'byteps') are not supported."""
    from .kvstore import LOCAL_TYPES, KVStore
    if not isinstance(name, string_types):
        raise TypeError("name must be a string")
    name = name.lower()
    if name in KVStoreBase.kv_registry:
        return KVStoreBase.kv_registry[name]()
    if name in LOCAL_TYPES:
        return KVStore(name)
    if name.startswith("dist") or name in ("nccl", "horovod", "byteps"):
        raise MXNetError(f"KVStore type '{name}' is not supported: Minerva has only single-process stores "
                         f"({', '.join(LOCAL_TYPES)})")
    raise MXNetError(f"Unknown KVStore type '{name}'; expected one of {', '.join(LOCAL_TYPES)}")
