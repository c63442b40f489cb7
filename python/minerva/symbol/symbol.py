"""``mx.sym.Symbol``: a handle to a symbolic graph in libminerva, with MXNet 1.x's Python API.

A Symbol names the outputs of a graph of operator and variable nodes. It is immutable except
for user attributes: composing (``sym(data=x)``) and every operator return new symbols that
share the untouched nodes."""
from __future__ import annotations

import json
import numbers
import os
import warnings

import numpy as np

from .. import _op
from .._capi import ffi, lib
from ..attribute import AttrScope
from ..base import NotImplementedForSymbol, check_call
from ..name import NameManager
from ..ndarray.ndarray import DTYPE_CODE_TO_NP, dtype_code

# mxnet.symbol.symbol's namespace (scripts import these from it); its creation and arithmetic
# functions are defined in the package's __init__, after the operators, and bound here from there.
from ..base import MXNetError, integer_types, numeric_types, py_str, string_types  # noqa: F401
from ..context import Context, current_context  # noqa: F401
from ..executor import Executor  # noqa: F401
from ..ndarray import NDArray  # noqa: F401
from ..util import is_np_shape  # noqa: F401

__all__ = ["Symbol", "Group", "Variable", "create_op", "load", "load_json", "var"]

_NULL = ffi.NULL


def _c_strings(strings):
    """(keep-alive list, const char*[]) for a list of Python strings."""
    keep = [ffi.new("char[]", s.encode()) for s in strings]
    return keep, ffi.new("const char*[]", keep)


def _read_strings(num, names) -> list:
    return [ffi.string(names[0][i]).decode() for i in range(num[0])]


def _new(handle) -> Symbol:
    return Symbol(handle)


def _handles(symbols, what: str):
    for s in symbols:
        if not isinstance(s, Symbol):
            raise TypeError(f"{what} expects Symbols, got {type(s).__name__}")
    return ffi.new("MVSymbolHandle[]", [s.handle for s in symbols]) if symbols else _NULL


# Namespaces whose functions MXNet names nodes after without the prefix (mx.sym.contrib.MultiBoxPrior
# makes "multiboxprior0", mx.sym.linalg.gemm2 "gemm20"); mx.sym.random's go through _internal.
_NAME_HINT_PREFIXES = ("_contrib_", "_linalg_", "_image_")


def _name_hint(op: str) -> str:
    for prefix in _NAME_HINT_PREFIXES:
        if op.startswith(prefix):
            return op[len(prefix):].lower()
    return op.lower()


def create_op(op: str, params: dict, args: list, keys, name, attr) -> Symbol:
    """The node of operator op (called by this name: an alias names nodes after itself, as in
    MXNet) applied to args, given by position (keys None) or by input name. Inputs not given
    become variables "<name>_<input>". The name comes from the current NameManager, the user
    attributes from the current AttrScope updated with attr."""
    name = NameManager.current.get(name, _name_hint(op))
    attr = AttrScope.current.get(attr)
    params_h = _op.params_for(op, params)
    keep, c_keys = _c_strings(keys) if keys is not None else ([], _NULL)
    out = ffi.new("MVSymbolHandle*")
    check_call(lib.MVSymbolCreateOp(params_h.handle, name.encode(), len(args), c_keys,
                                    _handles(args, op), out))
    sym = _new(out[0])
    if attr:
        sym._set_attr(**attr)
        # MXNet gives the variables made for missing inputs (fc1_weight) the node's attributes
        # too, which is how AttrScope(ctx_group=...) and attr={'__lr_mult__': ...} reach weights.
        given = set(keys) if keys is not None else set(params_h.input_names[:len(args)])
        missing = [i for i, n in enumerate(params_h.input_names) if n not in given]
        if missing:
            children = sym.get_children()
            for i in missing:
                children[i]._set_attr(**attr)
    return sym


