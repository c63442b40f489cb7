"""``mx.model.FeedForward``: MXNet 1.x's original estimator (deprecated there in favour of
``mx.mod.Module``, still called by old scripts): ``FeedForward(symbol, ...).fit(X, y)``,
``predict``, ``score``, ``save``/``load`` and the functional ``FeedForward.create``.

It follows MXNet 1.9.1's order of work so that the same seed and parameters give the same
numbers: numpy inputs become an ``NDArrayIter`` (shuffled, ``roll_over``) of
``min(N, numpy_batch_size)``; missing parameters are initialized in the symbol's argument
order; the training iterator is reset once before the first epoch; the optimizer is updated
with MXNet's per-device indices; batch callbacks get a 1-based ``nbatch``; ``epoch_size``
ends an epoch early without resetting the iterator. One context is supported (as by
``mx.mod.Module``)."""
from __future__ import annotations

import logging
import time
import warnings

import numpy as np

from . import metric as _metric
from . import ndarray as nd
from . import optimizer as opt
from .base import MinervaUnsupportedError, MinervaValueError
from .callback import LogValidationMetricsCallback
from .context import Context, cpu
from .initializer import Uniform
from .ndarray import NDArray

try:  # MXNet makes FeedForward a scikit-learn estimator when scikit-learn is installed
    from sklearn.base import BaseEstimator as BASE_ESTIMATOR
    SKLEARN_INSTALLED = True
except ImportError:
    BASE_ESTIMATOR = object
    SKLEARN_INSTALLED = False

__all__ = ["BASE_ESTIMATOR", "SKLEARN_INSTALLED", "FeedForward"]

# MXNet's defaults are instances made once at import; both are stateless.
DEFAULT_INITIALIZER = Uniform(0.01)
LOG_VALIDATION_METRICS = LogValidationMetricsCallback()


def _callbacks(callbacks, *args) -> None:
    """Calls one callback, each of a list of them, or nothing for None."""
    if isinstance(callbacks, list):
        for cb in callbacks:
            cb(*args)
    elif callbacks:
        callbacks(*args)


def _check_unique_arguments(symbol) -> None:
    for kind, names in (("argument", symbol.list_arguments()), ("auxiliary state", symbol.list_auxiliary_states())):
        seen = set()
        for name in names:
            if name in seen:
                raise MinervaValueError(f"FeedForward: the symbol has two {kind}s named '{name}'; "
                                        f"every {kind} needs a unique name (got {names})")
            seen.add(name)


def _load_batch(arrays: list, sources, what: str) -> None:
    for dst, src in zip(arrays, sources):
        if tuple(src.shape) != tuple(dst.shape):
            raise MinervaValueError(f"FeedForward: a batch's {what} has shape {tuple(src.shape)}, "
                                    f"but the network is bound to {tuple(dst.shape)}")
        if isinstance(src, NDArray):
            src.astype(dst.dtype, copy=False).copyto(dst)
        else:
            dst[:] = np.asarray(src, dtype=dst.dtype)


def _create_kvstore(kvstore, num_device: int, arg_params: dict):
    """(kvstore or None, update_on_kvstore) as MXNet picks them: none for one device unless
    a distributed store is asked for."""
    import os

    from . import kvstore as kvs
    update_on_kvstore = bool(int(os.getenv("MXNET_UPDATE_ON_KVSTORE", "1")))
    if kvstore is None:
        kv = None
    elif isinstance(kvstore, str):
        kv = None if num_device == 1 and "dist" not in kvstore else kvs.create(kvstore)
    elif hasattr(kvstore, "push") and hasattr(kvstore, "pull"):
        kv = kvstore
    else:
        raise TypeError(f"FeedForward: kvstore must be a KVStore, a str or None, got {type(kvstore).__name__}")
    if kv is None:
        update_on_kvstore = False
    return kv, update_on_kvstore


