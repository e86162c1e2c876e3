"""exitaudit run: the command's output passes through unchanged, its status is never lost, and the
audit sees what it printed and how it ended."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
import textwrap
import time
from pathlib import Path

import pytest

from conftest import PYINFRA_LOG, ROOT
from exitaudit import cli, wrapper
from exitaudit.engine import Engine

EXITAUDIT = [sys.executable, "-m", "exitaudit"]
LOG = str(PYINFRA_LOG)
BIN = str(Path(sys.executable).parent)  # where the `exitaudit` script is installed


def py(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


def run(*args: str, cwd: Path | None = None, stdin: bytes = b"", timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    """``exitaudit run ARGS`` end to end; stdout and stderr as bytes."""
    return subprocess.run([*EXITAUDIT, "run", *args], input=stdin, capture_output=True, cwd=cwd, timeout=timeout)


def sh(script: str) -> list[str]:
    return ["sh", "-c", script]


def start(*args: str, **kw) -> subprocess.Popen[bytes]:
    """``exitaudit run ARGS`` in a session of its own: no controlling terminal, as in CI."""
    return subprocess.Popen([*EXITAUDIT, "run", *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, **kw)


def read_until(stream, needle: bytes, timeout: float = 30) -> bytes:
    """Read ``stream`` (a pipe) until ``needle`` arrives; fails on timeout or end of file."""
    fd = stream.fileno()
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"{needle!r} did not arrive; got {seen!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 65536)
            assert chunk, f"end of output before {needle!r}; got {seen!r}"
            seen += chunk
    return seen


# --------------------------------------------------------------------------------------------
# Exit codes, on the real pyinfra 2.8 log


def test_false_success_of_a_wrapped_command_exits_1_and_the_output_passes_through():
    res = run("--", *sh(f"cat '{LOG}'; exit 0"))
    assert res.returncode == 1, res
    assert res.stdout == PYINFRA_LOG.read_bytes()  # the command's stdout, and nothing else
    report = res.stderr.decode()
    assert re.search(r":29: error false-success pyinfra/errors-exit-zero: ", report), report
    assert re.search(r": false-success \(exit 0 from exitaudit run, \d+\.\d s; tools: pyinfra\)", report), report
    assert report.rstrip().endswith("Audited 1 log: 1 false-success; 1 finding(s) at or above error.")


def test_a_failing_command_exits_with_its_own_code():
    one = run("--", *sh(f"cat '{LOG}'; exit 1"))
    assert one.returncode == 1 and b"consistent (exit 1 from exitaudit run" in one.stderr, one
    # Its own code, not exitaudit's: 5 is no code of exitaudit's, and the audit found no lie.
    five = run("--", *sh(f"cat '{LOG}'; exit 5"))
    assert five.returncode == 5, five
    # Non-zero wins even over a mismatch (pyinfra documents no exit code 3 for this log).
    assert run("--", *sh(f"cat '{LOG}'; exit 3"), "--fail-on", "warning").returncode == 3


def test_a_clean_command_exits_0():
    res = run("--", *py("print('build finished')"))
    assert res.returncode == 0, res
    assert res.stdout == b"build finished\n"
    assert b"(exit 0 from exitaudit run" in res.stderr


def test_on_mismatch_and_exit_zero():
    assert run("--on-mismatch", "9", "--", *sh(f"cat '{LOG}'")).returncode == 9
    assert run("--exit-zero", "--", *sh(f"cat '{LOG}'")).returncode == 0
    # --exit-zero never hides the command's own failure.
    assert run("--exit-zero", "--", *sh(f"cat '{LOG}'; exit 4")).returncode == 4


# --------------------------------------------------------------------------------------------
# Pass-through and the spool


STDOUT_BYTES = (
    b"plain line\r\n"
    b"\x1b[31mcoloured\x1b[0m\n"
    b"latin-1 caf\xe9 and a NUL \x00 byte\n"
    + b"long line " * 20000 + b"\n"
    b"last line without newline"
)
STDERR_BYTES = b"warning: one\n\xff\xfe odd bytes\n" * 5000 + b"no newline at the end either"
WRITE_FILES = """
    import os, sys
    out, err = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
    for i in range(0, max(len(out), len(err)), 7000):  # interleaved, in odd-sized pieces
        os.write(1, out[i:i + 7000])
        os.write(2, err[i:i + 7000])
    sys.exit(int(sys.argv[3]))
