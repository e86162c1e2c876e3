"""CI envelopes and steps: a tool's log inside any platform's job log is audited as the bare log.

Nothing is stripped by hand here: each bare tool sample is wrapped, programmatically, in each
platform's real envelope (per-line prefixes, step markers, status lines), audited as `check`
audits a file, and compared with the bare log's audit: same verdict, same findings on the same
lines (shifted by the lines the envelope put before the tool's output).
"""

from __future__ import annotations

import csv
import re

import pytest

from conftest import SAMPLES, run_cli
from exitaudit import ExitStatus, LogSource, Origin, load_rules
from exitaudit.engine import Engine
from exitaudit.envelope import PLATFORMS, detect
from exitaudit.model import Kind
from exitaudit.platforms import MARKERS
from exitaudit.reader import Block, blocks_of
from exitaudit.steps import audit_job

ENGINE = Engine(load_rules())
with open(SAMPLES / "manifest.csv", newline="", encoding="utf-8") as fh:
    CASES = list(csv.DictReader(fh))
BARE = [c for c in CASES if c["tool"].split()[0] not in MARKERS and c["expected_verdict"] != "no-coverage"]


def _lines(case: dict[str, str]) -> list[bytes]:
    data = (SAMPLES / case["path"]).read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def _audit(data: bytes, status: ExitStatus, platform: str | None = None):
    return audit_job(ENGINE, blocks_of(data), status, source="log", platform=platform)


def _key(findings, offset: int = 0, body: int | None = None):
    """What a finding says, with its lines numbered as in the bare log; of its evidence, the
    tool's lines (a job's cites the platform's status line as well, as a bare log's cannot)."""
    def mine(line):
        return body is None or 0 < line - offset <= body
    return sorted(
        (f.check, f.kind.value, None if f.line is None or not mine(f.line) else f.line - offset, tuple((e.line - offset, e.text) for e in f.evidence if mine(e.line)))
        for f in findings
        if not f.check.startswith(tuple(f"{p}/" for p in MARKERS))
    )


# --- Per-line prefixes: every line wrapped, nothing else added; the status is given -------------

TS = b"2024-05-01T10:00:03.5154170Z "
PREFIXES = {
    "github-actions": lambda ln: TS + ln,
    "github-actions/gh-run-view": lambda ln: b"test\tRun make test\t" + TS + ln,
    "azure-pipelines": lambda ln: TS + ln,
    "gitlab-ci/timestamped": lambda ln: b"2024-06-11T12:34:56.789012Z 01O " + ln,
    "jenkins/timestamper": lambda ln: b"[2024-01-01T00:00:00.000Z] " + ln,
    "jenkins/timestamper-elapsed": lambda ln: b"00:00:01.234 " + ln,
    "buildkite": lambda ln: b"\x1b_bk;t=1714557600000\x07" + ln,
    "teamcity": lambda ln: b"[12:34:56] :\t [Step 1/1] " + ln,
}


@pytest.mark.parametrize("form", sorted(PREFIXES))
@pytest.mark.parametrize("case", BARE, ids=[c["path"].removesuffix("/output.log") for c in BARE])
def test_a_prefixed_log_is_audited_as_the_bare_log(case, form):
    status = ExitStatus.parse(case["exit_code"], Origin.FILE, "exit_code")
    lines = _lines(case)
    bare = _audit(b"\n".join(lines) + b"\n", status)
    wrapped = _audit(b"\n".join(PREFIXES[form](ln) for ln in lines) + b"\n", status, platform=form.split("/")[0])
    assert wrapped.platform == form.split("/")[0]
    assert wrapped.verdict == bare.verdict, [f.message for f in wrapped.findings]
    assert _key(wrapped.findings) == _key(bare.findings)
    assert set(bare.tools) <= set(wrapped.tools)
    assert wrapped.stats.lines == bare.stats.lines


# --- Whole job logs: the tool's output is one step among the platform's own lines ---------------


