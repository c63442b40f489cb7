# The profiler (docs/profiler.md). MXNet.jl had no profiler API; the names follow Python's
# mx.profiler with a `profiler_` prefix: profiler_set_config(; kwargs...), profiler_set_state,
# profiler_pause/profiler_resume, profiler_dump, profiler_dumps, and the user objects
# ProfileDomain and ProfileObject (a task, frame, event or counter) plus profiler_mark.

"""
    profiler_set_config(; filename="profile.json", aggregate_stats=false, profile_all=false, ...)

Configures the profiler with MXNet's set_config keys; Bool values are sent as "True"/"False".
An unknown key or a malformed value raises `MinervaError` naming it.
"""
function profiler_set_config(; kwargs...)
    keys = String[string(k) for (k, _) in kwargs]
    vals = String[v isa Bool ? (v ? "True" : "False") : string(v) for (_, v) in kwargs]
    _with_cstrings(keys) do ckeys
        _with_cstrings(vals) do cvals
            MVProfilerSetConfig(Cint(length(keys)), ckeys, cvals)
        end
    end
    return nothing
end

const _PROFILER_STATES = Dict(:stop => 0, :run => 1)
const _PROFILER_FORMATS = Dict(:table => 0, :json => 1)
const _PROFILER_SORT_BY = Dict(:total => 0, :avg => 1, :min => 2, :max => 3, :count => 4)

_profiler_code(table, what, value) = get(table, value) do
    throw(ArgumentError("$(what) must be one of $(sort(collect(keys(table)))), got :$(value)"))
end

"""
    profiler_set_state(state=:stop)

Starts (`:run`) or stops (`:stop`) the profiler.
"""
function profiler_set_state(state::Symbol=:stop)
    MVProfilerSetState(Cint(_profiler_code(_PROFILER_STATES, "state", state)))
    return nothing
end

"Pauses recording; `profiler_resume` continues it."
profiler_pause() = (MVProfilerPause(Cint(1)); nothing)

"Resumes recording after `profiler_pause`."
profiler_resume() = (MVProfilerPause(Cint(0)); nothing)

"Writes the trace file (Chrome trace JSON); with `finished` the written events are forgotten."
profiler_dump(; finished::Bool=true) = (MVProfilerDump(Cint(finished)); nothing)

"""
    profiler_dumps(; reset=false, format=:table, sort_by=:total, ascending=false)

The aggregate statistics (with `aggregate_stats=true`) as MXNet's table or JSON.
"""
function profiler_dumps(; reset::Bool=false, format::Symbol=:table, sort_by::Symbol=:total, ascending::Bool=false)
    f = _profiler_code(_PROFILER_FORMATS, "format", format)
    s = _profiler_code(_PROFILER_SORT_BY, "sort_by", sort_by)
    out = Ref{Cstring}(C_NULL)
    MVProfilerDumps(Cint(reset), Cint(f), Cint(s), Cint(ascending), out)
    return unsafe_string(out[])
end

"A category of profiler objects (a domain)."
mutable struct ProfileDomain
    handle::MVProfileDomainHandle
    name::String

    function ProfileDomain(name::AbstractString)
        out = Ref{MVProfileDomainHandle}(C_NULL)
        MVProfileDomainCreate(String(name), out)
        domain = new(out[], String(name))
        finalizer(_free!, domain)
        return domain
    end
end

function _free!(domain::ProfileDomain)
    handle = domain.handle
    if handle != C_NULL
        domain.handle = MVProfileDomainHandle(C_NULL)
        MVProfileDomainFree(handle)
    end
    return nothing
end

const _PROFILE_KINDS = Dict(:task => MV_PROFILE_TASK, :frame => MV_PROFILE_FRAME, :event => MV_PROFILE_EVENT,
                            :counter => MV_PROFILE_COUNTER)

"""
    ProfileObject(domain, kind, name)

A `:task`, `:frame` or `:counter` of `domain`, or an `:event` (`domain` may be `nothing`).
Time intervals with `profiler_start`/`profiler_stop`; set counters with `profiler_counter_set`
and `profiler_counter_adjust`.
"""
mutable struct ProfileObject
    handle::MVProfileObjectHandle
    name::String
    domain::Union{ProfileDomain,Nothing}

    function ProfileObject(domain::Union{ProfileDomain,Nothing}, kind::Symbol, name::AbstractString)
        code = _profiler_code(_PROFILE_KINDS, "kind", kind)
        dh = domain === nothing ? MVProfileDomainHandle(C_NULL) : domain.handle
        out = Ref{MVProfileObjectHandle}(C_NULL)
        GC.@preserve domain MVProfileObjectCreate(dh, code, String(name), out)
        obj = new(out[], String(name), domain)
        finalizer(_free!, obj)
        return obj
    end
end

function _free!(obj::ProfileObject)
    handle = obj.handle
    if handle != C_NULL
        obj.handle = MVProfileObjectHandle(C_NULL)
        MVProfileObjectFree(handle)
    end
    return nothing
end

function _handle(obj::ProfileObject)
    obj.handle == C_NULL && throw(MinervaError(:invalid_handle, "ProfileObject used after close"))
    return obj.handle
end

Base.close(obj::ProfileObject) = _free!(obj)

profiler_start(obj::ProfileObject) = (MVProfileObjectStart(_handle(obj)); nothing)
profiler_stop(obj::ProfileObject) = (MVProfileObjectStop(_handle(obj)); nothing)
profiler_counter_set(obj::ProfileObject, value::Integer) = (MVProfileCounterSet(_handle(obj), Int64(value)); nothing)
profiler_counter_adjust(obj::ProfileObject, delta::Integer) =
    (MVProfileCounterAdjust(_handle(obj), Int64(delta)); nothing)

"Records an instant marker `name` in `domain`; `scope` is :global, :process, :thread, :task or :marker."
function profiler_mark(domain::ProfileDomain, name::AbstractString, scope::Symbol=:process)
    GC.@preserve domain MVProfileMarkerSet(domain.handle, String(name), string(scope))
    return nothing
end
