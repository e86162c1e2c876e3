"""Finding candidate lines fast: the part of the engine that looks at every byte of a log.

A block of raw bytes holds two kinds of lines:

* plain lines (no escape sequence, no carriage return), the vast majority of most logs, are
  searched where they lie, in one pass over the block;
* special lines (colour codes, progress bars' bare CRs) are cleaned first (ANSI removed, segments
  split at CR), all of a block's at once, and the cleaned text is searched the same way.

The search is Hyperscan when it is installed (``pip install 'exitaudit[fast]'``; it runs the
patterns themselves, rewritten to match a superset on raw bytes, so nearly only true matches come
back) or else an Aho-Corasick automaton over the patterns' required literals. Either way the
result is a superset of the lines a pattern matches; the engine confirms each candidate with the
``regex`` module, which alone decides. When most lines of a block are special (a log coloured
throughout), the whole block is cleaned at once instead.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import cache
from .prefilter import required_literals_of
from .reader import clean

DENSE_BYTES = 256
"""More than one special line per this many bytes (a quarter of the lines of a typical log),
and a block is cleaned in bulk."""
HYPERSCAN_FROM = 32 << 20
"""Bytes of log after which compiling a Hyperscan database pays for itself (about 0.5 s)."""


@dataclass
class Candidates:
    """For one block: per pattern, the plain lines (by start offset) and the cleaned segments of
    special lines (start offset, text) that may match."""

    plain: dict[int, set[int]] = field(default_factory=dict)
    special: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    invalid_utf8: int = 0
    """Invalid UTF-8 sequences in the lines this block's scan decoded (the candidate and special
    lines): validating every byte of a large log would cost as much as searching it."""


class LiteralFilter:
    """Aho-Corasick automatons over the required literals of a set of patterns."""

    def __init__(self, patterns: Iterable[tuple[int, str]]) -> None:
        import ahocorasick_rs

        self.unfiltered: list[int] = []
        by_case: dict[bool, dict[bytes, set[int]]] = {False: {}, True: {}}
        patterns = list(patterns)
        for (idx, _source), lits in zip(patterns, required_literals_of([src for _i, src in patterns]), strict=True):
            if lits is None:
                self.unfiltered.append(idx)
                continue
            for lit in lits.strings:
                by_case[lits.ignore_case].setdefault(lit, set()).add(idx)
        self._automatons = []
        for ignore_case, owners in by_case.items():
            if owners:
                keys = sorted(owners)
                self._automatons.append((ahocorasick_rs.BytesAhoCorasick(keys), [sorted(owners[k]) for k in keys], ignore_case))

    def lines(self, data: bytes, out: dict[int, set[int]]) -> None:
        """Add, per pattern, the start of every line of ``data`` holding one of its literals."""
        for automaton, owners, ignore_case in self._automatons:
            haystack = data.lower() if ignore_case else data
            line_start = _LineStarts(data)
            for lit, start, _end in automaton.find_matches_as_indexes(haystack, overlapping=True):
                at = line_start(start)
                for idx in owners[lit]:
                    out.setdefault(idx, set()).add(at)
        if self.unfiltered:
            starts = _line_starts(data)
            for idx in self.unfiltered:
                out.setdefault(idx, set()).update(starts)

    def owners(self, segment: bytes) -> set[int]:
        found = set(self.unfiltered)
        for automaton, owners, ignore_case in self._automatons:
            for lit, _s, _e in automaton.find_matches_as_indexes(segment.lower() if ignore_case else segment, overlapping=True):
                found.update(owners[lit])
        return found


class HyperscanFilter:
    """All patterns Hyperscan can compile, in one database, run over the block itself.

    Only plain lines use its answers, and on ASCII text its semantics equal the ``regex``
    module's; patterns it cannot compile (atomic groups, look-around) fall back to literals.
    """

    def __init__(self, patterns: list[tuple[int, str]], fallback: LiteralFilter) -> None:
        self.db, usable = _cached_database(patterns)
        self.rest = LiteralFilter([(i, src) for i, src in patterns if i not in usable])

    def lines(self, data: bytes, out: dict[int, set[int]]) -> None:
        line_start = _LineStarts(data)

        def on_match(idx: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            out.setdefault(idx, set()).add(line_start(to))

        self.db.scan(data, match_event_handler=on_match)
        self.rest.lines(data, out)


class _LineStarts:
    """The start of the line holding an offset, for offsets that mostly come in increasing order
    (the filters report matches left to right): each search for the newline before an offset
    stops at the previous offset, so a long line of many hits is searched once, not once per hit."""

    __slots__ = ("data", "offset", "start")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0
        self.start = 0

    def __call__(self, offset: int) -> int:
        if offset < self.offset:  # out of order: search back from the offset
            self.offset, self.start = offset, self.data.rfind(b"\n", 0, offset) + 1
            return self.start
        newline = self.data.rfind(b"\n", self.offset, offset)
        if newline != -1:
            self.start = newline + 1
        self.offset = offset
        return self.start


_NON_ASCII = rb"[\x80-\xff]+"
_CATEGORY = {"CATEGORY_DIGIT": rb"\d", "CATEGORY_NOT_DIGIT": rb"\D", "CATEGORY_SPACE": rb"\s",
             "CATEGORY_NOT_SPACE": rb"\S", "CATEGORY_WORD": rb"\w", "CATEGORY_NOT_WORD": rb"\W"}


def _for_hyperscan(source: str) -> bytes:
    """The pattern rewritten for Hyperscan on raw bytes, matching a SUPERSET of the lines the
    ``regex`` module matches (the engine confirms every hit): a run of non-ASCII bytes may stand
    for any one character of a class or of ``.``; assertions that could wrongly exclude a line
    (``\\b``, look-around) are dropped. Raises ValueError for what cannot be rewritten."""
    import re._constants as c
    import re._parser as p

    parsed = p.parse(source, 0)
    prefix = b"(?i)" if parsed.state.flags & c.SRE_FLAG_IGNORECASE else b""
    return prefix + _emit(list(parsed), c)


def _lit(code: int) -> bytes:
    ch = chr(code)
    if code < 128:
        return re.escape(ch).encode() if not ch.isalnum() else ch.encode()
    return b"".join(b"\\x%02x" % b for b in ch.encode("utf-8"))


def _emit(seq: list, c) -> bytes:  # type: ignore[type-arg,no-untyped-def]
    out = []
    for op, arg in seq:
        if op is c.LITERAL:
            out.append(_lit(arg))
        elif op is c.NOT_LITERAL:
            out.append(b"(?:[^" + (_lit(arg) if arg < 128 else b"") + b"\\x80-\\xff]|" + _NON_ASCII + b")")
        elif op is c.ANY:
            out.append(b"(?:[^\\n\\x80-\\xff]|" + _NON_ASCII + b")")
        elif op is c.IN:
            out.append(b"(?:" + _emit_class(arg, c) + b"|" + _NON_ASCII + b")")
        elif op is c.BRANCH:
            out.append(b"(?:" + b"|".join(_emit(list(b), c) for b in arg[1]) + b")")
        elif op is c.SUBPATTERN:
            _group, add, _del, sub = arg
            if add & c.SRE_FLAG_IGNORECASE:
                out.append(b"(?i:" + _emit(list(sub), c) + b")")
            else:
                out.append(b"(?:" + _emit(list(sub), c) + b")")
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            low, high, sub = arg
            hi = b"" if high is c.MAXREPEAT else str(high).encode()
            out.append(b"(?:" + _emit(list(sub), c) + b"){" + str(low).encode() + b"," + hi + b"}")
        elif op is getattr(c, "ATOMIC_GROUP", None):
            out.append(b"(?:" + _emit(list(arg), c) + b")")
        elif op is c.AT:
            if arg in (c.AT_BEGINNING, c.AT_BEGINNING_LINE):
                out.append(b"^")
            elif arg in (c.AT_END, c.AT_END_LINE):
                out.append(b"$")
            # \\b, \\B, \\A, \\Z: dropped (only widens the match)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            pass  # look-around: dropped (only widens the match)
        else:
            raise ValueError(f"cannot rewrite {op} for Hyperscan")
    return b"".join(out)


def _emit_class(items: list, c) -> bytes:  # type: ignore[type-arg,no-untyped-def]
    negate = False
    parts = []
    for op, arg in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            if arg < 128:
                parts.append(b"\\x%02x" % arg)
        elif op is c.RANGE:
            lo, hi = arg
            if lo < 128:
                parts.append(b"\\x%02x-\\x%02x" % (lo, min(hi, 127)))
        elif op is c.CATEGORY:
            parts.append(_CATEGORY[str(arg)])
        else:
            raise ValueError(f"cannot rewrite {op} in a class for Hyperscan")
    if negate:
        # ASCII bytes outside the class; non-ASCII characters are covered by the caller's
        # alternative of a run of non-ASCII bytes. A newline never belongs to a line.
        return b"[^" + b"".join(parts) + b"\\n\\x80-\\xff]"
    return b"[" + b"".join(parts) + b"]" if parts else b"[\\x80-\\xff]"


def _compile(patterns: list[tuple[int, str]]):  # type: ignore[no-untyped-def]
    """The database of every pattern Hyperscan accepts once rewritten, and their ids."""
    import hyperscan

    flags = hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_ALLOWEMPTY
    usable: list[tuple[int, bytes]] = []
    for idx, source in patterns:
        try:
            expr = _for_hyperscan(source)
            probe = hyperscan.Database()
            probe.compile(expressions=[expr], ids=[idx], flags=[flags])
        except Exception:  # noqa: BLE001 - syntax the rewrite or Hyperscan does not support
            continue
        usable.append((idx, expr))
    db = hyperscan.Database()
    if usable:
        db.compile(expressions=[e for _i, e in usable], ids=[i for i, _e in usable], flags=[flags] * len(usable))
    return db, {i for i, _e in usable}


def _cached_database(patterns: list[tuple[int, str]]):  # type: ignore[no-untyped-def]
    """Compiling takes a second or two for the built-in pack; the compiled database is kept in the
    user's cache directory, keyed by the patterns, this module and the Hyperscan version."""
    import hashlib
    import pickle

    import hyperscan

    with open(__file__, "rb") as fh:
        own = hashlib.sha256(fh.read()).hexdigest()
    version = getattr(hyperscan, "__version__", "")
    key = hashlib.sha256(repr((sorted(patterns), own, version)).encode()).hexdigest()[:24]
    name = f"hyperscan-{key}.pickle"
    blob = cache.read(name)
    if blob is not None:
        try:
            usable, data = pickle.loads(blob)  # our own file, written below
            db = hyperscan.loadb(data, hyperscan.HS_MODE_BLOCK)
            db.scratch = hyperscan.Scratch(db)  # a loaded database comes without scratch space
            return db, usable
        except Exception:  # noqa: BLE001 - an unreadable entry: compile anew
            pass
    db, usable = _compile(patterns)
    cache.write(name, pickle.dumps((usable, hyperscan.dumpb(db))))
    return db, usable


