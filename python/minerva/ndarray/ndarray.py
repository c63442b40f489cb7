"""``mx.nd.NDArray``: a handle to an array in libminerva, with MXNet 1.x's Python API."""
from __future__ import annotations

import numbers

import numpy as np

from .. import _op
from .._capi import ffi, lib
from ..base import MinervaError, MinervaTypeError, MinervaValueError, check_call
from ..context import Context, current_context

__all__ = ["DTYPE_CODE_TO_NP", "DTYPE_NP_TO_CODE", "NDArray", "empty", "invoke", "waitall"]

DTYPE_CODE_TO_NP = {0: np.float32, 1: np.float64, 2: np.float16, 3: np.uint8, 4: np.int32, 5: np.int8,
                    6: np.int64, 7: np.bool_}
DTYPE_NP_TO_CODE = {np.dtype(v): k for k, v in DTYPE_CODE_TO_NP.items()}


def dtype_code(dtype) -> int:
    if dtype is None:
        return 0
    try:
        return DTYPE_NP_TO_CODE[np.dtype(dtype)]
    except (KeyError, TypeError):
        raise TypeError(f"unsupported dtype {dtype!r}; expected one of "
                        f"{[np.dtype(v).name for v in DTYPE_CODE_TO_NP.values()]}") from None


def _new_from_handle(h) -> NDArray:
    arr = NDArray.__new__(NDArray)
    arr.handle = ffi.gc(h, lib.MVNDArrayFree)
    arr.writable = True
    return arr


# The type cffi gives a handle that already has a destructor (every NDArray's ``handle``).
_OWNED_HANDLE = type(ffi.gc(ffi.new("int*"), lambda _: None))


def invoke(op: str, inputs, kwargs=None, out=None):
    """Runs a registered operator on NDArrays; returns an NDArray or a list (several outputs)."""
    params = _op.params_for(op, kwargs or {})
    in_handles = [x.handle for x in inputs]
    if out is not None:
        outs = out if isinstance(out, (list, tuple)) else [out]
        _op.invoke_handles(op, params, in_handles, [o.handle for o in outs])
        return out
    res = _op.invoke_handles(op, params, in_handles, None)
    if len(res) == 1:
        return _new_from_handle(res[0])
    return [_new_from_handle(h) for h in res]


def empty(shape, ctx=None, dtype=None) -> NDArray:
    """An array of the given shape (zero-filled: Minerva never hands out stale memory)."""
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    shape = tuple(int(s) for s in shape)
    ctx = ctx if ctx is not None else current_context()
    if not isinstance(ctx, Context):
        ctx = Context(ctx)
    out = ffi.new("MVNDArrayHandle*")
    c_shape = ffi.new("int64_t[]", shape) if shape else ffi.NULL
    check_call(lib.MVNDArrayCreate(c_shape, len(shape), dtype_code(dtype), ctx.device_typeid, ctx.device_id, out))
    return _new_from_handle(out[0])


def waitall() -> None:
    check_call(lib.MVNDArrayWaitAll())


def _as_nd(value, ctx, dtype) -> NDArray:
    from .utils import array
    return value if isinstance(value, NDArray) else array(value, ctx=ctx, dtype=dtype)


