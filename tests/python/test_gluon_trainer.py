"""gluon.Trainer: SGD steps against hand-computed updates, multi-context training equal to
single-context training, states round trip, stale-gradient detection, gluon.utils helpers."""
import numpy as np
import pytest

import minerva as mx
from minerva import gluon


class Linear(gluon.HybridBlock):
    def __init__(self, units, in_units, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.weight = self.params.get("weight", shape=(units, in_units))
            self.bias = self.params.get("bias", shape=(units,), init="zeros")

    def hybrid_forward(self, F, x, weight, bias):
        return F.FullyConnected(x, weight, bias, num_hidden=self.weight.shape[0])


def _batch(n=8, seed=0):
    rs = np.random.RandomState(seed)
    return mx.nd.array(rs.uniform(-1, 1, (n, 3))), mx.nd.array(rs.uniform(-1, 1, (n, 2)))


def _loss(net, x, y):
    return ((net(x) - y) ** 2).sum()


def test_sgd_step_equals_hand_computed_update():
    net = Linear(2, 3, prefix="l_")
    net.initialize()
    x, y = _batch()
    w0, b0 = net.weight.data().asnumpy().copy(), net.bias.data().asnumpy().copy()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1, "wd": 0.0})
    assert trainer.learning_rate == pytest.approx(0.1)
    with mx.autograd.record():
        loss = _loss(net, x, y)
    loss.backward()
    gw, gb = net.weight.grad().asnumpy().copy(), net.bias.grad().asnumpy().copy()
    trainer.step(8)
    np.testing.assert_allclose(net.weight.data().asnumpy(), w0 - 0.1 * gw / 8, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(net.bias.data().asnumpy(), b0 - 0.1 * gb / 8, rtol=1e-5, atol=1e-7)
    # analytic gradient of the squared error, as a check of the recorded one
    xn, yn = x.asnumpy(), y.asnumpy()
    np.testing.assert_allclose(gw, 2 * (xn @ w0.T + b0 - yn).T @ xn, rtol=1e-4, atol=1e-5)
    trainer.set_learning_rate(0.5)
    assert trainer.learning_rate == pytest.approx(0.5) and trainer.optimizer.learning_rate == pytest.approx(0.5)


def _train(ctxs, steps=3, hybridize=False, update_on_kvstore=None):
    net = Linear(2, 3, prefix="mc_")
    net.initialize(mx.init.One() if hasattr(mx.init, "One") else None, ctx=ctxs)
    for p in net.collect_params().values():
        p.set_data(mx.nd.array(np.linspace(-1, 1, int(np.prod(p.shape))).reshape(p.shape)))
    if hybridize:
        net.hybridize()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.05, "momentum": 0.9},
                            update_on_kvstore=update_on_kvstore)
    for s in range(steps):
        x, y = _batch(8, seed=s)
        xs, ys = gluon.utils.split_and_load(x, ctxs), gluon.utils.split_and_load(y, ctxs)
        with mx.autograd.record():
            losses = [_loss(net, a, b) for a, b in zip(xs, ys)]
        for loss in losses:
            loss.backward()
        trainer.step(8)
    return net, trainer


@pytest.mark.parametrize("update_on_kvstore", [None, False])
def test_multi_context_equals_single_context(update_on_kvstore):
    single, _ = _train([mx.cpu(0)])
    multi, trainer = _train([mx.cpu(0), mx.cpu(1)], hybridize=True, update_on_kvstore=update_on_kvstore)
    assert trainer._kvstore is not None and trainer._update_on_kvstore == (update_on_kvstore is None)
    for name, p in single.collect_params().items():
        q = multi.collect_params()[name.replace("mc_", "mc_")]
        for arr in q.list_data():
            np.testing.assert_allclose(arr.asnumpy(), p.data().asnumpy(), rtol=1e-5, atol=1e-6)


def test_allreduce_then_update_with_clipping():
    net, trainer = _train([mx.cpu(0), mx.cpu(1)], steps=0, update_on_kvstore=False)
    x, y = _batch()
    xs, ys = gluon.utils.split_and_load(x, [mx.cpu(0), mx.cpu(1)]), gluon.utils.split_and_load(y, [mx.cpu(0),
                                                                                                    mx.cpu(1)])
    with mx.autograd.record():
        losses = [_loss(net, a, b) for a, b in zip(xs, ys)]
    for loss in losses:
        loss.backward()
    trainer.allreduce_grads()
    g0, g1 = net.weight.list_grad()
    np.testing.assert_allclose(g0.asnumpy(), g1.asnumpy())
    grads = [p.grad(mx.cpu(0)) for p in net.collect_params().values()]
    norm = gluon.utils.clip_global_norm(grads, 1.0)
    assert norm > 1.0
    total = np.sqrt(sum((g.asnumpy() ** 2).sum() for g in grads))
    assert total == pytest.approx(1.0, rel=1e-4)
    trainer.update(8)


