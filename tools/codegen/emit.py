"""Writes a generator's files, or with --check on the command line fails (exit status 1) naming
every committed file that differs from what the generator renders now. Every generator in
tools/codegen ends with it, so CI's freshness checks all behave alike."""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def write_or_check(files: dict, tool: str) -> int:
    """files maps each output path to its rendered text; tool names the generator script."""
    if "--check" in sys.argv:
        stale = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
        for p in stale:
            print(f"{p.relative_to(ROOT)} is stale: run python3 tools/codegen/{tool}", file=sys.stderr)
        return 1 if stale else 0
    for p, text in files.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return 0
