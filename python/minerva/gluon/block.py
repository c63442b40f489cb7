"""Gluon blocks (MXNet 1.x's ``mxnet.gluon.block``).

``Block`` is a container of parameters and child blocks with an imperative ``forward``.
``HybridBlock`` writes its computation once as ``hybrid_forward(F, x, ..., **params)``: with
``F = mx.nd`` it runs imperatively; after ``hybridize()`` the first call builds the graph with
``F = mx.sym`` and later calls run it through one ``CachedOp``. ``SymbolBlock`` wraps an
existing symbol (an exported model) as a block.

Names follow MXNet 1.x: a block's prefix is its class name in lower case plus a counter
(``dense0_``) nested inside the parent's prefix (``mlp0_dense0_``); its parameters are the
prefix plus the local name (``mlp0_dense0_weight``); operators made inside ``name_scope()``
get the prefix too (``mlp0_dense0_fwd``)."""
from __future__ import annotations

import copy
import re
import threading
import warnings
from collections import OrderedDict

import numpy as np

from .. import name as _name
from .. import initializer, ndarray, symbol  # noqa: F401  (initializer: MXNet's block module exports it)
from ..base import MXNetError
from ..ndarray.ndarray import NDArray
from ..symbol.symbol import Symbol, load_json  # noqa: F401  (load_json..np_shape: as MXNet's block exports)
from ..base import mx_real_t  # noqa: F401
from ..util import is_np_array, np_shape  # noqa: F401
from .parameter import DeferredInitializationError, Parameter, ParameterDict
from .utils import HookHandle, _indent

__all__ = ["Block", "HybridBlock", "SymbolBlock"]


class _BlockScope:
    """The scope of ``with block.name_scope():``: children created inside get prefixes
    nested in the block's, and symbols made inside get the block's prefix."""
    _current = threading.local()

    def __init__(self, block: Block) -> None:
        self._block = block
        self._counter: dict = {}
        self._old_scope = None
        self._name_scope = None

    @staticmethod
    def create(prefix, params, hint: str):
        """(prefix, ParameterDict) for a new block of kind hint."""
        current = getattr(_BlockScope._current, "value", None)
        if current is None:
            if prefix is None:
                prefix = _name.NameManager.current.get(None, hint) + "_"
            params = ParameterDict(prefix) if params is None else ParameterDict(params.prefix, params)
            return prefix, params
        if prefix is None:
            count = current._counter.get(hint, 0)
            prefix = f"{hint}{count}_"
            current._counter[hint] = count + 1
        if params is None:
            parent = current._block.params
            params = ParameterDict(parent.prefix + prefix, parent._shared)
        else:
            params = ParameterDict(params.prefix, params)
        return current._block.prefix + prefix, params

    def __enter__(self) -> _BlockScope:
        if self._block._empty_prefix:
            return self
        self._old_scope = getattr(_BlockScope._current, "value", None)
        _BlockScope._current.value = self
        self._name_scope = _name.Prefix(self._block.prefix)
        self._name_scope.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._block._empty_prefix:
            return
        self._name_scope.__exit__(*exc)
        self._name_scope = None
        _BlockScope._current.value = self._old_scope


# ---- nested inputs and outputs: flattened lists plus a format to rebuild them --------------------
def _flatten(args, what: str):
    """(flat list, format): format 0 for an array, -1 for None, n > 0 for an n-output symbol,
    a list of formats for a list or tuple."""
    if isinstance(args, NDArray):
        return [args], 0
    if isinstance(args, Symbol):
        n = len(args.list_outputs())
        return [args], n if n > 1 else 0
    if args is None:
        return [None], -1
    if not isinstance(args, (list, tuple)):
        raise ValueError(f"When hybridized, the {what} of HybridBlock must be (nested) list of Symbol or NDArray, "
                         f"but got {args} of type {type(args)}")
    flat, fmts = [], []
    for a in args:
        f, fmt = _flatten(a, what)
        flat.extend(f)
        fmts.append(fmt)
    return flat, fmts


