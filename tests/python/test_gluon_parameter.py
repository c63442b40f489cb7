"""gluon.Parameter, Constant and ParameterDict: initialisation, contexts, grad_req, var()
attributes, shape merging, save/load in MXNet's .params format and their errors."""
import numpy as np
import pytest

import minerva as mx
from minerva import gluon


def test_initialize_data_grad_and_repr():
    p = gluon.Parameter("w", shape=(2, 3), init="ones")
    assert repr(p) == "Parameter w (shape=(2, 3), dtype=<class 'numpy.float32'>)"
    with pytest.raises(RuntimeError, match="Parameter 'w' has not been initialized"):
        p.data()
    p.initialize()
    assert (p.data().asnumpy() == 1).all() and p.list_ctx() == [mx.cpu(0)]
    assert (p.grad().asnumpy() == 0).all() and len(p.list_data()) == len(p.list_grad()) == 1
    with pytest.warns(UserWarning, match="already initialized"):
        p.initialize()
    p.initialize(init="zeros", force_reinit=True)
    assert (p.data().asnumpy() == 0).all()
    with pytest.raises(ValueError, match="invalid shape"):
        gluon.Parameter("v", shape=(2, 0)).initialize()


def test_grad_req_setter_and_autograd():
    p = gluon.Parameter("w", shape=(3,), init="ones")
    p.initialize()
    with mx.autograd.record():
        (p.data() * 2).sum().backward()
    np.testing.assert_allclose(p.grad().asnumpy(), [2, 2, 2])
    p.grad_req = "add"
    for _ in range(2):
        with mx.autograd.record():
            (p.data() * 3).sum().backward()
    np.testing.assert_allclose(p.grad().asnumpy(), [6, 6, 6])  # a new grad_req starts from zeros
    p.zero_grad()
    assert (p.grad().asnumpy() == 0).all()
    p.grad_req = "null"
    with pytest.raises(RuntimeError, match="grad_req='null'"):
        p.grad()
    with pytest.raises(ValueError, match="grad_req must be one of"):
        p.grad_req = "sometimes"
    assert gluon.Parameter("n", shape=(1,), differentiable=False).grad_req == "null"


def test_multiple_contexts_are_distinct_copies():
    p = gluon.Parameter("w", shape=(2,), init="ones")
    p.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
    assert p.list_ctx() == [mx.cpu(0), mx.cpu(1)]
    assert p.data(mx.cpu(1)).context == mx.cpu(1)
    with mx.cpu(1):
        assert p.data().context == mx.cpu(1)
    with pytest.raises(RuntimeError, match="not initialized on context cpu\\(2\\)"):
        p.data(mx.cpu(2))
    p.set_data(mx.nd.array([3, 4]))
    for d in p.list_data():
        np.testing.assert_allclose(d.asnumpy(), [3, 4])
    p.data(mx.cpu(1))[:] = mx.nd.array([5, 6], ctx=mx.cpu(1))
    np.testing.assert_allclose(p._reduce().asnumpy(), [4, 5])  # the mean over copies
    p.reset_ctx(mx.cpu(2))
    assert p.list_ctx() == [mx.cpu(2)]
    np.testing.assert_allclose(p.data().asnumpy(), [4, 5])


def test_deferred_shape_and_set_data_before_init():
    p = gluon.Parameter("w", shape=(4, 0), allow_deferred_init=True)
    p.initialize(ctx=mx.cpu(1))
    assert p.list_ctx() == [mx.cpu(1)]
    with pytest.raises(gluon.DeferredInitializationError, match="'w' has not been initialized yet"):
        p.data()
    with pytest.raises(ValueError, match="incompatible"):
        p.shape = (5, 2)
    p.shape = (4, 2)
    p.set_data(mx.nd.ones((4, 2)) * 7)
    p._finish_deferred_init()
    assert p.data().context == mx.cpu(1) and (p.data().asnumpy() == 7).all()


def test_var_attributes_match_mxnet():
    p = gluon.Parameter("fc_weight", shape=(8, 0), lr_mult=2.0, wd_mult=0.5)
    assert p.var().list_attr() == {"__shape__": "(8, 0)", "__dtype__": "0", "__lr_mult__": "2.0",
                                   "__wd_mult__": "0.5", "__storage_type__": "0"}
    b = gluon.Parameter("fc_bias", shape=(8,), init="zeros", dtype="float64")
    assert b.var().attr("__init__") == "zeros" and b.var().attr("__dtype__") == "1"
    assert p.var() is p.var()


def test_cast():
    p = gluon.Parameter("w", shape=(2,), init="ones")
    p.initialize()
    p.cast("float16")
    assert p.data().dtype == np.float16 and p.grad().dtype == np.float16 and p.dtype == "float16"


