"""mx.kv: the local store sums pushed lists, applies an updater, pulls to many arrays."""
import numpy as np
import pytest

import minerva as mx


def test_push_sums_and_pull_broadcasts():
    kv = mx.kv.create("device")
    assert (kv.type, kv.rank, kv.num_workers) == ("device", 0, 1)
    kv.init(3, mx.nd.ones((2, 3)))
    kv.push(3, [mx.nd.ones((2, 3)), mx.nd.ones((2, 3), ctx=mx.cpu(1)) * 2])
    outs = [mx.nd.zeros((2, 3)), mx.nd.zeros((2, 3), ctx=mx.cpu(1))]
    kv.pull(3, out=outs)
    for o in outs:
        np.testing.assert_allclose(o.asnumpy(), 3)
    assert outs[1].context == mx.cpu(1)
    # several keys at once
    kv.init([5, 6], [mx.nd.zeros((1,)), mx.nd.zeros((1,))])
    kv.push([5, 6], [mx.nd.ones((1,)), [mx.nd.ones((1,)), mx.nd.ones((1,))]])
    a, b = mx.nd.zeros((1,)), mx.nd.zeros((1,))
    kv.pull([5, 6], out=[a, b])
    assert a.asscalar() == 1 and b.asscalar() == 2


def test_updater_and_pushpull_in_place():
    kv = mx.kv.create("local")
    kv.init("w", mx.nd.ones((2,)))
    calls = []

    def update(key, grad, weight):
        calls.append(key)
        weight[:] = weight - 0.5 * grad

    kv._set_updater(update)
    grads = [mx.nd.ones((2,)), mx.nd.ones((2,), ctx=mx.cpu(1))]
    kv.pushpull("w", grads)  # out=None: the result lands in the pushed arrays
    for g in grads:
        np.testing.assert_allclose(g.asnumpy(), [0, 0])
    assert calls == ["w"]


def test_set_optimizer_and_states(tmp_path):
    kv = mx.kv.create("local")
    kv.init(0, mx.nd.ones((2,)))
    kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9))
    w = mx.nd.zeros((2,))
    kv.push(0, mx.nd.ones((2,)))
    kv.pull(0, out=w)
    np.testing.assert_allclose(w.asnumpy(), [0.9, 0.9], rtol=1e-6)
    fname = str(tmp_path / "kv.states")
    kv.save_optimizer_states(fname, dump_optimizer=True)
    kv.push(0, mx.nd.ones((2,)))
    kv.pull(0, out=w)
    after_two = w.asnumpy().copy()
    other = mx.kv.create("local")
    other.init(0, mx.nd.array([0.9, 0.9]))
    other.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9))
    other.load_optimizer_states(fname)  # restores the momentum
    other.push(0, mx.nd.ones((2,)))
    other.pull(0, out=w)
    np.testing.assert_allclose(w.asnumpy(), after_two, rtol=1e-6)


def test_errors():
    with pytest.raises(mx.MXNetError, match="'dist_sync' is not supported"):
        mx.kv.create("dist_sync")
    with pytest.raises(mx.MXNetError, match="Unknown KVStore type 'bogus'"):
        mx.kv.create("bogus")
    kv = mx.kv.create()
    kv.init(1, mx.nd.zeros((2,)))
    with pytest.raises(mx.MXNetError, match="key 2 doesn't exist"):
        kv.pull(2, out=mx.nd.zeros((2,)))
    with pytest.raises(mx.MXNetError, match="mixed key types"):
        kv.init("a", mx.nd.zeros((2,)))
    with pytest.raises(mx.MXNetError, match="duplicate init"):
        kv.init(1, mx.nd.zeros((2,)))
    with pytest.raises(mx.MXNetError, match="shape"):
        kv.push(1, mx.nd.zeros((3,)))
