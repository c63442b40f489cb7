"""The binding generators (tools/codegen): committed outputs are current, every ABI function is
bound in R or deliberately unbound with a reason, every public operator has R wrappers with the
registry's parameter names and defaults, and parse errors name the function."""
import json
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CODEGEN = ROOT / "tools/codegen"
sys.path.insert(0, str(CODEGEN))

import abi  # noqa: E402
import overrides  # noqa: E402
import r_ops  # noqa: E402


@pytest.mark.parametrize("tool", ["abi.py", "r.py", "r_ops.py"])
def test_regenerating_changes_nothing(tool):
    res = subprocess.run([sys.executable, str(CODEGEN / tool), "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_abi_json_describes_every_declaration():
    desc = json.loads((ROOT / "capi/abi/abi.json").read_text())
    header = (ROOT / "capi/include/minerva/c_api.h").read_text()
    declared = re.findall(r"^MV_DLL\s[^;(]*?\b(MV\w+)\s*\(", header, re.M)
    assert [f["name"] for f in desc["functions"]] == declared
    assert desc["abi_version"] == int(re.search(r"MV_ABI_VERSION (\d+)", header).group(1))
    create = next(f for f in desc["functions"] if f["name"] == "MVNDArrayCreate")
    assert create["params"][0] == {"name": "shape", "type": "const int64_t*", "role": "in_array", "count": "ndim"}
    assert create["params"][-1] == {"name": "out", "type": "MVNDArrayHandle*", "role": "out_owned",
                                    "free": "MVNDArrayFree"}
    symbols = (ROOT / "capi/abi/symbols.txt").read_text().split()
    assert sorted(declared) == sorted(s.split("@")[0] for s in symbols if s.startswith("MV"))
    for f in desc["functions"]:
        assert f["doc"] and f["since"] >= 1, f["name"]


def test_parse_errors_name_the_function():
    bad = "/*! \\brief Broken. Since ABI 1. */\nMV_DLL int MVBroken(MV_IN MV_OUT int* x);\n"
    with pytest.raises(abi.AbiError, match="MVBroken"):
        abi.parse("#define MV_ABI_VERSION 1\n" + bad)
    no_since = "/*! \\brief No version. */\nMV_DLL int MVNoSince(int x);\n"
    with pytest.raises(abi.AbiError, match="MVNoSince"):
        abi.parse("#define MV_ABI_VERSION 1\n" + no_since)


def test_every_abi_function_is_bound_in_r_or_unbound_with_a_reason():
    desc = json.loads((ROOT / "capi/abi/abi.json").read_text())
    shim = (ROOT / "r/src/minerva_capi.c").read_text()
    stubs = (ROOT / "r/R/capi.R").read_text()
    unbound = overrides.load("r")["unbound_functions"]
    for f in desc["functions"]:
        name = f["name"]
        if name in unbound:
            assert len(unbound[name]) > 20, f"{name}: the reason for leaving it unbound is missing"
            assert f'"{name}"' not in shim
            continue
        assert f'{{"{name}", (DL_FUNC)&mvr_{name},' in shim, f"{name} has no .Call registration"
        assert re.search(rf"^{name} <- function\(", stubs, re.M), f"{name} has no R stub"
    assert "R_useDynamicSymbols(dll, FALSE)" in shim and "R_forceSymbols(dll, TRUE)" in shim


def _r_formals(ops_r: str) -> dict:
    out = {}
    for m in re.finditer(r"^mx\.(nd|symbol)\.(\S+) <- function\((.*)\)$", ops_r, re.M):
        args = {}
        # A formal is `name`, `name = default`, or a backquoted R reserved word (`repeat` = 1).
        for part in re.split(r", (?=`?[A-Za-z_.][\w.]*`? = |[A-Za-z_.][\w.]*(?:, |$))", m.group(3)):
            key, _, default = part.partition(" = ")
            args[key.strip("`")] = default if _ else None
        out[(m.group(1), m.group(2))] = args
    return out


def _same_default(r_default, p) -> bool:
    reg = p["default"]
    if r_default == "NULL":
        return reg in ("None", "()", "[]", "")
    if r_default in ("TRUE", "FALSE"):
        return reg in (("True", "1") if r_default == "TRUE" else ("False", "0"))
    if r_default.startswith('"'):
        return json.loads(r_default) == reg
    if r_default.startswith("c("):
        return re.findall(r"-?\d+", r_default) == re.findall(r"-?\d+", reg)
    return float(r_default) == float(reg)


def test_every_public_operator_has_r_wrappers_with_registry_names_and_defaults():
    from minerva import _op
    common, r = overrides.load("common"), overrides.load("r")
    formals = _r_formals((ROOT / "r/R/ops.R").read_text())
    count = 0
    for name in _op.list_ops():
        if not r_ops.is_public(name, common):
            continue
        s = _op.schema(name)
        names = r_ops.r_names(s, r)
        assert names or all(a in r["skip_names"] for a in [name] + s["aliases"] if not a.startswith("_")), name
        for called in names:
            for kind in ("nd", "symbol"):
                args = formals.get((kind, called.replace("_", ".")))
                assert args is not None, f"mx.{kind}.{called.replace('_', '.')} is missing"
                for p in s["params"]:
                    assert p["name"] in args, f"{called}: parameter {p['name']} missing in mx.{kind}"
                    if p["required"]:
                        assert args[p["name"]] is None, f"{called}: {p['name']} is required but has an R default"
                    else:
                        assert _same_default(args[p["name"]], p), \
                            f"{called}: {p['name']} R default {args[p['name']]} != registry {p['default']}"
                count += 1
    assert count > 200


def test_internal_functions_cover_every_underscore_name_and_never_replace_a_hand_written_one():
    from minerva import _op
    text = r_ops.render_internal({})
    fns = re.findall(r"^(mx\.nd\.internal\.\S+) <- function\(\.\.\., out = NULL\)$", text, re.M)
    expected = {r_ops.internal_r_name(n) for op in _op.list_ops() for n in r_ops.internal_names(_op.schema(op))}
    assert sorted(fns, key=lambda f: (f.lower(), f)) == fns and set(fns) == expected
    assert r_ops.internal_r_name("_contrib_box_nms") == "mx.nd.internal.contrib.box.nms"
    assert not any(n.startswith("_backward") for n in r_ops.internal_names({"name": "_backward_x", "aliases": []}))
    # A hand-written function of the same name (nd_internal.R's helpers, ndarray.R's wrap) is an error.
    helpers = r_ops.hand_written_internal()
    assert helpers["mx.nd.internal.set.value"] == "nd_internal.R" and helpers["mx.nd.internal.wrap"] == "ndarray.R"
    with pytest.raises(r_ops.GenError, match="mx.nd.internal.plus.scalar is also a hand-written function in r/R/x.R"):
        r_ops.render_internal({"mx.nd.internal.plus.scalar": "x.R"})
