"""A CI job log, audited step by step: each step against the status its platform recorded for it.

Between the reader and the engine: the envelope is removed (envelope.py), the job is cut into
steps where the platform marks them (platforms.py), and each step is scanned on its own
(Engine.begin/feed/end), so a step's tools are detected in its own lines and judged against the
step's own exit status: the `##[error]Process completed with exit code N.` that closes a GitHub
step, Travis' `The command "X" exited with N.`, Azure's `Bash exited with code 'N'.`; a step
without one that was followed by another step succeeded. The platform's own rule file (its
job-level checks) reads the whole job once, against the job's status. The job's verdict is the
worst of its steps'.

A log no CI platform wrapped is handed to the engine unchanged. A job log with no step markers is
one step: the report is the one the engine alone would give.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, Any

from . import envelope
from .model import (
    VERDICT_ORDER,
    CheckOutcome,
    Evidence,
    ExitStatus,
    Finding,
    InputStats,
    Kind,
    Origin,
    RunResult,
    StepResult,
)
from .platforms import MARKERS, StepMarkers
from .reader import Block

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Engine, Scan

_ACTION_STEP = re.compile(r"^Run (?:[\w.-]+/[\w./-]*@[\w./-]+|docker://\S+)$|^Post job cleanup$")
"""GitHub steps that run an action (whose failure is an `##[error]` line, no exit code)."""
_NO_PIPEFAIL = re.compile(r"^(?:/usr/bin/)?(?:ba)?sh -e \{0\}$|^(?:/usr/bin/)?sh -e \{0\}$")
"""GitHub's default shells: `bash -e {0}` (no pipefail) and `sh -e {0}`."""
_CLOSERS = frozenset({"step_code", "step_end", "step_fail", "step_close", "pending_code", "job_code", "job_fail", "job_ok", "job_end"})
"""Platform lines that end a step's own output: what follows until the next step is the
platform's, so a tool's "the log ends with ..." sees the step's end as its log's end."""
_MASKING = re.compile(r"(?<!\|)\|(?!\|)|\|\|\s*(?:true|:)\s*$")
"""A pipeline (its status is its last command's) or `|| true`."""


def audit_job(
    engine: Engine,
    blocks: Iterable[Block],
    exit_status: ExitStatus,
    *,
    tools: Sequence[str] | None = None,
    source: str = "-",
    size_hint: int | None = None,
    checks: bool = True,
    platform: str | None = None,
) -> RunResult:
    """Audit one log: through its CI envelope and steps when it has one (``platform``: None or
    "auto" detects it, "none" reads the log as it is, a name says which)."""
    it = iter(blocks)
    first = next(it, None)
    if first is None:
        if platform not in (None, "auto", "none"):
            envelope.named(platform)  # an unknown name is an error, empty log or not
        return engine.audit([], exit_status, tools=tools, source=source, size_hint=size_hint, checks=checks)
    env = envelope.resolve(platform, first.data)
    rest: Iterator[Block] = chain((first,), it)
    if env is None:
        return engine.audit(rest, exit_status, tools=tools, source=source, size_hint=size_hint, checks=checks)
    return _Job(engine, env, tools, checks).run(rest, exit_status, source)


# --------------------------------------------------------------------------------------------


@dataclass
class _Event:
    kind: str
    line: int
    code: int | None
    text: str


@dataclass
class _Step:
    name: str
    first_line: int
    scan: Scan
    last_line: int = 0
    events: list[_Event] = field(default_factory=list)
    shell: _Event | None = None

    def last(self, *kinds: str) -> _Event | None:
        """The step's last event of these kinds; of exit codes, the last non-zero one."""
        found = [e for e in self.events if e.kind in kinds]
        failed = [e for e in found if e.code]
        return (failed or found)[-1] if found else None


def _sub_engine(engine: Engine, keep: Any, key: str) -> Engine | None:
    """An engine over some of ``engine``'s rule files, with its parameters; cached on it."""
    cache = engine.__dict__.setdefault("_step_engines", {})
    if key not in cache:
        from .engine import Engine as _Engine
        from .rules import RuleSet

        files = {rf.tool: rf for rf in engine.rules if keep(rf.tool)}
        if not files:
            cache[key] = None
        else:
            sub = _Engine(RuleSet(files), regex_timeout=engine.regex_timeout, fast=engine.fast)
            sub.params = {t: engine.params[t] for t in files}
            sub.profile = engine.profile  # --profile: one table for the job's engines
            cache[key] = sub
    return cache[key]


