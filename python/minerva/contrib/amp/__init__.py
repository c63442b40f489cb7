"""``mx.contrib.amp``: automatic mixed precision (float16) as in MXNet 1.x."""
from . import amp, lists, loss_scaler  # noqa: F401
from .amp import *  # noqa: F401,F403
from .amp import convert_bucketing_module  # noqa: F401
from .loss_scaler import LossScaler  # noqa: F401
