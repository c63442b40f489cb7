"""Writes tests/golden/models/: small models saved by MXNet 1.9.1 plus a JSON sidecar of what MXNet computes.

Run under the MXNet oracle:
    /work/main/.oracle-venv/bin/python tools/golden/make_model_fixtures.py [out_dir]

Files:
  mlp-symbol.json, mlp-0001.params     mx.sym MLP (fc1 -> relu1 -> fc2 -> softmax), 5 SGD steps with mx.mod.Module,
                                       saved by mx.model.save_checkpoint (epoch 1). The symbol file is sym.tojson().
  cnn-symbol.json, cnn-0002.params     conv1 -> bn1 -> relu -> pool1 -> flatten -> fc -> softmax, trained a few steps
                                       so bn1's moving_mean/moving_var differ from their init (epoch 2).
  gluon_mlp-symbol.json,
  gluon_mlp-0000.params                a hybridized gluon nn.HybridSequential (Dense(8, relu), Dense(2)) exported
                                       with HybridBlock.export (epoch 0).
  legacy_mlp-symbol.json               the mlp graph hand-written in the MXNet 0.8 JSON layout ("param"/"attr" node
                                       keys, "backward_source_id", [node, index] input pairs, no version attribute);
                                       it binds with mlp-0001.params.
  expected.json                        per model: file names, argument/output/aux names, infer_shape results, a fixed
                                       input and the outputs MXNet computes from the saved files (predict mode; the
                                       mlp also its training-mode gradients; the cnn also training-mode outputs and
                                       the aux states after a training-mode forward, and after its backward).

Every output in expected.json is computed from the files as written (load_checkpoint -> bind -> forward), and the
legacy JSON is checked here by loading it with MXNet itself. Arrays are {"shape": [...], "values": [...]} with the
values flattened in row-major order; float32 values are stored as the float64 that holds them exactly.
"""
import json
import os
import sys

# Plain graphs, no oneDNN operator fusion at bind time: the fixtures hold each operator's own numbers.
os.environ.setdefault("MXNET_SUBGRAPH_BACKEND", "NONE")
# One op at a time. With the threaded engine, reading bn1's moving_mean/moving_var right after backward (which
# writes them) sometimes gave the values from before it, even after asnumpy(); the naive engine never did.
os.environ.setdefault("MXNET_ENGINE_TYPE", "NaiveEngine")

import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "golden", "models")

SEED = 42
CTX = mx.cpu()


def seed_all(seed):
    mx.random.seed(seed)
    np.random.seed(seed)


def arr(a):
    """JSON form of an NDArray or numpy array: shape and row-major values as Python floats."""
    if isinstance(a, mx.nd.NDArray):
        a = a.asnumpy()
    a = np.asarray(a)
    return {"shape": list(a.shape), "values": [float(v) for v in a.reshape(-1).tolist()]}


def arr_dict(d):
    return {k: arr(d[k]) for k in sorted(d)}


def sorted_attrs(attr_dict):
    """Symbol.attr_dict() with names and keys sorted. For a "__key__" attribute MXNet lists "key" as well."""
    return {n: dict(sorted(attr_dict[n].items())) for n in sorted(attr_dict)}


def fixed_input(rng, shape, low=-1.0, high=1.0):
    """Deterministic float32 values with short decimal forms (multiples of 1/64)."""
    v = np.round(rng.uniform(low, high, size=shape) * 64.0) / 64.0
    return v.astype(np.float32)


def fixed_labels(rng, n, classes):
    return rng.randint(0, classes, size=n).astype(np.float32)


# ---------------------------------------------------------------------------------------------------------------
# Graphs


def mlp_symbol():
    data = mx.sym.var("data")
    fc1 = mx.sym.FullyConnected(data, num_hidden=16, name="fc1")
    relu1 = mx.sym.Activation(fc1, act_type="relu", name="relu1")
    fc2 = mx.sym.FullyConnected(relu1, num_hidden=3, name="fc2")
    return mx.sym.SoftmaxOutput(fc2, label=mx.sym.var("softmax_label"), name="softmax")


def cnn_symbol():
    data = mx.sym.var("data")
    conv1 = mx.sym.Convolution(data, num_filter=4, kernel=(3, 3), pad=(1, 1), name="conv1")
    bn1 = mx.sym.BatchNorm(conv1, name="bn1")
    relu1 = mx.sym.Activation(bn1, act_type="relu", name="relu1")
    pool1 = mx.sym.Pooling(relu1, pool_type="max", kernel=(2, 2), stride=(2, 2), name="pool1")
    flat = mx.sym.Flatten(pool1, name="flatten1")
    fc = mx.sym.FullyConnected(flat, num_hidden=5, name="fc")
    return mx.sym.SoftmaxOutput(fc, label=mx.sym.var("softmax_label"), name="softmax")


