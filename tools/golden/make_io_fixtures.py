"""Writes tests/golden/io/: NDArray files saved by MXNet 1.9.1 plus a JSON sidecar of their contents.

Run under the MXNet oracle:
    /work/.venvs/mxnet/bin/python tools/golden/make_io_fixtures.py [out_dir]

Files:
  list.params        mx.nd.save of a list: every dtype Minerva supports, 1-element and 4-d shapes,
                     float specials (inf, -inf, nan, -0.0, a float16 subnormal), int64 beyond 2**53.
  dict.params        mx.nd.save of a dict (names like Gluon/Module parameter files).
  v3_np.params       written under numpy shape semantics (V3 records, one 0-d scalar).
  legacy_v1.params   hand-built V1 records (magic 0xF993FAC8, no storage type), as MXNet 0.x wrote them.
  legacy_v0.params   hand-built pre-V1 records (no magic, uint32 dims).
  sparse.params      a row_sparse array: Minerva must refuse it clearly.
  io_expected.json   per file: form, whether Minerva's writer must reproduce it byte for byte, and per
                     array its name, dtype, shape (as Minerva loads it) and values.

The hand-built legacy files are checked here by loading them with MXNet itself, so the fixtures only
hold bytes that MXNet 1.9.1 reads as the values in the sidecar.
"""
import json
import math
import os
import struct
import sys

import mxnet as mx
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "golden", "io")

DTYPE_FLAG = {"float32": 0, "float64": 1, "float16": 2, "uint8": 3, "int32": 4, "int8": 5, "int64": 6, "bool": 7}


def json_value(v, dtype):
    """A JSON number for one element; ints stay exact, floats keep their special values as strings."""
    if dtype == "bool":
        return int(bool(v))
    if dtype.startswith(("int", "uint")):
        return int(v)
    f = float(v)
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    if f == 0.0 and math.copysign(1.0, f) < 0:
        return "-0"
    return f  # repr of a float64 round-trips, and f16/f32 values are exact in float64


def describe(name, arr, shape=None):
    a = arr.asnumpy()
    dtype = str(a.dtype)
    return {
        "name": name,
        "dtype": dtype,
        "shape": list(shape if shape is not None else a.shape),
        "values": [json_value(v, dtype) for v in a.reshape(-1).tolist()],
    }


def list_arrays():
    return [
        mx.nd.array([[1.5, -2.25, 3.0], [float("inf"), float("-inf"), float("nan")]], dtype="float32"),
        mx.nd.array([-0.0], dtype="float32"),  # 1 element, negative zero
        mx.nd.array([math.pi], dtype="float64"),  # 1 element
        mx.nd.array(np.array([0.5, -1.0, 65504.0, 6.0e-8, 2.0**-14, -3.140625], dtype=np.float16)
                    .reshape(1, 2, 3, 1), dtype="float16"),  # 4-d; max, subnormal, min normal
        mx.nd.array([[0, 255, 7], [128, 1, 42]], dtype="uint8"),
        mx.nd.array([-2147483648, 2147483647, 0, -5], dtype="int32"),
        mx.nd.array([-128, 127, 3], dtype="int8"),
        mx.nd.array(np.array([9007199254740993, -9223372036854775808, 1], dtype=np.int64), dtype="int64"),
        mx.nd.array([1, 0, 1], dtype="bool"),
    ]


def dict_arrays():
    return {
        "arg:conv0_weight": mx.nd.array(np.arange(12, dtype=np.float32).reshape(3, 1, 2, 2) * 0.25 - 1.0),
        "arg:conv0_bias": mx.nd.array([0.125, -0.5, 2.0], dtype="float32"),
        "aux:bn_moving_var": mx.nd.array([1.0, 2.5], dtype="float64"),
        "step": mx.nd.array([123456789012], dtype="int64"),
        "mask": mx.nd.array([[1, 0], [0, 1]], dtype="uint8"),
        "h": mx.nd.array([0.1, 0.2], dtype="float16"),
        "": mx.nd.array([7], dtype="int32"),  # an empty name is legal
    }


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


