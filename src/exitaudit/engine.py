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

import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import regex

from .errors import UsageError
from .celcost import CONDITION_BUDGET, size_of
from .celexpr import prepared
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
    Severity,
)
from . import bulk
from .reader import Block, blocks_of
from .scanner import (
    HYPERSCAN_FROM,
    Candidates,
    HyperscanFilter,
    LiteralFilter,
    candidates,
    decode_line,
    decode_text,
    line_text,
    hyperscan_available,
)
from .reader import clean
from .rules import ALL_VALUES_MAX, REGEX_FLAGS, VALUE_MAX, Check, RuleFile, RuleSet, Signal, condition_sizes, cut, render_message

REGEX_TIMEOUT = 2.0
"""Seconds one search of one block may take; real patterns take milliseconds."""
DEADLINE = 30.0
"""Seconds of pattern searching one log's audit may take, all its patterns together, plus a
second per DEADLINE_RATE bytes of log (each log of a batch has its own). Only the CPU time spent
in the regex module counts: not reading, not waiting for a pipe, not other processes. The built-in pack confirms its
candidates at well over 100 MiB a second, so only hostile patterns come near it."""
DEADLINE_RATE = 8 << 20
EVIDENCE_PER_SIGNAL = 5
EVIDENCE_PER_FINDING = 10
EVIDENCE_TEXT_MAX = 400
_UNKNOWN_EXIT = "exit status unknown"
"""The reason a check that reads ``exit`` is skipped when the status is unknown."""
MASKING = "masking"
"""The rule file of masking constructs (``| tee`` without pipefail, ``|| true``, ``find -exec``,
``wait`` without a pid...): never a detected tool of its own; its checks run only when another
tool's check found a false success, and name the construct that most likely lost the status."""


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
    def __post_init__(self) -> None:
        self.value = self.signal.default()

    def _convert(self, raw: str | None) -> Any:
        if raw is None:
            return None
        if self.signal.type == "int":
            if len(raw) > 100:  # a number of a hundred digits is not a count; int() is quadratic
                return None
            try:
                return int(raw.replace(",", "").replace("_", ""))
            except ValueError:
                return None
        return cut(raw, VALUE_MAX)

    def hit(self, ev: Evidence, match: regex.Match[str]) -> None:
        sig = self.signal
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

    def export(self) -> tuple[int, Any, list[Evidence], int | None, int | None]:
        return (self.count, self.value, self.evidence, self.first_line, self.last_line)

    def absorb(self, exported: tuple[int, Any, list[Evidence], int | None, int | None], offset: int) -> None:
        """Merge the hits of a later stretch of the log (lines numbered from ``offset`` + 1),
        with the result of having read on: the same value, evidence and lines as hit() and
        sequence() would have made of them one by one."""
        count, value, evidence, first_line, last_line = exported
        if not count:
            return
        evidence = [_shifted(ev, offset) for ev in evidence]
        first_line = None if first_line is None else first_line + offset
        last_line = None if last_line is None else last_line + offset
        if not self.count:
            self.count, self.value, self.evidence, self.first_line, self.last_line = count, value, evidence, first_line, last_line
            return
        self.count += count
        self.last_line = last_line
        mode = self.signal.value
        if self.signal.followed_by is not None:
            self.value = True if mode == "present" else self.count
            for i in range(0, len(evidence), 2):  # head and tail, a pair at a time
                if len(self.evidence) < EVIDENCE_PER_SIGNAL:
                    self.evidence += evidence[i:i + 2]
            return
        if mode == "count":
            self.value = self.count
        elif mode == "present":
            self.value = True
        elif mode == "last":
            self.value, self.evidence = value, evidence
            return
        elif mode == "sum":
            self.value += value
        elif mode in ("max", "min"):
            if value > self.value if mode == "max" else value < self.value:
                self.value, self.evidence = value, evidence
            return
        elif mode == "all":
            self.value = (self.value + value)[:ALL_VALUES_MAX]
        # "first" keeps its value; every mode but last/max/min keeps its first few lines
        self.evidence = (self.evidence + evidence)[:EVIDENCE_PER_SIGNAL]

    def sequence(self, head: Evidence, tail: Evidence, times: int = 1) -> None:
        """A head line followed within the window by a tail line (signals with followed_by);
        ``times``: as many heads, on one line."""
        if self.first_line is None:
            self.first_line = head.line
        self.last_line = tail.line
        self.count += times
        self.value = True if self.signal.value == "present" else self.count
        if len(self.evidence) < EVIDENCE_PER_SIGNAL:
            self.evidence += [head, tail]


@dataclass
class _Window:
    """The lines after a head line in which its followed_by pattern is looked for."""

    state: _SignalState
    head: Evidence
    tail: regex.Pattern[str]
    remaining: int
    pos: int
    """Offset in the current block where the next line of the window starts."""
    line: int
    """Number of the line starting at ``pos``."""
    tail_id: int = -1
    """The tail's key in ``Scan.timed_out`` (negative: tails are not scanned patterns)."""
    times: int = 1
    """Heads this window stands for: those of one line, same signal and window (_merged)."""


@dataclass
class _Budget:
    """The search time one log's scan may still take, and where it went."""

    seconds: float | None
    """The deadline (None: none): seconds of searching, more by a second per DEADLINE_RATE bytes."""
    allowed: float = float("inf")
    used: float = 0.0
    spent: dict[int, float] = field(default_factory=dict)
    """Pattern index (tails: negative) -> seconds its searches took."""
    struck: int | None = None
    """The line where the deadline struck, once it has."""
    cut_short: bool = False
    """The last search that was stopped was stopped by the deadline's share, not the pattern's."""

    def __post_init__(self) -> None:
        if self.seconds is not None:
            self.allowed = self.seconds

    def grant(self, size: int) -> None:
        """More time for ``size`` more bytes of log."""
        self.allowed += size / DEADLINE_RATE

    def timeout(self, limit: float) -> float:
        """The time limit of the next search: the pattern's, or what is left of the deadline."""
        return min(limit, self.allowed - self.used)

    def search(self, pattern: regex.Pattern[str], key: int, limit: float, *args: Any) -> tuple[regex.Match[str] | None, bool]:
        """``pattern.search(*args)`` within both limits: (match, False), or (None, True) when
        either struck (``struck`` is left for the caller to set, who knows the line)."""
        timeout = self.timeout(limit)
        if timeout <= 0:
            self.cut_short = True
            return None, True
        # The deadline counts this thread's CPU time, so that a busy machine does not make an
        # audit incomplete; the regex module's own limit is wall time.
        began = time.thread_time()
        try:
            return pattern.search(*args, timeout=timeout), False
        except TimeoutError:
            self.cut_short = timeout < limit
            return None, True
        finally:
            took = time.thread_time() - began
            self.used += took
            self.spent[key] = self.spent.get(key, 0.0) + took

    @property
    def over(self) -> bool:
        """Whether the deadline has struck (after a search that was stopped)."""
        return self.used >= self.allowed or self.cut_short


