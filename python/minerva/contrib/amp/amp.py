"""Automatic mixed precision (MXNet 1.x's ``mx.contrib.amp``) for float16.

Two ways in, as in MXNet:
- ``init()`` rewraps the operator functions of ``mx.nd`` and ``mx.sym`` (hence Gluon's ``F``) so
  that float16-list operators cast their inputs to float16, float32-list ones to float32, and
  widest-type ones to a common type; ``init_trainer``/``scale_loss``/``unscale`` add dynamic loss
  scaling to a Gluon ``Trainer``.
- ``convert_symbol``/``convert_model``/``convert_hybrid_block``/``convert_bucketing_module``
  rewrite a float32 model's graph with casts (see ``_graph``).

Minerva runs float16 on CPU with its reference kernels. It has no bfloat16 dtype:
``target_dtype='bfloat16'`` is refused with an error saying so. Casts are ``amp_cast`` /
``amp_multicast`` where the registry has them, else ``Cast`` (see docs/python.md)."""
from __future__ import annotations

import contextlib
import logging

import numpy as np

from ... import ndarray, symbol
from ..._op import make_method
from ... import optimizer as opt
from ... import base  # noqa: F401  (MXNet's module namespace has it)
from ...base import MXNetError, check_call  # noqa: F401
from ...context import gpu
from ...gluon import trainer
from ...module import BucketingModule
from ...ndarray import NDArray
from ...ndarray.ndarray import DTYPE_CODE_TO_NP
from ...symbol import Symbol
from ...symbol import contrib as symbol_contrib  # noqa: F401
from . import lists
from ._graph import reduce_precision
from .lists._registry import has_op
from .loss_scaler import LossScaler

__all__ = ["init", "init_trainer", "scale_loss", "unscale", "convert_model", "convert_hybrid_block", "list_lp16_ops",
           "list_fp32_ops", "list_lp16_fp32_ops", "list_conditional_fp32_ops", "list_widest_type_cast",
           "list_loss_output_functions", "list_lp16_use_fp32_params", "convert_symbol"]

# MXNet's stand-in type for bfloat16 (a structured uint16); kept so code comparing against it runs.
bfloat16 = np.dtype([("bfloat16", np.uint16)])
_FLOAT_TYPES = (np.dtype(np.float16), np.dtype(np.float32))
_DEFAULT_CTX = gpu(0)  # MXNet's default for convert_hybrid_block
_OP_NAME_PREFIXES = ("_contrib_", "_linalg_", "_sparse_", "_image_", "_random_")

_amp_initialized = False
_amp_loss_scale_initialized = False
_loss_scaler = None


def _is_bfloat16(target_dtype) -> bool:
    return isinstance(target_dtype, str) and target_dtype == "bfloat16" or (
        isinstance(target_dtype, np.dtype) and target_dtype == bfloat16)


def _float16_target(target_dtype, where: str) -> str:
    """'float16' for an accepted target; a clear error for bfloat16 and anything else."""
    if _is_bfloat16(target_dtype):
        raise MXNetError("%s: target_dtype='bfloat16' is not supported: Minerva has no bfloat16 dtype (its "
                         "dtypes are float32, float64, float16, int8, uint8, int32, int64, bool); use "
                         "target_dtype='float16'" % where)
    try:
        if np.dtype(target_dtype) == np.float16:
            return "float16"
    except TypeError:
        pass
    raise AssertionError("%s: AMP supports only float16 (bfloat16 in MXNet) as a target_dtype; got %r"
                         % (where, target_dtype))


def _cast_symbol_NDArray(s, dtype):  # noqa: N802 - MXNet's name
    """``s`` cast to ``dtype`` when it is a float16/float32 NDArray of another type or a Symbol;
    anything else unchanged."""
    dtype = np.dtype(dtype)
    if isinstance(s, Symbol):
        if has_op("amp_cast"):
            return symbol.amp_cast(s, dtype=dtype.name)
        return symbol.Cast(s, dtype=dtype.name)
    if isinstance(s, NDArray) and s.dtype != dtype and np.dtype(s.dtype) in _FLOAT_TYPES:
        if has_op("amp_cast"):
            return ndarray.amp_cast(s, dtype=dtype.name)
        return ndarray.Cast(s, dtype=dtype.name)
    return s


