"""``mx.profiler``: MXNet 1.x's profiler. While it runs, the engine records every operator it
executes (name, start, duration, thread, input shapes); ``Domain``/``Task``/``Frame``/``Event``/
``Counter``/``Marker`` add your own intervals, values and instants. ``dump()`` writes a Chrome
trace JSON file that chrome://tracing and https://ui.perfetto.dev open; ``dumps()`` returns the
aggregate statistics as MXNet's table or JSON. ``scope`` (from MXNet 2) prefixes the names of
the operators called inside it. docs/profiler.md has a walk-through.

As MXNet's module, this one has no ``__all__``."""
from __future__ import annotations

import contextlib
import contextvars
import warnings

from ._capi import ffi, lib
from .base import MinervaKeyError, MinervaUnsupportedError, check_call, py_str  # noqa: F401

# MXNet passes a kvstore handle so that a distributed server can be profiled; Minerva's kvstore
# has no server process, so the handle is kept for compatibility only.
profiler_kvstore_handle = None

_STATES = {"stop": 0, "run": 1}
_FORMATS = {"table": 0, "json": 1}
_SORT_BY = {"total": 0, "avg": 1, "min": 2, "max": 3, "count": 4}
_KIND_TASK, _KIND_FRAME, _KIND_EVENT, _KIND_COUNTER = 0, 1, 2, 3


def set_kvstore_handle(handle):
    """Sets the kvstore whose server process ``profile_process='server'`` would profile."""
    global profiler_kvstore_handle
    profiler_kvstore_handle = handle


def _check_process(profile_process, func: str) -> None:
    if profile_process == "worker":
        return
    if profile_process == "server":
        raise MinervaUnsupportedError(f"profiler.{func}: profile_process='server' profiles a distributed kvstore's "
                                      "server; Minerva's kvstore has no server process")
    raise MinervaKeyError(f"profiler.{func}: profile_process {profile_process!r} is not one of 'worker', 'server'")


def set_config(**kwargs):
    """Configures the profiler (keyword arguments only).

    Parameters
    ----------
    filename : string
        the trace file ``dump`` writes (default ``'profile.json'``)
    profile_all : boolean
        profile everything (default False)
    profile_symbolic : boolean
        profile the operators executors and hybridized blocks run (default True)
    profile_imperative : boolean
        profile operators called one by one, ``mx.nd.*`` (default True)
    profile_memory : boolean
        trace the allocator's bytes in use as the counter "Memory: cpu/0" (default True)
    profile_api : boolean
        time every call into the C ABI, category ``MINERVA_C_API`` (default True)
    continuous_dump : boolean
        rewrite the trace file every ``dump_period`` seconds while running and when the
        profiler stops (default True)
    dump_period : float
        seconds between those writes (default 1); must be positive
    aggregate_stats : boolean
        keep the statistics ``dumps`` prints (default False)
    profile_process : string
        ``'worker'`` (the only process Minerva has)

    An unknown key or a malformed value raises MXNetError naming it, and nothing changes.
    """
    keys = [str(k).encode() for k in kwargs]
    vals = [str(v).encode() for v in kwargs.values()]
    ckeys = [ffi.new("char[]", k) for k in keys]
    cvals = [ffi.new("char[]", v) for v in vals]
    check_call(lib.MVProfilerSetConfig(len(keys), ffi.new("const char*[]", ckeys), ffi.new("const char*[]", cvals)))


def profiler_set_config(mode="symbolic", filename="profile.json"):
    """Configures the profiler (deprecated: use ``set_config``). ``mode`` is ``'symbolic'`` or
    ``'all'``; ``filename`` the trace file."""
    warnings.warn("profiler.profiler_set_config() is deprecated. Please use profiler.set_config() instead",
                  stacklevel=2)
    set_config(**{"profile_" + mode: True, "filename": filename})


def set_state(state="stop", profile_process="worker"):
    """Starts (``'run'``) or stops (``'stop'``) the profiler. Stopping writes the trace file when
    ``continuous_dump`` is set (the default)."""
    if state not in _STATES:
        raise MinervaKeyError(f"profiler.set_state: state {state!r} is not one of 'stop', 'run'")
    _check_process(profile_process, "set_state")
    check_call(lib.MVProfilerSetState(_STATES[state]))


def profiler_set_state(state="stop"):
    """Starts or stops the profiler (deprecated: use ``set_state``)."""
    warnings.warn("profiler.profiler_set_state() is deprecated. Please use profiler.set_state() instead", stacklevel=2)
    set_state(state)


def dump(finished=True, profile_process="worker"):
    """Writes the trace file (Chrome trace JSON) with the events recorded since the last finished
    dump. With ``finished`` those events are then forgotten, so a later dump starts a new trace.
    Raises MXNetError if ``set_config`` was never called."""
    _check_process(profile_process, "dump")
    check_call(lib.MVProfilerDump(1 if finished is True else 0))


def dump_profile():
    """Writes the trace file (deprecated: use ``dump``)."""
    warnings.warn("profiler.dump_profile() is deprecated. Please use profiler.dump() instead", stacklevel=2)
    dump(True)


