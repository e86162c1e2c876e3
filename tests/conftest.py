from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_logs"
SCHEMAS = Path(__file__).resolve().parent / "schemas"

PYINFRA_LOG = SAMPLES / "pyinfra" / "python-call-fail-2.8" / "output.log"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str | os.PathLike[str], stdin: bytes | None = None, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
    """Run the installed command end to end, as a user's shell would."""
    proc = subprocess.run(
        [sys.executable, "-m", "exitaudit", *map(str, args)],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        cwd=cwd,
        env={**os.environ, **(env or {}), "COLUMNS": "100"},
        timeout=60,
    )
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


@pytest.fixture
def cli():
    return run_cli


def assert_one_line_error(res: Result, *needles: str) -> None:
    """A bad input ends in exactly one line on stderr naming the problem, exit 2, no traceback."""
    assert res.code == 2, (res.code, res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("exitaudit: "), res.stderr
    assert "Traceback" not in res.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
