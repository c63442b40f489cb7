"""Deformable convolutions (mx.nd.contrib.DeformableConvolution, ModulatedDeformableConvolution):
values against a direct NumPy evaluation, gradients of the modulated version (which MXNet 1.9.1
computes on GPU only) against finite differences, and the shape errors. Outputs and v1 gradients
against the oracle are in tests/golden/ops/contrib_deformable.json."""
import minerva as mx
import numpy as np
import pytest


def _bilinear_v2(plane, h, w):
    """DCN v2 sampling: corners outside the image count as zero, zero beyond one pixel out."""
    H, W = plane.shape
    if not (-1 < h < H and -1 < w < W):
        return 0.0
    h0, w0 = int(np.floor(h)), int(np.floor(w))
    lh, lw = h - h0, w - w0
    val = 0.0
    for y, wy in ((h0, 1 - lh), (h0 + 1, lh)):
        for x, wx in ((w0, 1 - lw), (w0 + 1, lw)):
            if 0 <= y < H and 0 <= x < W:
                val += wy * wx * plane[y, x]
    return val


def _mdcn_numpy(x, offset, mask, weight, bias, kernel, pad):
    n, c, _, _ = x.shape
    f = weight.shape[0]
    kh, kw = kernel
    oh, ow = offset.shape[2:]
    out = np.zeros((n, f, oh, ow))
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                col = np.zeros((c, kh, kw))
                for a in range(kh):
                    for e in range(kw):
                        t = a * kw + e
                        h = i - pad[0] + a + offset[b, 2 * t, i, j]
                        w = j - pad[1] + e + offset[b, 2 * t + 1, i, j]
                        for ch in range(c):
                            col[ch, a, e] = _bilinear_v2(x[b, ch], h, w) * mask[b, t, i, j]
                out[b, :, i, j] = np.tensordot(weight, col, axes=3) + bias
    return out


def _inputs(rng):
    x = rng.uniform(-1, 1, (2, 2, 4, 5))
    offset = rng.uniform(-1.5, 1.5, (2, 18, 4, 5))
    mask = rng.uniform(0, 1, (2, 9, 4, 5))
    weight = rng.uniform(-1, 1, (3, 2, 3, 3))
    bias = rng.uniform(-1, 1, (3,))
    return x, offset, mask, weight, bias


def test_modulated_forward_matches_numpy():
    rng = np.random.default_rng(0)
    arrays = _inputs(rng)
    got = mx.nd.contrib.ModulatedDeformableConvolution(*[mx.nd.array(a, dtype="float64") for a in arrays],
                                                       kernel=(3, 3), pad=(1, 1), num_filter=3)
    np.testing.assert_allclose(got.asnumpy(), _mdcn_numpy(*arrays, (3, 3), (1, 1)), rtol=1e-10, atol=1e-12)


def test_modulated_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    arrays = list(_inputs(rng))
    head = rng.uniform(-1, 1, (2, 3, 4, 5))
    nds = [mx.nd.array(a, dtype="float64") for a in arrays]
    for a in nds:
        a.attach_grad()
    with mx.autograd.record():
        y = mx.nd.contrib.ModulatedDeformableConvolution(*nds, kernel=(3, 3), pad=(1, 1), num_filter=3)
    y.backward(mx.nd.array(head, dtype="float64"))

    def loss(vals):
        return float((_mdcn_numpy(*vals, (3, 3), (1, 1)) * head).sum())

    eps = 1e-6
    for k, nd in enumerate(nds):
        grad = nd.grad.asnumpy()
        for flat in rng.choice(arrays[k].size, size=min(6, arrays[k].size), replace=False):
            idx = np.unravel_index(flat, arrays[k].shape)
            plus = [a.copy() for a in arrays]
            minus = [a.copy() for a in arrays]
            plus[k][idx] += eps
            minus[k][idx] -= eps
            numeric = (loss(plus) - loss(minus)) / (2 * eps)
            assert grad[idx] == pytest.approx(numeric, rel=1e-5, abs=1e-6), (k, idx)


