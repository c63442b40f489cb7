"""``gluon.contrib``: MXNet 1.x's contributed Gluon blocks (``nn``) and the ``estimator``
training loop. MXNet's ``contrib.rnn``, ``contrib.cnn`` and ``contrib.data`` are not here yet."""
from . import estimator, nn  # noqa: F401