class _Job:
    def __init__(self, engine: Engine, env: envelope.Envelope, tools: Sequence[str] | None, checks: bool) -> None:
        self.env = env
        self.markers: StepMarkers = MARKERS[env.platform]
        platforms = set(MARKERS)
        self.platform_engine = _sub_engine(engine, lambda t: t == env.platform, "platform:" + env.platform)
        self.step_engine = _sub_engine(engine, lambda t: t not in platforms, "steps")
        self.engine = engine
        self.checks = checks
        wanted = list(tools) if tools else None
        self.step_tools = [t for t in wanted if t not in platforms] if wanted else None
        if wanted is not None:
            engine.begin(wanted)  # an unknown --tool is refused here, as without an envelope
        # The envelope layer has recognised the platform: its rule file applies, detected or not.
        self.job_scan = self.platform_engine.begin([env.platform]) if self.platform_engine is not None and (wanted is None or env.platform in wanted) else None
        self.steps: list[_Step] = []
        self.job_events: list[_Event] = []
        self.stage = ""
        self.originals: dict[int, str] = {}
        self.lines = 0
        self.bytes = 0
        self.start_texts: dict[int, str] = {}
        """Each step's first line, as the rules read it (a step's command, for evidence)."""
        self.closed = False
        """The current step's own output has ended (a closing line, see _CLOSERS)."""

    # ---- reading

    def _new_step(self, name: str, line: int) -> _Step:
        if self.steps and self.steps[-1].first_line == line and not self.steps[-1].events:
            self.steps.pop()  # the lines before the first marker: none
        if self.steps:
            self.steps[-1].last_line = line - 1
        scan = self.step_engine.begin(self.step_tools) if self.step_engine is not None else None
        step = _Step(name, line, scan)  # type: ignore[arg-type]
        self.steps.append(step)
        return step

    def run(self, blocks: Iterator[Block], exit_status: ExitStatus, source: str) -> RunResult:
        line = 1
        ends_open = False
        for raw in blocks:
            if not raw.data:
                continue
            first = raw.first_line or line
            block = self.env.unwrap(Block(raw.data, first))
            self._read(block, raw)
            self.bytes += len(raw.data)
            line = first + raw.data.count(b"\n")
            ends_open = not raw.data.endswith(b"\n")
        self.lines = line - 1 + ends_open
        if not self.steps:
            self._new_step(self.markers.first_step, 1)
        self.steps[-1].last_line = max(self.lines, self.steps[-1].first_line)
        return self._result(exit_status, source)

    def _read(self, block: Block, raw: Block) -> None:
        data, first = block.data, block.first_line
        marks: list[tuple[int, int, str, re.Match[bytes]]] = []  # (pos, order, kind, match)
        if self.markers.start is not None:
            for m in _lines_matching(self.markers.start, data):
                marks.append((m.start(), 0, "start", m))
        for kind, pattern in self.markers.events:
            for m in _lines_matching(pattern, data):
                marks.append((m.start(), 1, kind, m))
        marks.sort(key=lambda t: (t[0], t[1]))
        if not self.steps:
            self._new_step(self.markers.first_step, first)
        fed_from, fed_line, pos, line = 0, first, 0, first
        if self.closed:
            fed_from = len(data)
        seen_lines: set[tuple[int, str]] = set()
        for at, _order, kind, m in marks:
            line += data.count(b"\n", pos, at)
            pos = at
            if kind == "start":
                if m.group("shebang") if "shebang" in m.re.groupindex else False:
                    cur = self.steps[-1]
                    if cur.first_line == line - 1 and cur.name != self.markers.first_step:
                        continue  # the shell line of the step just named
                if fed_from < at:
                    self._feed(data, fed_from, at, fed_line)
                fed_from, fed_line = at, line
                self._new_step(self._step_name(m), line)
                self.start_texts[line] = _decode(data[at:data.find(b"\n", at) if data.find(b"\n", at) != -1 else len(data)])[0]
                self.closed = False
                continue
            if (line, kind) in seen_lines:
                continue
            seen_lines.add((line, kind))
            self._event(kind, line, m)
            if kind in _CLOSERS and not self.closed and line != self.steps[-1].first_line:
                self._feed(data, fed_from, at, fed_line)
                fed_from, self.closed = len(data), True  # nothing more for this step's scan
        if fed_from < len(data):
            self._feed(data, fed_from, len(data), fed_line)
        if self.job_scan is not None:
            self.platform_engine.feed(self.job_scan, [block])  # type: ignore[union-attr]
        if raw.data is not block.data:
            self._keep_originals(block, raw)

    def _feed(self, data: bytes, start: int, end: int, first_line: int) -> None:
        step = self.steps[-1]
        if end > start and step.scan is not None:
            self.step_engine.feed(step.scan, [Block(data[start:end], first_line)])  # type: ignore[union-attr]

    def _step_name(self, m: re.Match[bytes]) -> str:
        groups = {k: v for k, v in m.groupdict().items() if v is not None}
        if "post" in groups:
            return "Post job cleanup"
        if "shebang" in groups:
            return groups["shebang"].decode()
        name = (groups.get("name") or groups.get("free") or groups.get("wrapped") or b"step").decode("utf-8", "replace").strip()
        if self.env.platform == "jenkins" and self.stage:
            return f"{self.stage}: {name}"
        return name

    def _event(self, kind: str, line: int, m: re.Match[bytes]) -> None:
        groups = m.groupdict()
        raw_code = groups.get("code") or groups.get("code2")
        code = int(raw_code) if raw_code is not None else None
        if code is not None and not 0 <= code <= 255:
            code = None
            kind = {"step_code": "step_fail", "pending_code": "step_fail", "job_code": "job_fail"}.get(kind, kind)
        end = m.string.find(b"\n", m.start())
        text = m.string[m.string.rfind(b"\n", 0, m.start()) + 1 : None if end == -1 else end]
        from .reader import clean

        ev = _Event(kind, line, code, clean(text).decode("utf-8", "replace").rstrip("\r"))
        if kind == "stage":
            self.stage = (groups.get("text") or b"").decode("utf-8", "replace")
        elif kind == "shell":
            if self.steps[-1].shell is None:
                self.steps[-1].shell = _Event(kind, line, None, (groups.get("text") or b"").decode("utf-8", "replace"))
        elif kind.startswith("job"):
            self.job_events.append(ev)
        elif kind == "pending_code":
            target = next((s for s in reversed(self.steps) if s.last("step_code", "step_fail") is None and s.first_line > 0 and s is not self.steps[0]), self.steps[-1])
            ev.kind = "step_code"
            target.events.append(ev)
        else:
            self.steps[-1].events.append(ev)

    def _keep_originals(self, block: Block, raw: Block) -> None:
        """The original text of every line some scan keeps as evidence, from this block."""
        first, last = block.first_line, block.first_line + block.data.count(b"\n")
        shells = [s.shell.line for s in self.steps[-64:] if s.shell is not None] + [s.first_line for s in self.steps[-64:]]
        wanted = {ln for scan in self._scans() for ln in chain(_evidence_lines(scan), shells) if first <= ln <= last and ln not in self.originals}
        if not wanted:
            return
        lines = raw.data.split(b"\n")
        for ln in wanted:
            k = ln - first
            if 0 <= k < len(lines):
                text, _bad = _decode(lines[k])
                self.originals[ln] = text

    def _scans(self) -> Iterator[Scan]:
        if self.job_scan is not None:
            yield self.job_scan
        for step in self.steps[-64:]:  # the steps a block can reach
            if step.scan is not None:
                yield step.scan

    # ---- statuses

    def _step_statuses(self) -> list[ExitStatus]:
        steps, job = self.steps, self.job_events
        script_steps = self.markers.script_steps
        job_code = _last(job, "job_code")
        job_fail = _last(job, "job_fail")
        if job_code is not None or job_fail is not None:
            # A job-level failure belongs to the step that ran the job's script (GitLab).
            ev = job_code or job_fail
            owners = [s for s in steps if script_steps is not None and script_steps.fullmatch(s.name)]
            owner = owners[-1] if owners else (steps[-1] if script_steps is not None else None)
            if owner is not None and owner.last("step_code", "step_fail") is None:
                owner.events.append(_Event("step_code" if ev.code is not None else "step_fail", ev.line, ev.code, ev.text))  # type: ignore[union-attr]
        job_ok = _last(job, "job_ok")
        job_end = _last(job, "job_end")
        out = []
        for i, step in enumerate(steps):
            code_ev = step.last("step_code")
            # An `##[error]` fails an action's step, and the job's set-up (a deprecated action,
            # a missing one); a `run:` step may print one and still succeed.
            runner_step = _ACTION_STEP.match(step.name) or (i == 0 and step.name == self.markers.first_step == "Set up job")
            fail_ev = step.last("step_fail") or (step.last("action_error") if runner_step else None)
            end_ev = step.last("step_end")
            if code_ev is not None:
                out.append(_from_log(code_ev))
            elif fail_ev is not None:
                out.append(ExitStatus(None, origin=Origin.LOG, where=f"line {fail_ev.line}", line=fail_ev.line, line_text=fail_ev.text, failed=True))
            elif end_ev is not None:
                out.append(_inferred(f"line {end_ev.line}: the step finished with no error"))
            elif i + 1 < len(steps):
                out.append(_inferred(f"followed by step {steps[i + 1].name!r} (line {steps[i + 1].first_line})"))
            elif job_ok is not None and job_code is None and job_fail is None:
                out.append(dataclasses.replace(_from_log(_Event("", job_ok.line, 0, job_ok.text)), inferred=True, where=f"line {job_ok.line}: the job succeeded"))
            elif job_end is not None and job_fail is None and job_code is None:
                out.append(_inferred(f"the job reached its cleanup (line {job_end.line})"))
            else:
                out.append(ExitStatus.unknown())
        return out

    def _job_status(self, step_statuses: list[ExitStatus]) -> ExitStatus:
        job = self.job_events
        job_code, job_fail, job_ok, job_end = (_last(job, k) for k in ("job_code", "job_fail", "job_ok", "job_end"))
        failing = [s for s in step_statuses if s.known and s.code != 0]
        if job_code is not None:
            return _from_log(job_code)
        if job_fail is not None:
            if failing:
                return failing[-1]
            return ExitStatus(None, origin=Origin.LOG, where=f"line {job_fail.line}", line=job_fail.line, line_text=job_fail.text, failed=True)
        if job_ok is not None:
            return _from_log(_Event("", job_ok.line, 0, job_ok.text))
        if failing:
            return failing[-1]
        failed = [s for s in step_statuses if s.failed]
        if failed:
            return failed[-1]
        if job_end is not None:
            return _inferred(f"the job reached its cleanup (line {job_end.line}) with no failed step")
        closed = bool(self.steps) and self.steps[-1].last("step_end", "step_code") is not None
        if step_statuses and all(s.known for s in step_statuses) and closed:
            # Every step recorded its end (Azure's `Finishing:`, TeamCity's exit code) and none failed.
            last = self.steps[-1].last("step_end", "step_code")
            return _inferred(f"every step finished with no error, the last at line {last.line}")  # type: ignore[union-attr]
        return ExitStatus.unknown()

    # ---- the result

    def _result(self, given: ExitStatus, source: str) -> RunResult:
        step_statuses = self._step_statuses()
        read = self._job_status(step_statuses)
        job_status = given if given.known else read
        if step_statuses and not step_statuses[-1].known and not step_statuses[-1].failed and (job_status.known or job_status.failed):
            # The last step recorded nothing (a log cut short, a platform that prints the job's
            # status only): it is the step that ended the job, so the job's status is its own.
            step_statuses[-1] = dataclasses.replace(job_status, inferred=True, where=f"the job's status ({job_status.where or job_status.origin.value}), its last step")
        one_step = len(self.steps) == 1
        if one_step:
            step_statuses = [job_status]
        job_run = None
        if self.job_scan is not None:
            job_run = self.platform_engine.end(self.job_scan, job_status if job_status.known else ExitStatus.unknown(), source, checks=self.checks)  # type: ignore[union-attr]
        step_runs = []
        for step, status in zip(self.steps, step_statuses, strict=True):
            if step.scan is None:
                continue
            run = self.step_engine.end(step.scan, status if status.known else ExitStatus.unknown(), source, checks=self.checks)  # type: ignore[union-attr]
            if self.step_tools and not one_step and not _any_hit(step.scan):
                # --tool forces the tools on the job, not on each step: a step where they left
                # no trace (a checkout) is not audited as theirs.
                run = dataclasses.replace(run, tools=(), findings=(), checks=(), verdict=Kind.CONSISTENT)
            step_runs.append((step, status, run))
        return self._combine(job_run, step_runs, job_status, source, one_step)

    def _combine(self, job_run: RunResult | None, step_runs: list[tuple[_Step, ExitStatus, RunResult]], job_status: ExitStatus, source: str, one_step: bool) -> RunResult:
        job_fired = job_run is not None and any(not f.check.startswith("exitaudit/") for f in job_run.findings)
        findings: list[Finding] = []
        outcomes: list[CheckOutcome] = []
        steps: list[StepResult] = []
        tools: set[str] = set(job_run.tools) if job_run is not None else set()
        explained_step = False
        step_unexplained = False
        for step, status, run in step_runs:
            name = None if one_step else step.name
            kept = []
            fired = any(not f.check.startswith("exitaudit/") for f in run.findings)
            if status.known and status.code != 0 and fired:
                explained_step = True
            for f in run.findings:
                if f.kind is Kind.NO_COVERAGE:
                    continue  # a step without tools (a checkout) is no gap in the audit
                if f.kind is Kind.UNEXPLAINED_FAILURE and job_fired and (one_step or status.line == job_status.line):
                    continue
                if f.kind is Kind.EXIT_UNKNOWN:
                    f = _unknown_finding(f, status)
                if f.kind is Kind.UNEXPLAINED_FAILURE:
                    step_unexplained = True
                if f.kind is Kind.FALSE_SUCCESS:
                    f = self._masking_shell(f, step, status)
                kept.append(dataclasses.replace(f, step=name))
            kept = [self._with_originals(f) for f in kept]
            findings += kept
            outcomes += [dataclasses.replace(c, step=name) for c in run.checks]
            tools.update(run.tools)
            steps.append(StepResult(step.name, step.first_line, step.last_line, status, run.tools, _verdict(kept), tuple(kept)))
        job_findings = []
        if job_run is not None:
            for f in job_run.findings:
                if f.kind is Kind.UNEXPLAINED_FAILURE and (explained_step or step_unexplained):
                    continue
                if f.kind is Kind.EXIT_UNKNOWN:
                    f = _unknown_finding(f, job_status)
                if f.kind is Kind.NO_COVERAGE and tools:
                    continue
                job_findings.append(self._with_originals(f))
            outcomes = list(job_run.checks) + outcomes
        elif not tools:
            job_findings.append(_synthetic_no_coverage(self.env.platform, job_status))
        all_findings = job_findings + findings
        invalid = sum(r.stats.invalid_utf8 for _s, _st, r in step_runs) + (job_run.stats.invalid_utf8 if job_run is not None else 0)
        return RunResult(
            source=source,
            exit_status=job_status,
            tools=tuple(sorted(tools)),
            verdict=_verdict(all_findings),
            findings=tuple(all_findings),
            checks=tuple(outcomes),
            stats=InputStats(lines=self.lines, bytes=self.bytes, invalid_utf8=invalid),
            steps=() if one_step else tuple(steps),
            platform=self.env.platform,
        )

    def _masking_shell(self, f: Finding, step: _Step, status: ExitStatus) -> Finding:
        """A step whose success comes from a shell that hides failures (`cmd | tee` without
        pipefail, `cmd || true`): cite the step's command and, on GitHub, its shell line."""
        if not status.known or status.code != 0 or self.env.platform not in ("github-actions", "travis"):
            return f
        command = step.name[4:] if step.name.startswith("Run ") else step.name
        masking = _MASKING.search(command)
        if masking is None:
            return f
        sh = step.shell
        pipe = not masking.group(0).startswith("||")
        if pipe and self.env.platform == "github-actions" and (sh is None or not _NO_PIPEFAIL.match(sh.text.strip())):
            return f  # bash -o pipefail (GitHub's `shell: bash`) reports the pipeline's failure
        cited = [Evidence(step.first_line, self.start_texts.get(step.first_line, step.name))]
        if sh is not None:
            cited.append(Evidence(sh.line, f"shell: {sh.text}"))
        evidence = tuple(sorted({e.line: e for e in (*f.evidence, *cited)}.values(), key=lambda e: e.line))
        how = f"under `{sh.text}` (no pipefail), so its status was the last command's" if pipe and sh is not None else (
            "without pipefail, so its status was the last command's" if pipe else "and `|| true` discards the command's status")
        return dataclasses.replace(f, evidence=evidence, message=f"{f.message}; the step ran `{command}` {how}")

    def _with_originals(self, f: Finding) -> Finding:
        if not self.originals or not f.evidence:
            return f
        evidence = tuple(
            dataclasses.replace(e, original=self.originals[e.line]) if e.line in self.originals and self.originals[e.line] != e.text else e
            for e in f.evidence
        )
        return dataclasses.replace(f, evidence=evidence)


