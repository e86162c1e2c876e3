"""Charts for the batch page: Vega-Lite specifications made with altair, rendered to SVG here by
vl-convert (Vega's own renderer, embedded, offline). The page then holds plain SVG: it shows
without JavaScript, prints, and needs no chart library in the browser.

Why not a JavaScript chart library inlined: plotly.js alone is about 4.6 MB minified, most of the
5 MB budget of a 10,000-run page, and Vega's runtime about 0.8 MB; these charts are 10-40 KB of
SVG each (docs/html.md has the measurements).
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageError
from .html_page import PALETTE

WIDTH = 900
KINDS = ("false-success", "wrong-code", "false-failure", "unexplained-failure", "audit-incomplete", "no-coverage", "exit-status-unknown")


class ChartsUnavailable(UsageError):
    """altair or vl-convert is not installed (the ``html`` extra): one line, exit 2."""


def _modules():  # type: ignore[no-untyped-def]
    try:
        import altair as alt
        import vl_convert as vlc
    except ImportError as exc:
        raise ChartsUnavailable(f"the batch page's charts need altair and vl-convert-python: pip install 'exitaudit[html]' ({exc.name} is missing)", where="--html") from None
    return alt, vlc


def require() -> None:
    """Raise ChartsUnavailable unless the charts can be drawn."""
    _modules()


def _svg(chart: Any) -> str:
    _alt, vlc = _modules()
    svg = vlc.vegalite_to_svg(chart.to_dict())
    # The SVG sits inside the page: its XML prolog would be text there.
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2:].lstrip()
    # Inline SVG in HTML needs no namespace declarations (the parser knows <svg>); without them
    # the page holds no URL that is not a link a person clicks.
    return svg.replace(' xmlns="http://www.w3.org/2000/svg"', "", 1).replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "", 1)


def over_time(rows: list[dict[str, Any]], unit: str) -> str:
    """Mismatches per period, stacked by tool: rows of {period (ISO date), tool, mismatches}.
    The tools with the most mismatches keep a colour of their own (as many as the palette has
    colours that stay apart for colour-blind readers); the rest are summed as "other"."""
    alt, _vlc = _modules()
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["tool"]] = totals.get(r["tool"], 0) + r["mismatches"]
    ranked = sorted(totals, key=lambda t: (-totals[t], t))
    own = ranked[: len(PALETTE) - 1] if len(ranked) > len(PALETTE) else ranked
    merged: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["period"], r["tool"] if r["tool"] in own else "other")
        merged[key] = merged.get(key, 0) + r["mismatches"]
    values = [{"period": p, "tool": t, "mismatches": n} for (p, t), n in sorted(merged.items())]
    domain = own + (["other"] if len(own) < len(ranked) else [])
    colours = PALETTE[: len(own)] + (["#999999"] if len(own) < len(ranked) else [])
    fmt = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m"}[unit]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X(f"{'yearmonthdate' if unit != 'month' else 'yearmonth'}(period):O", title=f"{unit} starting", axis=alt.Axis(format=fmt, labelAngle=-40)),
            y=alt.Y("sum(mismatches):Q", title="mismatches", axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color("tool:N", title="tool", scale=alt.Scale(domain=domain, range=colours), sort=domain),
            order=alt.Order("tool:N"),
        )
        .properties(width=WIDTH, height=240, title=f"Mismatches per {unit}, per tool")
    )
    return _svg(chart)


def top_checks(rows: list[dict[str, Any]]) -> str:
    """The checks that fire most: rows of {check, kind, findings}."""
    alt, _vlc = _modules()
    colours = dict(zip(KINDS, ["#D55E00", "#E69F00", "#CC79A7", "#0072B2", "#56B4E9", "#999999", "#000000"]))
    present = [k for k in colours if any(r["kind"] == k for r in rows)] + sorted({r["kind"] for r in rows} - set(colours))
    colours.update({k: "#777777" for k in present if k not in colours})
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("check:N", sort="-x", title=None, axis=alt.Axis(labelLimit=420)),
            x=alt.X("findings:Q", title="findings", axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color("kind:N", title="kind", scale=alt.Scale(domain=present, range=[colours[k] for k in present])),
        )
        .properties(width=WIDTH - 380, height=max(60, 22 * len(rows)), title="Checks that fire most")
    )
    return _svg(chart)
