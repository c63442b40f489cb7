"""Golden cases of the mx.nd.contrib operators (core/ops/contrib_*.cc), registered as _contrib_X; the
oracle's function is mx.nd.contrib.X. ``u``, ``idx`` and ``rng`` come from make_op_golden.py."""
import numpy as np

F64, I32 = "float64", "int32"


def boxes(n, extra_cols=0, lo=0.0, hi=10.0):
    """n corner boxes [xmin, ymin, xmax, ymax], after `extra_cols` leading columns (id, score)."""
    xy = u(n, 2, lo=lo, hi=hi)  # noqa: F821
    wh = u(n, 2, lo=1.0, hi=5.0)  # noqa: F821
    return np.concatenate([u(n, extra_cols, lo=0, hi=1), xy, xy + wh], axis=1).astype(np.float32)  # noqa: F821


CASES = [
    ("_contrib_arange_like", [u(2, 3)], {}, []),  # noqa: F821
    ("_contrib_arange_like", [u(2, 3)], {"start": 1.0, "step": 0.5, "repeat": 2}, []),  # noqa: F821
    ("_contrib_arange_like", [u(2, 3, 4)], {"axis": -2, "start": 2.0}, [], [F64]),  # noqa: F821
    ("_contrib_index_array", [u(3, 2)], {}, []),  # noqa: F821
    ("_contrib_index_array", [u(2, 3, 2)], {"axes": (-1, 0)}, []),  # noqa: F821
    ("_contrib_index_copy", [u(4, 3), np.array([2, 0], np.float32), u(2, 3)], {}, [0, 2]),  # noqa: F821
    ("_contrib_index_copy", [u(5), np.array([4, 1, 3], np.float32), u(3)], {}, [0, 2]),  # noqa: F821
    ("_contrib_div_sqrt_dim", [u(2, 3, 4)], {}, [0]),  # noqa: F821
    ("_contrib_quadratic", [u(2, 3)], {"a": 1.5, "b": -2.0, "c": 0.5}, [0]),  # noqa: F821
    ("_contrib_gradientmultiplier", [u(2, 3)], {"scalar": -0.5, "is_int": False}, [0]),  # noqa: F821
    ("_contrib_gradientmultiplier", [u(4)], {"scalar": 3}, [0]),  # noqa: F821
]

CASES += [
    ("_contrib_interleaved_matmul_selfatt_qk", [u(3, 2, 12)], {"heads": 2}, [0]),  # noqa: F821
    ("_contrib_interleaved_matmul_selfatt_valatt", [u(3, 2, 12), u(4, 3, 3)], {"heads": 2}, [0, 1]),  # noqa: F821
    ("_contrib_interleaved_matmul_encdec_qk", [u(3, 2, 4), u(5, 2, 8)], {"heads": 2}, [0, 1]),  # noqa: F821
    ("_contrib_interleaved_matmul_encdec_valatt", [u(5, 2, 8), u(4, 3, 5)], {"heads": 2}, [0, 1]),  # noqa: F821
    ("_contrib_interleaved_matmul_selfatt_qk", [u(4, 1, 6)], {"heads": 1}, [0]),  # noqa: F821
]

CASES += [
    ("_contrib_BilinearResize2D", [u(1, 2, 3, 4)], {"height": 5, "width": 7}, [0]),  # noqa: F821
    ("_contrib_BilinearResize2D", [u(1, 2, 4, 5)], {"height": 3, "width": 2, "align_corners": False}, [0]),  # noqa: F821
    ("_contrib_BilinearResize2D", [u(2, 1, 4, 3)], {"scale_height": 1.5, "scale_width": 2.0}, [0]),  # noqa: F821
    ("_contrib_BilinearResize2D", [u(1, 1, 5, 4)], {"scale_height": 2.0, "scale_width": 0.5,  # noqa: F821
                                                    "mode": "odd_scale", "align_corners": False}, [0]),
    ("_contrib_BilinearResize2D", [u(1, 1, 3, 3), u(1, 1, 5, 4)], {"mode": "like"}, [0]),  # noqa: F821
    ("_contrib_BilinearResize2D", [u(1, 2, 3, 4)], {"mode": "to_even_up"}, [0]),  # noqa: F821
    ("_contrib_BilinearResize2D", [u(1, 2, 3, 4)], {"mode": "to_even_down"}, [0]),  # noqa: F821
    ("_contrib_BilinearResize2D", [u(1, 2, 3, 4)], {"mode": "to_odd_up"}, [0]),  # noqa: F821
    ("_contrib_BilinearResize2D", [u(1, 2, 3, 4)], {"mode": "to_odd_down"}, [0]),  # noqa: F821
    ("_contrib_AdaptiveAvgPooling2D", [u(1, 2, 5, 7)], {"output_size": (2, 3)}, [0]),  # noqa: F821
    ("_contrib_AdaptiveAvgPooling2D", [u(2, 1, 4, 4)], {"output_size": 3}, [0]),  # noqa: F821
    ("_contrib_AdaptiveAvgPooling2D", [u(1, 3, 3, 5)], {}, [0]),  # noqa: F821
]


