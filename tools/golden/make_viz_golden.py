"""Writes tests/golden/api/visualization.json: MXNet 1.9.1's mx.viz.print_summary tables and
the nodes and edges plot_network draws, for an MLP and a small CNN.
tests/python/test_visualization.py runs the same outcomes() with Minerva and compares.

plot_network is recorded through a stand-in ``graphviz`` module (a Digraph that lists its
node and edge calls), so the oracle needs no graphviz installed.

Run under the MXNet oracle:
    .oracle-venv/bin/python tools/golden/make_viz_golden.py
"""
import contextlib
import io
import json
import os
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "api", "visualization.json")


def mlp(mx):
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(data=net, name="fc1", num_hidden=128)
    net = mx.sym.Activation(data=net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(data=net, name="fc2", num_hidden=10, no_bias=True)
    return mx.sym.SoftmaxOutput(data=net, name="softmax")


def cnn(mx):
    data = mx.sym.Variable("data")
    c1 = mx.sym.Convolution(data, kernel=(3, 3), num_filter=8, name="conv1")
    b1 = mx.sym.BatchNorm(c1, name="bn1")
    a1 = mx.sym.Activation(b1, act_type="relu", name="relu1")
    p1 = mx.sym.Pooling(a1, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool1")
    c2 = mx.sym.Convolution(p1, kernel=(3, 3), num_filter=4, num_group=2, no_bias=True, name="conv2")
    cat = mx.sym.Concat(c2, c2, dim=1, name="cat")
    flat = mx.sym.Flatten(cat, name="flat")
    lrelu = mx.sym.LeakyReLU(flat, act_type="elu", name="elu")
    fc = mx.sym.FullyConnected(lrelu, num_hidden=10, name="fc")
    return mx.sym.SoftmaxOutput(fc, name="softmax")


class RecordingDigraph:
    """Stands in for graphviz.Digraph: remembers its arguments and every node and edge."""

    def __init__(self, name=None, format=None):  # noqa: A002  (graphviz's parameter name)
        self.calls = [["Digraph", name, format]]

    def node(self, name, label=None, **attrs):
        self.calls.append(["node", name, label, sorted(attrs.items())])

    def edge(self, tail_name, head_name, **attrs):
        self.calls.append(["edge", tail_name, head_name, sorted(attrs.items())])


def recording_graphviz():
    module = types.ModuleType("graphviz")
    module.Digraph = RecordingDigraph
    return module


def _printed(fn) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn()
    return buf.getvalue()


def outcomes(mx) -> dict:
    """Every recorded outcome, with graphviz already replaced by recording_graphviz()."""
    import numpy as np
    viz = mx.viz
    return {
        "summary_mlp": _printed(lambda: viz.print_summary(mlp(mx), shape={"data": (1, 100)})),
        "summary_cnn": _printed(lambda: viz.print_summary(cnn(mx), shape={"data": (2, 3, 10, 10)})),
        "summary_no_shape": _printed(lambda: viz.print_summary(mlp(mx))),
        "summary_narrow": _printed(lambda: viz.print_summary(cnn(mx), shape={"data": (2, 3, 10, 10)},
                                                             line_length=60, positions=[20, 35, 45, 60])),
        "plot_mlp": viz.plot_network(mlp(mx), shape={"data": (1, 100)}, dtype={"data": np.float32}).calls,
        "plot_cnn": viz.plot_network(cnn(mx), title="cnn", save_format="png", hide_weights=False,
                                     node_attrs={"shape": "oval"}).calls,
        "plot_cnn_shapes": viz.plot_network(cnn(mx), shape={"data": (2, 3, 10, 10)}).calls,
    }


def main() -> None:
    sys.modules["graphviz"] = recording_graphviz()
    import mxnet as mx
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(outcomes(mx), f, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
