"""Text: one line per finding with its evidence, then the run's verdict; short enough for a CI log.

    build.log:31: error false-success pyinfra/errors-exit-zero: pyinfra reported 1 error but exited 0
        31 | Errors: 1
    build.log: false-success (exit 0 from --exit-code; tools: pyinfra)
"""

from __future__ import annotations

from collections import Counter

from ..model import DEFAULT_SEVERITY, VERDICT_ORDER, Evidence, Finding, Kind, Report, RunResult, Severity, lowered_verdict, verdict_counts

EVIDENCE_SHOWN = 3
# A log line may hold control characters (a bell, a NUL, a stray CR); show them, never send them
# to the terminal that reads this report.
_PRINTABLE = str.maketrans({c: f"\\x{c:02x}" for c in [*range(32), 127] if c != 9})


def printable(text: str) -> str:
    return text.translate(_PRINTABLE)


def shown_evidence(finding: Finding, limit: int) -> tuple[list[Evidence], int]:
    """At most ``limit`` evidence lines, in line order, and how many are left out. The line the
    finding points at is always among them, with the lines nearest it: a report must never hide
    the very line its ``file:line`` names behind "… more line(s)"."""
    lines = list(finding.evidence)
    if len(lines) <= limit:
        return lines, 0
    at = next((i for i, e in enumerate(lines) if e.line == finding.line), 0)
    nearest = sorted(range(len(lines)), key=lambda i: (abs(lines[i].line - lines[at].line), lines[i].line))[:limit]
    return [lines[i] for i in sorted(nearest)], len(lines) - limit


# Colour: plain ANSI SGR codes, only on severity words and verdicts, never on log text.
_RESET = "\x1b[0m"
_SEVERITY_COLOR = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_OK_COLOR = "\x1b[32m"
_VERDICT_COLOR = {
    **{k: "\x1b[1;31m" for k in VERDICT_ORDER if DEFAULT_SEVERITY[k] is Severity.ERROR},
    **{k: "\x1b[33m" for k in VERDICT_ORDER if DEFAULT_SEVERITY[k] is Severity.WARNING},
    Kind.CONSISTENT: _OK_COLOR,
}


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def _origin(run: RunResult) -> str:
    es = run.exit_status
    if not es.known:
        return f"failed, exit code unknown, from {es.where}" if es.failed else "exit status unknown"
    return f"{es.describe()} from {es.where or es.origin.value}"


def _run(report: Report, run: RunResult, color: bool = False) -> list[str]:
    out: list[str] = []
    source = printable(run.source)
    for f in run.findings:
        at = f"{source} [{printable(f.step)}]" if f.step else source  # a CI job's step
        where = f"{at}:{f.line}" if f.line is not None else at
        explanation = f.kind is Kind.CONSISTENT and f.severity is Severity.INFO
        label = "ok" if explanation else f"{f.severity.value} {f.kind.value}"
        label = _paint(label, _OK_COLOR if explanation else _SEVERITY_COLOR[f.severity], color)
        out.append(f"{where}: {label} {f.check}: {printable(f.message)}")
        if explanation:
            continue
        shown, hidden = shown_evidence(f, EVIDENCE_SHOWN)
        width = len(str(max((e.line for e in shown), default=0)))
        for e in shown:
            out.append(f"    {e.line:>{width}} | {printable(e.text)}")
        if hidden:
            out.append(f"    {'':>{width}} | … {hidden} more line(s)")
    tools = f"; tools: {', '.join(run.tools)}" if run.tools else ""
    if run.steps:
        tools += f"; {run.platform} job, {len(run.steps)} steps"
    out.append(f"{source}: {_paint(run.verdict.value, _VERDICT_COLOR[run.verdict], color)} ({_origin(run)}{tools})")
    return out


def render(report: Report, *, color: bool = False, quiet: bool = False) -> str:
    """The report; with ``color``, severity words and verdicts in ANSI colours; with ``quiet``,
    only the logs with a finding that is not an explanation (``ok``), then the summary of all."""
    lines: list[str] = []
    for run in report.runs:
        if quiet and not any(not (f.kind is Kind.CONSISTENT and f.severity is Severity.INFO) for f in run.findings):
            continue
        lines += _run(report, run, color)
    for bad in report.unreadable:
        lines.append(f"{printable(bad.source)}: {_paint('error', _SEVERITY_COLOR[Severity.ERROR], color)} unreadable: {printable(bad.message)}")
    verdicts = Counter(run.verdict for run in report.runs)
    lowered = Counter((run.verdict, sev) for run in report.runs if (sev := lowered_verdict(run)) is not None)
    parts = verdict_counts(verdicts, lowered)
    if color:
        parts = [p.replace(k.value, _paint(k.value, _VERDICT_COLOR[k], color), 1) for p, k in zip(parts, [k for k in VERDICT_ORDER if verdicts[k]])]
    n = len(report.runs)
    failing = sum(1 for run in report.runs for f in run.findings if report.failing(f))
    tail = f"; {failing} finding(s) at or above {report.fail_on.value}" if failing else ""
    unreadable = f"; {len(report.unreadable)} unreadable" if report.unreadable else ""
    lines.append(f"Audited {n} log{'s' if n != 1 else ''}: {', '.join(parts) or 'none'}{unreadable}{tail}.")
    return "\n".join(lines) + "\n"
