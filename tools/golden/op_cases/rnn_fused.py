"""Golden cases of the fused RNN operator: every mode, one and two layers, uni- and bidirectional,
with and without state outputs; gradients of data, parameters and states (dropout p=0).
``u`` and ``rng`` come from make_op_golden.py."""

u = globals()["u"]  # injected by make_op_golden.py before the module runs

_GATES = {"rnn_relu": 1, "rnn_tanh": 1, "lstm": 4, "gru": 3}


def _param_count(mode, input_size, hidden, layers, directions):
    gh = _GATES[mode] * hidden
    return sum(directions * gh * ((input_size if layer == 0 else directions * hidden) + hidden + 2)
               for layer in range(layers))


def _case(mode, steps, batch, input_size, hidden, layers, bidirectional, state_outputs):
    directions = 2 if bidirectional else 1
    state = (layers * directions, batch, hidden)
    inputs = [u(steps, batch, input_size), u(_param_count(mode, input_size, hidden, layers, directions),
                                             lo=-0.5, hi=0.5), u(*state)]
    if mode == "lstm":
        inputs.append(u(*state))
    params = {"mode": mode, "state_size": hidden, "num_layers": layers, "bidirectional": bidirectional,
              "state_outputs": state_outputs}
    return ("RNN", inputs, params, list(range(len(inputs))))


CASES = [
    _case(mode, 4, 3, 5, 3, layers, bidirectional, state_outputs)
    for mode in ("rnn_relu", "rnn_tanh", "lstm", "gru")
    for layers, bidirectional, state_outputs in ((1, False, False), (1, True, True), (2, False, True),
                                                 (2, True, False), (2, True, True))
]
