"""Writes tests/golden/gluon/: Gluon layers and losses as MXNet 1.9.1 computes them.

Run under the MXNet oracle:
    /work/main/.oracle-venv/bin/python tools/golden/make_gluon_golden.py [out_dir]

Files:
  layers.json          per layer case: the nn class, its constructor keywords, the input shape, which mode it ran
                       in, whether input gradients were recorded and the layer's repr. The cases "lenet" and "bnnet"
                       are nets that tests/python/test_gluon_nn.py builds the same way as build_net() here; for
                       them the file also lists MXNet's parameter names (built inside a fresh NameManager) and
                       the node names of the exported graph.
  <case>.params        the parameters of each case that has any, written by Block.save_parameters after MXNet
                       initialised the layer and the values were replaced by seeded random ones (so gamma,
                       running_var, ... are not their trivial initial values).
  layers.npz           <case>/x (input), <case>/y (output), <case>/dy and <case>/dx (a head gradient and the input
                       gradient it gives); BatchNorm cases in training mode also <case>/running_mean_after and
                       <case>/running_var_after; the nets <case>/y_train (training-mode output), <case>/grad/<param>
                       and <case>/after/<running stat> after that training-mode pass.
  losses.json          per loss case: the loss class, keywords and the names of its inputs, in call order.
  losses.npz           <case>/<input>, <case>/loss and <case>/dpred (gradient of sum(loss) w.r.t. the first input;
                       absent where MXNet cannot record the loss).

All arrays are float32, Embedding indices and class labels included (Gluon code passes them as float32).
"""
import json
import os
import sys

os.environ.setdefault("MXNET_SUBGRAPH_BACKEND", "NONE")
os.environ.setdefault("MXNET_ENGINE_TYPE", "NaiveEngine")

import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402
from mxnet import autograd, gluon  # noqa: E402
from mxnet.gluon import nn  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "golden", "gluon")

# (case, class, kwargs, input shape, mode, input gradient?)
# mode: "predict" runs outside autograd; "train" records in training mode.
LAYERS = [
    ("dense", "Dense", {"units": 5}, (3, 4), "train", True),
    ("dense_act_flat", "Dense", {"units": 4, "activation": "tanh"}, (2, 3, 5), "predict", True),
    ("dense_noflat", "Dense", {"units": 3, "flatten": False, "use_bias": False, "in_units": 5}, (2, 3, 5),
     "predict", True),
    ("batchnorm_predict", "BatchNorm", {}, (4, 3, 5, 5), "predict", False),
    ("batchnorm_train", "BatchNorm", {"momentum": 0.8}, (4, 3, 5, 5), "train", True),
    ("batchnorm_last_axis", "BatchNorm", {"axis": -1, "scale": False, "epsilon": 1e-3}, (6, 4), "train", True),
    ("batchnorm_global", "BatchNorm", {"use_global_stats": True, "in_channels": 3}, (2, 3, 4), "train", True),
    ("layernorm", "LayerNorm", {}, (3, 4, 6), "train", True),
    ("layernorm_axis1", "LayerNorm", {"axis": 1, "epsilon": 1e-3}, (3, 4, 6), "predict", False),
    ("instancenorm", "InstanceNorm", {"scale": True}, (2, 3, 5), "train", True),
    ("groupnorm", "GroupNorm", {"num_groups": 2}, (2, 4, 3), "train", True),
    ("embedding", "Embedding", {"input_dim": 10, "output_dim": 4}, (2, 3), "predict", False),
    ("flatten", "Flatten", {}, (2, 3, 4), "predict", False),
    ("conv1d", "Conv1D", {"channels": 4, "kernel_size": 3, "strides": 2, "padding": 1, "in_channels": 3,
                          "activation": "relu"}, (2, 3, 9), "train", True),
    ("conv2d", "Conv2D", {"channels": 4, "kernel_size": (3, 3), "padding": (1, 1)}, (2, 3, 6, 6), "train", True),
    ("conv2d_group_dilate", "Conv2D", {"channels": 4, "kernel_size": 3, "dilation": 2, "groups": 2,
                                       "use_bias": False}, (1, 4, 7, 7), "predict", False),
    ("conv2d_transpose", "Conv2DTranspose", {"channels": 3, "kernel_size": 3, "strides": 2, "padding": 1,
                                              "output_padding": 1}, (2, 4, 4, 4), "train", True),
    ("maxpool1d", "MaxPool1D", {"pool_size": 3, "strides": 2}, (2, 3, 9), "predict", False),
    ("maxpool2d", "MaxPool2D", {"pool_size": 3, "strides": 2, "ceil_mode": True}, (2, 3, 8, 8), "train", True),
    ("avgpool1d", "AvgPool1D", {"pool_size": 2}, (2, 3, 8), "predict", False),
    ("avgpool2d", "AvgPool2D", {"pool_size": 3, "strides": 2, "padding": 1, "count_include_pad": False},
     (2, 3, 7, 7), "train", True),
    ("globalmaxpool1d", "GlobalMaxPool1D", {}, (2, 3, 5), "predict", False),
    ("globalavgpool1d", "GlobalAvgPool1D", {}, (2, 3, 5), "predict", False),
    ("globalmaxpool2d", "GlobalMaxPool2D", {}, (2, 3, 4, 5), "predict", False),
    ("globalavgpool2d", "GlobalAvgPool2D", {}, (2, 3, 4, 5), "train", True),
    ("relu", "Activation", {"activation": "relu"}, (3, 4), "predict", False),
    ("sigmoid", "Activation", {"activation": "sigmoid"}, (3, 4), "predict", False),
    ("tanh", "Activation", {"activation": "tanh"}, (3, 4), "predict", False),
    ("softrelu", "Activation", {"activation": "softrelu"}, (3, 4), "predict", False),
    ("softsign", "Activation", {"activation": "softsign"}, (3, 4), "predict", False),
    ("leakyrelu", "LeakyReLU", {"alpha": 0.1}, (3, 4), "train", True),
    ("prelu", "PReLU", {}, (3, 4), "train", True),
    ("prelu_channels", "PReLU", {"in_channels": 3}, (2, 3, 4), "train", True),
    ("elu", "ELU", {"alpha": 0.5}, (3, 4), "train", True),
    ("selu", "SELU", {}, (3, 4), "predict", False),
    ("gelu", "GELU", {}, (3, 4), "train", True),
    ("swish", "Swish", {"beta": 1.5}, (3, 4), "train", True),
]

