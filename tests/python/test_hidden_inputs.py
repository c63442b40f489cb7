"""Auxiliary states that MXNet's generated functions leave out of their signatures (the registry's
hidden_inputs, today IdentityAttachKLSparseReg's moving_avg): the signatures and composed symbols
match MXNet 1.9.1's (tests/golden/contrib_norm.json, tools/golden/make_contrib_norm_golden.py),
the state can still be named, and leaving it out of an imperative call is a clear error."""
import inspect
import json
import pathlib

import minerva as mx
import numpy as np
import pytest
from minerva import _op

GOLDEN = json.loads((pathlib.Path(__file__).resolve().parents[1] / "golden/contrib_norm.json").read_text())
KL = GOLDEN["kl_sparse_reg"]


def test_schema_marks_the_hidden_input():
    s = _op.schema("IdentityAttachKLSparseReg")
    assert s["inputs"] == ["data", "moving_avg"] and s["hidden_inputs"] == ["moving_avg"]
    assert _op.schema("BatchNorm")["hidden_inputs"] == []  # an NNVM operator lists its states as arguments


def test_signatures_follow_mxnet():
    params = ["sparseness_target", "penalty", "momentum"]
    assert list(inspect.signature(mx.nd.IdentityAttachKLSparseReg).parameters) == \
        ["data", *params, "out", "name", "kwargs"]
    assert list(inspect.signature(mx.sym.IdentityAttachKLSparseReg).parameters) == \
        ["data", *params, "name", "attr", "out", "kwargs"]
    assert "moving_avg : NDArray, keyword only" in mx.nd.IdentityAttachKLSparseReg.__doc__


def test_symbol_creates_the_state_as_mxnet_does():
    sym = mx.sym.IdentityAttachKLSparseReg(mx.sym.var("data"), name="kl", penalty=0.01)
    assert sym.list_arguments() == KL["arguments"]
    assert sym.list_auxiliary_states() == KL["aux"]
    assert sym.list_outputs() == KL["outputs"]
    nodes = [{"name": n["name"], "op": n["op"], "attrs": n.get("attrs", {})} for n in json.loads(sym.tojson())["nodes"]]
    assert nodes == KL["nodes"]  # moving_avg starts at zero ("__init__"), as in MXNet
    named = mx.sym.IdentityAttachKLSparseReg(data=mx.sym.var("d"), moving_avg=mx.sym.var("m"), name="kl2")
    assert named.list_arguments() == KL["named_arguments"]
    assert named.list_auxiliary_states() == KL["named_aux"]
    # A positional parameter after data is a parameter, as in MXNet's signature.
    node = json.loads(mx.sym.IdentityAttachKLSparseReg(mx.sym.var("d"), 0.3).tojson())["nodes"][-1]
    assert node["attrs"]["sparseness_target"] == "0.3"


def test_executor_step_matches_mxnet():
    sym = mx.sym.IdentityAttachKLSparseReg(mx.sym.var("data"), name="kl", penalty=0.01)
    exe = sym.simple_bind(mx.cpu(), data=(5, 4))
    exe.arg_dict["data"][:] = np.array(KL["input"], np.float32)
    exe.aux_dict["kl_moving_avg"][:] = 0.5
    exe.forward(is_train=True)
    exe.backward(mx.nd.array(KL["head"]))
    np.testing.assert_allclose(exe.grad_dict["data"].asnumpy(), KL["grad"], rtol=1e-5)
    np.testing.assert_allclose(exe.aux_dict["kl_moving_avg"].asnumpy(), KL["moving_avg_after"], rtol=1e-5)


def test_imperative_call_takes_the_state_by_keyword_only():
    data, avg = mx.nd.array(np.array(KL["input"], np.float32)), mx.nd.full((4,), 0.5)
    data.attach_grad()
    with mx.autograd.record():
        out = mx.nd.IdentityAttachKLSparseReg(data, 0.1, penalty=0.01, moving_avg=avg)
    out.backward(mx.nd.array(KL["head"]))
    np.testing.assert_allclose(data.grad.asnumpy(), KL["grad"], rtol=1e-5)
    np.testing.assert_allclose(avg.asnumpy(), KL["moving_avg_after"], rtol=1e-5)
    # MXNet's own imperative call cannot run (it has no way to pass the state); Minerva says how.
    with pytest.raises(TypeError, match=r"needs the auxiliary state\(s\) \['moving_avg'\].*moving_avg=NDArray"):
        mx.nd.IdentityAttachKLSparseReg(data)
    with pytest.raises(TypeError, match=r"by keyword only \(moving_avg=\.\.\.\)"):
        mx.nd.IdentityAttachKLSparseReg(data, avg)
    with pytest.raises(TypeError, match=r"by keyword only"):
        mx.sym.IdentityAttachKLSparseReg(mx.sym.var("d"), mx.sym.var("m"))


def test_operator_arguments_leave_the_state_out():
    # MXNet 1.9.1: OperatorArguments(narg=4, names=['data', 'sparseness_target', 'penalty', 'momentum'], ...)
    args = mx.operator.get_operator_arguments("IdentityAttachKLSparseReg")
    assert args.names == ["data", "sparseness_target", "penalty", "momentum"]
    assert args.types[0] == "NDArray-or-Symbol" and args.narg == 4
