"""Reports are checked by real validators and consumers: JSON Schema, the JUnit XSDs (lxml),
junitparser and junit2html."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
from lxml import etree

from conftest import PYINFRA_LOG, SCHEMAS
from exitaudit import ExitStatus, Origin, Report, load_rules
from exitaudit.engine import Engine
from exitaudit.model import Severity
from exitaudit.reader import Block
from exitaudit.reporters import renderer

REPORT_SCHEMA = json.loads(resources.files("exitaudit").joinpath("schemas/report.schema.json").read_text())
XSD = {name: etree.XMLSchema(etree.parse(str(SCHEMAS / f"{name}.xsd"))) for name in ("junit-superset", "jenkins-xunit-junit-10")}

NASTY = "\x1b[31mErrors: 1\x00 \x07bell \x0b vt \ud7ff \ufffe <tag> & \"q\" ]]> é"


def report_for(*runs_spec, fail_on: Severity = Severity.ERROR) -> Report:
    engine = Engine(load_rules())
    runs = []
    for text, code, source in runs_spec:
        status = ExitStatus.unknown() if code is None else ExitStatus.from_code(code, Origin.FLAG, "--exit-code")
        runs.append(engine.audit([Block(text.encode(), 1)], status, source=source))
    return Report(tuple(runs), fail_on=fail_on)


PYINFRA = PYINFRA_LOG.read_text()
# Control characters straight in the evidence: blocks from a reader never carry ESC (stripped),
# but NUL, BEL and VT reach the engine and so the reports.
HOSTILE = PYINFRA.replace("Errors: 1", "Errors: 1 \x00\x07\x0b <tag> & \"q\" ]]> é \ufffe")
CASES = {
    "false-success": (PYINFRA, 0, "runs/deploy.log"),
    "consistent": (PYINFRA, 1, "runs/deploy.log"),
    "unknown-exit": (PYINFRA, None, "-"),
    "no-coverage": ("hello\n", 3, "other.log"),
    "hostile": (HOSTILE, 0, "we\x01ird <name>.log"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_json_report_validates_against_its_schema(case):
    doc = json.loads(renderer("json")(report_for(CASES[case])))
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(doc)
    assert list(doc) == ["schema_version", "exitaudit_version", "runs", "errors", "summary"]


def test_json_report_shape_other_tools_rely_on():
    doc = json.loads(renderer("json")(report_for(CASES["false-success"])))
    run = doc["runs"][0]
    assert run["exit_status"] == {"code": 0, "signal": None, "origin": "flag"}
    assert run["tools"] == ["pyinfra"] and run["verdict"] == "false-success"
    (finding,) = run["findings"]
    assert finding["check"] == "pyinfra/errors-exit-zero" and finding["severity"] == "error"
    assert finding["kind"] == "false-success"
    assert any("Errors: 1" in e["text"] for e in finding["evidence"])
    assert "https://github.com/pyinfra-dev/pyinfra/issues/1050" in finding["references"]
    assert doc["summary"]["failed"] is True


def test_json_report_is_byte_identical_for_the_same_input():
    outputs = {renderer("json")(report_for(*CASES.values())) for _ in range(3)}
    assert len(outputs) == 1


@pytest.mark.parametrize("strict", [False, True], ids=["superset", "strict"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_junit_validates_against_the_xsd(case, strict):
    xml = renderer("junit", junit_strict=strict)(report_for(CASES[case]))
    doc = etree.fromstring(xml.encode())  # lxml is strict: an illegal XML character fails here
    schema = XSD["jenkins-xunit-junit-10" if strict else "junit-superset"]
    assert schema.validate(doc), schema.error_log
    if strict:
        assert not doc.xpath("//testcase[@file or @line]")


def test_junit_superset_schema_rejects_file_line_in_strict_mode():
    """The strict schema really is stricter: the default output (with file/line) fails it."""
    xml = renderer("junit")(report_for(CASES["false-success"]))
    assert not XSD["jenkins-xunit-junit-10"].validate(etree.fromstring(xml.encode()))


def test_junit_structure_one_suite_per_log_one_case_per_check():
    report = report_for(CASES["false-success"], CASES["consistent"])
    doc = etree.fromstring(renderer("junit")(report).encode())
    suites = doc.findall("testsuite")
    assert len(suites) == 2
    first = suites[0]
    names = [tc.get("name") for tc in first.findall("testcase")]
    assert names == [c.check for c in report.runs[0].checks]
    assert len(names) == len(set(names))  # GitLab keeps only the first of two equal names
    (failure,) = first.findall("testcase/failure")
    assert failure.get("type") == "false-success"
    tc = failure.getparent()
    assert tc.get("file") == "runs/deploy.log" and int(tc.get("line")) == 29
    assert "29: " in failure.text and "Errors: 1" in failure.text  # GitLab shows the body
    props = {p.get("name"): p.get("value") for p in first.find("properties")}
    assert props["verdict"] == "false-success" and props["exit_code"] == "0" and props["tools"] == "pyinfra"
    assert suites[1].get("failures") == "0" and suites[1].findall("testcase")  # Jenkins drops empty suites


def test_junit_warning_fails_only_with_fail_on_warning():
    spec = CASES["no-coverage"]
    default = etree.fromstring(renderer("junit")(report_for(spec)).encode())
    strict = etree.fromstring(renderer("junit")(report_for(spec, fail_on=Severity.WARNING)).encode())
    assert default.get("failures") == "0" and strict.get("failures") == "1"


def test_junit_read_back_by_junitparser(tmp_path):
    from junitparser import Failure, JUnitXml

    path = tmp_path / "r.xml"
    path.write_text(renderer("junit")(report_for(CASES["false-success"], CASES["hostile"])))
    xml = JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert [s.name for s in suites] == ["exitaudit: runs/deploy.log", "exitaudit: we\\x01ird <name>.log"]
    failures = [r for s in suites for case in s for r in case.result if isinstance(r, Failure)]
    assert len(failures) == 2 and all(f.type == "false-success" for f in failures)


def test_junit_rendered_by_junit2html(tmp_path):
    from junit2htmlreport import parser

    xml = renderer("junit")(report_for(CASES["false-success"], CASES["consistent"]))
    html = parser.Junit(xmlstring=xml).html()
    assert "pyinfra/errors-exit-zero" in html and "Errors: 1" in html


def test_text_report_is_short_and_escapes_control_characters():
    text = renderer("text")(report_for(CASES["hostile"]))
    assert "\x00" not in text and "\x07" not in text and "\\x00" in text
    lines = text.splitlines()
    assert lines[0].startswith("we\\x01ird <name>.log:29: error false-success pyinfra/errors-exit-zero:")
    assert lines[-1] == "Audited 1 log: 1 false-success; 1 finding(s) at or above error."
    assert len(lines) <= 6
