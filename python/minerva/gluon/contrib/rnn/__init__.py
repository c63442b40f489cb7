"""``gluon.contrib.rnn``: MXNet 1.x's contributed recurrent cells: convolutional RNN/LSTM/GRU cells
in 1, 2 and 3 dimensions, ``LSTMPCell``, ``VariationalDropoutCell`` and ``dynamic_unroll``."""
from . import conv_rnn_cell, rnn_cell  # noqa: F401
from .conv_rnn_cell import (Conv1DGRUCell, Conv1DLSTMCell, Conv1DRNNCell, Conv2DGRUCell,  # noqa: F401
                            Conv2DLSTMCell, Conv2DRNNCell, Conv3DGRUCell, Conv3DLSTMCell, Conv3DRNNCell)
from .rnn_cell import LSTMPCell, VariationalDropoutCell  # noqa: F401