# ---- init(): wrapping the operator functions ----------------------------------------------------

def _function_home(name, module):
    """(attribute name, namespace) of registry operator ``name`` in ``module`` (mx.nd or mx.sym)."""
    for prefix in _OP_NAME_PREFIXES:
        if name.startswith(prefix) and (prefix != "_random_" or name.endswith("_like")):
            return name[len(prefix):], getattr(module, prefix[1:-1])
    if name.startswith("_"):
        return name, module._internal
    return name, module


def _copy_identity(new, f):
    new.__name__ = f.__name__
    new.__module__ = f.__module__
    new.__doc__ = f.__doc__
    new.__wrapped__ = f
    return new


def _applies(cond_arg, kwargs) -> bool:
    return cond_arg is None or (cond_arg[0] in kwargs and kwargs[cond_arg[0]] in cond_arg[1])


def _ndarray_wrapper(f, target_dtype, cond_arg=None):
    def _new_fun(*args, **kwargs):
        if not _applies(cond_arg, kwargs):
            return f(*args, **kwargs)
        args = tuple(_cast_symbol_NDArray(x, target_dtype) for x in args)
        kwargs = {k: _cast_symbol_NDArray(v, target_dtype) for k, v in kwargs.items()}
        return f(*args, **kwargs)
    return _copy_identity(_new_fun, f)


def _symbol_wrapper(f, target_dtype, cond_arg=None):
    def _new_fun(*args, **kwargs):
        if not _applies(cond_arg, kwargs):
            return f(*args, **kwargs)
        # Build the node first so that implicitly created inputs (weights, biases) are cast too.
        return _cast_node_inputs(f(*args, **kwargs), np.dtype(target_dtype).name)
    return _copy_identity(_new_fun, f)


def _cast_node_inputs(sym, dtype):
    """``sym`` (one operator node) with each non-auxiliary input cast to ``dtype``."""
    import json
    graph = json.loads(sym.tojson())
    aux = set(sym.list_auxiliary_states())
    nodes = graph["nodes"]
    head = graph["heads"][0][0]
    op_node = nodes[head]
    cast_op = "amp_cast" if has_op("amp_cast") else "Cast"
    new_inputs = []
    for entry in op_node["inputs"]:
        src = nodes[entry[0]]
        if src["op"] == "null" and src["name"] in aux:
            new_inputs.append(entry)
            continue
        nodes.append({"op": cast_op, "name": "%s_amp_cast_%s" % (src["name"], dtype), "attrs": {"dtype": dtype},
                      "inputs": [[entry[0], entry[1], 0]]})
        new_inputs.append([len(nodes) - 1, 0, 0])
    # Move the operator node after its new casts, keeping the order topological.
    op_node = dict(op_node, inputs=new_inputs)
    nodes.append(op_node)
    old_to_new = {i: i if i < head else i - 1 for i in range(len(nodes))}
    del nodes[head]
    for node in nodes:
        node["inputs"] = [[old_to_new[e[0]], e[1], e[2]] for e in node["inputs"]]
    last = len(nodes) - 1
    graph["heads"] = [[last, h[1], 0] for h in graph["heads"]]
    graph["arg_nodes"] = [i for i, n in enumerate(nodes) if n["op"] == "null"]
    graph.pop("node_row_ptr", None)
    return symbol.load_json(json.dumps(graph))


