"""The benchmark's corpora are what make_corpus.py's docstring says: whole sample logs at their
natural density inside the platforms' envelopes, the lies planted where the side files say.

(A corpus where every log carried the evidence once made every "many logs" run a mismatch; the
first corpus filtered out every line a rule matched, and measured a log without hits.)
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from exitaudit import ExitStatus, LogSource, Origin, load_rules
from exitaudit.engine import Engine

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))
import make_corpus  # noqa: E402


def make(*args: str) -> None:
    subprocess.run([sys.executable, str(BENCH / "make_corpus.py"), *args], check=True)


def audit(path: Path, code: int):  # type: ignore[no-untyped-def]
    with LogSource(str(path)) as src:
        return Engine(load_rules()).audit(src.blocks(), ExitStatus.from_code(code, Origin.FLAG))


def test_many_logs_end_with_a_lying_sample_one_in_a_hundred(tmp_path):
    folder = tmp_path / "many"
    make("many", str(folder), "--count", "101", "--size", "8K")
    ends = dict(line.split(" ", 1) for line in (tmp_path / "many.samples").read_text().splitlines())
    assert sorted(n for n, what in ends.items() if what.endswith(" lying")) == ["job-00000.log", "job-00100.log"]
    assert sorted(p.name for p in folder.glob("*.log")) == sorted(ends)
    for name in ("job-00000.log", "job-00100.log"):
        sample = ends[name].split()[0]
        raw = (make_corpus.SAMPLES / sample).read_bytes()
        code = int((folder / (name + ".exit")).read_text())
        assert code == int((make_corpus.SAMPLES / sample).parent.joinpath("exit_code").read_text())
        # The sample's lines end the job (inside its envelope: compare what follows the prefix).
        log = (folder / name).read_bytes()
        lines = raw.split(b"\n")
        if lines[-1] == b"":
            lines.pop()  # the newline that ends the last line
        assert log.split(b"\n")[-2].endswith(lines[-1])


def test_a_dense_log_is_dense_and_its_plants_are_whole_lying_samples(tmp_path):
    log = tmp_path / "dense.log"
    make("dense", str(log), "--size", "300K", "--envelope", "plain")
    lines = log.read_bytes().split(b"\n")
    plants = [line.split() for line in (tmp_path / "dense.log.plants").read_text().splitlines()]
    assert len(plants) == 5
    assert int(plants[-1][1]) == len(lines) - 1  # the last plant ends the log
    for first, last, sample in plants:
        raw = (make_corpus.SAMPLES / sample).read_bytes().split(b"\n")
        if raw[-1] == b"":
            raw.pop()  # the newline that ends the last line
        assert lines[int(first) - 1:int(last)] == raw
    # Nothing filtered out: most lines are hits of some pattern of the pack.
    patterns = make_corpus.pack_patterns()
    text = [line.decode("utf-8", "replace") for line in lines[:3000]]
    hits = sum(any(p.search(line) for p in patterns) for line in text)
    assert hits > len(text) / 2
    # Lies at the end of a log exited 0 are found; the audit sees the last plant at least.
    result = audit(log, 0)
    assert result.verdict.value == "false-success"


@pytest.mark.parametrize(
    ("envelope", "prefix"),
    [
        ("github", rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z "),
        ("gitlab", rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z 00O "),
        ("jenkins", rb"\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] "),
    ],
)
def test_every_line_of_an_enveloped_log_carries_its_platform_prefix(tmp_path, envelope, prefix):
    log = tmp_path / "dense.log"
    make("dense", str(log), "--size", "100K", "--envelope", envelope)
    lines = log.read_bytes().rstrip(b"\n").split(b"\n")
    bad = [line for line in lines if not re.match(prefix, line)]
    assert bad == []
    if envelope == "github":  # a GitHub sample's own stamps are replaced, not doubled
        assert not any(re.match(prefix + prefix, line) for line in lines)


def test_the_match_log_hits_a_count_signal_on_every_line_and_the_other_none(tmp_path):
    make("match", str(tmp_path / "m.log"), "--size", "64K")
    make("nomatch", str(tmp_path / "n.log"), "--size", "64K")
    go = next(rf for rf in load_rules() if rf.tool == "go")
    pkg_ok = re.compile(go.signals["pkg_ok"].pattern)
    m = (tmp_path / "m.log").read_text().splitlines()
    n = (tmp_path / "n.log").read_text().splitlines()
    assert all(pkg_ok.search(line) for line in m)
    assert abs(len(m) - len(n)) < len(m) / 10
    assert not any(p.search(line) for p in make_corpus.pack_patterns() for line in n[:500])


def test_the_sparse_log_has_its_five_plants(tmp_path):
    big = tmp_path / "sparse.log"
    make("sparse", str(big), "--size", "200K")
    text = big.read_text(encoding="utf-8")
    assert sum(text.count(p + "\n") for p in make_corpus.PLANTS) == 5
