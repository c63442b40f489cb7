"""Loads tools/codegen/overrides.yaml, the one table of per-op and per-function exceptions.

The file is written in JSON syntax, a subset of YAML 1.2, so it needs no YAML parser here and
any YAML tool still reads it. "_about" keys are comments; other keys may start with '_' (the
names of internal operators such as _zeros)."""
import json
import pathlib

PATH = pathlib.Path(__file__).resolve().parent / "overrides.yaml"


class OverridesError(Exception):
    """A malformed entry; the message names the section and the key."""


def _strip(node):
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k != "_about"}
    return node


def load(section: str) -> dict:
    try:
        data = json.loads(PATH.read_text())
    except json.JSONDecodeError as e:
        raise OverridesError(f"{PATH.name}: not valid JSON-syntax YAML: {e}") from None
    if section not in data:
        raise OverridesError(f"{PATH.name}: no top-level section '{section}'")
    return _strip(data[section])
