#!/usr/bin/env python3
"""Fixtures for tests/python/test_contrib_batchnorm.py and test_contrib_hawkes.py that the per-op golden
cases (tools/golden/op_cases/contrib_norm.py, training mode only) cannot hold: BatchNormWithReLU and
SyncBatchNorm in inference mode, their moving statistics after a training forward and after its
backward, their symbols and executors; IdentityAttachKLSparseReg's symbol (moving_avg created by
composition) and executor; hawkesll's documented example. Run it with the oracle's interpreter:

    .oracle-venv/bin/python tools/golden/make_contrib_norm_golden.py

It imports only mxnet and numpy and writes tests/golden/contrib_norm.json.
"""
import json
import pathlib

import mxnet as mx
import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests/golden/contrib_norm.json"
rng = np.random.RandomState(77)
OPS = {"BatchNormWithReLU": mx.nd.contrib.BatchNormWithReLU, "SyncBatchNorm": mx.nd.contrib.SyncBatchNorm}


def arr(x):
    return np.asarray(x, dtype=np.float32).tolist()


def bn_arrays(shape):
    c = shape[1]
    return [rng.uniform(-1, 1, shape), rng.uniform(0.5, 1.5, c), rng.uniform(-0.5, 0.5, c),
            rng.uniform(-0.3, 0.3, c), rng.uniform(0.5, 1.5, c)]


def imperative(op, params, train, backward):
    """One recorded call: outputs, gradients of data/gamma/beta, and the moving statistics after the
    forward and (when backward) after the backward."""
    values = bn_arrays((4, 3, 2, 2))
    nd = [mx.nd.array(v) for v in values]
    for a in nd[:3]:
        a.attach_grad()
    with mx.autograd.record(train_mode=train):
        out = OPS[op](*nd, **params)
    outs = out if isinstance(out, list) else [out]
    case = {"op": op, "params": params, "train": train, "inputs": [arr(v) for v in values],
            "outputs": [arr(o.asnumpy()) for o in outs],
            "moving_after_forward": [arr(nd[3].asnumpy()), arr(nd[4].asnumpy())]}
    if backward:
        head = rng.uniform(-1, 1, outs[0].shape)
        mx.autograd.backward([outs[0]], [mx.nd.array(head)], train_mode=train)
        case["head"] = arr(head)
        case["grads"] = [arr(a.grad.asnumpy()) for a in nd[:3]]
        case["moving_after_backward"] = [arr(nd[3].asnumpy()), arr(nd[4].asnumpy())]
    return case


def json_nodes(sym):
    return [{"name": n["name"], "op": n["op"], "attrs": n.get("attrs", {})} for n in json.loads(sym.tojson())["nodes"]]


def symbolic(op, params):
    """Names, JSON nodes, and a bound executor's training step (forward, backward, aux states)."""
    sym = getattr(mx.sym.contrib, op)(mx.sym.var("data"), name="bn", **params)
    values = bn_arrays((4, 3, 2, 2))
    exe = sym.simple_bind(mx.cpu(), data=(4, 3, 2, 2))
    for name, v in zip(["data", "bn_gamma", "bn_beta"], values[:3]):
        exe.arg_dict[name][:] = v
    exe.aux_dict["bn_moving_mean"][:] = values[3]
    exe.aux_dict["bn_moving_var"][:] = values[4]
    out = exe.forward(is_train=True)[0].asnumpy()
    head = rng.uniform(-1, 1, out.shape)
    exe.backward(mx.nd.array(head))
    return {"op": op, "params": params, "arguments": sym.list_arguments(), "aux": sym.list_auxiliary_states(),
            "outputs": sym.list_outputs(), "internals": sym.get_internals().list_outputs(),
            "nodes": json_nodes(sym), "inputs": [arr(v) for v in values], "head": arr(head), "output": arr(out),
            "grads": [arr(exe.grad_dict[n].asnumpy()) for n in ["data", "bn_gamma", "bn_beta"]],
            "aux_after": [arr(exe.aux_dict[n].asnumpy()) for n in ["bn_moving_mean", "bn_moving_var"]]}


