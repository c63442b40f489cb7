"""mx.metric: every metric against values MXNet 1.9.1 computed on the same inputs (two updates,
reset_local, a third update: get() before and after, get_global() at the end), plus create(),
names, the registry and errors."""
import math

import minerva as mx
import numpy as np
import pytest


def data():
    """The inputs the MXNet oracle saw (numpy's legacy RandomState is stable across versions)."""
    r = np.random.RandomState(42)
    d = {}
    d["cls_pred"] = [r.rand(8, 5).astype("float32") for _ in range(3)]
    d["cls_label"] = [r.randint(0, 5, size=8).astype("float32") for _ in range(3)]
    d["bin_pred"] = [r.rand(10, 2).astype("float32") for _ in range(3)]
    d["bin_label"] = [r.randint(0, 2, size=10).astype("float32") for _ in range(3)]
    p = [r.rand(6, 4).astype("float32") for _ in range(3)]
    d["prob"] = [x / x.sum(axis=1, keepdims=True) for x in p]
    d["prob_label"] = [r.randint(0, 4, size=6).astype("float32") for _ in range(3)]
    d["reg_pred"] = [r.randn(7).astype("float32") for _ in range(3)]
    d["reg_label"] = [r.randn(7).astype("float32") for _ in range(3)]
    d["reg2_pred"] = [r.randn(5, 3).astype("float32") for _ in range(3)]
    d["reg2_label"] = [r.randn(5, 3).astype("float32") for _ in range(3)]
    d["loss"] = [r.rand(9).astype("float32") for _ in range(3)]
    return d


# (create name, kwargs, pred key, label key, name, get after 2 updates, get after reset_local + 1, get_global)
# computed with mxnet 1.9.1.
ORACLE = [
    ('acc', {}, 'cls_pred', 'cls_label', 'accuracy', 0.4375, 0.0, 0.2916666666666667),
    ('accuracy', {'axis': 1}, 'cls_pred', 'cls_label', 'accuracy', 0.4375, 0.0, 0.2916666666666667),
    ('top_k_accuracy', {'top_k': 2}, 'cls_pred', 'cls_label', 'top_k_accuracy_2', 0.5, 0.25, 0.4166666666666667),
    ('top_k_accuracy', {'top_k': 3}, 'cls_pred', 'cls_label', 'top_k_accuracy_3', 0.75, 0.5, 0.6666666666666666),
    ('f1', {}, 'bin_pred', 'bin_label', 'f1', 0.5555555555555556, 0.6666666666666666, 0.5925925925925926),
    ('f1', {'average': 'micro'}, 'bin_pred', 'bin_label', 'f1',
     0.5714285714285715, 0.6666666666666666, 0.606060606060606),
    ('mcc', {}, 'bin_pred', 'bin_label', 'mcc', 0.1091089451179962, 0.16666666666666666, 0.12829485230088636),
    ('mcc', {'average': 'micro'}, 'bin_pred', 'bin_label', 'mcc',
     0.12309149097933272, 0.16666666666666666, 0.13608276348795434),
    ('mae', {}, 'reg_pred', 'reg_label', 'mae', 1.0475398302078247, 0.7473987936973572, 0.9474928180376688),
    ('mse', {}, 'reg_pred', 'reg_label', 'mse', 1.5936250388622284, 0.8137438893318176, 1.3336646556854248),
    ('rmse', {}, 'reg_pred', 'reg_label', 'rmse', 1.2075257003307343, 0.9020775556564331, 1.1057096521059673),
    ('mae', {}, 'reg2_pred', 'reg2_label', 'mae', 0.9366313815116882, 1.2442024946212769, 1.039155085881551),
    ('rmse', {}, 'reg2_pred', 'reg2_label', 'rmse', 1.1412190198898315, 1.5117179155349731, 1.2647186517715454),
    ('ce', {}, 'prob', 'prob_label', 'cross-entropy', 1.3100859721501668, 1.3953620592753093, 1.3385113345252142),
    ('ce', {'eps': 0.001}, 'prob', 'prob_label', 'cross-entropy',
     1.3060428698857625, 1.3904563585917156, 1.3341806994544134),
    ('nll_loss', {}, 'prob', 'prob_label', 'nll-loss', 1.3100859721501668, 1.3953620592753093, 1.3385113345252142),
    ('perplexity', {'ignore_label': None}, 'prob', 'prob_label', 'perplexity',
     3.7064923536300767, 4.036435095525842, 3.81336225475358),
    ('perplexity', {'ignore_label': 1}, 'prob', 'prob_label', 'perplexity',
     3.8470838919475066, 4.4821776233671615, 4.187905589752571),
    ('pearsonr', {}, 'reg_pred', 'reg_label', 'pearsonr', 0.08682359982644533, 0.40134955583336074, 0.1916655851620838),
    ('pearsonr', {'average': 'micro'}, 'reg_pred', 'reg_label', 'pearsonr',
     0.1537901685451953, 0.14801804191521697, 0.0),
    ('pcc', {}, 'cls_pred', 'cls_label', 'pcc', 0.23948437718463247, -0.2502172968684897, 0.07919321490640249),
    ('loss', {}, 'loss', 'loss', 'loss', 0.45087574587927925, 0.6038772794935439, 0.5018762570840342),
]