NETS = [("lenet", (2, 1, 16, 16)), ("bnnet", (4, 2, 6, 6))]


def build_net(name):
    """The two nets; tests/python/test_gluon_nn.py builds them the same way."""
    net = nn.HybridSequential()
    with net.name_scope():
        if name == "lenet":
            net.add(nn.Conv2D(6, kernel_size=5, activation="relu"),
                    nn.MaxPool2D(pool_size=2, strides=2),
                    nn.Conv2D(16, kernel_size=3, activation="relu"),
                    nn.MaxPool2D(pool_size=2, strides=2),
                    nn.Flatten(),
                    nn.Dense(32, activation="relu"),
                    nn.Dense(10))
        else:
            net.add(nn.Conv2D(4, kernel_size=3, use_bias=False),
                    nn.BatchNorm(),
                    nn.Activation("relu"),
                    nn.Dense(3))
    return net


def randomise(block, rng):
    for name, p in block.collect_params().items():
        lo = 0.5 if name.endswith(("running_var", "gamma")) else -1.0
        p.set_data(mx.nd.array(rng.uniform(lo, 1.5, p.shape).astype(np.float32)))


def run(block, x, mode, want_grad, head):
    x = mx.nd.array(x)
    if mode == "predict" and not want_grad:
        return block(x).asnumpy(), None
    x.attach_grad()
    with autograd.record(train_mode=(mode == "train")):
        y = block(x)
    y.backward(mx.nd.array(head))
    return y.asnumpy(), x.grad.asnumpy()


def make_layers(arrays):
    spec = {}
    rng = np.random.RandomState(7)
    for case, cls, kwargs, shape, mode, want_grad in LAYERS:
        mx.random.seed(1)
        layer = getattr(nn, cls)(**kwargs)
        layer.initialize()
        if cls == "Embedding":
            x = rng.randint(0, kwargs["input_dim"], size=shape).astype(np.float32)
        else:
            x = rng.uniform(-2, 2, shape).astype(np.float32)
        layer(mx.nd.array(x))  # completes deferred initialisation
        randomise(layer, rng)
        has_params = bool(layer.collect_params())
        if has_params:
            layer.save_parameters(os.path.join(OUT, case + ".params"))
        y0 = layer(mx.nd.array(x)).asnumpy()
        head = rng.uniform(-1, 1, y0.shape).astype(np.float32)
        if cls == "BatchNorm":  # running statistics before the recorded pass changes them
            layer.load_parameters(os.path.join(OUT, case + ".params"))
        y, dx = run(layer, x, mode, want_grad, head)
        arrays[case + "/x"] = x
        arrays[case + "/y"] = y
        if dx is not None:
            arrays[case + "/dy"] = head
            arrays[case + "/dx"] = dx
        if cls == "BatchNorm" and mode == "train":
            arrays[case + "/running_mean_after"] = layer.running_mean.data().asnumpy()
            arrays[case + "/running_var_after"] = layer.running_var.data().asnumpy()
        spec[case] = {"cls": cls, "kwargs": kwargs, "shape": list(shape), "mode": mode, "grad": want_grad,
                      "params": has_params, "repr": repr(layer)}
    return spec


