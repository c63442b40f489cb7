"""Gluon parameters (MXNet 1.x's ``mxnet.gluon.parameter``): a ``Parameter`` holds one weight
as a copy per context plus gradient buffers; a ``ParameterDict`` names them under a prefix.

A parameter whose shape still has a 0 (unknown) dimension and ``allow_deferred_init=True``
is initialised later, when the first forward pass has inferred its shape; asking for its data
before that raises ``DeferredInitializationError``."""
from __future__ import annotations

import re
import warnings
from collections import OrderedDict

import numpy as np

from .. import autograd
from .. import ndarray as nd
from .. import symbol
from .._capi import ffi, lib
from ..base import MXNetError, check_call
from ..context import Context, cpu, current_context
from ..ndarray.ndarray import NDArray
from .. import context, initializer, ndarray  # noqa: E402, F401  (these..is_np_shape: as MXNet's parameter exports)
from ..base import mx_real_t  # noqa: F401
from ..util import is_np_array, is_np_shape  # noqa: F401

__all__ = ["Constant", "DeferredInitializationError", "Parameter", "ParameterDict", "tensor_types"]

tensor_types = (symbol.Symbol, NDArray)
_GRAD_REQS = ("write", "add", "null")


class DeferredInitializationError(MXNetError):
    """A parameter's data was asked for while its initialisation waits for its shape."""


def _shape_known(shape) -> bool:
    return shape is not None and all(int(d) > 0 for d in shape)


def _array_version(arr: NDArray) -> int:
    out = ffi.new("uint64_t*")
    check_call(lib.MVNDArrayGetVersion(arr.handle, out))
    return out[0]


