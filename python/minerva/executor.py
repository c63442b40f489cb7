"""``mx.executor.Executor``: a symbol bound to arrays (MXNet 1.x API).

Made by ``Symbol.bind`` (your arrays) or ``Symbol.simple_bind`` (arrays allocated from shapes).
``forward`` and ``backward`` queue the work on the engine and return at once; the outputs and
gradient arrays are ordinary NDArrays whose reads wait for it. Intermediate results live in
buffers the executor plans once at bind time (in-place where an operator allows it, dead
buffers reused); ``memory_stats()`` reports that plan, a Minerva addition."""
from __future__ import annotations

import json

import numpy as np

from ._capi import ffi, lib
from .base import MinervaValueError, check_call
from .context import Context, current_context
from .ndarray.ndarray import NDArray, _new_from_handle, dtype_code
from .ndarray.utils import array as _nd_array
from .ndarray.utils import zeros as _nd_zeros
# Re-exported as MXNet's executor module does (its star import gives them).
from . import ndarray  # noqa: E402, F401
from .base import py_str  # noqa: F401

__all__ = ["Executor", "bind", "simple_bind",
           "NDArray", "check_call", "ndarray", "np", "py_str"]  # the last five: as MXNet's star import gives

_GRAD_REQ = {"null": 0, "write": 1, "add": 3}
_NULL = ffi.NULL


def _ctx(ctx) -> Context:
    if ctx is None:
        return current_context()
    return ctx if isinstance(ctx, Context) else Context(ctx)


def _check_req(req) -> str:
    if not isinstance(req, str) or req not in _GRAD_REQ:
        raise ValueError(f"grad_req must be in {_GRAD_REQ}")
    return req


def _grad_reqs(grad_req, names: list) -> list:
    """grad_req as one str, a list parallel to names, or a dict (missing names: 'null')."""
    if isinstance(grad_req, str):
        return [_check_req(grad_req)] * len(names)
    if isinstance(grad_req, (list, tuple)):
        if len(grad_req) != len(names):
            raise ValueError(f"grad_req has {len(grad_req)} entries, but the symbol has {len(names)} "
                             f"arguments {names}")
        return [_check_req(r) for r in grad_req]
    if isinstance(grad_req, dict):
        unknown = sorted(set(grad_req) - set(names))
        if unknown:
            raise ValueError(f"grad_req names {unknown}, which are not arguments of the symbol {names}")
        return [_check_req(grad_req.get(n, "null")) for n in names]
    raise TypeError(f"grad_req must be a str, a list or a dict, got {type(grad_req).__name__}")


def _arrays(arrays, names: list, what: str, allow_missing: bool) -> list:
    """A list (parallel to names) or dict (by name) of NDArrays -> a list parallel to names."""
    if arrays is None:
        if names and not allow_missing:
            raise ValueError(f"Length of {what} does not match the number of arguments")
        return [None] * len(names)
    if isinstance(arrays, (list, tuple)):
        if len(arrays) != len(names):
            raise ValueError(f"Length of {what} does not match the number of arguments")
        out = list(arrays)
    elif isinstance(arrays, dict):
        out = []
        for n in names:
            if n in arrays:
                out.append(arrays[n])
            elif allow_missing:
                out.append(None)
            else:
                raise ValueError(f"key `{n}` is missing in `{what}`")
    else:
        raise TypeError("Only accept list of NDArrays or dict of str to NDArray")
    for a in out:
        if not (isinstance(a, NDArray) or (a is None and allow_missing)):
            raise TypeError("Only accept list of NDArrays or dict of str to NDArray")
    return out


def _handle_array(arrays: list):
    if not arrays or all(a is None for a in arrays):
        return _NULL
    return ffi.new("MVNDArrayHandle[]", [_NULL if a is None else a.handle for a in arrays])