class Symbol:
    """Outputs of a symbolic graph. Build with ``mx.sym.var`` and the operator functions of
    ``mx.sym``; run with ``bind``/``simple_bind`` (an Executor) or ``eval``."""
    __slots__ = ("__weakref__", "handle")
    __array_priority__ = 1000.0  # numpy scalars defer to our reflected operators
    __hash__ = None  # == builds a comparison node, so symbols are unhashable, as in MXNet

    def __init__(self, handle) -> None:
        self.handle = ffi.gc(handle, lib.MVSymbolFree)

    # ---- python protocol ----------------------------------------------------------------------
    def __repr__(self) -> str:
        name = self.name
        if name is None:
            return "<Symbol group [" + ", ".join(str(s.name) for s in self) + "]>"
        return f"<Symbol {name}>"

    def __len__(self) -> int:
        n = ffi.new("size_t*")
        check_call(lib.MVSymbolGetNumOutputs(self.handle, n))
        return n[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __getitem__(self, index) -> Symbol:
        """Output index (an int, or an output name such as 'fc1_output'); a slice groups."""
        if isinstance(index, str):
            matches = [i for i, n in enumerate(self.list_outputs()) if n == index]
            if not matches:
                raise ValueError(f'Cannot find output that matches name "{index}"')
            if len(matches) > 1:
                raise ValueError(f'There are multiple outputs with name "{index}"')
            index = matches[0]
        if isinstance(index, slice):
            return Group([self[i] for i in range(*index.indices(len(self)))])
        if not isinstance(index, (numbers.Integral, np.integer)):
            raise TypeError("Symbol only support integer index to fetch i-th output")
        n = len(self)
        i = int(index)
        if not -n <= i < n:
            raise IndexError(f"output index {i} is out of range for a symbol with {n} outputs")
        out = ffi.new("MVSymbolHandle*")
        check_call(lib.MVSymbolGetOutput(self.handle, i % n, out))
        return _new(out[0])

    def __bool__(self):
        raise NotImplementedForSymbol("__bool__", "bool")

    def __copy__(self) -> Symbol:
        out = ffi.new("MVSymbolHandle*")
        check_call(lib.MVSymbolCopy(self.handle, out))
        return _new(out[0])

    def __deepcopy__(self, memo=None) -> Symbol:
        return self.__copy__()

    def copy(self) -> Symbol:
        return self.__copy__()

    def __getstate__(self):
        return {"handle": self.tojson()}

    def __setstate__(self, state) -> None:
        out = ffi.new("MVSymbolHandle*")
        check_call(lib.MVSymbolCreateFromJSON(state["handle"].encode(), out))
        self.handle = ffi.gc(out[0], lib.MVSymbolFree)

    # ---- composition --------------------------------------------------------------------------
    def __call__(self, *args, **kwargs) -> Symbol:
        """A new symbol with free variables replaced: by position (list_arguments order) or by
        variable name (``net(data=x)``)."""
        s = self.__copy__()
        s._compose(*args, **kwargs)
        return s

    def _compose(self, *args, **kwargs) -> None:
        """Replaces this symbol's free variables in place (self becomes the composed graph)."""
        kwargs.pop("name", None)  # MXNet renames a single composed node; no ABI call does that
        if args and kwargs:
            raise TypeError("compose only accept input Symbols either as positional or keyword arguments, not both")
        values = list(args) if args else list(kwargs.values())
        for v in values:
            if not isinstance(v, Symbol):
                raise TypeError("Compose expect `Symbol` as arguments")
        keep, c_keys = _c_strings(list(kwargs)) if kwargs else ([], _NULL)
        out = ffi.new("MVSymbolHandle*")
        check_call(lib.MVSymbolCompose(self.handle, len(values), c_keys, _handles(values, "compose"), out))
        self.handle = ffi.gc(out[0], lib.MVSymbolFree)

    # ---- names and attributes -----------------------------------------------------------------
    @property
    def name(self):
        """The single output's node name; None for a group."""
        out, ok = ffi.new("const char**"), ffi.new("int*")
        check_call(lib.MVSymbolGetName(self.handle, out, ok))
        return ffi.string(out[0]).decode() if ok[0] else None

    def attr(self, key: str):
        """An attribute (operator parameter or user attribute) of the single output node, or None."""
        out, ok = ffi.new("const char**"), ffi.new("int*")
        check_call(lib.MVSymbolGetAttr(self.handle, key.encode(), out, ok))
        return ffi.string(out[0]).decode() if ok[0] else None

    def _list_attr(self, recursive: int) -> list:
        num, kv = ffi.new("size_t*"), ffi.new("const char***")
        check_call(lib.MVSymbolListAttr(self.handle, recursive, num, kv))
        flat = [ffi.string(kv[0][i]).decode() for i in range(2 * num[0])]
        return list(zip(flat[0::2], flat[1::2]))

    def list_attr(self, recursive: bool = False) -> dict:
        """The single output node's attributes (given parameters and user attributes)."""
        if recursive:
            raise DeprecationWarning("Symbol.list_attr with recursive=True has been deprecated. "
                                     "Please use attr_dict instead.")
        return dict(self._list_attr(0))

    def attr_dict(self) -> dict:
        """node name -> that node's attributes, for every node of the graph that has any."""
        out: dict = {}
        for key, value in self._list_attr(1):
            node, _, attr = key.rpartition("$")
            out.setdefault(node, {})[attr] = value
        return out

    def _set_attr(self, **kwargs) -> None:
        """Sets user attributes (string values) on the output nodes."""
        for key, value in kwargs.items():
            if not isinstance(value, str):
                raise ValueError("Set Attr only accepts string values")
            check_call(lib.MVSymbolSetAttr(self.handle, key.encode(), value.encode()))

    # ---- listings -----------------------------------------------------------------------------
    def _names(self, fn) -> list:
        num, names = ffi.new("size_t*"), ffi.new("const char***")
        check_call(fn(self.handle, num, names))
        return _read_strings(num, names)

    def list_arguments(self) -> list:
        return self._names(lib.MVSymbolListArguments)

    def list_outputs(self) -> list:
        return self._names(lib.MVSymbolListOutputs)

    def list_auxiliary_states(self) -> list:
        return self._names(lib.MVSymbolListAuxiliaryStates)

    def list_inputs(self) -> list:
        return self._names(lib.MVSymbolListInputs)

    def get_internals(self) -> Symbol:
        """Every output of every node, as one grouped symbol (index it by 'fc1_output')."""
        out = ffi.new("MVSymbolHandle*")
        check_call(lib.MVSymbolGetInternals(self.handle, out))
        return _new(out[0])

    def get_children(self):
        """The inputs of the output nodes, grouped; None for a variable."""
        out = ffi.new("MVSymbolHandle*")
        check_call(lib.MVSymbolGetChildren(self.handle, out))
        children = _new(out[0])
        return children if len(children) else None

    # ---- inference ----------------------------------------------------------------------------
    def _known(self, what: str, args: tuple, kwargs: dict) -> dict:
        if args and kwargs:
            raise ValueError(f"Can only specify known argument {what} either by positional or kwargs way.")
        if not args:
            return {k: v for k, v in kwargs.items() if v is not None}
        names = self.list_arguments()
        if len(args) > len(names):
            raise ValueError(f"{len(args)} positional {what} given for {len(names)} arguments {names}")
        return {n: v for n, v in zip(names, args) if v is not None}

    def _infer_shape_impl(self, args: tuple, kwargs: dict) -> dict:
        known = self._known("shapes", args, kwargs)
        keys, ndims, dims = [], [], []
        for k, s in known.items():
            if isinstance(s, (numbers.Integral, np.integer)):
                s = (s,)
            if not isinstance(s, (tuple, list)):
                raise TypeError(f"Arguments need to be shapes (tuple), but argument {k} is {type(s)}.")
            keys.append(k)
            ndims.append(len(s))
            dims += [int(d) for d in s]
        keep, c_keys = _c_strings(keys)
        out = ffi.new("const char**")
        check_call(lib.MVSymbolInferShape(self.handle, len(keys), c_keys, ffi.new("int[]", ndims),
                                          ffi.new("int64_t[]", dims), 1, out))
        res = json.loads(ffi.string(out[0]).decode())
        return {k: [tuple(s) for s in res[k]] for k in ("arg_shapes", "out_shapes", "aux_shapes")} | \
            {"complete": res["complete"]}

    def infer_shape(self, *args, **kwargs):
        """(arg_shapes, out_shapes, aux_shapes) from some known shapes, given by position
        (list_arguments order, None for unknown) or by name; (None, None, None) with a warning
        when they do not determine every shape."""
        res = self._infer_shape_impl(args, kwargs)
        if not res["complete"]:
            unknown = [f"{n}: {s}" for n, s in zip(self.list_arguments(), res["arg_shapes"])
                       if not s or 0 in s]
            warnings.warn("Cannot decide shape for the following arguments (0s in shape means unknown "
                          "dimensions). Consider providing them as input:\n\t" + "\n\t".join(unknown),
                          stacklevel=2)
            return None, None, None
        return res["arg_shapes"], res["out_shapes"], res["aux_shapes"]

    def infer_shape_partial(self, *args, **kwargs):
        """As infer_shape, but unknown shapes come back as () instead of giving up."""
        res = self._infer_shape_impl(args, kwargs)
        return res["arg_shapes"], res["out_shapes"], res["aux_shapes"]

    def _infer_type_impl(self, args: tuple, kwargs: dict) -> dict:
        known = self._known("types", args, kwargs)
        keep, c_keys = _c_strings(list(known))
        codes = [dtype_code(v) for v in known.values()]
        out = ffi.new("const char**")
        check_call(lib.MVSymbolInferType(self.handle, len(codes), c_keys, ffi.new("int[]", codes), 1, out))
        res = json.loads(ffi.string(out[0]).decode())
        return {k: [None if c < 0 else DTYPE_CODE_TO_NP[c] for c in res[k]]
                for k in ("arg_types", "out_types", "aux_types")} | {"complete": res["complete"]}

    def infer_type(self, *args, **kwargs):
        """(arg_types, out_types, aux_types) as numpy types from some known dtypes;
        (None, None, None) with a warning when they do not determine every type."""
        res = self._infer_type_impl(args, kwargs)
        if not res["complete"]:
            unknown = [f"{n}: {t}" for n, t in zip(self.list_arguments(), res["arg_types"]) if t is None]
            warnings.warn("Cannot decide type for the following arguments. Consider providing them as input:"
                          "\n\t" + "\n\t".join(unknown), stacklevel=2)
            return None, None, None
        return res["arg_types"], res["out_types"], res["aux_types"]

    def infer_type_partial(self, *args, **kwargs):
        """As infer_type, but unknown types come back as None instead of giving up."""
        res = self._infer_type_impl(args, kwargs)
        return res["arg_types"], res["out_types"], res["aux_types"]

    # ---- serialisation ------------------------------------------------------------------------
    def tojson(self, remove_amp_cast: bool = True) -> str:
        """The graph as MXNet 1.x symbol JSON (what ``-symbol.json`` files hold)."""
        out = ffi.new("const char**")
        check_call(lib.MVSymbolSaveToJSON(self.handle, out))
        return ffi.string(out[0]).decode()

    def save(self, fname, remove_amp_cast: bool = True) -> None:
        """Writes tojson() to fname atomically."""
        if not isinstance(fname, (str, os.PathLike)):
            raise TypeError("fname required to be a string")
        check_call(lib.MVSymbolSaveToFile(self.handle, os.fsencode(fname)))

    # ---- execution ----------------------------------------------------------------------------
    def bind(self, ctx, args, args_grad=None, grad_req="write", aux_states=None, group2ctx=None,
             shared_exec=None):
        """An Executor on the given arrays (lists in list_arguments order, or dicts by name)."""
        from ..executor import bind
        return bind(self, ctx, args, args_grad, grad_req, aux_states)

    def simple_bind(self, ctx, grad_req="write", type_dict=None, stype_dict=None, group2ctx=None,
                    shared_arg_names=None, shared_exec=None, shared_buffer=None, **kwargs):
        """An Executor with arrays allocated from the input shapes given as keywords."""
        from ..executor import simple_bind
        return simple_bind(self, ctx, grad_req, type_dict, stype_dict, shared_arg_names, shared_exec, kwargs)

    def eval(self, ctx=None, **kwargs):
        """Binds the keyword arrays and runs forward once; returns the list of outputs."""
        return self.bind(current_context() if ctx is None else ctx, kwargs).forward()

    def split_v2(self, *args, **kwargs):
        """mx.sym.split_v2 on this symbol."""
        from .split_v2 import split_v2
        return split_v2(self, *args, **kwargs)

    def astype(self, dtype, **kwargs) -> Symbol:
        from . import _internal
        return _internal.cast(self, dtype=dtype, **kwargs)

    # ---- NDArray-only methods -----------------------------------------------------------------
    def _ndarray_only(self, what: str):
        raise NotImplementedForSymbol(what, what)

    def asnumpy(self):
        self._ndarray_only("asnumpy")

    def asscalar(self):
        self._ndarray_only("asscalar")

    def wait_to_read(self):
        self._ndarray_only("wait_to_read")

    def backward(self, *args, **kwargs):
        self._ndarray_only("backward")

    def detach(self):
        self._ndarray_only("detach")

    def as_in_context(self, *args):
        self._ndarray_only("as_in_context")


# ---- arithmetic: the operators MXNet 1.x's Symbol uses (and so its node names: _plus0) ------------
def _op_fn(name: str):
    from . import _internal
    return getattr(_internal, name)


def _binary(sym_op: str, scalar_op: str):
    def method(self, other):
        if isinstance(other, Symbol):
            return _op_fn(sym_op)(self, other)
        if isinstance(other, (numbers.Number, np.generic)):
            return _op_fn(scalar_op)(self, scalar=other)
        raise TypeError(f"type {type(other)} not supported")
    return method


def _reflected(rscalar_op: str):
    def method(self, other):
        if isinstance(other, (numbers.Number, np.generic)):
            return _op_fn(rscalar_op)(self, scalar=other)
        raise TypeError(f"type {type(other)} not supported")
    return method


for _py, _sym, _scalar, _rscalar in [("add", "_Plus", "_PlusScalar", "_PlusScalar"),
                                     ("sub", "_Minus", "_MinusScalar", "_RMinusScalar"),
                                     ("mul", "_Mul", "_MulScalar", "_MulScalar"),
                                     ("truediv", "_Div", "_DivScalar", "_RDivScalar"),
                                     ("mod", "_Mod", "_ModScalar", "_RModScalar"),
                                     ("pow", "_Power", "_PowerScalar", "_rpower_scalar")]:
    setattr(Symbol, f"__{_py}__", _binary(_sym, _scalar))
    setattr(Symbol, f"__r{_py}__", _reflected(_rscalar))

for _py, _sym in [("eq", "_equal"), ("ne", "_not_equal"), ("gt", "_greater"), ("ge", "_greater_equal"),
                  ("lt", "_lesser"), ("le", "_lesser_equal")]:
    setattr(Symbol, f"__{_py}__", _binary(_sym, _sym + "_scalar"))


def _neg(self) -> Symbol:
    return _op_fn("_MulScalar")(self, scalar=-1.0)


def _abs(self) -> Symbol:
    return _op_fn("abs")(self)


Symbol.__neg__ = _neg
Symbol.__abs__ = _abs


# ---- constructors -----------------------------------------------------------------------------
_STORAGE_TYPES = {"default": 0, "row_sparse": 1, "csr": 2}


def var(name: str, attr=None, shape=None, lr_mult=None, wd_mult=None, dtype=None, init=None, stype=None,
        **kwargs) -> Symbol:
    """A free variable, with MXNet's user attributes: __shape__, __lr_mult__, __wd_mult__,
    __dtype__ (the type code), __init__ (an initializer's dumps() or a string) and
    __storage_type__. Further attributes must be spelled __like_this__."""
    if not isinstance(name, str):
        raise TypeError("Expect a string for variable `name`")
    out = ffi.new("MVSymbolHandle*")
    check_call(lib.MVSymbolCreateVariable(name.encode(), out))
    sym = _new(out[0])
    attrs = AttrScope.current.get(attr)
    if shape is not None:
        attrs["__shape__"] = str(shape)
    if lr_mult is not None:
        attrs["__lr_mult__"] = str(lr_mult)
    if wd_mult is not None:
        attrs["__wd_mult__"] = str(wd_mult)
    if dtype is not None:
        attrs["__dtype__"] = str(dtype_code(dtype))
    if init is not None:
        attrs["__init__"] = init if isinstance(init, str) else init.dumps()
    if stype is not None:
        if stype not in _STORAGE_TYPES:
            raise ValueError(f"unknown storage type '{stype}'; expected one of {sorted(_STORAGE_TYPES)}")
        attrs["__storage_type__"] = str(_STORAGE_TYPES[stype])
    for key, value in kwargs.items():
        if not (key.startswith("__") and key.endswith("__")):
            raise ValueError(f"Attribute name={key} is not supported. Additional attributes must start and end "
                             "with double underscores, e.g, __yourattr__")
        attrs[key] = str(value)
    sym._set_attr(**attrs)
    return sym


Variable = var


def Group(symbols, create_fn=Symbol) -> Symbol:
    """One symbol whose outputs are the outputs of all the given symbols, in order. ``create_fn``
    makes the result from the new symbol's handle, which it then owns:
    a subclass of Symbol gives a group of that class."""
    symbols = list(symbols) if isinstance(symbols, (list, tuple)) else None
    if not symbols or any(not isinstance(s, Symbol) for s in symbols):
        raise TypeError("Expected a list of symbols as input")
    out = ffi.new("MVSymbolHandle*")
    check_call(lib.MVSymbolCreateGroup(len(symbols), _handles(symbols, "Group"), out))
    return create_fn(out[0])


def load(fname) -> Symbol:
    """Reads a symbol file (``-symbol.json``, written by MXNet or by Symbol.save)."""
    if not isinstance(fname, (str, os.PathLike)):
        raise TypeError("fname required to be string")
    out = ffi.new("MVSymbolHandle*")
    check_call(lib.MVSymbolCreateFromFile(os.fsencode(fname), out))
    return _new(out[0])


def load_json(json_str: str) -> Symbol:
    """Reads a symbol from MXNet symbol JSON text."""
    if not isinstance(json_str, str):
        raise TypeError("fname required to be string")
    out = ffi.new("MVSymbolHandle*")
    check_call(lib.MVSymbolCreateFromJSON(json_str.encode(), out))
    return _new(out[0])
