"""A mining run from start to end: every log audited and templated (in worker processes or on a
Dask cluster), the templates weighed, the texts of the few templates that matter read back from
their example lines, the candidate lies ranked with their evidence."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..context import cut, excerpt, file_opener
from .collect import Outcome
from .score import Archive, Candidate, Params, candidates
from .templates import display, template_of

EVIDENCE_SHOWN = 5
"""Evidence lines per candidate (its best failure templates' first lines)."""


@dataclass(frozen=True)
class TemplateRow:
    hash: int
    template: str
    """As reports show it (tokens as <NAME>)."""
    key: str
    """As the masks made it (templates.py): what ``to_pattern`` reads."""
    runs_exit_zero: int
    runs_nonzero: int
    score: float
    failure: bool
    tools: dict[str, int]
    examples: tuple[tuple[str, int, str], ...]
    """(source, line, text)."""


@dataclass(frozen=True)
class CandidateRow:
    source: str
    exit_code: int
    score: float
    templates: tuple[str, ...]
    evidence: tuple[tuple[int, str], ...]
    known: bool
    tools: tuple[str, ...]
    verdict: str


@dataclass
class MineResult:
    params: Params
    runs: int
    exit_zero: int
    nonzero: int
    unknown: int
    unreadable: list[str]
    templates: list[TemplateRow]
    candidates: list[CandidateRow]
    archive: Archive
    """Kept open for the drafts (they read the spool again); close() when done."""
    failure: dict[int, TemplateRow]

    def close(self) -> None:
        self.archive.close()


PLATFORM: str | None = None
"""``--platform`` of the mining run (the templater's envelope, collect.py)."""


def read_lines(source: str, lines: Iterable[int]) -> dict[int, str]:
    """Lines of a log read again, as the templater saw them: without the CI envelope, a
    progress bar's last segment."""
    opener = file_opener(source)
    if opener is None:
        return {}
    return {n: t.rsplit("\r", 1)[-1] for n, t in excerpt(opener, lines, unwrap=True, platform=PLATFORM).items()}


def _texts(archive: Archive, wanted: dict[int, list[tuple[int, int]]]) -> dict[int, list[tuple[str, int, str]]]:
    """For each template hash, its example lines' (source, line, text), reading each example
    run once."""
    by_run: dict[int, set[int]] = defaultdict(set)
    for refs in wanted.values():
        for run, line in refs:
            by_run[run].add(line)
    read = {run: read_lines(archive.runs[run].source, lines) for run, lines in by_run.items()}
    return {
        h: [(archive.runs[run].source, line, cut(read[run][line], 300)) for run, line in refs if line in read[run]]
        for h, refs in wanted.items()
    }


def mine(
    tasks: Sequence[tuple],
    outcomes: Iterable[Outcome],
    params: Params,
    *,
    say: Callable[[str], None] = lambda message: None,
) -> MineResult:
    archive = Archive(params)
    try:
        for task, (mined, error) in zip(tasks, outcomes, strict=True):
            if error is not None:
                say(error)
            archive.add(mined, error, task[0])
        return _weigh(archive, params)
    except BaseException:
        archive.close()
        raise


def _weigh(archive: Archive, params: Params) -> MineResult:
    eligible = archive.eligible()
    # The top templates by score before their text is known, so the report's table is full.
    extra = heapq.nlargest(
        max(0, params.top - len(eligible)),
        (h for h, st in archive.stats.items() if h not in eligible and st.nonzero > 0),
        key=lambda h: archive.score(archive.stats[h]),
    )
    wanted = {h: archive.stats[h].examples for h in [*eligible, *extra]}
    texts = _texts(archive, wanted)
    rows: dict[int, TemplateRow] = {}
    for h, examples in texts.items():
        if not examples:
            continue  # the log changed since it was read, or cannot be read again
        st = archive.stats[h]
        text = template_of(examples[0][2])
        score = archive.score(st, text)
        rows[h] = TemplateRow(
            hash=h, template=display(text), key=text, runs_exit_zero=st.zero, runs_nonzero=st.nonzero, score=score,
            failure=h in eligible and score >= params.min_score,
            tools=dict(st.tools.most_common()), examples=tuple(examples),
        )
    failure = {h: r for h, r in rows.items() if r.failure}
    ranked = sorted(rows.values(), key=lambda r: (not r.failure, -r.score, -r.runs_nonzero, r.template))[: params.top]
    found = candidates(archive, {h: r.score for h, r in failure.items()})
    return MineResult(
        params=params, runs=len(archive.runs) + len(archive.unreadable), exit_zero=archive.zero, nonzero=archive.nonzero,
        unknown=archive.unknown, unreadable=archive.unreadable, templates=ranked,
        candidates=_candidate_rows(archive, found, failure), archive=archive, failure=failure,
    )


def _candidate_rows(archive: Archive, found: list[Candidate], failure: dict[int, TemplateRow]) -> list[CandidateRow]:
    out = []
    for c in found:
        info = archive.runs[c.run]
        shown = sorted(c.lines[:EVIDENCE_SHOWN])
        text = read_lines(info.source, shown)
        out.append(CandidateRow(
            source=info.source, exit_code=0, score=c.score,
            templates=tuple(failure[h].template for h in c.templates),
            evidence=tuple((n, cut(text[n], 300)) for n in shown if n in text),
            known=info.known, tools=info.tools, verdict=info.verdict,
        ))
    return out
