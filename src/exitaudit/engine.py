"""The engine: a pure function from (log, exit status, rules) to a RunResult.

Scanning. Each distinct pattern of the rule set is searched across a whole block of text at a
time (the regex engine loops in C, not Python per line), and a hit is then pinned to its line:
a pattern is matched against one line at a time, so a block-level hit that spans a newline is
confirmed by searching its first line alone. Every search runs under a time limit: a pattern that
hits it is dropped for the rest of the log and the checks that need it are reported as skipped,
so no rule file can hang an audit.

Evaluating. After the scan, each detected tool's signals have values; each check's condition (CEL)
is evaluated over them and the exit status, and the findings decide the run's verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex

from .errors import UsageError
from .model import (
    DEFAULT_SEVERITY,
    VERDICT_ORDER,
    CheckOutcome,
    Evidence,
    ExitStatus,
    Finding,
    InputStats,
    Kind,
    Origin,
    Outcome,
    RunResult,
)
from .reader import Block
from .rules import REGEX_FLAGS, Check, RuleFile, RuleSet, Signal, render_message

REGEX_TIMEOUT = 2.0
"""Seconds one search of one block may take; real patterns take milliseconds."""
EVIDENCE_PER_SIGNAL = 5
EVIDENCE_PER_FINDING = 10
EVIDENCE_TEXT_MAX = 400
ALL_VALUES_MAX = 1000
"""A signal with value = "all" keeps at most this many values, so memory stays bounded."""


# --------------------------------------------------------------------------------------------
# Per-run state


@dataclass
class _SignalState:
    signal: Signal
    count: int = 0
    value: Any = None
    evidence: list[Evidence] = field(default_factory=list)
    first_line: int | None = None
    last_line: int | None = None
    # followed_by: the latest head line not yet paired, and this block's heads and tails.
    pending_head: Evidence | None = None
    heads: list[Evidence] = field(default_factory=list)
    tails: list[Evidence] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.value = self.signal.default()

    def _convert(self, raw: str | None) -> Any:
        if raw is None:
            return None
        if self.signal.type == "int":
            try:
                return int(raw.replace(",", "").replace("_", ""))
            except ValueError:
                return None
        return raw

    def hit(self, ev: Evidence, match: regex.Match[str]) -> None:
        sig = self.signal
        if sig.followed_by is not None:
            self.heads.append(ev)
            return
        mode = sig.value
        raw = match.group(sig.group) if sig.group else None
        if mode in ("first", "last", "sum", "max", "min", "all"):
            val = self._convert(raw)
            if val is None:
                return  # the group did not take part, or is not a number
        else:
            val = None
        if self.first_line is None:
            self.first_line = ev.line
        self.last_line = ev.line
        self.count += 1
        if mode == "count":
            self.value = self.count
        elif mode == "present":
            self.value = True
        elif mode == "first":
            if self.count == 1:
                self.value = val
        elif mode == "last":
            self.value = val
            self.evidence = [ev]
            return
        elif mode == "sum":
            self.value += val
        elif mode in ("max", "min"):
            better = self.count == 1 or (val > self.value if mode == "max" else val < self.value)
            if better:
                self.value = val
                self.evidence = [ev]
            return
        elif mode == "all" and len(self.value) < ALL_VALUES_MAX:
            self.value.append(val)
        if len(self.evidence) < EVIDENCE_PER_SIGNAL:
            self.evidence.append(ev)

    def tail(self, ev: Evidence) -> None:
        self.tails.append(ev)

    def end_block(self) -> None:
        """Pair this block's heads and tails in line order (they arrive pattern by pattern)."""
        if self.signal.followed_by is None or not (self.heads or self.tails):
            return
        # A tail before a head on the same line must not pair with that head: tails sort first.
        events = sorted([(e.line, 0, e) for e in self.tails] + [(e.line, 1, e) for e in self.heads], key=lambda t: (t[0], t[1]))
        for line, is_head, ev in events:
            if is_head:
                self.pending_head = ev
            elif self.pending_head is not None and 0 < line - self.pending_head.line <= self.signal.within:
                head, self.pending_head = self.pending_head, None
                if self.first_line is None:
                    self.first_line = head.line
                self.last_line = line
                self.count += 1
                self.value = True if self.signal.value == "present" else self.count
                if len(self.evidence) < EVIDENCE_PER_SIGNAL:
                    self.evidence += [head, ev]
        self.heads.clear()
        self.tails.clear()


