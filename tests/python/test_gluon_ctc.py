"""gluon.loss.CTCLoss end to end (over the CTCLoss operator) against MXNet 1.9.1: layouts NTC/TNC
and NT/TN, with and without pred/label lengths, sample weights; losses and gradients of pred."""
import numpy as np
import pytest

import minerva as mx
from minerva import autograd, gluon


def _pattern(shape):
    return 1.5 * np.cos(0.37 * np.arange(np.prod(shape)) + 0.1).reshape(shape)


LABEL_NT = [[0, 1, 1], [2, -1, -1]]  # blank is class 3 (the last); -1 pads

# name: (layer kwargs, pred shape, label, pred_lengths, label_lengths, sample_weight)
CASES = {
    "ntc": ({"layout": "NTC"}, (2, 5, 4), LABEL_NT, None, None, None),
    "tnc": ({"layout": "TNC"}, (5, 2, 4), LABEL_NT, None, None, None),
    # The 9 lies beyond label_lengths, so it is never read.
    "ntc_tn_lengths": ({"layout": "NTC", "label_layout": "TN"}, (2, 5, 4), [[1, 2], [0, 2], [2, 9]], [4, 5],
                       [2, 2], None),
    "tnc_weighted": ({"layout": "TNC", "weight": 0.5}, (5, 2, 4), LABEL_NT, [4, 5], None, [2.0, 0.5]),
}

# Generated with MXNet 1.9.1 (MXNET_SUBGRAPH_BACKEND=NONE MXNET_ENGINE_TYPE=NaiveEngine):
#   loss = gluon.loss.CTCLoss(**kwargs); pred = nd.array(_pattern(shape)); pred.attach_grad()
#   with autograd.record(): out = loss(pred, nd.array(label), *[None or nd.array(v) for the rest])
#   out.backward(); print(out, pred.grad)
EXPECTED = {
    "ntc": (
        [4.1385093, 5.2817087],
        [-0.55564392, 0.30046496, 0.21468525, 0.040494084, 0.11423412, -0.33402747, 0.16518158, 0.054611787,
         0.1826144, -0.35179713, 0.24862236, -0.07943961, 0.10032422, -0.0040127933, 0.29065609, -0.38696766,
         0.28015867, -0.64013129, 0.24955988, 0.11041265, 0.46928629, 0.27238965, -0.20997249, -0.53170395, 0.25126168,
         0.21805476, -0.20747477, -0.2618421, 0.095674798, 0.16065019, -0.19194135, -0.064383954, 0.21268404,
         0.26922351, -0.27724198, -0.20466571, 0.45615739, 0.28352848, -0.29431885, -0.44536728]),
    "tnc": (
        [4.7007809, 5.5338049],
        [-0.58573401, 0.30046496, 0.21468525, 0.070583075, 0.45251635, 0.26331681, -0.19534168, -0.52049124,
         -0.0467612, -0.23601341, 0.24862236, 0.034151793, 0.10032422, 0.17419979, -0.19066659, -0.083857, 0.28015867,
         -0.45390391, 0.24955988, -0.075814918, 0.46928629, 0.27238965, -0.47319931, -0.26847637, 0.25126168,
         0.071269155, 0.23170105, -0.55423248, 0.095674798, 0.16065019, -0.2074596, -0.048865467, 0.21268404,
         -0.66189194, 0.28002915, 0.16917872, 0.45615739, 0.28352848, -0.24263228, -0.4970535]),
    "ntc_tn_lengths": (
        [2.8414824, 4.8495665],
        [0.35089427, -0.60065043, 0.21468525, 0.035070896, -0.15571466, -0.040184259, 0.16518158, 0.030717231,
         -0.29664814, 0.14999139, 0.24862236, -0.10196558, -0.12978837, 0.17419979, 0.29065609, -0.33506739, 0, 0, 0,
         0, 0.46928629, 0.27238965, -0.61399126, -0.12768464, 0.25126168, 0.21805476, -0.24973845, -0.2195783,
         0.095674798, 0.16065019, -0.0077653527, -0.24855962, 0.21268404, 0.26922351, -0.30714574, -0.17476176,
         0.45615739, 0.28352848, -0.58079749, -0.15888822]),
    "tnc_weighted": (
        [5.9408846, 1.3834512],
        [-0.6491062, 0.30046496, 0.21468525, 0.13395552, 0.11312909, 0.065829203, -0.048835419, -0.13012281,
         0.1826144, -0.80668187, 0.24862236, 0.37544474, 0.025081055, 0.043549947, -0.047666647, -0.02096425,
         0.28015867, 0.29249805, 0.24955988, -0.82221657, 0.11732157, 0.068097413, -0.11829983, -0.067119092,
         0.25126168, -0.78194523, 0.23170105, 0.29898241, 0.023918699, 0.040162548, -0.0518649, -0.012216367, 0, 0, 0,
         0, 0.11403935, 0.070882119, -0.060658071, -0.12426338]),
}