@dataclass
class _ToolState:
    rule: RuleFile
    detect_hits: int = 0
    detect_evidence: Evidence | None = None
    exit_hit: tuple[Evidence, int] | None = None
    signals: _SignalStates = field(init=False)

    def __post_init__(self) -> None:
        self.signals = _SignalStates(self.rule.signals)


class _SignalStates(dict[str, "_SignalState"]):
    """A tool's signal states by name, each made when first asked for: a log hits few of a
    tool's signals, and the rest read as their defaults."""

    def __init__(self, specs: dict[str, Signal]) -> None:
        super().__init__()
        self.specs = specs

    def __missing__(self, name: str) -> _SignalState:
        ss = self[name] = _SignalState(self.specs[name])
        return ss


class _ToolStates(dict[str, _ToolState]):
    """The state of each tool that has had a hit, made on its first: most of the pack's tools
    never appear in a given log, and setting up all their signals cost as much as a small log's
    scan."""

    def __init__(self, rules: dict[str, RuleFile]) -> None:
        super().__init__()
        self.rules = rules

    def of(self, tool: str) -> _ToolState | None:
        """The tool's state, made now if need be; None for a tool this audit is not for."""
        st = self.get(tool)
        if st is None:
            rf = self.rules.get(tool)
            if rf is None:
                return None
            st = self[tool] = _ToolState(rf)
        return st


@dataclass
class Scan:
    """One log's audit in progress: what the scan has found so far."""

    wanted: frozenset[str] | None
    states: _ToolStates
    plain: LiteralFilter | HyperscanFilter
    timed_out: dict[int, int] = field(default_factory=dict)
    """Pattern index -> line where the regex time limit struck."""
    windows: list[_Window] = field(default_factory=list)
    seen: int = 0
    invalid_utf8: int = 0
    lines: int = 0
    budget: _Budget = field(default_factory=lambda: _Budget(None))

    def export(self) -> dict[str, Any]:
        """What Engine.absorb needs, as plain data (it crosses a process boundary)."""
        tools = {}
        for tool, st in self.states.items():
            signals = {n: ss.export() for n, ss in st.signals.items() if ss.count}
            if st.detect_hits or st.exit_hit or signals:
                tools[tool] = (st.detect_hits, st.detect_evidence, st.exit_hit, signals)
        budget = {"spent": self.budget.spent, "struck": self.budget.struck}
        return {"tools": tools, "timed_out": self.timed_out, "seen": self.seen, "invalid_utf8": self.invalid_utf8, "lines": self.lines, "budget": budget}


def _shifted(ev: Evidence, offset: int) -> Evidence:
    return Evidence(ev.line + offset, ev.text) if offset else ev


# --------------------------------------------------------------------------------------------
# The compiled plan: every distinct pattern once, with who consumes its hits