"""


def test_stdout_and_stderr_pass_through_separately_and_byte_for_byte(tmp_path):
    (tmp_path / "out").write_bytes(STDOUT_BYTES)
    (tmp_path / "err").write_bytes(STDERR_BYTES)
    res = run("-o", str(tmp_path / "report.txt"), "--", *py(WRITE_FILES), str(tmp_path / "out"), str(tmp_path / "err"), "0")
    assert res.returncode == 0, res
    assert res.stdout == STDOUT_BYTES
    assert res.stderr == STDERR_BYTES  # the report went to -o, so stderr is the command's alone
    assert "no-coverage" in (tmp_path / "report.txt").read_text()


def test_binary_output_passes_through_and_the_status_stands(tmp_path):
    blob = bytes(range(256)) * 400
    (tmp_path / "out").write_bytes(blob)
    (tmp_path / "err").write_bytes(b"")
    res = run("--", *py(WRITE_FILES), str(tmp_path / "out"), str(tmp_path / "err"), "6")
    assert res.returncode == 6
    assert res.stdout == blob
    # The audit refuses a binary log, in one line, and the command's code stands.
    lines = res.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("exitaudit: audit failed: ") and "binary" in lines[0], lines
    assert lines[0].endswith("exiting with the command's status 6")


def test_output_passes_through_while_the_command_runs():
    # The command waits for a line on its stdin after each write: without live pass-through the
    # test would wait for output that never comes.
    child = """
        import sys
        print("ping", flush=True)
        sys.stdin.readline()
        print("on stderr", file=sys.stderr, flush=True)
        sys.stdin.readline()
    """
    proc = subprocess.Popen([*EXITAUDIT, "run", "--", *py(child)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert read_until(proc.stdout, b"ping\n") == b"ping\n"
        proc.stdin.write(b"\n")
        proc.stdin.flush()
        assert read_until(proc.stderr, b"on stderr\n").startswith(b"on stderr\n")
        proc.stdin.write(b"\n")
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()


def test_the_spool_keeps_arrival_order_and_each_lines_stream(tmp_path):
    child = """
        import sys, time
        for i in range(6):
            stream = sys.stdout if i % 2 == 0 else sys.stderr
            stream.write(f"line {i} on {'out' if i % 2 == 0 else 'err'}\\n")
            stream.flush()
            time.sleep(0.02)
        # A line half-written on stdout when one arrives on stderr is not cut in two.
        sys.stdout.write("half "); sys.stdout.flush(); time.sleep(0.02)
        sys.stderr.write("whole on err\\n"); sys.stderr.flush(); time.sleep(0.02)
        sys.stdout.write("and the rest\\n"); sys.stdout.write("last"); sys.stdout.flush()
    """
    with open(tmp_path / "out", "wb") as out, open(tmp_path / "err", "wb") as err:
        done = wrapper.run(py(child), stdout_fd=out.fileno(), stderr_fd=err.fileno())
    with done:
        assert done.returncode == 0 and done.signal is None and done.duration > 0.1
        assert done.spool.read() == (
            b"line 0 on out\nline 1 on err\nline 2 on out\nline 3 on err\nline 4 on out\nline 5 on err\n"
            b"whole on err\nhalf and the rest\nlast"
        )
        assert list(done.spool.streams()) == ["stdout", "stderr"] * 3 + ["stderr", "stdout", "stdout"]
        assert done.spool.lines == 9
        assert [done.spool.stream_of(n) for n in (1, 2, 7, 8, 9)] == ["stdout", "stderr", "stderr", "stdout", "stdout"]
        assert done.spool.stream_bytes == {"stdout": (tmp_path / "out").stat().st_size, "stderr": (tmp_path / "err").stat().st_size}
    # Pass-through is as written, not as spooled.
    assert (tmp_path / "out").read_bytes() == b"line 0 on out\nline 2 on out\nline 4 on out\nhalf and the rest\nlast"
    assert (tmp_path / "err").read_bytes() == b"line 1 on err\nline 3 on err\nline 5 on err\nwhole on err\n"


def test_a_giant_unfinished_line_is_spooled_in_pieces_and_ended_where_the_other_stream_writes():
    with wrapper.Spool() as spool:
        spool.feed("stdout", b"x" * wrapper.MAX_PENDING)  # no newline yet: goes to the spool anyway
        spool.feed("stderr", b"err\n")
        spool.feed("stdout", b"y\n")
        spool.finish()
        assert spool.read() == b"x" * wrapper.MAX_PENDING + b"\nerr\ny\n"
        assert list(spool.streams()) == ["stdout", "stderr", "stdout"]


def test_the_spool_file_is_gone_afterwards(tmp_path):
    res = subprocess.run([*EXITAUDIT, "run", "--", *py("print('x' * 1000)")], capture_output=True, timeout=60, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert res.returncode == 0
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------
# How the command ended


def test_a_command_killed_by_sigkill_gives_137_and_the_audit_sees_it(tmp_path):
    report = tmp_path / "r.json"
    res = run("--json", str(report), "--", *py("import os, signal; print('working', flush=True); os.kill(os.getpid(), signal.SIGKILL)"))
    assert res.returncode == 137, res
    assert res.stdout == b"working\n"
    status = json.loads(report.read_text())["runs"][0]["exit_status"]
    assert status == {"code": 137, "signal": "SIGKILL", "origin": "run"}
    assert b"exit 137 (SIGKILL) from exitaudit run" in res.stderr


def test_command_not_found_gives_127_and_one_line():
    res = run("--", "exitaudit-no-such-command", "--flag")
    assert res.returncode == 127
    assert res.stdout == b""
    assert res.stderr == b"exitaudit: exitaudit-no-such-command: command not found\n"
    missing = run("--", "./no/such/file")
    assert missing.returncode == 127 and missing.stderr == b"exitaudit: ./no/such/file: No such file or directory\n"


def test_a_command_that_is_not_executable_gives_126(tmp_path):
    script = tmp_path / "deploy.sh"
    script.write_text("#!/bin/sh\necho ran\n")
    script.chmod(0o644)  # no execute bit for anyone: even root cannot execute it
    res = run("--", "./deploy.sh", cwd=tmp_path)
    assert res.returncode == 126
    assert res.stdout == b""
    assert res.stderr == b"exitaudit: ./deploy.sh: Permission denied\n"
    assert run("--", str(tmp_path)).returncode == 126  # a directory


def test_a_background_process_holding_the_output_open_does_not_hold_exitaudit():
    start_time = time.monotonic()
    res = run("--", *sh("sleep 20 & echo $!; exit 3"))
    try:
        assert res.returncode == 3
        assert time.monotonic() - start_time < 15  # LINGER (2 s) after the command, not the 20 s
        assert re.search(rb"exit 3 from exitaudit run, 0\.\d s", res.stderr), res.stderr  # the command's own time
    finally:
        os.kill(int(res.stdout), signal.SIGKILL)


# --------------------------------------------------------------------------------------------
# Signals

TRAPS = """
    import signal, sys, time
    def trapped(signum, frame):
        print(f"got {{signal.Signals(signum).name}}", flush=True)
        sys.exit({code})
    signal.signal(signal.{sig}, trapped)
    print("ready", flush=True)
    time.sleep(30)
    sys.exit(0)
