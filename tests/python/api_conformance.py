"""Compares Minerva's Python API with MXNet 1.9.1's, as recorded by tools/golden/make_api_fixture.py
in tests/golden/api/mxnet-1.9.1.json (docs/api_conformance.md says how and why).

For each public MXNet module ``mxnet.X`` and each name it exposes (every public name of ``dir()``
and every name ``from mxnet.X import *`` binds), ``minerva.X`` must have the name, bind it in its
own star import, give it the same kind (module, class, function, constant) and, for functions and
classes, a compatible signature (``signature_problem``). A name is then "present". What differs on
purpose is in api_allowlist.py with its reason; what issue 10 still owes is in api_pending.json,
rewritten by tools/golden/api_pending.py. Shared by test_api_conformance.py and that tool.
"""
from __future__ import annotations

import ast
import fnmatch
import importlib
import inspect
import json
import pathlib
import re
import sys
import types
import warnings

import api_allowlist

HERE = pathlib.Path(__file__).resolve().parent
FIXTURE_PATH = HERE.parent / "golden" / "api" / "mxnet-1.9.1.json"
PENDING_PATH = HERE / "api_pending.json"
FIXTURE = json.loads(FIXTURE_PATH.read_text())
NULL = FIXTURE["null_marker"]
SIGNATURES = FIXTURE["signatures"]
MODULES = FIXTURE["modules"]
_STDLIB = set(sys.stdlib_module_names) - {"builtins"}

_KIND_CODE = {
    inspect.Parameter.POSITIONAL_ONLY: "pos",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "pk",
    inspect.Parameter.VAR_POSITIONAL: "var",
    inspect.Parameter.KEYWORD_ONLY: "kw",
    inspect.Parameter.VAR_KEYWORD: "varkw",
}
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_MODULE_PATH = re.compile(r"(<module '[^']*') from '[^']*'>")


def minerva_name(mxnet_module: str) -> str:
    return "minerva" + mxnet_module[len("mxnet"):]


def import_minerva(mxnet_module: str):
    """The Minerva module for an MXNet one, or the import error's text."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module(minerva_name(mxnet_module))
    except Exception as e:  # noqa: BLE001 - reported as the reason every name is absent
        return f"{minerva_name(mxnet_module)} does not import ({type(e).__name__}: {e})"


def kind_of(value) -> str:
    if isinstance(value, types.ModuleType):
        return "module"
    if isinstance(value, type):
        return "class"
    if callable(value):
        return "function"
    return "constant"


def _default_repr(default) -> str | None:
    """As make_api_fixture.py writes them: no addresses, module paths or data directory."""
    if default is inspect.Parameter.empty:
        return None
    if type(default).__name__ == "_NullType":
        return NULL
    text = _MODULE_PATH.sub(r"\1>", _ADDRESS.sub("", repr(default)))
    try:
        from minerva.base import data_dir
    except ImportError:  # an old tree: nothing to replace
        return text
    return text.replace(data_dir(), "<data_dir>")


def signature_of(value) -> list | None:
    try:
        sig = inspect.signature(value)
    except (TypeError, ValueError):
        return None
    return [[p.name, _KIND_CODE[p.kind], _default_repr(p.default)] for p in sig.parameters.values()]


def _same_default(theirs: str, mine: str) -> bool:
    if theirs == mine:
        return True
    mine = mine.replace("minerva", "mxnet")
    if theirs == mine:
        return True
    try:
        a, b = ast.literal_eval(theirs), ast.literal_eval(mine)
    except (ValueError, SyntaxError):
        return False
    # 1 == 1.0 is the same default to a caller; True == 1 is not.
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def signature_problem(theirs: list, mine: list) -> str | None:
    """Why a call written for MXNet's signature could fail or behave differently with Minerva's,
    or None. MXNet's positional parameters must be Minerva's first positional ones, same names in
    the same order; its keyword-only ones must exist; ``*args``/``**kwargs`` where MXNet has them;
    MXNet's defaults kept (an MXNet ``_Null`` default means "unset, the operator's own default"
    and accepts any); Minerva may add parameters only with defaults (a required parameter MXNet
    lacks breaks calls)."""
    def named(sig):
        return [p for p in sig if p[1] not in ("var", "varkw")]
    t_named, m_named = named(theirs), named(mine)
    t_pos = [p for p in t_named if p[1] in ("pos", "pk")]
    m_pos = [p for p in m_named if p[1] in ("pos", "pk")]
    for i, p in enumerate(t_pos):
        if i >= len(m_pos) or m_pos[i][0] != p[0]:
            return (f"positional parameters {[q[0] for q in m_pos]}, MXNet has {[q[0] for q in t_pos]}")
    for kind, label in (("var", "*args"), ("varkw", "**kwargs")):
        if any(p[1] == kind for p in theirs) and not any(p[1] == kind for p in mine):
            return f"takes no {label}, MXNet does"
    m_by_name = {p[0]: p for p in m_named}
    for name, _, t_default in t_named:
        m = m_by_name.get(name)
        if m is None:
            return f"has no parameter {name!r}"
        m_default = m[2]
        if t_default is None or t_default == NULL:
            continue  # required in MXNet (a default here is more lenient) or MXNet's "unset"
        if m_default is None:
            return f"parameter {name!r} is required, MXNet's default is {t_default}"
        if not _same_default(t_default, m_default):
            return f"parameter {name!r} defaults to {m_default}, MXNet's to {t_default}"
    t_names = {p[0] for p in t_named}
    extra_required = [p[0] for p in m_named if p[0] not in t_names and p[2] is None]
    if extra_required:
        return f"requires parameters MXNet does not have: {extra_required}"
    return None


def star_names(module) -> set:
    declared = getattr(module, "__all__", None)
    return set(declared) if declared is not None else {n for n in dir(module) if not n.startswith("_")}


def checked_names(mxnet_module: str) -> dict:
    """name -> MXNet's entry, for the names the test checks in one module."""
    return MODULES[mxnet_module]["names"]


