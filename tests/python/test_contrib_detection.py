"""The SSD operators of mx.nd.contrib (MultiBoxPrior, MultiBoxTarget, MultiBoxDetection): values
against small hand-worked cases and a NumPy reference, symbols, MXNet's zero gradients, and bad
input. Values against the MXNet 1.9.1 oracle are in tests/golden/ops/contrib_detection.json
(test_golden.py)."""
import importlib.util
import inspect
import json
import pathlib

import minerva as mx
import numpy as np
import pytest

C = mx.nd.contrib


def _prior_reference(h, w, sizes, ratios, steps=(-1, -1), offsets=(0.5, 0.5), clip=False):
    step_y, step_x = (1.0 / h, 1.0 / w) if steps[0] <= 0 or steps[1] <= 0 else steps
    out = []
    for r in range(h):
        for c in range(w):
            cy, cx = (r + offsets[0]) * step_y, (c + offsets[1]) * step_x
            shapes = [(s, ratios[0]) for s in sizes] + [(sizes[0], q) for q in ratios[1:]]
            for size, ratio in shapes:
                hw, hh = size * h / w * np.sqrt(ratio) / 2, size / np.sqrt(ratio) / 2
                out.append([cx - hw, cy - hh, cx + hw, cy + hh])
    out = np.array(out)[None]
    return np.clip(out, 0, 1) if clip else out


@pytest.mark.parametrize("kwargs", [
    {},
    {"sizes": (0.6, 0.3), "ratios": (2.0, 1.0, 0.5)},
    {"sizes": (0.9,), "ratios": (1.0, 3.0), "clip": True, "steps": (0.25, 0.3), "offsets": (0.2, 0.8)},
])
def test_prior_matches_reference(kwargs):
    out = C.MultiBoxPrior(mx.nd.zeros((2, 3, 3, 4)), **kwargs)
    ref = _prior_reference(3, 4, **{"sizes": (1.0,), "ratios": (1.0,), **kwargs})
    assert out.shape == ref.shape and out.dtype == np.float32
    np.testing.assert_allclose(out.asnumpy(), ref, rtol=1e-5, atol=1e-6)


def test_parameters_and_defaults_are_mxnets():
    def params(f):
        return {k: v.default for k, v in inspect.signature(f).parameters.items() if k not in ("out", "name", "kwargs")}
    assert params(C.MultiBoxPrior) == {"data": None, "sizes": (1.0,), "ratios": (1.0,), "clip": False,
                                       "steps": (-1.0, -1.0), "offsets": (0.5, 0.5)}
    assert params(C.MultiBoxTarget) == {"anchor": None, "label": None, "cls_pred": None, "overlap_threshold": 0.5,
                                        "ignore_label": -1.0, "negative_mining_ratio": -1.0,
                                        "negative_mining_thresh": 0.5, "minimum_negative_samples": 0,
                                        "variances": (0.1, 0.1, 0.2, 0.2)}
    assert params(C.MultiBoxDetection) == {"cls_prob": None, "loc_pred": None, "anchor": None, "clip": True,
                                           "threshold": 0.01, "background_id": 0, "nms_threshold": 0.5,
                                           "force_suppress": False, "variances": (0.1, 0.1, 0.2, 0.2),
                                           "nms_topk": -1}


ANCHOR = np.array([[[0.0, 0.0, 0.5, 0.5], [0.5, 0.5, 1.0, 1.0], [0.1, 0.1, 0.6, 0.6]]], dtype=np.float32)


