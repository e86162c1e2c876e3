"""The result objects: what an audit returns and every reporter reads."""

from __future__ import annotations

import re
import signal as _signal
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum


class Kind(str, Enum):
    """What a finding says about the exit status. The run's verdict is the worst kind found."""

    CONSISTENT = "consistent"
    """The exit status agrees with the evidence (success or failure alike)."""
    FALSE_SUCCESS = "false-success"
    """Exit 0, but the log shows failure."""
    WRONG_CODE = "wrong-code"
    """Non-zero, but not the code the tool documents for what the log shows."""
    FALSE_FAILURE = "false-failure"
    """Non-zero, but the log proves success."""
    UNEXPLAINED_FAILURE = "unexplained-failure"
    """Non-zero and no rule explains it."""
    NO_COVERAGE = "no-coverage"
    """No rule file applied to the log."""
    EXIT_UNKNOWN = "exit-status-unknown"
    """No exit status was given or found, so checks that need one could not run."""
    INCOMPLETE = "audit-incomplete"
    """A check could not be evaluated (a pattern hit the regex time limit, a condition failed)."""
    EXPIRED_SUPPRESSION = "expired-suppression"
    """A suppression of the configuration file whose ``until`` date has passed: a fact about the
    configuration, not about the run, so never a run's verdict."""

    @property
    def is_mismatch(self) -> bool:
        """Not consistent: a kind that can be a run's verdict in place of ``consistent``."""
        return self is not Kind.CONSISTENT and self is not Kind.EXPIRED_SUPPRESSION

    @property
    def disagrees(self) -> bool:
        """The log and the exit status disagree (or the log does not explain a failure): what
        summaries count as mismatches. no-coverage, exit-status-unknown and audit-incomplete say
        that a run was not (fully) audited, not that it lied."""
        return self in _DISAGREEMENTS


# Verdict precedence, worst first: a run with several findings takes the first kind present.
VERDICT_ORDER: tuple[Kind, ...] = (
    Kind.FALSE_SUCCESS,
    Kind.WRONG_CODE,
    Kind.FALSE_FAILURE,
    Kind.UNEXPLAINED_FAILURE,
    Kind.INCOMPLETE,
    Kind.NO_COVERAGE,
    Kind.EXIT_UNKNOWN,
    Kind.CONSISTENT,
)


_DISAGREEMENTS = frozenset({Kind.FALSE_SUCCESS, Kind.WRONG_CODE, Kind.FALSE_FAILURE, Kind.UNEXPLAINED_FAILURE})


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}

# Defaults in one place: the two lies a CI step is fooled by are errors, the rest warnings.
DEFAULT_SEVERITY: dict[Kind, Severity] = {
    Kind.CONSISTENT: Severity.INFO,
    Kind.FALSE_SUCCESS: Severity.ERROR,
    Kind.WRONG_CODE: Severity.ERROR,
    Kind.FALSE_FAILURE: Severity.WARNING,
    Kind.UNEXPLAINED_FAILURE: Severity.WARNING,
    Kind.NO_COVERAGE: Severity.WARNING,
    Kind.EXIT_UNKNOWN: Severity.WARNING,
    Kind.INCOMPLETE: Severity.WARNING,
    Kind.EXPIRED_SUPPRESSION: Severity.WARNING,
}

KIND_ORDER: tuple[Kind, ...] = (*VERDICT_ORDER[:-1], Kind.EXPIRED_SUPPRESSION, Kind.CONSISTENT)
"""Every kind, most important first: the verdicts' order, with the one kind that is never a
verdict before ``consistent``."""


class Origin(str, Enum):
    """Where the exit status came from."""

    FLAG = "flag"
    FILE = "file"
    LOG = "log"
    RUN = "run"
    """exitaudit run started the command and saw how it ended."""
    UNKNOWN = "unknown"


def signal_name(number: int) -> str | None:
    try:
        return _signal.Signals(number).name
    except ValueError:
        return None


