"""Writes tests/golden/api/contrib_text.json: MXNet 1.9.1's mx.contrib.text (token counting,
Vocabulary, GloVe/FastText/CustomEmbedding/CompositeEmbedding) on small embedding files in the
real GloVe and fastText text formats, written by write_files() into a scratch directory laid out
as an embedding_root (glove/, fasttext/), so nothing is downloaded. tests/python/test_contrib_text.py
runs the same outcomes() with Minerva.

Run under the MXNet oracle:
    .oracle-venv/bin/python tools/golden/make_contrib_text_golden.py
"""
import collections
import json
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "api", "contrib_text.json")

# GloVe: "token v1 ... vk" lines; a duplicate token (second vector skipped) and no <unk> line.
GLOVE = ("the 0.1 0.2 0.3 0.4\n"
         "Cat -1.5 2.0 0.25 3.0\n"
         "dog 1 2 3 4\n"
         "the 9 9 9 9\n"
         ", 0.5 -0.5 0.5 -0.5\n")
# fastText .vec: a "count dim" header line first, and a line for the unknown token.
FAST_TEXT = ("4 3\n"
             "cat 0.5 0.25 0.125\n"
             "<unk> -1 -1 -1\n"
             "fish 3.5 2.5 1.5\n"
             "dog 7 8 9\n")
# A custom file with tab delimiters.
CUSTOM = "a\t1\t2\nb\t3\t4\n<pad>\t5\t6\n"

TEXT = " Life is great ! \n life is good . \n Life  is  short \n"


def write_files(root: str) -> dict:
    paths = {"glove": os.path.join(root, "glove", "glove.6B.50d.txt"),
             "fasttext": os.path.join(root, "fasttext", "wiki.simple.vec"),
             "custom": os.path.join(root, "custom.tsv")}
    for key, text in (("glove", GLOVE), ("fasttext", FAST_TEXT), ("custom", CUSTOM)):
        os.makedirs(os.path.dirname(paths[key]), exist_ok=True)
        with open(paths[key], "w", encoding="utf8") as f:
            f.write(text)
    return paths


def _error(fn) -> str:
    try:
        fn()
    except Exception as e:  # noqa: BLE001  (the exception's type is the outcome)
        return type(e).__name__
    return "none"


def _vocab_state(v) -> dict:
    return {"idx_to_token": list(v.idx_to_token), "token_to_idx": sorted(v.token_to_idx.items()),
            "unknown_token": v.unknown_token, "reserved_tokens": v.reserved_tokens, "len": len(v)}


def _embed_state(e) -> dict:
    state = _vocab_state(e)
    state.update(vec_len=e.vec_len, idx_to_vec=e.idx_to_vec.asnumpy().tolist(),
                 dtype=str(e.idx_to_vec.dtype.__name__ if hasattr(e.idx_to_vec.dtype, "__name__")
                           else e.idx_to_vec.dtype))
    return state


