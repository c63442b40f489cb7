"""``DataLoader``: batches from a Dataset, read in this process, in worker threads, or in
worker processes.

Note [DataLoader worker processes]
Workers are fresh interpreters (the 'forkserver' start method, 'spawn' where there is none),
never plain forks of the parent: a forked child inherits the engine's and OpenMP's state without
their threads, and any sizeable NDArray operation in it then waits forever. The forkserver
imports this module once, before the parent's engine has started, so each worker starts fast.

Each worker gets the pickled (dataset, batchify_fn) once, a task queue of (batch number,
indices) and a pipe for its replies. The parent waits on the pipes *and* the processes'
sentinels with a timeout, so a worker that raises, dies (a signal, os._exit) or stalls becomes
an error in the parent instead of a hang. Workers exit on a None task, when the parent is gone,
or are terminated by the iterator's finalizer at the end of the pass, on an error, or when the
iterator is garbage-collected. NDArrays travel as numpy arrays and become NDArrays again here.

Fresh interpreters normally re-run the parent's main script (as ``__mp_main__``), which breaks
MXNet-era scripts without an ``if __name__ == "__main__"`` guard. When the pickled dataset does
not refer to ``__main__``, the workers are started with the main module hidden, so nothing is
re-run. When it does and the script's top level runs more than imports, definitions and
``if __name__ == "__main__":`` blocks, the loader warns and uses threads instead of processes."""
from __future__ import annotations

import ast
import contextlib
import multiprocessing as mp
import multiprocessing.connection
import os
import pickle
import queue
import signal
import sys
import time
import traceback
import types
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ... import ndarray as nd
from ... import context  # noqa: F401  (these three: as MXNet's dataloader exports)
from ...base import MinervaError
from ...util import is_np_array, is_np_shape  # noqa: F401
from .sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "default_batchify_fn", "default_mp_batchify_fn"]

_POLL_S = 0.5          # how often an idle worker checks that its parent is alive
_SHUTDOWN_GRACE_S = 1.0  # how long finished workers get to exit before they are terminated


def default_batchify_fn(data):
    """Stacks a list of samples into a batch: NDArrays with ``nd.stack``, tuples field by field
    (a list with one batch per field), anything else through ``numpy.asarray`` (keeping its dtype)."""
    if isinstance(data[0], nd.NDArray):
        return nd.stack(*data)
    if isinstance(data[0], tuple):
        return [default_batchify_fn(list(field)) for field in zip(*data)]
    arr = np.asarray(data)
    return nd.array(arr, dtype=arr.dtype)


class _Wire:
    """A numpy array that was (or, from the default batchify, stands for) an NDArray."""
    __slots__ = ("array",)

    def __init__(self, array: np.ndarray):
        self.array = array

    def __reduce__(self):
        return (_Wire, (self.array,))


def default_mp_batchify_fn(data):
    """The default batchify of worker processes: the same batches as ``default_batchify_fn``,
    built in numpy and marked to become NDArrays in the parent."""
    if isinstance(data[0], nd.NDArray):
        return _Wire(np.stack([d.asnumpy() for d in data]))
    if isinstance(data[0], tuple):
        return [default_mp_batchify_fn(list(field)) for field in zip(*data)]
    return _Wire(np.asarray(data))


def _map_nested(obj, leaf):
    """obj with leaf applied to everything in its (nested) lists, tuples and dicts."""
    if isinstance(obj, list):
        return [_map_nested(o, leaf) for o in obj]
    if type(obj) is tuple:
        return tuple(_map_nested(o, leaf) for o in obj)
    if type(obj) is dict:
        return {k: _map_nested(v, leaf) for k, v in obj.items()}
    return leaf(obj)


def _to_wire(obj):
    return _map_nested(obj, lambda o: _Wire(o.asnumpy()) if isinstance(o, nd.NDArray) else o)


def _from_wire(obj):
    return _map_nested(obj, lambda o: nd.array(o.array, dtype=o.array.dtype) if isinstance(o, _Wire) else o)


def _error_payload(e: BaseException):
    text = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    etype = type(e) if isinstance(e, Exception) else None
    try:
        pickle.dumps(etype)
    except Exception:  # noqa: BLE001  (a local class: the parent gets a MinervaError)
        etype = None
    return etype, text


