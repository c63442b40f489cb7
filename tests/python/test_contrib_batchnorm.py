"""mx.nd.contrib.BatchNormWithReLU and SyncBatchNorm beyond their training-mode golden cases
(tests/golden/ops/contrib_norm.json): inference mode, the moving statistics (updated by the backward
pass, as MXNet 1.9.1 does), symbols and executors, all against MXNet's values in
tests/golden/contrib_norm.json (tools/golden/make_contrib_norm_golden.py); Minerva's extensions
(other dtypes, ranks and axes) against BatchNorm itself; and the errors on bad input."""
import json
import pathlib
import re

import minerva as mx
import numpy as np
import pytest

GOLDEN = json.loads((pathlib.Path(__file__).resolve().parents[1] / "golden/contrib_norm.json").read_text())
OPS = {"BatchNormWithReLU": mx.nd.contrib.BatchNormWithReLU, "SyncBatchNorm": mx.nd.contrib.SyncBatchNorm}
TOL = {"rtol": 1e-4, "atol": 1e-5}


def _id(case):
    return f"{case['op']}-{'train' if case['train'] else 'predict'}-" + "-".join(f"{k}={v}" for k, v in
                                                                               case["params"].items())


@pytest.mark.parametrize("case", GOLDEN["imperative"], ids=[_id(c) for c in GOLDEN["imperative"]])
def test_imperative_matches_mxnet(case):
    nd = [mx.nd.array(np.array(v, np.float32)) for v in case["inputs"]]
    for a in nd[:3]:
        a.attach_grad()
    with mx.autograd.record(train_mode=case["train"]):
        out = OPS[case["op"]](*nd, **case["params"])
    outs = out if isinstance(out, list) else [out]
    assert len(outs) == len(case["outputs"])
    for got, expected in zip(outs, case["outputs"]):
        np.testing.assert_allclose(got.asnumpy(), expected, **TOL)
    # MXNet updates the moving statistics in the backward pass only.
    for got, expected in zip(nd[3:], case["moving_after_forward"]):
        np.testing.assert_allclose(got.asnumpy(), expected, **TOL)
    if "grads" in case:
        mx.autograd.backward([outs[0]], [mx.nd.array(case["head"])], train_mode=case["train"])
        for a, expected in zip(nd[:3], case["grads"]):
            np.testing.assert_allclose(a.grad.asnumpy(), expected, **TOL)
        for got, expected in zip(nd[3:], case["moving_after_backward"]):
            np.testing.assert_allclose(got.asnumpy(), expected, **TOL)


@pytest.mark.parametrize("case", GOLDEN["symbolic"], ids=[c["op"] for c in GOLDEN["symbolic"]])
def test_symbol_and_executor_match_mxnet(case):
    sym = getattr(mx.sym.contrib, case["op"])(mx.sym.var("data"), name="bn", **case["params"])
    assert sym.list_arguments() == case["arguments"]
    assert sym.list_auxiliary_states() == case["aux"]
    assert sym.list_outputs() == case["outputs"]
    assert sym.get_internals().list_outputs() == case["internals"]
    nodes = [{"name": n["name"], "op": n["op"], "attrs": n.get("attrs", {})} for n in json.loads(sym.tojson())["nodes"]]
    assert nodes == case["nodes"]
    exe = sym.simple_bind(mx.cpu(), data=(4, 3, 2, 2))
    for name, v in zip(["data", "bn_gamma", "bn_beta"], case["inputs"][:3]):
        exe.arg_dict[name][:] = np.array(v, np.float32)
    exe.aux_dict["bn_moving_mean"][:] = np.array(case["inputs"][3], np.float32)
    exe.aux_dict["bn_moving_var"][:] = np.array(case["inputs"][4], np.float32)
    np.testing.assert_allclose(exe.forward(is_train=True)[0].asnumpy(), case["output"], **TOL)
    exe.backward(mx.nd.array(case["head"]))
    for name, expected in zip(["data", "bn_gamma", "bn_beta"], case["grads"]):
        np.testing.assert_allclose(exe.grad_dict[name].asnumpy(), expected, **TOL)
    for name, expected in zip(["bn_moving_mean", "bn_moving_var"], case["aux_after"]):
        np.testing.assert_allclose(exe.aux_dict[name].asnumpy(), expected, **TOL)


