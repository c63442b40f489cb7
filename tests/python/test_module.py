"""mx.mod.Module: bind/init/forward/backward/update against a hand-run executor + SGD, training
on real MNIST, score/predict, reshape for the last batch, checkpoints with optimizer states,
callbacks and the errors for calls out of order."""
import logging
import os
import time

import minerva as mx
import numpy as np
import pytest

BATCH = 4


def mlp(num_hidden=8, num_classes=3):
    data = mx.sym.var("data")
    h = mx.sym.FullyConnected(data, num_hidden=num_hidden, name="fc1")
    h = mx.sym.Activation(h, act_type="tanh", name="act1")
    h = mx.sym.FullyConnected(h, num_hidden=num_classes, name="fc2")
    return mx.sym.SoftmaxOutput(h, name="softmax")


def params(seed=1):
    r = np.random.RandomState(seed)
    shapes = {"fc1_weight": (8, 5), "fc1_bias": (8,), "fc2_weight": (3, 8), "fc2_bias": (3,)}
    return {k: r.uniform(-0.5, 0.5, s).astype(np.float32) for k, s in shapes.items()}


def batches(n=3, seed=2):
    r = np.random.RandomState(seed)
    return [(r.randn(BATCH, 5).astype(np.float32), r.randint(0, 3, BATCH).astype(np.float32)) for _ in range(n)]


def make_batch(x, y=None):
    return mx.io.DataBatch([mx.nd.array(x)], None if y is None else [mx.nd.array(y)])


def ready_module(optimizer_params=None, **kwargs):
    mod = mx.mod.Module(mlp(), **kwargs)
    mod.bind(data_shapes=[("data", (BATCH, 5))], label_shapes=[("softmax_label", (BATCH,))])
    mod.init_params(arg_params={k: mx.nd.array(v) for k, v in params().items()})
    mod.init_optimizer(optimizer="sgd", optimizer_params=optimizer_params or {"learning_rate": 0.1})
    return mod


def test_training_steps_equal_executor_plus_sgd():
    lr, momentum, wd = 0.1, 0.9, 0.01
    mod = ready_module({"learning_rate": lr, "momentum": momentum, "wd": wd})
    assert mod._optimizer.rescale_grad == pytest.approx(1.0 / BATCH)

    exe = mlp().simple_bind(mx.cpu(), data=(BATCH, 5), softmax_label=(BATCH,))
    weights = params()
    moms = {k: np.zeros_like(v) for k, v in weights.items()}
    for x, y in batches():
        mod.forward(make_batch(x, y), is_train=True)
        mod.backward()
        mod.update()

        for k, v in weights.items():
            exe.arg_dict[k][:] = v
        exe.forward(is_train=True, data=x, softmax_label=y)
        exe.backward()
        for k in weights:
            grad = exe.grad_dict[k].asnumpy() / BATCH
            if k.endswith("_weight"):  # MXNet's Module applies no weight decay to biases
                grad = grad + wd * weights[k]
            moms[k] = momentum * moms[k] - lr * grad
            weights[k] = weights[k] + moms[k]

    arg_params, aux_params = mod.get_params()
    assert aux_params == {}
    assert sorted(arg_params) == sorted(weights)
    for k, v in weights.items():
        np.testing.assert_allclose(arg_params[k].asnumpy(), v, rtol=1e-5, atol=1e-6)
    # Outputs are the softmax of the last batch, computed with the weights before the update.
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy(), exe.outputs[0].asnumpy(), rtol=1e-5, atol=1e-6)


