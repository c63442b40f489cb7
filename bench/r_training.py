"""Python Module's side of bench/r_training.R: trains the same MLP on the same data (a float32
file the R script wrote) and prints the wall and CPU seconds of its fastest epoch after the first.

    python bench/r_training.py DATA_FILE N BATCH EPOCHS
"""
import sys
import time

import numpy as np

import minerva as mx


def main() -> None:
    path, n, batch, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    raw = np.fromfile(path, dtype=np.float32)
    x = raw[: 784 * n].reshape(n, 784)  # R wrote the 784 x N matrix column by column: one row per sample here
    y = raw[784 * n:]
    data = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(data, num_hidden=128, name="fc1")
    net = mx.sym.Activation(net, act_type="relu", name="relu1")
    net = mx.sym.FullyConnected(net, num_hidden=64, name="fc2")
    net = mx.sym.Activation(net, act_type="relu", name="relu2")
    net = mx.sym.FullyConnected(net, num_hidden=10, name="fc3")
    net = mx.sym.SoftmaxOutput(net, name="softmax")
    it = mx.io.NDArrayIter(x, y, batch_size=batch, shuffle=True, label_name="softmax_label")
    mod = mx.mod.Module(net, context=mx.cpu())
    stamps = []
    mod.fit(it, num_epoch=epochs, optimizer="sgd", optimizer_params={"learning_rate": 0.1, "momentum": 0.9},
            eval_metric="acc", initializer=mx.init.Xavier(),
            epoch_end_callback=lambda *args: stamps.append((time.perf_counter(), time.process_time())))
    # Wall and CPU (all threads) seconds of each epoch after the first.
    wall = [b[0] - a[0] for a, b in zip(stamps, stamps[1:])]
    cpu = [b[1] - a[1] for a, b in zip(stamps, stamps[1:])]
    print(min(wall), min(cpu))


if __name__ == "__main__":
    main()