def hyperscan_available() -> bool:
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


def _special_starts(data: bytes) -> list[tuple[int, int]] | None:
    """Lines holding an escape sequence or a bare CR, found with memchr, one step per line; None
    when there are so many that cleaning the whole block at once is cheaper."""
    spans: dict[int, int] = {}
    limit = len(data) // DENSE_BYTES
    find, rfind = data.find, data.rfind
    for byte in (b"\x1b", b"\r"):
        pos = find(byte)
        while pos != -1:
            start = rfind(b"\n", 0, pos) + 1
            end = find(b"\n", pos)
            end = len(data) if end == -1 else end
            spans[start] = end
            if len(spans) > limit:
                return None
            pos = find(byte, end)
    return sorted(spans.items())


def candidates(data: bytes, flt: LiteralFilter | HyperscanFilter) -> Candidates:
    """The candidate lines of one raw block (see the module docstring)."""
    found = Candidates()
    specials = _special_starts(data)
    if specials is None:
        _cleaned_lines(data, None, flt, found)  # colour or progress bars on most lines
        return found
    flt.lines(data, found.plain)
    if specials:
        special_starts = {s for s, _e in specials}
        for starts in found.plain.values():
            starts -= special_starts
        _cleaned_lines(data, specials, flt, found)
    return found


