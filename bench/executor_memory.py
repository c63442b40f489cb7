"""Planned executor memory of the MLP and the BatchNorm CNN of tests/golden/models, beside the
sum of every internal buffer without planning (the figures issue 3 asks for).

    .venv/bin/python bench/executor_memory.py [--batch 64]

For each model and for inference (grad_req null) and training (grad_req write) bindings it
prints the bytes the plan allocates, the bytes the same entries would take one buffer each, the
ratio, and how many entries share their input's buffer in place.
"""
import argparse
import pathlib

import minerva as mx

MODELS = pathlib.Path(__file__).resolve().parents[1] / "tests" / "golden" / "models"


def input_shapes(name: str, batch: int) -> dict:
    if name == "mlp":
        return {"data": (batch, 12), "softmax_label": (batch,)}
    return {"data": (batch, 1, 8, 8), "softmax_label": (batch,)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()
    print("| model | binding | planned bytes | unplanned bytes | planned/unplanned | buffers | entries | in place |")
    print("|---|---|---|---|---|---|---|---|")
    for name in ("mlp", "cnn"):
        sym = mx.sym.load(str(MODELS / f"{name}-symbol.json"))
        for req in ("null", "write"):
            exe = sym.simple_bind(mx.cpu(), grad_req=req, **input_shapes(name, args.batch))
            s = exe.memory_stats()
            ratio = s["planned_bytes"] / s["unplanned_bytes"] if s["unplanned_bytes"] else 0.0
            binding = "inference" if req == "null" else "training"
            print(f"| {name} | {binding} | {s['planned_bytes']} | {s['unplanned_bytes']} | {ratio:.2f} | "
                  f"{s['num_buffers']} | {s['num_entries']} | {s['num_inplace']} |")


if __name__ == "__main__":
    main()
