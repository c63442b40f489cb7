#!/usr/bin/env python3
"""The CIFAR-10 CNN (Conv2D 64 - pool - Conv2D 128 - pool - Dense 128 - Dense 10, Adam) in Gluon.

With --data-dir pointing at a `cifar-10-batches-bin/` folder (data_batch_1..5.bin,
test_batch.bin) it trains on CIFAR-10. No package reachable from these machines ships the
CIFAR-10 training set (shared/DATA.md), so by default it trains on real **Fashion-MNIST
repacked into CIFAR-10 binary records** (28x28 padded to 32x32, the gray plane copied into R, G
and B, the label byte first): the CIFAR-10 reader, the 3x32x32 network and the training code
run exactly as they would on CIFAR-10, and the accuracy printed is Fashion-MNIST's.
"""
import argparse
import gzip
import os
import time

import minerva as mx
import numpy as np
from minerva import autograd, gluon
from minerva.gluon import nn
from minerva.gluon.data.vision import CIFAR10, transforms

FASHION_DIRS = [os.path.join(os.environ.get("MINERVA_DATA", os.path.expanduser("~/.minerva/datasets")),
                             "fashion-mnist"), "/usr/share/datasets/fashion-mnist"]


def read_idx_any(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">u4", count=ndim, offset=4)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find_fashion(name):
    for d in FASHION_DIRS:
        for candidate in (os.path.join(d, name), os.path.join(d, name + ".gz")):
            if os.path.exists(candidate):
                return candidate
    raise SystemExit(f"Fashion-MNIST file {name}(.gz) not found in {FASHION_DIRS}; `make setup` installs it")


def cifar_records(images, labels):
    """CIFAR-10 binary records: the label byte, then 32x32 R, G and B planes (gray copied)."""
    records = np.zeros((len(images), 1 + 3 * 32 * 32), dtype=np.uint8)
    records[:, 0] = labels
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2))).reshape(len(images), 1024)
    for c in range(3):
        records[:, 1 + c * 1024:1 + (c + 1) * 1024] = padded
    return records


def write_atomically(records, path):
    tmp = path + ".tmp"
    records.tofile(tmp)
    os.replace(tmp, path)


def repack_fashion_as_cifar(out_dir, limit):
    """Writes Fashion-MNIST as the CIFAR-10 binary files: the training set split over
    data_batch_1.bin .. data_batch_5.bin, the test set as test_batch.bin."""
    os.makedirs(out_dir, exist_ok=True)
    train = cifar_records(read_idx_any(find_fashion("train-images-idx3-ubyte"))[:limit],
                          read_idx_any(find_fashion("train-labels-idx1-ubyte"))[:limit])
    for i, part in enumerate(np.array_split(train, 5), 1):
        write_atomically(part, os.path.join(out_dir, f"data_batch_{i}.bin"))
    test = cifar_records(read_idx_any(find_fashion("t10k-images-idx3-ubyte"))[:limit],
                         read_idx_any(find_fashion("t10k-labels-idx1-ubyte"))[:limit])
    write_atomically(test, os.path.join(out_dir, "test_batch.bin"))
    print(f"Fashion-MNIST repacked into CIFAR-10 binary records in {out_dir}")


def cnn():
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.Conv2D(64, kernel_size=3, padding=1, activation="relu"), nn.MaxPool2D(2),
                nn.Conv2D(128, kernel_size=3, padding=1, activation="relu"), nn.MaxPool2D(2),
                nn.Dense(128, activation="relu"), nn.Dense(10))
    return net


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", help="a cifar-10-batches-bin folder (default: Fashion-MNIST in CIFAR-10 format)")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--limit", type=int, default=60000, help="records per split taken from Fashion-MNIST")
    ap.add_argument("--cache", default=os.path.join("build", "fashion-as-cifar10"))
    args = ap.parse_args()

    if args.data_dir:
        root, what = args.data_dir, "CIFAR-10"
    else:
        repack_fashion_as_cifar(args.cache, args.limit)
        root, what = args.cache, "Fashion-MNIST in CIFAR-10 format"
    mx.random.seed(7)
    norm = transforms.Compose([transforms.ToTensor(), transforms.Normalize(0.5, 0.25)])
    train = CIFAR10(root=root, train=True).transform_first(norm)
    test = CIFAR10(root=root, train=False).transform_first(norm)
    train_loader = gluon.data.DataLoader(train, batch_size=args.batch_size, shuffle=True, last_batch="discard")
    test_loader = gluon.data.DataLoader(test, batch_size=500)
    print(f"{what}: {len(train)} training and {len(test)} test images")

    net = cnn()
    net.initialize(mx.init.Xavier())
    net.hybridize(static_alloc=True, static_shape=True)
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "adam", {"learning_rate": args.lr})
    for epoch in range(1, args.epochs + 1):
        start, seen = time.time(), 0
        for i, (x, y) in enumerate(train_loader, 1):
            with autograd.record():
                loss = loss_fn(net(x), y)
            loss.backward()
            trainer.step(x.shape[0])
            seen += x.shape[0]
            if i % 200 == 0:
                print(f"  epoch {epoch} batch {i}: loss {loss.mean().asscalar():.4f}, "
                      f"{seen / (time.time() - start):.0f} images/s", flush=True)
        metric = mx.metric.Accuracy()
        for x, y in test_loader:
            metric.update([y], [net(x)])
        print(f"epoch {epoch}: {what} test accuracy {100 * metric.get()[1]:.2f}% "
              f"({time.time() - start:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
