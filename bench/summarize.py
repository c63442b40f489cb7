#!/usr/bin/env python3
"""Medians of one metric per framework from a folder of peer-benchmark JSON records, and
Minerva's ratio to each peer (lower is better for times, higher for rates).

    summarize.py FOLDER METRIC [ALIAS ...]

A record counts with the first of METRIC and its aliases it has (PyTorch's script calls the
Gluon-hybrid workloads `*_eager_*`)."""
import json
import pathlib
import statistics
import sys


def main(folder: str, metric: str, *aliases: str) -> None:
    runs: dict = {}
    for f in sorted(pathlib.Path(folder).glob("*.json")):
        results = json.loads(f.read_text()).get("results", {})
        value = next((results[m] for m in (metric, *aliases) if m in results), None)
        if value is not None:
            runs.setdefault(f.name.split("-")[0], []).append(value)
    print(f"| framework | {metric} median [min-max] | runs |\n|---|---|---|")
    for fw, vals in runs.items():
        print(f"| {fw} | {statistics.median(vals):.3g} [{min(vals):.3g}-{max(vals):.3g}] | {len(vals)} |")
    if "minerva" in runs:
        mine = statistics.median(runs["minerva"])
        for fw, vals in runs.items():
            if fw != "minerva":
                print(f"\nminerva / {fw} = {mine / statistics.median(vals):.2f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *sys.argv[3:])
