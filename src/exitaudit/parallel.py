"""One log, audited: by this process, or for a large plain file by several at once.

A plain file of PARALLEL_FROM bytes or more is cut into stretches of whole lines, one per
process (reader.LogSource.stretches). Each process scans its stretch as a log of its own, lines
numbered from 1 (Engine.begin, Engine.feed), then reads on past the stretch's end only as far as
the followed_by windows still open need (Engine.follow), and sends back what it found as plain
data (Scan.export). This process merges the stretches in log order, shifting their line numbers
(Engine.absorb), and evaluates the checks once (Engine.end): the result is the one a single
process reading the whole log gives (tests/test_parallel.py compares them on every sample).

Workers are forked, so each inherits the compiled engine (Hyperscan database included) instead
of building its own. Standard input, compressed logs and URLs are read by one process: they can
only be read forwards.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .errors import InputError
from .model import ExitStatus, InputStats, RunResult

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Engine
    from .reader import LogSource

PARALLEL_FROM = 64 << 20
"""Bytes from which a log is split across processes: below it, starting the workers (about
30 ms) costs more than they save."""

_JOB: tuple[Engine, str, tuple[str, ...] | None, int] | None = None
"""The engine, the log, its tools and the number of stretches: set before the workers fork."""


def ignore_interrupts() -> None:
    """A worker's initializer: Ctrl-C reaches the whole process group, and the parent alone
    answers it (one line, exit 130) and ends the workers; a worker that took it too would print
    its own traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


MAX_DEFAULT_STRETCHES = 4
"""Processes for one large log unless --jobs says otherwise: each holds about 35 MiB, so four
keep a large log's audit under 200 MiB in all, and past four the reads, not the CPUs, limit it."""


def available_cpus(cgroup: str = "/sys/fs/cgroup") -> int:
    """The CPUs this process may use: those it may run on, fewer when a container's CPU quota
    (cgroup v2 ``cpu.max``, or v1 ``cpu.cfs_quota_us``) allows less, as on a CI runner that shows
    the host's cores."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    for quota_file, period_file in (("cpu.max", None), ("cpu/cpu.cfs_quota_us", "cpu/cpu.cfs_period_us")):
        try:
            with open(os.path.join(cgroup, quota_file)) as fh:
                fields = fh.read().split()
            if period_file is not None:
                with open(os.path.join(cgroup, period_file)) as fh:
                    fields.append(fh.read().strip())
            quota, period = int(fields[0]), int(fields[1])
        except (OSError, ValueError, IndexError):
            continue  # no such file, or "max": no quota
        if quota > 0 and period > 0:
            cpus = min(cpus, max(1, -(-quota // period)))
        break
    return cpus


def default_jobs() -> int:
    """Processes for one large log: the CPUs available, at most MAX_DEFAULT_STRETCHES."""
    return min(available_cpus(), MAX_DEFAULT_STRETCHES)


def audit_source(
    engine: Engine,
    src: LogSource,
    exit_status: ExitStatus,
    *,
    tools: Sequence[str] | None = None,
    source: str = "-",
    jobs: int = 1,
    checks: bool = True,
    platform: str | None = None,
) -> RunResult:
    """Audit an open log with up to ``jobs`` processes; its stats say what was read.
    ``checks=False``: without the per-check outcomes (see Engine.audit). ``platform``: the CI
    envelope to read the log in (steps.audit_job); a CI job log is read by one process."""
    from .steps import audit_job

    if platform is None:
        platform = getattr(engine, "ci_platform", None)  # batch: set once on the shared engine
    stretches = src.stretches(jobs, PARALLEL_FROM) if jobs > 1 else None
    if stretches is not None and platform != "none" and _ci_job_log(src.name, platform):
        stretches = None
    if stretches is not None:
        import multiprocessing  # here: most audits are of small logs, and start-up counts

        if "fork" not in multiprocessing.get_all_start_methods():
            stretches = None
    if stretches is None:
        run = audit_job(engine, src.blocks(numbered=False), exit_status, tools=tools, source=source, size_hint=src.size, checks=checks, platform=platform)
        stats = InputStats(lines=run.stats.lines, bytes=src.bytes_read, invalid_utf8=run.stats.invalid_utf8, compression=src.compression)
        return dataclasses.replace(run, stats=stats)

    src.validate()  # an empty or binary log is refused before any worker starts
    scan = engine.begin(tools, size_hint=src.size)  # builds the filters the workers inherit
    global _JOB
    _JOB = (engine, src.name, tuple(tools) if tools else None, len(stretches))
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        # An executor, not multiprocessing.Pool: a worker killed outright (the OOM killer) breaks
        # the executor, where a Pool would wait for its answer for ever.
        with ProcessPoolExecutor(len(stretches), mp_context=multiprocessing.get_context("fork"), initializer=ignore_interrupts) as pool:
            parts = list(pool.map(_scan_stretch, list(enumerate(stretches))))
    except BrokenProcessPool:
        raise InputError(
            "a worker process died while scanning this log (killed by the system?); try --jobs 1", where=src.display
        ) from None
    finally:
        _JOB = None
    for part in parts:
        if isinstance(part, tuple):
            raise InputError(part[0], where=part[1])
    for part in parts:
        engine.absorb(scan, part)
    run = engine.end(scan, exit_status, source, checks=checks)
    stats = dataclasses.replace(run.stats, bytes=sum(part["read"] for part in parts), compression=src.compression)
    return dataclasses.replace(run, stats=stats)


def _ci_job_log(path: str, platform: str | None) -> bool:
    """Whether the plain file at ``path`` is a CI job log (its steps are read in one pass)."""
    from .envelope import SNIFF_BYTES, resolve

    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return False
    return resolve(platform, head) is not None


def _scan_stretch(item: tuple[int, tuple[int, int]]) -> dict[str, Any] | tuple[str, str | None]:
    """In a worker: the export of one stretch's scan, or why it could not be read."""
    assert _JOB is not None
    engine, name, tools, count = _JOB
    k, (start, end) = item
    try:
        return scan_stretch(engine, name, start, end, tools=tools, last=k == count - 1)
    except InputError as exc:
        return (exc.message, exc.where)


def scan_stretch(
    engine: Engine,
    name: str,
    start: int,
    end: int,
    *,
    tools: Sequence[str] | None = None,
    last: bool = False,
) -> dict[str, Any]:
    """Scan the lines of ``name`` from byte ``start`` to ``end`` (line starts) as a log of
    their own; what Engine.absorb merges, with ``read``, the bytes read."""
    from .reader import LogSource

    with LogSource(name) as src:
        scan = engine.begin(tools, size_hint=src.size)
        # The last stretch reads to the end of the file as it is then, as one process would.
        engine.feed(scan, src.blocks(start, None if last else end, numbered=False))
        read = src.bytes_read
        if scan.windows and not last:
            engine.follow(scan, src.blocks(end, None, first_line=scan.lines + 1))
    return {**scan.export(), "read": read}
