"""``mx.kv.KVStore``: MXNet 1.x's single-machine key-value store for gradient aggregation.

``kv = mx.kv.create('device')``; ``kv.init(key, weight)``; ``kv.push(key, [grad_on_ctx0,
grad_on_ctx1])`` sums the list (on the stored value's context); with an updater set
(``set_optimizer``) the sum updates the stored weight, otherwise it replaces it;
``kv.pull(key, out=[w0, w1])`` copies the stored value out to every array. Keys are ints or
strings (one kind per store). 'local' and 'device' behave the same here; distributed stores
are not supported."""
from __future__ import annotations

import pickle

from .. import ndarray as nd
from .. import optimizer as opt
from ..base import MXNetError, check_call, py_str  # noqa: F401  (check_call, py_str: MXNet's module has them)
from ..ndarray.ndarray import NDArray
from .base import KVStoreBase

__all__ = ["KVStore"]

LOCAL_TYPES = ("local", "device", "local_update_cpu", "local_allreduce_cpu", "local_allreduce_device")


def _as_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


class KVStore(KVStoreBase):
    """A single-process store that sums values pushed from several contexts. ``create(name)``
    makes one; MXNet's constructor wraps a libmxnet store handle instead of taking the type."""

    def __init__(self, kv_type: str = "local") -> None:
        self._type = kv_type
        self._store: dict = {}
        self._key_kind = None
        self._updater = None
        self._compression = None

    # ---- keys and values --------------------------------------------------------------------
    def _pairs(self, key, value, what: str) -> list:
        """(key, values-for-that-key) pairs: one key with one array or a list of arrays, or a
        list of keys parallel to a list of (lists of) arrays."""
        if isinstance(key, (list, tuple)):
            if not isinstance(value, (list, tuple)) or len(value) != len(key):
                raise ValueError(f"KVStore.{what}: {len(key)} keys need a list of {len(key)} values")
            return [(k, _as_list(v)) for k, v in zip(key, value)]
        return [(key, _as_list(value))]

    def _check_key(self, key) -> None:
        if isinstance(key, bool) or not isinstance(key, (int, str)):
            raise TypeError(f"KVStore keys must be int or str, got {type(key).__name__}")
        kind = str if isinstance(key, str) else int
        if self._key_kind is None:
            self._key_kind = kind
        elif self._key_kind is not kind:
            raise MXNetError(f"KVStore: mixed key types are not allowed (key {key!r} after "
                             f"{self._key_kind.__name__} keys)")

    def _stored(self, key, what: str) -> NDArray:
        self._check_key(key)
        if key not in self._store:
            raise MXNetError(f"KVStore.{what}: key {key!r} doesn't exist. Did you init?")
        return self._store[key]

    @staticmethod
    def _check_arrays(arrays, what: str, key) -> None:
        for a in arrays:
            if not isinstance(a, NDArray):
                raise TypeError(f"KVStore.{what}: values for key {key!r} must be NDArrays, got {type(a).__name__}")

    # ---- operations -------------------------------------------------------------------------
    def init(self, key, value) -> None:
        """Stores a copy of value (the first array of a list) under key; once per key."""
        for k, vals in self._pairs(key, value, "init"):
            self._check_key(k)
            self._check_arrays(vals, "init", k)
            if k in self._store:
                raise MXNetError(f"KVStore.init: duplicate init of key {k!r}")
            self._store[k] = vals[0].copy()

    def broadcast(self, key, value, out, priority: int = 0) -> None:
        """init(key, value) and then pull(key, out)."""
        self.init(key, value)
        self.pull(key, out=out, priority=priority)

    def _reduce(self, stored: NDArray, vals: list) -> NDArray:
        ctx = stored.context
        for v in vals:
            if v.shape != stored.shape:
                raise MXNetError(f"KVStore.push: shape {v.shape} does not match the stored shape {stored.shape}")
        if len(vals) == 1:
            return vals[0].as_in_context(ctx)
        return nd.add_n(*[v.as_in_context(ctx) for v in vals])

    def push(self, key, value, priority: int = 0) -> None:
        """Sums the values for each key; the updater (when set) applies the sum to the stored
        value, otherwise the sum becomes the stored value."""
        for k, vals in self._pairs(key, value, "push"):
            stored = self._stored(k, "push")
            self._check_arrays(vals, "push", k)
            merged = self._reduce(stored, vals)
            if self._updater is not None:
                if merged.handle == vals[0].handle:
                    merged = merged.copy()  # the updater may write its gradient argument
                self._updater(k, merged, stored)
            else:
                merged.copyto(stored)

    def pull(self, key, out=None, priority: int = 0, ignore_sparse: bool = True) -> None:
        """Copies the stored value into every array of out."""
        if out is None:
            raise ValueError("KVStore.pull needs out=")
        for k, outs in self._pairs(key, out, "pull"):
            stored = self._stored(k, "pull")
            self._check_arrays(outs, "pull", k)
            for o in outs:
                stored.copyto(o)

    def pushpull(self, key, value, out=None, priority: int = 0) -> None:
        """push then pull; with out None the result goes back into value."""
        self.push(key, value, priority)
        self.pull(key, out=value if out is None else out, priority=priority)

    def row_sparse_pull(self, key, out=None, priority: int = 0, row_ids=None) -> None:
        raise MXNetError("KVStore.row_sparse_pull: row_sparse storage is not supported; Minerva arrays are dense")

    def set_gradient_compression(self, compression_params) -> None:
        raise MXNetError("KVStore.set_gradient_compression: gradient compression is not supported by Minerva's "
                         "local KVStore")

    def is_capable(self, capability: str) -> bool:
        if capability.lower() == KVStoreBase.OPTIMIZER:
            return True
        raise MXNetError(f"Unknown capability: {capability}")

    # ---- updater ----------------------------------------------------------------------------
    def set_optimizer(self, optimizer) -> None:
        """Pushes will update stored values with optimizer (through mx.optimizer.get_updater)."""
        self._set_updater(opt.get_updater(optimizer))

    def _set_updater(self, updater) -> None:
        """updater(key, merged_grad, stored_weight), called on every push."""
        self._updater = updater

    def save_optimizer_states(self, fname: str, dump_optimizer: bool = False) -> None:
        if self._updater is None:
            raise MXNetError("KVStore.save_optimizer_states: no optimizer is set")
        with open(fname, "wb") as f:
            f.write(self._updater.get_states(dump_optimizer))

    def load_optimizer_states(self, fname: str) -> None:
        if self._updater is None:
            raise MXNetError("KVStore.load_optimizer_states: no optimizer is set")
        with open(fname, "rb") as f:
            self._updater.set_states(f.read())

    # ---- cluster facts (one process) --------------------------------------------------------
    @property
    def type(self) -> str:
        return self._type

    @property
    def rank(self) -> int:
        return 0

    @property
    def num_workers(self) -> int:
        return 1

    def _barrier(self) -> None:
        pass

    def __getstate__(self):
        raise pickle.PicklingError("KVStore cannot be pickled")