def _widest_wrapper(f, target_dtype):
    def _new_fun(*args, **kwargs):
        args = list(args)
        slots = [(args, i, a) for i, a in enumerate(args) if isinstance(a, (Symbol, NDArray))]
        slots += [(kwargs, k, a) for k, a in kwargs.items() if isinstance(a, (Symbol, NDArray))]
        if any(isinstance(a, Symbol) for _, _, a in slots):
            syms = [a for _, _, a in slots]
            if has_op("amp_multicast"):
                casted = symbol.amp_multicast(*syms, num_outputs=len(syms))
                casted = [casted[i] for i in range(len(syms))]
            else:  # types are unknown while the graph is built: float32 is always wide enough
                casted = [_cast_symbol_NDArray(s, np.float32) for s in syms]
            for (where, key, _), new in zip(slots, casted):
                where[key] = new
        else:
            widest = np.float32 if any(a.dtype == np.float32 for _, _, a in slots) else target_dtype
            for where, key, a in slots:
                if a.dtype != widest and a.dtype == target_dtype:
                    where[key] = _cast_symbol_NDArray(a, widest)
        return f(*args, **kwargs)
    return _copy_identity(_new_fun, f)


def _install(module, name, make):
    attr, home = _function_home(name, module)
    f = getattr(home, attr, None)
    if f is None:
        raise MXNetError("amp.init: operator %r has no function %s.%s in this build"
                         % (name, module.__name__, attr))
    wrapped = make(f)
    setattr(home, attr, wrapped)
    if home is module and hasattr(module, "op"):
        setattr(module.op, attr, wrapped)
    # Fluent methods (x.exp()) call the operator function they were made from; in MXNet they look
    # it up at each call, so they follow the wrapping: the generated ones are remade here.
    cls = NDArray if module is ndarray else Symbol
    method = cls.__dict__.get(attr)
    if home is module and method is not None and getattr(method, "__qualname__", None) == attr:
        setattr(cls, attr, make_method(wrapped))


def _wrap_symbol_functions(module, target_dtype, target_precision_ops=None, conditional_fp32_ops=None,
                           fp32_ops=None):
    wrapper = _symbol_wrapper if module is symbol else _ndarray_wrapper
    for name in target_precision_ops if target_precision_ops is not None else list_lp16_ops(target_dtype):
        _install(module, name, lambda f: wrapper(f, target_dtype))
    for name in fp32_ops if fp32_ops is not None else list_fp32_ops(target_dtype):
        _install(module, name, lambda f: wrapper(f, np.float32))
    conditional = conditional_fp32_ops if conditional_fp32_ops is not None else \
        list_conditional_fp32_ops(target_dtype)
    for name, arg, values in conditional:
        _install(module, name, lambda f, a=arg, v=values: wrapper(f, np.float32, cond_arg=(a, v)))
    for name in list_widest_type_cast(target_dtype):
        _install(module, name, lambda f: _widest_wrapper(f, np.dtype(target_dtype)))


_ARITHMETIC = ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__",
               "__div__", "__rdiv__", "__mod__", "__rmod__", "__pow__", "__rpow__", "__eq__", "__ne__", "__lt__",
               "__le__", "__gt__", "__ge__")


def _wrap_arithmetic():
    """Array-array arithmetic as the widest-type operators: in MXNet ``a + b`` reaches the wrapped
    ``broadcast_add``; Minerva's operators invoke the registry directly, so they are wrapped here.
    NDArrays of float16 and float32 meet in float32; Symbols (types unknown while the graph is
    built) go through ``amp_multicast``, or are cast to float32 without it."""
    def wrap_nd(method):
        def _amp_method(self, other):
            if isinstance(other, NDArray) and self.dtype != other.dtype and \
                    {np.dtype(self.dtype), np.dtype(other.dtype)} == set(_FLOAT_TYPES):
                self, other = (_cast_symbol_NDArray(a, np.float32) for a in (self, other))
            return method(self, other)
        return _copy_identity(_amp_method, method)

    def wrap_sym(method):
        def _amp_method(self, other):
            if isinstance(other, Symbol):
                if has_op("amp_multicast"):
                    pair = symbol.amp_multicast(self, other, num_outputs=2)
                    self, other = pair[0], pair[1]
                else:
                    self, other = (_cast_symbol_NDArray(a, np.float32) for a in (self, other))
            return method(self, other)
        return _copy_identity(_amp_method, method)

    for cls, wrap in ((NDArray, wrap_nd), (Symbol, wrap_sym)):
        for name in _ARITHMETIC:
            method = cls.__dict__.get(name)
            if method is not None:
                setattr(cls, name, wrap(method))


