"""Writes tests/golden/modules/<scenario>.npz: BucketingModule, SequentialModule and
PythonLossModule as MXNet 1.9.1 runs the scenarios of module_scenarios.py.

Run under the MXNet oracle:
    /work/main/.oracle-venv/bin/python tools/golden/make_module_golden.py
"""
import logging
import os
import sys
import tempfile

os.environ.setdefault("MXNET_ENGINE_TYPE", "NaiveEngine")
os.environ.setdefault("MXNET_SUBGRAPH_BACKEND", "NONE")
import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import module_scenarios  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "modules")


def main():
    logging.basicConfig(level=logging.WARNING)
    os.makedirs(OUT, exist_ok=True)
    for name, fn in module_scenarios.SCENARIOS.items():
        with tempfile.TemporaryDirectory() as tmp:
            results = fn(mx, tmp)
        np.savez_compressed(os.path.join(OUT, f"{name}.npz"), **results)
        print(f"{name}: {len(results)} arrays")


if __name__ == "__main__":
    main()
