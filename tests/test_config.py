"""Configuration files and colour, end to end through the command line.

Every test runs ``python -m exitaudit`` in a temporary directory, so that discovery sees only
the files the test writes there (and none of the repository's).
"""

from __future__ import annotations

import json
import textwrap

import pytest

from conftest import PYINFRA_LOG, SAMPLES, assert_one_line_error

LOG = str(PYINFRA_LOG)  # pyinfra 2.8: `Errors: 1` and exit 0 -> pyinfra/errors-exit-zero, error
CHECK = "pyinfra/errors-exit-zero"
CORE_FAILURE = SAMPLES / "pytest" / "pyodide_core_failure"
EXT_TIMEOUT = SAMPLES / "pytest" / "pyodide_extension_timeout"
ALL_PASS = SAMPLES / "pytest" / "all_pass"
NO_ENV_COLOR = {"NO_COLOR": "", "FORCE_COLOR": ""}
ESC = "\x1b["


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def check(cli, cwd, *args, env=None):
    return cli("check", *args, cwd=cwd, env={**NO_ENV_COLOR, **(env or {})})


def as_json(cli, cwd, *args):
    res = check(cli, cwd, *args, "--format", "json")
    assert res.code in (0, 1), res
    (run,) = json.loads(res.stdout)["runs"]
    return res.code, run


def sample(case):
    return str(case / "output.log"), "--exit-code-file", str(case / "exit_code")


# --------------------------------------------------------------------------------------------
# Discovery


def test_without_a_config_the_false_success_fails(cli, tmp_path):
    res = check(cli, tmp_path, LOG, "-e", "0")
    assert res.code == 1
    assert f"error false-success {CHECK}" in res.stdout


