"""The engine seen from Python: asynchrony, ordering, bounded run-ahead, both engines."""
import json
import os
import subprocess
import sys

import minerva as mx
import numpy as np
import pytest


def test_dependent_chain_is_ordered():
    a = mx.nd.zeros((1000,))
    for _i in range(200):
        a += 1
        a *= 1
    np.testing.assert_array_equal(a.asnumpy(), np.full(1000, 200, dtype=np.float32))


def test_independent_reads_and_a_write_after_them():
    a = mx.nd.ones((100, 100))
    reads = [a * k for k in range(10)]
    a[:] = 5  # must wait for all readers above
    for k, r in enumerate(reads):
        assert r.asnumpy()[0, 0] == k
    assert a.asnumpy()[0, 0] == 5


@pytest.mark.parametrize("max_pending, bound_mib", [(None, 300), ("8", 48)])
def test_discarded_results_keep_memory_flat(max_pending, bound_mib):
    code = (
        "import json, minerva as mx\nfrom minerva._capi import ffi, lib\n"
        "a = mx.nd.ones((512, 512)); b = mx.nd.ones((512, 512))\n"
        "for _ in range(3000):\n    c = a + b\n"  # 1 MiB each: 3 GiB if nothing were bounded
        "mx.nd.waitall()\nout = ffi.new('const char**'); lib.MVStorageGetStats(out)\n"
        "print(json.loads(ffi.string(out[0]))['peak_bytes'])\n")
    env = dict(os.environ)
    if max_pending:
        env["MINERVA_ENGINE_MAX_PENDING"] = max_pending
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert res.returncode == 0, res.stderr
    peak = int(res.stdout.strip())
    assert peak < bound_mib * 2**20, f"peak {peak / 2**20:.0f} MiB: run-ahead is not bounded"


def test_build_info_names_the_engine():
    from minerva._capi import ffi, lib
    out = ffi.new("const char**")
    assert lib.MVGetBuildInfo(out) == 0
    info = json.loads(ffi.string(out[0]))
    assert info["engine"] in ("ThreadedEngine", "NaiveEngine")
    assert info["cuda"] is False


def test_random_seed_reproduces_under_the_engine():
    mx.random.seed(42)
    a = mx.nd.random.uniform(shape=(5,)).asnumpy()
    mx.random.seed(42)
    b = mx.nd.random.uniform(shape=(5,)).asnumpy()
    np.testing.assert_array_equal(a, b)
    c = mx.random.normal(0, 1, shape=(5,)).asnumpy()
    assert not np.array_equal(a, c)


def test_an_error_seen_at_a_wait_is_not_raised_again_by_waitall():
    # MXNet clears an asynchronous error once a wait has raised it (issue 12, F15).
    a = mx.nd.array([1.0, 2.0, 3.0])
    y = mx.nd.take(a, mx.nd.array([5]), mode="raise")
    with pytest.raises(mx.MXNetError, match="take"):
        y.wait_to_read()
    mx.nd.waitall()
    # An error no wait has seen is still raised by waitall, once.
    mx.nd.take(a, mx.nd.array([7]), mode="raise")
    with pytest.raises(mx.MXNetError, match="take"):
        mx.nd.waitall()
    mx.nd.waitall()
