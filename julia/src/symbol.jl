# SymbolicNode: an owned MVSymbolHandle (a graph's outputs). Operators compose nodes through the
# generated methods in ops.jl; shapes are given and reported in Julia's order.

"""
    SymbolicNode

A symbolic graph (MXNet.jl's name). It owns its handle, released once by `close` or the finalizer.
"""
mutable struct SymbolicNode
    handle::MVSymbolHandle

    function SymbolicNode(handle::MVSymbolHandle)
        handle == C_NULL && throw(MinervaError(:invalid_handle, "SymbolicNode from a NULL handle"))
        sym = new(handle)
        finalizer(_free!, sym)
        return sym
    end
end

function _free!(sym::SymbolicNode)
    handle = sym.handle
    if handle != C_NULL
        sym.handle = MVSymbolHandle(C_NULL)
        MVSymbolFree(handle)
    end
    return nothing
end

Base.close(sym::SymbolicNode) = _free!(sym)

function _handle(sym::SymbolicNode)
    sym.handle == C_NULL && throw(MinervaError(:invalid_handle, "SymbolicNode used after close"))
    return sym.handle
end

"""
    Variable(name)

A free variable (an input or a parameter of the graph).
"""
function Variable(name::Union{AbstractString,Symbol})
    out = Ref{MVSymbolHandle}(C_NULL)
    MVSymbolCreateVariable(String(name), out)
    return SymbolicNode(out[])
end

"""
    Group(syms...)

One symbol whose outputs are the outputs of all of `syms`.
"""
function Group(syms::SymbolicNode...)
    args = SymbolicNode[s for s in syms]
    handles = MVSymbolHandle[_handle(s) for s in args]
    out = Ref{MVSymbolHandle}(C_NULL)
    GC.@preserve args MVSymbolCreateGroup(Cint(length(handles)), handles, out)
    return SymbolicNode(out[])
end

function Base.copy(sym::SymbolicNode)
    out = Ref{MVSymbolHandle}(C_NULL)
    GC.@preserve sym MVSymbolCopy(_handle(sym), out)
    return SymbolicNode(out[])
end

# Applies op to symbols: by input name (names non-empty; `nothing` inputs become variables
# "<name>_<input>") or by position (names empty: a variadic operator).
function _compose_op(op::AbstractString, name, names::Vector{String}, inputs::Vector{Any},
                     keys::Vector{String}, vals::Vector{String})
    node_name = name === nothing ? "" : string(name)
    params = _OpParams(op, keys, vals)
    out = Ref{MVSymbolHandle}(C_NULL)
    try
        if isempty(names)
            args = SymbolicNode[x for x in inputs]
            handles = MVSymbolHandle[_handle(s) for s in args]
            GC.@preserve args MVSymbolCreateOp(params.handle, node_name, Cint(length(handles)),
                                               Ptr{Cstring}(C_NULL), handles, out)
        else
            chosen = [i for i in eachindex(inputs) if inputs[i] !== nothing]
            args = SymbolicNode[inputs[i] for i in chosen]
            handles = MVSymbolHandle[_handle(s) for s in args]
            _with_cstrings(names[chosen]) do ckeys
                GC.@preserve args MVSymbolCreateOp(params.handle, node_name, Cint(length(handles)), ckeys,
                                                   handles, out)
            end
        end
    finally
        close(params)
    end
    return SymbolicNode(out[])
end

# Reads one of the borrowed name lists (arguments, outputs, auxiliary states).
function _symbol_names(f, sym::SymbolicNode)
    num = Ref{Csize_t}(0)
    names = Ref{Ptr{Cstring}}(C_NULL)
    GC.@preserve sym f(_handle(sym), num, names)
    return Symbol[Symbol(s) for s in _read_strings(names[], num[])]
end

"""Names of the arguments (inputs and parameters that are not auxiliary states)."""
list_arguments(sym::SymbolicNode) = _symbol_names(MVSymbolListArguments, sym)
"""Names of the outputs (`fc1_output`)."""
list_outputs(sym::SymbolicNode) = _symbol_names(MVSymbolListOutputs, sym)
"""Names of the auxiliary states (BatchNorm's moving statistics)."""
list_auxiliary_states(sym::SymbolicNode) = _symbol_names(MVSymbolListAuxiliaryStates, sym)

