"""``mx.operator``: operators written in Python (MXNet 1.x's CustomOp / CustomOpProp API).

A class derived from :class:`CustomOpProp` describes an operator type (its arguments, outputs,
auxiliary states, shape and dtype inference) and creates :class:`CustomOp` instances that run
forward and backward. ``@mx.operator.register("name")`` registers it with libminerva through the
custom-operator callback of the C ABI (``MVCustomOpRegister``, docs/custom_op.md); the registry
operator ``Custom`` (``mx.nd.Custom``, ``mx.sym.Custom``) then runs it imperatively, with
autograd, in executors and in hybridized blocks.

create_operator, forward and backward run on an engine worker thread (on the calling thread
under ``MINERVA_ENGINE_TYPE=NaiveEngine``) with autograd recording paused; the arrays they
receive are valid only during the call. docs/custom_op.md has the details.
"""
from __future__ import annotations

import atexit
import itertools
import json
import threading
import traceback
from collections import namedtuple

import numpy as np

from . import _op, context, symbol  # noqa: F401  (context, symbol: mxnet.operator's namespace)
from ._capi import ffi, lib
from .base import MinervaError, check_call, py_str  # noqa: F401
from .ndarray.ndarray import NDArray, _new_from_handle, dtype_code
from .util import is_np_array  # noqa: F401

# MXNet's module defines no __all__: its star import binds what it imports as well.
__all__ = ["CustomOp", "CustomOpProp", "NDArray", "NDArrayOp", "NumpyOp", "OperatorArguments", "PythonOp",
           "check_call", "context", "get_all_registered_operators", "get_operator_arguments", "is_np_array",
           "py_str", "register", "symbol"]

_DTYPE_NAMES = ["float32", "float64", "float16", "uint8", "int32", "int8", "int64", "bool"]


class CustomOp:
    """Base class of a custom operator's computation (MXNet's ``mx.operator.CustomOp``)."""

    def __init__(self):
        pass

    def forward(self, is_train, req, in_data, out_data, aux):
        """Computes out_data from in_data; write each output with ``self.assign``."""

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        """Computes in_grad from out_grad (and the data); write with ``self.assign``."""

    def assign(self, dst, req, src):
        """Writes src into dst as req says: 'null' (skip), 'write'/'inplace' (copy) or 'add'."""
        if req == "null":
            return
        if req in ("write", "inplace"):
            dst[:] = src
        elif req == "add":
            dst[:] += src
        else:
            raise ValueError(f"CustomOp.assign: req must be 'null', 'write', 'inplace' or 'add', got {req!r}")


class CustomOpProp:
    """Base class of a custom operator's description (MXNet's ``mx.operator.CustomOpProp``).
    Parameters given to ``Custom`` arrive in ``__init__`` as strings."""

    def __init__(self, need_top_grad=True):
        self.need_top_grad_ = need_top_grad

    def infer_shape(self, in_shape):
        """Returns (argument shapes, output shapes, auxiliary shapes); by default every output
        takes the first input's shape."""
        return in_shape, (in_shape[0],) * len(self.list_outputs()), ()

    def infer_type(self, in_type):
        """Returns (argument dtypes, output dtypes, auxiliary dtypes): the first input's dtype."""
        t = in_type[0]
        return in_type, [t] * len(self.list_outputs()), [t] * len(self.list_auxiliary_states())

    def infer_storage_type(self, in_stype):
        """Only dense ('default') storage exists in Minerva."""
        for i, s in enumerate(in_stype):
            if s != "default":
                raise NotImplementedError(f"infer_storage_type: input {i} has storage {s!r}; only dense "
                                          "('default') arrays are supported")
        return in_stype, ["default"] * len(self.list_outputs()), ["default"] * len(self.list_auxiliary_states())

    def infer_storage_type_backward(self, ograd_stype, in_stype, out_stype, igrad_stype, aux_stype):
        """Only dense ('default') storage exists in Minerva."""
        return (["default"] * len(ograd_stype), ["default"] * len(in_stype), ["default"] * len(out_stype),
                ["default"] * len(igrad_stype), ["default"] * len(aux_stype))

    def list_outputs(self):
        return ["output"]

    def list_arguments(self):
        return ["data"]

    def list_auxiliary_states(self):
        return []

    def declare_backward_dependency(self, out_grad, in_data, out_data):
        """The arrays backward needs. Minerva always passes all of them, so this only informs."""
        deps = []
        if self.need_top_grad_:
            deps.extend(out_grad)
        deps.extend(in_data)
        deps.extend(out_data)
        return deps

    def create_operator(self, ctx, in_shapes, in_dtypes):
        """Returns the CustomOp that computes this operator for these shapes and dtypes."""
        return CustomOp()


