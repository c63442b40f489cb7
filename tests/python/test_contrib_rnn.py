"""gluon.contrib.rnn against MXNet 1.9.1: convolutional cells, LSTMPCell, VariationalDropoutCell
and dynamic_unroll give on fixed parameters what tools/golden/make_contrib_rnn_golden.py recorded
under the oracle (outputs, states, gradients, parameter names and shapes, reprs); dropout masks
are shared over time; bad settings are clear errors."""
import importlib.util
import json
import pathlib

import numpy as np
import pytest

import minerva as mx

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "api" / "contrib_rnn.json").read_text())
_spec = importlib.util.spec_from_file_location("make_contrib_rnn_golden",
                                               ROOT / "tools" / "golden" / "make_contrib_rnn_golden.py")
_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_golden)
crnn = mx.gluon.contrib.rnn


@pytest.fixture(scope="module")
def ours():
    return json.loads(json.dumps(_golden.outcomes(mx)))


def _close(got, want, path=""):
    if isinstance(want, str):
        assert got == want, path
    elif isinstance(want, dict):
        assert sorted(got) == sorted(want), path
        for k in want:
            _close(got[k], want[k], path + "/" + k)
    elif want and isinstance(want, list) and isinstance(want[0], str):
        assert got == want, path
    else:
        try:
            want_array = np.array(want, dtype=np.float64)
        except ValueError:  # a ragged [outputs, states] pair: compare part by part
            assert len(got) == len(want), path
            for i, (g, w) in enumerate(zip(got, want)):
                _close(g, w, "%s[%d]" % (path, i))
            return
        np.testing.assert_allclose(np.array(got, dtype=np.float64), want_array, rtol=1e-4, atol=1e-5,
                                   err_msg=path)


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_matches_mxnet(ours, key):
    want, got = GOLDEN[key], ours[key]
    if isinstance(want, dict) and "params" in want:
        assert got["params"] == want["params"]
        assert got["repr"] == want["repr"]
        want = {k: v for k, v in want.items() if k not in ("params", "repr")}
        got = {k: v for k, v in got.items() if k not in ("params", "repr")}
    _close(got, want, key)


def test_deferred_input_size_of_lstmp():
    cell = crnn.LSTMPCell(6, 3)
    cell.initialize()
    out, states = cell(mx.nd.ones((2, 5)), cell.begin_state(2))
    assert cell.i2h_weight.shape == (24, 5)
    assert out.shape == (2, 3) and [s.shape for s in states] == [(2, 3), (2, 6)]


def test_variational_masks_are_shared_over_time():
    base = mx.gluon.rnn.RNNCell(50, input_size=4)
    cell = crnn.VariationalDropoutCell(base, drop_outputs=0.5, drop_states=0.5)
    cell.initialize()
    x = mx.nd.ones((3, 6, 4))
    with mx.autograd.record():
        outputs, _ = cell.unroll(6, x, layout="NTC", merge_outputs=True)
    dropped = outputs.asnumpy() == 0
    assert 0.2 < dropped.mean() < 0.8
    assert (dropped == dropped[:, :1, :]).all()  # the same units are off at every step
    with mx.autograd.record():
        again, _ = cell.unroll(6, x, layout="NTC", merge_outputs=True)
    assert ((again.asnumpy() == 0) != dropped).any()  # unroll() resets: a new mask per sequence


def test_variational_state_dropout_refuses_bidirectional():
    bi = mx.gluon.rnn.BidirectionalCell(mx.gluon.rnn.RNNCell(2), mx.gluon.rnn.RNNCell(2))
    with pytest.raises(AssertionError, match="BidirectionalCell doesn't support variational state dropout"):
        crnn.VariationalDropoutCell(bi, drop_states=0.5)


def test_conv_cell_settings_are_checked():
    with pytest.raises(AssertionError, match="Only support odd number"):
        crnn.Conv2DRNNCell((3, 5, 5), 4, 3, 2)
    with pytest.raises(AssertionError, match="For 2D convolution.*i2h_pad is \\(1, 1, 1\\)"):
        crnn.Conv2DRNNCell((3, 5, 5), 4, 3, 3, i2h_pad=(1, 1, 1))
    with pytest.raises(ValueError, match="conv_layout must be one of \\('NCW', 'NWC'\\); got 'NCHW'"):
        crnn.Conv1DGRUCell((3, 5), 4, 3, 3, conv_layout="NCHW")
    with pytest.raises(ValueError, match="hidden_channels must be a positive integer; got 0"):
        crnn.Conv2DLSTMCell((3, 5, 5), 0, 3, 3)
    with pytest.raises(ValueError, match="input_shape is the per-sample step shape"):
        crnn.Conv3DLSTMCell((3, 5, 5), 4, 3, 3)


def test_conv_cell_signatures_are_mxnets():
    import inspect
    sig = inspect.signature(crnn.Conv3DLSTMCell)
    assert list(sig.parameters)[:4] == ["input_shape", "hidden_channels", "i2h_kernel", "h2h_kernel"]
    assert sig.parameters["i2h_pad"].default == (0, 0, 0)
    assert sig.parameters["conv_layout"].default == "NCDHW"
    assert crnn.Conv1DRNNCell((2, 4), 3, 3, 3).prefix.startswith("conv_rnn")


def test_dynamic_unroll_on_symbols_is_explained_if_unavailable():
    cell = mx.gluon.rnn.RNNCell(3, input_size=2)
    data = mx.sym.var("data")
    if hasattr(mx.sym.contrib, "foreach"):
        pytest.skip("this build has sym.contrib.foreach")
    with pytest.raises(NotImplementedError, match="symbol.contrib.foreach is not available"):
        crnn.rnn_cell.dynamic_unroll(cell, data, [mx.sym.zeros((1, 3))])


def test_channel_last_layout_is_a_clear_error_on_cpu():
    # Parameters take the channel-last shapes; the CPU Convolution (as MXNet 1.9.1's) computes NCHW only.
    cell = crnn.Conv2DGRUCell((5, 5, 3), 4, 3, 3, i2h_pad=1, conv_layout="NHWC")
    assert cell.i2h_weight.shape == (12, 3, 3, 3) and cell.h2h_weight.shape == (12, 3, 3, 4)
    cell.initialize()
    with pytest.raises(mx.base.MXNetError, match="layout NHWC is not supported on CPU"):
        cell.unroll(2, mx.nd.ones((2, 2, 5, 5, 3)), merge_outputs=True)