def test_symbol_json_round_trip_keeps_the_hidden_outputs():
    # MXNet's JSON has 4 outputs for BatchNormWithReLU's node (out, mean, var, workspace), 3 for SyncBatchNorm's.
    for op, count in [("BatchNormWithReLU", 4), ("SyncBatchNorm", 3)]:
        sym = getattr(mx.sym.contrib, op)(mx.sym.var("data"), name="bn", key="k") if op == "SyncBatchNorm" else \
            getattr(mx.sym.contrib, op)(mx.sym.var("data"), name="bn")
        doc = json.loads(sym.tojson())
        assert doc["node_row_ptr"][-1] - doc["node_row_ptr"][-2] == count
        assert mx.sym.load_json(sym.tojson()).tojson() == sym.tojson()


def _bn_inputs(shape, axis=1, dtype="float32"):
    c = shape[axis]
    rng = np.random.RandomState(3)
    return [mx.nd.array(rng.uniform(-1, 1, shape), dtype=dtype)] + \
        [mx.nd.array(rng.uniform(0.5, 1.5, c), dtype=dtype if dtype != "float16" else "float32") for _ in range(4)]


@pytest.mark.parametrize("shape,axis,dtype", [((4, 3), 1, "float64"), ((2, 3, 4), -1, "float32"),
                                              ((2, 3, 2, 2, 2), 2, "float64"), ((4, 3, 2, 2), 1, "float16")])
@pytest.mark.parametrize("train", [False, True])
def test_batchnorm_with_relu_is_relu_of_batchnorm_beyond_what_mxnet_runs(shape, axis, dtype, train):
    # MXNet 1.9.1 runs it for 4-D float32 data on axis 1 only; elsewhere Minerva's is BatchNorm then relu.
    a, b = _bn_inputs(shape, axis, dtype), _bn_inputs(shape, axis, dtype)
    for x in (a[0], a[1], a[2], b[0], b[1], b[2]):
        x.attach_grad()
    params = {"axis": axis, "fix_gamma": False}
    with mx.autograd.record(train_mode=train):
        fused = mx.nd.contrib.BatchNormWithReLU(*a, **params)
        plain = mx.nd.relu(mx.nd.BatchNorm(*b, **params))
    tol = {"rtol": 1e-2, "atol": 1e-2} if dtype == "float16" else TOL
    np.testing.assert_allclose(fused.asnumpy(), plain.asnumpy(), **tol)
    head = mx.nd.array(np.random.uniform(-1, 1, shape), dtype=dtype)
    # In inference mode MXNet's own gradient is zero or stale (its inference forward writes no ReLU mask);
    # Minerva's is the derivative, as relu(BatchNorm)'s.
    fused.backward(head, train_mode=train)
    plain.backward(head, train_mode=train)
    for x, y in zip(a[:3], b[:3]):
        np.testing.assert_allclose(x.grad.asnumpy(), y.grad.asnumpy(), **tol)
    for x, y in zip(a[3:], b[3:]):  # BatchNorm updated them in its forward, BatchNormWithReLU in its backward
        np.testing.assert_allclose(x.asnumpy(), y.asnumpy(), **tol)


def test_sync_batchnorm_equals_batchnorm_on_one_device():
    a, b = _bn_inputs((4, 3, 2, 2)), _bn_inputs((4, 3, 2, 2))
    for x in (a[0], b[0]):
        x.attach_grad()
    with mx.autograd.record():
        sync = mx.nd.contrib.SyncBatchNorm(*a, key="layer0", fix_gamma=False, eps=1e-3)
        plain = mx.nd.BatchNorm(*b, fix_gamma=False, eps=1e-3)
    np.testing.assert_allclose(sync.asnumpy(), plain.asnumpy(), **TOL)
    sync.backward()
    plain.backward()
    np.testing.assert_allclose(a[0].grad.asnumpy(), b[0].grad.asnumpy(), **TOL)
    for x, y in zip(a[3:], b[3:]):
        np.testing.assert_allclose(x.asnumpy(), y.asnumpy(), **TOL)


def test_sync_batchnorm_leaves_gamma_unchanged_with_fix_gamma():
    # MXNet writes ones into gamma; Minerva reads gamma as 1 and leaves the array alone.
    a = _bn_inputs((4, 3))
    gamma = a[1].asnumpy()
    with mx.autograd.record():
        out = mx.nd.contrib.SyncBatchNorm(*a, key="k")
    expected = (a[0].asnumpy() - a[0].asnumpy().mean(0)) / np.sqrt(a[0].asnumpy().var(0) + 1e-3) + a[2].asnumpy()
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(a[1].asnumpy(), gamma)