# --------------------------------------------------------------------------------------------


_LITERALS: dict[re.Pattern[bytes], tuple[bytes, ...] | None] = {}


def _lines_matching(pattern: re.Pattern[bytes], data: bytes) -> Iterator[re.Match[bytes]]:
    """The first match of ``pattern`` (anchored at a line start) on each line of ``data`` where
    it matches. A line is tried only where one of the pattern's required literals occurs: found
    by memchr-speed searches, not by the regex trying every position of the block."""
    if pattern not in _LITERALS:
        from .prefilter import required_literals_of

        lits = required_literals_of([pattern.pattern.decode("latin-1")])[0]
        _LITERALS[pattern] = tuple(sorted(lits.strings)) if lits is not None and not lits.ignore_case else None
    literals = _LITERALS[pattern]
    if literals is None:
        yield from pattern.finditer(data)
        return
    starts: set[int] = set()
    find, rfind = data.find, data.rfind
    for lit in literals:
        pos = find(lit)
        while pos != -1:
            starts.add(rfind(b"\n", 0, pos) + 1)
            end = find(b"\n", pos)
            if end == -1:
                break
            pos = find(lit, end)
    for start in sorted(starts):
        m = pattern.match(data, start)
        if m is not None:
            yield m


def _last(events: list[_Event], kind: str) -> _Event | None:
    found = [e for e in events if e.kind == kind]
    return found[-1] if found else None