def dumps(reset=False, format="table", sort_by="total", ascending=False):  # noqa: A002  (MXNet's name)
    """The aggregate statistics as a printable table or a JSON string; ``''`` unless
    ``set_config(aggregate_stats=True)``. Per category (``operator``, each domain, ``event``…) a
    row per name with its count and total/min/max/average time in ms, sorted by ``sort_by``
    (``'total'``, ``'avg'``, ``'min'``, ``'max'``, ``'count'``). ``reset`` clears them after."""
    if format not in _FORMATS:
        raise AssertionError(f"Invalid value provided for format: {format}. Support: 'table', 'json'")
    if sort_by not in _SORT_BY:
        raise AssertionError(f"Invalid value provided for sort_by: {sort_by}. "
                             "Support: 'total', 'avg', 'min', 'max', 'count'")
    if ascending not in (False, True):
        raise AssertionError(f"Invalid value provided for ascending: {ascending}. Support: False, True")
    if reset not in (False, True):
        raise AssertionError(f"Invalid value provided for reset: {reset}. Support: False, True")
    out = ffi.new("const char**")
    check_call(lib.MVProfilerDumps(int(reset), _FORMATS[format], _SORT_BY[sort_by], int(ascending), out))
    return ffi.string(out[0]).decode("utf-8")


def pause(profile_process="worker"):
    """Pauses recording; ``resume`` continues it. Operators called while paused are left out."""
    _check_process(profile_process, "pause")
    check_call(lib.MVProfilerPause(1))


def resume(profile_process="worker"):
    """Resumes recording after ``pause``."""
    _check_process(profile_process, "resume")
    check_call(lib.MVProfilerPause(0))


_current_scope = contextvars.ContextVar("profiler_scope", default="")


@contextlib.contextmanager
def scope(name="<unk>:", append_mode=False):
    """Operators called inside are recorded as ``name + operator`` (``name`` gets a trailing
    ``':'``); with ``append_mode`` the name is appended to the enclosing scope's. MXNet 2's
    ``mx.profiler.scope``; MXNet 1.9.1 has none."""
    name = name if name.endswith(":") else name + ":"
    previous = _current_scope.get()
    current = previous + name if append_mode else name
    token = _current_scope.set(current)
    check_call(lib.MVProfilerSetScope(current.encode()))
    try:
        yield
    finally:
        _current_scope.reset(token)
        check_call(lib.MVProfilerSetScope(previous.encode()))


def _create_object(domain, kind: int, name: str):
    out = ffi.new("MVProfileObjectHandle*")
    check_call(lib.MVProfileObjectCreate(domain.handle if domain is not None else ffi.NULL, kind,
                                         str(name).encode(), out))
    return ffi.gc(out[0], lib.MVProfileObjectFree)


class Domain:
    """A category grouping tasks, frames, counters and markers (their ``cat`` in the trace)."""

    def __init__(self, name):
        self.name = name
        out = ffi.new("MVProfileDomainHandle*")
        check_call(lib.MVProfileDomainCreate(str(name).encode(), out))
        self.handle = ffi.gc(out[0], lib.MVProfileDomainFree)

    def __str__(self):
        return self.name

    def new_task(self, name):
        """A Task of this domain."""
        return Task(self, name)

    def new_frame(self, name):
        """A Frame of this domain."""
        return Frame(self, name)

    def new_counter(self, name, value=None):
        """A Counter of this domain, set to ``value`` when given."""
        return Counter(self, name, value)

    def new_marker(self, name):
        """A Marker of this domain."""
        return Marker(self, name)


class _Interval:
    """start()/stop() timing of a named region; recorded at stop when the profiler was recording
    at start (a stop without a start records nothing)."""

    _kind = _KIND_TASK

    def __init__(self, domain, name):
        self.name = name
        self.handle = _create_object(domain, self._kind, name)

    def start(self):
        """Starts timing."""
        check_call(lib.MVProfileObjectStart(self.handle))

    def stop(self):
        """Stops timing and records the interval."""
        check_call(lib.MVProfileObjectStop(self.handle))

    def __str__(self):
        return self.name


class Task(_Interval):
    """A unit of work on a thread; all passes are aggregated under the domain's category."""

    _kind = _KIND_TASK

    def __init__(self, domain, name):
        super().__init__(domain, name)


class Frame(_Interval):
    """A numbered period (a training step, a rendered frame); category ``'<domain>,frame'``."""

    _kind = _KIND_FRAME

    def __init__(self, domain, name):
        super().__init__(domain, name)


class Event(_Interval):
    """A region of code, outside any domain; category ``'event'``."""

    _kind = _KIND_EVENT

    def __init__(self, name):
        super().__init__(None, name)


class Counter:
    """A value tracked over time (a ``"C"`` counter track in the trace)."""

    def __init__(self, domain, name, value=None):
        self.name = name
        self.handle = _create_object(domain, _KIND_COUNTER, name)
        if value is not None:
            self.set_value(value)

    def set_value(self, value):
        """Sets the counter to ``value``."""
        check_call(lib.MVProfileCounterSet(self.handle, int(value)))

    def increment(self, delta=1):
        """Adds ``delta``."""
        check_call(lib.MVProfileCounterAdjust(self.handle, int(delta)))

    def decrement(self, delta=1):
        """Subtracts ``delta``."""
        check_call(lib.MVProfileCounterAdjust(self.handle, -int(delta)))

    def __iadd__(self, delta):
        self.increment(delta)
        return self

    def __isub__(self, delta):
        self.decrement(delta)
        return self

    def __str__(self):
        return self.name


class Marker:
    """An instant in time (an ``"i"`` event in the trace)."""

    def __init__(self, domain, name):
        self.name = name
        self.domain = domain

    def mark(self, scope="process"):
        """Records the instant; ``scope`` is ``'global'``, ``'process'``, ``'thread'``, ``'task'``
        or ``'marker'``."""
        check_call(lib.MVProfileMarkerSet(self.domain.handle, str(self.name).encode(), str(scope).encode()))