def test_deformable_zero_offsets_is_convolution():
    rng = np.random.default_rng(2)
    x = mx.nd.array(rng.uniform(-1, 1, (2, 4, 6, 5)))
    w = mx.nd.array(rng.uniform(-1, 1, (6, 2, 3, 3)))
    b = mx.nd.array(rng.uniform(-1, 1, (6,)))
    params = {"kernel": (3, 3), "pad": (1, 1), "stride": (2, 1), "num_filter": 6, "num_group": 2}
    want = mx.nd.Convolution(x, w, b, **params).asnumpy()
    offset = mx.nd.zeros((2, 36, 3, 5))
    got = mx.nd.contrib.DeformableConvolution(x, offset, w, b, num_deformable_group=2, **params).asnumpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    mask = mx.nd.ones((2, 18, 3, 5))
    got = mx.nd.contrib.ModulatedDeformableConvolution(x, offset, mask, w, b, num_deformable_group=2,
                                                       **params).asnumpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_parameters_match_mxnet():
    sym = mx.sym.contrib.DeformableConvolution(mx.sym.var("d"), mx.sym.var("o"), kernel=(3, 3), num_filter=2,
                                               name="dcn")
    assert sym.list_arguments() == ["d", "o", "dcn_weight", "dcn_bias"]
    sym = mx.sym.contrib.ModulatedDeformableConvolution(mx.sym.var("d"), mx.sym.var("o"), mx.sym.var("m"),
                                                        kernel=(3, 3), num_filter=2, no_bias=True, name="m")
    assert sym.list_arguments() == ["d", "o", "m", "m_weight"]
    _, out, _ = sym.infer_shape(d=(1, 2, 5, 5))
    assert out == [(1, 2, 3, 3)]


def test_wrong_offset_channels_is_an_error():
    x, w = mx.nd.ones((1, 2, 5, 5)), mx.nd.ones((2, 2, 3, 3))
    with pytest.raises(mx.MXNetError, match=r"DeformableConvolution.*offset.*\(1, 18, 3, 3\).*\(1, 16, 3, 3\)"):
        mx.nd.contrib.DeformableConvolution(x, mx.nd.ones((1, 16, 3, 3)), w, kernel=(3, 3), num_filter=2,
                                            no_bias=True)
    with pytest.raises(mx.MXNetError, match=r"mask.*\(1, 9, 3, 3\).*\(1, 18, 3, 3\)"):
        mx.nd.contrib.ModulatedDeformableConvolution(x, mx.nd.ones((1, 18, 3, 3)), mx.nd.ones((1, 18, 3, 3)), w,
                                                     kernel=(3, 3), num_filter=2, no_bias=True)
    with pytest.raises(mx.MXNetError, match="num_deformable_group 3 must divide the input channels"):
        mx.nd.contrib.DeformableConvolution(x, mx.nd.ones((1, 54, 3, 3)), w, kernel=(3, 3), num_filter=2,
                                            num_deformable_group=3, no_bias=True)
    with pytest.raises(mx.MXNetError, match="only 2-D kernels"):
        mx.nd.contrib.DeformableConvolution(mx.nd.ones((1, 2, 5)), mx.nd.ones((1, 6, 3)), mx.nd.ones((2, 2, 3)),
                                            kernel=(3,), num_filter=2, no_bias=True)


def test_backward_operator_checks_its_inputs():
    ograd, x = mx.nd.ones((1, 2, 3, 3)), mx.nd.ones((1, 2, 5, 5))
    with pytest.raises(mx.MXNetError, match=r"_backward_DeformableConvolution.*weight.*\(2, 2, 3, 3\)"):
        mx.nd._internal._backward_DeformableConvolution(ograd, x, mx.nd.ones((1, 18, 3, 3)), mx.nd.ones((2, 1, 3, 3)),
                                                        kernel=(3, 3), num_filter=2)
    with pytest.raises(mx.MXNetError, match=r"ograd.*\(1, 2, 3, 3\)"):
        mx.nd._internal._backward_DeformableConvolution(mx.nd.ones((1, 2, 4, 4)), x, mx.nd.ones((1, 18, 3, 3)),
                                                        mx.nd.ones((2, 2, 3, 3)), kernel=(3, 3), num_filter=2)


def test_gluon_layers_start_as_plain_convolutions():
    from minerva.gluon.contrib.cnn import DeformableConvolution, ModulatedDeformableConvolution
    rng = np.random.default_rng(3)
    x = mx.nd.array(rng.uniform(-1, 1, (2, 4, 6, 6)))
    for cls in (DeformableConvolution, ModulatedDeformableConvolution):
        layer = cls(6, kernel_size=3, padding=1, groups=2, num_deformable_group=2, activation="relu")
        layer.initialize(mx.init.Uniform(0.5))
        # The offset branch keeps its own 'zeros' initialisers: offsets 0 (and masks 2 * sigmoid(0) = 1).
        y = layer(x)
        assert not layer.offset_weight.data().asnumpy().any()
        assert not layer.offset_bias.data().asnumpy().any()
        assert y.shape == (2, 6, 6, 6)
        conv = mx.nd.Convolution(x, layer.deformable_conv_weight.data(), layer.deformable_conv_bias.data(),
                                 kernel=(3, 3), pad=(1, 1), num_filter=6, num_group=2)
        np.testing.assert_allclose(y.asnumpy(), np.maximum(conv.asnumpy(), 0), rtol=1e-5, atol=1e-5)
        taps = 9 * 2 * (3 if cls is ModulatedDeformableConvolution else 2)
        assert layer.offset_weight.shape == (taps, 2, 3, 3)
        assert layer.deformable_conv_weight.shape == (6, 2, 3, 3)