_DECIMAL = re.compile(r"[0-9]{1,3}")
_SIGNAL = re.compile(r"-[0-9]{1,2}")
"""The forms ExitStatus.parse accepts: ``$?``'s, and ``-N`` (a signal, as Python reports it)."""


@dataclass(frozen=True)
class ExitStatus:
    """How the audited run ended.

    ``code`` is the number a shell's ``$?`` shows (0-255). A run killed by signal N is recorded by
    shells as 128+N; such a code carries the signal's name too. ``code`` is None only when the
    status is unknown.
    """

    code: int | None
    signal: str | None = None
    origin: Origin = Origin.UNKNOWN
    where: str | None = None
    """A human-readable pointer to the source (``--exit-code``, a file path, ``log:123``)."""
    line: int | None = None
    """For origin=log: the line of the log that recorded the status."""
    line_text: str | None = None
    failed: bool = False
    """With code None: the log records that the run failed, but no exit code (a CI job that
    ended `Finished: FAILURE`): "failed, code unknown", not merely unknown."""
    inferred: bool = False
    """The status is inferred, not printed (a GitHub step that was followed by another)."""

    @property
    def known(self) -> bool:
        return self.code is not None

    @classmethod
    def unknown(cls) -> ExitStatus:
        return cls(code=None, origin=Origin.UNKNOWN)

    @classmethod
    def from_code(cls, code: int, origin: Origin, where: str | None = None, **kw: object) -> ExitStatus:
        # 128+N is how POSIX shells report death by signal N; it is also the convention
        # supervisors and CI runners follow, so name the signal (137 -> SIGKILL, the OOM killer).
        sig = signal_name(code - 128) if 128 < code < 128 + 65 else None
        return cls(code=code, signal=sig, origin=origin, where=where, **kw)  # type: ignore[arg-type]

    @classmethod
    def parse(cls, text: str, origin: Origin, where: str) -> ExitStatus:
        """An exit status as a user writes it: what ``$?`` prints (``0`` to ``255``, ASCII digits,
        surrounding whitespace and the newline of ``echo $? > FILE`` allowed), or ``-N`` for death
        by signal N (1-64), as Python's subprocess reports it (-9 -> 137, SIGKILL). Anything else
        (``+5``, ``1_0``, ``0x1``, ``٣``, ``-0``) is refused: ``int()`` would take most of them."""
        from .errors import InputError

        value = text.strip(" \t\r\n\v\f")
        if _DECIMAL.fullmatch(value):
            code = int(value)
            if code > 255:
                raise InputError(f"exit code {code} is out of range (0 to 255)", where=where)
            return cls.from_code(code, origin, where)
        if _SIGNAL.fullmatch(value) and 1 <= int(value[1:]) <= 64:
            return cls.from_code(128 + int(value[1:]), origin, where)
        shown = value if len(value) <= 20 else value[:20] + "…"
        raise InputError(
            f"expected an exit code from 0 to 255 as $? prints it, or -N for death by signal N (1 to 64), got {shown!r}",
            where=where,
        )

    def describe(self) -> str:
        if self.code is None:
            return "failed, exit code unknown" if self.failed else "exit status unknown"
        text = f"exit {self.code}"
        if self.signal:
            text += f" ({self.signal})"
        return text


@dataclass(frozen=True)
class Evidence:
    line: int
    text: str
    original: str | None = None
    """The line as the log holds it, where a CI envelope (a timestamp, markers) was removed
    from ``text`` before the rules read it; None where the two are the same."""


@dataclass(frozen=True)
class Finding:
    check: str
    """Full check id, ``tool/check-id``; synthesised findings use ``exitaudit/<kind>``."""
    tool: str
    kind: Kind
    severity: Severity
    title: str
    message: str
    evidence: tuple[Evidence, ...] = ()
    """In line order."""
    references: tuple[str, ...] = ()
    line: int | None = None
    """The line a report points at: the first hit of the check's first evidence signal."""
    step: str | None = None
    """The CI job step the finding was made in (steps.py); None for a log without steps."""


