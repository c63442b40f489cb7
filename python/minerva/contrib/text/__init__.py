"""``mx.contrib.text``: token counting, vocabularies and token embeddings (MXNet 1.x API)."""
from . import utils  # noqa: F401
from . import vocab  # noqa: F401
from . import embedding  # noqa: F401