# Parameter sums, metric values and prediction column sums after three updates of the same
# module in MXNet 1.9.1 (same parameters, batches and calls as below).
MXNET_RUNS = {
    "sgd": ({"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01},
            {"fc1_bias": 0.446163, "fc1_weight": -1.937556, "fc2_bias": -0.155656, "fc2_weight": -1.879847},
            [0.3333333333333333, 1.1447548667589824], [2.83694, 4.84305, 2.32002]),
    "adam": ({"learning_rate": 0.01, "wd": 0.01},
             {"fc1_bias": 0.424877, "fc1_weight": -1.861445, "fc2_bias": -0.12741, "fc2_weight": -1.875318},
             [0.3333333333333333, 1.1649542053540547], [2.40786, 5.32445, 2.2677]),
}


@pytest.mark.parametrize("optimizer", sorted(MXNET_RUNS))
def test_matches_mxnet_module(optimizer):
    optimizer_params, sums, metric_values, pred_sums = MXNET_RUNS[optimizer]
    mod = mx.mod.Module(mlp())
    mod.bind(data_shapes=[("data", (BATCH, 5))], label_shapes=[("softmax_label", (BATCH,))])
    mod.init_params(arg_params={k: mx.nd.array(v) for k, v in params().items()})
    mod.init_optimizer(optimizer=optimizer, optimizer_params=optimizer_params)
    metric = mx.metric.create(["acc", "ce"])
    for x, y in batches():
        mod.forward_backward(make_batch(x, y))
        mod.update()
        mod.update_metric(metric, [mx.nd.array(y)])
    arg_params, _ = mod.get_params()
    assert {k: float(v.asnumpy().sum()) for k, v in arg_params.items()} == pytest.approx(sums, abs=5e-6)
    assert metric.get() == (["accuracy", "cross-entropy"], pytest.approx(metric_values, rel=1e-6))
    x = np.random.RandomState(3).randn(10, 5).astype(np.float32)
    pred = mod.predict(mx.io.NDArrayIter(x, np.zeros(10, np.float32), batch_size=BATCH))
    np.testing.assert_allclose(pred.asnumpy().sum(axis=0), pred_sums, atol=2e-5)


def test_names_shapes_and_outputs():
    mod = ready_module()
    assert mod.data_names == ["data"] and mod.label_names == ["softmax_label"]
    assert mod.output_names == ["softmax_output"]
    assert [(d.name, d.shape) for d in mod.data_shapes] == [("data", (BATCH, 5))]
    assert [(d.name, d.shape) for d in mod.label_shapes] == [("softmax_label", (BATCH,))]
    assert mod.output_shapes == [("softmax_output", (BATCH, 3))]
    assert mod.symbol.tojson() == mlp().tojson()
    x, y = batches(1)[0]
    mod.forward(make_batch(x, y), is_train=False)
    out = mod.get_outputs()[0].asnumpy()
    np.testing.assert_allclose(out.sum(axis=1), np.ones(BATCH), rtol=1e-5)
    assert len(mod.get_outputs(merge_multi_context=False)[0]) == 1
    metric = mx.metric.Accuracy()
    mod.update_metric(metric, [mx.nd.array(y)])
    assert metric.get()[1] == pytest.approx(np.mean(out.argmax(axis=1) == y))


def test_inputs_need_grad_and_fixed_params():
    mod = mx.mod.Module(mlp(), fixed_param_names=["fc1_weight"])
    mod.bind(data_shapes=[("data", (BATCH, 5))], label_shapes=[("softmax_label", (BATCH,))], inputs_need_grad=True)
    init = params()
    mod.init_params(arg_params={k: mx.nd.array(v) for k, v in init.items()})
    mod.init_optimizer(optimizer_params={"learning_rate": 0.5})
    x, y = batches(1)[0]
    mod.forward_backward(make_batch(x, y))
    mod.update()
    exe = mlp().simple_bind(mx.cpu(), data=(BATCH, 5), softmax_label=(BATCH,))
    exe.forward(is_train=True, data=x, softmax_label=y, **init)
    exe.backward()
    np.testing.assert_allclose(mod.get_input_grads()[0].asnumpy(), exe.grad_dict["data"].asnumpy(), rtol=1e-5,
                               atol=1e-7)
    arg_params, _ = mod.get_params()
    np.testing.assert_array_equal(arg_params["fc1_weight"].asnumpy(), init["fc1_weight"])  # fixed
    assert not np.allclose(arg_params["fc2_weight"].asnumpy(), init["fc2_weight"])


def test_default_initializer_and_symbol_init_attrs():
    data = mx.sym.var("data")
    h = mx.sym.FullyConnected(data, num_hidden=4, name="fc")
    h = mx.sym.BatchNorm(h, name="bn")
    net = mx.sym.SoftmaxOutput(h, name="softmax")
    mod = mx.mod.Module(net)
    mod.bind(data_shapes=[("data", (6, 3))], label_shapes=[("softmax_label", (6,))])
    mx.random.seed(3)
    mod.init_params()  # Uniform(0.01), with BatchNorm's __init__ attributes honoured
    arg_params, aux_params = mod.get_params()
    w = arg_params["fc_weight"].asnumpy()
    assert np.all(np.abs(w) <= 0.01) and np.std(w) > 0
    np.testing.assert_array_equal(arg_params["fc_bias"].asnumpy(), 0)
    np.testing.assert_array_equal(arg_params["bn_gamma"].asnumpy(), 1)
    np.testing.assert_array_equal(arg_params["bn_beta"].asnumpy(), 0)
    np.testing.assert_array_equal(aux_params["bn_moving_mean"].asnumpy(), 0)
    np.testing.assert_array_equal(aux_params["bn_moving_var"].asnumpy(), 1)
    with pytest.warns(UserWarning, match="already initialized"):
        mod.init_params()
    mod.init_params(initializer=mx.init.Constant(0.5), force_init=True)
    np.testing.assert_array_equal(mod.get_params()[0]["fc_weight"].asnumpy(), 0.5)


def _mnist():
    root = os.path.expanduser("~/.minerva/datasets/mnist")
    files = [os.path.join(root, f) for f in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")]
    if not all(os.path.exists(f) for f in files):
        if os.environ.get("CI") == "true":
            pytest.fail(f"MNIST is missing from {root}; `make setup` downloads it")
        pytest.skip(f"MNIST is not in {root}")
    images, labels, test_images, test_labels = (mx.io.read_idx(f) for f in files)
    return (images[:2000].reshape(2000, -1).astype(np.float32) / 255, labels[:2000].astype(np.float32),
            test_images[:1000].reshape(1000, -1).astype(np.float32) / 255, test_labels[:1000].astype(np.float32))


def test_fit_mnist_2000_images(caplog):
    x, y, tx, ty = _mnist()
    np.random.seed(0)
    mx.random.seed(0)
    train = mx.io.NDArrayIter(x, y, batch_size=50, shuffle=True)
    val = mx.io.NDArrayIter(tx, ty, batch_size=100)
    data = mx.sym.var("data")
    h = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=128, name="fc1"), act_type="relu", name="relu1")
    net = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(h, num_hidden=10, name="fc2"), name="softmax")
    mod = mx.mod.Module(net, context=mx.cpu())
    seen = []
    tic = time.time()
    with caplog.at_level(logging.INFO):
        mod.fit(train, eval_data=val, num_epoch=6, initializer=mx.init.Xavier(),
                optimizer="sgd", optimizer_params={"learning_rate": 0.1, "momentum": 0.9},
                batch_end_callback=[mx.callback.Speedometer(50, 10), lambda p: seen.append((p.epoch, p.nbatch))],
                epoch_end_callback=lambda epoch, sym, arg, aux: seen.append(("end", epoch, sorted(arg))))
    elapsed = time.time() - tic
    accuracy = dict(mod.score(val, "acc"))["accuracy"]
    print(f"MNIST Module: 2000 images, 6 epochs in {elapsed:.2f} s, test accuracy {accuracy:.3f}")
    assert accuracy > 0.85
    assert elapsed < 20
    assert seen[:2] == [(0, 0), (0, 1)] and seen[40] == ("end", 0, ["fc1_bias", "fc1_weight", "fc2_bias",
                                                                     "fc2_weight"])
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("Epoch[5] Validation-accuracy=") for m in messages)
    assert any(m.startswith("Epoch[0] Train-accuracy=") for m in messages)
    assert any("Batch [0-10]\tSpeed: " in m and "accuracy=" in m for m in messages)
    pred = mod.predict(val)
    assert pred.shape == (1000, 10)
    assert np.mean(pred.asnumpy().argmax(axis=1) == ty) == pytest.approx(accuracy)


