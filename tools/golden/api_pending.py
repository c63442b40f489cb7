"""Rewrites tests/python/api_pending.json, the names of MXNet 1.9.1's API that Minerva still owes,
from what is absent today. Run under the main venv after merging branches:

    PYTHONPATH=python python tools/golden/api_pending.py [--check]

--check only reports how the list would change; --doc-table rewrites the per-module table of
docs/api_conformance.md from today's results. test_api_conformance.py fails when a pending name
has become present, and when an absent name is not pending; this tool settles both at once, so
look at what it adds: an addition is a regression unless it is a newly recorded MXNet name."""
from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests" / "python"))

import api_conformance as conf  # noqa: E402


DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "api_conformance.md"


def write_doc_table() -> str:
    """Rewrites the per-module table of docs/api_conformance.md ("Where it stands") from today's
    results; returns the total line."""
    rows, present_all, total_all, allowed_all, whole = [], 0, 0, 0, 0
    for mod in sorted(conf.MODULES):
        results = conf.check_module(mod)
        if results and all(status == "allowed" for status, _ in results.values()) and conf.allowed(mod, None):
            whole += 1
            continue
        present = sum(status == "present" for status, _ in results.values())
        allowed = sum(status == "allowed" for status, _ in results.values())
        total = len(results) - allowed
        present_all, total_all, allowed_all = present_all + present, total_all + total, allowed_all + allowed
        rows.append(f"| `{mod}` | {present}/{total} | {allowed} |")
    share = 100.0 * present_all / max(total_all, 1)
    total_line = f"| **total** | **{present_all}/{total_all}** ({share:.1f}%) | {allowed_all} |"
    text = DOC.read_text()
    head, rest = text.split("| MXNet module | present/total | allowed |\n|---|---|---|\n", 1)
    _, tail = rest.split("| **total** |", 1)
    tail = tail.split("\n", 1)[1]
    DOC.write_text(head + "| MXNet module | present/total | allowed |\n|---|---|---|\n" + "\n".join(rows) + "\n"
                   + total_line + "\n" + tail)
    return f"{total_line} ({whole} modules wholly allowlisted)"


def main(argv: list[str]) -> int:
    if "--doc-table" in argv:
        print(write_doc_table())
        return 0
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
