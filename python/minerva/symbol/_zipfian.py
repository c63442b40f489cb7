"""``mx.sym.contrib.rand_zipfian``: the log-uniform candidate sampler of mx.nd.contrib as a graph."""
from __future__ import annotations

import math

from . import random


def rand_zipfian(true_classes, num_sampled, range_max):
    """Draws num_sampled classes in [0, range_max) from the log-uniform (Zipfian) distribution
    P(c) = (log(c + 2) - log(c + 1)) / log(range_max + 1). Returns symbols for (the sampled
    classes, int64; the expected count of each true class; the expected count of each sampled
    class), as mx.nd.contrib.rand_zipfian computes them."""
    from .. import symbol as sym
    log_range = math.log(range_max + 1)
    draws = random.uniform(0, log_range, shape=(num_sampled,), dtype="float64")
    sampled = sym.Cast(sym.exp(draws) - 1, dtype="int64") % range_max
    true = sym.Cast(true_classes, dtype="float64")
    expected_true = sym.log((true + 2.0) / (true + 1.0)) / log_range * num_sampled
    sampled_f = sym.Cast(sampled, dtype="float64")
    expected_sampled = sym.log((sampled_f + 2.0) / (sampled_f + 1.0)) / log_range * num_sampled
    return sampled, expected_true, expected_sampled