"""


def test_sigterm_to_exitaudit_is_forwarded_and_its_result_is_the_exit_code():
    proc = start("--", *py(TRAPS.format(sig="SIGTERM", code=3)))
    try:
        read_until(proc.stdout, b"ready\n")
        proc.send_signal(signal.SIGTERM)  # to exitaudit alone, as a supervisor does
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 3, err
    assert out == b"got SIGTERM\n"
    assert b"Audited 1 log" in err  # the audit still ran


IGNORES_TERM = """
    import signal, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    print("ready", flush=True)
    time.sleep(1.5)
    print("finished my work", flush=True)
    sys.exit(5)
"""


def test_a_command_that_ignores_sigterm_keeps_running_and_its_status_still_comes_back():
    proc = start("--", *py(IGNORES_TERM))
    try:
        read_until(proc.stdout, b"ready\n")
        proc.send_signal(signal.SIGTERM)  # forwarded, and ignored by the command
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 5, err  # the command's own status, not a signal's
    assert out == b"finished my work\n"  # everything it printed after the signal reached us
    assert b"Audited 1 log" in err


def test_sigint_without_a_terminal_is_forwarded():
    proc = start("--", *py(TRAPS.format(sig="SIGINT", code=4)))
    try:
        read_until(proc.stdout, b"ready\n")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 4, err
    assert out == b"got SIGINT\n"


def test_a_command_that_dies_of_the_forwarded_sigint_ends_exitaudit_by_sigint_after_the_audit():
    proc = start("--", *py("import time; print('ready', flush=True); time.sleep(30)"))
    try:
        read_until(proc.stdout, b"ready\n")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGINT, err  # a shell shows 130, and a calling script stops
    assert b"exit 130 (SIGINT) from exitaudit run" in err


def test_ctrl_c_on_a_terminal_reaches_the_command_once():
    # exitaudit runs on a pseudo-terminal as its controlling terminal; ^C there sends SIGINT to
    # the foreground process group, exitaudit and the command alike. exitaudit must not forward
    # a second one: many programs take a second Ctrl-C as "stop cleaning up, die now".
    child = """
        import signal, sys, time
        got = []
        signal.signal(signal.SIGINT, lambda *a: got.append(1))
        print("ready", flush=True)
        deadline = time.monotonic() + 30
        while not got and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.5)  # a forwarded duplicate would arrive in this time
        print(f"SIGINTs: {len(got)}", flush=True)
        sys.exit(7)
    """
    master, slave = pty.openpty()

    def controlling_terminal() -> None:  # in the new session: make the pty (stdin) its terminal
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [*EXITAUDIT, "run", "--", *py(child)],
        stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, preexec_fn=controlling_terminal,
    )
    os.close(slave)
    try:
        read_until(proc.stdout, b"ready\n")
        os.write(master, b"\x03")  # ^C
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        os.close(master)
    assert proc.returncode == 7, err
    assert out == b"SIGINTs: 1\n"


# --------------------------------------------------------------------------------------------
# The command's status survives a failing audit


def test_an_audit_crash_still_passes_output_through_and_exits_with_the_commands_code(monkeypatch, capfd):
    def crash(self, *args, **kw):
        raise RuntimeError("boom")

    monkeypatch.setattr(Engine, "audit", crash)
    code = cli.main(["run", "--", *py("import sys; print('out'); print('err', file=sys.stderr); sys.exit(5)")])
    out, err = capfd.readouterr()
    assert code == 5
    assert out == "out\n"
    assert err.startswith("err\n")
    lines = err.splitlines()[1:]
    assert lines == ["exitaudit: audit failed: internal error: RuntimeError: boom; exiting with the command's status 5"]
    # A command that exited 0 still exits 0: a crash of exitaudit is not a failure of the command.
    assert cli.main(["run", "--", *py("print('fine')")]) == 0


def test_a_rule_file_that_does_not_load_stops_the_command_before_it_starts(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("this is = not [valid toml\n")
    marker = tmp_path / "ran"
    res = run("--rules", str(broken), "--", *py(f"open({str(marker)!r}, 'w'); print('deployed')"))
    assert res.returncode == 2 and not marker.exists()
    assert res.stdout == b""
    lines = res.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"exitaudit: {broken}:1: TOML syntax error"), lines


def test_a_report_that_cannot_be_written_keeps_the_commands_code(tmp_path):
    # Writable when checked before the start; the command makes it a directory meanwhile.
    res = run("--json", str(tmp_path / "r.json"), "--", *sh(f"cat '{LOG}'; mkdir '{tmp_path}/r.json'; exit 0"))
    assert res.stdout == PYINFRA_LOG.read_bytes()
    assert res.returncode == 0, res  # the command's code, not exitaudit's 1 or 2
    lines = res.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("exitaudit: audit failed: ") and "r.json" in lines[0], lines


# --------------------------------------------------------------------------------------------
# The command line is checked before the command starts


@pytest.mark.parametrize(
    "args",
    [
        [],  # no --
        ["--tool", "no-such-tool", "--"],
        ["--param", "pyinfra.no_such_param=1", "--"],
        ["--param", "no-dot", "--"],
        ["--exit-zero", "--on-mismatch", "3", "--"],
        ["--on-mismatch", "0", "--"],
        ["--format", "yaml", "--"],
        ["-o", "/no/such/folder/report.txt", "--"],
    ],
)
def test_usage_errors_exit_2_without_running_the_command(tmp_path, args):
    marker = tmp_path / "ran"
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    res = subprocess.run([*EXITAUDIT, "run", *args, *py(f"open({str(marker)!r}, 'w')")], capture_output=True, timeout=60, env=env)
    assert res.returncode == 2, res
    assert not marker.exists()
    lines = res.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("exitaudit: "), lines


def test_no_command_after_the_dashes_is_a_usage_error():
    res = run("--")
    assert res.returncode == 2 and b"give the command after --" in res.stderr


# --------------------------------------------------------------------------------------------
# Reports


def test_reports_of_a_wrapped_run(tmp_path):
    out_json, out_xml, out_txt = tmp_path / "r.json", tmp_path / "r.xml", tmp_path / "r.txt"
    res = run("--json", str(out_json), "--junit", str(out_xml), "-o", str(out_txt), "--tool", "pyinfra", "--", *sh(f"cat '{LOG}'"))
    assert res.returncode == 1
    assert res.stderr == b""  # every report went to a file
    data = json.loads(out_json.read_text())
    (run_,) = data["runs"]
    assert run_["verdict"] == "false-success"
    assert run_["exit_status"] == {"code": 0, "signal": None, "origin": "run"}
    assert run_["source"].startswith("sh -c 'cat ")  # the command line names the log
    assert "false-success" in out_xml.read_text() and "false-success" in out_txt.read_text()


def test_the_report_to_standard_output_follows_the_commands_output():
    res = run("-o", "-", "-f", "json", "--", *sh(f"cat '{LOG}'"))
    assert res.returncode == 1
    log = PYINFRA_LOG.read_bytes()
    assert res.stdout.startswith(log)
    assert json.loads(res.stdout[len(log):])["runs"][0]["verdict"] == "false-success"
    assert res.stderr == b""


# Runs exitaudit and reports its peak RSS. A process of its own, small: a child's ru_maxrss
# starts at its parent's RSS at the fork (Linux), and pytest's grows over a test session.
MEASURE = """
    import json, os, select, subprocess, sys
    proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen, err = 0, b""
    open_ = [proc.stdout, proc.stderr]
    while open_:  # count the pass-through without keeping it
        for pipe in select.select(open_, [], [])[0]:
            chunk = os.read(pipe.fileno(), 1 << 20)
            if not chunk:
                open_.remove(pipe)
            elif pipe is proc.stdout:
                seen += len(chunk)
            else:
                err += chunk
    _, status, usage = os.wait4(proc.pid, 0)
    json.dump({"code": os.waitstatus_to_exitcode(status), "seen": seen, "mb": usage.ru_maxrss / 1024, "err": err.decode()}, sys.stdout)
