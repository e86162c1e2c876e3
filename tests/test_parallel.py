"""A log audited in stretches by several processes gives the result one process gives.

The merge (Engine.absorb) is checked in-process over every sample log cut at every few lines and
at random places, including inside followed_by windows and between a signal's hits; the
forked path (parallel.audit_source) end to end over the whole corpus, with the size threshold
lowered so that small logs are split too.
"""

from __future__ import annotations

import csv
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLES
from exitaudit import ExitStatus, LogSource, Origin, load_rules
from exitaudit import parallel
from exitaudit.engine import Engine
from exitaudit.reader import Block

ENGINE = Engine(load_rules())
with open(SAMPLES / "manifest.csv", newline="", encoding="utf-8") as fh:
    CASES = list(csv.DictReader(fh))
IDS = [c["path"].removesuffix("/output.log") for c in CASES]


def status_of(case):
    return ExitStatus.parse(case["exit_code"], Origin.FILE, "exit_code")


def sequential(path, status, tools=None):
    # The merge is what is under test: CI job logs are read as plain logs here (a CI job log's
    # steps are read by one process, see test_a_ci_job_log_is_read_by_one_process).
    with LogSource(str(path)) as src:
        return parallel.audit_source(ENGINE, src, status, tools=tools, source=str(path), jobs=1, platform="none")


def line_starts(data: bytes) -> list[int]:
    starts = [0]
    pos = data.find(b"\n")
    while pos != -1 and pos + 1 < len(data):
        starts.append(pos + 1)
        pos = data.find(b"\n", pos + 1)
    return starts


def in_stretches(path, cuts: list[int], status, tools=None):
    """What audit_source does with workers, in this process: each stretch scanned apart,
    exported, merged in order."""
    size = path.stat().st_size
    bounds = [0, *cuts, size]
    scan = ENGINE.begin(tools, size_hint=size)
    read = 0
    for k, (start, end) in enumerate(zip(bounds, bounds[1:])):
        part = parallel.scan_stretch(ENGINE, str(path), start, end, tools=tools, last=k == len(bounds) - 2)
        read += part["read"]
        ENGINE.absorb(scan, part)
    run = ENGINE.end(scan, status, str(path))
    return dataclasses.replace(run, stats=dataclasses.replace(run.stats, bytes=read))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_cut_every_few_lines_gives_the_sequential_result(case):
    path = SAMPLES / case["path"]
    status = status_of(case)
    expected = sequential(path, status)
    starts = line_starts(path.read_bytes())[1:]
    for step in (1, 3, 7):  # one line per stretch, then wider stretches at shifting places
        cuts = starts[::step]
        assert in_stretches(path, cuts, status) == expected, f"cut every {step} line(s)"
    if case["tool"]:
        tools = case["tool"].split()
        assert in_stretches(path, starts[::2], status, tools) == sequential(path, status, tools)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_random_cuts_of_a_log_made_of_many_samples(tmp_path_factory, data):
    """Several tools' logs in one file, repeated, so that signals of every kind have hits in
    many stretches: sums, maxima, first and last values, counts, windows across a cut."""
    picks = data.draw(st.lists(st.sampled_from(CASES), min_size=2, max_size=6))
    log = b"".join((SAMPLES / c["path"]).read_bytes() for c in picks) * 2
    path = tmp_path_factory.mktemp("log") / "joined.log"
    path.write_bytes(log)
    starts = line_starts(log)[1:]
    cuts = sorted(set(data.draw(st.lists(st.sampled_from(starts), min_size=1, max_size=12))))
    status = ExitStatus.from_code(data.draw(st.sampled_from([0, 1, 2, 22])), Origin.FLAG)
    assert in_stretches(path, cuts, status) == sequential(path, status)


def test_a_window_open_at_the_end_of_a_stretch_is_closed_from_the_next(tmp_path):
    """daphne's traceback head, its `File ".../bin/daphne"` tail on the next line, a cut between:
    the first stretch reads on into the second to close its window."""
    path = SAMPLES / "daphne/import-error/output.log"
    status = ExitStatus.from_code(0, Origin.FLAG)  # as if daphne had exited 0 after it
    expected = sequential(path, status)
    first_line_end = path.read_bytes().index(b"\n") + 1
    assert in_stretches(path, [first_line_end], status) == expected
    assert "daphne/traceback-but-exit-0" in {f.check for f in expected.findings} or expected.verdict.value == "false-success"


@pytest.fixture
def split_everything(monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)


@pytest.mark.parametrize("jobs", [2, 3])
def test_forked_workers_give_the_sequential_result_on_every_sample(split_everything, jobs):
    for case in CASES:
        path = SAMPLES / case["path"]
        status = status_of(case)
        with LogSource(str(path)) as src:
            run = parallel.audit_source(ENGINE, src, status, source=str(path), jobs=jobs, platform="none")
        assert run == sequential(path, status), case["path"]


def test_a_log_with_a_byte_order_mark_and_no_final_newline(split_everything, tmp_path):
    path = tmp_path / "bom.log"
    text = (SAMPLES / "pyinfra/python-call-fail-2.8/output.log").read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + text.rstrip(b"\n"))
    status = ExitStatus.from_code(0, Origin.FLAG)
    with LogSource(str(path)) as src:
        run = parallel.audit_source(ENGINE, src, status, source=str(path), jobs=4)
    assert run == sequential(path, status)
    assert run.stats.bytes == path.stat().st_size and run.stats.lines == text.rstrip(b"\n").count(b"\n") + 1