def legacy_mlp_json():
    """The mlp graph as MXNet 0.8 wrote it: every node has "param" (operator parameters, all as strings),
    "backward_source_id": -1, inputs as [node, index] pairs; user attributes sit under "attr" without the
    double-underscore form; there is no "node_row_ptr" and no "attrs" with "mxnet_version"."""
    def node(op, name, inputs=(), param=None, attr=None):
        n = {"op": op, "param": dict(param or {}), "name": name, "inputs": [list(i) for i in inputs],
             "backward_source_id": -1}
        if attr:
            n["attr"] = dict(attr)
        return n

    nodes = [
        node("null", "data"),
        node("null", "fc1_weight", attr={"lr_mult": "2.0"}),
        node("null", "fc1_bias", attr={"wd_mult": "0.0"}),
        node("FullyConnected", "fc1", [(0, 0), (1, 0), (2, 0)], {"no_bias": "False", "num_hidden": "16"}),
        node("Activation", "relu1", [(3, 0)], {"act_type": "relu"}),
        node("null", "fc2_weight"),
        node("null", "fc2_bias"),
        node("FullyConnected", "fc2", [(4, 0), (5, 0), (6, 0)], {"no_bias": "False", "num_hidden": "3"}),
        node("null", "softmax_label"),
        node("SoftmaxOutput", "softmax", [(7, 0), (8, 0)],
             {"grad_scale": "1", "ignore_label": "-1", "multi_output": "False", "normalization": "null",
              "out_grad": "False", "preserve_shape": "False", "use_ignore": "False"}),
    ]
    graph = {"nodes": nodes, "arg_nodes": [0, 1, 2, 5, 6, 8], "heads": [[9, 0]]}
    return to_json(graph) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# Training and evaluation


def train_module(sym, data_shape, classes, steps, seed, lr):
    """A few SGD steps with mx.mod.Module on a deterministic random dataset; returns (arg_params, aux_params)."""
    seed_all(seed)
    rng = np.random.RandomState(seed)
    batch = data_shape[0]
    mod = mx.mod.Module(sym, data_names=["data"], label_names=["softmax_label"], context=CTX)
    mod.bind(data_shapes=[("data", data_shape)], label_shapes=[("softmax_label", (batch,))], for_training=True)
    mod.init_params(initializer=mx.init.Xavier(magnitude=2.0))
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": lr})
    for _ in range(steps):
        x = mx.nd.array(rng.uniform(-1.0, 1.0, size=data_shape).astype(np.float32))
        y = mx.nd.array(fixed_labels(rng, batch, classes))
        mod.forward_backward(mx.io.DataBatch(data=[x], label=[y]))
        mod.update()
    arg_params, aux_params = mod.get_params()
    return arg_params, aux_params


def copy_params(params):
    return {k: v.copy() for k, v in params.items()}


def bind(sym, inputs, arg_params, aux_params, grad_req="null"):
    """Binds sym with copies of the parameters and the given inputs; grad_req as in Symbol.bind."""
    args = copy_params(arg_params)
    args.update({k: mx.nd.array(v) for k, v in inputs.items()})
    missing = [n for n in sym.list_arguments() if n not in args]
    assert not missing, missing
    args_grad = None
    if grad_req != "null":
        reqs = grad_req if isinstance(grad_req, dict) else {n: grad_req for n in args}
        args_grad = {n: mx.nd.zeros(args[n].shape) for n, r in reqs.items() if r != "null"}
    return sym.bind(CTX, args=args, args_grad=args_grad, grad_req=grad_req, aux_states=copy_params(aux_params))


def params_file_names(path):
    return sorted(mx.nd.load(path).keys())


def shape_info(sym, input_shapes):
    arg_shapes, out_shapes, aux_shapes = sym.infer_shape(**input_shapes)
    return {
        "arg_shapes": [list(s) for s in arg_shapes],
        "out_shapes": [list(s) for s in out_shapes],
        "aux_shapes": [list(s) for s in aux_shapes],
    }


def describe_model(sym, files, input_shapes):
    return {
        "files": files,
        "list_arguments": sym.list_arguments(),
        "list_outputs": sym.list_outputs(),
        "list_auxiliary_states": sym.list_auxiliary_states(),
        "input_shapes": {k: list(v) for k, v in input_shapes.items()},
        "infer_shape": shape_info(sym, input_shapes),
    }


