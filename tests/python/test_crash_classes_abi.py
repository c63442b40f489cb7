"""Issue 12's crash classes on the C ABI and graph side (docs/bad_input.md, "C ABI and graphs"):
F1 none arrays, F3 backward operators reachable from the public paths, F7 list_outputs on a
node of many outputs, F8 handle kinds, F10 leaks of failed calls, F18 counts read before
they are checked. Each test feeds the issue's reproducer and asserts the clear error (or the
defined result) in place of the crash.

Run as a script (`python test_crash_classes_abi.py probe MODE OP...`) this file is the worker of
the registry-wide backward probe: one subprocess per batch of operators, so a crash is reported
as a failure naming the operator instead of ending the test run."""
from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time

import numpy as np
import pytest

import minerva as mx
from minerva import _op
from minerva._capi import ffi, lib

# ---- F1: none arrays ----------------------------------------------------------------------------

# The issue's buffer: a V2 record of undefined storage (what MXNet and Minerva write for a none
# array), and a V3 (numpy shape) record of unknown rank; both load as a none array.
_LIST_HEADER = struct.pack("<QQQ", 0x112, 0, 1)
NONE_V2 = _LIST_HEADER + struct.pack("<Iii", 0xF993FAC9, -1, 0) + struct.pack("<Q", 0)
NONE_V3 = _LIST_HEADER + struct.pack("<Iii", 0xF993FACA, 0, -1) + struct.pack("<Q", 0)


@pytest.fixture(params=[NONE_V2, NONE_V3], ids=["v2_undefined_storage", "v3_unknown_shape"])
def none_array(request):
    return mx.nd.load_frombuffer(request.param)[0]


def test_none_array_has_mxnet_shape_and_waits(none_array):
    # MXNet 1.9.1 (NDArray(_new_empty_handle())): shape (), ndim 0, wait_to_read returns, grad None.
    assert none_array.shape == ()
    assert none_array.ndim == 0
    none_array.wait_to_read()
    none_array.wait_to_write()
    assert none_array.grad is None


@pytest.mark.parametrize("use", [
    "print", "asnumpy", "copy", "reshape", "context", "detach", "attach_grad", "copyto", "copy_into",
    "add", "astype", "slice_assign",
])
def test_none_array_use_is_a_clear_error(none_array, use):
    calls = {
        "print": lambda a: print(a),
        "asnumpy": lambda a: a.asnumpy(),
        "copy": lambda a: a.copy(),
        "reshape": lambda a: a.reshape((1,)),
        "context": lambda a: a.context,
        "detach": lambda a: a.detach(),
        "attach_grad": lambda a: a.attach_grad(),
        "copyto": lambda a: a.copyto(mx.nd.zeros((1,))),
        "copy_into": lambda a: mx.nd.zeros((1,)).copyto(a),
        "add": lambda a: a + 1,
        "astype": lambda a: a.astype("int32"),
        "slice_assign": lambda a: a.__setitem__(slice(None), 1),
    }
    with pytest.raises(mx.MXNetError, match="none array"):
        calls[use](none_array)


def test_none_array_saves_and_loads_back(none_array, tmp_path):
    path = str(tmp_path / "none.params")
    mx.nd.save(path, {"w": none_array, "b": mx.nd.ones((2,))})
    back = mx.nd.load(path)
    assert back["w"].shape == ()
    np.testing.assert_array_equal(back["b"].asnumpy(), np.ones(2, np.float32))
    with pytest.raises(mx.MXNetError, match="none array"):
        back["w"].asnumpy()


# ---- F3: backward operators from symbol JSON and the imperative path -----------------------------

def _graph_of(op: str, n_inputs: int, attrs: dict | None = None) -> str:
    nodes = [{"op": "null", "name": f"in{i}", "inputs": []} for i in range(n_inputs)]
    nodes.append({"op": op, "name": "bw", "attrs": {k: str(v) for k, v in (attrs or {}).items()},
                  "inputs": [[i, 0, 0] for i in range(n_inputs)]})
    return json.dumps({"nodes": nodes, "arg_nodes": list(range(n_inputs)), "heads": [[n_inputs, 0, 0]],
                       "attrs": {"mxnet_version": ["int", 10901]}})