def test_target_matches_and_encodes():
    # One ground truth of class 1 equal to anchor 0 (IoU 1) and overlapping anchor 2 (IoU 0.47).
    label = mx.nd.array([[[1, 0.0, 0.0, 0.5, 0.5], [-1, -1, -1, -1, -1]]])
    loc, mask, cls = C.MultiBoxTarget(mx.nd.array(ANCHOR), label, mx.nd.zeros((1, 3, 3)))
    np.testing.assert_array_equal(cls.asnumpy(), [[2, 0, 0]])
    np.testing.assert_array_equal(mask.asnumpy(), [[1] * 4 + [0] * 8])
    np.testing.assert_allclose(loc.asnumpy(), np.zeros((1, 12)), atol=1e-6)  # the anchor is the box itself
    # A lower threshold makes anchor 2 positive too, with its regression target.
    loc, mask, cls = C.MultiBoxTarget(mx.nd.array(ANCHOR), label, mx.nd.zeros((1, 3, 3)), overlap_threshold=0.4)
    np.testing.assert_array_equal(cls.asnumpy(), [[2, 0, 2]])
    expected = [(0.25 - 0.35) / 0.5 / 0.1, (0.25 - 0.35) / 0.5 / 0.1, 0.0, 0.0]
    np.testing.assert_allclose(loc.asnumpy()[0, 8:], expected, rtol=1e-5)
    # Only padding: every anchor gets ignore_label.
    _, _, cls = C.MultiBoxTarget(mx.nd.array(ANCHOR), -mx.nd.ones((1, 2, 5)), mx.nd.zeros((1, 3, 3)),
                                 ignore_label=-7)
    np.testing.assert_array_equal(cls.asnumpy(), [[-7, -7, -7]])


def test_target_negative_mining_picks_lowest_background_probability():
    label = mx.nd.array([[[0, 0.0, 0.0, 0.5, 0.5]]])
    # Background logits (class 0): anchor 1 is the harder negative (lower background probability).
    pred = mx.nd.array([[[0, -2.0, 3.0], [0, 2.0, -3.0]]])
    _, _, cls = C.MultiBoxTarget(mx.nd.array(ANCHOR), label, pred, negative_mining_ratio=1)
    np.testing.assert_array_equal(cls.asnumpy(), [[1, 0, -1]])


def test_target_large_mining_ratios_as_mxnet():
    label = mx.nd.array([[[0, 0.0, 0.0, 0.5, 0.5]]])
    kw = {"negative_mining_thresh": 0.9}
    # A ratio asking for more negatives than there are anchors takes them all ...
    _, _, cls = C.MultiBoxTarget(mx.nd.array(ANCHOR), label, mx.nd.zeros((1, 2, 3)), negative_mining_ratio=1e9, **kw)
    np.testing.assert_array_equal(cls.asnumpy(), [[1, 0, 0]])
    # ... but beyond int's range MXNet's conversion (x86) gives INT_MIN: no negatives (the oracle's output).
    _, _, cls = C.MultiBoxTarget(mx.nd.array(ANCHOR), label, mx.nd.zeros((1, 2, 3)), negative_mining_ratio=1e30, **kw)
    np.testing.assert_array_equal(cls.asnumpy(), [[1, -1, -1]])


def test_detection_decodes_sorts_and_suppresses():
    prob = mx.nd.array([[[0.1, 0.2, 0.3], [0.9, 0.8, 0.05], [0.0, 0.0, 0.65]]])  # (1, 3 classes, 3 anchors)
    anchor = mx.nd.array([[[0.0, 0.0, 0.5, 0.5], [0.05, 0.0, 0.55, 0.5], [0.5, 0.5, 1.0, 1.0]]])
    out = C.MultiBoxDetection(prob, mx.nd.zeros((1, 12)), anchor).asnumpy()
    # Sorted by score; anchor 1 (IoU 0.82 with anchor 0, same class) is suppressed: class -1, row kept.
    np.testing.assert_allclose(out[0], [[0, 0.9, 0, 0, 0.5, 0.5], [-1, 0.8, 0.05, 0, 0.55, 0.5],
                                        [1, 0.65, 0.5, 0.5, 1, 1]], rtol=1e-6)
    out = C.MultiBoxDetection(prob, mx.nd.zeros((1, 12)), anchor, threshold=0.85).asnumpy()
    np.testing.assert_allclose(out[0, 1:], -np.ones((2, 6)))
    # A prediction moves the box: x shifted by 1 * 0.1 * width, width scaled by exp(1 * 0.2).
    loc = mx.nd.array([[1, 0, 1, 0] + [0] * 8])
    out = C.MultiBoxDetection(prob, loc, anchor, clip=False, nms_threshold=0).asnumpy()
    half = np.exp(0.2) * 0.25
    np.testing.assert_allclose(out[0, 0, 2:], [0.3 - half, 0, 0.3 + half, 0.5], rtol=1e-5)


