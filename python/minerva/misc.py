"""``mx.misc``: MXNet's oldest learning-rate schedulers, called with the iteration number
(``mx.lr_scheduler`` is the current interface)."""
from __future__ import annotations

import logging
import math  # noqa: F401  (MXNet's misc exports it)

__all__ = ["FactorScheduler", "LearningRateScheduler", "logging", "math"]


class LearningRateScheduler:
    """Base class: ``scheduler(iteration)`` gives the learning rate; base_lr starts at 0.01."""

    def __init__(self) -> None:
        self.base_lr = 0.01

    def __call__(self, iteration):
        raise NotImplementedError("must override this")


class FactorScheduler(LearningRateScheduler):
    """``base_lr * factor ** floor(iteration / step)``; logs each change of rate."""

    def __init__(self, step, factor=0.1) -> None:
        super().__init__()
        if step < 1:
            raise ValueError(f"FactorScheduler: step must be >= 1, got {step}")
        if factor >= 1.0:
            raise ValueError(f"FactorScheduler: factor must be < 1 to reduce the rate, got {factor}")
        self.step = step
        self.factor = factor
        self.old_lr = self.base_lr

    def __call__(self, iteration):
        lr = self.base_lr * math.pow(self.factor, int(iteration / self.step))
        if lr != self.old_lr:
            self.old_lr = lr
            logging.info("At Iteration [%d]: Switch to new learning rate %.5f", iteration, lr)
        return lr
