"""Text: one line per finding with its evidence, then the run's verdict; short enough for a CI log.

    build.log:31: error false-success pyinfra/errors-exit-zero: pyinfra reported 1 error but exited 0
        31 | Errors: 1
    build.log: false-success (exit 0 from --exit-code; tools: pyinfra)
"""

from __future__ import annotations

from collections import Counter

from ..model import VERDICT_ORDER, Kind, Report, RunResult, Severity

EVIDENCE_SHOWN = 3
# A log line may hold control characters (a bell, a NUL, a stray CR); show them, never send them
# to the terminal that reads this report.
_PRINTABLE = str.maketrans({c: f"\\x{c:02x}" for c in [*range(32), 127] if c != 9})


def printable(text: str) -> str:
    return text.translate(_PRINTABLE)


def _origin(run: RunResult) -> str:
    es = run.exit_status
    if not es.known:
        return "exit status unknown"
    return f"{es.describe()} from {es.where or es.origin.value}"


def _run(report: Report, run: RunResult) -> list[str]:
    out: list[str] = []
    source = printable(run.source)
    for f in run.findings:
        where = f"{source}:{f.line}" if f.line is not None else source
        explanation = f.kind is Kind.CONSISTENT and f.severity is Severity.INFO
        label = "ok" if explanation else f"{f.severity.value} {f.kind.value}"
        out.append(f"{where}: {label} {f.check}: {printable(f.message)}")
        if explanation:
            continue
        width = len(str(max((e.line for e in f.evidence), default=0)))
        for e in f.evidence[:EVIDENCE_SHOWN]:
            out.append(f"    {e.line:>{width}} | {printable(e.text)}")
        if len(f.evidence) > EVIDENCE_SHOWN:
            out.append(f"    {'':>{width}} | … {len(f.evidence) - EVIDENCE_SHOWN} more line(s)")
    tools = f"; tools: {', '.join(run.tools)}" if run.tools else ""
    out.append(f"{source}: {run.verdict.value} ({_origin(run)}{tools})")
    return out


def render(report: Report) -> str:
    lines: list[str] = []
    for run in report.runs:
        lines += _run(report, run)
    verdicts = Counter(run.verdict for run in report.runs)
    parts = [f"{verdicts[k]} {k.value}" for k in VERDICT_ORDER if verdicts[k]]
    n = len(report.runs)
    failing = sum(1 for run in report.runs for f in run.findings if report.failing(f))
    tail = f"; {failing} finding(s) at or above {report.fail_on.value}" if failing else ""
    lines.append(f"Audited {n} log{'s' if n != 1 else ''}: {', '.join(parts)}{tail}.")
    return "\n".join(lines) + "\n"
