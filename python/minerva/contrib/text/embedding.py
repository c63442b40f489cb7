"""``mx.contrib.text.embedding``: token embeddings (MXNet 1.x API). GloVe and FastText read the
real text formats ("token v1 v2 ..." per line; fastText's "count dim" header line is skipped)
from ``<embedding_root>/<glove|fasttext>/<pretrained_file_name>``. Minerva never downloads:
when the file is not there, the error names the path to put it at. CustomEmbedding reads any
file of that shape; CompositeEmbedding concatenates embeddings over a Vocabulary."""
import io
import logging
import os
import warnings

import numpy as np

from ... import base  # noqa: F401  (MXNet's module exports it)
from ... import ndarray as nd
from ... import registry
from ...util import is_np_array  # noqa: F401  (always False in Minerva; MXNet's module exports it)
from . import _constants as C
from . import vocab


def register(embedding_cls):
    """Registers a _TokenEmbedding subclass (usable as a class decorator) so create() finds it by
    its lower-cased class name."""
    return registry.get_register_func(_TokenEmbedding, 'token embedding')(embedding_cls)


def create(embedding_name, **kwargs):
    """An instance of the token embedding registered as `embedding_name` (case-insensitive),
    built with kwargs (e.g. pretrained_file_name, embedding_root, vocabulary)."""
    if isinstance(embedding_name, str):
        # MXNet's registry asserts here; AssertionError is what its callers see.
        assert embedding_name.lower() in registry.get_registry(_TokenEmbedding), \
            f'{embedding_name} is not registered. Please register with token embedding.register first'
    return registry.get_create_func(_TokenEmbedding, 'token embedding')(embedding_name, **kwargs)


def get_pretrained_file_names(embedding_name=None):
    """The pretrained_file_name values `embedding_name` accepts (a list), or for None a dict of
    every registered embedding name -> that list. KeyError for an unknown name."""
    embeddings = registry.get_registry(_TokenEmbedding)
    if embedding_name is None:
        return {name: list(cls.pretrained_file_name_sha1.keys()) for name, cls in embeddings.items()}
    if embedding_name not in embeddings:
        raise KeyError(f'Cannot find `embedding_name` {embedding_name}. Use `get_pretrained_file_names('
                       'embedding_name=None).keys()` to get all the valid embedding names.')
    return list(embeddings[embedding_name].pretrained_file_name_sha1.keys())


