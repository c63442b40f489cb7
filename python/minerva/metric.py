"""``mx.metric``: evaluation metrics with MXNet 1.x's names, numbers and registry.

A metric accumulates ``sum_metric`` and ``num_inst`` over ``update(labels, preds)`` calls (lists
of NDArrays, or numpy arrays) and ``get()`` returns ``(name, sum_metric / num_inst)``. Each
metric also keeps *global* statistics that ``reset_local()`` leaves alone, which is how
``Module.fit`` reports per-interval and per-epoch values from one object. The per-batch
regression metrics (MAE, MSE, RMSE) average the per-batch values, exactly as MXNet 1.x does."""
from __future__ import annotations

import math
from collections import OrderedDict

import numpy

from . import registry
from .ndarray.ndarray import NDArray
# Re-exported as MXNet's metric module does (its star import gives them).
from . import ndarray  # noqa: F401
from .base import numeric_types, string_types  # noqa: F401

__all__ = ["EvalMetric", "CompositeEvalMetric", "Accuracy", "TopKAccuracy", "F1", "MCC", "Perplexity",
           "MAE", "MSE", "RMSE", "CrossEntropy", "NegativeLogLikelihood", "PearsonCorrelation", "PCC",
           "Loss", "Torch", "Caffe", "CustomMetric", "create", "register", "alias", "np", "check_label_shapes",
           # what MXNet's star import gives besides its own classes
           "ndarray", "numeric_types", "numpy", "registry", "string_types"]


def _numpy(x) -> numpy.ndarray:
    """An NDArray (waits for it) or anything numpy takes, as a numpy array."""
    if isinstance(x, NDArray):
        return x.asnumpy()
    return numpy.asarray(x)


def _as_list(x) -> list:
    if isinstance(x, (NDArray, numpy.ndarray)):
        return [x]
    return list(x)


def check_label_shapes(labels, preds, wrap: bool = False, shape: bool = False):
    """Raises ValueError unless labels and preds have equal length (or, with shape=True, equal
    shapes). With wrap=True, a single array becomes a one-element list."""
    if shape:
        label_shape, pred_shape = tuple(labels.shape), tuple(preds.shape)
    else:
        label_shape, pred_shape = len(labels), len(preds)
    if label_shape != pred_shape:
        raise ValueError(f"Shape of labels {label_shape} does not match shape of predictions {pred_shape}")
    if wrap:
        if isinstance(labels, (NDArray, numpy.ndarray)):
            labels = [labels]
        if isinstance(preds, (NDArray, numpy.ndarray)):
            preds = [preds]
    return labels, preds


class EvalMetric:
    """Base class of every metric. Subclasses implement ``update(labels, preds)`` and add to
    ``sum_metric``/``num_inst`` (and the ``global_`` twins)."""

    def __init__(self, name, output_names=None, label_names=None, **kwargs) -> None:
        self.name = str(name)
        self.output_names = output_names
        self.label_names = label_names
        self._has_global_stats = kwargs.pop("has_global_stats", False)
        self._kwargs = kwargs
        self.reset()

    def __str__(self) -> str:
        return f"EvalMetric: {dict(self.get_name_value())}"

    def get_config(self) -> dict:
        """The keywords that rebuild this metric with ``mx.metric.create(**config)``."""
        config = self._kwargs.copy()
        config.update({"metric": self.__class__.__name__, "name": self.name,
                       "output_names": self.output_names, "label_names": self.label_names})
        return config

    def update_dict(self, label: dict, pred: dict) -> None:
        """Updates from name -> array dicts, keeping output_names/label_names when given."""
        if self.output_names is not None:
            pred = [pred[name] for name in self.output_names]
        else:
            pred = list(pred.values())
        if self.label_names is not None:
            label = [label[name] for name in self.label_names]
        else:
            label = list(label.values())
        self.update(label, pred)

    def update(self, labels, preds) -> None:
        raise NotImplementedError(f"{type(self).__name__}.update")

    def reset(self) -> None:
        """Clears the local and the global statistics."""
        self.num_inst = 0
        self.sum_metric = 0.0
        self.global_num_inst = 0
        self.global_sum_metric = 0.0

    def reset_local(self) -> None:
        """Clears the local statistics only."""
        self.num_inst = 0
        self.sum_metric = 0.0

    def _add(self, value, count) -> None:
        value = float(value)  # python floats, as MXNet's float64 promotion gives
        self.sum_metric += value
        self.global_sum_metric += value
        self.num_inst += count
        self.global_num_inst += count

    def get(self):
        """(name, value) since the last reset or reset_local; value is nan before any update."""
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, self.sum_metric / self.num_inst)

    def get_global(self):
        """(name, value) since the last reset."""
        if not self._has_global_stats:
            return self.get()
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, self.global_sum_metric / self.global_num_inst)

    def get_name_value(self) -> list:
        """get() as a list of (name, value) pairs."""
        return _pairs(*self.get())

    def get_global_name_value(self) -> list:
        """get_global() as a list of (name, value) pairs."""
        if not self._has_global_stats:
            return self.get_name_value()
        return _pairs(*self.get_global())