def kl_sparse_reg():
    sym = mx.sym.IdentityAttachKLSparseReg(mx.sym.var("data"), name="kl", penalty=0.01)
    x = rng.uniform(0.05, 0.95, (5, 4))
    exe = sym.simple_bind(mx.cpu(), data=(5, 4))
    exe.arg_dict["data"][:] = x
    exe.aux_dict["kl_moving_avg"][:] = 0.5
    exe.forward(is_train=True)
    head = rng.uniform(-1, 1, (5, 4))
    exe.backward(mx.nd.array(head))
    named = mx.sym.IdentityAttachKLSparseReg(data=mx.sym.var("d"), moving_avg=mx.sym.var("m"), name="kl2")
    return {"arguments": sym.list_arguments(), "aux": sym.list_auxiliary_states(), "outputs": sym.list_outputs(),
            "nodes": json_nodes(sym), "named_arguments": named.list_arguments(),
            "named_aux": named.list_auxiliary_states(),
            "input": arr(x), "head": arr(head), "grad": arr(exe.grad_dict["data"].asnumpy()),
            "moving_avg_after": arr(exe.aux_dict["kl_moving_avg"].asnumpy())}


def hawkes_doc_example():
    """The example in the operator's documentation (core/ops/contrib_hawkes.cc)."""
    ll, state = mx.nd.contrib.hawkesll(
        mx.nd.array([[1.5, 2.0]]), mx.nd.array([0.2, 0.3]), mx.nd.array([1.0, 2.0]), mx.nd.zeros((1, 2)),
        mx.nd.array([[1.0, 1.0]]), mx.nd.array([[0, 0]], dtype="int32"), mx.nd.array([2]), mx.nd.array([3.0]))
    sym = mx.sym.contrib.hawkesll(name="h")
    return {"ll": arr(ll.asnumpy()), "state": arr(state.asnumpy()), "arguments": sym.list_arguments(),
            "outputs": sym.list_outputs()}


def main():
    cases = []
    for op in OPS:
        key = {"key": "k"} if op == "SyncBatchNorm" else {}
        # MXNet 1.9.1's inference-mode backward of BatchNormWithReLU reads a ReLU mask its inference forward
        # never wrote (zeros, or a previous call's), so only SyncBatchNorm's inference gradient is recorded;
        # tests/python/test_contrib_batchnorm.py checks BatchNormWithReLU's against relu(BatchNorm).
        cases.append(imperative(op, {"fix_gamma": False, **key}, train=False, backward=op == "SyncBatchNorm"))
        cases.append(imperative(op, {"use_global_stats": True, **key}, train=True, backward=True))
        cases.append(imperative(op, {"fix_gamma": False, "momentum": 0.8, **key}, train=True, backward=False))
        cases.append(imperative(op, {"fix_gamma": False, "momentum": 0.8, **key}, train=True, backward=True))
    # MXNet leaves SyncBatchNorm's hidden outputs unwritten in inference: only BatchNormWithReLU's are compared.
    cases.append(imperative("BatchNormWithReLU", {"fix_gamma": False, "output_mean_var": True}, train=False,
                            backward=False))
    symbols = [symbolic("BatchNormWithReLU", {"fix_gamma": False}), symbolic("SyncBatchNorm", {"key": "s"})]
    OUT.write_text(json.dumps({"generator": "tools/golden/make_contrib_norm_golden.py", "mxnet": mx.__version__,
                               "imperative": cases, "symbolic": symbols, "kl_sparse_reg": kl_sparse_reg(),
                               "hawkes_doc_example": hawkes_doc_example()}))
    print(f"wrote {len(cases)} imperative and {len(symbols)} symbolic cases to {OUT}")


if __name__ == "__main__":
    main()
