"""``exitaudit batch --dask``: the batch audit mapped over the workers of a Dask cluster.

    client: rules loaded and the Engine built once (as for a local batch) -> the Engine scattered
    to every worker once -> chunks of tasks submitted in a sliding window -> results back in
    input order -> the same rows, summary and exit code as ``batch.audit_all`` gives.

This is the only module that imports Dask, and only when ``--dask`` is given: ``exitaudit
check`` never loads it, and Dask is an optional extra (``pip install 'exitaudit[dask]'``).

* **The engine is shipped once.** ``client.scatter(engine, broadcast=True)`` sends the pickled
  Engine to each worker, which keeps one live copy for the whole batch; every task receives that
  copy, so a worker never reloads rule files (which need not exist on its machine) or rebuilds
  the engine per task. What does not pickle is rebuilt on a worker's first use of it (see
  ``Engine.__getstate__``).
* **Memory is bounded.** Tasks are chunks of logs (as ``audit_all``'s chunksize, to amortise
  the scheduler's cost per task); at most ``WINDOW_PER_THREAD`` chunks per worker thread are
  submitted and not yet yielded, so the scheduler holds that many tasks and this process that
  many chunks of results at most, however many millions of logs the batch has. Results are
  yielded in input order: a chunk that finishes early waits in the window for those before it.
* **A bad log is one row.** Each log is audited by ``batch.audit_one`` on a worker, which turns
  an unreadable log into its one-line reason; a chunk whose task fails on the cluster (a worker
  that died on it) becomes one error row per log, and the batch goes on.
* **Logs are read where the workers are**: local or shared paths, and fsspec URLs (``s3://``,
  ``gs://``, ``http://``, ...) when the worker has fsspec and that protocol's backend.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .batch import _first_line
from .parallel import available_cpus
from .errors import UsageError
from .model import RunResult

if TYPE_CHECKING:  # pragma: no cover
    from .batch import Task
    from .engine import Engine

LOCAL = "local"
"""``--dask local``: start a cluster of worker processes on this machine."""
WINDOW_PER_THREAD = 4
"""Chunks in flight (or done and waiting for an earlier one) per worker thread."""
CHUNK_MAX = 64
INSTALL_HINT = "pip install 'exitaudit[dask]'"

Outcome = tuple[RunResult | None, str | None]

_WORKER_LOCK = threading.Lock()
"""A worker runs one chunk at a time per process: ``batch.audit_one`` reads the engine from a
module global, and the engine's Hyperscan scratch space serves one scan at a time. Workers
started with several threads therefore audit one log at a time; start one process per core
(``dask worker --nworkers N --nthreads 1``) for parallelism."""


def _audit_chunk(chunk: Sequence[Task], engine: Engine) -> list[Outcome]:
    """On a worker: audit a chunk of logs with the worker's copy of the shipped engine."""
    from . import batch

    with _WORKER_LOCK:
        batch.set_engine(engine)
        return [batch.audit_one(task) for task in chunk]


