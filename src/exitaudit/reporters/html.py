"""HTML, one audit (check, run): one self-contained page with each run's verdict, its exit status
and where it came from, every finding with its evidence in context (a few lines around, the
matched lines marked) and the checks that passed. See html_page.py for what keeps it safe."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from ..model import VERDICT_ORDER, Report, RunResult
from .html_page import page


def excerpt_rows(evidence_lines: set[int], context: dict[int, str], evidence_text: dict[int, str]) -> list[dict[str, Any]]:
    """Rows for one finding's excerpt: context lines in order, evidence lines marked, a gap row
    where lines are left out. Without context (standard input) the evidence lines alone."""
    texts = {**context, **{n: t for n, t in evidence_text.items() if n not in context}}
    rows: list[dict[str, Any]] = []
    last = None
    for n in sorted(texts):
        if last is not None and n > last + 1:
            rows.append({"gap": True})
        rows.append({"gap": False, "line": n, "text": texts[n], "hit": n in evidence_lines})
        last = n
    return rows


def _run_fields(run: RunResult, context: dict[int, str], link: str | None) -> dict[str, Any]:
    from ..context import RADIUS

    findings = []
    for f in run.findings:
        hits = {e.line for e in f.evidence}
        near = {n: t for n, t in context.items() if any(abs(n - h) <= RADIUS for h in hits)}
        findings.append({
            "severity": f.severity.value, "kind": f.kind.value, "check": f.check, "line": f.line, "step": f.step,
            "message": f.message, "references": list(f.references),
            "excerpt": excerpt_rows(hits, near, {e.line: e.text for e in f.evidence}),
        })
    outcomes = Counter(c.outcome.value for c in run.checks)
    s = run.stats
    stats = f"{s.lines} lines, {s.bytes} bytes" + (f", {s.compression}" if s.compression else "")
    if s.invalid_utf8:
        stats += f", {s.invalid_utf8} invalid UTF-8 sequence(s)"
    return {
        "source": run.source,
        "link": link,
        "verdict": run.verdict.value,
        "exit": run.exit_status.describe(),
        "origin": (run.exit_status.where or run.exit_status.origin.value) if run.exit_status.known else "",
        "tools": ", ".join(run.tools),
        "stats": stats,
        "findings": findings,
        "checks": [{"check": c.check, "outcome": c.outcome.value, "reason": c.reason, "title": c.title} for c in run.checks],
        "platform": getattr(run, "platform", None),
        "steps": [
            {"name": st.name, "lines": f"{st.first_line}-{st.last_line}", "exit": st.exit_status.describe(),
             "origin": st.exit_status.where or st.exit_status.origin.value, "tools": ", ".join(st.tools), "verdict": st.verdict.value,
             "findings": len(st.findings)}
            for st in run.steps
        ],
        "check_counts": ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())),
    }


def render(
    report: Report,
    *,
    context: dict[int, dict[int, str]] | None = None,
    link: Callable[[str], str | None] = lambda source: None,
) -> str:
    """``context``: per run index, the log's lines around the evidence (context.for_runs);
    ``link``: the href of a log, from its source. Logs that could not be read are listed as
    errors (Report.unreadable)."""
    context = context or {}
    verdicts = Counter(run.verdict.value for run in report.runs)
    runs = [_run_fields(run, context.get(i, {}), link(run.source)) for i, run in enumerate(report.runs)]
    n = len(report.runs)
    headline = f"{n} log{'s' if n != 1 else ''} audited"
    if report.unreadable:
        headline += f", {len(report.unreadable)} unreadable (exit 2)"
    if report.has_failures:
        headline += f"; findings at or above {report.fail_on.value}: the audit fails"
    else:
        headline += f"; no finding at or above {report.fail_on.value}"
    return page(
        "check.html.j2",
        headline=headline,
        verdicts=[{"name": k.value, "count": verdicts[k.value]} for k in VERDICT_ORDER if verdicts[k.value]],
        runs=runs,
        unreadable=[{"source": u.source, "error": u.message} for u in report.unreadable],
    )