def test_save_load_states_roundtrip(tmp_path):
    net, trainer = _train([mx.cpu(0)], steps=2)
    fname = str(tmp_path / "t.states")
    trainer.save_states(fname)
    snapshot = {k: p.data().asnumpy().copy() for k, p in net.collect_params().items()}

    def one_step(n, t):
        x, y = _batch(seed=7)
        with mx.autograd.record():
            loss = _loss(n, x, y)
        loss.backward()
        t.step(8)

    one_step(net, trainer)
    expected = {k: p.data().asnumpy().copy() for k, p in net.collect_params().items()}
    for k, p in net.collect_params().items():
        p.set_data(mx.nd.array(snapshot[k]))
    fresh = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.05, "momentum": 0.9})
    fresh.load_states(fname)  # momentum comes back, so the step repeats exactly
    one_step(net, fresh)
    for k, p in net.collect_params().items():
        np.testing.assert_allclose(p.data().asnumpy(), expected[k], rtol=1e-6)


def test_stale_gradient_detection():
    net = Linear(2, 3, prefix="st_")
    unused = gluon.Parameter("st_unused", shape=(2,))
    net.initialize()
    unused.initialize()
    params = list(net.collect_params().values()) + [unused]
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": 0.1})
    x, y = _batch()
    with mx.autograd.record():
        loss = _loss(net, x, y)
    loss.backward()
    with pytest.raises(UserWarning, match="Parameter `st_unused` on context cpu\\(0\\) has not been updated"):
        trainer.step(8)
    before = unused.data().asnumpy().copy()
    trainer.step(8, ignore_stale_grad=True)
    np.testing.assert_allclose(unused.data().asnumpy(), before)
    # the same gradients again, without a new backward, are stale too
    with pytest.raises(UserWarning, match="st_weight"):
        trainer.step(8)


def test_trainer_errors():
    with pytest.raises(ValueError, match="list or dict of Parameters"):
        gluon.Trainer(3, "sgd")
    p = gluon.Parameter("never", shape=(1,))
    with pytest.raises(RuntimeError, match="'never' has not been initialized"):
        gluon.Trainer([p], "sgd")


def test_split_helpers_and_download(tmp_path):
    x = mx.nd.array(np.arange(10).reshape(5, 2))
    parts = gluon.utils.split_data(x, 2, even_split=False)
    assert [p.shape for p in parts] == [(2, 2), (3, 2)]
    with pytest.raises(ValueError, match="cannot be evenly split"):
        gluon.utils.split_data(x, 2)
    cols = gluon.utils.split_data(x, 2, batch_axis=1)
    np.testing.assert_allclose(cols[1].asnumpy(), x.asnumpy()[:, 1:])
    # download is real HTTP now (tests/python/test_gluon_download.py); nothing listens on port 1.
    with pytest.raises(RuntimeError, match="Failed downloading url http://127.0.0.1:1/x"):
        gluon.utils.download("http://127.0.0.1:1/x", path=str(tmp_path / "x"), retries=0)


def test_check_sha1(tmp_path):
    f = tmp_path / "f.bin"
    f.write_bytes(b"minerva")
    assert gluon.utils.check_sha1(str(f), "4ac5fd1bbd0ba6c5fbcc1bd7cf7e0e2a6c2c4b45") is False
    import hashlib
    assert gluon.utils.check_sha1(str(f), hashlib.sha1(b"minerva").hexdigest())


def test_zero_grad_keeps_stale_gradients_stale():
    p = gluon.Parameter("z", shape=(2,), init="ones")
    p.initialize()
    trainer = gluon.Trainer([p], "sgd", {"learning_rate": 0.1})
    p.zero_grad()
    with pytest.raises(UserWarning, match="`z`"):
        trainer.step(1)
    with mx.autograd.record():
        (p.data() * 2).sum().backward()
    p.zero_grad()  # a fresh gradient stays fresh (now zero)
    trainer.step(1)
    np.testing.assert_allclose(p.data().asnumpy(), [1, 1])