def _pairs(name, value) -> list:
    if not isinstance(name, list):
        name = [name]
    if not isinstance(value, list):
        value = [value]
    return list(zip(name, value))


# ---- registry (mx.registry's, keyed on EvalMetric) ---------------------------------------------
register = registry.get_register_func(EvalMetric, "metric")
alias = registry.get_alias_func(EvalMetric, "metric")
_create_registered = registry.get_create_func(EvalMetric, "metric")


def create(metric, *args, **kwargs) -> EvalMetric:
    """A metric from a registered name ('acc', 'f1', 'rmse', 'ce', ...), an EvalMetric (returned
    as is), a callable ``feval(label, pred)`` (a CustomMetric), or a list of these (a
    CompositeEvalMetric). Extra arguments go to the metric's constructor."""
    if callable(metric) and not isinstance(metric, EvalMetric):
        return CustomMetric(metric, *args, **kwargs)
    if isinstance(metric, list):
        composite = CompositeEvalMetric()
        for child in metric:
            composite.add(create(child, *args, **kwargs))
        return composite
    return _create_registered(metric, *args, **kwargs)


# ---- composite --------------------------------------------------------------------------------
@register
@alias("composite")
class CompositeEvalMetric(EvalMetric):
    """Several metrics updated together; get() returns lists of names and values."""

    def __init__(self, metrics=None, name="composite", output_names=None, label_names=None) -> None:
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)
        self.metrics = [create(m) for m in (metrics or [])]

    def add(self, metric) -> None:
        """Appends a metric (anything create() takes)."""
        self.metrics.append(create(metric))

    def get_metric(self, index: int):
        """The child metric at index. Like MXNet, an index out of range *returns* a ValueError."""
        try:
            return self.metrics[index]
        except IndexError:
            return ValueError(f"Metric index {index} is out of range 0 and {len(self.metrics)}")

    def update_dict(self, labels: dict, preds: dict) -> None:
        if self.label_names is not None:
            labels = OrderedDict((k, v) for k, v in labels.items() if k in self.label_names)
        if self.output_names is not None:
            preds = OrderedDict((k, v) for k, v in preds.items() if k in self.output_names)
        for metric in self.metrics:
            metric.update_dict(labels, preds)

    def update(self, labels, preds) -> None:
        for metric in self.metrics:
            metric.update(labels, preds)

    def reset(self) -> None:
        for metric in getattr(self, "metrics", []):
            metric.reset()

    def reset_local(self) -> None:
        for metric in self.metrics:
            metric.reset_local()

    def _collect(self, method: str):
        names, values = [], []
        for metric in self.metrics:
            name, value = getattr(metric, method)()
            names.extend(name if isinstance(name, list) else [name])
            values.extend(value if isinstance(value, list) else [value])
        return (names, values)

    def get(self):
        return self._collect("get")

    def get_global(self):
        return self._collect("get_global")

    def get_config(self) -> dict:
        config = super().get_config()
        config["metrics"] = [m.get_config() for m in self.metrics]
        return config