"""


def test_memory_stays_bounded_when_the_command_prints_50_mb():
    gen = py("""
        import sys
        line = b"%08d some ordinary output of a build step, nothing to see here\\n"
        write = sys.stdout.buffer.write
        for i in range(50 * 1024 * 1024 // len(line % 0)):
            write(line % i)
    """)

    def peak(*command: str) -> dict:
        res = subprocess.run([*py(MEASURE), *EXITAUDIT, "run", "--", *command], capture_output=True, timeout=600)
        assert res.returncode == 0, res
        got = json.loads(res.stdout)
        assert got["code"] == 0, got
        return got  # mb: ru_maxrss, in KiB on Linux, as MiB

    small = peak(*py("print('hello')"))
    big = peak(*gen)
    assert big["seen"] > 50 * 10**6
    assert "exit 0 from exitaudit run" in big["err"], big["err"]
    print(f"peak RSS {big['mb']:.0f} MB for 50 MB of output, {small['mb']:.0f} MB for one line")
    assert big["mb"] < 150, f"peak RSS {big['mb']:.0f} MB"
    # Flat, not growing with the output: an implementation holding the output would add 50 MB.
    assert big["mb"] < small["mb"] + 40, f"peak RSS {big['mb']:.0f} MB for 50 MB of output, {small['mb']:.0f} MB for one line"


# --------------------------------------------------------------------------------------------
# The pipe form, for when wrapping is impossible

PIPE_FORM = "set -o pipefail; cmd 2>&1 | tee log; exitaudit check log --exit-code ${PIPESTATUS[0]}"


@pytest.mark.parametrize(("fake_exit", "expected_exit", "verdict"), [(0, 1, "false-success"), (1, 0, "consistent")])
def test_the_readme_pipe_form_gives_exitaudit_the_commands_own_code(tmp_path, fake_exit, expected_exit, verdict):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert PIPE_FORM in readme.splitlines()
    fake = tmp_path / "bin" / "cmd"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\ncat '{LOG}'\necho 'some noise on stderr' >&2\nexit {fake_exit}\n")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{fake.parent}{os.pathsep}{BIN}{os.pathsep}{os.environ['PATH']}"}
    res = subprocess.run(["bash", "-c", PIPE_FORM], cwd=tmp_path, env=env, capture_output=True, timeout=60)
    # tee exits 0 either way: only the command's own status makes these two differ.
    assert res.returncode == expected_exit, res
    assert f"log: {verdict} (exit {fake_exit} from --exit-code; tools: pyinfra)".encode() in res.stdout
    assert (tmp_path / "log").read_bytes().endswith(b"some noise on stderr\n")


def test_run_applies_the_configuration_file(cli, tmp_path):
    """A suppression in exitaudit.toml passes the gate for a wrapped run, as it does for check."""
    log = str(PYINFRA_LOG)
    (tmp_path / "exitaudit.toml").write_text(
        '[[suppress]]\ncheck = "pyinfra/errors-exit-zero"\nreason = "known, fixed by the upgrade"\nuntil = 2999-12-31\n'
    )
    cmd = [sys.executable, "-c", f"import sys; sys.stdout.write(open({log!r}).read())"]
    suppressed = cli("run", "--", *cmd, cwd=tmp_path)
    assert suppressed.code == 0, suppressed.stderr
    assert "suppressed until 2999-12-31" in suppressed.stderr
    plain = cli("run", "--no-config", "--", *cmd, cwd=tmp_path)
    assert plain.code == 1
