#!/usr/bin/env python3
"""Writes tests/golden/vision_transforms.json: outputs of MXNet 1.9.1's deterministic
``gluon.data.vision.transforms`` (and the random ones at settings that draw nothing, such as
RandomBrightness(0)) on fixed images. Run it with the oracle's interpreter:

    .oracle-venv/bin/python tools/golden/make_transforms_golden.py

Each case is a transform written as a Python expression over ``T`` (the transforms module), so
tests/python/test_vision_transforms.py builds the same transform with Minerva's module. The file
also holds a symbol JSON that MXNet wrote for a chain of ``mx.sym.image`` operators, with its
input and output, so a saved MXNet preprocessing graph is checked to load and agree. It imports
only mxnet and numpy."""
import json
import pathlib

import mxnet as mx
import numpy as np
from mxnet.gluon.data.vision import transforms as T  # noqa: F401  (used by the case expressions)

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests/golden/vision_transforms.json"
rng = np.random.RandomState(7)


def pixels(*shape, dtype="uint8"):
    return rng.randint(0, 256, size=shape).astype(dtype)


def tensor(*shape):
    return rng.uniform(0, 1, size=shape).astype("float32")


# (transform expression, input array)
CASES = [
    ("T.ToTensor()", pixels(5, 4, 3)),
    ("T.ToTensor()", pixels(2, 3, 4, 1)),
    ("T.Cast('float64')", pixels(2, 3, 3)),
    ("T.Normalize(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))", tensor(3, 4, 5)),
    ("T.Normalize(0.5, 0.25)", tensor(2, 1, 3, 3)),
    ("T.Resize((7, 5))", pixels(9, 6, 3)),
    ("T.Resize(6)", pixels(9, 6, 3, dtype="float32")),
    ("T.Resize(6, keep_ratio=True)", pixels(9, 13, 3)),
    ("T.Resize(4, keep_ratio=True, interpolation=0)", pixels(10, 7, 1)),
    ("T.Resize((5, 3))", pixels(2, 6, 8, 3)),
    ("T.CenterCrop(5)", pixels(9, 8, 3)),
    ("T.CenterCrop((6, 12))", pixels(9, 8, 3)),
    ("T.CenterCrop(4, interpolation=0)", pixels(3, 5, 3)),
    ("T.CropResize(1, 2, 4, 3)", pixels(6, 7, 3)),
    ("T.CropResize(0, 1, 5, 4, size=(3, 3), interpolation=1)", pixels(2, 6, 7, 3)),
    ("T.RandomResizedCrop((6, 5), scale=(1.0, 1.0), ratio=(0.8, 0.8))", pixels(10, 8, 3)),
    ("T.Rotate(30)", tensor(3, 6, 8)),
    ("T.Rotate(-90)", tensor(1, 5, 5)),
    ("T.Rotate(45, zoom_in=True)", tensor(2, 6, 7)),
    ("T.Rotate(20, zoom_out=True)", tensor(2, 3, 5, 4)),
    ("T.RandomBrightness(0)", pixels(4, 5, 3)),
    ("T.RandomContrast(0)", pixels(4, 5, 3, dtype="float32")),
    ("T.RandomSaturation(0)", pixels(4, 5, 3, dtype="float32")),
    ("T.RandomHue(0)", pixels(4, 5, 3, dtype="float32")),
    ("T.RandomLighting(0)", pixels(4, 5, 3, dtype="float32")),
    ("T.Compose([T.Resize(10), T.CenterCrop(8), T.ToTensor(), "
     "T.Normalize((0.5, 0.4, 0.3), (0.2, 0.3, 0.4))])", pixels(12, 15, 3)),
]


def symbol_case():
    data = mx.sym.var("data")
    net = mx.sym.image.crop(data, 1, 0, 5, 4)
    net = mx.sym.image.resize(net, size=(7, 6))
    net = mx.sym.image.to_tensor(net)
    net = mx.sym.image.normalize(net, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225))
    x = pixels(5, 8, 3)
    out = net.bind(mx.cpu(), {"data": mx.nd.array(x, dtype="uint8")}).forward()[0]
    return {"json": net.tojson(), "input": x.ravel().tolist(), "shape": list(x.shape),
            "output": out.asnumpy().astype(np.float64).ravel().tolist(), "output_shape": list(out.shape)}


def main():
    cases = []
    for expr, x in CASES:
        out = eval(expr)(mx.nd.array(x, dtype=x.dtype))  # noqa: S307  (our own fixed expressions)
        cases.append({"transform": expr, "input": x.ravel().tolist(), "shape": list(x.shape), "dtype": str(x.dtype),
                      "output": out.asnumpy().astype(np.float64).ravel().tolist(), "output_shape": list(out.shape),
                      "output_dtype": str(np.dtype(out.dtype))})
    OUT.write_text(json.dumps({"generator": "tools/golden/make_transforms_golden.py", "mxnet": mx.__version__,
                               "cases": cases, "symbol": symbol_case()}))
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
