"""Weighing templates against exit statuses, and the runs that exited 0 despite them.

Per template: the runs holding it that succeeded (``zero``) and failed (``nonzero``), by their
exit status, corrected where the pack knows better (a run it flags as a false success failed; a
false failure succeeded); runs whose status is unknown are not weighed. A template is a **failure template** when

- ``nonzero >= min_support`` (default 3): seen in enough failing runs to be a pattern,
- it is in at most ``max_share`` (default 50%) of all runs: not a line of every run,
- its **score** is at least ``min_score`` (default 0.3).

The score is how much better than the archive's base failure rate ``p0`` the template predicts
a failing exit, measured cautiously: the lower bound ``L`` of the 68% Wilson interval (``Z``) of
``nonzero / (zero + nonzero)``, rescaled as ``(L - p0) / (1 - p0)`` so that the base rate is 0
and certainty 1. It is halved when the template does not read as a failure (no word such as
error, failed, fatal, exception, denied, panic, timeout): a line that only tends to come with
failing runs (a retry notice, a slow mirror) is a weaker witness of a lie than one that says
something failed. A run that
exited 0 and holds failure templates is a **candidate lie**, scored by its best template; a
candidate the pack already flags (a false-success, wrong-code or false-failure finding) is
marked known.

Memory: one small record per distinct template (counts, three example references, a few tool
counts) and one per run (its source and status); each run's template list is spooled to a
temporary file, not kept, and read back once for the candidates.
"""

from __future__ import annotations

import math
import os
import re
import struct
import tempfile
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from .collect import MinedRun

FAILURE_WORDS = re.compile(
    r"(?i)\b(?:error|errors|err!|fail|failed|failure|failures|fatal|exception|traceback|panic|panicked|abort|aborted|"
    r"denied|refused|forbidden|unauthori[sz]ed|killed|segmentation fault|core dumped|timed? ?out|timeout|cannot|can't|"
    r"could not|couldn't|unable|not found|no such|invalid|missing|broken|crash|crashed|critical|rejected|conflict)\b"
)
EXAMPLES = 3
TOOLS_KEPT = 6
TEMPLATES_MAX = 2_000_000
"""Distinct templates kept; past it, those seen in a single run are dropped (they can never
reach min_support) so memory stays bounded on an archive of any size."""


@dataclass
class Params:
    min_support: int = 3
    min_score: float = 0.3
    max_share: float = 0.5
    top: int = 200
    """Templates in the report (failure templates first, then by score)."""
    candidates: int = 1000
    """Candidate lies in the report, best first."""


@dataclass
class TemplateStat:
    zero: int = 0
    nonzero: int = 0
    examples: list[tuple[int, int]] = field(default_factory=list)
    """(run index, line), the first few runs holding it."""
    tools: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class RunInfo:
    source: str
    exit_code: int | None
    tools: tuple[str, ...]
    verdict: str
    known: bool


Z = 1.0
"""The Wilson interval's z: a 68% interval. Mining ranks for a person to read, over archives
of tens of runs as well as of thousands; at 95% a template seen in 4 failing runs of a small
archive and in none that succeeded could never stand out."""


def wilson_lower(k: int, n: int, z: float = Z) -> float:
    if n == 0:
        return 0.0
    p = k / n
    denom = 1 + z * z / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - spread) / denom)