def problem(mxnet_module: str, name: str, entry: dict, module, my_star: set) -> str | None:
    """Why minerva's name differs from MXNet's (None when it is present and conforms)."""
    if isinstance(module, str):
        return module
    if not hasattr(module, name):
        return "missing"
    value = getattr(module, name)
    kind = kind_of(value)
    if kind != entry["kind"]:
        return f"a {kind}, MXNet's is a {entry['kind']}"
    if name in MODULES[mxnet_module]["star"] and name not in my_star:
        return "not bound by a star import (left out of __all__)"
    if "sig" in entry:
        mine = signature_of(value)
        if mine is not None:
            why = signature_problem(SIGNATURES[entry["sig"]], mine)
            if why:
                return "signature: " + why
    return None


def allowed(mxnet_module: str, name: str | None, entry: dict | None = None) -> str | None:
    """The allowlist's reason for a module (name None) or a name, or None."""
    for pattern, reason in api_allowlist.MODULES.items():
        if fnmatch.fnmatchcase(mxnet_module, pattern):
            return reason
    if name is None:
        return None
    for module_pattern, name_pattern, reason in api_allowlist.NAMES:
        if fnmatch.fnmatchcase(mxnet_module, module_pattern) and fnmatch.fnmatchcase(name, name_pattern):
            return reason
    origin = (entry or {}).get("from") or ""
    if origin.split(".")[0] in _STDLIB:
        return api_allowlist.INCIDENTAL_STDLIB
    return None


def check_module(mxnet_module: str) -> dict:
    """{name: ("present" | "allowed" | "absent", detail)} for one MXNet module."""
    names = checked_names(mxnet_module)
    if allowed(mxnet_module, None):
        return {n: ("allowed", allowed(mxnet_module, None)) for n in names}
    module = import_minerva(mxnet_module)
    my_star = star_names(module) if not isinstance(module, str) else set()
    out = {}
    for name, entry in names.items():
        reason = allowed(mxnet_module, name, entry)
        why = problem(mxnet_module, name, entry, module, my_star)
        if why is None:
            out[name] = ("present", None)
        elif reason:
            out[name] = ("allowed", reason)
        else:
            out[name] = ("absent", why)
    return out


def load_pending() -> dict:
    return json.loads(PENDING_PATH.read_text())["pending"] if PENDING_PATH.exists() else {}


def current_absences() -> dict:
    """{mxnet module: {name: why}} of every name absent today (outside the allowlist)."""
    out = {}
    for mod in MODULES:
        absent = {n: why for n, (status, why) in check_module(mod).items() if status == "absent"}
        if absent:
            out[mod] = absent
    return out


def write_pending(absences: dict) -> None:
    header = ("Names of MXNet 1.9.1's API that Minerva still owes (issue 10), with why each is not "
              "present yet. Generated by tools/golden/api_pending.py; test_api_conformance.py fails "
              "when a name listed here has become present, so the list only shrinks.")
    PENDING_PATH.write_text(json.dumps({"about": header, "pending": absences}, indent=1, sort_keys=True) + "\n")
