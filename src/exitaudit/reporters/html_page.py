"""What every HTML page shares: the Jinja2 environment (autoescaping on), the inline style and
script, and a Content Security Policy that allows nothing but them.

Everything a page shows from a log, a rule file, a path or a manifest is untrusted text. It
reaches the page only through autoescaped template fields or as JSON data that the script reads
and inserts with ``textContent``, never as markup. The policy forbids every network request
(``default-src 'none'``), and inline script and style run only by hash, so even markup that got
through could not load or run anything.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import __version__
from ..model import DEFAULT_SEVERITY, Kind, Severity

ASSETS = Path(__file__).resolve().parent / "html_assets"

# Okabe-Ito: told apart with the common colour-vision deficiencies and in greyscale print; each
# verdict also carries a word and a symbol, so colour is never the only cue.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
_SEVERITY_CLASS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}
_SYMBOL = {"error": "✖", "warning": "▲", "info": "ℹ", "ok": "✔", "none": "○"}


def verdict_class(verdict: str | None) -> str:
    """``error``, ``warning``, ``ok`` or ``none`` (no coverage, unreadable)."""
    if verdict is None:
        return "error"
    kind = Kind(verdict)
    if kind is Kind.CONSISTENT:
        return "ok"
    if kind is Kind.NO_COVERAGE:
        return "none"
    return _SEVERITY_CLASS[DEFAULT_SEVERITY.get(kind, Severity.WARNING)]


def severity_class(severity: str) -> str:
    return _SEVERITY_CLASS[Severity(severity)]


def symbol(cls: str) -> str:
    return _SYMBOL[cls]


def script_json(data: Any) -> str:
    """JSON for a ``<script type="application/json">`` element: ``<``, ``>`` and ``&`` escaped,
    so that no text inside (``</script>``, ``<!--``) can end the element early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def policy(styles: list[str], scripts: list[str]) -> str:
    """The page's Content Security Policy: nothing from anywhere, the page's own inline style and
    script by hash, images only as data: URLs (none are used today)."""
    parts = ["default-src 'none'", "base-uri 'none'", "form-action 'none'", "img-src data:"]
    parts.append("style-src " + " ".join(_sha256(s) for s in styles) if styles else "style-src 'none'")
    parts.append("script-src " + " ".join(_sha256(s) for s in scripts) if scripts else "script-src 'none'")
    return "; ".join(parts)


@lru_cache(maxsize=1)
def environment():  # type: ignore[no-untyped-def]
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ASSETS)),
        autoescape=True,  # every {{ }} is escaped; nothing is marked safe but the page's own assets and SVG charts
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["verdict_class"] = verdict_class
    env.filters["severity_class"] = severity_class
    env.filters["symbol"] = symbol
    env.globals["version"] = __version__
    return env


def asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def page(template: str, *, scripts: list[str] = (), **fields: Any) -> str:  # type: ignore[assignment]
    """Render ``template`` with the shared style, the given inline scripts and the policy that
    admits exactly them."""
    from markupsafe import Markup

    style = asset("page.css")
    scripts = list(scripts)
    return environment().get_template(template).render(
        style=Markup(style),
        scripts=[Markup(s) for s in scripts],
        csp=policy([style], scripts),
        **fields,
    )