def _github(lines, code, cmd=b"make test"):
    head = [b"Current runner version: '2.316.1'", b"##[group]Run actions/checkout@v4", b"with:", b"##[endgroup]",
            b"##[group]Run " + cmd, cmd, b"shell: /usr/bin/bash -e {0}", b"##[endgroup]"]
    tail = ([b"##[error]Process completed with exit code %d." % code] if code else []) + [b"Post job cleanup.", b"Cleaning up orphan processes"]
    return [TS + ln for ln in head], [TS + ln for ln in lines], [TS + ln for ln in tail]


def _gh(lines, code):
    head, body, tail = _github(lines, code)
    col = b"build\tRun make test\t"
    return [b"build\tSet up job\t" + ln for ln in head[:1]] + [col + ln for ln in head[1:]], [col + ln for ln in body], [col + ln for ln in tail]


def _gitlab(lines, code):
    head = [b"\x1b[0KRunning with gitlab-runner 16.11.0 (91a27b2a)\x1b[0;m",
            b"section_start:1714557600:prepare_executor\r\x1b[0K\x1b[0K\x1b[36;1mPreparing the \"docker\" executor\x1b[0;m",
            b"section_end:1714557612:prepare_executor\r\x1b[0Ksection_start:1714557612:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage of the job script\x1b[0;m",
            b"\x1b[32;1m$ make test\x1b[0;m"]
    tail = [b"section_end:1714557616:step_script\r\x1b[0K",
            b"\x1b[31;1mERROR: Job failed: exit code %d\x1b[0;m" % code if code else b"\x1b[32;1mJob succeeded\x1b[0;m"]
    return head, list(lines), tail


def _jenkins(lines, code):
    head = [b"Started by user Jane Developer", b"[Pipeline] Start of Pipeline", b"[Pipeline] node", b"[Pipeline] {",
            b"[Pipeline] stage", b"[Pipeline] { (Test)", b"[Pipeline] sh", b"+ make test"]
    tail = [b"[Pipeline] }", b"[Pipeline] // stage", b"[Pipeline] }", b"[Pipeline] End of Pipeline"]
    tail += [b"ERROR: script returned exit code %d" % code, b"Finished: FAILURE"] if code else [b"Finished: SUCCESS"]
    return head, list(lines), tail


def _travis(lines, code):
    head = [b"travis_fold:start:worker_info\r\x1b[0K\x1b[33;1mWorker information\x1b[0m", b"hostname: 6a2b1c3d",
            b"travis_fold:end:worker_info\r\x1b[0K", b"travis_time:start:0c1e2a3b\r\x1b[0K$ make test"]
    tail = [b"travis_time:end:0c1e2a3b:start=1714557600,finish=1714557610,duration=10\r\x1b[0K",
            b"\x1b[3%d;1mThe command \"make test\" exited with %d.\x1b[0m" % (1 if code else 2, code), b"", b"", b"Done. Your build exited with %d." % (1 if code else 0)]
    return head, list(lines), tail


def _azure(lines, code):
    head = [b"##[section]Starting: Initialize job", b"Agent name: 'Azure Pipelines 2'", b"##[section]Finishing: Initialize job",
            b"##[section]Starting: Test", b"##[command]/usr/bin/bash --noprofile --norc /home/vsts/work/_temp/0a1b.sh"]
    tail = ([b"##[error]Bash exited with code '%d'." % code] if code else []) + [b"##[section]Finishing: Test"]
    return [TS + ln for ln in head], [TS + ln for ln in lines], [TS + ln for ln in tail]


def _circleci(lines, code):
    head = [b"====>> Checkout code", b"#!/bin/sh -eo pipefail", b"git clone", b"====>> Run tests", b"#!/bin/bash -eo pipefail", b"make test"]
    tail = ([b"", b"Exited with code exit status %d" % code] if code else []) + [b"CircleCI received exit code %d" % code]
    return head, list(lines), tail


