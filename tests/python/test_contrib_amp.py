"""mx.contrib.amp against MXNet 1.9.1: the graphs convert_symbol/convert_model make (casts and
their names, node for node; tools/golden/make_contrib_amp_golden.py), LossScaler's dynamics;
converted symbols and Gluon blocks compute what float32 computes within float16 tolerance; init()
with a Trainer trains and skips overflowing steps (in a subprocess, since init() rewraps mx.nd and
mx.sym for the rest of the process, as in MXNet); bfloat16 and bad lists are clear errors."""
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import minerva as mx
from minerva.contrib import amp
from minerva.contrib.amp.lists._registry import has_op

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "api" / "contrib_amp.json").read_text())
_spec = importlib.util.spec_from_file_location("make_contrib_amp_golden",
                                               ROOT / "tools" / "golden" / "make_contrib_amp_golden.py")
_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_golden)


@pytest.fixture(scope="module")
def ours():
    return json.loads(json.dumps(_golden.outcomes(mx, amp, amp.LossScaler)))


def _as_mxnet_ops(structure):
    # Without the amp_cast operator in this build the casts are Cast nodes with the same dtype.
    return [["amp_cast" if n[0] == "Cast" and not has_op("amp_cast") else n[0]] + n[1:] for n in structure]


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_matches_mxnet(ours, key):
    if key.startswith("graph_") or key == "convert_model_structure":
        assert _as_mxnet_ops(ours[key]) == GOLDEN[key]
    else:
        assert ours[key] == GOLDEN[key]


def _bind_outputs(sym, args, auxs):
    return sym.bind(mx.cpu(), args, aux_states=auxs).forward()[0]


@pytest.mark.parametrize("name", ["mlp", "convnet", "mlp_excluded", "mlp_plain_fp16_output_cast_back"])
def test_converted_symbol_computes_float32_results_in_float16(name):
    sym, kwargs = _golden.graphs(mx)[name]
    converted = amp.convert_symbol(sym, **kwargs)
    rng = np.random.RandomState(0)
    data_shape = (2, 3, 4, 4) if name == "convnet" else (3, 5)
    shapes, _, aux_shapes = sym.infer_shape(data=data_shape)
    args = {n: mx.nd.array(rng.uniform(-1, 1, s)) for n, s in zip(sym.list_arguments(), shapes)}
    if "softmax_label" in args:
        args["softmax_label"] = mx.nd.array([0, 1, 2])
    auxs = {n: mx.nd.array(rng.uniform(0.5, 1, s)) for n, s in zip(sym.list_auxiliary_states(), aux_shapes)}
    want = _bind_outputs(sym, args, auxs)
    got = _bind_outputs(converted, args, auxs)
    assert got.dtype == np.float32  # outputs are cast back
    np.testing.assert_allclose(got.asnumpy(), want.asnumpy(), rtol=2e-2, atol=2e-2)
    assert not np.array_equal(got.asnumpy(), want.asnumpy())  # float16 arithmetic did happen


def test_convert_model_keeps_float32_parameters():
    sym, _ = _golden.graphs(mx)["convnet"]
    args = {"conv_weight": mx.nd.ones((4, 3, 3, 3)), "conv_bias": mx.nd.zeros(4)}
    converted, new_args, new_auxs = amp.convert_model(sym, args, {})
    assert all(v.dtype == np.float32 for v in new_args.values()) and new_auxs == {}
    assert "data_amp_cast_float16_output" in converted.get_internals().list_outputs()


def _small_net():
    net = mx.gluon.nn.HybridSequential()
    with net.name_scope():
        net.add(mx.gluon.nn.Conv2D(4, 3, padding=1, in_channels=2), mx.gluon.nn.BatchNorm(in_channels=4),
                mx.gluon.nn.Activation("relu"), mx.gluon.nn.Flatten(), mx.gluon.nn.Dense(3, in_units=64))
    net.initialize(mx.init.Xavier())
    return net


def test_convert_hybrid_block_matches_float32():
    net = _small_net()
    net.hybridize()
    x = mx.nd.array(np.random.RandomState(1).uniform(-1, 1, (2, 2, 4, 4)))
    want = net(x).asnumpy()
    converted = amp.convert_hybrid_block(net, ctx=mx.cpu())
    assert isinstance(converted, mx.gluon.SymbolBlock)
    got = converted(x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.asnumpy(), want, rtol=2e-2, atol=2e-2)
    internals = converted._cached_graph[1].get_internals().list_outputs()
    assert any(n.endswith("_amp_cast_float16_output") for n in internals)


