"""Convolutional recurrent cells (MXNet 1.x's ``gluon.contrib.rnn.Conv{1,2,3}D{RNN,LSTM,GRU}Cell``):
the cells of ``gluon.rnn`` with the two matrix products replaced by convolutions, so inputs and
states are feature maps. Parameters (``i2h_weight``, ``h2h_weight``, ``i2h_bias``,
``h2h_bias``) have MXNet's names and shapes: weights ``(gates * hidden_channels, in_channels,
*kernel)`` for channel-first layouts, ``(gates * hidden_channels, *kernel, in_channels)`` for
channel-last ones. The recurrent convolution pads to keep the state's size, which needs an odd
``h2h_kernel``."""
from __future__ import annotations

from numbers import Number

from .... import symbol
from ....base import numeric_types  # noqa: F401  (MXNet's module namespace has it)
from ...rnn.rnn_cell import HybridRecurrentCell

__all__ = ["Conv1DRNNCell", "Conv2DRNNCell", "Conv3DRNNCell", "Conv1DLSTMCell", "Conv2DLSTMCell",
           "Conv3DLSTMCell", "Conv1DGRUCell", "Conv2DGRUCell", "Conv3DGRUCell"]

_LAYOUTS = {1: ("NCW", "NWC"), 2: ("NCHW", "NHWC"), 3: ("NCDHW", "NDHWC")}


def _conv_out_size(dimensions, kernels, paddings, dilations):
    """Spatial size after a stride-1 convolution (0 stays 0: not known yet)."""
    return tuple(x + 2 * p - d * (k - 1) if x else 0 for x, k, p, d in zip(dimensions, kernels, paddings, dilations))


def _spec(name, value, dims):
    """An int or a ``dims``-long tuple as a ``dims``-long tuple."""
    if isinstance(value, Number):
        return (int(value),) * dims
    value = tuple(value)
    if len(value) != dims:
        raise AssertionError("For {dims}D convolution, the convolution settings can only be either int or "
                             "list/tuple of length {dims}; {name} is {value}".format(dims=dims, name=name,
                                                                                      value=value))
    return value


