"""Fused vs unrolled gluon LSTM: a T=35, N=32, C=H=200 one-layer LSTM (the PTB language model's
shape), forward in prediction and forward + backward in training, imperative and hybridized.

    PYTHONPATH=python MINERVA_LIBRARY_PATH=build/libminerva.so python bench/rnn_fused.py [--repeat 10]

The unrolled path is the layer's fallback (Note [Fused RNN layers] in
python/minerva/gluon/rnn/rnn_layer.py), forced here by replacing the layer's _fused test.
Prints the median time per batch of each case in milliseconds and the ratio.
"""
import argparse
import statistics
import time

import minerva as mx
from minerva.gluon import rnn

T, N, C, H = 35, 32, 200, 200


def make_layer(fused, hybridize):
    layer = rnn.LSTM(H, input_size=C)
    if not fused:
        layer._fused = lambda: False
    layer.initialize(mx.init.Uniform(0.1))
    if hybridize:
        layer.hybridize()
    return layer


def time_case(layer, train, repeat):
    x = mx.nd.random.uniform(-1, 1, shape=(T, N, C))
    states = layer.begin_state(N)
    head = mx.nd.ones((T, N, H))

    def step():
        if train:
            with mx.autograd.record():
                out, _ = layer(x, states)
            out.backward(head)
            layer.l0_i2h_weight.grad().wait_to_read()
        else:
            out, _ = layer(x, states)
            out.wait_to_read()

    step()  # warm-up: deferred init, graph build
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(f"LSTM T={T} N={N} C={C} H={H}: median ms per batch over {args.repeat} runs")
    print(f"{'case':34s} {'unrolled':>10s} {'fused':>10s} {'speed-up':>9s}")
    for hybridize in (False, True):
        for train in (False, True):
            unrolled = time_case(make_layer(False, hybridize), train, args.repeat)
            fused = time_case(make_layer(True, hybridize), train, args.repeat)
            name = ("hybridized" if hybridize else "imperative") + (", forward+backward" if train else ", forward")
            print(f"{name:34s} {unrolled:10.1f} {fused:10.1f} {unrolled / fused:8.1f}x")


if __name__ == "__main__":
    main()