class NDArray:
    """A multi-dimensional array on a device; operations run asynchronously on the engine."""
    __slots__ = ("__weakref__", "handle", "writable")
    __array_priority__ = 1000.0  # numpy defers to our reflected operators

    def __init__(self, handle, writable=True):
        """Wraps ``handle``, an ``MVNDArrayHandle`` of the C ABI, as MXNet's ``NDArray(handle)``
        wraps one of its C API: a handle fresh from a C call becomes this array's, freed when the
        array is collected. Another array's ``handle`` is shared, not freed twice. ``writable=False``
        makes in-place arithmetic (``+=``...) raise ValueError, as in MXNet."""
        if not isinstance(handle, ffi.CData) or ffi.typeof(handle) is not ffi.typeof("MVNDArrayHandle"):
            raise TypeError(f"NDArray(handle): handle must be an MVNDArrayHandle, got {type(handle).__name__}")
        if handle == ffi.NULL:
            raise ValueError("NDArray(handle): handle is NULL")
        self.handle = handle if type(handle) is _OWNED_HANDLE else ffi.gc(handle, lib.MVNDArrayFree)
        self.writable = bool(writable)

    # ---- properties -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        ndim = ffi.new("int*")
        dims = ffi.new("const int64_t**")
        check_call(lib.MVNDArrayGetShape(self.handle, ndim, dims))
        return tuple(dims[0][i] for i in range(ndim[0]))

    @property
    def dtype(self):
        code = ffi.new("int*")
        check_call(lib.MVNDArrayGetDType(self.handle, code))
        return DTYPE_CODE_TO_NP[code[0]]

    @property
    def context(self) -> Context:
        t, i = ffi.new("int*"), ffi.new("int*")
        check_call(lib.MVNDArrayGetContext(self.handle, t, i))
        return Context(t[0], i[0])

    ctx = context

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def stype(self) -> str:
        return "default"

    @property
    def T(self) -> NDArray:
        return invoke("transpose", [self])

    @property
    def grad(self):
        out = ffi.new("MVNDArrayHandle*")
        check_call(lib.MVNDArrayGetGrad(self.handle, out))
        return None if out[0] == ffi.NULL else _new_from_handle(out[0])

    # ---- conversion -------------------------------------------------------------------------
    def asnumpy(self) -> np.ndarray:
        out = np.empty(self.shape, dtype=self.dtype)
        check_call(lib.MVNDArraySyncCopyToCPU(self.handle, ffi.from_buffer(out), out.nbytes))
        return out

    def asscalar(self):
        if self.size != 1:
            raise ValueError(f"asscalar needs an array of size 1, got shape {self.shape}")
        return self.asnumpy().reshape(())[()]

    def __array__(self, dtype=None, copy=None):
        a = self.asnumpy()
        return a if dtype is None else a.astype(dtype)

    def astype(self, dtype, copy: bool = True) -> NDArray:
        if not copy and np.dtype(dtype) == np.dtype(self.dtype):
            return self
        return invoke("Cast", [self], {"dtype": np.dtype(dtype).name})

    def copy(self) -> NDArray:
        return self.copyto(self.context)

    def copyto(self, other):
        if isinstance(other, Context):
            target = empty(self.shape, ctx=other, dtype=self.dtype)
        elif isinstance(other, NDArray):
            if other.handle == self.handle:
                return other
            target = other
        else:
            raise TypeError(f"copyto expects an NDArray or a Context, got {type(other).__name__}")
        check_call(lib.MVNDArrayCopyTo(self.handle, target.handle))
        return target

    def as_in_context(self, context: Context) -> NDArray:
        return self if self.context == context else self.copyto(context)

    as_in_ctx = as_in_context

    def tostype(self, stype: str) -> NDArray:
        if stype != "default":
            raise MinervaError(f"storage type '{stype}' is not supported; Minerva arrays are dense")
        return self

    def detach(self) -> NDArray:
        out = ffi.new("MVNDArrayHandle*")
        check_call(lib.MVNDArrayDetach(self.handle, out))
        return _new_from_handle(out[0])

    # ---- synchronisation --------------------------------------------------------------------
    def wait_to_read(self) -> None:
        check_call(lib.MVNDArrayWaitToRead(self.handle))

    def wait_to_write(self) -> None:
        check_call(lib.MVNDArrayWaitToWrite(self.handle))

    # ---- autograd ---------------------------------------------------------------------------
    def attach_grad(self, grad_req: str = "write", stype=None) -> None:
        from ..autograd import mark_variables
        mark_variables([self], [empty(self.shape, ctx=self.context, dtype=self.dtype)], grad_req)

    def backward(self, out_grad=None, retain_graph: bool = False, train_mode: bool = True) -> None:
        from ..autograd import backward
        backward([self], None if out_grad is None else [out_grad], retain_graph, train_mode)

    # ---- shape views ------------------------------------------------------------------------
    def reshape(self, *shape, **kwargs) -> NDArray:
        if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = tuple(shape[0])
        shape = kwargs.pop("shape", shape)
        reverse = kwargs.pop("reverse", False)
        if kwargs:
            raise TypeError(f"reshape got unexpected arguments {sorted(kwargs)}")
        from ..autograd import is_recording
        if is_recording() or reverse or any(s < -1 for s in shape):
            return invoke("Reshape", [self], {"shape": tuple(shape), "reverse": reverse})
        src = self.shape
        target = [src[i] if s == 0 else s for i, s in enumerate(shape)]
        if -1 in target:
            known = int(np.prod([t for t in target if t != -1], dtype=np.int64))
            if target.count(-1) > 1 or known == 0 or self.size % known:
                raise MinervaError(f"cannot reshape array of shape {src} into {tuple(shape)}")
            target[target.index(-1)] = self.size // known
        out = ffi.new("MVNDArrayHandle*")
        check_call(lib.MVNDArrayReshape(self.handle, ffi.new("int64_t[]", target), len(target), out))
        return _new_from_handle(out[0])

    def reshape_like(self, other: NDArray) -> NDArray:
        return self.reshape(other.shape)

    def split_v2(self, *args, **kwargs):
        """mx.nd.split_v2 on this array."""
        from .split_v2 import split_v2
        return split_v2(self, *args, **kwargs)

    def _slice(self, start: int, stop: int) -> NDArray:
        out = ffi.new("MVNDArrayHandle*")
        check_call(lib.MVNDArraySlice(self.handle, start, stop, out))
        return _new_from_handle(out[0])

    def _at(self, index: int) -> NDArray:
        out = ffi.new("MVNDArrayHandle*")
        check_call(lib.MVNDArrayAt(self.handle, index, out))
        return _new_from_handle(out[0])

    # ---- indexing ---------------------------------------------------------------------------
    def __getitem__(self, key):
        from ..autograd import is_recording
        shape = self.shape
        if isinstance(key, (numbers.Integral, np.integer)):
            k = int(key)
            if not -shape[0] <= k < shape[0]:
                raise IndexError(f"index {k} is out of bounds for axis 0 with size {shape[0]}")
            k = k + shape[0] if k < 0 else k
            if is_recording():
                return invoke("slice_axis", [self], {"axis": 0, "begin": k, "end": k + 1}).reshape(
                    shape[1:] or (1,))
            return self._at(k)
        if isinstance(key, slice) and key.step in (None, 1):
            start, stop, _ = key.indices(shape[0])
            stop = max(start, stop)
            if is_recording():
                return invoke("slice_axis", [self], {"axis": 0, "begin": start, "end": stop})
            return self._slice(start, stop)
        if isinstance(key, NDArray):
            # gather_nd along axis 0, as MXNet: negative indices count from the end, others out of
            # [-n, n) raise IndexError (when the result is read: the indices live on the device).
            return invoke("gather_nd", [self, key.reshape((1,) + key.shape)])
        if isinstance(key, (list, np.ndarray)) and np.asarray(key).dtype != np.bool_:
            idx = np.asarray(key).astype(np.int64)
            if idx.size:  # checked here, at once, with NumPy's and MXNet's message
                bad = idx[(idx < -shape[0]) | (idx >= shape[0])]
                if bad.size:
                    raise IndexError(f"index {int(bad.flat[0])} is out of bounds for axis 0 with size {shape[0]}")
            idx = np.where(idx < 0, idx + shape[0], idx)
            return invoke("take", [self, _as_nd(idx, self.context, np.int64)], {"axis": 0})
        if not isinstance(key, tuple):
            key = (key,)
        return self._basic_index(key)

    def _slice_params(self, key: tuple):
        """Tuples of ints and slices -> the `slice` op's begin/end/step and the int axes."""
        shape = self.shape
        if len(key) > len(shape):
            raise IndexError(f"too many indices ({len(key)}) for an array with {len(shape)} dimensions")
        begin, end, step, drop = [], [], [], []
        for axis, k in enumerate(key):
            if isinstance(k, (numbers.Integral, np.integer)):
                k = int(k)
                if not -shape[axis] <= k < shape[axis]:
                    raise IndexError(f"index {k} is out of bounds for axis {axis} with size {shape[axis]}")
                k = k + shape[axis] if k < 0 else k
                begin.append(k), end.append(k + 1), step.append(1), drop.append(axis)
            elif isinstance(k, slice):
                b, e, s = k.indices(shape[axis])
                begin.append(b), step.append(s)
                end.append(None if (s < 0 and e < 0) else (e if (s < 0 or e > b) else b))
            else:
                raise IndexError(f"unsupported index {k!r} of type {type(k).__name__}")
        return {"begin": tuple(begin), "end": tuple(end), "step": tuple(step)}, drop

    def _basic_index(self, key: tuple) -> NDArray:
        """Tuples of ints and slices: one `slice` op, then drop the integer-indexed axes."""
        params, drop = self._slice_params(key)
        out = invoke("slice", [self], params)
        if drop:
            new_shape = [d for i, d in enumerate(out.shape) if i not in drop]
            out = out.reshape(new_shape or [1])
        return out

    def __setitem__(self, key, value):
        shape = self.shape
        if isinstance(key, slice) and key == slice(None):
            target = self
        elif isinstance(key, (numbers.Integral, np.integer)):
            k = int(key)
            if not -shape[0] <= k < shape[0]:
                raise IndexError(f"index {k} is out of bounds for axis 0 with size {shape[0]}")
            target = self._at(k + shape[0] if k < 0 else k)
        elif isinstance(key, slice) and key.step in (None, 1):
            start, stop, _ = key.indices(shape[0])
            target = self._slice(start, max(start, stop))
        elif isinstance(key, tuple):
            params, drop = self._slice_params(key)
            if isinstance(value, (numbers.Number, np.generic)):
                invoke("_slice_assign_scalar", [self], dict(params, scalar=float(value)), out=self)
                return
            shape = self.shape
            region = tuple(len(range(*k.indices(shape[a]))) if isinstance(k, slice) else 1
                           for a, k in enumerate(key)) + shape[len(key):]
            # numpy semantics: the value broadcasts against the region without the int axes.
            visible = tuple(d for a, d in enumerate(region) if a not in drop) or (1,)
            value = _as_nd(value, self.context, self.dtype) if not isinstance(value, NDArray) else value
            if value.shape != visible:
                value = invoke("broadcast_to", [value.reshape((1,) * (len(visible) - value.ndim) + value.shape)],
                               {"shape": visible})
            value = value.reshape(region)
            invoke("_slice_assign", [self, value], params, out=self)
            return
        else:
            # Boolean masks and other numpy-only keys: numpy updates a host copy, written back once.
            full = self.asnumpy()
            full[key] = value.asnumpy() if isinstance(value, NDArray) else value
            self._assign(self, full)
            return
        self._assign(target, value)

    def _assign(self, target: NDArray, value) -> None:
        if isinstance(value, NDArray):
            if value.handle == target.handle:
                return
            if value.shape != target.shape:
                value = invoke("broadcast_to", [value], {"shape": target.shape})
            value.copyto(target)
        elif isinstance(value, numbers.Number) or np.isscalar(value):
            invoke("_full", [], {"shape": target.shape, "value": float(value),
                                 "dtype": np.dtype(target.dtype).name}, out=target)
        else:
            src = np.broadcast_to(np.asarray(value, dtype=target.dtype), target.shape)
            src = np.ascontiguousarray(src)
            check_call(lib.MVNDArraySyncCopyFromCPU(target.handle, ffi.from_buffer(src), src.nbytes))

    # ---- python protocol --------------------------------------------------------------------
    def __len__(self) -> int:
        return self.shape[0]

    def __iter__(self):
        for i in range(self.shape[0]):
            yield self[i]

    def __bool__(self) -> bool:
        if self.size == 0:
            return False
        if self.size != 1:
            raise ValueError("The truth value of an NDArray with more than one element is ambiguous.")
        return bool(self.asscalar())

    def __float__(self) -> float:
        return float(self.asscalar())

    def __int__(self) -> int:
        return int(self.asscalar())

    def __index__(self) -> int:
        return int(self.asscalar())

    def __repr__(self) -> str:
        shape = "x".join(str(s) for s in self.shape)
        return f"\n{self.asnumpy()}\n<NDArray {shape} @{self.context}>"

    def __hash__(self) -> int:
        return id(self)

    def __getstate__(self):
        return {"data": self.asnumpy()}

    def __setstate__(self, state):
        from .utils import array
        self.handle = array(state["data"], dtype=state["data"].dtype).handle
        self.writable = True

    def __dlpack_device__(self):
        return (1, 0)


