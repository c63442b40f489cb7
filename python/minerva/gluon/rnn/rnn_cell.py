"""Recurrent cells: one time step as a (Hybrid)Block, plus ``unroll`` over a sequence.

MXNet 1.9.1's cell API and parameter names (``i2h_weight``, ``h2h_weight``, ``i2h_bias``,
``h2h_bias`` under the prefixes ``rnn0_``, ``lstm0_``, ``gru0_``), so files saved from MXNet load.
Variable-length sequences (``valid_length``) use plain element-wise ops per step — ``where`` for
masking and for carrying the last valid state, ``pick`` for reversing — so the cells need no
sequence operators from the registry.
"""
from ... import ndarray, symbol
from ...base import numeric_types, string_types  # noqa: F401  (these and LeakyReLU: as MXNet's rnn_cell exports)
from ..block import Block, HybridBlock
from ..nn.activations import LeakyReLU  # noqa: F401

__all__ = ["RecurrentCell", "HybridRecurrentCell", "RNNCell", "LSTMCell", "GRUCell",
           "SequentialRNNCell", "HybridSequentialRNNCell", "DropoutCell", "ModifierCell",
           "ZoneoutCell", "ResidualCell", "BidirectionalCell"]

tensor_types = (symbol.Symbol, ndarray.NDArray)


def _as_list(x):
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _module_of(x):
    """``symbol`` or ``ndarray``, whichever module ``x`` (or its first element) comes from."""
    first = x[0] if isinstance(x, (list, tuple)) else x
    return symbol if isinstance(first, symbol.Symbol) else ndarray


def _split_steps(F, x, length, axis):
    """``x`` cut along ``axis`` into ``length`` pieces with that axis removed, as a list."""
    if length == 1:
        return [F.squeeze(x, axis=axis)]
    return list(F.split(x, num_outputs=length, axis=axis, squeeze_axis=True))


def _children_of(block):
    return list(block._children.values())


def _format_sequence(length, inputs, layout, merge, in_layout=None):
    """Bring ``inputs`` (one tensor or a list of per-step tensors) to the form ``merge`` asks for.

    Returns ``(inputs, time_axis, F, batch_size)``; ``merge`` True gives one tensor in ``layout``,
    False a list of per-step tensors, None leaves the form as it is. ``batch_size`` is 0 for
    symbols.
    """
    if inputs is None:
        raise ValueError("unroll: inputs must be given (a tensor or a list of per-step tensors)")
    axis = layout.find("T")
    batch_axis = layout.find("N")
    in_axis = in_layout.find("T") if in_layout is not None else axis
    batch_size = 0
    if isinstance(inputs, symbol.Symbol):
        F = symbol
        if merge is False:
            if len(inputs.list_outputs()) != 1:
                raise ValueError("unroll: a grouped symbol is not a sequence; pass list(inputs) "
                                 "or a single symbol")
            if length is None:
                raise ValueError("unroll: length is required to split a Symbol into steps")
            inputs = _split_steps(F, inputs, length, in_axis)
    elif isinstance(inputs, ndarray.NDArray):
        F = ndarray
        if inputs.ndim < 2:
            raise ValueError("unroll: inputs must have a batch and a time axis (layout %r); got "
                             "shape %s" % (layout, inputs.shape))
        batch_size = inputs.shape[batch_axis]
        if merge is False:
            steps = inputs.shape[in_axis]
            if length is not None and length != steps:
                raise ValueError("unroll: length=%d but the inputs have %d steps on axis %d "
                                 "(layout %r, shape %s)" % (length, steps, in_axis, layout,
                                                            inputs.shape))
            inputs = _split_steps(F, inputs, steps, in_axis)
    else:
        inputs = list(inputs)
        if length is not None and len(inputs) != length:
            raise ValueError("unroll: length=%d but %d per-step inputs were given"
                             % (length, len(inputs)))
        F = _module_of(inputs)
        if F is ndarray:
            batch_size = inputs[0].shape[0]
        if merge is True:
            inputs = F.stack(*inputs, axis=axis)
            in_axis = axis
    if isinstance(inputs, tensor_types) and axis != in_axis:
        inputs = F.swapaxes(inputs, dim1=axis, dim2=in_axis)
    return inputs, axis, F, batch_size


