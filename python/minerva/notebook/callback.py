"""Training-progress callbacks for Jupyter notebooks (MXNet 1.x's ``mx.notebook.callback``):
``PandasLogger`` records metrics into pandas DataFrames; ``LiveLearningCurve`` and
``LiveTimeSeries`` draw live bokeh charts; ``args_wrapper`` merges their ``callback_args()`` into
the keyword arguments of ``Module.fit``. pandas and bokeh are optional: without them the classes
that need them raise an ImportError naming the package when created."""
import datetime
import time
from collections import defaultdict

try:
    import bokeh.io
    import bokeh.plotting
except ImportError:
    bokeh = None

try:
    import pandas as pd
except ImportError:
    class Pandas_Failed_To_Import:  # noqa: N801 - MXNet's name
        """Stands in for the ``pandas`` package, which is not installed."""

    pd = Pandas_Failed_To_Import


def _require(what, package, available):
    if not available:
        raise ImportError("mx.notebook.callback.%s needs the %r package, which is not installed (pip install %s)"
                          % (what, package, package))


def _add_new_columns(dataframe, metrics):
    """Add a column (of None) to ``dataframe`` for each metric it does not have yet."""
    for col in set(metrics.keys()) - set(dataframe.columns):
        dataframe[col] = None


def _extend(baseData, newData):  # noqa: N803 - MXNet's parameter names
    """Append to ``baseData`` the items of the longer ``newData`` past its length."""
    baseData.extend(newData[len(baseData):])


class PandasLogger:
    """Records metrics into three DataFrames: ``train_df`` (every ``frequent`` batches),
    ``eval_df`` (after each evaluation) and ``epoch_df``."""

    def __init__(self, batch_size, frequent=50):
        _require("PandasLogger", "pandas", pd.__name__ == "pandas")
        self.batch_size = batch_size
        self.frequent = frequent
        self._dataframes = {"train": pd.DataFrame(), "eval": pd.DataFrame(), "epoch": pd.DataFrame()}
        self.last_time = time.time()
        self.start_time = datetime.datetime.now()
        self.last_epoch_time = datetime.datetime.now()

    @property
    def train_df(self):
        return self._dataframes["train"]

    @property
    def eval_df(self):
        return self._dataframes["eval"]

    @property
    def epoch_df(self):
        return self._dataframes["epoch"]

    @property
    def all_dataframes(self):
        return self._dataframes

    def elapsed(self):
        return datetime.datetime.now() - self.start_time

    def append_metrics(self, metrics, df_name):
        dataframe = self._dataframes[df_name]
        _add_new_columns(dataframe, metrics)
        dataframe.loc[len(dataframe)] = metrics

    def train_cb(self, param):
        if param.nbatch % self.frequent == 0:
            self._process_batch(param, "train")

    def eval_cb(self, param):
        self._process_batch(param, "eval")

    def _process_batch(self, param, dataframe):
        now = time.time()
        metrics = {}
        if param.eval_metric is not None:
            metrics = dict(param.eval_metric.get_name_value())
            param.eval_metric.reset()
        try:
            speed = self.frequent / (now - self.last_time)
        except ZeroDivisionError:
            speed = float("inf")
        # MXNet's labels (kept): batches_per_sec holds records, records_per_sec batches.
        metrics["batches_per_sec"] = speed * self.batch_size
        metrics["records_per_sec"] = speed
        metrics["elapsed"] = self.elapsed()
        metrics["minibatch_count"] = param.nbatch
        metrics["epoch"] = param.epoch
        self.append_metrics(metrics, dataframe)
        self.last_time = now

    def epoch_cb(self):
        now = datetime.datetime.now()
        self.append_metrics({"elapsed": self.elapsed(), "epoch_time": now - self.last_epoch_time}, "epoch")
        self.last_epoch_time = now

    def callback_args(self):
        return {"batch_end_callback": self.train_cb, "eval_end_callback": self.eval_cb,
                "epoch_end_callback": self.epoch_cb}


