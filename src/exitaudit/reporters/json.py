"""JSON: one document, ``schema_version`` first, keys in a fixed order, no timestamps, so that
the same input gives byte-identical output. Its JSON Schema is ``schemas/report.schema.json``."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from .. import __version__
from ..model import VERDICT_ORDER, ExitStatus, Finding, Origin, Report, RunResult, Severity, StepResult

SCHEMA_VERSION = "1.1"
"""1.1: ``errors`` (logs that could not be read), ``summary.errors``, the finding kind
``expired-suppression``; a run's ``platform`` and ``steps``, a finding's ``step``, an evidence
line's ``original`` (with its CI envelope), and exit statuses that are failed with no code or
inferred."""


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "check": f.check,
        "tool": f.tool,
        "kind": f.kind.value,
        "severity": f.severity.value,
        "title": f.title,
        "message": f.message,
        "evidence": [{"line": e.line, "text": e.text, **({"original": e.original} if e.original is not None else {})} for e in f.evidence],
        "references": list(f.references),
        **({"step": f.step} if f.step is not None else {}),
    }


def _exit_status(es: ExitStatus, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"code": es.code, "signal": es.signal, "origin": es.origin.value}
    if es.failed:
        out["failed"] = True
    if es.inferred:
        out["inferred"] = True
    if (detail or es.failed or es.inferred) and es.origin is Origin.LOG and es.where:
        out["where"] = es.where
    return out


def _step(step: StepResult) -> dict[str, Any]:
    return {
        "name": step.name,
        "first_line": step.first_line,
        "last_line": step.last_line,
        "exit_status": _exit_status(step.exit_status, detail=True),
        "tools": list(step.tools),
        "verdict": step.verdict.value,
        "findings": [_finding(f) for f in step.findings],
    }


def _run(run: RunResult) -> dict[str, Any]:
    es = run.exit_status
    return {
        "source": run.source,
        "exit_status": _exit_status(es),
        "tools": list(run.tools),
        "verdict": run.verdict.value,
        "findings": [_finding(f) for f in run.findings],
        "checks": [
            {"check": c.check, "outcome": c.outcome.value, **({"reason": c.reason} if c.reason else {})}
            for c in run.checks
        ],
        "input": {
            "lines": run.stats.lines,
            "bytes": run.stats.bytes,
            "compression": run.stats.compression,
            "invalid_utf8": run.stats.invalid_utf8,
        },
        **({"platform": run.platform} if run.platform else {}),
        **({"steps": [_step(s) for s in run.steps]} if run.steps else {}),
    }


def document(report: Report) -> dict[str, Any]:
    verdicts = Counter(run.verdict.value for run in report.runs)
    severities = Counter(f.severity.value for run in report.runs for f in run.findings)
    return {
        "schema_version": SCHEMA_VERSION,
        "exitaudit_version": __version__,
        "runs": [_run(run) for run in report.runs],
        "errors": [{"source": bad.source, "message": bad.message} for bad in report.unreadable],
        "summary": {
            "runs": len(report.runs),
            "errors": len(report.unreadable),
            "verdicts": {k.value: verdicts[k.value] for k in VERDICT_ORDER if verdicts[k.value]},
            "findings": {s.value: severities[s.value] for s in (Severity.ERROR, Severity.WARNING, Severity.INFO) if severities[s.value]},
            "fail_on": report.fail_on.value,
            "failed": report.has_failures,
        },
    }


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