def _nms_rows():
    rows = boxes(8, extra_cols=2)
    rows[:, 0] = [0, 1, 0, 1, 0, 2, 1, 0]  # class ids
    rows[3, 2:] = rows[1, 2:] + 0.2  # near-duplicates, to be suppressed
    rows[6, 2:] = rows[0, 2:] - 0.1
    rows[7, 1] = rows[2, 1]  # a tie in score
    return rows


CASES += [
    ("_contrib_box_iou", [boxes(3), boxes(2)], {}, [0, 1]),
    ("_contrib_box_iou", [u(2, 2, 4, lo=1, hi=4), u(3, 4, lo=1, hi=4)], {"format": "center"}, []),  # noqa: F821
    ("_contrib_box_nms", [_nms_rows()[None]], {"overlap_thresh": 0.3}, [0]),
    ("_contrib_box_nms", [_nms_rows()[None]], {"overlap_thresh": 0.3, "id_index": 0}, [0]),
    ("_contrib_box_nms", [_nms_rows()[None]], {"overlap_thresh": 0.2, "id_index": 0, "force_suppress": True,
                                               "valid_thresh": 0.3, "topk": 4}, [0]),
    ("_contrib_box_nms", [_nms_rows()[None]], {"id_index": 0, "background_id": 1, "out_format": "center"}, [0]),
    ("_contrib_box_nms", [np.stack([_nms_rows(), _nms_rows()])[:, :, [1, 2, 3, 4, 5, 0]]],
     {"coord_start": 1, "score_index": 0, "id_index": 5, "in_format": "center", "overlap_thresh": 0.1}, [0]),
    ("_contrib_box_nms", [np.stack([_nms_rows(), _nms_rows()])[None]], {"overlap_thresh": 0.4}, []),
]

# No roi with a negative batch index: MXNet 1.9.1 leaves its output unwritten and then corrupts another
# roi's output (a race in its CPU kernel); tests/python/test_contrib_ops.py checks Minerva's zeros instead.
_ROIS = np.array([[0, 1.0, 1.5, 9.0, 7.0], [1, 0.0, 0.0, 3.0, 4.0], [0, 6.5, 2.0, 12.0, 11.5]], np.float32)
CASES += [
    ("_contrib_ROIAlign", [u(2, 3, 6, 7), _ROIS], {"pooled_size": (2, 3), "spatial_scale": 0.5}, [0]),  # noqa: F821
    ("_contrib_ROIAlign", [u(2, 3, 6, 7), _ROIS], {"pooled_size": (3, 3), "spatial_scale": 0.5,  # noqa: F821
                                                   "sample_ratio": 2, "aligned": True}, [0]),
    ("_contrib_ROIAlign", [u(2, 8, 5, 5), _ROIS], {"pooled_size": (2, 2), "spatial_scale": 0.4,  # noqa: F821
                                                   "position_sensitive": True}, [0]),
]

CASES += [
    ("_contrib_box_encode", [np.array([[1, -1, 0, 1]], np.float32), np.array([[1, 0, 1, 0]], np.float32),
                             boxes(4)[None], boxes(2)[None], np.array([0.1, 0.0, -0.1, 0.2], np.float32),
                             np.array([0.1, 0.1, 0.2, 0.2], np.float32)], {}, []),
    ("_contrib_box_decode", [u(2, 3, 4), boxes(3)[None]], {"format": "corner", "clip": 0.5,  # noqa: F821
                                                           "std0": 0.1, "std2": 0.2}, [0]),
    ("_contrib_box_decode", [u(1, 2, 4), u(1, 2, 4, lo=1, hi=3)], {}, []),  # noqa: F821
]

CASES += [
    ("_contrib_round_ste", [np.array([-1.5, -0.4, 0.5, 1.5, 2.5, -2.5], np.float32)], {}, [0]),
    ("_contrib_round_ste", [u(3, 4, lo=-3, hi=3)], {}, [0]),  # noqa: F821
    ("_contrib_sign_ste", [np.array([-1.5, 0.0, 0.5, -0.2], np.float32)], {}, [0]),
    ("_contrib_sign_ste", [u(2, 3)], {}, [0]),  # noqa: F821
]

