"""``gluon.contrib``: MXNet 1.x's contributed Gluon blocks (``nn``) and the ``estimator``
training loop, ``data`` (IntervalSampler, WikiText from local files) and ``rnn`` (convolutional,
projected and variational-dropout cells) and ``cnn`` (the deformable convolution layers)."""
from . import estimator, nn  # noqa: F401
from . import data  # noqa: F401
from . import rnn  # noqa: F401
from . import cnn  # noqa: F401
