"""One log's share of a mining run, computed where the log is read (a worker process, a Dask
worker): the audit by the rule pack (is the run already flagged?) and the set of its line
templates, each as a 64-bit hash with the number of the first line that has it. A log is read
once: the blocks that the engine scans are templated on the way."""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import ExitauditError
from ..model import Kind, RunResult
from ..reader import Block, LogSource, clean
from .templates import hashes, mask

FLAGGED = frozenset({Kind.FALSE_SUCCESS, Kind.WRONG_CODE, Kind.FALSE_FAILURE})
"""A run with a finding of these kinds is one the pack already flags: a known lie."""


@dataclass(frozen=True)
class MinedRun:
    source: str
    exit_code: int | None
    tools: tuple[str, ...]
    verdict: str
    known: bool
    flag: str | None
    """The kind the pack flags the run with (false-success, wrong-code, false-failure), if any:
    what the run really did, as far as the rules know."""
    hashes: bytes
    """array('Q'): the run's distinct templates."""
    lines: bytes
    """array('I'): for each template, the first line that has it."""


Outcome = tuple[MinedRun | None, str | None]
_ORDER = [Kind.FALSE_SUCCESS, Kind.WRONG_CODE, Kind.FALSE_FAILURE]


class Templater:
    """Collects a log's distinct templates block by block, in bounded memory: one entry per
    distinct template, never the lines."""

    def __init__(self, platform: str | None = None) -> None:
        self.first: dict[int, int] = {}
        self.platform = platform

    def tap(self, blocks: Iterable[Block]) -> Iterator[Block]:
        """The blocks, unchanged, templating each one as it passes: the tool's own lines,
        with the CI envelope (if any) removed as the rules see them (envelope.py)."""
        from .. import envelope

        line = 1
        pending = b""
        env: envelope.Envelope | None = None
        for i, block in enumerate(blocks):
            yield block
            if i == 0:
                env = envelope.resolve(self.platform, block.data)
            if env is not None:
                block = env.unwrap(block)
            data = pending + block.data
            cut = data.rfind(b"\n") + 1
            pending = data[cut:][:1 << 16]  # an unfinished line goes on in the next block (its start is enough)
            if cut:
                line = self._add(data[:cut], block.first_line or line)
        if pending:
            self._add(pending + b"\n", line)

    def _add(self, data: bytes, first_line: int) -> int:
        import polars as pl

        text = clean(data).decode("utf-8", errors="replace")
        lines = text.split("\n")
        lines.pop()  # after the last newline
        # A progress bar's CRs: the segment a terminal would show last.
        lines = [ln.rsplit("\r", 1)[-1] if "\r" in ln else ln for ln in lines]
        series = pl.Series(lines, dtype=pl.String)
        frame = pl.DataFrame({
            "h": hashes(mask(series)),
            "line": pl.int_range(first_line, first_line + len(lines), dtype=pl.UInt32, eager=True),
        })
        # Blank lines are not a template of anything.
        frame = frame.filter(series.str.contains(r"\S")).unique("h", keep="first", maintain_order=True)
        first = self.first
        for h, n in frame.iter_rows():
            first.setdefault(h, n)
        return first_line + len(lines)

    def arrays(self) -> tuple[bytes, bytes]:
        return array("Q", self.first.keys()).tobytes(), array("I", self.first.values()).tobytes()


def mine_one(task, engine) -> Outcome:  # type: ignore[no-untyped-def]
    """Audit and template one log: (MinedRun, None), or (None, why it could not be read)."""
    source, status, tools, error = task
    if error is not None:
        return None, error
    from ..steps import audit_job

    platform = getattr(engine, "ci_platform", None)
    templater = Templater(platform)
    try:
        with LogSource(source) as src:
            run = audit_job(engine, templater.tap(src.blocks()), status, tools=tools, source=source, checks=False, platform=platform)
    except ExitauditError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - one log that crashes must not lose the mining run
        if os.environ.get("EXITAUDIT_DEBUG"):
            raise
        return None, f"{source}: internal error: {type(exc).__name__}: {exc}"
    return _mined(run, templater), None


def _mined(run: RunResult, templater: Templater) -> MinedRun:
    h, lines = templater.arrays()
    flags = [f.kind for f in run.findings if f.kind in FLAGGED]
    flag = min(flags, key=_ORDER.index).value if flags else None
    return MinedRun(run.source, run.exit_status.code, run.tools, run.verdict.value, flag is not None, flag, h, lines)


_ENGINE = None


def set_engine(engine) -> None:  # type: ignore[no-untyped-def]
    global _ENGINE
    _ENGINE = engine


def mine_task(task) -> Outcome:  # type: ignore[no-untyped-def]
    """``mine_one`` with the engine set in this process (forked workers inherit it)."""
    return mine_one(task, _ENGINE)


def mine_chunk(chunk, engine) -> list[Outcome]:  # type: ignore[no-untyped-def]
    """On a Dask worker: a chunk of logs with the shipped engine."""
    from ..distributed import _WORKER_LOCK  # one chunk at a time per process: see distributed.py

    with _WORKER_LOCK:
        return [mine_one(task, engine) for task in chunk]
