"""Executors (bind/simple_bind, forward/backward, reshape, monitor, memory plan), CachedOp and
checkpoints. Values are compared with mx.nd + autograd or numpy, computed independently."""
import os

import minerva as mx
import numpy as np
import pytest
from minerva import autograd


def two_layer():
    data = mx.sym.var("data")
    h = mx.sym.FullyConnected(data, num_hidden=5, name="fc1")
    h = mx.sym.Activation(h, act_type="tanh", name="act")
    return mx.sym.FullyConnected(h, num_hidden=3, name="fc2")


SHAPES = {"data": (4, 6), "fc1_weight": (5, 6), "fc1_bias": (5,), "fc2_weight": (3, 5), "fc2_bias": (3,)}


def values():
    return {k: np.random.uniform(-1, 1, s).astype(np.float32) for k, s in SHAPES.items()}


def imperative(arrays):
    h = mx.nd.FullyConnected(arrays["data"], arrays["fc1_weight"], arrays["fc1_bias"], num_hidden=5)
    h = mx.nd.Activation(h, act_type="tanh")
    return mx.nd.FullyConnected(h, arrays["fc2_weight"], arrays["fc2_bias"], num_hidden=3)


def autograd_reference(vals, head):
    arrays = {k: mx.nd.array(v) for k, v in vals.items()}
    for a in arrays.values():
        a.attach_grad()
    with autograd.record():
        out = imperative(arrays)
    out.backward(mx.nd.array(head))
    return out.asnumpy(), {k: a.grad.asnumpy() for k, a in arrays.items()}


# ---- bind / simple_bind ----------------------------------------------------------------------------
def test_forward_and_backward_equal_autograd():
    sym = two_layer()
    vals, head = values(), np.random.uniform(-1, 1, (4, 3)).astype(np.float32)
    args = {k: mx.nd.array(v) for k, v in vals.items()}
    grads = {k: mx.nd.zeros(v.shape) for k, v in vals.items()}
    exe = sym.bind(mx.cpu(), args, args_grad=grads)
    outs = exe.forward(is_train=True)
    exe.backward(mx.nd.array(head))
    ref_out, ref_grads = autograd_reference(vals, head)
    np.testing.assert_allclose(outs[0].asnumpy(), ref_out, rtol=1e-5, atol=1e-6)
    for k in SHAPES:
        np.testing.assert_allclose(exe.grad_dict[k].asnumpy(), ref_grads[k], rtol=1e-5, atol=1e-6, err_msg=k)
    assert exe.arg_arrays[0] is args["data"] and exe.grad_dict["fc1_weight"] is grads["fc1_weight"]


