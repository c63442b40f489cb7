"""Static checks of Minerva.jl (no Julia runtime is installable here, shared/TOOLCHAIN.md): every
.jl file parses with tree-sitter-julia, and every ccall matches the C header through
capi/abi/abi.json (name, return type, argument count and types); hand-written files call only
ABI functions, with the right number of arguments."""
import json
import re

from julia_syntax import JULIA, ROOT, calls, ccalls, functions, julia_files, parse, syntax_errors, walk

ABI = json.loads((ROOT / "capi/abi/abi.json").read_text())
FUNCS = {f["name"]: f for f in ABI["functions"]}
CAPI = JULIA / "src/capi.jl"

# The mapping from C to Julia types, written out independently of tools/codegen/julia.py.
_SCALAR = {"int": "Cint", "size_t": "Csize_t", "int64_t": "Int64", "uint64_t": "UInt64", "void": "Cvoid",
           "MVVersion": "MVVersion"}


def expected_julia_type(ctype: str) -> str:
    bare = ctype.replace("const ", "").replace(" ", "")
    stars = len(bare) - len(bare.rstrip("*"))
    base = bare.rstrip("*")
    if base == "char":
        jt, stars = "Cstring", stars - 1
    elif base in ABI["handles"]:
        jt = base
    elif base in ABI["callbacks"]:
        jt = "Ptr{Cvoid}"
    elif base in ABI["enums"]:
        jt = "Cint"
    else:
        jt = _SCALAR[base]
    for _ in range(stars):
        jt = f"Ptr{{{jt}}}"
    return jt


def test_every_julia_file_parses():
    files = julia_files()
    assert len(files) >= 9, [f.name for f in files]
    bad = {str(f.relative_to(ROOT)): errs[:3] for f in files if (errs := syntax_errors(parse(f)))}
    assert not bad, bad


def test_abi_json_matches_the_header():
    header = (ROOT / "capi/include/minerva/c_api.h").read_text()
    declared = dict(re.findall(r"^MV_DLL\s+[\w\s\*]+?\b(MV\w+)\s*\(([^;]*?)\)\s*;", header, re.S | re.M))
    assert set(declared) == set(FUNCS)
    for name, params in declared.items():
        count = 0 if params.strip() in ("", "void") else params.count(",") + 1
        assert count == len(FUNCS[name]["params"]), name


def test_every_ccall_matches_the_c_header():
    root = parse(CAPI)
    handle_defs = {m.group(1): m.group(2) for m in re.finditer(r"^const (MV\w+Handle) = Ptr\{(MV\w+_)\}$",
                                                              CAPI.read_text(), re.M)}
    assert handle_defs == {h: h[:-len("Handle")] + "_" for h in ABI["handles"]}
    found = ccalls(root)
    mismatches = []
    for symbol, lib, ret, types, args, _ in found:
        f = FUNCS.get(symbol)
        if f is None:
            mismatches.append(f"{symbol}: not an ABI function")
            continue
        if lib != "libminerva":
            mismatches.append(f"{symbol}: library {lib}")
        if ret != expected_julia_type(f["returns"]):
            mismatches.append(f"{symbol}: returns {ret}, C returns {f['returns']}")
        if len(types) != len(f["params"]) or len(args) != len(f["params"]):
            mismatches.append(f"{symbol}: {len(types)} types / {len(args)} args, C has {len(f['params'])}")
            continue
        for t, p in zip(types, f["params"]):
            if t != expected_julia_type(p["type"]):
                mismatches.append(f"{symbol}.{p['name']}: {t}, C type {p['type']} maps to "
                                  f"{expected_julia_type(p['type'])}")
    print(f"{len(found)} ccalls checked, {len(mismatches)} mismatches")
    assert not mismatches, mismatches
    assert len(found) == len({s for s, *_ in found})   # one ccall per function


def test_each_wrapper_is_named_as_its_function_passes_its_parameters_and_checks_the_status():
    for name, positional, _, node in functions(parse(CAPI)):
        if name not in FUNCS:
            continue
        inner = ccalls(node)
        assert len(inner) == 1 and inner[0][0] == name, name
        assert inner[0][4] == positional, f"{name}: passes {inner[0][4]}, takes {positional}"
        body = node.text.decode()
        if FUNCS[name]["returns"] == "int":
            assert f"check_call(status, :{name})" in body, f"{name} does not check its status"


def test_hand_written_files_use_only_the_abi():
    defined = set(re.findall(r"^const (MV_\w+) =", CAPI.read_text(), re.M))
    allowed = set(FUNCS) | set(ABI["handles"]) | {"MVVersion"}
    problems, checked = [], 0
    for path in julia_files():
        if path == CAPI or path.name == "ops.jl":
            continue
        root = parse(path)
        rel = path.relative_to(ROOT)
        if ccalls(root):
            problems.append(f"{rel}: calls ccall directly (only src/capi.jl may)")
        for n in walk(root):
            if n.type != "identifier":
                continue
            word = n.text.decode()
            if re.fullmatch(r"MV_[A-Z0-9_]+", word) and word not in defined:
                problems.append(f"{rel}:{n.start_point[0] + 1}: {word} is not defined in capi.jl")
            elif re.fullmatch(r"MV[A-Z]\w*", word) and word not in allowed:
                problems.append(f"{rel}:{n.start_point[0] + 1}: {word} is not in the ABI")
        for callee, nargs, line in calls(root):
            if callee in FUNCS:
                checked += 1
                if nargs != len(FUNCS[callee]["params"]):
                    problems.append(f"{rel}:{line}: {callee} called with {nargs} arguments, "
                                    f"C takes {len(FUNCS[callee]['params'])}")
    print(f"{checked} calls of ABI functions in hand-written files checked")
    assert checked > 40
    assert not problems, problems


def test_owned_outputs_are_wrapped_by_types_with_finalizers():
    src = "\n".join(p.read_text() for p in (JULIA / "src").glob("*.jl") if p != CAPI)
    frees = {p["free"] for f in ABI["functions"] for p in f["params"] if p["role"] == "out_owned"}
    for free in frees:
        assert free in src, f"no Julia code releases handles with {free}"
    for kind in ("NDArray", "SymbolicNode", "Executor"):
        assert re.search(rf"mutable struct {kind}\b", src)
    assert src.count("finalizer(_free!") >= 3
