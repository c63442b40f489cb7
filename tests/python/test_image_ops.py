"""The mx.nd.image / mx.sym.image operators: the namespace against MXNet 1.9.1's, gradients,
random operators (structure, statistics, seeded reproducibility), where Minerva deliberately
differs from MXNet's undefined outputs, and bad input. Values against the oracle are in
tests/golden/ops/image.json (test_golden.py)."""
import minerva as mx
import numpy as np
import pytest

I = mx.nd.image  # noqa: E741

MXNET_IMAGE_OPS = ["adjust_lighting", "crop", "flip_left_right", "flip_top_bottom", "normalize", "random_brightness",
                   "random_color_jitter", "random_contrast", "random_flip_left_right", "random_flip_top_bottom",
                   "random_hue", "random_lighting", "random_saturation", "resize", "to_tensor"]


def _nd(a):
    return mx.nd.array(a, dtype=a.dtype)


def _pixels(*shape, dtype=np.uint8, seed=0):
    return np.random.RandomState(seed).randint(0, 256, size=shape).astype(dtype)


def test_namespaces_hold_mxnets_operators():
    for ns in (mx.nd.image, mx.sym.image):
        assert sorted(n for n in dir(ns) if not n.startswith("_")) == MXNET_IMAGE_OPS


def test_to_tensor_any_dtype_to_float32():
    img = _pixels(2, 3, 5, 3)
    for dtype in ("uint8", "int32", "float16", "float64"):
        out = I.to_tensor(_nd(img.astype(dtype)))
        assert out.dtype == np.float32 and out.shape == (2, 3, 3, 5)
        np.testing.assert_allclose(out.asnumpy(), img.transpose(0, 3, 1, 2) / np.float32(255), rtol=1e-6)


def test_normalize_gradient_and_integer_arithmetic():
    x = mx.nd.array(np.random.rand(2, 3, 2, 2))
    x.attach_grad()
    head = mx.nd.array(np.random.rand(2, 3, 2, 2))
    with mx.autograd.record():
        y = I.normalize(x, mean=(0.1, 0.2, 0.3), std=(2.0, 4.0, 0.5))
    y.backward(head)
    np.testing.assert_allclose(x.grad.asnumpy(), head.asnumpy() / np.array([2, 4, 0.5]).reshape(1, 3, 1, 1), rtol=1e-6)
    u8 = np.array([0, 1, 2, 3, 9, 200], np.uint8).reshape(1, 2, 3)
    # MXNet's integer kernel: (x - int(mean)) / int(std), truncating, wrapped to the dtype
    np.testing.assert_array_equal(I.normalize(_nd(u8), mean=1, std=2).asnumpy().ravel(), [0, 0, 0, 1, 4, 99])


def test_flips_are_exact_and_differentiable():
    img = _pixels(3, 5, 3)  # odd sizes: every element written (MXNet 1.9.1 leaves the middle unwritten)
    np.testing.assert_array_equal(I.flip_left_right(_nd(img)).asnumpy(), img[:, ::-1])
    np.testing.assert_array_equal(I.flip_top_bottom(_nd(img)).asnumpy(), img[::-1])
    x = mx.nd.array(np.random.rand(2, 4, 1))
    x.attach_grad()
    head = np.random.rand(2, 4, 1).astype(np.float32)
    with mx.autograd.record():
        y = I.flip_left_right(x)
    y.backward(mx.nd.array(head))
    np.testing.assert_allclose(x.grad.asnumpy(), head[:, ::-1])


def test_crop_gradient_and_symbol():
    x = mx.nd.array(np.random.rand(2, 4, 5, 3))
    x.attach_grad()
    with mx.autograd.record():
        y = I.crop(x, x=1, y=2, width=3, height=2)
    assert y.shape == (2, 2, 3, 3)
    y.backward(mx.nd.ones_like(y))
    expected = np.zeros((2, 4, 5, 3))
    expected[:, 2:4, 1:4] = 1
    np.testing.assert_array_equal(x.grad.asnumpy(), expected)
    sym = mx.sym.image.resize(mx.sym.image.crop(mx.sym.var("data"), 0, 0, 4, 2), size=(8, 4))
    assert sym.infer_shape(data=(5, 6, 3))[1] == [(4, 8, 3)]


