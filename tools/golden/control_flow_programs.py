"""Symbolic control-flow programs (mx.sym.contrib.foreach / while_loop / cond) written once
against the MXNet 1.x API, so the same code builds them under MXNet 1.9.1 (the oracle, in
make_control_flow_golden.py) and under Minerva (tests/python/test_control_flow_symbolic.py).

Each program is build(mx) -> (symbol, {input name: shape}, rows): rows maps an output index to
the number of leading rows that are specified (while_loop pads its outputs to max_iterations
with values MXNet leaves unspecified); other outputs are compared whole.
"""


def foreach_rnn(mx):
    """An RNN cell over 4 steps: h = tanh(FC(x) + h W); outputs every h and the last one."""
    data, h0 = mx.sym.var("data"), mx.sym.var("h0")
    wx, bx, wh = mx.sym.var("wx"), mx.sym.var("bx"), mx.sym.var("wh")

    def step(x, states):
        h = mx.sym.tanh(mx.sym.FullyConnected(x, weight=wx, bias=bx, num_hidden=3)
                        + mx.sym.dot(states[0], wh))
        return h, [h]

    outs, states = mx.sym.contrib.foreach(step, data, [h0])
    return mx.sym.Group([outs, states[0]]), {"data": (4, 2, 5), "h0": (2, 3), "wx": (3, 5), "bx": (3,),
                                             "wh": (3, 3)}, {}


def foreach_two_data_two_states(mx):
    """Two data arrays sliced together, two states, a nested list of outputs, a value computed
    outside the loop (cut into an input of the node)."""
    a, b, s0, s1, w = (mx.sym.var(n) for n in ("a", "b", "s0", "s1", "w"))
    scale = mx.sym.exp(w) * 0.5  # computed outside the body

    def step(xs, states):
        x, y = xs
        u = x * states[0] + y * scale
        v = states[1] + mx.sym.sin(y)
        return [u, [u * v]], [u, v]

    outs, states = mx.sym.contrib.foreach(step, [a, b], [s0, s1])
    return (mx.sym.Group([outs[0], outs[1][0], states[0], states[1]]),
            {"a": (3, 4), "b": (3, 4), "s0": (4,), "s1": (4,), "w": (4,)}, {})


def while_loop_counter(mx):
    """while i < 3 (at most 5 steps): out = x * w, (i + 1, x * w + 1); three steps run."""
    i, x, w = mx.sym.var("i"), mx.sym.var("x"), mx.sym.var("w")
    outs, final = mx.sym.contrib.while_loop(
        cond=lambda i, x: i < 3,
        func=lambda i, x: ([x * w], [i + 1, mx.sym.tanh(x * w + 1)]),
        loop_vars=[i, x], max_iterations=5)
    return mx.sym.Group([outs[0], final[0], final[1]]), {"i": (1,), "x": (2, 3), "w": (2, 3)}, {0: 3}


def cond_branches(mx):
    """cond(sum(p) > 0, a * b + c, a - exp(b)): a is read by both branches, c only by one."""
    p, a, b, c = (mx.sym.var(n) for n in ("p", "a", "b", "c"))
    out = mx.sym.contrib.cond(mx.sym.sum(p) > 0, lambda: a * b + c, lambda: a - mx.sym.exp(b))
    return out, {"p": (2,), "a": (2, 3), "b": (2, 3), "c": (2, 3)}, {}


def foreach_nested(mx):
    """A foreach in a foreach body: the inner loop runs a cumulative product along each row."""
    data, s, w = mx.sym.var("data"), mx.sym.var("s"), mx.sym.var("w")

    def outer(row, states):
        inner_outs, inner_states = mx.sym.contrib.foreach(
            lambda x, st: (x * st[0] + w, [x * st[0] + w]), row, [states[0]])
        return inner_outs, [inner_states[0] * 0.5]

    outs, states = mx.sym.contrib.foreach(outer, data, [s])
    return mx.sym.Group([outs, states[0]]), {"data": (3, 4, 2), "s": (2,), "w": (2,)}, {}


def foreach_passthrough(mx):
    """A body that returns its input slice, a value computed outside the loop, and its state
    unchanged: each goes through identity inside the subgraph, as MXNet builds it."""
    d, s, w = mx.sym.var("d"), mx.sym.var("s"), mx.sym.var("w")
    outside = w * 3
    outs, states = mx.sym.contrib.foreach(lambda x, st: ([x, outside], [st[0]]), d, [s])
    return mx.sym.Group([outs[0], outs[1], states[0]]), {"d": (3, 2), "s": (2,), "w": (2,)}, {}


PROGRAMS = {f.__name__: f for f in (foreach_rnn, foreach_passthrough, foreach_two_data_two_states,
                                     while_loop_counter, cond_branches, foreach_nested)}
# Values for cond's predicate input p: one program run per branch.
PREDICATE_VALUES = {"then": [0.5, 0.25], "else": [-0.5, 0.25]}
