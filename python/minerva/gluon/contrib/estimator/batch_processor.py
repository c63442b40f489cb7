"""How the Estimator runs one batch: split it across the contexts, forward (and backward under
autograd for training). Subclass BatchProcessor to customise a step."""
from __future__ import annotations

from .... import autograd
from ...utils import split_and_load

__all__ = ["BatchProcessor"]


class BatchProcessor:
    """The default step of Estimator.fit and Estimator.evaluate: a batch is (data, label)."""

    def __init__(self):
        pass

    def _get_data_and_label(self, batch, ctx, batch_axis=0) -> tuple:
        data = split_and_load(batch[0], ctx_list=ctx, batch_axis=batch_axis)
        label = split_and_load(batch[1], ctx_list=ctx, batch_axis=batch_axis)
        return data, label

    def evaluate_batch(self, estimator, val_batch, batch_axis=0) -> tuple:
        """Runs val_net and val_loss on one batch; returns (data, label, pred, loss), lists
        with one entry per context."""
        data, label = self._get_data_and_label(val_batch, estimator.context, batch_axis)
        pred = [estimator.val_net(x) for x in data]
        loss = [estimator.val_loss(y_hat, y) for y_hat, y in zip(pred, label)]
        return data, label, pred, loss

    def fit_batch(self, estimator, train_batch, batch_axis=0) -> tuple:
        """Runs net and loss on one batch under autograd and back-propagates the loss; the
        parameter update is GradientUpdateHandler's. Returns (data, label, pred, loss)."""
        data, label = self._get_data_and_label(train_batch, estimator.context, batch_axis)
        with autograd.record():
            pred = [estimator.net(x) for x in data]
            loss = [estimator.loss(y_hat, y) for y_hat, y in zip(pred, label)]
        for value in loss:
            value.backward()
        return data, label, pred, loss