def _buildkite(lines, code):
    bk = b"\x1b_bk;t=1714557600000\x07"
    head = [b"~~~ Preparing working directory", b"$ git clone -v -- https://github.com/acme/app.git .", b"--- Running tests", b"$ make test"]
    tail = ([b"\xf0\x9f\x9a\xa8 Error: The command exited with status %d" % code] if code else []) + [b"~~~ Uploading artifacts"]
    return [bk + ln for ln in head], [bk + ln for ln in lines], [bk + ln for ln in tail]


def _teamcity(lines, code):
    head = [b"[12:34:50] : Step 1/1: Test (Command Line)", b"[12:34:50] :\t [Step 1/1] Starting: /opt/buildagent/temp/agentTmp/custom_script.sh"]
    tail = [b"[12:34:56] :\t [Step 1/1] Process exited with code %d" % code]
    return head, [b"[12:34:51] :\t [Step 1/1] " + ln for ln in lines], tail


JOBS = {"github-actions": _github, "github-actions/gh-run-view": _gh, "gitlab-ci": _gitlab, "jenkins": _jenkins, "travis": _travis,
        "azure-pipelines": _azure, "circleci": _circleci, "buildkite": _buildkite, "teamcity": _teamcity}


@pytest.mark.parametrize("form", sorted(JOBS))
@pytest.mark.parametrize("case", BARE, ids=[c["path"].removesuffix("/output.log") for c in BARE])
def test_a_tool_in_a_job_step_is_audited_as_the_bare_log(case, form):
    """Detected from the log, cut into steps, the tool's step judged by the status the platform
    recorded for it: the bare log's verdict and findings, on the same lines."""
    code = int(case["exit_code"])
    lines = _lines(case)
    bare = _audit(b"\n".join(lines) + b"\n", ExitStatus.from_code(code, Origin.FILE, "exit_code"))
    head, body, tail = JOBS[form](lines, code)
    job = _audit(b"\n".join(head + body + tail) + b"\n", ExitStatus.unknown())
    platform = form.split("/")[0]
    assert job.platform == platform
    first = len(head) + 1
    step = next(s for s in job.steps if s.first_line <= first <= s.last_line) if job.steps else None
    if step is not None:
        assert step.exit_status.code == code, step.exit_status
        assert step.verdict == bare.verdict, [f.message for f in step.findings]
        findings = step.findings
    else:
        findings = job.findings
        assert job.verdict == bare.verdict
    n = len(lines)
    assert _key(findings, len(head), n) == _key(bare.findings, 0, n)
    if platform == "buildkite" and code == 0:
        assert not job.exit_status.known  # Buildkite logs no success line: the job's is unknown
        assert job.verdict in (bare.verdict, Kind.EXIT_UNKNOWN)
    else:
        assert job.verdict == bare.verdict
        assert job.exit_status.known and (job.exit_status.code != 0) == (code != 0), job.exit_status


# --- Detection and pass-through --------------------------------------------------------------


@pytest.mark.parametrize("case", [c for c in CASES if c["tool"].split()[0] not in MARKERS], ids=lambda c: c["path"])
def test_no_bare_sample_is_taken_for_a_ci_job_log(case):
    assert detect((SAMPLES / case["path"]).read_bytes()) is None


def test_a_log_without_an_envelope_reaches_the_engine_as_the_same_blocks(monkeypatch):
    blocks = [Block(b"make: *** [Makefile:4: test] Error 1\n", 1), Block(b"done\n", 2)]
    seen = []
    real = Engine.audit

    def spy(self, given, *args, **kw):
        given = list(given)
        seen.extend(given)
        return real(self, given, *args, **kw)

    monkeypatch.setattr(Engine, "audit", spy)
    audit_job(ENGINE, iter(blocks), ExitStatus.from_code(2, Origin.FLAG))
    assert len(seen) == 2 and all(a is b for a, b in zip(seen, blocks, strict=True))


@pytest.mark.parametrize("env", sorted(PLATFORMS), ids=str)
def test_no_envelope_removes_a_newline(env):
    strip = PLATFORMS[env].strip
    if strip is None:
        return
    data = b"\n".join([b"2024-05-01T10:00:03.5154170Z x", b"travis_fold:start:a\r\x1b[0K", b"\x1b_bk;t=1\x07\n", b"[12:34:56] :\t [S] y", b"\n\n"])
    assert strip.sub(b"", data).count(b"\n") == data.count(b"\n")