def _from_log(ev: _Event) -> ExitStatus:
    return ExitStatus.from_code(ev.code or 0, Origin.LOG, where=f"line {ev.line}", line=ev.line, line_text=ev.text)


def _inferred(why: str) -> ExitStatus:
    return ExitStatus(0, origin=Origin.LOG, where=f"inferred: {why}", inferred=True)


def _verdict(findings: Iterable[Finding]) -> Kind:
    kinds = {f.kind for f in findings if f.kind.is_mismatch}
    return next((k for k in VERDICT_ORDER if k in kinds), Kind.CONSISTENT)


def _unknown_finding(f: Finding, status: ExitStatus) -> Finding:
    if not status.failed:
        return f
    where = f"line {status.line}: {status.line_text}" if status.line else status.where
    counted = re.search(r"\d+ check\(s\) that need it were skipped", f.message)
    skipped = counted.group(0) if counted else "the checks that need it were skipped"
    evidence = (Evidence(status.line, status.line_text or ""),) if status.line else f.evidence
    return dataclasses.replace(
        f,
        title="Failed, exit code unknown",
        message=f"the log records a failure but no exit code ({where}): {skipped} (pass --exit-code)",
        evidence=evidence,
        line=status.line or f.line,
    )


def _synthetic_no_coverage(platform: str, status: ExitStatus) -> Finding:
    from .model import DEFAULT_SEVERITY

    return Finding(
        check="exitaudit/no-coverage",
        tool="exitaudit",
        kind=Kind.NO_COVERAGE,
        severity=DEFAULT_SEVERITY[Kind.NO_COVERAGE],
        title="No rule file applies",
        message=f"no rule file recognised a tool in this {platform} job's steps, so its {status.describe()} was not audited",
    )


def _any_hit(scan: Scan) -> bool:
    return any(st.detect_hits or st.exit_hit or any(ss.count for ss in st.signals.values()) for st in scan.states.values())


def _evidence_lines(scan: Scan) -> Iterator[int]:
    for st in scan.states.values():
        if st.detect_evidence is not None:
            yield st.detect_evidence.line
        if st.exit_hit is not None:
            yield st.exit_hit[0].line
        for ss in st.signals.values():
            for ev in ss.evidence:
                yield ev.line


def _decode(raw: bytes) -> tuple[str, int]:
    from .scanner import decode_text
    from .reader import clean

    return decode_text(clean(raw).rstrip(b"\r"))
