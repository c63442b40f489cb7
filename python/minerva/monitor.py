"""``mx.monitor``: MXNet 1.x's Monitor, statistics of an executor's intermediate outputs,
weights and gradients every ``interval`` batches, for debugging (``Module.fit(monitor=...)``
installs one). No ``__all__``: as with MXNet, a star import also brings ``NDArray``,
``ndarray``, ``logging``, ``re`` and ``sqrt``."""
from __future__ import annotations

import logging
import re
from math import sqrt

from . import ndarray
from .ndarray import NDArray

class Monitor:
    """Collects ``stat_func`` of every tensor whose name matches ``pattern`` (a regular
    expression matched at the start of the name) on the batches where ``step % interval ==
    0``: node outputs during forward and backward (through the executor's monitor callback)
    and, at ``toc``, the arguments and auxiliary states. ``stat_func`` takes an NDArray and
    returns an NDArray (or a list of them); the default is ``norm(x) / sqrt(x.size)``. With
    ``sort`` the results are ordered by name. ``monitor_all`` is passed to the executor
    (MXNet: inputs too; Minerva's executors report node outputs)."""

    def __init__(self, interval, stat_func=None, pattern=".*", sort=False, monitor_all=False):
        if stat_func is None:
            def asum_stat(x):
                """norm(x) / sqrt(size(x))."""
                return ndarray.norm(x) / sqrt(x.size)
            stat_func = asum_stat
        self.stat_func = stat_func
        self.interval = interval
        self.activated = False
        self.queue = []
        self.step = 0
        self.exes = []
        self.re_prog = re.compile(pattern)
        self.sort = sort
        self.monitor_all = monitor_all

        def stat_helper(name, array):
            """The executor's per-node callback."""
            if not self.activated or not self.re_prog.match(name):
                return
            # The array is a view valid only during this call (the memory plan reuses its
            # buffer later), so the statistic is taken on a copy read now.
            snapshot = ndarray.array(array.asnumpy(), ctx=array.context, dtype=array.dtype)
            self.queue.append((self.step, name, self.stat_func(snapshot)))
        self.stat_helper = stat_helper

    def install(self, exe) -> None:
        """Installs the monitor on executor exe (several executors may share one monitor)."""
        exe.set_monitor_callback(self.stat_helper, self.monitor_all)
        self.exes.append(exe)

    def _wait_for_inputs(self) -> None:
        for exe in self.exes:
            for array in list(exe.arg_arrays) + list(exe.aux_arrays):
                array.wait_to_read()

    def tic(self) -> None:
        """Starts collecting for this batch if it is one of every ``interval``; call before
        forward."""
        if self.step % self.interval == 0:
            self._wait_for_inputs()
            self.queue = []
            self.activated = True
        self.step += 1

    def toc(self) -> list:
        """Ends collecting and returns ``(step, name, text)`` per statistic, text being each
        value (a scalar, or the array printed) followed by a tab; [] on batches not collected."""
        if not self.activated:
            return []
        self._wait_for_inputs()
        for exe in self.exes:
            named = list(zip(exe._symbol.list_arguments(), exe.arg_arrays))
            named += list(zip(exe._symbol.list_auxiliary_states(), exe.aux_arrays))
            for name, array in named:
                if self.re_prog.match(name):
                    self.queue.append((self.step, name, self.stat_func(array)))
        self.activated = False
        if self.sort:
            self.queue.sort(key=lambda x: x[1])
        res = []
        for step, name, values in self.queue:
            if isinstance(values, NDArray):
                values = [values]
            if not isinstance(values, list) or not all(isinstance(v, NDArray) for v in values):
                raise TypeError(f"Monitor: stat_func must return an NDArray or a list of NDArrays; for '{name}' it "
                                f"returned {type(values).__name__}")
            text = "".join((str(v.asscalar()) if v.shape == (1,) else str(v.asnumpy())) + "\t" for v in values)
            res.append((step, name, text))
        self.queue = []
        return res

    def toc_print(self) -> None:
        """Ends collecting and logs each statistic at INFO level."""
        for step, name, text in self.toc():
            logging.info("Batch: {:7d} {:30s} {:s}".format(step, name, text))
