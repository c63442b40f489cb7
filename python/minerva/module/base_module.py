"""``BaseModule``: the training loop (fit), scoring and prediction that every module shares,
written against the abstract bind / init_params / forward / backward / update interface that
``Module`` implements. Same names, defaults and order of calls as MXNet 1.x."""
from __future__ import annotations

import logging
import time
import warnings

import numpy as np

from .. import metric  # noqa: F401
from .. import metric as _metric
from .. import ndarray  # noqa: F401
from .. import ndarray as nd
from ..base import MinervaError
from ..callback import BatchEndParam
from ..context import cpu
from ..initializer import Uniform  # noqa: F401
from ..io import DataBatch, DataDesc, DataIter  # noqa: F401
from ..model import split_param_dict
from ..ndarray import NDArray

# MXNet's module defines no __all__: its star import binds what it imports as well.
__all__ = ["BaseModule", "BatchEndParam", "DataBatch", "DataDesc", "DataIter", "ModuleStateError", "Uniform", "cpu",
           "metric", "ndarray", "np"]


class ModuleStateError(MinervaError, AssertionError):
    """A module method was called out of order (forward before bind, update before
    init_optimizer, ...). An AssertionError too, as MXNet raises one there."""


def _as_list(obj) -> list:
    return list(obj) if isinstance(obj, (list, tuple)) else [obj]


class _DefaultInit:
    """Stands for MXNet's default ``initializer=Uniform(0.01)`` (mx.init is imported lazily;
    None keeps its meaning of 'no initializer')."""

    def __repr__(self) -> str:
        return "Uniform(0.01)"


DEFAULT_INIT = _DefaultInit()


def resolve_initializer(initializer):
    if initializer is DEFAULT_INIT:
        from .. import initializer as init
        return init.Uniform(0.01)
    return initializer


