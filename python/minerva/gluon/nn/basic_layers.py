"""Basic Gluon layers: containers, Dense, Dropout, the normalisations, Embedding, Flatten and lambdas.

Each layer follows MXNet 1.9.1's: the same constructor arguments, parameter names (``dense0_weight``,
``batchnorm0_running_mean``), operator calls (``name='fwd'`` where MXNet names the node, so a hybridized graph
has ``dense0_fwd``) and ``repr``.
"""
from __future__ import annotations

import functools
import weakref
from typing import Any, Callable

import numpy as np

from ... import ndarray as nd
from ... import symbol as sym
from ...base import MXNetError
from ...util import is_np_array  # noqa: F401  (MXNet's basic_layers exports it)
from ..block import Block, HybridBlock
from .activations import Activation

__all__ = ["Sequential", "HybridSequential", "Dense", "Dropout", "BatchNorm", "Embedding", "Flatten",
           "InstanceNorm", "LayerNorm", "GroupNorm", "Lambda", "HybridLambda"]


def _indent(text: str, spaces: int) -> str:
    """Indents every line of ``text`` but the first by ``spaces`` spaces (nested reprs)."""
    lines = text.split("\n")
    return "\n".join(lines[:1] + [" " * spaces + line for line in lines[1:]])


def _names_layer(hybrid_forward: Callable) -> Callable:
    """Makes an operator error raised inside ``hybrid_forward`` name the layer, keeping the error's class.

    The operator already names itself, the input and both shapes; this adds which block ran it, so
    ``Dense(3, in_units=5)`` fed 7 features says ``dense0 (Dense): Operator FullyConnected: shape mismatch ...``.
    """
    @functools.wraps(hybrid_forward)
    def wrapper(self, F, *args, **kwargs):
        try:
            return hybrid_forward(self, F, *args, **kwargs)
        except MXNetError as err:
            if getattr(err, "_gluon_layer", None) is not None:
                raise  # a child block already named itself
            named = type(err)(f"{self.name} ({type(self).__name__}): {err}")
            named._gluon_layer = self.name
            raise named from err
    return wrapper


def _children_of(block: Block) -> list:
    """The registered children in order (MXNet 1.x keeps blocks; tolerate weak references too)."""
    out = []
    for child in block._children.values():
        out.append(child() if isinstance(child, weakref.ref) else child)
    return out


def _container_repr(block: Block) -> str:
    body = "\n".join(f"  ({key}): {_indent(repr(child), 2)}"
                     for key, child in zip(block._children.keys(), _children_of(block)))
    return f"{type(block).__name__}(\n{body}\n)"


def _container_getitem(block: Block, key):
    layers = _children_of(block)[key]
    if not isinstance(layers, list):
        return layers
    net = type(block)(prefix=block._prefix)
    with net.name_scope():
        net.add(*layers)
    return net


class Sequential(Block):
    """Stacks Blocks sequentially: ``net.add(a, b)``; ``net(x)`` is ``b(a(x))``."""

    def __init__(self, prefix: str | None = None, params=None):
        super().__init__(prefix=prefix, params=params)

    def add(self, *blocks: Block) -> None:
        """Adds blocks on top of the stack."""
        for block in blocks:
            self.register_child(block)

    def forward(self, x, *args):
        for block in _children_of(self):
            x = block(x, *args)
            args = ()
        return x

    def __repr__(self) -> str:
        return _container_repr(self)

    def __getitem__(self, key):
        return _container_getitem(self, key)

    def __len__(self) -> int:
        return len(self._children)

    def hybridize(self, active: bool = True, **kwargs) -> None:
        """Hybridizes the HybridBlock children; warns, as MXNet does, when all of them are hybrid."""
        children = _children_of(self)
        if children and all(isinstance(c, HybridBlock) for c in children):
            import warnings
            warnings.warn(f"All children of this Sequential layer '{self.prefix}' are HybridBlocks. Consider "
                          "using HybridSequential for the best performance.", stacklevel=2)
        super().hybridize(active, **kwargs)


