"""MXNet 1.x's ``gluon.contrib.rnn`` cells beyond the convolutional ones: ``LSTMPCell`` (LSTM with
a projected recurrent state), ``VariationalDropoutCell`` (one dropout mask per sequence) and
``dynamic_unroll`` (a cell run over a sequence through ``contrib.foreach``)."""
from __future__ import annotations

from .... import ndarray, symbol
from ...rnn.rnn_cell import (BidirectionalCell, HybridRecurrentCell, ModifierCell, SequentialRNNCell, _as_list,
                             _check_layout, _format_sequence, _get_begin_state, tensor_types)

__all__ = ["VariationalDropoutCell", "LSTMPCell", "dynamic_unroll"]


class VariationalDropoutCell(ModifierCell):
    """Dropout on a cell's inputs, first state (h) and outputs with one mask per sequence, drawn at
    its first step and reused at every later step (Gal & Ghahramani, 2016). ``reset()`` (done by
    ``unroll``) draws new masks."""

    def __init__(self, base_cell, drop_inputs=0., drop_states=0., drop_outputs=0.):
        if drop_states and isinstance(base_cell, BidirectionalCell):
            raise AssertionError("BidirectionalCell doesn't support variational state dropout. "
                                 "Please add VariationalDropoutCell to the cells underneath instead.")
        if drop_states and isinstance(base_cell, SequentialRNNCell) and getattr(base_cell, "_bidirectional", False):
            raise AssertionError("Bidirectional SequentialRNNCell doesn't support variational state dropout. "
                                 "Please add VariationalDropoutCell to the cells underneath instead.")
        super().__init__(base_cell)
        self.drop_inputs = drop_inputs
        self.drop_states = drop_states
        self.drop_outputs = drop_outputs
        self.drop_inputs_mask = None
        self.drop_states_mask = None
        self.drop_outputs_mask = None

    def _alias(self):
        return "vardrop"

    def reset(self):
        super().reset()
        self.drop_inputs_mask = None
        self.drop_states_mask = None
        self.drop_outputs_mask = None

    def _initialize_input_masks(self, F, inputs, states):
        if self.drop_states and self.drop_states_mask is None:
            self.drop_states_mask = F.Dropout(F.ones_like(states[0]), p=self.drop_states)
        if self.drop_inputs and self.drop_inputs_mask is None:
            self.drop_inputs_mask = F.Dropout(F.ones_like(inputs), p=self.drop_inputs)

    def _initialize_output_mask(self, F, output):
        if self.drop_outputs and self.drop_outputs_mask is None:
            self.drop_outputs_mask = F.Dropout(F.ones_like(output), p=self.drop_outputs)

    def hybrid_forward(self, F, inputs, states):
        self._initialize_input_masks(F, inputs, states)
        if self.drop_states:
            states = list(states)
            states[0] = states[0] * self.drop_states_mask  # only h, the first state, is dropped
        if self.drop_inputs:
            inputs = inputs * self.drop_inputs_mask
        next_output, next_states = self.base_cell(inputs, states)
        self._initialize_output_mask(F, next_output)
        if self.drop_outputs:
            next_output = next_output * self.drop_outputs_mask
        return next_output, next_states

    def __repr__(self):
        return "%s(p_out = %s, p_state = %s)" % (type(self).__name__, self.drop_outputs, self.drop_states)

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None, valid_length=None):
        if self.drop_states:
            return super().unroll(length, inputs, begin_state, layout, merge_outputs, valid_length=valid_length)
        # Without state dropout the input and output masks can be drawn once for the whole
        # sequence (shared along the time axis) and the base cell unrolled as it is.
        self.reset()
        _check_layout(layout)
        inputs, axis, F, batch_size = _format_sequence(length, inputs, layout, True)
        states = _get_begin_state(self, F, begin_state, inputs, batch_size)
        if self.drop_inputs:
            inputs = F.Dropout(inputs, p=self.drop_inputs, axes=(axis,))
        outputs, states = self.base_cell.unroll(length, inputs, states, layout, merge_outputs=True,
                                                valid_length=valid_length)
        if self.drop_outputs:
            outputs = F.Dropout(outputs, p=self.drop_outputs, axes=(axis,))
        merge_outputs = isinstance(outputs, tensor_types) if merge_outputs is None else merge_outputs
        # The base cell already zeroed the steps past valid_length; dropout keeps them zero.
        outputs, _, _, _ = _format_sequence(length, outputs, layout, merge_outputs)
        return outputs, states