def test_signatures_and_namespaces_follow_mxnet():
    import inspect
    bn_params = ["eps", "momentum", "fix_gamma", "use_global_stats", "output_mean_var", "axis", "cudnn_off",
                 "min_calib_range", "max_calib_range"]
    inputs = ["data", "gamma", "beta", "moving_mean", "moving_var"]
    for ns in (mx.nd.contrib, mx.contrib.nd):
        assert list(inspect.signature(ns.BatchNormWithReLU).parameters) == inputs + bn_params + ["out", "name",
                                                                                                 "kwargs"]
        assert list(inspect.signature(ns.SyncBatchNorm).parameters) == inputs + [
            "eps", "momentum", "fix_gamma", "use_global_stats", "output_mean_var", "ndev", "key", "out", "name",
            "kwargs"]
    for ns in (mx.sym.contrib, mx.contrib.sym):
        assert callable(ns.BatchNormWithReLU) and callable(ns.SyncBatchNorm)


def _call(op, *args, **kwargs):
    return lambda: OPS[op](*args, **kwargs).wait_to_read()


@pytest.mark.parametrize("call,message", [
    (lambda: mx.nd.contrib.BatchNormWithReLU(*_bn_inputs((4, 3))[:1], mx.nd.ones(2), *_bn_inputs((4, 3))[2:]),
     "gamma"),
    (lambda: mx.nd.contrib.BatchNormWithReLU(*_bn_inputs((4, 3)), axis=2), "axis"),
    (lambda: mx.nd.contrib.BatchNormWithReLU(*_bn_inputs((4, 3)), bogus=1), "bogus"),
    (lambda: mx.nd.contrib.BatchNormWithReLU(mx.nd.ones((4, 3), dtype="int32"), *_bn_inputs((4, 3))[1:]),
     "float16/float32/float64"),
    (lambda: mx.nd.contrib.SyncBatchNorm(*_bn_inputs((4, 3))), "key"),
    (lambda: mx.nd.contrib.SyncBatchNorm(*_bn_inputs((4, 3)), key="k", axis=1), "axis"),
    (lambda: mx.nd.contrib.SyncBatchNorm(mx.nd.ones((3,)), *_bn_inputs((4, 3))[1:], key="k"),
     "at least 2 dimensions"),
    (lambda: mx.nd.contrib.SyncBatchNorm(*_bn_inputs((4, 3))[:3], mx.nd.ones(4), mx.nd.ones(3), key="k"),
     "moving_mean"),
])
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(mx.base.MXNetError, match=re.escape(message)):
        call()


def test_sync_batchnorm_refuses_to_train_across_devices():
    # MXNet would wait for the other ndev - 1 devices' calls; Minerva's batch is one piece.
    with pytest.raises(mx.base.MXNetError, match=r"_contrib_SyncBatchNorm: ndev=2"):
        with mx.autograd.record():
            out = mx.nd.contrib.SyncBatchNorm(*_bn_inputs((4, 3)), key="k", ndev=2)
        out.wait_to_read()
    # Inference reads the moving statistics: nothing to synchronise.
    out = mx.nd.contrib.SyncBatchNorm(*_bn_inputs((4, 3)), key="k", ndev=2)
    assert out.shape == (4, 3)


@pytest.mark.parametrize("op,inputs", [
    ("_backward_contrib_BatchNormWithReLU", [(4, 3), (4, 3), (3,), (3,), (3,), (4, 2), (3,), (3,)]),
    ("_backward_contrib_BatchNormWithReLU", [(4, 3), (4, 3), (2,), (3,), (3,), (4, 3), (3,), (3,)]),
    ("_backward_contrib_SyncBatchNorm", [(4, 3), (4, 3), (3,), (3,), (5,), (3,), (3,)]),
    ("_backward_contrib_SyncBatchNorm", [(4, 2), (4, 3), (3,), (3,), (3,), (3,), (3,)]),
    ("_backward_BatchNorm", [(4, 3), (4, 3), (3,), (1,), (3,)]),
])
def test_backward_operators_check_their_inputs(op, inputs):
    # Symbol JSON can call them directly: a wrong shape is an error, never a read out of bounds.
    params = {"key": "k"} if "Sync" in op else {}
    with pytest.raises(mx.base.MXNetError, match=op):
        for out in mx.nd.invoke(op, [mx.nd.ones(s) for s in inputs], params):
            out.wait_to_read()