class HybridSequential(HybridBlock):
    """Stacks HybridBlocks sequentially; hybridizes into one graph."""

    def __init__(self, prefix: str | None = None, params=None):
        super().__init__(prefix=prefix, params=params)

    def add(self, *blocks: Block) -> None:
        """Adds blocks on top of the stack."""
        for block in blocks:
            self.register_child(block)

    def hybrid_forward(self, F, x, *args):
        for block in _children_of(self):
            x = block(x, *args)
            args = ()
        return x

    def __repr__(self) -> str:
        return _container_repr(self)

    def __getitem__(self, key):
        return _container_getitem(self, key)

    def __len__(self) -> int:
        return len(self._children)


def _bias_and_act(block: HybridBlock, use_bias: bool, size: int, bias_initializer, activation: str | None,
                  **dtype) -> None:
    """Gives a Dense or convolution layer its ``bias`` of shape ``(size,)`` (None without use_bias) and its
    ``act`` (an Activation child, None without activation)."""
    block.bias = (block.params.get("bias", shape=(size,), init=bias_initializer, allow_deferred_init=True, **dtype)
                  if use_bias else None)
    block.act = Activation(activation, prefix=activation + "_") if activation is not None else None


class Dense(HybridBlock):
    """Densely connected layer: ``out = activation(dot(x, weight.T) + bias)``.

    ``weight`` has shape ``(units, in_units)``; with ``in_units=0`` it is inferred at the first forward.
    With ``flatten=True`` (default) inputs are flattened to 2-D first; otherwise the last axis is used.
    """

    def __init__(self, units: int, activation: str | None = None, use_bias: bool = True, flatten: bool = True,
                 dtype="float32", weight_initializer=None, bias_initializer="zeros", in_units: int = 0,
                 **kwargs):
        super().__init__(**kwargs)
        self._flatten = flatten
        with self.name_scope():
            self._units = units
            self._in_units = in_units
            self.weight = self.params.get("weight", shape=(units, in_units), init=weight_initializer,
                                          dtype=dtype, allow_deferred_init=True)
            _bias_and_act(self, use_bias, units, bias_initializer, activation, dtype=dtype)

    @_names_layer
    def hybrid_forward(self, F, x, weight, bias=None):
        out = F.FullyConnected(x, weight, bias, no_bias=bias is None, num_hidden=self._units,
                               flatten=self._flatten, name="fwd")
        return self.act(out) if self.act is not None else out

    def __repr__(self) -> str:
        shape = self.weight.shape
        return "{}({} -> {}, {})".format(type(self).__name__, shape[1] if shape[1] else None, shape[0],
                                         self.act if self.act else "linear")


class Dropout(HybridBlock):
    """Sets a fraction ``rate`` of the input to zero in training (and scales the rest by 1/(1-rate)).

    ``axes`` share one mask along those axes (variational dropout). Outside training it is the identity.
    """

    def __init__(self, rate: float, axes=(), **kwargs):
        super().__init__(**kwargs)
        self._rate = rate
        self._axes = axes

    def hybrid_forward(self, F, x):
        if self._rate > 0:
            return F.Dropout(x, p=self._rate, axes=self._axes, name="fwd", cudnn_off=False)
        return F.identity(x)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p = {self._rate}, axes={self._axes})"


def _norm_repr(block: HybridBlock, kwargs: dict, none_if_zero: bool) -> str:
    in_channels = block.gamma.shape[0]
    if none_if_zero and not in_channels:
        in_channels = None
    content = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return f"{type(block).__name__}({content}, in_channels={in_channels})"


def _gamma_beta(block: HybridBlock, size: int, center: bool, scale: bool, gamma_initializer, beta_initializer,
                mark_differentiable: bool = False) -> None:
    """Gives a normalisation layer its ``gamma`` (scale) and ``beta`` (shift) of shape ``(size,)``; one switched
    off has ``grad_req='null'`` (and, with mark_differentiable, is marked not differentiable, as BatchNorm's)."""
    extra = {"differentiable": scale} if mark_differentiable else {}
    block.gamma = block.params.get("gamma", grad_req="write" if scale else "null", shape=(size,),
                                   init=gamma_initializer, allow_deferred_init=True, **extra)
    extra = {"differentiable": center} if mark_differentiable else {}
    block.beta = block.params.get("beta", grad_req="write" if center else "null", shape=(size,),
                                  init=beta_initializer, allow_deferred_init=True, **extra)


