# NDArray: an owned MVNDArrayHandle. Dimensions are shown in Julia's column-major order (the
# library's row-major shape reversed), so `Array(nd)` and `NDArray(a)` copy memory unchanged.

"""
    NDArray

A Minerva array. It owns its handle: the handle is released exactly once, by `close(nd)` or
else by the garbage collector's finalizer. Using a closed array raises `MinervaError(:invalid_handle, ...)`.
"""
mutable struct NDArray
    handle::MVNDArrayHandle

    function NDArray(handle::MVNDArrayHandle)
        handle == C_NULL && throw(MinervaError(:invalid_handle, "NDArray from a NULL handle"))
        nd = new(handle)
        finalizer(_free!, nd)
        return nd
    end
end

function _free!(nd::NDArray)
    handle = nd.handle
    if handle != C_NULL
        nd.handle = MVNDArrayHandle(C_NULL)   # cleared first: a second close is a no-op
        MVNDArrayFree(handle)
    end
    return nothing
end

"""
    close(nd::NDArray)

Releases the array's handle now (the finalizer then does nothing). Idempotent.
"""
Base.close(nd::NDArray) = _free!(nd)

function _handle(nd::NDArray)
    nd.handle == C_NULL && throw(MinervaError(:invalid_handle, "NDArray used after close"))
    return nd.handle
end

# A new zero-filled array of a core (row-major) shape.
function _empty_core(core_shape, ::Type{T}, ctx::Context=cpu()) where {T}
    shape = Int64[d for d in core_shape]
    isempty(shape) && throw(ArgumentError("Minerva arrays have at least one dimension"))
    out = Ref{MVNDArrayHandle}(C_NULL)
    MVNDArrayCreate(shape, Cint(length(shape)), _dtype_code(T), ctx.device_type, ctx.device_id, out)
    return NDArray(out[])
end

"""
    empty(T, dims...; ctx=cpu())

A new array of element type `T` and Julia dimensions `dims` (zero-filled).
"""
empty(::Type{T}, dims::Integer...; ctx::Context=cpu()) where {T} = _empty_core(Base.reverse(dims), T, ctx)
empty(dims::Integer...; ctx::Context=cpu()) = empty(Float32, dims...; ctx=ctx)

"""
    zeros(dims...; dtype=Float32, ctx=cpu())
    zeros(T, dims...)

A zero-filled array with Julia dimensions `dims` (MXNet.jl's `mx.zeros`).
"""
zeros(dims::Integer...; dtype::Type=Float32, ctx::Context=cpu()) = empty(dtype, dims...; ctx=ctx)
zeros(dims::Tuple{Vararg{Integer}}; dtype::Type=Float32, ctx::Context=cpu()) = zeros(dims...; dtype=dtype, ctx=ctx)
zeros(::Type{T}, dims::Integer...; ctx::Context=cpu()) where {T} = zeros(dims...; dtype=T, ctx=ctx)

"""
    ones(dims...; dtype=Float32, ctx=cpu())
    ones(T, dims...)

An array of ones with Julia dimensions `dims`, made by the registry's `_ones` operator.
"""
function ones(dims::Integer...; dtype::Type=Float32, ctx::Context=cpu())
    keys = ["shape", "dtype", "ctx"]
    vals = [_mvparam(Base.reverse(dims)), _dtype_name(dtype), _mvparam(ctx)]
    return _invoke_op("_ones", Any[], keys, vals, nothing)
end
ones(dims::Tuple{Vararg{Integer}}; dtype::Type=Float32, ctx::Context=cpu()) = ones(dims...; dtype=dtype, ctx=ctx)
ones(::Type{T}, dims::Integer...; ctx::Context=cpu()) where {T} = ones(dims...; dtype=T, ctx=ctx)

"""
    NDArray(a::AbstractArray)

Copies a Julia array into a new NDArray of the same element type and size.
"""
function NDArray(a::AbstractArray{T}) where {T}
    nd = empty(T, size(a)...)
    copy!(nd, a)
    return nd
end

"""
    copy!(dst::NDArray, src::AbstractArray)
    copy!(dst::AbstractArray, src::NDArray)
    copy!(dst::NDArray, src::NDArray)

Copies values; sizes must match (element types convert).
"""
function Base.copy!(dst::NDArray, src::AbstractArray)
    size(dst) == size(src) || throw(DimensionMismatch("copy!: NDArray of size $(size(dst)) from array of size $(size(src))"))
    buf = Array{eltype(dst)}(src)
    MVNDArraySyncCopyFromCPU(_handle(dst), buf, Csize_t(sizeof(buf)))
    return dst
end

function Base.copy!(dst::Array{T}, src::NDArray) where {T}
    size(dst) == size(src) || throw(DimensionMismatch("copy!: array of size $(size(dst)) from NDArray of size $(size(src))"))
    if T === eltype(src)
        MVNDArraySyncCopyToCPU(_handle(src), dst, Csize_t(sizeof(dst)))
    else
        copyto!(dst, Array(src))
    end
    return dst
