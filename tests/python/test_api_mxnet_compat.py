"""Behaviour behind API-conformance fixes (issue 10): constructors, defaults and namespaces that now
match MXNet 1.9.1's, checked for what they do, not only for their signatures."""
import gc
import inspect

import numpy as np
import pytest

import minerva as mx
from minerva._capi import ffi, lib


def _raw_handle(shape):
    """A handle straight from the C ABI, owned by nobody yet."""
    out = ffi.new("MVNDArrayHandle*")
    c_shape = ffi.new("int64_t[]", list(shape))
    assert lib.MVNDArrayCreate(c_shape, len(shape), 0, 1, 0, out) == 0
    return out[0]


def test_ndarray_wraps_a_c_handle():
    arr = mx.nd.NDArray(_raw_handle((2, 3)))
    assert arr.shape == (2, 3) and arr.writable
    arr[:] = 4
    np.testing.assert_array_equal(arr.asnumpy(), np.full((2, 3), 4, np.float32))
    assert str(inspect.signature(mx.nd.NDArray)) == "(handle, writable=True)"


def test_ndarray_shares_another_arrays_handle_without_freeing_it_twice():
    a = mx.nd.array([1.0, 2.0])
    b = mx.nd.NDArray(a.handle)
    b += 1
    np.testing.assert_array_equal(a.asnumpy(), [2.0, 3.0])
    del a
    gc.collect()
    np.testing.assert_array_equal(b.asnumpy(), [2.0, 3.0])


def test_readonly_ndarray_refuses_in_place_arithmetic_as_mxnet():
    a = mx.nd.ones((2,))
    b = mx.nd.NDArray(a.handle, writable=False)
    for stmt, verb in (("b += 1", "add to"), ("b -= 1", "subtract from"), ("b *= 2", "multiply to"),
                       ("b /= 2", "divide from"), ("b %= 2", "take modulo from")):
        with pytest.raises(ValueError, match=f"trying to {verb} a readonly NDArray"):
            exec(stmt, {"b": b})
    np.testing.assert_array_equal(a.asnumpy(), [1.0, 1.0])


def test_ipow_rebinds_as_mxnet_which_has_no_in_place_power():
    a = mx.nd.array([2.0, 3.0])
    b = a
    b **= 2
    np.testing.assert_array_equal(a.asnumpy(), [2.0, 3.0])
    np.testing.assert_array_equal(b.asnumpy(), [4.0, 9.0])


def test_ndarray_handle_errors():
    with pytest.raises(TypeError, match="MVNDArrayHandle"):
        mx.nd.NDArray(3)
    with pytest.raises(ValueError, match="NULL"):
        mx.nd.NDArray(ffi.cast("MVNDArrayHandle", 0))


def test_module_default_context_is_cpu0():
    sig = inspect.signature(mx.mod.Module)
    assert repr(sig.parameters["context"].default) == "cpu(0)"
    data = mx.sym.Variable("data")
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(data, num_hidden=2, name="fc"), name="softmax")
    mod = mx.mod.Module(net)
    mod.bind(data_shapes=[("data", (1, 3))], label_shapes=[("softmax_label", (1,))])
    assert mod._context == mx.cpu(0)


def test_module_namespaces_star_import_what_mxnet_binds():
    ns = {}
    exec("from minerva.module.module import *", ns)
    assert ns["Module"] is mx.mod.Module and ns["zeros"] is mx.nd.zeros and ns["ctx"] is mx.context
    exec("from minerva.module import *", ns)
    assert ns["bucketing_module"].BucketingModule is mx.mod.BucketingModule
    exec("from minerva.model import *", ns)
    assert ns["kvs"] is mx.kvstore and ns["Uniform"] is mx.init.Uniform and ns["mx_real_t"] is np.float32


def test_optimizer_namespace_and_signatures():
    ns = {}
    exec("from minerva.optimizer.optimizer import *", ns)
    assert ns["SGD"] is mx.optimizer.SGD and ns["NDabs"] is mx.nd.abs
    assert mx.optimizer.optimizer.sgd_update is mx.nd.sgd_update
    # ccSGD takes SGD's parameters by position, as MXNet's (*args, **kwargs) passes them on
    opt = mx.optimizer.ccSGD(0.9, learning_rate=0.5)
    assert opt.momentum == 0.9 and opt.lr == 0.5
    assert mx.optimizer.Test(rescale_grad=2.0).rescale_grad == 2.0
    assert mx.optimizer.SGLD(learning_rate=0.1).lr == 0.1
    with pytest.raises(TypeError):
        mx.optimizer.SGLD(0.1)  # keyword-only in MXNet too