def test_predict_score_and_last_batch_reshape():
    r = np.random.RandomState(5)
    x, y = r.randn(10, 5).astype(np.float32), r.randint(0, 3, 10).astype(np.float32)
    mod = ready_module()
    it = mx.io.NDArrayIter(x, y, batch_size=BATCH)  # 4 + 4 + 2 (padded)
    out = mod.predict(it)
    assert out.shape == (10, 3)
    parts = mod.predict(it, merge_batches=False)
    assert [p[0].shape for p in parts] == [(4, 3), (4, 3), (2, 3)]
    assert [o.shape for o in mod.predict(it, always_output_list=True)] == [(10, 3)]
    assert [(o[0].shape, n) for o, n, _ in mod.iter_predict(it)] == [((4, 3), 0), ((4, 3), 1), ((2, 3), 2)]
    assert mod.predict(it, num_batch=1).shape == (4, 3)
    assert mod.predict(mx.nd.array(x[:4])).shape == (4, 3)

    # A smaller batch (the last one of a 'discard'-less iterator) reshapes; the weights are shared.
    mod.forward(make_batch(x[:3], y[:3]), is_train=False)
    small = mod.get_outputs()[0].asnumpy()
    assert small.shape == (3, 3) and mod.data_shapes[0].shape == (3, 5)
    mod.forward(make_batch(x[:4], y[:4]), is_train=False)
    np.testing.assert_allclose(mod.get_outputs()[0].asnumpy()[:3], small, rtol=1e-6)
    np.testing.assert_allclose(out.asnumpy()[:4], mod.get_outputs()[0].asnumpy(), rtol=1e-6)
    # Training on the small batch updates the shared weights.
    before = mod.get_params()[0]["fc2_weight"].asnumpy().copy()
    mod.forward_backward(make_batch(x[:3], y[:3]))
    mod.update()
    assert not np.allclose(mod.get_params()[0]["fc2_weight"].asnumpy(), before)

    acc = dict(mod.score(it, "acc"))["accuracy"]
    preds = mod.predict(it).asnumpy().argmax(axis=1)
    # score counts the padded copies of the first samples, as MXNet does
    padded = np.concatenate([y, y[:2]])
    padded_pred = np.concatenate([preds, preds[:2]])
    assert acc == pytest.approx(np.mean(padded_pred == padded))
    names = [n for n, _ in mod.score(it, ["acc", "ce"])]
    assert names == ["accuracy", "cross-entropy"]


