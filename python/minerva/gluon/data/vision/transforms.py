"""Image transforms (MXNet 1.x's ``gluon.data.vision.transforms``) as Gluon blocks.

Each is a HybridBlock, so it goes into ``nn.HybridSequential`` as well as ``Compose`` (an
``nn.Sequential``). Each takes an image NDArray in HWC layout (or a batch in NHWC; ToTensor's
output is CHW/NCHW) and returns an NDArray; numpy arrays are accepted too. Interpolation 0 is nearest and 1 is
bilinear with OpenCV's pixel-centre convention (MXNet resizes with OpenCV; uint8 results may
differ from OpenCV's fixed-point arithmetic by one grey level). Random choices use Python's
``random`` module for crops (as MXNet does) and numpy's global generator for flips."""
from __future__ import annotations

import math
import numbers
import random

import numpy as np

from .... import ndarray as nd
from ....base import MinervaUnsupportedError, MinervaValueError
from ....symbol.symbol import Symbol
from ...block import Block, HybridBlock
from ...nn import Lambda, Sequential

__all__ = ["CenterCrop", "Cast", "Compose", "Normalize", "RandomFlipLeftRight", "RandomFlipTopBottom",
           "RandomResizedCrop", "Resize", "ToTensor", "Transform"]


def _numpy(x) -> np.ndarray:
    return x.asnumpy() if isinstance(x, nd.NDArray) else np.asarray(x)


def _nd(x: np.ndarray) -> nd.NDArray:
    return nd.array(np.ascontiguousarray(x), dtype=x.dtype)


def _image(name: str, x) -> np.ndarray:
    """x as a numpy image (H, W, C) or batch (N, H, W, C); an error naming the transform otherwise."""
    a = _numpy(x)
    if a.ndim not in (3, 4):
        raise MinervaValueError(f"{name}: expected an image (H, W, C) or a batch (N, H, W, C), got shape {a.shape}")
    return a


class Transform(HybridBlock):
    """Base class of the transforms (Minerva's; MXNet's derive from its blocks directly).

    ``_apply(x)`` transforms an NDArray or a numpy array imperatively; it is what calling the
    transform runs. A transform with a graph form (Cast) also defines ``hybrid_forward``, which
    a hybridized parent block calls with Symbols."""

    def __init__(self):
        super().__init__()
        self._block_fields = frozenset(vars(self)) | {"_block_fields"}  # left out of the repr

    def forward(self, x):
        if isinstance(x, Symbol):
            return super().forward(x)  # inside a graph being built: hybrid_forward(mx.sym, x)
        return self._apply(x)

    def _apply(self, x):
        raise NotImplementedError

    def hybrid_forward(self, F, x):
        raise MinervaUnsupportedError(f"{type(self).__name__} has no graph form (Minerva lacks MXNet's image "
                                      "operators); use it in a block that is not hybridized")

    def __repr__(self) -> str:
        fields = ", ".join(f"{k.lstrip('_')}={v!r}" for k, v in vars(self).items() if k not in self._block_fields)
        return f"{type(self).__name__}({fields})"


class Compose(Sequential):
    """Applies ``transforms`` in order: an ``nn.Sequential`` of them, a callable that is not a
    Block wrapped in an ``nn.Lambda``."""

    def __init__(self, transforms):
        super().__init__()
        for t in transforms:
            self.add(t if isinstance(t, Block) else Lambda(t))

    def __getitem__(self, i):
        return list(self._children.values())[i]


class Cast(Transform):
    """Casts to ``dtype`` (default float32)."""

    def __init__(self, dtype="float32"):
        super().__init__()
        self._dtype = np.dtype(dtype)

    def _apply(self, x):
        return x.astype(self._dtype) if isinstance(x, nd.NDArray) else _nd(np.asarray(x).astype(self._dtype))

    def hybrid_forward(self, F, x):
        return F.cast(x, dtype=self._dtype)


