"""The mx.model.FeedForward runs whose numbers Minerva must reproduce, written once for both
frameworks: ``run(mx, digits, folder)`` trains an MLP on scikit-learn's digits with FeedForward
from fixed initial parameters (numpy-seeded, so the shuffled batches agree) and returns the
results as a dict of numpy arrays.

make_feedforward_golden.py runs it under MXNet 1.9.1 (tests/golden/feedforward/digits.npz);
tests/python/test_feedforward.py runs it under Minerva and compares."""
import gzip
import os

import numpy as np

N_TRAIN = 1347
SHAPES = {"fc1_weight": (32, 64), "fc1_bias": (32,), "fc2_weight": (10, 32), "fc2_bias": (10,)}


def digits_path():
    return os.path.join(os.environ.get("MINERVA_DATA") or os.path.expanduser("~/.minerva/datasets"),
                        "digits", "digits.csv.gz")


def load_digits():
    with gzip.open(digits_path(), "rt") as f:
        d = np.loadtxt(f, delimiter=",", dtype=np.float32)
    x, y = d[:, :64] / 16.0, d[:, 64]
    return x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]


def mlp(mx):
    data = mx.sym.Variable("data")
    h = mx.sym.Activation(mx.sym.FullyConnected(data, num_hidden=32, name="fc1"), act_type="relu", name="relu1")
    return mx.sym.SoftmaxOutput(mx.sym.FullyConnected(h, num_hidden=10, name="fc2"), name="softmax")


def initial_params(mx):
    r = np.random.RandomState(42)
    return {k: mx.nd.array(r.uniform(-0.2, 0.2, s).astype(np.float32)) for k, s in SHAPES.items()}


def run(mx, digits, folder):
    x_tr, y_tr, x_te, y_te = digits
    out = {}
    batches, epochs, evals = [], [], []

    def on_batch(param):
        batches.append([param.epoch, param.nbatch])

    def on_epoch(epoch, symbol, arg_params, aux_params):
        epochs.append([epoch, float(arg_params["fc2_bias"].asnumpy().sum())])

    def on_eval(param):
        evals.append([param.epoch, param.nbatch, param.eval_metric.get()[1]])

    np.random.seed(0)
    model = mx.model.FeedForward(mlp(mx), num_epoch=4, numpy_batch_size=100, optimizer="sgd", learning_rate=0.1,
                                 momentum=0.9, wd=1e-4, arg_params=initial_params(mx))
    model.fit(x_tr, y_tr, eval_data=(x_te, y_te), eval_metric="acc", batch_end_callback=on_batch,
              epoch_end_callback=on_epoch, eval_end_callback=on_eval)
    out["batch_calls"] = np.array(batches)
    out["epoch_calls"] = np.array(epochs)
    out["eval_calls"] = np.array(evals)
    out["fc1_weight"] = model.arg_params["fc1_weight"].asnumpy()
    out["fc2_bias"] = model.arg_params["fc2_bias"].asnumpy()
    out["predict"] = model.predict(x_te)
    pred, data, label = model.predict(mx.io.NDArrayIter(x_te, y_te, batch_size=64), return_data=True)
    out["predict_iter"], out["predict_data_rows"], out["predict_label"] = pred, data.sum(axis=1), label
    out["predict_2_batches"] = model.predict(x_te, num_batch=2)
    out["score"] = np.array(model.score(mx.io.NDArrayIter(x_te, y_te, batch_size=64)))
    out["score_ce"] = np.array(model.score(mx.io.NDArrayIter(x_te, y_te, batch_size=64), eval_metric="ce"))

    prefix = os.path.join(folder, "ff")
    model.save(prefix)
    loaded = mx.model.FeedForward.load(prefix, 4)
    out["loaded_predict"] = loaded.predict(x_te)
    out["loaded_begin_epoch"] = np.array(loaded.begin_epoch)

    # Functional form, epochs of 5 batches (the iterator is not reset between them), Adam.
    np.random.seed(1)
    created = mx.model.FeedForward.create(mlp(mx), x_tr, y_tr, num_epoch=3, epoch_size=5, optimizer="adam",
                                          learning_rate=0.01, arg_params=initial_params(mx),
                                          numpy_batch_size=64, eval_end_callback=None)
    out["create_predict"] = created.predict(x_te)

    # Resuming: begin_epoch counts the epochs already done.
    np.random.seed(2)
    resumed = mx.model.FeedForward.load(prefix, 4, num_epoch=5, learning_rate=0.05, numpy_batch_size=200)
    resumed.fit(x_tr, y_tr, epoch_end_callback=lambda e, *_: out.setdefault("resumed_epochs", np.array([e])))
    out["resumed_predict"] = resumed.predict(x_te)
    return out