def check_symbol_file(path, sym):
    """save_checkpoint writes sym.tojson() as the symbol file, byte for byte."""
    with open(path) as f:
        text = f.read()
    assert text == sym.tojson(), path
    return text


# ---------------------------------------------------------------------------------------------------------------
# Models


def make_mlp():
    prefix, epoch = "mlp", 1
    sym = mlp_symbol()
    arg_params, aux_params = train_module(sym, (4, 12), classes=3, steps=5, seed=SEED, lr=0.1)
    mx.model.save_checkpoint(os.path.join(OUT, prefix), epoch, sym, arg_params, aux_params)
    files = {"symbol": "mlp-symbol.json", "params": "mlp-0001.params"}
    check_symbol_file(os.path.join(OUT, files["symbol"]), sym)

    sym, arg_params, aux_params = mx.model.load_checkpoint(os.path.join(OUT, prefix), epoch)
    rng = np.random.RandomState(SEED + 1)
    x = fixed_input(rng, (4, 12))
    label = np.array([0, 2, 1, 2], dtype=np.float32)
    input_shapes = {"data": (4, 12), "softmax_label": (4,)}
    e = describe_model(sym, files, input_shapes)
    e["epoch"] = epoch
    e["param_file_names"] = params_file_names(os.path.join(OUT, files["params"]))
    e["arg_params"] = arr_dict(arg_params)
    e["aux_params"] = arr_dict(aux_params)
    e["inputs"] = {"data": arr(x), "softmax_label": arr(label)}

    exe = bind(sym, {"data": x, "softmax_label": label}, arg_params, aux_params)
    exe.forward(is_train=False)
    e["predict_outputs"] = [arr(o) for o in exe.outputs]

    # Gradients: 'write' on every parameter, 'null' on data and label (as the spec of the fixture asks).
    reqs = {n: ("null" if n in ("data", "softmax_label") else "write") for n in sym.list_arguments()}
    exe = bind(sym, {"data": x, "softmax_label": label}, arg_params, aux_params, grad_req=reqs)
    exe.forward(is_train=True)
    train_out = [o.copy() for o in exe.outputs]
    exe.backward()
    e["train"] = {
        "grad_req": reqs,
        "outputs": [arr(o) for o in train_out],
        "arg_grads": {n: arr(exe.grad_dict[n]) for n in sorted(exe.grad_dict) if reqs[n] == "write"},
    }
    # The same with 'write' on data as well: the gradient that reaches the input.
    reqs_data = dict(reqs, data="write")
    exe = bind(sym, {"data": x, "softmax_label": label}, arg_params, aux_params, grad_req=reqs_data)
    exe.forward(is_train=True)
    exe.backward()
    for n, g in e["train"]["arg_grads"].items():
        assert np.array_equal(exe.grad_dict[n].asnumpy().reshape(-1), np.array(g["values"], dtype=np.float32)), n
    e["train"]["data_grad"] = arr(exe.grad_dict["data"])

    # SoftmaxOutput's gradient (normalization 'null', grad_scale 1) is softmax(x) - onehot(label), unscaled.
    p = train_out[0].asnumpy()
    onehot = np.eye(3, dtype=np.float32)[label.astype(int)]
    fc2_out = p - onehot
    assert np.allclose(np.array(e["train"]["arg_grads"]["fc2_bias"]["values"]), fc2_out.sum(axis=0), atol=1e-6)
    return e, sym, arg_params, aux_params, x, label


