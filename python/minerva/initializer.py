"""``mx.init``: parameter initializers (MXNet 1.x API).

An initializer is called as ``init(desc, arr)``. With an ``InitDesc`` it first honours the
variable's ``__init__`` attribute (a ``dumps()`` string such as ``'["zero", {}]'``), then
dispatches on the name's ending: ``weight`` (the initializer's own rule), ``bias``/``beta``/
``min`` (0), ``gamma``/``max`` (1). With a plain string name (MXNet's legacy call) it also
knows ``moving_mean``/``moving_var``/``moving_inv_var``/``moving_avg`` and ``upsampling``.
Random initializers draw from ``mx.nd.random``, so ``mx.random.seed`` reproduces them.
"""
from __future__ import annotations

import json
import logging
import re
import warnings
from math import sqrt

import numpy as np

from . import ndarray as nd
from . import registry
from .ndarray import NDArray
# Re-exported as MXNet's initializer module does (its star import gives them).
from . import ndarray, random  # noqa: E402, F401
from .base import string_types  # noqa: F401
from .ndarray import load  # noqa: F401
from .util import is_np_array  # noqa: F401

__all__ = ["Bilinear", "Constant", "InitDesc", "Initializer", "LSTMBias", "Load", "MSRAPrelu",
           "Mixed", "Normal", "One", "Orthogonal", "Uniform", "Xavier", "Zero", "alias",
           "create", "register",
           # what MXNet's star import gives besides its own classes
           "NDArray", "is_np_array", "load", "ndarray", "np", "random", "registry", "string_types"]


class InitDesc(str):
    """A parameter's name plus its attributes (``Symbol.attr_dict``) and the global initializer
    to fall back to."""

    def __new__(cls, name: str, attrs: dict | None = None, global_init=None):
        ret = super().__new__(cls, name)
        ret.attrs = attrs or {}
        ret.global_init = global_init
        return ret


