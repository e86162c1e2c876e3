"""``exitaudit batch``: audit many logs, each against its own exit status, into tables.

    sources (manifests, directories, globs) -> jobs (log, exit status, tools, carried columns)
    -> audits (a fork pool, the Engine built once in the parent) -> one row per run and one per
    finding -> tables (CSV, TSV, JSON Lines, Parquet), a summary made with polars, JUnit.

polars is imported only here, and only inside the functions that need it, so that
``exitaudit check`` starts as fast as before.

The source of a run is the log's path as the user would open it from the current directory:
a manifest's relative paths joined to the manifest's directory as given, a directory's files
joined to the directory as given, a glob's matches as glob returns them. A ``--baseline``
matches findings by (source, check), so audit a growing archive from the same place each time.
"""

from __future__ import annotations

import errno
import glob as globmod
import json
import math
import os
import stat
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from .errors import ExitauditError, InputError, UsageError
from .model import VERDICT_ORDER, ExitStatus, Finding, Kind, Origin, RunResult, Severity, lowered_verdict, verdict_counts
from .output import Staged as _Staged
from .parallel import audit_source, ignore_interrupts
from .reader import LogSource, is_url, read_text
from .selection import Selection

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import ProcessPoolExecutor

    import polars as pl

    from .engine import Engine

TABLE_FORMATS: dict[str, str] = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
"""Manifests, results, summaries and baselines: the format is the file name's extension."""
SIDECAR = ".exit"
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz")
NO_TOOL = "(none)"
"""The group of runs no rule file recognised, in the summary and the JUnit file."""
SYNTHETIC_TOOL = "exitaudit"
"""The tool of the engine's own findings (no-coverage, unexplained-failure, ...): such a finding
belongs to every tool of its run."""
TOP_CHECKS = 3
PLAIN_SUMMARY_TOOLS = 5

KIND_COLUMNS: dict[Kind, str] = {k: "n_" + k.value.replace("-", "_") for k in VERDICT_ORDER}
RUN_COLUMNS: tuple[str, ...] = (
    "source", "exit_code", "exit_signal", "exit_origin", "tools", "verdict", "checks",
    *KIND_COLUMNS.values(), "n_baselined", "error",
    # A CI job log (steps.py): its platform, its steps, those that failed, those with a mismatch.
    "platform", "n_steps", "n_steps_failed", "n_steps_mismatched",
)
FINDING_COLUMNS: tuple[str, ...] = ("source", "check", "tool", "kind", "severity", "message", "line", "baselined", "step")
CARRIED_PREFIX = "manifest_"
"""A manifest column whose name a result column has (``verdict``, ``error``, ...) is carried
under this prefix."""
_RESERVED = set(RUN_COLUMNS) | set(FINDING_COLUMNS)


def table_format(path: str, what: str) -> str:
    """The table format of ``path`` by its extension, or a usage error naming ``what`` it is."""
    fmt = TABLE_FORMATS.get(os.path.splitext(path)[1].lower())
    if fmt is None:
        raise UsageError(f"unknown table format of {path!r}: name it .csv, .tsv, .jsonl or .parquet", where=what)
    return fmt


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line if len(line) <= 200 else line[:200] + "…"


# --------------------------------------------------------------------------------------------
# Sources -> jobs


@dataclass(frozen=True)
class Columns:
    """Manifest column names (``--path-column`` and friends). ``tool``/``date`` None: ``tool``
    and ``date`` when the manifest has them, nothing otherwise."""

    path: str = "path"
    exit: str = "exit_code"
    tool: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Job:
    """One log to audit."""

    source: str
    status: ExitStatus
    tools: tuple[str, ...] | None = None
    """Audit as these tools; None: detect."""
    carried: dict[str, Any] | None = None
    """The manifest row's other columns, under their output names."""
    error: str | None = None
    """Why the log cannot be audited, found before reading it (a bad sidecar)."""
    skipped: bool = False
    """Not a log after all (a symbolic-link loop): a row that says so, a warning, not an error."""


@dataclass
class Jobs:
    jobs: list[Job] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)
    """Output names of the carried columns, in order of first appearance."""
    date: str | None = None
    """Output name of the date column, when one exists."""


def collect(
    sources: Sequence[str],
    columns: Columns,
    *,
    known_tools: Iterable[str],
    default_tools: Sequence[str] | None = None,
    selection: Selection | None = None,
) -> Jobs:
    """Every job of every source, in order. A source that cannot be read as a whole (a bad
    manifest, a glob matching nothing) raises, before anything is audited or written."""
    known = set(known_tools)
    out = Jobs()
    date_sources: list[str] = []
    default = tuple(default_tools) if default_tools else None
    for source in sources:
        if source == "-":
            raise UsageError("standard input cannot be a batch source; name a manifest, a directory or a glob", where="-")
        if os.path.isdir(source):
            out.jobs += _directory_jobs(source, default, selection)
        elif os.path.splitext(source)[1].lower() in TABLE_FORMATS and (os.path.exists(source) or not globmod.has_magic(source)):
            jobs, carried, date_name = _manifest_jobs(source, columns, known, default)
            out.jobs += jobs
            for name in carried:
                if name not in out.carried:
                    out.carried.append(name)
            if date_name is not None:
                date_sources.append(date_name)
        else:
            out.jobs += _glob_jobs(source, default, selection)
    date_names = set(date_sources)
    if len(date_names) > 1:  # cannot happen: the output name is the column name or its prefixed form
        raise UsageError(f"manifests disagree on the date column: {', '.join(sorted(date_names))}", where="--date-column")
    out.date = date_sources[0] if date_sources else None
    if columns.date is not None and out.date is None:
        raise UsageError(f"no manifest has a column {columns.date!r}", where="--date-column")
    _normalise_carried(out)
    return out


