"""mx.nd.save / mx.nd.load against files written by MXNet 1.9.1 (tests/golden/io, made by
tools/golden/make_io_fixtures.py): exact values on load, identical bytes on save, clear errors on
damaged files, and — when the MXNet oracle is installed — a two-way exchange with MXNet itself."""
import json
import os
import pathlib
import subprocess

import minerva as mx
import numpy as np
import pytest

GOLDEN = pathlib.Path(__file__).resolve().parents[1] / "golden" / "io"
EXPECTED = json.loads((GOLDEN / "io_expected.json").read_text())
# The MXNet 1.9.1 oracle that `make setup` installs; required in CI, optional elsewhere.
ORACLE = os.environ.get("MXNET_ORACLE_PYTHON") or str(pathlib.Path(__file__).resolve().parents[2]
                                                       / ".oracle-venv" / "bin" / "python")


def _need_oracle():
    if not os.path.exists(ORACLE):
        if os.environ.get("CI") == "true":
            pytest.fail(f"the MXNet oracle {ORACLE} is missing: make setup installs it")
        pytest.skip("MXNet oracle not installed (make setup installs it)")


def _np(spec):
    """The expected array of a sidecar entry ("nan", "inf", "-inf", "-0" are strings there)."""
    dtype = np.dtype(spec["dtype"])
    values = [float(v) if isinstance(v, str) else v for v in spec["values"]]
    return np.array(values, dtype=dtype).reshape(spec["shape"])


def _same_bits(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()  # bit-exact: NaN, -0.0, float16 subnormals, int64 > 2**53


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_loads_mxnet_files_exactly(name):
    e = EXPECTED[name]
    loaded = mx.nd.load(str(GOLDEN / name))
    if e["form"] == "dict":
        assert isinstance(loaded, dict)
        assert list(loaded) == [a["name"] for a in e["arrays"]]
        arrays = list(loaded.values())
    else:
        assert isinstance(loaded, list)
        arrays = loaded
    assert len(arrays) == len(e["arrays"])
    for got, spec in zip(arrays, e["arrays"]):
        _same_bits(got.asnumpy(), _np(spec))
        assert got.context == mx.cpu(0)


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if EXPECTED[n]["same_bytes"]))
def test_save_writes_mxnet_bytes(name, tmp_path):
    e = EXPECTED[name]
    arrays = [mx.nd.array(_np(a), dtype=a["dtype"]) for a in e["arrays"]]
    data = {a["name"]: x for a, x in zip(e["arrays"], arrays)} if e["form"] == "dict" else arrays
    mx.nd.save(str(tmp_path / name), data)
    assert (tmp_path / name).read_bytes() == (GOLDEN / name).read_bytes()


def test_load_frombuffer_matches_load():
    buf = (GOLDEN / "dict.params").read_bytes()
    a, b = mx.nd.load_frombuffer(buf), mx.nd.load(str(GOLDEN / "dict.params"))
    assert list(a) == list(b)
    for k in a:
        _same_bits(a[k].asnumpy(), b[k].asnumpy())


def test_damaged_files_raise_clear_errors(tmp_path):
    good = (GOLDEN / "list.params").read_bytes()
    cases = {
        "missing.params": (None, "No such file"),
        "empty.params": (b"", "empty"),
        "cut.params": (good[:70], "truncated array 0 data"),
        "junk.params": (b"not an ndarray file at all", "bad file magic"),
        "tail.params": (good + b"\0", "trailing bytes"),
    }
    for fname, (content, message) in cases.items():
        if content is not None:
            (tmp_path / fname).write_bytes(content)
        with pytest.raises(mx.MXNetError, match=message) as info:
            mx.nd.load(str(tmp_path / fname))
        assert fname in str(info.value)
    with pytest.raises(mx.MXNetError, match="sparse"):
        mx.nd.load(str(GOLDEN / "sparse.params"))


def test_failed_save_keeps_the_old_file(tmp_path):
    target = tmp_path / "w.params"
    mx.nd.save(str(target), {"w": mx.nd.array([1.0, 2.0])})
    old = target.read_bytes()
    (tmp_path / "d.params").mkdir()
    with pytest.raises(mx.MXNetError, match="directory"):
        mx.nd.save(str(tmp_path / "d.params"), [mx.nd.array([1.0])])
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.params", "w.params"]  # no temporaries


_ORACLE_SCRIPT = r"""
import json, sys, numpy as np, mxnet as mx
src, dst = sys.argv[1], sys.argv[2]
got = mx.nd.load(src)
print(json.dumps({k: [np.dtype(v.dtype).name, list(v.shape),
                      v.asnumpy().tobytes().hex()] for k, v in got.items()}))
rng = np.random.RandomState(7)
out = {"f32": mx.nd.array(rng.randn(2, 3, 1, 2).astype("float32")),
       "f16": mx.nd.array(rng.randn(5).astype("float16"), dtype="float16"),
       "i64": mx.nd.array(np.array([2**62 + 1, -3], dtype="int64"), dtype="int64")}
mx.nd.save(dst, out)
"""


def test_exchange_with_mxnet(tmp_path):
    """Minerva saves, MXNet loads the same bits; MXNet saves, Minerva loads the same bits."""
    _need_oracle()
    rng = np.random.RandomState(3)
    ours = {
        "a": rng.randn(3, 4).astype(np.float64),
        "b": rng.randint(-100, 100, size=(2, 2, 2, 2)).astype(np.int8),
        "c": np.array([1e30, -0.0, 5.0], dtype=np.float32),
        "d": np.array([True, False]),
    }
    mx.nd.save(str(tmp_path / "ours.params"), {k: mx.nd.array(v, dtype=v.dtype) for k, v in ours.items()})
    out = subprocess.run([ORACLE, "-c", _ORACLE_SCRIPT, str(tmp_path / "ours.params"), str(tmp_path / "theirs.params")],
                         capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert list(seen) == list(ours)
    for key, (dtype, shape, hexdata) in seen.items():
        assert (np.dtype(dtype), tuple(shape), hexdata) == (ours[key].dtype, ours[key].shape, ours[key].tobytes().hex())
    theirs = mx.nd.load(str(tmp_path / "theirs.params"))
    assert sorted(theirs) == ["f16", "f32", "i64"]
    assert theirs["f32"].shape == (2, 3, 1, 2) and theirs["f16"].dtype == np.float16
    np.testing.assert_array_equal(theirs["i64"].asnumpy(), np.array([2**62 + 1, -3], dtype=np.int64))
    # Minerva re-saves MXNet's file byte for byte.
    mx.nd.save(str(tmp_path / "again.params"), theirs)
    assert (tmp_path / "again.params").read_bytes() == (tmp_path / "theirs.params").read_bytes()
