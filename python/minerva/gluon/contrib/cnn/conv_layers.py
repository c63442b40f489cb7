"""Deformable convolution layers, as in MXNet 1.9.1's ``gluon.contrib.cnn.conv_layers``.

Each layer holds two convolutions: a regular one over the input that predicts the sampling offsets
(and, for the modulated version, the masks), initialised to zero so that a fresh layer starts as a
plain convolution, and the deformable convolution that samples the input at those offsets.
"""
from __future__ import annotations

from .... import symbol  # noqa: F401  (the names MXNet's conv_layers module exports)
from ....base import numeric_types  # noqa: F401
from ...block import HybridBlock
from ...nn.activations import Activation
from ...nn.basic_layers import _names_layer
from ...nn.conv_layers import _tuple, _weight_shape

__all__ = ["DeformableConvolution", "ModulatedDeformableConvolution"]


class _DeformableConv(HybridBlock):
    """Shared by both versions: ``offset_factor`` is the offset branch's channels per kernel tap and
    deformable group (2 for offsets alone, 3 for offsets and masks)."""

    _offset_factor = 2

    def __init__(self, channels, kernel_size, strides, padding, dilation, groups, num_deformable_group, layout,
                 use_bias, in_channels, activation, weight_initializer, bias_initializer,
                 offset_weight_initializer, offset_bias_initializer, offset_use_bias, op_name, adj, prefix, params):
        super().__init__(prefix=prefix, params=params)
        with self.name_scope():
            self._channels = channels
            self._in_channels = in_channels
            if layout not in ("NCHW", "NHWC"):
                raise AssertionError("Only supports 'NCHW' and 'NHWC' layout for now")
            kernel_size = _tuple(kernel_size, 2, "kernel_size")
            strides = _tuple(strides, 2, "strides")
            padding = _tuple(padding, 2, "padding")
            dilation = _tuple(dilation, 2, "dilation")
            self._op_name = op_name
            taps = kernel_size[0] * kernel_size[1]
            self.offset_split_index = num_deformable_group * 2 * taps
            offset_channels = num_deformable_group * self._offset_factor * taps
            common = {"kernel": kernel_size, "stride": strides, "dilate": dilation, "pad": padding,
                      "num_group": groups, "layout": layout}
            self._kwargs_offset = dict(common, num_filter=offset_channels, no_bias=not offset_use_bias)
            self._kwargs_deformable_conv = dict(common, num_filter=channels,
                                                num_deformable_group=num_deformable_group, no_bias=not use_bias)
            if adj:
                self._kwargs_offset["adj"] = adj
                self._kwargs_deformable_conv["adj"] = adj
            # MXNet declares the offset branch first in v1 and last in v2; parameter order follows it.
            if self._offset_factor == 2:
                self._declare_offset(offset_channels, in_channels, groups, layout, kernel_size,
                                     offset_weight_initializer, offset_bias_initializer, offset_use_bias)
            # The main weight's input channels are always inferred from the data, as in MXNet.
            self.deformable_conv_weight = self.params.get(
                "deformable_conv_weight", shape=(channels, 0) + kernel_size, init=weight_initializer,
                allow_deferred_init=True)
            self.deformable_conv_bias = None
            if use_bias:
                self.deformable_conv_bias = self.params.get("deformable_conv_bias", shape=(channels,),
                                                            init=bias_initializer, allow_deferred_init=True)
            if self._offset_factor == 3:
                self._declare_offset(offset_channels, in_channels, groups, layout, kernel_size,
                                     offset_weight_initializer, offset_bias_initializer, offset_use_bias)
            self.act = Activation(activation, prefix=activation + "_") if activation else None

    def _declare_offset(self, offset_channels, in_channels, groups, layout, kernel_size, weight_init, bias_init,
                        use_bias):
        wshape = _weight_shape("Convolution", layout, offset_channels, in_channels, groups, kernel_size)
        self.offset_weight = self.params.get("offset_weight", shape=wshape, init=weight_init,
                                             allow_deferred_init=True)
        self.offset_bias = None
        if use_bias:
            self.offset_bias = self.params.get("offset_bias", shape=(offset_channels,), init=bias_init,
                                               allow_deferred_init=True)

    def _offset(self, F, x, offset_weight, offset_bias):
        if offset_bias is None:
            return F.Convolution(x, offset_weight, cudnn_off=True, **self._kwargs_offset)
        return F.Convolution(x, offset_weight, offset_bias, cudnn_off=True, **self._kwargs_offset)

    def _finish(self, out):
        return self.act(out) if self.act else out

    def __repr__(self) -> str:
        k = self._kwargs_deformable_conv
        s = "{name}({mapping}, kernel_size={kernel}, stride={stride}"
        if k["pad"] != (0, 0):
            s += ", padding={pad}"
        if k["dilate"] != (1, 1):
            s += ", dilation={dilate}"
        if k["num_group"] != 1:
            s += ", groups={num_group}"
        if self.deformable_conv_bias is None:
            s += ", bias=False"
        if self.act:
            s += f", {self.act}"
        s += ")"
        shape = self.deformable_conv_weight.shape
        return s.format(name=type(self).__name__, mapping=f"{shape[1] if shape[1] else None} -> {shape[0]}", **k)


