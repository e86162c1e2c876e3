"""HTML, a mining run: the failure templates and the candidate lies on one self-contained page
(html_page.py: autoescaped, no request of any kind, no script)."""

from __future__ import annotations

from collections.abc import Callable

from ..mining.report import headline
from ..mining.session import MineResult
from .html_page import page

SHOWN = 500
"""Candidates on the page (the JSON report has them all)."""


def render(result: MineResult, *, link: Callable[[str], str | None] = lambda source: None) -> str:
    cands = sorted(result.candidates, key=lambda c: c.known)[:SHOWN]
    return page(
        "mine.html.j2",
        headline=headline(result),
        runs=result.runs,
        failure_templates=sum(t.failure for t in result.templates),
        new=sum(not c.known for c in result.candidates),
        known=sum(c.known for c in result.candidates),
        templates=[
            {"score": t.score, "runs_nonzero": t.runs_nonzero, "runs_exit_zero": t.runs_exit_zero, "template": t.template,
             "example": f"{t.examples[0][0]}:{t.examples[0][1]}: {t.examples[0][2]}" if t.examples else ""}
            for t in result.templates if t.failure
        ],
        candidates=[{"score": c.score, "known": c.known, "source": c.source, "link": link(c.source), "evidence": list(c.evidence)} for c in cands],
    )
