"""``mx.io``: data formats and iterators. This release has the IDX reader (MNIST's format)."""
from .idx import read_idx  # noqa: F401