def _zero_states_like(F, cell, x):
    """Zero begin states of shape (batch, hidden) built from a step input ``x`` (symbol mode,
    where the batch size is not known until the graph is bound)."""
    column = F.zeros_like(F.slice_axis(x, axis=-1, begin=0, end=1))  # (batch, 1)
    states = []
    for info in cell.state_info(0):
        hidden = info["shape"][-1]
        states.append(F.tile(column, reps=(1, hidden)))
    return states


def _get_begin_state(cell, F, begin_state, inputs, batch_size):
    if begin_state is not None:
        return begin_state
    first = inputs[0] if isinstance(inputs, list) else inputs
    if F is ndarray:
        with first.context:
            return cell.begin_state(func=ndarray.zeros, batch_size=batch_size, dtype=first.dtype)
    step = first if isinstance(inputs, list) else None
    if step is None:
        raise ValueError("unroll: cannot make begin states for a merged Symbol; pass begin_state")
    return _zero_states_like(F, cell, step)


# Note [Variable-length sequences without sequence operators]
# A step t of sequence n is valid when t < valid_length[n]. Masking is where(valid_length > t,
# x_t, 0) per step (``where`` takes a (batch,) condition for (batch, ...) data); the last valid
# state is carried forward with the same condition; reversing the valid prefix of each sequence
# picks, for output step t, input step valid_length - 1 - t (or t itself past the end).

def _mask_steps(F, steps, valid_length):
    return [F.where(valid_length > t, x, F.zeros_like(x)) for t, x in enumerate(steps)]


def _last_valid(F, per_step_states, valid_length):
    """The states of step valid_length - 1 for each sequence, from a list of per-step state lists."""
    last = list(per_step_states[0])
    for t in range(1, len(per_step_states)):
        last = [F.where(valid_length > t, new, old) for new, old in zip(per_step_states[t], last)]
    return last


def _reverse_sequences(F, steps, valid_length=None):
    steps = list(steps)
    if valid_length is None:
        return steps[::-1]
    length = len(steps)
    stacked = F.stack(*steps, axis=-1)  # (batch, ..., time)
    out = []
    for t in range(length):
        index = F.where(valid_length > t, valid_length - (t + 1), F.zeros_like(valid_length) + t)
        out.append(F.pick(stacked, _broadcast_index(F, index, steps[0]), axis=-1))
    return out


def _broadcast_index(F, index, like):
    """A (batch,) index broadcast to the shape of ``like`` (batch, features...)."""
    expanded = F.expand_dims(index, axis=1)
    return F.broadcast_like(expanded, like)


class RecurrentCell(Block):
    """Base class of recurrent cells: ``cell(x_t, states) -> (output_t, next_states)``."""

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        self._modified = False
        self.reset()

    def reset(self):
        """Reset the step counters before using the cell for another sequence."""
        self._init_counter = -1
        self._counter = -1
        for child in _children_of(self):
            if hasattr(child, "reset"):
                child.reset()

    def state_info(self, batch_size=0):
        """Shapes and layouts of the states, one dict per state."""
        raise NotImplementedError()

    def begin_state(self, batch_size=0, func=ndarray.zeros, **kwargs):
        """Initial states: ``func(name=..., shape=..., **kwargs)`` for each of ``state_info``.

        ``func`` is ``mx.nd.zeros`` (default), ``mx.nd.ones``, ``mx.sym.zeros``, ``mx.sym.var``…;
        ``kwargs`` (``ctx``, ``dtype``, …) go to ``func``.
        """
        if self._modified:
            raise RuntimeError("After applying modifier cells (e.g. ZoneoutCell) the base cell "
                               "cannot be called directly. Call the modifier cell instead.")
        states = []
        for info in self.state_info(batch_size):
            self._init_counter += 1
            info = dict(info) if info is not None else {}
            info.update(kwargs)
            if func is not symbol.var:
                info.pop("__layout__", None)
            states.append(func(name="%sbegin_state_%d" % (self.prefix, self._init_counter),
                               **info))
        return states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None,
               valid_length=None):
        """Run the cell over ``length`` steps of ``inputs``.

        ``inputs`` is one tensor in ``layout`` ('NTC' or 'TNC') or a list of (batch, ...) steps.
        Returns ``(outputs, states)``: outputs merged into one tensor in ``layout`` when
        ``merge_outputs`` is True, a list when False, the cheaper form when None. With
        ``valid_length`` (batch,), outputs past each sequence's end are zero and the states are
        those of its last valid step.
        """
        self.reset()
        _check_layout(layout)
        inputs, axis, F, batch_size = _format_sequence(length, inputs, layout, False)
        states = _get_begin_state(self, F, begin_state, inputs, batch_size)
        outputs = []
        all_states = []
        for t in range(length):
            output, states = self(inputs[t], states)
            outputs.append(output)
            if valid_length is not None:
                all_states.append(states)
        if valid_length is not None:
            states = _last_valid(F, all_states, valid_length)
            outputs = _mask_steps(F, outputs, valid_length)
        outputs, _, _, _ = _format_sequence(length, outputs, layout, merge_outputs)
        return outputs, states

    def _get_activation(self, F, inputs, activation, **kwargs):
        named = {"tanh": F.tanh, "relu": F.relu, "sigmoid": F.sigmoid, "softsign": F.softsign}
        if isinstance(activation, str):
            if activation in named:
                return named[activation](inputs, **kwargs)
            return F.Activation(inputs, act_type=activation, **kwargs)
        if hasattr(activation, "_alpha") and type(activation).__name__ == "LeakyReLU":
            return F.LeakyReLU(inputs, act_type="leaky", slope=activation._alpha, **kwargs)
        return activation(inputs, **kwargs)

    def forward(self, inputs, states):
        """One time step: ``(output, next_states)``."""
        self._counter += 1
        return super().forward(inputs, states)