def test_issue_reproducer_backward_softmax_cross_entropy_json():
    nodes = [{"op": "null", "name": n, "inputs": []} for n in "abc"]
    nodes.append({"op": "_backward_softmax_cross_entropy", "name": "bw", "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]})
    sym = mx.sym.load_json(json.dumps({"nodes": nodes, "arg_nodes": [0, 1, 2], "node_row_ptr": [0, 1, 2, 3, 4],
                                       "heads": [[3, 0, 0]], "attrs": {"mxnet_version": ["int", 10901]}}))
    with pytest.raises(mx.MXNetError, match="_backward_softmax_cross_entropy"):
        exe = sym.simple_bind(mx.cpu(), a=(3, 2, 1), b=(3,), c=(3, 2, 2))
        exe.forward()


# (operator, parameters, mismatched input shapes, what the message names)
LISTED = [
    ("_backward_softmax", {}, [(3, 2, 1), (3, 2, 2), (3, 2, 2)], "ograd"),
    ("_backward_log_softmax", {}, [(3, 2, 2), (3, 2, 1), (3, 2, 2)], "out"),
    ("_backward_SoftmaxOutput", {}, [(4, 5), (3, 5), (3,)], "ograd"),
    ("_backward_SoftmaxOutput", {}, [(3, 5), (3, 5), (4,)], "label"),
    ("_backward_softmax_cross_entropy", {}, [(2,), (3, 4), (3,)], "ograd"),
    ("_backward_LayerNorm", {}, [(2, 3), (2, 3), (3,), (2, 1), (5, 1)], "std"),
    ("_backward_LayerNorm", {}, [(2, 4), (2, 3), (3,), (2, 1), (2, 1)], "ograd"),
    ("_backward_InstanceNorm", {}, [(2, 3, 4), (2, 3, 4), (2,)], "gamma"),
    ("_backward_InstanceNorm", {}, [(2, 3), (2, 3), (3,)], "at least 3 dimensions"),
    ("_backward_GroupNorm", {"num_groups": 2}, [(2, 4, 3), (2, 4, 5), (2,)], "ograd"),
    ("_backward_GroupNorm", {"num_groups": 2}, [(2, 4, 3), (2, 4, 3), (4,)], "gamma"),
    ("_backward_BatchNorm", {}, [(2, 3, 4), (2, 3, 4), (3,), (3,), (4,)], "invstd"),
    ("_backward_BatchNorm", {}, [(2, 3, 5), (2, 3, 4), (3,), (3,), (3,)], "ograd"),
    ("_backward_SequenceLast", {}, [(4, 2), (4, 3, 2)], "ograd"),
    ("_backward_SequenceLast", {"use_sequence_length": True}, [(3, 2), (4, 3, 2), (5,)], "sequence_length"),
    ("_backward_Embedding", {"input_dim": 5, "output_dim": 4}, [(2, 3), (2, 3)], "ograd"),
]


@pytest.mark.parametrize("op,params,shapes,names", LISTED, ids=[f"{c[0]}-{c[3]}" for c in LISTED])
def test_listed_backward_ops_reject_mismatched_shapes(op, params, shapes, names):
    fn = getattr(mx.nd._internal, op)
    with pytest.raises(mx.MXNetError, match=names):
        fn(*[mx.nd.ones(s) for s in shapes], **params).wait_to_read()
    # The same node in a symbol JSON: inference or the kernel never runs on the bad shapes.
    sym = mx.sym.load_json(_graph_of(op, len(shapes), params))
    with pytest.raises(mx.MXNetError, match=names):
        exe = sym.simple_bind(mx.cpu(), grad_req="null", **{f"in{i}": s for i, s in enumerate(shapes)})
        exe.forward()


def test_backward_norm_ops_still_take_their_forward_shapes():
    # The checks accept what the gradient graph passes: LayerNorm's own gradient, end to end.
    x = mx.nd.array(np.random.RandomState(0).uniform(-1, 1, (2, 3)))
    g, b = mx.nd.ones((3,)), mx.nd.zeros((3,))
    for t in (x, g, b):
        t.attach_grad()
    with mx.autograd.record():
        y = mx.nd.LayerNorm(x, g, b)
    y.backward()
    assert x.grad.shape == (2, 3) and g.grad.shape == (3,)
    np.testing.assert_allclose(b.grad.asnumpy(), np.full(3, 2.0), rtol=1e-6)
    bw = mx.nd._internal._backward_BatchNorm(mx.nd.ones((2, 3, 4)), mx.nd.ones((2, 3, 4)), mx.nd.ones((3,)),
                                            mx.nd.zeros((3,)), mx.nd.ones((3,)))
    assert [a.shape for a in bw] == [(2, 3, 4), (3,), (3,)]


# Mismatched input shapes for every backward operator, under every variant of its parameters
# (_variants): all inputs pairwise different, the issue's shapes, and one input off (other
# size, or one more axis) with the rest alike.
def _patterns(n: int) -> dict:
    pats = {
        "primes": [(2, 3), (5, 7, 1), (11,), (13, 2, 3, 1), (17, 1), (19,), (23, 2), (29,), (31,), (37,)] * 4,
        "issue": [(3, 2, 1), (3,), (3, 2, 2)] * 12,
    }
    for k in range(n):
        pats[f"off{k}"] = [(2, 3)] * k + [(4, 5)] + [(2, 3)] * (n - k)
        pats[f"rank{k}"] = [(2, 3)] * k + [(2, 3, 1)] + [(2, 3)] * (n - k)
    return pats


# (operator, pattern) pairs that are valid calls, as in MXNet: an input matched by element
# count (labels of the regression and SVM outputs), a trailing axis of size 1 that the forward
# keeps (box_nms's width, pick's and _sample_multinomial's data), a larger shape_like input.
VALID_MISMATCHES = {
    ("_backward_SVMOutput", "rank1"), ("_backward_contrib_box_nms", "rank0"),
    ("_backward_linear_reg_out", "rank0"), ("_backward_linear_reg_out", "rank1"),
    ("_backward_logistic_reg_out", "rank0"), ("_backward_logistic_reg_out", "rank1"),
    ("_backward_mae_reg_out", "rank0"), ("_backward_mae_reg_out", "rank1"),
    ("_backward_pick", "rank2"), ("_backward_sample_multinomial", "rank1"), ("_backward_slice_like", "off1"),
}

# Operators left out: _backward_Custom needs a registered custom op type (the custom-op tests
# cover its checks).
SKIPPED = {"_backward_Custom"}
# Parameters that select the variant a backward operator implements (others are an error
# before any shape is read).
PARAMS = {"_backward_LeakyReLU": {"act_type": "prelu"},
          # the locations must point inside the inputs for the parameters to be accepted at all
          "_backward_cond": {"num_args": "6", "num_outputs": "1", "cond_input_locs": "(0,)",
                             "then_input_locs": "(1, 2)", "else_input_locs": "(1, 2)"}}


def _param_value(p: dict) -> str:
    if p.get("values"):
        return p["values"][0]
    return {"int": "2", "float": "0.5", "boolean": "False", "bool": "False", "shape": "(2,)",
            "dtype": "float32"}.get(p["type"], "2")


def _variants(name: str) -> list[dict]:
    """The required parameters, then each value of every enum parameter and every boolean set
    to True: variants that change which inputs a kernel reads and how (multi_output, pool_type)."""
    schema = _op.schema(name)["params"]
    base = {p["name"]: _param_value(p) for p in schema if p.get("required")}
    base.update(PARAMS.get(name, {}))
    out = [base]
    for p in schema:
        if p["type"] == "enum":
            out += [{**base, p["name"]: v} for v in p.get("values", []) if v != base.get(p["name"])]
        elif p["type"] == "bool":
            out.append({**base, p["name"]: "True"})
    return out


def _probe(mode: str, ops: list[str]) -> None:
    """Worker: one JSON line per (operator, pattern), flushed before the next call runs."""
    def graph(name, kw, n, shapes):
        sym = mx.sym.load_json(_graph_of(name, n, kw))
        exe = sym.simple_bind(mx.cpu(), grad_req="null", **{f"in{i}": shapes[i] for i in range(n)})
        exe.forward()
        for o in exe.outputs:
            o.wait_to_read()  # a kernel's error surfaces here
        return [o.shape for o in exe.outputs]

    def imperative(name, params, n, shapes):
        ins = [mx.nd.ones(shapes[i]) for i in range(n)]
        outs = [mx.nd.NDArray(h) for h in _op.invoke_handles(name, params, [a.handle for a in ins], None)]
        for o in outs:
            o.wait_to_read()
        return [o.shape for o in outs]

    for name in ops:
        for kw in _variants(name):
            try:
                params = _op.params_for(name, kw)
            except mx.MXNetError:  # a combination the operator rejects (several enums at once)
                continue
            n = len(params.input_names)
            for pat, shapes in _patterns(n).items():
                pat = f"{pat}@{json.dumps(kw, sort_keys=True)}"
                print(json.dumps([name, pat, "start", str(n)]), flush=True)
                try:
                    run = graph if mode == "graph" else imperative
                    got = run(name, kw if mode == "graph" else params, n, shapes)
                    print(json.dumps([name, pat, "ok", str(got)]), flush=True)
                except mx.MXNetError as e:
                    print(json.dumps([name, pat, "error", str(e)[:300]]), flush=True)


def _backward_ops() -> list[str]:
    return [o for o in _op.list_ops() if o.startswith("_backward_") and o not in SKIPPED]


@pytest.mark.parametrize("mode", ["imperative", "graph"])
def test_every_backward_op_rejects_mismatched_shapes(mode):
    ops = _backward_ops()
    assert len(ops) > 50
    results, crashes, num_inputs = {}, [], {}
    pending = list(ops)
    while pending:
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), "probe", mode, *pending],
                              capture_output=True, text=True, timeout=900, env=dict(os.environ))
        last = None
        for line in proc.stdout.splitlines():
            name, pat, what, *rest = json.loads(line)
            last = (name, pat)
            if what == "start":
                num_inputs[name] = int(rest[0])
            else:
                results[(name, pat)] = (what, rest[0] if rest else "")
        if proc.returncode == 0:
            break
        assert last is not None and last not in results, proc.stderr[-2000:]
        crashes.append(f"{last[0]} {last[1]}: exit {proc.returncode}")
        pending = pending[pending.index(last[0]) + 1:]
    assert not crashes, "backward operators crashed on mismatched shapes: " + "; ".join(crashes)
    assert set(num_inputs) == set(ops), f"not probed: {sorted(set(ops) - set(num_inputs))}"
    # An operator of one input has nothing to mismatch; it only must not crash.
    accepted = sorted(f"{name} {pat} -> {msg}" for (name, pat), (what, msg) in results.items()
                      if what == "ok" and num_inputs[name] > 1
                      and (name, pat.split("@")[0]) not in VALID_MISMATCHES)
    assert not accepted, "backward operators accepted mismatched input shapes:\n" + "\n".join(accepted)