class _Trainer:
    """The executor(s) FeedForward trains: one per input shape (and bucket key with a
    ``sym_gen``), all sharing the parameters and gradients of the first."""

    def __init__(self, symbol, sym_gen, ctx, param_names, data_descs, label_descs):
        self.sym_gen = sym_gen
        self.ctx = ctx
        self.param_names = param_names
        self.symbol = symbol
        self.data_names = [d.name for d in data_descs]
        self.label_names = [d.name for d in label_descs]
        self._base = self._bind(symbol, data_descs + label_descs, None)
        self._execs = {(None, self._key(data_descs + label_descs)): self._base}
        self.current = self._base

    @staticmethod
    def _key(descs) -> tuple:
        return tuple((d.name, tuple(d.shape)) for d in descs)

    def _bind(self, symbol, descs, shared):
        reqs = {name: ("write" if name in self.param_names else "null") for name in symbol.list_arguments()}
        types = {d.name: np.dtype(d.dtype).name for d in descs if getattr(d, "dtype", None) is not None}
        shapes = {d.name: tuple(d.shape) for d in descs}
        return symbol.simple_bind(self.ctx, grad_req=reqs, type_dict=types, shared_exec=shared, **shapes)

    def select(self, batch) -> None:
        """Makes ``current`` the executor for this batch's shapes and bucket key."""
        from .io import DataDesc
        descs = [DataDesc(n, a.shape, a.dtype) for n, a in zip(self.data_names, batch.data)]
        descs += [DataDesc(n, a.shape, a.dtype) for n, a in zip(self.label_names, batch.label or [])]
        bucket = getattr(batch, "bucket_key", None) if self.sym_gen is not None else None
        key = (bucket, self._key(descs))
        if key not in self._execs:
            symbol = self.sym_gen(bucket) if bucket is not None else self.symbol
            self._execs[key] = self._bind(symbol, descs, self._base)
        self.current = self._execs[key]

    def load(self, batch) -> None:
        self.select(batch)
        exe = self.current
        _load_batch([exe.arg_dict[n] for n in self.data_names], batch.data, "data")
        if batch.label:
            _load_batch([exe.arg_dict[n] for n in self.label_names], batch.label, "label")

    def set_params(self, arg_params: dict, aux_params: dict) -> None:
        self._base.copy_params_from(arg_params, aux_params)

    def copy_to(self, arg_params: dict, aux_params: dict) -> None:
        for name, dst in arg_params.items():
            if name in self._base.arg_dict:
                self._base.arg_dict[name].astype(dst.dtype, copy=False).copyto(dst)
        for name, dst in aux_params.items():
            if name in self._base.aux_dict:
                self._base.aux_dict[name].astype(dst.dtype, copy=False).copyto(dst)