# --- Job and step status, per platform ---------------------------------------------------------


def _job(text: str, platform: str | None = None, status: ExitStatus | None = None):
    return audit_job(ENGINE, blocks_of(text.encode()), status or ExitStatus.unknown(), source="job.log", platform=platform)


def _ts(text: str) -> str:
    return "".join(f"2024-05-01T10:00:0{i % 10}.1234567Z {ln}\n" for i, ln in enumerate(text.strip("\n").split("\n")))


def test_github_success_is_inferred_from_the_cleanup():
    run = _job(_ts("Current runner version: '2.316.1'\n##[group]Run make\nmake\n##[endgroup]\nok\nPost job cleanup.\nCleaning up orphan processes"))
    assert run.exit_status.code == 0 and run.exit_status.inferred
    assert [s.exit_status.code for s in run.steps] == [0, 0, 0]


def test_github_truncated_job_has_no_inferred_status():
    run = _job(_ts("Current runner version: '2.316.1'\n##[group]Run make\nmake\n##[endgroup]\nstill running"))
    assert not run.exit_status.known and not run.exit_status.failed


def test_github_action_failure_without_a_code_is_failed_code_unknown():
    run = _job(_ts("Current runner version: '2.316.1'\n##[group]Run docker/build-push-action@v5\nwith:\n##[endgroup]\n"
                   "##[error]buildx failed with: ERROR: failed to solve\nPost job cleanup.\nCleaning up orphan processes"))
    assert run.exit_status.failed and run.exit_status.code is None
    assert run.verdict is Kind.EXIT_UNKNOWN
    assert any("failure but no exit code" in f.message for f in run.findings)


def test_github_error_annotation_in_a_run_step_is_no_failure():
    run = _job(_ts("Current runner version: '2.316.1'\n##[group]Run echo '::error::lint warning'\n##[endgroup]\n##[error]lint warning\n"
                   "Post job cleanup.\nCleaning up orphan processes"))
    assert run.exit_status.code == 0


def test_github_step_code_closes_its_own_step():
    run = _job(_ts("##[group]Run ./a.sh\n##[endgroup]\nfine\n##[group]Run ./b.sh\n##[endgroup]\n##[error]Process completed with exit code 3.\nPost job cleanup.\nCleaning up orphan processes"))
    assert [(s.name, s.exit_status.code) for s in run.steps] == [("Run ./a.sh", 0), ("Run ./b.sh", 3), ("Post job cleanup", 0)]
    assert run.exit_status.code == 3


def test_github_pytest_tee_step_is_false_success_citing_the_shell():
    run = _job(_ts("Current runner version: '2.316.1'\n##[group]Run pytest | tee log.txt\npytest | tee log.txt\nshell: /usr/bin/bash -e {0}\n##[endgroup]\n"
                   "============================= test session starts ==============================\ncollected 4 items\n\n"
                   "FAILED tests/test_a.py::test_x - assert 1 == 2\n========================= 1 failed, 3 passed in 0.05s ==========================\n"
                   "Post job cleanup.\nCleaning up orphan processes"))
    assert run.verdict is Kind.FALSE_SUCCESS
    f = next(f for f in run.findings if f.kind is Kind.FALSE_SUCCESS)
    assert f.step == "Run pytest | tee log.txt"
    texts = [e.text for e in f.evidence]
    assert "shell: /usr/bin/bash -e {0}" in texts and any("1 failed, 3 passed" in t for t in texts)
    assert all(e.original is not None and e.original.startswith("2024-") for e in f.evidence)


def test_jenkins_freestyle_failure_is_failed_code_unknown():
    run = _job("Started by user admin\nBuilding in workspace /var/lib/jenkins/workspace/x\n[x] $ /bin/sh -xe /tmp/jenkins1.sh\n+ ./build.sh\n"
               "Build step 'Execute shell' marked build as failure\nFinished: FAILURE\n")
    assert run.exit_status.failed and run.exit_status.describe() == "failed, exit code unknown"


