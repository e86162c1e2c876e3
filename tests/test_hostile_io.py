"""Hostile files and a hostile environment around the audit (issue 15): report paths that are
devices, FIFOs or symbolic links; two reports to one file; temporaries a killed writer left;
``run`` when its own writes fail; configuration and rule files that are huge, FIFOs or outside
the project; a line longer than any block; a symbolic-link loop and a FIFO in a batch folder;
a manifest too large to hold; exit codes that ``$?`` never prints.

Each test was seen to fail before its fix."""

from __future__ import annotations

import errno
import gzip
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import tracemalloc
from pathlib import Path

import pytest

from conftest import PYINFRA_LOG, assert_one_line_error

EXITAUDIT = [sys.executable, "-m", "exitaudit"]


def sh(script: str) -> list[str]:
    return ["sh", "-c", script]


def _dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# ---------------------------------------------------------------------------------------------
# 1. A report path that is not a regular file is written through, never replaced


def test_a_report_to_a_character_device_leaves_it_a_device(cli, tmp_path):
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    res = cli("check", PYINFRA_LOG, "-e", "1", "--no-config", "-o", null, "--json", null.with_name("r.json"))
    assert res.code == 0, res.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode), "the device was replaced by a regular file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null", "r.json"]


def test_a_report_to_a_fifo_is_written_into_the_fifo(cli, tmp_path):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    res = cli("check", PYINFRA_LOG, "-e", "0", "--no-config", "-f", "json", "-o", fifo)
    reader.join(30)
    assert res.code == 1, res.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and b'"false-success"' in got[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.fifo"]


def test_a_report_through_a_symbolic_link_writes_its_target_and_keeps_the_link(cli, tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "report.json"
    target.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    dangling = tmp_path / "dangling.xml"
    dangling.symlink_to(tmp_path / "real" / "new.xml")
    res = cli("check", PYINFRA_LOG, "-e", "0", "--no-config", "-f", "json", "-o", link, "--junit", dangling)
    assert res.code == 1, res.stderr
    assert link.is_symlink() and dangling.is_symlink()
    assert '"false-success"' in target.read_text()
    assert "<testsuites" in (tmp_path / "real" / "new.xml").read_text()
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["new.xml", "report.json"]


@pytest.mark.parametrize("to_file", [False, True])
def test_a_report_to_dev_stdout_is_written_to_standard_output(tmp_path, to_file):
    # A link of our own as /dev/stdout is one: code that replaces it harms only the test folder.
    stdout = tmp_path / "stdout"
    stdout.symlink_to("/proc/self/fd/1")
    args = [*EXITAUDIT, "check", str(PYINFRA_LOG), "-e", "0", "--no-config", "-f", "json", "-o", str(stdout)]
    if to_file:  # `exitaudit ... -o /dev/stdout > out.json`: the shell's file is appended to, not replaced
        out = tmp_path / "out.json"
        out.write_bytes(b"before\n")
        with open(out, "ab") as fh:
            proc = subprocess.run(args, stdout=fh, stderr=subprocess.PIPE, timeout=60)
        written = out.read_bytes()
        assert written.startswith(b"before\n")
    else:
        proc = subprocess.run(args, capture_output=True, timeout=60)
        written = proc.stdout
    assert proc.returncode == 1, proc.stderr
    assert b'"false-success"' in written
    assert stdout.is_symlink()


def test_a_batch_table_to_a_device_leaves_it_a_device(cli, tmp_path):
    null = tmp_path / "null.csv"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    logs = tmp_path / "logs"
    logs.mkdir()
    shutil.copy(PYINFRA_LOG, logs / "a.log")
    (logs / "a.log.exit").write_text("1\n")
    res = cli("batch", logs, "--no-config", "-j", "1", "-o", null)
    assert res.code == 0, res.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode)


# ---------------------------------------------------------------------------------------------
# 13. Two reports to one file


@pytest.mark.parametrize("spelling", ["same", "dot", "link"])
@pytest.mark.parametrize("command", ["check", "run"])
def test_two_reports_to_one_file_is_a_usage_error(cli, tmp_path, spelling, command):
    report = tmp_path / "r.xml"
    other = {"same": report, "dot": tmp_path / "." / "r.xml", "link": tmp_path / "link.xml"}[spelling]
    if spelling == "link":
        report.write_text("old\n")
        other.symlink_to(report)
    marker = tmp_path / "ran"
    if command == "check":
        res = cli("check", PYINFRA_LOG, "-e", "0", "--no-config", "--json", report, "--junit", other)
    else:
        res = cli("run", "--no-config", "-o", report, "--json", other, "--", "touch", marker)
        assert not marker.exists(), "the command ran before the usage error"
    assert_one_line_error(res, "r.xml", "same file")
    if spelling == "link":
        assert report.read_text() == "old\n"
    else:
        assert not report.exists()


def test_two_batch_tables_to_one_file_is_a_usage_error(cli, tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    shutil.copy(PYINFRA_LOG, logs / "a.log")
    res = cli("batch", logs, "--no-config", "-j", "1", "-o", tmp_path / "t.csv", "--summary", tmp_path / "t.csv")
    assert_one_line_error(res, "t.csv", "same file")


def test_two_reports_to_a_null_device_are_allowed(cli, tmp_path):
    null = tmp_path / "null"  # not /dev/null itself: code that replaces it harms only the test folder
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    res = cli("check", PYINFRA_LOG, "-e", "1", "--no-config", "--json", null, "--junit", null)
    assert res.code == 0, res.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode)


# ---------------------------------------------------------------------------------------------
# 16. Temporaries a killed writer left behind


def test_a_writer_killed_mid_write_leaves_a_temporary_the_next_write_removes(cli, tmp_path):
    report = tmp_path / "r.json"
    killed = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import os, signal
        from exitaudit.output import Staged
        staged = Staged()
        staged.write_text({str(report)!r}, "half a report")
        os.kill(os.getpid(), signal.SIGKILL)
    """)], capture_output=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".r.json.") and left[0].endswith(".tmp")
    from exitaudit.output import _host_tag

    live = tmp_path / f".other.json.{os.getpid()}-{_host_tag()}.abcdefgh.tmp"  # a live writer's: kept
    other_host = tmp_path / f".other.json.{_dead_pid()}-000000.abcdefgh.tmp"  # another host's: kept
    foreign = tmp_path / ".notes.tmp"  # not ours: kept
    for kept in (live, other_host, foreign):
        kept.write_text("in progress")
    res = cli("check", PYINFRA_LOG, "-e", "1", "--no-config", "--json", tmp_path / "other.xml")
    assert res.code == 0, res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other_host.name, foreign.name, "other.xml"])


def test_the_temporary_name_carries_the_writers_pid(tmp_path, monkeypatch):
    from exitaudit import output

    seen: list[str] = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(os.path.basename(src))
        return real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", spy)
    output.write_report(str(tmp_path / "r.txt"), "report\n")
    assert len(seen) == 1 and seen[0].startswith(f".r.txt.{os.getpid()}-")


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path):
    from exitaudit import output

    dead = tmp_path / f".r.json.{_dead_pid()}-{output._host_tag()}.k3j4h5g6.tmp"
    dead.write_text("stale")
    output.write_report(str(tmp_path / "s.json"), "{}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


# ---------------------------------------------------------------------------------------------
# 7. `run` when its own writes fail


def test_run_with_stdout_on_a_full_disk_exits_with_the_commands_code():
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [*EXITAUDIT, "run", "--no-config", "--", *sh("echo hello; echo oops >&2; exit 3")],
            stdout=full, stderr=subprocess.PIPE, timeout=60,
        )
    err = proc.stderr.decode()
    assert proc.returncode == 3, err
    assert "internal error" not in err and "Traceback" not in err
    assert "standard output" in err and "No space left on device" in err
    assert "oops" in err  # standard error still passes through


def test_check_with_stdout_on_a_full_disk_is_one_line():
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([*EXITAUDIT, "check", str(PYINFRA_LOG), "-e", "1", "--no-config"], stdout=full, stderr=subprocess.PIPE, timeout=60)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1, err
    assert "standard output" in err and "No space left on device" in err and "internal error" not in err


class _FillingFile:
    """A spool file on a disk that fills after ``room`` bytes."""

    def __init__(self, real, room: int) -> None:
        self._real = real
        self._room = room

    def write(self, data) -> int:
        if len(data) > self._room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return self._real.write(data)

    def __getattr__(self, name):
        return getattr(self._real, name)


def test_run_with_a_full_tmpdir_passes_everything_through_and_exits_with_the_commands_code(monkeypatch, capfd):
    from exitaudit import cli as cli_module
    from exitaudit import wrapper

    real = wrapper.tempfile.TemporaryFile
    monkeypatch.setattr(wrapper.tempfile, "TemporaryFile", lambda *a, **kw: _FillingFile(real(*a, **kw), 131072))
    code = cli_module.main(["run", "--no-config", "--", *sh(
        "head -c 1000000 /dev/zero | tr '\\0' 'x'; echo; echo 'Errors: 1' >&2; exit 3"
    )])
    out, err = capfd.readouterr()
    assert code == 3, err
    assert len(out) == 1000001, len(out)
    lines = [line for line in err.splitlines() if line.startswith("exitaudit:")]
    assert len(lines) == 1 and "audit skipped" in lines[0] and "No space left on device" in lines[0], err
    assert "Errors: 1" in err


def test_run_with_a_full_tmpdir_on_a_real_disk(tmp_path):
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root and mount(8)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        proc = subprocess.run(
            [*EXITAUDIT, "run", "--no-config", "--", *sh("head -c 1000000 /dev/zero | tr '\\0' 'y'; exit 4")],
            capture_output=True, timeout=60, env={**os.environ, "TMPDIR": str(mnt)},
        )
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
    err = proc.stderr.decode()
    assert proc.returncode == 4, err
    assert len(proc.stdout) == 1000000
    assert err.count("exitaudit:") == 1 and "audit skipped" in err, err


def test_run_when_the_spool_cannot_be_made_still_runs_the_command(tmp_path, monkeypatch, capfd):
    from exitaudit import cli as cli_module
    from exitaudit import wrapper

    def refused(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(wrapper.tempfile, "TemporaryFile", refused)
    marker = tmp_path / "ran"
    code = cli_module.main(["run", "--no-config", "--", *sh(f"echo hi; touch {marker}; exit 5")])
    out, err = capfd.readouterr()
    assert code == 5 and marker.exists() and out == "hi\n"
    assert err.count("exitaudit:") == 1 and "audit skipped" in err and "Read-only file system" in err


# ---------------------------------------------------------------------------------------------
# 8. A found configuration file is read only up to its size limit


def test_a_huge_sparse_pyproject_is_not_read_whole(tmp_path):
    from exitaudit import config

    pyproject = tmp_path / "pyproject.toml"
    with open(pyproject, "wb") as fh:
        fh.write(b'[project]\nname = "x"\n')
        fh.truncate(256 << 20)  # sparse: costs no disk
    tracemalloc.start()
    try:
        cfg = config.resolve(None, cwd=tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert cfg.path is None  # not ours: passed over
    assert peak < 8 << 20, f"peak {peak >> 20} MiB"


def test_a_huge_pyproject_with_our_table_is_one_line(cli, tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    with open(pyproject, "wb") as fh:
        fh.write(b"[tool.exitaudit]\nfail_on = 'error'\n")
        fh.truncate(64 << 20)
    res = cli("check", PYINFRA_LOG, "-e", "1", cwd=tmp_path)
    assert_one_line_error(res, "pyproject.toml", "larger than")


def test_read_small_file_reads_at_most_the_limit(tmp_path, monkeypatch):
    from exitaudit import reader

    big = tmp_path / "big.toml"
    with open(big, "wb") as fh:
        fh.truncate(64 << 20)
    asked: list[int] = []
    real_read = os.read

    def counting(fd, n):
        asked.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(reader.os, "read", counting)
    with pytest.raises(ValueError, match="larger than"):
        reader.read_small_file(str(big), what="a rule file", error=lambda m, _l: ValueError(m), limit=1 << 20)
    assert asked and sum(asked) <= (1 << 20) + 1


# ---------------------------------------------------------------------------------------------
# 9. A line longer than the largest block


@pytest.mark.parametrize("size", [16 << 20, (16 << 20) + 3, 24 << 20])
@pytest.mark.parametrize("compressed", [False, True])
def test_an_unterminated_line_of_16_mib_or_more_is_read(tmp_path, size, compressed):
    from exitaudit.reader import LogSource

    # Multi-byte characters throughout, so that every cut between pieces meets one.
    data = ("é€😀" * (size // 9 + 1)).encode()[:size]
    path = tmp_path / ("long.log.gz" if compressed else "long.log")
    path.write_bytes(gzip.compress(data, 1) if compressed else data)
    with LogSource(str(path)) as src:
        blocks = [b.data for b in src.blocks()]
    assert b"".join(blocks) == data
    for piece in blocks[:-1]:
        piece.decode("utf-8")  # no piece ends inside a UTF-8 sequence
    assert src.lines == 1


def test_an_unterminated_16_mib_line_through_the_command_line(cli, tmp_path):
    log = tmp_path / "long.log"
    log.write_bytes(b"Errors: 1 " + b"y" * (16 << 20))
    res = cli("check", log, "-e", "0", "--no-config")
    assert "internal error" not in res.stderr and res.code in (0, 1), res.stderr


# ---------------------------------------------------------------------------------------------
# 10. FIFOs where a regular file is expected


def test_a_fifo_as_a_rule_file_named_by_the_configuration_is_one_line(cli, tmp_path):
    os.mkfifo(tmp_path / "pytest.toml")
    (tmp_path / "exitaudit.toml").write_text('rules = ["pytest.toml"]\n')
    res = cli("check", PYINFRA_LOG, "-e", "1", cwd=tmp_path)
    assert_one_line_error(res, "pytest.toml", "not a regular file")


def test_a_fifo_as_a_configuration_file_is_one_line(cli, tmp_path):
    os.mkfifo(tmp_path / "exitaudit.toml")
    res = cli("check", PYINFRA_LOG, "-e", "1", "--config", tmp_path / "exitaudit.toml")
    assert_one_line_error(res, "exitaudit.toml", "not a regular file")


def test_a_fifo_as_a_sidecar_is_an_error_row_not_a_hang(cli, tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    shutil.copy(PYINFRA_LOG, logs / "a.log")
    shutil.copy(PYINFRA_LOG, logs / "b.log")
    os.mkfifo(logs / "a.log.exit")
    (logs / "b.log.exit").write_text("1\n")
    out = tmp_path / "runs.csv"
    res = cli("batch", logs, "--no-config", "-j", "1", "-o", out)
    assert res.code == 2, res.stderr
    assert "a.log.exit" in res.stderr and "not a regular file" in res.stderr
    text = out.read_text()
    assert "b.log" in text and "consistent" in text


def test_an_exit_code_file_may_still_be_a_pipe(cli):
    res = subprocess.run(
        ["bash", "-c", f'{" ".join(map(str, EXITAUDIT))} check {PYINFRA_LOG} --no-config --exit-code-file <(echo 1)'],
        capture_output=True, timeout=60,
    )
    assert res.returncode == 0, res.stderr


# ---------------------------------------------------------------------------------------------
# 11. A symbolic-link loop in a batch folder


def test_a_symbolic_link_loop_in_a_batch_folder_is_skipped_with_a_warning(cli, tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    shutil.copy(PYINFRA_LOG, logs / "a.log")
    (logs / "a.log.exit").write_text("1\n")
    (logs / "loop.log").symlink_to(logs / "loop.log")
    out = tmp_path / "runs.csv"
    res = cli("batch", logs, "--no-config", "-j", "1", "-o", out)
    assert res.code == 0, res.stderr
    assert "internal error" not in res.stderr
    warning = [line for line in res.stderr.splitlines() if "loop.log" in line]
    assert len(warning) == 1 and "warning" in warning[0] and "symbolic link" in warning[0]
    text = out.read_text()
    assert "a.log" in text and "loop.log" in text and "skipped" in text


# ---------------------------------------------------------------------------------------------
# 12. A manifest is read as a stream


def test_a_bad_last_manifest_row_is_found_without_holding_the_manifest(tmp_path):
    from exitaudit import batch
    from exitaudit.errors import InputError

    manifest = tmp_path / "m.csv"
    rows = 60_000
    with open(manifest, "w") as fh:
        fh.write("path,exit_code,note\n")
        fh.write("logs/run.log,0,some carried text\n" * (rows - 1))
        fh.write("logs/run.log,abc,x\n")
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as info:
            batch.collect([str(manifest)], batch.Columns(), known_tools={"pytest"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert f"row {rows}" in str(info.value) and "exit_code" in str(info.value)
    # One batch of rows (MANIFEST_BATCH) at a time: 11 MiB measured; holding the rows took 69 MiB.
    assert peak < 32 << 20, f"peak {peak >> 20} MiB to find a bad row"


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet"])
def test_a_streamed_manifest_gives_the_same_jobs(tmp_path, suffix):
    import polars as pl

    from exitaudit import batch

    df = pl.DataFrame({"path": [f"logs/{i}.log" for i in range(2500)], "exit_code": [str(i % 3) if i % 7 else None for i in range(2500)], "note": [f"n{i}" if i % 5 else None for i in range(2500)]})
    manifest = tmp_path / f"m{suffix}"
    {".csv": lambda: df.write_csv(manifest), ".tsv": lambda: df.write_csv(manifest, separator="\t"), ".jsonl": lambda: df.write_ndjson(manifest), ".parquet": lambda: df.write_parquet(manifest)}[suffix]()
    jobs = batch.collect([str(manifest)], batch.Columns(), known_tools={"pytest"})
    assert [j.source for j in jobs.jobs] == [str(tmp_path / f"logs/{i}.log") for i in range(2500)]
    assert [j.status.code for j in jobs.jobs] == [i % 3 if i % 7 else None for i in range(2500)]
    assert [j.carried["note"] for j in jobs.jobs] == [f"n{i}" if i % 5 else None for i in range(2500)]


# ---------------------------------------------------------------------------------------------
# 14. Rule files named by a configuration stay inside its project


def _project(tmp_path: Path, rules: str) -> Path:
    proj = tmp_path / "proj"
    proj.mkdir(exist_ok=True)
    (proj / "exitaudit.toml").write_text(f"rules = [{rules}]\n")
    return proj


@pytest.mark.parametrize("entry", ["'/etc/passwd'", "'../elsewhere/secrets.toml'", "'linked.toml'", "'linkdir'"])
def test_a_configuration_cannot_name_rule_files_outside_its_project(cli, tmp_path, entry):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secrets.toml").write_text('token = "s3cr3t-value"\n')
    proj = _project(tmp_path, entry)
    (proj / "linked.toml").symlink_to(elsewhere / "secrets.toml")
    (proj / "linkdir").symlink_to(elsewhere)
    res = cli("check", PYINFRA_LOG, "-e", "1", cwd=proj)
    assert_one_line_error(res, "exitaudit.toml", "outside")
    assert "s3cr3t" not in res.stderr and "root:" not in res.stderr and "token" not in res.stderr


def test_the_command_line_may_name_rule_files_anywhere(cli, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pyinfra.toml").write_text("not toml at all\n")
    proj = _project(tmp_path, "")
    res = cli("check", PYINFRA_LOG, "-e", "1", "--rules", elsewhere / "pyinfra.toml", cwd=proj)
    assert res.code == 2 and "TOML syntax error" in res.stderr  # read, because the command line named it


def test_a_file_that_is_not_a_rule_file_is_not_quoted(cli, tmp_path):
    proj = _project(tmp_path, "'secrets.toml'")
    (proj / "secrets.toml").write_text('token = "s3cr3t-value"\npassword = "hunter2"\n')
    res = cli("check", PYINFRA_LOG, "-e", "1", cwd=proj)
    assert_one_line_error(res, "secrets.toml", "not a rule file")
    assert "s3cr3t" not in res.stderr and "hunter2" not in res.stderr and "password" not in res.stderr


def test_a_rule_directory_inside_the_project_still_loads(cli, tmp_path):
    proj = _project(tmp_path, "'rules'")
    (proj / "rules").mkdir()
    res = cli("check", PYINFRA_LOG, "-e", "1", cwd=proj)
    assert res.code == 0, res.stderr


# ---------------------------------------------------------------------------------------------
# 15. Exit codes as `$?` prints them


@pytest.mark.parametrize("text", ["1_0", "+5", "٣", "３", " 1 2", "0x1", "1e2", "-0", "-65", "256", "", "3.0", "SIGKILL"])
def test_exit_codes_that_dollar_question_never_prints_are_refused(text):
    from exitaudit.errors import InputError
    from exitaudit.model import ExitStatus, Origin

    with pytest.raises(InputError) as info:
        ExitStatus.parse(text, Origin.FLAG, "--exit-code")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("text", "code", "sig"), [
    ("0", 0, None), ("3\n", 3, None), (" 255 ", 255, None), ("137", 137, "SIGKILL"),
    ("-9", 137, "SIGKILL"), ("-15", 143, "SIGTERM"),
])
def test_exit_codes_and_the_documented_signal_forms_are_accepted(text, code, sig):
    from exitaudit.model import ExitStatus, Origin

    status = ExitStatus.parse(text, Origin.FLAG, "--exit-code")
    assert (status.code, status.signal) == (code, sig)


def test_a_refused_exit_code_is_one_line(cli):
    res = cli("check", PYINFRA_LOG, "--no-config", "-e", "1_0")
    assert_one_line_error(res, "--exit-code", "1_0")
