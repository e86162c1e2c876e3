"""The scan's cost bounded by bytes, not by hits: the engine's bulk paths.

A dense log (verbose test output, application logging at INFO and DEBUG) has a hit of some
pattern on most lines. Two kinds of pattern make most of those hits, and neither needs Python
work per hit:

* **Heads of ``followed_by`` signals** (python's ``handled_tracebacks``: any INFO, DEBUG or
  WARNING line, each opening a window for a ``Traceback`` that almost never follows). A head
  counts only when its tail follows within ``within`` lines, so the scan looks for the rarer
  side: where the tail's required literal is the more selective (``rarer_tail``), the tails
  are scanned for, and only the lines just above a candidate tail line (and
  the last lines of a block, whose window reaches into the next) are searched for heads. The
  windows are then opened and closed as before, for those heads only: the same result.
* **Count-only patterns** (every use a fingerprint, or a signal whose value is its count or
  presence): their candidate lines are searched with one ``map`` of the compiled pattern over
  the lines (a loop in C), and the hits update each use in one step: a count, the first and
  last line, the first few lines as evidence. Only the lines kept are numbered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .scanner import Candidates, decode_line, line_text

COUNTLIKE_VALUES = ("count", "present")
"""Signal values that need no capture: a hit only adds to the count."""


@dataclass(frozen=True)
class Head:
    """A pattern searched only near its tails: the signal it is the head of, and its tail's
    pattern index in the scan."""

    tail_idx: int
    within: int


def rarer_tail(head: str, tail: str) -> bool:
    """Whether a followed_by signal is better driven from its tail: the tail has a required
    literal more selective than the head's (``Traceback (most recent call last):`` against
    ``INFO``), so that its candidates are the fewer. A tail of ``\\S`` (any output) is not."""
    from .prefilter import _score, required_literals_of

    head_lits, tail_lits = required_literals_of([head, tail])
    if tail_lits is None:
        return False
    return head_lits is None or _score(_texts(tail_lits)) > _score(_texts(head_lits))


def _texts(lits) -> frozenset[str]:  # type: ignore[no-untyped-def]
    return frozenset(s.decode("utf-8", "replace") for s in lits.strings)


def head_lines(data: bytes, tail_starts: Iterable[int], within: int) -> set[int]:
    """Starts of the lines of ``data`` that may be heads: the ``within`` lines above each tail
    candidate line (a head's window is the ``within`` lines after it), and the last ``within``
    lines of the block, whose windows reach into the next block."""
    out: set[int] = set()
    rfind = data.rfind
    # Tails in order, then the line after the block's last (unterminated: its last line is a
    # line after the last newline): a walk that meets a line already added stops, since an
    # earlier (higher) walk added every line above it that this one needs.
    below = sorted(set(tail_starts))
    below.append(len(data) if data.endswith(b"\n") else len(data) + 1)
    for pos in below:  # pos: the start of the line below the ones to add
        for _ in range(within):
            if pos <= 0:
                break
            start = rfind(b"\n", 0, pos - 1) + 1
            if start in out:
                break
            out.add(start)
            pos = start
    return out


def add_head_candidates(found: Candidates, data: bytes, heads: dict[int, Head], decoded: dict[int, str]) -> None:
    """Make each head pattern's candidate lines those near its tails' candidates: plain lines by
    start, lines with colour or bare CRs as their cleaned segments (as the scan records them)."""
    by_tail: dict[tuple[int, int], set[int]] = {}
    for idx, head in heads.items():
        key = (head.tail_idx, head.within)
        starts = by_tail.get(key)
        if starts is None:
            tails = set(found.plain.get(head.tail_idx, ())) | {s for s, _t in found.special.get(head.tail_idx, ())}
            starts = by_tail[key] = head_lines(data, tails, head.within)
        plain: set[int] = set()
        special: list[tuple[int, str]] = []
        for s in sorted(starts):
            end = data.find(b"\n", s)
            raw = data[s:] if end == -1 else data[s:end]
            if b"\x1b" in raw or b"\r" in raw:
                special += [(s, seg) for seg in decode_line(raw) if seg]
            else:
                plain.add(s)
                line_text(data, s, decoded, found)  # decoded (and its invalid UTF-8 counted) once
        if plain:
            found.plain[idx] = plain
        if special:
            found.special[idx] = special


def confirm_all(search: Callable[[str], object], texts: list[str]) -> list[int]:
    """Indexes of the texts the pattern matches, searched one text per call in a C loop."""
    matches = list(map(search, texts))
    return [i for i, m in enumerate(matches) if m is not None]
