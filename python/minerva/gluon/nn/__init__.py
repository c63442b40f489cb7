"""``mx.gluon.nn``: neural-network layers (MXNet 1.9.1's names, parameters and defaults)."""
from .activations import *  # noqa: F401,F403
from .basic_layers import *  # noqa: F401,F403
from .conv_layers import *  # noqa: F401,F403
from ..block import Block, HybridBlock, SymbolBlock  # noqa: F401