class Initializer:
    """Base class of initializers; subclasses implement ``_init_weight``."""

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._verbose = False
        self._print_func = None

    def set_verbosity(self, verbose: bool = False, print_func=None) -> Initializer:
        """Logs a statistic of each initialized array (default: ``norm(x) / sqrt(size)``)."""
        self._verbose = verbose
        if print_func is None:
            def print_func(x):
                return str((nd.norm(x) / sqrt(x.size)).asscalar())
        self._print_func = print_func
        return self

    def _verbose_print(self, desc, init, arr) -> None:
        if self._verbose and self._print_func:
            logging.info("Initialized %s as %s: %s", desc, init, self._print_func(arr))

    def dumps(self) -> str:
        """The JSON string ``[name, kwargs]`` that ``create`` (and ``__init__`` attributes)
        accept, e.g. ``'["normal", {"sigma": 0.5}]'``."""
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])

    def __call__(self, desc, arr: NDArray) -> None:
        if not isinstance(desc, InitDesc):
            self._legacy_init(desc, arr)
            return
        if desc.global_init is None:
            desc.global_init = self
        init = desc.attrs.get("__init__", "")
        if init:
            create(init)._init_weight(desc, arr)
            self._verbose_print(desc, init, arr)
            return
        for suffix, method in (("weight", self._init_weight), ("bias", self._init_bias),
                               ("gamma", self._init_gamma), ("beta", self._init_beta),
                               ("min", self._init_zero), ("max", self._init_one),
                               ("weight_quantize", self._init_quantized_weight),
                               ("bias_quantize", self._init_quantized_bias)):
            if desc.endswith(suffix):
                method(desc, arr)
                self._verbose_print(desc, suffix, arr)
                return
        self._init_default(desc, arr)

    def _legacy_init(self, name, arr) -> None:
        """``init(name_str, arr)``: MXNet's deprecated form, dispatching on more name patterns."""
        warnings.warn("Calling initializer with init(str, NDArray) has been deprecated. "
                      "please use init(mx.init.InitDesc(...), NDArray) instead.",
                      DeprecationWarning, stacklevel=3)
        if not isinstance(name, str):
            raise TypeError(f"name must be string, got {type(name).__name__}")
        if not isinstance(arr, NDArray):
            raise TypeError(f"arr must be NDArray, got {type(arr).__name__}")
        if name.startswith("upsampling"):
            self._init_bilinear(name, arr)
        elif name.startswith("stn_loc") and name.endswith("weight"):
            self._init_zero(name, arr)
        elif name.startswith("stn_loc") and name.endswith("bias"):
            self._init_loc_bias(name, arr)
        elif name.endswith("bias"):
            self._init_bias(name, arr)
        elif name.endswith("gamma"):
            self._init_gamma(name, arr)
        elif name.endswith("beta"):
            self._init_beta(name, arr)
        elif name.endswith("weight"):
            self._init_weight(name, arr)
        elif name.endswith("moving_mean") or name.endswith("moving_inv_var") \
                or name.endswith("moving_avg") or name.endswith("min"):
            self._init_zero(name, arr)
        elif name.endswith("moving_var") or name.endswith("max"):
            self._init_one(name, arr)
        else:
            self._init_default(name, arr)

    def _init_bilinear(self, _, arr) -> None:
        arr[:] = _bilinear(arr.shape)

    def _init_loc_bias(self, _, arr) -> None:
        if arr.shape[0] != 6:
            raise ValueError(f"stn_loc bias must have 6 entries, got shape {arr.shape}")
        arr[:] = np.array([1.0, 0, 0, 0, 1.0, 0])

    def _init_zero(self, _, arr) -> None:
        arr[:] = 0.0

    def _init_one(self, _, arr) -> None:
        arr[:] = 1.0

    def _init_bias(self, _, arr) -> None:
        arr[:] = 0.0

    def _init_quantized_bias(self, _, arr) -> None:
        arr[:] = 0

    def _init_gamma(self, _, arr) -> None:
        arr[:] = 1.0

    def _init_beta(self, _, arr) -> None:
        arr[:] = 0.0

    def _init_weight(self, name, arr) -> None:
        raise NotImplementedError("Must override it")

    def _init_quantized_weight(self, _, arr) -> None:
        values = nd.random.randint(-127, 127, shape=arr.shape, dtype="int32").asnumpy()
        arr[:] = values.astype(np.int8)

    def _init_default(self, name, _) -> None:
        raise ValueError(
            f"Unknown initialization pattern for {name}. Default initialization is now limited "
            'to "weight", "bias", "gamma" (1.0), and "beta" (0.0). Please use '
            "mx.sym.Variable(init=mx.init.*) to set initialization pattern")

    def __eq__(self, other):
        if not isinstance(other, Initializer):
            return NotImplemented
        return type(self) is type(other) and self._kwargs == other._kwargs

    __hash__ = object.__hash__