class DeformableConvolution(_DeformableConv):
    """2-D deformable convolution v1 (Dai et al., 2017): the sampling grid of each output position is
    shifted by offsets that a regular convolution over the same input predicts.

    Parameters are those of ``gluon.nn.Conv2D`` plus ``num_deformable_group`` (channel groups with their
    own offsets) and the offset convolution's ``offset_weight_initializer``, ``offset_bias_initializer``
    (both ``'zeros'``: a new layer behaves as a plain convolution) and ``offset_use_bias``.
    Input: (batch, in_channels, height, width); output: (batch, channels, out_height, out_width).
    """

    def __init__(self, channels, kernel_size=(1, 1), strides=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1,
                 num_deformable_group=1, layout="NCHW", use_bias=True, in_channels=0, activation=None,
                 weight_initializer=None, bias_initializer="zeros", offset_weight_initializer="zeros",
                 offset_bias_initializer="zeros", offset_use_bias=True, op_name="DeformableConvolution", adj=None,
                 prefix=None, params=None):
        super().__init__(channels, kernel_size, strides, padding, dilation, groups, num_deformable_group, layout,
                         use_bias, in_channels, activation, weight_initializer, bias_initializer,
                         offset_weight_initializer, offset_bias_initializer, offset_use_bias, op_name, adj, prefix,
                         params)

    @_names_layer
    def hybrid_forward(self, F, x, offset_weight, deformable_conv_weight, offset_bias=None,
                       deformable_conv_bias=None):
        offset = self._offset(F, x, offset_weight, offset_bias)
        args = [x, offset, deformable_conv_weight] + ([] if deformable_conv_bias is None else [deformable_conv_bias])
        return self._finish(F.contrib.DeformableConvolution(*args, name="fwd", **self._kwargs_deformable_conv))

    def _alias(self) -> str:
        return "deformable_conv"


class ModulatedDeformableConvolution(_DeformableConv):
    """2-D modulated deformable convolution v2 (Zhu et al., 2018): as ``DeformableConvolution``, and each
    sample is scaled by a mask in (0, 2), ``2 * sigmoid`` of the offset convolution's last
    ``kernel taps * num_deformable_group`` channels (so a new layer's masks are all 1).
    """

    _offset_factor = 3

    def __init__(self, channels, kernel_size=(1, 1), strides=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1,
                 num_deformable_group=1, layout="NCHW", use_bias=True, in_channels=0, activation=None,
                 weight_initializer=None, bias_initializer="zeros", offset_weight_initializer="zeros",
                 offset_bias_initializer="zeros", offset_use_bias=True, op_name="ModulatedDeformableConvolution",
                 adj=None, prefix=None, params=None):
        super().__init__(channels, kernel_size, strides, padding, dilation, groups, num_deformable_group, layout,
                         use_bias, in_channels, activation, weight_initializer, bias_initializer,
                         offset_weight_initializer, offset_bias_initializer, offset_use_bias, op_name, adj, prefix,
                         params)

    @_names_layer
    def hybrid_forward(self, F, x, offset_weight, deformable_conv_weight, offset_bias=None,
                       deformable_conv_bias=None):
        offset = self._offset(F, x, offset_weight, offset_bias)
        offset_t = F.slice_axis(offset, axis=1, begin=0, end=self.offset_split_index)
        mask = F.sigmoid(F.slice_axis(offset, axis=1, begin=self.offset_split_index, end=None)) * 2
        args = [x, offset_t, mask, deformable_conv_weight]
        if deformable_conv_bias is not None:
            args.append(deformable_conv_bias)
        return self._finish(F.contrib.ModulatedDeformableConvolution(*args, name="fwd",
                                                                     **self._kwargs_deformable_conv))

    def _alias(self) -> str:
        return "modulated_deformable_conv"