def test_jenkins_pipeline_code_after_end_of_pipeline_belongs_to_the_failed_sh_step():
    run = _job("Started by user admin\n[Pipeline] Start of Pipeline\n[Pipeline] stage\n[Pipeline] { (Build)\n[Pipeline] sh\n+ make\n[Pipeline] }\n"
               "[Pipeline] stage\n[Pipeline] { (Test)\n[Pipeline] sh\n+ make check\n[Pipeline] }\n[Pipeline] End of Pipeline\n"
               "ERROR: script returned exit code 2\nFinished: FAILURE\n")
    assert [(s.name, s.exit_status.code) for s in run.steps][1:] == [("Build: sh", 0), ("Test: sh", 2)]
    assert run.exit_status.code == 2


@pytest.mark.parametrize("line, code", [("Finished: SUCCESS", 0), ("Finished: UNSTABLE", None), ("Finished: ABORTED", None)])
def test_jenkins_build_result(line, code):
    run = _job(f"Started by user admin\n[Pipeline] Start of Pipeline\n[Pipeline] End of Pipeline\n{line}\n")
    assert run.exit_status.code == code and run.exit_status.failed == (code is None)


def test_travis_each_command_and_the_build():
    run = _job("travis_fold:start:install\r\x1b[0Ktravis_time:start:1\r\x1b[0K$ pip install -r req.txt\nok\ntravis_time:end:1:start=1,finish=2,duration=1\r\x1b[0K\n"
               "travis_fold:end:install\r\x1b[0K\ntravis_time:start:2\r\x1b[0K$ make test\nboom\n\x1b[31;1mThe command \"make test\" exited with 2.\x1b[0m\n"
               "travis_time:start:3\r\x1b[0K$ make lint\n\x1b[32;1mThe command \"make lint\" exited with 0.\x1b[0m\n\nDone. Your build exited with 1.\n")
    assert [(s.name, s.exit_status.code) for s in run.steps] == [("pip install -r req.txt", 0), ("make test", 2), ("make lint", 0)]
    assert run.exit_status.code == 1


def test_azure_steps():
    run = _job(_ts("##[section]Starting: Initialize job\nAgent name: 'Hosted Agent'\n##[section]Finishing: Initialize job\n##[section]Starting: Build\n"
                   "##[error]Bash exited with code '4'.\n##[section]Finishing: Build\n##[section]Starting: Finalize Job\n##[section]Finishing: Finalize Job"))
    assert run.platform == "azure-pipelines"
    assert [s.exit_status.code for s in run.steps] == [0, 4, 0]
    assert run.exit_status.code == 4


def test_gitlab_runner_timestamps_and_sections():
    text = "".join(f"2024-06-11T12:34:5{i}.789012Z 00O {ln}\n" for i, ln in enumerate([
        "Running with gitlab-runner 17.0.0 (44feccdf)", "section_start:1718109296:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting \"step_script\" stage\x1b[0;m",
        "$ ./test.sh", "section_end:1718109299:step_script\r\x1b[0K", "\x1b[31;1mERROR: Job failed: exit code 3\x1b[0;m"]))
    run = _job(text)
    assert run.platform == "gitlab-ci" and run.exit_status.code == 3
    assert "gitlab-ci" in run.tools


def test_gitlab_failure_without_a_code():
    run = _job("Running with gitlab-runner 16.11.0 (91a27b2a)\nsection_start:1:step_script\r\x1b[0K\n$ sleep 9999\nERROR: Job failed: execution took longer than 1h0m0s seconds\n")
    assert run.exit_status.failed