class BatchNorm(HybridBlock):
    """Batch normalization (Ioffe and Szegedy, 2014) over axis ``axis`` (the channels).

    Training uses the batch's statistics and updates ``running_mean``/``running_var`` (auxiliary parameters,
    ``grad_req='null'``) with ``momentum``; prediction, or ``use_global_stats=True``, uses the running ones.
    ``scale=False`` fixes gamma at 1, ``center=False`` beta at 0 (neither is then trained).
    """

    def __init__(self, axis: int = 1, momentum: float = 0.9, epsilon: float = 1e-5, center: bool = True,
                 scale: bool = True, use_global_stats: bool = False, beta_initializer="zeros",
                 gamma_initializer="ones", running_mean_initializer="zeros", running_variance_initializer="ones",
                 in_channels: int = 0, **kwargs):
        super().__init__(**kwargs)
        self._kwargs = {"axis": axis, "eps": epsilon, "momentum": momentum, "fix_gamma": not scale,
                        "use_global_stats": use_global_stats}
        if in_channels != 0:
            self.in_channels = in_channels
        _gamma_beta(self, in_channels, center, scale, gamma_initializer, beta_initializer, mark_differentiable=True)
        self.running_mean = self.params.get("running_mean", grad_req="null", shape=(in_channels,),
                                            init=running_mean_initializer, allow_deferred_init=True,
                                            differentiable=False)
        self.running_var = self.params.get("running_var", grad_req="null", shape=(in_channels,),
                                           init=running_variance_initializer, allow_deferred_init=True,
                                           differentiable=False)

    def cast(self, dtype) -> None:
        # As in MXNet: float16 nets keep their BatchNorm statistics in float32.
        if np.dtype(dtype).name == "float16":
            dtype = "float32"
        super().cast(dtype)

    @_names_layer
    def hybrid_forward(self, F, x, gamma, beta, running_mean, running_var):
        return F.BatchNorm(x, gamma, beta, running_mean, running_var, name="fwd", **self._kwargs)

    def __repr__(self) -> str:
        return _norm_repr(self, self._kwargs, none_if_zero=True)


class InstanceNorm(HybridBlock):
    """Instance normalization: each sample's channels normalised over their spatial axes.

    Uses the ``InstanceNorm`` operator; ``axis`` other than 1 swaps that axis to 1 around it.
    """

    def __init__(self, axis: int = 1, epsilon: float = 1e-5, center: bool = True, scale: bool = False,
                 beta_initializer="zeros", gamma_initializer="ones", in_channels: int = 0, **kwargs):
        super().__init__(**kwargs)
        self._kwargs = {"eps": epsilon, "axis": axis, "center": center, "scale": scale}
        self._axis = axis
        self._epsilon = epsilon
        _gamma_beta(self, in_channels, center, scale, gamma_initializer, beta_initializer)

    @_names_layer
    def hybrid_forward(self, F, x, gamma, beta):
        if self._axis == 1:
            return F.InstanceNorm(x, gamma, beta, name="fwd", eps=self._epsilon)
        x = x.swapaxes(1, self._axis)
        return F.InstanceNorm(x, gamma, beta, name="fwd", eps=self._epsilon).swapaxes(1, self._axis)

    def __repr__(self) -> str:
        return _norm_repr(self, self._kwargs, none_if_zero=False)


