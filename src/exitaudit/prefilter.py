"""Literal prefilter: the strings one of which every match of a pattern must contain.

Running every pattern over every line is what makes a naive log auditor a hundred times slower
than grep. Instead, the engine finds all patterns' required literals in one Aho-Corasick pass
over a block of raw bytes (ahocorasick-rs, in Rust), and runs a full pattern only on the lines
that hold one of its literals. A pattern with no usable literal runs on every line, correctly
but slowly; ``rules lint`` warns about it.

The literals come from the pattern's parse tree (the standard library's parser, whose syntax
the ``regex`` module extends; a pattern it cannot parse simply gets no prefilter).
"""

from __future__ import annotations

from dataclasses import dataclass

try:  # the parser is private API; without it every pattern runs unfiltered
    import re._constants as _c
    import re._parser as _p
except ImportError:  # pragma: no cover
    _c = _p = None  # type: ignore[assignment]

MIN_LITERAL = 3
"""Shorter literals (":", "] ") occur on most lines and would filter nothing."""


@dataclass(frozen=True)
class Literals:
    strings: frozenset[bytes]
    ignore_case: bool


def required_literals_of(patterns: list[str]) -> list[Literals | None]:
    """required_literals() of each pattern. Parsing the pack's patterns is most of a small
    log's audit, so the answers are kept in the cache for exactly these patterns and this
    module's source (a change to the extraction is a new entry)."""
    from . import cache

    with open(__file__, "rb") as fh:
        own = fh.read()

    def extract() -> list[tuple[frozenset[bytes], bool] | None]:
        found = [required_literals(p) for p in patterns]
        return [None if f is None else (f.strings, f.ignore_case) for f in found]

    answers = cache.remembered("literals", (own, patterns), extract)
    return [None if a is None else Literals(frozenset(a[0]), a[1]) for a in answers]


def required_literals(pattern: str) -> Literals | None:
    """A set of literals one of which every match of ``pattern`` contains, or None."""
    if _p is None:
        return None
    try:
        parsed = _p.parse(pattern, 0)
    except Exception:  # noqa: BLE001 - regex-module syntax the stdlib parser lacks: no prefilter
        return None
    ignore_case = bool(parsed.state.flags & _c.SRE_FLAG_IGNORECASE)
    best = _best(list(parsed))
    if best is None:
        return None
    if ignore_case and not all(s.isascii() for s in best):
        return None  # the bytes automaton lower-cases ASCII only
    strings = frozenset((s.lower() if ignore_case else s).encode("utf-8") for s in best)
    return Literals(strings, ignore_case)


def _weight(literal: str) -> int:
    """How selective a literal is likely to be: letters and digits count double, because
    punctuation and spaces (`", line `, ` in `) recur on most lines of a log."""
    return sum(2 if c.isalnum() else 1 for c in literal)


def _score(candidate: frozenset[str]) -> tuple[int, int]:
    return (min(_weight(s) for s in candidate), -len(candidate))


def _best(seq: list) -> frozenset[str] | None:  # type: ignore[type-arg]
    """The most selective required-literal set of a sequence of parse nodes."""
    candidates: list[frozenset[str]] = []
    run: list[str] = []

    def close_run() -> None:
        if run:
            candidates.append(frozenset(["".join(run)]))
            run.clear()

    for op, arg in seq:
        if op is _c.LITERAL:
            run.append(chr(arg))
            continue
        close_run()
        inner: frozenset[str] | None = None
        if op is _c.SUBPATTERN:
            _group, add_flags, _del_flags, sub = arg
            if not add_flags & _c.SRE_FLAG_IGNORECASE:
                inner = _best(list(sub))
        elif op is _c.BRANCH:
            sets = [_best(list(branch)) for branch in arg[1]]
            if all(s is not None for s in sets):
                inner = frozenset().union(*sets)  # type: ignore[arg-type]
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            low, _high, sub = arg
            if low >= 1:
                inner = _best(list(sub))
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            inner = _best(list(arg))
        if inner:
            candidates.append(inner)
    close_run()
    usable = [c for c in candidates if min(len(s) for s in c) >= MIN_LITERAL]
    return max(usable, key=_score) if usable else None