def test_convert_hybrid_block_needs_a_cached_graph():
    with pytest.raises(RuntimeError, match="first call block.hybridize\\(\\) and then run forward"):
        amp.convert_hybrid_block(_small_net(), ctx=mx.cpu())


def test_bfloat16_is_refused_clearly():
    sym, _ = _golden.graphs(mx)["mlp"]
    for call in (lambda: amp.convert_symbol(sym, target_dtype="bfloat16"), lambda: amp.init("bfloat16"),
                 lambda: amp.list_lp16_ops("bfloat16")):
        with pytest.raises(mx.base.MXNetError, match="Minerva has no bfloat16 dtype"):
            call()
    with pytest.raises(AssertionError, match="supports only float16"):
        amp.convert_symbol(sym, target_dtype="float64")


def test_op_lists_are_checked():
    sym, _ = _golden.graphs(mx)["mlp"]
    with pytest.raises(AssertionError, match="Common ops in target_dtype_ops and fp32_ops"):
        amp.convert_symbol(sym, target_dtype_ops=["exp"], fp32_ops=["exp"])
    with pytest.raises(AssertionError, match="ops \\['NoSuchOp'\\] are in none of them"):
        amp.convert_symbol(sym, target_dtype_ops=["NoSuchOp"])


def test_lists_come_from_the_registry():
    for name in amp.list_lp16_ops("float16") + amp.list_fp32_ops("float16") + amp.list_widest_type_cast("float16"):
        assert has_op(name)
    assert {"FullyConnected", "Convolution"} <= set(amp.list_lp16_ops("float16"))
    assert amp.list_conditional_fp32_ops("float16")[0] == ("Activation", "act_type", ["softrelu"])
    assert amp.list_lp16_use_fp32_params("float16") is None
    assert isinstance(amp.lists.symbol_bf16.BF16_FUNCS, list)


def test_init_trainer_requires_init_and_a_trainer():
    if amp.amp._amp_initialized:
        pytest.skip("amp.init() already ran in this process")
    net = _small_net()
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd")
    with pytest.raises(AssertionError, match="did you forget to call amp.init\\(\\)"):
        amp.init_trainer(trainer)
    with pytest.raises(AssertionError, match="did you forget to call amp.init_trainer\\(\\)"):
        with amp.scale_loss(mx.nd.ones(1), trainer):
            pass


_INIT_SCRIPT = textwrap.dedent("""
    import json, numpy as np
    import minerva as mx
    from minerva import autograd, gluon
    from minerva.contrib import amp
    amp.init()
    out = {}
    x = mx.nd.array(np.random.RandomState(0).uniform(-1, 1, (4, 5)))
    out["fc"] = np.dtype(mx.nd.FullyConnected(x, mx.nd.ones((3, 5)), mx.nd.zeros(3), num_hidden=3).dtype).name
    out["exp_of_fp16"] = np.dtype(mx.nd.exp(x.astype("float16")).dtype).name
    out["exp_method_of_fp16"] = np.dtype(x.astype("float16").exp().dtype).name
    out["mixed_add"] = np.dtype((x.astype("float16") + x).dtype).name
    out["softrelu"] = np.dtype(mx.nd.Activation(x.astype("float16"), act_type="softrelu").dtype).name
    out["relu"] = np.dtype(mx.nd.Activation(x.astype("float16"), act_type="relu").dtype).name
    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(8, activation="relu", in_units=5), gluon.nn.Dense(2, in_units=8))
    net.initialize(mx.init.Xavier())
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    amp.init_trainer(trainer)
    loss_fn = gluon.loss.L2Loss()
    label = mx.nd.zeros((4, 2))
    steps = []
    for factor in [1.0, 1.0, 1e30, 1.0]:
        with autograd.record():
            pred = net(x)
            loss = loss_fn(pred, label) * factor
            with amp.scale_loss(loss, trainer) as scaled:
                autograd.backward(scaled)
        before = net[0].weight.data().asnumpy().copy()
        trainer.step(4)
        changed = bool(np.abs(net[0].weight.data().asnumpy() - before).max() > 0)
        steps.append([np.dtype(pred.dtype).name, trainer._amp_loss_scaler.loss_scale, changed])
    out["steps"] = steps
    # the update equals plain float32 SGD on the unscaled gradient
    with autograd.record():
        loss = loss_fn(net(x), label)
        with amp.scale_loss(loss, trainer) as scaled:
            autograd.backward(scaled)
    amp.unscale(trainer)
    out["unscaled_scale"] = trainer._scale
    grad = net[1].weight.grad().asnumpy()
    out["grad_finite_and_small"] = bool(np.isfinite(grad).all() and np.abs(grad).max() < 100)
    print(json.dumps(out))
""")


