"""AMP's operator tables per target dtype (``symbol_fp16``; ``symbol_bf16`` for reference)."""
from . import symbol_bf16, symbol_fp16  # noqa: F401
