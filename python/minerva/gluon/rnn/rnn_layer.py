"""Recurrent layers RNN, LSTM and GRU (MXNet 1.9.1's ``gluon.rnn`` layers).

Note [Fused RNN layers]
A layer keeps MXNet's parameters — names ``l0_i2h_weight``, ``r0_h2h_bias``… (``r`` for the
reverse direction), shapes ``(gates * hidden, inputs)`` and the gate order of MXNet's kernel
(LSTM: input, forget, candidate, output; GRU: reset, update, new, the reset gate multiplying
``W_hn h + b_hn``) — so MXNet's parameter files load, and, as in MXNet, computes with the fused
``RNN`` operator: the parameters are flattened and concatenated in the operator's packed order
(every weight, then every bias; Note [RNN parameter layout] in core/ops/rnn.cc), imperatively and
hybridized. The graph does not depend on the sequence length, so one hybridized graph serves
every length. The operator takes the layer's dropout (between layers, in training), state
clipping and sequence lengths.

Two cases stay unrolled over time with ``FullyConnected`` and element-wise operators (the same
math as the cells): an LSTM with ``projection_size``, which the fused operator does not support
(MXNet runs it only with cuDNN), and dtypes other than float32/float64. An unrolled graph depends
on the sequence length, so such a layer declares ``_needs_input_shapes``: a hybridized layer, or
a hybridized block containing it, builds its graph from input variables carrying the call's
shapes and keeps one graph per input shapes (Note [Graphs keyed on input shapes] in
gluon/block.py). A fused layer whose input size is still deferred declares it too, to read the
input size from its input symbol's inferred shape when a hybridized parent first builds the graph.
"""
import re

import numpy as np

from ... import ndarray, symbol
from ...util import is_np_array  # noqa: F401  (these three: as MXNet's rnn_layer exports)
from ..block import HybridBlock
from ..parameter import tensor_types  # noqa: F401
from . import rnn_cell  # noqa: F401
from .rnn_cell import _last_valid, _mask_steps, _reverse_sequences, _split_steps

__all__ = ["RNN", "LSTM", "GRU"]

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}
_STRUCTURED_KEY = re.compile(r"(l|r)(\d+)_(i2h|h2h|h2r)_(weight|bias)\Z")


