"""mx.optimizer.contrib.GroupAdaGrad against MXNet 1.9.1: weights and row histories over three
steps equal what tools/golden/make_contrib_optim_golden.py recorded under the oracle."""
import importlib.util
import json
import pathlib

import numpy as np
import pytest

import minerva as mx

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "api" / "contrib_optim.json").read_text())
_spec = importlib.util.spec_from_file_location("make_contrib_optim_golden",
                                               ROOT / "tools" / "golden" / "make_contrib_optim_golden.py")
_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_golden)


@pytest.fixture(scope="module")
def ours():
    return _golden.outcomes(mx)


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_group_adagrad_matches_mxnet(ours, key):
    for k, (got, want) in enumerate(zip(ours[key], GOLDEN[key])):
        for field in ("weights", "history"):
            for g, w in zip(got[field], want[field]):
                np.testing.assert_allclose(np.array(g), np.array(w), rtol=1e-5, atol=1e-6,
                                           err_msg=f"{key} step {k} {field}")


def test_group_adagrad_is_registered_and_reachable():
    opt = mx.optimizer.create("GroupAdaGrad")
    assert isinstance(opt, mx.optimizer.contrib.GroupAdaGrad)
    assert opt.float_stable_eps == 1e-5


def test_group_adagrad_rejects_weight_decay_and_non_2d_weights():
    opt = mx.optimizer.contrib.GroupAdaGrad(wd=0.1)
    w = mx.nd.ones((2, 3))
    state = opt.create_state(0, w)
    assert state.shape == (2, 1)
    with pytest.raises(ValueError, match="weight decay is not supported"):
        opt.update(0, w, mx.nd.ones((2, 3)), state)
    with pytest.raises(ValueError, match="must be 2-D"):
        opt.create_state(1, mx.nd.ones((3,)))


def test_optimizer_star_import_binds_contrib():
    # MXNet 1.9.1's mx.optimizer.__all__ ends with 'contrib'.
    scope = {}
    exec("from minerva.optimizer import *", scope)
    assert scope["contrib"].GroupAdaGrad.__name__ == "GroupAdaGrad"
