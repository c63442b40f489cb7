"""gluon.contrib.data against MXNet 1.9.1: IntervalSampler orders and WikiText2/WikiText103 read
from files in WikiText's format equal what tools/golden/make_contrib_data_golden.py recorded under
the oracle; missing files are an error naming them (nothing is downloaded)."""
import importlib.util
import json
import pathlib
import zipfile

import numpy as np
import pytest

import minerva as mx

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "api" / "contrib_data.json").read_text())
_spec = importlib.util.spec_from_file_location("make_contrib_data_golden",
                                               ROOT / "tools" / "golden" / "make_contrib_data_golden.py")
_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_golden)


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    return json.loads(json.dumps(_golden.outcomes(mx, str(tmp_path_factory.mktemp("wiki")))))


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_matches_mxnet(ours, key):
    assert ours[key] == GOLDEN[key]


def test_samples_are_int32_ndarrays(tmp_path):
    _golden.write_wikitext(str(tmp_path))
    ds = mx.gluon.contrib.data.text.WikiText2(root=str(tmp_path), seq_len=5)
    data, label = ds[0]
    assert isinstance(data, mx.nd.NDArray) and data.dtype == np.int32 and data.shape == (5,)
    np.testing.assert_array_equal(data.asnumpy()[1:], label.asnumpy()[:-1])
    loader = mx.gluon.data.DataLoader(ds, batch_size=2, sampler=mx.gluon.contrib.data.IntervalSampler(len(ds), 2),
                                      last_batch="discard")
    assert next(iter(loader))[0].shape == (2, 5)


def test_missing_files_name_what_is_expected(tmp_path):
    with pytest.raises(OSError, match=r"WikiText103: cannot find wiki\.valid\.tokens .*wikitext-103-v1\.zip.*"
                                      r"never downloads"):
        mx.gluon.contrib.data.text.WikiText103(root=str(tmp_path), segment="validation")


def test_archive_in_root_is_extracted(tmp_path):
    with zipfile.ZipFile(tmp_path / "wikitext-2-v1.zip", "w") as zf:
        for name, text in _golden.WIKI.items():
            zf.writestr("wikitext-2/" + name, text)
    ds = mx.gluon.contrib.data.text.WikiText2(root=str(tmp_path), segment="test", seq_len=3)
    assert (tmp_path / "wiki.test.tokens").is_file()
    assert len(ds) == GOLDEN["wikitext103_test"]["len"]


def test_bad_segment_and_seq_len(tmp_path):
    _golden.write_wikitext(str(tmp_path))
    with pytest.raises(KeyError, match="segment must be one of test, train, validation; got 'valid'"):
        mx.gluon.contrib.data.text.WikiText2(root=str(tmp_path), segment="valid")
    with pytest.raises(ValueError, match="seq_len must be a positive integer; got 0"):
        mx.gluon.contrib.data.text.WikiText2(root=str(tmp_path), seq_len=0)


def test_interval_sampler_bounds():
    with pytest.raises(AssertionError, match="Interval 5 must be smaller than or equal to length 4"):
        mx.gluon.contrib.data.IntervalSampler(4, 5)
    with pytest.raises(ValueError, match="interval must be a positive integer; got 0"):
        mx.gluon.contrib.data.IntervalSampler(4, 0)