def _wrap_loss_output_functions(module, ls, target_dtype):
    def scaling(f):
        def _scaling_wrapper(*args, **kwargs):
            kwargs["grad_scale"] = kwargs.get("grad_scale", 1.0) * ls.loss_scale
            return f(*args, **kwargs)
        return _copy_identity(_scaling_wrapper, f)

    def warning(f):
        def _warning_wrapper(*args, **kwargs):
            logging.warning("%s does not support dynamic loss scaling in symbolic and hybridized execution.",
                            f.__name__)
            return f(*args, **kwargs)
        return _copy_identity(_warning_wrapper, f)

    for name in list_loss_output_functions(target_dtype):
        f = getattr(module, name, None)
        if f is not None:
            setattr(module, name, (scaling if module is ndarray else warning)(f))


def init(target_dtype="float16", target_precision_ops=None, conditional_fp32_ops=None, fp32_ops=None):
    """Turn AMP on for the rest of the process (once; later calls do nothing, as in MXNet).

    ``target_precision_ops``, ``fp32_ops`` and ``conditional_fp32_ops`` replace the default lists
    (``list_lp16_ops`` etc.)."""
    global _amp_initialized, _loss_scaler
    if _amp_initialized:
        return
    target = np.dtype(_float16_target(target_dtype, "amp.init"))
    _amp_initialized = True
    logging.info("Using AMP")
    _wrap_symbol_functions(symbol, target, target_precision_ops, conditional_fp32_ops, fp32_ops)
    _wrap_symbol_functions(ndarray, target, target_precision_ops, conditional_fp32_ops, fp32_ops)
    _wrap_arithmetic()
    _loss_scaler = LossScaler()
    _wrap_loss_output_functions(ndarray, _loss_scaler, target)
    _wrap_loss_output_functions(symbol, _loss_scaler, target)


def init_trainer(optimizer_or_trainer):
    """Give a Gluon Trainer a dynamic loss scaler (``amp.init()`` first)."""
    global _amp_loss_scale_initialized
    if not _amp_initialized:
        raise AssertionError("AMP not initialized, did you forget to call amp.init()?")
    if not _amp_loss_scale_initialized:
        _amp_loss_scale_initialized = True
        loss_scaler = _loss_scaler
    else:
        loss_scaler = LossScaler()
    if isinstance(optimizer_or_trainer, trainer.Trainer):
        optimizer_or_trainer._amp_loss_scaler = loss_scaler
        optimizer_or_trainer._amp_original_scale = optimizer_or_trainer._scale
    elif isinstance(optimizer_or_trainer, opt.Optimizer):
        raise TypeError("AMP is currently only compatible with Gluon Trainer")
    else:
        raise TypeError("optimizer_or_trainer should be a Gluon Trainer or an optimizer, instead is %s"
                        % type(optimizer_or_trainer))


@contextlib.contextmanager
def scale_loss(loss, optimizer_or_trainer):
    """``with amp.scale_loss(loss, trainer) as scaled: autograd.backward(scaled)``: the loss
    multiplied by the current scale, and the trainer set to divide the gradients by it."""
    if getattr(optimizer_or_trainer, "_amp_loss_scaler", None) is None:
        raise AssertionError("Loss scaler is not initialized, did you forget to call amp.init_trainer()?")
    scaler = optimizer_or_trainer._amp_loss_scaler
    optimizer_or_trainer._scale = optimizer_or_trainer._amp_original_scale / scaler.loss_scale
    if isinstance(loss, (list, tuple)):
        yield [x * scaler.loss_scale for x in loss]
    else:
        yield scaler.loss_scale * loss


