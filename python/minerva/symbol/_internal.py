"""Every generated operator function by its registry name, ``_``-prefixed ones included (MXNet's
``mx.sym._internal``); filled when ``mx.sym`` is imported."""
