"""``Module``: a symbol bound to one context, with its parameters, optimizer and training loop.

MXNet 1.x's ``mx.mod.Module`` on one executor. ``bind`` allocates the executor from the data
and label shapes; ``init_params`` fills the module's own (CPU) copy of every parameter through
an initializer and copies it into the executor; ``forward``/``backward``/``update`` train in
place; ``get_params`` copies the trained values back out. A batch whose shape differs from the
bound one (the last, smaller batch) runs on a reshaped executor that shares the parameters."""
from __future__ import annotations

import logging
import os
import warnings
from collections import OrderedDict

import numpy as np

from .. import model as _model
from .. import ndarray as nd
from .. import optimizer as opt
from ..base import MinervaUnsupportedError
from ..context import Context, cpu
from ..ndarray import NDArray
from .base_module import DEFAULT_INIT, BaseModule, ModuleStateError, resolve_initializer

__all__ = ["Module"]


def _data_desc(desc):
    from ..io import DataDesc
    if isinstance(desc, DataDesc):
        return desc
    if isinstance(desc, (tuple, list)) and len(desc) >= 2:
        return DataDesc(*desc)
    raise TypeError(f"Module.bind: a shape must be a DataDesc or a (name, shape) pair, got {desc!r}")


def _check_names_match(names: list, descs: list, kind: str, throw: bool) -> None:
    actual = [d.name for d in descs]
    if sorted(names) != sorted(actual):
        msg = (f"Data provided by {kind}_shapes don't match names specified by {kind}_names "
               f"({descs} vs. {names})")
        if throw:
            raise ValueError(msg)
        warnings.warn(msg, stacklevel=3)


def _check_input_names(symbol, names: list, typename: str, throw: bool) -> None:
    args = symbol.list_arguments()
    for name in names:
        if name in args:
            continue
        candidates = [a for a in args if not a.endswith(("_weight", "_bias", "_gamma", "_beta"))]
        msg = (f"You created Module with Module(..., {typename}_names={names}) but input with name '{name}' "
               f"is not found in symbol.list_arguments(). Did you mean one of:\n\t" + "\n\t".join(candidates))
        if throw:
            raise ValueError(msg)
        warnings.warn(msg, stacklevel=3)


def _single_context(context) -> Context:
    if isinstance(context, (list, tuple)):
        if len(context) != 1:
            raise MinervaUnsupportedError(f"Module: Minerva's Module runs on one context; got {len(context)} "
                                          f"({list(context)})")
        context = context[0]
    if context is None:
        return cpu()
    if not isinstance(context, Context):
        raise TypeError(f"Module: context must be a Context or a list of one, got {type(context).__name__}")
    return context


