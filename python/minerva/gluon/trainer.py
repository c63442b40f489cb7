"""``gluon.Trainer`` (MXNet 1.x): applies an optimizer to a set of Parameters.

``trainer.step(batch_size)`` sums each parameter's gradients over its contexts (through a
local KVStore when there are several) and updates every copy, with the gradient scaled by
1/batch_size. A gradient that no backward pass has written since the last step is stale:
step raises unless ``ignore_stale_grad=True``, which skips those parameters."""
from __future__ import annotations

from .. import kvstore as kvs
from .. import optimizer as opt
from ..kvstore import KVStore  # noqa: F401  (MXNet's trainer module exports it)
from ..base import MXNetError
from .parameter import Parameter, ParameterDict

__all__ = ["Trainer"]


class Trainer:
    """Trainer(params, optimizer, optimizer_params=None, kvstore='device',
    compression_params=None, update_on_kvstore=None): params is a ParameterDict (taken in
    sorted name order, as MXNet does), a dict or a list of Parameters; optimizer a name for
    mx.optimizer.create or an Optimizer."""

    def __init__(self, params, optimizer, optimizer_params=None, kvstore="device", compression_params=None,
                 update_on_kvstore=None) -> None:
        if isinstance(params, (dict, ParameterDict)):
            params = [params[k] for k in sorted(params.keys())]
        if not isinstance(params, (list, tuple)):
            raise ValueError(f"First argument must be a list or dict of Parameters, got {type(params)}.")
        self._params: list = []
        self._param2idx: dict = {}
        for i, p in enumerate(params):
            if not isinstance(p, Parameter):
                raise ValueError(f"First argument must be a list or dict of Parameters, got list of {type(p)}.")
            self._param2idx[p.name] = i
            self._params.append(p)
            p._set_trainer(self)
        self._compression_params = compression_params
        self._contexts = self._check_contexts()
        self._init_optimizer(optimizer, optimizer_params or {})
        self._scale = self._optimizer.rescale_grad
        self._kvstore_params = {"kvstore": kvstore, "update_on_kvstore": update_on_kvstore}
        self._kv_initialized = False
        self._kvstore = None
        self._update_on_kvstore = None
        self._distributed = False
        self._params_to_init: list = []
        self._reset_kvstore()

    def _check_contexts(self) -> list:
        contexts = None
        for p in self._params:
            ctx = p.list_ctx()
            if contexts is not None and contexts != ctx:
                raise ValueError(f"All Parameters must be initialized on the same set of contexts, but Parameter "
                                 f"{p.name} is initialized on {ctx} while previous Parameters are initialized on "
                                 f"{contexts}.")
            contexts = ctx
        return contexts or []

    def _init_optimizer(self, optimizer, optimizer_params: dict) -> None:
        param_dict = dict(enumerate(self._params))
        if isinstance(optimizer, opt.Optimizer):
            if optimizer_params:
                raise ValueError("optimizer_params must be None if optimizer is an instance of Optimizer instead "
                                 "of str")
            self._optimizer = optimizer
            self._optimizer.param_dict = param_dict
        else:
            self._optimizer = opt.create(optimizer, param_dict=param_dict, **optimizer_params)
        self._updaters = [opt.get_updater(self._optimizer) for _ in self._contexts]

    # ---- kvstore ----------------------------------------------------------------------------
    def _reset_kvstore(self) -> None:
        self._kv_initialized = False
        self._kvstore = None
        self._update_on_kvstore = None
        self._params_to_init = list(self._params)

    def _init_kvstore(self) -> None:
        config = self._kvstore_params
        kv = config["kvstore"]
        update_on_kvstore = config["update_on_kvstore"]
        if isinstance(kv, kvs.KVStore):
            store = kv
        elif kv is None or (isinstance(kv, str) and len(self._contexts) <= 1):
            store = None  # one device: nothing to aggregate
        elif isinstance(kv, str):
            store = kvs.create(kv)
        else:
            raise TypeError("kvstore must be KVStore, str or None")
        if store is None:
            if update_on_kvstore:
                raise ValueError("update_on_kvstore=True needs a kvstore (more than one context or a KVStore "
                                 "instance)")
            update_on_kvstore = False
        elif update_on_kvstore is None:
            update_on_kvstore = store.is_capable(kvs.KVStoreBase.OPTIMIZER)
        if store is not None:
            if self._compression_params:
                store.set_gradient_compression(self._compression_params)
            if update_on_kvstore:
                store.set_optimizer(self._optimizer)
        self._kvstore = store
        self._update_on_kvstore = bool(update_on_kvstore)
        self._kv_initialized = True

    def _init_params(self) -> None:
        """Puts the parameters initialised since the last call into the kvstore."""
        waiting = []
        if self._kvstore is not None:
            for p in self._params_to_init:
                if p._deferred_init:
                    waiting.append(p)
                    continue
                arrays = p.list_data()
                self._kvstore.broadcast(self._param2idx[p.name], arrays[0], arrays)
        self._params_to_init = waiting

    def _prepare(self) -> None:
        if not self._kv_initialized:
            self._init_kvstore()
        if self._params_to_init:
            self._init_params()

    # ---- learning rate ----------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        return self._optimizer.learning_rate

    @property
    def optimizer(self):
        return self._optimizer

    def set_learning_rate(self, lr: float) -> None:
        self._optimizer.set_learning_rate(lr)

    # ---- stepping ---------------------------------------------------------------------------
    def _check_and_rescale_grad(self, scale: float) -> None:
        self._optimizer.rescale_grad = scale

    def step(self, batch_size, ignore_stale_grad: bool = False) -> None:
        """allreduce_grads() then update(batch_size): one optimizer step with gradients
        scaled by 1/batch_size."""
        self._check_and_rescale_grad(self._scale / batch_size)
        self._prepare()
        self._check_stale(ignore_stale_grad)
        self._allreduce_grads()
        self._update(ignore_stale_grad)

    def allreduce_grads(self) -> None:
        """Sums every parameter's gradients over its contexts, in place (for gradient
        clipping between the sum and update()). Needs update_on_kvstore=False."""
        self._prepare()
        if self._kvstore is not None and self._update_on_kvstore:
            raise AssertionError("allreduce_grads() when parameters are updated on kvstore is not supported. Try "
                                 "setting `update_on_kvstore` to False when creating trainer.")
        self._allreduce_grads()

    def _allreduce_grads(self) -> None:
        if self._kvstore is None:
            return
        for i, p in enumerate(self._params):
            if p.grad_req == "null":
                continue
            fresh = p._grad_fresh()
            grads = p.list_grad()
            if self._update_on_kvstore:
                if all(fresh):
                    self._kvstore.pushpull(i, grads, out=p.list_data())
                continue
            self._kvstore.pushpull(i, grads)
            # writing the sums is not a backward pass: stale gradients stay stale
            p._mark_grad_consumed([not f for f in fresh])

    def update(self, batch_size, ignore_stale_grad: bool = False) -> None:
        """The optimizer step alone (after allreduce_grads()). Needs update_on_kvstore=False."""
        self._prepare()
        if self._kvstore is not None and self._update_on_kvstore:
            raise AssertionError("update() when parameters are updated on kvstore is not supported. Try setting "
                                 "`update_on_kvstore` to False when creating trainer.")
        self._check_and_rescale_grad(self._scale / batch_size)
        self._check_stale(ignore_stale_grad)
        self._update(ignore_stale_grad)

    def _check_stale(self, ignore_stale_grad: bool) -> None:
        if ignore_stale_grad:
            return
        for p in self._params:
            if p.grad_req == "null":
                continue
            for ctx, fresh in zip(p.list_ctx(), p._grad_fresh()):
                if not fresh:
                    raise UserWarning(
                        f"Gradient of Parameter `{p.name}` on context {ctx} has not been updated by backward since "
                        "last `step`. This could mean a bug in your model that made it only use a subset of the "
                        "Parameters (Blocks) for this iteration. If you are intentionally only using a subset, "
                        "call step with ignore_stale_grad=True to suppress this warning and skip updating of "
                        "Parameters with stale gradient")

    def _update(self, ignore_stale_grad: bool = False) -> None:
        loss_scaler = getattr(self, "_amp_loss_scaler", None)  # set by mx.contrib.amp.init_trainer
        if loss_scaler is not None and loss_scaler.has_overflow(self._params):
            return  # AMP skips a step whose gradients overflowed (MXNet 1.x)
        for i, p in enumerate(self._params):
            if p.grad_req == "null":
                continue
            fresh = p._grad_fresh()
            if not (self._kvstore is not None and self._update_on_kvstore):
                for updater, arr, grad, is_fresh in zip(self._updaters, p.list_data(), p.list_grad(), fresh):
                    if is_fresh:
                        updater(i, grad, arr)
            p._mark_grad_consumed()

    # ---- optimizer state --------------------------------------------------------------------
    def save_states(self, fname: str) -> None:
        """Writes the optimizer and its per-parameter states (momentum, ...) to fname."""
        self._prepare()
        if self._update_on_kvstore:
            self._kvstore.save_optimizer_states(fname, dump_optimizer=True)
        else:
            with open(fname, "wb") as f:
                f.write(self._updaters[0].get_states(dump_optimizer=True))

    def load_states(self, fname: str) -> None:
        """Reads what save_states wrote; the optimizer is replaced by the saved one."""
        self._prepare()
        if self._update_on_kvstore:
            self._kvstore.load_optimizer_states(fname)
            self._optimizer = self._kvstore._updater.optimizer
        else:
            with open(fname, "rb") as f:
                states = f.read()
            for updater in self._updaters:
                updater.set_states(states)
                updater.optimizer = self._updaters[0].optimizer
            self._optimizer = self._updaters[0].optimizer
        self._optimizer.param_dict = dict(enumerate(self._params))

    def _row_sparse_pull(self, parameter, out, row_id, full_idx: bool = False):
        raise MXNetError("Trainer: row_sparse parameters are not supported; Minerva arrays are dense")