# ---- classification ---------------------------------------------------------------------------
@register
@alias("acc")
class Accuracy(EvalMetric):
    """Fraction of correct predictions. A prediction whose shape differs from the label's is
    reduced with argmax over ``axis`` first."""

    def __init__(self, axis: int = 1, name: str = "accuracy", output_names=None, label_names=None) -> None:
        super().__init__(name, axis=axis, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.axis = axis

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = _numpy(label), _numpy(pred)
            if pred.shape != label.shape:
                pred = numpy.argmax(pred, axis=self.axis)
            pred = pred.astype("int32").ravel()
            label = label.astype("int32").ravel()
            check_label_shapes(label, pred)
            self._add(int((pred == label).sum()), len(pred))


@register
@alias("top_k_accuracy", "top_k_acc")
class TopKAccuracy(EvalMetric):
    """Fraction of samples whose label is among the top_k highest-scored classes. The name
    becomes ``top_k_accuracy_<k>``; top_k must be at least 2 (use Accuracy otherwise)."""

    def __init__(self, top_k: int = 1, name: str = "top_k_accuracy", output_names=None, label_names=None) -> None:
        super().__init__(name, top_k=top_k, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.top_k = top_k
        if self.top_k <= 1:
            raise ValueError("TopKAccuracy: top_k must be > 1; use Accuracy if top_k is no more than 1")
        self.name += f"_{self.top_k}"

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            pred = _numpy(pred).astype("float32")
            if pred.ndim > 2:
                raise ValueError(f"TopKAccuracy: predictions must have at most 2 dimensions, got shape {pred.shape}")
            label = _numpy(label).astype("int32").ravel()
            check_label_shapes(label, pred)
            if pred.ndim == 1:
                # MXNet's quirk: a 1-d prediction holds scores, and their argpartition is compared.
                top = numpy.argpartition(pred, -self.top_k)
                self._add(int((top == label).sum()), pred.shape[0])
                continue
            num_classes = pred.shape[1]
            k = min(num_classes, self.top_k)
            top = numpy.argsort(pred, axis=1, kind="stable")[:, num_classes - k:]
            self._add(int((top == label[:, None]).sum()), pred.shape[0])


class _BinaryStats:
    """True/false positive/negative counts, local and global, for F1 and MCC."""

    _FIELDS = ("tp", "fp", "fn", "tn")

    def __init__(self) -> None:
        self.local = dict.fromkeys(self._FIELDS, 0)
        self.glob = dict.fromkeys(self._FIELDS, 0)

    def update(self, label, pred, owner: str) -> None:
        pred = _numpy(pred)
        label = _numpy(label).astype("int32")
        check_label_shapes(label, pred)
        if len(numpy.unique(label)) > 2:
            raise ValueError(f"{owner} currently only supports binary classification.")
        pred_true = numpy.argmax(pred, axis=1) == 1
        label_true = label.ravel() == 1
        counts = {"tp": int((pred_true & label_true).sum()), "fp": int((pred_true & ~label_true).sum()),
                  "fn": int((~pred_true & label_true).sum()), "tn": int((~pred_true & ~label_true).sum())}
        for k, v in counts.items():
            self.local[k] += v
            self.glob[k] += v

    def reset_local(self) -> None:
        self.local = dict.fromkeys(self._FIELDS, 0)

    def reset(self) -> None:
        self.reset_local()
        self.glob = dict.fromkeys(self._FIELDS, 0)

    @staticmethod
    def total(c: dict) -> int:
        return c["tp"] + c["fp"] + c["fn"] + c["tn"]

    @staticmethod
    def fscore(c: dict) -> float:
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] > 0 else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] > 0 else 0.0
        if precision + recall > 0:
            return 2 * precision * recall / (precision + recall)
        return 0.0

    @staticmethod
    def matthewscc(c: dict) -> float:
        if not _BinaryStats.total(c):
            return 0.0
        tp, fp, fn, tn = (float(c[k]) for k in ("tp", "fp", "fn", "tn"))
        denom = 1.0
        for term in (tp + fp, tp + fn, tn + fp, tn + fn):
            if term != 0.0:
                denom *= term  # MXNet leaves zero terms out of the product
        return (tp * tn - fp * fn) / math.sqrt(denom)