def test_resize_shapes_and_nearest():
    img = _pixels(6, 9, 3)
    assert I.resize(_nd(img), size=(4, 5)).shape == (5, 4, 3)
    assert I.resize(_nd(img), size=4).shape == (4, 4, 3)
    assert I.resize(_nd(img), size=4, keep_ratio=True).shape == (4, 6, 3)  # short side (height) to 4
    assert I.resize(_nd(img.transpose(1, 0, 2).copy()), size=4, keep_ratio=True).shape == (6, 4, 3)
    near = I.resize(_nd(img), size=(18, 12), interp=0).asnumpy()
    np.testing.assert_array_equal(near, img.repeat(2, axis=0).repeat(2, axis=1))
    same = I.resize(_nd(img.astype(np.float32)), size=(9, 6)).asnumpy()
    np.testing.assert_array_equal(same, img)


def test_adjust_lighting_offsets_each_channel_and_passes_gradient():
    x = mx.nd.array(np.random.rand(3, 4, 3) * 100)
    x.attach_grad()
    with mx.autograd.record():
        y = I.adjust_lighting(x, alpha=(0.1, 0.2, 0.3))
    offset = (y - x).asnumpy()
    np.testing.assert_allclose(offset, np.broadcast_to(offset[0, 0], offset.shape), atol=1e-4)
    y.backward(mx.nd.ones_like(y) * 3)
    np.testing.assert_allclose(x.grad.asnumpy(), 3)
    grey = _pixels(2, 2, 1)
    np.testing.assert_array_equal(I.adjust_lighting(_nd(grey), alpha=(1, 1, 1)).asnumpy(), grey)


def test_random_operators_reproduce_with_seed():
    x = _nd(_pixels(4, 5, 3))
    calls = [lambda: I.random_brightness(x, 0.5, 1.5), lambda: I.random_contrast(x, 0.5, 1.5),
             lambda: I.random_saturation(x, 0.5, 1.5), lambda: I.random_hue(x, 0.0, 0.5),
             lambda: I.random_color_jitter(x, 0.3, 0.3, 0.3, 0.1), lambda: I.random_lighting(x, 0.2),
             lambda: I.random_flip_left_right(x), lambda: I.random_flip_top_bottom(x)]
    mx.random.seed(42)
    first = [c().asnumpy() for c in calls for _ in range(3)]
    mx.random.seed(42)
    second = [c().asnumpy() for c in calls for _ in range(3)]
    assert all(np.array_equal(a, b) for a, b in zip(first, second))


def test_random_brightness_factor_is_uniform_in_range():
    x = mx.nd.ones((1, 1, 1))
    mx.random.seed(0)
    draws = np.array([float(I.random_brightness(x, 0.5, 2.0).asscalar()) for _ in range(400)])
    assert draws.min() >= 0.5 and draws.max() <= 2.0
    assert abs(draws.mean() - 1.25) < 0.08 and abs(draws.std() - 1.5 / np.sqrt(12)) < 0.06
    np.testing.assert_array_equal(I.random_brightness(_nd(np.full((1, 1, 3), 200, np.uint8)), 2, 2).asnumpy(), 255)


def test_random_lighting_alphas_are_normal():
    x = mx.nd.zeros((1, 1, 3))
    mx.random.seed(1)
    offsets = np.array([I.random_lighting(x, 0.1).asnumpy().ravel() for _ in range(400)])
    # The red offset is eigvec_r . (alpha * eigval) with alpha ~ N(0, 0.1^2): its standard deviation
    eig = np.array([[55.46 * -0.5675, 4.794 * 0.7192, 1.148 * 0.4009]])
    assert abs(offsets[:, 0].std() - 0.1 * np.sqrt((eig ** 2).sum())) < 0.4
    assert abs(offsets[:, 0].mean()) < 0.4
    np.testing.assert_array_equal(I.random_lighting(x, 0.0).asnumpy(), 0)


def test_jitter_without_amounts_and_grey_images_are_unchanged():
    img = _pixels(3, 3, 3)
    np.testing.assert_array_equal(I.random_color_jitter(_nd(img), 0, 0, 0, 0).asnumpy(), img)
    grey = _pixels(3, 3, 1)
    np.testing.assert_array_equal(I.random_hue(_nd(grey), 0.2, 0.4).asnumpy(), grey)
    np.testing.assert_array_equal(I.random_saturation(_nd(grey), 0.2, 0.4).asnumpy(), grey)
    rgb = _pixels(2, 3, 3).astype(np.float32)
    np.testing.assert_allclose(I.random_hue(_nd(rgb), 1.0, 1.0).asnumpy(), rgb, atol=1e-3)  # a full turn