def _cleaned_lines(
    data: bytes, spans: list[tuple[int, int]] | None, flt: LiteralFilter | HyperscanFilter, found: Candidates
) -> None:
    """Clean the given lines (all of the block with None) in one pass, filter them (cleaned,
    they are plain lines to either filter), and record each candidate segment under its line's start offset in the raw block."""
    if spans is None:
        joined = data
        raw_starts = [0, *(i + 1 for i in _newlines(data))]
    else:
        joined = b"\n".join(data[s:e] for s, e in spans)
        raw_starts = [s for s, _e in spans]
    cleaned = clean(joined)  # keeps every newline: line k of `cleaned` is raw_starts[k]
    # A bare CR separates segments of one line: search a copy where it is a newline.
    scan = cleaned.replace(b"\r", b"\n") if b"\r" in cleaned else cleaned
    hits: dict[int, set[int]] = {}
    flt.lines(scan, hits)
    if not hits:
        return
    clean_starts = [0, *(i + 1 for i in _newlines(cleaned))]
    decoded: dict[int, str] = {}
    for idx, starts in hits.items():
        for seg_start in starts:
            segment = line_text(scan, seg_start, decoded, found)
            if segment:
                line_no = bisect_right(clean_starts, seg_start) - 1
                found.special.setdefault(idx, []).append((raw_starts[line_no], segment))


def _newlines(data: bytes) -> list[int]:
    out = []
    find = data.find
    pos = find(b"\n")
    while pos != -1:
        out.append(pos)
        pos = find(b"\n", pos + 1)
    return out


def line_text(buf: bytes, start: int, decoded: dict[int, str], found: Candidates) -> str:
    """The line of ``buf`` that starts at ``start``, decoded once however many patterns it is a
    candidate for (``decoded`` holds this buffer's); its invalid UTF-8 is counted in ``found``."""
    text = decoded.get(start)
    if text is None:
        end = buf.find(b"\n", start)
        text, bad = decode_text(buf[start:] if end == -1 else buf[start:end])
        found.invalid_utf8 += bad
        decoded[start] = text
    return text


def decode_text(data: bytes) -> tuple[str, int]:
    """Text, and how many invalid UTF-8 sequences became U+FFFD."""
    if data.isascii():
        return data.decode("ascii"), 0
    try:
        return data.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        return text, text.count("\ufffd") - data.count("\ufffd".encode())


def decode_line(raw: bytes) -> list[str]:
    """A raw line as the segments patterns see (cleaned, decoded, split at bare CRs)."""
    text, _bad = decode_text(clean(raw))
    return text.split("\r") if "\r" in text else [text]


def _line_starts(data: bytes) -> list[int]:
    starts = [0, *(i + 1 for i in _newlines(data))]
    if starts[-1] == len(data):
        starts.pop()
    return starts