def test_symbols_infer_shapes():
    data = mx.sym.Variable("data")
    anchor = mx.sym.contrib.MultiBoxPrior(data, sizes=(0.5, 0.2), ratios=(1, 2, 0.5))
    cls_prob, loc_pred, label = mx.sym.Variable("cls_prob"), mx.sym.Variable("loc_pred"), mx.sym.Variable("label")
    det = mx.sym.contrib.MultiBoxDetection(cls_prob, loc_pred, anchor)
    _, out_shapes, _ = det.infer_shape(data=(2, 8, 3, 4), cls_prob=(2, 5, 48), loc_pred=(2, 192))
    assert out_shapes == [(2, 48, 6)]
    target = mx.sym.contrib.MultiBoxTarget(anchor, label, cls_prob)
    assert len(target.list_outputs()) == 3
    _, out_shapes, _ = target.infer_shape(data=(2, 8, 3, 4), label=(2, 6, 5), cls_prob=(2, 5, 48))
    assert out_shapes == [(2, 192), (2, 192), (2, 48)]


def test_float64_agrees_with_float32():
    # MXNet takes float32 only; Minerva also takes float64 (the registry checks run in it).
    rng = np.random.RandomState(1)
    prob, loc = rng.rand(1, 3, 3), rng.randn(1, 12) * 0.3
    label = np.array([[[1, 0.0, 0.0, 0.5, 0.5], [0, 0.4, 0.5, 0.9, 1.0]]])
    for dtype in ("float32", "float64"):
        args = [mx.nd.array(a, dtype=dtype) for a in (prob, loc, ANCHOR)]
        det = C.MultiBoxDetection(*args, nms_threshold=0.3)
        target = C.MultiBoxTarget(args[2], mx.nd.array(label, dtype=dtype), args[0], overlap_threshold=0.3)
        prior = C.MultiBoxPrior(mx.nd.zeros((1, 1, 2, 3), dtype=dtype), sizes=(0.3, 0.1))
        assert det.dtype == target[0].dtype == prior.dtype == np.dtype(dtype)
        if dtype == "float32":
            expected = [det.asnumpy(), prior.asnumpy()] + [t.asnumpy() for t in target]
        else:
            for got, want in zip([det, prior] + list(target), expected):
                np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-6)


def test_gradients_are_zero_as_in_mxnet():
    x = mx.nd.ones((1, 1, 2, 2))
    prob, loc, anchor = mx.nd.array(np.random.rand(1, 3, 3)), mx.nd.ones((1, 12)), mx.nd.array(ANCHOR)
    label = mx.nd.array([[[1, 0.0, 0.0, 0.5, 0.5]]])
    for a in (x, prob, loc, anchor, label):
        a.attach_grad()
    with mx.autograd.record():
        outs = [C.MultiBoxPrior(x), C.MultiBoxDetection(prob, loc, anchor)] + list(
            C.MultiBoxTarget(anchor, label, prob))
    mx.autograd.backward(outs, [mx.nd.ones_like(o) for o in outs])
    for a in (x, prob, loc, anchor, label):
        np.testing.assert_array_equal(a.grad.asnumpy(), np.zeros(a.shape))


