"""The command line end to end: exit codes, standard output, standard error."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pytest
from lxml import etree

from conftest import PYINFRA_LOG, SCHEMAS, assert_one_line_error

LOG = str(PYINFRA_LOG)


def test_pyinfra_28_false_success_exits_1_citing_the_errors_line(cli):
    res = cli("check", LOG, "--exit-code", "0")
    assert res.code == 1, res
    assert res.stderr == ""
    first = res.stdout.splitlines()[0]
    assert first.startswith(f"{LOG}:29: error false-success pyinfra/errors-exit-zero:")
    assert "29 |     [@local]   Changed: 1   No change: 0   Errors: 1" in res.stdout
    assert res.stdout.rstrip().endswith("Audited 1 log: 1 false-success; 1 finding(s) at or above error.")


def test_the_same_log_with_exit_1_is_consistent(cli):
    res = cli("check", LOG, "--exit-code", "1")
    assert res.code == 0, res
    assert f"{LOG}: consistent (exit 1 from --exit-code; tools: pyinfra)" in res.stdout


def test_exit_code_file_and_stdin(cli, tmp_path):
    code_file = tmp_path / "rc"
    code_file.write_text("0\n")  # as `echo $? > rc` writes it
    res = cli("check", "-", "--exit-code-file", code_file, stdin=PYINFRA_LOG.read_bytes())
    assert res.code == 1 and res.stdout.startswith("-:29: error false-success")
    gz = cli("check", "-", "-e", "0", stdin=gzip.compress(PYINFRA_LOG.read_bytes()))
    assert gz.code == 1 and "false-success" in gz.stdout


def test_unknown_exit_status_is_said_and_is_not_a_failure_by_default(cli):
    res = cli("check", LOG)
    assert res.code == 0
    assert "exit status unknown" in res.stdout
    assert cli("check", LOG, "--fail-on", "warning").code == 1


def test_exit_zero_and_fail_on(cli):
    assert cli("check", LOG, "-e", "0", "--exit-zero").code == 0
    unknown_tool_log = cli("check", "-", "-e", "3", stdin=b"hello world\n")
    assert unknown_tool_log.code == 0 and "no-coverage" in unknown_tool_log.stdout
    assert cli("check", "-", "-e", "3", "--fail-on", "warning", stdin=b"hello world\n").code == 1


def test_several_reports_from_one_run(cli, tmp_path):
    out_json, out_xml = tmp_path / "r.json", tmp_path / "r.xml"
    res = cli("check", LOG, "-e", "0", "--json", out_json, "--junit", out_xml)
    assert res.code == 1 and "false-success" in res.stdout
    assert json.loads(out_json.read_text())["runs"][0]["verdict"] == "false-success"
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-superset.xsd")))
    assert xsd.validate(etree.parse(str(out_xml)))
    # Reports are ordinary files for the next CI step, not private temporary files.
    assert oct(out_json.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_format_and_output(cli, tmp_path):
    out = tmp_path / "report.xml"
    res = cli("check", LOG, "-e", "0", "--format", "junit", "-o", out, "--junit-strict")
    assert res.code == 1 and res.stdout == ""
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "jenkins-xunit-junit-10.xsd")))
    assert xsd.validate(etree.parse(str(out)))
    res = cli("check", LOG, "-e", "0", "-f", "json")
    assert json.loads(res.stdout)["summary"]["failed"] is True


def test_json_output_is_byte_identical_across_runs(cli):
    a = cli("check", LOG, LOG, "-e", "0", "-f", "json").stdout
    b = cli("check", LOG, LOG, "-e", "0", "-f", "json").stdout
    assert a == b and len(json.loads(a)["runs"]) == 2


def test_forced_tool(cli):
    res = cli("check", "-", "-e", "0", "--tool", "pyinfra", stdin=b"    [@h]   Changed: 1   No change: 0   Errors: 2   \n")
    assert res.code == 1 and "Errors: 2" in res.stdout


def test_user_rules_directory(cli, tmp_path):
    (tmp_path / "mytool.toml").write_text(
        'format = 1\ntool = "mytool"\ndescription = "d"\n[detect]\npatterns = ["^mytool v"]\n'
        '[signals.fail]\npattern = "^FAILED"\n'
        '[[checks]]\nid = "fail-exit-zero"\ntitle = "t"\nkind = "false-success"\n'
        'when = "fail > 0 && exit.code == 0"\nmessage = "{fail} failure(s), exit {exit.code}"\n'
    )
    res = cli("check", "-", "-e", "0", "--rules", tmp_path, stdin=b"mytool v1\nFAILED x\n")
    assert res.code == 1 and "mytool/fail-exit-zero" in res.stdout and "1 failure(s), exit 0" in res.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "needles"),
    [
        (["check", "/no/such.log", "-e", "0"], None, ["/no/such.log: no such file"]),
        (["check", ".", "-e", "0"], None, [".: is a directory"]),
        (["check", "-", "-e", "0"], bytes(range(256)) * 40, ["looks binary"]),
        (["check", LOG, "-e", "256"], None, ["--exit-code", "out of range"]),
        (["check", LOG, "-e", "zero"], None, ["--exit-code", "expected an exit code"]),
        (["check", LOG, "--exit-code-file", "/no/rc"], None, ["/no/rc: no such file"]),
        (["check", LOG, "-e", "0", "--exit-code-file", "/no/rc"], None, ["not both"]),
        (["check", LOG, "-e", "0", "--tool", "nosuch"], None, ["unknown tool nosuch", "pyinfra"]),
        (["check", LOG, "-e", "0", "--bogus"], None, ["No such option: --bogus"]),
        (["check", LOG, "-e", "0", "--format", "xml"], None, ["'xml' is not one of"]),
        (["check", LOG, "-e", "0", "--rules", "/no/rules"], None, ["/no/rules: no such file or directory"]),
        (["check", LOG, "-e", "0", "-o", "/no/dir/r.json"], None, ["/no/dir/r.json", "no such directory"]),
        (["check", "-", "-", "-e", "0"], b"x\n", ["standard input (-) can be read only once"]),
        (["rules", "show", "nosuch"], None, ["no rule file for tool 'nosuch'"]),
        (["frobnicate"], None, ["No such command 'frobnicate'"]),
        (["check", LOG, "-e", "0", "--param", "nosuch.x=1"], None, ["--param: no rule file for tool 'nosuch'"]),
        (["check", LOG, "-e", "0", "--param", "pyinfra.x=1"], None, ["--param: pyinfra has no parameter 'x'"]),
        (["check", LOG, "-e", "0", "--param", "pyinfra"], None, ["--param: expected TOOL.NAME=VALUE"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args, stdin, needles):
    res = cli(*args, stdin=stdin)
    assert_one_line_error(res, *needles)
    # Never a report that reads as success: none, or (a log that cannot be read) one that says so.
    if args[0] == "check" and args[1] in ("/no/such.log", ".", "-") and args.count("-") == args[:2].count("-"):
        assert res.stdout.splitlines()[-1] == "Audited 0 logs: none; 1 unreadable.", res.stdout
    else:
        assert res.stdout == ""


def test_an_unreadable_log_among_good_ones_is_an_error_entry_of_the_report(cli, tmp_path):
    out = tmp_path / "r.json"
    res = cli("check", LOG, "/no/such.log", "-e", "0", "--json", out)
    assert_one_line_error(res, "/no/such.log")
    doc = json.loads(out.read_text())
    assert [r["source"] for r in doc["runs"]] == [LOG] and doc["errors"][0]["source"] == "/no/such.log"


def test_broken_rule_file_names_file_line_and_field(cli, tmp_path):
    bad = tmp_path / "demo.toml"
    bad.write_text('format = 1\ntool = "demo"\ndescription = "d"\n[detect]\npatterns = ["(unclosed"]\n')
    res = cli("check", LOG, "-e", "0", "--rules", bad)
    assert_one_line_error(res, f"{bad}:5: detect.patterns[0]: invalid regular expression")


def test_a_crash_inside_exitaudit_exits_2_in_one_line(monkeypatch, capsys):
    from exitaudit import cli as cli_module
    from exitaudit.engine import Engine

    def boom(*args, **kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr(Engine, "audit", boom)
    code = cli_module.main(["check", LOG, "-e", "0"])
    err = capsys.readouterr().err
    assert code == 2  # never 1, which would read as "mismatches found"
    assert err.strip() == "exitaudit: internal error: RuntimeError: injected (set EXITAUDIT_DEBUG=1 for the traceback)"


def test_broken_pipe_on_stdout_is_quiet():
    # `exitaudit ... | head -c 10`: the reader goes away early.
    proc = subprocess.run(
        f"{sys.executable} -m exitaudit check {LOG} {LOG} {LOG} -e 0 -f json | head -c 10",
        shell=True, capture_output=True, timeout=60, executable="/bin/bash",
    )
    assert proc.stdout == b'{\n  "schem'
    assert b"Traceback" not in proc.stderr and b"BrokenPipe" not in proc.stderr


def test_rules_commands(cli, tmp_path):
    listed = cli("rules", "list")
    assert listed.code == 0
    assert any(line.split()[:2] == ["pyinfra", "3"] for line in listed.stdout.splitlines()), listed.stdout
    shown = cli("rules", "show", "pyinfra")
    assert shown.code == 0 and "pyinfra/errors-exit-zero" in shown.stdout and shown.stderr == ""
    tested = cli("rules", "test")
    assert tested.code == 0 and tested.stdout.splitlines()[-1].endswith(" passed, 0 failed")
    statuses = {line.split()[0] for line in tested.stdout.splitlines()[:-1]}
    assert statuses == {"PASS"}
    linted = cli("rules", "lint")
    assert linted.code == 0 and "0 error(s), 0 warning(s)" in linted.stdout


def test_rules_test_reports_a_failing_example(cli, tmp_path):
    bad = tmp_path / "demo.toml"
    bad.write_text(
        'format = 1\ntool = "demo"\ndescription = "d"\n[detect]\npatterns = ["^demo"]\n'
        '[signals.fail]\npattern = "^FAILED"\n'
        '[[checks]]\nid = "c"\ntitle = "t"\nkind = "false-success"\nwhen = "fail > 0 && exit.code == 0"\nmessage = "m"\n'
        '[[examples]]\nname = "wrong expectation"\nexit_code = 0\nverdict = "consistent"\nlog = "demo\\nFAILED\\n"\n'
    )
    res = cli("rules", "test", bad)
    assert res.code == 1
    assert f"FAIL {bad}:14: demo: wrong expectation: verdict false-success (from demo/c: m), expected consistent" in res.stdout
    assert res.stdout.splitlines()[-1] == "0 passed, 1 failed"


def test_rules_lint_lists_every_error(cli, tmp_path):
    bad = tmp_path / "demo.toml"
    bad.write_text(
        'format = 1\ntool = "demo"\ndescription = "d"\n[detect]\npatterns = ["^demo"]\n'
        '[signals.fail]\npattern = "^FAILED("\n'
        '[[checks]]\nid = "c"\ntitle = "t"\nkind = "false-success"\nwhen = "fail >"\nmessage = "m"\n'
    )
    res = cli("rules", "lint", bad)
    assert res.code == 2
    lines = res.stderr.strip().splitlines()
    assert lines[0].startswith(f"{bad}:7: signals.fail.pattern: invalid regular expression")
    assert lines[1].startswith(f"{bad}:12: checks[0].when: condition does not compile: at 1:7")
    assert lines[-1] == "1 rule file(s) checked, 2 error(s), 0 warning(s)"


def test_schema_command_prints_the_report_schema(cli):
    res = cli("schema")
    assert res.code == 0 and json.loads(res.stdout)["title"] == "exitaudit JSON report"
    assert json.loads(cli("schema", "rules").stdout)["title"] == "exitaudit rule file"


def test_version_and_module_entry_point(cli):
    res = cli("--version")
    assert res.code == 0 and res.stdout.startswith("exitaudit ")
    script = os.path.join(os.path.dirname(sys.executable), "exitaudit")  # the installed console script
    console = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert console.stdout == res.stdout


def test_params_reach_the_conditions(cli, tmp_path):
    (tmp_path / "mytool.toml").write_text(
        'format = 1\ntool = "mytool"\ndescription = "d"\n[detect]\npatterns = ["^mytool v"]\n'
        '[params.limit]\ndescription = "how many warnings are fine"\ndefault = 3\n'
        '[signals.warnings]\npattern = "^WARN"\n'
        '[[checks]]\nid = "too-many"\ntitle = "t"\nkind = "false-success"\n'
        'when = "warnings > params.limit && exit.code == 0"\nmessage = "{warnings} warnings, limit {params.limit}"\n'
    )
    log = b"mytool v1\nWARN a\nWARN b\n"
    assert cli("check", "-", "-e", "0", "--rules", tmp_path, stdin=log).code == 0
    res = cli("check", "-", "-e", "0", "--rules", tmp_path, "--param", "mytool.limit=1", stdin=log)
    assert res.code == 1 and "2 warnings, limit 1" in res.stdout
    bad = cli("check", "-", "-e", "0", "--rules", tmp_path, "--param", "mytool.limit=many", stdin=log)
    assert_one_line_error(bad, "limit takes a whole number")


@pytest.mark.parametrize("fmt", ["github", "sarif", "gitlab"])
def test_ci_formats_on_the_command_line(cli, fmt):
    res = cli("check", LOG, "-e", "0", "--format", fmt)
    assert res.code == 1 and res.stderr == ""
    if fmt == "github":
        assert res.stdout.startswith("::error file=") and "pyinfra/errors-exit-zero" in res.stdout
    else:
        doc = json.loads(res.stdout)
        results = doc["runs"][0]["results"] if fmt == "sarif" else doc
        assert len(results) == 1


def test_step_summary_is_appended(cli, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    res = cli("check", LOG, "-e", "0", "--step-summary", "--sarif", tmp_path / "r.sarif", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert res.code == 1
    text = summary.read_text()
    assert text.startswith("earlier step\n") and "false-success" in text
    assert json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"
    missing = cli("check", LOG, "-e", "0", "--step-summary", env={"GITHUB_STEP_SUMMARY": ""})
    assert missing.code == 1 and "false-success" in missing.stdout  # a warning, and the audit goes on
    assert missing.stderr.splitlines() == ["exitaudit: warning: --step-summary: GITHUB_STEP_SUMMARY is not set (not in GitHub Actions?); no step summary is written"]


def test_reports_of_one_run_land_together_or_not_at_all(cli, tmp_path):
    good = tmp_path / "r.json"
    res = cli("check", LOG, "-e", "0", "--json", good, "--junit", tmp_path / "missing" / "r.xml")
    assert_one_line_error(res, "missing/r.xml", "no such directory")
    assert not good.exists() and res.stdout == ""
    assert [p.name for p in tmp_path.iterdir()] == []  # no temporary file left behind
