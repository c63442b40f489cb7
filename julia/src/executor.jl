# Executor: a SymbolicNode bound to arrays (MVExecutorBind / MVExecutorSimpleBind).

const _GRAD_REQS = Dict(:null => MV_GRAD_NULL, :write => MV_GRAD_WRITE, :add => MV_GRAD_ADD)

_grad_req_code(req::Symbol) = get(_GRAD_REQS, req) do
    throw(ArgumentError("grad_req must be :null, :write or :add, got :$(req)"))
end

"""
    Executor

A bound graph. `arg_dict`, `grad_dict` and `aux_dict` map names to the bound arrays; `outputs`
holds the results of the last `forward`.
"""
mutable struct Executor
    handle::MVExecutorHandle
    symbol::SymbolicNode
    arg_arrays::Vector{NDArray}
    grad_arrays::Vector{Union{NDArray,Nothing}}
    aux_arrays::Vector{NDArray}
    outputs::Vector{NDArray}
    arg_dict::Dict{Symbol,NDArray}
    grad_dict::Dict{Symbol,NDArray}
    aux_dict::Dict{Symbol,NDArray}

    function Executor(handle::MVExecutorHandle, sym::SymbolicNode)
        exe = new(handle, sym)
        finalizer(_free!, exe)
        exe.arg_arrays = NDArray[a for a in _executor_arrays(MVExecutorArgArrays, exe)]
        exe.grad_arrays = _executor_arrays(MVExecutorGradArrays, exe)
        exe.aux_arrays = NDArray[a for a in _executor_arrays(MVExecutorAuxArrays, exe)]
        exe.outputs = NDArray[]
        args, aux = list_arguments(sym), list_auxiliary_states(sym)
        exe.arg_dict = Dict(zip(args, exe.arg_arrays))
        exe.grad_dict = Dict(k => g for (k, g) in zip(args, exe.grad_arrays) if g !== nothing)
        exe.aux_dict = Dict(zip(aux, exe.aux_arrays))
        return exe
    end
end

function _free!(exe::Executor)
    handle = exe.handle
    if handle != C_NULL
        exe.handle = MVExecutorHandle(C_NULL)
        MVExecutorFree(handle)
    end
    return nothing
end

Base.close(exe::Executor) = _free!(exe)

function _handle(exe::Executor)
    exe.handle == C_NULL && throw(MinervaError(:invalid_handle, "Executor used after close"))
    return exe.handle
end

# One of the executor's array lists: new owned handles (NULL entries become nothing).
function _executor_arrays(f, exe::Executor)
    num = Ref{Csize_t}(0)
    arrays = Ref{Ptr{MVNDArrayHandle}}(C_NULL)
    f(_handle(exe), num, arrays)
    handles = MVNDArrayHandle[unsafe_load(arrays[], i) for i in 1:Int(num[])]
    return Union{NDArray,Nothing}[h == C_NULL ? nothing : NDArray(h) for h in handles]
end

function _arrays_in_order(arrays::AbstractVector, names, what)
    length(arrays) == length(names) ||
        throw(ArgumentError("bind: $(length(names)) $(what)s expected ($(join(names, ", "))), got $(length(arrays))"))
    return NDArray[a for a in arrays]
end

function _arrays_in_order(arrays::AbstractDict, names, what)
    result = NDArray[]
    for n in names
        haskey(arrays, n) || throw(ArgumentError("bind: no array for $(what) $(n)"))
        push!(result, arrays[n])
    end
    return result
end

"""
    bind(sym, ctx, args; args_grad=nothing, grad_req=:write, aux_states=NDArray[])

Binds `sym` to arrays given in `list_arguments` order or as a `Dict{Symbol,NDArray}`.
`args_grad` (same forms, or nothing) receives gradients per `grad_req` (`:write`, `:add`,
`:null`, or a Dict of them per argument).
"""
function Base.bind(sym::SymbolicNode, ctx::Context, args; args_grad=nothing, grad_req=:write,
                   aux_states=NDArray[])
    arg_names, aux_names = list_arguments(sym), list_auxiliary_states(sym)
    arg_list = _arrays_in_order(args, arg_names, "argument")
    aux_list = _arrays_in_order(aux_states, aux_names, "auxiliary state")
    grads = args_grad === nothing ? nothing :
        args_grad isa AbstractDict ? Union{NDArray,Nothing}[get(args_grad, n, nothing) for n in arg_names] :
        Union{NDArray,Nothing}[g for g in args_grad]
    reqs = Cint[_grad_req_code(grad_req isa AbstractDict ? get(grad_req, n, :null) : grad_req) for n in arg_names]
    arg_handles = MVNDArrayHandle[_handle(a) for a in arg_list]
    aux_handles = MVNDArrayHandle[_handle(a) for a in aux_list]
    grad_handles = grads === nothing ? MVNDArrayHandle[] :
        MVNDArrayHandle[g === nothing ? MVNDArrayHandle(C_NULL) : _handle(g) for g in grads]
    out = Ref{MVExecutorHandle}(C_NULL)
    GC.@preserve sym arg_list aux_list grads grad_handles begin
        grad_ptr = grads === nothing ? Ptr{MVNDArrayHandle}(C_NULL) : pointer(grad_handles)
        req_ptr = grads === nothing ? Ptr{Cint}(C_NULL) : pointer(reqs)
        GC.@preserve reqs MVExecutorBind(_handle(sym), ctx.device_type, ctx.device_id, Cint(length(arg_handles)),
                                         arg_handles, grad_ptr, req_ptr, Cint(length(aux_handles)), aux_handles, out)
    end
    return Executor(out[], sym)