# ---- the bridge to MVCustomOpRegister ------------------------------------------------------------
# One callback serves every registered type: a prop's id leads to its object, an operator's id to
# its CustomOp. The GIL guards these tables (cffi takes it before calling _dispatch).

_registry: dict = {}    # op_type -> CustomOpProp subclass
_props: dict = {}       # prop id -> CustomOpProp instance
_operators: dict = {}   # operator id -> CustomOp instance
_ids = itertools.count(1)

_KIND_OF = ((KeyError, 4), (IndexError, 3), (LookupError, 5), (TypeError, 2), (NotImplementedError, 8),
            (MemoryError, 7), (OSError, 6), (ValueError, 1))


def _error_kind(e: BaseException) -> int:
    for cls, kind in _KIND_OF:
        if isinstance(e, cls):
            return kind
    return 10


def _shape_list(value, what):
    try:
        return [[int(d) for d in s] for s in value]
    except TypeError:
        raise TypeError(f"{what} must be a list of shapes (tuples of ints), got {value!r}") from None


def _type_code(t):
    return -1 if t is None else dtype_code(t)


def _split_answer(ret, what, n_aux):
    if not isinstance(ret, (tuple, list)) or len(ret) not in (2, 3):
        raise ValueError(f"{what} must return (in, out) or (in, out, aux) lists, got {ret!r}")
    return ret[0], ret[1], ret[2] if len(ret) == 3 else [None] * n_aux


def _create_prop(req, call):
    op_type = req["op_type"]
    cls = _registry.get(op_type)
    if cls is None:
        raise KeyError(f"custom operator type {op_type!r} is not registered in this process")
    prop = cls(**req["kwargs"])
    pid = next(_ids)
    _props[pid] = prop
    need = getattr(prop, "need_top_grad_", True)
    return {"prop": pid, "arguments": [str(n) for n in prop.list_arguments()],
            "outputs": [str(n) for n in prop.list_outputs()],
            "auxiliary_states": [str(n) for n in prop.list_auxiliary_states()], "need_top_grad": bool(need)}


def _infer_shape(req, call):
    prop = _props[req["prop"]]
    n_aux = len(prop.list_auxiliary_states())
    ins, outs, aux = _split_answer(prop.infer_shape([list(s) for s in req["in_shapes"]]), "infer_shape", n_aux)
    aux = [() if a is None else a for a in aux]
    return {"in_shapes": _shape_list(ins, "infer_shape's input shapes"),
            "out_shapes": _shape_list(outs, "infer_shape's output shapes"),
            "aux_shapes": _shape_list(aux, "infer_shape's auxiliary shapes")}


def _infer_type(req, call):
    prop = _props[req["prop"]]
    in_types = [None if t < 0 else np.dtype(_DTYPE_NAMES[t]).type for t in req["in_types"]]
    n_aux = len(prop.list_auxiliary_states())
    ins, outs, aux = _split_answer(prop.infer_type(in_types), "infer_type", n_aux)
    return {"in_types": [_type_code(t) for t in ins], "out_types": [_type_code(t) for t in outs],
            "aux_types": [_type_code(t) for t in aux]}