class BaseModule:
    """The shared half of a module. Subclasses set ``binded``, ``for_training``,
    ``inputs_need_grad``, ``params_initialized`` and ``optimizer_initialized`` and implement
    the computation methods."""

    def __init__(self, logger=logging) -> None:
        self.logger = logger
        self.binded = False
        self.for_training = False
        self.inputs_need_grad = False
        self.params_initialized = False
        self.optimizer_initialized = False
        self._symbol = None
        self._total_exec_bytes = 0

    # ---- state checks -------------------------------------------------------------------------
    def _require(self, what: str, bound: bool = True, params: bool = False, optimizer: bool = False) -> None:
        if bound and not self.binded:
            raise ModuleStateError(f"{type(self).__name__}.{what}: the module is not bound; call bind() first")
        if params and not self.params_initialized:
            raise ModuleStateError(f"{type(self).__name__}.{what}: parameters are not initialized; "
                                   "call init_params() (or set_params()) first")
        if optimizer and not self.optimizer_initialized:
            raise ModuleStateError(f"{type(self).__name__}.{what}: the optimizer is not initialized; "
                                   "call init_optimizer() first")

    # ---- high level ---------------------------------------------------------------------------
    def forward_backward(self, data_batch) -> None:
        """forward(is_train=True) then backward()."""
        self.forward(data_batch, is_train=True)
        self.backward()

    def score(self, eval_data, eval_metric, num_batch=None, batch_end_callback=None, score_end_callback=None,
              reset: bool = True, epoch: int = 0, sparse_row_id_fn=None) -> list:
        """Runs the module over eval_data (inference mode) and returns the metric's
        ``get_name_value()``: a list of (name, value)."""
        self._require("score", params=True)
        if reset:
            eval_data.reset()
        if not isinstance(eval_metric, _metric.EvalMetric):
            eval_metric = _metric.create(eval_metric)
        eval_metric.reset()
        actual_num_batch = 0
        for nbatch, eval_batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(eval_batch, is_train=False)
            self.update_metric(eval_metric, eval_batch.label)
            if batch_end_callback is not None:
                params = BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=eval_metric, locals=locals())
                for callback in _as_list(batch_end_callback):
                    callback(params)
            actual_num_batch += 1
        if score_end_callback:
            params = BatchEndParam(epoch=epoch, nbatch=actual_num_batch, eval_metric=eval_metric, locals=locals())
            for callback in _as_list(score_end_callback):
                callback(params)
        return eval_metric.get_name_value()

    def iter_predict(self, eval_data, num_batch=None, reset: bool = True, sparse_row_id_fn=None):
        """Yields (outputs without the batch's padding, nbatch, batch) for each batch."""
        self._require("iter_predict", params=True)
        if reset:
            eval_data.reset()
        for nbatch, eval_batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(eval_batch, is_train=False)
            pad = eval_batch.pad or 0
            outputs = [out[0:out.shape[0] - pad] for out in self.get_outputs()]
            yield (outputs, nbatch, eval_batch)

    def predict(self, eval_data, num_batch=None, merge_batches: bool = True, reset: bool = True,
                always_output_list: bool = False, sparse_row_id_fn=None):
        """Outputs over eval_data (a DataIter, or one NDArray/numpy batch), padding removed.
        With merge_batches, each output's batches are concatenated; a single output is
        returned bare unless always_output_list."""
        self._require("predict", params=True)
        if isinstance(eval_data, (NDArray, np.ndarray)):
            from ..io import DataBatch
            if isinstance(eval_data, np.ndarray):
                eval_data = nd.array(eval_data)
            self.forward(DataBatch([eval_data]))
            return self.get_outputs()[0]
        if not (hasattr(eval_data, "reset") and hasattr(eval_data, "__iter__")):
            raise ValueError("eval_data must be of type NDArray or DataIter")
        if reset:
            eval_data.reset()
        output_list = []
        for nbatch, eval_batch in enumerate(eval_data):
            if num_batch is not None and nbatch == num_batch:
                break
            self.prepare(eval_batch, sparse_row_id_fn=sparse_row_id_fn)
            self.forward(eval_batch, is_train=False)
            pad = eval_batch.pad or 0
            output_list.append([out[0:out.shape[0] - pad].copy() for out in self.get_outputs()])
        if not output_list:
            return output_list
        if not merge_batches:
            return output_list
        num_outputs = len(output_list[0])
        if any(len(out) != num_outputs for out in output_list):
            raise ValueError("Cannot merge batches, as num of outputs is not the same in mini-batches. "
                             "Maybe bucketing is used?")
        merged = [nd.concatenate([out[i] for out in output_list]) for i in range(num_outputs)]
        if num_outputs == 1 and not always_output_list:
            return merged[0]
        return merged

    def fit(self, train_data, eval_data=None, eval_metric="acc", epoch_end_callback=None,
            batch_end_callback=None, kvstore="local", optimizer="sgd",
            optimizer_params=(("learning_rate", 0.01),), eval_end_callback=None, eval_batch_end_callback=None,
            initializer=DEFAULT_INIT, arg_params=None, aux_params=None, allow_missing: bool = False,
            force_rebind: bool = False, force_init: bool = False, begin_epoch: int = 0, num_epoch=None,
            validation_metric=None, monitor=None, sparse_row_id_fn=None) -> None:
        """Trains: bind to train_data's shapes, init_params, init_optimizer, then for each epoch
        in [begin_epoch, num_epoch): forward_backward + update + update_metric per batch,
        batch_end_callback(BatchEndParam) after each, the epoch's train metric logged,
        epoch_end_callback(epoch, symbol, arg_params, aux_params), and eval_data scored with
        validation_metric (default: eval_metric)."""
        if num_epoch is None:
            raise ValueError("fit: please specify number of epochs (num_epoch)")
        self.bind(data_shapes=train_data.provide_data, label_shapes=train_data.provide_label,
                  for_training=True, force_rebind=force_rebind)
        if monitor is not None:
            self.install_monitor(monitor)
        self.init_params(initializer=initializer, arg_params=arg_params, aux_params=aux_params,
                         allow_missing=allow_missing, force_init=force_init)
        self.init_optimizer(kvstore=kvstore, optimizer=optimizer, optimizer_params=optimizer_params)
        if validation_metric is None:
            validation_metric = eval_metric
        if not isinstance(eval_metric, _metric.EvalMetric):
            eval_metric = _metric.create(eval_metric)

        for epoch in range(begin_epoch, num_epoch):
            tic = time.time()
            eval_metric.reset()
            eval_name_vals = []
            nbatch = 0
            data_iter = iter(train_data)
            end_of_batch = False
            try:
                next_data_batch = next(data_iter)
            except StopIteration:
                end_of_batch = True
            while not end_of_batch:
                data_batch = next_data_batch
                if monitor is not None:
                    monitor.tic()
                self.forward_backward(data_batch)
                self.update()
                self.update_metric(eval_metric, data_batch.label)
                try:
                    next_data_batch = next(data_iter)
                    self.prepare(next_data_batch, sparse_row_id_fn=sparse_row_id_fn)
                except StopIteration:
                    end_of_batch = True
                if monitor is not None:
                    monitor.toc_print()
                if end_of_batch:
                    eval_name_vals = eval_metric.get_global_name_value()
                if batch_end_callback is not None:
                    params = BatchEndParam(epoch=epoch, nbatch=nbatch, eval_metric=eval_metric, locals=locals())
                    for callback in _as_list(batch_end_callback):
                        callback(params)
                nbatch += 1

            for name, val in eval_name_vals:
                self.logger.info("Epoch[%d] Train-%s=%f", epoch, name, val)
            self.logger.info("Epoch[%d] Time cost=%.3f", epoch, time.time() - tic)

            # Bring the trained weights back into the module's copies, as MXNet does here.
            arg_params, aux_params = self.get_params()
            self.set_params(arg_params, aux_params)
            if epoch_end_callback is not None:
                for callback in _as_list(epoch_end_callback):
                    callback(epoch, self.symbol, arg_params, aux_params)
            if eval_data is not None:
                res = self.score(eval_data, validation_metric, score_end_callback=eval_end_callback,
                                 batch_end_callback=eval_batch_end_callback, epoch=epoch)
                for name, val in res:
                    self.logger.info("Epoch[%d] Validation-%s=%f", epoch, name, val)
            train_data.reset()

    # ---- symbol and parameters ----------------------------------------------------------------
    @property
    def symbol(self):
        """The symbol this module runs."""
        return self._symbol

    def get_params(self):
        raise NotImplementedError

    def init_params(self, initializer=DEFAULT_INIT, arg_params=None, aux_params=None, allow_missing=False,
                    force_init=False, allow_extra=False):
        raise NotImplementedError

    def set_params(self, arg_params, aux_params, allow_missing: bool = False, force_init: bool = True,
                   allow_extra: bool = False) -> None:
        """Sets parameters from dicts (copies). Without allow_missing every parameter must be
        given."""
        self.init_params(initializer=None, arg_params=arg_params, aux_params=aux_params,
                         allow_missing=allow_missing, force_init=force_init, allow_extra=allow_extra)

    def save_params(self, fname: str) -> None:
        """Writes the parameters to fname in MXNet's .params format (arg:/aux: keys)."""
        arg_params, aux_params = self.get_params()
        save_dict = {f"arg:{k}": v.as_in_context(cpu()) for k, v in arg_params.items()}
        save_dict.update({f"aux:{k}": v.as_in_context(cpu()) for k, v in aux_params.items()})
        nd.save(fname, save_dict)

    def load_params(self, fname: str) -> None:
        """Reads a .params file written by save_params (or MXNet) and sets the parameters."""
        loaded = nd.load(fname)
        if not isinstance(loaded, dict):
            raise ValueError(f"Invalid param file {fname}: it holds unnamed arrays")
        arg_params, aux_params, unprefixed = split_param_dict(loaded, fname)
        if unprefixed:
            raise ValueError(f"Invalid param file {fname}: key '{next(iter(unprefixed))}' lacks an arg:/aux: prefix")
        self.set_params(arg_params, aux_params)

    def get_states(self, merge_multi_context: bool = True) -> list:
        self._require("get_states", params=True)
        if merge_multi_context is not True and merge_multi_context is not False:
            raise TypeError("merge_multi_context must be a bool")
        return []

    def set_states(self, states=None, value=None) -> None:
        self._require("set_states", params=True)
        if states or value:
            raise ValueError("set_states: this module has no states")

    def install_monitor(self, mon) -> None:
        raise NotImplementedError

    def prepare(self, data_batch, sparse_row_id_fn=None) -> None:
        """Called before each forward; dense arrays need nothing."""
        if sparse_row_id_fn is not None:
            warnings.warn("sparse_row_id_fn is ignored: Minerva arrays are dense", stacklevel=2)

    # ---- abstract computation -----------------------------------------------------------------
    def bind(self, data_shapes, label_shapes=None, for_training=True, inputs_need_grad=False,
             force_rebind=False, shared_module=None, grad_req="write"):
        raise NotImplementedError

    def init_optimizer(self, kvstore="local", optimizer="sgd", optimizer_params=(("learning_rate", 0.01),),
                       force_init=False):
        raise NotImplementedError

    def forward(self, data_batch, is_train=None):
        raise NotImplementedError

    def backward(self, out_grads=None):
        raise NotImplementedError

    def get_outputs(self, merge_multi_context=True):
        raise NotImplementedError

    def get_input_grads(self, merge_multi_context=True):
        raise NotImplementedError

    def update(self):
        raise NotImplementedError

    def update_metric(self, eval_metric, labels, pre_sliced=False):
        raise NotImplementedError
