# Minerva.jl's own tests: run with `Pkg.test("Minerva")` wherever Julia is installed, with the
# library built (build/libminerva.so) or MINERVA_LIBRARY_PATH set. On the project's machines no
# Julia runtime exists; tests/julia checks these sources statically instead.
using Test
using Minerva

@testset "Minerva.jl" begin
    @testset "library" begin
        level = Ref{Cint}(0)
        mx.MVGetABIVersion(level)
        @test level[] >= mx.MV_ABI_VERSION
        err = try
            mx.MVOpGetHandle("no_such_operator", Ref{mx.MVOpHandle}(C_NULL))
            nothing
        catch e
            e
        end
        @test err isa MinervaError
        @test err.kind == :not_found
    end

    @testset "arrays" begin
        a = reshape(Float32.(1:6), 2, 3)
        nd = NDArray(a)
        @test size(nd) == (2, 3)
        @test eltype(nd) == Float32
        @test Array(nd) == a
        @test Array(nd + nd) == 2 .* a
        @test Array(nd .* nd) == a .* a
        @test Array(nd ./ 2) == a ./ 2
        @test Array(nd - 1) == a .- 1
        @test Array(mx.zeros(2, 3)) == zeros(Float32, 2, 3)
        @test Array(mx.ones(Float64, 4)) == ones(Float64, 4)
        b = mx.zeros(2, 3)
        copy!(b, a)
        @test Array(b) == a
        # column-major: Julia (2, 3) is the core's (3, 2); Julia axis 1 is the core's last axis
        @test vec(Array(sum(nd; axis=1))) == vec(sum(a; dims=1))
        @test vec(Array(sum(nd; axis=2))) == vec(sum(a; dims=2))
        @test size(mx.transpose(nd)) == (3, 2)
        m = NDArray(Float32[1 2; 3 4])
        @test Array(mx.dot(m, m)) == Float32[1 2; 3 4] * Float32[1 2; 3 4]
        @test Array(mx.relu(NDArray(Float32[-1, 2]))) == Float32[0, 2]
        @test size(mx.Concat(nd, nd; dim=2)) == (2, 6)
        close(nd)
        close(nd)   # idempotent
        @test_throws MinervaError size(nd)
    end

    @testset "symbols" begin
        data = mx.Variable(:data)
        fc = mx.FullyConnected(data; name=:fc1, num_hidden=4)
        @test mx.list_arguments(fc) == [:data, :fc1_weight, :fc1_bias]
        arg_shapes, out_shapes, _ = mx.infer_shape(fc; data=(3, 8))
        @test arg_shapes == [(3, 8), (3, 4), (4,)]
        @test out_shapes == [(4, 8)]
        again = mx.from_json(mx.to_json(fc), SymbolicNode)
        @test mx.list_arguments(again) == mx.list_arguments(fc)
    end

    @testset "executor" begin
        x = mx.Variable(:x)
        y = mx.FullyConnected(x; name=:fc, num_hidden=2, no_bias=true)
        exe = mx.simple_bind(y, mx.cpu(); x=(3, 5))
        copy!(exe.arg_dict[:fc_weight], ones(Float32, 3, 2))
        out = mx.forward(exe; is_train=true, x=ones(Float32, 3, 5))
        @test Array(out[1]) == fill(3.0f0, 2, 5)
        mx.backward(exe)
        @test Array(exe.grad_dict[:fc_weight]) == fill(5.0f0, 3, 2)
        close(exe)
    end

    @testset "tiny MLP and checkpoint" begin
        mx.srand(7)
        n = 256
        X = randn(Float32, 2, n)
        y = Float32[X[1, i] + 2 * X[2, i] > 0 ? 1 : 0 for i in 1:n]
        data = mx.Variable(:data)
        net = mx.FullyConnected(data; name=:fc1, num_hidden=32)
        net = mx.Activation(net; name=:relu1, act_type="relu")
        net = mx.FullyConnected(net; name=:fc2, num_hidden=2)
        net = mx.SoftmaxOutput(net; name=:softmax)
        model = mx.FeedForward(net)
        mx.fit(model, mx.SGD(lr=0.1, momentum=0.9, weight_decay=0.0), X, y; n_epoch=20, batch_size=32,
               verbosity=0)
        probs = mx.predict(model, X)
        @test size(probs) == (2, n)
        accuracy = sum((argmax(probs[:, i]) - 1) == y[i] for i in 1:n) / n
        @test accuracy > 0.85

        prefix = joinpath(mktempdir(), "mlp")
        mx.save_checkpoint(prefix, 3, net, model.arg_params, model.aux_params)
        sym, arg_params, aux_params = mx.load_checkpoint(prefix, 3)
        @test mx.list_arguments(sym) == mx.list_arguments(net)
        @test Set(keys(arg_params)) == Set(keys(model.arg_params))
        for (k, v) in model.arg_params
            @test Array(arg_params[k]) == Array(v)
        end
        reloaded = mx.FeedForward(sym)
        reloaded.arg_params = arg_params
        reloaded.aux_params = aux_params
        @test mx.predict(reloaded, X) ≈ probs
    end
end