def _create_operator(req, call):
    prop = _props[req["prop"]]
    dtypes = [np.dtype(_DTYPE_NAMES[t]).type for t in req["in_types"]]
    op = prop.create_operator(req["ctx"], [list(s) for s in req["in_shapes"]], dtypes)
    if not isinstance(op, CustomOp):
        raise TypeError(f"create_operator must return a CustomOp, got {type(op).__name__}")
    oid = next(_ids)
    _operators[oid] = op
    return {"operator": oid}


def _arrays(call, counts):
    out, i = [], 0
    for n in counts:
        group = []
        for _ in range(n):
            h = ffi.new("MVNDArrayHandle*")
            check_call(lib.MVCustomOpCallGetArray(call, i, h))
            group.append(_new_from_handle(h[0]))
            i += 1
        out.append(group)
    return out


def _forward(req, call):
    op = _operators[req["operator"]]
    in_data, out_data, aux = _arrays(call, (req["in_data"], req["out_data"], req["aux"]))
    op.forward(is_train=req["is_train"], req=req["req"], in_data=in_data, out_data=out_data, aux=aux)
    return {}


def _backward(req, call):
    op = _operators[req["operator"]]
    groups = _arrays(call, (req["out_grad"], req["in_data"], req["out_data"], req["in_grad"], req["aux"]))
    out_grad, in_data, out_data, in_grad, aux = groups
    op.backward(req=req["req"], out_grad=out_grad, in_data=in_data, out_data=out_data, in_grad=in_grad, aux=aux)
    return {}


def _delete_operator(req, call):
    _operators.pop(req["operator"], None)
    return {}


def _delete_prop(req, call):
    _props.pop(req["prop"], None)
    return {}


_REQUESTS = {"create_prop": _create_prop, "infer_shape": _infer_shape, "infer_type": _infer_type,
             "create_operator": _create_operator, "forward": _forward, "backward": _backward,
             "delete_operator": _delete_operator, "delete_prop": _delete_prop}


def _dispatch(call, user_data):
    try:
        out = ffi.new("const char**")
        check_call(lib.MVCustomOpCallGetRequest(call, out))
        req = json.loads(ffi.string(out[0]).decode())
        handler = _REQUESTS.get(req["request"])
        if handler is None:
            raise ValueError(f"unknown custom-operator request {req['request']!r}")
        result = handler(req, call)
        check_call(lib.MVCustomOpCallSetResult(call, json.dumps(result).encode()))
        return 0
    except BaseException as e:  # noqa: BLE001 - every failure must reach the core as an error
        text = f"{type(e).__name__}: {e}"
        if not isinstance(e, MinervaError):
            frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename != __file__]
            tb = "".join(traceback.format_list(frames))  # the user's frames, not this bridge's
            text += "\nPython traceback (most recent call last):\n" + tb if tb else ""
        lib.MVCustomOpCallSetError(call, _error_kind(e), text.encode("utf-8", "replace"))
        return 1


# An exception that escapes _dispatch itself (one raised while reporting another, an interrupt)
# returns 1, a failure, never 0 with the outputs unwritten.
_CALLBACK = ffi.callback("MVCustomOpCallback", _dispatch, error=1, onerror=lambda *a: None)
_lock = threading.Lock()


@atexit.register
def _finish_pending_work():
    # Queued forward/backward calls need a live interpreter: let them run before it goes away.
    if _registry:
        lib.MVNDArrayWaitAll()


def register(reg_name):
    """Class decorator registering a CustomOpProp subclass as custom operator type reg_name."""
    def do_register(prop_cls):
        if not (isinstance(prop_cls, type) and issubclass(prop_cls, CustomOpProp)):
            raise TypeError(f"mx.operator.register({reg_name!r}) expects a CustomOpProp subclass, got {prop_cls!r}")
        with _lock:
            _registry[reg_name] = prop_cls
            check_call(lib.MVCustomOpRegister(str(reg_name).encode(), _CALLBACK, ffi.NULL))
        return prop_cls
    return do_register


def get_all_registered_operators():
    """Names of every operator in the registry (MXNet's list, not only custom ones)."""
    return _op.list_ops()


OperatorArguments = namedtuple("OperatorArguments", ["narg", "names", "types"])


