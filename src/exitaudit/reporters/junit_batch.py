"""JUnit XML for ``exitaudit batch``: one <testsuite> per tool, one <testcase> per run of it.

A run's test case fails when the run has a finding at or above --fail-on for that tool (its own
findings, and the engine's findings such as unexplained-failure, which belong to every tool of
the run) that the baseline does not hold. An unreadable log is an <error>. Runs that no rule
file recognised are the suite ``(none)``. Validates against junit-superset.xsd, and with
``strict`` (no testcase file/line, no testsuites/@skipped) against Jenkins' junit-10.xsd.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from ..model import Severity
from .junit import clean

NO_TOOL = "(none)"
SYNTHETIC_TOOL = "exitaudit"


def _line(f: Mapping[str, Any]) -> str:
    at = f" (line {f['line']})" if f.get("line") is not None else ""
    known = " [in the baseline]" if f.get("baselined") else ""
    return f"{f['severity']} {f['kind']} {f['check']}{at}: {f['message']}{known}"


def render(runs: Sequence[Mapping[str, Any]], fail_on: Severity, *, strict: bool = False) -> str:
    """``runs``: per run, ``source``, ``tools`` (a sequence), ``error`` (or None) and
    ``findings`` (mappings with check, tool, kind, severity, message, line, baselined)."""
    suites: dict[str, list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]]] = {}
    for run in runs:
        tools = list(run["tools"]) or [NO_TOOL]
        for tool in tools:
            mine = [f for f in run["findings"] if f["tool"] == tool or f["tool"] == SYNTHETIC_TOOL]
            suites.setdefault(tool, []).append((run, mine))

    root = ET.Element("testsuites", name="exitaudit batch")
    total = total_failures = total_errors = 0
    for tool in sorted(suites):
        suite = ET.SubElement(root, "testsuite")
        tests = failures = errors = 0
        for run, mine in suites[tool]:
            tests += 1
            source = str(run["source"])
            tc = ET.SubElement(suite, "testcase", name=clean(source), classname=clean(f"exitaudit.{tool}"))
            if run.get("error"):
                errors += 1
                err = ET.SubElement(tc, "error", message=clean(str(run["error"])), type="input-error")
                err.text = clean(str(run["error"]))
                continue
            failing = [f for f in mine if not f.get("baselined") and Severity(f["severity"]).rank >= fail_on.rank]
            shown = {id(f) for f in failing}
            others = [f for f in mine if id(f) not in shown and f["kind"] != "consistent"]
            if failing:
                failures += 1
                first = failing[0]
                if not strict:
                    tc.set("file", clean(source))
                    if first.get("line") is not None:
                        tc.set("line", str(first["line"]))
                fail = ET.SubElement(tc, "failure", message=clean(str(first["message"])), type=str(first["kind"]))
                fail.text = clean("\n".join(_line(f) for f in failing))
            if others:
                out = ET.SubElement(tc, "system-out")
                out.text = clean("\n".join(_line(f) for f in others))
        suite.set("name", clean(f"exitaudit: {tool}"))
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("skipped", "0")
        suite.attrib = {k: suite.attrib[k] for k in ("name", "tests", "failures", "errors", "skipped")}
        total += tests
        total_failures += failures
        total_errors += errors
    root.set("tests", str(total))
    root.set("failures", str(total_failures))
    root.set("errors", str(total_errors))
    if not strict:
        root.set("skipped", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
