# Shared helpers: dtypes, devices, C string arrays, parameter strings, Julia-order remapping,
# and a small JSON reader for the library's JSON results.

# ---- dtypes ---------------------------------------------------------------------------------------

const _DTYPES = (Float32 => MV_DTYPE_FLOAT32, Float64 => MV_DTYPE_FLOAT64, Float16 => MV_DTYPE_FLOAT16,
                 UInt8 => MV_DTYPE_UINT8, Int32 => MV_DTYPE_INT32, Int8 => MV_DTYPE_INT8,
                 Int64 => MV_DTYPE_INT64, Bool => MV_DTYPE_BOOL)

function _dtype_code(::Type{T}) where {T}
    for (t, code) in _DTYPES
        t === T && return code
    end
    throw(ArgumentError("Minerva has no dtype for $(T); use one of $(join(first.(_DTYPES), ", "))"))
end

function _dtype_type(code::Integer)
    for (t, c) in _DTYPES
        c == code && return t
    end
    throw(ArgumentError("unknown Minerva dtype code $(code)"))
end

_dtype_name(::Type{T}) where {T} = lowercase(string(T))   # Float32 -> "float32", as the registry spells it

# ---- devices --------------------------------------------------------------------------------------

"""A device: `cpu()` (this build has no GPU)."""
struct Context
    device_type::Cint
    device_id::Cint
end

cpu(id::Integer=0) = Context(MV_DEV_CPU, Cint(id))
gpu(id::Integer=0) = Context(MV_DEV_GPU, Cint(id))

# ---- C strings ------------------------------------------------------------------------------------

# Calls f with a Vector{Cstring} pointing into strs, kept alive for the duration of the call.
function _with_cstrings(f, strs)
    owned = String[String(s) for s in strs]
    GC.@preserve owned begin
        ptrs = Cstring[Base.unsafe_convert(Cstring, s) for s in owned]
        return f(ptrs)
    end
end

# Copies a borrowed array of n C strings (valid until the next call on this thread).
_read_strings(ptr::Ptr{Cstring}, n::Integer) = String[unsafe_string(unsafe_load(ptr, i)) for i in 1:Int(n)]

# ---- operator parameters --------------------------------------------------------------------------

# A Julia value as MXNet's parameter string: true -> "True", (2, 3) -> "(2, 3)", Float32 -> "float32".
_mvparam(x::Bool) = x ? "True" : "False"
_mvparam(x::Integer) = string(x)
_mvparam(x::AbstractFloat) = string(Float64(x))
_mvparam(::Nothing) = "None"
_mvparam(x::AbstractString) = String(x)
_mvparam(x::Symbol) = String(x)
_mvparam(x::Union{Tuple,AbstractVector}) = "(" * join([_mvparam(v) for v in x], ", ") * (length(x) == 1 ? ",)" : ")")
_mvparam(::Type{T}) where {T} = _dtype_name(T)
_mvparam(x::Context) = (x.device_type == MV_DEV_CPU ? "cpu(" : "gpu(") * string(x.device_id) * ")"
_mvparam(x) = string(x)

# A required parameter: always sent.
function _setparam!(keys::Vector{String}, vals::Vector{String}, key::String, value)
    push!(keys, key)
    push!(vals, _mvparam(value))
    return nothing
end

# A parameter with a default: sent only when it differs, after conv (a Julia-order remap).
function _setparam!(keys::Vector{String}, vals::Vector{String}, key::String, value, default, conv=Base.identity)
    isequal(value, default) && return nothing
    return _setparam!(keys, vals, key, conv(value))
end

# ---- Julia's column-major order -> the core's row-major order (by parameter kind, docs/julia.md)  -----

# Julia axis k (1-based; k <= -1 counts from the last) -> a core axis that needs no ndim:
# Julia dimension k of n is core dimension n - k, i.e. -k counted from the core's end.
function _core_axis(k::Integer)
    k == 0 && throw(ArgumentError("axis 0: Julia axes count from 1 (and from -1 for the last)"))
    return k > 0 ? -Int(k) : -Int(k) - 1
end
_core_axis(::Nothing) = nothing

_core_axes(::Nothing) = nothing
_core_axes(k::Integer) = (_core_axis(k),)
_core_axes(t) = Tuple(_core_axis(k) for k in t)

_core_reversed(::Nothing) = nothing
_core_reversed(t) = Tuple(Base.reverse(collect(t)))

