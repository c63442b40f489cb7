"""``Estimator``: MXNet 1.9.1's fit/evaluate loop for a Gluon network. Each batch goes through
the batch processor (forward, loss, backward); everything else (updates, metrics,
validation, logging, stopping, checkpoints) is done by event handlers, defaults added for
what the caller does not provide."""
from __future__ import annotations

import copy
import logging
import sys
import warnings

from ....context import Context, cpu, gpu, num_gpus
from ....metric import Loss as metric_loss
from ...data import DataLoader
from ...loss import Loss as gluon_loss
from ...trainer import Trainer
from ...utils import split_and_load
from .batch_processor import BatchProcessor
from .event_handler import (BatchBegin, BatchEnd, EpochBegin, EpochEnd, GradientUpdateHandler, LoggingHandler,
                            MetricHandler, StoppingHandler, TrainBegin, TrainEnd, ValidationHandler,
                            _check_event_handlers)
from .utils import _check_handler_metric_ref, _check_metrics, _suggest_metric_for_loss

__all__ = ["Estimator"]

_NOT_A_DATALOADER = ("Estimator only support input as Gluon DataLoader. Alternatively, you can transform your "
                     "DataIter or any NDArray into Gluon DataLoader. Refer to gluon.data.")


class Estimator:
    """Trains net with loss (a gluon Loss) through ``fit`` and scores it with ``evaluate``.

    train_metrics default to Accuracy (for a softmax cross-entropy loss) plus the loss' mean,
    named "training ..."; val_metrics default to copies named "validation ...". The network is
    initialized (with initializer) unless it already is; trainer defaults to SGD with learning
    rate 0.001; context to cpu(). val_net and val_loss replace net and loss for validation;
    batch_processor replaces the per-batch step (it needs fit_batch and evaluate_batch)."""

    logger = None

    def __init__(self, net, loss, train_metrics=None, val_metrics=None, initializer=None, trainer=None, context=None,
                 val_net=None, val_loss=None, batch_processor=None):
        self.net = net
        self.loss = self._check_loss(loss)
        self._train_metrics = _check_metrics(train_metrics)
        self._val_metrics = _check_metrics(val_metrics)
        self._add_default_training_metrics()
        self._add_validation_metrics()
        self.val_loss = self.loss if val_loss is None else self._check_loss(val_loss)
        self.val_net = self.net if val_net is None else val_net
        # A logger of its own (not in the logging tree), writing to stdout, as MXNet's does.
        self.logger = logging.Logger(name="Estimator", level=logging.INFO)
        self.logger.addHandler(logging.StreamHandler(sys.stdout))
        self.context = self._check_context(context)
        self._initialize(initializer)
        self.trainer = self._check_trainer(trainer)
        self.batch_processor = self._check_batch_processor(batch_processor)
        self.max_epoch = None
        self.max_batch = None
        self.batch_axis = 0

    @staticmethod
    def _check_loss(loss):
        if not isinstance(loss, gluon_loss):
            raise ValueError(f"loss must be a Loss, refer to gluon.loss.Loss:{loss}")
        return loss

    @staticmethod
    def _check_context(context) -> list:
        available_gpus = [gpu(i) for i in range(num_gpus())]
        if not context:
            return [gpu(0)] if available_gpus else [cpu()]
        if isinstance(context, Context):
            context = [context]
        elif not (isinstance(context, list) and all(isinstance(c, Context) for c in context)):
            raise ValueError("context must be a Context or a list of Context, for example mx.cpu() or "
                             f"[mx.gpu(0), mx.gpu(1)], refer to mxnet.Context:{context}")
        for ctx in context:
            if not (ctx in available_gpus or str(ctx).startswith("cpu")):
                raise AssertionError(f"{ctx} is not available, please make sure your context is in one of: mx.cpu(), "
                                     + ", ".join(str(c) for c in available_gpus))
        return context

    @staticmethod
    def _check_batch_processor(batch_processor):
        if batch_processor is None:
            return BatchProcessor()
        if not (callable(getattr(batch_processor, "fit_batch", None))
                and callable(getattr(batch_processor, "evaluate_batch", None))):
            raise ValueError("Customized Batch Processor must contain fit_batch() and evaluate_batch() methods")
        return batch_processor

    def _initialize(self, initializer) -> None:
        if not self._is_initialized():
            if initializer:
                self.net.initialize(init=initializer, ctx=self.context)
            else:
                self.net.initialize(ctx=self.context)
        elif initializer:
            warnings.warn("Network already fully initialized, skipping initialization. You don't need to pass "
                          "initializer if you already initialized your net. You can use "
                          "net.initialize(init=your_initializer, force_reinit=True)to force re-initialize.",
                          stacklevel=3)

    def _check_trainer(self, trainer):
        if not trainer:
            warnings.warn("No trainer specified, default SGD optimizer with learning rate 0.001 is used.",
                          stacklevel=3)
            return Trainer(self.net.collect_params(), "sgd", {"learning_rate": 0.001})
        if not isinstance(trainer, Trainer):
            raise ValueError(f"Trainer must be a Gluon Trainer instance, refer to gluon.Trainer:{trainer}")
        return trainer

    def _is_initialized(self) -> bool:
        params = self.net.collect_params()
        for name in params:
            try:
                params[name].list_ctx()
            except RuntimeError:
                return False
        return True

    def _get_data_and_label(self, batch, ctx, batch_axis=0) -> tuple:
        data = split_and_load(batch[0], ctx_list=ctx, batch_axis=batch_axis)
        label = split_and_load(batch[1], ctx_list=ctx, batch_axis=batch_axis)
        return data, label

    def _add_default_training_metrics(self) -> None:
        if not self._train_metrics:
            suggested = _suggest_metric_for_loss(self.loss)
            if suggested:
                self._train_metrics = [suggested]
            self._train_metrics.append(metric_loss(self.loss.name.rstrip("1234567890")))
        for metric in self._train_metrics:
            metric.name = "training " + metric.name

    def _add_validation_metrics(self) -> None:
        if not self._val_metrics:
            self._val_metrics = [copy.deepcopy(metric) for metric in self._train_metrics]
        for metric in self._val_metrics:
            if "training" in metric.name:
                metric.name = metric.name.replace("training", "validation")
            else:
                metric.name = "validation " + metric.name

    @property
    def train_metrics(self) -> list:
        return self._train_metrics

    @property
    def val_metrics(self) -> list:
        return self._val_metrics

    def evaluate(self, val_data, batch_axis=0, event_handlers=None) -> None:
        """Runs val_net over val_data (a DataLoader of (data, label) batches), updating
        val_metrics; event_handlers get the epoch and batch events (defaults: MetricHandler
        and LoggingHandler on val_metrics)."""
        if not isinstance(val_data, DataLoader):
            raise ValueError(_NOT_A_DATALOADER + "DataLoader")
        for metric in self.val_metrics:
            metric.reset()
        handlers = self._prepare_default_validation_handlers(event_handlers)
        _, epoch_begin, batch_begin, batch_end, epoch_end, _ = self._categorize_handlers(handlers)
        for handler in epoch_begin:
            handler.epoch_begin(self)
        for batch in val_data:
            for handler in batch_begin:
                handler.batch_begin(self, batch=batch)
            _, label, pred, loss = self.batch_processor.evaluate_batch(self, batch, batch_axis)
            for handler in batch_end:
                handler.batch_end(self, batch=batch, pred=pred, label=label, loss=loss)
        for handler in epoch_end:
            handler.epoch_end(self)

    def fit(self, train_data, val_data=None, epochs=None, event_handlers=None, batches=None, batch_axis=0) -> None:
        """Trains for exactly one of ``epochs`` epochs or ``batches`` batches over train_data (a
        DataLoader of (data, label) batches), validating on val_data after each epoch when
        given. Default handlers (StoppingHandler, GradientUpdateHandler, MetricHandler,
        ValidationHandler, LoggingHandler) are added for the kinds event_handlers lacks; a
        handler returning True from batch_end or epoch_end stops training."""
        if not isinstance(train_data, DataLoader):
            raise ValueError(_NOT_A_DATALOADER + "dataloader")
        if (not epochs) == (not batches):
            raise ValueError("Fit only support exactly one type of iteration, train by number of epochs or number of "
                             "batches.Please specify one and only one of: epochs or batches.")
        self.max_epoch = epochs
        self.max_batch = batches
        self.batch_axis = batch_axis
        handlers = self._prepare_default_handlers(val_data, event_handlers)
        train_begin, epoch_begin, batch_begin, batch_end, epoch_end, train_end = self._categorize_handlers(handlers)
        for handler in train_begin:
            handler.train_begin(self)
        while True:
            for handler in epoch_begin:
                handler.epoch_begin(self)
            for batch in train_data:
                for handler in batch_begin:
                    handler.batch_begin(self, batch=batch)
                _, label, pred, loss = self.batch_processor.fit_batch(self, batch, batch_axis)
                # Every handler sees the batch end, even after one has asked to stop.
                stops = [handler.batch_end(self, batch=batch, pred=pred, label=label, loss=loss)
                         for handler in batch_end]
                if any(stops):
                    break
            if any([handler.epoch_end(self) for handler in epoch_end]):
                break
        for handler in train_end:
            handler.train_end(self)

    def _with_defaults(self, event_handlers, defaults: list, known_metrics) -> list:
        """event_handlers plus the defaults, checked (when both are present) to refer only to
        known metrics, and sorted by priority."""
        mixing = event_handlers and defaults
        event_handlers.extend(defaults)
        if mixing:
            for handler in event_handlers:
                _check_handler_metric_ref(handler, known_metrics)
        event_handlers.sort(key=lambda handler: getattr(handler, "priority", 0))
        return event_handlers

    def _prepare_default_handlers(self, val_data, event_handlers) -> list:
        event_handlers = _check_event_handlers(event_handlers)

        def has(kind):
            return any(isinstance(handler, kind) for handler in event_handlers)

        defaults = [StoppingHandler(self.max_epoch, self.max_batch)]
        if not has(GradientUpdateHandler):
            defaults.append(GradientUpdateHandler())
        if not has(MetricHandler):
            defaults.append(MetricHandler(metrics=self.train_metrics))
        if not has(ValidationHandler) and val_data:
            defaults.append(ValidationHandler(val_data=val_data, eval_fn=self.evaluate))
        if not has(LoggingHandler):
            defaults.append(LoggingHandler(metrics=self.train_metrics))
        return self._with_defaults(event_handlers, defaults, set(self.train_metrics + self.val_metrics))

    def _prepare_default_validation_handlers(self, event_handlers) -> list:
        event_handlers = _check_event_handlers(event_handlers)
        defaults = []
        if not any(isinstance(handler, MetricHandler) for handler in event_handlers):
            defaults.append(MetricHandler(metrics=self.val_metrics))
        if not any(isinstance(handler, LoggingHandler) for handler in event_handlers):
            defaults.append(LoggingHandler(metrics=self.val_metrics))
        return self._with_defaults(event_handlers, defaults, set(self.val_metrics))

    def _categorize_handlers(self, event_handlers) -> tuple:
        """The handlers of each event, in order: train begin, epoch begin, batch begin,
        batch end, epoch end, train end."""
        kinds = (TrainBegin, EpochBegin, BatchBegin, BatchEnd, EpochEnd, TrainEnd)
        return tuple([h for h in event_handlers if isinstance(h, kind)] for kind in kinds)
