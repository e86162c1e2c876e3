"""GitLab Code Quality (``artifacts:reports:codequality``): a JSON array of Code Climate issues.

One entry per shown finding (every mismatch, and a ``consistent`` finding only when it fails the
run; explanations are left out), each valid against GitLab's ``codeclimate.json``: GitLab stops
reading the report at its first invalid entry. A report without findings is ``[]``.

Severity (GitLab's scale is info, minor, major, critical, blocker):

    error   -> critical   the exit status hid a failure (or a gate failed): the run's result is wrong
    warning -> minor
    info    -> info

``blocker`` is left for tools whose findings stop a merge by themselves, ``major`` for ordinary
lint errors, so that exitaudit's errors stand out in a merge request next to other tools'.

``fingerprint`` is the one SARIF uses (see ``sarif.fingerprints``): a hash of the check id, the
log's path and the text of the line pointed at, unique within the report (GitLab collapses entries
with the same fingerprint). The line is the finding's, or 1 when it has none.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..model import Finding, Report, RunResult, Severity, Unreadable
from .sarif import UNREADABLE_CHECK, fingerprints, location_path, reported_findings
from .text import printable, shown_evidence

SEVERITIES: dict[Severity, str] = {Severity.ERROR: "critical", Severity.WARNING: "minor", Severity.INFO: "info"}
EVIDENCE_SHOWN = 10


def _body(run: RunResult, finding: Finding) -> str:
    lines = [printable(f"{finding.kind.value} ({finding.severity.value}): {finding.title}"), ""]
    if finding.evidence:
        # Each line starts with its number, so no log line can close the fence.
        shown, hidden = shown_evidence(finding, EVIDENCE_SHOWN)
        lines += ["```", *(f"{e.line} | {printable(e.text)}" for e in shown)]
        if hidden:
            lines.append(f"… {hidden} more line(s)")
        lines += ["```", ""]
    lines += [f"See {printable(ref)}" for ref in finding.references]
    return "\n".join(lines).strip()


def _entry(run: RunResult, finding: Finding, fingerprint: str) -> dict[str, Any]:
    line = finding.line if finding.line is not None and finding.line >= 1 else 1
    return {
        "type": "issue",
        "engine_name": "exitaudit",
        "check_name": finding.check,
        "description": printable(f"{finding.message} [{finding.check}]"),
        "content": {"body": _body(run, finding)},
        "categories": ["Bug Risk"],
        "fingerprint": fingerprint,
        "severity": SEVERITIES[finding.severity],
        "location": {"path": printable(location_path(run.source)), "lines": {"begin": line}},
    }


def _unreadable_entry(bad: Unreadable) -> dict[str, Any]:
    """A log that could not be read, at GitLab's severity for exitaudit's errors."""
    key = json.dumps([UNREADABLE_CHECK, location_path(bad.source)], ensure_ascii=True)
    return {
        "type": "issue",
        "engine_name": "exitaudit",
        "check_name": UNREADABLE_CHECK,
        "description": printable(f"cannot read the log: {bad.message} [{UNREADABLE_CHECK}]"),
        "content": {"body": printable(f"{bad.source}: {bad.message}")},
        "categories": ["Bug Risk"],
        "fingerprint": hashlib.sha256(key.encode()).hexdigest(),
        "severity": SEVERITIES[Severity.ERROR],
        "location": {"path": printable(location_path(bad.source)), "lines": {"begin": 1}},
    }


def document(report: Report) -> list[dict[str, Any]]:
    items = reported_findings(report)
    prints = fingerprints((run, f) for _, run, f in items)
    return [*(_entry(run, f, fp) for (_, run, f), fp in zip(items, prints)), *map(_unreadable_entry, report.unreadable)]


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