def _status_from_sidecar(log: str, names: set[str] | None = None, shared: int = 1) -> tuple[ExitStatus, str | None]:
    """The exit status in ``<log>.exit`` (or, for ``x.log.gz``, ``x.log.exit``), else in
    ``x.rc`` beside ``x.log``, else in an ``exit_code`` file beside it (the sample_logs/ layout),
    which ``shared`` logs of the folder would share: more than one is ambiguous, an error.
    Unknown when there is none, so that a CI job log may give its own. ``names``: the file
    names in the log's folder, when known, so that a missing sidecar costs no system call."""
    from .selection import EXIT_CODE_FILE, RC_SUFFIX

    candidates = [log + SIDECAR]
    stem, ext = os.path.splitext(log)
    if ext.lower() in COMPRESSED_SUFFIXES:
        candidates.append(stem + SIDECAR)
        stem = os.path.splitext(stem)[0]
    candidates.append(stem + RC_SUFFIX)
    folder_file = os.path.join(os.path.dirname(log), EXIT_CODE_FILE)
    candidates.append(folder_file)
    for sidecar in candidates:
        if sidecar == log:
            continue
        if sidecar is folder_file and shared > 1 and (names is None or EXIT_CODE_FILE in names) and os.path.isfile(sidecar):
            return ExitStatus.unknown(), f"{sidecar}: one exit_code file beside {shared} logs; give each log its own <log>.exit"
        if names is not None and os.path.basename(sidecar) not in names:
            continue
        status = _read_sidecar_quickly(sidecar)
        if status is not None:
            return status, None
        if os.path.lexists(sidecar) and not os.path.isdir(sidecar):  # read_text says what is wrong: a FIFO, its text
            try:
                return ExitStatus.parse(read_text(sidecar), Origin.FILE, sidecar), None
            except InputError as exc:
                return ExitStatus.unknown(), str(exc)
    return ExitStatus.unknown(), None


def _read_sidecar_quickly(path: str) -> ExitStatus | None:
    """A well-formed sidecar's status with four system calls (a batch reads one per log, in
    this process, before any worker starts); None for anything else, which read_text and
    ExitStatus.parse then explain."""
    try:
        # Non-blocking: a FIFO planted as a sidecar must not hang the batch (refused by read_text).
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, 32)
    except OSError:
        return None
    finally:
        os.close(fd)
    text = data.strip()
    if len(data) >= 32 or not text.isdigit() or len(text) > 3:
        return None
    code = int(text)
    return ExitStatus.from_code(code, Origin.FILE, path) if code <= 255 else None


def _is_log_name(name: str) -> bool:
    return not name.startswith(".") and not name.endswith(SIDECAR)


def _log_job(path: str, tools: tuple[str, ...] | None, names: set[str] | None = None, shared: int = 1) -> Job:
    status, error = _status_from_sidecar(path, names, shared)
    return Job(path, status, tools, None, error)


def _directory_jobs(top: str, tools: tuple[str, ...] | None, selection: Selection | None = None) -> list[Job]:
    """Every log under ``top``, in sorted order, folders after the files beside them."""
    jobs: list[Job] = []
    pending = [top]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            raise InputError(f"cannot read directory: {exc.strerror or exc}", where=exc.filename or folder) from None
        names = {e.name for e in entries}
        subfolders = []
        logs = []
        loops: list[Job] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):  # as os.walk: a linked folder is not entered
                subfolders.append(entry.path)
            elif _is_log_name(entry.name) and _is_file(entry) and (selection or Selection()).wants(entry.path, top):
                logs.append(entry.path)
            elif _is_log_name(entry.name) and entry.is_symlink() and _link_loops(entry.path):
                loops.append(Job(entry.path, ExitStatus.unknown(), tools, None, f"{entry.path}: a loop of symbolic links; skipped", skipped=True))
        jobs += [_log_job(path, tools, names, len(logs)) for path in logs] + loops
        pending += reversed(subfolders)
    return jobs


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:  # ELOOP, ENAMETOOLONG: a link that leads nowhere
        return False


