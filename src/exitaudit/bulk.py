r"""The scan's cost bounded by bytes, not by hits: the engine's bulk paths.

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
  presence): their candidate lines are counted with one ``findall`` over them (a loop in C,
  ``line_counter``), and the hits update each use in one step: a count, the first and last
  line, the first few lines as evidence. Only the lines kept are numbered. A pattern that
  could see past its line there (``\s``, ``[^x]``, look-behind) is confirmed hit by hit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import regex

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


_LEADING_FLAGS = regex.compile(r"\A(?:\(\?[aiLmsux]+\))*")


def line_counter(source: str) -> regex.Pattern[str] | None:
    """A pattern that, searched over candidate lines joined by newlines, matches exactly once on
    each line that ``source`` matches on its own (``^[^\\n]*?(?:source)``: a count of lines in
    one ``findall``, in C). None when ``source`` might see past its line there: a construct that
    can match a newline (``\\s``, ``[^x]``, ``\\W``), look-behind, ``\\A``, ``\\Z``, or syntax the
    standard library's parser does not know."""
    if not _line_local(source):
        return None
    flags = _LEADING_FLAGS.match(source).group(0)  # type: ignore[union-attr]
    rest = source[len(flags):]
    if "(?" in rest and regex.search(r"\(\?[aiLmsux]+\)", rest):
        return None  # a global flag further on: the wrapper would move it
    from .rules import REGEX_FLAGS

    try:
        return regex.compile(flags + r"^[^\n]*?(?:" + rest + ")", REGEX_FLAGS)
    except regex.error:
        return None


def _line_local(source: str) -> bool:
    try:
        import re._constants as c
        import re._parser as p

        parsed = p.parse(source, 0)
    except Exception:  # noqa: BLE001 - regex-module syntax: not rewritten
        return False
    if parsed.state.flags & c.SRE_FLAG_DOTALL:
        return False
    return _local(list(parsed), c)


def _local(seq: list, c) -> bool:  # type: ignore[type-arg,no-untyped-def]
    for op, arg in seq:
        if op is c.LITERAL or op is c.NOT_LITERAL:
            if (op is c.LITERAL) == (arg == 10):
                return False  # a newline, or anything but one character (the newline too)
        elif op is c.ANY:
            continue
        elif op is c.IN:
            if not _class_local(arg, c):
                return False
        elif op is c.BRANCH:
            if not all(_local(list(b), c) for b in arg[1]):
                return False
        elif op is c.SUBPATTERN:
            _g, add, _d, sub = arg
            if add & c.SRE_FLAG_DOTALL or not _local(list(sub), c):
                return False
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            if not _local(list(arg[2]), c):
                return False
        elif op is getattr(c, "ATOMIC_GROUP", None):
            if not _local(list(arg), c):
                return False
        elif op in (c.ASSERT, c.ASSERT_NOT):
            direction, sub = arg
            if direction < 0 or not _local(list(sub), c):
                return False
        elif op is c.AT:
            # ^ and $ (line anchors under MULTILINE), \b, \B; not \A and \Z, which would be the
            # start and end of the joined text, not of the line
            if arg not in (c.AT_BEGINNING, c.AT_BEGINNING_LINE, c.AT_END, c.AT_END_LINE, c.AT_BOUNDARY, c.AT_NON_BOUNDARY):
                return False
        else:
            return False
    return True


def _class_local(items: list, c) -> bool:  # type: ignore[type-arg,no-untyped-def]
    negate = any(op is c.NEGATE for op, _a in items)
    has_newline = False
    for op, arg in items:
        if op is c.LITERAL and arg == 10:
            has_newline = True
        elif op is c.RANGE and arg[0] <= 10 <= arg[1]:
            has_newline = True
        elif op is c.CATEGORY and str(arg) in ("CATEGORY_SPACE", "CATEGORY_NOT_WORD", "CATEGORY_NOT_DIGIT", "CATEGORY_UNI_SPACE", "CATEGORY_UNI_NOT_WORD", "CATEGORY_UNI_NOT_DIGIT"):
            has_newline = True
        elif op is c.CATEGORY and str(arg) not in ("CATEGORY_DIGIT", "CATEGORY_WORD", "CATEGORY_NOT_SPACE", "CATEGORY_UNI_DIGIT", "CATEGORY_UNI_WORD", "CATEGORY_UNI_NOT_SPACE"):
            return False
    return has_newline == negate  # a newline in a negated class means it is not matched


def count_lines(counter: regex.Pattern[str], texts: list[str], timeout: float) -> tuple[int, list[int], str]:
    """How many of ``texts`` ``counter`` (line_counter) matches, and the indexes of the first
    few (EVIDENCE_PER_SIGNAL); one findall over the joined text, then finditer for those few."""
    from itertools import islice

    from .engine import EVIDENCE_PER_SIGNAL

    text = "\n".join(texts)
    n = len(counter.findall(text, timeout=timeout))
    firsts = []
    if n:
        pos, line = 0, 0
        for m in islice(counter.finditer(text, timeout=timeout), EVIDENCE_PER_SIGNAL):
            line += text.count("\n", pos, m.start())
            pos = m.start()
            firsts.append(line)
    return n, firsts, text


def always_captures(source: str, group: str) -> bool:
    """Whether every match of ``source`` sets the named group: it is reached through plain
    groups only, never inside an alternative, a repeat or a look-around. Then each hit has a
    value, and a signal of value "all" counts its lines as a count-only signal does."""
    try:
        import re._constants as c
        import re._parser as p

        parsed = p.parse(source, 0)
    except Exception:  # noqa: BLE001 - regex-module syntax
        return False
    number = parsed.state.groupdict.get(group)
    if number is None:
        return False

    def reach(seq: list) -> bool:  # type: ignore[type-arg]
        for op, arg in seq:
            if op is c.SUBPATTERN:
                if arg[0] == number or reach(list(arg[3])):
                    return True
        return False

    return reach(list(parsed))
