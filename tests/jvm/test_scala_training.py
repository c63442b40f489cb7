"""The Scala API through jpype (the `jvm` fixture of conftest.py starts the one JVM): an MLP
trained from Scala on scikit-learn's digits reaches 90% test accuracy; its checkpoint loads in
Python's `mx.model.load_checkpoint` and predicts the same; a model trained in Python loads in
Scala's `FeedForward.load` and predicts the same."""
import gzip
import os
import pathlib

import numpy as np
import pytest

import minerva as mx

DIGITS = pathlib.Path(os.environ.get("MINERVA_DATA") or pathlib.Path.home() / ".minerva/datasets") \
    / "digits/digits.csv.gz"
N_TRAIN = 1347
EPOCHS = 15


@pytest.fixture(scope="module")
def digits():
    if not DIGITS.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{DIGITS} is missing (tools/fetch_data.sh installs it)")
        pytest.skip(f"{DIGITS} is missing; run tools/fetch_data.sh")
    with gzip.open(DIGITS, "rt") as f:
        d = np.loadtxt(f, delimiter=",", dtype=np.float32)
    x, y = d[:, :64] / 16.0, d[:, 64]
    return x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]


class Scala:
    """The Scala objects, called as a Java user would: every argument given."""

    def __init__(self, jvm):
        self.jvm = jvm
        j = jvm.JClass
        # Shape's companion: the class's own apply(int) hides the static forwarder
        self.NDArray, self.Shape = j("org.minerva.NDArray"), getattr(j("org.minerva.Shape$"), "MODULE$")
        self.Context, self.Random = j("org.minerva.Context"), j("org.minerva.Random")
        self.Symbol, self.SymbolAPI = j("org.minerva.Symbol"), j("org.minerva.generated.SymbolAPI")
        self.FeedForward, self.NDArrayIter = j("org.minerva.FeedForward"), j("org.minerva.io.NDArrayIter")
        self.SGD, self.Xavier = j("org.minerva.optimizer.SGD"), j("org.minerva.Xavier")
        self.Some, self.none = j("scala.Some"), getattr(j("scala.None$"), "MODULE$")
        self.cpu = self.Context.cpu(0)

    def array(self, x):
        x = np.ascontiguousarray(x, dtype=np.float32)
        return self.NDArray.array(self.jvm.JArray(self.jvm.JFloat)(x.ravel()), self.Shape.apply(*x.shape), self.cpu)

    def mlp(self, hidden):
        api, some, none = self.SymbolAPI, self.Some, self.none
        data = self.Symbol.Variable("data")
        fc1 = api.FullyConnected(some(data), none, none, hidden, False, True, some("fc1"))
        act = api.Activation(some(fc1), "relu", some("relu1"))
        fc2 = api.FullyConnected(some(act), none, none, 10, False, True, some("fc2"))
        return api.SoftmaxOutput(some(fc2), none, 1.0, -1.0, False, False, False, "null", False, 0.0, some("softmax"))

    def iterator(self, x, y, batch, shuffle):
        return self.NDArrayIter(self.array(x), self.array(y), batch, shuffle)

    def predict(self, model, it):
        out = model.predict(it).head()
        return np.array(out.toArray(), dtype=np.float32).reshape(tuple(out.shape().toArray()))


def python_predict(prefix, epoch, x):
    sym, arg_params, aux_params = mx.model.load_checkpoint(prefix, epoch)
    mod = mx.mod.Module(sym, context=mx.cpu())
    it = mx.io.NDArrayIter(x, batch_size=50)
    mod.bind(data_shapes=it.provide_data, label_shapes=[("softmax_label", (50,))], for_training=False)
    mod.set_params(arg_params, aux_params)
    return mod.predict(it).asnumpy()


def test_scala_trains_digits_and_python_predicts_its_checkpoint(jvm, digits, tmp_path):
    s = Scala(jvm)
    x_tr, y_tr, x_te, y_te = digits
    s.Random.seed(0)
    train = s.iterator(x_tr, y_tr, 32, True)
    test = s.iterator(x_te, y_te, 50, False)
    model = (s.FeedForward.newBuilder(s.mlp(64)).setContext(s.cpu).setNumEpoch(EPOCHS)
             .setOptimizer(s.SGD(0.1, 0.9, 0.0001, 0.0, None)).setInitializer(s.Xavier("uniform", "avg", 3.0))
             .setBatchSize(32).build())
    acc = float(model.fit(train, test))
    print(f"\nScala digits MLP: test accuracy {acc:.4f} after {EPOCHS} epochs")
    assert acc >= 0.90

    scala_out = s.predict(model, test)
    assert scala_out.shape == (len(y_te), 10)
    assert np.mean(scala_out.argmax(axis=1) == y_te) == pytest.approx(acc, abs=1e-6)

    prefix = str(tmp_path / "scala_digits")
    model.save(prefix, EPOCHS)
    py_out = python_predict(prefix, EPOCHS, x_te)
    diff = float(np.max(np.abs(py_out - scala_out)))
    print(f"Scala checkpoint predicted in Python: max |difference| {diff:.3g}")
    assert diff < 1e-5
    for obj in (train, test, model):
        obj.close()


def test_python_trains_digits_and_scala_predicts_its_checkpoint(jvm, digits, tmp_path):
    x_tr, y_tr, x_te, y_te = digits
    mx.random.seed(0)
    data = mx.sym.var("data")
    fc1 = mx.sym.FullyConnected(data, num_hidden=32, name="fc1")
    fc2 = mx.sym.FullyConnected(mx.sym.Activation(fc1, act_type="relu", name="relu1"), num_hidden=10, name="fc2")
    net = mx.sym.SoftmaxOutput(fc2, name="softmax")
    mod = mx.mod.Module(net, context=mx.cpu())
    mod.fit(mx.io.NDArrayIter(x_tr, y_tr, batch_size=32, shuffle=True, label_name="softmax_label"), num_epoch=5,
            optimizer="sgd", optimizer_params={"learning_rate": 0.1, "momentum": 0.9},
            initializer=mx.init.Xavier())
    prefix = str(tmp_path / "python_digits")
    mod.save_checkpoint(prefix, 5)
    py_out = python_predict(prefix, 5, x_te)

    s = Scala(jvm)
    model = s.FeedForward.load(prefix, 5, s.cpu)
    test = s.iterator(x_te, y_te, 50, False)
    scala_out = s.predict(model, test)
    diff = float(np.max(np.abs(py_out - scala_out)))
    print(f"\nPython checkpoint predicted in Scala: max |difference| {diff:.3g}, "
          f"accuracy {np.mean(scala_out.argmax(axis=1) == y_te):.4f}")
    assert diff < 1e-5
    assert np.mean(scala_out.argmax(axis=1) == y_te) >= 0.85
    test.close()
    model.close()


def test_scala_errors_and_close_through_the_jvm(jvm):
    s = Scala(jvm)
    a = s.array(np.ones((2, 3)))
    plus = getattr(a, "$plus")  # Scala's + as Java sees it
    assert list(plus(s.array(np.full((1, 3), 2.0))).toArray()) == [3.0] * 6
    with pytest.raises(jvm.JClass("org.minerva.MinervaValueException")) as e:
        plus(s.array(np.ones((4, 5))))
    assert "broadcast_add" in str(e.value.getMessage())
    a.close()
    a.close()
    with pytest.raises(jvm.JClass("java.lang.IllegalStateException")):
        a.toArray()