def test_discovered_from_a_nested_directory(cli, tmp_path):
    write(tmp_path / "exitaudit.toml", f'[severity]\n"{CHECK}" = "warning"\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    res = check(cli, nested, LOG, "-e", "0")
    assert res.code == 0, res
    assert f"warning false-success {CHECK}" in res.stdout


def test_exitaudit_toml_wins_over_pyproject_in_the_same_directory(cli, tmp_path):
    write(tmp_path / "pyproject.toml", f'[project]\nname = "x"\n\n[tool.exitaudit.severity]\n"{CHECK}" = "info"\n')
    write(tmp_path / "exitaudit.toml", f'[severity]\n"{CHECK}" = "warning"\n')
    res = check(cli, tmp_path, LOG, "-e", "0")
    assert f"warning false-success {CHECK}" in res.stdout, res
    (tmp_path / "exitaudit.toml").unlink()
    res = check(cli, tmp_path, LOG, "-e", "0")
    assert f"info false-success {CHECK}" in res.stdout, res


def test_the_nearest_file_wins_and_a_pyproject_without_the_table_is_passed_over(cli, tmp_path):
    write(tmp_path / "exitaudit.toml", f'[severity]\n"{CHECK}" = "warning"\n')
    inner = tmp_path / "inner"
    write(inner / "pyproject.toml", '[project]\nname = "inner"\n')
    res = check(cli, inner, LOG, "-e", "0")
    assert f"warning false-success {CHECK}" in res.stdout, res
    write(inner / "pyproject.toml", f'[project]\nname = "inner"\n\n[tool.exitaudit.severity]\n"{CHECK}" = "info"\n')
    res = check(cli, inner, LOG, "-e", "0")
    assert f"info false-success {CHECK}" in res.stdout, res


def test_config_option_overrides_discovery_and_no_config_disables_it(cli, tmp_path):
    write(tmp_path / "exitaudit.toml", f'[severity]\n"{CHECK}" = "warning"\n')
    other = write(tmp_path / "elsewhere" / "strict.toml", f'[severity]\n"{CHECK}" = "info"\n')
    res = check(cli, tmp_path, LOG, "-e", "0", "--config", other)
    assert res.code == 0 and f"info false-success {CHECK}" in res.stdout, res
    res = check(cli, tmp_path, LOG, "-e", "0", "--no-config")
    assert res.code == 1 and f"error false-success {CHECK}" in res.stdout, res
    assert_one_line_error(check(cli, tmp_path, LOG, "-e", "0", "--no-config", "--config", other), "--config")


def test_config_option_reads_a_pyprojects_table(cli, tmp_path):
    pyproject = write(tmp_path / "proj" / "pyproject.toml", f'[tool.exitaudit.severity]\n"{CHECK}" = "warning"\n')
    res = check(cli, tmp_path, LOG, "-e", "0", "--config", pyproject)
    assert res.code == 0 and f"warning false-success {CHECK}" in res.stdout, res
    write(pyproject, '[project]\nname = "x"\n')
    assert_one_line_error(check(cli, tmp_path, LOG, "-e", "0", "--config", pyproject), "pyproject.toml", "[tool.exitaudit]")


def test_a_missing_config_file_is_an_error(cli, tmp_path):
    assert_one_line_error(check(cli, tmp_path, LOG, "-e", "0", "--config", "nope.toml"), "nope.toml", "no such file")


# --------------------------------------------------------------------------------------------
# Severity, disable, fail_on


def test_severity_override_changes_the_exit_code_both_ways(cli, tmp_path):
    write(tmp_path / "exitaudit.toml", f'[severity]\n"{CHECK}" = "warning"\n')
    assert check(cli, tmp_path, LOG, "-e", "0").code == 0
    assert check(cli, tmp_path, LOG, "-e", "0", "--fail-on", "warning").code == 1

    # The other way: a false-failure (a warning) raised to error gates.
    write(tmp_path / "exitaudit.toml", """
        [severity]
        "pytest/only-non-gating-failed" = "error"

        [params.pytest]
        non_gating = ["^tests/extensions/"]
    """)
    code, run = as_json(cli, tmp_path, *sample(EXT_TIMEOUT))
    assert code == 1
    assert {f["check"]: f["severity"] for f in run["findings"]}["pytest/only-non-gating-failed"] == "error"


def test_fail_on_from_the_config_and_the_command_line_wins(cli, tmp_path):
    write(tmp_path / "exitaudit.toml", f'fail_on = "warning"\n\n[severity]\n"{CHECK}" = "warning"\n')
    assert check(cli, tmp_path, LOG, "-e", "0").code == 1
    assert check(cli, tmp_path, LOG, "-e", "0", "--fail-on", "error").code == 0


def test_disable_removes_a_checks_findings(cli, tmp_path):
    write(tmp_path / "exitaudit.toml", f'disable = ["{CHECK}"]\n')
    code, run = as_json(cli, tmp_path, LOG, "-e", "0")
    assert code == 0
    assert run["verdict"] == "consistent"
    assert CHECK not in [f["check"] for f in run["findings"]]
    assert CHECK not in [c["check"] for c in run["checks"]]
    res = check(cli, tmp_path, LOG, "-e", "0")
    assert CHECK not in res.stdout


def test_disabling_the_only_explanation_leaves_a_non_zero_exit_unexplained(cli, tmp_path):
    code, run = as_json(cli, tmp_path, LOG, "-e", "1")
    explained_by = [f["check"] for f in run["findings"]]
    assert run["verdict"] == "consistent" and explained_by
    write(tmp_path / "exitaudit.toml", f"disable = {json.dumps(explained_by)}\n")
    code, run = as_json(cli, tmp_path, LOG, "-e", "1")
    assert run["verdict"] == "unexplained-failure"
    assert [f["check"] for f in run["findings"]] == ["exitaudit/unexplained-failure"]


# --------------------------------------------------------------------------------------------
# Suppressions


SUPPRESS = """
    [[suppress]]
    check = "{check}"
    reason = "pyinfra 2.8 on the old runners, upgrade tracked in #123"
    until = {until}
"""


def test_a_suppression_in_force_passes_the_gate_and_stays_visible(cli, tmp_path):
    write(tmp_path / "exitaudit.toml", SUPPRESS.format(check=CHECK, until="2999-12-31"))
    res = check(cli, tmp_path, LOG, "-e", "0")
    assert res.code == 0, res
    assert (
        f"info false-success {CHECK}: suppressed until 2999-12-31: pyinfra 2.8 on the old runners, "
        "upgrade tracked in #123: pyinfra reported 1 failed operation(s)"
    ) in res.stdout
    assert "29 |" in res.stdout  # the evidence is still shown
    code, run = as_json(cli, tmp_path, LOG, "-e", "0")
    (finding,) = run["findings"]
    assert finding["severity"] == "info" and finding["kind"] == "false-success"
    assert run["verdict"] == "false-success"  # the facts stay; only the gate changes


def test_a_suppression_applies_only_to_the_sources_its_glob_matches(cli, tmp_path):
    logs = tmp_path / "logs" / "deploy"
    logs.mkdir(parents=True)
    (logs / "site.log").write_bytes(PYINFRA_LOG.read_bytes())
    (tmp_path / "other.log").write_bytes(PYINFRA_LOG.read_bytes())
    write(tmp_path / "exitaudit.toml", SUPPRESS.format(check=CHECK, until="2999-12-31") + '    source = "logs/**/*.log"\n')
    assert check(cli, tmp_path, "logs/deploy/site.log", "-e", "0").code == 0
    assert check(cli, logs, "site.log", "-e", "0").code == 0  # relative to the config file, not the cwd
    res = check(cli, tmp_path, "other.log", "-e", "0")
    assert res.code == 1 and f"error false-success {CHECK}" in res.stdout


def test_an_expired_suppression_no_longer_suppresses_and_warns(cli, tmp_path):
    write(tmp_path / "exitaudit.toml", SUPPRESS.format(check=CHECK, until="2020-01-31"))
    res = check(cli, tmp_path, LOG, "-e", "0")
    assert res.code == 1, res
    assert f"error false-success {CHECK}: pyinfra reported" in res.stdout
    assert "warning expired-suppression exitaudit/expired-suppression:" in res.stdout
    assert f"the suppression of {CHECK} at exitaudit.toml:1 expired on 2020-01-31" in res.stdout


def test_an_expired_suppression_fails_with_fail_on_warning(cli, tmp_path):
    # A pytest run that passed: the suppressed check does not fire, the expired entry still warns.
    write(tmp_path / "exitaudit.toml", "# pytest\n" + textwrap.dedent(SUPPRESS.format(check="pytest/failures-exit-zero", until="2020-01-31")).lstrip())
    code, run = as_json(cli, tmp_path, *sample(ALL_PASS))
    assert code == 0
    (warning,) = [f for f in run["findings"] if f["check"] == "exitaudit/expired-suppression"]
    assert warning["severity"] == "warning"
    assert "exitaudit.toml:2" in warning["message"]
    assert check(cli, tmp_path, *sample(ALL_PASS), "--fail-on", "warning").code == 1


def test_batch_applies_the_config(cli, tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "deploy.log").write_bytes(PYINFRA_LOG.read_bytes())
    (logs / "deploy.log.exit").write_text("0\n")
    write(tmp_path / "exitaudit.toml", SUPPRESS.format(check=CHECK, until="2999-12-31"))
    findings = tmp_path / "findings.jsonl"
    res = cli("batch", "logs", "--findings", findings, "-j", "1", cwd=tmp_path)
    assert res.code == 0, res
    (row,) = [json.loads(line) for line in findings.read_text().splitlines()]
    assert row["severity"] == "info" and row["message"].startswith("suppressed until 2999-12-31: ")
    assert cli("batch", "logs", "--no-config", "-j", "1", cwd=tmp_path).code == 1


# --------------------------------------------------------------------------------------------
# Parameters


NON_GATING = '[params.pytest]\nnon_gating = ["^tests/extensions/"]\n'


def test_params_from_the_config_reach_the_conditions(cli, tmp_path):
    # Without the parameter, both honest failures are consistent and exitaudit exits 0.
    assert check(cli, tmp_path, *sample(CORE_FAILURE)).code == 0
    write(tmp_path / "exitaudit.toml", NON_GATING)
    code, run = as_json(cli, tmp_path, *sample(CORE_FAILURE))
    assert code == 1
    assert "pytest/gating-test-failed" in [f["check"] for f in run["findings"]]
    code, run = as_json(cli, tmp_path, *sample(EXT_TIMEOUT))
    assert code == 0
    assert "pytest/only-non-gating-failed" in [f["check"] for f in run["findings"]]


def test_param_on_the_command_line_wins_over_the_config(cli, tmp_path):
    write(tmp_path / "exitaudit.toml", NON_GATING)
    code, run = as_json(cli, tmp_path, *sample(CORE_FAILURE), "--param", "pytest.non_gating=^tests/core/")
    assert code == 0
    assert "pytest/only-non-gating-failed" in [f["check"] for f in run["findings"]]


def test_rule_directories_from_the_config_are_relative_to_it(cli, tmp_path):
    rules = tmp_path / "ci" / "rules"
    write(rules / "hello.toml", '''
        format = 1
        tool = "hello"
        description = "A test tool."

        [detect]
        patterns = ['^hello world$']

        [signals.boom]
        pattern = '^boom$'

        [[checks]]
        id = "boom-exit-zero"
        title = "Boom, exit 0"
        kind = "false-success"
        when = "boom > 0 && exit.code == 0"
        message = "boom but exit 0"
    ''')
    write(tmp_path / "exitaudit.toml", 'rules = ["ci/rules"]\n\n[severity]\n"hello/boom-exit-zero" = "warning"\n')
    nested = tmp_path / "sub"
    nested.mkdir()
    res = cli("check", "-", "-e", "0", cwd=nested, env=NO_ENV_COLOR, stdin=b"hello world\nboom\n")
    assert res.code == 0, res
    assert "warning false-success hello/boom-exit-zero" in res.stdout


# --------------------------------------------------------------------------------------------
# Errors: one line naming file, line and key; exit 2


@pytest.mark.parametrize(
    ("text", "line", "needles"),
    [
        ('color = "auto"\nfial_on = "warning"\n', 2, ["fial_on", "unknown key", "did you mean fail_on"]),
        ('[severity]\n"pyinfra/errors-exit-zro" = "info"\n', 2, ['severity."pyinfra/errors-exit-zro"', "unknown check", "did you mean pyinfra/errors-exit-zero"]),
        ('disable = [\n  "pyinfra/errors-exit-zero",\n  "pyinfra/nope",\n]\n', 3, ["disable", "unknown check 'pyinfra/nope'"]),
        ('[[suppress]]\ncheck = "nope/x"\nreason = "r"\nuntil = 2999-01-01\n', 2, ["suppress[0].check", "no rule file for tool 'nope'"]),
        ('[[suppress]]\ncheck = "pyinfra/errors-exit-zero"\nreason = "r"\nuntil = 2027-02-30\n', 4, ["until", "TOML syntax error"]),
        ('[[suppress]]\ncheck = "pyinfra/errors-exit-zero"\nreason = "r"\nuntil = "2027-01-31"\n', 4, ["suppress[0].until", "must be a TOML date"]),
        ('[[suppress]]\ncheck = "pyinfra/errors-exit-zero"\nuntil = 2027-01-31\n', 1, ["suppress[0]", "needs `reason`"]),
        ('[[suppress]]\ncheck = "pyinfra/errors-exit-zero"\nreason = "r"\nuntil = 2027-01-31\nexpires = 2027-01-31\n', 5, ["suppress[0].expires", "unknown key"]),
        ('# rules\nrules = "ci/rules"\n', 2, ["rules", "must be a list of strings"]),
        ('rules = ["ci/missing"]\n', 1, ["rules", "no such file or directory: ci/missing"]),
        ('[severity]\n"pyinfra/errors-exit-zero" = "fatal"\n', 2, ['severity."pyinfra/errors-exit-zero"', "must be one of info, warning, error"]),
        ('fail_on = "info"\n', 1, ["fail_on", "must be one of error, warning"]),
        ('color = true\n', 1, ["color", "must be one of auto, always, never"]),
        ('[params.pytest]\nnon_gating = "^tests/"\n', 2, ["params.pytest.non_gating", "must be a list of strings"]),
        ('[params.pytest]\nnongating = ["^tests/"]\n', 2, ["params.pytest.nongating", "no parameter 'nongating'"]),
        ('# params\n[params.pytst]\nnon_gating = ["^tests/"]\n', 2, ["params.pytst", "no rule file for tool 'pytst'"]),
    ],
    ids=[
        "unknown-key", "unknown-check-severity", "unknown-check-disable", "unknown-tool-suppress",
        "bad-date", "date-as-string", "missing-reason", "unknown-suppress-key", "rules-wrong-type",
        "rules-missing-dir", "bad-severity", "bad-fail-on", "color-wrong-type", "param-wrong-type",
        "unknown-param", "unknown-params-tool",
    ],
)
def test_config_errors_are_one_line_with_file_line_and_key(cli, tmp_path, text, line, needles):
    write(tmp_path / "exitaudit.toml", text)
    res = check(cli, tmp_path, LOG, "-e", "0")
    assert_one_line_error(res, f"exitaudit: exitaudit.toml:{line}: ", *needles)
    assert res.stdout == ""  # nothing audited, no report


def test_errors_in_pyproject_name_the_full_key_and_batch_checks_too(cli, tmp_path):
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.exitaudit]\nfail_on = "error"\ncolour = "never"\n')
    nested = tmp_path / "deep"
    nested.mkdir()
    res = check(cli, nested, LOG, "-e", "0")
    assert_one_line_error(res, "../pyproject.toml:6: tool.exitaudit.colour: unknown key")
    assert_one_line_error(cli("batch", LOG, cwd=nested), "../pyproject.toml:6: tool.exitaudit.colour")