class HybridRecurrentCell(RecurrentCell, HybridBlock):
    """A recurrent cell whose step is a ``hybrid_forward`` (so it can be hybridized)."""

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)

    def hybrid_forward(self, F, x, *args, **kwargs):
        raise NotImplementedError


def _check_layout(layout):
    if layout not in ("NTC", "TNC"):
        raise ValueError("Invalid layout %r; must be 'NTC' or 'TNC'" % (layout,))


class _GatedCell(HybridRecurrentCell):
    """Shared parts of RNNCell, LSTMCell and GRUCell: four parameters of ``gates * hidden`` rows."""

    _gates = 1

    def __init__(self, hidden_size, i2h_weight_initializer, h2h_weight_initializer,
                 i2h_bias_initializer, h2h_bias_initializer, input_size, prefix, params):
        super().__init__(prefix=prefix, params=params)
        self._hidden_size = hidden_size
        self._input_size = input_size
        rows = self._gates * hidden_size
        self.i2h_weight = self.params.get("i2h_weight", shape=(rows, input_size),
                                          init=i2h_weight_initializer, allow_deferred_init=True)
        self.h2h_weight = self.params.get("h2h_weight", shape=(rows, hidden_size),
                                          init=h2h_weight_initializer, allow_deferred_init=True)
        self.i2h_bias = self.params.get("i2h_bias", shape=(rows,),
                                        init=i2h_bias_initializer, allow_deferred_init=True)
        self.h2h_bias = self.params.get("h2h_bias", shape=(rows,),
                                        init=h2h_bias_initializer, allow_deferred_init=True)

    def state_info(self, batch_size=0):
        return [{"shape": (batch_size, self._hidden_size), "__layout__": "NC"}]

    def infer_shape(self, inputs, *args):
        """Complete the deferred ``i2h_weight`` shape from the step input (batch, features)."""
        if not isinstance(inputs, ndarray.NDArray):
            return super().infer_shape(inputs, *args)
        if inputs.ndim != 2:
            raise ValueError("%s expects a step input of shape (batch, features); got %s"
                             % (type(self).__name__, inputs.shape))
        rows, cols = self.i2h_weight.shape
        if cols == 0:
            self.i2h_weight.shape = (rows, inputs.shape[1])
        return None

    def _check_step(self, inputs, states):
        if isinstance(inputs, ndarray.NDArray):
            if inputs.ndim != 2:
                raise ValueError("%s expects a step input of shape (batch, features); got %s. Use "
                                 "unroll() for sequences." % (type(self).__name__, inputs.shape))
            cols = self.i2h_weight.shape[1]
            if cols and inputs.shape[1] != cols:
                raise ValueError("%s: input has %d features but i2h_weight expects %d"
                                 % (type(self).__name__, inputs.shape[1], cols))
        expected = len(self.state_info())
        if len(_as_list(states)) != expected:
            raise ValueError("%s takes %d state(s); got %d" % (type(self).__name__, expected,
                                                               len(_as_list(states))))

    def __call__(self, inputs, states, *args, **kwargs):
        self._check_step(inputs, states)
        return super().__call__(inputs, _as_list(states), *args, **kwargs)

    def __repr__(self):
        rows, cols = self.i2h_weight.shape
        extra = ", %s" % self._activation if isinstance(self, RNNCell) else ""
        return "%s(%s -> %d%s)" % (type(self).__name__, cols if cols else None,
                                   rows // self._gates, extra)


class RNNCell(_GatedCell):
    """Elman cell: ``h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` (act tanh or relu)."""

    _gates = 1

    def __init__(self, hidden_size, activation="tanh", i2h_weight_initializer=None,
                 h2h_weight_initializer=None, i2h_bias_initializer="zeros",
                 h2h_bias_initializer="zeros", input_size=0, prefix=None, params=None):
        super().__init__(hidden_size, i2h_weight_initializer, h2h_weight_initializer,
                         i2h_bias_initializer, h2h_bias_initializer, input_size, prefix, params)
        self._activation = activation

    def _alias(self):
        return "rnn"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        name = "t%d_" % self._counter
        i2h = F.FullyConnected(inputs, i2h_weight, i2h_bias, num_hidden=self._hidden_size,
                               name=name + "i2h")
        h2h = F.FullyConnected(states[0], h2h_weight, h2h_bias, num_hidden=self._hidden_size,
                               name=name + "h2h")
        output = self._get_activation(F, F.elemwise_add(i2h, h2h, name=name + "plus0"),
                                      self._activation, name=name + "out")
        return output, [output]


class LSTMCell(_GatedCell):
    """LSTM cell; gates in MXNet's order: input, forget, cell candidate, output."""

    _gates = 4

    def __init__(self, hidden_size, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", input_size=0,
                 prefix=None, params=None, activation="tanh", recurrent_activation="sigmoid"):
        super().__init__(hidden_size, i2h_weight_initializer, h2h_weight_initializer,
                         i2h_bias_initializer, h2h_bias_initializer, input_size, prefix, params)
        self._activation = activation
        self._recurrent_activation = recurrent_activation

    def state_info(self, batch_size=0):
        return [{"shape": (batch_size, self._hidden_size), "__layout__": "NC"},
                {"shape": (batch_size, self._hidden_size), "__layout__": "NC"}]

    def _alias(self):
        return "lstm"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        name = "t%d_" % self._counter
        nh = 4 * self._hidden_size
        i2h = F.FullyConnected(inputs, i2h_weight, i2h_bias, num_hidden=nh, name=name + "i2h")
        h2h = F.FullyConnected(states[0], h2h_weight, h2h_bias, num_hidden=nh, name=name + "h2h")
        gates = F.SliceChannel(F.elemwise_add(i2h, h2h, name=name + "plus0"), num_outputs=4,
                               name=name + "slice")
        act, rec = self._activation, self._recurrent_activation
        in_gate = self._get_activation(F, gates[0], rec, name=name + "i")
        forget_gate = self._get_activation(F, gates[1], rec, name=name + "f")
        candidate = self._get_activation(F, gates[2], act, name=name + "c")
        out_gate = self._get_activation(F, gates[3], rec, name=name + "o")
        next_c = F.elemwise_add(F.elemwise_mul(forget_gate, states[1], name=name + "mul0"),
                                F.elemwise_mul(in_gate, candidate, name=name + "mul1"),
                                name=name + "state")
        next_h = F.elemwise_mul(out_gate, self._get_activation(F, next_c, act,
                                                               name=name + "activation0"),
                                name=name + "out")
        return next_h, [next_h, next_c]


class GRUCell(_GatedCell):
    """GRU cell as in MXNet/cuDNN: gates reset, update, new; the reset gate multiplies
    ``W_hn h + b_hn`` (after the matrix product)."""

    _gates = 3

    def __init__(self, hidden_size, i2h_weight_initializer=None, h2h_weight_initializer=None,
                 i2h_bias_initializer="zeros", h2h_bias_initializer="zeros", input_size=0,
                 prefix=None, params=None, activation="tanh", recurrent_activation="sigmoid"):
        super().__init__(hidden_size, i2h_weight_initializer, h2h_weight_initializer,
                         i2h_bias_initializer, h2h_bias_initializer, input_size, prefix, params)
        self._activation = activation
        self._recurrent_activation = recurrent_activation

    def _alias(self):
        return "gru"

    def hybrid_forward(self, F, inputs, states, i2h_weight, h2h_weight, i2h_bias, h2h_bias):
        name = "t%d_" % self._counter
        prev_h = states[0]
        nh = 3 * self._hidden_size
        i2h = F.FullyConnected(inputs, i2h_weight, i2h_bias, num_hidden=nh, name=name + "i2h")
        h2h = F.FullyConnected(prev_h, h2h_weight, h2h_bias, num_hidden=nh, name=name + "h2h")
        i2h_r, i2h_z, i2h_n = F.SliceChannel(i2h, num_outputs=3, name=name + "i2h_slice")
        h2h_r, h2h_z, h2h_n = F.SliceChannel(h2h, num_outputs=3, name=name + "h2h_slice")
        rec = self._recurrent_activation
        reset = self._get_activation(F, F.elemwise_add(i2h_r, h2h_r, name=name + "plus0"), rec,
                                     name=name + "r_act")
        update = self._get_activation(F, F.elemwise_add(i2h_z, h2h_z, name=name + "plus1"), rec,
                                      name=name + "z_act")
        candidate = self._get_activation(
            F, F.elemwise_add(i2h_n, F.elemwise_mul(reset, h2h_n, name=name + "mul0"),
                              name=name + "plus2"), self._activation, name=name + "h_act")
        keep_new = F.elemwise_mul(F.ones_like(update) - update, candidate, name=name + "mul1")
        next_h = F.elemwise_add(keep_new, F.elemwise_mul(update, prev_h, name=name + "mul20"),
                                name=name + "out")
        return next_h, [next_h]


def _stack_state_info(cells, batch_size):
    return sum((c.state_info(batch_size) for c in cells), [])


def _stack_begin_state(cells, **kwargs):
    return sum((c.begin_state(**kwargs) for c in cells), [])


class _StackMixin:
    """``add``, stepping and unrolling shared by (Hybrid)SequentialRNNCell."""

    def add(self, cell):
        """Append ``cell`` to the stack."""
        self.register_child(cell)

    def state_info(self, batch_size=0):
        return _stack_state_info(_children_of(self), batch_size)

    def begin_state(self, **kwargs):
        if self._modified:
            raise RuntimeError("After applying modifier cells (e.g. ZoneoutCell) the base cell "
                               "cannot be called directly. Call the modifier cell instead.")
        return _stack_begin_state(_children_of(self), **kwargs)

    def __call__(self, inputs, states):
        self._counter += 1
        states = _as_list(states)
        next_states = []
        start = 0
        for cell in _children_of(self):
            if isinstance(cell, BidirectionalCell):
                raise ValueError("A BidirectionalCell cannot be stepped; use unroll()")
            n = len(cell.state_info())
            inputs, cell_states = cell(inputs, states[start:start + n])
            start += n
            next_states.extend(cell_states)
        return inputs, next_states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None,
               valid_length=None):
        self.reset()
        _check_layout(layout)
        cells = _children_of(self)
        _, _, F, batch_size = _format_sequence(length, inputs, layout, None)
        if begin_state is None:
            first = inputs if isinstance(inputs, tensor_types) else inputs[0]
            if F is ndarray:
                with first.context:
                    begin_state = self.begin_state(batch_size=batch_size, func=ndarray.zeros,
                                                   dtype=first.dtype)
        next_states = []
        start = 0
        for i, cell in enumerate(cells):
            n = len(cell.state_info())
            states = None if begin_state is None else begin_state[start:start + n]
            start += n
            inputs, states = cell.unroll(length, inputs=inputs, begin_state=states, layout=layout,
                                         merge_outputs=None if i < len(cells) - 1
                                         else merge_outputs, valid_length=valid_length)
            next_states.extend(states)
        return inputs, next_states

    def __getitem__(self, i):
        return _children_of(self)[i]

    def __len__(self):
        return len(_children_of(self))

    def __repr__(self):
        lines = ["%s(" % type(self).__name__]
        for i, cell in enumerate(_children_of(self)):
            lines.append("  (%d): %s" % (i, repr(cell).replace("\n", "\n  ")))
        return "\n".join(lines) + "\n)"