class ToTensor(Transform):
    """HWC (or NHWC) images in [0, 255] to CHW (or NCHW) float32 in [0, 1]: divides by 255."""

    def _apply(self, x):
        a = _image("ToTensor", x)
        axes = (2, 0, 1) if a.ndim == 3 else (0, 3, 1, 2)
        return _nd(np.divide(a.transpose(axes), np.float32(255.0), dtype=np.float32))


class Normalize(Transform):
    """``(x - mean[c]) / std[c]`` per channel of a CHW (or NCHW) tensor; mean and std are
    scalars or one value per channel."""

    def __init__(self, mean=0.0, std=1.0):
        super().__init__()
        self._mean = mean
        self._std = std

    def _apply(self, x):
        a = _numpy(x)
        if a.ndim not in (3, 4):
            raise MinervaValueError(f"Normalize: expected a tensor (C, H, W) or (N, C, H, W), got shape {a.shape}")
        channels = a.shape[-3]
        stats = []
        for name, v in (("mean", self._mean), ("std", self._std)):
            v = np.asarray(v, dtype=np.float32).reshape(-1)
            if v.size not in (1, channels):
                raise MinervaValueError(f"Normalize: {name} has {v.size} values for {channels} channels")
            stats.append(np.broadcast_to(v, (channels,)).reshape(channels, 1, 1))
        if np.any(stats[1] == 0):
            raise MinervaValueError("Normalize: std must not be zero")
        out = (a.astype(np.float32) - stats[0]) / stats[1]
        return _nd(out.astype(np.float32))


def _axis_weights(src: int, dst: int, interpolation: int):
    """Source indices and weights of one axis, OpenCV's conventions."""
    scale = src / dst
    d = np.arange(dst, dtype=np.float64)
    if interpolation == 0:
        i0 = np.minimum(np.floor(d * scale).astype(np.int64), src - 1)
        return i0, i0, np.zeros(dst, dtype=np.float32)
    pos = (d + 0.5) * scale - 0.5
    i0 = np.floor(pos).astype(np.int64)
    frac = pos - i0
    frac[i0 < 0] = 0.0
    i0[i0 < 0] = 0
    over = i0 >= src - 1
    i0[over] = src - 1
    frac[over] = 0.0
    return i0, np.minimum(i0 + 1, src - 1), frac.astype(np.float32)


def _resize(a: np.ndarray, width: int, height: int, interpolation: int) -> np.ndarray:
    """Resizes (..., H, W, C) to (..., height, width, C), keeping the dtype."""
    if interpolation not in (0, 1):
        raise MinervaUnsupportedError(f"resize: interpolation {interpolation} is not supported; "
                                      f"use 0 (nearest) or 1 (bilinear)")
    if width <= 0 or height <= 0:
        raise MinervaValueError(f"resize: target size must be positive, got {width}x{height}")
    h, w = a.shape[-3], a.shape[-2]
    if (h, w) == (height, width):
        return a.copy()
    y0, y1, fy = _axis_weights(h, height, interpolation)
    x0, x1, fx = _axis_weights(w, width, interpolation)
    f = a.astype(np.float32)
    fy = fy.reshape(-1, 1, 1)
    fx = fx.reshape(1, -1, 1)
    top = f[..., y0, :, :] * (1 - fy) + f[..., y1, :, :] * fy
    out = top[..., :, x0, :] * (1 - fx) + top[..., :, x1, :] * fx
    if np.issubdtype(a.dtype, np.integer):
        info = np.iinfo(a.dtype)
        out = np.clip(np.rint(out), info.min, info.max)
    return out.astype(a.dtype)


def _wh(size) -> tuple:
    if isinstance(size, numbers.Integral):
        return int(size), int(size)
    if len(size) != 2:
        raise MinervaValueError(f"size must be an int or a (width, height) pair, got {size!r}")
    return int(size[0]), int(size[1])


