"""``mx.rnn``: MXNet 1.x's symbolic recurrent cells, bucketed sentence data and RNN
checkpoints (the Gluon layers are ``mx.gluon.rnn``)."""
from . import io, rnn, rnn_cell  # noqa: F401
from .io import BucketSentenceIter, encode_sentences  # noqa: F401
from .rnn import do_rnn_checkpoint, load_rnn_checkpoint, rnn_unroll, save_rnn_checkpoint  # noqa: F401
from .rnn_cell import (BaseConvRNNCell, BaseRNNCell, BidirectionalCell, ConvGRUCell, ConvLSTMCell,  # noqa: F401
                       ConvRNNCell, DropoutCell, FusedRNNCell, GRUCell, LSTMCell, ModifierCell, ResidualCell,
                       RNNCell, RNNParams, SequentialRNNCell, ZoneoutCell)
