"""The fast paths find a superset of what the regex module matches, so the confirmed findings
never depend on which path ran."""

from __future__ import annotations

import csv

import pytest
import regex

from conftest import SAMPLES
from exitaudit import ExitStatus, LogSource, Origin, load_rules
from exitaudit.engine import Engine
from exitaudit.rules import REGEX_FLAGS
from exitaudit.scanner import HyperscanFilter, LiteralFilter, hyperscan_available

PACK = load_rules()
ENGINE = Engine(PACK)
PATTERNS = ENGINE._active(None)
with open(SAMPLES / "manifest.csv", newline="", encoding="utf-8") as fh:
    CASES = list(csv.DictReader(fh))


def sample_lines() -> list[bytes]:
    lines: list[bytes] = []
    for case in CASES:
        raw = (SAMPLES / case["path"]).read_bytes()
        for line in raw.split(b"\n"):
            if b"\x1b" in line or b"\r" in line:
                continue  # special lines take the cleaning path, not these filters
            lines.append(line)
            # The same line with non-ASCII letters: where an ASCII-only engine would differ.
            accented = line.replace(b"e", "é".encode()).replace(b"o", "ø".encode())
            if accented != line:
                lines.append(accented)
    return lines


LINES = sample_lines()


def filters() -> list:
    out = [LiteralFilter(PATTERNS)]
    if hyperscan_available():
        out.append(HyperscanFilter(PATTERNS, out[0]))
    return out


@pytest.mark.parametrize("flt", filters(), ids=lambda f: type(f).__name__)
def test_filters_find_every_line_a_pattern_matches(flt):
    data = b"\n".join(LINES) + b"\n"
    found: dict[int, set[int]] = {}
    flt.lines(data, found)
    starts = []
    pos = 0
    for line in LINES:
        starts.append(pos)
        pos += len(line) + 1
    missed = []
    for idx, source in PATTERNS:
        pattern = regex.compile(source, REGEX_FLAGS)
        got = found.get(idx, set())
        for start, line in zip(starts, LINES):
            if pattern.search(line.decode("utf-8", errors="replace")) and start not in got:
                missed.append((source, line[:80]))
    assert not missed, missed[:5]


@pytest.mark.skipif(not hyperscan_available(), reason="Hyperscan has no wheel for this platform")
@pytest.mark.parametrize("case", CASES, ids=[c["path"].removesuffix("/output.log") for c in CASES])
def test_hyperscan_and_literal_paths_give_the_same_audit(case):
    status = ExitStatus.parse(case["exit_code"], Origin.FILE, "exit_code")
    runs = []
    for size_hint in (None, 1 << 40):  # the second forces the Hyperscan path from the first block
        with LogSource(str(SAMPLES / case["path"])) as src:
            runs.append(ENGINE.audit(src.blocks(), status, size_hint=size_hint))
    assert runs[0] == runs[1]
