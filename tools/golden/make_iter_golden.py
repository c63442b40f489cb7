"""Writes tests/golden/iter/orders.json: the batches MXNet 1.9.1's iterators and samplers give in
the scenarios of iter_scenarios.py (seeded, several epochs with resets).

Run under the MXNet oracle:
    /work/main/.oracle-venv/bin/python tools/golden/make_iter_golden.py

Each scenario runs in its own process: MXNet 1.9.1's CSV and LibSVM iterators read ahead on
threads and now and then crash the process when one is destroyed after another.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "tests", "golden", "iter", "orders.json")


def run_one(name: str, out_path: str) -> None:
    import mxnet as mx
    sys.path.insert(0, HERE)
    import iter_scenarios
    folder = os.path.dirname(out_path)
    result = iter_scenarios.run(mx, name, folder)
    with open(out_path, "w") as f:
        json.dump(result, f)
    sys.stdout.flush()
    os._exit(0)  # skip MXNet's teardown (see the module docstring)


def main():
    sys.path.insert(0, HERE)
    import iter_scenarios
    results = {}
    with tempfile.TemporaryDirectory() as root:
        for i, name in enumerate(iter_scenarios.SCENARIOS):
            folder = os.path.join(root, str(i))
            os.makedirs(folder)
            out_path = os.path.join(folder, "result.json")
            subprocess.run([sys.executable, __file__, "--one", name, out_path], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(out_path) as f:
                results[name] = json.load(f)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(results, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(results)} scenarios to {OUT}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        run_one(sys.argv[2], sys.argv[3])
    else:
        main()
