"""mx.contrib.text against MXNet 1.9.1: tools/golden/make_contrib_text_golden.py ran outcomes()
with the oracle on small files in the GloVe and fastText text formats; this runs it with Minerva
on the same files and compares. Also: a missing pre-trained file is an error naming its path
(Minerva never downloads), and registering a custom embedding."""
import importlib.util
import json
import os
import warnings

import numpy as np
import pytest

import minerva as mx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = os.path.join(ROOT, "tests", "golden", "api", "contrib_text.json")


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_contrib_text_golden", os.path.join(ROOT, "tools", "golden", "make_contrib_text_golden.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    with open(GOLDEN) as f:
        expected = json.load(f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the duplicate-token and header warnings, checked below
        got = json.loads(json.dumps(_generator().outcomes(mx, str(tmp_path_factory.mktemp("embeddings")))))
    return expected, got


@pytest.mark.parametrize("section", ["count", "vocab", "vocab_lookup", "names"])
def test_exact_sections_match_mxnet(pair, section):
    expected, got = pair
    assert got[section] == expected[section]


def _numeric(value) -> bool:
    """A (nested) list of floats: vectors, compared with a tolerance."""
    if isinstance(value, list):
        return bool(value) and all(_numeric(v) for v in value)
    return isinstance(value, float)


def _close(got, expected, where=""):
    if isinstance(expected, dict):
        assert sorted(got) == sorted(expected), where
        for key in expected:
            _close(got[key], expected[key], f"{where}/{key}")
    elif _numeric(expected):
        np.testing.assert_allclose(np.array(got, dtype=np.float64), np.array(expected, dtype=np.float64),
                                   rtol=1e-6, err_msg=where)
    else:
        assert got == expected, where


@pytest.mark.parametrize("section", ["embed", "lookup", "composite", "update"])
def test_embeddings_match_mxnet(pair, section):
    expected, got = pair
    _close(got[section], expected[section], section)


def test_missing_pretrained_file_names_the_expected_path(tmp_path):
    emb = mx.contrib.text.embedding
    expected = os.path.join(str(tmp_path), "glove", "glove.6B.100d.txt")
    with pytest.raises(FileNotFoundError, match="does not download") as info:
        emb.GloVe(pretrained_file_name="glove.6B.100d.txt", embedding_root=str(tmp_path))
    assert expected in str(info.value)
    with pytest.raises(FileNotFoundError, match=os.path.join("fasttext", "wiki.en.vec")):
        emb.create("FastText", pretrained_file_name="wiki.en.vec", embedding_root=str(tmp_path))
    assert not os.path.exists(os.path.join(str(tmp_path), "glove"))  # nothing fetched, nothing created


def test_loading_warns_about_duplicates_and_headers(tmp_path):
    paths = _generator().write_files(str(tmp_path))
    with pytest.warns(UserWarning, match="line 4 .*token the has been loaded"):
        mx.contrib.text.embedding.CustomEmbedding(paths["glove"])
    with pytest.warns(UserWarning, match="line 1 .*likely a header"):
        mx.contrib.text.embedding.CustomEmbedding(paths["fasttext"])


def test_bad_files_are_errors(tmp_path):
    emb = mx.contrib.text.embedding
    ragged = tmp_path / "ragged.txt"
    ragged.write_text("a 1 2\nb 1 2 3\n")
    with pytest.raises(AssertionError, match="dimension of token b is 3"):
        emb.CustomEmbedding(str(ragged))
    lonely = tmp_path / "lonely.txt"
    lonely.write_text("a\n")
    with pytest.raises(AssertionError, match="line 1 .*unexpected"):
        emb.CustomEmbedding(str(lonely))
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(ValueError, match="holds no token vectors"):
        emb.CustomEmbedding(str(empty))


def test_register_and_create_a_custom_embedding(tmp_path):
    emb = mx.contrib.text.embedding
    path = _generator().write_files(str(tmp_path))["custom"]

    @emb.register
    class TabbedTest(emb._TokenEmbedding):
        pretrained_file_name_sha1 = {"custom.tsv": None}

        def __init__(self, pretrained_file_name="custom.tsv"):
            super().__init__()
            self._load_embedding(path, "\t", mx.nd.zeros)

    made = emb.create("tabbedtest")
    assert isinstance(made, TabbedTest) and made.idx_to_token == ["<unk>", "a", "b", "<pad>"]
    assert emb.get_pretrained_file_names("tabbedtest") == ["custom.tsv"]
    np.testing.assert_array_equal(made.get_vecs_by_tokens("<pad>").asnumpy(), [5, 6])


def test_reserved_tokens_keep_their_sequence_type():
    # MXNet 1.9.1 stores a slice of reserved_tokens: a tuple stays a tuple (JSON goldens cannot tell).
    v = mx.contrib.text.vocab.Vocabulary(reserved_tokens=("<pad>", "<s>"))
    assert v.reserved_tokens == ("<pad>", "<s>") and v.idx_to_token == ["<unk>", "<pad>", "<s>"]
