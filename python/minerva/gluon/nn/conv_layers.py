"""Convolution and pooling layers, as in MXNet 1.9.1's ``gluon.nn.conv_layers``.

Layouts are MXNet's strings (``NCW``, ``NCHW``, ``NCDHW`` and their channel-last forms); Minerva's operators
run the channel-first ones, so a channel-last layer builds but its forward reports the operator's layout error.
"""
from __future__ import annotations

from numbers import Number

from ... import symbol  # noqa: F401  (symbol..Activation: as MXNet's conv_layers exports)
from ...base import numeric_types  # noqa: F401
from ...util import is_np_array  # noqa: F401
from ..block import HybridBlock
from .activations import Activation  # noqa: F401
from .basic_layers import _bias_and_act, _names_layer

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
           "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
           "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalAvgPool1D", "GlobalAvgPool2D",
           "GlobalAvgPool3D", "ReflectionPad2D"]


def _tuple(value, n: int, what: str) -> tuple:
    """``3`` -> ``(3,) * n``; a sequence must have n entries."""
    if isinstance(value, Number):
        return (int(value),) * n
    value = tuple(value)
    if len(value) != n:
        raise AssertionError(f"{what} must be a number or a list of {n} ints")
    return value


def _weight_shape(op_name: str, layout: str, channels: int, in_channels: int, groups: int,
                  kernel: tuple) -> tuple:
    """The weight shape MXNet's shape inference gives (0 where ``in_channels`` is still unknown).

    Convolution: (channels, in_channels / groups, *kernel); Deconvolution: (in_channels, channels / groups,
    *kernel); channel-last layouts put the kernel before the per-group channels.
    """
    if op_name == "Convolution":
        outer, per_group = channels, in_channels // groups
    else:
        outer, per_group = in_channels, channels // groups
    if layout.find("C") == 1:
        return (outer, per_group) + tuple(kernel)
    return (outer,) + tuple(kernel) + (per_group,)


class _Conv(HybridBlock):
    """N-D convolution (or, with ``op_name='Deconvolution'``, its transpose), optional bias and activation."""

    def __init__(self, channels: int, kernel_size: tuple, strides, padding, dilation, groups: int, layout: str,
                 in_channels: int = 0, activation: str | None = None, use_bias: bool = True,
                 weight_initializer=None, bias_initializer="zeros", op_name: str = "Convolution", adj=None,
                 prefix: str | None = None, params=None):
        super().__init__(prefix=prefix, params=params)
        with self.name_scope():
            self._channels = channels
            self._in_channels = in_channels
            n = len(kernel_size)
            strides = _tuple(strides, n, "strides")
            padding = _tuple(padding, n, "padding")
            dilation = _tuple(dilation, n, "dilation")
            self._op_name = op_name
            self._kwargs = {"kernel": kernel_size, "stride": strides, "dilate": dilation, "pad": padding,
                            "num_filter": channels, "num_group": groups, "no_bias": not use_bias,
                            "layout": layout}
            if adj is not None:
                self._kwargs["adj"] = adj
            wshape = _weight_shape(op_name, layout, channels, in_channels, groups, kernel_size)
            self.weight = self.params.get("weight", shape=wshape, init=weight_initializer,
                                          allow_deferred_init=True)
            _bias_and_act(self, use_bias, channels, bias_initializer, activation)

    @_names_layer
    def hybrid_forward(self, F, x, weight, bias=None):
        op = getattr(F, self._op_name)
        if bias is None:
            out = op(x, weight, name="fwd", **self._kwargs)
        else:
            out = op(x, weight, bias, name="fwd", **self._kwargs)
        return self.act(out) if self.act is not None else out

    def _alias(self) -> str:
        return "conv"

    def __repr__(self) -> str:
        k = self._kwargs
        n = len(k["kernel"])
        s = "{name}({mapping}, kernel_size={kernel}, stride={stride}"
        if k["pad"] != (0,) * n:
            s += ", padding={pad}"
        if k["dilate"] != (1,) * n:
            s += ", dilation={dilate}"
        if k["num_group"] != 1:
            s += ", groups={num_group}"
        if self.bias is None:
            s += ", bias=False"
        if self.act:
            s += f", {self.act}"
        s += ")"
        shape = self.weight.shape
        return s.format(name=type(self).__name__,
                        mapping=f"{shape[1] if shape[1] else None} -> {shape[0]}", **k)


