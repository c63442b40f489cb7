"""The small MXNet modules and helpers Minerva mirrors (mx.base, mx.util, mx.engine, mx.runtime,
mx.libinfo, mx.log, mx.error, mx.context.gpu_memory_info), mx.nd's arithmetic functions, the
operator submodules, and MXNet's generated-function signatures. Expected values are MXNet 1.9.1's
(checked under the oracle when written)."""
import importlib
import inspect
import logging
import os
import sys

import minerva as mx
import numpy as np
import pytest
from minerva import base


def test_base_helpers_match_mxnet():
    assert base.py_str(b"abc") == "abc"
    assert base.string_types == (str,) and base.integer_types == (int, np.int32, np.int64)
    assert isinstance(np.float32(1), base.numeric_types) and base.mx_real_t is np.float32
    assert repr(base._Null) == "_Null"
    assert issubclass(mx.MXNetError, RuntimeError) and mx.base.MXNetError is mx.MXNetError
    err = base.NotImplementedForSymbol(mx.nd.zeros, "x")
    assert str(err) == ('Function zeros (namely operator "x") is not implemented for Symbol and only available '
                        "in NDArray.")
    err = base.NotImplementedForSymbol("zeros", None, 1, 2)
    assert str(err) == ("Function zeros with arguments (<class 'int'>, <class 'int'>) is not implemented for Symbol "
                        "and only available in NDArray.")
    assert "not supported for SparseNDArray" in str(base.NotSupportedForSparseNDArray("f", "g"))
    with pytest.raises(base.NotImplementedForSymbol, match='"bool"'):
        bool(mx.sym.var("x"))


def test_classproperty_and_with_metaclass():
    class Meta(type):
        tag = "meta"

    class Base(base.with_metaclass(Meta, object)):
        @base.classproperty
        def name(cls):
            return cls.__name__.lower()

    class Child(Base):
        pass

    assert type(Child) is Meta and Child.name == "child" and Child().name == "child"


def test_data_dir_follows_mxnet_home(monkeypatch):
    monkeypatch.delenv("MXNET_HOME", raising=False)
    assert base.data_dir() == base.data_dir_default() == os.path.join(os.path.expanduser("~"), ".mxnet")
    monkeypatch.setenv("MXNET_HOME", "/tmp/mxhome")
    assert base.data_dir() == "/tmp/mxhome"


def test_error_registry():
    @mx.error.register
    class MyError(mx.MXNetError):
        pass

    assert base.error_types["MyError"] is MyError
    mx.error.register("Other", ValueError)
    assert base.error_types["Other"] is ValueError
    assert issubclass(mx.error.InternalError, mx.MXNetError)


def test_build_param_doc():
    doc = base.build_param_doc(["a", "num_args", "a", "b"], ["int", "int", "int", "float"], ["the a", "", "", ""])
    assert doc == "Parameters\n----------\na : int\n    the a\nb : float\n"


def test_numpy_semantics_switches_are_off_and_refuse_on():
    assert mx.is_np_shape() is False and mx.is_np_array() is False
    assert mx.set_np_shape(False) is False
    with mx.np_shape(False):
        pass
    with pytest.raises(mx.base.MinervaUnsupportedError, match="set_np_shape"):
        mx.set_np_shape(True)
    with pytest.raises(mx.base.MinervaUnsupportedError):
        with mx.np_shape():
            pass

    @mx.use_np
    def f(x):
        return x

    with pytest.raises(mx.base.MinervaUnsupportedError, match="use_np on f"):
        f(1)

    @mx.util.use_np_shape
    class Net:
        pass

    with pytest.raises(mx.base.MinervaUnsupportedError, match="use_np_shape on Net"):
        Net()


def test_util_env_and_set_module(monkeypatch):
    monkeypatch.delenv("MINERVA_TEST_ENV", raising=False)
    assert mx.util.getenv("MINERVA_TEST_ENV") is None
    mx.util.setenv("MINERVA_TEST_ENV", "1")
    assert mx.util.getenv("MINERVA_TEST_ENV") == "1" == os.environ["MINERVA_TEST_ENV"]
    mx.util.setenv("MINERVA_TEST_ENV", None)
    assert "MINERVA_TEST_ENV" not in os.environ

    @mx.util.set_module("minerva.custom")
    def g():
        pass

    assert g.__module__ == "minerva.custom"