class Module(BaseModule):
    """A symbol with data inputs ``data_names``, label inputs ``label_names`` and every other
    argument a parameter (those in ``fixed_param_names`` are not trained)."""

    def __init__(self, symbol, data_names=("data",), label_names=("softmax_label",), logger=logging,
                 context=None, work_load_list=None, fixed_param_names=None, state_names=None,
                 group2ctxs=None, compression_params=None) -> None:
        super().__init__(logger=logger)
        self._context = _single_context(context)
        if work_load_list is not None and len(work_load_list) != 1:
            raise ValueError("Module: work_load_list must have one entry per context")
        self._symbol = symbol
        self._data_names = list(data_names) if data_names is not None else []
        self._label_names = list(label_names) if label_names is not None else []
        self._state_names = list(state_names) if state_names is not None else []
        self._fixed_param_names = list(fixed_param_names) if fixed_param_names is not None else []
        _check_input_names(symbol, self._data_names, "data", True)
        _check_input_names(symbol, self._label_names, "label", False)
        _check_input_names(symbol, self._state_names, "state", True)
        _check_input_names(symbol, self._fixed_param_names, "fixed_param", True)

        arg_names = symbol.list_arguments()
        input_names = set(self._data_names + self._label_names + self._state_names)
        self._param_names = [x for x in arg_names if x not in input_names]
        self._aux_names = symbol.list_auxiliary_states()
        self._output_names = symbol.list_outputs()

        self._arg_params = None
        self._aux_params = None
        self._params_dirty = False
        self._optimizer = None
        self._kvstore = None
        self._update_on_kvstore = False
        self._updater = None
        self._preload_opt_states = None
        self._grad_req = None
        self._reset_bind()

    # ---- construction from files --------------------------------------------------------------
    @staticmethod
    def load(prefix: str, epoch: int, load_optimizer_states: bool = False, **kwargs) -> Module:
        """A module from ``prefix-symbol.json`` and ``prefix-%04d.params`` (parameters set,
        not yet bound); with load_optimizer_states, ``prefix-%04d.states`` is loaded when the
        optimizer is initialized. kwargs go to Module()."""
        sym, args, auxs = _model.load_checkpoint(prefix, epoch)
        mod = Module(symbol=sym, **kwargs)
        mod._arg_params = args
        mod._aux_params = auxs
        mod.params_initialized = True
        if load_optimizer_states:
            mod._preload_opt_states = f"{prefix}-{epoch:04d}.states"
        return mod

    def save_checkpoint(self, prefix: str, epoch: int, save_optimizer_states: bool = False,
                        remove_amp_cast: bool = True) -> None:
        """Writes prefix-symbol.json, prefix-%04d.params and (optionally) prefix-%04d.states."""
        self._symbol.save(f"{prefix}-symbol.json", remove_amp_cast=remove_amp_cast)
        param_name = f"{prefix}-{epoch:04d}.params"
        self.save_params(param_name)
        logging.info('Saved checkpoint to "%s"', param_name)
        if save_optimizer_states:
            state_name = f"{prefix}-{epoch:04d}.states"
            self.save_optimizer_states(state_name)
            logging.info('Saved optimizer state to "%s"', state_name)

    # ---- names and shapes ---------------------------------------------------------------------
    @property
    def data_names(self) -> list:
        return self._data_names

    @property
    def label_names(self) -> list:
        return self._label_names

    @property
    def output_names(self) -> list:
        return self._output_names

    @property
    def data_shapes(self) -> list:
        self._require("data_shapes")
        return self._data_shapes

    @property
    def label_shapes(self):
        self._require("label_shapes")
        return self._label_shapes

    @property
    def output_shapes(self) -> list:
        """[(output name, shape)] for the current batch shape."""
        self._require("output_shapes")
        return [(name, out.shape) for name, out in zip(self._output_names, self._exec.outputs)]

    # ---- parameters ---------------------------------------------------------------------------
    def get_params(self):
        """(arg_params, aux_params): the module's copies, refreshed from the executor."""
        self._require("get_params", params=True)
        if self._params_dirty:
            self._sync_params_from_devices()
        return (self._arg_params, self._aux_params)

    def init_params(self, initializer=DEFAULT_INIT, arg_params=None, aux_params=None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        """Fills every parameter and auxiliary state: from arg_params/aux_params when they hold
        the name, else from initializer (default Uniform(0.01); the symbol's ``__init__``
        attributes are passed to it). A name missing from given dicts is an error unless
        allow_missing."""
        if self.params_initialized and not force_init:
            warnings.warn("Parameters already initialized and force_init=False. init_params call ignored.",
                          stacklevel=2)
            return
        self._require("init_params")
        from ..initializer import InitDesc
        initializer = resolve_initializer(initializer)
        attrs = self._symbol.attr_dict()

        def fill(name, arr, given):
            if given is not None and name in given:
                src = given[name]
                if src is not arr:
                    if tuple(src.shape) != tuple(arr.shape):
                        raise ValueError(f"init_params: '{name}' has shape {tuple(src.shape)}, but the module "
                                         f"needs {tuple(arr.shape)}")
                    if isinstance(src, NDArray):
                        src.astype(arr.dtype, copy=False).copyto(arr)
                    else:
                        arr[:] = np.asarray(src)
                return
            if given is not None and not allow_missing:
                raise RuntimeError(f"{name} is not presented")
            if initializer is not None:
                initializer(InitDesc(name, attrs.get(name, None)), arr)

        for name, arr in sorted(self._arg_params.items()):
            fill(name, arr, arg_params)
        for name, arr in sorted(self._aux_params.items()):
            fill(name, arr, aux_params)
        self.params_initialized = True
        self._params_dirty = False
        self._exec.copy_params_from(self._arg_params, self._aux_params, allow_extra_params=allow_extra)

    def set_params(self, arg_params, aux_params, allow_missing: bool = False, force_init: bool = True,
                   allow_extra: bool = False) -> None:
        """Copies the given parameters in (see init_params). With allow_missing, the given
        ones go straight into the executor and the rest keep their values."""
        if not allow_missing:
            self.init_params(initializer=None, arg_params=arg_params, aux_params=aux_params,
                             allow_missing=allow_missing, force_init=force_init, allow_extra=allow_extra)
            return
        if self.params_initialized and not force_init:
            warnings.warn("Parameters already initialized and force_init=False. set_params call ignored.",
                          stacklevel=2)
            return
        self._require("set_params")
        self._exec.copy_params_from(arg_params, aux_params, allow_extra_params=allow_extra)
        self._params_dirty = True
        self.params_initialized = True

    def _sync_params_from_devices(self) -> None:
        if self._kvstore is not None and self._update_on_kvstore:
            for index, name in enumerate(self._param_names):
                if self._exec.grad_dict.get(name) is not None:
                    self._kvstore.pull(name, self._exec.arg_dict[name], priority=-index)
        arg_dict, aux_dict = self._exec.arg_dict, self._exec.aux_dict
        for name, dst in self._arg_params.items():
            if name in arg_dict:
                arg_dict[name].astype(dst.dtype, copy=False).copyto(dst)
        for name, dst in self._aux_params.items():
            if name in aux_dict:
                aux_dict[name].astype(dst.dtype, copy=False).copyto(dst)
        self._params_dirty = False

    # ---- binding ------------------------------------------------------------------------------
    def _reset_bind(self) -> None:
        self.binded = False
        self._exec = None
        self._base_exec = None
        self._reshaped = {}
        self._data_shapes = None
        self._label_shapes = None

    def _parse_shapes(self, data_shapes, label_shapes):
        data_shapes = [_data_desc(d) for d in data_shapes]
        _check_names_match(self._data_names, data_shapes, "data", True)
        if label_shapes is not None:
            label_shapes = [_data_desc(d) for d in label_shapes]
            _check_names_match(self._label_names, label_shapes, "label", False)
        else:
            _check_names_match(self._label_names, [], "label", False)
        return data_shapes, label_shapes

    def _grad_reqs(self, grad_req) -> dict:
        if not self.for_training:
            return {}  # every argument 'null'
        if isinstance(grad_req, dict):
            return dict(grad_req)
        if isinstance(grad_req, (list, tuple)):
            return dict(zip(self._symbol.list_arguments(), grad_req))
        reqs = {}
        for name in self._symbol.list_arguments():
            if name in self._param_names:
                reqs[name] = "null" if name in self._fixed_param_names else grad_req
            elif name in self._data_names:
                reqs[name] = grad_req if self.inputs_need_grad else "null"
        return reqs

    def bind(self, data_shapes, label_shapes=None, for_training: bool = True, inputs_need_grad: bool = False,
             force_rebind: bool = False, shared_module=None, grad_req="write") -> None:
        """Allocates the executor for these input shapes (DataDescs or (name, shape) pairs)."""
        if force_rebind:
            if self.binded and self._params_dirty:
                self._sync_params_from_devices()
            self._reset_bind()
        if self.binded:
            self.logger.warning("Already bound, ignoring bind()")
            return
        if not for_training and inputs_need_grad:
            raise ValueError("bind: inputs_need_grad=True needs for_training=True")
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self._grad_req = grad_req
        self._data_shapes, self._label_shapes = self._parse_shapes(data_shapes, label_shapes)
        descs = self._data_shapes + (self._label_shapes or [])
        shapes = {d.name: tuple(d.shape) for d in descs}
        types = {d.name: np.dtype(d.dtype).name for d in descs if getattr(d, "dtype", None) is not None}
        if shared_module is not None and not (shared_module.binded and shared_module.params_initialized):
            raise ModuleStateError("Module.bind: shared_module must be bound and have its parameters initialized")
        shared_exec = shared_module._base_exec if shared_module is not None else None
        self._base_exec = self._symbol.simple_bind(self._context, grad_req=self._grad_reqs(grad_req),
                                                   type_dict=types, shared_exec=shared_exec, **shapes)
        self._exec = self._base_exec
        self._reshaped = {self._shape_key(descs): self._base_exec}
        self.binded = True

        if shared_module is not None:
            # A bucket of a BucketingModule: the executor shares the parameter arrays, so the
            # module shares the parameter copies too (MXNet does the same).
            self._arg_params = shared_module._arg_params
            self._aux_params = shared_module._aux_params
            self.params_initialized = True
        elif self.params_initialized:
            # Parameters were loaded or set before binding (Module.load, or a rebind): copy them in.
            self._exec.copy_params_from(self._arg_params, self._aux_params)
        else:
            arg_dict, aux_dict = self._exec.arg_dict, self._exec.aux_dict
            self._arg_params = {n: nd.zeros(arg_dict[n].shape, ctx=cpu(), dtype=arg_dict[n].dtype)
                                for n in self._param_names}
            self._aux_params = {n: nd.zeros(aux_dict[n].shape, ctx=cpu(), dtype=aux_dict[n].dtype)
                                for n in self._aux_names}
        if shared_module is not None and shared_module.optimizer_initialized:
            self.borrow_optimizer(shared_module)

    @staticmethod
    def _shape_key(descs) -> tuple:
        return tuple((d.name, tuple(d.shape)) for d in descs)

    def reshape(self, data_shapes, label_shapes=None) -> None:
        """Runs later batches with new input shapes. The executor for each shape is derived
        once from the bound one and shares its parameters and gradients."""
        self._require("reshape")
        self._data_shapes, self._label_shapes = self._parse_shapes(data_shapes, label_shapes)
        descs = self._data_shapes + (self._label_shapes or [])
        key = self._shape_key(descs)
        if key not in self._reshaped:
            shapes = {d.name: tuple(d.shape) for d in descs}
            self._reshaped[key] = self._base_exec.reshape(partial_shaping=True, allow_up_sizing=True, **shapes)
        self._exec = self._reshaped[key]

    # ---- optimizer ----------------------------------------------------------------------------
    def _create_kvstore(self, kvstore):
        if kvstore is None:
            return None, False
        if isinstance(kvstore, str):
            if "dist" not in kvstore:
                return None, False  # one context: nothing to aggregate
            from .. import kvstore as kvs
            kvstore = kvs.create(kvstore)
        update_on_kvstore = os.environ.get("MXNET_UPDATE_ON_KVSTORE", "1") != "0"
        return kvstore, update_on_kvstore

    def init_optimizer(self, kvstore="local", optimizer="sgd", optimizer_params=(("learning_rate", 0.01),),
                       force_init: bool = False) -> None:
        """Creates the optimizer (a name plus optimizer_params, or an Optimizer). Its
        rescale_grad defaults to 1/batch_size, and its param_idx2name maps each parameter's
        index (its position among the symbol's parameters) to its name."""
        self._require("init_optimizer", params=True)
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring...")
            return
        if self._params_dirty:
            self._sync_params_from_devices()
        kv, update_on_kvstore = self._create_kvstore(kvstore)
        batch_size = self._data_shapes[0].shape[self._data_shapes[0].get_batch_axis(self._data_shapes[0].layout)]
        if kv is not None and "dist" in getattr(kv, "type", "") and "_sync" in kv.type:
            batch_size *= kv.num_workers
        rescale_grad = 1.0 / batch_size
        idx2name = dict(enumerate(self._param_names))
        if isinstance(optimizer, str):
            params = dict(optimizer_params)
            params.setdefault("rescale_grad", rescale_grad)
            optimizer = opt.create(optimizer, sym=self._symbol, param_idx2name=idx2name, **params)
        else:
            if not isinstance(optimizer, opt.Optimizer):
                raise TypeError(f"init_optimizer: optimizer must be a name or an Optimizer, "
                                f"got {type(optimizer).__name__}")
            if optimizer.rescale_grad != rescale_grad:
                warnings.warn("Optimizer created manually outside Module but rescale_grad is not normalized to "
                              f"1.0/batch_size/num_workers ({optimizer.rescale_grad} vs. {rescale_grad}). "
                              "Is this intended?", stacklevel=2)
            if not optimizer.idx2name:
                optimizer.idx2name = idx2name.copy()
        self._optimizer = optimizer
        self._kvstore = kv
        self._update_on_kvstore = update_on_kvstore
        self._updater = None
        if kv is not None:
            if update_on_kvstore:
                kv.set_optimizer(optimizer)
            for index, name in enumerate(self._param_names):
                kv.init(name, self._arg_params[name])
                if update_on_kvstore:
                    kv.pull(name, self._exec.arg_dict[name], priority=-index)
        if not update_on_kvstore:
            self._updater = opt.get_updater(optimizer)
        self.optimizer_initialized = True
        if self._preload_opt_states is not None:
            self.load_optimizer_states(self._preload_opt_states)
            self._preload_opt_states = None

    def borrow_optimizer(self, shared_module) -> None:
        """Uses another module's optimizer, kvstore and updater."""
        if not shared_module.optimizer_initialized:
            raise ModuleStateError("borrow_optimizer: the shared module's optimizer is not initialized")
        self._optimizer = shared_module._optimizer
        self._kvstore = shared_module._kvstore
        self._update_on_kvstore = shared_module._update_on_kvstore
        self._updater = shared_module._updater
        self.optimizer_initialized = True

    def save_optimizer_states(self, fname: str) -> None:
        """Writes the optimizer's per-parameter states (momentum, ...) to fname."""
        self._require("save_optimizer_states", optimizer=True)
        if self._update_on_kvstore:
            self._kvstore.save_optimizer_states(fname)
            return
        tmp = f"{fname}.tmp{os.getpid()}"
        with open(tmp, "wb") as fout:
            fout.write(self._updater.get_states())
        os.replace(tmp, fname)

    def load_optimizer_states(self, fname: str) -> None:
        """Reads states written by save_optimizer_states."""
        self._require("load_optimizer_states", optimizer=True)
        if self._update_on_kvstore:
            self._kvstore.load_optimizer_states(fname)
            return
        with open(fname, "rb") as fin:
            self._updater.set_states(fin.read())

    # ---- computation --------------------------------------------------------------------------
    def _load(self, descs, arrays, what: str) -> None:
        arg_dict = self._exec.arg_dict
        for desc, src in zip(descs, arrays):
            dst = arg_dict[desc.name]
            if tuple(src.shape) != tuple(dst.shape):
                raise ValueError(f"Module.forward: {what} '{desc.name}' has shape {tuple(src.shape)}, "
                                 f"but the module is bound to {tuple(dst.shape)}")
            if isinstance(src, NDArray):
                src.astype(dst.dtype, copy=False).copyto(dst)
            else:
                dst[:] = np.asarray(src, dtype=dst.dtype)

    def forward(self, data_batch, is_train=None) -> None:
        """Copies the batch's data (and labels, when it has them) in and runs the graph.
        is_train defaults to the for_training given to bind. A batch of another shape
        reshapes the module first."""
        self._require("forward", params=True)
        if isinstance(data_batch, list):
            raise MinervaUnsupportedError("Module.forward: a list of batches (one per device) needs several "
                                          "contexts; Minerva's Module runs on one")
        new_shapes = tuple(tuple(d.shape) for d in data_batch.data)
        if tuple(tuple(d.shape) for d in self._data_shapes) != new_shapes:
            from ..io import DataDesc
            provided = getattr(data_batch, "provide_data", None)
            new_dshape = provided or [DataDesc(d.name, s, d.dtype, d.layout)
                                      for d, s in zip(self._data_shapes, new_shapes)]
            new_lshape = getattr(data_batch, "provide_label", None)
            if not new_lshape and getattr(data_batch, "label", None) and self._label_shapes:
                new_lshape = [DataDesc(d.name, lab.shape, d.dtype, d.layout)
                              for d, lab in zip(self._label_shapes, data_batch.label)]
            self.reshape(new_dshape, new_lshape or None)
        if is_train is None:
            is_train = self.for_training
        self._load(self._data_shapes, data_batch.data, "data")
        label = getattr(data_batch, "label", None)
        if self._label_shapes and label:
            self._load(self._label_shapes, label, "label")
        self._exec.forward(is_train=is_train)

    def backward(self, out_grads=None) -> None:
        """Back-propagates (head gradients out_grads, default ones for loss outputs)."""
        self._require("backward", params=True)
        if not self.for_training:
            raise ModuleStateError("Module.backward: re-bind with for_training=True to run backward")
        self._exec.backward(out_grads=out_grads)

    def update(self) -> None:
        """Applies the optimizer to every trained parameter with its gradient."""
        self._require("update", params=True, optimizer=True)
        self._params_dirty = True
        arg_dict, grad_dict = self._exec.arg_dict, self._exec.grad_dict
        indices, grads, weights = [], [], []
        for index, name in enumerate(self._param_names):
            grad = grad_dict.get(name)
            if grad is None:
                continue
            weight = arg_dict[name]
            if self._kvstore is not None:
                if self._update_on_kvstore:
                    self._kvstore.push(name, grad, priority=-index)
                    self._kvstore.pull(name, weight, priority=-index)
                    continue
                self._kvstore.push(name, grad, priority=-index)
                self._kvstore.pull(name, grad, priority=-index)
            indices.append(index)
            grads.append(grad)
            weights.append(weight)
        if indices:
            self._updater(indices, grads, weights)

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        """The outputs of the last forward: a list of NDArrays (or, with
        merge_multi_context=False, a list of one-element lists)."""
        self._require("get_outputs", params=True)
        outputs = list(self._exec.outputs)
        return outputs if merge_multi_context else [[o] for o in outputs]

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        """Gradients of the data inputs (bind with inputs_need_grad=True)."""
        self._require("get_input_grads", params=True)
        if not self.inputs_need_grad:
            raise ModuleStateError("Module.get_input_grads: bind with inputs_need_grad=True first")
        grads = [self._exec.grad_dict[d.name] for d in self._data_shapes]
        return grads if merge_multi_context else [[g] for g in grads]

    def get_states(self, merge_multi_context: bool = True) -> list:
        """The state inputs (state_names) as arrays."""
        self._require("get_states", params=True)
        states = [self._exec.arg_dict[name] for name in self._state_names]
        return states if merge_multi_context else [[s] for s in states]

    def set_states(self, states=None, value=None) -> None:
        """Sets the state inputs from arrays (states) or to one scalar (value)."""
        self._require("set_states", params=True)
        if (states is None) == (value is None):
            raise ValueError("set_states: give exactly one of states and value")
        for i, name in enumerate(self._state_names):
            dst = self._exec.arg_dict[name]
            if value is not None:
                dst[:] = value
            else:
                src = states[i][0] if isinstance(states[i], (list, tuple)) else states[i]
                src.copyto(dst)

    def update_metric(self, eval_metric, labels, pre_sliced: bool = False) -> None:
        """eval_metric.update_dict({label name: label}, {output name: output})."""
        self._require("update_metric", params=True)
        if pre_sliced:
            labels = labels[0]
        label_names = [d.name for d in self._label_shapes] if self._label_shapes else []
        labels_ = OrderedDict(zip(label_names, labels or []))
        preds = OrderedDict(zip(self._output_names, self._exec.outputs))
        eval_metric.update_dict(labels_, preds)

    def install_monitor(self, mon) -> None:
        """Installs an mx.monitor.Monitor-like object (``mon.install(executor)``)."""
        self._require("install_monitor")
        mon.install(self._exec)
