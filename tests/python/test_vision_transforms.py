"""gluon.data.vision.transforms: the deterministic transforms against MXNet 1.9.1's outputs
(tests/golden/vision_transforms.json, made by tools/golden/make_transforms_golden.py), the random
ones for ranges, shapes and seeded reproducibility, hybridization, and bad input."""
import json
import pathlib
import pickle
import random
import warnings

import minerva as mx
import numpy as np
import pytest
from minerva.gluon.data.vision import transforms as T

GOLDEN = json.loads((pathlib.Path(__file__).resolve().parents[1] / "golden/vision_transforms.json").read_text())


def _nd(a):
    return mx.nd.array(a, dtype=a.dtype)


def _image(h=6, w=8, c=3, dtype=np.uint8, seed=0):
    return np.random.RandomState(seed).randint(0, 256, size=(h, w, c)).astype(dtype)


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=[c["transform"] for c in GOLDEN["cases"]])
def test_matches_mxnet(case):
    x = np.array(case["input"], dtype=case["dtype"]).reshape(case["shape"])
    out = eval(case["transform"])(_nd(x))  # noqa: S307  (the fixture's own expressions)
    assert list(out.shape) == case["output_shape"]
    assert np.dtype(out.dtype) == np.dtype(case["output_dtype"])
    expected = np.array(case["output"]).reshape(case["output_shape"])
    np.testing.assert_allclose(out.asnumpy().astype(np.float64), expected, rtol=1e-5, atol=1e-4)


def test_mxnet_saved_image_symbol_loads_and_agrees():
    case = GOLDEN["symbol"]
    net = mx.sym.load_json(case["json"])
    x = np.array(case["input"], dtype=np.uint8).reshape(case["shape"])
    out = net.bind(mx.cpu(), {"data": _nd(x)}).forward()[0]
    expected = np.array(case["output"]).reshape(case["output_shape"])
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-5, atol=1e-5)


def test_module_has_mxnet_names():
    names = ["Compose", "Cast", "ToTensor", "Normalize", "Rotate", "RandomRotation", "RandomResizedCrop",
             "CropResize", "CenterCrop", "Resize", "RandomFlipLeftRight", "RandomFlipTopBottom", "RandomBrightness",
             "RandomContrast", "RandomSaturation", "RandomHue", "RandomColorJitter", "RandomLighting", "RandomApply",
             "Block", "HybridBlock", "Sequential", "HybridSequential", "numeric_types", "is_np_array", "np", "random"]
    assert [n for n in names if not hasattr(T, n)] == []
    hybrid = {"Cast", "ToTensor", "Normalize", "CropResize", "Resize", "RandomFlipLeftRight", "RandomFlipTopBottom",
              "RandomBrightness", "RandomContrast", "RandomSaturation", "RandomHue", "RandomColorJitter",
              "RandomLighting"}
    for n in names[:19]:
        assert issubclass(getattr(T, n), mx.gluon.HybridBlock) == (n in hybrid), n


def test_compose_hybridizes_runs_of_hybrid_blocks():
    c = T.Compose([T.Resize(10), T.CenterCrop(8), T.ToTensor(), T.Normalize(0.5, 0.5), lambda a: a * 2])
    children = list(c._children.values())
    assert [type(b) for b in children[:2]] == [T.Resize, T.CenterCrop]
    assert isinstance(children[2], mx.gluon.nn.HybridSequential) and len(children[2]) == 2
    assert isinstance(children[3], mx.gluon.nn.Lambda)
    out = c(_nd(_image(12, 15)))
    assert out.shape == (3, 8, 8) and out.dtype == np.float32
    assert float(out.min().asscalar()) >= -2 and float(out.max().asscalar()) <= 2


def test_used_compose_pickles_for_worker_processes():
    c = T.Compose([T.ToTensor(), T.Normalize(0.5, 0.25)])
    x = _nd(_image(4, 4))
    expected = c(x).asnumpy()  # compiles the hybridized run
    again = pickle.loads(pickle.dumps(c))
    np.testing.assert_allclose(again(x).asnumpy(), expected)
    np.testing.assert_allclose(c(x).asnumpy(), expected)  # the original keeps working
    ds = mx.gluon.data.ArrayDataset(mx.nd.array(np.stack([_image(4, 4, seed=i) for i in range(8)]), dtype=np.uint8),
                                    np.arange(8)).transform_first(c)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback to threads
        batches = list(mx.gluon.data.DataLoader(ds, batch_size=4, num_workers=2))
    assert [b[0].shape for b in batches] == [(4, 3, 4, 4)] * 2