class LSTMPCell(HybridRecurrentCell):
    """LSTM whose output and recurrent state are projected to ``projection_size`` (Sak et al.,
    2014): ``r_t = W_hr (o_t * tanh(c_t))``, and the gates read ``r_{t-1}``. States
    ``[r (batch, projection_size), c (batch, hidden_size)]``; parameters ``i2h_weight``
    ``(4*hidden, input)``, ``h2h_weight`` ``(4*hidden, projection)``, ``h2r_weight``
    ``(projection, hidden)``, ``i2h_bias``, ``h2h_bias`` ``(4*hidden,)``."""

    def __init__(self, hidden_size, projection_size, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 h2r_weight_initializer=None, i2h_bias_initializer="zeros", h2h_bias_initializer="zeros",
                 input_size=0, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._hidden_size = hidden_size
        self._input_size = input_size
        self._projection_size = projection_size
        self.i2h_weight = self.params.get("i2h_weight", shape=(4 * hidden_size, input_size),
                                          init=i2h_weight_initializer, allow_deferred_init=True)
        self.h2h_weight = self.params.get("h2h_weight", shape=(4 * hidden_size, projection_size),
                                          init=h2h_weight_initializer, allow_deferred_init=True)
        self.h2r_weight = self.params.get("h2r_weight", shape=(projection_size, hidden_size),
                                          init=h2r_weight_initializer, allow_deferred_init=True)
        self.i2h_bias = self.params.get("i2h_bias", shape=(4 * hidden_size,), init=i2h_bias_initializer,
                                        allow_deferred_init=True)
        self.h2h_bias = self.params.get("h2h_bias", shape=(4 * hidden_size,), init=h2h_bias_initializer,
                                        allow_deferred_init=True)

    def state_info(self, batch_size=0):
        return [{"shape": (batch_size, self._projection_size), "__layout__": "NC"},
                {"shape": (batch_size, self._hidden_size), "__layout__": "NC"}]

    def _alias(self):
        return "lstmp"

    def __repr__(self):
        shape = self.i2h_weight.shape
        return "%s(%s -> %d -> %d)" % (type(self).__name__, shape[1] if shape[1] else None, shape[0],
                                       self.h2r_weight.shape[0])

    def infer_shape(self, inputs, *args):
        """Complete the deferred ``i2h_weight`` shape from the step input (batch, features)."""
        if not isinstance(inputs, ndarray.NDArray):
            return super().infer_shape(inputs, *args)
        if inputs.ndim != 2:
            raise ValueError("LSTMPCell expects a step input of shape (batch, features); got %s" % (inputs.shape,))
        rows, cols = self.i2h_weight.shape
        if cols == 0:
            self.i2h_weight.shape = (rows, inputs.shape[1])
        return None

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, h2r_weight, i2h_bias, h2h_bias):
        prefix = "t%d_" % self._counter
        nh = 4 * self._hidden_size
        i2h = F.FullyConnected(data=inputs, weight=i2h_weight, bias=i2h_bias, num_hidden=nh, name=prefix + "i2h")
        h2h = F.FullyConnected(data=states[0], weight=h2h_weight, bias=h2h_bias, num_hidden=nh, name=prefix + "h2h")
        gates = F.SliceChannel(i2h + h2h, num_outputs=4, name=prefix + "slice")
        in_gate = F.Activation(gates[0], act_type="sigmoid", name=prefix + "i")
        forget_gate = F.Activation(gates[1], act_type="sigmoid", name=prefix + "f")
        candidate = F.Activation(gates[2], act_type="tanh", name=prefix + "c")
        out_gate = F.Activation(gates[3], act_type="sigmoid", name=prefix + "o")
        next_c = F.elemwise_add(forget_gate * states[1], in_gate * candidate, name=prefix + "state")
        hidden = F.elemwise_mul(out_gate, F.Activation(next_c, act_type="tanh"), name=prefix + "hidden")
        next_r = F.FullyConnected(data=hidden, weight=h2r_weight, num_hidden=self._projection_size, no_bias=True,
                                  name=prefix + "out")
        return next_r, [next_r, next_c]


def dynamic_unroll(cell, inputs, begin_state, drop_inputs=0, drop_outputs=0, layout="TNC", valid_length=None):
    """Run ``cell`` over every step of ``inputs`` (one tensor in ``layout``) with
    ``F.contrib.foreach``, returning ``(outputs, states)`` with outputs merged in ``layout``.
    ``drop_inputs``/``drop_outputs`` apply dropout shared along the time axis; with
    ``valid_length`` (batch,) the outputs past each sequence's end are zero and the states stop
    changing there."""
    _check_layout(layout)
    inputs, axis, F, _ = _format_sequence(0, inputs, layout, True)
    foreach = getattr(F.contrib, "foreach", None)
    if foreach is None:
        raise NotImplementedError("dynamic_unroll: %s.contrib.foreach is not available in this build, so a "
                                  "%s sequence cannot be unrolled dynamically; use cell.unroll(length, ...)"
                                  % (F.__name__.rsplit(".", 1)[-1], "Symbol" if F is symbol else "NDArray"))
    axes = None
    if axis != 0:
        axes = list(range(len(layout)))
        axes[0], axes[axis] = axes[axis], axes[0]
        inputs = F.transpose(inputs, axes=axes)
    states = begin_state
    if drop_inputs:
        inputs = F.Dropout(inputs, p=drop_inputs, axes=(axis,))
    if valid_length is None:
        def loop_body(step, states):
            return cell(step, states)
    else:
        states = list(_as_list(states)) + [F.zeros((1,))]

        def loop_body(step, states):
            cell_states, iter_no = states[:-1], states[-1]
            out, new_states = cell(step, cell_states)
            new_states = list(new_states)
            still_running = F.broadcast_greater(valid_length, iter_no)
            for i, state in enumerate(cell_states):
                new_states[i] = F.where(still_running, new_states[i], state)
            new_states.append(iter_no + 1)
            return out, new_states
    outputs, states = foreach(loop_body, inputs, states)
    if drop_outputs:
        outputs = F.Dropout(outputs, p=drop_outputs, axes=(axis,))
    if axes is not None:
        outputs = F.transpose(outputs, axes=axes)
    if valid_length is None:
        return outputs, states
    outputs = F.SequenceMask(outputs, sequence_length=valid_length, use_sequence_length=True, axis=axis)
    return outputs, states[:-1]  # the last state is the step counter
