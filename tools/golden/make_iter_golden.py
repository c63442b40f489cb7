"""Writes tests/golden/iter/orders.json: the batches MXNet 1.9.1's iterators and samplers give in
the scenarios of iter_scenarios.py (seeded, several epochs with resets).

Run under the MXNet oracle:
    /work/main/.oracle-venv/bin/python tools/golden/make_iter_golden.py
"""
import json
import os
import sys
import tempfile

import mxnet as mx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import iter_scenarios  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "iter", "orders.json")


def main():
    results = {}
    for name in iter_scenarios.SCENARIOS:
        with tempfile.TemporaryDirectory() as tmp:
            results[name] = iter_scenarios.run(mx, name, tmp)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(results, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(results)} scenarios to {OUT}")


if __name__ == "__main__":
    main()
