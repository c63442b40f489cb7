"""Golden cases of the mx.nd.image operators (core/ops/image_tensor.cc, image_geometry.cc,
image_color.cc): outputs and input gradients from the MXNet 1.9.1 oracle. ``u``, ``idx`` and
``rng`` come from tools/golden/make_op_golden.py.

Left out on purpose, because MXNet 1.9.1's output is not defined there: flips of an odd width or
height (MXNet leaves the middle column/row unwritten) and their gradients (MXNet's passes ograd
through unflipped), one-channel images for random_hue/adjust_lighting and random_color_jitter
with every amount 0 (unwritten outputs). Random operators appear with min_factor == max_factor
(or alpha_std 0), which makes them deterministic."""
# ruff: noqa: F821  (u, idx and rng are injected into this module before it runs)


def pixels(*shape):
    """Pixel values in [0, 255], as floats (the dtype list of a case may make them uint8)."""
    return u(*shape, lo=0, hi=255)


CASES = [
    # to_tensor: any numeric dtype in, float32 CHW/NCHW in [0, 1] out.
    ("_image_to_tensor", [pixels(4, 2, 3)], {}, [], ["uint8"]),
    ("_image_to_tensor", [pixels(2, 3, 5, 1)], {}, [], ["uint8"]),
    ("_image_to_tensor", [pixels(3, 4, 3)], {}, []),
    ("_image_to_tensor", [pixels(2, 2, 2)], {}, [], ["float64"]),
    ("_image_to_tensor", [pixels(2, 3, 3)], {}, [], ["int32"]),
    # normalize: per-channel or shared mean/std, CHW and NCHW, with its gradient.
    ("_image_normalize", [u(3, 4, 2)], {"mean": (0.0, 1.0, 2.0), "std": (3.0, 2.0, 1.0)}, [0]),
    ("_image_normalize", [u(2, 3, 2, 2)], {"mean": (0.485, 0.456, 0.406), "std": (0.229, 0.224, 0.225)}, [0]),
    ("_image_normalize", [u(1, 3, 3)], {"mean": (0.5,), "std": (0.25,)}, [0]),
    ("_image_normalize", [u(3, 2, 2)], {"mean": (0.1,), "std": (2.0, 4.0, 8.0)}, [], ["float64"]),
    ("_image_normalize", [pixels(3, 2, 3)], {"mean": (1.0,), "std": (2.0,)}, [], ["uint8"]),
    # flips (even sizes: see the module docstring).
    ("_image_flip_left_right", [pixels(3, 4, 3)], {}, [], ["uint8"]),
    ("_image_flip_left_right", [u(2, 6, 1)], {}, []),
    ("_image_flip_top_bottom", [pixels(4, 3, 3)], {}, [], ["uint8"]),
    ("_image_flip_top_bottom", [u(2, 5, 3)], {}, [], ["float64"]),
    # crop, 3-D and 4-D, with its gradient.
    ("_image_crop", [u(4, 5, 3)], {"x": 1, "y": 2, "width": 3, "height": 2}, [0]),
    ("_image_crop", [u(2, 3, 4, 1)], {"x": 0, "y": 0, "width": 4, "height": 1}, [0]),
    ("_image_crop", [pixels(5, 5, 3)], {"x": 2, "y": 1, "width": 3, "height": 4}, [], ["uint8"]),
    # resize: bilinear (default) and nearest, up and down, exact halving (OpenCV switches to its
    # area mode there), keep_ratio on both orientations, batches, uint8 and float.
    ("_image_resize", [u(4, 2, 3)], {"size": (3, 3)}, []),
    ("_image_resize", [u(5, 7, 3)], {"size": (11, 9)}, []),
    ("_image_resize", [u(8, 6, 1)], {"size": (3, 4)}, []),
    ("_image_resize", [u(9, 13, 3)], {"size": (5, 4)}, [], ["float64"]),
    ("_image_resize", [pixels(6, 5, 3)], {"size": (13, 11)}, [], ["uint8"]),
    ("_image_resize", [pixels(12, 9, 3)], {"size": (4, 7)}, [], ["uint8"]),
    ("_image_resize", [pixels(8, 8, 3)], {"size": (4, 4)}, [], ["uint8"]),
    ("_image_resize", [pixels(2, 7, 5, 1)], {"size": (8, 3)}, [], ["uint8"]),
    ("_image_resize", [pixels(6, 4, 3)], {"size": (6,), "keep_ratio": True}, [], ["uint8"]),
    ("_image_resize", [u(4, 6, 3)], {"size": (3,), "keep_ratio": True}, []),
    ("_image_resize", [u(4, 6, 3)], {"size": (5,)}, []),
    ("_image_resize", [pixels(5, 7, 3)], {"size": (9, 4), "interp": 0}, [], ["uint8"]),
    ("_image_resize", [u(2, 6, 4, 3)], {"size": (3, 5), "interp": 0}, []),
    # OpenCV's step is 1 / (dst / src), not src / dst: here the two floor differently.
    ("_image_resize", [pixels(114, 90, 1)], {"size": (86, 74), "interp": 0}, [], ["uint8"]),
    # colour operators with a fixed factor.
    ("_image_random_brightness", [pixels(3, 4, 3)], {"min_factor": 1.5, "max_factor": 1.5}, [], ["uint8"]),
    ("_image_random_brightness", [u(2, 3, 1)], {"min_factor": 0.5, "max_factor": 0.5}, []),
    ("_image_random_contrast", [pixels(3, 4, 3)], {"min_factor": 1.7, "max_factor": 1.7}, [], ["uint8"]),
    ("_image_random_contrast", [pixels(3, 2, 3)], {"min_factor": 0.3, "max_factor": 0.3}, []),
    ("_image_random_contrast", [pixels(4, 2, 1)], {"min_factor": 0.5, "max_factor": 0.5}, []),
    ("_image_random_saturation", [pixels(3, 4, 3)], {"min_factor": 0.4, "max_factor": 0.4}, []),
    ("_image_random_saturation", [pixels(3, 4, 3)], {"min_factor": 1.8, "max_factor": 1.8}, [], ["uint8"]),
    ("_image_random_saturation", [pixels(2, 2, 1)], {"min_factor": 0.4, "max_factor": 0.4}, []),
    ("_image_random_hue", [pixels(3, 4, 3)], {"min_factor": 0.25, "max_factor": 0.25}, []),
    ("_image_random_hue", [pixels(3, 4, 3)], {"min_factor": 0.8, "max_factor": 0.8}, []),
    ("_image_random_hue", [pixels(2, 5, 3)], {"min_factor": 0.1, "max_factor": 0.1}, [], ["uint8"]),
    ("_image_adjust_lighting", [pixels(3, 4, 3)], {"alpha": (0.1, -0.2, 0.3)}, [0]),
    ("_image_adjust_lighting", [pixels(2, 3, 3)], {"alpha": (-0.05, 0.02, 0.5)}, [], ["uint8"]),
    ("_image_random_lighting", [pixels(2, 3, 3)], {"alpha_std": 0.0}, []),
]