def _bilinear(shape) -> np.ndarray:
    """The bilinear-upsampling kernel of a ``(..., h, w)`` weight."""
    size = int(np.prod(shape))
    f = np.ceil(shape[3] / 2.0)
    c = (2 * f - 1 - f % 2) / (2.0 * f)
    i = np.arange(size)
    x = i % shape[3]
    y = (i // shape[3]) % shape[2]
    weight = (1 - np.abs(x / f - c)) * (1 - np.abs(y / f - c))
    return weight.astype(np.float32).reshape(shape)


# ---- registry (mx.registry's, keyed on Initializer) ------------------------------------------------
register = registry.get_register_func(Initializer, "initializer")
alias = registry.get_alias_func(Initializer, "initializer")
create = registry.get_create_func(Initializer, "initializer")


# ---- composite initializers (not registered, as in MXNet) ------------------------------------
class Load:
    """Initializes from a dict of arrays or an ``nd.save`` file (``arg:``/``aux:`` prefixes
    are dropped); names not found go to ``default_init``."""

    def __init__(self, param, default_init=None, verbose: bool = False):
        if isinstance(param, str):
            param = nd.load(param)
        if not isinstance(param, dict):
            raise TypeError(f"Load expects a dict of arrays or a file of them, got "
                            f"{type(param).__name__}")
        self.param = {}
        for name, arr in param.items():
            key = name[4:] if name.startswith("arg:") or name.startswith("aux:") else name
            self.param[key] = arr
        self.default_init = default_init
        self.verbose = verbose

    def __call__(self, name, arr) -> None:
        if name in self.param:
            if tuple(arr.shape) != tuple(self.param[name].shape):
                raise ValueError(f"Parameter {name} cannot be initialized from loading. Shape "
                                 f"mismatch, target {arr.shape} vs loaded "
                                 f"{self.param[name].shape}")
            arr[:] = self.param[name]
            if self.verbose:
                logging.info("Initialized %s by loading", name)
            return
        if self.default_init is None:
            raise ValueError(f"Cannot Initialize {name}. Not found in loaded param and no "
                             "default Initializer is provided.")
        self.default_init(name, arr)
        if self.verbose:
            logging.info("Initialized %s by default", name)


class Mixed:
    """Picks the initializer of the first regular expression that matches the name."""

    def __init__(self, patterns: list, initializers: list):
        if len(patterns) != len(initializers):
            raise ValueError(f"Mixed: {len(patterns)} patterns but {len(initializers)} "
                             "initializers")
        self.map = list(zip([re.compile(p) for p in patterns], initializers))

    def __call__(self, name, arr) -> None:
        for prog, init in self.map:
            if prog.match(name):
                init(name, arr)
                return
        raise ValueError(f"Parameter name {name} did not match any pattern. Consider adding a "
                         '".*" pattern at the end with a default Initializer.')


# ---- concrete initializers --------------------------------------------------------------------
@register
@alias("zeros")
class Zero(Initializer):
    """Fills weights with 0."""

    def __init__(self):
        super().__init__()

    def _init_weight(self, _, arr):
        arr[:] = 0


@register
@alias("ones")
class One(Initializer):
    """Fills weights with 1."""

    def __init__(self):
        super().__init__()

    def _init_weight(self, _, arr):
        arr[:] = 1


@register
class Constant(Initializer):
    """Fills weights with ``value``: a scalar, or an array (NDArray, numpy, list) of the
    parameter's shape."""

    def __init__(self, value):
        super().__init__(value=value)
        self.value = value

    def _init_weight(self, _, arr):
        value = self.value
        arr[:] = np.asarray(value, dtype=np.float32) if isinstance(value, (list, tuple)) \
            else value

    def dumps(self) -> str:
        val = self._kwargs["value"]
        if not np.isscalar(val):
            if isinstance(val, np.ndarray):
                self._kwargs["value"] = val.tolist()
            elif isinstance(val, NDArray):
                self._kwargs["value"] = val.asnumpy().tolist()
        return json.dumps([self.__class__.__name__.lower(), self._kwargs])


@register
class Uniform(Initializer):
    """Weights uniform in ``[-scale, scale]``."""

    def __init__(self, scale: float = 0.07):
        super().__init__(scale=scale)
        self.scale = scale

    def _init_weight(self, _, arr):
        nd.random.uniform(-self.scale, self.scale, arr.shape, out=arr)


@register
class Normal(Initializer):
    """Weights from N(0, sigma**2)."""

    def __init__(self, sigma: float = 0.01):
        super().__init__(sigma=sigma)
        self.sigma = sigma

    def _init_weight(self, _, arr):
        nd.random.normal(0, self.sigma, arr.shape, out=arr)


@register
class Orthogonal(Initializer):
    """An orthogonal matrix (rows or columns, whichever fits) times ``scale``, from the SVD of
    a uniform (``rand_type='uniform'``) or normal random matrix."""

    def __init__(self, scale: float = 1.414, rand_type: str = "uniform"):
        super().__init__(scale=scale, rand_type=rand_type)
        self.scale = scale
        self.rand_type = rand_type

    def _init_weight(self, _, arr):
        nout = arr.shape[0]
        nin = int(np.prod(arr.shape[1:]))
        if self.rand_type == "uniform":
            tmp = nd.random.uniform(-1.0, 1.0, shape=(nout, nin)).asnumpy()
        elif self.rand_type == "normal":
            tmp = nd.random.normal(0.0, 1.0, shape=(nout, nin)).asnumpy()
        else:
            raise ValueError(f"Orthogonal: rand_type must be 'uniform' or 'normal', got "
                             f"{self.rand_type!r}")
        u, _, v = np.linalg.svd(tmp, full_matrices=False)
        res = u if u.shape == tmp.shape else v
        arr[:] = (self.scale * res.reshape(arr.shape)).astype(np.float32)


@register
class Xavier(Initializer):
    """Xavier/Glorot: uniform in ``[-c, c]`` (or normal with std ``c``) where
    ``c = sqrt(magnitude / n)`` and ``n`` is ``fan_in``, ``fan_out`` or their mean
    (``factor_type`` 'in', 'out', 'avg'); fans count the kernel's spatial size."""

    def __init__(self, rnd_type: str = "uniform", factor_type: str = "avg",
                 magnitude: float = 3):
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        self.rnd_type = rnd_type
        self.factor_type = factor_type
        self.magnitude = float(magnitude)

    def _init_weight(self, name, arr):
        shape = arr.shape
        if len(shape) < 2:
            raise ValueError(f"Xavier initializer cannot be applied to vector {name}. It "
                             "requires at least 2D.")
        hw_scale = float(np.prod(shape[2:])) if len(shape) > 2 else 1.0
        fan_in, fan_out = shape[1] * hw_scale, shape[0] * hw_scale
        if self.factor_type == "avg":
            factor = (fan_in + fan_out) / 2.0
        elif self.factor_type == "in":
            factor = fan_in
        elif self.factor_type == "out":
            factor = fan_out
        else:
            raise ValueError(f"Incorrect factor type {self.factor_type!r}: expected 'avg', "
                             "'in' or 'out'")
        scale = float(np.sqrt(self.magnitude / factor))
        if self.rnd_type == "uniform":
            nd.random.uniform(-scale, scale, arr.shape, out=arr)
        elif self.rnd_type == "gaussian":
            nd.random.normal(0, scale, arr.shape, out=arr)
        else:
            raise ValueError(f"Unknown random type {self.rnd_type!r}: expected 'uniform' or "
                             "'gaussian'")


@register
class MSRAPrelu(Xavier):
    """He/MSRA initialization: Gaussian Xavier with magnitude ``2 / (1 + slope**2)``."""

    def __init__(self, factor_type: str = "avg", slope: float = 0.25):
        magnitude = 2.0 / (1 + slope ** 2)
        super().__init__("gaussian", factor_type, magnitude)
        self._kwargs = {"factor_type": factor_type, "slope": slope}


@register
class Bilinear(Initializer):
    """The bilinear-interpolation kernel, for upsampling (Deconvolution) weights."""

    def __init__(self):
        super().__init__()

    def _init_weight(self, _, arr):
        arr[:] = _bilinear(arr.shape)


@register
class LSTMBias(Initializer):
    """LSTM biases: 0 except the forget gate's (the second quarter), set to ``forget_bias``."""

    def __init__(self, forget_bias: float = 1.0):
        super().__init__(forget_bias=forget_bias)
        self.forget_bias = forget_bias

    def _init_weight(self, name, arr):
        arr[:] = 0.0
        num_hidden = int(arr.shape[0] / 4)
        arr[num_hidden:2 * num_hidden] = self.forget_bias