def _conv_init(cls, self, n: int, channels, kernel_size, strides, padding, dilation, groups, layout,
               in_channels, activation, use_bias, weight_initializer, bias_initializer, kwargs,
               output_padding=None):
    kernel_size = _tuple(kernel_size, n, "kernel_size")
    op_name = kwargs.pop("op_name", "Convolution" if output_padding is None else "Deconvolution")
    adj = None if output_padding is None else _tuple(output_padding, n, "output_padding")
    super(cls, self).__init__(channels, kernel_size, strides, padding, dilation, groups, layout, in_channels,
                              activation, use_bias, weight_initializer, bias_initializer, op_name=op_name,
                              adj=adj, **kwargs)
    if adj is not None:
        self.outpad = adj


def _check_layout(layout: str, allowed: tuple) -> None:
    if layout not in allowed:
        raise AssertionError(f"Only supports {' and '.join(repr(a) for a in allowed)} layout for now")


class Conv1D(_Conv):
    """1-D convolution over ``(batch, in_channels, width)``; weight ``(channels, in_channels/groups, k)``."""

    def __init__(self, channels, kernel_size, strides=1, padding=0, dilation=1, groups=1, layout="NCW",
                 activation=None, use_bias=True, weight_initializer=None, bias_initializer="zeros",
                 in_channels=0, **kwargs):
        _check_layout(layout, ("NCW",))
        _conv_init(Conv1D, self, 1, channels, kernel_size, strides, padding, dilation, groups, layout,
                   in_channels, activation, use_bias, weight_initializer, bias_initializer, kwargs)


class Conv2D(_Conv):
    """2-D convolution over ``(batch, in_channels, height, width)``."""

    def __init__(self, channels, kernel_size, strides=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1,
                 layout="NCHW", activation=None, use_bias=True, weight_initializer=None,
                 bias_initializer="zeros", in_channels=0, **kwargs):
        _check_layout(layout, ("NCHW", "NHWC"))
        _conv_init(Conv2D, self, 2, channels, kernel_size, strides, padding, dilation, groups, layout,
                   in_channels, activation, use_bias, weight_initializer, bias_initializer, kwargs)


class Conv3D(_Conv):
    """3-D convolution over ``(batch, in_channels, depth, height, width)``."""

    def __init__(self, channels, kernel_size, strides=(1, 1, 1), padding=(0, 0, 0), dilation=(1, 1, 1),
                 groups=1, layout="NCDHW", activation=None, use_bias=True, weight_initializer=None,
                 bias_initializer="zeros", in_channels=0, **kwargs):
        _check_layout(layout, ("NCDHW", "NDHWC"))
        _conv_init(Conv3D, self, 3, channels, kernel_size, strides, padding, dilation, groups, layout,
                   in_channels, activation, use_bias, weight_initializer, bias_initializer, kwargs)


class Conv1DTranspose(_Conv):
    """Transposed 1-D convolution (the ``Deconvolution`` operator); ``output_padding`` is its ``adj``."""

    def __init__(self, channels, kernel_size, strides=1, padding=0, output_padding=0, dilation=1, groups=1,
                 layout="NCW", activation=None, use_bias=True, weight_initializer=None,
                 bias_initializer="zeros", in_channels=0, **kwargs):
        _check_layout(layout, ("NCW",))
        _conv_init(Conv1DTranspose, self, 1, channels, kernel_size, strides, padding, dilation, groups, layout,
                   in_channels, activation, use_bias, weight_initializer, bias_initializer, kwargs,
                   output_padding=output_padding)


