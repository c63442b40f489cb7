"""mx.notebook (MXNet 1.x's Jupyter callbacks): the same names as MXNet 1.9.1; args_wrapper merges
callback_args; without pandas/bokeh the classes name the missing package; PandasLogger records
metrics when pandas is installed."""
import types

import pytest

import minerva as mx

cb = mx.notebook.callback


class _Recorder:
    def __init__(self, name):
        self.name = name

    def callback_args(self):
        return {"batch_end_callback": self.name + "_batch", "eval_end_callback": self.name + "_eval"}


def test_names_are_mxnets():
    for name in ("PandasLogger", "LiveBokehChart", "LiveLearningCurve", "LiveTimeSeries", "args_wrapper",
                 "_add_new_columns", "_extend", "datetime", "defaultdict", "pd", "time"):
        assert hasattr(cb, name), name
    assert hasattr(mx.notebook, "bokeh") and hasattr(mx.notebook, "callback")


def test_args_wrapper_merges_callback_args():
    merged = cb.args_wrapper(_Recorder("a"), _Recorder("b"))
    assert merged == {"batch_end_callback": ["a_batch", "b_batch"], "eval_end_callback": ["a_eval", "b_eval"]}


def test_extend_copies_the_tail():
    base = [1, 2]
    cb._extend(base, [1, 2, 3, 4])
    assert base == [1, 2, 3, 4]


def test_missing_packages_are_named():
    if cb.pd.__name__ == "pandas":
        pytest.skip("pandas is installed")
    assert cb.pd.__name__ == "Pandas_Failed_To_Import"
    with pytest.raises(ImportError, match="PandasLogger needs the 'pandas' package"):
        cb.PandasLogger(batch_size=4)
    with pytest.raises(ImportError, match="LiveLearningCurve needs the 'bokeh' package"):
        cb.LiveLearningCurve("accuracy")
    assert mx.notebook.bokeh.__name__ in ("bokeh", "Bokeh_Failed_To_Import")


def test_pandas_logger_records_metrics():
    pytest.importorskip("pandas")
    logger = cb.PandasLogger(batch_size=4, frequent=1)
    metric = mx.metric.Accuracy()
    metric.update([mx.nd.array([0, 1])], [mx.nd.array([[1, 0], [0, 1]])])
    logger.train_cb(types.SimpleNamespace(nbatch=0, epoch=0, eval_metric=metric))
    logger.epoch_cb()
    assert list(logger.train_df["accuracy"]) == [1.0]
    assert len(logger.epoch_df) == 1