def test_teamcity_and_buildkite_status():
    tc = _job("[10:00:00] : Step 1/2: Build (Command Line)\n[10:00:01] :\t [Step 1/2] Process exited with code 0\n"
              "[10:00:02] : Step 2/2: Test (Command Line)\n[10:00:03]E:\t [Step 2/2] Process exited with code 1\n")
    assert tc.platform == "teamcity" and [s.exit_status.code for s in tc.steps] == [0, 1] and tc.exit_status.code == 1
    bk = _job("\x1b_bk;t=1\x07~~~ Running commands\n\x1b_bk;t=2\x07$ make\n\x1b_bk;t=3\x07🚨 Error: The command exited with status 2\n")
    assert bk.platform == "buildkite" and bk.exit_status.code == 2


def test_given_exit_code_is_the_jobs_status():
    run = _job(_ts("Current runner version: '2.316.1'\n##[group]Run make\n##[endgroup]\n##[error]Process completed with exit code 2.\nCleaning up orphan processes"),
               status=ExitStatus.from_code(0, Origin.FLAG, "--exit-code"))
    assert run.exit_status.code == 0
    assert run.verdict is Kind.FALSE_SUCCESS  # github-actions/failed-step-exit-zero, read against the whole job


def test_cli_names_the_step_and_takes_platform():
    log = SAMPLES / "github-actions" / "tee-trap" / "output.log"
    res = run_cli("check", log)
    assert res.code == 1
    assert re.search(r"output\.log \[Run make test \| tee make\.log\]:\d+: error false-success", res.stdout), res.stdout
    none = run_cli("check", "--platform", "none", log)
    assert "no-coverage" in none.stdout
    bad = run_cli("check", "--platform", "nope", log)
    assert bad.code == 2 and len(bad.stderr.strip().splitlines()) == 1 and "--platform" in bad.stderr


def test_a_ci_job_log_is_read_by_one_process(monkeypatch):
    """A large CI job log is not cut into stretches: its steps are read in one pass."""
    from exitaudit import parallel

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    log = SAMPLES / "github-actions" / "tee-trap" / "output.log"
    runs = []
    for jobs in (1, 4):
        with LogSource(str(log)) as src:
            runs.append(parallel.audit_source(ENGINE, src, ExitStatus.unknown(), source=str(log), jobs=jobs))
    assert runs[0] == runs[1] and runs[0].steps


CI_CASES = [c for c in CASES if c["tool"].split()[0] in MARKERS]


@pytest.mark.parametrize("case", CI_CASES, ids=[c["path"].removesuffix("/output.log") for c in CI_CASES])
def test_every_ci_sample_has_its_status_read_from_the_log(case):
    """No exit code given: the job's status is the one its platform recorded (the case's
    exit_code), or, where the platform records none, what case.toml's status_in_log says."""
    import tomllib

    meta = tomllib.loads((SAMPLES / case["path"]).with_name("case.toml").read_text("utf-8"))
    with LogSource(str(SAMPLES / case["path"])) as src:
        run = audit_job(ENGINE, src.blocks(), ExitStatus.unknown(), source=case["path"])
    assert run.platform == case["tool"].split()[0]
    expected = meta.get("status_in_log", "code")
    if expected == "code":
        assert run.exit_status.code == int(case["exit_code"]), run.exit_status
        assert run.exit_status.origin is Origin.LOG
    elif expected == "failed":
        assert run.exit_status.failed and run.exit_status.code is None
    else:
        assert expected == "unknown" and not run.exit_status.known
    # Steps or none, every step's own status is read or inferred, never invented for a step
    # the job had not finished.
    for step in run.steps[:-1]:
        assert step.exit_status.known or step.exit_status.failed, step


@pytest.mark.parametrize("head", [
    b"2024-05-01T10:00:03.123Z INFO start\n2024-05-01T10:00:04.123Z INFO done\n",  # an app's own times
    b"[2024-01-01T00:00:00.000Z] INFO a\n[2024-01-01T00:00:00.000Z] INFO b\n",
    b"2024-05-01 10:00:03,123 INFO start\n",
    b"--- a/setup.py\n+++ b/setup.py\n",
])
def test_a_timestamped_application_log_is_no_ci_job_log(head):
    assert detect(head) is None