def _link_loops(path: str) -> bool:
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _glob_jobs(pattern: str, tools: tuple[str, ...] | None, selection: Selection | None = None) -> list[Job]:
    matches = sorted(globmod.glob(pattern, recursive=True))
    wanted = selection or Selection()
    logs = [p for p in matches if _is_log_name(os.path.basename(p)) and os.path.isfile(p) and wanted.wants(p)]
    if not logs:
        if not globmod.has_magic(pattern):
            raise InputError("no such file or directory", where=pattern)
        raise InputError("no log file matches this pattern", where=pattern)
    per_folder = Counter(os.path.dirname(p) for p in logs)
    return [_log_job(p, tools, shared=per_folder[os.path.dirname(p)]) for p in logs]


# Manifests ---------------------------------------------------------------------------------


MANIFEST_BATCH = 50_000
"""Manifest rows read at a time: a manifest is streamed, never held whole (10 million rows held
as dicts took 6.5 GB before the bad last row was reported)."""

Rows = Callable[[], Iterator[dict[str, Any]]]
"""A manifest's rows, read anew from the file each time it is called."""


def _open_manifest(path: str) -> tuple[list[str], Rows]:
    """The column names of a manifest and a way to stream its rows; InputError naming the file
    when it cannot be read (raised by the call, or while the rows are read)."""
    fmt = TABLE_FORMATS[os.path.splitext(path)[1].lower()]
    if not os.path.exists(path):
        raise InputError("no such file", where=path)
    if not os.path.isfile(path):
        raise InputError("is not a file", where=path)
    if fmt == "jsonl":
        names: dict[str, None] = {}
        for row in _jsonl_rows(path):
            for key in row:
                names.setdefault(key, None)
        return list(names), lambda: _jsonl_rows(path)
    import polars as pl

    def scan() -> pl.LazyFrame:
        if fmt == "parquet":
            return pl.scan_parquet(path)
        return pl.scan_csv(path, separator="\t" if fmt == "tsv" else ",", infer_schema=False)

    def failed(exc: Exception) -> InputError:
        if isinstance(exc, PermissionError):
            return InputError("permission denied", where=path)
        if isinstance(exc, pl.exceptions.NoDataError):
            return InputError(f"empty {fmt.upper()} file: a manifest needs at least a header", where=path)
        return InputError(f"cannot read as {fmt.upper()}: {_first_line(exc)}", where=path)

    try:
        names_list = scan().collect_schema().names()
    except Exception as exc:  # noqa: BLE001 - polars raises many kinds; each is an unreadable manifest
        raise failed(exc) from None

    def rows() -> Iterator[dict[str, Any]]:
        try:
            for df in scan().collect_batches(chunk_size=MANIFEST_BATCH):
                yield from df.iter_rows(named=True)
        except Exception as exc:  # noqa: BLE001 - as above, found while reading on
            raise failed(exc) from None

    return names_list, rows