@dataclass(frozen=True)
class _Use:
    role: str  # "detect" | "exit" | "signal" | "tail" (a followed_by pattern: bulk.py)
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
        fast: bool = False,
        deadline: float | None = DEADLINE,
        condition_budget: int | None = None,
    ) -> None:
        """``fast``: use Hyperscan (when installed) for every log, not only large ones; worth
        its compilation (cached on disk) when one engine audits many logs. ``deadline``: seconds
        one log's scan may take (None: no limit). ``condition_budget``: the cost one evaluation
        of a condition may have (celcost.py; default CONDITION_BUDGET)."""
        self.rules = rules
        self.fast = fast
        self.regex_timeout = regex_timeout
        self.deadline = deadline
        self.condition_budget = CONDITION_BUDGET if condition_budget is None else condition_budget
        self._worst: dict[str, float] = {}
        """Check id -> its condition's cost with every value at its limit and these params."""
        self.params = {rf.tool: rf.param_values((params or {}).get(rf.tool)) for rf in rules}
        self._index: dict[str, int] = {}
        self._sources: list[str] = []
        self._compiled: dict[int, regex.Pattern[str]] = {}
        self._uses: list[list[_Use]] = []
        self._tails: dict[tuple[str, str], str] = {}
        self._tail_ids: dict[tuple[str, str], int] = {}
        for rf in rules:
            for pat in rf.detect:
                self._add(pat, _Use("detect", rf.tool))
            for esp in rf.exit_status:
                self._add(esp.pattern, _Use("exit", rf.tool, code=esp.code))
            for name, sig in rf.signals.items():
                if sig.pattern is not None:
                    self._add(sig.pattern, _Use("signal", rf.tool, name))
                if sig.followed_by is not None:
                    # Looked for in the few lines after each head line; scanned for too, so
                    # that heads are searched only near a tail (bulk.py).
                    self._tails[(rf.tool, name)] = sig.followed_by
                    # A tail's time-out is kept with the patterns', under a negative key.
                    self._tail_ids[(rf.tool, name)] = -1 - len(self._tail_ids)
                    if sig.pattern is not None and bulk.rarer_tail(sig.pattern, sig.followed_by):
                        self._add(sig.followed_by, _Use("tail", rf.tool, name))
        self._groups_read = [
            any((u.role == "exit" and u.code is None) or (u.role == "signal" and self.rules.get(u.tool).signals[u.name].group is not None) for u in uses)  # type: ignore[union-attr]
            for uses in self._uses
        ]
        self._heads = self._plan_heads()
        self._countlike = [self._is_countlike(uses) for uses in self._uses]
        self._counters: dict[int, regex.Pattern[str] | None] = {}
        self.profile: Any = None
        """A profile.Profile to record where the time goes (--profile), or None."""
        self._filters: dict[frozenset[str] | None, LiteralFilter] = {}
        self._hyperscan: dict[frozenset[str] | None, HyperscanFilter] = {}
        self._compiled_tails: dict[tuple[str, str], regex.Pattern[str]] = {}

    def _add(self, pattern: str, use: _Use) -> None:
        idx = self._index.get(pattern)
        if idx is None:
            idx = self._index[pattern] = len(self._sources)
            self._sources.append(pattern)
            self._uses.append([])
        self._uses[idx].append(use)

    def _plan_heads(self) -> dict[int, bulk.Head]:
        """Patterns used only as heads of followed_by signals: not scanned for, but searched in
        the lines above their tails' candidates (bulk.head_lines)."""
        heads = {}
        for idx, uses in enumerate(self._uses):
            specs = [self.rules.get(u.tool).signals[u.name] if u.role == "signal" else None for u in uses]  # type: ignore[union-attr]
            if not specs or any(s is None or s.followed_by is None for s in specs):
                continue
            tails = {self._index.get(s.followed_by) for s in specs}  # type: ignore[union-attr]
            driven = all(any(t.role == "tail" and (t.tool, t.name) == (u.tool, u.name) for t in self._uses[self._index[s.followed_by]]) for u, s in zip(uses, specs) if s.followed_by in self._index)  # type: ignore[union-attr]
            if len(tails) == 1 and None not in tails and driven:  # one tail for all its uses (else: scanned as before)
                heads[idx] = bulk.Head(tails.pop(), max(s.within for s in specs))  # type: ignore[union-attr]
        return heads

    def _is_countlike(self, uses: list[_Use]) -> bool:
        """Whether every use of a pattern only counts its hits (bulk.py): fingerprints, and
        signals whose value is their count or presence."""
        for u in uses:
            if u.role == "detect" or u.role == "tail":
                continue
            if u.role != "signal":
                return False
            sig = self.rules.get(u.tool).signals[u.name]  # type: ignore[union-attr]
            if sig.followed_by is not None:
                return False
            if sig.value == "all" and sig.type != "int" and sig.group and bulk.always_captures(sig.pattern or "", sig.group):
                continue  # every hit has a value: counted, the first ALL_VALUES_MAX kept
            if sig.value not in bulk.COUNTLIKE_VALUES:
                return False
        return True

    def _tail(self, tool: str, name: str) -> regex.Pattern[str]:
        key = (tool, name)
        compiled = self._compiled_tails.get(key)
        if compiled is None:
            compiled = self._compiled_tails[key] = regex.compile(self._tails[key], REGEX_FLAGS)
        return compiled

    def _pattern(self, idx: int) -> regex.Pattern[str]:
        """Compiled on first use: most patterns never meet a candidate line in a given log."""
        compiled = self._compiled.get(idx)
        if compiled is None:
            compiled = self._compiled[idx] = regex.compile(self._sources[idx], REGEX_FLAGS)
        return compiled

    def _active(self, tools: frozenset[str] | None) -> list[tuple[int, str]]:
        """The patterns the filters look for: those of the audited tools, heads left out."""
        return [
            (i, self._sources[i]) for i, uses in enumerate(self._uses)
            if i not in self._heads and (tools is None or any(u.tool in tools for u in uses))
        ]

    def _filter(self, tools: frozenset[str] | None) -> LiteralFilter:
        """The literal prefilter for the patterns the audited tools use, built once per selection."""
        flt = self._filters.get(tools)
        if flt is None:
            flt = self._filters[tools] = LiteralFilter(self._active(tools))
        return flt

    def prepare(self, tools: Sequence[str] | None = None) -> None:
        """Build the filters now (before forking workers, so that each does not build its own)."""
        wanted = frozenset(self.rules.canonical(t) for t in tools) if tools else None
        self._filter(wanted)
        if self.fast:
            self._fast_filter(wanted)

    def __getstate__(self) -> dict[str, Any]:
        """For pickling (one engine shipped to Dask workers, distributed.py): the rule set,
        parameters and plan, without the caches a process rebuilds on first use: compiled
        regexes, the Aho-Corasick filters (which do not pickle; about 30 ms to rebuild) and the
        Hyperscan databases, which are compiled for this machine's CPU and need an optional,
        x86-64-only package that a worker may lack; a worker loads them from its disk cache
        (scanner._cached_database) or compiles them once."""
        state = self.__dict__.copy()
        for cache in ("_compiled", "_compiled_tails", "_filters", "_hyperscan", "_counters"):
            if cache in state:
                state[cache] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def _fast_filter(self, tools: frozenset[str] | None) -> HyperscanFilter | None:
        """Hyperscan over plain lines, for large logs, when it is installed."""
        if not hyperscan_available():
            return None
        flt = self._hyperscan.get(tools)
        if flt is None:
            flt = self._hyperscan[tools] = HyperscanFilter(self._active(tools), self._filter(tools))
        return flt

    # ----------------------------------------------------------------------------------------

    def audit(
        self,
        blocks: Iterable[Block],
        exit_status: ExitStatus,
        *,
        tools: Sequence[str] | None = None,
        source: str = "-",
        size_hint: int | None = None,
        checks: bool = True,
    ) -> RunResult:
        """Audit one log. ``size_hint`` (bytes, when known) lets a large log use the fast
        filter from its first block; ``checks=False`` leaves out the per-check outcomes
        (RunResult.checks), which only check's JUnit report reads."""
        scan = self.begin(tools, size_hint)
        self.feed(scan, blocks)
        return self.end(scan, exit_status, source, checks=checks)

    # One log's audit in three steps, so that a large log can be scanned in stretches by several
    # processes (parallel.py): begin, feed each stretch's blocks, export, absorb in log order, end.

    def begin(self, tools: Sequence[str] | None = None, size_hint: int | None = None) -> Scan:
        if tools:
            tools = [self.rules.canonical(t) for t in tools]  # --tool aiohttp is gunicorn's file
            unknown = [t for t in tools if self.rules.get(t) is None]
            if unknown:
                raise UsageError(
                    f"unknown tool {', '.join(unknown)}; known tools: {', '.join(sorted(self.rules.files))}",
                    where="--tool",
                )
        wanted = frozenset(tools) if tools else None
        if wanted is not None and self.rules.get(MASKING) is not None:
            wanted = wanted | {MASKING}  # scanned for, never detected: see _name_masking
        states = _ToolStates({rf.tool: rf for rf in self.rules if wanted is None or rf.tool in wanted})
        if wanted is not None:  # every forced tool is evaluated, hits or none
            for tool in wanted - {MASKING}:
                states.of(tool)
        literals = self._filter(wanted)
        plain: LiteralFilter | HyperscanFilter = literals
        if self.fast or (size_hint is not None and size_hint > HYPERSCAN_FROM):
            plain = self._fast_filter(wanted) or literals
        return Scan(wanted, states, plain, budget=_Budget(self.deadline))

    def feed(self, scan: Scan, blocks: Iterable[Block]) -> None:
        """Scan consecutive blocks of the log (all of it, or one stretch). A block whose
        first_line is 0 follows on from the one before: the engine counts its lines itself, in
        the same pass that numbers its hits (the reader's ``numbered=False``)."""
        literals = self._filter(scan.wanted)
        line = 1  # the number of the next block's first line
        unterminated = False  # the block before ended inside a line (a piece of a long line)
        for block in _pieces(blocks):
            data = block.data
            if not data:
                continue
            first = block.first_line or line
            scan.seen += len(data)
            scan.budget.grant(len(data))
            if scan.plain is literals and scan.seen > HYPERSCAN_FROM:
                scan.plain = self._fast_filter(scan.wanted) or literals
            if scan.budget.struck is not None:  # past the deadline: only count the lines
                line = first + data.count(b"\n")
                scan.lines = line - 1 + (not data.endswith(b"\n"))
                continue
            if unterminated:  # a window begins with the line after its head's, not in its rest
                newline = data.find(b"\n")
                for w in scan.windows:
                    w.pos, w.line = (len(data) if newline == -1 else newline + 1), first + 1
            else:
                for w in scan.windows:  # windows left open at the end of the previous block
                    w.pos, w.line = 0, first
            unterminated = not data.endswith(b"\n")
            began = _clock() if self.profile is not None else 0.0
            found = candidates(data, scan.plain)
            if self.profile is not None:
                self.profile.scan += _clock() - began
            scan.windows, newlines = self._scan_block(found, data, first, scan.states, scan.timed_out, scan.windows, scan.budget)
            scan.invalid_utf8 += found.invalid_utf8
            line = first + newlines
            # A last line without a newline (a log still being written) is a line all the same.
            scan.lines = line - 1 + (not data.endswith(b"\n"))

    def follow(self, scan: Scan, blocks: Iterable[Block]) -> None:
        """Close the followed_by windows still open at the end of a stretch with the blocks
        after it, which another process scans: only the few lines each window needs are read."""
        for block in blocks:
            if not scan.windows:
                return
            for w in scan.windows:
                w.pos, w.line = 0, block.first_line
            scan.windows = self._follow(scan.windows, block.data, scan.timed_out, scan.budget)

    def end(self, scan: Scan, exit_status: ExitStatus, source: str = "-", *, checks: bool = True) -> RunResult:
        stats = InputStats(lines=scan.lines, bytes=scan.seen, invalid_utf8=scan.invalid_utf8)
        return self._evaluate(scan.states, exit_status, scan.timed_out, source, forced=scan.wanted is not None, stats=stats, checks=checks, budget=scan.budget)

    def absorb(self, scan: Scan, part: dict[str, Any]) -> None:
        """Merge the export of the log's next stretch (``Scan.export``, numbered from its first
        line) into ``scan``, as if ``scan`` had gone on to read it."""
        offset = scan.lines
        for tool, (detect_hits, detect_ev, exit_hit, signals) in part["tools"].items():
            st = scan.states.of(tool)
            assert st is not None, tool  # the stretch was scanned for the same tools
            st.detect_hits += detect_hits
            if st.detect_evidence is None and detect_ev is not None:
                st.detect_evidence = _shifted(detect_ev, offset)
            if exit_hit is not None:  # the last line recording a status wins
                st.exit_hit = (_shifted(exit_hit[0], offset), exit_hit[1])
            for name, exported in signals.items():
                st.signals[name].absorb(exported, offset)
        for idx, line in part["timed_out"].items():
            # A pattern is dropped from its first time-out on; the later stretch, scanned at the
            # same time, may still have used it: its checks are reported skipped all the same.
            scan.timed_out.setdefault(idx, line + offset)
        budget = part.get("budget")
        if budget:
            for key, seconds in budget["spent"].items():
                scan.budget.spent[key] = scan.budget.spent.get(key, 0.0) + seconds
            if budget["struck"] is not None and scan.budget.struck is None:
                scan.budget.struck = budget["struck"] + offset
        scan.seen += part["seen"]
        scan.invalid_utf8 += part["invalid_utf8"]
        scan.lines = offset + part["lines"]

    def _scan_block(
        self,
        found: Candidates,
        data: bytes,
        first_line: int,
        states: _ToolStates,
        timed_out: dict[int, int],
        windows: list[_Window],
        budget: _Budget | None = None,
    ) -> tuple[list[_Window], int]:
        """Confirm one block's candidates, then number the hits and count the block's lines in
        one pass over it, then dispatch the hits in the order they were found (pattern by
        pattern, each in line order). Returns the followed_by windows still open at the block's
        end, and its number of newlines."""
        budget = budget or _Budget(None)
        decoded: dict[int, str] = {}  # a line shared by several patterns is decoded once
        hits: list[tuple[int, int, str, regex.Match[str]]] = []
        limits: list[tuple[int, int]] = []
        struck: int | None = None  # where the deadline struck, as a line start
        counted: list[tuple[int, int, list[tuple[int, str]], tuple[int, str], dict[str, list[str]]]] = []
        wanted_heads = {i: h for i, h in self._heads.items() if any(states.of(u.tool) is not None for u in self._uses[i])}
        if wanted_heads:
            bulk.add_head_candidates(found, data, wanted_heads, decoded)
        for idx in sorted(found.plain.keys() | found.special.keys()):
            if idx in timed_out or not any(u.role != "tail" for u in self._uses[idx]):
                continue
            items = [(start, line_text(data, start, decoded, found)) for start in found.plain.get(idx, ())]
            items += found.special.pop(idx, ())  # popped: a line of a million segments is held once
            if items:
                items.sort(key=lambda item: item[0])  # stable: a line's segments keep their order
                began, before = (_clock(), len(hits) + sum(c[1] for c in counted)) if self.profile is not None else (0.0, 0)
                if not self._countlike[idx] or not self._count(idx, items, counted, budget, states):
                    struck = self._confirm(idx, items, hits, limits, budget)
                if self.profile is not None:
                    self.profile.pattern(self.pattern_users()[idx], _clock() - began, len(hits) + sum(c[1] for c in counted) - before)
                if struck is not None:
                    break
            del items
        line_of: dict[int, int] = {}
        line, pos = first_line, 0
        kept = {s for _i, _n, firsts, last, _c in counted for s in [*(f[0] for f in firsts), last[0]]}
        for start in sorted({h[1] for h in hits} | {s for _i, s in limits} | kept | ({struck} if struck is not None else set())):
            line += data.count(b"\n", pos, start)
            line_of[start] = line
            pos = start
        newlines = line - first_line + data.count(b"\n", pos)
        for idx, start in limits:
            timed_out[idx] = line_of[start]
        if struck is not None:
            budget.struck = line_of[struck]
            return [], newlines  # the audit stops here: its checks are all reported skipped
        for idx, n, firsts, last, captures in counted:
            self._dispatch_counted(idx, n, [_evidence_line(line_of[s], t) for s, t in firsts], _evidence_line(line_of[last[0]], last[1]), states, captures)
        after_line: dict[int, tuple[int, int]] = {}  # a line's end, found once for all its hits
        for idx, start, seg, m in hits:
            line = line_of[start]
            after = after_line.get(start)
            if after is None:
                end = data.find(b"\n", start)
                after = after_line[start] = (len(data), line + 1) if end == -1 else (end + 1, line + 1)
            self._dispatch(idx, line, seg, m, states, windows, after)
        if self.profile is None:
            return self._follow(windows, data, timed_out, budget), newlines
        began = _clock()
        still_open = self._follow(windows, data, timed_out, budget)
        self.profile.follow += _clock() - began
        return still_open, newlines

    def pattern_users(self) -> list[str]:
        """Per pattern index, who uses it (for --profile)."""
        names = self.__dict__.get("_users")
        if names is None:
            def name(u: _Use) -> str:
                if u.role == "tail":
                    return f"{u.tool}/{u.name} (followed_by)"
                return f"{u.tool}/{u.name}" if u.role == "signal" else f"{u.tool}:{u.role}"
            heads = set(self._heads)
            names = self.__dict__["_users"] = [
                ", ".join(dict.fromkeys(name(u) for u in uses)) + (" (head, near tails)" if i in heads else "")
                for i, uses in enumerate(self._uses)
            ]
        return names

    def _confirm(
        self,
        idx: int,
        items: list[tuple[int, str]],
        hits: list[tuple[int, int, str, regex.Match[str]]],
        limits: list[tuple[int, int]],
        budget: _Budget,
    ) -> int | None:
        """Run pattern ``idx`` over its candidate lines, joined into one text so that a single
        search call skips the lines without a match in C: one call per hit, not per line. Adds
        (idx, line start, line text, match) to ``hits``; where the time limit strikes, adds
        (idx, line start) to ``limits`` and stops. Returns the line start where the audit's
        deadline struck, or None."""
        text = "\n".join(t for _s, t in items)
        offsets = []
        pos = 0
        for _start, t in items:
            offsets.append(pos)
            pos += len(t) + 1
        pattern = self._pattern(idx)
        pos = 0
        n = len(text)
        while pos <= n:
            m, stopped = budget.search(pattern, idx, self.regex_timeout, text, pos)
            if stopped:
                k = max(bisect_right(offsets, pos) - 1, 0)
                if budget.over:
                    return items[k][0]
                limits.append((idx, items[k][0]))
                return None
            if m is None:
                return None
            k = bisect_right(offsets, m.start()) - 1
            seg_start = offsets[k]
            seg_end = seg_start + len(items[k][1])
            seg = items[k][1]
            if m.end() > seg_end:
                # The hit ran past the end of its line (\s matched the joining newline): lines
                # are matched one at a time, so search this line alone.
                m, stopped = budget.search(pattern, idx, self.regex_timeout, seg)
                if stopped:
                    if budget.over:
                        return items[k][0]
                    limits.append((idx, items[k][0]))
                    return None
            if m is not None:
                # The match itself only where a group is read (it holds the joined text).
                hits.append((idx, items[k][0], seg, m if self._groups_read[idx] else None))
            pos = seg_end + 1
            if pos > n:
                return None
        return None

    def _count(self, idx: int, items: list[tuple[int, str]], counted: list[tuple[int, int, list[tuple[int, str]], tuple[int, str], dict[str, list[str]]]], budget: _Budget, states: _ToolStates) -> bool:
        """Confirm a count-only pattern's candidates in bulk (bulk.line_counter: one findall
        over them, in C): adds (idx, hits, first few, last) to ``counted``. False where the
        pattern has no such counter, or a time limit struck: the caller then confirms them one
        by one, which records where."""
        counter = self._counters.get(idx, False)
        if counter is False:
            counter = self._counters[idx] = bulk.line_counter(self._sources[idx])
        if counter is None:
            return False
        limit = budget.timeout(self.regex_timeout)
        if limit <= 0:
            return False
        texts = [t for _s, t in items]
        # Signals of value "all": the values still wanted, read from the first matches only.
        wanted: dict[str, int] = {}
        for u in self._uses[idx]:
            st = states.of(u.tool) if u.role == "signal" else None
            if st is not None and st.rule.signals[u.name].value == "all":
                group = st.rule.signals[u.name].group
                wanted[group] = max(wanted.get(group, 0), ALL_VALUES_MAX - len(st.signals[u.name].value))  # type: ignore[index]
        captures: dict[str, list[str]] = {g: [] for g in wanted}
        began = time.thread_time()
        try:
            n, found, text = bulk.count_lines(counter, texts, limit)
            if n and wanted and max(wanted.values()) > 0:
                from itertools import islice

                for m in islice(counter.finditer(text, timeout=limit), max(wanted.values())):
                    for g in captures:
                        captures[g].append(m.group(g))
            last = 0
            if n:  # the last hit: searched for from the last candidate back (usually that one)
                pattern = self._pattern(idx)
                for k in range(len(texts) - 1, -1, -1):
                    left = limit - (time.thread_time() - began)
                    if left <= 0:
                        return False
                    if pattern.search(texts[k], timeout=left) is not None:
                        last = k
                        break
        except TimeoutError:
            return False
        finally:
            took = time.thread_time() - began
            budget.used += took
            budget.spent[idx] = budget.spent.get(idx, 0.0) + took
        if n:
            counted.append((idx, n, [items[i] for i in found[:EVIDENCE_PER_SIGNAL]], items[last], captures))
        return True

    def _dispatch_counted(self, idx: int, n: int, firsts: list[Evidence], last: Evidence, states: _ToolStates, captures: dict[str, list[str]]) -> None:
        """``n`` hits of a count-only pattern at once: what _dispatch would make of them."""
        for use in self._uses[idx]:
            st = states.of(use.tool)
            if st is None or use.role == "tail":
                continue
            if use.role == "detect":
                st.detect_hits += n
                if st.detect_evidence is None or firsts[0].line < st.detect_evidence.line:
                    st.detect_evidence = firsts[0]
                continue
            ss = st.signals[use.name]
            if ss.first_line is None:
                ss.first_line = firsts[0].line
            ss.last_line = last.line
            ss.count += n
            if ss.signal.value == "all":
                ss.value += [ss._convert(raw) for raw in captures[ss.signal.group][:ALL_VALUES_MAX - len(ss.value)]]  # type: ignore[index]
            else:
                ss.value = ss.count if ss.signal.value == "count" else True
            ss.evidence += firsts[:EVIDENCE_PER_SIGNAL - len(ss.evidence)]

    def _follow(self, windows: list[_Window], data: bytes, timed_out: dict[int, int], budget: _Budget | None = None) -> list[_Window]:
        """Look for each open window's tail in the lines after its head; keep those that reach
        past the block's end open for the next block. The windows of one tail that overlap
        form a stretch of lines, searched once (one search call per line that holds the tail),
        and each head is paired with the first tail line of its window by bisection: the cost
        grows with the lines, not with heads times ``within``."""
        budget = budget or _Budget(None)
        by_tail: dict[int, list[_Window]] = {}
        windows = self._follow_near(windows, data, timed_out, budget)
        for w in _merged(windows) if len(windows) > 64 else windows:
            if w.tail_id not in timed_out:  # a tail that timed out is dropped, as patterns are
                by_tail.setdefault(w.tail_id, []).append(w)
        still_open: list[_Window] = []
        for tail_id, group in by_tail.items():
            group.sort(key=lambda w: w.pos)
            stretch: list[_Window] = []
            starts: list[int] = []  # line starts of the stretch, from its first window's
            reach = 0  # lines of the stretch its windows need
            for w in group:
                if stretch and w.line - stretch[0].line >= len(starts):
                    if not self._follow_stretch(stretch, starts, reach, data, tail_id, timed_out, budget, still_open):
                        break
                    stretch, starts, reach = [], [], 0
                if not stretch:
                    starts = [w.pos]
                stretch.append(w)
                reach = max(reach, w.line - stretch[0].line + w.remaining)
                _extend_lines(data, starts, reach)
            else:
                if stretch:
                    self._follow_stretch(stretch, starts, reach, data, tail_id, timed_out, budget, still_open)
        return still_open

    def _follow_near(self, windows: list[_Window], data: bytes, timed_out: dict[int, int], budget: _Budget) -> list[_Window]:
        """Close the windows whose tail is on one of their first NEAR_LINES lines, searching
        those lines alone; the others are returned for the stretches. A tail that matches most
        lines (``\\S``: any output) in a long window (10,000 lines) would otherwise have each
        stretch cleaned and decoded to its full reach. A signal's windows are closed here in
        line order up to its first that is not, so that its pairs are recorded in line order."""
        rest: list[_Window] = []
        passed: set[int] = set()  # states with a window left for the stretches
        for w in windows:
            if id(w.state) in passed or w.tail_id in timed_out:
                passed.add(id(w.state))
                rest.append(w)
                continue
            pos, k, closed, stopped = w.pos, 0, False, False
            while not closed and not stopped and k < min(w.remaining, NEAR_LINES) and pos < len(data):
                end = data.find(b"\n", pos)
                end = len(data) if end == -1 else end
                for seg in decode_line(data[pos:end]):
                    m, stopped = budget.search(w.tail, w.tail_id, self.regex_timeout, seg)
                    if stopped:
                        break
                    if m is not None:
                        w.state.sequence(w.head, _evidence_line(w.line + k, seg), w.times)
                        closed = True
                        break
                k += 1
                pos = end + 1
            if not closed:  # searched again from its start by the stretches (a stop included)
                passed.add(id(w.state))
                rest.append(w)
        return rest

    def _follow_stretch(
        self,
        stretch: list[_Window],
        starts: list[int],
        reach: int,
        data: bytes,
        tail_id: int,
        timed_out: dict[int, int],
        budget: _Budget,
        still_open: list[_Window],
    ) -> bool:
        """Close (or keep open, in ``still_open``) the windows of one stretch; False when the
        tail's search was stopped by a time limit (then it is dropped for the rest of the log)."""
        first_line = stretch[0].line
        # The stretch's lines in this block (fewer than reach: it goes on in the next block).
        lines = len(starts) if starts[0] < len(data) else 0
        end = data.find(b"\n", starts[-1]) if lines == reach else len(data)
        end = len(data) if end == -1 else end
        text, _bad = decode_text(clean(data[starts[0]:end])) if lines else ("", 0)
        # Offsets in ``text`` where each line starts (clean keeps every newline).
        line_starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            line_starts.append(pos + 1)
            pos = find("\n", pos + 1)
        segments = text.replace("\r", "\n") if "\r" in text else text
        tail = stretch[0].tail
        found: list[int] = []  # stretch lines holding the tail, in order
        found_text: list[str] = []
        pos, n = 0, len(segments)
        while lines and pos <= n:
            m, stopped = budget.search(tail, tail_id, self.regex_timeout, segments, pos)
            if not stopped and m is None:
                break
            k = bisect_right(line_starts, m.start() if m is not None else pos) - 1
            if k >= lines:  # the empty text after the stretch's last newline
                break
            if not stopped:
                cr = segments.rfind("\n", line_starts[k], m.start())  # type: ignore[union-attr]
                seg_start = line_starts[k] if cr == -1 else cr + 1  # a bare CR before, or the line's start
                seg_end = segments.find("\n", m.start())  # type: ignore[union-attr]
                seg_end = n if seg_end == -1 else seg_end
                seg = segments[seg_start:seg_end]
                if m.end() > seg_end:  # type: ignore[union-attr]
                    # Past its segment's end (\s took a newline): search the segment alone.
                    m, stopped = budget.search(tail, tail_id, self.regex_timeout, seg)
            if stopped:
                if budget.over:
                    budget.struck = first_line + k
                else:
                    timed_out[tail_id] = first_line + k
                for w in stretch:  # heads before the stop that found their tail still count
                    i = bisect_left(found, w.line - first_line)
                    if i < len(found) and found[i] < w.line - first_line + w.remaining:
                        w.state.sequence(w.head, _evidence_line(first_line + found[i], found_text[i]), w.times)
                return False
            if m is not None:
                found.append(k)
                found_text.append(seg)
                if k + 1 >= len(line_starts):
                    break
                pos = line_starts[k + 1]  # the first segment that holds it is the line's
            else:
                pos = seg_end + 1
        for w in stretch:
            k0 = w.line - first_line
            i = bisect_left(found, k0)
            if i < len(found) and found[i] < k0 + w.remaining:
                w.state.sequence(w.head, _evidence_line(first_line + found[i], found_text[i]), w.times)
            elif k0 + w.remaining > lines:  # its window goes on past the block's end
                w.remaining -= lines - k0
                still_open.append(w)
        return True

    def _dispatch(
        self,
        idx: int,
        line: int,
        text: str,
        m: regex.Match[str],
        states: _ToolStates,
        windows: list[_Window],
        after: tuple[int, int],
    ) -> None:
        ev = _evidence_line(line, text)
        for use in self._uses[idx]:
            st = states.of(use.tool)
            if st is None:
                continue
            if use.role == "tail":
                continue
            if use.role == "signal":
                ss = st.signals[use.name]
                if ss.signal.followed_by is None:
                    ss.hit(ev, m)
                else:
                    tail = self._tail(use.tool, use.name)
                    windows.append(_Window(ss, ev, tail, ss.signal.within, *after, self._tail_ids[(use.tool, use.name)]))
            elif use.role == "detect":
                st.detect_hits += 1
                # Patterns are confirmed one after another, not in line order: keep the earliest.
                if st.detect_evidence is None or ev.line < st.detect_evidence.line:
                    st.detect_evidence = ev
            else:
                code = use.code if use.code is not None else _int_or_none(m.groupdict().get("code"))
                if code is not None and 0 <= code <= 255 and (st.exit_hit is None or ev.line >= st.exit_hit[0].line):
                    st.exit_hit = (ev, code)  # the last line recording a status wins

    # ----------------------------------------------------------------------------------------

    def _evaluate(
        self,
        states: dict[str, _ToolState],
        exit_status: ExitStatus,
        timed_out: dict[int, int],
        source: str,
        *,
        forced: bool,
        stats: InputStats,
        checks: bool,
        budget: _Budget | None = None,
    ) -> RunResult:
        detected = [t for t, st in sorted(states.items()) if t != MASKING and (forced or st.detect_hits >= st.rule.min_matches)]

        if not exit_status.known:
            hits = [(states[t].exit_hit, t) for t in detected if states[t].exit_hit]
            if hits:
                (ev, code), _tool = max(hits, key=lambda h: h[0][0].line)  # type: ignore[index]
                exit_status = ExitStatus.from_code(code, Origin.LOG, where=f"line {ev.line}", line=ev.line, line_text=ev.text)

        timed_signals: dict[tuple[str, str], int] = {}
        for idx, line in timed_out.items():
            if idx < 0:  # a followed_by pattern
                timed_signals[next(k for k, v in self._tail_ids.items() if v == idx)] = line
                continue
            for use in self._uses[idx]:
                if use.role == "signal":
                    timed_signals[(use.tool, use.name)] = line
        stopped = self._deadline_reason(budget) if budget is not None and budget.struck is not None else None
        stopped_severity = DEFAULT_SEVERITY[Kind.INCOMPLETE]
        if stopped is not None:
            # The scan may have stopped before a tool was even detected: the gate stays as shut
            # as the strictest check that might have applied would have kept it.
            rules = getattr(states, "rules", None) or {rf.tool: rf for rf in self.rules}
            for rf in rules.values():
                for check in rf.checks:
                    stopped_severity = max(stopped_severity, check.severity, key=lambda s: s.rank)

        findings: list[Finding] = []
        outcomes: list[CheckOutcome] = []
        fired_any = False
        skipped_for_exit = 0
        for tool in detected:
            st = states[tool]
            context = _context(st, exit_status, self.params.get(tool, {}))
            for check in st.rule.checks:
                check.when.add_matches(context)
            compiled = prepared(context)
            for check in st.rule.checks:
                if stopped is not None:  # the scan did not finish: no check can be trusted
                    if checks:
                        outcomes.append(CheckOutcome(check.full_id, check.tool, check.title, Outcome.SKIPPED, None, stopped))
                    continue
                outcome, reason, finding = self._run_check(check, st, context, compiled, exit_status, timed_signals)
                if reason is _UNKNOWN_EXIT:
                    skipped_for_exit += 1
                if finding is not None:
                    findings.append(finding)
                    if outcome is Outcome.FIRED:
                        fired_any = True
                if checks:
                    outcomes.append(CheckOutcome(check.full_id, check.tool, check.title, outcome, finding, reason))

        if exit_status.known and exit_status.code != 0:
            findings = _explained_elsewhere(findings)

        masking = states.get(MASKING)
        if masking is not None and exit_status.known and any(f.kind is Kind.FALSE_SUCCESS for f in findings):
            findings, named = self._name_masking(masking, findings, exit_status, timed_signals)
            if checks:
                outcomes.extend(named)

        if stopped is not None:
            findings.append(_synthetic(Kind.INCOMPLETE, "Audit deadline exceeded", stopped, severity=stopped_severity))
        if not detected and stats.bytes == 0:
            findings.append(_empty_log(exit_status))
        elif not detected:
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
        elif exit_status.code != 0 and not fired_any and stopped is None:
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
            stats=stats,
        )

    def _over_budget(self, check: Check, st: _ToolState, context: dict[str, Any]) -> str | None:
        """Why the condition may not be evaluated over these values (celcost.py), or None. Most
        conditions are within the budget whatever the log, which is worked out once."""
        worst = self._worst.get(check.full_id)
        if worst is None:
            params = self.params.get(check.tool, {})
            sizes = condition_sizes(st.rule.signals, check.tool, size_of(params))
            worst = self._worst[check.full_id] = check.when.bound().steps(sizes)
        if worst <= self.condition_budget:
            return None
        steps = check.when.bound().steps_over(context)
        if steps <= self.condition_budget:
            return None
        return f"its condition could cost {steps:.3g} steps over this log's values, over the budget of {self.condition_budget:g} (condition_budget)"

    def _deadline_reason(self, budget: _Budget) -> str:
        """One line: where the scan stopped, and the patterns that took the time."""
        slowest = sorted(budget.spent.items(), key=lambda kv: -kv[1])[:3]
        names = []
        for key, seconds in slowest:
            if key < 0:
                tool, name = next(k for k, v in self._tail_ids.items() if v == key)
                who, source = f"{tool}/{name} (followed_by)", self._tails[(tool, name)]
            else:
                use = self._uses[key][0]
                who = f"{use.tool}/{use.name or use.role}"
                source = self._sources[key]
            names.append(f"{who} {cut(source, 60)!r} {seconds:.1f} s")
        return (
            f"audit stopped at line {budget.struck}: its patterns took longer than the deadline "
            f"({budget.seconds:g} s and {DEADLINE_RATE >> 20} MiB a second, --deadline); slowest: {'; '.join(names) or 'none'}"
        )
    def _name_masking(
        self,
        masking: _ToolState,
        findings: list[Finding],
        exit_status: ExitStatus,
        timed_signals: dict[tuple[str, str], int],
    ) -> tuple[list[Finding], list[CheckOutcome]]:
        """Each false-success finding with the masking construct nearest its line appended:
        the message gains "status most likely lost by: <construct> (line N)" and the evidence
        that line. A construct whose check is of kind ``consistent`` is a deliberate one (tox's
        ignore_outcome, a runner that saw the failure and decides the status itself): the
        finding then becomes an info-level consistent one, "explained by: <construct>
        (line N)". Only the masking checks that fire are reported (as
        fired, with no finding of their own): a construct alone is no mismatch."""
        context = _context(masking, exit_status, self.params.get(MASKING, {}))
        for check in masking.rule.checks:
            check.when.add_matches(context)
        compiled = prepared(context)
        constructs: list[Finding] = []
        outcomes: list[CheckOutcome] = []
        for check in masking.rule.checks:
            outcome, _reason, construct = self._run_check(check, masking, context, compiled, exit_status, timed_signals)
            if outcome is Outcome.FIRED and construct is not None and construct.line is not None:
                constructs.append(construct)
                outcomes.append(CheckOutcome(check.full_id, check.tool, check.title, Outcome.FIRED))
        if not constructs:
            return findings, outcomes
        named = []
        for f in findings:
            if f.kind is Kind.FALSE_SUCCESS and f.tool != MASKING:
                at = f.line if f.line is not None else 0
                # A deliberate construct judges the output above it (tox's `env: exit 1` follows
                # the command's output), never a finding after it (tox's own summary).
                near = [c for c in constructs if c.kind is not Kind.CONSISTENT or c.line >= at]  # type: ignore[operator]
                if not near:
                    named.append(f)
                    continue
                # The nearest line wins; on a tie the construct before the failure, then the
                # masking file's order (its checks go from most to least specific).
                best = min(near, key=lambda c: (abs(c.line - at), c.line > at))  # type: ignore[operator]
                cited = {e.line: e for e in f.evidence}
                for e in best.evidence:
                    if e.line == best.line:
                        cited.setdefault(e.line, e)
                evidence = tuple(cited[n] for n in sorted(cited))
                if best.kind is Kind.CONSISTENT:
                    f = replace(
                        f,
                        kind=Kind.CONSISTENT,
                        severity=Severity.INFO,
                        message=f"{f.message}; explained by: {best.message} (line {best.line})",
                        evidence=evidence,
                    )
                else:
                    f = replace(f, message=f"{f.message}; status most likely lost by: {best.message} (line {best.line})", evidence=evidence)
            named.append(f)
        return named, outcomes

    def _run_check(
        self,
        check: Check,
        st: _ToolState,
        context: dict[str, Any],
        compiled: Any,
        exit_status: ExitStatus,
        timed_signals: dict[tuple[str, str], int],
    ) -> tuple[Outcome, str | None, Finding | None]:
        """The check's outcome, why it was skipped (or None), and its finding (or None)."""
        if "exit" in check.when.variables and not exit_status.known:
            return Outcome.SKIPPED, _UNKNOWN_EXIT, None
        for name in sorted(_signals_needed(check, st.rule.signals)) if timed_signals else ():
            if (check.tool, name) in timed_signals:
                line = timed_signals[(check.tool, name)]
                finding = _synthetic(
                    Kind.INCOMPLETE,
                    "Pattern exceeded the regex time limit",
                    f"check {check.full_id} skipped: the pattern of signal {name!r} exceeded the regex time limit ({self.regex_timeout:g} s) at line {line}",
                    check=check.full_id,
                    tool=check.tool,
                    severity=max(DEFAULT_SEVERITY[Kind.INCOMPLETE], check.severity, key=lambda s: s.rank),
                )
                return Outcome.SKIPPED, f"regex time limit exceeded by signal {name!r} at line {line}", finding
        over = self._over_budget(check, st, context)
        if over is not None:
            finding = _synthetic(
                Kind.INCOMPLETE,
                "Condition over its cost budget",
                f"check {check.full_id} skipped: {over}",
                check=check.full_id,
                tool=check.tool,
                severity=max(DEFAULT_SEVERITY[Kind.INCOMPLETE], check.severity, key=lambda s: s.rank),
            )
            return Outcome.SKIPPED, over, finding
        try:
            began = _clock() if self.profile is not None else 0.0
            result = check.when.evaluate(context, compiled)
            if self.profile is not None:
                self.profile.check(check.full_id, _clock() - began, result is True)
        except Exception as exc:  # noqa: BLE001 - any failure of a condition skips that check only
            finding = _synthetic(
                Kind.INCOMPLETE,
                "Condition failed",
                f"check {check.full_id} skipped: its condition failed: {exc}",
                check=check.full_id,
                tool=check.tool,
                # A gate must not open because its check could not run (a bad --param pattern).
                severity=max(DEFAULT_SEVERITY[Kind.INCOMPLETE], check.severity, key=lambda s: s.rank),
            )
            return Outcome.SKIPPED, f"condition failed: {exc}", finding
        if result is not True:
            return Outcome.PASSED, None, None
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
        return Outcome.FIRED, None, finding