class Resize(Transform):
    """Resizes to ``size``: an int (a square, or with ``keep_ratio`` the short side) or a
    (width, height) pair."""

    def __init__(self, size, keep_ratio: bool = False, interpolation: int = 1):
        super().__init__()
        self._size = size
        self._keep = keep_ratio
        self._interpolation = interpolation

    def _apply(self, x):
        a = _image("Resize", x)
        h, w = a.shape[-3], a.shape[-2]
        if isinstance(self._size, numbers.Integral) and self._keep:
            s = int(self._size)
            width, height = (s, int(h * s / w)) if h > w else (int(w * s / h), s)
        else:
            width, height = _wh(self._size)
        return _nd(_resize(a, width, height, self._interpolation))


def _crop_resize(a: np.ndarray, x0: int, y0: int, w: int, h: int, size, interpolation: int) -> np.ndarray:
    out = a[..., y0:y0 + h, x0:x0 + w, :]
    if (w, h) != tuple(size):
        out = _resize(out, size[0], size[1], interpolation)
    return np.ascontiguousarray(out)


def _scale_down(src_w: int, src_h: int, w: int, h: int) -> tuple:
    """Shrinks a (w, h) crop to fit the image, keeping its aspect ratio (MXNet's scale_down)."""
    if src_h < h:
        w, h = float(w * src_h) / h, src_h
    if src_w < w:
        w, h = src_w, float(h * src_w) / w
    return int(w), int(h)


def _center_crop(a: np.ndarray, size, interpolation: int) -> np.ndarray:
    h, w = a.shape[-3], a.shape[-2]
    cw, ch = _scale_down(w, h, *size)
    x0, y0 = int((w - cw) / 2), int((h - ch) / 2)
    return _crop_resize(a, x0, y0, cw, ch, size, interpolation)


class CenterCrop(Transform):
    """Crops the centre ``size`` (int or (width, height)); a crop larger than the image is
    shrunk to fit, keeping its aspect ratio, and then resized to ``size``."""

    def __init__(self, size, interpolation: int = 1):
        super().__init__()
        self._size = _wh(size)
        self._interpolation = interpolation

    def _apply(self, x):
        return _nd(_center_crop(_image("CenterCrop", x), self._size, self._interpolation))


class RandomResizedCrop(Transform):
    """Crops a random area (``scale`` of the image's area, aspect ratio in ``ratio``, drawn on a
    log scale) and resizes it to ``size``; after 10 failed draws, a centre crop."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation: int = 1):
        super().__init__()
        self._size = _wh(size)
        self._scale = scale
        self._ratio = ratio
        self._interpolation = interpolation

    def _apply(self, x):
        a = _image("RandomResizedCrop", x)
        h, w = a.shape[-3], a.shape[-2]
        for _ in range(10):
            area = random.uniform(self._scale[0], self._scale[1]) * h * w
            aspect = math.exp(random.uniform(math.log(self._ratio[0]), math.log(self._ratio[1])))
            cw, ch = int(round(math.sqrt(area * aspect))), int(round(math.sqrt(area / aspect)))
            if cw <= w and ch <= h:
                x0, y0 = random.randint(0, w - cw), random.randint(0, h - ch)
                return _nd(_crop_resize(a, x0, y0, cw, ch, self._size, self._interpolation))
        return _nd(_center_crop(a, self._size, self._interpolation))


class RandomFlipLeftRight(Transform):
    """Mirrors the image horizontally with probability 1/2."""

    def _apply(self, x):
        a = _image("RandomFlipLeftRight", x)
        return _nd(a[..., :, ::-1, :] if np.random.rand() < 0.5 else a)


class RandomFlipTopBottom(Transform):
    """Flips the image vertically with probability 1/2."""

    def _apply(self, x):
        a = _image("RandomFlipTopBottom", x)
        return _nd(a[..., ::-1, :, :] if np.random.rand() < 0.5 else a)
