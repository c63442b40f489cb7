# Checkpoints in MXNet's files (prefix-symbol.json + prefix-NNNN.params) and a FeedForward model
# trained with SGD through the registry's update operators (sgd_update, sgd_mom_update).

"""
    save_checkpoint(prefix, epoch, sym, arg_params, aux_params)

Writes `prefix-symbol.json` and `prefix-NNNN.params` (keys `arg:<name>` and `aux:<name>`), the
files MXNet's `mx.model.save_checkpoint` writes.
"""
function save_checkpoint(prefix::AbstractString, epoch::Integer, sym::SymbolicNode,
                         arg_params::AbstractDict, aux_params::AbstractDict)
    save("$(prefix)-symbol.json", sym)
    params = Dict{Symbol,NDArray}()
    for (k, v) in arg_params
        params[Symbol("arg:", k)] = v
    end
    for (k, v) in aux_params
        params[Symbol("aux:", k)] = v
    end
    save("$(prefix)-$(lpad(epoch, 4, '0')).params", params)
    return nothing
end

"""
    load_checkpoint(prefix, epoch) -> (sym, arg_params, aux_params)

Reads the files of `save_checkpoint` (or MXNet's).
"""
function load_checkpoint(prefix::AbstractString, epoch::Integer)
    sym = load("$(prefix)-symbol.json", SymbolicNode)
    loaded = load("$(prefix)-$(lpad(epoch, 4, '0')).params", NDArray)
    arg_params = Dict{Symbol,NDArray}()
    aux_params = Dict{Symbol,NDArray}()
    if loaded isa AbstractDict
        for (k, v) in loaded
            key = string(k)
            if startswith(key, "arg:")
                arg_params[Symbol(key[5:end])] = v
            elseif startswith(key, "aux:")
                aux_params[Symbol(key[5:end])] = v
            end
        end
    end
    return sym, arg_params, aux_params
end

"""
    SGD(; lr=0.01, momentum=0.0, weight_decay=0.0001)

Stochastic gradient descent, applied with the registry's `sgd_update` / `sgd_mom_update`.
"""
struct SGD
    lr::Float64
    momentum::Float64
    weight_decay::Float64
end

SGD(; lr::Real=0.01, momentum::Real=0.0, weight_decay::Real=0.0001) = SGD(lr, momentum, weight_decay)

"""
    FeedForward(arch; context=cpu())

A model of one symbol whose last layer is a loss output (e.g. `SoftmaxOutput`), trained by
`fit` and applied by `predict`, as MXNet.jl's `mx.FeedForward`.
"""
mutable struct FeedForward
    arch::SymbolicNode
    ctx::Context
    arg_params::Dict{Symbol,NDArray}
    aux_params::Dict{Symbol,NDArray}
end

FeedForward(arch::SymbolicNode; context::Context=cpu()) =
    FeedForward(arch, context, Dict{Symbol,NDArray}(), Dict{Symbol,NDArray}())

# Indices of batch b (1-based) over n samples; the last batch wraps around to stay full.
_batch_indices(b, batch_size, n) = [mod1((b - 1) * batch_size + i, n) for i in 1:batch_size]

_take_batch(X::AbstractArray, idx) = collect(selectdim(X, ndims(X), idx))

# Fresh parameters: biases and betas 0, gammas and moving variances 1, weights uniform(-scale, scale).
function _init_param!(name::Symbol, arr::NDArray, scale::Real)
    key = string(name)
    if endswith(key, "bias") || endswith(key, "beta") || endswith(key, "moving_mean")
        copy!(arr, fill(zero(eltype(arr)), size(arr)))
    elseif endswith(key, "gamma") || endswith(key, "moving_var")
        copy!(arr, fill(one(eltype(arr)), size(arr)))
    else
        uniform(; low=-scale, high=scale, shape=size(arr), out=arr)
    end
    return arr
end

