"""GitHub Actions: workflow-command annotations (``render``) and a job summary (``step_summary``).

``render`` prints one ``::error`` or ``::warning`` line per shown finding at that severity
(every mismatch, and a ``consistent`` finding only when it fails the run; info findings are not
annotated)::

    ::error file=runs/deploy.log,line=29,title=exitaudit false-success%3A Errors …::pyinfra reported …

GitHub shows at most 10 error and 10 warning annotations per step, so findings are ranked
(errors before warnings; then false-success, wrong-code and the rest in verdict order; then run
and finding order) and the first 10 of each type are printed; when there are more, one
``::notice`` line counts the rest. No finding prints nothing.

Values are escaped exactly as @actions/core does (``escapeData``, ``escapeProperty``). Before that,
control characters in finding text (NUL, BEL, a stray CR or LF) are shown as ``\\xNN``: the runner
reads commands line by line and would otherwise end or garble the command there.

``step_summary`` is Markdown for ``$GITHUB_STEP_SUMMARY``: a table of the audited logs, then the
shown findings with their evidence, most important first, cut with a note before GitHub's 1 MiB
limit (counted in UTF-8 bytes).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from ..model import KIND_ORDER, VERDICT_ORDER, Finding, Report, RunResult, Severity, Unreadable, lowered_verdict, verdict_counts
from .sarif import STDIN, UNREADABLE_CHECK, reported
from .text import printable, shown_evidence

ANNOTATIONS_PER_TYPE = 10
"""GitHub's limit per step, for each of error and warning."""
COMMANDS: dict[Severity, str] = {Severity.ERROR: "error", Severity.WARNING: "warning"}
TITLE_MAX = 255
"""Characters; the checks API's limit for an annotation title."""
MESSAGE_MAX = 4096
"""Characters before escaping; well under the checks API's 64 KB per annotation message."""
EVIDENCE_SHOWN = 3

SUMMARY_LIMIT = 1024 * 1024
"""GitHub's limit for one step's summary, in bytes."""
SUMMARY_EVIDENCE_SHOWN = 10
SUMMARY_LINE_MAX = 1000