@pytest.mark.parametrize("call, message", [
    (lambda: C.MultiBoxPrior(mx.nd.zeros((1, 2, 2))), "data must be 4-D"),
    (lambda: C.MultiBoxPrior(mx.nd.zeros((1, 1, 2, 2)), steps=(0.1,)), "'steps' must have 2 values"),
    (lambda: C.MultiBoxPrior(mx.nd.zeros((1, 1, 2, 2)), offsets=(0.5, 1.5)), "offsets must lie in [0, 1]"),
    (lambda: C.MultiBoxPrior(mx.nd.zeros((1, 1, 2, 2)), sizes="(0.5, x)"), "'sizes' expects a float"),
    (lambda: C.MultiBoxPrior(mx.nd.zeros((1, 1, 2, 2), dtype="float16")), "must be float32"),
    (lambda: C.MultiBoxDetection(mx.nd.zeros((1, 3, 3)), mx.nd.zeros((1, 8)), mx.nd.array(ANCHOR)), "loc_pred"),
    (lambda: C.MultiBoxDetection(mx.nd.zeros((1, 3, 4)), mx.nd.zeros((1, 16)), mx.nd.array(ANCHOR)),
     "cls_prob has 4 anchors but anchor has 3"),
    (lambda: C.MultiBoxDetection(mx.nd.zeros((1, 3, 3)), mx.nd.zeros((1, 12)), mx.nd.zeros((3, 4))),
     "anchor must be (1, num_anchors, 4)"),
    (lambda: C.MultiBoxDetection(mx.nd.zeros((1, 3, 3)), mx.nd.zeros((1, 12)), mx.nd.array(ANCHOR),
                                 variances=(0.1, 0.2)), "'variances' must have 4 values"),
    (lambda: C.MultiBoxTarget(mx.nd.array(ANCHOR), mx.nd.zeros((1, 2, 4)), mx.nd.zeros((1, 2, 3))),
     "label_width >= 5"),
    (lambda: C.MultiBoxTarget(mx.nd.array(ANCHOR), mx.nd.zeros((2, 2, 5)), mx.nd.zeros((1, 2, 3))),
     "cls_pred must be (batch, num_classes, num_anchors)"),
    (lambda: C.MultiBoxTarget(mx.nd.array(ANCHOR), mx.nd.array([[[-1, 0, 0, 1, 1]]]), mx.nd.zeros((1, 2, 3))),
     "padding rows must be all -1"),
    (lambda: C.MultiBoxTarget(mx.nd.array(ANCHOR), mx.nd.zeros((1, 2, 5)), mx.nd.array(np.zeros((1, 0, 3)))),
     "cls_pred must be (batch, num_classes, num_anchors)"),
    (lambda: C.MultiBoxPrior(mx.nd.array(np.zeros((1, 1, 0, 3)))), "height and width > 0"),
])
def test_bad_input_names_operator_and_argument(call, message):
    with pytest.raises(mx.base.MXNetError) as err:
        out = call()
        for o in out if isinstance(out, list) else [out]:
            o.wait_to_read()
    assert message in str(err.value)


def test_proposal_anchors_ranking_and_nms():
    # A 16-pixel cell with scale 0.5: anchors of area 8 x 8 at ratios 0.5, 1, 2 with MXNet's roundings
    # (ratio 0.5: floor(sqrt(512) + 0.5) = 23 wide, 12 high, halved), centred at 7.5.
    anchors = [[2.25, 5, 12.75, 10], [4, 4, 11, 11], [5.25, 2.5, 9.75, 12.5]]
    fg = np.array([0.2, 0.9, 0.5], dtype=np.float32)
    cls_prob = mx.nd.array(np.concatenate([1 - fg, fg]).reshape(1, 6, 1, 1))
    kw = {"scales": (0.5,), "ratios": (0.5, 1, 2), "rpn_min_size": 0, "rpn_post_nms_top_n": 3}
    rois, score = C.Proposal(cls_prob, mx.nd.zeros((1, 12, 1, 1)), mx.nd.array([[16, 16, 1]]), threshold=1.0,
                             output_score=True, **kw)
    order = [1, 2, 0]  # by foreground score
    np.testing.assert_allclose(rois.asnumpy()[:, 1:], np.array(anchors)[order])
    np.testing.assert_array_equal(rois.asnumpy()[:, 0], np.zeros(3))
    np.testing.assert_allclose(score.asnumpy()[:, 0], fg[order])
    # NMS at 0.3: anchors 0 and 2 overlap anchor 1 (IoU 0.56 and 0.55 in pixel units) and go; the
    # survivor repeats to fill the rows, and without output_score only the boxes come back.
    rois = C.Proposal(cls_prob, mx.nd.zeros((1, 12, 1, 1)), mx.nd.array([[16, 16, 1]]), threshold=0.3, **kw)
    assert isinstance(rois, mx.nd.NDArray)
    np.testing.assert_allclose(rois.asnumpy()[:, 1:], np.array([anchors[1]] * 3))
    # A delta moves the centre by dx * width (8 pixels wide: dx 0.25 is 2 pixels).
    bbox = np.zeros((1, 12, 1, 1), dtype=np.float32)
    bbox[0, 4] = 0.25  # dx of anchor 1
    rois = C.Proposal(cls_prob, mx.nd.array(bbox), mx.nd.array([[16, 16, 1]]), threshold=1.0, **kw)
    np.testing.assert_allclose(rois.asnumpy()[0, 1:], [6, 4, 13, 11])


