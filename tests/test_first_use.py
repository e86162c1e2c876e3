"""What a new user trips over (issue 16): each behaviour a first session with the README met."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

import pytest

from conftest import PYINFRA_LOG

LOG = str(PYINFRA_LOG)


# 1. An empty log is valid input ------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf"], ids=["empty", "bom-only"])
def test_an_empty_log_with_exit_0_is_consistent_and_says_so(cli, tmp_path, content):
    log = tmp_path / "flake8.log"
    log.write_bytes(content)
    for args, stdin in (([log], None), (["-"], content)):
        res = cli("check", *args, "-e", "0", stdin=stdin)
        assert res.code == 0, res
        assert res.stderr == ""
        assert "the log is empty" in res.stdout and ": consistent (exit 0" in res.stdout


def test_an_empty_log_with_a_non_zero_exit_is_an_unexplained_failure(cli, tmp_path):
    log = tmp_path / "empty.log"
    log.write_bytes(b"")
    res = cli("check", log, "-e", "1", "-f", "json")
    assert res.code == 0, res
    run = json.loads(res.stdout)["runs"][0]
    assert run["verdict"] == "unexplained-failure"
    assert run["findings"][0]["check"] == "exitaudit/empty-log"


def test_check_batch_and_run_agree_on_an_empty_log(cli, tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "quiet.log").write_bytes(b"")
    (tmp_path / "logs" / "quiet.log.exit").write_text("0\n")
    batch = cli("batch", tmp_path / "logs", "-o", tmp_path / "runs.csv")
    assert batch.code == 0, batch
    assert "consistent" in (tmp_path / "runs.csv").read_text()
    run = cli("run", "-f", "json", "-o", tmp_path / "run.json", "--", "true")
    assert run.code == 0, run
    check = cli("check", tmp_path / "logs" / "quiet.log", "-e", "0", "-f", "json")
    verdicts = {json.loads(x)["runs"][0]["verdict"] for x in ((tmp_path / "run.json").read_text(), check.stdout)}
    assert verdicts == {"consistent"}


# 2. One unreadable log among several -------------------------------------------------------


def test_check_audits_what_it_can_read_and_reports_the_rest_as_errors_everywhere(cli, tmp_path):
    import jsonschema
    from lxml import etree

    from conftest import ROOT, SCHEMAS

    missing = str(tmp_path / "missing.log")
    out = {f: tmp_path / f"r.{f}" for f in ("json", "junit", "sarif", "gitlab", "github", "text")}
    res = cli(
        "check", LOG, missing, "-e", "0",
        "--json", out["json"], "--junit", out["junit"], "--sarif", out["sarif"], "--gitlab", out["gitlab"],
    )
    assert res.code == 2, res
    assert res.stderr.splitlines() == [f"exitaudit: {missing}: no such file"]
    assert f"{LOG}: false-success" in res.stdout and f"{missing}: error unreadable: no such file" in res.stdout
    assert "; 1 unreadable" in res.stdout.splitlines()[-1]

    doc = json.loads(out["json"].read_text())
    jsonschema.Draft202012Validator(json.loads((ROOT / "src/exitaudit/schemas/report.schema.json").read_text())).validate(doc)
    assert doc["schema_version"] == "1.1"
    assert [r["source"] for r in doc["runs"]] == [LOG]
    assert doc["errors"] == [{"source": missing, "message": "no such file"}] and doc["summary"]["errors"] == 1

    junit = etree.parse(str(out["junit"]))
    assert etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-superset.xsd"))).validate(junit)
    assert junit.getroot().get("errors") == "1"
    assert junit.xpath("//testcase/error/@message") == ["no such file"]

    sarif = json.loads(out["sarif"].read_text())
    jsonschema.Draft4Validator(json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())).validate(sarif)
    (invocation,) = sarif["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert "no such file" in invocation["toolExecutionNotifications"][0]["message"]["text"]

    gitlab = json.loads(out["gitlab"].read_text())
    validator = jsonschema.Draft7Validator(json.loads((SCHEMAS / "gitlab-codeclimate.json").read_text()))
    for entry in gitlab:
        validator.validate(entry)
    assert [e["location"]["path"] for e in gitlab if e["check_name"] == "exitaudit/unreadable-log"] == [missing]

    github = cli("check", LOG, missing, "-e", "0", "-f", "github")
    assert github.code == 2
    assert github.stdout.splitlines()[0].startswith(f"::error file={missing.replace(':', '%3A')},title=exitaudit%3A log not audited::")


# 3. run: rules, configuration and report paths are checked before the command starts --------


@pytest.mark.parametrize("what", ["rules", "config", "report"])
def test_run_refuses_a_bad_rule_file_configuration_or_report_path_before_the_command(cli, tmp_path, what):
    marker = tmp_path / "ran"
    command = ["--", "sh", "-c", f"touch '{marker}'; echo deployed"]
    if what == "rules":
        (tmp_path / "mytool.toml").write_text('format = 1\ntool = "mytool"\n')
        args = ["--rules", tmp_path / "mytool.toml"]
    elif what == "config":
        (tmp_path / "exitaudit.toml").write_text("fail_on = 'sometimes'\n")
        args = []
    else:
        args = ["--junit", tmp_path / "no" / "such" / "dir" / "r.xml"]
    res = cli("run", *args, *command, cwd=tmp_path)
    assert res.code == 2, res
    assert not marker.exists() and res.stdout == ""
    assert len(res.stderr.splitlines()) >= 1 and all(line.startswith("exitaudit: ") for line in res.stderr.splitlines())


# 4. batch DIR: only logs, with their exit codes beside them ---------------------------------


def test_batch_of_sample_logs_is_a_demo_whose_verdicts_match_the_manifest(cli, tmp_path):
    import csv

    from conftest import SAMPLES

    res = cli("batch", SAMPLES, "-o", tmp_path / "runs.csv", "--jobs", "2")
    assert res.code == 1, res  # the samples hold false-successes
    runs = {r["source"]: r for r in csv.DictReader((tmp_path / "runs.csv").open())}
    expected = {str(SAMPLES / row["path"]): row["expected_verdict"] for row in csv.DictReader((SAMPLES / "manifest.csv").open())}
    assert set(runs) == set(expected), "README.md, case.toml, generate.sh, exit_code and manifest.csv are not logs"
    assert {s: r["verdict"] for s, r in runs.items()} == expected
    assert all(r["exit_origin"] == "file" and not r["error"] for r in runs.values())


def test_batch_include_and_exclude_globs(cli, tmp_path):
    import csv

    top = tmp_path / "archive"
    (top / "job1").mkdir(parents=True)
    (top / "job1" / "output.log").write_text("hello\n")
    (top / "job1" / "exit_code").write_text("3\n")
    (top / "notes.md").write_text("# notes\n")
    (top / "pytest.log").write_text("hello\n")
    (top / "pytest.rc").write_text("0\n")
    (top / "debug.trace").write_text("hello\n")

    def sources(*args):
        res = cli("batch", top, "-o", tmp_path / "runs.csv", "--jobs", "1", *args)
        assert res.code in (0, 1), res
        return {r["source"][len(str(top)) + 1:]: r["exit_code"] for r in csv.DictReader((tmp_path / "runs.csv").open())}

    assert sources() == {"debug.trace": "", "pytest.log": "0", "job1/output.log": "3"}
    assert sources("--exclude", "*.trace") == {"pytest.log": "0", "job1/output.log": "3"}
    assert sources("--include", "job1/*") == {"job1/output.log": "3"}
    assert sources("--include", "*.md", "--include", "*.log") == {"notes.md": "", "pytest.log": "0", "job1/output.log": "3"}


def test_one_exit_code_file_beside_several_logs_is_an_error_for_each(cli, tmp_path):
    (tmp_path / "a.log").write_text("hello\n")
    (tmp_path / "b.log").write_text("hello\n")
    (tmp_path / "exit_code").write_text("0\n")
    res = cli("batch", tmp_path, "--jobs", "1")
    assert res.code == 2, res
    assert res.stderr.count("one exit_code file beside 2 logs") == 2


# 5. One rule for severity and verdicts -------------------------------------------------------

LOWERED_RULE = """format = 1
tool = "mytool"
description = "d"
[detect]
patterns = ['^mytool v1']
[signals.fail]
pattern = '^FAILED '
[signals.traceback]
pattern = '^Traceback '
[[checks]]
id = "fail-exit-zero"
title = "t"
kind = "false-success"
when = "fail > 0 && exit.code == 0"
message = "failed"
[[checks]]
id = "traceback-exit-zero"
title = "t"
kind = "false-success"
severity = "warning"
when = "fail == 0 && traceback > 0 && exit.code == 0"
message = "a traceback"
"""


def test_summaries_say_which_verdicts_a_rule_file_lowered_and_count_findings_by_severity(cli, tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "mytool.toml").write_text(LOWERED_RULE)
    (tmp_path / "a.log").write_text("mytool v1\nFAILED x\n")
    (tmp_path / "b.log").write_text("mytool v1\nTraceback (most recent call last):\n")
    res = cli("check", tmp_path / "a.log", tmp_path / "b.log", "-e", "0", "--rules", tmp_path / "rules")
    assert res.code == 1, res
    assert f"{tmp_path / 'b.log'}:2: warning false-success mytool/traceback-exit-zero" in res.stdout
    assert res.stdout.splitlines()[-1] == "Audited 2 logs: 2 false-success (1 at warning); 1 finding(s) at or above error."
    (tmp_path / "a.log.exit").write_text("0\n")
    (tmp_path / "b.log.exit").write_text("0\n")
    batch = cli("batch", f"{tmp_path}/*.log", "--rules", tmp_path / "rules", "--jobs", "1")
    assert batch.stdout.splitlines()[0] == "Audited 2 runs: 2 false-success (1 at warning); 1 finding(s) at or above error.", batch


def test_batch_does_not_count_no_coverage_or_unknown_status_as_mismatches(cli, tmp_path):
    (tmp_path / "hello.log").write_text("hello\n")
    (tmp_path / "hello.log.exit").write_text("0\n")
    (tmp_path / "deploy.log").write_bytes(PYINFRA_LOG.read_bytes())  # no sidecar: status unknown
    res = cli("batch", tmp_path, "--summary", tmp_path / "summary.csv", "--jobs", "1")
    assert res.code == 0, res
    assert "mismatch" not in res.stdout, res.stdout
    rows = (tmp_path / "summary.csv").read_text().splitlines()
    assert rows[1:] == ["(none),,1,0,0,0,0.0,", "pyinfra,,1,0,0,0,0.0,"]


def test_ansible_failed_hosts_with_exit_1_is_wrong_code(cli):
    from conftest import SAMPLES

    res = cli("check", SAMPLES / "ansible" / "task-fails" / "output.log", "-e", "1")
    assert res.code == 1, res
    assert "error wrong-code ansible/failed-exit-other" in res.stdout
    assert ": wrong-code (exit 1" in res.stdout


def test_pytest_all_passed_with_exit_1_is_false_failure(cli):
    log = (
        b"============================= test session starts ==============================\n"
        b"platform linux -- Python 3.11.7, pytest-8.3.5, pluggy-1.7.0\ncollected 3 items\n\n"
        b"tests/test_math.py ...                                                   [100%]\n\n"
        b"============================== 3 passed in 0.02s ===============================\n"
    )
    res = cli("check", "-", "-e", "1", stdin=log)
    assert "warning false-failure pytest/passed-exit-one" in res.stdout, res
    assert "-: false-failure (exit 1" in res.stdout


# 6. Evidence shows the line the finding points at --------------------------------------------


def _report_pointing_past_the_cap():
    from exitaudit.model import Evidence, ExitStatus, Finding, Kind, Origin, Report, RunResult, Severity

    evidence = tuple(Evidence(n, f"FAILED tests/test_{n}.py::t") for n in range(1, 12)) + (Evidence(20, "== 11 failed in 0.1s =="),)
    finding = Finding("pytest/failures-exit-zero", "pytest", Kind.FALSE_SUCCESS, Severity.ERROR, "t", "m", evidence, line=20)
    run = RunResult("tee.log", ExitStatus.from_code(0, Origin.FLAG), ("pytest",), Kind.FALSE_SUCCESS, (finding,))
    return Report((run,))


def test_text_evidence_always_shows_the_pointed_line_with_its_nearest_neighbours():
    from exitaudit.reporters import renderer

    text = renderer("text")(_report_pointing_past_the_cap())
    lines = text.splitlines()
    assert lines[0].startswith("tee.log:20: error false-success")
    assert lines[1:5] == [
        "    10 | FAILED tests/test_10.py::t",
        "    11 | FAILED tests/test_11.py::t",
        "    20 | == 11 failed in 0.1s ==",
        "       | … 9 more line(s)",
    ]


@pytest.mark.parametrize("fmt", ["github", "gitlab"])
def test_ci_formats_show_the_pointed_line_too(fmt):
    from exitaudit.reporters import renderer

    out = renderer(fmt)(_report_pointing_past_the_cap())
    assert "20 | == 11 failed in 0.1s ==" in out


# 7. --step-summary outside GitHub Actions -----------------------------------------------------


@pytest.mark.parametrize("command", ["check", "run"])
def test_step_summary_outside_github_actions_warns_once_and_goes_on(cli, tmp_path, command):
    import os

    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    out = tmp_path / "r.json"
    if command == "check":
        args = ["check", LOG, "-e", "0", "--step-summary", "--json", out]
    else:
        args = ["run", "--step-summary", "--json", out, "--", "cat", LOG]
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "exitaudit", *map(str, args)], capture_output=True, env=env, timeout=60)
    assert proc.returncode == 1, proc  # the false-success fails the run, as without the option
    warnings = [line for line in proc.stderr.decode().splitlines() if "--step-summary" in line]
    assert warnings == ["exitaudit: warning: --step-summary: GITHUB_STEP_SUMMARY is not set (not in GitHub Actions?); no step summary is written"]
    assert json.loads(out.read_text())["runs"][0]["verdict"] == "false-success"


# 8. The aiohttp scenario in full, and tool aliases --------------------------------------------


def test_asyncio_returncode_255_for_a_child_that_exited_2_is_a_wrong_code_citing_both_lines(cli):
    from conftest import SAMPLES

    log = SAMPLES / "gunicorn" / "aiohttp_asyncio_returncode255" / "output.log"
    res = cli("check", log, "-e", "0", "-f", "json")
    run = json.loads(res.stdout)["runs"][0]
    assert run["verdict"] == "wrong-code", res
    (finding,) = [f for f in run["findings"] if f["kind"] == "wrong-code"]
    assert finding["check"] == "gunicorn/aiohttp-asyncio-returncode-255"
    texts = [e["text"] for e in finding["evidence"]]
    assert any("Worker (pid:30268) exited with code 2" in t for t in texts)
    assert any("Unknown child process pid 30268, will report returncode 255" in t for t in texts)
    # A child whose pid asyncio did not name is no evidence of a wrong 255.
    other = log.read_text().replace("Unknown child process pid 30268", "Unknown child process pid 41000")
    res = cli("check", "-", "-e", "0", "-f", "json", stdin=other.encode())
    assert json.loads(res.stdout)["runs"][0]["verdict"] == "false-success"


def test_a_rule_file_may_declare_aliases_accepted_by_tool_and_listed(cli, tmp_path):
    from conftest import SAMPLES

    log = SAMPLES / "gunicorn" / "aiohttp_subprocess_returncode0" / "output.log"
    res = cli("check", "-", "-e", "0", "--tool", "aiohttp", stdin=log.read_bytes())
    assert res.code == 1 and "gunicorn/aiohttp-worker-reaped-child" in res.stdout, res
    listed = cli("rules", "list")
    (line,) = [x for x in listed.stdout.splitlines() if x.startswith("gunicorn ")]
    assert line.endswith("(also: aiohttp)")
    (tmp_path / "mytool.toml").write_text('format = 1\ntool = "mytool"\naliases = ["mytool"]\ndescription = "d"\n[detect]\npatterns = ["^x"]\n')
    lint = cli("rules", "lint", tmp_path / "mytool.toml")
    assert lint.code == 2 and "aliases: 'mytool' is the tool's own name" in lint.stderr, lint


# 9. rules lint trial-runs every exit-status class and signal state ----------------------------

LINT_DEMO = """format = 1
tool = "demo"
description = "d"
[detect]
patterns = ['^demo v1']
[signals.summary]
pattern = '^Result: (?P<s>.*)$'
value = "last"
[signals.errors]
pattern = '^ERROR '
[[checks]]
id = "bad-late"
title = "t"
kind = "wrong-code"
when = "exit.code >= 2 && summary > 0"
message = "m"
[[checks]]
id = "bad-on-a-signal"
title = "t"
kind = "wrong-code"
when = "exit.signal == 'SIGKILL' && errors.startsWith('x')"
message = "m"
[[checks]]
id = "bad-when-matched"
title = "t"
kind = "false-success"
when = "errors > 0 && exit.code == 0 && summary + 1 > 2"
message = "m"
[[checks]]
id = "broken"
title = "t"
kind = "false-success"
when = "errors >"
message = "m"
[[examples]]
name = "e"
exit_code = 0
verdict = "consistent"
checks = ["broken", "bad-late"]
log = "demo v1\\n"
"""


def test_rules_lint_trial_runs_every_exit_class_and_names_signal_and_column(cli, tmp_path):
    path = tmp_path / "demo.toml"
    path.write_text(LINT_DEMO)
    res = cli("rules", "lint", path)
    assert res.code == 2, res
    errors = res.stderr.splitlines()
    assert errors[0] == (
        f"{path}:15: checks[0].when: condition fails with exit 2, through signal 'summary' (a string) at column 19: "
        "No such overload: the operation is not defined for the given operand types."
    )
    assert errors[1].startswith(f"{path}:21: checks[1].when: condition fails with exit 137 (SIGKILL), through signal 'errors' (an int) at column 29:")
    assert errors[2].startswith(f"{path}:27: checks[2].when: condition fails with exit 0 and signal 'errors' matched, through signal 'summary' (a string) at column 33:")
    assert f"{path}:33: checks[3].when: condition does not compile" in errors[3]
    assert not any("no check 'broken'" in line for line in errors), "a check that does not compile causes no follow-on error"
    assert errors[-1] == "1 rule file(s) checked, 4 error(s), 0 warning(s)"


def test_a_condition_that_needs_no_exit_status_is_tried_with_an_unknown_one(tmp_path):
    from exitaudit.celexpr import Condition
    from exitaudit.rules import Signal, trial_run

    signals = {"errors": Signal("errors", pattern="x")}
    # Reads no exit status, so an audit evaluates it when the status is unknown too: it must hold there.
    assert trial_run(Condition("errors > 0"), "errors > 0", "demo", signals, {}) is None
    assert "through signal 'errors'" in trial_run(Condition("errors.contains('x')"), "errors.contains('x')", "demo", signals, {})


# 10. rules test says which check errored and why ---------------------------------------------


def test_rules_test_names_the_check_that_errored_and_why(cli, tmp_path):
    path = tmp_path / "demo2.toml"
    path.write_text(
        'format = 1\ntool = "demo2"\ndescription = "d"\n[detect]\npatterns = [\'^demo v1\']\n'
        '[params.pattern]\ndescription = "a pattern"\ndefault = "x"\n'
        "[signals.summary]\npattern = '^Result: (?P<s>.*)$'\nvalue = \"last\"\n"
        '[[checks]]\nid = "result-bad"\ntitle = "t"\nkind = "false-success"\n'
        'when = "exit.code == 0 && summary.matches(params.pattern)"\nmessage = "m"\n'
        '[[examples]]\nname = "a bad parameter breaks the condition"\nexit_code = 0\nverdict = "false-success"\n'
        'checks = ["result-bad"]\nparams = { pattern = "(" }\nlog = "demo v1\\nResult: x\\n"\n'
        '[[examples]]\nname = "a wrong expectation"\nexit_code = 1\nverdict = "consistent"\nlog = "demo v1\\nResult: y\\n"\n'
    )
    res = cli("rules", "test", path)
    assert res.code == 1, res
    first, second, summary = res.stdout.splitlines()
    assert first.startswith(f"FAIL {path}:18: demo2: a bad parameter breaks the condition: verdict audit-incomplete, expected false-success;")
    assert "check demo2/result-bad errored: condition failed: Function 'matches' error: '(' not a valid regex" in first
    assert second == (
        f"FAIL {path}:25: demo2: a wrong expectation: verdict unexplained-failure (from exitaudit/unexplained-failure: "
        "exit 1, and no check of demo2 explains it from the log), expected consistent"
    )
    assert summary == "0 passed, 2 failed"


# 11. docs/rules.md documents every field ---------------------------------------------------


def _schema_fields(node, path=()):
    if isinstance(node, dict):
        for name in node.get("properties", {}):
            yield path, name
        for key, value in node.items():
            yield from _schema_fields(value, (*path, key))
    elif isinstance(node, list):
        for value in node:
            yield from _schema_fields(value, path)


def test_docs_rules_md_documents_every_field_of_the_schema_and_both_regex_dialects():
    from conftest import ROOT

    doc = (ROOT / "docs" / "rules.md").read_text()
    schema = json.loads((ROOT / "src/exitaudit/schemas/rules.schema.json").read_text())
    missing = sorted({name for _, name in _schema_fields(schema) if f"`{name}`" not in doc})
    assert missing == []
    sections = {title: body for title, body in (part.split("\n", 1) for part in doc.split("\n## ")[1:])}
    for name in schema["$defs"]["example"]["properties"]:
        assert f"| `{name}` |" in sections["Examples"], name
    for name in schema["$defs"]["signal"]["properties"]:
        assert f"`{name}`" in sections["Signals"].split("\n\n- ")[0], name
    assert "RE2" in sections["Checks"] and "`regex`" in sections["Checks"]


# 12. rules new TOOL ----------------------------------------------------------------------------


@pytest.mark.parametrize("tool", ["my-tool", "x"])
def test_rules_new_writes_a_commented_skeleton_that_lints_tests_and_audits(cli, tmp_path, tool):
    import tomllib

    res = cli("rules", "new", tool, cwd=tmp_path)
    assert res.code == 0, res
    path = tmp_path / "rules" / f"{tool}.toml"
    text = path.read_text()
    assert text.startswith(f"# Rules for {tool}, started by `exitaudit rules new {tool}`.")
    data = tomllib.loads(text)
    assert {c["kind"] for c in data["checks"]} == {"false-success", "wrong-code", "false-failure", "consistent"}
    assert {e["verdict"] for e in data["examples"]} >= {"consistent", "false-success", "wrong-code", "false-failure", "unexplained-failure"}
    lint = cli("rules", "lint", path)
    assert lint.code == 0 and lint.stdout == "1 rule file(s) checked, 0 error(s), 0 warning(s)\n", lint
    test = cli("rules", "test", path)
    assert test.code == 0 and test.stdout.endswith(f"{len(data['examples'])} passed, 0 failed\n"), test
    audit = cli("check", "-", "-e", "0", "--rules", path, stdin=f"{tool} 2.0 starting\n{tool}: 1 passed, 4 failed\n".encode())
    assert audit.code == 1 and f"{tool}/failed-exit-zero" in audit.stdout, audit
    again = cli("rules", "new", tool, cwd=tmp_path)
    assert again.code == 2 and "exists" in again.stderr and path.read_text() == text


def test_rules_new_refuses_a_bad_name_and_writes_to_dir(cli, tmp_path):
    assert cli("rules", "new", "My Tool", cwd=tmp_path).code == 2
    assert not (tmp_path / "rules").exists()
    res = cli("rules", "new", "deploy", "--dir", tmp_path / "team" / "rules")
    assert res.code == 0 and (tmp_path / "team" / "rules" / "deploy.toml").is_file()


# 13. Conveniences ------------------------------------------------------------------------------


def test_an_expired_suppression_is_its_own_kind_and_not_a_verdict(cli, tmp_path):
    (tmp_path / "exitaudit.toml").write_text(
        '[[suppress]]\ncheck = "pyinfra/errors-exit-zero"\nreason = "old runners"\nuntil = 2020-01-31\n'
    )
    res = cli("check", LOG, "-e", "1", "-f", "json", cwd=tmp_path)
    run = json.loads(res.stdout)["runs"][0]
    assert run["verdict"] == "consistent"
    (expired,) = [f for f in run["findings"] if f["check"] == "exitaudit/expired-suppression"]
    assert (expired["kind"], expired["severity"]) == ("expired-suppression", "warning")
    text = cli("check", LOG, "-e", "1", cwd=tmp_path)
    assert "warning expired-suppression exitaudit/expired-suppression:" in text.stdout
    assert "warning consistent" not in text.stdout
    sarif = json.loads(cli("check", LOG, "-e", "1", "-f", "sarif", cwd=tmp_path).stdout)
    assert [r["properties"]["kind"] for r in sarif["runs"][0]["results"]] == ["expired-suppression"]


def test_configuration_errors_are_reported_all_at_once_in_line_order(cli, tmp_path):
    (tmp_path / "exitaudit.toml").write_text(
        'fail_on = "sometimes"\ncolour = "yes"\n[severity]\n"x/y" = "loud"\n[[suppress]]\ncheck = "a/b"\nreason = "r"\n'
    )
    res = cli("check", LOG, "-e", "0", cwd=tmp_path)
    assert res.code == 2 and res.stdout == ""
    assert [line.split(": ", 2)[1] for line in res.stderr.splitlines()] == [
        "exitaudit.toml:1", "exitaudit.toml:2", "exitaudit.toml:4", "exitaudit.toml:5",
    ], res.stderr
    (tmp_path / "exitaudit.toml").write_text('[severity]\n"pytest/nope" = "error"\n[params.nosuch]\nx = 1\n')
    res = cli("check", LOG, "-e", "0", cwd=tmp_path)
    assert res.code == 2 and len(res.stderr.splitlines()) == 2, res.stderr
    assert "unknown check 'pytest/nope'" in res.stderr and "no rule file for tool 'nosuch'" in res.stderr


def test_quiet_shows_only_logs_with_findings_and_the_summary(cli):
    from conftest import SAMPLES

    logs = sorted(str(p) for p in (SAMPLES / "pyinfra").glob("*/output.log"))
    loud = cli("check", *logs, "-e", "1")
    quiet = cli("check", *logs, "-e", "1", "--quiet")
    assert quiet.code == loud.code == 0
    summary = f"Audited {len(logs)} logs: 2 unexplained-failure, {len(logs) - 2} consistent."
    assert quiet.stdout.splitlines()[-1] == loud.stdout.splitlines()[-1] == summary
    shown = {line.split(":", 1)[0] for line in quiet.stdout.splitlines()[:-1]}
    assert shown == {str(SAMPLES / "pyinfra" / c / "output.log") for c in ("scary-success-2.8", "scary-success-3.6.1")}
    assert ": ok " in loud.stdout and ": ok " not in quiet.stdout
    as_json = cli("check", *logs, "-e", "1", "-q", "-f", "json")
    assert len(json.loads(as_json.stdout)["runs"]) == len(logs), "machine-readable formats keep every log"


def test_shell_completion_is_offered(cli):
    assert "--install-completion" in cli("--help").stdout
    # typer finds the shell from the parent processes: run it from bash (the `; true` keeps bash
    # from exec-ing python, so that bash is its parent whatever launched the tests).
    script = subprocess.run(
        ["bash", "-c", f"{shlex.quote(sys.executable)} -m exitaudit --show-completion; true"],
        capture_output=True, text=True, timeout=60,
    )
    assert "_exitaudit_completion" in script.stdout, script.stderr


def test_run_takes_color(cli):
    res = cli("run", "--color", "always", "--", "cat", LOG)
    assert res.code == 1
    assert "\x1b[1;31merror false-success\x1b[0m" in res.stderr
    assert "\x1b[" not in res.stdout  # the command's own output is passed through untouched
    assert "\x1b[" not in cli("run", "--color", "never", "--", "cat", LOG).stderr


@pytest.mark.parametrize("option", ["-e", "--exit-code-file"])
def test_a_repeated_exit_code_is_an_error(cli, tmp_path, option):
    from conftest import assert_one_line_error

    rc = tmp_path / "rc"
    rc.write_text("0\n")
    values = ["1", "0"] if option == "-e" else [rc, rc]
    res = cli("check", LOG, option, values[0], option, values[1])
    assert_one_line_error(res, "given 2 times", "give it once")
    assert res.stdout == ""
