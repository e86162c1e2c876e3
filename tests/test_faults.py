"""Fault injection, end to end through the command line: unreadable inputs, a full disk, a
closed pipe, Ctrl-C, a catastrophic pattern, hostile rule files. Each ends in one line on
stderr and the documented exit code, never a traceback, and never in a partial report."""

from __future__ import annotations

import errno
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PYINFRA_LOG, assert_one_line_error

REDOS_RULES = """\
format = 1
tool = "redos"
description = "A rule file with one catastrophic pattern."

[detect]
patterns = ['^redos test log starts']

[signals.boom]
description = "catastrophic on a long line of a's"
pattern = '(a|a)*$'

[signals.fine]
description = "an ordinary pattern"
pattern = '^FAILED: '

[[checks]]
id = "boom"
title = "boom"
kind = "false-success"
severity = "{boom_severity}"
when = "boom > 0 && exit.code == 0"
message = "boom"
evidence = ["boom"]

[[checks]]
id = "fine"
title = "fine"
kind = "false-success"
when = "fine > 0 && exit.code == 0"
message = "failed {{fine}}"
evidence = ["fine"]
"""


def _redos(tmp_path: Path, boom_severity: str = "error") -> Path:
    path = tmp_path / "rules" / "redos.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(REDOS_RULES.format(boom_severity=boom_severity))
    return path


# ---------------------------------------------------------------------------------------------
# Unreadable inputs


def test_a_directory_given_as_a_log(cli, tmp_path):
    assert_one_line_error(cli("check", tmp_path, "-e", "0"), str(tmp_path), "directory")


@pytest.mark.parametrize("keep", [10, 100, 0.5, -8], ids=["header", "early", "half", "no-trailer"])
def test_a_truncated_gzip_log(cli, tmp_path, keep):
    packed = gzip.compress(PYINFRA_LOG.read_bytes() * 20)
    cut = int(len(packed) * keep) if isinstance(keep, float) else (keep if keep > 0 else len(packed) + keep)
    log = tmp_path / "job.log.gz"
    log.write_bytes(packed[:cut])
    assert_one_line_error(cli("check", log, "-e", "0"), "job.log.gz", "gzip")


