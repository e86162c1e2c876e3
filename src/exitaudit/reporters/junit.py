"""JUnit XML: one <testsuite> per audited log, one <testcase> per applicable check.

A clean run shows its checks passing. A mismatch at or above --fail-on is a <failure> whose
body holds the message and the evidence lines (GitLab shows the body, not the message
attribute). Validates against junit-superset.xsd, and with ``strict`` (no testcase file/line,
no testsuites/@skipped) against Jenkins' junit-10.xsd.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..model import Finding, Outcome, Report, RunResult, Unreadable

# XML 1.0 forbids most C0 controls even escaped or in CDATA; Jenkins, GitLab and lxml reject
# a file that has one. Show them as visible escapes instead.
_ILLEGAL_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    return _ILLEGAL_XML.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


def _body(run: RunResult, finding: Finding) -> str:
    lines = [finding.message]
    lines += [f"{run.source}:{e.line}: {e.text}" for e in finding.evidence]
    lines += [f"see {ref}" for ref in finding.references]
    return clean("\n".join(lines))


def _suite(report: Report, run: RunResult, strict: bool) -> tuple[ET.Element, int, int]:
    suite = ET.Element("testsuite")
    props = ET.SubElement(suite, "properties")
    es = run.exit_status
    for name, value in (
        ("source", run.source),
        ("tools", ",".join(run.tools)),
        ("exit_code", "" if es.code is None else str(es.code)),
        ("exit_signal", es.signal or ""),
        ("exit_origin", es.origin.value),
        ("verdict", run.verdict.value),
    ):
        ET.SubElement(props, "property", name=name, value=clean(value))

    tests = failures = skipped = 0
    covered: set[tuple[str, str | None]] = set()

    def case(name: str, tool: str, finding: Finding | None, *, skip_reason: str | None = None, step: str | None = None) -> None:
        nonlocal tests, failures, skipped
        tests += 1
        # A CI job's checks run once per step: the step names the test case.
        tc = ET.SubElement(suite, "testcase", name=clean(f"{name} [{step}]" if step else name), classname=clean(f"exitaudit.{tool}"))
        if skip_reason is not None and (finding is None or not report.failing(finding)):
            skipped += 1
            ET.SubElement(tc, "skipped", message=clean(skip_reason))
        if finding is None:
            return
        if report.failing(finding):
            failures += 1
            if not strict and finding.line is not None:
                tc.set("file", clean(run.source))
                tc.set("line", str(finding.line))
            fail = ET.SubElement(tc, "failure", message=clean(finding.message), type=finding.kind.value)
            fail.text = _body(run, finding)
        elif skip_reason is None:
            out = ET.SubElement(tc, "system-out")
            out.text = clean(f"{finding.severity.value}: {finding.kind.value}: ") + _body(run, finding)

    for outcome in run.checks:
        covered.add((outcome.check, outcome.step))
        reason = outcome.reason if outcome.outcome is Outcome.SKIPPED else None
        finding = next((f for f in run.findings if f.check == outcome.check and f.step == outcome.step), outcome.finding)
        case(outcome.check, outcome.tool, finding, skip_reason=reason, step=outcome.step)
    for finding in run.findings:
        if (finding.check, finding.step) not in covered:  # synthesised by the engine: no-coverage, unexplained-failure, ...
            case(finding.check, finding.tool, finding, step=finding.step)

    suite.set("name", clean(f"exitaudit: {run.source}"))
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    # Attribute order is kept as set; put the identifying ones first for people reading the file.
    suite.attrib = {k: suite.attrib[k] for k in ("name", "tests", "failures", "errors", "skipped")}
    return suite, tests, failures


def _unreadable_suite(bad: Unreadable) -> ET.Element:
    """A log that could not be read: one test case in <error>, never a suite that passes."""
    suite = ET.Element("testsuite", name=clean(f"exitaudit: {bad.source}"), tests="1", failures="0", errors="1", skipped="0")
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="source", value=clean(bad.source))
    tc = ET.SubElement(suite, "testcase", name="read log", classname="exitaudit")
    err = ET.SubElement(tc, "error", message=clean(bad.message), type="input-error")
    err.text = clean(f"{bad.source}: {bad.message}")
    return suite


def render(report: Report, *, strict: bool = False) -> str:
    root = ET.Element("testsuites", name="exitaudit")
    total = fails = skips = 0
    for run in report.runs:
        suite, tests, failures = _suite(report, run, strict)
        root.append(suite)
        total += tests
        fails += failures
        skips += int(suite.get("skipped", "0"))
    for bad in report.unreadable:
        root.append(_unreadable_suite(bad))
        total += 1
    root.set("tests", str(total))
    root.set("failures", str(fails))
    root.set("errors", str(len(report.unreadable)))
    if not strict:
        root.set("skipped", str(skips))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