def _jsonl_rows(path: str) -> Iterator[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"line {number}: not JSON: {exc.msg}", where=path) from None
                if not isinstance(row, dict):
                    raise InputError(f"line {number}: expected a JSON object, got {type(row).__name__}", where=path)
                yield row
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (byte {exc.start})", where=path) from None
    except PermissionError:
        raise InputError("permission denied", where=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", where=path) from None


def _cell_text(value: Any) -> str | None:
    """A cell as text, or None when empty."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


def _manifest_jobs(
    path: str,
    columns: Columns,
    known_tools: set[str],
    default_tools: tuple[str, ...] | None,
) -> tuple[list[Job], list[str], str | None]:
    names, rows = _open_manifest(path)
    listed = ", ".join(names) or "none"
    for col, option in ((columns.path, "--path-column"), (columns.exit, "--exit-column")):
        if col not in names:
            raise InputError(f"no column {col!r} (columns: {listed}); name it with {option}", where=path)
    tool_col = columns.tool if columns.tool is not None else ("tool" if "tool" in names else None)
    if tool_col is not None and tool_col not in names:
        raise InputError(f"no column {tool_col!r} (columns: {listed}); name it with --tool-column", where=path)
    used = {columns.path, columns.exit, tool_col}
    carried = {c: (CARRIED_PREFIX + c if c in _RESERVED else c) for c in names if c not in used}
    date_col = columns.date if columns.date is not None else "date"
    date_name = carried.get(date_col)

    base = os.path.dirname(path)

    def jobs() -> Iterator[Job]:
        for number, row in enumerate(rows(), 1):
            yield _manifest_job(path, number, row, base, columns, tool_col, carried, known_tools, default_tools)

    # Every row is checked before any job is kept: a bad row (the last of millions) is reported
    # with its number at the memory of one batch of rows, not of the whole manifest's jobs. The
    # check remembers the exit codes and tool cells it has seen valid (a few distinct values
    # over millions of rows); a row it doubts is made into a job, which raises the error.
    good_codes: set[str] = set()
    good_tools: set[str] = set()
    for number, row in enumerate(rows(), 1):
        if not _plausible(row, columns, tool_col, known_tools, good_codes, good_tools):
            _manifest_job(path, number, row, base, columns, tool_col, carried, known_tools, default_tools)
    return list(jobs()), list(carried.values()), date_name


def _plausible(
    row: dict[str, Any],
    columns: Columns,
    tool_col: str | None,
    known_tools: set[str],
    good_codes: set[str],
    good_tools: set[str],
) -> bool:
    """Whether a manifest row is valid, cheaply: False sends it to _manifest_job for the error."""
    if _cell_text(row.get(columns.path)) is None:
        return False
    value = row.get(columns.exit)
    if isinstance(value, bool):
        return False
    code = _cell_text(value)
    if code is not None and code not in good_codes:
        try:
            ExitStatus.parse(code, Origin.FILE, "")
        except InputError:
            return False
        if len(good_codes) < 1000:
            good_codes.add(code)
    if tool_col is not None:
        cell = _cell_text(row.get(tool_col))
        if cell is not None and cell not in good_tools:
            if not all(t in known_tools for t in cell.split()):
                return False
            if len(good_tools) < 10_000:
                good_tools.add(cell)
    return True


def _manifest_job(
    path: str,
    number: int,
    row: dict[str, Any],
    base: str,
    columns: Columns,
    tool_col: str | None,
    carried: dict[str, str],
    known_tools: set[str],
    default_tools: tuple[str, ...] | None,
) -> Job:
    """One manifest row as a job; InputError naming the row when it is not valid."""
    where = f"{path}: row {number}"
    log = _cell_text(row.get(columns.path))
    if log is None:
        raise InputError(f"{columns.path}: empty; every row needs a log path", where=where)
    if not is_url(log):  # a URL (s3://...) is read as it is, by fsspec
        if log.startswith("~"):
            log = os.path.expanduser(log)
        if not os.path.isabs(log):
            log = os.path.join(base, log)
    code = _cell_text(row.get(columns.exit))
    if code is None:
        status = ExitStatus.unknown()
    elif isinstance(row.get(columns.exit), bool):
        raise InputError(f"{columns.exit}: expected an exit code from 0 to 255, got {row.get(columns.exit)!r}", where=where)
    else:
        try:
            status = ExitStatus.parse(code, Origin.FILE, f"{path} row {number}")
        except InputError as exc:
            raise InputError(f"{columns.exit}: {exc.message}", where=where) from None
    tools = default_tools
    if tool_col is not None:
        cell = _cell_text(row.get(tool_col))
        if cell is not None:
            tools = tuple(dict.fromkeys(cell.split()))
            unknown = [t for t in tools if t not in known_tools]
            if unknown:
                raise InputError(
                    f"{tool_col}: unknown tool {', '.join(unknown)}; known tools: {', '.join(sorted(known_tools))}",
                    where=where,
                )
    values = {out: row.get(name) for name, out in carried.items()}
    return Job(log, status, tools, values)


_SCALARS = (str, int, float, bool, date, datetime, time, timedelta)


def _normalise_carried(out: Jobs) -> None:
    """Carried values as one type per column, so that every format can hold them: nested values
    (JSON Lines, Parquet lists and structs) as JSON text, a column of mixed types as text."""
    for name in out.carried:
        kinds: set[type] = set()
        for job in out.jobs:
            if job.carried is None:
                continue
            value = job.carried.get(name)
            if value is None:
                continue
            if isinstance(value, float) and math.isnan(value):
                job.carried[name] = None
                continue
            if not isinstance(value, _SCALARS):
                value = job.carried[name] = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
            kinds.add(float if type(value) is int else type(value))
        if len(kinds) > 1:
            for job in out.jobs:
                value = job.carried.get(name) if job.carried is not None else None
                if value is None or isinstance(value, str):
                    continue
                job.carried[name] = _cell_text(value) if isinstance(value, int | float) else value.isoformat() if isinstance(value, date | time) else str(value)  # type: ignore[index]


# --------------------------------------------------------------------------------------------
# Baseline


def load_baseline(path: str) -> set[tuple[str, str]]:
    """The (source, check) pairs of a previous per-finding (``check``) or per-run (``checks``,
    space-separated) results file."""
    fmt = table_format(path, "--baseline")
    if not os.path.isfile(path):
        raise InputError("no such file" if not os.path.exists(path) else "is not a file", where=path)
    import polars as pl

    try:
        if fmt == "parquet":
            lf = pl.scan_parquet(path)
        elif fmt == "jsonl":
            lf = pl.scan_ndjson(path, infer_schema_length=None)
        else:
            lf = pl.scan_csv(path, separator="\t" if fmt == "tsv" else ",", infer_schema=False)
        names = lf.collect_schema().names()
        if "source" not in names or not ({"check", "checks"} & set(names)):
            raise InputError(
                f"not a results file of exitaudit batch: needs columns source and check (per finding) or checks (per run); has {', '.join(names) or 'none'}",
                where=path,
            )
        col = "check" if "check" in names else "checks"
        pairs = lf.select(pl.col("source").cast(pl.String), pl.col(col).cast(pl.String))
        if col == "checks":
            pairs = pairs.with_columns(pl.col("checks").str.split(" ")).explode("checks")
        df = pairs.drop_nulls().filter(pl.col(col) != "").unique().collect()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any polars failure is an unreadable baseline
        raise InputError(f"cannot read as {fmt.upper()}: {_first_line(exc)}", where=path) from None
    return set(zip(df.get_column("source").to_list(), df.get_column(col).to_list(), strict=True))


# --------------------------------------------------------------------------------------------
# Auditing


_ENGINE: Engine | None = None
"""Set in the parent before the pool forks; each worker inherits it, compiled."""

Task = tuple[str, ExitStatus, tuple[str, ...] | None, str | None]


def set_engine(engine: Engine) -> None:
    global _ENGINE
    _ENGINE = engine


def audit_one(task: Task) -> tuple[RunResult | None, str | None]:
    """Audit one log (in a worker, or in-process): its result, or the one-line reason it could
    not be read. Streams the log block by block."""
    source, status, tools, error = task
    if error is not None:
        return None, error
    assert _ENGINE is not None, "set_engine() first"
    try:
        with LogSource(source) as src:
            # One process per log: a batch's logs are its unit of parallel work. Per-check
            # outcomes are for check's JUnit; a batch never reads them.
            run = audit_source(_ENGINE, src, status, tools=tools, source=source, checks=False)
    except ExitauditError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - one log that crashes the engine must not lose the batch
        if os.environ.get("EXITAUDIT_DEBUG"):
            raise
        return None, f"{source}: internal error: {type(exc).__name__}: {_first_line(exc)} (set EXITAUDIT_DEBUG=1 for the traceback)"
    return run, None


def make_pool(jobs: int) -> ProcessPoolExecutor | None:
    """``jobs`` forked worker processes, started now, or None (in-process) for one job or where
    fork is not available. Call after set_engine and before anything starts threads (polars,
    rich). An executor, not multiprocessing.Pool: a worker killed outright (the OOM killer)
    breaks the executor, where a Pool would wait for its results for ever. Close with
    close_pool()."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=ignore_interrupts)
    pool.submit(int).result()  # with fork, the first task starts every worker: before any thread
    return pool


def close_pool(pool: ProcessPoolExecutor | None) -> None:
    """Cancel what has not started (after Ctrl-C or an error) and wait for the workers: at most
    one chunk of logs each."""
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def audit_all(
    tasks: Sequence[Task],
    pool: ProcessPoolExecutor | None,
    work: Callable[[Task], Any] | None = None,
) -> Iterator[Any]:
    """``work`` (default: audit_one, looked up when called) of every task, in input order, on
    the pool's workers. InputError (one line, exit 2, no report) when a worker dies."""
    if work is None:
        work = audit_one
    if pool is None or len(tasks) < 2:
        for task in tasks:
            yield work(task)
        return
    from concurrent.futures.process import BrokenProcessPool

    workers = getattr(pool, "_max_workers", 2) or 2
    chunksize = max(1, min(64, len(tasks) // (workers * 8)))
    done = 0
    try:
        for result in pool.map(work, tasks, chunksize=chunksize):
            yield result
            done += 1
    except BrokenProcessPool:
        raise InputError(
            f"a worker process died (killed by the system?) with {len(tasks) - done} of {len(tasks)} logs not audited; "
            "no report written; try fewer --jobs",
            where="batch",
        ) from None


# --------------------------------------------------------------------------------------------
# Results


@dataclass
class Results:
    """Every run's row and every finding's row, column by column, and the counts the exit code
    and the plain summary need."""

    carried: list[str]
    date: str | None
    fail_on: Severity
    baseline: set[tuple[str, str]] | None = None
    runs: dict[str, list[Any]] = field(default_factory=dict)
    run_carried: list[dict[str, Any] | None] = field(default_factory=list)
    run_tools: list[tuple[str, ...]] = field(default_factory=list)
    """Per run: the tools it is grouped under (detected, or declared for an unreadable log)."""
    findings: dict[str, list[Any]] = field(default_factory=dict)
    finding_run: list[int] = field(default_factory=list)
    verdicts: Counter[str] = field(default_factory=Counter)
    lowered: Counter[tuple[Kind, Severity]] = field(default_factory=Counter)
    """Runs whose verdict stands below its kind's default severity, by verdict and severity."""
    errors: int = 0
    skipped: int = 0
    """Rows of entries that were not logs after all (a symbolic-link loop)."""
    failing: int = 0
    """Findings at or above fail_on that the baseline does not hold."""
    baselined: int = 0
    keep_evidence: bool = False
    """Keep each finding's evidence lines (cut short) for the HTML page; off, a batch keeps none."""
    evidence: list[tuple[tuple[int, str], ...]] = field(default_factory=list)
    """Per finding row, with keep_evidence: its first evidence lines as (line, text)."""

    def __post_init__(self) -> None:
        self.runs = {c: [] for c in RUN_COLUMNS}
        self.findings = {c: [] for c in FINDING_COLUMNS}

    def __len__(self) -> int:
        return len(self.run_carried)

    def add(self, job: Job, run: RunResult | None, error: str | None) -> None:
        index = len(self.run_carried)
        r = self.runs
        self.run_carried.append(job.carried)
        r["source"].append(job.source)
        if run is None:
            es = job.status
            if job.skipped:
                self.skipped += 1
            else:
                self.errors += 1
            self.run_tools.append(job.tools or ())
            r["tools"].append(" ".join(job.tools) if job.tools else None)
            r["verdict"].append(None)
            r["checks"].append(None)
            for col in (*KIND_COLUMNS.values(), "n_baselined"):
                r[col].append(None)
            r["error"].append(error or "not audited")
            for col in ("platform", "n_steps", "n_steps_failed", "n_steps_mismatched"):
                r[col].append(None)
        else:
            es = run.exit_status
            self.run_tools.append(run.tools)
            r["tools"].append(" ".join(run.tools))
            r["verdict"].append(run.verdict.value)
            self.verdicts[run.verdict.value] += 1
            lowered = lowered_verdict(run)
            if lowered is not None:
                self.lowered[(run.verdict, lowered)] += 1
            kinds: Counter[Kind] = Counter()
            baselined = 0
            f = self.findings
            for finding in run.findings:
                known = self.baseline is not None and (job.source, finding.check) in self.baseline
                kinds[finding.kind] += 1
                if known:
                    baselined += finding.kind.disagrees
                elif finding.severity.rank >= self.fail_on.rank:
                    self.failing += 1
                self.finding_run.append(index)
                f["source"].append(job.source)
                f["check"].append(finding.check)
                f["tool"].append(finding.tool)
                f["kind"].append(finding.kind.value)
                f["severity"].append(finding.severity.value)
                f["message"].append(finding.message)
                f["line"].append(finding.line)
                f["baselined"].append(known)
                if self.keep_evidence:
                    self.evidence.append(_kept_evidence(finding))
                f["step"].append(finding.step)
            self.baselined += baselined
            r["checks"].append(" ".join(sorted({fd.check for fd in run.findings})))
            for kind, col in KIND_COLUMNS.items():
                r[col].append(kinds[kind])
            r["n_baselined"].append(baselined)
            r["error"].append(None)
            r["platform"].append(run.platform)
            r["n_steps"].append(len(run.steps))
            r["n_steps_failed"].append(sum(1 for st in run.steps if st.exit_status.failed or (st.exit_status.code or 0) != 0))
            r["n_steps_mismatched"].append(sum(1 for st in run.steps if st.verdict.is_mismatch))
        r["exit_code"].append(es.code)
        r["exit_signal"].append(es.signal)
        r["exit_origin"].append(es.origin.value)

    # Tables ---------------------------------------------------------------------------------

    def _carried_series(self, rows: Sequence[int] | None = None) -> list[pl.Series]:
        import polars as pl

        out = []
        for name in self.carried:
            carried = self.run_carried if rows is None else [self.run_carried[i] for i in rows]
            values = [c.get(name) if c is not None else None for c in carried]
            try:
                s = pl.Series(name, values)
            except Exception:  # noqa: BLE001 - types polars cannot put in one column: as text
                s = pl.Series(name, [None if v is None else str(v) for v in values], dtype=pl.String)
            if s.dtype == pl.Null:
                s = s.cast(pl.String)
            out.append(s)
        return out

    def runs_frame(self) -> pl.DataFrame:
        import polars as pl

        int_cols = {"exit_code", *KIND_COLUMNS.values(), "n_baselined", "n_steps", "n_steps_failed", "n_steps_mismatched"}
        cols = [pl.Series("source", self.runs["source"], dtype=pl.String), *self._carried_series()]
        for name in RUN_COLUMNS[1:]:
            cols.append(pl.Series(name, self.runs[name], dtype=pl.Int64 if name in int_cols else pl.String))
        return pl.DataFrame(cols)

    def findings_frame(self) -> pl.DataFrame:
        import polars as pl

        types = {"line": pl.Int64, "baselined": pl.Boolean}
        cols = [pl.Series("source", self.findings["source"], dtype=pl.String), *self._carried_series(self.finding_run)]
        for name in FINDING_COLUMNS[1:]:
            cols.append(pl.Series(name, self.findings[name], dtype=types.get(name, pl.String)))
        return pl.DataFrame(cols)

    def summary_frame(self) -> pl.DataFrame:
        """Per tool, then per check of that tool: runs audited, mismatches (findings of a mismatch
        kind), those not in the baseline, runs with a false-success and their share of the
        tool's runs, first and last seen (with a date column), the top checks."""
        import polars as pl

        runs = pl.DataFrame({
            "_run": pl.Series(range(len(self)), dtype=pl.Int64),
            "tool": pl.Series([list(t) or [NO_TOOL] for t in self.run_tools], dtype=pl.List(pl.String)),
            "_error": pl.Series(self.runs["error"], dtype=pl.String),
        })
        if self.date is not None:
            runs = runs.with_columns(self._carried_series()[self.carried.index(self.date)].alias("_date"))
        audited = runs.filter(pl.col("_error").is_null()).drop("_error").explode("tool")
        finds = pl.DataFrame({
            "_run": pl.Series(self.finding_run, dtype=pl.Int64),
            "_ftool": pl.Series(self.findings["tool"], dtype=pl.String),
            "check": pl.Series(self.findings["check"], dtype=pl.String),
            "kind": pl.Series(self.findings["kind"], dtype=pl.String),
            "baselined": pl.Series(self.findings["baselined"], dtype=pl.Boolean),
        })
        mismatch = [k.value for k in Kind if k.disagrees]  # not no-coverage, unknown status, incomplete
        attributed = (
            finds.filter(pl.col("kind").is_in(mismatch))
            .join(audited, on="_run")
            .filter((pl.col("_ftool") == pl.col("tool")) | (pl.col("_ftool") == SYNTHETIC_TOOL))
        )
        fs_run = pl.col("_run").filter(pl.col("kind") == Kind.FALSE_SUCCESS.value)
        aggs = [
            pl.len().alias("mismatches"),
            (~pl.col("baselined")).sum().alias("new_mismatches"),
            fs_run.n_unique().alias("false_success_runs"),
        ]
        if self.date is not None:
            aggs += [pl.col("_date").min().alias("first_seen"), pl.col("_date").max().alias("last_seen")]
        per_check = attributed.group_by("tool", "check").agg(aggs)
        per_tool = attributed.group_by("tool").agg(aggs)
        top = (
            per_check.sort(["mismatches", "check"], descending=[True, False])
            .group_by("tool", maintain_order=True)
            .agg((pl.col("check") + " (" + pl.col("mismatches").cast(pl.String) + ")").head(TOP_CHECKS).str.join(", ").alias("top_checks"))
        )
        tool_runs = audited.group_by("tool").agg(pl.col("_run").n_unique().cast(pl.Int64).alias("runs"))
        counts = ["mismatches", "new_mismatches", "false_success_runs"]
        tools = (
            tool_runs.join(per_tool, on="tool", how="left")
            .join(top, on="tool", how="left")
            .with_columns(pl.col(counts).fill_null(0).cast(pl.Int64), pl.lit(None, dtype=pl.String).alias("check"))
        )
        checks = per_check.join(tool_runs, on="tool", how="left").with_columns(
            pl.col(counts).cast(pl.Int64), pl.lit(None, dtype=pl.String).alias("top_checks")
        )
        order = ["tool", "check", "runs", *counts, "false_success_rate"]
        if self.date is not None:
            order += ["first_seen", "last_seen"]
        order.append("top_checks")
        rate = (pl.col("false_success_runs") / pl.col("runs")).alias("false_success_rate")
        both = pl.concat([tools.with_columns(rate).select(order), checks.with_columns(rate).select(order)], how="vertical_relaxed")
        return both.sort(
            [pl.col("tool"), pl.col("check").is_not_null(), pl.col("mismatches"), pl.col("check")],
            descending=[False, False, True, False],
            nulls_last=False,
        )

    def junit_runs(self) -> list[dict[str, Any]]:
        """Per run: what the batch JUnit shape reads."""
        per_run: list[list[dict[str, Any]]] = [[] for _ in range(len(self))]
        f = self.findings
        for i, run in enumerate(self.finding_run):
            per_run[run].append({c: f[c][i] for c in ("check", "tool", "kind", "severity", "message", "line", "baselined", "step")})
        return [
            {"source": self.runs["source"][i], "tools": self.run_tools[i], "error": self.runs["error"][i], "findings": per_run[i]}
            for i in range(len(self))
        ]

    # Summaries --------------------------------------------------------------------------------

    def headline(self) -> str:
        n = len(self)
        audited = n - self.errors
        parts = verdict_counts({k: self.verdicts[k.value] for k in VERDICT_ORDER}, self.lowered)
        text = f"Audited {audited} run{'s' if audited != 1 else ''}"
        if parts:
            text += ": " + ", ".join(parts)
        if self.errors:
            text += f"; {self.errors} unreadable"
        if self.skipped:
            text += f"; {self.skipped} skipped"
        if self.failing:
            text += f"; {self.failing} finding(s) at or above {self.fail_on.value}"
        if self.baseline is not None:
            text += f"; {self.baselined} mismatch(es) already in the baseline"
        return text + "."

    def plain_summary(self, summary: pl.DataFrame) -> str:
        """A few lines for a CI log: the headline, then the tools with the most mismatches."""
        import polars as pl

        lines = [self.headline()]
        tools = summary.filter(pl.col("check").is_null() & (pl.col("mismatches") > 0)).sort(
            ["mismatches", "tool"], descending=[True, False]
        )
        for row in tools.head(PLAIN_SUMMARY_TOOLS).iter_rows(named=True):
            new = f" ({row['new_mismatches']} new)" if self.baseline is not None else ""
            lines.append(
                f"  {row['tool']}: {row['runs']} run(s), {row['mismatches']} mismatch(es){new}, "
                f"false-success in {_percent(row['false_success_rate'])} of runs; top: {row['top_checks']}"
            )
        if tools.height > PLAIN_SUMMARY_TOOLS:
            lines.append(f"  … and {tools.height - PLAIN_SUMMARY_TOOLS} more tool(s) with mismatches")
        return "\n".join(lines) + "\n"

    def print_table(self, summary: pl.DataFrame, file: Any = None) -> None:
        """The summary as a table, for a terminal: each tool, then its checks that found
        mismatches, most first (the --summary file has the top checks as a column as well)."""
        from rich.console import Console
        from rich.table import Table

        dated = "first_seen" in summary.columns
        headers = ["tool / check", "runs", "mismatches"]
        if self.baseline is not None:
            headers.append("new")
        headers.append("false-success")
        if dated:
            headers += ["first seen", "last seen"]
        table = Table(title="exitaudit batch", title_justify="left")
        for h in headers:
            table.add_column(h, justify="left" if h in ("tool / check", "first seen", "last seen") else "right", overflow="fold")
        for row in summary.iter_rows(named=True):
            is_tool = row["check"] is None
            if not is_tool and not row["mismatches"]:
                continue
            cells = [row["tool"] if is_tool else f"  {row['check']}", str(row["runs"]) if is_tool else "", str(row["mismatches"])]
            if self.baseline is not None:
                cells.append(str(row["new_mismatches"]))
            cells.append(_percent(row["false_success_rate"]))
            if dated:
                cells += ["" if row[c] is None else str(row[c]) for c in ("first_seen", "last_seen")]
            table.add_row(*cells, style="bold" if is_tool else None)
        console = Console(file=file or sys.stdout, highlight=False)
        console.print(table)
        console.print(self.headline(), markup=False)


EVIDENCE_KEPT = 5
EVIDENCE_CHARS = 300


def _kept_evidence(finding: Finding) -> tuple[tuple[int, str], ...]:
    from .context import cut

    return tuple((e.line, cut(e.text, EVIDENCE_CHARS)) for e in finding.evidence[:EVIDENCE_KEPT])


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _import_polars() -> None:
    try:
        import polars  # noqa: F401 - imported for its side effect: sys.modules
    except Exception:  # noqa: BLE001 - a thread's exception prints a traceback; the import
        pass  # in the main thread, when the tables are made, fails again and says why


def run_batch(
    jobs: Jobs,
    pool: ProcessPoolExecutor | None,
    *,
    fail_on: Severity,
    baseline: set[tuple[str, str]] | None,
    say: Callable[[str], None],
    progress: bool,
    adjust: Callable[[RunResult], RunResult] | None = None,
    audit: Callable[[Sequence[Task]], Iterator[tuple[RunResult | None, str | None]]] | None = None,
    keep_evidence: bool = False,
) -> Results:
    """Audit every job, in input order; an unreadable log is said (one line) and becomes a row
    with ``error``. ``adjust`` (the configuration file's overrides and suppressions, see
    config.apply) is applied to each run before it is counted. ``audit`` replaces
    ``audit_all(tasks, pool)`` with another stream of the same results in the same order (the
    workers of a Dask cluster, distributed.py)."""
    results = Results(jobs.carried, jobs.date, fail_on, baseline, keep_evidence=keep_evidence)
    tasks: list[Task] = [(j.source, j.status, j.tools, j.error) for j in jobs.jobs]
    stream = audit(tasks) if audit is not None else audit_all(tasks, pool)
    if (pool is not None or audit is not None) and len(tasks) > 1:
        # The tables are made with polars once the last log is audited; importing it takes
        # about 0.3 s, which this process, idle while the workers audit, spends now instead.
        # (After the fork: the workers never see polars' threads.)
        import threading

        threading.Thread(target=_import_polars, name="exitaudit-import-polars", daemon=True).start()
    if adjust is not None:
        stream = ((adjust(run) if run is not None else None, error) for run, error in stream)
    if not progress:
        for job, (run, error) in zip(jobs.jobs, stream, strict=True):
            if error is not None:
                say(f"warning: {error}" if job.skipped else error)
            results.add(job, run, error)
        return results
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    console = Console(file=sys.stderr)
    with Progress(
        TextColumn("auditing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
        console=console, transient=True,
    ) as bar:
        task = bar.add_task("audit", total=len(tasks))
        for job, (run, error) in zip(jobs.jobs, stream, strict=True):
            if error is not None:
                shown = f"warning: {error}" if job.skipped else error
                bar.console.print(f"exitaudit: {shown}", markup=False, highlight=False, soft_wrap=True)
            results.add(job, run, error)
            bar.advance(task)
    return results


# --------------------------------------------------------------------------------------------
# Writing: every output is staged beside its destination, then all are renamed into place.


class Staged(_Staged):
    """output.Staged, which also writes polars tables."""

    def write_table(self, path: str, df: pl.DataFrame) -> None:
        fmt = table_format(path, path)
        if fmt == "parquet":
            self.write(path, df.write_parquet)
        elif fmt == "jsonl":
            self.write(path, df.write_ndjson)
        else:
            self.write(path, lambda tmp: df.write_csv(tmp, separator="\t" if fmt == "tsv" else ","))
