"""``mx.contrib.text.vocab.Vocabulary``: token <-> index maps (MXNet 1.x API). Index 0 is the
unknown token, then the reserved tokens in their order, then the counter's keys by decreasing
frequency (ties by increasing key)."""
import collections

from . import _constants as C


class Vocabulary:
    """Indexes the unknown token, `reserved_tokens` and the keys of `counter`.

    counter: a collections.Counter of token frequencies, or None (index only unknown/reserved).
    most_freq_count: at most this many counter keys are indexed (None: no limit; reserved
    tokens do not count). min_freq: the least frequency a key needs to be indexed.
    unknown_token: what every unknown token maps to (index 0).
    reserved_tokens: tokens always indexed (after the unknown token); no duplicates, and not
    `unknown_token`. Tokens may be any hashable objects of one type.
    """

    def __init__(self, counter=None, most_freq_count=None, min_freq=1, unknown_token='<unk>',
                 reserved_tokens=None):
        # MXNet checks these with assert; AssertionError is the exception its users catch.
        assert min_freq > 0, '`min_freq` must be set to a positive value.'
        if reserved_tokens is not None:
            assert unknown_token not in set(reserved_tokens), '`reserved_token` cannot contain `unknown_token`.'
            assert len(set(reserved_tokens)) == len(reserved_tokens), \
                '`reserved_tokens` cannot contain duplicate reserved tokens.'
        self._index_unknown_and_reserved_tokens(unknown_token, reserved_tokens)
        if counter is not None:
            self._index_counter_keys(counter, unknown_token, reserved_tokens, most_freq_count, min_freq)

    def _index_unknown_and_reserved_tokens(self, unknown_token, reserved_tokens):
        self._unknown_token = unknown_token
        self._idx_to_token = [unknown_token]  # so C.UNKNOWN_IDX is 0
        self._reserved_tokens = None if reserved_tokens is None else reserved_tokens[:]  # a tuple stays one
        if reserved_tokens is not None:
            self._idx_to_token.extend(reserved_tokens)
        self._token_to_idx = {token: idx for idx, token in enumerate(self._idx_to_token)}

    def _index_counter_keys(self, counter, unknown_token, reserved_tokens, most_freq_count, min_freq):
        assert isinstance(counter, collections.Counter), '`counter` must be an instance of collections.Counter.'
        special = set(reserved_tokens) if reserved_tokens is not None else set()
        special.add(unknown_token)
        # Two stable sorts: by key, then by decreasing frequency, so equal frequencies keep key order.
        by_freq = sorted(sorted(counter.items(), key=lambda kv: kv[0]), key=lambda kv: kv[1], reverse=True)
        cap = len(special) + (len(counter) if most_freq_count is None else most_freq_count)
        for token, freq in by_freq:
            if freq < min_freq or len(self._idx_to_token) == cap:
                break
            if token not in special:
                self._idx_to_token.append(token)
                self._token_to_idx[token] = len(self._idx_to_token) - 1

    def __len__(self):
        return len(self.idx_to_token)

    @property
    def token_to_idx(self):
        """dict: each indexed token -> its index."""
        return self._token_to_idx

    @property
    def idx_to_token(self):
        """list: the indexed tokens, position = index."""
        return self._idx_to_token

    @property
    def unknown_token(self):
        return self._unknown_token

    @property
    def reserved_tokens(self):
        return self._reserved_tokens

    def to_indices(self, tokens):
        """The index of a token, or the list of indices of a list of tokens (unknown ones -> 0)."""
        single = not isinstance(tokens, list)
        indices = [self.token_to_idx.get(t, C.UNKNOWN_IDX) for t in ([tokens] if single else tokens)]
        return indices[0] if single else indices

    def to_tokens(self, indices):
        """The token of an index, or the list of tokens of a list of indices; ValueError for an index
        that is not an int or is past the last one."""
        single = not isinstance(indices, list)
        max_idx = len(self.idx_to_token) - 1
        tokens = []
        for idx in [indices] if single else indices:
            if not isinstance(idx, int) or idx > max_idx:
                raise ValueError(f'Token index {idx} in the provided `indices` is invalid.')
            tokens.append(self.idx_to_token[idx])
        return tokens[0] if single else tokens