def test_init_wraps_operators_and_trainer_skips_overflow():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "python") + os.pathsep + env.get("PYTHONPATH", "")
    res = subprocess.run([sys.executable, "-c", _INIT_SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["fc"] == "float16"            # FP16_FUNCS run in float16
    assert out["exp_of_fp16"] == "float32"   # FP32_FUNCS run in float32
    assert out["exp_method_of_fp16"] == "float32"  # fluent methods too
    assert out["mixed_add"] == "float32"     # widest type
    assert out["softrelu"] == "float32" and out["relu"] == "float16"  # conditional float32
    steps = out["steps"]
    assert [s[0] for s in steps] == ["float16"] * 4
    assert [s[2] for s in steps] == [True, True, False, True]  # the overflowing step is skipped
    assert steps[2][1] == 65536.0 and steps[3][1] == 32768.0    # and the next step's scale halves
    assert out["unscaled_scale"] == 1.0 and out["grad_finite_and_small"]


def test_convert_bucketing_module():
    def sym_gen(key):
        h = mx.sym.FullyConnected(mx.sym.var("data"), num_hidden=4, name="fc")
        return mx.sym.SoftmaxOutput(h, name="softmax"), ("data",), ("softmax_label",)

    shapes = {"data_shapes": [("data", (2, 5))], "label_shapes": [("softmax_label", (2,))], "for_training": False}
    mod = mx.mod.BucketingModule(sym_gen, default_bucket_key=5, context=mx.cpu())
    mod.bind(**shapes)
    mod.init_params()
    converted = amp.convert_bucketing_module(mod)
    converted.bind(**shapes)
    batch = mx.io.DataBatch([mx.nd.array(np.random.RandomState(0).uniform(-1, 1, (2, 5)))], [mx.nd.array([0, 1])],
                            bucket_key=5, provide_data=[mx.io.DataDesc("data", (2, 5))],
                            provide_label=[mx.io.DataDesc("softmax_label", (2,))])
    mod.forward(batch, is_train=False)
    converted.forward(batch, is_train=False)
    np.testing.assert_allclose(converted.get_outputs()[0].asnumpy(), mod.get_outputs()[0].asnumpy(), atol=1e-2)
    internals = converted._buckets[5]._symbol.get_internals().list_outputs()
    assert "fc_weight_amp_cast_float16_output" in internals
    with pytest.raises(AssertionError, match="should be instance of bucketing module"):
        amp.convert_bucketing_module(mod._buckets[5])


def test_operator_without_float16_kernel_stays_float32():
    data = mx.sym.var("data")
    rnn = mx.sym.RNN(data, mx.sym.var("p"), mx.sym.var("s"), mx.sym.var("c"), state_size=4, num_layers=1,
                     mode="lstm", name="rnn")
    out = mx.sym.FullyConnected(rnn, num_hidden=2, flatten=False, name="fc")
    probe = mx.sym.RNN(mx.sym.var("x"), mx.sym.var("y"), mx.sym.var("z"), mx.sym.var("w"), state_size=4,
                       num_layers=1, mode="lstm")
    try:
        probe.infer_type_partial(x="float16", y="float16", z="float16", w="float16")
        pytest.skip("this build's RNN takes float16")
    except mx.base.MXNetError:
        pass
    with pytest.warns(UserWarning, match="operator RNN cannot run in float16 in this build"):
        converted = amp.convert_symbol(out)
    internals = converted.get_internals().list_outputs()
    assert "data_amp_cast_float16_output" not in internals  # the RNN reads float32
    assert "fc_weight_amp_cast_float16_output" in internals  # the FullyConnected still runs in float16
    shapes = {"data": (5, 2, 3), "p": (4 * 4 * 3 + 4 * 4 * 4 + 8 * 4,), "s": (1, 2, 4), "c": (1, 2, 4)}
    rng = np.random.RandomState(0)
    args = {n: mx.nd.array(rng.uniform(-0.5, 0.5, s)) for n, s in zip(out.list_arguments(),
                                                                         out.infer_shape(**shapes)[0])}
    want = out.bind(mx.cpu(), args).forward()[0].asnumpy()
    got = converted.bind(mx.cpu(), args).forward()[0].asnumpy()
    np.testing.assert_allclose(got, want, rtol=2e-2, atol=2e-2)
