"""The engine's bulk paths (bulk.py) give what the per-hit path gave: the same counts, lines,
evidence and verdicts, at a cost that does not grow with the hits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import regex

from exitaudit import ExitStatus, LogSource, Origin, load_rules
from exitaudit import bulk
from exitaudit.engine import Engine
from exitaudit.reader import blocks_of
from exitaudit.rules import REGEX_FLAGS

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(ROOT.glob("sample_logs/*/*/output.log"))


def test_head_lines_are_the_lines_above_each_tail_and_the_last_of_the_block():
    data = b"a\nb\nc\nd\ne\n"  # lines start at 0 2 4 6 8
    assert sorted(bulk.head_lines(data, [6], 2)) == [2, 4, 6, 8]
    assert sorted(bulk.head_lines(data, [2, 8], 1)) == [0, 6, 8]
    assert sorted(bulk.head_lines(data, [0], 3)) == [4, 6, 8]  # nothing above the first line
    assert sorted(bulk.head_lines(b"a\nbb", [], 2)) == [0, 2]  # an unterminated last line
    # A later tail whose window meets an earlier one's still gets all its lines.
    lines = b"".join(b"%d\n" % i for i in range(10))
    starts = [i * 2 for i in range(10)]
    assert sorted(bulk.head_lines(lines, [starts[5], starts[6]], 3)) == starts[2:6] + starts[7:]


def test_the_rarer_side_drives_a_followed_by():
    python = next(rf for rf in load_rules() if rf.tool == "python")
    handled = python.signals["handled_tracebacks"]
    then_output = python.signals["exception_lines_then_output"]
    assert bulk.rarer_tail(handled.pattern, handled.followed_by)  # INFO ... then Traceback
    assert not bulk.rarer_tail(then_output.pattern, then_output.followed_by)  # ... then \S


def _lines() -> list[str]:
    out = []
    for path in SAMPLES:
        out += path.read_bytes().decode("utf-8", "replace").replace("\r", "\n").split("\n")
    return out


def test_line_counter_counts_the_lines_a_pattern_matches_alone():
    lines = _lines()
    tried = 0
    for rf in load_rules():
        for source in [*rf.detect, *(s.pattern for s in rf.signals.values() if s.pattern)]:
            counter = bulk.line_counter(source)
            if counter is None:
                continue
            tried += 1
            alone = regex.compile(source, REGEX_FLAGS)
            expected = [i for i, line in enumerate(lines) if alone.search(line)]
            n, firsts, _ = bulk.count_lines(counter, lines, 5.0)
            assert (n, firsts) == (len(expected), expected[:5]), source
    assert tried > 100


@pytest.mark.parametrize("source", [r"a\sb", r"x[^y]z", r"(?<=q)r", r"\Afoo", r"foo\Z", r"a\Wb", r"(?s)a.b"])
def test_line_counter_refuses_what_could_see_past_its_line(source):
    assert bulk.line_counter(source) is None


def _audits(monkeypatch, logs: list[tuple[bytes, int]], *, fast: bool) -> list[list[str]]:
    """Each log audited with the bulk paths, then with the per-hit path (heads scanned for
    and dispatched hit by hit, count-only patterns confirmed one hit at a time)."""
    out = []
    real = bulk.rarer_tail
    for use_bulk in (True, False):
        monkeypatch.setattr(bulk, "rarer_tail", real if use_bulk else (lambda head, tail: False))
        engine = Engine(load_rules(), fast=fast)
        if not use_bulk:
            assert not engine._heads  # noqa: SLF001
            engine._countlike = [False] * len(engine._countlike)  # noqa: SLF001
        out.append([repr(engine.audit(blocks_of(data), ExitStatus.from_code(code, Origin.FLAG))) for data, code in logs])
    return out


@pytest.mark.parametrize("fast", [False, True])
def test_bulk_paths_audit_every_sample_as_the_per_hit_path_does(monkeypatch, fast):
    if fast:
        pytest.importorskip("hyperscan")
    logs = [(p.read_bytes(), int((p.parent / "exit_code").read_text())) for p in SAMPLES]
    # Dense: INFO lines above tracebacks, and tracebacks in every place of a window.
    python = (ROOT / "sample_logs/python/handled-warning/output.log").read_bytes()
    logs.append((b"INFO x\n" * 3 + python * 3 + b"DEBUG y\nTraceback (most recent call last):\n", 0))
    with_bulk, per_hit = _audits(monkeypatch, logs, fast=fast)
    assert with_bulk == per_hit


def test_profile_prints_time_per_pattern_and_check_to_stderr(tmp_path):
    log = ROOT / "sample_logs/pyinfra/python-call-fail-2.8/output.log"
    plain = subprocess.run([sys.executable, "-m", "exitaudit", "check", str(log), "-e", "0"], capture_output=True, text=True)
    profiled = subprocess.run([sys.executable, "-m", "exitaudit", "check", str(log), "-e", "0", "--profile"], capture_output=True, text=True)
    assert profiled.returncode == plain.returncode == 1
    assert profiled.stdout == plain.stdout  # the report is the same
    assert "exitaudit profile" in profiled.stderr
    assert "pyinfra/errors-exit-zero" in profiled.stderr  # the check that fired, with its time
    assert "pyinfra:detect" in profiled.stderr