def test_predict_without_labels():
    mod = mx.mod.Module(mlp())  # the label keeps its name but gets no shape: inferred, never read
    with pytest.warns(UserWarning, match="label_shapes don't match names specified by label_names"):
        mod.bind(data_shapes=[("data", (BATCH, 5))], for_training=False)
    mod.init_params(arg_params={k: mx.nd.array(v) for k, v in params().items()})
    x = np.random.RandomState(0).randn(6, 5).astype(np.float32)
    out = mod.predict(mx.io.NDArrayIter(x, batch_size=BATCH)).asnumpy()
    assert out.shape == (6, 3)
    ref = ready_module()
    ref.forward(make_batch(x[:4]), is_train=False)
    np.testing.assert_allclose(out[:4], ref.get_outputs()[0].asnumpy(), rtol=1e-6)


def test_checkpoint_round_trip_with_optimizer_states(tmp_path):
    prefix = str(tmp_path / "mlp")
    mod = ready_module({"learning_rate": 0.1, "momentum": 0.9})
    data = batches(4)
    for x, y in data[:2]:
        mod.forward_backward(make_batch(x, y))
        mod.update()
    mod.save_checkpoint(prefix, 2, save_optimizer_states=True)
    for suffix in ("-symbol.json", "-0002.params", "-0002.states"):
        assert os.path.getsize(prefix + suffix) > 0

    sym, arg_params, aux_params = mx.model.load_checkpoint(prefix, 2)
    assert sym.list_arguments() == mlp().list_arguments() and aux_params == {}
    for k, v in mod.get_params()[0].items():
        np.testing.assert_array_equal(arg_params[k].asnumpy(), v.asnumpy())

    loaded = mx.mod.Module.load(prefix, 2, load_optimizer_states=True)
    loaded.bind(data_shapes=[("data", (BATCH, 5))], label_shapes=[("softmax_label", (BATCH,))])
    loaded.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
    fresh = mx.mod.Module.load(prefix, 2)  # momentum starts from zero
    fresh.bind(data_shapes=[("data", (BATCH, 5))], label_shapes=[("softmax_label", (BATCH,))])
    fresh.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.1, "momentum": 0.9})
    for m in (mod, loaded, fresh):
        for x, y in data[2:]:
            m.forward_backward(make_batch(x, y))
            m.update()
    for k, v in mod.get_params()[0].items():
        np.testing.assert_allclose(loaded.get_params()[0][k].asnumpy(), v.asnumpy(), rtol=1e-6, atol=1e-7)
    assert not np.allclose(fresh.get_params()[0]["fc2_weight"].asnumpy(), mod.get_params()[0]["fc2_weight"].asnumpy())

    # save_params/load_params and set_params
    mod.save_params(prefix + ".params")
    other = mx.mod.Module(mlp())
    other.bind(data_shapes=[("data", (BATCH, 5))], label_shapes=[("softmax_label", (BATCH,))])
    other.load_params(prefix + ".params")
    np.testing.assert_array_equal(other.get_params()[0]["fc1_weight"].asnumpy(),
                                  mod.get_params()[0]["fc1_weight"].asnumpy())
    other.set_params({"fc1_bias": mx.nd.ones((8,))}, {}, allow_missing=True)
    np.testing.assert_array_equal(other.get_params()[0]["fc1_bias"].asnumpy(), 1)
    np.testing.assert_array_equal(other.get_params()[0]["fc1_weight"].asnumpy(),
                                  mod.get_params()[0]["fc1_weight"].asnumpy())


