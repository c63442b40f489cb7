"""gluon.loss against MXNet 1.9.1 (tests/golden/gluon/losses.*, written by tools/golden/make_gluon_golden.py)."""
import json
import os

import numpy as np
import pytest

import minerva as mx
from minerva import autograd, gluon

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden", "gluon")
with open(os.path.join(GOLDEN, "losses.json")) as _f:
    SPEC = json.load(_f)
ARRAYS = dict(np.load(os.path.join(GOLDEN, "losses.npz")))


def _run(case, hybridize):
    spec = SPEC[case]
    loss = getattr(gluon.loss, spec["cls"])(**spec["kwargs"])
    if hybridize:
        loss.hybridize()
    inputs = [mx.nd.array(ARRAYS[f"{case}/{name}"]) for name in spec["inputs"]]
    if not spec["grad"]:
        return loss(*inputs).asnumpy(), None
    inputs[0].attach_grad()
    with autograd.record():
        out = loss(*inputs)
    out.backward()
    return out.asnumpy(), inputs[0].grad.asnumpy()


@pytest.mark.parametrize("hybridize", [False, True], ids=["imperative", "hybridized"])
@pytest.mark.parametrize("case", sorted(SPEC))
def test_loss_matches_mxnet(case, hybridize):
    out, grad = _run(case, hybridize)
    want = ARRAYS[f"{case}/loss"]
    assert out.shape == want.shape
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-6)
    if grad is not None:
        np.testing.assert_allclose(grad, ARRAYS[f"{case}/dpred"], rtol=1e-4, atol=1e-6)


def test_every_mxnet_loss_has_a_fixture():
    covered = {spec["cls"] for spec in SPEC.values()}
    skipped = {"CTCLoss", "SDMLLoss"}  # checked against MXNet in test_gluon_ctc.py, test_api_mxnet_compat.py
    assert set(gluon.loss.__all__) - {"Loss", "SigmoidBCELoss", "SoftmaxCELoss"} - skipped <= covered


def test_aliases_and_repr():
    assert gluon.loss.SoftmaxCELoss is gluon.loss.SoftmaxCrossEntropyLoss
    assert gluon.loss.SigmoidBCELoss is gluon.loss.SigmoidBinaryCrossEntropyLoss
    assert repr(gluon.loss.L2Loss()) == "L2Loss(batch_axis=0, w=1.0)"
    assert repr(gluon.loss.L1Loss(batch_axis=1)) == "L1Loss(batch_axis=1, w=None)"


def test_weighting_semantics():
    pred = mx.nd.array([[1.0, 2.0], [3.0, 5.0]])
    label = mx.nd.zeros((2, 2))
    l1 = gluon.loss.L1Loss(weight=2.0)
    np.testing.assert_allclose(l1(pred, label).asnumpy(), [3.0, 8.0])
    sw = mx.nd.array([[0.0], [1.0]])
    np.testing.assert_allclose(l1(pred, label, sw).asnumpy(), [0.0, 8.0])
    # batch_axis=1: one value per column.
    np.testing.assert_allclose(gluon.loss.L1Loss(batch_axis=1)(pred, label).asnumpy(), [2.0, 3.5])
    with pytest.raises(AssertionError, match="weight must be a number"):
        gluon.loss.L1Loss(weight=mx.nd.ones((1,)))(pred, label)


def test_label_is_reshaped_like_pred():
    pred = mx.nd.array([[0.5], [2.0], [-1.0]])
    label = mx.nd.array([1.0, 1.0, 0.0])
    out = gluon.loss.L2Loss()(pred, label).asnumpy()
    np.testing.assert_allclose(out, [0.125, 0.5, 0.5])


def test_logistic_label_format_checked():
    with pytest.raises(ValueError, match="signed or binary"):
        gluon.loss.LogisticLoss(label_format="onehot")


def test_softmax_ce_symbolic_graph():
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    out = loss(mx.sym.var("pred"), mx.sym.var("label"))
    assert out.list_arguments() == ["pred", "label"]
    _, shapes, _ = out.infer_shape(pred=(4, 5), label=(4,))
    assert shapes == [(4,)]
