"""The image helpers behind the non-hybrid transforms (MXNet 1.9.1 takes them from ``mx.image``):
crops with an optional resize, the random-size crop and rotation through ``BilinearSampler``.
Images are NDArrays (H, W, C) for the crops and float32 (C, H, W) / (N, C, H, W) for rotation."""
from __future__ import annotations

import math
import numbers
import random

import numpy as np

from .... import ndarray as nd
from ....base import MinervaValueError

# OpenCV's interpolation codes that the helpers accept; 9 (auto) and 10 (random) pick among them.
_INTERPOLATIONS = (0, 1, 2, 3, 4)


def interp_method(interp: int, sizes: tuple = ()) -> int:
    """The interpolation code for a resize from (old_h, old_w) to (new_h, new_w) given in
    ``sizes``: 9 chooses cubic (2) to enlarge, area (3) to shrink and bilinear (1) otherwise;
    10 draws one of 0..4 with Python's ``random``. (``_image_resize`` implements 0 and 1 and
    says so for the others.)"""
    if interp == 9:
        if not sizes:
            return 2
        oh, ow, nh, nw = sizes
        if nh > oh and nw > ow:
            return 2
        if nh < oh and nw < ow:
            return 3
        return 1
    if interp == 10:
        return random.randint(0, 4)
    if interp not in _INTERPOLATIONS:
        raise ValueError(f"Unknown interp method {interp}")
    return interp


def scale_down(src_size: tuple, size: tuple) -> tuple:
    """Shrinks a (w, h) crop that does not fit a (w, h) image, keeping its aspect ratio."""
    w, h = size
    sw, sh = src_size
    if sh < h:
        w, h = float(w * sh) / h, sh
    if sw < w:
        w, h = sw, float(h * sw) / w
    return int(w), int(h)


def fixed_crop(src: nd.NDArray, x0: int, y0: int, w: int, h: int, size=None, interp: int = 2) -> nd.NDArray:
    """The (w, h) window of an (H, W, C) image at (x0, y0), resized to ``size`` (w, h) when given
    and different."""
    channels = src.shape[2]
    out = nd.slice(src, begin=(y0, x0, 0), end=(y0 + h, x0 + w, channels))
    if size is not None and (w, h) != tuple(size):
        method = interp_method(interp, (h, w, size[1], size[0]))
        out = nd.image.resize(out, size=tuple(size), interp=method)
    return out


def center_crop(src: nd.NDArray, size: tuple, interp: int = 2):
    """The centred crop of ``size`` (w, h), shrunk to fit and then resized back to ``size``;
    returns (image, (x0, y0, w, h))."""
    h, w = src.shape[0], src.shape[1]
    new_w, new_h = scale_down((w, h), size)
    x0, y0 = int((w - new_w) / 2), int((h - new_h) / 2)
    return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)


def random_size_crop(src: nd.NDArray, size: tuple, area, ratio: tuple, interp: int = 2):
    """A crop of random area (a fraction of the image's in ``area``) and aspect ratio (drawn
    log-uniformly in ``ratio``), resized to ``size``; after 10 draws that do not fit, the
    centre crop. Draws with Python's ``random``, as MXNet does."""
    h, w = src.shape[0], src.shape[1]
    if isinstance(area, numbers.Number):
        area = (area, 1.0)
    for _ in range(10):
        target_area = random.uniform(area[0], area[1]) * h * w
        new_ratio = np.exp(random.uniform(np.log(ratio[0]), np.log(ratio[1])))
        new_w = int(round(np.sqrt(target_area * new_ratio)))
        new_h = int(round(np.sqrt(target_area / new_ratio)))
        if new_w <= w and new_h <= h:
            x0 = random.randint(0, w - new_w)
            y0 = random.randint(0, h - new_h)
            return fixed_crop(src, x0, y0, new_w, new_h, size, interp), (x0, y0, new_w, new_h)
    return center_crop(src, size, interp)