def test_callbacks(tmp_path, caplog):
    prefix = str(tmp_path / "cb")
    x = np.random.RandomState(0).randn(12, 5).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)
    it = mx.io.NDArrayIter(x, y, batch_size=BATCH)
    mod = mx.mod.Module(mlp())
    with caplog.at_level(logging.INFO):
        mod.fit(it, num_epoch=2, eval_metric="acc",
                epoch_end_callback=[mx.callback.do_checkpoint(prefix),
                                    mx.callback.module_checkpoint(mod, prefix + "-m", save_optimizer_states=True)],
                batch_end_callback=[mx.callback.log_train_metric(1), mx.callback.ProgressBar(3, length=6)])
    assert os.path.exists(prefix + "-0002.params") and os.path.exists(prefix + "-symbol.json")
    assert os.path.exists(prefix + "-m-0001.states")
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("Iter[1] Batch[2] Train-accuracy=") for m in messages)
    assert "[====--] 67%\r" in messages
    caplog.clear()
    metric = mx.metric.create("acc")
    metric.update([mx.nd.array([1])], [mx.nd.array([[0.2, 0.8]])])
    speed = mx.callback.Speedometer(8, frequent=2, auto_reset=False)
    with caplog.at_level(logging.INFO):
        for n in range(3):
            speed(mx.callback.BatchEndParam(epoch=0, nbatch=n, eval_metric=metric, locals=None))
        mx.callback.LogValidationMetricsCallback()(mx.callback.BatchEndParam(3, 0, metric, None))
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].startswith("Epoch[0] Batch [0-2]\tSpeed: ") and messages[0].endswith("accuracy=1.000000")
    assert messages[1] == "Epoch[3] Validation-accuracy=1.000000"
    _, arg, _ = mx.model.load_checkpoint(prefix, 2)
    np.testing.assert_array_equal(arg["fc2_weight"].asnumpy(), mod.get_params()[0]["fc2_weight"].asnumpy())


def test_errors():
    mod = mx.mod.Module(mlp())
    with pytest.raises(mx.mod.ModuleStateError, match="not bound; call bind"):
        mod.forward(make_batch(*batches(1)[0]))
    with pytest.raises(AssertionError):  # MXNet raises an AssertionError there too
        mod.get_outputs()
    mod.bind(data_shapes=[("data", (BATCH, 5))], label_shapes=[("softmax_label", (BATCH,))])
    with pytest.raises(mx.mod.ModuleStateError, match="init_optimizer: parameters are not initialized"):
        mod.init_optimizer()
    with pytest.raises(RuntimeError, match="fc1_bias is not presented"):
        mod.init_params(arg_params={"fc1_weight": mx.nd.zeros((8, 5))})
    mod.init_params()
    with pytest.raises(mx.mod.ModuleStateError, match="call init_optimizer"):
        mod.update()
    with pytest.raises(ValueError, match="Cannot find optimizer nosuchopt"):
        mod.init_optimizer(optimizer="nosuchopt")
    with pytest.raises(mx.mod.ModuleStateError, match="inputs_need_grad"):
        mod.get_input_grads()
    with pytest.raises(ValueError, match="has shape"):
        mod.init_params(arg_params={k: mx.nd.zeros((1,)) for k in params()}, force_init=True)
    with pytest.raises(ValueError, match=r"data_names=\['x'\].*Did you mean one of:\n\tdata\n\tsoftmax_label"):
        mx.mod.Module(mlp(), data_names=["x"])
    with pytest.raises(ValueError, match="don't match names specified by data_names"):
        mx.mod.Module(mlp()).bind(data_shapes=[("x", (BATCH, 5))])
    with pytest.raises(ValueError, match="num_epoch"):
        mx.mod.Module(mlp()).fit(mx.io.NDArrayIter(np.zeros((4, 5)), np.zeros(4), batch_size=4))
    with pytest.raises(mx.MXNetError, match="one context"):
        mx.mod.Module(mlp(), context=[mx.cpu(0), mx.cpu(1)])
    infer = mx.mod.Module(mlp())
    infer.bind(data_shapes=[("data", (BATCH, 5))], label_shapes=[("softmax_label", (BATCH,))], for_training=False)
    infer.init_params()
    with pytest.raises(mx.mod.ModuleStateError, match="for_training=True"):
        infer.backward()