# (before, after) pairs per dimension: reverse the order of the pairs, keep each pair.
_core_pairs(::Nothing) = nothing
function _core_pairs(t)
    v = collect(t)
    iseven(length(v)) || throw(ArgumentError("expected (before, after) pairs per dimension, got $(t)"))
    n = length(v) ÷ 2
    return Tuple(v[2 * (n - i) - 2 + j] for i in 0:n-1 for j in 1:2)
end

# A permutation of Julia dimensions (1-based) -> the core's permutation (0-based).
_core_perm(::Nothing) = nothing
function _core_perm(p)
    n = length(p)
    return Tuple(n - Int(p[i]) for i in n:-1:1)
end

# ---- JSON (the library's results: shapes, statistics) -------------------------------------------

function _parse_json(text::AbstractString)
    s = String(text)
    pos = Ref(1)
    value = _json_value(s, pos)
    _json_space(s, pos)
    pos[] <= ncodeunits(s) && throw(ArgumentError("trailing characters in JSON at byte $(pos[])"))
    return value
end

function _json_space(s::String, pos::Ref{Int})
    while pos[] <= ncodeunits(s) && codeunit(s, pos[]) in (UInt8(' '), UInt8('\n'), UInt8('\t'), UInt8('\r'))
        pos[] += 1
    end
end

function _json_expect(s::String, pos::Ref{Int}, word::String)
    stop = pos[] + ncodeunits(word) - 1
    (stop <= ncodeunits(s) && SubString(s, pos[], stop) == word) ||
        throw(ArgumentError("malformed JSON at byte $(pos[])"))
    pos[] = stop + 1
end

function _json_value(s::String, pos::Ref{Int})
    _json_space(s, pos)
    pos[] > ncodeunits(s) && throw(ArgumentError("unexpected end of JSON"))
    c = Char(codeunit(s, pos[]))
    if c == '{'
        pos[] += 1
        obj = Dict{String,Any}()
        _json_space(s, pos)
        if codeunit(s, pos[]) == UInt8('}')
            pos[] += 1
            return obj
        end
        while true
            _json_space(s, pos)
            key = _json_value(s, pos)
            _json_space(s, pos)
            _json_expect(s, pos, ":")
            obj[key] = _json_value(s, pos)
            _json_space(s, pos)
            if codeunit(s, pos[]) == UInt8(',')
                pos[] += 1
            else
                _json_expect(s, pos, "}")
                return obj
            end
        end
    elseif c == '['
        pos[] += 1
        arr = Any[]
        _json_space(s, pos)
        if codeunit(s, pos[]) == UInt8(']')
            pos[] += 1
            return arr
        end
        while true
            push!(arr, _json_value(s, pos))
            _json_space(s, pos)
            if codeunit(s, pos[]) == UInt8(',')
                pos[] += 1
            else
                _json_expect(s, pos, "]")
                return arr
            end
        end
    elseif c == '"'
        pos[] += 1
        buf = IOBuffer()
        while true
            pos[] > ncodeunits(s) && throw(ArgumentError("unterminated JSON string"))
            b = codeunit(s, pos[])
            pos[] += 1
            if b == UInt8('"')
                return String(take!(buf))
            elseif b == UInt8('\\')
                e = Char(codeunit(s, pos[]))
                pos[] += 1
                if e == 'u'
                    write(buf, Char(parse(UInt16, SubString(s, pos[], pos[] + 3); base=16)))
                    pos[] += 4
                else
                    write(buf, get(Dict('n' => '\n', 't' => '\t', 'r' => '\r', 'b' => '\b', 'f' => '\f'), e, e))
                end
            else
                write(buf, b)
            end
        end
    elseif c == 't'
        _json_expect(s, pos, "true")
        return true
    elseif c == 'f'
        _json_expect(s, pos, "false")
        return false
    elseif c == 'n'
        _json_expect(s, pos, "null")
        return nothing
    else
        start = pos[]
        while pos[] <= ncodeunits(s) && Char(codeunit(s, pos[])) in "+-0123456789.eE"
            pos[] += 1
        end
        token = SubString(s, start, pos[] - 1)
        isempty(token) && throw(ArgumentError("malformed JSON at byte $(start)"))
        return any(ch -> ch in ".eE", token) ? parse(Float64, token) : parse(Int, token)
    end
end
