"""Dynamic loss scaling for AMP, with MXNet 1.x's rules: start at 2**16; a step whose gradients
hold an inf or NaN is skipped and halves the scale for the next step; after 2000 clean steps in a
row the scale doubles, up to 2**24."""
from __future__ import annotations

import logging

from ... import autograd as ag
from ... import ndarray as nd
from ...ndarray import multi_all_finite  # MXNet's loss_scaler imports it too


def _all_finite(arrays) -> bool:
    flag = nd.ones((1,), ctx=arrays[0].context)
    for start in range(0, len(arrays), 200):  # the operator's num_arrays is bounded; check in chunks
        chunk = arrays[start:start + 200]
        multi_all_finite(*chunk, num_arrays=len(chunk), init_output=False, out=flag)
    return bool(flag.asnumpy()[0])


class LossScaler:
    """Dynamic loss scaler for AMP; ``loss_scale`` is the current scale."""

    def __init__(self):
        self._loss_scale = 2. ** 16
        self._next_loss_scale = self._loss_scale
        self._max_loss_scale = 2. ** 24
        self._scale_seq_len = 2000
        self._unskipped = 0

    @property
    def loss_scale(self):
        return self._loss_scale

    def has_overflow(self, params) -> bool:
        """Whether any gradient of ``params`` (Gluon Parameters) is not finite; moves the scale on
        by the rules above (the new scale takes effect from this call)."""
        with ag.pause():
            grads = [g for p in params if p._grad is not None for g in p._grad]
            overflow = not _all_finite(grads) if grads else False
        self._loss_scale = self._next_loss_scale
        if overflow:
            self._next_loss_scale = self._loss_scale / 2.
            self._unskipped = 0
            logging.info("AMP: decreasing loss scale to %f", self._next_loss_scale)
        else:
            self._unskipped += 1
        if self._unskipped == self._scale_seq_len:
            self._unskipped = 0
            self._next_loss_scale = min(self._max_loss_scale, self._loss_scale * 2.)
            logging.info("AMP: increasing loss scale to %f", self._next_loss_scale)
        return overflow
