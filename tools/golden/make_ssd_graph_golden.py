"""Writes tests/golden/api/ssd_graph.json: a small SSD training graph in MXNet 1.9.1 (anchors from
MultiBoxPrior, targets from MultiBoxTarget with hard negative mining, a SoftmaxOutput class loss
and a masked smooth-L1 box loss, detections from MultiBoxDetection) bound with simple_bind, run
forward and backward once from fixed weights. tests/python/test_contrib_detection.py runs the same
outcomes() with Minerva: the losses, detections and weight gradients must agree.

Run under the MXNet oracle:
    .oracle-venv/bin/python tools/golden/make_ssd_graph_golden.py
"""
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "api", "ssd_graph.json")


def ssd_graph(mx):
    """The training graph, written as MXNet's example/ssd writes its heads (string tuple parameters,
    mx.contrib.symbol for the target layer)."""
    sym = mx.sym
    data, label = sym.Variable("data"), sym.Variable("label")
    feat = sym.Convolution(data, num_filter=4, kernel=(1, 1), name="feat")
    anchors = sym.contrib.MultiBoxPrior(feat, sizes="(0.5,0.25)", ratios="(1,2,0.5)", name="prior")
    cls = sym.Convolution(feat, num_filter=4 * 3, kernel=(1, 1), name="cls")  # 4 anchors per cell, 3 classes
    cls = sym.transpose(sym.reshape(sym.transpose(cls, axes=(0, 2, 3, 1)), shape=(0, -1, 3)), axes=(0, 2, 1))
    loc = sym.Flatten(sym.transpose(sym.Convolution(feat, num_filter=16, kernel=(1, 1), name="loc"),
                                    axes=(0, 2, 3, 1)))
    target = mx.contrib.symbol.MultiBoxTarget(anchors, label, cls, overlap_threshold=.5, ignore_label=-1,
                                              negative_mining_ratio=3, minimum_negative_samples=0,
                                              negative_mining_thresh=.5, variances=(0.1, 0.1, 0.2, 0.2))
    cls_loss = sym.SoftmaxOutput(cls, target[2], ignore_label=-1, use_ignore=True, multi_output=True,
                                 normalization="valid")
    loc_loss = sym.MakeLoss(sym.smooth_l1(target[1] * (loc - target[0]), scalar=1.0))
    det = sym.contrib.MultiBoxDetection(sym.softmax(cls, axis=1), loc, anchors, nms_threshold=0.45)
    return sym.Group([cls_loss, loc_loss, sym.BlockGrad(det)])


def outcomes(mx):
    exe = ssd_graph(mx).simple_bind(mx.cpu(), data=(2, 3, 4, 4), label=(2, 3, 5))
    rng = np.random.RandomState(0)
    for name in sorted(exe.arg_dict):
        if name not in ("data", "label"):
            exe.arg_dict[name][:] = rng.uniform(-0.5, 0.5, exe.arg_dict[name].shape)
    exe.arg_dict["data"][:] = rng.rand(2, 3, 4, 4)
    exe.arg_dict["label"][:] = np.array([[[0, .1, .1, .5, .6], [1, .4, .3, .9, .8], [-1] * 5],
                                         [[2, .2, .1, .7, .5], [-1] * 5, [-1] * 5]])
    outs = exe.forward(is_train=True)
    exe.backward()
    result = {f"output{i}": o.asnumpy().tolist() for i, o in enumerate(outs)}
    for name in ("cls_weight", "loc_weight", "feat_weight"):
        result[f"grad_{name}"] = exe.grad_dict[name].asnumpy().tolist()
    return result


def main():
    import mxnet as mx
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"generator": "tools/golden/make_ssd_graph_golden.py", "mxnet": mx.__version__,
                   "outcomes": outcomes(mx)}, f)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    sys.exit(main())