def test_gluon_layer_parameters_names_and_training():
    from minerva.gluon.contrib.cnn import DeformableConvolution, ModulatedDeformableConvolution
    layer = DeformableConvolution(3, kernel_size=(2, 2), use_bias=False, prefix="dcn_")
    assert list(layer.collect_params().keys()) == ["dcn_offset_weight", "dcn_offset_bias",
                                                   "dcn_deformable_conv_weight"]
    layer = ModulatedDeformableConvolution(3, offset_use_bias=False, prefix="m_")
    assert list(layer.collect_params().keys()) == ["m_deformable_conv_weight", "m_deformable_conv_bias",
                                                   "m_offset_weight"]
    assert repr(layer) == "ModulatedDeformableConvolution(None -> 3, kernel_size=(1, 1), stride=(1, 1))"
    # Hybridized and trained: the offset branch receives gradients through the deformable sampling.
    layer = DeformableConvolution(2, kernel_size=3, padding=1, offset_weight_initializer=mx.init.Uniform(0.1))
    layer.initialize()
    layer.hybridize()
    x = mx.nd.array(np.random.default_rng(4).uniform(-1, 1, (1, 3, 5, 5)))
    with mx.autograd.record():
        loss = (layer(x) ** 2).sum()
    loss.backward()
    assert np.abs(layer.offset_weight.grad().asnumpy()).sum() > 0
    assert np.abs(layer.deformable_conv_weight.grad().asnumpy()).sum() > 0


def test_psroi_pooling_averages_position_sensitive_channels():
    x = mx.nd.array(np.arange(128, dtype=np.float32).reshape(1, 8, 4, 4))
    rois = mx.nd.array([[0, 0, 0, 3, 3]])
    y = mx.nd.contrib.PSROIPooling(x, rois, spatial_scale=1.0, output_dim=2, pooled_size=2)
    # Bin (i, j) of output channel k averages its 2 x 2 pixels of input channel 4k + 2i + j.
    planes = x.asnumpy()[0]
    want = [[[planes[4 * k + 2 * i + j, 2 * i:2 * i + 2, 2 * j:2 * j + 2].mean() for j in range(2)]
             for i in range(2)] for k in range(2)]
    np.testing.assert_allclose(y.asnumpy()[0], want)
    z = mx.nd.contrib.DeformablePSROIPooling(x, rois, spatial_scale=1.0, output_dim=2, pooled_size=2,
                                             group_size=2, no_trans=True)
    np.testing.assert_allclose(z.asnumpy()[0, 0], [[0, 17.5], [38, 55.5]])


def test_psroi_pooling_symbols_and_errors():
    sym = mx.sym.contrib.DeformablePSROIPooling(mx.sym.var("d"), mx.sym.var("r"), spatial_scale=1.0, output_dim=2,
                                                pooled_size=3, group_size=2, no_trans=True)
    assert sym.list_arguments() == ["d", "r"]
    _, out, _ = sym.infer_shape(d=(1, 8, 4, 4), r=(5, 5))
    assert out == [(5, 2, 3, 3)]
    x, rois = mx.nd.ones((1, 8, 4, 4)), mx.nd.array([[0, 0, 0, 3, 3]])
    with pytest.raises(mx.MXNetError, match=r"PSROIPooling: data has 8 channels, expected output_dim \* "
                                            r"group_size\^2 = 12"):
        mx.nd.contrib.PSROIPooling(x, rois, spatial_scale=1.0, output_dim=3, pooled_size=2)
    # A region of an image the batch does not have pools nothing (MXNet reads past the data there).
    outside = mx.nd.contrib.PSROIPooling(x, mx.nd.array([[1, 0, 0, 3, 3]]), spatial_scale=1.0, output_dim=2,
                                         pooled_size=2)
    assert not outside.asnumpy().any()
    with pytest.raises(mx.MXNetError, match=r"trans must be \(num_rois, 2 \* num_classes, part_size, part_size\)"):
        mx.nd.contrib.DeformablePSROIPooling(x, rois, mx.nd.ones((1, 2, 3, 3)), spatial_scale=1.0, output_dim=2,
                                             pooled_size=2, group_size=2)
    with pytest.raises(mx.MXNetError, match=r"_backward_contrib_PSROIPooling.*ograd.*\(1, 2, 2, 2\)"):
        mx.nd._internal._backward_contrib_PSROIPooling(mx.nd.ones((1, 2, 3, 3)), x, rois, spatial_scale=1.0,
                                                       output_dim=2, pooled_size=2).asnumpy()
    with pytest.raises(mx.MXNetError, match=r"_backward_DeformablePSROIPooling.*trans"):
        mx.nd._internal._backward_DeformablePSROIPooling(mx.nd.ones((1, 2, 2, 2)), x, rois, mx.nd.ones((2, 2, 2, 2)),
                                                         spatial_scale=1.0, output_dim=2, pooled_size=2,
                                                         group_size=2)