def make_cnn():
    prefix, epoch = "cnn", 2
    sym = cnn_symbol()
    arg_params, aux_params = train_module(sym, (2, 1, 8, 8), classes=5, steps=4, seed=SEED + 10, lr=0.05)
    assert not np.allclose(aux_params["bn1_moving_mean"].asnumpy(), 0.0)
    assert not np.allclose(aux_params["bn1_moving_var"].asnumpy(), 1.0)
    mx.model.save_checkpoint(os.path.join(OUT, prefix), epoch, sym, arg_params, aux_params)
    files = {"symbol": "cnn-symbol.json", "params": "cnn-0002.params"}
    check_symbol_file(os.path.join(OUT, files["symbol"]), sym)

    sym, arg_params, aux_params = mx.model.load_checkpoint(os.path.join(OUT, prefix), epoch)
    rng = np.random.RandomState(SEED + 11)
    x = fixed_input(rng, (2, 1, 8, 8))
    label = np.array([3, 1], dtype=np.float32)
    input_shapes = {"data": (2, 1, 8, 8), "softmax_label": (2,)}
    e = describe_model(sym, files, input_shapes)
    e["epoch"] = epoch
    e["param_file_names"] = params_file_names(os.path.join(OUT, files["params"]))
    e["arg_params"] = arr_dict(arg_params)
    e["aux_params"] = arr_dict(aux_params)
    e["inputs"] = {"data": arr(x), "softmax_label": arr(label)}
    # What the saved JSON says about bn1 (nothing: defaults are not written); MXNet's defaults then apply.
    e["bn1_attrs"] = sym.attr_dict().get("bn1", {})
    e["bn1_defaults"] = {"eps": 0.001, "momentum": 0.9, "fix_gamma": True, "use_global_stats": False}

    exe = bind(sym, {"data": x, "softmax_label": label}, arg_params, aux_params)
    exe.forward(is_train=False)
    e["predict_outputs"] = [arr(o) for o in exe.outputs]
    assert np.allclose(exe.aux_dict["bn1_moving_mean"].asnumpy(), aux_params["bn1_moving_mean"].asnumpy())

    # Training mode: bn1 normalizes with the batch statistics. MXNet 1.9.1 leaves the moving statistics alone in
    # forward and folds the batch statistics into them in backward (momentum 0.9).
    reqs = {n: ("null" if n in ("data", "softmax_label") else "write") for n in sym.list_arguments()}
    exe = bind(sym, {"data": x, "softmax_label": label}, arg_params, aux_params, grad_req=reqs)
    exe.forward(is_train=True)
    mx.nd.waitall()
    e["train_outputs"] = [arr(o) for o in exe.outputs]
    aux_fwd = {k: v.copy() for k, v in exe.aux_dict.items()}
    for k, v in aux_fwd.items():
        assert np.array_equal(v.asnumpy(), aux_params[k].asnumpy()), k
    e["aux_after_train_forward"] = arr_dict(aux_fwd)
    exe.backward()
    mx.nd.waitall()
    aux_after = {k: v.copy() for k, v in exe.aux_dict.items()}
    e["train_grad_req"] = reqs
    e["aux_after_train_forward_backward"] = arr_dict(aux_after)
    e["train_arg_grads"] = {n: arr(exe.grad_dict[n]) for n in sorted(exe.grad_dict) if reqs[n] == "write"}

    # Check the moving-average rule against the batch statistics of conv1's output, and record which variance
    # (biased, divided by N, or unbiased, N - 1) MXNet folds into moving_var.
    internals = sym.get_internals()
    conv_out = internals["conv1_output"]
    cexe = bind(conv_out, {"data": x}, {k: v for k, v in arg_params.items() if k.startswith("conv1")}, {})
    cexe.forward(is_train=False)
    c = cexe.outputs[0].asnumpy().astype(np.float64)
    mean = c.mean(axis=(0, 2, 3))
    n = c.shape[0] * c.shape[2] * c.shape[3]
    var_biased = c.var(axis=(0, 2, 3))
    var_unbiased = var_biased * n / (n - 1)
    old_mean = aux_params["bn1_moving_mean"].asnumpy().astype(np.float64)
    old_var = aux_params["bn1_moving_var"].asnumpy().astype(np.float64)
    got_mean = aux_after["bn1_moving_mean"].asnumpy()
    got_var = aux_after["bn1_moving_var"].asnumpy()
    assert np.allclose(got_mean, 0.9 * old_mean + 0.1 * mean, rtol=1e-5, atol=1e-6)
    if np.allclose(got_var, 0.9 * old_var + 0.1 * var_biased, rtol=1e-5, atol=1e-6):
        rule = "biased"
    elif np.allclose(got_var, 0.9 * old_var + 0.1 * var_unbiased, rtol=1e-5, atol=1e-6):
        rule = "unbiased"
    else:
        raise AssertionError("moving_var follows neither the biased nor the unbiased batch variance")
    e["bn1_moving_stats_rule"] = {"updated_in": "backward", "momentum": 0.9, "batch_variance": rule}
    return e