class _BaseConvRNNCell(HybridRecurrentCell):
    """What the convolutional cells share: the four parameters, the shapes and the two convolutions."""

    _gate_names = ("",)

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad, i2h_dilate, h2h_dilate,
                 i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer, h2h_bias_initializer,
                 dims, conv_layout, activation, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        name = type(self).__name__
        if conv_layout not in _LAYOUTS[dims]:
            raise ValueError("%s: conv_layout must be one of %s; got %r" % (name, _LAYOUTS[dims], conv_layout))
        if not isinstance(hidden_channels, int) or isinstance(hidden_channels, bool) or hidden_channels < 1:
            raise ValueError("%s: hidden_channels must be a positive integer; got %r" % (name, hidden_channels))
        input_shape = tuple(input_shape)
        if len(input_shape) != dims + 1:
            raise ValueError("%s: input_shape is the per-sample step shape (channels and %d spatial sizes in "
                             "layout %s without N); got %s" % (name, dims, conv_layout, input_shape))
        self._hidden_channels = hidden_channels
        self._input_shape = input_shape
        self._conv_layout = conv_layout
        self._activation = activation
        self._i2h_kernel = _spec("i2h_kernel", i2h_kernel, dims)
        self._stride = (1,) * dims
        self._i2h_pad = _spec("i2h_pad", i2h_pad, dims)
        self._i2h_dilate = _spec("i2h_dilate", i2h_dilate, dims)
        self._h2h_kernel = _spec("h2h_kernel", h2h_kernel, dims)
        if not all(k % 2 == 1 for k in self._h2h_kernel):
            raise AssertionError("Only support odd number, get h2h_kernel= %s" % str(h2h_kernel))
        self._h2h_dilate = _spec("h2h_dilate", h2h_dilate, dims)
        self._decide_shapes()
        rows = hidden_channels * self._num_gates
        self.i2h_weight = self.params.get("i2h_weight", shape=self._i2h_param_shape, init=i2h_weight_initializer,
                                          allow_deferred_init=True)
        self.h2h_weight = self.params.get("h2h_weight", shape=self._h2h_param_shape, init=h2h_weight_initializer,
                                          allow_deferred_init=True)
        self.i2h_bias = self.params.get("i2h_bias", shape=(rows,), init=i2h_bias_initializer,
                                        allow_deferred_init=True)
        self.h2h_bias = self.params.get("h2h_bias", shape=(rows,), init=h2h_bias_initializer,
                                        allow_deferred_init=True)

    @property
    def _num_gates(self):
        return len(self._gate_names)

    def _decide_shapes(self):
        channel_first = self._conv_layout.find("C") == 1
        self._channel_axis = 1 if channel_first else len(self._conv_layout) - 1
        shape = self._input_shape
        self._in_channels = shape[0] if channel_first else shape[-1]
        spatial = shape[1:] if channel_first else shape[:-1]
        rows = self._hidden_channels * self._num_gates
        out_size = _conv_out_size(spatial, self._i2h_kernel, self._i2h_pad, self._i2h_dilate)
        # "Same" padding for the recurrent convolution keeps the state's size from step to step.
        self._h2h_pad = tuple(d * (k - 1) // 2 for d, k in zip(self._h2h_dilate, self._h2h_kernel))
        if channel_first:
            self._i2h_param_shape = (rows, self._in_channels) + self._i2h_kernel
            self._h2h_param_shape = (rows, self._hidden_channels) + self._h2h_kernel
            self._state_shape = (self._hidden_channels,) + out_size
        else:
            self._i2h_param_shape = (rows,) + self._i2h_kernel + (self._in_channels,)
            self._h2h_param_shape = (rows,) + self._h2h_kernel + (self._hidden_channels,)
            self._state_shape = out_size + (self._hidden_channels,)

    def state_info(self, batch_size=0):
        return [{"shape": (batch_size,) + self._state_shape, "__layout__": self._conv_layout}
                for _ in range(self._num_states)]

    _num_states = 1

    def __repr__(self):
        shape = self.i2h_weight.shape
        in_channels = shape[1 if self._channel_axis == 1 else -1]
        return "%s(%s -> %d, %s, %s)" % (type(self).__name__, in_channels if in_channels else None, shape[0],
                                         self._activation, self._conv_layout)

    def _conv_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias, prefix):
        num_filter = self._hidden_channels * self._num_gates
        i2h = F.Convolution(data=inputs, weight=i2h_weight, bias=i2h_bias, num_filter=num_filter,
                            kernel=self._i2h_kernel, stride=self._stride, pad=self._i2h_pad,
                            dilate=self._i2h_dilate, layout=self._conv_layout, name=prefix + "i2h")
        h2h = F.Convolution(data=states[0], weight=h2h_weight, bias=h2h_bias, num_filter=num_filter,
                            kernel=self._h2h_kernel, stride=self._stride, pad=self._h2h_pad,
                            dilate=self._h2h_dilate, layout=self._conv_layout, name=prefix + "h2h")
        return i2h, h2h

    def _symbol_begin_state(self, step):
        """Zero states for a Symbol step input, whose batch size is known only at binding: a
        convolution of the input's first channel with zero weights has the state's shape."""
        first = symbol.slice_axis(step, axis=self._channel_axis, begin=0, end=1)
        kernel_in = (self._hidden_channels, 1) + self._i2h_kernel if self._channel_axis == 1 else \
            (self._hidden_channels,) + self._i2h_kernel + (1,)
        zero = symbol.Convolution(data=symbol.zeros_like(first), weight=symbol.zeros(kernel_in), no_bias=True,
                                  num_filter=self._hidden_channels, kernel=self._i2h_kernel, pad=self._i2h_pad,
                                  dilate=self._i2h_dilate, layout=self._conv_layout)
        return [zero for _ in range(self._num_states)]

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None, valid_length=None):
        if begin_state is None and (isinstance(inputs, symbol.Symbol) or
                                    (isinstance(inputs, (list, tuple)) and inputs and
                                     isinstance(inputs[0], symbol.Symbol))):
            if isinstance(inputs, symbol.Symbol):
                step = symbol.squeeze(symbol.slice_axis(inputs, axis=layout.find("T"), begin=0, end=1),
                                      axis=layout.find("T"))
            else:
                step = inputs[0]
            begin_state = self._symbol_begin_state(step)
        return super().unroll(length, inputs, begin_state=begin_state, layout=layout,
                              merge_outputs=merge_outputs, valid_length=valid_length)

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        raise NotImplementedError("_BaseConvRNNCell is abstract class for convolutional RNN")


class _ConvRNNCell(_BaseConvRNNCell):
    """``h_t = act(W * x_t + R * h_{t-1} + b)``."""

    def _alias(self):
        return "conv_rnn"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix = "t%d_" % self._counter
        i2h, h2h = self._conv_forward(F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias, prefix)
        output = self._get_activation(F, i2h + h2h, self._activation, name=prefix + "out")
        return output, [output]