class SequentialRNNCell(_StackMixin, RecurrentCell):
    """A stack of recurrent cells: each step feeds one cell's output to the next."""

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)

    def hybrid_forward(self, *args, **kwargs):
        raise NotImplementedError


class HybridSequentialRNNCell(_StackMixin, HybridRecurrentCell):
    """A stack of hybrid recurrent cells (each child may be hybridized)."""

    def __init__(self, prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)

    def hybrid_forward(self, F, inputs, states):
        return self.__call__(inputs, states)


class DropoutCell(HybridRecurrentCell):
    """Dropout on the step input (no states); ``axes`` shares one draw along those axes."""

    def __init__(self, rate, axes=(), prefix=None, params=None):
        super().__init__(prefix=prefix, params=params)
        if not isinstance(rate, (int, float)):
            raise TypeError("DropoutCell: rate must be a number; got %r" % (rate,))
        self._rate = rate
        self._axes = axes

    def __repr__(self):
        return "DropoutCell(rate=%s, axes=%s)" % (self._rate, self._axes)

    def state_info(self, batch_size=0):
        return []

    def _alias(self):
        return "dropout"

    def hybrid_forward(self, F, inputs, states):
        if self._rate > 0:
            inputs = F.Dropout(inputs, p=self._rate, axes=self._axes,
                               name="t%d_fwd" % self._counter)
        return inputs, states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None,
               valid_length=None):
        self.reset()
        _check_layout(layout)
        inputs, _, F, _ = _format_sequence(length, inputs, layout, merge_outputs)
        if isinstance(inputs, tensor_types):
            return self.hybrid_forward(F, inputs, begin_state if begin_state else [])
        return super().unroll(length, inputs, begin_state=begin_state, layout=layout,
                              merge_outputs=merge_outputs, valid_length=None)