# ---- arithmetic: MXNet 1.x maps array-array to broadcast_* and array-scalar to *_scalar -------
_READONLY_VERB = {"add": "add to", "sub": "subtract from", "mul": "multiply to", "truediv": "divide from",
                  "div": "divide from", "mod": "take modulo from"}


def _binary(name, scalar, rscalar=None, inplace=None):
    """The method for ``a <op> b``; with ``inplace`` (the operator's Python name), ``a <op>= b``."""
    def method(self, other):
        if inplace and not self.writable:
            raise ValueError(f"trying to {_READONLY_VERB[inplace]} a readonly NDArray")
        if isinstance(other, NDArray):
            res = invoke(name, [self, other], out=self if inplace else None)
        elif isinstance(other, (numbers.Number, np.generic)):
            res = invoke(scalar, [self], {"scalar": float(other)}, out=self if inplace else None)
        elif isinstance(other, np.ndarray):
            res = invoke(name, [self, _as_nd(other, self.context, self.dtype)], out=self if inplace else None)
        else:
            return NotImplemented
        return self if inplace else res
    return method


def _reflected(name, rscalar):
    def method(self, other):
        if isinstance(other, (numbers.Number, np.generic)):
            return invoke(rscalar, [self], {"scalar": float(other)})
        if isinstance(other, np.ndarray):
            return invoke(name, [_as_nd(other, self.context, self.dtype), self])
        return NotImplemented
    return method


