#!/usr/bin/env python3
"""Reads capi/include/minerva/c_api.h into capi/abi/abi.json, the one description every ABI
binding generator works from (ABI.md rules 9 and 21).

The ownership macros expand to nothing, so a preprocessor would lose them: this reads the raw
header text. It takes every `MV_DLL <type> MVName(...);` declaration with the doc comment above
it, the handle typedefs, the enums and the callback typedefs. A declaration it cannot read is an
error naming the function. Run with --check to fail when the committed abi.json is stale.
"""
import json
import pathlib
import re
import sys
import emit

ROOT = pathlib.Path(__file__).resolve().parents[2]
HEADER = ROOT / "capi/include/minerva/c_api.h"
OUTPUT = ROOT / "capi/abi/abi.json"

_ANNOTATION = re.compile(r"\b(MV_IN_ARRAY|MV_OUT_OWNED|MV_OUT_BORROWED)\s*\(\s*([^()]*?)\s*\)"
                         r"|\b(MV_IN_OPT|MV_IN|MV_OUT)\b")
_ROLE_OF = {"MV_IN": "in", "MV_IN_OPT": "in_opt", "MV_OUT": "out", "MV_IN_ARRAY": "in_array",
            "MV_OUT_OWNED": "out_owned", "MV_OUT_BORROWED": "out_borrowed"}
_EXTRA_KEY = {"in_array": "count", "out_owned": "free", "out_borrowed": "lifetime"}
_DECL = re.compile(r"^MV_DLL\s+(?P<ret>[\w\s\*]+?)\s*\b(?P<name>MV\w+)\s*\((?P<params>[^;]*?)\)\s*;", re.S | re.M)
_SINCE = re.compile(r"Since ABI (\d+)")


class AbiError(Exception):
    """A declaration the parser cannot read; the message names the function."""


def normalize_type(text: str) -> str:
    """'const char * *' -> 'const char**': words separated by one space, stars glued on."""
    text = re.sub(r"\s+", " ", text.strip())
    text = re.sub(r"\s*\*\s*", "*", text)
    return text


