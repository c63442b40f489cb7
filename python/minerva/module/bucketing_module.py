"""``BucketingModule``: one ``Module`` per bucket key, all sharing one set of parameters, for
inputs whose shape varies from batch to batch (sentences of different lengths).

``sym_gen(bucket_key)`` returns ``(symbol, data_names, label_names)``; each batch's
``bucket_key`` picks (and on first sight binds) that bucket's module, which shares the
default bucket's parameter, gradient and auxiliary arrays and its optimizer. MXNet 1.x's API."""
from __future__ import annotations

import logging
import warnings

import numpy as np

from .. import ndarray as nd
from .. import symbol as sym
from ..context import cpu
from ..model import load_params
from .base_module import DEFAULT_INIT, BaseModule, ModuleStateError
from .module import Module, _check_input_names

__all__ = ["BucketingModule"]

_CPU = cpu()  # MXNet's default context argument


class BucketingModule(BaseModule):
    """Modules for the buckets of ``sym_gen``, bound lazily, sharing the parameters of the
    ``default_bucket_key`` bucket (bind with that bucket's shapes, the largest)."""

    def __init__(self, sym_gen, default_bucket_key=None, logger=logging, context=_CPU, work_load_list=None,
                 fixed_param_names=None, state_names=None, group2ctxs=None, compression_params=None):
        super().__init__(logger=logger)
        if default_bucket_key is None:
            raise ValueError("BucketingModule: default_bucket_key must be given")
        if not callable(sym_gen):
            raise TypeError(f"BucketingModule: sym_gen must be a function of the bucket key, "
                            f"got {type(sym_gen).__name__}")
        self._default_bucket_key = default_bucket_key
        self._sym_gen = sym_gen
        symbol, data_names, label_names = self._call_sym_gen(default_bucket_key)
        data_names = list(data_names) if data_names is not None else []
        label_names = list(label_names) if label_names is not None else []
        state_names = list(state_names) if state_names is not None else []
        fixed_param_names = list(fixed_param_names) if fixed_param_names is not None else []
        _check_input_names(symbol, data_names, "data", True)
        _check_input_names(symbol, label_names, "label", False)
        _check_input_names(symbol, state_names, "state", True)
        _check_input_names(symbol, fixed_param_names, "fixed_param", True)
        self._compression_params = compression_params
        self._fixed_param_names = fixed_param_names
        self._state_names = state_names
        self._context = context
        self._work_load_list = work_load_list
        self._group2ctxs = group2ctxs
        self._buckets = {}
        self._curr_module = None
        self._curr_bucket_key = None
        self._params_dirty = False
        self._monitor = None
        self._grad_req = None

    def _reset_bind(self) -> None:
        self.binded = False
        self._buckets = {}
        self._curr_module = None
        self._curr_bucket_key = None

    def _call_sym_gen(self, bucket_key):
        from ..name import NameManager
        with NameManager():  # fresh automatic names for every bucket, so they agree
            out = self._sym_gen(bucket_key)
        if not (isinstance(out, (tuple, list)) and len(out) == 3):
            raise TypeError(f"BucketingModule: sym_gen({bucket_key!r}) must return (symbol, data_names, "
                            f"label_names), got {type(out).__name__}")
        return out

    def _new_module(self, symbol, data_names, label_names) -> Module:
        return Module(symbol, data_names, label_names, logger=self.logger, context=self._context,
                      work_load_list=self._work_load_list, fixed_param_names=self._fixed_param_names,
                      state_names=self._state_names, group2ctxs=self._group2ctxs,
                      compression_params=self._compression_params)

    # ---- names and shapes ---------------------------------------------------------------------
    @property
    def data_names(self) -> list:
        if self.binded:
            return self._curr_module.data_names
        return self._call_sym_gen(self._default_bucket_key)[1]

    @property
    def output_names(self) -> list:
        if self.binded:
            return self._curr_module.output_names
        return self._call_sym_gen(self._default_bucket_key)[0].list_outputs()

    @property
    def data_shapes(self):
        self._require("data_shapes")
        return self._curr_module.data_shapes

    @property
    def label_shapes(self):
        self._require("label_shapes")
        return self._curr_module.label_shapes

    @property
    def output_shapes(self):
        self._require("output_shapes")
        return self._curr_module.output_shapes

    @property
    def symbol(self):
        """The current bucket's symbol."""
        self._require("symbol")
        return self._curr_module.symbol

    # ---- parameters ---------------------------------------------------------------------------
    def get_params(self):
        self._require("get_params", bound=False, params=True)
        self._curr_module._params_dirty = self._params_dirty or self._curr_module._params_dirty
        params = self._curr_module.get_params()
        self._params_dirty = False
        return params

    def set_params(self, arg_params, aux_params, allow_missing: bool = False, force_init: bool = True,
                   allow_extra: bool = False) -> None:
        if not allow_missing:
            self.init_params(initializer=None, arg_params=arg_params, aux_params=aux_params,
                             allow_missing=allow_missing, force_init=force_init, allow_extra=allow_extra)
            return
        if self.params_initialized and not force_init:
            warnings.warn("Parameters already initialized and force_init=False. set_params call ignored.",
                          stacklevel=2)
            return
        self._curr_module.set_params(arg_params, aux_params, allow_missing=allow_missing, force_init=force_init,
                                     allow_extra=allow_extra)
        self._params_dirty = True
        self.params_initialized = True

    def init_params(self, initializer=DEFAULT_INIT, arg_params=None, aux_params=None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        if self.params_initialized and not force_init:
            return
        self._require("init_params")
        self._curr_module.init_params(initializer=initializer, arg_params=arg_params, aux_params=aux_params,
                                      allow_missing=allow_missing, force_init=force_init, allow_extra=allow_extra)
        self._params_dirty = False
        self.params_initialized = True

    def get_states(self, merge_multi_context: bool = True) -> list:
        self._require("get_states", params=True)
        return self._curr_module.get_states(merge_multi_context=merge_multi_context)

    def set_states(self, states=None, value=None) -> None:
        self._require("set_states", params=True)
        self._curr_module.set_states(states, value)

    # ---- binding ------------------------------------------------------------------------------
    def bind(self, data_shapes, label_shapes=None, for_training: bool = True, inputs_need_grad: bool = False,
             force_rebind: bool = False, shared_module=None, grad_req="write") -> None:
        """Binds the default bucket's module (give the default bucket's shapes); the other
        buckets are bound when a batch first asks for them."""
        if self.params_initialized:  # keep them across the rebind (a loaded module is not bound yet)
            if self._curr_module.binded:
                arg_params, aux_params = self.get_params()
            else:
                arg_params, aux_params = self._curr_module._arg_params, self._curr_module._aux_params
        if force_rebind:
            self._reset_bind()
        if self.binded:
            self.logger.warning("Already bound, ignoring bind()")
            return
        if shared_module is not None:
            raise ValueError("BucketingModule.bind: shared_module is not supported")
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self.binded = True
        self._grad_req = grad_req
        symbol, data_names, label_names = self._call_sym_gen(self._default_bucket_key)
        module = self._buckets.get(self._default_bucket_key) or self._new_module(symbol, data_names, label_names)
        module.bind(data_shapes, label_shapes, for_training, inputs_need_grad, force_rebind=False,
                    shared_module=None, grad_req=self._grad_req)
        self._curr_module = module
        self._curr_bucket_key = self._default_bucket_key
        self._buckets[self._default_bucket_key] = module
        if self.params_initialized:
            self.set_params(arg_params, aux_params)

    def switch_bucket(self, bucket_key, data_shapes, label_shapes=None) -> None:
        """Makes ``bucket_key``'s module current, creating and binding it (sharing the
        default bucket's arrays) the first time."""
        self._require("switch_bucket")
        default = self._buckets[self._default_bucket_key]
        module = self._buckets.get(bucket_key)
        if module is None:
            symbol, data_names, label_names = self._call_sym_gen(bucket_key)
            module = self._new_module(symbol, data_names, label_names)
            self._buckets[bucket_key] = module
        if not module.binded:
            module.bind(data_shapes, label_shapes, self._curr_module.for_training,
                        self._curr_module.inputs_need_grad, force_rebind=False, shared_module=default,
                        grad_req=self._grad_req)
            if self._monitor is not None:
                module.install_monitor(self._monitor)
        self._curr_module = module
        self._curr_bucket_key = bucket_key

    # ---- optimizer and computation -------------------------------------------------------------
    def init_optimizer(self, kvstore="local", optimizer="sgd", optimizer_params=(("learning_rate", 0.01),),
                       force_init: bool = False) -> None:
        self._require("init_optimizer", params=True)
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring.")
            return
        self._curr_module.init_optimizer(kvstore, optimizer, optimizer_params, force_init=force_init)
        for module in self._buckets.values():
            if module is not self._curr_module and module.binded:
                module.borrow_optimizer(self._curr_module)
        self.optimizer_initialized = True

    def prepare(self, data_batch, sparse_row_id_fn=None) -> None:
        """Binds the bucket of the next batch ahead of its forward."""
        self._require("prepare", params=True)
        original = self._curr_bucket_key
        self.switch_bucket(data_batch.bucket_key, data_batch.provide_data, data_batch.provide_label)
        self._curr_module.prepare(data_batch, sparse_row_id_fn=sparse_row_id_fn)
        self.switch_bucket(original, None, None)

    def forward(self, data_batch, is_train=None) -> None:
        self._require("forward", params=True)
        self.switch_bucket(data_batch.bucket_key, data_batch.provide_data, data_batch.provide_label)
        self._curr_module.forward(data_batch, is_train=is_train)

    def backward(self, out_grads=None) -> None:
        self._require("backward", params=True)
        self._curr_module.backward(out_grads=out_grads)

    def update(self) -> None:
        self._require("update", params=True, optimizer=True)
        self._params_dirty = True
        self._curr_module.update()

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        self._require("get_outputs", params=True)
        return self._curr_module.get_outputs(merge_multi_context=merge_multi_context)

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        self._require("get_input_grads", params=True)
        if not self.inputs_need_grad:
            raise ModuleStateError("BucketingModule.get_input_grads: bind with inputs_need_grad=True first")
        return self._curr_module.get_input_grads(merge_multi_context=merge_multi_context)

    def update_metric(self, eval_metric, labels, pre_sliced: bool = False) -> None:
        self._require("update_metric", params=True)
        self._curr_module.update_metric(eval_metric, labels, pre_sliced)

    def install_monitor(self, mon) -> None:
        self._require("install_monitor")
        self._monitor = mon
        for module in self._buckets.values():
            module.install_monitor(mon)

    # ---- files --------------------------------------------------------------------------------
    def save_checkpoint(self, prefix: str, epoch: int, remove_amp_cast: bool = False) -> None:
        """Writes prefix-%04d.params, one prefix-<key>-symbol.json per bucket and
        prefix.buckets (the integer bucket keys), as MXNet does."""
        if not self._buckets:
            raise ModuleStateError("BucketingModule.save_checkpoint: an empty BucketingModule cannot be saved")
        self.save_params(f"{prefix}-{epoch:04d}.params")
        for bucket_key in self._buckets:
            symbol, _, _ = self._sym_gen(bucket_key)
            symbol.save(f"{prefix}-{bucket_key}-symbol.json", remove_amp_cast=remove_amp_cast)
        nd.save(f"{prefix}.buckets", nd.array(list(self._buckets.keys()), dtype=np.int32))

    @staticmethod
    def load(prefix: str, epoch: int, sym_gen=None, default_bucket_key=None, **kwargs) -> BucketingModule:
        """A BucketingModule from save_checkpoint's files (kwargs go to the modules)."""
        if sym_gen is None:
            raise ValueError("BucketingModule.load: sym_gen is required for loading BucketingModule")
        if default_bucket_key is None:
            raise ValueError("BucketingModule.load: default_bucket_key is required for loading BucketingModule")
        buckets = [int(k) for k in nd.load(f"{prefix}.buckets")[0].asnumpy().astype(np.int32)]
        mod = BucketingModule(sym_gen, default_bucket_key, **kwargs)
        for bucket_key in buckets:
            _, data_names, label_names = sym_gen(bucket_key)
            symbol = sym.load(f"{prefix}-{bucket_key}-symbol.json")
            mod._buckets[bucket_key] = Module(symbol, data_names, label_names, **kwargs)
        arg_params, aux_params = load_params(prefix, epoch)
        return BucketingModule._with_params(mod, default_bucket_key, arg_params, aux_params)

    @staticmethod
    def load_dict(sym_dict=None, sym_gen=None, default_bucket_key=None, arg_params=None, aux_params=None,
                  **kwargs) -> BucketingModule:
        """A BucketingModule from {bucket key: symbol} and shared parameters."""
        for name, value in (("sym_dict", sym_dict), ("arg_params", arg_params), ("aux_params", aux_params),
                            ("default_bucket_key", default_bucket_key)):
            if value is None:
                raise ValueError(f"BucketingModule.load_dict: {name} needs to be provided")
        mod = BucketingModule(sym_gen, default_bucket_key, **kwargs)
        _, data_names, label_names = sym_gen(default_bucket_key)
        for bucket_key, loaded in sym_dict.items():
            mod._buckets[bucket_key] = Module(loaded, data_names, label_names, **kwargs)
        return BucketingModule._with_params(mod, default_bucket_key, arg_params, aux_params)

    @staticmethod
    def _with_params(mod, default_bucket_key, arg_params, aux_params):
        if default_bucket_key not in mod._buckets:
            raise ValueError(f"BucketingModule: the saved buckets {sorted(mod._buckets)} lack the default bucket "
                             f"{default_bucket_key!r}")
        mod._curr_module = mod._buckets[default_bucket_key]
        mod._curr_module._arg_params = arg_params
        mod._curr_module._aux_params = aux_params
        mod._curr_module.params_initialized = True
        mod.params_initialized = True
        return mod