def test_engine_bulk_size_bookkeeping():
    first = mx.engine.set_bulk_size(7)
    assert mx.engine.set_bulk_size(9) == 7
    with mx.engine.bulk(3):
        assert mx.engine.set_bulk_size(3) == 3
    assert mx.engine.set_bulk_size(first) == 9
    with pytest.raises(ValueError, match="set_bulk_size"):
        mx.engine.set_bulk_size(-1)


def test_gpu_memory_info_says_built_without_cuda():
    with pytest.raises(mx.MXNetError, match="without CUDA"):
        mx.context.gpu_memory_info(0)


def test_runtime_features_come_from_the_build():
    info = mx.runtime.build_info()
    features = mx.runtime.Features()
    assert len(features) == 32 and list(features)[:3] == ["CUDA", "CUDNN", "NCCL"]
    assert features.is_enabled("CUDA") is bool(info["cuda"])
    assert features.is_enabled("openmp") is bool(info["openmp"])
    assert features.is_enabled("MKLDNN") is bool(info["onednn"])
    assert features.is_enabled("BLAS_OPEN") is (info["blas"] == "openblas")
    assert repr(features["CUDA"]) == ("✔ CUDA" if info["cuda"] else "✖ CUDA")
    with pytest.raises(RuntimeError, match="Feature 'XYZ' is unknown"):
        features.is_enabled("XYZ")


def test_libinfo_paths():
    (path,) = mx.libinfo.find_lib_path()
    assert os.path.isfile(path) and path == str(mx._capi.LIBRARY_PATH)
    include = mx.libinfo.find_include_path()
    assert os.path.isfile(os.path.join(include, "minerva", "c_api.h"))
    with pytest.raises(RuntimeError, match="find_lib_path"):
        mx.libinfo.find_lib_path("libdoesnotexist")


def test_log_get_logger_writes_mxnet_format(tmp_path):
    path = tmp_path / "log.txt"
    logger = mx.log.get_logger("minerva_test_logger", filename=str(path), level=mx.log.INFO)
    assert logger.level == logging.INFO and mx.log.DEBUG == logging.DEBUG
    logger.info("hello %d", 5)
    for h in logger.handlers:
        h.flush()
    line = path.read_text().strip()
    assert line.startswith("I") and line.endswith("] hello 5") and "test_api_helpers.py:" in line
    with pytest.warns(DeprecationWarning):
        assert mx.log.getLogger("minerva_test_logger") is logger


# ---- mx.nd arithmetic functions: MXNet's dispatch -------------------------------------------------

A = np.array([1.0, 2.0, 3.0], dtype=np.float32)
B = np.array([[2.0], [0.0]], dtype=np.float32)


@pytest.mark.parametrize("name, expected", [
    ("add", lambda a, b: a + b), ("subtract", lambda a, b: a - b), ("multiply", lambda a, b: a * b),
    ("divide", lambda a, b: a / b), ("true_divide", lambda a, b: a / b), ("modulo", np.mod),
    ("power", np.power), ("maximum", np.maximum), ("minimum", np.minimum),
    ("equal", np.equal), ("not_equal", np.not_equal), ("greater", np.greater),
    ("greater_equal", np.greater_equal), ("lesser", np.less), ("lesser_equal", np.less_equal),
    ("logical_and", np.logical_and), ("logical_or", np.logical_or), ("logical_xor", np.logical_xor)])
def test_nd_binary_functions(name, expected):
    fn = getattr(mx.nd, name)
    a, b = mx.nd.array(A), mx.nd.array(B + 1)
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(fn(a, b).asnumpy(), expected(A, B + 1).astype(np.float32), rtol=1e-6)
        np.testing.assert_allclose(fn(a, 2.0).asnumpy(), expected(A, np.float32(2)).astype(np.float32), rtol=1e-6)
        np.testing.assert_allclose(fn(5.0, a).asnumpy(), expected(np.float32(5), A).astype(np.float32), rtol=1e-6)


def test_nd_binary_functions_on_numbers_and_bad_types():
    assert mx.nd.add(1, 2) == 3 and mx.nd.divide(1, 2) == 0.5 and mx.nd.modulo(7, 3) == 1
    assert mx.nd.equal(1, 1) == 1 and mx.nd.greater(1, 2) == 0 and mx.nd.logical_xor(2, 3) == 0
    assert list(inspect.signature(mx.nd.add).parameters) == ["lhs", "rhs"]
    assert list(inspect.signature(mx.nd.power).parameters) == ["base", "exp"]
    with pytest.raises(TypeError, match=r"add\(\): lhs must be an NDArray or a number, got str"):
        mx.nd.add("x", mx.nd.array(A))
    with pytest.raises(TypeError, match=r"subtract\(\): rhs must be an NDArray or a number, got list"):
        mx.nd.subtract(mx.nd.array(A), [1])


