"""``gluon.contrib``: MXNet 1.x's contributed Gluon blocks (``nn``) and the ``estimator``
training loop, ``data`` (IntervalSampler, WikiText from local files). MXNet's ``contrib.rnn`` and
``contrib.cnn`` are not here yet."""
from . import estimator, nn  # noqa: F401
from . import data  # noqa: F401