def _worker_loop(wid: int, blob: bytes, tasks, conn, parent_pid: int, seed: int) -> None:
    """A worker process: read tasks until None or until the parent is gone; reply on ``conn``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        np.random.seed(seed)
        from ... import random as mx_random
        mx_random.seed(seed)
        dataset, batchify = pickle.loads(blob)
    except BaseException as e:  # noqa: BLE001  (reported to the parent, then exit)
        conn.send(("err", -1, _error_payload(e)))
        return
    del blob
    while True:
        try:
            task = tasks.get(timeout=_POLL_S)
        except queue.Empty:
            if os.getppid() != parent_pid:
                return
            continue
        except (EOFError, OSError):
            return
        if task is None:
            return
        idx, indices = task
        try:
            msg = ("ok", idx, _to_wire(batchify([dataset[i] for i in indices])))
        except BaseException as e:  # noqa: BLE001  (reported to the parent)
            msg = ("err", idx, _error_payload(e))
        try:
            conn.send(msg)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            return
        except Exception as e:  # noqa: BLE001  (an unpicklable batch)
            conn.send(("err", idx, _error_payload(e)))


_CONTEXT = None


def _mp_context():
    global _CONTEXT
    if _CONTEXT is None:
        method = os.environ.get("MINERVA_DATALOADER_START_METHOD", "forkserver")
        if method not in ("forkserver", "spawn"):
            raise MinervaError(f"MINERVA_DATALOADER_START_METHOD={method!r}: expected 'forkserver' or 'spawn' "
                               "('fork' is unsafe: a forked worker inherits the engine without its threads)")
        if method not in mp.get_all_start_methods():
            method = "spawn"
        ctx = mp.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload([__name__])
        _CONTEXT = ctx
    return _CONTEXT


@contextlib.contextmanager
def _main_hidden():
    """Hides the main module while a worker starts, so the worker does not re-run the script."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _is_main_guard(node) -> bool:
    return isinstance(node, ast.If) and "__name__" in ast.unparse(node.test) and "__main__" in ast.unparse(node.test)


_SAFE_TOP_LEVEL = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass)


def _main_is_import_safe() -> bool:
    """True when re-running the main script in a worker only defines things: its top level
    holds imports, definitions, literal assignments and ``if __name__ == '__main__':`` blocks."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    try:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, TypeError, ValueError):
        return False
    for node in tree.body:
        if isinstance(node, _SAFE_TOP_LEVEL) or _is_main_guard(node):
            continue
        value = getattr(node, "value", None)
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.Expr)) and value is not None:
            try:
                ast.literal_eval(value)
                continue
            except ValueError:
                pass
        return False
    return True


class _WorkerSet:
    """The worker processes and their channels. Its ``shutdown`` is the iterator's finalizer, so
    it must not refer to the iterator."""

    def __init__(self):
        self.procs, self.tasks, self.conns = [], [], []

    def shutdown(self) -> None:
        for q in self.tasks:
            try:
                q.put(None)
            except (ValueError, OSError):
                pass
        deadline = time.monotonic() + _SHUTDOWN_GRACE_S
        for p in self.procs:
            p.join(max(0.0, deadline - time.monotonic()))
        for stop in ("terminate", "kill"):
            for p in self.procs:
                if p.is_alive():
                    getattr(p, stop)()
                    p.join(_SHUTDOWN_GRACE_S)
        for c in self.conns:
            c.close()
        for q in self.tasks:
            q.close()
            q.cancel_join_thread()
        for p in self.procs:
            try:
                p.close()
            except ValueError:  # still running after kill: nothing more can be done
                pass
        self.procs, self.tasks, self.conns = [], [], []


def _exit_description(code) -> str:
    if code is None:
        return "closed its pipe"
    if code < 0:
        try:
            return f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited unexpectedly with exit code {code}"


class _PrefetchingIter:
    """What a pass with workers, processes or threads, shares: ``_push_next`` requests the next
    batch (False when there is none left) and ``_request_ahead`` keeps ``prefetch`` batches requested
    ahead; ``__next__`` returns them in order."""

    def _request_ahead(self, loader: DataLoader) -> None:
        for _ in range(max(1, loader._prefetch)):
            if not self._push_next():
                break

    def _next_indices(self):
        """The next batch's sample indices, or None after the last batch."""
        return next(self._batches, None)

    def __iter__(self):
        return self

    def next(self):
        return self.__next__()


