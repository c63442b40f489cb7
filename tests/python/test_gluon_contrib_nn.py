"""gluon.contrib.nn against MXNet 1.9.1: each block's output on fixed inputs and parameters
(and its repr) equals what tools/golden/make_contrib_nn_golden.py recorded under the oracle."""
import importlib.util
import json
import pathlib

import minerva as mx
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "api" / "contrib_nn.json").read_text())
_spec = importlib.util.spec_from_file_location("make_contrib_nn_golden", ROOT / "tools" / "golden" /
                                               "make_contrib_nn_golden.py")
_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_golden)


@pytest.fixture(scope="module")
def ours():
    return _golden.outcomes(mx)


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_matches_mxnet(ours, key):
    if key == "reprs":
        assert ours[key] == GOLDEN[key]
    else:
        np.testing.assert_allclose(np.array(ours[key]), np.array(GOLDEN[key]), rtol=1e-5, atol=1e-6)


def test_sync_batch_norm_warns_without_num_devices():
    with pytest.warns(UserWarning, match="please mannually set num_devices"):
        mx.gluon.contrib.nn.SyncBatchNorm()


def test_pixel_shuffle_checks_factor_lengths():
    with pytest.raises(AssertionError, match="wrong length 3"):
        mx.gluon.contrib.nn.PixelShuffle2D((1, 2, 3))