def test_hybridized_blocks_match_imperative():
    x = _nd(_image(9, 7))
    for block in (T.Resize((5, 4)), T.CropResize(1, 1, 4, 5, size=(3, 3)), T.ToTensor(), T.Cast("float64")):
        expected = block(x).asnumpy()
        net = mx.gluon.nn.HybridSequential()
        net.add(block)
        net.hybridize()
        np.testing.assert_array_equal(net(x).asnumpy(), expected)
    sym = T.Normalize((0.1, 0.2, 0.3), 0.5)(mx.sym.var("data"))
    assert sym.infer_shape(data=(3, 4, 5))[1] == [(3, 4, 5)]


def test_random_flips_take_both_outcomes_and_reproduce_with_a_seed():
    img = _image(2, 4, 1)
    x = _nd(img)
    for block, flipped in ((T.RandomFlipLeftRight(), img[:, ::-1]), (T.RandomFlipTopBottom(), img[::-1])):
        mx.random.seed(11)
        outs = [block(x).asnumpy() for _ in range(60)]
        kinds = [np.array_equal(o, flipped) for o in outs]
        assert all(k or np.array_equal(o, img) for k, o in zip(kinds, outs))
        assert 15 <= sum(kinds) <= 45  # Binomial(60, 1/2): outside this range with probability < 1e-4
        mx.random.seed(11)
        assert all(np.array_equal(block(x).asnumpy(), o) for o in outs)


def test_random_color_transforms_stay_in_range():
    x = _image(5, 6, 3, np.float32) / 4  # away from uint8 saturation
    mx.random.seed(3)
    factors = [float(np.median(T.RandomBrightness(0.3)(_nd(x)).asnumpy() / np.maximum(x, 1e-3)))
               for _ in range(40)]
    assert min(factors) >= 0.7 - 1e-5 and max(factors) <= 1.3 + 1e-5 and np.std(factors) > 0.05
    grey = np.float32((x * [0.299, 0.587, 0.114]).sum(axis=2).mean())
    for _ in range(10):
        out = T.RandomContrast(0.5)(_nd(x)).asnumpy()
        alpha = (out[0, 0, 0] - grey) / (x[0, 0, 0] - grey)
        assert 0.5 - 1e-3 <= alpha <= 1.5 + 1e-3
        np.testing.assert_allclose(out, x * alpha + (1 - alpha) * grey, rtol=1e-4, atol=1e-3)
    img = _nd(_image(4, 4))
    for block in (T.RandomSaturation(0.5), T.RandomHue(0.3), T.RandomColorJitter(0.4, 0.4, 0.4, 0.1),
                  T.RandomLighting(0.1)):
        out = block(img)
        assert out.shape == (4, 4, 3) and out.dtype == np.uint8
    noisy = T.RandomLighting(0.5)(_nd(x)).asnumpy() - x
    np.testing.assert_allclose(noisy, np.broadcast_to(noisy[0, 0], noisy.shape), atol=1e-4)  # one offset per channel


def test_random_transforms_reproduce_with_seed():
    x = _nd(_image(6, 6))
    chain = T.Compose([T.RandomColorJitter(0.4, 0.4, 0.4, 0.2), T.RandomLighting(0.2), T.RandomFlipLeftRight()])
    mx.random.seed(5)
    first = [chain(x).asnumpy() for _ in range(3)]
    mx.random.seed(5)
    second = [chain(x).asnumpy() for _ in range(3)]
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not np.array_equal(first[0], first[1])


def test_random_resized_crop_and_random_apply():
    x = _nd(_image(20, 30))
    random.seed(0)
    shapes = {T.RandomResizedCrop((8, 6))(x).shape for _ in range(10)}
    assert shapes == {(6, 8, 3)}
    random.seed(1)
    a = T.RandomResizedCrop(7, scale=(0.2, 0.5))(x).asnumpy()
    random.seed(1)
    np.testing.assert_array_equal(T.RandomResizedCrop(7, scale=(0.2, 0.5))(x).asnumpy(), a)
    doubled = T.RandomApply(mx.gluon.nn.Lambda(lambda v: v * 2), p=0.5)
    y = _nd(np.ones((1, 1, 1), np.float32))
    random.seed(2)
    values = [float(doubled(y).asscalar()) for _ in range(200)]
    assert set(values) == {1.0, 2.0} and 70 <= values.count(2.0) <= 130
    assert float(T.RandomApply(mx.gluon.nn.Lambda(lambda v: v * 2), p=1.0)(y).asscalar()) == 2.0