class _BinaryMetric(EvalMetric):
    """F1 and MCC: 'macro' averages the per-update score; 'micro' scores the pooled counts."""

    def __init__(self, name, output_names, label_names, average: str) -> None:
        if average not in ("macro", "micro"):
            raise ValueError(f"{type(self).__name__}: average must be 'macro' or 'micro', got {average!r}")
        self.average = average
        self._stats = _BinaryStats()
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def _score(self, counts: dict) -> float:
        raise NotImplementedError

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            self._stats.update(label, pred, type(self).__name__)
        local, glob = self._stats.local, self._stats.glob
        if self.average == "macro":
            self.sum_metric += self._score(local)
            self.global_sum_metric += self._score(glob)
            self.num_inst += 1
            self.global_num_inst += 1
            self._stats.reset()
        else:
            self.sum_metric = self._score(local) * _BinaryStats.total(local)
            self.global_sum_metric = self._score(glob) * _BinaryStats.total(glob)
            self.num_inst = _BinaryStats.total(local)
            self.global_num_inst = _BinaryStats.total(glob)

    def reset(self) -> None:
        super().reset()
        self._stats.reset()

    def reset_local(self) -> None:
        super().reset_local()
        self._stats.reset_local()


@register
class F1(_BinaryMetric):
    """F1 score of binary classification (class 1 positive; predictions are per-class scores)."""

    def __init__(self, name: str = "f1", output_names=None, label_names=None, average: str = "macro") -> None:
        super().__init__(name, output_names, label_names, average)

    def _score(self, counts: dict) -> float:
        return _BinaryStats.fscore(counts)


@register
class MCC(_BinaryMetric):
    """Matthews correlation coefficient of binary classification."""

    def __init__(self, name: str = "mcc", output_names=None, label_names=None, average: str = "macro") -> None:
        super().__init__(name, output_names, label_names, average)

    def _score(self, counts: dict) -> float:
        return _BinaryStats.matthewscc(counts)


@register
class Perplexity(EvalMetric):
    """exp of the mean negative log-probability of the labels; labels equal to ignore_label
    are left out. ``axis`` is the class axis of the predictions."""

    def __init__(self, ignore_label=None, axis: int = -1, name: str = "perplexity",
                 output_names=None, label_names=None) -> None:
        super().__init__(name, ignore_label=ignore_label, output_names=output_names, label_names=label_names,
                         has_global_stats=True)
        self.ignore_label = ignore_label
        self.axis = axis

    def update(self, labels, preds) -> None:
        labels, preds = _as_list(labels), _as_list(preds)
        if len(labels) != len(preds):
            raise ValueError(f"Perplexity: {len(labels)} labels but {len(preds)} predictions")
        loss, num = 0.0, 0
        for label, pred in zip(labels, preds):
            label, pred = _numpy(label), _numpy(pred)
            if label.size * pred.shape[self.axis] != pred.size:
                raise ValueError(f"Perplexity: shape mismatch: {label.shape} vs. {pred.shape}")
            label = label.reshape(-1)
            scores = numpy.moveaxis(pred, self.axis, -1).reshape(-1, pred.shape[self.axis])
            prob = scores[numpy.arange(label.size), label.astype("int32")]
            if self.ignore_label is not None:
                ignore = (label == self.ignore_label).astype(prob.dtype)
                num -= int(ignore.sum())
                prob = prob * (1 - ignore) + ignore
            loss -= float(numpy.log(numpy.maximum(prob.dtype.type(1e-10), prob)).sum())
            num += prob.size
        self._add(loss, num)

    def get(self):
        if self.num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(self.sum_metric / self.num_inst))

    def get_global(self):
        if self.global_num_inst == 0:
            return (self.name, float("nan"))
        return (self.name, math.exp(self.global_sum_metric / self.global_num_inst))


# ---- regression -------------------------------------------------------------------------------
class _PerBatchRegression(EvalMetric):
    """MAE/MSE/RMSE: one value per (label, pred) pair, averaged over pairs (MXNet 1.x)."""

    def __init__(self, name, output_names=None, label_names=None) -> None:
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    @staticmethod
    def _value(diff: numpy.ndarray) -> float:
        raise NotImplementedError

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = _numpy(label), _numpy(pred)
            if label.ndim == 1:
                label = label.reshape(label.shape[0], 1)
            if pred.ndim == 1:
                pred = pred.reshape(pred.shape[0], 1)
            self._add(self._value(label - pred), 1)


@register
class MAE(_PerBatchRegression):
    """Mean absolute error."""

    def __init__(self, name: str = "mae", output_names=None, label_names=None) -> None:
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _value(diff):
        return numpy.abs(diff).mean()


@register
class MSE(_PerBatchRegression):
    """Mean squared error."""

    def __init__(self, name: str = "mse", output_names=None, label_names=None) -> None:
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _value(diff):
        return (diff ** 2.0).mean()


