"""BucketingModule, SequentialModule and PythonLossModule runs whose numbers Minerva must
reproduce, written once for both frameworks: ``run(mx, name, folder)`` returns a dict of numpy
arrays. make_module_golden.py runs them under MXNet 1.9.1 (tests/golden/modules/*.npz);
tests/python/test_module_kinds.py runs them under Minerva and compares."""
import os

import numpy as np

BATCH = 2


def _params(mx, shapes, seed):
    r = np.random.RandomState(seed)
    return {k: mx.nd.array(r.uniform(-0.5, 0.5, s).astype(np.float32)) for k, s in shapes.items()}


def _np(arrays):
    return [a.asnumpy() for a in arrays]


# ---- BucketingModule ----------------------------------------------------------------------------
def bucket_sym_gen(mx):
    def sym_gen(seq_len):
        data = mx.sym.Variable("data")
        h = mx.sym.FullyConnected(data, num_hidden=5, flatten=False, name="fc1")
        h = mx.sym.sum(mx.sym.Activation(h, act_type="tanh"), axis=1)
        out = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(h, num_hidden=3, name="fc2"), name="softmax")
        return out, ("data",), ("softmax_label",)
    return sym_gen


BUCKET_SHAPES = {"fc1_weight": (5, 4), "fc1_bias": (5,), "fc2_weight": (3, 5), "fc2_bias": (3,)}


def bucket_batches(mx, keys, seed):
    r = np.random.RandomState(seed)
    out = []
    for key in keys:
        x = r.randn(BATCH, key, 4).astype(np.float32)
        y = r.randint(0, 3, BATCH).astype(np.float32)
        out.append(mx.io.DataBatch([mx.nd.array(x)], [mx.nd.array(y)], pad=0, bucket_key=key,
                                   provide_data=[mx.io.DataDesc("data", x.shape)],
                                   provide_label=[mx.io.DataDesc("softmax_label", y.shape)]))
    return out


def bucket_iter(mx, keys, seed):
    batches = bucket_batches(mx, keys, seed)

    class BucketIter(mx.io.DataIter):
        def __init__(self):
            super().__init__(BATCH)
            self.default_bucket_key = max(keys)
            self.provide_data = [mx.io.DataDesc("data", (BATCH, self.default_bucket_key, 4))]
            self.provide_label = [mx.io.DataDesc("softmax_label", (BATCH,))]
            self.i = 0

        def reset(self):
            self.i = 0

        def next(self):
            if self.i == len(batches):
                raise StopIteration
            self.i += 1
            return batches[self.i - 1]
    return BucketIter()


def bucketing(mx, folder):
    out = {}
    mod = mx.mod.BucketingModule(bucket_sym_gen(mx), default_bucket_key=5, context=mx.cpu())
    mod.bind(data_shapes=[("data", (BATCH, 5, 4))], label_shapes=[("softmax_label", (BATCH,))],
             inputs_need_grad=True)
    mod.init_params(arg_params=_params(mx, BUCKET_SHAPES, 0))
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01})
    metric = mx.metric.create(["acc", "ce"])
    for i, batch in enumerate(bucket_batches(mx, [5, 3, 4, 3], 1)):
        mod.forward(batch, is_train=True)
        mod.backward()
        mod.update()
        mod.update_metric(metric, batch.label)
        out[f"step{i}_output"] = mod.get_outputs()[0].asnumpy()
        out[f"step{i}_input_grad"] = mod.get_input_grads()[0].asnumpy()
        out[f"step{i}_output_shape"] = np.array(mod.output_shapes[0][1])
    out["metric"] = np.array(metric.get()[1])
    arg, _ = mod.get_params()
    for k in sorted(arg):
        out[f"trained_{k}"] = arg[k].asnumpy()

    np.random.seed(0)
    fitted = mx.mod.BucketingModule(bucket_sym_gen(mx), default_bucket_key=6)
    train = bucket_iter(mx, [6, 2, 4, 6, 3], 2)
    fitted.fit(train, num_epoch=2, arg_params=_params(mx, BUCKET_SHAPES, 3), optimizer="adam",
               optimizer_params={"learning_rate": 0.05}, eval_metric="acc")
    arg, _ = fitted.get_params()
    for k in sorted(arg):
        out[f"fit_{k}"] = arg[k].asnumpy()
    score_iter = bucket_iter(mx, [3, 6, 2], 4)
    out["fit_score"] = np.array([v for _, v in fitted.score(score_iter, ["acc", "ce"])])
    preds = fitted.predict(score_iter, merge_batches=False)
    for i, p in enumerate(preds):
        out[f"fit_predict{i}"] = p[0].asnumpy()

    prefix = os.path.join(folder, "bucket")
    fitted.save_checkpoint(prefix, 2)
    loaded = mx.mod.BucketingModule.load(prefix, 2, sym_gen=bucket_sym_gen(mx), default_bucket_key=6)
    loaded.bind(data_shapes=[("data", (BATCH, 6, 4))], label_shapes=[("softmax_label", (BATCH,))],
                for_training=False)
    out["loaded_buckets"] = np.array(sorted(loaded._buckets))
    loaded_preds = loaded.predict(score_iter, merge_batches=False)
    for i, p in enumerate(loaded_preds):
        out[f"loaded_predict{i}"] = p[0].asnumpy()
    return out