for _py, _op_name, _scalar, _rscalar in [
        ("add", "broadcast_add", "_plus_scalar", "_plus_scalar"),
        ("sub", "broadcast_sub", "_minus_scalar", "_rminus_scalar"),
        ("mul", "broadcast_mul", "_mul_scalar", "_mul_scalar"),
        ("truediv", "broadcast_div", "_div_scalar", "_rdiv_scalar"),
        ("div", "broadcast_div", "_div_scalar", "_rdiv_scalar"),
        ("mod", "broadcast_mod", "_mod_scalar", "_rmod_scalar"),
        ("pow", "broadcast_power", "_power_scalar", "_rpower_scalar")]:
    setattr(NDArray, f"__{_py}__", _binary(_op_name, _scalar))
    if _py != "pow":  # MXNet's NDArray has no __ipow__: ``a **= b`` rebinds a to a new array
        setattr(NDArray, f"__i{_py}__", _binary(_op_name, _scalar, inplace=_py))
    setattr(NDArray, f"__r{_py}__", _reflected(_op_name, _rscalar))

for _py, _op_name, _scalar in [("eq", "broadcast_equal", "_equal_scalar"),
                               ("ne", "broadcast_not_equal", "_not_equal_scalar"),
                               ("gt", "broadcast_greater", "_greater_scalar"),
                               ("ge", "broadcast_greater_equal", "_greater_equal_scalar"),
                               ("lt", "broadcast_lesser", "_lesser_scalar"),
                               ("le", "broadcast_lesser_equal", "_lesser_equal_scalar")]:
    setattr(NDArray, f"__{_py}__", _binary(_op_name, _scalar))