class Archive:
    """The mining run's counts, fed one MinedRun at a time, in input order."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self.stats: dict[int, TemplateStat] = {}
        self.runs: list[RunInfo] = []
        self.unreadable: list[str] = []
        self.zero = self.nonzero = self.unknown = 0
        fd, self._spool_path = tempfile.mkstemp(prefix="exitaudit-mine-", suffix=".bin")
        self._spool = os.fdopen(fd, "w+b")
        os.unlink(self._spool_path)  # nothing left behind, whatever happens

    def close(self) -> None:
        self._spool.close()

    # Feeding -----------------------------------------------------------------------------------

    def add(self, mined: MinedRun | None, error: str | None, source: str) -> None:
        if mined is None:
            self.unreadable.append(error or f"{source}: not read")
            return
        index = len(self.runs)
        self.runs.append(RunInfo(mined.source, mined.exit_code, mined.tools, mined.verdict, mined.known))
        self._spool.write(struct.pack("<II", index, len(mined.hashes) // 8))
        self._spool.write(mined.hashes)
        self._spool.write(mined.lines)
        if mined.exit_code is None:
            self.unknown += 1
            return
        # Weighed by what the run really did as far as the pack knows: a false success it flags
        # failed, a false failure it flags succeeded. Lies the rules know then make their lines
        # stronger witnesses of failure instead of diluting them.
        if mined.flag == "false-success":
            failed = True
        elif mined.flag == "false-failure":
            failed = False
        else:
            failed = mined.exit_code != 0
        if failed:
            self.nonzero += 1
        else:
            self.zero += 1
        tool_key = " ".join(mined.tools) or "(none)"
        stats = self.stats
        hs = array("Q", mined.hashes)
        ls = array("I", mined.lines)
        for h, line in zip(hs, ls):
            st = stats.get(h)
            if st is None:
                st = stats[h] = TemplateStat()
            if failed:
                st.nonzero += 1
            else:
                st.zero += 1
            if len(st.examples) < EXAMPLES:
                st.examples.append((index, line))
            if len(st.tools) < TOOLS_KEPT or tool_key in st.tools:
                st.tools[tool_key] += 1
        if len(stats) > TEMPLATES_MAX:
            self._prune()

    def _prune(self) -> None:
        self.stats = {h: st for h, st in self.stats.items() if st.zero + st.nonzero > 1}

    def spooled(self) -> Iterator[tuple[int, array, array]]:
        """Every run's (index, template hashes, first lines), in input order."""
        f = self._spool
        f.flush()
        f.seek(0)
        while True:
            head = f.read(8)
            if not head:
                return
            index, n = struct.unpack("<II", head)
            hs = array("Q")
            hs.frombytes(f.read(8 * n))
            ls = array("I")
            ls.frombytes(f.read(4 * n))
            yield index, hs, ls

    # Weighing ----------------------------------------------------------------------------------

    @property
    def weighed(self) -> int:
        return self.zero + self.nonzero

    def base_rate(self) -> float:
        return self.nonzero / self.weighed if self.weighed else 0.0

    def score(self, st: TemplateStat, text: str | None = None) -> float:
        """0 (no better than the base rate) to 1 (every run holding it failed, with support)."""
        p0 = self.base_rate()
        if p0 >= 1.0:
            return 0.0
        lower = wilson_lower(st.nonzero, st.zero + st.nonzero)
        value = max(0.0, (lower - p0) / (1 - p0))
        if text is not None and not FAILURE_WORDS.search(text):
            value /= 2
        return round(value, 4)

    def eligible(self) -> dict[int, TemplateStat]:
        """Templates that may be failure templates, before their text is known: enough support,
        not in most runs, a score that could reach min_score."""
        p = self.params
        limit = p.max_share * self.weighed
        return {
            h: st for h, st in self.stats.items()
            if st.nonzero >= p.min_support and st.zero + st.nonzero <= limit and self.score(st) >= p.min_score
        }


@dataclass(frozen=True)
class Candidate:
    run: int
    score: float
    templates: tuple[int, ...]
    """Its failure templates, best first."""
    lines: tuple[int, ...]
    """The first line of each of those templates in this run."""


def candidates(archive: Archive, failure: dict[int, float]) -> list[Candidate]:
    """Runs that exited 0 and hold failure templates (hash -> score), best first."""
    out = []
    for index, hs, ls in archive.spooled():
        info = archive.runs[index]
        if info.exit_code != 0:
            continue
        found = sorted(((failure[h], h, line) for h, line in zip(hs, ls) if h in failure), key=lambda t: (-t[0], t[2]))
        if found:
            out.append(Candidate(index, found[0][0], tuple(h for _s, h, _l in found), tuple(line for _s, _h, line in found)))
    out.sort(key=lambda c: (-c.score, -len(c.templates), c.run))
    return out[: archive.params.candidates]