class _MultiWorkerIter(_PrefetchingIter):
    """One pass over the batches with worker processes (Note [DataLoader worker processes])."""

    def __init__(self, loader: DataLoader, blob: bytes, seed: int, hide_main: bool):
        self._num_workers = loader._num_workers
        self._timeout = float(loader._timeout)
        self._batches = iter(loader._batch_sampler)
        self._workers = _WorkerSet()
        self._finalizer = weakref.finalize(self, self._workers.shutdown)
        self._pids = []
        ctx = _mp_context()
        try:
            for wid in range(self._num_workers):
                tasks = ctx.Queue()
                reader, writer = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_worker_loop, args=(wid, blob, tasks, writer, os.getpid(), seed + wid),
                                   daemon=True, name=f"minerva-DataLoader-worker-{wid}")
                if hide_main:
                    with _main_hidden():
                        proc.start()
                else:
                    proc.start()
                writer.close()  # the worker holds the writing end; EOF here means it is gone
                self._workers.procs.append(proc)
                self._workers.tasks.append(tasks)
                self._workers.conns.append(reader)
                self._pids.append(proc.pid)
        except BaseException:
            self._finalizer()
            raise
        self._sent = 0
        self._received = 0
        self._results = {}
        self._owner = {}
        self._request_ahead(loader)

    def __len__(self) -> int:
        return self._sent - self._received

    def _push_next(self) -> bool:
        indices = self._next_indices()
        if indices is None:
            return False
        wid = self._sent % self._num_workers
        self._workers.tasks[wid].put((self._sent, list(indices)))
        self._owner[self._sent] = wid
        self._sent += 1
        return True

    def __next__(self):
        if self._received == self._sent:
            self._finalizer()
            raise StopIteration
        try:
            payload = self._wait_for(self._received)
        except BaseException:
            self._finalizer()
            raise
        self._received += 1
        self._push_next()
        return _from_wire(payload)

    def _dead(self, wid: int):
        proc = self._workers.procs[wid]
        proc.join(0.1)
        return MinervaError(f"DataLoader worker {wid} (pid {self._pids[wid]}) {_exit_description(proc.exitcode)} "
                            f"while batches were pending; see its output above for the cause")

    def _receive(self, wid: int) -> None:
        try:
            kind, idx, payload = self._workers.conns[wid].recv()
        except (EOFError, OSError):
            raise self._dead(wid) from None
        if kind == "ok":
            self._results[idx] = payload
            return
        etype, text = payload
        where = "while starting" if idx < 0 else f"on batch {idx}"
        msg = f"DataLoader worker {wid} (pid {self._pids[wid]}) raised {where}:\n{text}"
        try:
            err = etype(msg) if etype is not None else MinervaError(msg)
        except Exception:  # noqa: BLE001  (an exception type with another signature)
            err = MinervaError(msg)
        raise err

    def _wait_for(self, idx: int):
        deadline = time.monotonic() + self._timeout
        conns = self._workers.conns
        sentinels = {p.sentinel: wid for wid, p in enumerate(self._workers.procs)}
        while idx not in self._results:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                wid = self._owner[idx]
                raise MinervaError(f"DataLoader: no reply for batch {idx} from worker {wid} (pid {self._pids[wid]}) "
                                   f"within timeout={self._timeout:g} s; the dataset or batchify_fn may be stuck")
            ready = multiprocessing.connection.wait(list(conns) + list(sentinels), timeout=remaining)
            for wid, conn in enumerate(conns):
                if conn in ready:
                    self._receive(wid)
            for sentinel, wid in sentinels.items():
                if sentinel in ready:
                    while conns[wid].poll():  # replies it sent before it died
                        self._receive(wid)
                    raise self._dead(wid)
        del self._owner[idx]
        return self._results.pop(idx)

    def shutdown(self) -> None:
        """Stops the workers now (also done at the end of the pass and on garbage collection)."""
        self._finalizer()


class _ThreadWorkerIter(_PrefetchingIter):
    """One pass with worker threads (``thread_pool=True``): same process, same engine."""

    def __init__(self, loader: DataLoader):
        self._loader = loader
        self._batches = iter(loader._batch_sampler)
        self._pool = ThreadPoolExecutor(max_workers=loader._num_workers, thread_name_prefix="minerva-DataLoader")
        self._finalizer = weakref.finalize(self, self._pool.shutdown, wait=False, cancel_futures=True)
        self._pending = []
        self._request_ahead(loader)

    def _push_next(self) -> bool:
        indices = self._next_indices()
        if indices is None:
            return False
        dataset, batchify = self._loader._dataset, self._loader._batchify_fn
        self._pending.append(self._pool.submit(lambda: batchify([dataset[i] for i in indices])))
        return True

    def __next__(self):
        if not self._pending:
            self._finalizer()
            raise StopIteration
        future = self._pending.pop(0)
        try:
            batch = future.result(timeout=self._loader._timeout)
        except BaseException:
            self._finalizer()
            raise
        self._push_next()
        return batch


