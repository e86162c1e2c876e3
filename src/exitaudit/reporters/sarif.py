"""SARIF 2.1.0, for GitHub code scanning (``github/codeql-action/upload-sarif``) and other SARIF readers.

One SARIF run for the whole report (every audited log), one result per finding that is shown
(see ``reported``): explanations (``consistent`` findings that do not fail the run) and logs
without findings add nothing. Beyond the OASIS schema it meets what GitHub code scanning
requires: ``$schema``, ``tool.driver`` with ``rules[]`` (one per check id that appears, in id
order) and a ``ruleIndex`` into it, at least one location per result with a repository-relative
URI (relative log paths are given against ``%SRCROOT%``), and ``partialFingerprints`` that stay
the same while the check, the log's path and the text of the line pointed at stay the same.
An absolute log path becomes a ``file:`` URI, which code scanning cannot place in the repository
(audit logs by relative path for it); standard input is the relative URI ``-``. A finding without
a line points at line 1.

Levels: error -> ``error``, warning -> ``warning``, info -> ``note``.

This module also holds what the CI formats share (``reported``, ``location_path``,
``fingerprints``), so that SARIF and GitLab Code Quality name a finding by the same fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..model import Finding, Kind, Report, RunResult, Severity
from .text import printable

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/exitaudit/exitaudit"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "exitaudit/v1"
STDIN = "-"
UNREADABLE_CHECK = "exitaudit/unreadable-log"
"""The id under which CI formats report a log that could not be read."""

LEVELS: dict[Severity, str] = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"]+$")


# --- shared by the CI formats (github, sarif, gitlab) ------------------------------------------


def reported(report: Report, finding: Finding) -> bool:
    """Whether a CI format shows a finding: every mismatch, and a ``consistent`` finding only when
    it fails the run (a rule that makes an honest failure a gate, e.g. pytest's gating-test-failed
    at severity error). The other consistent findings are explanations and are left out."""
    return finding.kind is not Kind.CONSISTENT or report.failing(finding)


def reported_findings(report: Report) -> list[tuple[int, RunResult, Finding]]:
    """(run index, run, finding) for every shown finding, in report order."""
    return [(i, run, f) for i, run in enumerate(report.runs) for f in run.findings if reported(report, f)]


def location_path(source: str) -> str:
    """A log's path as a repository-relative consumer wants it: ``./a//b.log`` -> ``a/b.log``,
    Windows separators as ``/``; absolute paths and ``-`` (standard input) unchanged."""
    if source == STDIN:
        return source
    return PurePath(source).as_posix()


def line_text(finding: Finding) -> str:
    """The text of the line a finding points at (its evidence there, else its first evidence)."""
    for e in finding.evidence:
        if e.line == finding.line:
            return e.text
    return finding.evidence[0].text if finding.evidence else ""


def fingerprints(items: Iterable[tuple[RunResult, Finding]]) -> list[str]:
    """One fingerprint per (run, finding), stable and unique.

    Stable: a hash of the check id, the log's path and the text of the line pointed at (spaces
    at either end ignored), not of the line number, so that a line moving keeps its fingerprint.
    Unique: two findings that would hash alike (the same log audited twice, say) get the
    occurrence number mixed in, in report order; GitLab would otherwise collapse them into one.
    """
    seen: dict[str, int] = {}
    taken: set[str] = set()
    out: list[str] = []
    for run, finding in items:
        key = json.dumps([finding.check, location_path(run.source), line_text(finding).strip()], ensure_ascii=True)
        base = hashlib.sha256(key.encode()).hexdigest()
        fp = base
        while fp in taken:
            seen[base] = seen.get(base, 0) + 1
            fp = hashlib.sha256(f"{base}:{seen[base]}".encode()).hexdigest()
        taken.add(fp)
        out.append(fp)
    return out


# --- SARIF -------------------------------------------------------------------------------------


def artifact_location(source: str) -> dict[str, str]:
    """A relative path against %SRCROOT% (the repository), an absolute one as a file: URI; every
    character outside RFC 3986's unreserved set percent-encoded (UTF-8)."""
    path = location_path(source)
    if source == STDIN:
        return {"uri": STDIN}
    pure = PurePath(source)
    if pure.is_absolute():
        return {"uri": pure.as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _rule(check: str, findings: list[Finding]) -> dict[str, Any]:
    first = findings[0]
    worst = max((f.severity for f in findings), key=lambda s: s.rank)
    rule: dict[str, Any] = {
        "id": check,
        "shortDescription": {"text": printable(first.title) or check},
        "defaultConfiguration": {"level": LEVELS[worst]},
        "properties": {"tags": [printable(first.tool)] if first.tool else []},
    }
    refs = [r for r in first.references if _ABSOLUTE_URI.match(r)]
    if refs:
        rule["helpUri"] = refs[0]
    if first.references:
        rule["help"] = {"text": "\n".join(f"See {printable(r)}" for r in first.references)}
    return rule


def _result(run: RunResult, finding: Finding, rule_index: int, fingerprint: str) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": finding.line if finding.line is not None and finding.line >= 1 else 1}
    text = line_text(finding) if finding.line is not None else ""
    if text:
        region["snippet"] = {"text": printable(text)}
    return {
        "ruleId": finding.check,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": (f"[{printable(finding.step)}] " if finding.step else "") + (printable(finding.message) or finding.check)},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(run.source), "region": region}}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
        "properties": {"kind": finding.kind.value, "severity": finding.severity.value, **({"step": finding.step} if finding.step else {})},
    }


def document(report: Report) -> dict[str, Any]:
    items = reported_findings(report)
    by_check: dict[str, list[Finding]] = {}
    for _, _, f in items:
        by_check.setdefault(f.check, []).append(f)
    checks = sorted(by_check)
    index = {check: i for i, check in enumerate(checks)}
    prints = fingerprints((run, f) for _, run, f in items)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "exitaudit",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(c, by_check[c]) for c in checks],
                    }
                },
                "results": [_result(run, f, index[f.check], fp) for (_, run, f), fp in zip(items, prints)],
                **({"invocations": [_invocation(report)]} if report.unreadable else {}),
            }
        ],
    }


def _invocation(report: Report) -> dict[str, Any]:
    """Logs that could not be read, as SARIF says a tool failed: an unsuccessful invocation with
    one error notification per log (GitHub code scanning shows these as the tool's errors)."""
    return {
        "executionSuccessful": False,
        "toolExecutionNotifications": [
            {
                "level": "error",
                "message": {"text": printable(f"cannot read {bad.source}: {bad.message}")},
                "locations": [{"physicalLocation": {"artifactLocation": artifact_location(bad.source)}}],
                "descriptor": {"id": UNREADABLE_CHECK},
            }
            for bad in report.unreadable
        ],
    }


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