def test_constant():
    c = gluon.Constant("const", [[1, 2], [3, 4]])
    assert c.grad_req == "null"
    with pytest.warns(UserWarning, match="does not support grad_req"):
        c.grad_req = "write"
    c.initialize()
    np.testing.assert_allclose(c.data().asnumpy(), [[1, 2], [3, 4]])
    d = gluon.ParameterDict("blk_")
    k = d.get_constant("k", [1.0, 2.0])
    assert k.name == "blk_k" and d.get_constant("k") is k
    with pytest.raises(KeyError, match="No constant named 'blk_missing'"):
        d.get_constant("missing")


def test_parameterdict_get_merging_rules():
    d = gluon.ParameterDict("net_")
    w = d.get("weight", shape=(10, 0), allow_deferred_init=True)
    assert w.name == "net_weight" and list(d.keys()) == ["net_weight"]
    assert d.get("weight", shape=(0, 5)) is w and w.shape == (10, 5)
    with pytest.raises(AssertionError, match="desired attribute does not match.*'shape'"):
        d.get("weight", shape=(3, 5))
    assert d.get("weight", dtype=np.float32) is w
    with pytest.raises(AssertionError, match="'lr_mult'"):
        d.get("weight", lr_mult=3.0)
    shared = gluon.ParameterDict("net_", shared=d)
    assert shared.get("weight") is w
    d.setattr("grad_req", "null")
    assert w.grad_req == "null"
    other = gluon.ParameterDict("x_")
    other.get("weight")
    other.update(d)
    assert list(other.keys()) == ["x_weight", "net_weight"]
    with pytest.raises(AssertionError, match="different Parameters with the same name 'net_weight'"):
        other.update({"net_weight": gluon.Parameter("net_weight")})


def test_parameterdict_save_load_roundtrip(tmp_path):
    d = gluon.ParameterDict("m_")
    d.get("w", shape=(2, 3))
    d.get("b", shape=(2,), init="ones")
    d.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
    fname = str(tmp_path / "d.params")
    d.save(fname, strip_prefix="m_")
    assert sorted(mx.nd.load(fname)) == ["b", "w"]
    with pytest.raises(ValueError, match="Prefix 'zz_' is to be striped"):
        d.save(fname + "2", strip_prefix="zz_")
    e = gluon.ParameterDict("m_")
    e.get("w", shape=(2, 0), allow_deferred_init=True)
    e.get("b", shape=(2,))
    e.load(fname, ctx=mx.cpu(1), restore_prefix="m_")
    assert e["m_w"].shape == (2, 3) and e["m_w"].list_ctx() == [mx.cpu(1)]
    np.testing.assert_allclose(e["m_w"].data().asnumpy(), d["m_w"].data().asnumpy())
    # MXNet's arg:/aux: keys load too; missing and extra entries are named
    mx.nd.save(fname, {"arg:m_w": mx.nd.zeros((2, 3)), "aux:m_extra": mx.nd.zeros((1,))})
    with pytest.raises(ValueError, match="Parameter 'm_b' is missing"):
        e.load(fname)
    with pytest.raises(ValueError, match="'m_extra' loaded from file.*not present"):
        e.load(fname, allow_missing=True)
    e.load(fname, allow_missing=True, ignore_extra=True)
    assert (e["m_w"].data().asnumpy() == 0).all()
    mx.nd.save(fname, {"m_w": mx.nd.zeros((3, 3)), "m_b": mx.nd.zeros((2,))})
    with pytest.raises(ValueError, match=r"'m_w'.*shape incompatible expected \(2, 3\) vs saved \(3, 3\)"):
        e.load(fname)
    mx.nd.save(fname, {"m_w": mx.nd.zeros((2, 3), dtype="float64"), "m_b": mx.nd.zeros((2,))})
    with pytest.raises(ValueError, match="dtype incompatible"):
        e.load(fname)
    e.load(fname, cast_dtype=True)
    assert e["m_w"].data().dtype == np.float32


def test_parameterdict_zero_grad_and_list_ctx():
    d = gluon.ParameterDict()
    d.get("a", shape=(2,), init="ones")
    d.get("b", shape=(2,), init="ones", grad_req="null")
    d.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
    assert d.list_ctx() == [mx.cpu(0), mx.cpu(1)]
    for g in d["a"].list_grad():
        g[:] = 5
    d.zero_grad()
    assert all((g.asnumpy() == 0).all() for g in d["a"].list_grad())
    d.reset_ctx(mx.cpu(3))
    assert d.list_ctx() == [mx.cpu(3)]
