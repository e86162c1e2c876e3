"""A log line reduced to its template: what stays the same between two runs of the same code.

Variable parts are masked, in this order (each later mask sees the earlier tokens, never
digits inside them): timestamps, UUIDs, URLs, IP addresses, paths, hex hashes, quoted values,
durations, numbers; then runs of whitespace become one space. The masking runs in bulk on all
lines of a log at once with polars (Rust's regex engine, no Python work per line); a template
is identified by its 64-bit polars hash, so workers send the parent numbers, not text.

Why not drain3: its templates depend on the order it sees lines (its parse tree merges a line
into the clusters seen before), so logs templated in parallel, on other processes or a Dask
cluster, would not agree; a mask is a pure function of the line. drain3 also builds its tree
line by line in Python: ``bench/mine_bench.py`` measures both (docs/mine.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

MAX_CHARS = 240
"""A line is cut to this many characters before masking: a template is a line's shape, and a
giant line (a minified bundle, a base64 blob) would only cost time."""

# Inside, a token is its name between \x01 and \x02, which no masked line can hold (control
# characters are removed first), so a log line that says `<NUM>` itself stays text; reports show
# tokens as <NAME> (``display``).
OPEN, CLOSE = "\x01", "\x02"
_CONTROL = r"[\x00-\x08\x0b-\x1f\x7f]"

# (pattern, token): the Rust regex syntax polars uses, which Python's ``re`` reads the same way.
MASKS: tuple[tuple[str, str], ...] = (
    (r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?", OPEN + "TS" + CLOSE),
    (r"\b\d\d:\d\d:\d\d(?:[.,]\d+)?\b", OPEN + "TS" + CLOSE),
    (r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b", OPEN + "UUID" + CLOSE),
    (r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+", OPEN + "URL" + CLOSE),
    (r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b", OPEN + "IP" + CLOSE),
    # A path has a segment that is not all digits: `3/3` and `0/1` stay numbers.
    (r"(?:[A-Za-z]:)?(?:\.{0,2}/)?(?:[\w@.+~-]*[A-Za-z_.~][\w@.+~-]*/)+[\w@.+~-]*", OPEN + "PATH" + CLOSE),
    (r"\b0x[0-9a-fA-F]+\b", OPEN + "HEX" + CLOSE),
    (r"\b[0-9a-f]{7,64}\b", OPEN + "HEX" + CLOSE),
    (r"'[^'\n]{0,200}'", OPEN + "STR" + CLOSE),
    (r"\"[^\"\n]{0,200}\"", OPEN + "STR" + CLOSE),
    (r"\b\d+(?:\.\d+)?\s?(?:ms|us|µs|ns|s|sec|secs|seconds|min|mins|minutes|h|hours)\b", OPEN + "DUR" + CLOSE),
    # A bare 0 stays: in a summary it is the difference between success and failure
    # (`Errors: 0` and `Errors: 3`, `failed=0` and `failed=1`).
    (r"\b(?:0*[1-9]\d*(?:[.,]\d+)*|0(?:[.,]\d+)+)\b", OPEN + "NUM" + CLOSE),
    (r"\s+", " "),
)

# How a token reads back as a pattern of the rule format (Python ``regex``), for draft rules.
TOKEN_PATTERNS = {
    OPEN + "TS" + CLOSE: r"[\d:TZ.,+ -]+",
    OPEN + "UUID" + CLOSE: r"[0-9a-fA-F-]{36}",
    OPEN + "URL" + CLOSE: r"\S+",
    OPEN + "IP" + CLOSE: r"[\d.:]+",
    OPEN + "PATH" + CLOSE: r"\S*",
    OPEN + "HEX" + CLOSE: r"(?:0x)?[0-9a-fA-F]+",
    OPEN + "STR" + CLOSE: "(?:'[^']*'|\"[^\"]*\")",
    OPEN + "DUR" + CLOSE: r"\d+(?:\.\d+)?\s?[a-zµ]+",
    OPEN + "NUM" + CLOSE: r"(?:0*[1-9]\d*(?:[.,]\d+)*|0(?:[.,]\d+)+)",
}
HASH_SEED = 0x6578697461756474
"""polars' hash is stable for one polars version, in every process: workers and the parent
(and a Dask cluster's workers, with the same version) give a template the same number."""


def mask(lines: pl.Series) -> pl.Series:
    """Every line's template, in bulk."""
    s = lines.str.slice(0, MAX_CHARS).str.replace_all(_CONTROL, " ")
    for pattern, token in MASKS:
        s = s.str.replace_all(pattern, token)
    return s.str.strip_chars()


def display(template: str) -> str:
    """A template as reports show it: tokens as <NAME>."""
    return template.replace(OPEN, "<").replace(CLOSE, ">")


def template_of(line: str) -> str:
    """One line's template (the same as ``mask``), for the few lines read again."""
    import polars as pl

    return mask(pl.Series([line], dtype=pl.String))[0]


def hashes(templates: pl.Series) -> pl.Series:
    return templates.hash(seed=HASH_SEED)


def to_pattern(template: str) -> str:
    """A rule-format pattern that matches the lines with this template: the literal parts
    escaped, each token its pattern, spaces any run of whitespace; anchored at both ends unless
    the line was cut."""
    import regex

    out = [r"^\s*"]
    rest = template
    while rest:
        token = next((t for t in TOKEN_PATTERNS if rest.startswith(t)), None)
        if token is not None:
            out.append(TOKEN_PATTERNS[token])
            rest = rest[len(token):]
            continue
        nxt = min((i for i in (rest.find(t) for t in TOKEN_PATTERNS) if i > 0), default=len(rest))
        literal, rest = rest[:nxt], rest[nxt:]
        out.append(r"\s+".join(regex.escape(part, literal_spaces=True) for part in literal.split(" ")))
    if len(template) < MAX_CHARS - 20:
        out.append(r"\s*$")
    return "".join(out)
