"""Image transforms (MXNet 1.9.1's ``gluon.data.vision.transforms``) as Gluon blocks.

The HybridBlocks run the ``mx.nd.image`` / ``mx.sym.image`` operators, so they hybridize and
go into ``nn.HybridSequential``; ``Compose`` hybridizes each run of consecutive HybridBlocks, as
MXNet does. Images are NDArrays (H, W, C) or batches (N, H, W, C) until ``ToTensor`` makes them
float32 (C, H, W) / (N, C, H, W). The random operators draw from Minerva's seeded generator
(``mx.random.seed``); the crops draw with Python's ``random`` and ``RandomRotation`` with numpy's
global generator, as in MXNet. Resizing supports OpenCV's nearest (0) and bilinear (1) modes."""
from __future__ import annotations

import random

import numpy as np

from .... import ndarray as _nd
from ....base import numeric_types
from ....util import is_np_array  # noqa: F401  (MXNet's module holds it; no __all__, as MXNet)
from ...block import Block, HybridBlock
from ...nn import HybridSequential, Lambda, Sequential
from . import _image_ops



class _NumpyInput:
    """Lets a transform take a numpy image too (ArrayDataset items are numpy arrays); it becomes
    an NDArray of the same dtype. MXNet's blocks reject numpy input; accepting it loses nothing."""

    def __call__(self, x, *args):
        if isinstance(x, np.ndarray):
            x = _nd.array(x, dtype=x.dtype)
        return super().__call__(x, *args)


class _HybridRun(HybridSequential):
    """The hybridized run of transforms inside a Compose. It pickles without its compiled graph
    (rebuilt on the next call), so a dataset using it still goes to DataLoader worker processes
    after it has been called once."""

    def __getstate__(self):
        live = dict(self.__dict__)
        self._clear_cached_op()
        state = dict(self.__dict__)
        self.__dict__.update(live)
        return state


class Compose(Sequential):
    """Applies ``transforms`` in order. Each run of two or more consecutive HybridBlocks becomes
    one hybridized ``HybridSequential``; a callable that is not a Block is wrapped in
    ``nn.Lambda``."""

    def __init__(self, transforms):
        super().__init__()
        run = []
        for t in list(transforms) + [None]:
            if isinstance(t, HybridBlock):
                run.append(t)
                continue
            if len(run) == 1:
                self.add(run[0])
            elif len(run) > 1:
                hybrid = _HybridRun()
                hybrid.add(*run)
                hybrid.hybridize()
                self.add(hybrid)
            run = []
            if t is not None:
                self.add(t if isinstance(t, Block) else Lambda(t))


class Cast(_NumpyInput, HybridBlock):
    """Casts to ``dtype`` (default float32)."""

    def __init__(self, dtype="float32"):
        super().__init__()
        self._dtype = dtype

    def hybrid_forward(self, F, x):
        return F.cast(x, self._dtype)


class ToTensor(_NumpyInput, HybridBlock):
    """Images (H, W, C) or batches (N, H, W, C) with values in [0, 255] to float32 tensors
    (C, H, W) / (N, C, H, W) in [0, 1]."""

    def __init__(self):
        super().__init__()

    def hybrid_forward(self, F, x):
        return F.image.to_tensor(x)


class Normalize(_NumpyInput, HybridBlock):
    """``(x - mean[c]) / std[c]`` per channel of a (C, H, W) or (N, C, H, W) tensor with 1 or 3
    channels; mean and std are numbers or one value per channel."""

    def __init__(self, mean=0.0, std=1.0):
        super().__init__()
        self._mean = mean
        self._std = std

    def hybrid_forward(self, F, x):
        return F.image.normalize(x, self._mean, self._std)


def _float32_only(x) -> None:
    if np.dtype(x.dtype) != np.float32:
        raise TypeError("This transformation only supports float32. Consider calling it after ToTensor")


class Rotate(_NumpyInput, Block):
    """Rotates float32 (C, H, W) / (N, C, H, W) images by ``rotation_degrees`` about their centre,
    keeping the shape; ``zoom_in`` hides the padding, ``zoom_out`` keeps the whole image."""

    def __init__(self, rotation_degrees, zoom_in=False, zoom_out=False):
        super().__init__()
        self._args = (rotation_degrees, zoom_in, zoom_out)

    def forward(self, x):
        _float32_only(x)
        return _image_ops.imrotate(x, *self._args)


class RandomRotation(_NumpyInput, Block):
    """Rotates by an angle drawn uniformly in ``angle_limits`` (lower, upper), with probability
    ``rotate_with_proba``; float32 (C, H, W) / (N, C, H, W) images."""

    def __init__(self, angle_limits, zoom_in=False, zoom_out=False, rotate_with_proba=1.0):
        super().__init__()
        lower, upper = angle_limits
        if lower >= upper:
            raise ValueError("`angle_limits` must be an ordered tuple")
        if rotate_with_proba < 0 or rotate_with_proba > 1:
            raise ValueError("Probability of rotating the image should be between 0 and 1")
        self._args = (angle_limits, zoom_in, zoom_out)
        self._rotate_with_proba = rotate_with_proba

    def forward(self, x):
        if np.random.random() > self._rotate_with_proba:
            return x
        _float32_only(x)
        return _image_ops.random_rotate(x, *self._args)


