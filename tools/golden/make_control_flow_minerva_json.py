#!/usr/bin/env python3
"""Writes the symbol JSON Minerva produces for each program of control_flow_programs.py to
tests/golden/control_flow/minerva/<program>.json, for make_control_flow_golden.py to load into
MXNet 1.9.1 (the Minerva -> MXNet direction of the JSON check). Run it with Minerva's venv,
before the oracle script:

    PYTHONPATH=python .venv/bin/python tools/golden/make_control_flow_minerva_json.py
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "python"))

import minerva as mx  # noqa: E402
from control_flow_programs import PROGRAMS  # noqa: E402

OUT = HERE.parents[1] / "tests/golden/control_flow/minerva"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in PROGRAMS.items():
        sym, _, _ = build(mx)
        (OUT / f"{name}.json").write_text(sym.tojson() + "\n")
    print(f"wrote {len(PROGRAMS)} files to {OUT}")


if __name__ == "__main__":
    main()