def outcomes(mx, root: str) -> dict:
    text = mx.contrib.text
    paths = write_files(root)
    out = {}
    utils = text.utils
    out["count"] = {
        "plain": sorted(utils.count_tokens_from_str(TEXT).items()),
        "lower": sorted(utils.count_tokens_from_str(TEXT, to_lower=True).items()),
        "regex": sorted(utils.count_tokens_from_str("*a*b**a*\n*c*\n", token_delim=r"\*", seq_delim="\n").items()),
        "update": sorted(utils.count_tokens_from_str("x y", counter_to_update=collections.Counter(["x", "z"])).items()),
    }
    counter = utils.count_tokens_from_str(TEXT, to_lower=True)
    V = text.vocab.Vocabulary
    out["vocab"] = {
        "default": _vocab_state(V(counter)),
        "most_freq": _vocab_state(V(counter, most_freq_count=3)),
        "min_freq": _vocab_state(V(counter, min_freq=2, unknown_token="<UNK>", reserved_tokens=["<pad>", "is"])),
        "no_counter": _vocab_state(V(reserved_tokens=["<s>"])),
        "cap_zero": _vocab_state(V(counter, most_freq_count=0)),
    }
    v = V(counter, reserved_tokens=["<pad>"])
    out["vocab_lookup"] = {
        "to_indices": [v.to_indices("life"), v.to_indices(["is", "nope", "<pad>", "<unk>"]), v.to_indices([])],
        "to_tokens": [v.to_tokens(2), v.to_tokens([0, 1, 3])],
        "errors": [_error(lambda: v.to_tokens(len(v))), _error(lambda: v.to_tokens(1.0)),
                   _error(lambda: V(counter, min_freq=0)), _error(lambda: V(reserved_tokens=["<unk>"])),
                   _error(lambda: V(reserved_tokens=["a", "a"])), _error(lambda: V({"a": 1}))],
    }

    E = text.embedding
    glove = E.GloVe(pretrained_file_name="glove.6B.50d.txt", embedding_root=root)
    fast = E.create("fasttext", pretrained_file_name="wiki.simple.vec", embedding_root=root,
                    init_unknown_vec=mx.nd.ones)
    glove_ones = E.create("GloVe", pretrained_file_name="glove.6B.50d.txt", embedding_root=root,
                          init_unknown_vec=mx.nd.ones)
    custom = E.CustomEmbedding(paths["custom"], elem_delim="\t", unknown_token="<pad>")
    small = V(collections.Counter(["dog", "dog", "cat", "fish", "Cat", "the"]), reserved_tokens=["<pad>"])
    glove_vocab = E.GloVe(pretrained_file_name="glove.6B.50d.txt", embedding_root=root, vocabulary=small)
    out["embed"] = {"glove": _embed_state(glove), "fasttext": _embed_state(fast),
                    "glove_ones": _embed_state(glove_ones), "custom": _embed_state(custom),
                    "glove_vocab": _embed_state(glove_vocab)}
    out["lookup"] = {
        "single": glove.get_vecs_by_tokens("dog").asnumpy().tolist(),
        "list": glove.get_vecs_by_tokens(["Cat", "cat", "nope"]).asnumpy().tolist(),
        "lower": glove.get_vecs_by_tokens(["CAT", "Cat", "DOG", "The"], lower_case_backup=True).asnumpy().tolist(),
        "fast_unknown": fast.get_vecs_by_tokens(["zebra", "<unk>"]).asnumpy().tolist(),
    }
    composite = E.CompositeEmbedding(small, [glove, fast])
    composite_one = E.CompositeEmbedding(small, fast)
    out["composite"] = {"two": _embed_state(composite), "one": _embed_state(composite_one)}

    upd = E.GloVe(pretrained_file_name="glove.6B.50d.txt", embedding_root=root)
    held = upd.idx_to_vec
    upd.update_token_vectors("dog", mx.nd.array([0, 0, 0, 1]))
    upd.update_token_vectors(["the", "<unk>"], mx.nd.array([[1, 1, 1, 1], [2, 2, 2, 2]]))
    upd.update_token_vectors([","], mx.nd.array([[5, 5, 5, 5]]))
    out["update"] = {
        "idx_to_vec": upd.idx_to_vec.asnumpy().tolist(),
        "held": held.asnumpy().tolist(),
        "errors": [_error(lambda: upd.update_token_vectors("nope", mx.nd.array([0, 0, 0, 1]))),
                   _error(lambda: upd.update_token_vectors(["dog", "the"], mx.nd.array([0, 0, 0, 1]))),
                   _error(lambda: upd.update_token_vectors("dog", mx.nd.array([0, 0, 1])))],
    }
    names = E.get_pretrained_file_names()
    out["names"] = {"glove": E.get_pretrained_file_names("glove"),
                    "fasttext": E.get_pretrained_file_names("fasttext"),
                    "all_keys": sorted(names),
                    "errors": [_error(lambda: E.get_pretrained_file_names("word2vec")),
                               _error(lambda: E.GloVe(pretrained_file_name="glove.7B.txt", embedding_root=root)),
                               _error(lambda: E.create("nonesuch")),
                               _error(lambda: E.CustomEmbedding(os.path.join(root, "absent.txt")))]}
    return out


def main() -> None:
    import mxnet as mx
    import mxnet.contrib.text  # noqa: F401  (mx.contrib does not import it)
    import mxnet.gluon.utils
    # MXNet re-downloads a local file whose SHA-1 is not the published one's; these small files are
    # stand-ins, so the check is waved through (Minerva does not check, having nothing to download).
    mxnet.gluon.utils.check_sha1 = lambda filename, sha1_hash: True
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with tempfile.TemporaryDirectory() as root:
        result = outcomes(mx, root)
    with open(OUT, "w") as f:
        json.dump(result, f, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