"""
    fit(model, optimizer, X, y; n_epoch=10, batch_size=32, init_scale=0.07,
        data_name=:data, label_name=:softmax_label, verbosity=1)

Trains on the Julia arrays `X` (samples along the last dimension) and `y` (one label per
sample). Parameters already in `model.arg_params` are used as the starting point.
"""
function fit(model::FeedForward, optimizer::SGD, X::AbstractArray, y::AbstractArray; n_epoch::Integer=10,
             batch_size::Integer=32, init_scale::Real=0.07, data_name::Symbol=:data,
             label_name::Symbol=:softmax_label, verbosity::Integer=1)
    n = size(X, ndims(X))
    n == length(y) || throw(DimensionMismatch("fit: $(n) samples in X, $(length(y)) labels"))
    data_shape = (size(X)[1:end-1]..., batch_size)
    grad_req = Dict{Symbol,Symbol}(k => (k in (data_name, label_name) ? :null : :write) for k in list_arguments(model.arch))
    exe = simple_bind(model.arch, model.ctx; grad_req=grad_req, Dict(data_name => data_shape,
                                                                       label_name => (batch_size,))...)
    params = [k for k in list_arguments(model.arch) if !(k in (data_name, label_name))]
    for k in params
        haskey(model.arg_params, k) ? copy!(exe.arg_dict[k], model.arg_params[k]) :
            _init_param!(k, exe.arg_dict[k], init_scale)
    end
    for (k, arr) in exe.aux_dict
        haskey(model.aux_params, k) ? copy!(arr, model.aux_params[k]) : _init_param!(k, arr, init_scale)
    end
    momentum = Dict{Symbol,NDArray}(k => zeros(size(exe.arg_dict[k])...) for k in params if optimizer.momentum != 0)
    rescale = 1.0 / batch_size
    num_batches = cld(n, batch_size)
    for epoch in 1:n_epoch
        correct = 0
        for b in 1:num_batches
            idx = _batch_indices(b, batch_size, n)
            outputs = forward(exe; is_train=true, Dict(data_name => _take_batch(X, idx),
                                                       label_name => Float32.(y[idx]))...)
            backward(exe)
            for k in params
                w, g = exe.arg_dict[k], exe.grad_dict[k]
                if optimizer.momentum == 0
                    sgd_update(w, g; lr=optimizer.lr, wd=optimizer.weight_decay, rescale_grad=rescale, out=w)
                else
                    sgd_mom_update(w, g, momentum[k]; lr=optimizer.lr, momentum=optimizer.momentum,
                                   wd=optimizer.weight_decay, rescale_grad=rescale, out=w)
                end
            end
            probs = Array(outputs[1])
            correct += count(i -> argmax(view(probs, :, i)) - 1 == Int(y[idx[i]]), 1:batch_size)
        end
        verbosity > 0 && println("epoch $(epoch): training accuracy $(round(correct / (num_batches * batch_size); digits=4))")
    end
    for k in params
        model.arg_params[k] = copy(exe.arg_dict[k])
    end
    for (k, arr) in exe.aux_dict
        model.aux_params[k] = copy(arr)
    end
    close(exe)
    return model
end

"""
    predict(model, X; batch_size=32, data_name=:data)

The model's first output for every sample of `X` (samples along the last dimension), as a Julia
array with samples along its last dimension.
"""
function predict(model::FeedForward, X::AbstractArray; batch_size::Integer=32, data_name::Symbol=:data)
    isempty(model.arg_params) && throw(ArgumentError("predict: the model has no parameters; fit it or load them"))
    n = size(X, ndims(X))
    data_shape = (size(X)[1:end-1]..., batch_size)
    exe = simple_bind(model.arch, model.ctx; grad_req=:null, Dict(data_name => data_shape)...)
    for (k, arr) in exe.arg_dict
        haskey(model.arg_params, k) && copy!(arr, model.arg_params[k])
    end
    for (k, arr) in exe.aux_dict
        haskey(model.aux_params, k) && copy!(arr, model.aux_params[k])
    end
    pieces = Array[]
    for b in 1:cld(n, batch_size)
        idx = _batch_indices(b, batch_size, n)
        outputs = forward(exe; is_train=false, Dict(data_name => _take_batch(X, idx))...)
        keep = min(batch_size, n - (b - 1) * batch_size)
        out = Array(outputs[1])
        push!(pieces, collect(selectdim(out, ndims(out), 1:keep)))
    end
    close(exe)
    return cat(pieces...; dims=ndims(pieces[1]))
end