def test_from_numpy_copies_and_marks_the_source_read_only_as_mxnet_consumes_it():
    src = np.arange(6, dtype=np.float64).reshape(2, 3)
    arr = mx.nd.from_numpy(src)
    assert arr.dtype == np.float64 and not src.flags.writeable
    np.testing.assert_array_equal(arr.asnumpy(), np.arange(6).reshape(2, 3))
    src2 = np.ones(3, np.int64)
    arr2 = mx.nd.from_numpy(src2, zero_copy=False)
    src2[0] = 7  # still writable, and the NDArray is a copy
    np.testing.assert_array_equal(arr2.asnumpy(), [1, 1, 1])
    with pytest.raises(ValueError, match="c-contiguous"):
        mx.nd.from_numpy(np.ones((3, 4), np.float32)[:, ::2])
    with pytest.raises(TypeError, match="numpy.ndarray"):
        mx.nd.from_numpy([1, 2])


def test_onehot_encode_fills_out_like_mxnet():
    out = mx.nd.zeros((3, 4))
    res = mx.nd.onehot_encode(mx.nd.array([0, 3, 1]), out)
    assert res is out
    np.testing.assert_array_equal(out.asnumpy(), np.eye(4, dtype=np.float32)[[0, 3, 1]])
    out = mx.nd.ones((1, 4))
    mx.nd.onehot_encode(mx.nd.array([5]), out)  # out of range: a zero row, as MXNet
    np.testing.assert_array_equal(out.asnumpy(), np.zeros((1, 4), np.float32))
    with pytest.raises(ValueError, match="2 entries but out has 3 rows"):
        mx.nd.onehot_encode(mx.nd.array([0, 3]), mx.nd.zeros((3, 4)))
    with pytest.raises(ValueError, match="1-d indices"):
        mx.nd.onehot_encode(mx.nd.array([[0, 3]]), mx.nd.zeros((1, 4)))
    with pytest.raises(TypeError, match="float32"):
        mx.nd.onehot_encode(mx.nd.array([1]), mx.nd.zeros((1, 4), dtype="int32"))


def test_ndarray_and_symbol_modules_hold_mxnets_module_level_functions():
    from minerva.ndarray.ndarray import add, zeros
    from minerva.symbol.symbol import maximum, ones
    assert add is mx.nd.add and zeros is mx.nd.zeros and maximum is mx.sym.maximum and ones is mx.sym.ones
    ns = {}
    exec("from minerva.ndarray.ndarray import *", ns)
    assert ns["_GRAD_REQ_MAP"] == {"null": 0, "write": 1, "add": 3} and ns["true_divide"] is mx.nd.true_divide
    exec("from minerva.symbol.symbol import *", ns)
    assert ns["Group"] is mx.sym.Group and ns["hypot"] is mx.sym.hypot


def test_group_create_fn_makes_the_result():
    class Tagged(mx.sym.Symbol):
        __slots__ = ()
    a, b = mx.sym.var("a"), mx.sym.var("b")
    group = mx.sym.Group([a, b], create_fn=Tagged)
    assert type(group) is Tagged and group.list_outputs() == ["a", "b"]
    assert type(mx.sym.Group([a * 2, b])) is mx.sym.Symbol
    with pytest.raises(TypeError, match="list of symbols"):
        mx.sym.Group([])


def test_executor_constructor_takes_mxnets_leading_parameters():
    params = list(inspect.signature(mx.executor.Executor).parameters)
    assert params[:5] == ["handle", "symbol", "ctx", "grad_req", "group2ctx"]
    x = mx.sym.var("x")
    exe = (x * 3).simple_bind(mx.cpu(), x=(2,))
    exe.forward(x=mx.nd.array([1.0, 2.0]))
    np.testing.assert_array_equal(exe.outputs[0].asnumpy(), [3.0, 6.0])