# --------------------------------------------------------------------------------------------


NEAR_LINES = 4
"""Lines after a head searched for its tail one by one, before its window joins a stretch."""


def _clock() -> float:
    return time.thread_time()


SEGMENTS_PER_SCAN = 16384
"""Bare CRs scanned together at most: a line of a million progress-bar updates is scanned a piece
of segments at a time, so that memory (several hundred bytes per segment candidate) is bounded
by this, not by the line."""


def _pieces(blocks: Iterable[Block]) -> Iterable[Block]:
    """The blocks, each cut after every SEGMENTS_PER_SCAN-th bare CR (never between CR and LF);
    a later piece follows on from the one before (first_line 0). Empty segments at a cut are
    never candidates, so a cut changes no match."""
    for block in blocks:
        data = block.data
        if data.count(b"\r") <= SEGMENTS_PER_SCAN:
            yield block
            continue
        find, start, first_line = data.find, 0, block.first_line
        while start < len(data):
            pos, crs = start, 0
            while crs < SEGMENTS_PER_SCAN:
                pos = find(b"\r", pos) + 1
                if pos == 0:
                    break
                if data[pos:pos + 1] != b"\n":
                    crs += 1
            end = len(data) if pos == 0 else pos
            yield Block(data[start:end], first_line)
            first_line, start = 0, end


