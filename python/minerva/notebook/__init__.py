"""``mx.notebook``: MXNet 1.x's Jupyter training charts (``callback``). Its charts need the
``bokeh`` package and its logger ``pandas``; where they are not installed, ``bokeh`` (and
``callback.pd``) are MXNet's ``*_Failed_To_Import`` stand-ins and the classes that need them say
so when created."""
try:
    import bokeh
    import bokeh.io  # noqa: F401
except ImportError:
    class Bokeh_Failed_To_Import:  # noqa: N801 - MXNet's name
        """Stands in for the ``bokeh`` package, which is not installed."""

    bokeh = Bokeh_Failed_To_Import

from . import callback  # noqa: F401,E402