def test_simple_bind_allocates_from_shapes():
    sym = two_layer()
    exe = sym.simple_bind(mx.cpu(), data=(4, 6))
    assert {k: v.shape for k, v in exe.arg_dict.items()} == SHAPES
    assert {k: v.shape for k, v in exe.grad_dict.items()} == SHAPES
    assert list(exe.output_dict) == ["fc2_output"] and exe.outputs[0].shape == (4, 3)
    assert all(not a.asnumpy().any() for a in exe.arg_arrays)
    vals, head = values(), np.random.uniform(-1, 1, (4, 3)).astype(np.float32)
    exe.copy_params_from({k: mx.nd.array(v) for k, v in vals.items() if k != "data"})
    out = exe.forward(is_train=True, data=vals["data"])[0]
    exe.backward([mx.nd.array(head)])
    ref_out, ref_grads = autograd_reference(vals, head)
    np.testing.assert_allclose(out.asnumpy(), ref_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(exe.grad_dict["fc1_weight"].asnumpy(), ref_grads["fc1_weight"], rtol=1e-5, atol=1e-6)


def test_simple_bind_grad_req_forms_and_dtypes():
    sym = two_layer()
    exe = sym.simple_bind(mx.cpu(), grad_req="null", data=(4, 6))
    assert exe.grad_arrays == [None] * 5
    exe = sym.simple_bind(mx.cpu(), grad_req={"fc1_weight": "add"}, data=(4, 6))
    assert [g is None for g in exe.grad_arrays] == [True, False, True, True, True]
    exe = sym.simple_bind(mx.cpu(), grad_req=["null", "write", "add", "write", "null"], data=(4, 6))
    assert [g is None for g in exe.grad_arrays] == [True, False, False, False, True]
    exe = sym.simple_bind(mx.cpu(), type_dict={"data": np.float64}, data=(4, 6))
    assert all(a.dtype == np.float64 for a in exe.arg_arrays)
    with pytest.raises(ValueError, match="grad_req must be in"):
        sym.simple_bind(mx.cpu(), grad_req="sometimes", data=(4, 6))


@pytest.mark.parametrize("req", ["write", "add", "null"])
def test_grad_req_write_add_null(req):
    sym = two_layer()
    vals, head = values(), np.random.uniform(-1, 1, (4, 3)).astype(np.float32)
    start = {k: np.full(v.shape, 0.5, np.float32) for k, v in vals.items()}
    grads = {k: mx.nd.array(v) for k, v in start.items()}
    exe = sym.bind(mx.cpu(), {k: mx.nd.array(v) for k, v in vals.items()}, args_grad=grads, grad_req=req)
    for _ in range(2):
        exe.forward(is_train=True)
        exe.backward(mx.nd.array(head))
    _, ref = autograd_reference(vals, head)
    for k in SHAPES:
        want = {"write": ref[k], "add": start[k] + 2 * ref[k], "null": start[k]}[req]
        np.testing.assert_allclose(grads[k].asnumpy(), want, rtol=1e-5, atol=1e-5, err_msg=k)


def test_grad_req_dict_and_partial_args_grad():
    sym = two_layer()
    vals = values()
    w_grad = mx.nd.ones(SHAPES["fc1_weight"])
    exe = sym.bind(mx.cpu(), {k: mx.nd.array(v) for k, v in vals.items()}, args_grad={"fc1_weight": w_grad},
                   grad_req={"fc1_weight": "add"})
    assert [g is None for g in exe.grad_arrays] == [True, False, True, True, True]
    exe.forward(is_train=True)
    exe.backward(mx.nd.ones((4, 3)))
    _, ref = autograd_reference(vals, np.ones((4, 3), np.float32))
    np.testing.assert_allclose(w_grad.asnumpy(), 1 + ref["fc1_weight"], rtol=1e-5, atol=1e-5)


def test_bind_errors_follow_mxnet():
    sym = two_layer()
    args = {k: mx.nd.array(v) for k, v in values().items()}
    with pytest.raises(ValueError, match="key `fc2_bias` is missing in `args`"):
        sym.bind(mx.cpu(), {k: v for k, v in args.items() if k != "fc2_bias"})
    with pytest.raises(ValueError, match="Length of args does not match"):
        sym.bind(mx.cpu(), list(args.values())[:3])
    with pytest.raises(ValueError, match="Length of args_grad does not match"):
        sym.bind(mx.cpu(), args, args_grad=[mx.nd.zeros(3)])
    with pytest.raises(TypeError, match="list of NDArrays"):
        sym.bind(mx.cpu(), {k: v.asnumpy() for k, v in args.items()})
    with pytest.raises(ValueError, match="grad_req must be in"):
        sym.bind(mx.cpu(), args, grad_req="foo")
    bn = mx.sym.BatchNorm(mx.sym.var("x"), name="bn")
    with pytest.raises(ValueError, match="Length of aux_states does not match"):
        bn.bind(mx.cpu(), {"x": mx.nd.ones((2, 3)), "bn_gamma": mx.nd.ones(3), "bn_beta": mx.nd.zeros(3)})
    wrong = dict(args, fc1_weight=mx.nd.ones((7, 6)))
    with pytest.raises(mx.MXNetError, match="fc1_weight"):
        sym.bind(mx.cpu(), wrong)


def test_forward_keyword_arguments_are_checked():
    exe = two_layer().simple_bind(mx.cpu(), data=(4, 6))
    with pytest.raises(TypeError, match="Unknown argument foo"):
        exe.forward(foo=np.ones(3))
    with pytest.raises(ValueError, match=r"Shape not match! Argument data, need: \(4, 6\), received: \(3, 6\)"):
        exe.forward(data=np.ones((3, 6)))


def test_dicts_and_batchnorm_aux_states():
    data = mx.sym.var("data")
    net = mx.sym.BatchNorm(data, fix_gamma=False, momentum=0.5, name="bn")
    x = np.random.uniform(0, 4, (8, 3)).astype(np.float32)
    exe = net.simple_bind(mx.cpu(), data=(8, 3))
    assert sorted(exe.aux_dict) == ["bn_moving_mean", "bn_moving_var"]
    exe.arg_dict["bn_gamma"][:] = 1
    exe.aux_dict["bn_moving_var"][:] = 1
    exe.forward(is_train=True, data=x)
    np.testing.assert_allclose(exe.aux_dict["bn_moving_mean"].asnumpy(), 0.5 * x.mean(axis=0), rtol=1e-5)
    out = exe.output_dict["bn_output"].asnumpy()
    np.testing.assert_allclose(out, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-4, atol=1e-4)
    before = exe.aux_dict["bn_moving_mean"].asnumpy()
    exe.forward(is_train=False, data=x)
    np.testing.assert_array_equal(exe.aux_dict["bn_moving_mean"].asnumpy(), before)


def test_copy_params_from():
    exe = two_layer().simple_bind(mx.cpu(), data=(4, 6))
    exe.copy_params_from({"fc2_bias": mx.nd.array([1, 2, 3], dtype=np.float64)})
    np.testing.assert_array_equal(exe.arg_dict["fc2_bias"].asnumpy(), [1, 2, 3])
    assert exe.arg_dict["fc2_bias"].dtype == np.float32
    with pytest.raises(ValueError, match='Find name "nope" that is not in the arguments'):
        exe.copy_params_from({"nope": mx.nd.ones(3)})
    with pytest.raises(ValueError, match="not in the auxiliary states"):
        exe.copy_params_from({}, {"nope": mx.nd.ones(3)})
    exe.copy_params_from({"nope": mx.nd.ones(3)}, {"nope": mx.nd.ones(3)}, allow_extra_params=True)
    with pytest.raises(mx.MXNetError):
        exe.copy_params_from({"fc2_bias": mx.nd.ones(4)})
        exe.arg_dict["fc2_bias"].asnumpy()


def test_eval():
    vals = values()
    out = two_layer().eval(ctx=mx.cpu(), **{k: mx.nd.array(v) for k, v in vals.items()})
    assert isinstance(out, list) and len(out) == 1
    ref = imperative({k: mx.nd.array(v) for k, v in vals.items()}).asnumpy()
    np.testing.assert_allclose(out[0].asnumpy(), ref, rtol=1e-5, atol=1e-6)


# ---- reshape --------------------------------------------------------------------------------------
def test_reshape_shares_parameters_and_views_smaller_inputs():
    exe = two_layer().simple_bind(mx.cpu(), data=(4, 6))
    vals = values()
    exe.copy_params_from({k: mx.nd.array(v) for k, v in vals.items()})
    small = exe.reshape(data=(2, 6))
    assert small.arg_dict["fc1_weight"] is exe.arg_dict["fc1_weight"]
    assert small.arg_dict["data"].shape == (2, 6) and small.outputs[0].shape == (2, 3)
    np.testing.assert_array_equal(small.arg_dict["data"].asnumpy(), vals["data"][:2])
    small.arg_dict["data"][:] = 7  # a view on the big executor's memory
    np.testing.assert_array_equal(exe.arg_dict["data"].asnumpy()[:2], np.full((2, 6), 7))
    out = small.forward()[0].asnumpy()
    ref = imperative({**{k: mx.nd.array(v) for k, v in vals.items()}, "data": mx.nd.full((2, 6), 7)}).asnumpy()
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)