class _RNNLayer(HybridBlock):
    """The shared implementation of RNN, LSTM and GRU."""

    def __init__(self, hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                 i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                 h2h_bias_initializer, mode, projection_size, h2r_weight_initializer,
                 lstm_state_clip_min, lstm_state_clip_max, lstm_state_clip_nan, dtype,
                 use_sequence_length=False, **kwargs):
        super().__init__(**kwargs)
        if layout not in ("TNC", "NTC"):
            raise ValueError("Invalid layout %r; must be one of ['TNC' or 'NTC']" % (layout,))
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError("hidden_size must be a positive int; got %r" % (hidden_size,))
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError("num_layers must be a positive int; got %r" % (num_layers,))
        if not 0 <= dropout < 1:
            raise ValueError("dropout must be in [0, 1); got %r" % (dropout,))
        if (lstm_state_clip_min is None) != (lstm_state_clip_max is None):
            raise ValueError("state_clip_min and state_clip_max must be given together")
        self._hidden_size = hidden_size
        self._projection_size = projection_size if projection_size else None
        self._num_layers = num_layers
        self._mode = mode
        self._layout = layout
        self._dropout = dropout
        self._dir = 2 if bidirectional else 1
        self._input_size = input_size
        self._i2h_weight_initializer = i2h_weight_initializer
        self._h2h_weight_initializer = h2h_weight_initializer
        self._i2h_bias_initializer = i2h_bias_initializer
        self._h2h_bias_initializer = h2h_bias_initializer
        self._h2r_weight_initializer = h2r_weight_initializer
        self._lstm_state_clip_min = lstm_state_clip_min
        self._lstm_state_clip_max = lstm_state_clip_max
        self._lstm_state_clip_nan = lstm_state_clip_nan
        self._dtype = dtype
        self._use_sequence_length = use_sequence_length
        self.skip_states = None
        self._gates = _GATES[mode]

        ng, nh = self._gates, hidden_size
        recurrent = self._projection_size or nh  # what h2h multiplies: h, or its projection
        ni = input_size
        for i in range(num_layers):
            for d in ["l", "r"][:self._dir]:
                self._register_param("%s%d_i2h_weight" % (d, i), (ng * nh, ni),
                                     i2h_weight_initializer, dtype)
                self._register_param("%s%d_h2h_weight" % (d, i), (ng * nh, recurrent),
                                     h2h_weight_initializer, dtype)
                self._register_param("%s%d_i2h_bias" % (d, i), (ng * nh,),
                                     i2h_bias_initializer, dtype)
                self._register_param("%s%d_h2h_bias" % (d, i), (ng * nh,),
                                     h2h_bias_initializer, dtype)
                if self._projection_size:
                    self._register_param("%s%d_h2r_weight" % (d, i), (self._projection_size, nh),
                                         h2r_weight_initializer, dtype)
            ni = recurrent * self._dir

    def _register_param(self, name, shape, init, dtype):
        p = self.params.get(name, shape=shape, init=init, allow_deferred_init=True, dtype=dtype)
        setattr(self, name, p)
        return p

    def _fused(self):
        """Whether the fused RNN operator computes this layer (Note [Fused RNN layers])."""
        return self._projection_size is None and str(np.dtype(self._dtype)) in ("float32", "float64")

    def _input_size_deferred(self):
        return any(getattr(self, "%s0_i2h_weight" % d).shape[1] == 0 for d in ["l", "r"][:self._dir])

    @property
    def _needs_input_shapes(self):
        # Unrolled, the graph depends on the sequence length; fused, only a deferred input size
        # is read from the (shape-hinted) input symbol.
        return not self._fused() or self._input_size_deferred()

    def __repr__(self):
        s = "{name}({mapping}, {layout}"
        if self._num_layers != 1:
            s += ", num_layers={layers}"
        if self._dropout != 0:
            s += ", dropout={dropout}"
        if self._dir == 2:
            s += ", bidirectional"
        s += ")"
        rows, cols = self.l0_i2h_weight.shape
        mapping = "%s -> %d" % (cols if cols else None, rows // self._gates)
        return s.format(name=type(self).__name__, mapping=mapping, layout=self._layout,
                        layers=self._num_layers, dropout=self._dropout)

    def _collect_params_with_prefix(self, prefix=""):
        """MXNet 1.9.1 saves layer parameters under the names of its old unfused stack of cells
        (``_unfused.0.i2h_weight``; ``_unfused.0.l_cell.i2h_weight`` when bidirectional), so
        save_parameters/load_parameters use those keys too."""
        flat = super()._collect_params_with_prefix(prefix)
        head = prefix + "." if prefix else ""
        bidirectional = self._dir == 2
        out = {}
        for key, param in flat.items():
            match = _STRUCTURED_KEY.match(key[len(head):]) if key.startswith(head) else None
            if match is None:
                out[key] = param
                continue
            d, layer, group, kind = match.groups()
            cell = "%s_cell." % d if bidirectional else ""
            out["%s_unfused.%s.%s%s_%s" % (head, layer, cell, group, kind)] = param
        return out

    def state_info(self, batch_size=0):
        raise NotImplementedError

    def cast(self, dtype):
        super().cast(dtype)
        self._dtype = dtype

    def begin_state(self, batch_size=0, func=ndarray.zeros, **kwargs):
        """Initial states, ``func(name=..., shape=(layers * directions, batch, hidden), ...)``
        for each of ``state_info``; ``kwargs`` (``ctx``, ``dtype``…) go to ``func``."""
        states = []
        for i, info in enumerate(self.state_info(batch_size)):
            info = dict(info)
            info.update(kwargs)
            if func is not symbol.var:
                info.pop("__layout__", None)
            states.append(func(name="%sh0_%d" % (self.prefix, i), **info))
        return states

    # ---- checks and the sequence length ---------------------------------------------------------
    def _check_inputs(self, inputs, states, sequence_length, states_given=True):
        what = "%s layer %r" % (type(self).__name__, self.name)
        if inputs.ndim != 3:
            raise ValueError("%s expects a 3-D input in layout %r (%s); got shape %s"
                             % (what, self._layout, _LAYOUT_WORDS[self._layout], inputs.shape))
        features = inputs.shape[2]
        expected = self.l0_i2h_weight.shape[1]
        if expected and features != expected:
            raise ValueError("%s: input has %d features (last axis of shape %s) but the layer "
                             "expects %d" % (what, features, inputs.shape, expected))
        if inputs.shape[self._layout.find("T")] == 0:
            raise ValueError("%s: the input sequence is empty (shape %s)" % (what, inputs.shape))
        if not states_given:
            return
        batch = inputs.shape[self._layout.find("N")]
        infos = self.state_info(batch)
        if len(states) != len(infos):
            raise ValueError("%s takes %d state array(s); got %d" % (what, len(infos), len(states)))
        for state, info in zip(states, infos):
            if not isinstance(state, ndarray.NDArray):
                raise TypeError("%s: states must be NDArrays when the input is; got %s"
                                % (what, type(state).__name__))
            if state.shape != info["shape"]:
                raise ValueError("Invalid recurrent state shape. Expecting %s, got %s."
                                 % (str(info["shape"]), str(state.shape)))
        if self._use_sequence_length:
            if sequence_length is None:
                raise ValueError("%s was made with use_sequence_length=True: pass sequence_length"
                                 % what)
            if sequence_length.shape != (batch,):
                raise ValueError("%s: sequence_length must have shape (%d,); got %s"
                                 % (what, batch, sequence_length.shape))

    def _length_of(self, inputs):
        """The number of time steps: from the array, or for a symbol from its inferred shape
        (the variables of a hybridized block's graph carry the call's shapes)."""
        axis = self._layout.find("T")
        if isinstance(inputs, ndarray.NDArray):
            return inputs.shape[axis]
        try:
            _, out_shapes, _ = inputs.infer_shape_partial()
            if out_shapes and out_shapes[0] and len(out_shapes[0]) == 3 and out_shapes[0][axis]:
                return out_shapes[0][axis]
        except Exception:  # noqa: BLE001 - an unknown shape is not an error here
            pass
        raise ValueError(
            "%s layer %r is unrolled over time (see Note [Fused RNN layers]), so a symbolic "
            "input needs a known sequence length (axis %d of layout %r): give the input variable "
            "a shape (mx.sym.var('data', shape=...))"
            % (type(self).__name__, self.name, axis, self._layout))

    def __call__(self, inputs, states=None, sequence_length=None, **kwargs):
        self.skip_states = states is None
        if isinstance(inputs, ndarray.NDArray):
            if states is None:
                self._check_inputs(inputs, self.state_info(), None, states_given=False)
                states = self.begin_state(inputs.shape[self._layout.find("N")],
                                          ctx=inputs.context, dtype=inputs.dtype)
            if isinstance(states, (ndarray.NDArray, symbol.Symbol)):
                states = [states]
            self._check_inputs(inputs, list(states), sequence_length)
        elif isinstance(states, (ndarray.NDArray, symbol.Symbol)):
            states = [states]
        if self._use_sequence_length:
            output, out_states = super().__call__(inputs, states, sequence_length, **kwargs)
        else:
            output, out_states = super().__call__(inputs, states, **kwargs)
        # Returning both from the graph and dropping the states here keeps one cached graph
        # for calls with and without states.
        return output if self.skip_states else (output, out_states)

    def infer_shape(self, inputs, *args):
        """Completes the deferred input size of the first layer from the input's last axis."""
        if not isinstance(inputs, ndarray.NDArray):
            return super().infer_shape(inputs, *args)
        for d in ["l", "r"][:self._dir]:
            p = getattr(self, "%s0_i2h_weight" % d)
            if p.shape[1] == 0:
                p.shape = (p.shape[0], inputs.shape[2])
        return None

    # ---- the computation ------------------------------------------------------------------------
    def hybrid_forward(self, F, inputs, states=None, sequence_length=None, **params):
        if self._fused():
            return self._fused_forward(F, inputs, states, sequence_length, params)
        return self._unrolled_forward(F, inputs, states, sequence_length, params)

    def _packed_names(self):
        """The parameter names in the fused operator's packed order: every weight (layer,
        direction, i2h then h2h), then every bias in the same order."""
        return ["%s%d_%s_%s" % (d, layer, group, kind) for kind in ("weight", "bias")
                for layer in range(self._num_layers) for d in ["l", "r"][:self._dir]
                for group in ("i2h", "h2h")]

    def _complete_input_size(self, inputs, params):
        """For a symbolic call with a deferred input size: reads it from the input symbol's
        inferred shape and gives it to the first layer's i2h weights and their variables, which
        shape inference cannot reach through the flattened, concatenated parameter vector."""
        if not self._input_size_deferred():
            return
        features = 0
        try:
            _, out_shapes, _ = inputs.infer_shape_partial()
            if out_shapes and out_shapes[0] and len(out_shapes[0]) == 3:
                features = out_shapes[0][2]
        except Exception:  # noqa: BLE001 - an unknown shape is not an error here
            pass
        if not features:
            raise ValueError(
                "%s layer %r does not know its input size yet: give the layer input_size=..., call it once "
                "on an NDArray, or give the input variable a shape (mx.sym.var('data', shape=...))"
                % (type(self).__name__, self.name))
        for d in ["l", "r"][:self._dir]:
            name = "%s0_i2h_weight" % d
            p = getattr(self, name)
            p.shape = (p.shape[0], features)
            params[name]._set_attr(__shape__=str(p.shape))

    def _fused_forward(self, F, inputs, states, sequence_length, params):
        if F is symbol:
            self._complete_input_size(inputs, params)
        if self._layout == "NTC":
            inputs = F.swapaxes(inputs, dim1=0, dim2=1)
        if states is None:
            states = self._zero_states(F, inputs, 0)
        packed = F.concat(*[F.reshape(params[name], shape=(-1,)) for name in self._packed_names()], dim=0)
        options = {}
        if self._lstm_state_clip_min is not None:
            options.update(lstm_state_clip_min=self._lstm_state_clip_min,
                           lstm_state_clip_max=self._lstm_state_clip_max,
                           lstm_state_clip_nan=bool(self._lstm_state_clip_nan))
        if self._use_sequence_length:
            options.update(use_sequence_length=True, sequence_length=sequence_length)
        out = F.RNN(inputs, packed, *states, state_size=self._hidden_size, num_layers=self._num_layers,
                    bidirectional=self._dir == 2, p=self._dropout, state_outputs=True, mode=self._mode,
                    **options)
        output, out_states = out[0], [out[i] for i in range(1, 1 + len(self.state_info()))]
        if self._layout == "NTC":
            output = F.swapaxes(output, dim1=0, dim2=1)
        return output, out_states

    def _unrolled_forward(self, F, inputs, states, sequence_length, params):
        length = self._length_of(inputs)
        time_axis = self._layout.find("T")
        if states is None:
            states = self._zero_states(F, inputs, time_axis)
        valid = sequence_length if self._use_sequence_length else None
        nstates = len(self.state_info())
        begin = [_split_steps(F, s, self._num_layers * self._dir, 0) for s in states]
        x, x_axis = inputs, time_axis
        finals = [[] for _ in range(nstates)]
        for layer in range(self._num_layers):
            if layer > 0 and self._dropout > 0:
                x = F.Dropout(x, p=self._dropout)
            direction_outputs = []
            for d, name in enumerate(["l", "r"][:self._dir]):
                p = {k: params["%s%d_%s" % (name, layer, k)] for k in _PARAM_KINDS
                     if "%s%d_%s" % (name, layer, k) in params}
                i2h = F.FullyConnected(x, p["i2h_weight"], p["i2h_bias"], flatten=False,
                                       num_hidden=self._gates * self._hidden_size)
                steps = _split_steps(F, i2h, length, x_axis)
                index = layer * self._dir + d
                start = [b[index] for b in begin]
                outputs, last = self._run_direction(F, steps, start, p, reverse=name == "r",
                                                    valid_length=valid)
                direction_outputs.append(F.stack(*outputs, axis=0))
                for k in range(nstates):
                    finals[k].append(last[k])
            x = direction_outputs[0] if self._dir == 1 else F.concat(*direction_outputs, dim=2)
            x_axis = 0
        if time_axis == 1:
            x = F.swapaxes(x, dim1=0, dim2=1)
        out_states = [F.stack(*f, axis=0) for f in finals]
        return x, out_states

    def _zero_states(self, F, inputs, time_axis):
        """Zero begin states for a symbolic call without states (batch size known only at bind)."""
        step = F.slice_axis(inputs, axis=time_axis, begin=0, end=1)
        column = F.zeros_like(F.slice_axis(step, axis=2, begin=0, end=1))  # (1, N, 1) or (N, 1, 1)
        if time_axis == 1:
            column = F.swapaxes(column, dim1=0, dim2=1)
        states = []
        for info in self.state_info():
            layers, _, width = info["shape"]
            states.append(F.tile(column, reps=(layers, 1, width)))
        return states

    def _run_direction(self, F, steps, states, p, reverse, valid_length):
        """Runs one layer in one direction over per-step input projections ``steps``.
        Returns (outputs in time order, final states)."""
        if reverse:
            steps = _reverse_sequences(F, steps, valid_length)
        outputs, history = [], []
        for x in steps:
            out, states = self._step(F, x, states, p)
            outputs.append(out)
            if valid_length is not None:
                history.append(states)
        if valid_length is not None:
            states = _last_valid(F, history, valid_length)
            outputs = _mask_steps(F, outputs, valid_length)
        if reverse:
            outputs = _reverse_sequences(F, outputs, valid_length)
        return outputs, states

    def _step(self, F, i2h, states, p):
        """One time step given this step's input projection; returns (output, new states)."""
        nh = self._hidden_size
        h2h = F.FullyConnected(states[0], p["h2h_weight"], p["h2h_bias"],
                               num_hidden=self._gates * nh)
        mode = self._mode
        if mode in ("rnn_relu", "rnn_tanh"):
            pre = i2h + h2h
            h = F.relu(pre) if mode == "rnn_relu" else F.tanh(pre)
            return h, [h]
        if mode == "gru":
            i_r, i_z, i_n = F.SliceChannel(i2h, num_outputs=3)
            h_r, h_z, h_n = F.SliceChannel(h2h, num_outputs=3)
            reset = F.sigmoid(i_r + h_r)
            update = F.sigmoid(i_z + h_z)
            candidate = F.tanh(i_n + reset * h_n)
            h = (1 - update) * candidate + update * states[0]
            return h, [h]
        gates = F.SliceChannel(i2h + h2h, num_outputs=4)
        in_gate = F.sigmoid(gates[0])
        forget_gate = F.sigmoid(gates[1])
        candidate = F.tanh(gates[2])
        out_gate = F.sigmoid(gates[3])
        c = forget_gate * states[1] + in_gate * candidate
        if self._lstm_state_clip_min is not None:
            c = F.clip(c, self._lstm_state_clip_min, self._lstm_state_clip_max)
        h = out_gate * F.tanh(c)
        if self._projection_size:
            h = F.FullyConnected(h, p["h2r_weight"], no_bias=True,
                                 num_hidden=self._projection_size)
        return h, [h, c]


_PARAM_KINDS = ("i2h_weight", "h2h_weight", "i2h_bias", "h2h_bias", "h2r_weight")
_LAYOUT_WORDS = {"TNC": "sequence length, batch size, features",
                 "NTC": "batch size, sequence length, features"}


class RNN(_RNNLayer):
    r"""Multi-layer Elman RNN: ``h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` with
    ``activation`` 'relu' (default) or 'tanh'.

    Input (T, N, C) in layout 'TNC' ((N, T, C) for 'NTC'); states ``[h0]`` of shape
    (num_layers * directions, N, hidden_size). ``layer(x)`` returns the output;
    ``layer(x, states)`` returns ``(output, new_states)``. Bidirectional layers concatenate
    the two directions on the feature axis.
    """

    def __init__(self, hidden_size, num_layers=1, activation="relu", layout="TNC", dropout=0,
                 bidirectional=False, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", input_size=0,
                 dtype="float32", **kwargs):
        if activation not in ("relu", "tanh"):
            raise ValueError("RNN: activation must be 'relu' or 'tanh'; got %r" % (activation,))
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                         h2h_bias_initializer, "rnn_" + activation, None, None, None, None,
                         False, dtype, **kwargs)

    def state_info(self, batch_size=0):
        return [{"shape": (self._num_layers * self._dir, batch_size, self._hidden_size),
                 "__layout__": "LNC", "dtype": self._dtype}]