# ---- F7: list_outputs is linear in a node's output count -----------------------------------------

def test_list_outputs_of_a_node_with_65536_outputs_is_fast():
    n = 65536
    nodes = [{"op": "null", "name": "x", "inputs": []},
             {"op": "SliceChannel", "name": "s", "attrs": {"num_outputs": str(n)}, "inputs": [[0, 0, 0]]}]
    sym = mx.sym.load_json(json.dumps({"nodes": nodes, "arg_nodes": [0], "heads": [[1, i, 0] for i in range(n)],
                                       "attrs": {"mxnet_version": ["int", 10901]}}))
    start = time.perf_counter()
    names = sym.get_internals().list_outputs()
    outs = sym.list_outputs()
    elapsed = time.perf_counter() - start
    assert len(names) == n + 1 and names[0] == "x" and names[-1] == f"s_output{n - 1}"
    assert outs[12345] == "s_output12345"
    assert elapsed < 10.0, f"list_outputs took {elapsed:.1f} s (quadratic: ~135 s before the fix; linear: < 0.1 s)"


# ---- F8: every handle kind is tagged ------------------------------------------------------------

def _err():
    return ffi.string(lib.MVGetLastError()).decode()


@pytest.fixture()
def handles():
    """One live handle of every kind the Python side can make."""
    nd = mx.nd.ones((2,))
    sym = mx.sym.Variable("x") * 2
    op = _op.op_handle("relu")
    params = _op.params_for("relu", {})
    exe = sym.simple_bind(mx.cpu(), x=(2,))
    cached = ffi.new("MVCachedOpHandle*")
    assert lib.MVCachedOpCreate(sym.handle, 0, ffi.NULL, ffi.NULL, cached) == 0
    domain = ffi.new("MVProfileDomainHandle*")
    assert lib.MVProfileDomainCreate(b"abi_test", domain) == 0
    obj = ffi.new("MVProfileObjectHandle*")
    assert lib.MVProfileObjectCreate(domain[0], lib.MV_PROFILE_COUNTER, b"c", obj) == 0
    kinds = {"NDArray": nd.handle, "Symbol": sym.handle, "Op": op, "OpParams": params.handle,
             "Executor": exe.handle, "CachedOp": cached[0], "ProfileDomain": domain[0], "ProfileObject": obj[0]}
    yield kinds, (nd, sym, params, exe)
    lib.MVProfileObjectFree(obj[0])
    lib.MVProfileDomainFree(domain[0])
    lib.MVCachedOpFree(cached[0])