@pytest.mark.parametrize("case", ORACLE, ids=[f"{c[0]}-{i}" for i, c in enumerate(ORACLE)])
def test_matches_mxnet(case):
    create_name, kwargs, pred_key, label_key, name, first, local, glob = case
    d = data()
    preds = [mx.nd.array(x) for x in d[pred_key]]
    labels = [mx.nd.array(x) for x in d[label_key]]
    m = mx.metric.create(create_name, **kwargs)
    m.update([labels[0]], [preds[0]])
    m.update([labels[1]], [preds[1]])
    assert m.get()[0] == name
    assert m.get()[1] == pytest.approx(first, rel=1e-6)
    m.reset_local()
    m.update([labels[2]], [preds[2]])
    assert m.get()[1] == pytest.approx(local, rel=1e-6)
    assert m.get_global() == (name, pytest.approx(glob, rel=1e-6))
    assert isinstance(m.get()[1], float)


def test_numpy_inputs_and_single_arrays():
    m = mx.metric.Accuracy()
    m.update(np.array([0, 1, 1]), np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]]))
    assert m.get() == ("accuracy", pytest.approx(2 / 3))
    assert m.num_inst == 3 and m.sum_metric == 2


def test_accuracy_with_class_predictions_and_axis():
    m = mx.metric.Accuracy()
    m.update([mx.nd.array([1, 2, 3])], [mx.nd.array([1, 0, 3])])  # same shape: taken as classes
    assert m.get()[1] == pytest.approx(2 / 3)
    m = mx.metric.Accuracy(axis=0)
    m.update([mx.nd.array([1, 0])], [mx.nd.array([[0.1, 0.9], [0.8, 0.2]])])
    assert m.get()[1] == 1.0


def test_nan_before_update_and_reset():
    for name in ("acc", "rmse", "ce", "perplexity", "f1", "loss"):
        m = mx.metric.create(name)
        assert math.isnan(m.get()[1]) and math.isnan(m.get_global()[1])
    m = mx.metric.MSE()
    m.update([mx.nd.array([1.0])], [mx.nd.array([3.0])])
    m.reset()
    assert m.num_inst == 0 and m.global_num_inst == 0 and math.isnan(m.get()[1])


def test_rmse_averages_per_batch_values():
    m = mx.metric.RMSE()
    m.update([mx.nd.array([0.0, 0.0])], [mx.nd.array([3.0, 3.0])])
    m.update([mx.nd.array([0.0])], [mx.nd.array([1.0])])
    assert m.get() == ("rmse", pytest.approx(2.0))  # (3 + 1) / 2, not sqrt((9+9+1)/3)


def test_names_and_get_name_value():
    assert mx.metric.create("acc").get_name_value() == [("accuracy", pytest.approx(float("nan"), nan_ok=True))]
    assert mx.metric.create("top_k_acc", top_k=4).name == "top_k_accuracy_4"
    assert mx.metric.create("ce").name == "cross-entropy"
    assert mx.metric.create("nll_loss").name == "nll-loss"
    assert mx.metric.create("Accuracy").name == "accuracy"  # names are case-insensitive
    assert str(mx.metric.create("mae")) == "EvalMetric: {'mae': nan}"
    assert mx.metric.create("acc").get_config() == {"axis": 1, "metric": "Accuracy", "name": "accuracy",
                                                    "output_names": None, "label_names": None}


def test_create_instances_callables_lists_and_configs():
    acc = mx.metric.Accuracy()
    assert mx.metric.create(acc) is acc
    composite = mx.metric.create(["acc", "f1", lambda label, pred: 0.5])
    assert isinstance(composite, mx.metric.CompositeEvalMetric)
    assert [c.name for c in composite.metrics] == ["accuracy", "f1", "custom(<lambda>)"]
    again = mx.metric.create(mx.metric.create("acc", axis=0, name="a0").get_config())
    assert (type(again), again.axis, again.name) == (mx.metric.Accuracy, 0, "a0")
    assert mx.metric.create('["mse", {"name": "m2"}]').name == "m2"


def test_unknown_name_lists_registered_names():
    with pytest.raises(ValueError, match=r"Cannot find metric nope.*accuracy.*rmse"):
        mx.metric.create("nope")
    with pytest.raises(TypeError, match="metric must be"):
        mx.metric.create(3)
    with pytest.raises(ValueError, match="already an instance"):
        mx.metric.create(mx.metric.MAE(), name="x")