# --------------------------------------------------------------------------------------------
# Colour


def test_colour_is_off_by_default_when_the_report_is_not_a_terminal(cli, tmp_path):
    res = check(cli, tmp_path, LOG, "-e", "0")
    assert res.code == 1 and ESC not in res.stdout


def test_color_always_and_never(cli, tmp_path):
    res = check(cli, tmp_path, LOG, "-e", "0", "--color", "always")
    assert res.code == 1
    assert f"{ESC}1;31merror false-success{ESC}0m {CHECK}" in res.stdout
    assert f": {ESC}1;31mfalse-success{ESC}0m (exit 0" in res.stdout  # the verdict
    plain = check(cli, tmp_path, LOG, "-e", "0").stdout
    assert check(cli, tmp_path, LOG, "-e", "0", "--color", "never", env={"FORCE_COLOR": "1"}).stdout == plain
    # Colour only on the labels: stripping the codes gives the plain report byte for byte.
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", res.stdout) == plain


def test_no_color_and_force_color(cli, tmp_path):
    assert ESC in check(cli, tmp_path, LOG, "-e", "0", env={"FORCE_COLOR": "1"}).stdout
    assert ESC not in check(cli, tmp_path, LOG, "-e", "0", env={"NO_COLOR": "1", "FORCE_COLOR": "1"}).stdout
    assert ESC in check(cli, tmp_path, LOG, "-e", "0", "--color", "always", env={"NO_COLOR": "1"}).stdout
    assert ESC not in check(cli, tmp_path, LOG, "-e", "0", env={"NO_COLOR": "", "FORCE_COLOR": ""}).stdout


def test_config_color_is_below_the_environment(cli, tmp_path):
    write(tmp_path / "exitaudit.toml", 'color = "always"\n')
    assert ESC in check(cli, tmp_path, LOG, "-e", "0").stdout
    assert ESC not in check(cli, tmp_path, LOG, "-e", "0", env={"NO_COLOR": "1"}).stdout
    assert ESC not in check(cli, tmp_path, LOG, "-e", "0", "--color", "auto").stdout


def test_reports_written_to_files_are_coloured_only_with_color_always(cli, tmp_path):
    out = tmp_path / "report.txt"
    check(cli, tmp_path, LOG, "-e", "0", "-o", out, env={"FORCE_COLOR": "1"})
    assert ESC not in out.read_text()
    check(cli, tmp_path, LOG, "-e", "0", "-o", out, "--color", "always")
    assert ESC in out.read_text()
    # Colour is for the text report only.
    res = check(cli, tmp_path, LOG, "-e", "0", "--format", "json", "--color", "always")
    assert ESC not in res.stdout and json.loads(res.stdout)