class LSTM(_RNNLayer):
    r"""Multi-layer LSTM (gates input, forget, candidate, output as in MXNet):
    ``c_t = f * c_{t-1} + i * g``, ``h_t = o * tanh(c_t)``, with an optional projection
    ``h_t = W_hr (o * tanh(c_t))`` (``projection_size``) and optional clipping of ``c_t``
    (``state_clip_min``/``state_clip_max``).

    States ``[h0, c0]``, each (num_layers * directions, N, hidden_size) (h0's last axis is
    projection_size with a projection).
    """

    def __init__(self, hidden_size, num_layers=1, layout="TNC", dropout=0, bidirectional=False,
                 input_size=0, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros",
                 projection_size=None, h2r_weight_initializer=None, state_clip_min=None,
                 state_clip_max=None, state_clip_nan=False, dtype="float32", **kwargs):
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                         h2h_bias_initializer, "lstm", projection_size, h2r_weight_initializer,
                         state_clip_min, state_clip_max, state_clip_nan, dtype, **kwargs)

    def state_info(self, batch_size=0):
        h_width = self._projection_size or self._hidden_size
        return [{"shape": (self._num_layers * self._dir, batch_size, h_width),
                 "__layout__": "LNC", "dtype": self._dtype},
                {"shape": (self._num_layers * self._dir, batch_size, self._hidden_size),
                 "__layout__": "LNC", "dtype": self._dtype}]


class GRU(_RNNLayer):
    r"""Multi-layer GRU in MXNet's (cuDNN's) form: ``r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)``,
    ``z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)``,
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h_t = (1 - z) * n + z * h_{t-1}``.

    States ``[h0]`` of shape (num_layers * directions, N, hidden_size).
    """

    def __init__(self, hidden_size, num_layers=1, layout="TNC", dropout=0, bidirectional=False,
                 input_size=0, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", dtype="float32",
                 **kwargs):
        super().__init__(hidden_size, num_layers, layout, dropout, bidirectional, input_size,
                         i2h_weight_initializer, h2h_weight_initializer, i2h_bias_initializer,
                         h2h_bias_initializer, "gru", None, None, None, None, False, dtype,
                         **kwargs)

    def state_info(self, batch_size=0):
        return [{"shape": (self._num_layers * self._dir, batch_size, self._hidden_size),
                 "__layout__": "LNC", "dtype": self._dtype}]