def test_io_iterators_are_keyword_only_functions_returning_mxdataiter(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("1,2,3\n4,5,6\n7,8,9\n")
    assert inspect.isfunction(mx.io.CSVIter) and mx.io.io.CSVIter is mx.io.CSVIter
    assert mx.io.io.MNISTIter is mx.io.MNISTIter and mx.io.io.MXDataIter is mx.io.MXDataIter
    it = mx.io.CSVIter(data_csv=str(data), data_shape=(3,), batch_size=2)
    assert isinstance(it, mx.io.MXDataIter) and isinstance(it, mx.io.DataIter)
    batch = it.next()
    np.testing.assert_array_equal(batch.data[0].asnumpy(), [[1, 2, 3], [4, 5, 6]])
    assert batch.pad == 0 and it.provide_data[0].shape == (2, 3)
    # as MXNet: a missing required parameter is an MXNetError, then positional arguments a TypeError
    with pytest.raises(mx.MXNetError, match="Required parameter data_csv is not presented"):
        mx.io.CSVIter(str(data), data_shape=(3,), batch_size=2)
    with pytest.raises(mx.MXNetError, match="Required parameter batch_size"):
        mx.io.CSVIter(data_csv=str(data), data_shape=(3,))
    with pytest.raises(TypeError, match="CSVIter can only accept keyword arguments"):
        mx.io.CSVIter(str(data), data_csv=str(data), data_shape=(3,), batch_size=2)
    from minerva.io.csv_iter import CSVIter  # the class behind the function stays importable
    assert isinstance(it, CSVIter)


def test_io_utils_module():
    from minerva.io import utils
    assert utils.NDArray is mx.nd.NDArray and utils.array is mx.nd.array


def test_kvstore_package_registry_and_teststore_as_mxnet():
    from minerva.kvstore import base
    assert mx.kv.base is base and mx.kv.kvstore.KVStore is mx.kv.KVStore and mx.kv.create is base.create
    kv = mx.kv.create("TestStore")  # registered classes are found by lower-case name
    assert type(kv) is base.TestStore and (kv.type, kv.rank, kv.num_workers) == ("teststore", 0, 1)
    assert kv.is_capable("optimizer") is False
    with pytest.raises(ValueError, match="Unknown capability: foo"):
        kv.is_capable("foo")
    a, b = mx.nd.array([1, 2]), mx.nd.array([10, 20])
    kv.pushpull(0, [a, b])
    np.testing.assert_array_equal(a.asnumpy(), [11, 22])
    np.testing.assert_array_equal(b.asnumpy(), [11, 22])
    out = mx.nd.zeros((2,))
    kv.pushpull(0, [mx.nd.array([1, 1]), mx.nd.array([2, 2])], out=out)
    np.testing.assert_array_equal(out.asnumpy(), [3, 3])
    kv.broadcast(0, mx.nd.array([5, 6]), out=[a, b])
    np.testing.assert_array_equal(b.asnumpy(), [5, 6])
    assert mx.kv.create("Local").type == "local"


def test_kvstore_register_a_store_class():
    try:
        @mx.kv.KVStoreBase.register
        class MyStore(mx.kv.KVStoreBase):
            pass
        assert type(mx.kv.create("mystore")) is MyStore
        with pytest.raises(NotImplementedError):
            mx.kv.create("MyStore").set_optimizer(None)
        with pytest.warns(UserWarning, match="is overriding existing kvstore"):
            @mx.kv.KVStoreBase.register
            class mystore(mx.kv.KVStoreBase):  # noqa: N801 - the same name in lower case
                pass
        assert type(mx.kv.create("MYSTORE")) is mystore
    finally:
        mx.kv.KVStoreBase.kv_registry.pop("mystore", None)
    with pytest.raises(TypeError, match="name must be a string"):
        mx.kv.create(3)


def test_star_imports_bring_what_mxnets_bring():
    ns = {}
    exec("from minerva.autograd import *", ns)
    assert ns["NDArray"] is mx.nd.NDArray and ns["Symbol"] is mx.sym.Symbol and ns["Function"] is mx.autograd.Function
    exec("from minerva.operator import *", ns)
    assert ns["symbol"] is mx.sym and ns["context"] is mx.context
    assert ns["OperatorArguments"]._fields == ("narg", "names", "types")
    exec("from minerva.rnn.rnn import *", ns)
    assert ns["save_checkpoint"] is mx.model.save_checkpoint
    exec("from minerva.rnn.io import *", ns)
    assert ns["DataBatch"] is mx.io.DataBatch


def _write_mnist_test_split(root, count):
    import os
    import struct
    os.makedirs(root, exist_ok=True)
    images = np.arange(count * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(count, 28, 28)
    labels = np.arange(count, dtype=np.uint8) % 10
    for name, arr in (("t10k-images-idx3-ubyte", images), ("t10k-labels-idx1-ubyte", labels)):
        header = bytes([0, 0, 8, arr.ndim]) + b"".join(struct.pack(">I", d) for d in arr.shape)
        with open(os.path.join(root, name), "wb") as f:
            f.write(header + arr.tobytes())
    return labels


def test_vision_datasets_default_to_mxnets_root_and_fall_back_to_installed_data(tmp_path, monkeypatch):
    import os
    from minerva.gluon.data import vision
    for cls, name in ((vision.MNIST, "mnist"), (vision.FashionMNIST, "fashion-mnist"),
                      (vision.CIFAR10, "cifar10"), (vision.CIFAR100, "cifar100")):
        default = inspect.signature(cls).parameters["root"].default
        assert default == os.path.join(mx.base.data_dir(), "datasets", name)
    labels = _write_mnist_test_split(str(tmp_path / "installed" / "mnist"), 3)
    monkeypatch.setenv("MINERVA_DATA", str(tmp_path / "installed"))
    monkeypatch.setenv("MXNET_HOME", str(tmp_path / "mxnet_home"))
    # MXNet's default root (here under $MXNET_HOME) is empty: Minerva's installed data is used
    ds = vision.MNIST(root=str(tmp_path / "mxnet_home" / "datasets" / "mnist"), train=False)
    assert [int(ds[i][1]) for i in range(3)] == labels.tolist()
    assert ds.root == str(tmp_path / "installed" / "mnist")
    # any other root is the only place looked at
    with pytest.raises(mx.MXNetError, match="cannot find"):
        vision.MNIST(root=str(tmp_path / "elsewhere"), train=False)


def test_dataloader_v1_gives_dataloaders_batches():
    from minerva.gluon.data import ArrayDataset, DataLoader
    from minerva.gluon.data.dataloader import DataLoaderV1
    data = ArrayDataset(mx.nd.arange(10).reshape(5, 2), mx.nd.arange(5))
    old = [(x.asnumpy(), y.asnumpy()) for x, y in DataLoaderV1(data, batch_size=2, last_batch="keep")]
    new = [(x.asnumpy(), y.asnumpy()) for x, y in DataLoader(data, batch_size=2, last_batch="keep")]
    assert len(old) == len(new) == 3
    for (a, b), (c, d) in zip(old, new):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


def test_sequence_mask_takes_value_before_axis_as_mxnet():
    params = list(inspect.signature(mx.nd.SequenceMask).parameters)
    assert params[:5] == ["data", "sequence_length", "use_sequence_length", "value", "axis"]
    x, lengths = mx.nd.array([[1, 2], [3, 4], [5, 6]]), mx.nd.array([1, 2])
    # MXNet 1.9.1's results for the same positional calls
    assert mx.nd.SequenceMask(x, lengths, True, -1.0).asnumpy().tolist() == [[1, 2], [-1, 4], [-1, -1]]
    assert mx.nd.SequenceMask(x.T, lengths, True, -7.0, 1).asnumpy().tolist() == [[1, -7, -7], [2, 4, -7]]
    sym = mx.sym.SequenceMask(mx.sym.var("x"), mx.sym.var("l"), True, -1.0)
    out = sym.eval(x=x, l=lengths)[0]
    assert out.asnumpy().tolist() == [[1, 2], [-1, 4], [-1, -1]]


def test_prelu_alpha_initializer_default_and_none_as_mxnet():
    layer = mx.gluon.nn.PReLU()
    layer.initialize(mx.init.One())
    np.testing.assert_array_equal(layer.alpha.data().asnumpy(), [0.25])  # the layer's own default wins
    layer = mx.gluon.nn.PReLU(alpha_initializer=None)
    layer.initialize(mx.init.One())
    np.testing.assert_array_equal(layer.alpha.data().asnumpy(), [1.0])  # None: initialize's initializer
    assert isinstance(inspect.signature(mx.gluon.nn.PReLU).parameters["alpha_initializer"].default, mx.init.Constant)


def test_fused_rnn_initializer_matches_mxnet():
    # MXNet 1.9.1's results: a 1-layer LSTM of 3 units over 5 inputs (120 packed values)
    arr = mx.nd.zeros((120,))
    mx.init.FusedRNN(mx.init.Constant(0.5), 3, 1, "lstm", False, forget_bias=2.0)._init_weight(
        mx.init.InitDesc("parameters"), arr)
    values = arr.asnumpy()
    assert values.sum() == 60.0 and sorted(set(values.tolist())) == [0.0, 0.5, 2.0]
    # through the __init__ attribute, None: the call's global initializer, forget biases 1
    arr = mx.nd.zeros((120,))
    attrs = {"__init__": mx.init.FusedRNN(None, 3, 1, "lstm").dumps()}
    mx.init.Constant(0.25)(mx.init.InitDesc("parameters", attrs=attrs), arr)
    values = arr.asnumpy()
    assert values.sum() == 30.0 and np.nonzero(values == 1)[0].tolist() == [99, 100, 101, 111, 112, 113]
    # a gru's packed parameters round-trip through the dumps() string (MXNet's own parser fails there)
    again = mx.init.create(mx.init.FusedRNN(mx.init.Constant(0.5), 3, 2, "gru", True).dumps())
    arr = mx.nd.zeros((378,))
    again._init_weight(mx.init.InitDesc("parameters"), arr)
    assert arr.asnumpy().sum() == 153.0


# A symbol MXNet 1.9.1 wrote with mx.sym.Convolution_v1(x, kernel=(3, 3), num_filter=2, name="c").
_CONVOLUTION_V1_JSON = (
    '{"nodes":[{"op":"null","name":"x","inputs":[]},{"op":"null","name":"c_weight","attrs":{"kernel":"(3, 3)",'
    '"num_filter":"2"},"inputs":[]},{"op":"null","name":"c_bias","attrs":{"kernel":"(3, 3)","num_filter":"2"},'
    '"inputs":[]},{"op":"Convolution_v1","name":"c","attrs":{"kernel":"(3, 3)","num_filter":"2"},"inputs":'
    '[[0,0,0],[1,0,0],[2,0,0]]}],"arg_nodes":[0,1,2],"node_row_ptr":[0,1,2,3,4],"heads":[[3,0,0]],'
    '"attrs":{"mxnet_version":["int",10901]}}')


def test_convolution_v1_is_convolution_as_in_mxnet():
    x = mx.nd.array(np.arange(50).reshape(1, 2, 5, 5))
    out = mx.nd.Convolution_v1(x, mx.nd.ones((3, 2, 3, 3)), mx.nd.array([1, 2, 3]), kernel=(3, 3), num_filter=3,
                               pad=(1, 1), stride=(2, 2))
    np.testing.assert_array_equal(out.asnumpy().ravel()[:5], [125, 205, 149, 277, 442])  # MXNet 1.9.1's values
    sym = mx.sym.load_json(_CONVOLUTION_V1_JSON)
    assert sym.list_arguments() == ["x", "c_weight", "c_bias"]
    res = sym.eval(x=x, c_weight=mx.nd.ones((2, 2, 3, 3)), c_bias=mx.nd.zeros((2,)))[0]
    ref = mx.nd.Convolution(x, mx.nd.ones((2, 2, 3, 3)), mx.nd.zeros((2,)), kernel=(3, 3), num_filter=2)
    np.testing.assert_array_equal(res.asnumpy(), ref.asnumpy())


def _run_lbsgd(**kwargs):
    upd = mx.optimizer.get_updater(mx.optimizer.create("lbsgd", **kwargs))
    w = mx.nd.array([1.0, -2.0, 3.0])
    seen = []
    for step in range(7):
        upd(0, mx.nd.array([0.5 * step - 1, 0.25, step * 0.1]), w)
        seen.append(w.asnumpy().copy())
    return np.array(seen)


def test_lbsgd_matches_mxnet():
    # MXNet 1.9.1's weights after each of 7 updates
    linear = _run_lbsgd(momentum=0.9, batch_scale=2, warmup_epochs=1, updates_per_epoch=3, learning_rate=0.1,
                        wd=0.01)
    np.testing.assert_allclose(linear[[0, 1, 2, 5, 6]], [
        [1.0, -2.0, 3.0], [1.123333, -2.038333, 2.986667], [1.123333, -2.038333, 2.986667],
        [0.982601, -2.2369, 2.76168], [0.982601, -2.2369, 2.76168]], rtol=1e-5)
    lars = _run_lbsgd(momentum=0.5, batch_scale=1, warmup_strategy="lars", learning_rate=0.2, wd=0.1,
                      rescale_grad=0.5)
    np.testing.assert_allclose(lars, [
        [1.190751, -1.964234, 2.856937], [1.360487, -1.905785, 2.594744], [1.362708, -1.836723, 2.245272],
        [1.156744, -1.770739, 1.869758], [0.809148, -1.717057, 1.528252], [0.407403, -1.677403, 1.24699],
        [0.0058, -1.649333, 1.024447]], rtol=1e-5, atol=1e-6)
    assert "LBSGD" in mx.optimizer.optimizer.__all__ and mx.optimizer.optimizer.LBSGD is mx.optimizer.LBSGD


def test_sdml_loss_matches_mxnet():
    x1 = mx.nd.array(np.arange(12).reshape(4, 3) / 10.0)
    x2 = mx.nd.array(np.cos(np.arange(12)).reshape(4, 3))
    # MXNet 1.9.1's values
    np.testing.assert_allclose(mx.gluon.loss.SDMLLoss()(x1, x2).asnumpy(),
                               [0.442901, 1.282571, 0.360222, 4.403368], rtol=1e-5)
    np.testing.assert_allclose(mx.gluon.loss.SDMLLoss(smoothing_parameter=0.1, weight=2.0)(x1, x2).asnumpy(),
                               [0.944824, 1.980652, 0.299262, 5.740838], rtol=1e-5)
    with pytest.raises(AssertionError, match="same shape"):
        mx.gluon.loss.SDMLLoss()(x1, x2[:3])
    x1.attach_grad()
    with mx.autograd.record():
        loss = mx.gluon.loss.SDMLLoss()(x1, x2)
    loss.backward()
    np.testing.assert_allclose(x1.grad.asnumpy(), [  # MXNet 1.9.1's gradient of sum(loss)
        [-1.063513, -0.604418, 0.410376], [2.610169, 1.783845, -0.682539], [0.681568, 0.421356, -0.226252],
        [3.006574, 2.418123, -0.393533]], rtol=1e-4)


def test_module_fits_from_a_csv_iterator_function(tmp_path):
    rng = np.random.RandomState(0)
    x = rng.rand(20, 4).astype(np.float32)
    y = (x.sum(axis=1) > 2).astype(np.float32)
    np.savetxt(tmp_path / "x.csv", x, delimiter=",")
    np.savetxt(tmp_path / "y.csv", y, delimiter=",")
    train = mx.io.CSVIter(data_csv=str(tmp_path / "x.csv"), data_shape=(4,), label_csv=str(tmp_path / "y.csv"),
                          label_shape=(1,), batch_size=5)
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=2), name="softmax")
    mod = mx.mod.Module(net)  # MXNet's default context, cpu(0)
    mod.fit(train, num_epoch=2, optimizer_params={"learning_rate": 0.1})
    (name, acc), = mod.score(train, "acc")
    predicted = mod.predict(train).asnumpy().argmax(axis=1)
    assert name == "accuracy" and acc == pytest.approx(float((predicted == y).mean()))


def test_batchnorm_relu_is_relu_of_batchnorm():
    x = mx.nd.array(np.sin(np.arange(24)).reshape(2, 3, 4))
    layer = mx.gluon.nn.BatchNormReLU()
    layer.initialize()
    assert layer.prefix.startswith("batchnormrelu")
    assert [k[len(layer.prefix):] for k in layer.collect_params()] == ["gamma", "beta", "running_mean", "running_var"]
    with mx.autograd.record():
        y = layer(x)
    # MXNet 1.9.1's relu(BatchNorm(x)) in training mode, first sample
    np.testing.assert_allclose(y.asnumpy()[0], [[0.0, 0.83629, 0.97316, 0.0], [0.0, 0.0, 0.22104, 1.95809],
                                                [1.17774, 0.41845, 0.0, 0.0]], rtol=1e-4, atol=1e-5)
    layer.hybridize()
    np.testing.assert_allclose(layer(x).asnumpy(), mx.nd.relu(mx.nd.BatchNorm(
        x, layer.gamma.data(), layer.beta.data(), layer.running_mean.data(), layer.running_var.data(),
        eps=1e-5, use_global_stats=True)).asnumpy(), rtol=1e-5)
