"""mx.viz against MXNet 1.9.1: print_summary's table (layout, output shapes, parameter counts,
previous layers) and plot_network's nodes and edges for an MLP and a small CNN must equal what
tools/golden/make_viz_golden.py recorded under the oracle."""
import importlib.util
import json
import pathlib
import sys

import minerva as mx
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "api" / "visualization.json").read_text())
_spec = importlib.util.spec_from_file_location("make_viz_golden", ROOT / "tools" / "golden" / "make_viz_golden.py")
_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_golden)


@pytest.fixture(scope="module")
def ours():
    saved = sys.modules.get("graphviz")
    sys.modules["graphviz"] = _golden.recording_graphviz()
    try:
        return json.loads(json.dumps(_golden.outcomes(mx)))
    finally:
        if saved is None:
            del sys.modules["graphviz"]
        else:
            sys.modules["graphviz"] = saved


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_matches_mxnet(ours, key):
    assert ours[key] == GOLDEN[key]


def test_total_params_are_the_real_parameter_counts():
    sym = _golden.cnn(mx)
    arg_shapes, _, _ = sym.infer_shape(data=(2, 3, 10, 10))
    # Every learnable argument (BatchNorm's gamma and beta included), none of the data or labels.
    counted = sum(int(np.prod(s)) for n, s in zip(sym.list_arguments(), arg_shapes)
                  if n not in ("data", "softmax_label"))
    assert f"Total params: {counted}\n" in GOLDEN["summary_cnn"]


def test_print_summary_rejects_non_symbols():
    with pytest.raises(TypeError, match="symbol must be Symbol"):
        mx.viz.print_summary(mx.nd.ones((2,)))


def test_plot_network_returns_a_graphviz_digraph():
    graphviz = pytest.importorskip("graphviz")
    dot = mx.viz.plot_network(_golden.mlp(mx), shape={"data": (1, 100)})
    assert isinstance(dot, graphviz.Digraph)
    assert 'fc1 [label="FullyConnected\n128"' in dot.source
    assert 'fc1 -> data [label=100 arrowtail=open dir=back]' in dot.source


def test_plot_network_without_graphviz_names_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError, match="'graphviz' Python package"):
        mx.viz.plot_network(_golden.mlp(mx))