# One function per kind that takes a handle of that kind first: (kind, call(handle)).
def _calls():
    out_p = ffi.new("const char**")
    return {
        "NDArray": lambda h: lib.MVNDArrayWaitToRead(ffi.cast("MVNDArrayHandle", h)),
        "Symbol": lambda h: lib.MVSymbolSaveToJSON(ffi.cast("MVSymbolHandle", h), out_p),
        "Op": lambda h: lib.MVOpGetSchemaJSON(ffi.cast("MVOpHandle", h), out_p),
        "OpParams": lambda h: lib.MVOpParamsListInputs(ffi.cast("MVOpParamsHandle", h), ffi.new("size_t*"),
                                                      ffi.new("const char***")),
        "Executor": lambda h: lib.MVExecutorForward(ffi.cast("MVExecutorHandle", h), 0),
        "CachedOp": lambda h: lib.MVCachedOpInvoke(ffi.cast("MVCachedOpHandle", h), 0, ffi.NULL, ffi.new("int*"),
                                                  ffi.new("MVNDArrayHandle**")),
        "ProfileDomain": lambda h: lib.MVProfileMarkerSet(ffi.cast("MVProfileDomainHandle", h), b"m", b"process"),
        "ProfileObject": lambda h: lib.MVProfileCounterSet(ffi.cast("MVProfileObjectHandle", h), 1),
        "CustomOpCall": lambda h: lib.MVCustomOpCallGetRequest(ffi.cast("MVCustomOpCallHandle", h), out_p),
    }