def test_a_corrupt_gzip_log(cli, tmp_path):
    packed = bytearray(gzip.compress(PYINFRA_LOG.read_bytes()))
    packed[len(packed) // 2] ^= 0xFF
    log = tmp_path / "job.log.gz"
    log.write_bytes(bytes(packed))
    assert_one_line_error(cli("check", log, "-e", "0"), "job.log.gz")


def test_an_unreadable_log_among_good_ones_is_an_error_in_the_report(cli, tmp_path):
    report = tmp_path / "report.json"
    res = cli("check", PYINFRA_LOG, tmp_path / "missing.log", "-e", "0", "-o", report, "-f", "json")
    assert_one_line_error(res, "missing.log")
    doc = json.loads(report.read_text())  # never a report that reads as if every log was audited
    assert doc["errors"] == [{"source": str(tmp_path / "missing.log"), "message": "no such file"}]
    assert [r["verdict"] for r in doc["runs"]] == ["false-success"]


# ---------------------------------------------------------------------------------------------
# A disk that fills while the report is written


@pytest.fixture
def tiny_fs(tmp_path):
    """A 64 KiB tmpfs, filled to the brim; skipped where mounting is not allowed."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root and mount(8)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(folder: Path, leave: int = 0) -> None:
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"x" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    if leave:
        os.truncate(folder / "filler", max(0, os.path.getsize(folder / "filler") - leave))


def test_a_full_disk_leaves_no_partial_report(cli, tiny_fs):
    old = tiny_fs / "report.json"
    old.write_text('{"previous": true}\n')
    _fill(tiny_fs, leave=4096)  # room for a page, not for the report
    logs = [PYINFRA_LOG] * 40
    res = cli("check", *logs, "-e", "0", "-f", "json", "-o", old)
    assert_one_line_error(res, "report.json", "No space left on device")
    assert old.read_text() == '{"previous": true}\n'  # the previous report is untouched
    assert sorted(p.name for p in tiny_fs.iterdir()) == ["filler", "report.json"]  # no temp file left
    assert res.stdout == ""


def test_a_full_disk_on_a_second_report_writes_nothing_to_stdout(cli, tiny_fs, tmp_path):
    _fill(tiny_fs)
    junit = tiny_fs / "junit.xml"
    res = cli("check", PYINFRA_LOG, "-e", "0", "--junit", junit, "--json", tmp_path / "ok.json")
    assert_one_line_error(res, "junit.xml")
    assert not junit.exists() and res.stdout == ""
    assert [p.name for p in tiny_fs.iterdir()] == ["filler"]


def test_enospc_in_process_leaves_no_partial_report(tmp_path, monkeypatch, capsys):
    """The same without a mount: fsync fails with ENOSPC after the report was written."""
    from exitaudit import cli as cli_module

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    out = tmp_path / "report.json"
    code = cli_module.main(["check", str(PYINFRA_LOG), "-e", "0", "-f", "json", "-o", str(out), "--no-config"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "No space left on device" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# Signals and pipes


def test_a_broken_pipe_on_stdout_is_quiet(tmp_path):
    logs = " ".join([str(PYINFRA_LOG)] * 300)
    cmd = f"{sys.executable} -m exitaudit check {logs} -e 0 -f json; echo \"rc=$?\" >&2"
    done = subprocess.run(["bash", "-c", f"set -o pipefail; ({cmd}) | head -c 5"], capture_output=True, timeout=120)
    assert done.stdout == b"{\n  \""[:5]
    err = done.stderr.decode()
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err
    assert err.strip().splitlines()[-1] in ("rc=141", "rc=1"), err  # 141 = 128 + SIGPIPE, as cat(1) ends


def test_ctrl_c_while_reading_a_pipe_that_never_closes():
    proc = subprocess.Popen(
        [sys.executable, "-m", "exitaudit", "check", "-", "-e", "0"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        proc.stdin.write(PYINFRA_LOG.read_bytes())
        proc.stdin.flush()
        time.sleep(2.0)  # started, and blocked reading the open pipe
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (proc.returncode, err)
    assert err.decode().strip() == "exitaudit: interrupted"
    assert out == b""


# ---------------------------------------------------------------------------------------------
# A catastrophic pattern


def test_lint_warns_about_a_catastrophic_pattern(cli, tmp_path):
    res = cli("rules", "lint", _redos(tmp_path))
    assert res.code == 0
    warnings = [line for line in res.stderr.splitlines() if "signals.boom.pattern" in line and "backtrack" in line]
    assert len(warnings) == 1 and ":10: " in warnings[0], res.stderr
    assert "signals.fine" not in res.stderr


@pytest.mark.parametrize(
    "pattern, risky",
    [
        ("(a|a)*$", True), ("(a+)+$", True), ("(\\s*\\w+)*$", True), ("(\\w|\\d)+x", True), ("(?:ab|ac)*", True),
        ("(?:ab|cd)*", False), ("(\\d+\\.)+\\d+", False), ("[a-z]+", False), ("(a|b)*", False),
        ("^--> (?:Loading config|Loading inventory)\\.\\.\\.", False), ("(?P<n>\\d+) failed", False),
    ],
)
def test_backtracking_check_is_conservative(pattern, risky):
    from exitaudit.rules import backtracking_risk

    assert bool(backtracking_risk(pattern)) is risky


def test_builtin_pack_has_no_backtracking_warning():
    from exitaudit import load_rules
    from exitaudit.rules import backtracking_risk

    for rf in load_rules():
        patterns = [*rf.detect, *(e.pattern for e in rf.exit_status), *(s.pattern for s in rf.signals.values() if s.pattern)]
        assert [p for p in patterns if backtracking_risk(p)] == [], rf.tool


def _redos_log(tmp_path: Path, failed: bool) -> Path:
    log = tmp_path / "redos.log"
    log.write_text("redos test log starts\n" + ("FAILED: x\n" if failed else "ok\n") + "a" * 5000 + "!\n")
    return log


def test_catastrophic_pattern_is_skipped_and_the_rest_completes(cli, tmp_path):
    started = time.monotonic()
    res = cli("check", "-r", _redos(tmp_path), _redos_log(tmp_path, failed=True), "-e", "0", "-f", "json")
    assert time.monotonic() - started < 30
    assert res.code == 1, res.stderr
    import json

    (run,) = json.loads(res.stdout)["runs"]
    by_check = {f["check"]: f for f in run["findings"]}
    assert by_check["redos/boom"]["kind"] == "audit-incomplete"
    assert "boom" in by_check["redos/boom"]["message"] and "time limit" in by_check["redos/boom"]["message"]
    assert by_check["redos/fine"]["kind"] == "false-success"  # the other check ran


@pytest.mark.parametrize("severity, fail_on, code", [("warning", "error", 0), ("warning", "warning", 1), ("error", "error", 1)])
def test_a_skipped_check_sets_the_exit_code_by_its_severity(cli, tmp_path, severity, fail_on, code):
    res = cli("check", "-r", _redos(tmp_path, severity), _redos_log(tmp_path, failed=False), "-e", "0", "--fail-on", fail_on)
    assert res.code == code, (res.stdout, res.stderr)
    assert "audit-incomplete redos/boom" in res.stdout and "Traceback" not in res.stderr


# ---------------------------------------------------------------------------------------------
# Hostile rule files


def _rule(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


HEAD = 'format = 1\ntool = "{name}"\ndescription = "x"\n'


@pytest.mark.parametrize("depth", [300, 1000, 100_000])
@pytest.mark.parametrize("shape", ["array", "table"])
def test_deeply_nested_toml(cli, tmp_path, depth, shape):
    value = "[" * depth + "]" * depth if shape == "array" else "{a=" * depth + "1" + "}" * depth
    path = _rule(tmp_path, "deep", HEAD.format(name="deep") + "[detect]\npatterns = " + value + "\n")
    res = cli("check", "-r", path, PYINFRA_LOG, "-e", "0")
    assert_one_line_error(res, "deep.toml")
    assert len(res.stderr) < 500


def test_a_huge_toml(cli, tmp_path):
    path = _rule(tmp_path, "huge", HEAD.format(name="huge") + 'homepage = "' + "x" * (1 << 20) + '"\n')
    assert_one_line_error(cli("check", "-r", path, PYINFRA_LOG, "-e", "0"), "huge.toml", "larger than")


VALID = REDOS_RULES.replace("(a|a)*$", "^boom ").replace("redos", "{name}")


@pytest.mark.parametrize(
    "old, new, key, field",
    [
        ("patterns = ['^{name} test log starts']", "patterns = 'not a list'", "patterns = ", "detect.patterns"),
        ("pattern = '^FAILED: '", "pattern = '^FAILED: '\nwithin = \"five\"", "within = ", "signals.fine.within"),
        ("pattern = '^FAILED: '", "pattern = 42", "pattern = 42", "signals.fine.pattern"),
        ('severity = "{boom_severity}"', "severity = 3", "severity = 3", "checks[0].severity"),
        ('evidence = ["fine"]', 'evidence = "fine"', 'evidence = "fine"', "checks[1].evidence"),
        ("format = 1", 'format = "1"', "format = ", "format"),
    ],
    ids=["array", "integer", "string", "enum", "list", "format"],
)
def test_wrong_types_name_file_line_and_field(cli, tmp_path, old, new, key, field):
    text = VALID.replace(old, new).format(name="wt", boom_severity="error").replace("{{", "{").replace("}}", "}")
    assert new.replace("{name}", "wt") in text
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith(key))
    path = _rule(tmp_path, "wt", text)
    res = cli("check", "-r", path, PYINFRA_LOG, "-e", "0")
    assert_one_line_error(res, f"wt.toml:{line}: {field}: ")


def test_permission_denied_is_one_clear_error_even_as_root(tmp_path, monkeypatch):
    """Root reads every file, so the EACCES path is driven by refusing the open itself."""
    from exitaudit import reader
    from exitaudit.errors import InputError
    from exitaudit.reader import LogSource

    log = tmp_path / "secret.log"
    log.write_bytes(b"Errors: 1\n")

    def refuse(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(reader, "open", refuse, raising=False)
    with pytest.raises(InputError) as info:
        with LogSource(str(log)) as src:
            list(src.blocks())
    assert str(info.value) == f"{log}: permission denied"
