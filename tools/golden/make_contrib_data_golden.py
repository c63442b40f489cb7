"""Writes tests/golden/api/contrib_data.json: MXNet 1.9.1's gluon.contrib.data on fixed input:
IntervalSampler orders, and WikiText2/WikiText103 read from small files in WikiText's format
(written here into a temporary directory; the oracle's SHA-1 check is switched off so it reads
them instead of downloading): samples, vocabulary, frequencies, lengths.
tests/python/test_contrib_data.py runs the same outcomes() with Minerva.

Run under the MXNet oracle:
    .oracle-venv/bin/python tools/golden/make_contrib_data_golden.py
"""
import json
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "api", "contrib_data.json")

# WikiText's layout: " = Title = " headings, blank lines, tokens split by spaces, @-@ joins.
WIKI = {
    "wiki.train.tokens": " \n = Valkyria Chronicles = \n \n Senjō no Valkyria 3 : the game is a tactical role @-@ "
                         "playing game . \n \n = = Gameplay = = \n \n the game is played in turns , the "
                         "player moves units . \n the <unk> units move . \n",
    "wiki.valid.tokens": " \n = Homarus = \n \n the lobster is a game of turns . \n",
    "wiki.test.tokens": " \n = Robert = \n \n Robert is a player , the player moves . \n new words here . \n",
}


def write_wikitext(root):
    os.makedirs(root, exist_ok=True)
    for name, text in WIKI.items():
        with open(os.path.join(root, name), "w", encoding="utf8") as f:
            f.write(text)


def _dataset_summary(ds):
    return {"len": len(ds),
            "samples": [[ds[i][0].asnumpy().tolist(), ds[i][1].asnumpy().tolist()] for i in range(len(ds))],
            "idx_to_token": list(ds.vocabulary.idx_to_token),
            "frequencies": sorted(ds.frequencies.items()) if ds.frequencies else None}


def outcomes(mx, root) -> dict:
    cdata = mx.gluon.contrib.data
    out = {}
    for length, interval in [(13, 3), (7, 7), (5, 1), (10, 4)]:
        for rollover in (True, False):
            s = cdata.IntervalSampler(length, interval, rollover=rollover)
            out["interval_%d_%d_%s" % (length, interval, rollover)] = [list(s), len(s)]
    write_wikitext(os.path.join(root, "wikitext-2"))
    write_wikitext(os.path.join(root, "wikitext-103"))
    train = cdata.text.WikiText2(root=os.path.join(root, "wikitext-2"), segment="train", seq_len=5)
    out["wikitext2_train"] = _dataset_summary(train)
    valid = cdata.text.WikiText2(root=os.path.join(root, "wikitext-2"), segment="validation",
                                 vocab=train.vocabulary, seq_len=4)
    out["wikitext2_valid_shared_vocab"] = _dataset_summary(valid)
    test = cdata.text.WikiText103(root=os.path.join(root, "wikitext-103"), segment="test", seq_len=3)
    out["wikitext103_test"] = _dataset_summary(test)
    out["wikitext103_default_seq_len"] = len(cdata.text.WikiText103(root=os.path.join(root, "wikitext-103")))
    return out


def main() -> None:
    import mxnet as mx
    import mxnet.gluon.contrib.data.text as mx_text
    mx_text.check_sha1 = lambda path, sha1: True  # our files stand in for the real corpus
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with tempfile.TemporaryDirectory() as root:
        result = outcomes(mx, root)
    with open(OUT, "w") as f:
        json.dump(result, f, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
