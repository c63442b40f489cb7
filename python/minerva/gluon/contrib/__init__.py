"""``gluon.contrib``: MXNet 1.x's contributed Gluon blocks (``nn``). MXNet's ``contrib.rnn``,
``contrib.cnn`` and ``contrib.data`` are not here yet."""
from . import nn  # noqa: F401
