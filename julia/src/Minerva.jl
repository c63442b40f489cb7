"""
    Minerva

Julia binding of Minerva, an MXNet 1.x re-implementation, in the style of MXNet.jl: `using Minerva`
brings `mx` into scope (`mx.zeros(2, 3)`, `mx.FullyConnected(...)`). Arrays use Julia's
column-major order: a Julia array of size (28, 28, 1, N) is the library's (N, 1, 28, 28).

Layers: `capi.jl` (generated `ccall` wrappers, one per C ABI function), `ops.jl` (generated
operator functions), and the hand-written NDArray, SymbolicNode, Executor and model code on top.
"""
module Minerva

using Libdl

export mx, NDArray, SymbolicNode, Executor, MinervaError, Variable

const mx = Minerva

include("capi.jl")
include("base.jl")
include("ndarray.jl")
include("symbol.jl")
include("ops.jl")
include("executor.jl")
include("model.jl")
include("profiler.jl")

# Loads the library, resolves every bound function and checks the ABI level (ABI rule 4).
__init__() = check_library()

end # module