class Outcome(str, Enum):
    """What became of one applicable check, for reports that list every check (JUnit)."""

    PASSED = "passed"
    FIRED = "fired"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class CheckOutcome:
    check: str
    tool: str
    title: str
    outcome: Outcome
    finding: Finding | None = None
    reason: str | None = None
    """Why a check was skipped (the exit status is unknown, the regex time limit struck)."""
    step: str | None = None


@dataclass(frozen=True)
class InputStats:
    lines: int = 0
    bytes: int = 0
    """Bytes after decompression."""
    invalid_utf8: int = 0
    """Byte sequences that are not UTF-8; they are matched as U+FFFD."""
    compression: str | None = None


@dataclass(frozen=True)
class StepResult:
    """One step of a CI job, audited on its own (steps.py)."""

    name: str
    first_line: int
    last_line: int
    exit_status: ExitStatus
    """The status the platform recorded for this step (or inferred, see ExitStatus.inferred)."""
    tools: tuple[str, ...]
    verdict: Kind
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class RunResult:
    """The audit of one log: everything a reporter needs, nothing it has to recompute."""

    source: str
    exit_status: ExitStatus
    tools: tuple[str, ...]
    verdict: Kind
    findings: tuple[Finding, ...]
    checks: tuple[CheckOutcome, ...] = ()
    stats: InputStats = field(default_factory=InputStats)
    steps: tuple[StepResult, ...] = ()
    """A CI job log's steps, each audited against its own status; empty for other logs."""
    platform: str | None = None
    """The CI platform whose envelope the log was read in (envelope.py), or None."""

    def verdict_severity(self) -> Severity | None:
        """The highest severity among the findings of the verdict's kind (None: consistent
        without findings). Below the kind's default when the rule file lowered its checks'."""
        ranks = [f.severity for f in self.findings if f.kind is self.verdict]
        return max(ranks, key=lambda s: s.rank) if ranks else None

    def worst_severity(self) -> Severity | None:
        ranks = [f.severity for f in self.findings]
        return max(ranks, key=lambda s: s.rank) if ranks else None


@dataclass(frozen=True)
class Unreadable:
    """A log named on the command line that could not be audited (missing, binary, corrupt).
    Every report lists it as an error, so that no report reads as if it had been audited clean."""

    source: str
    message: str


@dataclass(frozen=True)
class Report:
    """Every run of one invocation, and the threshold that decides failure."""

    runs: tuple[RunResult, ...]
    fail_on: Severity = Severity.ERROR
    unreadable: tuple[Unreadable, ...] = ()
    """Logs that could not be read; exitaudit then exits 2 after writing every report."""

    def failing(self, finding: Finding) -> bool:
        # Severity alone decides. Mismatches default to error or warning and explanations to
        # info, which never fails; a rule may still make an honest failure gate (a `consistent`
        # check with severity error, e.g. a failing core test among non-gating ones).
        return finding.severity.rank >= self.fail_on.rank

    @property
    def has_failures(self) -> bool:
        return any(self.failing(f) for run in self.runs for f in run.findings)


def verdict_counts(verdicts: Mapping[Kind, int], lowered: Mapping[tuple[Kind, Severity], int]) -> list[str]:
    """``23 false-success (2 at warning)``: runs per verdict in verdict order, and how many of
    them stand at a severity a rule file's explicit ``severity`` lowered below the kind's
    default (``lowered``: by verdict and that severity), so that a summary and its count of
    findings at or above --fail-on agree."""
    out = []
    for kind in VERDICT_ORDER:
        if not verdicts.get(kind):
            continue
        text = f"{verdicts[kind]} {kind.value}"
        below = [f"{lowered[(kind, sev)]} at {sev.value}" for sev in (Severity.WARNING, Severity.INFO) if lowered.get((kind, sev))]
        if below:
            text += f" ({', '.join(below)})"
        out.append(text)
    return out


def lowered_verdict(run: RunResult) -> Severity | None:
    """The severity the run's verdict stands at, when below its kind's default; else None."""
    sev = run.verdict_severity()
    return sev if sev is not None and sev.rank < DEFAULT_SEVERITY[run.verdict].rank else None