class Conv2DTranspose(_Conv):
    """Transposed 2-D convolution; weight ``(in_channels, channels/groups, kh, kw)``."""

    def __init__(self, channels, kernel_size, strides=(1, 1), padding=(0, 0), output_padding=(0, 0),
                 dilation=(1, 1), groups=1, layout="NCHW", activation=None, use_bias=True,
                 weight_initializer=None, bias_initializer="zeros", in_channels=0, **kwargs):
        _check_layout(layout, ("NCHW", "NHWC"))
        _conv_init(Conv2DTranspose, self, 2, channels, kernel_size, strides, padding, dilation, groups, layout,
                   in_channels, activation, use_bias, weight_initializer, bias_initializer, kwargs,
                   output_padding=output_padding)


class Conv3DTranspose(_Conv):
    """Transposed 3-D convolution."""

    def __init__(self, channels, kernel_size, strides=(1, 1, 1), padding=(0, 0, 0), output_padding=(0, 0, 0),
                 dilation=(1, 1, 1), groups=1, layout="NCDHW", activation=None, use_bias=True,
                 weight_initializer=None, bias_initializer="zeros", in_channels=0, **kwargs):
        _check_layout(layout, ("NCDHW", "NDHWC"))
        _conv_init(Conv3DTranspose, self, 3, channels, kernel_size, strides, padding, dilation, groups, layout,
                   in_channels, activation, use_bias, weight_initializer, bias_initializer, kwargs,
                   output_padding=output_padding)


class _Pooling(HybridBlock):
    """Max or average pooling through the ``Pooling`` operator."""

    def __init__(self, pool_size, strides, padding, ceil_mode: bool, global_pool: bool, pool_type: str,
                 layout: str, count_include_pad=None, **kwargs):
        super().__init__(**kwargs)
        if strides is None:
            strides = pool_size
        n = len(pool_size)
        self._kwargs = {"kernel": pool_size, "stride": _tuple(strides, n, "strides"),
                        "pad": _tuple(padding, n, "padding"), "global_pool": global_pool,
                        "pool_type": pool_type, "layout": layout,
                        "pooling_convention": "full" if ceil_mode else "valid"}
        if count_include_pad is not None:
            self._kwargs["count_include_pad"] = count_include_pad

    def _alias(self) -> str:
        return "pool"

    @_names_layer
    def hybrid_forward(self, F, x):
        return F.Pooling(x, name="fwd", **self._kwargs)

    def __repr__(self) -> str:
        s = ("{name}(size={kernel}, stride={stride}, padding={pad}, ceil_mode={ceil_mode}, "
             "global_pool={global_pool}, pool_type={pool_type}, layout={layout})")
        return s.format(name=type(self).__name__, ceil_mode=self._kwargs["pooling_convention"] == "full",
                        **self._kwargs)


def _pool_init(cls, self, n, pool_size, strides, padding, ceil_mode, pool_type, layout, allowed, kwargs,
               count_include_pad=None):
    _check_layout(layout, allowed)
    pool_size = _tuple(pool_size, n, "pool_size")
    if strides is not None:
        strides = _tuple(strides, n, "strides")
    super(cls, self).__init__(pool_size, strides, padding, ceil_mode, False, pool_type, layout,
                              count_include_pad, **kwargs)


class MaxPool1D(_Pooling):
    """Max pooling over ``(batch, channels, width)``; ``strides`` default to ``pool_size``."""

    def __init__(self, pool_size=2, strides=None, padding=0, layout="NCW", ceil_mode=False, **kwargs):
        _pool_init(MaxPool1D, self, 1, pool_size, strides, padding, ceil_mode, "max", layout, ("NCW", "NWC"),
                   kwargs)


class MaxPool2D(_Pooling):
    """Max pooling over ``(batch, channels, height, width)``; ``ceil_mode`` rounds the output size up."""

    def __init__(self, pool_size=(2, 2), strides=None, padding=0, layout="NCHW", ceil_mode=False, **kwargs):
        _pool_init(MaxPool2D, self, 2, pool_size, strides, padding, ceil_mode, "max", layout, ("NCHW", "NHWC"),
                   kwargs)


class MaxPool3D(_Pooling):
    """Max pooling over ``(batch, channels, depth, height, width)``."""

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding=0, ceil_mode=False, layout="NCDHW",
                 **kwargs):
        _pool_init(MaxPool3D, self, 3, pool_size, strides, padding, ceil_mode, "max", layout,
                   ("NCDHW", "NDHWC"), kwargs)