def unscale(optimizer_or_trainer):
    """Divide the trainer's gradients by the loss scale now (e.g. before clipping them)."""
    if isinstance(optimizer_or_trainer, trainer.Trainer):
        for p in optimizer_or_trainer._params:
            if p._grad is not None:
                for g in p._grad:
                    g[:] = g * optimizer_or_trainer._scale
        optimizer_or_trainer._scale = 1.
    elif isinstance(optimizer_or_trainer, opt.Optimizer):
        raise TypeError("AMP is currently only compatible with Gluon Trainer")
    else:
        raise TypeError("optimizer_or_trainer should be a Gluon Trainer or an optimizer, instead is %s"
                        % type(optimizer_or_trainer))


# ---- converting models --------------------------------------------------------------------------

def _check_op_lists(target, target_dtype_ops, fp32_ops, conditional_fp32_ops):
    for value, what in ((target_dtype_ops, "target_dtype_ops should be a list of strs"),
                        (fp32_ops, "fp32_ops should be a list of strs"),
                        (conditional_fp32_ops, "conditional_fp32_ops should be a list")):
        if value is not None and not isinstance(value, list):
            raise AssertionError(what)
    target_dtype_ops = list_lp16_ops(target) if target_dtype_ops is None else target_dtype_ops
    fp32_ops = list_fp32_ops(target) if fp32_ops is None else fp32_ops
    conditional = list_conditional_fp32_ops(target) if conditional_fp32_ops is None else conditional_fp32_ops
    for entry in conditional:
        if not (len(entry) == 3 and isinstance(entry[0], str) and isinstance(entry[1], str)
                and isinstance(entry[2], list)):
            raise AssertionError("conditional_fp32_ops should be a list of (str, str, list of str)")
    conditional_names = [e[0] for e in conditional]
    for a, b, names in ((target_dtype_ops, fp32_ops, "target_dtype_ops and fp32_ops"),
                        (target_dtype_ops, conditional_names, "target_dtype_ops and conditional_fp32_ops"),
                        (conditional_names, fp32_ops, "fp32_ops and conditional_fp32_ops")):
        common = set(a) & set(b)
        if common:
            raise AssertionError("Ops cannot be in two or more lists. Common ops in %s %s" % (names, common))
    known = set(list_lp16_ops(target) + list_fp32_ops(target) + list_lp16_fp32_ops(target)
                + [e[0] for e in list_conditional_fp32_ops(target)])
    illegal = set(target_dtype_ops + fp32_ops + conditional_names) - known
    if illegal:
        raise AssertionError("Can only choose ops from one of the lists amp.list_lp16_ops, amp.list_fp32_ops, "
                             "amp.list_lp16_fp32_ops, amp.list_conditional_fp32_ops (target_dtype %s); "
                             "ops %s are in none of them" % (target, sorted(illegal)))
    return target_dtype_ops, fp32_ops, conditional


def convert_symbol(sym, target_dtype="float16", target_dtype_ops=None, fp32_ops=None, conditional_fp32_ops=None,
                   excluded_sym_names=None, data_names=None, cast_optional_params=False):
    """A float32 ``sym`` rewritten with casts so that its float16-list operators run in float16
    (outputs stay float32). ``data_names`` are the inputs taken to be float32 data (default: the
    inputs without a ``__dtype__`` attribute); ``excluded_sym_names`` nodes are left alone.
    ``cast_optional_params`` is accepted; like MXNet 1.9.1's pass on these lists it changes nothing
    (parameters stay float32 and are cast inside the graph)."""
    if not isinstance(sym, Symbol):
        raise AssertionError("First argument to convert_symbol should be Symbol")
    target = _float16_target(target_dtype, "amp.convert_symbol")
    target_dtype_ops, fp32_ops, conditional = _check_op_lists(target, target_dtype_ops, fp32_ops,
                                                              conditional_fp32_ops)
    if excluded_sym_names is None:
        excluded_sym_names = []
    elif not isinstance(excluded_sym_names, list):
        raise AssertionError("excluded_sym_names should be a list of strs")
    if data_names is None:
        attrs = sym.attr_dict()
        data_names = [n for n in sym.list_inputs() if "__dtype__" not in attrs.get(n, {})]
    return reduce_precision(sym, target, target_dtype_ops, fp32_ops, conditional, list_widest_type_cast(target),
                            excluded_sym_names, data_names)


