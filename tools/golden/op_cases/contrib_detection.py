"""Golden cases of the SSD / Faster R-CNN detection operators of mx.nd.contrib
(core/ops/contrib_multibox.cc, contrib_proposal.cc): outputs and (zero) input gradients from the
MXNet 1.9.1 oracle. ``u``, ``idx`` and ``rng`` come from tools/golden/make_op_golden.py.

MXNet 1.9.1 runs these operators on float32 only, so every case is float32.
Scores are drawn from a continuous distribution, so no two are equal: the order of NMS-based
operators is then defined without ties."""
# ruff: noqa: F821  (u, idx and rng are injected into this module before it runs)
import numpy as np


def boxes(n, lo=0.0, hi=1.0, min_side=0.05):
    """(1, n, 4) corner boxes [xmin, ymin, xmax, ymax] inside [lo, hi]."""
    corner = u(n, 2, lo=lo, hi=hi - min_side)
    side = u(n, 2, lo=min_side, hi=0.5)
    far = np.minimum(corner + side, hi)
    return np.concatenate([corner, far], axis=1).reshape(1, n, 4).astype(np.float32)


def labels(batch, rows, valid, num_classes=3):
    """(batch, rows, 6) ground truths [class, box, difficulty]; rows after valid[b] are -1 padding."""
    out = -np.ones((batch, rows, 6), dtype=np.float32)
    for b in range(batch):
        gt = boxes(valid[b], min_side=0.2)[0]
        out[b, :valid[b], 0] = idx(num_classes, valid[b])
        out[b, :valid[b], 1:5] = gt
        out[b, :valid[b], 5] = 0
    return out


def probabilities(batch, classes, anchors):
    """Class probabilities (softmax over the class axis) without ties."""
    e = np.exp(3 * u(batch, classes, anchors))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


ANCHORS = boxes(12)
LABELS = labels(2, 4, [3, 1])
PRED = u(2, 4, 12, lo=-2, hi=2)
PROB = probabilities(2, 4, 12)
LOC = u(2, 48, lo=-0.5, hi=0.5)

CASES = [
    # MultiBoxPrior: only the shape of data matters; the gradient is zero.
    ("_contrib_MultiBoxPrior", [u(1, 3, 4, 5)], {}, [0]),
    ("_contrib_MultiBoxPrior", [u(2, 1, 3, 2)], {"sizes": (0.6, 0.3, 0.1), "ratios": (1.0, 2.0, 0.5)}, []),
    ("_contrib_MultiBoxPrior", [u(1, 2, 3, 3)],
     {"sizes": (0.9, 0.4), "ratios": (1.0, 3.0), "clip": True, "steps": (0.25, 0.3), "offsets": (0.2, 0.8)}, []),
    ("_contrib_MultiBoxPrior", [u(1, 1, 2, 4)], {"sizes": (0.5,), "ratios": (2.0, 0.5)}, []),
    # MultiBoxTarget: matching, hard negative mining, variances; gradients are zero.
    ("_contrib_MultiBoxTarget", [ANCHORS, LABELS, PRED], {}, [0, 1, 2]),
    ("_contrib_MultiBoxTarget", [ANCHORS, LABELS, PRED], {"negative_mining_ratio": 2.0}, []),
    ("_contrib_MultiBoxTarget", [ANCHORS, LABELS, PRED],
     {"overlap_threshold": 0.2, "ignore_label": -3.0, "negative_mining_ratio": 1.5, "negative_mining_thresh": 0.4,
      "variances": (0.2, 0.15, 0.3, 0.25)}, []),
    ("_contrib_MultiBoxTarget", [ANCHORS, LABELS, PRED], {"overlap_threshold": 0.0}, []),
    ("_contrib_MultiBoxTarget", [ANCHORS, LABELS, PRED], {"overlap_threshold": 0.3}, []),
    # MultiBoxDetection: decoding, per-class and forced NMS, top-k, no NMS; gradients are zero.
    ("_contrib_MultiBoxDetection", [PROB, LOC, ANCHORS], {}, [0, 1, 2]),
    ("_contrib_MultiBoxDetection", [PROB, LOC, ANCHORS], {"force_suppress": True, "nms_threshold": 0.2}, []),
    ("_contrib_MultiBoxDetection", [PROB, LOC, ANCHORS],
     {"clip": False, "threshold": 0.3, "nms_topk": 3, "variances": (0.2, 0.2, 0.1, 0.1)}, []),
    ("_contrib_MultiBoxDetection", [PROB, LOC, ANCHORS], {"nms_threshold": 0.0}, []),
    ("_contrib_MultiBoxDetection", [PROB, LOC, ANCHORS], {"nms_threshold": 0.1, "background_id": 2}, []),
    # Proposal / MultiProposal: anchors, deltas (or corner shifts with iou_loss), clipping, NMS,
    # rows repeated when fewer than rpn_post_nms_top_n survive; rpn_min_size and im_info keep
    # every box that can reach the output at a distinct positive score.
    ("_contrib_Proposal", [u(1, 12, 4, 5, lo=0, hi=1), u(1, 24, 4, 5, lo=-0.3, hi=0.3), np.array([[32, 40, 1.0]])],
     {"scales": (2.0, 4.0), "ratios": (0.5, 1.0, 2.0), "feature_stride": 8, "rpn_min_size": 1,
      "rpn_post_nms_top_n": 12}, [0, 1, 2]),
    ("_contrib_Proposal", [u(1, 4, 3, 3, lo=0, hi=1), u(1, 8, 3, 3, lo=-0.3, hi=0.3), np.array([[12, 12, 1.0]])],
     {"scales": (3.0,), "ratios": (1.0, 2.0), "feature_stride": 4, "rpn_min_size": 1, "rpn_pre_nms_top_n": 10,
      "rpn_post_nms_top_n": 20, "threshold": 0.3, "output_score": True}, []),
    ("_contrib_Proposal", [u(1, 4, 3, 3, lo=0, hi=1), u(1, 8, 3, 3, lo=-2, hi=2), np.array([[12, 12, 1.0]])],
     {"scales": (3.0,), "ratios": (1.0, 2.0), "feature_stride": 4, "rpn_min_size": 1, "rpn_post_nms_top_n": 6,
      "iou_loss": True, "output_score": True}, []),
    ("_contrib_Proposal", [u(1, 12, 4, 5, lo=0, hi=1), u(1, 24, 4, 5, lo=-0.3, hi=0.3), np.array([[24, 30, 1.0]])],
     {"scales": (2.0, 4.0), "ratios": (0.5, 1.0, 2.0), "feature_stride": 8, "rpn_min_size": 1,
      "rpn_post_nms_top_n": 5, "output_score": True}, []),
    ("_contrib_MultiProposal",
     [u(2, 6, 4, 5, lo=0, hi=1), u(2, 12, 4, 5, lo=-0.3, hi=0.3), np.array([[32, 40, 1.0], [30, 37, 1.5]])],
     {"scales": (2.0,), "ratios": (0.5, 1.0, 2.0), "feature_stride": 8, "rpn_min_size": 2,
      "rpn_post_nms_top_n": 10, "output_score": True}, [0, 1, 2]),
    ("_contrib_MultiProposal",
     [u(2, 2, 3, 3, lo=0, hi=1), u(2, 4, 3, 3, lo=-0.3, hi=0.3), np.array([[12, 12, 1.0], [12, 12, 2.0]])],
     {"scales": (3.0,), "ratios": (1.0,), "feature_stride": 4, "rpn_min_size": 1, "rpn_post_nms_top_n": 4,
      "threshold": 0.5}, []),
]