end

"""
    simple_bind(sym, ctx; grad_req=:write, name => dims...)

Infers every shape from the given input shapes (Julia's order), allocates arguments,
gradients (per `grad_req`: a Symbol, or a Dict per argument) and auxiliary states, and binds.
"""
function simple_bind(sym::SymbolicNode, ctx::Context; grad_req=:write, shapes...)
    names = String[string(k) for (k, _) in shapes]
    ndims = Cint[length(v) for (_, v) in shapes]
    dims = Int64[d for (_, v) in shapes for d in Base.reverse(collect(v))]
    default_req = grad_req isa AbstractDict ? MV_GRAD_NULL : _grad_req_code(grad_req)
    req_names = grad_req isa AbstractDict ? String[string(k) for k in keys(grad_req)] : String[]
    reqs = grad_req isa AbstractDict ? Cint[_grad_req_code(grad_req[Symbol(k)]) for k in req_names] : Cint[]
    out = Ref{MVExecutorHandle}(C_NULL)
    _with_cstrings(names) do cnames
        _with_cstrings(req_names) do creqs
            GC.@preserve sym MVExecutorSimpleBind(_handle(sym), ctx.device_type, ctx.device_id,
                                                  Cint(length(names)), cnames, ndims, dims,
                                                  Cint(0), Ptr{Cstring}(C_NULL), Ptr{Cint}(C_NULL),
                                                  Cint(length(req_names)), creqs, reqs, default_req, out)
        end
    end
    return Executor(out[], sym)
end

"""
    forward(exe; is_train=false, name => array...)

Copies the given Julia arrays into the bound arguments, runs the forward pass and returns
`exe.outputs`.
"""
function forward(exe::Executor; is_train::Bool=false, inputs...)
    for (name, value) in inputs
        copy!(exe.arg_dict[name], value)
    end
    GC.@preserve exe MVExecutorForward(_handle(exe), Cint(is_train))
    outputs = _executor_arrays(MVExecutorOutputs, exe)
    foreach(close, exe.outputs)
    exe.outputs = NDArray[o for o in outputs]
    return exe.outputs
end

"""
    backward(exe, out_grads=nothing)

Runs the backward pass; gradients land in `exe.grad_dict` per the bound `grad_req`.
`out_grads` (one NDArray or a vector, parallel to the outputs) defaults to ones.
"""
function backward(exe::Executor, out_grads=nothing; is_train::Bool=true)
    grads = out_grads === nothing ? NDArray[] : out_grads isa NDArray ? NDArray[out_grads] :
        NDArray[g for g in out_grads]
    handles = MVNDArrayHandle[_handle(g) for g in grads]
    GC.@preserve exe grads handles begin
        ptr = isempty(handles) ? Ptr{MVNDArrayHandle}(C_NULL) : pointer(handles)
        MVExecutorBackward(_handle(exe), Cint(length(handles)), ptr, Cint(is_train))
    end
    return nothing
end

function Base.show(io::IO, exe::Executor)
    print(io, "Executor(", exe.handle == C_NULL ? "closed" : string(length(exe.arg_arrays), " arguments"), ")")
end

# ---- CachedOp: a graph compiled for imperative calls ----------------------------------------------

"""
    CachedOp(sym; static_alloc=false, static_shape=false)

`sym` compiled for imperative calls: `op(inputs...)` runs it on NDArrays given in
`list_inputs` order and returns the outputs (one NDArray or a vector).
"""
mutable struct CachedOp
    handle::MVCachedOpHandle
    symbol::SymbolicNode

    function CachedOp(sym::SymbolicNode; flags...)
        keys = String[string(k) for (k, _) in flags]
        vals = String[_mvparam(v) for (_, v) in flags]
        out = Ref{MVCachedOpHandle}(C_NULL)
        _with_cstrings(keys) do ckeys
            _with_cstrings(vals) do cvals
                GC.@preserve sym MVCachedOpCreate(_handle(sym), Cint(length(keys)), ckeys, cvals, out)
            end
        end
        op = new(out[], sym)
        finalizer(_free!, op)
        return op
    end
end

function _free!(op::CachedOp)
    handle = op.handle
    if handle != C_NULL
        op.handle = MVCachedOpHandle(C_NULL)
        MVCachedOpFree(handle)
    end
    return nothing
end

Base.close(op::CachedOp) = _free!(op)

function (op::CachedOp)(inputs::NDArray...)
    op.handle == C_NULL && throw(MinervaError(:invalid_handle, "CachedOp used after close"))
    args = NDArray[x for x in inputs]
    handles = MVNDArrayHandle[_handle(x) for x in args]
    num = Ref{Cint}(0)
    outputs = Ref{Ptr{MVNDArrayHandle}}(C_NULL)
    GC.@preserve op args MVCachedOpInvoke(op.handle, Cint(length(handles)), handles, num, outputs)
    result = NDArray[NDArray(unsafe_load(outputs[], i)) for i in 1:Int(num[])]
    return length(result) == 1 ? result[1] : result
end