def test_sym_pow_and_maximum_dispatch():
    x = mx.sym.var("x")
    out = mx.sym.pow(2, x).eval(x=mx.nd.array(A))[0]
    np.testing.assert_allclose(out.asnumpy(), 2 ** A)
    out = mx.sym.maximum(x, 2.5).eval(x=mx.nd.array(A))[0]
    np.testing.assert_allclose(out.asnumpy(), np.maximum(A, 2.5))
    assert mx.sym.power(2, 3) == 8 and mx.sym.minimum(1, 3) == 1
    with pytest.raises(TypeError, match=r"pow\(\): types \(str, Symbol\)"):
        mx.sym.pow("a", x)


# ---- operator submodules and generated signatures ------------------------------------------------

@pytest.mark.parametrize("frontend", ["ndarray", "symbol"])
@pytest.mark.parametrize("sub", ["_internal", "op", "contrib", "linalg", "image"])
def test_operator_submodules_are_importable(frontend, sub):
    module = importlib.import_module(f"minerva.{frontend}.{sub}")
    assert sys.modules[f"minerva.{frontend}.{sub}"] is module
    assert getattr(importlib.import_module(f"minerva.{frontend}"), sub) is module
    everything = vars(importlib.import_module(f"minerva.{frontend}._internal"))
    prefix = {"contrib": "_contrib_", "linalg": "_linalg_", "image": "_image_"}.get(sub)
    if prefix:
        expected = {n[len(prefix):] for n in everything if n.startswith(prefix)}
        # Every prefixed operator is there; the rest are MXNet's Python-level functions (foreach,
        # boolean_mask, adamw_update, ...), callables defined in the namespace itself.
        assert expected <= set(module.__all__)
        for extra in set(module.__all__) - expected:
            assert callable(getattr(module, extra)) and extra not in everything, extra
        for short in expected:
            assert getattr(module, short) is everything[prefix + short]
    if sub == "op":
        assert module.Activation is everything["Activation"] and "_plus_scalar" not in module.__all__


def test_submodules_follow_registry_prefixes():
    from minerva import _op
    fake = {"_contrib_box_nms": 1, "_linalg_gemm": 2, "_contrib_": 3, "relu": 4, "_plus": 5}
    assert _op.by_prefix(fake, "_contrib_") == {"box_nms": 1}
    assert _op.public(fake) == {"relu": 4}


def test_generated_signature_is_mxnets():
    sig = inspect.signature(mx.nd.FullyConnected)
    assert list(sig.parameters) == ["data", "weight", "bias", "num_hidden", "no_bias", "flatten", "out", "name",
                                    "kwargs"]
    assert sig.parameters["num_hidden"].default is base._Null and sig.parameters["no_bias"].default is False
    sig = inspect.signature(mx.sym.Concat)
    assert str(sig).startswith("(*data, num_args=_Null, dim=1, name=None, attr=None, out=None, **kwargs)")


def test_positional_values_fill_parameters_then_out_and_name():
    x = mx.nd.array(A)
    out = mx.nd.zeros((3,))
    res = mx.nd.Activation(x, "relu", out)
    assert res is out or np.array_equal(res.asnumpy(), out.asnumpy())
    np.testing.assert_allclose(out.asnumpy(), A)
    with pytest.raises(TypeError, match="more than it accepts"):
        mx.nd.Activation(x, "relu", out, "n", 5)
    y = mx.sym.Activation(mx.sym.var("x"), "relu", "act")
    assert y.name == "act"
    # MXNet's _Null passed for a parameter means "not given".
    np.testing.assert_allclose(mx.nd.sum(x, axis=base._Null).asnumpy(), [6.0])


def test_creation_functions_take_mxnets_arguments():
    np.testing.assert_array_equal(mx.nd.eye(3, k=1).asnumpy(), np.eye(3, k=1, dtype=np.float32))
    assert mx.nd.eye(2, 3, dtype="int32").dtype == np.int32
    np.testing.assert_array_equal(mx.sym.eye(2, 3, -1).eval()[0].asnumpy(), np.eye(2, 3, -1, dtype=np.float32))
    assert mx.nd.zeros((2,), stype="default").shape == (2,) and mx.nd.empty(3).shape == (3,)
    for fn in (mx.nd.zeros, mx.nd.empty):
        with pytest.raises(mx.base.MinervaUnsupportedError, match="stype='csr' needs sparse storage"):
            fn((2,), stype="csr")
    with pytest.warns(DeprecationWarning, match="infer_range"):
        mx.nd.arange(0, 3, infer_range=False)


