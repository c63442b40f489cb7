"""``gluon.contrib.estimator``: MXNet 1.9.1's Estimator, a fit/evaluate loop over a Gluon
network driven by event handlers."""
from . import batch_processor, estimator, event_handler  # noqa: F401
from .batch_processor import *  # noqa: F401,F403
from .estimator import *  # noqa: F401,F403
from .event_handler import *  # noqa: F401,F403