def _type_string(p: dict) -> str:
    enum = "{" + ", ".join(repr(v) for v in p.get("values", [])) + "}"
    kind = {"int": "int", "float": "float", "bool": "boolean", "string": "string", "shape": "Shape(tuple)",
            "dtype": "int", "enum": enum}.get(p["type"], p["type"])
    return f"{kind}, required" if p["required"] else f"{kind}, optional, default={p['default']}"


def get_operator_arguments(op_name):
    """The inputs and parameters of a registered operator: OperatorArguments(narg, names, types),
    inputs typed 'NDArray-or-Symbol' as in MXNet."""
    s = _op.schema(op_name)
    if s["variadic"] or (s["inputs_depend_on_params"] and not s["inputs"]):
        inputs, input_types = ["data"], ["NDArray-or-Symbol[]"]  # a list of inputs, as MXNet lists it
    else:
        inputs = _op.signature_inputs(s)  # without hidden auxiliary states, as MXNet lists them
        input_types = ["NDArray-or-Symbol"] * len(inputs)
    names = inputs + [p["name"] for p in s["params"]]
    types = input_types + [_type_string(p) for p in s["params"]]
    return OperatorArguments(len(names), names, types)


# ---- legacy PythonOp / NumpyOp / NDArrayOp ------------------------------------------------------
# MXNet's pre-CustomOp interface. Each instance's get_symbol registers a private custom operator
# type that wraps it, so it runs through the same callback as CustomOp.

class PythonOp:
    """Base of the legacy Python operators (deprecated in MXNet too; use CustomOp)."""

    def __init__(self, need_top_grad=True):
        self.info_ = None
        self.need_top_grad_ = need_top_grad

    def __call__(self, *args, **kwargs):
        return self.get_symbol(*args, **kwargs)

    def get_symbol(self, *args, **kwargs):
        raise NotImplementedError("PythonOp.get_symbol: use NumpyOp or NDArrayOp (or, better, CustomOp)")

    def forward(self, in_data, out_data):
        out_data[0][:] = in_data[0]

    def backward(self, out_grad, in_data, out_data, in_grad):
        in_grad[0][:] = 1.0

    def infer_shape(self, in_shape):
        return in_shape, [in_shape[0]]

    def list_outputs(self):
        return ["output"]

    def list_arguments(self):
        return ["data"]

    def need_top_grad(self):
        return self.need_top_grad_

    def _symbol(self, *args, **kwargs):
        if self.info_ is None:
            self.info_ = f"_legacy_{type(self).__name__}_{next(_ids)}"
            legacy = self

            class _Prop(CustomOpProp):
                def __init__(self):
                    super().__init__(need_top_grad=legacy.need_top_grad())

                def list_arguments(self):
                    return legacy.list_arguments()

                def list_outputs(self):
                    return legacy.list_outputs()

                def infer_shape(self, in_shape):
                    ins, outs = legacy.infer_shape(in_shape)[:2]
                    return ins, outs, []

                def create_operator(self, ctx, in_shapes, in_dtypes):
                    return _LegacyOp(legacy)

            register(self.info_)(_Prop)
        from .symbol import Custom
        return Custom(*args, op_type=self.info_, **kwargs)


class _LegacyOp(CustomOp):
    def __init__(self, legacy):
        self.legacy = legacy

    def forward(self, is_train, req, in_data, out_data, aux):
        if isinstance(self.legacy, NumpyOp):
            outs = [np.zeros(o.shape, o.dtype) for o in out_data]
            self.legacy.forward([x.asnumpy() for x in in_data], outs)
            for o, r, v in zip(out_data, req, outs):
                self.assign(o, r, v)
        else:
            self.legacy.forward(in_data, out_data)

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        if isinstance(self.legacy, NumpyOp):
            grads = [np.zeros(g.shape, g.dtype) for g in in_grad]
            self.legacy.backward([x.asnumpy() for x in out_grad], [x.asnumpy() for x in in_data],
                                 [x.asnumpy() for x in out_data], grads)
            for g, r, v in zip(in_grad, req, grads):
                self.assign(g, r, v)
        else:
            self.legacy.backward(out_grad, in_data, out_data, in_grad)