def test_an_empty_or_binary_log_is_refused_before_workers_start(split_everything, tmp_path):
    from exitaudit.errors import InputError

    binary = tmp_path / "b.log"
    binary.write_bytes(b"\x00\x01\x02\x03" * 50_000 + b"\n" + b"\x00\x01" * 50_000 + b"\n")
    with LogSource(str(binary)) as src, pytest.raises(InputError, match="looks binary"):
        parallel.audit_source(ENGINE, src, ExitStatus.unknown(), jobs=2)


def test_standard_input_and_compressed_logs_are_read_by_one_process(split_everything, tmp_path):
    import gzip

    path = tmp_path / "x.log.gz"
    path.write_bytes(gzip.compress(b"line\n" * 1000))
    with LogSource(str(path)) as src:
        assert src.stretches(2, 0) is None
        run = parallel.audit_source(ENGINE, src, ExitStatus.from_code(0, Origin.FLAG), jobs=2)
    assert run.stats.compression == "gzip" and run.stats.lines == 1000


def test_stretches_begin_at_line_starts_and_cover_the_file(tmp_path):
    path = tmp_path / "s.log"
    data = b"".join(b"x" * (i % 97) + b"\n" for i in range(5000))
    path.write_bytes(data)
    with LogSource(str(path)) as src:
        stretches = src.stretches(4, 0)
    assert stretches[0][0] == 0 and stretches[-1][1] == len(data)
    for (a, b), (c, _d) in zip(stretches, stretches[1:]):
        assert b == c and data[b - 1 : b] == b"\n"
    assert len(stretches) == 4


def test_the_block_reader_reads_only_its_stretch(tmp_path):
    path = tmp_path / "r.log"
    path.write_bytes(b"one\ntwo\nthree\nfour\n")
    with LogSource(str(path)) as src:
        blocks = list(src.blocks(4, 14, first_line=2))
    assert blocks == [Block(b"two\nthree\n", 2)]


@pytest.mark.parametrize("read_size", [37, 256, 4096])
def test_the_engine_numbers_lines_as_the_reader_does(tmp_path, monkeypatch, read_size):
    """Blocks the reader numbered and blocks it left to the engine (numbered=False) give the
    same audit: small reads, and lines longer than MAX_LINE cut in pieces."""
    from exitaudit import reader

    monkeypatch.setattr(reader, "READ_SIZE", read_size)
    monkeypatch.setattr(reader, "MAX_LINE", 300)
    picks = [c for c in CASES if c["expected_verdict"] != "consistent"][:12]
    log = b"".join((SAMPLES / c["path"]).read_bytes() + b"x" * 1000 + b"\n" for c in picks)
    path = tmp_path / "joined.log"
    path.write_bytes(log.rstrip(b"\n"))
    status = ExitStatus.from_code(0, Origin.FLAG)
    with LogSource(str(path)) as src:
        numbered = ENGINE.audit(src.blocks(), status, source="x")
        lines = src.lines
    with LogSource(str(path)) as src:
        counted = ENGINE.audit(src.blocks(numbered=False), status, source="x")
    assert counted == numbered and counted.stats.lines == lines == log.rstrip(b"\n").count(b"\n") + 1
    assert counted.findings


def test_workers_leave_ctrl_c_to_the_parent():
    """Ctrl-C reaches every process of the group: a worker must not answer it (a traceback per
    worker on stderr), the parent does, with one line."""
    import os
    import signal

    from exitaudit.batch import close_pool, make_pool

    pool = make_pool(2)
    try:
        pids = set(pool.map(_pid, range(8), chunksize=1))
        for pid in pids:
            os.kill(pid, signal.SIGINT)
        assert set(pool.map(_pid, range(8), chunksize=1)) <= pids  # the same workers, alive
    finally:
        close_pool(pool)


def _pid(_item):
    import os
    import time

    time.sleep(0.01)
    return os.getpid()


def _die(_item):
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_killed_outright_is_one_error_not_a_hang(split_everything, monkeypatch):
    from exitaudit.errors import InputError

    monkeypatch.setattr(parallel, "_scan_stretch", _die)
    path = SAMPLES / CASES[0]["path"]
    with LogSource(str(path)) as src, pytest.raises(InputError, match="worker process died"):
        parallel.audit_source(ENGINE, src, ExitStatus.from_code(0, Origin.FLAG), jobs=2)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, None),  # no cgroup files: the CPUs the process may run on
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu.max": "150000 100000\n"}, 2),  # 1.5 CPUs of quota: two processes
        ({"cpu.max": "50000 100000\n"}, 1),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({"cpu/cpu.cfs_quota_us": "100000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 1),
    ],
)
def test_a_containers_cpu_quota_limits_the_default_processes(tmp_path, monkeypatch, files, expected):
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(64)))  # a big host's cores
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert parallel.available_cpus(str(tmp_path)) == (64 if expected is None else expected)
    monkeypatch.setattr(parallel, "available_cpus", lambda: 64 if expected is None else expected)
    assert parallel.default_jobs() == min(4, 64 if expected is None else expected)