def _run(case, hybridize):
    kwargs, shape, label, pred_lengths, label_lengths, sample_weight = CASES[case]
    loss = gluon.loss.CTCLoss(**kwargs)
    if hybridize:
        loss.hybridize()
    pred = mx.nd.array(_pattern(shape))
    pred.attach_grad()
    rest = [None if v is None else mx.nd.array(v) for v in (pred_lengths, label_lengths, sample_weight)]
    with autograd.record():
        out = loss(pred, mx.nd.array(label), *rest)
    out.backward()
    return out.asnumpy(), pred.grad.asnumpy()


@pytest.mark.parametrize("hybridize", [False, True], ids=["imperative", "hybridized"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_ctc_loss_matches_mxnet(case, hybridize):
    out, grad = _run(case, hybridize)
    want_loss, want_grad = EXPECTED[case]
    assert out.shape == (2,)
    np.testing.assert_allclose(out, want_loss, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad.ravel(), want_grad, rtol=1e-5, atol=2e-6)


def test_layouts_agree_and_lengths_mask_the_gradient():
    pred_ntc = _pattern((2, 5, 4))
    label = mx.nd.array(LABEL_NT)
    ntc = gluon.loss.CTCLoss(layout="NTC")(mx.nd.array(pred_ntc), label).asnumpy()
    tnc = gluon.loss.CTCLoss(layout="TNC")(mx.nd.array(pred_ntc.transpose(1, 0, 2)), label).asnumpy()
    np.testing.assert_allclose(ntc, tnc, rtol=1e-6)
    pred = mx.nd.array(pred_ntc)
    pred.attach_grad()
    with autograd.record():
        out = gluon.loss.CTCLoss()(pred, label, mx.nd.array([3, 5]))
    out.backward()
    assert np.all(pred.grad.asnumpy()[0, 3:] == 0)
    # Padding the label with explicit lengths gives the padded-label loss.
    by_length = gluon.loss.CTCLoss()(mx.nd.array(pred_ntc), mx.nd.array([[0, 1, 1], [2, 3, 3]]), None,
                                     mx.nd.array([3, 1])).asnumpy()
    np.testing.assert_allclose(by_length, ntc, rtol=1e-6)


def test_operator_functions_and_errors():
    data = mx.nd.zeros((2, 1, 3))
    np.testing.assert_allclose(mx.nd.CTCLoss(data, mx.nd.array([[1, 0]])).asnumpy(), [np.log(3)], rtol=1e-6)
    np.testing.assert_allclose(mx.nd.ctc_loss(data, mx.nd.array([[1, 2]])).asnumpy(), [np.log(9)], rtol=1e-6)
    sym = mx.sym.CTCLoss(mx.sym.var("d"), mx.sym.var("l"), label_lengths=mx.sym.var("ll"), use_label_lengths=True)
    assert sym.list_arguments() == ["d", "l", "ll"]
    assert len(sym.list_outputs()) == 1
    with pytest.raises(mx.base.MXNetError, match="CTCLoss.*'label'"):
        mx.nd.CTCLoss(data, mx.nd.array([[3, 0]])).asnumpy()
    with pytest.raises(mx.base.MXNetError, match="CTCLoss.*'label'"):
        mx.nd.CTCLoss(mx.nd.zeros((2, 3, 3)), mx.nd.array([[1, 0]])).asnumpy()
    mx.nd.waitall()  # each error was seen where it was raised: waitall does not raise them again
