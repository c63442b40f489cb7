"""The token vocabulary the WikiText datasets build: MXNet 1.x's ``contrib.text.vocab.Vocabulary``
indexing rules (index 0 is the unknown token, then the reserved tokens, then the counted tokens
by decreasing frequency, ties in code-point order)."""
from __future__ import annotations

import collections
import re

UNKNOWN_IDX = 0


def count_tokens_from_str(source_str, token_delim=" ", seq_delim="\n", to_lower=False, counter_to_update=None):
    """A ``collections.Counter`` of the tokens of ``source_str`` split at either delimiter
    (regular expressions), empty tokens dropped; updates ``counter_to_update`` when given."""
    tokens = [t for t in re.split(token_delim + "|" + seq_delim, source_str) if t]
    if to_lower:
        tokens = [t.lower() for t in tokens]
    if counter_to_update is None:
        return collections.Counter(tokens)
    counter_to_update.update(tokens)
    return counter_to_update


class Vocabulary:
    """Maps tokens to indices and back. ``most_freq_count`` caps the counted tokens kept,
    ``min_freq`` drops rarer ones."""

    def __init__(self, counter=None, most_freq_count=None, min_freq=1, unknown_token="<unk>",
                 reserved_tokens=None):
        if min_freq <= 0:
            raise AssertionError("`min_freq` must be set to a positive value.")
        reserved = list(reserved_tokens) if reserved_tokens is not None else None
        if reserved is not None:
            if unknown_token in reserved:
                raise AssertionError("`reserved_token` cannot contain `unknown_token`.")
            if len(set(reserved)) != len(reserved):
                raise AssertionError("`reserved_tokens` cannot contain duplicate reserved tokens.")
        self._unknown_token = unknown_token
        self._reserved_tokens = reserved
        self._idx_to_token = [unknown_token] + (reserved or [])
        self._token_to_idx = {tok: i for i, tok in enumerate(self._idx_to_token)}
        if counter is not None:
            self._index_counter(counter, most_freq_count, min_freq)

    def _index_counter(self, counter, most_freq_count, min_freq):
        if not isinstance(counter, collections.Counter):
            raise AssertionError("`counter` must be an instance of collections.Counter.")
        special = set(self._idx_to_token)
        cap = len(special) + (len(counter) if most_freq_count is None else most_freq_count)
        # Sorting by token first makes the (stable) frequency sort break ties by token.
        by_freq = sorted(sorted(counter.items(), key=lambda kv: kv[0]), key=lambda kv: kv[1], reverse=True)
        for token, freq in by_freq:
            if freq < min_freq or len(self._idx_to_token) == cap:
                break
            if token not in special:
                self._token_to_idx[token] = len(self._idx_to_token)
                self._idx_to_token.append(token)

    def __len__(self):
        return len(self._idx_to_token)

    @property
    def token_to_idx(self):
        return self._token_to_idx

    @property
    def idx_to_token(self):
        return self._idx_to_token

    @property
    def unknown_token(self):
        return self._unknown_token

    @property
    def reserved_tokens(self):
        return self._reserved_tokens

    def to_indices(self, tokens):
        """Index of a token, or list of indices of a list of tokens (unknown ones map to 0)."""
        single = not isinstance(tokens, list)
        found = [self._token_to_idx.get(t, UNKNOWN_IDX) for t in ([tokens] if single else tokens)]
        return found[0] if single else found

    def to_tokens(self, indices):
        """Token of an index, or list of tokens of a list of indices."""
        single = not isinstance(indices, list)
        tokens = []
        for idx in [indices] if single else indices:
            if not isinstance(idx, int) or not 0 <= idx < len(self._idx_to_token):
                raise ValueError("Token index %r in the provided `indices` is invalid." % (idx,))
            tokens.append(self._idx_to_token[idx])
        return tokens[0] if single else tokens