_SCORES = np.array([[0.5, 0.6], [0.1, 0.2], [0.3, 0.4]], np.float32)
CASES += [
    ("_contrib_bipartite_matching", [_SCORES], {"threshold": 1e-12}, []),
    ("_contrib_bipartite_matching", [_SCORES], {"threshold": 0.3}, []),
    ("_contrib_bipartite_matching", [_SCORES], {"threshold": 0.35, "is_ascend": True}, []),
    ("_contrib_bipartite_matching", [np.full((2, 2), 0.5, np.float32)], {"threshold": 0.1}, []),
    ("_contrib_bipartite_matching", [u(2, 5, 4, lo=0, hi=1)], {"threshold": 0.05}, [0]),  # noqa: F821
    ("_contrib_bipartite_matching", [u(5, 4, lo=0, hi=1)], {"threshold": 0.05, "topk": 1}, []),  # noqa: F821
    ("_contrib_bipartite_matching", [u(5, 4, lo=0, hi=1)], {"threshold": 0.05, "topk": 2}, []),  # noqa: F821
]

CASES += [
    ("_contrib_MultiBoxPrior", [u(1, 2, 3, 4)], {"sizes": (0.5, 0.25), "ratios": (1.0, 2.0, 0.5)}, []),  # noqa: F821
    ("_contrib_MultiBoxPrior", [u(2, 1, 5, 5)], {"sizes": (0.9,), "ratios": (1.0, 3.0), "clip": True}, []),  # noqa: F821
    ("_contrib_MultiBoxPrior", [u(1, 1, 4, 2)], {"sizes": (0.3, 0.6), "steps": (0.2, 0.4),  # noqa: F821
                                                  "offsets": (0.25, 0.75)}, [0]),
    ("_contrib_MultiBoxPrior", [u(1, 1, 2, 3)], {}, []),  # noqa: F821
]


def _detection_inputs(batch, classes, anchors):
    logits = u(batch, classes, anchors, lo=-2, hi=2)  # noqa: F821
    prob = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    centers = u(anchors, 2, lo=0.2, hi=0.8)  # noqa: F821
    half = u(anchors, 2, lo=0.1, hi=0.3)  # noqa: F821
    anchor = np.concatenate([centers - half, centers + half], axis=1)[None].astype(np.float32)
    anchor[0, 1] = anchor[0, 0] + 0.01  # near-duplicates, to be suppressed
    return [prob.astype(np.float32), u(batch, anchors * 4, lo=-0.5, hi=0.5), anchor]  # noqa: F821


CASES += [
    ("_contrib_MultiBoxDetection", _detection_inputs(2, 3, 8), {}, []),
    ("_contrib_MultiBoxDetection", _detection_inputs(1, 4, 10), {"threshold": 0.3, "nms_threshold": 0.3,
                                                                 "force_suppress": True, "clip": False}, []),
    ("_contrib_MultiBoxDetection", _detection_inputs(2, 3, 9), {"nms_topk": 3, "variances": (0.2, 0.2, 0.1, 0.1)},
     []),
    ("_contrib_MultiBoxDetection", _detection_inputs(1, 3, 6), {"nms_threshold": 0.0}, []),
    ("_contrib_MultiBoxDetection", _detection_inputs(1, 3, 6), {"background_id": 1}, [0, 1, 2]),
]


def _target_inputs(batch, anchors, labels, classes, pad):
    centers = u(anchors, 2, lo=0.2, hi=0.8)  # noqa: F821
    half = u(anchors, 2, lo=0.05, hi=0.25)  # noqa: F821
    anchor = np.concatenate([centers - half, centers + half], axis=1)[None].astype(np.float32)
    rows = []
    for _ in range(batch):
        gt_c = u(labels, 2, lo=0.25, hi=0.75)  # noqa: F821
        gt_h = u(labels, 2, lo=0.05, hi=0.2)  # noqa: F821
        cls = rng.randint(0, classes - 1, size=(labels, 1)).astype(np.float32)  # noqa: F821
        lab = np.concatenate([cls, gt_c - gt_h, gt_c + gt_h], axis=1)
        lab[labels - pad:] = -1
        rows.append(lab)
    return [anchor, np.stack(rows).astype(np.float32), u(batch, classes, anchors, lo=-2, hi=2)]  # noqa: F821


CASES += [
    ("_contrib_MultiBoxTarget", _target_inputs(2, 12, 3, 4, 1), {}, []),
    ("_contrib_MultiBoxTarget", _target_inputs(2, 16, 4, 3, 0), {"overlap_threshold": 0.3,
                                                                 "negative_mining_ratio": 2.0,
                                                                 "negative_mining_thresh": 0.4}, []),
    ("_contrib_MultiBoxTarget", _target_inputs(1, 10, 3, 3, 3), {"ignore_label": -2.0}, []),
    ("_contrib_MultiBoxTarget", _target_inputs(1, 10, 2, 3, 0), {"overlap_threshold": 0.0,
                                                                 "variances": (0.2, 0.2, 0.5, 0.5)}, [2]),
]