def _zoom(h: int, w: int, rad: np.ndarray, zoom_in: bool, zoom_out: bool) -> np.ndarray:
    """Per-image grid scale: zoom_in hides the padding, zoom_out shows the whole rotated image."""
    if not (zoom_in or zoom_out):
        return np.ones_like(rad)
    rho, corner = math.sqrt(h * h + w * w), math.atan(h / w)
    a = np.abs(rad)
    max_x = np.maximum(np.abs(rho * np.cos(corner + a)), np.abs(rho * np.cos(corner - a)))
    max_y = np.maximum(np.abs(rho * np.sin(corner + a)), np.abs(rho * np.sin(corner - a)))
    if zoom_out:
        return np.maximum(max_x / w, max_y / h)
    return np.minimum(w / max_x, h / max_y)


def imrotate(src: nd.NDArray, rotation_degrees, zoom_in: bool = False, zoom_out: bool = False) -> nd.NDArray:
    """Rotates float32 (C, H, W) or (N, C, H, W) images about their centre by
    ``rotation_degrees`` (a number, or one per image), sampling bilinearly with zero padding."""
    if zoom_in and zoom_out:
        raise ValueError("`zoom_in` and `zoom_out` cannot be both True")
    if np.dtype(src.dtype) != np.float32:
        raise TypeError("Only `float32` images are supported by this function")
    single = src.ndim == 3
    if single:
        if not isinstance(rotation_degrees, numbers.Number):
            raise TypeError("When a single image is passed the rotation angle is required to be a scalar.")
        src = src.expand_dims(axis=0)
    elif src.ndim != 4:
        raise ValueError("Only 3D and 4D are supported by this function")
    n, _, h, w = src.shape
    if isinstance(rotation_degrees, numbers.Number):
        degrees = np.full(n, float(rotation_degrees))
    else:
        degrees = np.asarray(rotation_degrees.asnumpy() if isinstance(rotation_degrees, nd.NDArray)
                             else rotation_degrees, dtype=np.float64).reshape(-1)
    if len(degrees) != n:
        raise ValueError("The number of images must be equal to the number of rotation angles")
    if h < 2 or w < 2:
        raise MinervaValueError(f"imrotate: images must be at least 2 x 2 pixels, got {h} x {w}")
    rad = (np.pi * degrees / 180).astype(np.float32).reshape(n, 1, 1)
    # Output pixel centres, centred on the image, rotated, then normalised to [-1, 1] per axis
    # (after the rotation, so the aspect ratio is kept).
    hs, ws = (h - 1) / 2.0, (w - 1) / 2.0
    ys = (np.arange(h, dtype=np.float32).reshape(1, h, 1) - np.float32(hs))
    xs = (np.arange(w, dtype=np.float32).reshape(1, 1, w) - np.float32(ws))
    cos, sin = np.cos(rad), np.sin(rad)
    gx = (xs * cos - ys * sin) / np.float32(ws)
    gy = (xs * sin + ys * cos) / np.float32(hs)
    scale = _zoom(h, w, rad.reshape(n).astype(np.float64), zoom_in, zoom_out).astype(np.float32).reshape(n, 1, 1, 1)
    grid = np.stack([gx, gy], axis=1) * scale
    out = nd.BilinearSampler(src, nd.array(grid.astype(np.float32), ctx=src.context))
    return out[0] if single else out


def random_rotate(src: nd.NDArray, angle_limits, zoom_in: bool = False, zoom_out: bool = False) -> nd.NDArray:
    """imrotate by an angle drawn uniformly in ``angle_limits`` (one per image of a batch), with
    numpy's global generator, as MXNet."""
    if src.ndim == 3:
        degrees = np.random.uniform(*angle_limits)
    else:
        degrees = np.random.uniform(*angle_limits, size=src.shape[0])
    return imrotate(src, degrees, zoom_in=zoom_in, zoom_out=zoom_out)
