"""HTML, a batch audit: one self-contained page for a person deciding what to fix.

The headline (runs, verdicts, false-success rate, period), mismatches over time per tool when a
date column exists, the checks that fire most, the per-tool summary, and every run, with its
findings and evidence a click away. The worst runs are written as a plain table (it reads
without JavaScript and prints); all runs travel as JSON data that a small script filters,
searches and pages, so 10,000 runs stay a page of a few MB that opens at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..model import VERDICT_ORDER, Kind
from .html_page import asset, page, script_json, verdict_class

if TYPE_CHECKING:
    import polars as pl

    from ..batch import Results

STATIC_RUNS = 200
"""Runs written as plain HTML, worst first; the rest only as data for the script."""
TOP_CHECKS = 15
_RANK = {k.value: i for i, k in enumerate(VERDICT_ORDER)}


def _mismatch_kinds() -> set[str]:
    return {k.value for k in Kind if k.is_mismatch}


def period_unit(first: Any, last: Any) -> str:
    """Day, week or month buckets, chosen by the span so a chart has tens of points, not
    thousands or two."""
    days = (last - first).days
    if days <= 62:
        return "day"
    if days <= 2 * 365:
        return "week"
    return "month"


def _dates(results: Results) -> list[Any] | None:
    """The date column as datetimes (None where a cell is not a date), or None without one."""
    if results.date is None:
        return None
    import polars as pl

    raw = [c.get(results.date) if c is not None else None for c in results.run_carried]
    s = pl.Series("d", [None if v is None else str(v) for v in raw], dtype=pl.String)
    parsed = s.str.to_datetime(strict=False, time_zone="UTC") if s.len() else s
    if parsed.dtype == pl.String or parsed.null_count() == parsed.len():
        parsed = s.str.to_date(strict=False).cast(pl.Datetime("us", "UTC"))
    return parsed.to_list()


def _over_time(results: Results, dates: list[Any], charts: Any) -> tuple[str | None, str | None]:
    import polars as pl

    mism = _mismatch_kinds()
    known = [d for d in dates if d is not None]
    if not known:
        return None, None
    unit = period_unit(min(known), max(known))
    every = {"day": "1d", "week": "1w", "month": "1mo"}[unit]
    f = results.findings
    rows = [
        (dates[run], f["tool"][i])
        for i, run in enumerate(results.finding_run)
        if f["kind"][i] in mism and dates[run] is not None
    ]
    if not rows:
        return None, unit
    frame = pl.DataFrame({"date": [r[0] for r in rows], "tool": [r[1] for r in rows]}, schema={"date": pl.Datetime("us", "UTC"), "tool": pl.String})
    agg = (
        frame.with_columns(pl.col("date").dt.truncate(every).alias("period"))
        .group_by("period", "tool").agg(pl.len().alias("mismatches")).sort("period", "tool")
    )
    values = [{"period": r["period"].strftime("%Y-%m-%d"), "tool": r["tool"], "mismatches": r["mismatches"]} for r in agg.iter_rows(named=True)]
    return charts.over_time(values, unit), unit


def _top_checks(results: Results) -> list[dict[str, Any]]:
    mism = _mismatch_kinds()
    f = results.findings
    count: Counter[tuple[str, str]] = Counter()
    runs: dict[tuple[str, str], set[int]] = {}
    for i, run in enumerate(results.finding_run):
        if f["kind"][i] in mism:
            key = (f["check"][i], f["kind"][i])
            count[key] += 1
            runs.setdefault(key, set()).add(run)
    top = sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CHECKS]
    return [{"check": c, "kind": k, "findings": n, "runs": len(runs[(c, k)])} for (c, k), n in top]


def _tools(summary: pl.DataFrame) -> list[dict[str, Any]]:
    import polars as pl

    out = []
    for row in summary.filter(pl.col("check").is_null()).iter_rows(named=True):
        rate = row["false_success_rate"]
        out.append({
            "tool": row["tool"], "runs": row["runs"], "mismatches": row["mismatches"],
            "false_success_runs": row["false_success_runs"], "rate": "-" if rate is None else f"{rate * 100:.1f}%",
            "first_seen": row.get("first_seen") or "", "last_seen": row.get("last_seen") or "",
            "top_checks": row["top_checks"] or "",
        })
    return out


def _exit_text(code: int | None, sig: str | None) -> str:
    if code is None:
        return "unknown"
    return f"{code} ({sig})" if sig else str(code)


def _run_records(results: Results, dates: list[Any] | None, link: Callable[[str], str | None]) -> list[list[Any]]:
    """One compact record per run, in input order: [source, link, date, tools, verdict, exit,
    error, findings]; a finding is [severity class, kind, check, step, line, message, evidence]."""
    r, f = results.runs, results.findings
    per_run: list[list[list[Any]]] = [[] for _ in range(len(results))]
    evidence = getattr(results, "evidence", None) or []
    steps = f.get("step")
    for i, run in enumerate(results.finding_run):
        per_run[run].append([
            f["severity"][i],  # error, warning or info: also the finding's CSS class
            f["kind"][i], f["check"][i], steps[i] if steps else None, f["line"][i], f["message"][i],
            [list(e) for e in evidence[i]] if i < len(evidence) else [],
        ])
    records = []
    for i in range(len(results)):
        date = dates[i].strftime("%Y-%m-%d") if dates and dates[i] is not None else None
        source = r["source"][i]
        records.append([
            source, link(source), date, r["tools"][i] or "", r["verdict"][i],
            _exit_text(r["exit_code"][i], r["exit_signal"][i]), r["error"][i], per_run[i],
        ])
    return records


def _static(record: list[Any]) -> dict[str, Any]:
    return {
        "source": record[0], "link": record[1], "date": record[2], "tools": record[3], "verdict": record[4],
        "exit": record[5], "error": record[6],
        "findings": [{"severity": f[0], "kind": f[1], "check": f[2], "step": f[3], "line": f[4], "message": f[5], "evidence": f[6]} for f in record[7]],
    }


def render(results: Results, summary: pl.DataFrame, *, link: Callable[[str], str | None] = lambda s: None) -> str:
    from markupsafe import Markup

    from . import html_charts as charts

    dates = _dates(results)
    over_time, unit = _over_time(results, dates, charts) if dates else (None, None)
    top = _top_checks(results)
    top_chart = charts.top_checks(top) if top else None
    records = _run_records(results, dates, link)
    worst = sorted(range(len(records)), key=lambda i: (_RANK.get(records[i][4], -1), -len(records[i][7]), i))
    static = [_static(records[i]) for i in worst[:STATIC_RUNS]]
    audited = len(results) - results.errors
    fs_runs = results.verdicts[Kind.FALSE_SUCCESS.value]
    known = [d for d in (dates or []) if d is not None]
    period = f"{min(known):%Y-%m-%d} to {max(known):%Y-%m-%d}" if known else None
    tool_names = sorted({t for tools in results.run_tools for t in tools})
    step_names = sorted({f[3] for rec in records for f in rec[7] if f[3]})
    verdict_names = [k.value for k in VERDICT_ORDER if results.verdicts[k.value]] + (["unreadable"] if results.errors else [])
    data = {
        "dated": bool(period),
        "classes": {k.value: verdict_class(k.value) for k in Kind},
        "runs": records,
    }
    return page(
        "batch.html.j2",
        scripts=[asset("batch.js")],
        total=len(results),
        headline=results.headline(),
        audited=audited,
        unreadable=results.errors,
        verdicts=[{"name": k.value, "count": results.verdicts[k.value]} for k in VERDICT_ORDER if results.verdicts[k.value]],
        fs_runs=fs_runs,
        fs_rate="-" if not audited else f"{fs_runs / audited * 100:.1f}%",
        period=period,
        unit=unit,
        over_time=Markup(over_time) if over_time else None,
        top_checks_chart=Markup(top_chart) if top_chart else None,
        top_checks=top,
        tools=_tools(summary),
        verdict_names=verdict_names,
        tool_names=tool_names,
        step_names=step_names,
        shown=len(static),
        static_runs=static,
        data=Markup(script_json(data)),
    )
