"""Golden cases of MXNet 1.x's deformable convolutions and position-sensitive ROI pooling
(core/ops/contrib_deformable_conv.cc, core/ops/contrib_psroi_pooling.cc): outputs and input
gradients from the MXNet 1.9.1 oracle. ``u``, ``idx`` and ``rng`` come from
tools/golden/make_op_golden.py."""
# ruff: noqa: F821  (u, idx and rng are injected into this module before it runs)
import numpy as np

DCN = "_contrib_DeformableConvolution"
MDCN = "_contrib_ModulatedDeformableConvolution"

CASES = [
    # Offsets of up to two pixels with padding: samples fall outside the image, on its far border
    # (where MXNet's v1 forward clamps but its backward does not) and between pixels.
    (DCN, [u(2, 3, 5, 6), u(2, 18, 5, 6, lo=-2, hi=2), u(4, 3, 3, 3), u(4)],
     {"kernel": (3, 3), "pad": (1, 1), "num_filter": 4}, [0, 1, 2, 3]),
    (DCN, [u(1, 4, 7, 6), u(1, 16, 3, 3, lo=-1.5, hi=1.5), u(6, 2, 2, 2)],
     {"kernel": (2, 2), "stride": (2, 2), "dilate": (2, 1), "num_filter": 6, "num_group": 2,
      "num_deformable_group": 2, "no_bias": True}, [0, 1, 2]),
    (DCN, [u(1, 2, 4, 4), u(1, 2, 4, 4, lo=-3, hi=3), u(2, 2, 1, 1), u(2)],
     {"kernel": (1, 1), "num_filter": 2}, [0, 1, 2, 3]),
    (DCN, [u(1, 2, 5, 5), u(1, 18, 3, 3, lo=-1, hi=1), u(2, 2, 3, 3), u(2)],
     {"kernel": (3, 3), "num_filter": 2}, [], ["float64"] * 4),  # MXNet's float64 backward fails
    # MXNet 1.9.1 computes the modulated version's gradient on GPU only ("only implemented in GPU"):
    # forward outputs here; the gradients are checked numerically (Registry.*, test_contrib_deformable.py).
    (MDCN, [u(2, 3, 5, 6), u(2, 18, 5, 6, lo=-2, hi=2), u(2, 9, 5, 6, lo=0, hi=1), u(4, 3, 3, 3), u(4)],
     {"kernel": (3, 3), "pad": (1, 1), "num_filter": 4}, []),
    (MDCN, [u(1, 4, 7, 6), u(1, 16, 3, 3, lo=-1.5, hi=1.5), u(1, 8, 3, 3), u(6, 2, 2, 2)],
     {"kernel": (2, 2), "stride": (2, 2), "dilate": (2, 1), "num_filter": 6, "num_group": 2,
      "num_deformable_group": 2, "no_bias": True}, []),
    (MDCN, [u(1, 2, 4, 4), u(1, 2, 4, 4, lo=-3, hi=3), u(1, 1, 4, 4), u(2, 2, 1, 1), u(2)],
     {"kernel": (1, 1), "num_filter": 2, "im2col_step": 1}, []),
]


def _rois(n, batch, size, scale=1.0):
    """n regions [b, x1, y1, x2, y2] on an image of size x size pixels (some inverted or off the map)."""
    r = rng.uniform(-1, size + 1, (n, 4)) / scale
    return np.concatenate([rng.randint(0, batch, (n, 1)), r], axis=1).astype(np.float32)


PS = "_contrib_PSROIPooling"
DPS = "_contrib_DeformablePSROIPooling"

CASES += [
    (PS, [u(2, 8, 6, 7), _rois(5, 2, 7)], {"spatial_scale": 1.0, "output_dim": 2, "pooled_size": 2}, [0]),
    (PS, [u(1, 18, 5, 5), _rois(4, 1, 10, 0.5)], {"spatial_scale": 0.5, "output_dim": 2, "pooled_size": 3}, [0]),
    (PS, [u(1, 12, 6, 6), _rois(3, 1, 6)], {"spatial_scale": 1.0, "output_dim": 3, "pooled_size": 4,
                                            "group_size": 2}, [0]),
    (PS, [u(1, 8, 4, 4), _rois(3, 1, 4)], {"spatial_scale": 1.0, "output_dim": 2, "pooled_size": 2}, [],
     ["float64", "float64"]),  # MXNet's float64 backward fails
    (DPS, [u(2, 8, 6, 7), _rois(5, 2, 7), u(5, 2, 2, 2)],
     {"spatial_scale": 1.0, "output_dim": 2, "pooled_size": 2, "group_size": 2, "trans_std": 0.1}, [0, 2]),
    (DPS, [u(1, 8, 8, 8), _rois(4, 1, 16, 0.5), u(4, 4, 3, 3, lo=-2, hi=2)],
     {"spatial_scale": 0.5, "output_dim": 2, "pooled_size": 3, "group_size": 2, "trans_std": 0.2,
      "sample_per_part": 3}, [0, 2]),
    (DPS, [u(1, 18, 6, 6), _rois(3, 1, 6), u(3, 2, 2, 2)],
     {"spatial_scale": 1.0, "output_dim": 2, "pooled_size": 4, "group_size": 3, "part_size": 2,
      "sample_per_part": 2, "trans_std": 0.3}, [0, 2]),
    (DPS, [u(1, 8, 5, 5), _rois(3, 1, 5)],
     {"spatial_scale": 1.0, "output_dim": 2, "pooled_size": 2, "group_size": 2, "no_trans": True,
      "sample_per_part": 2}, [0]),
]