class _TokenEmbedding(vocab.Vocabulary):
    """Base of the token embeddings: a Vocabulary plus `idx_to_vec` (an NDArray of shape
    (len(self), vec_len), row i the vector of token i). Row 0 is the unknown token's vector: the
    file's vector for `unknown_token` if the file has one, else init_unknown_vec(shape=vec_len).
    A token seen twice in a file keeps its first vector (a warning names the line)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    @classmethod
    def _get_pretrained_file(cls, embedding_root, pretrained_file_name):
        """The local path of a pre-trained file; Minerva does not download, so it must exist."""
        path = os.path.join(os.path.expanduser(embedding_root), cls.__name__.lower(), pretrained_file_name)
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f'{cls.__name__}: pre-trained embedding file {pretrained_file_name!r} not found at {path}. '
                'Minerva does not download embeddings: put the (unpacked) file there, or pass embedding_root '
                'for the directory that holds <embedding name>/<file>.')
        return path

    def _load_embedding(self, pretrained_file_path, elem_delim, init_unknown_vec, encoding='utf8'):
        pretrained_file_path = os.path.expanduser(pretrained_file_path)
        if not os.path.isfile(pretrained_file_path):
            raise ValueError('`pretrained_file_path` must be a valid path to the pre-trained token embedding file.')
        logging.info('Loading pre-trained token embedding vectors from %s', pretrained_file_path)
        vec_len = None
        rows = []  # row 0 is kept for the unknown token
        seen = set()
        loaded_unknown_vec = None
        with io.open(pretrained_file_path, 'r', encoding=encoding) as f:
            for line_num, line in enumerate(f, start=1):
                elems = line.rstrip().split(elem_delim)
                assert len(elems) > 1, (f'At line {line_num} of the pre-trained text embedding file: the data '
                                        f'format of the pre-trained token embedding file {pretrained_file_path} '
                                        'is unexpected.')
                token, values = elems[0], [float(v) for v in elems[1:]]
                if token == self.unknown_token and loaded_unknown_vec is None:
                    loaded_unknown_vec = values
                    seen.add(token)
                elif token in seen:
                    warnings.warn(f'At line {line_num} of the pre-trained token embedding file: the embedding vector '
                                  f'for token {token} has been loaded and a duplicate embedding for the same token '
                                  'is seen and skipped.', stacklevel=3)
                elif len(values) == 1:
                    warnings.warn(f'At line {line_num} of the pre-trained text embedding file: token {token} with '
                                  f'1-dimensional vector {values} is likely a header and is skipped.', stacklevel=3)
                else:
                    if vec_len is None:
                        vec_len = len(values)
                        rows.append([0.0] * vec_len)
                    else:
                        assert len(values) == vec_len, (
                            f'At line {line_num} of the pre-trained token embedding file: the dimension of token '
                            f'{token} is {len(values)} but the dimension of previous tokens is {vec_len}. '
                            'Dimensions of all the tokens must be the same.')
                    rows.append(values)
                    self._idx_to_token.append(token)
                    self._token_to_idx[token] = len(self._idx_to_token) - 1
                    seen.add(token)
        if vec_len is None:
            raise ValueError(f'The pre-trained token embedding file {pretrained_file_path} holds no token vectors.')
        self._vec_len = vec_len
        self._idx_to_vec = nd.array(np.asarray(rows, dtype=np.float32))
        if loaded_unknown_vec is None:
            self._idx_to_vec[C.UNKNOWN_IDX] = init_unknown_vec(shape=self.vec_len)
        else:
            self._idx_to_vec[C.UNKNOWN_IDX] = nd.array(loaded_unknown_vec)

    def _index_tokens_from_vocabulary(self, vocabulary):
        self._token_to_idx = vocabulary.token_to_idx.copy()
        self._idx_to_token = vocabulary.idx_to_token[:]
        self._unknown_token = vocabulary.unknown_token
        self._reserved_tokens = None if vocabulary.reserved_tokens is None else vocabulary.reserved_tokens[:]

    def _set_idx_to_vec_by_embeddings(self, token_embeddings, vocab_len, vocab_idx_to_token):
        """idx_to_vec for the tokens vocab_idx_to_token: each embedding's vectors, side by side;
        row 0 takes each embedding's own unknown vector."""
        blocks = []
        for embed in token_embeddings:
            block = np.empty((vocab_len, embed.vec_len), dtype=np.float32)
            block[0] = embed.idx_to_vec[0].asnumpy()
            if vocab_len > 1:
                block[1:] = embed.get_vecs_by_tokens(list(vocab_idx_to_token[1:])).asnumpy()
            blocks.append(block)
        self._vec_len = sum(embed.vec_len for embed in token_embeddings)
        self._idx_to_vec = nd.array(np.concatenate(blocks, axis=1))

    def _build_embedding_for_vocabulary(self, vocabulary):
        if vocabulary is not None:
            assert isinstance(vocabulary, vocab.Vocabulary), \
                'The argument `vocabulary` must be an instance of mxnet.contrib.text.vocab.Vocabulary.'
            self._set_idx_to_vec_by_embeddings([self], len(vocabulary), vocabulary.idx_to_token)
            self._index_tokens_from_vocabulary(vocabulary)

    @property
    def vec_len(self):
        return self._vec_len

    @property
    def idx_to_vec(self):
        return self._idx_to_vec

    def get_vecs_by_tokens(self, tokens, lower_case_backup=False):
        """The vector of a token (1-D NDArray of vec_len), or of a list of tokens (2-D); unknown
        tokens get row 0. lower_case_backup: a token not found is looked up lower-cased too."""
        single = not isinstance(tokens, list)
        tokens = [tokens] if single else tokens
        if lower_case_backup:
            indices = [self.token_to_idx[t] if t in self.token_to_idx
                       else self.token_to_idx.get(t.lower(), C.UNKNOWN_IDX) for t in tokens]
        else:
            indices = [self.token_to_idx.get(t, C.UNKNOWN_IDX) for t in tokens]
        vecs = nd.Embedding(nd.array(indices), self.idx_to_vec, self.idx_to_vec.shape[0], self.idx_to_vec.shape[1])
        return vecs[0] if single else vecs

    def update_token_vectors(self, tokens, new_vectors):
        """Writes new_vectors (NDArray, one row per token; 1-D allowed for a single token) into
        idx_to_vec for tokens. Unknown tokens are an error (name `unknown_token` to update row 0)."""
        assert self.idx_to_vec is not None, 'The property `idx_to_vec` has not been properly set.'
        if not isinstance(tokens, list) or len(tokens) == 1:
            assert isinstance(new_vectors, nd.NDArray) and len(new_vectors.shape) in [1, 2], \
                '`new_vectors` must be a 1-D or 2-D NDArray if `tokens` is a singleton.'
            if not isinstance(tokens, list):
                tokens = [tokens]
            if len(new_vectors.shape) == 1:
                new_vectors = new_vectors.expand_dims(0)
        else:
            assert isinstance(new_vectors, nd.NDArray) and len(new_vectors.shape) == 2, \
                '`new_vectors` must be a 2-D NDArray if `tokens` is a list of multiple strings.'
        assert new_vectors.shape == (len(tokens), self.vec_len), \
            'The length of new_vectors must be equal to the number of tokens and the width of' \
            'new_vectors must be equal to the dimension of embeddings of the glossary.'
        indices = []
        for token in tokens:
            if token not in self.token_to_idx:
                raise ValueError(f'Token {token} is unknown. To update the embedding vector for an unknown token, '
                                 f'please specify it explicitly as the `unknown_token` '
                                 f'{self.idx_to_token[C.UNKNOWN_IDX]} in `tokens`. This is to avoid unintended '
                                 'updates.')
            indices.append(self.token_to_idx[token])
        # Written in place, so NDArrays already holding idx_to_vec see the update, as in MXNet.
        table = self._idx_to_vec.asnumpy()
        table[indices] = new_vectors.asnumpy()
        self._idx_to_vec[:] = table

    @classmethod
    def _check_pretrained_file_names(cls, pretrained_file_name):
        name = cls.__name__.lower()
        if pretrained_file_name not in cls.pretrained_file_name_sha1:
            raise KeyError(f'Cannot find pretrained file {pretrained_file_name} for token embedding {name}. Valid '
                           f'pretrained files for embedding {name}: '
                           f'{", ".join(cls.pretrained_file_name_sha1.keys())}')