end

function Base.copy!(dst::NDArray, src::NDArray)
    GC.@preserve dst src MVNDArrayCopyTo(_handle(src), _handle(dst))
    return dst
end

"""
    Array(nd::NDArray)

Waits for pending writes and copies the values into a new Julia array.
"""
function Base.Array(nd::NDArray)
    a = Array{eltype(nd)}(undef, size(nd)...)
    MVNDArraySyncCopyToCPU(_handle(nd), a, Csize_t(sizeof(a)))
    return a
end

Base.copy(nd::NDArray) = _invoke_op("_copy", Any[nd], String[], String[], nothing)

function Base.size(nd::NDArray)
    ndim = Ref{Cint}(0)
    shape = Ref{Ptr{Int64}}(C_NULL)
    MVNDArrayGetShape(_handle(nd), ndim, shape)
    return Tuple(Int(unsafe_load(shape[], i)) for i in Int(ndim[]):-1:1)
end

Base.size(nd::NDArray, dim::Integer) = size(nd)[dim]
Base.ndims(nd::NDArray) = length(size(nd))
Base.length(nd::NDArray) = prod(size(nd))

function Base.eltype(nd::NDArray)
    code = Ref{Cint}(0)
    MVNDArrayGetDType(_handle(nd), code)
    return _dtype_type(code[])
end

function context(nd::NDArray)
    dev_type = Ref{Cint}(0)
    dev_id = Ref{Cint}(0)
    MVNDArrayGetContext(_handle(nd), dev_type, dev_id)
    return Context(dev_type[], dev_id[])
end

function Base.show(io::IO, nd::NDArray)
    if nd.handle == C_NULL
        print(io, "NDArray(closed)")
    else
        print(io, "NDArray{", eltype(nd), "}", size(nd))
    end
end

"""
    reshape(nd, dims...)

A view with other Julia dimensions and the same number of elements (shares memory).
"""
function Base.reshape(nd::NDArray, dims::Integer...)
    shape = Int64[d for d in Base.reverse(dims)]
    out = Ref{MVNDArrayHandle}(C_NULL)
    GC.@preserve nd MVNDArrayReshape(_handle(nd), shape, Cint(length(shape)), out)
    return NDArray(out[])
end
Base.reshape(nd::NDArray, dims::Tuple{Vararg{Integer}}) = reshape(nd, dims...)

"""Waits until pending writes to nd are done (raises their error)."""
wait_to_read(nd::NDArray) = MVNDArrayWaitToRead(_handle(nd))
"""Waits until every queued operation is done."""
wait_all() = MVNDArrayWaitAll()

"""Seeds every device's random generator."""
srand(seed::Integer) = MVRandomSeed(UInt64(seed))

# ---- arithmetic: elementwise on equal sizes; broadcasting through dot syntax ----------------------

Base.:+(a::NDArray, b::NDArray) = elemwise_add(a, b)
Base.:-(a::NDArray, b::NDArray) = elemwise_sub(a, b)
Base.:-(a::NDArray) = negative(a)
Base.:+(a::NDArray, b::Real) = _scalar_op("_plus_scalar", a, b)
Base.:+(a::Real, b::NDArray) = _scalar_op("_plus_scalar", b, a)
Base.:-(a::NDArray, b::Real) = _scalar_op("_minus_scalar", a, b)
Base.:-(a::Real, b::NDArray) = _scalar_op("_rminus_scalar", b, a)
Base.:*(a::NDArray, b::Real) = _scalar_op("_mul_scalar", a, b)
Base.:*(a::Real, b::NDArray) = _scalar_op("_mul_scalar", b, a)
Base.:/(a::NDArray, b::Real) = _scalar_op("_div_scalar", a, b)
Base.:*(a::NDArray, b::NDArray) = dot(a, b)   # matrix product in Julia's order

const _BROADCAST_OPS = ((+, "broadcast_add", "_plus_scalar", "_plus_scalar"),
                        (-, "broadcast_sub", "_minus_scalar", "_rminus_scalar"),
                        (*, "broadcast_mul", "_mul_scalar", "_mul_scalar"),
                        (/, "broadcast_div", "_div_scalar", "_rdiv_scalar"))

for (f, both, right, left) in _BROADCAST_OPS
    @eval Base.broadcasted(::typeof($f), a::NDArray, b::NDArray) = _invoke_op($both, Any[a, b], String[], String[], nothing)
    @eval Base.broadcasted(::typeof($f), a::NDArray, b::Real) = _scalar_op($right, a, b)
    @eval Base.broadcasted(::typeof($f), a::Real, b::NDArray) = _scalar_op($left, b, a)
end