def test_reshape_rules_follow_mxnet():
    exe = two_layer().simple_bind(mx.cpu(), data=(4, 6))
    with pytest.raises(mx.MXNetError, match="New shape of arg: data is larger than original"):
        exe.reshape(data=(8, 6))
    big = exe.reshape(allow_up_sizing=True, data=(8, 6))
    assert big.arg_dict["data"].shape == (8, 6) and big.outputs[0].shape == (8, 3)
    assert big.arg_dict["fc2_weight"] is exe.arg_dict["fc2_weight"]
    with pytest.raises(mx.MXNetError, match="Shape of unspecified arg: fc1_weight changed"):
        exe.reshape(data=(2, 3))
    part = exe.reshape(partial_shaping=True, data=(2, 3))
    assert part.arg_dict["fc1_weight"].shape == (5, 3)


# ---- monitor, memory plan, debug_str ------------------------------------------------------------------
def test_monitor_reports_every_node_and_carries_exceptions():
    exe = two_layer().simple_bind(mx.cpu(), data=(4, 6))
    exe.arg_dict["data"][:] = 1
    seen = {}
    exe.set_monitor_callback(lambda name, arr: seen.setdefault(name, arr.asnumpy()))
    out = exe.forward()[0].asnumpy()
    assert ["fc1_output", "act_output", "fc2_output"] == [n for n in seen if not n.endswith("_backward_output")][:3]
    np.testing.assert_array_equal(seen["fc2_output"], out)
    exe.forward(is_train=True)
    exe.backward(mx.nd.ones((4, 3)))
    assert any("backward" in n for n in seen)

    def boom(name, arr):
        raise KeyError("boom at " + name)

    exe.set_monitor_callback(boom)
    with pytest.raises(KeyError, match="boom at fc1_output"):
        exe.forward()
    exe.set_monitor_callback(None)
    assert exe.forward()[0].shape == (4, 3)