class _ConvLSTMCell(_BaseConvRNNCell):
    """Convolutional LSTM (Shi et al., 2015); gates input, forget, candidate, output as MXNet."""

    _gate_names = ("_i", "_f", "_c", "_o")
    _num_states = 2

    def _alias(self):
        return "conv_lstm"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix = "t%d_" % self._counter
        i2h, h2h = self._conv_forward(F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias, prefix)
        gates = F.SliceChannel(i2h + h2h, num_outputs=4, axis=self._channel_axis, name=prefix + "slice")
        in_gate = F.Activation(gates[0], act_type="sigmoid", name=prefix + "i")
        forget_gate = F.Activation(gates[1], act_type="sigmoid", name=prefix + "f")
        candidate = self._get_activation(F, gates[2], self._activation, name=prefix + "c")
        out_gate = F.Activation(gates[3], act_type="sigmoid", name=prefix + "o")
        next_c = F.elemwise_add(forget_gate * states[1], in_gate * candidate, name=prefix + "state")
        next_h = F.elemwise_mul(out_gate, self._get_activation(F, next_c, self._activation), name=prefix + "out")
        return next_h, [next_h, next_c]


class _ConvGRUCell(_BaseConvRNNCell):
    """Convolutional GRU; the reset gate multiplies the recurrent convolution (with its bias)."""

    _gate_names = ("_r", "_z", "_o")

    def _alias(self):
        return "conv_gru"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        prefix = "t%d_" % self._counter
        i2h, h2h = self._conv_forward(F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias, prefix)
        i2h_r, i2h_z, i2h_n = F.SliceChannel(i2h, num_outputs=3, axis=self._channel_axis, name=prefix + "i2h_slice")
        h2h_r, h2h_z, h2h_n = F.SliceChannel(h2h, num_outputs=3, axis=self._channel_axis, name=prefix + "h2h_slice")
        reset_gate = F.Activation(i2h_r + h2h_r, act_type="sigmoid", name=prefix + "r_act")
        update_gate = F.Activation(i2h_z + h2h_z, act_type="sigmoid", name=prefix + "z_act")
        candidate = self._get_activation(F, i2h_n + reset_gate * h2h_n, self._activation, name=prefix + "h_act")
        next_h = F.elemwise_add((1. - update_gate) * candidate, update_gate * states[0], name=prefix + "out")
        return next_h, [next_h]


def _make_cell(base, dims, doc):
    """A public cell class: ``base``'s rule for ``dims``-D maps, with MXNet's signature."""
    zeros, ones = (0,) * dims, (1,) * dims
    layout = _LAYOUTS[dims][0]

    def __init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad=zeros, i2h_dilate=ones,
                 h2h_dilate=ones, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", conv_layout=layout, activation="tanh",
                 prefix=None, params=None):
        base.__init__(self, input_shape, hidden_channels, i2h_kernel, h2h_kernel, i2h_pad, i2h_dilate, h2h_dilate,
                      i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer, h2h_bias_initializer,
                      dims, conv_layout, activation, prefix=prefix, params=params)

    kind = {_ConvRNNCell: "RNN", _ConvLSTMCell: "LSTM", _ConvGRUCell: "GRU"}[base]
    name = "Conv%dD%sCell" % (dims, kind)
    __init__.__qualname__ = name + ".__init__"
    return type(name, (base,), {"__init__": __init__, "__doc__": doc, "__module__": __name__})


_DOC = """{dims}D convolutional {kind} cell. ``input_shape`` is one step of one sample in
``conv_layout`` without N (e.g. ``(C, {spatial})`` for '{layout}'); ``hidden_channels`` the state's
channels; ``i2h_kernel``/``h2h_kernel`` the input and recurrent kernels (the latter odd);
``i2h_pad``, ``i2h_dilate``, ``h2h_dilate`` ints or {dims}-tuples; layouts '{layout}' (default) or
'{last}'; ``activation`` a name or a block (the candidate's, for LSTM and GRU)."""


def _doc(dims, kind):
    spatial = ", ".join("DHW"[3 - dims:])
    return _DOC.format(dims=dims, kind=kind, spatial=spatial, layout=_LAYOUTS[dims][0], last=_LAYOUTS[dims][1])


Conv1DRNNCell = _make_cell(_ConvRNNCell, 1, _doc(1, "RNN"))
Conv2DRNNCell = _make_cell(_ConvRNNCell, 2, _doc(2, "RNN"))
Conv3DRNNCell = _make_cell(_ConvRNNCell, 3, _doc(3, "RNN"))
Conv1DLSTMCell = _make_cell(_ConvLSTMCell, 1, _doc(1, "LSTM"))
Conv2DLSTMCell = _make_cell(_ConvLSTMCell, 2, _doc(2, "LSTM"))
Conv3DLSTMCell = _make_cell(_ConvLSTMCell, 3, _doc(3, "LSTM"))
Conv1DGRUCell = _make_cell(_ConvGRUCell, 1, _doc(1, "GRU"))
Conv2DGRUCell = _make_cell(_ConvGRUCell, 2, _doc(2, "GRU"))
Conv3DGRUCell = _make_cell(_ConvGRUCell, 3, _doc(3, "GRU"))