def test_gh_run_view_continuation_lines_lose_their_columns_too():
    log = (b"build\tRun pytest\t" + TS + b"##[group]Run pytest\n"
           b"build\tRun pytest\t" + TS + b"##[endgroup]\n"
           b"build\tRun pytest\t" + TS + b"##[error]AssertionError: expected 1\n"
           b"build\tRun pytest\t\n"
           b"build\tRun pytest\tExpected: 1\n")
    env = detect(log)
    assert env is not None and env.form == "gh-run-view"
    lines = env.unwrap(Block(log, 1)).data.split(b"\n")
    assert lines[3:5] == [b"", b"Expected: 1"]


def test_reports_name_the_step():
    import json
    import xml.etree.ElementTree as ET

    import jsonschema

    from exitaudit.model import Report
    from exitaudit.reporters import json as json_report
    from exitaudit.reporters import junit, sarif

    log = SAMPLES / "github-actions" / "tee-trap" / "output.log"
    with LogSource(str(log)) as src:
        run = audit_job(ENGINE, src.blocks(), ExitStatus.unknown(), source=str(log))
    report = Report((run,))
    doc = json.loads(json_report.render(report))
    schema = json.loads((SAMPLES.parent / "src" / "exitaudit" / "schemas" / "report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["schema_version"] == "1.1"
    out = doc["runs"][0]
    step = next(s for s in out["steps"] if s["verdict"] == "false-success")
    assert step["name"] == "Run make test | tee make.log" and step["exit_status"]["inferred"] is True
    assert out["findings"][-1]["step"] == step["name"]
    assert out["findings"][-1]["evidence"][0]["original"].startswith("2024-05-01T")
    cases = [tc.get("name") for tc in ET.fromstring(junit.render(report)).iter("testcase")]
    assert "make/recipe-error-exit-zero [Run make test | tee make.log]" in cases
    results = json.loads(sarif.render(report))["runs"][0]["results"]
    assert any(r["message"]["text"].startswith("[Run make test | tee make.log] ") for r in results)


def test_text_report_says_failed_code_unknown():
    from exitaudit.model import Report
    from exitaudit.reporters import text

    run = _job("Started by user admin\n[x] $ /bin/sh -xe /tmp/jenkins1.sh\n+ ./build.sh\nBuild step 'Execute shell' marked build as failure\nFinished: FAILURE\n")
    out = text.render(Report((run,)))
    assert "failed, exit code unknown, from line" in out


def test_a_downloaded_teamcity_build_log_is_detected_below_its_header():
    """TeamCity's "Download full build log" puts a header (build, trigger, start, finish, VCS
    revisions, server version) before the first `[hh:mm:ss]` line (the real
    teamcity/real-maven-build-success sample): the header must not hide the platform."""
    head = (b"Build 'netology / Build' #1, default branch 'master'\n"
            b"Triggered 2023-09-27 08:02:40 by 'Git'\n"
            b"Started 2023-09-27 08:02:42 on agent 'ip_130.193.37.216'\n"
            b"Finished 2023-09-27 08:03:14 with status NORMAL 'Tests passed: 5'\n"
            b"TeamCity URL http://localhost:8111/viewLog.html?buildId=1&buildTypeId=Netology_Build \n"
            b"TeamCity server version is 2023.05.4 (build 129421), server timezone: GMT (UTC)\n\n"
            b"[08:02:40]W: bt1 (33s)\n[08:02:40]i: TeamCity server version is 2023.05.4 (build 129421)\n")
    env = detect(head)
    assert env is not None and env.platform == "teamcity"
    # A line that merely names TeamCity deep in an application's log is no header.
    assert detect(b"INFO start\n" * 20 + b"TeamCity server version is 2023.05.4\n") is None


def test_jenkins_freestyle_steps_of_jenkins_1x_and_of_a_wrapped_shell_are_cut():
    """Jenkins 1.x named its build-step scripts /tmp/hudsonNNN.sh, and a build wrapper (the
    docker-build-step plugin, the real jenkins/real-freestyle-yocto-fails sample) runs the script
    inside a command of its own, the `/bin/sh -xe` at the end of a line that does not start with
    `[ws] $ `: each is still a freestyle step, and the failure is that step's."""
    run = _job("Started by user anonymous\nBuilding in workspace /w/x\n[x] $ /bin/sh -xe /tmp/hudson11.sh\n+ id\nuid=0(root)\n"
               "[x] $ docker exec --tty --user 0:0 c43a env 'F=() { a;\n}' BUILD_ID=2 WORKSPACE=/w/x /bin/sh -xe /tmp/hudson22.sh\n"
               "+ bitbake image\nERROR: Task failed\nBuild step 'Execute shell' marked build as failure\nFinished: FAILURE\n")
    assert [s.name for s in run.steps] == ["(job start)", "/bin/sh -xe /tmp/hudson11.sh", "/bin/sh -xe /tmp/hudson22.sh"]
    assert run.steps[1].exit_status.code == 0 and run.steps[2].exit_status.failed
    assert run.exit_status.failed and run.exit_status.code is None


def test_circleci_local_step_marker_after_the_redaction_notice_starts_a_step():
    """`circleci local execute` prints its redaction notice with no newline, so the first step's
    `====>> name` follows it on the same line (the real circleci/real-local-execute-success
    sample): that step is still cut, and named by its own name."""
    run = _job("====>> Spin Up Environment\nBuild-agent version  ()\n====>> Preparing Environment Variables\n  CI=true\n\n\n"
               "The redacted variables listed above will be masked in run step output.====>> make test\n  #!/bin/bash -eo pipefail\nmake test\n"
               "====>> deploy\n  #!/bin/bash -eo pipefail\n./deploy\nExited with code exit status 3\nCircleCI received exit code 3\n")
    assert [s.name for s in run.steps] == ["Spin Up Environment", "Preparing Environment Variables", "make test", "deploy"]
    assert [s.exit_status.code for s in run.steps] == [0, 0, 0, 3]


@pytest.mark.parametrize("text", [
    # the job's command and the agent's status line, copied without the timestamps (a real
    # report: buildkite/real-pipeline-upload-fails)
    "$ buildkite-agent pipeline upload p.yml\nfatal: Failed to upload\n\U0001f6a8 Error: The command exited with status 1\nuser command error: exit status 1\n",
    # the agent's own first group, as `bk job log --no-timestamps` prints it
    "~~~ Running global environment hook\n$ /buildkite/agent/hooks/environment\n~~~ Running script\nok\n",
])
def test_a_buildkite_log_without_its_timestamps_is_a_buildkite_job_log(text):
    run = _job(text)
    assert run.platform == "buildkite"
    if "status 1" in text:
        assert run.exit_status.code == 1


def test_a_log_that_only_mentions_buildkite_status_words_is_no_buildkite_log():
    assert detect(b"INFO compare: 'Error: The command exited with status 1' is what the agent prints\n") is None


def test_the_last_step_of_a_job_takes_the_jobs_status_when_it_recorded_none():
    """A Jenkins Pipeline log cut before its status lines: the sh step that ran pytest ended the
    job, so the job's failing status (given) is that step's, and pytest explains it."""
    lines = [
        "Started by user admin", "[Pipeline] Start of Pipeline", "[Pipeline] node", "[Pipeline] {", "[Pipeline] sh",
        "+ pytest -q", "F....                                                                    [100%]",
        "FAILED tests/test_a.py::test_x - assert 1 == 2",
        "1 failed, 4 passed in 0.05s",
    ]
    log = "".join(f"[2024-05-01T10:00:0{i % 10}.{i:03d}Z] {ln}\n" for i, ln in enumerate(lines)).encode()
    run = _audit(log, ExitStatus.from_code(1, Origin.FLAG, "--exit-code"))
    assert run.platform == "jenkins" and run.steps
    assert run.steps[-1].exit_status.code == 1 and run.steps[-1].exit_status.inferred
    assert run.verdict is Kind.CONSISTENT, [f.message for f in run.findings]