def chunk_size(tasks: int, threads: int) -> int:
    """Logs per task: as ``batch.audit_all`` chunks them for a local pool."""
    return max(1, min(CHUNK_MAX, tasks // (max(1, threads) * 8)))


class DaskCluster:
    """A connection to a Dask scheduler, or a local cluster started for the batch. Use as a
    context manager; ``audit_all`` maps audits over its workers.

    ``address``: a scheduler address (``tcp://HOST:8786``, ``tls://...``) or ``"local"``;
    ``workers``: the number of worker processes of a local cluster (default: every core).
    Raises UsageError (one line, ``--dask: ...``) when Dask is not installed, the scheduler cannot
    be reached or has no workers, or a local cluster cannot start.
    """

    def __init__(self, address: str, *, workers: int | None = None) -> None:
        address = address.strip()
        if not address:
            raise UsageError("expected a scheduler address (tcp://HOST:8786) or local", where="--dask")
        if workers is not None and address != LOCAL:
            raise UsageError(
                f"sets the workers of --dask local only; the cluster at {address} has the workers it was started with",
                where="--jobs",
            )
        self.address = address
        self.workers = workers
        self.client: Any = None
        self._cluster: Any = None
        self._quieted: list[tuple[logging.Handler, int]] = []

    # Connecting ------------------------------------------------------------------------------

    def __enter__(self) -> DaskCluster:
        try:
            import distributed
        except ImportError:
            raise UsageError(f"Dask is not installed: {INSTALL_HINT}", where="--dask") from None
        self._quiet()
        try:
            if self.address == LOCAL:
                self._start_local(distributed)
            else:
                self._connect(distributed)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _quiet(self) -> None:
        """Dask logs to standard error (workers leaving, a scheduler gone); exitaudit says what
        matters in its own one-line messages, so Dask's logging is silenced while connected."""
        handlers = [h for h in logging.getLogger("distributed").handlers if isinstance(h, logging.StreamHandler)]
        self._quieted = [(h, h.level) for h in handlers]
        for handler in handlers:
            handler.setLevel(logging.CRITICAL)

    def _start_local(self, distributed: Any) -> None:
        """Worker processes are spawned with SIGINT ignored (an ignored signal stays ignored in
        the new process): a terminal's Ctrl-C reaches the whole process group, and only this
        process should act on it, by closing the cluster, instead of every worker printing a
        traceback. A Ctrl-C during the start itself is therefore lost."""
        import signal

        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            self._spawn_local(distributed)
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)

    def _spawn_local(self, distributed: Any) -> None:
        try:
            self._cluster = distributed.LocalCluster(
                n_workers=self.workers or available_cpus(),
                threads_per_worker=1,
                processes=True,
                silence_logs=logging.CRITICAL,
                # Loopback only: a local cluster serves this process, nothing on the network.
                host="127.0.0.1",
                # No dashboard; the scheduler's HTTP server (health checks) on a free port, not
                # on 8787, which another cluster may hold.
                dashboard_address=None,
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            )
            self.client = distributed.Client(self._cluster, set_as_default=False)
        except Exception as exc:  # noqa: BLE001 - any failure to start is one line
            raise UsageError(f"cannot start a local cluster: {_first_line(exc)}", where="--dask") from None

    def _connect(self, distributed: Any) -> None:
        """Connect within Dask's connect timeout (``distributed.comm.timeouts.connect``, 30 s by
        default; ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s`` sets it), and wait as long for
        a first worker."""
        import dask.config
        from dask.utils import parse_timedelta
        from distributed.comm.addressing import parse_address, parse_host_port
        from distributed.comm.registry import get_backend

        try:  # a malformed address is said now, not after a timeout
            scheme, location = parse_address(self.address)
            get_backend(scheme)
            if scheme in ("tcp", "tls", "ws", "wss"):
                parse_host_port(location)
        except ValueError as exc:
            raise UsageError(f"not a scheduler address: {_first_line(exc)}; expected tcp://HOST:8786 or local", where="--dask") from None
        timeout = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), default="seconds")
        try:
            self.client = distributed.Client(self.address, timeout=timeout, set_as_default=False)
        except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, a TLS configuration error...
            _abandon_clients(exc, distributed.Client)
            raise UsageError(f"cannot reach scheduler {self.address}: {_first_line(exc)}", where="--dask") from None
        try:
            self.client.wait_for_workers(1, timeout=timeout)
        except Exception:  # noqa: BLE001 - distributed raises TimeoutError
            raise UsageError(
                f"the scheduler {self.address} has no workers (start some: dask worker {self.address})", where="--dask"
            ) from None

    def close(self) -> None:
        for closable in (self.client, self._cluster):
            if closable is not None:
                try:
                    closable.close()
                except Exception:  # noqa: BLE001 - closing a connection already lost
                    pass
        self.client = self._cluster = None
        for handler, level in self._quieted:
            handler.setLevel(level)
        self._quieted = []

    def threads(self) -> int:
        """Worker threads of the cluster now."""
        return max(1, sum(self.client.nthreads().values()))

    # Auditing ---------------------------------------------------------------------------------

    def audit_all(self, tasks: Sequence[Task], engine: Engine, chunk_work: Any = None) -> Iterator[Outcome]:
        """``batch.audit_all`` over the cluster: the same results, in input order.
        ``chunk_work(chunk, engine)`` replaces the audit of a chunk (mining's templating)."""
        from distributed import as_completed

        if not tasks:
            return
        client = self.client
        threads = self.threads()
        size = chunk_size(len(tasks), threads)
        starts = range(0, len(tasks), size)
        window = WINDOW_PER_THREAD * threads
        shipped = client.scatter(engine, broadcast=True, hash=False)
        running = as_completed(loop=client.loop)
        pending: dict[Any, int] = {}  # future -> chunk number
        ready: dict[int, list[Outcome]] = {}  # chunks done before an earlier one
        submitted = 0

        def submit() -> None:
            nonlocal submitted
            start = starts[submitted]
            future = client.submit(chunk_work or _audit_chunk, list(tasks[start:start + size]), shipped, pure=False)
            pending[future] = submitted
            running.add(future)
            submitted += 1

        try:
            while submitted < min(window, len(starts)):
                submit()
            for number in range(len(starts)):
                while number not in ready:
                    future = next(running)
                    done = pending.pop(future)
                    ready[done] = self._outcomes(future, tasks[starts[done]:starts[done] + size])
                outcomes = ready.pop(number)
                if submitted < len(starts):  # chunks in flight + waiting stay within the window
                    submit()
                yield from outcomes
        finally:
            if pending:
                client.cancel(list(pending))
            shipped.release()

    def _outcomes(self, future: Any, chunk: Sequence[Task]) -> list[Outcome]:
        """A finished chunk's results; one error row per log when its task failed on the
        cluster. Losing the scheduler itself ends the batch (exit 2, no outputs written)."""
        try:
            return list(future.result())
        except Exception as exc:  # noqa: BLE001 - the task's own exception, or a lost connection
            if future.status != "error":
                reason = _first_line(exc).partition("cancelled for reason: ")[2].rstrip(".") or _first_line(exc)
                raise UsageError(f"lost the scheduler {self.address}: {reason}", where="--dask") from None
            reason = f"not audited: its Dask task failed: {type(exc).__name__}: {_first_line(exc)}"
            return [(None, error) if error is not None else (None, f"{source}: {reason}") for source, _s, _t, error in chunk]
        finally:
            future.release()


def _abandon_clients(exc: BaseException, client_class: type) -> None:
    """A Client whose constructor failed (other than by timing out) is left half-started, its
    event loop running; collected, it would spend twice the connect timeout trying to close and
    print a traceback at exit. Mark it closed and stop its loop now."""
    tb = exc.__traceback__
    while tb is not None:
        client = tb.tb_frame.f_locals.get("self")
        if isinstance(client, client_class):
            client.status = "closed"  # what Client.close checks first
            try:
                client._loop_runner.stop()
            except Exception:  # noqa: BLE001 - a private detail that may change: then only the status
                pass
        tb = tb.tb_next


def audit_all_dask(
    tasks: Sequence[Task],
    engine: Engine,
    address: str,
    *,
    workers: int | None = None,
) -> Iterator[Outcome]:
    """``batch.audit_all`` on the Dask cluster at ``address`` (or ``"local"``, a local cluster
    of ``workers`` processes): the same results, in input order. Connects on first use and
    disconnects (stopping a local cluster) when exhausted or closed."""
    with DaskCluster(address, workers=workers) as cluster:
        yield from cluster.audit_all(tasks, engine)