class NumpyOp(PythonOp):
    """Legacy operator computed on numpy arrays: forward(in_data, out_data) fills out_data."""

    def get_symbol(self, *args, **kwargs):
        return self._symbol(*args, **kwargs)


class NDArrayOp(PythonOp):
    """Legacy operator computed on NDArrays: forward(in_data, out_data) fills out_data."""

    def get_symbol(self, *args, **kwargs):
        return self._symbol(*args, **kwargs)

    def declare_backward_dependency(self, out_grad, in_data, out_data):
        deps = []
        if self.need_top_grad():
            deps.extend(out_grad)
        deps.extend(in_data)
        deps.extend(out_data)
        return deps


# ---- mx.nd.Custom and mx.sym.Custom --------------------------------------------------------------
# Custom's inputs depend on its op_type, and every other keyword is a parameter passed through as
# a string, which the generated functions' fixed signature cannot express; these thin wrappers
# sort arrays/symbols from parameters and call the registry operator.

def _sorted_inputs(data, kwargs, is_input):
    named = {k: kwargs.pop(k) for k in list(kwargs) if is_input(kwargs[k])}
    params = {k: v for k, v in kwargs.items() if v is not None}
    if "op_type" not in params:
        raise TypeError("Custom() requires the keyword argument op_type (a name given to mx.operator.register)")
    if not named:
        return list(data), None, params
    wanted = _op.params_for("Custom", params).input_names
    given = dict(zip(wanted, data))
    for k in named:
        if k not in wanted:
            raise TypeError(f"Custom(op_type={params['op_type']!r}) has no input {k!r}; its inputs are {list(wanted)}")
    given.update(named)
    return list(given.values()), list(given), params


def nd_custom(*data, out=None, name=None, **kwargs):
    """Runs the custom operator op_type on data (its arguments then auxiliary states). Every
    other keyword is passed to the CustomOpProp's constructor as a string."""
    from .ndarray.ndarray import invoke
    inputs, keys, params = _sorted_inputs(data, kwargs, lambda x: isinstance(x, NDArray))
    if keys is not None:
        wanted = _op.params_for("Custom", params).input_names
        missing = [n for n in wanted if n not in keys]
        if missing:
            raise TypeError(f"Custom(op_type={params['op_type']!r}) is missing input(s) {missing}")
        by_name = dict(zip(keys, inputs))
        inputs = [by_name[n] for n in wanted]
    for i, x in enumerate(inputs):
        if not isinstance(x, NDArray):
            raise TypeError(f"Custom(): input {i} must be an NDArray, got {type(x).__name__}")
    return invoke("Custom", inputs, params, out)


def sym_custom(*data, name=None, attr=None, **kwargs):
    """Symbolic Custom: a node running the custom operator op_type (see mx.nd.Custom)."""
    from .symbol.symbol import Symbol, create_op
    inputs, keys, params = _sorted_inputs(data, kwargs, lambda x: isinstance(x, Symbol))
    for i, x in enumerate(inputs):
        if not isinstance(x, Symbol):
            raise TypeError(f"Custom(): input {keys[i] if keys else i} must be a Symbol, got {type(x).__name__}")
    return create_op("Custom", params, inputs, keys, name, attr)


def _install():
    from . import ndarray, symbol
    # Every namespace that holds operator functions gets the wrapper, _internal included, so
    # mx.nd.op.Custom is mx.nd._internal.Custom as for every other operator.
    for fn, mods in ((nd_custom, (ndarray, ndarray.op, ndarray._internal)),
                     (sym_custom, (symbol, symbol.op, symbol._internal))):
        doc = _op.schema("Custom")["doc"]
        fn.__name__ = fn.__qualname__ = "Custom"
        fn.__doc__ = fn.__doc__ + "\n\n" + doc
        for mod in mods:
            mod.Custom = fn


_install()