_scalar_op(op::String, a::NDArray, s::Real) = _invoke_op(op, Any[a], ["scalar"], [_mvparam(Float64(s))], nothing)

# ---- the generic invoke behind every generated NDArray method ---------------------------------------

const _OP_HANDLES = Dict{String,MVOpHandle}()

function _op_handle(name::AbstractString)
    key = String(name)
    return get!(_OP_HANDLES, key) do
        out = Ref{MVOpHandle}(C_NULL)
        MVOpGetHandle(key, out)
        out[]
    end
end

# A parsed (operator, parameters) pair; freed by close or the finalizer.
mutable struct _OpParams
    handle::MVOpParamsHandle

    function _OpParams(op::AbstractString, keys::Vector{String}, vals::Vector{String})
        out = Ref{MVOpParamsHandle}(C_NULL)
        _with_cstrings(keys) do ckeys
            _with_cstrings(vals) do cvals
                MVOpParamsCreate(_op_handle(op), Cint(length(keys)), ckeys, cvals, out)
            end
        end
        params = new(out[])
        finalizer(close, params)
        return params
    end
end

function Base.close(p::_OpParams)
    handle = p.handle
    if handle != C_NULL
        p.handle = MVOpParamsHandle(C_NULL)
        MVOpParamsFree(handle)
    end
    return nothing
end

# Runs op on NDArray inputs (trailing `nothing`s dropped). With out === nothing the outputs are
# new arrays (one NDArray, or a Vector for several); else they are written into out.
function _invoke_op(op::AbstractString, inputs::Vector{Any}, keys::Vector{String}, vals::Vector{String}, out)
    last = findlast(x -> x !== nothing, inputs)
    given = last === nothing ? NDArray[] : inputs[1:last]
    any(x -> x === nothing, given) && throw(ArgumentError("$(op): an input is missing before a given one"))
    args = NDArray[x for x in given]
    handles = MVNDArrayHandle[_handle(x) for x in args]
    params = _OpParams(op, keys, vals)
    try
        if out === nothing
            num = Ref{Cint}(0)
            outputs = Ref{Ptr{MVNDArrayHandle}}(C_NULL)
            GC.@preserve args MVImperativeInvoke(_op_handle(op), params.handle, Cint(length(handles)), handles,
                                                 num, outputs)
            result = NDArray[NDArray(unsafe_load(outputs[], i)) for i in 1:Int(num[])]
            return length(result) == 1 ? result[1] : result
        end
        targets = out isa NDArray ? NDArray[out] : NDArray[o for o in out]
        out_handles = MVNDArrayHandle[_handle(o) for o in targets]
        num = Ref{Cint}(length(out_handles))
        GC.@preserve args targets out_handles begin
            outputs = Ref{Ptr{MVNDArrayHandle}}(pointer(out_handles))
            MVImperativeInvoke(_op_handle(op), params.handle, Cint(length(handles)), handles, num, outputs)
        end
        return out
    finally
        close(params)
    end
end

# ---- files -------------------------------------------------------------------------------------------

"""
    save(filename, arrays::Vector{NDArray})
    save(filename, arrays::Dict{Symbol,NDArray})

Writes arrays in MXNet's NDArray file format (a list or a dict file).
"""
function save(filename::AbstractString, arrays::Vector{NDArray})
    handles = MVNDArrayHandle[_handle(a) for a in arrays]
    GC.@preserve arrays MVNDArraySave(String(filename), Csize_t(length(handles)), handles, Ptr{Cstring}(C_NULL))
    return nothing
end

function save(filename::AbstractString, arrays::Dict{Symbol,NDArray})
    names = sort!(collect(keys(arrays)))
    values = NDArray[arrays[k] for k in names]
    handles = MVNDArrayHandle[_handle(a) for a in values]
    _with_cstrings(string.(names)) do cnames
        GC.@preserve values MVNDArraySave(String(filename), Csize_t(length(handles)), handles, cnames)
    end
    return nothing
end

"""
    load(filename, NDArray)

Reads an MXNet NDArray file: a `Vector{NDArray}` for a list file, a `Dict{Symbol,NDArray}` for a dict file.
"""
function load(filename::AbstractString, ::Type{NDArray})
    num = Ref{Csize_t}(0)
    arrays = Ref{Ptr{MVNDArrayHandle}}(C_NULL)
    num_names = Ref{Csize_t}(0)
    names = Ref{Ptr{Cstring}}(C_NULL)
    MVNDArrayLoad(String(filename), num, arrays, num_names, names)
    # Both lists are borrowed until the next call on this thread: take them before anything else.
    handles = MVNDArrayHandle[unsafe_load(arrays[], i) for i in 1:Int(num[])]
    keys = _read_strings(names[], num_names[])
    values = NDArray[NDArray(h) for h in handles]
    isempty(keys) && return values
    return Dict{Symbol,NDArray}(Symbol(k) => v for (k, v) in zip(keys, values))
end