def test_register_and_alias():
    @mx.metric.register
    @mx.metric.alias("always_one_test")
    class AlwaysOne(mx.metric.EvalMetric):
        def __init__(self, name="always1"):
            super().__init__(name)

        def update(self, labels, preds):
            self.sum_metric += len(preds)
            self.num_inst += len(preds)

    m = mx.metric.create("always_one_test")
    m.update([1], [2])
    assert m.get() == ("always1", 1.0)
    assert isinstance(mx.metric.create("alwaysone"), AlwaysOne)
    with pytest.raises(TypeError, match="subclasses of EvalMetric"):
        mx.metric.register(int)
    with pytest.warns(UserWarning, match="overriding"):
        mx.metric.register(mx.metric.MAE, "always_one_test")


def test_shape_errors():
    m = mx.metric.Accuracy()
    with pytest.raises(ValueError, match="Shape of labels 1 does not match shape of predictions 2"):
        m.update([mx.nd.array([0, 1])], [mx.nd.array([[1, 0]]), mx.nd.array([[1, 0]])])
    with pytest.raises(ValueError, match="top_k must be > 1"):
        mx.metric.TopKAccuracy(top_k=1)
    with pytest.raises(ValueError, match="only supports binary"):
        mx.metric.F1().update([mx.nd.array([0, 1, 2])], [mx.nd.array(np.eye(3))])
    with pytest.raises(ValueError, match="average must be"):
        mx.metric.F1(average="weighted")


def test_composite():
    c = mx.metric.CompositeEvalMetric()
    c.add("acc")
    c.add(mx.metric.TopKAccuracy(top_k=2))
    c.update([mx.nd.array([0, 2])], [mx.nd.array([[0.5, 0.3, 0.2], [0.5, 0.3, 0.2]])])
    assert c.get() == (["accuracy", "top_k_accuracy_2"], [0.5, 0.5])
    assert c.get_name_value() == [("accuracy", 0.5), ("top_k_accuracy_2", 0.5)]
    assert c.get_global() == c.get()
    assert c.get_metric(1).name == "top_k_accuracy_2"
    assert isinstance(c.get_metric(5), ValueError)  # MXNet returns, not raises, this error
    c.reset_local()
    assert math.isnan(c.get()[1][0]) and c.get_global()[1] == [0.5, 0.5]
    assert c.get_config()["metrics"][0]["metric"] == "Accuracy"


def test_update_dict_selects_names():
    m = mx.metric.Accuracy(output_names=["b_output"], label_names=["b_label"])
    labels = {"a_label": mx.nd.array([0, 0]), "b_label": mx.nd.array([1, 1])}
    preds = {"a_output": mx.nd.array([[1, 0], [1, 0]]), "b_output": mx.nd.array([[0, 1], [1, 0]])}
    m.update_dict(labels, preds)
    assert m.get()[1] == 0.5
    c = mx.metric.CompositeEvalMetric(["acc"], label_names=["a_label"], output_names=["a_output"])
    c.update_dict(labels, preds)
    assert c.get() == (["accuracy"], [1.0])


def test_custom_and_np():
    def mean_abs(label, pred):
        return float(np.abs(label - pred).mean())

    m = mx.metric.np(mean_abs)
    m.update([mx.nd.array([1, 2])], [mx.nd.array([1.5, 2])])
    m.update([mx.nd.array([0])], [mx.nd.array([1])])
    assert m.get() == ("mean_abs", pytest.approx(0.625))

    def total(label, pred):
        return float(np.abs(label - pred).sum()), label.size

    m = mx.metric.CustomMetric(total, name="tot")
    m.update([mx.nd.array([1, 2])], [mx.nd.array([1.5, 2])])
    assert (m.get(), m.num_inst) == (("tot", 0.25), 2)
    with pytest.raises(NotImplementedError):
        m.get_config()
    extra = mx.metric.CustomMetric(lambda label, pred: 1.0, allow_extra_outputs=True)
    extra.update([mx.nd.array([1])], [mx.nd.array([1]), mx.nd.array([2])])
    assert extra.num_inst == 1


def test_loss_ignores_labels():
    m = mx.metric.Loss()
    m.update(None, mx.nd.array([1, 2, 3]))
    m.update(None, [mx.nd.array([[6.0]])])
    assert m.get() == ("loss", 3.0)
    assert mx.metric.create("torch").name == "torch" and mx.metric.create("caffe").name == "caffe"


def test_perplexity_axis():
    pred = np.random.RandomState(1).rand(3, 4).astype("float32")
    label = np.array([0, 3, 2], dtype="float32")
    a = mx.metric.Perplexity(ignore_label=None)
    a.update([mx.nd.array(label)], [mx.nd.array(pred)])
    b = mx.metric.Perplexity(ignore_label=None, axis=0)
    b.update([mx.nd.array(label)], [mx.nd.array(pred.T.copy())])
    expected = math.exp(-np.log(pred[np.arange(3), label.astype(int)]).mean())
    assert a.get()[1] == pytest.approx(expected, rel=1e-6) and b.get()[1] == pytest.approx(expected, rel=1e-6)
