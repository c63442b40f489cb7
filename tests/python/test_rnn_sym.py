"""mx.rnn against MXNet 1.9.1: unrolled RNN/LSTM/GRU cells, stacks, bidirectional, residual,
zoneout and dropout cells and unfused FusedRNNCells give MXNet's argument names, shapes,
outputs and gradients from the same parameters; unpack/pack_weights, BucketSentenceIter,
encode_sentences and the RNN checkpoints give MXNet's arrays (fixtures:
tools/golden/make_rnn_sym_golden.py). Plus what Minerva adds or refuses."""
import importlib.util
import pathlib
import warnings

import minerva as mx
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("rnn_sym_scenarios",
                                               ROOT / "tools" / "golden" / "rnn_sym_scenarios.py")
scenarios = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenarios)


@pytest.mark.parametrize("name", sorted(scenarios.SCENARIOS))
def test_matches_mxnet(name, tmp_path, capsys):
    want = dict(np.load(ROOT / "tests" / "golden" / "rnn_sym" / f"{name}.npz"))
    got = scenarios.run(mx, name, str(tmp_path))
    assert sorted(got) == sorted(want)
    for key in sorted(want):
        g, w = np.asarray(got[key]), want[key]
        if w.dtype.kind in "US":
            assert g.tolist() == w.tolist(), key
        else:
            assert g.shape == w.shape, key
            np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5, err_msg=key)


def test_cell_errors():
    with pytest.raises(ValueError, match="mode must be"):
        mx.rnn.FusedRNNCell(4, mode="lstmx")
    with pytest.raises(TypeError, match="dropout probability must be a number"):
        mx.rnn.DropoutCell("0.5")
    with pytest.raises(TypeError, match="FusedRNNCell doesn't support zoneout"):
        mx.rnn.ZoneoutCell(mx.rnn.FusedRNNCell(4))
    base = mx.rnn.LSTMCell(3)
    mx.rnn.ResidualCell(base)
    with pytest.raises(RuntimeError, match="Call the modifier cell instead"):
        base.begin_state()
    with pytest.raises(NotImplementedError, match="cannot be stepped"):
        mx.rnn.BidirectionalCell(mx.rnn.RNNCell(2, prefix="a_"), mx.rnn.RNNCell(2, prefix="b_"))(None, [])
    with pytest.raises(ValueError, match="deprecated"):
        mx.rnn.RNNCell(2).unroll(3, None)
    with pytest.raises(ValueError, match="Invalid layout"):
        mx.rnn.BucketSentenceIter([[1, 2]], batch_size=1, layout="NC")
    with pytest.raises(ValueError, match="Unknown token zebra"):
        mx.rnn.encode_sentences([["zebra"]], vocab={"the": 0})


def test_bucketing_module_trains_an_lstm_language_model():
    """The lstm_bucketing example's shape: BucketSentenceIter + BucketingModule over an
    unrolled LSTM stack."""
    np.random.seed(0)
    rng = np.random.RandomState(0)
    # Counting sentences (each word is the previous one plus one, modulo 5): learnable.
    sentences = [[(start + k) % 5 + 1 for k in range(rng.randint(3, 7))] for start in rng.randint(0, 5, 60)]
    train = mx.rnn.BucketSentenceIter(sentences, batch_size=4, buckets=[4, 6], invalid_label=0)
    stack = mx.rnn.SequentialRNNCell()
    stack.add(mx.rnn.LSTMCell(8, prefix="lstm_l0_"))

    def sym_gen(seq_len):
        data, label = mx.sym.Variable("data"), mx.sym.Variable("softmax_label")
        embed = mx.sym.Embedding(data=data, input_dim=6, output_dim=5, name="embed")
        stack.reset()
        outputs, _ = stack.unroll(seq_len, inputs=embed, merge_outputs=True)
        pred = mx.sym.FullyConnected(mx.sym.Reshape(outputs, shape=(-1, 8)), num_hidden=6, name="pred")
        out = mx.sym.SoftmaxOutput(pred, mx.sym.Reshape(label, shape=(-1,)), name="softmax")
        return out, ("data",), ("softmax_label",)

    mod = mx.mod.BucketingModule(sym_gen, default_bucket_key=train.default_bucket_key)
    metric = mx.metric.Perplexity(0)
    mod.fit(train, num_epoch=10, eval_metric=metric, optimizer="adam", optimizer_params={"learning_rate": 0.05},
            initializer=mx.init.Xavier())
    assert sorted(mod._buckets) == [4, 6]
    score = dict(mod.score(train, mx.metric.Perplexity(0)))["perplexity"]
    assert score < 2.0  # five equally likely words would give 5


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh"])
@pytest.mark.parametrize("layout", ["NTC", "TNC"])
def test_fused_cell_unrolls_through_the_rnn_operator_and_equals_its_unfused_stack(mode, layout):
    cell = mx.rnn.FusedRNNCell(8, num_layers=2, mode=mode, bidirectional=True, prefix="l_")
    x = mx.sym.var("data")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MXNet's advice to prefer TNC
        out, _ = cell.unroll(5, x, layout=layout, merge_outputs=True)
    shape = (2, 5, 4) if layout == "NTC" else (5, 2, 4)
    exe = out.simple_bind(mx.cpu(), data=shape)  # the default begin states need no shapes
    rng = np.random.RandomState(3)
    for name, arr in exe.arg_dict.items():
        arr[:] = rng.uniform(-1 if name == "data" else -0.1, 1 if name == "data" else 0.1, arr.shape)
    fused = exe.forward()[0].asnumpy()
    assert fused.shape == ((2, 5, 16) if layout == "NTC" else (5, 2, 16))
    stack = cell.unfuse()
    out2, _ = stack.unroll(5, x, layout=layout, merge_outputs=True)
    weights = stack.pack_weights(cell.unpack_weights({k: v for k, v in exe.arg_dict.items() if k != "data"}))
    args = {k: v for k, v in dict(weights, data=exe.arg_dict["data"]).items() if k in out2.list_arguments()}
    np.testing.assert_allclose(out2.bind(mx.cpu(), args).forward()[0].asnumpy(), fused, atol=1e-6)
