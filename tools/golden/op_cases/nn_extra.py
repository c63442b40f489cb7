"""Golden cases of MXNet 1.x's remaining neural-network operators (core/ops/nn_regression.cc,
nn_softmax.cc's softmin and SoftmaxActivation, nn_normalize.cc, nn_upsample_crop.cc,
nn_spatial.cc): outputs and input gradients from the MXNet 1.9.1 oracle. ``u``, ``idx`` and
``rng`` come from tools/golden/make_op_golden.py."""
# ruff: noqa: F821  (u, idx and rng are injected into this module before it runs)
import numpy as np

CASES = [
    # The loss layers ignore the head gradient; the label's gradient is zero.
    ("LinearRegressionOutput", [u(3, 4), u(3, 4)], {}, [0, 1]),
    ("LinearRegressionOutput", [u(4, 1), u(4)], {"grad_scale": 2.5}, [0]),
    ("LinearRegressionOutput", [u(2, 3, 2), u(2, 6)], {}, [0]),
    ("LinearRegressionOutput", [u(5), u(5)], {}, [0], ["float64", "float64"]),
    ("LogisticRegressionOutput", [u(3, 4, lo=-3, hi=3), (u(3, 4) > 0).astype(np.float32)], {}, [0, 1]),
    ("LogisticRegressionOutput", [u(2, 1), u(2)], {"grad_scale": 0.5}, [0]),
    ("MAERegressionOutput", [u(3, 4), u(3, 4)], {}, [0, 1]),
    ("MAERegressionOutput", [np.array([[1, 0, 2]], np.float32), np.array([[1, 1, 2]], np.float32)],
     {"grad_scale": 3.0}, [0]),
    ("MakeLoss", [u(2, 3)], {}, [0]),
    ("MakeLoss", [u(2, 3, 4)], {"normalization": "batch", "grad_scale": 2.0}, [0]),
    ("MakeLoss", [u(3, 4)], {"normalization": "valid", "valid_thresh": 0.2}, [0]),
    ("MakeLoss", [u(6)], {"normalization": "batch"}, [0]),
    ("MakeLoss", [u(2, 2, lo=-2, hi=-1)], {"normalization": "valid"}, [0]),
    ("make_loss", [u(2, 3)], {}, [0]),
    ("SVMOutput", [u(4, 5, lo=-2, hi=2), idx(5, 4)], {}, [0, 1]),
    ("SVMOutput", [u(4, 5, lo=-2, hi=2), idx(5, 4)], {"use_linear": True}, [0]),
    ("SVMOutput", [u(2, 3, 4, lo=-2, hi=2), idx(4, 2, 3)], {"margin": 0.5, "regularization_coefficient": 2.0}, [0]),
    ("SVMOutput", [u(3, 4), np.array([7, -1, 2.7], np.float32)], {}, [0]),
    ("softmin", [u(2, 5)], {}, [0]),
    ("softmin", [u(3, 4, 2)], {"axis": 1, "temperature": 2.0}, [0]),
    ("softmin", [u(3, 4)], {"axis": 0, "dtype": "float64"}, []),  # MXNet cannot differentiate it
    ("SoftmaxActivation", [u(2, 5)], {}, [0]),
    # MXNet 1.9.1 differentiates instance mode over axis 1 whatever the rank (its forward uses the last
    # axis), a wrong derivative for inputs of 3 or more dimensions; Minerva returns the true one.
    ("SoftmaxActivation", [u(2, 3, 4)], {}, []),
    ("SoftmaxActivation", [u(2, 3, 2, 2)], {"mode": "channel"}, [0]),
    ("SoftmaxActivation", [u(6)], {}, []),  # MXNet's backward fails on 1-D input
    ("SoftmaxActivation", [u(2, 4, 3)], {"mode": "channel"}, [0]),  # float32 only in MXNet
    ("L2Normalization", [u(3, 4)], {}, [0]),
    ("L2Normalization", [u(2, 3, 4)], {"eps": 0.01}, [0]),
    ("L2Normalization", [u(2, 3, 2, 2)], {"mode": "channel"}, [0]),
    ("L2Normalization", [u(2, 3, 2, 2)], {"mode": "spatial"}, [0]),
    ("L2Normalization", [u(5)], {}, [0]),
    ("L2Normalization", [u(2, 3, 4)], {"mode": "channel"}, [0]),  # float32 only in MXNet
    ("LRN", [u(2, 5, 3, 3)], {"nsize": 3}, [0]),
    ("LRN", [u(1, 6, 2, 2, lo=-3, hi=3)], {"nsize": 5, "alpha": 0.5, "beta": 0.5, "knorm": 1.0}, [0]),
    ("LRN", [u(1, 4, 2, 3, lo=-3, hi=3)], {"nsize": 1, "alpha": 2.0}, [0]),
    ("UpSampling", [u(2, 3, 2, 3)], {"scale": 2, "sample_type": "nearest", "num_args": 1}, [0]),
    ("UpSampling", [u(1, 2, 2, 2), u(1, 3, 4, 4), u(1, 1, 1, 1)],
     {"scale": 2, "sample_type": "nearest", "num_args": 3}, [0, 1, 2]),
    ("UpSampling", [u(1, 2, 2, 2), u(1, 2, 3, 3)],
     {"scale": 3, "sample_type": "nearest", "num_args": 2, "multi_input_mode": "sum"}, [0, 1]),
    ("UpSampling", [u(2, 2, 3, 3), u(2, 1, 4, 4)],
     {"scale": 2, "sample_type": "bilinear", "num_filter": 2, "num_args": 2}, [0, 1]),
    ("UpSampling", [u(1, 3, 2, 2), u(3, 1, 5, 5)],
     {"scale": 3, "sample_type": "bilinear", "num_filter": 3, "num_args": 2}, [0, 1]),
    ("UpSampling", [u(1, 1, 2, 3), u(1, 1, 8, 8)],
     {"scale": 4, "sample_type": "bilinear", "num_filter": 1, "num_args": 2}, [0, 1]),
    ("Crop", [u(2, 2, 4, 5)], {"num_args": 1, "h_w": (2, 3), "offset": (1, 2)}, [0]),
    ("Crop", [u(1, 2, 5, 5)], {"num_args": 1, "h_w": (3, 2), "center_crop": True}, [0]),
    ("Crop", [u(1, 2, 5, 6), u(3, 1, 2, 3)], {"num_args": 2}, [0, 1]),
    ("Crop", [u(1, 2, 5, 6), u(3, 1, 2, 3)], {"num_args": 2, "center_crop": True}, [0]),
    ("GridGenerator", [u(2, 6)], {"transform_type": "affine", "target_shape": (3, 4)}, [0]),
    ("GridGenerator", [u(2, 2, 3, 4, lo=-2, hi=2)], {"transform_type": "warp"}, [0]),
    ("BilinearSampler", [u(2, 3, 4, 5), u(2, 2, 3, 3, lo=-0.95, hi=0.95)], {}, [0, 1]),
    # Points outside the image read zeros.
    ("BilinearSampler", [u(1, 2, 3, 3), u(1, 2, 4, 4, lo=-1.6, hi=1.6)], {}, [0, 1]),
    ("BilinearSampler", [u(1, 1, 5, 4), u(1, 2, 2, 6)], {}, [0, 1]),
    ("SpatialTransformer", [u(2, 2, 5, 6), np.array([[0.9, 0.1, 0.05, -0.1, 0.8, 0.1],
                                                      [1.2, -0.2, 0.1, 0.3, 0.7, -0.2]], np.float32)],
     {"target_shape": (4, 3), "transform_type": "affine", "sampler_type": "bilinear"}, [0, 1]),
    ("ROIPooling", [u(2, 3, 8, 6), np.array([[0, 0, 0, 4, 4], [1, 1, 2, 5, 7], [0, 3, 3, 1, 1],
                                             [1, -2, -1, 9, 11], [0, 2.6, 1.4, 3.5, 6.5]], np.float32)],
     {"pooled_size": (2, 2), "spatial_scale": 1.0}, [0, 1]),
    ("ROIPooling", [u(1, 2, 10, 9), np.array([[0, 0, 0, 15, 13], [0, 4, 4, 12, 10]], np.float32)],
     {"pooled_size": (3, 2), "spatial_scale": 0.7}, [0]),
    ("ROIPooling", [u(1, 1, 6, 6), np.array([[0, 1, 1, 4, 4]], np.float32)],
     {"pooled_size": (4, 5), "spatial_scale": 1.0}, [0]),
]
