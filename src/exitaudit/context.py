"""Lines around the evidence: what a page shows of the log beside each finding.

A finding carries only its evidence lines; a person reading a report wants the few lines around
them. The log is read once more, streamed, and only the wanted lines are kept, so a large log
costs its reading time and no memory. Standard input cannot be read twice: it has no context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .errors import InputError
from .model import RunResult
from .reader import LogSource, clean

RADIUS = 3
"""Lines shown before and after each evidence line."""
LINE_CHARS = 500
"""A context line longer than this is cut (the length is said)."""
MAX_LINES = 2_000
"""At most this many context lines per log, whatever its findings."""


def wanted_lines(run: RunResult, radius: int = RADIUS) -> set[int]:
    lines: set[int] = set()
    for finding in run.findings:
        for ev in finding.evidence:
            lines.update(range(max(1, ev.line - radius), ev.line + radius + 1))
            if len(lines) >= MAX_LINES:
                return lines
    return lines


def cut(text: str, limit: int = LINE_CHARS) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters]"


def excerpt(open_source: Callable[[], LogSource], lines: Iterable[int], *, unwrap: bool = False, platform: str | None = None) -> dict[int, str]:
    """The text of ``lines`` (1-based) of the log, cleaned as patterns see it (no colour
    escapes, LF endings); with ``unwrap``, without its CI envelope (``platform`` as
    ``--platform`` takes it), as the rules see a line. A log that cannot be read again gives
    what was read."""
    wanted = sorted(set(lines))
    if not wanted:
        return {}
    last = wanted[-1]
    keep = set(wanted)
    out: dict[int, str] = {}
    number = 1
    pending = b""
    try:
        with open_source() as src:
            env = None
            for i, block in enumerate(src.blocks()):
                if unwrap:
                    if i == 0:
                        from .envelope import resolve

                        env = resolve(platform, block.data)
                    if env is not None:
                        block = env.unwrap(block)
                data = pending + block.data
                parts = data.split(b"\n")
                pending = parts.pop()  # an unfinished line goes on in the next block
                for raw in parts:
                    if number in keep:
                        out[number] = cut(clean(raw).decode("utf-8", errors="replace").rstrip("\r"))
                    number += 1
                    if number > last:
                        return out
                if len(pending) > 1 << 20:  # a giant line: its start is enough
                    pending = pending[: LINE_CHARS * 4]
            if pending and number in keep:
                out[number] = cut(clean(pending).decode("utf-8", errors="replace"))
    except (InputError, OSError):
        pass
    return out


def for_runs(runs: Iterable[RunResult], opener: Callable[[str], Callable[[], LogSource] | None]) -> dict[int, dict[int, str]]:
    """Per run (by its index), the context lines of its findings; ``opener(source)`` gives a
    way to read that log again, or None where it cannot be (standard input)."""
    out: dict[int, dict[int, str]] = {}
    for i, run in enumerate(runs):
        lines = wanted_lines(run)
        open_source = opener(run.source) if lines else None
        if open_source is not None:
            out[i] = excerpt(open_source, lines)
    return out


def file_opener(source: str) -> Callable[[], LogSource] | None:
    """Logs named on check's command line: files and URLs can be read again; stdin cannot."""
    if source == "-":
        return None
    return lambda: LogSource(source)
