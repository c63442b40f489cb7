"""Writes tests/golden/rnn_sym/<scenario>.npz: MXNet 1.9.1's mx.rnn in the scenarios of
rnn_sym_scenarios.py.

Run under the MXNet oracle:
    /work/main/.oracle-venv/bin/python tools/golden/make_rnn_sym_golden.py
"""
import os
import sys
import tempfile

os.environ.setdefault("MXNET_ENGINE_TYPE", "NaiveEngine")
os.environ.setdefault("MXNET_SUBGRAPH_BACKEND", "NONE")
import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnn_sym_scenarios  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "rnn_sym")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in rnn_sym_scenarios.SCENARIOS:
        with tempfile.TemporaryDirectory() as tmp:
            results = rnn_sym_scenarios.run(mx, name, tmp)
        np.savez_compressed(os.path.join(OUT, f"{name}.npz"), **results)
        print(f"{name}: {len(results)} arrays")


if __name__ == "__main__":
    main()