def make_gluon():
    from mxnet.gluon import nn

    seed_all(SEED + 20)
    net = nn.HybridSequential(prefix="gmlp_")
    with net.name_scope():
        net.add(nn.Dense(8, activation="relu"))
        net.add(nn.Dense(2))
    net.initialize(mx.init.Xavier(magnitude=2.0), ctx=CTX)
    net.hybridize()
    rng = np.random.RandomState(SEED + 21)
    x = fixed_input(rng, (3, 5))
    direct = net(mx.nd.array(x)).asnumpy()
    net.export(os.path.join(OUT, "gluon_mlp"), epoch=0)
    files = {"symbol": "gluon_mlp-symbol.json", "params": "gluon_mlp-0000.params"}

    sym, arg_params, aux_params = mx.model.load_checkpoint(os.path.join(OUT, "gluon_mlp"), 0)
    input_shapes = {"data": (3, 5)}
    e = describe_model(sym, files, input_shapes)
    e["epoch"] = 0
    e["param_file_names"] = params_file_names(os.path.join(OUT, files["params"]))
    e["arg_params"] = arr_dict(arg_params)
    e["aux_params"] = arr_dict(aux_params)
    e["inputs"] = {"data": arr(x)}
    e["variable_attrs"] = sorted_attrs({n: a for n, a in sym.attr_dict().items() if n in sym.list_arguments()})

    exe = bind(sym, {"data": x}, arg_params, aux_params)
    exe.forward(is_train=False)
    out = exe.outputs[0].asnumpy()
    assert np.allclose(out, direct, rtol=1e-6, atol=1e-7)
    e["predict_outputs"] = [arr(out)]

    # The gluon way back in gives the same numbers.
    block = nn.SymbolBlock.imports(os.path.join(OUT, files["symbol"]), ["data"], os.path.join(OUT, files["params"]))
    assert np.allclose(block(mx.nd.array(x)).asnumpy(), out, rtol=1e-6, atol=1e-7)
    return e


def make_legacy(mlp_sym, arg_params, aux_params, x, label):
    name = "legacy_mlp-symbol.json"
    path = os.path.join(OUT, name)
    text = legacy_mlp_json()
    with open(path, "w") as f:
        f.write(text)
    e = {"files": {"symbol": name, "params": "mlp-0001.params"}, "format": "MXNet 0.8 (param/attr/backward_source_id)"}
    try:
        sym = mx.sym.load(path)
    except mx.base.MXNetError as err:
        os.remove(path)
        return {"loaded": False, "error": str(err).splitlines()[0]}
    e["loaded"] = True
    e["list_arguments"] = sym.list_arguments()
    e["list_outputs"] = sym.list_outputs()
    e["list_auxiliary_states"] = sym.list_auxiliary_states()
    assert e["list_arguments"] == mlp_sym.list_arguments()
    assert e["list_outputs"] == mlp_sym.list_outputs()
    e["attr_dict"] = sorted_attrs(sym.attr_dict())
    e["upgraded_json"] = json.loads(sym.tojson())

    inputs = {"data": x, "softmax_label": label}
    outs = []
    for s in (sym, mlp_sym):
        exe = bind(s, inputs, arg_params, aux_params)
        exe.forward(is_train=False)
        outs.append(exe.outputs[0].asnumpy())
    assert np.array_equal(outs[0], outs[1])
    e["same_outputs_as"] = "mlp"
    e["inputs"] = {"data": arr(x), "softmax_label": arr(label)}
    e["predict_outputs"] = [arr(outs[0])]
    return e


# ---------------------------------------------------------------------------------------------------------------
# Writing


def is_flat(v):
    return isinstance(v, list) and all(not isinstance(i, (dict, list)) or is_flat(i) for i in v)


def to_json(v, indent=0):
    """Indented JSON where lists of numbers and strings (and lists of such lists) stay on one line."""
    pad = "  " * (indent + 1)
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = [f"{pad}{json.dumps(k)}: {to_json(v[k], indent + 1)}" for k in v]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(v, list) and not is_flat(v):
        items = [pad + to_json(i, indent + 1) for i in v]
        return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
    return json.dumps(v)


def main():
    os.makedirs(OUT, exist_ok=True)
    mlp, mlp_sym, mlp_args, mlp_aux, x, label = make_mlp()
    cnn = make_cnn()
    gluon = make_gluon()
    legacy = make_legacy(mlp_sym, mlp_args, mlp_aux, x, label)
    expected = {
        "mxnet_version": mx.__version__,
        "models": {"mlp": mlp, "cnn": cnn, "gluon_mlp": gluon, "legacy_mlp": legacy},
    }
    text = to_json(expected) + "\n"
    assert json.loads(text) == json.loads(json.dumps(expected))
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        f.write(text)
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    assert total < 512 * 1024, total
    print(f"wrote {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
