"""Every generated operator function by its registry name, ``_``-prefixed ones included (MXNet's
``mx.nd._internal``); filled when ``mx.nd`` is imported."""
