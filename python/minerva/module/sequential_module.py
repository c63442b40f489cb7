"""``SequentialModule``: modules chained so that each one's outputs are the next one's data,
trained together (MXNet 1.x's API). ``add(module, take_labels=True)`` gives a module the
batch's labels; ``auto_wiring=True`` renames the incoming outputs to the module's data names."""
from __future__ import annotations

import copy
import logging

from .base_module import DEFAULT_INIT, BaseModule, ModuleStateError

__all__ = ["SequentialModule"]


class SequentialModule(BaseModule):
    """A chain of modules; the first takes the batch's data, the last gives the outputs."""

    META_TAKE_LABELS = "take_labels"
    META_AUTO_WIRING = "auto_wiring"

    def __init__(self, logger=logging):
        super().__init__(logger=logger)
        self._modules = []
        self._metas = []
        self._label_shapes = None
        self._data_shapes = None
        self._meta_keys = {self.META_TAKE_LABELS, self.META_AUTO_WIRING}

    def add(self, module, **kwargs) -> SequentialModule:
        """Appends a module (returns self, so calls chain). Adding unbinds the chain."""
        for key in kwargs:
            if key not in self._meta_keys:
                raise ValueError(f"SequentialModule.add: unknown meta '{key}' (expected one of "
                                 f"{sorted(self._meta_keys)})")
        self._modules.append(module)
        self._metas.append(kwargs)
        self.binded = False
        self.params_initialized = False
        self.optimizer_initialized = False
        return self

    def _takes_labels(self, i: int) -> bool:
        return bool(self._metas[i].get(self.META_TAKE_LABELS, False))

    @property
    def data_names(self) -> list:
        return self._modules[0].data_names if self._modules else []

    @property
    def output_names(self) -> list:
        return self._modules[-1].output_names if self._modules else []

    @property
    def data_shapes(self):
        self._require("data_shapes")
        return self._modules[0].data_shapes

    @property
    def label_shapes(self):
        self._require("label_shapes")
        return self._label_shapes

    @property
    def output_shapes(self):
        self._require("output_shapes")
        return self._modules[-1].output_shapes

    def get_params(self):
        """The union of the modules' parameters."""
        self._require("get_params", params=True)
        arg_params, aux_params = {}, {}
        for module in self._modules:
            arg, aux = module.get_params()
            arg_params.update(arg)
            aux_params.update(aux)
        return arg_params, aux_params

    def init_params(self, initializer=DEFAULT_INIT, arg_params=None, aux_params=None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        """Initializes every module's parameters; two modules may not share a parameter name."""
        if self.params_initialized and not force_init:
            return
        self._require("init_params")
        for module in self._modules:
            module.init_params(initializer=initializer, arg_params=arg_params, aux_params=aux_params,
                               allow_missing=allow_missing, force_init=force_init, allow_extra=allow_extra)
        for kind in (0, 1):
            owner = {}
            for i, module in enumerate(self._modules):
                for name in module.get_params()[kind]:
                    if name in owner:
                        raise ValueError(f"SequentialModule: duplicated parameter names: name \"{name}\" in layer {i} "
                                         f"({type(module).__name__}) is already used in layer {owner[name]} "
                                         f"({type(self._modules[owner[name]]).__name__})")
                    owner[name] = i
        self.params_initialized = True

    def bind(self, data_shapes, label_shapes=None, for_training: bool = True, inputs_need_grad: bool = False,
             force_rebind: bool = False, shared_module=None, grad_req="write") -> None:
        """Binds each module to the previous one's output shapes. Every module after the first
        is bound with inputs_need_grad when training, so gradients flow back through the chain."""
        if self.binded and not force_rebind:
            self.logger.warning("Already bound, ignoring bind()")
            return
        if inputs_need_grad and not for_training:
            raise ValueError("SequentialModule.bind: inputs_need_grad=True needs for_training=True")
        if shared_module is not None:
            raise ValueError("SequentialModule.bind: shared_module is not supported")
        if not self._modules:
            raise ModuleStateError("SequentialModule.bind: attempting to bind an empty SequentialModule")
        self.binded = True
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self._label_shapes = label_shapes
        my_data_shapes = data_shapes
        anybody_needs_labels = False
        for i, module in enumerate(self._modules):
            my_label_shapes = label_shapes if self._takes_labels(i) else None
            anybody_needs_labels = anybody_needs_labels or self._takes_labels(i)
            if self._metas[i].get(self.META_AUTO_WIRING, False):
                names = module.data_names
                if len(names) != len(my_data_shapes):
                    raise ValueError(f"SequentialModule.bind: layer {i} takes {len(names)} inputs {names}, "
                                     f"the previous layer gives {len(my_data_shapes)}")
                my_data_shapes = [(name, shape) for name, (_, shape) in zip(names, my_data_shapes)]
            module.bind(data_shapes=my_data_shapes, label_shapes=my_label_shapes, for_training=for_training,
                        inputs_need_grad=bool(inputs_need_grad or (for_training and i > 0)),
                        force_rebind=force_rebind, shared_module=None, grad_req=grad_req)
            my_data_shapes = module.output_shapes
        if not anybody_needs_labels:
            self._label_shapes = None

    def init_optimizer(self, kvstore="local", optimizer="sgd", optimizer_params=(("learning_rate", 0.01),),
                       force_init: bool = False) -> None:
        self._require("init_optimizer", params=True)
        if self.optimizer_initialized and not force_init:
            self.logger.warning("optimizer already initialized, ignoring.")
            return
        for module in self._modules:
            module.init_optimizer(kvstore=kvstore, optimizer=optimizer, optimizer_params=optimizer_params,
                                  force_init=force_init)
        self.optimizer_initialized = True

    def forward(self, data_batch, is_train=None) -> None:
        self._require("forward", params=True)
        data_batch = copy.copy(data_batch)
        for i, module in enumerate(self._modules):
            module.forward(data_batch, is_train=is_train)
            if i + 1 == len(self._modules):
                break
            data_batch.data = module.get_outputs()
            if hasattr(data_batch, "provide_data"):
                names = [x[0] for x in module.output_shapes]
                data_batch.provide_data = [(name, x.shape) for name, x in zip(names, data_batch.data)]

    def backward(self, out_grads=None) -> None:
        self._require("backward", params=True)
        for i in reversed(range(len(self._modules))):
            module = self._modules[i]
            module.backward(out_grads=out_grads)
            if i == 0:
                break
            out_grads = module.get_input_grads()

    def update(self) -> None:
        self._require("update", params=True, optimizer=True)
        for module in self._modules:
            module.update()

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        self._require("get_outputs", params=True)
        return self._modules[-1].get_outputs(merge_multi_context=merge_multi_context)

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        self._require("get_input_grads", params=True)
        if not self.inputs_need_grad:
            raise ModuleStateError("SequentialModule.get_input_grads: bind with inputs_need_grad=True first")
        return self._modules[0].get_input_grads(merge_multi_context=merge_multi_context)

    def update_metric(self, eval_metric, labels, pre_sliced: bool = False) -> None:
        """Updates the metric with the outputs of every module that takes labels."""
        self._require("update_metric", params=True)
        for i, module in enumerate(self._modules):
            if self._takes_labels(i):
                module.update_metric(eval_metric, labels, pre_sliced)

    def install_monitor(self, mon) -> None:
        self._require("install_monitor")
        for module in self._modules:
            module.install_monitor(mon)
