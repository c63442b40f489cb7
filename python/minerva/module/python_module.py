"""``PythonModule`` and ``PythonLossModule``: modules whose computation is written in Python
(MXNet 1.x's API). A PythonModule has no parameters; subclasses give ``_compute_output_shapes``,
``forward``, ``backward``, ``get_outputs`` and ``get_input_grads``. PythonLossModule passes its
input through and, on backward, gives ``grad_func(scores, labels)`` as the input gradient, so
it can end a ``SequentialModule``."""
from __future__ import annotations

import logging

from .. import ndarray as nd
from .base_module import DEFAULT_INIT, BaseModule, ModuleStateError

__all__ = ["PythonLossModule", "PythonModule"]


class PythonModule(BaseModule):
    """A parameterless module computed in Python; ``bind`` records the shapes and asks
    ``_compute_output_shapes`` for the outputs'."""

    def __init__(self, data_names, label_names, output_names, logger=logging):
        super().__init__(logger=logger)
        self._data_names = list(data_names) if isinstance(data_names, tuple) else data_names
        self._label_names = list(label_names) if isinstance(label_names, tuple) else label_names
        self._output_names = output_names
        self._data_shapes = None
        self._label_shapes = None
        self._output_shapes = None

    @property
    def data_names(self):
        return self._data_names

    @property
    def output_names(self):
        return self._output_names

    @property
    def data_shapes(self):
        return self._data_shapes

    @property
    def label_shapes(self):
        return self._label_shapes

    @property
    def output_shapes(self):
        return self._output_shapes

    def get_params(self):
        return {}, {}

    def init_params(self, initializer=DEFAULT_INIT, arg_params=None, aux_params=None, allow_missing: bool = False,
                    force_init: bool = False, allow_extra: bool = False) -> None:
        self.params_initialized = True  # nothing to initialize

    def update(self) -> None:
        pass  # no parameters

    def init_optimizer(self, kvstore="local", optimizer="sgd", optimizer_params=(("learning_rate", 0.01),),
                       force_init: bool = False) -> None:
        self.optimizer_initialized = True  # no parameters to optimize

    def update_metric(self, eval_metric, labels, pre_sliced: bool = False) -> None:
        """eval_metric.update(labels, outputs); nothing without labels."""
        if self._label_shapes is None:
            return
        if pre_sliced:
            raise RuntimeError("PythonModule does not support presliced labels")
        eval_metric.update(labels, self.get_outputs())

    def bind(self, data_shapes, label_shapes=None, for_training: bool = True, inputs_need_grad: bool = False,
             force_rebind: bool = False, shared_module=None, grad_req="write") -> None:
        if self.binded and not force_rebind:
            self.logger.warning("Already bound, ignoring bind()")
            return
        name = type(self).__name__
        if grad_req != "write":
            raise ValueError(f"{name}.bind: a Python module only supports grad_req='write', got {grad_req!r}")
        data_names = [x[0] for x in data_shapes]
        if data_names != list(self._data_names):
            raise ValueError(f"{name}.bind: data_shapes name {data_names}, the module's data_names are "
                             f"{self._data_names}")
        if label_shapes is not None:
            label_names = [x[0] for x in label_shapes]
            if self._label_names is None or label_names != list(self._label_names):
                raise ValueError(f"{name}.bind: label_shapes name {label_names}, the module's label_names are "
                                 f"{self._label_names}")
        self.for_training = for_training
        self.inputs_need_grad = inputs_need_grad
        self._data_shapes = data_shapes
        self._label_shapes = label_shapes
        self._output_shapes = self._compute_output_shapes()
        self.binded = True

    def _compute_output_shapes(self):
        """[(output name, shape)] from self._data_shapes and self._label_shapes."""
        raise NotImplementedError(f"{type(self).__name__} must implement _compute_output_shapes")


class PythonLossModule(PythonModule):
    """Its output is its input (scores); its input gradient is ``grad_func(scores, labels)``."""

    def __init__(self, name="pyloss", data_names=("data",), label_names=("softmax_label",), logger=logging,
                 grad_func=None):
        super().__init__(data_names, label_names, [name + "_output"], logger=logger)
        if len(data_names) != 1 or len(label_names) != 1:
            raise ValueError(f"PythonLossModule: takes one data and one label input, got data_names={data_names} "
                             f"and label_names={label_names}")
        if grad_func is not None and not callable(grad_func):
            raise TypeError(f"PythonLossModule: grad_func must be callable, got {type(grad_func).__name__}")
        self._name = name
        self._scores = None
        self._labels = None
        self._scores_grad = None
        self._grad_func = grad_func

    def _compute_output_shapes(self):
        return [(self._name + "_output", self._data_shapes[0][1])]

    def forward(self, data_batch, is_train=None) -> None:
        self._scores = data_batch.data[0]
        if is_train is None:
            is_train = self.for_training
        if is_train:
            self._labels = data_batch.label[0]

    def get_outputs(self, merge_multi_context: bool = True) -> list:
        if merge_multi_context is not True:
            raise ValueError("PythonLossModule.get_outputs: only merge_multi_context=True is supported")
        return [self._scores]

    def backward(self, out_grads=None) -> None:
        if out_grads is not None:
            raise ValueError("PythonLossModule.backward: for a loss module, out_grads should be None")
        if not self.for_training:
            raise ModuleStateError("PythonLossModule.backward: bind with for_training=True first")
        self._backward_impl()

    def _backward_impl(self) -> None:
        """Sets the input gradient; subclasses without a grad_func override this."""
        if self._grad_func is None:
            raise NotImplementedError("PythonLossModule: give grad_func or override _backward_impl")
        grad = self._grad_func(self._scores, self._labels)
        self._scores_grad = grad if isinstance(grad, nd.NDArray) else nd.array(grad)

    def get_input_grads(self, merge_multi_context: bool = True) -> list:
        if merge_multi_context is not True:
            raise ValueError("PythonLossModule.get_input_grads: only merge_multi_context=True is supported")
        return [self._scores_grad]

    def install_monitor(self, mon) -> None:
        raise NotImplementedError("PythonLossModule: a monitor cannot be installed on a Python module")
