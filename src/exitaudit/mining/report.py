"""What a mining run reports: the JSON document (schema ``schemas/mine.schema.json``, printed by
``exitaudit schema mine``), the candidates and templates as tables (CSV, JSON Lines, Parquet),
and a summary for a terminal or a CI log."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from .. import __version__
from .session import MineResult

if TYPE_CHECKING:
    import polars as pl

SCHEMA_VERSION = "1.0"
SHOWN = 15
"""Candidates and failure templates printed on the terminal."""


def _template(row) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "template": row.template,
        "runs_exit_zero": row.runs_exit_zero,
        "runs_nonzero": row.runs_nonzero,
        "score": row.score,
        "failure": row.failure,
        "tools": row.tools,
        "examples": [{"source": s, "line": n, "text": t} for s, n, t in row.examples],
    }


def _candidate(c) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "source": c.source,
        "exit_status": {"code": c.exit_code},
        "score": c.score,
        "templates": list(c.templates),
        "evidence": [{"line": n, "text": t} for n, t in c.evidence],
        "known": c.known,
        "tools": list(c.tools),
        "verdict": c.verdict,
    }


def document(result: MineResult) -> dict[str, Any]:
    p = result.params
    return {
        "schema_version": SCHEMA_VERSION,
        "exitaudit_version": __version__,
        "runs": {
            "total": result.runs, "exit_zero": result.exit_zero, "nonzero": result.nonzero,
            "unknown": result.unknown, "unreadable": len(result.unreadable),
        },
        "parameters": {"min_support": p.min_support, "min_score": p.min_score, "max_share": p.max_share},
        "templates": [_template(r) for r in result.templates],
        "candidates": [_candidate(c) for c in result.candidates],
    }


def render_json(result: MineResult) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"


def render_jsonl(result: MineResult) -> str:
    """One candidate per line."""
    return "".join(json.dumps(_candidate(c), ensure_ascii=False) + "\n" for c in result.candidates)


def candidates_frame(result: MineResult) -> pl.DataFrame:
    import polars as pl

    cs = result.candidates
    return pl.DataFrame({
        "source": pl.Series([c.source for c in cs], dtype=pl.String),
        "exit_code": pl.Series([c.exit_code for c in cs], dtype=pl.Int64),
        "score": pl.Series([c.score for c in cs], dtype=pl.Float64),
        "known": pl.Series([c.known for c in cs], dtype=pl.Boolean),
        "tools": pl.Series([" ".join(c.tools) for c in cs], dtype=pl.String),
        "verdict": pl.Series([c.verdict for c in cs], dtype=pl.String),
        "templates": pl.Series([" | ".join(c.templates) for c in cs], dtype=pl.String),
        "evidence": pl.Series([" | ".join(f"{n}: {t}" for n, t in c.evidence) for c in cs], dtype=pl.String),
    })


def templates_frame(result: MineResult) -> pl.DataFrame:
    import polars as pl

    ts = result.templates
    return pl.DataFrame({
        "template": pl.Series([t.template for t in ts], dtype=pl.String),
        "runs_exit_zero": pl.Series([t.runs_exit_zero for t in ts], dtype=pl.Int64),
        "runs_nonzero": pl.Series([t.runs_nonzero for t in ts], dtype=pl.Int64),
        "score": pl.Series([t.score for t in ts], dtype=pl.Float64),
        "failure": pl.Series([t.failure for t in ts], dtype=pl.Boolean),
        "tools": pl.Series([", ".join(f"{k} ({v})" for k, v in t.tools.items()) for t in ts], dtype=pl.String),
        "example": pl.Series([f"{t.examples[0][0]}:{t.examples[0][1]}: {t.examples[0][2]}" if t.examples else "" for t in ts], dtype=pl.String),
    })


def headline(result: MineResult) -> str:
    unknown = sum(1 for c in result.candidates if not c.known)
    text = (
        f"Mined {result.runs} run(s) ({result.exit_zero} succeeded, {result.nonzero} failed, by their exit status and the pack's findings"
        + (f", {result.unknown} status unknown" if result.unknown else "")
        + (f", {len(result.unreadable)} unreadable" if result.unreadable else "")
        + f"): {sum(t.failure for t in result.templates)} failure template(s); "
        f"{len(result.candidates)} run(s) exited 0 with failure lines, {unknown} of them not flagged by any rule."
    )
    return text


def _new_first(result: MineResult) -> list:  # type: ignore[type-arg]
    """Candidates no rule flags first: they are what mining is for."""
    return sorted(result.candidates, key=lambda c: c.known)


def plain(result: MineResult) -> str:
    """For a CI log: the headline and the best candidates, one line each."""
    lines = [headline(result)]
    for c in _new_first(result)[:SHOWN]:
        mark = "known" if c.known else "NEW"
        first = f" ({c.evidence[0][0]}: {c.evidence[0][1]})" if c.evidence else ""
        lines.append(f"  {c.score:.2f} {mark:5} {c.source}{first}")
    return "\n".join(lines) + "\n"


def print_table(result: MineResult, file: Any = None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=file or sys.stdout, highlight=False)
    t = Table(title="Failure templates", title_justify="left")
    for h, j in (("score", "right"), ("non-zero", "right"), ("exit 0", "right"), ("template", "left")):
        t.add_column(h, justify=j, overflow="fold")  # type: ignore[arg-type]
    for row in [r for r in result.templates if r.failure][:SHOWN]:
        t.add_row(f"{row.score:.2f}", str(row.runs_nonzero), str(row.runs_exit_zero), row.template)
    console.print(t)
    c = Table(title="Runs that exited 0 with failure lines (candidate lies)", title_justify="left")
    for h, j in (("score", "right"), ("rule", "left"), ("run", "left"), ("evidence", "left")):
        c.add_column(h, justify=j, overflow="fold")  # type: ignore[arg-type]
    for cand in _new_first(result)[:SHOWN]:
        ev = f"{cand.evidence[0][0]}: {cand.evidence[0][1]}" if cand.evidence else ""
        c.add_row(f"{cand.score:.2f}", "known" if cand.known else "none", cand.source, ev)
    console.print(c)
    console.print(headline(result), markup=False)