# ---- mx.contrib and mx.misc ------------------------------------------------------------------------

def test_contrib_namespaces_are_the_contrib_operators():
    assert mx.contrib.nd is mx.contrib.ndarray and mx.contrib.sym is mx.contrib.symbol
    assert set(mx.contrib.ndarray.__all__) == set(mx.nd.contrib.__all__)
    for name in mx.nd.contrib.__all__:
        assert getattr(mx.contrib.ndarray, name) is getattr(mx.nd.contrib, name)


def test_contrib_autograd_grad_and_loss():
    def f(x, y):
        return x * x * y

    x, y = mx.nd.array([1.0, 2.0]), mx.nd.array([3.0, 4.0])
    grads, loss = mx.contrib.autograd.grad_and_loss(f)(x, y)
    np.testing.assert_allclose(loss.asnumpy(), [3.0, 16.0])
    np.testing.assert_allclose(grads[0].asnumpy(), [6.0, 16.0])
    np.testing.assert_allclose(grads[1].asnumpy(), [1.0, 4.0])
    (gx,) = mx.contrib.autograd.grad(f, argnum=0)(x, y)
    np.testing.assert_allclose(gx.asnumpy(), [6.0, 16.0])
    assert not mx.autograd.is_recording() and not mx.autograd.is_training()
    with mx.contrib.autograd.train_section():
        assert mx.autograd.is_recording() and mx.autograd.is_training()
        with mx.contrib.autograd.test_section():
            assert not mx.autograd.is_recording() and not mx.autograd.is_training()
        assert mx.autograd.is_recording()
    assert not mx.autograd.is_recording()
    with pytest.raises(TypeError, match="argument 0 must be an NDArray"):
        mx.contrib.autograd.grad(f)(1.0, y)


def test_contrib_dataloader_iter_pads_the_last_batch():
    data = np.arange(10, dtype=np.float32).reshape(5, 2)
    label = np.arange(5, dtype=np.float32)
    loader = mx.gluon.data.DataLoader(mx.gluon.data.ArrayDataset(data, label), batch_size=2)
    it = mx.contrib.io.DataLoaderIter(loader, dtype="float64")
    assert it.provide_data[0].name == "data" and tuple(it.provide_data[0].shape) == (2, 2)
    assert it.provide_label[0].name == "softmax_label"
    batches = list(it)
    assert [b.pad for b in batches] == [0, 0, 1]
    last = batches[-1]
    assert last.data[0].dtype == np.float64
    np.testing.assert_array_equal(last.data[0].asnumpy(), [[8, 9], [0, 0]])
    np.testing.assert_array_equal(last.label[0].asnumpy(), [4, 0])
    it.reset()
    assert len(list(it)) == 3


def test_misc_factor_scheduler():
    sched = mx.misc.FactorScheduler(step=10, factor=0.5)
    assert sched(0) == 0.01 and sched(10) == 0.005 and sched(25) == 0.0025
    with pytest.raises(ValueError, match="step must be >= 1"):
        mx.misc.FactorScheduler(0)
    with pytest.raises(ValueError, match="factor must be < 1"):
        mx.misc.FactorScheduler(1, 1.5)
    with pytest.raises(NotImplementedError):
        mx.misc.LearningRateScheduler()(1)


# ---- mx.nd.contrib's Python-level functions (values from MXNet 1.9.1) ---------------------------