@pytest.mark.parametrize("call, message", [
    (lambda: I.to_tensor(mx.nd.zeros((4, 4))), "_image_to_tensor: input must be an image"),
    (lambda: I.normalize(mx.nd.zeros((3, 2, 2))), "mean must have 1 or 3 elements.*\\(0,0,0,0\\)"),
    (lambda: I.normalize(mx.nd.zeros((2, 2, 2)), mean=0, std=1), "channel dimension.*1 or 3 elements"),
    (lambda: I.normalize(mx.nd.zeros((3, 2, 2)), mean="(0.1, x)", std=1), "parameter 'mean' expects a float"),
    (lambda: I.normalize(_nd(np.zeros((1, 2, 2), np.uint8)), mean=0, std=0.5), "std 0.5 of channel 0 is zero"),
    (lambda: I.normalize(_nd(np.zeros((1, 2, 2), np.int32)), mean=1e30, std=1), "mean 1e\\+30 cannot be converted"),
    (lambda: I.flip_left_right(mx.nd.zeros((1, 2, 2, 3))), "\\(height, width, channels\\), got \\(1, 2, 2, 3\\)"),
    (lambda: I.flip_top_bottom(mx.nd.zeros((2, 2, 2))), "1 or 3 elements, got shape \\(2, 2, 2\\)"),
    (lambda: I.flip_left_right(mx.nd.zeros((2, 2, 3), dtype="bool")), "does not support dtype bool"),
    (lambda: I.crop(mx.nd.zeros((4, 4, 3)), x=2, y=0, width=3, height=1),
     "x \\(2\\) \\+ width \\(3\\) is greater than the input width 4"),
    (lambda: I.crop(mx.nd.zeros((4, 4, 3)), x=-1, y=0, width=3, height=1), "must not be negative"),
    (lambda: I.crop(mx.nd.zeros((4, 4, 3)), x=0, y=0, width=0, height=1), "greater than 0"),
    (lambda: I.crop(mx.nd.zeros((4, 4)), x=0, y=0, width=1, height=1), "expects an image"),
    (lambda: I.resize(mx.nd.zeros((4, 4, 3))), "size must hold 1 or 2 values"),
    (lambda: I.resize(mx.nd.zeros((4, 4, 3)), size=(0, 2)), "size must be positive"),
    (lambda: I.resize(mx.nd.zeros((4, 4, 3)), size=2, interp=4), "INTER_LANCZOS4\\) is not supported"),
    (lambda: I.resize(mx.nd.zeros((4, 4, 3)), size=2, interp=7), "interp must be 0 \\(nearest\\) or 1"),
    (lambda: I.resize(mx.nd.zeros((4, 4, 3), dtype="int32"), size=2), "int32; supported: uint8, float32, float64"),
    (lambda: I.random_brightness(mx.nd.zeros((2, 2, 3)), -1, 2), "min_factor"),
    (lambda: I.adjust_lighting(mx.nd.zeros((2, 2, 3)), alpha=(0.1, 0.2)), "alpha must hold 3 finite values"),
    (lambda: I.adjust_lighting(mx.nd.zeros((2, 2, 3)), alpha="(0.1, nan, 0)"), "alpha must hold 3 finite values"),
    (lambda: I.random_brightness(mx.nd.zeros((2, 2, 3)), float("nan"), 1), "must be finite"),
    (lambda: I.random_color_jitter(mx.nd.zeros((2, 2, 3)), 0, float("inf"), 0, 0), "contrast must be finite"),
])
def test_bad_input(call, message):
    with pytest.raises(mx.MXNetError, match=message):
        call().asnumpy()


def test_bad_input_to_a_random_operator_leaves_the_generator_usable():
    with pytest.raises(mx.MXNetError, match="does not support dtype bool"):
        I.random_flip_left_right(mx.nd.zeros((2, 2, 3), dtype="bool"))
    with pytest.raises(mx.MXNetError, match="must be finite"):
        I.random_lighting(mx.nd.zeros((2, 2, 3)), float("inf"))
    assert I.random_brightness(mx.nd.ones((1, 1, 3)), 2, 2).asnumpy().tolist() == [[[2, 2, 2]]]
    assert mx.nd.random.uniform(shape=(3,)).asnumpy().shape == (3,)


def test_backward_operators_check_their_inputs():
    with pytest.raises(mx.MXNetError, match="ograd"):
        mx.nd._internal._backward_image_crop(mx.nd.zeros((3, 3, 3)), mx.nd.zeros((4, 5, 3)), x=1, y=2, width=3,
                                             height=2).asnumpy()
    with pytest.raises(mx.MXNetError, match="channel dimension"):
        mx.nd._internal._backward_image_normalize(mx.nd.zeros((2, 2, 2)), mean=0, std=1).asnumpy()