def test_rotation():
    img = np.zeros((1, 5, 5), np.float32)
    img[0, 0, 2] = 1.0  # top centre
    quarter = T.Rotate(90)(_nd(img)).asnumpy()
    assert quarter.shape == (1, 5, 5) and np.argmax(quarter) in (10, 14)  # moved to the middle of a side
    np.testing.assert_allclose(T.Rotate(0)(_nd(img)).asnumpy(), img, atol=1e-6)
    np.random.seed(0)
    batch = _nd(np.random.rand(3, 2, 6, 6).astype(np.float32))
    assert T.RandomRotation((-30, 30))(batch).shape == (3, 2, 6, 6)
    assert T.RandomRotation((-30, 30), rotate_with_proba=0.0)(batch) is batch
    with pytest.raises(TypeError, match="only supports float32"):
        T.Rotate(10)(_nd(_image()))
    with pytest.raises(ValueError, match="ordered tuple"):
        T.RandomRotation((10, -10))
    with pytest.raises(ValueError, match="between 0 and 1"):
        T.RandomRotation((-10, 10), rotate_with_proba=2)
    with pytest.raises(ValueError, match="cannot be both True"):
        T.Rotate(10, zoom_in=True, zoom_out=True)(batch)


def test_bad_input_names_the_operator():
    x = _nd(_image())
    with pytest.raises(mx.MXNetError, match="_image_normalize.*mean must have 1 or 3 elements"):
        T.Normalize(mean=(0.1, 0.2))(T.ToTensor()(x)).asnumpy()
    with pytest.raises(mx.MXNetError, match="_image_to_tensor.*got \\(6, 8\\)"):
        T.ToTensor()(_nd(np.zeros((6, 8), np.uint8))).asnumpy()
    with pytest.raises(mx.MXNetError, match="interp=2 .*not supported"):
        T.Resize(4, interpolation=2)(x).asnumpy()
    with pytest.raises(mx.MXNetError, match="x \\(5\\) \\+ width \\(5\\) is greater than the input width 8"):
        T.CropResize(5, 0, 5, 2)(x).asnumpy()
    with pytest.raises(mx.MXNetError, match="_image_random_flip_left_right.*height, width, channels"):
        T.RandomFlipLeftRight()(_nd(np.zeros((2, 4, 4, 3), np.uint8))).asnumpy()
    with pytest.raises(ValueError, match="Unknown interp method 7"):
        T.CenterCrop(20, interpolation=7)(x)


def test_to_tensor_normalize_cast_values():
    img = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 10
    t = T.ToTensor()(_nd(img))
    assert t.shape == (3, 2, 3) and t.dtype == np.float32
    np.testing.assert_allclose(t.asnumpy(), img.transpose(2, 0, 1) / np.float32(255), rtol=1e-6)
    n = T.Normalize(mean=(0.1, 0.2, 0.3), std=(0.5, 0.25, 2.0))(t).asnumpy()
    np.testing.assert_allclose(n[1], (img[:, :, 1] / 255.0 - 0.2) / 0.25, rtol=1e-5)
    assert T.ToTensor()(_nd(np.stack([img, img]))).shape == (2, 3, 2, 3)
    assert T.Cast("float64")(_nd(img)).dtype == np.float64
    assert T.ToTensor()(img).shape == (3, 2, 3)  # numpy images (ArrayDataset items) are taken too
    composed = T.Compose([T.ToTensor(), T.Normalize(0.5, 0.5)])
    np.testing.assert_allclose(composed(_nd(img)).asnumpy(), (img.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5, rtol=1e-5)


def test_resize_and_crop_values():
    img = np.array([[0, 100], [200, 50]], dtype=np.float32).reshape(2, 2, 1)
    up = T.Resize((4, 4))(_nd(img)).asnumpy()[:, :, 0]
    # OpenCV bilinear: source x = (dst + 0.5) / 2 - 0.5, clamped at the borders
    np.testing.assert_allclose(up[0], [0, 25, 75, 100])
    np.testing.assert_allclose(up[:, 0], [0, 50, 150, 200])
    np.testing.assert_allclose(up[1, 1], 0.75 * (0.75 * 0 + 0.25 * 100) + 0.25 * (0.75 * 200 + 0.25 * 50))
    near = T.Resize((4, 4), interpolation=0)(_nd(img)).asnumpy()[:, :, 0]
    np.testing.assert_array_equal(near[:, 0], [0, 0, 200, 200])
    rect = np.random.RandomState(1).randint(0, 256, size=(13, 17, 3)).astype(np.uint8)
    x = _nd(rect)
    assert T.Resize((9, 7))(x).shape == (7, 9, 3) and T.Resize((9, 7))(x).dtype == np.uint8
    assert T.Resize(8, keep_ratio=True)(x).shape == (8, 10, 3)
    np.testing.assert_array_equal(T.CenterCrop(8)(x).asnumpy(), rect[2:10, 4:12])
    assert T.CenterCrop((20, 10))(x).shape == (10, 20, 3)  # larger than the image: shrunk, then resized
    np.testing.assert_array_equal(T.CropResize(3, 4, 5, 2)(x).asnumpy(), rect[4:6, 3:8])