def _regroup(args: list, fmt):
    def merge(args, fmt):
        if isinstance(fmt, int):
            if fmt == 0:
                return args[0], args[1:]
            if fmt == -1:
                return None, args[1:]
            return args[:fmt], args[fmt:]
        out = []
        for f in fmt:
            res, args = merge(args, f)
            out.append(res)
        return out, args
    return merge(args, fmt)[0]


def _input_contexts(flat) -> list:
    seen = []
    for a in flat:
        if isinstance(a, NDArray) and a.context not in seen:
            seen.append(a.context)
    return seen


class Block:
    """Base class of all layers and models: override ``forward``; assign child blocks and
    parameters as attributes (inside ``with self.name_scope():``) to register them."""

    def __init__(self, prefix=None, params=None) -> None:
        self._empty_prefix = prefix == ""
        self._prefix, self._params = _BlockScope.create(prefix, params, self._alias())
        self._name = self._prefix[:-1] if self._prefix.endswith("_") else self._prefix
        self._scope = _BlockScope(self)
        self._children: OrderedDict = OrderedDict()
        self._reg_params: dict = {}
        self._forward_hooks: OrderedDict = OrderedDict()
        self._forward_pre_hooks: OrderedDict = OrderedDict()

    def __repr__(self) -> str:
        lines = [f"  ({key}): {_indent(repr(block), 2)}" for key, block in self.__dict__.items()
                 if isinstance(block, Block)]
        return f"{self.__class__.__name__}(\n" + "\n".join(lines) + "\n)"

    def __setattr__(self, name: str, value) -> None:
        """Registers Block and Parameter attributes."""
        if hasattr(self, name):
            existing = getattr(self, name)
            if isinstance(existing, (Parameter, Block)) and not isinstance(value, type(existing)):
                raise TypeError(f"Changing attribute type for {name} from {type(existing)} to {type(value)} "
                                "is not allowed.")
        if isinstance(value, Block):
            self.register_child(value, name)
        elif isinstance(value, Parameter):
            if name in self._reg_params:
                raise AssertionError(f"Overriding Parameter attribute {name} is not allowed. If you want to share "
                                     "parameters between blocks, please set 'params' at Block construction "
                                     "instead.")
            self._reg_params[name] = value
        super().__setattr__(name, value)

    def _alias(self) -> str:
        return self.__class__.__name__.lower()

    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def name(self) -> str:
        return self._name

    def name_scope(self) -> _BlockScope:
        """``with self.name_scope():`` around creating children gives them nested names."""
        return self._scope

    @property
    def params(self) -> ParameterDict:
        """This block's own parameters (not its children's)."""
        return self._params

    def collect_params(self, select=None) -> ParameterDict:
        """This block's and all descendants' parameters; select is a regular expression that
        names must match (``'.*weight|.*bias'``)."""
        ret = ParameterDict(self._params.prefix)
        if not select:
            ret.update(self.params)
        else:
            pattern = re.compile(select)
            ret.update({k: v for k, v in self.params.items() if pattern.match(k)})
        for child in self._children.values():
            ret.update(child.collect_params(select=select))
        return ret

    def _collect_params_with_prefix(self, prefix: str = "") -> dict:
        """Parameters by structural name: attribute names joined by dots (``dense0.weight``,
        ``0.bias`` in a Sequential), as MXNet's save_parameters writes them."""
        if prefix:
            prefix += "."
        ret = {prefix + key: val for key, val in self._reg_params.items()}
        for name, child in self._children.items():
            ret.update(child._collect_params_with_prefix(prefix + name))
        return ret

    def register_child(self, block: Block, name=None) -> None:
        """Adds block as a child (named by its position when name is None)."""
        if name is None:
            name = str(len(self._children))
        self._children[name] = block

    def register_forward_pre_hook(self, hook) -> HookHandle:
        """hook(block, inputs) runs before forward."""
        handle = HookHandle()
        handle.attach(self._forward_pre_hooks, hook)
        return handle

    def register_forward_hook(self, hook) -> HookHandle:
        """hook(block, inputs, outputs) runs after forward."""
        handle = HookHandle()
        handle.attach(self._forward_hooks, hook)
        return handle

    def apply(self, fn) -> Block:
        """Calls fn(block) on every descendant and then on self."""
        for child in self._children.values():
            child.apply(fn)
        fn(self)
        return self

    # ---- parameters -------------------------------------------------------------------------
    def initialize(self, init=None, ctx=None, verbose: bool = False, force_reinit: bool = False) -> None:
        """``collect_params().initialize(...)``; init (default Uniform()) applies to parameters
        without their own initializer."""
        self.collect_params().initialize(init, ctx, verbose, force_reinit)

    def save_parameters(self, filename: str, deduplicate: bool = False) -> None:
        """Writes the parameters under their structural names (``dense0.weight``) to an MXNet
        .params file; with deduplicate a shared parameter is written once."""
        params = self._collect_params_with_prefix()
        if deduplicate:
            first = {}
            for key, p in params.items():
                first.setdefault(id(p), key)
            params = {k: p for k, p in params.items() if first[id(p)] == k}
        ndarray.save(filename, {key: p._reduce() for key, p in params.items()})

    def save_params(self, filename: str) -> None:
        """Deprecated: writes full parameter names without this block's prefix."""
        warnings.warn("save_params is deprecated. Please use save_parameters. Note that if you want load from "
                      "SymbolBlock later, please use export instead.", stacklevel=2)
        self.collect_params().save(filename, strip_prefix=self.prefix)

    def load_parameters(self, filename: str, ctx=None, allow_missing: bool = False, ignore_extra: bool = False,
                        cast_dtype: bool = False, dtype_source: str = "current") -> None:
        """Reads a file written by save_parameters (or, when no name has a dot, by the older
        save_params/ParameterDict.save, names relative to this block's prefix)."""
        loaded = ndarray.load(filename)
        if isinstance(loaded, list):
            if not loaded:
                loaded = {}
            else:
                raise ValueError(f"'{filename}' holds unnamed arrays; a parameter file needs names")
        params = self._collect_params_with_prefix()
        if not loaded and not params:
            return
        if not any("." in k for k in loaded):
            self.collect_params().load(filename, ctx, allow_missing, ignore_extra, self.prefix,
                                       cast_dtype=cast_dtype, dtype_source=dtype_source)
            return
        from .parameter import _brief_print_list
        if not allow_missing:
            names_of = {}
            for key, p in params.items():
                names_of.setdefault(id(p), []).append(key)
            for key, p in params.items():
                if not any(k in loaded for k in names_of[id(p)]):
                    raise ValueError(f"Parameter '{key}' is missing in file '{filename}', which contains "
                                     f"parameters: {_brief_print_list(loaded.keys())}. Set allow_missing=True "
                                     "to ignore missing parameters.")
        for key, value in loaded.items():
            if key not in params:
                if not ignore_extra:
                    raise ValueError(f"Parameter '{key}' loaded from file '{filename}' is not present in "
                                     f"ParameterDict, which contains parameters "
                                     f"{_brief_print_list(params.keys())}. Set ignore_extra=True to ignore. ")
                continue
            params[key]._load_init(value, ctx, cast_dtype=cast_dtype, dtype_source=dtype_source)

    def load_params(self, filename: str, ctx=None, allow_missing: bool = False,
                    ignore_extra: bool = False) -> None:
        """Deprecated alias of load_parameters."""
        warnings.warn("load_params is deprecated. Please use load_parameters.", stacklevel=2)
        self.load_parameters(filename, ctx, allow_missing, ignore_extra)

    def cast(self, dtype) -> None:
        """Converts every parameter (children included) to dtype."""
        for child in self._children.values():
            child.cast(dtype)
        for p in self.params.values():
            p.cast(dtype)

    def reset_ctx(self, ctx) -> None:
        self.collect_params().reset_ctx(ctx)

    def hybridize(self, active: bool = True, **kwargs) -> None:
        """Hybridizes the HybridBlock descendants (a plain Block itself stays imperative)."""
        for child in self._children.values():
            child.hybridize(active, **kwargs)

    # ---- calling ----------------------------------------------------------------------------
    def __call__(self, *args):
        for hook in list(self._forward_pre_hooks.values()):
            hook(self, args)
        out = self.forward(*args)
        for hook in list(self._forward_hooks.values()):
            hook(self, args, out)
        return out

    def forward(self, *args):
        """Override with the computation on NDArrays."""
        raise NotImplementedError

    def summary(self, *inputs) -> None:
        """Prints each layer's output shape and parameter count for one forward pass on inputs
        (the block must be initialised and not hybridized)."""
        rows, seen, hooks = [], set(), []

        def shape_of(x):
            if isinstance(x, (list, tuple)):
                return ", ".join(shape_of(i) for i in x)
            return str(x.shape) if isinstance(x, NDArray) else str(x)

        def hook(block, _, outputs):
            n = trainable = shared = 0
            for p in block.params.values():
                size = p.data().size
                n += size
                trainable += 0 if p.grad_req == "null" else size
                if id(p) in seen:
                    shared += size
                seen.add(id(p))
            rows.append((f"{block.__class__.__name__}-{len(rows)}", shape_of(outputs), n, trainable, shared))

        def attach(block):
            if isinstance(block, HybridBlock) and block._active:
                raise AssertionError(f'"{block.name}" must not be hybridized to print summary.')
            if block._children and not block._reg_params and type(block).__name__ in ("Sequential",
                                                                                       "HybridSequential"):
                return
            hooks.append(block.register_forward_hook(hook))

        rows.append(("Input", shape_of(list(inputs) if len(inputs) > 1 else inputs[0]), 0, 0, 0))
        try:
            self.apply(attach)
            self(*inputs)
        finally:
            for h in hooks:
                h.detach()
        fmt = "{:>20}  {:>42} {:>15}"
        total = sum(r[2] for r in rows)
        trainable = sum(r[3] for r in rows)
        shared = sum(r[4] for r in rows)
        print("-" * 80)
        print(fmt.format("Layer (type)", "Output Shape", "Param #"))
        print("=" * 80)
        for r in rows:
            print(fmt.format(r[0], r[1], r[2]))
        print("=" * 80)
        print("Parameters in forward computation graph, duplicate included")
        print(f"   Total params: {total}")
        print(f"   Trainable params: {trainable}")
        print(f"   Non-trainable params: {total - trainable}")
        print(f"Shared params in forward computation graph: {shared}")
        print(f"Unique parameters in model: {total - shared}")
        print("-" * 80)


