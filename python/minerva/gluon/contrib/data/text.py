"""WikiText-2 and WikiText-103 (MXNet 1.x's ``gluon.contrib.data.text``) read from local files.

Nothing is downloaded: ``root`` must hold the segment's ``wiki.<segment>.tokens`` file, or the
archive (``wikitext-2-v1.zip`` / ``wikitext-103-v1.zip``) it is then extracted from. Without
either the error names the files and the directories searched."""
from __future__ import annotations

import os
import shutil
import zipfile

import numpy as np

from .... import base
from .... import ndarray as nd
from ....base import MinervaIOError
from ...data import dataset
from ...data.vision.datasets import _search_dirs
from ....contrib import text  # noqa: F401  (MXNet's module imports mx.contrib.text as text)
from ....contrib.text.utils import count_tokens_from_str
from ....contrib.text.vocab import Vocabulary
from ...utils import check_sha1, download  # noqa: F401  (MXNet's namespace; nothing is downloaded here)
from . import _constants as C

__all__ = ["WikiText2", "WikiText103"]

EOS_TOKEN = C.EOS_TOKEN
_MAX_EXTRACTED_BYTES = 1 << 30  # WikiText-103 unpacks to about 540 MB
# MXNet's default roots ($MXNET_HOME/datasets/...), computed once at import as MXNet's are.
_WIKITEXT2_ROOT = os.path.join(base.data_dir(), "datasets", "wikitext-2")
_WIKITEXT103_ROOT = os.path.join(base.data_dir(), "datasets", "wikitext-103")
_SEGMENT_FILES = {"train": "wiki.train.tokens", "validation": "wiki.valid.tokens", "test": "wiki.test.tokens"}


class _LanguageModelDataset(dataset.Dataset):
    def __init__(self, root, namespace, vocabulary):
        self._vocab = vocabulary
        self._counter = None
        self._namespace = namespace
        self._dirs = _search_dirs(root, namespace)
        self._root = self._dirs[0]
        self._get_data()

    @property
    def vocabulary(self):
        """The Vocabulary indexing this data (built from the segment's text unless given)."""
        return self._vocab

    @property
    def frequencies(self):
        """A ``collections.Counter`` of the segment's tokens (None when a vocabulary was given)."""
        return self._counter

    def _build_vocab(self, content):
        if not self._counter:
            self._counter = count_tokens_from_str(content)
        if not self._vocab:
            self._vocab = Vocabulary(counter=self.frequencies, reserved_tokens=[EOS_TOKEN])


class _WikiText(_LanguageModelDataset):
    def __init__(self, root, namespace, archive, segment, vocab, seq_len):
        if segment not in _SEGMENT_FILES:
            raise KeyError("%s: segment must be one of %s; got %r"
                           % (type(self).__name__, ", ".join(sorted(_SEGMENT_FILES)), segment))
        if not isinstance(seq_len, int) or seq_len < 1:
            raise ValueError("%s: seq_len must be a positive integer; got %r" % (type(self).__name__, seq_len))
        self._archive = archive
        self._segment = segment
        self._seq_len = seq_len
        super().__init__(root, namespace, vocab)

    def _locate(self) -> str:
        wanted = _SEGMENT_FILES[self._segment]
        for d in self._dirs:
            path = os.path.join(d, wanted)
            if os.path.isfile(path):
                return path
            archive = os.path.join(d, self._archive)
            if os.path.isfile(archive):
                return self._extract(archive, d, wanted)
        raise MinervaIOError("%s: cannot find %s (or the archive %s); looked in: %s. Minerva never downloads "
                             "data: put WikiText's wiki.train.tokens, wiki.valid.tokens and wiki.test.tokens "
                             "there." % (type(self).__name__, wanted, self._archive, ", ".join(self._dirs)))

    @staticmethod
    def _extract(archive, directory, wanted) -> str:
        # MXNet flattens the archive's folders into root; so does this. zipfile stops each member at
        # the size its header declares (and checks its CRC), so the declared sizes bound the output:
        # they are checked first, against the largest WikiText archive's content (about 540 MB).
        with zipfile.ZipFile(archive, "r") as zf:
            declared = sum(info.file_size for info in zf.infolist())
            if declared > _MAX_EXTRACTED_BYTES:
                raise MinervaIOError("%s: its members declare %d bytes in all, more than a WikiText archive holds "
                                     "(%d); not extracting it" % (archive, declared, _MAX_EXTRACTED_BYTES))
            for member in zf.namelist():
                name = os.path.basename(member)
                if name:
                    with zf.open(member) as src, open(os.path.join(directory, name), "wb") as dst:
                        shutil.copyfileobj(src, dst)
        path = os.path.join(directory, wanted)
        if not os.path.isfile(path):
            raise MinervaIOError("%s holds no %s" % (archive, wanted))
        return path

    def _read_batch(self, filename):
        with open(filename, "r", encoding="utf8") as fin:
            content = fin.read()
        self._build_vocab(content)
        lines = [line.strip().split() for line in content.splitlines()]
        tokens = [tok for line in lines if line for tok in line + [EOS_TOKEN]]
        indices = self.vocabulary.to_indices(tokens)
        return np.array(indices[:-1], dtype=np.int32), np.array(indices[1:], dtype=np.int32)

    def _get_data(self):
        data, label = self._read_batch(self._locate())
        # Whole sequences only, as MXNet 1.9.1 (the tail shorter than seq_len is dropped).
        usable = len(data) // self._seq_len * self._seq_len
        self._data = nd.array(data[:usable], dtype=np.int32).reshape((-1, self._seq_len))
        self._label = nd.array(label[:usable], dtype=np.int32).reshape((-1, self._seq_len))

    def __getitem__(self, idx):
        return self._data[idx], self._label[idx]

    def __len__(self):
        return len(self._label)


class WikiText2(_WikiText):
    """WikiText-2 word-level language-modelling data: each sample is ``(data, label)``, two
    int32 vectors of ``seq_len`` token indices, the label shifted one token ahead; every line
    ends with ``<eos>``. ``segment`` is 'train', 'validation' or 'test'; ``vocab`` a Vocabulary
    to index with (built from the segment when None)."""

    def __init__(self, root=_WIKITEXT2_ROOT, segment="train", vocab=None,
                 seq_len=35):
        super().__init__(root, "wikitext-2", "wikitext-2-v1.zip", segment, vocab, seq_len)


class WikiText103(_WikiText):
    """WikiText-103: as WikiText2, from the larger corpus."""

    def __init__(self, root=_WIKITEXT103_ROOT, segment="train", vocab=None,
                 seq_len=35):
        super().__init__(root, "wikitext-103", "wikitext-103-v1.zip", segment, vocab, seq_len)