def bind(sym, ctx, args, args_grad=None, grad_req="write", aux_states=None) -> Executor:
    """Symbol.bind: the executor keeps (and returns in arg_arrays...) the arrays you pass."""
    ctx = _ctx(ctx)
    arg_names, aux_names = sym.list_arguments(), sym.list_auxiliary_states()
    args = _arrays(args, arg_names, "args", False)
    grads = _arrays(args_grad, arg_names, "args_grad", True)
    reqs = _grad_reqs(grad_req, arg_names)
    reqs = [r if g is not None else "null" for r, g in zip(reqs, grads)]
    aux = _arrays(aux_states, aux_names, "aux_states", False)
    # Gradients with grad_req null stay the caller's and untouched: the library never sees them.
    c_grads = [g if r != "null" else None for g, r in zip(grads, reqs)]
    out = ffi.new("MVExecutorHandle*")
    check_call(lib.MVExecutorBind(sym.handle, ctx.device_typeid, ctx.device_id, len(args), _handle_array(args),
                                  _handle_array(c_grads), ffi.new("int[]", [_GRAD_REQ[r] for r in reqs]),
                                  len(aux), _handle_array(aux), out))
    return Executor(out[0], sym, ctx, args, grads, reqs, aux)


def _shape_args(shapes: dict):
    keys, ndims, dims = [], [], []
    for k, s in shapes.items():
        if not isinstance(s, (tuple, list)):
            raise TypeError(f"simple_bind: the shape of '{k}' must be a tuple, got {type(s).__name__}")
        keys.append(k)
        ndims.append(len(s))
        dims += [int(d) for d in s]
    return keys, ndims, dims


def simple_bind(sym, ctx, grad_req="write", type_dict=None, stype_dict=None, shared_arg_names=None,
                shared_exec=None, shapes=None) -> Executor:
    """Symbol.simple_bind: infers every shape and dtype from the given ones and allocates the
    arguments, gradients (where grad_req is not null) and auxiliary states (zeros). With
    shared_exec, arguments named in shared_arg_names (default: all) of equal shape and dtype
    are shared with that executor, as Module's bucketing expects."""
    ctx = _ctx(ctx)
    shapes = shapes or {}
    type_dict = type_dict or {}
    for name, stype in (stype_dict or {}).items():
        if stype != "default":
            raise ValueError(f"simple_bind: storage type '{stype}' of '{name}' is not supported; "
                             "Minerva arrays are dense")
    arg_names = sym.list_arguments()
    reqs = _grad_reqs(grad_req, arg_names)
    if shared_exec is not None:
        return _bind_sharing(sym, ctx, reqs, type_dict, shapes, shared_exec, shared_arg_names)
    keys, ndims, dims = _shape_args(shapes)
    keep = [ffi.new("char[]", k.encode()) for k in keys]
    t_keep = [ffi.new("char[]", k.encode()) for k in type_dict]
    if isinstance(grad_req, str):
        req_keys, req_codes, default = [], [], _GRAD_REQ[grad_req]
    else:
        req_keys, req_codes, default = arg_names, [_GRAD_REQ[r] for r in reqs], 0
    r_keep = [ffi.new("char[]", k.encode()) for k in req_keys]
    out = ffi.new("MVExecutorHandle*")
    check_call(lib.MVExecutorSimpleBind(
        sym.handle, ctx.device_typeid, ctx.device_id,
        len(keys), ffi.new("const char*[]", keep), ffi.new("int[]", ndims), ffi.new("int64_t[]", dims),
        len(t_keep), ffi.new("const char*[]", t_keep), ffi.new("int[]", [dtype_code(t) for t in type_dict.values()]),
        len(r_keep), ffi.new("const char*[]", r_keep), ffi.new("int[]", req_codes), default, out))
    exe = Executor(out[0], sym, ctx, None, None, reqs, None)
    return exe