class DataLoader:
    """Loads batches from a Dataset (MXNet 1.x's ``gluon.data.DataLoader``).

    ``num_workers > 0`` reads batches in that many worker processes (Note [DataLoader worker
    processes]), or threads with ``thread_pool=True``; ``prefetch`` batches (default
    ``2 * num_workers``) are requested ahead. The dataset and batchify_fn must be picklable for
    processes; when they are not, the loader warns and uses threads. ``timeout`` (seconds)
    bounds the wait for one batch. ``pin_memory``, ``pin_device_id`` and ``auto_reload`` are
    accepted and ignored (CPU only)."""

    def __init__(self, dataset, batch_size=None, shuffle=False, sampler=None, last_batch=None,
                 batch_sampler=None, batchify_fn=None, num_workers=0, pin_memory=False, pin_device_id=0,
                 prefetch=None, thread_pool=False, timeout=120, auto_reload=False):
        self._dataset = dataset
        self._pin_memory = pin_memory
        if batch_sampler is None:
            if batch_size is None:
                raise ValueError("DataLoader: batch_size must be specified unless batch_sampler is specified")
            if sampler is None:
                sampler = RandomSampler(len(dataset)) if shuffle else SequentialSampler(len(dataset))
            elif shuffle:
                raise ValueError("DataLoader: shuffle must not be specified if sampler is specified")
            batch_sampler = BatchSampler(sampler, batch_size, last_batch if last_batch else "keep")
        elif batch_size is not None or shuffle or sampler is not None or last_batch is not None:
            raise ValueError("DataLoader: batch_size, shuffle, sampler and last_batch must not be specified "
                             "if batch_sampler is specified")
        self._batch_sampler = batch_sampler
        self._num_workers = max(0, int(num_workers))
        self._thread_pool = bool(thread_pool)
        self._prefetch = max(0, int(prefetch) if prefetch is not None else 2 * self._num_workers)
        self._timeout = timeout
        self._batchify_fn = default_batchify_fn if batchify_fn is None else batchify_fn
        self._epoch = 0
        self._picklable = None  # unknown until the first pass with worker processes

    def __len__(self) -> int:
        return len(self._batch_sampler)

    def __iter__(self):
        if self._num_workers == 0:
            return self._same_process_iter()
        if self._thread_pool or self._picklable is False:
            return _ThreadWorkerIter(self)
        worker_batchify = default_mp_batchify_fn if self._batchify_fn is default_batchify_fn else self._batchify_fn
        try:
            blob = pickle.dumps((self._dataset, worker_batchify), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # noqa: BLE001  (lambdas, local classes, open files...)
            warnings.warn(f"DataLoader: the dataset or batchify_fn cannot be pickled for worker processes ({e}); "
                          f"using {self._num_workers} worker threads instead", stacklevel=2)
            self._picklable = False
            return _ThreadWorkerIter(self)
        self._picklable = True
        uses_main = b"__main__" in blob
        if uses_main and not _main_is_import_safe():
            warnings.warn("DataLoader: the dataset or batchify_fn is defined in the main script, and worker "
                          "processes would have to re-run that script, which runs code outside an "
                          "`if __name__ == '__main__':` block; using "
                          f"{self._num_workers} worker threads instead", stacklevel=2)
            return _ThreadWorkerIter(self)
        return _MultiWorkerIter(self, blob, self._worker_seed(), hide_main=not uses_main)

    def _worker_seed(self) -> int:
        # Derived from numpy's global state without drawing from it, so seeding numpy makes the
        # workers' randomness reproducible and the sampler's shuffle equals the num_workers=0 one.
        state = np.random.get_state()
        self._epoch += 1
        return int((int(state[1][state[2] % len(state[1])]) + 1000003 * self._epoch) % (2**31 - 64))

    def _same_process_iter(self):
        for indices in self._batch_sampler:
            yield self._batchify_fn([self._dataset[i] for i in indices])
