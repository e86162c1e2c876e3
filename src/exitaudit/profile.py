"""``--profile``: where one audit's time went, per signal and per check, printed to stderr.

Rule authors see which of their patterns are expensive, the way semgrep's ``--time`` and
Sigma's tools show it: the CPU seconds spent confirming each pattern's candidate lines (and the
lines it matched), the one pass over the bytes that finds the candidates (Hyperscan or the
literal prefilter), the followed_by windows, and each check's condition.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import IO, Any


@dataclass
class Profile:
    """What the engine records while it audits (Engine.profile)."""

    scan: float = 0.0
    """Seconds of the pass over every byte: finding candidate lines."""
    follow: float = 0.0
    """Seconds of looking for followed_by tails after their heads."""
    patterns: dict[str, list[float]] = field(default_factory=dict)
    """Who uses a pattern (Engine.pattern_users) -> [seconds, lines it matched]."""
    checks: dict[str, list[Any]] = field(default_factory=dict)
    """Check id -> [seconds, times evaluated, times fired]."""
    started: float = field(default_factory=time.process_time)

    def pattern(self, users: str, seconds: float, hits: int) -> None:
        row = self.patterns.setdefault(users, [0.0, 0])
        row[0] += seconds
        row[1] += hits

    def check(self, check_id: str, seconds: float, fired: bool) -> None:
        row = self.checks.setdefault(check_id, [0.0, 0, 0])
        row[0] += seconds
        row[1] += 1
        row[2] += fired


def clock() -> float:
    return time.thread_time()


def render(profile: Profile, out: IO[str], top: int = 25) -> None:
    """The profile as tables, the most expensive first; a pattern is named by who uses it
    (``tool/signal``, ``tool:detect``, ...)."""
    total = time.process_time() - profile.started
    confirm = sum(s for s, _h in profile.patterns.values())
    conditions = sum(row[0] for row in profile.checks.values())
    out.write(f"exitaudit profile (CPU seconds of this process): total {total:.3f}\n")
    out.write(f"  finding candidate lines (one pass over the bytes)  {profile.scan:8.3f}\n")
    out.write(f"  confirming them, all patterns                      {confirm:8.3f}\n")
    out.write(f"  followed_by windows                                {profile.follow:8.3f}\n")
    out.write(f"  conditions, all checks                             {conditions:8.3f}\n")
    rows = sorted(profile.patterns.items(), key=lambda kv: -kv[1][0])
    if rows:
        out.write(f"  {'seconds':>8} {'lines':>9}  pattern used by\n")
        for users, (seconds, hits) in rows[:top]:
            out.write(f"  {seconds:8.3f} {int(hits):9d}  {users}\n")
        if len(rows) > top:
            out.write(f"  ... and {len(rows) - top} more pattern(s)\n")
    checks = sorted(profile.checks.items(), key=lambda kv: -kv[1][0])
    if checks:
        out.write(f"  {'seconds':>8} {'fired':>9}  check\n")
        for check_id, (seconds, _n, fired) in checks[:top]:
            out.write(f"  {seconds:8.3f} {fired:9d}  {check_id}\n")
        if len(checks) > top:
            out.write(f"  ... and {len(checks) - top} more check(s)\n")