def test_contrib_foreach_matches_mxnet():
    data = mx.nd.array(np.arange(6).reshape(3, 2))

    def body(x, s):
        n = s + x
        return [n * 2, n], n

    (doubled, sums), state = mx.nd.contrib.foreach(body, data, mx.nd.zeros((2,)))
    np.testing.assert_array_equal(doubled.asnumpy(), [[0, 2], [4, 8], [12, 18]])
    np.testing.assert_array_equal(sums.asnumpy(), [[0, 1], [2, 4], [6, 9]])
    np.testing.assert_array_equal(state.asnumpy(), [6, 9])
    out, states = mx.nd.contrib.foreach(lambda x, s: (x * 2, [s[0] + x]), data, [mx.nd.zeros((2,))])
    assert isinstance(out, mx.nd.NDArray) and isinstance(states, list)
    np.testing.assert_array_equal(out.asnumpy(), [[0, 2], [4, 6], [8, 10]])
    x = mx.nd.array([1.0, 2.0, 3.0])
    x.attach_grad()
    with mx.autograd.record():
        out, _ = mx.nd.contrib.foreach(lambda e, s: (e * e, s), x, [])
    out.backward()
    np.testing.assert_allclose(x.grad.asnumpy(), [2.0, 4.0, 6.0])
    with pytest.raises(TypeError, match="foreach: data"):
        mx.nd.contrib.foreach(body, [1, 2], [])


def test_contrib_while_loop_pads_to_max_iterations():
    def step(i, s):
        return [i, s * 2], (i + 1, s + i)

    outs, final = mx.nd.contrib.while_loop(lambda i, s: i < 3, step, [mx.nd.array([0]), mx.nd.array([1])],
                                           max_iterations=5)
    assert [o.shape for o in outs] == [(5, 1), (5, 1)]
    np.testing.assert_array_equal(outs[0].asnumpy()[:3], [[0], [1], [2]])
    np.testing.assert_array_equal(outs[1].asnumpy()[:3], [[2], [2], [4]])
    assert [v.asscalar() for v in final] == [3.0, 4.0]
    with pytest.raises(ValueError, match="max_iterations must be given"):
        mx.nd.contrib.while_loop(lambda i: i < 3, step, [mx.nd.array([0])])
    with pytest.raises(ValueError, match="returned 1 loop variables, expected 2"):
        mx.nd.contrib.while_loop(lambda i, s: i < 3, lambda i, s: ([i], [i]), [mx.nd.array([0]), mx.nd.array([1])],
                                 max_iterations=2)


def test_contrib_cond_and_float_checks():
    assert mx.nd.contrib.cond(mx.nd.array([1]), lambda: "then", lambda: "else") == "then"
    assert mx.nd.contrib.cond(0, lambda: "then", lambda: "else") == "else"
    with pytest.raises(ValueError, match="cond: pred must be a scalar"):
        mx.nd.contrib.cond(mx.nd.array([1, 2]), lambda: 1, lambda: 2)
    x = mx.nd.array([np.nan, 1.0, np.inf, -np.inf])
    np.testing.assert_array_equal(mx.nd.contrib.isinf(x).asnumpy(), [0, 0, 1, 1])
    np.testing.assert_array_equal(mx.nd.contrib.isnan(x).asnumpy(), [1, 0, 0, 0])
    np.testing.assert_array_equal(mx.nd.contrib.isfinite(x).asnumpy(), [0, 1, 0, 0])


def test_contrib_rand_zipfian_expected_counts():
    sampled, expected_true, expected_sampled = mx.nd.contrib.rand_zipfian(mx.nd.array([1, 3]), 4, 5)
    assert sampled.dtype == np.int64 and sampled.shape == (4,)
    assert ((sampled.asnumpy() >= 0) & (sampled.asnumpy() < 5)).all()
    np.testing.assert_allclose(expected_true.asnumpy(), [0.90517753, 0.49815515], rtol=1e-6)  # MXNet's values
    s = sampled.asnumpy().astype(np.float64)
    np.testing.assert_allclose(expected_sampled.asnumpy(), np.log((s + 2) / (s + 1)) / np.log(6) * 4, rtol=1e-6)


def test_symbolic_rand_zipfian_matches_the_imperative_expected_counts():
    true = mx.nd.array([0, 3, 7])
    sampled, exp_true, exp_sampled = mx.sym.contrib.rand_zipfian(mx.sym.var("t"), 6, 10)
    outs = mx.sym.Group([sampled, exp_true, exp_sampled]).bind(mx.cpu(), {"t": true}).forward()
    assert outs[0].dtype == np.int64 and outs[0].shape == (6,)
    assert ((outs[0].asnumpy() >= 0) & (outs[0].asnumpy() < 10)).all()
    _, want_true, _ = mx.nd.contrib.rand_zipfian(true, 6, 10)
    np.testing.assert_allclose(outs[1].asnumpy(), want_true.asnumpy())
    s = outs[0].asnumpy().astype(np.float64)
    np.testing.assert_allclose(outs[2].asnumpy(), np.log((s + 2) / (s + 1)) / np.log(11) * 6)