@register
class RMSE(_PerBatchRegression):
    """Root mean squared error, per batch, averaged over batches."""

    def __init__(self, name: str = "rmse", output_names=None, label_names=None) -> None:
        super().__init__(name, output_names, label_names)

    @staticmethod
    def _value(diff):
        return numpy.sqrt((diff ** 2.0).mean())


class _PickedLogLoss(EvalMetric):
    """CrossEntropy/NegativeLogLikelihood: -log(prob of the label + eps), summed over samples."""

    def __init__(self, eps, name, output_names, label_names) -> None:
        super().__init__(name, eps=eps, output_names=output_names, label_names=label_names, has_global_stats=True)
        self.eps = eps

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = _numpy(label).ravel(), _numpy(pred)
            if label.shape[0] != pred.shape[0]:
                raise ValueError(f"{type(self).__name__}: {label.shape[0]} labels but {pred.shape[0]} predictions")
            prob = pred[numpy.arange(label.shape[0], dtype=numpy.int64), numpy.int64(label)]
            self._add((-numpy.log(prob + self.eps)).sum(), label.shape[0])


@register
@alias("ce")
class CrossEntropy(_PickedLogLoss):
    """Mean cross-entropy of class-probability predictions against integer labels."""

    def __init__(self, eps: float = 1e-12, name: str = "cross-entropy", output_names=None, label_names=None) -> None:
        super().__init__(eps, name, output_names, label_names)


@register
@alias("nll_loss")
class NegativeLogLikelihood(_PickedLogLoss):
    """Mean negative log-likelihood of class-probability predictions."""

    def __init__(self, eps: float = 1e-12, name: str = "nll-loss", output_names=None, label_names=None) -> None:
        super().__init__(eps, name, output_names, label_names)


@register
@alias("pearsonr")
class PearsonCorrelation(EvalMetric):
    """Pearson correlation of predictions and labels: per update averaged ('macro') or over
    everything seen ('micro')."""

    def __init__(self, name: str = "pearsonr", output_names=None, label_names=None, average: str = "macro") -> None:
        self.average = average
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def _reset_micro(self) -> None:
        self._n, self._mean_l, self._mean_p, self._m2_l, self._m2_p, self._cov = 0, 0.0, 0.0, 0.0, 0.0, 0.0

    def reset(self) -> None:
        super().reset()
        self._reset_micro()

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            check_label_shapes(label, pred, False, True)
            label = _numpy(label).ravel().astype(numpy.float64)
            pred = _numpy(pred).ravel().astype(numpy.float64)
            if self.average == "macro":
                self._add(numpy.corrcoef(pred, label)[0, 1], 1)
                continue
            self._add(0.0, 1)
            # Welford updates of both variances, with the covariance taken between them as MXNet does.
            self._n += len(label)
            delta = label - self._mean_l
            self._mean_l += numpy.sum(delta / self._n)
            self._m2_l += numpy.sum(delta * (label - self._mean_l))
            self._cov += numpy.sum((label - self._mean_l) * (pred - self._mean_p))
            delta = pred - self._mean_p
            self._mean_p += numpy.sum(delta / self._n)
            self._m2_p += numpy.sum(delta * (pred - self._mean_p))

    def get(self):
        if self.num_inst == 0:
            return (self.name, float("nan"))
        if self.average == "macro":
            return (self.name, self.sum_metric / self.num_inst)
        n = self._n
        value = self._cov / ((n - 1) * numpy.sqrt(self._m2_p / (n - 1)) * numpy.sqrt(self._m2_l / (n - 1)))
        return (self.name, value)