def _brief_print_list(names, limit: int = 7) -> str:
    names = list(names)
    if len(names) > limit:
        return _brief_print_list(names[:limit // 2], limit) + ", ..., " + \
            _brief_print_list(names[-limit // 2:], limit)
    return ", ".join(f"'{n}'" for n in names)


def _default_init():
    return initializer.Uniform()


class Parameter:
    """One weight of a Block. ``shape`` may hold 0 for dimensions unknown until the first
    forward pass (with ``allow_deferred_init=True``). ``grad_req`` is 'write', 'add' or 'null'."""

    def __init__(self, name: str, grad_req: str = "write", shape=None, dtype=np.float32, lr_mult: float = 1.0,
                 wd_mult: float = 1.0, init=None, allow_deferred_init: bool = False,
                 differentiable: bool = True, stype: str = "default", grad_stype: str = "default") -> None:
        self._var = None
        self._data = None
        self._grad = None
        self._ctx_list = None
        self._ctx_index: dict = {}
        self._grad_seen: list = []  # per context: the gradient's write version at the last step
        self._trainer = None
        self._deferred_init = ()
        self._differentiable = differentiable
        self._allow_deferred_init = allow_deferred_init
        self._grad_req = None
        if isinstance(shape, (int, np.integer)):
            shape = (int(shape),)
        self._shape = tuple(shape) if shape is not None else None
        self.name = name
        self._dtype = dtype
        self.lr_mult = lr_mult
        self.wd_mult = wd_mult
        self.grad_req = grad_req
        self.init = init
        for what, value in (("stype", stype), ("grad_stype", grad_stype)):
            if value not in ("default", "row_sparse", "csr"):
                raise ValueError(f"{what} for Parameter '{name}' must be one of 'default', 'row_sparse', "
                                 f"or 'csr', but got '{value}'")
        # Minerva arrays are dense: sparse storage types are recorded (and exported) but ignored.
        self._stype = stype
        self._grad_stype = grad_stype

    def __repr__(self) -> str:
        return f"Parameter {self.name} (shape={self.shape}, dtype={self.dtype})"

    # ---- attributes ---------------------------------------------------------------------------
    @property
    def grad_req(self) -> str:
        return self._grad_req

    @grad_req.setter
    def grad_req(self, req: str) -> None:
        if req not in _GRAD_REQS:
            raise ValueError(f"grad_req must be one of 'write', 'add', or 'null', but got '{req}'")
        if not self._differentiable:
            req = "null"
        if self._grad_req == req:
            return
        self._grad_req = req
        if req == "null" and self._grad is not None:
            self._grad = None
            self._grad_seen = []
            self._data = [d.detach() for d in self._data]
        elif self._data is not None:
            self._init_grad()

    @property
    def dtype(self):
        return self._dtype

    @dtype.setter
    def dtype(self, dtype) -> None:
        self.cast(dtype)

    @property
    def shape(self):
        return self._shape

    @shape.setter
    def shape(self, new_shape) -> None:
        new_shape = tuple(int(d) for d in new_shape) if new_shape is not None else None
        if self._shape is None or new_shape is None:
            self._shape = new_shape
            return
        if len(self._shape) != len(new_shape) or \
                not all(old in (0, new) for new, old in zip(new_shape, self._shape)):
            raise ValueError(f"Parameter '{self.name}': expected shape {self._shape} is incompatible "
                             f"with given shape {new_shape}.")
        self._shape = new_shape

    @property
    def stype(self) -> str:
        return self._stype

    def _set_trainer(self, trainer) -> None:
        self._trainer = trainer

    # ---- reading ------------------------------------------------------------------------------
    def _check_and_get(self, arrays, ctx):
        if arrays is not None:
            if ctx is list:
                return arrays
            if ctx is None:
                if len(arrays) == 1:
                    return arrays[0]
                ctx = current_context()
            idx = self._ctx_index.get(Context(ctx))
            if idx is not None:
                return arrays[idx]
            raise RuntimeError(f"Parameter '{self.name}' was not initialized on context {ctx}. "
                               f"It was only initialized on {self._ctx_list}.")
        if self._deferred_init:
            raise DeferredInitializationError(
                f"Parameter '{self.name}' has not been initialized yet because initialization was deferred. "
                "Actual initialization happens during the first forward pass. Please pass one batch of data "
                "through the network before accessing Parameters. You can also avoid deferred initialization "
                "by specifying in_units, num_features, etc., for network layers.")
        raise RuntimeError(f"Parameter '{self.name}' has not been initialized. Note that you should initialize "
                           "parameters and create Trainer with Block.collect_params() instead of Block.params "
                           "because the later does not include Parameters of nested child Blocks")

    def data(self, ctx=None) -> NDArray:
        """This parameter's array on ctx (the only one when ctx is None and there is one)."""
        return self._check_and_get(self._data, ctx)

    def list_data(self) -> list:
        """The arrays on every context, in initialisation order."""
        return self._check_and_get(self._data, list)

    def grad(self, ctx=None) -> NDArray:
        """The gradient buffer on ctx."""
        if self._data is not None and self._grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' because grad_req='null'")
        return self._check_and_get(self._grad, ctx)

    def list_grad(self) -> list:
        if self._data is not None and self._grad is None:
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self.name}' because grad_req='null'")
        return self._check_and_get(self._grad, list)

    def list_ctx(self) -> list:
        """The contexts this parameter lives on (or will, when initialisation is deferred)."""
        if self._data is None:
            if self._deferred_init:
                return self._deferred_init[1]
            raise RuntimeError(f"Parameter '{self.name}' has not been initialized")
        return self._ctx_list

    def var(self):
        """The symbol variable standing for this parameter (made once), with MXNet's attributes
        __shape__, __dtype__, __lr_mult__, __wd_mult__, __init__ and __storage_type__."""
        if self._var is None:
            self._var = symbol.var(self.name, shape=self.shape, dtype=self.dtype, lr_mult=self.lr_mult,
                                   wd_mult=self.wd_mult, init=self.init, stype=self._stype)
        return self._var

    # ---- initialisation -----------------------------------------------------------------------
    def initialize(self, init=None, ctx=None, default_init=None, force_reinit: bool = False) -> None:
        """Allocates and fills the data on ctx (a Context or a list; default the current one):
        with init, else this parameter's own init, else default_init (Uniform()). With an
        unknown shape and allow_deferred_init, waits for the first forward pass."""
        if self._data is not None and not force_reinit:
            warnings.warn(f"Parameter '{self.name}' is already initialized, ignoring. "
                          "Set force_reinit=True to re-initialize.", stacklevel=2)
            return
        self._data = self._grad = None
        if ctx is None:
            ctx = [current_context()]
        if isinstance(ctx, Context):
            ctx = [ctx]
        if default_init is None:
            default_init = _default_init()
        if init is None:
            init = default_init if self.init is None else self.init
        if not _shape_known(self.shape):
            if self._allow_deferred_init:
                self._deferred_init = (init, list(ctx), default_init, None)
                return
            raise ValueError(f"Cannot initialize Parameter '{self.name}' because it has invalid shape: "
                             f"{self.shape}.")
        self._deferred_init = (init, list(ctx), default_init, None)
        self._finish_deferred_init()

    def _finish_deferred_init(self) -> None:
        if not self._deferred_init:
            return
        init, ctx, default_init, data = self._deferred_init
        self._deferred_init = ()
        if not _shape_known(self.shape):
            raise ValueError(f"Cannot initialize Parameter '{self.name}' because it has invalid shape: "
                             f"{self.shape}. Please specify in_units, in_channels, etc for `Block`s.")
        with autograd.pause():
            if data is None:
                data = nd.zeros(self.shape, ctx=cpu(), dtype=self.dtype)
                self._run_initializer(init, default_init, data)
            self._init_impl(data, ctx)

    def _run_initializer(self, init, default_init, data: NDArray) -> None:
        initializer.create(default_init)(initializer.InitDesc(self.name, {"__init__": init}), data)

    def _init_impl(self, data: NDArray, ctx_list) -> None:
        self._ctx_list = [Context(c) for c in ctx_list]
        self._ctx_index = {c: i for i, c in enumerate(self._ctx_list)}
        self._data = [data.copyto(c) for c in self._ctx_list]
        self._init_grad()

    def _init_grad(self) -> None:
        if self.grad_req == "null":
            self._grad = None
            self._grad_seen = []
            return
        self._grad = [nd.zeros(d.shape, ctx=d.context, dtype=d.dtype) for d in self._data]
        self._grad_seen = [_array_version(g) for g in self._grad]
        autograd.mark_variables(self._data, self._grad, self.grad_req)

    def _load_init(self, data: NDArray, ctx, cast_dtype: bool = False, dtype_source: str = "current") -> None:
        """Takes loaded data as this parameter's value (shape and dtype checked)."""
        if self.shape:
            if len(self.shape) != len(data.shape) or \
                    not all(mine in (0, saved) for mine, saved in zip(self.shape, data.shape)):
                raise ValueError(f"Failed loading Parameter '{self.name}' from saved params: shape incompatible "
                                 f"expected {self.shape} vs saved {data.shape}")
        self._shape = tuple(data.shape)
        if self.dtype is not None and np.dtype(self.dtype) != np.dtype(data.dtype):
            if not cast_dtype:
                raise ValueError(f"Failed loading Parameter '{self.name}' from saved params: dtype incompatible "
                                 f"expected {np.dtype(self.dtype).name} vs saved {np.dtype(data.dtype).name}. "
                                 "Set cast_dtype=True to cast the dtype of saved params.")
            if dtype_source == "saved":
                self._dtype = data.dtype
                if self._data is not None:
                    self.cast(data.dtype)
            else:
                data = data.astype(self.dtype)
        if isinstance(ctx, Context):
            ctx = [ctx]
        if self._data is None:
            if self._deferred_init:
                if ctx is not None and set(ctx) != set(self._deferred_init[1]):
                    raise ValueError(f"Failed to load Parameter '{self.name}' on {ctx} because it was previous "
                                     f"initialized on {self.list_ctx()}.")
                ctx = self._deferred_init[1]
            elif ctx is None:
                ctx = [cpu()]
            with autograd.pause():
                self._init_impl(data, ctx)
        else:
            if ctx is not None and set(ctx) != set(self.list_ctx()):
                raise ValueError(f"Failed to load Parameter '{self.name}' on {ctx} because it was previous "
                                 f"initialized on {self.list_ctx()}.")
            self.set_data(data)
        self._deferred_init = ()

    def _reduce(self) -> NDArray:
        """The value on cpu(0): the mean over contexts when there are several."""
        block = self.list_data()
        if len(block) == 1:
            return block[0].copyto(cpu())
        return nd.add_n(*[w.copyto(cpu()) for w in block]) / len(block)

    # ---- changing -----------------------------------------------------------------------------
    def set_data(self, data) -> None:
        """Sets the value on every context (or the value the deferred initialisation will use)."""
        if not isinstance(data, NDArray):
            data = nd.array(data, dtype=self.dtype)
        self.shape = data.shape
        if self._data is None:
            if not self._deferred_init:
                raise RuntimeError(f"Parameter '{self.name}' has not been initialized")
            self._deferred_init = self._deferred_init[:3] + (data,)
            return
        trainer = self._trainer
        if trainer is not None and getattr(trainer, "_kv_initialized", False) and \
                getattr(trainer, "_update_on_kvstore", False) and self not in trainer._params_to_init:
            trainer._reset_kvstore()  # the kvstore's copy of the weight must follow
        with autograd.pause():
            for arr in self._data:
                arr[:] = data

    def zero_grad(self) -> None:
        """Sets the gradient buffers to 0 (nothing when uninitialised or grad_req='null')."""
        if self._grad is None:
            return
        stale = [not f for f in self._grad_fresh()]
        with autograd.pause():
            for g in self._grad:
                g[:] = 0
        self._mark_grad_consumed(stale)  # zeroing is not a backward pass: stale stays stale

    def reset_ctx(self, ctx) -> None:
        """Moves the parameter to other context(s), keeping its value (the mean over old copies)."""
        if ctx is None:
            ctx = [current_context()]
        if isinstance(ctx, Context):
            ctx = [ctx]
        if self._data:
            data = self._reduce()
            with autograd.pause():
                self._init_impl(data, ctx)
        elif self._deferred_init:
            init, _, default_init, data = self._deferred_init
            self._deferred_init = (init, list(ctx), default_init, data)
        else:
            raise ValueError(f"Cannot reset context for Parameter '{self.name}' because it has not been "
                             "initialized.")

    def cast(self, dtype) -> None:
        """Converts data and gradient to dtype."""
        self._dtype = dtype
        self._var = None
        if self._data is None:
            return
        with autograd.pause():
            self._data = [d.astype(dtype) for d in self._data]
            if self._grad is None:
                return
            self._grad = [g.astype(dtype) for g in self._grad]
            self._grad_seen = [_array_version(g) for g in self._grad]
            autograd.mark_variables(self._data, self._grad, self.grad_req)

    # ---- gradient freshness (MXNet's _fresh_grad, from the arrays' write versions) -------------
    def _grad_fresh(self) -> list:
        """Per context: has backward written the gradient since the last optimizer step?"""
        if self._grad is None:
            return []
        return [_array_version(g) != seen for g, seen in zip(self._grad, self._grad_seen)]

    def _mark_grad_consumed(self, which=None) -> None:
        """Marks the gradients (all, or the contexts flagged in which) as used by a step."""
        if self._grad is None:
            return
        self._grad_seen = [_array_version(g) if which is None or which[i] else seen
                           for i, (g, seen) in enumerate(zip(self._grad, self._grad_seen))]


class Constant(Parameter):
    """A parameter that never changes by training (grad_req is always 'null'); set_data still
    changes it. ``Constant('const', [[1, 2], [3, 4]])``."""

    def __init__(self, name: str, value) -> None:
        if not isinstance(value, NDArray):
            value = nd.array(value)
        self.value = value
        super().__init__(name, grad_req="null", shape=value.shape, dtype=value.dtype,
                         init=f"Constant_{name}_{id(self)}")

    def __repr__(self) -> str:
        return f"Constant {self.name} (shape={self.shape}, dtype={self.dtype})"

    @property
    def grad_req(self) -> str:
        return "null"

    @grad_req.setter
    def grad_req(self, req: str) -> None:
        if req != "null":
            warnings.warn(f'Constant parameter "{self.name}" does not support grad_req other than "null", '
                          f'and new value "{req}" is ignored.', stacklevel=2)

    def _run_initializer(self, init, default_init, data: NDArray) -> None:
        self.value.astype(data.dtype).copyto(data)


class ParameterDict:
    """Parameters by full name; ``get`` prefixes names and creates or retrieves (also from a
    shared dict)."""

    def __init__(self, prefix: str = "", shared=None) -> None:
        self._prefix = prefix
        self._params: OrderedDict = OrderedDict()
        self._shared = shared

    def __repr__(self) -> str:
        name = self._prefix + " " if self._prefix else ""
        content = "\n".join(f"  {v}" for v in self.values())
        return f"{name}(\n{content}\n)"

    def __getitem__(self, key: str) -> Parameter:
        return self._params[key]

    def __iter__(self):
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def __contains__(self, key) -> bool:
        return key in self._params

    def items(self):
        return self._params.items()

    def keys(self):
        return self._params.keys()

    def values(self):
        return self._params.values()

    @property
    def prefix(self) -> str:
        return self._prefix

    def _get_impl(self, name: str):
        if name in self._params:
            return self._params[name]
        if self._shared is not None and name in self._shared._params:
            self._params[name] = self._shared._params[name]
            return self._params[name]
        return None

    def get(self, name: str, **kwargs) -> Parameter:
        """The parameter prefix+name, created with kwargs (Parameter's arguments) when new.
        For an existing one each given attribute must agree with the stored one, except that
        0 dimensions of shapes merge with known ones."""
        name = self.prefix + name
        param = self._get_impl(name)
        if param is None:
            param = Parameter(name, **kwargs)
            self._params[name] = param
            return param
        for key, value in kwargs.items():
            existing = getattr(param, key, None)
            if existing is None:
                setattr(param, key, value)
                continue
            if key == "shape" and value is not None:
                value = (int(value),) if isinstance(value, (int, np.integer)) else tuple(value)
                if len(value) == len(existing) and \
                        all(a == b or a <= 0 or b <= 0 for a, b in zip(value, existing)):
                    param._shape = tuple(b if a <= 0 else a for a, b in zip(value, existing))
                    continue
            elif key == "dtype" and value is not None and np.dtype(value) == np.dtype(existing):
                continue
            if value is not None and value != existing:
                raise AssertionError(f"Cannot retrieve Parameter '{name}' because desired attribute does not "
                                     f"match with stored for attribute '{key}': desired '{value}' vs stored "
                                     f"'{existing}'.")
        return param

    def get_constant(self, name: str, value=None) -> Constant:
        """The Constant prefix+name, created from value when new."""
        name = self.prefix + name
        param = self._get_impl(name)
        if param is None:
            if value is None:
                raise KeyError(f"No constant named '{name}'. Please specify value if you want to create a new "
                               "constant.")
            param = Constant(name, value)
            self._params[name] = param
        elif value is not None:
            if not isinstance(param, Constant):
                raise AssertionError(f"Parameter '{name}' already exists but it is not a constant.")
            value = value.asnumpy() if isinstance(value, NDArray) else np.asarray(value)
            if param.shape != value.shape or not (param.value.asnumpy() == value).all():
                raise AssertionError(f"Constant '{name}' already exists but it's value doesn't match new value")
        return param

    def update(self, other) -> None:
        """Adds other's parameters; a name already here must hold the same Parameter."""
        for k, v in other.items():
            if k in self._params and self._params[k] is not v:
                raise AssertionError("Cannot update self with other because they have different Parameters "
                                     f"with the same name '{k}'")
        for k, v in other.items():
            self._params[k] = v

    def initialize(self, init=None, ctx=None, verbose: bool = False, force_reinit: bool = False) -> None:
        """Initialises every parameter; init is the default for those without their own init."""
        if init is None:
            init = _default_init()
        if verbose and hasattr(init, "set_verbosity"):
            init.set_verbosity(verbose=verbose)
        for v in self.values():
            v.initialize(None, ctx, init, force_reinit=force_reinit)

    def zero_grad(self) -> None:
        for p in self.values():
            p.zero_grad()

    def reset_ctx(self, ctx) -> None:
        for p in self.values():
            p.reset_ctx(ctx)

    def list_ctx(self) -> list:
        seen = []
        for p in self.values():
            for c in p.list_ctx():
                if c not in seen:
                    seen.append(c)
        return seen

    def setattr(self, name: str, value) -> None:
        """Sets an attribute (grad_req, lr_mult, ...) on every parameter."""
        for p in self.values():
            setattr(p, name, value)

    def select(self, pattern: str) -> ParameterDict:
        """The parameters whose names match the regular expression (Minerva convenience)."""
        out = ParameterDict(self._prefix)
        regex = re.compile(pattern)
        out.update({k: v for k, v in self.items() if regex.match(k)})
        return out

    def save(self, filename: str, strip_prefix: str = "") -> None:
        """Writes every parameter's value (on cpu) to an MXNet .params file, names without
        strip_prefix."""
        arg_dict = {}
        for param in self.values():
            if not param.name.startswith(strip_prefix):
                raise ValueError(f"Prefix '{strip_prefix}' is to be striped before saving, but Parameter's name "
                                 f"'{param.name}' does not start with '{strip_prefix}'. this may be due to your "
                                 "Block shares parameters from other Blocks or you forgot to use 'with "
                                 "name_scope()' when creating child blocks.")
            arg_dict[param.name[len(strip_prefix):]] = param._reduce()
        nd.save(filename, arg_dict)

    def load(self, filename: str, ctx=None, allow_missing: bool = False, ignore_extra: bool = False,
             restore_prefix: str = "", cast_dtype: bool = False, dtype_source: str = "current") -> None:
        """Loads a .params file (keys may carry MXNet's arg:/aux: prefixes); restore_prefix is
        put in front of every loaded name."""
        if restore_prefix:
            for name in self.keys():
                if not name.startswith(restore_prefix):
                    raise ValueError(f"restore_prefix is '{restore_prefix}' but Parameters name '{name}' does "
                                     f"not start with '{restore_prefix}'.")
        self.load_dict(nd.load(filename), ctx, allow_missing, ignore_extra, restore_prefix, filename,
                       cast_dtype, dtype_source)

    def load_dict(self, param_dict, ctx=None, allow_missing: bool = False, ignore_extra: bool = False,
                  restore_prefix: str = "", filename=None, cast_dtype: bool = False,
                  dtype_source: str = "current") -> None:
        """As load, from a dict of name -> NDArray."""
        if not isinstance(param_dict, dict):
            raise ValueError(f"{filename or 'param_dict'} holds unnamed arrays; parameters need names")
        lprefix = len(restore_prefix)
        loaded = {restore_prefix + (k[4:] if k.startswith(("arg:", "aux:")) else k): v
                  for k, v in param_dict.items()}
        where = f"file: {filename}" if filename else "param_dict"
        if not allow_missing:
            for name in self.keys():
                if name not in loaded:
                    raise ValueError(f"Parameter '{name[lprefix:]}' is missing in {where}, which contains "
                                     f"parameters: {_brief_print_list(loaded.keys())}. Please make sure source "
                                     "and target networks have the same prefix. Set allow_missing=True to "
                                     "ignore missing parameters.")
        for name, value in loaded.items():
            if name not in self._params:
                if not ignore_extra:
                    raise ValueError(f"Parameter '{name[lprefix:]}' loaded from {where} is not present in "
                                     f"ParameterDict, choices are: {_brief_print_list(self._params.keys())}. "
                                     "Set ignore_extra to True to ignore. Please make sure source and target "
                                     "networks have the same prefix.")
                continue
            self._params[name]._load_init(value, ctx, cast_dtype=cast_dtype, dtype_source=dtype_source)