class LiveBokehChart:
    """Base of the live charts: redraws at most every ``display_freq`` seconds and after each
    evaluation. Subclasses define ``setup_chart`` and ``update_chart_data``."""

    def __init__(self, pandas_logger, metric_name, display_freq=10, batch_size=None, frequent=50):
        _require(type(self).__name__, "bokeh", bokeh is not None)
        self.pandas_logger = pandas_logger or PandasLogger(batch_size=batch_size, frequent=frequent)
        self.display_freq = display_freq
        self.last_update = time.time()
        self.metric_name = metric_name
        bokeh.io.output_notebook()
        self.handle = self.setup_chart()

    def setup_chart(self):
        raise NotImplementedError("Incomplete base class: LiveBokehChart must be sub-classed")

    def update_chart_data(self):
        raise NotImplementedError("Incomplete base class: LiveBokehChart must be sub-classed")

    def interval_elapsed(self):
        return time.time() - self.last_update > self.display_freq

    def _push_render(self):
        bokeh.io.push_notebook(handle=self.handle)
        self.last_update = time.time()

    def _do_update(self):
        self.update_chart_data()
        self._push_render()

    def batch_cb(self, param):
        if self.interval_elapsed():
            self._do_update()

    def eval_cb(self, param):
        self._do_update()

    def callback_args(self):
        return {"batch_end_callback": self.batch_cb, "eval_end_callback": self.eval_cb}


class LiveTimeSeries(LiveBokehChart):
    """A live line of values against elapsed time (``update_chart_data(value)``)."""

    def __init__(self, **fig_params):
        _require("LiveTimeSeries", "bokeh", bokeh is not None)
        self.fig = bokeh.plotting.Figure(x_axis_type="datetime", x_axis_label="Elapsed time", **fig_params)
        super().__init__(None, None)

    def setup_chart(self):
        self.start_time = datetime.datetime.now()
        self.x_axis_val = []
        self.y_axis_val = []
        self.fig.line(self.x_axis_val, self.y_axis_val)
        return bokeh.plotting.show(self.fig, notebook_handle=True)

    def elapsed(self):
        return datetime.datetime.now() - self.start_time

    def update_chart_data(self, value):
        self.x_axis_val.append(self.elapsed())
        self.y_axis_val.append(value)
        self._push_render()


class LiveLearningCurve(LiveBokehChart):
    """Live training and validation curves of ``metric_name`` against training time."""

    def __init__(self, metric_name, display_freq=10, frequent=50):
        self.frequent = frequent
        self.start_time = datetime.datetime.now()
        self._data = {"train": {"elapsed": []}, "eval": {"elapsed": []}}
        # As MXNet: frequent is passed on in batch_size's place.
        super().__init__(None, metric_name, display_freq, frequent)

    def setup_chart(self):
        self.fig = bokeh.plotting.Figure(x_axis_type="datetime", x_axis_label="Training time")
        self.x_axis_val1, self.y_axis_val1 = [], []
        self.train1 = self.fig.line(self.x_axis_val1, self.y_axis_val1, line_dash="dotted", alpha=0.3,
                                    legend="train")
        self.train2 = self.fig.circle(self.x_axis_val1, self.y_axis_val1, size=1.5, line_alpha=0.3,
                                      fill_alpha=0.3, legend="train")
        self.train2.visible = False
        self.x_axis_val2, self.y_axis_val2 = [], []
        self.valid1 = self.fig.line(self.x_axis_val2, self.y_axis_val2, line_color="green", line_width=2,
                                    legend="validation")
        self.valid2 = self.fig.circle(self.x_axis_val2, self.y_axis_val2, line_color="green", line_width=2,
                                      legend=None)
        self.fig.legend.location = "bottom_right"
        self.fig.yaxis.axis_label = self.metric_name
        return bokeh.plotting.show(self.fig, notebook_handle=True)

    def batch_cb(self, param):
        if param.nbatch % self.frequent == 0:
            self._process_batch(param, "train")
        if self.interval_elapsed():
            self._do_update()

    def eval_cb(self, param):
        self._process_batch(param, "eval")
        self._do_update()

    def _process_batch(self, param, df_name):
        metrics = {}
        if param.eval_metric is not None:
            metrics = dict(param.eval_metric.get_name_value())
            param.eval_metric.reset()
        metrics["elapsed"] = datetime.datetime.now() - self.start_time
        for key, value in metrics.items():
            self._data[df_name].setdefault(key, []).append(value)

    def update_chart_data(self):
        dataframe = self._data["train"]
        if len(dataframe["elapsed"]):
            _extend(self.x_axis_val1, dataframe["elapsed"])
            _extend(self.y_axis_val1, dataframe[self.metric_name])
        dataframe = self._data["eval"]
        if len(dataframe["elapsed"]):
            _extend(self.x_axis_val2, dataframe["elapsed"])
            _extend(self.y_axis_val2, dataframe[self.metric_name])
        if len(dataframe) > 10:
            self.train1.visible = False
            self.train2.visible = True


def args_wrapper(*args):
    """The ``callback_args()`` of each callback object merged: ``{kind: [callbacks...]}``, ready
    for ``Module.fit(**args_wrapper(logger, chart))``."""
    out = defaultdict(list)
    for callback in args:
        for kind, fn in callback.callback_args().items():
            out[kind].append(fn)
    return dict(out)
