"""The CI report formats, checked the way their consumers read them: SARIF against the OASIS schema
(draft-04) and GitHub code scanning's further requirements, GitLab Code Quality entries against
GitLab's codeclimate.json, GitHub workflow commands against @actions/core's escaping and the
runner's parsing, and the step summary through a CommonMark+tables parser."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import subprocess
import sys
from urllib.parse import unquote

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from conftest import PYINFRA_LOG, ROOT, SCHEMAS
from exitaudit import ExitStatus, Origin, Report, __version__, load_rules
from exitaudit.engine import Engine
from exitaudit.model import Evidence, Finding, Kind, RunResult, Severity
from exitaudit.reader import Block
from exitaudit.reporters import FORMATS, renderer
from exitaudit.reporters.github import command, escape_data, escape_property, step_summary

SARIF_SCHEMA = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
CODECLIMATE_SCHEMA = json.loads((SCHEMAS / "gitlab-codeclimate.json").read_text())
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
GITLAB_SEVERITIES = {"error": "critical", "warning": "minor", "info": "info"}
MIB = 1024 * 1024

_ENGINE: Engine | None = None


def audit(text: str, code: int | None, source: str) -> RunResult:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = Engine(load_rules())
    status = ExitStatus.unknown() if code is None else ExitStatus.from_code(code, Origin.FLAG, "--exit-code")
    return _ENGINE.audit([Block(text.encode(), 1)], status, source=source)


def report_of(*runs: RunResult, fail_on: Severity = Severity.ERROR) -> Report:
    return Report(tuple(runs), fail_on=fail_on)


PYINFRA = PYINFRA_LOG.read_text()
# What a workflow command, a URI or a Markdown table must survive: the escape character itself,
# the property separators, line breaks, NUL and BEL, a pipe and a backtick fence.
HOSTILE_SOURCE = "logs/50%,a:b\n|we\x01ird <name>.log"
HOSTILE_LINE = "Errors: 1 \x00\x07\x0b 100% a:b,c %0A %25 | ``` <tag> & é \ufffe"


def hostile_run() -> RunResult:
    run = audit(PYINFRA.replace("Errors: 1", HOSTILE_LINE), 0, HOSTILE_SOURCE)
    (f,) = run.findings
    f = dataclasses.replace(
        f,
        title="Title: 50%, with\na newline\r and NUL\x00",
        message="Message 100%: a,b\nsecond line %0A ::error::injected\x07",
    )
    return dataclasses.replace(run, findings=(f,))


def cases() -> dict[str, Report]:
    return {
        "false-success": report_of(audit(PYINFRA, 0, "runs/deploy.log")),
        "consistent": report_of(audit(PYINFRA, 1, "runs/deploy.log")),
        "unknown-exit": report_of(audit(PYINFRA, None, "-")),
        "no-coverage": report_of(audit("hello\n", 3, "./other//dir/other.log")),
        "absolute": report_of(audit(PYINFRA, 0, "/var/log/ci run/deploy.log")),
        "hostile": report_of(hostile_run()),
        "all": report_of(
            audit(PYINFRA, 0, "runs/deploy.log"),
            audit(PYINFRA, 1, "runs/deploy.log"),
            audit(PYINFRA, None, "-"),
            audit("hello\n", 3, "other.log"),
            hostile_run(),
        ),
        "empty": report_of(),
    }


CASES = cases()


def visible(text: str) -> str:
    """The convention every report follows for control characters (tab excepted): ``\\xNN``."""
    return "".join(f"\\x{ord(c):02x}" if (ord(c) < 32 and c != "\t") or c == "\x7f" else c for c in text)


def strings(obj: object) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for key, value in obj.items() for s in strings(key) + strings(value)]
    if isinstance(obj, list):
        return [s for value in obj for s in strings(value)]
    return []


def shown(report: Report) -> list[tuple[RunResult, Finding]]:
    """What the CI formats must show: mismatches, and consistent findings only when they fail."""
    return [(run, f) for run in report.runs for f in run.findings if f.kind is not Kind.CONSISTENT or report.failing(f)]


def gate_report() -> Report:
    """A consistent finding at severity error (a rule making an honest failure a gate) fails the
    run, so it must be shown although it is not a mismatch."""
    run = audit(PYINFRA, 1, "runs/deploy.log")
    (f,) = run.findings
    assert f.kind is Kind.CONSISTENT
    return report_of(dataclasses.replace(run, findings=(dataclasses.replace(f, severity=Severity.ERROR),)))


def test_formats_are_registered():
    for name in ("github", "sarif", "gitlab"):
        assert name in FORMATS
        assert isinstance(renderer(name)(CASES["false-success"]), str)


# --- SARIF ----------------------------------------------------------------------------------------

RFC3986_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~%!$&'()*+,;=:@/?#\[\]]+$")


def assert_github_code_scanning_accepts(doc: dict, report: Report) -> None:
    assert doc["$schema"] == SARIF_SCHEMA["id"]
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1, "one SARIF run for the whole report"
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "exitaudit"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    expected = shown(report)
    assert [r["id"] for r in rules] == sorted({f.check for _, f in expected}), "one rule per check id that appears"
    results = run["results"]
    assert len(results) == len(expected)
    for result, (audited, finding) in zip(results, expected):
        assert result["ruleId"] == finding.check
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"], "ruleIndex points at the result's rule"
        first = next(f for _, f in expected if f.check == finding.check)  # a rule is named by its first finding
        assert rule["shortDescription"]["text"] == visible(first.title)
        if finding.references:
            assert rule["helpUri"] == finding.references[0]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
        assert result["level"] == SARIF_LEVELS[finding.severity.value]
        assert result["message"]["text"]
        assert len(result["locations"]) >= 1
        loc = result["locations"][0]["physicalLocation"]
        uri = loc["artifactLocation"]["uri"]
        assert RFC3986_URI_CHARS.match(uri), uri
        if audited.source.startswith("/"):
            assert uri.startswith("file:///") and "uriBaseId" not in loc["artifactLocation"]
            assert unquote(uri[len("file://") :]) == audited.source
        elif audited.source == "-":
            assert uri == "-"
        else:
            assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
            assert not uri.startswith("/") and ":" not in uri.split("/")[0], "repository-relative"
            assert unquote(uri) == os.path.normpath(audited.source)
        assert loc["region"]["startLine"] == (finding.line if finding.line is not None else 1)
        assert result["partialFingerprints"]
    for value in strings(doc):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", value), value
    prints = [json.dumps(r["partialFingerprints"], sort_keys=True) for r in results]
    assert len(prints) == len(set(prints))


@pytest.mark.parametrize("case", sorted(CASES))
def test_sarif_validates_and_meets_github_code_scanning_requirements(case):
    report = CASES[case]
    doc = json.loads(renderer("sarif")(report))
    jsonschema.Draft4Validator.check_schema(SARIF_SCHEMA)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    assert_github_code_scanning_accepts(doc, report)


def test_sarif_expected_results():
    doc = json.loads(renderer("sarif")(CASES["all"]))
    results = doc["runs"][0]["results"]
    # consistent (the explanation of exit 1) is left out; the log without findings adds nothing
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("pyinfra/errors-exit-zero", "error"),
        ("exitaudit/exit-status-unknown", "warning"),
        ("exitaudit/no-coverage", "warning"),
        ("pyinfra/errors-exit-zero", "error"),
    ]
    assert doc["runs"][0]["tool"]["driver"]["rules"][2]["helpUri"] == "https://github.com/pyinfra-dev/pyinfra/issues/1050"
    assert json.loads(renderer("sarif")(CASES["consistent"]))["runs"][0]["results"] == []
    hostile = json.loads(renderer("sarif")(CASES["hostile"]))["runs"][0]["results"][0]
    assert "\x00" not in json.dumps(hostile, ensure_ascii=False) and "\\x00" in hostile["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]


def test_sarif_validator_is_live():
    """The schema does reject what GitHub would: a wrong level, a result without a message."""
    doc = json.loads(renderer("sarif")(CASES["false-success"]))
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA)
    assert validator.is_valid(doc)
    bad = json.loads(json.dumps(doc))
    bad["runs"][0]["results"][0]["level"] = "fatal"
    assert not validator.is_valid(bad)
    bad = json.loads(json.dumps(doc))
    del bad["runs"][0]["results"][0]["message"]
    assert not validator.is_valid(bad)


def test_sarif_shows_a_failing_consistent_finding():
    doc = json.loads(renderer("sarif")(gate_report()))
    (result,) = doc["runs"][0]["results"]
    assert result["level"] == "error" and result["properties"]["kind"] == "consistent"


def test_sarif_fingerprint_is_stable_when_lines_move_and_differs_per_log():
    def fp(text: str, source: str) -> dict:
        return json.loads(renderer("sarif")(report_of(audit(text, 0, source))))["runs"][0]["results"][0]

    a = fp(PYINFRA, "runs/deploy.log")
    moved = fp("extra line\n" * 7 + PYINFRA, "runs/deploy.log")
    assert moved["locations"][0]["physicalLocation"]["region"]["startLine"] == a["locations"][0]["physicalLocation"]["region"]["startLine"] + 7
    assert moved["partialFingerprints"] == a["partialFingerprints"]
    assert fp(PYINFRA, "runs/other.log")["partialFingerprints"] != a["partialFingerprints"]
    assert fp(PYINFRA.replace("Errors: 1", "Errors: 2"), "runs/deploy.log")["partialFingerprints"] != a["partialFingerprints"]


# --- GitLab Code Quality --------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_gitlab_entries_each_valid_and_fingerprints_unique(case):
    report = CASES[case]
    doc = json.loads(renderer("gitlab")(report))
    assert isinstance(doc, list)
    validator = jsonschema.Draft7Validator(CODECLIMATE_SCHEMA)
    expected = shown(report)
    assert len(doc) == len(expected)
    for entry, (run, finding) in zip(doc, expected):
        validator.validate(entry)  # GitLab stops at the first invalid entry
        assert entry["check_name"] == finding.check
        assert entry["severity"] == GITLAB_SEVERITIES[finding.severity.value]
        assert entry["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert entry["description"]
        assert re.fullmatch(r"[0-9a-f]{64}", entry["fingerprint"])
        assert isinstance(entry["location"]["path"], str) and entry["location"]["path"]
        begin = entry["location"]["lines"]["begin"]
        assert type(begin) is int and begin == (finding.line if finding.line is not None else 1)
        for value in strings(entry):  # NUL and friends are shown, not stored (Postgres rejects NUL)
            assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", value), value
        assert "\n" not in entry["description"] + entry["location"]["path"]
    fingerprints = [e["fingerprint"] for e in doc]
    assert len(fingerprints) == len(set(fingerprints))


def test_gitlab_empty_report_is_an_empty_array():
    assert renderer("gitlab")(CASES["empty"]) == "[]\n"
    assert renderer("gitlab")(CASES["consistent"]) == "[]\n"


def test_gitlab_validator_is_live():
    entry = json.loads(renderer("gitlab")(CASES["false-success"]))[0]
    validator = jsonschema.Draft7Validator(CODECLIMATE_SCHEMA)
    del entry["fingerprint"]
    assert not validator.is_valid(entry)


def test_gitlab_fingerprint_is_the_hash_of_check_source_and_line_and_unique_for_twins():
    twin = audit(PYINFRA, 0, "runs/deploy.log")
    doc = json.loads(renderer("gitlab")(report_of(twin, twin, twin)))
    prints = [e["fingerprint"] for e in doc]
    assert len(prints) == 3 and len(set(prints)) == 3
    (finding,) = twin.findings
    line = next(e.text for e in finding.evidence if e.line == finding.line)
    key = json.dumps([finding.check, "runs/deploy.log", line.strip()])
    assert prints[0] == hashlib.sha256(key.encode()).hexdigest()
    # the same as SARIF's, so both name a finding alike
    sarif = json.loads(renderer("sarif")(report_of(twin, twin, twin)))
    assert [next(iter(r["partialFingerprints"].values())) for r in sarif["runs"][0]["results"]] == prints


def test_gitlab_shows_a_failing_consistent_finding():
    (entry,) = json.loads(renderer("gitlab")(gate_report()))
    assert entry["severity"] == "critical"


# --- GitHub workflow commands ---------------------------------------------------------------------
# @actions/core (packages/core/src/command.ts) writes
#   ::name key=escapeProperty(value),...::escapeData(message)
# escapeData: % -> %25, \r -> %0D, \n -> %0A; escapeProperty: those, then : -> %3A, , -> %2C.
# The runner (ActionCommand.TryParseV2) reads the output line by line, cuts the command at the first
# "::" after the leading one, splits properties at "," and "=", and unescapes in the order below.

REF_DATA = {"%": "%25", "\r": "%0D", "\n": "%0A"}
REF_PROPERTY = {**REF_DATA, ":": "%3A", ",": "%2C"}


def ref_escape_data(s: str) -> str:
    return "".join(REF_DATA.get(c, c) for c in s)


def ref_escape_property(s: str) -> str:
    return "".join(REF_PROPERTY.get(c, c) for c in s)


def runner_unescape(s: str, prop: bool) -> str:
    order = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else []) + [("%25", "%")]
    for seq, char in order:
        s = s.replace(seq, char)
    return s


def runner_parse(line: str) -> tuple[str, dict[str, str], str]:
    assert line.startswith("::"), line
    end = line.index("::", 2)
    info, data = line[2:end], line[end + 2 :]
    name, _, props = info.partition(" ")
    properties = {}
    for prop in filter(None, props.split(",")):
        key, _, value = prop.partition("=")
        properties[key] = runner_unescape(value, prop=True)
    return name, properties, runner_unescape(data, prop=False)


@given(st.text())
def test_escaping_matches_actions_core(s):
    assert escape_data(s) == ref_escape_data(s)
    assert escape_property(s) == ref_escape_property(s)
    assert runner_unescape(escape_property(s), prop=True) == s
    assert runner_unescape(escape_data(s), prop=False) == s


def test_escaping_literal_examples():
    assert escape_data("100% a:b,c\r\nd") == "100%25 a:b,c%0D%0Ad"
    assert escape_property("100% a:b,c\r\nd") == "100%25 a%3Ab%2Cc%0D%0Ad"
    assert command("error", {"file": "a,b.log", "line": "3", "title": ""}, "x") == "::error file=a%2Cb.log,line=3::x"


def test_github_hostile_finding_is_one_intact_command():
    report = CASES["hostile"]
    out = renderer("github")(report)
    lines = out.splitlines()
    assert out.endswith("\n") and len(lines) == 1
    (line,) = lines
    assert not re.search("[\x00-\x08\x0a-\x1f\x7f]", line), "no control character can end or garble the command"
    name, props, message = runner_parse(line)
    assert name == "error"
    # exactly @actions/core's escaping of what the runner reads back
    expected = "::error " + ",".join(f"{k}={ref_escape_property(v)}" for k, v in props.items()) + "::" + ref_escape_data(message)
    assert line == expected
    assert list(props) == ["file", "line", "title"]
    assert props["file"] == "logs/50%,a:b\\x0a|we\\x01ird <name>.log"
    assert props["line"] == "29"
    assert "Title: 50%, with\\x0aa newline\\x0d and NUL\\x00" in props["title"]
    first, *rest = message.split("\n")
    assert first.startswith("Message 100%: a,b\\x0asecond line %0A ::error::injected\\x07")
    assert any("Errors: 1 \\x00\\x07\\x0b 100% a:b,c %0A %25 | ``` <tag> & é" in r for r in rest)
    assert "%25" in line and "%3A" in line and "%2C" in line and "%0A" in line


def test_github_annotations_for_the_sample():
    out = renderer("github")(CASES["all"])
    lines = out.splitlines()
    assert [runner_parse(line)[0] for line in lines] == ["error", "error", "warning", "warning"]
    name, props, message = runner_parse(lines[0])
    assert props["file"] == "runs/deploy.log" and props["line"] == "29"
    assert "pyinfra reported 1 failed operation(s) (Errors: 1) but exited 0" in message
    assert "29 |" in message and "Errors: 1" in message
    _, props, _ = runner_parse(lines[-1])
    assert "file" not in props and "line" not in props, "standard input has no file to point at"
    assert renderer("github")(CASES["consistent"]) == "" and renderer("github")(CASES["empty"]) == ""
    (gate,) = renderer("github")(gate_report()).splitlines()
    assert gate.startswith("::error ")


def _many() -> Report:
    base = audit(PYINFRA, 0, "runs/deploy.log")
    (f,) = base.findings
    runs = []
    # report order puts wrong-code first, yet false-success must fill the error slots first
    for i in range(8):
        runs.append(dataclasses.replace(base, source=f"wrong/{i}.log", findings=(dataclasses.replace(f, kind=Kind.WRONG_CODE),)))
    for i in range(8):
        runs.append(dataclasses.replace(base, source=f"false/{i}.log"))
    for i in range(13):
        kind = Kind.NO_COVERAGE if i < 6 else Kind.FALSE_FAILURE
        runs.append(dataclasses.replace(base, source=f"warn/{i}.log", findings=(dataclasses.replace(f, kind=kind, severity=Severity.WARNING),)))
    runs.append(dataclasses.replace(base, source="info.log", findings=(dataclasses.replace(f, kind=Kind.FALSE_FAILURE, severity=Severity.INFO),)))
    return report_of(*runs)


def test_github_caps_at_ten_per_type_most_important_first_and_counts_the_rest():
    lines = renderer("github")(_many()).splitlines()
    parsed = [runner_parse(line) for line in lines]
    names = [p[0] for p in parsed]
    assert names == ["error"] * 10 + ["warning"] * 10 + ["notice"]
    files = [p[1].get("file") for p in parsed]
    assert files[:10] == [f"false/{i}.log" for i in range(8)] + ["wrong/0.log", "wrong/1.log"]
    # false-failure ranks before no-coverage (verdict order), then run order
    assert files[10:20] == [f"warn/{i}.log" for i in range(6, 13)] + ["warn/0.log", "warn/1.log", "warn/2.log"]
    assert "6 more errors and 3 more warnings not shown" in parsed[-1][2]
    assert "see the full report" in parsed[-1][2]


def test_info_findings_map_to_note_and_info_and_are_not_annotated():
    report = _many()
    sarif = json.loads(renderer("sarif")(report))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    assert_github_code_scanning_accepts(sarif, report)
    levels = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["level"] for r in sarif["runs"][0]["results"]}
    assert levels["info.log"] == "note" and levels["false/0.log"] == "error" and levels["warn/0.log"] == "warning"
    gitlab = {e["location"]["path"]: e["severity"] for e in json.loads(renderer("gitlab")(report))}
    assert gitlab["info.log"] == "info" and gitlab["false/0.log"] == "critical" and gitlab["warn/0.log"] == "minor"
    assert "info.log" not in renderer("github")(report)


def test_github_no_count_line_within_the_cap():
    report = _many()
    report = report_of(*report.runs[:10])  # 8 wrong-code + 2 false-success errors
    names = [runner_parse(line)[0] for line in renderer("github")(report).splitlines()]
    assert names == ["error"] * 10


# --- GitHub step summary --------------------------------------------------------------------------


def _md() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def test_step_summary_table_and_findings_render():
    report = CASES["all"]
    text = step_summary(report)
    tokens = _md().parse(text)
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == 1 + len(report.runs), "header plus one row per log, even with | in a path"
    cells: list[list[str]] = []
    in_cell = False
    for t in tokens:
        if t.type == "tr_open":
            cells.append([])
        elif t.type in ("td_open", "th_open"):
            in_cell = True
        elif t.type == "inline" and in_cell:
            cells[-1].append(t.content)
            in_cell = False
    html = _md().render(text)
    assert "<name>" not in html and "&lt;name&gt;" in html, "no raw HTML from a log path"
    assert all(len(r) == 4 for r in cells)
    assert "\x00" not in text and "\x07" not in text
    fences = [t for t in tokens if t.type == "fence"]
    assert len(fences) == 2 and all("Errors: 1" in f.content for f in fences)
    assert "``` <tag>" in fences[1].content, "a fence in the evidence does not close the code block"
    assert "pyinfra-dev/pyinfra/issues/1050" in html
    assert "No findings" in step_summary(CASES["empty"])


def test_step_summary_stays_under_one_mib_for_a_huge_report():
    base = audit(PYINFRA, 0, "runs/deploy.log")
    (f,) = base.findings
    # 5,000 findings with multi-byte evidence: several MiB in UTF-8, under 1 Mi characters cut at
    # a character count would still be over the byte limit
    evidence = tuple(Evidence(line=i, text="é€" * 150) for i in range(1, 11))
    big = dataclasses.replace(f, evidence=evidence)
    runs = [dataclasses.replace(base, source=f"logs/{i}.log", findings=(big,)) for i in range(5000)]
    report = report_of(*runs)
    text = step_summary(report)
    size = len(text.encode("utf-8"))
    assert size < MIB
    assert size > MIB - 64 * 1024, "cut near the limit, not far below it"
    assert text.count("#### ") < 5000
    m = re.search(r"(\d+) finding\(s\) not shown", text)
    assert m, text[-500:]
    assert text.count("#### ") + int(m.group(1)) == 5000
    assert text.rstrip().endswith("see the full report.")


def test_step_summary_cut_also_cuts_a_huge_table():
    base = audit(PYINFRA, 0, "r.log")
    runs = [dataclasses.replace(base, source=f"logs/{'x' * 200}/{i}.log") for i in range(20000)]
    text = step_summary(report_of(*runs))
    assert len(text.encode()) < MIB
    assert re.search(r"\d+ log\(s\) and 20000 finding\(s\) not shown", text)


# --- determinism ----------------------------------------------------------------------------------

_SCRIPT = """
import hashlib, sys
sys.path.insert(0, sys.argv[1])
import test_ci_reports as t
from exitaudit.reporters import renderer
from exitaudit.reporters.github import step_summary
h = hashlib.sha256()
for report in (t.CASES["all"], t.CASES["hostile"], t._many()):
    for name in ("github", "sarif", "gitlab"):
        h.update(renderer(name)(report).encode())
    h.update(step_summary(report).encode())
print(h.hexdigest())
"""


def test_same_input_same_bytes_across_processes():
    outs = set()
    for seed in ("1", "2"):
        proc = subprocess.run(
            [sys.executable, "-c", _SCRIPT, str(ROOT / "tests")],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=ROOT / "tests",
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        outs.add(proc.stdout)
    assert len(outs) == 1
    report = CASES["all"]
    for name in ("github", "sarif", "gitlab"):
        assert len({renderer(name)(report) for _ in range(3)}) == 1
