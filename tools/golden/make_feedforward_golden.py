"""Writes tests/golden/feedforward/digits.npz: mx.model.FeedForward trained by MXNet 1.9.1 in the
runs of feedforward_scenario.py (scikit-learn's digits from ~/.minerva/datasets, which
tools/fetch_data.sh installs).

Run under the MXNet oracle:
    /work/main/.oracle-venv/bin/python tools/golden/make_feedforward_golden.py
"""
import os
import sys
import tempfile
import warnings

os.environ.setdefault("MXNET_ENGINE_TYPE", "NaiveEngine")
os.environ.setdefault("MXNET_SUBGRAPH_BACKEND", "NONE")
import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import feedforward_scenario  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "feedforward", "digits.npz")


def main():
    warnings.simplefilter("ignore", DeprecationWarning)
    with tempfile.TemporaryDirectory() as tmp:
        results = feedforward_scenario.run(mx, feedforward_scenario.load_digits(), tmp)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    np.savez_compressed(OUT, **results)
    print(f"wrote {len(results)} arrays to {OUT}")


if __name__ == "__main__":
    main()
