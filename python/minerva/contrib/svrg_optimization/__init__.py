"""``mx.contrib.svrg_optimization``: stochastic variance-reduced gradient training (MXNet 1.x API):
``svrg_module.SVRGModule`` and the optimizers it installs (``svrg_optimizer``)."""
from . import svrg_module  # noqa: F401
from . import svrg_optimizer  # noqa: F401