class FeedForward(BASE_ESTIMATOR):
    """A symbol with its parameters, trained and run on numpy arrays, NDArrays or DataIters.
    Extra keyword arguments are the optimizer's (``learning_rate``, ``momentum``, ``wd``, ...)."""

    def __init__(self, symbol, ctx=None, num_epoch=None, epoch_size=None, optimizer="sgd",
                 initializer=DEFAULT_INITIALIZER, numpy_batch_size=128, arg_params=None, aux_params=None,
                 allow_extra_params=False, begin_epoch=0, **kwargs):
        warnings.warn("mxnet.model.FeedForward has been deprecated. Please use mxnet.mod.Module instead.",
                      DeprecationWarning, stacklevel=2)
        from .symbol import Symbol
        if isinstance(symbol, Symbol):
            self.symbol, self.sym_gen = symbol, None
        elif callable(symbol):
            self.symbol, self.sym_gen = None, symbol
        else:
            raise TypeError(f"FeedForward: symbol must be a Symbol or a function of a bucket key returning one, "
                            f"got {type(symbol).__name__}")
        self.arg_params = arg_params
        self.aux_params = aux_params
        self.allow_extra_params = allow_extra_params
        self.argument_checked = False
        if self.sym_gen is None:
            self._check_arguments()
        if ctx is None:
            ctx = [cpu()]
        elif isinstance(ctx, Context):
            ctx = [ctx]
        self.ctx = ctx
        self.num_epoch = num_epoch
        self.epoch_size = epoch_size
        self.kwargs = kwargs.copy()
        self.optimizer = optimizer
        self.initializer = initializer
        self.numpy_batch_size = numpy_batch_size
        self._pred_exec = None
        self.begin_epoch = begin_epoch

    # ---- set-up -------------------------------------------------------------------------------
    def _check_arguments(self) -> None:
        """Checks the symbol's names once; with allow_extra_params drops given parameters the
        symbol does not have."""
        if self.argument_checked:
            return
        self.argument_checked = True
        _check_unique_arguments(self.symbol)
        if self.allow_extra_params:
            if self.arg_params:
                names = set(self.symbol.list_arguments())
                self.arg_params = {k: v for k, v in self.arg_params.items() if k in names}
            if self.aux_params:
                names = set(self.symbol.list_auxiliary_states())
                self.aux_params = {k: v for k, v in self.aux_params.items() if k in names}

    @staticmethod
    def _is_data_arg(name: str) -> bool:
        return name.endswith("data") or name.endswith("label")

    def _single_context(self) -> Context:
        if len(self.ctx) != 1:
            raise MinervaUnsupportedError(f"FeedForward: Minerva trains on one context; got {len(self.ctx)} "
                                          f"({list(self.ctx)})")
        return self.ctx[0]

    def _init_params(self, inputs, overwrite: bool = False):
        """Allocates every parameter and auxiliary state for these input descriptions and fills
        it from the given arg_params/aux_params, else with the initializer, in the symbol's
        argument order. Returns (arg_names, param_names, aux_names)."""
        from .io import DataDesc
        inputs = [x if isinstance(x, DataDesc) else DataDesc(*x) for x in inputs]
        shapes = {d.name: tuple(d.shape) for d in inputs}
        arg_shapes, _, aux_shapes = self.symbol.infer_shape(**shapes)
        if arg_shapes is None:
            raise MinervaValueError(f"FeedForward: the input shapes {shapes} do not determine every parameter's shape")
        arg_types, _, aux_types = self.symbol.infer_type(**{d.name: d.dtype for d in inputs})
        arg_names = self.symbol.list_arguments()
        param_names = [name for name in arg_names if name not in shapes]
        aux_names = self.symbol.list_auxiliary_states()
        arg_params = {n: nd.zeros(s, dtype=t) for n, s, t in zip(arg_names, arg_shapes, arg_types)
                      if n in param_names}
        aux_params = {n: nd.zeros(s, dtype=t) for n, s, t in zip(aux_names, aux_shapes, aux_types)}
        for given, fresh in ((self.arg_params, arg_params), (self.aux_params, aux_params)):
            for name, arr in fresh.items():
                if given and name in given and not overwrite:
                    src = given[name]
                    if tuple(src.shape) != tuple(arr.shape):
                        raise MinervaValueError(f"FeedForward: parameter '{name}' has shape {tuple(src.shape)}, "
                                                f"the network needs {tuple(arr.shape)}")
                    arr[:] = src.asnumpy() if isinstance(src, NDArray) else np.asarray(src)
                else:
                    with warnings.catch_warnings():  # MXNet passes the bare name here too
                        warnings.simplefilter("ignore", DeprecationWarning)
                        self.initializer(name, arr)
        self.arg_params = arg_params
        self.aux_params = aux_params
        return arg_names, list(param_names), aux_names

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_pred_exec"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    def _init_predictor(self, input_shapes, type_dict=None) -> None:
        """Binds (or keeps) the inference executor for these input shapes."""
        shapes = {name: arr.shape for name, arr in self.arg_params.items()}
        shapes.update({d[0]: tuple(d[1]) for d in input_shapes})
        if self._pred_exec is not None:
            arg_shapes, _, _ = self.symbol.infer_shape(**shapes)
            if [tuple(s) for s in arg_shapes] == [tuple(a.shape) for a in self._pred_exec.arg_arrays]:
                return
        exe = self.symbol.simple_bind(self._single_context(), grad_req="null", type_dict=type_dict, **shapes)
        exe.copy_params_from(self.arg_params, self.aux_params)
        _check_unique_arguments(self.symbol)
        self._pred_exec = exe

    def _init_iter(self, X, y, is_train: bool):
        """A DataIter for X: numpy arrays and NDArrays become an NDArrayIter of
        min(N, numpy_batch_size) (shuffled with roll_over for training, padded otherwise)."""
        from . import io
        if isinstance(X, (np.ndarray, NDArray)):
            if y is None:
                if is_train:
                    raise ValueError("y must be specified when X is numpy.ndarray")
                y = np.zeros(X.shape[0])
            if not isinstance(y, (np.ndarray, NDArray)):
                raise TypeError("y must be ndarray when X is numpy.ndarray")
            if X.shape[0] != y.shape[0]:
                raise ValueError("The numbers of data points and labels not equal")
            if y.ndim == 2 and y.shape[1] == 1:
                y = y.reshape(-1) if isinstance(y, np.ndarray) else y.reshape((-1,))
            if y.ndim != 1:
                raise ValueError("Label must be 1D or 2D (with 2nd dimension being 1)")
            batch_size = min(X.shape[0], self.numpy_batch_size)
            if is_train:
                return io.NDArrayIter(X, y, batch_size, shuffle=True, last_batch_handle="roll_over")
            return io.NDArrayIter(X, y, batch_size, shuffle=False)
        if not isinstance(X, io.DataIter):
            raise TypeError("X must be DataIter, NDArray or numpy.ndarray")
        return X

    def _init_eval_iter(self, eval_data):
        from . import io
        if eval_data is None:
            return None
        if isinstance(eval_data, (tuple, list)) and len(eval_data) == 2:
            if eval_data[0] is None:
                raise ValueError("Eval data is NONE")
            if eval_data[1] is None and isinstance(eval_data[0], io.DataIter):
                return eval_data[0]
            data = np.array(eval_data[0]) if isinstance(eval_data[0], list) else eval_data[0]
            label = np.array(eval_data[1]) if isinstance(eval_data[1], list) else eval_data[1]
            return self._init_iter(data, label, is_train=True)
        if not isinstance(eval_data, io.DataIter):
            raise TypeError("Eval data must be DataIter, or NDArray/numpy.ndarray/list pair "
                            "(i.e. tuple/list of length 2)")
        return eval_data

    def _prepare_inference(self, X, reset: bool):
        from .io import DataDesc
        if self.arg_params is None:
            raise MinervaValueError("FeedForward: the model has no parameters yet; call fit() or pass arg_params")
        X = self._init_iter(X, None, is_train=False)
        if reset:
            X.reset()
        types = {name: arr.dtype for name, arr in self.arg_params.items()}
        for d in X.provide_data:
            types[d[0]] = d.dtype if isinstance(d, DataDesc) else np.float32
        self._init_predictor(X.provide_data, types)
        return X, [self._pred_exec.arg_dict[d[0]] for d in X.provide_data]

    # ---- inference ----------------------------------------------------------------------------
    def predict(self, X, num_batch=None, return_data=False, reset=True):
        """The outputs for X as numpy arrays (one array for a single output), padding removed;
        with return_data, (outputs, data, label)."""
        X, data_arrays = self._prepare_inference(X, reset)
        batch_size = X.batch_size
        outputs = [[] for _ in self._pred_exec.outputs]
        data_list = [[] for _ in X.provide_data]
        label_list = [[] for _ in X.provide_label]
        for i, batch in enumerate(X):
            _load_batch(data_arrays, batch.data, "data")
            self._pred_exec.forward(is_train=False)
            real = batch_size - (batch.pad or 0)
            for out_list, out in zip(outputs, self._pred_exec.outputs):
                out_list.append(out[0:real].asnumpy())
            if return_data:
                for j, x in enumerate(batch.data):
                    data_list[j].append(x[0:real].asnumpy())
                for j, x in enumerate(batch.label or []):
                    label_list[j].append(x[0:real].asnumpy())
            if num_batch is not None and i + 1 == num_batch:
                break
        merged = [np.concatenate(x) for x in outputs]
        merged = merged[0] if len(merged) == 1 else merged
        if not return_data:
            return merged
        data = [np.concatenate(x) for x in data_list]
        label = [np.concatenate(x) for x in label_list]
        return merged, data[0] if len(data) == 1 else data, label[0] if len(label) == 1 else label

    def score(self, X, eval_metric="acc", num_batch=None, batch_end_callback=None, reset=True):
        """The metric's value over X (padded samples count, as in MXNet)."""
        from .model import BatchEndParam
        if not isinstance(eval_metric, _metric.EvalMetric):
            eval_metric = _metric.create(eval_metric)
        X, data_arrays = self._prepare_inference(X, reset)
        for i, batch in enumerate(X):
            if num_batch is not None and i == num_batch:
                break
            _load_batch(data_arrays, batch.data, "data")
            self._pred_exec.forward(is_train=False)
            eval_metric.update(batch.label, self._pred_exec.outputs)
            if batch_end_callback is not None:
                _callbacks(batch_end_callback, BatchEndParam(epoch=0, nbatch=i, eval_metric=eval_metric,
                                                             locals=locals()))
        return eval_metric.get()[1]

    # ---- training -----------------------------------------------------------------------------
    def _create_optimizer(self, data, kvstore, param_names):
        param_idx2name = dict(enumerate(param_names))  # one device: index i is parameter i
        if isinstance(self.optimizer, str):
            batch_size = data.batch_size
            if kvstore is not None and "dist" in kvstore.type and "_async" not in kvstore.type:
                batch_size *= kvstore.num_workers
            kwargs = dict(self.kwargs)
            kwargs["sym"] = self.symbol
            kwargs["param_idx2name"] = param_idx2name
            return opt.create(self.optimizer, rescale_grad=1.0 / batch_size, **kwargs)
        if isinstance(self.optimizer, opt.Optimizer):
            if not self.optimizer.idx2name:
                self.optimizer.idx2name = param_idx2name.copy()
            return self.optimizer
        raise TypeError(f"FeedForward: optimizer must be a name or an Optimizer, got {type(self.optimizer).__name__}")

    def fit(self, X, y=None, eval_data=None, eval_metric="acc", epoch_end_callback=None, batch_end_callback=None,
            kvstore="local", logger=None, work_load_list=None, monitor=None,
            eval_end_callback=LOG_VALIDATION_METRICS, eval_batch_end_callback=None):
        """Trains from begin_epoch to num_epoch on X (a DataIter, or arrays with labels y)."""
        from .model import BatchEndParam
        if self.num_epoch is None:
            raise ValueError("FeedForward.fit: num_epoch is None; give num_epoch to FeedForward()")
        logger = logger or logging
        ctx = self._single_context()
        if work_load_list is not None and len(work_load_list) != 1:
            raise ValueError("FeedForward.fit: work_load_list must have one entry per context")
        data = self._init_iter(X, y, is_train=True)
        eval_data = self._init_eval_iter(eval_data)
        if self.sym_gen is not None:
            self.symbol = self.sym_gen(data.default_bucket_key)
            self._check_arguments()
        arg_names, param_names, aux_names = self._init_params(list(data.provide_data) + list(data.provide_label))
        if not isinstance(eval_metric, _metric.EvalMetric):
            eval_metric = _metric.create(eval_metric)
        kv, update_on_kvstore = _create_kvstore(kvstore, len(self.ctx), self.arg_params)
        optimizer = self._create_optimizer(data, kv, param_names)

        from .io import DataDesc
        descs = [d if isinstance(d, DataDesc) else DataDesc(*d) for d in data.provide_data]
        label_descs = [d if isinstance(d, DataDesc) else DataDesc(*d) for d in data.provide_label]
        trainer = _Trainer(self.symbol, self.sym_gen, ctx, param_names, descs, label_descs)
        if monitor is not None:
            monitor.install(trainer.current)
        trainer.set_params(self.arg_params, self.aux_params)
        updater = None
        if update_on_kvstore:
            kv.set_optimizer(optimizer)
        else:
            updater = opt.get_updater(optimizer)
        if kv is not None:
            for name in param_names:
                kv.init(name, self.arg_params[name])

        data.reset()
        for epoch in range(self.begin_epoch, self.num_epoch):
            tic = time.time()
            eval_metric.reset()
            nbatch = 0
            while True:
                do_reset = True
                for batch in data:
                    trainer.load(batch)
                    if monitor is not None:
                        monitor.tic()
                    exe = trainer.current
                    exe.forward(is_train=True)
                    exe.backward()
                    self._update(exe, param_names, updater, kv, update_on_kvstore)
                    if monitor is not None:
                        monitor.toc_print()
                    eval_metric.update(batch.label, exe.outputs)
                    nbatch += 1
                    if batch_end_callback is not None:
                        _callbacks(batch_end_callback, BatchEndParam(epoch=epoch, nbatch=nbatch,
                                                                     eval_metric=eval_metric, locals=locals()))
                    if self.epoch_size is not None and nbatch >= self.epoch_size:
                        do_reset = False
                        break
                if do_reset:
                    logger.info("Epoch[%d] Resetting Data Iterator", epoch)
                    data.reset()
                if self.epoch_size is None or nbatch >= self.epoch_size:
                    break
            logger.info("Epoch[%d] Time cost=%.3f", epoch, time.time() - tic)
            if epoch_end_callback or epoch + 1 == self.num_epoch:
                trainer.copy_to(self.arg_params, self.aux_params)
            _callbacks(epoch_end_callback, epoch, self.symbol, self.arg_params, self.aux_params)
            if eval_data:
                self._evaluate(trainer, eval_data, eval_metric, epoch, eval_batch_end_callback, eval_end_callback)
        self._pred_exec = None  # the next predict binds with the trained parameters

    @staticmethod
    def _update(exe, param_names, updater, kv, update_on_kvstore) -> None:
        indices, grads, weights = [], [], []
        for index, name in enumerate(param_names):
            grad = exe.grad_dict.get(name)
            if grad is None:
                continue
            weight = exe.arg_dict[name]
            if kv is not None:
                kv.push(name, grad, priority=-index)
                kv.pull(name, weight if update_on_kvstore else grad, priority=-index)
                if update_on_kvstore:
                    continue
            indices.append(index)
            grads.append(grad)
            weights.append(weight)
        if indices and updater is not None:
            updater(indices, grads, weights)

    @staticmethod
    def _evaluate(trainer, eval_data, eval_metric, epoch, batch_end_callback, end_callback) -> None:
        from .model import BatchEndParam
        eval_metric.reset()
        eval_data.reset()
        total = 0
        for i, batch in enumerate(eval_data):
            trainer.load(batch)
            trainer.current.forward(is_train=False)
            eval_metric.update(batch.label, trainer.current.outputs)
            if batch_end_callback is not None:
                _callbacks(batch_end_callback, BatchEndParam(epoch=epoch, nbatch=i, eval_metric=eval_metric,
                                                             locals=locals()))
            total += 1
        if end_callback is not None:
            _callbacks(end_callback, BatchEndParam(epoch=epoch, nbatch=total, eval_metric=eval_metric,
                                                   locals=locals()))
        eval_data.reset()

    # ---- files --------------------------------------------------------------------------------
    def save(self, prefix, epoch=None, remove_amp_cast=True):
        """Writes prefix-symbol.json and prefix-%04d.params (epoch defaults to num_epoch)."""
        from .model import save_checkpoint
        if epoch is None:
            epoch = self.num_epoch
        if epoch is None:
            raise ValueError("FeedForward.save: give epoch (num_epoch is None)")
        save_checkpoint(prefix, epoch, self.symbol, self.arg_params, self.aux_params,
                        remove_amp_cast=remove_amp_cast)

    @staticmethod
    def load(prefix, epoch, ctx=None, **kwargs):
        """A FeedForward from a checkpoint, ready to predict (kwargs go to FeedForward())."""
        from .model import load_checkpoint
        symbol, arg_params, aux_params = load_checkpoint(prefix, epoch)
        return FeedForward(symbol, ctx=ctx, arg_params=arg_params, aux_params=aux_params, begin_epoch=epoch,
                           **kwargs)

    @staticmethod
    def create(symbol, X, y=None, ctx=None, num_epoch=None, epoch_size=None, optimizer="sgd",
               initializer=DEFAULT_INITIALIZER, eval_data=None, eval_metric="acc", epoch_end_callback=None,
               batch_end_callback=None, kvstore="local", logger=None, work_load_list=None,
               eval_end_callback=LOG_VALIDATION_METRICS, eval_batch_end_callback=None, **kwargs):
        """FeedForward(symbol, ...) trained with fit(X, y, ...), returned."""
        model = FeedForward(symbol, ctx=ctx, num_epoch=num_epoch, epoch_size=epoch_size, optimizer=optimizer,
                            initializer=initializer, **kwargs)
        model.fit(X, y, eval_data=eval_data, eval_metric=eval_metric, epoch_end_callback=epoch_end_callback,
                  batch_end_callback=batch_end_callback, kvstore=kvstore, logger=logger,
                  work_load_list=work_load_list, eval_end_callback=eval_end_callback,
                  eval_batch_end_callback=eval_batch_end_callback)
        return model