"""The name of a single-output symbol (`nothing` for a group)."""
function get_name(sym::SymbolicNode)
    out = Ref{Cstring}()
    success = Ref{Cint}(0)
    GC.@preserve sym MVSymbolGetName(_handle(sym), out, success)
    return success[] == 0 ? nothing : Symbol(unsafe_string(out[]))
end

"""
    get_internals(sym)

Every output of every node of the graph, as one grouped symbol.
"""
function get_internals(sym::SymbolicNode)
    out = Ref{MVSymbolHandle}(C_NULL)
    GC.@preserve sym MVSymbolGetInternals(_handle(sym), out)
    return SymbolicNode(out[])
end

_julia_shape(dims) = Tuple(Int(d) for d in Iterators.reverse(dims))

"""
    infer_shape(sym; name => dims...)
    infer_shape(sym, shapes::Dict{Symbol})

Infers every shape from the shapes of some inputs, all in Julia's order. Returns
`(arg_shapes, out_shapes, aux_shapes)`, or `(nothing, nothing, nothing)` when the given shapes
do not determine them all.
"""
infer_shape(sym::SymbolicNode; shapes...) = infer_shape(sym, Dict{Symbol,Any}(k => v for (k, v) in shapes))

function infer_shape(sym::SymbolicNode, shapes::AbstractDict)
    names = String[string(k) for k in keys(shapes)]
    ndims = Cint[length(shapes[Symbol(k)]) for k in names]
    dims = Int64[d for k in names for d in Base.reverse(collect(shapes[Symbol(k)]))]
    out = Ref{Cstring}()
    _with_cstrings(names) do ckeys
        GC.@preserve sym MVSymbolInferShape(_handle(sym), Cint(length(names)), ckeys, ndims, dims, Cint(1), out)
    end
    result = _parse_json(unsafe_string(out[]))
    result["complete"] || return (nothing, nothing, nothing)
    shapes_of(key) = [_julia_shape(s) for s in result[key]]
    return (shapes_of("arg_shapes"), shapes_of("out_shapes"), shapes_of("aux_shapes"))
end

"""The graph as MXNet 1.x symbol JSON."""
function to_json(sym::SymbolicNode)
    out = Ref{Cstring}()
    GC.@preserve sym MVSymbolSaveToJSON(_handle(sym), out)
    return unsafe_string(out[])
end

"""Reads MXNet symbol JSON: `from_json(text, SymbolicNode)`."""
function from_json(text::AbstractString, ::Type{SymbolicNode})
    out = Ref{MVSymbolHandle}(C_NULL)
    MVSymbolCreateFromJSON(String(text), out)
    return SymbolicNode(out[])
end

"""Writes the graph to a `-symbol.json` file (atomically)."""
function save(filename::AbstractString, sym::SymbolicNode)
    GC.@preserve sym MVSymbolSaveToFile(_handle(sym), String(filename))
    return nothing
end

"""Reads a `-symbol.json` file: `load(filename, SymbolicNode)`."""
function load(filename::AbstractString, ::Type{SymbolicNode})
    out = Ref{MVSymbolHandle}(C_NULL)
    MVSymbolCreateFromFile(String(filename), out)
    return SymbolicNode(out[])
end

function Base.show(io::IO, sym::SymbolicNode)
    if sym.handle == C_NULL
        print(io, "SymbolicNode(closed)")
    else
        print(io, "SymbolicNode(", something(get_name(sym), :group), ")")
    end
end

# Arithmetic on symbols through the registry's operators.
Base.:+(a::SymbolicNode, b::SymbolicNode) = elemwise_add(a, b)
Base.:-(a::SymbolicNode, b::SymbolicNode) = elemwise_sub(a, b)
Base.:*(a::SymbolicNode, b::Real) = _compose_op("_mul_scalar", nothing, ["data"], Any[a], ["scalar"], [_mvparam(Float64(b))])
Base.:+(a::SymbolicNode, b::Real) = _compose_op("_plus_scalar", nothing, ["data"], Any[a], ["scalar"], [_mvparam(Float64(b))])