_DEFAULT_ROOT = os.path.join(base.data_dir(), 'embeddings')


@register
class GloVe(_TokenEmbedding):
    """The GloVe embedding (https://nlp.stanford.edu/projects/glove/), read from
    `embedding_root`/glove/`pretrained_file_name` (space-separated text). init_unknown_vec builds
    the unknown token's vector; vocabulary, when given, is what gets indexed (else every token of
    the file)."""

    pretrained_archive_name_sha1 = C.GLOVE_ARCHIVE_SHA1
    pretrained_file_name_sha1 = C.GLOVE_FILE_SHA1

    def __init__(self, pretrained_file_name='glove.840B.300d.txt', embedding_root=_DEFAULT_ROOT,
                 init_unknown_vec=nd.zeros, vocabulary=None, **kwargs):
        GloVe._check_pretrained_file_names(pretrained_file_name)
        super().__init__(**kwargs)
        self._load_embedding(GloVe._get_pretrained_file(embedding_root, pretrained_file_name), ' ', init_unknown_vec)
        if vocabulary is not None:
            self._build_embedding_for_vocabulary(vocabulary)


@register
class FastText(_TokenEmbedding):
    """The fastText embedding (https://fasttext.cc/), read from
    `embedding_root`/fasttext/`pretrained_file_name` (a .vec file: its "count dim" header line is
    skipped). Other arguments as GloVe's."""

    pretrained_file_name_sha1 = C.FAST_TEXT_FILE_SHA1

    def __init__(self, pretrained_file_name='wiki.simple.vec', embedding_root=_DEFAULT_ROOT,
                 init_unknown_vec=nd.zeros, vocabulary=None, **kwargs):
        FastText._check_pretrained_file_names(pretrained_file_name)
        super().__init__(**kwargs)
        self._load_embedding(FastText._get_pretrained_file(embedding_root, pretrained_file_name), ' ',
                             init_unknown_vec)
        if vocabulary is not None:
            self._build_embedding_for_vocabulary(vocabulary)


class CustomEmbedding(_TokenEmbedding):
    """An embedding read from `pretrained_file_path`: one "token<elem_delim>v1<elem_delim>v2..."
    line per token, in `encoding`. Other arguments as GloVe's."""

    def __init__(self, pretrained_file_path, elem_delim=' ', encoding='utf8', init_unknown_vec=nd.zeros,
                 vocabulary=None, **kwargs):
        super().__init__(**kwargs)
        self._load_embedding(pretrained_file_path, elem_delim, init_unknown_vec, encoding)
        if vocabulary is not None:
            self._build_embedding_for_vocabulary(vocabulary)


class CompositeEmbedding(_TokenEmbedding):
    """The tokens of `vocabulary`, each with the concatenation of its vectors in `token_embeddings`
    (one _TokenEmbedding or a list)."""

    def __init__(self, vocabulary, token_embeddings):
        assert isinstance(vocabulary, vocab.Vocabulary), \
            'The argument `vocabulary` must be an instance of mxnet.contrib.text.indexer.Vocabulary.'
        if not isinstance(token_embeddings, list):
            token_embeddings = [token_embeddings]
        for embed in token_embeddings:
            assert isinstance(embed, _TokenEmbedding), \
                'The argument `token_embeddings` must be an instance or a list of instances of ' \
                '`mxnet.contrib.text.embedding.TextEmbedding` whose embedding vectors will be loaded or ' \
                'concatenated-then-loaded to map to the indexed tokens.'
        self._index_tokens_from_vocabulary(vocabulary)
        self._set_idx_to_vec_by_embeddings(token_embeddings, len(self), self.idx_to_token)