def make_nets(arrays):
    spec = {}
    rng = np.random.RandomState(11)
    for case, shape in NETS:
        with mx.name.NameManager():
            net = build_net(case)
        net.initialize()
        x = rng.uniform(-1, 1, shape).astype(np.float32)
        net(mx.nd.array(x))
        randomise(net, rng)
        pfile = os.path.join(OUT, case + ".params")
        net.save_parameters(pfile)
        names = list(net.collect_params().keys())
        y = net(mx.nd.array(x)).asnumpy()
        head = rng.uniform(-1, 1, y.shape).astype(np.float32)
        arrays[case + "/x"] = x
        arrays[case + "/y"] = y
        arrays[case + "/dy"] = head
        xa = mx.nd.array(x)
        xa.attach_grad()
        with autograd.record():
            yt = net(xa)
        yt.backward(mx.nd.array(head))
        arrays[case + "/y_train"] = yt.asnumpy()
        arrays[case + "/dx"] = xa.grad.asnumpy()
        for name, p in net.collect_params().items():
            if p.grad_req != "null":
                arrays[case + "/grad/" + name] = p.grad().asnumpy()
            if name.endswith(("running_mean", "running_var")):
                arrays[case + "/after/" + name] = p.data().asnumpy()
        # The exported graph's node names, from a fresh copy hybridized on the same parameters.
        with mx.name.NameManager():
            hnet = build_net(case)
        hnet.load_parameters(pfile)
        hnet.hybridize()
        np.testing.assert_allclose(hnet(mx.nd.array(x)).asnumpy(), y, rtol=1e-5, atol=1e-6)
        tmp = os.path.join(OUT, "_export_tmp")
        hnet.export(tmp)
        with open(tmp + "-symbol.json") as f:
            nodes = [n["name"] for n in json.load(f)["nodes"]]
        os.remove(tmp + "-symbol.json")
        os.remove(tmp + "-0000.params")
        spec[case] = {"shape": list(shape), "param_names": names, "graph_nodes": nodes, "repr": repr(net)}
    return spec


# (case, class, kwargs, inputs: name -> shape or "label:<kind>")
LOSSES = [
    ("l1", "L1Loss", {}, {"pred": (4, 3), "label": (4, 3)}),
    ("l1_weighted", "L1Loss", {"weight": 0.5}, {"pred": (4, 3), "label": (4, 3), "sample_weight": (4, 1)}),
    ("l2", "L2Loss", {}, {"pred": (4, 3, 2), "label": (4, 6)}),
    ("l2_batch_axis1", "L2Loss", {"batch_axis": 1}, {"pred": (3, 4), "label": (3, 4)}),
    ("softmax_ce", "SoftmaxCrossEntropyLoss", {}, {"pred": (4, 5), "label": "sparse:4:5"}),
    ("softmax_ce_dense", "SoftmaxCrossEntropyLoss", {"sparse_label": False},
     {"pred": (4, 5), "label": "prob:4:5"}),
    ("softmax_ce_logits", "SoftmaxCrossEntropyLoss", {"from_logits": True, "weight": 2.0},
     {"pred": "logprob:4:5", "label": "sparse:4:5", "sample_weight": (4, 1)}),
    ("softmax_ce_axis1", "SoftmaxCrossEntropyLoss", {"axis": 1}, {"pred": (2, 5, 3), "label": "sparse:2,1,3:5"}),
    ("sigmoid_bce", "SigmoidBinaryCrossEntropyLoss", {}, {"pred": (4, 3), "label": "binary:4:3"}),
    ("sigmoid_bce_pos_weight", "SigmoidBinaryCrossEntropyLoss", {},
     {"pred": (4, 3), "label": "binary:4:3", "sample_weight": (4, 1), "pos_weight": "positive:1:3"}),
    ("sigmoid_bce_from_sigmoid", "SigmoidBinaryCrossEntropyLoss", {"from_sigmoid": True},
     {"pred": "prob01:4:3", "label": "binary:4:3"}),
    ("kldiv", "KLDivLoss", {}, {"pred": "logprob:4:5", "label": "prob:4:5"}),
    ("kldiv_not_logits", "KLDivLoss", {"from_logits": False}, {"pred": (4, 5), "label": "prob:4:5"}),
    ("huber", "HuberLoss", {"rho": 0.5}, {"pred": (4, 3), "label": (4, 3)}),
    ("hinge", "HingeLoss", {}, {"pred": (4, 3), "label": "signed:4:3"}),
    ("squared_hinge", "SquaredHingeLoss", {"margin": 1.5}, {"pred": (4, 3), "label": "signed:4:3"}),
    ("logistic_signed", "LogisticLoss", {}, {"pred": (4, 3), "label": "signed:4:3"}),
    ("logistic_binary", "LogisticLoss", {"label_format": "binary"}, {"pred": (4, 3), "label": "binary:4:3"}),
    ("triplet", "TripletLoss", {"margin": 0.5}, {"pred": (4, 3), "positive": (4, 3), "negative": (4, 3)}),
    ("cosine_embedding", "CosineEmbeddingLoss", {"margin": 0.2},
     {"input1": (4, 3), "input2": (4, 3), "label": "signed:4"}),
    ("poisson_nll", "PoissonNLLLoss", {}, {"pred": "positive:4:3", "target": "count:4:3"}),
    ("poisson_nll_full", "PoissonNLLLoss", {"from_logits": False, "compute_full": True},
     {"pred": "positive:4:3", "target": "count:4:3"}),
]


