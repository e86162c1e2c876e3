"""rules/pytest.toml end to end: the non_gating parameter on the Pyodide-like samples, and the
defaults that must leave every honest sample alone.

The gating checks only fire with ``--param pytest.non_gating=...``; the samples' manifest (and
test_samples.py) audits with the defaults, so these tests run the command line with the
parameter set, as a CI gate would.
"""

from __future__ import annotations

import json

import pytest

from conftest import SAMPLES

NON_GATING = "pytest.non_gating=^tests/extensions/"
EXT_TIMEOUT = SAMPLES / "pytest" / "pyodide_extension_timeout"
CORE_FAILURE = SAMPLES / "pytest" / "pyodide_core_failure"
TIMEOUT_THREAD = SAMPLES / "pytest" / "timeout_thread"
COLLECTION_ERROR = SAMPLES / "pytest" / "collection_error"


def audit(cli, case, *args):
    res = cli("check", case / "output.log", "--exit-code-file", case / "exit_code", "--format", "json", *args)
    assert res.code in (0, 1), res
    (run,) = json.loads(res.stdout)["runs"]
    return res.code, run


def fired(run):
    return {f["check"]: f for f in run["findings"]}


def test_only_an_extension_timeout_is_a_false_failure_and_exitaudit_exits_0(cli):
    code, run = audit(cli, EXT_TIMEOUT, "--param", NON_GATING)
    assert code == 0
    assert run["verdict"] == "false-failure"
    findings = fired(run)
    assert set(findings) == {"pytest/only-non-gating-failed", "pytest/timeouts-exit-one"}
    only = findings["pytest/only-non-gating-failed"]
    assert only["kind"] == "false-failure" and only["severity"] == "warning"
    assert "tests/extensions/test_numpy_ext.py::test_numpy_large_matrix" in only["message"]
    assert "^tests/extensions/" in only["message"]


def test_a_core_failure_gates_and_exitaudit_exits_1(cli):
    code, run = audit(cli, CORE_FAILURE, "--param", NON_GATING)
    assert code == 1
    assert run["verdict"] == "consistent"
    findings = fired(run)
    assert set(findings) == {"pytest/gating-test-failed", "pytest/tests-failed-exit-one"}
    gate = findings["pytest/gating-test-failed"]
    assert gate["kind"] == "consistent" and gate["severity"] == "error"
    assert "tests/core/test_ffi.py::test_to_js_list" in gate["message"]


def test_a_timeout_that_killed_pytest_gates(cli):
    """No summary: pytest-timeout's thread method ended pytest before it reported which tests
    failed, so nothing shows the failure to be non-gating, and the gate must fail safe."""
    code, run = audit(cli, TIMEOUT_THREAD, "--param", NON_GATING)
    assert code == 1
    assert run["verdict"] == "consistent"
    findings = fired(run)
    assert set(findings) == {"pytest/gating-failure-unproven", "pytest/timeout-kill-exit-one"}
    assert findings["pytest/gating-failure-unproven"]["severity"] == "error"


def test_a_collection_error_in_a_gating_module_gates(cli):
    code, run = audit(cli, COLLECTION_ERROR, "--param", NON_GATING)
    assert code == 1
    assert run["verdict"] == "consistent"
    findings = fired(run)
    assert set(findings) == {"pytest/gating-test-failed", "pytest/collection-errors-exit-two"}
    assert "tests/test_db.py" in findings["pytest/gating-test-failed"]["message"]


def test_a_collection_error_in_a_non_gating_module_still_gates(cli, tmp_path):
    """The module that failed to import is non-gating, but collection errors stop pytest before
    any test runs: the gating tests never ran, so this is not a false failure."""
    log = (COLLECTION_ERROR / "output.log").read_text().replace("tests/test_db.py", "tests/extensions/test_db.py")
    (tmp_path / "output.log").write_text(log)
    (tmp_path / "exit_code").write_text("2\n")
    code, run = audit(cli, tmp_path, "--param", NON_GATING)
    assert code == 1
    assert run["verdict"] == "consistent"
    assert set(fired(run)) == {"pytest/gating-failure-unproven", "pytest/collection-errors-exit-two"}


def test_a_pattern_matching_every_failure_turns_the_core_failure_into_a_false_failure(cli):
    """A list parameter takes every value given: repeating --param adds patterns."""
    code, run = audit(cli, CORE_FAILURE, "--param", NON_GATING, "--param", "pytest.non_gating=^tests/core/test_ffi\\.py::")
    assert code == 0
    assert run["verdict"] == "false-failure"
    assert "pytest/only-non-gating-failed" in fired(run)


@pytest.mark.parametrize("case", [EXT_TIMEOUT, CORE_FAILURE], ids=["extension_timeout", "core_failure"])
def test_without_the_parameter_the_gating_checks_stay_silent(cli, case):
    code, run = audit(cli, case)
    assert code == 0
    assert run["verdict"] == "consistent"
    gating = {"pytest/only-non-gating-failed", "pytest/gating-test-failed", "pytest/gating-failure-unproven"}
    assert not gating & set(fired(run))


def test_a_passing_run_is_untouched_by_the_parameter(cli):
    code, run = audit(cli, SAMPLES / "pytest" / "all_pass", "--param", NON_GATING)
    assert code == 0
    assert run["verdict"] == "consistent"
    assert run["findings"] == []