# --- workflow commands, as @actions/core writes them (toolkit packages/core/src/command.ts) -----


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, str], message: str) -> str:
    """``::name key=value,...::message``; like @actions/core, empty values are left out."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items() if value)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ranked(report: Report, severities: Iterable[Severity] = tuple(Severity)) -> list[tuple[RunResult, Finding]]:
    """Shown findings at the given severities, most important first: by severity, then kind in
    verdict order (false-success, wrong-code, ...), then run and finding order."""
    wanted = set(severities)
    items = [
        (i, j, run, f)
        for i, run in enumerate(report.runs)
        for j, f in enumerate(run.findings)
        if f.severity in wanted and reported(report, f)
    ]
    items.sort(key=lambda t: (-t[3].severity.rank, KIND_ORDER.index(t[3].kind), t[0], t[1]))
    return [(run, f) for _, _, run, f in items]


def annotation(run: RunResult, finding: Finding) -> str:
    properties: dict[str, str] = {}
    if run.source != STDIN:
        properties["file"] = printable(run.source)
        if finding.line is not None:
            properties["line"] = str(finding.line)
    properties["title"] = _cut(printable(f"exitaudit {finding.kind.value}: {finding.title}"), TITLE_MAX)
    lines = [printable(f"{finding.message} [{finding.check}]")]
    shown, hidden = shown_evidence(finding, EVIDENCE_SHOWN)
    width = len(str(max((e.line for e in shown), default=0)))
    lines += [f"  {e.line:>{width}} | {_cut(printable(e.text), 300)}" for e in shown]
    if hidden:
        lines.append(f"  {'':>{width}} | … {hidden} more line(s)")
    lines += [f"see {printable(ref)}" for ref in finding.references]
    return command(COMMANDS[finding.severity], properties, _cut("\n".join(lines), MESSAGE_MAX))


def _count(n: int, word: str) -> str:
    return f"{n} more {word}{'s' if n != 1 else ''}"


def _unreadable_annotation(bad: Unreadable) -> str:
    properties = {"file": printable(bad.source)} if bad.source != STDIN else {}
    properties["title"] = "exitaudit: log not audited"
    return command("error", properties, printable(f"cannot read the log: {bad.message} [{UNREADABLE_CHECK}]"))


def render(report: Report) -> str:
    # Unreadable logs first: they are never hidden behind the limit of 10 annotations.
    out: list[str] = [_unreadable_annotation(bad) for bad in report.unreadable]
    hidden: Counter[Severity] = Counter()
    for severity in (Severity.ERROR, Severity.WARNING):
        items = ranked(report, (severity,))
        room = ANNOTATIONS_PER_TYPE - (len(report.unreadable) if severity is Severity.ERROR else 0)
        items, rest = items[: max(room, 0)], items[max(room, 0):]
        out += [annotation(run, f) for run, f in items]
        hidden[severity] = len(rest)
    if hidden[Severity.ERROR] or hidden[Severity.WARNING]:
        parts = [_count(hidden[s], COMMANDS[s]) for s in (Severity.ERROR, Severity.WARNING) if hidden[s]]
        out.append(
            command(
                "notice",
                {"title": "exitaudit"},
                f"{' and '.join(parts)} not shown (GitHub shows {ANNOTATIONS_PER_TYPE} of each per step); see the full report",
            )
        )
    return "".join(line + "\n" for line in out)


# --- job summary (Markdown) ---------------------------------------------------------------------

_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
_URL = re.compile(r"^https?://[^\s<>\\`]+$")


def md(text: str) -> str:
    """Inline Markdown that shows ``text`` as it is: control characters as ``\\xNN``, and every
    ASCII punctuation character backslash-escaped (CommonMark and GFM treat them as literals:
    no emphasis, link, HTML tag or table cell boundary)."""
    return _PUNCT.sub(r"\\\1", printable(text))


def _code(text: str) -> str:
    """An inline code span, or escaped text when the span could not hold ``text`` as it is."""
    return f"`{text}`" if text and printable(text) == text and "`" not in text and "|" not in text else md(text)


def _link(ref: str) -> str:
    return f"<{ref}>" if _URL.match(ref) else md(ref)


def _code_block(lines: list[str]) -> list[str]:
    # Every line starts with a line number (or spaces and "|"), so no line of a log can close
    # the fence, whatever backticks it holds.
    return ["```text", *lines, "```"]


def _exit(run: RunResult) -> str:
    es = run.exit_status
    if not es.known:
        return "unknown"
    return f"{es.describe()} ({es.where or es.origin.value})"


def _finding_section(report: Report, run: RunResult, finding: Finding) -> str:
    where = f"{md(run.source)}, line {finding.line}" if finding.line is not None else md(run.source)
    gate = " (fails the run)" if report.failing(finding) else ""
    out = [
        f"#### {finding.severity.value}: {finding.kind.value}: {md(finding.title)}",
        "",
        f"{_code(finding.check)}{gate} in {where}: {md(finding.message)}",
        "",
    ]
    if finding.evidence:
        picked, hidden = shown_evidence(finding, SUMMARY_EVIDENCE_SHOWN)
        width = len(str(max(e.line for e in picked)))
        shown = [f"{e.line:>{width}} | {_cut(printable(e.text), SUMMARY_LINE_MAX)}" for e in picked]
        if hidden:
            shown.append(f"{'':>{width}} | … {hidden} more line(s)")
        out += [*_code_block(shown), ""]
    if finding.references:
        out += ["See " + ", ".join(_link(r) for r in finding.references), ""]
    return "\n".join(out) + "\n"


def _chunks(report: Report, items: list[tuple[RunResult, Finding]]) -> Iterable[tuple[str, str]]:
    """(what, Markdown) in the order they are written; ``what`` is run, finding or other."""
    verdicts = Counter(run.verdict for run in report.runs)
    lowered = Counter((run.verdict, sev) for run in report.runs if (sev := lowered_verdict(run)) is not None)
    n = len(report.runs)
    parts = ", ".join(verdict_counts(verdicts, lowered))
    failing = sum(1 for run in report.runs for f in run.findings if report.failing(f))
    tail = f"; {failing} finding(s) at or above {report.fail_on.value}" if failing else ""
    unreadable = f"; {len(report.unreadable)} unreadable" if report.unreadable else ""
    yield "other", f"## exitaudit\n\nAudited {n} log{'s' if n != 1 else ''}: {parts or 'none'}{unreadable}{tail}.\n\n"
    for bad in report.unreadable:
        yield "other", f"- **error**: {md(bad.source)} could not be read: {md(bad.message)}\n"
    if report.unreadable:
        yield "other", "\n"
    if report.runs:
        yield "other", "| Log | Exit status | Tools | Verdict |\n|---|---|---|---|\n"
        for run in report.runs:
            tools = ", ".join(run.tools) if run.tools else "none"
            yield "run", f"| {md(run.source)} | {md(_exit(run))} | {md(tools)} | {run.verdict.value} |\n"
        yield "other", "\n"
    if items:
        yield "other", "### Findings\n\n"
        for run, finding in items:
            yield "finding", _finding_section(report, run, finding)
    else:
        yield "other", "No findings.\n"


def step_summary(report: Report) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``, under GitHub's 1 MiB (UTF-8 bytes)."""
    items = ranked(report)
    reserve = 1024  # room for the note below
    out: list[str] = []
    size = 0
    left = Counter({"run": len(report.runs), "finding": len(items)})
    truncated = False
    for what, chunk in _chunks(report, items):
        n = len(chunk.encode("utf-8"))
        if size + n > SUMMARY_LIMIT - reserve:
            truncated = True
            break
        out.append(chunk)
        size += n
        left[what] -= 1
    if truncated:
        parts = [f"{left['finding']} finding(s)"]
        if left["run"]:
            parts.insert(0, f"{left['run']} log(s)")
        out.append(
            f"\n> **Summary cut at GitHub's 1 MiB limit:** {' and '.join(parts)} not shown; see the full report.\n"
        )
    return "".join(out)