def _cast_params_to_attr_dtypes(sym, names, params):
    attrs = sym.attr_dict()
    for name in names:
        code = attrs.get(name, {}).get("__dtype__")
        if name in params and code is not None and code != "-1":
            params[name] = params[name].astype(DTYPE_CODE_TO_NP[int(code)])


def convert_model(sym, arg_params, aux_params, target_dtype="float16", target_dtype_ops=None, fp32_ops=None,
                  conditional_fp32_ops=None, excluded_sym_names=None, cast_optional_params=False):
    """``convert_symbol`` for a model: returns ``(sym, arg_params, aux_params)``, the parameters
    cast where the converted symbol declares another ``__dtype__`` for them."""
    if excluded_sym_names is not None and not isinstance(excluded_sym_names, list):
        raise ValueError("excluded_sym_names must be a list of strings representing the names of the symbols "
                         "that should not be casted, while received type %s" % str(type(excluded_sym_names)))
    _float16_target(target_dtype, "amp.convert_model")
    if not isinstance(sym, Symbol):
        raise AssertionError("First argument to convert_model should be Symbol")
    if not isinstance(arg_params, dict):
        raise AssertionError("Second argument to convert_model should be a dict of name to ndarray")
    if not isinstance(aux_params, dict):
        raise AssertionError("Third argument to convert_model should be a dict of name to ndarray")
    param_names = set(arg_params) | set(aux_params)
    data_names = [n for n in sym.list_inputs() if n not in param_names]
    sym = convert_symbol(sym, target_dtype, target_dtype_ops, fp32_ops, conditional_fp32_ops, excluded_sym_names,
                         data_names, cast_optional_params)
    _cast_params_to_attr_dtypes(sym, sym.list_arguments(), arg_params)
    _cast_params_to_attr_dtypes(sym, sym.list_auxiliary_states(), aux_params)
    return sym, arg_params, aux_params


def convert_hybrid_block(block, target_dtype="float16", target_dtype_ops=None, fp32_ops=None,
                         conditional_fp32_ops=None, excluded_sym_names=None, ctx=_DEFAULT_CTX,
                         cast_optional_params=False):
    """A SymbolBlock running ``block`` (hybridized and run once) in mixed precision, holding a
    copy of its parameters on ``ctx``. MXNet's default ``ctx`` is ``gpu(0)``; pass ``ctx=mx.cpu()``
    on a build without CUDA."""
    from ...gluon import HybridBlock, SymbolBlock
    if not isinstance(block, HybridBlock):
        raise AssertionError("block input should be a HybridBlock")
    if not block._cached_graph:
        raise RuntimeError("Please first call block.hybridize() and then run forward with this block at least once "
                           "before calling export.")
    inputs, sym = block._cached_graph
    converted = convert_symbol(sym, target_dtype, target_dtype_ops, fp32_ops, conditional_fp32_ops,
                               excluded_sym_names, data_names=[i.name for i in inputs],
                               cast_optional_params=cast_optional_params)
    arg_names = set(converted.list_arguments())
    attrs = converted.attr_dict()
    arg_dict = {}
    for name, param in block.collect_params().items():
        kind = "arg" if name in arg_names else "aux"
        value = param._reduce()
        code = attrs.get(name, {}).get("__dtype__")
        if code is not None and code != "-1":
            value = value.astype(DTYPE_CODE_TO_NP[int(code)])
        arg_dict["%s:%s" % (kind, name)] = value
    ret = SymbolBlock(converted, inputs)
    for key, param in ret.collect_params().items():
        for kind in ("arg", "aux"):
            loaded = arg_dict.get("%s:%s" % (kind, key))
            if loaded is not None and param.dtype != loaded.dtype:
                param.cast(loaded.dtype)
    ret.collect_params().load_dict(arg_dict, ctx=ctx)
    return ret