def _bind_sharing(sym, ctx, reqs, type_dict, shapes, shared_exec, shared_arg_names) -> Executor:
    arg_shapes, _, aux_shapes = sym.infer_shape(**shapes)
    if arg_shapes is None:
        raise MinervaValueError(f"simple_bind: the shapes {shapes} do not determine every argument's shape")
    arg_types, _, aux_types = sym.infer_type_partial(**type_dict)
    shared_args = shared_exec.arg_dict
    shared_grads = shared_exec.grad_dict
    names = sym.list_arguments()
    share = set(names if shared_arg_names is None else shared_arg_names)
    args, grads = [], []
    for name, shape, dtype, req in zip(names, arg_shapes, arg_types, reqs):
        dtype = np.dtype(dtype or np.float32)
        old = shared_args.get(name)
        reuse = name in share and old is not None and old.shape == shape and np.dtype(old.dtype) == dtype
        args.append(old if reuse else _nd_zeros(shape, ctx=ctx, dtype=dtype))
        grad = shared_grads.get(name) if reuse else None
        if grad is None and req != "null":
            grad = _nd_zeros(shape, ctx=ctx, dtype=dtype)
        grads.append(grad if req != "null" else None)
    shared_aux = shared_exec.aux_dict
    aux = []
    for name, shape, dtype in zip(sym.list_auxiliary_states(), aux_shapes, aux_types):
        dtype = np.dtype(dtype or np.float32)
        old = shared_aux.get(name)  # auxiliary states (BatchNorm's moving statistics) are shared too
        reuse = old is not None and old.shape == shape and np.dtype(old.dtype) == dtype
        aux.append(old if reuse else _nd_zeros(shape, ctx=ctx, dtype=dtype))
    return bind(sym, ctx, args, grads, reqs, aux)


def _owned_list(fn, handle) -> list:
    num, arr = ffi.new("size_t*"), ffi.new("MVNDArrayHandle**")
    check_call(fn(handle, num, arr))
    return [None if arr[0][i] == _NULL else _new_from_handle(arr[0][i]) for i in range(num[0])]


def _view(arr: NDArray, shape: tuple) -> NDArray:
    """arr's first prod(shape) elements seen with shape (MXNet's down-sizing reshape)."""
    n = int(np.prod(shape, dtype=np.int64))
    flat, part, out = ffi.new("MVNDArrayHandle*"), ffi.new("MVNDArrayHandle*"), ffi.new("MVNDArrayHandle*")
    check_call(lib.MVNDArrayReshape(arr.handle, ffi.new("int64_t[]", [arr.size]), 1, flat))
    flat_arr = _new_from_handle(flat[0])
    check_call(lib.MVNDArraySlice(flat_arr.handle, 0, n, part))
    part_arr = _new_from_handle(part[0])
    check_call(lib.MVNDArrayReshape(part_arr.handle, ffi.new("int64_t[]", list(shape)), len(shape), out))
    return _new_from_handle(out[0])