def loss_input(rng, how):
    if isinstance(how, tuple):
        return rng.uniform(-2, 2, how).astype(np.float32)
    kind, *dims = how.split(":")
    shape = tuple(int(d) for d in dims[0].split(","))
    if kind == "sparse":
        return rng.randint(0, int(dims[1]), size=shape).astype(np.float32)
    if len(dims) > 1:
        shape = shape + (int(dims[1]),)
    if kind in ("prob", "logprob"):
        p = rng.uniform(0.1, 1, shape)
        p = p / p.sum(axis=-1, keepdims=True)
        return (np.log(p) if kind == "logprob" else p).astype(np.float32)
    if kind == "binary":
        return rng.randint(0, 2, size=shape).astype(np.float32)
    if kind == "signed":
        return (2 * rng.randint(0, 2, size=shape) - 1).astype(np.float32)
    if kind == "prob01":
        return rng.uniform(0.05, 0.95, shape).astype(np.float32)
    if kind == "positive":
        return rng.uniform(0.2, 2, shape).astype(np.float32)
    if kind == "count":
        return rng.randint(0, 5, size=shape).astype(np.float32)
    raise ValueError(how)


def make_losses(arrays):
    spec = {}
    rng = np.random.RandomState(3)
    for case, cls, kwargs, inputs in LOSSES:
        loss = getattr(gluon.loss, cls)(**kwargs)
        values = {name: loss_input(rng, how) for name, how in inputs.items()}
        nds = {name: mx.nd.array(v) for name, v in values.items()}
        first = next(iter(nds.values()))
        # MXNet's compute_full term multiplies in place, which autograd refuses: no gradient there.
        with_grad = not kwargs.get("compute_full")
        if with_grad:
            first.attach_grad()
            with autograd.record():
                out = loss(*nds.values())
            out.backward()
            arrays[case + "/dpred"] = first.grad.asnumpy()
        else:
            out = loss(*nds.values())
        for name, v in values.items():
            arrays[case + "/" + name] = v
        arrays[case + "/loss"] = out.asnumpy()
        spec[case] = {"cls": cls, "kwargs": kwargs, "inputs": list(inputs), "grad": with_grad}
    return spec


def main():
    os.makedirs(OUT, exist_ok=True)
    arrays = {}
    layers = make_layers(arrays)
    layers.update(make_nets(arrays))
    with open(os.path.join(OUT, "layers.json"), "w") as f:
        json.dump(layers, f, indent=1, sort_keys=True)
    np.savez_compressed(os.path.join(OUT, "layers.npz"), **arrays)
    arrays = {}
    losses = make_losses(arrays)
    with open(os.path.join(OUT, "losses.json"), "w") as f:
        json.dump(losses, f, indent=1, sort_keys=True)
    np.savez_compressed(os.path.join(OUT, "losses.npz"), **arrays)


if __name__ == "__main__":
    main()