def test_multiproposal_stacks_images_with_their_index():
    rng = np.random.RandomState(0)
    cls_prob, bbox = rng.rand(2, 2, 3, 3).astype(np.float32), (rng.randn(2, 4, 3, 3) * 0.2).astype(np.float32)
    info = np.array([[12, 12, 1.0], [12, 12, 1.0]], dtype=np.float32)
    kw = {"scales": (3.0,), "ratios": (1.0,), "feature_stride": 4, "rpn_min_size": 1, "rpn_post_nms_top_n": 4,
          "output_score": True}
    rois, score = C.MultiProposal(mx.nd.array(cls_prob), mx.nd.array(bbox), mx.nd.array(info), **kw)
    assert rois.shape == (8, 5) and score.shape == (8, 1)
    np.testing.assert_array_equal(rois.asnumpy()[:, 0], [0] * 4 + [1] * 4)
    for b in range(2):  # each image's rows are what Proposal gives for it alone
        single = C.Proposal(mx.nd.array(cls_prob[b:b + 1]), mx.nd.array(bbox[b:b + 1]), mx.nd.array(info[b:b + 1]),
                            **kw)
        np.testing.assert_allclose(rois.asnumpy()[4 * b:4 * b + 4, 1:], single[0].asnumpy()[:, 1:])
        np.testing.assert_allclose(score.asnumpy()[4 * b:4 * b + 4], single[1].asnumpy())


def test_proposal_symbol_shapes_and_zero_gradients():
    sym = mx.sym.contrib.MultiProposal(mx.sym.Variable("cls"), mx.sym.Variable("bbox"), mx.sym.Variable("info"),
                                       rpn_post_nms_top_n=7, output_score=True)
    arg_shapes, out_shapes, _ = sym.infer_shape(cls=(3, 24, 5, 6))
    assert arg_shapes == [(3, 24, 5, 6), (3, 48, 5, 6), (3, 3)] and out_shapes == [(21, 5), (21, 1)]
    args = [mx.nd.array(np.random.rand(1, 4, 2, 2)), mx.nd.zeros((1, 8, 2, 2)), mx.nd.array([[8, 8, 1]])]
    for a in args:
        a.attach_grad()
    with mx.autograd.record():
        out = C.Proposal(*args, scales=(1, 2), ratios=(1,), feature_stride=4, rpn_min_size=0, rpn_post_nms_top_n=3)
    out.backward(mx.nd.ones_like(out))
    for a in args:
        np.testing.assert_array_equal(a.grad.asnumpy(), np.zeros(a.shape))