def _shapes_of(args) -> tuple:
    """The shapes of the (nested) NDArray arguments, flattened: a graph's key in
    Note [Graphs keyed on input shapes]."""
    return tuple(a.shape if isinstance(a, NDArray) else None for a in _flatten(args, "input")[0])


# Note [Graphs keyed on input shapes]
# A hybridized block builds one graph for every input shape; the CachedOp re-plans it per shape.
# A block whose graph itself depends on its input's shape (an RNN layer unrolled over time, see
# rnn_layer.py) sets ``_needs_input_shapes = True``. A hybridized block with such a block in its
# tree (itself included) then builds its graph from input variables carrying the call's shapes
# as ``__shape__`` hints, so the child, which only sees symbols, reads its input's shape with
# ``infer_shape_partial()``; and it keys the graph on the input shapes: a call with other shapes
# builds the graph for them, or takes it back from a small cache of recent ones (a last, smaller
# batch then costs one build per shape, not two per epoch). Every other block keeps its one
# graph, built from variables without hints.
_MAX_SHAPE_GRAPHS = 8  # graphs kept per block besides the current one, oldest dropped first


class HybridBlock(Block):
    """A block whose computation, ``hybrid_forward(F, x, *args, **params)``, works on both
    NDArrays (F = mx.nd) and Symbols (F = mx.sym), so it can be compiled with hybridize()."""

    _needs_input_shapes = False  # True: the graph depends on the input shapes (see the Note)

    def __init__(self, prefix=None, params=None) -> None:
        super().__init__(prefix=prefix, params=params)
        self._cached_graph = ()
        self._cached_op = None
        self._cached_op_args: list = []
        self._out_format = None
        self._in_format = None
        self._active = False
        self._flags: list = []
        self._shape_keyed = False  # the graph is keyed on input shapes (Note [Graphs keyed ...])
        self._graph_key = None  # the input shapes the current graph was built for
        self._other_graphs: OrderedDict = OrderedDict()  # input shapes -> a stashed graph

    def __setattr__(self, name: str, value) -> None:
        super().__setattr__(name, value)
        if isinstance(value, HybridBlock):
            self._clear_cached_op()

    def register_child(self, block: Block, name=None) -> None:
        if not isinstance(block, HybridBlock):
            raise ValueError(f"Children of HybridBlock must also be HybridBlock, but {block} has type "
                             f"{type(block)}. If you are using Sequential, please try HybridSequential instead.")
        super().register_child(block, name)
        self._clear_cached_op()

    def _clear_cached_op(self) -> None:
        self._cached_graph = ()
        self._cached_op = None
        self._cached_op_args = []
        self._shape_keyed = False
        self._graph_key = None
        self._other_graphs = OrderedDict()

    def hybridize(self, active: bool = True, backend=None, clear: bool = True, static_alloc: bool = False,
                  static_shape: bool = False, inline_limit: int = 2, forward_bulk_size=None,
                  backward_bulk_size=None, **kwargs) -> None:
        """Turns compilation on (or off, active=False) for this block and its descendants. The
        graph is built at the next call; static_alloc/static_shape are passed to the CachedOp.
        backend (subgraph partitioning) is not supported."""
        if backend is not None:
            raise MXNetError(f"hybridize: backend '{backend}' is not supported; Minerva has no subgraph backends")
        self._active = active
        self._flags = [("static_alloc", bool(static_alloc)), ("static_shape", bool(static_shape))]
        if clear:
            self._clear_cached_op()
        if active and (self._forward_hooks or self._forward_pre_hooks):
            warnings.warn(f'"{self.name}" is being hybridized while still having forward hook/pre-hook. If '
                          f'"{self.name}" is a child of HybridBlock, the hooks will not take effect.', stacklevel=2)
        super().hybridize(active, static_alloc=static_alloc, static_shape=static_shape)

    def cast(self, dtype) -> None:
        self._clear_cached_op()
        super().cast(dtype)

    # ---- the graph --------------------------------------------------------------------------
    def _tree_needs_input_shapes(self) -> bool:
        """Whether this block or a descendant builds a graph that depends on its input shapes."""
        stack = [self]
        while stack:
            block = stack.pop()
            if getattr(block, "_needs_input_shapes", False):
                return True
            stack.extend(block._children.values())
        return False

    def _select_graph(self, args) -> None:
        """Makes the graph for the shapes of args current when the graph is keyed on input
        shapes: stashes the current one, takes the one for these shapes back from the stash or
        leaves none, so that it is built. See Note [Graphs keyed on input shapes]."""
        if not self._shape_keyed:
            return
        key = _shapes_of(args)
        if key == self._graph_key:
            return
        if self._cached_graph:
            self._other_graphs[self._graph_key] = (self._cached_graph, self._cached_op, self._cached_op_args,
                                                   self._in_format, self._out_format)
            while len(self._other_graphs) > _MAX_SHAPE_GRAPHS:
                self._other_graphs.popitem(last=False)
        stashed = self._other_graphs.pop(key, None)
        if stashed is None:
            self._cached_graph, self._cached_op, self._cached_op_args = (), None, []
        else:
            (self._cached_graph, self._cached_op, self._cached_op_args, self._in_format,
             self._out_format) = stashed
        self._graph_key = key

    def _get_graph(self, *args):
        """(input variables, output symbol), built once by calling hybrid_forward with symbols
        (once per input shapes when the graph depends on them)."""
        self._select_graph(args)
        if not self._cached_graph:
            flat, self._in_format = _flatten(args, "input")
            real = sum(a is not None for a in flat)
            if real == 0:
                raise ValueError(f"All args are None and we do not support such a case. Received args={args}")
            self._shape_keyed = self._tree_needs_input_shapes()
            self._graph_key = _shapes_of(args) if self._shape_keyed else None
            inputs, data_syms, count = [], [], 0
            for a in flat:
                if a is None:
                    inputs.append(None)
                    continue
                hint = a.shape if self._shape_keyed and isinstance(a, NDArray) else None
                v = symbol.var(f"data{count}" if real > 1 else "data", shape=hint)
                count += 1
                inputs.append(v)
                data_syms.append(v)
            grouped = _regroup(inputs, self._in_format)
            params = {k: p.var() for k, p in self._reg_params.items()}
            with self.name_scope():
                out = self.hybrid_forward(symbol, *grouped, **params)
            out, self._out_format = _flatten(out, "output")
            self._cached_graph = data_syms, symbol.Group(out) if len(out) > 1 else out[0]
        return self._cached_graph

    def _infer_attrs(self, infer_fn: str, attr: str, *args) -> None:
        inputs, out = self._get_graph(*args)
        flat = [a for a in _flatten(args, "input")[0] if a is not None]
        known = {i.name: getattr(a, attr) for i, a in zip(inputs, flat)}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            arg_attrs, _, aux_attrs = getattr(out, infer_fn)(**known)
        if arg_attrs is None:
            raise ValueError(str(caught[0].message) if caught else f"{infer_fn} failed for {known}")
        found = dict(zip(out.list_arguments(), arg_attrs))
        found.update(zip(out.list_auxiliary_states(), aux_attrs))
        for p in self.collect_params().values():
            if p.name in found:
                setattr(p, attr, found[p.name])

    def infer_shape(self, *args) -> None:
        """Completes the parameters' shapes from the inputs' shapes."""
        self._infer_attrs("infer_shape", "shape", *args)

    def infer_type(self, *args) -> None:
        """Sets the parameters' dtypes from the inputs' dtypes."""
        self._infer_attrs("infer_type", "dtype", *args)

    def _deferred_infer_shape(self, *args) -> None:
        try:
            self.infer_shape(*args)
        except Exception as e:
            raise ValueError(f"Deferred initialization failed because shape cannot be inferred. {e}") from e

    def _build_cache(self, *args) -> None:
        data, out = self._get_graph(*args)
        data_names = {d.name: i for i, d in enumerate(data)}
        input_names = out.list_inputs()
        params = self.collect_params()
        unknown = [n for n in input_names if n not in params and n not in data_names]
        if unknown:
            raise MXNetError(f"HybridBlock '{self.name}': unknown inputs {unknown} in the graph (not data and not "
                             "parameters of this block or its children)")
        unused = [f"{i}-th" for n, i in data_names.items() if n not in input_names]
        if unused:
            warnings.warn(f"The {', '.join(unused)} input to HybridBlock is not used by any computation. "
                          "Is this intended?", stacklevel=4)
        try:
            for n in input_names:
                if n in params:
                    params[n].data()
        except DeferredInitializationError:
            self._deferred_infer_shape(*args)
            for n in input_names:
                if n in params:
                    params[n]._finish_deferred_init()
        self._cached_op_args = [(True, data_names[n]) if n in data_names else (False, params[n])
                                for n in input_names]
        self._cached_op = ndarray.CachedOp(out, self._flags)

    def _call_cached_op(self, *args):
        self._select_graph(args)
        if self._cached_op is None:
            self._build_cache(*args)
        flat, fmt = _flatten(args, "input")
        if fmt != self._in_format:
            raise ValueError("The argument structure of HybridBlock does not match the cached version. "
                             f"Stored format = {self._in_format}, input format = {fmt}")
        data = [a for a in flat if a is not None]
        cargs = [data[x] if is_data else x.data() for is_data, x in self._cached_op_args]
        try:
            out = self._cached_op(*cargs)
        except MXNetError as e:
            shapes = [a.shape for a in data]
            names = [self._cached_graph[0][i].name for i in range(len(data))]
            raise MXNetError(f"HybridBlock '{self.name}' (hybridized) failed on input shapes "
                             f"{dict(zip(names, shapes))}: {e}") from None
        if isinstance(out, NDArray):
            out = [out]
        return _regroup(out, self._out_format)

    # ---- calling ----------------------------------------------------------------------------
    def forward(self, x, *args):
        """Runs hybrid_forward: through the CachedOp when hybridized, else imperatively; with
        Symbol inputs, builds the graph."""
        flat = _flatten([x, *args], "input")[0]
        has_sym = any(isinstance(a, Symbol) for a in flat)
        has_nd = any(isinstance(a, NDArray) for a in flat)
        if has_sym and has_nd:
            raise ValueError("In HybridBlock, we do not support mixed NDArrays and Symbols types for the input. "
                             "Please check the type of the args.\n")
        if not has_sym and not has_nd:
            raise ValueError("In HybridBlock, there must be one NDArray or one Symbol in the input. Please check "
                             "the type of the args.\n")
        if has_nd:
            ctxs = _input_contexts(flat)
            ctx = ctxs[0]
            if self._active:
                if len(ctxs) > 1:
                    raise ValueError("Find multiple contexts in the input, After hybridized, the HybridBlock only "
                                     f"supports one input context. Find all contexts = {ctxs}")
                with ctx:
                    return self._call_cached_op(x, *args)
            with ctx:
                try:
                    params = {k: p.data(ctx) for k, p in self._reg_params.items()}
                except DeferredInitializationError:
                    self._deferred_infer_shape(x, *args)
                    for p in self.params.values():
                        p._finish_deferred_init()
                    params = {k: p.data(ctx) for k, p in self._reg_params.items()}
                return self.hybrid_forward(ndarray, x, *args, **params)
        params = {k: p.var() for k, p in self._reg_params.items()}
        with self.name_scope():
            return self.hybrid_forward(symbol, x, *args, **params)

    def hybrid_forward(self, F, x, *args, **kwargs):
        """Override with the computation, written with F (mx.nd or mx.sym)."""
        raise NotImplementedError

    # ---- export -----------------------------------------------------------------------------
    def export(self, path: str, epoch: int = 0, remove_amp_cast: bool = True) -> None:
        """Writes path-symbol.json and path-%04d.params (keys arg:<name>, aux:<name>) for
        SymbolBlock.imports, mx.model.load_checkpoint or Module. Needs one forward pass after
        hybridize() first."""
        if not self._cached_graph:
            raise RuntimeError("Please first call block.hybridize() and then run forward with this block at least "
                               "once before calling export.")
        sym = self._cached_graph[1]
        sym.save(f"{path}-symbol.json", remove_amp_cast=remove_amp_cast)
        arg_names = set(sym.list_arguments())
        aux_names = set(sym.list_auxiliary_states())
        if self._cached_op_args:
            params = [x for is_data, x in self._cached_op_args if not is_data]
        else:
            all_params = self.collect_params()
            params = [all_params[n] for n in sym.list_inputs() if n in all_params]
        arg_dict = {}
        for p in params:
            if p.name in arg_names:
                arg_dict[f"arg:{p.name}"] = p._reduce()
            elif p.name in aux_names:
                arg_dict[f"aux:{p.name}"] = p._reduce()
            else:
                warnings.warn(f'Parameter "{p.name}" is not found in the graph. ', stacklevel=2)
        ndarray.save(f"{path}-{epoch:04d}.params", arg_dict)