class ModifierCell(HybridRecurrentCell):
    """Wraps a base cell and changes what it computes; the base cell is then used only through
    the wrapper (its parameters are the wrapper's)."""

    def __init__(self, base_cell):
        if base_cell._modified:
            raise ValueError("Cell %s is already modified. One cell cannot be modified twice"
                             % base_cell.name)
        base_cell._modified = True
        super().__init__(prefix=base_cell.prefix + self._alias(), params=None)
        self.base_cell = base_cell

    @property
    def params(self):
        return self.base_cell.params

    def state_info(self, batch_size=0):
        return self.base_cell.state_info(batch_size)

    def begin_state(self, func=ndarray.zeros, **kwargs):
        if self._modified:
            raise RuntimeError("After applying modifier cells (e.g. DropoutCell) the base cell "
                               "cannot be called directly. Call the modifier cell instead.")
        self.base_cell._modified = False
        try:
            return self.base_cell.begin_state(func=func, **kwargs)
        finally:
            self.base_cell._modified = True

    def hybrid_forward(self, F, inputs, states):
        raise NotImplementedError

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, self.base_cell)


class ZoneoutCell(ModifierCell):
    """Zoneout: in training, each output and state unit keeps its previous value with
    probability ``zoneout_outputs`` / ``zoneout_states``."""

    def __init__(self, base_cell, zoneout_outputs=0., zoneout_states=0.):
        if isinstance(base_cell, BidirectionalCell):
            raise ValueError("BidirectionalCell doesn't support zoneout since it doesn't support "
                             "step. Please add ZoneoutCell to the cells underneath instead.")
        super().__init__(base_cell)
        self.zoneout_outputs = zoneout_outputs
        self.zoneout_states = zoneout_states
        self._prev_output = None

    def _alias(self):
        return "zoneout"

    def reset(self):
        super().reset()
        self._prev_output = None

    def hybrid_forward(self, F, inputs, states):
        next_output, next_states = self.base_cell(inputs, states)

        def keep_mask(p, like):
            return F.Dropout(F.ones_like(like), p=p)

        prev_output = self._prev_output
        if prev_output is None:
            prev_output = F.zeros_like(next_output)
        p_out, p_states = self.zoneout_outputs, self.zoneout_states
        output = F.where(keep_mask(p_out, next_output), next_output, prev_output) \
            if p_out != 0. else next_output
        if p_states != 0.:
            new_states = [F.where(keep_mask(p_states, new), new, old)
                          for new, old in zip(next_states, states)]
        else:
            new_states = next_states
        self._prev_output = output
        return output, new_states