def _split_params(text: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def parse_param(func: str, text: str, annotated: bool) -> dict:
    role, extra = None, None
    found = list(_ANNOTATION.finditer(text))
    if len(found) > 1:
        raise AbiError(f"{func}: parameter '{text}' carries {len(found)} annotations, expected at most one")
    if found:
        m = found[0]
        macro = m.group(1) or m.group(3)
        role = _ROLE_OF[macro]
        extra = m.group(2)
        if role in _EXTRA_KEY and not extra:
            raise AbiError(f"{func}: annotation {macro} in '{text}' has an empty argument")
        text = (text[:m.start()] + " " + text[m.end():]).strip()
    m = re.fullmatch(r"(?P<type>.*?[\w\*])\s*\b(?P<name>[A-Za-z_]\w*)", text, re.S)
    if not m or not m.group("type").strip():
        raise AbiError(f"{func}: cannot read parameter '{text}' (expected '<type> <name>')")
    ptype = normalize_type(m.group("type"))
    if role is None:
        if annotated and "*" in ptype:
            raise AbiError(f"{func}: pointer parameter '{m.group('name')}' has no ownership annotation")
        role = "in"
    out = {"name": m.group("name"), "type": ptype, "role": role}
    if role in _EXTRA_KEY:
        out[_EXTRA_KEY[role]] = extra
    return out


def _doc_before(text: str, pos: int, func: str) -> str:
    start = text.rfind("/*!", 0, pos)
    end = text.find("*/", start) if start >= 0 else -1
    if start < 0 or end < 0 or end > pos:
        raise AbiError(f"{func}: no /*! ... */ doc comment above the declaration")
    if text[end + 2:pos].strip():
        raise AbiError(f"{func}: the doc comment above the declaration is separated from it by code")
    return text[start + 3:end]


def _clean_doc(body: str) -> str:
    lines = [re.sub(r"^\s*\*\s?", "", ln) for ln in body.splitlines()]
    return re.sub(r"\s+", " ", " ".join(lines)).strip()


def first_sentence(doc: str) -> str:
    doc = re.sub(r"^\\brief\s*", "", doc)
    doc = doc.split("\\param")[0].split("\\return")[0].strip()
    m = re.search(r"(.+?(?<!e\.g)(?<!i\.e)[.!?])(\s|$)", doc)
    return (m.group(1) if m else doc).strip()


def parse_functions(text: str) -> list[dict]:
    functions = []
    for m in _DECL.finditer(text):
        name = m.group("name")
        body = _clean_doc(_doc_before(text, m.start(), name))
        since = _SINCE.search(body)
        if not since:
            raise AbiError(f"{name}: the doc comment does not say 'Since ABI n'")
        raw = m.group("params").strip()
        params = [] if raw in ("", "void") else [parse_param(name, p, True) for p in _split_params(raw)]
        names = {p["name"] for p in params}
        for p in params:
            if p["role"] == "in_array" and p["count"] not in names:
                raise AbiError(f"{name}: MV_IN_ARRAY({p['count']}) of '{p['name']}' names no parameter")
        functions.append({"name": name, "since": int(since.group(1)), "returns": normalize_type(m.group("ret")),
                          "doc": first_sentence(body), "params": params})
    declared = re.findall(r"^MV_DLL\s[^;(]*?\b(MV\w+)\s*\(", text, re.M)
    missing = sorted(set(declared) - {f["name"] for f in functions})
    if missing:
        raise AbiError(f"{missing[0]}: declaration could not be parsed")
    return functions


def parse_enums(text: str) -> dict:
    enums = {}
    for m in re.finditer(r"typedef\s+enum\s*\{(?P<body>[^}]*)\}\s*(?P<name>\w+)\s*;", text):
        values, nxt = {}, 0
        for item in [i.strip() for i in m.group("body").split(",") if i.strip()]:
            km = re.fullmatch(r"(\w+)(?:\s*=\s*(-?\w+))?", item)
            if not km:
                raise AbiError(f"{m.group('name')}: cannot read enumerator '{item}'")
            nxt = int(km.group(2), 0) if km.group(2) else nxt
            values[km.group(1)] = nxt
            nxt += 1
        enums[m.group("name")] = values
    return enums


def parse_callbacks(text: str) -> dict:
    callbacks = {}
    pattern = r"typedef\s+(?P<ret>[\w\s\*]+?)\s*\(\s*\*\s*(?P<name>\w+)\s*\)\s*\((?P<params>[^;]*)\)\s*;"
    for m in re.finditer(pattern, text):
        name = m.group("name")
        raw = m.group("params").strip()
        params = [] if raw in ("", "void") else [parse_param(name, p, False) for p in _split_params(raw)]
        callbacks[name] = {"returns": normalize_type(m.group("ret")),
                           "params": [{"name": p["name"], "type": p["type"]} for p in params]}
    return callbacks


def strip_line_comments(text: str) -> str:
    # Plain /* ... */ comments (not /*! docs) can hold example calls; blank them, keeping offsets.
    return re.sub(r"/\*(?!!).*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)


def parse(text: str) -> dict:
    text = strip_line_comments(text)
    version = re.search(r"#define\s+MV_ABI_VERSION\s+(\d+)", text)
    if not version:
        raise AbiError("MV_ABI_VERSION: no '#define MV_ABI_VERSION <n>' in the header")
    handles = re.findall(r"typedef\s+struct\s+\w+\s*\*\s*(MV\w+Handle)\s*;", text)
    return {"_generated": "generated by tools/codegen/abi.py from capi/include/minerva/c_api.h; do not edit",
            "abi_version": int(version.group(1)), "handles": handles, "enums": parse_enums(text),
            "callbacks": parse_callbacks(text), "functions": parse_functions(text)}


def render() -> str:
    return json.dumps(parse(HEADER.read_text()), indent=1) + "\n"


def load() -> dict:
    """The committed description (what the other generators read)."""
    return json.loads(OUTPUT.read_text())


def main() -> int:
    try:
        rendered = render()
    except AbiError as e:
        print(f"abi.py: {HEADER.relative_to(ROOT)}: {e}", file=sys.stderr)
        return 1
    return emit.write_or_check({OUTPUT: rendered}, "abi.py")


if __name__ == "__main__":
    sys.exit(main())
