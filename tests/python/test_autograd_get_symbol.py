"""mx.autograd.get_symbol against MXNet 1.9.1: the recorded programs of
tools/golden/autograd_symbol_programs.py give a symbol with the same nodes (operators, parameters,
inputs, and names up to MXNet's process-wide counters) as tests/golden/autograd/get_symbol.json
(made by tools/golden/make_autograd_symbol_golden.py), and binding it with the recorded inputs
reproduces the head."""
import importlib.util
import json
import pathlib
import re

import minerva as mx
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("autograd_symbol_programs",
                                               ROOT / "tools" / "golden" / "autograd_symbol_programs.py")
programs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(programs)
GOLDEN = json.loads((ROOT / "tests/golden/autograd/get_symbol.json").read_text())["cases"]


def _name_kind(name):
    return re.fullmatch(r"(var|null|node_)\d+", name).group(1)


@pytest.mark.parametrize("name", sorted(programs.PROGRAMS))
def test_get_symbol_matches_mxnet(name):
    want = GOLDEN[name]
    head, arrays = programs.PROGRAMS[name](mx)
    sym = mx.autograd.get_symbol(head)
    got = json.loads(sym.tojson())
    assert [n["op"] for n in got["nodes"]] == [n["op"] for n in want["json"]["nodes"]]
    for g, w in zip(got["nodes"], want["json"]["nodes"]):
        assert _name_kind(g["name"]) == _name_kind(w["name"])
        assert g.get("attrs", {}) == w.get("attrs", {}), g["op"]
        assert g["inputs"] == w["inputs"], g["op"]
    assert got["heads"] == want["json"]["heads"]
    assert [_name_kind(a) for a in sym.list_arguments()] == [_name_kind(a) for a in want["arguments"]]
    evaluated = sym.eval(**dict(zip(sym.list_arguments(), arrays)))[0].asnumpy()
    np.testing.assert_allclose(evaluated, head.asnumpy(), rtol=1e-6)
    np.testing.assert_allclose(evaluated, want["evaluated"], rtol=1e-5, atol=1e-6)


def test_names_count_as_mxnet_does():
    x = mx.nd.ones((2,))
    x.attach_grad()
    w = mx.nd.ones((2,))
    with mx.autograd.record():
        y = x * w
        z = mx.nd.exp(y)
    nodes = json.loads(mx.autograd.get_symbol(z).tojson())["nodes"]
    var, null, mul, exp = (int(re.search(r"\d+$", n["name"]).group()) for n in nodes)
    # x was marked before w was first used untracked (one variable counter); exp follows mul.
    assert null > var and exp == mul + 1


def test_marked_variable_alone_is_a_variable():
    x = mx.nd.ones((3,))
    x.attach_grad()
    sym = mx.autograd.get_symbol(x)
    assert len(sym.list_arguments()) == 1 and _name_kind(sym.list_arguments()[0]) == "var"


def test_symbol_of_one_output_of_a_multi_output_op():
    x = mx.nd.array(np.arange(6, dtype=np.float32).reshape(2, 3))
    x.attach_grad()
    with mx.autograd.record():
        parts = mx.nd.split(x, num_outputs=3, axis=1)
    sym = mx.autograd.get_symbol(parts[1])
    np.testing.assert_array_equal(sym.eval(**{sym.list_arguments()[0]: x})[0].asnumpy(), [[1], [4]])


def test_not_recorded_is_a_clear_error():
    with pytest.raises(mx.base.MXNetError, match="get_symbol: the array is not part of a recorded computation"):
        mx.autograd.get_symbol(mx.nd.ones((2,)) * 2)
    with pytest.raises(ValueError, match="get_symbol"):
        mx.autograd.get_symbol(mx.nd.ones((2,)))
    with pytest.raises(TypeError, match="get_symbol: expected an NDArray, got list"):
        mx.autograd.get_symbol([1, 2])


def test_c_abi_checks_its_arguments():
    from minerva._capi import ffi, lib
    from minerva.base import check_call

    out = ffi.new("MVSymbolHandle*")
    with pytest.raises(mx.base.MXNetError, match="MVAutogradGetSymbol.*NULL"):
        check_call(lib.MVAutogradGetSymbol(ffi.NULL, out))
    sym = mx.sym.var("a")
    with pytest.raises(mx.base.MXNetError, match="expected a NDArray handle"):
        check_call(lib.MVAutogradGetSymbol(ffi.cast("MVNDArrayHandle", sym.handle), out))
    x = mx.nd.ones((2,))
    x.attach_grad()
    with pytest.raises(mx.base.MXNetError, match="NULL"):
        check_call(lib.MVAutogradGetSymbol(x.handle, ffi.NULL))
    assert out[0] == ffi.NULL  # failures leave the out-parameter alone