@dataclass
class _ToolState:
    rule: RuleFile
    detect_hits: int = 0
    detect_evidence: Evidence | None = None
    exit_hit: tuple[Evidence, int] | None = None
    signals: dict[str, _SignalState] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# The compiled plan: every distinct pattern once, with who consumes its hits


@dataclass(frozen=True)
class _Use:
    role: str  # "detect" | "exit" | "signal" | "tail"
    tool: str
    name: str = ""
    code: int | None = None


class Engine:
    """A rule set compiled for scanning. Build once, audit many logs."""

    def __init__(
        self,
        rules: RuleSet,
        *,
        regex_timeout: float = REGEX_TIMEOUT,
        params: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.rules = rules
        self.regex_timeout = regex_timeout
        self.params = {rf.tool: rf.param_values((params or {}).get(rf.tool)) for rf in rules}
        self._index: dict[str, int] = {}
        self._patterns: list[regex.Pattern[str]] = []
        self._uses: list[list[_Use]] = []
        for rf in rules:
            for pat in rf.detect:
                self._add(pat, _Use("detect", rf.tool))
            for esp in rf.exit_status:
                self._add(esp.pattern, _Use("exit", rf.tool, code=esp.code))
            for name, sig in rf.signals.items():
                if sig.pattern is not None:
                    self._add(sig.pattern, _Use("signal", rf.tool, name))
                if sig.followed_by is not None:
                    self._add(sig.followed_by, _Use("tail", rf.tool, name))

    def _add(self, pattern: str, use: _Use) -> None:
        idx = self._index.get(pattern)
        if idx is None:
            idx = self._index[pattern] = len(self._patterns)
            self._patterns.append(regex.compile(pattern, REGEX_FLAGS))
            self._uses.append([])
        self._uses[idx].append(use)

    # ----------------------------------------------------------------------------------------

    def audit(
        self,
        blocks: Iterable[Block],
        exit_status: ExitStatus,
        *,
        tools: Sequence[str] | None = None,
        source: str = "-",
    ) -> RunResult:
        if tools:
            unknown = [t for t in tools if self.rules.get(t) is None]
            if unknown:
                raise UsageError(
                    f"unknown tool {', '.join(unknown)}; known tools: {', '.join(sorted(self.rules.files))}",
                    where="--tool",
                )
        wanted = set(tools) if tools else None
        states = {rf.tool: _ToolState(rf, signals={n: _SignalState(s) for n, s in rf.signals.items()}) for rf in self.rules if wanted is None or rf.tool in wanted}
        active = [i for i, uses in enumerate(self._uses) if any(u.tool in states for u in uses)]
        timed_out: dict[int, int] = {}  # pattern index -> line where the limit struck
        lines = 0
        bytes_seen = 0
        ended_with_newline = True

        for block in blocks:
            phys = block.text
            if not phys:
                continue
            # A bare CR (progress output) separates the segments of one numbered line: match each
            # segment as a line of its own, keep counting physical lines from `phys`.
            scan = phys.replace("\r", "\n") if "\r" in phys else phys
            for idx in active:
                if idx in timed_out:
                    continue
                stopped = self._scan(idx, phys, scan, block.first_line, states)
                if stopped is not None:
                    timed_out[idx] = stopped
            for st in states.values():
                for ss in st.signals.values():
                    ss.end_block()
            lines = block.first_line + phys.count("\n") - 1
            ended_with_newline = phys.endswith("\n")
            bytes_seen += len(phys)
        if not ended_with_newline:
            lines += 1

        return self._evaluate(states, exit_status, timed_out, source, forced=wanted is not None, lines=lines)

    def _scan(self, idx: int, phys: str, scan: str, first_line: int, states: dict[str, _ToolState]) -> int | None:
        """Search one pattern through one block; returns the line where it timed out, if it did."""
        pattern = self._patterns[idx]
        uses = [u for u in self._uses[idx] if u.tool in states]
        n = len(scan)
        pos = 0
        counted = 0
        line = first_line
        while pos < n:
            try:
                m = pattern.search(scan, pos, timeout=self.regex_timeout)
            except TimeoutError:
                return line + phys.count("\n", counted, pos)
            if m is None:
                return None
            start = m.start()
            seg_start = scan.rfind("\n", 0, start) + 1
            seg_end = scan.find("\n", start)
            if seg_end == -1:
                seg_end = n
            text = scan[seg_start:seg_end]
            if m.end() > seg_end:
                # The block-level hit runs past the end of the line (\s matched a newline):
                # per-line semantics decide, so search the line alone.
                try:
                    m = pattern.search(text, timeout=self.regex_timeout)
                except TimeoutError:
                    return line + phys.count("\n", counted, seg_start)
            if m is not None:
                line += phys.count("\n", counted, seg_start)
                counted = seg_start
                ev = Evidence(line, text if len(text) <= EVIDENCE_TEXT_MAX else text[:EVIDENCE_TEXT_MAX] + "…")
                for use in uses:
                    st = states[use.tool]
                    if use.role == "signal":
                        st.signals[use.name].hit(ev, m)
                    elif use.role == "tail":
                        st.signals[use.name].tail(ev)
                    elif use.role == "detect":
                        st.detect_hits += 1
                        if st.detect_evidence is None:
                            st.detect_evidence = ev
                    else:
                        code = use.code if use.code is not None else _int_or_none(m.groupdict().get("code"))
                        if code is not None and 0 <= code <= 255:
                            st.exit_hit = (ev, code)
            pos = seg_end + 1
        return None

    # ----------------------------------------------------------------------------------------

    def _evaluate(
        self,
        states: dict[str, _ToolState],
        exit_status: ExitStatus,
        timed_out: dict[int, int],
        source: str,
        *,
        forced: bool,
        lines: int,
    ) -> RunResult:
        detected = [t for t, st in sorted(states.items()) if forced or st.detect_hits >= st.rule.min_matches]

        if not exit_status.known:
            hits = [(states[t].exit_hit, t) for t in detected if states[t].exit_hit]
            if hits:
                (ev, code), _tool = max(hits, key=lambda h: h[0][0].line)  # type: ignore[index]
                exit_status = ExitStatus.from_code(code, Origin.LOG, where=f"line {ev.line}", line=ev.line, line_text=ev.text)

        timed_signals: dict[tuple[str, str], int] = {}
        for idx, line in timed_out.items():
            for use in self._uses[idx]:
                if use.role in ("signal", "tail"):
                    timed_signals[(use.tool, use.name)] = line

        findings: list[Finding] = []
        outcomes: list[CheckOutcome] = []
        fired_any = False
        skipped_for_exit = 0
        for tool in detected:
            st = states[tool]
            context = _context(st, exit_status, self.params.get(tool, {}))
            for check in st.rule.checks:
                outcome, finding = self._run_check(check, st, context, exit_status, timed_signals)
                if outcome.outcome is Outcome.SKIPPED and outcome.reason == "exit status unknown":
                    skipped_for_exit += 1
                if finding is not None:
                    findings.append(finding)
                    if outcome.outcome is Outcome.FIRED:
                        fired_any = True
                outcomes.append(outcome)

        if not detected:
            tried = len(self.rules) if not forced else len(states)
            findings.append(_synthetic(
                Kind.NO_COVERAGE,
                "No rule file applies",
                f"no rule file recognised this log ({tried} tried), so its {exit_status.describe()} was not audited",
            ))
        elif not exit_status.known:
            findings.append(_synthetic(
                Kind.EXIT_UNKNOWN,
                "Exit status unknown",
                f"exit status unknown (pass --exit-code or --exit-code-file): {skipped_for_exit} check(s) that need it were skipped",
            ))
        elif exit_status.code != 0 and not fired_any:
            meanings = [f"{t} documents exit {exit_status.code} as {states[t].rule.exit_codes[exit_status.code]!r}" for t in detected if exit_status.code in states[t].rule.exit_codes]
            detail = f" ({'; '.join(meanings)})" if meanings else ""
            evidence = (Evidence(exit_status.line, exit_status.line_text or ""),) if exit_status.line else ()
            findings.append(_synthetic(
                Kind.UNEXPLAINED_FAILURE,
                "Non-zero exit that no rule explains",
                f"{exit_status.describe()}, and no check of {', '.join(detected)} explains it from the log{detail}",
                evidence,
            ))

        kinds = {f.kind for f in findings if f.kind.is_mismatch}
        verdict = next((k for k in VERDICT_ORDER if k in kinds), Kind.CONSISTENT)
        return RunResult(
            source=source,
            exit_status=exit_status,
            tools=tuple(detected),
            verdict=verdict,
            findings=tuple(findings),
            checks=tuple(outcomes),
            stats=InputStats(lines=lines),
        )

    def _run_check(
        self,
        check: Check,
        st: _ToolState,
        context: dict[str, Any],
        exit_status: ExitStatus,
        timed_signals: dict[tuple[str, str], int],
    ) -> tuple[CheckOutcome, Finding | None]:
        def skipped(reason: str, finding: Finding | None = None) -> tuple[CheckOutcome, Finding | None]:
            return CheckOutcome(check.full_id, check.tool, check.title, Outcome.SKIPPED, finding, reason), finding

        if "exit" in check.when.variables and not exit_status.known:
            return skipped("exit status unknown")
        needed = _signals_needed(check, st.rule.signals)
        for name in sorted(needed):
            if (check.tool, name) in timed_signals:
                line = timed_signals[(check.tool, name)]
                finding = _synthetic(
                    Kind.INCOMPLETE,
                    "Pattern exceeded the regex time limit",
                    f"check {check.full_id} skipped: the pattern of signal {name!r} exceeded the regex time limit ({self.regex_timeout:g} s) at line {line}",
                    check=check.full_id,
                    tool=check.tool,
                )
                return skipped(f"regex time limit exceeded by signal {name!r} at line {line}", finding)
        try:
            result = check.when.evaluate(context)
        except Exception as exc:  # noqa: BLE001 - any failure of a condition skips that check only
            finding = _synthetic(
                Kind.INCOMPLETE,
                "Condition failed",
                f"check {check.full_id} skipped: its condition failed: {exc}",
                check=check.full_id,
                tool=check.tool,
            )
            return skipped(f"condition failed: {exc}", finding)
        if result is not True:
            return CheckOutcome(check.full_id, check.tool, check.title, Outcome.PASSED), None
        evidence, primary = _evidence(check, st, exit_status)
        finding = Finding(
            check=check.full_id,
            tool=check.tool,
            kind=check.kind,
            severity=check.severity,
            title=check.title,
            message=render_message(check.message, _template_values(context)),
            evidence=evidence,
            references=check.references,
            line=primary,
        )
        return CheckOutcome(check.full_id, check.tool, check.title, Outcome.FIRED, finding), finding


# --------------------------------------------------------------------------------------------


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _signals_needed(check: Check, signals: dict[str, Signal]) -> set[str]:
    names = {v for v in check.when.variables if v in signals}
    for name in list(names):
        order = signals[name].order
        if order:
            names.update(order)
    return names


def _context(st: _ToolState, exit_status: ExitStatus, params: dict[str, Any]) -> dict[str, Any]:
    ctx: dict[str, Any] = {}
    for name, ss in st.signals.items():
        sig = ss.signal
        if sig.order is not None:
            a, b = (st.signals[n] for n in sig.order)
            ctx[name] = a.first_line is not None and b.last_line is not None and a.first_line < b.last_line
        else:
            ctx[name] = list(ss.value) if isinstance(ss.value, list) else ss.value
    ctx["tool"] = st.rule.tool
    ctx["params"] = params
    if exit_status.known:
        code = exit_status.code
        meaning = st.rule.exit_codes.get(code, "")  # type: ignore[arg-type]
        if not meaning and exit_status.signal:
            meaning = f"killed by {exit_status.signal}"
        ctx["exit"] = {"code": code, "signal": exit_status.signal or "", "known": True, "meaning": meaning or "undocumented"}
    return ctx


def _template_values(context: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in context.items() if k not in ("exit", "params")}
    for root in ("exit", "params"):
        for key, val in context.get(root, {}).items():
            values[f"{root}.{key}"] = val
    return values


def _evidence(check: Check, st: _ToolState, exit_status: ExitStatus) -> tuple[tuple[Evidence, ...], int | None]:
    """The lines a finding cites, in line order, and the one it points at: the first hit of the
    first signal named in ``evidence`` (a check lists its main signal first)."""
    lines: dict[int, Evidence] = {}
    primary: int | None = None
    for name in check.evidence:
        ss = st.signals[name]
        if ss.signal.order is not None:
            a, b = (st.signals[n] for n in ss.signal.order)
            picks = [e for e in a.evidence[:1] + b.evidence[-1:]]
        else:
            picks = ss.evidence
        for ev in picks:
            lines.setdefault(ev.line, ev)
            if primary is None:
                primary = ev.line
    if exit_status.origin is Origin.LOG and exit_status.line and "exit" in check.when.variables:
        lines.setdefault(exit_status.line, Evidence(exit_status.line, exit_status.line_text or ""))
        if primary is None:
            primary = exit_status.line
    kept = sorted(lines)[:EVIDENCE_PER_FINDING]
    if primary is not None and primary not in kept:
        kept = sorted([primary, *kept[:-1]])
    return tuple(lines[n] for n in kept), primary


def _synthetic(
    kind: Kind,
    title: str,
    message: str,
    evidence: tuple[Evidence, ...] = (),
    *,
    check: str | None = None,
    tool: str = "exitaudit",
) -> Finding:
    return Finding(
        check=check or f"exitaudit/{kind.value}",
        tool=tool,
        kind=kind,
        severity=DEFAULT_SEVERITY[kind],
        title=title,
        message=message,
        evidence=evidence,
        line=evidence[0].line if evidence else None,
    )


# --------------------------------------------------------------------------------------------


def blocks_of(text: str | bytes) -> list[Block]:
    """A small in-memory log as blocks, cleaned as the readers clean files (for tests and examples)."""
    from .reader import strip_ansi

    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = strip_ansi(text).replace("\r\n", "\n")
    return [Block(text, 1)] if text else []


def audit(
    log: str | bytes | Iterable[Block],
    exit_status: ExitStatus | int | None,
    rules: RuleSet,
    *,
    tools: Sequence[str] | None = None,
    source: str = "-",
) -> RunResult:
    """Audit one log against its exit status: the library's entry point.

    ``log`` is the text itself (str or bytes) or blocks from ``LogSource.blocks()``;
    ``exit_status`` an ExitStatus, a plain code, or None for unknown.
    """
    if isinstance(exit_status, int):
        exit_status = ExitStatus.from_code(exit_status, Origin.FLAG, where="argument")
    elif exit_status is None:
        exit_status = ExitStatus.unknown()
    blocks = blocks_of(log) if isinstance(log, str | bytes) else log
    return Engine(rules).audit(blocks, exit_status, tools=tools, source=source)