def _neg(self):
    return invoke("negative", [self])


def _abs(self):
    return invoke("abs", [self])


NDArray.__neg__ = _neg
NDArray.__abs__ = _abs
NDArray.__pos__ = lambda self: self


# ---- MXNet's legacy module-level helpers of ndarray.py ---------------------------------------
def onehot_encode(indices: NDArray, out: NDArray) -> NDArray:
    """One-hot encodes the 1-d ``indices`` into the rows of the 2-d float32 array ``out`` and
    returns ``out`` (deprecated in MXNet: use ``one_hot``). An index outside ``[0, out.shape[1])``
    leaves its row zero."""
    if not isinstance(indices, NDArray) or not isinstance(out, NDArray):
        raise TypeError(f"onehot_encode: indices and out must be NDArrays, got {type(indices).__name__} "
                        f"and {type(out).__name__}")
    if indices.ndim != 1 or out.ndim != 2:
        raise MinervaValueError(f"onehot_encode: needs 1-d indices and a 2-d out, got shapes {indices.shape} "
                                f"and {out.shape}")
    if indices.shape[0] != out.shape[0]:
        raise MinervaValueError(f"onehot_encode: indices has {indices.shape[0]} entries but out has "
                                f"{out.shape[0]} rows")
    if np.dtype(out.dtype) != np.float32:
        raise MinervaTypeError(f"onehot_encode: out must be float32, got {np.dtype(out.dtype).name}")
    return invoke("one_hot", [indices], {"depth": out.shape[1], "dtype": "float32"}, out=out)


def from_numpy(ndarray, zero_copy=True, array_cls=NDArray) -> NDArray:
    """An NDArray with the data of the NumPy array ``ndarray``. With ``zero_copy`` (C-contiguous
    arrays only), MXNet hands the array's memory to the NDArray and marks ``ndarray`` read-only;
    Minerva's C ABI takes no outside memory, so it copies, and marks ``ndarray`` read-only as well so
    that the two stay the same. ``array_cls`` is the class of the result (NDArray or a subclass)."""
    from .utils import array
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(ndarray).__name__}")
    if zero_copy and not ndarray.flags["C_CONTIGUOUS"]:
        raise ValueError("Only c-contiguous arrays are supported for zero-copy")
    result = array(ndarray, dtype=ndarray.dtype)
    if zero_copy:
        ndarray.flags["WRITEABLE"] = False
    if array_cls is not NDArray:
        result = array_cls(handle=result.handle)
    return result
