#!/usr/bin/env python3
"""Trains LeNet on real MNIST with Gluon — Minerva's main job, what `make demo` runs.

An MXNet 1.x Gluon script with only the import changed: the MNIST dataset and DataLoader,
a hybridized HybridSequential LeNet, SoftmaxCrossEntropyLoss, a Trainer with SGD + momentum,
and an Accuracy metric. Each epoch shows a progress bar and prints the test accuracy; the end
writes a plot of the loss and accuracy curves, exports the model (-symbol.json + .params),
loads the export back with SymbolBlock.imports and predicts with it.

The data are the canonical MNIST IDX files that `make setup` installs (shared/DATA.md).
"""
import argparse
import os
import sys
import time

import minerva as mx
import numpy as np
from minerva import autograd, gluon
from minerva.gluon import nn
from minerva.gluon.data.vision import MNIST, transforms

PASS_MARK = 0.98  # test accuracy after the default 2 epochs (shared/DATA.md)


class ProgressBar:
    """One line per epoch, redrawn in place on a terminal; in a log, a line every 10%."""

    def __init__(self, title: str, total: int, width: int = 30):
        self.title, self.total, self.width = title, total, width
        self.tty = sys.stdout.isatty()
        self.start = time.time()
        self.last_tenth = -1

    def update(self, done: int, **stats) -> None:
        tenth = 10 * done // self.total
        if not self.tty and (tenth == self.last_tenth or done < self.total and tenth == 0):
            return
        self.last_tenth = tenth
        filled = self.width * done // self.total
        bar = "=" * filled + (">" if filled < self.width else "") + " " * (self.width - filled - 1)
        rate = done / max(time.time() - self.start, 1e-9)
        info = "  ".join(f"{k} {v:.4f}" for k, v in stats.items())
        line = f"{self.title} [{bar}] {done}/{self.total}  {info}  {rate:.0f} batches/s"
        print(("\r" + line) if self.tty else line, end="" if self.tty and done < self.total else "\n",
              flush=True)


def lenet() -> nn.HybridSequential:
    net = nn.HybridSequential(prefix="lenet_")
    with net.name_scope():
        net.add(nn.Conv2D(20, kernel_size=5, activation="tanh"),
                nn.MaxPool2D(pool_size=2, strides=2),
                nn.Conv2D(50, kernel_size=5, activation="tanh"),
                nn.MaxPool2D(pool_size=2, strides=2),
                nn.Flatten(),
                nn.Dense(500, activation="tanh"),
                nn.Dense(10))
    return net


def evaluate(net, loader) -> float:
    metric = mx.metric.Accuracy()
    for x, y in loader:
        metric.update([y], [net(x)])
    return metric.get()[1]


def plot(losses, batches_per_epoch, test_acc, path) -> None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib not installed: no plot written)")
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    steps = np.arange(1, len(losses) + 1) / batches_per_epoch
    window = max(1, batches_per_epoch // 20)
    smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
    left.plot(steps, losses, color="0.8", lw=0.6, label="per batch")
    left.plot(steps[window - 1:], smooth, color="C0", label=f"mean of {window}")
    left.set_yscale("log")
    left.set_xlabel("epoch")
    left.set_ylabel("training loss")
    left.legend()
    epochs = np.arange(1, len(test_acc) + 1)
    right.plot(epochs, [100 * a for a in test_acc], "o-", color="C1")
    right.axhline(100 * PASS_MARK, color="0.6", ls="--", lw=0.8, label="pass mark")
    right.set_xticks(epochs)
    right.set_xlabel("epoch")
    right.set_ylabel("test accuracy (%)")
    right.legend()
    for ax in (left, right):
        ax.grid(alpha=0.3)
    fig.suptitle("Minerva: LeNet on MNIST (Gluon, hybridized)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"curves written to {path}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=os.path.join(os.environ.get("MINERVA_DATA", os.path.expanduser(
        "~/.minerva/datasets")), "mnist"))
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--plot", default="lenet_mnist.png")
    ap.add_argument("--export", default="lenet", help="prefix of the exported -symbol.json/.params")
    args = ap.parse_args()

    mx.random.seed(42)
    np.random.seed(42)
    to_tensor = transforms.ToTensor()
    train = MNIST(root=args.data_dir, train=True).transform_first(to_tensor)
    test = MNIST(root=args.data_dir, train=False).transform_first(to_tensor)
    train_loader = gluon.data.DataLoader(train, batch_size=args.batch_size, shuffle=True)
    test_loader = gluon.data.DataLoader(test, batch_size=1000)
    print(f"MNIST: {len(train)} training and {len(test)} test images from {args.data_dir}")

    net = lenet()
    net.initialize(mx.init.Xavier())
    net.hybridize(static_alloc=True, static_shape=True)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": args.lr, "momentum": args.momentum})

    losses, test_acc = [], []
    batches = (len(train) + args.batch_size - 1) // args.batch_size
    for epoch in range(1, args.epochs + 1):
        bar = ProgressBar(f"epoch {epoch}/{args.epochs}", batches)
        start = time.time()
        for i, (x, y) in enumerate(train_loader, 1):
            with autograd.record():
                loss = loss_fn(net(x), y)
            loss.backward()
            trainer.step(x.shape[0])
            losses.append(float(loss.mean().asscalar()))
            bar.update(i, loss=losses[-1])
        seconds = time.time() - start
        test_acc.append(evaluate(net, test_loader))
        print(f"epoch {epoch}: test accuracy {100 * test_acc[-1]:.2f}%  ({seconds:.1f} s, "
              f"{len(train) / seconds:.0f} images/s)", flush=True)

    plot(losses, batches, test_acc, args.plot)
    net.export(args.export, epoch=args.epochs)
    print(f"exported {args.export}-symbol.json and {args.export}-{args.epochs:04d}.params")
    reloaded = gluon.SymbolBlock.imports(f"{args.export}-symbol.json", ["data"],
                                         f"{args.export}-{args.epochs:04d}.params")
    x, y = next(iter(test_loader))
    x, y = x[:10], y[:10]
    predicted = reloaded(x).argmax(axis=1).astype("int32").asnumpy()
    same = np.abs(reloaded(x).asnumpy() - net(x).asnumpy()).max()
    print(f"reloaded model predicts {predicted.tolist()} for labels {y.asnumpy().astype(int).tolist()} "
          f"(largest difference from the trained net: {same:.2e})")
    if test_acc[-1] < PASS_MARK and args.epochs >= 2:
        raise SystemExit(f"test accuracy {100 * test_acc[-1]:.2f}% is below the {100 * PASS_MARK:.0f}% pass mark")


if __name__ == "__main__":
    main()
