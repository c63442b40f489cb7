"""Custom operators in Python (mx.operator, mx.nd.Custom, mx.sym.Custom, mx.autograd.Function)
through the C ABI's custom-operator callback: MXNet's documented programs against MXNet 1.9.1's
numbers, the error contract (errors name the op type, surface at the next wait, never hang), both
engines and several threads at once."""
import json
import os
import pathlib
import subprocess
import sys
import threading

import numpy as np
import pytest

import minerva as mx

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import custom_op_cases as cases  # noqa: E402

GOLDEN = json.loads((HERE.parent / "golden/custom_op/custom_op_golden.json").read_text())["cases"]
cases.define(mx)


@pytest.mark.parametrize("case", cases.CASES, ids=lambda c: c.__name__[len("case_"):])
def test_matches_mxnet(case):
    got = case(mx)
    expected = GOLDEN[case.__name__[len("case_"):]]
    assert set(got) == set(expected)
    for name, want in expected.items():
        want_arr = np.array(want["data"]).reshape(want["shape"])
        np.testing.assert_allclose(np.asarray(got[name], np.float64), want_arr, rtol=1e-4, atol=1e-5, err_msg=name)


# ---- operators used by the error tests ------------------------------------------------------------

class _Raise(mx.operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        raise ValueError("forward exploded on purpose")

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        raise KeyError("backward exploded on purpose")


@mx.operator.register("t_raise")
class _RaiseProp(mx.operator.CustomOpProp):
    def create_operator(self, ctx, shapes, dtypes):
        return _Raise()


class _BackwardRaises(mx.operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        self.assign(out_data[0], req[0], in_data[0] * 3)

    def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
        raise KeyError("backward exploded on purpose")


@mx.operator.register("t_backward_raises")
class _BackwardRaisesProp(mx.operator.CustomOpProp):
    def create_operator(self, ctx, shapes, dtypes):
        return _BackwardRaises()


class _WrongShape(mx.operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        self.assign(out_data[0], req[0], mx.nd.ones((7,)))


@mx.operator.register("t_wrong_shape")
class _WrongShapeProp(mx.operator.CustomOpProp):
    def create_operator(self, ctx, shapes, dtypes):
        return _WrongShape()


@mx.operator.register("t_missing_outputs")
class _MissingOutputsProp(mx.operator.CustomOpProp):
    def infer_shape(self, in_shape):
        return in_shape, [], []


@mx.operator.register("t_changes_input")
class _ChangesInputProp(mx.operator.CustomOpProp):
    def infer_shape(self, in_shape):
        return [[5, 5]], [[5, 5]], []


@mx.operator.register("t_infer_raises")
class _InferRaisesProp(mx.operator.CustomOpProp):
    def infer_shape(self, in_shape):
        raise RuntimeError("cannot infer this")


_kept = []


class _Keeps(mx.operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        _kept.append(in_data[0])
        self.assign(out_data[0], req[0], in_data[0])


@mx.operator.register("t_keeps")
class _KeepsProp(mx.operator.CustomOpProp):
    def create_operator(self, ctx, shapes, dtypes):
        return _Keeps()


class _WaitAll(mx.operator.CustomOp):
    def forward(self, is_train, req, in_data, out_data, aux):
        mx.nd.waitall()


@mx.operator.register("t_waitall")
class _WaitAllProp(mx.operator.CustomOpProp):
    def create_operator(self, ctx, shapes, dtypes):
        return _WaitAll()


def _drain():
    try:
        mx.nd.waitall()
    except mx.MXNetError:
        pass


def test_exception_in_forward_is_raised_at_wait_naming_the_op():
    _drain()
    y = mx.nd.Custom(mx.nd.ones((2, 3)), op_type="t_raise")  # queued: returns before forward runs
    with pytest.raises(mx.MXNetError, match=r"Custom operator 't_raise' forward: ValueError: forward exploded"):
        y.asnumpy()
    with pytest.raises(ValueError, match="t_raise"):  # also a ValueError, from the Python exception's kind
        y.wait_to_read()
    _drain()


def test_exception_in_backward_is_raised_at_wait_on_the_gradient():
    _drain()
    x = mx.nd.ones((2, 2))
    x.attach_grad()
    with mx.autograd.record():
        y = mx.nd.Custom(x, op_type="t_backward_raises")
    np.testing.assert_allclose(y.asnumpy(), np.full((2, 2), 3.0))
    with pytest.raises(mx.MXNetError, match=r"'t_backward_raises' backward: KeyError: .*backward exploded"):
        y.backward()
        x.grad.asnumpy()
    _drain()


def test_wrong_output_shape_in_forward():
    _drain()
    y = mx.nd.Custom(mx.nd.ones((2, 3)), op_type="t_wrong_shape")
    with pytest.raises(mx.MXNetError, match=r"Custom operator 't_wrong_shape' forward: .*\(7,\).*\(2, 3\)"):
        y.asnumpy()
    _drain()


def test_wrong_infer_shape_answers_are_immediate_errors():
    x = mx.nd.ones((2, 3))
    with pytest.raises(mx.MXNetError, match=r"'t_missing_outputs' infer_shape: returned 0 out_shapes, expected 1"):
        mx.nd.Custom(x, op_type="t_missing_outputs")
    with pytest.raises(mx.MXNetError, match=r"'t_changes_input' infer_shape: input 'data' has shape \(2, 3\), but "
                                            r"infer_shape returned \(5, 5\)"):
        mx.nd.Custom(x, op_type="t_changes_input")
    with pytest.raises(mx.MXNetError, match=r"'t_infer_raises' infer_shape: RuntimeError: cannot infer this"):
        mx.nd.Custom(x, op_type="t_infer_raises")


def test_unknown_op_type_lists_the_registered_ones():
    with pytest.raises(mx.MXNetError, match=r"op_type 'no_such_op' is not a registered custom operator; "
                                            r"registered: .*t_raise.*t_softmax"):
        mx.nd.Custom(mx.nd.ones((2,)), op_type="no_such_op")
    with pytest.raises(mx.MXNetError, match="no_such_op"):
        mx.sym.Custom(mx.sym.Variable("x"), op_type="no_such_op")
    with pytest.raises(TypeError, match="op_type"):
        mx.nd.Custom(mx.nd.ones((2,)))


def test_arrays_kept_past_the_call_fail_clearly():
    _kept.clear()
    y = mx.nd.Custom(mx.nd.array([1.0, 2.0]), op_type="t_keeps")
    np.testing.assert_allclose(y.asnumpy(), [1.0, 2.0])
    with pytest.raises(mx.MXNetError, match="valid only during that call"):
        _kept[0].asnumpy()
    _kept.clear()


def test_waitall_inside_forward_is_an_error_not_a_hang():
    _drain()
    y = mx.nd.Custom(mx.nd.ones((2,)), op_type="t_waitall")
    with pytest.raises(mx.MXNetError, match="waitall was called from inside a running operation"):
        y.asnumpy()
    _drain()


def test_symbol_listing_inference_and_json_round_trip():
    net = mx.sym.Custom(mx.sym.Variable("data"), name="sq", op_type="t_scaled_square", scale=0.25)
    assert net.list_arguments() == ["data"]
    assert net.list_outputs() == ["sq_output"]
    _, out_shapes, _ = net.infer_shape(data=(2, 5))
    assert out_shapes == [(2, 5)]
    soft = mx.sym.Custom(data=mx.sym.Variable("data"), name="softmax", op_type="t_softmax")
    assert soft.list_arguments() == ["data", "softmax_label"]
    back = mx.sym.load_json(net.tojson())
    exe = back.bind(mx.cpu(), {"data": mx.nd.array([[1.0, -2.0]])})
    np.testing.assert_allclose(exe.forward()[0].asnumpy(), [[0.25, 1.0]])


def test_loads_a_symbol_mxnet_saved_with_a_custom_node():
    net = mx.sym.load(str(HERE.parent / "golden/custom_op/mxnet_custom-symbol.json"))
    assert net.list_arguments() == ["data", "fc_weight", "fc_bias"]
    w = np.arange(8, dtype=np.float32).reshape(4, 2) / 10
    exe = net.bind(mx.cpu(), {"data": mx.nd.ones((1, 2)), "fc_weight": mx.nd.array(w), "fc_bias": mx.nd.zeros((4,))})
    np.testing.assert_allclose(exe.forward()[0].asnumpy(), 3 * (w.sum(axis=1) ** 2)[None], rtol=1e-5)


def test_kwargs_reach_the_prop_as_strings():
    seen = []

    @mx.operator.register("t_kwargs")
    class KwargsProp(mx.operator.CustomOpProp):
        def __init__(self, **kwargs):
            super().__init__()
            seen.append(kwargs)

    mx.nd.Custom(mx.nd.ones((1,)), op_type="t_kwargs", alpha=0.5, mode="fast", flag=True, shape=(2, 3)).asnumpy()
    assert seen[0] == {"alpha": "0.5", "mode": "fast", "flag": "True", "shape": "(2, 3)"}


def test_reregistering_replaces_the_type():
    @mx.operator.register("t_replace")
    class First(mx.operator.CustomOpProp):
        def infer_shape(self, in_shape):
            return in_shape, [[1]], []

    assert mx.nd.Custom(mx.nd.ones((3,)), op_type="t_replace").shape == (1,)

    @mx.operator.register("t_replace")
    class Second(mx.operator.CustomOpProp):
        def infer_shape(self, in_shape):
            return in_shape, [[2]], []

    assert mx.nd.Custom(mx.nd.ones((3,)), op_type="t_replace").shape == (2,)


def test_a_symbol_made_before_its_type_changed_arity_is_a_clear_error():
    @mx.operator.register("t_arity")
    class One(mx.operator.CustomOpProp):
        def list_arguments(self):
            return ["data"]

    sym = mx.sym.Custom(mx.sym.var("x"), op_type="t_arity")

    @mx.operator.register("t_arity")
    class Two(mx.operator.CustomOpProp):
        def list_arguments(self):
            return ["data", "other"]

    # The node keeps one input; the type now wants two. Type inference runs on its own too.
    with pytest.raises(mx.MXNetError, match=r"t_arity.*the node has 1 inputs and 1 outputs.*now declares 2"):
        sym.infer_type(x="float32")
    with pytest.raises(mx.MXNetError, match=r"now declares 2"):
        sym.infer_shape(x=(2, 3))


def test_registry_listing_functions():
    names = mx.operator.get_all_registered_operators()
    assert "Custom" in names and "FullyConnected" in names
    args = mx.operator.get_operator_arguments("FullyConnected")
    # MXNet 1.9.1's answer for FullyConnected.
    assert args.narg == 6
    assert args.names == ["data", "weight", "bias", "num_hidden", "no_bias", "flatten"]
    assert args.types[:3] == ["NDArray-or-Symbol"] * 3 and args.types[3] == "int, required"
    # Variadic operators and Custom take a list of inputs named data (MXNet's answers).
    assert mx.operator.get_operator_arguments("Concat").names == ["data", "num_args", "dim"]
    custom = mx.operator.get_operator_arguments("Custom")
    assert custom.names == ["data", "op_type"] and custom.types[0] == "NDArray-or-Symbol[]"


def test_function_rules():
    class Double(mx.autograd.Function):
        def forward(self, x):
            return x * 2

        def backward(self, dy):
            return dy * 2

    f = Double()
    np.testing.assert_allclose(f(mx.nd.ones((2,))).asnumpy(), [2.0, 2.0])  # not recording: plain call
    with pytest.raises(RuntimeError, match="only be called once"):
        f(mx.nd.ones((2,)))

    class WrongCount(mx.autograd.Function):
        def forward(self, x, y):
            return x + y

        def backward(self, dz):
            return dz

    x, y = mx.nd.ones((2,)), mx.nd.ones((2,))
    x.attach_grad()
    with mx.autograd.record():
        z = WrongCount()(x, y)
    with pytest.raises(mx.MXNetError, match="returned 1 gradient"):
        z.backward()
        x.grad.asnumpy()
    _drain()


def test_legacy_numpy_op():
    class NumpySquare(mx.operator.NumpyOp):
        def __init__(self):
            super().__init__(need_top_grad=True)

        def forward(self, in_data, out_data):
            out_data[0][:] = in_data[0] ** 2

        def backward(self, out_grad, in_data, out_data, in_grad):
            in_grad[0][:] = 2 * in_data[0] * out_grad[0]

    op = NumpySquare()
    net = op.get_symbol(mx.sym.Variable("x"), name="sq")
    x = np.array([[1.0, -2.0, 3.0]], np.float32)
    exe = net.simple_bind(mx.cpu(), x=(1, 3))
    exe.arg_dict["x"][:] = x
    np.testing.assert_allclose(exe.forward(is_train=True)[0].asnumpy(), x ** 2)
    exe.backward(mx.nd.ones((1, 3)))
    np.testing.assert_allclose(exe.grad_dict["x"].asnumpy(), 2 * x)


def test_legacy_ndarray_op():
    class NDArrayCube(mx.operator.NDArrayOp):
        def forward(self, in_data, out_data):
            out_data[0][:] = in_data[0] * in_data[0] * in_data[0]

        def backward(self, out_grad, in_data, out_data, in_grad):
            in_grad[0][:] = 3 * in_data[0] * in_data[0] * out_grad[0]

    net = NDArrayCube().get_symbol(mx.sym.Variable("x"))
    x = np.array([1.0, -2.0, 0.5], np.float32)
    exe = net.simple_bind(mx.cpu(), x=(3,))
    exe.arg_dict["x"][:] = x
    np.testing.assert_allclose(exe.forward(is_train=True)[0].asnumpy(), x ** 3, rtol=1e-6)
    exe.backward(mx.nd.ones((3,)))
    np.testing.assert_allclose(exe.grad_dict["x"].asnumpy(), 3 * x ** 2, rtol=1e-6)
    with pytest.raises(NotImplementedError):
        mx.operator.PythonOp().get_symbol(mx.sym.Variable("x"))


def test_four_threads_at_once():
    errors = []

    def work(k):
        try:
            scale = 0.5 * (k + 1)
            for i in range(15):
                x = mx.nd.array(np.arange(6, dtype=np.float32).reshape(2, 3) + i)
                x.attach_grad()
                with mx.autograd.record():
                    y = mx.nd.Custom(x, op_type="t_scaled_square", scale=scale)
                y.backward()
                xs = x.asnumpy()
                np.testing.assert_allclose(y.asnumpy(), xs * xs * scale, rtol=1e-5)
                np.testing.assert_allclose(x.grad.asnumpy(), 2 * xs * scale, rtol=1e-5)
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert not errors, errors


_ENGINE_SCRIPT = """
import sys, threading
sys.path.insert(0, {here!r})
import numpy as np
import minerva as mx
import custom_op_cases as cases
cases.define(mx)
for c in cases.CASES:
    c(mx)
def work(k):
    for i in range(10):
        x = mx.nd.ones((64, 64)) * (k + i)
        y = mx.nd.Custom(x, op_type="t_scaled_square", scale=2)
        assert float(y.asnumpy()[0, 0]) == 2.0 * (k + i) ** 2
ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
print("ok")
"""


@pytest.mark.parametrize("engine", ["NaiveEngine", "ThreadedEngine"])
def test_no_hang_under_each_engine(engine):
    env = dict(os.environ, MINERVA_ENGINE_TYPE=engine, MINERVA_CPU_WORKER_NTHREADS="1")
    proc = subprocess.run([sys.executable, "-c", _ENGINE_SCRIPT.format(here=str(HERE))], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("ok")


def test_exit_with_custom_work_still_queued():
    script = (f"import sys; sys.path.insert(0, {str(HERE)!r})\n"
              "import minerva as mx, custom_op_cases as c\n"
              "c.define(mx)\n"
              "ys = [mx.nd.Custom(mx.nd.ones((256, 256)), op_type='t_scaled_square', scale=3) for _ in range(20)]\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