@pytest.mark.parametrize("kind", ["NDArray", "Symbol", "Op", "OpParams", "Executor", "CachedOp", "ProfileDomain",
                                  "ProfileObject", "CustomOpCall"])
def test_every_handle_kind_rejects_every_other_kind(handles, kind):
    kinds, _ = handles
    call = _calls()[kind]
    for other, h in kinds.items():
        if other == kind:
            continue
        rc = call(h)
        assert rc == lib.MV_ERR_INVALID_HANDLE, (kind, other, rc)
        msg = _err()
        assert f"expected a {kind} handle" in msg and other in msg, msg


def test_issue_reproducer_op_params_passed_as_op():
    params = _op.params_for("relu", {})
    as_op = ffi.cast("MVOpHandle", params.handle)
    out_json = ffi.new("const char**")
    assert lib.MVOpGetSchemaJSON(as_op, out_json) == lib.MV_ERR_INVALID_HANDLE
    assert "expected a Op handle, got an OpParams handle" in _err()
    out_params = ffi.new("MVOpParamsHandle*")
    assert lib.MVOpParamsCreate(as_op, 0, ffi.NULL, ffi.NULL, out_params) == lib.MV_ERR_INVALID_HANDLE
    n_out = ffi.new("int*", 0)
    assert lib.MVImperativeInvoke(as_op, params.handle, 0, ffi.NULL, n_out,
                                  ffi.new("MVNDArrayHandle**")) == lib.MV_ERR_INVALID_HANDLE
    assert "MVImperativeInvoke" in _err()
    # The real op handle still works, and is the same handle on every lookup.
    assert lib.MVOpGetSchemaJSON(_op.op_handle("relu"), out_json) == 0
    again = ffi.new("MVOpHandle*")
    assert lib.MVOpGetHandle(b"relu", again) == 0 and again[0] == _op.op_handle("relu")