def i32(v):
    return struct.pack("<i", v)


def i64(v):
    return struct.pack("<q", v)


def legacy_file(arrays, version):
    """List file whose records use the V1 (version=1) or pre-V1 (version=0) array layout."""
    out = u64(0x112) + u64(0) + u64(len(arrays))
    for a in arrays:
        a = a.asnumpy()
        if version == 1:
            out += u32(0xF993FAC8) + u32(a.ndim) + b"".join(i64(d) for d in a.shape)
        else:
            out += u32(a.ndim) + b"".join(u32(d) for d in a.shape)
        out += i32(1) + i32(0) + i32(DTYPE_FLAG[str(a.dtype)]) + a.tobytes()
    return out + u64(0)


def check_mxnet_reads(path, arrays):
    got = mx.nd.load(path)
    assert len(got) == len(arrays), path
    for g, a in zip(got, arrays):
        assert g.dtype == a.dtype and g.shape == a.shape, path
        assert g.asnumpy().tobytes() == a.asnumpy().tobytes(), path


def dump_expected(expected):
    """JSON with one line per array, so diffs of the sidecar stay readable."""
    files = []
    for name in sorted(expected):
        e = expected[name]
        arrays = ",\n".join("    " + json.dumps(a, sort_keys=True) for a in e["arrays"])
        head = f'  {json.dumps(name)}: {{"form": {json.dumps(e["form"])}, "same_bytes": {json.dumps(e["same_bytes"])}'
        files.append(f'{head}, "arrays": [\n{arrays}\n  ]}}')
    text = "{\n" + ",\n".join(files) + "\n}\n"
    assert json.loads(text) == expected
    return text


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}

    lst = list_arrays()
    mx.nd.save(os.path.join(OUT, "list.params"), lst)
    expected["list.params"] = {"form": "list", "same_bytes": True,
                               "arrays": [describe(None, a) for a in lst]}

    dct = dict_arrays()
    mx.nd.save(os.path.join(OUT, "dict.params"), dct)
    expected["dict.params"] = {"form": "dict", "same_bytes": True,
                               "arrays": [describe(k, v) for k, v in dct.items()]}

    # Numpy shape semantics: MXNet writes V3 records; a 0-d scalar loads in Minerva as shape (1,).
    from mxnet import npx
    npx.set_np()
    v3 = [mx.np.array(5.0, dtype="float32"), mx.np.array([[1, 2, 3], [4, 5, 6]], dtype="float64")]
    mx.npx.save(os.path.join(OUT, "v3_np.params"), v3)
    back = mx.npx.load(os.path.join(OUT, "v3_np.params"))
    assert back[0].shape == () and back[1].shape == (2, 3)
    expected["v3_np.params"] = {"form": "list", "same_bytes": False,
                                "arrays": [describe(None, v3[0], shape=[1]), describe(None, v3[1])]}
    npx.reset_np()

    legacy = [mx.nd.array([[1, 2], [3, 4]], dtype="float32"), mx.nd.array([5, 6, 7], dtype="int32")]
    for version in (1, 0):
        name = f"legacy_v{version}.params"
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(legacy_file(legacy, version))
        check_mxnet_reads(os.path.join(OUT, name), legacy)
        expected[name] = {"form": "list", "same_bytes": False, "arrays": [describe(None, a) for a in legacy]}

    sparse = mx.nd.array([[0, 1.5], [0, 0]]).tostype("row_sparse")
    mx.nd.save(os.path.join(OUT, "sparse.params"), [sparse])

    with open(os.path.join(OUT, "io_expected.json"), "w") as f:
        f.write(dump_expected(expected))
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    assert total < 20 * 1024, total
    print(f"wrote {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