def _merged(windows: list[_Window]) -> list[_Window]:
    """The windows, those of one signal opened on one line (a line of many bare-CR segments,
    each a head) folded into one that counts them all, past the first few: windows of one line
    share their fate, and only the first few pairs are kept as evidence, so the result is the
    same, and a line of a million heads carries one window, not a million."""
    out: list[_Window] = []
    seen: dict[tuple[int, int, int, int], list[_Window]] = {}
    for w in windows:
        key = (id(w.state), w.tail_id, w.line, w.remaining)
        same = seen.setdefault(key, [])
        if len(same) < EVIDENCE_PER_SIGNAL:
            same.append(w)
            out.append(w)
        else:
            same[-1].times += w.times
    return out


def _extend_lines(data: bytes, starts: list[int], count: int) -> None:
    """Add to ``starts`` (line starts in ``data``, at least one) the starts of the lines after,
    up to ``count`` lines in all or the block's end."""
    find = data.find
    while len(starts) < count:
        newline = find(b"\n", starts[-1])
        if newline == -1 or newline + 1 >= len(data):
            return
        starts.append(newline + 1)


def _explained_elsewhere(findings: list[Finding]) -> list[Finding]:
    """A non-zero exit in a log of several tools: a tool whose own summary shows success is no
    false failure, and one whose failure documents another code is no wrong code, when another
    tool's check explains the exit from the log (pytest passed, then minitest failed: the job's
    1 is minitest's; unittest failed inside tox, then tsc's errors exited 2). Its finding stays,
    as an info-level consistent one that says which failure explains the exit."""
    # With a non-zero exit, a check of kind consistent that fired is an explanation of it.
    explained = [f for f in findings if f.kind is Kind.CONSISTENT and f.tool != MASKING]
    doubted = (Kind.FALSE_FAILURE, Kind.WRONG_CODE)
    if not explained or not any(f.kind in doubted for f in findings):
        return findings
    out = []
    for f in findings:
        other = next((e for e in explained if e.tool != f.tool), None) if f.kind in doubted else None
        if other is None:
            out.append(f)
            continue
        out.append(replace(
            f,
            kind=Kind.CONSISTENT,
            severity=Severity.INFO,
            message=f"{f.message}; but {other.tool}'s failure explains the exit ({other.check}" + (f", line {other.line})" if other.line else ")"),
        ))
    return out


