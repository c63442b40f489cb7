"""``mx.contrib.text.utils``: counting the tokens of a string (MXNet 1.x API)."""
import collections
import re


def count_tokens_from_str(source_str, token_delim=' ', seq_delim='\n', to_lower=False, counter_to_update=None):
    """Counts the tokens of `source_str` into a collections.Counter.

    token_delim, seq_delim: regular expressions separating tokens and sequences (both split the
    string; empty pieces are dropped). to_lower: lower-case the tokens first.
    counter_to_update: a Counter to add the counts to and return; None makes a new one.
    """
    tokens = [t for t in re.split(token_delim + '|' + seq_delim, source_str) if t]
    if to_lower:
        tokens = [t.lower() for t in tokens]
    if counter_to_update is None:
        return collections.Counter(tokens)
    counter_to_update.update(tokens)
    return counter_to_update