# No negative batch index: MXNet's PSROIPooling forward gives 0 for it, but its backward writes out of bounds
# (the oracle's heap is corrupted); tests/python/test_contrib_ops.py checks Minerva's zeros.
_PS_ROIS = np.array([[0, 1.2, 0.6, 7.7, 6.1], [1, 0, 0, 3, 4], [0, 5.5, 2.2, 9.9, 9.6], [1, 3, 3, 3, 3]], np.float32)
CASES += [
    ("_contrib_PSROIPooling", [u(2, 8, 6, 7), _PS_ROIS], {"spatial_scale": 0.5, "output_dim": 2,  # noqa: F821
                                                         "pooled_size": 2}, [0]),
    ("_contrib_PSROIPooling", [u(2, 18, 5, 5), _PS_ROIS], {"spatial_scale": 0.625, "output_dim": 2,  # noqa: F821
                                                          "pooled_size": 3}, [0]),
    ("_contrib_PSROIPooling", [u(2, 12, 6, 6), _PS_ROIS], {"spatial_scale": 1.0, "output_dim": 3,  # noqa: F821
                                                          "pooled_size": 3, "group_size": 2}, [0]),
]


def _proposal_inputs(anchors, height, width, stride, im_h=None, im_w=None, deltas=0.3):
    scores = rng.permutation(2 * anchors * height * width).astype(np.float32)  # noqa: F821  distinct scores
    scores = (scores / scores.size).reshape(1, 2 * anchors, height, width)
    info = np.array([[im_h or height * stride, im_w or width * stride, 1.0]], np.float32)
    return [scores, u(1, 4 * anchors, height, width, lo=-deltas, hi=deltas), info]  # noqa: F821


_SMALL = {"scales": (2.0, 4.0), "ratios": (0.5, 1.0, 2.0), "feature_stride": 4, "rpn_min_size": 1}
CASES += [
    ("_contrib_Proposal", _proposal_inputs(6, 3, 4, 4), dict(_SMALL, rpn_post_nms_top_n=10), []),
    ("_contrib_Proposal", _proposal_inputs(6, 3, 4, 4), dict(_SMALL, rpn_post_nms_top_n=8, threshold=0.3,
                                                             rpn_pre_nms_top_n=30), []),
    ("_contrib_Proposal", _proposal_inputs(6, 3, 4, 4, deltas=2.0), dict(_SMALL, rpn_post_nms_top_n=6,
                                                                         iou_loss=True), []),
    ("_contrib_Proposal", _proposal_inputs(6, 4, 4, 4, im_h=9.0), dict(_SMALL, rpn_post_nms_top_n=5,
                                                                       rpn_pre_nms_top_n=12, output_score=True), []),
    ("_contrib_Proposal", _proposal_inputs(12, 2, 3, 16), {"rpn_min_size": 0, "rpn_post_nms_top_n": 20}, []),
]


def _batch_proposal_inputs(batch, anchors, height, width, stride):
    parts = [_proposal_inputs(anchors, height, width, stride) for _ in range(batch)]
    info = np.concatenate([p[2] for p in parts])
    info[-1, 0] = stride * (height - 1) + 1  # a smaller last image: its bottom cells are padding
    return [np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), info]


CASES += [
    ("_contrib_MultiProposal", _batch_proposal_inputs(2, 6, 3, 4, 4), dict(_SMALL, rpn_post_nms_top_n=6,
                                                                            rpn_pre_nms_top_n=20), []),
    ("_contrib_MultiProposal", _batch_proposal_inputs(3, 6, 3, 3, 4), dict(_SMALL, rpn_post_nms_top_n=4,
                                                                            threshold=0.5, rpn_pre_nms_top_n=10,
                                                                            output_score=True), []),
]

_RROIS = np.array([[0, 3.0, 3.0, 4.0, 2.0, 0.0], [0, 3.0, 3.0, 4.0, 2.0, 90.0], [1, 5.5, 4.0, 6.0, 3.0, 30.0],
                   [1, 2.0, 6.0, 10.0, 4.0, -45.0], [0, 1.0, 1.0, 0.5, 0.5, 10.0]], np.float32)
CASES += [
    ("_contrib_RROIAlign", [u(2, 3, 8, 9), _RROIS], {"pooled_size": (2, 2), "spatial_scale": 1.0}, []),  # noqa: F821
    ("_contrib_RROIAlign", [u(2, 2, 6, 7), _RROIS], {"pooled_size": (3, 2), "spatial_scale": 0.5,  # noqa: F821
                                                     "sampling_ratio": 2}, []),
]
