"""Writes tests/golden/api/contrib_nn.json: MXNet 1.9.1's gluon.contrib.nn blocks on fixed
inputs and parameters (Concurrent, HybridConcurrent hybridized or not, Identity,
SyncBatchNorm in training and inference, SparseEmbedding, PixelShuffle1D/2D/3D), and their
reprs. tests/python/test_gluon_contrib_nn.py runs the same outcomes() with Minerva.

Run under the MXNet oracle:
    .oracle-venv/bin/python tools/golden/make_contrib_nn_golden.py
"""
import json
import os
import sys
import warnings

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "api", "contrib_nn.json")


def _set_params(block, seed):
    rng = np.random.RandomState(seed)
    for _, p in sorted(block.collect_params().items()):
        p.set_data(rng.uniform(-1, 1, size=p.shape).astype(np.float32))


def outcomes(mx) -> dict:
    gnn = mx.gluon.nn
    cnn = mx.gluon.contrib.nn
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, size=(2, 5)).astype(np.float32)
    out = {}
    for name, cls, hybridize in [("concurrent", cnn.Concurrent, False), ("hybrid_concurrent", cnn.HybridConcurrent,
                                                                           False),
                                 ("hybrid_concurrent_hybridized", cnn.HybridConcurrent, True)]:
        net = cls(axis=1)
        with net.name_scope():
            net.add(gnn.Dense(3, activation="tanh", in_units=5))
            net.add(gnn.Dense(2, in_units=5))
            net.add(cnn.Identity())
        net.initialize()
        _set_params(net, 1)
        if hybridize:
            net.hybridize()
        out[name] = net(mx.nd.array(x)).asnumpy().tolist()
    axis0 = cnn.HybridConcurrent(axis=0)
    axis0.add(cnn.Identity(), cnn.Identity())
    out["concurrent_axis0"] = axis0(mx.nd.array(x)).asnumpy().tolist()
    img = rng.uniform(-1, 1, size=(4, 3, 2, 2)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bn = cnn.SyncBatchNorm(in_channels=3)
    bn.initialize()
    _set_params(bn, 2)
    with mx.autograd.record():
        train_out = bn(mx.nd.array(img))
    train_out.backward()  # MXNet 1.9.1 shows the updated running statistics after backward
    out["sync_bn_train"] = train_out.asnumpy().tolist()
    out["sync_bn_running_mean"] = bn.running_mean.data().asnumpy().tolist()
    out["sync_bn_infer"] = bn(mx.nd.array(img)).asnumpy().tolist()
    emb = cnn.SparseEmbedding(6, 3)
    emb.initialize()
    _set_params(emb, 3)
    mx.gluon.Trainer(emb.collect_params(), "sgd")  # MXNet reads row-sparse weights through a Trainer
    out["sparse_embedding"] = emb(mx.nd.array([[0, 5], [2, 2]])).asnumpy().tolist()
    out["reprs"] = [repr(emb), repr(cnn.PixelShuffle1D(2)), repr(cnn.PixelShuffle2D((2, 3))),
                    repr(cnn.PixelShuffle3D(2))]
    seq = np.arange(2 * 8 * 3, dtype=np.float32).reshape(2, 8, 3)
    out["pixel_shuffle_1d"] = cnn.PixelShuffle1D(4)(mx.nd.array(seq)).asnumpy().tolist()
    pic = np.arange(1 * 12 * 2 * 3, dtype=np.float32).reshape(1, 12, 2, 3)
    out["pixel_shuffle_2d"] = cnn.PixelShuffle2D((2, 3))(mx.nd.array(pic)).asnumpy().tolist()
    ps2 = cnn.PixelShuffle2D(2)
    ps2.hybridize()
    out["pixel_shuffle_2d_hybridized"] = ps2(mx.nd.array(pic)).asnumpy().tolist()
    vol = np.arange(1 * 24 * 2 * 1 * 2, dtype=np.float32).reshape(1, 24, 2, 1, 2)
    out["pixel_shuffle_3d"] = cnn.PixelShuffle3D((2, 3, 2))(mx.nd.array(vol)).asnumpy().tolist()
    return out


def main() -> None:
    import mxnet as mx
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(outcomes(mx), f, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