class ResidualCell(ModifierCell):
    """Adds the step input to the base cell's output (Wu et al., 2016)."""

    def __init__(self, base_cell):
        super().__init__(base_cell)

    def _alias(self):
        return "residual"

    def hybrid_forward(self, F, inputs, states):
        output, states = self.base_cell(inputs, states)
        return F.elemwise_add(output, inputs, name="t%d_fwd" % self._counter), states

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None,
               valid_length=None):
        self.reset()
        self.base_cell._modified = False
        try:
            outputs, states = self.base_cell.unroll(length, inputs=inputs, begin_state=begin_state,
                                                    layout=layout, merge_outputs=merge_outputs,
                                                    valid_length=valid_length)
        finally:
            self.base_cell._modified = True
        if merge_outputs is None:
            merge_outputs = isinstance(outputs, tensor_types)
        inputs, axis, F, _ = _format_sequence(length, inputs, layout, merge_outputs)
        if valid_length is not None:
            steps = inputs if not merge_outputs else _split_steps(F, inputs, length, axis)
            steps = _mask_steps(F, steps, valid_length)
            inputs = F.stack(*steps, axis=axis) if merge_outputs else steps
        if merge_outputs:
            return F.elemwise_add(outputs, inputs), states
        return [F.elemwise_add(o, i) for o, i in zip(outputs, inputs)], states