@register
class PCC(EvalMetric):
    """Multi-class Matthews correlation from a confusion matrix that grows with the classes seen."""

    def __init__(self, name: str = "pcc", output_names=None, label_names=None, has_global_stats: bool = True) -> None:
        self.k = 2
        self.lcm = numpy.zeros((2, 2))
        self.gcm = numpy.zeros((2, 2))
        super().__init__(name=name, output_names=output_names, label_names=label_names,
                         has_global_stats=has_global_stats)

    @staticmethod
    def _mcc(cmat: numpy.ndarray) -> float:
        n = cmat.sum()
        x, y = cmat.sum(axis=1), cmat.sum(axis=0)
        cov_xx, cov_yy = numpy.sum(x * (n - x)), numpy.sum(y * (n - y))
        if cov_xx == 0 or cov_yy == 0:
            return float("nan")
        cov_xy = numpy.sum(cmat.diagonal() * n - x * y)
        return cov_xy / (cov_xx * cov_yy) ** 0.5

    def update(self, labels, preds) -> None:
        labels, preds = check_label_shapes(labels, preds, True)
        for label, pred in zip(labels, preds):
            label, pred = _numpy(label).astype("int32"), _numpy(pred)
            pred = pred.argmax(axis=1) if pred.shape != label.shape else pred.astype("int32")
            n = int(max(pred.max(), label.max()))
            if n >= self.k:
                grow = n + 1 - self.k
                self.lcm = numpy.pad(self.lcm, ((0, grow), (0, grow)))
                self.gcm = numpy.pad(self.gcm, ((0, grow), (0, grow)))
                self.k += grow
            batch = numpy.zeros((self.k, self.k))
            numpy.add.at(batch, (pred.ravel(), label.ravel()), 1)
            self.lcm += batch
            self.gcm += batch
        self.num_inst += 1
        self.global_num_inst += 1

    @property
    def sum_metric(self):
        return self._mcc(self.lcm) * self.num_inst

    @sum_metric.setter
    def sum_metric(self, value) -> None:  # derived from the confusion matrix
        pass

    @property
    def global_sum_metric(self):
        return self._mcc(self.gcm) * self.global_num_inst

    @global_sum_metric.setter
    def global_sum_metric(self, value) -> None:
        pass

    def reset(self) -> None:
        super().reset()
        self.lcm = numpy.zeros((self.k, self.k))
        self.gcm = numpy.zeros((self.k, self.k))

    def reset_local(self) -> None:
        super().reset_local()
        self.lcm = numpy.zeros((self.k, self.k))


# ---- losses and custom ------------------------------------------------------------------------
@register
class Loss(EvalMetric):
    """Mean of the predictions themselves (for outputs that already are per-sample losses);
    labels are ignored."""

    def __init__(self, name: str = "loss", output_names=None, label_names=None) -> None:
        super().__init__(name, output_names=output_names, label_names=label_names, has_global_stats=True)

    def update(self, _, preds) -> None:
        for pred in _as_list(preds):
            pred = _numpy(pred)
            self._add(float(pred.sum()), pred.size)


@register
class Torch(Loss):
    """Loss under the name 'torch' (kept for MXNet compatibility)."""

    def __init__(self, name: str = "torch", output_names=None, label_names=None) -> None:
        super().__init__(name, output_names, label_names)


@register
class Caffe(Loss):
    """Loss under the name 'caffe' (kept for MXNet compatibility)."""

    def __init__(self, name: str = "caffe", output_names=None, label_names=None) -> None:
        super().__init__(name, output_names, label_names)


@register
class CustomMetric(EvalMetric):
    """A metric from ``feval(label, pred)`` on numpy arrays, called per (label, pred) pair. It
    returns a value (averaged over calls) or a (sum, count) tuple."""

    def __init__(self, feval, name=None, allow_extra_outputs: bool = False, output_names=None,
                 label_names=None) -> None:
        if name is None:
            name = feval.__name__
            if "<" in name:
                name = f"custom({name})"
        super().__init__(name, feval=feval, allow_extra_outputs=allow_extra_outputs,
                         output_names=output_names, label_names=label_names, has_global_stats=True)
        self._feval = feval
        self._allow_extra_outputs = allow_extra_outputs

    def update(self, labels, preds) -> None:
        if not self._allow_extra_outputs:
            labels, preds = check_label_shapes(labels, preds, True)
        for pred, label in zip(_as_list(preds), _as_list(labels)):
            value = self._feval(_numpy(label), _numpy(pred))
            if isinstance(value, tuple):
                self._add(value[0], value[1])
            else:
                self._add(value, 1)

    def get_config(self) -> dict:
        raise NotImplementedError("CustomMetric cannot be serialized")


def np(numpy_feval, name=None, allow_extra_outputs: bool = False) -> CustomMetric:
    """A CustomMetric from a function of numpy (label, pred), named after the function."""
    def feval(label, pred):
        return numpy_feval(label, pred)
    feval.__name__ = numpy_feval.__name__
    return CustomMetric(feval, name, allow_extra_outputs)
