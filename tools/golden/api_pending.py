"""Rewrites tests/python/api_pending.json, the names of MXNet 1.9.1's API that Minerva still owes,
from what is absent today. Run under the main venv after merging branches:

    PYTHONPATH=python python tools/golden/api_pending.py [--check]

--check only reports how the list would change. test_api_conformance.py fails when a pending name
has become present, and when an absent name is not pending; this tool settles both at once, so
look at what it adds: an addition is a regression unless it is a newly recorded MXNet name."""
from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests" / "python"))

import api_conformance as conf  # noqa: E402


def main(argv: list[str]) -> int:
    old = conf.load_pending()
    new = conf.current_absences()
    flat_old = {(m, n) for m, names in old.items() for n in names}
    flat_new = {(m, n) for m, names in new.items() for n in names}
    gone, added = sorted(flat_old - flat_new), sorted(flat_new - flat_old)
    for m, n in gone:
        print(f"now present: {m}.{n}")
    for m, n in added:
        print(f"newly absent: {m}.{n}: {new[m][n]}")
    print(f"{len(flat_new)} pending ({len(gone)} now present, {len(added)} newly absent)")
    if "--check" not in argv:
        conf.write_pending(new)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