class BidirectionalCell(HybridRecurrentCell):
    """Runs ``l_cell`` forward and ``r_cell`` backward in time and concatenates their outputs on
    the feature axis. Only ``unroll`` is available (a step needs the future)."""

    def __init__(self, l_cell, r_cell, output_prefix="bi_"):
        super().__init__(prefix="", params=None)
        self.register_child(l_cell, "l_cell")
        self.register_child(r_cell, "r_cell")
        self._output_prefix = output_prefix

    def __call__(self, inputs, states):
        raise NotImplementedError("Bidirectional cannot be stepped. Please use unroll")

    def __repr__(self):
        cells = _children_of(self)
        return "BidirectionalCell(forward=%r, backward=%r)" % (cells[0], cells[1])

    def state_info(self, batch_size=0):
        return _stack_state_info(_children_of(self), batch_size)

    def begin_state(self, **kwargs):
        if self._modified:
            raise RuntimeError("After applying modifier cells (e.g. DropoutCell) the base cell "
                               "cannot be called directly. Call the modifier cell instead.")
        return _stack_begin_state(_children_of(self), **kwargs)

    def unroll(self, length, inputs, begin_state=None, layout="NTC", merge_outputs=None,
               valid_length=None):
        self.reset()
        _check_layout(layout)
        inputs, axis, F, batch_size = _format_sequence(length, inputs, layout, False)
        reversed_inputs = _reverse_sequences(F, inputs, valid_length)
        states = _get_begin_state(self, F, begin_state, inputs, batch_size)
        l_cell, r_cell = _children_of(self)
        n_l = len(l_cell.state_info(batch_size))
        l_outputs, l_states = l_cell.unroll(length, inputs=inputs, begin_state=states[:n_l],
                                            layout=layout, merge_outputs=merge_outputs,
                                            valid_length=valid_length)
        r_outputs, r_states = r_cell.unroll(length, inputs=reversed_inputs,
                                            begin_state=states[n_l:], layout=layout,
                                            merge_outputs=False, valid_length=valid_length)
        r_outputs = _reverse_sequences(F, r_outputs, valid_length)
        if merge_outputs is None:
            merge_outputs = isinstance(l_outputs, tensor_types)
        l_outputs, _, _, _ = _format_sequence(None, l_outputs, layout, merge_outputs)
        if merge_outputs:
            r_merged = F.stack(*r_outputs, axis=axis)
            outputs = F.concat(l_outputs, r_merged, dim=2, name="%sout" % self._output_prefix)
            if valid_length is not None:
                steps = _mask_steps(F, _split_steps(F, outputs, length, axis), valid_length)
                outputs = F.stack(*steps, axis=axis)
        else:
            outputs = [F.concat(lo, ro, dim=1, name="%st%d" % (self._output_prefix, i))
                       for i, (lo, ro) in enumerate(zip(l_outputs, r_outputs))]
            if valid_length is not None:
                outputs = _mask_steps(F, outputs, valid_length)
        return outputs, l_states + r_states
