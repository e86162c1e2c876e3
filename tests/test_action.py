"""The composite GitHub Action: its audit step runs under bash as GitHub runs it, and the step's
exit code is always exitaudit's (or the wrapped command's), never swallowed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import PYINFRA_LOG, ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
AUDIT = next(step for step in ACTION["runs"]["steps"] if step.get("id") == "audit")


def run_step(tmp_path: Path, env: dict[str, str], exitaudit: str | None = None) -> tuple[int, str, str]:
    """Run the step's script as the runner does (bash, the step's env), with exitaudit on PATH."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    shim = bindir / "exitaudit"
    shim.write_text(exitaudit or f'#!/bin/sh\nexec "{sys.executable}" -m exitaudit "$@"\n')
    shim.chmod(0o755)
    output = tmp_path / "github_output"
    summary = tmp_path / "summary.md"
    full_env = {
        **os.environ,
        "PATH": f"{bindir}:{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        **{k: "" for k in AUDIT["env"]},
        **env,
    }
    proc = subprocess.run(["bash", "-e", "-c", AUDIT["run"]], env=full_env, capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, output.read_text() if output.exists() else ""


def test_a_false_success_fails_the_step_with_annotations(tmp_path):
    code, stdout, outputs = run_step(tmp_path, {"LOG": str(PYINFRA_LOG), "EXIT_CODE": "0"})
    assert code == 1
    assert stdout.startswith("::error file=") and "pyinfra/errors-exit-zero" in stdout
    assert "exit-code=1" in outputs.splitlines()


def test_an_honest_failure_passes_the_audit(tmp_path):
    code, _stdout, outputs = run_step(tmp_path, {"LOG": str(PYINFRA_LOG), "EXIT_CODE": "1"})
    assert code == 0 and "exit-code=0" in outputs.splitlines()


@pytest.mark.parametrize("rc", [2, 3, 137])
def test_every_exit_code_of_exitaudit_reaches_the_step(tmp_path, rc):
    code, _stdout, outputs = run_step(tmp_path, {"LOG": "x.log"}, exitaudit=f"#!/bin/sh\nexit {rc}\n")
    assert code == rc and f"exit-code={rc}" in outputs.splitlines()


def test_nothing_to_audit_is_an_error(tmp_path):
    code, stdout, _outputs = run_step(tmp_path, {})
    assert code != 0 and "::error" in stdout