class RandomResizedCrop(_NumpyInput, Block):
    """Crops a random area (``scale`` of the image's, aspect ratio in ``ratio``) of an (H, W, C)
    image and resizes it to ``size`` (int or (w, h)); after 10 draws that do not fit, the
    centre crop."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation=1):
        super().__init__()
        if isinstance(size, numeric_types):
            size = (size, size)
        self._args = (size, scale, ratio, interpolation)

    def forward(self, x):
        return _image_ops.random_size_crop(x, *self._args)[0]


class CropResize(_NumpyInput, HybridBlock):
    """Crops the ``width`` x ``height`` window at (x, y) of an image (H, W, C) or a batch
    (N, H, W, C), then resizes it to ``size`` when given (``interpolation`` None is bilinear)."""

    def __init__(self, x, y, width, height, size=None, interpolation=None):
        super().__init__()
        self._x = x
        self._y = y
        self._width = width
        self._height = height
        self._size = size
        self._interpolation = interpolation

    def hybrid_forward(self, F, x):
        out = F.image.crop(x, self._x, self._y, self._width, self._height)
        if self._size:
            # MXNet passes interpolation=None on to the operator, which rejects it; None means the default here.
            interp = 1 if self._interpolation is None else self._interpolation
            out = F.image.resize(out, self._size, False, interp)
        return out


class CenterCrop(_NumpyInput, Block):
    """Crops the centre ``size`` (int or (w, h)) of an (H, W, C) image; a crop larger than the
    image is shrunk to fit (keeping its aspect ratio) and resized back to ``size``."""

    def __init__(self, size, interpolation=1):
        super().__init__()
        if isinstance(size, numeric_types):
            size = (size, size)
        self._args = (size, interpolation)

    def forward(self, x):
        return _image_ops.center_crop(x, *self._args)[0]


class Resize(_NumpyInput, HybridBlock):
    """Resizes images (H, W, C) or batches (N, H, W, C) to ``size``: (w, h), or an int for both
    sides, or with ``keep_ratio`` an int for the short side."""

    def __init__(self, size, keep_ratio=False, interpolation=1):
        super().__init__()
        self._keep = keep_ratio
        self._size = size
        self._interpolation = interpolation

    def hybrid_forward(self, F, x):
        return F.image.resize(x, self._size, self._keep, self._interpolation)


class RandomFlipLeftRight(_NumpyInput, HybridBlock):
    """Flips an (H, W, C) image left to right with probability 1/2."""

    def __init__(self):
        super().__init__()

    def hybrid_forward(self, F, x):
        return F.image.random_flip_left_right(x)


class RandomFlipTopBottom(_NumpyInput, HybridBlock):
    """Flips an (H, W, C) image top to bottom with probability 1/2."""

    def __init__(self):
        super().__init__()

    def hybrid_forward(self, F, x):
        return F.image.random_flip_top_bottom(x)


class RandomBrightness(_NumpyInput, HybridBlock):
    """Multiplies an (H, W, C) image by a factor drawn in [max(0, 1 - brightness), 1 + brightness]."""

    def __init__(self, brightness):
        super().__init__()
        self._args = (max(0, 1 - brightness), 1 + brightness)

    def hybrid_forward(self, F, x):
        return F.image.random_brightness(x, *self._args)


class RandomContrast(_NumpyInput, HybridBlock):
    """Jitters the contrast of an (H, W, C) image by a factor drawn in [max(0, 1 - contrast), 1 + contrast]."""

    def __init__(self, contrast):
        super().__init__()
        self._args = (max(0, 1 - contrast), 1 + contrast)

    def hybrid_forward(self, F, x):
        return F.image.random_contrast(x, *self._args)


class RandomSaturation(_NumpyInput, HybridBlock):
    """Jitters the saturation of an (H, W, C) image by a factor drawn in [max(0, 1 - saturation), 1 + saturation]."""

    def __init__(self, saturation):
        super().__init__()
        self._args = (max(0, 1 - saturation), 1 + saturation)

    def hybrid_forward(self, F, x):
        return F.image.random_saturation(x, *self._args)


class RandomHue(_NumpyInput, HybridBlock):
    """Rotates the hue of an (H, W, 3) image by a factor drawn in [max(0, 1 - hue), 1 + hue] turns (as MXNet)."""

    def __init__(self, hue):
        super().__init__()
        self._args = (max(0, 1 - hue), 1 + hue)

    def hybrid_forward(self, F, x):
        return F.image.random_hue(x, *self._args)


class RandomColorJitter(_NumpyInput, HybridBlock):
    """Jitters brightness, contrast, saturation and hue of an (H, W, C) image, in a random order."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        super().__init__()
        self._args = (brightness, contrast, saturation, hue)

    def hybrid_forward(self, F, x):
        return F.image.random_color_jitter(x, *self._args)


class RandomLighting(_NumpyInput, HybridBlock):
    """Adds AlexNet-style PCA lighting noise with standard deviation ``alpha`` to an (H, W, 3) image."""

    def __init__(self, alpha):
        super().__init__()
        self._alpha = alpha

    def hybrid_forward(self, F, x):
        return F.image.random_lighting(x, self._alpha)


class RandomApply(Sequential):
    """Applies ``transforms`` (a Block) with probability ``p``, drawn with Python's ``random``."""

    def __init__(self, transforms, p=0.5):
        super().__init__()
        self.transforms = transforms
        self.p = p

    def forward(self, x):
        if self.p < random.random():
            return x
        return self.transforms(x)
