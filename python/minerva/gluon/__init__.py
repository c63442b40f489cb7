"""``mx.gluon``: MXNet 1.x's imperative/hybrid neural-network API."""
from . import utils  # noqa: F401
from .parameter import Constant, DeferredInitializationError, Parameter, ParameterDict, tensor_types  # noqa: F401
from .block import Block, HybridBlock, SymbolBlock  # noqa: F401
from .trainer import Trainer  # noqa: F401
from . import nn, loss, data, rnn, contrib  # noqa: F401
