#!/usr/bin/env python3
"""Profiles a few LeNet training steps and writes a Chrome trace (docs/profiler.md).

An MXNet 1.x script with only the import changed. It trains a hybridized LeNet on random
MNIST-shaped batches (no data download), profiles three steps after a warm-up step, writes the
trace to --out (open it at https://ui.perfetto.dev or chrome://tracing) and prints the operators
that took the most time.
"""
import argparse

import minerva as mx
from minerva import autograd, gluon, profiler
from minerva.gluon import nn


def lenet() -> nn.HybridSequential:
    net = nn.HybridSequential()
    net.add(nn.Conv2D(20, kernel_size=5, activation="tanh"), nn.MaxPool2D(pool_size=2, strides=2),
            nn.Conv2D(50, kernel_size=5, activation="tanh"), nn.MaxPool2D(pool_size=2, strides=2),
            nn.Flatten(), nn.Dense(500, activation="tanh"), nn.Dense(10))
    return net


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="lenet_profile.json", help="the trace file to write")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()

    mx.random.seed(0)
    net = lenet()
    net.initialize(mx.init.Xavier())
    net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.05, "momentum": 0.9})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    data = mx.nd.random.uniform(shape=(args.batch_size, 1, 28, 28))
    label = mx.nd.random.randint(0, 10, shape=(args.batch_size,)).astype("float32")

    def step() -> float:
        with autograd.record():
            loss = loss_fn(net(data), label)
        loss.backward()
        trainer.step(args.batch_size)
        return float(loss.mean().asscalar())

    step()  # warm-up: shapes are inferred and parameters allocated outside the trace
    profiler.set_config(filename=args.out, profile_all=True, aggregate_stats=True, continuous_dump=False)
    profiler.set_state("run")
    task = profiler.Domain("lenet").new_task("train_step")
    for _ in range(args.steps):
        task.start()
        with profiler.scope("train"):
            loss = step()
        task.stop()
    mx.nd.waitall()
    profiler.set_state("stop")
    profiler.dump()
    print(f"last loss {loss:.4f}; trace written to {args.out}")
    print(profiler.dumps(sort_by="total"))


if __name__ == "__main__":
    main()
