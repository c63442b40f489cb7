"""``mx.optimizer``: optimizers, their registry and the per-index ``Updater`` (MXNet 1.x API)."""
from . import optimizer
from . import contrib  # mx.optimizer.contrib.GroupAdaGrad
from .adaptive import FTML, AdaDelta, AdaGrad, Adam, Adamax, Ftrl, Nadam, RMSProp
from .lamb import LAMB  # registers it; LAMB, LARS and LBSGD: docs/optim.md
from .lars import LARS, LBSGD
from .optimizer import NDabs, Optimizer, Updater, create, get_updater, register  # noqa: F401
from .sgd import DCASGD, NAG, SGD, SGLD, Signum, Test, ccSGD

# MXNet scripts also reach the classes as ``mx.optimizer.optimizer.SGD``.
for _cls in (FTML, AdaDelta, AdaGrad, Adam, Adamax, Ftrl, Nadam, RMSProp,
             DCASGD, NAG, SGD, SGLD, Signum, Test, ccSGD, LAMB, LARS, LBSGD):
    setattr(optimizer, _cls.__name__, _cls)
    optimizer.__all__.append(_cls.__name__)
del _cls

__all__ = ["DCASGD", "FTML", "NAG", "SGD", "SGLD", "AdaDelta", "AdaGrad", "Adam", "Adamax",
           "Ftrl", "LBSGD", "NDabs", "Nadam", "Optimizer", "RMSProp", "Signum", "Test", "Updater", "ccSGD",
           "create", "get_updater", "register", "contrib"]
__all__ += ["LAMB", "LARS"]