def _common_prefix(names: list) -> str:
    if not names:
        return ""
    prefix = names[0]
    for n in names[1:]:
        i = 0
        while i < len(prefix) and i < len(n) and prefix[i] == n[i]:
            i += 1
        prefix = prefix[:i]
    return prefix


class SymbolBlock(HybridBlock):
    """A block running a given symbol: ``SymbolBlock(outputs, inputs, params=None)`` where
    inputs are the variables fed at call time and every other argument or auxiliary state
    becomes a parameter (shared from params when given)."""

    @staticmethod
    def imports(symbol_file: str, input_names, param_file=None, ctx=None, allow_missing: bool = False,
                ignore_extra: bool = False) -> SymbolBlock:
        """Loads a model written by HybridBlock.export or Module.save_checkpoint (by MXNet or
        Minerva)."""
        sym = symbol.load(symbol_file)
        if isinstance(input_names, str):
            input_names = [input_names]
        if param_file is None:
            inputs = [symbol.var(n, dtype=np.float32) for n in input_names]
        else:
            inputs = [symbol.var(n) for n in input_names]
        ret = SymbolBlock(sym, inputs)
        if param_file is not None:
            ret.collect_params().load(param_file, ctx, allow_missing, ignore_extra, cast_dtype=True,
                                      dtype_source="saved")
        return ret

    def __repr__(self) -> str:
        out = self._cached_graph[1]
        return f"SymbolBlock(\n{out} : {len(self._cached_graph[0])} -> {len(out.list_outputs())}\n)"

    def __init__(self, outputs, inputs, params=None) -> None:
        super().__init__(prefix=None, params=None)
        self._prefix = ""
        self._params = ParameterDict("", params)
        if isinstance(inputs, Symbol) and len(inputs.list_outputs()) == 1:
            inputs = [inputs]
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            outputs = outputs[0]
        syms, self._in_format = _flatten(inputs, "input")
        out, self._out_format = _flatten(outputs, "output")
        input_names = set()
        for s in syms:
            if len(s.get_internals().list_outputs()) != 1:
                raise ValueError(f"Input symbols must be variable, but {s} is an output of operators")
            input_names.add(s.name)
        out = symbol.Group(out) if len(out) > 1 else out[0]
        arg_names = out.list_arguments()
        aux_names = out.list_auxiliary_states()
        arg_types, aux_types = _infer_param_types(syms, out, arg_names, aux_names)
        for n, t in zip(arg_names, arg_types):
            if n not in input_names:
                self.params.get(n, allow_deferred_init=True, dtype=t)
        for n, t in zip(aux_names, aux_types):
            if n not in input_names:
                self.params.get(n, grad_req="null", allow_deferred_init=True, dtype=t)
        self._cached_graph = syms, out
        strip = len(_common_prefix(list(self._params.keys())))
        self._reg_params = {k[strip:]: v for k, v in self._params.items()}

    def forward(self, x, *args):
        if isinstance(x, NDArray):
            with x.context:
                return self._call_cached_op(x, *args)
        if not isinstance(x, Symbol):
            raise TypeError(f"HybridBlock requires the first argument to forward be either Symbol or NDArray, "
                            f"but got {type(x)}")
        flat, fmt = _flatten([x, *args], "input")
        if fmt != self._in_format:
            raise ValueError("Invalid input format")
        ret = copy.copy(self._cached_graph[1])
        ret._compose(**{k.name: v for k, v in zip(self._cached_graph[0], flat)})
        return _regroup(list(ret), self._out_format)

    def _clear_cached_op(self) -> None:
        graph = self._cached_graph
        super()._clear_cached_op()
        self._cached_graph = graph

    def cast(self, dtype) -> None:
        self._clear_cached_op()
        super().cast(dtype)
        if np.dtype(dtype).name != "float16":
            return
        # BatchNorm statistics and scales stay float32 in a float16 model, as in MXNet
        names = self._cached_graph[1].get_internals().list_inputs()
        for node in names:
            for var_suffix, mean_suffix in (("running_var", "running_mean"), ("moving_var", "moving_mean")):
                if node.endswith(var_suffix):
                    stem = node[:-len(var_suffix)]
                    sibs = [stem + t for t in (mean_suffix, "gamma", "beta")]
                    if all(s in names for s in sibs):
                        for s in [node, *sibs]:
                            self.params.get(s).cast("float32")

    def hybrid_forward(self, F, x, *args, **kwargs):
        raise NotImplementedError


def _infer_param_types(in_syms, out, arg_names, aux_names, default_dtype=np.float32):
    """dtypes of the arguments and auxiliary states from the inputs' __dtype__ attributes
    (float32 wherever they cannot be inferred)."""
    arg_types = aux_types = None
    known = {}
    for s in in_syms:
        code = s.attr("__dtype__")
        if code is None:
            known = None
            break
        known[s.name] = s.infer_type()[0][0]
    if known is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                arg_types, _, aux_types = out.infer_type(**known)
        except MXNetError:
            arg_types = aux_types = None
    if arg_types is None or len(arg_types) != len(arg_names):
        arg_types = [default_dtype] * len(arg_names)
    if aux_types is None or len(aux_types) != len(aux_names):
        aux_types = [default_dtype] * len(aux_names)
    return arg_types, aux_types