# ---- F10: failed calls leak nothing -------------------------------------------------------------

def _rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_failed_parameter_parses_do_not_leak():
    op = _op.op_handle("FullyConnected")
    keys = ffi.new("const char*[]", [ffi.new("char[]", b"num_hidden")])
    vals = ffi.new("const char*[]", [ffi.new("char[]", b"-1")])
    out = ffi.new("MVOpParamsHandle*")

    def fail(times):
        for _ in range(times):
            assert lib.MVOpParamsCreate(op, 1, keys, vals, out) == lib.MV_ERR_VALUE

    fail(2000)  # warm up: the error string, allocator pools
    before = _rss_kib()
    start = time.perf_counter()
    fail(200000)  # about 1 s
    after = _rss_kib()
    assert time.perf_counter() - start < 60
    # With the leak (one 32-byte handle per failed parse) 100000 calls grew RSS by ~1.1 MiB, part
    # of it absorbed by free heap; without it, growth is 0.
    assert after - before < 256, f"RSS grew by {after - before} KiB over 200000 failing calls"
    assert "num_hidden" in _err()


# ---- F18: counts are checked before the caller's arrays are read ---------------------------------

def test_executor_backward_checks_num_before_reading():
    sym = mx.sym.Variable("x") * 2
    exe = sym.simple_bind(mx.cpu(), x=(2,))
    exe.forward(is_train=True)
    grad = mx.nd.ones((2,))  # kept alive: the raw array below only borrows its handle
    one = ffi.new("MVNDArrayHandle[]", [grad.handle])
    assert lib.MVExecutorBackward(exe.handle, 1000000, one, 1) == lib.MV_ERR_VALUE
    assert "expected 1 out_grads" in _err() and "got 1000000" in _err()
    assert lib.MVExecutorBackward(exe.handle, -1, one, 1) == lib.MV_ERR_VALUE


def test_bind_invoke_and_cached_op_check_counts_before_reading():
    sym = mx.sym.Variable("x") * 2
    x = mx.nd.ones((2,))  # kept alive: the raw array below only borrows its handle
    one = ffi.new("MVNDArrayHandle[]", [x.handle])
    exe = ffi.new("MVExecutorHandle*")
    assert lib.MVExecutorBind(sym.handle, 1, 0, 1000000, one, ffi.NULL, ffi.NULL, 0, ffi.NULL, exe) == lib.MV_ERR_VALUE
    assert "expected 1 argument arrays" in _err()
    assert lib.MVExecutorBind(sym.handle, 1, 0, 1, one, ffi.NULL, ffi.NULL, 7, one, exe) == lib.MV_ERR_VALUE
    assert "expected 0 auxiliary arrays" in _err()
    cached = ffi.new("MVCachedOpHandle*")
    assert lib.MVCachedOpCreate(sym.handle, 0, ffi.NULL, ffi.NULL, cached) == 0
    try:
        rc = lib.MVCachedOpInvoke(cached[0], 1000000, one, ffi.new("int*"), ffi.new("MVNDArrayHandle**"))
        assert rc == lib.MV_ERR_VALUE and "expected 1 inputs" in _err()
    finally:
        lib.MVCachedOpFree(cached[0])
    params = _op.params_for("relu", {})
    n_out = ffi.new("int*", 0)
    rc = lib.MVImperativeInvoke(_op.op_handle("relu"), params.handle, 1000000, one, n_out, ffi.new("MVNDArrayHandle**"))
    assert rc == lib.MV_ERR_VALUE and "relu expects 1 input(s) (data), got 1000000" in _err()
    outs = ffi.new("MVNDArrayHandle**", one)
    n_out[0] = 1000000
    rc = lib.MVImperativeInvoke(_op.op_handle("relu"), params.handle, 1, one, n_out, outs)
    assert rc == lib.MV_ERR_VALUE and "1000000 output arrays were given" in _err()


if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "probe":
    _probe(sys.argv[2], sys.argv[3:])