class AvgPool1D(_Pooling):
    """Average pooling over ``(batch, channels, width)``; ``count_include_pad`` counts padding in the mean."""

    def __init__(self, pool_size=2, strides=None, padding=0, layout="NCW", ceil_mode=False,
                 count_include_pad=True, **kwargs):
        _pool_init(AvgPool1D, self, 1, pool_size, strides, padding, ceil_mode, "avg", layout, ("NCW", "NWC"),
                   kwargs, count_include_pad)


class AvgPool2D(_Pooling):
    """Average pooling over ``(batch, channels, height, width)``."""

    def __init__(self, pool_size=(2, 2), strides=None, padding=0, ceil_mode=False, layout="NCHW",
                 count_include_pad=True, **kwargs):
        _pool_init(AvgPool2D, self, 2, pool_size, strides, padding, ceil_mode, "avg", layout, ("NCHW", "NHWC"),
                   kwargs, count_include_pad)


class AvgPool3D(_Pooling):
    """Average pooling over ``(batch, channels, depth, height, width)``."""

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding=0, ceil_mode=False, layout="NCDHW",
                 count_include_pad=True, **kwargs):
        _pool_init(AvgPool3D, self, 3, pool_size, strides, padding, ceil_mode, "avg", layout,
                   ("NCDHW", "NDHWC"), kwargs, count_include_pad)


def _global_init(cls, self, n, pool_type, layout, allowed, kwargs):
    _check_layout(layout, allowed)
    super(cls, self).__init__((1,) * n, None, 0, True, True, pool_type, layout, **kwargs)


class GlobalMaxPool1D(_Pooling):
    """Max over the whole width: ``(batch, channels, 1)``."""

    def __init__(self, layout="NCW", **kwargs):
        _global_init(GlobalMaxPool1D, self, 1, "max", layout, ("NCW", "NWC"), kwargs)


class GlobalMaxPool2D(_Pooling):
    """Max over each whole feature map: ``(batch, channels, 1, 1)``."""

    def __init__(self, layout="NCHW", **kwargs):
        _global_init(GlobalMaxPool2D, self, 2, "max", layout, ("NCHW", "NHWC"), kwargs)


class GlobalMaxPool3D(_Pooling):
    """Max over each whole volume: ``(batch, channels, 1, 1, 1)``."""

    def __init__(self, layout="NCDHW", **kwargs):
        _global_init(GlobalMaxPool3D, self, 3, "max", layout, ("NCDHW", "NDHWC"), kwargs)


class GlobalAvgPool1D(_Pooling):
    """Mean over the whole width: ``(batch, channels, 1)``."""

    def __init__(self, layout="NCW", **kwargs):
        _global_init(GlobalAvgPool1D, self, 1, "avg", layout, ("NCW", "NWC"), kwargs)


class GlobalAvgPool2D(_Pooling):
    """Mean over each whole feature map: ``(batch, channels, 1, 1)``."""

    def __init__(self, layout="NCHW", **kwargs):
        _global_init(GlobalAvgPool2D, self, 2, "avg", layout, ("NCHW", "NHWC"), kwargs)


class GlobalAvgPool3D(_Pooling):
    """Mean over each whole volume: ``(batch, channels, 1, 1, 1)``."""

    def __init__(self, layout="NCDHW", **kwargs):
        _global_init(GlobalAvgPool3D, self, 3, "avg", layout, ("NCDHW", "NDHWC"), kwargs)


class ReflectionPad2D(HybridBlock):
    """Pads the last two axes by reflection (the ``pad`` operator, ``mode='reflect'``)."""

    def __init__(self, padding=0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, Number):
            padding = (0, 0, 0, 0, padding, padding, padding, padding)
        if len(padding) != 8:
            raise AssertionError("padding must be a number or a tuple of 8 ints")
        self._padding = tuple(padding)

    def hybrid_forward(self, F, x):
        return F.pad(x, mode="reflect", pad_width=self._padding)