def test_memory_plan_is_smaller_than_one_buffer_per_result():
    data = mx.sym.var("data")
    h = data
    for i in range(6):
        h = mx.sym.Activation(mx.sym.FullyConnected(h, num_hidden=64, name=f"fc{i}"), act_type="relu", name=f"r{i}")
    exe = mx.sym.FullyConnected(h, num_hidden=10, name="out").simple_bind(mx.cpu(), data=(32, 64))
    stats = exe.memory_stats()
    assert set(stats) >= {"planned_bytes", "unplanned_bytes", "num_buffers", "num_entries", "num_inplace"}
    assert 0 < stats["planned_bytes"] < stats["unplanned_bytes"]
    assert stats["num_buffers"] < stats["num_entries"]
    text = exe.debug_str()
    assert "Op:FullyConnected, Name=fc0" in text and "Variable:data" in text
    assert f"{stats['planned_bytes']} bytes" in text


# ---- CachedOp -------------------------------------------------------------------------------------
def test_cached_op_equals_executor_and_is_recorded_by_autograd():
    sym = two_layer()
    vals, head = values(), np.random.uniform(-1, 1, (4, 3)).astype(np.float32)
    op = mx.nd.CachedOp(sym)
    inputs = [mx.nd.array(vals[n]) for n in sym.list_inputs()]
    ref_out, ref_grads = autograd_reference(vals, head)
    out = op(*inputs)
    assert isinstance(out, mx.nd.NDArray)
    np.testing.assert_allclose(out.asnumpy(), ref_out, rtol=1e-5, atol=1e-6)
    for x in inputs:
        x.attach_grad()
    with autograd.record():
        y = op(*inputs)
    y.backward(mx.nd.array(head))
    for name, x in zip(sym.list_inputs(), inputs):
        np.testing.assert_allclose(x.grad.asnumpy(), ref_grads[name], rtol=1e-5, atol=1e-6, err_msg=name)