# ---- SequentialModule ---------------------------------------------------------------------------
SEQ_SHAPES = {"fc1_weight": (6, 4), "fc1_bias": (6,), "fc2_weight": (3, 6), "fc2_bias": (3,)}


def _sequential(mx):
    data = mx.sym.Variable("data")
    first = mx.mod.Module(mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=6, name="fc1"),
                                            act_type="relu", name="relu1"), label_names=None)
    second_data = mx.sym.Variable("hidden")
    second = mx.mod.Module(mx.sym.SoftmaxOutput(mx.sym.FullyConnected(second_data, num_hidden=3, name="fc2"),
                                                name="softmax"), data_names=["hidden"])
    return mx.mod.SequentialModule().add(first).add(second, take_labels=True, auto_wiring=True)


def sequential(mx, folder):
    out = {}
    r = np.random.RandomState(5)
    x = r.randn(12, 4).astype(np.float32)
    y = r.randint(0, 3, 12).astype(np.float32)
    seq = _sequential(mx)
    seq.bind(data_shapes=[("data", (4, 4))], label_shapes=[("softmax_label", (4,))], inputs_need_grad=True)
    seq.init_params(arg_params=_params(mx, SEQ_SHAPES, 6))
    seq.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.2, "momentum": 0.5})
    metric = mx.metric.create("acc")
    for i in range(3):
        batch = mx.io.DataBatch([mx.nd.array(x[4 * i:4 * i + 4])], [mx.nd.array(y[4 * i:4 * i + 4])])
        seq.forward_backward(batch)
        seq.update()
        seq.update_metric(metric, batch.label)
        out[f"step{i}_output"] = seq.get_outputs()[0].asnumpy()
        out[f"step{i}_input_grad"] = seq._modules[0].get_input_grads()[0].asnumpy()  # MXNet: seq.inputs_need_grad unset
    out["metric"] = np.array(metric.get()[1])
    out["output_shapes"] = np.array([list(s[1]) for s in seq.output_shapes])
    arg, _ = seq.get_params()
    for k in sorted(arg):
        out[f"trained_{k}"] = arg[k].asnumpy()

    np.random.seed(1)
    fitted = _sequential(mx)
    train = mx.io.NDArrayIter(x, y, batch_size=4, shuffle=True)
    fitted.fit(train, num_epoch=3, arg_params=_params(mx, SEQ_SHAPES, 7), optimizer="sgd",
               optimizer_params={"learning_rate": 0.3})
    arg, _ = fitted.get_params()
    for k in sorted(arg):
        out[f"fit_{k}"] = arg[k].asnumpy()
    test = mx.io.NDArrayIter(x[:10], y[:10], batch_size=4)
    out["fit_predict"] = fitted.predict(test).asnumpy()
    out["fit_score"] = np.array(fitted.score(test, "ce")[0][1])
    return out


# ---- PythonLossModule at the end of a SequentialModule --------------------------------------------
def python_loss(mx, folder):
    out = {}
    r = np.random.RandomState(8)
    x = r.randn(9, 5).astype(np.float32)
    y = r.randint(0, 3, 9).astype(np.float32)

    def grad_func(scores, labels):
        return mx.nd.softmax(scores) - mx.nd.one_hot(labels, 3)

    data = mx.sym.Variable("data")
    net = mx.mod.Module(mx.sym.FullyConnected(data, num_hidden=3, name="fc"), label_names=None)
    loss = mx.mod.PythonLossModule(grad_func=grad_func)
    seq = mx.mod.SequentialModule().add(net).add(loss, take_labels=True, auto_wiring=True)
    seq.bind(data_shapes=[("data", (3, 5))], label_shapes=[("softmax_label", (3,))])
    seq.init_params(arg_params=_params(mx, {"fc_weight": (3, 5), "fc_bias": (3,)}, 9))
    seq.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.5})
    for i in range(3):
        batch = mx.io.DataBatch([mx.nd.array(x[3 * i:3 * i + 3])], [mx.nd.array(y[3 * i:3 * i + 3])])
        seq.forward(batch, is_train=True)
        seq.backward()
        seq.update()
        out[f"step{i}_output"] = seq.get_outputs()[0].asnumpy()
    out["output_names"] = np.array(seq.output_names)
    out["output_shapes"] = np.array([list(s[1]) for s in seq.output_shapes])
    arg, _ = seq.get_params()
    for k in sorted(arg):
        out[f"trained_{k}"] = arg[k].asnumpy()
    return out


SCENARIOS = {"bucketing": bucketing, "sequential": sequential, "python_loss": python_loss}