@pytest.mark.parametrize("call, message", [
    (lambda: C.Proposal(mx.nd.zeros((1, 4, 2, 2)), mx.nd.zeros((1, 8, 2, 2)), mx.nd.array([[8, 8, 1]])),
     "num_anchors = len(ratios) * len(scales) = 12"),
    (lambda: C.Proposal(mx.nd.zeros((2, 2, 2, 2)), mx.nd.zeros((2, 4, 2, 2)), mx.nd.ones((2, 3)), scales=(1,),
                        ratios=(1,)), "takes one image"),
    (lambda: C.Proposal(mx.nd.zeros((1, 2, 2, 2)), mx.nd.zeros((1, 8, 2, 2)), mx.nd.ones((1, 3)), scales=(1,),
                        ratios=(1,)), "bbox_pred"),
    (lambda: C.MultiProposal(mx.nd.zeros((2, 2, 2, 2)), mx.nd.zeros((2, 4, 2, 2)), mx.nd.ones((1, 3)), scales=(1,),
                             ratios=(1,)), "im_info"),
    (lambda: C.MultiProposal(mx.nd.zeros((1, 2, 2, 2)), mx.nd.zeros((1, 4, 2, 2)), mx.nd.array([[64, 8, 1]]),
                             scales=(1,), ratios=(1,), feature_stride=4), "not larger than the feature map"),
    (lambda: C.MultiProposal(mx.nd.zeros((1, 2, 2, 2)), mx.nd.zeros((1, 4, 2, 2)), mx.nd.array([[np.nan, 8, 1]]),
                             scales=(1,), ratios=(1,), feature_stride=4), "must be finite"),
    (lambda: C.MultiProposal(mx.nd.zeros((1, 2, 2, 2)), mx.nd.zeros((1, 4, 2, 2)), mx.nd.array([[-1e30, 8, 1]]),
                             scales=(1,), ratios=(1,), feature_stride=4), "invalid height or width"),
    (lambda: C.MultiProposal(mx.nd.zeros((1, 2, 2, 2)), mx.nd.zeros((1, 4, 2, 2)), mx.nd.array([[8, 8, 1]]),
                             scales=(1,), ratios=(1,), feature_stride=0), "feature_stride must be > 0"),
    (lambda: C.MultiProposal(mx.nd.array(np.zeros((1, 2, 0, 2))), mx.nd.array(np.zeros((1, 4, 0, 2))),
                             mx.nd.array([[8, 8, 1]]), scales=(1,), ratios=(1,)), "height, width > 0"),
    (lambda: C.MultiProposal(mx.nd.zeros((1, 2, 2, 2)), mx.nd.zeros((1, 4, 2, 2)), mx.nd.array([[8, 8, 1]]),
                             scales="()", ratios=(1,)), "'scales' expects a float"),
])
def test_proposal_bad_input(call, message):
    with pytest.raises(mx.base.MXNetError) as err:
        out = call()
        for o in out if isinstance(out, list) else [out]:
            o.wait_to_read()
    assert message in str(err.value)


_ROOT = pathlib.Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("make_ssd_graph_golden",
                                               _ROOT / "tools" / "golden" / "make_ssd_graph_golden.py")
_ssd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_ssd)


def test_ssd_training_graph_matches_mxnet():
    expected = json.loads((_ROOT / "tests" / "golden" / "api" / "ssd_graph.json").read_text())["outcomes"]
    got = _ssd.outcomes(mx)
    assert sorted(got) == sorted(expected)
    for key, want in expected.items():
        np.testing.assert_allclose(np.array(got[key]), np.array(want), rtol=1e-4, atol=1e-5, err_msg=key)


def test_symbol_node_names_are_mxnets():
    # MXNet names a node after the namespace function: multiboxprior0, not _contrib_multiboxprior0.
    x = mx.sym.Variable("x")
    with mx.name.NameManager():
        assert mx.sym.contrib.MultiBoxPrior(x).name == "multiboxprior0"
        assert mx.sym.contrib.MultiBoxDetection(x, x, x).name == "multiboxdetection0"
        target = mx.sym.contrib.MultiBoxTarget(x, x, x)
        assert target.list_outputs() == ["multiboxtarget0_loc_target", "multiboxtarget0_loc_mask",
                                         "multiboxtarget0_cls_target"]
        assert mx.sym.contrib.Proposal(x, x, x).list_outputs() == ["proposal0_output"]
        assert mx.sym.contrib.MultiProposal(x, x, x, output_score=True).list_outputs() == [
            "multiproposal0_output", "multiproposal0_score"]
