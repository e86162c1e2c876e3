"""Find the line of a field in a TOML document, for error messages that name file, line and field.

tomllib returns plain dicts without positions, so we index the document's table headers and key
lines once. This covers the forms rule files use (tables, arrays of tables, dotted and quoted keys,
multi-line strings); a field we cannot place falls back to its table's line, then to no line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")
_KEY_PART = re.compile(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""")

Path = tuple[str | int, ...]


def _parts(dotted: str) -> list[str]:
    return [p.strip("\"'") for p in _KEY_PART.findall(dotted)]


def index_lines(source: str) -> dict[Path, int]:
    """Map every table and key path to the 1-based line where it first appears."""
    positions: dict[Path, int] = {}
    array_counts: dict[tuple[str, ...], int] = {}
    current: Path = ()
    in_string: str | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        if in_string:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header:
            names = tuple(_parts(header.group(2)))
            if header.group(1) == "[[":
                index = array_counts.get(names, 0)
                array_counts[names] = index + 1
                current = (*names, index)
            else:
                current = names
            positions.setdefault(current, number)
            continue
        key = _KEY.match(line)
        if key:
            path = (*current, *_parts(key.group(1)))
            positions.setdefault(path, number)
            rest = line[key.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_string = quote
                    break
    return positions


def line_of(positions: dict[Path, int], path: Sequence[str | int]) -> int | None:
    """The line of ``path`` or of its nearest enclosing field that has one."""
    key: Path = tuple(path)
    while key:
        if key in positions:
            return positions[key]
        key = key[:-1]
    return None


def dotted(path: Sequence[str | int]) -> str:
    """``('checks', 2, 'when')`` -> ``checks[2].when``, as the field is named in errors."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