class LayerNorm(HybridBlock):
    """Layer normalization over ``axis`` (default the last): gamma and beta have that axis' length."""

    def __init__(self, axis: int = -1, epsilon: float = 1e-5, center: bool = True, scale: bool = True,
                 beta_initializer="zeros", gamma_initializer="ones", in_channels: int = 0,
                 prefix: str | None = None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._kwargs = {"eps": epsilon, "axis": axis, "center": center, "scale": scale}
        self._axis = axis
        self._epsilon = epsilon
        self._center = center
        self._scale = scale
        _gamma_beta(self, in_channels, center, scale, gamma_initializer, beta_initializer)

    @_names_layer
    def hybrid_forward(self, F, data, gamma, beta):
        # MXNet gives this node no name: it becomes <prefix>layernorm0.
        return F.LayerNorm(data, gamma=gamma, beta=beta, axis=self._axis, eps=self._epsilon)

    def __repr__(self) -> str:
        return _norm_repr(self, self._kwargs, none_if_zero=False)


class GroupNorm(HybridBlock):
    """Group normalization: the channels (axis 1) split into ``num_groups`` groups, each normalised over its
    channels and spatial axes. As in MXNet 1.9.1, gamma and beta have one entry per group."""

    def __init__(self, num_groups: int = 1, epsilon: float = 1e-5, center: bool = True, scale: bool = True,
                 beta_initializer="zeros", gamma_initializer="ones", prefix: str | None = None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._kwargs = {"eps": epsilon, "num_groups": num_groups, "center": center, "scale": scale}
        self._num_groups = num_groups
        self._epsilon = epsilon
        self._center = center
        self._scale = scale
        _gamma_beta(self, num_groups, center, scale, gamma_initializer, beta_initializer)

    @_names_layer
    def hybrid_forward(self, F, data, gamma, beta):
        return F.GroupNorm(data, gamma=gamma, beta=beta, num_groups=self._num_groups, eps=self._epsilon)

    def __repr__(self) -> str:
        content = ", ".join(f"{k}={v!r}" for k, v in self._kwargs.items())
        return f"{type(self).__name__}({content})"


class Embedding(HybridBlock):
    """Maps integer indices in ``[0, input_dim)`` to rows of a ``(input_dim, output_dim)`` weight."""

    def __init__(self, input_dim: int, output_dim: int, dtype="float32", weight_initializer=None,
                 sparse_grad: bool = False, **kwargs):
        super().__init__(**kwargs)
        self._kwargs = {"input_dim": input_dim, "output_dim": output_dim, "dtype": dtype,
                        "sparse_grad": sparse_grad}
        extra = {"grad_stype": "row_sparse"} if sparse_grad else {}
        self.weight = self.params.get("weight", shape=(input_dim, output_dim), init=weight_initializer,
                                      dtype=dtype, allow_deferred_init=True, **extra)

    @_names_layer
    def hybrid_forward(self, F, x, weight):
        return F.Embedding(x, weight, name="fwd", **self._kwargs)

    def __repr__(self) -> str:
        k = self._kwargs
        return f"{type(self).__name__}({k['input_dim']} -> {k['output_dim']}, {k['dtype']})"


class Flatten(HybridBlock):
    """Flattens ``(N, x1, ..., xn)`` to ``(N, x1 * ... * xn)``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def hybrid_forward(self, F, x):
        return F.flatten(x)

    def __repr__(self) -> str:
        return type(self).__name__


def _function_name(function: Any) -> str:
    return getattr(function, "__name__", type(function).__name__)


class Lambda(Block):
    """Wraps an ``mx.nd`` operator name (``Lambda('tanh')``) or a function of NDArrays as a Block."""

    def __init__(self, function, prefix: str | None = None):
        super().__init__(prefix=prefix)
        if isinstance(function, str):
            if not hasattr(nd, function):
                raise AssertionError(f"Function name {function} is not found in ndarray.")
            self._func_impl = getattr(nd, function)
        elif callable(function):
            self._func_impl = function
        else:
            raise ValueError(f"Unrecognized function in lambda: {function} of type {type(function)}")

    def forward(self, *args):
        return self._func_impl(*args)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_function_name(self._func_impl)})"


class HybridLambda(HybridBlock):
    """Wraps an operator name present in ``mx.nd`` and ``mx.sym`` (``HybridLambda('tanh')``) or a function
    ``f(F, x, *args)`` as a HybridBlock."""

    def __init__(self, function, prefix: str | None = None):
        super().__init__(prefix=prefix)
        if isinstance(function, str):
            if not (hasattr(nd, function) and hasattr(sym, function)):
                raise AssertionError(f"Function name {function} is not found in symbol/ndarray.")
            self._func = lambda F, *args: getattr(F, function)(*args)
            self._func_name = function
        elif callable(function):
            self._func = function
            self._func_name = _function_name(function)
        else:
            raise ValueError(f"Unrecognized function in lambda: {function} of type {type(function)}")

    def hybrid_forward(self, F, x, *args):
        return self._func(F, x, *args)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._func_name})"

