"""``gluon.contrib.data``: MXNet 1.x's contributed data utilities: ``IntervalSampler`` and the
WikiText language-modelling datasets (``text``), read from local files only."""
from . import sampler, text  # noqa: F401
from .sampler import IntervalSampler  # noqa: F401