class Executor:
    """A bound symbol: arg_arrays, grad_arrays, aux_arrays and outputs, with forward/backward."""

    def __init__(self, handle, symbol, ctx: Context, args, grads, reqs: list, aux) -> None:
        self.handle = ffi.gc(handle, lib.MVExecutorFree)
        self._symbol = symbol
        self._ctx = ctx
        self._grad_req = reqs
        self._arg_names = symbol.list_arguments()
        self._aux_names = symbol.list_auxiliary_states()
        self._output_names = symbol.list_outputs()
        self.arg_arrays = args if args is not None else _owned_list(lib.MVExecutorArgArrays, self.handle)
        self.grad_arrays = grads if grads is not None else _owned_list(lib.MVExecutorGradArrays, self.handle)
        self.aux_arrays = aux if aux is not None else _owned_list(lib.MVExecutorAuxArrays, self.handle)
        self.outputs = _owned_list(lib.MVExecutorOutputs, self.handle)
        self._monitor_callback = None
        self._monitor_errors: list = []

    # ---- dictionaries by name -----------------------------------------------------------------
    @property
    def arg_dict(self) -> dict:
        return dict(zip(self._arg_names, self.arg_arrays))

    @property
    def grad_dict(self) -> dict:
        return dict(zip(self._arg_names, self.grad_arrays))

    @property
    def aux_dict(self) -> dict:
        return dict(zip(self._aux_names, self.aux_arrays))

    @property
    def output_dict(self) -> dict:
        return dict(zip(self._output_names, self.outputs))

    # ---- running ------------------------------------------------------------------------------
    def _check(self, rc: int) -> None:
        if self._monitor_errors:
            err = self._monitor_errors.pop()
            self._monitor_errors.clear()
            raise err
        check_call(rc)

    def forward(self, is_train: bool = False, **kwargs) -> list:
        """Copies the keyword arrays (NDArray or numpy) into the arguments of those names, runs
        the graph and returns the outputs. is_train selects training behaviour (Dropout,
        BatchNorm's batch statistics)."""
        arg_dict = self.arg_dict
        for name, value in kwargs.items():
            if not isinstance(value, (NDArray, np.ndarray)):
                raise ValueError("only accept keyword argument of NDArrays and numpy.ndarray")
            if name not in arg_dict:
                raise TypeError(f"Unknown argument {name}")
            target = arg_dict[name]
            if target.shape != value.shape:
                raise ValueError(f"Shape not match! Argument {name}, need: {target.shape}, received: {value.shape}")
            target[:] = value
        self._check(lib.MVExecutorForward(self.handle, int(bool(is_train))))
        self.outputs = _owned_list(lib.MVExecutorOutputs, self.handle)
        return self.outputs

    def backward(self, out_grads=None, is_train: bool = True) -> None:
        """Back-propagates head gradients (one per output; None or missing means ones) into
        the gradient arrays, per grad_req."""
        if out_grads is None:
            grads = []
        elif isinstance(out_grads, (NDArray, np.ndarray)):
            grads = [out_grads]
        elif isinstance(out_grads, dict):
            grads = [out_grads.get(k) for k in self._output_names]
        else:
            grads = list(out_grads)
        grads = [_nd_array(g, ctx=self._ctx) if isinstance(g, np.ndarray) else g for g in grads]
        for g in grads:
            if g is not None and not isinstance(g, NDArray):
                raise TypeError("inputs must be NDArray")
        self._check(lib.MVExecutorBackward(self.handle, len(grads), _handle_array(grads), int(bool(is_train))))

    # ---- parameters ---------------------------------------------------------------------------
    def copy_params_from(self, arg_params: dict, aux_params=None, allow_extra_params: bool = False) -> None:
        """Copies arrays into the arguments and auxiliary states of the same names (converting
        dtypes); a name the symbol lacks is an error unless allow_extra_params."""
        arg_dict, aux_dict = self.arg_dict, self.aux_dict
        for name, value in arg_params.items():
            if name in arg_dict:
                dst = arg_dict[name]
                value.astype(dst.dtype).copyto(dst)
            elif not allow_extra_params:
                raise ValueError(f'Find name "{name}" that is not in the arguments')
        for name, value in (aux_params or {}).items():
            if name in aux_dict:
                dst = aux_dict[name]
                value.astype(dst.dtype).copyto(dst)
            elif not allow_extra_params:
                raise ValueError(f"Find name {name} that is not in the auxiliary states")

    def reshape(self, partial_shaping: bool = False, allow_up_sizing: bool = False, **kwargs) -> Executor:
        """A new executor for new input shapes (keywords). Arrays whose shape is unchanged are
        shared; smaller ones are views on the old memory; larger ones need allow_up_sizing.
        Without partial_shaping, an array whose shape changes without being named is an error."""
        arg_shapes, _, aux_shapes = self._symbol.infer_shape(**kwargs)
        if arg_shapes is None:
            raise MinervaValueError(f"Executor.reshape: the shapes {kwargs} do not determine every argument's shape")
        args, grads, aux = [], [], []
        for name, old, grad, shape in zip(self._arg_names, self.arg_arrays, self.grad_arrays, arg_shapes):
            new = self._resized("arg", name, old, shape, partial_shaping or name in kwargs, allow_up_sizing)
            args.append(new)
            if grad is None:
                grads.append(None)
            elif new is old:
                grads.append(grad)
            elif new.size > old.size:
                grads.append(_nd_zeros(shape, ctx=grad.context, dtype=grad.dtype))
            else:
                grads.append(_view(grad, shape))
        for name, old, shape in zip(self._aux_names, self.aux_arrays, aux_shapes):
            aux.append(self._resized("aux", name, old, shape, partial_shaping or name in kwargs, allow_up_sizing))
        return bind(self._symbol, self._ctx, args, grads, self._grad_req, aux)

    @staticmethod
    def _resized(kind: str, name: str, old: NDArray, shape: tuple, may_change: bool, allow_up_sizing: bool):
        if old.shape == shape:
            return old
        if not may_change:
            raise MinervaValueError(
                f"Shape of unspecified {kind}: {name} changed. This can cause the new executor to not share "
                "parameters with the old one. Please check for error in network. If this is intended, set "
                "partial_shaping=True to suppress this warning.")
        if int(np.prod(shape, dtype=np.int64)) > old.size:
            if not allow_up_sizing:
                raise MinervaValueError(
                    f"New shape of {kind}: {name} is larger than original. First making a big executor and then "
                    "down sizing it is more efficient than the reverse. If you really want to up size, set "
                    "allow_up_sizing=True to enable allocation of new arrays.")
            return _nd_zeros(shape, ctx=old.context, dtype=old.dtype)
        return _view(old, shape)

    # ---- inspection ---------------------------------------------------------------------------
    def set_monitor_callback(self, callback, monitor_all: bool = False) -> None:
        """Calls callback(name, array) after every node of forward and backward, with names
        "<node>_<output>" and the array (a view valid during the call: copy it to keep it).
        An exception raised by callback ends the forward/backward call and is re-raised there.
        monitor_all (MXNet: inputs too) is accepted; Minerva reports node outputs only.
        callback None removes the monitor."""
        if callback is None:
            self._monitor_callback = None
            check_call(lib.MVExecutorSetMonitorCallback(self.handle, _NULL, _NULL))
            return
        errors = self._monitor_errors

        def trampoline(c_name, handle, _user_data):
            try:
                view = ffi.new("MVNDArrayHandle*")
                check_call(lib.MVNDArrayDetach(handle, view))
                callback(ffi.string(c_name).decode(), _new_from_handle(view[0]))
                return 0
            except BaseException as e:  # noqa: B036 - carried to the caller of forward/backward
                errors.append(e)
                return 1

        # The cffi callback must outlive every call that may use it: the executor holds it.
        self._monitor_callback = ffi.callback("MVMonitorCallback", trampoline)
        check_call(lib.MVExecutorSetMonitorCallback(self.handle, self._monitor_callback, _NULL))

    def memory_stats(self) -> dict:
        """Minerva-specific: the executor's memory plan. planned_bytes (buffers allocated for
        intermediate results), unplanned_bytes (what one buffer per result would take),
        num_buffers, num_entries and num_inplace (results written over their input)."""
        out = ffi.new("const char**")
        check_call(lib.MVExecutorGetMemoryStats(self.handle, out))
        return json.loads(ffi.string(out[0]).decode())

    def debug_str(self) -> str:
        """A readable listing: outputs, every node with its inputs and attributes, the bound
        arrays and the memory plan."""
        graph = json.loads(self._symbol.tojson())
        nodes = graph["nodes"]

        def entry(e):
            return f"{nodes[e[0]]['name']}({e[1]})"

        lines = ["Symbol Outputs:"]
        lines += [f"\toutput[{i}]={entry(h)}" for i, h in enumerate(graph["heads"])]
        for node in nodes:
            if node["op"] == "null":
                lines.append(f"Variable:{node['name']}")
                continue
            lines += ["--------------------", f"Op:{node['op']}, Name={node['name']}", "Inputs:"]
            lines += [f"\targ[{i}]={entry(e)}" for i, e in enumerate(node["inputs"])]
            attrs = node.get("attrs") or {}
            if attrs:
                lines.append("Attrs:")
                lines += [f"\t{k}={v}" for k, v in attrs.items()]
        lines.append("--------------------")
        for title, names, arrays in (("Arguments", self._arg_names, self.arg_arrays),
                                     ("Gradients", self._arg_names, self.grad_arrays),
                                     ("Auxiliary states", self._aux_names, self.aux_arrays)):
            lines.append(f"{title}:")
            lines += [f"\t{n}: {'-' if a is None else a.shape} {'' if a is None else np.dtype(a.dtype).name}"
                      for n, a in zip(names, arrays)]
        stats = self.memory_stats()
        lines.append(f"Memory plan: {stats['planned_bytes']} bytes in {stats['num_buffers']} buffers for "
                     f"{stats['num_entries']} intermediate results ({stats['unplanned_bytes']} bytes unplanned, "
                     f"{stats['num_inplace']} in place)")
        lines.append(f"Total {stats['planned_bytes'] / 2 ** 20:.0f} MB allocated")
        return "\n".join(lines)
