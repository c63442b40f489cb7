"""Records MXNet 1.9.1's public Python API for tests/python/test_api_conformance.py.

Run under the oracle: /work/main/.oracle-venv/bin/python tools/golden/make_api_fixture.py
Writes tests/golden/api/mxnet-1.9.1.json: for every public module of the ``mxnet`` package (the
package itself and each submodule pkgutil.walk_packages finds whose dotted name has no part
starting with ``_``), the names ``dir()`` lists, the names ``from module import *`` binds
(``__all__`` when the module defines it, else every name not starting with ``_``), and for each
of those names its kind (module, class, function, constant), where it comes from (the module's
or the object's ``__module__``: tells an incidental ``import os`` from MXNet's own names) and,
for functions and classes, the parameters ``inspect.signature`` reports: name, kind, default
(repr; MXNet's ``_Null`` default as the marker ``<_Null>``). Signatures are stored once each and
referred to by index: the same operator function appears in several modules (``mx.nd``,
``mx.nd.op``, ``gen_op``).
"""
from __future__ import annotations

import importlib
import inspect
import json
import pathlib
import pkgutil
import re
import sys
import types
import warnings

import mxnet as mx

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "golden" / "api" / "mxnet-1.9.1.json"
NULL_MARKER = "<_Null>"
_KIND_CODE = {
    inspect.Parameter.POSITIONAL_ONLY: "pos",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "pk",
    inspect.Parameter.VAR_POSITIONAL: "var",
    inspect.Parameter.KEYWORD_ONLY: "kw",
    inspect.Parameter.VAR_KEYWORD: "varkw",
}
# Files in the package that are scripts, not modules: importing mxnet.onnx.setup runs setup().
_SCRIPTS = {"mxnet.onnx.setup"}
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_MODULE_PATH = re.compile(r"(<module '[^']*') from '[^']*'>")


def public_modules() -> dict[str, types.ModuleType | str]:
    """Dotted name -> module, or the import error's text for a module that does not import."""
    names = ["mxnet"] + sorted(m.name for m in pkgutil.walk_packages(mx.__path__, "mxnet.", onerror=lambda n: None)
                               if not any(part.startswith("_") for part in m.name.split("."))
                               and m.name not in _SCRIPTS)
    found = {}
    for name in names:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found[name] = importlib.import_module(name)
        except Exception as e:  # noqa: BLE001 - optional dependencies (onnx, torch...) missing
            found[name] = f"{type(e).__name__}: {e}"
    return found


def kind_of(value) -> str:
    if isinstance(value, types.ModuleType):
        return "module"
    if isinstance(value, type):
        return "class"
    if callable(value):
        return "function"
    return "constant"


def default_repr(default) -> str | None:
    """repr of a default, without what depends on the machine: object addresses, module file
    paths, and the data directory ($MXNET_HOME or ~/.mxnet), shown as <data_dir>."""
    if default is inspect.Parameter.empty:
        return None
    if type(default).__name__ == "_NullType":
        return NULL_MARKER
    text = _MODULE_PATH.sub(r"\1>", _ADDRESS.sub("", repr(default)))
    return text.replace(mx.base.data_dir(), "<data_dir>")


def signature_of(value) -> list | None:
    """[[name, kind code, default repr or None], ...], or None when Python cannot tell."""
    try:
        sig = inspect.signature(value)
    except (TypeError, ValueError):
        return None
    return [[p.name, _KIND_CODE[p.kind], default_repr(p.default)] for p in sig.parameters.values()]


def star_names(module: types.ModuleType) -> list[str]:
    declared = getattr(module, "__all__", None)
    if declared is not None:
        return sorted(set(declared))
    return sorted(n for n in dir(module) if not n.startswith("_"))


def describe(module: types.ModuleType, signatures: dict) -> dict:
    names = {}
    star = star_names(module)
    for name in sorted(set(star) | {n for n in dir(module) if not n.startswith("_")}):
        try:
            value = getattr(module, name)
        except Exception:  # noqa: BLE001 - a name in __all__ the module never defines
            names[name] = {"kind": "unresolvable"}
            continue
        entry = {"kind": kind_of(value)}
        origin = value.__name__ if entry["kind"] == "module" else getattr(value, "__module__", None)
        if entry["kind"] != "constant" and isinstance(origin, str):
            entry["from"] = origin
        if entry["kind"] in ("function", "class"):
            sig = signature_of(value)
            if sig is not None:
                key = json.dumps(sig)
                entry["sig"] = signatures.setdefault(key, len(signatures))
        names[name] = entry
    return {"has_all": hasattr(module, "__all__"), "dir": sorted(dir(module)), "star": star, "names": names}


def main() -> None:
    signatures: dict[str, int] = {}
    modules, unimportable = {}, {}
    for name, module in public_modules().items():
        if isinstance(module, str):
            unimportable[name] = module
        else:
            modules[name] = describe(module, signatures)
    table = [json.loads(k) for k, _ in sorted(signatures.items(), key=lambda kv: kv[1])]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w") as f:
        f.write('{"mxnet_version": %s, "null_marker": %s,\n' % (json.dumps(mx.__version__), json.dumps(NULL_MARKER)))
        f.write(' "unimportable": %s,\n' % json.dumps(unimportable, sort_keys=True))
        f.write(' "signatures": [\n')
        f.write(",\n".join("  " + json.dumps(s) for s in table))
        f.write('],\n "modules": {\n')
        f.write(",\n".join(f"  {json.dumps(n)}: {json.dumps(m, sort_keys=True)}" for n, m in sorted(modules.items())))
        f.write("}}\n")
    print(f"{len(modules)} modules ({len(unimportable)} unimportable), {len(table)} signatures -> {OUT}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
