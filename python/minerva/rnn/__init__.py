"""``mx.rnn``: MXNet 1.x's symbolic recurrent cells, bucketed sentence data and RNN
checkpoints (the Gluon layers are ``mx.gluon.rnn``)."""
from . import io, rnn, rnn_cell  # noqa: F401
from .io import BucketSentenceIter, encode_sentences  # noqa: F401
from .rnn import do_rnn_checkpoint, load_rnn_checkpoint, rnn_unroll, save_rnn_checkpoint  # noqa: F401
from .rnn_cell import (BaseConvRNNCell, BaseRNNCell, BidirectionalCell, ConvGRUCell, ConvLSTMCell,  # noqa: F401
                       ConvRNNCell, DropoutCell, FusedRNNCell, GRUCell, LSTMCell, ModifierCell, ResidualCell,
                       RNNCell, RNNParams, SequentialRNNCell, ZoneoutCell)

# The rest of what ``from mxnet.rnn import *`` gives (MXNet's modules define no __all__).
import bisect  # noqa: F401,E402
import functools  # noqa: F401,E402
import random  # noqa: F401,E402
import warnings  # noqa: F401,E402

import numpy as np  # noqa: F401,E402

from .. import initializer as init  # noqa: F401,E402
from .. import ndarray, symbol  # noqa: F401,E402
from ..io import DataBatch, DataDesc, DataIter  # noqa: F401,E402
from ..model import load_checkpoint, save_checkpoint  # noqa: F401,E402

numeric_types = (float, int, np.generic)  # as mxnet.base defines them
string_types = (str,)