def _evidence_line(line: int, text: str) -> Evidence:
    return Evidence(line, text if len(text) <= EVIDENCE_TEXT_MAX else text[:EVIDENCE_TEXT_MAX] + "…")


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
    states = st.signals
    for name, sig in st.rule.signals.items():
        if sig.order is not None:
            a, b = states.get(sig.order[0]), states.get(sig.order[1])
            ctx[name] = a is not None and b is not None and a.first_line is not None and b.last_line is not None and a.first_line < b.last_line
        else:
            ss = states.get(name)
            value = ss.value if ss is not None else sig.default()
            ctx[name] = list(value) if isinstance(value, list) else value
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


EMPTY_LOG_CHECK = "exitaudit/empty-log"


def _empty_log(exit_status: ExitStatus) -> Finding:
    """An empty log is valid input: silent tools (flake8, eslint, ruff) print nothing on
    success. Nothing in it contradicts exit 0, and nothing in it explains a non-zero exit."""
    if not exit_status.known:
        return _synthetic(Kind.EXIT_UNKNOWN, "Exit status unknown", "the log is empty and the exit status unknown (pass --exit-code or --exit-code-file)", check=EMPTY_LOG_CHECK)
    if exit_status.code == 0:
        return _synthetic(Kind.CONSISTENT, "Empty log, exit 0", "the log is empty, and the run exited 0: nothing contradicts it", check=EMPTY_LOG_CHECK)
    return _synthetic(
        Kind.UNEXPLAINED_FAILURE,
        "Non-zero exit with an empty log",
        f"{exit_status.describe()}, and the log is empty: nothing explains it",
        check=EMPTY_LOG_CHECK,
    )


def _synthetic(
    kind: Kind,
    title: str,
    message: str,
    evidence: tuple[Evidence, ...] = (),
    *,
    check: str | None = None,
    tool: str = "exitaudit",
    severity: Severity | None = None,
) -> Finding:
    return Finding(
        check=check or f"exitaudit/{kind.value}",
        tool=tool,
        kind=kind,
        severity=severity or DEFAULT_SEVERITY[kind],
        title=title,
        message=message,
        evidence=evidence,
        line=evidence[0].line if evidence else None,
    )


# --------------------------------------------------------------------------------------------


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
    from .steps import audit_job  # through the CI envelope layer, as `exitaudit check` reads a log

    blocks = blocks_of(log) if isinstance(log, str | bytes) else log
    return audit_job(Engine(rules), blocks, exit_status, tools=tools, source=source)