def convert_bucketing_module(bucketing_mod, target_dtype="float16", target_dtype_ops=None, fp32_ops=None,
                             conditional_fp32_ops=None, excluded_sym_names=None, cast_optional_params=False):
    """A new BucketingModule whose every bucket's symbol is converted (parameters shared)."""
    if not isinstance(bucketing_mod, BucketingModule):
        raise AssertionError("module should be instance of bucketing module")
    if not bucketing_mod._buckets:
        raise AssertionError("Bucketing Module should not be empty")
    if not bucketing_mod.params_initialized:
        raise AssertionError("bucketing_mod params should be initialized for mixed precision conversion")
    arg_params = bucketing_mod._curr_module._arg_params
    aux_params = bucketing_mod._curr_module._aux_params
    sym_dict = {}
    for key, mod in bucketing_mod._buckets.items():
        sym_dict[key], arg_params, aux_params = convert_model(
            mod._symbol, arg_params, aux_params, target_dtype=target_dtype, target_dtype_ops=target_dtype_ops,
            fp32_ops=fp32_ops, conditional_fp32_ops=conditional_fp32_ops, excluded_sym_names=excluded_sym_names,
            cast_optional_params=cast_optional_params)
    return BucketingModule.load_dict(sym_dict, sym_gen=bucketing_mod._sym_gen, arg_params=arg_params,
                                     aux_params=aux_params, default_bucket_key=bucketing_mod._default_bucket_key,
                                     logger=bucketing_mod.logger, context=bucketing_mod._context,
                                     work_load_list=bucketing_mod._work_load_list,
                                     fixed_param_names=bucketing_mod._fixed_param_names,
                                     state_names=bucketing_mod._state_names, group2ctxs=bucketing_mod._group2ctxs,
                                     compression_params=bucketing_mod._compression_params)


# ---- the tables ---------------------------------------------------------------------------------

def _table(target_dtype, fp16_name):
    _float16_target(target_dtype, "amp.list_*")
    return getattr(lists.symbol_fp16, fp16_name)


def list_lp16_ops(target_dtype):
    """Operators that run in the target (low) precision."""
    return _table(target_dtype, "FP16_FUNCS")


def list_fp32_ops(target_dtype):
    """Operators that always run in float32."""
    return _table(target_dtype, "FP32_FUNCS")


def list_lp16_fp32_ops(target_dtype):
    """Operators that run in whichever float type their inputs have."""
    return _table(target_dtype, "FP16_FP32_FUNCS")


def list_conditional_fp32_ops(target_dtype):
    """(operator, parameter, values): float32 when the parameter takes one of the values."""
    return _table(target_dtype, "CONDITIONAL_FP32_FUNCS")


def list_widest_type_cast(target_dtype):
    """Operators whose mixed float inputs are cast to the widest type."""
    return _table(target_dtype, "WIDEST_TYPE_CASTS")


def list_loss_output_functions(target_dtype):
    """Loss outputs whose gradient ``init()`` scales by the loss scale."""
    return _table(target_dtype, "LOSS_OUTPUT_FUNCTIONS")


def list_lp16_use_fp32_params(target_dtype):
    """Parameters kept in float32 for low-precision operators: None for float16, as in MXNet."""
    _float16_target(target_dtype, "amp.list_lp16_use_fp32_params")
    return None