def test_cached_op_outputs_flags_and_errors():
    a, b = mx.sym.var("a"), mx.sym.var("b")
    op = mx.nd.CachedOp(mx.sym.Group([a + b, a * b]), flags=[("static_alloc", True), ("static_shape", True)])
    x, y = mx.nd.array([1.0, 2.0]), mx.nd.array([3.0, 4.0])
    s, p = op(x, y)
    np.testing.assert_array_equal(s.asnumpy(), [4, 6])
    np.testing.assert_array_equal(p.asnumpy(), [3, 8])
    outs = [mx.nd.zeros(2), mx.nd.zeros(2)]
    assert op(x, y, out=outs) is outs
    np.testing.assert_array_equal(outs[1].asnumpy(), [3, 8])
    np.testing.assert_array_equal(op(mx.nd.ones((2, 2)), mx.nd.ones((2, 2)))[0].asnumpy(), np.full((2, 2), 2))
    with pytest.raises(ValueError, match="expects 2 inputs"):
        op(x)
    with pytest.raises(TypeError, match="NDArray"):
        op(x, np.ones(2))
    with pytest.raises(mx.MXNetError, match="bogus"):
        mx.nd.CachedOp(a + b, flags={"bogus": 1})


# ---- checkpoints ----------------------------------------------------------------------------------
def test_checkpoint_round_trip(tmp_path):
    net = mx.sym.BatchNorm(mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=3, name="fc1"), name="bn")
    arg = {"fc1_weight": mx.nd.array(np.random.rand(3, 4)), "fc1_bias": mx.nd.array([1, 2, 3])}
    aux = {"bn_moving_mean": mx.nd.array([0.5, 0.5, 0.5])}
    prefix = str(tmp_path / "model")
    mx.model.save_checkpoint(prefix, 3, net, arg, aux)
    assert sorted(os.listdir(tmp_path)) == ["model-0003.params", "model-symbol.json"]
    assert sorted(mx.nd.load(prefix + "-0003.params")) == ["arg:fc1_bias", "arg:fc1_weight", "aux:bn_moving_mean"]
    sym, arg2, aux2 = mx.model.load_checkpoint(prefix, 3)
    assert sym.tojson() == net.tojson()
    assert sorted(arg2) == ["fc1_bias", "fc1_weight"] and sorted(aux2) == ["bn_moving_mean"]
    np.testing.assert_array_equal(arg2["fc1_weight"].asnumpy(), arg["fc1_weight"].asnumpy())
    arg3, aux3 = mx.model.load_params(prefix, 3)
    assert sorted(arg3) == sorted(arg2) and sorted(aux3) == sorted(aux2)


def test_checkpoint_with_bare_names(tmp_path):
    net = mx.sym.BatchNorm(mx.sym.var("data"), name="bn")
    prefix = str(tmp_path / "gluon")
    net.save(prefix + "-symbol.json")
    mx.nd.save(prefix + "-0000.params", {"bn_gamma": mx.nd.ones(2), "bn_moving_var": mx.nd.ones(2),
                                         "arg:bn_beta": mx.nd.zeros(2)})
    _, arg, aux = mx.model.load_checkpoint(prefix, 0)
    assert sorted(arg) == ["bn_beta", "bn_gamma"] and sorted(aux) == ["bn_moving_var"]
    arg, aux = mx.model.load_params(prefix, 0)
    assert sorted(arg) == ["bn_beta", "bn_gamma", "bn_moving_var"] and aux == {}
    mx.nd.save(prefix + "-0001.params", [mx.nd.ones(2)])
    with pytest.raises(ValueError, match="unnamed"):
        mx.model.load_params(prefix, 1)
