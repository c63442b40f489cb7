"""rpy2 starts R when rpy2.robjects is first imported and, on the way, prepends R's library
directories (and the system's) to LD_LIBRARY_PATH in os.environ. R is loaded by then and needs
the variable no more, but every Python started later by a test in the same pytest session
inherits it and loads the system's libraries in place of its own (_ssl fails with "undefined
symbol"). So R is started here, once, and the variable is put back as it was."""
import os

_saved = os.environ.get("LD_LIBRARY_PATH")
try:
    import rpy2.robjects  # noqa: F401
except Exception:  # rpy2 or R missing: the R tests skip themselves
    pass
if _saved is None:
    os.environ.pop("LD_LIBRARY_PATH", None)
else:
    os.environ["LD_LIBRARY_PATH"] = _saved
